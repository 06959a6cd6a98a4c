/* test_dnstrack.c - unit tests for the DNS transaction table (RFC 1035
 * section 7.3 matching on id, question and addresses): rtt,
 * retransmissions, unmatched and duplicate responses, window expiry, the
 * max_tx cap, reference counts and the correlation indexes.
 *
 * Messages are struct dns_msg values filled by hand with the testkit.h
 * builders (the wire format is test_dns.c's business).  Run under ASan: a
 * transaction freed too early or never freed shows up as a use-after-free
 * or a leak.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/dnstrack.h"
#include "testkit.h"

#define CLIENT "192.0.2.10"
#define SERVER "203.0.113.25"
#define RESOLVER "198.51.100.53"
#define PTR_NAME "10.2.0.192.in-addr.arpa"

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
	return tk_dt_new(window, max_tx, rec_expire, r);
}

static struct dt_stats stats(const struct dt_table *t)
{
	struct dt_stats st;
	dt_get_stats(t, &st);
	return st;
}

/* Questions asked by `asker` (CLIENT where not said). */
static size_t n_question_by(struct dt_table *t, const char *asker,
			    const char *qname, uint16_t qtype, struct hits *h)
{
	struct mx_addr a = tk_addr(asker);
	memset(h, 0, sizeof *h);
	dt_by_question(t, &a, qname, qtype, -INFINITY, collect, h);
	return h->n;
}

static size_t n_question(struct dt_table *t, const char *qname,
			 uint16_t qtype, struct hits *h)
{
	return n_question_by(t, CLIENT, qname, qtype, h);
}

/* ---- matching ------------------------------------------------------------ */

