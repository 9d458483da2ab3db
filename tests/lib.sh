# Shared helpers for the shell tests (sourced).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
WIRELAT="$ROOT/wirelat"

# The third-party captures: pcaps/third-party (sources and licenses in its
# SOURCES.md); WIRELAT_SHARED_PCAPS=DIR runs the tests on another set.
shared_pcaps() {
	local d
	for d in "${WIRELAT_SHARED_PCAPS:-}" "$ROOT/pcaps/third-party"; do
		[ -n "$d" ] && [ -d "$d" ] && { echo "$d"; return 0; }
	done
	return 1
}

# Every capture an offline test must pass.
all_pcaps() {
	local d
	ls "$ROOT"/pcaps/*.pcap
	if d=$(shared_pcaps); then
		ls "$d"/*.pcap "$d"/*.pcapng 2>/dev/null
	else
		echo "WARNING: third-party captures not found (pcaps/third-party); set WIRELAT_SHARED_PCAPS" >&2
	fi
}

# Result counts of a --metrics-out file as a JSON object, with the keys
# tests/truth.py uses (TCP results as they are, DNS ones prefixed dns_).
metrics_counts() {
	$PY - "$1" <<'PY'
import json, re, sys
c = {}
def add(k, v):
    c[k] = c.get(k, 0) + v
for line in open(sys.argv[1]):
    m = re.match(r'^(\w+)\{([^}]*)\} (\S+)$', line.strip())
    if not m:
        continue
    name, labels, v = m.group(1), dict(re.findall(r'(\w+)="([^"]*)"', m.group(2))), int(float(m.group(3)))
    if name == "wirelat_tcp_handshakes_total":
        add(labels["result"], v)
    elif name == "wirelat_tcp_challenge_acks_total":
        add("challenge_acks", v)
    elif name == "wirelat_tcp_accept_queue_drops_total":
        add("accept_queue_drops", v)
    elif name in ("wirelat_tcp_segments_total", "wirelat_tcp_payload_bytes_total",
                  "wirelat_tcp_seq_gaps_total", "wirelat_tcp_dup_acks_total",
                  "wirelat_tcp_zero_windows_total"):
        add(name[len("wirelat_tcp_"):-len("_total")] + "_" + labels["direction"], v)
    elif name == "wirelat_dns_responses_total":
        add("dns_answered", v)
    elif name == "wirelat_dns_timeouts_total":
        add("dns_" + labels["reason"], v)
    elif name == "wirelat_tcp_connections_closed_total":
        add("close_" + labels["reason"], v)
    else:
        for metric, key in (("unsolicited_responses", "dns_unsolicited"),
                            ("duplicate_responses", "dns_duplicate"),
                            ("mismatched_responses", "dns_mismatch"),
                            ("late_responses", "dns_late"),
                            ("query_retransmits", "dns_query_retransmits")):
            if name == "wirelat_dns_%s_total" % metric:
                add(key, v)
print(json.dumps(c))
PY
}

# Value of one metric line (exact labels as printed), 0 when absent.
metric_value() {
	local v
	v=$(grep -F "$2 " "$1" | head -1 | awk '{print $NF}')
	echo "${v:-0}"
}

FAILS=0
fail() { echo "FAIL: $*"; FAILS=$((FAILS + 1)); }
ok() { echo "ok: $*"; }

# netns_pair TAG SERVER4 CLIENT4 SERVER6 CLIENT6: a server namespace NS_S
# and a client namespace NS_C joined by a veth pair (VS in NS_S, VC in
# NS_C) with those addresses (/24, /64), lo up, forwarding off and no
# route anywhere else; a temporary directory $tmp. On exit (trap) every
# process in PIDS and in the namespaces is killed and everything removed,
# plus the paths in CLEANUP_PATHS. Exits 77 without netns or veth.
netns_pair() {
	NS_S=wl$1-$$-s
	NS_C=wl$1-$$-c
	VS=w$1s$$
	VC=w$1c$$
	tmp=$(mktemp -d "/tmp/wl$1.XXXXXX")
	chmod 755 "$tmp"
	PIDS=()
	CLEANUP_PATHS=()
	trap netns_pair_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	ip netns add "$NS_S" && ip netns add "$NS_C" || { echo "SKIP: no netns"; exit 77; }
	ip link add "$VC" netns "$NS_C" type veth peer name "$VS" netns "$NS_S" ||
		{ echo "SKIP: no veth"; exit 77; }
	for ns in "$NS_S" "$NS_C"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
		ip -n "$ns" link set lo up
	done
	ip -n "$NS_S" addr add "$2/24" dev "$VS"
	ip -n "$NS_S" addr add "$4/64" dev "$VS" nodad
	ip -n "$NS_C" addr add "$3/24" dev "$VC"
	ip -n "$NS_C" addr add "$5/64" dev "$VC" nodad
	ip -n "$NS_S" link set "$VS" up
	ip -n "$NS_C" link set "$VC" up
}

netns_pair_cleanup() {
	local p ns
	trap - EXIT
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for ns in "$NS_S" "$NS_C"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$tmp" "${CLEANUP_PATHS[@]}"
}

# The test-only dropper (tests/bpf/dropper.bpf.c): loss on demand, there
# being no netem in this kernel. dropper_mount first (a private bpffs under
# /tmp: no dot in its path, libbpf rewrites dots in pin paths; the caller's
# trap runs dropper_umount), then dropper_attach NAME NS DEV DIR PROGRAM
# loads a fresh copy (its own budgets and counters, pinned as NAME) and
# attaches PROGRAM on DEV's DIR (ingress/egress) hook in NS at prio 9;
# dropper_count NAME prints what that copy dropped.
DROPPER="$ROOT/build/tests/bpf/dropper.bpf.o"
dropper_mount() {
	[ -f "$DROPPER" ] || { echo "FAIL: $DROPPER not built (make)"; exit 1; }
	BPFFS=$(mktemp -d /tmp/wlbpfXXXXXX)
	mount -t bpf bpf "$BPFFS" || { echo "SKIP: cannot mount a bpffs"; rmdir "$BPFFS"; exit 77; }
}
dropper_umount() {
	[ -n "${BPFFS:-}" ] || return 0
	umount "$BPFFS" 2>/dev/null
	rm -rf "$BPFFS"
}
dropper_attach() {
	mkdir -p "$BPFFS/$1_m"
	bpftool prog loadall "$DROPPER" "$BPFFS/$1_p" type classifier pinmaps "$BPFFS/$1_m" ||
		{ fail "cannot load $DROPPER"; return 1; }
	ip netns exec "$2" tc qdisc replace dev "$3" clsact
	ip netns exec "$2" tc filter replace dev "$3" "$4" prio 9 handle 9 bpf da \
		object-pinned "$BPFFS/$1_p/$5" || { fail "cannot attach $5 on $3 $4"; return 1; }
}
dropper_detach() { # NS DEV DIR
	ip netns exec "$1" tc filter del dev "$2" "$3" prio 9 handle 9 bpf 2>/dev/null
}
dropper_count() {
	bpftool map dump pinned "$BPFFS/$1_m/dropper_bss" | $PY -c 'import json, sys
v = {}
for x in json.load(sys.stdin)[0]["value"][".bss"]:
    v.update(x)
print(v["dropped"])'
}

# wait_file FILE REGEX: until FILE has a line matching REGEX; 20 s at most,
# a bound for a broken run, not a timing a test depends on
wait_file() {
	local n=200
	while [ $n -gt 0 ]; do
		grep -qE "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# barrier NS DST CAPTURE: a datagram from NS to DST's discard port, then
# wait until tcpdump has written it to CAPTURE: every frame before it is
# then in the capture too (tcpdump may lag a transfer by most of a second
# under load). The capture filter must take "udp port 9". 30 s at most.
barrier() {
	local n=300 tag
	# a tag of its own: a second barrier on one capture must not find the
	# first one's datagram there and return before its own is written
	tag="wirelat-barrier-$$-$RANDOM$RANDOM"
	ip netns exec "$1" "$PY" -c 'import socket, sys
socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(sys.argv[2].encode(), (sys.argv[1], 9))' "$2" "$tag"
	while [ $n -gt 0 ]; do
		"$PY" -c 'import sys; sys.exit(sys.argv[2].encode() not in open(sys.argv[1], "rb").read())' \
			"$3" "$tag" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	fail "the barrier datagram never reached $3"
	return 1
}

# ---------------------------------------------------------------- hooks
# A live test (tests/test_*live*.sh) runs once per ingress hook, so every
# measurement is proven on each (issue 28): WIRELAT_HOOKS lists them
# (default "tc xdp"; "tc xdp xdp-skb" for all three, one hook to narrow).
# Sourcing this file from a live test runs the test again for each hook,
# with WL_HOOK set, and exits: 0 when no hook failed and one passed, 77
# when every hook skipped, else 1. In each run $WIRELAT is
# tests/hook_wirelat.sh, which adds --ingress $WL_HOOK to a live wirelat's
# command line (not to one naming its own hook: --ingress, --xdp-mode).
# keep_records NAME FILE [FIELD|+lo ...] keeps FILE's records; once every
# hook ran, tests/same_records.py says whether they are the same on each
# (timings, client ports and per-invocation counts left out, see there;
# FIELDs too, +lo keeps loopback records of the socket path).
# HOOKS_PARALLEL=1, set by a test before it sources this file, runs the
# hooks at once: for a test whose time is real-time replay, not CPU, and
# whose truth is a tcpdump of the same run (test_live.sh).
run_hooks() {
	local h rc pass=0 bad=0 hooks=(${WIRELAT_HOOKS:-tc xdp}) pids=()
	HOOKS_DIR=$(mktemp -d /tmp/wlhooks.XXXXXX)
	trap 'kill ${pids[*]:-} 2>/dev/null; rm -rf "$HOOKS_DIR"' EXIT
	if [ "${HOOKS_PARALLEL:-0}" = 1 ] && [ ${#hooks[@]} -gt 1 ]; then
		# each hook's run at once, in namespaces of its own (names carry
		# the run's pid), its lines printed whole once all are done
		for h in "${hooks[@]}"; do
			mkdir -p "$HOOKS_DIR/$h"
			WL_HOOK=$h WL_KEEP="$HOOKS_DIR/$h" "$0" "$@" >"$HOOKS_DIR/$h.log" 2>&1 &
			pids+=($!)
		done
	fi
	for h in "${hooks[@]}"; do
		echo "=== $(basename "$0")${*:+ $*} --ingress $h"
		if [ ${#pids[@]} -gt 0 ]; then
			wait "${pids[0]}"
			rc=$?
			pids=("${pids[@]:1}")
			cat "$HOOKS_DIR/$h.log"
		else
			mkdir -p "$HOOKS_DIR/$h"
			WL_HOOK=$h WL_KEEP="$HOOKS_DIR/$h" "$0" "$@"
			rc=$?
		fi
		case $rc in
		0) pass=$((pass + 1)); echo "--- --ingress $h: passed" ;;
		77) echo "--- --ingress $h: skipped" ;;
		*) bad=$((bad + 1)); echo "--- --ingress $h: FAILED (exit $rc)" ;;
		esac
	done
	if [ $bad -eq 0 ] && [ $pass -eq ${#hooks[@]} ] && [ $pass -gt 1 ]; then
		$PY "$ROOT/tests/same_records.py" "$HOOKS_DIR" "${hooks[@]}" || bad=1
	fi
	[ $bad -eq 0 ] || exit 1
	[ $pass -gt 0 ] || exit 77
	exit 0
}

keep_records() {
	local name=$1 file=$2
	shift 2
	[ -n "${WL_KEEP:-}" ] || return 0
	cp "$file" "$WL_KEEP/$name.jsonl"
	printf '%s\n' "$@" >"$WL_KEEP/$name.ignore"
}

case $(basename "$0") in
test_*live*.sh)
	[ -n "${WL_HOOK:-}" ] || run_hooks "$@"
	WIRELAT="$ROOT/tests/hook_wirelat.sh"
	;;
esac
