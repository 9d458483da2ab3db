#!/usr/bin/env bash
# Daily use: the ways an operator ends, feeds and reads wirelat.
#
#   1. `wirelat -i X --json | head -n 1`: once head has its line and exits,
#      wirelat exits 0 with everything detached (a write hits EPIPE: SIGPIPE
#      is ignored, not fatal)
#   2. a reader that goes away before any record (nothing is written): the
#      closed pipe is noticed all the same (POLLERR), everything detached
#   3. SIGHUP (the terminal closed): exit 0, everything detached
#   4. a filter another tool added to the clsact qdisc wirelat created
#      survives wirelat's exit, with the qdisc; without one, the qdisc goes
#   5. an interface name holding a quote and a backslash: valid JSON, the
#      name exact
#   6. -v -v shows libbpf's debug lines, -v does not
#   7. a capture with a 100 kB frame (longer than BPF_PROG_TEST_RUN takes):
#      analysed to the end, the frame counted as truncated, one line said
#   8. 2000 half-open HTTP connections (slowloris) from one address: a new
#      client, from another address and from the same one, gets /metrics
#      and /healthz within a second
#
# Network rules: two namespaces made here (lib.sh netns_pair), joined only
# by their veth pair, no default route, forwarding off, addresses from
# 198.51.100.0/24 and 2001:db8::/32. A step of the wall clock is
# tests/test_clock.sh's (it changes the whole machine's clock).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
netns_pair d 198.51.100.2 198.51.100.1 2001:db8:d::2 2001:db8:d::1

PEER="$ROOT/tests/conn_peer.py"
inC() { ip netns exec "$NS_C" "$@"; }
inS() { ip netns exec "$NS_S" "$@"; }

ip netns exec "$NS_S" "$PY" "$PEER" sink 198.51.100.2 9000 >"$tmp/sink.out" 2>&1 &
PIDS+=($!)

# wait_gone PID: until the process has exited (20 s at most); sets RC
wait_gone() {
	local n=200
	while kill -0 "$1" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		RC=timeout
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 1
	fi
	wait "$1"
	RC=$?
}
wait_file "$tmp/sink.out" '^ready' || { echo "FAIL: sink did not start"; exit 1; }
one_conn() { inC "$PY" "$PEER" upload 198.51.100.2 9000 1000 >/dev/null || fail "a connection to the sink failed"; }

# what is on DEV in the client namespace: "xdp=0|1 filters=N clsact=0|1"
hooks() {
	local dev=${1:-$VC} x f q
	x=$(ip -n "$NS_C" -d link show dev "$dev" | grep -c 'prog/xdp')
	f=$({ inC tc filter show dev "$dev" ingress; inC tc filter show dev "$dev" egress; } 2>/dev/null | grep -c 'handle')
	q=$(inC tc qdisc show dev "$dev" | grep -c clsact)
	echo "xdp=$x filters=$f clsact=$q"
}
# detached LABEL [DEV]: nothing of wirelat's left
detached() {
	local st
	st=$(hooks "${2:-$VC}")
	if [ "$st" = "xdp=0 filters=0 clsact=0" ]; then
		ok "$1: everything detached ($st)"
	else
		fail "$1: left attached: $st"
	fi
}
# start_wl NAME ARGS...: wirelat on VC in the client namespace, stdout to
# NAME.out unless OUT is set, stderr NAME.err; sets WL
start_wl() {
	local name=$1
	shift
	# not through inC: $! must be wirelat's pid, not a subshell's
	ip netns exec "$NS_C" "$WIRELAT" "$@" >"${OUT:-$tmp/$name.out}" 2>"$tmp/$name.err" &
	WL=$!
	PIDS+=("$WL")
}

echo "--- 1. a pipe closed by head after its first line"
mkfifo "$tmp/fifo1"
OUT=$tmp/fifo1 start_wl pipe1 -i "$VC" --json
head -n 1 <"$tmp/fifo1" >"$tmp/pipe1.head" &
H=$!
if wait_file "$tmp/pipe1.err" 'watching'; then
	one_conn
	wait_gone "$H" || fail "pipe: head never got a line"
	if wait_gone "$WL" && [ "$RC" = 0 ]; then
		ok "pipe: wirelat exited 0 after head (1 line: $(head -c 60 "$tmp/pipe1.head")...)"
	else
		fail "pipe: wirelat exit $RC after head closed the pipe: $(tail -2 "$tmp/pipe1.err")"
	fi
	detached "pipe"
else
	fail "pipe: wirelat did not start: $(cat "$tmp/pipe1.err")"
fi

echo "--- 2. a reader gone before any record"
mkfifo "$tmp/fifo2"
OUT=$tmp/fifo2 start_wl pipe2 -i "$VC" --json
head -c 0 <"$tmp/fifo2"
if wait_gone "$WL" && [ "$RC" = 0 ] && grep -q 'watching' "$tmp/pipe2.err" &&
	grep -q 'output closed' "$tmp/pipe2.err"; then
	ok "quiet pipe: attached, noticed the closed pipe without writing, exit 0"
