/* test_capture.c - unit tests for cap_strip_link (analyzer/capture/linklayer.c):
 * IEEE 802.3 Ethernet with IEEE 802.1Q / 802.1ad tags, Linux cooked
 * capture v1 and v2, raw IP, BSD loopback (DLT_NULL).
 *
 * Frames are built by hand: a link header followed by the first bytes of an
 * IPv4 or IPv6 header.  Only the version nibble of the IP header matters to
 * cap_strip_link, so the rest of the header is filler.
 */
#include <criterion/criterion.h>
#include <pcap.h>
#include <stdint.h>
#include <string.h>

#include "capture/capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define TCAP_FRAME_MAX 128

/* The start of an IPv4 header (version 4, IHL 5, total length 20). */
static const uint8_t tcap_ip4[20] = {
	0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x40, 0x06,
	0x00, 0x00, 192,  0,    2,    10,   203,  0,    113,  25,
};

/* The start of an IPv6 header (version 6), padded to 40 bytes. */
static const uint8_t tcap_ip6[40] = {
	0x60, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x40,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
};

struct tcap_frame {
	uint8_t b[TCAP_FRAME_MAX];
	size_t len;
};

static void tcap_put(struct tcap_frame *f, const void *p, size_t n)
{
	cr_assert_leq(f->len + n, sizeof(f->b), "test frame too large");
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void tcap_be16(struct tcap_frame *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	tcap_put(f, b, 2);
}

/* Ethernet destination and source MACs; the ethertype is added after. */
static void tcap_eth_macs(struct tcap_frame *f)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x01,
					 0x02, 0, 0, 0, 0, 0x02};

	tcap_put(f, macs, sizeof(macs));
}

/* A VLAN tag: TPID then TCI (PCP 0, VID vid). */
static void tcap_vlan(struct tcap_frame *f, uint16_t tpid, uint16_t vid)
{
	tcap_be16(f, tpid);
	tcap_be16(f, vid & 0x0fff);
}

/* The start of an IP header of version ver (4 or 6). */
static void tcap_ip(struct tcap_frame *f, int ver)
{
	if (ver == 4)
		tcap_put(f, tcap_ip4, sizeof(tcap_ip4));
	else
		tcap_put(f, tcap_ip6, sizeof(tcap_ip6));
}

/* Assert the frame strips to IP version ver starting at off. */
static void tcap_want(int dlt, const struct tcap_frame *f, int ver,
		      size_t off)
{
	int ipver = -7;
	size_t got = 9999;
	int rc = cap_strip_link(dlt, f->b, f->len, &ipver, &got);

	cr_assert_eq(rc, 0, "dlt %d: rc %d, want 0", dlt, rc);
	cr_assert_eq(ipver, ver, "dlt %d: ipver %d, want %d", dlt, ipver, ver);
	cr_assert_eq(got, off, "dlt %d: off %zu, want %zu", dlt, got, off);
}

/* Assert the frame is refused, leaving ipver/off alone. */
static void tcap_refused(int dlt, const struct tcap_frame *f)
{
	int ipver = -7;
	size_t off = 9999;
	int rc = cap_strip_link(dlt, f->b, f->len, &ipver, &off);

	cr_assert_eq(rc, -1, "dlt %d len %zu: rc %d, want -1", dlt, f->len, rc);
	cr_assert_eq(ipver, -7, "ipver written on failure");
	cr_assert_eq(off, 9999, "off written on failure");
}

/* Assert every proper prefix of the frame, down to nothing, is refused. */
static void tcap_prefixes_refused(int dlt, const struct tcap_frame *full)
{
	struct tcap_frame f = *full;

	for (f.len = 0; f.len < full->len; f.len++)
		tcap_refused(dlt, &f);
}

/* ---- Ethernet ---- */

Test(capture, ethernet_ipv4)
{
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_be16(&f, 0x0800);
	tcap_ip(&f, 4);
	tcap_want(DLT_EN10MB, &f, 4, 14);
}

Test(capture, ethernet_ipv6)
{
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_be16(&f, 0x86dd);
	tcap_ip(&f, 6);
	tcap_want(DLT_EN10MB, &f, 6, 14);
}

Test(capture, ethernet_8021q)
{
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_vlan(&f, 0x8100, 25);
	tcap_be16(&f, 0x0800);
	tcap_ip(&f, 4);
	tcap_want(DLT_EN10MB, &f, 4, 18);
}

Test(capture, ethernet_8021q_ipv6)
{
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_vlan(&f, 0x8100, 25);
	tcap_be16(&f, 0x86dd);
	tcap_ip(&f, 6);
	tcap_want(DLT_EN10MB, &f, 6, 18);
}

