#!/usr/bin/env bash
# make bench, part 2: how long a scrape of /metrics takes with the flow
# tables empty and with 20000 connections tracked. A scrape reads a fixed
# number of small maps and never walks a table, so the two should match.
# Runs in two namespaces made here (a veth pair, no route anywhere), and
# removes them on exit.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
N=${FLOWS:-20000}
NS_A=wlb-$$-a
NS_B=wlb-$$-b
tmp=$(mktemp -d)
cleanup() {
	local p
	[ -n "${WL:-}" ] && kill -INT "$WL" 2>/dev/null && wait "$WL" 2>/dev/null
	for ns in "$NS_A" "$NS_B"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
ip netns add "$NS_A" && ip netns add "$NS_B" || exit 1
ip link add wba$$ netns "$NS_A" type veth peer name wbb$$ netns "$NS_B" || exit 1
ip -n "$NS_A" link set wba$$ up
ip -n "$NS_B" link set wbb$$ up
ip -n "$NS_B" link set lo up

# N data segments of N different flows: each opens a mid-stream connection
"$PY" - "$tmp/flows.pcap" "$N" <<'PY'
import struct, sys
path, n = sys.argv[1], int(sys.argv[2])
def csum(b):
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
with open(path, "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(n):
        src = bytes([198, 51, 100, 1 + i % 200])
        dst = bytes([203, 0, 113, 1 + (i // 200) % 200])
        tcp = struct.pack("!HHIIBBHHH", 10000 + i % 50000, 443, i, 1, 0x50, 0x18, 65535, 0, 0) + b"x" * 10
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0, 64, 6, 0, src, dst)
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        eth = b"\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00"
        frame = eth + ip + tcp
        f.write(struct.pack("<IIII", 1700000000, i, len(frame), len(frame)) + frame)
PY

ip netns exec "$NS_B" "$WIRELAT" -i wbb$$ --listen 127.0.0.1:9750 --max-conns $((N * 2)) \
	--idle-timeout 3600s >/dev/null 2>"$tmp/err" &
WL=$!
for _ in $(seq 50); do grep -q watching "$tmp/err" && break; sleep 0.1; done

scrape() {	# median of 21 scrapes, in ms
	for _ in $(seq 21); do
		ip netns exec "$NS_B" curl -s -o /dev/null -w '%{time_total}\n' http://127.0.0.1:9750/metrics
	done | sort -n | awk '{a[NR] = $1} END {printf "%.2f", a[11] * 1000}'
}
empty=$(scrape)
ip netns exec "$NS_A" tcpreplay -q --topspeed -i wba$$ "$tmp/flows.pcap" >/dev/null 2>&1
sleep 2.5	# a sweep counts the entries
full=$(scrape)
entries=$(ip netns exec "$NS_B" curl -s http://127.0.0.1:9750/metrics |
	awk '/^wirelat_flow_table_entries\{table="connections"\}/ {print $2}')
printf "%-32s %12s %14s\n" "/metrics scrape (median of 21)" "ms" "connections"
printf "%-32s %12s %14s\n" "flow tables empty" "$empty" 0
printf "%-32s %12s %14s\n" "flow tables full" "$full" "$entries"
awk -v a="$empty" -v b="$full" 'BEGIN { printf "full / empty = %.2f\n", b / a }'
