#!/bin/sh
# run-bad-input.sh - damaged files and bad command lines: each case in
# tests/bad-input/CASES must exit with its status and print exactly its one
# line on stderr.  A file damaged part way must still yield the report of
# what came before the damage.
set -u
bin=${1:?usage: run-bad-input.sh MXRAY}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
pass=0
fail=0

check() { # status args expected
	want_rc=$1 args=$2 want_err=$3
	# shellcheck disable=SC2086
	timeout 20 "$bin" -q $args >"$tmp/out" 2>"$tmp/err"
	rc=$?
	got_err=$(cat "$tmp/err")
	[ "$want_err" = "-" ] && want_err=""
	if [ "$rc" != "$want_rc" ]; then
		echo "FAIL [$args]: exit $rc, expected $want_rc ($got_err)"
		fail=$((fail + 1))
	elif [ "$got_err" != "$want_err" ]; then
		echo "FAIL [$args]: stderr"
		echo "   got:      $got_err"
		echo "   expected: $want_err"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
}

while IFS='|' read -r rc args err; do
	case "$rc" in ''|'#'*) continue ;; esac
	rc=$(echo "$rc" | tr -d ' ')
	args=$(echo "$args" | sed 's/^ *//; s/ *$//')
	err=$(echo "$err" | sed 's/^ *//; s/ *$//')
	check "$rc" "$args" "$err"
done <tests/bad-input/CASES

# damage part way: what came before is still reported, in every format
for fmt in json ndjson text; do
	"$bin" -q -r tests/bad-input/truncated-record.pcap --format $fmt >"$tmp/part" 2>/dev/null
	if grep -q "bob@example.org" "$tmp/part"; then
		pass=$((pass + 1))
	else
		echo "FAIL truncated-record ($fmt): the session before the damage is missing"
		fail=$((fail + 1))
	fi
done
if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["summary"]["sessions"]==1' "$tmp/part" 2>/dev/null ||
   "$bin" -q -r tests/bad-input/truncated-record.pcap --format json 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["summary"]["sessions"]==1'; then
	pass=$((pass + 1))
else
	echo "FAIL truncated-record: JSON document not complete"
	fail=$((fail + 1))
fi
# stdin
if "$bin" -q -r - --format json <samples/normal.pcap | grep -q '"helo": "mail.sender.example"'; then
	pass=$((pass + 1))
else
	echo "FAIL reading from stdin"
	fail=$((fail + 1))
fi
echo "bad-input: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