Test(dnstrack, query_then_response_gives_one_transaction_with_rtt)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 100, &r);
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct mx_addr want = tk_addr(SERVER);
	struct dns_tx *q, *a;

	q = tk_query(t, &c, &s, 0x1234, "mx1.example.org", DNS_T_A, 100.0);
	cr_assert_not_null(q);
	cr_assert(q->has_query && !q->has_response);
	cr_assert_eq(q->refs, 1);

	a = tk_respond(t, tk_answer_addr(0x1234, "mx1.example.org", SERVER), &s,
		       &c, 100.25);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_msg *m;
	struct dns_tx *tx;

	tk_query(t, &c, &s, 7, "mx1.example.org", DNS_T_A, 10.0);
	m = tk_msg(7, true, "mx1.example.org", DNS_T_A);
	tk_add_name(m, DNS_T_CNAME, "Host.Example.NET");
	tk_add_addr(m, false, "Host.Example.NET", SERVER);
	tx = tk_respond(t, m, &s, &c, 10.1);
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
	struct mx_endpoint c = tk_ep(SERVER, 5353), s = tk_ep(RESOLVER, 53);
	struct dns_tx *q1, *q2, *a;

	q1 = tk_query(t, &c, &s, 0xbeef, PTR_NAME, DNS_T_PTR, 200.0);
	q2 = tk_query(t, &c, &s, 0xbeef, PTR_NAME, DNS_T_PTR, 201.0);
	cr_assert_eq(q1, q2, "a resend must not open a new transaction");
	cr_assert_eq(q1->retransmissions, 1);
	cr_assert_float_eq(q1->query_t, 200.0, 1e-9);
	cr_assert_float_eq(q1->last_query_t, 201.0, 1e-9);
	cr_assert_eq(stats(t).transactions, 1);

	a = tk_respond(t,
		       tk_answer_name(0xbeef, PTR_NAME, DNS_T_PTR,
				      "mail.client.example"),
		       &s, &c, 201.5);
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
	struct mx_endpoint c1 = tk_ep(SERVER, 5353), c2 = tk_ep(SERVER, 5354);
	struct mx_endpoint s = tk_ep(RESOLVER, 53);
	struct dns_tx *q1 = tk_query(t, &c1, &s, 9, PTR_NAME, DNS_T_PTR, 1.0);
	struct dns_tx *q2 = tk_query(t, &c2, &s, 9, PTR_NAME, DNS_T_PTR, 1.1);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_msg *m = tk_msg(42, true, "example.org", DNS_T_MX);
	struct dns_tx *tx;

	tk_add_mx(m, 10, "mx1.example.org");
	tx = tk_respond(t, m, &s, &c, 50.0);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_tx *q, *a1, *a2;

	q = tk_query(t, &c, &s, 5, "mx1.example.org", DNS_T_A, 1.0);
	a1 = tk_respond(t, tk_answer_addr(5, "mx1.example.org", SERVER), &s, &c,
			1.2);
	a2 = tk_respond(t, tk_answer_addr(5, "mx1.example.org", "203.0.113.99"),
			&s, &c, 1.7);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_tx *q1, *q2, *a;

	q1 = tk_query(t, &c, &s, 1, "mx1.example.org", DNS_T_A, 1.0);
	q2 = tk_query(t, &c, &s, 2, "mx1.example.org", DNS_T_A, 1.1);
	cr_assert_neq(q1, q2);
	cr_assert_eq(q1->retransmissions + q2->retransmissions, 0);
	a = tk_respond(t, tk_answer_addr(2, "mx1.example.org", SERVER), &s, &c,
		       1.3);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_tx *q, *a;

	q = tk_query(t, &c, &s, 3, "mx1.example.org", DNS_T_A, 1.0);
	a = tk_respond(t, tk_msg(3, true, "mx1.example.org", DNS_T_AAAA), &s,
		       &c, 1.1);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct mx_endpoint other = tk_ep("198.51.100.54", 53);
	struct dns_tx *q, *a;

	q = tk_query(t, &c, &s, 77, "mx1.example.org", DNS_T_A, 1.0);
	a = tk_respond(t, tk_answer_addr(77, "mx1.example.org", SERVER), &other,
		       &c, 1.1);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_tx *q, *a;
	struct dns_msg *m;

	q = tk_query(t, &c, &s, 8, "example.org", DNS_T_MX, 1.0);
	m = tk_msg(8, true, "example.org", DNS_T_MX);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_msg *m = tk_msg(1, false, "example.org", DNS_T_MX);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct hits h;
	struct dns_tx *late;

	tk_query(t, &c, &s, 1, "a.example", DNS_T_A, 100.0);
	tk_query(t, &c, &s, 2, "b.example", DNS_T_A, 101.0);
	tk_query(t, &c, &s, 3, "c.example", DNS_T_A, 102.0);

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
	late = tk_respond(t, tk_msg(1, true, "a.example", DNS_T_A), &s, &c,
			  500.1);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	static const char *const names[] = {"q1.example", "q2.example",
					    "q3.example", "q4.example",
					    "q5.example"};
	struct dt_stats st;
	struct hits h;

	for (unsigned i = 0; i < 5; i++) {
		struct dns_tx *tx = tk_query(t, &c, &s, (uint16_t)(i + 1),
					     names[i], DNS_T_A, 10.0 + i);
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
	struct mx_endpoint c = tk_ep(SERVER, 5353), s = tk_ep(RESOLVER, 53);
	struct dns_msg *m;
	struct dns_tx *tx;
	struct hits h;

	tx = tk_query(t, &c, &s, 11, PTR_NAME, DNS_T_PTR, 100.0);
	cr_assert_not_null(tx);
	dns_tx_ref(tx); /* as a session tie would */
	cr_assert_eq(tx->refs, 2);
	m = tk_answer_name(11, PTR_NAME, DNS_T_PTR, "mail.client.example");
	tk_respond(t, m, &s, &c, 104.0);

	dt_expire(t, 200.0);
	cr_assert_eq(r.n, 1);
	cr_assert_eq(tx->refs, 1, "the table dropped its reference");
	/* still readable: ASan flags this if the table freed it */
	cr_assert_str_eq(tx->qname, PTR_NAME);
	cr_assert_str_eq(tx->answers[0], "mail.client.example");
	cr_assert_str_eq(tx->names[0], "mail.client.example");
	memset(&h, 0, sizeof h);
	dt_by_asker(t, &c.ip, 0, INFINITY, collect, &h);
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
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);

	tk_query(t, &c, &s, 1, "a.example", DNS_T_A, 100.0);
	tk_query(t, &c, &s, 2, "b.example", DNS_T_A, 105.0);
	tk_query(t, &c, &s, 3, "c.example", DNS_T_A, 106.0);
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
	f->cli = tk_ep(CLIENT, 40000);
	f->srv = tk_ep(SERVER, 5353);
	f->res = tk_ep(RESOLVER, 53);

	/* the client: MX of example.org (with glue), A of mx2 */
	m = tk_msg(1, true, "example.org", DNS_T_MX);
	tk_add_mx(m, 10, "MX1.Example.org");
	tk_add_mx(m, 20, "mx2.example.org");
	tk_add_addr(m, true, "MX1.Example.org", SERVER);
	f->mx = tk_lookup(f->t, &f->cli, &f->res, m, 10.0, 10.1);
	m = tk_answer_addr(2, "mx2.example.org", "203.0.113.26");
	f->a_mx2 = tk_lookup(f->t, &f->cli, &f->res, m, 10.2, 10.3);

	/* the server: PTR and two DNSBL lookups of the client */
	m = tk_answer_name(3, PTR_NAME, DNS_T_PTR, "mail.client.example");
	f->ptr = tk_lookup(f->t, &f->srv, &f->res, m, 11.0, 11.1);
	m = tk_msg(4, true, "10.2.0.192.zen.example.net", DNS_T_A);
	m->rcode = DNS_R_NXDOMAIN;
	f->zen = tk_lookup(f->t, &f->srv, &f->res, m, 11.2, 11.3);
	m = tk_answer_addr(5, "10.2.0.192.bl.example.com", "127.0.0.2");
	f->bl = tk_lookup(f->t, &f->srv, &f->res, m, 11.4, 11.5);

	/* the server: an A answer with an additional A (not MX glue) */
	m = tk_answer_addr(6, "ns.example.net", "198.51.100.7");
	tk_add_addr(m, true, "other.example.net", "198.51.100.8");
	f->a_ns = tk_lookup(f->t, &f->srv, &f->res, m, 11.6, 11.7);

	cr_assert_eq(stats(f->t).transactions, 6);
}

