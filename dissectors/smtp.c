/* smtp.c - SMTP session dissector: RFC 5321 commands and replies, RFC 2920
 * PIPELINING, RFC 3030 BDAT, RFC 3207 STARTTLS, RFC 4954 AUTH, and
 * Exchange's XEXCH50 blob.
 *
 * Each direction goes through its own line splitter (CRLF or bare LF, lines
 * capped at SMTP_LINE_MAX).  Client lines become commands that are pushed on
 * a FIFO; a server reply, once its last line arrives, answers the FIFO head,
 * which is how pipelined commands get their own replies.  DATA bodies, BDAT
 * chunks and XEXCH50 blobs are counted, never stored (smtp_body.c), so
 * memory per session is fixed.  Every state change is driven by bytes, so feeding a stream in
 * one piece or one byte at a time gives the same events.  The state owns
 * all its memory (one calloc); event strings die with the callback.
 */
#include "smtp.h"

#include <stdlib.h>
#include <string.h>

#include "reader.h"
#include "smtp_int.h"

static const char *const smtp_cmd_names[SMTP_CMD__COUNT] = {
	[SMTP_CMD_NONE] = "",
#define SMTP_CMD(e, s) [SMTP_CMD_##e] = s,
#include "smtp_cmds.def"
#undef SMTP_CMD
	[SMTP_CMD_UNKNOWN] = "UNKNOWN",
	[SMTP_CMD_DATA_END] = ".",
	[SMTP_CMD_BLOB_END] = "XEXCH50-BLOB",
	[SMTP_CMD_AUTH_DATA] = "AUTH-DATA",
};

static const char *const smtp_anom_names[SMTP_ANOM__COUNT] = {
	[SMTP_ANOM_NONE] = "none",
	[SMTP_ANOM_LINE_TOO_LONG] = "line_too_long",
	[SMTP_ANOM_BARE_LF] = "bare_lf",
	[SMTP_ANOM_BAD_REPLY] = "bad_reply",
	[SMTP_ANOM_UNSOLICITED] = "unsolicited_reply",
	[SMTP_ANOM_PENDING_FULL] = "pending_full",
	[SMTP_ANOM_CODE_MISMATCH] = "code_mismatch",
	[SMTP_ANOM_DATA_NO_354] = "data_without_354",
	[SMTP_ANOM_BAD_LENGTH] = "bad_length",
	[SMTP_ANOM_REPLY_TOO_LONG] = "reply_too_long",
	[SMTP_ANOM_REPLY_UNTERMINATED] = "reply_unterminated",
};

const char *smtp_cmd_name(enum smtp_cmd cmd)
{
	return (unsigned)cmd < SMTP_CMD__COUNT ? smtp_cmd_names[cmd] : "UNKNOWN";
}

const char *smtp_anomaly_name(enum smtp_anomaly a)
{
	return (unsigned)a < SMTP_ANOM__COUNT ? smtp_anom_names[a] : "unknown";
}

/* ASCII only: the C library's toupper depends on the locale. */
char smtp_upper(char ch)
{
	return (ch >= 'a' && ch <= 'z') ? (char)(ch - 'a' + 'A') : ch;
}

enum smtp_cmd smtp_cmd_lookup(const char *verb)
{
	int i;

	for (i = SMTP_CMD_NONE + 1; i < SMTP_CMD_UNKNOWN; i++)
		if (strcmp(verb, smtp_cmd_names[i]) == 0)
			return (enum smtp_cmd)i;
	return SMTP_CMD_UNKNOWN;
}

/* Parse the leading decimal size of BDAT/XEXCH50 arguments.  Sizes over
 * 2^40 are refused: no mail is a terabyte, and trusting such a number would
 * swallow the rest of the session as blob. */
static bool smtp_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (uint64_t)(s[i] - '0');
		if (v > SMTP_SIZE_LIMIT)
			return false;
	}
	if (i == 0 || (s[i] != '\0' && s[i] != ' '))
		return false;
	*out = v;
	return true;
}

/* ---- events ---- */

/* Strings are never NULL in events, so consumers need no checks. */
void smtp_ev_init(struct smtp_event *ev, enum smtp_ev_kind kind,
		  enum smtp_dir dir, double ts)
{
	*ev = (struct smtp_event){.kind = kind, .dir = dir, .ts = ts,
				  .verb = "", .args = "", .text = ""};
}

