/* smtp_int.h - the SMTP dissector's state, shared by smtp.c (lines,
 * commands, replies) and smtp_body.c (DATA bodies, BDAT chunks, XEXCH50
 * blobs).  Not part of the interface: include smtp.h.
 */
#ifndef MXRAY_SMTP_INT_H
#define MXRAY_SMTP_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "reader.h"
#include "smtp.h"

#define SMTP_VERB_MAX 16                   /* verb bytes kept, as sent */
#define SMTP_SIZE_LIMIT ((uint64_t)1 << 40) /* larger BDAT/XEXCH50: bogus */
/* Client bytes held between DATA (XEXCH50) and its reply: a client that
 * sends the message without waiting sends about one TCP window (10
 * segments) before the 354 can arrive.  Past this the bytes are taken as
 * the body: nobody pipelines 16 KB of commands behind a DATA. */
#define SMTP_HOLD_MAX (16 * 1024)
#define SMTP_HOLD_MARKS 32 /* arrivals (time stamps, gaps) held */

/* Session state: what the client's next bytes are (server bytes are always
 * reply lines, except in TLS mode).  A reduced Zeek SMTP_State: a passive
 * observer only needs to know how to cut the client's byte stream. */
enum smtp_mode {
	SMTP_MODE_CMD = 0, /* command lines */
	SMTP_MODE_AUTH,    /* server said 334: next line is an AUTH response */
	SMTP_MODE_DATA,    /* a DATA body, up to the line holding "." */
	SMTP_MODE_BLOB,    /* blob_left opaque bytes (BDAT chunk, XEXCH50) */
	SMTP_MODE_TLS,     /* after 220 to STARTTLS: both directions opaque */
	SMTP_MODE_HOLD,    /* DATA or XEXCH50 sent, its reply not seen yet:
			      the client's bytes wait for it (smtp_hold.c) */
};

/* End-of-data scanner, one byte at a time so that "\r\n.\r\n" is found
 * across any segment boundaries without keeping the body. */
enum smtp_body_pos {
	SMTP_BODY_BOL = 0, /* at the start of a body line */
	SMTP_BODY_MID,     /* inside a line */
	SMTP_BODY_DOT,     /* the line so far is "." */
	SMTP_BODY_DOTCR,   /* the line so far is ".\r" */
};

/* A command waiting for its reply. */
struct smtp_pending {
	enum smtp_cmd cmd;
	char verb[SMTP_VERB_MAX + 1];
	double ts;
	uint64_t size; /* XEXCH50: blob length announced, if size_ok */
	bool size_ok;
	bool early;    /* DATA/XEXCH50: its body or blob was taken before
			  the reply came (the hold overflowed) */
};

/* Where held bytes came from: bytes from off on arrived at ts, after a
 * gap of `gap` bytes (0: none). */
struct smtp_hold_mark {
	size_t off;
	double ts;
	uint64_t gap;
};

/* One direction's line being assembled.  The buffer grows with the
 * longest line seen (up to SMTP_LINE_MAX): most SMTP lines are short, and
 * a busy link has many sessions open at once. */
struct smtp_line {
	char *buf;       /* line bytes, CR kept, NULs as '?'; owned */
	size_t cap;
	size_t len;
	double ts;       /* capture time of the line's first byte */
	bool active;     /* some byte of this line has been seen */
	bool truncated;  /* overflowed: keep the head, skip to the next LF */
	bool skip;       /* bytes were lost: drop everything to the next LF */
};

struct smtp_state {
	struct smtp_line line[2]; /* indexed by enum smtp_dir */
	bool bare_lf_told[2];     /* BARE_LF reported once per direction */

	/* Commands awaiting replies, oldest at fifo[head]; a ring that grows
	 * (by doubling) up to SMTP_PENDING_MAX. */
	struct smtp_pending *fifo;
	unsigned cap, head, npend;

	/* The server reply being assembled. */
	bool in_reply;
	bool reply_cut; /* this reply's text overflowed SMTP_TEXT_MAX */
	int reply_code;
	int reply_lines;
	double reply_ts;
	char *text; /* grows up to SMTP_TEXT_MAX; owned */
	size_t text_cap, text_len;
	bool seen_reply; /* the greeting has come */

