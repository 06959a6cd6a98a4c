#!/bin/sh
# test-live.sh - live capture (-i) end to end: mxray listens on loopback,
# a small SMTP exchange runs on port 2525 (greeting, EHLO, QUIT), then
# SIGINT ends the capture and the JSON report must hold that session with
# its banner, and be a complete document.  Needs root (packet capture).
set -u
bin=${1:?usage: test-live.sh MXRAY}
if [ "$(id -u)" -ne 0 ]; then
	echo "live: skipped (needs root); not counted as passed"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
"$bin" -q -i lo --smtp-port 2525 --format json -o "$tmp/out.json" \
	'tcp port 2525' 2>"$tmp/err" &
pid=$!
sleep 1
python3 - <<'PY'
import socket, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 2525)); srv.listen(1)
def serve():
    c, _ = srv.accept(); f = c.makefile("rb")
    c.sendall(b"220 live.example ESMTP test\r\n")
    f.readline(); c.sendall(b"250 live.example\r\n")
    f.readline(); c.sendall(b"221 bye\r\n"); c.close()
t = threading.Thread(target=serve); t.start()
k = socket.create_connection(("127.0.0.1", 2525)); r = k.makefile("rb")
r.readline(); k.sendall(b"EHLO client.example\r\n"); r.readline()
k.sendall(b"QUIT\r\n"); r.readline(); k.close(); t.join(); srv.close()
PY
sleep 1
kill -INT "$pid"
wait "$pid"
rc=$?
if [ "$rc" -ne 0 ]; then
	echo "FAIL live: mxray exited $rc: $(cat "$tmp/err")"
	exit 1
fi
if python3 - "$tmp/out.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
s = [x for x in d["sessions"] if x["server"]["port"] == 2525]
assert len(s) == 1, "sessions: %d" % len(s)
s = s[0]
assert s["banner"]["code"] == 220 and s["helo"] == "client.example", s
assert s["close"] in ("fin", "capture_end"), s["close"]
PY
then
	echo "live: 1 passed, 0 failed"
else
	echo "FAIL live: report:"; head -c 2000 "$tmp/out.json"
	exit 1
fi
