#!/bin/sh
# run-golden.sh - run mxray over every case in tests/TESTLIST and compare its
# JSON (or, for an expected file ending in .txt, its text) with the
# committed expected file; --update rewrites the expected files
# (review the diff before committing).  Text and NDJSON output of each case
# are also produced, so every format runs on every sample.
set -u
bin=${1:?usage: run-golden.sh MXRAY [--update]}
update=${2:-}
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

# every ndjson line must be JSON, the last one the summary
ndjson_ok='import json, sys
objs = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
assert objs and objs[-1]["type"] == "summary", "last line is not the summary"
assert all(o["type"] in ("session", "dns", "summary") for o in objs)'

while read -r name pcap expected opts; do
	case "$name" in ''|'#'*) continue ;; esac
	# shellcheck disable=SC2086
	if ! "$bin" -q -r "$pcap" --format json $opts >"$tmp/$name.json" 2>"$tmp/$name.err"; then
		ko "$name: mxray exited non-zero: $(cat "$tmp/$name.err")"
		continue
	fi
	# shellcheck disable=SC2086
	if ! "$bin" -q -r "$pcap" --format text $opts >"$tmp/$name.txt" 2>&1 ||
	   ! "$bin" -q -r "$pcap" --format ndjson $opts >"$tmp/$name.ndjson" 2>&1; then
		ko "$name: text or ndjson run failed"
		continue
	fi
	if ! python3 -c "$ndjson_ok" "$tmp/$name.ndjson"; then
		ko "$name: bad ndjson"
		continue
	fi
	# an expected file ending in .txt holds the text report
	got="$tmp/$name.json"
	case $expected in *.txt) got="$tmp/$name.txt" ;; esac
	if [ "$update" = "--update" ]; then
		cp "$got" "$expected"
		echo "updated $expected"
		ok
	elif diff -u "$expected" "$got" >"$tmp/$name.diff"; then
		ok
	else
		ko "$name: output differs from $expected:"
		head -40 "$tmp/$name.diff"
	fi
done <tests/TESTLIST
# the encapsulated samples must report what their plain sample does
if python3 scripts/check_encap.py --mxray "$bin" >"$tmp/encap.out" 2>&1; then
	ok
else
	ko "encap: a report differs from its plain sample's:"
	grep -v '^ok' "$tmp/encap.out"
fi
finish golden
