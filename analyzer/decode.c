/* decode.c - network and transport headers; see decode.h. */
#include "decode.h"

#include <string.h>

#include "reader.h"

static enum dec_result transport(uint8_t proto, struct rd *r,
				 size_t wire_left, struct dec_seg *out)
{
	size_t hdr;
	out->proto = proto;
	out->src.port = rd_be16(r);
	out->dst.port = rd_be16(r);
	if (proto == 6) {
		uint8_t off;
		out->seq = rd_be32(r);
		out->ack = rd_be32(r);
		off = rd_u8(r) >> 4;
		out->flags = rd_u8(r);
		hdr = (size_t)off * 4;
		if (r->err || off < 5 || !rd_skip(r, hdr - 14))
			return DEC_OTHER;
	} else if (proto == 17) {
		uint16_t ulen = rd_be16(r);
		hdr = 8;
		rd_skip(r, 2);
		if (r->err || ulen < 8)
			return DEC_OTHER;
		if (ulen - 8u < wire_left - 8u)
			wire_left = ulen; /* padding after the datagram */
	} else {
		return DEC_OTHER;
	}
	out->payload = r->p;
	out->len = rd_left(r);
	out->wire_len = wire_left > hdr ? wire_left - hdr : 0;
	if (out->len > out->wire_len)
		out->len = out->wire_len; /* link-layer padding */
	return DEC_OK;
}

enum dec_result dec_ipv4(const uint8_t *pkt, size_t caplen,
			 struct dec_seg *out)
{
	struct rd r;
	uint8_t vihl, proto, a[4];
	uint16_t total, frag;
	size_t ihl;

	memset(out, 0, sizeof(*out));
	rd_init(&r, pkt, caplen);
	vihl = rd_u8(&r);
	rd_skip(&r, 1);
	total = rd_be16(&r);
	rd_skip(&r, 2);
	frag = rd_be16(&r);
	rd_skip(&r, 1);
	proto = rd_u8(&r);
	rd_skip(&r, 2);
	rd_bytes(&r, a, 4);
	mx_addr_set4(&out->src.ip, a);
	rd_bytes(&r, a, 4);
	mx_addr_set4(&out->dst.ip, a);
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (r.err || (vihl >> 4) != 4 || ihl < 20 || total < ihl)
		return DEC_OTHER;
	if (frag & 0x3fff) /* MF set or an offset */
		return DEC_FRAGMENT;
	if (!rd_seek(&r, ihl))
		return DEC_OTHER;
	if ((size_t)total < caplen) /* Ethernet padding */
		r.end = r.base + total;
	return transport(proto, &r, total - ihl, out);
}

/* Walks the fixed header and the extension headers up to the upper layer
 * or the fragment header; leaves r at it and *nh naming it. */
static enum dec_result ipv6_walk(struct rd *r, const uint8_t *pkt,
				 size_t caplen, struct mx_endpoint *src,
				 struct mx_endpoint *dst, uint8_t *nh,
				 uint16_t *plen)
{
	uint8_t a[16];

	rd_init(r, pkt, caplen);
	rd_skip(r, 4);
	*plen = rd_be16(r);
	*nh = rd_u8(r);
	rd_skip(r, 1);
	rd_bytes(r, a, 16);
	mx_addr_set6(&src->ip, a);
	rd_bytes(r, a, 16);
	mx_addr_set6(&dst->ip, a);
	if (r->err)
		return DEC_OTHER;
	if (rd_left(r) > *plen) /* Ethernet padding */
		r->end = r->p + *plen;
	for (int hops = 0; hops < 8; hops++) {
		if (*nh == 0 || *nh == 43 || *nh == 60) {
			uint8_t next = rd_u8(r), hlen = rd_u8(r);
			rd_skip(r, (size_t)hlen * 8 + 6);
			*nh = next;
		} else if (*nh == 44) {
			return DEC_FRAGMENT;
		} else {
			break;
		}
		if (r->err)
			return DEC_OTHER;
	}
	return DEC_OK;
}

enum dec_result dec_ipv6(const uint8_t *pkt, size_t caplen,
			 struct dec_seg *out)
{
	struct rd r;
	uint8_t nh;
	uint16_t plen;
	size_t wire, ext;
	enum dec_result res;

	memset(out, 0, sizeof(*out));
	res = ipv6_walk(&r, pkt, caplen, &out->src, &out->dst, &nh, &plen);
	if (res == DEC_FRAGMENT)
		return rd_left(&r) >= 8 ? DEC_FRAGMENT : DEC_OTHER;
	if (res != DEC_OK)
		return DEC_OTHER;
	/* the payload length counts the extension headers too */
	ext = rd_offset(&r) - 40;
	wire = plen > ext ? plen - ext : 0;
	return transport(nh, &r, wire, out);
}

bool dec_ipv6_frag(const uint8_t *pkt, size_t caplen, struct dec_frag6 *out)
{
	struct rd r;
	struct mx_endpoint src, dst;
	uint16_t plen, off;
	size_t data_len;
	uint8_t nh;

	memset(out, 0, sizeof(*out));
	if (ipv6_walk(&r, pkt, caplen, &src, &dst, &nh, &plen) != DEC_FRAGMENT)
		return false;
	memcpy(out->src, pkt + 8, 16);
	memcpy(out->dst, pkt + 24, 16);
	out->vtc_flow = (uint32_t)pkt[0] << 24 | (uint32_t)pkt[1] << 16 |
			(uint32_t)pkt[2] << 8 | pkt[3];
	out->hop_limit = pkt[7];
	out->nh = rd_u8(&r);
	rd_skip(&r, 1);
	off = rd_be16(&r);
	out->id = rd_be32(&r);
	if (r.err)
		return false;
	out->offset = (size_t)(off & 0xfff8);
	out->more = (off & 1) != 0;
	/* the fragment's data runs to the end of the payload length: a
	 * snaplen cut leaves it short, and then it cannot be used */
	if (rd_offset(&r) > (size_t)plen + 40)
		return false;
	data_len = (size_t)plen + 40 - rd_offset(&r);
	if (rd_left(&r) < data_len)
		return false;
	out->data = r.p;
	out->len = data_len;
	return true;
}
