/* testkit.h - builders shared by the unit tests of the analysis layer
 * (test_dnstrack.c, test_correlate.c, test_delivery.c, test_findings.c):
 * addresses, hand-filled DNS messages, queries and responses through a
 * dt_table, sessions with their TCP facts, and SMTP events fed through
 * sess_on_smtp as the dissector would emit them.
 *
 * The definitions are in tests/test__kit.c (the Makefile builds and links
 * only tests/test_*.c into the unit-test binary, hence that name).  Every
 * helper fails the calling test through cr_assert when it cannot do its
 * job (a bad address, a full record section, a response that did not
 * match its query).
 */
#ifndef MXRAY_TESTKIT_H
#define MXRAY_TESTKIT_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "diagnose/findings.h"
#include "model/dnstrack.h"
#include "model/session.h"

/* ---- addresses ----------------------------------------------------------- */

struct mx_endpoint tk_ep(const char *ip, uint16_t port);
struct mx_addr tk_addr(const char *ip);

/* ---- DNS messages ---------------------------------------------------------
 * One struct dns_msg is some 80 KiB, so each lives on the heap (calloc);
 * whoever delivers it frees it (tk_respond, tk_lookup).  Records get class
 * IN and TTL 300, and the header counts follow the records added. */

/* A query (qr false) or response (qr true, ra set) with one question. */
struct dns_msg *tk_msg(uint16_t id, bool qr, const char *qname,
		       uint16_t qtype);
/* An A or AAAA record (by the address's family) in the answer section, or
 * with additional true the additional section (glue). */
void tk_add_addr(struct dns_msg *m, bool additional, const char *owner,
		 const char *ip);
/* A PTR / CNAME / NS answer for the question's name, naming target. */
void tk_add_name(struct dns_msg *m, uint16_t type, const char *target);
/* An MX answer for the question's name. */
void tk_add_mx(struct dns_msg *m, unsigned pref, const char *target);

/* A response to qname with one address answer; the question type is A or
 * AAAA by the address's family. */
struct dns_msg *tk_answer_addr(uint16_t id, const char *qname,
			       const char *ip);
/* A response to qname/qtype with one tk_add_name answer naming target. */
struct dns_msg *tk_answer_name(uint16_t id, const char *qname,
			       uint16_t qtype, const char *target);

/* ---- the DNS transaction table ------------------------------------------ */

struct dt_table *tk_dt_new(double window_s, size_t max_tx, dt_expire_fn fn,
			   void *ctx);
/* A UDP query from asker to res; returns what dt_message returned. */
struct dns_tx *tk_query(struct dt_table *t, const struct mx_endpoint *asker,
			const struct mx_endpoint *res, uint16_t id,
			const char *qname, uint16_t qtype, double ts);
/* Deliver the UDP response m (freed here) from res to asker. */
struct dns_tx *tk_respond(struct dt_table *t, struct dns_msg *m,
			  const struct mx_endpoint *res,
			  const struct mx_endpoint *asker, double ts);
/* A whole lookup by asker: the query for m's question at tq, then unless
 * tr <= 0 the response m at tr, which must complete that transaction.
 * m is freed here.  Returns the transaction. */
struct dns_tx *tk_lookup(struct dt_table *t, const struct mx_endpoint *asker,
			 const struct mx_endpoint *res, struct dns_msg *m,
			 double tq, double tr);

/* ---- sessions ---------------------------------------------------------------
 * A calloc'ed struct session (sess_free frees it): one SYN from
 * client:cport to server:25 at t, nothing else yet. */
struct session *tk_session(const char *client, uint16_t cport,
			   const char *server, double t);
/* The SYN-ACK at syn_ack_t, the client's ACK at ack_t (also s->last). */
void tk_handshake(struct session *s, double syn_ack_t, double ack_t);

/* SMTP events at t, each fed through sess_on_smtp; s->last becomes t. */
void tk_greeting(struct session *s, double t, int code, const char *text);
void tk_command(struct session *s, double t, enum smtp_cmd cmd,
		const char *verb, const char *args);
/* The reply to the command cmd/verb sent at cmd_t. */
void tk_reply(struct session *s, double t, enum smtp_cmd cmd,
	      const char *verb, double cmd_t, int code, const char *text);
/* The dissector giving up on an answer to cmd sent at t. */
void tk_unanswered(struct session *s, double t, enum smtp_cmd cmd,
		   const char *verb);

/* ---- finding lists ------------------------------------------------------ */

/* How many findings of code c l holds. */
size_t tk_count(const struct finding_list *l, enum finding_code c);
/* The first finding of code c (the test fails without one). */
const struct finding *tk_get(const struct finding_list *l, enum finding_code c);
/* The one finding of code c: there must be exactly one. */
const struct finding *tk_the(const struct finding_list *l, enum finding_code c);

/* ---- assertions --------------------------------------------------------- */

/* hay contains needle; the message shows both. */
#define tk_assert_has(hay, needle)                                           \
	do {                                                                   \
		const char *tk_hay_ = (hay);                                   \
		cr_assert_not_null(tk_hay_, "no text to find \"%s\" in",      \
				   (needle));                                  \
		cr_assert_not_null(strstr(tk_hay_, (needle)),                  \
				   "\"%s\" not in \"%s\"", (needle), tk_hay_); \
	} while (0)

#endif
