#!/usr/bin/env bash
# Who is slow: the bounded breakdowns by server, client, registrable domain
# and DNS server (DESIGN.md), offline on generated captures with known
# truth (tests/who_gen.py):
#   1. --top 10: per metric at most N + 1 series; the named keys are the
#      exact top 10 by transactions; each named series' count, sum and
#      failures equal the truth and the records wirelat printed; "other"
#      holds the rest, so a sum over the label is the global series;
#      domains are registrable domains of the Public Suffix List (co.uk,
#      com.au, ac.jp, ...), from libpsl.
#   2. churn: the heavy set changes halfway; with --top-window 20s the
#      keys that left have no series at the end, the named ones are all
#      of the new set, and the replacements are counted.
#   3. --label-subnet 203.0.113.0/25=front: no server address inside it is
#      a label; "front:..." is not needed: its name replaces them, with the
#      sum of their counts.
#   4. --top 0: no breakdown series at all; bad --top, --top-window and
#      --label-subnet values exit 2 with one line.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }
tmp=$(mktemp -d /tmp/wlwho.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

$PY "$ROOT/tests/who_gen.py" "$tmp/who.pcap" "$tmp/who.json" || { echo "FAIL: who_gen.py"; exit 1; }
$PY "$ROOT/tests/who_gen.py" "$tmp/churn.pcap" "$tmp/churn.json" --churn || { echo "FAIL: who_gen.py --churn"; exit 1; }

run() { # NAME PCAP ARGS...: records NAME.jsonl, metrics NAME.prom
	local name=$1 pcap=$2
	shift 2
	"$WIRELAT" -r "$pcap" --json --metrics-out "$tmp/$name.prom" "$@" >"$tmp/$name.jsonl" 2>"$tmp/$name.err" ||
		{ fail "$name: wirelat -r exited $?: $(cat "$tmp/$name.err")"; return 1; }
}
run top "$tmp/who.pcap" --top 10
run churn "$tmp/churn.pcap" --top 10 --top-window 20s
run subnet "$tmp/who.pcap" --top 10 --label-subnet 203.0.113.0/25=front
run off "$tmp/who.pcap" --top 0
# a third-party capture with request/response turns (server time)
run turns "$(shared_pcaps)/nDPI-reddit.pcap" --top 3

$PY - "$tmp" <<'PY' || FAILS=$((FAILS + 1))
import json, re, sys
tmp = sys.argv[1]
bad = 0
def check(cond, what):
    global bad
    print(("ok: " if cond else "FAIL: ") + what)
    bad += not cond

def parse(path):
    out = []
    for line in open(path):
        m = re.match(r'^(\w+)\{([^}]*)\} (\S+)$', line.strip())
        if m:
            out.append((m.group(1), dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2))), float(m.group(3))))
    return out

def series(samples, name, label, **kw):
    """{label value: value} of metric NAME (other labels as given)"""
    return {l[label]: v for n, l, v in samples if n == name and label in l
            and all(l.get(k) == x for k, x in kw.items())}

def glob(samples, name, **kw):
    return sum(v for n, l, v in samples if n == name and all(l.get(k) == x for k, x in kw.items()))

truth = json.load(open(tmp + "/who.json"))
m = parse(tmp + "/top.prom")
recs = [json.loads(l) for l in open(tmp + "/top.jsonl")]
N = 10

def top_keys(table, n=N):
    return sorted(truth[table], key=lambda k: -truth[table][k]["count"])[:n]

# 1. series bound and exact top N
for name, label in (("wirelat_server_handshake_seconds_count", "server"),
                    ("wirelat_dns_domain_response_seconds_count", "domain"),
                    ("wirelat_dns_server_response_seconds_count", "server")):
    s = series(m, name, label)
    check(len(s) <= N + 1 and "other" in s, "%s: %d series (at most N + 1 = %d)" % (name, len(s), N + 1))
for name, label in (("wirelat_server_failures_total", "server"), ("wirelat_dns_domain_failures_total", "domain")):
    for reason in {l["reason"] for n, l, v in m if n == name}:
        s = series(m, name, label, reason=reason)
        check(len(s) <= N + 1, "%s{reason=%s}: %d series" % (name, reason, len(s)))

