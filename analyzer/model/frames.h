/* frames.h - captured frames kept for -w: each SMTP session's own while it
 * is open, and the DNS frames of a recent window, so that the packets of a
 * session with findings can be written once the analysis has judged it.
 *
 * Frames live in chunks from one pool shared by the two threads (the flow
 * side fills a session's chain, the analysis side takes it when the
 * session is over), so the pool is locked, once per 4 KiB chunk.  Three
 * caps bound it:
 *   - a session keeps its first and its last FR_SESSION_MAX / 2 bytes of
 *     frames; the frames between are dropped, and counted;
 *   - all chunks together stay under the pool's cap; a frame that would
 *     pass it is not kept, and counted;
 *   - the DNS window keeps FR_DNS_MAX bytes of frames at most, the oldest
 *     going first.
 * Every frame carries the capture's sequence number (the order frames
 * were read in), by which the writer merges sessions back into time
 * order.
 */
#ifndef MXRAY_FRAMES_H
#define MXRAY_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FR_SESSION_MAX ((size_t)2 << 20)
#define FR_POOL_MAX ((size_t)256 << 20)
#define FR_DNS_MAX ((size_t)32 << 20)

/* One frame as it will be written: pcap's record header and the bytes. */
struct fr_frame {
	uint64_t seq;     /* capture order, from 1 */
	int64_t sec;
	uint32_t usec;
	uint32_t caplen;  /* bytes present */
	uint32_t len;     /* on the wire */
	const uint8_t *bytes;
};

struct fr_chunk;

/* A list of frames in the order added; a session's, or DNS frames. */
struct fr_chain {
	struct fr_chunk *head, *tail;
	struct fr_chunk *pinned; /* the last chunk of the kept beginning */
	size_t bytes;            /* chunk memory held */
	uint64_t frames;         /* held */
	uint64_t dropped;        /* not kept: caps */
};

struct fr_pool;

struct fr_pool *fr_pool_new(size_t max_bytes);
void fr_pool_free(struct fr_pool *p);
/* Chunk memory in use now, and the most there was (locked reads). */
size_t fr_pool_used(struct fr_pool *p);
size_t fr_pool_peak(struct fr_pool *p);

/* Append a copy of f; per_session_max 0: no per-chain cap.  false when it
 * was not kept (a cap; counted in c->dropped). */
bool fr_chain_add(struct fr_pool *p, struct fr_chain *c,
		  const struct fr_frame *f, size_t per_session_max);
/* Give every chunk back; c is empty after. */
void fr_chain_release(struct fr_pool *p, struct fr_chain *c);
/* Drop the oldest chunk (its frames counted as dropped); false if empty. */
bool fr_chain_drop_first(struct fr_pool *p, struct fr_chain *c);

/* Walking a chain: fr_first, then fr_next until it returns false. */
struct fr_cursor {
	const struct fr_chunk *k;
	size_t off;
};
bool fr_first(const struct fr_chain *c, struct fr_cursor *cur,
	      struct fr_frame *f);
bool fr_next(struct fr_cursor *cur, struct fr_frame *f);

/* ---- DNS frames of the recent past, found by sequence number ---- */

struct fr_dns;

struct fr_dns *fr_dns_new(struct fr_pool *p, size_t max_bytes);
void fr_dns_free(struct fr_dns *d);
/* Keep f (false: not kept, the pool is full). */
bool fr_dns_add(struct fr_dns *d, const struct fr_frame *f);
/* Forget frames captured before t (the DNS window has passed them). */
void fr_dns_expire(struct fr_dns *d, double t);
/* The frame with that sequence number, marked taken (a lookup tied to
 * two sessions is written once): 1 and *f; 0 when it was taken before;
 * -1 when it is no longer kept. */
int fr_dns_take(struct fr_dns *d, uint64_t seq, struct fr_frame *f);
/* The oldest frame kept at or after time t that is not taken, or
 * UINT64_MAX: the writer must wait for nothing older than it, since a
 * session not yet judged may still tie it. */
uint64_t fr_dns_oldest_untaken(const struct fr_dns *d, double t);

#endif
