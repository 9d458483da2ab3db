#!/usr/bin/env bash
# DNS latency live, with real components: dnsmasq (Debian) answers in one
# network namespace, dig and a getaddrinfo client ask from another, over UDP
# and TCP, IPv4 and IPv6, names that exist and names that do not. wirelat
# watches the client's veth (queries leave through TC egress, responses
# arrive through XDP); tcpdump captures the same interface. Every
# transaction must be reported once, its latency within 0.5 ms of tshark's
# dns.time on that capture, rcode, qtype and qname as tshark decodes them.
# Then a responder that waits 50 ms / 200 ms before answering: the latency
# reported tracks the delay.
#
# Network rules: both namespaces are made here, joined only by their veth
# pair, no default route, forwarding off; addresses from 198.51.100.0/24
# and 2001:db8::/32. The trap removes namespaces, the resolv.conf made for
# the client namespace and every process started, also on failure.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

command -v dnsmasq >/dev/null && command -v dig >/dev/null || { echo "SKIP: dnsmasq/dig missing"; exit 77; }
netns_pair d 198.51.100.53 198.51.100.1 2001:db8:53::53 2001:db8:53::1
CLEANUP_PATHS=("/etc/netns/$NS_C")

# (background processes are started with ip netns exec itself, which
# execs them, so $! is their pid)
inS() { ip netns exec "$NS_S" "$@"; }
inC() { ip netns exec "$NS_C" "$@"; }

# dnsmasq: authoritative for example.test, nothing upstream
ip netns exec "$NS_S" dnsmasq --no-daemon --no-resolv --no-hosts --bind-interfaces \
	--listen-address=198.51.100.53 --listen-address=2001:db8:53::53 \
	--interface="$VS" --except-interface=lo --port=53 --user=root --group=root \
	--local=/example.test/ --address=/www.example.test/203.0.113.10 \
	--address=/www.example.test/2001:db8::10 --txt-record=txt.example.test,hello \
	--mx-host=example.test,mail.example.test,10 --pid-file="$tmp/dnsmasq.pid" \
	--log-facility=- 2>"$tmp/dnsmasq.log" &
PIDS+=($!)
# the delayed responder on port 5300
ip netns exec "$NS_S" "$PY" "$ROOT/tests/dns_responder.py" 198.51.100.53 5300 >"$tmp/resp.out" 2>&1 &
PIDS+=($!)

ip netns exec "$NS_C" tcpdump -i "$VC" -U -s 0 --time-stamp-precision=nano -w "$tmp/cap.pcap" \
	'port 53 or port 5300' 2>"$tmp/tcpdump.err" &
TCPDUMP=$!
PIDS+=($TCPDUMP)
ip netns exec "$NS_C" "$WIRELAT" -i "$VC" --json --dns-port 53 --dns-port 5300 >"$tmp/got.jsonl" 2>"$tmp/wirelat.err" &
WL=$!
PIDS+=($WL)
for _ in $(seq 50); do
	grep -q "watching" "$tmp/wirelat.err" && grep -q listening "$tmp/tcpdump.err" &&
		grep -q ready "$tmp/resp.out" && break
	sleep 0.1
done
sleep 0.5
grep -q "watching" "$tmp/wirelat.err" || { cat "$tmp/wirelat.err"; fail "wirelat did not start"; exit 1; }

# the client's resolver for getaddrinfo: ip netns exec binds this over
# /etc/resolv.conf in the namespace
mkdir -p "/etc/netns/$NS_C"
echo "nameserver 198.51.100.53" >"/etc/netns/$NS_C/resolv.conf"

s=@198.51.100.53
s6=@2001:db8:53::53
q() { inC dig +tries=1 +time=2 "$@" >/dev/null 2>&1; }
q $s www.example.test A
q $s www.example.test AAAA
q $s nosuch.example.test A               # NXDOMAIN
q $s example.test MX
q $s txt.example.test TXT
q $s6 www.example.test AAAA
q $s6 missing.example.test AAAA          # NXDOMAIN over IPv6
q $s +tcp www.example.test A
q $s +tcp nosuch.example.test A
q $s6 +tcp www.example.test AAAA
q $s +tcp +keepopen www.example.test A example.test MX
inC "$PY" -c 'import socket
for n in ("www.example.test", "nothere.example.test"):
    try:
        socket.getaddrinfo(n, 80, socket.AF_INET, socket.SOCK_STREAM)
    except socket.gaierror:
        pass'
q -p 5300 $s d50.delay.test A
q -p 5300 $s d200.delay.test A
q -p 5300 $s d0.delay.test A
# a last query as a barrier: once tcpdump has written its response, the
# capture holds everything before it (one interface, in order)
q $s marker.example.test A
for _ in $(seq 300); do
	"$PY" -c 'import sys; sys.exit(open(sys.argv[1], "rb").read().count(b"\x06marker\x07example\x04test") < 2)' \
		"$tmp/cap.pcap" && break
	sleep 0.1
