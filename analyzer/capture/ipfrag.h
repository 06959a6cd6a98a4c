/* reassembly.h - IP defragmentation (RFC 791, RFC 815, RFC 8200 4.5) for
 * both address families, with bounded memory; engine agnostic.
 *
 * The engine is libnids, used for its fragment reassembly only; TCP
 * streams are put in order by tcpreasm.c (libnids' stream code needs the
 * SYN, gives up on a direction after a lost segment and is IPv4-only).
 * libnids keeps global state, so there is one defragmenter per process.
 */
#ifndef MXRAY_REASSEMBLY_H
#define MXRAY_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

struct reasm_ops {
	/* A whole packet rebuilt from its fragments: IPv4, or IPv6 with a
	 * fixed header straight before the upper layer (the extension
	 * headers ahead of the fragment header are not kept). */
	void (*ip)(void *ctx, int ipver, const uint8_t *pkt, size_t len,
		   double ts);
};

struct reasm_config {
	size_t max_datagrams; /* incomplete datagrams held at once */
	size_t max_bytes;     /* memory charged to them at once */
	double timeout4_s;    /* an incomplete IPv4 datagram's lifetime */
	double timeout6_s;    /* the same for IPv6 (RFC 8200: 60 s) */
};

/* Set up the one defragmenter.  Returns 0, or -1 with errbuf filled. */
int reasm_open(const struct reasm_config *cfg, const struct reasm_ops *ops,
	       void *ctx, char errbuf[MX_ERRBUF_SIZE]);

struct dec_seg;

/* Feed one fragment seen at ts, as decode.c described it (DEC_FRAGMENT).
 * Its bytes are borrowed for the call; a rebuilt packet comes back
 * through ops->ip during the call that completes it. */
void reasm_feed(double ts, const struct dec_seg *frag);

/* Give up datagrams older than their lifetime at capture time now (the
 * caller's timer: a fragment's arrival does not expire others). */
void reasm_expire(double now);

/* Give up every incomplete datagram and release libnids. */
void reasm_shutdown(void);

struct reasm_stats {
	uint64_t fragments4, fragments6; /* fragments received */
	uint64_t reassembled;            /* datagrams rebuilt */
	uint64_t incomplete;   /* datagrams given up: lifetime, capture end */
	uint64_t evicted;      /* datagrams given up early: memory budget */
	uint64_t lost4, lost6; /* fragments that never became a datagram */
	uint64_t ip_invalid;   /* bad headers, overlapping or oversized */
	size_t held_bytes, held_datagrams; /* now */
};
void reasm_get_stats(struct reasm_stats *st);

#endif
