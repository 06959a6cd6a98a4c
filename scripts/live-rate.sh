#!/bin/bash
# live-rate.sh - how fast can traffic come before mxray -i loses any?  Not
# part of make test (it takes a few minutes and its figures depend on the
# machine).  Needs root, tcpreplay and tcpdump.
#
#   scripts/live-rate.sh [options] [MXRAY [CAPTURE]]
#
#   MXRAY      binary under test (default ./mxray)
#   CAPTURE    Ethernet pcap to replay (default: the 100 MB bench capture,
#              made or reused by `python3 scripts/bench.py --sizes 100M
#              --generate-only` under /tmp/mxray-bench)
#   --speeds LIST   replay speeds, space or comma separated: N = tcpreplay
#                   --multiplier N, Nmbps = --mbps N, top = --topspeed
#                   (default "1 2 4 8 16 32 top")
#   --bufsize KIB   capture buffer: -B KIB to mxray (and to tcpdump); a tiny
#                   one forces drops, to see that they are reported
#   --settle S      seconds between the end of the replay and the SIGINT
#                   (default 3): libpcap hands packets over a block at a
#                   time, and a partly filled block waits for its timeout;
#                   a capture stopped before that never sees its last packets
#   --no-tcpdump    skip the reference runs
#   --keep          keep the scratch directory (reports, stderr, tcpreplay's)
#
# For each speed the capture is replayed onto one end of a veth pair
# (scripts/netns.sh: two namespaces made and removed here) while
# `mxray -i VETH --format ndjson -o OUT` listens on the other end; mxray is
# started first and stopped with SIGINT after the replay and --settle.  Then
# the same with `tcpdump -w /dev/null`, the reference for what the kernel and
# the veth deliver to a capture that does nothing with the packets.
#
# Columns: the achieved rate as tcpreplay rated it (MB = 10^6 bytes of
# frames, what it sent, not the pcap file); packets sent; packets the capture
# got (mxray: the "N packets captured" of its stderr line when it prints one,
# else its summary's inputs[0].packets; tcpdump: its "packets captured");
# drops by kernel and by interface (mxray: summary.capture, else its stderr
# line; "?" when the binary reports neither); missing = sent - captured,
# which counts loss even where a binary reports no counters; sessions live
# and offline (mxray -r of the same file) and whether the two sets of
# (client ip:port, server ip:port) are equal.
set -eu

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
	exit 2
}

cd "$(dirname "$0")/.."
speeds="1 2 4 8 16 32 top"
bufsize=
settle=3
tcpdump=1
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--speeds) speeds=${2:?}; shift 2 ;;
	--bufsize) bufsize=${2:?}; shift 2 ;;
	--settle) settle=${2:?}; shift 2 ;;
	--no-tcpdump) tcpdump=; shift ;;
	--keep) keep=1; shift ;;
	-h | --help) usage ;;
	-*) echo "live-rate.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -le 2 ] || usage
mxray=$(readlink -f "${1:-./mxray}")
capture=${2:-}
speeds=$(echo "$speeds" | tr ',' ' ')

if [ "$(id -u)" -ne 0 ]; then
	echo "live-rate.sh: needs root (namespaces, packet capture)" >&2
	exit 1
fi
for t in tcpreplay tcpdump; do
	command -v "$t" >/dev/null || { echo "live-rate.sh: $t not installed (scripts/deps.sh)" >&2; exit 1; }
done
[ -x "$mxray" ] || { echo "live-rate.sh: $mxray: not executable" >&2; exit 1; }
if [ -n "$bufsize" ] && ! "$mxray" --help 2>&1 | grep -q -- '^ *-B '; then
	echo "live-rate.sh: --bufsize: $mxray has no -B" >&2
	exit 1
fi
if [ -z "$capture" ]; then
	capture=$(python3 scripts/bench.py --sizes 100M --generate-only | sed -n 's/^capture  //p')
	[ -f "$capture" ] || { echo "live-rate.sh: no bench capture" >&2; exit 1; }
fi

