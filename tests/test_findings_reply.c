/* test_findings_reply.c - unit tests for the diagnosis rules on the
 * server's replies (SPEC "Finding codes"), each at its threshold:
 * server.slow_replies and the tarpit that folds them, smtp.reply_error,
 * smtp.slow_reply (--slow-reply 2) and its DNS cause, and a clean session
 * with no findings at all.  Reply semantics follow RFC 5321 (sections 4.2,
 * 4.5.3.2).  Sessions are built by hand (testfnd.h); the SYN is at T0.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/findings.h"
#include "testfnd.h" /* hand-built sessions, eval, expect_n */

/* ---- replies -------------------------------------------------------------- */

/* Four exchanges; latencies of EHLO, MAIL, RCPT, DATA. */
static struct session *replies(double l1, double l2, double l3, double l4)
{
	struct session *s = sess_hs();
	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	exchange(s, T0 + 1, SMTP_CMD_EHLO, "EHLO", l1, 250);
	exchange(s, T0 + 5, SMTP_CMD_MAIL, "MAIL", l2, 250);
	exchange(s, T0 + 9, SMTP_CMD_RCPT, "RCPT", l3, 250);
	exchange(s, T0 + 13, SMTP_CMD_DATA, "DATA", l4, 354);
	close_fin(s, T0 + 20);
	return s;
}

Test(findings, server_slow_replies_when_most_are_slow)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = replies(1.5, 0.1, 1.0, 2.5);
	eval(s, &l);
	cr_assert_eq(l.n, 1);
	f = tk_get(&l, F_SERVER_SLOW_REPLIES);
	cr_assert_float_eq(f->t, T0 + 2.5, 1e-6, "first slow reply");
	tk_assert_has(f->summary, "3 of 4");
	findings_clear(&l);
	sess_free(s);

	expect_n(replies(1.5, 0.1, 0.2, 0.3), F_SERVER_SLOW_REPLIES, 0);
	expect_n(replies(1.5, 0.1, 2.0, 0.999), F_SERVER_SLOW_REPLIES, 0);
}

/* A tarpit's slow MAIL with no lookup of its own is the tarpit told again:
 * evidence of server.slow_replies, not a second finding (issue 10). */
Test(findings, tarpit_folds_a_slow_reply_without_dns_cause)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = replies(1.5, 3.0, 1.2, 1.1);
	eval(s, &l);
	cr_assert_eq(tk_count(&l, F_SMTP_SLOW_REPLY), 0);
	f = tk_the(&l, F_SERVER_SLOW_REPLIES);
	cr_assert_eq(f->n_evidence, 2);
	tk_assert_has(f->evidence[1], "the reply to MAIL came 3.000 s");
	tk_assert_has(f->evidence[1], "no lookup of the server explains it");
	findings_clear(&l);
	sess_free(s);
}

/* ... but one its own lookup explains is a cause of its own. */
Test(findings, tarpit_keeps_a_slow_reply_with_its_own_dns_cause)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = replies(1.5, 3.0, 1.2, 1.1);
	struct dns_tx *txt = tie(s, REL_SENDER_DOMAIN, "sender.example",
				 DNS_T_TXT, T0 + 5.001, T0 + 7.9,
				 DNS_R_NOERROR);
	eval(s, &l);
	f = tk_the(&l, F_SMTP_SLOW_REPLY);
	cr_assert_eq(f->n_cause, 1);
	cr_assert_eq(f->cause[0].tx, txt);
	f = tk_the(&l, F_SERVER_SLOW_REPLIES);
	cr_assert_eq(f->n_evidence, 1, "nothing folded into the tarpit");
	findings_clear(&l);
	sess_free(s);
}

Test(findings, slow_replies_ignore_the_end_of_data_dot)
{
	struct session *s = replies(1.5, 0.1, 1.2, 0.1);
	tk_command(s, T0 + 15, SMTP_CMD_DATA_END, ".", "");
	tk_reply(s, T0 + 19, SMTP_CMD_DATA_END, ".", T0 + 15, 250, "queued");
	expect_n(s, F_SERVER_SLOW_REPLIES, 0);
}

