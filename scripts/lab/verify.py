#!/usr/bin/env python3
"""verify.py - check mxray's reports on the lab captures against the
manifest (scripts/lab/expected.tsv) and against tshark.

    scripts/lab/verify.py                        # every row of the manifest
    scripts/lab/verify.py slow-ptr tarpit.pcap   # only these
    scripts/lab/verify.py --mxray build/asan/mxray --dir samples/lab

For each capture:
  1. `mxray --format json -q -r X` must succeed;
  2. the set of finding codes over all its sessions must contain the
     manifest's `codes` and nothing outside `codes` + `allowed`;
  3. the number of SMTP sessions must match the manifest and tshark;
  4. per session (matched on client and server address and port): the banner
     delay mxray reports (banner.delay_s, handshake ACK -> first greeting
     byte) must agree within 1 ms with the one computed from tshark's
     timestamps (the client's handshake ACK and the first server segment
     with payload), and tshark's must fall in the manifest's range (that
     checks the capture itself);
  5. the DNS relations listed in the manifest must be tied to the sessions;
  6. where the manifest names a cause, every banner.slow / client.gave_up
     finding's cause must list that lookup with the right qname (the
     reversed client address for ptr_of_client) and the resolver the server
     really asked (from tshark), or name suspects when DNS explains nothing.

Prints one line per check and "N passed, N failed" (captures) at the end;
exit status 0 when all agree, 1 when any differs, 2 on a usage or tool error.
Python 3 standard library only; needs tshark.
"""

import argparse
import ipaddress
import json
import os
import subprocess
import sys
from decimal import Decimal

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TOLERANCE = Decimal("0.001")


def die(msg):
    sys.stderr.write("verify.py: %s\n" % msg)
    sys.exit(2)


# ------------------------------------------------------------ manifest

def load_manifest(path):
    rows = []
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 7:
                die("%s:%d: expected 7 tab-separated columns, got %d"
                    % (path, n, len(cols)))
            pcap, sessions, codes, allowed, banners, relations, cause = cols

            def cset(s):
                return set() if s == "-" else set(s.split(","))

            ranges = []
            for b in banners.split(","):
                if b == "none":
                    ranges.append(None)
                else:
                    lo, hi = b.split("..")
                    ranges.append((Decimal(lo), Decimal(hi)))
            rows.append({
                "pcap": pcap, "sessions": int(sessions), "codes": cset(codes),
                "allowed": cset(allowed), "banners": ranges,
                "relations": cset(relations),
                "cause": None if cause == "-" else cause,
            })
    return rows


# ------------------------------------------------------------ tshark

def tshark(pcap, display_filter, fields):
    cmd = ["tshark", "-r", pcap, "-n", "-Y", display_filter, "-T", "fields",
           "-E", "separator=\t", "-E", "occurrence=f"]
    for f in fields:
        cmd += ["-e", f]
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    except FileNotFoundError:
        die("tshark not found (apt-get install tshark)")
    except subprocess.CalledProcessError as e:
        die("tshark failed on %s: %s" % (pcap, e.stderr.strip()))
    return [l.split("\t") for l in out.splitlines() if l.strip()]


def addr(ip):
    """canonical text of an IPv4 or IPv6 address (RFC 5952 for IPv6), so
    that tshark's and mxray's spellings compare equal; anything else as is"""
    try:
        return ipaddress.ip_address(ip).compressed
    except ValueError:
        return ip


def hostport(ip, port):
    return ("[%s]:%d" if ":" in ip else "%s:%d") % (ip, port)


def tshark_sessions(pcap):
    """{(cip, cport, sip, sport): {"start", "ack", "payload"}} for every TCP
    connection to port 25 whose SYN is in the capture (IPv4 or IPv6)."""
    rows = tshark(pcap, "tcp", [
        "frame.time_epoch", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport",
        "ip.dst", "ipv6.dst", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack",
        "tcp.len"])
    streams = {}
    for (t, stream, src4, src6, sport, dst4, dst6, dport, syn, ack,
         tlen) in rows:
        t = Decimal(t)
        src, dst = addr(src4 or src6), addr(dst4 or dst6)
        syn = syn in ("1", "True")
        ack = ack in ("1", "True")
        tlen = int(tlen or 0)
        st = streams.setdefault(stream, {"key": None})
        if st["key"] is None:
            if syn and not ack and dport == "25":
                st.update(key=(src, int(sport), dst, int(dport)), start=t,
                          synack=None, ack=None, payload=None)
            continue
        cip, cport, sip, sport_ = st["key"]
        from_client = (src, int(sport)) == (cip, cport)
        if not from_client and syn and ack and st["synack"] is None:
            st["synack"] = t
        elif (from_client and ack and not syn and st["synack"] is not None
              and st["ack"] is None):
            st["ack"] = t
        if not from_client and tlen > 0 and st["payload"] is None:
            st["payload"] = t
    return {st["key"]: st for st in streams.values() if st["key"]}


