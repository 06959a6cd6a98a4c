#!/bin/bash
# soak.sh - does mxray -i hold its memory over a long live capture?  Not part
# of make test (10 minutes by default).  Needs root, tcpreplay.
#
#   scripts/soak.sh [options] [MXRAY]        (default ./mxray)
#
#   --minutes N       how long the traffic runs (default 10)
#   --multiplier X    replay speed, tcpreplay --multiplier (default 1: the
#                     capture's own timing, a busy site's 940 sessions/s)
#   --mbps R          instead: a constant R Mbit/s (packets evenly spaced by
#                     bytes, so the DNS and banner delays are not the
#                     capture's)
#   --size SIZE       the bench capture replayed in a loop (default 100M;
#                     scripts/bench.py --sizes SIZE --generate-only)
#   --warmup S        growth is measured from the first sample at or after
#                     S seconds (default 660, see below)
#   --mxray-opts "O"  more options for mxray, e.g. "--dns-window 120"
#   --user USER       -Z USER, when the binary has -Z (default nobody); its
#                     uid must then show in /proc/PID/status with CapEff 0
#   --keep            keep the report and the samples
#
# The capture is replayed onto a veth (scripts/netns.sh) with tcpreplay
# --loop=0 --preload-pcap while `mxray -i VETH --format ndjson --stats 5 -o
# FILE` listens (--stats and -Z only when the binary's --help lists them);
# mxray's VmRSS is sampled from /proc/PID/status every 5 s.  At the end:
# first, peak and last RSS, the growth of the last sample over the first and
# over the first after the warm-up, sessions reported (and how many the loops
# should give), drops.  Exit status 1 if the growth after the warm-up is 5 %
# or more, or mxray died, or failed a check.
#
# Looping: live capture stamps every packet with the wall clock, so each
# loop is new traffic to mxray whatever the file's timestamps say (tcpreplay
# --multiplier only uses their differences, --mbps none of them).  What does
# repeat is the TCP 4-tuples and sequence numbers and the DNS ids: session i
# of loop N+1 is the same connection as session i of loop N.  That is sound
# only if every session of the file has ended inside it; this is checked on
# the offline report of the file (every session closed by a FIN, the last
# ending at the last packet), and the shortest time between a session's end
# and its 4-tuple's next SYN is printed beside --grace (10 s: a session is
# reported that long after its close, and a reuse before that finds it still
# held).
#
# Warm-up: mxray's tables fill up to their caps or their time windows
# before its memory levels off.  The DNS table is full early (--max-dns
# 100,000 at the bench traffic's ~1,450 lookups/s: ~70 s at x1); the MX
# delivery groups each live --dns-window (600 s) after their last session.
# And on a kernel with transparent huge pages "always" (as here),
# khugepaged backs the heap's address space with 2 MB pages a few MB at a
# time (4096 pages per 10 s by default), so RSS climbs in steps for minutes
# with no new allocation: 12-minute runs measured from 120 s and 180 s
# (--dns-window 120) grew 7.6 % and 6.7 %, in steps up to ~390 s, then
# stayed flat for 5 minutes.  So the default warm-up is 660 s (the window
# and a minute) and a run should last twice that; the growth from the
# first sample is printed too.
set -eu

usage() {
	sed -n '2,/^set -eu/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
	exit 2
}

cd "$(dirname "$0")/.."
minutes=10
speed=1
size=100M
warmup=660
user=nobody
extra=
keep=
while [ $# -gt 0 ]; do
	case $1 in
	--minutes) minutes=${2:?}; shift 2 ;;
	--multiplier) speed=${2:?}; shift 2 ;;
	--mbps) speed=${2:?}mbps; shift 2 ;;
	--size) size=${2:?}; shift 2 ;;
	--warmup) warmup=${2:?}; shift 2 ;;
	--user) user=${2:?}; shift 2 ;;
	--mxray-opts) extra=${2?}; shift 2 ;;
	--keep) keep=1; shift ;;
	-h | --help) usage ;;
	-*) echo "soak.sh: unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -le 1 ] || usage
mxray=$(readlink -f "${1:-./mxray}")

if [ "$(id -u)" -ne 0 ]; then
	echo "soak.sh: needs root (namespaces, packet capture)" >&2
	exit 1
fi
command -v tcpreplay >/dev/null || { echo "soak.sh: tcpreplay not installed (scripts/deps.sh)" >&2; exit 1; }
[ -x "$mxray" ] || { echo "soak.sh: $mxray: not executable" >&2; exit 1; }
capture=$(python3 scripts/bench.py --sizes "$size" --generate-only | sed -n 's/^capture  //p')
[ -f "$capture" ] || { echo "soak.sh: no bench capture of $size" >&2; exit 1; }

