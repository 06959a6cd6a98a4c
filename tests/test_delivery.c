/* test_delivery.c - unit tests for MX delivery groups (delivery.c): the
 * sessions from one client to the hosts of one domain's MX answer, the
 * outcome of each attempt, and the failover verdict decided at each new
 * attempt's SYN (RFC 5321 section 5.1: after a failed attempt the sender
 * tries the next MX host; seed 004: an Exchange IMS that kept retrying the
 * host that accepted the handshake but never sent a banner).
 *
 * The client's MX and A lookups are real dns_tx transactions built through
 * dt_message from hand-filled struct dns_msg values (testkit.h; dnstrack.c
 * fills names/prefs for an MX answer from them); sessions are calloc'ed,
 * tied to those lookups with sess_tie_dns (REL_MX_OF_DOMAIN, REL_A_OF_MX)
 * as corr_client_side does, then handed to dl_session_start.  The TCP and
 * SMTP facts an attempt shows afterwards are set directly or fed through
 * sess_on_smtp.  ended() does what the diagnose layer does after the
 * report: dl_session_release records the attempt's final outcome and drops
 * the session's hold on its group; then the record is freed.  Run under ASan too (make asan): a group freed while a
 * session still points at it shows up as a use-after-free.
 *
 * Addresses: client 192.0.2.10, mx1.example.org 203.0.113.25,
 * mx2.example.org 203.0.113.26, resolver 198.51.100.53.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/delivery.h"
#include "diagnose/findings.h"
#include "testkit.h"

#define CLIENT "192.0.2.10"
#define CLIENT2 "192.0.2.11"
#define MX1 "mx1.example.org"
#define MX2 "mx2.example.org"
#define MX1_IP "203.0.113.25"
#define MX2_IP "203.0.113.26"
#define RESOLVER "198.51.100.53"
#define DOMAIN "example.org"
#define T0 1000.0
#define WINDOW 600.0

static enum mx_verdict verdict_of(const struct session *s)
{
	return s->mx_judged ? s->mx_judged->verdict : MXV_NONE;
}

/* The mx.failover / mx.no_failover finding's summary (which = 0) or first
 * evidence line (which = 1) as findings.c words the judgement; NULL
 * without one. */
static const char *mx_words(const struct session *s, int which)
{
	static char buf[1024];
	struct finding_list fl = {0};
	struct fnd_config c;
	const char *got = NULL;
	fnd_config_defaults(&c);
	findings_eval(s, &c, &fl);
	for (size_t i = 0; i < fl.n && !got; i++) {
		const struct finding *f = &fl.v[i];
		if (f->code != F_MX_FAILOVER && f->code != F_MX_NO_FAILOVER)
			continue;
		snprintf(buf, sizeof(buf), "%s",
			 which == 0 ? f->summary
				    : f->n_evidence ? f->evidence[0] : "");
		got = buf;
	}
	findings_clear(&fl);
	return got;
}

/* The session was reported: release it from its group, free it. */
static void ended(struct session *s)
{
	if (s)
		dl_session_release(s);
	sess_free(s);
}

/* ---- DNS transactions --------------------------------------------------- */

struct fx {
	struct dt_table *dt;
	struct dl_table *dl;
	struct mx_endpoint res;
	uint16_t next_id;
	unsigned next_sess;
};

static void fx_init(struct fx *f, size_t max_groups)
{
	memset(f, 0, sizeof *f);
	f->dt = tk_dt_new(WINDOW, 1000, NULL, NULL);
	f->dl = dl_new(max_groups, WINDOW);
	cr_assert_not_null(f->dl);
	f->res = tk_ep(RESOLVER, 53);
	f->next_id = 0x4000;
}

static void fx_fini(struct fx *f)
{
	dl_free(f->dl);
	dt_free(f->dt);
}

/* Query from client at t, response m (freed here) 20 ms later; returns the
 * transaction (the table holds it). */
static struct dns_tx *lookup(struct fx *f, const char *client,
			     struct dns_msg *m, double t)
{
	struct mx_endpoint asker =
		tk_ep(client, (uint16_t)(53000 + m->id % 1000));
	return tk_lookup(f->dt, &asker, &f->res, m, t, t + 0.02);
}

/* The client's MX lookup of DOMAIN listing n hosts (names[i], prefs[i]). */
static struct dns_tx *mx_lookup(struct fx *f, const char *client,
				const char *const *names,
				const unsigned *prefs, size_t n, double t)
{
	struct dns_msg *m = tk_msg(f->next_id++, true, DOMAIN, DNS_T_MX);
	struct dns_tx *tx;
	for (size_t i = 0; i < n; i++)
		tk_add_mx(m, prefs[i], names[i]);
	tx = lookup(f, client, m, t);
	cr_assert_eq(tx->n_names, n);
	return tx;
}

