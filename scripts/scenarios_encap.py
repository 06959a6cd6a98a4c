"""scenarios_encap.py - the slow-PTR dialogue (slow-ptr.pcap, slow-ptr-v6.pcap)
as a remote mirror or a tunnel delivers it: ERSPAN types I, II and III,
IP and IPv6 in GRE, PPP in enhanced GRE (PPTP), VXLAN, MPLS (IP and an
Ethernet pseudowire), PPPoE, and a nest of them.  The inner packets, their
times, ids and ports are those of the plain sample, so mxray's sessions and
DNS must come out equal (scripts/check_encap.py).  Outer addresses are
from the documentation ranges.  Each @scenario function returns its
Capture; gen_samples.py writes them under samples/encap/.
"""

from sampleparts import *  # noqa: F401,F403
from samplewire import _ip_src_dst
from scenarios_dialogue import s_slow_ptr, s_slow_ptr_v6

# the mirror source (a switch) and the collector, over IPv4 and IPv6
MIRROR4 = ("198.51.100.201", "198.51.100.202")
MIRROR6 = ("2001:db8:ffff::201", "2001:db8:ffff::202")
# the two ends of a site-to-site tunnel: the client's side first
TUNNEL4 = ("192.0.2.254", "203.0.113.254")

ETH_P_MPLS = 0x8847
ETH_P_PPPOE_SESS = 0x8864
GRE_P_ERSPAN = 0x88BE
GRE_P_ERSPAN3 = 0x22EB
GRE_P_TEB = 0x6558
GRE_P_PPP = 0x880B
IPPROTO_GRE = 47
VXLAN_PORT = 4789
GRE_C, GRE_K, GRE_S, GRE_A = 0x8000, 0x2000, 0x1000, 0x0080

VLAN25 = Ethernet([(ETH_P_8021Q, 25)])   # slow-ptr.pcap's own link layer


def eth(dst_mac, src_mac, ethertype, payload, tags=()):
    """An Ethernet II frame, VLAN tags [(tpid, vid)] outermost first,
    padded to the 60-byte minimum."""
    out = dst_mac + src_mac
    for tpid, vid in tags:
        out += struct.pack("!HH", tpid, vid & 0x0FFF)
    out += struct.pack("!H", ethertype) + payload
    return out + b"\x00" * max(0, 60 - len(out))


def outer_ip(src, dst, proto, payload, ident, options=b""):
    """The outer IPv4 (with options, RFC 791) or IPv6 packet."""
    if is_v6(src):
        return ipv6(src, dst, proto, payload)
    ihl = 5 + len(options) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, ihl * 4 + len(payload),
                      ident & 0xFFFF, 0x4000, 64, proto, 0, ip_aton(src),
                      ip_aton(dst)) + options
    return hdr[:10] + struct.pack("!H", inet_checksum(hdr)) + hdr[12:] + payload


def on_ethernet(src, dst, proto, payload, ident, options=b""):
    """payload in an outer IP packet from src to dst on Ethernet."""
    pkt = outer_ip(src, dst, proto, payload, ident, options)
    etype = ETH_P_IPV6 if is_v6(src) else ETH_P_IP
    return eth(mac_of(dst), mac_of(src), etype, pkt)


def gre(flags, proto, payload, key=None, seq=None):
    """A GRE header (RFC 2784, RFC 2890) and payload; the checksum, when C
    is in flags, covers both."""
    opt = b""
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq & 0xFFFFFFFF)
    csum = b"\x00\x00\x00\x00" if flags & GRE_C else b""
    head = struct.pack("!HH", flags, proto)
    if flags & GRE_C:
        total = inet_checksum(head + csum + opt + payload)
        csum = struct.pack("!HH", total, 0)
    return head + csum + opt + payload


def tunnel_ends(pkt, client, ends):
    """(outer source, outer destination) of a packet in a site-to-site
    tunnel: the client's packets leave from its side, all others from the
    far side."""
    return ends if _ip_src_dst(pkt)[0] == client else (ends[1], ends[0])


class _Encap:
    """A link of encapsulated frames: the file's link type is Ethernet,
    each frame wraps one packet of the plain scenario.  frame_at(i, ts,
    pkt) builds frame i (its time ts, µs), so sequence numbers and ids
    follow the frame's position."""

    linktype = LINKTYPE_ETHERNET


