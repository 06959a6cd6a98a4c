#!/usr/bin/env python3
"""hostile.py - build the hostile captures of issue 4 and measure mxray on them.

    python3 scripts/hostile.py                    # build (or reuse) all, run all
    python3 scripts/hostile.py --only syn-flood,long-line
    python3 scripts/hostile.py --scale 0.1        # every count / size x 0.1
    python3 scripts/hostile.py --generate-only
    python3 scripts/hostile.py --mxray-args "--max-sessions 20000 --max-dns 50000"

Options:
  --out DIR          captures and their .meta.json (default /tmp/mxray-hostile;
                     nothing here is committed)
  --mxray PATH       binary under test (default ./mxray at the repo root)
  --only LIST        comma-separated capture names (default: all, see below)
  --scale F          multiply every packet count and byte size by F (default 1);
                     for quick runs and for valgrind --tool=massif
  --formats LIST     report formats run (default json,text); each run is
                     `mxray -q -r CAPTURE --format F -o /dev/null [ARGS]`
  --mxray-args STR   extra arguments for every run (split on blanks)
  --max-rss-mb N     peak RSS limit per run, MB = 10^6 bytes (default 256)
  --timeout S        a run longer than S seconds is killed and counted as a
                     hang (default 900)
  --no-reuse         regenerate even when OUT/NAME.pcap matches its .meta.json

The captures (classic pcap, Ethernet, microseconds; server 203.0.113.25
mx1.example.org, resolver 198.51.100.53; deterministic: a seeded
random.Random per capture, getrandbits only, so two runs write byte-identical
files, their SHA-256 is printed):

  syn-flood       200,000 SYNs to 203.0.113.25:25 from random sources, ports
                  and ISNs, one every 20 us (4 s), never answered
  dns-flood       300,000 UDP queries to the resolver from random askers
                  (100.64.0.0/10) and ports, random ids and names
                  (<hex>.<hex>.flood.example, A/AAAA/MX/TXT), one every 50 us
                  (15 s); one in three answered 1-100 ms later (A: one
                  address, others NXDOMAIN)
  idle-sessions   100,000 SMTP sessions from 198.18.0.0/15, one every 50 us:
                  handshake, banner, EHLO, multi-line 250, client ACK; none
                  ever closes (7 packets each)
  big-data        one session delivering a 100 MB message (1440-byte segments
                  of 18 80-byte lines, server ACK every 8 segments), then the
                  dot, 250, QUIT, 221, FINs
  long-line       one session: banner, EHLO, then "MAIL FROM:<" and 1 MB of
                  'a' with no CRLF; 300 s later the server times out (421)
                  and closes
  endless-reply   one session: banner, EHLO, then the server's 250- lines for
                  10 MB (80-byte lines, 1440-byte segments) that never reach
                  a last line; the capture ends there
  frag-flood      200,000 first IPv4 fragments (MF set, 512 bytes of a UDP
                  datagram) between random hosts, random ids, one every
                  20 us (4 s); no fragment ever completes a datagram
  frag6-flood     the same over IPv6: 200,000 first fragments (Fragment
                  header, 32-bit random ids) between random 2001:db8::/64
                  addresses

For each capture and format the table gives wall time, peak RSS (from
/usr/bin/time -v when installed, else wait4(); see scripts/measure.py), the
exit status, and from an extra json run piped into this script (only its tail is kept: SPEC.md puts
"inputs" and "summary" last) the sessions, DNS transactions and evictions of
the summary.  Nothing is asserted about speed.  Exit status 1 if any run
crashed, hung, exited non-zero or went over --max-rss-mb; 0 otherwise.

Python 3 standard library only.  Packets are written as they are made
(buffered, 1 MB at a time); checksums are summed incrementally from cached
payload sums, so the large captures take seconds, not minutes.
"""

import argparse
import hashlib
import heapq
import json
import os
import random
import shlex
import socket
import struct
import sys
import time

SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
sys.path.insert(0, SCRIPTS_DIR)
from measure import (GNU_TIME, NO_GNU_TIME, json_tail_summary,  # noqa: E402
                     read_tail, run_measured)

HOSTILE_VERSION = 2      # bump when the generated traffic changes

SERVER = "203.0.113.25"
RESOLVER = "198.51.100.53"
T0 = 1_700_100_000 * 1_000_000   # µs
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10
SEG = 1448


def ip_int(a):
    return struct.unpack("!I", socket.inet_aton(a))[0]


