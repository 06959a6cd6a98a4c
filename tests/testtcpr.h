/* testtcpr.h - the recorder and the stream of the TCP reassembly tests
 * (test_tcpreasm.c, test_tcpreasm_edges.c).
 *
 * A recorder stands in for the SMTP dissector: it keeps every data and gap
 * callback in order, and the delivered bytes end to end.  Payloads are
 * slices of one deterministic "stream" (byte i of the direction is
 * stream_byte(i)), so a test can check that what came out is exactly the
 * stream with the holes it expects.  Sequence numbers are the ISN plus one
 * plus the stream offset, as on the wire.
 *
 * Everything is static inline: the Makefile builds only tests/test_*.c, and
 * an unused static inline function draws no warning.
 */
#ifndef MXRAY_TESTTCPR_H
#define MXRAY_TESTTCPR_H

#include <criterion/criterion.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/tcpreasm.h"

/* ---- recorder ------------------------------------------------------------ */

#define REC_MAX_EV 4096

struct rec_ev {
	char kind;      /* 'D' data, 'G' gap */
	uint64_t n;     /* bytes */
	double ts;
	size_t off;     /* for 'D': where its bytes start in rec.buf */
};

struct rec {
	struct rec_ev ev[REC_MAX_EV];
	size_t n;
	uint8_t *buf; /* every delivered byte, in order */
	size_t len, cap;
	uint64_t gap_bytes;
};

static inline void rec_data(void *ctx, const uint8_t *p, size_t len, double ts)
{
	struct rec *r = ctx;

	cr_assert_gt(len, 0, "a data callback with no bytes");
	cr_assert_lt(r->n, REC_MAX_EV, "too many callbacks");
	if (r->len + len > r->cap) {
		size_t cap = r->cap ? r->cap : 1024;
		while (cap < r->len + len)
			cap *= 2;
		r->buf = realloc(r->buf, cap);
		cr_assert_not_null(r->buf);
		r->cap = cap;
	}
	memcpy(r->buf + r->len, p, len);
	r->ev[r->n++] = (struct rec_ev){'D', len, ts, r->len};
	r->len += len;
}

static inline void rec_gap(void *ctx, uint64_t missing, double ts)
{
	struct rec *r = ctx;

	cr_assert_gt(missing, 0, "a gap of no bytes");
	cr_assert_lt(r->n, REC_MAX_EV, "too many callbacks");
	r->ev[r->n++] = (struct rec_ev){'G', missing, ts, r->len};
	r->gap_bytes += missing;
}

static const struct tcpr_ops ops = {rec_data, rec_gap};

static inline struct rec *rec_new(void)
{
	struct rec *r = calloc(1, sizeof(*r));
	cr_assert_not_null(r);
	return r;
}

static inline void rec_free(struct rec *r)
{
	free(r->buf);
	free(r);
}

/* The callbacks as a string: "D10 G5 D20". */
static inline const char *rec_str(const struct rec *r)
{
	static char s[8192];
	size_t o = 0;

	s[0] = '\0';
	for (size_t i = 0; i < r->n && o < sizeof(s) - 32; i++)
		o += (size_t)snprintf(s + o, sizeof(s) - o, "%s%c%llu",
				      i ? " " : "", r->ev[i].kind,
				      (unsigned long long)r->ev[i].n);
	return s;
}

#define expect_events(r, want)                                               \
	cr_expect_str_eq(rec_str(r), (want), "callbacks: got \"%s\", want "  \
			 "\"%s\"", rec_str(r), (want))

/* ---- the stream ------------------------------------------------------------ */

static inline uint8_t stream_byte(size_t i)
{
	return (uint8_t)(i * 131u + (i >> 8) * 7u + 1u);
}

#define STREAM_MAX (256 * 1024)
static uint8_t stream[STREAM_MAX];

static inline void stream_init(void)
{
	for (size_t i = 0; i < STREAM_MAX; i++)
		stream[i] = stream_byte(i);
}

/* One test's direction: the ISN, the half, the recorder. */
struct dir {
	uint32_t isn;
	struct tcpr_half h;
	struct rec *r;
};

static inline void dir_open(struct dir *d, uint32_t isn, bool syn)
{
	stream_init();
	d->isn = isn;
	tcpr_init(&d->h);
	d->r = rec_new();
	if (syn)
		tcpr_syn(&d->h, isn);
}

static inline void dir_close(struct dir *d)
{
	tcpr_free(&d->h);
	rec_free(d->r);
}

static inline uint32_t seq_at(const struct dir *d, size_t off)
{
	return d->isn + 1u + (uint32_t)off;
}

/* Stream bytes [from, from + wire), of which the first caplen captured. */
static inline void seg_cut(struct dir *d, size_t from, size_t caplen,
			   size_t wire, double ts)
{
	cr_assert_leq(from + caplen, STREAM_MAX, "the test ran off the stream");
	tcpr_segment(&d->h, seq_at(d, from), stream + from, caplen, wire,
		     false, ts, &ops, d->r);
}

/* Stream bytes [from, to) as one segment, all captured. */
static inline void seg(struct dir *d, size_t from, size_t to, double ts)
{
	seg_cut(d, from, to - from, to - from, ts);
}

/* The peer acknowledged every stream byte before off. */
static inline void ack(struct dir *d, size_t off, double ts)
{
	tcpr_ack(&d->h, seq_at(d, off), ts, &ops, d->r);
}

static inline void flush(struct dir *d, double ts)
{
	tcpr_flush(&d->h, ts, &ops, d->r);
}

/* The delivered bytes are the stream's ranges given as (from, to) pairs,
 * back to back. */
static inline void expect_ranges(const struct dir *d, size_t nranges,
				 const size_t *ranges)
{
	size_t o = 0;

	for (size_t k = 0; k < nranges; k++) {
		size_t from = ranges[2 * k], to = ranges[2 * k + 1];
		cr_assert_geq(d->r->len, o + (to - from),
			      "only %zu bytes delivered, range %zu wants "
			      "[%zu, %zu)", d->r->len, k, from, to);
		cr_expect_eq(memcmp(d->r->buf + o, stream + from, to - from), 0,
			     "delivered bytes %zu.. are not stream [%zu, %zu)",
			     o, from, to);
		o += to - from;
	}
	cr_expect_eq(d->r->len, o, "%zu bytes delivered, want %zu", d->r->len,
		     o);
}

/* expect_delivered(&d, from1, to1, from2, to2, ...): expect_ranges with
 * the pairs written in place and counted by the compiler. */
#define expect_delivered(d, ...)                                          \
	do {                                                              \
		const size_t r_[] = {__VA_ARGS__};                        \
		_Static_assert(sizeof(r_) % (2 * sizeof(r_[0])) == 0,     \
			       "ranges come in (from, to) pairs");        \
		expect_ranges((d), sizeof(r_) / (2 * sizeof(r_[0])), r_); \
	} while (0)

#endif
