#!/usr/bin/env python3
"""samplewire.py - the wire side of mxray's sample generators: the cast and
constants, packets (IPv4, IPv6, TCP, UDP, DNS messages), link layers
(Ethernet with 802.1Q / QinQ, Linux SLL, SLL2, BSD NULL, raw IP), the
Capture and TcpConn bookkeeping (timestamps, IPv4 ids and fragments, seq and
ack of both ends, segments out of order, lost or mid-way), and the pcap and
pcapng writers.  Used by gen_samples.py (through sampleparts.py and the
scenario modules), benchgen.py and gen_bad_inputs.py.

Python 3 standard library only; deterministic (no clock, no randomness).
All times are integer microseconds.
"""

import email.utils
import hashlib
import os
import socket
import struct
import sys

# --------------------------------------------------------------------------
# Cast and constants
# --------------------------------------------------------------------------

BASE_US = 1_700_000_000 * 1_000_000   # 1700000000.000000
SCENARIO_SPACING_US = 1000 * 1_000_000  # scenario N starts at base + (N-1)*1000 s

CLIENT_IP = "192.0.2.10"          # sending MTA, mail.sender.example
CLIENT_NAME = "mail.sender.example"
RESOLVER_IP = "198.51.100.53"     # recursive resolver used by both MTAs
SERVER_IP = "203.0.113.25"        # receiving MTA, mx1.example.org
SERVER_NAME = "mx1.example.org"
SERVER2_IP = "203.0.113.26"       # mx2.example.org
SERVER2_NAME = "mx2.example.org"
DOMAIN = "example.org"

# the same cast over IPv6 (documentation prefix 2001:db8::/32, RFC 3849)
CLIENT_IP6 = "2001:db8:10::10"
RESOLVER_IP6 = "2001:db8:53::53"
SERVER_IP6 = "2001:db8:25::25"

MAIL_FROM = "alice@sender.example"
RCPT_TO = "bob@example.org"
SENDER_DOMAIN = MAIL_FROM.split("@")[1]

# link types (LINKTYPE_* values as written into file headers)
LINKTYPE_NULL = 0
LINKTYPE_ETHERNET = 1
LINKTYPE_RAW = 101
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8

IPPROTO_TCP = 6
IPPROTO_UDP = 17
IPPROTO_FRAGMENT = 44   # IPv6 Fragment header

# TCP flags
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10

MSS = 1460
MAX_SEG = 1448          # payload bytes per data segment
MSS6 = MSS - 20         # over IPv6 the headers are 20 bytes longer
MAX_SEG6 = MAX_SEG - 20

CLIENT, SERVER = 0, 1   # the two ends of a TcpConn


def us(seconds=0, ms=0, micro=0):
    """Integer microseconds from whole seconds / milliseconds / microseconds."""
    return seconds * 1_000_000 + ms * 1000 + micro


def det_bytes(label, n):
    """n pseudo-random bytes, a pure function of label (SHA-256 in counter mode)."""
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.sha256(("%s/%d" % (label, counter)).encode()).digest()
        counter += 1
    return bytes(out[:n])


def det_int(label, nbytes):
    return int.from_bytes(det_bytes(label, nbytes), "big")


# --------------------------------------------------------------------------
# 1. Packet building
# --------------------------------------------------------------------------

def inet_checksum(data):
    """RFC 1071 one's-complement sum, returned complemented."""
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def ip_aton(addr):
    return socket.inet_aton(addr)


def is_v6(addr):
    return ":" in addr


def ip_bytes(addr):
    """4 or 16 bytes of an IPv4 or IPv6 address."""
    return socket.inet_pton(socket.AF_INET6, addr) if is_v6(addr) else ip_aton(addr)


def ipv6(src, dst, nh, payload, hlim=64):
    """An IPv6 packet (no extension headers, flow label 0)."""
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, hlim,
                       ip_bytes(src), ip_bytes(dst)) + payload


