#!/usr/bin/env bash
# A compact live test for every kernel (tests/kernels/suite.sh): wirelat on
# one end of a veth pair, both directions through both hooks.
#
#   tests/kernels/live.sh [INGRESS]     wirelat --ingress INGRESS (xdp, tc;
#                                       default auto: TC on a veth)
#
# This end is
# the client (its SYNs and queries leave through TC egress, the answers
# arrive through XDP), then the server (the other way round): for each, an
# upload over IPv4 and over IPv6 (tcp_handshake, tcp_close), a refused
# handshake (tcp_handshake_failed), DNS queries over UDP v4 and v6 and TCP,
# one of them NXDOMAIN (dnsmasq at the other end). The truth is
# tests/truth.py on a tcpdump of the same interface in the same run:
# tests/check_records.py --strict --dns --close, every record there and
# nothing else, every field equal, durations within 1 ms (the two clocks
# read the same packet at the hook and at the tap). Then each kind of
# record must have come from each side, so the run cannot pass without
# the traffic.
#
# WL_LIVE_TIMING=loose (tests/kernels, in qemu's TCG): durations within 1 s
# and the RTT fields of tcp_close left out. There the guest's clock is the
# host's and its vCPUs are threads the host schedules: a vCPU descheduled
# between hook and tap put 2 to 32 ms between them in our runs, and an
# answer tapped before its question (the other vCPU) is no RTT sample for
# the truth but is one for the hooks. The loose run proves the hooks see
# both directions and report every transaction right on that kernel;
# exactness is the offline suite's (to the nanosecond, same kernel) and
# this test's on the host.
#
# WL_LIVE_KEEP=DIR: on failure, the capture, the records and the truth are
# copied there.
#
# Network rules: lib.sh netns_pair (two namespaces made here, one veth
# pair, no default route, forwarding off, 198.51.100.0/24 and
# 2001:db8:4f::/64). The trap removes the namespaces (with the veth pair)
# and every process, also on failure.
set -uo pipefail
# shellcheck source=tests/lib.sh
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
command -v dnsmasq >/dev/null && command -v dig >/dev/null && command -v tcpdump >/dev/null ||
	{ echo "FAIL: dnsmasq, dig or tcpdump missing (tests/deps.sh)"; exit 1; }
INGRESS=${1:-auto}
case ${WL_LIVE_TIMING:-exact} in
exact) TOL_NS=1000000 ;;
loose) TOL_NS=1000000000 ;;
*) echo "FAIL: WL_LIVE_TIMING is exact or loose"; exit 1 ;;
esac
S4=198.51.100.2 C4=198.51.100.1 S6=2001:db8:4f::2 C6=2001:db8:4f::1
netns_pair v "$S4" "$C4" "$S6" "$C6"

# the same servers at both ends: a TCP sink, dnsmasq for example.test
for side in S C; do
	if [ $side = S ]; then ns=$NS_S dev=$VS a4=$S4 a6=$S6; else ns=$NS_C dev=$VC a4=$C4 a6=$C6; fi
	ip netns exec "$ns" "$PY" "$ROOT/tests/conn_peer.py" sink :: 9000 >"$tmp/sink-$side.out" 2>&1 &
	PIDS+=($!)
	ip netns exec "$ns" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
		--listen-address="$a4" --listen-address="$a6" --interface="$dev" --except-interface=lo \
		--port=53 --user=root --group=root --local=/example.test/ \
		--address=/www.example.test/203.0.113.10 --address=/www.example.test/2001:db8::10 \
		--pid-file="$tmp/dnsmasq-$side.pid" --log-facility=- 2>"$tmp/dnsmasq-$side.log" &
	PIDS+=($!)
done
# ready before anything watches: the run holds only the test's own traffic
for side in S C; do
	wait_file "$tmp/sink-$side.out" '^ready' || { echo "FAIL: the sink in $side did not start"; exit 1; }
done
n=100
until ip netns exec "$NS_C" dig +tries=1 +time=1 @"$S4" www.example.test A >/dev/null 2>&1 &&
	ip netns exec "$NS_S" dig +tries=1 +time=1 @"$C4" www.example.test A >/dev/null 2>&1; do
	n=$((n - 1))
	[ $n -gt 0 ] || { echo "FAIL: dnsmasq did not answer: $(cat "$tmp"/dnsmasq-*.log)"; exit 1; }
	sleep 0.2
done

ip netns exec "$NS_C" tcpdump -i "$VC" -n -s 0 -B 16384 -U --time-stamp-precision=nano -w "$tmp/cap.pcap" \
	'tcp or udp port 53 or udp port 9' 2>"$tmp/tcpdump.err" &
TCPDUMP=$!
PIDS+=("$TCPDUMP")
ip netns exec "$NS_C" "$WIRELAT" -i "$VC" --ingress "$INGRESS" --json >"$tmp/got.jsonl" 2>"$tmp/wirelat.err" &
WL=$!
PIDS+=("$WL")
# until both listen (20 s at most, as wait_file), or one of them is gone
n=200
until grep -q 'listening on' "$tmp/tcpdump.err" && grep -q watching "$tmp/wirelat.err"; do
	n=$((n - 1))
	if [ $n -le 0 ] || ! kill -0 "$WL" 2>/dev/null || ! kill -0 "$TCPDUMP" 2>/dev/null; then
		echo "FAIL: tcpdump or wirelat did not start: $(cat "$tmp/wirelat.err" "$tmp/tcpdump.err")"
		exit 1
	fi
	sleep 0.1
