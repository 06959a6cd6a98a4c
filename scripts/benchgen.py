#!/usr/bin/env python3
"""benchgen.py - the synthetic traffic of scripts/bench.py: a busy receiving
mail site, as a mirror port in front of it would capture it.

    python3 scripts/benchgen.py --size 100M            # write (or reuse) one capture
    python3 scripts/benchgen.py --sessions 3000 --noise 0 --out /tmp/x

Python 3 standard library only; deterministic: the same knobs give a
byte-identical capture and truth file whatever --jobs is (every parameter of
SMTP session i comes from SHAKE-256("mxray-bench2/i"), of noise flow k from
SHAKE-256("mxray-bench2/noise/k")).  Classic pcap, Ethernet, microsecond
timestamps; every IPv4/TCP/UDP checksum is right.

The site
  * 16 MX hosts (--mx-hosts): mx1..mx16.example.org = 203.0.113.1-16, port 25,
    Postfix-like banner and EHLO reply naming the host;
  * one site resolver 198.51.100.53 (UDP 53) that all of them, and the
    clients that look the site up, ask;
  * SMTP clients from 198.18.0.0/15 (the benchmarking range; last octet
    1-254, 130,048 addresses).  Session i uses slot s = i mod 130048, the
    address numbered (s x 40503) mod 130048 (a permutation), and MX host
    (h(s) + i div 130048) mod 16: an (address, MX host) pair never repeats
    below 16 x 130048 sessions, so one client address is never in two
    concurrent sessions to one MX host and every 4-tuple is unique
    (ephemeral ports 32768-60999); an address comes back (to another MX
    host) every 130,048 sessions (~138 s at the default rate: from ~1.1 GB
    on).

SMTP session i (sessions start in index order, SYN times increasing)
  * SYN at 1700000000 s + i / rate + a jitter below 1 / rate (--rate,
    default 940 sessions/s; or --in-flight N: rate = N / mean duration);
  * RTT 20-570 ms seen from the site (skewed towards short); the MX host
    answers the SYN 40-120 us later; sessions last ~2.1 s on average, ~2,000
    open at once at the default rate;
  * --client-dns (default 0.30) of the clients first ask the resolver MX of
    example.org (answer: all MX hosts, preference 10 each) and then A of the
    MX host they connect to, at most 60 ms before their SYN;
  * between the handshake and its banner the MX host asks PTR of the
    client's address (answer mta-A-B-C-D.example.net), then A of that name
    (answer: the client's address), from its own port to 198.51.100.53;
  * EHLO, MAIL, 1-3 RCPT, DATA, a message of --body bytes (default
    1500-12000, lo + (hi - lo) u^2 with u uniform: mean ~5 KB) in <= 1448-byte
    segments, flights of 10, the MX host ACKing every second segment, 250
    queued, QUIT, 221, FINs (either side first);
  * variants: 4 % slow_ptr (PTR re-sent at +2 s, answered after 3-3.2 s),
    3 % no_banner (no DNS, no greeting, the client FINs after 2-5 s),
    20 % pipelining (MAIL, RCPTs and DATA in one segment, the replies in one
    segment), the rest normal.

Noise (--noise F, default 0.10: the fraction of the capture's bytes)
  Flows between 192.0.2.1-254 (clients) and 198.51.100.100-250 (servers),
  none on port 25 or 53, none with the MX hosts or the resolver: 50 % of
  the flows TLS-like TCP on 443 (handshake, ClientHello, server flight, 1-3
  requests each answered with 5-800 KB of random-looking bytes in full
  segments, slow start 10/20/40 segments per RTT, FINs), 40 % QUIC-like UDP
  on 443 (an Initial, 4-500 server datagrams of 1200-1350 bytes, client
  ACK datagrams), 10 % syslog over UDP 514 (5-40 lines).  Flow k starts
  when the noise before it (the estimated bytes of flows 0..k-1, within
  ~1 % of the real ones) matches F / (1 - F) of the mail traffic's mean bytes
  per second (from the calibration): noise is F of the bytes within a few %.

Size
  --size 100M / 1G / 2G / any number (K, M, G = 10^3, 10^6, 10^9 bytes)
  picks the number of sessions (at the same rate: the same shape, longer) so
  that the capture is about that many bytes: generation stops after the
  first block of sessions (a block: about 1/40 of the target, at least
  250 KB, at most 3 MB) that brings the capture within half a block of the
  target, so it ends up to about half a block below or above it (within
  ~1.5 % from 10M on); --sessions N instead fixes it.  The mean bytes and duration of a session come from a
  calibration over sessions 0-999 (deterministic).  1G: 116,610 sessions
  over 124 s, 3.55 M packets, 296,276 DNS transactions (at that rate
  mxray's default --max-dns 100000 holds the last ~40 s of them).

Files (under --out, default /tmp/mxray-bench; names carry a hash of the knobs)
  bench-LABEL-HASH.pcap        the capture
  bench-LABEL-HASH.meta.json   knobs, BENCH_VERSION, a hash of the
                               generator's source, counts, sha256; the capture
                               is reused while the .pcap and the truth file
                               exist and bench_version, knobs, generator (an
                               edit of benchgen.py, benchwire.py or
                               gen_samples.py regenerates it) and bytes (the
                               .pcap's size) match; the counts and sha256 are
                               not compared
  bench-LABEL-HASH.truth.tsv.gz  what the generator did, one line per SMTP
                               session in SYN order (gzip, mtime 0), a header
                               line, then tab-separated columns (empty = n/a):
      n            1-based ordinal in SYN order (mxray's session id S<n>
                   when it reads this capture alone)
      client       client ip:port          server   MX ip:25
      mx           MX host name            syn_us   client SYN (us since epoch)
      ack_us       the client's handshake ACK
      variant      normal, pipelining, slow_ptr or no_banner
      banner       1 if the MX host sent its 220, else 0
      banner_delay_us  from ack_us to the first byte of the banner
      ptr_qname    D.C.B.A.in-addr.arpa; ptr_id, ptr_port: the DNS id and the
                   MX host's UDP port of that lookup (asker = server ip,
                   resolver 198.51.100.53:53); ptr_resends; ptr_rtt_us
      a_qname      the name the PTR returned; a_id, a_port: its A lookup
      client_dns   1 if the client looked the MX up (then mx_id, mx_port: its
                   MX lookup of example.org, amx_id, amx_port: its A lookup
                   of the MX host, both from the client's address)
      rcpts        number of RCPT TO
      msg_bytes    bytes of the message the client sent after DATA, as on
                   the wire (dot-stuffed), without the final dot line (mxray's
                   "end of data" byte count)
      end_us       the session's last packet; closer: client or server
      packets      packets of the session, its DNS lookups included

Speed and memory: worker processes (--jobs, default the CPU count) make
blocks of at most ~3 MB of items (sessions and noise flows, each sorted);
the main process merges them in time order and writes everything older than
the next block's earliest possible packet, so memory stays at the open
items (~80 MB).  ~50 MB/s on 2 cores: 1 GB in ~20 s.
"""

