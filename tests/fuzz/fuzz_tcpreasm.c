/* fuzz_tcpreasm.c - libFuzzer target for TCP reassembly alone
 * (analyzer/flow/tcpreasm.c): the two halves of one connection, sharing
 * a hold budget as smtpflow.c's connections do, driven by a script of
 * segments, ACKs, SYNs, flushes and resets; at the end both halves are
 * flushed and freed.
 *
 *     input  := config rec*
 *     config : bit 7 = no shared budget (tcpr_half.budget NULL); else
 *              bits 0-6 = the budget's limit in 2 KiB steps (0: no hold)
 *     rec    := op args
 *     op     : bit 0 = direction d (0 or 1), bits 1-3 = kind,
 *              bit 4 ABS, bit 5 FIN, bit 6 CUT, bit 7 ACK (segments only)
 *     kind 0, 6  segment of d:  seq wire16 [cap8 if CUT] [ack if ACK]
 *     kind 7     the same, with 65536 added to wire (over TCPR_HOLD_MAX)
 *     kind 1     a pure ACK sent by d, acknowledging the other half: ack
 *     kind 2     the SYN of d: seq, the first data byte (ISN + 1)
 *     kind 3     tcpr_flush of half d
 *     kind 4     tcpr_free + tcpr_init of half d (the half reused)
 *     kind 5     clock step: u8, in 10 ms (every record adds 1 ms)
 *     seq, ack   ABS ? u32 : cursor + s16 (little endian); cursor[d] is
 *                where d's previous segment ended (seq + wire + FIN); an
 *                ACK counts from the cursor of the half it acknowledges
 *     cap8       bytes captured = wire * cap8 / 256 (a snaplen cut)
 *
 * A segment's ACK is given to the other half before the segment, as
 * flow/smtpflow.c does.  The script is decoded without looking at the module's
 * state, so an input means the same whatever tcpreasm.c does with it;
 * bytes after the last complete record are ignored.  make_corpus.py writes
 * the samples' TCP connections in this form.
 *
 * Payload bytes are not taken from the input: byte k of the sequence space
 * is a fixed function of k (period 2^18, which divides 2^32, so wrapped
 * segments stay consistent), so that every delivered byte can be checked
 * against its position.  Each segment's captured bytes are copied into a
 * heap block of exactly that size and freed after the call, so ASan sees
 * a read past the captured part or a pointer kept into the caller's buffer.
 *
 * Oracles (tcpreasm.h's promises), besides ASan/UBSan/LSan; any violation
 * abort()s:
 *   - callbacks: data of at least one byte, gaps of at least one, times
 *     the caller gave; nothing before the half has started;
 *   - order: the model's next (moved only by the callbacks) equals
 *     tcpr_half.next after every call; delivered / missing equal the sums
 *     of data and gap bytes;
 *   - content: each delivered byte is the byte of its sequence number, and
 *     lies inside the captured part of some segment fed to that half;
 *   - a gap ends at a sequence number the caller gave (a segment's start
 *     or wire end, an ACK) and never covers bytes the half holds, i.e.
 *     bytes captured ahead of next and not yet passed: those are
 *     delivered, not declared lost;
 *   - memory: held_bytes <= TCPR_HOLD_MAX per half; with a budget,
 *     used <= limit and used == the sum of both halves' held_bytes;
 *     held is NULL exactly when held_bytes is 0;
 *   - an ACK with nothing held declares the acknowledged bytes at once
 *     (a FIN's number excepted); tcpr_flush leaves nothing held and next
 *     at the acknowledged end; after tcpr_free nothing is held and the
 *     budget is back to 0;
 *   - a SYN before anything was delivered places next at ISN + 1; with
 *     another ISN than before, nothing held against the old one is kept.
 * Sequence numbers compare modulo 2^32 as in the module; where that is
 * undefined (exactly 2^31 apart, RFC 1982) or turns round (an ACK over
 * 2^31 behind), the oracles make no claim.
 *
 * FUZZ_TRACE=1 build/fuzz/fuzz_tcpreasm FILE prints every call and
 * callback, for triage.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flow/tcpreasm.h"
#include "fuzz_common.h"

#define FZ_PERIOD (1u << 18) /* of the payload pattern; divides 2^32 */
#define FZ_WIRE_MAX (65535u + 65536u)
#define FZ_BIG 65536u

