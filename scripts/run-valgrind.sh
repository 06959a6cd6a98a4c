#!/bin/sh
# run-valgrind.sh - mxray under valgrind on every sample (text and JSON) and every lab
# capture (JSON); the JSON runs write -w's pcap too:
# any invalid access or definite/indirect/possible leak fails.  (glib, which
# libnids links, keeps "still reachable" blocks from its own init; those
# are not leaks.)  Two runs at a time, one per core.
set -u
bin=${1:?usage: run-valgrind.sh MXRAY}
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed (scripts/deps.sh installs it)"
	exit 1
fi

# run FILE FORMAT SLOT: one run; its stderr and status under SLOT
run() {
	w=
	[ "$2" = json ] && w="-w $tmp/w.$3.pcap"
	# shellcheck disable=SC2086
	valgrind -q --leak-check=full \
		--errors-for-leak-kinds=definite,indirect,possible \
		--error-exitcode=99 "$bin" -q -r "$1" --format "$2" $w \
		>/dev/null 2>"$tmp/log.$3"
	echo $? >"$tmp/rc.$3"
}
verdict() { # FILE FORMAT SLOT
	if [ "$(cat "$tmp/rc.$3")" = 0 ]; then
		ok
	else
		ko "$1 ($2):"
		head -30 "$tmp/log.$3"
	fi
}

pending=
for f in samples/*.pcap samples/lab/*.pcap; do
	fmts="text json"
	case "$f" in samples/lab/*) fmts=json ;; esac
	for fmt in $fmts; do
		if [ -z "$pending" ]; then
			run "$f" "$fmt" 0 &
			pending="$f $fmt"
			continue
		fi
		run "$f" "$fmt" 1
		wait
		# shellcheck disable=SC2086
		verdict $pending 0
		verdict "$f" "$fmt" 1
		pending=
	done
done
if [ -n "$pending" ]; then
	wait
	# shellcheck disable=SC2086
	verdict $pending 0
fi
finish valgrind
