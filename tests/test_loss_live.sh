#!/usr/bin/env bash
# Loss, located, live, with real kernels at both ends (DESIGN.md "Loss,
# located"): three namespaces, client -- middle -- server. The middle one
# bridges its two veth ends (no IP forwarding) and wirelat watches the
# server-side end there (the client's data leaves through its TC egress).
# A test-only BPF program (tests/bpf/dropper.bpf.c, drop_data: every 20th
# segment of new data, 10 times; there is no netem in this kernel) drops
# the client's upload twice, never on the sender's own host (a segment
# dropped on the sender's egress is sent again at once by its TCP: no loss
# on the wire):
#   - upstream, on the middle's client-side end (TC ingress), before the
#     observation point: wirelat sees a sequence gap for each, then the
#     retransmission that fills it;
#   - downstream, on the server's ingress, after the observation point:
#     wirelat sees each segment pass and later its retransmission, with no
#     gap.
# Want: seq_gaps_c2s = what the upstream dropper dropped; retransmits_c2s -
# seq_gaps_c2s = what the downstream dropper dropped, plus any segment the
# client's TCP sent again without a loss (an RTO that fired early on a
# loaded machine: a real retransmission on the wire, not wirelat's error);
# retransmissions and gaps exactly as tests/truth.py finds them in a
# tcpdump of the observation point in the same run; segments and bytes
# per direction as the counters say; the record and the counters agree.
#
# Network rules: every namespace is made here; the middle one bridges
# (ip_forward stays 0 everywhere), no default route, 198.51.100.0/24 only.
# The trap removes the namespaces, the private bpffs and every process.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }

NS_C=wll-$$-c NS_M=wll-$$-m NS_S=wll-$$-s
tmp=$(mktemp -d /tmp/wll.XXXXXX)
PIDS=()
cleanup() {
	local p ns
	trap - EXIT
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for ns in "$NS_C" "$NS_M" "$NS_S"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	dropper_umount
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

for ns in "$NS_C" "$NS_M" "$NS_S"; do
	ip netns add "$ns" || { echo "SKIP: no netns"; exit 77; }
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.disable_ipv6=1
	ip -n "$ns" link set lo up
done
ip link add wlc$$ netns "$NS_C" type veth peer name wlm$$ netns "$NS_M" || { echo "SKIP: no veth"; exit 77; }
ip link add wls$$ netns "$NS_S" type veth peer name wln$$ netns "$NS_M"
VC=wlc$$ VM=wlm$$ VN=wln$$ VS=wls$$
ip -n "$NS_M" link add br0 type bridge
ip -n "$NS_M" link set "$VM" master br0
ip -n "$NS_M" link set "$VN" master br0
for x in "$NS_M br0" "$NS_M $VM" "$NS_M $VN" "$NS_C $VC" "$NS_S $VS"; do
	set -- $x
	ip -n "$1" link set "$2" up
done
ip -n "$NS_C" addr add 198.51.100.1/24 dev "$VC"
ip -n "$NS_S" addr add 198.51.100.2/24 dev "$VS"
# one MSS-sized segment per packet on the client's egress (no GSO), so a
# dropped packet is one segment
ip -n "$NS_C" link set dev "$VC" gso_max_segs 1 2>/dev/null ||
	ip netns exec "$NS_C" ethtool -K "$VC" tso off gso off >/dev/null 2>&1
dropper_mount

# client and server on one CPU: a veth hands a packet to the backlog of the
# CPU that sent it, so senders on two CPUs (the client process, and its
# TCP answering ACKs in the softirq of the server's CPU) reorder segments,
# which the observation point rightly sees as a gap and a retransmission
ip netns exec "$NS_S" taskset -c 0 "$PY" "$ROOT/tests/conn_peer.py" sink 198.51.100.2 9000 >"$tmp/sink.out" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_M" "$WIRELAT" -i "$VN" --json --listen 127.0.0.1:9747 >"$tmp/got.jsonl" 2>"$tmp/wirelat.err" &
WL=$!
PIDS+=($WL)
for _ in $(seq 200); do
	grep -q watching "$tmp/wirelat.err" && grep -q ready "$tmp/sink.out" && break
	sleep 0.1
done
grep -q watching "$tmp/wirelat.err" || { echo "FAIL: wirelat did not start: $(cat "$tmp/wirelat.err")"; exit 1; }
ip netns exec "$NS_M" tcpdump -i "$VN" -n -s 200 -U -B 65536 --time-stamp-precision=nano \
	-w "$tmp/obs.pcap" 'tcp port 9000 or udp port 9' 2>"$tmp/tcpdump.err" &
TD=$!
PIDS+=($TD)
for _ in $(seq 100); do grep -q listening "$tmp/tcpdump.err" && break; sleep 0.1; done
grep -q listening "$tmp/tcpdump.err" || { echo "FAIL: tcpdump did not start: $(cat "$tmp/tcpdump.err")"; exit 1; }
dropper_attach up "$NS_M" "$VM" ingress drop_data || exit 1
dropper_attach down "$NS_S" "$VS" ingress drop_data || exit 1

# 3 MB up: far more than the 2 x 10 drops, so none is at the tail. Paced
# (SO_MAX_PACING_RATE: TCP paces by itself without sch_fq) at 40 MB/s, so
# no veth backlog overflows: the droppers' losses are the only ones
ip netns exec "$NS_C" taskset -c 0 "$PY" - <<'PY' || fail "the upload failed"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, 47, 40 * 1000 * 1000)   # SO_MAX_PACING_RATE, bytes/s
s.connect(("198.51.100.2", 9000))
s.sendall(b"x" * 3000000)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
s.close()
PY
for ns_dev in "$NS_M $VM" "$NS_M $VN" "$NS_S $VS" "$NS_C $VC"; do
	set -- $ns_dev
	echo "$2: $(ip -n "$1" -s link show dev "$2" | awk '/RX:/ {getline; print "rx dropped " $4} /TX:/ {getline; print "tx dropped " $4}' | tr '\n' ' ')"
