#!/usr/bin/env python3
"""gen_samples.py - write mxray's synthetic sample captures.

    python3 scripts/gen_samples.py samples

(tests/bad-input/ is written by scripts/gen_bad_inputs.py.)

Python 3 standard library only.  The output is deterministic: every
timestamp, port, sequence number, DNS id and payload byte is fixed (the few
"random looking" values come from SHA-256 of a fixed label), so two runs write
byte-identical files.

Layout of this file:
  1. packet building: checksums, IPv4, IPv6, TCP, UDP, DNS messages
  2. link layers: Ethernet (+802.1Q / QinQ), Linux SLL, SLL2, BSD NULL, raw IP
  3. Capture (timestamped IP packets, per-host IPv4 ids, IPv4 fragments) and
     TcpConn (a TCP connection that keeps seq/ack for both ends; segments
     out of order, lost or starting mid-way for samples/odd/)
  4. file writers: classic pcap (microsecond, optional short snaplen) and
     pcapng (SHB, IDB, EPB)
  5. building blocks shared by the scenarios (the IPv4 / IPv6 cast, DNS
     lookups, SMTP dialogue)
  6. one function per sample, the README, main()

A scenario's addresses decide its IP version: the IPv6 samples use the same
dialogue with the 2001:db8:: cast (Cast V6).  samples/odd/ holds captures
whose TCP streams are deliberately not whole and in order (reordered,
lossy, cut by the snaplen): tests/test_samples_split.c replays every
samples/*.pcap as a complete in-order stream.

All times inside a scenario are integer microseconds relative to the
scenario's base time; nothing uses floating point.
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


# --------------------------------------------------------------------------
# 5. Building blocks shared by the scenarios
# --------------------------------------------------------------------------

MX_ANSWERS = [(DOMAIN, "MX", 3600, (10, SERVER_NAME)),
              (DOMAIN, "MX", 3600, (20, SERVER2_NAME))]


class Cast:
    """The addresses of one scenario's hosts and the record type that maps
    names to them (A over IPv4, AAAA over IPv6)."""

    def __init__(self, client, server, resolver, addr_type):
        self.client, self.server, self.resolver = client, server, resolver
        self.addr_type = addr_type
        self.client_ptr = reverse_name(client)


V4 = Cast(CLIENT_IP, SERVER_IP, RESOLVER_IP, "A")
V6 = Cast(CLIENT_IP6, SERVER_IP6, RESOLVER_IP6, "AAAA")


class Ids:
    """Per-scenario DNS ids and UDP source ports: distinct and predictable."""

    def __init__(self, number, cast=V4):
        self.number = number
        self.client = cast.client
        self.n = {cast.client: 0, cast.server: 0}

    def next(self, asker):
        k = self.n[asker]
        self.n[asker] = k + 1
        if asker == self.client:
            return 0x4000 + self.number * 0x100 + k, 53000 + self.number * 20 + k
        return 0x8000 + self.number * 0x100 + k, 33000 + self.number * 20 + k


def udp_lookup(cap, ids, t, asker, qname, qtype, rtt, answers=(),
               retransmit_at=(), rcode="NOERROR", resolver=RESOLVER_IP,
               edns_udp=None):
    """A UDP DNS lookup from asker to the resolver.

    t: query time; rtt: response delay after the first query, or None for no
    answer; retransmit_at: delays (after the first query) of re-sent queries
    (same id, same port); edns_udp: both messages carry an OPT record.
    Returns the time of the last packet.
    """
    qid, port = ids.next(asker)
    query = dns_message(qid, qname, qtype, edns_udp=edns_udp)
    first = cap.udp(t, asker, port, resolver, 53, query)
    last = first
    for delay in retransmit_at:
        last = cap.udp(first + delay, asker, port, resolver, 53, query)
    if rtt is not None:
        resp = dns_message(qid, qname, qtype, True, answers, rcode, edns_udp)
        last = cap.udp(first + rtt, resolver, 53, asker, port, resp)
    return last


def client_mx_lookups(cap, ids, t, cast=V4):
    """The sender's MX lookup of example.org, then the A (AAAA) lookup of mx1."""
    t = udp_lookup(cap, ids, t, cast.client, DOMAIN, "MX", us(ms=18, micro=312),
                   MX_ANSWERS, resolver=cast.resolver)
    return a_of_mx1(cap, ids, t + us(micro=738), cast)


def a_of_mx1(cap, ids, t, cast=V4):
    """The sender's A (AAAA) lookup of mx1."""
    return udp_lookup(cap, ids, t, cast.client, SERVER_NAME, cast.addr_type,
                      us(ms=12, micro=527),
                      [(SERVER_NAME, cast.addr_type, 3600, cast.server)],
                      resolver=cast.resolver)


def server_client_checks(cap, ids, t, ptr_rtt=us(ms=14, micro=733),
                         a_rtt=us(ms=11, micro=209), ptr_retransmit=(), cast=V4):
    """The receiving MTA's PTR lookup of the client, then A (AAAA) of the PTR
    name."""
    t = udp_lookup(cap, ids, t, cast.server, cast.client_ptr, "PTR", ptr_rtt,
                   [(cast.client_ptr, "PTR", 3600, CLIENT_NAME)],
                   retransmit_at=ptr_retransmit, resolver=cast.resolver)
    return udp_lookup(cap, ids, t + us(micro=412), cast.server, CLIENT_NAME,
                      cast.addr_type, a_rtt,
                      [(CLIENT_NAME, cast.addr_type, 3600, cast.client)],
                      resolver=cast.resolver)


def smtp_connect(cap, number, t, cast=V4, port_offset=0, server=None):
    """The client's connection to port 25 of the cast's server (or of
    server); returns (conn, time of the client's ACK)."""
    conn = TcpConn(cap, cast.client, 40100 + number * 10 + port_offset,
                   server or cast.server, 25, "s%d/smtp%d" % (number, port_offset))
    _, _, t_ack = conn.handshake(t, us(ms=6, micro=310), us(ms=6, micro=310))
    return conn, t_ack


def lines(*ls):
    return "".join(l + "\r\n" for l in ls).encode()


