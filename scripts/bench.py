#!/usr/bin/env python3
"""bench.py - throughput benchmark of mxray on a large synthetic capture.

    python3 scripts/bench.py                       # 20000 sessions, 3 runs per format
    python3 scripts/bench.py --sessions 2000       # smaller / quicker
    python3 scripts/bench.py --reuse               # skip generation if the capture exists
    python3 scripts/bench.py --callgrind           # also: instruction counts (valgrind)
    python3 scripts/bench.py --generate-only --out DIR

Options:
  --sessions N          SMTP sessions in the capture (default 20000)
  --spacing-ms MS       a new session every MS milliseconds (default 5)
  --out DIR             captures, their .meta.json and callgrind.out files
                        (default /tmp/mxray-bench)
  --mxray PATH          binary under test (default: ./mxray at the repo root)
  --repeat R            timed runs per format (default 3); the table shows the
                        median wall and CPU time and the largest peak RSS
  --formats LIST        comma-separated (default text,json,ndjson)
  --jobs J              generator processes (default: CPU count; output is
                        byte-identical whatever J is)
  --reuse               keep OUT/bench-N.pcap if its .meta.json matches
  --generate-only       write the capture, run nothing
  --callgrind           run valgrind --tool=callgrind on a small capture and
                        print the total instruction count (Ir) per format
  --callgrind-sessions N  size of that capture (default 500)

Python 3 standard library only.  The packets are built with the blocks of
scripts/gen_samples.py (IPv4/TCP/UDP with checksums, TcpConn, udp_lookup, the
DNS message builder, Ethernet framing, the pcap writer, message()); this file
only adds per-session parameters, the interleaving and an incremental writer.

The capture (classic pcap, Ethernet, microsecond timestamps) is deterministic:
every parameter of session i is taken from SHAKE-256("mxray-bench/i"), so two
runs write byte-identical files (the SHA-256 of the file is printed).  It is
what a capture on a busy MX (203.0.113.25, mx1.example.org) would hold:

  * session i starts (client SYN) at 1700000000 + i * spacing; it lasts about
    0.2-5 s, so ~1000 sessions are open at once at the default spacing;
  * clients come from 192.0.2.0/24, 198.51.100.0/24 and 203.0.113.0/24 (759
    addresses, round robin), each with its own ephemeral port, so every
    4-tuple is unique;
  * RTT 15-415 ms (skewed towards short), seen from the server: its own
    packets follow the client's by tens of microseconds;
  * the server asks 198.51.100.53 PTR of the client address, then A of the
    name returned, before its banner (UDP DNS, distinct ids and ports);
  * then EHLO, MAIL, 1-3 RCPT, DATA, a 2-20 KB message in <= 1448-byte
    segments sent in flights of 10 (the server ACKs every second segment),
    250 queued, QUIT, 221 and the FINs (server or client first);
  * variants: 4 % slow PTR (re-sent at +2 s, answered after 3 s), 3 % no
    banner (no DNS, the client FINs after 2-5 s), 20 % PIPELINING (MAIL,
    RCPTs and DATA in one segment, the replies in one segment).

Packets are merged across sessions in (timestamp, session) order with a heap
holding only the sessions still open, and written in batches, so memory stays
at a few tens of MB whatever the size.

Each timed run is `mxray -q -r CAPTURE --format F` with stdout to /dev/null.
Wall time is measured here; user+sys CPU comes from wait4() on the child;
peak RSS from `/usr/bin/time -v` when it is installed (apt-get install time),
else from wait4() (then it may include the RSS of this Python process at fork
time); see scripts/measure.py.  Every run must exit 0.  Before them, one untimed json run and one
untimed ndjson run, piped into this script, must report N sessions and every
packet of the capture: only the summary is parsed (the ndjson's last line;
the json's tail from its top-level "inputs" key on, as the documents reach
GBs), and the ndjson session lines are counted.  MB = 10^6 bytes.

The script prints figures; it asserts nothing about speed.  Callgrind's Ir
count hardly depends on anything but the binary and the input (text: equal to
~100 instructions between runs; json/ndjson: within ~0.05 %, as jansson seeds
its hash tables from /dev/urandom), so it is the figure to compare between
commits; wall times vary with the machine's load (printed with the table).
--callgrind takes a few minutes (json runs ~50x slower under valgrind).
"""

