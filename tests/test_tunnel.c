/* test_tunnel.c - unit tests for cap_strip_frame (analyzer/capture/
 * linklayer.c, tunnel.c), IP tunnels: the outer IPv4 (options, fragments,
 * lengths) and IPv6 (extension headers), GRE (RFC 2784, RFC 2890) with IP,
 * Ethernet and MPLS inside, ERSPAN types I-III, enhanced GRE with PPP
 * (RFC 2637).  VXLAN, MPLS, PPPoE, nesting and the depth bound are in
 * test_tunnel_link.c; the frame builders in testtun.h.
 */
#include "testtun.h"

/* ---- plain frames ---- */

Test(tunnel, plain_frames_count_no_tunnel)
{
	struct tt_frame f = {.len = 0};

	tt_eth(&f, TT_IP4);
	tt_inner(&f, 4);
	tt_want_eth(&f, 4, 14, 0);

	/* a UDP packet to a port other than 4789 (DNS) */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_IP4);
	tt_ip4_hdr(&f, TT_UDP, 5, 0);
	tt_udp(&f, 53);
	tt_zero(&f, 12);
	tt_done(&f);
	tt_want_eth(&f, 4, 14, 0);

	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_IP6);
	tt_inner(&f, 6);
	tt_want_eth(&f, 6, 14, 0);

	/* the count may be left out */
	{
		int v;
		size_t off;
		cr_assert_eq(cap_strip_frame(DLT_EN10MB, f.b, f.len, &v, &off,
					     NULL), 0);
		cr_assert_eq(off, 14);
	}
}

Test(tunnel, four_vlan_tags_read_a_fifth_refused)
{
	for (int tags = 4; tags <= 5; tags++) {
		struct tt_frame f = {.len = 0};
		size_t in;

		tt_macs(&f);
		for (int i = 0; i < tags; i++)
			tt_vlan(&f, (uint16_t)(10 + i));
		tt_be16(&f, TT_IP4);
		in = tt_inner(&f, 4);
		if (tags == 4)
			tt_want_eth(&f, 4, in, 0);
		else
			tt_refused(&f);
	}
}

/* ---- GRE ---- */

Test(tunnel, gre_ipv4_and_ipv6_inside)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth_ip4_gre(&f, 0, TT_IP4);
	in = tt_inner(&f, 4);
	tt_done(&f);
	cr_assert_eq(in, 14 + 20 + 4);
	tt_want_eth(&f, 4, in, 1);

	f = (struct tt_frame){.len = 0};
	tt_eth_ip4_gre(&f, 0, TT_IP6);
	in = tt_inner(&f, 6);
	tt_done(&f);
	tt_want_eth(&f, 6, in, 1);
}

Test(tunnel, gre_checksum_key_sequence_combinations)
{
	for (int bits = 0; bits < 8; bits++) {
		uint16_t flags = (uint16_t)((bits & 1 ? TT_C : 0) |
					    (bits & 2 ? TT_K : 0) |
					    (bits & 4 ? TT_S : 0));
		size_t opt = 4 * (size_t)((bits & 1) + !!(bits & 2) +
					  !!(bits & 4));
		struct tt_frame f = {.len = 0};
		size_t in;

		tt_eth_ip4_gre(&f, flags, TT_IP4);
		in = tt_inner(&f, 4);
		tt_done(&f);
		cr_assert_eq(in, 14 + 20 + 4 + opt);
		tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});
	}
}

Test(tunnel, gre_inner_version_must_match_protocol)
{
	struct tt_frame f = {.len = 0};

	tt_eth_ip4_gre(&f, 0, TT_IP4);
	tt_inner(&f, 6);
	tt_done(&f);
	tt_refused(&f);
}

Test(tunnel, gre_routing_version_and_unknown_protocol_refused)
{
	struct tt_frame f = {.len = 0};

	tt_eth_ip4_gre(&f, TT_R, TT_IP4); /* RFC 1701 source routing */
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);

	f = (struct tt_frame){.len = 0};
	tt_eth_ip4_gre(&f, 2, TT_IP4); /* version 2 */
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);

	f = (struct tt_frame){.len = 0};
	tt_eth_ip4_gre(&f, 0, TT_ARP);
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);
}