Test(findings, smtp_reply_error_names_the_command)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();
	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	exchange(s, T0 + 1, SMTP_CMD_EHLO, "EHLO", 0.1, 250);
	exchange(s, T0 + 2, SMTP_CMD_MAIL, "MAIL", 0.1, 250);
	exchange(s, T0 + 3, SMTP_CMD_RCPT, "RCPT", 0.1, 550);
	close_fin(s, T0 + 4);
	eval(s, &l);
	cr_assert_eq(l.n, 1);
	f = tk_get(&l, F_SMTP_REPLY_ERROR);
	cr_assert_eq(f->sev, SEV_INFO);
	cr_assert_float_eq(f->t, T0 + 3.1, 1e-6);
	tk_assert_has(f->summary, "RCPT");
	tk_assert_has(f->summary, "550");
	findings_clear(&l);
	sess_free(s);
}

Test(findings, clean_session_has_no_findings)
{
	struct session *s = replies(0.1, 0.1, 0.1, 0.1);
	struct finding_list l;
	tie(s, REL_PTR_OF_CLIENT, PTR_NAME, DNS_T_PTR, ACK_T + 0.01,
	    ACK_T + 0.05, DNS_R_NOERROR);
	eval(s, &l);
	cr_assert_eq(l.n, 0, "first: %s",
		     l.n ? finding_code_name(l.v[0].code) : "");
	findings_clear(&l);
	findings_clear(&l); /* twice is harmless */
	sess_free(s);
}

/* ---- smtp.slow_reply (--slow-reply 2) -------------------------------------- */

/* Greeting, EHLO, then MAIL FROM:<alice@sender.example> at T0 + 5 answered
 * `latency` seconds later, then a quick RCPT and DATA. */
static struct session *mail_reply_after(double latency)
{
	struct session *s = sess_hs();
	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	exchange(s, T0 + 1, SMTP_CMD_EHLO, "EHLO", 0.01, 250);
	tk_command(s, T0 + 5, SMTP_CMD_MAIL, "MAIL",
		   "FROM:<alice@sender.example>");
	tk_reply(s, T0 + 5 + latency, SMTP_CMD_MAIL, "MAIL", T0 + 5, 250,
		 "2.1.0 Ok");
	exchange(s, T0 + 20, SMTP_CMD_RCPT, "RCPT", 0.01, 250);
	exchange(s, T0 + 21, SMTP_CMD_DATA, "DATA", 0.01, 354);
	close_fin(s, T0 + 25);
	return s;
}

Test(findings, smtp_slow_reply_threshold)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s;

	expect_n(mail_reply_after(1.999), F_SMTP_SLOW_REPLY, 0);
	expect_n(mail_reply_after(2.0), F_SMTP_SLOW_REPLY, 0); /* "slower" */

	s = mail_reply_after(2.001);
	eval(s, &l);
	cr_assert_eq(l.n, 1, "only smtp.slow_reply expected, first: %s",
		     l.n ? finding_code_name(l.v[0].code) : "");
	f = tk_get(&l, F_SMTP_SLOW_REPLY);
	cr_assert_eq(f->sev, SEV_WARNING);
	cr_assert_str_eq(finding_code_name(f->code), "smtp.slow_reply");
	cr_assert_float_eq(f->t, T0 + 5, 1e-6, "from the command");
	expect_unexplained(f, 2.001);
	tk_assert_has(f->summary, "MAIL");
	cr_assert_not_null(f->remedy);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, smtp_slow_reply_to_rcpt_and_not_to_data)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();

	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	exchange(s, T0 + 1, SMTP_CMD_MAIL, "MAIL", 0.1, 250);
	exchange(s, T0 + 2, SMTP_CMD_RCPT, "RCPT", 2.5, 250);
	close_fin(s, T0 + 6);
	eval(s, &l);
	f = tk_the(&l, F_SMTP_SLOW_REPLY);
	cr_assert_float_eq(f->t, T0 + 2, 1e-6);
	tk_assert_has(f->summary, "RCPT");
	findings_clear(&l);
	sess_free(s);

	/* a slow 354 to DATA, or a slow reply to EHLO, is not this finding */
	s = sess_hs();
	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	exchange(s, T0 + 1, SMTP_CMD_EHLO, "EHLO", 3.0, 250);
	exchange(s, T0 + 5, SMTP_CMD_MAIL, "MAIL", 0.1, 250);
	exchange(s, T0 + 6, SMTP_CMD_RCPT, "RCPT", 0.1, 250);
	exchange(s, T0 + 7, SMTP_CMD_DATA, "DATA", 5.0, 354);
	close_fin(s, T0 + 15);
	expect_n(s, F_SMTP_SLOW_REPLY, 0);

	/* nor the reply to the end-of-data dot */
	s = sess_hs();
	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	tk_command(s, T0 + 5, SMTP_CMD_DATA_END, ".", "");
	tk_reply(s, T0 + 15, SMTP_CMD_DATA_END, ".", T0 + 5, 250, "queued");
	close_fin(s, T0 + 16);
	expect_n(s, F_SMTP_SLOW_REPLY, 0);
}