def message(number, subject, body_lines, rcpts=(RCPT_TO,)):
    """RFC 5322 message as sent after DATA (dot-stuffed, with the end dot)."""
    date = email.utils.formatdate(
        (BASE_US + (number - 1) * SCENARIO_SPACING_US) // 1_000_000, usegmt=True)
    hdr = ["From: Alice <%s>" % MAIL_FROM,
           "To: " + ", ".join("<%s>" % r for r in rcpts),
           "Subject: " + subject,
           "Date: " + date,
           "Message-ID: <sample%d.4ABC123@sender.example>" % number,
           "MIME-Version: 1.0",
           "Content-Type: text/plain; charset=us-ascii",
           ""]
    stuffed = [("." + l) if l.startswith(".") else l for l in body_lines]
    return lines(*(hdr + stuffed + ["."]))


SHORT_BODY = ["Hello Bob,",
              "",
              "this is a short test message from the mxray samples.",
              "The next line starts with a dot and is dot-stuffed on the wire:",
              "..",
              "Regards,",
              "Alice"]

EHLO_POSTFIX = ["250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
                "250-8BITMIME", "250-STARTTLS", "250 SMTPUTF8"]

REPLY_MAIL = "250 2.1.0 Ok"
REPLY_RCPT = "250 2.1.5 Ok"
REPLY_DATA = "354 End data with <CR><LF>.<CR><LF>"
REPLY_QUEUED = "250 2.0.0 Ok: queued as 4ABC123"
REPLY_BYE = "221 2.0.0 Bye"
BANNER_POSTFIX = "220 mx1.example.org ESMTP Postfix"


def opening(n, link, cast=V4):
    """How most scenarios start: the sender's MX and A (AAAA) lookups, then
    its connection to mx1 523 µs after the last answer.  Returns (capture,
    ids, conn, time of the client's ACK)."""
    cap, ids = Capture(n, link), Ids(n, cast)
    t = client_mx_lookups(cap, ids, 0, cast)
    conn, t_ack = smtp_connect(cap, n, t + us(micro=523), cast)
    return cap, ids, conn, t_ack


def checks_then_banner(cap, ids, conn, t_ack, cast=V4, banner=BANNER_POSTFIX):
    """The server's PTR + A (AAAA) checks of the client 480 µs after the
    handshake, then its greeting 457 µs after the last answer.  Returns the
    time of the greeting."""
    t = server_client_checks(cap, ids, t_ack + us(micro=480), cast=cast)
    return conn.send(t + us(micro=457), SERVER, lines(banner))


def silent_server(conn, t_ack, wait=us(seconds=20)):
    """No greeting: the client FINs `wait` after its ACK, the server ACKs and
    FINs, the client ACKs.  Returns (client FIN time, last packet time)."""
    t_fin = conn.fin(t_ack + wait, CLIENT)
    t = conn.ack(t_fin + us(ms=6, micro=305), SERVER)
    t = conn.fin(t + us(micro=211), SERVER)
    return t_fin, conn.ack(t + us(ms=6, micro=298), CLIENT)


# The SMTP dialogue of the samples, one command or reply per segment, in
# pieces that the scenarios put together; each takes the time of the packet
# before it and returns that of its last one.


def smtp_ehlo_mail(conn, t, ehlo_reply=EHLO_POSTFIX):
    """EHLO, its reply, MAIL FROM; t = time of the greeting."""
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(*ehlo_reply))
    return conn.send(t + us(ms=6, micro=801), CLIENT,
                     lines("MAIL FROM:<%s>" % MAIL_FROM))


def smtp_mail_ok(conn, t):
    """The 250 to MAIL; t = time of MAIL."""
    return conn.send(t + us(ms=5, micro=234), SERVER, lines(REPLY_MAIL))


def smtp_rcpt_to_354(conn, t):
    """RCPT TO, its 250, DATA, the 354; t = time of the reply to MAIL."""
    t = conn.send(t + us(ms=6, micro=12), CLIENT, lines("RCPT TO:<%s>" % RCPT_TO))
    t = conn.send(t + us(ms=8, micro=873), SERVER, lines(REPLY_RCPT))
    t = conn.send(t + us(ms=6, micro=177), CLIENT, lines("DATA"))
    return conn.send(t + us(ms=4, micro=561), SERVER, lines(REPLY_DATA))


def smtp_to_354(conn, t, ehlo_reply=EHLO_POSTFIX):
    """EHLO .. the 354 to DATA; t = time of the greeting."""
    t = smtp_mail_ok(conn, smtp_ehlo_mail(conn, t, ehlo_reply))
    return smtp_rcpt_to_354(conn, t)


def smtp_after_body(conn, t):
    """The 250 to the end dot, QUIT, 221 and the server's close; t = time
    of the segment that ended the body."""
    t = conn.send(t + us(ms=21, micro=337), SERVER, lines(REPLY_QUEUED))
    t = conn.send(t + us(ms=6, micro=420), CLIENT, lines("QUIT"))
    t = conn.send(t + us(ms=4, micro=3), SERVER, lines(REPLY_BYE))
    return conn.close(t + us(micro=150), SERVER, us(ms=6, micro=200),
                      us(ms=5, micro=900))


def smtp_body_to_close(conn, t, body):
    """The message (body, as message() makes it), then smtp_after_body; t =
    time of the 354."""
    return smtp_after_body(conn, conn.send(t + us(ms=6, micro=650), CLIENT, body))


def smtp_rcpt_to_close(conn, t, body):
    """RCPT .. QUIT and the server's close; t = time of the reply to MAIL."""
    return smtp_body_to_close(conn, smtp_rcpt_to_354(conn, t), body)


def smtp_delivery(conn, t, ehlo_reply, body):
    """EHLO .. QUIT and the server's close; t = time of the greeting."""
    return smtp_body_to_close(conn, smtp_to_354(conn, t, ehlo_reply), body)


# --------------------------------------------------------------------------
# 6. Scenarios
# --------------------------------------------------------------------------

SCENARIOS = []   # (number, file name, "pcap" or "pcapng", function, description)


def scenario(number, filename, description, fmt="pcap"):
    def register(fn):
        SCENARIOS.append((number, filename, fmt, fn, description))
        return fn
    return register


@scenario(1, "normal.pcap", "happy path: MX + A lookups, handshake, PTR + A "
          "checks by the server, banner after 27 ms, one message delivered, QUIT")
def s_normal(n, cast=V4, subject="Test message"):
    cap, ids, conn, t_ack = opening(n, Ethernet(), cast)
    t = checks_then_banner(cap, ids, conn, t_ack, cast)
    smtp_delivery(conn, t, EHLO_POSTFIX, message(n, subject, SHORT_BODY))
    return cap


@scenario(2, "slow-ptr.pcap", "banner held back 4.03 s: the server's PTR query "
          "is retransmitted at +2 s and answered at +4 s, then delivery as usual")
def s_slow_ptr(n, cast=V4):
    cap, ids, conn, t_ack = opening(n, Ethernet([(ETH_P_8021Q, 25)]), cast)
    server_client_checks(cap, ids, t_ack + us(ms=10), ptr_rtt=us(seconds=4),
                         a_rtt=us(ms=10), ptr_retransmit=[us(seconds=2)],
                         cast=cast)
    # PTR at ack+0.010, re-sent at ack+2.010, answered at ack+4.010; A query
    # 412 µs later, answered 10 ms after that; banner at exactly ack+4.030.
    t = conn.send(t_ack + us(seconds=4, ms=30), SERVER, lines(BANNER_POSTFIX))
    ehlo = ["250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
            "250-VRFY", "250-ETRN", "250-ENHANCEDSTATUSCODES", "250-8BITMIME",
            "250-DSN", "250 SMTPUTF8"]
    smtp_delivery(conn, t, ehlo, message(n, "Slow banner test", SHORT_BODY))
    return cap


