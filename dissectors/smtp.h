/* smtp.h - SMTP session dissector (RFC 5321; 2920 PIPELINING; 3030 BDAT;
 * 3207 STARTTLS; 4954 AUTH; Exchange XEXCH50).
 *
 * One struct smtp_state per TCP connection, fed both directions' reassembled
 * bytes in arrival order.  It splits lines (CRLF or bare LF, capped at
 * SMTP_LINE_MAX), parses commands and (multi-line) replies, pairs replies
 * with commands through a FIFO (so PIPELINING works), counts DATA bodies,
 * BDAT chunks and XEXCH50 blobs without storing them, holds what the
 * client sends between DATA (XEXCH50) and its reply until the reply says
 * whether it is a body or commands (at most SMTP_HOLD_MAX bytes), and after
 * a 220 reply to STARTTLS treats both directions as opaque TLS if a TLS
 * record follows (else, as a TLS-decrypting device captures it, SMTP goes
 * on in clear).  It emits events through
 * a callback; it does no I/O and has no globals.  The state owns nothing the
 * caller gave it: event strings point into the state and are valid only
 * during the callback.
 */
#ifndef MXRAY_SMTP_H
#define MXRAY_SMTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMTP_LINE_MAX 4096  /* line buffer per direction, CRLF included */
#define SMTP_TEXT_MAX 1024  /* reply text kept (multi-line joined by '\n') */
#define SMTP_ARGS_MAX 512   /* command arguments kept */
#define SMTP_PENDING_MAX 64 /* commands awaiting a reply (PIPELINING) */

enum smtp_dir {
	SMTP_FROM_CLIENT = 0,
	SMTP_FROM_SERVER = 1,
};

enum smtp_cmd {
	SMTP_CMD_NONE = 0, /* the greeting has no command */
#define SMTP_CMD(e, s) SMTP_CMD_##e,
#include "smtp_cmds.def"
#undef SMTP_CMD
	SMTP_CMD_UNKNOWN,   /* a verb not in the table */
	SMTP_CMD_DATA_END,  /* pseudo: the end-of-data dot, awaits a reply */
	SMTP_CMD_BLOB_END,  /* pseudo: end of the XEXCH50 blob, awaits reply */
	SMTP_CMD_AUTH_DATA, /* pseudo: a client line in an AUTH exchange */
	SMTP_CMD__COUNT
};

enum smtp_ev_kind {
	SMTP_EV_COMMAND,    /* a client command line (cmd, verb, args) */
	SMTP_EV_REPLY,      /* a complete (multi-line) server reply */
	SMTP_EV_DATA_START, /* first byte of a DATA body after 354 */
	SMTP_EV_DATA_END,   /* the end-of-data dot; bytes = body size */
	SMTP_EV_BLOB,       /* an XEXCH50 blob or BDAT chunk is complete */
	SMTP_EV_TLS,        /* TLS bytes after STARTTLS (one per feed call) */
	SMTP_EV_UNANSWERED, /* from smtp_finish: a command never answered */
	SMTP_EV_ANOMALY,    /* something odd; see anomaly */
};

enum smtp_anomaly {
	SMTP_ANOM_NONE = 0,
	SMTP_ANOM_LINE_TOO_LONG,  /* line over SMTP_LINE_MAX, rest discarded */
	SMTP_ANOM_BARE_LF,        /* line ended by LF without CR */
	SMTP_ANOM_BAD_REPLY,      /* server line not "ddd[ -]..." */
	SMTP_ANOM_UNSOLICITED,    /* reply with no command pending */
	SMTP_ANOM_PENDING_FULL,   /* more than SMTP_PENDING_MAX in flight */
	SMTP_ANOM_CODE_MISMATCH,  /* multi-line reply changed its code */
	SMTP_ANOM_DATA_NO_354,    /* client sent data lines without a 354 */
	SMTP_ANOM_BAD_LENGTH,     /* BDAT/XEXCH50 size missing or absurd */
	SMTP_ANOM_REPLY_TOO_LONG, /* reply text over SMTP_TEXT_MAX, tail cut */
	SMTP_ANOM_REPLY_UNTERMINATED, /* multi-line reply with no last line
					 when the connection ended */
	SMTP_ANOM__COUNT
};

