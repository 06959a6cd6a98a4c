#!/bin/sh
# fuzz.sh - build and run the libFuzzer targets in tests/fuzz/ (see
# tests/fuzz/README.md).
#
#   scripts/fuzz.sh build            build build/fuzz/fuzz_{smtp,dns,pipeline,tcpreasm,merge}
#   scripts/fuzz.sh corpus           seed corpora from samples/ into build/fuzz/seeds/
#   scripts/fuzz.sh run [SECONDS]    build, seed, run each target SECONDS
#                                    (default $FUZZ_SECONDS or 600), print stats
#   scripts/fuzz.sh smoke [SECONDS]  build, seed, run each target SECONDS
#                                    (default 15) from the seeds only, then
#                                    every tests/fuzz/regress/<target>/* input;
#                                    exit 1 on any crash
#   scripts/fuzz.sh regress          only the regression inputs
#
# Environment: CLANG (default clang-14), FUZZ_JOBS (parallel jobs per target
# for run, default 1), FUZZ_TARGETS (default "smtp dns pipeline tcpreasm merge").
# run keeps its growing corpus in build/fuzz/corpus/<target>/ between runs;
# crashes land in build/fuzz/artifacts/<target>/.
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
CLANG=${CLANG:-clang-14}
OUT=$ROOT/build/fuzz
TARGETS=${FUZZ_TARGETS:-"smtp dns pipeline tcpreasm merge"}
# UBSan stays recoverable: the targets set halt_on_error=1 themselves
# (__ubsan_default_options), so any report still ends the run, while
# UBSAN_OPTIONS=suppressions=FILE can step over a known, reported issue.
SAN="-fsanitize=fuzzer,address,undefined"
CFLAGS_FZ="-g -O1 -fno-omit-frame-pointer -std=c11 -Wall -Wextra -Werror -D_DEFAULT_SOURCE -Idissectors -Ianalyzer"
LIBS="-lnids -lpcap -ljansson -lm"

max_len() {
	case $1 in
	smtp) echo 16384 ;;     # room for a line over SMTP_LINE_MAX (4096)
	dns) echo 4096 ;;       # a large EDNS answer; TCP framing of several
	pipeline) echo 65536 ;; # a capture of a few sessions
	tcpreasm) echo 4096 ;;  # hundreds of segments; lengths are fields
	merge) echo 65536 ;;    # 2-3 captures of a session or two each
	esac
}

extra_args() {
	case $1 in
	smtp) echo "-dict=$ROOT/tests/fuzz/smtp.dict" ;;
	merge) echo "-dict=$ROOT/tests/fuzz/merge.dict" ;;
	*) echo "" ;;
	esac
}

# Compile every dissector/analyzer source except main.c, only when the
# source or any header is newer than its object.
build() {
	if ! command -v "$CLANG" >/dev/null 2>&1; then
		echo "fuzz.sh: $CLANG not found (apt-get install clang-14 libclang-rt-14-dev)" >&2
		exit 1
	fi
	mkdir -p "$OUT/obj"
	objs=""
	pids=""
	for src in dissectors/*.c analyzer/*.c analyzer/*/*.c; do
		[ "$src" = analyzer/main.c ] && continue
		obj="$OUT/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
		objs="$objs $obj"
		if [ ! -f "$obj" ] || [ -n "$(find "$src" dissectors/*.h dissectors/*.def \
			analyzer/*/*.h analyzer/*/*.def -newer "$obj" 2>/dev/null | head -1)" ]; then
			# shellcheck disable=SC2086
			$CLANG $CFLAGS_FZ $SAN -c -o "$obj" "$src" &
			pids="$pids $!"
		fi
	done
	for p in $pids; do wait "$p" || { echo "fuzz.sh: compile failed" >&2; exit 1; }; done
	# objects of sources that no longer exist must not be linked
	for t in $TARGETS; do
		echo "  LINK $OUT/fuzz_$t"
		# shellcheck disable=SC2086
		$CLANG $CFLAGS_FZ $SAN -o "$OUT/fuzz_$t" "tests/fuzz/fuzz_$t.c" $objs $LIBS
	done
}

corpus() {
	python3 tests/fuzz/make_corpus.py "$OUT/seeds"
}

# The final stats of one run, from its log(s) (one per -jobs worker):
# executions summed, cov/ft/corp of the last status line (cov/ft: the
# highest over workers), files = inputs in the corpus directory.
summarize() { # target corpus-dir log...
	t=$1 dir=$2
	shift 2
	awk -v t="$t" -v files="$(find "$dir" -type f 2>/dev/null | wc -l)" '
		FNR == 1 { if (NR > 1) flush(); c = f = e = r = u = "" }
		/stat::number_of_executed_units:/ { e = $2 }
		/stat::peak_rss_mb:/ { r = $2 }
		/ cov: / {
			for (i = 1; i < NF; i++) {
				if ($i == "cov:") c = $(i + 1)
				if ($i == "ft:") f = $(i + 1)
				if ($i == "corp:") u = $(i + 1)
			}
		}
		function flush() {
			execs += e
			if (c + 0 > cov) cov = c + 0
			if (f + 0 > ft) ft = f + 0
			if (r + 0 > rss) rss = r + 0
			if (u != "") corp = u
		}
		END {
			flush()
			printf "%-9s execs %-10d cov %-6d ft %-7d corp %-14s files %-6d peak_rss_mb %d\n",
				t, execs, cov, ft, corp, files, rss
		}' "$@"
}

