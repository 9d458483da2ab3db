#!/usr/bin/env bash
# make bench, scale rows (issue 11): N handshakes (default 1M) replayed by
# tcpreplay --topspeed through a veth pair into wirelat --max-conns N:
# records delivered and dropped; then N connections tracked and no traffic:
# the daemon's CPU over IDLE_S seconds; the connection table's kernel
# memory per entry (bpftool map show: memlock / max_entries). Then a flood
# of N spoofed SYNs over 1000 established connections into the default
# handshake table: its fill and evictions, the connections that survived,
# the handshakes after the flood. Then a DNS flood offline (below). Two
# namespaces made here, removed by the trap; synthetic addresses only.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

N=${SCALE_N:-1000000}
IDLE_S=${IDLE_S:-30}
command -v tcpreplay >/dev/null || { echo "tcpreplay missing: skipped"; exit 0; }
netns_pair b 198.51.100.250 198.51.100.251 2001:db8:5::2 2001:db8:5::1
PORT=$((20000 + $$ % 20000))
# handshakes seen on the wire (the scrapes' own loopback connections come
# through the socket path as "source":"sock" records)
wire_handshakes() { grep '"type":"tcp_handshake"' "$1" | grep -c '"source":"wire"'; }

$PY "$ROOT/tests/scale_pcap.py" handshakes "$N" "$tmp/hs.pcap" || exit 1
ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --json --listen "127.0.0.1:$PORT" \
	--max-conns "$N" >"$tmp/got.jsonl" 2>"$tmp/err" &
WL=$!
PIDS+=($WL)
wait_file "$tmp/err" watching || { cat "$tmp/err"; exit 1; }

ip netns exec "$NS_C" tcpreplay -i "$VC" -q --topspeed "$tmp/hs.pcap" >"$tmp/replay.out" 2>&1
pps=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$tmp/replay.out")
n=600
while [ "$(wire_handshakes "$tmp/got.jsonl")" -lt "$N" ] && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
got=$(wire_handshakes "$tmp/got.jsonl")
sleep 11	# a connection sweep (every 10 s at the default idle timeout)
scrape() { ip netns exec "$NS_S" curl -s "http://127.0.0.1:$PORT/metrics"; }
value() { awk -v m="$1" '$1 == m {v = $2} END {print v + 0}'; }
m=$(scrape)
dropped=$(value wirelat_records_dropped_total <<<"$m")
entries=$(value 'wirelat_flow_table_entries{table="connections"}' <<<"$m")

# idle: N connections tracked, no packets
ticks() { awk '{print $14 + $15}' "/proc/$WL/stat"; }
t0=$(ticks)
sleep "$IDLE_S"
t1=$(ticks)
hz=$(getconf CLK_TCK)
cpu=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$IDLE_S" 'BEGIN {printf "%.2f", 100 * (b - a) / hz / s}')
t0=$(date +%s%N); scrape >/dev/null; t1=$(date +%s%N)
scrape_ms=$(( (t1 - t0) / 1000000 ))

