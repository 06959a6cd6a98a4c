#!/bin/sh
# run-unit.sh - the Criterion unit tests.  Criterion runs each test in a
# child process; a LeakSanitizer (or other sanitizer) report printed there
# does not fail the test, so the log is searched for one.
set -u
bin=${1:?usage: run-unit.sh UNIT-TEST-BINARY}
log=$(mktemp) || exit 1
trap 'rm -f "$log"' EXIT INT TERM
"$bin" --jobs 2 >"$log" 2>&1
rc=$?
cat "$log"
if grep -qE "ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:" "$log"; then
	echo "unit: a sanitizer reported a problem (see above)"
	exit 1
fi
exit "$rc"
