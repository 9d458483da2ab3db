#!/usr/bin/env bash
# make bench: per-packet cost of the XDP program against an empty XDP
# program (steady state, and one packet per new flow), 1M handshakes live
# (records delivered, idle CPU, bytes per connection), offline throughput
# against tshark on the same file, live throughput against empty programs. Ratios
# against floors measured in this run; nothing here is a pass/fail test.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

echo "== per-packet cost (BPF_PROG_TEST_RUN, repeat ${REPEAT:-1000000}, median of 5)"
build/bench_xdp "${REPEAT:-1000000}"

echo
echo "== scale: ${SCALE_N:-1000000} handshakes live, then idle with them tracked"
"$ROOT/tests/bench_scale.sh"

echo
echo "== offline: wirelat -r vs tshark on the same file"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# issue 11's capture: 100k handshakes each followed by two data segments,
# 100k DNS transactions, a packet every 20 us (700k packets)
$PY "$ROOT/tests/scale_pcap.py" offline "${OFFLINE_N:-100000}" "$tmp/big.pcap"
n=$(capinfos -c -M "$tmp/big.pcap" | awk '/Number of packets/ {print $NF}')
t0=$(date +%s.%N); "$WIRELAT" -r "$tmp/big.pcap" --json >"$tmp/big.jsonl"; t1=$(date +%s.%N)
tshark -r "$tmp/big.pcap" -T fields -e tcp.analysis.initial_rtt -e dns.time >/dev/null 2>&1; t2=$(date +%s.%N)
echo "records: $(grep -c '"type":"tcp_handshake"' "$tmp/big.jsonl") handshakes, $(grep -c '"type":"dns"' "$tmp/big.jsonl") DNS transactions"
awk -v n="$n" -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN {
	w = b - a; t = c - b;
	printf "%-12s %10s %12s %14s\n", "tool", "packets", "seconds", "packets/s";
	printf "%-12s %10d %12.3f %14.0f\n", "wirelat -r", n, w, n / w;
	printf "%-12s %10d %12.3f %14.0f\n", "tshark", n, t, n / t;
	printf "wirelat is %.1fx tshark (goal: 10x)\n", t / w }'

echo
echo "== live throughput: iperf3 through the watched veth (nothing / empty programs / wirelat)"
"$ROOT/tests/bench_iperf.sh"

echo
echo "== the socket path: what it adds per connection"
"$ROOT/tests/bench_sock.sh"

echo
echo "== scrape latency, flow tables empty and full"
"$ROOT/tests/bench_scrape.sh"