void smtp_emit(struct smtp_call *c, const struct smtp_event *ev)
{
	if (c->emit)
		c->emit(c->ctx, ev);
}

/* An anomaly; cmd/verb say which command it concerns, if any. */
void smtp_anomaly(struct smtp_call *c, enum smtp_dir dir, double ts,
		  enum smtp_anomaly a, enum smtp_cmd cmd, const char *verb)
{
	struct smtp_event ev;

	smtp_ev_init(&ev, SMTP_EV_ANOMALY, dir, ts);
	ev.anomaly = a;
	ev.cmd = cmd;
	ev.verb = verb;
	smtp_emit(c, &ev);
}

/* A peer that ends lines with bare LF does so on every line; say it once. */
void smtp_bare_lf(struct smtp_call *c, enum smtp_dir dir, double ts)
{
	if (c->st->bare_lf_told[dir])
		return;
	c->st->bare_lf_told[dir] = true;
	smtp_anomaly(c, dir, ts, SMTP_ANOM_BARE_LF, SMTP_CMD_NONE, "");
}

static void smtp_tls_event(struct smtp_call *c, enum smtp_dir dir, double ts,
			   uint64_t bytes)
{
	struct smtp_event ev;

	smtp_ev_init(&ev, SMTP_EV_TLS, dir, ts);
	ev.bytes = bytes;
	smtp_emit(c, &ev);
}

/* ---- pending-command FIFO ---- */

void smtp_push(struct smtp_call *c, enum smtp_cmd cmd, const char *verb,
	       double ts, uint64_t size, bool size_ok)
{
	struct smtp_state *st = c->st;
	struct smtp_pending *p;
	size_t vlen = strlen(verb);

	if (st->npend == st->cap && st->cap < SMTP_PENDING_MAX) {
		unsigned ncap = st->cap ? st->cap * 2 : 4;
		struct smtp_pending *nf = malloc(ncap * sizeof(*nf));
		if (nf) { /* unroll the ring into the new array */
			for (unsigned i = 0; i < st->npend; i++)
				nf[i] = st->fifo[(st->head + i) % st->cap];
			free(st->fifo);
			st->fifo = nf;
			st->cap = ncap;
			st->head = 0;
		}
	}
	if (st->cap == 0 || st->unseen[SMTP_FROM_SERVER])
		return; /* no memory for even one, or no reply will be seen */
	if (st->npend == st->cap) {
		/* Drop the oldest: if 64 commands are unanswered, the oldest
		 * reply was most likely lost, and the newest commands are the
		 * ones whose replies are still to come. */
		p = &st->fifo[st->head];
		smtp_anomaly(c, SMTP_FROM_CLIENT, ts, SMTP_ANOM_PENDING_FULL,
			     p->cmd, p->verb);
		st->head = (st->head + 1) % st->cap;
		st->npend--;
	}
	p = &st->fifo[(st->head + st->npend) % st->cap];
	memset(p, 0, sizeof(*p));
	p->cmd = cmd;
	memcpy(p->verb, verb, vlen < SMTP_VERB_MAX ? vlen : SMTP_VERB_MAX);
	p->ts = ts;
	p->size = size;
	p->size_ok = size_ok;
	st->npend++;
}

/* Copy out the oldest pending command (the caller may push meanwhile). */
static bool smtp_pop(struct smtp_state *st, struct smtp_pending *out)
{
	if (st->npend == 0)
		return false;
	*out = st->fifo[st->head];
	st->head = (st->head + 1) % st->cap;
	st->npend--;
	return true;
}

/* ---- line splitting ---- */

void smtp_grow(char **buf, size_t *cap, size_t need, size_t first,
	       size_t max)
{
	size_t ncap = *cap ? *cap : first;
	char *nb;
	if (need <= *cap || *cap >= max)
		return;
	while (ncap < need && ncap < max)
		ncap *= 2;
	if (ncap > max)
		ncap = max;
	if ((nb = realloc(*buf, ncap)) != NULL) {
		*buf = nb;
		*cap = ncap;
	}
}

static void smtp_line_reset(struct smtp_line *l)
{
	l->len = 0;
	l->active = l->truncated = l->skip = false;
}

