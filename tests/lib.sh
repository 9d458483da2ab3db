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
