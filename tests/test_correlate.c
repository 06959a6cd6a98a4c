/* test_correlate.c - unit tests for tying DNS transactions to an SMTP
 * session (the policy layer over the DNS table's indexes): the client's MX
 * and A-of-MX lookups before the SYN (RFC 5321 section 5.1), and the
 * server's PTR, forward-of-PTR, DNSBL (RFC 5782) and other lookups while
 * the client waits for the greeting.
 *
 * DNS messages are struct dns_msg values filled by hand (testkit.h); the
 * session is a calloc'ed struct session with only the facts correlation
 * reads.
 * Addresses: client 192.0.2.10, server 203.0.113.25, resolver
 * 198.51.100.53; the first SYN is at t = 1000.
 */
#include <criterion/criterion.h>

#include <stdlib.h>
#include <string.h>

#include "diagnose/correlate.h"
#include "testkit.h"

#define CLIENT "192.0.2.10"
#define SERVER "203.0.113.25"
#define RESOLVER "198.51.100.53"
#define PTR_NAME "10.2.0.192.in-addr.arpa"
#define T0 1000.0   /* first SYN */
#define WINDOW 600.0

/* ---- fixture ------------------------------------------------------------- */

struct fx {
	struct dt_table *t;
	struct session *s;
	struct mx_endpoint cli, res, srv_dns, cli_dns;
	uint16_t next_id;
};