import argparse
import hashlib
import heapq
import json
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time

SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
sys.path.insert(0, SCRIPTS_DIR)
import gen_samples as gs  # noqa: E402
from gen_samples import CLIENT, SERVER, MAX_SEG, lines, us  # noqa: E402
from measure import (GNU_TIME, NO_GNU_TIME, json_tail_summary,  # noqa: E402
                     read_tail, run_measured)

BENCH_VERSION = 1                 # bump when the generated traffic changes
BASE_US = gs.BASE_US              # session 0's SYN at 1700000000.000000
SERVER_IP = gs.SERVER_IP          # 203.0.113.25, mx1.example.org
RESOLVER_IP = gs.RESOLVER_IP      # 198.51.100.53
LINK = gs.Ethernet()

# 759 client addresses from the three documentation ranges, minus the cast
_TAKEN = {SERVER_IP, gs.SERVER2_IP, RESOLVER_IP}
CLIENT_ADDRS = [a for a in ["%s.%d" % (net, h)
                            for net in ("192.0.2", "198.51.100", "203.0.113")
                            for h in range(1, 255)] if a not in _TAKEN]
NET_NAMES = {"192.0.2": "alpha", "198.51.100": "bravo", "203.0.113": "charlie"}
EPHEMERAL_LO, EPHEMERAL_N = 32768, 28232   # Linux default 32768-60999

RCPTS = ["bob@example.org", "carol@example.org", "dave@example.org"]
SUBJECTS = ["Invoice", "Meeting notes", "Weekly report", "Re: schedule",
            "Newsletter", "Order confirmation", "Fwd: photos", "Ticket update"]


def _body_pool():
    """~300 text lines of 60-75 characters to cut message bodies from."""
    words = ("the mail server queue relay message delivery report customer "
             "order invoice schedule meeting update review project status "
             "network latency resolver lookup banner greeting timeout").split()
    out = []
    for j in range(300):
        h = gs.det_bytes("bench/body/%d" % j, 16)
        line, k = "", 0
        while len(line) < 60 + h[0] % 16:
            line += ("" if not line else " ") + words[h[k % 16] % len(words)]
            k += 1
        out.append(line)
    out[17] = "." + out[17]      # one line that is dot-stuffed on the wire
    return out


BODY_POOL = _body_pool()


class Params:
    """Per-session knobs: integers drawn from SHAKE-256 of the session index."""

    def __init__(self, i):
        self._h = hashlib.shake_256(b"mxray-bench/%d" % i).digest(128)
        self._k = 0

    def pick(self, lo, hi):
        """An integer in [lo, hi) from the next 16 bits."""
        assert self._k < len(self._h), "Params: out of bits"
        v = int.from_bytes(self._h[self._k:self._k + 2], "big")
        self._k += 2
        return lo + v * (hi - lo) // 65536


class SessionCapture(gs.Capture):
    """gs.Capture with a base time of our choosing (it derives it from `number`)."""

    def __init__(self, index, base_us):
        super().__init__(index + 1, LINK)
        self.base = base_us


class SessionIds:
    """DNS ids and source ports of the server's lookups (gs.Ids hard-codes the
    sample cast and overflows the port range past a few thousand scenarios).
    Ids are a bijection of the query number mod 2^16, so no two of the first
    65536 queries share one."""

    def __init__(self, index):
        self.q = 2 * index

    def next(self, asker):
        n, self.q = self.q, self.q + 1
        return (n * 40503 + 0x2F1D) & 0xFFFF, 1024 + (n * 7919) % 64511


