/* test_dnstrack.c - unit tests for the DNS transaction table (RFC 1035
 * section 7.3 matching on id, question and addresses): rtt,
 * retransmissions, unmatched and duplicate responses, window expiry, the
 * max_tx cap, reference counts and the correlation indexes.
 *
 * Messages are struct dns_msg values filled by hand (the wire format is
 * test_dns.c's business).  One message is some 80 KiB, so each lives on the
 * heap.  Run under ASan: a transaction freed too early or never freed shows
 * up as a use-after-free or a leak.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dnstrack.h"

#define CLIENT "192.0.2.10"
#define SERVER "203.0.113.25"
#define RESOLVER "198.51.100.53"
#define PTR_NAME "10.2.0.192.in-addr.arpa"

/* ---- building messages -------------------------------------------------- */

static struct mx_endpoint ep(const char *ip, uint16_t port)
{
	struct mx_endpoint e;
	memset(&e, 0, sizeof e);
	cr_assert_eq(mx_addr_parse(ip, &e.ip), 0, "bad test address %s", ip);
	e.port = port;
	return e;
}

static struct mx_addr addr(const char *ip)
{
	return ep(ip, 0).ip;
}

static struct dns_msg *msg_new(uint16_t id, bool qr, const char *qname,
			       uint16_t qtype)
{
	struct dns_msg *m = calloc(1, sizeof *m);
	cr_assert_not_null(m);
	m->id = id;
	m->qr = qr;
	m->rd = true;
	m->ra = qr;
	m->qdcount = 1;
	m->has_question = true;
	snprintf(m->qname, sizeof m->qname, "%s", qname);
	m->qtype = qtype;
	m->qclass = 1;
	return m;
}

static struct dns_rr *rr_add(struct dns_rr *sec, size_t *n, uint16_t *count,
			     const char *owner, uint16_t type)
{
	struct dns_rr *rr;
	cr_assert_lt(*n, DNS_MAX_RRS);
	rr = &sec[(*n)++];
	(*count)++;
	memset(rr, 0, sizeof *rr);
	snprintf(rr->name, sizeof rr->name, "%s", owner);
	rr->type = type;
	rr->rclass = 1;
	rr->ttl = 300;
	return rr;
}

/* An A or AAAA record, in the answer or the additional section. */
static void add_addr(struct dns_msg *m, bool additional, const char *owner,
		     const char *ip)
{
	struct mx_addr a = addr(ip);
	struct dns_rr *rr =
		additional
			? rr_add(m->ar, &m->n_ar, &m->arcount, owner, DNS_T_A)
			: rr_add(m->an, &m->n_an, &m->ancount, owner, DNS_T_A);
	rr->type = a.family == 4 ? DNS_T_A : DNS_T_AAAA;
	rr->addr_len = a.family == 4 ? 4 : 16;
	memcpy(rr->addr, a.a, rr->addr_len);
	snprintf(rr->data, sizeof rr->data, "%s", ip);
}

/* A PTR / CNAME / NS answer naming target. */
static void add_name(struct dns_msg *m, const char *owner, uint16_t type,
		     const char *target)
{
	struct dns_rr *rr = rr_add(m->an, &m->n_an, &m->ancount, owner, type);
	snprintf(rr->target, sizeof rr->target, "%s", target);
	snprintf(rr->data, sizeof rr->data, "%s", target);
}

static void add_mx(struct dns_msg *m, const char *owner, unsigned pref,
		   const char *target)
{
	struct dns_rr *rr =
		rr_add(m->an, &m->n_an, &m->ancount, owner, DNS_T_MX);
	rr->pref = (uint16_t)pref;
	snprintf(rr->target, sizeof rr->target, "%s", target);
	snprintf(rr->data, sizeof rr->data, "%u %s", pref, target);
}

/* Send a query from asker to res; returns what dt_message returned. */
static struct dns_tx *ask(struct dt_table *t, const struct mx_endpoint *asker,
			  const struct mx_endpoint *res, uint16_t id,
			  const char *qname, uint16_t qtype, double ts)
{
	struct dns_msg *m = msg_new(id, false, qname, qtype);
	struct dns_tx *tx = dt_message(t, m, asker, res, false, ts);
	free(m);
	return tx;
}

