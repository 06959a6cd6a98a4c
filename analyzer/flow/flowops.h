/* flowops.h - what the flow layer finds, as a stream of operations on the
 * session records and the DNS table, applied in the order they were made.
 *
 * The flow side (engine, smtpflow, dnsconn) keeps only connection state;
 * the records, the DNS table and the hooks above belong to the side that
 * applies the stream.  Without a second thread each operation is applied
 * as soon as it is written.  With one (fo_run_split), the flow side runs
 * there and hands over blocks of operations, and this thread applies them:
 * the same operations in the same order, so the same output, with the
 * packet path and the analysis on two cores.
 */
#ifndef MXRAY_FLOWOPS_H
#define MXRAY_FLOWOPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "model/dnstrack.h"
#include "model/frames.h"
#include "model/session.h"
#include "smtp.h"

/* The capture's counters, about once a capture second. */
struct flow_capstats {
	double now;             /* capture time */
	uint64_t packets;       /* frames read */
	uint64_t sessions_open; /* SMTP connections tracked */
	bool live;              /* the counters below are the kernel's */
	uint64_t received, dropped_kernel, dropped_iface;
	/* packets were dropped between these two times (drops are counted
	 * once a second); loss_to == 0: none since the last */
	double loss_from, loss_to;
};

/* Called with the session record, in capture order: */
struct flow_hooks {
	void (*session_start)(void *ctx, struct session *s); /* first packet */
	void (*banner)(void *ctx, struct session *s);  /* greeting's first byte */
	/* over: the record is complete, and reused or freed on return */
	void (*session_done)(void *ctx, struct session *s);
	void (*tick)(void *ctx, double now); /* about once a capture second */
	void *ctx;
	/* after tick: the capture's counters (may be NULL) */
	void (*capstats)(void *ctx, const struct flow_capstats *cs);
	/* -w (may be NULL), with frames_ctx: after session_done, the
	 * record's frames (s->frames), which the hook may take (what it
	 * leaves is freed); and after each tick, with s NULL */
	void (*frames)(void *ctx, struct session *s, double now);
	void *frames_ctx;
};

struct fo_stream;

/* NULL on OOM.  dns and hooks are the applying side's. */
struct fo_stream *fo_new(struct dt_table *dns, const struct flow_hooks *hooks);
/* Every record still held is released (without its hooks). */
void fo_free(struct fo_stream *f);

/* -w: frames are kept (frames.h).  The flow side fills each session's
 * chain from pool; the applying side keeps DNS frames in dns, notes them
 * in their transactions, and frees what the frames hook leaves.  Before
 * the first operation. */
void fo_keep_frames(struct fo_stream *f, struct fr_pool *pool,
		    struct fr_dns *dns);
/* The applying side: the capture's number of the oldest frame that a
 * session not yet over may still own, and when that session began (the
 * oldest such record's first frame and start, else the first frame after
 * the last tick and its time). */
uint64_t fo_oldest_open_frame(const struct fo_stream *f, double *start);

/* ---- the flow side: a session is known by its slot, a small number the
 * flow side gives it and reuses only after fo_over ---- */

/* first_frame: the capture's number of its first frame (-w), else 0 */
void fo_start(struct fo_stream *f, uint32_t slot, uint64_t seq,
	      const struct mx_endpoint *client, const struct mx_endpoint *server,
	      double ts, bool partial, uint64_t first_frame);
/* A segment that may change the record's TCP facts (SYN, RST, FIN, the
 * handshake's ACK); the time of the last one comes with fo_over. */
void fo_segment(struct fo_stream *f, uint32_t slot, bool from_client,
		const struct sess_seg *g);
/* One SMTP event (strings copied); in_feed: from bytes given to the
 * dissector, then fo_fed follows them. */
void fo_smtp(struct fo_stream *f, uint32_t slot, const struct smtp_event *ev,
	     bool in_feed);
/* The bytes given to the dissector are done: a greeting among their
 * events calls the banner hook now. */
void fo_fed(struct fo_stream *f, uint32_t slot);
void fo_gap(struct fo_stream *f, uint32_t slot, int dir, uint64_t missing,
	    double ts);
/* Only one side's packets are captured (enum one_sided); handshake_t: the
 * client's ACK that proves the unseen SYN-ACK, or < 0. */
void fo_one_sided(struct fo_stream *f, uint32_t slot, uint8_t which,
		  double handshake_t);
/* Over: how it ended, the capture clock, the session's last segment,
 * bytes each side sent; its frames (-w) go with it, and *frames is left
 * empty. */
void fo_over(struct fo_stream *f, uint32_t slot, enum sess_close why,
	     double now, double last, uint64_t client_bytes,
	     uint64_t server_bytes, struct fr_chain *frames);
/* A DNS message (bytes copied); cut: the snaplen kept only len bytes;
 * frames: the capture's numbers of the n frames that carried it, given
 * to fo_frame before (-w; n may be 0). */
void fo_dns(struct fo_stream *f, const uint8_t *msg, size_t len,
	    const struct mx_endpoint *src, const struct mx_endpoint *dst,
	    bool tcp, bool cut, double ts, const uint64_t *frames, size_t n);
/* -w: a frame that may carry DNS (copied) into the DNS frames' window; a
 * message names it by its number.  false: too large to go (not kept). */
bool fo_frame(struct fo_stream *f, const struct fr_frame *frame);
/* About once a capture second, after the sessions it ended; next_frame:
 * the capture's number of the next frame (-w). */
void fo_tick(struct fo_stream *f, double now, uint64_t next_frame);

/* The capture's counters (copied); after fo_tick. */
void fo_capstats(struct fo_stream *f, const struct flow_capstats *cs);

/* With a second thread: hand over what was written so far, so that it is
 * applied without waiting for a full block (a live capture's latency). */
void fo_flush(struct fo_stream *f);

/* Run produce(arg) on a second thread, its operations applied on this
 * one as they come; returns when both are done.  1 when no thread could
 * be had (nothing ran: the caller runs produce itself), else 0. */
int fo_run_split(struct fo_stream *f, void (*produce)(void *), void *arg);

#endif
