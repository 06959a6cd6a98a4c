/* test_tunnel_link.c - unit tests for cap_strip_frame (analyzer/capture/
 * linklayer.c, tunnel.c): VXLAN (RFC 7348), MPLS (RFC 3032; Ethernet
 * pseudowires, RFC 4385/4448), PPPoE (RFC 2516) on every link type,
 * nested encapsulations and the bound on their depth.  The frame builders
 * are in testtun.h.
 */
#include "testtun.h"

/* ---- VXLAN ---- */

static size_t tt_vxlan(struct tt_frame *f, uint16_t port, uint8_t flags)
{
	tt_eth(f, TT_IP4);
	tt_ip4_hdr(f, TT_UDP, 5, 0);
	tt_udp(f, port);
	tt_u8(f, flags);
	tt_zero(f, 3);
	tt_be32(f, 5025u << 8);
	tt_eth(f, TT_IP4);
	return tt_inner(f, 4);
}

Test(tunnel_link, vxlan_on_4789)
{
	struct tt_frame f = {.len = 0};
	size_t in = tt_vxlan(&f, 4789, 0x08);

	tt_done(&f);
	cr_assert_eq(in, 14 + 20 + 8 + 8 + 14);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});

	/* over IPv6 */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_IP6);
	tt_ip6_hdr(&f, TT_UDP);
	tt_udp(&f, 4789);
	tt_be32(&f, 0x08000000);
	tt_be32(&f, 1u << 8);
	tt_eth(&f, TT_IP6);
	in = tt_inner(&f, 6);
	tt_done(&f);
	tt_want_eth(&f, 6, in, 1);
}

Test(tunnel_link, vxlan_other_port_not_peeled)
{
	static const uint16_t ports[] = {4790, 8472, 53, 4788};

	for (size_t i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		struct tt_frame f = {.len = 0};

		tt_vxlan(&f, ports[i], 0x08);
		tt_done(&f);
		tt_want_eth(&f, 4, 14, 0);
	}
}

/* UDP to port 4789 that is not VXLAN (no I flag, a UDP length too short
 * for its header, no IP inside) is someone's own datagram, a resolver's
 * answer to a random source port say: the outer packet, as it is. */
Test(tunnel_link, udp_to_4789_that_is_not_vxlan_is_left_as_it_is)
{
	struct tt_frame f = {.len = 0};

	tt_vxlan(&f, 4789, 0x00);
	tt_done(&f);
	tt_want_eth(&f, 4, 14, 0);

	/* a UDP length of 7 */
	f = (struct tt_frame){.len = 0};
	tt_vxlan(&f, 4789, 0x08);
	tt_done(&f);
	f.b[14 + 20 + 4] = 0;
	f.b[14 + 20 + 5] = 7;
	tt_want_eth(&f, 4, 14, 0);
	/* a UDP length that ends inside the VXLAN header */
	f.b[14 + 20 + 5] = 12;
	tt_want_eth(&f, 4, 14, 0);
}

/* ---- MPLS ---- */

Test(tunnel_link, mpls_label_stack_to_ip)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth(&f, TT_MPLS);
	tt_be32(&f, (1001u << 12) | 64);
	tt_be32(&f, (2002u << 12) | 0x100 | 64);
	in = tt_inner(&f, 4);
	cr_assert_eq(in, 14 + 8);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});

	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_MPLS_MC);
	tt_be32(&f, (2u << 12) | 0x100 | 64); /* IPv6 explicit null */
	in = tt_inner(&f, 6);
	tt_want_eth(&f, 6, in, 1);
}

Test(tunnel_link, mpls_without_bottom_of_stack_refused)
{
	struct tt_frame f = {.len = 0};

	tt_eth(&f, TT_MPLS);
	for (int i = 0; i < 40; i++)
		tt_be32(&f, (100u << 12) | 64);
	tt_inner(&f, 4);
	tt_refused(&f);

	/* 16 labels are read, 17 are too many */
	for (int labels = 16; labels <= 17; labels++) {
		f = (struct tt_frame){.len = 0};
		tt_eth(&f, TT_MPLS);
		for (int i = 1; i < labels; i++)
			tt_be32(&f, (100u << 12) | 64);
		tt_be32(&f, (100u << 12) | 0x100 | 64);
		tt_inner(&f, 4);
		if (labels == 16)
			tt_want_eth(&f, 4, 14 + 64, 1);
		else
			tt_refused(&f);
	}
}

