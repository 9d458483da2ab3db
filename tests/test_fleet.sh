#!/usr/bin/env bash
# A fleet: three "hosts", each a network namespace with wirelat watching its
# veth (fed by a namespace of its own), and one real Prometheus (Debian's) in
# a "monitoring" namespace scraping all three every second over veth links,
# with the configuration of deploy/prometheus.yml (its static job and its
# relabeling, rule files included; the targets are the three hosts).
#
#   host 1: idle; host 2: a replay of pcaps/tcp-ipv4.pcap (handshakes);
#   host 3: a replay of pcaps/dns-udp.pcap (DNS only, no handshake)
#
# Through Prometheus' HTTP API, the queries the dashboard uses must show the
# handshakes under host 2 only and the DNS under host 3 only, the fleet
# aggregate must equal host 2's count and the count of the capture offline,
# and histogram_quantile over the fleet (sum by (le), as the dashboard
# aggregates) must equal the quantile of host 2 alone, and the quantile
# computed from host 2's own /metrics.
#
# Network rules: seven namespaces made here (monitoring, three hosts, three
# feeders), joined only by veth pairs; addresses 198.51.100.0/24 (/30 per
# link monitoring-host); no default route, forwarding off. The trap removes
# every namespace, process and file, also on failure or Ctrl-C.
#
# Environment: WIRELAT_BIN overrides the binary. Exit 0 pass, 1 fail, 77 no
# root / namespaces.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
[ -n "${WIRELAT_BIN:-}" ] && WIRELAT=$WIRELAT_BIN

NS_M=wlf-$$-m
tmp=$(mktemp -d /tmp/wl-fleet.XXXXXX)
chmod 755 "$tmp"
NSS=()
PIDS=()
WL_PIDS=()