def tshark_dns_queries(pcap):
    """[(t, asker, resolver, qname, qtype)] of the DNS queries (over IPv4
    or IPv6)."""
    rows = tshark(pcap, "dns && dns.flags.response == 0", [
        "frame.time_epoch", "ip.src", "ipv6.src", "ip.dst", "ipv6.dst",
        "dns.qry.name", "dns.qry.type"])
    return [(Decimal(r[0]), addr(r[1] or r[2]), addr(r[3] or r[4]),
             r[5].lower(), r[6]) for r in rows]


def reverse_name(ip):
    """the PTR name of an address: d.c.b.a.in-addr.arpa for IPv4, the 32
    reversed nibbles under ip6.arpa for IPv6 (RFC 3596)"""
    return ipaddress.ip_address(ip).reverse_pointer


# ------------------------------------------------------------ checks

class Report:
    def __init__(self, name):
        self.name = name
        self.failures = 0
        self.lines = []

    def ok(self, fmt, *a):
        self.lines.append("  ok    " + (fmt % a))

    def bad(self, fmt, *a):
        self.failures += 1
        self.lines.append("  DIFF  " + (fmt % a))

    def note(self, fmt, *a):
        self.lines.append("  note  " + (fmt % a))


def check(row, pcap, mxray):
    rep = Report(row["pcap"])
    if not os.path.exists(pcap):
        rep.bad("capture missing: %s (run `make lab`)", pcap)
        return rep
    proc = subprocess.run([mxray, "--format", "json", "-q", "-r", pcap],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        rep.bad("mxray exited %d: %s", proc.returncode, proc.stderr.strip())
        return rep
    try:
        doc = json.loads(proc.stdout)
    except ValueError as e:
        rep.bad("mxray's JSON does not parse: %s", e)
        return rep
    sessions = sorted(doc.get("sessions", []), key=lambda s: s["start"])

    # 2. finding codes
    found = {}
    for s in sessions:
        for f in s.get("findings", []):
            found.setdefault(f["code"], set()).add(f.get("severity"))
    codes = set(found)
    missing = row["codes"] - codes
    extra = codes - row["codes"] - row["allowed"]
    shown = ", ".join(sorted(codes)) or "none"
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing " + ", ".join(sorted(missing)))
        if extra:
            parts.append("unexpected " + ", ".join(
                "%s (%s)" % (c, "/".join(sorted(x for x in found[c] if x)))
                for c in sorted(extra)))
        rep.bad("codes: mxray reports {%s}, manifest wants {%s}%s: %s", shown,
                ", ".join(sorted(row["codes"])) or "none",
                " (+ allowed {%s})" % ", ".join(sorted(row["allowed"]))
                if row["allowed"] else "", "; ".join(parts))
    else:
        rep.ok("codes: {%s}", shown)
        allowed_seen = codes & row["allowed"]
        if allowed_seen:
            rep.note("allowed extra codes reported: %s", ", ".join(sorted(allowed_seen)))

    # 3. sessions
    ts = tshark_sessions(pcap)
    if len(sessions) == row["sessions"] == len(ts):
        rep.ok("sessions: %d (tshark %d)", len(sessions), len(ts))
    else:
        rep.bad("sessions: mxray %d, tshark %d, manifest %d",
                len(sessions), len(ts), row["sessions"])

    # 4. banner delays
    ts_order = sorted(ts.values(), key=lambda st: st["start"])
    for i, st in enumerate(ts_order):
        cip, cport, sip, sport = st["key"]
        label = "S%d %s -> %s" % (i + 1, hostport(cip, cport), hostport(sip, sport))
        want = row["banners"][i] if i < len(row["banners"]) else "?"
        tdelay = (st["payload"] - st["ack"]
                  if st["payload"] is not None and st["ack"] is not None else None)
        m = next((s for s in sessions
                  if (addr(s["client"]["ip"]), s["client"]["port"],
                      addr(s["server"]["ip"]), s["server"]["port"]) == st["key"]),
                 None)
        mdelay = None
        if m is not None and m.get("banner") and m["banner"].get("delay_s") is not None:
            mdelay = Decimal(str(m["banner"]["delay_s"]))
        # the capture against the manifest
        if want == "?":
            rep.bad("%s: no banner range in the manifest for this session", label)
        elif want is None:
            if tdelay is None:
                rep.ok("%s: no greeting (tshark)", label)
            else:
                rep.bad("%s: tshark sees a greeting after %.6f s, manifest says none",
                        label, tdelay)
        elif tdelay is None:
            rep.bad("%s: tshark sees no greeting, manifest wants %s..%s s",
                    label, want[0], want[1])
        elif not want[0] <= tdelay <= want[1]:
            rep.bad("%s: tshark banner delay %.6f s outside the manifest's %s..%s s",
                    label, tdelay, want[0], want[1])
        # mxray against tshark
        if m is None:
            rep.bad("%s: no mxray session for this connection", label)
        elif tdelay is None and mdelay is None:
            pass
        elif tdelay is None or mdelay is None:
            rep.bad("%s: banner delay: mxray %s, tshark %s", label,
                    "none" if mdelay is None else "%.6f s" % mdelay,
                    "none" if tdelay is None else "%.6f s" % tdelay)
        elif abs(mdelay - tdelay) <= TOLERANCE:
            rep.ok("%s: banner delay %.6f s (tshark %.6f s, differ by %.3f ms)%s",
                   label, mdelay, tdelay, abs(mdelay - tdelay) * 1000,
                   "" if want in ("?", None) else ", expected %s..%s" % want)
        else:
            rep.bad("%s: banner delay: mxray %.6f s, tshark %.6f s (differ by %.3f ms > 1 ms)",
                    label, mdelay, tdelay, abs(mdelay - tdelay) * 1000)

    # 5. DNS relations
    rels = {d.get("relation") for s in sessions for d in s.get("dns", [])}
    if row["relations"] - rels:
        rep.bad("DNS relations: missing %s (tied: %s)",
                ", ".join(sorted(row["relations"] - rels)),
                ", ".join(sorted(r for r in rels if r)) or "none")
    elif row["relations"]:
        rep.ok("DNS relations: %s tied", ", ".join(sorted(row["relations"])))

    # 6. cause of banner.slow / client.gave_up
    if row["cause"]:
        queries = tshark_dns_queries(pcap)
        checked = 0
        for s in sessions:
            for f in s.get("findings", []):
                if f["code"] not in ("banner.slow", "client.gave_up"):
                    continue
                checked += 1
                check_cause(rep, row["cause"], s, f, queries)
        if not checked:
            rep.bad("cause: no banner.slow / client.gave_up finding to check")
    return rep


def check_cause(rep, want, s, f, queries):
    code = f["code"]
    cause = f.get("cause") or {}
    if want == "suspects":
        if cause.get("suspects"):
            rep.ok("%s cause: no DNS explains it; suspects: %s", code, cause["suspects"])
        else:
            rep.bad("%s cause: expected suspects (no DNS explanation), got %s",
                    code, json.dumps(cause))
        return
    cip, sip = addr(s["client"]["ip"]), addr(s["server"]["ip"])
    if want == "ptr_of_client":
        qname = reverse_name(cip)
        qtype = "12"
    else:
        qname, qtype = None, None
    # where the server really sent that query (tshark)
    asked = sorted({q[2] for q in queries if q[1] == sip
                    and (qname is None or q[3] == qname)
                    and (qtype is None or q[4] == qtype)})
    lookups = [l for l in cause.get("lookups", []) if l.get("relation") == want]
    if not lookups:
        rep.bad("%s cause: no %s lookup named (lookups: %s)", code, want,
                ", ".join("%s %s (%s)" % (l.get("qtype"), l.get("qname"),
                                          l.get("relation"))
                          for l in cause.get("lookups", [])) or "none")
        return
    l = lookups[0]
    problems = []
    if qname and (l.get("qname") or "").lower() != qname:
        problems.append("qname %s, want %s" % (l.get("qname"), qname))
    if asked and addr(l.get("resolver") or "") not in asked:
        problems.append("resolver %s, the server asked %s"
                        % (l.get("resolver"), ", ".join(asked)))
    if not asked:
        problems.append("tshark sees no such query from %s" % sip)
    if problems:
        rep.bad("%s cause: %s", code, "; ".join(problems))
    else:
        rep.ok("%s cause: %s %s (%s) to resolver %s, %.3f s of the wait, explained %.3f s",
               code, l.get("qtype"), l.get("qname"), want, l.get("resolver"),
               l.get("overlap_s") or 0, cause.get("explained_s") or 0)


def main():
    ap = argparse.ArgumentParser(
        description="check mxray on the lab captures against expected.tsv and tshark")
    ap.add_argument("captures", nargs="*",
                    help="scenario names or pcap file names (default: all rows)")
    ap.add_argument("--mxray", default=os.path.join(ROOT, "mxray"))
    ap.add_argument("--dir", default=os.path.join(ROOT, "samples", "lab"))
    ap.add_argument("--manifest", default=os.path.join(HERE, "expected.tsv"))
    a = ap.parse_args()

    if not os.access(a.mxray, os.X_OK):
        die("%s is not executable (run make)" % a.mxray)
    rows = load_manifest(a.manifest)
    if a.captures:
        want = {os.path.basename(c) if c.endswith(".pcap")
                else c + ".pcap" for c in a.captures}
        unknown = want - {r["pcap"] for r in rows}
        if unknown:
            die("not in the manifest: %s" % ", ".join(sorted(unknown)))
        rows = [r for r in rows if r["pcap"] in want]

    passed = failed = 0
    for row in rows:
        rep = check(row, os.path.join(a.dir, row["pcap"]), a.mxray)
        status = "PASS" if rep.failures == 0 else "FAIL"
        print("%s %s" % (status, row["pcap"]))
        for line in rep.lines:
            print(line)
        if rep.failures:
            failed += 1
        else:
            passed += 1
    print("lab: %d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
