#!/usr/bin/env python3
"""check-pcapout.py - mxray -w, read back by tshark.

For each capture, mxray writes its JSON report and, with -w, a pcap.  The
packets that file must hold are worked out here from the report and the
input alone, by tshark: every TCP packet of a session with a warning or an
error finding (its two endpoints, within its time span), and the DNS
packets of the lookups tied to such a session (asker, resolver, id and
name; the first six frames of each, as mxray keeps, with every TCP
segment or IP fragment that carried a piece of the message).  tshark then reads the
written file, which must hold exactly those packets, in the input's order,
with the input's link type (raw IP when the inputs' differ), and nothing
in it may be out of time order.

    python3 scripts/check-pcapout.py --mxray ./mxray [CAPTURE ...]

Without captures it checks the bundled samples named below, a mixed-link
pair (Ethernet and raw IP), and a generated 3,000-session capture with one
resolver for all.  Exit status 1 on any difference, which it prints.
"""
import argparse
import concurrent.futures
import json
import os
import struct
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# sample, and options: a tiny --slow-banner makes every greeted session a
# warning, so DNS over TCP and fragments are in the file too; --finding
# narrows the report, and the file with it
SAMPLES = [("slow-ptr", []), ("slow-ptr-v6", []), ("no-failover", []),
           ("no-failover", ["--finding", "mx.no_failover"]),
           ("xexch50-stall", []), ("data-stall", []), ("failover", []),
           ("gave-up", []), ("normal", []), ("tarpit", []),
           ("dns-tcp", ["--slow-banner", "0.001"]),
           ("fragments", ["--slow-banner", "0.001"]),
           ("fragments-v6", ["--slow-banner", "0.001"]),
           ("normal", ["--slow-banner", "0.001"]),
           ("encap/vxlan", []), ("encap/erspan3", []),
           ("lab/no-failover", []), ("lab/xexch50-stall", []),
           ("lab/ptr-timeout", [])]

FIELDS = ["frame.time_epoch", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
          "tcp.srcport", "tcp.dstport", "udp.srcport", "udp.dstport",
          "dns.id", "dns.qry.name", "tcp.seq_raw", "ip.len", "ipv6.plen",
          "frame.number", "tcp.reassembled_in", "ip.reassembled_in",
          "ipv6.reassembled.in"]


def tshark(path):
    """One tuple of FIELDS per frame (the innermost header's values)."""
    cmd = ["tshark", "-n", "-2", "-r", path, "-T", "fields", "-E", "occurrence=l",
           "-E", "separator=\t"]
    for f in FIELDS:
        cmd += ["-e", f]
    out = subprocess.run(cmd, check=True, capture_output=True,
                         text=True).stdout
    rows = []
    for line in out.splitlines():
        v = dict(zip(FIELDS, line.split("\t")))
        rows.append({
            "t": float(v["frame.time_epoch"]),
            "src": v["ip.src"] or v["ipv6.src"],
            "dst": v["ip.dst"] or v["ipv6.dst"],
            "sport": v["tcp.srcport"] or v["udp.srcport"],
            "dport": v["tcp.dstport"] or v["udp.dstport"],
            "tcp": bool(v["tcp.srcport"]),
            "dns_id": str(int(v["dns.id"], 16)) if v["dns.id"] else "",
            "number": v["frame.number"],
            # the frame where tshark put this piece's message together
            "in": v["tcp.reassembled_in"] or v["ip.reassembled_in"]
                  or v["ipv6.reassembled.in"],
            "qname": v["dns.qry.name"].lower(),
            # what names a frame in both files (a fragment has no ports)
            "key": (v["frame.time_epoch"], v["ip.src"] or v["ipv6.src"],
                    v["ip.dst"] or v["ipv6.dst"], v["tcp.seq_raw"],
                    v["ip.len"] or v["ipv6.plen"]),
        })
    return rows


def ep(e):
    return (e["ip"], str(e["port"]))