Test(capture, ethernet_qinq)
{
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_vlan(&f, 0x88a8, 100);
	tcap_vlan(&f, 0x8100, 25);
	tcap_be16(&f, 0x0800);
	tcap_ip(&f, 4);
	tcap_want(DLT_EN10MB, &f, 4, 22);
}

Test(capture, ethernet_arp_is_not_ip)
{
	static const uint8_t arp[28] = {
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, /* request */
		0x02, 0,    0,    0,    0,    0x02, 192,  0,    2, 10,
		0,    0,    0,    0,    0,    0,    203,  0,    113, 25,
	};
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_be16(&f, 0x0806);
	tcap_put(&f, arp, sizeof(arp));
	tcap_refused(DLT_EN10MB, &f);
}

Test(capture, ethernet_arp_inside_vlan_is_not_ip)
{
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_vlan(&f, 0x8100, 25);
	tcap_be16(&f, 0x0806);
	tcap_ip(&f, 4); /* looks like IPv4, is not */
	tcap_refused(DLT_EN10MB, &f);
}

Test(capture, ethernet_too_short)
{
	struct tcap_frame full = {.len = 0};

	tcap_eth_macs(&full);
	tcap_be16(&full, 0x0800);
	tcap_put(&full, tcap_ip4, 1); /* just the version byte */
	tcap_want(DLT_EN10MB, &full, 4, 14);
	tcap_prefixes_refused(DLT_EN10MB, &full);
	/* the same inside a VLAN tag */
	full.len = 0;
	tcap_eth_macs(&full);
	tcap_vlan(&full, 0x8100, 25);
	tcap_be16(&full, 0x0800);
	tcap_put(&full, tcap_ip4, 1);
	tcap_want(DLT_EN10MB, &full, 4, 18);
	tcap_prefixes_refused(DLT_EN10MB, &full);
}

Test(capture, ethernet_claims_ipv4_but_version_is_6)
{
	struct tcap_frame f = {.len = 0};

	tcap_eth_macs(&f);
	tcap_be16(&f, 0x0800);
	tcap_ip(&f, 6);
	tcap_refused(DLT_EN10MB, &f);

	f.len = 0;
	tcap_eth_macs(&f);
	tcap_be16(&f, 0x86dd);
	tcap_ip(&f, 4);
	tcap_refused(DLT_EN10MB, &f);
}

/* ---- Linux cooked capture ---- */

/* SLL v1: packet type, ARPHRD, address length, 8 address bytes, protocol */
static void tcap_sll(struct tcap_frame *f, uint16_t proto)
{
	static const uint8_t head[14] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
					 0x02, 0,    0,    0,    0,    0x01,
					 0x00, 0x00};

	tcap_put(f, head, sizeof(head));
	tcap_be16(f, proto);
}

/* SLL v2: protocol, reserved, ifindex, ARPHRD, type, addr len, 8 addr */
static void tcap_sll2(struct tcap_frame *f, uint16_t proto)
{
	static const uint8_t rest[18] = {0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
					 0x00, 0x01, 0x00, 0x06, 0x02, 0,
					 0,    0,    0,    0x01, 0x00, 0x00};

	tcap_be16(f, proto);
	tcap_put(f, rest, sizeof(rest));
}

/* The two cooked-capture link types, with their header lengths. */
static const struct tcap_cooked {
	int dlt;
	void (*head)(struct tcap_frame *f, uint16_t proto);
	size_t hlen;
} tcap_sll_v1 = {DLT_LINUX_SLL, tcap_sll, 16},
  tcap_sll_v2 = {DLT_LINUX_SLL2, tcap_sll2, 20};

_Static_assert(DLT_LINUX_SLL == 113, "libpcap's value for LINKTYPE_LINUX_SLL");
_Static_assert(DLT_LINUX_SLL2 == 276, "LINKTYPE_LINUX_SLL2");

/* IPv4 found after the header; the header alone, or less, refused. */
static void tcap_cooked_ipv4(const struct tcap_cooked *c)
{
	struct tcap_frame f = {.len = 0};

	c->head(&f, 0x0800);
	tcap_ip(&f, 4);
	tcap_want(c->dlt, &f, 4, c->hlen);
	f.len = c->hlen; /* header only */
	tcap_refused(c->dlt, &f);
	f.len = c->hlen - 1;
	tcap_refused(c->dlt, &f);
}

/* IPv6 found after the header; ARP refused. */
static void tcap_cooked_ipv6_and_other(const struct tcap_cooked *c)
{
	struct tcap_frame f = {.len = 0};

	c->head(&f, 0x86dd);
	tcap_ip(&f, 6);
	tcap_want(c->dlt, &f, 6, c->hlen);

	f.len = 0;
	c->head(&f, 0x0806);
	tcap_ip(&f, 4);
	tcap_refused(c->dlt, &f);
}