Test(tunnel, outer_ipv4_options_counted)
{
	for (int ihl = 5; ihl <= 15; ihl++) {
		struct tt_frame f = {.len = 0};
		size_t in;

		tt_eth(&f, TT_IP4);
		tt_ip4_hdr(&f, TT_GRE, ihl, 0);
		tt_gre(&f, TT_K, TT_IP4);
		in = tt_inner(&f, 4);
		tt_done(&f);
		cr_assert_eq(in, 14 + (size_t)ihl * 4 + 8);
		tt_want_eth(&f, 4, in, 1);
	}
}

Test(tunnel, outer_ipv4_bad_header_left_alone)
{
	struct tt_frame f = {.len = 0};

	/* IHL 4 is no IPv4 header: returned as is, the decoder judges it */
	tt_eth(&f, TT_IP4);
	tt_ip4_hdr(&f, TT_GRE, 4, 0);
	tt_gre(&f, 0, TT_IP4);
	tt_inner(&f, 4);
	tt_done(&f);
	tt_want_eth(&f, 4, 14, 0);
}

Test(tunnel, outer_ipv4_total_length_bounds_the_tunnel)
{
	struct tt_frame f = {.len = 0};

	/* total length 24: the GRE header and nothing more; the inner packet
	 * in the frame is padding to the outer packet */
	tt_eth_ip4_gre(&f, 0, TT_IP4);
	tt_inner(&f, 4);
	f.b[14 + 2] = 0;
	f.b[14 + 3] = 24;
	tt_refused(&f);
	/* total length 23 cuts the GRE header */
	f.b[14 + 3] = 23;
	tt_refused(&f);
	/* a total length past the capture is the snaplen's doing: peeled */
	f.b[14 + 2] = 0x05;
	tt_want_eth(&f, 4, 14 + 24, 1);
}

Test(tunnel, outer_ipv4_fragment_not_peeled)
{
	static const uint16_t frags[] = {0x2000, 0x0001, 0x20b9, 0x1fff};

	for (size_t i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		struct tt_frame f = {.len = 0};

		tt_eth(&f, TT_IP4);
		tt_ip4_hdr(&f, TT_GRE, 5, frags[i]);
		tt_gre(&f, 0, TT_IP4);
		tt_inner(&f, 4);
		tt_done(&f);
		tt_want_eth(&f, 4, 14, 0);
	}
}

Test(tunnel, outer_ipv6_gre_and_extension_headers)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth(&f, TT_IP6);
	tt_ip6_hdr(&f, TT_GRE);
	tt_gre(&f, TT_S, TT_IP4);
	in = tt_inner(&f, 4);
	tt_done(&f);
	cr_assert_eq(in, 14 + 40 + 8);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});

	/* hop-by-hop (8 bytes), routing (16), destination options (24) */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_IP6);
	tt_ip6_hdr(&f, 0);
	tt_ip6_ext(&f, 43, 0);
	tt_ip6_ext(&f, 60, 1);
	tt_ip6_ext(&f, TT_GRE, 2);
	tt_gre(&f, 0, TT_IP6);
	in = tt_inner(&f, 6);
	tt_done(&f);
	cr_assert_eq(in, 14 + 40 + 48 + 4);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){6, in, 1});

	/* a payload length of 4 holds the GRE header only */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_IP6);
	tt_ip6_hdr(&f, TT_GRE);
	tt_gre(&f, 0, TT_IP4);
	tt_inner(&f, 4);
	tt_done(&f);
	f.b[14 + 4] = 0;
	f.b[14 + 5] = 4;
	tt_refused(&f);

	/* a fragment header: left as the outer packet */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_IP6);
	tt_ip6_hdr(&f, 44);
	tt_u8(&f, TT_GRE);
	tt_zero(&f, 7);
	tt_gre(&f, 0, TT_IP4);
	tt_inner(&f, 4);
	tt_done(&f);
	tt_want_eth(&f, 6, 14, 0);
}

