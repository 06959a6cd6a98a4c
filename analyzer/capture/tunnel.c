/* tunnel.c - encapsulations on the way to the IP packet: Ethernet with
 * IEEE 802.1Q / 802.1ad tags, MPLS (RFC 3032; Ethernet pseudowires with
 * the RFC 4385 control word, RFC 4448), PPPoE sessions (RFC 2516) and PPP
 * (RFC 1661, RFC 1662), GRE (RFC 2784, RFC 2890; enhanced GRE of PPTP,
 * RFC 2637; ERSPAN types I, II and III, draft-foschiano-erspan-03) and
 * VXLAN (RFC 7348).  Pure: bounded reads of the caller's bytes; see
 * tunnel.h for the contract.
 */
#include "capture/tunnel.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define ETH_MPLS_UC 0x8847
#define ETH_MPLS_MC 0x8848
#define ETH_PPPOE_SESSION 0x8864
#define ETH_TEB 0x6558       /* transparent Ethernet bridging (in GRE) */
#define ETH_ERSPAN_1_2 0x88be
#define ETH_ERSPAN_3 0x22eb
#define ETH_PPP 0x880b       /* PPP in enhanced GRE (PPTP) */

#define MAX_MPLS_LABELS 16
#define MAX_IP6_EXT 4        /* extension headers skipped before giving up */

/* GRE flags and version (first 16 bits) */
#define GRE_C 0x8000         /* checksum present */
#define GRE_R 0x4000         /* routing present (RFC 1701) */
#define GRE_K 0x2000         /* key present */
#define GRE_S 0x1000         /* sequence number present */
#define GRE_SSR 0x0800       /* strict source route (RFC 1701) */
#define GRE_A 0x0080         /* acknowledgment number present (version 1) */
#define GRE_VER 0x0007

/* What the payload of a layer is. */
enum tun_next {
	TUN_NOT_IP = 0,
	TUN_ETHER = 1,       /* an Ethernet frame */
	TUN_IP4 = 4,
	TUN_IP6 = 6,
};

/* What an IP packet carries, as far as peeling goes. */
enum tun_kind {
	TUN_PLAIN,           /* no tunnel (or one never peeled: a fragment) */
	TUN_GRE,             /* the reader is at the GRE header */
	TUN_VXLAN,           /* the reader is at the VXLAN header */
	TUN_BROKEN,          /* a tunnel, cut short or malformed */
};

/* One more layer, unless the bound is reached. */
static int tun_count(unsigned *layers)
{
	if (*layers >= TUN_MAX_LAYERS)
		return 0;
	++*layers;
	return 1;
}

/* A PPP frame: address and control FF 03 if not compressed away (RFC 1662
 * ACFC), then the protocol, one odd byte when compressed (RFC 1661 PFC). */
static int tun_ppp(struct rd *r)
{
	uint16_t proto;

	if (rd_peek_u8(r) == 0xff) {
		rd_skip(r, 1);
		if (rd_u8(r) != 0x03)
			return TUN_NOT_IP;
	}
	proto = rd_u8(r);
	if (!(proto & 1))
		proto = (uint16_t)(proto << 8 | rd_u8(r));
	if (r->err)
		return TUN_NOT_IP;
	if (proto == 0x0021)
		return TUN_IP4;
	return proto == 0x0057 ? TUN_IP6 : TUN_NOT_IP;
}

/* PPPoE session stage: version/type 0x11, code 0, session id, length. */
static int tun_pppoe(struct rd *r)
{
	uint8_t vt = rd_u8(r);
	uint8_t code = rd_u8(r);
	uint16_t len;

	rd_skip(r, 2);
	len = rd_be16(r);
	if (r->err || vt != 0x11 || code != 0)
		return TUN_NOT_IP;
	rd_limit(r, len);
	return tun_ppp(r);
}

/* An MPLS label stack down to its bottom-of-stack bit.  MPLS does not say
 * what follows; like Wireshark we take the first nibble: 4 or 6 is IP, 0
 * is the RFC 4385 pseudowire control word, which we take to precede an
 * Ethernet frame (RFC 4448, the pseudowire a mirror rides on).  A
 * pseudowire without the control word cannot be told from IP and is not
 * read; other nibbles (1: an associated channel) are not IP. */