Test(findings, smtp_slow_reply_only_the_first_one)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = sess_hs();

	tk_greeting(s, ACK_T + 0.2, 220, "mx1.example.org ESMTP");
	exchange(s, T0 + 1, SMTP_CMD_MAIL, "MAIL", 2.5, 250);
	exchange(s, T0 + 5, SMTP_CMD_RCPT, "RCPT", 4.0, 250);
	close_fin(s, T0 + 10);
	eval(s, &l);
	f = tk_the(&l, F_SMTP_SLOW_REPLY);
	cr_assert_float_eq(f->t, T0 + 1, 1e-6);
	cr_assert_float_eq(f->duration, 2.5, 1e-6);
	findings_clear(&l);
	sess_free(s);
}

/* The server's SPF lookup of the sender's domain outstanding while the
 * client waits for the reply to MAIL (samples/slow-spf.pcap). */
Test(findings, smtp_slow_reply_cause_is_the_sender_domain_txt)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = mail_reply_after(3.01);
	struct dns_tx *txt;

	/* a client-side lookup in the wait, and a server lookup of the
	 * sender's domain answered before MAIL, explain nothing */
	tie(s, REL_A_OF_MX, "mx2.example.org", DNS_T_A, T0 + 5.5, T0 + 7.5,
	    DNS_R_NOERROR);
	tie(s, REL_SENDER_DOMAIN, "sender.example", DNS_T_MX, T0 + 4.0,
	    T0 + 4.5, DNS_R_NOERROR);
	txt = tie(s, REL_SENDER_DOMAIN, "sender.example", DNS_T_TXT,
		  T0 + 5.001, T0 + 8.001, DNS_R_NOERROR);
	eval(s, &l);
	f = tk_the(&l, F_SMTP_SLOW_REPLY);
	cr_assert_float_eq(f->duration, 3.01, 1e-6);
	cr_assert(f->has_cause);
	cr_assert_eq(f->n_cause, 1, "only the outstanding server lookup");
	cr_assert_eq(f->cause[0].tx, txt);
	cr_assert_eq(f->cause[0].rel, REL_SENDER_DOMAIN);
	cr_assert_float_eq(f->cause[0].overlap_s, 3.0, 1e-6);
	cr_assert_float_eq(f->explained_s, 3.0, 1e-6);
	cr_assert_null(f->suspects, "DNS explains the wait");
	tk_assert_has(f->summary, "sender.example");
	tk_assert_has(f->summary, "sender_domain");
	tk_assert_has(f->summary, "TXT");
	cr_assert_geq(f->n_evidence, 2, "the command/reply and the lookup");
	tk_assert_has(f->evidence[1], "sender_domain: TXT");
	/* the 3 s TXT lookup and the 2 s A lookup are slow too */
	cr_assert_eq(tk_count(&l, F_DNS_SLOW), 2);
	findings_clear(&l);
	sess_free(s);
}

Test(findings, smtp_slow_reply_partly_explained_names_suspects)
{
	struct finding_list l;
	const struct finding *f;
	struct session *s = mail_reply_after(6.0);

	/* asked before MAIL: only the part inside the wait counts */
	tie(s, REL_RECIPIENT_DOMAIN, "example.org", DNS_T_MX, T0 + 4.0,
	    T0 + 6.0, DNS_R_NOERROR);
	eval(s, &l);
	f = tk_get(&l, F_SMTP_SLOW_REPLY);
	cr_assert_eq(f->n_cause, 1);
	cr_assert_eq(f->cause[0].rel, REL_RECIPIENT_DOMAIN);
	cr_assert_float_eq(f->cause[0].overlap_s, 1.0, 1e-6);
	cr_assert_float_eq(f->explained_s, 1.0, 1e-6);
	cr_assert_not_null(f->suspects, "1 s of 6 s: suspects named");
	findings_clear(&l);
	sess_free(s);
}