def client_of(i):
    addr = CLIENT_ADDRS[i % len(CLIENT_ADDRS)]
    port = EPHEMERAL_LO + (i // len(CLIENT_ADDRS)) * 4099 % EPHEMERAL_N
    net, host = addr.rsplit(".", 1)
    name = "mta%s.%s.example" % (host, NET_NAMES[net])
    ptr = ".".join(reversed(addr.split("."))) + ".in-addr.arpa"
    return addr, port, name, ptr


def variant_of(p):
    v = p.pick(0, 1000)
    if v < 40:
        return "slow_ptr"
    if v < 70:
        return "no_banner"
    if v < 270:
        return "pipelining"
    return "normal"


def session_frames(i, spacing_us):
    """All frames of session i: a list of (absolute µs, Ethernet frame)."""
    p = Params(i)
    variant = variant_of(p)
    cap = SessionCapture(i, BASE_US + i * spacing_us)
    ids = SessionIds(i)
    cip, cport, cname, ptr = client_of(i)
    x = p.pick(0, 1000)
    rtt = us(ms=15) + x * x * 400 // 1000          # 15-415 ms, mostly short
    think = p.pick(us(micro=80), us(ms=3))          # server reply to a command

    conn = gs.TcpConn(cap, cip, cport, SERVER_IP, 25, "bench/%d" % i)
    _, _, t_ack = conn.handshake(0, p.pick(40, 120), rtt)

    if variant == "no_banner":
        t = conn.fin(t_ack + p.pick(us(seconds=2), us(seconds=5)), CLIENT)
        t = conn.ack(t + p.pick(30, 90), SERVER)
        t = conn.fin(t + p.pick(100, 400), SERVER)
        conn.ack(t + rtt, CLIENT)
        return cap.frames(), variant

    # the server's checks of the client, then its banner
    if variant == "slow_ptr":
        ptr_rtt = us(seconds=3) + p.pick(0, us(ms=200))
        resend = [us(seconds=2)]
    else:
        ptr_rtt = p.pick(us(micro=400), us(ms=40))
        resend = []
    t = gs.udp_lookup(cap, ids, t_ack + p.pick(150, 600), SERVER_IP, ptr, "PTR",
                      ptr_rtt, [(ptr, "PTR", 3600, cname)], retransmit_at=resend)
    t = gs.udp_lookup(cap, ids, t + p.pick(100, 400), SERVER_IP, cname, "A",
                      p.pick(us(micro=300), us(ms=25)), [(cname, "A", 3600, cip)])
    t = conn.send(t + p.pick(200, 900), SERVER, lines(gs.BANNER_POSTFIX))

    def exchange(t, command, reply):
        t = conn.send(t + rtt + p.pick(0, 500), CLIENT, command)
        return conn.send(t + think, SERVER, reply)

    t = exchange(t, lines("EHLO " + cname), lines(*gs.EHLO_POSTFIX))
    rcpts = RCPTS[:1 + p.pick(0, 3)]
    mail = "MAIL FROM:<user%d@sender%d.example>" % (i % 97, i % 13)
    if variant == "pipelining":
        t = exchange(t, lines(mail, *["RCPT TO:<%s>" % r for r in rcpts], "DATA"),
                     lines(gs.REPLY_MAIL, *[gs.REPLY_RCPT] * len(rcpts),
                           gs.REPLY_DATA))
    else:
        t = exchange(t, lines(mail), lines(gs.REPLY_MAIL))
        for r in rcpts:
            t = exchange(t, lines("RCPT TO:<%s>" % r), lines(gs.REPLY_RCPT))
        t = exchange(t, lines("DATA"), lines(gs.REPLY_DATA))

    # the message, in flights of 10 segments, each ACKed by the server
    size = p.pick(2048, 20480)
    first = p.pick(0, len(BODY_POOL))
    body = ["Session %d of the mxray benchmark." % i, ""]
    filled = 400                                   # ~400 bytes of headers
    while filled < size:
        body.append(BODY_POOL[(first + len(body)) % len(BODY_POOL)])
        filled += len(body[-1]) + 2
    data = gs.message(i + 1, SUBJECTS[i % len(SUBJECTS)], body, rcpts)
    flight, gap = 10 * MAX_SEG, 12
    t += rtt
    for off in range(0, len(data), flight):
        chunk = data[off:off + flight]
        nseg = -(-len(chunk) // MAX_SEG)
        t = conn.send(t, CLIENT, chunk, gap=gap, peer_ack=nseg * gap + p.pick(20, 60))
        if off + flight < len(data):
            t += rtt
    t = conn.send(t + p.pick(us(ms=2), us(ms=60)), SERVER,
                  lines("250 2.0.0 Ok: queued as %X" % (0x10000000 + i)))

    t = exchange(t, lines("QUIT"), lines(gs.REPLY_BYE))
    if p.pick(0, 2):
        conn.close(t + p.pick(30, 200), SERVER, rtt, p.pick(20, 80))
    else:
        conn.close(t + rtt, CLIENT, p.pick(30, 200), rtt)
    return cap.frames(), variant


def _session_block(args):
    lo, hi, spacing_us = args
    return [session_frames(i, spacing_us) for i in range(lo, hi)]


def _blocks(n, spacing_us, jobs, block=500):
    """Yield the sessions in order, generated by `jobs` processes a block at a
    time, with at most 2 * jobs blocks in flight (bounded memory)."""
    ranges = [(lo, min(lo + block, n), spacing_us) for lo in range(0, n, block)]
    if jobs <= 1:
        for r in ranges:
            yield from _session_block(r)
        return
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(jobs) as pool:
        pending = []
        for r in ranges:
            pending.append(pool.apply_async(_session_block, (r,)))
            if len(pending) > 2 * jobs:
                yield from pending.pop(0).get()
        for res in pending:
            yield from res.get()


def generate(path, n, spacing_us, jobs):
    """Write the capture; returns its metadata (packets, bytes, sha256, ...)."""
    tmp = path + ".part"
    sha = hashlib.sha256()
    packets = 0
    variants = {}
    heap = []            # (ts, session, position, frames): one entry per open session
    batch = []

    with open(tmp, "wb") as f:
        def put(data):
            sha.update(data)
            f.write(data)

        def flush():
            # gs.pcap_bytes writes a whole file; keep its records, drop its header
            put(gs.pcap_bytes(LINK.linktype, batch)[24:])
            batch.clear()

        def emit_before(limit):
            nonlocal packets
            while heap and (limit is None or heap[0][0] < limit):
                ts, s, pos, frames = heap[0]
                batch.append(frames[pos])
                packets += 1
                if pos + 1 < len(frames):
                    heapq.heapreplace(heap, (frames[pos + 1][0], s, pos + 1, frames))
                else:
                    heapq.heappop(heap)
                if len(batch) >= 8192:
                    flush()

        put(gs.pcap_bytes(LINK.linktype, []))              # the file header
        for s, (frames, variant) in enumerate(_blocks(n, spacing_us, jobs)):
            variants[variant] = variants.get(variant, 0) + 1
            start = frames[0][0]
            assert start == min(ts for ts, _ in frames)
            # no later session has a packet before `start`: emit what precedes it
            emit_before(start)
            heapq.heappush(heap, (start, s, 0, frames))
        emit_before(None)
        flush()
    os.replace(tmp, path)
    return {"bench_version": BENCH_VERSION, "sessions": n, "spacing_us": spacing_us,
            "packets": packets, "bytes": os.path.getsize(path),
            "sha256": sha.hexdigest(), "variants": dict(sorted(variants.items())),
            "dns_transactions": 2 * (n - variants.get("no_banner", 0))}


def ensure_capture(outdir, n, spacing_us, jobs, reuse):
    path = os.path.join(outdir, "bench-%d.pcap" % n)
    meta_path = path[:-len(".pcap")] + ".meta.json"
    if reuse and os.path.exists(path) and os.path.exists(meta_path):
        with open(meta_path) as f:
            meta = json.load(f)
        if (meta.get("bench_version") == BENCH_VERSION and meta.get("sessions") == n
                and meta.get("spacing_us") == spacing_us
                and meta.get("bytes") == os.path.getsize(path)):
            print("reusing %s (generated in %.1f s)" % (path, meta["gen_seconds"]))
            return path, meta
    os.makedirs(outdir, exist_ok=True)
    print("generating %s: %d sessions, one every %.3f ms, %d process(es) ..."
          % (path, n, spacing_us / 1000, jobs), flush=True)
    t0 = time.perf_counter()
    meta = generate(path, n, spacing_us, jobs)
    meta["gen_seconds"] = round(time.perf_counter() - t0, 2)
    with open(meta_path, "w") as f:
        json.dump(meta, f, indent=1)
    return path, meta


def describe(path, meta):
    print("capture  %s" % path)
    print("         %d bytes (%.1f MB), %d packets, %d sessions %s, "
          "%d DNS transactions expected" % (
              meta["bytes"], meta["bytes"] / 1e6, meta["packets"], meta["sessions"],
              json.dumps(meta["variants"]), meta["dns_transactions"]))
    print("         sha256 %s, generated in %.1f s" % (meta["sha256"], meta["gen_seconds"]))


# --------------------------------------------------------------------------
# Running mxray
# --------------------------------------------------------------------------

def check_run(fmt, res):
    if res["status"] != 0:
        sys.exit("mxray --format %s exited %d: %s" % (fmt, res["status"],
                                                     res["stderr"].strip()))


def report_summary(mxray, path, fmt):
    """One untimed run with the report piped here; parses only its summary.

    ndjson: the last line, and the session lines are counted.  json: the
    document can be GBs, so only its last 2 MB are kept (see
    measure.json_tail_summary).
    Returns (summary, inputs, session lines or None, output bytes).
    """
    out = {"listed": None}

    def consume(pipe):
        if fmt == "ndjson":
            out["listed"] = out["total"] = 0
            for line in pipe:
                out["total"] += len(line)
                if line.startswith(b'{"type":"session"'):
                    out["listed"] += 1
                out["tail"] = line
        else:
            out["tail"], out["total"] = read_tail(pipe, 2 << 20)

    check_run(fmt, run_measured([mxray, "-q", "-r", path, "--format", fmt],
                                consume=consume))
    if fmt == "ndjson":
        summary = json.loads(out["tail"])
        if summary.get("type") != "summary":
            sys.exit("ndjson: the last line is not the summary")
        return summary, summary["inputs"], out["listed"], out["total"]
    doc = json_tail_summary(out["tail"])
    if doc is None:
        sys.exit("json: no summary after the last top-level \"inputs\" in the "
                 "last %d bytes" % len(out["tail"]))
    return doc["summary"], doc["inputs"], None, out["total"]


def verify(mxray, path, meta):
    """The json and ndjson reports must count every session and packet."""
    problems = []
    for fmt in ("json", "ndjson"):
        summary, inputs, listed, size = report_summary(mxray, path, fmt)
        got = (summary["sessions"], inputs[0]["packets"], summary["dns_transactions"])
        print("verify   %-6s summary: %d sessions%s, %d packets, %d DNS transactions, "
              "evicted %s; %.1f MB of output" % (
                  fmt, got[0], "" if listed is None else " (%d session lines)" % listed,
                  got[1], got[2], json.dumps(summary["evicted"]), size / 1e6))
        if got[0] != meta["sessions"] or (listed is not None and listed != got[0]):
            problems.append("%s: %d sessions, expected %d" % (fmt, got[0], meta["sessions"]))
        if got[1] != meta["packets"]:
            problems.append("%s: %d packets read, expected %d" % (fmt, got[1], meta["packets"]))
        if got[2] != meta["dns_transactions"]:
            print("         note: %d DNS transactions reported, %d generated"
                  % (got[2], meta["dns_transactions"]))
    if problems:
        sys.exit("verification failed: " + "; ".join(problems))


def bench(mxray, path, meta, formats, repeat):
    mb = meta["bytes"] / 1e6
    rows = []
    load_before = os.getloadavg()[0]
    for fmt in formats:
        runs = []
        for _ in range(repeat):
            res = run_measured([mxray, "-q", "-r", path, "--format", fmt])
            check_run(fmt, res)
            runs.append(res)
        wall = statistics.median(r["wall"] for r in runs)
        cpu = statistics.median(r["cpu"] for r in runs)
        rss = max(r["rss_kb"] for r in runs) * 1024 / 1e6
        rows.append((fmt, wall, cpu, rss, [r["wall"] for r in runs]))

    print()
    print("mxray %s, %d run(s) per format, output to /dev/null, median times; "
          "load average %.2f before, %.2f after, %d CPUs" % (
              mxray, repeat, load_before, os.getloadavg()[0], os.cpu_count() or 0))
    head = ("format", "packets", "MB", "seconds", "cpu s", "packets/s", "MB/s",
            "sessions/s", "peak RSS MB")
    print("%-7s %9s %8s %8s %8s %10s %8s %10s %11s" % head)
    for fmt, wall, cpu, rss, _ in rows:
        print("%-7s %9d %8.1f %8.3f %8.3f %10.0f %8.1f %10.0f %11.1f" % (
            fmt, meta["packets"], mb, wall, cpu, meta["packets"] / wall, mb / wall,
            meta["sessions"] / wall, rss))
    for fmt, _, _, _, walls in rows:
        print("  %-6s wall per run: %s" % (fmt, " ".join("%.3f" % w for w in walls)))


def callgrind(mxray, outdir, n, spacing_us, jobs, reuse, formats):
    if not shutil.which("valgrind"):
        sys.exit("--callgrind: valgrind is not installed (apt-get install valgrind)")
    print()
    path, meta = ensure_capture(outdir, n, spacing_us, jobs, reuse)
    describe(path, meta)
    for fmt in formats:
        cg_out = os.path.join(outdir, "callgrind.out.%d.%s" % (n, fmt))
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg_out,
               mxray, "-q", "-r", path, "--format", fmt]
        t0 = time.perf_counter()
        with open(os.devnull, "wb") as out:
            p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit("callgrind run (%s) exited %d:\n%s"
                     % (fmt, p.returncode, p.stderr.decode("utf-8", "replace")))
        ir = None
        with open(cg_out) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    ir = int(line.split()[1])
        print("callgrind %-6s Ir %15d  (%.0f per packet, %.0f per session; "
              "%.1f s under valgrind; %s)" % (fmt, ir, ir / meta["packets"],
                                              ir / meta["sessions"], wall, cg_out))


def main(argv):
    ap = argparse.ArgumentParser(
        description="Benchmark mxray on a large deterministic synthetic capture.",
        epilog="See the docstring at the top of scripts/bench.py.")
    ap.add_argument("--sessions", type=int, default=20000)
    ap.add_argument("--spacing-ms", type=float, default=5.0)
    ap.add_argument("--out", default="/tmp/mxray-bench")
    ap.add_argument("--mxray", default=os.path.join(REPO_ROOT, "mxray"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="text,json,ndjson")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--callgrind-sessions", type=int, default=500)
    args = ap.parse_args(argv[1:])

    formats = [f for f in args.formats.split(",") if f]
    bad = [f for f in formats if f not in ("text", "json", "ndjson")]
    if bad or args.sessions < 1 or args.repeat < 1 or args.spacing_ms <= 0:
        ap.error("bad --formats, --sessions, --repeat or --spacing-ms")
    spacing_us = round(args.spacing_ms * 1000)
    mxray = os.path.abspath(args.mxray)
    if not args.generate_only and not os.access(mxray, os.X_OK):
        sys.exit("%s: not found or not executable (run make first)" % mxray)
    if not GNU_TIME:
        print(NO_GNU_TIME)

    path, meta = ensure_capture(args.out, args.sessions, spacing_us, args.jobs,
                                args.reuse)
    describe(path, meta)
    if args.generate_only:
        return 0
    verify(mxray, path, meta)
    bench(mxray, path, meta, formats, args.repeat)
    if args.callgrind:
        callgrind(mxray, args.out, args.callgrind_sessions, spacing_us, args.jobs,
                  args.reuse or args.callgrind_sessions == args.sessions, formats)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