/* Deliver a response m (freed here) from res to asker. */
static struct dns_tx *reply(struct dt_table *t, struct dns_msg *m,
			    const struct mx_endpoint *res,
			    const struct mx_endpoint *asker, double ts)
{
	struct dns_tx *tx = dt_message(t, m, res, asker, false, ts);
	free(m);
	return tx;
}

/* ---- observing the table ------------------------------------------------ */

#define REC_MAX 32

/* What the expiry callback saw, copied out: the transaction may be freed
 * right after the callback returns. */
struct rec {
	size_t n;
	uint64_t seq[REC_MAX];
	char qname[REC_MAX][DNS_NAME_MAX];
	bool answered[REC_MAX];
};

static void rec_expire(void *ctx, struct dns_tx *tx)
{
	struct rec *r = ctx;
	cr_assert_lt(r->n, REC_MAX);
	cr_assert_geq(tx->refs, 1, "callback got a transaction with no refs");
	r->seq[r->n] = tx->seq;
	snprintf(r->qname[r->n], DNS_NAME_MAX, "%s", tx->qname);
	r->answered[r->n] = tx->has_response;
	r->n++;
}

struct hits {
	size_t n;
	struct dns_tx *tx[REC_MAX];
	size_t stop_after; /* 0: visit everything */
};

static int collect(void *ctx, struct dns_tx *tx)
{
	struct hits *h = ctx;
	cr_assert_lt(h->n, REC_MAX);
	h->tx[h->n++] = tx;
	return h->stop_after && h->n >= h->stop_after;
}

static struct dt_table *table(double window, size_t max_tx, struct rec *r)
{
	struct dt_config cfg = {.window_s = window, .max_tx = max_tx};
	struct dt_table *t = dt_new(&cfg, rec_expire, r);
	cr_assert_not_null(t);
	return t;
}

static struct dt_stats stats(const struct dt_table *t)
{
	struct dt_stats st;
	dt_get_stats(t, &st);
	return st;
}

static size_t n_question(struct dt_table *t, const char *qname,
			 uint16_t qtype, struct hits *h)
{
	memset(h, 0, sizeof *h);
	dt_by_question(t, qname, qtype, collect, h);
	return h->n;
}

/* ---- matching ------------------------------------------------------------ */

Test(dnstrack, query_then_response_gives_one_transaction_with_rtt)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct mx_addr want;
	struct dns_tx *q, *a;
	struct dns_msg *m;

	q = ask(t, &c, &s, 0x1234, "mx1.example.org", DNS_T_A, 100.0);
	cr_assert_not_null(q);
	cr_assert(q->has_query && !q->has_response);
	cr_assert_eq(q->refs, 1);

	m = msg_new(0x1234, true, "mx1.example.org", DNS_T_A);
	add_addr(m, false, "mx1.example.org", SERVER);
	a = reply(t, m, &s, &c, 100.25);
	cr_assert_eq(a, q, "the response must complete the query's transaction");
	cr_assert(a->has_query && a->has_response);
	cr_assert(mx_ep_eq(&a->asker, &c) && mx_ep_eq(&a->resolver, &s));
	cr_assert_float_eq(a->query_t, 100.0, 1e-9);
	cr_assert_float_eq(a->response_t, 100.25, 1e-9);
	cr_assert_float_eq(mx_dt(a->query_t, a->response_t), 0.25, 1e-9);
	cr_assert_eq(a->rcode, DNS_R_NOERROR);
	cr_assert_eq(a->retransmissions, 0);
	cr_assert_eq(a->n_answers, 1);
	cr_assert_str_eq(a->answers[0], SERVER);
	cr_assert_eq(a->n_addrs, 1);
	want = addr(SERVER);
	cr_assert(mx_addr_eq(&a->addrs[0], &want));
	cr_assert_eq(stats(t).transactions, 1);
	cr_assert_eq(stats(t).live, 1);
	dt_free(t);
	cr_assert_eq(r.n, 1);
	cr_assert(r.answered[0]);
}

Test(dnstrack, answers_of_another_type_are_labelled_and_names_lowered)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_msg *m;
	struct dns_tx *tx;

	ask(t, &c, &s, 7, "mx1.example.org", DNS_T_A, 10.0);
	m = msg_new(7, true, "mx1.example.org", DNS_T_A);
	add_name(m, "mx1.example.org", DNS_T_CNAME, "Host.Example.NET");
	add_addr(m, false, "Host.Example.NET", SERVER);
	tx = reply(t, m, &s, &c, 10.1);
	cr_assert_not_null(tx);
	cr_assert_eq(tx->n_answers, 2);
	cr_assert_str_eq(tx->answers[0], "CNAME Host.Example.NET");
	cr_assert_str_eq(tx->answers[1], SERVER);
	cr_assert_eq(tx->n_names, 1);
	cr_assert_str_eq(tx->names[0], "host.example.net");
	dt_free(t);
}