static const char *const two_names[] = {MX1, MX2};
static const unsigned two_prefs[] = {10, 20};

/* MX example.org: 10 mx1, 20 mx2 */
static struct dns_tx *mx_two(struct fx *f, const char *client, double t)
{
	return mx_lookup(f, client, two_names, two_prefs, 2, t);
}

/* The client's A lookup of host, answered ip. */
static struct dns_tx *a_lookup(struct fx *f, const char *client,
			       const char *host, const char *ip, double t)
{
	return lookup(f, client, tk_answer_addr(f->next_id++, host, ip), t);
}

/* fx_init(f, 100) and CLIENT's lookups before its first SYN at T0: *mx,
 * the MX of example.org (mx_two) at T0 - 1, and *a, the A of mx1 at
 * T0 - 0.5. */
static void fx_init_mx(struct fx *f, struct dns_tx **mx, struct dns_tx **a)
{
	fx_init(f, 100);
	*mx = mx_two(f, CLIENT, T0 - 1);
	*a = a_lookup(f, CLIENT, MX1, MX1_IP, T0 - 0.5);
}

/* ---- sessions ------------------------------------------------------------ */

/* A new attempt: the SYN from client to server_ip at start, its MX and A
 * lookups tied as corr_client_side would, then dl_session_start. */
static struct session *attempt(struct fx *f, const char *client,
			       const char *server_ip, double start,
			       struct dns_tx *mx, struct dns_tx *a)
{
	struct session *s = tk_session(client, (uint16_t)(40001 + f->next_sess),
				       server_ip, start);
	s->seq = ++f->next_sess;
	snprintf(s->id, sizeof s->id, "S%u", f->next_sess);
	if (mx)
		sess_tie_dns(s, mx, REL_MX_OF_DOMAIN);
	if (a)
		sess_tie_dns(s, a, REL_A_OF_MX);
	dl_session_start(f->dl, s);
	return s;
}

/* A session outside any group, SYN at T0. */
static struct session *bare(void)
{
	struct session *s = tk_session(CLIENT, 40001, MX1_IP, T0);
	snprintf(s->id, sizeof s->id, "S1");
	return s;
}

/* The handshake completes 10 / 20 ms after the SYN. */
static void handshake(struct session *s)
{
	tk_handshake(s, s->start + 0.01, s->start + 0.02);
}

/* The client FINs 20 s after its ACK, the server FINs back. */
static void close_fin_client_first(struct session *s)
{
	s->fin_client = true;
	s->fin_client_t = s->ack_t + 20;
	s->fin_server = true;
	s->fin_server_t = s->ack_t + 20.01;
	s->close = CLOSE_FIN;
	s->close_t = s->last = s->ack_t + 20.02;
}

/* Handshake, no greeting, the client gives up after 20 s (seed 004). */
static void no_banner(struct session *s)
{
	handshake(s);
	close_fin_client_first(s);
}

static void refused(struct session *s)
{
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = s->start + 0.005;
}

static void unanswered(struct session *s)
{
	s->syns = 4;
	s->syn_t = s->start + 7;
	s->close = CLOSE_TIMEOUT;
	s->close_t = s->last = s->start + 21;
}

/* The greeting 30 ms after the ACK. */
static void greeting(struct session *s, int code, const char *text)
{
	tk_greeting(s, s->ack_t + 0.03, code, text);
}

/* Handshake and a 220 greeting. */
static void greet(struct session *s)
{
	handshake(s);
	greeting(s, 220, "mx1.example.org ESMTP");
}

/* A command 10 ms after the last event, its reply 5 ms later (for the
 * end-of-data dot only the reply). */
static void exchange(struct session *s, enum smtp_cmd cmd, const char *verb,
		     const char *args, int code, const char *text)
{
	double t = s->last + 0.01;
	if (cmd != SMTP_CMD_DATA_END)
		tk_command(s, t, cmd, verb, args);
	tk_reply(s, t + 0.005, cmd, verb, t, code, text);
}

static void ehlo(struct session *s, int code, const char *text)
{
	exchange(s, SMTP_CMD_EHLO, "EHLO", "mail.sender.example", code, text);
}

static void mail(struct session *s, int code, const char *text)
{
	exchange(s, SMTP_CMD_MAIL, "MAIL", "FROM:<alice@sender.example>", code,
		 text);
}

/* DATA, the message, 250 to the dot. */
static void data(struct session *s)
{
	exchange(s, SMTP_CMD_DATA, "DATA", "", 354, "go ahead");
	exchange(s, SMTP_CMD_DATA_END, ".", "", 250, "2.0.0 Ok: queued");
}

