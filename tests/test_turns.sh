#!/usr/bin/env bash
# Where the time goes, offline: request/response turns of a generated
# capture with known think times and a known server-side RTT
# (tests/turns_gen.py): keep-alive requests, a request in two segments, a
# response in several, a pipelined stretch (no turn), a server that speaks
# first (no turn), a server streaming while its client sends requests (no
# turn for those), a retransmitted request and a connection seen
# mid-stream. Every tcp_close's turns, response min/avg/max and server
# time equal the truth to the nanosecond; the histograms
# wirelat_tcp_response_seconds and wirelat_tcp_server_time_seconds hold
# exactly those turns, and wirelat_server_time_seconds per server too;
# DNS servers with a flat baseline and slow answers: their server time is
# exactly the slow answers' extra time.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
tmp=$(mktemp -d /tmp/wlturns.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
$PY "$ROOT/tests/turns_gen.py" "$tmp/t.pcap" "$tmp/t.json" || { echo "FAIL: turns_gen.py"; exit 1; }
"$WIRELAT" -r "$tmp/t.pcap" --json --metrics-out "$tmp/t.prom" >"$tmp/t.jsonl" 2>"$tmp/err" ||
	{ echo "FAIL: wirelat -r: $(cat "$tmp/err")"; exit 1; }
$PY - "$tmp" <<'PY' || exit 1
import json, re, sys
tmp = sys.argv[1]
truth = json.load(open(tmp + "/t.json"))
recs = [json.loads(l) for l in open(tmp + "/t.jsonl")]
closes = {str(r["client_port"]): r for r in recs if r["type"] == "tcp_close"}
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + what)
    bad += not cond
resp, srv = [], []
dns_truth = truth.pop("dns_servers")
for port, exp in sorted(truth.items()):
    r = closes.get(port)
    if not r:
        check(False, "%s: no tcp_close" % port)
        continue
    if exp["turns"] == 0:
        check("turns" not in r and "server_time_avg_ns" not in r, "%s: no turn, no turn fields" % port)
        continue
    got = {k: r.get(k) for k in exp}
    check(got == exp, "%s: %s" % (port, got if got == exp else "got %s, want %s" % (got, exp)))
m = {}
for line in open(tmp + "/t.prom"):
    mm = re.match(r'^(wirelat_tcp_(?:response|server_time)_seconds_(?:count|sum))\{interface="pcap"\} (\S+)$', line)
    if mm:
        m[mm.group(1)] = float(mm.group(2))
n = sum(e["turns"] for e in truth.values())
rs = sum(e["turns"] * e.get("response_avg_ns", 0) for e in truth.values()) / 1e9
ss = sum(e["turns"] * e.get("server_time_avg_ns", 0) for e in truth.values()) / 1e9
check(m.get("wirelat_tcp_response_seconds_count") == n and abs(m.get("wirelat_tcp_response_seconds_sum", 0) - rs) < 1e-6,
      "wirelat_tcp_response_seconds: %s turns, %.6f s (truth %d, %.6f s)" %
      (m.get("wirelat_tcp_response_seconds_count"), m.get("wirelat_tcp_response_seconds_sum", 0), n, rs))
check(m.get("wirelat_tcp_server_time_seconds_count") == n and abs(m.get("wirelat_tcp_server_time_seconds_sum", 0) - ss) < 1e-6,
      "wirelat_tcp_server_time_seconds: %s turns, %.6f s (truth %d, %.6f s)" %
      (m.get("wirelat_tcp_server_time_seconds_count"), m.get("wirelat_tcp_server_time_seconds_sum", 0), n, ss))
# per server (the who-is-slow series): each connection's turns at their average
srv = {}
for line in open(tmp + "/t.prom"):
    mm = re.match(r'^wirelat_server_time_seconds_(count|sum)\{interface="pcap",server="([^"]+)"\} (\S+)$', line)
    if mm:
        srv.setdefault(mm.group(2), {})[mm.group(1)] = float(mm.group(3))
for port, exp in sorted(truth.items()):
    r = closes.get(port)
    # a server seen only mid-stream made no handshake, what ranks servers:
    # its turns are in "other" (the sum below)
    if not r or not exp["turns"] or r["midstream"]:
        continue
    key = "%s:%d" % (r["server_ip"], r["server_port"])
    got = srv.get(key, {})
    check(got.get("count") == exp["turns"] and
          abs(got.get("sum", 0) - exp["turns"] * exp["server_time_avg_ns"] / 1e9) < 1e-6,
          "wirelat_server_time_seconds{server=%s}: %s" % (key, got))
check(abs(sum(v.get("sum", 0) for v in srv.values()) - m.get("wirelat_tcp_server_time_seconds_sum", -1)) < 1e-6,
      "wirelat_server_time_seconds: the sum over server is the global series")
# DNS servers: a flat baseline and slow answers
dst = {}
for line in open(tmp + "/t.prom"):
    mm = re.match(r'^wirelat_dns_server_time_seconds_(count|sum)\{interface="pcap",server="([^"]+)"\} (\S+)$', line)
    if mm:
        dst.setdefault(mm.group(2), {})[mm.group(1)] = float(mm.group(3))
for k, t in sorted(dns_truth.items()):
    got = dst.get(k, {})
    check(got.get("count") == t["count"] and abs(got.get("sum", -1) * 1e9 - t["st_sum_ns"]) < 1e3,
          "DNS server %s: %s answers, server time %.6f s (truth %d, %.6f s)" %
          (k, got.get("count"), got.get("sum", -1), t["count"], t["st_sum_ns"] / 1e9))
sys.exit(1 if bad else 0)
PY
echo "all passed"