Test(dnstrack, resent_query_counts_a_retransmission)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(SERVER, 5353), s = ep(RESOLVER, 53);
	struct dns_tx *q1, *q2, *a;
	struct dns_msg *m;

	q1 = ask(t, &c, &s, 0xbeef, PTR_NAME, DNS_T_PTR, 200.0);
	q2 = ask(t, &c, &s, 0xbeef, PTR_NAME, DNS_T_PTR, 201.0);
	cr_assert_eq(q1, q2, "a resend must not open a new transaction");
	cr_assert_eq(q1->retransmissions, 1);
	cr_assert_float_eq(q1->query_t, 200.0, 1e-9);
	cr_assert_float_eq(q1->last_query_t, 201.0, 1e-9);
	cr_assert_eq(stats(t).transactions, 1);

	m = msg_new(0xbeef, true, PTR_NAME, DNS_T_PTR);
	add_name(m, PTR_NAME, DNS_T_PTR, "mail.client.example");
	a = reply(t, m, &s, &c, 201.5);
	cr_assert_eq(a, q1);
	cr_assert_eq(a->retransmissions, 1);
	cr_assert_float_eq(mx_dt(a->query_t, a->response_t), 1.5, 1e-9);
	cr_assert_eq(stats(t).transactions, 1);
	dt_free(t);
	cr_assert_eq(r.n, 1);
}

Test(dnstrack, same_id_from_another_port_is_another_transaction)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c1 = ep(SERVER, 5353), c2 = ep(SERVER, 5354);
	struct mx_endpoint s = ep(RESOLVER, 53);
	struct dns_tx *q1 = ask(t, &c1, &s, 9, PTR_NAME, DNS_T_PTR, 1.0);
	struct dns_tx *q2 = ask(t, &c2, &s, 9, PTR_NAME, DNS_T_PTR, 1.1);
	cr_assert_neq(q1, q2);
	cr_assert_eq(q1->retransmissions, 0);
	cr_assert_eq(q2->retransmissions, 0);
	cr_assert_eq(stats(t).transactions, 2);
	dt_free(t);
	cr_assert_eq(r.n, 2);
}

Test(dnstrack, response_without_query_opens_an_answered_transaction)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_msg *m = msg_new(42, true, "example.org", DNS_T_MX);
	struct dns_tx *tx;

	add_mx(m, "example.org", 10, "mx1.example.org");
	tx = reply(t, m, &s, &c, 50.0);
	cr_assert_not_null(tx);
	cr_assert(!tx->has_query);
	cr_assert(tx->has_response);
	cr_assert(mx_ep_eq(&tx->asker, &c), "asker is the response's destination");
	cr_assert(mx_ep_eq(&tx->resolver, &s));
	cr_assert_float_eq(dns_tx_time(tx), 50.0, 1e-9);
	cr_assert_eq(stats(t).transactions, 1);
	dt_free(t);
	cr_assert_eq(r.n, 1);
}

Test(dnstrack, duplicate_response_is_ignored)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_msg *m;
	struct dns_tx *q, *a1, *a2;

	q = ask(t, &c, &s, 5, "mx1.example.org", DNS_T_A, 1.0);
	m = msg_new(5, true, "mx1.example.org", DNS_T_A);
	add_addr(m, false, "mx1.example.org", SERVER);
	a1 = reply(t, m, &s, &c, 1.2);
	m = msg_new(5, true, "mx1.example.org", DNS_T_A);
	add_addr(m, false, "mx1.example.org", "203.0.113.99");
	a2 = reply(t, m, &s, &c, 1.7);
	cr_assert_eq(a1, q);
	cr_assert_eq(a2, q);
	cr_assert_float_eq(q->response_t, 1.2, 1e-9, "first response wins");
	cr_assert_eq(q->n_answers, 1);
	cr_assert_str_eq(q->answers[0], SERVER);
	cr_assert_eq(stats(t).transactions, 1);
	dt_free(t);
	cr_assert_eq(r.n, 1);
}

