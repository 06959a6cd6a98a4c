#!/bin/sh
# run-valgrind.sh - mxray under valgrind on every sample (text and JSON) and every lab
# capture (JSON):
# any invalid access or definite/indirect/possible leak fails.  (glib, which
# libnids links, keeps "still reachable" blocks from its own init; those
# are not leaks.)
set -u
bin=${1:?usage: run-valgrind.sh MXRAY}
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed (scripts/deps.sh installs it)"
	exit 1
fi
for f in samples/*.pcap samples/lab/*.pcap; do
	fmts="text json"
	case "$f" in samples/lab/*) fmts=json ;; esac
	for fmt in $fmts; do
		if valgrind -q --leak-check=full \
			--errors-for-leak-kinds=definite,indirect,possible \
			--error-exitcode=99 "$bin" -q -r "$f" --format "$fmt" \
			>/dev/null 2>"$tmp/log"; then
			ok
		else
			ko "$f ($fmt):"
			head -30 "$tmp/log"
		fi
	done
done
finish valgrind
