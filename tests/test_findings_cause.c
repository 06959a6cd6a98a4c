/* test_findings_cause.c - the cause of a held-back greeting follows the
 * lookup that explains most of the wait (issue 10, item 13): listed
 * first, and the remedy is written for it. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <string.h>

#include "base/pool.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "testkit.h"

#define T0 1000.0
#define ACK_T (T0 + 0.01)

static const struct fnd_config cfg = {
	.slow_banner = 2, .slow_dns = 1, .stall = 30, .slow_reply = 2};

/* A lookup of the server's, asked at tq and answered rtt later. */
static void lookup(struct session *s, const char *qname, uint16_t qtype,
		   double tq, double rtt, enum dns_relation rel)
{
	struct pool *pool = pool_new();
	struct dns_tx *tx = dns_tx_new(pool, qname);
	cr_assert_not_null(tx);
	pool_close(pool);
	tx->asker = tk_ep("203.0.113.25", 44444);
	tx->resolver = tk_ep("198.51.100.53", 53);
	tx->qtype = qtype;
	tx->has_query = tx->has_response = true;
	tx->query_t = tx->last_query_t = tq;
	tx->response_t = tq + rtt;
	sess_tie_dns(s, tx, rel);
	dns_tx_unref(tx);
}

/* A greeting at ACK_T + 4.02 after a fast PTR and the given slow one. */
static const struct finding *slow_banner(struct finding_list *l,
					 struct session **sp,
					 enum dns_relation slow_rel,
					 const char *slow_name)
{
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);
	tk_handshake(s, T0 + 0.005, ACK_T);
	lookup(s, "10.2.0.192.in-addr.arpa", DNS_T_PTR, ACK_T + 0.001, 0.002,
	       REL_PTR_OF_CLIENT);
	lookup(s, slow_name, DNS_T_A, ACK_T + 0.01, 4.0, slow_rel);
	tk_greeting(s, ACK_T + 4.02, 220, "mx ESMTP");
	s->close = CLOSE_FIN;
	s->close_t = s->last = ACK_T + 5;
	memset(l, 0, sizeof(*l));
	findings_eval(s, &cfg, l);
	*sp = s;
	return tk_get(l, F_BANNER_SLOW);
}

Test(findings_cause, a_slow_dnsbl_lookup_comes_first_with_its_remedy)
{
	struct finding_list l;
	struct session *s;
	const struct finding *f = slow_banner(&l, &s, REL_DNSBL_OF_CLIENT,
					      "10.2.0.192.bl.example.net");

	cr_assert_eq(f->n_cause, 2);
	cr_assert_eq(f->cause[0].rel, REL_DNSBL_OF_CLIENT);
	cr_assert_eq(f->cause[1].rel, REL_PTR_OF_CLIENT);
	cr_assert(strstr(f->summary, "bl.example.net") <
		  strstr(f->summary, "in-addr.arpa"), "%s", f->summary);
	tk_assert_has(f->remedy, "DNSBL");
	cr_assert_null(strstr(f->remedy, "PTR"), "%s", f->remedy);
	findings_clear(&l);
	sess_free(s);
}

Test(findings_cause, each_dominant_relation_has_its_remedy)
{
	static const struct {
		enum dns_relation rel;
		const char *name, *says;
	} cases[] = {
		{REL_A_OF_PTR_NAME, "mail.sender.example", "PTR name"},
		{REL_SENDER_DOMAIN, "sender.example", "sender's domain"},
		{REL_RECIPIENT_DOMAIN, "example.org", "recipient's domain"},
		{REL_PTR_OF_CLIENT, "10.2.0.192.in-addr.arpa", "PTR record"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct finding_list l;
		struct session *s;
		const struct finding *f =
			slow_banner(&l, &s, cases[i].rel, cases[i].name);
		cr_assert_eq(f->cause[0].rel, cases[i].rel);
		tk_assert_has(f->remedy, cases[i].says);
		findings_clear(&l);
		sess_free(s);
	}
}

/* A full cause list keeps the lookups that explain most: the slow one
 * asked last is not cut for eight fast ones asked before it. */
Test(findings_cause, the_dominant_lookup_survives_a_full_list)
{
	struct finding_list l = {0};
	const struct finding *f;
	char name[64];
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);

	tk_handshake(s, T0 + 0.005, ACK_T);
	lookup(s, "10.2.0.192.in-addr.arpa", DNS_T_PTR, ACK_T + 0.001, 0.5,
	       REL_PTR_OF_CLIENT);
	for (int i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "10.2.0.192.bl%d.example.net", i);
		lookup(s, name, DNS_T_A, ACK_T + 0.6 + 0.01 * i, 0.002,
		       REL_DNSBL_OF_CLIENT);
	}
	lookup(s, "10.2.0.192.slow.example.net", DNS_T_A, ACK_T + 0.7, 4.0,
	       REL_DNSBL_OF_CLIENT);
	tk_greeting(s, ACK_T + 4.8, 220, "mx ESMTP");
	s->close = CLOSE_FIN;
	s->close_t = s->last = ACK_T + 5;
	findings_eval(s, &cfg, &l);
	f = tk_get(&l, F_BANNER_SLOW);
	cr_assert_eq(f->n_cause, FINDING_MAX_CAUSE);
	cr_assert_str_eq(f->cause[0].tx->qname, "10.2.0.192.slow.example.net");
	cr_assert_eq(f->cause[1].rel, REL_PTR_OF_CLIENT);
	tk_assert_has(f->remedy, "DNSBL");
	findings_clear(&l);
	sess_free(s);
}