done
grep watching "$tmp/wirelat.err"

# traffic FROM (S or C) to the other end's addresses
traffic() {
	local ns to4 to6 q
	if [ "$1" = C ]; then ns=$NS_C to4=$S4 to6=$S6; else ns=$NS_S to4=$C4 to6=$C6; fi
	for a in "$to4" "$to6"; do
		ip netns exec "$ns" "$PY" "$ROOT/tests/conn_peer.py" upload "$a" 9000 20000 ||
			fail "$1: upload to $a"
	done
	ip netns exec "$ns" "$PY" -c 'import socket, sys
try:
    socket.create_connection((sys.argv[1], 9), timeout=20)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' "$to4" || fail "$1: a connect to $to4:9 was not refused"
	for q in "@$to4 www.example.test A" "@$to6 www.example.test AAAA" "@$to4 nosuch.example.test A" \
		"@$to4 +tcp www.example.test A"; do
		# shellcheck disable=SC2086 # the words of a query
		ip netns exec "$ns" dig +tries=1 +time=10 $q >"$tmp/dig.out" 2>&1 ||
			fail "$1: dig $q: $(tail -1 "$tmp/dig.out")"
	done
}
echo "--- this end the client"
traffic C
echo "--- this end the server"
traffic S
barrier "$NS_C" "$S4" "$tmp/cap.pcap"
kill -INT "$WL"
wait "$WL" || fail "wirelat exited non-zero: $(cat "$tmp/wirelat.err")"
kill -INT "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null
got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$tmp/tcpdump.err")
drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$tmp/tcpdump.err")
[ -n "$got" ] && [ "${drops:-1}" = 0 ] ||
	fail "tcpdump captured ${got:-?} frames, ${drops:-?} dropped by the kernel: the truth is incomplete"

# loose: the RTT fields out of both sides (check_records compares them
# where the truth has them)
judged() { # FILE: FILE as compared
	if [ "${WL_LIVE_TIMING:-exact}" = loose ]; then
		$PY -c 'import json, sys
for line in open(sys.argv[1]):
    if line.startswith("{"):
        r = json.loads(line)
        line = json.dumps({k: v for k, v in r.items() if not k.startswith("rtt_")}) + "\n"
    sys.stdout.write(line)' "$1" >"$1.judged"
	else
		cp "$1" "$1.judged"
	fi
}
if $PY "$ROOT/tests/truth.py" "$tmp/cap.pcap" >"$tmp/truth.jsonl" 2>"$tmp/truth.err" &&
	judged "$tmp/truth.jsonl" && judged "$tmp/got.jsonl" &&
	$PY "$ROOT/tests/check_records.py" --truth "$tmp/truth.jsonl.judged" --got "$tmp/got.jsonl.judged" \
		--tolerance-ns "$TOL_NS" --ifname "$VC" --strict --dns --close --label live >"$tmp/cmp" 2>&1; then
	ok "$(tail -1 "$tmp/cmp") (${WL_LIVE_TIMING:-exact}: within $((TOL_NS / 1000)) us)"
else
	cat "$tmp/cmp" "$tmp/truth.err"
	fail "records differ from the truth of the tcpdump capture"
fi

# each kind from each side: (type, the client's end, family)
$PY - "$tmp/got.jsonl" "$C4" "$C6" <<'PY' || fail "records missing"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
mine = set(sys.argv[2:4])
seen = set()
for r in recs:
    side = "client" if r["client_ip"] in mine else "server"
    kind = r["type"]
    if kind == "tcp_handshake_failed":
        kind += "/" + r["reason"]
    if kind == "dns":
        kind += "/%s/%s" % (r["proto"], r["rcode"])
    seen.add((side, kind, r["family"]))
bad = 0
for side in ("client", "server"):
    for kind, fam in (("tcp_handshake", 4), ("tcp_handshake", 6), ("tcp_close", 4), ("tcp_close", 6),
                      ("tcp_handshake_failed/refused", 4), ("dns/udp/NOERROR", 4),
                      ("dns/udp/NOERROR", 6), ("dns/udp/NXDOMAIN", 4), ("dns/tcp/NOERROR", 4)):
        if (side, kind, fam) not in seen:
            print("FAIL: this end the %s: no %s over IPv%d" % (side, kind, fam))
            bad += 1
print("%s: %d records, %d kinds from both ends" % ("FAIL" if bad else "ok", len(recs), len(seen)))
sys.exit(1 if bad else 0)
PY
if [ "$FAILS" -gt 0 ] && [ -n "${WL_LIVE_KEEP:-}" ]; then
	mkdir -p "$WL_LIVE_KEEP"
	cp "$tmp"/cap.pcap "$tmp"/got.jsonl "$tmp"/truth.jsonl "$tmp"/*.err "$WL_LIVE_KEEP/" 2>/dev/null
	echo "kept in $WL_LIVE_KEEP: the capture, the records, the truth"
fi
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