SERVER_I = ip_int(SERVER)
RESOLVER_I = ip_int(RESOLVER)
MAC_ROUTER = b"\x02\x00\x00\x00\x00\x01"
MAC_SERVER = b"\x02\x00" + socket.inet_aton(SERVER)
MAC_RESOLVER = b"\x02\x00" + socket.inet_aton(RESOLVER)


def payload_sum(data):
    """One's-complement 16-bit word sum of data (not folded, not inverted)."""
    if len(data) % 2:
        data += b"\x00"
    return sum(struct.unpack("!%dH" % (len(data) // 2), data))


def fold(s):
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


class PcapWriter:
    """Streams a classic pcap; packets go out in 1 MB batches."""

    def __init__(self, path):
        self.path = path
        self.f = open(path + ".part", "wb")
        self.sha = hashlib.sha256()
        self.parts = []
        self.pending = 0
        self.packets = 0
        self.last_ts = 0
        self.ipid = {}
        self._put(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))

    def _put(self, data):
        self.sha.update(data)
        self.f.write(data)

    def flush(self):
        if self.parts:
            self._put(b"".join(self.parts))
            self.parts.clear()
            self.pending = 0

    def close(self):
        self.flush()
        self.f.close()
        os.replace(self.path + ".part", self.path)
        return {"packets": self.packets, "bytes": os.path.getsize(self.path),
                "sha256": self.sha.hexdigest()}

    def _next_ipid(self, src):
        v = self.ipid.get(src, src * 40503 & 0xFFFF)
        self.ipid[src] = (v + 1) & 0xFFFF
        return v

    def _ip(self, ts, src, dst, proto, l4hdr, payload, df, frag=None):
        """Ethernet + IPv4 header in front of l4hdr + payload, then the record;
        frag: (ident, flags and offset field) of a fragment."""
        total = 20 + len(l4hdr) + len(payload)
        if frag:
            ident, flags = frag
        else:
            ident, flags = self._next_ipid(src), 0x4000 if df else 0
        csum = fold(0x4500 + total + ident + flags + (64 << 8 | proto) +
                    (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF))
        iphdr = struct.pack("!HHHHBBHII", 0x4500, total, ident, flags, 64, proto,
                            csum, src, dst)
        self._frame(ts, src, dst, b"\x08\x00", iphdr + l4hdr, payload)

    def _frame(self, ts, src, dst, ethertype, hdrs, payload):
        """The Ethernet frame (padded to 60 bytes) around hdrs + payload."""
        total = len(hdrs) + len(payload)
        if src == SERVER_I:
            eth = MAC_ROUTER + MAC_SERVER + ethertype
        elif dst == SERVER_I:
            eth = MAC_SERVER + MAC_ROUTER + ethertype
        elif src == RESOLVER_I:
            eth = MAC_ROUTER + MAC_RESOLVER + ethertype
        else:
            eth = MAC_RESOLVER + MAC_ROUTER + ethertype
        n = 14 + total
        pad = b"\x00" * (60 - n) if n < 60 else b""
        n += len(pad)
        assert ts >= self.last_ts, "packets out of time order"
        self.last_ts = ts
        self.parts += (struct.pack("<IIII", ts // 1_000_000, ts % 1_000_000, n, n),
                       eth, hdrs, payload, pad)
        self.packets += 1
        self.pending += n + 16
        if self.pending >= 1 << 20:
            self.flush()

    def tcp(self, ts, src, dst, sport, dport, seq, ack, flags, payload=b"",
            psum=None, window=64240):
        if psum is None:
            psum = payload_sum(payload) if payload else 0
        seq &= 0xFFFFFFFF
        ack &= 0xFFFFFFFF
        tlen = 20 + len(payload)
        csum = fold((src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) +
                    6 + tlen + sport + dport + (seq >> 16) + (seq & 0xFFFF) +
                    (ack >> 16) + (ack & 0xFFFF) + (0x5000 | flags) + window + psum)
        hdr = struct.pack("!HHIIHHHH", sport, dport, seq, ack, 0x5000 | flags,
                          window, csum, 0)
        self._ip(ts, src, dst, 6, hdr, payload, True)

    def udp(self, ts, src, dst, sport, dport, payload):
        ulen = 8 + len(payload)
        csum = fold((src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) +
                    17 + ulen + sport + dport + ulen + payload_sum(payload)) or 0xFFFF
        self._ip(ts, src, dst, 17, struct.pack("!HHHH", sport, dport, ulen, csum),
                 payload, False)

    def ipv4_fragment(self, ts, src, dst, ident, offset, more, data):
        """A UDP datagram's fragment (RFC 791): data at byte offset."""
        self._ip(ts, src, dst, 17, b"", data, False,
                 (ident, (0x2000 if more else 0) | offset // 8))

    def ipv6_fragment(self, ts, src6, dst6, ident, offset, more, data):
        """An IPv6 UDP fragment (RFC 8200 4.5): Fragment header + data."""
        hdr = struct.pack("!IHBB16s16sBBHI", 6 << 28, 8 + len(data), 44, 64,
                          src6, dst6, 17, 0, offset | more, ident)
        self._frame(ts, RESOLVER_I, 0, b"\x86\xdd", hdr, data)


class Flow:
    """One TCP connection written straight to a PcapWriter."""

    def __init__(self, w, client, cport, server, sport, rng):
        self.w = w
        self.addr = ((client, cport), (server, sport))
        self.nxt = [rng.getrandbits(32), rng.getrandbits(32)]
        self.sums = {}

    def _psum(self, payload):
        s = self.sums.get(payload)
        if s is None:
            s = self.sums[payload] = payload_sum(payload)
        return s

    def pkt(self, t, side, flags, payload=b""):
        (src, sp), (dst, dp) = self.addr[side], self.addr[1 - side]
        ack = self.nxt[1 - side] if flags & ACK else 0
        self.w.tcp(t, src, dst, sp, dp, self.nxt[side], ack, flags, payload,
                   self._psum(payload) if payload else 0)
        self.nxt[side] += len(payload) + (1 if flags & (SYN | FIN) else 0)
        return t

    def handshake(self, t, rtt=10_000):
        self.pkt(t, 0, SYN)
        self.pkt(t + rtt // 2, 1, SYN | ACK)
        return self.pkt(t + rtt, 0, ACK)

    def send(self, t, side, data, gap=12):
        for i in range(0, len(data), SEG):
            t = self.pkt(t if i == 0 else t + gap, side, PSH | ACK, data[i:i + SEG])
        return t

    def stream(self, t, side, chunk, count, gap=12, ack_every=8):
        """count segments, all the same chunk, the peer ACKing every ack_every."""
        for i in range(count):
            t = self.pkt(t + gap, side, ACK | (PSH if i == count - 1 else 0), chunk)
            if (i + 1) % ack_every == 0 or i == count - 1:
                t = self.pkt(t + 2, 1 - side, ACK)
        return t

    def exchange(self, t, command, reply, rtt=10_000, think=500):
        t = self.send(t + rtt // 2, 0, command)
        return self.send(t + think + rtt // 2, 1, reply)

    def close(self, t, first=1, rtt=10_000):
        self.pkt(t, first, FIN | ACK)
        self.pkt(t + rtt // 2, 1 - first, FIN | ACK)
        return self.pkt(t + rtt, first, ACK)


def crlf(*lines):
    return "".join(l + "\r\n" for l in lines).encode()


BANNER = crlf("220 mx1.example.org ESMTP Postfix")
EHLO_REPLY = crlf("250-mx1.example.org", "250-PIPELINING", "250-SIZE 104857600",
                  "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250 SMTPUTF8")


def scaled(n, scale, least=1):
    return max(least, int(round(n * scale)))


# --------------------------------------------------------------------------
# The captures
# --------------------------------------------------------------------------

def gen_syn_flood(w, scale, rng):
    n = scaled(200_000, scale)
    t = T0
    for _ in range(n):
        r = rng.getrandbits(64)
        src = 0x01000000 + (r & 0xFFFFFFFF) % 0xDE000000      # 1.0.0.0-223.255.255.255
        w.tcp(t, src, SERVER_I, 1024 + (r >> 32) % 64511, 25,
              rng.getrandbits(32), 0, SYN)
        t += 20
    return {"syns": n}


QTYPES = ((1, "A"), (28, "AAAA"), (15, "MX"), (16, "TXT"))


def gen_dns_flood(w, scale, rng):
    n = scaled(300_000, scale)
    pending = []            # (response time, seq, asker, port, message)
    t = T0
    answered = 0
    asker_base = ip_int("100.64.0.0")
    for i in range(n):
        while pending and pending[0][0] <= t:
            rt, _, asker, port, msg = heapq.heappop(pending)
            w.udp(rt, RESOLVER_I, asker, 53, port, msg)
        r = rng.getrandbits(64)
        qid = r & 0xFFFF
        asker = asker_base + ((r >> 16) & 0x3FFFFF)
        port = 1024 + (r >> 38) % 64511
        qtype = QTYPES[(r >> 56) & 3][0]
        name = "%x.%x.flood.example" % (rng.getrandbits(48), rng.getrandbits(20))
        qname = b"".join(bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\x00"
        question = qname + struct.pack("!HH", qtype, 1)
        w.udp(t, asker, RESOLVER_I, port, 53,
              struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + question)
        if r % 3 == 0:
            answered += 1
            if qtype == 1:
                resp = (struct.pack("!HHHHHH", qid, 0x8180, 1, 1, 0, 0) + question +
                        struct.pack("!HHHIHI", 0xC00C, 1, 1, 60, 4,
                                    ip_int("192.0.2.1") + i % 250))
            else:
                resp = struct.pack("!HHHHHH", qid, 0x8183, 1, 0, 0, 0) + question
            heapq.heappush(pending, (t + 1000 + (r >> 8) % 99_000, i, asker, port, resp))
        t += 50
    while pending:
        rt, _, asker, port, msg = heapq.heappop(pending)
        w.udp(rt, RESOLVER_I, asker, 53, port, msg)
    return {"queries": n, "answered": answered}


def gen_idle_sessions(w, scale, rng):
    n = scaled(100_000, scale)
    spacing = 50
    base_ip = ip_int("198.18.0.1")
    ehlo = crlf("EHLO idle.client.example")
    sums = {p: payload_sum(p) for p in (BANNER, ehlo, EHLO_REPLY)}
    # (offset µs, side, flags, payload) of each session's packets
    steps = [(0, 0, SYN, b""), (5000, 1, SYN | ACK, b""), (10000, 0, ACK, b""),
             (30000, 1, PSH | ACK, BANNER), (40000, 0, PSH | ACK, ehlo),
             (45000, 1, PSH | ACK, EHLO_REPLY), (55000, 0, ACK, b"")]
    # sequence numbers (relative to the ISNs) before each step: (client,
    # server); the ACK of each packet covers all the other side has sent
    rel, sent = [], [0, 0]
    for _, side, flags, payload in steps:
        rel.append(tuple(sent))
        sent[side] += len(payload) + (1 if flags & SYN else 0)
    isn_c = [rng.getrandbits(32) for _ in range(n)]
    isn_s = [rng.getrandbits(32) for _ in range(n)]

    def packets(k):
        off = steps[k][0]
        for i in range(n):
            yield T0 + i * spacing + off, k, i

    for ts, k, i in heapq.merge(*(packets(k) for k in range(len(steps)))):
        _, side, flags, payload = steps[k]
        cip = base_ip + i
        cport = 32768 + (i * 4099) % 28232
        rc, rs = rel[k]
        cseq, sseq = isn_c[i] + rc, isn_s[i] + rs
        psum = sums[payload] if payload else 0
        if side == 0:
            w.tcp(ts, cip, SERVER_I, cport, 25, cseq,
                  sseq if flags & ACK else 0, flags, payload, psum)
        else:
            w.tcp(ts, SERVER_I, cip, 25, cport, sseq, cseq, flags, payload, psum,
                  window=65160)
    return {"sessions": n}


def smtp_start(w, rng, cip, t):
    f = Flow(w, ip_int(cip), 40125, SERVER_I, 25, rng)
    t = f.handshake(t)
    t = f.send(t + 20_000, 1, BANNER)
    return f, f.exchange(t, crlf("EHLO sender.example"), EHLO_REPLY)


def gen_big_data(w, scale, rng):
    line = b"X" * 78 + b"\r\n"
    chunk = line * 18                     # 1440 bytes
    count = scaled(100_000_000 // len(chunk), scale)
    f, t = smtp_start(w, rng, "192.0.2.77", T0)
    t = f.exchange(t, crlf("MAIL FROM:<big@sender.example>"), crlf("250 2.1.0 Ok"))
    t = f.exchange(t, crlf("RCPT TO:<bob@example.org>"), crlf("250 2.1.5 Ok"))
    t = f.exchange(t, crlf("DATA"), crlf("354 End data with <CR><LF>.<CR><LF>"))
    t = f.send(t + 5000, 0, crlf("From: <big@sender.example>", "To: <bob@example.org>",
                                 "Subject: 100 MB", ""))
    t = f.stream(t, 0, chunk, count)
    t = f.send(t + 12, 0, crlf("."))
    t = f.send(t + 30_000, 1, crlf("250 2.0.0 Ok: queued as BIGDATA1"))
    t = f.exchange(t, crlf("QUIT"), crlf("221 2.0.0 Bye"))
    f.close(t + 100, 1)
    return {"body_bytes": count * len(chunk)}


def gen_long_line(w, scale, rng):
    chunk = b"a" * SEG
    count = scaled((1 << 20) // SEG, scale)
    f, t = smtp_start(w, rng, "192.0.2.78", T0)
    t = f.send(t + 5000, 0, b"MAIL FROM:<")
    t = f.stream(t, 0, chunk, count)
    t = f.send(t + 300_000_000, 1,
               crlf("421 4.4.2 mx1.example.org Error: timeout exceeded"))
    f.close(t + 100, 1)
    return {"line_bytes": 11 + count * SEG}


def gen_frag_flood(w, scale, rng):
    n = scaled(200_000, scale)
    data = bytes(range(256)) * 2
    t = T0
    for _ in range(n):
        r = rng.getrandbits(64)
        src = 0x01000000 + (r & 0xFFFFFFFF) % 0xDE000000
        dst = 0x01000000 + (r >> 32) % 0xDE000000
        w.ipv4_fragment(t, src, dst, rng.getrandbits(16), 0, True, data)
        t += 20
    return {"first_fragments": n}


def gen_frag6_flood(w, scale, rng):
    n = scaled(200_000, scale)
    data = bytes(range(256)) * 2
    prefix = socket.inet_pton(socket.AF_INET6, "2001:db8::")[:8]
    t = T0
    for _ in range(n):
        src = prefix + rng.getrandbits(64).to_bytes(8, "big")
        dst = prefix + rng.getrandbits(64).to_bytes(8, "big")
        w.ipv6_fragment(t, src, dst, rng.getrandbits(32), 0, True, data)
        t += 20
    return {"first_fragments": n}


def gen_endless_reply(w, scale, rng):
    line = b"250-" + b"Y" * 74 + b"\r\n"
    chunk = line * 18
    count = scaled(10_000_000 // len(chunk), scale)
    f = Flow(w, ip_int("192.0.2.79"), 40126, SERVER_I, 25, rng)
    t = f.handshake(T0)
    t = f.send(t + 20_000, 1, BANNER)
    t = f.send(t + 5000, 0, crlf("EHLO sender.example"))
    f.stream(t + 500, 1, chunk, count)
    return {"reply_bytes": count * len(chunk)}


CAPTURES = [("syn-flood", gen_syn_flood), ("dns-flood", gen_dns_flood),
            ("idle-sessions", gen_idle_sessions), ("big-data", gen_big_data),
            ("long-line", gen_long_line), ("endless-reply", gen_endless_reply),
            ("frag-flood", gen_frag_flood), ("frag6-flood", gen_frag6_flood)]


def ensure(outdir, name, fn, scale, reuse):
    suffix = "" if scale == 1 else "-x%g" % scale
    path = os.path.join(outdir, "%s%s.pcap" % (name, suffix))
    meta_path = path[:-5] + ".meta.json"
    if reuse and os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as fh:
            meta = json.load(fh)
        if (meta.get("version") == HOSTILE_VERSION and meta.get("scale") == scale
                and meta.get("bytes") == os.path.getsize(path)):
            return path, meta
    os.makedirs(outdir, exist_ok=True)
    print("generating %s ..." % path, end=" ", flush=True)
    t0 = time.perf_counter()
    w = PcapWriter(path)
    extra = fn(w, scale, random.Random("mxray-hostile/%s" % name))
    meta = w.close()
    meta.update(extra, version=HOSTILE_VERSION, scale=scale, name=name,
                gen_seconds=round(time.perf_counter() - t0, 2))
    with open(meta_path, "w") as fh:
        json.dump(meta, fh, indent=1)
    print("%d packets, %.1f MB, %.1f s" % (meta["packets"], meta["bytes"] / 1e6,
                                          meta["gen_seconds"]))
    return path, meta


# --------------------------------------------------------------------------
# Running mxray
# --------------------------------------------------------------------------

def json_summary_run(mxray, path, args, timeout):
    """An extra json run piped here; keeps the last 4 MB, parses the summary."""
    out = {}

    def consume(pipe):
        out["tail"], out["total"] = read_tail(pipe, 4 << 20)

    res = run_measured([mxray, "-q", "-r", path, "--format", "json"] + args,
                       timeout, consume=consume)
    res["doc"] = json_tail_summary(out["tail"])
    res["output_bytes"] = out["total"]
    return res


def verdict(res, limit_kb):
    if res["hung"]:
        return "HANG"
    if res["signal"]:
        return "CRASH sig %d" % res["signal"]
    if res["status"] != 0:
        return "EXIT %d" % res["status"]
    if res["rss_kb"] > limit_kb:
        return "OVER"
    return "ok"


def main(argv):
    ap = argparse.ArgumentParser(
        description="Build the hostile captures of issue 4 and measure mxray.",
        epilog="See the docstring at the top of scripts/hostile.py.")
    ap.add_argument("--out", default="/tmp/mxray-hostile")
    ap.add_argument("--mxray", default=os.path.join(REPO_ROOT, "mxray"))
    ap.add_argument("--only", default="")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--formats", default="json,text")
    ap.add_argument("--mxray-args", default="")
    ap.add_argument("--max-rss-mb", type=float, default=256)
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--no-reuse", action="store_true")
    ap.add_argument("--generate-only", action="store_true")
    a = ap.parse_args(argv[1:])

    names = [n for n, _ in CAPTURES]
    only = [n for n in a.only.split(",") if n] or names
    formats = [f for f in a.formats.split(",") if f]
    if (set(only) - set(names) or set(formats) - {"text", "json", "ndjson"}
            or a.scale <= 0):
        ap.error("--only takes %s; --formats text,json,ndjson; --scale > 0"
                 % ",".join(names))
    mxray = os.path.abspath(a.mxray)
    if not a.generate_only and not os.access(mxray, os.X_OK):
        sys.exit("%s: not found or not executable (run make first)" % mxray)
    extra = shlex.split(a.mxray_args)
    limit_kb = a.max_rss_mb * 1e6 / 1024

    caps = [(n,) + ensure(a.out, n, fn, a.scale, not a.no_reuse)
            for n, fn in CAPTURES if n in only]
    for n, path, meta in caps:
        print("  %-14s %9d packets %8.1f MB  sha256 %s" % (
            n, meta["packets"], meta["bytes"] / 1e6, meta["sha256"][:16]))
    if a.generate_only:
        return 0
    if not GNU_TIME:
        print(NO_GNU_TIME)

    rows, bad = [], []
    for n, path, meta in caps:
        s = json_summary_run(mxray, path, extra, a.timeout)
        doc = s["doc"]
        summ = doc["summary"] if doc else None
        if verdict(s, limit_kb) != "ok" or summ is None:
            bad.append("%s json (summary run): %s%s" % (
                n, verdict(s, limit_kb), "" if summ else ", no summary in the output"))
        for fmt in formats:
            cmd = [mxray, "-q", "-r", path, "--format", fmt, "-o", os.devnull] + extra
            print("running %s" % " ".join(shlex.quote(c) for c in cmd), flush=True)
            res = run_measured(cmd, a.timeout)
            v = verdict(res, limit_kb)
            if v != "ok":
                bad.append("%s %s: %s (peak RSS %.1f MB)%s" % (
                    n, fmt, v, res["rss_kb"] * 1024 / 1e6,
                    ": " + res["stderr"].splitlines()[-1] if res["stderr"] else ""))
            rows.append((n, meta, fmt, res, v, summ))

    print()
    print("mxray %s%s; limit %.0f MB peak RSS (MB = 10^6 bytes); %d CPUs, "
          "load %.2f" % (mxray, (" " + " ".join(extra)) if extra else "",
                         a.max_rss_mb, os.cpu_count() or 0, os.getloadavg()[0]))
    print("%-14s %9s %7s %-6s %8s %9s %-7s %8s %8s  %s" % (
        "capture", "packets", "MB", "format", "wall s", "RSS MB", "verdict",
        "sessions", "dns tx", "evicted, non-zero (summary)"))
    for n, meta, fmt, res, v, summ in rows:
        ev = summ.get("evicted", {}) if summ else {}
        print("%-14s %9d %7.1f %-6s %8.2f %9.1f %-7s %8s %8s  %s" % (
            n, meta["packets"], meta["bytes"] / 1e6, fmt, res["wall"],
            res["rss_kb"] * 1024 / 1e6, v,
            summ["sessions"] if summ else "?", summ["dns_transactions"] if summ else "?",
            (" ".join("%s=%s" % kv for kv in ev.items() if kv[1]) or "none")
            if summ else "?"))
    if bad:
        print()
        print("FAILED:")
        for b in bad:
            print("  " + b)
        return 1
    print("\nall runs exited 0 under %.0f MB" % a.max_rss_mb)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