Test(capture, linux_sll_ipv4)
{
	tcap_cooked_ipv4(&tcap_sll_v1);
}

Test(capture, linux_sll_ipv6_and_other)
{
	tcap_cooked_ipv6_and_other(&tcap_sll_v1);
}

Test(capture, linux_sll2_ipv4)
{
	tcap_cooked_ipv4(&tcap_sll_v2);
}

Test(capture, linux_sll2_ipv6_and_other)
{
	tcap_cooked_ipv6_and_other(&tcap_sll_v2);
}

Test(capture, linux_sll_claims_ipv4_but_version_is_6)
{
	struct tcap_frame f = {.len = 0};

	tcap_sll(&f, 0x0800);
	tcap_ip(&f, 6);
	tcap_refused(DLT_LINUX_SLL, &f);

	f.len = 0;
	tcap_sll2(&f, 0x0800);
	tcap_ip(&f, 6);
	tcap_refused(DLT_LINUX_SLL2, &f);
}

/* ---- raw IP ---- */

Test(capture, raw_ipv4_and_ipv6)
{
	struct tcap_frame f = {.len = 0};

	tcap_ip(&f, 4);
	tcap_want(DLT_RAW, &f, 4, 0);

	f.len = 0;
	tcap_ip(&f, 6);
	tcap_want(DLT_RAW, &f, 6, 0);
}

Test(capture, raw_not_ip)
{
	static const uint8_t junk[4] = {0x50, 0x00, 0x00, 0x14};
	struct tcap_frame f = {.len = 0};

	tcap_refused(DLT_RAW, &f); /* empty */
	tcap_put(&f, junk, sizeof(junk));
	tcap_refused(DLT_RAW, &f); /* version 5 */
}

/* ---- BSD loopback ---- */

/* DLT_NULL: a 4-byte AF_ value in the capturing host's byte order. */
static void tcap_null(struct tcap_frame *f, uint32_t af, int big_endian)
{
	uint8_t b[4];

	if (big_endian) {
		b[0] = (uint8_t)(af >> 24);
		b[1] = (uint8_t)(af >> 16);
		b[2] = (uint8_t)(af >> 8);
		b[3] = (uint8_t)af;
	} else {
		b[0] = (uint8_t)af;
		b[1] = (uint8_t)(af >> 8);
		b[2] = (uint8_t)(af >> 16);
		b[3] = (uint8_t)(af >> 24);
	}
	tcap_put(f, b, sizeof(b));
}

Test(capture, null_af_inet_both_byte_orders)
{
	struct tcap_frame f = {.len = 0};

	tcap_null(&f, 2, 0);
	tcap_ip(&f, 4);
	tcap_want(DLT_NULL, &f, 4, 4);

	f.len = 0;
	tcap_null(&f, 2, 1);
	tcap_ip(&f, 4);
	tcap_want(DLT_NULL, &f, 4, 4);
}

/* AF_INET6 is 24 on NetBSD/OpenBSD, 28 on FreeBSD, 30 on macOS. */
Test(capture, null_af_inet6_bsd_values)
{
	static const uint32_t afs[] = {24, 28, 30};
	struct tcap_frame f;

	for (size_t i = 0; i < sizeof(afs) / sizeof(afs[0]); i++) {
		for (int be = 0; be <= 1; be++) {
			f.len = 0;
			tcap_null(&f, afs[i], be);
			tcap_ip(&f, 6);
			tcap_want(DLT_NULL, &f, 6, 4);
		}
	}
}

Test(capture, null_other_af_and_short)
{
	struct tcap_frame f = {.len = 0};

	tcap_null(&f, 17, 0); /* not an IP family */
	tcap_ip(&f, 4);
	tcap_refused(DLT_NULL, &f);

	f.len = 0;
	tcap_null(&f, 2, 0);
	tcap_refused(DLT_NULL, &f); /* AF present, no IP header */
	f.len = 3;
	tcap_refused(DLT_NULL, &f);
}

Test(capture, null_claims_ipv4_but_version_is_6)
{
	struct tcap_frame f = {.len = 0};

	tcap_null(&f, 2, 0);
	tcap_ip(&f, 6);
	tcap_refused(DLT_NULL, &f);

	f.len = 0;
	tcap_null(&f, 30, 1);
	tcap_ip(&f, 4);
	tcap_refused(DLT_NULL, &f);
}

Test(capture, unknown_link_type)
{
	struct tcap_frame f = {.len = 0};

	tcap_ip(&f, 4);
	tcap_refused(DLT_IEEE802_11, &f);
}
