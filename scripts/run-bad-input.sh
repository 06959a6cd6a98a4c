#!/bin/sh
# run-bad-input.sh - damaged files and bad command lines: each case in
# tests/bad-input/CASES must exit with its status and print exactly its one
# line on stderr.  A file damaged part way must still yield the report of
# what came before the damage.
set -u
bin=${1:?usage: run-bad-input.sh MXRAY}
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

run_as=""   # a command prefix for check(): empty, or one that drops privileges

# judge WHAT STATUS STDERR: the run just made (exit status in $rc, standard
# error in $tmp/err) must have exited STATUS and printed exactly STDERR
judge() {
	got_err=$(cat "$tmp/err")
	if [ "$rc" != "$2" ]; then
		ko "$1: exit $rc, expected $2 ($got_err)"
	elif [ "$got_err" != "$3" ]; then
		ko "$1: stderr"
		echo "   got:      $got_err"
		echo "   expected: $3"
	else
		ok
	fi
}

check() { # status args expected ("-": nothing)
	# shellcheck disable=SC2086
	timeout 20 $run_as "$bin" -q $2 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$3" = "-" ]; then judge "[$2]" "$1" ""; else judge "[$2]" "$1" "$3"; fi
}

while IFS='|' read -r rc args err; do
	case "$rc" in ''|'#'*) continue ;; esac
	rc=$(echo "$rc" | tr -d ' ')
	args=$(echo "$args" | sed 's/^ *//; s/ *$//')
	err=$(echo "$err" | sed 's/^ *//; s/ *$//')
	check "$rc" "$args" "$err"
done <tests/bad-input/CASES

# -o: the input refused above is untouched; an interrupted report of files
# leaves neither half a report under the name nor its temporary file
sum_before=$(cksum <samples/normal.pcap)
"$bin" -q -r samples/normal.pcap -o samples/normal.pcap 2>/dev/null
if [ "$(cksum <samples/normal.pcap)" = "$sum_before" ]; then ok; else ko "-o over the input changed it"; fi
"$bin" -q -r samples/normal.pcap -w samples/normal.pcap 2>/dev/null
if [ "$(cksum <samples/normal.pcap)" = "$sum_before" ]; then ok; else ko "-w over the input changed it"; fi
mkdir "$tmp/o" && echo "the old report" >"$tmp/o/report.json"
echo "the old packets" >"$tmp/o/packets.pcap"
mkfifo "$tmp/o/slow.pcap"
# the capture comes through a FIFO and stalls after its first bytes
( head -c 1000 samples/normal.pcap; sleep 3 ) >"$tmp/o/slow.pcap" &
feeder=$!
"$bin" -q -r "$tmp/o/slow.pcap" --format json -o "$tmp/o/report.json" \
	-w "$tmp/o/packets.pcap" 2>/dev/null &
victim=$!
sleep 1
left=$(ls -a "$tmp/o" | grep -c '^\.report\.json\.\|^\.packets\.pcap\.' || :)
kill -TERM "$victim"
wait "$victim" 2>/dev/null
kill "$feeder" 2>/dev/null
wait "$feeder" 2>/dev/null
if [ "$left" -eq 2 ] && [ "$(cat "$tmp/o/report.json")" = "the old report" ] &&
	[ "$(cat "$tmp/o/packets.pcap")" = "the old packets" ] &&
	[ "$(ls -a "$tmp/o" | grep -c '^\.report\|^\.packets')" -eq 0 ]; then
	ok
else
	ko "-o -w interrupted: temporary files while running $left (expected 2), after: $(ls -a "$tmp/o" | tr '\n' ' '), report: $(head -c 60 "$tmp/o/report.json")"
fi

# damage part way: what came before is still reported, in every format
for fmt in json ndjson text; do
	"$bin" -q -r tests/bad-input/truncated-record.pcap --format $fmt >"$tmp/part" 2>/dev/null
	if grep -q "bob@example.org" "$tmp/part"; then
		ok
	else
		ko "truncated-record ($fmt): the session before the damage is missing"
	fi
