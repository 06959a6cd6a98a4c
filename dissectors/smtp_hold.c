/* smtp_hold.c - the client's bytes between DATA (or XEXCH50) and the
 * server's reply to it.  A conforming client waits for the 354 (RFC 5321
 * 4.1.1.4; RFC 2920 makes DATA the last command of a pipelined group); a
 * non-conforming or over-eager one sends the message at once.  What those
 * bytes are is decided by the reply, as the server decides it: after a 354
 * they are the body (or blob), after anything else the server read them as
 * commands.  So they are held, bounded, and re-read when the reply comes,
 * each arrival with its own time stamp and the gaps where they fell (as
 * Suricata does for a body sent before the 354).
 *
 * Past SMTP_HOLD_MAX bytes (or SMTP_HOLD_MARKS arrivals) the bytes are
 * taken as the body at once: that much after DATA is a message, not
 * commands.  Part of the SMTP dissector (smtp.c); state in smtp_int.h.
 */
#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "smtp_int.h"

void smtp_hold_begin(struct smtp_call *c, enum smtp_cmd of, uint64_t size)
{
	struct smtp_state *st = c->st;

	/* Only when the command is in the FIFO (the last one pushed): its
	 * reply is what ends the hold (with the server unseen, the client's
	 * next line does: smtp_hold_guess). */
	if (!st->unseen[SMTP_FROM_SERVER] &&
	    (st->npend == 0 ||
	     st->fifo[(st->head + st->npend - 1) % st->cap].cmd != of))
		return;
	st->mode = SMTP_MODE_HOLD;
	st->hold.len = 0;
	st->hold.n = 0;
	st->hold.of = of;
	st->hold.size = size;
}

/* The held bytes are gone: their share of the budget goes back (what a
 * hold has charged is exactly what it holds). */
static void hold_release(struct smtp_state *st)
{
	if (st->hold.budget)
		st->hold.budget->used -= st->hold.len;
	st->hold.len = 0;
}

/* Re-read the held bytes in the mode the caller just set.  The buffer and
 * marks are taken out of the state first (the re-read may start a new
 * hold: a DATA among commands that turned out to be commands), and freed
 * after: holds are rare, and a parser must not keep 16 KB for each one it
 * ever held (the budget counts only what is held now). */
static void hold_replay(struct smtp_call *c)
{
	struct smtp_state *st = c->st;
	struct smtp_hold_mark *mark = st->hold.mark;
	char *buf = st->hold.buf;
	size_t len = st->hold.len;
	unsigned n = st->hold.n;
	bool was_replaying = st->hold.replaying;

	hold_release(st);
	st->hold.buf = NULL;
	st->hold.mark = NULL;
	st->hold.cap = st->hold.len = 0;
	st->hold.n = 0;
	st->hold.replaying = true;
	for (unsigned i = 0; i < n; i++) {
		struct smtp_call rc = *c;
		size_t end = i + 1 < n ? mark[i + 1].off : len;
		struct rd r;

		rc.ts = mark[i].ts;
		if (mark[i].gap)
			smtp_gap_bytes(&rc, SMTP_FROM_CLIENT, mark[i].gap);
		if (end == mark[i].off)
			continue; /* a gap alone (buf may be NULL) */
		rd_init(&r, (const uint8_t *)buf + mark[i].off,
			end - mark[i].off);
		smtp_dir_bytes(&rc, SMTP_FROM_CLIENT, &r);
	}
	st->hold.replaying = was_replaying;
	free(buf);
	free(mark);
}

/* The held bytes are dropped (no reply ever came, or the parser is
 * reset): their memory and their share of the budget go back. */
void smtp_hold_drop(struct smtp_state *st)
{
	hold_release(st);
	free(st->hold.buf);
	free(st->hold.mark);
	st->hold.buf = NULL;
	st->hold.mark = NULL;
	st->hold.cap = st->hold.len = 0;
	st->hold.n = 0;
}

/* The verb of the first held line is an SMTP command. */
static bool hold_starts_with_command(const struct smtp_state *st)
{
	char verb[SMTP_VERB_MAX + 1];
	size_t i, n = 0;

	for (i = 0; i < st->hold.len && n < SMTP_VERB_MAX; i++) {
		char ch = st->hold.buf[i];
		if (ch == ' ' || ch == '\r' || ch == '\n')
			break;
		verb[n++] = smtp_upper(ch);
	}
	verb[n] = '\0';
	return n > 0 && smtp_cmd_lookup(verb) != SMTP_CMD_UNKNOWN;
}

/* The client sent something other than commands without waiting for the
 * 354: a protocol breach worth telling, once per hold. */
static void hold_tell(struct smtp_call *c)
{
	struct smtp_state *st = c->st;

	if (st->unseen[SMTP_FROM_SERVER]) /* the 354 may well have come */
		return;
	smtp_anomaly(c, SMTP_FROM_CLIENT,
		     st->hold.n ? st->hold.mark[0].ts : c->ts,
		     SMTP_ANOM_DATA_NO_354, st->hold.of,
		     smtp_cmd_name(st->hold.of));
}

/* The bytes are the body (or blob): enter that mode and re-read them. */
static void hold_as_body(struct smtp_call *c, enum smtp_cmd of,
			 uint64_t size)
{
	struct smtp_state *st = c->st;

	if (st->hold.n)
		hold_tell(c);
	if (of == SMTP_CMD_XEXCH50) {
		smtp_blob_begin(c, size, SMTP_CMD_XEXCH50);
	} else {
		st->mode = SMTP_MODE_DATA;
		memset(&st->body, 0, sizeof(st->body));
	}
	hold_replay(c);
}