def reverse_name(addr):
    """The PTR name of an address: in-addr.arpa (RFC 1035) or the 32 nibbles
    under ip6.arpa (RFC 3596)."""
    if is_v6(addr):
        nibbles = ip_bytes(addr).hex()
        return ".".join(reversed(nibbles)) + ".ip6.arpa"
    return ".".join(reversed(addr.split("."))) + ".in-addr.arpa"


def ipv4(src, dst, proto, payload, ident, ttl=64, df=True, more=False, offset=0):
    """An IPv4 packet (no options) with a correct header checksum; more and
    offset (bytes) make it a fragment (RFC 791)."""
    total = 20 + len(payload)
    flags_frag = (0x4000 if df else 0) | (0x2000 if more else 0) | offset // 8
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, total, ident & 0xFFFF,
                      flags_frag, ttl, proto, 0, ip_aton(src), ip_aton(dst))
    csum = inet_checksum(hdr)
    return hdr[:10] + struct.pack("!H", csum) + hdr[12:] + payload


def _pseudo_header(src, dst, proto, length):
    if is_v6(src):          # RFC 8200 section 8.1
        return ip_bytes(src) + ip_bytes(dst) + struct.pack("!IxxxB", length, proto)
    return ip_aton(src) + ip_aton(dst) + struct.pack("!BBH", 0, proto, length)


def tcp_segment(src, dst, sport, dport, seq, ack, flags, window,
                payload=b"", options=b""):
    """A TCP header + payload with a correct checksum (options padded to 4)."""
    if len(options) % 4:
        options += b"\x00" * (4 - len(options) % 4)
    off = (20 + len(options)) // 4
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq & 0xFFFFFFFF,
                      ack & 0xFFFFFFFF, off << 4, flags, window, 0, 0) + options
    seg = hdr + payload
    csum = inet_checksum(_pseudo_header(src, dst, IPPROTO_TCP, len(seg)) + seg)
    return seg[:16] + struct.pack("!H", csum) + seg[18:]


def udp_datagram(src, dst, sport, dport, payload):
    """A UDP header + payload with a correct checksum (0 sent as 0xffff)."""
    length = 8 + len(payload)
    dgram = struct.pack("!HHHH", sport, dport, length, 0) + payload
    csum = inet_checksum(_pseudo_header(src, dst, IPPROTO_UDP, length) + dgram)
    if csum == 0:
        csum = 0xFFFF
    return dgram[:6] + struct.pack("!H", csum) + dgram[8:]


def syn_options(mss):
    """MSS, NOP, NOP, SACK-permitted."""
    return struct.pack("!BBH", 2, 4, mss) + b"\x01\x01\x04\x02"


# ---- DNS ---------------------------------------------------------------

QTYPE = {"A": 1, "NS": 2, "CNAME": 5, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28}
RCODE = {"NOERROR": 0, "SERVFAIL": 2, "NXDOMAIN": 3, "REFUSED": 5}


class DnsWriter:
    """Serialises one DNS message; names are compressed against earlier ones."""

    def __init__(self):
        self.buf = bytearray()
        self.offsets = {}   # lower-cased label tuple -> offset of its first label

    def name(self, name):
        labels = [l for l in name.rstrip(".").split(".") if l]
        for i in range(len(labels)):
            key = tuple(l.lower() for l in labels[i:])
            if key in self.offsets:
                self.buf += struct.pack("!H", 0xC000 | self.offsets[key])
                return
            if len(self.buf) < 0x4000:
                self.offsets[key] = len(self.buf)
            raw = labels[i].encode("ascii")
            assert 0 < len(raw) < 64
            self.buf += bytes([len(raw)]) + raw
        self.buf += b"\x00"

    def rdata(self, rtype, value):
        if rtype == "A":
            self.buf += ip_aton(value)
        elif rtype == "AAAA":
            self.buf += socket.inet_pton(socket.AF_INET6, value)
        elif rtype == "MX":
            pref, exchange = value
            self.buf += struct.pack("!H", pref)
            self.name(exchange)
        elif rtype in ("PTR", "CNAME", "NS"):
            self.name(value)
        elif rtype == "TXT":
            for s in (value if isinstance(value, (list, tuple)) else [value]):
                raw = s.encode()
                self.buf += bytes([len(raw)]) + raw
        else:
            raise ValueError("rdata type %s" % rtype)

    def record(self, name, rtype, ttl, value):
        self.name(name)
        self.buf += struct.pack("!HHI", QTYPE[rtype], 1, ttl)
        at = len(self.buf)
        self.buf += b"\x00\x00"
        self.rdata(rtype, value)
        struct.pack_into("!H", self.buf, at, len(self.buf) - at - 2)


