#!/usr/bin/env bash
# A DNS flood, offline (deterministic), scaled down from make bench's
# (tests/bench_scale.sh): twice --max-dns queries never answered (random
# IDs, a socket each), forged answers to the last 200 (the query's ID and
# client socket, from another server address or another server port:
# neither may complete one), 6 s later (the flood timed out: tombstones
# fill the table) 1000 ordinary queries answered in 5 ms, then another
# flood still pending when the capture ends 1 s later. Checked:
#  - the 1000 answered exactly (5 ms each), nothing else answered, the
#    forged answers counted unsolicited;
#  - every query accounted for exactly once: answered, timed out, eof
#    (DESIGN.md: pending work at end of file is reported), or evicted
#    while open: wirelat_flow_table_evictions_total{table="dns"} is
#    exactly queries - records (an LRU pushing out a tombstone, a query
#    already timed out or answered, is no eviction: counting those, as
#    inserts - deletes - entries did, gives more);
#  - the table bounded by --max-dns; eof records at the last packet's
#    time; two runs print the same lines.
# Then the same accounting for a SYN flood whose first half times out
# (tombstones) before the second half meets it (tests/scale_pcap.py
# synflood).
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/lib.sh

[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
tmp=$(mktemp -d /tmp/wl-dnsflood.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

MAX=4096 FLOOD=8192 FORGED=200 AFTER=1000
$PY tests/scale_pcap.py dnsflood $FLOOD $FORGED $AFTER "$tmp/f.pcap" 6 $FLOOD ||
	{ echo "FAIL: scale_pcap.py dnsflood"; exit 1; }
run() {
	"$WIRELAT" -r "$tmp/f.pcap" --json --max-dns $MAX --dns-port 53 --dns-port 5353 "$@"
}
run --metrics-out "$tmp/m.prom" >"$tmp/a.jsonl" 2>"$tmp/err" ||
	{ echo "FAIL: wirelat: $(head -3 "$tmp/err")"; exit 1; }
run >"$tmp/b.jsonl" 2>/dev/null
cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" && ok "two runs print the same lines" ||
	fail "two runs differ"

ev=$(metric_value "$tmp/m.prom" 'wirelat_flow_table_evictions_total{table="dns"}')
entries=$(metric_value "$tmp/m.prom" 'wirelat_flow_table_entries{table="dns"}')
unsol=$(metric_value "$tmp/m.prom" 'wirelat_dns_unsolicited_responses_total{interface="pcap"}')
$PY - "$tmp/a.jsonl" "$tmp/f.pcap" $((2 * FLOOD + AFTER)) $AFTER "$ev" "$entries" $MAX \
	"$unsol" $FORGED <<'PY' || FAILS=$((FAILS + 1))
import json, struct, sys
from datetime import datetime, timezone
path, pcap = sys.argv[1], sys.argv[2]
queries, after, ev, entries, mx, unsol, forged = map(int, sys.argv[3:])
recs = [json.loads(l) for l in open(path)]
ans = [r for r in recs if r["type"] == "dns"]
to = [r for r in recs if r["type"] == "dns_timeout"]
by = {}
for r in to:
    by[r["reason"]] = by.get(r["reason"], 0) + 1
bad = 0
def check(cond, msg):
    global bad
    print(("ok: " if cond else "FAIL: ") + msg)
    bad += not cond
check(len(ans) == after and all(r["latency_ns"] == 5000000 and r["qname"].endswith("after.example")
                                for r in ans),
      "%d answered queries, each 5 ms exactly (want %d)" % (len(ans), after))
check(unsol == forged, "forged answers (wrong server address or port): %d unsolicited, "
      "none completes a query (want %d)" % (unsol, forged))
check(ev + len(ans) + len(to) == queries,
      "every query once: %d answered + %d timed out + %d eof + %d evicted open == %d queries"
      % (len(ans), by.get("timeout", 0), by.get("eof", 0), ev, queries))
check(by.get("eof", 0) > 0 and by.get("timeout", 0) > 0 and ev > 0,
      "the flood times out, is evicted and is still pending at end of file")
check(entries <= mx, "the table bounded: %d entries left, --max-dns %d" % (entries, mx))
# the last packet's time, from the pcap (nanosecond, one record after another)
with open(pcap, "rb") as f:
    f.read(24)
    last = 0
    while True:
        h = f.read(16)
        if len(h) < 16:
            break
        s, ns, cap, _ = struct.unpack("<IIII", h)
        f.seek(cap, 1)
        last = max(last, s * 10**9 + ns)
end = datetime.fromtimestamp(last // 10**9, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S") + \
    ".%06dZ" % (last % 10**9 // 1000)
eofs = [r for r in to if r["reason"] == "eof"]
check(all(r["ts"] == end for r in eofs), "eof records at the last packet's time (%s)" % end)
check(len({(r["client_ip"], r["client_port"], r["id"]) for r in eofs}) == len(eofs),
      "each pending query reported once")
sys.exit(1 if bad else 0)
PY
# The same rule for handshakes: twice --max-flows spoofed SYNs, 6 s later
# (timed out: tombstones kept for late SYN-ACKs) as many again, pending at
# end of file. Every SYN once: timeout + eof + evicted while open; the LRU
# pushing out the first flood's tombstones is no eviction.
$PY tests/scale_pcap.py synflood $FLOOD 6 $FLOOD "$tmp/s.pcap" ||
	{ echo "FAIL: scale_pcap.py synflood"; exit 1; }
"$WIRELAT" -r "$tmp/s.pcap" --json --max-flows $MAX --metrics-out "$tmp/s.prom" \
	>"$tmp/s.jsonl" 2>"$tmp/err" || { echo "FAIL: wirelat: $(head -3 "$tmp/err")"; exit 1; }
ev=$(metric_value "$tmp/s.prom" 'wirelat_flow_table_evictions_total{table="handshakes"}')
to=$(grep '"type":"tcp_handshake_failed"' "$tmp/s.jsonl" | grep -c '"reason":"timeout"')
eof=$(grep '"type":"tcp_handshake_failed"' "$tmp/s.jsonl" | grep -c '"reason":"eof"')
to_m=$(metric_value "$tmp/s.prom" 'wirelat_tcp_handshakes_total{interface="pcap",result="timeout"}')
[ $((to + eof + ev)) -eq $((2 * FLOOD)) ] && [ "$to" -gt 0 ] && [ "$eof" -gt 0 ] && [ "$ev" -gt 0 ] &&
	ok "every SYN once: $to timed out + $eof eof + $ev evicted open == $((2 * FLOOD))" ||
	fail "SYNs: $to timed out + $eof eof + $ev evicted, want $((2 * FLOOD)) (each > 0)"
[ "$to_m" = "$to" ] && ok "eof is not a result: wirelat_tcp_handshakes_total{result=\"timeout\"} $to_m" ||
	fail "timeout results $to_m, timeout records $to"

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
