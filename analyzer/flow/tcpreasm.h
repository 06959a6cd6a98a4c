/* tcpreasm.h - one direction of a TCP stream put back in order (RFC 9293
 * sequence space), with the holes a capture leaves marked as gaps.
 *
 * Why not libnids' reassembly: it needs the SYN (captures that start
 * mid-session were lost), gives up on a direction after a lost segment,
 * and knows only IPv4.  Here a stream may start at any segment; a hole is
 * declared as soon as the peer has acknowledged bytes beyond it (they
 * reached the receiver, only the capture missed them), or when the data
 * held out of order exceeds TCPR_HOLD_MAX, or at the end; parsing then
 * resumes after it.  Retransmissions and overlaps are trimmed to the bytes
 * not yet delivered.  Pure: no I/O, no globals; held segments are the only
 * allocation, capped per direction.
 */
#ifndef MXRAY_TCPREASM_H
#define MXRAY_TCPREASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TCPR_HOLD_MAX (64 * 1024) /* out-of-order bytes held per direction */
/* Within a connection (tcpr_conn_segment), an ACK of bytes not seen yet
 * waits this long, or until its sender sends data itself, for them: two
 * mirrored directions merged into one capture can put the receiver's ACK
 * a little before the data it acknowledges. */
#define TCPR_REORDER_S 0.010

struct tcpr_seg; /* private */

/* Held bytes across all streams, so that many streams holding data out of
 * order cannot add up to unbounded memory: past the limit a hole is taken
 * as lost at once. */
struct tcpr_budget {
	size_t used, limit;
};

struct tcpr_half {
	bool started;       /* next is known */
	uint32_t next;      /* sequence number of the next byte to deliver */
	bool have_ack;      /* the peer acknowledged something */
	uint32_t acked;     /* highest acknowledgment from the peer */
	bool fin;           /* FIN seen at fin_seq */
	uint32_t fin_seq;
	struct tcpr_seg *held; /* out of order, sorted by seq, owned */
	size_t held_bytes;
	struct tcpr_budget *budget; /* shared, or NULL: no global limit */
	uint64_t delivered; /* bytes delivered in order */
	uint64_t missing;   /* bytes declared lost */
	bool ack_ahead;     /* acked past next, nothing held: maybe reordering */
	double ack_ahead_ts;
};

struct tcpr_ops {
	void (*data)(void *ctx, const uint8_t *buf, size_t len, double ts);
	void (*gap)(void *ctx, uint64_t missing, double ts);
};

/* The SYN (or SYN-ACK) of this direction: data starts at isn + 1. */
void tcpr_syn(struct tcpr_half *h, uint32_t isn);
/* A stream the capture has no packet of (a one-sided capture) starts
 * where its receiver's first acknowledgment put it: what the receiver
 * acknowledges after that is reported as gaps. */
void tcpr_start_at(struct tcpr_half *h, uint32_t next);
/* A segment of this direction: len bytes captured of wire_len sent (a
 * snaplen cut leaves a known gap); fin: it carries FIN. */
void tcpr_segment(struct tcpr_half *h, uint32_t seq, const uint8_t *p,
		  size_t len, size_t wire_len, bool fin, double ts,
		  const struct tcpr_ops *ops, void *ctx);
/* The peer acknowledged this direction's bytes up to ack. */
void tcpr_ack(struct tcpr_half *h, uint32_t ack, double ts,
	      const struct tcpr_ops *ops, void *ctx);
/* One segment of a connection whose halves are h[0] (client to server)
 * and h[1]: a SYN starts direction dir's stream, an ACK tells the other
 * half what its receiver got (ops with rcv_ctx), and the bytes go to
 * dir's half (ops with snd_ctx). */
void tcpr_conn_segment(struct tcpr_half h[2], int dir, bool syn, bool ack,
		       bool fin, uint32_t seq, uint32_t ackno,
		       const uint8_t *p, size_t len, size_t wire_len, double ts,
		       const struct tcpr_ops *ops, void *snd_ctx,
		       void *rcv_ctx);
/* End of the stream: held data is delivered after its gaps, and bytes the
 * peer acknowledged but the capture never had are reported. */
void tcpr_flush(struct tcpr_half *h, double ts, const struct tcpr_ops *ops,
		void *ctx);
/* Free held segments; the half can be reused after tcpr_init. */
void tcpr_free(struct tcpr_half *h);
void tcpr_init(struct tcpr_half *h);

#endif
