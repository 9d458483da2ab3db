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
echo "== offline: wirelat -r (-j 1, -j default: $(nproc) threads) vs tshark on the same file, median of ${OFFLINE_RUNS:-3} interleaved runs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# issue 11's capture: 100k handshakes each followed by two data segments,
# 100k DNS transactions, a packet every 20 us (700k packets)
$PY "$ROOT/tests/scale_pcap.py" offline "${OFFLINE_N:-100000}" "$tmp/big.pcap"
n=$(capinfos -c -M "$tmp/big.pcap" | awk '/Number of packets/ {print $NF}')
# secs OUT COMMAND...: COMMAND's output to OUT, its seconds on stdout
secs() {
	local out=$1 t0 t1
	shift
	t0=$(date +%s.%N)
	"$@" >"$out" 2>/dev/null
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}
: >"$tmp/t.j1"; : >"$tmp/t.jn"; : >"$tmp/t.tshark"
for _ in $(seq "${OFFLINE_RUNS:-3}"); do
	secs "$tmp/big.j1" "$WIRELAT" -r "$tmp/big.pcap" --json -j 1 >>"$tmp/t.j1"
	secs "$tmp/big.jn" "$WIRELAT" -r "$tmp/big.pcap" --json >>"$tmp/t.jn"
	secs /dev/null tshark -r "$tmp/big.pcap" -T fields -e tcp.analysis.initial_rtt -e dns.time >>"$tmp/t.tshark"
done
echo "records: $(grep -c '"type":"tcp_handshake"' "$tmp/big.jn") handshakes, $(grep -c '"type":"dns"' "$tmp/big.jn") DNS transactions; -j default $(cmp -s "$tmp/big.j1" "$tmp/big.jn" && echo "printed the same lines as" || echo "DIFFERED from") -j 1"
median() { sort -n "$1" | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
awk -v n="$n" -v a="$(median "$tmp/t.j1")" -v b="$(median "$tmp/t.jn")" -v t="$(median "$tmp/t.tshark")" \
	-v all1="$(tr '\n' ' ' <"$tmp/t.j1")" -v alln="$(tr '\n' ' ' <"$tmp/t.jn")" -v allt="$(tr '\n' ' ' <"$tmp/t.tshark")" 'BEGIN {
	printf "%-23s %10s %10s %12s %10s  %s\n", "tool", "packets", "seconds", "packets/s", "x tshark", "runs (s)";
	printf "%-23s %10d %10.3f %12.0f %10.1f  %s\n", "wirelat -r -j 1", n, a, n / a, t / a, all1;
	printf "%-23s %10d %10.3f %12.0f %10.1f  %s\n", "wirelat -r (-j default)", n, b, n / b, t / b, alln;
	printf "%-23s %10d %10.3f %12.0f %10.1f  %s\n", "tshark", n, t, n / t, 1, allt;
	printf "wirelat -r is %.1fx tshark (goal: 20x)\n", t / b }'
# where the time of one replay goes: loading the programs (the verifier)
# against the rest
t_load=$(secs /dev/null "$WIRELAT" -r "$ROOT/pcaps/tcp-ipv4.pcap" -j 1)
echo "start-up (load, verify, a 12-packet capture, -j 1): $t_load s"

echo
echo "== live throughput: iperf3 through the watched veth (nothing / empty programs / wirelat)"
"$ROOT/tests/bench_iperf.sh"

echo
echo "== the socket path: what it adds per connection"
"$ROOT/tests/bench_sock.sh"

echo
echo "== scrape latency, flow tables empty and full"
"$ROOT/tests/bench_scrape.sh"
