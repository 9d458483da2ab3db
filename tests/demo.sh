#!/usr/bin/env bash
# wirelat demo: `sudo make demo [DURATION=seconds]` (or tests/demo.sh [SECONDS]).
#
# Two network namespaces joined by a veth pair:
#   wl-demo-c  the client: wirelat -i wld-c, curl, dig; /metrics on 127.0.0.1:9745
#   wl-demo-s  the server: an HTTP server (python3 -m http.server), dnsmasq
#              (example zone demo.test, missing names are NXDOMAIN), a DNS
#              responder on port 5300 that answers d50.* after 50 ms and
#              d200.* after 200 ms, and tcpreplay of captures from pcaps/
#              with slow handshakes, refused and retransmitted SYNs, and
#              slow and unanswered DNS
# and a slow server told from a slow path (where the time goes): a server
# that thinks (port 8081 answers after 150 ms on a fast path: server time
# high, network flat) and a slow path (a generated capture of a server
# 80 ms away that answers at once: network high, server time near 0); at
# the end, `wirelat top` splits each server's p99 into server and network.
# wirelat prints every record as it comes (human-readable lines); every 5 s
# a summary computed from /metrics (tests/metrics_summary.py) follows.
# Meanwhile, from another terminal:
#   sudo ip netns exec wl-demo-c curl -s 127.0.0.1:9745/metrics
# At the end of DURATION (default 60 s) or on Ctrl-C: a last summary, then
# wirelat detaches and the trap removes the namespaces (and so the veth
# pair), every process and the temporary directory; exit 0.
#
# Network rules: all traffic stays in the two namespaces; no default route,
# forwarding off; addresses from 198.51.100.0/24 and 2001:db8::/32; the
# replayed frames are addressed to other MACs, so the client's stack drops
# them after wirelat's XDP program has seen them.
#
# Environment: WIRELAT_BIN overrides the binary (default ./wirelat).
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -n "${WIRELAT_BIN:-}" ] && WIRELAT=$WIRELAT_BIN

DURATION=${1:-${DURATION:-60}}
NS_C=wl-demo-c
NS_S=wl-demo-s
VC=wld-c
VS=wld-s
C4=198.51.100.241 S4=198.51.100.242
C6=2001:db8:de::1 S6=2001:db8:de::2
EVERY=5

say() { printf 'demo: %s\n' "$*"; }
die() { say "$*" >&2; exit 1; }

case $DURATION in '' | *[!0-9]*) die "DURATION must be a number of seconds (got '$DURATION')" ;; esac
[ "$DURATION" -ge 5 ] || die "DURATION must be at least 5 seconds"
[ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, XDP): sudo make demo"
for t in ip tcpreplay curl dig dnsmasq; do
	command -v "$t" >/dev/null || die "$t is missing: run tests/deps.sh (sudo make deps)"
done
[ -x "$WIRELAT" ] || die "$WIRELAT is not built: run make"
for ns in "$NS_C" "$NS_S"; do
	if ip netns list | grep -qw "$ns"; then
		die "namespace $ns exists: another demo is running, or one was killed; remove it with: sudo ip netns del $NS_C; sudo ip netns del $NS_S"
	fi
done

tmp=$(mktemp -d /tmp/wl-demo.XXXXXX)
chmod 755 "$tmp"
NSS=()        # namespaces made here
PIDS=()       # background processes started here
WL_PID=
STOP=0

stop_wirelat() {
	local n=100
	[ -n "$WL_PID" ] || return 0
	kill -INT "$WL_PID" 2>/dev/null
	while kill -0 "$WL_PID" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	kill -KILL "$WL_PID" 2>/dev/null
	wait "$WL_PID" 2>/dev/null
	WL_RC=$?
	WL_PID=
}

