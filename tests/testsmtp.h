/* testsmtp.h - the SMTP event recorder and the "split everywhere" replay
 * shared by the SMTP dissector tests (test_smtp*.c, through testsess.h)
 * and test_samples_split.c.
 *
 * A struct srec keeps an owned copy of every event the dissector emits.
 * srec_replay feeds a session given as chunks, optionally with one chunk
 * cut in two or every chunk fed one byte at a time; srec_check_splits
 * replays it cut at every byte of every chunk and compares each run with
 * the whole feed, since TCP may segment a stream anywhere.  Timestamps are
 * never compared.
 *
 * Everything is static inline: the Makefile builds only tests/test_*.c, and
 * an unused static inline function draws no warning.
 */
#ifndef MXRAY_TESTSMTP_H
#define MXRAY_TESTSMTP_H

#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "smtp_int.h" /* the parser's mode, for t_is_tls */

/* Whether the parser went over to TLS (a STARTTLS answered 220). */
static inline bool t_is_tls(const struct smtp_state *st)
{
	return st && st->mode == SMTP_MODE_TLS;
}

/* ---- recorder ---- */

/* An owned copy of one event. */
struct srec_ev {
	enum smtp_ev_kind kind;
	enum smtp_dir dir;
	enum smtp_cmd cmd;
	char *verb, *args, *text;
	int code, lines;
	bool greeting;
	uint64_t bytes;
	enum smtp_cmd blob_of;
	enum smtp_anomaly anomaly;
	double ts, cmd_ts;
	bool from_finish; /* emitted by smtp_finish */
};

/* The events of one session, in order.  With merge_tls a run of TLS events
 * of one direction is kept as one (bytes summed): TLS events are one per
 * feed call by design, so they are the one place where how the stream was
 * cut shows. */
struct srec {
	struct srec_ev *ev;
	size_t n, cap;
	bool merge_tls;
	bool finishing;        /* set while smtp_finish runs */
	uint64_t tls_bytes[2]; /* per direction, over all TLS events */
	bool tls; /* the state after srec_replay: STARTTLS done */
};

static inline char *srec_dup(const char *s)
{
	char *d = strdup(s);

	cr_assert_not_null(d);
	return d;
}

/* The smtp_emit_fn: ctx is a struct srec. */
static inline void srec_emit(void *ctx, const struct smtp_event *ev)
{
	struct srec *r = ctx;
	struct srec_ev *e;

	/* The header promises strings valid during the callback; NULL
	 * strings would crash consumers, so they count as a bug here. */
	cr_assert_not_null(ev->verb, "event kind %d with NULL verb", ev->kind);
	cr_assert_not_null(ev->args, "event kind %d with NULL args", ev->kind);
	cr_assert_not_null(ev->text, "event kind %d with NULL text", ev->kind);
	if (ev->kind == SMTP_EV_TLS) {
		cr_assert(ev->dir == SMTP_FROM_CLIENT ||
			  ev->dir == SMTP_FROM_SERVER);
		r->tls_bytes[ev->dir] += ev->bytes;
		e = r->n ? &r->ev[r->n - 1] : NULL;
		if (r->merge_tls && e && e->kind == SMTP_EV_TLS &&
		    e->dir == ev->dir && e->from_finish == r->finishing) {
			e->bytes += ev->bytes;
			return;
		}
	}
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		struct srec_ev *grown = realloc(r->ev, cap * sizeof(*grown));

		cr_assert_not_null(grown);
		r->ev = grown;
		r->cap = cap;
	}
	e = &r->ev[r->n++];
	e->kind = ev->kind;
	e->dir = ev->dir;
	e->cmd = ev->cmd;
	e->verb = srec_dup(ev->verb);
	e->args = srec_dup(ev->args);
	e->text = srec_dup(ev->text);
	e->code = ev->code;
	e->lines = ev->lines;
	e->greeting = ev->greeting;
	e->bytes = ev->bytes;
	e->blob_of = ev->blob_of;
	e->anomaly = ev->anomaly;
	e->ts = ev->ts;
	e->cmd_ts = ev->cmd_ts;
	e->from_finish = r->finishing;
}

