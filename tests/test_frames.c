/* test_frames.c - the frames kept for -w (model/frames.c) and their
 * writer (report/pcapout.c): a chain gives back what it was given; a
 * session over its cap keeps its first and its last frames; the pool's
 * cap refuses frames and counts them; a DNS frame is taken once, and is
 * gone once expired; sessions handed over out of order are written in
 * capture order, a DNS frame tied to two of them once, and a frame that
 * comes after a later one was written is counted. */
#include <criterion/criterion.h>

#include <pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/frames.h"
#include "report/pcapout.h"

/* A frame numbered seq of n bytes; the bytes start with seq. */
static struct fr_frame frame(uint64_t seq, uint32_t n, uint8_t *buf)
{
	memset(buf, (int)(seq & 0xff), n);
	memcpy(buf, &seq, n < 8 ? n : 8);
	return (struct fr_frame){seq, 1700000000 + (int64_t)seq, 0, n, n + 4,
				 buf};
}

Test(frames, chain_gives_back_every_frame_in_order)
{
	static uint8_t buf[10000];
	struct fr_pool *p = fr_pool_new(FR_POOL_MAX);
	struct fr_chain c = {0};
	struct fr_cursor cur;
	struct fr_frame f;
	uint64_t n = 0;

	for (uint64_t s = 1; s <= 100; s++) {
		uint32_t len = s == 50 ? 10000 : (uint32_t)(40 + s * 7);
		struct fr_frame in = frame(s, len, buf);
		cr_assert(fr_chain_add(p, &c, &in, 0));
	}
	cr_assert_eq(c.frames, 100);
	for (bool more = fr_first(&c, &cur, &f); more; more = fr_next(&cur, &f)) {
		uint64_t seq;
		n++;
		cr_assert_eq(f.seq, n);
		cr_assert_eq(f.caplen, n == 50 ? 10000 : 40 + n * 7);
		cr_assert_eq(f.len, f.caplen + 4);
		cr_assert_eq(f.sec, 1700000000 + (int64_t)n);
		memcpy(&seq, f.bytes, 8);
		cr_assert_eq(seq, n);
		cr_assert_eq(f.bytes[f.caplen - 1], (uint8_t)(n & 0xff));
	}
	cr_assert_eq(n, 100);
	fr_chain_release(p, &c);
	cr_assert_eq(fr_pool_used(p), 0);
	fr_pool_free(p);
}

Test(frames, over_its_cap_a_session_keeps_its_beginning_and_its_end)
{
	static uint8_t buf[1000];
	const size_t max = 64 << 10;
	struct fr_pool *p = fr_pool_new(FR_POOL_MAX);
	struct fr_chain c = {0};
	struct fr_cursor cur;
	struct fr_frame f;
	uint64_t prev = 0, gaps = 0, first_run = 0, n = 0;

	for (uint64_t s = 1; s <= 1000; s++) {
		struct fr_frame in = frame(s, 1000, buf);
		fr_chain_add(p, &c, &in, max);
	}
	cr_assert_leq(c.bytes, max + (4 << 10));
	cr_assert_eq(c.frames + c.dropped, 1000);
	cr_assert_gt(c.dropped, 800);
	for (bool more = fr_first(&c, &cur, &f); more; more = fr_next(&cur, &f)) {
		if (f.seq != prev + 1)
			gaps++;
		else if (!gaps)
			first_run = f.seq;
		prev = f.seq;
		n++;
	}
	cr_assert_eq(n, c.frames);
	cr_assert_eq(gaps, 1, "one hole, in the middle");
	cr_assert_eq(prev, 1000, "the last frame is kept");
	/* the chunks of the first half of the cap: three 1000-byte frames
	 * fit in a 4 KiB chunk */
	cr_assert_geq(first_run, 3 * (max / 2 / (4 << 10)) - 3, "kept %llu",
		      (unsigned long long)first_run);
	fr_chain_release(p, &c);
	fr_pool_free(p);
}