enum addr_index { BY_ANSWER, BY_DNSBL, BY_ASKER };

/* What one of the address indexes (dt_by_answer_addr, dt_by_dnsbl_addr,
 * dt_by_asker) finds for ip, asked by `asker`. */
static struct hits by_addr(struct idx_fx *f, enum addr_index which,
			   const char *asker, const char *ip)
{
	struct hits h = {0};
	struct mx_addr by = tk_addr(asker ? asker : ip), a = tk_addr(ip);
	if (which == BY_ANSWER)
		dt_by_answer_addr(f->t, &by, &a, collect, &h);
	else if (which == BY_DNSBL)
		dt_by_dnsbl_addr(f->t, &by, &a, -INFINITY, collect, &h);
	else
		dt_by_asker(f->t, &a, 0, INFINITY, collect, &h);
	return h;
}

static struct hits by_mx(struct idx_fx *f, const char *asker,
			 const char *name)
{
	struct hits h = {0};
	struct mx_addr by = tk_addr(asker);
	dt_by_mx_name(f->t, &by, name, collect, &h);
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
	cr_assert_eq(n_question(f.t, PTR_NAME, DNS_T_PTR, &h), 0,
		     "the client did not ask the PTR");
	cr_assert_eq(n_question_by(f.t, SERVER, PTR_NAME, DNS_T_PTR, &h), 1);
	cr_assert_eq(h.tx[0], f.ptr);

	h = by_addr(&f, BY_ANSWER, CLIENT, SERVER); /* MX glue */
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.mx);
	h = by_addr(&f, BY_ANSWER, CLIENT, "203.0.113.26");
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.a_mx2);
	h = by_addr(&f, BY_ANSWER, CLIENT, "127.0.0.2");
	cr_assert_eq(h.n, 0, "keyed on the asker: the server asked the DNSBL");
	h = by_addr(&f, BY_ANSWER, SERVER, "127.0.0.2");
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.bl);
	h = by_addr(&f, BY_ANSWER, SERVER, "203.0.113.26");
	cr_assert_eq(h.n, 0, "the client's answer, not the server's");
	h = by_addr(&f, BY_ANSWER, CLIENT, "198.51.100.8");
	cr_assert_eq(h.n, 0, "additional records of non-MX answers are not glue");
	h = by_addr(&f, BY_ANSWER, CLIENT, CLIENT);
	cr_assert_eq(h.n, 0, "a PTR question is not an answered address");

	h = by_mx(&f, CLIENT, "mx1.example.org");
	cr_assert_eq(h.n, 1, "MX exchange names are indexed lower-cased");
	cr_assert_eq(h.tx[0], f.mx);
	h = by_mx(&f, CLIENT, "mx2.example.org");
	cr_assert_eq(h.n, 1);
	cr_assert_eq(h.tx[0], f.mx);
	h = by_mx(&f, CLIENT, "mail.client.example");
	cr_assert_eq(h.n, 0, "a PTR target is not an MX name");
	h = by_mx(&f, SERVER, "mx1.example.org");
	cr_assert_eq(h.n, 0, "keyed on the asker: the client asked the MX");

	h = by_addr(&f, BY_DNSBL, SERVER, CLIENT);
	cr_assert_eq(h.n, 2, "both DNSBL zones, not the in-addr.arpa PTR");
	cr_assert_eq(h.tx[0], f.bl, "newest first");
	cr_assert_eq(h.tx[1], f.zen);
	h = by_addr(&f, BY_DNSBL, SERVER, "192.0.2.11");
	cr_assert_eq(h.n, 0);
	h = by_addr(&f, BY_DNSBL, CLIENT, CLIENT);
	cr_assert_eq(h.n, 0, "keyed on the asker");

	h = by_addr(&f, BY_ASKER, NULL, CLIENT);
	cr_assert_eq(h.n, 2);
	cr_assert_eq(h.tx[0], f.a_mx2);
	cr_assert_eq(h.tx[1], f.mx);
	h = by_addr(&f, BY_ASKER, NULL, SERVER);
	cr_assert_eq(h.n, 4);
	cr_assert_eq(h.tx[0], f.a_ns);
	cr_assert_eq(h.tx[3], f.ptr);
	h = by_addr(&f, BY_ASKER, NULL, RESOLVER);
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
	a = tk_addr(SERVER);
	dt_by_asker(f.t, &a, 0, INFINITY, collect, &h);
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
	cr_assert_eq(n_question_by(f.t, SERVER, PTR_NAME, DNS_T_PTR, &h), 0);
	cr_assert_eq(by_addr(&f, BY_ANSWER, CLIENT, SERVER).n, 0);
	cr_assert_eq(by_addr(&f, BY_ANSWER, CLIENT, "203.0.113.26").n, 0);
	cr_assert_eq(by_mx(&f, CLIENT, "mx1.example.org").n, 0);
	cr_assert_eq(by_addr(&f, BY_DNSBL, SERVER, CLIENT).n, 0);
	cr_assert_eq(by_addr(&f, BY_ASKER, NULL, CLIENT).n, 0);
	cr_assert_eq(by_addr(&f, BY_ASKER, NULL, SERVER).n, 0);
	dt_free(f.t);
	cr_assert_eq(f.r.n, 6);
}

