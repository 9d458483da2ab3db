#!/usr/bin/env bash
# Offline analysis against the capture itself: for every capture in
# pcaps/ and the third-party set, `wirelat -r --json` must print exactly
# the handshake records tests/truth.py derives from tshark's fields (each
# leg to the nanosecond; syn_to_synack + synack_to_ack == tshark's
# tcp.analysis.initial_rtt where no SYN was retransmitted), the result
# counters must equal the truth's counts, and two runs print the same lines.
#
# --cases prints the runs (one a line: CAPTURE [HANDSHAKE_TIMEOUT
# [DNS_TIMEOUT [IDLE_TIMEOUT]]]) and exits: tests/kernels runs the same ones
# under other kernels.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

# every capture with the defaults, then captures judged with other timeouts
# (the timeout is a flag)
cases() {
	all_pcaps
	cat <<-EOF
	$ROOT/pcaps/tcp-unanswered.pcap 1s
	$ROOT/pcaps/tcp-syn-retransmit.pcap 500ms
	$ROOT/pcaps/tcp-unanswered.pcap 10s
	$ROOT/pcaps/dns-udp.pcap 3s 100ms
	$ROOT/pcaps/dns-udp-edge.pcap 3s 1500ms
	$ROOT/pcaps/dns-tcp.pcap 3s 2s
	$ROOT/pcaps/tcp-idle.pcap 3s 5s 5s
	EOF
}
if [ "${1:-}" = --cases ]; then
	cases
	exit
fi

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
while read -r f timeouts; do
	# shellcheck disable=SC2086 # the timeouts are words
	check_capture "$f" $timeouts
	[ -z "$timeouts" ] && n=$((n + 1))
done < <(cases)

[ "$n" -ge 10 ] || fail "only $n captures found"
echo "$n captures, $FAILS failures"
[ "$FAILS" -eq 0 ]