enum { K_SEG = 0, K_ACK = 1, K_SYN = 2, K_FLUSH = 3, K_RESET = 4,
       K_CLOCK = 5, K_SEG2 = 6, K_BIG = 7 };
#define OP_ABS 0x10
#define OP_FIN 0x20
#define OP_CUT 0x40
#define OP_ACK 0x80

/* What the harness fed one half: captured ranges; pending = the part that
 * was ahead of next when fed and that no callback has passed since: the
 * half holds it (or delivers it in the very call). */
struct fz_fed {
	uint32_t seq, len;
	uint32_t ps, pe;
	bool pending;
};

struct fz_half {
	struct tcpr_half h;
	int dir;
	bool known;        /* exp_next valid: the half has started */
	uint32_t exp_next; /* moved by the callbacks only */
	uint64_t sum_data, sum_gap;
	uint32_t cursor;
	struct fz_fed *fed;
	size_t nfed, capfed;
	uint32_t *bound; /* sequence numbers a gap may end at */
	size_t nbound, capbound;
};

static uint8_t *fz_pattern; /* FZ_PERIOD + FZ_WIRE_MAX bytes */
static double fz_now;
static struct tcpr_budget fz_budget;
static bool fz_use_budget;
static struct fz_half fz_half[2];
static bool fz_trace; /* FUZZ_TRACE set: each call on stderr, for triage */

static void fz_die(const struct fz_half *fh, const char *what)
{
	fprintf(stderr, "fuzz_tcpreasm: half %d: invariant broken: %s\n",
		fh ? fh->dir : -1, what);
	abort();
}

static int32_t fz_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

static void *fz_grow(void *p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return p;
	*cap = *cap ? *cap * 2 : 64;
	while (*cap < need)
		*cap *= 2;
	p = realloc(p, *cap * elem);
	if (!p)
		fz_die(NULL, "out of memory in the harness");
	return p;
}

static void fz_add_bound(struct fz_half *fh, uint32_t s)
{
	fh->bound = fz_grow(fh->bound, &fh->capbound, fh->nbound + 1,
			    sizeof(*fh->bound));
	fh->bound[fh->nbound++] = s;
}

/* Is [s, s + n) inside the union of the captured ranges fed? */
static bool fz_covered(const struct fz_half *fh, uint32_t s, size_t n)
{
	while (n > 0) {
		size_t i, step = 0;
		for (i = 0; i < fh->nfed; i++) {
			uint32_t off = s - fh->fed[i].seq;
			if (off < fh->fed[i].len) {
				step = fh->fed[i].len - off;
				break;
			}
		}
		if (i == fh->nfed)
			return false;
		if (step > n)
			step = n;
		s += (uint32_t)step;
		n -= step;
	}
	return true;
}

/* A callback moved next over [a, a + n): pending ranges it reached
 * shrink from their start.  Done per callback, not per call: one call may
 * move next by 2^31 or more (gaps), after which positions compare the
 * other way round. */
static void fz_pass(struct fz_half *fh, uint32_t a, uint64_t n)
{
	for (size_t i = 0; i < fh->nfed; i++) {
		struct fz_fed *f = &fh->fed[i];
		uint32_t o = f->ps - a, left = f->pe - f->ps;
		if (!f->pending || o >= n)
			continue;
		if (n - o >= left)
			f->pending = false;
		else
			f->ps += (uint32_t)(n - o);
	}
}

static void fz_on_data(void *ctx, const uint8_t *buf, size_t len, double ts)
{
	struct fz_half *fh = ctx;

	if (fz_trace)
		fprintf(stderr, "  data %d %u +%zu\n", fh->dir, fh->exp_next,
			len);
	if (!fh->known)
		fz_die(fh, "data before the half started");
	if (len == 0 || !buf)
		fz_die(fh, "a data callback with no bytes");
	if (!(ts >= 0.0 && ts <= fz_now))
		fz_die(fh, "data with a time the caller never gave");
	/* one segment's bytes at most, so one slice of the pattern */
	if (len > FZ_WIRE_MAX ||
	    memcmp(buf, fz_pattern + (fh->exp_next & (FZ_PERIOD - 1)), len))
		fz_die(fh, "delivered bytes are not the bytes of their "
			   "sequence numbers");
	if (!fz_covered(fh, fh->exp_next, len))
		fz_die(fh, "delivered bytes that no captured segment had");
	fz_pass(fh, fh->exp_next, len);
	fh->exp_next += (uint32_t)len;
	fh->sum_data += len;
}

