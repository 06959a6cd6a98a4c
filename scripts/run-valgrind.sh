#!/bin/sh
# run-valgrind.sh - mxray under valgrind on every sample (text and JSON) and every lab
# capture (JSON):
# any invalid access or definite/indirect/possible leak fails.  (glib, which
# libnids links, keeps "still reachable" blocks from its own init; those
# are not leaks.)
set -u
bin=${1:?usage: run-valgrind.sh MXRAY}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
if ! command -v valgrind >/dev/null 2>&1; then
	echo "valgrind: not installed (scripts/deps.sh installs it)"
	exit 1
fi
pass=0
fail=0
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT INT TERM
for f in samples/*.pcap samples/lab/*.pcap; do
	fmts="text json"
	case "$f" in samples/lab/*) fmts=json ;; esac
	for fmt in $fmts; do
		if valgrind -q --leak-check=full \
			--errors-for-leak-kinds=definite,indirect,possible \
			--error-exitcode=99 "$bin" -q -r "$f" --format "$fmt" \
			>/dev/null 2>"$log"; then
			pass=$((pass + 1))
		else
			echo "FAIL $f ($fmt):"
			head -30 "$log"
			fail=$((fail + 1))
		fi
	done
done
echo "valgrind: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