static int tun_mpls(struct rd *r)
{
	uint32_t lse = 0;

	for (int i = 0; i < MAX_MPLS_LABELS && !(lse & 0x100); i++)
		lse = rd_be32(r);
	if (r->err || !(lse & 0x100))
		return TUN_NOT_IP;
	switch (rd_peek_u8(r) >> 4) {
	case 4:
		return TUN_IP4;
	case 6:
		return TUN_IP6;
	case 0:
		rd_skip(r, 4);
		return TUN_ETHER;
	default:
		return TUN_NOT_IP;
	}
}

int tun_ethertype_more(struct rd *r, uint16_t et, unsigned *layers)
{
	/* each round is a new Ethernet header inside an MPLS pseudowire, so
	 * the layer bound ends the loop */
	for (;;) {
		switch (et) {
		case ETH_IPV4:
			return TUN_IP4;
		case ETH_IPV6:
			return TUN_IP6;
		case ETH_MPLS_UC:
		case ETH_MPLS_MC: {
			int next;
			if (!tun_count(layers))
				return TUN_NOT_IP;
			next = tun_mpls(r);
			if (next != TUN_ETHER)
				return next;
			rd_skip(r, 12);
			et = tun_vlans(r, rd_be16(r));
			break;
		}
		case ETH_PPPOE_SESSION:
			if (!tun_count(layers))
				return TUN_NOT_IP;
			return tun_pppoe(r);
		default: /* ARP, a fifth VLAN tag, ... */
			return TUN_NOT_IP;
		}
		if (r->err)
			return TUN_NOT_IP;
	}
}

/* ERSPAN after its GRE header (flags fl).  Type I has no header of its
 * own; like Wireshark we take it when the GRE flags are all clear (no
 * sequence number) on 0x88BE.  Otherwise the header's version says: 1 is
 * type II (8 bytes), 2 type III (12 bytes, 8 more when the O flag says a
 * platform-specific subheader follows, and its frame type: 0 Ethernet,
 * 2 an IP packet). */
static int tun_erspan(struct rd *r, uint16_t fl, uint16_t proto,
		      unsigned *layers)
{
	uint16_t w;

	if (proto == ETH_ERSPAN_1_2 && fl == 0)
		return tun_ethernet(r, layers);
	w = rd_peek_u8(r) >> 4;
	if (w == 1) {
		rd_skip(r, 8);
	} else if (w == 2) {
		uint16_t ft;
		rd_skip(r, 10);
		w = rd_be16(r);
		ft = (w >> 10) & 0x1f;
		if (w & 1)
			rd_skip(r, 8);
		if (ft == 2)
			return tun_ipver(r);
		if (ft != 0)
			return TUN_NOT_IP;
	} else {
		return TUN_NOT_IP;
	}
	return r->err ? TUN_NOT_IP : tun_ethernet(r, layers);
}

/* Enhanced GRE (RFC 2637 4.1): key present (payload length, call id),
 * sequence and acknowledgment numbers optional, PPP inside; a packet with
 * no payload only acknowledges. */
static int tun_pptp(struct rd *r, uint16_t fl, uint16_t proto)
{
	uint16_t plen;

	if ((fl & (GRE_C | GRE_R | GRE_K | GRE_SSR)) != GRE_K ||
	    proto != ETH_PPP)
		return TUN_NOT_IP;
	plen = rd_be16(r);
	rd_skip(r, 2);
	if (fl & GRE_S)
		rd_skip(r, 4);
	if (fl & GRE_A)
		rd_skip(r, 4);
	if (r->err || plen == 0)
		return TUN_NOT_IP;
	rd_limit(r, plen);
	return tun_ppp(r);
}

/* GRE: the optional fields the flags announce, then by protocol type (an
 * ethertype).  Source routing (RFC 1701) and versions past 1 are not
 * read. */
static int tun_gre(struct rd *r, unsigned *layers)
{
	uint16_t fl = rd_be16(r);
	uint16_t proto = rd_be16(r);

	if (r->err)
		return TUN_NOT_IP;
	if ((fl & GRE_VER) == 1)
		return tun_pptp(r, fl, proto);
	if ((fl & GRE_VER) != 0 || (fl & GRE_R))
		return TUN_NOT_IP;
	if (fl & GRE_C)
		rd_skip(r, 4); /* checksum, reserved */
	if (fl & GRE_K)
		rd_skip(r, 4);
	if (fl & GRE_S)
		rd_skip(r, 4);
	if (r->err)
		return TUN_NOT_IP;
	switch (proto) {
	case ETH_ERSPAN_1_2:
	case ETH_ERSPAN_3:
		return tun_erspan(r, fl, proto, layers);
	case ETH_TEB:
		return tun_ethernet(r, layers);
	default: /* IPv4, IPv6, MPLS (RFC 4023), PPPoE, VLAN */
		return tun_ethertype(r, proto, layers);
	}
}