static void quit(struct session *s, int code, const char *text)
{
	exchange(s, SMTP_CMD_QUIT, "QUIT", "", code, text);
}

/* The server closes first, the client answers: an orderly end. */
static void close_fin_server_first(struct session *s)
{
	s->fin_server = true;
	s->fin_server_t = s->last + 0.001;
	s->fin_client = true;
	s->fin_client_t = s->last + 0.002;
	s->close = CLOSE_FIN;
	s->close_t = s->last = s->last + 0.002;
}

/* Greeting, EHLO, MAIL; the reply to RCPT is rcpt_code. */
static void up_to_rcpt(struct session *s, int rcpt_code)
{
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 250, "2.1.0 Ok");
	exchange(s, SMTP_CMD_RCPT, "RCPT", "TO:<bob@example.org>", rcpt_code,
		 rcpt_code >= 400 ? "5.1.1 <bob@example.org>: user unknown"
				  : "2.1.5 Ok");
}

/* A whole delivery: 250 to the end-of-data dot, QUIT, close. */
static void delivered(struct session *s)
{
	up_to_rcpt(s, 250);
	data(s);
	quit(s, 221, "2.0.0 Bye");
	close_fin_server_first(s);
}

/* The only RCPT refused with 550, then QUIT and an orderly close. */
static void rcpt_refused_then_quit(struct session *s)
{
	up_to_rcpt(s, 550);
	quit(s, 221, "Bye");
	close_fin_server_first(s);
}

/* ---- grouping and the verdict ------------------------------------------- */

Test(delivery, first_attempt_has_no_verdict)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s;

	fx_init_mx(&f, &mx, &a);
	s = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	cr_assert_eq(verdict_of(s), MXV_NONE);
	cr_assert_not_null(s->group, "the MX lookup puts it in a group");
	cr_assert_eq(s->attempt, 1);
	cr_assert_str_eq(s->mx_host, MX1);
	cr_assert_eq(s->mx_pref, 10);
	cr_assert_null(mx_words(s, 0));
	cr_assert_str_eq(s->group->domain, DOMAIN);
	cr_assert_str_eq(s->group->id, "G1");
	cr_assert_eq(s->group->n_att, 1);
	cr_assert_eq(s->group->total, 1);
	cr_assert_eq(s->group->mx, mx);
	cr_assert_eq(s->group->att[0].live, s);
	cr_assert_eq(s->group->att[0].outcome, DL_IN_PROGRESS);
	cr_assert_eq(s->group->refs, 2, "the table's and the session's");
	ended(s);
	fx_fini(&f);
}

Test(delivery, no_group_without_the_mx_lookup)
{
	struct fx f;
	struct session *s;

	fx_init(&f, 100);
	s = attempt(&f, CLIENT, MX1_IP, T0, NULL,
		    a_lookup(&f, CLIENT, MX1, MX1_IP, T0 - 0.5));
	cr_assert_null(s->group);
	cr_assert_eq(s->attempt, 0);
	cr_assert_eq(s->mx_pref, -1);
	cr_assert_eq(verdict_of(s), MXV_NONE);
	ended(s);
	fx_fini(&f);
}

/* Seed 004: mx1 accepts the handshake, never greets; the sender comes
 * back to mx1 although mx2 is listed. */
Test(delivery, same_host_after_no_banner_is_no_failover)
{
	struct fx f;
	struct dns_tx *mx, *a1;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a1);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a1);
	no_banner(s1);
	/* 5 s after the FIN, A mx1 again (the MX answer is cached) */
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 25.1, mx,
		     a_lookup(&f, CLIENT, MX1, MX1_IP, T0 + 25));
	cr_assert_eq(verdict_of(s2), MXV_NO_FAILOVER);
	cr_assert_eq(s2->group, s1->group);
	cr_assert_eq(s2->attempt, 2);
	cr_assert_str_eq(s2->mx_host, MX1);
	tk_assert_has(mx_words(s2, 0), MX2);
	tk_assert_has(mx_words(s2, 0), "(MX 20)");
	tk_assert_has(mx_words(s2, 0), "never sent a banner");
	tk_assert_has(mx_words(s2, 0), CLIENT);
	tk_assert_has(mx_words(s2, 1), "attempt 1 (S1)");
	tk_assert_has(mx_words(s2, 1), "attempt 2 (S2)");
	cr_assert_eq(verdict_of(s1), MXV_NONE, "the first attempt keeps none");
	ended(s1);
	cr_assert_eq(s2->group->att[0].outcome, DL_NO_BANNER);
	cr_assert_null(s2->group->att[0].live);
	ended(s2);
	fx_fini(&f);
}

