#!/usr/bin/env bash
# Full listen queues live, the wire and the kernel side by side (issue 30;
# DESIGN.md "A full accept queue", "The kernel's side"). Real kernels at both
# ends of a veth pair; wirelat runs in the server's namespace on the server's
# end: sock_diag and /proc/net/netstat are read in the namespace wirelat runs
# in, so that is how it watches a local server (docs/measurements.md,
# "Where the time goes").
#
#   1. A full accept queue: a server (tests/accept_peer.py) listen(4)s and
#      accepts nothing for a while; 4 clients connect (the queue holds them),
#      then 4 more at once, each holding the ACK of its SYN-ACK (client-side
#      TCP_DEFER_ACCEPT: all 4 SYNs reach the server before any completing
#      ACK, as from 4 hosts at once): the first ACK fills the queue (5 > 4),
#      the kernel drops the other 3 and their requests (ListenOverflows) and
#      sends their SYN-ACKs again on its timer. While it is full,
#      wirelat_listen_queue_length and _limit of the port equal `ss -lnt`'s
#      Recv-Q and Send-Q. 1.5 s later the server accepts: every tcp_close's accept_queue_drops
#      equals the SYN-ACKs after the client's ACK in a tcpdump of the same
#      interface (tests/truth.py and check_records.py, and counted here
#      independently with scapy), at least 3 in all; each such record names
#      the listener; wirelat_listen_drops_total equals `ss -lntm`'s d and
#      wirelat_host_listen_{overflows,drops}_total nstat's.
#   2. A full SYN queue: tcp_syncookies 0 and a small tcp_max_syn_backlog
#      in the server's namespace, a server that accepts at once with
#      listen(4), 12 clients at once holding their ACKs: the SYN queue (the
#      listen backlog) takes 4, the kernel drops the other SYNs
#      (TCPReqQFullDrop) and the clients send them again: the
#      tcp_handshakes' syn_retransmits to that port sum to the SYNs sent
#      again in the tcpdump and to nstat's TCPReqQFullDrop rise, which
#      wirelat_host_tcp_reqqfull_drops_total equals; the records name the
#      listener.
#   3. Kernel drops by reason (skb:kfree_skb): 3 SYNs to a closed port raise
#      wirelat_kernel_drops_total{reason="NO_SOCKET"} by the SYNs to it in
#      the capture; where the kernel names TCP_LISTEN_OVERFLOW (later than
#      6.1), its count equals ListenOverflows.
#
# One hook by default (WIRELAT_HOOKS, lib.sh): the queues are the kernel's,
# the wire's counts are the same code on every hook (test_exact offline).
# Network rules: lib.sh netns_pair (198.51.100.0/24, two namespaces, one veth
# pair, no route out); the trap removes them and every process.
set -uo pipefail
WIRELAT_HOOKS=${WIRELAT_HOOKS:-tc}
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
netns_pair q 198.51.100.2 198.51.100.1 2001:db8:30::2 2001:db8:30::1
# (background processes are started with ip netns exec itself, not a
# function: $! must be the process a signal is for, not a subshell)
inS() { ip netns exec "$NS_S" "$@"; }
inC() { ip netns exec "$NS_C" "$@"; }
PEER="$ROOT/tests/accept_peer.py"
SRV=198.51.100.2
METRICS=127.0.0.1:9745

# a full SYN queue drops (no cookie); the listen backlog is the SYN queue's limit,
# tcp_max_syn_backlog only keeps its last quarter for proven peers
inS sysctl -qw net.ipv4.tcp_syncookies=0 net.ipv4.tcp_max_syn_backlog=16

ip netns exec "$NS_S" tcpdump -i "$VS" -n -s 200 -B 16384 -U --time-stamp-precision=nano -w "$tmp/cap.pcap" \
	'tcp or udp port 9' 2>"$tmp/tcpdump.err" &
TCPDUMP=$!
PIDS+=($TCPDUMP)
ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --json --sock off >"$tmp/got.jsonl" 2>"$tmp/wirelat.err" &
WL=$!
PIDS+=($WL)
wait_file "$tmp/tcpdump.err" 'listening on' && wait_file "$tmp/wirelat.err" 'watching' ||
	{ echo "FAIL: tcpdump or wirelat did not start: $(cat "$tmp/wirelat.err")"; exit 1; }