else
	fail "quiet pipe: exit $RC: $(tr '\n' '|' <"$tmp/pipe2.err")"
fi
detached "quiet pipe"

echo "--- 3. SIGHUP"
start_wl hup -i "$VC" --json
if wait_file "$tmp/hup.err" 'watching'; then
	kill -HUP "$WL"
	if wait_gone "$WL" && [ "$RC" = 0 ]; then ok "SIGHUP: exit 0"; else fail "SIGHUP: exit $RC"; fi
	detached "SIGHUP"
else
	fail "SIGHUP: wirelat did not start: $(cat "$tmp/hup.err")"
fi

# a stop signal sent while the programs load ends the run cleanly: it was
# lost (a background job of a script may inherit SIGINT ignored; the
# caller's wait then hung) or killed wirelat mid-start. Now: at once after
# the load, or after the attach if the load won the race; exit 0 and
# nothing left either way
start_wl early -i "$VC" --json
# once wirelat catches SIGINT (SigCgt bit 2 in /proc: its handler is in
# place, right before the load): a background job of this script inherits
# SIGINT ignored, so one sent earlier, after exec but before the handler,
# would be dropped by the kernel and the test would race the start
caught_int() {
	local m
	m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	[ -n "$m" ] && [ $(( 0x$m & 2 )) -ne 0 ]
}
for _ in $(seq 1000); do
	caught_int "$WL" && break
	sleep 0.005
done
caught_int "$WL" || fail "SIGINT while loading: wirelat never installed its SIGINT handler"
kill -INT "$WL"
if wait_gone "$WL" && [ "$RC" = 0 ]; then
	ok "SIGINT while loading: exit 0 ($(grep -c watching "$tmp/early.err") watching line)"
else
	fail "SIGINT while loading: exit $RC: $(tr '\n' '|' <"$tmp/early.err")"
fi
detached "SIGINT while loading"

echo "--- 4. another tool's filter on wirelat's clsact"
start_wl tcf -i "$VC" --json
if wait_file "$tmp/tcf.err" 'watching'; then
	# a classic-BPF filter (accept all): cls_bpf is there wherever wirelat runs
	inC tc filter add dev "$VC" egress prio 7 handle 7 protocol all bpf bytecode '1,6 0 0 4294967295,' flowid 1:1 ||
		fail "could not add the foreign filter"
	kill -INT "$WL"
	wait_gone "$WL"
	st=$(hooks)
	if [ "$RC" = 0 ] && [ "$st" = "xdp=0 filters=1 clsact=1" ] &&
		inC tc filter show dev "$VC" egress | grep -q 'pref 7 bpf.*handle 0x7'; then
		ok "foreign filter kept with its qdisc, wirelat's gone ($st; $(grep 'kept' "$tmp/tcf.err"))"
	else
		fail "foreign filter: exit $RC, state $st: $(inC tc filter show dev "$VC" egress | tr '\n' '|')"
	fi
	inC tc qdisc del dev "$VC" clsact
else
	fail "clsact: wirelat did not start: $(cat "$tmp/tcf.err")"
fi

echo "--- 5. an interface name with a quote and a backslash"
ODD="w\"d\\$$"
ODD=${ODD:0:15}
ip -n "$NS_C" link set dev "$VC" down && ip -n "$NS_C" link set dev "$VC" name "$ODD" &&
	ip -n "$NS_C" link set dev "$ODD" up || fail "cannot rename $VC to $ODD"
VC=$ODD
start_wl odd -i "$ODD" --json
if wait_file "$tmp/odd.err" 'watching'; then
	n=0
	until inC "$PY" "$PEER" upload 198.51.100.2 9000 1000 >/dev/null 2>&1 || [ $n -ge 50 ]; do
		sleep 0.1	# the link was just set up: until the route is back
		n=$((n + 1))
	done
	wait_file "$tmp/odd.out" '"tcp_handshake"' || fail "odd name: no record"
	kill -INT "$WL"
	wait_gone "$WL"
	if $PY - "$tmp/odd.out" "$ODD" <<'PY'; then
import json, sys
n = 0
for line in open(sys.argv[1]):
    r = json.loads(line)          # raises on invalid JSON
    assert r["ifname"] == sys.argv[2], r["ifname"]
    n += 1
assert n > 0
print("ok: %d records, ifname %s" % (n, json.dumps(sys.argv[2])))
PY
		:
	else
		fail "odd name: not valid JSON or not the name: $(head -c 300 "$tmp/odd.out")"
	fi
	detached "odd name" "$ODD"
else
	fail "odd name: wirelat did not start: $(cat "$tmp/odd.err")"
fi