done
up=$(dropper_count up)
down=$(dropper_count down)
# the connection closed (FIN both ways, acknowledged): its record is out
for _ in $(seq 200); do grep -q '"tcp_close"' "$tmp/got.jsonl" && break; sleep 0.1; done
ip netns exec "$NS_M" curl -s 127.0.0.1:9747/metrics >"$tmp/m.prom"
kill -INT "$WL"
wait "$WL" || fail "wirelat exited non-zero: $(cat "$tmp/wirelat.err")"
# every frame of the upload in the capture before tcpdump stops (it may lag
# a transfer under load: frames still in its ring buffer would be lost)
barrier "$NS_C" 198.51.100.2 "$tmp/obs.pcap"
kill -TERM "$TD"
wait "$TD"
grep -q '^0 packets dropped by kernel' "$tmp/tcpdump.err" ||
	fail "tcpdump dropped frames: the truth is incomplete: $(tr '\n' ' ' <"$tmp/tcpdump.err")"
$PY "$ROOT/tests/truth.py" "$tmp/obs.pcap" >"$tmp/truth.jsonl" 2>"$tmp/truth.err" ||
	fail "truth.py: $(tail -2 "$tmp/truth.err")"

$PY - "$tmp/got.jsonl" "$tmp/m.prom" "$VN" "$up" "$down" "$tmp/truth.jsonl" <<'PY' || fail "loss counts"
import json, re, sys
got, prom, ifname, up, down = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
recs = [json.loads(l) for l in open(got) if l.startswith("{")]
closes = [r for r in recs if r["type"] == "tcp_close" and r["server_port"] == 9000]
truth = [r for r in (json.loads(l) for l in open(sys.argv[6]) if l.startswith("{"))
         if r["type"] == "tcp_close" and r["server_port"] == 9000]
m = {}
for line in open(prom):
    x = re.match(r'^(wirelat_tcp_\w+_total)\{interface="([^"]*)",direction="(c2s|s2c)"\} (\d+)', line)
    if x and x.group(2) == ifname:
        m[(x.group(1), x.group(3))] = int(x.group(4))
bad = 0
def check(ok, msg):
    global bad
    print(("ok: " if ok else "FAIL: ") + msg)
    bad += not ok
check(len(closes) == 1, "one tcp_close for the upload (%d)" % len(closes))
if closes:
    r = closes[0]
    gaps, rtx = r["seq_gaps_c2s"], r["retransmits_c2s"]
    check(up == 10 and down == 10, "the droppers dropped %d upstream, %d downstream (want 10 each)" % (up, down))
    check(gaps == up, "upstream: seq_gaps_c2s %d = dropped before the observation point %d" % (gaps, up))
    check(len(truth) == 1, "one tcp_close for the upload in the truth of the tcpdump (%d)" % len(truth))
    t = truth[0] if truth else {}
    for f in ("retransmits_c2s", "seq_gaps_c2s", "retransmits_s2c", "seq_gaps_s2c", "segments_c2s", "bytes_c2s"):
        check(r[f] == t.get(f), "%s %d = the tcpdump's %s" % (f, r[f], t.get(f)))
    spurious = t.get("retransmits_c2s", 0) - t.get("seq_gaps_c2s", 0) - down
    check(rtx - gaps >= down, "downstream: retransmits_c2s %d - seq_gaps_c2s %d = %d = dropped after it %d"
          " + sent again without a loss %d" % (rtx, gaps, rtx - gaps, down, spurious))
    check(r["bytes_c2s"] >= 3000000 and r["segments_c2s"] >= 3000000 // 1500,
          "bytes_c2s %d, segments_c2s %d" % (r["bytes_c2s"], r["segments_c2s"]))
    for k, rec in (("wirelat_tcp_seq_gaps_total", "seq_gaps"), ("wirelat_tcp_retransmits_total", "retransmits"),
                   ("wirelat_tcp_segments_total", "segments"), ("wirelat_tcp_payload_bytes_total", "bytes")):
        for d in ("c2s", "s2c"):
            want = r["%s_%s" % (rec, d)]
            check(m.get((k, d)) == want, "%s{direction=%s} %s = the record's %d" % (k, d, m.get((k, d)), want))
sys.exit(1 if bad else 0)
PY
keep_records loss "$tmp/got.jsonl"
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
