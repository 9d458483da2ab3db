#!/usr/bin/env bash
# What the handshake gives a connection and when a turn counts, live:
#   1. RTT from the handshake on, real kernels at both ends: a server in one
#      namespace answers each request line "N" after N ms; a client in the
#      other makes three requests on each of two connections (IPv4, IPv6:
#      Linux sends TCP timestamps, so the SYN's and the SYN-ACK's TSvals
#      start samples). wirelat and tcpdump watch the client's veth: every
#      tcp_handshake and tcp_close record equals tests/truth.py's on the
#      capture (sample counts exact, RTT values and legs within 1 ms), each
#      connection has its SYN -> SYN-ACK and SYN-ACK -> ACK samples (the
#      truth without the handshake's samples has fewer), and
#      wirelat_tcp_rtt_seconds holds exactly the records' samples.
#   2. turns while both sides send: tests/turns_gen.py's capture (a server
#      streaming while its client sends requests in between, keep-alive
#      turns, a pipelined stretch, ...) replayed in real time through the
#      veth pair (tcpreplay), wirelat live on the receiving end: the turns of
#      every connection exactly as the generator's truth, response times and
#      server times within 1 ms of tcpdump's capture of the run (the
#      replay's pace varies with the machine's load; wirelat -r reads it).
#
# Network rules: lib.sh netns_pair (two namespaces made here joined by one
# veth pair, no route out, forwarding off, 198.51.100.0/24 and
# 2001:db8:e7::/64). The trap removes the namespaces and every process.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
netns_pair x 198.51.100.2 198.51.100.1 2001:db8:e7::2 2001:db8:e7::1
inC() { ip netns exec "$NS_C" "$@"; }
inS() { ip netns exec "$NS_S" "$@"; }

# start NAME: tcpdump and wirelat (metrics on the client's loopback) on VC
# (started without a function around them: $! must be the process itself,
# which SIGINT stops)
start() {
	ip netns exec "$NS_C" tcpdump -i "$VC" -n -s 200 -B 16384 -U --time-stamp-precision=nano \
		-w "$tmp/$1.pcap" 'tcp or udp port 9' 2>"$tmp/$1.tcpdump.err" &
	TCPDUMP=$!
	ip netns exec "$NS_C" "$WIRELAT" -i "$VC" --json --listen 127.0.0.1:9745 >"$tmp/$1.got" \
		2>"$tmp/$1.err" &
	WL=$!
	PIDS+=($TCPDUMP $WL)
	wait_file "$tmp/$1.tcpdump.err" 'listening on' && wait_file "$tmp/$1.err" 'watching' ||
		{ echo "FAIL: tcpdump or wirelat did not start: $(cat "$tmp/$1.err")"; exit 1; }
}

# stop NAME: wirelat (its /metrics read first), then tcpdump, whose capture
# must hold every frame
stop() {
	local got drops
	barrier "$NS_C" 198.51.100.2 "$tmp/$1.pcap"
	inC curl -s 127.0.0.1:9745/metrics >"$tmp/$1.prom" || fail "$1: no /metrics"
	kill -INT "$WL"
	wait "$WL" || fail "$1: wirelat exited non-zero: $(cat "$tmp/$1.err")"
	kill -INT "$TCPDUMP"
	wait "$TCPDUMP" 2>/dev/null
	got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$tmp/$1.tcpdump.err")
	drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$tmp/$1.tcpdump.err")
	[ -n "$got" ] && [ "${drops:-1}" = 0 ] ||
		fail "$1: tcpdump captured ${got:-?} frames, ${drops:-?} dropped: the truth is incomplete"
	# the wire's records only: the scrape over loopback is the socket path's
	grep '"source":"wire"' "$tmp/$1.got" >"$tmp/$1.wire"
}

echo "--- 1. RTT from the handshake on, real kernels"
ip netns exec "$NS_S" "$PY" - <<'PY' >"$tmp/server.out" 2>&1 &
import socket, threading, time
def serve(conn):
    f = conn.makefile("rb")
    for line in f:
        time.sleep(int(line) / 1000)
        conn.sendall(b"r" * 2000)
    conn.close()
def listen(fam, addr):
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 9100))
    s.listen(16)
    while True:
        c, _ = s.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()
for fam, addr in ((socket.AF_INET, "198.51.100.2"), (socket.AF_INET6, "2001:db8:e7::2")):
    threading.Thread(target=listen, args=(fam, addr), daemon=True).start()
print("ready", flush=True)
threading.Event().wait()
PY
PIDS+=($!)
wait_file "$tmp/server.out" '^ready' || { echo "FAIL: server did not start"; exit 1; }
start rtt
for dst in 198.51.100.2 2001:db8:e7::2; do
	inC "$PY" - "$dst" <<'PY' || fail "client to $dst"
import socket, sys
s = socket.create_connection((sys.argv[1], 9100), timeout=10)
for ms in (20, 5, 40):
    s.sendall(b"%d\n" % ms)
    n = 0
    while n < 2000:
        n += len(s.recv(65536))
s.close()
PY
done
# both closes seen: the server's FIN answers the client's
for _ in $(seq 100); do [ "$(grep -c tcp_close "$tmp/rtt.got")" -ge 2 ] && break; sleep 0.1; done
stop rtt

