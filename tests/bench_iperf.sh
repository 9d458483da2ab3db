#!/usr/bin/env bash
# make bench, live throughput (issues 11, 28): iperf3 between two
# namespaces through the watched veth, 2 streams, MSS 536 and 1460, both
# directions: "in" (client -> server: the data enters the watched veth,
# ingress) and "out" (iperf3 -R: the data leaves it, egress). Set-ups on
# the server's veth, where wirelat attaches:
#   none          nothing attached
#   empty-tc      empty programs on TC ingress and egress
#   empty-xdp     an empty native XDP program, an empty TC egress program
#   empty-xdp-frags the same, the XDP program multi-buffer (xdp.frags) as
#                 wirelat's is: without frags a veth's peer stops sending
#                 GSO super-packets, with them it keeps sending them
#   empty-xdp-skb the same with XDP in skb (generic) mode
#   wl-auto       wirelat with its defaults (--ingress auto)
#   wl-tc, wl-xdp, wl-xdp-skb   wirelat with --ingress forced
# Interleaved: every round runs every set-up once per MSS and direction,
# attached for that run alone, so the machine's drift falls on all alike. Printed:
# per set-up and run the median and the spread (min-max) of the rounds;
# then the ratios the budget names (DESIGN, attach rules: wirelat >= 0.90
# of nothing, >= 0.95 of an empty program on the same hook), each taken
# within a round (both runs saw the same machine) and given as the median
# and spread over the rounds. Two namespaces made here, removed by the
# trap with every program and qdisc on their veth; synthetic addresses
# only. Nothing here passes or fails on the figures.
#
# IPERF_ROUNDS (5), IPERF_SECONDS (4), IPERF_SETUPS (all, in the order
# above), IPERF_MSS ("536 1460"), IPERF_DIRS ("in out") narrow a run.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

ROUNDS=${IPERF_ROUNDS:-5}
SECS=${IPERF_SECONDS:-4}
SETUPS=(${IPERF_SETUPS:-none empty-tc empty-xdp empty-xdp-frags empty-xdp-skb wl-auto wl-tc wl-xdp wl-xdp-skb})
MSSES=(${IPERF_MSS:-536 1460})
DIRS=(${IPERF_DIRS:-in out})
EMPTY="$ROOT/build/tests/bpf/empty.bpf.o"
for t in iperf3 xdp-loader; do
	command -v $t >/dev/null || { echo "$t missing: skipped (tests/deps.sh installs it)"; exit 0; }
done
[ -f "$EMPTY" ] || { echo "$EMPTY not built: run make"; exit 1; }
netns_pair t 198.51.100.250 198.51.100.251 2001:db8:5::2 2001:db8:5::1
PORT=$((20000 + $$ % 20000))
inS() { ip netns exec "$NS_S" "$@"; }

ip netns exec "$NS_S" iperf3 -s -B 198.51.100.250 -p "$PORT" >/dev/null 2>&1 &
PIDS+=($!)
for _ in $(seq 50); do
	inS ss -ltn | grep -q ":$PORT " && break
	sleep 0.1
done

# empty_tc DIR...: the empty TC program on those hooks of the server's veth
empty_tc() {
	local d
	inS tc qdisc add dev "$VS" clsact || return 1
	for d in "$@"; do
		inS tc filter add dev "$VS" "$d" bpf da obj "$EMPTY" sec tc || return 1
	done
}

# new_veth: a veth pair of its own for each set-up. Generic XDP leaves a
# veth changed after it is detached (here, native XDP after it kept 10.7
# Gbit/s where it had 4.5, and nothing attached fell from 15.4 to 9.2):
# set-ups sharing a pair would measure each other.
new_veth() {
	ip -n "$NS_C" link del "$VC" 2>/dev/null
	ip link add "$VC" netns "$NS_C" type veth peer name "$VS" netns "$NS_S" &&
		ip -n "$NS_S" addr add 198.51.100.250/24 dev "$VS" &&
		ip -n "$NS_C" addr add 198.51.100.251/24 dev "$VC" &&
		ip -n "$NS_S" link set "$VS" up && ip -n "$NS_C" link set "$VC" up
}

# attach SETUP / detach SETUP: what runs on the server's veth
attach() {
	new_veth || return 1
	case $1 in
	none) ;;
	empty-tc) empty_tc ingress egress ;;
	empty-xdp) ip -n "$NS_S" link set dev "$VS" xdpdrv obj "$EMPTY" sec xdp && empty_tc egress ;;
	# ip's loader drops the frags flag; libxdp keeps it, as for wirelat
	empty-xdp-frags) inS xdp-loader load -m native -n empty_xdp_frags "$VS" "$EMPTY" 2>/dev/null &&
		empty_tc egress ;;
	empty-xdp-skb) inS xdp-loader load -m skb -n empty_xdp_frags "$VS" "$EMPTY" 2>/dev/null &&
		empty_tc egress ;;
	wl-*)
		local hook=(--ingress "${1#wl-}")
		if [ "$1" = wl-auto ]; then hook=(); fi
		# the last start's lines must be gone before this one's start: the
		# child truncates the file only once it runs
		rm -f "$tmp/wl.err"
		# not through inS: $! must be wirelat itself, which SIGINT stops
		ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --json "${hook[@]}" \
			--listen "127.0.0.1:$((PORT + 1))" >/dev/null 2>"$tmp/wl.err" &
		WL=$!
		PIDS+=($WL)
		# a bound for a broken start, not a timing: loading takes ~1 s here,
		# more while another VM takes a CPU
		for _ in $(seq 600); do
			grep -q watching "$tmp/wl.err" && break
			kill -0 "$WL" 2>/dev/null || break
			sleep 0.1
		done
		grep -q watching "$tmp/wl.err" ||
			{ echo "wirelat did not start: $(tr '\n' ' ' <"$tmp/wl.err" 2>/dev/null)"; return 1; }
		[ "$1" != wl-auto ] || AUTO_LINE=$(grep watching "$tmp/wl.err")
		;;
	esac
}
detach() {
	case $1 in
	empty-*)
		ip -n "$NS_S" link set dev "$VS" xdp off 2>/dev/null
		inS tc qdisc del dev "$VS" clsact
		;;
	wl-*)
		kill -INT "$WL"
		wait "$WL" 2>/dev/null
		;;
	esac
}

