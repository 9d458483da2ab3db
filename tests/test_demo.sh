#!/usr/bin/env bash
# `make demo`: it must print handshake and DNS records and summaries, exit 0,
# and leave no namespace, link, program, process or file behind:
#   1. make demo DURATION=12, to its end;
#   2. tests/demo.sh 60 interrupted like a Ctrl-C on its terminal (SIGINT to
#      its process group) once records flow: a last summary, cleanup, exit 0.
# Exit 0 pass, 1 fail, 77 no root, or a demo is running (its namespaces
# exist). Environment: WIRELAT_BIN overrides the binary.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
if ip netns list | grep -qE '^wl-demo-(c|s)( |$)'; then
	echo "SKIP: a demo is running (namespaces wl-demo-c/wl-demo-s exist)"
	exit 77
fi

out=$(mktemp /tmp/wl-test-demo.XXXXXX)
DEMO_PID=
cleanup() {
	trap - EXIT INT TERM
	# the demo removes what it made; if it is still running, end it
	if [ -n "$DEMO_PID" ] && kill -0 "$DEMO_PID" 2>/dev/null; then
		kill -INT -- "-$DEMO_PID" 2>/dev/null
		sleep 5
		kill -KILL -- "-$DEMO_PID" 2>/dev/null
	fi
	# a demo killed before its own cleanup: its namespaces did not exist
	# when this test started, so they are the demo's, made for this test
	for ns in wl-demo-c wl-demo-s; do
		ip netns list | grep -qE "^$ns( |\$)" || continue
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null && echo "removed namespace $ns left by the demo"
	done
	[ -n "${dirs:-}" ] && [ -f "$dirs" ] && comm -13 "$dirs" <(tmpdirs) | xargs -r rm -rf
	rm -f "$out"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

wl_progs() { bpftool prog show 2>/dev/null | grep -oE '^[0-9]+: [a-z_]+ +name wirelat_[a-z_]+' | cut -d: -f1 | sort -n; }
tmpdirs() { ls -d /tmp/wl-demo.* 2>/dev/null | sort; }
holders() { # ID... -> "ID:PID:ARGS,..." of the processes holding each program
	$PY - "$@" <<'PY'
import os, re, sys
want = {int(i): [] for i in sys.argv[1:]}
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        fds = os.listdir("/proc/%s/fdinfo" % pid)
        args = open("/proc/%s/cmdline" % pid, "rb").read().replace(b"\0", b" ").decode().strip()
    except OSError:
        continue
    for fd in fds:
        try:
            m = re.search(r"^prog_id:\s*(\d+)", open("/proc/%s/fdinfo/%s" % (pid, fd)).read(), re.M)
        except OSError:
            continue
        if m and int(m.group(1)) in want and pid not in [h[0] for h in want[int(m.group(1))]]:
            want[int(m.group(1))].append((pid, args[:60]))
print(" ".join("%d:%s" % (i, ",".join("%s:%s" % h for h in hs) or "-") for i, hs in sorted(want.items())))
PY
}

# nothing of the demo left: namespaces, links, programs, processes, files
check_left() {
	local label=$1 p
	if ip netns list | grep -qE '^wl-demo-(c|s)( |$)'; then
		fail "$label: namespaces left: $(ip netns list | grep wl-demo | tr '\n' ' ')"
	else
		ok "$label: no wl-demo-* namespace"
	fi
	ip -o link show | grep -qE ' wld-(c|s)[@:]' && fail "$label: veth wld-c/wld-s in the host namespace" ||
		ok "$label: no wld-c/wld-s link in the host namespace"
	# wirelat_* programs loaded since the start: the demo's if a process
	# of the demo holds them (another wirelat, e.g. a concurrent test, may
	# hold others)
	p=$(comm -13 "$progs" <(wl_progs) | tr '\n' ' ')
	if [ -z "$p" ]; then
		ok "$label: no new wirelat_* program loaded"
	else
		h=$(holders $p)
		if grep -q 'wld-c' <<<"$h"; then
			fail "$label: wirelat_* programs of the demo left: $h"
		else
			ok "$label: no wirelat_* program of the demo left (other wirelat_* programs, id:holder: $h)"
		fi
	fi
	p=$(comm -13 "$dirs" <(tmpdirs) | tr '\n' ' ')
	[ -z "$p" ] && ok "$label: no /tmp/wl-demo.* left" || fail "$label: left: $p"
	p=$(pgrep -f '/tmp/wl-demo\.|metrics_summary.py|dns_responder.py 198\.51\.100\.242' | tr '\n' ' ')
	[ -z "$p" ] && ok "$label: no process of the demo left" || fail "$label: processes left: $p ($(ps -o pid,args -p ${p// /,} | tail -n +2 | tr '\n' ' '))"
}

progs=$(mktemp /tmp/wl-test-demo.progs.XXXXXX)
dirs=$(mktemp /tmp/wl-test-demo.dirs.XXXXXX)
trap 'cleanup; rm -f "$progs" "$dirs"' EXIT
wl_progs >"$progs"
tmpdirs >"$dirs"

# ---------------------------------------------------------------- 1
echo "--- 1. make demo DURATION=12"
start=$SECONDS
make -C "$ROOT" --no-print-directory demo DURATION=12 >"$out" 2>&1
rc=$?
took=$((SECONDS - start))
hs=$(grep -c ' tcp_handshake ' "$out")
dn=$(grep -c ' dns ' "$out")
sm=$(grep -c '^--- wirelat summary' "$out")
[ $rc -eq 0 ] && ok "exit 0 after $took s" || { tail -20 "$out"; fail "make demo: exit $rc after $took s"; }
[ "$hs" -gt 0 ] && [ "$dn" -gt 0 ] && ok "printed $hs tcp_handshake and $dn dns records" ||
	fail "records printed: $hs tcp_handshake, $dn dns"
grep -q ' tcp_handshake_failed .* refused ' "$out" && grep -q ' NXDOMAIN ' "$out" &&
	grep -q 'd200.slow.demo.test' "$out" && ok "refused handshakes, NXDOMAIN and 200 ms answers among them" ||
	fail "no refused handshake, NXDOMAIN or slow answer printed"
[ "$sm" -ge 2 ] && ok "$sm summaries: $(grep -A1 '^--- wirelat summary' "$out" | grep '^handshakes' | tail -1)" ||
	fail "$sm summaries printed"
# where the time goes: the server that thinks has the server time, the
# replayed slow path the network (wirelat top's SRV P99 and NETWORK, in ms)
think=$(awk '$1 == "198.51.100.242:8081" {print $(NF-1), $NF}' "$out")
slow=$(awk '$1 == "203.0.113.99:80" {print $(NF-1), $NF}' "$out")
$PY - "$think" "$slow" <<'PY' && ok "told apart: thinking server (SRV P99, NETWORK) $think; slow path $slow" ||
def ms(v):
    return float(v[:-2]) if v.endswith("ms") else float(v[:-1]) * 1e3 if v.endswith("s") else float("nan")
import sys
t, s = sys.argv[1].split(), sys.argv[2].split()
ok = len(t) == 2 and len(s) == 2 and ms(t[0]) > 100 and ms(t[1]) < 10 and ms(s[0]) < 5 and ms(s[1]) > 50
sys.exit(0 if ok else 1)
PY
	fail "where the time goes not told apart: thinking server '$think', slow path '$slow'"
grep -q 'sudo ip netns exec wl-demo-c curl -s 127.0.0.1:9745/metrics' "$out" &&
	ok "says how to look at the metrics" || fail "does not say how to look at the metrics"
grep -q '^demo: wirelat detached and exited 0' "$out" && grep -q '^demo: removed namespaces' "$out" &&
	ok "$(grep '^demo: removed' "$out")" || fail "no clean end: $(grep '^demo:' "$out" | tail -3 | tr '\n' ' ')"
check_left "after make demo"

# ---------------------------------------------------------------- 2
echo "--- 2. Ctrl-C"
# a background job of a script starts with SIGINT ignored, and a shell
# cannot trap a signal ignored on entry: give it back its default, as on a
# terminal
setsid env --default-signal=INT "$ROOT/tests/demo.sh" 60 >"$out" 2>&1 &
DEMO_PID=$!
for _ in $(seq 150); do
	grep -q ' dns ' "$out" && grep -q ' tcp_handshake ' "$out" && break
	kill -0 "$DEMO_PID" 2>/dev/null || break
	sleep 0.1
done
start=$SECONDS
kill -INT -- "-$DEMO_PID"
for _ in $(seq 200); do kill -0 "$DEMO_PID" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$DEMO_PID" 2>/dev/null; then
	fail "the demo still runs 20 s after SIGINT"
	kill -KILL -- "-$DEMO_PID"
fi
wait "$DEMO_PID"
rc=$?
DEMO_PID=
[ $rc -eq 0 ] && grep -q '^demo: interrupted: stopping' "$out" && grep -q '^demo: removed namespaces' "$out" &&
	ok "SIGINT: stopped in $((SECONDS - start)) s, exit 0, $(grep -c '^--- wirelat summary' "$out") summaries, $(grep '^demo: records' "$out")" ||
	{ tail -15 "$out"; fail "SIGINT: exit $rc"; }
check_left "after Ctrl-C"

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