/* A session from cli:40123 to srv:25, handshake done at T0 + 0.1. */
static void fx_init(struct fx *f, const char *cli, const char *srv)
{
	memset(f, 0, sizeof *f);
	f->t = tk_dt_new(WINDOW, 1000, NULL, NULL);
	f->s = tk_session(cli, 40123, srv, T0);
	tk_handshake(f->s, T0 + 0.05, T0 + 0.1);
	f->cli = f->s->client;
	f->cli_dns = tk_ep(cli, 33333); /* the client host's resolver socket */
	f->srv_dns = tk_ep(srv, 44444); /* the server host's resolver socket */
	f->res = tk_ep(strchr(cli, ':') ? "2001:db8:53::53" : RESOLVER, 53);
	f->next_id = 100;
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

/* A lookup by asker through the resolver: the query at tq, and unless
 * tr is 0 the response m at tr (m is freed here).  Returns the
 * transaction. */
static struct dns_tx *lookup(struct fx *f, const struct mx_endpoint *asker,
			     struct dns_msg *m, double tq, double tr)
{
	return tk_lookup(f->t, asker, &f->res, m, tq, tr);
}

/* Responses, each with the next id: no records, one address, one PTR. */
static struct dns_msg *resp(struct fx *f, const char *qname, uint16_t qtype)
{
	return tk_msg(f->next_id++, true, qname, qtype);
}

static struct dns_msg *resp_addr(struct fx *f, const char *qname,
				 const char *ip)
{
	return tk_answer_addr(f->next_id++, qname, ip);
}

static struct dns_msg *resp_ptr(struct fx *f, const char *qname,
				const char *target)
{
	return tk_answer_name(f->next_id++, qname, DNS_T_PTR, target);
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
 * exchange, answered with the server's address, both before the SYN. */
static void client_lookups(struct fx *f, const struct mx_endpoint *asker,
			   struct dns_tx **mx, struct dns_tx **a)
{
	struct dns_msg *m = resp(f, "example.org", DNS_T_MX);
	tk_add_mx(m, 10, "mx1.example.org");
	tk_add_mx(m, 20, "mx2.example.org");
	*mx = lookup(f, asker, m, T0 - 1.0, T0 - 0.95);
	*a = lookup(f, asker, resp_addr(f, "mx1.example.org", SERVER), T0 - 0.9,
		    T0 - 0.85);
}

/* ---- client side ---------------------------------------------------------- */

Test(correlate, client_mx_and_a_of_mx_before_syn_are_tied)
{
	struct fx f;
	struct dns_tx *mx, *a, *a2;

	fx_init(&f, CLIENT, SERVER);
	client_lookups(&f, &f.cli_dns, &mx, &a);
	/* the other exchange resolves elsewhere: not this session's */
	a2 = lookup(&f, &f.cli_dns,
		    resp_addr(&f, "mx2.example.org", "203.0.113.26"), T0 - 0.8,
		    T0 - 0.75);

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
	struct mx_endpoint other = tk_ep("192.0.2.99", 33333);

	fx_init(&f, CLIENT, SERVER);
	client_lookups(&f, &other, &mx, &a);
	corr_client_side(f.t, f.s, WINDOW);
	cr_assert_eq(f.s->n_dns, 0);
	cr_assert_eq(mx->refs, 1);
	cr_assert_eq(a->refs, 1);
	fx_fini(&f);
}

Test(correlate, client_lookups_answered_after_the_syn_are_not_tied)
{
	struct fx f;
	struct dns_tx *a;

	fx_init(&f, CLIENT, SERVER);
	a = lookup(&f, &f.cli_dns, resp_addr(&f, "mx1.example.org", SERVER),
		   T0 + 2.0, T0 + 2.1);
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
	tk_add_mx(m, 10, "mx1.example.org");
	tk_add_addr(m, true, "mx1.example.org", SERVER);
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
	const struct mx_endpoint *srv = &f->srv_dns;
	struct dns_msg *m;

	l->old_ptr = lookup(f, srv,
			    resp_ptr(f, PTR_NAME, "mail.client.example"),
			    T0 - 5.0, T0 - 4.9);
	l->ptr = lookup(f, srv, resp_ptr(f, PTR_NAME, "Mail.Client.Example"),
			T0 + 0.2, T0 + 4.2);
	l->a_ptr = lookup(f, srv, resp_addr(f, "mail.client.example", CLIENT),
			  T0 + 4.21, T0 + 4.25);
	m = resp(f, "10.2.0.192.zen.example.net", DNS_T_A);
	m->rcode = DNS_R_NXDOMAIN;
	l->dnsbl = lookup(f, srv, m, T0 + 0.3, T0 + 0.4);
	m = resp_addr(f, "www.unrelated.example", "198.51.100.80");
	l->other = lookup(f, srv, m, T0 + 1.0, T0 + 1.1);
	l->late_ptr = lookup(f, srv,
			     resp_ptr(f, PTR_NAME, "mail.client.example"),
			     T0 + 6.0, T0 + 6.1);
	l->cli_ptr = lookup(f, &f->cli_dns, resp(f, PTR_NAME, DNS_T_PTR),
			    T0 + 0.25, 0);
	fx_banner(f, T0 + 5.0);
}

/* A fresh session, server_lookups, then corr_server_side at the banner. */
static void server_side(struct fx *f, struct srv_lookups *l)
{
	fx_init(f, CLIENT, SERVER);
	server_lookups(f, l);
	corr_server_side(f->t, f->s, f->s->banner_t);
}

Test(correlate, server_ptr_between_syn_and_banner_is_ptr_of_client)
{
	struct fx f;
	struct srv_lookups l;

	server_side(&f, &l);
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

	server_side(&f, &l);
	cr_assert_eq(tie_of(f.s, l.a_ptr), REL_A_OF_PTR_NAME);
	fx_fini(&f);
}

Test(correlate, server_dnsbl_lookup_of_the_client_is_dnsbl_of_client)
{
	struct fx f;
	struct srv_lookups l;

	server_side(&f, &l);
	cr_assert_eq(tie_of(f.s, l.dnsbl), REL_DNSBL_OF_CLIENT);
	fx_fini(&f);
}

Test(correlate, unrelated_server_lookup_during_the_wait_is_other)
{
	struct fx f;
	struct srv_lookups l;

	server_side(&f, &l);
	cr_assert_eq(tie_of(f.s, l.other), REL_OTHER);
	/* exactly: ptr, a_ptr, dnsbl, other */
	cr_assert_eq(f.s->n_dns, 4);
	fx_fini(&f);
}

Test(correlate, ptr_asked_after_the_banner_is_not_ptr_of_client)
{
	struct fx f;
	struct srv_lookups l;

	server_side(&f, &l);
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

	server_side(&f, &l);
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
	client_lookups(&f, &f.cli_dns, &mx, &a);
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
	struct dns_tx *ptr, *a;

	fx_init(&f, "2001:db8::10", "2001:db8:1::25");
	dns_reverse_name(6, f.cli.ip.a, rev);
	cr_assert_str_eq(rev, v6rev);
	ptr = lookup(&f, &f.srv_dns,
		     resp_ptr(&f, v6rev, "mail6.client.example"), T0 + 0.2,
		     T0 + 0.3);
	a = lookup(&f, &f.srv_dns,
		   resp_addr(&f, "mail6.client.example", "2001:db8::10"),
		   T0 + 0.31, T0 + 0.4);
	fx_banner(&f, T0 + 0.5);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, ptr), REL_PTR_OF_CLIENT);
	cr_assert_eq(tie_of(f.s, a), REL_A_OF_PTR_NAME);
	cr_assert_eq(f.s->n_dns, 2);
	fx_fini(&f);
}

/* ---- envelope domains: sender_domain / recipient_domain ------------------ */

static char **strv1(struct session *s, const char *a, const char *b)
{
	char **v = calloc(2, sizeof *v);
	cr_assert_not_null(v);
	v[0] = sess_strdup(s, a);
	cr_assert_not_null(v[0]);
	if (b) {
		v[1] = sess_strdup(s, b);
		cr_assert_not_null(v[1]);
	}
	return v;
}

