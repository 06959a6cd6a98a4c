/* test_findings_cut.c - a capture that stops while the client waits for
 * the greeting (issue 10): banner.cut (info) with the server's lookups
 * still outstanding, not banner.missing, and no dns.timeout for a lookup
 * asked too shortly before the end; a wait already past --slow-banner
 * stays banner.missing. */
#include <criterion/criterion.h>

#include <string.h>

#include "base/pool.h"
#include "diagnose/findings.h"
#include "model/session.h"
#include "testkit.h"

#define T0 1000.0
#define ACK_T (T0 + 0.1)

static const struct fnd_config cfg = {
	.slow_banner = 2, .slow_dns = 1, .stall = 30, .slow_reply = 2};

/* Handshake done at ACK_T, then nothing until the capture ends at end. */
static struct session *cut_at(double end)
{
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25", T0);
	tk_handshake(s, T0 + 0.05, ACK_T);
	s->close = CLOSE_CAPTURE_END;
	s->close_t = s->last = end;
	return s;
}

/* The server's PTR of the client asked at tq, never answered. */
static struct dns_tx *ptr_asked(struct session *s, double tq)
{
	struct pool *pool = pool_new();
	struct dns_tx *tx = dns_tx_new(pool, "10.2.0.192.in-addr.arpa");
	cr_assert_not_null(tx);
	pool_close(pool);
	tx->asker = tk_ep("203.0.113.25", 44444);
	tx->resolver = tk_ep("198.51.100.53", 53);
	tx->qtype = DNS_T_PTR;
	tx->has_query = true;
	tx->query_t = tx->last_query_t = tq;
	sess_tie_dns(s, tx, REL_PTR_OF_CLIENT);
	dns_tx_unref(tx);
	return tx;
}

Test(findings_cut, a_short_wait_cut_by_the_capture_is_banner_cut)
{
	struct finding_list l = {0};
	const struct finding *f;
	struct session *s = cut_at(ACK_T + 0.6);
	struct dns_tx *ptr = ptr_asked(s, ACK_T + 0.001);
	findings_eval(s, &cfg, &l);
	cr_assert_eq(tk_count(&l, F_BANNER_MISSING), 0);
	cr_assert_eq(tk_count(&l, F_DNS_TIMEOUT), 0, "outstanding, not timed out");
	f = tk_get(&l, F_BANNER_CUT);
	cr_assert_eq(f->sev, SEV_INFO);
	cr_assert_float_eq(f->duration, 0.6, 1e-6);
	cr_assert_eq(f->n_cause, 1);
	cr_assert_eq(f->cause[0].tx, ptr);
	tk_assert_has(f->summary, "The capture ended 0.600 s into");
	tk_assert_has(f->summary, "still outstanding");
	cr_assert_eq(f->n_evidence, 2, "the wait and the lookup");
	tk_assert_has(f->evidence[1], "ptr_of_client");
	findings_clear(&l);
	sess_free(s);
}

Test(findings_cut, a_wait_past_slow_banner_is_still_missing)
{
	struct finding_list l = {0};
	struct session *s = cut_at(ACK_T + 2.5);
	ptr_asked(s, ACK_T + 0.001);
	findings_eval(s, &cfg, &l);
	cr_assert_eq(tk_count(&l, F_BANNER_CUT), 0);
	cr_assert_eq(tk_count(&l, F_BANNER_MISSING), 1);
	/* asked 2.5 s before the end: longer than --slow-dns, a timeout */
	cr_assert_eq(tk_count(&l, F_DNS_TIMEOUT), 1);
	findings_clear(&l);
	sess_free(s);
}

Test(findings_cut, a_closed_session_is_judged_as_before)
{
	/* the server closed without a greeting: banner.missing, however
	 * short the wait (the capture did not cut it) */
	struct finding_list l = {0};
	struct session *s = cut_at(ACK_T + 0.6);
	s->close = CLOSE_FIN;
	s->fin_server = true;
	s->fin_server_t = ACK_T + 0.6;
	findings_eval(s, &cfg, &l);
	cr_assert_eq(tk_count(&l, F_BANNER_CUT), 0);
	cr_assert_eq(tk_count(&l, F_BANNER_MISSING), 1);
	findings_clear(&l);
	sess_free(s);
}
