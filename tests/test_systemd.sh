#!/usr/bin/env bash
# deploy/wirelat.service, statically and at run time:
#   1. systemd-analyze verify accepts the unit (its paths pointed at this
#      tree); it runs without root (DynamicUser= or a User= other than root),
#      AmbientCapabilities= equals CapabilityBoundingSet=, Restart=on-failure,
#      the interfaces come from EnvironmentFile=;
#   2. the daemon as the unit starts it: the ExecStart= command line (the
#      shell that turns WIRELAT_INTERFACES into -i options) with the variables
#      of an environment file made from deploy/wirelat.env, run by setpriv
#      as a non-root uid holding exactly the unit's capabilities (ambient,
#      bounding, inheritable; no_new_privs) in a test namespace whose veth
#      receives a tcpreplay of pcaps/tcp-ipv4.pcap and pcaps/dns-udp.pcap:
#      under the unit's seccomp filters (SystemCallFilter=,
#      SystemCallErrorNumber=, SystemCallArchitectures=,
#      RestrictAddressFamilies=, MemoryDenyWriteExecute=, made by
#      tests/seccomp_exec as systemd makes them: no systemd as PID 1 here):
#      it attaches, every handshake and DNS record of the captures appears,
#      /metrics and /healthz answer; once attached it holds CAP_NET_ADMIN
#      only (and CAP_BPF on a kernel before 5.19), every thread (read in
#      /proc/PID/status and task/*/status), and after it the records, the
#      sweep and the scrapes go on; SIGTERM (the unit's KillSignal): exit 0
#      and nothing stays attached;
#   3. the set is minimal: without any one of its capabilities wirelat does
#      not start (a one-line reason, exit 1) and leaves nothing attached;
#   4. after a SIGKILL the unit's ExecStopPost=+ helper (wirelat-cleanup, as
#      root) removes the leftovers and the daemon starts again;
#   5. as root with --user nobody: nobody's uid and the kept capabilities
#      once attached, every thread; measured, scraped, detached at exit;
#      an unknown user is a bad command line (exit 2, one line); a
#      --listen port another process holds: exit 1, nothing attached.
# The namespaces are entered with nsenter --net (the daemon sees the host's
# /sys, bpffs included, as under systemd; ip netns exec would remount /sys).
#
# Network rules: both namespaces are made here, joined only by their veth
# pair, no addresses on it, no default route, forwarding off. The trap
# removes the namespaces and every process started, also on failure.
#
# Environment: WIRELAT_BIN overrides the binary. Exit 0 pass, 1 fail, 77 no
# root / namespaces / setpriv.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -n "${WIRELAT_BIN:-}" ] && WIRELAT=$WIRELAT_BIN

UNIT="$ROOT/deploy/wirelat.service"
ENVEX="$ROOT/deploy/wirelat.env"
CLEANUP="$ROOT/deploy/wirelat-cleanup"
DYN_UID=61234                 # in systemd's DynamicUser= range 61184..65519
NS_A=wls-$$-a
NS_H=wls-$$-h
VA=wsa$$
VH=wsh$$

tmp=$(mktemp -d /tmp/wl-systemd.XXXXXX)
chmod 755 "$tmp"
NSS=()
PIDS=()

