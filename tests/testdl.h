/* testdl.h - the fixture of the MX delivery group tests
 * (test_delivery.c, test_delivery_outcome.c).
 *
 * The client's MX and A lookups are real dns_tx transactions built through
 * dt_message from hand-filled struct dns_msg values (testkit.h; dnstrack.c
 * fills names/prefs for an MX answer from them); sessions are calloc'ed,
 * tied to those lookups with sess_tie_dns (REL_MX_OF_DOMAIN, REL_A_OF_MX)
 * as corr_client_side does, then handed to dl_session_start.  The TCP and
 * SMTP facts an attempt shows afterwards are set directly or fed through
 * sess_on_smtp.  ended() does what the diagnose layer does after the
 * report: dl_session_release records the attempt's final outcome and drops
 * the session's hold on its group; then the record is freed.
 *
 * Addresses: client 192.0.2.10, mx1.example.org 203.0.113.25,
 * mx2.example.org 203.0.113.26, resolver 198.51.100.53.
 *
 * Everything is static inline: the Makefile builds only tests/test_*.c, and
 * an unused static inline function draws no warning.
 */
#ifndef MXRAY_TESTDL_H
#define MXRAY_TESTDL_H

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

static inline enum mx_verdict verdict_of(const struct session *s)
{
	return s->mx_judged ? s->mx_judged->verdict : MXV_NONE;
}

/* The mx.failover / mx.no_failover finding's summary (which = 0) or first
 * evidence line (which = 1) as findings.c words the judgement; NULL
 * without one. */
static inline const char *mx_words(const struct session *s, int which)
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
static inline void ended(struct session *s)
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

static inline void fx_init(struct fx *f, size_t max_groups)
{
	memset(f, 0, sizeof *f);
	f->dt = tk_dt_new(WINDOW, 1000, NULL, NULL);
	f->dl = dl_new(max_groups, WINDOW);
	cr_assert_not_null(f->dl);
	f->res = tk_ep(RESOLVER, 53);
	f->next_id = 0x4000;
}

static inline void fx_fini(struct fx *f)
{
	dl_free(f->dl);
	dt_free(f->dt);
}

/* Query from client at t, response m (freed here) 20 ms later; returns the
 * transaction (the table holds it). */
static inline struct dns_tx *lookup(struct fx *f, const char *client,
				    struct dns_msg *m, double t)
{
	struct mx_endpoint asker =
		tk_ep(client, (uint16_t)(53000 + m->id % 1000));
	return tk_lookup(f->dt, &asker, &f->res, m, t, t + 0.02);
}

