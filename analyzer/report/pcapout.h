/* pcapout.h - -w: the frames of the sessions with findings, and of the
 * DNS tied to them, written to a pcap file in the order they were
 * captured.
 *
 * A session's frames come when it is over (model/frames.h), long after
 * frames of sessions that began later: they are held, and a frame is
 * written once no session still open or still to be judged can own an
 * earlier one (the watermark).  A DNS frame may be tied by a session that
 * has not started yet (a sender's MX lookup precedes its connection), so
 * the watermark also keeps DNS frames nobody took from PO_DNS_LOOKBACK_S
 * before the oldest open session began.
 * Held frames are bounded by PO_HELD_MAX, and in live capture by
 * PO_MAX_WAIT_S (one long session must not hold the file back for its
 * idle timeout):
 * past either the oldest are written at once, and a frame that turns up
 * later than a newer one was written is written all the same, and counted
 * as out of order.
 */
#ifndef MXRAY_PCAPOUT_H
#define MXRAY_PCAPOUT_H

#include <stdint.h>
#include <stdio.h>

#include "base/util.h"
#include "model/frames.h"
#include "model/session.h"

#define PO_HELD_MAX ((size_t)64 << 20)
/* live capture: a frame waits at most this long (capture time) for an
 * earlier session */
#define PO_MAX_WAIT_S 60.0
#define PO_DNS_LOOKBACK_S 10.0

struct pcapout_stats {
	uint64_t sessions;      /* whose frames were written */
	uint64_t packets;       /* written */
	uint64_t bytes;         /* of frames written */
	uint64_t not_kept;      /* of those sessions: frames over the caps */
	uint64_t dns_not_kept;  /* DNS frames tied but no longer kept */
	uint64_t out_of_order;  /* written after a later frame */
	uint64_t peak_bytes;    /* frames held at once, at most (all
				   sessions, DNS, waiting to be written) */
	char link_type[32];
};

struct pcapout;

/* Write to f (borrowed: its descriptor is duplicated, so f is closed by
 * its owner after pcapout_end) with link type dlt.  NULL with errbuf. */
struct pcapout *pcapout_new(FILE *f, int dlt, int snaplen,
			    struct fr_pool *pool, struct fr_dns *dns,
			    char errbuf[MX_ERRBUF_SIZE]);
/* Take s's frames and those of its tied DNS transactions, to be written
 * in order. */
void pcapout_session(struct pcapout *po, struct session *s);
/* Write what no later session can come before: every held frame numbered
 * below open_frame (the oldest a session not yet over may own) and below
 * the DNS frames of the PO_DNS_LOOKBACK_S before open_start (when that
 * session began: it may tie them); and every held frame captured more
 * than PO_MAX_WAIT_S before now (-INFINITY: no such limit). */
void pcapout_advance(struct pcapout *po, uint64_t open_frame,
		     double open_start, double now);
/* What was written so far to the file (live capture). */
void pcapout_flush(struct pcapout *po);
/* Everything held is written and the file flushed: 0, or -1 on a write
 * error. */
int pcapout_end(struct pcapout *po);
void pcapout_get_stats(const struct pcapout *po, struct pcapout_stats *st);
void pcapout_free(struct pcapout *po);

#endif
