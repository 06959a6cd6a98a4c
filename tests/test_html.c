/* test_html.c - the HTML report's pieces: escaping of hostile packet
 * strings, the ladder's compressed time scale, the bounded set of ladders
 * (it keeps the worst), the summary's histograms, and a whole session
 * block with hostile strings in it. */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/html_chart.h"
#include "report/html_ladder.h"
#include "report/report_html.h"
#include "testkit.h"

static char *esc(const char *s, size_t n, size_t max, bool *cut)
{
	static struct textbuf b;
	bool c;
	tb_clear(&b);
	c = hx_esc_n(&b, s, n, max);
	if (cut)
		*cut = c;
	tb_putc(&b, '\0');
	return b.p;
}

Test(html, escapes_markup_quotes_and_bad_bytes)
{
	cr_assert_str_eq(esc("<script>alert(\"x\")</script>&'", SIZE_MAX, 0, NULL),
			 "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
			 "&amp;&#39;");
	cr_assert_str_eq(esc("\"><img src=x onerror=alert(1)>", SIZE_MAX, 0,
			     NULL),
			 "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;");
	/* control bytes, invalid UTF-8, overlong forms, surrogates */
	cr_assert_str_eq(esc("a\x01\x7f" "b", SIZE_MAX, 0, NULL), "a??b");
	cr_assert_str_eq(esc("\xff\xfe", SIZE_MAX, 0, NULL), "??");
	cr_assert_str_eq(esc("\xc0\xaf", SIZE_MAX, 0, NULL), "??");
	cr_assert_str_eq(esc("\xed\xa0\x80", SIZE_MAX, 0, NULL), "???");
	cr_assert_str_eq(esc("\xf4\x90\x80\x80", SIZE_MAX, 0, NULL), "????");
	/* valid UTF-8 stays; a sequence cut by the length is not read on */
	cr_assert_str_eq(esc("caf\xc3\xa9 \xe2\x82\xac", SIZE_MAX, 0, NULL),
			 "caf\xc3\xa9 \xe2\x82\xac");
	cr_assert_str_eq(esc("a\xc3\xa9", 2, 0, NULL), "a?");
	cr_assert_str_eq(esc("abc", 2, 0, NULL), "ab");
	/* line breaks become spaces: no markup can start on a new line */
	cr_assert_str_eq(esc("250-a\n250 b\r\t", SIZE_MAX, 0, NULL),
			 "250-a 250 b  ");
	cr_assert_str_eq(esc("", SIZE_MAX, 0, NULL), "");
}

Test(html, cuts_at_max_chars_counting_characters)
{
	bool cut;
	cr_assert_str_eq(esc("abcdef", SIZE_MAX, 3, &cut), "abc&#8230;");
	cr_assert(cut);
	cr_assert_str_eq(esc("abc", SIZE_MAX, 3, &cut), "abc");
	cr_assert(!cut);
	/* an escaped character counts as one; a multibyte one too */
	cr_assert_str_eq(esc("<\xc3\xa9>x", SIZE_MAX, 3, &cut),
			 "&lt;\xc3\xa9&gt;&#8230;");
	cr_assert(cut);
}

Test(html, time_scale_is_monotonic_and_squeezes_long_gaps)
{
	double prev = 0;
	cr_assert_eq(hx_gap_px(0), 0);
	cr_assert_eq(hx_gap_px(-3), 0);
	cr_assert_eq(hx_gap_px(NAN), 0);
	for (double dt = 1e-6; dt < 1e6; dt *= 1.01) {
		double px = hx_gap_px(dt);
		cr_assert(px > prev, "not increasing at %g s", dt);
		prev = px;
	}
	/* linear for short gaps, continuous where the log part starts */
	cr_assert_float_eq(hx_gap_px(0.5), 0.5 * HX_PX_PER_S, 1e-9);
	cr_assert_float_eq(hx_gap_px(HX_LINEAR_S),
			   HX_LINEAR_S * HX_PX_PER_S, 1e-9);
	cr_assert_float_eq(hx_gap_px(HX_LINEAR_S * (1 + 1e-9)),
			   HX_LINEAR_S * HX_PX_PER_S, 1e-6);
	/* a 4 s banner wait stays visible, a long one is squeezed */
	cr_assert(hx_gap_px(4) > 3 * HX_ROW);
	cr_assert(hx_gap_px(600) < 300);
	cr_assert(hx_gap_px(600) / 600 < HX_PX_PER_S / 100);
	cr_assert(hx_gap_px(86400) < 400);
	cr_assert(!hx_gap_breaks(0.5));
	cr_assert(!hx_gap_breaks(HX_LINEAR_S));
	cr_assert(hx_gap_breaks(4));
}