done

kill -INT "$WL"
wait "$WL"
rc=$?
kill -INT "$TCPDUMP" 2>/dev/null
wait "$TCPDUMP" 2>/dev/null
[ "$rc" -eq 0 ] || fail "wirelat exited $rc: $(cat "$tmp/wirelat.err")"
got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$tmp/tcpdump.err")
seen=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$tmp/tcpdump.err")
drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$tmp/tcpdump.err")
# frames after the marker may be left unwritten (and are not needed); one
# the kernel dropped could be anywhere
[ -n "$got" ] && [ "${drops:-1}" = 0 ] ||
	fail "tcpdump captured ${got:-?} of ${seen:-?} frames, ${drops:-?} dropped by the kernel: the truth is incomplete"

"$PY" - "$tmp/got.jsonl" "$tmp/cap.pcap" <<'PY'
import json, subprocess, sys
got_path, cap = sys.argv[1], sys.argv[2]
got = [json.loads(l) for l in open(got_path) if l.startswith("{")]
dns = [r for r in got if r["type"] == "dns"]
bad = [r for r in got if r["type"] == "dns_timeout"]
fails = 0
def fail(msg):
    global fails
    fails += 1
    print("FAIL:", msg)

QT = {1: "A", 28: "AAAA", 15: "MX", 16: "TXT"}
RC = {0: "NOERROR", 3: "NXDOMAIN", 5: "REFUSED", 2: "SERVFAIL"}
out = subprocess.run(["tshark", "-r", cap, "-n",
                      "-d", "udp.port==5300,dns", "-Y", "dns.time", "-T", "fields",
                      "-E", "separator=/t", "-e", "ip.dst", "-e", "ipv6.dst",
                      "-e", "udp.dstport", "-e", "tcp.dstport", "-e", "dns.id",
                      "-e", "dns.time", "-e", "dns.flags.rcode", "-e", "dns.qry.type",
                      "-e", "dns.qry.name"],
                     capture_output=True, text=True, check=True).stdout
truth = {}
for line in out.splitlines():
    ip4, ip6, up, tp, i, t, rc, qt, name = line.split("\t")
    proto = "udp" if up else "tcp"
    port = int(up or tp)
    key = (ip4 or ip6, port, proto, int(i, 0))
    a, b = t.split(".")
    truth[key] = (int(a) * 10**9 + int(b.ljust(9, "0")), int(rc), int(qt), name)
seen = set()
for r in dns:
    key = (r["client_ip"], r["client_port"], r["proto"], r["id"])
    if key in seen:
        fail("reported twice: %s" % (key,))
    seen.add(key)
    if key not in truth:
        fail("not in the capture: %s" % (key,))
        continue
    t, rc, qt, name = truth[key]
    d = abs(r["latency_ns"] - t)
    if d > 500000:
        fail("%s: latency %d ns, tshark %d ns (diff %d)" % (key, r["latency_ns"], t, d))
    if r["rcode"] != RC.get(rc, rc) or r["qtype"] != QT.get(qt, qt) or r["qname"] != name:
        fail("%s: %s %s %s vs tshark %s %s %s" % (key, r["rcode"], r["qtype"], r["qname"], rc, qt, name))
for key in truth:
    if key not in seen:
        fail("missing: %s %s" % (key, truth[key]))
rcodes = {r["rcode"] for r in dns}
protos = {(r["proto"], r["family"]) for r in dns}
if "NXDOMAIN" not in rcodes:
    fail("no NXDOMAIN seen")
if not {("udp", 4), ("udp", 6), ("tcp", 4), ("tcp", 6)} <= protos:
    fail("missing a proto/family: %s" % protos)
if bad:
    fail("unexpected timeouts: %s" % bad)
for ms in (50, 200, 0):
    rs = [r for r in dns if r["qname"] == "d%d.delay.test" % ms]
    if len(rs) != 1:
        fail("delay %d ms: %d records" % (ms, len(rs)))
        continue
    lat = rs[0]["latency_ns"] / 1e6
    if not (ms <= lat < ms + 20):
        fail("delay %d ms: latency %.3f ms does not track it" % (ms, lat))
    else:
        print("ok: responder delay %d ms -> latency %.3f ms" % (ms, lat))
maxd = max((abs(r["latency_ns"] - truth[(r["client_ip"], r["client_port"], r["proto"], r["id"])][0])
            for r in dns if (r["client_ip"], r["client_port"], r["proto"], r["id"]) in truth), default=0)
print("%d dns records, %d in the capture, max deviation from tshark %d ns" % (len(dns), len(truth), maxd))
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] || fail "dns records vs capture"
keep_records dns "$tmp/got.jsonl" id	# dig picks a random DNS ID
# nothing left attached
inC bpftool net show dev "$VC" 2>/dev/null | grep -q wirelat && fail "programs left on $VC"
echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