/* Forget the events, keep the array and merge_tls. */
static inline void srec_clear(struct srec *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->ev[i].verb);
		free(r->ev[i].args);
		free(r->ev[i].text);
	}
	r->n = 0;
	r->finishing = false;
	r->tls_bytes[0] = r->tls_bytes[1] = 0;
	r->tls = false;
}

static inline void srec_free(struct srec *r)
{
	srec_clear(r);
	free(r->ev);
	memset(r, 0, sizeof(*r));
}

/* ---- comparing two recordings ---- */

static inline const char *srec_kind_name(enum smtp_ev_kind k)
{
	static const char *const names[] = {
		[SMTP_EV_COMMAND] = "COMMAND",
		[SMTP_EV_REPLY] = "REPLY",
		[SMTP_EV_DATA_START] = "DATA_START",
		[SMTP_EV_DATA_END] = "DATA_END",
		[SMTP_EV_BLOB] = "BLOB",
		[SMTP_EV_TLS] = "TLS",
		[SMTP_EV_UNANSWERED] = "UNANSWERED",
		[SMTP_EV_ANOMALY] = "ANOMALY",
	};

	if ((unsigned)k < sizeof(names) / sizeof(names[0]) && names[k])
		return names[k];
	return "?";
}

static inline void srec_ev_str(const struct srec_ev *e, char *out,
			       size_t outsz)
{
	snprintf(out, outsz,
		 "{%s dir=%d cmd=%s verb=\"%.20s\" args=\"%.60s\" code=%d "
		 "text=\"%.60s\" lines=%d greeting=%d bytes=%" PRIu64
		 " blob_of=%s anomaly=%s%s}",
		 srec_kind_name(e->kind), (int)e->dir, smtp_cmd_name(e->cmd),
		 e->verb, e->args, e->code, e->text, e->lines, (int)e->greeting,
		 e->bytes, smtp_cmd_name(e->blob_of),
		 smtp_anomaly_name(e->anomaly),
		 e->from_finish ? " finish" : "");
}

/* The name of the first field, timestamps aside, in which a and b differ;
 * NULL when they are the same. */
static inline const char *srec_ev_diff(const struct srec_ev *a,
				       const struct srec_ev *b)
{
	const struct {
		bool differ;
		const char *name;
	} f[] = {
		{a->kind != b->kind, "kind"},
		{a->dir != b->dir, "dir"},
		{a->cmd != b->cmd, "cmd"},
		{strcmp(a->verb, b->verb) != 0, "verb"},
		{strcmp(a->args, b->args) != 0, "args"},
		{a->code != b->code, "code"},
		{strcmp(a->text, b->text) != 0, "text"},
		{a->lines != b->lines, "lines"},
		{a->greeting != b->greeting, "greeting"},
		{a->bytes != b->bytes, "bytes"},
		{a->blob_of != b->blob_of, "blob_of"},
		{a->anomaly != b->anomaly, "anomaly"},
		{a->from_finish != b->from_finish, "from smtp_finish"},
	};

	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].differ)
			return f[i].name;
	return NULL;
}

/* True when got matches want (events, TLS byte counts, the state's flags);
 * else why says where they part. */
static inline bool srec_same(const struct srec *want, const struct srec *got,
			     char *why, size_t whysz)
{
	char ws[512], gs[512];
	const char *field;
	size_t i;

	for (int d = 0; d < 2; d++) {
		if (want->tls_bytes[d] != got->tls_bytes[d]) {
			snprintf(why, whysz, "TLS bytes from %s: %" PRIu64
				 ", want %" PRIu64, d ? "server" : "client",
				 got->tls_bytes[d], want->tls_bytes[d]);
			return false;
		}
	}
	for (i = 0; i < want->n && i < got->n; i++) {
		field = srec_ev_diff(&want->ev[i], &got->ev[i]);
		if (field) {
			srec_ev_str(&want->ev[i], ws, sizeof(ws));
			srec_ev_str(&got->ev[i], gs, sizeof(gs));
			snprintf(why, whysz, "event %zu differs in %s: got %s, "
				 "want %s", i, field, gs, ws);
			return false;
		}
	}
	if (want->n != got->n) {
		const struct srec *longer = want->n > got->n ? want : got;

		srec_ev_str(&longer->ev[i], ws, sizeof(ws));
		snprintf(why, whysz, "%zu events, want %zu; first %s: %s",
			 got->n, want->n,
			 got->n > want->n ? "extra" : "missing", ws);
		return false;
	}
	if (want->tls != got->tls) {
		snprintf(why, whysz, "tls %d, want %d", got->tls, want->tls);
		return false;
	}
	return true;
}

