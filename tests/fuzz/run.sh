#!/usr/bin/env bash
# `make fuzz`: each named harness (tests/fuzz/fuzz_NAME.c, built as
# build/fuzz/fuzz_NAME) fuzzed for FUZZ_S seconds (default 60), starting
# from its kept corpus tests/fuzz/corpus/NAME and its seeds (capture:
# pcaps/ and pcaps/third-party/; frame: frames cut from them). New inputs go
# to build/fuzz/NAME.corpus, a crash to build/fuzz/NAME-crash-*: keep it
# in tests/fuzz/corpus/NAME once fixed (tests/test_fuzz_corpus.sh replays
# that directory in make test). The last line is each harness's
# executions per second; the exit status is non-zero when one crashed.
set -uo pipefail
cd "$(dirname "$0")/../.."
FUZZ_S=${FUZZ_S:-60}
SHARED=${WIRELAT_SHARED_PCAPS:-pcaps/third-party}
PY=/usr/bin/python3

# seeds and options of harness $1 (printed, one per line)
seeds() {
	case $1 in
	capture) echo pcaps; [ -d "$SHARED" ] && echo "$SHARED" ;;
	frame)
		rm -rf build/fuzz/frame.seeds
		"$PY" tests/fuzz/seed_frames.py build/fuzz/frame.seeds \
			pcaps/*.pcap* $(ls "$SHARED"/*.pcap* 2>/dev/null)
		echo build/fuzz/frame.seeds ;;
	esac
}
max_len() {
	case $1 in capture) echo 65536 ;; frame) echo 8192 ;; http) echo 4096 ;; *) echo 512 ;; esac
}

rc=0
summary=()
for name in "$@"; do
	bin=build/fuzz/fuzz_$name
	[ -x "$bin" ] || { echo "FAIL: $bin not built (make fuzz-build)"; exit 1; }
	mkdir -p "build/fuzz/$name.corpus" "tests/fuzz/corpus/$name"
	mapfile -t extra < <(seeds "$name")
	echo "=== fuzz_$name: ${FUZZ_S} s"
	"$bin" -max_total_time="$FUZZ_S" -max_len="$(max_len "$name")" \
		-close_fd_mask=3 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="build/fuzz/$name-" \
		"build/fuzz/$name.corpus" "tests/fuzz/corpus/$name" "${extra[@]}" \
		>"build/fuzz/$name.log" 2>&1
	r=$?
	grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec)' "build/fuzz/$name.log"
	eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "build/fuzz/$name.log")
	if [ $r -ne 0 ]; then
		rc=1
		echo "--- FAIL fuzz_$name (exit $r): $(ls build/fuzz/$name-* 2>/dev/null | tr '\n' ' ')"
		grep -E -m5 'invariant broken|ERROR: |runtime error' "build/fuzz/$name.log"
		summary+=("$name CRASH")
	else
		summary+=("$name ${eps:-?}/s")
	fi
done
echo "executions per second: ${summary[*]}"
exit $rc