cleanup() {
	local p ns left=""
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	stop_wirelat
	sleep 0.2
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	for ns in "${NSS[@]}"; do
		# anything still running in our namespaces was started by us
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
	for ns in "${NSS[@]}"; do ip netns list | grep -qw "$ns" && left+=" namespace $ns"; done
	if [ ${#NSS[@]} -gt 0 ]; then
		if [ -z "$left" ]; then
			say "removed namespaces ${NSS[*]} (with the veth pair $VC/$VS), their processes and $tmp"
		else
			say "could not remove:$left" >&2
		fi
	fi
}
trap cleanup EXIT
trap 'echo; exit 130' INT
trap 'exit 143' TERM

inC() { ip netns exec "$NS_C" "$@"; }
inS() { ip netns exec "$NS_S" "$@"; }

# ---------------------------------------------------------------- network
for ns in "$NS_S" "$NS_C"; do
	ip netns add "$ns" || die "cannot create namespace $ns"
	NSS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.default.forwarding=0 >/dev/null
	ip -n "$ns" link set lo up
done
ip link add "$VC" netns "$NS_C" type veth peer name "$VS" netns "$NS_S" || die "cannot create a veth pair"
inC ip addr add "$C4/24" dev "$VC"
inC ip addr add "$C6/64" dev "$VC" nodad
inS ip addr add "$S4/24" dev "$VS"
inS ip addr add "$S6/64" dev "$VS" nodad
inC ip link set "$VC" up
inS ip link set "$VS" up
for ns in "$NS_C" "$NS_S"; do
	[ -z "$(ip -n "$ns" route show default; ip -n "$ns" -6 route show default)" ] || die "$ns has a default route"
done

# ---------------------------------------------------------------- server side
mkdir -p "$tmp/www"
echo "hello from the wirelat demo" >"$tmp/www/index.html"
ip netns exec "$NS_S" "$PY" -m http.server 80 --bind :: --directory "$tmp/www" >"$tmp/http.log" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_S" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
	--listen-address="$S4" --listen-address="$S6" --except-interface=lo \
	--port=53 --user=root --group=root --pid-file="$tmp/dnsmasq.pid" \
	--local=/demo.test/ --address=/www.demo.test/"$S4" --address=/www.demo.test/"$S6" \
	--txt-record=txt.demo.test,"wirelat demo" --mx-host=demo.test,mail.demo.test,10 \
	--log-facility=- >"$tmp/dnsmasq.log" 2>&1 &
PIDS+=($!)
ip netns exec "$NS_S" "$PY" "$ROOT/tests/dns_responder.py" "$S4" 5300 >"$tmp/responder.log" 2>&1 &
PIDS+=($!)
# a server that thinks: 150 ms per request, on the fast veth path
ip netns exec "$NS_S" "$PY" - "$S4" 8081 >"$tmp/think.log" 2>&1 <<'PY' &
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        time.sleep(0.150)
        self.send_response(200)
        self.send_header("Content-Length", "6")
        self.end_headers()
        self.wfile.write(b"think\n")
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), H).serve_forever()
PY
PIDS+=($!)
# a slow path: a server 80 ms away that answers at once (generated capture)
"$PY" - "$ROOT/tests" "$tmp/slow-path.pcap" <<'PY' || die "cannot generate the slow-path capture"
import struct, sys
sys.path.insert(0, sys.argv[1])
from who_gen import tcp
T0, MS, C, S = 1_700_000_000 * 10**9, 10**6, "198.51.100.240", "203.0.113.99"
pkts, t = [], 0
for i in range(3):
    port, cs, ss = 45000 + i, 1000, 900000
    pkts += [(t, tcp(C, port, S, 80, cs, 0, 0x02)), (t + 80 * MS, tcp(S, 80, C, port, ss, cs + 1, 0x12)),
             (t + 80 * MS + 50000, tcp(C, port, S, 80, cs + 1, ss + 1, 0x10))]
    t += 81 * MS
    for _ in range(2):    # requests answered at once, 80 ms away
        pkts.append((t, tcp(C, port, S, 80, cs + 1, ss + 1, 0x18, b"GET / HTTP/1.1\r\n\r\n")))
        cs += 18
        pkts.append((t + 80 * MS, tcp(S, 80, C, port, ss + 1, cs + 1, 0x18, b"HTTP/1.1 200 OK\r\n\r\n")))
        ss += 19
        pkts.append((t + 80 * MS + 50000, tcp(C, port, S, 80, cs + 1, ss + 1, 0x10)))
        t += 100 * MS
    pkts += [(t, tcp(C, port, S, 80, cs + 1, ss + 1, 0x11)), (t + 80 * MS, tcp(S, 80, C, port, ss + 1, cs + 2, 0x11)),
             (t + 80 * MS + 50000, tcp(C, port, S, 80, cs + 2, ss + 2, 0x10))]
    t += 200 * MS
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
    for ts, fr in sorted(pkts, key=lambda p: p[0]):
        f.write(struct.pack("<IIII", (T0 + ts) // 10**9, (T0 + ts) % 10**9, len(fr), len(fr)))
        f.write(fr)
PY

# ---------------------------------------------------------------- wirelat
# in a session of its own: a Ctrl-C on the terminal reaches this script,
# which then prints a last summary from /metrics and stops wirelat itself
: >"$tmp/records.txt"
ip netns exec "$NS_C" setsid "$WIRELAT" -i "$VC" --dns-port 53 --dns-port 5300 --listen 127.0.0.1:9745 \
	>"$tmp/records.txt" 2>"$tmp/wirelat.err" &
WL_PID=$!
for _ in $(seq 100); do
	grep -q '^wirelat: watching' "$tmp/wirelat.err" && break
	kill -0 "$WL_PID" 2>/dev/null || break
	sleep 0.1
done
if ! grep -q '^wirelat: watching' "$tmp/wirelat.err"; then
	cat "$tmp/wirelat.err" >&2
	die "wirelat did not start"
fi
for _ in $(seq 50); do
	grep -q ready "$tmp/responder.log" && inC curl -s -o /dev/null "http://$S4/" && break
	sleep 0.1
done

cat <<EOF
demo: namespaces $NS_C (client, wirelat on $VC) and $NS_S (server); $(sed -n 's/^wirelat: //p' "$tmp/wirelat.err" | head -1)
demo: metrics, from another terminal:  sudo ip netns exec $NS_C curl -s 127.0.0.1:9745/metrics
demo: live traffic (curl, dig) and replayed captures for $DURATION s; Ctrl-C ends it early
EOF

# records as they come
tail -n +1 -s 0.2 -f "$tmp/records.txt" &
TAIL_PID=$!
PIDS+=("$TAIL_PID")

# live traffic from the client: HTTP over IPv4 and IPv6, a closed port
# (refused), DNS over UDP and TCP, NXDOMAIN, slow answers (50/200 ms)
cat >"$tmp/live.sh" <<EOF
q() { dig +tries=1 +time=2 "\$@" >/dev/null 2>&1; }
i=0
while :; do
	curl -s -o /dev/null --max-time 2 http://$S4/
	curl -s -o /dev/null --max-time 2 -g "http://[$S6]/"
	q @$S4 www.demo.test A
	q @$S4 nosuch.demo.test A
	q @$S6 www.demo.test AAAA
	q @$S4 +tcp demo.test MX
	q @$S4 -p 5300 d50.slow.demo.test A
	[ \$((i % 3)) -eq 0 ] && curl -s -o /dev/null --max-time 2 http://$S4:81/
	[ \$((i % 3)) -eq 1 ] && q @$S4 -p 5300 d200.slow.demo.test A
	[ \$((i % 3)) -eq 2 ] && q @$S4 missing.demo.test TXT
	curl -s -o /dev/null --max-time 2 http://$S4:8081/think
	i=\$((i + 1))
	sleep 1
done
EOF
ip netns exec "$NS_C" bash "$tmp/live.sh" &
PIDS+=($!)

# replayed captures into the client's interface, again and again
cat >"$tmp/replay.sh" <<EOF
while :; do
	tcpreplay -q -i $VS "$tmp/slow-path.pcap" >/dev/null 2>&1
	for f in tcp-ipv4 tcp-refused tcp-syn-retransmit dns-udp-edge; do
		tcpreplay -q -i $VS "$ROOT/pcaps/\$f.pcap" >/dev/null 2>&1
	done
done
EOF
ip netns exec "$NS_S" bash "$tmp/replay.sh" &
PIDS+=($!)

ip netns exec "$NS_C" "$PY" "$ROOT/tests/metrics_summary.py" --every "$EVERY" http://127.0.0.1:9745/metrics \
	>"$tmp/summary.txt" 2>&1 &
PIDS+=($!)

# ---------------------------------------------------------------- run
trap 'STOP=1' INT TERM
end=$((SECONDS + DURATION))
printed=0
while [ "$STOP" -eq 0 ] && [ $SECONDS -lt $end ]; do
	sleep 0.5
	# summaries go through the same terminal as the records, whole blocks
	if [ -s "$tmp/summary.txt" ]; then
		n=$(wc -l <"$tmp/summary.txt")
		if [ "$n" -gt "$printed" ]; then
			sed -n "$((printed + 1)),${n}p" "$tmp/summary.txt"
			printed=$n
		fi
	fi
	kill -0 "$WL_PID" 2>/dev/null || { say "wirelat exited:"; cat "$tmp/wirelat.err" >&2; STOP=2; }
done
trap 'exit 130' INT
trap 'exit 143' TERM
[ "$STOP" -eq 1 ] && { echo; say "interrupted: stopping"; }

# the traffic stops; what is left in flight is reported; a last summary
for p in "${PIDS[@]}"; do [ "$p" = "$TAIL_PID" ] || kill -TERM "$p" 2>/dev/null; done
sleep 1
if [ -n "$WL_PID" ] && kill -0 "$WL_PID" 2>/dev/null; then
	inC "$PY" "$ROOT/tests/metrics_summary.py" http://127.0.0.1:9745/metrics
	say "where the time goes (wirelat top): a server that thinks ($S4:8081: SRV P99 high, NETWORK low)"
	say "and a slow path (203.0.113.99:80, replayed: NETWORK high, SRV P99 near 0)"
	inC "$WIRELAT" top --from http://127.0.0.1:9745 --rows 1000 |
		grep -E "^SERVER|^$S4:8081 |^203\.0\.113\.99:80 " | sed 's/^/  /'
	stop_wirelat
	if [ "${WL_RC:-1}" -eq 0 ]; then
		say "wirelat detached and exited 0"
	else
		say "wirelat exited ${WL_RC:-?}: $(grep -v '^wirelat: watching' "$tmp/wirelat.err" | head -3)" >&2
	fi
fi
sleep 0.5
kill -TERM "$TAIL_PID" 2>/dev/null
wait "$TAIL_PID" 2>/dev/null
hs=$(grep -c ' tcp_handshake ' "$tmp/records.txt")
fl=$(grep -c ' tcp_handshake_failed ' "$tmp/records.txt")
dn=$(grep -c ' dns ' "$tmp/records.txt")
dt=$(grep -c ' dns_timeout ' "$tmp/records.txt")
say "records: $hs tcp_handshake, $fl tcp_handshake_failed, $dn dns, $dt dns_timeout"
[ "$STOP" -ne 2 ] && [ "${WL_RC:-1}" -eq 0 ] && [ "$hs" -gt 0 ] && [ "$dn" -gt 0 ]