done
if "$bin" -q -r tests/bad-input/truncated-record.pcap --format json 2>/dev/null |
	python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["summary"]["sessions"]==1'; then
	ok
else
	ko "truncated-record: JSON document not complete"
fi
# stdin
if "$bin" -q -r - --format json <samples/normal.pcap | grep -q '"helo": "mail.sender.example"'; then
	ok
else
	ko "reading from stdin"
fi

# ---- more damaged files (issue 4) -------------------------------------------

# The files of tests/bad-input are what scripts/gen_bad_inputs.py writes.
if python3 scripts/gen_bad_inputs.py --check >"$tmp/gen" 2>&1; then
	ok
else
	ko "tests/bad-input is not what scripts/gen_bad_inputs.py writes:"
	sed 's/^/   /' "$tmp/gen"
fi

# Damage part way, more kinds: FILE PACKETS CLOSE.  The JSON document must be
# complete, hold the one session before the damage (with its recipient and
# the close seen before the damage) and count exactly the packets before it;
# the text and ndjson reports must hold the session too.
part_json='import json, sys
d = json.load(open(sys.argv[1]))
s = d["sessions"]
assert d["summary"]["sessions"] == 1 and len(s) == 1, "%d sessions" % len(s)
assert s[0]["rcpt_to"] == ["bob@example.org"], s[0]["rcpt_to"]
assert s[0]["close"] == sys.argv[3], "close %s, expected %s" % (s[0]["close"], sys.argv[3])
got = d["inputs"][0]["packets"]
assert got == int(sys.argv[2]), "%d packets, expected %s" % (got, sys.argv[2])'
while read -r f npk close; do
	"$bin" -q -r "tests/bad-input/$f" --format json >"$tmp/part.json" 2>/dev/null
	if python3 -c "$part_json" "$tmp/part.json" "$npk" "$close" 2>"$tmp/pyerr"; then
		ok
	else
		ko "$f (json): report before the damage: $(tail -n 1 "$tmp/pyerr")"
	fi
	for fmt in ndjson text; do
		"$bin" -q -r "tests/bad-input/$f" --format $fmt >"$tmp/part" 2>/dev/null
		if grep -q "bob@example.org" "$tmp/part"; then
			ok
		else
			ko "$f ($fmt): the session before the damage is missing"
		fi
	done
done <<'LIST'
truncated-record.pcap 26 fin
truncated-record-header.pcap 26 fin
huge-caplen-later.pcap 27 fin
caplen-over-snaplen-later.pcap 27 fin
pcapng-truncated-block.pcapng 20 capture_end
pcapng-bad-trailer.pcapng 20 capture_end
LIST

# Honest variants of samples/normal.pcap (nanosecond, big-endian, pcapng with
# unknown blocks): the same sessions, DNS transactions and summary, timestamps
# included.
same_json='import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert b["sessions"] and a["sessions"] == b["sessions"], "sessions differ"
assert a["dns"] == b["dns"], "dns differs"
assert a["summary"] == b["summary"], "summary differs"
assert a["inputs"][0]["packets"] == b["inputs"][0]["packets"], "packets differ"'
"$bin" -q -r samples/normal.pcap --format json >"$tmp/normal.json" 2>/dev/null
for f in nanosecond.pcap big-endian.pcap big-endian-nanosecond.pcap \
	pcapng-unknown-blocks.pcapng; do
	"$bin" -q -r "tests/bad-input/$f" --format json >"$tmp/same.json" 2>/dev/null
	if python3 -c "$same_json" "$tmp/normal.json" "$tmp/same.json" 2>"$tmp/pyerr"; then
		ok
	else
		ko "$f: not the report of samples/normal.pcap: $(tail -n 1 "$tmp/pyerr")"
	fi
done

