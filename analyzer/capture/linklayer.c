/* linklayer.c - from a captured frame to the IP packet it carries: link
 * layers (IEEE 802.3 with 802.1Q/802.1ad tags, Linux SLL/SLL2, raw IP,
 * BSD loopback), then the encapsulations tunnel.c peels (MPLS, PPPoE,
 * GRE, ERSPAN, VXLAN).  Pure: bounded reads of the caller's bytes. */
#include "capture/linklayer.h"

#include <pcap.h>

#include "capture/tunnel.h"
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

int cap_strip_frame(int dlt, const uint8_t *frame, size_t caplen, int *ipver,
		    size_t *off, unsigned *tunnels)
{
	struct rd r;
	uint16_t et = 0;
	unsigned layers = 0;
	int v = 0;

	rd_init(&r, frame, caplen);
	switch (dlt) {
	case DLT_EN10MB:
		v = tun_ethernet(&r, &layers);
		break;
	case DLT_LINUX_SLL: /* 16 bytes, protocol last */
		rd_skip(&r, 14);
		et = rd_be16(&r);
		v = tun_ethertype(&r, et, &layers);
		break;
	case DLT_LINUX_SLL2: /* 20 bytes, protocol first */
		et = rd_be16(&r);
		rd_skip(&r, 18);
		v = tun_ethertype(&r, et, &layers);
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		v = tun_ipver(&r);
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
	if (tun_ipver(&r) != v)
		return -1;
	/* a plain packet costs tun_maybe's one byte; tunnels go further */
	if (tun_maybe(&r, v) && (v = tun_peel(&r, v, &layers)) == 0)
		return -1;
	*ipver = v;
	*off = rd_offset(&r);
	if (tunnels)
		*tunnels = layers;
	return 0;
}

int cap_strip_link(int dlt, const uint8_t *frame, size_t caplen, int *ipver,
		   size_t *off)
{
	return cap_strip_frame(dlt, frame, caplen, ipver, off, NULL);
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