# kernel memory of the connection table, per entry
mem=$(bpftool -j map show | $PY -c 'import json, sys
for m in json.load(sys.stdin):
    if m.get("name") == "conns" and m.get("max_entries") == int(sys.argv[1]):
        print(m["bytes_memlock"], m["max_entries"]); break' "$N")
read -r memlock maxe <<<"$mem"

printf '%-44s %s\n' "handshakes replayed (tcpreplay --topspeed)" "$N at ${pps:-?} packets/s"
printf '%-44s %s\n' "records delivered / dropped" "$got / $dropped"
printf '%-44s %s\n' "connections tracked (table entries)" "$entries"
printf '%-44s %s\n' "idle with them, CPU of the daemon" "$cpu% over $IDLE_S s"
printf '%-44s %s\n' "scrape latency (GET /metrics)" "$scrape_ms ms"
printf '%-44s %s\n' "connection table, kernel memory" "${memlock:-?} B for ${maxe:-?} entries: $(( ${memlock:-0} / ${maxe:-1} )) B each"
kill -INT $WL; wait $WL 2>/dev/null
rm -f "$tmp/hs.pcap"

# a flood of N spoofed SYNs over 1000 established connections
$PY "$ROOT/tests/scale_pcap.py" flood 1000 "$N" 1000 "$tmp/flood.pcap" || exit 1
ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --json --listen "127.0.0.1:$PORT" \
	>"$tmp/flood.jsonl" 2>"$tmp/err" &
WL=$!
PIDS+=($WL)
wait_file "$tmp/err" watching || { cat "$tmp/err"; exit 1; }
ip netns exec "$NS_C" tcpreplay -i "$VC" -q --topspeed "$tmp/flood.pcap" >"$tmp/replay.out" 2>&1
pps=$(sed -n 's/.*Rated: [0-9.]* Bps, [0-9.]* Mbps, \([0-9.]*\) pps.*/\1/p' "$tmp/replay.out")
n=300
while [ "$(wire_handshakes "$tmp/flood.jsonl")" -lt 2000 ] && [ $n -gt 0 ]; do
	sleep 0.1
	n=$((n - 1))
done
sleep 1.5	# a sweep counts the handshake table
m=$(scrape)
kill -INT $WL; wait $WL 2>/dev/null
survived=$(grep '"type":"tcp_close"' "$tmp/flood.jsonl" | grep '"reason":"fin"' | grep -c '"midstream":false,"segments_c2s":2,"segments_s2c":2')
after=$(wire_handshakes "$tmp/flood.jsonl")
printf '%-44s %s\n' "SYN flood (tcpreplay --topspeed)" "$N spoofed SYNs at ${pps:-?} packets/s"
printf '%-44s %s\n' "handshake table: entries / capacity / evicted" "$(value 'wirelat_flow_table_entries{table="handshakes"}' <<<"$m") / $(value 'wirelat_flow_table_capacity{table="handshakes"}' <<<"$m") / $(value 'wirelat_flow_table_evictions_total{table="handshakes"}' <<<"$m")"
printf '%-44s %s\n' "established before the flood, closed intact" "$survived of 1000"
printf '%-44s %s\n' "handshakes measured (1000 before, 1000 after)" "$after of 2000"

# A DNS flood, offline (deterministic; tests/test_dns_flood.sh is its
# scaled-down check): N queries never answered (random IDs, a socket
# each), forged answers to the last N/100 (the query's ID and socket, from
# another server address or port), 1000 queries answered in 5 ms, the
# capture ending 1 s later with the flood pending; default tables
DNS_N=${DNS_FLOOD_N:-$N}
$PY "$ROOT/tests/scale_pcap.py" dnsflood "$DNS_N" $((DNS_N / 100)) 1000 "$tmp/dns.pcap" || exit 1
t0=$(date +%s%N)
"$WIRELAT" -r "$tmp/dns.pcap" --json --dns-port 53 --dns-port 5353 -j 1 \
	--metrics-out "$tmp/dns.prom" >"$tmp/dns.jsonl" 2>"$tmp/dns.err" || { cat "$tmp/dns.err"; exit 1; }
t1=$(date +%s%N)
m=$(cat "$tmp/dns.prom")
$PY - "$tmp/dns.jsonl" "$DNS_N" $((DNS_N / 100)) "$(value 'wirelat_flow_table_evictions_total{table="dns"}' <<<"$m")" \
	"$(value 'wirelat_dns_unsolicited_responses_total{interface="pcap"}' <<<"$m")" \
	"$(value 'wirelat_flow_table_entries{table="dns"}' <<<"$m") / $(value 'wirelat_flow_table_capacity{table="dns"}' <<<"$m")" \
	$((t1 - t0)) <<'PY'
import json, sys
path, n, forged, ev, unsol, fill, secs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    int(sys.argv[4]), int(sys.argv[5]), sys.argv[6], int(sys.argv[7]) / 1e9
ans = exact = eof = to = 0
for line in open(path):
    r = json.loads(line)
    if r["type"] == "dns":
        ans += 1
        exact += r["latency_ns"] == 5000000 and r["qname"].endswith("after.example")
    elif r["type"] == "dns_timeout":
        eof += r["reason"] == "eof"
        to += r["reason"] != "eof"
row = lambda k, v: print("%-44s %s" % (k, v))
row("DNS flood (offline, -j 1)", "%d queries never answered, %d forged answers: %.2f s" % (n, forged, secs))
row("dns table: entries / capacity", fill)
row("queries: answered + timeout + eof + evicted", "%d + %d + %d + %d = %d of %d%s" % (
    ans, to, eof, ev, ans + to + eof + ev, n + 1000, "" if ans + to + eof + ev == n + 1000 else " (MISMATCH)"))
row("forged answers: completed / unsolicited", "%d / %d of %d" % (ans - exact, unsol, forged))
row("answered after the flood, exact (5 ms)", "%d of 1000" % exact)
PY
