/* test_findings.c - unit tests for the diagnosis rules (SPEC "Finding
 * codes"), each at its threshold: just below gives nothing, just above
 * gives the finding.  Here the connection, the greeting and the lookups:
 * banner.slow, the DNS rules, stalls, tcp.*, banner.missing and
 * banner.masked, client.gave_up, mx.failover and mx.no_failover; the
 * server's replies are in test_findings_reply.c.  Greeting and reply
 * semantics follow RFC 5321 (sections 3.1, 4.2, 4.5.3.2); DNS rcodes RFC
 * 1035 section 4.1.1.  Sessions are built by hand (testfnd.h); the SYN is
 * at T0.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/findings.h"
#include "testfnd.h" /* hand-built sessions, eval, expect_n */

/* ---- banner.slow ---------------------------------------------------------- */

static struct session *banner_after(double delay)
{
	struct session *s = sess_hs();
	tk_greeting(s, ACK_T + delay, 220, "mx1.example.org ESMTP");
	close_fin(s, ACK_T + delay + 1);
	return s;
}

Test(findings, banner_slow_threshold)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s;

	expect_n(banner_after(1.999), F_BANNER_SLOW, 0);
	expect_n(banner_after(2.0), F_BANNER_SLOW, 0); /* "later than" */

	s = banner_after(2.001);
	eval(s, &l);
	cr_assert_eq(l.n, 1, "only banner.slow expected");
	f = tk_get(&l, F_BANNER_SLOW);
	cr_assert_eq(f->sev, SEV_WARNING);
	cr_assert_float_eq(f->t, ACK_T, 1e-6);
	expect_unexplained(f, 2.001);
	cr_assert_str_eq(finding_code_name(f->code), "banner.slow");
	findings_clear(&l);
	cr_assert_null(l.v);
	cr_assert_eq(l.n, 0);
	sess_free(s);
}

Test(findings, banner_slow_cause_is_the_outstanding_ptr)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	struct dns_tx *ptr;

	/* a client-side lookup overlapping the wait explains nothing */
	tie(s, REL_A_OF_MX, "mx1.example.org", DNS_T_A, ACK_T, ACK_T + 0.5,
	    DNS_R_NOERROR);
	ptr = tie(s, REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR, ACK_T + 0.02,
		  ACK_T + 4.02, DNS_R_NOERROR);
	tk_greeting(s, ACK_T + 4.03, 220, "mx1.example.org ESMTP");
	close_fin(s, ACK_T + 5);
	eval(s, &l);
	f = tk_get(&l, F_BANNER_SLOW);
	cr_assert_float_eq(f->duration, 4.03, 1e-6);
	cr_assert(f->has_cause);
	cr_assert_float_eq(f->explained_s, 4.0, 1e-6);
	cr_assert_eq(f->n_cause, 1, "only server-side lookups are causes");
	cr_assert_eq(f->cause[0].tx, ptr);
	cr_assert_eq(f->cause[0].rel, REL_PTR_OF_CLIENT);
	cr_assert_float_eq(f->cause[0].overlap_s, 4.0, 1e-6);
	cr_assert_null(f->suspects, "DNS explains the wait");
	tk_assert_has(f->summary, PTR_NAME);
	tk_assert_has(f->summary, "ptr_of_client");
	cr_assert_eq(tk_count(&l, F_DNS_SLOW), 1, "the 4 s PTR is also slow");
	findings_clear(&l);
	sess_free(s);
}

