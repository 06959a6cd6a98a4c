/* linklayer.c - from a captured frame to the IP packet it carries: link
 * layers (IEEE 802.3 with 802.1Q/802.1ad tags, Linux SLL/SLL2, raw IP,
 * BSD loopback).  Pure: bounded reads of the caller's bytes. */
#include "capture/linklayer.h"

#include <pcap.h>

#include "reader.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif
#ifndef DLT_IPV4
#define DLT_IPV4 228
#endif
#ifndef DLT_IPV6
#define DLT_IPV6 229
#endif

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86dd
#define MAX_VLAN_TAGS 4

static int ethertype_to_ipver(uint16_t et)
{
	return et == ETH_IPV4 ? 4 : et == ETH_IPV6 ? 6 : 0;
}

static int ipver_of(const uint8_t *p, size_t left)
{
	struct rd r;
	uint8_t v;
	rd_init(&r, p, left);
	v = rd_u8(&r) >> 4;
	return r.err ? 0 : (v == 4 || v == 6) ? v : 0;
}

int cap_strip_link(int dlt, const uint8_t *frame, size_t caplen, int *ipver,
		   size_t *off)
{
	struct rd r;
	uint16_t et = 0;
	int v = 0;

	rd_init(&r, frame, caplen);
	switch (dlt) {
	case DLT_EN10MB:
		rd_skip(&r, 12);
		et = rd_be16(&r);
		/* 802.1ad outer tag, 802.1Q inner tags, old QinQ 0x9100 */
		for (int i = 0; i < MAX_VLAN_TAGS &&
				(et == 0x8100 || et == 0x88a8 || et == 0x9100);
		     i++) {
			rd_skip(&r, 2);
			et = rd_be16(&r);
		}
		v = ethertype_to_ipver(et);
		break;
	case DLT_LINUX_SLL: /* 16 bytes, protocol last */
		rd_skip(&r, 14);
		et = rd_be16(&r);
		v = ethertype_to_ipver(et);
		break;
	case DLT_LINUX_SLL2: /* 20 bytes, protocol first */
		et = rd_be16(&r);
		rd_skip(&r, 18);
		v = ethertype_to_ipver(et);
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		v = ipver_of(frame, caplen);
		break;
	case DLT_NULL: { /* AF_ value in the capturing host's byte order */
		uint32_t af = rd_le32(&r);
		if (af > 0xffff)
			af = (af >> 24) | ((af >> 8) & 0xff00);
		if (af == 2)
			v = 4;
		else if (af == 10 || af == 24 || af == 28 || af == 30)
			v = 6;
		break;
	}
	case DLT_LOOP: { /* same, network byte order */
		uint32_t af = rd_be32(&r);
		v = af == 2 ? 4 : (af == 24 || af == 28 || af == 30) ? 6 : 0;
		break;
	}
	default:
		return -1;
	}
	if (r.err || v == 0)
		return -1;
	/* trust the IP header's own version over the link's claim */
	if (ipver_of(r.p, rd_left(&r)) != v)
		return -1;
	*ipver = v;
	*off = rd_offset(&r);
	return 0;
}

bool cap_link_supported(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB: case DLT_LINUX_SLL: case DLT_LINUX_SLL2:
	case DLT_RAW: case DLT_IPV4: case DLT_IPV6: case DLT_NULL: case DLT_LOOP:
		return true;
	default:
		return false;
	}
}