Test(tunnel_link, mpls_pseudowire_control_word_then_ethernet)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth(&f, TT_MPLS);
	tt_be32(&f, (3003u << 12) | 0x100 | 64);
	tt_be32(&f, 0x00000001); /* control word, sequence 1 */
	tt_macs(&f);
	tt_vlan(&f, 25);
	tt_be16(&f, TT_IP4);
	in = tt_inner(&f, 4);
	cr_assert_eq(in, 14 + 4 + 4 + 18);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});

	/* first nibble 1: an associated channel, not IP */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_MPLS);
	tt_be32(&f, (3003u << 12) | 0x100 | 64);
	tt_be32(&f, 0x10000021);
	tt_inner(&f, 4);
	tt_refused(&f);
}

/* ---- PPPoE ---- */

static void tt_pppoe(struct tt_frame *f, uint8_t vt, uint16_t proto)
{
	size_t at;

	tt_u8(f, vt);
	tt_u8(f, 0);
	tt_be16(f, 0x1234);
	at = f->len;
	tt_be16(f, 0);
	tt_fix(f, at, at + 2);
	tt_be16(f, proto);
}

Test(tunnel_link, pppoe_session_ipv4_ipv6)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth(&f, TT_PPPOE);
	tt_pppoe(&f, 0x11, 0x0021);
	in = tt_inner(&f, 4);
	tt_done(&f);
	cr_assert_eq(in, 14 + 8);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 1});

	f = (struct tt_frame){.len = 0};
	tt_macs(&f);
	tt_vlan(&f, 7);
	tt_be16(&f, TT_PPPOE);
	tt_pppoe(&f, 0x11, 0x0057);
	in = tt_inner(&f, 6);
	tt_done(&f);
	tt_want_eth(&f, 6, in, 1);
}

Test(tunnel_link, pppoe_not_ip)
{
	struct tt_frame f = {.len = 0};

	tt_eth(&f, TT_PPPOE);
	tt_pppoe(&f, 0x11, 0xc021); /* LCP */
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);

	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_PPPOE);
	tt_pppoe(&f, 0x12, 0x0021); /* type 2 */
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);

	/* a length of 1 cuts the PPP protocol */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, TT_PPPOE);
	tt_pppoe(&f, 0x11, 0x0021);
	tt_inner(&f, 4);
	f.b[14 + 5] = 1;
	tt_refused(&f);

	/* discovery stage (0x8863) */
	f = (struct tt_frame){.len = 0};
	tt_eth(&f, 0x8863);
	tt_pppoe(&f, 0x11, 0x0021);
	tt_inner(&f, 4);
	tt_done(&f);
	tt_refused(&f);
}

/* ---- other link types ---- */

Test(tunnel_link, cooked_and_raw_links)
{
	static const uint8_t sll[14] = {0x00, 0x00, 0x00, 0x01, 0x00, 0x06,
					0x02, 0,    0,    0,    0,    0x01,
					0x00, 0x00};
	static const uint8_t sll2_rest[18] = {0, 0, 0, 0, 0, 2, 0, 1, 0, 6,
					      2, 0, 0, 0, 0, 1, 0, 0};
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_put(&f, sll, sizeof(sll));
	tt_be16(&f, TT_PPPOE);
	tt_pppoe(&f, 0x11, 0x0021);
	in = tt_inner(&f, 4);
	tt_done(&f);
	tt_expect(DLT_LINUX_SLL, &f, (struct tt_want){4, in, 1});

	f = (struct tt_frame){.len = 0};
	tt_be16(&f, TT_MPLS);
	tt_put(&f, sll2_rest, sizeof(sll2_rest));
	tt_be32(&f, (5u << 12) | 0x100 | 64);
	in = tt_inner(&f, 6);
	tt_expect(DLT_LINUX_SLL2, &f, (struct tt_want){6, in, 1});

	/* raw IP: the packet itself is the tunnel */
	f = (struct tt_frame){.len = 0};
	tt_ip4_hdr(&f, TT_GRE, 5, 0);
	tt_gre(&f, 0, TT_IP6);
	in = tt_inner(&f, 6);
	tt_done(&f);
	tt_prefixes(DLT_RAW, &f, (struct tt_want){6, in, 1});
}