/* The same, but the first attempt was already reported (freed) when the
 * second started: its recorded outcome decides. */
Test(delivery, same_host_after_a_reported_no_banner_attempt)
{
	struct fx f;
	struct dns_tx *mx, *a1;
	struct session *s1, *s2, *s3;

	fx_init_mx(&f, &mx, &a1);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a1);
	no_banner(s1);
	ended(s1);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 300, mx, a1);
	cr_assert_eq(verdict_of(s2), MXV_NO_FAILOVER);
	cr_assert_eq(s2->attempt, 2);
	no_banner(s2);
	s3 = attempt(&f, CLIENT, MX1_IP, T0 + 330, mx, a1);
	cr_assert_eq(verdict_of(s3), MXV_NO_FAILOVER, "the third one too");
	cr_assert_eq(s3->attempt, 3);
	tk_assert_has(mx_words(s3, 1), "attempt 2 (S2)");
	ended(s2);
	ended(s3);
	fx_fini(&f);
}

Test(delivery, other_host_after_no_banner_is_failover)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	no_banner(s1);
	s2 = attempt(&f, CLIENT, MX2_IP, T0 + 20.1, mx,
		     a_lookup(&f, CLIENT, MX2, MX2_IP, T0 + 20.05));
	cr_assert_eq(verdict_of(s2), MXV_FAILOVER);
	cr_assert_eq(s2->group, s1->group);
	cr_assert_str_eq(s2->mx_host, MX2);
	cr_assert_eq(s2->mx_pref, 20);
	tk_assert_has(mx_words(s2, 0), MX1 " (MX 10)");
	tk_assert_has(mx_words(s2, 0), MX2 " (MX 20)");
	cr_assert_eq(s2->group->att[1].pref, 20);
	cr_assert_str_eq(s2->group->att[1].host, MX2);
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

Test(delivery, same_host_after_a_delivery_is_the_next_message)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	delivered(s1);
	cr_assert_eq(dl_outcome_of(s1), DL_DELIVERED);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 60, mx, a);
	cr_assert_eq(verdict_of(s2), MXV_NONE);
	cr_assert_eq(s2->group, s1->group, "still one group");
	cr_assert_eq(s2->attempt, 2);
	cr_assert_null(mx_words(s2, 0));
	ended(s1);
	/* and after it was reported */
	delivered(s2);
	ended(s2);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 120, mx, a);
	cr_assert_eq(verdict_of(s2), MXV_NONE);
	cr_assert_eq(s2->attempt, 3);
	ended(s2);
	fx_fini(&f);
}

Test(delivery, parallel_attempt_while_the_first_is_in_progress)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	greet(s1);
	cr_assert_eq(dl_outcome_of(s1), DL_IN_PROGRESS);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 1, mx, a);
	cr_assert_eq(verdict_of(s2), MXV_NONE, "a second connection, not a retry");
	/* the handshake done but no banner yet: still in progress too */
	ended(s2);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 2, mx, a);
	handshake(s2);
	cr_assert_eq(dl_outcome_of(s2), DL_IN_PROGRESS);
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

Test(delivery, refused_then_the_other_host_is_failover)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	refused(s1);
	s2 = attempt(&f, CLIENT, MX2_IP, T0 + 0.1, mx,
		     a_lookup(&f, CLIENT, MX2, MX2_IP, T0 + 0.05));
	cr_assert_eq(verdict_of(s2), MXV_FAILOVER);
	tk_assert_has(mx_words(s2, 0), "refused the connection");
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

Test(delivery, unanswered_then_the_other_host_is_failover)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	unanswered(s1);
	s2 = attempt(&f, CLIENT, MX2_IP, T0 + 15, mx,
		     a_lookup(&f, CLIENT, MX2, MX2_IP, T0 + 14.9));
	cr_assert_eq(verdict_of(s2), MXV_FAILOVER);
	tk_assert_has(mx_words(s2, 0), "did not answer the SYN");
	/* mx2 does not answer either: back to mx1 is moving on again */
	unanswered(s2);
	ended(s2);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 40, mx,
		     a_lookup(&f, CLIENT, MX1, MX1_IP, T0 + 39.9));
	cr_assert_eq(verdict_of(s2), MXV_FAILOVER);
	cr_assert_eq(s2->attempt, 3);
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

Test(delivery, unanswered_then_the_same_host_is_no_failover)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	unanswered(s1);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 60, mx, a);
	cr_assert_eq(verdict_of(s2), MXV_NO_FAILOVER);
	tk_assert_has(mx_words(s2, 0), "did not answer the SYN");
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