# run MSS DIR: one iperf3 run from the client; received bits/s
run() {
	local rev=()
	[ "$2" = out ] && rev=(-R)
	ip netns exec "$NS_C" iperf3 -c 198.51.100.250 -p "$PORT" -M "$1" -P 2 -t "$SECS" \
		"${rev[@]}" -J 2>/dev/null |
		$PY -c 'import json, sys
print(int(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]))' 2>/dev/null
}

# got[SETUP/MSS/DIR] = the rounds' bits/s, in round order. Each run has
# its set-up attached afresh, so that the runs a ratio pairs are seconds
# apart (the machine's load moves on that scale), and each round starts
# the set-ups one further along, so that none always runs first.
declare -A got
t0=$SECONDS
n=${#SETUPS[@]}
for r in $(seq "$ROUNDS"); do
	for m in "${MSSES[@]}"; do
		for d in "${DIRS[@]}"; do
			for i in $(seq 0 $((n - 1))); do
				s=${SETUPS[$(((i + r) % n))]}
				v=
				if attach "$s"; then
					v=$(run "$m" "$d")
				else
					echo "round $r: cannot attach $s: this run left out" >&2
				fi
				detach "$s" 2>/dev/null
				# "-": no figure (left out of medians and ratios)
				got[$s/$m/$d]="${got[$s/$m/$d]:-} ${v:--}"
			done
		done
	done
	echo "round $r of $ROUNDS done ($((SECONDS - t0)) s)" >&2
done

# stats V...: "median min max" of the values
stats() { printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)] + 0, v[1] + 0, v[NR] + 0}'; }
# ratios A B: the per-round ratios of two set-ups' runs (same MSS, dir)
ratios() {
	local -a a=($1) b=($2)
	local i
	for i in "${!a[@]}"; do
		[ "${a[$i]}" = - ] || [ "${b[$i]:--}" = - ] && continue
		awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN {printf "%.4f\n", (y > 0 ? x / y : 0)}'
	done
}

echo "iperf3 through the watched veth, 2 streams, ${SECS} s a run, $ROUNDS interleaved rounds"
echo "Gbit/s: median (min-max) of the rounds; in = data entering the watched veth, out = leaving it"
[ -n "${AUTO_LINE:-}" ] && echo "auto chose: ${AUTO_LINE#wirelat: }"
printf '%-16s' "set-up"
for m in "${MSSES[@]}"; do for d in "${DIRS[@]}"; do printf ' %-20s' "MSS $m $d"; done; done
echo
for s in "${SETUPS[@]}"; do
	printf '%-16s' "$s"
	for m in "${MSSES[@]}"; do
		for d in "${DIRS[@]}"; do
			read -r med lo hi < <(stats ${got[$s/$m/$d]})
			printf ' %-20s' "$(awk -v a="$med" -v b="$lo" -v c="$hi" \
				'BEGIN {printf "%.2f (%.2f-%.2f)", a / 1e9, b / 1e9, c / 1e9}')"
		done
	done
	echo
done

# ratio LABEL A B BUDGET: a row of per-round ratios A/B, when both ran
ratio() {
	local m d med lo hi
	[ -n "${got[$2/${MSSES[0]}/${DIRS[0]}]:-}" ] && [ -n "${got[$3/${MSSES[0]}/${DIRS[0]}]:-}" ] || return 0
	printf '%-30s' "$1"
	for m in "${MSSES[@]}"; do
		for d in "${DIRS[@]}"; do
			read -r med lo hi < <(stats $(ratios "${got[$2/$m/$d]}" "${got[$3/$m/$d]}"))
			printf ' %-22s' "$(awk -v a="$med" -v b="$lo" -v c="$hi" -v w="$4" \
				'BEGIN {printf "%.3f (%.2f-%.2f)%s", a, b, c, (w && a < w ? "!" : "")}')"
		done
	done
	echo
}
echo
echo "ratios within a round: median (min-max); ! = median under the budget"
printf '%-30s' "ratio"
for m in "${MSSES[@]}"; do for d in "${DIRS[@]}"; do printf ' %-22s' "MSS $m $d"; done; done
echo
ratio "wl-auto / none (>= 0.90)" wl-auto none 0.90
ratio "wl-auto / empty-tc (>= 0.95)" wl-auto empty-tc 0.95
ratio "wl-tc / empty-tc (>= 0.95)" wl-tc empty-tc 0.95
ratio "wl-xdp / empty-xdp-frags (>= 0.95)" wl-xdp empty-xdp-frags 0.95
ratio "wl-xdp-skb / empty-xdp-skb" wl-xdp-skb empty-xdp-skb 0.95
ratio "empty-tc / none" empty-tc none 0
ratio "empty-xdp / none" empty-xdp none 0
ratio "empty-xdp-frags / none" empty-xdp-frags none 0
ratio "empty-xdp-skb / none" empty-xdp-skb none 0
ratio "wl-xdp / none" wl-xdp none 0
