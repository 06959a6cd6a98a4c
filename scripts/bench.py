#!/usr/bin/env python3
"""bench.py - throughput of mxray on captures of a busy receiving mail site.

    make bench                                  # python3 scripts/bench.py $(BENCH_ARGS)
    python3 scripts/bench.py --sizes 100M       # quick: the 100 MB capture only
    python3 scripts/bench.py --sizes 100M,1G --repeat 5
    python3 scripts/bench.py --sessions 3000    # one capture of 3000 sessions
    python3 scripts/bench.py --generate-only    # write the captures, run nothing
    python3 scripts/bench.py --callgrind        # also: instruction counts (valgrind)

It prints figures and asserts nothing about speed.  Python 3 standard
library only.

Captures (scripts/benchgen.py, whose docstring describes the traffic and the
truth file written beside each capture): 16 MX hosts behind one site
resolver, ~940 new SMTP sessions/s, ~2,000 open at once, 30 % of the
clients looking the MX up first, 4 % slow PTR, 3 % no banner, 20 %
PIPELINING, 1.5-12 KB messages, and unrelated TLS / QUIC / syslog traffic as
10 % of the bytes.  --sizes picks the captures: SIZE[:NOISE], comma
separated, default 100M,1G,2G,1G:0.9 (the same mail traffic at 100 MB, 1 GB,
2 GB, then a noise-heavy 1 GB where 90 % of the bytes are noise; sizes in
10^6 / 10^9 bytes).  Each is written once under --out (default
/tmp/mxray-bench, ~4 GB for the default set; ~20-30 s per GB on 2 cores)
and reused while its .meta.json matches the knobs, BENCH_VERSION and the
generator's source (--fresh regenerates anyway).

Options:
  --sizes LIST          captures to run, as above (default 100M,1G,2G,1G:0.9)
  --sessions N          instead: one capture of N sessions (at --noise)
  --rate R | --in-flight N, --mx-hosts N, --client-dns F, --body LO-HI,
  --noise F             the traffic knobs (see scripts/benchgen.py)
  --out DIR             captures, truth files, readloop, callgrind.out files
  --mxray PATH          binary under test (default: ./mxray at the repo root)
  --repeat R            timed runs of each program per capture (default 3)
  --formats LIST        comma-separated (default text,json,ndjson; also
                        text-w: text with -w writing the flagged sessions'
                        packets to a temporary pcap)
  --check MODE          untimed runs that check the reports (below): auto
                        (default: all for captures up to 300 MB, ndjson
                        above), all, ndjson, none
  --jobs J              generator processes (the captures do not depend on it)
  --fresh               regenerate the captures even when they match
  --generate-only       write the captures, run nothing
  --callgrind           run valgrind --tool=callgrind on a small capture (same
                        knobs) and print the total instruction count (Ir) per
                        format and of the read loop
  --callgrind-sessions N  size of that capture (default 500)
  --paired P            also the linearity from P pairs (below)

What a run does, per capture:
  * the reference: scripts/readloop.c, the bare libpcap loop
    (pcap_open_offline + pcap_next_ex, counting packets and bytes), built
    here with `cc -O2 -o OUT/readloop scripts/readloop.c -lpcap`; its packet
    count must match the generator's, and its captured and wire byte totals
    the capture's size less the file and record headers (24 + 16 per packet);
  * checks (untimed, they also warm the page cache and give each format's
    output size): `mxray -q -r CAPTURE --format F` piped here must exit 0
    and report every session and every packet: ndjson's last line is the
    summary and its session lines are counted; of json only the tail from
    the top-level "inputs" key on is parsed (the document reaches GBs); text
    is only counted.  With --check ndjson only the ndjson run is made and the
    other output sizes are shown as "-";
  * timed runs: R rounds, each running the read loop and then mxray in each
    format, stdout to /dev/null.  Wall time is measured here; user+sys CPU
    comes from wait4(); peak RSS from `/usr/bin/time -v` when installed
    (apt-get install time), else from wait4() (then it may include this
    Python process's RSS at fork time); see scripts/measure.py.  Every run
    must exit 0.

The table per capture: median seconds and CPU seconds, MB/s and packets/s
of the capture file (MB = 10^6 bytes), MB/s as a percentage of the read
loop's, the largest peak RSS, the output size.  Then, for each capture
larger than the smallest one with the same noise, the linearity of each
format: time(big) / (k x time(small)), k = bytes(big) / bytes(small)
(1.00 = linear; time(1 GB) / (10 x time(100 MB)) for the defaults).  The
machine (CPU model, cores, load average, memory) is printed first: wall
times depend on it and on the load.  The full default run takes about
20-30 minutes on 2 cores; --sizes 100M under one.

--paired P measures the linearity again in a way this noisy machine's drift
cannot skew: P pairs per format, each running the larger capture once and
then the smallest one of the same noise k times in a row (k rounded up);
each pair gives time(big) / (k x mean time(small)), and the median and the
range of those ratios are printed.  It takes about 2 x P x the big
capture's time per format.

Callgrind's Ir count hardly depends on anything but the binary and the input
(text: equal to ~100 instructions between runs; json/ndjson: within ~0.05 %,
as jansson seeds its hash tables from /dev/urandom), so it is the figure to
compare between commits.  --callgrind takes a few minutes.
"""

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPTS_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(SCRIPTS_DIR)
sys.path.insert(0, SCRIPTS_DIR)
import benchgen  # noqa: E402
from measure import (GNU_TIME, NO_GNU_TIME, json_tail_summary,  # noqa: E402
                     read_tail, run_measured)