for table, name, label in (("servers", "wirelat_server_handshake_seconds", "server"),
                           ("domains", "wirelat_dns_domain_response_seconds", "domain"),
                           ("dns_servers", "wirelat_dns_server_response_seconds", "server")):
    cnt = series(m, name + "_count", label)
    sm = series(m, name + "_sum", label)
    named = set(cnt) - {"other"}
    want = set(top_keys(table, min(N, len(truth[table]))))
    check(named == want, "%s: the named keys are the exact top %d by transactions%s" %
          (table, len(want), "" if named == want else ": got %s, want %s" % (sorted(named), sorted(want))))
    for k in sorted(named & want):
        t = truth[table][k]
        check(cnt[k] == t["lat_n"] and abs(sm[k] * 1e9 - t["sum_ns"]) < 1e3,
              "%s %s: count %d sum %.6f s = truth %d %.6f s" % (table, k, cnt[k], sm[k], t["lat_n"], t["sum_ns"] / 1e9))
    # a sum over the label is the global series
    if table == "servers":
        gc, gs = glob(m, "wirelat_tcp_handshake_seconds_count"), glob(m, "wirelat_tcp_handshake_seconds_sum")
    else:
        gc, gs = glob(m, "wirelat_dns_response_seconds_count"), glob(m, "wirelat_dns_response_seconds_sum")
    check(sum(cnt.values()) == gc and abs(sum(sm.values()) - gs) < 1e-5,
          "%s: sum over the label %d / %.6f s = the global series %d / %.6f s" %
          (table, sum(cnt.values()), sum(sm.values()), gc, gs))
    # other holds exactly the rest
    rest = sum(t["lat_n"] for k, t in truth[table].items() if k not in named)
    check(cnt.get("other") == rest, "%s: other %s = the rest %d" % (table, cnt.get("other"), rest))

# DNS server time: latency less the server's baseline (its least latency
# of 5 minutes), per DNS server
cnt = series(m, "wirelat_dns_server_time_seconds_count", "server")
sm = series(m, "wirelat_dns_server_time_seconds_sum", "server")
for k, t in sorted(truth["dns_servers"].items()):
    check(cnt.get(k) == t["lat_n"] and abs(sm.get(k, -1) * 1e9 - t["st_sum_ns"]) < 1e3,
          "dns server time %s: count %s sum %.6f s = truth %d %.6f s" %
          (k, cnt.get(k), sm.get(k, -1), t["lat_n"], t["st_sum_ns"] / 1e9))

# the named series equal wirelat's own records of their keys
rec_cnt = {}
for r in recs:
    if r["type"] == "tcp_handshake":
        k = "%s:%d" % (r["server_ip"], r["server_port"])
        rec_cnt[k] = rec_cnt.get(k, 0) + 1
cnt = series(m, "wirelat_server_handshake_seconds_count", "server")
check(all(rec_cnt.get(k) == v for k, v in cnt.items() if k != "other"),
      "servers: each named count equals wirelat's tcp_handshake records of that server")

for table, name, label, reasons in (("servers", "wirelat_server_failures_total", "server", ("refused",)),
                                    ("domains", "wirelat_dns_domain_failures_total", "domain",
                                     ("timeout", "servfail", "nxdomain"))):
    for reason in reasons:
        s = series(m, name, label, reason=reason)
        ok = all(v == truth[table][k]["fail"].get(reason, 0) for k, v in s.items() if k != "other")
        tot = sum(t["fail"].get(reason, 0) for t in truth[table].values())
        check(ok and sum(s.values()) == tot, "%s{reason=%s}: named equal the truth, sum %d = %d" %
              (name, reason, sum(s.values()), tot))
doms = set(series(m, "wirelat_dns_domain_response_seconds_count", "domain")) - {"other"}
check(all(re.match(r"^dom\d\d\.(co\.uk|com\.au|ac\.jp|com|org|net|co\.nz|org\.uk|com\.br|de)$", d) for d in doms)
      and any(d.endswith(".co.uk") or d.endswith(".ac.jp") or d.endswith(".com.au") for d in doms),
      "domains are registrable domains (eTLD+1): %s" % sorted(doms)[:4])