@scenario(3, "no-banner.pcap", "seed 004: handshake completes but the server "
          "never sends a greeting (no DNS by the server either); client FINs 30 s "
          "after its ACK")
def s_no_banner(n):
    cap, _, conn, t_ack = opening(n, LinuxSLL(capture_host=CLIENT_IP))
    silent_server(conn, t_ack, wait=us(seconds=30))
    return cap


@scenario(4, "gave-up.pcap", "the server's PTR query is never answered (sent "
          "+0.001 s, re-sent +5 s); the client resets 10 s after its ACK, no banner")
def s_gave_up(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    # PTR at ack+0.001 s, re-sent at ack+5.000 s, never answered
    udp_lookup(cap, ids, t_ack + us(ms=1), SERVER_IP, V4.client_ptr, "PTR", None,
               retransmit_at=[us(seconds=5) - us(ms=1)])
    conn.rst(t_ack + us(seconds=10), CLIENT)
    return cap


@scenario(5, "data-stall.pcap", "message body (3 segments) and end dot are "
          "TCP-ACKed but never answered; client FINs 45 s later, server ACKs "
          "then resets")
def s_data_stall(n):
    cap, ids, conn, t_ack = opening(n, LinuxSLL2(capture_host=CLIENT_IP))
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = smtp_to_354(conn, t, [
        "250-mx1.example.org", "250-PIPELINING", "250-SIZE 52428800",
        "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250 CHUNKING"])
    body = ["Hello Bob,", "", "the attached report follows inline."] + [
        "%02d: mxray sample line, long enough to fill three TCP segments. %s"
        % (i, "0123456789" * 2) for i in range(1, 32)] + ["..", "Alice"]
    data = message(n, "Quarterly report", body)
    assert 2896 < len(data) <= 3 * MAX_SEG, len(data)
    conn.send(t + us(ms=6, micro=650), CLIENT, data, peer_ack=us(ms=6, micro=2))
    t_dot = conn.last_data_t                   # the segment ending in ".\r\n"
    t = conn.fin(t_dot + us(seconds=45), CLIENT)
    t = conn.ack(t + us(ms=6, micro=110), SERVER)
    conn.rst(t + us(micro=905), SERVER)
    return cap


@scenario(6, "xexch50-stall.pcap", "seed 003: Exchange XEXCH50 1124-byte blob "
          "is TCP-ACKed but never answered; client FINs 60 s later")
def s_xexch50(n):
    cap, ids, conn, t_ack = opening(n, Ethernet([(ETH_P_8021AD, 100),
                                                 (ETH_P_8021Q, 25)]))
    t = server_client_checks(cap, ids, t_ack + us(micro=480))
    t = conn.send(t + us(ms=1, micro=120), SERVER,
                  lines("220 mx1.example.org Microsoft ESMTP MAIL Service ready"))
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=3, micro=870), SERVER, lines(
        "250-mx1.example.org Hello [192.0.2.10]", "250-TURN", "250-SIZE",
        "250-ETRN", "250-PIPELINING", "250-DSN", "250-ENHANCEDSTATUSCODES",
        "250-8bitmime", "250-BINARYMIME", "250-CHUNKING", "250-VRFY",
        "250-X-EXPS GSSAPI NTLM LOGIN", "250-X-EXPS=LOGIN",
        "250-AUTH GSSAPI NTLM LOGIN", "250-AUTH=LOGIN", "250-X-LINK2STATE",
        "250-XEXCH50", "250 OK"))
    t = conn.send(t + us(ms=6, micro=640), CLIENT, lines(
        "MAIL FROM:<%s> SIZE=2318" % MAIL_FROM, "RCPT TO:<%s>" % RCPT_TO))
    t = conn.send(t + us(ms=9, micro=415), SERVER, lines(
        "250 2.1.0 %s....Sender OK" % MAIL_FROM, "250 2.1.5 %s " % RCPT_TO))
    t = conn.send(t + us(ms=6, micro=233), CLIENT, lines("XEXCH50 1124 2"))
    t = conn.send(t + us(ms=3, micro=902), SERVER, lines("354 Send binary data"))
    conn.send(t + us(ms=6, micro=180), CLIENT, xexch50_blob(),
              peer_ack=us(ms=40, micro=211))
    t = conn.fin(conn.last_data_t + us(seconds=60), CLIENT)
    t = conn.fin(t + us(ms=6, micro=77), SERVER)
    conn.ack(t + us(ms=6, micro=301), CLIENT)
    return cap


def xexch50_blob():
    """1124 bytes of binary MAPI-ish data with NULs and an embedded CRLF.CRLF."""
    blob = bytearray(det_bytes("xexch50-blob", 1124))
    blob[0:16] = b"\x02\x00\x00\x00\x00\x00\x00\x00\x4d\x44\x42\x45\x46\x00\x00\x01"
    blob[100:108] = b"\x00" * 8
    blob[512:517] = b"\r\n.\r\n"
    blob[1100:1124] = b"\x00\x00\x00\x00" + b"\x1f\x00\x37\x00" * 5
    assert len(blob) == 1124
    return bytes(blob)


@scenario(7, "pipelining.pcap", "PIPELINING: MAIL, 3 x RCPT and DATA in one "
          "client segment, the five replies in one server segment")
def s_pipelining(n):
    cap, ids, conn, t_ack = opening(n, RawIP())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(
        "250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
        "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250 DSN"))
    rcpts = ["bob@example.org", "carol@example.org", "dave@example.org"]
    t = conn.send(t + us(ms=6, micro=801), CLIENT, lines(
        "MAIL FROM:<%s>" % MAIL_FROM, *["RCPT TO:<%s>" % r for r in rcpts]
        + ["DATA"]))
    t = conn.send(t + us(ms=12, micro=48), SERVER, lines(
        REPLY_MAIL, REPLY_RCPT, REPLY_RCPT, REPLY_RCPT, REPLY_DATA))
    body = ["Hello all,", "", "one message, three recipients, one round trip.",
            "..", "Alice"]
    t = conn.send(t + us(ms=6, micro=650), CLIENT, message(n, "Pipelined", body, rcpts))
    t = conn.send(t + us(ms=24, micro=990), SERVER, lines(REPLY_QUEUED))
    t = conn.send(t + us(ms=6, micro=420), CLIENT, lines("QUIT"))
    t = conn.send(t + us(ms=4, micro=3), SERVER, lines(REPLY_BYE))
    conn.close(t + us(ms=6, micro=300), CLIENT, us(ms=6, micro=80), us(ms=5, micro=950))
    return cap


# ---- TLS records (opaque, but well-formed enough for dissectors) ---------

def tls_record(ctype, body, version=0x0303):
    return struct.pack("!BHH", ctype, version, len(body)) + body


def tls_handshake(htype, body):
    return bytes([htype]) + len(body).to_bytes(3, "big") + body


def _ext(etype, body):
    return struct.pack("!HH", etype, len(body)) + body


