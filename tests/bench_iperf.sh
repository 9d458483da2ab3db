#!/usr/bin/env bash
# make bench, live throughput (issue 11): iperf3 between two namespaces
# through the watched veth, small segments (MSS 536, 2 streams), in three
# set-ups run interleaved, round after round, so that the machine's drift
# falls on all three alike: nothing attached; empty XDP (ingress) and TC
# (egress) programs on the server's veth, where wirelat attaches (the cost
# of attaching anything at all: the floor); wirelat watching that veth.
# Medians per set-up and the ratios. Two namespaces made here, removed by
# the trap with every program and qdisc on their veth; synthetic addresses
# only. Nothing here passes or fails on the figures.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${IPERF_ROUNDS:-5}
SECS=${IPERF_SECONDS:-4}
EMPTY="$ROOT/build/tests/bpf/empty.bpf.o"
command -v iperf3 >/dev/null || { echo "iperf3 missing: skipped (tests/deps.sh installs it)"; exit 0; }
[ -f "$EMPTY" ] || { echo "$EMPTY not built: run make"; exit 1; }
netns_pair t 198.51.100.250 198.51.100.251 2001:db8:5::2 2001:db8:5::1
PORT=$((20000 + $$ % 20000))

ip netns exec "$NS_S" iperf3 -s -B 198.51.100.250 -p "$PORT" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	ip netns exec "$NS_S" ss -ltn | grep -q ":$PORT " && break
	sleep 0.1
done

# attach SETUP / detach SETUP: what runs on the server's veth
attach() {
	case $1 in
	empty)
		ip -n "$NS_S" link set dev "$VS" xdpdrv obj "$EMPTY" sec xdp &&
			ip netns exec "$NS_S" tc qdisc add dev "$VS" clsact &&
			ip netns exec "$NS_S" tc filter add dev "$VS" egress bpf da obj "$EMPTY" sec tc
		;;
	wirelat)
		ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --json --listen "127.0.0.1:$((PORT + 1))" \
			>/dev/null 2>"$tmp/wl.err" &
		WL=$!
		PIDS+=($WL)
		wait_file "$tmp/wl.err" watching
		;;
	esac
}
detach() {
	case $1 in
	empty)
		ip -n "$NS_S" link set dev "$VS" xdpdrv off
		ip netns exec "$NS_S" tc qdisc del dev "$VS" clsact
		;;
	wirelat)
		kill -INT "$WL"
		wait "$WL" 2>/dev/null
		;;
	esac
}

# one iperf3 run from the client: received bits/s
run() {
	ip netns exec "$NS_C" iperf3 -c 198.51.100.250 -p "$PORT" -M 536 -P 2 -t "$SECS" -J 2>/dev/null |
		$PY -c 'import json, sys
print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))'
}

declare -A got med
for r in $(seq "$ROUNDS"); do
	for s in none empty wirelat; do
		attach "$s" || { echo "cannot attach $s"; exit 1; }
		v=$(run)
		detach "$s"
		got[$s]="${got[$s]:-} ${v:-0}"
	done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
printf '%-40s %12s   %s\n' "iperf3, MSS 536, 2 streams, ${SECS} s" "median" "runs (Gbit/s, interleaved)"
for s in none empty wirelat; do
	med[$s]=$(median <<<"${got[$s]}")
	printf '%-40s %9.3f Gb   %s\n' "$s" "$(awk -v v="${med[$s]}" 'BEGIN {print v / 1e9}')" \
		"$(for v in ${got[$s]}; do awk -v v="$v" 'BEGIN {printf "%.2f ", v / 1e9}'; done)"
done
awk -v n="${med[none]}" -v e="${med[empty]}" -v w="${med[wirelat]}" 'BEGIN {
	printf "empty programs / nothing   %.3f (the cost of attaching at all)\n", e / n;
	printf "wirelat / empty programs   %.3f (what wirelat adds)\n", w / e;
	printf "wirelat / nothing          %.3f\n", w / n }'
