#!/usr/bin/env bash
# `make test SANITIZE=1`: the suites that exercise userspace, run with the
# daemon and the test binaries built with ASan and UBSan (Makefile,
# SAN_FLAGS). Any sanitizer report fails the run: the first report stops
# the process (halt_on_error, abort_on_error) and is written to a log of
# its own (log_path), so a test that expects wirelat to fail (bad input)
# cannot pass over one; every log found afterwards is printed and counted,
# and so is a report in a suite's own output.
# The last line is "N passed, N failed", as tests/run.sh's.
set -uo pipefail
cd "$(dirname "$0")/.."

SUITES=(build/tests/test_parse build/tests/test_jbuf tests/test_offline.sh
	tests/test_jobs.sh
	tests/test_prometheus.sh
	tests/test_who.sh tests/test_top.sh tests/test_bad_input.sh
	tests/test_web_config.sh tests/test_fuzz_corpus.sh)

grep -q -- '-fsanitize=address' build/cflags 2>/dev/null || {
	echo "FAIL: wirelat is not built with sanitizers (make SANITIZE=1 all)"
	exit 1
}
logs=$(mktemp -d /tmp/wirelat-san.XXXXXX)
out=$logs/output
trap 'rm -rf "$logs"' EXIT
chmod 755 "$logs"	# wirelat run as another user (test_systemd) writes too
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:log_path=$logs/asan:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$logs/ubsan:${UBSAN_OPTIONS:-}"

pass=0 fail=0 skip=0
failed=()
for t in "${SUITES[@]}"; do
	echo "=== $t (sanitized)"
	start=$SECONDS
	"$t" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	# a report a test's own output shows (a sanitizer writing to stderr)
	if grep -a -q -E 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error: ' "$out"; then
		echo "--- a sanitizer report in the output of $t"
		rc=99
	fi
	reports=$(find "$logs" -type f -name '[au][sb]san.*' | sort)
	if [ -n "$reports" ]; then
		for r in $reports; do
			echo "--- sanitizer report $r:"
			cat "$r"
			rm -f "$r"
		done
		rc=99
	fi
	case $rc in
	0) pass=$((pass + 1)); echo "--- PASS $t ($((SECONDS - start)) s)" ;;
	77) skip=$((skip + 1)); echo "--- SKIP $t" ;;
	*) fail=$((fail + 1)); failed+=("$t"); echo "--- FAIL $t (exit $rc)" ;;
	esac
done
[ ${#failed[@]} -gt 0 ] && echo "failed (sanitized): ${failed[*]}"
[ $skip -gt 0 ] && echo "$skip skipped"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