/* Append n bytes (no LF among them) to the line.  On overflow the line is
 * reported once, its head is kept and the rest up to the LF is skipped
 * (as Suricata does): the server still answers an over-long command, so
 * the line must still count as one command or every later reply would be
 * paired with the wrong command.  Memory stays capped at SMTP_LINE_MAX. */
static void smtp_line_add(struct smtp_call *c, enum smtp_dir dir,
			  struct smtp_line *l, const uint8_t *p, size_t n)
{
	/* One byte stays free for the NUL; the LF is never stored, so a
	 * line of SMTP_LINE_MAX bytes including CRLF just fits. */
	size_t room = SMTP_LINE_MAX - 1 - l->len, i;

	if (l->truncated || l->skip)
		return;
	smtp_grow(&l->buf, &l->cap, l->len + n + 1, 128, SMTP_LINE_MAX);
	if (l->cap == 0) { /* no memory: the line is lost, parsing goes on */
		l->skip = true;
		return;
	}
	room = l->cap - 1 - l->len;
	if (n > room) {
		smtp_anomaly(c, dir, l->ts, SMTP_ANOM_LINE_TOO_LONG,
			     SMTP_CMD_NONE, "");
		l->truncated = true;
		n = room;
	}
	for (i = 0; i < n; i++)
		l->buf[l->len++] = p[i] ? (char)p[i] : '?';
}

/* ---- TLS ---- */

/* 220 to STARTTLS: from now on nothing is readable.  A partial client line
 * can only be the start of the TLS handshake, so it is reported as TLS. */
void smtp_tls_start(struct smtp_call *c)
{
	struct smtp_state *st = c->st;
	struct smtp_line *l = &st->line[SMTP_FROM_CLIENT];

	st->mode = SMTP_MODE_TLS;
	if (l->len > 0)
		smtp_tls_event(c, SMTP_FROM_CLIENT, l->ts, l->len);
	smtp_line_reset(l);
}

/* ---- commands ---- */

/* "PLAIN dGVzdA==" -> "PLAIN ***": keep the mechanism, hide the rest. */
static void smtp_redact_auth(char *args)
{
	char *sp = strchr(args, ' ');
	size_t m;

	if (!sp)
		return;
	m = (size_t)(sp - args);
	if (m > SMTP_ARGS_MAX - 5)
		m = SMTP_ARGS_MAX - 5;
	memcpy(args + m, " ***", 5);
}

static void smtp_command(struct smtp_call *c, double ts, enum smtp_cmd cmd,
			 const char *verb, const char *args)
{
	struct smtp_event ev;

	smtp_ev_init(&ev, SMTP_EV_COMMAND, SMTP_FROM_CLIENT, ts);
	ev.cmd = cmd;
	ev.verb = verb;
	ev.args = args;
	smtp_emit(c, &ev);
}

/* One complete client line (CR/LF stripped, NUL-terminated).  Lines sent
 * before the greeting are still commands: some clients talk first. */