echo "--- 6. -v -v"
"$WIRELAT" -v -r "$ROOT/pcaps/tcp-ipv4.pcap" >/dev/null 2>"$tmp/v1.err"
"$WIRELAT" -v -v -r "$ROOT/pcaps/tcp-ipv4.pcap" >/dev/null 2>"$tmp/v2.err"
d1=$(grep -c '^libbpf: elf:' "$tmp/v1.err")
d2=$(grep -c '^libbpf: elf:' "$tmp/v2.err")
if [ "$d1" -eq 0 ] && [ "$d2" -gt 0 ]; then
	ok "libbpf debug lines: $d2 with -v -v, none with -v"
else
	fail "libbpf debug lines: $d1 with -v, $d2 with -v -v"
fi

echo "--- 7. a 100 kB frame offline"
$PY - "$tmp/big.pcap" <<'PY'
import struct, sys
from scapy.all import Ether, IP, TCP, Raw
def hs(sport, t):
    c, s = "198.51.100.1", "198.51.100.2"
    return [(t, Ether() / IP(src=c, dst=s) / TCP(sport=sport, dport=80, flags="S", seq=1000)),
            (t + .001, Ether() / IP(src=s, dst=c) / TCP(sport=80, dport=sport, flags="SA", seq=5000, ack=1001)),
            (t + .002, Ether() / IP(src=c, dst=s) / TCP(sport=sport, dport=80, flags="A", seq=1001, ack=5001))]
# BIG TCP over IPv4: total length 0, the frame longer than 64 kB
big = Ether() / IP(src="198.51.100.1", dst="198.51.100.2", len=0) / \
    TCP(sport=40000, dport=80, flags="PA", seq=1001, ack=5001, chksum=0) / Raw(b"x" * 100000)
pkts = hs(40000, 1000.0) + [(1000.003, big)] + hs(40001, 1000.01)
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
    for t, p in pkts:
        b = bytes(p)
        f.write(struct.pack("<IIII", int(t), int(round(t % 1 * 1e6)), len(b), len(b)) + b)
PY
"$WIRELAT" -r "$tmp/big.pcap" --json --metrics-out "$tmp/big.prom" >"$tmp/big.out" 2>"$tmp/big.err"
rc=$?
nhs=$(grep -c '"tcp_handshake"' "$tmp/big.out")
tr=$(metric_value "$tmp/big.prom" 'wirelat_packets_total{interface="pcap",direction="ingress",result="truncated"}')
if [ $rc -eq 0 ] && [ "$nhs" -eq 2 ] && [ "$tr" = 1 ] && [ "$(wc -l <"$tmp/big.err")" -eq 1 ]; then
	ok "100 kB frame: exit 0, both handshakes (one after it), truncated 1: $(cat "$tmp/big.err")"
else
	fail "100 kB frame: exit $rc, $nhs handshakes, truncated $tr, stderr: $(head -3 "$tmp/big.err")"
fi

echo "--- 8. slowloris"
start_wl http -i "$VC" --json --listen :9750
if wait_file "$tmp/http.err" 'watching'; then
	ip netns exec "$NS_S" "$PY" - 198.51.100.1 9750 2000 >"$tmp/loris.out" 2>&1 <<'PY' &
import resource, socket, sys, time
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
host, port, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
socks = []
for i in range(n):
    s = socket.create_connection((host, port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHo")   # half a request, then silence
    socks.append(s)
print("open %d" % len(socks), flush=True)
time.sleep(600)
PY
	PIDS+=($!)
	if wait_file "$tmp/loris.out" '^open 2000'; then
		a=$(inC curl -s -o "$tmp/m1.prom" --max-time 1 -w '%{http_code} %{time_total}' http://127.0.0.1:9750/metrics)
		b=$(inS curl -s -o /dev/null --max-time 1 -w '%{http_code} %{time_total}' http://198.51.100.1:9750/healthz)
		c=$(inS curl -s -o "$tmp/m2.prom" --max-time 1 -w '%{http_code} %{time_total}' http://198.51.100.1:9750/metrics)
		if [ "${a%% *}" = 200 ] && [ "${b%% *}" = 200 ] && [ "${c%% *}" = 200 ] &&
			grep -q '^wirelat_build_info' "$tmp/m1.prom" "$tmp/m2.prom"; then
			ok "2000 half-open connections: /metrics from another address $a s, /healthz and /metrics from the flooding address $b s, $c s"
		else
			fail "2000 half-open connections: /metrics '$a', /healthz '$b', /metrics '$c' (code, seconds)"
		fi
	else
		fail "slowloris: could not open 2000 connections: $(tail -2 "$tmp/loris.out")"
	fi
	kill -INT "$WL"
	wait_gone "$WL"
	[ "$RC" = 0 ] || fail "slowloris: wirelat exit $RC"
else
	fail "slowloris: wirelat did not start: $(cat "$tmp/http.err")"
fi

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