cleanup() {
	local p ns
	trap - EXIT INT TERM
	for p in "${WL_PIDS[@]}"; do kill -INT "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.3
	for p in "${PIDS[@]}" "${WL_PIDS[@]}"; do kill -KILL "$p" 2>/dev/null; done
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
for t in prometheus tcpreplay curl bpftool; do
	command -v $t >/dev/null || { echo "FAIL: $t not installed (tests/deps.sh)"; exit 1; }
done
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
$PY -c 'import yaml' 2>/dev/null || skip "python3-yaml missing"

mkns() {
	ip netns add "$1" 2>"$tmp/err" || skip "network namespaces unavailable: $(cat "$tmp/err")"
	NSS+=("$1")
	ip netns exec "$1" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.default.forwarding=0 >/dev/null
	ip -n "$1" link set lo up
}

# ---------------------------------------------------------------- network
mkns "$NS_M"
declare -A ADDR HOSTNS FEEDNS
for i in 1 2 3; do
	h=wlf-$$-h$i f=wlf-$$-f$i
	mkns "$h"
	mkns "$f"
	HOSTNS[$i]=$h FEEDNS[$i]=$f
	# the watched link: feeder "wfsrc" -> host "wfdata" (no addresses)
	ip link add wfdata netns "$h" type veth peer name wfsrc netns "$f" ||
		skip "veth unavailable"
	for x in "$h wfdata" "$f wfsrc"; do
		set -- $x
		ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" >/dev/null
		ip -n "$1" link set "$2" up
	done
	# the management link: monitoring "wfm$i" 198.51.100.(4i+1)/30 -> host
	# "wfmgmt" 198.51.100.(4i+2)/30, where wirelat listens
	ip link add "wfm$i" netns "$NS_M" type veth peer name wfmgmt netns "$h"
	ip -n "$NS_M" addr add "198.51.100.$((4 * i + 1))/30" dev "wfm$i"
	ip -n "$h" addr add "198.51.100.$((4 * i + 2))/30" dev wfmgmt
	ip -n "$NS_M" link set "wfm$i" up
	ip -n "$h" link set wfmgmt up
	ADDR[$i]=198.51.100.$((4 * i + 2))
done
for ns in "${NSS[@]}"; do
	[ -z "$(ip -n "$ns" route show default; ip -n "$ns" -6 route show default)" ] ||
		{ echo "FAIL: $ns has a default route"; exit 1; }
done

# ---------------------------------------------------------------- wirelat x3
for i in 1 2 3; do
	ip netns exec "${HOSTNS[$i]}" "$WIRELAT" -i wfdata --json --listen "${ADDR[$i]}:9745" \
		>"$tmp/host$i.jsonl" 2>"$tmp/host$i.err" &
	WL_PIDS[$i]=$!
done
for i in 1 2 3; do
	for _ in $(seq 100); do
		grep -q '^wirelat: watching' "$tmp/host$i.err" && break
		kill -0 "${WL_PIDS[$i]}" 2>/dev/null || break
		sleep 0.1
	done
	grep -q '^wirelat: watching' "$tmp/host$i.err" ||
		{ fail "host $i: wirelat did not start: $(tr '\n' ' ' <"$tmp/host$i.err")"; exit 1; }
done
ok "three wirelat instances: $(for i in 1 2 3; do printf 'host%d %s:9745  ' $i "${ADDR[$i]}"; done)"

# ---------------------------------------------------------------- prometheus
# deploy/prometheus.yml with the three hosts as targets, 1 s intervals, the
# rule files made absolute, the kubernetes_sd job dropped (no cluster here)
$PY - "$ROOT/deploy/prometheus.yml" "$tmp/prometheus.yml" "${ADDR[1]}" "${ADDR[2]}" "${ADDR[3]}" <<'PY'
import os, sys, yaml
src, dst, *hosts = sys.argv[1:]
c = yaml.safe_load(open(src))
c["global"].update(scrape_interval="1s", evaluation_interval="1s", scrape_timeout="1s")
d = os.path.dirname(os.path.abspath(src))
c["rule_files"] = [os.path.normpath(os.path.join(d, r)) for r in c.get("rule_files", [])]
jobs = [j for j in c["scrape_configs"] if "static_configs" in j]
job = jobs[0]
job["static_configs"] = [{"targets": ["%s:9745" % h], "labels": {"host": "host%d" % (i + 1)}}
                         for i, h in enumerate(hosts)]
c["scrape_configs"] = [job]
yaml.safe_dump(c, open(dst, "w"), sort_keys=False)
print("job %s, relabeling kept: %d rules" % (job["job_name"], len(job.get("relabel_configs", []))))
PY
JOB=$($PY -c 'import yaml,sys; print(yaml.safe_load(open(sys.argv[1]))["scrape_configs"][0]["job_name"])' "$tmp/prometheus.yml")
ip netns exec "$NS_M" prometheus --config.file="$tmp/prometheus.yml" \
	--storage.tsdb.path="$tmp/tsdb" --web.listen-address=127.0.0.1:9090 \
	--storage.tsdb.retention.time=1h >"$tmp/prometheus.log" 2>&1 &
PIDS+=($!)
PROM_PID=$!
api() { # api PATH [curl args]: GET http://127.0.0.1:9090PATH inside monitoring
	local p=$1
	shift
	ip netns exec "$NS_M" curl -s -m 5 "$@" "http://127.0.0.1:9090$p"
}
query() { # query PROMQL -> JSON of the result vector
	api /api/v1/query -G --data-urlencode "query=$1"
}
for _ in $(seq 150); do
	[ "$(api /-/ready)" = "Prometheus Server is Ready." ] && break
	kill -0 "$PROM_PID" 2>/dev/null || break
	sleep 0.1
done
[ "$(api /-/ready)" = "Prometheus Server is Ready." ] ||
	{ tail -5 "$tmp/prometheus.log"; fail "Prometheus did not start"; exit 1; }
ok "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') ready in namespace $NS_M"
for _ in $(seq 100); do
	up=$(query "sum(up{job=\"$JOB\"})" | $PY -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else 0)')
	[ "$up" = 3 ] && break
	sleep 0.1
done
[ "$up" = 3 ] && ok "all three targets up" || { fail "targets up: $up of 3"; api /api/v1/targets; exit 1; }
INST=()
for i in 1 2 3; do
	INST[$i]=$(query "up{host=\"host$i\"}" | $PY -c 'import json,sys; print(json.load(sys.stdin)["data"]["result"][0]["metric"]["instance"])')
done
echo "instances: host1=${INST[1]} host2=${INST[2]} host3=${INST[3]}"

# ---------------------------------------------------------------- traffic
"$WIRELAT" -r "$ROOT/pcaps/tcp-ipv4.pcap" --json --metrics-out "$tmp/offline-tcp.prom" >"$tmp/offline-tcp.jsonl" 2>/dev/null
"$WIRELAT" -r "$ROOT/pcaps/dns-udp.pcap" --json --metrics-out "$tmp/offline-dns.prom" >"$tmp/offline-dns.jsonl" 2>/dev/null
EXP_HS=$(grep -c '"type":"tcp_handshake"' "$tmp/offline-tcp.jsonl")
EXP_DNS=$(grep -c '"type":"dns"' "$tmp/offline-dns.jsonl")
ip netns exec "${FEEDNS[2]}" tcpreplay -i wfsrc -K -q "$ROOT/pcaps/tcp-ipv4.pcap" >"$tmp/replay2.out" 2>&1 &
R2=$!
ip netns exec "${FEEDNS[3]}" tcpreplay -i wfsrc -K -q "$ROOT/pcaps/dns-udp.pcap" >"$tmp/replay3.out" 2>&1 &
R3=$!
PIDS+=("$R2" "$R3")
wait $R2 || fail "tcpreplay on host 2: $(tail -2 "$tmp/replay2.out")"
wait $R3 || fail "tcpreplay on host 3: $(tail -2 "$tmp/replay3.out")"
sleep 1
# until Prometheus has scraped the final counts (and a few samples more,
# for the rate() queries)
for _ in $(seq 100); do
	n=$(query 'sum(wirelat_tcp_handshakes_total{result="completed"})' |
		$PY -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else -1)')
	m=$(query 'sum(wirelat_dns_responses_total)' |
		$PY -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(int(float(r[0]["value"][1])) if r else -1)')
	[ "$n" = "$EXP_HS" ] && [ "$m" = "$EXP_DNS" ] && break
	sleep 0.2
done
sleep 3
for i in 1 2 3; do
	ip netns exec "$NS_M" curl -s -m 3 "http://${ADDR[$i]}:9745/metrics" >"$tmp/host$i.prom"
done

# ---------------------------------------------------------------- queries
$PY - "$tmp" "$EXP_HS" "$EXP_DNS" "${INST[1]}" "${INST[2]}" "${INST[3]}" "$NS_M" "$ROOT" <<'PY' || FAILS=$((FAILS + 1))
import json, math, subprocess, sys
tmp, exp_hs, exp_dns, i1, i2, i3, ns, root = sys.argv[1:]
exp_hs, exp_dns = int(exp_hs), int(exp_dns)
sys.path.insert(0, root + "/tests")
import metrics_summary as ms

fails = 0
def check(cond, msg):
    global fails
    print(("ok: " if cond else "FAIL: ") + msg)
    fails += 0 if cond else 1

def q(expr):
    out = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "-m", "5", "-G",
                          "--data-urlencode", "query=" + expr,
                          "http://127.0.0.1:9090/api/v1/query"],
                         capture_output=True, text=True).stdout
    d = json.loads(out)
    if d.get("status") != "success":
        raise SystemExit("query %s: %s" % (expr, d))
    return d["data"]["result"]