Test(findings, banner_slow_overlapping_lookups_count_once)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();

	tie(s, REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR, ACK_T + 0.1, ACK_T + 3.1,
	    DNS_R_NOERROR);
	tie(s, REL_DNSBL_OF_CLIENT, "10.2.0.192.zen.example.net", DNS_T_A,
	    ACK_T + 1.1, ACK_T + 4.1, DNS_R_NXDOMAIN);
	tk_greeting(s, ACK_T + 5.0, 220, "mx1.example.org ESMTP");
	close_fin(s, ACK_T + 6);
	eval(s, &l);
	f = tk_get(&l, F_BANNER_SLOW);
	cr_assert_eq(f->n_cause, 2);
	cr_assert_float_eq(f->explained_s, 4.0, 1e-6, "union, not the sum");
	cr_assert_null(f->suspects);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, banner_slow_mostly_unexplained_names_suspects)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();

	tie(s, REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR, ACK_T + 0.1, ACK_T + 0.6,
	    DNS_R_NOERROR);
	tk_greeting(s, ACK_T + 10.0, 220, "mx1.example.org ESMTP");
	close_fin(s, ACK_T + 11);
	eval(s, &l);
	f = tk_get(&l, F_BANNER_SLOW);
	cr_assert_eq(f->n_cause, 1);
	cr_assert_float_eq(f->explained_s, 0.5, 1e-6);
	cr_assert_not_null(f->suspects);
	findings_clear(&l);
	sess_free(s);
}

/* ---- DNS rules ------------------------------------------------------------ */

static struct session *with_lookup(enum dns_relation rel, const char *qname,
				   uint16_t qtype, double rtt, uint16_t rcode)
{
	struct session *s = sess_hs();
	double tq = rel == REL_A_OF_MX ? T0 - 3 : ACK_T + 0.01;
	tie(s, rel, qname, qtype, tq, rtt < 0 ? -1 : tq + rtt, rcode);
	tk_greeting(s, ACK_T + 1.5, 220, "mx1.example.org ESMTP");
	close_fin(s, ACK_T + 3);
	return s;
}

Test(findings, dns_slow_threshold)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s;

	expect_n(with_lookup(REL_A_OF_MX, "mx1.example.org", DNS_T_A, 0.999,
			     DNS_R_NOERROR),
		 F_DNS_SLOW, 0);
	s = with_lookup(REL_A_OF_MX, "mx1.example.org", DNS_T_A, 1.001,
			DNS_R_NOERROR);
	eval(s, &l);
	f = tk_the(&l, F_DNS_SLOW);
	cr_assert_float_eq(f->duration, 1.001, 1e-6);
	cr_assert_float_eq(f->t, T0 - 3, 1e-6);
	tk_assert_has(f->summary, "mx1.example.org");
	cr_assert_eq(tk_count(&l, F_DNS_TIMEOUT) + tk_count(&l, F_DNS_ERROR), 0);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, dns_timeout_for_an_unanswered_tied_query)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = with_lookup(REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR,
					-1, 0);
	s->dns[0].tx->retransmissions = 2;
	eval(s, &l);
	f = tk_the(&l, F_DNS_TIMEOUT);
	cr_assert_eq(f->sev, SEV_ERROR);
	cr_assert_float_eq(f->t, ACK_T + 0.01, 1e-6);
	cr_assert_float_eq(f->duration, 3.001 - 0.01, 1e-6);
	tk_assert_has(f->summary, "2 retransmissions");
	cr_assert_eq(tk_count(&l, F_DNS_SLOW) + tk_count(&l, F_DNS_ERROR), 0);
	findings_clear(&l);
	sess_free(s);

	expect_n(with_lookup(REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR, 0.2,
			     DNS_R_NOERROR),
		 F_DNS_TIMEOUT, 0);
}