static void smtp_client_line(struct smtp_call *c, const char *line, size_t n,
			     double ts)
{
	struct smtp_state *st = c->st;
	char verb[SMTP_VERB_MAX + 1], args[SMTP_ARGS_MAX];
	size_t i = 0, vlen = 0, alen;
	enum smtp_cmd cmd;
	uint64_t size = 0;
	bool size_ok = false, no354;

	if (st->mode == SMTP_MODE_AUTH) {
		/* Whatever the client answers a 334 with is credentials. */
		st->mode = SMTP_MODE_CMD;
		smtp_command(c, ts, SMTP_CMD_AUTH_DATA,
			     smtp_cmd_name(SMTP_CMD_AUTH_DATA), "***");
		smtp_push(c, SMTP_CMD_AUTH_DATA,
			  smtp_cmd_name(SMTP_CMD_AUTH_DATA), ts, 0, false);
		return;
	}

	for (; i < n && line[i] != ' '; i++)
		if (vlen < SMTP_VERB_MAX)
			verb[vlen++] = smtp_upper(line[i]);
	verb[vlen] = '\0';
	cmd = smtp_cmd_lookup(verb);
	if (st->auth_guess && cmd == SMTP_CMD_UNKNOWN) {
		/* server unseen: a line that is no command answers a 334 */
		smtp_command(c, ts, SMTP_CMD_AUTH_DATA,
			     smtp_cmd_name(SMTP_CMD_AUTH_DATA), "***");
		return;
	}
	st->auth_guess = false;
	if (i < n)
		i++; /* the one space after the verb */
	alen = n - i;
	if (alen > SMTP_ARGS_MAX - 1)
		alen = SMTP_ARGS_MAX - 1;
	memcpy(args, line + i, alen);
	args[alen] = '\0';
	if (cmd == SMTP_CMD_AUTH)
		smtp_redact_auth(args);
	if (st->unseen[SMTP_FROM_SERVER]) {
		st->tls_guess = cmd == SMTP_CMD_STARTTLS;
		st->auth_guess = cmd == SMTP_CMD_AUTH;
	}

	/* Junk right after DATA was refused is most likely message text
	 * sent without permission (held since DATA, see smtp_hold.c). */
	no354 = st->data_refused && cmd == SMTP_CMD_UNKNOWN;
	st->data_refused = false;
	if (no354)
		smtp_anomaly(c, SMTP_FROM_CLIENT, ts, SMTP_ANOM_DATA_NO_354,
			     SMTP_CMD_DATA, smtp_cmd_name(SMTP_CMD_DATA));

	if (cmd == SMTP_CMD_BDAT || cmd == SMTP_CMD_XEXCH50)
		size_ok = smtp_parse_size(args, &size);
	smtp_command(c, ts, cmd, verb, args);
	smtp_push(c, cmd, verb, ts, size, size_ok);
	if ((cmd == SMTP_CMD_BDAT || cmd == SMTP_CMD_XEXCH50) && !size_ok)
		smtp_anomaly(c, SMTP_FROM_CLIENT, ts, SMTP_ANOM_BAD_LENGTH,
			     cmd, verb);
	/* BDAT needs no permission: the chunk follows the command at once.
	 * What follows DATA or XEXCH50 depends on its reply. */
	if (cmd == SMTP_CMD_BDAT && size_ok)
		smtp_blob_begin(c, size, SMTP_CMD_BDAT);
	else if (cmd == SMTP_CMD_DATA ||
		 (cmd == SMTP_CMD_XEXCH50 && size_ok))
		smtp_hold_begin(c, cmd, size);
}

/* ---- replies ---- */

/* What a reply to command p changes in the session. */
static void smtp_reply_effect(struct smtp_call *c,
			      const struct smtp_pending *p, int code)
{
	struct smtp_state *st = c->st;
	bool idle = st->mode == SMTP_MODE_CMD || st->mode == SMTP_MODE_AUTH;

	switch (p->cmd) {
	case SMTP_CMD_DATA:
	case SMTP_CMD_XEXCH50:
		if (p->cmd == SMTP_CMD_DATA && code != 354)
			st->data_refused = true;
		smtp_hold_answer(c, p, code);
		break;
	case SMTP_CMD_STARTTLS:
		/* TLS begins with the client's handshake record; a capture
		 * from a TLS-decrypting device goes on in clear instead: the
		 * next byte either side sends decides (a partial client line
		 * already sent can only be the handshake's start) */
		if (code == 220 && st->line[SMTP_FROM_CLIENT].len > 0)
			smtp_tls_start(c);
		else if (code == 220)
			st->tls_guess = true;
		break;
	case SMTP_CMD_AUTH:
	case SMTP_CMD_AUTH_DATA:
		if (code == 334 && idle)
			st->mode = SMTP_MODE_AUTH;
		break;
	default:
		break;
	}
}

/* The last line of a reply arrived: pair it with the oldest pending
 * command and report it. */
static void smtp_reply_done(struct smtp_call *c)
{
	struct smtp_state *st = c->st;
	struct smtp_pending p = {0}; /* cmd NONE, verb "", ts 0 */
	struct smtp_event ev;
	bool greeting = !st->seen_reply;

	st->in_reply = false;
	st->seen_reply = true;
	if (st->text)
		st->text[st->text_len] = '\0';
	/* The server speaks first (RFC 5321 3.1), so its first reply is the
	 * greeting even if an impatient client has commands pending: those
	 * wait for the replies that follow. */
	if (!greeting && !smtp_pop(st, &p) && !st->unseen[SMTP_FROM_CLIENT])
		smtp_anomaly(c, SMTP_FROM_SERVER, st->reply_ts,
			     SMTP_ANOM_UNSOLICITED, SMTP_CMD_NONE, "");

	smtp_ev_init(&ev, SMTP_EV_REPLY, SMTP_FROM_SERVER, st->reply_ts);
	ev.cmd = p.cmd;
	ev.verb = p.verb;
	ev.cmd_ts = p.ts;
	ev.code = st->reply_code;
	ev.text = st->text ? st->text : "";
	ev.lines = st->reply_lines;
	ev.greeting = greeting;
	smtp_emit(c, &ev);
	smtp_reply_effect(c, &p, st->reply_code);
}

