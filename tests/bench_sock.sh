#!/usr/bin/env bash
# make bench, the socket path: what it adds per connection. N real loopback
# connections (connect, one byte each way, close) in a namespace of their
# own, wirelat watching an unrelated veth there with --sock tracepoint and
# with --sock off, runs interleaved. The program's own cost comes from the
# kernel's run-time statistics (kernel.bpf_stats_enabled) of the attached
# raw tracepoint program; the wall time per connection with and without it
# is the end-to-end view (noisier: the whole connection costs ~100 us).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

N=${SOCK_CONNS:-5000}
NS=wlbs-$$
tmp=$(mktemp -d /tmp/wlbs.XXXXXX)
WL=
cleanup() {
	[ -n "$WL" ] && kill -INT "$WL" 2>/dev/null && wait "$WL" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ -n "${STATS0:-}" ] && sysctl -qw kernel.bpf_stats_enabled="$STATS0"
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$NS" || { echo "sock path: no netns, skipped"; exit 0; }
ip -n "$NS" link set lo up
ip -n "$NS" link add wbsa type veth peer name wbsb
ip -n "$NS" link set wbsa up
STATS0=$(sysctl -n kernel.bpf_stats_enabled)
sysctl -qw kernel.bpf_stats_enabled=1

# conns N: N loopback connections; prints the wall seconds they took
conns() {
	ip netns exec "$NS" "$PY" - "$1" <<'PY'
import socket, sys, threading, time
n = int(sys.argv[1])
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(512)
port = srv.getsockname()[1]
def serve():
    for _ in range(n):
        c, _ = srv.accept()
        c.recv(1)
        c.sendall(b"y")
        c.close()
threading.Thread(target=serve, daemon=True).start()
t0 = time.perf_counter()
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(b"x")
    s.recv(1)
    s.close()
print("%.6f" % (time.perf_counter() - t0))
PY
}

# start MODE: wirelat with --sock MODE in the namespace
start() {
	ip netns exec "$NS" "$WIRELAT" -i wbsa --sock "$1" --json \
		>"$tmp/rec.jsonl" 2>"$tmp/err" &
	WL=$!
	wait_file "$tmp/err" 'watching' >/dev/null || { echo "sock path: wirelat did not start: $(cat "$tmp/err")"; exit 0; }
}
stop() { kill -INT "$WL"; wait "$WL" 2>/dev/null; WL=; }

# run_time_ns and run_cnt of the raw tracepoint program
prog_stats() {
	bpftool -j prog show name wirelat_sock_tp 2>/dev/null |
		"$PY" -c 'import json, sys
d = json.load(sys.stdin)
d = d[0] if isinstance(d, list) else d
print(d.get("run_time_ns", 0), d.get("run_cnt", 0))'
}

on=0 off=0 ns=0 cnt=0
for round in 1 2 3; do
	start off; t=$(conns "$N"); stop; off=$(awk -v a="$off" -v b="$t" 'BEGIN {print a + b}')
	start tracepoint; t=$(conns "$N"); read -r r c <<<"$(prog_stats)"; stop
	on=$(awk -v a="$on" -v b="$t" 'BEGIN {print a + b}')
	ns=$((ns + r)); cnt=$((cnt + c))
done
awk -v n="$N" -v on="$on" -v off="$off" -v ns="$ns" -v cnt="$cnt" 'BEGIN {
	conns = 3 * n;
	printf "%-34s %12s %12s\n", "sock path (3 x " n " loopback conns)", "per conn", "";
	printf "%-34s %10.0f ns %9.1f runs/conn, %.0f ns a run\n", "program run time (bpf_stats)", ns / conns, cnt / conns, cnt ? ns / cnt : 0;
	printf "%-34s %10.1f us\n", "wall per connection, --sock off", off / conns * 1e6;
	printf "%-34s %10.1f us  (%.3fx)\n", "wall per connection, tracepoint", on / conns * 1e6, on / off }'
