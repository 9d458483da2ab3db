#!/usr/bin/env bash
# Bad input gets one line that says what is wrong and a non-zero exit,
# and loses nothing: a capture cut short keeps the records measured before
# the cut; bad flags exit 2 with one line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# expect_fail CODE DESCRIPTION PATTERN -- ARGS...: exit CODE, one stderr
# line matching PATTERN.
expect_fail() {
	local code=$1 what=$2 pat=$3 rc lines
	shift 4
	"$WIRELAT" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	lines=$(wc -l <"$tmp/err")
	if [ "$rc" -ne "$code" ]; then
		fail "$what: exit $rc, expected $code ($(head -1 "$tmp/err"))"
	elif [ "$lines" -ne 1 ] || ! grep -qiE "$pat" "$tmp/err"; then
		fail "$what: expected one line matching '$pat', got: $(cat "$tmp/err")"
	else
		ok "$what: $(cat "$tmp/err")"
	fi
}

echo "this is not a capture" >"$tmp/text.pcap"
: >"$tmp/empty.pcap"
expect_fail 1 "not a capture" "not a readable pcap" -- -r "$tmp/text.pcap"
expect_fail 1 "empty file" "not a readable pcap" -- -r "$tmp/empty.pcap"
expect_fail 1 "missing file" "No such file|not a readable" -- -r "$tmp/none.pcap"
# -j N loads its objects per thread once the file opens: a file that does
# not open leaves nothing to measure, and --metrics-out and top say nothing
expect_fail 1 "empty file, -j 2 --metrics-out" "not a readable pcap" -- -r "$tmp/empty.pcap" -j 2 --metrics-out "$tmp/m.prom"
expect_fail 1 "not a capture, -j 3 --metrics-out" "not a readable pcap" -- -r "$tmp/text.pcap" -j 3 --metrics-out "$tmp/m.prom"

# an unsupported link type (DLT_USER0 = 147): a valid header, wrong link
printf '\xd4\xc3\xb2\xa1\x02\x00\x04\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\x00\x00\x93\x00\x00\x00' >"$tmp/user0.pcap"
expect_fail 1 "unsupported link type" "link type" -- -r "$tmp/user0.pcap"

# cut short in the middle of a packet: records before the cut are kept
src="$ROOT/pcaps/tcp-interleaved.pcap"
size=$(stat -c %s "$src")
head -c $((size * 2 / 3 + 7)) "$src" >"$tmp/cut.pcap"
expect_fail 1 "capture cut short" "truncated|cut|short" -- -r "$tmp/cut.pcap" --json
full=$("$WIRELAT" -r "$src" --json | wc -l)
kept=$(wc -l <"$tmp/out")
if [ "$kept" -gt 0 ] && [ "$kept" -lt "$full" ] &&
	head -n "$kept" <("$WIRELAT" -r "$src" --json) | cmp -s - "$tmp/out"; then
	ok "cut capture kept its first $kept of $full records"
else
	fail "cut capture: kept $kept records of $full, or they differ"
fi

# a pcapng whose interfaces have two link types (libpcap reads one per
# file; Wireshark writes such files): the line says why and what to do
editcap -T linux-sll "$src" "$tmp/sll.pcap" &&
	mergecap -F pcapng -w "$tmp/mixed.pcapng" "$src" "$tmp/sll.pcap" ||
	fail "cannot write a pcapng of two link types (editcap, mergecap)"
expect_fail 1 "pcapng with two link types" "one link type per file.*tcpdump -i" -- -r "$tmp/mixed.pcapng"

# without the privilege: that, not a feature this kernel lacks (every
# probe fails alike), once however many threads would load (-j 3)
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null &&
	[ "$(cat /proc/sys/kernel/unprivileged_bpf_disabled 2>/dev/null)" != 0 ]; then
	# where nobody can read them (a clone may sit in a private directory)
	mkdir "$tmp/pub" && chmod 755 "$tmp" "$tmp/pub" &&
		cp "$WIRELAT" "$src" "$tmp/pub/" && chmod 644 "$tmp/pub/$(basename "$src")"
	for args in "-r $tmp/pub/$(basename "$src") -j 1" "-r $tmp/pub/$(basename "$src") -j 3" "-i lo"; do
		# shellcheck disable=SC2086 # the words of $args
		setpriv --reuid=nobody --regid=nogroup --clear-groups "$tmp/pub/wirelat" $args \
			>"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -eq 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
			grep -q "cannot use BPF: .*run as root, or with CAP_BPF" "$tmp/err"; then
			ok "not root ($args): $(cat "$tmp/err")"
		else
			fail "not root ($args): exit $rc, $(cat "$tmp/err")"
		fi
	done
