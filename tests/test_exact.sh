#!/usr/bin/env bash
# What a handshake gives its connection, offline and exact (pcaps/tcp-exact.pcap, written by
# pcaps/gen.py, whose --expected holds every record to the nanosecond): the SYN's and the
# SYN-ACK's TSvals start RTT samples; SYN and SYN-ACK retransmissions are the handshake's, never
# the connection's; a timed-out attempt resumes with its ISN up to 130 s after its first SYN,
# not after; an echo 10 s after a sample answers nothing; a SYN from the server's side is a
# new attempt; a TCP Fast Open SYN-ACK (ack = ISN + 1 + the SYN's data) completes; SYN-ACKs
# that never reach the client (its SYN again after them) end in a timeout at its deadline;
# SYN-ACKs after the client's ACK (a full accept queue, pcaps/tcp-accept-queue.pcap) are the
# connection's accept_queue_drops, and a request they held back counts its turn from its first
# payload. DNS (pcaps/dns-exact.pcap): two questions on one tuple and ID are two transactions
# (UDP and TCP), a third question is a mismatch; an ICMP error ends the query whose question
# it quotes, or, quoting less (the DNS ID only, or 8 bytes of UDP as RFC 792 routers do), every
# query pending on its tuple (and ID), in the order they were sent. wirelat's records must equal gen.py's expectations field for field (and so
# tests/truth.py's, which test_offline checks), and on this capture and tcp-rtt.pcap, where
# every sample belongs to a connection, wirelat_tcp_rtt_seconds must hold exactly the samples
# of the tcp_close records, side by side (count, and sum to the records' averages' rounding).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
tmp=$(mktemp -d /tmp/wlexact.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# the committed captures are the ones gen.py writes
if ! $PY "$ROOT/pcaps/gen.py" "$tmp/gen" >/dev/null 2>"$tmp/gen.err"; then
	fail "pcaps/gen.py: $(tail -1 "$tmp/gen.err")"
else
	for f in tcp-exact.pcap tcp-accept-queue.pcap dns-exact.pcap; do
		if cmp -s "$tmp/gen/$f" "$ROOT/pcaps/$f"; then
			ok "pcaps/$f is what pcaps/gen.py writes"
		else
			fail "pcaps/$f differs from what pcaps/gen.py writes"
		fi
	done
fi
$PY "$ROOT/pcaps/gen.py" --expected >"$tmp/expected.json" || { echo "FAIL: gen.py --expected"; exit 1; }

# gen.py's records of FILE as a truth file for check_records.py
expected_of() {
	$PY - "$tmp/expected.json" "$1" <<'PY'
import json, sys
e = [x for x in json.load(open(sys.argv[1])) if x["file"] == sys.argv[2]][0]
for r in e["records"]:
    print(json.dumps({k: v for k, v in r.items() if k not in ("label", "ts")}))
c = {k: 0 for k in ("completed", "refused", "aborted", "unreachable", "timeout",
                    "unobserved", "late")}
c.update(e["results"])
c.update({"close_" + k: 0 for k in ("fin", "rst", "timeout", "reused", "eof")})
c.update({"close_" + k: v for k, v in e.get("close_counts", {}).items()})
c["challenge_acks"] = e.get("challenge_acks", 0)
c["accept_queue_drops"] = e.get("accept_queue_drops", 0)
c.update(e.get("dns_counts", {}))
c["type"] = "_counts"
print(json.dumps(c))
PY
}

for f in tcp-exact.pcap tcp-accept-queue.pcap dns-exact.pcap; do
	expected_of "$f" >"$tmp/$f.truth"
	if "$WIRELAT" -r "$ROOT/pcaps/$f" --json --metrics-out "$tmp/$f.prom" >"$tmp/$f.got" 2>"$tmp/err"; then
		if $PY "$ROOT/tests/check_records.py" --truth "$tmp/$f.truth" --got "$tmp/$f.got" \
			--ifname pcap --strict --close --dns --label "$f (gen.py --expected)" \
			--got-counts "$(metrics_counts "$tmp/$f.prom")" >"$tmp/$f.cmp" 2>&1; then
			ok "$(tail -1 "$tmp/$f.cmp")"
		else
			cat "$tmp/$f.cmp"
			fail "$f: records differ from gen.py --expected"
		fi
	else
		fail "wirelat -r $f: $(head -1 "$tmp/err")"
	fi
done

# A full accept queue (tcp-accept-queue.pcap): a request pending when the server's SYN-ACK came
# again after the ACK counts its turn from its first payload; the server series count the drops
f=tcp-accept-queue.pcap
if out=$($PY - "$tmp/$f.truth" "$tmp/$f.got" "$tmp/$f.prom" <<'PY'
import json, re, sys
want = {r["client_port"]: r for r in map(json.loads, open(sys.argv[1]))
        if r.get("type") == "tcp_close"}
got = {r["client_port"]: r for r in map(json.loads, open(sys.argv[2]))
       if r["type"] == "tcp_close"}
bad = []
for port, w in sorted(want.items()):
    for k in ("accept_queue_drops", "turns", "response_min_ns", "response_max_ns"):
        if got.get(port, {}).get(k) != w[k]:
            bad.append("%d %s: %s, want %s" % (port, k, got.get(port, {}).get(k), w[k]))
per_server = {}
for line in open(sys.argv[3]):
    m = re.match(r'^wirelat_server_accept_queue_drops_total\{interface="pcap",server="([^"]+)"\} (\S+)$', line)
    if m:
        per_server[m.group(1)] = int(float(m.group(2)))
for w in want.values():
    srv = ("[%s]:%d" if ":" in w["server_ip"] else "%s:%d") % (w["server_ip"], w["server_port"])
    if per_server.get(srv) != w["accept_queue_drops"]:
        bad.append("wirelat_server_accept_queue_drops_total{server=%s} %s, want %d" %
                   (srv, per_server.get(srv), w["accept_queue_drops"]))
print("; ".join(bad) or "accept_queue_drops %s, first turns %s ns" % (
    [w["accept_queue_drops"] for _, w in sorted(want.items())],
    [w["response_max_ns"] for _, w in sorted(want.items())]))
sys.exit(1 if bad else 0)
PY
); then
	ok "$f: accept_queue_drops, the first turn from the held request, the server series: $out"
else
	fail "$f: $out"
fi

# the RTT histograms hold exactly the records' samples
for f in tcp-exact.pcap tcp-rtt.pcap; do
	"$WIRELAT" -r "$ROOT/pcaps/$f" --json --metrics-out "$tmp/h.prom" >"$tmp/h.got" 2>/dev/null
	if out=$($PY - "$tmp/h.got" "$tmp/h.prom" <<'PY'
import json, re, sys
n = {"server": 0, "client": 0}
lo = {"server": 0, "client": 0}
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["type"] != "tcp_close":
        continue
    for side in n:
        k = r.get("rtt_%s_samples" % side, 0)
        n[side] += k
        lo[side] += k * r.get("rtt_%s_avg_ns" % side, 0)    # avg is truncated: sum >= this
h = {}
for line in open(sys.argv[2]):
    m = re.match(r'^wirelat_tcp_rtt_seconds_(count|sum)\{interface="pcap",side="(\w+)"\} (\S+)$', line)
    if m:
        h.setdefault(m.group(2), {})[m.group(1)] = float(m.group(3))
bad = []
for side in n:
    c, s = h.get(side, {}).get("count"), h.get(side, {}).get("sum", -1) * 1e9
    if c != n[side] or not (lo[side] - 2 <= s <= lo[side] + n[side] + 2):
        bad.append("%s: histogram %s samples %.0f ns, records %d samples >= %d ns" %
                   (side, c, s, n[side], lo[side]))
print("; ".join(bad) or "server %d, client %d samples" % (n["server"], n["client"]))
sys.exit(1 if bad else 0)
PY
	); then
		ok "$f: wirelat_tcp_rtt_seconds holds the records' samples: $out"
	else
		fail "$f: $out"
	fi
done

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