def expected(report, rows):
    """The input's frames that -w must write, in input order."""
    flagged = [s for s in report["sessions"]
               if any(f["severity"] in ("warning", "error")
                      for f in s["findings"])]
    spans = {}
    lookups = {}
    for s in flagged:
        pair = frozenset([ep(s["client"]), ep(s["server"])])
        spans.setdefault(pair, []).append((s["start"], s["end"]))
        for d in s["dns"]:
            k = (frozenset([ep(d["asker"]), ep(d["resolver"])]),
                 str(d["id"]), d["qname"].lower().rstrip("."))
            lookups[k] = 0
    want, pieces, whole = [], {}, set()
    for r in rows: # the pieces of each message: TCP segments, fragments
        if r["in"]:
            pieces.setdefault(r["in"], []).append(r["key"])
    for r in rows:
        pair = frozenset([(r["src"], r["sport"]), (r["dst"], r["dport"])])
        k = (pair, r["dns_id"], r["qname"].rstrip("."))
        if r["dns_id"] and k in lookups:
            # the first six frames of a lookup (DNS_TX_FRAMES), pieces
            # included
            for key in pieces.get(r["number"], []) + [r["key"]]:
                lookups[k] += 1
                if lookups[k] <= 6 and key not in whole:
                    whole.add(key)
        elif r["tcp"] and pair in spans and any(
                a - 1e-6 <= r["t"] <= b + 1e-6 for a, b in spans[pair]):
            whole.add(r["key"])
    want = [r["key"] for r in rows if r["key"] in whole]
    return want, len(flagged)


def encap(path):
    out = subprocess.run(["capinfos", "-T", "-E", path], check=True,
                         capture_output=True, text=True).stdout
    return out.strip().splitlines()[-1].split("\t")[-1]


def check(mxray, inputs, tmp, name, want_encap=None, opts=(), exact=True):
    """(passed, the lines to print) for one capture; tmp is its own."""
    os.makedirs(tmp, exist_ok=True)
    rep, pcap = os.path.join(tmp, "r.json"), os.path.join(tmp, "w.pcap")
    cmd = [mxray, "-q", "--format", "json", "-o", rep, "-w", pcap] + list(opts)
    for i in inputs:
        cmd += ["-r", i]
    subprocess.run(cmd, check=True)
    report = json.load(open(rep))
    rows = []
    for i in inputs:
        rows += tshark(i)
    rows.sort(key=lambda r: r["t"]) # mxray merges inputs by time
    want, nflagged = expected(report, rows)
    got = [r["key"] for r in tshark(pcap)]
    pw = report["summary"]["packets_written"]
    problems = []
    if not exact: # what the input has, each frame once, SMTP or DNS
        have = set(r["key"] for r in rows if "25" in (r["sport"], r["dport"])
                   or "53" in (r["sport"], r["dport"]))
        if len(set(got)) != len(got) or not set(got) <= have:
            problems.append("a frame written twice, or not an SMTP or DNS "
                            "frame of the input: %s"
                            % [k for k in got if got.count(k) > 1 or
                               k not in have][:3])
    elif got != want:
        missing = [k for k in want if k not in got]
        extra = [k for k in got if k not in want]
        problems.append("packets differ: %d written, %d expected; "
                        "missing %s; extra %s" % (len(got), len(want),
                                                  missing[:3], extra[:3]))
    times = [float(k[0]) for k in got]
    if any(b < a for a, b in zip(times, times[1:])):
        problems.append("written out of time order")
    if pw["packets"] != len(got) or pw["sessions"] != nflagged:
        problems.append("summary says %d packets of %d sessions; the file "
                        "has %d, the report %d flagged" %
                        (pw["packets"], pw["sessions"], len(got), nflagged))
    e = encap(pcap)
    if want_encap is None:
        want_encap = encap(inputs[0])
    if e != want_encap:
        problems.append("encapsulation %s, expected %s" % (e, want_encap))
    status = "ok" if not problems else "FAIL"
    lines = ["pcapout: %-40s %s: %d sessions, %d packets, %s" %
             (name, status, nflagged, len(got), e)]
    return not problems, lines + ["    " + p for p in problems]


def read_pcap(path):
    """(byte order, file header, [[sec, frac, orig, bytes]]) of a classic
    pcap."""
    data = open(path, "rb").read()
    end = "<" if data[:4] in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from(end + "IIII", data, off)
        frames.append([sec, frac, orig, bytearray(data[off + 16:off + 16 + incl])])
        off += 16 + incl
    return end, data[:24], frames