/* VXLAN: flags with I (a valid VNI) set, reserved, VNI, reserved. */
static int tun_vxlan(struct rd *r, unsigned *layers)
{
	uint8_t flags = rd_u8(r);

	rd_skip(r, 7);
	if (r->err || !(flags & 0x08))
		return TUN_NOT_IP;
	return tun_ethernet(r, layers);
}

/* A UDP header: VXLAN when to its port, the reader then at its header. */
static enum tun_kind tun_udp(struct rd *r)
{
	uint16_t dport, ulen;

	rd_skip(r, 2);
	dport = rd_be16(r);
	ulen = rd_be16(r);
	rd_skip(r, 2);
	if (r->err || dport != TUN_VXLAN_PORT)
		return TUN_PLAIN;
	if (ulen < 8) /* not VXLAN: the decoder judges the datagram */
		return TUN_PLAIN;
	rd_limit(r, ulen - 8u);
	return TUN_VXLAN;
}

/* An IPv4 header with its options.  A header the decoder will call bad,
 * and a fragment (its tunnel header may be anywhere, or in another
 * fragment), are left as they are. */
static enum tun_kind tun_ip4(struct rd *r)
{
	uint8_t vihl = rd_u8(r);
	size_t ihl = (size_t)(vihl & 0x0f) * 4;
	uint16_t total, frag;
	uint8_t proto;

	rd_skip(r, 1);
	total = rd_be16(r);
	rd_skip(r, 2);
	frag = rd_be16(r);
	rd_skip(r, 1);
	proto = rd_u8(r);
	if (r->err || ihl < 20 || total < ihl || (frag & 0x3fff))
		return TUN_PLAIN;
	if (proto != TUN_IPPROTO_GRE && proto != TUN_IPPROTO_UDP)
		return TUN_PLAIN;
	rd_limit(r, total - 10u);
	if (!rd_skip(r, ihl - 10))
		return proto == TUN_IPPROTO_GRE ? TUN_BROKEN : TUN_PLAIN;
	return proto == TUN_IPPROTO_GRE ? TUN_GRE : tun_udp(r);
}

/* An IPv6 header and the hop-by-hop, routing and destination options
 * headers after it (a few of them); a fragment header ends the search, as
 * an IPv4 fragment does. */
static enum tun_kind tun_ip6(struct rd *r)
{
	uint16_t plen;
	uint8_t nh;

	rd_skip(r, 4);
	plen = rd_be16(r);
	nh = rd_u8(r);
	rd_skip(r, 33);
	if (r->err)
		return TUN_PLAIN;
	if (plen) /* 0: a jumbogram, or a length the sender left to the NIC */
		rd_limit(r, plen);
	for (int i = 0; i < MAX_IP6_EXT && (nh == TUN_IPPROTO_HOPOPTS ||
					    nh == TUN_IPPROTO_ROUTING ||
					    nh == TUN_IPPROTO_DSTOPTS);
	     i++) {
		nh = rd_u8(r);
		rd_skip(r, (size_t)rd_u8(r) * 8 + 6);
	}
	if (r->err)
		return TUN_PLAIN;
	if (nh == TUN_IPPROTO_GRE)
		return TUN_GRE;
	return nh == TUN_IPPROTO_UDP ? tun_udp(r) : TUN_PLAIN;
}

int tun_peel(struct rd *r, int v, unsigned *layers)
{
	/* each round peels a layer, so the bound ends the loop */
	for (;;) {
		struct rd in = *r;
		enum tun_kind k = v == 4 ? tun_ip4(&in) : tun_ip6(&in);
		unsigned before = *layers;
		int next;

		if (k == TUN_PLAIN)
			return v;
		if (k == TUN_BROKEN || !tun_count(layers))
			return 0;
		next = k == TUN_GRE ? tun_gre(&in, layers)
				    : tun_vxlan(&in, layers);
		/* trust the inner IP header's version over the tunnel's; UDP
		 * to 4789 that is not VXLAN is someone's own traffic (a
		 * resolver's random source port): the packet as it is */
		if (in.err || next == TUN_NOT_IP || tun_ipver(&in) != next) {
			if (k != TUN_VXLAN)
				return 0;
			*layers = before;
			return v;
		}
		*r = in;
		v = next;
	}
}