Test(dnstrack, two_ids_are_two_transactions)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_tx *q1, *q2, *a;
	struct dns_msg *m;

	q1 = ask(t, &c, &s, 1, "mx1.example.org", DNS_T_A, 1.0);
	q2 = ask(t, &c, &s, 2, "mx1.example.org", DNS_T_A, 1.1);
	cr_assert_neq(q1, q2);
	cr_assert_eq(q1->retransmissions + q2->retransmissions, 0);
	m = msg_new(2, true, "mx1.example.org", DNS_T_A);
	add_addr(m, false, "mx1.example.org", SERVER);
	a = reply(t, m, &s, &c, 1.3);
	cr_assert_eq(a, q2);
	cr_assert(!q1->has_response);
	cr_assert_eq(stats(t).transactions, 2);
	dt_free(t);
	cr_assert_eq(r.n, 2);
}

Test(dnstrack, response_for_another_question_does_not_match)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_tx *q, *a;

	q = ask(t, &c, &s, 3, "mx1.example.org", DNS_T_A, 1.0);
	a = reply(t, msg_new(3, true, "mx1.example.org", DNS_T_AAAA), &s, &c,
		  1.1);
	cr_assert_neq(a, q);
	cr_assert(!q->has_response);
	cr_assert(!a->has_query);
	cr_assert_eq(stats(t).transactions, 2);
	dt_free(t);
}

Test(dnstrack, response_from_another_resolver_does_not_match)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct mx_endpoint other = ep("198.51.100.54", 53);
	struct dns_tx *q, *a;
	struct dns_msg *m;

	q = ask(t, &c, &s, 77, "mx1.example.org", DNS_T_A, 1.0);
	m = msg_new(77, true, "mx1.example.org", DNS_T_A);
	add_addr(m, false, "mx1.example.org", SERVER);
	a = reply(t, m, &other, &c, 1.1);
	cr_assert_not_null(a);
	cr_assert_neq(a, q);
	cr_assert(!q->has_response, "a spoofed/other resolver answered it");
	cr_assert(!a->has_query);
	cr_assert(mx_ep_eq(&a->resolver, &other));
	cr_assert_eq(stats(t).transactions, 2);
	dt_free(t);
	cr_assert_eq(r.n, 2);
}

Test(dnstrack, tcp_response_does_not_match_udp_query)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_tx *q, *a;
	struct dns_msg *m;

	q = ask(t, &c, &s, 8, "example.org", DNS_T_MX, 1.0);
	m = msg_new(8, true, "example.org", DNS_T_MX);
	a = dt_message(t, m, &s, &c, true, 1.1);
	free(m);
	cr_assert_neq(a, q);
	cr_assert(a->tcp && !q->tcp);
	cr_assert(!q->has_response);
	dt_free(t);
}

Test(dnstrack, message_without_question_is_ignored)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_msg *m = msg_new(1, false, "example.org", DNS_T_MX);
	m->has_question = false;
	cr_assert_null(dt_message(t, m, &c, &s, false, 1.0));
	free(m);
	cr_assert_eq(stats(t).transactions, 0);
	dt_free(t);
	cr_assert_eq(r.n, 0);
}

/* ---- window, cap and references ------------------------------------------ */