/* ---- replaying a session ---- */

/* One feed of a session: dir, bytes, capture time; frame is the 1-based
 * frame of a sample capture it came from, 0 if made up. */
struct schunk {
	enum smtp_dir dir;
	const uint8_t *p;
	size_t len;
	double ts;
	size_t frame;
};

#define SREC_NO_SPLIT ((size_t)-1)

/* Feed the chunks to a fresh state and finish it, recording into out
 * (cleared first).  Chunk cut (unless SREC_NO_SPLIT) goes in as [0, at)
 * and [at, len); with bytewise every chunk goes in one byte at a time. */
static inline void srec_replay(const struct schunk *ch, size_t n, size_t cut,
			       size_t at, bool bytewise, struct srec *out)
{
	struct smtp_state *st = smtp_new();
	const struct schunk *c;

	cr_assert_not_null(st);
	srec_clear(out);
	for (size_t i = 0; i < n; i++) {
		c = &ch[i];
		if (bytewise) {
			for (size_t b = 0; b < c->len; b++)
				smtp_feed(st, c->dir, c->p + b, 1, c->ts,
					  srec_emit, out);
		} else if (i == cut) {
			smtp_feed(st, c->dir, c->p, at, c->ts, srec_emit, out);
			smtp_feed(st, c->dir, c->p + at, c->len - at, c->ts,
				  srec_emit, out);
		} else {
			smtp_feed(st, c->dir, c->p, c->len, c->ts, srec_emit,
				  out);
		}
	}
	out->finishing = true;
	smtp_finish(st, srec_emit, out);
	out->finishing = false;
	out->tls = t_is_tls(st);
	smtp_free(st);
}

/* Replay the session with each chunk cut at every position, then fed byte
 * by byte; each run must match ref, the whole feed (srec_replay with
 * SREC_NO_SPLIT and merge_tls).  Reports (without stopping) the first
 * mismatch and how many runs had one; returns the number of runs. */
static inline size_t srec_check_splits(const struct schunk *ch, size_t n,
				       const struct srec *ref,
				       const char *what)
{
	struct srec got = {.merge_tls = true};
	char why[2048], first[2048 + 256] = "", frame[32] = "";
	size_t runs = 0, bad = 0;

	cr_assert(ref->merge_tls, "%s: the reference must merge TLS runs",
		  what);
	for (size_t i = 0; i < n; i++) {
		for (size_t at = 1; at < ch[i].len; at++) {
			srec_replay(ch, n, i, at, false, &got);
			runs++;
			if (srec_same(ref, &got, why, sizeof(why)))
				continue;
			if (bad++ > 0)
				continue; /* only the first mismatch is told */
			if (ch[i].frame)
				snprintf(frame, sizeof(frame), "frame %zu, ",
					 ch[i].frame);
			snprintf(first, sizeof(first), "chunk %zu (%s%s, %zu "
				 "bytes) split at %zu: %s", i, frame,
				 ch[i].dir ? "server" : "client", ch[i].len, at,
				 why);
		}
	}
	cr_expect_eq(bad, 0, "%s: %zu of %zu split runs differ from the whole "
		     "feed; first: %s", what, bad, runs, first);

	srec_replay(ch, n, SREC_NO_SPLIT, 0, true, &got);
	runs++;
	cr_expect(srec_same(ref, &got, why, sizeof(why)),
		  "%s: byte-by-byte feed differs from the whole feed: %s",
		  what, why);
	srec_free(&got);
	return runs;
}

#endif