def by_instance(expr):
    return {r["metric"].get("instance", ""): float(r["value"][1]) for r in q(expr)}

def scalar(expr):
    r = q(expr)
    return float(r[0]["value"][1]) if r else math.nan

def same(a, b):
    return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))

hosts = {"host1": i1, "host2": i2, "host3": i3}
# the dashboard's $instance variable: label_values(wirelat_build_info, instance)
out = subprocess.run(["ip", "netns", "exec", ns, "curl", "-s", "-m", "5", "-G",
                      "--data-urlencode", "match[]=wirelat_build_info",
                      "http://127.0.0.1:9090/api/v1/label/instance/values"],
                     capture_output=True, text=True).stdout
vals = sorted(json.loads(out).get("data", []))
check(vals == sorted(hosts.values()),
      "label_values(wirelat_build_info, instance) (the dashboard's host list): %s" % vals)
name = {v: k for k, v in hosts.items()}
def show(d):
    return ", ".join("%s %g" % (name.get(k, k), v) for k, v in sorted(d.items(), key=lambda kv: name.get(kv[0], kv[0])))

# handshakes: host 2 only
e = 'sum by (instance) (wirelat_tcp_handshakes_total{result="completed"})'
d = by_instance(e)
check(d.get(i2) == exp_hs and d.get(i1) == 0 and d.get(i3) == 0,
      "%s: %s (capture offline: %d)" % (e, show(d), exp_hs))
e = 'sum(wirelat_tcp_handshakes_total{result="completed"})'
v = scalar(e)
check(v == exp_hs == d.get(i2), "%s = %g = host 2's count" % (e, v))
# the dashboard's panel: by result, rates over the fleet
e = 'sum by (instance) (increase(wirelat_tcp_handshakes_total{result="completed"}[1m]))'
d = by_instance(e)
check(d.get(i2, 0) > 0 and d.get(i1) == 0 and d.get(i3) == 0,
      "%s: %s" % (e, show(d)))
e = 'sum by (result) (rate(wirelat_tcp_handshakes_total{instance=~".*"}[1m]))'
r = {x["metric"].get("result"): float(x["value"][1]) for x in q(e)}
check(r.get("completed", 0) > 0 and all(v == 0 for k, v in r.items() if k != "completed"),
      "%s: %s" % (e, ", ".join("%s %.3f/s" % kv for kv in sorted(r.items()) if kv[1])))

# DNS: host 3 only
e = 'sum by (instance) (wirelat_dns_responses_total)'
d = by_instance(e)
check(d.get(i3) == exp_dns and d.get(i1) == 0 and d.get(i2) == 0,
      "%s: %s (capture offline: %d)" % (e, show(d), exp_dns))