def tls_client_hello():
    """A TLS 1.3 ClientHello in a 517-byte record (16 03 01 02 00 ...)."""
    sni = SERVER_NAME.encode()
    suites = [0x1301, 0x1302, 0x1303, 0xC02B, 0xC02F, 0xC02C, 0xC030, 0xCCA9,
              0xCCA8, 0xC013, 0xC014, 0x009C, 0x009D, 0x002F, 0x0035]
    sigalgs = [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0804, 0x0805, 0x0806,
               0x0401, 0x0501, 0x0601]
    exts = (_ext(0, struct.pack("!HBH", len(sni) + 3, 0, len(sni)) + sni)
            + _ext(11, b"\x01\x00")
            + _ext(10, struct.pack("!HHHH", 6, 0x001D, 0x0017, 0x0018))
            + _ext(35, b"") + _ext(22, b"") + _ext(23, b"")
            + _ext(13, struct.pack("!H%dH" % len(sigalgs), 2 * len(sigalgs), *sigalgs))
            + _ext(43, b"\x04\x03\x04\x03\x03")
            + _ext(45, b"\x01\x01")
            + _ext(51, struct.pack("!HHH", 36, 0x001D, 32) + det_bytes("tls/c-share", 32)))
    head = (b"\x03\x03" + det_bytes("tls/c-random", 32)
            + b"\x20" + det_bytes("tls/session-id", 32)
            + struct.pack("!H%dH" % len(suites), 2 * len(suites), *suites)
            + b"\x01\x00")
    # pad so that the record body is 512 bytes: 4 (handshake hdr) + head +
    # 2 (extensions length) + exts + 4 (padding ext hdr) + pad
    pad = 512 - 4 - len(head) - 2 - len(exts) - 4
    assert pad >= 0
    exts += _ext(21, b"\x00" * pad)
    hello = tls_handshake(1, head + struct.pack("!H", len(exts)) + exts)
    rec = tls_record(0x16, hello, version=0x0301)
    assert len(rec) == 517
    return rec


def tls_server_flight():
    """ServerHello, ChangeCipherSpec, then the encrypted handshake records."""
    exts = (_ext(43, b"\x03\x04")
            + _ext(51, struct.pack("!HH", 0x001D, 32) + det_bytes("tls/s-share", 32)))
    sh = tls_handshake(2, b"\x03\x03" + det_bytes("tls/s-random", 32)
                       + b"\x20" + det_bytes("tls/session-id", 32)
                       + struct.pack("!HB", 0x1301, 0)
                       + struct.pack("!H", len(exts)) + exts)
    out = tls_record(0x16, sh) + tls_record(0x14, b"\x01")
    # EncryptedExtensions, Certificate, CertificateVerify, Finished
    for i, plain_len in enumerate([6, 1933, 264, 36]):
        out += tls_appdata("tls/s-hs%d" % i, plain_len)
    return out


def tls_appdata(label, plain_len):
    """An encrypted TLS 1.3 record: plaintext + content type + 16-byte tag."""
    return tls_record(0x17, det_bytes(label, plain_len + 1 + 16))


@scenario(8, "starttls.pcap", "STARTTLS accepted (220 2.0.0), then TLS 1.3 "
          "records only: ClientHello, server flight in two segments, app data")
def s_starttls(n):
    cap, ids, conn, t_ack = opening(n, BsdNull())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(
        "250-mx1.example.org", "250-PIPELINING", "250-SIZE 10240000",
        "250-STARTTLS", "250-ENHANCEDSTATUSCODES", "250-8BITMIME", "250-DSN",
        "250 SMTPUTF8"))
    t = conn.send(t + us(ms=6, micro=801), CLIENT, lines("STARTTLS"))
    t = conn.send(t + us(ms=3, micro=11), SERVER, lines("220 2.0.0 Ready to start TLS"))
    t = conn.send(t + us(ms=7, micro=402), CLIENT, tls_client_hello())
    t = conn.send(t + us(ms=9, micro=838), SERVER, tls_server_flight())
    t = conn.send(t + us(ms=8, micro=125), CLIENT,
                  tls_record(0x14, b"\x01") + tls_appdata("tls/c-fin", 36))
    # the SMTP dialogue, encrypted: (client plaintext, server plaintext) sizes
    exchanges = [("EHLO", 26, 200), ("MAIL", 34, 14), ("RCPT", 26, 14),
                 ("DATA", 6, 37), ("body", 402, 33), ("QUIT", 6, 15)]
    for i, (what, c_len, s_len) in enumerate(exchanges):
        t = conn.send(t + us(ms=6, micro=300 + 17 * i), CLIENT,
                      tls_appdata("tls/c-%s" % what, c_len))
        t = conn.send(t + us(ms=5, micro=100 + 29 * i), SERVER,
                      tls_appdata("tls/s-%s" % what, s_len))
    # close_notify alerts (encrypted), then FIN both ways, client first
    t = conn.send(t + us(ms=6, micro=212), CLIENT, tls_appdata("tls/c-close", 2))
    t = conn.fin(t + us(micro=40), CLIENT)
    t = conn.send(t + us(ms=6, micro=95), SERVER, tls_appdata("tls/s-close", 2))
    t = conn.fin(t + us(micro=38), SERVER)
    conn.ack(t + us(ms=6, micro=140), CLIENT)
    return cap


@scenario(9, "dns-tcp.pcap", "pcapng; the client's MX and A lookups go over "
          "one TCP connection to the resolver (query length split from the "
          "message), then a normal delivery", fmt="pcapng")
def s_dns_tcp(n):
    cap, ids = Capture(n, Ethernet()), Ids(n)
    dns = TcpConn(cap, CLIENT_IP, 45000 + n, RESOLVER_IP, 53, "s%d/dns" % n)
    _, _, t = dns.handshake(0, us(ms=7, micro=20), us(ms=7, micro=20))
    qid, _ = ids.next(CLIENT_IP)
    q = dns_message(qid, DOMAIN, "MX")
    t = dns.send(t + us(micro=85), CLIENT, struct.pack("!H", len(q)))
    t = dns.send(t + us(micro=31), CLIENT, q)
    r = dns_message(qid, DOMAIN, "MX", True, MX_ANSWERS)
    t = dns.send(t + us(ms=21, micro=407), SERVER, struct.pack("!H", len(r)) + r)
    qid, _ = ids.next(CLIENT_IP)
    q = dns_message(qid, SERVER_NAME, "A")
    t = dns.send(t + us(micro=690), CLIENT, struct.pack("!H", len(q)) + q)
    r = dns_message(qid, SERVER_NAME, "A", True,
                    [(SERVER_NAME, "A", 3600, SERVER_IP)])
    t = dns.send(t + us(ms=13, micro=66), SERVER, struct.pack("!H", len(r)) + r)
    t = dns.close(t + us(micro=310), CLIENT, us(ms=7, micro=3), us(ms=7, micro=11))
    conn, t_ack = smtp_connect(cap, n, t + us(micro=902))
    t = checks_then_banner(cap, ids, conn, t_ack)
    smtp_delivery(conn, t, EHLO_POSTFIX, message(n, "DNS over TCP", SHORT_BODY))
    return cap


