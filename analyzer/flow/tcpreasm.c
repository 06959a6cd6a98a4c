/* tcpreasm.c - ordered delivery of one TCP direction with gaps (RFC 9293
 * section 3.4 sequence arithmetic); see tcpreasm.h. */
#include "flow/tcpreasm.h"

#include <stdlib.h>
#include <string.h>

struct tcpr_seg {
	struct tcpr_seg *next;
	uint32_t seq;
	uint32_t len;
	double ts;
	uint8_t data[];
};

/* modulo-2^32 comparisons */
static int32_t seq_diff(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b);
}

void tcpr_init(struct tcpr_half *h)
{
	memset(h, 0, sizeof(*h));
}

static void seg_free(struct tcpr_half *h, struct tcpr_seg *s)
{
	h->held_bytes -= s->len;
	if (h->budget)
		h->budget->used -= s->len;
	free(s);
}

void tcpr_free(struct tcpr_half *h)
{
	while (h->held) {
		struct tcpr_seg *s = h->held;
		h->held = s->next;
		seg_free(h, s);
	}
}

void tcpr_start_at(struct tcpr_half *h, uint32_t next)
{
	if (h->started)
		return;
	h->started = true;
	h->next = next;
}

void tcpr_syn(struct tcpr_half *h, uint32_t isn)
{
	if (h->started && h->delivered + h->missing > 0)
		return; /* a SYN resent late changes nothing */
	/* another ISN: a new attempt; data held against the old one is not
	 * this stream's (it would be delivered after a bogus gap, or, 2^31
	 * away, break the held list's order) */
	if (h->started && h->next != isn + 1)
		tcpr_free(h);
	h->started = true;
	h->next = isn + 1;
}

/* Deliver what of [seq, seq+len) lies at or after next. */
static void deliver(struct tcpr_half *h, uint32_t seq, const uint8_t *p,
		    size_t len, double ts, const struct tcpr_ops *ops,
		    void *ctx)
{
	int32_t off = seq_diff(h->next, seq);
	if (off < 0 || (size_t)off >= len)
		return; /* not yet, or already delivered (a retransmission) */
	h->next += (uint32_t)(len - (size_t)off);
	h->delivered += len - (size_t)off;
	ops->data(ctx, p + off, len - (size_t)off, ts);
}

static void gap_to(struct tcpr_half *h, uint32_t seq, double ts,
		   const struct tcpr_ops *ops, void *ctx)
{
	int32_t n = seq_diff(seq, h->next);
	if (n <= 0)
		return;
	h->missing += (uint32_t)n;
	h->next = seq;
	ops->gap(ctx, (uint32_t)n, ts);
}

/* Deliver held segments that have become contiguous. */
static void drain(struct tcpr_half *h, const struct tcpr_ops *ops, void *ctx)
{
	while (h->held && seq_diff(h->held->seq, h->next) <= 0) {
		struct tcpr_seg *s = h->held;
		h->held = s->next;
		deliver(h, s->seq, s->data, s->len, s->ts, ops, ctx);
		seg_free(h, s);
	}
}

/* A hole up to seq is final, but segments held inside it were captured:
 * deliver them in their place, so that only bytes the capture never had
 * are reported lost (a plain gap_to would skip them, and drain would then
 * free them undelivered). */
static void skip_to(struct tcpr_half *h, uint32_t seq, double ts,
		    const struct tcpr_ops *ops, void *ctx)
{
	while (h->held && seq_diff(h->held->seq, seq) < 0) {
		gap_to(h, h->held->seq, ts, ops, ctx);
		drain(h, ops, ctx);
	}
	gap_to(h, seq, ts, ops, ctx);
}

/* Keep a segment until the hole before it fills; false when it may not
 * be held (caps, memory): the caller then takes the hole as lost. */
static bool hold(struct tcpr_half *h, uint32_t seq, const uint8_t *p,
		 size_t len, double ts)
{
	struct tcpr_seg *s, **pp = &h->held;
	if (len > TCPR_HOLD_MAX ||
	    (h->budget && h->budget->used + len > h->budget->limit) ||
	    !(s = malloc(sizeof(*s) + len)))
		return false;
	s->seq = seq;
	s->len = (uint32_t)len;
	s->ts = ts;
	memcpy(s->data, p, len);
	while (*pp && seq_diff((*pp)->seq, seq) <= 0)
		pp = &(*pp)->next;
	s->next = *pp;
	*pp = s;
	h->held_bytes += len;
	if (h->budget)
		h->budget->used += len;
	return true;
}

