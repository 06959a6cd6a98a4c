#!/bin/sh
# test-live.sh - live capture (-i) end to end, on a veth pair between two
# namespaces made and removed here (scripts/netns.sh), never a host
# interface.  Needs root (namespaces, packet capture) and tcpreplay.
#
# 1. samples/slow-ptr.pcap is replayed with its own timing (4.2 s, one
#    session that ends with FINs inside the capture, and timing-dependent
#    findings: banner.slow and dns.slow from a 4 s PTR lookup) while
#    `mxray -Z nobody -i VETH --format json -o OUT` listens.  While it
#    captures, /proc/PID/status must show uid 65534 and CapEff 0; SIGINT ends
#    it; then: exit status 0, the sessions (client, server, helo, mail_from,
#    rcpt_to, finding codes) as `mxray -r` of the same file gives them, and
#    summary.capture present with dropped_by_kernel 0.  With -w, the pcap it
#    wrote as it went must hold the frames `mxray -r -w` writes, in the same
#    order (tshark reads both; the timestamps are the replay's).
# 2. A real exchange through the kernel's TCP stack across the same veth
#    (greeting, EHLO, QUIT on port 2525; this was the loopback check, moved
#    off the host's lo): locally sent segments carry unfinished checksums
#    (veth offloads them), which mxray must take; the session must be there
#    with its banner and HELO name.
# 3. A TAP: the sample split by tcpprep into its two directions, each sent
#    on its own veth; `mxray -i A -i B` must give the offline session, event
#    for event, with both interfaces' counters.
# 4. NDJSON for a shipper: the session line is in the -o file before the
#    capture ends; after the file is moved away and SIGHUP is sent, the next
#    session goes to a new file with the summary, and nothing is lost.
# 5. HTML of a live capture: the same page, but for the capture's own
#    counters and times, as `mxray -r --format html` of the sample (the
#    ladder, the PTR name, the delay to a tenth of a second, the finding
#    codes).
#
# Each numbered item below is one check, reported by name when it fails.
# If -Z makes mxray stop at once (a binary without it), the -Z checks fail
# and the run is repeated without -Z so that the others still say something.
. "$(dirname "$0")/lib.sh"
bin=${1:?usage: test-live.sh MXRAY}
case $bin in /*) ;; *) bin="$OLDPWD/$bin" ;; esac
if [ "$(id -u)" -ne 0 ]; then
	echo "live: skipped (needs root); not counted as passed"
	exit 0
fi
command -v tcpreplay >/dev/null || { ko "live: tcpreplay not installed (scripts/deps.sh)"; finish live; exit 1; }
. scripts/netns.sh
ns_setup || { ko "live: no namespaces / veth"; finish live; exit 1; }
sample=samples/slow-ptr.pcap

# mxray opens -o before it drops privileges; still, let nobody reach and
# write it, so that only the checks below decide
chmod 755 "$tmp"
: >"$tmp/live.json"
chown nobody "$tmp/live.json"

"$bin" -q -r "$sample" --format json -o "$tmp/off.json" -w "$tmp/off.pcap" ||
	ko "live: offline run mxray -r $sample failed"

# start_capture OUT ERR [OPTIONS]: mxray on the capture end; $pid
start_capture() {
	sc_out=$1 sc_err=$2
	shift 2
	ns_capture "$bin" "$@" -i "$IF_RX" --format json -o "$sc_out" 2>"$sc_err"
	pid=$!
	ns_wait_ready "$pid"
}
running() { [ -e "/proc/$1" ] && [ "$(ns_state "$1")" != Z ]; }

# --- 1. replay with -Z nobody
zflag="-Z nobody"
start_capture "$tmp/live.json" "$tmp/err" -Z nobody -w "$tmp/live.pcap"
if running "$pid"; then
	ok
else
	rc=0
	wait "$pid" || rc=$?
	ko "live: -Z nobody: mxray exited $rc at start: $(head -n 1 "$tmp/err")"
	zflag=
	start_capture "$tmp/live.json" "$tmp/err" -w "$tmp/live.pcap"
fi
ns_replay "$sample" orig >"$tmp/replay" 2>&1 ||
	ko "live: tcpreplay of $sample failed: $(tail -3 "$tmp/replay")"
grep -q 'Successful packets: *28$' "$tmp/replay" ||
	ko "live: tcpreplay did not send the 28 packets of $sample: $(grep -E 'Actual|Failed' "$tmp/replay")"
# the uid and capabilities while it is capturing
if [ -n "$zflag" ]; then
	if grep -Eq '^Uid:[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534[[:space:]]+65534$' "/proc/$pid/status"; then
		ok
	else
		ko "live: -Z nobody: uid while capturing is not 65534: $(grep '^Uid:' "/proc/$pid/status")"
	fi
	if grep -q '^CapEff:[[:space:]]*0000000000000000$' "/proc/$pid/status"; then
		ok
	else
		ko "live: -Z nobody: CapEff while capturing is not 0: $(grep '^CapEff:' "/proc/$pid/status")"
	fi
else
	ko "live: -Z nobody: uid 65534 not checked (no -Z run)"
	ko "live: -Z nobody: CapEff 0 not checked (no -Z run)"
fi
# libpcap hands packets over a block at a time; a block that is not full
# waits for its timeout, so give the last packets time to arrive
sleep 2
rc=0
ns_stop "$pid" INT 20 || rc=$?
if [ "$rc" -eq 0 ]; then
	ok
else
	ko "live: exit status after SIGINT is $rc, not 0: $(head -c 300 "$tmp/err")"
fi
python3 - "$tmp/off.json" "$tmp/live.json" >"$tmp/cmp" 2>&1 <<'PY'
import json, sys

def load(p):
    try:
        return json.load(open(p))
    except Exception as e:
        return "not a JSON document (%s)" % e

def key(s):
    return {"client": s["client"], "server": s["server"], "helo": s.get("helo"),
            "mail_from": s.get("mail_from"), "rcpt_to": s.get("rcpt_to"),
            "findings": sorted(f["code"] for f in s.get("findings", []))}

off, live = load(sys.argv[1]), load(sys.argv[2])
if isinstance(live, str):
    print("sessions: live report " + live)
    print("capture: live report " + live)
    sys.exit()
a = sorted((key(s) for s in off["sessions"]), key=json.dumps)
b = sorted((key(s) for s in live.get("sessions", [])), key=json.dumps)
if a != b:
    print("sessions: live %s, offline %s" % (json.dumps(b), json.dumps(a)))
else:
    print("sessions: ok")
lost = [s["id"] for s in live.get("sessions", []) if s.get("capture_loss") not in (None, False)]
if lost:
    print("capture_loss: true in %s" % lost)
cap = live.get("summary", {}).get("capture")
if cap is None:
    print("capture: summary.capture missing")
elif cap.get("dropped_by_kernel") != 0:
    print("capture: summary.capture.dropped_by_kernel is %r, not 0 (%s)"
          % (cap.get("dropped_by_kernel"), json.dumps(cap)))
else:
    print("capture: ok")
PY
for what in sessions capture; do
	line=$(grep "^$what: " "$tmp/cmp" || echo "$what: no verdict: $(tail -3 "$tmp/cmp")")
	if [ "$line" = "$what: ok" ]; then
		ok
	else
		ko "live: replay of $sample: $line"
	fi
done
# the frames -w wrote, as tshark reads them, but for their time
frames() {
	tshark -n -r "$1" -T fields -e ip.src -e ip.dst -e tcp.srcport \
		-e tcp.dstport -e udp.srcport -e tcp.seq_raw -e dns.id -e frame.len 2>/dev/null
}
if [ "$(frames "$tmp/live.pcap")" = "$(frames "$tmp/off.pcap")" ] &&
	[ "$(frames "$tmp/off.pcap" | wc -l)" -eq 28 ]; then
	ok
else
	ko "live: -w: the live pcap is not the offline one: $(frames "$tmp/live.pcap" | wc -l) frames against $(frames "$tmp/off.pcap" | wc -l): $(frames "$tmp/live.pcap" | head -3 | tr '\n' '|')"
fi
if grep -q '^capture_loss: ' "$tmp/cmp"; then
	ko "live: replay of $sample: $(grep '^capture_loss: ' "$tmp/cmp")"
fi

# --- 2. a real TCP exchange across the veth
ip -n "$NS_TX" addr add 192.0.2.1/24 dev "$IF_TX"
ip -n "$NS_RX" addr add 192.0.2.2/24 dev "$IF_RX"
# shellcheck disable=SC2086
start_capture "$tmp/tcp.json" "$tmp/tcp.err" $zflag --smtp-port 2525 'tcp port 2525'
ip netns exec "$NS_RX" python3 - >"$tmp/srv" 2>&1 <<'PY' &
import socket
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.settimeout(10)
srv.bind(("192.0.2.2", 2525)); srv.listen(1)
print("listening", flush=True)
c, _ = srv.accept(); f = c.makefile("rb")
c.sendall(b"220 live.example ESMTP test\r\n")
f.readline(); c.sendall(b"250 live.example\r\n")
f.readline(); c.sendall(b"221 bye\r\n"); c.close()
PY
srv=$!
# connect only once the server listens: a SYN before that is refused, and
# would be a session of its own (tcp.refused)
for _ in $(seq 50); do
	grep -q listening "$tmp/srv" && break
	sleep 0.1
done
ip netns exec "$NS_TX" python3 - >"$tmp/cli" 2>&1 <<'PY' || ko "live: tcp exchange: client failed: $(tail -1 "$tmp/cli")"
import socket
k = socket.create_connection(("192.0.2.2", 2525), timeout=5)
r = k.makefile("rb")
r.readline(); k.sendall(b"EHLO client.example\r\n"); r.readline()
k.sendall(b"QUIT\r\n"); r.readline(); k.close()
PY
wait "$srv" || ko "live: tcp exchange: server failed: $(tail -1 "$tmp/srv")"
sleep 1.5
rc=0
ns_stop "$pid" INT 20 || rc=$?
if [ "$rc" -ne 0 ]; then
	ko "live: tcp exchange: exit status after SIGINT is $rc: $(head -c 300 "$tmp/tcp.err")"
elif python3 - "$tmp/tcp.json" >"$tmp/cmp2" 2>&1 <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["sessions"] if x["server"]["port"] == 2525]
assert len(s) == 1, "sessions on 2525: %d" % len(s)
s = s[0]
assert s["banner"] and s["banner"]["code"] == 220, "banner %r" % s["banner"]
assert s["helo"] == "client.example", "helo %r" % s["helo"]
assert s["close"] in ("fin", "capture_end"), "close %r" % s["close"]
PY
then
	ok
else
	ko "live: tcp exchange: $(tail -1 "$tmp/cmp2")"
fi
# --- 3. a TAP: one interface per direction, merged in timestamp order
# (without the addresses of 2, whose ARP would add to the count)
ip -n "$NS_TX" addr flush dev "$IF_TX"
ip -n "$NS_RX" addr flush dev "$IF_RX"
# tcpprep splits the sample by port (client side / server side) and
# tcpreplay sends each half on its own veth, with the sample's timing; the
# merged session must be the offline one, event for event
ns_pair mxtx1 mxrx1
if tcpprep --port --pcap="$sample" --cachefile="$tmp/tap.cache" >"$tmp/tcpprep" 2>&1; then
	# shellcheck disable=SC2086
	start_capture "$tmp/tap.json" "$tmp/tap.err" $zflag -i mxrx1
	ip netns exec "$NS_TX" tcpreplay --no-flow-stats --cachefile="$tmp/tap.cache" \
		-i "$IF_TX" -I mxtx1 "$sample" >"$tmp/tap.replay" 2>&1 ||
		ko "live: tap: tcpreplay failed: $(tail -2 "$tmp/tap.replay")"
	sleep 2
	rc=0
	ns_stop "$pid" INT 20 || rc=$?
	if [ "$rc" -ne 0 ]; then
		ko "live: tap: exit status after SIGINT is $rc: $(head -c 300 "$tmp/tap.err")"
	elif python3 - "$tmp/off.json" "$tmp/tap.json" >"$tmp/cmp3" 2>&1 <<'PY'
import json, sys
off, tap = (json.load(open(p)) for p in sys.argv[1:3])
def key(s):
    return (s["client"], s["server"], s["helo"], s["mail_from"], s["rcpt_to"],
            sorted(f["code"] for f in s["findings"]),
            [(e["actor"], e["kind"]) for e in s["timeline"]])
assert [key(s) for s in tap["sessions"]] == [key(s) for s in off["sessions"]], \
    "sessions differ: tap %s" % [key(s) for s in tap["sessions"]]
ins = tap["inputs"]
assert sorted(i["file"] for i in ins) == ["mxrx0", "mxrx1"], ins
assert all(i["packets"] > 0 and i["dropped_by_kernel"] == 0 for i in ins), ins
assert sum(i["packets"] for i in ins) == 28, ins
PY
	then
		ok
	else
		ko "live: tap: $(tail -1 "$tmp/cmp3")"
	fi
else
	ko "live: tap: tcpprep failed: $(tail -1 "$tmp/tcpprep")"
fi

# --- 4. NDJSON for a shipper: a session line is in the file as soon as its
# grace has passed, before the capture ends; SIGHUP after the file was
# moved away (log rotation) starts a new one, and no line is lost
mkdir "$tmp/logs" && chown nobody "$tmp/logs"
ns_capture "$bin" -q $zflag --grace 1 -i "$IF_RX" --format ndjson \
	-o "$tmp/logs/live.ndjson" 2>"$tmp/hup.err"
pid=$!
ns_wait_ready "$pid"
ns_replay samples/normal.pcap orig >/dev/null 2>&1
n=0
for _ in $(seq 40); do
	n=$(grep -c '"type":"session"' "$tmp/logs/live.ndjson" 2>/dev/null || :)
	[ "${n:-0}" -ge 1 ] && break
	sleep 0.1
done
if [ "${n:-0}" -eq 1 ]; then
	ok
else
	ko "live: ndjson: no session line 4 s after the session ended (tail -f would see nothing)"
fi
mv "$tmp/logs/live.ndjson" "$tmp/logs/live.ndjson.1"
kill -HUP "$pid"
sleep 0.3
ns_replay "$sample" 4 >/dev/null 2>&1
sleep 2.5
rc=0
ns_stop "$pid" INT 20 || rc=$?
if [ "$rc" -ne 0 ]; then
	ko "live: sighup: exit status after SIGINT is $rc: $(head -c 300 "$tmp/hup.err")"
elif python3 - "$tmp/logs/live.ndjson.1" "$tmp/logs/live.ndjson" >"$tmp/cmp4" 2>&1 <<'PY'
import json, sys
def lines(p):
    return [json.loads(l) for l in open(p)]
old, new = lines(sys.argv[1]), lines(sys.argv[2])
ports = lambda v: [o["client"]["port"] for o in v if o["type"] == "session"]
assert ports(old) == [40110], "before the rotation: %s" % ports(old)
assert ports(new) == [40120], "after the rotation: %s" % ports(new)
assert [o["type"] for o in old].count("summary") == 0, "summary in the old file"
assert new[-1]["type"] == "summary" and new[-1]["sessions"] == 2, new[-1]
assert new[-1]["capture"]["dropped_by_kernel"] == 0, new[-1]["capture"]
PY
then
	ok
else
	ko "live: sighup: $(tail -1 "$tmp/cmp4")"
fi

# --- 5. HTML, live
ns_capture "$bin" -q $zflag -i "$IF_RX" --format html -o "$tmp/live.html" \
	2>"$tmp/html.err"
pid=$!
ns_wait_ready "$pid"
ns_replay "$sample" orig >/dev/null 2>&1
sleep 2
rc=0
ns_stop "$pid" INT 20 || rc=$?
"$bin" -q -r "$sample" --format html -o "$tmp/off.html"
# what a person reads of the session: its ladder's text and the findings
seen() {
	grep -o 'banner wait [0-9]*\.[0-9]\|10\.2\.0\.192\.in-addr\.arpa\|banner\.slow\|dns\.slow\|<svg class="ladder"\|</html>' "$1" | sort | uniq -c
}
if [ "$rc" -eq 0 ] && [ -n "$(seen "$tmp/off.html")" ] &&
	[ "$(seen "$tmp/live.html")" = "$(seen "$tmp/off.html")" ]; then
	ok
else
	ko "live: html (exit $rc): $(seen "$tmp/live.html" | tr '\n' ' ') against $(seen "$tmp/off.html" | tr '\n' ' ') $(head -c 200 "$tmp/html.err")"
fi
finish live