fi

# command line
expect_fail 2 "no mode" "nothing to do" --
expect_fail 2 "unknown option" "unknown" -- --bogus
expect_fail 2 "bad xdp mode" "xdp-mode" -- -i lo --xdp-mode turbo
expect_fail 2 "bad ingress hook" "invalid --ingress 'xdp-native'.*auto, xdp, xdp-skb or tc" -- -i lo --ingress xdp-native
expect_fail 2 "--ingress and --xdp-mode disagree" "ingress tc disagrees with the --xdp-mode" -- -i lo --xdp-mode native --ingress tc
expect_fail 2 "--ingress offline" "ingress chooses where wirelat attaches" -- -r "$src" --ingress tc
expect_fail 2 "bad timeout" "handshake-timeout" -- -r "$src" --handshake-timeout soon
expect_fail 2 "timeout out of range" "out of range" -- -r "$src" --handshake-timeout 0
expect_fail 2 "window out of range" "out of range.*1s to 24h" -- -r "$src" --top-window 25h
expect_fail 2 "unknown unit" "idle-timeout.*not understood" -- -r "$src" --idle-timeout 5x
# strtod() reads these; a duration is decimal (found by tests/fuzz/fuzz_cli)
for d in nan inf 0x10 " 5" +5; do
	expect_fail 2 "duration '$d'" "handshake-timeout.*not understood" -- -r "$src" --handshake-timeout "$d"
done
# the units the help names: minutes and hours too (--help says 5m)
if "$WIRELAT" -r "$src" --top-window 5m --idle-timeout 1.5h --handshake-timeout 0.5m \
	>/dev/null 2>"$tmp/err"; then
	ok "durations in m and h accepted"
else
	fail "durations in m and h: $(cat "$tmp/err")"
fi
expect_fail 2 "bad max-flows" "max-flows" -- -r "$src" --max-flows -5
expect_fail 2 "both -r and -i" "exclude" -- -r "$src" -i lo
expect_fail 2 "stray argument" "unexpected argument" -- -r "$src" extra
expect_fail 1 "no such interface" "no interface named" -- -i wl-nosuchif0

# A link-layer header cut off by the snaplen is `truncated` (the wire had
# more), one that short on the wire is malformed (eth_short); a handshake
# after them is still measured. Ethernet and Linux cooked (SLL).
for lt in 1 113; do
	"$PY" - "$tmp/cut$lt.pcap" "$lt" <<'PY'
import struct, sys
from scapy.all import Ether, CookedLinux, IP, TCP
lt = int(sys.argv[2])
def l2(p):
    return bytes((Ether() if lt == 1 else CookedLinux(pkttype=0, lladdrtype=1, lladdrlen=6, proto=0x800)) / p)
c, s = "198.51.100.1", "198.51.100.2"
hs = [IP(src=c, dst=s) / TCP(sport=40000, dport=80, flags="S", seq=1000),
      IP(src=s, dst=c) / TCP(sport=80, dport=40000, flags="SA", seq=5000, ack=1001),
      IP(src=c, dst=s) / TCP(sport=40000, dport=80, flags="A", seq=1001, ack=5001)]
frames = [(l2(hs[0])[:10], 60),   # cut by a snaplen of 10: truncated
          (bytes(10), 10)]         # 10 bytes on the wire too: malformed
frames += [(l2(p), len(l2(p))) for p in hs]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, lt))
    for i, (b, wire) in enumerate(frames):
        f.write(struct.pack("<IIII", 1000, i * 1000, len(b), wire) + b)
PY
	"$WIRELAT" -r "$tmp/cut$lt.pcap" --json --metrics-out "$tmp/cut.prom" >"$tmp/cut.out" 2>/dev/null
	tr=$(metric_value "$tmp/cut.prom" 'wirelat_packets_total{interface="pcap",direction="ingress",result="truncated"}')
	es=$(metric_value "$tmp/cut.prom" 'wirelat_malformed_packets_total{interface="pcap",reason="eth_short"}')
	nhs=$(grep -c '"tcp_handshake"' "$tmp/cut.out")
	if [ "$tr" = 1 ] && [ "$es" = 1 ] && [ "$nhs" = 1 ]; then
		ok "link type $lt: a header cut by the snaplen truncated 1, a short frame eth_short 1, the handshake after measured"
	else
		fail "link type $lt: truncated $tr (want 1), eth_short $es (want 1), handshakes $nhs (want 1)"
	fi
done

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
