# Shared helpers for the shell tests (sourced).
# shellcheck shell=bash

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
WIRELAT="$ROOT/wirelat"

# The third-party captures: ../shared/pcaps beside the checkout, else the
# workplace copy; WIRELAT_SHARED_PCAPS overrides.
shared_pcaps() {
	local d
	for d in "${WIRELAT_SHARED_PCAPS:-}" "$ROOT/../shared/pcaps" /work/shared/pcaps; do
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
		echo "WARNING: third-party captures not found (../shared/pcaps); set WIRELAT_SHARED_PCAPS" >&2
	fi
}

# Result counts of a --metrics-out file as a JSON object.
metrics_counts() {
	sed -n 's/^wirelat_tcp_handshakes_total{interface="[^"]*",result="\([a-z]*\)"} \([0-9]*\)$/"\1":\2/p' "$1" |
		paste -sd, | sed 's/^/{/; s/$/}/'
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