/* One event.  Strings are NUL-terminated, printable-escaped is the caller's
 * job (they may hold any byte except NUL; NULs in input become '?').
 * ts is the capture time of the first byte of the thing reported: the
 * first byte of a command line or of a reply's first line, the first body
 * byte for DATA_START, the segment holding the final dot for DATA_END, the
 * segment completing a blob for BLOB. */
struct smtp_event {
	enum smtp_ev_kind kind;
	enum smtp_dir dir;
	double ts;

	/* COMMAND, UNANSWERED; for REPLY the command it answers */
	enum smtp_cmd cmd;
	const char *verb; /* as sent, upper-cased, e.g. "MAIL"; "." for
			     DATA_END, "" for the greeting */
	const char *args; /* e.g. "FROM:<a@example.org> SIZE=10"; AUTH
			     payloads are replaced by "***" */
	double cmd_ts;    /* REPLY/UNANSWERED: when that command was sent */

	/* REPLY */
	int code;          /* 100..599; 0: the line had only an enhanced
			      status code (class 2, 4, 5), the text is it */
	const char *text;  /* text after the code; lines joined by '\n' */
	int lines;         /* number of lines in the reply */
	bool greeting;     /* the first reply of the session (220/554...) */

	/* DATA_END, BLOB, TLS */
	uint64_t bytes;
	enum smtp_cmd blob_of; /* BLOB: SMTP_CMD_XEXCH50 or SMTP_CMD_BDAT */

	/* ANOMALY */
	enum smtp_anomaly anomaly;
};

typedef void (*smtp_emit_fn)(void *ctx, const struct smtp_event *ev);

struct smtp_state; /* opaque */

/* Constructor; NULL on allocation failure.  smtp_free(NULL) is a no-op. */
struct smtp_state *smtp_new(void);
void smtp_free(struct smtp_state *st);
/* As new again, keeping the reply text and command FIFO it grew (a
 * connection's state reused for the next one). */
void smtp_reset(struct smtp_state *st);

/* Feed bytes of one direction, received at capture time ts. */
void smtp_feed(struct smtp_state *st, enum smtp_dir dir, const uint8_t *buf,
	       size_t len, double ts, smtp_emit_fn emit, void *ctx);

/* bytes of direction dir were lost from the capture (a TCP gap).  A DATA
 * body or blob keeps counting through it; a line the gap cut is dropped
 * and parsing resumes with the next byte delivered (SMTP peers write whole
 * lines); a multi-line reply it cut is reported with what arrived. */
void smtp_gap(struct smtp_state *st, enum smtp_dir dir, uint64_t bytes,
	      double ts, smtp_emit_fn emit, void *ctx);

/* The capture began inside the session: the first reply seen is not the
 * greeting. */
void smtp_no_greeting(struct smtp_state *st);

/* The capture holds none of direction dir's packets (a one-sided mirror):
 * with the server unseen, no command waits for a reply (none will be
 * seen), and what a reply would decide is read from the client's bytes:
 * after DATA (XEXCH50) a first line that is no command is the body (the
 * blob), after STARTTLS a TLS record is TLS, after AUTH lines that are no
 * command are credentials.  With the client unseen, replies answer no
 * command and are not unsolicited. */
void smtp_unseen(struct smtp_state *st, enum smtp_dir dir);

/* Client bytes held before a reply (smtp_hold.c), over every parser that
 * shares one budget: past its limit a hold is taken as the body at once,
 * so many sessions holding cannot add up to unbounded memory. */
struct smtp_budget {
	size_t used, limit;
};
void smtp_set_budget(struct smtp_state *st, struct smtp_budget *b);

/* TLS from the first byte (port 465, RFC 8314): both directions opaque. */
void smtp_implicit_tls(struct smtp_state *st);

/* The connection is over: a multi-line reply still open is an anomaly
 * (reply_unterminated); emit SMTP_EV_UNANSWERED for every command still
 * waiting for a reply (oldest first); a partial last line is dropped. */
void smtp_finish(struct smtp_state *st, smtp_emit_fn emit, void *ctx);

const char *smtp_cmd_name(enum smtp_cmd cmd);  /* "MAIL", "." ... */
const char *smtp_anomaly_name(enum smtp_anomaly a); /* "line_too_long" */

#endif
