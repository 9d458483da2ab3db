#!/usr/bin/env bash
# The socket path (sock/, --sock), live: connections no watched interface
# carries are reported once with "source":"sock"; the rest stay the wire's.
#
# wirelat runs in namespace S, watching the veth to namespace C. S also has
# a second veth, to namespace X, that nobody watches. Real HTTP servers
# (python3 -m http.server, dual-stack) in S, C and X; real clients
# (HTTP/1.0 GETs of a file of known size). Expected, by the client's port:
#   loopback in S (v4 and v6)          one tcp_handshake + one tcp_close, sock
#   C -> S and S -> C (watched veth)   one tcp_handshake, wire; no sock record
#   loopback in C                      nothing (another namespace)
#   X -> S and S -> X (unwatched veth) one tcp_handshake + one tcp_close, sock
#   S -> 127.0.0.1:9 (closed port)     one tcp_handshake_failed refused, sock
#   S -> C:9 (closed port, watched)    one tcp_handshake_failed refused, wire
#   S -> X:7, every SYN dropped        one tcp_handshake_failed timeout, sock
#   S -> 203.0.113.99 (no such host)   one tcp_handshake_failed unreachable, sock
# then the counters (wirelat_sock_*), --sock off (no sock record at all),
# --sock kprobe on this kernel (one line naming the missing feature, exit
# non-zero) and a bad --sock value (exit 2).
#
# tests/test_sock_live.sh kprobe: the same cases with --sock kprobe (the
# kprobe fallback, where the kernel has kprobes; tests/kernels runs it
# under kernels that do), without the option checks after them. Exits 77
# on a kernel without kprobes.
#
# Network rules: namespaces made here (lib.sh netns_pair plus X), no
# default route, forwarding off, 198.51.100.0/24, 203.0.113.0/24 and
# 2001:db8::/32 only. The trap removes the namespaces (with their veths),
# every process and the dropper's private bpffs, also on failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

MODE=${1:-auto}
case $MODE in
auto) SOCK=() ;;
kprobe)
	SOCK=(--sock kprobe)
	[ -e /sys/bus/event_source/devices/kprobe/type ] || { echo "SKIP: this kernel has no kprobes"; exit 77; } ;;
