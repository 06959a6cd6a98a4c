/* test_correlate.c - unit tests for tying DNS transactions to an SMTP
 * session (the policy layer over the DNS table's indexes): the client's MX
 * and A-of-MX lookups before the SYN (RFC 5321 section 5.1), and the
 * server's PTR, forward-of-PTR, DNSBL (RFC 5782) and other lookups while
 * the client waits for the greeting.
 *
 * DNS messages are struct dns_msg values filled by hand; the session is a
 * calloc'ed struct session with only the facts correlation reads.
 * Addresses: client 192.0.2.10, server 203.0.113.25, resolver
 * 198.51.100.53; the first SYN is at t = 1000.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "correlate.h"

#define CLIENT "192.0.2.10"
#define SERVER "203.0.113.25"
#define RESOLVER "198.51.100.53"
#define PTR_NAME "10.2.0.192.in-addr.arpa"
#define T0 1000.0   /* first SYN */
#define WINDOW 600.0

/* ---- DNS messages ------------------------------------------------------- */

static struct mx_endpoint ep(const char *ip, uint16_t port)
{
	struct mx_endpoint e;
	memset(&e, 0, sizeof e);
	cr_assert_eq(mx_addr_parse(ip, &e.ip), 0, "bad test address %s", ip);
	e.port = port;
	return e;
}

static struct dns_msg *msg_new(uint16_t id, bool qr, const char *qname,
			       uint16_t qtype)
{
	struct dns_msg *m = calloc(1, sizeof *m);
	cr_assert_not_null(m);
	m->id = id;
	m->qr = qr;
	m->rd = true;
	m->qdcount = 1;
	m->has_question = true;
	snprintf(m->qname, sizeof m->qname, "%s", qname);
	m->qtype = qtype;
	m->qclass = 1;
	return m;
}

static struct dns_rr *rr_next(struct dns_rr *sec, size_t *n,
			      const char *owner, uint16_t type)
{
	struct dns_rr *rr;
	cr_assert_lt(*n, DNS_MAX_RRS);
	rr = &sec[(*n)++];
	memset(rr, 0, sizeof *rr);
	snprintf(rr->name, sizeof rr->name, "%s", owner);
	rr->type = type;
	rr->rclass = 1;
	rr->ttl = 60;
	return rr;
}

/* An A/AAAA record in the answer (or, glue, the additional) section. */
static void rr_addr(struct dns_msg *m, bool glue, const char *owner,
		    const char *ip)
{
	struct mx_endpoint e = ep(ip, 0);
	struct dns_rr *rr = glue ? rr_next(m->ar, &m->n_ar, owner, DNS_T_A)
				 : rr_next(m->an, &m->n_an, owner, DNS_T_A);
	if (e.ip.family == 6)
		rr->type = DNS_T_AAAA;
	rr->addr_len = e.ip.family == 4 ? 4 : 16;
	memcpy(rr->addr, e.ip.a, rr->addr_len);
	snprintf(rr->data, sizeof rr->data, "%s", ip);
	m->ancount = (uint16_t)m->n_an;
	m->arcount = (uint16_t)m->n_ar;
}

/* A PTR or MX answer (pref is ignored for PTR). */
static void rr_target(struct dns_msg *m, uint16_t type, unsigned pref,
		      const char *target)
{
	struct dns_rr *rr = rr_next(m->an, &m->n_an, m->qname, type);
	rr->pref = (uint16_t)pref;
	snprintf(rr->target, sizeof rr->target, "%s", target);
	if (type == DNS_T_MX)
		snprintf(rr->data, sizeof rr->data, "%u %s", pref, target);
	else
		snprintf(rr->data, sizeof rr->data, "%s", target);
	m->ancount = (uint16_t)m->n_an;
}

/* ---- fixture ------------------------------------------------------------- */

struct fx {
	struct dt_table *t;
	struct session *s;
	struct mx_endpoint cli, srv, res, srv_dns, cli_dns;
	uint16_t next_id;
};