void tcpr_segment(struct tcpr_half *h, uint32_t seq, const uint8_t *p,
		  size_t len, size_t wire_len, bool fin, double ts,
		  const struct tcpr_ops *ops, void *ctx)
{
	if (wire_len < len)
		wire_len = len;
	if (fin && !h->fin) {
		h->fin = true;
		h->fin_seq = seq + (uint32_t)wire_len;
	}
	if (wire_len == 0)
		return;
	if (len == 0) { /* all of it cut by the snaplen */
		if (h->started && seq_diff(seq, h->next) == 0)
			skip_to(h, seq + (uint32_t)wire_len, ts, ops, ctx);
		return;
	}
	if (!h->started) { /* the capture began inside the stream */
		h->started = true;
		h->next = seq;
	}
	if (seq_diff(seq, h->next) > 0) {
		/* a hole before this segment: lost in the capture if the
		 * receiver already acknowledged past it, else maybe reordering */
		if ((!h->have_ack || seq_diff(h->acked, seq) < 0) &&
		    hold(h, seq, p, len, ts)) {
			/* a loop: draining up to the next hole alone may
			 * leave more than the cap held */
			while (h->held_bytes > TCPR_HOLD_MAX) {
				gap_to(h, h->held->seq, ts, ops, ctx);
				drain(h, ops, ctx);
			}
			return;
		}
		skip_to(h, seq, ts, ops, ctx);
	}
	deliver(h, seq, p, len, ts, ops, ctx);
	/* the part the snaplen cut off is lost for sure */
	if (wire_len > len && h->next == seq + (uint32_t)len)
		skip_to(h, seq + (uint32_t)wire_len, ts, ops, ctx);
	drain(h, ops, ctx);
}

/* Acknowledged bytes the capture does not have, nothing held: up to
 * where they end (a FIN takes one number and is no loss), or false. */
static bool acked_unseen(const struct tcpr_half *h, uint32_t *end)
{
	if (h->held || seq_diff(h->acked, h->next) <= 0 ||
	    (h->fin && seq_diff(h->acked, h->fin_seq) > 0 &&
	     seq_diff(h->next, h->fin_seq) >= 0))
		return false;
	*end = h->acked;
	if (h->fin && seq_diff(*end, h->fin_seq) > 0)
		*end = h->fin_seq;
	return true;
}

/* defer: an ACK of unseen bytes waits (ack_ahead) instead of being a gap
 * at once. */
static void ack_to(struct tcpr_half *h, uint32_t ack, double ts, bool defer,
		   const struct tcpr_ops *ops, void *ctx)
{
	uint32_t end;
	if (!h->have_ack || seq_diff(ack, h->acked) > 0) {
		h->acked = ack;
		h->have_ack = true;
	}
	if (!h->started)
		return;
	/* the receiver has acknowledged the whole hole before held data:
	 * final; the gap sorts before that data */
	if (h->held && seq_diff(h->acked, h->held->seq) >= 0) {
		gap_to(h, h->held->seq, h->held->ts, ops, ctx);
		drain(h, ops, ctx);
		return;
	}
	/* acknowledged bytes the capture never had, nothing held: say so
	 * now, before the replies to them are parsed */
	if (!acked_unseen(h, &end))
		return;
	if (!defer) {
		gap_to(h, end, ts, ops, ctx);
	} else if (!h->ack_ahead) {
		h->ack_ahead = true;
		h->ack_ahead_ts = ts;
	}
}

void tcpr_ack(struct tcpr_half *h, uint32_t ack, double ts,
	      const struct tcpr_ops *ops, void *ctx)
{
	ack_to(h, ack, ts, false, ops, ctx);
}

/* An ACK that waited: the bytes came (nothing to say), or the wait is over
 * (now, or `force`): the gap they leave, at the ACK's time. */
static void settle(struct tcpr_half *h, double now, bool force,
		   const struct tcpr_ops *ops, void *ctx)
{
	uint32_t end;
	if (!h->ack_ahead)
		return;
	if (!acked_unseen(h, &end)) {
		h->ack_ahead = false;
		return;
	}
	if (!force && now - h->ack_ahead_ts <= TCPR_REORDER_S)
		return;
	h->ack_ahead = false;
	gap_to(h, end, h->ack_ahead_ts, ops, ctx);
}

void tcpr_flush(struct tcpr_half *h, double ts, const struct tcpr_ops *ops,
		void *ctx)
{
	uint32_t end;
	settle(h, ts, true, ops, ctx);
	while (h->started && h->held) {
		gap_to(h, h->held->seq, ts, ops, ctx);
		drain(h, ops, ctx);
	}
	if (!h->started || !h->have_ack)
		return;
	/* acknowledged but never captured; a FIN takes one number */
	end = h->acked;
	if (h->fin && seq_diff(end, h->fin_seq) > 0)
		end = h->fin_seq;
	gap_to(h, end, ts, ops, ctx);
}

void tcpr_conn_segment(struct tcpr_half h[2], int dir, bool syn, bool ack,
		       bool fin, uint32_t seq, uint32_t ackno,
		       const uint8_t *p, size_t len, size_t wire_len, double ts,
		       const struct tcpr_ops *ops, void *snd_ctx,
		       void *rcv_ctx)
{
	/* an earlier ACK's wait ends when it is over, or when the side
	 * that sent it sends data: replies to what it acknowledged */
	settle(&h[!dir], ts, wire_len > 0 || len > 0, ops, rcv_ctx);
	settle(&h[dir], ts, false, ops, snd_ctx);
	if (syn) {
		tcpr_syn(&h[dir], seq);
		seq++;
	}
	/* a pure ACK may have overtaken the data; one that comes with the
	 * receiver's own bytes (its replies to them) has not */
	if (ack)
		ack_to(&h[!dir], ackno, ts, wire_len == 0 && len == 0, ops,
		       rcv_ctx);
	tcpr_segment(&h[dir], seq, p, len, wire_len, fin, ts, ops, snd_ctx);
	settle(&h[dir], ts, false, ops, snd_ctx); /* the bytes came? */
}