static void fz_on_gap(void *ctx, uint64_t missing, double ts)
{
	struct fz_half *fh = ctx;
	uint32_t a = fh->exp_next, end;
	bool ok = false;

	if (fz_trace)
		fprintf(stderr, "  gap  %d %u +%llu\n", fh->dir, a,
			(unsigned long long)missing);
	if (!fh->known)
		fz_die(fh, "a gap before the half started");
	if (missing == 0 || missing > INT32_MAX)
		fz_die(fh, "a gap of no bytes or of more than 2^31");
	if (!(ts >= 0.0 && ts <= fz_now))
		fz_die(fh, "a gap with a time the caller never gave");
	end = a + (uint32_t)missing;
	for (size_t i = 0; i < fh->nbound && !ok; i++)
		ok = fh->bound[i] == end;
	if (!ok)
		fz_die(fh, "a gap ends at a sequence number never given");
	for (size_t i = 0; i < fh->nfed; i++) {
		const struct fz_fed *f = &fh->fed[i];
		/* modulo 2^32: [a, end) meets [ps, pe) */
		if (f->pending && ((uint32_t)(f->ps - a) < missing ||
				   (uint32_t)(a - f->ps) < f->pe - f->ps)) {
			fprintf(stderr, "gap [%u, %u) over held [%u, %u)\n", a,
				end, f->ps, f->pe);
			fz_die(fh, "a gap covers captured bytes still held");
		}
	}
	fz_pass(fh, a, missing);
	fh->exp_next = end;
	fh->sum_gap += missing;
}

static const struct tcpr_ops fz_ops = {fz_on_data, fz_on_gap};

/* After every call on a half. */
static void fz_check(struct fz_half *fh)
{
	const struct tcpr_half *h = &fh->h;

	if (!h->started) {
		if (fh->known || h->delivered || h->missing || h->held)
			fz_die(fh, "not started, yet something happened");
	} else {
		if (!fh->known)
			fz_die(fh, "started without the harness knowing where");
		if (h->next != fh->exp_next)
			fz_die(fh, "next is not where the callbacks left it");
	}
	if (h->delivered != fh->sum_data)
		fz_die(fh, "delivered is not the sum of the data callbacks");
	if (h->missing != fh->sum_gap)
		fz_die(fh, "missing is not the sum of the gap callbacks");
	if (h->held_bytes > TCPR_HOLD_MAX)
		fz_die(fh, "more than TCPR_HOLD_MAX bytes held");
	if ((h->held == NULL) != (h->held_bytes == 0))
		fz_die(fh, "held and held_bytes disagree");
	if (fz_use_budget) {
		if (fz_budget.used > fz_budget.limit)
			fz_die(fh, "the shared budget is over its limit");
		if (fz_budget.used != fz_half[0].h.held_bytes +
					      fz_half[1].h.held_bytes)
			fz_die(fh, "the budget's use is not the bytes held");
	}
}

/* Where a half's ACK-driven or final gap must have brought next: the
 * acknowledgment, a FIN's own number left out.  Only when the ACK is
 * ahead of next: modulo 2^32 an ACK more than 2^31 away is behind, while
 * a FIN between them may still compare as ahead of next and behind the
 * ACK (no real window spans that). */
static void fz_check_acked_end(struct fz_half *fh, const char *what)
{
	const struct tcpr_half *h = &fh->h;
	uint32_t end = h->acked;

	if (!h->started || !h->have_ack || fz_diff(h->acked, h->next) <= 0)
		return;
	if (h->fin && fz_diff(end, h->fin_seq) > 0)
		end = h->fin_seq;
	if (fz_diff(end, h->next) > 0)
		fz_die(fh, what);
}

static void fz_half_init(struct fz_half *fh)
{
	tcpr_init(&fh->h);
	fh->h.budget = fz_use_budget ? &fz_budget : NULL;
	fh->known = false;
	fh->sum_data = fh->sum_gap = 0;
	for (size_t i = 0; i < fh->nfed; i++)
		fh->fed[i].pending = false;
}