Test(tunnel, gre_transparent_ethernet_with_vlan)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth_ip4_gre(&f, TT_K, TT_TEB);
	tt_macs(&f);
	tt_vlan(&f, 25);
	tt_be16(&f, TT_IP6);
	in = tt_inner(&f, 6);
	tt_done(&f);
	cr_assert_eq(in, 14 + 20 + 8 + 18);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){6, in, 1});
}

Test(tunnel, gre_mpls_inside)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth_ip4_gre(&f, 0, TT_MPLS);
	tt_be32(&f, (1001u << 12) | 0x100 | 64);
	in = tt_inner(&f, 4);
	tt_done(&f);
	/* GRE and the label stack: two encapsulations */
	tt_want_eth(&f, 4, in, 2);
}

/* ---- ERSPAN ---- */

Test(tunnel, erspan2)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth_ip4_gre(&f, TT_S, TT_ERSPAN);
	tt_be16(&f, 0x1000 | 25);  /* version 1, VLAN 25 */
	tt_be16(&f, 0x1800 | 7);   /* En 3, session 7 */
	tt_be32(&f, 0);            /* reserved, index */
	tt_macs(&f);
	tt_vlan(&f, 25);
	tt_be16(&f, TT_IP4);
	in = tt_inner(&f, 4);
	tt_done(&f);
	cr_assert_eq(in, 14 + 20 + 8 + 8 + 18);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});
}

Test(tunnel, erspan2_arp_inside_is_not_ip)
{
	struct tt_frame f = {.len = 0};

	tt_eth_ip4_gre(&f, TT_S, TT_ERSPAN);
	tt_be32(&f, 0x10000007);
	tt_be32(&f, 0);
	tt_eth(&f, TT_ARP);
	tt_inner(&f, 4); /* looks like IPv4, is not */
	tt_done(&f);
	tt_refused(&f);
}

/* ERSPAN III: 12 bytes, the O flag adds the 8-byte platform subheader;
 * frame type ft (0 Ethernet, 2 IP). */
static size_t tt_erspan3(struct tt_frame *f, int o, int ft, int ver)
{
	tt_eth_ip4_gre(f, TT_S, TT_ERSPAN3);
	tt_be16(f, 0x2000 | 25);
	tt_be16(f, 7);
	tt_be32(f, 123456);                        /* timestamp */
	tt_be16(f, 0);                             /* SGT */
	tt_be16(f, (uint16_t)(ft << 10 | 1 << 4 | o));
	if (o) {
		tt_be32(f, (7u << 26) | 25);
		tt_be32(f, 0);
	}
	if (ft == 0)
		tt_eth(f, ver == 4 ? TT_IP4 : TT_IP6);
	return tt_inner(f, ver);
}

Test(tunnel, erspan3_with_and_without_subheader)
{
	for (int o = 0; o <= 1; o++) {
		struct tt_frame f = {.len = 0};
		size_t in = tt_erspan3(&f, o, 0, 4);

		tt_done(&f);
		cr_assert_eq(in, 14 + 20 + 8 + 12 + (o ? 8u : 0u) + 14);
		tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});
	}
}

Test(tunnel, erspan3_frame_types)
{
	struct tt_frame f = {.len = 0};
	size_t in = tt_erspan3(&f, 1, 2, 6); /* an IP packet, no Ethernet */

	tt_done(&f);
	cr_assert_eq(in, 14 + 20 + 8 + 20);
	tt_want_eth(&f, 6, in, 1);

	f = (struct tt_frame){.len = 0};
	tt_erspan3(&f, 0, 3, 4); /* a reserved frame type */
	tt_done(&f);
	tt_refused(&f);
}

Test(tunnel, erspan1_after_bare_gre)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth_ip4_gre(&f, 0, TT_ERSPAN);
	tt_eth(&f, TT_IP4);
	in = tt_inner(&f, 4);
	tt_done(&f);
	cr_assert_eq(in, 14 + 20 + 4 + 14);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});
}

Test(tunnel, erspan_88be_with_flags_reads_the_header)
{
	/* as Wireshark: type I only when the GRE flags are all clear; with a
	 * key but no sequence number the header's version still decides */
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth_ip4_gre(&f, TT_K, TT_ERSPAN);
	tt_be32(&f, 0x10190007);
	tt_be32(&f, 0);
	tt_eth(&f, TT_IP4);
	in = tt_inner(&f, 4);
	tt_done(&f);
	cr_assert_eq(in, 14 + 20 + 8 + 8 + 14);
	tt_want_eth(&f, 4, in, 1);
}