def write_pcap(path, end, hdr, frames):
    with open(path, "wb") as f:
        f.write(hdr)
        for sec, frac, orig, b in frames:
            f.write(struct.pack(end + "IIII", sec, frac, len(b), orig))
            f.write(b)


def dns_tcp_held(src, dst):
    """samples/dns-tcp.pcap with the A response held behind a 5-byte hole
    (its TCP sequence number + 5, the FINs gone) and the SMTP session a
    minute later: the message is completed when the idle DNS connection
    ends, at the tick of a stray SYN to port 9999 61 s in, by no frame of
    its own; the session then ties it."""
    subprocess.run(["editcap", "-F", "pcap", src, dst + ".in"], check=True,
                   capture_output=True) # the sample is pcapng
    end, hdr, frames = read_pcap(dst + ".in")
    seq = struct.unpack_from(">I", frames[7][3], 14 + 20 + 4)[0]
    struct.pack_into(">I", frames[7][3], 14 + 20 + 4, (seq + 5) & 0xffffffff)
    stray = [frames[11][0] + 61, frames[11][1], frames[11][2],
             bytearray(frames[11][3])]
    struct.pack_into(">H", stray[3], 14 + 20 + 2, 9999)
    stray[3][14 + 20 + 16:14 + 20 + 18] = b"\0\0" # no checksum
    kept = frames[:8] + frames[11:]
    for f in kept[8:]:
        f[0] += 62
    write_pcap(dst, end, hdr, kept[:8] + [stray] + kept[8:])


def raw_ip_copy(src, dst):
    """src (classic pcap, Ethernet) as LINKTYPE_RAW: the 14-byte Ethernet
    header of every frame dropped."""
    with open(src, "rb") as f:
        data = f.read()
    magic = data[:4]
    end = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    hdr = bytearray(data[:24])
    struct.pack_into(end + "I", hdr, 20, 101)
    out = [bytes(hdr)]
    off = 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack_from(end + "IIII", data, off)
        frame = data[off + 16:off + 16 + incl]
        out.append(struct.pack(end + "IIII", sec, frac, incl - 14, orig - 14))
        out.append(frame[14:])
        off += 16 + incl
    with open(dst, "wb") as f:
        f.write(b"".join(out))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mxray", default=os.path.join(ROOT, "mxray"))
    ap.add_argument("captures", nargs="*")
    a = ap.parse_args()
    jobs = [] # (inputs, name, keyword arguments of check)
    with tempfile.TemporaryDirectory(prefix="mxray-pcapout.") as tmp:
        if a.captures:
            jobs = [([c], os.path.basename(c), {}) for c in a.captures]
        else:
            for s, opts in SAMPLES:
                jobs.append(([os.path.join(ROOT, "samples", s + ".pcap")],
                             " ".join([s] + opts), {"opts": opts}))
            raw = os.path.join(tmp, "slow-ptr-raw.pcap")
            raw_ip_copy(os.path.join(ROOT, "samples", "slow-ptr.pcap"), raw)
            jobs.append(([os.path.join(ROOT, "samples", "no-failover.pcap"),
                          raw], "mixed ether + raw", {"want_encap": "rawip"}))
            held = os.path.join(tmp, "dns-tcp-held.pcap")
            dns_tcp_held(os.path.join(ROOT, "samples", "dns-tcp.pcap"), held)
            jobs.append(([held], "dns-tcp, answer held to the end",
                         {"opts": ["--slow-banner", "0.001"], "exact": False}))
            gen = os.path.join(tmp, "gen")
            subprocess.run([sys.executable, os.path.join(HERE, "benchgen.py"),
                            "--sessions", "3000", "--noise", "0", "--out",
                            gen], check=True, capture_output=True)
            big = [os.path.join(gen, f) for f in os.listdir(gen)
                   if f.endswith(".pcap")][0]
            jobs.append(([big], "3000 sessions, 1 resolver", {}))
        # tshark takes most of the time: a capture on each core
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 2) as ex:
            results = list(ex.map(
                lambda ij: check(a.mxray, ij[1][0],
                                 os.path.join(tmp, "job%d" % ij[0]),
                                 ij[1][1], **ij[1][2]),
                enumerate(jobs)))
    for _, lines in results:
        print("\n".join(lines))
    ok = all(passed for passed, _ in results)
    print("pcapout: %s" % ("ok" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