	enum smtp_mode mode;
	bool data_refused; /* DATA just got a non-354 reply */
	bool unseen[2];    /* smtp_unseen: that direction is not captured */
	bool tls_guess;    /* STARTTLS answered 220 (or sent, the server
			      unseen): TLS if the next byte starts a record */
	bool auth_guess;   /* server unseen, AUTH sent: credentials may */

	struct { /* DATA body scanner, zeroed at each 354 */
		enum smtp_body_pos pos;
		uint64_t bytes; /* all body bytes so far, dot line included */
		uint8_t prev;   /* previous body byte, to spot bare LFs */
		double dot_ts;  /* segment holding the dot of a "." line */
		bool started;
	} body;

	/* BDAT chunk or XEXCH50 blob. */
	enum smtp_cmd blob_of;
	uint64_t blob_size, blob_left;

	struct { /* SMTP_MODE_HOLD: the client's bytes since `of` */
		char *buf; /* grows up to SMTP_HOLD_MAX; owned */
		size_t cap, len;
		/* SMTP_HOLD_MARKS of them, allocated at the first hold that
		 * holds anything (most sessions never do); owned */
		struct smtp_hold_mark *mark;
		unsigned n;
		enum smtp_cmd of; /* SMTP_CMD_DATA or SMTP_CMD_XEXCH50 */
		struct smtp_budget *budget; /* shared, or NULL */
		bool replaying; /* held bytes are being re-read */
		uint64_t size;    /* XEXCH50: the blob's announced length */
	} hold;
};

/* What one smtp_feed/smtp_finish call needs everywhere. */
struct smtp_call {
	struct smtp_state *st;
	smtp_emit_fn emit;
	void *ctx;
	double ts; /* capture time of the bytes being fed */
};

/* smtp.c */
void smtp_ev_init(struct smtp_event *ev, enum smtp_ev_kind kind,
		  enum smtp_dir dir, double ts);
void smtp_emit(struct smtp_call *c, const struct smtp_event *ev);
void smtp_bare_lf(struct smtp_call *c, enum smtp_dir dir, double ts);
/* a command now waiting for its reply */
void smtp_push(struct smtp_call *c, enum smtp_cmd cmd, const char *verb,
	       double ts, uint64_t size, bool size_ok);
void smtp_anomaly(struct smtp_call *c, enum smtp_dir dir, double ts,
		  enum smtp_anomaly a, enum smtp_cmd cmd, const char *verb);
/* Grow *buf (doubling from `first`) towards `need` bytes, never past max;
 * on allocation failure it stays as it was. */
void smtp_grow(char **buf, size_t *cap, size_t need, size_t first,
	       size_t max);
enum smtp_cmd smtp_cmd_lookup(const char *verb);
char smtp_upper(char ch);
/* a direction's bytes, dispatched by mode */
void smtp_dir_bytes(struct smtp_call *c, enum smtp_dir dir, struct rd *r);
/* bytes of direction dir lost from the capture (see smtp_gap) */
void smtp_gap_bytes(struct smtp_call *c, enum smtp_dir dir, uint64_t bytes);

/* smtp_body.c */
void smtp_blob_begin(struct smtp_call *c, uint64_t size, enum smtp_cmd of);
void smtp_blob_done(struct smtp_call *c);
void smtp_blob(struct smtp_call *c, struct rd *r);  /* blob bytes */
void smtp_body(struct smtp_call *c, struct rd *r);  /* DATA body bytes */

/* smtp_hold.c */
void smtp_hold_begin(struct smtp_call *c, enum smtp_cmd of, uint64_t size);
void smtp_hold_bytes(struct smtp_call *c, struct rd *r);
void smtp_hold_gap(struct smtp_call *c, uint64_t bytes);
/* the server is unseen: decide from the held bytes, once they tell */
void smtp_hold_guess(struct smtp_call *c);
void smtp_tls_start(struct smtp_call *c);
/* the reply to the command the bytes wait for: re-read them */
void smtp_hold_answer(struct smtp_call *c, const struct smtp_pending *p,
		      int code);
/* the connection ended with bytes still held */
void smtp_hold_finish(struct smtp_call *c);
/* the held bytes are gone: their share of the budget and their memory go
 * back (smtp_reset, smtp_free) */
void smtp_hold_drop(struct smtp_state *st);

#endif