Test(dnstrack, expiry_calls_back_once_per_transaction_in_creation_order)
{
	struct rec r = {0};
	struct dt_table *t = table(10, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct hits h;
	struct dns_tx *late;

	ask(t, &c, &s, 1, "a.example", DNS_T_A, 100.0);
	ask(t, &c, &s, 2, "b.example", DNS_T_A, 101.0);
	ask(t, &c, &s, 3, "c.example", DNS_T_A, 102.0);

	dt_expire(t, 110.0); /* a.example's window ends exactly now: kept */
	cr_assert_eq(r.n, 0);
	dt_expire(t, 111.5);
	cr_assert_eq(r.n, 2);
	cr_assert_str_eq(r.qname[0], "a.example");
	cr_assert_str_eq(r.qname[1], "b.example");
	cr_assert_lt(r.seq[0], r.seq[1]);
	cr_assert_eq(stats(t).live, 1);
	cr_assert_eq(n_question(t, "a.example", DNS_T_A, &h), 0);
	cr_assert_eq(n_question(t, "c.example", DNS_T_A, &h), 1);

	dt_expire(t, 111.5); /* again: nothing new */
	cr_assert_eq(r.n, 2);
	dt_expire(t, 500.0);
	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(r.qname[2], "c.example");
	cr_assert_lt(r.seq[1], r.seq[2]);

	/* a late answer to an expired query can no longer match it */
	late = reply(t, msg_new(1, true, "a.example", DNS_T_A), &s, &c, 500.1);
	cr_assert_not_null(late);
	cr_assert(!late->has_query);

	dt_expire(t, 1000.0);
	cr_assert_eq(r.n, 4);
	dt_free(t);
	cr_assert_eq(r.n, 4, "dt_free must not call back twice");
}

Test(dnstrack, cap_evicts_oldest_first_and_counts_it)
{
	struct rec r = {0};
	struct dt_table *t = table(1000, 3, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	static const char *const names[] = {"q1.example", "q2.example",
					    "q3.example", "q4.example",
					    "q5.example"};
	struct dt_stats st;
	struct hits h;

	for (unsigned i = 0; i < 5; i++) {
		struct dns_tx *tx = ask(t, &c, &s, (uint16_t)(i + 1), names[i],
					DNS_T_A, 10.0 + i);
		cr_assert_not_null(tx, "the newest must survive the cap");
		cr_assert_str_eq(tx->qname, names[i]);
	}
	st = stats(t);
	cr_assert_eq(st.transactions, 5);
	cr_assert_eq(st.live, 3);
	cr_assert_eq(st.evicted, 2);
	cr_assert_eq(r.n, 2);
	cr_assert_str_eq(r.qname[0], "q1.example");
	cr_assert_str_eq(r.qname[1], "q2.example");
	cr_assert_eq(n_question(t, "q1.example", DNS_T_A, &h), 0);
	cr_assert_eq(n_question(t, "q2.example", DNS_T_A, &h), 0);
	cr_assert_eq(n_question(t, "q3.example", DNS_T_A, &h), 1);
	cr_assert_eq(n_question(t, "q5.example", DNS_T_A, &h), 1);

	dt_expire(t, 2000.0); /* time expiry is not eviction */
	cr_assert_eq(stats(t).evicted, 2);
	cr_assert_eq(r.n, 5);
	dt_free(t);
	cr_assert_eq(r.n, 5);
}

Test(dnstrack, referenced_transaction_outlives_expiry_and_the_table)
{
	struct rec r = {0};
	struct dt_table *t = table(10, 100, &r);
	struct mx_endpoint c = ep(SERVER, 5353), s = ep(RESOLVER, 53);
	struct dns_msg *m;
	struct dns_tx *tx;
	struct hits h;

	tx = ask(t, &c, &s, 11, PTR_NAME, DNS_T_PTR, 100.0);
	cr_assert_not_null(tx);
	dns_tx_ref(tx); /* as a session tie would */
	cr_assert_eq(tx->refs, 2);
	m = msg_new(11, true, PTR_NAME, DNS_T_PTR);
	add_name(m, PTR_NAME, DNS_T_PTR, "mail.client.example");
	reply(t, m, &s, &c, 104.0);

	dt_expire(t, 200.0);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(tx->refs, 1, "the table dropped its reference");
	/* still readable: ASan flags this if the table freed it */
	cr_assert_str_eq(tx->qname, PTR_NAME);
	cr_assert_str_eq(tx->answers[0], "mail.client.example");
	cr_assert_str_eq(tx->names[0], "mail.client.example");
	memset(&h, 0, sizeof h);
	dt_by_asker(t, &c.ip, collect, &h);
	cr_assert_eq(h.n, 0, "an expired transaction left the indexes");

	dt_free(t);
	cr_assert_eq(r.n, 1, "expired once, not again at dt_free");
	cr_assert_str_eq(tx->qname, PTR_NAME);
	dns_tx_unref(tx); /* the last one frees; LeakSanitizer checks */
	dns_tx_unref(NULL);
}

Test(dnstrack, free_calls_back_for_the_rest)
{
	struct rec r = {0};
	struct dt_table *t = table(10, 100, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);

	ask(t, &c, &s, 1, "a.example", DNS_T_A, 100.0);
	ask(t, &c, &s, 2, "b.example", DNS_T_A, 105.0);
	ask(t, &c, &s, 3, "c.example", DNS_T_A, 106.0);
	dt_expire(t, 112.0);
	cr_assert_eq(r.n, 1);
	dt_free(t);
	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(r.qname[0], "a.example");
	cr_assert_str_eq(r.qname[1], "b.example");
	cr_assert_str_eq(r.qname[2], "c.example");
	dt_free(NULL);
}

/* ---- indexes -------------------------------------------------------------- */

struct idx_fx {
	struct dt_table *t;
	struct rec r;
	struct mx_endpoint cli, srv, res;
	struct dns_tx *mx, *a_mx2, *ptr, *zen, *bl, *a_ns;
};

static void idx_setup(struct idx_fx *f)
{
	struct dns_msg *m;

	memset(f, 0, sizeof *f);
	f->t = table(60, 100, &f->r);
	f->cli = ep(CLIENT, 40000);
	f->srv = ep(SERVER, 5353);
	f->res = ep(RESOLVER, 53);

	/* the client: MX of example.org (with glue), A of mx2 */
	f->mx = ask(f->t, &f->cli, &f->res, 1, "example.org", DNS_T_MX, 10.0);
	m = msg_new(1, true, "example.org", DNS_T_MX);
	add_mx(m, "example.org", 10, "MX1.Example.org");
	add_mx(m, "example.org", 20, "mx2.example.org");
	add_addr(m, true, "MX1.Example.org", SERVER);
	reply(f->t, m, &f->res, &f->cli, 10.1);
	f->a_mx2 = ask(f->t, &f->cli, &f->res, 2, "mx2.example.org", DNS_T_A,
		       10.2);
	m = msg_new(2, true, "mx2.example.org", DNS_T_A);
	add_addr(m, false, "mx2.example.org", "203.0.113.26");
	reply(f->t, m, &f->res, &f->cli, 10.3);

	/* the server: PTR and two DNSBL lookups of the client */
	f->ptr = ask(f->t, &f->srv, &f->res, 3, PTR_NAME, DNS_T_PTR, 11.0);
	m = msg_new(3, true, PTR_NAME, DNS_T_PTR);
	add_name(m, PTR_NAME, DNS_T_PTR, "mail.client.example");
	reply(f->t, m, &f->res, &f->srv, 11.1);
	f->zen = ask(f->t, &f->srv, &f->res, 4, "10.2.0.192.zen.example.net",
		     DNS_T_A, 11.2);
	m = msg_new(4, true, "10.2.0.192.zen.example.net", DNS_T_A);
	m->rcode = DNS_R_NXDOMAIN;
	reply(f->t, m, &f->res, &f->srv, 11.3);
	f->bl = ask(f->t, &f->srv, &f->res, 5, "10.2.0.192.bl.example.com",
		    DNS_T_A, 11.4);
	m = msg_new(5, true, "10.2.0.192.bl.example.com", DNS_T_A);
	add_addr(m, false, "10.2.0.192.bl.example.com", "127.0.0.2");
	reply(f->t, m, &f->res, &f->srv, 11.5);

	/* the server: an A answer with an additional A (not MX glue) */
	f->a_ns = ask(f->t, &f->srv, &f->res, 6, "ns.example.net", DNS_T_A,
		      11.6);
	m = msg_new(6, true, "ns.example.net", DNS_T_A);
	add_addr(m, false, "ns.example.net", "198.51.100.7");
	add_addr(m, true, "other.example.net", "198.51.100.8");
	reply(f->t, m, &f->res, &f->srv, 11.7);

	cr_assert(f->mx && f->a_mx2 && f->ptr && f->zen && f->bl && f->a_ns);
	cr_assert_eq(stats(f->t).transactions, 6);
}

static struct hits by_addr(struct idx_fx *f, const char *ip, bool dnsbl,
			   bool asker)
{
	struct hits h = {0};
	struct mx_addr a = addr(ip);
	if (asker)
		dt_by_asker(f->t, &a, collect, &h);
	else if (dnsbl)
		dt_by_dnsbl_addr(f->t, &a, collect, &h);
	else
		dt_by_answer_addr(f->t, &a, collect, &h);
	return h;
}

static struct hits by_mx(struct idx_fx *f, const char *name)
{
	struct hits h = {0};
	dt_by_mx_name(f->t, name, collect, &h);
	return h;
}

Test(dnstrack, index_lookups_find_exactly_the_expected_transactions)
{
	struct idx_fx f;
	struct hits h;

	idx_setup(&f);

	cr_assert_eq(n_question(f.t, "example.org", DNS_T_MX, &h), 1);
	cr_assert_eq(h.tx[0], f.mx);
	cr_assert_eq(n_question(f.t, "example.org", DNS_T_A, &h), 0);
	cr_assert_eq(n_question(f.t, PTR_NAME, DNS_T_PTR, &h), 1);
	cr_assert_eq(h.tx[0], f.ptr);

	h = by_addr(&f, SERVER, false, false); /* MX glue */
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.mx);
	h = by_addr(&f, "203.0.113.26", false, false);
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.a_mx2);
	h = by_addr(&f, "127.0.0.2", false, false);
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.bl);
	h = by_addr(&f, "198.51.100.8", false, false);
	cr_assert_eq(h.n, 0, "additional records of non-MX answers are not glue");
	h = by_addr(&f, CLIENT, false, false);
	cr_assert_eq(h.n, 0, "a PTR question is not an answered address");

	h = by_mx(&f, "mx1.example.org");
	cr_assert_eq(h.n, 1, "MX exchange names are indexed lower-cased");
	cr_assert_eq(h.tx[0], f.mx);
	h = by_mx(&f, "mx2.example.org");
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.mx);
	h = by_mx(&f, "mail.client.example");
	cr_assert_eq(h.n, 0, "a PTR target is not an MX name");

	h = by_addr(&f, CLIENT, true, false);
	cr_assert_eq(h.n, 2, "both DNSBL zones, not the in-addr.arpa PTR");
	cr_assert_eq(h.tx[0], f.bl, "newest first");
	cr_assert_eq(h.tx[1], f.zen);
	h = by_addr(&f, "192.0.2.11", true, false);
	cr_assert_eq(h.n, 0);

	h = by_addr(&f, CLIENT, false, true);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.tx[0], f.a_mx2);
	cr_assert_eq(h.tx[1], f.mx);
	h = by_addr(&f, SERVER, false, true);
	cr_assert_eq(h.n, 4);
	cr_assert_eq(h.tx[0], f.a_ns);
	cr_assert_eq(h.tx[3], f.ptr);
	h = by_addr(&f, RESOLVER, false, true);
	cr_assert_eq(h.n, 0, "the resolver answered, it did not ask");

	dt_free(f.t);
	cr_assert_eq(f.r.n, 6);
}