Test(tunnel, erspan_unknown_version_refused)
{
	struct tt_frame f = {.len = 0};

	tt_eth_ip4_gre(&f, TT_S, TT_ERSPAN);
	tt_be32(&f, 0x30000007); /* version 3 */
	tt_be32(&f, 0);
	tt_eth(&f, TT_IP4);
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);
}

/* ---- PPP in enhanced GRE ---- */

/* GRE version 1: flags (K always), PPP protocol 0x880B, payload length
 * patched, call id, sequence and acknowledgment numbers as flagged. */
static void tt_pptp(struct tt_frame *f, uint16_t flags)
{
	size_t at;

	tt_eth(f, TT_IP4);
	tt_ip4_hdr(f, TT_GRE, 5, 0);
	tt_be16(f, (uint16_t)(flags | 1));
	tt_be16(f, TT_PPP);
	at = f->len;
	tt_be16(f, 0);
	tt_be16(f, 0x0100);
	if (flags & TT_S)
		tt_be32(f, 9);
	if (flags & TT_A)
		tt_be32(f, 8);
	tt_fix(f, at, f->len);
}

Test(tunnel, pptp_sequence_ack_and_ppp_forms)
{
	static const uint16_t flags[] = {TT_K, TT_K | TT_S, TT_K | TT_A,
					 TT_K | TT_S | TT_A};
	/* the PPP header before IPv4: full, no address/control, compressed */
	static const struct {
		uint8_t b[4];
		size_t n;
	} ppp[] = {{{0xff, 0x03, 0x00, 0x21}, 4}, {{0x00, 0x21}, 2},
		   {{0x21}, 1}, {{0xff, 0x03, 0x21}, 3}};

	for (size_t i = 0; i < 4; i++) {
		for (size_t j = 0; j < 4; j++) {
			struct tt_frame f = {.len = 0};
			size_t in;

			tt_pptp(&f, flags[i]);
			tt_put(&f, ppp[j].b, ppp[j].n);
			in = tt_inner(&f, 4);
			tt_done(&f);
			tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});
		}
	}
}

Test(tunnel, pptp_ipv6_and_not_ip)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_pptp(&f, TT_K | TT_S);
	tt_be16(&f, 0x0057);
	in = tt_inner(&f, 6);
	tt_done(&f);
	tt_want_eth(&f, 6, in, 1);

	/* LCP, and bad address/control */
	f = (struct tt_frame){.len = 0};
	tt_pptp(&f, TT_K | TT_S);
	tt_be16(&f, 0xc021);
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);

	f = (struct tt_frame){.len = 0};
	tt_pptp(&f, TT_K | TT_S);
	tt_be32(&f, 0xff050021);
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);
}

Test(tunnel, pptp_ack_only_and_bad_flags_refused)
{
	struct tt_frame f = {.len = 0};

	/* payload length 0: an acknowledgment, no PPP */
	tt_pptp(&f, TT_K | TT_A);
	tt_done(&f);
	tt_refused(&f);

	/* a payload length of 1 cuts the PPP protocol */
	f = (struct tt_frame){.len = 0};
	tt_pptp(&f, TT_K | TT_S);
	tt_be16(&f, 0x0021);
	tt_inner(&f, 4);
	tt_done(&f);
	f.b[14 + 20 + 4] = 0;
	f.b[14 + 20 + 5] = 1;
	tt_refused(&f);

	/* version 1 without the key, or with a checksum */
	f = (struct tt_frame){.len = 0};
	tt_pptp(&f, TT_K | TT_S);
	tt_be16(&f, 0x0021);
	tt_inner(&f, 4);
	tt_done(&f);
	f.b[14 + 20] &= (uint8_t)~(TT_K >> 8);
	tt_refused(&f);
	f.b[14 + 20] |= (uint8_t)((TT_K | TT_C) >> 8);
	tt_refused(&f);
}