Test(frames, the_pool_cap_refuses_frames_and_counts_them)
{
	static uint8_t buf[1000];
	struct fr_pool *p = fr_pool_new(16 << 10);
	struct fr_chain a = {0}, b = {0};
	uint64_t kept = 0;

	for (uint64_t s = 1; s <= 100; s++) {
		struct fr_frame in = frame(s, 1000, buf);
		kept += fr_chain_add(p, s % 2 ? &a : &b, &in, 0);
	}
	cr_assert_leq(fr_pool_used(p), 16 << 10);
	cr_assert_gt(kept, 0);
	cr_assert_lt(kept, 20);
	cr_assert_eq(a.dropped + b.dropped, 100 - kept);
	fr_chain_release(p, &a);
	fr_chain_release(p, &b);
	cr_assert_eq(fr_pool_used(p), 0);
	cr_assert_leq(fr_pool_peak(p), 16 << 10);
	fr_pool_free(p);
}

Test(frames, a_dns_frame_is_taken_once_and_gone_once_expired)
{
	static uint8_t buf[3000];
	struct fr_pool *p = fr_pool_new(FR_POOL_MAX);
	struct fr_dns *d = fr_dns_new(p, FR_DNS_MAX);
	struct fr_frame f;

	/* a chunk each (3000 bytes), at 1700000010, 20, 30, 40 */
	for (uint64_t s = 10; s <= 40; s += 10) {
		struct fr_frame in = frame(s, 3000, buf);
		cr_assert(fr_dns_add(d, &in));
	}
	cr_assert_eq(fr_dns_oldest_untaken(d, 0), 10);
	cr_assert_eq(fr_dns_take(d, 20, &f), 1);
	cr_assert_eq(f.seq, 20);
	cr_assert_eq(f.caplen, 3000);
	cr_assert_eq(fr_dns_take(d, 20, &f), 0, "taken before");
	cr_assert_eq(fr_dns_take(d, 25, &f), -1, "never kept");
	cr_assert_eq(fr_dns_take(d, 10, &f), 1);
	cr_assert_eq(fr_dns_oldest_untaken(d, 0), 30);
	cr_assert_eq(fr_dns_oldest_untaken(d, 1700000035.0), 40);
	fr_dns_expire(d, 1700000035.0);
	cr_assert_eq(fr_dns_take(d, 30, &f), -1, "expired");
	cr_assert_eq(fr_dns_take(d, 40, &f), 1);
	cr_assert_eq(fr_dns_oldest_untaken(d, 0), UINT64_MAX);
	fr_dns_free(d);
	cr_assert_eq(fr_pool_used(p), 0);
	fr_pool_free(p);
}

/* ---- the writer ---- */

struct fixture {
	struct fr_pool *pool;
	struct fr_dns *dns;
	FILE *f;
	struct pcapout *po;
	struct dns_tx *tx;
	struct dns_tie tie;
	uint8_t buf[100];
};

static void open_writer(struct fixture *x)
{
	char err[MX_ERRBUF_SIZE];
	x->pool = fr_pool_new(FR_POOL_MAX);
	x->dns = fr_dns_new(x->pool, FR_DNS_MAX);
	cr_assert_not_null(x->f = tmpfile());
	x->po = pcapout_new(x->f, DLT_EN10MB, 65535, x->pool, x->dns, err);
	cr_assert_not_null(x->po, "%s", err);
	/* one lookup, frames 9 and 11, which two sessions tie */
	x->tx = calloc(1, sizeof(*x->tx) + 8);
	x->tx->frame_seq[0] = 9;
	x->tx->frame_seq[1] = 11;
	x->tx->n_frames = 2;
	x->tie = (struct dns_tie){x->tx, REL_OTHER};
	for (uint64_t s = 9; s <= 11; s += 2) {
		struct fr_frame in = frame(s, 60, x->buf);
		fr_dns_add(x->dns, &in);
	}
}

/* A session owning frames seqs[0..n), tying the lookup if tie. */
static void hand_over(struct fixture *x, const uint64_t *seqs, size_t n,
		      bool tie)
{
	struct session s;
	memset(&s, 0, sizeof(s));
	for (size_t i = 0; i < n; i++) {
		struct fr_frame in = frame(seqs[i], 60, x->buf);
		fr_chain_add(x->pool, &s.frames, &in, FR_SESSION_MAX);
	}
	s.dns = tie ? &x->tie : NULL;
	s.n_dns = tie;
	pcapout_session(x->po, &s);
	cr_assert_eq(s.frames.head, NULL, "the writer took the chunks");
}