@scenario(10, "syn-unanswered.pcap", "SYNs to mx1 at t, t+1, t+3, t+7 never "
          "answered; the client then looks up mx2 and is refused (RST/ACK)")
def s_syn_unanswered(n):
    cap, ids = Capture(n, Ethernet()), Ids(n)
    t = client_mx_lookups(cap, ids, 0)
    conn = TcpConn(cap, CLIENT_IP, 40100 + n * 10, SERVER_IP, 25, "s%d/smtp0" % n)
    t0 = t + us(micro=523)
    for delay in (0, 1, 3, 7):
        conn.syn(t0 + us(seconds=delay))
    t = udp_lookup(cap, ids, t0 + us(seconds=15), CLIENT_IP, SERVER2_NAME, "A",
                   us(ms=11, micro=804), [(SERVER2_NAME, "A", 3600, SERVER2_IP)])
    conn2 = TcpConn(cap, CLIENT_IP, 40100 + n * 10 + 1, SERVER2_IP, 25,
                    "s%d/smtp1" % n)
    t = conn2.syn(t + us(micro=498))
    conn2.refuse(t + us(ms=6, micro=288))
    return cap


# ---- MX failover, envelope checks, SMTP-fixup firewalls, tarpits -----------

BANNER_MX2 = "220 mx2.example.org ESMTP Postfix"
EHLO_MX2 = ["250-mx2.example.org", "250-PIPELINING", "250-SIZE 10240000",
            "250-8BITMIME", "250-STARTTLS", "250 SMTPUTF8"]


class IdsMx2(Ids):
    """Ids that also number the lookups of mx2 (203.0.113.26) as asker."""

    def __init__(self, number):
        super().__init__(number)
        self.n[SERVER2_IP] = 0

    def next(self, asker):
        if asker != SERVER2_IP:
            return super().next(asker)
        k = self.n[asker]
        self.n[asker] = k + 1
        return 0xA000 + self.number * 0x100 + k, 35000 + self.number * 20 + k


def mx2_client_checks(cap, ids, t):
    """mx2's PTR lookup of the client, then A of the PTR name."""
    t = udp_lookup(cap, ids, t, SERVER2_IP, V4.client_ptr, "PTR", us(ms=9, micro=617),
                   [(V4.client_ptr, "PTR", 3600, CLIENT_NAME)])
    return udp_lookup(cap, ids, t + us(micro=388), SERVER2_IP, CLIENT_NAME, "A",
                      us(ms=10, micro=942), [(CLIENT_NAME, "A", 3600, CLIENT_IP)])


@scenario(11, "no-failover.pcap", "seed 004 repeated: one MX lookup (10 mx1, "
          "20 mx2), then three attempts, each an A lookup of mx1 and a "
          "connection to mx1 from a new port; every handshake completes, no "
          "banner, the client FINs 20 s after its ACK and tries mx1 again 5 s "
          "after its FIN, never mx2")
