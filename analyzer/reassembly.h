/* reassembly.h - IPv4 defragmentation and TCP stream reassembly, engine
 * agnostic.
 *
 * Today the engine is libnids (IPv4 only, a stream needs its SYN).  Nothing
 * outside reassembly.c knows that: callers feed IPv4 packets and get back
 * defragmented packets and ordered stream bytes through struct reasm_ops.
 * libnids keeps global state, so there is one reassembler per process.
 */
#ifndef MXRAY_REASSEMBLY_H
#define MXRAY_REASSEMBLY_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct pcap_pkthdr;
struct reasm_stream; /* opaque per-stream handle */

enum reasm_close {
	REASM_CLOSE_FIN,     /* both sides closed */
	REASM_CLOSE_RST,     /* reset */
	REASM_CLOSE_TIMEOUT, /* evicted by the engine (table full / idle) */
	REASM_CLOSE_EXIT,    /* reassembler shut down (end of capture) */
};

struct reasm_ops {
	/* Every IPv4 packet after defragmentation, before TCP processing. */
	void (*ip)(void *ctx, const uint8_t *pkt, size_t len, double ts);
	/* A stream completed its handshake.  Return the caller's per-stream
	 * pointer, or NULL to ignore the stream.  h stays valid until close
	 * or until reasm_detach(h). */
	void *(*open)(void *ctx, const struct mx_endpoint *client,
		      const struct mx_endpoint *server, double ts,
		      struct reasm_stream *h);
	/* In-order bytes; from_server is 1 for server-to-client bytes. */
	void (*data)(void *ctx, void *user, int from_server,
		     const uint8_t *buf, size_t len, double ts);
	/* The stream is gone; user is not referenced again. */
	void (*close)(void *ctx, void *user, enum reasm_close how, double ts);
};

struct reasm_config {
	int max_streams;   /* concurrent TCP streams tracked */
	int max_frag_hosts; /* hosts with IP fragments in flight */
};

/* Set up the one reassembler.  Returns 0, or -1 with errbuf filled. */
int reasm_open(const struct reasm_config *cfg, const struct reasm_ops *ops,
	       void *ctx, char errbuf[MX_ERRBUF_SIZE]);

/* Feed one IPv4 packet (no link header): caplen bytes captured out of the
 * packet's wire length len, at the time in h.  The bytes are only borrowed
 * for the call. */
void reasm_feed_ipv4(const struct pcap_pkthdr *h, const uint8_t *ip,
		     size_t caplen, size_t len);

/* The caller forgets a stream early (its session was reported): no more
 * callbacks will carry its user pointer. */
void reasm_detach(struct reasm_stream *h);

/* Shut down: every live stream gets close(REASM_CLOSE_EXIT). */
void reasm_shutdown(void);

/* Warnings the engine raised, for the summary (bad headers, table full). */
struct reasm_stats {
	uint64_t ip_invalid;
	uint64_t tcp_invalid;
	uint64_t streams_evicted;
	uint64_t queue_overflow;
};
void reasm_get_stats(struct reasm_stats *st);

#endif