static void fx_init(struct fx *f, const char *cli, const char *srv)
{
	struct dt_config cfg = {.window_s = WINDOW, .max_tx = 1000};

	memset(f, 0, sizeof *f);
	f->t = dt_new(&cfg, NULL, NULL);
	cr_assert_not_null(f->t);
	f->s = calloc(1, sizeof *f->s);
	cr_assert_not_null(f->s);
	f->cli = ep(cli, 40123);
	f->srv = ep(srv, 25);
	f->cli_dns = ep(cli, 33333);  /* the client host's resolver socket */
	f->srv_dns = ep(srv, 44444);  /* the server host's resolver socket */
	f->res = ep(strchr(cli, ':') ? "2001:db8:53::53" : RESOLVER, 53);
	f->next_id = 100;

	f->s->client = f->cli;
	f->s->server = f->srv;
	f->s->start = f->s->syn_t = T0;
	f->s->syns = 1;
	f->s->has_syn_ack = true;
	f->s->syn_ack_t = T0 + 0.05;
	f->s->syn_acks = 1;
	f->s->has_ack = true;
	f->s->ack_t = T0 + 0.1;
	f->s->last = T0 + 0.1;
}

static void fx_banner(struct fx *f, double t)
{
	f->s->has_banner = true;
	f->s->banner_t = t;
	f->s->banner_code = 220;
	f->s->last = t;
}

static void fx_fini(struct fx *f)
{
	sess_free(f->s);
	dt_free(f->t);
}

/* A lookup by asker: the query at tq, and when m is given (it is freed
 * here) the response at tr.  Returns the transaction. */
static struct dns_tx *lookup(struct fx *f, const struct mx_endpoint *asker,
			     struct dns_msg *m, double tq, double tr)
{
	struct dns_msg *q = msg_new(m->id, false, m->qname, m->qtype);
	struct dns_tx *tx = dt_message(f->t, q, asker, &f->res, false, tq);
	free(q);
	cr_assert_not_null(tx);
	if (tr > 0) {
		struct dns_tx *a = dt_message(f->t, m, &f->res, asker, false,
					      tr);
		cr_assert_eq(a, tx, "response did not match its query");
	}
	free(m);
	return tx;
}

static struct dns_msg *resp(struct fx *f, const char *qname, uint16_t qtype)
{
	return msg_new(f->next_id++, true, qname, qtype);
}

/* The relation tx is tied with, or -1. */
static int tie_of(const struct session *s, const struct dns_tx *tx)
{
	for (size_t i = 0; i < s->n_dns; i++)
		if (s->dns[i].tx == tx)
			return (int)s->dns[i].rel;
	return -1;
}

/* The client's MX lookup of example.org and its A lookup of the first
 * exchange, answered with mx_ip, both before the SYN. */
static void client_lookups(struct fx *f, const struct mx_endpoint *asker,
			   const char *mx_ip, struct dns_tx **mx,
			   struct dns_tx **a)
{
	struct dns_msg *m = resp(f, "example.org", DNS_T_MX);
	rr_target(m, DNS_T_MX, 10, "mx1.example.org");
	rr_target(m, DNS_T_MX, 20, "mx2.example.org");
	*mx = lookup(f, asker, m, T0 - 1.0, T0 - 0.95);
	m = resp(f, "mx1.example.org", DNS_T_A);
	rr_addr(m, false, "mx1.example.org", mx_ip);
	*a = lookup(f, asker, m, T0 - 0.9, T0 - 0.85);
}

/* ---- client side ---------------------------------------------------------- */

Test(correlate, client_mx_and_a_of_mx_before_syn_are_tied)
{
	struct fx f;
	struct dns_tx *mx, *a, *a2;
	struct dns_msg *m;

	fx_init(&f, CLIENT, SERVER);
	client_lookups(&f, &f.cli_dns, SERVER, &mx, &a);
	/* the other exchange resolves elsewhere: not this session's */
	m = resp(&f, "mx2.example.org", DNS_T_A);
	rr_addr(m, false, "mx2.example.org", "203.0.113.26");
	a2 = lookup(&f, &f.cli_dns, m, T0 - 0.8, T0 - 0.75);

	corr_client_side(f.t, f.s, WINDOW);
	cr_assert_eq(f.s->n_dns, 2);
	cr_assert_eq(tie_of(f.s, mx), REL_MX_OF_DOMAIN);
	cr_assert_eq(tie_of(f.s, a), REL_A_OF_MX);
	cr_assert_eq(tie_of(f.s, a2), -1);
	cr_assert_eq(mx->refs, 2, "the session holds one reference");
	cr_assert_eq(a->refs, 2);
	cr_assert_eq(mx->first_rel, REL_MX_OF_DOMAIN);
	cr_assert_eq(a->first_rel, REL_A_OF_MX);
	cr_assert_eq(a2->first_rel, -1);
	cr_assert_eq(a2->refs, 1, "only the table holds it");

	/* the table goes first; the session's references keep them alive */
	dt_free(f.t);
	cr_assert_eq(mx->refs, 1);
	cr_assert_str_eq(mx->qname, "example.org");
	cr_assert_str_eq(a->answers[0], SERVER);
	sess_free(f.s);
}