Test(dnstrack, visitor_returning_nonzero_stops_the_walk)
{
	struct idx_fx f;
	struct hits h = {.stop_after = 1};
	struct mx_addr a;

	idx_setup(&f);
	a = addr(SERVER);
	dt_by_asker(f.t, &a, collect, &h);
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.a_ns);
	dt_free(f.t);
}

Test(dnstrack, indexes_are_empty_after_expiry)
{
	struct idx_fx f;
	struct hits h;

	idx_setup(&f);
	dt_expire(f.t, 1000.0);
	cr_assert_eq(f.r.n, 6);
	cr_assert_eq(stats(f.t).live, 0);
	cr_assert_eq(n_question(f.t, "example.org", DNS_T_MX, &h), 0);
	cr_assert_eq(n_question(f.t, PTR_NAME, DNS_T_PTR, &h), 0);
	cr_assert_eq(by_addr(&f, SERVER, false, false).n, 0);
	cr_assert_eq(by_addr(&f, "203.0.113.26", false, false).n, 0);
	cr_assert_eq(by_mx(&f, "mx1.example.org").n, 0);
	cr_assert_eq(by_addr(&f, CLIENT, true, false).n, 0);
	cr_assert_eq(by_addr(&f, CLIENT, false, true).n, 0);
	cr_assert_eq(by_addr(&f, SERVER, false, true).n, 0);
	dt_free(f.t);
	cr_assert_eq(f.r.n, 6);
}

/* Regression: with max_tx 0 the cap once freed the transaction it had just
 * created and then read it; the table now keeps at least one. */
Test(dnstrack, max_tx_zero_keeps_the_newest)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 0, &r);
	struct mx_endpoint c = ep(CLIENT, 40000), s = ep(RESOLVER, 53);
	struct dns_tx *q1 = ask(t, &c, &s, 1, "a.example.org", DNS_T_A, 100.0);
	struct dns_tx *q2 = ask(t, &c, &s, 2, "b.example.org", DNS_T_A, 100.1);
	cr_assert_not_null(q1);
	cr_assert_not_null(q2);
	cr_assert_str_eq(q2->qname, "b.example.org");
	cr_assert_eq(stats(t).evicted, 1);
	cr_assert_eq(stats(t).live, 1);
	dt_free(t);
}
