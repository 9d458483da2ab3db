#!/usr/bin/env bash
# Offline analysis against the capture itself: for every capture in
# pcaps/ and the third-party set, `wirelat -r --json` must print exactly
# the handshake records tests/truth.py derives from tshark's fields (each
# leg to the nanosecond; syn_to_synack + synack_to_ack == tshark's
# tcp.analysis.initial_rtt where no SYN was retransmitted), the result
# counters must equal the truth's counts, and two runs print the same lines.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# check_capture FILE [HANDSHAKE_TIMEOUT [DNS_TIMEOUT [IDLE_TIMEOUT]]]
check_capture() {
	local f=$1 b timeout=${2:-} dns_timeout=${3:-} idle=${4:-} extra=() label
	b=$(basename "$f")
	label=$b
	if [ -n "$timeout" ]; then
		extra=(--handshake-timeout "$timeout")
		label="$b (timeout $timeout)"
	fi
	if [ -n "$dns_timeout" ]; then
		extra+=(--dns-timeout "$dns_timeout")
		label="$label (dns timeout $dns_timeout)"
	fi
	if [ -n "$idle" ]; then
		extra+=(--idle-timeout "$idle")
		label="$label (idle timeout $idle)"
	fi
	if ! "$WIRELAT" -r "$f" --json "${extra[@]}" --metrics-out "$tmp/$b.prom" \
		>"$tmp/$b.got" 2>"$tmp/$b.err"; then
		fail "$label: wirelat exited non-zero: $(head -1 "$tmp/$b.err")"
		return
	fi
	if ! $PY "$ROOT/tests/truth.py" "$f" --check-irtt --check-dns --check-retrans \
		${timeout:+--handshake-timeout "$timeout"} ${dns_timeout:+--dns-timeout "$dns_timeout"} \
		${idle:+--idle-timeout "$idle"} \
		>"$tmp/$b.truth" 2>"$tmp/$b.terr"; then
		fail "$label: truth/tshark disagree: $(tail -1 "$tmp/$b.terr")"
		return
	fi
	if $PY "$ROOT/tests/check_records.py" --truth "$tmp/$b.truth" \
		--got "$tmp/$b.got" --ifname pcap --strict --dns --close --label "$label" \
		--got-counts "$(metrics_counts "$tmp/$b.prom")" >"$tmp/$b.cmp" 2>&1; then
		ok "$(tail -1 "$tmp/$b.cmp")"
	else
		cat "$tmp/$b.cmp"
		fail "$label"
	fi
	"$WIRELAT" -r "$f" --json "${extra[@]}" >"$tmp/$b.again" 2>/dev/null
	cmp -s "$tmp/$b.got" "$tmp/$b.again" || fail "$label: two runs differ"
}

n=0
while read -r f; do
	check_capture "$f"
	n=$((n + 1))
done < <(all_pcaps)
# the timeout is a flag: the same captures judged with other timeouts
check_capture "$ROOT/pcaps/tcp-unanswered.pcap" 1s
check_capture "$ROOT/pcaps/tcp-syn-retransmit.pcap" 500ms
check_capture "$ROOT/pcaps/tcp-unanswered.pcap" 10s
check_capture "$ROOT/pcaps/dns-udp.pcap" 3s 100ms
check_capture "$ROOT/pcaps/dns-udp-edge.pcap" 3s 1500ms
check_capture "$ROOT/pcaps/dns-tcp.pcap" 3s 2s
check_capture "$ROOT/pcaps/tcp-idle.pcap" 3s 5s 5s

[ "$n" -ge 10 ] || fail "only $n captures found"
echo "$n captures, $FAILS failures"
[ "$FAILS" -eq 0 ]
