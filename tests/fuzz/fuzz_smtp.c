/* fuzz_smtp.c - libFuzzer target for the SMTP dissector (dissectors/smtp.c:
 * RFC 5321, 2920 PIPELINING, 3030 BDAT, 3207 STARTTLS, 4954 AUTH, XEXCH50).
 *
 * The input is a little script of pieces, each fed in order:
 *
 *     input := piece*
 *     piece := ctl len_lo len_hi data[len]     bytes: smtp_feed
 *            | ctl len_lo len_hi               gap: smtp_gap(len bytes lost)
 *     ctl   : bit 0 = direction (0 client, 1 server),
 *             bit 1 = a gap (no data follows),
 *             bits 2-7 = capture time added before the piece, in 10 ms
 *     len   : little-endian; data is clipped to the bytes left; a gap of
 *             0xffff stands for 2^41 + 3 bytes (past any size smtp.c trusts)
 *
 * Bytes after the last complete piece header are ignored.  After the last
 * piece, smtp_finish.  tests/fuzz/make_corpus.py writes the samples' port-25
 * streams in this form.
 *
 * Oracles, besides ASan/UBSan:
 *   - every event is well formed (direction, strings never NULL and
 *     within the buffers smtp.h names, reply codes 100..599, or 0 with
 *     an enhanced status code of class 2, 4 or 5 opening the text);
 *   - smtp.c promises that feeding a stream whole or one byte at a time
 *     gives the same events: a second pass feeds every piece byte by byte
 *     and the digests of the two event sequences must agree.  TLS events are
 *     one per feed call by design, so a run of TLS events of one direction
 *     counts as one event with the bytes summed; timestamps are left out.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp.h"
#include "fuzz_common.h"

#define FZ_TICK 0.01

struct fz_piece {
	enum smtp_dir dir;
	bool gap;      /* gap bytes lost, p unused */
	uint64_t gap_bytes;
	double ts;
	const uint8_t *p;
	size_t len;
};

/* The running digest of one pass. */
struct fz_digest {
	uint64_t h;
	size_t events;
	/* a run of TLS events of one direction, not yet hashed */
	int tls_pending;
	enum smtp_dir tls_dir;
	uint64_t tls_bytes;
};

static void fz_die(const char *what)
{
	fprintf(stderr, "fuzz_smtp: oracle failed: %s\n", what);
	abort();
}

static void fz_mix(struct fz_digest *d, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++) {
		d->h ^= b[i];
		d->h *= 0x100000001b3ULL;
	}
}

static void fz_mix_u64(struct fz_digest *d, uint64_t v)
{
	fz_mix(d, &v, sizeof(v));
}

static void fz_mix_str(struct fz_digest *d, const char *s)
{
	fz_mix(d, s, strlen(s) + 1);
}

static void fz_flush_tls(struct fz_digest *d)
{
	if (!d->tls_pending)
		return;
	d->events++;
	fz_mix_u64(d, SMTP_EV_TLS);
	fz_mix_u64(d, d->tls_dir);
	fz_mix_u64(d, d->tls_bytes);
	d->tls_pending = 0;
	d->tls_bytes = 0;
}

static void fz_check_str(const char *s, size_t cap, const char *what)
{
	if (!s)
		fz_die(what);
	/* strnlen reads at most cap bytes: ASan flags a missing NUL */
	if (strnlen(s, cap) >= cap)
		fz_die(what);
}

