#!/usr/bin/env bash
# Live tests: wirelat attached to a real interface, inside network namespaces
# this test creates (never the host namespace).
#
#   1. replay through veth: namespace A (sender, veth end a) and namespace B
#      (receiver, end b); tcpreplay every Ethernet capture (pcaps/*.pcap, the
#      third-party set; Linux cooked and raw IP ones converted to Ethernet)
#      from A while tcpdump and `wirelat -i b --json` run in B; the truth is
#      tests/truth.py on tcpdump's capture, compared with a 1 ms tolerance
#   2. clean exit after SIGINT: no XDP, no tc program, no clsact, exit 0
#   3. SIGKILL recovery: a restarted wirelat replaces its own leftovers,
#      also those of a wirelat that measured ingress on the other hook (a
#      wirelat_xdp when ingress is on TC, a wirelat_tc_in when on XDP: left,
#      either would count every packet twice)
#   4. a foreign XDP program on b is left alone; a hook that wants XDP
#      measures ingress on TC instead and says so in one line
#   5. loopback: egress hook only, one record per connection (IPv4 and IPv6)
#   6. errors: unknown interface, bad --xdp-mode
#
# Like every live test it runs once per ingress hook (tests/lib.sh,
# WIRELAT_HOOKS): the records of cases 1, 4 and 5 must be the same on each.
#
# Network rules: both ends of a replay live in namespaces made here, with no
# default route and forwarding off, IPv6 off on the veth pair, no addresses:
# replayed packets go nowhere. The trap removes every namespace (and so the
# veth pair) and kills every process the test started, also on failure or
# Ctrl-C.
#
# WIRELAT_TEST_KEEP=1 keeps the work directory (captures, records, truth).
#
# Exit: 0 all passed, 1 something failed, 77 network namespaces, veth or XDP
# on veth are not available.
set -uo pipefail
HOOKS_PARALLEL=1	# the replay's real time, not CPU: both hooks at once
. "$(dirname "$0")/lib.sh"

T_START=$SECONDS
TOL_NS=1000000        # 1 ms
MAXSLEEP_MS=200       # --maxsleep for captures with long idle gaps
LONG_GAP_S=60         # a capture spanning more than this gets --maxsleep

NS_A=wlt-$$-a
NS_B=wlt-$$-b
NS_L=wlt-$$-lo
VA=wla$$
VB=wlb$$
MAC_A=02:00:00:00:00:01
MAC_B=02:00:00:00:00:02
MAC_X=02:00:00:00:00:99   # destination of converted and tick frames: not b's,
                          # so b's stack drops them at once (PACKET_OTHERHOST)

tmp=$(mktemp -d /tmp/wlt-live.XXXXXX)
chmod 755 "$tmp"
NSS=()       # namespaces made here
PIDS=()      # processes started here (wirelat, tcpdump, tcpreplay, helpers)

