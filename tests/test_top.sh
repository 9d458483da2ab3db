#!/usr/bin/env bash
# `wirelat top`: after a live replay, the slowest domain and the slowest
# server are listed first.
#
# A generated capture (DNS to three registrable domains, one answered in
# 250 ms, the others in 5 and 40 ms; handshakes to three servers, one
# answering its SYNs in 200 ms) is replayed with tcpreplay through a veth
# pair into a namespace where wirelat watches. Once /metrics holds every
# transaction, `wirelat top --from` runs on a terminal (tmux, capture-pane:
# a redrawn screen; the domain is the registrable one, example.co.uk) and
# through a pipe (plain text, printed once); then
# `wirelat top -r` on the capture itself. wirelat itself runs on a terminal
# (script's pty): its summary line names the slowest server and DNS server
# with their server and network parts.
#
# Network rules: lib.sh netns_pair (two namespaces made here, one veth
# pair, no route out, forwarding off, 198.51.100.0/24 and 203.0.113.0/24
# only). The trap kills the tmux session, every process and removes the
# namespaces.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
command -v tmux >/dev/null || { echo "FAIL: tmux missing (tests/deps.sh installs it)"; exit 1; }
netns_pair t 198.51.100.2 198.51.100.1 2001:db8:7::2 2001:db8:7::1
TMUX_S=wltop$$
cleanup_top() {
	tmux kill-session -t "$TMUX_S" 2>/dev/null
	netns_pair_cleanup
}
trap cleanup_top EXIT

# the capture: N_DNS queries and N_TCP handshakes over 3 s
$PY - "$ROOT/tests" "$tmp/top.pcap" <<'PY'
import random, struct, sys
sys.path.insert(0, sys.argv[1])
from who_gen import tcp, udp, dns_msg
rng = random.Random(3)
T0 = 1_700_000_000 * 10**9
pkts = []
doms = [("fast.example.com", 5), ("mid.example.org", 40), ("slow.example.co.uk", 250)]
srvs = [("203.0.113.10", 443, 2), ("203.0.113.11", 443, 20), ("203.0.113.12", 8443, 200)]
port = 30000
for i in range(60):
    t = T0 + i * 50 * 10**6
    name, ms = doms[i % 3]
    port += 1
    q = "h%d.%s" % (rng.randint(0, 9), name)
    pkts.append((t, udp("198.51.100.1", port, "198.51.100.53", 53, dns_msg(i + 1, q))))
    pkts.append((t + ms * 10**6, udp("198.51.100.53", 53, "198.51.100.1", port, dns_msg(i + 1, q, True))))
    sip, sport, sms = srvs[i % 3]
    port += 1
    isn, sisn = rng.getrandbits(31), rng.getrandbits(31)
    pkts.append((t, tcp("198.51.100.1", port, sip, sport, isn, 0, 0x02)))
    pkts.append((t + sms * 10**6, tcp(sip, sport, "198.51.100.1", port, sisn, isn + 1, 0x12)))
    pkts.append((t + sms * 10**6 + 10**5, tcp("198.51.100.1", port, sip, sport, isn + 1, sisn + 1, 0x10)))
pkts.sort(key=lambda p: p[0])
with open(sys.argv[2], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
    for ts, frame in pkts:
        f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(frame), len(frame)))
        f.write(frame)
PY
[ -s "$tmp/top.pcap" ] || { echo "FAIL: cannot generate the capture"; exit 1; }

# on a terminal (script's pty): readable records and a summary line a second
ip netns exec "$NS_S" script -qfec "$WIRELAT -i $VS --summary-interval 1s" "$tmp/tty.txt" \
	>/dev/null 2>&1 </dev/null &
PIDS+=($!)
disown $!	# killed by the trap: no job notice
wait_file "$tmp/tty.txt" 'watching' || { echo "FAIL: wirelat did not start: $(cat "$tmp/tty.txt")"; exit 1; }
ip netns exec "$NS_C" tcpreplay -i "$VC" -q "$tmp/top.pcap" >"$tmp/replay.out" 2>&1 ||
	{ echo "FAIL: tcpreplay: $(tail -3 "$tmp/replay.out")"; exit 1; }