static void fz_on_event(void *ctx, const struct smtp_event *ev)
{
	struct fz_digest *d = ctx;

	if (ev->dir != SMTP_FROM_CLIENT && ev->dir != SMTP_FROM_SERVER)
		fz_die("event direction out of range");
	if ((unsigned)ev->cmd >= SMTP_CMD__COUNT)
		fz_die("event cmd out of range");
	fz_check_str(ev->verb, SMTP_LINE_MAX, "verb not a string");
	fz_check_str(ev->args, SMTP_ARGS_MAX, "args longer than SMTP_ARGS_MAX");
	fz_check_str(ev->text, SMTP_TEXT_MAX, "text longer than SMTP_TEXT_MAX");
	fz_check_str(smtp_cmd_name(ev->cmd), 64, "smtp_cmd_name");
	if (ev->kind == SMTP_EV_REPLY && ev->code == 0 &&
	    !((ev->text[0] == '2' || ev->text[0] == '4' ||
	       ev->text[0] == '5') && ev->text[1] == '.'))
		fz_die("reply code 0 without an enhanced status code");
	if (ev->kind == SMTP_EV_REPLY && ev->code != 0 &&
	    (ev->code < 100 || ev->code > 599))
		fz_die("reply code outside 100..599");
	if (ev->kind == SMTP_EV_REPLY && ev->lines < 1)
		fz_die("reply with no line");
	if (ev->kind == SMTP_EV_ANOMALY) {
		if ((unsigned)ev->anomaly >= SMTP_ANOM__COUNT ||
		    ev->anomaly == SMTP_ANOM_NONE)
			fz_die("anomaly out of range");
		fz_check_str(smtp_anomaly_name(ev->anomaly), 64,
			     "smtp_anomaly_name");
	}

	if (ev->kind == SMTP_EV_TLS) {
		if (d->tls_pending && d->tls_dir != ev->dir)
			fz_flush_tls(d);
		d->tls_pending = 1;
		d->tls_dir = ev->dir;
		d->tls_bytes += ev->bytes;
		return;
	}
	fz_flush_tls(d);
	d->events++;
	fz_mix_u64(d, ev->kind);
	fz_mix_u64(d, ev->dir);
	fz_mix_u64(d, ev->cmd);
	fz_mix_str(d, ev->verb);
	fz_mix_str(d, ev->args);
	fz_mix_u64(d, (uint64_t)ev->code);
	fz_mix_str(d, ev->text);
	fz_mix_u64(d, (uint64_t)ev->lines);
	fz_mix_u64(d, ev->greeting);
	fz_mix_u64(d, ev->bytes);
	fz_mix_u64(d, ev->blob_of);
	fz_mix_u64(d, ev->anomaly);
}

/* Split the script; returns the number of pieces (at most max). */
static size_t fz_split(const uint8_t *data, size_t size, struct fz_piece *out,
		       size_t max)
{
	size_t n = 0, i = 0;
	double ts = 1700000000.0;

	while (n < max && size - i >= 3) {
		uint8_t ctl = data[i];
		size_t len = (size_t)data[i + 1] | (size_t)data[i + 2] << 8;
		i += 3;
		out[n].gap = (ctl & 2) != 0;
		out[n].gap_bytes = len == 0xffff ? ((uint64_t)1 << 41) + 3 : len;
		if (!out[n].gap && len > size - i)
			len = size - i;
		ts += (ctl >> 2) * FZ_TICK;
		out[n].dir = (ctl & 1) ? SMTP_FROM_SERVER : SMTP_FROM_CLIENT;
		out[n].ts = ts;
		out[n].p = data + i;
		out[n].len = len;
		n++;
		if (!out[n - 1].gap)
			i += len;
	}
	return n;
}

static void fz_pass(const struct fz_piece *pc, size_t n, int bytewise,
		    struct fz_digest *d)
{
	struct smtp_state *st = smtp_new();

	memset(d, 0, sizeof(*d));
	d->h = 0xcbf29ce484222325ULL;
	if (!st)
		return;
	for (size_t i = 0; i < n; i++) {
		if (pc[i].gap) {
			smtp_gap(st, pc[i].dir, pc[i].gap_bytes, pc[i].ts, fz_on_event,
				 d);
			continue;
		}
		if (!bytewise) {
			smtp_feed(st, pc[i].dir, pc[i].p, pc[i].len, pc[i].ts,
				  fz_on_event, d);
			continue;
		}
		for (size_t k = 0; k < pc[i].len; k++)
			smtp_feed(st, pc[i].dir, pc[i].p + k, 1, pc[i].ts,
				  fz_on_event, d);
	}
	/* the end of the session */
	smtp_finish(st, fz_on_event, d);
	fz_flush_tls(d);
	smtp_free(st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_piece pieces[4096];
	struct fz_digest whole, bytes;
	size_t n = fz_split(data, size, pieces,
			    sizeof(pieces) / sizeof(pieces[0]));

	fz_pass(pieces, n, 0, &whole);
	fz_pass(pieces, n, 1, &bytes);
	if (whole.events != bytes.events)
		fz_die("event count differs between whole and byte-by-byte feeding");
	if (whole.h != bytes.h)
		fz_die("events differ between whole and byte-by-byte feeding");

	/* a zero-length feed and smtp_free(NULL) are legal */
	smtp_free(NULL);
	return 0;
}