if $PY "$ROOT/tests/truth.py" "$tmp/rtt.pcap" >"$tmp/rtt.truth" 2>"$tmp/rtt.terr" &&
	$PY "$ROOT/tests/check_records.py" --truth "$tmp/rtt.truth" --got "$tmp/rtt.wire" \
		--tolerance-ns 1000000 --ifname "$VC" --close --label rtt >"$tmp/rtt.cmp" 2>&1; then
	ok "$(tail -1 "$tmp/rtt.cmp")"
else
	cat "$tmp/rtt.cmp" "$tmp/rtt.terr"
	fail "rtt: records differ from the truth of the tcpdump capture"
fi
"$PY" - "$tmp/rtt.wire" "$tmp/rtt.prom" "$VC" <<'PY' || fail "rtt: samples"
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
hs = {r["client_port"]: r for r in recs if r["type"] == "tcp_handshake"}
closes = [r for r in recs if r["type"] == "tcp_close"]
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + what)
    bad += not cond
check(len(closes) == 2, "2 connections closed (%d)" % len(closes))
n = {"server": 0, "client": 0}
for r in closes:
    h = hs.get(r["client_port"])
    # three requests and the handshake: each side has the handshake's sample
    # (SYN -> SYN-ACK, SYN-ACK -> ACK) and at least one of the data's
    check(h is not None and r.get("rtt_server_samples", 0) >= 2 and
          r.get("rtt_client_samples", 0) >= 2 and
          r["rtt_server_min_ns"] <= h["syn_to_synack_ns"] and
          r["rtt_client_min_ns"] <= h["synack_to_ack_ns"],
          "%s: server side %s samples (min %s, SYN -> SYN-ACK %s), client side %s (min %s, "
          "SYN-ACK -> ACK %s)" % (r["client_ip"], r.get("rtt_server_samples"),
                                  r.get("rtt_server_min_ns"), h and h["syn_to_synack_ns"],
                                  r.get("rtt_client_samples"), r.get("rtt_client_min_ns"),
                                  h and h["synack_to_ack_ns"]))
    check(r["retransmits_c2s"] == 0 and r["retransmits_s2c"] == 0,
          "%s: no retransmission" % r["client_ip"])
    for side in n:
        n[side] += r.get("rtt_%s_samples" % side, 0)
h = {}
for line in open(sys.argv[2]):
    m = re.match(r'^wirelat_tcp_rtt_seconds_count\{interface="%s",side="(\w+)"\} (\S+)$' %
                 re.escape(sys.argv[3]), line)
    if m:
        h[m.group(1)] = int(float(m.group(2)))
check(h == n, "wirelat_tcp_rtt_seconds_count %s = the records' samples %s" % (h, n))
sys.exit(1 if bad else 0)
PY

echo "--- 2. turns while both sides send, replayed in real time"
$PY "$ROOT/tests/turns_gen.py" "$tmp/gen-turns.pcap" "$tmp/turns.json" || { echo "FAIL: turns_gen.py"; exit 1; }
start turns
inS tcpreplay -i "$VS" -K -q -T nano "$tmp/gen-turns.pcap" >"$tmp/replay.out" 2>&1 ||
	fail "tcpreplay: $(tail -3 "$tmp/replay.out")"
n=$("$PY" -c 'import json, sys; print(sum(1 for k in json.load(open(sys.argv[1])) if k != "dns_servers"))' "$tmp/turns.json")
for _ in $(seq 100); do [ "$(grep -c tcp_close "$tmp/turns.got")" -ge "$n" ] && break; sleep 0.1; done
stop turns
# the timing truth is tcpdump's capture of the run (the replay's own pace
# varies with the load), read by wirelat -r: live and offline agree on the
# same packets; the turns themselves are the generator's
"$WIRELAT" -r "$tmp/turns.pcap" --json >"$tmp/turns.offline" 2>"$tmp/turns.rerr" ||
	fail "wirelat -r of the capture: $(head -1 "$tmp/turns.rerr")"
"$PY" - "$tmp/turns.json" "$tmp/turns.wire" "$tmp/turns.offline" <<'PY' || fail "turns"
import json, sys
truth = json.load(open(sys.argv[1]))
truth.pop("dns_servers")
def closes(path):
    return {str(r["client_port"]): r for r in map(json.loads, open(path))
            if r["type"] == "tcp_close"}
live, off = closes(sys.argv[2]), closes(sys.argv[3])
TOL = 1000000
bad = 0
for port, exp in sorted(truth.items()):
    r, o = live.get(port), off.get(port)
    if r is None or o is None:
        print("FAIL: %s: no tcp_close (live %s, offline %s)" % (port, r is not None, o is not None))
        bad += 1
        continue
    keys = [k for k in exp if k != "turns"]
    diffs = [k for k in keys if abs(r.get(k, -10 * TOL) - o.get(k, 10 * TOL)) > TOL]
    good = r.get("turns", 0) == exp["turns"] == o.get("turns", 0) and not diffs
    print("%s: %s: %d turns (truth %d)%s" % (
        "ok" if good else "FAIL", port, r.get("turns", 0), exp["turns"],
        "".join(" %s %s (capture %s)" % (k, r.get(k), o.get(k)) for k in keys)))
    bad += not good
sys.exit(1 if bad else 0)
PY

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