/* Regression: with max_tx 0 the cap once freed the transaction it had just
 * created and then read it; the table now keeps at least one. */
Test(dnstrack, max_tx_zero_keeps_the_newest)
{
	struct rec r = {0};
	struct dt_table *t = table(60, 0, &r);
	struct mx_endpoint c = tk_ep(CLIENT, 40000), s = tk_ep(RESOLVER, 53);
	struct dns_tx *q1 =
		tk_query(t, &c, &s, 1, "a.example.org", DNS_T_A, 100.0);
	struct dns_tx *q2 =
		tk_query(t, &c, &s, 2, "b.example.org", DNS_T_A, 100.1);
	cr_assert_not_null(q1);
	cr_assert_not_null(q2);
	cr_assert_str_eq(q2->qname, "b.example.org");
	cr_assert_eq(stats(t).evicted, 1);
	cr_assert_eq(stats(t).live, 1);
	dt_free(t);
}

/* ---- time-bounded walks ---------------------------------------------------- */

/* The server asks five questions at 10..14 s; time bounds must skip what
 * cannot match and still find everything that can, also when the capture
 * holds a message out of time order. */
Test(dnstrack, time_bounded_walks_skip_only_what_cannot_match)
{
	struct rec r = {0};
	struct dt_table *t = table(1000, 100, &r);
	struct mx_endpoint srv = tk_ep(SERVER, 5353), res = tk_ep(RESOLVER, 53);
	struct mx_addr a = tk_addr(SERVER);
	struct hits h = {0};
	char name[32];

	for (unsigned i = 0; i < 5; i++) {
		snprintf(name, sizeof name, "q%u.example", i);
		tk_query(t, &srv, &res, (uint16_t)(i + 1), name, DNS_T_TXT,
			 10.0 + i);
	}
	dt_by_asker(t, &a, 0, 12.0, collect, &h);
	cr_assert_eq(h.n, 3, "asked at or before 12 s: q2, q1, q0");
	cr_assert_str_eq(h.tx[0]->qname, "q2.example", "newest first");
	memset(&h, 0, sizeof h);
	dt_by_asker(t, &a, 0, 9.0, collect, &h);
	cr_assert_eq(h.n, 0);

	/* same question again at 20 s: a walk from 15 s stops before 10 s */
	tk_query(t, &srv, &res, 99, "q0.example", DNS_T_TXT, 20.0);
	memset(&h, 0, sizeof h);
	dt_by_question(t, &a, "q0.example", DNS_T_TXT, 15.0, collect, &h);
	cr_assert_eq(h.n, 1);
	cr_assert_float_eq(h.tx[0]->query_t, 20.0, 1e-9);
	memset(&h, 0, sizeof h);
	dt_by_question(t, &a, "q0.example", DNS_T_TXT, -INFINITY, collect, &h);
	cr_assert_eq(h.n, 2);

	/* a message stamped 11.5 s read after the one of 20 s: the capture
	 * is out of order by 8.5 s, so a walk up to 12 s can skip nothing
	 * now, and a walk from 11 s still finds it */
	tk_query(t, &srv, &res, 100, "q0.example", DNS_T_TXT, 11.5);
	memset(&h, 0, sizeof h);
	dt_by_asker(t, &a, 0, 12.0, collect, &h);
	cr_assert_eq(h.n, 7);
	cr_assert_float_eq(h.tx[0]->query_t, 11.5, 1e-9);
	memset(&h, 0, sizeof h);
	dt_by_question(t, &a, "q0.example", DNS_T_TXT, 11.0, collect, &h);
	cr_assert_eq(h.n, 2, "the late one and 20 s; 10 s is before 11 s");
	dt_free(t);
	cr_assert_eq(r.n, 7);
}