Test(delivery, one_mx_host_retried_is_all_there_is)
{
	static const char *const one_name[] = {MX1};
	static const unsigned one_pref[] = {10};
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init(&f, 100);
	mx = mx_lookup(&f, CLIENT, one_name, one_pref, 1, T0 - 1);
	a = a_lookup(&f, CLIENT, MX1, MX1_IP, T0 - 0.5);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	no_banner(s1);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 25, mx, a);
	cr_assert_eq(verdict_of(s2), MXV_NONE);
	cr_assert_eq(s2->group, s1->group);
	cr_assert_eq(s2->attempt, 2);
	cr_assert_null(mx_words(s2, 0));
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

Test(delivery, different_clients_never_share_a_group)
{
	struct fx f;
	struct dns_tx *mx_a, *mx_b;
	struct session *s1, *s2, *s3;

	fx_init(&f, 100);
	mx_a = mx_two(&f, CLIENT, T0 - 1);
	mx_b = mx_two(&f, CLIENT2, T0 - 1);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx_a,
		     a_lookup(&f, CLIENT, MX1, MX1_IP, T0 - 0.5));
	no_banner(s1);
	/* another sender to the same host: its own first attempt */
	s2 = attempt(&f, CLIENT2, MX1_IP, T0 + 25, mx_b,
		     a_lookup(&f, CLIENT2, MX1, MX1_IP, T0 + 24.9));
	cr_assert_eq(verdict_of(s2), MXV_NONE);
	cr_assert_neq(s2->group, s1->group);
	cr_assert_eq(s2->attempt, 1);
	cr_assert_str_eq(s2->group->id, "G2");
	no_banner(s2);
	/* each sender's retry is judged within its own group */
	s3 = attempt(&f, CLIENT2, MX2_IP, T0 + 50, mx_b,
		     a_lookup(&f, CLIENT2, MX2, MX2_IP, T0 + 49.9));
	cr_assert_eq(verdict_of(s3), MXV_FAILOVER);
	cr_assert_eq(s3->group, s2->group);
	cr_assert_eq(s3->attempt, 2);
	cr_assert_eq(s1->group->n_att, 1);
	ended(s1);
	ended(s2);
	ended(s3);
	fx_fini(&f);
}

Test(delivery, a_new_mx_lookup_joins_the_same_group)
{
	struct fx f;
	struct dns_tx *mx1, *mx2, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx1, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx1, a);
	no_banner(s1);
	mx2 = mx_two(&f, CLIENT, T0 + 24);
	cr_assert_neq(mx1, mx2);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 25, mx2,
		     a_lookup(&f, CLIENT, MX1, MX1_IP, T0 + 24.5));
	cr_assert_eq(s2->group, s1->group, "same client, same domain");
	cr_assert_eq(s2->group->mx, mx2, "the latest answer is kept");
	cr_assert_eq(verdict_of(s2), MXV_NO_FAILOVER);
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

/* More attempts than the group keeps: the oldest are dropped, live
 * sessions among them let go of the group, numbering stays right. */