cleanup() {
	local p ns
	trap - EXIT INT TERM
	for p in "${PIDS[@]}" $(cat "$tmp"/*.pid 2>/dev/null); do
		kill -TERM "$p" 2>/dev/null
	done
	sleep 0.2
	for p in "${PIDS[@]}" $(cat "$tmp"/*.pid 2>/dev/null); do
		kill -KILL "$p" 2>/dev/null
	done
	# anything still running inside our namespaces was started by us
	for ns in "${NSS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	ip -n "$NS_A" link del "$VA" 2>/dev/null
	for ns in "${NSS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${WIRELAT_TEST_KEEP:-}" ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT
trap 'exit 143' TERM

skip() { echo "SKIP: $*"; exit 77; }

inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }
# load_foreign: xdp-loader loads the foreign XDP program on b (stderr in
# $tmp/err). xdp-loader takes a lockfile in the bpffs that every instance
# shares and gives up at once when another holds it: the other hook's run
# of this test (HOOKS_PARALLEL) or any XDP tool; so it is tried again
load_foreign() {
	local n
	for n in $(seq 50); do
		inB xdp-loader load -m native "$VB" "$FOREIGN_OBJ" >"$tmp/err" 2>&1 && return 0
		grep -q -i 'lockfile\|lock file' "$tmp/err" || return 1
		sleep 0.1
	done
	return 1
}
inL() { ip netns exec "$NS_L" "$@"; }

# ---------------------------------------------------------------- helpers

cat >"$tmp/helper.py" <<'EOF'
import json, os, re, socket, struct, sys, time

def read_pcap(path):
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    for endian in ("<", ">"):
        m = struct.unpack(endian + "I", magic)[0]
        if m in (0xa1b2c3d4, 0xa1b23c4d):
            break
    else:
        raise SystemExit("%s: not a pcap file (pcapng is not converted)" % path)
    hdr = struct.unpack(endian + "IHHiIII", data[:24])
    recs, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(endian + "IIII", data[off:off + 16])
        recs.append((sec, frac, orig, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return endian, hdr, recs

def enet(src, dst, smac, dmac):
    """Linux cooked v1/v2 or raw IP -> Ethernet, timestamps kept exactly."""
    endian, hdr, recs = read_pcap(src)
    magic, vmaj, vmin, zone, sigfigs, snap, lt = hdr
    smac = bytes.fromhex(smac.replace(":", ""))
    dmac = bytes.fromhex(dmac.replace(":", ""))
    out = [struct.pack(endian + "IHHiIII", magic, vmaj, vmin, zone, sigfigs,
                       max(snap, 65535) + 14, 1)]
    for sec, frac, orig, pkt in recs:
        if lt == 113:        # LINUX_SLL: protocol at 14..16, payload at 16
            proto, body, hl = pkt[14:16], pkt[16:], 16
        elif lt == 276:      # LINUX_SLL2: protocol at 0..2, payload at 20
            proto, body, hl = pkt[0:2], pkt[20:], 20
        elif lt in (101, 12, 14, 228, 229):   # raw IP
            body, hl = pkt, 0
            v = pkt[0] >> 4 if pkt else 0
            proto = b"\x86\xdd" if v == 6 else b"\x08\x00"
        else:
            raise SystemExit("%s: link type %d not converted" % (src, lt))
        frame = dmac + smac + proto + body
        out.append(struct.pack(endian + "IIII", sec, frac, len(frame),
                               max(orig - hl, 0) + 14))
        out.append(frame)
    with open(dst, "wb") as f:
        f.write(b"".join(out))

def tick(dst, smac, dmac):
    """One non-IP frame (local experimental ethertype 0x88b5) that moves the
    truth's clock forward; wirelat and truth.py both ignore its content."""
    frame = bytes.fromhex(dmac.replace(":", "")) + bytes.fromhex(smac.replace(":", "")) \
        + b"\x88\xb5" + b"wirelat live test clock tick".ljust(46, b"\0")
    now = time.time()
    with open(dst, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        f.write(struct.pack("<IIII", int(now), 0, len(frame), len(frame)) + frame)

def is_tick(pkt):
    return pkt[12:14] == b"\x88\xb5"

def count_ticks(path):
    """Tick frames in a capture being written (a partial last record is fine)."""
    try:
        _, _, recs = read_pcap(path)
    except (OSError, struct.error, SystemExit):
        print(0)
        return
    print(sum(1 for r in recs if is_tick(r[3])))

def future(src, dst, seconds, smac, dmac):
    """A copy of capture SRC with one tick frame SECONDS after its last frame:
    its truth is what a wirelat left running that long reports."""
    endian, hdr, recs = read_pcap(src)
    nano = hdr[0] == 0xa1b23c4d
    sec, frac = recs[-1][0], recs[-1][1]
    frame = bytes.fromhex(dmac.replace(":", "")) + bytes.fromhex(smac.replace(":", "")) \
        + b"\x88\xb5" + b"wirelat live test clock tick".ljust(46, b"\0")
    out = [struct.pack(endian + "IHHiIII", *hdr)]
    for s_, f_, orig, pkt in recs:
        out.append(struct.pack(endian + "IIII", s_, f_, len(pkt), orig) + pkt)
    out.append(struct.pack(endian + "IIII", sec + int(seconds), frac, len(frame), len(frame)) + frame)
    with open(dst, "wb") as f:
        f.write(b"".join(out))

def count_timeouts(path):
    """Records that only the passing of time produces: handshake and DNS
    timeouts (truth.py or wirelat --json lines)."""
    n = 0
    for line in open(path):
        if not line.startswith("{"):
            continue
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if (r.get("type") == "tcp_handshake_failed" and r.get("reason") == "timeout") or \
                (r.get("type") == "dns_timeout" and r.get("reason") == "timeout"):
            n += 1
    print(n)

def maxdev(truth_path, got_path):
    """Largest |got - truth| over the durations and over ts (record pairs as
    check_records.py pairs them); prints 'LEG_NS TS_NS'."""
    sys.path.insert(0, os.environ["TESTS_DIR"])
    import check_records as cr
    truth, _ = cr.read_truth(truth_path)
    got = cr.read_got(got_path, [], False)
    leg = tsd = 0
    worst = ""
    for line in cr.compare(truth, got, 0):
        m = re.search(r"diff ([+-]\d+) ns", line)
        if not m:
            continue
        d = abs(int(m.group(1)))
        if ": ts: " in line:
            tsd = max(tsd, d)
        elif d > leg:
            leg, worst = d, line
    print(leg, tsd)
    if worst:
        sys.stderr.write("largest leg deviation: %s\n" % worst)

def loclient(n):
    """n TCP connections on 127.0.0.1 and n on ::1; prints one JSON tuple each."""
    for fam, addr, v in ((socket.AF_INET, "127.0.0.1", 4), (socket.AF_INET6, "::1", 6)):
        srv = socket.socket(fam, socket.SOCK_STREAM)
        srv.bind((addr, 0))
        srv.listen(16)
        port = srv.getsockname()[1]
        for _ in range(n):
            c = socket.create_connection((addr, port))
            a, _ = srv.accept()
            c.sendall(b"ping")
            a.recv(4)
            a.sendall(b"pong")
            c.recv(4)
            print(json.dumps({"family": v, "client_ip": addr,
                              "client_port": c.getsockname()[1],
                              "server_ip": addr, "server_port": port}), flush=True)
            c.close()
            a.close()
            time.sleep(0.05)
        srv.close()
    # a marker datagram to a socket of its own, sent after every close: once
    # the capture holds it, it holds every packet of the connections too
    m = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    m.bind(("127.0.0.1", 0))
    m.sendto(MARKER, m.getsockname())
    m.close()

MARKER = b"wirelat-lo-marker"

def count_marker(path):
    try:
        _, _, recs = read_pcap(path)
    except (OSError, struct.error, SystemExit):
        print(0)
        return
    print(sum(1 for r in recs if MARKER in r[3]))

def check_lo(expected_path, got_path, ifname):
    """Exactly one tcp_handshake per expected connection, nothing else
    handshake-related; legs positive and consistent."""
    exp = [json.loads(l) for l in open(expected_path) if l.strip()]
    got = []
    for l in open(got_path):
        try:
            r = json.loads(l)
        except ValueError:
            print("not JSON: %s" % l.strip()[:100]); return 1
        if r.get("type") in ("tcp_handshake", "tcp_handshake_failed"):
            got.append(r)
    bad = 0
    for e in exp:
        m = [r for r in got if r["type"] == "tcp_handshake" and r["family"] == e["family"]
             and r["client_port"] == e["client_port"] and r["server_port"] == e["server_port"]
             and r["client_ip"] == e["client_ip"] and r["server_ip"] == e["server_ip"]]
        if len(m) != 1:
            print("%d records for %s" % (len(m), json.dumps(e))); bad += 1
            continue
        r = m[0]
        if r.get("ifname") != ifname:
            print("ifname %r for %s" % (r.get("ifname"), json.dumps(e))); bad += 1
        s, a, h = r["syn_to_synack_ns"], r["synack_to_ack_ns"], r["handshake_ns"]
        if not (s > 0 and a > 0 and h == s + a and r["syn_retransmits"] == 0):
            print("odd legs %d/%d/%d: %s" % (s, a, h, json.dumps(r))); bad += 1
    if len(got) != len(exp):
        print("%d handshake records for %d connections" % (len(got), len(exp))); bad += 1
    print("loopback: %d connections, %d handshake records, %d problems" %
          (len(exp), len(got), bad))
    return 1 if bad else 0

def netshow(path):
    """bpftool -j net show dev X -> 'xdp=NAME:ID,..  tc_in=.. tc_eg=..'"""
    d = json.load(open(path))
    d = d[0] if d else {}
    xdp = ["%s" % x.get("id") for x in d.get("xdp", [])]
    tin = [x.get("name", "?") for x in d.get("tc", []) if x.get("kind", "").endswith("ingress")]
    teg = [x.get("name", "?") for x in d.get("tc", []) if x.get("kind", "").endswith("egress")]
    print("xdp=%s tc_in=%s tc_eg=%s" % (",".join(xdp), ",".join(tin), ",".join(teg)))

def holders(ids):
    """For each program id: 'ID:PID/COMM,..' of the processes holding an fd to it."""
    want = {int(i): [] for i in ids}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fds = os.listdir("/proc/%s/fdinfo" % pid)
            comm = open("/proc/%s/comm" % pid).read().strip()
        except OSError:
            continue
        for fd in fds:
            try:
                txt = open("/proc/%s/fdinfo/%s" % (pid, fd)).read()
            except OSError:
                continue
            m = re.search(r"^prog_id:\s*(\d+)", txt, re.M)
            if m and int(m.group(1)) in want:
                h = "%s/%s" % (pid, comm)
                if h not in want[int(m.group(1))]:
                    want[int(m.group(1))].append(h)
    print(" ".join("%d:%s" % (i, ",".join(h) or "-") for i, h in sorted(want.items())))

cmd = sys.argv[1]
if cmd == "enet":
    enet(*sys.argv[2:6])
elif cmd == "tick":
    tick(*sys.argv[2:5])
elif cmd == "count_marker":
    count_marker(sys.argv[2])
elif cmd == "count_ticks":
    count_ticks(sys.argv[2])
elif cmd == "future":
    future(*sys.argv[2:7])
elif cmd == "count_timeouts":
    count_timeouts(sys.argv[2])
elif cmd == "maxdev":
    maxdev(sys.argv[2], sys.argv[3])
elif cmd == "loclient":
    loclient(int(sys.argv[2]))
elif cmd == "check_lo":
    sys.exit(check_lo(*sys.argv[2:5]))
elif cmd == "holders_of":
    for fd in os.listdir("/proc/%s/fdinfo" % sys.argv[2]):
        try:
            m = re.search(r"^prog_id:\s*(\d+)", open("/proc/%s/fdinfo/%s" % (sys.argv[2], fd)).read(), re.M)
        except OSError:
            continue
        if m:
            print(m.group(1))
elif cmd == "holders":
    holders(sys.argv[2:])
elif cmd == "netshow":
    netshow(sys.argv[2])
EOF
export TESTS_DIR="$ROOT/tests"
helper() { $PY "$tmp/helper.py" "$@"; }

# Names of the programs attached to DEV in namespace NS:
# "xdp=ID[,ID] tc_in=NAME:[ID],.. tc_eg=NAME:[ID],.."
net_state() {
	ip netns exec "$1" bpftool -j net show dev "$2" >"$tmp/net.json" 2>/dev/null || echo '[]' >"$tmp/net.json"
	helper netshow "$tmp/net.json"
}
xdp_prog_name() { # NS DEV -> name of the XDP program, empty if none
	local id
	id=$(ip netns exec "$1" bpftool -j net show dev "$2" 2>/dev/null |
		$PY -c 'import json,sys; d=json.load(sys.stdin); x=d[0].get("xdp",[]) if d else []; print(x[0]["id"] if x else "")')
	[ -n "$id" ] && bpftool -j prog show id "$id" 2>/dev/null | $PY -c 'import json,sys; print(json.load(sys.stdin)["name"])'
}
has_clsact() { ip netns exec "$1" tc qdisc show dev "$2" | grep -q clsact; }
# what wirelat attached to b on this run's hook, as net_state shows it
HOOK=${WL_HOOK:-tc}
if [ "$HOOK" = tc ]; then
	ATTACHED_RE='^xdp= tc_in=wirelat_tc_in:\[[0-9]+\] tc_eg=wirelat_tc_eg:\[[0-9]+\]$'
	OTHER_HOOK=xdp
else
	ATTACHED_RE='^xdp=[0-9]+ tc_in= tc_eg=wirelat_tc_eg:\[[0-9]+\]$'
	OTHER_HOOK=tc
fi
# attached_ok NS DEV STATE: STATE is this hook's, the XDP program wirelat's
attached_ok() {
	[[ $3 =~ $ATTACHED_RE ]] || return 1
	[ "$HOOK" = tc ] || [ "$(xdp_prog_name "$1" "$2")" = wirelat_xdp ]
}
# ingress_id STATE: the id of wirelat's ingress program (XDP or TC)
ingress_id() {
	sed -n -e 's/^xdp=\([0-9][0-9]*\) .*/\1/p' -e 's/.*tc_in=wirelat_tc_in:\[\([0-9]*\)\].*/\1/p' <<<"$1" | head -1
}
wirelat_prog_ids() { # every loaded program named wirelat_*, by id
	bpftool -j prog show 2>/dev/null | $PY -c '
import json, sys
for p in json.load(sys.stdin):
    if p.get("name", "").startswith("wirelat_"):
        print(p["id"])' | sort -n
}
# ids of the programs one wirelat instance loaded: those sharing a map with
# program ID, and those the process PID (if given) holds
instance_prog_ids() {
	{
		instance_by_maps "$1"
		[ -n "${2:-}" ] && helper holders_of "$2"
	} | sort -nu
}
instance_by_maps() {
	bpftool -j prog show 2>/dev/null | $PY -c '
import json, sys
progs = json.load(sys.stdin)
seed = [p for p in progs if p["id"] == int(sys.argv[1])]
maps = set(seed[0].get("map_ids", [])) if seed else set()
for p in progs:
    if maps & set(p.get("map_ids", [])) or p["id"] == int(sys.argv[1]):
        print(p["id"])' "$1" | sort -n
}

# wait_for FILE REGEX SECONDS [PID]: until FILE has a line matching REGEX
wait_for() {
	local f=$1 re=$2 n=$(($3 * 10)) pid=${4:-}
	while [ $n -gt 0 ]; do
		grep -qE "$re" "$f" 2>/dev/null && return 0
		[ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null && { grep -qE "$re" "$f" 2>/dev/null; return; }
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# start_wirelat NAME NS [ARGS...]: sets WL_PID; stdout NAME.got, stderr NAME.err
start_wirelat() {
	local name=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$WIRELAT" "$@" >"$tmp/$name.got" 2>"$tmp/$name.err" &
	WL_PID=$!
	PIDS+=("$WL_PID")
	if ! wait_for "$tmp/$name.err" '^wirelat: watching ' 15 "$WL_PID"; then
		fail "$name: wirelat did not start: $(tr '\n' ' ' <"$tmp/$name.err" | head -c 400)"
		kill -KILL "$WL_PID" 2>/dev/null
		wait "$WL_PID" 2>/dev/null
		return 1
	fi
}

# stop_wirelat NAME: SIGINT, wait (10 s at most); sets WL_RC
stop_wirelat() {
	local name=$1 n=100
	kill -INT "$WL_PID" 2>/dev/null
	while kill -0 "$WL_PID" 2>/dev/null && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	if kill -0 "$WL_PID" 2>/dev/null; then
		fail "$name: wirelat still running 10 s after SIGINT"
		kill -KILL "$WL_PID" 2>/dev/null
	fi
	wait "$WL_PID"
	WL_RC=$?
}

# start_tcpdump NAME: capture on b in B into NAME.pcap; sets TD_PID
start_tcpdump() {
	local name=$1
	ip netns exec "$NS_B" tcpdump -i "$VB" -n -s 0 -U --immediate-mode -B 32768 -Z root \
		--time-stamp-precision=nano \
		-w "$tmp/$name.pcap" >"$tmp/$name.tdout" 2>"$tmp/$name.tderr" &
	TD_PID=$!
	PIDS+=("$TD_PID")
	if ! wait_for "$tmp/$name.tderr" 'listening on ' 10 "$TD_PID"; then
		fail "$name: tcpdump did not start: $(head -3 "$tmp/$name.tderr")"
		return 1
	fi
}

stop_tcpdump() {
	local name=$1 drops got seen
	kill -TERM "$TD_PID" 2>/dev/null
	wait "$TD_PID"
	if kill -0 "$TD_PID" 2>/dev/null; then
		fail "$name: tcpdump did not stop"
		return 1
	fi
	got=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured$/\1/p' "$tmp/$name.tderr")
	seen=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$tmp/$name.tderr")
	drops=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$tmp/$name.tderr")
	# on lo the kernel hands every packet over twice (out and in), libpcap
	# keeps one: there, received = 2 x captured
	[ "$name" = lo ] && seen=$((seen / 2))
	if [ -z "$got" ] || [ "${drops:-0}" != 0 ] || [ "$got" != "$seen" ]; then
		fail "$name: tcpdump: captured ${got:-?}, received ${seen:-?}, dropped ${drops:-?}: the truth may be incomplete"
	fi
}

# replay FILE [LANE]: tcpreplay FILE from A, in real time, or with
# --maxsleep when the capture spans more than LONG_GAP_S
replay() {
	local f=$1 lane=${2:-0} span n short extra=()
	span=$(capinfos -M -T -u "$f" 2>/dev/null | awk -F'\t' 'NR==2 {print int($2)}')
	[ "${span:-0}" -gt "$LONG_GAP_S" ] && extra=(--maxsleep="$MAXSLEEP_MS")
	ip netns exec "$NS_A" tcpreplay -i "$VA" -K -q -T nano "${extra[@]}" "$f" >"$tmp/replay.$lane.out" 2>&1 &
	echo $! >"$tmp/replay.$lane.pid"
	if ! wait $!; then
		echo "tcpreplay $(basename "$f") failed: $(tail -3 "$tmp/replay.$lane.out")" >>"$tmp/replay.errors"
	fi
	rm -f "$tmp/replay.$lane.pid"
	n=$(sed -n 's/^[[:space:]]*Failed packets:[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/replay.$lane.out")
	if [ "${n:-0}" -ne 0 ]; then
		# PF_PACKET refuses frames shorter than an Ethernet header (EINVAL):
		# tcp-malformed.pcap has one on purpose; the capture of b lacks it too
		short=$(tshark -r "$f" -Y 'frame.cap_len < 14' -T fields -e frame.number 2>/dev/null | wc -l)
		if [ "$n" -eq "$short" ]; then
			echo "note: $(basename "$f"): $n frame(s) shorter than an Ethernet header cannot be sent"
		else
			echo "tcpreplay $(basename "$f"): $n packets not sent: $(grep -v '^Warning' "$tmp/replay.$lane.out" | head -3 | tr '\n' ' ')" >>"$tmp/replay.errors"
		fi
	fi
	return 0
}

# send_tick NAME N: one tick frame from A, then wait until NAME.pcap holds N
# of them: every frame sent before it is then in the capture too (one veth,
# one queue, in order).
send_tick() {
	local name=$1 want=$2 n=300
	helper tick "$tmp/tick.pcap" "$MAC_A" "$MAC_X"
	inA tcpreplay -i "$VA" -q "$tmp/tick.pcap" >/dev/null 2>&1
	while [ "$(helper count_ticks "$tmp/$name.pcap")" -lt "$want" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ $n -gt 0 ] || fail "$name: tick $want never reached the capture"
}

# settle NAME: end the run at a state, not after a time. After the replay,
# handshakes and queries may still be pending; live wirelat reports each
# one's timeout once its deadline passes (the sweeper runs every second).
#   1. a tick, waited for in the capture: the capture holds everything sent;
#   2. the truth of that capture run on past every deadline (a copy with a
#      tick an hour later): how many timeouts live wirelat is to report;
#      wait until it has printed that many (60 s at most: a bound for a
#      broken run, not a timing the outcome depends on);
#   3. a second tick, sent after all of them: the capture's end (truth.py's
#      clock) is past every deadline, as live wirelat's clock is.
settle() {
	local name=$1 want n=600
	send_tick "$name" 1
	helper future "$tmp/$name.pcap" "$tmp/$name.future.pcap" 3600 "$MAC_A" "$MAC_X"
	$PY "$ROOT/tests/truth.py" "$tmp/$name.future.pcap" >"$tmp/$name.future.truth" 2>/dev/null
	want=$(helper count_timeouts "$tmp/$name.future.truth")
	while [ "$(helper count_timeouts "$tmp/$name.got")" -lt "$want" ] && [ $n -gt 0 ]; do
		sleep 0.1
		n=$((n - 1))
	done
	[ $n -gt 0 ] || fail "$name: wirelat reported $(helper count_timeouts "$tmp/$name.got") of $want timeouts within 60 s"
	send_tick "$name" 2
}

# compare NAME: truth from NAME.pcap, check_records with 1 ms tolerance;
# sets CMP_N (records compared), CMP_HS (tcp_handshake records), CMP_LEG, CMP_TS
compare() {
	local name=$1
	CMP_N=0 CMP_HS=0 CMP_LEG=- CMP_TS=-
	if ! $PY "$ROOT/tests/truth.py" "$tmp/$name.pcap" >"$tmp/$name.truth" 2>"$tmp/$name.terr"; then
		fail "$name: truth.py failed: $(tail -2 "$tmp/$name.terr")"
		return 1
	fi
	CMP_N=$(grep -c '"tcp_handshake' "$tmp/$name.truth")
	CMP_HS=$(grep -c '"type": *"tcp_handshake"' "$tmp/$name.truth")
	read -r CMP_LEG CMP_TS < <(helper maxdev "$tmp/$name.truth" "$tmp/$name.got" 2>"$tmp/$name.worst")
	if $PY "$ROOT/tests/check_records.py" --truth "$tmp/$name.truth" --got "$tmp/$name.got" \
		--tolerance-ns "$TOL_NS" --ifname "$VB" --strict --label "$name" >"$tmp/$name.cmp" 2>&1; then
		ok "$(tail -1 "$tmp/$name.cmp") (max leg deviation ${CMP_LEG} ns, max ts deviation ${CMP_TS} ns)"
		[ -s "$tmp/$name.worst" ] && echo "  $(cat "$tmp/$name.worst")"
	else
		head -40 "$tmp/$name.cmp"
		fail "$name: records differ from the truth of the tcpdump capture ($(tail -1 "$tmp/$name.cmp"))"
		return 1
	fi
}

# after a clean exit: nothing of wirelat on DEV in NS; our program ids gone
check_clean() {
	local label=$1 ns=$2 dev=$3 ids=$4 why=${5:-} st p left=""
	st=$(net_state "$ns" "$dev")
	if [[ $st == "xdp= tc_in= tc_eg=" ]]; then
		ok "$label: no XDP and no tc program on $dev"
	else
		fail "$label: left on $dev: $st"
	fi
	if has_clsact "$ns" "$dev"; then
		fail "$label: clsact qdisc left on $dev${why:+ ($why)}"
	else
		ok "$label: no clsact qdisc on $dev"
	fi
	for p in $ids; do
		bpftool prog show id "$p" >/dev/null 2>&1 && left+=" $p"
	done
	# wirelat_* programs that were not there when the test started; another
	# wirelat (another test run) may hold some: only ours count
	local new h
	new=$(comm -13 "$tmp/progs.before" <(wirelat_prog_ids))
	if [ -n "$left" ]; then
		fail "$label: programs of this wirelat still loaded: ids$left"
	elif [ -z "$new" ]; then
		ok "$label: bpftool prog show lists no wirelat_* program"
	else
		h=$(helper holders $new)
		ok "$label: bpftool prog show lists no wirelat_* program of this run (ids $(echo $ids) gone; other wirelat_* programs, id:holder: $h)"
	fi
}

# ---------------------------------------------------------------- setup

[ "$(id -u)" -eq 0 ] || skip "needs root"
for t in ip tc tcpreplay tcpdump tshark capinfos bpftool; do
	command -v "$t" >/dev/null || { echo "FAIL: $t not installed (tests/deps.sh)"; exit 1; }
done
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }

for ns in "$NS_A" "$NS_B" "$NS_L"; do
	ip netns add "$ns" 2>"$tmp/err" || skip "network namespaces unavailable: $(cat "$tmp/err")"
	NSS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.default.forwarding=0 >/dev/null || { echo "FAIL: sysctl in $ns"; exit 1; }
done
ip -n "$NS_A" link add name "$VA" type veth peer name "$VB" netns "$NS_B" 2>"$tmp/err" ||
	skip "veth unavailable: $(cat "$tmp/err")"
for x in "$NS_A $VA $MAC_A" "$NS_B $VB $MAC_B"; do
	set -- $x
	# no IPv6 (no autoconf chatter), no addresses, no routes: a dead end
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" >/dev/null
	ip -n "$1" link set dev "$2" address "$3" up || { echo "FAIL: link setup in $1"; exit 1; }
done
ip -n "$NS_L" link set dev lo up
for ns in "$NS_A" "$NS_B" "$NS_L"; do
	[ -z "$(ip -n "$ns" route show default; ip -n "$ns" -6 route show default)" ] ||
		{ echo "FAIL: $ns has a default route"; exit 1; }
	[ "$(ip netns exec "$ns" sysctl -n net.ipv4.ip_forward)$(ip netns exec "$ns" sysctl -n net.ipv6.conf.all.forwarding)" = 00 ] ||
		{ echo "FAIL: forwarding on in $ns"; exit 1; }
done

# a foreign XDP program (case 4), also the probe for XDP on veth
FOREIGN_OBJ=
for o in /usr/lib/*/bpf/xdpfilt_alw_all.o /usr/lib/bpf/xdpfilt_alw_all.o \
	/usr/share/xdp-tools/xdpfilt_alw_all.o; do
	[ -f "$o" ] && { FOREIGN_OBJ=$o; break; }
done
if command -v xdp-loader >/dev/null && [ -n "$FOREIGN_OBJ" ]; then
	load_foreign ||
		skip "native XDP on veth unavailable: $(tail -1 "$tmp/err")"
	inB ip link set dev "$VB" xdp off
else
	echo "note: xdp-loader or xdpfilt_alw_all.o missing: case 4 will be skipped"
	start_wirelat probe "$NS_B" -i "$VB" --xdp-mode native ||
		{ grep -q 'does not support XDP' "$tmp/probe.err" && skip "native XDP on veth unavailable"; exit 1; }
	stop_wirelat probe
fi
wirelat_prog_ids >"$tmp/progs.before"
echo "namespaces $NS_A ($VA) -> $NS_B ($VB), $NS_L; tmp $tmp"

# ---------------------------------------------------------------- case 6

echo "--- case 6: errors"
bad=wltno$$
inB "$WIRELAT" -i "$bad" --json >"$tmp/e1.out" 2>"$tmp/e1.err"
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$tmp/e1.err")" -eq 1 ] && grep -q "$bad" "$tmp/e1.err" &&
	[ ! -s "$tmp/e1.out" ]; then
	ok "-i $bad: exit $rc, one line: $(cat "$tmp/e1.err")"
else
	fail "-i $bad: exit $rc, stderr ($(wc -l <"$tmp/e1.err") lines): $(head -c 300 "$tmp/e1.err")"
fi
inB "$WIRELAT" -i "$VB" --xdp-mode bogus --json >"$tmp/e2.out" 2>"$tmp/e2.err"
rc=$?
if [ $rc -eq 2 ]; then
	ok "--xdp-mode bogus: exit 2: $(head -1 "$tmp/e2.err")"
else
	fail "--xdp-mode bogus: exit $rc (want 2): $(head -c 300 "$tmp/e2.err")"
fi
st=$(net_state "$NS_B" "$VB")
[[ $st == "xdp= tc_in= tc_eg=" ]] && ! has_clsact "$NS_B" "$VB" ||
	fail "errors: something attached to $VB after failed starts: $st"

# ---------------------------------------------------------------- case 5

echo "--- case 5: loopback"
if start_wirelat lo "$NS_L" -i lo --json; then
	st=$(net_state "$NS_L" lo)
	if [[ $st =~ ^xdp=\ tc_in=\ tc_eg=wirelat_tc_eg:\[[0-9]+\]$ ]] &&
		grep -q 'watching lo (ingress: none' "$tmp/lo.err"; then
		ok "lo: egress hook only ($st)"
	else
		fail "lo: want egress only, got: $st; $(grep watching "$tmp/lo.err")"
	fi
	lo_ids=$(instance_prog_ids "$(sed -n 's/.*tc_eg=wirelat_tc_eg:\[\([0-9]*\)\].*/\1/p' <<<"$st")" "$WL_PID")
	ip netns exec "$NS_L" tcpdump -i lo -n -s 0 -U --immediate-mode -Z root --time-stamp-precision=nano -w "$tmp/lo.pcap" \
		>/dev/null 2>"$tmp/lo.tderr" &
	TD_PID=$!
	PIDS+=("$TD_PID")
	wait_for "$tmp/lo.tderr" 'listening on ' 10 "$TD_PID" || fail "lo: tcpdump did not start"
	inL $PY "$tmp/helper.py" loclient 5 >"$tmp/lo.expected" 2>"$tmp/lo.clerr" ||
		fail "lo: client failed: $(tail -1 "$tmp/lo.clerr")"
	n=300	# until the capture holds the client's last datagram
	while [ "$(helper count_marker "$tmp/lo.pcap")" -lt 1 ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	[ $n -gt 0 ] || fail "lo: the marker datagram never reached the capture"
	stop_tcpdump lo
	stop_wirelat lo
	if [ "$WL_RC" -eq 0 ]; then ok "lo: exit 0 after SIGINT"; else fail "lo: exit $WL_RC after SIGINT"; fi
	keep_records lo "$tmp/lo.got" server_port	# the client's server listens on port 0
	if helper check_lo "$tmp/lo.expected" "$tmp/lo.got" lo >"$tmp/lo.chk"; then
		ok "$(tail -1 "$tmp/lo.chk")"
	else
		cat "$tmp/lo.chk"
		fail "lo: not one tcp_handshake record per connection"
	fi
	# the same against the truth of a capture on lo
	if $PY "$ROOT/tests/truth.py" "$tmp/lo.pcap" >"$tmp/lo.truth" 2>/dev/null &&
		$PY "$ROOT/tests/check_records.py" --truth "$tmp/lo.truth" --got "$tmp/lo.got" \
			--tolerance-ns "$TOL_NS" --ifname lo --strict --label lo >"$tmp/lo.cmp" 2>&1; then
		ok "$(tail -1 "$tmp/lo.cmp") (truth from tcpdump on lo)"
	else
		head -20 "$tmp/lo.cmp"
		fail "lo: records differ from the truth of tcpdump on lo"
	fi
	check_clean "lo" "$NS_L" lo "$lo_ids"
fi

# ---------------------------------------------------------------- case 3

echo "--- case 3: SIGKILL recovery"
if start_wirelat k1 "$NS_B" -i "$VB" --json; then
	st1=$(net_state "$NS_B" "$VB")
	k1_ids=$(instance_prog_ids "$(ingress_id "$st1")" "$WL_PID")
	kill -KILL "$WL_PID"
	wait "$WL_PID" 2>/dev/null
	st=$(net_state "$NS_B" "$VB")
	if [[ $st == "$st1" ]] && attached_ok "$NS_B" "$VB" "$st"; then
		ok "after kill -9 the ingress ($HOOK) and egress programs stay attached ($st)"
	else
		fail "after kill -9: want ingress ($HOOK) + tc egress left attached as before ($st1), got: $st"
	fi
	if start_wirelat k2 "$NS_B" -i "$VB" --json; then
		st=$(net_state "$NS_B" "$VB")
		if attached_ok "$NS_B" "$VB" "$st" && [[ $st != "$st1" ]]; then
			ok "restart: exactly one ingress ($HOOK) and one tc egress program, both the new ones ($st)"
		else
			fail "restart: want one new ingress ($HOOK) and one new wirelat_tc_eg, got: $st (before: $st1)"
		fi
		grep -q 'earlier wirelat' "$tmp/k2.err" &&
			ok "restart said: $(grep 'earlier wirelat' "$tmp/k2.err" | tr '\n' ' ')"
		k2_ids=$(instance_prog_ids "$(ingress_id "$st")" "$WL_PID")
		stop_wirelat k2
		if [ "$WL_RC" -eq 0 ]; then ok "restart: exit 0 after SIGINT"; else fail "restart: exit $WL_RC"; fi
		check_clean "after kill -9 + restart" "$NS_B" "$VB" "$k1_ids $k2_ids" \
			"the killed wirelat created it; the restarted one found it and kept it"
	fi
	# whatever is left must not disturb the next cases
	inB ip link set dev "$VB" xdp off 2>/dev/null
	inB tc qdisc del dev "$VB" clsact 2>/dev/null
fi
# killed on the other hook, restarted on this one: the other hook's program
# goes (wirelat_xdp and wirelat_tc_in both attached count ingress twice)
if start_wirelat k5 "$NS_B" -i "$VB" --json --ingress "$OTHER_HOOK"; then
	st1=$(net_state "$NS_B" "$VB")
	k5_ids=$(instance_prog_ids "$(ingress_id "$st1")" "$WL_PID")
	kill -KILL "$WL_PID"
	wait "$WL_PID" 2>/dev/null
	if start_wirelat k6 "$NS_B" -i "$VB" --json; then
		st=$(net_state "$NS_B" "$VB")
		if attached_ok "$NS_B" "$VB" "$st" && grep -q 'removing .* left on .* by an earlier wirelat' "$tmp/k6.err"; then
			ok "killed on $OTHER_HOOK ingress, restarted on $HOOK: its program removed ($st): $(grep 'removing' "$tmp/k6.err")"
		else
			fail "killed on $OTHER_HOOK ingress, restarted on $HOOK: want $HOOK ingress only, got: $st (before: $st1; $(tr '\n' '|' <"$tmp/k6.err"))"
		fi
		k6_ids=$(instance_prog_ids "$(ingress_id "$st")" "$WL_PID")
		stop_wirelat k6
		check_clean "after kill -9 on $OTHER_HOOK + restart on $HOOK" "$NS_B" "$VB" "$k5_ids $k6_ids" \
			"the killed wirelat created it; the restarted one removes it"
	fi
	inB ip link set dev "$VB" xdp off 2>/dev/null
	inB tc qdisc del dev "$VB" clsact 2>/dev/null
fi

# ---------------------------------------------------------------- case 4

echo "--- case 4: foreign XDP program"
if [ -z "$FOREIGN_OBJ" ] || ! command -v xdp-loader >/dev/null; then
	echo "skip: case 4 (no xdp-loader / xdpfilt_alw_all.o)"
elif ! load_foreign; then
	fail "foreign: could not load $FOREIGN_OBJ: $(tail -1 "$tmp/err")"
else
	fname=$(xdp_prog_name "$NS_B" "$VB")
	fst=$(net_state "$NS_B" "$VB")
	if start_tcpdump foreign && start_wirelat foreign "$NS_B" -i "$VB" --json; then
		# a hook that wants XDP says why ingress is on TC; TC wants nothing
		n=$(grep -c 'not wirelat' "$tmp/foreign.err")
		want=1
		[ "$HOOK" = tc ] && want=0
		if [ "$n" -eq $want ] && grep -q 'ingress: tc' "$tmp/foreign.err"; then
			ok "foreign: $n line(s) about it, ingress on TC: $(grep 'not wirelat\|watching' "$tmp/foreign.err" | tr '\n' ' ')"
		else
			fail "foreign: want $want line(s) about the foreign XDP program and TC ingress, stderr: $(tr '\n' '|' <"$tmp/foreign.err")"
		fi
		st=$(net_state "$NS_B" "$VB")
		if [[ $st =~ ^xdp=([0-9]+)\ tc_in=wirelat_tc_in:\[[0-9]+\]\ tc_eg=wirelat_tc_eg:\[[0-9]+\]$ ]] &&
			[ "$(xdp_prog_name "$NS_B" "$VB")" = "$fname" ]; then
			ok "foreign: $fname kept, wirelat on tc ingress + egress ($st)"
		else
			fail "foreign: want $fname on XDP and wirelat on tc ingress+egress, got: $st"
		fi
		f_ids=$(instance_prog_ids "$(sed -n 's/.*tc_in=wirelat_tc_in:\[\([0-9]*\)\].*/\1/p' <<<"$st")" "$WL_PID")
		rm -f "$tmp/replay.errors"
		for f in "$ROOT"/pcaps/tcp-ipv4.pcap "$ROOT"/pcaps/tcp-vlan.pcap "$ROOT"/pcaps/tcp-ipv6-ext.pcap; do
			replay "$f" f
		done
		[ -s "$tmp/replay.errors" ] && fail "foreign: $(cat "$tmp/replay.errors")"
		settle foreign
		stop_wirelat foreign
		stop_tcpdump foreign
		if [ "$WL_RC" -eq 0 ]; then ok "foreign: exit 0 after SIGINT"; else fail "foreign: exit $WL_RC"; fi
		compare foreign
		keep_records foreign "$tmp/foreign.got"
		[ "$CMP_HS" -gt 0 ] || fail "foreign: no handshake in the capture"
		st=$(net_state "$NS_B" "$VB")
		if [ "$st" = "$fst" ] && [ "$(xdp_prog_name "$NS_B" "$VB")" = "$fname" ]; then
			ok "foreign: $fname still attached after exit, no tc program left ($st)"
		else
			fail "foreign: after exit want only $fname ($fst), got: $st"
		fi
		has_clsact "$NS_B" "$VB" && fail "foreign: clsact qdisc left on $VB"
		for p in $f_ids; do
			bpftool prog show id "$p" >/dev/null 2>&1 && fail "foreign: program $p still loaded"
		done
	else
		kill -TERM "$TD_PID" 2>/dev/null
	fi
	inB ip link set dev "$VB" xdp off
	[ -z "$(xdp_prog_name "$NS_B" "$VB")" ] || fail "foreign: could not remove $fname"
	inB tc qdisc del dev "$VB" clsact 2>/dev/null

	# killed while on TC ingress, restarted once the foreign program is
	# gone: XDP takes ingress and the old wirelat_tc_in goes (it would
	# count every packet twice); on TC, case 3 has this already
	if [ "$HOOK" = tc ]; then
		:
	elif load_foreign &&
		start_wirelat k3 "$NS_B" -i "$VB" --json; then
		k3_ids=$(instance_prog_ids "$(net_state "$NS_B" "$VB" |
			sed -n 's/.*tc_in=wirelat_tc_in:\[\([0-9]*\)\].*/\1/p')" "$WL_PID")
		kill -KILL "$WL_PID"
		wait "$WL_PID" 2>/dev/null
		inB ip link set dev "$VB" xdp off
		if start_wirelat k4 "$NS_B" -i "$VB" --json; then
			st=$(net_state "$NS_B" "$VB")
			if attached_ok "$NS_B" "$VB" "$st" &&
				grep -q 'removing TC ingress program' "$tmp/k4.err"; then
				ok "killed on TC ingress, restarted with XDP free: the old wirelat_tc_in removed ($st): $(grep 'TC ingress' "$tmp/k4.err")"
			else
				fail "killed on TC ingress, restarted with XDP free: want XDP + tc egress only, got: $st ($(tr '\n' '|' <"$tmp/k4.err"))"
			fi
			k4_ids=$(instance_prog_ids "$(ingress_id "$st")" "$WL_PID")
			stop_wirelat k4
			check_clean "after kill -9 on TC ingress + restart" "$NS_B" "$VB" "$k3_ids $k4_ids" \
				"the killed wirelat created it; the restarted one removes it"
		fi
	else
		fail "foreign: could not load $FOREIGN_OBJ again: $(tail -1 "$tmp/err")"
	fi
	inB ip link set dev "$VB" xdp off 2>/dev/null
	inB tc qdisc del dev "$VB" clsact 2>/dev/null
fi

# ---------------------------------------------------------------- cases 1, 2

echo "--- case 1: replay through veth"
# frames up to 5.5 kB (a loopback capture) and three VLAN tags; a program
# without xdp.frags could not attach at this MTU (ERANGE), wirelat's can
ip -n "$NS_A" link set dev "$VA" mtu 9000 && ip -n "$NS_B" link set dev "$VB" mtu 9000 ||
	fail "cannot set MTU 9000 on the veth pair"
# captures: Ethernet ones as they are; Linux cooked / raw IP converted
caps=()
for f in "$ROOT"/pcaps/*.pcap; do caps+=("$f"); done
if d=$(shared_pcaps); then
	for f in "$d"/*.pcap "$d"/*.pcapng; do
		[ -f "$f" ] || continue
		enc=$(capinfos -M -T -E "$f" 2>/dev/null | awk -F'\t' 'NR==2 {print $2}')
		case $enc in
		ether) g=$f ;;
		linux-sll | linux-sll2 | rawip | rawip4 | rawip6)
			g="$tmp/$(basename "${f%.*}").enet.pcap"
			if ! helper enet "$f" "$g" "$MAC_A" "$MAC_X" 2>"$tmp/err"; then
				echo "note: $(basename "$f") ($enc) not converted: $(tail -1 "$tmp/err")"
				continue
			fi
			echo "note: $(basename "$f") ($enc) converted to Ethernet"
			;;
		*) echo "note: $(basename "$f") ($enc) skipped"; continue ;;
		esac
		caps+=("$g")
	done
else
	echo "WARNING: third-party captures not found (pcaps/third-party); set WIRELAT_SHARED_PCAPS"
fi

# Captures replay in LANES concurrent lanes, balanced by how long each
# takes to send (its span, or at most --maxsleep per frame when it gets
# one): longest first, each to the lane with the least so far. Real-time
# replay is the test's time (one lane took 3 minutes per hook); concurrent
# captures cannot disturb each other's measurements: no two of them share
# a flow (checked: every 5-tuple of pcaps/ and the third-party set belongs
# to one capture), and the truth is tcpdump's capture of them all
LANES=${WIRELAT_LIVE_LANES:-5}
send_time() {
	local s
	s=$(capinfos -M -T -u "$1" 2>/dev/null | awk -F'\t' 'NR==2 { print $2 + 0 }')
	if awk -v s="${s:-0}" -v gap="$LONG_GAP_S" 'BEGIN { exit !(s > gap) }'; then
		tshark -r "$1" -T fields -e frame.time_delta 2>/dev/null |
			awk -v ms="$MAXSLEEP_MS" '$1 > 0 { t += ($1 < ms / 1000 ? $1 : ms / 1000) } END { printf "%.3f\n", t }'
	else
		echo "${s:-0}"
	fi
}
for f in "${caps[@]}"; do
	printf '%s\t%s\n' "$(send_time "$f")" "$f"
done | sort -t$'\t' -k1,1nr | awk -F'\t' -v n="$LANES" -v dir="$tmp" '
	BEGIN { for (i = 1; i <= n; i++) load[i] = 0 }
	{ m = 1; for (i = 2; i <= n; i++) if (load[i] < load[m]) m = i
	  load[m] += $1; print $2 > (dir "/lane." m) }
	END { for (i = 1; i <= n; i++) printf "lane %d: %.0f s\n", i, load[i] }' >"$tmp/lanes"
echo "replaying ${#caps[@]} captures in $LANES concurrent lanes ($(paste -sd, "$tmp/lanes"))"

# run_lane K: replay lane K's captures one after the other
run_lane() {
	local lane=$1 f
	[ -f "$tmp/lane.$lane" ] || return 0
	while IFS= read -r f; do
		replay "$f" "$lane"
	done <"$tmp/lane.$lane"
}

if start_tcpdump live && start_wirelat live "$NS_B" -i "$VB" --json; then
	st=$(net_state "$NS_B" "$VB")
	mode=$(inB ip -d link show dev "$VB" | grep -o 'xdp[a-z]*' | head -1)
	echo "attached: $st (ip link: $mode); $(grep watching "$tmp/live.err")"
	live_ids=$(instance_prog_ids "$(ingress_id "$st")" "$WL_PID")
	[ -n "$live_ids" ] && attached_ok "$NS_B" "$VB" "$st" ||
		fail "live: no $HOOK ingress program of wirelat on $VB ($st)"
	rm -f "$tmp/replay.errors"
	t0=$SECONDS
	lane_pids=()
	for ((k = 1; k <= LANES; k++)); do
		run_lane "$k" &
		lane_pids+=($!)
		PIDS+=($!)
	done
	wait "${lane_pids[@]}"
	echo "replay took $((SECONDS - t0)) s"
	[ -s "$tmp/replay.errors" ] && fail "live: $(cat "$tmp/replay.errors")"
	settle live
	stop_wirelat live
	stop_tcpdump live
	grep -v '^wirelat: watching' "$tmp/live.err" | head -5
	compare live
	keep_records replay "$tmp/live.got"
	HS_TOTAL=$CMP_N
	[ "$CMP_HS" -ge 100 ] && ok "live: $CMP_HS completed handshakes ($CMP_N handshake records) compared" ||
		fail "live: only $CMP_HS completed handshakes in the capture (want >= 100)"
	LEG=$CMP_LEG TSD=$CMP_TS

	echo "--- case 2: clean exit"
	if [ "$WL_RC" -eq 0 ]; then ok "exit 0 after SIGINT"; else fail "exit $WL_RC after SIGINT"; fi
	check_clean "after SIGINT" "$NS_B" "$VB" "$live_ids"
fi

echo "summary: ${HS_TOTAL:-0} handshake records compared live, max leg deviation ${LEG:--} ns, max ts deviation ${TSD:--} ns, $((SECONDS - T_START)) s, $FAILS failures"
[ "$FAILS" -eq 0 ]
