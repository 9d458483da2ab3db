#!/usr/bin/env bash
# -j: the replay split by flow across threads prints what one replay
# prints. Every capture of the suite (pcaps/ and the third-party set, and
# test_offline's runs with other timeouts), a synthetic one of many flows
# and sweeps (tests/scale_pcap.py offline) and that one cut off mid-packet
# (a read error) are replayed with -j 1, -j as default (the online CPUs,
# one per 16 MB of file at most: one for these) and -j 3 (more shards than
# this machine's 2 CPUs), the synthetic ones with -j 2 too: the records,
# byte for byte and in order, the --metrics-out file, byte for byte, and
# the exit status must be the same.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# same_runs LABEL FILE [OPTIONS...]: -j 1 and each of $JOBS; rc1: -j 1's
# exit status. The suite's captures: -j 3 (the default is one thread below
# 16 MB a thread, -j 1's own path: the synthetic capture below runs it)
JOBS="3"
same_runs() {
	local label=$1 f=$2 j rc
	shift 2
	for j in 1 $JOBS; do
		local opt=(-j "$j")
		[ "$j" = default ] && opt=()
		"$WIRELAT" -r "$f" --json "${opt[@]}" "$@" --metrics-out "$tmp/m.$j" \
			>"$tmp/out.$j" 2>"$tmp/err.$j"
		rc=$?
		if [ "$j" = 1 ]; then
			rc1=$rc
			continue
		fi
		if [ "$rc" != "$rc1" ]; then
			fail "$label: -j $j exited $rc, -j 1 $rc1: $(head -1 "$tmp/err.$j")"
		elif ! cmp -s "$tmp/out.1" "$tmp/out.$j"; then
			fail "$label: -j $j printed other records than -j 1: $(diff "$tmp/out.1" "$tmp/out.$j" | head -3)"
		elif [ "$rc1" = 0 ] && ! cmp -s "$tmp/m.1" "$tmp/m.$j"; then
			fail "$label: -j $j wrote other metrics than -j 1: $(diff "$tmp/m.1" "$tmp/m.$j" | head -3)"
		else
			ok "$label: -j $j as -j 1 ($(wc -l <"$tmp/out.1") records, exit $rc)"
		fi
	done
}

n=0
while read -r f timeouts; do
	set -- $timeouts
	extra=()
	[ -n "${1:-}" ] && extra+=(--handshake-timeout "$1")
	[ -n "${2:-}" ] && extra+=(--dns-timeout "$2")
	[ -n "${3:-}" ] && extra+=(--idle-timeout "$3")
	same_runs "$(basename "$f")${timeouts:+ ($timeouts)}" "$f" "${extra[@]}"
	n=$((n + 1))
done < <("$ROOT/tests/test_offline.sh" --cases)
[ "$n" -ge 10 ] || fail "only $n captures found"

# many flows over many sweeps: 35k packets, 5000 handshakes and queries
$PY "$ROOT/tests/scale_pcap.py" offline 5000 "$tmp/scale.pcap" || exit 1
JOBS="default 2 3"
same_runs "scale_pcap.py offline 5000" "$tmp/scale.pcap"
grep -q '"reason":"eof"' "$tmp/out.1" || fail "the synthetic capture closed nothing at its end"
# the same cut off inside a packet: libpcap's read error ends the replay
head -c 1000000 "$tmp/scale.pcap" >"$tmp/cut.pcap"
same_runs "scale_pcap.py offline 5000, cut off" "$tmp/cut.pcap"
[ "$rc1" != 0 ] || fail "a capture cut off mid-packet exited 0"

echo "$n captures, $FAILS failures"
[ "$FAILS" -eq 0 ]
