#!/bin/sh
# run-golden.sh - run mxray over every case in tests/TESTLIST and compare its
# JSON with the committed expected file; --update rewrites the expected files
# (review the diff before committing).  Text and NDJSON output of each case
# are also produced, so every format runs on every sample.
set -u
bin=${1:?usage: run-golden.sh MXRAY [--update]}
update=${2:-}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

pass=0
fail=0
while read -r name pcap expected opts; do
	case "$name" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	if ! "$bin" -q -r "$pcap" --format json $opts >"$tmp/$name.json" 2>"$tmp/$name.err"; then
		echo "FAIL $name: mxray exited non-zero: $(cat "$tmp/$name.err")"
		fail=$((fail + 1))
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$bin" -q -r "$pcap" --format text $opts >"$tmp/$name.txt" 2>&1 ||
	   ! "$bin" -q -r "$pcap" --format ndjson $opts >"$tmp/$name.ndjson" 2>&1; then
		echo "FAIL $name: text or ndjson run failed"
		fail=$((fail + 1))
		continue
	fi
	# every ndjson line must be JSON, the last one the summary
	if ! python3 -c 'import json,sys
lines=open(sys.argv[1]).read().splitlines()
objs=[json.loads(l) for l in lines]
assert objs and objs[-1]["type"]=="summary", "last line is not the summary"
assert all(o["type"] in ("session","dns","summary") for o in objs)
' "$tmp/$name.ndjson"; then
		echo "FAIL $name: bad ndjson"
		fail=$((fail + 1))
		continue
	fi
	if [ "$update" = "--update" ]; then
		cp "$tmp/$name.json" "$expected"
		echo "updated $expected"
		pass=$((pass + 1))
	elif diff -u "$expected" "$tmp/$name.json" >"$tmp/$name.diff"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name: output differs from $expected:"
		head -40 "$tmp/$name.diff"
		fail=$((fail + 1))
	fi
done <tests/TESTLIST
echo "golden: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