/* ---- nesting and its bound ---- */

Test(tunnel_link, nested_vlan_mpls_gre_erspan_vlan_ip)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_macs(&f);
	tt_vlan(&f, 100);
	tt_be16(&f, TT_MPLS);
	tt_be32(&f, (4004u << 12) | 0x100 | 64);
	tt_ip4_hdr(&f, TT_GRE, 5, 0);
	tt_gre(&f, TT_S, TT_ERSPAN);
	tt_be32(&f, 0x10190007);
	tt_be32(&f, 0);
	tt_macs(&f);
	tt_vlan(&f, 25);
	tt_be16(&f, TT_IP4);
	in = tt_inner(&f, 4);
	tt_done(&f);
	cr_assert_eq(in, 18 + 4 + 20 + 8 + 8 + 18);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 2});
}

Test(tunnel_link, nested_vxlan_in_gre_in_pppoe)
{
	struct tt_frame f = {.len = 0};
	size_t in;

	tt_eth(&f, TT_PPPOE);
	tt_pppoe(&f, 0x11, 0x0021);
	tt_ip4_hdr(&f, TT_GRE, 5, 0);
	tt_gre(&f, TT_K, TT_IP6);
	tt_ip6_hdr(&f, TT_UDP);
	tt_udp(&f, 4789);
	tt_be32(&f, 0x08000000);
	tt_be32(&f, 1u << 8);
	tt_eth(&f, TT_IP4);
	in = tt_inner(&f, 4);
	tt_done(&f);
	tt_prefixes(DLT_EN10MB, &f, (struct tt_want){4, in, 3});
}

/* depth IPv4-in-GRE packets nested in an Ethernet frame */
static size_t tt_gre_nest(struct tt_frame *f, int depth)
{
	tt_eth(f, TT_IP4);
	for (int i = 0; i < depth; i++) {
		tt_ip4_hdr(f, TT_GRE, 5, 0);
		tt_gre(f, 0, TT_IP4);
	}
	return tt_inner(f, 4);
}

Test(tunnel_link, depth_bomb_stops_at_the_bound)
{
	for (int depth = 1; depth <= 60; depth++) {
		struct tt_frame f = {.len = 0};
		size_t in = tt_gre_nest(&f, depth);

		tt_done(&f);
		if (depth <= 8)
			tt_want_eth(&f, 4, in, (unsigned)depth);
		else
			tt_refused(&f);
	}
}

Test(tunnel_link, pseudowire_loop_stops_at_the_bound)
{
	/* Ethernet, then MPLS + control word + Ethernet again and again */
	for (int depth = 1; depth <= 12; depth++) {
		struct tt_frame f = {.len = 0};
		size_t in;

		tt_macs(&f);
		for (int i = 0; i < depth; i++) {
			tt_be16(&f, TT_MPLS);
			tt_be32(&f, (3003u << 12) | 0x100 | 64);
			tt_be32(&f, 0);
			tt_macs(&f);
		}
		tt_be16(&f, TT_IP4);
		in = tt_inner(&f, 4);
		if (depth <= 8)
			tt_want_eth(&f, 4, in, (unsigned)depth);
		else
			tt_refused(&f);
	}
}

Test(tunnel_link, bound_counts_every_kind)
{
	/* 7 GRE + a PPPoE session = 8 layers: read; one more GRE: refused */
	for (int gre = 7; gre <= 8; gre++) {
		struct tt_frame f = {.len = 0};
		size_t in;

		tt_eth(&f, TT_PPPOE);
		tt_pppoe(&f, 0x11, 0x0021);
		for (int i = 0; i < gre; i++) {
			tt_ip4_hdr(&f, TT_GRE, 5, 0);
			tt_gre(&f, 0, TT_IP4);
		}
		in = tt_inner(&f, 4);
		tt_done(&f);
		if (gre == 7)
			tt_want_eth(&f, 4, in, 8);
		else
			tt_refused(&f);
	}
}