cleanup() {
	local p ns
	trap - EXIT INT TERM
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.2
	for p in "${PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
	for ns in "${NSS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo interrupted; exit 130' INT
trap 'exit 143' TERM

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
for t in setpriv nsenter; do command -v $t >/dev/null || skip "$t missing (util-linux)"; done
for t in tcpreplay bpftool curl tc; do
	command -v $t >/dev/null || { echo "FAIL: $t not installed (tests/deps.sh)"; exit 1; }
done
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
# the unprivileged uid must reach the binary: the checkout may sit in a
# directory only root can enter (a CI clone in mktemp -d), so run a copy
cp "$WIRELAT" "$tmp/wirelat" && chmod 755 "$tmp/wirelat"
WIRELAT=$tmp/wirelat

# ---------------------------------------------------------------- 1. the unit
echo "--- 1. the unit file"
if command -v systemd-analyze >/dev/null; then
	mkdir -p "$tmp/man/man8"
	cp "$ROOT/man/wirelat.8" "$tmp/man/man8/"
	sed -e "s|/usr/local/sbin/wirelat|$WIRELAT|g" -e "s|/usr/local/lib/wirelat/wirelat-cleanup|$CLEANUP|g" \
		"$UNIT" >"$tmp/wirelat.service"
	if MANPATH="$tmp/man" systemd-analyze verify "$tmp/wirelat.service" >"$tmp/verify.out" 2>&1 &&
		[ ! -s "$tmp/verify.out" ]; then
		ok "systemd-analyze verify wirelat.service: no complaint"
	else
		fail "systemd-analyze verify: $(tr '\n' ' ' <"$tmp/verify.out")"
	fi
else
	fail "systemd-analyze missing (Debian: systemd)"
fi
# KEY=VALUE lines of the unit, the ExecStart argv, the capability sets
$PY - "$UNIT" >"$tmp/unit.sh" <<'PY'
import shlex, sys
kv = {}
for line in open(sys.argv[1]):
    line = line.strip()
    if "=" in line and not line.startswith(("#", ";", "[")):
        k, v = line.split("=", 1)
        kv.setdefault(k, []).append(v)
def caps(key):
    return sorted({c for v in kv.get(key, []) for c in v.split()})
def one(key):
    return kv.get(key, [""])[-1]
execs = kv.get("ExecStart", [])
argv = shlex.split(execs[0].replace("$$", "$")) if len(execs) == 1 else []
print("AMBIENT=%s" % shlex.quote(" ".join(caps("AmbientCapabilities"))))
print("BOUNDING=%s" % shlex.quote(" ".join(caps("CapabilityBoundingSet"))))
print("DYNAMIC=%s" % shlex.quote(one("DynamicUser")))
print("USER=%s" % shlex.quote(one("User")))
print("RESTART=%s" % shlex.quote(one("Restart")))
print("ENVFILE=%s" % shlex.quote(one("EnvironmentFile")))
print("NNP=%s" % shlex.quote(one("NoNewPrivileges")))
print("KILLSIG=%s" % shlex.quote(one("KillSignal") or "SIGTERM"))
print("STOPPOST=%s" % shlex.quote(one("ExecStopPost")))
print("EXEC_SH=%s" % shlex.quote(argv[0] if argv else ""))
print("EXEC_C=%s" % shlex.quote(argv[1] if len(argv) > 1 else ""))
print("EXEC_SCRIPT=%s" % shlex.quote(argv[2] if len(argv) > 2 else ""))
PY
. "$tmp/unit.sh"
if [ "$DYNAMIC" = yes ] || { [ -n "$USER" ] && [ "$USER" != root ] && [ "$USER" != 0 ]; }; then
	ok "runs as a non-root user (DynamicUser=$DYNAMIC User=$USER)"
else
	fail "the unit runs as root (DynamicUser=$DYNAMIC User=$USER)"
fi
if [ -n "$AMBIENT" ] && [ "$AMBIENT" = "$BOUNDING" ]; then
	ok "AmbientCapabilities = CapabilityBoundingSet = $AMBIENT"
else
	fail "AmbientCapabilities ($AMBIENT) != CapabilityBoundingSet ($BOUNDING)"
fi
case " $AMBIENT " in *" CAP_SYS_ADMIN "*) fail "the unit grants CAP_SYS_ADMIN" ;; esac
[ "$RESTART" = on-failure ] && ok "Restart=on-failure" || fail "Restart=$RESTART"
[ "$ENVFILE" = /etc/default/wirelat ] && ok "EnvironmentFile=$ENVFILE" || fail "EnvironmentFile=$ENVFILE"
[ "$NNP" = yes ] && ok "NoNewPrivileges=yes" || fail "NoNewPrivileges=$NNP"
[ "$EXEC_SH $EXEC_C" = "/bin/sh -c" ] && grep -q WIRELAT_INTERFACES <<<"$EXEC_SCRIPT" &&
	grep -q 'exec /usr/local/sbin/wirelat ' <<<"$EXEC_SCRIPT" &&
	ok "ExecStart=/bin/sh -c '... -i per word of WIRELAT_INTERFACES ... exec /usr/local/sbin/wirelat ...'" ||
	fail "ExecStart is not the expected shell command: $EXEC_SH $EXEC_C $EXEC_SCRIPT"
