/* testfnd.h - the sessions of the diagnosis rule tests (test_findings.c,
 * test_findings_reply.c) and the assertions on their findings.
 *
 * Sessions are built by hand: a calloc'ed struct session with the TCP
 * facts set directly, SMTP events fed through sess_on_smtp as the
 * dissector would emit them (testkit.h), and DNS transactions calloc'ed
 * and tied with sess_tie_dns (the session then owns the only reference).
 * Config: --slow-banner 2, --slow-dns 1, --stall 30, --slow-reply 2; the
 * SYN is at T0.
 *
 * Everything is static inline: the Makefile builds only tests/test_*.c, and
 * an unused static inline function draws no warning.
 */
#ifndef MXRAY_TESTFND_H
#define MXRAY_TESTFND_H

#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/findings.h"
#include "testkit.h"

#define T0 1000.0
#define ACK_T (T0 + 0.1)
#define PTR_NAME "10.2.0.192.in-addr.arpa"

static const struct fnd_config cfg = {
	.slow_banner = 2, .slow_dns = 1, .stall = 30, .slow_reply = 2};

/* ---- sessions ------------------------------------------------------------- */

/* A SYN at T0 and nothing else yet. */
static inline struct session *sess_syn(void)
{
	return tk_session("192.0.2.10", 40123, "203.0.113.25", T0);
}

/* SYN, SYN-ACK at T0 + 0.05, ACK at T0 + 0.1. */
static inline struct session *sess_hs(void)
{
	struct session *s = sess_syn();
	tk_handshake(s, T0 + 0.05, ACK_T);
	return s;
}

/* A command and its reply latency seconds later. */
static inline void exchange(struct session *s, double t, enum smtp_cmd cmd,
			    const char *verb, double latency, int code)
{
	tk_command(s, t, cmd, verb,
		   cmd == SMTP_CMD_RCPT   ? "TO:<b@example.org>"
		   : cmd == SMTP_CMD_MAIL ? "FROM:<a@example.net>"
					  : "client.example");
	tk_reply(s, t + latency, cmd, verb, t, code,
		 code >= 400 ? "5.1.1 <b@example.org>: user unknown" : "OK");
}

/* The server closes at t, the client right after: an orderly end. */
static inline void close_fin(struct session *s, double t)
{
	s->fin_server = true;
	s->fin_server_t = t;
	s->fin_client = true;
	s->fin_client_t = t + 0.001;
	s->close = CLOSE_FIN;
	s->close_t = s->last = t + 0.001;
}

/* A DNS transaction tied to s; tr < 0: never answered. */
static inline struct dns_tx *tie(struct session *s, enum dns_relation rel,
				 const char *qname, uint16_t qtype, double tq,
				 double tr, uint16_t rcode)
{
	struct pool *pool = pool_new();
	struct dns_tx *tx = dns_tx_new(pool, qname);
	cr_assert_not_null(tx);
	pool_close(pool); /* it goes with the transaction */
	tx->asker = rel == REL_MX_OF_DOMAIN || rel == REL_A_OF_MX
			    ? tk_ep("192.0.2.10", 33333)
			    : tk_ep("203.0.113.25", 44444);
	tx->resolver = tk_ep("198.51.100.53", 53);
	tx->qtype = qtype;
	tx->has_query = true;
	tx->query_t = tx->last_query_t = tq;
	if (tr >= 0) {
		tx->has_response = true;
		tx->response_t = tr;
		tx->rcode = rcode;
	}
	sess_tie_dns(s, tx, rel);
	cr_assert_eq(tx->refs, 2);
	dns_tx_unref(tx); /* the session's reference remains */
	return tx;
}

/* ---- findings ------------------------------------------------------------- */

static inline void eval(const struct session *s, struct finding_list *l)
{
	memset(l, 0, sizeof *l);
	findings_eval(s, &cfg, l);
}

/* A wait finding (banner.slow, smtp.slow_reply) that no DNS lookup
 * explains: its duration, no causes, suspects named instead. */
static inline void expect_unexplained(const struct finding *f, double duration)
{
	cr_assert(f->has_duration);
	cr_assert_float_eq(f->duration, duration, 1e-6);
	cr_assert(f->has_cause);
	cr_assert_eq(f->n_cause, 0);
	cr_assert_float_eq(f->explained_s, 0, 1e-9);
	cr_assert_not_null(f->suspects, "no DNS: the rule must name suspects");
}

/* Evaluate, expect exactly `want` findings of code c, clean up. */
static inline void expect_n(struct session *s, enum finding_code c, size_t want)
{
	struct finding_list l;
	eval(s, &l);
	cr_expect_eq(tk_count(&l, c), want, "%s: %zu findings, want %zu",
		     finding_code_name(c), tk_count(&l, c), want);
	findings_clear(&l);
	sess_free(s);
}

#endif