class Erspan(_Encap):
    """A switch's remote SPAN (draft-foschiano-erspan-03): the mirrored
    frame (slow-ptr.pcap's, VLAN tag kept) in GRE from the switch to the
    collector.  Type 1: GRE header only; type 2: sequence number and the
    8-byte type II header; type 3: sequence number and the 12-byte type III
    header, with the 8-byte platform subheader (O flag) on every other
    frame."""

    def __init__(self, erspan_type, ends):
        self.type, self.ends = erspan_type, ends
        self.name = ("Ethernet + %s GRE + ERSPAN type %s + Ethernet + 802.1Q "
                     "VLAN 25" % ("IPv6" if is_v6(ends[0]) else "IPv4",
                                  "I" * erspan_type))

    def header(self, i, ts):
        session = 7
        if self.type == 2:      # ver 1, VLAN 25; COS 0, En 3 (tag kept), T 0
            return struct.pack("!HHI", 0x1000 | 25, 0x1800 | session, i)
        # ver 2, VLAN 25; COS, BSO, T 0; timestamp in 100 µs units (Gra 00);
        # SGT 0; P 0, FT 0 (Ethernet), HW id 1, D 0, Gra 0, O
        sub = i % 2
        hdr = struct.pack("!HHIHH", 0x2000 | 25, session,
                          (ts // 100) & 0xFFFFFFFF, 0, (1 << 4) | sub)
        if sub:                 # platform 7: source index 25, upper timestamp
            hdr += struct.pack("!II", (7 << 26) | 25, 0)
        return hdr

    def packet_at(self, i, ts, pkt):
        """The outer IP packet of frame i."""
        inner = VLAN25.frame(pkt)
        if self.type == 1:
            payload = gre(0, GRE_P_ERSPAN, inner)
        else:
            proto = GRE_P_ERSPAN if self.type == 2 else GRE_P_ERSPAN3
            payload = gre(GRE_S, proto, self.header(i, ts) + inner, seq=i)
        return outer_ip(self.ends[0], self.ends[1], IPPROTO_GRE, payload,
                        0x3000 + i)

    def frame_at(self, i, ts, pkt):
        src, dst = self.ends
        etype = ETH_P_IPV6 if is_v6(src) else ETH_P_IP
        return eth(mac_of(dst), mac_of(src), etype, self.packet_at(i, ts, pkt))


class GreIp(_Encap):
    """A site-to-site GRE tunnel (RFC 2784, RFC 2890) carrying the IP packets
    themselves: IPv4 with checksum and key, the outer IPv4 header with a
    router alert option (IHL 6); IPv6 with key and sequence number."""

    def __init__(self, v6_inner, client):
        self.v6, self.client = v6_inner, client
        self.name = ("Ethernet + IPv4 GRE (%s) + %s" %
                     ("key, sequence" if v6_inner else "checksum, key; IP options",
                      "IPv6" if v6_inner else "IPv4"))

    def frame_at(self, i, ts, pkt):
        src, dst = tunnel_ends(pkt, self.client, TUNNEL4)
        if self.v6:
            payload = gre(GRE_K | GRE_S, ETH_P_IPV6, pkt, key=42, seq=i)
            return on_ethernet(src, dst, IPPROTO_GRE, payload, 0x4000 + i)
        payload = gre(GRE_C | GRE_K, ETH_P_IP, pkt, key=42)
        router_alert = b"\x94\x04\x00\x00"
        return on_ethernet(src, dst, IPPROTO_GRE, payload, 0x4000 + i,
                           router_alert)


class Pptp(_Encap):
    """PPP in enhanced GRE (RFC 2637): key = payload length and call id,
    sequence number on every frame, acknowledgment on every other one.  The
    client's side sends PPP with address and control and a 2-byte
    protocol; the far side negotiated them away (ACFC, PFC: a 1-byte
    protocol)."""

    name = "Ethernet + IPv4 enhanced GRE (PPTP) + PPP + IPv4"

    def __init__(self, client):
        self.client = client

    def frame_at(self, i, ts, pkt):
        src, dst = tunnel_ends(pkt, self.client, TUNNEL4)
        if src == TUNNEL4[0]:
            ppp = b"\xff\x03\x00\x21" + pkt
        else:
            ppp = b"\x21" + pkt
        flags = GRE_K | GRE_S | 0x0001 | (GRE_A if i % 2 else 0)
        head = struct.pack("!HHHHI", flags, GRE_P_PPP, len(ppp), 0x0100, i)
        if i % 2:
            head += struct.pack("!I", i - 1)
        return on_ethernet(src, dst, IPPROTO_GRE, head + ppp, 0x5000 + i)


class Vxlan(_Encap):
    """VXLAN (RFC 7348) between two VTEPs: the frame untagged (the VNI stands
    for the VLAN), UDP source port from the inner flow, destination 4789."""

    name = "Ethernet + IPv4 UDP 4789 VXLAN + Ethernet"
    plain = Ethernet()

    def __init__(self, client):
        self.client = client

    def frame_at(self, i, ts, pkt):
        src, dst = tunnel_ends(pkt, self.client, TUNNEL4)
        vxlan = struct.pack("!II", 0x08000000, 5025 << 8) + self.plain.frame(pkt)
        sport = 49152 + det_int("vxlan/%s" % pkt[:40].hex(), 2) % 16384
        return on_ethernet(src, dst, IPPROTO_UDP,
                           udp_datagram(src, dst, sport, VXLAN_PORT, vxlan),
                           0x6000 + i)


def mpls_labels(*labels):
    """A label stack (RFC 3032), bottom of stack on the last, TTL 64."""
    last = len(labels) - 1
    return b"".join(struct.pack("!I", label << 12 | (0x100 if k == last else 0) | 64)
                    for k, label in enumerate(labels))


LSR_MACS = (b"\x02\x00\x00\x00\x0a\x01", b"\x02\x00\x00\x00\x0a\x02")


class Mpls(_Encap):
    """MPLS between two label switches on VLAN 100: a two-label stack and the
    IPv4 packet; or (pseudowire) one label, the RFC 4385 control word with
    its sequence number and the Ethernet frame (RFC 4448)."""

    def __init__(self, pseudowire):
        self.pw = pseudowire
        self.name = ("Ethernet + 802.1Q VLAN 100 + MPLS " +
                     ("+ control word + Ethernet + 802.1Q VLAN 25" if pseudowire
                      else "(2 labels) + IPv4"))

    def frame_at(self, i, ts, pkt):
        if self.pw:
            body = (mpls_labels(3003) + struct.pack("!I", (i + 1) & 0xFFFF) +
                    VLAN25.frame(pkt))
        else:
            body = mpls_labels(1001, 2002) + pkt
        return eth(LSR_MACS[1], LSR_MACS[0], ETH_P_MPLS, body,
                   [(ETH_P_8021Q, 100)])


class Pppoe(_Encap):
    """A PPPoE session (RFC 2516) between a subscriber's router and the
    access concentrator: session 0x1234, PPP protocol 0x0021 or 0x0057."""

    name = "Ethernet + PPPoE session + PPP"

    def frame_at(self, i, ts, pkt):
        proto = 0x0057 if pkt[0] >> 4 == 6 else 0x0021
        ppp = struct.pack("!H", proto) + pkt
        body = struct.pack("!BBHH", 0x11, 0, 0x1234, len(ppp)) + ppp
        return eth(LSR_MACS[1], LSR_MACS[0], ETH_P_PPPOE_SESS, body)


class Nested(_Encap):
    """ERSPAN type II whose GRE packets cross an MPLS network: Ethernet,
    VLAN 100, one label, the outer IPv4 and GRE, ERSPAN II, the mirrored
    frame with its VLAN 25 tag."""

    name = ("Ethernet + 802.1Q VLAN 100 + MPLS + IPv4 GRE + ERSPAN type II + "
            "Ethernet + 802.1Q VLAN 25")
    erspan = Erspan(2, MIRROR4)

    def frame_at(self, i, ts, pkt):
        return eth(LSR_MACS[1], LSR_MACS[0], ETH_P_MPLS,
                   mpls_labels(4004) + self.erspan.packet_at(i, ts, pkt),
                   [(ETH_P_8021Q, 100)])


class Mirrored(Capture):
    """The packets and times of a plain scenario's capture, framed by an
    _Encap link (frame_at) instead of a plain one."""

    def __init__(self, n, plain, link):
        super().__init__(n, link)
        self.base = plain.base
        self.packets = list(plain.packets)

    def frames(self):
        return [(ts, self.link.frame_at(i, ts, pkt))
                for i, (ts, pkt) in enumerate(self.packets)]


SAME_V4 = ("the packets of slow-ptr.pcap (same times, ids and ports, not "
           "scenario %d's start time) ")
SAME_V6 = ("the packets of slow-ptr-v6.pcap (same times, ids and ports, not "
           "scenario %d's start time) ")


@scenario(37, "encap/erspan2.pcap", SAME_V4 % 37 + "mirrored by ERSPAN type "
          "II from 198.51.100.201 to 198.51.100.202, GRE sequence numbers, the "
          "frames with their VLAN 25 tag")
def s_erspan2(n):
    return Mirrored(n, s_slow_ptr(2), Erspan(2, MIRROR4))


@scenario(38, "encap/erspan3.pcap", SAME_V4 % 38 + "mirrored by ERSPAN type "
          "III over IPv6 (2001:db8:ffff::201 to ::202), the platform subheader "
          "(O flag) on every other frame")
def s_erspan3(n):
    return Mirrored(n, s_slow_ptr(2), Erspan(3, MIRROR6))


@scenario(39, "encap/erspan1.pcap", SAME_V4 % 39 + "mirrored by ERSPAN type "
          "I: the frame right after a GRE header with no flags")
def s_erspan1(n):
    return Mirrored(n, s_slow_ptr(2), Erspan(1, MIRROR4))


@scenario(40, "encap/gre-ip.pcap", SAME_V4 % 40 + "in a GRE tunnel between "
          "192.0.2.254 and 203.0.113.254: GRE checksum and key, an IPv4 "
          "router alert option on the outer header")
def s_gre_ip(n):
    return Mirrored(n, s_slow_ptr(2), GreIp(False, CLIENT_IP))


@scenario(41, "encap/gre-ip6.pcap", SAME_V6 % 41 + "in a GRE tunnel over IPv4 "
          "between 192.0.2.254 and 203.0.113.254: GRE key and sequence number")
def s_gre_ip6(n):
    return Mirrored(n, s_slow_ptr_v6(17), GreIp(True, CLIENT_IP6))


@scenario(42, "encap/pptp.pcap", SAME_V4 % 42 + "in PPTP's enhanced GRE "
          "(version 1) between 192.0.2.254 and 203.0.113.254: PPP with FF 03 "
          "and a 2-byte protocol one way, both compressed the other way, "
          "acknowledgments on every other packet")
def s_pptp(n):
    return Mirrored(n, s_slow_ptr(2), Pptp(CLIENT_IP))


@scenario(43, "encap/vxlan.pcap", SAME_V4 % 43 + "in VXLAN (VNI 5025, UDP "
          "port 4789) between 192.0.2.254 and 203.0.113.254, frames untagged")
def s_vxlan(n):
    return Mirrored(n, s_slow_ptr(2), Vxlan(CLIENT_IP))


@scenario(44, "encap/mpls.pcap", SAME_V4 % 44 + "on an MPLS link (VLAN 100, "
          "labels 1001 and 2002)")
def s_mpls(n):
    return Mirrored(n, s_slow_ptr(2), Mpls(False))


@scenario(45, "encap/mpls-pw.pcap", SAME_V4 % 45 + "in an MPLS Ethernet "
          "pseudowire (VLAN 100, label 3003, control word with sequence "
          "numbers), the frames with their VLAN 25 tag")
def s_mpls_pw(n):
    return Mirrored(n, s_slow_ptr(2), Mpls(True))


@scenario(46, "encap/pppoe.pcap", SAME_V6 % 46 + "in a PPPoE session "
          "(0x1234, PPP protocol 0x0057)")
def s_pppoe(n):
    return Mirrored(n, s_slow_ptr_v6(17), Pppoe())


@scenario(47, "encap/nested.pcap", SAME_V4 % 47 + "mirrored by ERSPAN type "
          "II whose GRE packets cross an MPLS link: VLAN 100, MPLS, IPv4, GRE, "
          "ERSPAN II, Ethernet, VLAN 25, IPv4")
def s_nested(n):
    return Mirrored(n, s_slow_ptr(2), Nested())
