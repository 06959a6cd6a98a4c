#!/usr/bin/env python3
"""Check that an encapsulated sample reports what its plain sample does.

Every samples/encap/*.pcap carries the packets of a plain sample (same
times, ids, ports) inside mirror encapsulations or tunnels (ERSPAN, GRE,
PPTP, VXLAN, MPLS, PPPoE; scripts/scenarios_encap.py).  Once mxray has
peeled them, its JSON report must equal the plain sample's in everything
but "inputs" (file name, bytes): the same sessions, DNS transactions and
summary.  A sample missing from the table below is an error, so a new one
cannot go unchecked.

Usage: scripts/check_encap.py --mxray ./mxray    (run by run-golden.sh)
Prints one line per sample; exits 1 on any difference.
"""
import argparse
import glob
import json
import os
import subprocess
import sys

PLAIN = {
    "erspan1": "slow-ptr", "erspan2": "slow-ptr", "erspan3": "slow-ptr",
    "gre-ip": "slow-ptr", "gre-ip6": "slow-ptr-v6", "pptp": "slow-ptr",
    "vxlan": "slow-ptr", "mpls": "slow-ptr", "mpls-pw": "slow-ptr",
    "pppoe": "slow-ptr-v6", "nested": "slow-ptr",
}


def report(mxray, pcap):
    out = subprocess.run([mxray, "-q", "-r", pcap, "--format", "json"],
                         check=True, stdout=subprocess.PIPE).stdout
    doc = json.loads(out)
    del doc["inputs"]
    return doc


def first_difference(a, b, path="$"):
    """The path of the first place where a and b differ, or None."""
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return "%s.%s (missing on one side)" % (path, k)
            d = first_difference(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return "%s (%d items vs %d)" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    return None if a == b else "%s: %r vs %r" % (path, a, b)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mxray", default="./mxray")
    ap.add_argument("--root", default=os.path.join(os.path.dirname(
        os.path.abspath(__file__)), ".."))
    args = ap.parse_args()
    os.chdir(args.root)
    mxray = os.path.abspath(args.mxray) if os.sep in args.mxray else args.mxray
    samples = sorted(glob.glob("samples/encap/*.pcap"))
    failed = 0
    if not samples:
        print("check_encap: no samples/encap/*.pcap")
        return 1
    plain_reports = {}
    for pcap in samples:
        name = os.path.basename(pcap)[:-5]
        if name not in PLAIN:
            print("FAIL %s: no plain sample named in check_encap.py" % pcap)
            failed += 1
            continue
        plain = PLAIN[name]
        if plain not in plain_reports:
            plain_reports[plain] = report(mxray, "samples/%s.pcap" % plain)
        want, got = plain_reports[plain], report(mxray, pcap)
        if not want["sessions"] or not want["dns"]:
            print("FAIL %s: the plain report has no sessions or no DNS" % plain)
            failed += 1
            continue
        diff = first_difference(want, got)
        if diff:
            print("FAIL %s differs from %s.pcap at %s" % (pcap, plain, diff))
            failed += 1
        else:
            print("ok   %s = %s.pcap (%d sessions, %d DNS)" % (
                pcap, plain, len(got["sessions"]), len(got["dns"])))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