[ "$STOPPOST" = "+/usr/local/lib/wirelat/wirelat-cleanup" ] && ok "ExecStopPost=$STOPPOST" ||
	fail "ExecStopPost=$STOPPOST"
SCRIPT=${EXEC_SCRIPT//\/usr\/local\/sbin\/wirelat/$WIRELAT}

# ---------------------------------------------------------------- setup
for ns in "$NS_A" "$NS_H"; do
	ip netns add "$ns" 2>"$tmp/err" || skip "network namespaces unavailable: $(cat "$tmp/err")"
	NSS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.default.forwarding=0 >/dev/null
	ip -n "$ns" link set lo up
done
ip -n "$NS_A" link add "$VA" type veth peer name "$VH" netns "$NS_H" 2>"$tmp/err" ||
	skip "veth unavailable: $(cat "$tmp/err")"
for x in "$NS_A $VA" "$NS_H $VH"; do
	set -- $x
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" >/dev/null
	ip -n "$1" link set dev "$2" up
done
for ns in "$NS_A" "$NS_H"; do
	[ -z "$(ip -n "$ns" route show default; ip -n "$ns" -6 route show default)" ] ||
		{ echo "FAIL: $ns has a default route"; exit 1; }
done

# the environment file an administrator would write, read as systemd does
sed -e "s|^WIRELAT_INTERFACES=.*|WIRELAT_INTERFACES=\"$VH\"|" \
	-e 's|^WIRELAT_ARGS=.*|WIRELAT_ARGS="--json --listen 127.0.0.1:9745"|' "$ENVEX" >"$tmp/default-wirelat"
mapfile -t ENVV < <($PY - "$tmp/default-wirelat" <<'PY'
import shlex, sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line and not line.startswith(("#", ";")) and "=" in line:
        k, v = line.split("=", 1)
        print("%s=%s" % (k.strip(), " ".join(shlex.split(v)) if v.strip() else ""))
PY
)
echo "environment: ${ENVV[*]}"

# expected records: the captures offline
EXP_HS=0 EXP_DNS=0
for f in tcp-ipv4 dns-udp; do
	"$WIRELAT" -r "$ROOT/pcaps/$f.pcap" --json >"$tmp/$f.offline" 2>/dev/null
done
EXP_HS=$(cat "$tmp"/*.offline | grep -c '"type":"tcp_handshake"')
EXP_DNS=$(cat "$tmp"/*.offline | grep -c '"type":"dns"')
[ "$EXP_HS" -gt 0 ] && [ "$EXP_DNS" -gt 0 ] || fail "offline analysis of the captures gave $EXP_HS handshakes, $EXP_DNS DNS records"

# the unit's seccomp settings, as systemd would apply them (no systemd as
# PID 1 here): tests/seccomp_exec installs the same filters and execs the
# ExecStart= shell; SystemCallFilter='s groups expanded by systemd-analyze
unit_val() { sed -n "s/^$1=//p" "$UNIT" | tail -1; }
expand_syscalls() { # NAME|@GROUP...: syscall names
	local x
	for x in "$@"; do
		if [[ $x == @* ]]; then
			expand_syscalls $(systemd-analyze syscall-filter "$x" | tail -n +2 | sed 's/#.*//')
		else
			echo "$x"
		fi
	done
}
declare -A SYSNR=()
while read -r _ name nr; do
	SYSNR[${name#__NR_}]=$nr
done < <(echo '#include <sys/syscall.h>' | ${CC:-cc} -E -dM - | grep '^#define __NR_[a-z0-9_]* [0-9]*$')
allow=()
for s in $(expand_syscalls $(unit_val SystemCallFilter) | sort -u); do
	[ -n "${SYSNR[$s]:-}" ] && allow+=("${SYSNR[$s]}")
done
fams=()
for f in $(unit_val RestrictAddressFamilies); do
	fams+=("$($PY -c "import socket, sys; print(int(getattr(socket, sys.argv[1])))" "$f")")
done
errno=$($PY -c "import errno, sys; print(getattr(errno, sys.argv[1]))" "$(unit_val SystemCallErrorNumber)")
SECCOMP=("$ROOT/build/tests/seccomp_exec" --allow "$(IFS=,; echo "${allow[*]}")"
	--families "$(IFS=,; echo "${fams[*]}")" --errno "$errno")
[ "$(unit_val MemoryDenyWriteExecute)" = yes ] && SECCOMP+=(--mdwe)
[ "$(unit_val SystemCallArchitectures)" = native ] && [ "$(uname -m)" = x86_64 ] &&
	[ ${#allow[@]} -gt 200 ] && [ -x "${SECCOMP[0]}" ] ||
	fail "the unit's seccomp filters cannot be made here: SystemCallArchitectures=$(unit_val SystemCallArchitectures) on $(uname -m), ${#allow[@]} syscalls from SystemCallFilter=$(unit_val SystemCallFilter), ${SECCOMP[0]}"
echo "seccomp as the unit sets it: ${#allow[@]} syscalls allowed (SystemCallFilter=$(unit_val SystemCallFilter)), others errno $errno; socket() families ${fams[*]}; MemoryDenyWriteExecute=$(unit_val MemoryDenyWriteExecute)"

capset() { # "CAP_A CAP_B" -> "-all,+a,+b"
	local s="-all" c
	for c in $1; do c=${c#CAP_}; s+=",+${c,,}"; done
	echo "$s"
}
capmask() { # "CAP_A CAP_B" -> the hex mask /proc/PID/status shows
	$PY -c '
import ctypes, ctypes.util, sys
libcap = ctypes.CDLL(ctypes.util.find_library("cap"))
m = 0
for name in sys.argv[1:]:
    v = ctypes.c_int()
    if libcap.cap_from_name(name.lower().encode(), ctypes.byref(v)) != 0:
        sys.exit("unknown capability " + name)
    m |= 1 << v.value
print("%016x" % m)' $1
}
# start NAME "CAPS": the unit's command line as the dynamic user; sets PID
start() {
	local name=$1 c
	c=$(capset "$2")
	nsenter --net="/run/netns/$NS_H" setpriv --reuid=$DYN_UID --regid=$DYN_UID --clear-groups \
		--no-new-privs --inh-caps="$c" --ambient-caps="$c" --bounding-set="$c" -- \
		"${SECCOMP[@]}" -- \
		env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${ENVV[@]}" /bin/sh -c "$SCRIPT" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	PID=$!
	PIDS+=("$PID")
	for _ in $(seq 100); do
		grep -q '^wirelat: watching' "$tmp/$name.err" && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^wirelat: watching' "$tmp/$name.err"
}
# stop SIGNAL: sets RC (125 if it did not exit within TimeoutStopSec)
stop() {
	local n=150
	kill -"$1" "$PID" 2>/dev/null
	while kill -0 "$PID" 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	if kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID"
		wait "$PID" 2>/dev/null
		RC=125
	else
		wait "$PID" 2>/dev/null
		RC=$?
	fi
}
attached() { # what is on VH: "xdp=IDS tc=NAMES clsact=yes|no"
	local j
	j=$(ip netns exec "$NS_H" bpftool -j net show dev "$VH" 2>/dev/null)
	$PY -c '
import json, sys
d = json.loads(sys.argv[1] or "[]")
d = d[0] if d else {}
print("xdp=%s tc=%s" % (",".join(str(x["id"]) for x in d.get("xdp", [])),
                        ",".join(x.get("name", "?") for x in d.get("tc", []))), end="")' "$j"
	ip netns exec "$NS_H" tc qdisc show dev "$VH" | grep -q clsact && echo " clsact=yes" || echo " clsact=no"
}
CLEAN="xdp= tc= clsact=no"
prog_ids() { # ids of the programs attached to VH
	ip netns exec "$NS_H" bpftool -j net show dev "$VH" 2>/dev/null | $PY -c '
import json, sys
d = json.load(sys.stdin)
d = d[0] if d else {}
print(" ".join(str(x["id"]) for x in d.get("xdp", []) + d.get("tc", [])))'
}
# replay_and_scrape: tcp-ipv4 and dns-udp from A, then /metrics (into
# $tmp/metrics.txt) until the counters hold the whole replay (20 s at most);
# c: the completed handshakes last read
replay_and_scrape() {
	local f
	for f in tcp-ipv4 dns-udp; do
		ip netns exec "$NS_A" tcpreplay -i "$VA" -K -q "$ROOT/pcaps/$f.pcap" >"$tmp/replay.out" 2>&1 ||
			fail "tcpreplay $f: $(tail -2 "$tmp/replay.out")"
	done
	for _ in $(seq 200); do
		ip netns exec "$NS_H" curl -s -m 3 http://127.0.0.1:9745/metrics >"$tmp/metrics.txt"
		c=$(metric_value "$tmp/metrics.txt" "wirelat_tcp_handshakes_total{interface=\"$VH\",result=\"completed\"}")
		[ "$c" = "$EXP_HS" ] && break
		sleep 0.1
	done
}

explain() { # NAME RC: the known causes of a failure, for the reader
	if [ "$2" -eq 139 ]; then
		echo "  wirelat crashed (SIGSEGV). Known cause with libxdp 1.3.1: xdp_program__from_fd() without CAP_SYS_ADMIN"
		echo "  (BTF_GET_FD_BY_ID is refused, the program is returned with its fd closed, xdp_program__attach() dereferences NULL)"
	fi
}

# ---------------------------------------------------------------- 2. run
# what wirelat keeps once attached (user/attach/privs.c): CAP_NET_ADMIN
# (the netlink detach at exit), and CAP_BPF where the kernel checks it on
# every bpf() command (before 5.19, with unprivileged_bpf_disabled set:
# "bpf: Limit unprivileged_bpf_disabled to only object creation")
keep="CAP_NET_ADMIN"
IFS=.- read -r kmaj kmin _ <<<"$(uname -r)"
if [ "$kmaj" -lt 5 ] || { [ "$kmaj" -eq 5 ] && [ "$kmin" -lt 19 ]; }; then
	[ "$(sysctl -n kernel.unprivileged_bpf_disabled)" != 0 ] && keep+=" CAP_BPF"
fi
echo "kernel $(uname -r), kernel.unprivileged_bpf_disabled=$(sysctl -n kernel.unprivileged_bpf_disabled): wirelat keeps $keep"
echo "--- 2. wirelat as the unit runs it: uid $DYN_UID, $AMBIENT"
if start main "$BOUNDING"; then
	ok "started: $(sed -n 's/^wirelat: //p' "$tmp/main.err" | head -1)"
	st=$(attached)
	ids=$(prog_ids)
	# a veth: --ingress auto puts ingress on TC (docs/running.md, "Attaching")
	[[ $st =~ ^xdp=\ tc=wirelat_tc_in(:\[[0-9]+\])?,wirelat_tc_eg(:\[[0-9]+\])?\ clsact=yes$ ]] &&
		ok "attached: $st (programs $ids)" ||
		fail "attached: want wirelat_tc_in and wirelat_tc_eg on $VH, got: $st"
	# once attached, wirelat keeps only what the run needs (user/attach/privs.c):
	# CAP_NET_ADMIN (the netlink detach at exit), and CAP_BPF where the
	# kernel checks it on every bpf() command (before 5.19, with
	# unprivileged_bpf_disabled set); the ambient set cleared; the
	# bounding set stays the unit's (CAP_SETPCAP is not granted)
	wait_file "$tmp/main.err" '^wirelat: attached' ||
		fail "no 'attached' line: $(tr '\n' ' ' <"$tmp/main.err")"
	want=$(capmask "$keep")
	status=$(grep -E '^(Uid|CapEff|CapPrm|CapAmb|CapBnd|NoNewPrivs):' "/proc/$PID/status" | tr -s '\t ' ' ' | tr '\n' ' ')
	if grep -q "Uid: $DYN_UID $DYN_UID" <<<"$status" && grep -q "CapEff: $want" <<<"$status" &&
		grep -q "CapPrm: $want" <<<"$status" && grep -q "CapAmb: 0000000000000000" <<<"$status" &&
		grep -q "CapBnd: $(capmask "$BOUNDING")" <<<"$status" &&
		grep -q "NoNewPrivs: 1" <<<"$status"; then
		ok "process after attach: $keep only: $status"
	else
		fail "process after attach: want uid $DYN_UID and capabilities $keep ($want) only, got: $status"
	fi
	# every thread before any scrape: the HTTP server's thread starts after
	# the drop and inherits it (a thread started before would hold the
	# unit's capabilities until something made it drop them)
	threads=""
	for t in /proc/"$PID"/task/*; do
		threads+=" $(awk '/^CapEff|^CapPrm/ {printf "%s", $2 "/"}' "$t/status")"
	done
	[ "$(ls /proc/"$PID"/task | wc -l)" -ge 3 ] &&
		[ -z "$(tr ' ' '\n' <<<"$threads" | grep -v "^\($want/$want/\)\?$")" ] &&
		ok "before any scrape, every thread ($(ls /proc/"$PID"/task | wc -l)) holds $want only (CapEff/CapPrm:$threads)" ||
		fail "before any scrape: threads' CapEff/CapPrm:$threads, want $want (3 threads or more: main, reader, HTTP)"
	replay_and_scrape
	h=$(ip netns exec "$NS_H" curl -s -m 3 http://127.0.0.1:9745/healthz)
	[ "$h" = ok ] && [ "$c" = "$EXP_HS" ] &&
		ok "/healthz: $h; /metrics: $(wc -l <"$tmp/metrics.txt") lines, completed handshakes $c" ||
		fail "/healthz: '$h'; /metrics: completed handshakes '$c', want $EXP_HS"
	# every thread again, after the scrapes
	threads=""
	for t in /proc/"$PID"/task/*; do
		threads+=" $(awk '/^CapEff|^CapPrm/ {printf "%s", $2 "/"}' "$t/status")"
	done
	[ -z "$(tr ' ' '\n' <<<"$threads" | grep -v "^\($want/$want/\)\?$")" ] &&
		ok "every thread holds $want only (CapEff/CapPrm:$threads)" ||
		fail "threads' CapEff/CapPrm:$threads, want $want"
	stop "${KILLSIG#SIG}"
	# the wire's (the /metrics and /healthz requests above are loopback
	# connections: the socket path's)
	hs=$(grep -c '"type":"tcp_handshake".*"source":"wire"' "$tmp/main.out")
	dn=$(grep -c '"type":"dns"' "$tmp/main.out")
	[ "$hs" = "$EXP_HS" ] && [ "$dn" = "$EXP_DNS" ] &&
		ok "records: $hs tcp_handshake, $dn dns (offline: $EXP_HS, $EXP_DNS)" ||
		fail "records: $hs tcp_handshake, $dn dns; offline: $EXP_HS, $EXP_DNS"
	[ "$RC" -eq 0 ] && ok "$KILLSIG: exit 0" || fail "$KILLSIG: exit $RC: $(grep -v '^wirelat: watching' "$tmp/main.err" | head -3 | tr '\n' ' ')"
	st=$(attached)
	[ "$st" = "$CLEAN" ] && ok "after exit: nothing attached ($st)" ||
		fail "after exit: left on $VH: $st"
	left=""
	for p in $ids; do bpftool prog show id "$p" >/dev/null 2>&1 && left+=" $p"; done
	[ -z "$left" ] && ok "after exit: programs $ids unloaded" || fail "after exit: programs still loaded:$left"
else
	wait "$PID" 2>/dev/null
	RC=$?
	fail "wirelat did not start under $AMBIENT as uid $DYN_UID: exit $RC: $(tr '\n' ' ' <"$tmp/main.err" | head -c 400)"
	explain main "$RC"
	st=$(attached)
	[ "$st" = "$CLEAN" ] || echo "  left on $VH: $st"
fi
# whatever a failed run left, before the next case
ip netns exec "$NS_H" ip link set dev "$VH" xdp off 2>/dev/null
ip netns exec "$NS_H" tc qdisc del dev "$VH" clsact 2>/dev/null

# ---------------------------------------------------------------- 3. minimal
echo "--- 3. each capability removed"
needed=()
for cap in $BOUNDING; do
	set_without=$(tr ' ' '\n' <<<"$BOUNDING" | grep -vx "$cap" | tr '\n' ' ')
	if start "no-$cap" "$set_without"; then
		stop INT
		fail "without $cap: wirelat started anyway (exit $RC after SIGINT): $cap is not needed"
	else
		wait "$PID" 2>/dev/null
		RC=$?
		# one line says why (before 6.6 a line before it says the
		# sweep's walk counts the tables: what the probe found)
		grep -v 'has no bpf_map_sum_elem_count (Linux 6.6)' "$tmp/no-$cap.err" >"$tmp/no-$cap.why"
		msg=$(head -1 "$tmp/no-$cap.why")
		st=$(attached)
		if [ "$RC" -eq 1 ] && [ "$(wc -l <"$tmp/no-$cap.why")" -eq 1 ] && [ "$st" = "$CLEAN" ]; then
			ok "without $cap: exit 1, nothing attached: $msg"
			needed+=("$cap")
		else
			fail "without $cap: exit $RC, $st, stderr: $(tr '\n' ' ' <"$tmp/no-$cap.err" | head -c 300)"
			explain "no-$cap" "$RC"
			ip netns exec "$NS_H" ip link set dev "$VH" xdp off 2>/dev/null
			ip netns exec "$NS_H" tc qdisc del dev "$VH" clsact 2>/dev/null
		fi
	fi
done
echo "capabilities each required: ${needed[*]:-none}"

# ---------------------------------------------------------------- 4. SIGKILL
echo "--- 4. SIGKILL, ExecStopPost=+wirelat-cleanup, restart"
if start killed "$BOUNDING"; then
	stop KILL
	st=$(attached)
	echo "after SIGKILL: $st"
	# what a restart would meet without the cleanup (not asserted)
	if start noclean "$BOUNDING"; then
		echo "note: a restart without cleanup started: $(grep -v '^wirelat: watching' "$tmp/noclean.err" | head -2 | tr '\n' ' ')"
		stop TERM
	else
		wait "$PID" 2>/dev/null
		echo "note: a restart without cleanup fails (exit $?): $(tr '\n' ' ' <"$tmp/noclean.err" | tr -cd '[:print:]' | head -c 300)"
	fi
	st=$(attached)
	if [ "$st" != "$CLEAN" ]; then
		ip netns exec "$NS_H" env -i SERVICE_RESULT=signal WIRELAT_INTERFACES="$VH" "$CLEANUP" >"$tmp/cleanup.out" 2>&1
		st2=$(attached)
		[ "$st2" = "$CLEAN" ] && ok "wirelat-cleanup: $(tr '\n' ' ' <"$tmp/cleanup.out")" ||
			fail "wirelat-cleanup left: $st2 ($(tr '\n' ' ' <"$tmp/cleanup.out"))"
	else
		fail "nothing attached after SIGKILL and a failed restart: cannot test the cleanup"
	fi
	if start restarted "$BOUNDING"; then
		stop TERM
		st=$(attached)
		[ "$RC" -eq 0 ] && [ "$st" = "$CLEAN" ] && ok "restarted after the cleanup, SIGTERM: exit 0, nothing attached" ||
			fail "restart after the cleanup: exit $RC, left: $st"
	else
		wait "$PID" 2>/dev/null
		fail "no restart after the cleanup: $(tr '\n' ' ' <"$tmp/restarted.err" | head -c 300)"
	fi
else
	wait "$PID" 2>/dev/null
	RC=$?
	fail "wirelat did not start (exit $RC): $(tr '\n' ' ' <"$tmp/killed.err" | head -c 300)"
	explain killed "$RC"
fi
# the helper touches nothing after a clean stop
ip netns exec "$NS_H" env -i SERVICE_RESULT=success WIRELAT_INTERFACES="$VH" "$CLEANUP" >"$tmp/cleanup2.out" 2>&1
[ ! -s "$tmp/cleanup2.out" ] && ok "wirelat-cleanup after a clean stop: does nothing" ||
	fail "wirelat-cleanup after a clean stop: $(cat "$tmp/cleanup2.out")"

# ---------------------------------------------------------------- 5. --user
# root (every capability) with --user nobody: once attached the uid and
# gid are nobody's, the capabilities the same kept set (the bounding set
# too: root holds CAP_SETPCAP), every thread; the replay is measured, the
# sweep and the scrapes go on, SIGTERM detaches everything (CAP_NET_ADMIN)
echo "--- 5. as root with --user nobody"
nobody=$(id -u nobody)
nsenter --net="/run/netns/$NS_H" "$WIRELAT" -i "$VH" --json --listen 127.0.0.1:9745 \
	--summary-interval 0 --user nobody >"$tmp/user.out" 2>"$tmp/user.err" &
PID=$!
PIDS+=("$PID")
if wait_file "$tmp/user.err" '^wirelat: attached'; then
	replay_and_scrape
	threads=""
	for t in /proc/"$PID"/task/*; do
		threads+=" $(awk '/^Uid|^CapEff|^CapPrm/ {printf "%s", $2 "/"}' "$t/status")"
	done
	want=$(capmask "$keep")
	# every thread started after the drop: the same kept set
	[ -z "$(tr ' ' '\n' <<<"$threads" | grep -v "^\($nobody/$want/$want/\)\?$")" ] &&
		grep -q "CapBnd:.*$want" "/proc/$PID/status" &&
		ok "--user nobody: every thread uid $nobody with $keep, bounding set $want (Uid/CapPrm/CapEff:$threads)" ||
		fail "--user nobody: threads' Uid/CapPrm/CapEff:$threads, $(grep CapBnd "/proc/$PID/status"), want $nobody/$want/$want"
	grep -q "NoNewPrivs:.*1" "/proc/$PID/status" && ok "--user nobody: no_new_privs" ||
		fail "--user nobody: no_new_privs not set"
	[ "$c" = "$EXP_HS" ] && ok "--user nobody: /metrics: completed handshakes $c" ||
		fail "--user nobody: /metrics: completed handshakes '$c', want $EXP_HS"
	stop TERM
	dn=$(grep -c '"type":"dns"' "$tmp/user.out")
	st=$(attached)
	[ "$RC" -eq 0 ] && [ "$st" = "$CLEAN" ] && [ "$dn" = "$EXP_DNS" ] &&
		ok "--user nobody: $dn dns records, SIGTERM: exit 0, nothing attached" ||
		fail "--user nobody: $dn dns records (want $EXP_DNS), exit $RC, left: $st: $(tr '\n' ' ' <"$tmp/user.err" | head -c 300)"
else
	fail "--user nobody: not attached: $(tr '\n' ' ' <"$tmp/user.err" | head -c 300)"
fi
"$WIRELAT" -i lo --user no-such-user-wl >/dev/null 2>"$tmp/nouser.err"
rc=$?
[ "$rc" -eq 2 ] && [ "$(wc -l <"$tmp/nouser.err")" -eq 1 ] && ok "--user no-such-user-wl: exit 2: $(cat "$tmp/nouser.err")" ||
	fail "--user no-such-user-wl: exit $rc: $(cat "$tmp/nouser.err")"

# the port first: taken by another listener, nothing is attached
ip netns exec "$NS_H" $PY -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(("127.0.0.1", 9745)); s.listen(); print("up", flush=True); time.sleep(30)' \
	>"$tmp/busy.out" 2>&1 &
PIDS+=("$!")
wait_file "$tmp/busy.out" '^up' || fail "a listener on 127.0.0.1:9745: $(cat "$tmp/busy.out")"
nsenter --net="/run/netns/$NS_H" timeout 20 "$WIRELAT" -i "$VH" --listen 127.0.0.1:9745 >/dev/null 2>"$tmp/busy.err"
rc=$?
st=$(attached)
[ "$rc" -eq 1 ] && [ "$st" = "$CLEAN" ] && grep -q "^wirelat: cannot serve metrics on 127.0.0.1:9745: the port is in use" "$tmp/busy.err" &&
	ok "--listen on a port in use: exit 1, nothing attached: $(tail -1 "$tmp/busy.err")" ||
	fail "--listen on a port in use: exit $rc, left: $st: $(tr '\n' ' ' <"$tmp/busy.err")"

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