metric() { # NAME{LABELS}: its value in wirelat's /metrics now, empty when absent
	inS curl -s "http://$METRICS/metrics" | awk -v k="$1" '$1 == k {print $2}'
}
# wait_metric NAME{LABELS} VALUE: until /metrics has it (sampled every
# second); 10 s at most, a bound for a broken run
wait_metric() {
	local n=100 v
	while [ $n -gt 0 ]; do
		v=$(metric "$1")
		[ "$v" = "$2" ] && return 0
		sleep 0.1
		n=$((n - 1))
	done
	echo "$1 is '$v', want '$2'"
	return 1
}
# ss_listener PORT: "RECVQ SENDQ DROPS" of the listener on PORT (ss -lntm)
ss_listener() {
	inS ss -lntmH "sport = :$1" | tr '\n' ' ' |
		sed -n 's/^LISTEN *\([0-9]*\) *\([0-9]*\) .*skmem:(.*,d\([0-9]*\)).*/\1 \2 \3/p'
}
nstat_of() { inS nstat -asz "$1" | awk -v k="$1" '$1 == k {print $2}'; }

echo "--- 1. a full accept queue"
touch "$tmp/send1"	# each client sends its request once connected
ip netns exec "$NS_S" "$PY" "$PEER" server "$SRV" 8080 4 "$tmp/go1" >"$tmp/srv1.out" 2>&1 &
PIDS+=($!)
wait_file "$tmp/srv1.out" '^ready' || { echo "FAIL: server 1 did not start"; exit 1; }
ip netns exec "$NS_C" "$PY" "$PEER" clients "$SRV" 8080 4 0 "$tmp/send1" >"$tmp/c1a.out" 2>&1 &
CA=$!
PIDS+=($CA)
wait_file "$tmp/c1a.out" '^connected' || fail "case 1: the first 4: $(cat "$tmp/c1a.out")"
ip netns exec "$NS_C" "$PY" "$PEER" clients "$SRV" 8080 4 1 "$tmp/send1" >"$tmp/c1b.out" 2>&1 &
CB=$!
PIDS+=($CB)
wait_file "$tmp/c1b.out" '^connected' || fail "case 1: the 4 at once: $(cat "$tmp/c1b.out")"
# the held ACKs go out 200 ms after the SYN-ACKs: the queue full (5 of 4) once
# wirelat's sample shows it, and it stays so: nobody accepts
if wait_metric 'wirelat_listen_queue_length{port="8080"}' 5; then
	read -r q lim _ <<<"$(ss_listener 8080)"
	mq=$(metric 'wirelat_listen_queue_length{port="8080"}')
	ml=$(metric 'wirelat_listen_queue_limit{port="8080"}')
	[ "$q $lim" = "$mq $ml" ] && [ "$q" = 5 ] && [ "$lim" = 4 ] &&
		ok "case 1: full: wirelat_listen_queue_length/limit $mq/$ml, ss -lnt Recv-Q/Send-Q $q/$lim" ||
		fail "case 1: wirelat_listen_queue_length/limit $mq/$ml, ss -lnt Recv-Q/Send-Q $q/$lim"
else
	fail "case 1: the queue never showed full in /metrics: ss: $(ss_listener 8080)"
fi
# the kernel sends the SYN-ACKs of the 3 held back again 1 s after the
# first ones: let it (their requests wait), then accept
sleep 1.5
touch "$tmp/go1"
wait "$CA" && wait "$CB" || fail "case 1: clients: $(cat "$tmp/c1a.out" "$tmp/c1b.out")"

echo "--- 2. a full SYN queue"
before_rqf=$(nstat_of TcpExtTCPReqQFullDrop)
touch "$tmp/go2"
ip netns exec "$NS_S" "$PY" "$PEER" server "$SRV" 8081 4 "$tmp/go2" >"$tmp/srv2.out" 2>&1 &
PIDS+=($!)
wait_file "$tmp/srv2.out" '^ready' || { echo "FAIL: server 2 did not start"; exit 1; }
touch "$tmp/send2"
inC "$PY" "$PEER" clients "$SRV" 8081 12 1 "$tmp/send2" >"$tmp/c2.out" 2>&1 ||
	fail "case 2: clients: $(cat "$tmp/c2.out")"
