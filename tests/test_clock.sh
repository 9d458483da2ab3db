#!/usr/bin/env bash
# A step of the wall clock (as NTP makes at boot) shows in the next record's
# ts without a restart: records carry CLOCK_REALTIME read when they are
# written, durations come from the kernel's monotonic clock.
#
# The step is the whole machine's: every process sees it, and a test running
# beside this one (a tcpdump's timestamps in test_live, a second CI on the
# same kernel) would see a capture with a 120 s hole in it. So the clock is
# stepped only where this test owns it: inside a guest of
# `make test-kernels` (its own kernel, its own clock; the guest's command
# line names wlout=), or when WL_CLOCK_STEP=1 says the machine is this
# test's alone. Elsewhere it skips (77) and says so.
#
# Network rules: two namespaces made here (lib.sh netns_pair), joined only
# by their veth pair, no default route, forwarding off, addresses from
# 198.51.100.0/24 and 2001:db8::/32. The clock is put back (saved wall +
# monotonic elapsed) by the trap, also on failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
if [ "${WL_CLOCK_STEP:-}" != 1 ] && ! grep -q 'wlout=' /proc/cmdline 2>/dev/null; then
	echo "SKIP: steps the machine's wall clock by 120 s: runs in make test-kernels' guests, or with WL_CLOCK_STEP=1 on a machine nothing else uses"
	exit 77
fi
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
netns_pair k 198.51.100.2 198.51.100.1 2001:db8:d::2 2001:db8:d::1

CLOCK_SAVED=""
save_clock() { CLOCK_SAVED=$($PY -c 'import time; print(time.time_ns(), time.monotonic_ns())'); }
restore_clock() {
	[ -n "$CLOCK_SAVED" ] || return 0
	$PY -c 'import sys, time
w, m = map(int, sys.argv[1:3])
time.clock_settime_ns(time.CLOCK_REALTIME, w + time.monotonic_ns() - m)' $CLOCK_SAVED
	CLOCK_SAVED=""
}
cleanup_clock() {
	restore_clock
	netns_pair_cleanup
}
trap cleanup_clock EXIT
step_clock() { $PY -c 'import sys, time; time.clock_settime_ns(time.CLOCK_REALTIME, time.time_ns() + int(sys.argv[1]) * 10**9)' "$1"; }

PEER="$ROOT/tests/conn_peer.py"
ip netns exec "$NS_S" "$PY" "$PEER" sink 198.51.100.2 9000 >"$tmp/sink.out" 2>&1 &
PIDS+=($!)
wait_file "$tmp/sink.out" '^ready' || { echo "FAIL: sink did not start"; exit 1; }
one_conn() { ip netns exec "$NS_C" "$PY" "$PEER" upload 198.51.100.2 9000 1000 >/dev/null || fail "a connection to the sink failed"; }

# ts_off FILE N: the Nth tcp_handshake record's ts minus the wall clock now, in s
ts_off() {
	$PY - "$1" "$2" <<'PY'
import datetime, json, sys, time
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
hs = [r for r in recs if r["type"] == "tcp_handshake"]
r = hs[int(sys.argv[2]) - 1]
ts = datetime.datetime.strptime(r["ts"], "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
print("%.3f" % (ts.timestamp() - time.time()))
PY
}
# count FILE: tcp_handshake records in FILE
count() { grep -c '"tcp_handshake"' "$1"; }

STEP=120
ip netns exec "$NS_C" "$WIRELAT" -i "$VC" --json >"$tmp/clock.out" 2>"$tmp/clock.err" &
WL=$!
PIDS+=("$WL")
if ! wait_file "$tmp/clock.err" 'watching'; then
	fail "wirelat did not start: $(cat "$tmp/clock.err")"
	exit 1
fi
one_conn
wait_file "$tmp/clock.out" '"tcp_handshake"' || fail "no record before the step"
before=$(ts_off "$tmp/clock.out" 1)
save_clock
step_clock "$STEP"
one_conn
n=200
while [ "$(count "$tmp/clock.out")" -lt 2 ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
[ "$(count "$tmp/clock.out")" -ge 2 ] || fail "no record after the step"
after=$(ts_off "$tmp/clock.out" 2)
restore_clock
kill -INT "$WL"
wait "$WL"
rc=$?
[ "$rc" = 0 ] || fail "wirelat exit $rc after SIGINT: $(tail -2 "$tmp/clock.err")"
# each record's ts is within 5 s of the wall clock when it was read: the
# second one 120 s after the first, as the clock said, not as it ran
if awk -v a="$before" -v b="$after" 'BEGIN { exit !(a > -5 && a < 1 && b > -5 && b < 1) }'; then
	ok "record ts - wall clock: ${before} s before a +${STEP} s step, ${after} s after it"
else
	fail "record ts - wall clock: ${before} s before a +${STEP} s step, ${after} s after it (want both within 5 s)"
fi
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