# tmpfs: the reports (about 80 MB each for the 100 MB capture) are written
# at the capture's pace; a slow disk would be measured instead of mxray
tmp=$(mktemp -d /dev/shm/mxray-rate.XXXXXX)
. scripts/netns.sh
ns_setup
# ns_setup's EXIT trap removes $tmp; --keep replaces it
[ -z "$keep" ] || trap 'ns_teardown; echo "kept $tmp"' EXIT

# digest KIND SPEED: reduce one run to $tmp/SPEED.KIND.json (the report is
# deleted: the numbers and the session keys are all that is kept)
digest() {
	python3 - "$1" "$tmp" "$2" <<'PY'
import json, re, sys
kind, tmp, speed = sys.argv[1:4]
base = "%s/%s.%s" % (tmp, speed, kind)
r = {"kind": kind, "speed": speed}

def num(pat, text):
    m = re.search(pat, text)
    return float(m.group(1)) if m else None

if kind != "offline":
    rep = open(base + ".replay").read()
    r["sent"] = num(r"Actual: (\d+) packets", rep)
    r["Bps"] = num(r"Rated: ([\d.]+) Bps", rep)
    r["pps"] = num(r"Rated: .*?, ([\d.]+) pps", rep)
    r["failed"] = num(r"Failed packets:\s+(\d+)", rep)
    r["rc"] = int(open(base + ".rc").read())
err = open(base + ".err").read() if kind != "offline" else ""
if kind == "tcpdump":
    r["captured"] = num(r"(\d+) packets captured", err)
    r["kernel"] = num(r"(\d+) packets dropped by kernel", err)
    r["iface"] = num(r"(\d+) packets dropped by interface", err)
else:
    keys, summary = [], None
    with open(base + ".ndjson") as f:
        for line in f:
            if line.startswith('{"type":"session"') or '"type": "session"' in line[:40]:
                d = json.loads(line)
                keys.append("%s:%d %s:%d" % (d["client"]["ip"], d["client"]["port"],
                                             d["server"]["ip"], d["server"]["port"]))
            elif '"summary"' in line[:40]:
                summary = json.loads(line)
    r["keys"] = sorted(keys)
    if summary is None:
        r["error"] = "no summary line"
    else:
        inputs = summary.get("inputs") or [{}]
        r["captured"] = sum(i.get("packets", 0) for i in inputs)
        cap = summary.get("capture") or (summary.get("summary") or {}).get("capture")
        if cap:
            r["kernel"] = cap.get("dropped_by_kernel")
            r["iface"] = cap.get("dropped_by_interface")
            r["received"] = cap.get("received")
    # "mxray: IF: N packets captured, N received by filter, N dropped by
    # kernel, N dropped by interface", one per interface: the sum
    # (tcpdump's wording, "packets" after each number or only the first)
    lines = re.findall(r"^mxray: \S+: (\d+) packets captured, (\d+) (?:packets )?received by "
                       r"filter, (\d+) (?:packets )?dropped by kernel, (\d+) (?:packets )?dropped "
                       r"by interface", err, re.M)
    if lines:
        r["captured"] = sum(int(x[0]) for x in lines)
        r.setdefault("kernel", sum(int(x[2]) for x in lines))
        r.setdefault("iface", sum(int(x[3]) for x in lines))
    r["err"] = err[-500:]
json.dump(r, open(base + ".json", "w"))
PY
}

bflag=()
[ -z "$bufsize" ] || bflag=(-B "$bufsize")

echo "live-rate: $mxray ($("$mxray" --version 2>&1 | head -1)), capture $capture"
echo "           veth $IF_TX ($NS_TX) -> $IF_RX ($NS_RX), buffer ${bufsize:-default} KiB, settle $settle s"
"$mxray" -q -r "$capture" --format ndjson -o "$tmp/offline.offline.ndjson"
digest offline offline
rm -f "$tmp/offline.offline.ndjson"