rqf=$(( $(nstat_of TcpExtTCPReqQFullDrop) - before_rqf ))

echo "--- 3. a drop with a reason: SYNs to a closed port"
# the kernel answers each with a RST and frees it with reason NO_SOCKET
nosock_before=$(metric 'wirelat_kernel_drops_total{interface="'"$VS"'",reason="NO_SOCKET"}')
inC "$PY" -c 'import socket
for i in range(3):
    try:
        socket.create_connection(("'"$SRV"'", 8099), timeout=5)
    except ConnectionRefusedError:
        pass
    else:
        raise SystemExit("port 8099 answered")' || fail "case 3: a closed port answered"
# (the counters are the kernel's map, read at the scrape: no sampling)
nosock_after=$(metric 'wirelat_kernel_drops_total{interface="'"$VS"'",reason="NO_SOCKET"}')
nosock=$(( ${nosock_after:-0} - ${nosock_before:-0} ))
lovf=$(metric 'wirelat_kernel_drops_total{interface="'"$VS"'",reason="TCP_LISTEN_OVERFLOW"}')

# everything is over: the kernel's counters stand still; wirelat's next sample
# has them (wait_metric: up to 10 s)
barrier "$NS_C" "$SRV" "$tmp/cap.pcap"
read -r _ _ d8080 <<<"$(ss_listener 8080)"
read -r _ _ d8081 <<<"$(ss_listener 8081)"
ovf=$(nstat_of TcpExtListenOverflows)
ldr=$(nstat_of TcpExtListenDrops)
rqf_all=$(nstat_of TcpExtTCPReqQFullDrop)
for x in "wirelat_listen_drops_total{port=\"8080\"} $d8080 ss -lntm d (8080)" \
	"wirelat_listen_drops_total{port=\"8081\"} $d8081 ss -lntm d (8081)" \
	"wirelat_host_listen_overflows_total $ovf nstat TcpExtListenOverflows" \
	"wirelat_host_listen_drops_total $ldr nstat TcpExtListenDrops" \
	"wirelat_host_tcp_reqqfull_drops_total $rqf_all nstat TcpExtTCPReqQFullDrop"; do
	read -r name want what <<<"$x"
	if out=$(wait_metric "$name" "$want"); then
		ok "$name $want = $what"
	else
		fail "$out ($what)"
	fi
done
# kernels that name it (6.x later than 6.1) drop each overflowing ACK or SYN with
# reason TCP_LISTEN_OVERFLOW
if [ -n "$lovf" ]; then
	[ "$lovf" = "$ovf" ] && ok "wirelat_kernel_drops_total{reason=TCP_LISTEN_OVERFLOW} $lovf = ListenOverflows" ||
		fail "wirelat_kernel_drops_total{reason=TCP_LISTEN_OVERFLOW} $lovf, ListenOverflows $ovf"
else
	echo "note: this kernel drops listen overflows without the TCP_LISTEN_OVERFLOW reason"
fi
[ "${ovf:-0}" -ge 3 ] && ok "ListenOverflows $ovf (at least the 3 ACKs)" || fail "ListenOverflows ${ovf:-?}: no full accept queue"
aq_metric=$(metric wirelat_tcp_accept_queue_drops_total'{interface="'"$VS"'"}')

kill -INT "$WL"
wait "$WL" || fail "wirelat exited non-zero: $(cat "$tmp/wirelat.err")"
kill -INT "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null
drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$tmp/tcpdump.err")
[ "${drops:-1}" = 0 ] || fail "tcpdump dropped ${drops:-?} frames: the truth is incomplete"

# the records against the truth of the capture (accept_queue_drops per tcp_close included)
if $PY "$ROOT/tests/truth.py" "$tmp/cap.pcap" >"$tmp/truth.jsonl" 2>"$tmp/truth.err" &&
	$PY "$ROOT/tests/check_records.py" --truth "$tmp/truth.jsonl" --got "$tmp/got.jsonl" \
		--tolerance-ns 1000000 --ifname "$VS" --close --label "listen queues" >"$tmp/cmp" 2>&1; then
	ok "$(tail -1 "$tmp/cmp")"