/* Appends what fits under SMTP_TEXT_MAX; false if something was cut. */
static bool smtp_text_add(struct smtp_state *st, const char *s, size_t n)
{
	size_t room;

	smtp_grow(&st->text, &st->text_cap, st->text_len + n + 1, 64,
		  SMTP_TEXT_MAX);
	if (st->text_cap == 0)
		return n == 0;
	room = st->text_cap - 1 - st->text_len;
	if (n > room) {
		memcpy(st->text + st->text_len, s, room);
		st->text_len += room;
		return false;
	}
	memcpy(st->text + st->text_len, s, n);
	st->text_len += n;
	return true;
}

/* "4.7.0 text": an enhanced status code (RFC 3463, class.subject.detail)
 * where the reply code should be.  Some servers and proxies answer so
 * (a deferral after the dot, then FIN); the class (2, 4 or 5) is its only
 * verdict.  The class, or 0 if the line is not one. */
static int smtp_enhanced_class(const char *line, size_t n)
{
	size_t i = 2, parts = 0;

	if (n < 5 || (line[0] != '2' && line[0] != '4' && line[0] != '5') ||
	    line[1] != '.')
		return 0;
	while (parts < 2) {
		size_t d = 0;
		while (i < n && line[i] >= '0' && line[i] <= '9' && d < 4) {
			i++;
			d++;
		}
		if (d == 0 || d > 3)
			return 0;
		if (++parts == 2)
			break;
		if (i >= n || line[i] != '.')
			return 0;
		i++;
	}
	return i == n || line[i] == ' ' ? line[0] - '0' : 0;
}

/* One complete server line: "ddd-text" continues a reply, "ddd text" or
 * "ddd" ends it; a line that is only an enhanced status code and text is
 * a reply of its own, with code 0 and the line as its text. */
static void smtp_server_line(struct smtp_call *c, const char *line, size_t n,
			     double ts)
{
	struct smtp_state *st = c->st;
	const char *text;
	size_t tlen;
	int code;
	bool more, fits = true;

	if (n < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (n > 3 && line[3] != ' ' && line[3] != '-')) {
		smtp_anomaly(c, SMTP_FROM_SERVER, ts, SMTP_ANOM_BAD_REPLY,
			     SMTP_CMD_NONE, "");
		if (!st->in_reply && smtp_enhanced_class(line, n)) {
			st->reply_code = 0;
			st->reply_ts = ts;
			st->reply_lines = 1;
			st->text_len = 0;
			st->reply_cut = false;
			if (!smtp_text_add(st, line, n))
				smtp_anomaly(c, SMTP_FROM_SERVER, ts,
					     SMTP_ANOM_REPLY_TOO_LONG,
					     SMTP_CMD_NONE, "");
			smtp_reply_done(c);
		}
		return;
	}
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	more = n > 3 && line[3] == '-';
	text = n > 4 ? line + 4 : "";
	tlen = n > 4 ? n - 4 : 0;

	if (!st->in_reply) {
		st->in_reply = true;
		st->reply_code = code;
		st->reply_ts = ts;
		st->reply_lines = 0;
		st->text_len = 0;
		st->reply_cut = false;
	} else if (code != st->reply_code) {
		/* Keep the first code: clients act on it (RFC 5321 4.2.1). */
		smtp_anomaly(c, SMTP_FROM_SERVER, ts, SMTP_ANOM_CODE_MISMATCH,
			     SMTP_CMD_NONE, "");
	}
	if (st->reply_lines > 0)
		fits = smtp_text_add(st, "\n", 1);
	fits = smtp_text_add(st, text, tlen) && fits;
	st->reply_lines++;
	if (!fits && !st->reply_cut) { /* once per reply */
		st->reply_cut = true;
		smtp_anomaly(c, SMTP_FROM_SERVER, st->reply_ts,
			     SMTP_ANOM_REPLY_TOO_LONG, SMTP_CMD_NONE, "");
	}
	if (!more)
		smtp_reply_done(c);
}

