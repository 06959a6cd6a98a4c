/* smtp_body.c - what the client sends that is not command lines: the DATA
 * body up to its end-of-data line (RFC 5321 4.1.1.4, dot-stuffing 4.5.2),
 * BDAT chunks (RFC 3030) and Exchange's XEXCH50 blob.  Counted byte by
 * byte, never stored, so that the end is found across any segment
 * boundary whatever the body's size.  Part of the SMTP dissector (smtp.c);
 * shared state in smtp_int.h.
 */
#include <string.h>

#include "reader.h"
#include "smtp_int.h"

void smtp_blob_done(struct smtp_call *c)
{
	struct smtp_state *st = c->st;
	struct smtp_event ev;

	smtp_ev_init(&ev, SMTP_EV_BLOB, SMTP_FROM_CLIENT, c->ts);
	ev.bytes = st->blob_size;
	ev.blob_of = st->blob_of;
	ev.cmd = st->blob_of;
	ev.verb = smtp_cmd_name(st->blob_of);
	smtp_emit(c, &ev);
	st->mode = SMTP_MODE_CMD;
	/* A BDAT chunk is answered through its BDAT entry; the XEXCH50 entry
	 * was answered by the 354, so the blob needs an entry of its own for
	 * the ack that must follow (its absence is the classic stall). */
	if (st->blob_of == SMTP_CMD_XEXCH50)
		smtp_push(c, SMTP_CMD_BLOB_END,
			  smtp_cmd_name(SMTP_CMD_BLOB_END), c->ts, 0, false);
}

void smtp_blob_begin(struct smtp_call *c, uint64_t size, enum smtp_cmd of)
{
	struct smtp_state *st = c->st;

	st->mode = SMTP_MODE_BLOB;
	st->blob_of = of;
	st->blob_size = size;
	st->blob_left = size;
	if (size == 0)
		smtp_blob_done(c);
}

void smtp_blob(struct smtp_call *c, struct rd *r)
{
	struct smtp_state *st = c->st;
	size_t take = rd_left(r);

	if (take > st->blob_left)
		take = (size_t)st->blob_left;
	rd_skip(r, take);
	st->blob_left -= take;
	if (st->blob_left == 0)
		smtp_blob_done(c);
}

static void smtp_data_end(struct smtp_call *c, uint64_t dot_len)
{
	struct smtp_state *st = c->st;
	struct smtp_event ev;

	smtp_ev_init(&ev, SMTP_EV_DATA_END, SMTP_FROM_CLIENT, st->body.dot_ts);
	ev.cmd = SMTP_CMD_DATA_END;
	ev.verb = smtp_cmd_name(SMTP_CMD_DATA_END);
	ev.bytes = st->body.bytes - dot_len;
	smtp_emit(c, &ev);
	st->mode = SMTP_MODE_CMD;
	smtp_push(c, SMTP_CMD_DATA_END, ev.verb, st->body.dot_ts, 0, false);
}

/* Scan body bytes for the end-of-data line "." (CRLF or bare LF), counting
 * them.  DATA_START comes with the first byte of the body, which for an
 * empty body is the dot itself: DATA_START (bytes 0) is therefore always
 * followed by DATA_END, so consumers can pair them without special cases.
 * Dot-stuffed lines ("..x") need nothing special: only a line that is just
 * "." ends the body. */
void smtp_body(struct smtp_call *c, struct rd *r)
{
	struct smtp_state *st = c->st;
	struct smtp_event ev;
	uint8_t b;

	if (!st->body.started) {
		st->body.started = true;
		smtp_ev_init(&ev, SMTP_EV_DATA_START, SMTP_FROM_CLIENT, c->ts);
		ev.cmd = SMTP_CMD_DATA;
		ev.verb = smtp_cmd_name(SMTP_CMD_DATA);
		smtp_emit(c, &ev);
	}
	while (rd_left(r) > 0) {
		if (st->body.pos == SMTP_BODY_MID) {
			/* inside a line: only its LF matters, found at memchr
			 * speed; the byte before the LF says CRLF or bare LF */
			const uint8_t *span;
			size_t n;
			rd_span_to(r, '\n', &span, &n);
			if (n) {
				st->body.bytes += n;
				st->body.prev = span[n - 1];
			}
			if (rd_left(r) == 0)
				return;
		}
		b = rd_u8(r);
		st->body.bytes++;
		if (b == '\n' && st->body.prev != '\r')
			smtp_bare_lf(c, SMTP_FROM_CLIENT, c->ts);
		st->body.prev = b;
		switch (st->body.pos) {
		case SMTP_BODY_BOL:
			st->body.dot_ts = c->ts;
			st->body.pos = b == '.'    ? SMTP_BODY_DOT
				       : b == '\n' ? SMTP_BODY_BOL
						   : SMTP_BODY_MID;
			break;
		case SMTP_BODY_MID:
			if (b == '\n')
				st->body.pos = SMTP_BODY_BOL;
			break;
		case SMTP_BODY_DOT:
			if (b == '\n') {
				smtp_data_end(c, 2);
				return;
			}
			st->body.pos = b == '\r' ? SMTP_BODY_DOTCR
						 : SMTP_BODY_MID;
			break;
		case SMTP_BODY_DOTCR:
			if (b == '\n') {
				smtp_data_end(c, 3);
				return;
			}
			st->body.pos = SMTP_BODY_MID;
			break;
		}
	}
}