Test(delivery, attempts_beyond_the_cap_keep_the_latest)
{
	enum { N = DL_MAX_ATTEMPTS + 8 };
	struct fx f;
	struct dns_tx *mx, *a[2];
	struct session *s[N];
	struct mx_group *g;
	char want[32];

	fx_init_mx(&f, &mx, &a[0]);
	a[1] = a_lookup(&f, CLIENT, MX2, MX2_IP, T0 - 0.4);
	for (int i = 0; i < N; i++) {
		s[i] = attempt(&f, CLIENT, i % 2 ? MX2_IP : MX1_IP,
			       T0 + 30.0 * i, mx, a[i % 2]);
		cr_assert_eq(verdict_of(s[i]), i ? MXV_FAILOVER : MXV_NONE,
			     "attempt %d", i + 1);
		no_banner(s[i]);
	}
	g = s[N - 1]->group;
	cr_assert_not_null(g);
	cr_assert_eq(g->n_att, DL_MAX_ATTEMPTS);
	cr_assert_eq(g->total, N);
	snprintf(want, sizeof want, "attempt %d (S%d)", N - 1, N - 1);
	tk_assert_has(mx_words(s[N - 1], 1), want);
	for (int i = 0; i < N; i++) {
		if (i < N - DL_MAX_ATTEMPTS) {
			cr_assert_null(s[i]->group, "S%d was dropped", i + 1);
			continue;
		}
		cr_assert_eq(s[i]->group, g);
		cr_assert_eq(s[i]->attempt,
			     (size_t)(i - (N - DL_MAX_ATTEMPTS) + 1));
		cr_assert_eq(g->att[s[i]->attempt - 1].live, s[i]);
		cr_assert_str_eq(g->att[s[i]->attempt - 1].session, s[i]->id);
	}
	cr_assert_eq(g->refs, 1 + DL_MAX_ATTEMPTS, "table + live sessions");
	/* report some, out of order: outcomes land in the right slots */
	ended(s[N - 1]);
	ended(s[N - DL_MAX_ATTEMPTS]);
	ended(s[0]); /* already let go: must not touch the group */
	cr_assert_null(g->att[DL_MAX_ATTEMPTS - 1].live);
	cr_assert_eq(g->att[DL_MAX_ATTEMPTS - 1].outcome, DL_NO_BANNER);
	cr_assert_null(g->att[0].live);
	cr_assert_eq(g->att[0].outcome, DL_NO_BANNER);
	cr_assert_eq(g->att[1].live, s[N - DL_MAX_ATTEMPTS + 1]);
	cr_assert_eq(g->refs, 1 + DL_MAX_ATTEMPTS - 2);
	/* one more after reports: the slots shift under live sessions */
	s[0] = attempt(&f, CLIENT, MX1_IP, T0 + 30.0 * N, mx, a[0]);
	cr_assert_eq(verdict_of(s[0]), MXV_FAILOVER,
		     "the last attempt (mx2, reported) never greeted");
	cr_assert_eq(g->n_att, DL_MAX_ATTEMPTS);
	cr_assert_eq(g->total, N + 1);
	cr_assert_eq(s[0]->attempt, DL_MAX_ATTEMPTS);
	cr_assert_eq(s[N - DL_MAX_ATTEMPTS + 1]->attempt, 1);
	cr_assert_eq(g->att[0].live, s[N - DL_MAX_ATTEMPTS + 1]);
	for (int i = 1; i < N - 1; i++)
		if (i != N - DL_MAX_ATTEMPTS)
			ended(s[i]);
	ended(s[0]);
	fx_fini(&f);
}

/* Many attempts, each reported before the next: nothing live is held. */
Test(delivery, attempts_beyond_the_cap_all_reported)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s;
	struct mx_group *g = NULL;

	fx_init_mx(&f, &mx, &a);
	for (int i = 0; i < 3 * DL_MAX_ATTEMPTS; i++) {
		s = attempt(&f, CLIENT, MX1_IP, T0 + 30.0 * i, mx, a);
		cr_assert_eq(verdict_of(s), i ? MXV_NO_FAILOVER : MXV_NONE);
		cr_assert_eq(s->attempt, i < DL_MAX_ATTEMPTS
						 ? (size_t)i + 1
						 : (size_t)DL_MAX_ATTEMPTS);
		g = s->group;
		no_banner(s);
		ended(s);
	}
	cr_assert_eq(g->n_att, DL_MAX_ATTEMPTS);
	cr_assert_eq(g->total, 3 * DL_MAX_ATTEMPTS);
	for (size_t i = 0; i < g->n_att; i++) {
		cr_assert_null(g->att[i].live);
		cr_assert_eq(g->att[i].outcome, DL_NO_BANNER);
	}
	cr_assert_eq(g->refs, 1);
	fx_fini(&f);
}

/* ---- outcomes ------------------------------------------------------------- */

static void expect_outcome(struct session *s, enum dl_outcome want,
			   const char *name)
{
	enum dl_outcome got = dl_outcome_of(s);
	cr_expect_eq(got, want, "outcome %s, want %s", dl_outcome_name(got),
		     dl_outcome_name(want));
	cr_expect_str_eq(dl_outcome_name(want), name);
	ended(s);
}

Test(delivery, outcome_of_tcp_failures)
{
	struct session *s = bare();
	unanswered(s);
	expect_outcome(s, DL_NO_ANSWER, "no_answer");
	s = bare();
	refused(s);
	expect_outcome(s, DL_REFUSED, "refused");
}

Test(delivery, outcome_of_no_banner)
{
	struct session *s = bare();
	handshake(s);
	expect_outcome(s, DL_IN_PROGRESS, "in_progress"); /* still waiting */
	s = bare();
	no_banner(s);
	expect_outcome(s, DL_NO_BANNER, "no_banner");
	/* the client's FIN alone already decides (the session is closing) */
	s = bare();
	handshake(s);
	s->fin_client = true;
	s->fin_client_t = s->ack_t + 20;
	expect_outcome(s, DL_NO_BANNER, "no_banner");
	/* the server resets after the handshake */
	s = bare();
	handshake(s);
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = s->ack_t + 1;
	expect_outcome(s, DL_NO_BANNER, "no_banner");
}

