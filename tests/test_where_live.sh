#!/usr/bin/env bash
# Where the time goes, live, with real kernels at both ends:
#   1. a real HTTP server (python3 http.server) in the server namespace whose
#      handler sleeps 10, 50 or 200 ms per request; a client in the other
#      namespace makes three keep-alive requests per sleep on one
#      connection each. wirelat watches the client's end. Per connection:
#      3 turns; server time within 1 ms of the server's own time as a
#      tcpdump of the server's end shows it (request in, response out:
#      the sleep plus Python's own overhead, 0.1-2 ms) and within 5 ms of
#      the sleep (a loaded machine delays Python more, never wirelat's
#      truth); response = server time + the server-side RTT it used.
#   2. dnsmasq answers names of fast.test itself and forwards slow.test to
#      the delayed responder (tests/dns_responder.py: "d50.slow.test"
#      waits 50 ms): after a few fast queries (the baseline), the server
#      time of a d50 and a d200 query, read from the growth of
#      wirelat_dns_server_time_seconds_sum, is within 1 ms of what the
#      server's end shows (its latency there less its fastest answer) and
#      within 10 ms of the added delay (a Python thread per answer).
#
# Network rules: lib.sh netns_pair (two namespaces made here, one veth
# pair, no route out, forwarding off, 198.51.100.0/24 only). The trap
# removes the namespaces and every process.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
netns_pair w 198.51.100.2 198.51.100.1 2001:db8:77::2 2001:db8:77::1

ip netns exec "$NS_S" "$PY" - 198.51.100.2 8080 >"$tmp/http.out" 2>&1 <<'PY' &
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"       # keep-alive
    def do_GET(self):
        time.sleep(int(self.path.strip("/").split("/")[-1]) / 1000.0)
        body = b"x" * 200
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H)
print("ready", flush=True)
srv.serve_forever()
PY
PIDS+=($!)
ip netns exec "$NS_S" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
	--listen-address=198.51.100.2 --interface="$VS" --except-interface=lo --port=53 \
	--user=root --group=root --local=/fast.test/ --address=/fast.test/203.0.113.10 \
	--server=/slow.test/198.51.100.2#5300 --no-negcache --cache-size=0 \
	--pid-file="$tmp/dnsmasq.pid" --log-facility=- 2>"$tmp/dnsmasq.log" &
PIDS+=($!)
ip netns exec "$NS_S" "$PY" "$ROOT/tests/dns_responder.py" 198.51.100.2 5300 >"$tmp/resp.out" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_C" "$WIRELAT" -i "$VC" --json >"$tmp/rec.jsonl" 2>"$tmp/wirelat.err" &
PIDS+=($!)
# the truth: the server's end, as tcpdump sees it
ip netns exec "$NS_S" tcpdump -i "$VS" -n -U -s 200 --time-stamp-precision=nano -w "$tmp/srv.pcap" \
	'port 8080 or port 53 or port 9' 2>"$tmp/tcpdump.err" &
PIDS+=($!)
wait_file "$tmp/http.out" ready && wait_file "$tmp/resp.out" ready && wait_file "$tmp/wirelat.err" watching &&
	wait_file "$tmp/tcpdump.err" 'listening on' ||
	{ echo "FAIL: servers or wirelat did not start: $(cat "$tmp/wirelat.err")"; exit 1; }

echo "--- 1. an HTTP server that thinks"
for ms in 10 50 200; do
	ip netns exec "$NS_C" "$PY" - "$ms" <<'PY' || fail "HTTP client, sleep $1"
import http.client, sys
c = http.client.HTTPConnection("198.51.100.2", 8080, timeout=10)
for _ in range(3):
    c.request("GET", "/sleep/" + sys.argv[1])
    r = c.getresponse()
    r.read()
print("port", c.sock.getsockname()[1], flush=True)
c.close()
PY
done >"$tmp/ports.txt"
# until the three connections are closed and reported
n=200
while [ $n -gt 0 ] && [ "$(grep -c '"type":"tcp_close".*"server_port":8080' "$tmp/rec.jsonl")" -lt 3 ]; do
	sleep 0.1
	n=$((n - 1))