# until /metrics holds all 60 answers and 60 handshakes (20 s at most)
scrape() {
	ip netns exec "$NS_S" "$PY" -c 'import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9745/metrics", timeout=5).read().decode(), end="")' >"$tmp/m.txt" 2>/dev/null
}
n=200
while [ $n -gt 0 ]; do
	scrape
	[ "$(metric_value "$tmp/m.txt" "wirelat_dns_response_seconds_count{interface=\"$VS\",rcode=\"NOERROR\"}")" = 60 ] &&
		[ "$(metric_value "$tmp/m.txt" "wirelat_tcp_handshake_seconds_count{interface=\"$VS\"}")" = 60 ] && break
	sleep 0.1
	n=$((n - 1))
done
[ $n -gt 0 ] && ok "wirelat measured the 60 queries and 60 handshakes" ||
	fail "wirelat measured fewer than 60 queries and 60 handshakes: $(grep -c ' dns ' "$tmp/tty.txt") dns, $(grep -c ' tcp_handshake ' "$tmp/tty.txt") tcp_handshake records"

# the summary line names the slowest server and DNS server, split
n=100
until grep -q 'slowest server 203\.0\.113\.12:8443 server .* network .*slowest DNS server 198\.51\.100\.53:53 server' "$tmp/tty.txt" ||
	[ $n -eq 0 ]; do sleep 0.1; n=$((n - 1)); done
line=$(grep -a 'slowest server' "$tmp/tty.txt" | tail -1 | tr -d '\r')
[ $n -gt 0 ] && ok "summary line: ${line#*| slowest}" || fail "summary line: '$line'"

# first_row FILE TITLE: the first row under the table headed TITLE
first_row() {
	awk -v t="$2" '$0 ~ "^"t" " {getline; print $1; exit}' "$1"
}
check_view() { # FILE WHAT
	local d s
	d=$(first_row "$1" DOMAIN)
	s=$(first_row "$1" SERVER)
	[ "$d" = example.co.uk ] && ok "$2: the slowest domain first ($d)" || fail "$2: first domain '$d': $(cat "$1")"
	[ "$s" = 203.0.113.12:8443 ] && ok "$2: the slowest server first ($s)" || fail "$2: first server '$s'"
}

tmux new-session -d -s "$TMUX_S" -x 120 -y 50 \
	"ip netns exec $NS_S $WIRELAT top --from http://127.0.0.1:9745; sleep 30"
n=200
while [ $n -gt 0 ]; do
	tmux capture-pane -p -t "$TMUX_S" >"$tmp/pane.txt" 2>/dev/null
	grep -q '^DNS SERVER' "$tmp/pane.txt" && grep -q 'example\.co\.uk' "$tmp/pane.txt" && break
	sleep 0.1
	n=$((n - 1))
done
check_view "$tmp/pane.txt" "tmux, --from"
sed 's/^/  | /' "$tmp/pane.txt" | sed '/^  | *$/d' | head -24
grep -q 'Ctrl-C quits' "$tmp/pane.txt" && ok "tmux: the terminal view" || fail "tmux: not the terminal view: $(head -2 "$tmp/pane.txt")"
tmux send-keys -t "$TMUX_S" C-c
ip netns exec "$NS_S" "$WIRELAT" top --from http://127.0.0.1:9745 | cat >"$tmp/plain.txt"
check_view "$tmp/plain.txt" "pipe, --from"
grep -q $'\033' "$tmp/plain.txt" && fail "pipe: escape sequences in plain text" || ok "pipe: plain text, no escape sequences"
"$WIRELAT" top -r "$tmp/top.pcap" --sort p99 | cat >"$tmp/offline.txt"
check_view "$tmp/offline.txt" "-r"
"$WIRELAT" top -r "$tmp/top.pcap" --sort count >/dev/null && ok "--sort count runs" || fail "--sort count"
"$WIRELAT" top --sort speed >/dev/null 2>"$tmp/bad.err"
[ $? -eq 2 ] && ok "--sort speed: exit 2, $(cat "$tmp/bad.err")" || fail "--sort speed: $(cat "$tmp/bad.err")"
"$WIRELAT" top --from http://127.0.0.1:1 >/dev/null 2>"$tmp/bad.err"
[ $? -eq 1 ] && [ "$(wc -l <"$tmp/bad.err")" = 1 ] && ok "--from nowhere: exit 1, $(cat "$tmp/bad.err")" ||
	fail "--from nowhere: $(cat "$tmp/bad.err")"

[ $FAILS -eq 0 ] || { echo "$FAILS failed"; exit 1; }
echo "all passed"