# 2. churn
truth2 = json.load(open(tmp + "/churn.json"))
m2 = parse(tmp + "/churn.prom")
left, came = set(truth2["heavy_servers"][:25]), set(truth2["heavy_servers"][25:])
named = set(series(m2, "wirelat_server_handshake_seconds_count", "server")) - {"other"}
check(named and not (named & left) and named <= came,
      "churn: %d servers named, all of the second heavy set, none of the first" % len(named))
dleft, dcame = set(truth2["heavy_domains"][:25]), set(truth2["heavy_domains"][25:])
dnamed = set(series(m2, "wirelat_dns_domain_response_seconds_count", "domain")) - {"other"}
check(dnamed and not (dnamed & dleft) and dnamed <= dcame,
      "churn: %d domains named, all of the second heavy set" % len(dnamed))
rep = series(m2, "wirelat_top_replacements_total", "table")
check(rep.get("servers", 0) > 0 and rep.get("domains", 0) > 0, "churn: replacements counted %s" % rep)
g = glob(m2, "wirelat_tcp_handshake_seconds_count")
check(sum(series(m2, "wirelat_server_handshake_seconds_count", "server").values()) == g,
      "churn: the sum over server is still the global %d" % g)

# 3. --label-subnet
m3 = parse(tmp + "/subnet.prom")
s3 = series(m3, "wirelat_server_handshake_seconds_count", "server")
inside = [k for k in s3 if re.match(r"^203\.0\.113\.(\d+):", k) and int(k.split(".")[3].split(":")[0]) < 128]
front = sum(t["lat_n"] for k, t in truth["servers"].items() if int(k.split(".")[3].split(":")[0]) < 128)
check(not inside and s3.get("front") == front,
      "--label-subnet: no address of 203.0.113.0/25 is a label; front = %s (truth %d)" % (s3.get("front"), front))

# 4. --top 0
m4 = parse(tmp + "/off.prom")
check(not any(n.startswith(("wirelat_server_", "wirelat_client_", "wirelat_dns_domain_", "wirelat_dns_server_",
                            "wirelat_top_")) for n, l, v in m4), "--top 0: no breakdown series")
# 5. server time puts a connection's turns at their average: "other" is
# still a histogram (cumulative buckets never decrease) and the counts
# and sums over the label are the global ones
m5 = parse(tmp + "/turns.prom")
for name, label, gname in (("wirelat_server_time_seconds", "server", "wirelat_tcp_server_time_seconds"),
                           ("wirelat_server_handshake_seconds", "server", "wirelat_tcp_handshake_seconds")):
    cnt = series(m5, name + "_count", label)
    sm = series(m5, name + "_sum", label)
    gc, gs = glob(m5, gname + "_count"), glob(m5, gname + "_sum")
    check(len(cnt) > 1 and sum(cnt.values()) == gc and abs(sum(sm.values()) - gs) < 1e-5,
          "nDPI-reddit %s: sum over the label %d / %.6f s = the global %d / %.6f s" %
          (name, sum(cnt.values()), sum(sm.values()), gc, gs))
    for k in cnt:
        b = [(float(l["le"]), v) for n, l, v in m5 if n == name + "_bucket" and l.get(label) == k]
        b.sort()
        check(all(b[i][1] <= b[i + 1][1] for i in range(len(b) - 1)) and b[-1][1] == cnt[k],
              "nDPI-reddit %s{%s=%s}: buckets non-decreasing up to the count %d" % (name, label, k, cnt[k]))
sys.exit(1 if bad else 0)
PY

for args in "--top -1" "--top 1001" "--top-window 0s" "--label-subnet 203.0.113.0/33=x" "--label-subnet 203.0.113.0/24" "--label-subnet nonsense=x"; do
	# shellcheck disable=SC2086
	"$WIRELAT" -r "$tmp/who.pcap" $args >/dev/null 2>"$tmp/bad.err"
	rc=$?
	[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/bad.err")" = 1 ] && ok "$args: exit 2, $(cat "$tmp/bad.err")" ||
		fail "$args: exit $rc, $(cat "$tmp/bad.err")"
done

[ $FAILS -eq 0 ] || { echo "$FAILS failed"; exit 1; }
echo "all passed"
