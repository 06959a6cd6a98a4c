/* testtun.h - hand-built frames for the tunnel tests (test_tunnel.c,
 * test_tunnel_link.c) and the assertions on cap_strip_frame.
 *
 * Frames are built outermost header first.  A length field that covers
 * the rest of the frame (IPv4 total length, IPv6 payload length, UDP
 * length, PPPoE length, PPTP payload length) is written as 0 and patched
 * by tt_done() once the frame is complete.  Each call of cap_strip_frame
 * gets a heap copy of exactly the bytes it may read, so a read past caplen
 * is an ASan report in the sanitizer build (make asan).
 *
 * Everything is static inline: the Makefile builds only tests/test_*.c, and
 * an unused static inline function draws no warning.
 */
#ifndef MXRAY_TESTTUN_H
#define MXRAY_TESTTUN_H

#include <criterion/criterion.h>
#include <pcap.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

#define TT_FRAME_MAX 2048
#define TT_FIX_MAX 80

/* GRE flags, ethertypes and protocols used below */
#define TT_C 0x8000
#define TT_R 0x4000
#define TT_K 0x2000
#define TT_S 0x1000
#define TT_A 0x0080
#define TT_IP4 0x0800
#define TT_IP6 0x86dd
#define TT_ARP 0x0806
#define TT_VLAN 0x8100
#define TT_MPLS 0x8847
#define TT_MPLS_MC 0x8848
#define TT_PPPOE 0x8864
#define TT_TEB 0x6558
#define TT_ERSPAN 0x88be
#define TT_ERSPAN3 0x22eb
#define TT_PPP 0x880b
#define TT_GRE 47
#define TT_UDP 17
#define TT_TCP 6

struct tt_frame {
	uint8_t b[TT_FRAME_MAX];
	size_t len;
	/* length fields to patch: at `at`, the bytes from `from` to the end */
	struct { size_t at, from; } fix[TT_FIX_MAX];
	int nfix;
};

/* What cap_strip_frame should find. */
struct tt_want {
	int ver;
	size_t off;
	unsigned tunnels;
};

static inline void tt_put(struct tt_frame *f, const void *p, size_t n)
{
	cr_assert_leq(f->len + n, sizeof(f->b), "test frame too large");
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static inline void tt_u8(struct tt_frame *f, uint8_t v)
{
	tt_put(f, &v, 1);
}

static inline void tt_be16(struct tt_frame *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	tt_put(f, b, 2);
}

static inline void tt_be32(struct tt_frame *f, uint32_t v)
{
	tt_be16(f, (uint16_t)(v >> 16));
	tt_be16(f, (uint16_t)v);
}

static inline void tt_zero(struct tt_frame *f, size_t n)
{
	while (n--)
		tt_u8(f, 0);
}

/* Patch the 16-bit field at `at` with the length from `from` to the end. */
static inline void tt_fix(struct tt_frame *f, size_t at, size_t from)
{
	cr_assert_lt(f->nfix, TT_FIX_MAX);
	f->fix[f->nfix].at = at;
	f->fix[f->nfix].from = from;
	f->nfix++;
}

static inline void tt_done(struct tt_frame *f)
{
	for (int i = 0; i < f->nfix; i++) {
		size_t n = f->len - f->fix[i].from;
		f->b[f->fix[i].at] = (uint8_t)(n >> 8);
		f->b[f->fix[i].at + 1] = (uint8_t)n;
	}
}

/* Ethernet MACs and ethertype; VLAN tags with tt_vlan before the type. */
static inline void tt_macs(struct tt_frame *f)
{
	static const uint8_t macs[12] = {0x02, 0, 0, 0, 0, 0x01,
					 0x02, 0, 0, 0, 0, 0x02};

	tt_put(f, macs, sizeof(macs));
}

static inline void tt_eth(struct tt_frame *f, uint16_t et)
{
	tt_macs(f);
	tt_be16(f, et);
}

static inline void tt_vlan(struct tt_frame *f, uint16_t vid)
{
	tt_be16(f, TT_VLAN);
	tt_be16(f, vid);
}

/* An outer IPv4 header of ihl 32-bit words (options are NOPs), protocol
 * proto, the given flags/fragment offset word; total length patched. */
static inline void tt_ip4_hdr(struct tt_frame *f, uint8_t proto, int ihl,
		       uint16_t frag)
{
	size_t at = f->len;
	static const uint8_t addrs[8] = {198, 51, 100, 201, 198, 51, 100, 202};

	tt_u8(f, (uint8_t)(0x40 | ihl));
	tt_u8(f, 0);
	tt_be16(f, 0); /* total length */
	tt_be16(f, 0x1234);
	tt_be16(f, frag);
	tt_u8(f, 64);
	tt_u8(f, proto);
	tt_be16(f, 0);
	tt_put(f, addrs, sizeof(addrs));
	for (int i = 5; i < ihl; i++)
		tt_be32(f, 0x01010101);
	tt_fix(f, at + 2, at);
}

/* An outer IPv6 header whose next header is nh; payload length patched. */
static inline void tt_ip6_hdr(struct tt_frame *f, uint8_t nh)
{
	size_t at = f->len;

	tt_be32(f, 0x60000000);
	tt_be16(f, 0);
	tt_u8(f, nh);
	tt_u8(f, 64);
	tt_be32(f, 0x20010db8);
	tt_zero(f, 11);
	tt_u8(f, 0x01);
	tt_be32(f, 0x20010db8);
	tt_zero(f, 11);
	tt_u8(f, 0x02);
	tt_fix(f, at + 4, at + 40);
}

/* An IPv6 extension header (hop-by-hop, routing, destination options) of
 * 8 * (1 + units) bytes, next header nh. */
static inline void tt_ip6_ext(struct tt_frame *f, uint8_t nh, uint8_t units)
{
	tt_u8(f, nh);
	tt_u8(f, units);
	tt_zero(f, 6 + (size_t)units * 8);
}

/* A UDP header to dport; length patched. */
static inline void tt_udp(struct tt_frame *f, uint16_t dport)
{
	size_t at = f->len;

	tt_be16(f, 50000);
	tt_be16(f, dport);
	tt_be16(f, 0);
	tt_be16(f, 0);
	tt_fix(f, at + 4, at);
}

/* A GRE version 0 header: flags, protocol, the optional fields. */
static inline void tt_gre(struct tt_frame *f, uint16_t flags, uint16_t proto)
{
	tt_be16(f, flags);
	tt_be16(f, proto);
	if (flags & TT_C)
		tt_be32(f, 0xbeef0000);
	if (flags & TT_K)
		tt_be32(f, 42);
	if (flags & TT_S)
		tt_be32(f, 7);
}

/* The inner IP packet: the start of an IPv4 (TCP) or IPv6 header.  Returns
 * its offset. */
static inline size_t tt_inner(struct tt_frame *f, int ver)
{
	static const uint8_t ip4[20] = {
		0x45, 0x00, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x40, TT_TCP,
		0x00, 0x00, 192,  0,    2,    10,   203,  0,    113,  25,
	};
	static const uint8_t ip6[40] = {
		0x60, 0, 0, 0, 0, 0, TT_TCP, 0x40,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x25,
	};
	size_t at = f->len;

	if (ver == 4)
		tt_put(f, ip4, sizeof(ip4));
	else
		tt_put(f, ip6, sizeof(ip6));
	return at;
}

/* Ethernet + outer IPv4 + GRE header: the usual start of a frame. */
static inline void tt_eth_ip4_gre(struct tt_frame *f, uint16_t flags,
				  uint16_t proto)
{
	tt_eth(f, TT_IP4);
	tt_ip4_hdr(f, TT_GRE, 5, 0x4000);
	tt_gre(f, flags, proto);
}

/* cap_strip_frame on a heap copy of the first len bytes of f. */
static inline int tt_strip(int dlt, const struct tt_frame *f, size_t len,
			   int *ipver, size_t *off, unsigned *tunnels)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	cr_assert_not_null(copy);
	memcpy(copy, f->b, len);
	rc = cap_strip_frame(dlt, copy, len, ipver, off, tunnels);
	free(copy);
	return rc;
}