import argparse
import bisect
import email.utils
import gzip
import hashlib
import json
import multiprocessing
import os
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_samples as gs  # noqa: E402
from gen_samples import BASE_US, MAX_SEG  # noqa: E402
from benchwire import (ACK, KEY_BASE, M32, PSH, QT_A, QT_MX, QT_PTR,  # noqa: E402
                       UID_BITS, Item, Params, Tcp, Udp, client_ids, lookup, qwire,
                       rr, server_ids, _KEY)

BENCH_VERSION = 2                 # bump when the generated traffic changes
PRE_US = 100_000                  # client lookups start at most this before the SYN
MX_MAX = 99
NSLOT = 512 * 254                 # client addresses in 198.18.0.0/15
CAL = 1000                        # sessions in the calibration sample
BLOCK_BYTES = 3_000_000           # bytes of one worker's block, at most about
DEFAULTS = {"rate": 940.0, "mx_hosts": 16, "client_dns": 0.30,
            "body": "1500-12000", "noise": 0.10}

# ---------------------------------------------------------------------------
# The site
# ---------------------------------------------------------------------------

MX_IPS = ["203.0.113.%d" % k for k in range(1, MX_MAX + 1)]
MX_NAMES = ["mx%d.example.org" % k for k in range(1, MX_MAX + 1)]
DOMAIN_QW = qwire("example.org")
REPLY_MAIL, REPLY_RCPT = b"250 2.1.0 Ok\r\n", b"250 2.1.5 Ok\r\n"
REPLY_DATA = b"354 End data with <CR><LF>.<CR><LF>\r\n"
REPLY_BYE = b"221 2.0.0 Bye\r\n"
EHLO_TAIL = (b"250-PIPELINING\r\n250-SIZE 10240000\r\n250-8BITMIME\r\n"
             b"250-STARTTLS\r\n250 SMTPUTF8\r\n")
RCPTS = ["bob@example.org", "carol@example.org", "dave@example.org"]
SUBJECTS = ["Invoice", "Meeting notes", "Weekly report", "Re: schedule",
            "Newsletter", "Order confirmation", "Fwd: photos", "Ticket update"]
TRUTH_COLUMNS = ("n client server mx syn_us ack_us variant banner banner_delay_us "
                 "ptr_qname ptr_id ptr_port ptr_resends ptr_rtt_us a_qname a_id "
                 "a_port client_dns mx_id mx_port amx_id amx_port rcpts msg_bytes "
                 "end_us closer packets").split()