/* MAIL FROM / RCPT TO as session.c stores them: the strings in the
 * session's arena, the arrays freed by sess_free. */
static void fx_envelope(struct fx *f, const char *from, const char *rcpt1,
			const char *rcpt2)
{
	fx_banner(f, T0 + 0.5);
	f->s->mail_from = strv1(f->s, from, NULL);
	f->s->n_mail_from = 1;
	f->s->rcpt_to = strv1(f->s, rcpt1, rcpt2);
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
	struct mx_endpoint third = tk_ep("198.51.100.99", 44444);

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
	their_ptr = lookup(&f, &f.srv_dns,
			   resp_ptr(&f, "77.2.0.192.in-addr.arpa",
				    "relay.other.example"),
			   T0 + 0.2, T0 + 0.3);
	their_a = lookup(&f, &f.srv_dns,
			 resp_addr(&f, "relay.other.example", "192.0.2.77"),
			 T0 + 0.31, T0 + 0.4);
	m = resp(&f, "77.2.0.192.zen.example.net", DNS_T_A);
	m->rcode = DNS_R_NXDOMAIN;
	their_bl = lookup(&f, &f.srv_dns, m, T0 + 0.5, T0 + 0.6);
	mine = lookup(&f, &f.srv_dns,
		      resp(&f, "reputation.example.net", DNS_T_TXT), T0 + 0.7,
		      T0 + 2.0);
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
	struct dns_tx *before, *after;

	fx_init(&f, CLIENT, SERVER);
	before = lookup(&f, &f.srv_dns,
			resp(&f, "before.example.net", DNS_T_TXT), T0 - 0.2,
			T0 + 0.5);
	after = lookup(&f, &f.srv_dns, resp(&f, "after.example.net", DNS_T_TXT),
		       f.s->ack_t + 0.01, T0 + 0.5);
	fx_banner(&f, T0 + 1.0);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, before), -1);
	cr_assert_eq(tie_of(f.s, after), REL_OTHER);
	fx_fini(&f);
}

/* ---- the walk repeated before the report ------------------------------------ */

/* A lookup stamped with the banner's own microsecond but read after it
 * (the walk at the banner could not see it): the walk before the report
 * must tie it, although it otherwise skips a period it has walked. */
Test(correlate, repeat_walk_sees_a_lookup_stamped_with_the_banner_time)
{
	struct fx f;
	struct dns_tx *ptr, *late, *after;

	fx_init(&f, CLIENT, SERVER);
	ptr = lookup(&f, &f.srv_dns, resp_ptr(&f, PTR_NAME, "mail.client.example"),
		     T0 + 0.2, T0 + 0.3);
	fx_banner(&f, T0 + 0.5);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, ptr), REL_PTR_OF_CLIENT);
	late = lookup(&f, &f.srv_dns, resp(&f, "policy.example", DNS_T_TXT),
		      T0 + 0.5, T0 + 0.6);
	after = lookup(&f, &f.srv_dns, resp(&f, "later.example", DNS_T_TXT),
		       T0 + 0.7, T0 + 0.8);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, late), REL_OTHER);
	cr_assert_eq(tie_of(f.s, after), -1, "asked after the banner");
	cr_assert_eq(f.s->n_dns, 2);
	fx_fini(&f);
}

/* The forward check of another client's PTR name is not this session's
 * "other" while that PTR answer is in the window; once it has left, the
 * repeated walk ties it (as a walk made only then would). */
Test(correlate, repeat_walk_after_a_ptr_answer_left_the_window)
{
	struct fx f;
	struct dns_tx *fwd;
	struct dt_stats st;

	fx_init(&f, CLIENT, SERVER);
	dt_free(f.t);
	f.t = tk_dt_new(5.0, 1000, NULL, NULL); /* a short window */
	lookup(&f, &f.srv_dns, resp_ptr(&f, "11.2.0.192.in-addr.arpa",
					"mx.other.example"),
	       T0 + 0.15, T0 + 0.16);
	fwd = lookup(&f, &f.srv_dns, resp_addr(&f, "mx.other.example",
					       "192.0.2.11"),
		     T0 + 0.2, T0 + 0.25);
	fx_banner(&f, T0 + 0.5);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, fwd), -1, "about another client");
	/* the PTR leaves the window (5 s), the A just after it */
	dt_expire(f.t, T0 + 5.155);
	dt_get_stats(f.t, &st);
	cr_assert_eq(st.live, 1);
	corr_server_side(f.t, f.s, f.s->banner_t);
	cr_assert_eq(tie_of(f.s, fwd), REL_OTHER);
	fx_fini(&f);
}
