#!/usr/bin/env bash
# Offline, the flow tables are sized to what the file can open (load.c,
# table_size(): a frame of a file of S bytes opens at most one handshake,
# and such a frame takes 56 bytes at least: S / 56 plus the LRU's slack),
# not to the sizes asked, which made the kernel fill 150 MB of tables
# before a small capture's first packet. That must never cost a record:
# the tightest capture there is, 20000 raw-IP SYNs of 40 bytes (56 bytes a
# frame in the file: a bound that assumed more would size the table below
# 20000 and evict): every handshake is still pending at the end of the
# file (20000 `eof` records), none evicted, with one thread and two; the
# capacity reported is the asked one. The same file with --max-flows 10000 must evict (the metric sees
# evictions: a bound too small would show here as one).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
N=20000

$PY - "$N" "$tmp/syn.pcap" <<'PY' || exit 1
import struct, sys

n, out = int(sys.argv[1]), sys.argv[2]
with open(out, 'wb') as f:
    # pcap, microseconds, LINKTYPE_RAW: no link header, the least a frame
    f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i in range(n):
        src = bytes([198, 51, 100, 1 + i // 50000])
        # no checksums: wirelat reads none (offloads leave them unset)
        ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 40, i & 0xffff, 0, 64, 6,
                         0, src, bytes([203, 0, 113, 1]))
        tcp = struct.pack('!HHIIBBHHH', 10000 + i % 50000, 443, 1000 + i, 0,
                          5 << 4, 0x02, 65535, 0, 0)
        f.write(struct.pack('<IIII', 1700000000, i, 40, 40) + ip + tcp)
PY

for j in 1 2; do
	"$WIRELAT" -r "$tmp/syn.pcap" --json -j "$j" --metrics-out "$tmp/m$j" \
		>"$tmp/out$j" 2>"$tmp/err$j" || { fail "-j $j exited $?: $(head -1 "$tmp/err$j")"; continue; }
	eof=$(grep -c '"type":"tcp_handshake_failed".*"reason":"eof"' "$tmp/out$j")
	ev=$(metric_value "$tmp/m$j" 'wirelat_flow_table_evictions_total{table="handshakes"}')
	cap=$(metric_value "$tmp/m$j" 'wirelat_flow_table_capacity{table="handshakes"}')
	if [ "$eof" != "$N" ]; then
		fail "-j $j: $eof of $N pending handshakes reported at end of file"
	elif [ "$ev" != 0 ]; then
		fail "-j $j: $ev handshakes evicted from a table asked for 65536"
	elif [ "$cap" != 65536 ]; then
		fail "-j $j: capacity reported $cap, asked 65536"
	else
		ok "-j $j: $N of $N pending handshakes at end of file, 0 evicted, capacity 65536"
	fi
done

"$WIRELAT" -r "$tmp/syn.pcap" --max-flows 10000 --metrics-out "$tmp/m3" \
	>/dev/null 2>"$tmp/err3" || fail "--max-flows 10000 exited $?: $(head -1 "$tmp/err3")"
ev=$(metric_value "$tmp/m3" 'wirelat_flow_table_evictions_total{table="handshakes"}')
if [ "$ev" -gt 0 ]; then
	ok "--max-flows 10000: $ev evicted"
else
	fail "--max-flows 10000: no eviction counted for $N SYNs"
fi

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