def dns_message(qid, qname, qtype, response=False, answers=(), rcode="NOERROR",
                edns_udp=None):
    """A one-question DNS query or response.

    answers: sequence of (name, type, ttl, value); value is an address for
    A/AAAA, (preference, exchange) for MX, a name for PTR/CNAME/NS.
    edns_udp: if given, an OPT record (RFC 6891) advertising that UDP payload
    size ends the message.
    """
    flags = 0x0100                              # RD
    if response:
        flags |= 0x8000 | 0x0080 | RCODE[rcode]  # QR, RA
    w = DnsWriter()
    w.buf += struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0,
                         0 if edns_udp is None else 1)
    w.name(qname)
    w.buf += struct.pack("!HH", QTYPE[qtype], 1)
    for name, rtype, ttl, value in answers:
        w.record(name, rtype, ttl, value)
    if edns_udp is not None:
        w.buf += b"\x00" + struct.pack("!HHIH", 41, edns_udp, 0, 0)
    return bytes(w.buf)


# --------------------------------------------------------------------------
# 2. Link layers
# --------------------------------------------------------------------------

def mac_of(ip):
    """A locally administered MAC derived from the IP address (its last 4
    bytes for IPv6)."""
    return b"\x02\x00" + ip_bytes(ip)[-4:]


def _ip_src_dst(pkt):
    if pkt[0] >> 4 == 6:
        return (socket.inet_ntop(socket.AF_INET6, pkt[8:24]),
                socket.inet_ntop(socket.AF_INET6, pkt[24:40]))
    return socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])


def _ethertype(pkt):
    return ETH_P_IPV6 if pkt[0] >> 4 == 6 else ETH_P_IP


class Ethernet:
    """Ethernet II, optionally with VLAN tags [(tpid, vid), ...] outermost first.

    Frames are padded to the 60-byte Ethernet minimum, as a mirror port
    captures them.
    """

    linktype = LINKTYPE_ETHERNET

    def __init__(self, tags=()):
        self.tags = list(tags)
        self.name = "Ethernet" + "".join(
            " + %s VLAN %d" % ("802.1ad" if tpid == ETH_P_8021AD else "802.1Q", vid)
            for tpid, vid in self.tags)

    def frame(self, pkt):
        src, dst = _ip_src_dst(pkt)
        out = mac_of(dst) + mac_of(src)
        for tpid, vid in self.tags:
            out += struct.pack("!HH", tpid, vid & 0x0FFF)
        out += struct.pack("!H", _ethertype(pkt)) + pkt
        if len(out) < 60:
            out += b"\x00" * (60 - len(out))
        return out


PACKET_HOST, PACKET_OTHERHOST, PACKET_OUTGOING = 0, 3, 4
ARPHRD_ETHER = 1


class _Cooked:
    """Shared by SLL and SLL2: the capture was taken on capture_host."""

    def __init__(self, capture_host):
        self.capture_host = capture_host

    def pkttype(self, src, dst):
        if src == self.capture_host:
            return PACKET_OUTGOING
        if dst == self.capture_host:
            return PACKET_HOST
        return PACKET_OTHERHOST


