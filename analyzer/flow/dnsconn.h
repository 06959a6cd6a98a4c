/* dnsconn.h - DNS over TCP connections (RFC 7766): each direction put in
 * order by tcpreasm and cut into messages by the dns_tcp framer.  The table
 * is small and capped (DNS over TCP is rare next to UDP); connections end
 * on FIN from both sides, a reset, or idleness, and the oldest is dropped
 * when the table is full. */
#ifndef MXRAY_DNSCONN_H
#define MXRAY_DNSCONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "capture/decode.h"

#define DC_MSG_FRAMES 6

/* A complete DNS message from src to dst, and the numbers of the n frames
 * whose segments carried it (those dc_segment was given, at most
 * DC_MSG_FRAMES, the first ones; none for bytes a connection held when it
 * ended). */
typedef void (*dc_msg_fn)(void *ctx, const uint8_t *msg, size_t len,
			  const struct mx_endpoint *src,
			  const struct mx_endpoint *dst, double ts,
			  const uint64_t *frames, size_t n);

struct dc_table;

struct dc_table *dc_new(size_t max_conns, double idle_s, dc_msg_fn fn,
			void *ctx);
void dc_free(struct dc_table *t);
/* One TCP segment to or from port 53; frame: the number of the frame it
 * came in (-w), else 0. */
void dc_segment(struct dc_table *t, const struct dec_seg *g, double ts,
		uint64_t frame);
void dc_expire(struct dc_table *t, double now);

struct dc_stats {
	uint64_t connections, evicted, gaps;
};
void dc_get_stats(const struct dc_table *t, struct dc_stats *st);

#endif