Test(delivery, outcome_of_a_rejecting_greeting)
{
	struct session *s = bare();
	handshake(s);
	greeting(s, 554, "5.7.1 mx1.example.org: no SMTP service here");
	close_fin_server_first(s);
	expect_outcome(s, DL_REJECTED, "rejected_at_banner");
	s = bare();
	handshake(s);
	greeting(s, 421, "4.3.2 Service not available");
	expect_outcome(s, DL_REJECTED, "rejected_at_banner");
}

Test(delivery, outcome_of_a_4xx_to_mail)
{
	struct session *s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 451, "4.3.0 Temporary lookup failure");
	quit(s, 221, "Bye");
	close_fin_server_first(s);
	expect_outcome(s, DL_TEMP_FAIL, "temporary_failure");
}

Test(delivery, outcome_of_a_5xx_to_mail)
{
	struct session *s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 553, "5.7.1 Sender rejected");
	close_fin_server_first(s);
	expect_outcome(s, DL_PERM_FAIL, "permanent_failure");
}

Test(delivery, outcome_of_a_delivery)
{
	struct session *s = bare();
	delivered(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
	/* decided at the 250 to the dot, before the session ends */
	s = bare();
	up_to_rcpt(s, 250);
	data(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
	/* a 5xx to an earlier command (EHLO) that the client got past */
	s = bare();
	greet(s);
	ehlo(s, 500, "5.5.1 Command unrecognized");
	exchange(s, SMTP_CMD_HELO, "HELO", "mail.sender.example", 250, "ok");
	mail(s, 250, "ok");
	exchange(s, SMTP_CMD_RCPT, "RCPT", "TO:<bob@example.org>", 250, "ok");
	data(s);
	close_fin_server_first(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
}

Test(delivery, outcome_of_a_550_to_rcpt_is_not_a_host_failure)
{
	struct session *s = bare();
	enum dl_outcome o;
	rcpt_refused_then_quit(s);
	o = dl_outcome_of(s);
	cr_assert_neq(o, DL_PERM_FAIL, "a 5xx to RCPT is that recipient's");
	cr_assert_neq(o, DL_TEMP_FAIL);
	cr_assert_neq(o, DL_DELIVERED);
	ended(s);

	/* one recipient refused, another accepted and delivered */
	s = bare();
	up_to_rcpt(s, 550);
	exchange(s, SMTP_CMD_RCPT, "RCPT", "TO:<carol@example.org>", 250, "ok");
	data(s);
	close_fin_server_first(s);
	expect_outcome(s, DL_DELIVERED, "delivered");
}

Test(delivery, outcome_of_a_session_cut_short)
{
	struct session *s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	expect_outcome(s, DL_IN_PROGRESS, "in_progress");

	s = bare();
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 250, "ok");
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = s->last + 1;
	expect_outcome(s, DL_CUT_SHORT, "cut_short");

	/* a 4xx to QUIT does not make a failure of the session: the client
	 * ended it without delivering */
	s = bare();
	greet(s);
	quit(s, 421, "closing");
	close_fin_server_first(s);
	expect_outcome(s, DL_QUIT, "quit_without_delivery");
}

Test(delivery, outcome_and_verdict_names)
{
	cr_assert_str_eq(dl_outcome_name(DL_IN_PROGRESS), "in_progress");
	cr_assert_str_eq(dl_outcome_name(DL_CUT_SHORT), "cut_short");
	cr_assert_str_eq(mx_verdict_name(MXV_NONE), "none");
	cr_assert_str_eq(mx_verdict_name(MXV_FAILOVER), "failover");
	cr_assert_str_eq(mx_verdict_name(MXV_NO_FAILOVER), "no_failover");
}

/* After a 4xx to MAIL, moving on is a failover; after a 5xx to MAIL (a
 * permanent answer) coming back is not judged. */
Test(delivery, temporary_failure_then_failover_permanent_failure_no_verdict)
{
	struct fx f;
	struct dns_tx *mx, *a1;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a1);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a1);
	greet(s1);
	mail(s1, 451, "4.3.0 try again later");
	close_fin_server_first(s1);
	s2 = attempt(&f, CLIENT, MX2_IP, T0 + 10, mx,
		     a_lookup(&f, CLIENT, MX2, MX2_IP, T0 + 9.9));
	cr_assert_eq(verdict_of(s2), MXV_FAILOVER);
	tk_assert_has(mx_words(s2, 0), "4xx");
	ended(s1);
	ended(s2);

	s1 = attempt(&f, CLIENT, MX1_IP, T0 + 100, mx, a1);
	greet(s1);
	mail(s1, 553, "5.7.1 rejected");
	close_fin_server_first(s1);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + 110, mx, a1);
	cr_assert_eq(verdict_of(s2), MXV_NONE);
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