/* Many askers come and go: their records are reused, and an asker's ring
 * grows past its first size and wraps around as its oldest expire. */
Test(dnstrack, asker_rings_grow_wrap_and_empty)
{
	struct dt_table *t = tk_dt_new(2, 100000, NULL, NULL);
	struct mx_endpoint res = tk_ep(RESOLVER, 53);
	struct mx_endpoint srv = tk_ep(SERVER, 5353);
	struct mx_addr a = tk_addr(SERVER);
	struct hits h = {0};
	char name[32];

	for (unsigned i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "n%u.example", i);
		tk_query(t, &srv, &res, (uint16_t)i, name, DNS_T_A, i * 0.1);
		/* a client asks once in a while: records come and go */
		if (i % 7 == 0) {
			struct mx_endpoint c = tk_ep(CLIENT, (uint16_t)(1024 + i));
			c.ip.a[3] = (uint8_t)i;
			tk_query(t, &c, &res, (uint16_t)i, name, DNS_T_MX, i * 0.1);
		}
		dt_expire(t, i * 0.1);
	}
	/* live: the server's lookups of the last 2 s, 27.9 .. 29.9 */
	dt_by_asker(t, &a, 0, INFINITY, collect, &h);
	cr_assert_eq(h.n, 21);
	cr_assert_str_eq(h.tx[0]->qname, "n299.example");
	cr_assert_str_eq(h.tx[20]->qname, "n279.example");
	dt_expire(t, 100.0);
	memset(&h, 0, sizeof h);
	dt_by_asker(t, &a, 0, INFINITY, collect, &h);
	cr_assert_eq(h.n, 0);
	cr_assert_eq(stats(t).live, 0);
	dt_free(t);
}