/* The numbers of the frames in the file, in its order. */
static size_t read_back(struct fixture *x, uint64_t *seqs, size_t max)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	size_t n = 0;
	pcap_t *p;

	cr_assert_eq(pcapout_end(x->po), 0);
	fflush(x->f);
	rewind(x->f);
	cr_assert_not_null(p = pcap_fopen_offline(x->f, err), "%s", err);
	cr_assert_eq(pcap_datalink(p), DLT_EN10MB);
	while (n < max && pcap_next_ex(p, &h, &d) == 1) {
		cr_assert_eq(h->caplen, 60);
		cr_assert_eq(h->len, 64);
		memcpy(&seqs[n], d, 8);
		cr_assert_eq(h->ts.tv_sec, 1700000000 + (time_t)seqs[n]);
		n++;
	}
	pcap_close(p); /* closes x->f */
	return n;
}

static void close_writer(struct fixture *x)
{
	pcapout_free(x->po);
	fr_dns_free(x->dns);
	cr_assert_eq(fr_pool_used(x->pool), 0, "every chunk given back");
	fr_pool_free(x->pool);
	free(x->tx);
}

Test(pcapout, sessions_over_out_of_order_are_written_in_capture_order)
{
	struct fixture x;
	const uint64_t a[] = {1, 4, 7, 10}, b[] = {2, 3, 8}, c[] = {5, 6, 12};
	const uint64_t want[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
	uint64_t got[20];
	struct pcapout_stats st;
	size_t n;

	open_writer(&x);
	hand_over(&x, b, 3, true);
	/* A, which began with frame 1, is not over: nothing may go yet */
	pcapout_advance(x.po, 1, 1700000003.0, 1700000003.0);
	hand_over(&x, c, 3, true);
	hand_over(&x, a, 4, false);
	n = read_back(&x, got, 20);
	cr_assert_eq(n, 12);
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(got[i], want[i], "frame %zu is %llu", i,
			     (unsigned long long)got[i]);
	pcapout_get_stats(x.po, &st);
	cr_assert_eq(st.sessions, 3);
	cr_assert_eq(st.packets, 12);
	cr_assert_eq(st.out_of_order, 0);
	cr_assert_eq(st.dns_not_kept, 0);
	close_writer(&x);
}

Test(pcapout, a_frame_after_a_later_one_is_counted_out_of_order)
{
	struct fixture x;
	const uint64_t a[] = {1, 4}, b[] = {2, 3};
	uint64_t got[10];
	struct pcapout_stats st;

	open_writer(&x);
	hand_over(&x, b, 2, false);
	/* told wrongly that nothing before frame 5 can come: 2, 3 go */
	pcapout_advance(x.po, 5, 1700000100.0, 1700000100.0);
	hand_over(&x, a, 2, false);
	cr_assert_eq(read_back(&x, got, 10), 4);
	cr_assert_eq(got[0], 2);
	cr_assert_eq(got[2], 1);
	pcapout_get_stats(x.po, &st);
	cr_assert_eq(st.out_of_order, 1);
	close_writer(&x);
}

Test(pcapout, a_frame_waits_at_most_a_minute_for_an_earlier_session)
{
	struct fixture x;
	const uint64_t a[] = {1, 4}, b[] = {2, 3};
	uint64_t got[10];
	struct pcapout_stats st;

	open_writer(&x);
	hand_over(&x, b, 2, false);
	/* A, from frame 1, is still open: 59 s on B's frames still wait */
	pcapout_advance(x.po, 1, 1700000001.0, 1700000002.0 + PO_MAX_WAIT_S - 1);
	pcapout_get_stats(x.po, &st);
	cr_assert_eq(st.packets, 0);
	/* a minute on (capture time), they are written all the same */
	pcapout_advance(x.po, 1, 1700000001.0, 1700000003.0 + PO_MAX_WAIT_S + 1);
	pcapout_get_stats(x.po, &st);
	cr_assert_eq(st.packets, 2);
	hand_over(&x, a, 2, false);
	cr_assert_eq(read_back(&x, got, 10), 4);
	cr_assert_eq(got[0], 2);
	cr_assert_eq(got[2], 1);
	pcapout_get_stats(x.po, &st);
	cr_assert_eq(st.out_of_order, 1, "A's first frame came after B's");
	close_writer(&x);
}