/* The hold is full before the reply came: take the bytes as the body, say
 * so, and mark the command so that its reply changes nothing. */
static void hold_overflow(struct smtp_call *c)
{
	struct smtp_state *st = c->st;
	enum smtp_cmd of = st->hold.of;

	/* In a hold nothing is pushed, so the command is still the last
	 * one in the FIFO unless its reply came (which ended the hold). */
	if (st->npend > 0)
		st->fifo[(st->head + st->npend - 1) % st->cap].early = true;
	if (!st->hold.n) /* said by hold_as_body otherwise */
		hold_tell(c);
	hold_as_body(c, of, st->hold.size);
}

/* A new arrival at c->ts: a mark of its own unless it continues the last
 * one.  False if there is no room for it. */
static bool hold_mark(struct smtp_call *c, uint64_t gap)
{
	struct smtp_state *st = c->st;
	struct smtp_hold_mark *last =
		st->hold.n ? &st->hold.mark[st->hold.n - 1] : NULL;

	if (!gap && last && last->ts == c->ts)
		return true;
	if (st->hold.n == SMTP_HOLD_MARKS)
		return false;
	if (!st->hold.mark &&
	    !(st->hold.mark = malloc(SMTP_HOLD_MARKS * sizeof(*last))))
		return false; /* no memory: taken as the body at once */
	st->hold.mark[st->hold.n++] =
		(struct smtp_hold_mark){st->hold.len, c->ts, gap};
	return true;
}

void smtp_hold_bytes(struct smtp_call *c, struct rd *r)
{
	struct smtp_state *st = c->st;
	size_t n = rd_left(r);

	struct smtp_budget *b = st->hold.budget;
	bool over = b && b->used + n > b->limit;

	if (!over)
		smtp_grow(&st->hold.buf, &st->hold.cap, st->hold.len + n, 512,
			  SMTP_HOLD_MAX);
	if (over || st->hold.len + n > st->hold.cap || !hold_mark(c, 0)) {
		/* full (or no memory): the caller's loop goes on with the
		 * rest of r in the body's mode */
		hold_overflow(c);
		if (st->unseen[SMTP_FROM_SERVER])
			smtp_hold_guess(c); /* a hold the re-read started */
		return;
	}
	memcpy(st->hold.buf + st->hold.len, rd_ptr(r, n), n);
	st->hold.len += n;
	if (b)
		b->used += n;
	if (st->unseen[SMTP_FROM_SERVER])
		smtp_hold_guess(c);
}

/* No reply will be seen: a client that goes on after DATA with a line that
 * is no command got its 354 (one that was refused says RSET or QUIT); a
 * blob is sent only after its 354. */
static bool hold_guess_ready(const struct smtp_state *st)
{
	if (st->hold.len == 0)
		return false;
	/* a DATA's first line must be complete; a blob needs no line */
	return st->hold.of != SMTP_CMD_DATA ||
	       memchr(st->hold.buf, '\n', st->hold.len) != NULL;
}

/* A loop, not recursion: a hold that a re-read starts (DATA among held
 * commands) is decided here when that re-read is over, so a client that
 * sends DATA lines without end cannot grow the stack. */
void smtp_hold_guess(struct smtp_call *c)
{
	struct smtp_state *st = c->st;

	if (st->hold.replaying)
		return; /* decided when the re-read in progress is over */
	while (st->mode == SMTP_MODE_HOLD && hold_guess_ready(st)) {
		if (st->hold.of == SMTP_CMD_DATA &&
		    hold_starts_with_command(st)) {
			st->mode = SMTP_MODE_CMD;
			hold_replay(c);
		} else {
			hold_as_body(c, st->hold.of, st->hold.size);
		}
	}
}

void smtp_hold_gap(struct smtp_call *c, uint64_t bytes)
{
	if (hold_mark(c, bytes))
		return;
	hold_overflow(c);
	smtp_gap_bytes(c, SMTP_FROM_CLIENT, bytes);
}

void smtp_hold_answer(struct smtp_call *c, const struct smtp_pending *p,
		      int code)
{
	struct smtp_state *st = c->st;

	if (p->early || st->mode != SMTP_MODE_HOLD || p->cmd != st->hold.of)
		return;
	if (code == 354) {
		hold_as_body(c, p->cmd, p->size);
		return;
	}
	/* Refused: the server reads what follows as commands. */
	if (st->hold.n && !hold_starts_with_command(st)) {
		hold_tell(c);
		st->data_refused = false; /* told: not again for its line */
	}
	st->mode = SMTP_MODE_CMD;
	hold_replay(c);
}


/* No reply ever came.  A client that gave up on it sends QUIT or RSET,
 * which belong to the session's story; anything else was a message the
 * server never agreed to, and only its existence is told. */
void smtp_hold_finish(struct smtp_call *c)
{
	struct smtp_state *st = c->st;

	if (st->hold.len == 0 && st->hold.n == 0) {
		st->mode = SMTP_MODE_CMD;
		return;
	}
	if (hold_starts_with_command(st)) {
		st->mode = SMTP_MODE_CMD;
		hold_replay(c);
		return;
	}
	hold_tell(c);
	st->mode = SMTP_MODE_CMD;
	smtp_hold_drop(st);
}