class LinuxSLL(_Cooked):
    linktype = LINKTYPE_LINUX_SLL
    name = "Linux cooked (SLL)"

    def frame(self, pkt):
        src, dst = _ip_src_dst(pkt)
        return struct.pack("!HHH8sH", self.pkttype(src, dst), ARPHRD_ETHER, 6,
                           mac_of(src), ETH_P_IP) + pkt


class LinuxSLL2(_Cooked):
    linktype = LINKTYPE_LINUX_SLL2
    name = "Linux cooked v2 (SLL2)"
    ifindex = 2

    def frame(self, pkt):
        src, dst = _ip_src_dst(pkt)
        return struct.pack("!HHIHBB8s", ETH_P_IP, 0, self.ifindex, ARPHRD_ETHER,
                           self.pkttype(src, dst), 6, mac_of(src)) + pkt


class BsdNull:
    """DLT_NULL: 4-byte address family in the file's (little-endian) byte order."""

    linktype = LINKTYPE_NULL
    name = "BSD loopback (NULL)"
    AF_INET = 2

    def frame(self, pkt):
        return struct.pack("<I", self.AF_INET) + pkt


class RawIP:
    linktype = LINKTYPE_RAW
    name = "raw IPv4 (RAW)"

    def frame(self, pkt):
        return pkt


# --------------------------------------------------------------------------
# 3. Capture and TCP connection bookkeeping
# --------------------------------------------------------------------------

class Capture:
    """Timestamped IP packets of one scenario, strictly in time order
    (IPv4, or IPv6 when the addresses are).  snaplen: the capture's snapshot
    length if not the writer's default (frames longer are cut when written)."""

    snaplen = None

    def __init__(self, number, link):
        self.number = number
        self.link = link
        self.base = BASE_US + (number - 1) * SCENARIO_SPACING_US
        self.packets = []          # (absolute µs, IPv4 packet)
        self._ipid = {}

    def next_ipid(self, host):
        if host not in self._ipid:
            self._ipid[host] = det_int("s%d/ipid/%s" % (self.number, host), 2)
        ident = self._ipid[host]
        self._ipid[host] = (ident + 1) & 0xFFFF
        return ident

    def add(self, t, pkt):
        ts = self.base + t
        if self.packets and ts <= self.packets[-1][0]:
            raise AssertionError("scenario %d: packet at %+d µs is not after the "
                                 "previous one" % (self.number, t))
        self.packets.append((ts, pkt))
        return t

    def ip(self, t, src, dst, proto, payload, df=True):
        if is_v6(src):
            return self.add(t, ipv6(src, dst, proto, payload))
        return self.add(t, ipv4(src, dst, proto, payload, self.next_ipid(src), df=df))

    def udp_fragments(self, t, src, sport, dst, dport, payload, mtu=1500,
                      spacing=us(micro=9), reverse=False):
        """One UDP datagram too big for the MTU, as IP fragments sent spacing
        apart (last one first with reverse); returns the time of the last.
        IPv4 (RFC 791): one 16-bit IP id, offsets in 8-byte units, MF on all
        but the last.  IPv6 (RFC 8200 4.5): the same in a Fragment header
        with a 32-bit id."""
        dgram = udp_datagram(src, dst, sport, dport, payload)
        v6 = is_v6(src)
        if v6:
            ident = det_int("s%d/frag6/%d" % (self.number, t), 4)
            step = (mtu - 40 - 8) // 8 * 8
        else:
            ident = self.next_ipid(src)
            step = (mtu - 20) // 8 * 8
        pkts = []
        for off in range(0, len(dgram), step):
            part = dgram[off:off + step]
            more = off + step < len(dgram)
            if v6:
                frag = struct.pack("!BBHI", IPPROTO_UDP, 0, off | more, ident)
                pkts.append(ipv6(src, dst, IPPROTO_FRAGMENT, frag + part))
            else:
                pkts.append(ipv4(src, dst, IPPROTO_UDP, part, ident, df=False,
                                 more=more, offset=off))
        if reverse:
            pkts.reverse()
        for i, pkt in enumerate(pkts):
            last = self.add(t + i * spacing, pkt)
        return last

    def udp(self, t, src, sport, dst, dport, payload):
        return self.ip(t, src, dst, IPPROTO_UDP,
                       udp_datagram(src, dst, sport, dport, payload), df=False)

    def frames(self):
        return [(ts, self.link.frame(pkt)) for ts, pkt in self.packets]