help=$("$mxray" --help 2>&1 || :)
opts=()
has_z=
if echo "$help" | grep -q -- '^ *-Z '; then
	has_z=1
	opts+=(-Z "$user")
fi
if echo "$help" | grep -q -- '--stats'; then
	opts+=(--stats 5)
fi
# shellcheck disable=SC2206 # split on purpose: options and their values
opts+=($extra)

# on disk, not tmpfs: the report grows by ~77 MB per loop of the 100 MB
# capture (2-3 GB in 10 minutes at x1)
tmp=$(mktemp -d /tmp/mxray-soak.XXXXXX)
# mxray opens -o before it drops privileges; the directory is still made
# passable and the file the user's, so that a late open would work too
chmod 755 "$tmp"
out="$tmp/soak.ndjson"
: >"$out"
if [ -n "$has_z" ]; then chown "$user" "$out"; fi
. scripts/netns.sh
ns_setup
[ -z "$keep" ] || trap 'ns_teardown; echo "kept $tmp"' EXIT

echo "soak: $mxray ($("$mxray" --version 2>&1 | head -1)), options: ${opts[*]:-(no -Z, no --stats in this binary)}"
echo "      capture $capture, speed $speed, $minutes min, warm-up $warmup s"

# the file must end with every session closed: check, and how soon a
# 4-tuple comes back (at --multiplier; --mbps spaces packets by bytes)
"$mxray" -q -r "$capture" --format ndjson -o "$tmp/offline.ndjson"
python3 - "$tmp/offline.ndjson" "$speed" >"$tmp/offline.txt" <<'PY'
import json, sys
path, speed = sys.argv[1], sys.argv[2]
sess, summary = [], None
for line in open(path):
    if line.startswith('{"type":"session"'):
        d = json.loads(line)
        sess.append((d["start"], d["end"], d["close"]))
    elif line.startswith('{"type":"summary"'):
        summary = json.loads(line)
closes = {}
for s in sess:
    closes[s[2]] = closes.get(s[2], 0) + 1
first = min(s[0] for s in sess)
last = max(s[1] for s in sess)
# the loop period is the file's span (first to last packet); tcpreplay
# starts loop N+1 right after loop N's last packet
span = last - first
gap = min(s[0] + span - s[1] for s in sess)
print("per_loop_sessions %d" % len(sess))
print("per_loop_packets %d" % sum(i["packets"] for i in summary["inputs"]))
print("closes %s" % json.dumps(closes, sort_keys=True))
print("all_fin %d" % (closes.get("fin", 0) == len(sess)))
if not speed.endswith("mbps"):
    print("reuse_gap %.1f" % (gap / float(speed)))
PY
rm -f "$tmp/offline.ndjson"
per_loop=$(sed -n 's/^per_loop_sessions //p' "$tmp/offline.txt")
per_loop_pkts=$(sed -n 's/^per_loop_packets //p' "$tmp/offline.txt")
echo "      per loop: $per_loop sessions, $per_loop_pkts packets, closes $(sed -n 's/^closes //p' "$tmp/offline.txt")"
if [ "$(sed -n 's/^all_fin //p' "$tmp/offline.txt")" != 1 ]; then
	echo "soak.sh: a session of the capture does not end with a FIN: loops would reuse an open 4-tuple" >&2
	exit 1
fi
gap=$(sed -n 's/^reuse_gap //p' "$tmp/offline.txt")
[ -z "$gap" ] || echo "      a 4-tuple comes back at least $gap s after its session ended (--grace is 10 s)"

ns_capture "$mxray" "${opts[@]}" -i "$IF_RX" --format ndjson -o "$out" 2>"$tmp/err"
mx=$!
ns_wait_ready "$mx"
# --preload-pcap: the file is read once, not from disk every loop;
# --stats=60: a progress line a minute in tcpreplay's log
ns_replay_bg "$capture" "$speed" --loop=0 --preload-pcap --stats=60 >"$tmp/replay" 2>&1
rp=$!

