"""benchwire.py - the packet layer of scripts/benchgen.py, built for speed.

Records are made whole here: pcap record header, Ethernet (locally
administered MACs 02:00 + the IPv4 address), IPv4, TCP or UDP with correct
checksums (a one's-complement sum of 16-bit words is the plain sum mod
0xFFFF, so a payload's share is int.from_bytes(payload) % 0xFFFF), frames
padded to the 60-byte Ethernet minimum.  Each session or noise flow (an
Item) keeps (sort key, record) pairs; the key orders records by time, then
by the item's uid, and Item.done() keeps equal times in emission order.

Python 3 standard library only (and scripts/gen_samples.py, on sys.path as
scripts/benchgen.py sets it).
"""

import hashlib
import operator
import socket
import struct

import gen_samples as gs
from gen_samples import BASE_US, MAX_SEG, RESOLVER_IP

KEY_BASE = BASE_US - 10_000_000   # sort keys: (ts - KEY_BASE) << UID_BITS | uid
UID_BITS = 22
ACK, PSH, SYN, FIN = 0x10, 0x08, 0x02, 0x01
M32 = 0xFFFFFFFF
SYN_OPTS = gs.syn_options(gs.MSS)  # MSS 1460, NOP, NOP, SACK-permitted

_PCAP = struct.Struct("<IIII").pack
_IPTCP = struct.Struct("!HHHHHH4s4sHHIIBBHHH").pack
_IPUDP = struct.Struct("!HHHHHH4s4sHHHH").pack
_KEY = operator.itemgetter(0)
_PAD = [b"\0" * (60 - n) if n < 60 else b"" for n in range(61)]