for s in $speeds; do
	b="$tmp/$s.mxray"
	ns_capture "$mxray" "${bflag[@]}" -i "$IF_RX" --format ndjson -o "$b.ndjson" 2>"$b.err"
	pid=$!
	ns_wait_ready "$pid"
	ns_replay "$capture" "$s" >"$b.replay" 2>&1 || echo "tcpreplay failed at $s: $(tail -3 "$b.replay")" >&2
	sleep "$settle"
	rc=0
	ns_stop "$pid" INT 120 || rc=$?
	echo "$rc" >"$b.rc"
	digest mxray "$s"
	rm -f "$b.ndjson"
	echo "  $s: mxray done (exit $rc)"
	if [ -n "$tcpdump" ]; then
		b="$tmp/$s.tcpdump"
		# -Z root: Debian's tcpdump would otherwise switch to user tcpdump
		ns_capture tcpdump -Z root -n "${bflag[@]}" -i "$IF_RX" -w /dev/null 2>"$b.err"
		pid=$!
		ns_wait_ready "$pid"
		ns_replay "$capture" "$s" >"$b.replay" 2>&1 || echo "tcpreplay failed at $s" >&2
		sleep "$settle"
		rc=0
		ns_stop "$pid" INT 30 || rc=$?
		echo "$rc" >"$b.rc"
		digest tcpdump "$s"
		echo "  $s: tcpdump done (exit $rc)"
	fi
done

# shellcheck disable=SC2086 # one argument per speed
python3 - "$tmp" $speeds <<'PY'
import json, os, sys
tmp, speeds = sys.argv[1], sys.argv[2:]
off = json.load(open(os.path.join(tmp, "offline.offline.json")))

def load(s, kind):
    p = os.path.join(tmp, "%s.%s.json" % (s, kind))
    return json.load(open(p)) if os.path.exists(p) else None

def n(x):
    return "?" if x is None else "%d" % x

hdr = ("speed", "tool", "MB/s", "pkt/s", "sent", "captured", "drop_kern",
       "drop_if", "missing", "sess_live", "sess_off", "equal", "exit")
rows = []
best = {"mxray": None, "tcpdump": None}
for s in speeds:
    for kind in ("mxray", "tcpdump"):
        r = load(s, kind)
        if r is None:
            continue
        mbs = (r.get("Bps") or 0) / 1e6
        missing = None if r.get("captured") is None or r.get("sent") is None \
            else r["sent"] - r["captured"]
        if kind == "mxray":
            live, offk = r.get("keys", []), off["keys"]
            eq = "yes" if live == offk else "no"
            sl, so = "%d" % len(live), "%d" % len(offk)
        else:
            eq, sl, so = "-", "-", "-"
        rows.append((("x" + s) if s[0].isdigit() and not s.endswith("mbps") else s,
                     kind, "%.2f" % mbs, "%d" % (r.get("pps") or 0), n(r.get("sent")),
                     n(r.get("captured")), n(r.get("kernel")), n(r.get("iface")),
                     n(missing), sl, so, eq, "%d" % r["rc"]))
        clean = (r["rc"] == 0 and missing == 0 and not r.get("failed")
                 and (r.get("kernel") or 0) == 0 and (r.get("iface") or 0) == 0
                 and eq in ("yes", "-"))
        if clean and (best[kind] is None or mbs > best[kind]):
            best[kind] = mbs
        if kind == "mxray" and r["rc"] != 0:
            print("mxray at %s exited %d: %s" % (s, r["rc"], r.get("err", "").strip()[-300:]))
w = [max(len(str(row[i])) for row in rows + [hdr]) for i in range(len(hdr))]
for row in [hdr] + rows:
    print("  ".join(str(c).rjust(w[i]) for i, c in enumerate(row)))
print("offline: %d sessions (mxray -r)" % len(off["keys"]))
for kind, what in (("mxray", "0 drops and equal sessions"), ("tcpdump", "0 drops")):
    if any(r[1] == kind for r in rows):
        b = best[kind]
        print("%s: highest rate with %s: %s" % (kind, what, "none" if b is None else "%.2f MB/s" % b))
PY
