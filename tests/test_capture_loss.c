/* test_capture_loss.c - packets a live capture dropped (issue 11): the
 * times of the drops reach the diagnose layer as spans; every session open
 * during one is marked capture_loss, and those of its findings that a
 * dropped packet could explain (a banner, a reply or an answer that "never
 * came") are uncertain, while what was seen (a reply code) stays sure.
 * Sessions wholly before or after the spans are untouched. */
#include <criterion/criterion.h>

#include <string.h>

#include "diagnose/diag.h"
#include "model/session.h"
#include "testkit.h"

#define T0 1000.0

struct seen {
	bool loss[8];
	bool uncertain_missing[8], uncertain_reply[8];
	size_t n;
	uint64_t dns_held;
	double stats_t;
};

static void on_session(void *ctx, const struct session *s,
		       const struct finding_list *fl)
{
	struct seen *v = ctx;
	cr_assert_lt(v->n, 8);
	v->loss[v->n] = s->capture_loss;
	for (size_t i = 0; i < fl->n; i++) {
		if (fl->v[i].code == F_BANNER_MISSING)
			v->uncertain_missing[v->n] = fl->v[i].uncertain;
		if (fl->v[i].code == F_TCP_REFUSED)
			v->uncertain_reply[v->n] = fl->v[i].uncertain;
	}
	v->n++;
}

static void on_stats(void *ctx, const struct flow_capstats *cs,
		     uint64_t dns_held)
{
	struct seen *v = ctx;
	v->stats_t = cs->now;
	v->dns_held = dns_held;
}

struct fixture {
	struct dt_table *dns;
	struct diag *d;
	struct seen seen;
};

static void fx_open(struct fixture *f)
{
	struct diag_config c = {.dns_window_s = 600, .max_groups = 64};
	struct diag_sink sink = {on_session, NULL, &f->seen, on_stats};
	memset(f, 0, sizeof(*f));
	fnd_config_defaults(&c.fnd);
	f->dns = tk_dt_new(600, 1000, NULL, NULL);
	f->d = diag_new(&c, f->dns, &sink);
	cr_assert_not_null(f->d);
}

static void fx_close(struct fixture *f)
{
	diag_free(f->d);
	dt_free(f->dns);
}

/* Handshake, then no greeting until the session ends at end. */
static void no_banner(struct fixture *f, double start, double end)
{
	struct session *s = tk_session("192.0.2.10", 40123, "203.0.113.25",
				       start);
	tk_handshake(s, start + 0.01, start + 0.02);
	s->close = CLOSE_FIN;
	s->close_t = s->last = end;
	diag_session_start(f->d, s);
	diag_session_done(f->d, s);
	sess_free(s);
}

/* A SYN answered by RST: seen, not inferred. */
static void refused(struct fixture *f, double start)
{
	struct session *s = tk_session("192.0.2.11", 40124, "203.0.113.25",
				       start);
	s->syns = 1;
	s->close = CLOSE_RST_SERVER;
	s->close_t = s->last = start + 0.001;
	diag_session_start(f->d, s);
	diag_session_done(f->d, s);
	sess_free(s);
}

static void drops(struct fixture *f, double from, double to)
{
	struct flow_capstats cs = {.now = to, .live = true,
				   .dropped_kernel = 5, .loss_from = from,
				   .loss_to = to};
	diag_capstats(f->d, &cs);
}

Test(capture_loss, sessions_open_during_drops_are_marked)
{
	struct fixture f;
	fx_open(&f);
	drops(&f, T0 + 10, T0 + 11);
	no_banner(&f, T0, T0 + 5);        /* over before the drops */
	no_banner(&f, T0 + 8, T0 + 40);   /* open across them */
	no_banner(&f, T0 + 10.5, T0 + 10.6); /* within them */
	no_banner(&f, T0 + 12, T0 + 40);  /* began after them */
	cr_assert_eq(f.seen.n, 4);
	cr_assert_not(f.seen.loss[0]);
	cr_assert(f.seen.loss[1]);
	cr_assert(f.seen.loss[2]);
	cr_assert_not(f.seen.loss[3]);
	cr_assert(f.seen.uncertain_missing[1], "a greeting may have been lost");
	cr_assert_not(f.seen.uncertain_missing[0]);
	cr_assert_not(f.seen.uncertain_missing[3]);
	fx_close(&f);
}

Test(capture_loss, what_was_seen_stays_sure)
{
	struct fixture f;
	fx_open(&f);
	drops(&f, T0, T0 + 1);
	refused(&f, T0 + 0.5);
	cr_assert_eq(f.seen.n, 1);
	cr_assert(f.seen.loss[0]);
	cr_assert_not(f.seen.uncertain_reply[0], "the RST was captured");
	fx_close(&f);
}

Test(capture_loss, spans_past_the_bound_merge_and_still_mark)
{
	struct fixture f;
	fx_open(&f);
	/* 200 separate spans, 10 s apart: more than the diag keeps; the
	 * oldest merge, so a session in the first still counts */
	for (int i = 0; i < 200; i++)
		drops(&f, T0 + 10.0 * i, T0 + 10.0 * i + 0.5);
	no_banner(&f, T0 + 0.1, T0 + 0.2);
	no_banner(&f, T0 + 1992.0, T0 + 1993.0); /* after the last span */
	no_banner(&f, T0 + 1990.2, T0 + 1990.3); /* within it */
	cr_assert(f.seen.loss[0], "the oldest drops are merged, not forgotten");
	cr_assert_not(f.seen.loss[1], "the newest spans are kept exact");
	cr_assert(f.seen.loss[2]);
	fx_close(&f);
}

Test(capture_loss, counters_reach_the_sink_with_the_dns_held)
{
	struct fixture f;
	struct flow_capstats cs = {.now = T0 + 3, .packets = 10};
	fx_open(&f);
	diag_capstats(f.d, &cs);
	cr_assert_float_eq(f.seen.stats_t, T0 + 3, 1e-9);
	cr_assert_eq(f.seen.dns_held, 0);
	no_banner(&f, T0, T0 + 1);
	cr_assert_not(f.seen.loss[0], "counters without drops mark nothing");
	fx_close(&f);
}