Test(findings, dns_error_servfail_ptr_yes_nxdomain_dnsbl_no)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = with_lookup(REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR,
					0.2, DNS_R_SERVFAIL);
	eval(s, &l);
	f = tk_the(&l, F_DNS_ERROR);
	cr_assert_float_eq(f->t, ACK_T + 0.21, 1e-6);
	tk_assert_has(f->summary, "SERVFAIL");
	tk_assert_has(f->summary, "ptr_of_client");
	findings_clear(&l);
	sess_free(s);

	expect_n(with_lookup(REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR, 0.2,
			     DNS_R_NXDOMAIN),
		 F_DNS_ERROR, 1);
	expect_n(with_lookup(REL_DNSBL_OF_CLIENT, "10.2.0.192.zen.example.net",
			     DNS_T_A, 0.2, DNS_R_NXDOMAIN),
		 F_DNS_ERROR, 0); /* NXDOMAIN is DNSBL for "not listed" */
	expect_n(with_lookup(REL_DNSBL_OF_CLIENT, "10.2.0.192.zen.example.net",
			     DNS_T_A, 0.2, DNS_R_REFUSED),
		 F_DNS_ERROR, 1);
	expect_n(with_lookup(REL_A_OF_PTR_NAME, "mail.client.example", DNS_T_A,
			     0.2, DNS_R_NOERROR),
		 F_DNS_ERROR, 0);
}

/* Regression: a tied response whose query was not captured still reports
 * its rcode (it was skipped before); it cannot be slow or a timeout. */
Test(findings, dns_error_for_a_response_without_its_query)
{
	struct finding_list l;
	struct session *s = with_lookup(REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR,
					3.0, DNS_R_SERVFAIL);
	s->dns[0].tx->has_query = false;
	eval(s, &l);
	cr_assert_eq(tk_count(&l, F_DNS_ERROR), 1);
	cr_assert_eq(tk_count(&l, F_DNS_SLOW), 0);
	cr_assert_eq(tk_count(&l, F_DNS_TIMEOUT), 0);
	findings_clear(&l);
	sess_free(s);
}

/* ---- stalls --------------------------------------------------------------- */

/* A session whose cmd (sent at T0 + 10) was never answered and which
 * ended `silent` seconds later. */
static struct session *stalled(enum smtp_cmd cmd, const char *verb,
			       double silent)
{
	struct session *s = sess_hs();
	tk_greeting(s, ACK_T + 0.1, 220, "mx1.example.org ESMTP");
	tk_command(s, T0 + 10, cmd, verb, "");
	tk_unanswered(s, T0 + 10, cmd, verb);
	s->close = CLOSE_TIMEOUT;
	s->close_t = s->last = T0 + 10 + silent;
	return s;
}

Test(findings, stall_data_threshold)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s;

	expect_n(stalled(SMTP_CMD_DATA_END, ".", 29.9), F_STALL_DATA, 0);
	s = stalled(SMTP_CMD_DATA_END, ".", 30.1);
	eval(s, &l);
	f = tk_the(&l, F_STALL_DATA);
	cr_assert_eq(tk_count(&l, F_STALL_COMMAND) + tk_count(&l, F_STALL_XEXCH50),
		     0);
	cr_assert_float_eq(f->t, T0 + 10, 1e-6);
	cr_assert_float_eq(f->duration, 30.1, 1e-6);
	tk_assert_has(f->summary, "end-of-data");
	findings_clear(&l);
	sess_free(s);

	expect_n(stalled(SMTP_CMD_DATA, "DATA", 31), F_STALL_DATA, 1);
}

Test(findings, stall_xexch50_for_an_unanswered_blob)
{
	struct finding_list l;
	struct session *s = stalled(SMTP_CMD_BLOB_END, "XEXCH50-BLOB", 60);
	eval(s, &l);
	cr_assert_eq(tk_count(&l, F_STALL_XEXCH50), 1);
	cr_assert_eq(tk_count(&l, F_STALL_DATA) + tk_count(&l, F_STALL_COMMAND), 0);
	findings_clear(&l);
	sess_free(s);
	expect_n(stalled(SMTP_CMD_BLOB_END, "XEXCH50-BLOB", 29), F_STALL_XEXCH50,
		 0);
}