Test(correlate, the_same_lookups_by_another_host_are_not_tied)
{
	struct fx f;
	struct dns_tx *mx, *a;
	struct mx_endpoint other = ep("192.0.2.99", 33333);

	fx_init(&f, CLIENT, SERVER);
	client_lookups(&f, &other, SERVER, &mx, &a);
	corr_client_side(f.t, f.s, WINDOW);
	cr_assert_eq(f.s->n_dns, 0);
	cr_assert_eq(mx->refs, 1);
	cr_assert_eq(a->refs, 1);
	fx_fini(&f);
}

Test(correlate, client_lookups_answered_after_the_syn_are_not_tied)
{
	struct fx f;
	struct dns_msg *m;
	struct dns_tx *a;

	fx_init(&f, CLIENT, SERVER);
	m = resp(&f, "mx1.example.org", DNS_T_A);
	rr_addr(m, false, "mx1.example.org", SERVER);
	a = lookup(&f, &f.cli_dns, m, T0 + 2.0, T0 + 2.1);
	corr_client_side(f.t, f.s, WINDOW);
	cr_assert_eq(tie_of(f.s, a), -1);
	cr_assert_eq(f.s->n_dns, 0);
	fx_fini(&f);
}

Test(correlate, mx_answer_with_glue_for_the_server_is_mx_of_domain)
{
	struct fx f;
	struct dns_msg *m;
	struct dns_tx *mx;

	fx_init(&f, CLIENT, SERVER);
	m = resp(&f, "example.org", DNS_T_MX);
	rr_target(m, DNS_T_MX, 10, "mx1.example.org");
	rr_addr(m, true, "mx1.example.org", SERVER);
	mx = lookup(&f, &f.cli_dns, m, T0 - 0.3, T0 - 0.2);
	corr_client_side(f.t, f.s, WINDOW);
	cr_assert_eq(f.s->n_dns, 1);
	cr_assert_eq(tie_of(f.s, mx), REL_MX_OF_DOMAIN);
	fx_fini(&f);
}

/* ---- server side ---------------------------------------------------------- */

struct srv_lookups {
	struct dns_tx *old_ptr, *ptr, *a_ptr, *dnsbl, *other, *late_ptr;
	struct dns_tx *cli_ptr;
};

/* The banner comes at T0 + 5; the server asks, in order: a PTR for an
 * earlier connection (T0 - 5), the client's PTR (T0 + 0.2 .. T0 + 4.2),
 * the A of its answer, a DNSBL lookup, an unrelated name, and after the
 * banner another PTR.  The client host asks its own PTR too. */
static void server_lookups(struct fx *f, struct srv_lookups *l)
{
	struct dns_msg *m;

	m = resp(f, PTR_NAME, DNS_T_PTR);
	rr_target(m, DNS_T_PTR, 0, "mail.client.example");
	l->old_ptr = lookup(f, &f->srv_dns, m, T0 - 5.0, T0 - 4.9);
	m = resp(f, PTR_NAME, DNS_T_PTR);
	rr_target(m, DNS_T_PTR, 0, "Mail.Client.Example");
	l->ptr = lookup(f, &f->srv_dns, m, T0 + 0.2, T0 + 4.2);
	m = resp(f, "mail.client.example", DNS_T_A);
	rr_addr(m, false, "mail.client.example", CLIENT);
	l->a_ptr = lookup(f, &f->srv_dns, m, T0 + 4.21, T0 + 4.25);
	m = resp(f, "10.2.0.192.zen.example.net", DNS_T_A);
	m->rcode = DNS_R_NXDOMAIN;
	l->dnsbl = lookup(f, &f->srv_dns, m, T0 + 0.3, T0 + 0.4);
	m = resp(f, "www.unrelated.example", DNS_T_A);
	rr_addr(m, false, "www.unrelated.example", "198.51.100.80");
	l->other = lookup(f, &f->srv_dns, m, T0 + 1.0, T0 + 1.1);
	m = resp(f, PTR_NAME, DNS_T_PTR);
	rr_target(m, DNS_T_PTR, 0, "mail.client.example");
	l->late_ptr = lookup(f, &f->srv_dns, m, T0 + 6.0, T0 + 6.1);
	m = resp(f, PTR_NAME, DNS_T_PTR);
	l->cli_ptr = lookup(f, &f->cli_dns, m, T0 + 0.25, 0);
	fx_banner(f, T0 + 5.0);
}