static void fz_ack(struct fz_half *fh, uint32_t ack)
{
	bool held_before = fh->h.held != NULL;

	fz_add_bound(fh, ack);
	if (fz_trace)
		fprintf(stderr, "ack    %d %u\n", fh->dir, ack);
	tcpr_ack(&fh->h, ack, fz_now, &fz_ops, fh);
	fz_check(fh);
	if (!held_before && !fh->h.held)
		fz_check_acked_end(fh, "an ACK with nothing held left "
				       "acknowledged bytes undeclared");
}

static void fz_segment(struct fz_half *fh, uint32_t seq, uint32_t wire,
		       uint32_t cap, bool fin)
{
	uint8_t *p = NULL;
	uint32_t off = seq & (FZ_PERIOD - 1);

	if (cap > 0) {
		p = malloc(cap);
		if (!p)
			fz_die(NULL, "out of memory in the harness");
		memcpy(p, fz_pattern + off, cap);
		fh->fed = fz_grow(fh->fed, &fh->capfed, fh->nfed + 1,
				  sizeof(*fh->fed));
		fh->fed[fh->nfed] = (struct fz_fed){seq, cap, seq, seq + cap,
						    true};
		/* as deliver() sees it: bytes before next are old; exactly
		 * 2^31 away, neither before nor after (RFC 1982 leaves it
		 * undefined), the segment may be dropped */
		if (fh->h.started) {
			int32_t off = fz_diff(fh->h.next, seq);
			if ((off >= 0 && (uint32_t)off >= cap) ||
			    off == INT32_MIN)
				fh->fed[fh->nfed].pending = false;
			else if (off > 0)
				fh->fed[fh->nfed].ps = fh->h.next;
		}
		fh->nfed++;
	}
	fz_add_bound(fh, seq);
	fz_add_bound(fh, seq + wire);
	/* a stream starts at its first captured byte when no SYN came */
	if (!fh->h.started && cap > 0) {
		fh->known = true;
		fh->exp_next = seq;
	}
	if (fz_trace)
		fprintf(stderr, "seg    %d %u +%u (cap %u)%s\n", fh->dir, seq,
			wire, cap, fin ? " FIN" : "");
	tcpr_segment(&fh->h, seq, p, cap, wire, fin, fz_now, &fz_ops, fh);
	if (fz_trace)
		fprintf(stderr, "       next %u held %zu\n", fh->h.next,
			fh->h.held_bytes);
	free(p);
	fz_check(fh);
	fh->cursor = seq + wire + (fin ? 1u : 0u);
}

static void fz_syn(struct fz_half *fh, uint32_t first)
{
	uint64_t before = fh->h.delivered + fh->h.missing;
	bool moved = fh->h.started && fh->h.next != first;

	if (fz_trace)
		fprintf(stderr, "syn    %d %u\n", fh->dir, first - 1);
	tcpr_syn(&fh->h, first - 1);
	/* a SYN places next while nothing was delivered or lost yet; with
	 * another ISN, what was held belonged to the old one and is dropped */
	if (before == 0) {
		if (fh->h.next != first)
			fz_die(fh, "a SYN did not place next after the ISN");
		if (moved && fh->h.held)
			fz_die(fh, "a SYN with another ISN kept the old data");
		for (size_t i = 0; moved && i < fh->nfed; i++)
			fh->fed[i].pending = false;
		fh->known = true;
		fh->exp_next = first;
	}
	fz_check(fh);
	fh->cursor = first;
}

static void fz_flush(struct fz_half *fh)
{
	if (fz_trace)
		fprintf(stderr, "flush  %d\n", fh->dir);
	tcpr_flush(&fh->h, fz_now, &fz_ops, fh);
	fz_check(fh);
	if (fh->h.started && (fh->h.held || fh->h.held_bytes))
		fz_die(fh, "tcpr_flush left data held");
	fz_check_acked_end(fh, "tcpr_flush left acknowledged bytes "
			       "undeclared");
}

static void fz_free(struct fz_half *fh)
{
	tcpr_free(&fh->h);
	if (fh->h.held || fh->h.held_bytes)
		fz_die(fh, "tcpr_free left data held");
}

/* Little-endian reads; false when the input ends. */
static bool fz_take(const uint8_t **p, const uint8_t *end, size_t n,
		    uint32_t *v)
{
	*v = 0;
	if ((size_t)(end - *p) < n)
		return false;
	for (size_t i = 0; i < n; i++)
		*v |= (uint32_t)(*p)[i] << (8 * i);
	*p += n;
	return true;
}

