#!/usr/bin/env bash
# The fuzz harnesses (tests/fuzz/, built by `make fuzz-build`) in make
# test, without fuzzing time: each runs every input of its kept corpus
# tests/fuzz/corpus/NAME (the crashes found so far and a small set that
# covers what the fuzzer reached) once, then a smoke run of a fixed number
# of mutations from that corpus with a fixed seed. A crash, a sanitizer
# report or a broken invariant fails the test.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

NAMES=(capture frame http cli)
# executions of the smoke run: a few seconds each here
declare -A RUNS=([capture]=3000 [frame]=20000 [http]=20000 [cli]=300000)
declare -A MAXLEN=([capture]=65536 [frame]=8192 [http]=4096 [cli]=512)
tmp=$(mktemp -d /tmp/wl-fuzzc.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for n in "${NAMES[@]}"; do
	bin=build/fuzz/fuzz_$n
	dir=tests/fuzz/corpus/$n
	[ -x "$bin" ] || { echo "FAIL: $bin not built (make fuzz-build)"; exit 1; }
	files=("$dir"/*)
	[ -e "${files[0]}" ] || { fail "fuzz_$n: no kept corpus in $dir"; continue; }
	if "$bin" -close_fd_mask=3 -rss_limit_mb=4096 "${files[@]}" >"$tmp/$n.replay" 2>&1; then
		ok "fuzz_$n: ${#files[@]} kept inputs replayed"
	else
		fail "fuzz_$n: a kept input fails: $(grep -a -E -m3 'invariant broken|ERROR: |runtime error|Running:' "$tmp/$n.replay" | tail -3 | tr '\n' ' ')"
	fi
	mkdir -p "$tmp/$n.new"
	cp "${files[@]}" "$tmp/$n.new/"
	if "$bin" -seed=1 -runs="${RUNS[$n]}" -max_len="${MAXLEN[$n]}" \
		-close_fd_mask=3 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$tmp/$n-" \
		"$tmp/$n.new" >"$tmp/$n.smoke" 2>&1; then
		ok "fuzz_$n: smoke, ${RUNS[$n]} mutations, $(sed -n 's/^stat::average_exec_per_sec: *//p' "$tmp/$n.smoke") exec/s"
	else
		fail "fuzz_$n: the smoke run crashed: $(grep -a -E -m3 'invariant broken|ERROR: |runtime error' "$tmp/$n.smoke" | tr '\n' ' ') (input: see $bin -help; rerun with -seed=1)"
		cp "$tmp/$n-"* build/fuzz/ 2>/dev/null
	fi
done
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