Test(correlate, server_ptr_between_syn_and_banner_is_ptr_of_client)
{
	struct fx f;
	struct srv_lookups l;

	fx_init(&f, CLIENT, SERVER);
	server_lookups(&f, &l);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, l.ptr), REL_PTR_OF_CLIENT);
	cr_assert_eq(l.ptr->refs, 2);
	cr_assert_eq(tie_of(f.s, l.old_ptr), -1,
		     "a PTR asked before this SYN belongs to another session");
	cr_assert_eq(tie_of(f.s, l.cli_ptr), -1,
		     "the client asking its own PTR is not the server's lookup");
	fx_fini(&f);
}

Test(correlate, forward_lookup_of_the_ptr_answer_is_a_of_ptr_name)
{
	struct fx f;
	struct srv_lookups l;

	fx_init(&f, CLIENT, SERVER);
	server_lookups(&f, &l);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, l.a_ptr), REL_A_OF_PTR_NAME);
	fx_fini(&f);
}

Test(correlate, server_dnsbl_lookup_of_the_client_is_dnsbl_of_client)
{
	struct fx f;
	struct srv_lookups l;

	fx_init(&f, CLIENT, SERVER);
	server_lookups(&f, &l);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, l.dnsbl), REL_DNSBL_OF_CLIENT);
	fx_fini(&f);
}

Test(correlate, unrelated_server_lookup_during_the_wait_is_other)
{
	struct fx f;
	struct srv_lookups l;

	fx_init(&f, CLIENT, SERVER);
	server_lookups(&f, &l);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, l.other), REL_OTHER);
	/* exactly: ptr, a_ptr, dnsbl, other */
	cr_assert_eq(f.s->n_dns, 4);
	fx_fini(&f);
}

Test(correlate, ptr_asked_after_the_banner_is_not_ptr_of_client)
{
	struct fx f;
	struct srv_lookups l;

	fx_init(&f, CLIENT, SERVER);
	server_lookups(&f, &l);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_neq(tie_of(f.s, l.late_ptr), REL_PTR_OF_CLIENT);
	cr_assert_eq(tie_of(f.s, l.late_ptr), -1);
	cr_assert_eq(l.late_ptr->refs, 1);
	fx_fini(&f);
}

Test(correlate, calling_server_side_twice_does_not_duplicate_ties)
{
	struct fx f;
	struct srv_lookups l;
	size_t n;
	unsigned refs;

	fx_init(&f, CLIENT, SERVER);
	server_lookups(&f, &l);
	corr_server_side(f.t, f.s, f.s->banner_t);
	n = f.s->n_dns;
	refs = l.ptr->refs;
	cr_assert_eq(n, 4);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(f.s->n_dns, n);
	cr_assert_eq(l.ptr->refs, refs);
	cr_assert_eq(l.ptr->refs, 2, "table and one tie");
	cr_assert_eq(l.a_ptr->refs, 2);
	cr_assert_eq(tie_of(f.s, l.ptr), REL_PTR_OF_CLIENT);
	cr_assert_eq(tie_of(f.s, l.a_ptr), REL_A_OF_PTR_NAME,
		     "a second pass must not relabel a tie as other");
	fx_fini(&f);
}

Test(correlate, client_and_server_side_together)
{
	struct fx f;
	struct srv_lookups l;
	struct dns_tx *mx, *a;

	fx_init(&f, CLIENT, SERVER);
	client_lookups(&f, &f.cli_dns, SERVER, &mx, &a);
	corr_client_side(f.t, f.s, WINDOW);
	server_lookups(&f, &l);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(f.s->n_dns, 6);
	cr_assert_eq(tie_of(f.s, mx), REL_MX_OF_DOMAIN);
	cr_assert_eq(tie_of(f.s, a), REL_A_OF_MX);
	cr_assert_eq(tie_of(f.s, l.ptr), REL_PTR_OF_CLIENT);
	fx_fini(&f);
}

