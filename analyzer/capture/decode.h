/* decode.h - IPv4 (RFC 791), IPv6 (RFC 8200, extension headers), TCP (RFC
 * 9293) and UDP (RFC 768) headers of one packet into a transport segment.
 * Pure: bounds-checked reads of the caller's bytes, no allocation. */
#ifndef MXRAY_DECODE_H
#define MXRAY_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define DEC_TH_FIN 0x01
#define DEC_TH_SYN 0x02
#define DEC_TH_RST 0x04
#define DEC_TH_ACK 0x10

/* An IP fragment (DEC_FRAGMENT), as reassembly needs it; the addresses
 * are the segment's src/dst. */
struct dec_frag {
	uint32_t id;       /* IPv4: 16 bits; IPv6: the Fragment header's */
	uint8_t proto;     /* IPv4 protocol; IPv6: the Fragment header's next
			      header */
	uint8_t ttl;       /* TTL, hop limit */
	uint32_t vtc_flow; /* IPv6: first word of the fixed header */
	size_t offset;     /* of data in the datagram, in bytes */
	bool more;         /* MF / M flag */
	bool cut;          /* the snaplen cut it: unusable, and then ... */
	const uint8_t *data; /* ... not to be read: the fragment's data */
	size_t len;
	const uint8_t *pkt; /* IPv4: the whole packet, header included, */
	size_t pkt_len;     /* as libnids takes it */
};

struct dec_seg {
	uint8_t proto; /* 6 TCP, 17 UDP */
	struct mx_endpoint src, dst;
	/* TCP */
	uint8_t flags;
	uint32_t seq, ack;
	/* payload: `len` bytes present of `wire_len` the packet carried
	 * (fewer when the capture's snaplen cut it) */
	const uint8_t *payload;
	size_t len, wire_len;
	struct dec_frag frag; /* DEC_FRAGMENT only */
};

enum dec_result {
	DEC_OK = 0,
	DEC_FRAGMENT,  /* an IP fragment (see frag): it needs reassembly */
	DEC_OTHER,     /* not TCP/UDP, or a header cut short */
};

/* An IPv4 packet of caplen captured bytes. */
enum dec_result dec_ipv4(const uint8_t *pkt, size_t caplen,
			 struct dec_seg *out);
/* An IPv6 packet. */
enum dec_result dec_ipv6(const uint8_t *pkt, size_t caplen,
			 struct dec_seg *out);

#endif