# text-w: the text report, and -w writing the flagged sessions' packets
FORMATS = ("text", "json", "ndjson", "text-w")
W_PCAP = os.path.join(tempfile.gettempdir(), "mxray-bench-w.pcap")


def mxray_cmd(mxray, path, name):
    """The command that writes format name of path to standard output."""
    if name == "text-w":
        return [mxray, "-q", "-r", path, "--format", "text", "-w", W_PCAP]
    return [mxray, "-q", "-r", path, "--format", name]

DEFAULT_SIZES = "100M,1G,2G,1G:0.9"
CHECK_ALL_UP_TO = 300e6          # --check auto: all formats up to this size


def say(*a):
    print(*a, flush=True)


# --------------------------------------------------------------------------
# The machine, the read loop
# --------------------------------------------------------------------------

def machine(mxray):
    model, cores = "?", set()
    phys = None
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                key, _, val = line.partition(":")
                key, val = key.strip(), val.strip()
                if key == "model name" and model == "?":
                    model = val
                elif key == "physical id":
                    phys = val
                elif key == "core id":
                    cores.add((phys, val))
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = "%.1f GB" % (int(f.readline().split()[1]) / 1e6)
    except (OSError, ValueError, IndexError):
        pass
    try:
        version = subprocess.run([mxray, "--version"], capture_output=True, text=True,
                                 timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        version = "?"
    load = os.getloadavg()
    say("machine  %s; %d logical CPUs, %s cores; %s RAM; Linux %s; Python %s" % (
        model, os.cpu_count() or 0, len(cores) or "?", mem, platform.release(),
        platform.python_version()))
    say("         load average %.2f %.2f %.2f; mxray %s (%s)" % (
        load[0], load[1], load[2], mxray, version or "?"))
    if not GNU_TIME:
        say(NO_GNU_TIME)


def build_readloop(outdir):
    os.makedirs(outdir, exist_ok=True)
    exe = os.path.join(outdir, "readloop")
    cmd = ["cc", "-O2", "-o", exe, os.path.join(SCRIPTS_DIR, "readloop.c"), "-lpcap"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("building the read loop failed (%s):\n%s" % (" ".join(cmd), p.stderr))
    return exe


# --------------------------------------------------------------------------
# Checks: untimed runs piped here
# --------------------------------------------------------------------------

def fail(what, res):
    if res["status"] != 0:
        sys.exit("%s exited %d: %s" % (what, res["status"], res["stderr"].strip()))


def readloop_count(readloop, path, meta):
    out = {}

    def consume(pipe):
        out["text"] = pipe.read().decode()

    res = run_measured([readloop, path], consume=consume)
    fail("readloop", res)
    packets, caplen, wirelen = (int(x) for x in out["text"].split())
    if packets != meta["packets"]:
        sys.exit("readloop read %d packets, the generator wrote %d" % (packets, meta["packets"]))
    want = meta["bytes"] - 24 - 16 * meta["packets"]     # nothing is truncated
    if caplen != want or wirelen != want:
        sys.exit("readloop read %d captured / %d wire bytes of packets, the "
                 "generator wrote %d" % (caplen, wirelen, want))


def report_run(mxray, path, fmt):
    """One run with the report piped here.  Returns (summary, inputs, session
    lines or None, output bytes); summary is None for text."""
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

    fail("mxray --format %s" % fmt,
         run_measured(mxray_cmd(mxray, path, fmt), consume=consume))
    if fmt.startswith("text"):
        return None, None, None, out["total"]
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


def check(mxray, path, meta, formats, mode):
    """The reports must count every session and packet; returns the output
    size per format (of the formats run)."""
    if mode == "auto":
        mode = "all" if meta["bytes"] <= CHECK_ALL_UP_TO else "ndjson"
    run = [] if mode == "none" else [f for f in formats if mode == "all" or f == "ndjson"]
    sizes, problems = {}, []
    for fmt in run:
        summary, inputs, listed, size = report_run(mxray, path, fmt)
        sizes[fmt] = size
        if summary is None:
            say("check    %-6s %.1f MB of output" % (fmt, size / 1e6))
            continue
        got = (summary["sessions"], inputs[0]["packets"], summary["dns_transactions"])
        say("check    %-6s %d sessions%s, %d packets, %d DNS transactions, evicted %s; "
            "%.1f MB of output" % (
                fmt, got[0], "" if listed is None else " (%d session lines)" % listed,
                got[1], got[2], json.dumps(summary["evicted"]), size / 1e6))
        if got[0] != meta["sessions"]:
            problems.append("%s: %d sessions, expected %d" % (fmt, got[0], meta["sessions"]))
        if listed is not None and listed != got[0]:
            problems.append("%s: %d session lines, the summary counts %d sessions"
                            % (fmt, listed, got[0]))
        if got[1] != meta["packets"]:
            problems.append("%s: %d packets read, expected %d" % (fmt, got[1], meta["packets"]))
        if got[2] != meta["dns_transactions"]:
            say("         note: %d DNS transactions reported, %d generated"
                % (got[2], meta["dns_transactions"]))
    if problems:
        sys.exit("check failed: " + "; ".join(problems))
    return sizes


# --------------------------------------------------------------------------
# Timed runs
# --------------------------------------------------------------------------

def timed(mxray, readloop, path, formats, repeat):
    """R rounds of the read loop then each format; {name: [runs]}."""
    runs = {name: [] for name in ["readloop"] + formats}
    for _ in range(repeat):
        for name in runs:
            cmd = ([readloop, path] if name == "readloop"
                   else mxray_cmd(mxray, path, name))
            res = run_measured(cmd)
            fail(name, res)
            runs[name].append(res)
    return runs


def table(meta, runs, sizes, repeat, load_before):
    mb = meta["bytes"] / 1e6
    rows = {}
    for name, rs in runs.items():
        wall = statistics.median(r["wall"] for r in rs)
        rows[name] = {"wall": wall, "cpu": statistics.median(r["cpu"] for r in rs),
                      "rss": max(r["rss_kb"] for r in rs) * 1024 / 1e6,
                      "walls": [r["wall"] for r in rs]}
    ref = mb / rows["readloop"]["wall"]
    say("")
    say("%d run(s) each, output to /dev/null, median times; load average %.2f "
        "before, %.2f after" % (repeat, load_before, os.getloadavg()[0]))
    say("%-9s %9s %8s %9s %10s %9s %11s %10s" % (
        "", "seconds", "cpu s", "MB/s", "packets/s", "% of loop", "peak RSS MB",
        "output MB"))
    for name, r in rows.items():
        out = sizes.get(name)
        say("%-9s %9.3f %8.3f %9.1f %10.0f %9.1f %11.1f %10s" % (
            name, r["wall"], r["cpu"], mb / r["wall"], meta["packets"] / r["wall"],
            100 * (mb / r["wall"]) / ref, r["rss"],
            "-" if out is None else "%.1f" % (out / 1e6)))
    for name, r in rows.items():
        say("  %-8s wall per run: %s" % (name, " ".join("%.3f" % w for w in r["walls"])))
    return rows


def against_smallest(items):
    """For each (label, meta, x) larger than the smallest item of the same
    noise: (label, k, that item's label, x, its x), k = the size ratio."""
    out = []
    for label, meta, x in items:
        same = [(m["bytes"], lab, y) for lab, m, y in items
                if m["knobs"]["noise"] == meta["knobs"]["noise"]]
        b0, lab0, x0 = min(same, key=lambda t: t[0])
        if meta["bytes"] > b0:
            out.append((label, meta["bytes"] / b0, lab0, x, x0))
    return out


def linearity(results, formats):
    """time(big) / (k x time(small)) against the smallest capture of the same
    noise, k = the ratio of their sizes."""
    lines = []
    for label, k, lab0, rows, rows0 in against_smallest(results):
        lines.append("  %-9s / (%5.2f x %s): %s" % (label, k, lab0, "  ".join(
            "%s %.2f" % (name, rows[name]["wall"] / (k * rows0[name]["wall"]))
            for name in ["readloop"] + formats)))
    if lines:
        say("")
        say("linearity: time(capture) / (k x time(smaller capture)), 1.00 = linear")
        for line in lines:
            say(line)


def paired(mxray, captures, formats, pairs):
    """Linearity again, robust to a machine whose speed drifts: each pair
    runs the big capture once and the small one k times in a row (k its
    size ratio, rounded up), back to back; ratio = time(big) / (k x mean
    time(small run)).  Prints the median and range of the pairs' ratios."""
    lines = []
    for label, k, lab0, path, path0 in against_smallest(captures):
        reps = int(math.ceil(k))
        cells = []
        for fmt in formats:
            ratios = []
            for _ in range(pairs):
                big = run_measured(mxray_cmd(mxray, path, fmt))
                fail(fmt, big)
                small = []
                for _ in range(reps):
                    res = run_measured(mxray_cmd(mxray, path0, fmt))
                    fail(fmt, res)
                    small.append(res["wall"])
                ratios.append(big["wall"] / (k * statistics.mean(small)))
            cells.append("%s %.2f (%.2f-%.2f)" % (fmt, statistics.median(ratios),
                                                   min(ratios), max(ratios)))
        lines.append("  %-9s / (%5.2f x %s): %s" % (label, k, lab0, "  ".join(cells)))
    if lines:
        say("")
        say("linearity, paired (%d pairs, each the big capture then the small "
            "one k times): median (range)" % pairs)
        for line in lines:
            say(line)


# --------------------------------------------------------------------------
# Callgrind
# --------------------------------------------------------------------------

def callgrind(mxray, readloop, args, formats):
    if not shutil.which("valgrind"):
        sys.exit("--callgrind: valgrind is not installed (apt-get install valgrind)")
    say("")
    knobs = benchgen.knobs_from(args, sessions=args.callgrind_sessions)
    path, meta = benchgen.ensure_capture(args.out, knobs, args.jobs, args.fresh, say)
    benchgen.describe(path, meta, say)
    for name in ["readloop"] + formats:
        cg_out = os.path.join(args.out, "callgrind.out.%d.%s" % (args.callgrind_sessions, name))
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + cg_out]
        cmd += [readloop, path] if name == "readloop" else mxray_cmd(
            mxray, path, name)
        t0 = time.perf_counter()
        with open(os.devnull, "wb") as out:
            p = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
        wall = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit("callgrind run (%s) exited %d:\n%s"
                     % (name, p.returncode, p.stderr.decode("utf-8", "replace")))
        ir = None
        with open(cg_out) as f:
            for line in f:
                if line.startswith(("summary:", "totals:")):
                    ir = int(line.split()[1])
        if ir is None:
            sys.exit("callgrind run (%s): no \"summary:\" or \"totals:\" line in %s"
                     % (name, cg_out))
        say("callgrind %-8s Ir %15d  (%.0f per packet, %.0f per session; "
            "%.1f s under valgrind; %s)" % (name, ir, ir / meta["packets"],
                                            ir / meta["sessions"], wall, cg_out))


# --------------------------------------------------------------------------

def parse_specs(ap, args):
    """[(label, knobs)] of the captures to run."""
    try:
        if args.sessions is not None:
            return [("s%d" % args.sessions, benchgen.knobs_from(args, sessions=args.sessions))]
        specs = []
        for spec in [s.strip() for s in args.sizes.split(",") if s.strip()]:
            size, _, noise = spec.partition(":")
            knobs = benchgen.knobs_from(args, size=size,
                                        noise=float(noise) if noise else None)
            specs.append((size.upper() + ("" if not noise else ":" + noise), knobs))
    except ValueError as e:
        ap.error(str(e))
    if not specs:
        ap.error("--sizes: no capture")
    return specs


def main(argv):
    ap = argparse.ArgumentParser(
        description="Benchmark mxray on deterministic busy-site captures.",
        epilog="See the docstring at the top of scripts/bench.py.")
    ap.add_argument("--sizes", default=DEFAULT_SIZES)
    ap.add_argument("--sessions", type=int, default=None)
    benchgen.add_knob_args(ap)
    ap.add_argument("--mxray", default=os.path.join(REPO_ROOT, "mxray"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--formats", default="text,json,ndjson")
    ap.add_argument("--check", default="auto", choices=("auto", "all", "ndjson", "none"))
    ap.add_argument("--generate-only", action="store_true")
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--callgrind-sessions", type=int, default=500)
    ap.add_argument("--paired", type=int, default=0)
    args = ap.parse_args(argv[1:])

    formats = [f for f in args.formats.split(",") if f]
    if [f for f in formats if f not in FORMATS] or args.repeat < 1 or args.jobs < 1 \
            or args.callgrind_sessions < 1:
        ap.error("bad --formats, --repeat, --jobs or --callgrind-sessions")
    specs = parse_specs(ap, args)
    mxray = os.path.abspath(args.mxray)
    if not args.generate_only and not os.access(mxray, os.X_OK):
        sys.exit("%s: not found or not executable (run make first)" % mxray)

    machine(mxray)
    readloop = None if args.generate_only else build_readloop(args.out)
    results, captures = [], []
    for label, knobs in specs:
        say("")
        say("=== %s" % label)
        path, meta = benchgen.ensure_capture(args.out, knobs, args.jobs, args.fresh, say)
        benchgen.describe(path, meta, say)
        captures.append((label, meta, path))
        if args.generate_only:
            continue
        readloop_count(readloop, path, meta)
        sizes = check(mxray, path, meta, formats, args.check)
        load_before = os.getloadavg()[0]
        runs = timed(mxray, readloop, path, formats, args.repeat)
        results.append((label, meta, table(meta, runs, sizes, args.repeat, load_before)))
    linearity(results, formats)
    if args.paired > 0 and not args.generate_only:
        paired(mxray, captures, formats, args.paired)
    if args.callgrind:
        callgrind(mxray, readloop or build_readloop(args.out), args, formats)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