Test(correlate, no_other_ties_without_a_handshake)
{
	struct fx f;
	struct srv_lookups l;

	fx_init(&f, CLIENT, SERVER);
	f.s->has_syn_ack = f.s->has_ack = false;
	server_lookups(&f, &l);
	f.s->has_banner = false;
	corr_server_side(f.t, f.s, T0 + 5.0);
	cr_assert_eq(tie_of(f.s, l.other), -1);
	fx_fini(&f);
}

Test(correlate, ipv6_client_ptr_is_ptr_of_client)
{
	static const char v6rev[] =
		"0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0."
		"0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa";
	char rev[DNS_NAME_MAX];
	struct fx f;
	struct dns_msg *m;
	struct dns_tx *ptr, *a;

	fx_init(&f, "2001:db8::10", "2001:db8:1::25");
	dns_reverse_name(6, f.cli.ip.a, rev);
	cr_assert_str_eq(rev, v6rev);
	m = resp(&f, v6rev, DNS_T_PTR);
	rr_target(m, DNS_T_PTR, 0, "mail6.client.example");
	ptr = lookup(&f, &f.srv_dns, m, T0 + 0.2, T0 + 0.3);
	m = resp(&f, "mail6.client.example", DNS_T_AAAA);
	rr_addr(m, false, "mail6.client.example", "2001:db8::10");
	a = lookup(&f, &f.srv_dns, m, T0 + 0.31, T0 + 0.4);
	fx_banner(&f, T0 + 0.5);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, ptr), REL_PTR_OF_CLIENT);
	cr_assert_eq(tie_of(f.s, a), REL_A_OF_PTR_NAME);
	cr_assert_eq(f.s->n_dns, 2);
	fx_fini(&f);
}

/* ---- envelope domains: sender_domain / recipient_domain ------------------ */

static char **strv1(const char *a, const char *b)
{
	char **v = calloc(2, sizeof *v);
	cr_assert_not_null(v);
	v[0] = strdup(a);
	cr_assert_not_null(v[0]);
	if (b) {
		v[1] = strdup(b);
		cr_assert_not_null(v[1]);
	}
	return v;
}

/* MAIL FROM / RCPT TO as session.c stores them (sess_free frees them). */
static void fx_envelope(struct fx *f, const char *from, const char *rcpt1,
			const char *rcpt2)
{
	fx_banner(f, T0 + 0.5);
	f->s->mail_from = strv1(from, NULL);
	f->s->n_mail_from = 1;
	f->s->rcpt_to = strv1(rcpt1, rcpt2);
	f->s->n_rcpt_to = rcpt2 ? 2 : 1;
	f->s->last = T0 + 20;
}

/* A lookup answered 50 ms later with no records (enough for ties). */
static struct dns_tx *ask(struct fx *f, const struct mx_endpoint *asker,
			  const char *qname, uint16_t qtype, double tq)
{
	return lookup(f, asker, resp(f, qname, qtype), tq, tq + 0.05);
}

Test(correlate, envelope_lookups_of_the_sender_domain_are_sender_domain)
{
	struct fx f;
	struct dns_tx *spf, *mx, *a, *aaaa, *dmarc;

	fx_init(&f, CLIENT, SERVER);
	fx_envelope(&f, "alice@Sender.Example", "bob@example.org", NULL);
	spf = ask(&f, &f.srv_dns, "sender.example", DNS_T_TXT, T0 + 1.0);
	mx = ask(&f, &f.srv_dns, "sender.example", DNS_T_MX, T0 + 1.1);
	a = ask(&f, &f.srv_dns, "sender.example", DNS_T_A, T0 + 1.2);
	aaaa = ask(&f, &f.srv_dns, "sender.example", DNS_T_AAAA, T0 + 1.3);
	dmarc = ask(&f, &f.srv_dns, "_dmarc.sender.example", DNS_T_TXT,
		    T0 + 8.0);
	corr_envelope(f.t, f.s, T0 + 20);
	cr_assert_eq(tie_of(f.s, spf), REL_SENDER_DOMAIN);
	cr_assert_eq(tie_of(f.s, mx), REL_SENDER_DOMAIN);
	cr_assert_eq(tie_of(f.s, a), REL_SENDER_DOMAIN);
	cr_assert_eq(tie_of(f.s, aaaa), REL_SENDER_DOMAIN);
	cr_assert_eq(tie_of(f.s, dmarc), REL_SENDER_DOMAIN);
	cr_assert_eq(f.s->n_dns, 5);
	cr_assert_eq(spf->refs, 2, "the session holds one reference");
	cr_assert_eq(spf->first_rel, REL_SENDER_DOMAIN);
	cr_assert_str_eq(dns_relation_name(REL_SENDER_DOMAIN), "sender_domain");
	fx_fini(&f);
}

