/* test_delivery.c - unit tests for MX delivery groups (delivery.c): the
 * sessions from one client to the hosts of one domain's MX answer, and the
 * failover verdict decided at each new attempt's SYN (RFC 5321 section
 * 5.1: after a failed attempt the sender tries the next MX host; seed 004:
 * an Exchange IMS that kept retrying the host that accepted the handshake
 * but never sent a banner); the table's expiry and cap; and two verdicts
 * that were once wrong.  The outcome of each attempt is tested in
 * test_delivery_outcome.c.
 *
 * The lookups, sessions and attempts are built with testdl.h (which says
 * how).  Run under ASan too (make asan): a group freed while a session
 * still points at it shows up as a use-after-free.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnose/delivery.h"
#include "diagnose/findings.h"
#include "testdl.h" /* the fixture: lookups, attempts, outcomes */

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
