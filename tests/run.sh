#!/usr/bin/env bash
# Run every test of wirelat; the last line is "N passed, N failed" and the
# exit status is non-zero when anything failed. A test is an executable
# tests/test_*.sh or build/tests/test_*; it exits 0 (pass), 77 (skip:
# a kernel feature is missing) or anything else (fail).
set -uo pipefail
cd "$(dirname "$0")/.."

pass=0 fail=0 skip=0
failed=()
for t in build/tests/test_* tests/test_*.sh; do
	[ -x "$t" ] || continue
	echo "=== $t"
	start=$SECONDS
	"$t"
	rc=$?
	case $rc in
	0) pass=$((pass + 1)); echo "--- PASS $t ($((SECONDS - start)) s)" ;;
	77) skip=$((skip + 1)); echo "--- SKIP $t" ;;
	*) fail=$((fail + 1)); failed+=("$t"); echo "--- FAIL $t (exit $rc)" ;;
	esac
done
[ ${#failed[@]} -gt 0 ] && echo "failed: ${failed[*]}"
[ $skip -gt 0 ] && echo "$skip skipped"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