Test(correlate, envelope_lookups_of_a_recipient_domain_are_recipient_domain)
{
	struct fx f;
	struct dns_tx *mx1, *txt1, *mx2, *dmarc2;

	fx_init(&f, CLIENT, SERVER);
	fx_envelope(&f, "alice@sender.example", "bob@example.org",
		    "carol@Other.Example");
	mx1 = ask(&f, &f.srv_dns, "example.org", DNS_T_MX, T0 + 2.0);
	txt1 = ask(&f, &f.srv_dns, "example.org", DNS_T_TXT, T0 + 2.1);
	mx2 = ask(&f, &f.srv_dns, "other.example", DNS_T_MX, T0 + 3.0);
	dmarc2 = ask(&f, &f.srv_dns, "_dmarc.other.example", DNS_T_TXT,
		     T0 + 3.1);
	corr_envelope(f.t, f.s, T0 + 20);
	cr_assert_eq(tie_of(f.s, mx1), REL_RECIPIENT_DOMAIN);
	cr_assert_eq(tie_of(f.s, txt1), REL_RECIPIENT_DOMAIN);
	cr_assert_eq(tie_of(f.s, mx2), REL_RECIPIENT_DOMAIN);
	cr_assert_eq(tie_of(f.s, dmarc2), REL_RECIPIENT_DOMAIN);
	cr_assert_eq(f.s->n_dns, 4);
	cr_assert_str_eq(dns_relation_name(REL_RECIPIENT_DOMAIN),
			 "recipient_domain");
	fx_fini(&f);
}

Test(correlate, envelope_ignores_other_askers_other_names_and_other_times)
{
	struct fx f;
	struct dns_tx *by_client, *unrelated, *sub, *ptr_type, *before, *after,
		*own;
	struct mx_endpoint third = ep("198.51.100.99", 44444);

	fx_init(&f, CLIENT, SERVER);
	fx_envelope(&f, "alice@sender.example", "bob@example.org", NULL);
	/* the sending host checking its own domain, and a third host */
	by_client = ask(&f, &f.cli_dns, "sender.example", DNS_T_TXT, T0 + 1.0);
	ask(&f, &third, "sender.example", DNS_T_TXT, T0 + 1.05);
	/* the server asking about names that are not the envelope domains */
	unrelated = ask(&f, &f.srv_dns, "unrelated.example", DNS_T_TXT,
			T0 + 1.1);
	sub = ask(&f, &f.srv_dns, "mail.sender.example", DNS_T_A, T0 + 1.2);
	ptr_type = ask(&f, &f.srv_dns, "sender.example", DNS_T_PTR, T0 + 1.3);
	/* the right lookup, but for an earlier session or after this one */
	before = ask(&f, &f.srv_dns, "sender.example", DNS_T_TXT, T0 - 30);
	after = ask(&f, &f.srv_dns, "sender.example", DNS_T_TXT, T0 + 25);
	own = ask(&f, &f.srv_dns, "sender.example", DNS_T_TXT, T0 + 1.4);
	corr_envelope(f.t, f.s, T0 + 20);
	cr_assert_eq(tie_of(f.s, by_client), -1);
	cr_assert_eq(tie_of(f.s, unrelated), -1);
	cr_assert_eq(tie_of(f.s, sub), -1);
	cr_assert_eq(tie_of(f.s, ptr_type), -1);
	cr_assert_eq(tie_of(f.s, before), -1);
	cr_assert_eq(tie_of(f.s, after), -1);
	cr_assert_eq(tie_of(f.s, own), REL_SENDER_DOMAIN);
	cr_assert_eq(f.s->n_dns, 1, "the third host's lookup is not tied");
	cr_assert_eq(by_client->refs, 1);
	fx_fini(&f);
}