def s_no_failover(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    for attempt in (1, 2):
        t_fin, _ = silent_server(conn, t_ack)
        t = a_of_mx1(cap, ids, t_fin + us(seconds=5))
        conn, t_ack = smtp_connect(cap, n, t + us(micro=523), port_offset=attempt)
    silent_server(conn, t_ack)
    return cap


@scenario(12, "failover.pcap", "MX lookup (10 mx1, 20 mx2), A mx1, handshake "
          "with mx1 but no banner, the client FINs 20 s after its ACK; then A "
          "mx2, connection to mx2 (203.0.113.26), mx2's PTR + A checks, banner "
          "after 22 ms, one message delivered")
def s_failover(n):
    cap, ids = Capture(n, Ethernet()), IdsMx2(n)
    t = client_mx_lookups(cap, ids, 0)
    conn, t_ack = smtp_connect(cap, n, t + us(micro=523))
    _, t = silent_server(conn, t_ack)
    t = udp_lookup(cap, ids, t + us(ms=1, micro=204), CLIENT_IP, SERVER2_NAME, "A",
                   us(ms=11, micro=804), [(SERVER2_NAME, "A", 3600, SERVER2_IP)])
    conn2, t_ack = smtp_connect(cap, n, t + us(micro=498), port_offset=1,
                                server=SERVER2_IP)
    t = mx2_client_checks(cap, ids, t_ack + us(micro=480))
    t = conn2.send(t + us(micro=457), SERVER, lines(BANNER_MX2))
    smtp_delivery(conn2, t, EHLO_MX2, message(n, "Failover test", SHORT_BODY))
    return cap


SPF_RECORD = "v=spf1 ip4:192.0.2.10 -all"


@scenario(13, "slow-spf.pcap", "after MAIL FROM:<alice@sender.example> the "
          "server asks TXT sender.example (SPF) at +0.8 ms, answered 3.000 s "
          "later; the 250 to MAIL comes 3.010 s after MAIL, then delivery as "
          "usual")
def s_slow_spf(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t_mail = smtp_ehlo_mail(conn, t)
    # the SPF lookup, with the server's delayed ACK of MAIL while it waits
    qid, port = ids.next(SERVER_IP)
    t_q = cap.udp(t_mail + us(micro=812), SERVER_IP, port, RESOLVER_IP, 53,
                  dns_message(qid, SENDER_DOMAIN, "TXT"))
    conn.ack(t_mail + us(ms=40), SERVER)
    cap.udp(t_q + us(seconds=3), RESOLVER_IP, 53, SERVER_IP, port,
            dns_message(qid, SENDER_DOMAIN, "TXT", True,
                        [(SENDER_DOMAIN, "TXT", 3600, SPF_RECORD)]))
    t = conn.send(t_mail + us(seconds=3, ms=10), SERVER, lines(REPLY_MAIL))
    smtp_rcpt_to_close(conn, t, message(n, "Slow SPF test", SHORT_BODY))
    return cap


@scenario(14, "masked-banner.pcap", "SMTP-fixup firewall: the greeting is "
          "\"220 ****************************\", EHLO gets 500 5.5.1 Command "
          "unrecognized: \"XXXX ****\", the client falls back to HELO and "
          "delivers one message")
def s_masked_banner(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack, banner="220 " + "*" * 28)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=2, micro=880), SERVER,
                  lines('500 5.5.1 Command unrecognized: "XXXX ****"'))
    t = conn.send(t + us(ms=6, micro=412), CLIENT, lines("HELO " + CLIENT_NAME))
    t = conn.send(t + us(ms=3, micro=95), SERVER, lines("250 mx1.example.org"))
    t = conn.send(t + us(ms=6, micro=801), CLIENT, lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    smtp_rcpt_to_close(conn, t, message(n, "Masked banner test", SHORT_BODY))
    return cap


@scenario(15, "tarpit.pcap", "tarpit: banner 30 ms after the handshake, then "
          "every server reply (EHLO, MAIL, RCPT, 354 to DATA, 250 to the dot, "
          "QUIT) exactly 3 s after its command, which the server ACKs after "
          "40 ms; no DNS by the server after the banner")
def s_tarpit(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    server_client_checks(cap, ids, t_ack + us(micro=480))
    t = conn.send(t_ack + us(ms=30), SERVER, lines(BANNER_POSTFIX))
    exchanges = [(lines("EHLO " + CLIENT_NAME), lines(*EHLO_POSTFIX)),
                 (lines("MAIL FROM:<%s>" % MAIL_FROM), lines(REPLY_MAIL)),
                 (lines("RCPT TO:<%s>" % RCPT_TO), lines(REPLY_RCPT)),
                 (lines("DATA"), lines(REPLY_DATA)),
                 (message(n, "Tarpit test", SHORT_BODY), lines(REPLY_QUEUED)),
                 (lines("QUIT"), lines(REPLY_BYE))]
    for command, reply in exchanges:
        conn.send(t + us(ms=6, micro=523), CLIENT, command, peer_ack=us(ms=40))
        t = conn.send(conn.last_data_t + us(seconds=3), SERVER, reply)
    conn.close(t + us(micro=150), SERVER, us(ms=6, micro=200), us(ms=5, micro=900))
    return cap


# ---- IPv6: the same dialogues as normal.pcap and slow-ptr.pcap -------------

@scenario(16, "normal-v6.pcap", "normal.pcap over IPv6: MX + AAAA lookups, "
          "handshake, the server's PTR lookup of the client's ip6.arpa name "
          "+ AAAA of the PTR name, banner after 27 ms, one message delivered, "
          "QUIT")
def s_normal_v6(n):
    return s_normal(n, V6)


@scenario(17, "slow-ptr-v6.pcap", "slow-ptr.pcap over IPv6: banner held back "
          "4.03 s: the server's PTR query of the client's ip6.arpa name is "
          "retransmitted at +2 s and answered at +4 s, AAAA of the PTR name "
          "10 ms, then delivery as usual")
def s_slow_ptr_v6(n):
    return s_slow_ptr(n, V6)


# ---- odd but honest captures ------------------------------------------------

def long_body(nlines):
    """Body lines of a longer message (71 bytes each on the wire)."""
    return ["Hello Bob,", ""] + [
        "%03d: a longer mxray sample message, several TCP segments long. %s"
        % (i, "abcdef") for i in range(1, nlines + 1)] + ["..", "Alice"]


def play(conn, t, side, data, plan):
    """Send data from side as the plan says, one step after another:
    (delay, "seg", start, end) emits data[start:end] at that offset (PSH when
    it ends the data), (delay, "lost", start, end) emits nothing (the
    capture missed it), (delay, "ack", upto) is a pure ACK from the peer of
    data[:upto].  Delays are from the previous step.  Returns the time of
    the last packet; conn.last_data_t is that of the last data segment."""
    base = conn.ends[side].nxt
    for step in plan:
        t += step[0]
        if step[1] == "ack":
            conn.ack(t, 1 - side, upto=base + step[2])
        elif step[1] == "seg":
            start, end = step[2], step[3]
            flags = ACK | (PSH if end == len(data) else 0)
            conn.segment(t, side, start, data[start:end], flags=flags)
            conn.last_data_t = t
    conn.advance(side, len(data))
    return t


def reorder_plan(size):
    """The 5 KB body of reorder.pcap: four segments' worth of bytes.  In the
    capture the second segment comes before the first (the receiver answers
    with a duplicate ACK), then the second is retransmitted (a spurious
    retransmission: a duplicate), and after the third a re-packetised
    retransmission covers its second half and 724 new bytes."""
    s = MAX_SEG
    return [(0, "seg", s, 2 * s),                       # segment 2 first
            (us(micro=180), "ack", 0),                  # duplicate ACK
            (us(micro=30), "seg", 0, s),                # segment 1
            (us(micro=170), "ack", 2 * s),
            (us(micro=20), "seg", s, 2 * s),            # duplicate of segment 2
            (us(micro=180), "ack", 2 * s),              # D-SACK duplicate ACK
            (us(micro=30), "seg", 2 * s, 3 * s),        # segment 3
            (us(micro=14), "seg", 2 * s + s // 2, 3 * s + s // 2),  # half old, half new
            (us(micro=366), "ack", 3 * s + s // 2),
            (us(micro=30), "seg", 3 * s + s // 2, size)]  # the rest and the dot


@scenario(18, "odd/reorder.pcap", "a normal delivery whose 5 KB DATA body "
          "(5236 bytes) arrives out of order: segment 2 before segment 1 "
          "(duplicate ACK), segment 2 sent again (a duplicate), and a "
          "retransmission covering the second half of segment 3 and 724 new "
          "bytes; no byte is missing")
def s_reorder(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = smtp_to_354(conn, checks_then_banner(cap, ids, conn, t_ack))
    data = message(n, "Reordered segments", long_body(70))
    assert len(data) == 5236 and 3 * MAX_SEG + MAX_SEG // 2 < len(data) <= 4 * MAX_SEG
    play(conn, t + us(ms=6, micro=650), CLIENT, data,
         reorder_plan(len(data)))
    smtp_after_body(conn, conn.last_data_t)
    return cap


@scenario(19, "odd/lost-segment.pcap", "two deliveries with segments the "
          "capture missed: in the first the second of four client segments of "
          "the DATA body (1448 bytes) is missing, the server's ACKs cover it, "
          "then the end dot, 250, QUIT; in the second (port +1) the client's "
          "\"RCPT TO:<bob@example.org>\" segment is missing, the server ACKs it "
          "with its 250 2.1.5 reply, then DATA and the rest as usual")
def s_lost_segment(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = smtp_to_354(conn, checks_then_banner(cap, ids, conn, t_ack))
    data = message(n, "Lost segment", long_body(62))
    s = MAX_SEG
    assert 3 * s < len(data) <= 4 * s, len(data)
    # the receiver ACKs every second segment, 6 ms after it
    play(conn, t + us(ms=6, micro=650), CLIENT, data,
         [(0, "seg", 0, s), (us(micro=14), "lost", s, 2 * s),
          (us(micro=14), "seg", 2 * s, 3 * s),
          (us(micro=14), "seg", 3 * s, len(data)),
          (us(ms=5, micro=974), "ack", 2 * s),
          (us(micro=14), "ack", len(data))])
    t = smtp_after_body(conn, conn.last_data_t)

    conn2, t_ack = smtp_connect(cap, n, t + us(seconds=5), port_offset=1)
    t = checks_then_banner(cap, ids, conn2, t_ack)
    t = smtp_mail_ok(conn2, smtp_ehlo_mail(conn2, t))
    conn2.advance(CLIENT, len(lines("RCPT TO:<%s>" % RCPT_TO)))  # not captured
    t = conn2.send(t + us(ms=6, micro=12) + us(ms=8, micro=873), SERVER,
                   lines(REPLY_RCPT))
    t = conn2.send(t + us(ms=6, micro=177), CLIENT, lines("DATA"))
    t = conn2.send(t + us(ms=4, micro=561), SERVER, lines(REPLY_DATA))
    smtp_body_to_close(conn2, t, message(n, "Lost RCPT segment", SHORT_BODY))
    return cap


@scenario(20, "midstream.pcap", "the capture starts inside a session: its "
          "first packet is the client's MAIL FROM (no handshake, greeting or "
          "EHLO captured), then RCPT, DATA, the body, QUIT and the close; 5 s "
          "later a second session (with MX + A and PTR + A lookups) whose "
          "capture ends after the 250 to RCPT, without FIN")
def s_midstream(n):
    cap, ids = Capture(n, Ethernet()), Ids(n)
    conn = TcpConn(cap, CLIENT_IP, 40100 + n * 10, SERVER_IP, 25, "s%d/smtp0" % n)
    conn.established(len(lines("EHLO " + CLIENT_NAME)),
                     len(lines(BANNER_POSTFIX)) + len(lines(*EHLO_POSTFIX)))
    t = conn.send(0, CLIENT, lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    t = smtp_rcpt_to_close(conn, t, message(n, "Mid-stream start", SHORT_BODY))

    t = client_mx_lookups(cap, ids, t + us(seconds=5))
    conn2, t_ack = smtp_connect(cap, n, t + us(micro=523), port_offset=1)
    t = checks_then_banner(cap, ids, conn2, t_ack)
    t = smtp_mail_ok(conn2, smtp_ehlo_mail(conn2, t))
    t = conn2.send(t + us(ms=6, micro=12), CLIENT, lines("RCPT TO:<%s>" % RCPT_TO))
    conn2.send(t + us(ms=8, micro=873), SERVER, lines(REPLY_RCPT))
    return cap


SNAPLEN_SHORT = 96


@scenario(21, "odd/snaplen.pcap", "the normal.pcap dialogue captured with "
          "snaplen 96 (tcpdump -s 96): every frame longer than 96 bytes keeps "
          "its first 96 (42 bytes of TCP payload, 54 of DNS) with its "
          "original length recorded: the EHLO reply, the body and the longer "
          "DNS responses are cut; the greeting (35 bytes) fits")
def s_snaplen(n):
    cap = s_normal(n, subject="Short snaplen")
    cap.snaplen = SNAPLEN_SHORT
    return cap


def offloaded(pkt):
    """pkt with the TCP or UDP checksum as a NIC with checksum offload leaves
    it in a capture taken on the sender: the pseudo-header sum, not the
    checksum (the IPv4 header checksum stays right)."""
    ihl = (pkt[0] & 0x0F) * 4
    proto, src, dst = pkt[9], socket.inet_ntoa(pkt[12:16]), socket.inet_ntoa(pkt[16:20])
    at = ihl + (16 if proto == IPPROTO_TCP else 6)
    partial = ~inet_checksum(_pseudo_header(src, dst, proto, len(pkt) - ihl)) & 0xFFFF
    assert partial not in (0, struct.unpack_from("!H", pkt, at)[0])
    return pkt[:at] + struct.pack("!H", partial) + pkt[at + 2:]


@scenario(22, "badcsum.pcap", "the packets of normal.pcap (same times, ids "
          "and ports, not scenario 22's start time) with every TCP and UDP "
          "checksum wrong, as a capture on a host with checksum offload has "
          "them (the pseudo-header sum in place of the checksum)")
def s_badcsum(n):
    src = s_normal(1)
    cap = Capture(n, src.link)
    cap.base = src.base
    for ts, pkt in src.packets:
        cap.add(ts - cap.base, offloaded(pkt))
    return cap


LONG_SUFFIX = ("outbound-relay-pool-eu-west-1a.delivery-cluster-0007."
               "secondary-datacenter-frankfurt-rack-b12."
               "mail-infrastructure-with-a-deliberately-long-label-0042.sender.example")
LONG_PTR_NAME = "mta-0042-egress-node-17." + LONG_SUFFIX
LONG_CNAME = "anycast-frontends-and-load-balancers-for-outbound-mail." + LONG_SUFFIX
POOL_SIZE = 60
# a long SPF record is split into character-strings (RFC 7208 3.3)
SPF_STRINGS = [["v=spf1 a:%s" % LONG_CNAME,
                " ip4:192.0.2.0/24 include:_spf.sender.example -all"]] + [
    "verification-token-%02d=%s" % (i, det_bytes("txt/%d" % i, 48).hex())
    for i in range(1, 21)]


def pool_addr(i):
    """The relay pool: the client first, then 192.0.2.100 ..."""
    return CLIENT_IP if i == 0 else "192.0.2.%d" % (99 + i)


POOL_ANSWERS = [(LONG_PTR_NAME, "CNAME", 300, LONG_CNAME)] + [
    (LONG_CNAME, "A", 300, pool_addr(i)) for i in range(POOL_SIZE)]
TXT_ANSWERS = [(SENDER_DOMAIN, "TXT", 3600, s) for s in SPF_STRINGS]
POOL_LEN = len(dns_message(0, LONG_PTR_NAME, "A", True, POOL_ANSWERS, edns_udp=4096))
TXT_LEN = len(dns_message(0, SENDER_DOMAIN, "TXT", True, TXT_ANSWERS,
                          edns_udp=4096))


@scenario(23, "fragments.pcap", "a normal delivery whose DNS is large: the "
          "client's PTR name is long (%d bytes) and its A lookup answers a "
          "CNAME to another long name and %d A records (EDNS, %s bytes, "
          "compression pointers back to the question and the CNAME target); "
          "after MAIL the server's TXT lookup of sender.example gets 21 TXT "
          "records (%s bytes) as two IPv4 fragments"
          % (len(LONG_PTR_NAME), POOL_SIZE, POOL_LEN, TXT_LEN))
def s_fragments(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = udp_lookup(cap, ids, t_ack + us(micro=480), SERVER_IP, V4.client_ptr, "PTR",
                   us(ms=14, micro=733), [(V4.client_ptr, "PTR", 3600, LONG_PTR_NAME)])
    t = udp_lookup(cap, ids, t + us(micro=412), SERVER_IP, LONG_PTR_NAME, "A",
                   us(ms=11, micro=209), POOL_ANSWERS, edns_udp=4096)
    t = conn.send(t + us(micro=457), SERVER, lines(BANNER_POSTFIX))
    fragmented_txt_delivery(cap, ids, conn, t, V4,
                            message(n, "Large DNS answers", SHORT_BODY))
    return cap


@scenario(24, "fragments-v6.pcap", "normal-v6.pcap with a large DNS answer: "
          "after MAIL the server's TXT lookup of sender.example gets the 21 TXT "
          "records (%s bytes) as three IPv6 fragments (Fragment header), the "
          "last one sent first" % TXT_LEN)
def s_fragments_v6(n):
    cap, ids, conn, t_ack = opening(n, Ethernet(), V6)
    t = checks_then_banner(cap, ids, conn, t_ack, V6)
    fragmented_txt_delivery(cap, ids, conn, t, V6,
                            message(n, "Large DNS answers over IPv6", SHORT_BODY),
                            mtu=1280, reverse=True)
    return cap


@scenario(25, "helo-rejected.pcap", "EHLO client.example accepted, then a "
          "second EHLO without a name refused with 501 (as Postfix does), then "
          "delivery as usual: the session's HELO name stays the accepted one")
def s_helo_rejected(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = conn.send(t + us(ms=6, micro=105), SERVER, lines(*EHLO_POSTFIX))
    t = conn.send(t + us(ms=5, micro=318), CLIENT, lines("EHLO"))
    t = conn.send(t + us(ms=1, micro=207), SERVER,
                  lines("501 Syntax: EHLO hostname"))
    t = conn.send(t + us(ms=6, micro=801), CLIENT,
                  lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    smtp_rcpt_to_close(conn, t, message(n, "Second EHLO refused", SHORT_BODY))
    return cap


@scenario(26, "banner-cut.pcap", "the capture stops 0.6 s after the "
          "handshake while the client waits for the greeting: the server's "
          "PTR query of the client (sent +0.001 s) is still unanswered")
def s_banner_cut(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    udp_lookup(cap, ids, t_ack + us(ms=1), SERVER_IP, V4.client_ptr, "PTR",
               None)
    # the client's keep-alive-free wait: nothing more until the capture ends
    conn.ack(t_ack + us(ms=600), CLIENT)
    return cap


@scenario(27, "data-stall-quit.pcap", "the end-of-data dot is TCP-ACKed "
          "but never answered; 10 s later the client sends QUIT (ACKed, "
          "unanswered) and closes 1 s after that, the server then closes: a "
          "stall shorter than --stall that the client gave up on")
def s_data_stall_quit(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)
    t = smtp_to_354(conn, t)
    conn.send(t + us(ms=6, micro=650), CLIENT,
              message(n, "Stalled after the dot", SHORT_BODY),
              peer_ack=us(ms=6, micro=2))
    t_dot = conn.last_data_t
    conn.send(t_dot + us(seconds=10), CLIENT, lines("QUIT"),
              peer_ack=us(ms=5, micro=310))
    t = conn.fin(conn.last_data_t + us(seconds=1), CLIENT)
    t = conn.ack(t + us(ms=5, micro=20), SERVER)
    conn.fin(t + us(micro=400), SERVER)
    return cap


@scenario(28, "odd/cross-reorder.pcap", "two mirror directions merged "
          "slightly out of order: the client's ACKs of the EHLO reply and of "
          "the 354 are stamped 5 us and 3 us before those replies; no byte "
          "is missing and the message is delivered")
def s_cross_reorder(n):
    cap, ids, conn, t_ack = opening(n, Ethernet())
    t = checks_then_banner(cap, ids, conn, t_ack)

    def reply_acked_early(t, text, early):
        data = lines(*text)
        conn.ack(t - early, CLIENT, upto=conn.ends[SERVER].nxt + len(data))
        return conn.send(t, SERVER, data)

    t = conn.send(t + us(ms=6, micro=523), CLIENT, lines("EHLO " + CLIENT_NAME))
    t = reply_acked_early(t + us(ms=6, micro=105), EHLO_POSTFIX, us(micro=5))
    t = conn.send(t + us(ms=6, micro=801), CLIENT,
                  lines("MAIL FROM:<%s>" % MAIL_FROM))
    t = smtp_mail_ok(conn, t)
    t = conn.send(t + us(ms=6, micro=12), CLIENT, lines("RCPT TO:<%s>" % RCPT_TO))
    t = conn.send(t + us(ms=8, micro=873), SERVER, lines(REPLY_RCPT))
    t = conn.send(t + us(ms=6, micro=177), CLIENT, lines("DATA"))
    t = reply_acked_early(t + us(ms=4, micro=561), [REPLY_DATA], us(micro=3))
    smtp_body_to_close(conn, t, message(n, "Cross-direction reordering",
                                        SHORT_BODY))
    return cap


def fragmented_txt_delivery(cap, ids, conn, t, cast, body, **fragments):
    """From the greeting (at t) on: EHLO, MAIL, the server's TXT lookup of
    the sender's domain (EDNS) answered with TXT_ANSWERS in IP fragments
    (Capture.udp_fragments with the given options), the 250 to MAIL, then
    RCPT .. QUIT and the close."""
    t_mail = smtp_ehlo_mail(conn, t)
    qid, port = ids.next(cast.server)
    t_q = cap.udp(t_mail + us(micro=812), cast.server, port, cast.resolver, 53,
                  dns_message(qid, SENDER_DOMAIN, "TXT", edns_udp=4096))
    t = cap.udp_fragments(t_q + us(ms=24, micro=310), cast.resolver, 53,
                          cast.server, port,
                          dns_message(qid, SENDER_DOMAIN, "TXT", True,
                                      TXT_ANSWERS, edns_udp=4096), **fragments)
    t = conn.send(t + us(ms=1, micro=93), SERVER, lines(REPLY_MAIL))
    return smtp_rcpt_to_close(conn, t, body)


# --------------------------------------------------------------------------
# README, main
# --------------------------------------------------------------------------

def build(spec):
    number, filename, fmt, fn, description = spec
    cap = fn(number)
    if fmt == "pcapng":
        data = pcapng_bytes(cap.link.linktype, cap.frames())
    else:
        data = pcap_bytes(cap.link.linktype, cap.frames(),
                          snaplen=cap.snaplen or SNAPLEN)
    return filename, data, cap, description


def readme(built):
    out = ["# mxray sample captures", "",
           "Synthetic captures, all generated by scripts/gen_samples.py "
           "(`make samples` or `python3 scripts/gen_samples.py samples`); "
           "do not edit them by hand.",
           "Cast: client %s %s, server %s %s (mx2 = %s), resolver %s."
           % (CLIENT_IP, CLIENT_NAME, SERVER_IP, SERVER_NAME, SERVER2_IP,
              RESOLVER_IP),
           "Scenario N starts at %d + (N-1)*%d s."
           % (BASE_US // 1_000_000, SCENARIO_SPACING_US // 1_000_000),
           "IPv6 cast (`*-v6.pcap`): client %s, server %s, resolver %s, AAAA "
           "records instead of A, the client's PTR name under ip6.arpa."
           % (V6.client, V6.server, V6.resolver),
           "`odd/`: captures whose TCP streams are deliberately out of order, "
           "lossy or cut by the snaplen (tests/test_samples_split.c replays "
           "samples/*.pcap as complete in-order streams, so they live apart).",
           ""]
    for filename, data, cap, description in built:
        out.append("- `%s` (%s, %d packets): %s; generated by "
                   "scripts/gen_samples.py" % (filename, cap.link.name,
                                               len(cap.packets), description))
    return "\n".join(out) + "\n"


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


def samples(outdir):
    os.makedirs(outdir, exist_ok=True)
    built = [build(s) for s in sorted(SCENARIOS)]
    for filename, data, _, _ in built:
        path = os.path.join(outdir, filename)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write(path, data)
    write(os.path.join(outdir, "README.md"), readme(built).encode())


def main(argv):
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: gen_samples.py SAMPLES_DIR\n")
        return 2
    samples(argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