class _End:
    def __init__(self, ip, port, isn, window):
        self.ip, self.port, self.isn, self.window = ip, port, isn, window
        self.nxt = None        # next sequence number to send (None before SYN)


class TcpConn:
    """One TCP connection; keeps seq/ack of both ends so every segment agrees.

    Every method takes the capture time t (µs) and returns the time of the
    last packet it emitted.  The ack field always covers everything the peer
    has sent so far (captures are in time order), unless told otherwise.
    """

    def __init__(self, cap, client, cport, server, sport, label,
                 cwin=64240, swin=65160):
        self.cap = cap
        self.ends = (_End(client, cport, det_int(label + "/isn/c", 4), cwin),
                     _End(server, sport, det_int(label + "/isn/s", 4), swin))
        v6 = is_v6(client)
        self.max_seg = MAX_SEG6 if v6 else MAX_SEG
        self.syn_options = syn_options(MSS6 if v6 else MSS)

    def _emit(self, t, side, flags, seq, payload=b"", ack=None, options=b"",
              window=None):
        me, peer = self.ends[side], self.ends[1 - side]
        if ack is None:
            ack = peer.nxt if (flags & ACK) else 0
        seg = tcp_segment(me.ip, peer.ip, me.port, peer.port, seq, ack, flags,
                          me.window if window is None else window, payload,
                          options)
        return self.cap.ip(t, me.ip, peer.ip, IPPROTO_TCP, seg)

    # -- handshake ------------------------------------------------------
    def syn(self, t):
        """Client SYN; calling it again retransmits the same SYN."""
        c = self.ends[CLIENT]
        c.nxt = c.isn + 1
        return self._emit(t, CLIENT, SYN, c.isn, options=self.syn_options)

    def syn_ack(self, t):
        s = self.ends[SERVER]
        s.nxt = s.isn + 1
        return self._emit(t, SERVER, SYN | ACK, s.isn, options=self.syn_options)

    def refuse(self, t):
        """Server answers the SYN with RST/ACK (port closed)."""
        return self._emit(t, SERVER, RST | ACK, 0, window=0)

    def handshake(self, t, syn_ack_after, ack_after):
        """SYN at t, SYN-ACK and ACK after the given gaps; returns (syn, synack, ack)."""
        t_syn = self.syn(t)
        t_synack = self.syn_ack(t_syn + syn_ack_after)
        t_ack = self.ack(t_synack + ack_after, CLIENT)
        return t_syn, t_synack, t_ack

    # -- data -------------------------------------------------------------
    def ack(self, t, side, upto=None):
        """A pure ACK from side (acking everything, or up to seq `upto`)."""
        me = self.ends[side]
        return self._emit(t, side, ACK, me.nxt, ack=upto)

    def send(self, t, side, data, gap=us(micro=14), peer_ack=None):
        """Send data from side in segments of at most max_seg bytes (MAX_SEG
        over IPv4).

        Every segment carries ACK; the last one of the write also PSH.
        peer_ack: if given (µs), the peer sends pure ACKs that long after it
        receives every second segment and after the last one.
        """
        me = self.ends[side]
        size = self.max_seg
        chunks = [data[i:i + size] for i in range(0, len(data), size)] or [b""]
        ends_at = []             # (time, seq after the segment)
        for i, chunk in enumerate(chunks):
            flags = ACK | (PSH if i == len(chunks) - 1 else 0)
            t = self._emit(t if i == 0 else t + gap, side, flags, me.nxt, chunk)
            me.nxt += len(chunk)
            ends_at.append((t, me.nxt))
        self.last_data_t = t
        if peer_ack is not None:
            acked = [ends_at[i] for i in range(1, len(ends_at), 2)]
            if len(ends_at) % 2:
                acked.append(ends_at[-1])
            for seg_t, upto in acked:
                t = self.ack(seg_t + peer_ack, 1 - side, upto=upto)
        return t

    # -- odd deliveries (samples/odd/): explicit sequence numbers ------------
    def established(self, client_sent, server_sent):
        """The capture starts after the handshake and after each side sent
        that many bytes: nothing is emitted, the ends just move on."""
        for side, sent in ((CLIENT, client_sent), (SERVER, server_sent)):
            me = self.ends[side]
            me.nxt = me.isn + 1 + sent

    def segment(self, t, side, offset, data, flags=ACK | PSH, ack=None):
        """A data segment at `offset` bytes past the side's current nxt (may
        be a retransmission or out of order); nxt is not changed."""
        me = self.ends[side]
        return self._emit(t, side, flags, me.nxt + offset, data, ack=ack)

    def advance(self, side, n):
        """The side has sent n more bytes (emitted with segment(), or lost)."""
        self.ends[side].nxt += n

    # -- teardown -----------------------------------------------------------
    def fin(self, t, side):
        me = self.ends[side]
        t = self._emit(t, side, FIN | ACK, me.nxt)
        me.nxt += 1
        return t

    def rst(self, t, side):
        me = self.ends[side]
        return self._emit(t, side, RST | ACK, me.nxt)

    def close(self, t, first, gap_fin, gap_ack):
        """Orderly close: first sends FIN, the other FIN/ACK, first ACKs."""
        t = self.fin(t, first)
        t = self.fin(t + gap_fin, 1 - first)
        return self.ack(t + gap_ack, first)