# libFuzzer's options common to run and smoke.
common_opts() { # target
	echo "-max_len=$(max_len "$1") -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $(extra_args "$1")"
}

run() {
	secs=${1:-${FUZZ_SECONDS:-600}}
	jobs=${FUZZ_JOBS:-1}
	build
	corpus
	for t in $TARGETS; do
		mkdir -p "$OUT/corpus/$t" "$OUT/artifacts/$t" "$OUT/logs"
		log="$OUT/logs/$t.log"
		echo "== fuzz_$t for ${secs}s (log $log)"
		set +e
		if [ "$jobs" -gt 1 ]; then
			# the workers write fuzz-N.log into the current directory
			jdir="$OUT/logs/$t-jobs"
			rm -rf "$jdir"
			mkdir -p "$jdir"
			# shellcheck disable=SC2046
			(cd "$jdir" && "$OUT/fuzz_$t" $(common_opts "$t") \
				-max_total_time="$secs" -jobs="$jobs" -workers="$jobs" \
				-close_fd_mask=1 -artifact_prefix="$OUT/artifacts/$t/" \
				"$OUT/corpus/$t" "$OUT/seeds/$t") >"$log" 2>&1
			rc=$?
			log=$(ls "$jdir"/fuzz-*.log 2>/dev/null || echo "$log")
		else
			# shellcheck disable=SC2046
			"$OUT/fuzz_$t" $(common_opts "$t") -max_total_time="$secs" \
				-close_fd_mask=1 -artifact_prefix="$OUT/artifacts/$t/" \
				"$OUT/corpus/$t" "$OUT/seeds/$t" >"$log" 2>&1
			rc=$?
		fi
		set -e
		# shellcheck disable=SC2086
		summarize "$t" "$OUT/corpus/$t" $log | tee "$OUT/summary-$t.txt"
		[ "$rc" -eq 0 ] || echo "   fuzz_$t exited $rc: see $log and $OUT/artifacts/$t/"
	done
	echo "== final stats (execs summed over workers; corp = libFuzzer units/size; files = corpus dir)"
	for t in $TARGETS; do cat "$OUT/summary-$t.txt"; done
	if ls "$OUT"/artifacts/*/crash-* "$OUT"/artifacts/*/leak-* \
		"$OUT"/artifacts/*/timeout-* "$OUT"/artifacts/*/oom-* 2>/dev/null; then
		echo "fuzz.sh: findings above; minimize them (-minimize_crash=1) into tests/fuzz/regress/<target>/"
	fi
}

regress() {
	local fail=0
	for t in $TARGETS; do
		dir=tests/fuzz/regress/$t
		set -- "$dir"/*
		[ -e "$1" ] || continue
		echo "== regress fuzz_$t: $# input(s)"
		if ! "$OUT/fuzz_$t" -runs=1 "$@" >"$OUT/logs/regress-$t.log" 2>&1; then
			tail -40 "$OUT/logs/regress-$t.log"
			echo "fuzz.sh: fuzz_$t fails on a regression input" >&2
			fail=1
		fi
	done
	return $fail
}

smoke() {
	# five targets: 15 s each keeps the whole smoke near a minute and a half
	secs=${1:-15}
	build
	corpus
	mkdir -p "$OUT/logs"
	local fail=0
	for t in $TARGETS; do
		work="$OUT/smoke/$t"
		rm -rf "$work"
		mkdir -p "$work" "$OUT/smoke-artifacts/$t"
		log="$OUT/logs/smoke-$t.log"
		echo "== smoke fuzz_$t ${secs}s"
		# shellcheck disable=SC2046
		if ! "$OUT/fuzz_$t" $(common_opts "$t") -max_total_time="$secs" \
			-close_fd_mask=1 -artifact_prefix="$OUT/smoke-artifacts/$t/" \
			"$work" "$OUT/seeds/$t" >"$log" 2>&1; then
			tail -60 "$log"
			echo "fuzz.sh: fuzz_$t crashed in the smoke run (log $log)" >&2
			fail=1
		fi
		summarize "$t" "$work" "$log"
	done
	regress || fail=1
	[ $fail -eq 0 ] && echo "fuzz smoke: ok"
	return $fail
}

cmd=${1:-run}
[ $# -gt 0 ] && shift
case $cmd in
build) build ;;
corpus) corpus ;;
run) run "$@" ;;
smoke) smoke "$@" ;;
regress) build && mkdir -p "$OUT/logs" && regress ;;
*) echo "usage: $0 build|corpus|run [SECONDS]|smoke [SECONDS]|regress" >&2; exit 2 ;;
esac