done
barrier "$NS_C" 198.51.100.2 "$tmp/srv.pcap"
$PY - "$tmp/rec.jsonl" "$tmp/ports.txt" "$tmp/srv.pcap" <<'PY' || FAILS=$((FAILS + 1))
import json, subprocess, sys
ports = [int(l.split()[1]) for l in open(sys.argv[2]) if l.startswith("port")]
recs = [json.loads(l) for l in open(sys.argv[1])]
# at the server's end: request payload in, first response payload out
out = subprocess.run(["tshark", "-r", sys.argv[3], "-n", "-Y", "tcp.port == 8080", "-T", "fields",
                      "-e", "frame.time_epoch", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.len"],
                     capture_output=True, text=True, check=True).stdout
turns = {}
pending = {}
for line in out.splitlines():
    t, sp, dp, ln = line.split("\t")
    t, sp, dp, ln = float(t), int(sp), int(dp), int(ln or 0)
    if not ln:
        continue
    if dp == 8080:
        pending[sp] = t
    elif dp in pending:
        turns.setdefault(dp, []).append(t - pending.pop(dp))
bad = 0
for ms, port in zip((10, 50, 200), ports):
    hs = [r for r in recs if r["type"] == "tcp_handshake" and r["client_port"] == port]
    cl = [r for r in recs if r["type"] == "tcp_close" and r["client_port"] == port]
    if len(cl) != 1 or len(hs) != 1:
        print("FAIL: sleep %d ms: %d tcp_close, %d tcp_handshake records" % (ms, len(cl), len(hs)))
        bad += 1
        continue
    r, leg = cl[0], hs[0]["syn_to_synack_ns"]
    srv, resp = r.get("server_time_avg_ns", -1), r.get("response_avg_ns", -1)
    nic = turns.get(port, [])
    truth = sum(nic) / len(nic) * 1e9 if nic else -1e9
    ok = (r.get("turns") == 3 == len(nic) and abs(srv - truth) < 1e6 and
          abs(srv - ms * 1e6) < 5e6 and abs(resp - (srv + leg)) < 1e6)
    print("%s: sleep %d ms: %s turns, server time %.3f ms (at the server's end: %.3f ms), "
          "response %.3f ms = server time + server leg %.3f ms" %
          ("ok" if ok else "FAIL", ms, r.get("turns"), srv / 1e6, truth / 1e6, resp / 1e6, leg / 1e6))
    bad += not ok
sys.exit(1 if bad else 0)
PY

echo "--- 2. a DNS server that waits"
scrape() {
	ip netns exec "$NS_C" "$PY" -c 'import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9745/metrics", timeout=5).read().decode(), end="")' >"$tmp/m.txt"
}
SEL='{interface="'$VC'",server="198.51.100.2:53"}'
# st_after N: once N answers are in the server time histogram, its sum (ns)
st_after() {
	local n=200
	while [ $n -gt 0 ]; do
		scrape
		[ "$(metric_value "$tmp/m.txt" "wirelat_dns_server_time_seconds_count$SEL")" = "$1" ] && break
		sleep 0.1
		n=$((n - 1))
	done
	awk -v v="$(metric_value "$tmp/m.txt" "wirelat_dns_server_time_seconds_sum$SEL")" 'BEGIN { printf "%.0f", v * 1e9 }'
}
q() { ip netns exec "$NS_C" dig +tries=1 +time=3 @198.51.100.2 "$@" >/dev/null 2>&1; }
for i in 1 2 3 4 5; do q "h$i.fast.test" A; done
s0=$(st_after 5)
q d50.slow.test A
s1=$(st_after 6)
q d200.slow.test A
s2=$(st_after 7)
barrier "$NS_C" 198.51.100.2 "$tmp/srv.pcap"
# at the server's end: each query's latency there, less the fastest of the
# fast ones (the baseline on the server's side of the link)
read -r base d50 d200 <<<"$(tshark -r "$tmp/srv.pcap" -n -Y 'dns.flags.response == 1 && udp.srcport == 53' \
	-T fields -e dns.qry.name -e dns.time 2>/dev/null | awk '
	/fast\.test/ { if (!b || $2 < b) b = $2 }
	/^d50\./ { d50 = $2 } /^d200\./ { d200 = $2 }
	END { printf "%.0f %.0f %.0f", b * 1e9, d50 * 1e9, d200 * 1e9 }')"
for case in "50 $s0 $s1 $d50" "200 $s1 $s2 $d200"; do
	set -- $case
	d=$(( $3 - $2 ))
	want=$(( $4 - base ))
	[ $(( d > want - 1000000 && d < want + 1000000 && d > $1 * 1000000 - 1000000 && d < $1 * 1000000 + 10000000 )) = 1 ] &&
		ok "DNS: the d$1 query's server time $(awk -v d="$d" 'BEGIN {printf "%.3f", d / 1e6}') ms (at the server's end $(awk -v d="$want" 'BEGIN {printf "%.3f", d / 1e6}') ms; added delay $1 ms)" ||
		fail "DNS: the d$1 query's server time $d ns, at the server's end $want ns, added $1 ms"
done
[ "$s0" -lt 5000000 ] && ok "DNS: the baseline queries' server time $s0 ns (flat)" || fail "DNS: baseline server time $s0 ns"
keep_records where "$tmp/rec.jsonl" id	# the resolver picks random DNS IDs

[ $FAILS -eq 0 ] || { echo "$FAILS failed"; exit 1; }
echo "all passed"
