#!/usr/bin/env bash
# Slow handshakes live, with real kernels at both ends, and their causes
# named (DESIGN.md: "A slow handshake names its cause in its record"):
#
#   1. a full SYN queue: the server's end drops the client's first SYN (a
#      test-only BPF program, tests/bpf/dropper.bpf.c, on the server's veth
#      ingress: there is no netem in this kernel); the client's kernel
#      sends it again after its 1 s RTO. wirelat, watching the client's
#      end, reports one tcp_handshake with syn_retransmits 1 and the whole
#      wait, not a failure.
#   2. stale server state (RFC 5961): a connection whose client side is
#      gone (SO_LINGER 0 close, its RST dropped before the server) while
#      the server still holds it; the client connects again from the same
#      port: the server answers the SYN with a challenge ACK, the client's
#      kernel resets that (seq = the ACK's number: not an abort) and sends
#      its SYN again (Linux at once, ~10 ms; stacks that wait their RTO a
#      second or more later). One tcp_handshake with challenge_acks 1,
#      syn_retransmits 1 and the whole wait from the first SYN; no
#      tcp_handshake_failed.
# Truth: tests/truth.py on a tcpdump of the same interface in the same run,
# compared with tests/check_records.py (1 ms tolerance).
#
# Network rules: lib.sh netns_pair (two namespaces made here, one veth
# pair, no default route, forwarding off, 198.51.100.0/24). The dropper's
# bpffs is a private mount under /tmp; the trap removes it, the
# namespaces and every process, also on failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
netns_pair e 198.51.100.2 198.51.100.1 2001:db8:e::2 2001:db8:e::1
cleanup_hs() {
	dropper_umount
	netns_pair_cleanup
}
trap cleanup_hs EXIT
dropper_mount

inC() { ip netns exec "$NS_C" "$@"; }
inS() { ip netns exec "$NS_S" "$@"; }


# drop PROGRAM: the dropper's PROGRAM (drop_syn, drop_rst: the first
# segment of its kind) on the server's veth ingress, a fresh budget each time
N_DROP=0
drop() {
	N_DROP=$((N_DROP + 1))
	dropper_attach "d$N_DROP" "$NS_S" "$VS" ingress "$1"
}
undrop() { dropper_detach "$NS_S" "$VS" ingress; }
dropped() { dropper_count "d$N_DROP"; }

ip netns exec "$NS_S" "$PY" "$ROOT/tests/conn_peer.py" sink 198.51.100.2 9000 >"$tmp/sink.out" 2>&1 &
PIDS+=($!)
wait_file "$tmp/sink.out" '^ready' || { echo "FAIL: sink did not start"; exit 1; }

ip netns exec "$NS_C" tcpdump -i "$VC" -n -s 200 -B 16384 -U --time-stamp-precision=nano -w "$tmp/cap.pcap" \
	'tcp or udp port 9' 2>"$tmp/tcpdump.err" &
TCPDUMP=$!
PIDS+=($TCPDUMP)
ip netns exec "$NS_C" "$WIRELAT" -i "$VC" --json >"$tmp/got.jsonl" 2>"$tmp/wirelat.err" &
WL=$!
PIDS+=($WL)
wait_file "$tmp/tcpdump.err" 'listening on' && wait_file "$tmp/wirelat.err" 'watching' ||
	{ echo "FAIL: tcpdump or wirelat did not start: $(cat "$tmp/wirelat.err")"; exit 1; }

echo "--- 1. the server drops the first SYN"
drop drop_syn
inC "$PY" -c 'import socket
s = socket.create_connection(("198.51.100.2", 9000), timeout=10)
s.sendall(b"hello")
s.close()' || fail "case 1: the connection failed"
[ "$(dropped)" = 1 ] && ok "case 1: the dropper dropped 1 SYN" || fail "case 1: dropped $(dropped) SYNs"
undrop

echo "--- 2. stale server state: a challenge ACK"
PORT=45321
mkfifo "$tmp/go"
ip netns exec "$NS_C" "$PY" - "$PORT" "$tmp/go" >"$tmp/client2.out" 2>&1 <<'PY' &
import socket, struct, sys, time
port, go = int(sys.argv[1]), sys.argv[2]
def sock():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("198.51.100.1", port))
    return s
