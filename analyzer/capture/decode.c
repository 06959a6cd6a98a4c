/* decode.c - network and transport headers; see decode.h. */
#include "capture/decode.h"

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
	uint8_t vihl, proto, ttl, a[4];
	uint16_t total, id, frag;
	size_t ihl;

	memset(out, 0, sizeof(*out));
	rd_init(&r, pkt, caplen);
	vihl = rd_u8(&r);
	rd_skip(&r, 1);
	total = rd_be16(&r);
	id = rd_be16(&r);
	frag = rd_be16(&r);
	ttl = rd_u8(&r);
	proto = rd_u8(&r);
	rd_skip(&r, 2);
	rd_bytes(&r, a, 4);
	mx_addr_set4(&out->src.ip, a);
	rd_bytes(&r, a, 4);
	mx_addr_set4(&out->dst.ip, a);
	ihl = (size_t)(vihl & 0x0f) * 4;
	if (r.err || (vihl >> 4) != 4 || ihl < 20 || total < ihl)
		return DEC_OTHER;
	if (frag & 0x3fff) { /* MF set or an offset */
		struct dec_frag *f = &out->frag;
		f->id = id;
		f->proto = proto;
		f->ttl = ttl;
		f->offset = (size_t)(frag & 0x1fff) * 8;
		f->more = (frag & 0x2000) != 0;
		f->cut = caplen < total;
		f->pkt = pkt;
		f->pkt_len = total;
		f->data = f->cut ? NULL : pkt + ihl;
		f->len = total - ihl;
		return DEC_FRAGMENT;
	}
	if (!rd_seek(&r, ihl))
		return DEC_OTHER;
	if ((size_t)total < caplen) /* Ethernet padding */
		r.end = r.base + total;
	return transport(proto, &r, total - ihl, out);
}

/* The Fragment header (RFC 8200 4.5) at r: its data runs to the end of
 * the payload length (plen counts from byte 40). */
static enum dec_result ipv6_fragment(struct rd *r, uint16_t plen,
				     struct dec_frag *f)
{
	uint16_t off;
	size_t end = (size_t)plen + 40;

	f->proto = rd_u8(r);
	rd_skip(r, 1);
	off = rd_be16(r);
	f->id = rd_be32(r);
	if (r->err || rd_offset(r) > end)
		return DEC_OTHER;
	f->offset = off & 0xfff8;
	f->more = (off & 1) != 0;
	f->data = r->p;
	f->len = end - rd_offset(r);
	f->cut = rd_left(r) < f->len;
	return DEC_FRAGMENT;
}

enum dec_result dec_ipv6(const uint8_t *pkt, size_t caplen,
			 struct dec_seg *out)
{
	struct rd r;
	uint8_t nh, a[16];
	uint16_t plen;
	uint32_t vtc_flow;
	size_t wire, ext;

	memset(out, 0, sizeof(*out));
	rd_init(&r, pkt, caplen);
	vtc_flow = rd_be32(&r);
	plen = rd_be16(&r);
	nh = rd_u8(&r);
	out->frag.ttl = rd_u8(&r);
	out->frag.vtc_flow = vtc_flow;
	rd_bytes(&r, a, 16);
	mx_addr_set6(&out->src.ip, a);
	rd_bytes(&r, a, 16);
	mx_addr_set6(&out->dst.ip, a);
	if (r.err)
		return DEC_OTHER;
	if (rd_left(&r) > plen) /* Ethernet padding */
		r.end = r.p + plen;
	for (int hops = 0; hops < 8; hops++) {
		if (nh == 0 || nh == 43 || nh == 60) {
			uint8_t next = rd_u8(&r), hlen = rd_u8(&r);
			rd_skip(&r, (size_t)hlen * 8 + 6);
			nh = next;
		} else if (nh == 44) {
			return ipv6_fragment(&r, plen, &out->frag);
		} else {
			break;
		}
		if (r.err)
			return DEC_OTHER;
	}
	/* the payload length counts the extension headers too */
	ext = rd_offset(&r) - 40;
	wire = plen > ext ? plen - ext : 0;
	return transport(nh, &r, wire, out);
}
