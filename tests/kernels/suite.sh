#!/usr/bin/env bash
# The tests that do not need this machine's kernel, on the kernel this runs
# on: inside a qemu guest of tests/kernels/run.sh, or on this machine.
#
#   tests/kernels/suite.sh OUT EXPECTED
#
# EXPECTED: what tests/kernels/run.sh computed on this machine: `cases`
# (N CAPTURE [TIMEOUTS...] per line, tests/test_offline.sh --cases) and,
# per case, N.jsonl (the records), N.prom (--metrics-out) and N.rc.
# OUT (made here) gets: kernel (uname -r), results (one line per test:
# NAME pass|fail|skip SECONDS), NAME.log for each test, and verifier.log
# (build/tests/prog_stats: each program's verifier cost).
#
#   verifier     every program of the object loads alone, as the daemon
#                configures it (build/tests/prog_stats)
#   parse        build/tests/test_parse, then build/tests/test_xdp_len (the
#                live XDP program's length, frames in fragments;
#                BPF_PROG_TEST_RUN)
#   offline      `wirelat -r` on every case of tests/test_offline.sh: the
#                records byte-identical to this machine's, the metrics too
#                (but the *_info lines), the same exit status
#   sock_load    build/tests/test_sock_load
#   live_xdp     tests/kernels/live.sh xdp: a veth pair, both directions,
#   live_tc      against tcpdump (and with TC ingress)
#   sock_auto    tests/test_sock_live.sh (the socket path, --sock auto)
#   sock_kprobe  tests/test_sock_live.sh kprobe (skip without kprobes)
#   systemd      tests/test_systemd.sh: wirelat as its unit runs it (no
#                root: CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON) loads, attaches
#                and measures on this kernel, and what it keeps once attached
#   clock        tests/test_clock.sh: a step of the wall clock shows in the
#                next record's ts (in a guest only: it steps the guest's
#                clock; on this machine it skips)
#
# Each test is bounded by WL_KERNELS_TEST_TIMEOUT seconds (default 900): a
# bound for a hung run, not a timing a test depends on. WL_KERNELS_TESTS
# ("parse live_xdp") runs only those.
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

# suite.sh --offline EXPECTED: the offline suite against the host's
# outputs (a test of its own, run by the suite). One run at a time: two at
# once were no faster (the verifier's time is most of a run).
offline_case() { # DIR N CAPTURE [TIMEOUTS...]: one line, "ok: ..." or "FAIL: ..."
	local dir=$1 n=$2 f=$3 args=() label
	shift 3
	[ $# -ge 1 ] && args+=(--handshake-timeout "$1")
	[ $# -ge 2 ] && args+=(--dns-timeout "$2")
	[ $# -ge 3 ] && args+=(--idle-timeout "$3")
	label="$f${args[*]:+ ${args[*]}}"
	"$WIRELAT" -r "$f" --json "${args[@]}" --metrics-out "$dir/$n.prom" \
		>"$dir/$n.jsonl" 2>"$dir/$n.err"
	echo $? >"$dir/$n.rc"
	grep -v '_info{' "$dir/$n.prom" >"$dir/$n.m" 2>/dev/null
	grep -v '_info{' "$EXPECTED/$n.prom" >"$dir/$n.em" 2>/dev/null
	if ! cmp -s "$dir/$n.rc" "$EXPECTED/$n.rc"; then
		echo "FAIL: $label: exit $(cat "$dir/$n.rc"), on the host $(cat "$EXPECTED/$n.rc"): $(head -3 "$dir/$n.err")"
	elif ! cmp -s "$dir/$n.jsonl" "$EXPECTED/$n.jsonl"; then
		echo "FAIL: $label: records differ ($(wc -l <"$dir/$n.jsonl") lines, on the host $(wc -l <"$EXPECTED/$n.jsonl")):"
		diff "$EXPECTED/$n.jsonl" "$dir/$n.jsonl" | head -6
	elif ! cmp -s "$dir/$n.m" "$dir/$n.em"; then
		echo "FAIL: $label: metrics differ (< host, > here):"
		diff "$dir/$n.em" "$dir/$n.m" | head -6
	else
		echo "ok: $label: $(wc -l <"$dir/$n.jsonl") records identical"
	fi
}
offline() {
	local dir n f timeouts bad=0 total=0
	dir=$(mktemp -d /tmp/wl-offline.XXXXXX)
	# shellcheck disable=SC2064 # the directory is known now
	trap "rm -rf '$dir'" EXIT
	while read -r n f timeouts; do
		# shellcheck disable=SC2086 # the timeouts are words
		offline_case "$dir" "$n" "$f" $timeouts | tee "$dir/$n.out"
		grep -q '^FAIL' "$dir/$n.out" && bad=$((bad + 1))
		total=$((total + 1))
	done <"$EXPECTED/cases"
	echo "$total runs, $bad differ"
	[ "$total" -gt 0 ] && [ "$bad" -eq 0 ]
}
if [ "${1:-}" = --offline ]; then
	EXPECTED=$2
	offline
	exit
fi

OUT=$1
EXPECTED=$2
LIMIT=${WL_KERNELS_TEST_TIMEOUT:-900}
mkdir -p "$OUT"
uname -r >"$OUT/kernel"
: >"$OUT/results"
cd "$ROOT" || exit 1

# run NAME COMMAND...: one test, its log and result line. In the
# background: a signal to the suite goes to the test (timeout hands it on)
# and the test's trap removes what it made.
CHILD=""
trap '[ -n "$CHILD" ] && kill -TERM "$CHILD" 2>/dev/null; wait; exit 143' TERM
run() {
	local name=$1 start=$SECONDS rc res
	shift
	[ -z "${WL_KERNELS_TESTS:-}" ] || [[ " $WL_KERNELS_TESTS " == *" $name "* ]] || return 0
	echo "=== $name" >&2
	timeout -k 10 "$LIMIT" "$@" >"$OUT/$name.log" 2>&1 &
	CHILD=$!
	wait "$CHILD"
	rc=$?
	CHILD=""
	case $rc in
	0) res=pass ;;
	77) res=skip ;;
	124 | 137) res=fail; echo "FAIL: no end after $LIMIT s" >>"$OUT/$name.log" ;;
	*) res=fail ;;
	esac
	echo "$name $res $((SECONDS - start))" >>"$OUT/results"
	echo "--- $name $res ($((SECONDS - start)) s)" >&2
}

run verifier build/tests/prog_stats
run parse sh -c 'build/tests/test_parse && build/tests/test_xdp_len'
run offline "$ROOT/tests/kernels/suite.sh" --offline "$EXPECTED"
run sock_load build/tests/test_sock_load
WL_LIVE_KEEP=$OUT/live_xdp.files run live_xdp tests/kernels/live.sh xdp
WL_LIVE_KEEP=$OUT/live_tc.files run live_tc tests/kernels/live.sh tc
run sock_auto tests/test_sock_live.sh
run sock_kprobe tests/test_sock_live.sh kprobe
run systemd tests/test_systemd.sh
run clock tests/test_clock.sh
! grep -q ' fail ' "$OUT/results"
