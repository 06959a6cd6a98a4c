/* tunnel.h - the encapsulations between a frame's link header and the IP
 * packet mxray analyses: Ethernet with VLAN tags, MPLS, PPPoE sessions,
 * and IP tunnels (GRE with ERSPAN or PPP, VXLAN) peeled to the packet
 * inside.  Private to the capture layer: linklayer.c is its one user.
 *
 * Every function reads through a struct rd whose base is the start of the
 * frame, so rd_offset() of the reader they leave is the inner packet's
 * offset in the frame.  "layers" counts the encapsulations peeled (an MPLS
 * label stack, a PPPoE session, a GRE or VXLAN tunnel; not VLAN tags) and
 * bounds them: past TUN_MAX_LAYERS the frame is refused, so a crafted
 * nest or loop costs at most that many headers.
 */
#ifndef MXRAY_TUNNEL_H
#define MXRAY_TUNNEL_H

#include <stdint.h>

#include "reader.h"

#define TUN_MAX_LAYERS 8
#define TUN_MAX_VLAN_TAGS 4

/* IP protocols (and IPv6 extension headers) behind which a tunnel may be. */
#define TUN_IPPROTO_HOPOPTS 0
#define TUN_IPPROTO_UDP 17
#define TUN_IPPROTO_ROUTING 43
#define TUN_IPPROTO_GRE 47
#define TUN_IPPROTO_DSTOPTS 60
#define TUN_VXLAN_PORT 4789

/* r just after an ethertype et: VLAN tags, MPLS, PPPoE to an IP packet.
 * Returns its version (4 or 6) with r at it, or 0 when the frame carries
 * no IP packet; the caller checks r->err (cut short) and the version
 * nibble.  tun_ethertype_more is the part past the hot path. */
int tun_ethertype_more(struct rd *r, uint16_t et, unsigned *layers);

/* Past the VLAN tags (802.1ad outer tag, 802.1Q inner tags, old QinQ
 * 0x9100; at most 4) at r, et the first ethertype: the one after them. */
static inline uint16_t tun_vlans(struct rd *r, uint16_t et)
{
	for (int i = 0; i < TUN_MAX_VLAN_TAGS &&
			(et == 0x8100 || et == 0x88a8 || et == 0x9100);
	     i++) {
		rd_skip(r, 2);
		et = rd_be16(r);
	}
	return et;
}

static inline int tun_ethertype(struct rd *r, uint16_t et, unsigned *layers)
{
	/* the hot path: IP right after the link header or its VLAN tags */
	et = tun_vlans(r, et);
	if (et == 0x0800)
		return 4;
	if (et == 0x86dd)
		return 6;
	return tun_ethertype_more(r, et, layers);
}

/* The same from an Ethernet header (destination MAC). */
static inline int tun_ethernet(struct rd *r, unsigned *layers)
{
	rd_skip(r, 12);
	return tun_ethertype(r, rd_be16(r), layers);
}

/* r at an IP header of version v (its nibble checked): while it is a GRE
 * or VXLAN (UDP port 4789) tunnel, peel it.  Returns the version of the
 * packet reached with r at it (r unchanged when v is no tunnel), or 0 when
 * a tunnel is cut short, malformed, nested past the bound, or carries
 * something other than IP.  An IPv4 fragment is never peeled. */
int tun_peel(struct rd *r, int v, unsigned *layers);

/* The version nibble of the IP header at r (4 or 6), 0 otherwise. */
static inline int tun_ipver(const struct rd *r)
{
	uint8_t v = rd_peek_u8(r) >> 4;
	return rd_left(r) > 0 && (v == 4 || v == 6) ? v : 0;
}

/* Whether the IP packet at r (version v) may be a tunnel: GRE, UDP to
 * port 4789, or (IPv6) an extension header that may hide them.  Inline
 * and short: it is all a plain packet costs (a TCP packet: one byte read
 * and its compares; a UDP packet: the port's too). */
static inline int tun_maybe(const struct rd *r, int v)
{
	struct rd c = *r;
	size_t hlen = 40;
	uint8_t proto;

	if (v == 4) {
		hlen = (size_t)(rd_u8(&c) & 0x0f) * 4;
		rd_skip(&c, 8);
	} else {
		rd_skip(&c, 6);
	}
	proto = rd_u8(&c);
	if (c.err)
		return 0;
	if (proto == TUN_IPPROTO_GRE)
		return 1;
	if (proto == TUN_IPPROTO_UDP) {
		c = *r;
		rd_skip(&c, hlen + 2);
		return rd_be16(&c) == TUN_VXLAN_PORT;
	}
	return v == 6 && (proto == TUN_IPPROTO_HOPOPTS ||
			  proto == TUN_IPPROTO_ROUTING ||
			  proto == TUN_IPPROTO_DSTOPTS);
}

#endif
