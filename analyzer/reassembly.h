/* reassembly.h - IPv4 defragmentation (RFC 791, RFC 815), engine agnostic.
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

#include "util.h"

struct pcap_pkthdr;

struct reasm_ops {
	/* A whole IPv4 packet rebuilt from its fragments. */
	void (*ip)(void *ctx, const uint8_t *pkt, size_t len, double ts);
};

struct reasm_config {
	int max_frag_hosts; /* size of libnids' fragment hash (not a cap) */
};

/* Set up the one defragmenter.  Returns 0, or -1 with errbuf filled. */
int reasm_open(const struct reasm_config *cfg, const struct reasm_ops *ops,
	       void *ctx, char errbuf[MX_ERRBUF_SIZE]);

/* Feed one IPv4 fragment (no link header): caplen bytes captured of the
 * packet's wire length len, at the time in h.  Borrowed for the call. */
void reasm_feed_ipv4(const struct pcap_pkthdr *h, const uint8_t *ip,
		     size_t caplen, size_t len);

void reasm_shutdown(void);

struct reasm_stats {
	uint64_t ip_invalid; /* bad headers, overlapping or oversized pieces */
};
void reasm_get_stats(struct reasm_stats *st);

#endif