/* Take bytes up to and including the next LF into the line buffer, and
 * handle the line if it is complete. */
static void smtp_line_feed(struct smtp_call *c, enum smtp_dir dir,
			   struct rd *r)
{
	struct smtp_state *st = c->st;
	struct smtp_line *l = &st->line[dir];
	size_t left = rd_left(r), len;
	const uint8_t *lf = memchr(r->p, '\n', left);
	size_t n = lf ? (size_t)(lf - r->p) : left;
	const uint8_t *p = rd_ptr(r, n);
	double ts;

	if (!l->active) {
		l->active = true;
		l->ts = c->ts;
	}
	smtp_line_add(c, dir, l, p, n);
	if (!lf)
		return;
	rd_skip(r, 1);
	if (l->skip || !l->buf) { /* straddled a gap, or no memory */
		bool empty = !l->skip;
		smtp_line_reset(l);
		if (!empty)
			return;
		/* an empty line before any buffer: handle it as "" */
		if (dir == SMTP_FROM_CLIENT)
			smtp_client_line(c, "", 0, c->ts);
		else
			smtp_server_line(c, "", 0, c->ts);
		return;
	}
	len = l->len;
	ts = l->ts;
	/* A truncated line lost its end; whether it had a CR is unknown. */
	if (!l->truncated) {
		if (len > 0 && l->buf[len - 1] == '\r')
			len--;
		else
			smtp_bare_lf(c, dir, ts);
	}
	l->buf[len] = '\0';
	/* The buffer is marked empty before the line is handled; handlers
	 * copy what they need before anything can append to this buffer. */
	smtp_line_reset(l);
	if (dir == SMTP_FROM_CLIENT)
		smtp_client_line(c, l->buf, len, ts);
	else
		smtp_server_line(c, l->buf, len, ts);
}

/* Dispatch a direction's bytes by mode; the mode can change at any byte. */
void smtp_dir_bytes(struct smtp_call *c, enum smtp_dir dir, struct rd *r)
{
	struct smtp_state *st = c->st;

	while (rd_left(r) > 0) {
		if (st->tls_guess) {
			/* a TLS handshake record after STARTTLS? */
			st->tls_guess = false;
			if (rd_peek_u8(r) == 0x16 && st->mode == SMTP_MODE_CMD)
				smtp_tls_start(c);
		}
		if (st->mode == SMTP_MODE_TLS) {
			/* One event for the rest, whatever is left. */
			smtp_tls_event(c, dir, c->ts, rd_left(r));
			rd_skip(r, rd_left(r));
		} else if (dir == SMTP_FROM_CLIENT &&
			   st->mode == SMTP_MODE_DATA) {
			smtp_body(c, r);
		} else if (dir == SMTP_FROM_CLIENT &&
			   st->mode == SMTP_MODE_BLOB) {
			smtp_blob(c, r);
		} else if (dir == SMTP_FROM_CLIENT &&
			   st->mode == SMTP_MODE_HOLD) {
			smtp_hold_bytes(c, r);
		} else {
			smtp_line_feed(c, dir, r);
		}
	}
}

/* ---- public ---- */

struct smtp_state *smtp_new(void)
{
	return calloc(1, sizeof(struct smtp_state));
}

void smtp_reset(struct smtp_state *st)
{
	struct smtp_state keep;
	smtp_hold_drop(st);
	keep = *st;
	/* every buffer is kept, empty, for the next session */
	memset(st, 0, sizeof(*st));
	st->text = keep.text;
	st->text_cap = keep.text_cap;
	st->fifo = keep.fifo;
	st->cap = keep.cap;
	st->hold.budget = keep.hold.budget;
	for (int i = 0; i < 2; i++) {
		st->line[i].buf = keep.line[i].buf;
		st->line[i].cap = keep.line[i].cap;
	}
}

void smtp_free(struct smtp_state *st)
{
	if (!st)
		return;
	free(st->line[0].buf);
	free(st->line[1].buf);
	free(st->text);
	free(st->fifo);
	smtp_hold_drop(st);
	free(st);
}

void smtp_feed(struct smtp_state *st, enum smtp_dir dir, const uint8_t *buf,
	       size_t len, double ts, smtp_emit_fn emit, void *ctx)
{
	struct smtp_call c = {st, emit, ctx, ts};
	struct rd r;

	if (!st || !buf || len == 0 ||
	    (dir != SMTP_FROM_CLIENT && dir != SMTP_FROM_SERVER))
		return;
	rd_init(&r, buf, len);
	smtp_dir_bytes(&c, dir, &r);
}

