/* decode.h - IPv4 (RFC 791), IPv6 (RFC 8200, extension headers), TCP (RFC
 * 9293) and UDP (RFC 768) headers of one packet into a transport segment.
 * Pure: bounds-checked reads of the caller's bytes, no allocation. */
#ifndef MXRAY_DECODE_H
#define MXRAY_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define DEC_TH_FIN 0x01
#define DEC_TH_SYN 0x02
#define DEC_TH_RST 0x04
#define DEC_TH_ACK 0x10

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
};

enum dec_result {
	DEC_OK = 0,
	DEC_FRAGMENT,  /* an IP fragment: it needs reassembly first */
	DEC_OTHER,     /* not TCP/UDP, or a header cut short */
};

/* An IPv4 packet of caplen captured bytes. */
enum dec_result dec_ipv4(const uint8_t *pkt, size_t caplen,
			 struct dec_seg *out);
/* An IPv6 packet; fragments are DEC_FRAGMENT (see dec_ipv6_frag). */
enum dec_result dec_ipv6(const uint8_t *pkt, size_t caplen,
			 struct dec_seg *out);
/* One IPv6 fragment (RFC 8200 section 4.5): what reassembly needs. */
struct dec_frag6 {
	uint8_t src[16], dst[16];
	uint32_t vtc_flow; /* first word of the fixed header */
	uint8_t hop_limit;
	uint8_t nh;        /* next header named by the fragment header */
	uint32_t id;
	size_t offset;     /* in bytes */
	bool more;         /* M flag */
	const uint8_t *data;
	size_t len;
};

/* Fills out for an IPv6 fragment whose data was captured whole; false
 * for anything else (not a fragment, headers cut, snaplen-short data). */
bool dec_ipv6_frag(const uint8_t *pkt, size_t caplen, struct dec_frag6 *out);

#endif