# --------------------------------------------------------------------------
# 4. File writers
# --------------------------------------------------------------------------

SNAPLEN = 262144


def pcap_bytes(linktype, frames, snaplen=SNAPLEN):
    """Classic little-endian pcap, microsecond timestamps (magic a1b2c3d4).

    A snaplen below a frame's length keeps its first snaplen bytes (caplen)
    and records the original length, as tcpdump -s does."""
    out = bytearray(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, snaplen,
                                linktype))
    for ts, data in frames:
        kept = data[:snaplen]
        out += struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, len(kept),
                           len(data))
        out += kept
    return bytes(out)


def _pcapng_options(opts):
    out = bytearray()
    for code, value in opts:
        out += struct.pack("<HH", code, len(value)) + value
        out += b"\x00" * (-len(value) % 4)
    if opts:
        out += struct.pack("<HH", 0, 0)        # opt_endofopt
    return bytes(out)


def _pcapng_block(btype, body):
    body += b"\x00" * (-len(body) % 4)
    total = 12 + len(body)
    return struct.pack("<II", btype, total) + body + struct.pack("<I", total)


def pcapng_bytes(linktype, frames, if_name="eth0"):
    """pcapng: one SHB, one IDB (default resolution: microseconds), EPBs."""
    shb = struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + _pcapng_options(
        [(4, b"mxray scripts/gen_samples.py")])          # shb_userappl
    idb = struct.pack("<HHI", linktype, 0, SNAPLEN) + _pcapng_options(
        [(2, if_name.encode())])                           # if_name
    out = bytearray(_pcapng_block(0x0A0D0D0A, shb) + _pcapng_block(1, idb))
    for ts, data in frames:
        epb = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(data),
                          len(data)) + data
        out += _pcapng_block(6, epb)
    return bytes(out)