void smtp_gap(struct smtp_state *st, enum smtp_dir dir, uint64_t bytes,
	      double ts, smtp_emit_fn emit, void *ctx)
{
	struct smtp_call c = {st, emit, ctx, ts};

	if (!st || bytes == 0 ||
	    (dir != SMTP_FROM_CLIENT && dir != SMTP_FROM_SERVER))
		return;
	smtp_gap_bytes(&c, dir, bytes);
}

void smtp_gap_bytes(struct smtp_call *c, enum smtp_dir dir, uint64_t bytes)
{
	struct smtp_state *st = c->st;
	struct smtp_line *l;

	if (st->mode == SMTP_MODE_TLS)
		return;
	if (dir == SMTP_FROM_CLIENT && st->mode == SMTP_MODE_HOLD) {
		smtp_hold_gap(c, bytes);
		return;
	}
	if (dir == SMTP_FROM_CLIENT && st->mode == SMTP_MODE_DATA) {
		/* still in the body; a "." line cut by the gap cannot be
		 * trusted, so the scanner restarts mid-line */
		st->body.bytes += bytes;
		st->body.pos = SMTP_BODY_MID;
		st->body.prev = 0;
		return;
	}
	if (dir == SMTP_FROM_CLIENT && st->mode == SMTP_MODE_BLOB) {
		uint64_t take = bytes < st->blob_left ? bytes : st->blob_left;
		st->blob_left -= take;
		bytes -= take;
		if (st->blob_left == 0)
			smtp_blob_done(c);
		if (bytes == 0)
			return;
	}
	/* SMTP peers write whole lines, so bytes after a hole most likely
	 * start a new line: drop the line the hole cut and go on from the
	 * next byte (skipping to the next LF would eat a good line).  A
	 * multi-line reply the hole cut ends with what arrived of it. */
	l = &st->line[dir];
	smtp_line_reset(l);
	if (dir == SMTP_FROM_SERVER && st->in_reply)
		smtp_reply_done(c);
}

void smtp_set_budget(struct smtp_state *st, struct smtp_budget *b)
{
	if (st)
		st->hold.budget = b;
}

void smtp_implicit_tls(struct smtp_state *st)
{
	if (st) {
		st->mode = SMTP_MODE_TLS;
		st->seen_reply = true; /* the greeting is inside */
	}
}

void smtp_unseen(struct smtp_state *st, enum smtp_dir dir)
{
	if (st && (dir == SMTP_FROM_CLIENT || dir == SMTP_FROM_SERVER))
		st->unseen[dir] = true;
}

void smtp_no_greeting(struct smtp_state *st)
{
	if (st)
		st->seen_reply = true;
}

void smtp_finish(struct smtp_state *st, smtp_emit_fn emit, void *ctx)
{
	struct smtp_pending p;
	struct smtp_event ev;

	if (!st)
		return;
	/* held bytes re-read as commands may hold again (DATA among them) */
	while (st->mode == SMTP_MODE_HOLD) {
		struct smtp_call c = {st, emit, ctx, 0};
		smtp_hold_finish(&c);
	}
	/* Half a line or half a reply says nothing reliable: drop them, but
	 * say that a multi-line reply never ended (a server stuck in its
	 * reply, or one that never finishes it on purpose). */
	smtp_line_reset(&st->line[SMTP_FROM_CLIENT]);
	smtp_line_reset(&st->line[SMTP_FROM_SERVER]);
	if (st->in_reply) {
		struct smtp_call c = {st, emit, ctx, st->reply_ts};
		smtp_anomaly(&c, SMTP_FROM_SERVER, st->reply_ts,
			     SMTP_ANOM_REPLY_UNTERMINATED, SMTP_CMD_NONE, "");
	}
	st->in_reply = false;
	while (smtp_pop(st, &p)) {
		smtp_ev_init(&ev, SMTP_EV_UNANSWERED, SMTP_FROM_CLIENT, p.ts);
		ev.cmd = p.cmd;
		ev.verb = p.verb;
		ev.cmd_ts = p.ts;
		if (emit)
			emit(ctx, &ev);
	}
}