fail=0
end=$(($(date +%s) + minutes * 60))
t0=$(date +%s)
shown=
: >"$tmp/rss"
while [ "$(date +%s)" -lt "$end" ]; do
	if [ ! -e "/proc/$mx" ] || [ "$(ns_state "$mx")" = Z ]; then
		echo "FAIL soak: mxray ended during the capture: $(tail -3 "$tmp/err")"
		fail=1
		break
	fi
	if [ ! -e "/proc/$rp" ] || [ "$(ns_state "$rp")" = Z ]; then
		echo "FAIL soak: tcpreplay ended early: $(tail -3 "$tmp/replay")"
		fail=1
		break
	fi
	rss=$(sed -n 's/^VmRSS:[^0-9]*\([0-9]*\).*/\1/p' "/proc/$mx/status")
	echo "$(($(date +%s) - t0)) $rss" >>"$tmp/rss"
	if [ -z "$shown" ] && [ "$(($(date +%s) - t0))" -ge 5 ]; then
		shown=1
		echo "mxray's credentials while capturing (/proc/$mx/status):"
		grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb):' "/proc/$mx/status" | sed 's/^/      /'
		if [ -n "$has_z" ]; then
			uid=$(id -u "$user")
			grep -Eq "^Uid:[[:space:]]+${uid}[[:space:]]+${uid}[[:space:]]+${uid}[[:space:]]+${uid}\$" "/proc/$mx/status" ||
				{ echo "FAIL soak: -Z $user: the uids are not all $uid"; fail=1; }
			grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$mx/status" ||
				{ echo "FAIL soak: -Z $user: CapEff is not 0"; fail=1; }
		else
			echo "      (not checked: this mxray has no -Z)"
		fi
	fi
	sleep 5
done

rc=0
ns_stop "$rp" INT 10 || :
sleep 3
ns_stop "$mx" INT 300 || rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL soak: mxray exited $rc: $(tail -3 "$tmp/err")"; fail=1; }

python3 - "$tmp" "$warmup" "$per_loop" "$per_loop_pkts" <<'PY' || fail=1
import json, re, sys
tmp, warmup, per_loop, per_loop_pkts = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
samples = [tuple(map(int, l.split())) for l in open(tmp + "/rss") if len(l.split()) == 2]
if not samples:
    print("FAIL soak: no RSS sample"); sys.exit(1)
first, last = samples[0], samples[-1]
peak = max(samples, key=lambda s: s[1])
warm = next((s for s in samples if s[0] >= warmup), None)
print("RSS (kB): first %d at %d s, peak %d at %d s, last %d at %d s (%d samples)"
      % (first[1], first[0], peak[1], peak[0], last[1], last[0], len(samples)))
print("growth: %+.1f %% over the first sample" % (100.0 * (last[1] - first[1]) / first[1]))
growth = None
if warm is None:
    print("growth after the warm-up: no sample after %d s (run longer)" % warmup)
else:
    growth = 100.0 * (last[1] - warm[1]) / warm[1]
    print("growth: %+.1f %% over the sample at %d s (%d kB, after the warm-up)"
          % (growth, warm[0], warm[1]))
# a coarse curve: one sample a minute
print("RSS by minute (kB): " + " ".join("%d" % s[1] for s in samples if s[0] % 60 < 5))

rep = open(tmp + "/replay").read()
sent = [int(x) for x in re.findall(r"Actual: (\d+) packets", rep)]
sent = sent[-1] if sent else None
sessions, stats, summary = 0, [], None
with open(tmp + "/soak.ndjson") as f:
    for line in f:
        head = line[:24]
        if '"session"' in head:
            sessions += 1
        elif '"stats"' in head:
            stats.append(line)
        elif '"summary"' in head:
            summary = json.loads(line)
err = open(tmp + "/err").read()
captured = sum(i.get("packets", 0) for i in summary["inputs"]) if summary else None
loops = sent / float(per_loop_pkts) if sent else 0
print("tcpreplay: %s packets sent, %.2f loops of the capture" % (sent, loops))
print("sessions reported: %d (the loops hold about %d)" % (sessions, int(loops * per_loop)))
cap = (summary or {}).get("capture") or ((summary or {}).get("summary") or {}).get("capture")
if cap:
    print("capture: received %s, dropped by kernel %s, dropped by interface %s"
          % (cap.get("received"), cap.get("dropped_by_kernel"), cap.get("dropped_by_interface")))
else:
    print("capture: no summary.capture in this binary's report")
for l in re.findall(r"^mxray: \S+: .*dropped by interface$", err, re.M):
    print(l)
if sent is not None and captured is not None:
    print("missing (sent - captured): %d of %d packets" % (sent - captured, sent))
if stats:
    print("stats lines: %d, the last: %s" % (len(stats), stats[-1].strip()))
else:
    print("stats lines: none")
if summary is None:
    print("FAIL soak: the report has no summary line"); sys.exit(1)
if growth is not None and growth >= 5.0:
    print("FAIL soak: RSS grew %.1f %% after the warm-up (limit 5 %%)" % growth); sys.exit(1)
PY
exit "$fail"