static int key_cmp(const void *a, const void *b)
{
	const struct rh_key *x = a, *y = b;
	return rh_worse(x, y) ? -1 : rh_worse(y, x) ? 1 : 0;
}

Test(html, bounded_set_keeps_the_worst)
{
	enum { N = 3000, CAP = 50 };
	static struct rh_key all[N];
	struct rh_pick p = {calloc(CAP, sizeof(struct rh_entry)), 0, CAP};
	size_t evicted = 0, rejected = 0;
	unsigned long long s = 42;
	for (size_t i = 0; i < N; i++) {
		struct rh_entry e = {0}, out;
		s ^= s << 13, s ^= s >> 7, s ^= s << 17;
		all[i].sev = (int)(s % 3);
		all[i].delay = (double)(s >> 20 & 1023) / 16; /* ties happen */
		all[i].seq = i;
		e.key = all[i];
		if (!rh_pick_wants(&p, &e.key)) {
			rejected++;
			continue;
		}
		if (rh_pick_put(&p, &e, &out)) {
			evicted++;
			/* what leaves is less bad than all that stay */
			cr_assert(rh_worse(&p.v[0].key, &out.key));
		}
		cr_assert_leq(p.n, CAP);
	}
	cr_assert_eq(p.n, CAP);
	cr_assert_eq(evicted + rejected + CAP, N);
	qsort(all, N, sizeof all[0], key_cmp);
	qsort(p.v, p.n, sizeof p.v[0], key_cmp); /* key first in the entry */
	for (size_t i = 0; i < CAP; i++)
		cr_assert_eq(p.v[i].key.seq, all[i].seq, "rank %zu", i);
	free(p.v);
}

/* Over the byte budget the least bad leave first, one at a time, and the
 * heap stays a heap: what is left is always the worst. */
Test(html, pop_takes_the_least_bad_first)
{
	enum { CAP = 16 };
	struct rh_pick p = {calloc(CAP, sizeof(struct rh_entry)), 0, CAP};
	struct rh_entry out;
	for (size_t i = 0; i < CAP; i++) {
		struct rh_entry e = {0};
		e.key.sev = (int)(i % 3);
		e.key.delay = (double)((i * 7) % 11);
		e.key.seq = i;
		rh_pick_put(&p, &e, &out);
	}
	for (size_t n = CAP; n > 1; n--) {
		rh_pick_pop(&p, &out);
		cr_assert_eq(p.n, n - 1);
		for (size_t i = 0; i < p.n; i++)
			cr_assert(rh_worse(&p.v[i].key, &out.key) ||
				  !rh_worse(&out.key, &p.v[i].key),
				  "a worse entry left before entry %zu", i);
	}
	free(p.v);
}

Test(html, log_bins_and_time_bins)
{
	struct hc_loghist h = {0};
	struct hc_timehist t = {0};
	cr_assert_eq(hc_log_bin(0.0005), 0);
	cr_assert_eq(hc_log_bin(NAN), 0);
	cr_assert_eq(hc_log_bin(0.001), 1);
	cr_assert_eq(hc_log_bin(4.03), 15);
	cr_assert_eq(hc_log_bin(999), 24);
	cr_assert_eq(hc_log_bin(1000), 25);
	cr_assert_eq(hc_log_bin(1e300), 25);
	hc_loghist_add(&h, 4.03, 2.0);
	hc_loghist_add(&h, 0.02, 2.0);
	cr_assert_eq(h.total, 2);
	cr_assert_eq(h.over, 1);
	/* sessions in any order, earlier and later than the first: all
	 * counted, each in the bin that covers its time */
	static const double when[] = {1700000100.5, 1700000000.0, 1700000700.0,
				      1699990000.0, 1700086400.0, 1700000100.7};
	for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
		hc_timehist_add(&t, when[i], (int)(i % 4));
		for (size_t j = 0; j <= i; j++) {
			double k = floor((when[j] - t.origin) / t.width);
			cr_assert(k >= 0 && k < HC_TIME_BINS, "time %zu", j);
		}
	}
	cr_assert_eq(hc_timehist_total(&t), 6);
	hc_timehist_add(&t, INFINITY, 1);
	cr_assert_eq(hc_timehist_total(&t), 6);
}