/* ---- the table: expiry and the cap ---------------------------------------- */

Test(delivery, expire_drops_groups_but_sessions_keep_theirs)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2, *s3;
	struct mx_group *g1;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	no_banner(s1);
	g1 = s1->group;
	dl_expire(f.dl, T0 + WINDOW - 1);
	s2 = attempt(&f, CLIENT, MX1_IP, T0 + WINDOW - 0.5, mx, a);
	cr_assert_eq(s2->group, g1, "still in the window");
	cr_assert_eq(verdict_of(s2), MXV_NO_FAILOVER);
	no_banner(s2);
	ended(s2);
	cr_assert_eq(g1->refs, 2, "the table's and s1's");

	/* the window passes after the group's last attempt */
	dl_expire(f.dl, T0 + 2 * WINDOW);
	cr_assert_eq(g1->refs, 1, "only s1 holds it now");
	cr_assert_str_eq(g1->domain, DOMAIN);
	cr_assert_eq(g1->n_att, 2);
	cr_assert_eq(g1->att[0].live, s1);
	s3 = attempt(&f, CLIENT, MX1_IP, T0 + 2 * WINDOW + 1, mx, a);
	cr_assert_neq(s3->group, g1, "a new group after expiry");
	cr_assert_eq(s3->attempt, 1);
	cr_assert_eq(verdict_of(s3), MXV_NONE);
	cr_assert_str_eq(s3->group->id, "G2");
	/* s1 is reported after its group left the table */
	ended(s1);
	ended(s3);
	fx_fini(&f);
}

Test(delivery, table_cap_drops_the_oldest_group)
{
	struct fx f;
	struct dns_tx *mx_a, *mx_b;
	struct session *s1, *s2, *s3;
	struct mx_group *g1;

	fx_init(&f, 1);
	mx_a = mx_two(&f, CLIENT, T0 - 1);
	mx_b = mx_two(&f, CLIENT2, T0 - 1);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx_a,
		     a_lookup(&f, CLIENT, MX1, MX1_IP, T0 - 0.5));
	no_banner(s1);
	g1 = s1->group;
	s2 = attempt(&f, CLIENT2, MX1_IP, T0 + 1, mx_b,
		     a_lookup(&f, CLIENT2, MX1, MX1_IP, T0 + 0.5));
	cr_assert_neq(s2->group, g1);
	cr_assert_eq(g1->refs, 1, "dropped from the table, s1 still holds it");
	s3 = attempt(&f, CLIENT, MX1_IP, T0 + 30, mx_a,
		     a_lookup(&f, CLIENT, MX1, MX1_IP, T0 + 29.5));
	cr_assert_neq(s3->group, g1);
	cr_assert_eq(verdict_of(s3), MXV_NONE, "the history was dropped");
	ended(s1);
	ended(s2);
	ended(s3);
	fx_fini(&f);
}

/* ---- regressions: two verdicts that were once wrong ---------------------
 *   - a session refusing its only RCPT and ended by QUIT counted as cut
 *     short, a host failure: the next message got mx.no_failover;
 *   - an attempt whose SYN had left a millisecond before a parallel second
 *     connection counted as unanswered: that connection got mx.no_failover.
 */

/* A first attempt to mx1 at T0, shaped by first (NULL: just the SYN),
 * then a second to mx1 at t2: the second must get no verdict. */
static void second_attempt_has_no_verdict(void (*first)(struct session *),
					  double t2)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct session *s1, *s2;

	fx_init_mx(&f, &mx, &a);
	s1 = attempt(&f, CLIENT, MX1_IP, T0, mx, a);
	if (first)
		first(s1);
	s2 = attempt(&f, CLIENT, MX1_IP, t2, mx, a);
	cr_expect_eq(verdict_of(s2), MXV_NONE, "verdict %s after outcome %s: %s",
		     mx_verdict_name(verdict_of(s2)),
		     dl_outcome_name(dl_outcome_of(s1)), mx_words(s2, 0));
	ended(s1);
	ended(s2);
	fx_fini(&f);
}

/* A 550 to the only RCPT is the recipient's problem: the host worked.  The
 * sender's next message to the same host is not a missed failover. */
Test(delivery, same_host_after_a_rcpt_rejection_is_the_next_message)
{
	second_attempt_has_no_verdict(rcpt_refused_then_quit, T0 + 60);
}

/* Two connections opened in parallel to the same host (a sender with
 * several messages for the domain): the second SYN comes before the
 * SYN-ACK of the first, which is not an unanswered SYN yet. */
Test(delivery, parallel_syns_to_the_same_host_are_not_a_retry)
{
	second_attempt_has_no_verdict(NULL, T0 + 0.002);
}