/* The client's MX lookup of DOMAIN listing n hosts (names[i], prefs[i]). */
static inline struct dns_tx *mx_lookup(struct fx *f, const char *client,
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
static inline struct dns_tx *mx_two(struct fx *f, const char *client, double t)
{
	return mx_lookup(f, client, two_names, two_prefs, 2, t);
}

/* The client's A lookup of host, answered ip. */
static inline struct dns_tx *a_lookup(struct fx *f, const char *client,
				      const char *host, const char *ip, double t)
{
	return lookup(f, client, tk_answer_addr(f->next_id++, host, ip), t);
}

/* fx_init(f, 100) and CLIENT's lookups before its first SYN at T0: *mx,
 * the MX of example.org (mx_two) at T0 - 1, and *a, the A of mx1 at
 * T0 - 0.5. */
static inline void fx_init_mx(struct fx *f, struct dns_tx **mx,
			      struct dns_tx **a)
{
	fx_init(f, 100);
	*mx = mx_two(f, CLIENT, T0 - 1);
	*a = a_lookup(f, CLIENT, MX1, MX1_IP, T0 - 0.5);
}

/* ---- sessions ------------------------------------------------------------ */

/* A new attempt: the SYN from client to server_ip at start, its MX and A
 * lookups tied as corr_client_side would, then dl_session_start. */
static inline struct session *attempt(struct fx *f, const char *client,
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
static inline struct session *bare(void)
{
	struct session *s = tk_session(CLIENT, 40001, MX1_IP, T0);
	snprintf(s->id, sizeof s->id, "S1");
	return s;
}

/* The handshake completes 10 / 20 ms after the SYN. */
static inline void handshake(struct session *s)
{
	tk_handshake(s, s->start + 0.01, s->start + 0.02);
}

/* The client FINs 20 s after its ACK, the server FINs back. */
static inline void close_fin_client_first(struct session *s)
{
	s->fin_client = true;
	s->fin_client_t = s->ack_t + 20;
	s->fin_server = true;
	s->fin_server_t = s->ack_t + 20.01;
	s->close = CLOSE_FIN;
	s->close_t = s->last = s->ack_t + 20.02;
}

/* Handshake, no greeting, the client gives up after 20 s (seed 004). */
static inline void no_banner(struct session *s)
{
	handshake(s);
	close_fin_client_first(s);
}

static inline void refused(struct session *s)
{
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = s->start + 0.005;
}

static inline void unanswered(struct session *s)
{
	s->syns = 4;
	s->syn_t = s->start + 7;
	s->close = CLOSE_TIMEOUT;
	s->close_t = s->last = s->start + 21;
}

/* The greeting 30 ms after the ACK. */
static inline void greeting(struct session *s, int code, const char *text)
{
	tk_greeting(s, s->ack_t + 0.03, code, text);
}

/* Handshake and a 220 greeting. */
static inline void greet(struct session *s)
{
	handshake(s);
	greeting(s, 220, "mx1.example.org ESMTP");
}

/* A command 10 ms after the last event, its reply 5 ms later (for the
 * end-of-data dot only the reply). */
static inline void exchange(struct session *s, enum smtp_cmd cmd,
			    const char *verb, const char *args, int code,
			    const char *text)
{
	double t = s->last + 0.01;
	if (cmd != SMTP_CMD_DATA_END)
		tk_command(s, t, cmd, verb, args);
	tk_reply(s, t + 0.005, cmd, verb, t, code, text);
}

static inline void ehlo(struct session *s, int code, const char *text)
{
	exchange(s, SMTP_CMD_EHLO, "EHLO", "mail.sender.example", code, text);
}

static inline void mail(struct session *s, int code, const char *text)
{
	exchange(s, SMTP_CMD_MAIL, "MAIL", "FROM:<alice@sender.example>", code,
		 text);
}

/* DATA, the message, 250 to the dot. */
static inline void data(struct session *s)
{
	exchange(s, SMTP_CMD_DATA, "DATA", "", 354, "go ahead");
	exchange(s, SMTP_CMD_DATA_END, ".", "", 250, "2.0.0 Ok: queued");
}

static inline void quit(struct session *s, int code, const char *text)
{
	exchange(s, SMTP_CMD_QUIT, "QUIT", "", code, text);
}

/* The server closes first, the client answers: an orderly end. */
static inline void close_fin_server_first(struct session *s)
{
	s->fin_server = true;
	s->fin_server_t = s->last + 0.001;
	s->fin_client = true;
	s->fin_client_t = s->last + 0.002;
	s->close = CLOSE_FIN;
	s->close_t = s->last = s->last + 0.002;
}

/* Greeting, EHLO, MAIL; the reply to RCPT is rcpt_code. */
static inline void up_to_rcpt(struct session *s, int rcpt_code)
{
	greet(s);
	ehlo(s, 250, "ok");
	mail(s, 250, "2.1.0 Ok");
	exchange(s, SMTP_CMD_RCPT, "RCPT", "TO:<bob@example.org>", rcpt_code,
		 rcpt_code >= 400 ? "5.1.1 <bob@example.org>: user unknown"
				  : "2.1.5 Ok");
}

/* A whole delivery: 250 to the end-of-data dot, QUIT, close. */
static inline void delivered(struct session *s)
{
	up_to_rcpt(s, 250);
	data(s);
	quit(s, 221, "2.0.0 Bye");
	close_fin_server_first(s);
}

/* The only RCPT refused with 550, then QUIT and an orderly close. */
static inline void rcpt_refused_then_quit(struct session *s)
{
	up_to_rcpt(s, 550);
	quit(s, 221, "Bye");
	close_fin_server_first(s);
}

#endif