# Zero packets: an empty report in every format, exit 0.
zero_json='import json, sys
d = json.load(open(sys.argv[1]))
assert d["sessions"] == [] and d["dns"] == [] and d["summary"]["sessions"] == 0
assert d["inputs"][0]["packets"] == 0'
zero_ndjson='import json, sys
l = sys.stdin.read().splitlines()
assert len(l) == 1 and json.loads(l[0])["type"] == "summary"'
for f in zero-packets.pcap zero-packets.pcapng; do
	"$bin" -q -r "tests/bad-input/$f" --format json >"$tmp/zero.json" 2>/dev/null
	if python3 -c "$zero_json" "$tmp/zero.json" 2>/dev/null &&
	   "$bin" -q -r "tests/bad-input/$f" --format text >/dev/null 2>&1 &&
	   "$bin" -q -r "tests/bad-input/$f" --format ndjson 2>/dev/null |
		python3 -c "$zero_ndjson" 2>/dev/null; then
		ok
	else
		ko "$f: not an empty report with exit 0"
	fi
done

# Damaged standard input: named "(stdin)", as when it cannot be opened.
check_stdin() { # file status expected
	timeout 20 "$bin" -q -r - <"$1" >/dev/null 2>"$tmp/err"
	rc=$?
	judge "[-r - <$1]" "$2" "$3"
}
check_stdin tests/bad-input/not-a-capture.pcap 1 \
	"mxray: (stdin): not a pcap or pcapng capture (unknown file format)"
check_stdin tests/bad-input/truncated-record.pcap 1 \
	"mxray: (stdin): truncated capture after 26 packets (truncated dump file; tried to read 60 captured bytes, only got 30)"
check_stdin tests/bad-input/empty.pcap 1 "mxray: (stdin): empty file, not a capture"

# No permission.  A mode of 000 cannot be committed, so the file is made here.
# Root reads a file whatever its mode, so as root the run drops privileges:
# as user nobody (setpriv, else su), else as root without CAP_DAC_OVERRIDE and
# CAP_DAC_READ_SEARCH (setpriv).  Each way is used only if it really takes
# the right to read the file away (cat fails) and still runs mxray; if none
# does, the case is SKIPPED: counted apart, never as a pass.
noperm="$tmp/perm/no-permission.pcap"
mkdir "$tmp/perm" && cp samples/normal.pcap "$noperm" && chmod 000 "$noperm" &&
	chmod 755 "$tmp/perm" && chmod 711 "$tmp"
perm_want="mxray: $noperm: Permission denied"
perm_way=""
if [ "$(id -u)" != 0 ]; then
	cat "$noperm" >/dev/null 2>&1 || perm_way=direct
else
	for way in "setpriv --reuid=65534 --regid=65534 --clear-groups" \
		"setpriv --bounding-set=-dac_override,-dac_read_search --inh-caps=-all"; do
		# shellcheck disable=SC2086
		if command -v setpriv >/dev/null 2>&1 &&
		   $way "$bin" --version >/dev/null 2>&1 &&
		   ! $way cat "$noperm" >/dev/null 2>&1; then
			perm_way=$way
			break
		fi
	done
	if [ -z "$perm_way" ] && command -v su >/dev/null 2>&1 &&
	   su nobody -s /bin/sh -c "'$bin' --version && ! cat '$noperm'" >/dev/null 2>&1; then
		perm_way="su nobody"
	fi
fi
case "$perm_way" in
'')
	echo "SKIP no permission: the right to read a mode-000 file cannot be taken away here (uid $(id -u); no setpriv or su that works)"
	skip=$((skip + 1)) ;;
direct)
	check 1 "-r $noperm" "$perm_want" ;;
"su nobody")
	su nobody -s /bin/sh -c "timeout 20 '$bin' -q -r '$noperm'" >/dev/null 2>"$tmp/err"
	rc=$?
	judge "no permission (su nobody)" 1 "$perm_want" ;;
*)
	run_as=$perm_way
	check 1 "-r $noperm" "$perm_want"
	run_as="" ;;
esac

finish bad-input