Test(html, session_block_escapes_what_came_from_packets)
{
	struct session *s = tk_session("192.0.2.10", 40120, "203.0.113.25",
				       1700000000.0);
	struct finding_list fl = {0};
	struct fnd_config cfg;
	struct tl_scratch sc = {0};
	struct textbuf b = {0};
	fnd_config_defaults(&cfg);
	snprintf(s->id, sizeof s->id, "S1");
	tk_handshake(s, 1700000000.006, 1700000000.013);
	/* the handshake's facts; its events as the flow layer adds them */
	sess_add_event(s, 1700000000.0, EV_SYN, ACTOR_CLIENT);
	sess_add_event(s, 1700000000.006, EV_SYN_ACK, ACTOR_SERVER);
	sess_add_event(s, 1700000000.013, EV_ACK, ACTOR_CLIENT);
	tk_greeting(s, 1700000004.043, 220,
		    "mx1 \"><script>alert(1)</script> ESMTP");
	tk_command(s, 1700000004.05, SMTP_CMD_EHLO, "EHLO",
		   "<img src=x onerror=alert(2)>");
	tk_reply(s, 1700000004.06, SMTP_CMD_EHLO, "EHLO", 1700000004.05, 250,
		 "ok & '<b>'");
	findings_eval(s, &cfg, &fl);
	hx_session(&b, s, &fl, &cfg, &sc);
	tb_putc(&b, '\0');
	cr_assert_null(strstr(b.p, "<script"));
	cr_assert_null(strstr(b.p, "<img"));
	cr_assert_null(strstr(b.p, "<b>'"));
	tk_assert_has(b.p, "&lt;script&gt;");
	tk_assert_has(b.p, "banner.slow");
	tk_assert_has(b.p, "banner wait 4.030 s");
	tk_assert_has(b.p, "<svg class=\"ladder\"");
	/* the 4 s wait is behind a break that says how long it was */
	tk_assert_has(b.p, "class=\"brk\"");
	tk_assert_has(b.p, ">4.030 s</text>");
	tb_free(&b);
	free(sc.items);
	findings_clear(&fl);
	sess_free(s);
}

Test(html, resolvers_past_three_share_the_last_column_which_says_so)
{
	struct session *s = tk_session("192.0.2.10", 40120, "203.0.113.25",
				       1700000000.0);
	struct dt_table *t = tk_dt_new(600, 1000, NULL, NULL);
	struct mx_endpoint srv = tk_ep("203.0.113.25", 33000);
	struct finding_list fl = {0};
	struct fnd_config cfg;
	struct tl_scratch sc = {0};
	struct textbuf b = {0};
	const char *res[] = {"198.51.100.1", "198.51.100.2", "198.51.100.3",
			     "198.51.100.4", "198.51.100.5"};
	fnd_config_defaults(&cfg);
	snprintf(s->id, sizeof s->id, "S1");
	tk_handshake(s, 1700000000.006, 1700000000.013);
	sess_add_event(s, 1700000000.0, EV_SYN, ACTOR_CLIENT);
	for (int i = 0; i < 5; i++) { /* the server asks five resolvers */
		struct mx_endpoint r = tk_ep(res[i], 53);
		char name[64];
		snprintf(name, sizeof name, "q%d.example", i);
		sess_tie_dns(s, tk_lookup(t, &srv, &r,
					  tk_answer_addr((uint16_t)(i + 1), name,
							 "192.0.2.10"),
					  1700000000.02 + i * 0.5,
					  1700000000.3 + i * 0.5),
			     REL_OTHER);
	}
	tk_greeting(s, 1700000004.043, 220, "mx1 ESMTP");
	findings_eval(s, &cfg, &fl);
	hx_session(&b, s, &fl, &cfg, &sc);
	tb_putc(&b, '\0');
	tk_assert_has(b.p, "resolver 198.51.100.1");
	tk_assert_has(b.p, "resolver 198.51.100.2");
	tk_assert_has(b.p, "3 other resolvers");
	cr_assert_null(strstr(b.p, "resolver 198.51.100.3<"),
		       "the third column stands for three: %s", b.p);
	tb_free(&b);
	free(sc.items);
	findings_clear(&fl);
	sess_free(s);
	dt_free(t);
}