Test(findings, stall_command_for_an_unanswered_mail)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = stalled(SMTP_CMD_MAIL, "MAIL", 45);
	eval(s, &l);
	f = tk_the(&l, F_STALL_COMMAND);
	cr_assert_eq(tk_count(&l, F_STALL_DATA) + tk_count(&l, F_STALL_XEXCH50), 0);
	tk_assert_has(f->summary, "MAIL");
	findings_clear(&l);
	sess_free(s);
}

/* ---- TCP and banner ------------------------------------------------------- */

Test(findings, tcp_no_answer)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_syn();
	s->syns = 3;
	s->syn_t = T0 + 9; /* the last SYN */
	s->close = CLOSE_TIMEOUT;
	s->close_t = s->last = T0 + 30;
	eval(s, &l);
	cr_assert_eq(l.n, 1);
	f = tk_get(&l, F_TCP_NO_ANSWER);
	cr_assert_eq(f->sev, SEV_ERROR);
	cr_assert_float_eq(f->duration, 9, 1e-6);
	tk_assert_has(f->summary, "3 SYNs");
	findings_clear(&l);
	sess_free(s);

	/* one unanswered SYN is enough */
	s = sess_syn();
	s->close = CLOSE_CAPTURE_END;
	s->close_t = s->last = T0 + 5;
	expect_n(s, F_TCP_NO_ANSWER, 1);
}

Test(findings, tcp_refused)
{
	struct finding_list l;
	struct session *s = sess_syn();
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = T0 + 0.001;
	eval(s, &l);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(tk_count(&l, F_TCP_REFUSED), 1);
	cr_assert_eq(tk_count(&l, F_TCP_NO_ANSWER), 0);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, banner_missing_when_the_server_closes_silently)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	close_fin(s, ACK_T + 30);
	eval(s, &l);
	cr_assert_eq(l.n, 1);
	f = tk_get(&l, F_BANNER_MISSING);
	cr_assert_float_eq(f->t, ACK_T, 1e-6);
	cr_assert_float_eq(f->duration, 30.001, 1e-6);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, client_gave_up_while_the_server_ptr_was_outstanding)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	struct dns_tx *ptr = tie(s, REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR,
				 ACK_T + 0.1, -1, 0);
	s->close = CLOSE_RST_CLIENT;
	s->close_t = s->last = ACK_T + 30;
	eval(s, &l);
	f = tk_the(&l, F_CLIENT_GAVE_UP);
	/* the greeting's own finding besides (issue 10) */
	cr_assert_eq(tk_count(&l, F_BANNER_MISSING), 1);
	cr_assert_eq(tk_count(&l, F_DNS_TIMEOUT), 1);
	cr_assert_float_eq(f->t, ACK_T + 30, 1e-6);
	cr_assert_float_eq(f->duration, 30, 1e-6);
	cr_assert(!f->has_needed, "the banner never came");
	cr_assert_eq(f->n_cause, 1);
	cr_assert_eq(f->cause[0].tx, ptr);
	cr_assert_float_eq(f->explained_s, 29.9, 1e-6);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, client_gave_up_before_a_late_banner)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	s->fin_client = true;
	s->fin_client_t = ACK_T + 30;
	tk_greeting(s, ACK_T + 35.5, 220, "mx1.example.org ESMTP");
	s->fin_server = true;
	s->fin_server_t = ACK_T + 35.6;
	s->close = CLOSE_FIN;
	s->close_t = s->last = ACK_T + 35.6;
	eval(s, &l);
	f = tk_the(&l, F_CLIENT_GAVE_UP);
	cr_assert_eq(tk_count(&l, F_BANNER_SLOW), 1, "besides gave_up");
	cr_assert(f->has_needed);
	cr_assert_float_eq(f->needed_s, 5.5, 1e-6);
	cr_assert_float_eq(f->duration, 30, 1e-6);
	findings_clear(&l);
	sess_free(s);
}

/* A server that never greets and asks nothing: the client's FIN after
 * 30 s is its timeout, client.gave_up besides banner.missing. */