s = sock()
s.connect(("198.51.100.2", 9000))
s.sendall(b"first")
print("established", flush=True)
open(go).read()              # the test attaches the RST dropper meanwhile
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()                    # a RST the server never gets: it keeps the connection
s = sock()
s.settimeout(10)
s.connect(("198.51.100.2", 9000))
s.sendall(b"second")
s.close()
print("reconnected", flush=True)
PY
CL=$!
PIDS+=($CL)
if wait_file "$tmp/client2.out" '^established'; then
	drop drop_rst
	echo go >"$tmp/go"
	wait "$CL" && grep -q reconnected "$tmp/client2.out" || fail "case 2: client: $(tail -2 "$tmp/client2.out")"
	[ "$(dropped)" = 1 ] && ok "case 2: the dropper dropped 1 RST" || fail "case 2: dropped $(dropped) RSTs"
	undrop
else
	fail "case 2: no connection: $(cat "$tmp/client2.out")"
fi

barrier "$NS_C" 198.51.100.2 "$tmp/cap.pcap"
kill -INT "$WL"
wait "$WL" || fail "wirelat exited non-zero: $(cat "$tmp/wirelat.err")"
kill -INT "$TCPDUMP"
wait "$TCPDUMP" 2>/dev/null
got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$tmp/tcpdump.err")
drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$tmp/tcpdump.err")
# frames after the barrier may be left unwritten (and are not needed)
[ -n "$got" ] && [ "${drops:-1}" = 0 ] ||
	fail "tcpdump captured ${got:-?} frames, ${drops:-?} dropped by the kernel: the truth is incomplete"

# the records against the truth of the capture
if $PY "$ROOT/tests/truth.py" "$tmp/cap.pcap" >"$tmp/truth.jsonl" 2>"$tmp/truth.err" &&
	$PY "$ROOT/tests/check_records.py" --truth "$tmp/truth.jsonl" --got "$tmp/got.jsonl" \
		--tolerance-ns 1000000 --ifname "$VC" --strict --label handshakes >"$tmp/cmp" 2>&1; then
	ok "$(tail -1 "$tmp/cmp")"
else
	cat "$tmp/cmp" "$tmp/truth.err"
	fail "records differ from the truth of the tcpdump capture"
fi
# and each cause named
$PY - "$tmp/got.jsonl" "$PORT" <<'PY' || fail "causes"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
hs = [r for r in recs if r["type"] == "tcp_handshake"]
failed = [r for r in recs if r["type"] == "tcp_handshake_failed"]
port = int(sys.argv[2])
bad = 0
def check(ok, msg):
    global bad
    print(("ok: " if ok else "FAIL: ") + msg)
    bad += not ok
first = [r for r in hs if r["client_port"] != port]
stale = [r for r in hs if r["client_port"] == port]
check(len(first) == 1 and first[0]["syn_retransmits"] == 1 and first[0]["challenge_acks"] == 0
      and first[0]["handshake_ns"] >= 10**9 and first[0]["syn_to_synack_ns"] < 10**8,
      "SYN dropped: %s" % json.dumps({k: first[0][k] for k in ("syn_retransmits", "challenge_acks",
                                      "syn_to_synack_ns", "handshake_ns")} if first else None))
# the first connection on the port, then the reconnection with its cause
# the wait: the first SYN to the ACK, beyond the legs of the last SYN
check(len(stale) == 2 and stale[0]["challenge_acks"] == 0 and stale[1]["challenge_acks"] == 1
      and stale[1]["syn_retransmits"] == 1
      and stale[1]["handshake_ns"] > stale[1]["syn_to_synack_ns"] + stale[1]["synack_to_ack_ns"],
      "stale server state: %s" % json.dumps([{k: r[k] for k in ("syn_retransmits", "challenge_acks",
                                               "syn_to_synack_ns", "synack_to_ack_ns",
                                               "handshake_ns")} for r in stale]))
check(not failed, "no tcp_handshake_failed (%d)" % len(failed))
sys.exit(1 if bad else 0)
PY
keep_records handshakes "$tmp/got.jsonl"
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
