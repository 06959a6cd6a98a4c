# shellcheck shell=sh
# lib.sh - sourced (". scripts/lib.sh") by run-golden.sh, run-bad-input.sh
# and run-valgrind.sh, POSIX sh: the repository root as the working
# directory, a scratch directory $tmp removed on exit, and the pass / fail /
# skip counters with the summary line that ends each script.

cd "$(dirname "$0")/.." || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
pass=0
fail=0
skip=0

ok() { pass=$((pass + 1)); }
ko() { echo "FAIL $*"; fail=$((fail + 1)); }

# finish NAME: "NAME: P passed, F failed[, S skipped]"; status 0 unless a
# check failed (a skipped one is never counted as passed)
finish() {
	if [ "$skip" -gt 0 ]; then
		echo "$1: $pass passed, $fail failed, $skip skipped"
	else
		echo "$1: $pass passed, $fail failed"
	fi
	[ "$fail" -eq 0 ]
}