Test(findings, client_gave_up_on_a_silent_server)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	s->fin_client = true;
	s->fin_client_t = ACK_T + 30;
	s->close = CLOSE_FIN;
	s->close_t = s->last = ACK_T + 30.01;
	eval(s, &l);
	f = tk_the(&l, F_CLIENT_GAVE_UP);
	cr_assert_float_eq(f->duration, 30, 1e-6);
	cr_assert_eq(f->n_cause, 0);
	tk_assert_has(f->summary, "which never came");
	cr_assert_eq(tk_count(&l, F_BANNER_MISSING), 1);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, client_closing_after_the_banner_did_not_give_up)
{
	struct session *s = sess_hs();
	tk_greeting(s, ACK_T + 0.3, 220, "mx1.example.org ESMTP");
	s->fin_client = true;
	s->fin_client_t = ACK_T + 1;
	s->close = CLOSE_RST_CLIENT;
	s->close_t = s->last = ACK_T + 1.1;
	expect_n(s, F_CLIENT_GAVE_UP, 0);
}

Test(findings, banner_masked)
{
	struct finding_list l;
	struct session *s = sess_hs();
	tk_greeting(s, ACK_T + 0.2, 220,
		    "*******************************0*2******0000000000**");
	close_fin(s, ACK_T + 1);
	eval(s, &l);
	cr_assert_eq(l.n, 1);
	cr_assert_eq(tk_count(&l, F_BANNER_MASKED), 1);
	findings_clear(&l);
	sess_free(s);

	s = sess_hs();
	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP *ready*");
	close_fin(s, ACK_T + 1);
	expect_n(s, F_BANNER_MASKED, 0);
}

/* ---- mx.no_failover / mx.failover (decided by delivery.c) ------------------ */

#include "diagnose/delivery.h"

/* example.org's MX answer: mx1 (10), mx2 (20). */
static char *mx_names[] = {"mx1.example.org", "mx2.example.org"};
static uint16_t mx_prefs[] = {10, 20};
static struct dns_tx mx_answer = {.qname = "example.org",
				  .names = mx_names,
				  .prefs = mx_prefs,
				  .n_names = 2};

/* S2 from 192.0.2.10, after S1 to mx1.example.org (203.0.113.25) never
 * sent a banner: judged as delivery.c does at S2's SYN.  With a failover
 * S2 went to mx2 (MX 20), else to mx1 again. */
static struct session *with_verdict(enum mx_verdict verdict)
{
	struct session *s = sess_hs();
	struct mx_judgement *j;
	close_fin(s, ACK_T + 20);
	snprintf(s->id, sizeof(s->id), "S2");
	s->mx_host = verdict == MXV_FAILOVER ? "mx2.example.org"
					     : "mx1.example.org";
	s->mx_pref = verdict == MXV_FAILOVER ? 20 : 10;
	if (verdict == MXV_NONE)
		return s;
	j = arena_alloc(&s->strings, sizeof(*j));
	cr_assert_not_null(j);
	memset(j, 0, sizeof(*j));
	j->verdict = verdict;
	j->number = 2;
	j->mx = &mx_answer;
	j->domain = "example.org";
	snprintf(j->prev_session, sizeof(j->prev_session), "S1");
	j->prev_host = "mx1.example.org";
	mx_addr_parse("203.0.113.25", &j->prev_server);
	j->prev_pref = 10;
	j->prev_outcome = DL_NO_BANNER;
	s->mx_judged = j;
	return s;
}