/* seq or ack: absolute, or a signed 16-bit step from base */
static bool fz_take_seq(const uint8_t **p, const uint8_t *end, bool abs,
			uint32_t base, uint32_t *v)
{
	uint32_t raw;
	if (!fz_take(p, end, abs ? 4 : 2, &raw))
		return false;
	*v = abs ? raw : base + (uint32_t)(int32_t)(int16_t)(uint16_t)raw;
	return true;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_trace = getenv("FUZZ_TRACE") != NULL;
	fz_pattern = malloc(FZ_PERIOD + FZ_WIRE_MAX);
	if (!fz_pattern)
		fz_die(NULL, "out of memory in the harness");
	/* neighbours always differ (131 is odd), so an off-by-one shows */
	for (uint32_t i = 0; i < FZ_PERIOD + FZ_WIRE_MAX; i++) {
		uint32_t k = i & (FZ_PERIOD - 1);
		fz_pattern[i] = (uint8_t)(k * 131u + (k >> 8) * 7u +
					  (k >> 16) * 3u + 1u);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;

	if (size < 1)
		return 0;
	fz_use_budget = !(data[0] & 0x80);
	fz_budget.used = 0;
	fz_budget.limit = (size_t)(data[0] & 0x7f) * 2048;
	p++;
	fz_now = 0.0;
	for (int d = 0; d < 2; d++) {
		struct fz_half *fh = &fz_half[d];
		fh->dir = d;
		fh->nfed = fh->nbound = 0;
		fz_half_init(fh);
		/* near the wrap for one direction */
		fh->cursor = d ? 0xfffff000u : 1000u;
	}

	while (p < end) {
		uint8_t op = *p++;
		int d = op & 1, kind = (op >> 1) & 7;
		struct fz_half *fh = &fz_half[d], *peer = &fz_half[!d];
		bool abs = op & OP_ABS;
		uint32_t seq, wire, cap, ack, v;

		fz_now += 0.001;
		switch (kind) {
		case K_SEG:
		case K_SEG2:
		case K_BIG:
			if (!fz_take_seq(&p, end, abs, fh->cursor, &seq) ||
			    !fz_take(&p, end, 2, &wire))
				goto done;
			if (kind == K_BIG)
				wire += FZ_BIG;
			cap = wire;
			if (op & OP_CUT) {
				if (!fz_take(&p, end, 1, &v))
					goto done;
				cap = (uint32_t)(((uint64_t)wire * v) >> 8);
			}
			if (op & OP_ACK) {
				if (!fz_take_seq(&p, end, abs, peer->cursor,
						 &ack))
					goto done;
				fz_ack(peer, ack);
			}
			fz_segment(fh, seq, wire, cap, op & OP_FIN);
			break;
		case K_ACK:
			if (!fz_take_seq(&p, end, abs, peer->cursor, &ack))
				goto done;
			fz_ack(peer, ack);
			break;
		case K_SYN:
			if (!fz_take_seq(&p, end, abs, fh->cursor, &seq))
				goto done;
			fz_syn(fh, seq);
			break;
		case K_FLUSH:
			fz_flush(fh);
			break;
		case K_RESET:
			if (fz_trace)
				fprintf(stderr, "reset  %d\n", d);
			fz_free(fh);
			fz_half_init(fh);
			fz_check(fh);
			break;
		case K_CLOCK:
			if (!fz_take(&p, end, 1, &v))
				goto done;
			fz_now += v * 0.01;
			break;
		}
	}
done:
	/* the end of the connection, as flow/smtpflow.c ends a session */
	for (int d = 0; d < 2; d++)
		fz_flush(&fz_half[d]);
	for (int d = 0; d < 2; d++)
		fz_free(&fz_half[d]);
	if (fz_budget.used != 0)
		fz_die(NULL, "the budget is not back to 0 after tcpr_free");
	for (int d = 0; d < 2; d++) {
		struct fz_half *fh = &fz_half[d];
		free(fh->fed);
		free(fh->bound);
		fh->fed = NULL;
		fh->bound = NULL;
		fh->capfed = fh->capbound = 0;
	}
	return 0;
}