class Item:
    """The records of one session or noise flow."""
    __slots__ = ("recs", "uid")

    def __init__(self, uid):
        self.recs = []
        self.uid = uid & ((1 << UID_BITS) - 1)

    def put(self, ts, frame):
        n = len(frame)
        if n < 60:
            frame += _PAD[n]
            n = 60
        self.recs.append((((ts - KEY_BASE) << UID_BITS) | self.uid,
                          _PCAP(ts // 1_000_000, ts % 1_000_000, n, n) + frame))

    def done(self):
        """Its records in time order (stable: equal times keep their order)."""
        self.recs.sort(key=_KEY)
        return self.recs


_MAC = {}


def _eth(src, dst):
    for ip in (src, dst):
        if ip not in _MAC:
            _MAC[ip] = gs.mac_of(ip)
    return _MAC[dst] + _MAC[src] + b"\x08\x00"


def _w(a4):
    return (a4[0] << 8 | a4[1]) + (a4[2] << 8 | a4[3])


def _csum(s):
    """Complemented one's-complement sum of data whose plain sum of 16-bit
    words is s (nonzero data): 2^16 = 1 mod 0xFFFF."""
    r = s % 0xFFFF
    return 0xFFFF - (r or 0xFFFF)


class _Flow:
    """What TCP and UDP flows share: side 0 = aip:aport, side 1 = bip:bport;
    per side (index = the sending side) the Ethernet header, the (src, dst)
    addresses and the (src, dst) ports; w, the addresses' share of the IPv4
    and pseudo-header checksum sums."""

    def __init__(self, item, aip, aport, bip, bport):
        a4, b4 = socket.inet_aton(aip), socket.inet_aton(bip)
        self.item = item
        self.pre = (_eth(aip, bip), _eth(bip, aip))
        self.a = ((a4, b4), (b4, a4))
        self.p = ((aport, bport), (bport, aport))
        self.w = _w(a4) + _w(b4)


class Tcp(_Flow):
    """A TCP connection, side 0 the client; keeps seq/ack of both ends."""

    def __init__(self, item, cip, cport, sip, sport, p, cwin=64240, swin=65160):
        super().__init__(item, cip, cport, sip, sport)
        w = self.w
        self.ipsum = 0x4500 + 0x4000 + 0x4006 + w        # DF, TTL 64, TCP
        self.tsum = w + 6 + cport + sport
        self.nxt = [p.pick(0, 65536) << 16 | p.pick(0, 65536),
                    p.pick(0, 65536) << 16 | p.pick(0, 65536)]
        self.ids = [p.pick(0, 65536), p.pick(0, 65536)]
        self.win = (cwin, swin)

    def emit(self, t, side, flags, payload=b"", opts=b"", ack=None):
        seq = self.nxt[side] & M32
        if ack is None:
            ack = self.nxt[1 - side] & M32 if flags & ACK else 0
        else:
            ack &= M32
        hl = 20 + len(opts)
        tl = hl + len(payload)
        ident = self.ids[side]
        self.ids[side] = (ident + 1) & 0xFFFF
        win = self.win[side]
        ps = int.from_bytes(opts + payload, "big")
        if tl & 1:
            ps <<= 8
        tc = _csum(self.tsum + tl + (seq >> 16) + (seq & 0xFFFF) + (ack >> 16)
                   + (ack & 0xFFFF) + (hl << 10 | flags) + win + ps)
        src, dst = self.a[side]
        sp, dp = self.p[side]
        self.item.put(t, self.pre[side] + _IPTCP(
            0x4500, tl + 20, ident, 0x4000, 0x4006,
            _csum(self.ipsum + tl + 20 + ident), src, dst, sp, dp, seq, ack,
            hl << 2, flags, win, tc, 0) + opts + payload)
        return t

    def handshake(self, t, synack_after, ack_after):
        """Returns the time of the client's ACK."""
        self.emit(t, 0, SYN, opts=SYN_OPTS)
        self.nxt[0] += 1
        t += synack_after
        self.emit(t, 1, SYN | ACK, opts=SYN_OPTS)
        self.nxt[1] += 1
        return self.emit(t + ack_after, 0, ACK)

    def send(self, t, side, data, gap=14, peer_ack=None):
        """data in <= 1448-byte segments gap us apart, PSH on the last; with
        peer_ack the peer ACKs every second segment and the last that long
        after it.  Returns the time of the last packet."""
        n = len(data)
        ends = []
        for off in range(0, n or 1, MAX_SEG):
            chunk = data[off:off + MAX_SEG]
            last = off + MAX_SEG >= n
            self.emit(t, side, ACK | PSH if last else ACK, chunk)
            self.nxt[side] += len(chunk)
            ends.append((t, self.nxt[side]))
            if not last:
                t += gap
        if peer_ack is not None:
            acked = ends[1::2]
            if len(ends) % 2:
                acked.append(ends[-1])
            for seg_t, upto in acked:
                t = self.emit(seg_t + peer_ack, 1 - side, ACK, ack=upto)
        return t

    def fin(self, t, side):
        self.emit(t, side, FIN | ACK)
        self.nxt[side] += 1
        return t

    def close(self, t, first, gap_fin, gap_ack):
        t = self.fin(t, first)
        t = self.fin(t + gap_fin, 1 - first)
        return self.emit(t + gap_ack, first, ACK)


class Udp(_Flow):
    """A UDP flow, side 0 = a:aport, side 1 = b:bport (IPv4, DF clear)."""

    def __init__(self, item, aip, aport, bip, bport, ident):
        super().__init__(item, aip, aport, bip, bport)
        w = self.w
        self.ipsum = 0x4500 + 0x4011 + w                 # TTL 64, UDP
        self.usum = w + 17 + aport + bport
        self.ids = [ident, ident ^ 0x5A5A]

    def emit(self, t, side, payload):
        ul = 8 + len(payload)
        ident = self.ids[side]
        self.ids[side] = (ident + 1) & 0xFFFF
        ps = int.from_bytes(payload, "big")
        if ul & 1:
            ps <<= 8
        uc = _csum(self.usum + ul + ul + ps) or 0xFFFF
        src, dst = self.a[side]
        sp, dp = self.p[side]
        self.item.put(t, self.pre[side] + _IPUDP(
            0x4500, ul + 20, ident, 0, 0x4011, _csum(self.ipsum + ul + 20 + ident),
            src, dst, sp, dp, ul, uc) + payload)
        return t


class Params:
    """Integers drawn from SHAKE-256 of a label, 16 bits at a time (the
    stream is extended when a long session needs more)."""
    __slots__ = ("label", "v", "k")

    def __init__(self, label):
        self.label = label
        self.v = struct.unpack(">96H", hashlib.shake_256(label).digest(192))
        self.k = 0

    def pick(self, lo, hi):
        """An integer in [lo, hi)."""
        k = self.k
        if k >= len(self.v):
            n = 2 * len(self.v)
            self.v = struct.unpack(">%dH" % n, hashlib.shake_256(self.label).digest(2 * n))
        self.k = k + 1
        return lo + self.v[k] * (hi - lo) // 65536


# ---------------------------------------------------------------------------
# DNS over UDP (no compression but the answers' pointer to the question)
# ---------------------------------------------------------------------------

QT_A, QT_PTR, QT_MX = 1, 12, 15


def qwire(name):
    return b"".join(bytes((len(l),)) + l.encode() for l in name.split(".")) + b"\0"


def dns_query(qid, qw, qtype):
    return struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + qw + struct.pack("!HH", qtype, 1)


def dns_answer(qid, qw, qtype, ancount, answers):
    """answers: the answer section already encoded (names as 0xC00C)."""
    return (struct.pack("!HHHHHH", qid, 0x8180, 1, ancount, 0, 0) + qw
            + struct.pack("!HH", qtype, 1) + answers)


def rr(rtype, rdata, ttl=3600):
    return b"\xc0\x0c" + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def lookup(item, t, asker, port, qid, qw, qtype, rtt, answers, ancount, resend=()):
    """Query at t (re-sent after each delay in resend), the answer rtt after
    the first query; returns the answer's time."""
    u = Udp(item, asker, port, RESOLVER_IP, 53, (qid * 7 + port) & 0xFFFF)
    q = dns_query(qid, qw, qtype)
    u.emit(t, 0, q)
    for d in resend:
        u.emit(t + d, 0, q)
    return u.emit(t + rtt, 1, dns_answer(qid, qw, qtype, ancount, answers))


def server_ids(q):
    """DNS id and source port of the MX hosts' q-th lookup (q = 2 i, 2 i + 1):
    (port, id) pairs repeat only after lcm(64511, 65536) lookups."""
    return (q * 40503 + 0x2F1D) & 0xFFFF, 1024 + (q * 7919) % 64511


def client_ids(q):
    """DNS id and source port of the clients' q-th lookup (q = 2 i, 2 i + 1)."""
    return (q * 25147 + 0x6B3A) & 0xFFFF, 32768 + (q * 7121) % 28232