static inline void tt_expect(int dlt, const struct tt_frame *f,
			     struct tt_want w)
{
	int ipver = -7, ipver2 = -7;
	size_t off = 9999, off2 = 9999;
	unsigned n = 777;
	int rc = tt_strip(dlt, f, f->len, &ipver, &off, &n);

	cr_assert_eq(rc, 0, "len %zu: rc %d, want 0", f->len, rc);
	cr_assert_eq(ipver, w.ver, "ipver %d, want %d", ipver, w.ver);
	cr_assert_eq(off, w.off, "off %zu, want %zu", off, w.off);
	cr_assert_eq(n, w.tunnels, "tunnels %u, want %u", n, w.tunnels);
	/* cap_strip_link is the same without the count */
	cr_assert_eq(cap_strip_link(dlt, f->b, f->len, &ipver2, &off2), 0);
	cr_assert(ipver2 == w.ver && off2 == w.off, "cap_strip_link differs");
}

static inline void tt_want_eth(const struct tt_frame *f, int ver, size_t off,
			unsigned tunnels)
{
	tt_expect(DLT_EN10MB, f, (struct tt_want){ver, off, tunnels});
}

/* Refused (-1) with ipver, off and tunnels left alone. */
static inline void tt_refused_len(int dlt, const struct tt_frame *f, size_t len)
{
	int ipver = -7;
	size_t off = 9999;
	unsigned n = 777;
	int rc = tt_strip(dlt, f, len, &ipver, &off, &n);

	cr_assert_eq(rc, -1, "len %zu of %zu: rc %d (off %zu), want -1", len,
		     f->len, rc, off);
	cr_assert(ipver == -7 && off == 9999 && n == 777,
		  "outputs written on failure");
}

static inline void tt_refused(const struct tt_frame *f)
{
	tt_refused_len(DLT_EN10MB, f, f->len);
}

/* Every prefix of f (which strips to w): one that holds a byte of the
 * inner IP header strips to it; a shorter one never does, and anything it
 * returns lies inside the prefix (an outer packet, fewer tunnels). */
static inline void tt_prefixes(int dlt, const struct tt_frame *f,
			       struct tt_want w)
{
	tt_expect(dlt, f, w);
	for (size_t len = 0; len < f->len; len++) {
		int ipver = -7;
		size_t off = 9999;
		unsigned n = 777;
		int rc = tt_strip(dlt, f, len, &ipver, &off, &n);

		if (len > w.off) {
			cr_assert(rc == 0 && ipver == w.ver && off == w.off &&
				  n == w.tunnels,
				  "len %zu: not the inner packet", len);
		} else if (rc == 0) {
			cr_assert_lt(off, len, "len %zu: off %zu past caplen",
				     len, off);
			cr_assert_lt(n, w.tunnels, "len %zu: %u tunnels", len,
				     n);
		} else {
			cr_assert(ipver == -7 && off == 9999 && n == 777,
				  "len %zu: outputs written on failure", len);
		}
	}
}

#endif