*) echo "usage: $0 [auto|kprobe]"; exit 2 ;;
esac
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
netns_pair k 198.51.100.2 198.51.100.1 2001:db8:4b::2 2001:db8:4b::1
NS_X=wlk-$$-x
VX=wkx$$
VY=wky$$
cleanup_sock() {
	local p
	for p in $(ip netns pids "$NS_X" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
	ip netns del "$NS_X" 2>/dev/null
	dropper_umount
	netns_pair_cleanup
}
trap cleanup_sock EXIT
ip netns add "$NS_X" || { echo "SKIP: no netns"; exit 77; }
ip link add "$VX" netns "$NS_S" type veth peer name "$VY" netns "$NS_X" || { echo "SKIP: no veth"; exit 77; }
ip netns exec "$NS_X" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
ip -n "$NS_X" link set lo up
ip -n "$NS_S" addr add 203.0.113.1/24 dev "$VX"
ip -n "$NS_S" addr add 2001:db8:4c::1/64 dev "$VX" nodad
ip -n "$NS_X" addr add 203.0.113.2/24 dev "$VY"
ip -n "$NS_X" addr add 2001:db8:4c::2/64 dev "$VY" nodad
ip -n "$NS_S" link set "$VX" up
ip -n "$NS_X" link set "$VY" up
# a connect the peer never answers gives up after 1 + 2 s
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syn_retries=1
dropper_mount

head -c 5000 /dev/urandom >"$tmp/f.bin"
for ns in "$NS_S" "$NS_C" "$NS_X"; do
	ip netns exec "$ns" "$PY" -m http.server 8080 --bind :: --directory "$tmp" \
		>"$tmp/http-$ns.log" 2>&1 &
	PIDS+=($!)
	disown $!	# killed by the trap: no job notice
done

# get NS ADDR PORT: an HTTP/1.0 GET of /f.bin from NS; prints
# "PORT BYTES" (the client's port, the bytes it received) or
# "PORT error ERRNO" when the connect failed.
get() {
	ip netns exec "$1" "$PY" - "$2" "$3" <<'PY'
import socket, sys
addr, port = sys.argv[1], int(sys.argv[2])
fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.settimeout(20)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", 0))
# a failed connect can surface at the first send instead (seen once on
# 6.12 under qemu: connect returned, sendall got EHOSTUNREACH): the same
# failure either way
n = 0
try:
    s.connect((addr, port))
    s.sendall(b"GET /f.bin HTTP/1.0\r\nHost: test\r\n\r\n")
    while True:
        d = s.recv(65536)
        if not d:
            break
        n += len(d)
except OSError as e:
    print(s.getsockname()[1], "error", e.errno)
    sys.exit(0)
print(s.getsockname()[1], n)
s.close()
PY
}

# until ADDR:PORT accepts (the HTTP servers start in the background)
wait_listen() {
	local n=200
	while [ $n -gt 0 ]; do
		ip netns exec "$1" "$PY" -c 'import socket, sys
socket.create_connection((sys.argv[1], 8080), timeout=1).close()' "$2" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}
wait_listen "$NS_S" 127.0.0.1 && wait_listen "$NS_C" 127.0.0.1 && wait_listen "$NS_X" 127.0.0.1 ||
	{ echo "FAIL: HTTP servers did not start"; exit 1; }

ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --json "${SOCK[@]}" >"$tmp/got.jsonl" 2>"$tmp/wirelat.err" &
WL=$!
PIDS+=($WL)
wait_file "$tmp/wirelat.err" 'socket path' ||
	{ echo "FAIL: wirelat did not start: $(cat "$tmp/wirelat.err")"; exit 1; }
if [ "$MODE" = auto ]; then
	grep -q 'socket path: tracepoint' "$tmp/wirelat.err" &&
		ok "--sock auto chose the tracepoint" || fail "--sock auto: $(cat "$tmp/wirelat.err")"
else
	grep -q 'socket path: kprobe' "$tmp/wirelat.err" &&
		ok "--sock kprobe: kprobes" || fail "--sock kprobe: $(cat "$tmp/wirelat.err")"
fi

declare -A PORT
run_case() { # NAME NS ADDR PORT
	local out
	out=$(get "$2" "$3" "$4")
	PORT[$1]=${out%% *}
	echo "$1: $3:$4 from $2 -> $out"
	echo "$1 $3 $4 $out" >>"$tmp/cases"
}
run_case lo4 "$NS_S" 127.0.0.1 8080
run_case lo6 "$NS_S" ::1 8080
run_case wire_in "$NS_C" 198.51.100.2 8080
run_case wire_out "$NS_S" 198.51.100.1 8080
run_case other_ns "$NS_C" 127.0.0.1 8080
run_case x_in "$NS_X" 203.0.113.1 8080
run_case x_out "$NS_S" 203.0.113.2 8080
run_case x_out6 "$NS_S" 2001:db8:4c::2 8080
run_case refused_lo "$NS_S" 127.0.0.1 9
run_case refused_wire "$NS_S" 198.51.100.1 9
dropper_attach nosyn "$NS_X" "$VY" ingress drop_syn
# syn_budget 100 (the first word of the dropper's .data): every SYN
bpftool map update pinned "$BPFFS/nosyn_m/dropper_data" key 0 0 0 0 \
	value 100 0 0 0 1 0 0 0 20 0 0 0 10 0 0 0 || fail "cannot set the dropper's budget"
run_case timeout "$NS_S" 203.0.113.2 7
dropper_detach "$NS_X" "$VY" ingress
SYNS=$(dropper_count nosyn)
# how many SYNs a connect sends depends on the kernel (tcp_syn_linear_timeouts)
[ "$SYNS" -ge 2 ] && ok "the dropper dropped $SYNS SYNs" || fail "the dropper dropped $SYNS SYNs, expected 2 or more"
# the kernel's default retries: the neighbour lookup fails first (3 s)
ip netns exec "$NS_S" sysctl -qw net.ipv4.tcp_syn_retries=6
run_case unreachable "$NS_S" 203.0.113.99 8080
# a last loopback connection: when its tcp_close is out, so is everything
# the cases above caused (one ring, records in the order they were made)
run_case marker "$NS_S" 127.0.0.1 8080
wait_file "$tmp/got.jsonl" "\"tcp_close\".*\"client_port\":${PORT[marker]}," ||
	fail "no tcp_close for the last loopback connection"
ip netns exec "$NS_S" "$PY" -c 'import urllib.request
print(urllib.request.urlopen("http://127.0.0.1:9745/metrics", timeout=10).read().decode(), end="")' \
	>"$tmp/metrics.txt" || fail "cannot scrape /metrics"
# for a failure's report: the socket path's own counters (connections
# left to the wire or the peer, ring drops) and the kernel's count of
# tracepoint runs it skipped (recursion_misses)
{ bpftool prog show name wirelat_sock_tp; bpftool prog show name wirelat_sock_kst
  bpftool map dump name sock_stats; } >"$tmp/diag.txt" 2>&1
kill -INT $WL
wait $WL
rc=$?
[ $rc -eq 0 ] && ok "wirelat exited 0" || fail "wirelat exited $rc: $(cat "$tmp/wirelat.err")"

"$PY" - "$tmp/cases" "$tmp/got.jsonl" "$tmp/metrics.txt" "$SYNS" <<'PY' || { FAILS=$((FAILS + 1)); echo "socket path at the scrape:"; cat "$tmp/diag.txt"; }
import json, re, sys
cases = {}
for line in open(sys.argv[1]):
    f = line.split()
    cases[f[0]] = {"addr": f[1], "port": int(f[2]), "cport": int(f[3]), "got": f[4:]}
recs = [json.loads(l) for l in open(sys.argv[2])]
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + what)
    bad += not cond
def of(name):
    # the server's address too: an ephemeral port is unique per
    # destination only (lo6 and x_out6 once shared one)
    c = cases[name]
    return [r for r in recs if r["client_port"] == c["cport"] and r["server_port"] == c["port"]
            and r["server_ip"] == c["addr"]]
def types(rs, source):
    return sorted(r["type"] for r in rs if r["source"] == source)

size = 5000
for name in ("lo4", "lo6", "x_in", "x_out", "x_out6"):
    rs = of(name)
    c = cases[name]
    check(types(rs, "sock") == ["tcp_close", "tcp_handshake"] and not types(rs, "wire"),
          "%s: one tcp_handshake and one tcp_close, source sock (got %s)" %
          (name, [(r["type"], r["source"]) for r in rs]))
    for r in rs:
        if r["type"] == "tcp_handshake":
            check(0 < r["handshake_ns"] < 1e9 and "syn_to_synack_ns" not in r
                  and "syn_retransmits" not in r,
                  "%s: handshake_ns %s alone" % (name, r.get("handshake_ns")))
        if r["type"] == "tcp_close":
            got = int(c["got"][0])
            check(got > size and r["bytes_s2c"] == got,
                  "%s: bytes_s2c %s = the bytes the client received (%d)" % (name, r["bytes_s2c"], got))
            check(r["bytes_c2s"] == len(b"GET /f.bin HTTP/1.0\r\nHost: test\r\n\r\n"),
                  "%s: bytes_c2s %s = the request" % (name, r["bytes_c2s"]))
            check(r["reason"] == "fin" and r["closed_by"] == "server",
                  "%s: closed by the server with a FIN (%s, %s)" % (name, r["reason"], r.get("closed_by")))
            check(not any(k in r for k in ("seq_gaps_c2s", "dup_acks_s2c", "zero_windows_c2s", "midstream")),
                  "%s: fields the socket cannot know are left out" % name)
            check(r["duration_ns"] > 0, "%s: duration_ns %s" % (name, r["duration_ns"]))
    want_family = 6 if ":" in c["addr"] else 4
    check(all(r["family"] == want_family for r in rs), "%s: family %d" % (name, want_family))
for name, cip, sip in (("x_in", "203.0.113.2", "203.0.113.1"), ("x_out", "203.0.113.1", "203.0.113.2"),
                       ("x_out6", "2001:db8:4c::1", "2001:db8:4c::2"), ("lo6", "::1", "::1")):
    check(all(r["client_ip"] == cip and r["server_ip"] == sip for r in of(name)),
          "%s: client_ip %s, server_ip %s" % (name, cip, sip))
check(all(r["ifname"] == "lo" for r in of("lo4")), "lo4: ifname lo")

for name in ("wire_in", "wire_out"):
    rs = of(name)
    check(types(rs, "wire").count("tcp_handshake") == 1 and not types(rs, "sock"),
          "%s: one tcp_handshake, source wire, no sock record (got %s)" %
          (name, [(r["type"], r["source"]) for r in rs]))
check(of("other_ns") == [], "other_ns: no record from another namespace")

for name, reason, src in (("refused_lo", "refused", "sock"), ("refused_wire", "refused", "wire"),
                          ("timeout", "timeout", "sock"), ("unreachable", "unreachable", "sock")):
    rs = of(name)
    check(len(rs) == 1 and rs[0]["type"] == "tcp_handshake_failed" and rs[0]["reason"] == reason
          and rs[0]["source"] == src,
          "%s: one tcp_handshake_failed, %s, source %s (got %s)" %
          (name, reason, src, [(r["type"], r.get("reason"), r["source"]) for r in rs]))
t = of("timeout")
if t:
    syns = int(sys.argv[4])
    check(t[0]["syn_retransmits"] == syns - 1 and 2.9e9 < t[0]["elapsed_ns"] < 4e9,
          "timeout: %d SYN retransmissions (the dropper dropped %d SYNs), %.2f s" %
          (t[0]["syn_retransmits"], syns, t[0]["elapsed_ns"] / 1e9))

# counters: every sock record so far (the scrape's own connection included:
# it was established before the page was written)
m = {}
for line in open(sys.argv[3]):
    mm = re.match(r'^(wirelat_sock_\w+?)(\{[^}]*\})? (\S+)$', line)
    if mm:
        m[mm.group(1) + (mm.group(2) or "")] = float(mm.group(3))
hs = sum(1 for r in recs if r["source"] == "sock" and r["type"] == "tcp_handshake")
check(m.get('wirelat_sock_connections_total{result="completed"}') == hs,
      "wirelat_sock_connections_total completed = %s, sock tcp_handshake records %d" %
      (m.get('wirelat_sock_connections_total{result="completed"}'), hs))
for res, n in (("refused", 1), ("timeout", 1), ("other", 1)):
    check(m.get('wirelat_sock_connections_total{result="%s"}' % res) == n,
          "wirelat_sock_connections_total %s = %s" % (res, m.get('wirelat_sock_connections_total{result="%s"}' % res)))
check(m.get("wirelat_sock_connect_seconds_count") == hs,
      "wirelat_sock_connect_seconds_count = %s" % m.get("wirelat_sock_connect_seconds_count"))
sys.exit(1 if bad else 0)
PY
# the scrape's own connection left out: the size of /metrics varies
grep -v '"server_port":9745,' "$tmp/got.jsonl" >"$tmp/kept.jsonl"
keep_records sock "$tmp/kept.jsonl" +lo

if [ "$MODE" = kprobe ]; then
	[ $FAILS -eq 0 ] || { echo "$FAILS failed"; exit 1; }
	echo "all passed"
	exit 0
fi

echo "--- --sock off: no sock record"
ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --json --sock off >"$tmp/off.jsonl" 2>"$tmp/off.err" &
WL=$!
PIDS+=($WL)
wait_file "$tmp/off.err" 'watching' || fail "wirelat --sock off did not start: $(cat "$tmp/off.err")"
get "$NS_S" 127.0.0.1 8080 >/dev/null
get "$NS_X" 203.0.113.1 8080 >/dev/null
get "$NS_C" 198.51.100.2 8080 >"$tmp/off-wire"
wait_file "$tmp/off.jsonl" "\"tcp_handshake\".*\"client_port\":$(cut -d' ' -f1 "$tmp/off-wire")," ||
	fail "--sock off: the wire connection was not reported"
kill -INT $WL
wait $WL
grep -q '"source":"sock"' "$tmp/off.jsonl" && fail "--sock off: sock records: $(grep '"source":"sock"' "$tmp/off.jsonl")" ||
	ok "--sock off: no sock record"
grep -q 'socket path' "$tmp/off.err" && fail "--sock off: $(cat "$tmp/off.err")" || ok "--sock off: no socket path attached"

echo "--- --sock kprobe on a kernel without kprobes"
if [ -e /sys/bus/event_source/devices/kprobe/type ]; then
	echo "SKIP part: this kernel has kprobes"
else
	ip netns exec "$NS_S" "$WIRELAT" -i "$VS" --sock kprobe >/dev/null 2>"$tmp/kp.err"
	rc=$?
	[ $rc -ne 0 ] && [ "$(wc -l <"$tmp/kp.err")" = 1 ] && grep -q 'no kprobes' "$tmp/kp.err" &&
		ok "--sock kprobe: exit $rc, $(cat "$tmp/kp.err")" ||
		fail "--sock kprobe: exit $rc, $(cat "$tmp/kp.err")"
fi
"$WIRELAT" -i lo --sock sometimes >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] && grep -q "invalid --sock 'sometimes'" "$tmp/bad.err" &&
	ok "--sock sometimes: exit 2, $(cat "$tmp/bad.err")" || fail "--sock sometimes: exit $rc, $(cat "$tmp/bad.err")"
"$WIRELAT" -r "$ROOT/pcaps/$(ls "$ROOT/pcaps" | grep '\.pcap$' | head -1)" --sock auto >/dev/null 2>"$tmp/r.err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/r.err")" = 1 ] && ok "-r with --sock: exit 2, $(cat "$tmp/r.err")" ||
	fail "-r with --sock: exit $rc, $(cat "$tmp/r.err")"

[ $FAILS -eq 0 ] || { echo "$FAILS failed"; exit 1; }
echo "all passed"