def _body_pool():
    words = ("the mail server queue relay message delivery report customer "
             "order invoice schedule meeting update review project status "
             "network latency resolver lookup banner greeting timeout").split()
    out = []
    for j in range(300):
        h = hashlib.sha256(b"bench/body/%d" % j).digest()
        line, k = "", 0
        while len(line) < 60 + h[0] % 16:
            line += ("" if not line else " ") + words[h[k % 16] % len(words)]
            k += 1
        out.append(line.encode())
    out[17] = b".." + out[17]     # a body line starting with a dot, stuffed
    return out


BODY_POOL = _body_pool()
POOL = hashlib.shake_256(b"mxray-bench2/pool").digest(1 << 20)   # noise bytes


def client_of(i):
    s, r = i % NSLOT, i // NSLOT
    a = s * 40503 % NSLOT
    b2, b3, b4 = 18 + (a // 254) // 256, (a // 254) % 256, 1 + a % 254
    mx = (((s * 2654435761) & M32) >> 20) + r
    cip = "198.%d.%d.%d" % (b2, b3, b4)
    return cip, gs.reverse_name(cip), "mta-198-%d-%d-%d.example.net" % (b2, b3, b4), mx


class Plan:
    """What a worker needs besides the block: times in integer microseconds."""

    def __init__(self, rate, mx_hosts, client_dns, body):
        self.period_ns = round(1e9 / rate)
        self.jitter = max(1, self.period_ns // 1000)
        self.mx_hosts = mx_hosts
        self.client_dns = round(client_dns * 10000)
        self.body = body
        # MX 10 mxK, a pointer to example.org (the question's name)
        self.mx_answer = b"".join(
            rr(QT_MX, b"\x00\x0a" + qwire("mx%d" % (k + 1))[:-1] + b"\xc0\x0c")
            for k in range(mx_hosts))

    def t_of(self, i):
        """Session i's SYN is in [t_of(i), t_of(i + 1))."""
        return BASE_US + i * self.period_ns // 1000


def session(i, pl, st):
    """SMTP session i: (its records, its truth line, variant, duration us)."""
    p = Params(b"mxray-bench2/%d" % i)
    item = Item(2 * i)
    syn = pl.t_of(i) + p.pick(0, pl.jitter)
    v = p.pick(0, 1000)
    variant = ("slow_ptr" if v < 40 else "no_banner" if v < 70 else
               "pipelining" if v < 270 else "normal")
    cip, ptr, cname, mx = client_of(i)
    mx %= pl.mx_hosts
    sip, mxname = MX_IPS[mx], MX_NAMES[mx]
    cport = 32768 + p.pick(0, 28232)
    x = p.pick(0, 1000)
    rtt = 20000 + x * x * 11 // 20                   # 20-570 ms, mostly short
    think = p.pick(80, 3000)                         # the MX host's reply time
    truth = {"client_dns": 0}

    if p.pick(0, 10000) < pl.client_dns:            # the client's MX and A lookups
        mx_rtt, g1 = p.pick(300, 30000), p.pick(100, 800)
        a_rtt, g2 = p.pick(300, 25000), p.pick(50, 1500)
        mid, mport = client_ids(2 * i)
        aid, aport = client_ids(2 * i + 1)
        t = lookup(item, syn - g2 - a_rtt - g1 - mx_rtt, cip, mport, mid, DOMAIN_QW,
                   QT_MX, mx_rtt, pl.mx_answer, pl.mx_hosts)
        lookup(item, t + g1, cip, aport, aid, qwire(mxname), QT_A, a_rtt,
               rr(QT_A, socket.inet_aton(sip)), 1)
        truth.update(client_dns=1, mx_id=mid, mx_port=mport, amx_id=aid, amx_port=aport)
        st["client_dns"] += 1
        st["dns_tx"] += 2

    conn = Tcp(item, cip, cport, sip, 25, p)
    t_ack = conn.handshake(syn, p.pick(40, 120), rtt)
    truth.update(ack_us=t_ack, variant=variant)

    if variant == "no_banner":
        t = conn.fin(t_ack + p.pick(2_000_000, 5_000_000), 0)
        t = conn.emit(t + p.pick(30, 90), 1, ACK)
        t = conn.fin(t + p.pick(100, 400), 1)
        end = conn.emit(t + rtt, 0, ACK)
        truth.update(banner=0, rcpts=0, msg_bytes=0, closer="client")
        return _finish(i, cip, cport, sip, mxname, syn, end, truth, item)

    if variant == "slow_ptr":
        ptr_rtt, resend = 3_000_000 + p.pick(0, 200_000), (2_000_000,)
    else:
        ptr_rtt, resend = p.pick(400, 40_000), ()
    pid, pport = server_ids(2 * i)
    aid, aport = server_ids(2 * i + 1)
    t = lookup(item, t_ack + p.pick(150, 600), sip, pport, pid, qwire(ptr), QT_PTR,
               ptr_rtt, rr(QT_PTR, qwire(cname)), 1, resend)
    t = lookup(item, t + p.pick(100, 400), sip, aport, aid, qwire(cname), QT_A,
               p.pick(300, 25_000), rr(QT_A, socket.inet_aton(cip)), 1)
    st["dns_tx"] += 2
    t = conn.send(t + p.pick(200, 900), 1, b"220 %s ESMTP Postfix\r\n" % mxname.encode())
    truth.update(banner=1, banner_delay_us=t - t_ack, ptr_qname=ptr, ptr_id=pid,
                 ptr_port=pport, ptr_resends=len(resend), ptr_rtt_us=ptr_rtt,
                 a_qname=cname, a_id=aid, a_port=aport)

    def exchange(t, command, reply):
        t = conn.send(t + rtt + p.pick(0, 500), 0, command)
        return conn.send(t + think, 1, reply)

    t = exchange(t, b"EHLO %s\r\n" % cname.encode(),
                 b"250-%s\r\n" % mxname.encode() + EHLO_TAIL)
    rcpts = RCPTS[:1 + p.pick(0, 3)]
    sender = "user%d@sender%d.example" % (i % 97, i % 13)
    mail = b"MAIL FROM:<%s>\r\n" % sender.encode()
    rcpt_lines = [b"RCPT TO:<%s>\r\n" % r.encode() for r in rcpts]
    if variant == "pipelining":
        t = exchange(t, mail + b"".join(rcpt_lines) + b"DATA\r\n",
                     REPLY_MAIL + REPLY_RCPT * len(rcpts) + REPLY_DATA)
    else:
        t = exchange(t, mail, REPLY_MAIL)
        for line in rcpt_lines:
            t = exchange(t, line, REPLY_RCPT)
        t = exchange(t, b"DATA\r\n", REPLY_DATA)

    lo, hi = pl.body
    u = p.pick(0, 1000)
    size = lo + (hi - lo) * u * u // 1_000_000
    first = p.pick(0, len(BODY_POOL))
    head = ("From: <%s>\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\n"
            "Message-ID: <bench%d@sender%d.example>\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=us-ascii\r\n\r\n" % (
                sender, ", ".join("<%s>" % r for r in rcpts), SUBJECTS[i % 8],
                email.utils.formatdate(syn // 1_000_000, usegmt=True), i, i % 13)).encode()
    parts, filled, j = [head], len(head) + 3, first
    while filled < size:
        line = BODY_POOL[j % len(BODY_POOL)]
        parts.append(line + b"\r\n")
        filled += len(line) + 2
        j += 1
    parts.append(b".\r\n")
    data = b"".join(parts)
    flight, gap = 10 * MAX_SEG, 12
    t += rtt
    for off in range(0, len(data), flight):
        chunk = data[off:off + flight]
        nseg = -(-len(chunk) // MAX_SEG)
        t = conn.send(t, 0, chunk, gap=gap, peer_ack=nseg * gap + p.pick(20, 60))
        if off + flight < len(data):
            t += rtt
    t = conn.send(t + p.pick(2000, 60_000), 1,
                  b"250 2.0.0 Ok: queued as %X\r\n" % (0x10000000 + i))
    t = exchange(t, b"QUIT\r\n", REPLY_BYE)
    if p.pick(0, 2):
        end = conn.close(t + p.pick(30, 200), 1, rtt, p.pick(20, 80))
        closer = "server"
    else:
        end = conn.close(t + rtt, 0, p.pick(30, 200), rtt)
        closer = "client"
    truth.update(rcpts=len(rcpts), msg_bytes=len(data) - 3, closer=closer)
    return _finish(i, cip, cport, sip, mxname, syn, end, truth, item)


def _finish(i, cip, cport, sip, mxname, syn, end, tr, item):
    """(records, truth line, variant, duration in us)"""
    tr.update(n=i + 1, client="%s:%d" % (cip, cport), server="%s:25" % sip, mx=mxname,
              syn_us=syn, end_us=end, packets=len(item.recs))
    return (item.done(), "\t".join(str(tr.get(c, "")) for c in TRUTH_COLUMNS) + "\n",
            tr["variant"], end - syn)


# ---------------------------------------------------------------------------
# Noise
# ---------------------------------------------------------------------------

def _pool(k, j, n):
    off = ((k * 7919 + j * 104729) % ((len(POOL) - 2048) // 16)) * 16
    return POOL[off:off + n]


def noise_shape(k):
    """What decides noise flow k's size: (Params left to draw from, kind,
    sizes, estimated bytes in the capture)."""
    p = Params(b"mxray-bench2/noise/%d" % k)
    kind = p.pick(0, 100)
    if kind < 50:
        sizes = []
        for _ in range(1 + p.pick(0, 3)):
            u = p.pick(0, 1000)
            sizes.append((p.pick(300, 900), 5000 + 795_000 * u * u // 1_000_000 * u // 1000))
        segs = sum(-(-r // MAX_SEG) for _, r in sizes)
        est = (4 * 76 + 2 * 78 + 517 + len(TLS_SERVER) + 64 + 31 + 70 * (6 + len(sizes))
               + sum(q + 3 + r for q, r in sizes) + 70 * segs + 76 * (segs + len(sizes)) // 2)
        return p, "tls", sizes, est
    if kind < 90:
        x = p.pick(0, 1000)
        n = 4 + 496 * x * x // 1_000_000 * x // 1000
        return p, "quic", n, 1310 + 99 + n * 1327 + n // 2 * 99
    n = 5 + p.pick(0, 36)
    return p, "syslog", n, n * 250


def noise_flow(k, t, pl):
    """Noise flow k starting at t: (its records, its kind)."""
    p, kind, shape, _ = noise_shape(k)
    item = Item(2 * k + 1)
    cip, cport = "192.0.2.%d" % (1 + k % 254), 32768 + (k // 254) % 28232
    sip = "198.51.100.%d" % (100 + p.pick(0, 151))
    rtt = p.pick(3000, 80_000)
    if kind == "tls":
        c = Tcp(item, cip, cport, sip, 443, p)
        t = c.handshake(t, p.pick(40, 120), rtt)
        t = c.send(t + p.pick(100, 2000), 0, TLS_HELLO)
        t = c.send(t + p.pick(200, 1500), 1, TLS_SERVER, gap=12)
        t = c.send(t + rtt, 0, b"\x14\x03\x03\x00\x01\x01\x17\x03\x03\x00\x35" + _pool(k, 0, 53))
        for r, (qlen, left) in enumerate(shape):
            t = c.send(t + p.pick(50, 3000), 0, b"\x17\x03\x03" + _pool(k, r + 1, qlen))
            t += p.pick(500, 20_000)                    # the server's work
            burst, j = 10, 0
            while left > 0:                             # slow start, 10/20/40 per RTT
                ends = []
                for s in range(min(burst, -(-left // MAX_SEG))):
                    seg = _pool(k, 1000 * r + j, min(MAX_SEG, left))
                    if j == 0:
                        seg = b"\x17\x03\x03\x40\x11" + seg[5:]
                    c.emit(t + 12 * s, 1, ACK | PSH if left <= MAX_SEG else ACK, seg)
                    c.nxt[1] += len(seg)
                    left -= len(seg)
                    j += 1
                    ends.append((t + 12 * s, c.nxt[1]))
                for seg_t, upto in ends[1::2] + ([ends[-1]] if len(ends) % 2 else []):
                    last = c.emit(seg_t + rtt, 0, ACK, ack=upto)
                t += rtt + 25
                burst = min(2 * burst, 40)
            t = last
        t = c.send(t + p.pick(1000, 500_000), 0, b"\x15\x03\x03\x00\x1a" + _pool(k, 7, 26))
        c.close(t + p.pick(30, 300), 0, p.pick(30, 300), rtt)
    elif kind == "quic":
        u = Udp(item, cip, cport, sip, 443, p.pick(0, 65536))
        t = u.emit(t, 0, b"\xc3\x00\x00\x00\x01\x08" + _pool(k, 0, 1246)) + rtt // 2
        burst, j = 10, 0
        while j < shape:
            for s in range(min(burst, shape - j)):
                hdr = b"\xc1\x00\x00\x00\x01" if j < 2 else b"\x41"
                u.emit(t + 15 * s, 1, hdr + _pool(k, j + 1, 1194 + (k + j) * 37 % 150))
                if s % 2:
                    u.emit(t + 15 * s + rtt, 0, b"\x45" + _pool(k, 5000 + j, 30 + j % 20))
                j += 1
            t += rtt + 40
            burst = min(2 * burst, 40)
        u.emit(t + p.pick(100, 5000), 0, b"\x43" + _pool(k, 9999, 40))
    else:
        u = Udp(item, cip, 514, sip, 514, p.pick(0, 65536))
        for j in range(shape):
            msg = b"<134>%s bench%d app[%d]: %s" % (
                email.utils.formatdate(t // 1_000_000, usegmt=True).encode(), k % 254,
                1000 + k % 9000, b" ".join(BODY_POOL[(k + j + q) % 300] for q in range(1 + j % 3)))
            t = u.emit(t, 0, msg) + p.pick(1000, 200_000)
    return item.done(), kind


TLS_HELLO, TLS_SERVER = gs.tls_client_hello(), gs.tls_server_flight()


def _generator_hash():
    """Of the source of this file, benchwire.py and the sample generator's
    modules (constants, names, MACs, the pcap header and the TLS flights
    come from them): a capture is reused only if they are unchanged."""
    h = hashlib.sha256()
    here = os.path.dirname(os.path.abspath(__file__))
    for name in ("benchgen.py", "benchwire.py", "gen_samples.py",
                 "samplewire.py", "sampleparts.py", "scenarios_dialogue.py"):
        with open(os.path.join(here, name), "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


GENERATOR = _generator_hash()


class NoiseClock:
    """Noise flow k starts when the noise so far (estimated bytes of flows
    0..k-1) matches the target rate: us_per_byte = 1 / (noise bytes per us)."""

    def __init__(self, us_per_byte):
        self.us_per_byte = us_per_byte
        self.k, self.cum = 0, 0

    def until(self, t_end):
        """The next flows (k, start) starting before t_end."""
        out = []
        if not self.us_per_byte:
            return out
        while True:
            start = BASE_US + int(self.cum * self.us_per_byte)
            if start >= t_end:
                return out
            out.append((self.k, start))
            self.cum += noise_shape(self.k)[3]
            self.k += 1


# ---------------------------------------------------------------------------
# Generation: blocks in worker processes, merged in time order here
# ---------------------------------------------------------------------------

def _new_stats():
    return {"packets": 0, "bytes": 0, "smtp_packets": 0, "smtp_bytes": 0,
            "noise_packets": 0, "noise_bytes": 0, "dns_tx": 0, "client_dns": 0,
            "duration_us": 0, "max_duration_us": 0, "variants": {}, "noise_kinds": {}}


def gen_block(args):
    """Sessions [lo, hi) and the given noise flows: (records sorted, truth
    text, stats)."""
    lo, hi, noise, pl = args
    st = _new_stats()
    recs, truth = [], []
    for i in range(lo, hi):
        r, line, variant, d = session(i, pl, st)
        recs += r
        truth.append(line)
        st["variants"][variant] = st["variants"].get(variant, 0) + 1
        st["duration_us"] += d
        st["max_duration_us"] = max(st["max_duration_us"], d)
        st["smtp_packets"] += len(r)
        st["smtp_bytes"] += sum(len(x[1]) for x in r)
    for k, t in noise:
        r, kind = noise_flow(k, t, pl)
        recs += r
        st["noise_kinds"][kind] = st["noise_kinds"].get(kind, 0) + 1
        st["noise_packets"] += len(r)
        st["noise_bytes"] += sum(len(x[1]) for x in r)
    recs.sort(key=_KEY)
    st["bytes"] = st["smtp_bytes"] + st["noise_bytes"]
    return recs, "".join(truth), st


def _merge_stats(a, b):
    for key, v in b.items():
        if isinstance(v, dict):
            for kk, vv in v.items():
                a[key][kk] = a[key].get(kk, 0) + vv
        elif key.startswith("max_"):
            a[key] = max(a[key], v)
        else:
            a[key] += v


def _results(tasks, jobs):
    """gen_block of each task, in order; jobs processes, 2 x jobs ahead."""
    if jobs <= 1:
        for task in tasks:
            yield gen_block(task)
        return
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pending = []
        for task in tasks:
            pending.append(pool.apply_async(gen_block, (task,)))
            if len(pending) > 2 * jobs:
                yield pending.pop(0).get()
        for res in pending:
            yield res.get()


def make_plan(knobs):
    """The Plan, the calibration (mean bytes and duration of a session, from
    sessions 0..CAL-1), the session count limit, the byte target, the noise
    clock's rate."""
    pl = Plan(knobs["rate"], knobs["mx_hosts"], knobs["client_dns"],
              parse_range(knobs["body"]))
    st = _new_stats()
    sb = sd = 0
    for i in range(CAL):
        r, _, _, d = session(i, pl, st)
        sb += sum(len(x[1]) for x in r)
        sd += d
    sess_bytes, sess_s = sb / CAL, sd / CAL / 1e6
    if knobs.get("in_flight"):
        pl = Plan(knobs["in_flight"] / sess_s, knobs["mx_hosts"], knobs["client_dns"],
                  parse_range(knobs["body"]))
    f = knobs["noise"]
    noise_per_s = f / (1 - f) * sess_bytes * 1e9 / pl.period_ns
    if knobs.get("sessions"):
        n, target = knobs["sessions"], None
    else:
        target = knobs["size"] - 24
        n = int(target * (1 - f) / sess_bytes * 2) + 100      # a bound; stops at target
    return pl, n, target, 1e6 / noise_per_s if f else 0, {
        "session_bytes": round(sess_bytes), "session_s": round(sess_s, 3),
        "rate": round(1e9 / pl.period_ns, 2)}


def generate(base, knobs, jobs):
    """Write base.pcap and base.truth.tsv.gz; returns the metadata.

    Blocks of `per` sessions, each with the noise flows starting in its
    period, go to the workers; with a size target (blocks of at most 1/40 of
    it) the capture ends after the first block that brings it within half a
    block of the target."""
    pl, n, target, us_per_byte, cal = make_plan(knobs)
    block = BLOCK_BYTES if not target else min(BLOCK_BYTES, max(250_000, target / 40))
    per = max(8, round(block * (1 - knobs["noise"]) / cal["session_bytes"]))
    clock = NoiseClock(us_per_byte)
    tasks = ((lo, min(lo + per, n), clock.until(pl.t_of(min(lo + per, n))), pl)
             for lo in range(0, n, per))
    sha = hashlib.sha256()
    st = _new_stats()
    pending, last_key, sessions = [], -1, 0
    with open(base + ".pcap.part", "wb") as f, \
            open(base + ".truth.tsv.gz.part", "wb") as traw, \
            gzip.GzipFile(filename="", mode="wb", fileobj=traw, mtime=0,
                          compresslevel=6) as tz:
        head = gs.pcap_bytes(gs.LINKTYPE_ETHERNET, [])
        f.write(head)
        sha.update(head)
        tz.write(("\t".join(TRUTH_COLUMNS) + "\n").encode())
        for recs, truth, bst in _results(tasks, jobs):
            _merge_stats(st, bst)
            sessions += truth.count("\n")
            tz.write(truth.encode())
            pending += recs
            pending.sort(key=_KEY)
            final = sessions == n or (target and st["bytes"] + bst["bytes"] / 2 >= target)
            if final:
                cut = len(pending)
            else:
                limit = (pl.t_of(sessions) - PRE_US - KEY_BASE) << UID_BITS
                cut = bisect.bisect_left(pending, limit, key=_KEY)
            if cut:
                assert pending[0][0] > last_key, "records out of order"
                last_key = pending[cut - 1][0]
                out = b"".join([r for _, r in pending[:cut]])
                del pending[:cut]
                f.write(out)
                sha.update(out)
                st["packets"] += cut
            if final:
                break
    os.replace(base + ".pcap.part", base + ".pcap")
    os.replace(base + ".truth.tsv.gz.part", base + ".truth.tsv.gz")
    st["bytes"] = os.path.getsize(base + ".pcap")
    span = (pl.t_of(sessions) - BASE_US) / 1e6
    return {"bench_version": BENCH_VERSION, "generator": GENERATOR, "knobs": knobs,
            "sessions": sessions,
            "noise_flows": sum(st["noise_kinds"].values()), "packets": st["packets"],
            "bytes": st["bytes"], "sha256": sha.hexdigest(),
            "variants": dict(sorted(st["variants"].items())),
            "noise_kinds": dict(sorted(st["noise_kinds"].items())),
            "client_dns_sessions": st["client_dns"], "dns_transactions": st["dns_tx"],
            "smtp_packets": st["smtp_packets"], "smtp_bytes": st["smtp_bytes"],
            "noise_packets": st["noise_packets"], "noise_bytes": st["noise_bytes"],
            "span_s": round(span, 3), "rate": cal["rate"],
            "mean_session_s": round(st["duration_us"] / sessions / 1e6, 3),
            "max_session_s": round(st["max_duration_us"] / 1e6, 3),
            "mean_in_flight": round(st["duration_us"] / sessions / 1e3 / pl.period_ns * 1e6, 1),
            "calibration": cal, "truth": os.path.basename(base) + ".truth.tsv.gz"}


# ---------------------------------------------------------------------------
# Knobs, the cache, the command line
# ---------------------------------------------------------------------------

def parse_size(text):
    """'100M' -> 100000000 (K, M, G = 10^3, 10^6, 10^9; a plain number: bytes)."""
    t = text.strip().upper().rstrip("B")
    mult = {"K": 10**3, "M": 10**6, "G": 10**9}.get(t[-1:], 1)
    try:
        value = float(t[:-1] if mult > 1 else t) * mult
    except ValueError:
        raise ValueError("size %s: a number of bytes, or with K, M or G" % text) from None
    if value < 10**5:
        raise ValueError("size %s: at least 100K" % text)
    return int(value)


def parse_range(text):
    """'1500-12000' or '1.5K-12K' -> (1500, 12000)."""
    try:
        lo, hi = (int(float(x.strip().upper().rstrip("K")) *
                      (1000 if x.strip().upper().endswith("K") else 1))
                  for x in text.split("-"))
    except ValueError:
        raise ValueError("--body %s: LO-HI in bytes (K = 1000)" % text) from None
    if not 0 < lo <= hi:
        raise ValueError("--body %s: need 0 < LO <= HI" % text)
    return lo, hi


def add_knob_args(ap):
    ap.add_argument("--rate", type=float, default=DEFAULTS["rate"],
                    help="new SMTP sessions per second (default 940)")
    ap.add_argument("--in-flight", type=int, default=None,
                    help="instead of --rate: about this many sessions open at once")
    ap.add_argument("--mx-hosts", type=int, default=DEFAULTS["mx_hosts"])
    ap.add_argument("--client-dns", type=float, default=DEFAULTS["client_dns"],
                    help="fraction of clients that look up MX and A first (0.30)")
    ap.add_argument("--body", default=DEFAULTS["body"], help="message bytes LO-HI")
    ap.add_argument("--noise", type=float, default=DEFAULTS["noise"],
                    help="fraction of the capture's bytes that is noise (0.10)")
    ap.add_argument("--out", default="/tmp/mxray-bench")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1,
                    help="generator processes (the output does not depend on it)")
    ap.add_argument("--fresh", action="store_true",
                    help="regenerate even when a matching capture exists")


def knobs_from(args, size=None, sessions=None, noise=None):
    """The knobs of one capture (a size or a number of sessions); raises
    ValueError when one is out of range."""
    k = {"rate": args.rate, "in_flight": args.in_flight, "mx_hosts": args.mx_hosts,
         "client_dns": args.client_dns, "body": args.body,
         "noise": args.noise if noise is None else noise}
    if sessions is not None:
        k["sessions"] = sessions
    else:
        k["size"] = parse_size(size)
    parse_range(k["body"])
    if not 0 <= k["noise"] <= 0.99 or not 0 <= k["client_dns"] <= 1:
        raise ValueError("--noise must be in [0, 0.99], --client-dns in [0, 1]")
    if not 1 <= k["mx_hosts"] <= MX_MAX or k["rate"] <= 0 or (k["in_flight"] or 1) <= 0:
        raise ValueError("--mx-hosts must be 1-%d, --rate and --in-flight > 0" % MX_MAX)
    if sessions is not None and sessions < 1:
        raise ValueError("--sessions must be >= 1")
    return k


def label_of(knobs):
    if knobs.get("sessions"):
        size = "s%d" % knobs["sessions"]
    else:
        b = knobs["size"]
        size = next(("%g%s" % (b / m, u) for m, u in ((10**9, "G"), (10**6, "M"),
                                                     (10**3, "K")) if b >= m), str(b))
    digest = hashlib.sha256(json.dumps([BENCH_VERSION, knobs], sort_keys=True)
                            .encode()).hexdigest()[:8]
    return "bench-%s-n%02d-%s" % (size, round(knobs["noise"] * 100), digest)


def ensure_capture(outdir, knobs, jobs, fresh=False, say=print):
    """The capture of these knobs: reused when its .meta.json matches (knobs,
    BENCH_VERSION, the generator's source, file size, truth file present),
    else generated.
    Returns (path of the .pcap, meta)."""
    base = os.path.join(outdir, label_of(knobs))
    path, meta_path = base + ".pcap", base + ".meta.json"
    if not fresh and os.path.exists(path) and os.path.exists(meta_path) \
            and os.path.exists(base + ".truth.tsv.gz"):
        with open(meta_path) as f:
            meta = json.load(f)
        if (meta.get("bench_version") == BENCH_VERSION and meta.get("knobs") == knobs
                and meta.get("generator") == GENERATOR
                and meta.get("bytes") == os.path.getsize(path)):
            say("reusing %s (generated in %.1f s)" % (path, meta["gen_seconds"]))
            return path, meta
    os.makedirs(outdir, exist_ok=True)
    say("generating %s (%s), %d process(es) ..." % (
        path, json.dumps(knobs, sort_keys=True), jobs))
    t0 = time.perf_counter()
    meta = generate(base, knobs, jobs)
    meta["gen_seconds"] = round(time.perf_counter() - t0, 2)
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    return path, meta


def describe(path, meta, say=print):
    say("capture  %s" % path)
    say("         %d bytes (%.1f MB), %d packets; %d SMTP sessions over %.1f s "
        "(%.0f/s, %.2f s each, %.0f open at once) %s" % (
            meta["bytes"], meta["bytes"] / 1e6, meta["packets"], meta["sessions"],
            meta["span_s"], meta["rate"], meta["mean_session_s"], meta["mean_in_flight"],
            json.dumps(meta["variants"])))
    say("         %d with client MX/A lookups, %d DNS transactions; noise %d flows "
        "%s, %.1f %% of the bytes" % (
            meta["client_dns_sessions"], meta["dns_transactions"], meta["noise_flows"],
            json.dumps(meta["noise_kinds"]), 100 * meta["noise_bytes"] / max(1, meta["bytes"])))
    say("         sha256 %s, generated in %.1f s (%.1f MB/s); truth %s" % (
        meta["sha256"], meta["gen_seconds"],
        meta["bytes"] / 1e6 / max(meta["gen_seconds"], 1e-3), meta["truth"]))


def main(argv):
    ap = argparse.ArgumentParser(description="Write one benchmark capture "
                                 "(see the docstring of scripts/benchgen.py).")
    ap.add_argument("--size", default="100M")
    ap.add_argument("--sessions", type=int, default=None)
    add_knob_args(ap)
    args = ap.parse_args(argv[1:])
    try:
        knobs = knobs_from(args, size=args.size, sessions=args.sessions)
    except ValueError as e:
        ap.error(str(e))
    path, meta = ensure_capture(args.out, knobs, max(1, args.jobs), args.fresh)
    describe(path, meta)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