Test(correlate, envelope_null_sender_ties_nothing_and_twice_is_once)
{
	struct fx f;
	struct dns_tx *mx;

	fx_init(&f, CLIENT, SERVER);
	fx_envelope(&f, "", "bob@example.org", NULL); /* MAIL FROM:<> */
	ask(&f, &f.srv_dns, "sender.example", DNS_T_TXT, T0 + 1.0);
	mx = ask(&f, &f.srv_dns, "example.org", DNS_T_MX, T0 + 2.0);
	corr_envelope(f.t, f.s, T0 + 20);
	cr_assert_eq(f.s->n_dns, 1);
	cr_assert_eq(tie_of(f.s, mx), REL_RECIPIENT_DOMAIN);
	corr_envelope(f.t, f.s, T0 + 20);
	cr_assert_eq(f.s->n_dns, 1);
	cr_assert_eq(mx->refs, 2, "tied once");
	fx_fini(&f);
}

/* The sender's domain is also a recipient's: the MAIL FROM tie comes
 * first and is kept. */
Test(correlate, envelope_sender_domain_wins_over_recipient_domain)
{
	struct fx f;
	struct dns_tx *txt;

	fx_init(&f, CLIENT, SERVER);
	fx_envelope(&f, "alice@example.org", "bob@example.org", NULL);
	txt = ask(&f, &f.srv_dns, "example.org", DNS_T_TXT, T0 + 1.0);
	corr_envelope(f.t, f.s, T0 + 20);
	cr_assert_eq(tie_of(f.s, txt), REL_SENDER_DOMAIN);
	cr_assert_eq(f.s->n_dns, 1);
	fx_fini(&f);
}

/* A busy server asks about other clients while this one waits: their
 * PTRs, DNSBL entries and the forward checks of their PTR names are theirs,
 * not this session's "other"; a lookup of no client's name still is. */
Test(correlate, lookups_about_another_client_are_not_other)
{
	struct fx f;
	struct dns_msg *m;
	struct dns_tx *their_ptr, *their_a, *their_bl, *mine;

	fx_init(&f, CLIENT, SERVER);
	m = resp(&f, "77.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_target(m, DNS_T_PTR, 0, "relay.other.example");
	their_ptr = lookup(&f, &f.srv_dns, m, T0 + 0.2, T0 + 0.3);
	m = resp(&f, "relay.other.example", DNS_T_A);
	rr_addr(m, false, "relay.other.example", "192.0.2.77");
	their_a = lookup(&f, &f.srv_dns, m, T0 + 0.31, T0 + 0.4);
	m = resp(&f, "77.2.0.192.zen.example.net", DNS_T_A);
	m->rcode = DNS_R_NXDOMAIN;
	their_bl = lookup(&f, &f.srv_dns, m, T0 + 0.5, T0 + 0.6);
	m = resp(&f, "reputation.example.net", DNS_T_TXT);
	mine = lookup(&f, &f.srv_dns, m, T0 + 0.7, T0 + 2.0);
	fx_banner(&f, T0 + 3.0);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, their_ptr), -1);
	cr_assert_eq(tie_of(f.s, their_a), -1);
	cr_assert_eq(tie_of(f.s, their_bl), -1);
	cr_assert_eq(tie_of(f.s, mine), REL_OTHER);
	fx_fini(&f);
}

/* "other" starts at the handshake: a lookup asked in the moment before the
 * SYN was for something else. */
Test(correlate, other_starts_at_the_handshake)
{
	struct fx f;
	struct dns_msg *m;
	struct dns_tx *before, *after;

	fx_init(&f, CLIENT, SERVER);
	m = resp(&f, "before.example.net", DNS_T_TXT);
	before = lookup(&f, &f.srv_dns, m, T0 - 0.2, T0 + 0.5);
	m = resp(&f, "after.example.net", DNS_T_TXT);
	after = lookup(&f, &f.srv_dns, m, f.s->ack_t + 0.01, T0 + 0.5);
	fx_banner(&f, T0 + 1.0);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, before), -1);
	cr_assert_eq(tie_of(f.s, after), REL_OTHER);
	fx_fini(&f);
}