else
	cat "$tmp/cmp" "$tmp/truth.err"
	fail "records differ from the truth of the tcpdump capture"
fi
$PY - "$tmp/cap.pcap" "$tmp/got.jsonl" "$SRV" "$aq_metric" "$rqf" "$nosock" <<'PY' || fail "the wire's counts"
import json, sys
from scapy.all import IP, TCP, PcapReader
cap, got, srv, aq_metric, rqf = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
nosock = int(sys.argv[6])
closed = 0                                             # SYNs to the closed port 8099
# independently of truth.py: per client port, the SYN-ACKs after the client's ACK of the server's
# ISN + 1 (8080), and the SYNs sent again with the same ISN (8081)
aq, syn_rtx, isn, acked, syns = {}, {}, {}, set(), {}
for p in PcapReader(cap):
    if IP not in p or TCP not in p:
        continue
    t = p[TCP]
    f = int(t.flags)
    if p[IP].src == srv and f & 0x12 == 0x12:          # SYN-ACK from the server
        k = (t.sport, t.dport)
        isn.setdefault(k, t.seq)
        if k in acked:
            aq[k] = aq.get(k, 0) + 1
    elif p[IP].dst == srv:
        k = (t.dport, t.sport)
        if f & 0x12 == 0x02:                           # the client's SYN
            syns.setdefault(k, []).append(t.seq)
            closed += t.dport == 8099
        elif f & 0x10 and k in isn and t.ack == (isn[k] + 1) % 2**32:
            acked.add(k)
syn_rtx = {k: len(v) - 1 for k, v in syns.items() if k[0] == 8081 and len(set(v)) == 1}
recs = [json.loads(l) for l in open(got) if l.startswith("{")]
close = {r["client_port"]: r for r in recs if r["type"] == "tcp_close" and r["server_port"] == 8080}
hs = {r["client_port"]: r for r in recs if r["type"] == "tcp_handshake" and r["server_port"] == 8081}
bad = 0
def check(ok, msg):
    global bad
    print(("ok: " if ok else "FAIL: ") + msg)
    bad += not ok
want = {k[1]: v for k, v in aq.items() if k[0] == 8080}
gotaq = {p: r["accept_queue_drops"] for p, r in close.items() if r["accept_queue_drops"]}
check(gotaq == want and sum(want.values()) >= 3 and len(close) == 8,
      "case 1: accept_queue_drops per connection %s, tcpdump's SYN-ACKs after the ACK %s "
      "(%d tcp_close records)" % (sorted(gotaq.items()), sorted(want.items()), len(close)))
check(aq_metric.isdigit() and int(aq_metric) == sum(aq.values()),
      "case 1: wirelat_tcp_accept_queue_drops_total %s = the capture's %d" % (aq_metric, sum(aq.values())))
named = [r for r in close.values() if r["accept_queue_drops"]]
check(named and all(r.get("listener") == srv + ":8080" and r.get("listener_drops", 0) > 0
                    for r in named),
      "case 1: each names the listener: %s" % sorted({(r.get("listener"), r.get("listener_drops"))
                                                   for r in named}))
first = [r.get("response_max_ns", 0) for r in named]
check(named and min(first) >= 10**9,
      "case 1: their first turns show the wait (>= 1 s): %s ns" % sorted(first))
n_rtx = sum(r["syn_retransmits"] for r in hs.values())
check(len(hs) == 12 and n_rtx == sum(syn_rtx.values()) == rqf and rqf > 0,
      "case 2: syn_retransmits %d = the capture's SYNs sent again %d = TCPReqQFullDrop rise %d "
      "(%d handshakes)" % (n_rtx, sum(syn_rtx.values()), rqf, len(hs)))
slow = [r for r in hs.values() if r["syn_retransmits"]]
check(slow and all(r.get("listener") == srv + ":8081" for r in slow),
      "case 2: slow handshakes name the listener: %s" % sorted({r.get("listener") for r in slow}))
check(closed == 3 and nosock == closed,
      "case 3: wirelat_kernel_drops_total{reason=NO_SOCKET} rose %d = the capture's SYNs to the "
      "closed port %d" % (nosock, closed))
sys.exit(1 if bad else 0)
PY
keep_records listen "$tmp/got.jsonl"
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