Test(findings, mx_no_failover_is_an_error)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = with_verdict(MXV_NO_FAILOVER);

	eval(s, &l);
	f = tk_the(&l, F_MX_NO_FAILOVER);
	cr_assert_eq(tk_count(&l, F_MX_FAILOVER), 0);
	cr_assert_eq(tk_count(&l, F_BANNER_MISSING), 1);
	cr_assert_eq(f->sev, SEV_ERROR);
	cr_assert_str_eq(finding_code_name(f->code), "mx.no_failover");
	cr_assert_float_eq(f->t, T0, 1e-6, "decided at the SYN");
	cr_assert_str_eq(f->summary,
		 "192.0.2.10 tried mx1.example.org (203.0.113.25) again after "
		 "it never sent a banner, although example.org also lists "
		 "mx2.example.org (MX 20).");
	cr_assert_eq(f->n_evidence, 1);
	cr_assert_str_eq(f->evidence[0],
		 "attempt 1 (S1) to mx1.example.org 203.0.113.25 never sent a "
		 "banner; attempt 2 (S2) went to mx1.example.org");
	cr_assert_not_null(f->remedy);
	/* errors first, then by time: the verdict (at the SYN) leads */
	cr_assert_eq(l.v[0].code, F_MX_NO_FAILOVER);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, mx_failover_is_info)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = with_verdict(MXV_FAILOVER);

	eval(s, &l);
	f = tk_the(&l, F_MX_FAILOVER);
	cr_assert_eq(tk_count(&l, F_MX_NO_FAILOVER), 0);
	cr_assert_eq(f->sev, SEV_INFO);
	cr_assert_str_eq(finding_code_name(f->code), "mx.failover");
	cr_assert_str_eq(f->summary,
		 "192.0.2.10 moved on from mx1.example.org (MX 10), which never "
		 "sent a banner, to mx2.example.org (MX 20) for example.org.");
	cr_assert_str_eq(f->evidence[0],
		 "attempt 1 (S1) to mx1.example.org 203.0.113.25 never sent a "
		 "banner; attempt 2 (S2) went to mx2.example.org");
	cr_assert_null(f->remedy);
	cr_assert_float_eq(f->t, T0, 1e-6);
	/* the info comes after the error of this session */
	cr_assert_eq(l.v[0].code, F_BANNER_MISSING);
	cr_assert_eq(l.v[l.n - 1].code, F_MX_FAILOVER);
	findings_clear(&l);
	sess_free(s);

	/* no verdict, no finding */
	s = with_verdict(MXV_NONE);
	expect_n(s, F_MX_FAILOVER, 0);
	s = with_verdict(MXV_NONE);
	expect_n(s, F_MX_NO_FAILOVER, 0);
}

/* A client that says QUIT before any greeting gave up then, not at its
 * FIN later (swaks waits one more timeout for the 221); the evidence says
 * what it did. */
Test(findings, client_gave_up_at_its_quit_before_the_greeting)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	tk_command(s, ACK_T + 3, SMTP_CMD_QUIT, "QUIT", "");
	s->fin_client = true;
	s->fin_client_t = ACK_T + 6;
	tk_greeting(s, ACK_T + 8, 220, "mx1.example.org ESMTP");
	s->close = CLOSE_RST_CLIENT;
	s->close_t = s->last = ACK_T + 8.01;
	eval(s, &l);
	f = tk_the(&l, F_CLIENT_GAVE_UP);
	cr_assert_float_eq(f->duration, 3, 1e-6);
	cr_assert_float_eq(f->needed_s, 5, 1e-6);
	tk_assert_has(f->evidence[0], "sent QUIT");
	findings_clear(&l);
	sess_free(s);
}

/* A reset with no FIN before it is reported as a reset. */
Test(findings, client_gave_up_by_reset_says_reset)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	tie(s, REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR, ACK_T + 0.01, -1, 0);
	s->close = CLOSE_RST_CLIENT;
	s->close_t = s->last = ACK_T + 10;
	eval(s, &l);
	f = tk_get(&l, F_CLIENT_GAVE_UP);
	cr_assert_float_eq(f->duration, 10, 1e-6);
	tk_assert_has(f->evidence[0], "reset the connection");
	findings_clear(&l);
	sess_free(s);
}