# quantiles: the fleet (sum by (le) over every instance) = host 2 alone =
# host 2's own /metrics = the same quantile of the records host 2 printed
# (each in the first bucket whose printed le is at or above it). Not the
# capture's offline legs: tcpreplay shifts live gaps by up to milliseconds
# (more on a loaded machine), so only this run's own records are its truth.
text2 = open(tmp + "/host2.prom").read()
# the wire's records (Prometheus's scrapes come in over the unwatched
# management veth: the socket path reports those, "source":"sock")
recs2 = [r for r in (json.loads(l) for l in open(tmp + "/host2.jsonl") if l.startswith("{"))
         if r["source"] == "wire"]
def records_buckets(metric, field):
    les = [le for le, _ in ms.buckets(ms.parse(text2), metric)]
    vals = [r[field] for r in recs2 if r["type"] == "tcp_handshake"]
    return [(le, float(sum(1 for v in vals if v <= le * 1e9))) for le in les]
for metric, field in (("wirelat_tcp_syn_to_synack_seconds", "syn_to_synack_ns"),
                      ("wirelat_tcp_synack_to_ack_seconds", "synack_to_ack_ns"),
                      ("wirelat_tcp_handshake_seconds", "handshake_ns")):
    for qq in (0.5, 0.99):
        fleet = scalar("histogram_quantile(%g, sum by (le) (%s_bucket))" % (qq, metric))
        only2 = scalar('histogram_quantile(%g, sum by (le) (%s_bucket{instance="%s"}))' % (qq, metric, i2))
        rate_fleet = scalar('histogram_quantile(%g, sum by (le) (rate(%s_bucket{instance=~".*"}[1m])))' % (qq, metric))
        rate_2 = scalar('histogram_quantile(%g, sum by (le) (rate(%s_bucket{instance="%s"}[1m])))' % (qq, metric, i2))
        local = ms.quantile(qq, ms.buckets(ms.parse(text2), metric))
        fromrec = ms.quantile(qq, records_buckets(metric, field))
        check(same(fleet, only2) and same(fleet, local) and same(rate_fleet, rate_2)
              and 0 < fleet and same(fleet, fromrec),
              "p%g %s: fleet %.6f s = host 2 %.6f s = host 2's /metrics %.6f s = its records %.6f s; "
              "rate() form: fleet %.6f = host 2 %.6f" %
              (qq * 100, metric[8:-8], fleet, only2, local, fromrec, rate_fleet, rate_2))
qq, metric = 0.5, "wirelat_dns_response_seconds"
fleet = scalar("histogram_quantile(%g, sum by (le) (%s_bucket))" % (qq, metric))
only3 = scalar('histogram_quantile(%g, sum by (le) (%s_bucket{instance="%s"}))' % (qq, metric, i3))
check(same(fleet, only3), "p50 DNS: fleet %.6f s = host 3 %.6f s" % (fleet, only3))
sys.exit(1 if fails else 0)
PY

# the records of each host agree (the wire's: the scrapes over the
# management veth are the socket path's)
for i in 1 2 3; do
	eval "HS$i=\$(grep -c '\"type\":\"tcp_handshake\".*\"source\":\"wire\"' \"\$tmp/host$i.jsonl\")"
	eval "DN$i=\$(grep -c '\"type\":\"dns\"' \"\$tmp/host$i.jsonl\")"
done
[ "$HS1 $HS2 $HS3" = "0 $EXP_HS 0" ] && [ "$DN1 $DN2 $DN3" = "0 0 $EXP_DNS" ] &&
	ok "records: handshakes $HS1/$HS2/$HS3, dns $DN1/$DN2/$DN3 on hosts 1/2/3" ||
	fail "records: handshakes $HS1/$HS2/$HS3 (want 0/$EXP_HS/0), dns $DN1/$DN2/$DN3 (want 0/0/$EXP_DNS)"
grep -qiE 'level=(error|warn).*(rule|scrape)' "$tmp/prometheus.log" &&
	echo "note: Prometheus log: $(grep -iE 'level=(error|warn)' "$tmp/prometheus.log" | head -3)"

# ---------------------------------------------------------------- stop
for i in 1 2 3; do
	kill -INT "${WL_PIDS[$i]}"
	wait "${WL_PIDS[$i]}"
	rc=$?
	st=$(ip netns exec "${HOSTNS[$i]}" bpftool net show dev wfdata 2>/dev/null | grep -c wirelat)
	[ "$rc" -eq 0 ] && [ "$st" -eq 0 ] && ok "host $i: wirelat exit 0, nothing attached" ||
		fail "host $i: wirelat exit $rc, $st wirelat programs left on wfdata"
done
WL_PIDS=()

echo "$FAILS failures"
[ "$FAILS" -eq 0 ]
