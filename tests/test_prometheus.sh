#!/usr/bin/env bash
# The Prometheus side of wirelat: the rules, the dashboard and the metrics.
#
#   a. rules: `promtool check rules` and `promtool test rules` on
#      dashboards/wirelat-rules.yml and its unit tests
#   b. offline: captures through `wirelat -r --json --metrics-out`; the file
#      passes `promtool check metrics`, and every histogram agrees with the
#      records printed: _count = number of records of its kind (tcp_handshake
#      for the three TCP histograms, dns with rcode R for {rcode=R}, rcodes
#      without a name counted as "other"), each bucket = the records whose
#      duration falls in it (bounds of include/hist.h), _sum = their sum;
#      result counters = failure records. A capture made here (DNS responses
#      with rcodes 6, 9, 10, 15) exercises "other". Then a static lint of
#      dashboards/wirelat.json: Grafana 10 schema, the template variables, a
#      unit and a description on every panel, every selector filtered by
#      instance=~"$instance" and, where the metric has the label,
#      interface=~"$interface" (labels as wirelat prints them); every metric
#      the dashboard and the rules name exists.
#   c. live: namespace A sends (tcpreplay), namespace B is watched by
#      `wirelat -i` and scraped every second by a real Prometheus
#      (/usr/bin/prometheus) over B's loopback, with the rules loaded. After
#      the replay: a scrape passes `promtool check metrics`; every panel query
#      of the dashboard ($instance/$interface -> .*, $__rate_interval and
#      $__interval -> 1m) returns a non-empty result with a finite value;
#      the variables' label_values() find this instance and interface; every
#      recording rule has series; every rule evaluates without error; the
#      SERVFAIL alert is pending (8% SERVFAIL in dns-udp.pcap); the handshake
#      and DNS counts in Prometheus equal the records wirelat printed (and
#      the offline counts of the same captures).
#
# Network rules (as tests/test_live.sh): both namespaces are made here and
# joined only by their veth pair; no default route, forwarding off, IPv6 off
# on the veth pair, no address on it: replayed frames (addresses of
# 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, MACs not b's) go nowhere.
# wirelat and Prometheus talk over B's own loopback. The trap kills every
# process started here and removes the namespaces, also on failure.
#
# WIRELAT_TEST_KEEP=1 keeps the work directory.
#
# Exit: 0 passed, 1 failed, 77 prometheus/promtool missing, or (after part
# a) not root.
set -uo pipefail
. "$(dirname "$0")/lib.sh"

T_START=$SECONDS
RULES="$ROOT/dashboards/wirelat-rules.yml"
RULES_TEST="$ROOT/dashboards/wirelat-rules.test.yml"
DASH="$ROOT/dashboards/wirelat.json"
PROMETHEUS=${PROMETHEUS:-$(command -v prometheus || echo /usr/bin/prometheus)}
PROMTOOL=${PROMTOOL:-$(command -v promtool || echo /usr/bin/promtool)}
OFFLINE_PCAPS=(dns-udp tcp-interleaved tcp-refused dns-tcp dns-udp-edge)
LIVE_PCAPS=(tcp-interleaved tcp-refused dns-udp dns-tcp)

NS_A=wlp-$$-a
NS_B=wlp-$$-b
VA=wpa$$
VB=wpb$$
MAC_A=02:00:00:00:00:01
MAC_B=02:00:00:00:00:02

tmp=$(mktemp -d /tmp/wlt-prom.XXXXXX)
chmod 755 "$tmp"
NSS=()
PIDS=()

cleanup() {
	local p ns
	trap - EXIT INT TERM
	# wirelat first, with SIGINT: it detaches what it attached
	[ -n "${WL_PID:-}" ] && kill -INT "$WL_PID" 2>/dev/null
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null
	done
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		local alive=0
		for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive -eq 0 ] && break
		sleep 0.2
	done
	for p in "${PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null
	done
	# anything still running inside our namespaces was started by us
	for ns in "${NSS[@]}"; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do
			kill -KILL "$p" 2>/dev/null
		done
	done
	for ns in "${NSS[@]}"; do
		ip netns del "$ns" 2>/dev/null
	done
	if [ -n "${WIRELAT_TEST_KEEP:-}" ]; then
		echo "kept $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'echo "interrupted"; exit 130' INT
trap 'exit 143' TERM

skip() { echo "SKIP: $*"; exit 77; }
inA() { ip netns exec "$NS_A" "$@"; }
inB() { ip netns exec "$NS_B" "$@"; }
# run_in NS CMD...: run CMD in namespace NS in the background and wait for it, so
# that a signal to this script runs the trap at once (bash runs traps only
# between foreground commands, and `wait` is interrupted by them)
run_in() {
	local ns=$1 p
	shift
	ip netns exec "$ns" "$@" &
	p=$!
	PIDS+=("$p")
	wait "$p"
}

# ---------------------------------------------------------------- helper

cat >"$tmp/helper.py" <<'EOF'
import json, math, os, re, struct, sys, time, urllib.parse, urllib.request

FAILS = 0
def ok(msg): print("ok: " + msg, flush=True)
def fail(msg):
    global FAILS
    FAILS += 1
    print("FAIL: " + msg, flush=True)

# ---------------------------------------------------------------- text format
LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')

def parse_prom(text):
    """-> (samples [(name, {labels}, value)], types {family: type})"""
    samples, types = [], {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, fam, typ = line.split(None, 3)
            types[fam] = typ
            continue
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            raise ValueError("unparsable line: %r" % line)
        samples.append((m.group(1), dict(LABEL.findall(m.group(2) or "")), float(m.group(3))))
    return samples, types

def family_of(name, types):
    for suf in ("_bucket", "_sum", "_count"):
        if name.endswith(suf) and types.get(name[:-len(suf)]) == "histogram":
            return name[:-len(suf)]
    return name

def label_map(paths):
    """-> ({family: set of label names}, {family: type}) over exposition files"""
    fams, alltypes = {}, {}
    for p in paths:
        samples, types = parse_prom(open(p).read())
        alltypes.update(types)
        for name, labels, _ in samples:
            fams.setdefault(family_of(name, types), set()).update(
                k for k in labels if k != "le")
        for fam in types:
            fams.setdefault(fam, set())
    return fams, alltypes

# ---------------------------------------------------------------- offline
# include/hist.h: bound k = floor(sqrt(1e8 * 2^k)) ns, k = 0..45
BOUNDS = [math.isqrt(10**8 * 2**k) for k in range(46)]
RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED", "other"]

def rcode_label(rc):
    return rc if rc in RCODES else "other"   # a number: no name

def check_hist(label, samples, name, sel, values):
    """the histogram NAME{SEL} against the durations VALUES (ns)"""
    def get(n, extra=None):
        want = dict(sel, **(extra or {}))
        return [(l, v) for nm, l, v in samples if nm == n and
                {k: x for k, x in l.items() if k != "le"} == want]
    buckets = get(name + "_bucket")
    count = get(name + "_count")
    total = get(name + "_sum")
    if len(count) != 1 or len(total) != 1 or len(buckets) != 47:
        fail("%s: %s%s: %d buckets, %d _count, %d _sum lines (want 47, 1, 1)" %
             (label, name, sel, len(buckets), len(count), len(total)))
        return 0
    bad = 0
    les = [l["le"] for l, _ in buckets]
    want_les = ["%.6g" % (1e-5 * 2 ** (k / 2)) for k in range(46)] + ["+Inf"]
    if les != want_les:
        fail("%s: %s%s: le labels %s..., want %s..." % (label, name, sel, les[:3], want_les[:3]))
        bad += 1
    mine = [0] * 47
    for v in values:
        k = next((i for i, b in enumerate(BOUNDS) if v <= b), 46)
        mine[k] += 1
    cum, got_cum = 0, [v for _, v in buckets]
    for k in range(47):
        cum += mine[k]
        if got_cum[k] != cum:
            fail("%s: %s%s le=%s: %d, the records give %d" %
                 (label, name, sel, les[k], got_cum[k], cum))
            bad += 1
            break
    if count[0][1] != len(values):
        fail("%s: %s_count%s = %d, %d records" % (label, name, sel, count[0][1], len(values)))
        bad += 1
    if abs(total[0][1] - sum(values) / 1e9) > 1e-6:
        fail("%s: %s_sum%s = %.9f, the records give %.9f" %
             (label, name, sel, total[0][1], sum(values) / 1e9))
        bad += 1
    # an observation above its bucket's printed le (the bound printed with
    # %.6g is below the kernel's bound by up to 5e-6 of it): informational
    above = [v for v in values
             for k in [next((i for i, b in enumerate(BOUNDS) if v <= b), 46)]
             if k < 46 and v / 1e9 > float(les[k])]
    if above:
        print("note: %s: %s: %d observation(s) above the printed le of their bucket, e.g. %d ns "
              "counted in le=%s" % (label, name, len(above), above[0],
                                     les[next(i for i, b in enumerate(BOUNDS) if above[0] <= b)]))
    return 0 if bad else 1

def offline(label, jsonl, prom, want_other=None):
    recs = [json.loads(l) for l in open(jsonl) if l.strip()]
    samples, types = parse_prom(open(prom).read())
    val = lambda n, **kw: sum(v for nm, l, v in samples if nm == n and
                              all(l.get(k) == x for k, x in kw.items()))
    hs = [r for r in recs if r["type"] == "tcp_handshake"]
    sel = {"interface": "pcap"}
    good = 0
    for name, field in (("wirelat_tcp_handshake_seconds", "handshake_ns"),
                        ("wirelat_tcp_syn_to_synack_seconds", "syn_to_synack_ns"),
                        ("wirelat_tcp_synack_to_ack_seconds", "synack_to_ack_ns")):
        good += check_hist(label, samples, name, sel, [r[field] for r in hs])
    if val("wirelat_tcp_handshakes_total", result="completed") != len(hs):
        fail("%s: completed = %d, %d tcp_handshake records" %
             (label, val("wirelat_tcp_handshakes_total", result="completed"), len(hs)))
    for reason in ("refused", "aborted", "unreachable", "timeout"):
        n = sum(1 for r in recs if r["type"] == "tcp_handshake_failed" and r["reason"] == reason)
        if val("wirelat_tcp_handshakes_total", result=reason) != n:
            fail("%s: result=%s = %d, %d tcp_handshake_failed records" %
                 (label, reason, val("wirelat_tcp_handshakes_total", result=reason), n))
    dns = [r for r in recs if r["type"] == "dns"]
    per = {rc: [] for rc in RCODES}
    for r in dns:
        per[rcode_label(r["rcode"])].append(r["latency_ns"])
    for rc in RCODES:
        good += check_hist(label, samples, "wirelat_dns_response_seconds",
                           dict(sel, rcode=rc), per[rc])
        if val("wirelat_dns_responses_total", rcode=rc) != len(per[rc]):
            fail("%s: wirelat_dns_responses_total{rcode=%s} = %d, %d dns records" %
                 (label, rc, val("wirelat_dns_responses_total", rcode=rc), len(per[rc])))
    # eof (pending at the end of a capture) is no timeout: DESIGN's reasons
    # of wirelat_dns_timeouts_total are timeout and unreachable
    nto = sum(1 for r in recs if r["type"] == "dns_timeout" and r["reason"] != "eof")
    if val("wirelat_dns_timeouts_total") != nto:
        fail("%s: wirelat_dns_timeouts_total = %d, %d dns_timeout records" %
             (label, val("wirelat_dns_timeouts_total"), nto))
    if want_other is not None and len(per["other"]) != want_other:
        fail("%s: %d dns records with an unnamed rcode, want %d (rcodes seen: %s)" %
             (label, len(per["other"]), want_other, sorted({str(r["rcode"]) for r in dns})))
    counts = ", ".join("%s %d" % (rc, len(per[rc])) for rc in RCODES if per[rc])
    print("ok: %s: %d tcp_handshake records = _count of the 3 TCP histograms, %d dns records "
          "= _count by rcode (%s), %d/%d histograms agree bucket by bucket" %
          (label, len(hs), len(dns), counts or "none", good, 3 + len(RCODES)))
    return FAILS

def mkpcap(path):
    """DNS over UDP, IPv4, with unnamed rcodes: client 198.51.100.20,
    server 203.0.113.53; rcodes 9, 10, 6, 15 (no name), 3, 0"""
    def csum(b):
        s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
        s = (s >> 16) + (s & 0xffff)
        s += s >> 16
        return ~s & 0xffff
    def frame(src, dst, sport, dport, payload, smac, dmac):
        udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
        ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), 1, 0x4000, 64, 17, 0,
                         bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
        ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
        return dmac + smac + b"\x08\x00" + ip + udp
    cmac, smac = bytes.fromhex("020000000101"), bytes.fromhex("020000000201")
    q = b"".join(bytes([len(x)]) + x.encode() for x in "odd.example.test".split(".")) + b"\0" + \
        struct.pack("!HH", 1, 1)
    out = [struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1)]
    t = 1700000000 * 10**6
    for i, rc in enumerate((9, 10, 6, 15, 3, 0)):
        cport, qid = 41000 + i, 0x2000 + i
        query = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q
        resp = struct.pack("!HHHHHH", qid, 0x8180 | rc, 1, 0, 0, 0) + q
        for us, f in ((t, frame("198.51.100.20", "203.0.113.53", cport, 53, query, cmac, smac)),
                      (t + 1000 * (i + 1), frame("203.0.113.53", "198.51.100.20", 53, cport, resp, smac, cmac))):
            out.append(struct.pack("<IIII", us // 10**6, us % 10**6, len(f), len(f)) + f)
        t += 100000
    open(path, "wb").write(b"".join(out))

# ---------------------------------------------------------------- dashboard
SEL = re.compile(r'\b(wirelat_[a-zA-Z0-9_]+)\s*(\{[^}]*\})?')

def exprs_of(dash):
    for p in dash.get("panels", []):
        for sub in [p] + p.get("panels", []):
            for t in sub.get("targets", []):
                if t.get("expr"):
                    yield sub, t

# live only (the kernel of the host wirelat runs on: no -r run has them), with their
# labels; part c's queries find them in a live scrape
LIVE_ONLY = {
    "wirelat_listen_queue_length": {"port"}, "wirelat_listen_queue_limit": {"port"},
    "wirelat_listen_drops_total": {"port"}, "wirelat_host_listen_overflows_total": set(),
    "wirelat_host_listen_drops_total": set(), "wirelat_host_tcp_reqqfull_drops_total": set(),
    "wirelat_host_syncookies_sent_total": set(),
    "wirelat_kernel_drops_total": {"interface", "reason"},
}

def lint(dash_path, rules_path, proms):
    import yaml
    fams, types = label_map(proms)
    for fam, labels in LIVE_ONLY.items():
        fams.setdefault(fam, set(labels))
    d = json.load(open(dash_path))
    if d.get("schemaVersion", 0) < 38:
        fail("dashboard: schemaVersion %s < 38" % d.get("schemaVersion"))
    tv = {v["name"]: v for v in d.get("templating", {}).get("list", [])}
    ds = tv.get("datasource", {})
    if ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        fail("dashboard: no datasource variable of type datasource, query prometheus")
    for name in ("instance", "interface"):
        v = tv.get(name, {})
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if v.get("type") != "query" or not re.match(r"^label_values\(.*,\s*%s\)$" % name, q or ""):
            fail("dashboard: variable %s is not a label_values(..., %s) query" % (name, name))
        if v.get("datasource", {}).get("uid") != "${datasource}":
            fail("dashboard: variable %s does not use ${datasource}" % name)
    npanels = ntargets = 0
    for p in d.get("panels", []):
        if p.get("type") == "row":	# a heading: no query, no unit
            if not p.get("title"):
                fail("dashboard: row %s has no title" % p.get("id"))
            continue
        npanels += 1
        what = "panel %s %r" % (p.get("id"), p.get("title"))
        if not p.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            fail("dashboard: %s has no fieldConfig.defaults.unit" % what)
        if not p.get("description", "").strip():
            fail("dashboard: %s has no description" % what)
        if p.get("datasource", {}).get("uid") != "${datasource}":
            fail("dashboard: %s does not use ${datasource}" % what)
        if not p.get("targets"):
            fail("dashboard: %s has no query" % what)
    for p, t in exprs_of(d):
        ntargets += 1
        what = "panel %s %r, query %s" % (p.get("id"), p.get("title"), t.get("refId"))
        sels = SEL.findall(t["expr"])
        if not sels:
            fail("dashboard: %s names no wirelat metric" % what)
        for metric, braces in sels:
            fam = family_of(metric, types)
            if fam not in fams:
                fail("dashboard: %s: %s is not a metric wirelat exports" % (what, metric))
                continue
            if 'instance=~"$instance"' not in braces:
                fail("dashboard: %s: %s not filtered by instance=~\"$instance\"" % (what, metric))
            if "interface" in fams[fam] and 'interface=~"$interface"' not in braces:
                fail("dashboard: %s: %s has an interface label but no interface=~\"$interface\"" %
                     (what, metric))
            if "interface" not in fams[fam] and "interface" in braces:
                fail("dashboard: %s: %s has no interface label but is filtered by it" % (what, metric))
    rules = yaml.safe_load(open(rules_path))
    nrules = 0
    for g in rules["groups"]:
        for r in g["rules"]:
            nrules += 1
            for metric, _ in SEL.findall(r["expr"]):
                fam = family_of(metric, types)
                if fam not in fams:
                    fail("rules: %s: %s is not a metric wirelat exports" %
                         (r.get("record") or r.get("alert"), metric))
            if "alert" in r:
                if not r.get("for"):
                    fail("rules: %s has no for:" % r["alert"])
                if not r.get("labels", {}).get("severity"):
                    fail("rules: %s has no severity label" % r["alert"])
                for a in ("summary", "description"):
                    if not r.get("annotations", {}).get(a):
                        fail("rules: %s has no %s" % (r["alert"], a))
    return npanels, ntargets, nrules

# ---------------------------------------------------------------- live
def get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode(), r.headers.get("Content-Type", "")

def query(prom, q):
    body, _ = get("%s/api/v1/query?%s" % (prom, urllib.parse.urlencode({"query": q})))
    d = json.loads(body)
    if d.get("status") != "success":
        raise RuntimeError("%s: %s" % (q, d))
    return d["data"]["result"]

def scalar(prom, q):
    r = query(prom, q)
    return float(r[0]["value"][1]) if r else None

def wait_ready(prom, target, seconds):
    end = time.time() + seconds
    last = ""
    while time.time() < end:
        try:
            get(prom + "/-/ready", 1)
            up = scalar(prom, 'up{job="wirelat"}')
            if up == 1:
                return 0
            last = "up = %s" % up
        except Exception as e:
            last = str(e)
        time.sleep(0.25)
    print("prometheus not ready / target %s not up: %s" % (target, last))
    return 1

# the wire's records: Prometheus scraping wirelat over loopback every
# second makes socket-path ones ("source":"sock"), not in these metrics
def count_records(path, kind):
    """records of KIND so far: wirelat is still writing, and a reader can
    see a line it has not finished (a write across a page boundary shows
    its first page first): a line without its newline is not counted yet"""
    n = 0
    for l in open(path):
        if not l.startswith("{") or not l.endswith("\n"):
            continue
        r = json.loads(l)
        if r.get("type") == kind and r.get("source") == "wire":
            n += 1
    return n

def settle(prom, jsonl, seconds):
    """until Prometheus holds what wirelat printed (and 3 more scrapes)"""
    end = time.time() + seconds
    while time.time() < end:
        hs = count_records(jsonl, "tcp_handshake")
        dns = count_records(jsonl, "dns")
        p_hs = scalar(prom, 'sum(wirelat_tcp_handshake_seconds_count{job="wirelat"})')
        p_dns = scalar(prom, 'sum(wirelat_dns_response_seconds_count{job="wirelat"})')
        if p_hs == hs and p_dns == dns:
            time.sleep(3)
            if (count_records(jsonl, "tcp_handshake"), count_records(jsonl, "dns")) == (hs, dns):
                return
        time.sleep(0.5)

def subst(expr):
    reps = {"__rate_interval": "1m", "__interval": "1m", "__range": "5m",
            "__interval_ms": "60000", "__range_s": "300", "__range_ms": "300000",
            "instance": ".*", "interface": ".*"}
    def one(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in reps:
            raise KeyError(name)
        return reps[name]
    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)", one, expr)

def live(prom, wl_url, dash_path, rules_path, jsonl, scrape_out, want_hs, want_dns, vb):
    import yaml
    settle(prom, jsonl, 20)
    # 1. the scrape, for promtool check metrics (done by the shell)
    body, ctype = get(wl_url + "/metrics")
    open(scrape_out, "w").write(body)
    if not ctype.startswith("text/plain; version=0.0.4"):
        fail("/metrics Content-Type %r" % ctype)
    # 2. every panel query of the dashboard
    d = json.load(open(dash_path))
    n = 0
    for p, t in exprs_of(d):
        n += 1
        what = "panel %s %r query %s" % (p.get("id"), p.get("title"), t.get("refId"))
        try:
            q = subst(t["expr"])
        except KeyError as e:
            fail("%s: unknown variable $%s" % (what, e.args[0]))
            continue
        try:
            res = query(prom, q)
        except Exception as e:
            fail("%s: %s" % (what, e))
            continue
        finite = [r for r in res if math.isfinite(float(r["value"][1]))]
        if not res:
            fail("%s: empty result for %s" % (what, q))
        elif not finite:
            fail("%s: only NaN/Inf in %d series for %s" % (what, len(res), q))
    ok("%d dashboard queries return series with finite values" % n)
    # 3. the variables find this instance and this interface
    for v in d["templating"]["list"]:
        if v.get("type") != "query":
            continue
        qv = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.match(r"^label_values\((.*),\s*(\w+)\)$", qv)
        sel, lab = subst(m.group(1)), m.group(2)
        vals = sorted({r["metric"].get(lab) for r in query(prom, "count by (%s) (%s)" % (lab, sel))})
        want = vb if lab == "interface" else None
        if not vals or (want and want not in vals):
            fail("variable %s: %s gives %s" % (v["name"], qv, vals))
        else:
            ok("variable %s: %s" % (v["name"], ", ".join(map(str, vals))))
    # 4. recording rules have series; every rule evaluates
    rules = yaml.safe_load(open(rules_path))
    recs = [r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r]
    end = time.time() + 10
    missing = recs
    while missing and time.time() < end:
        missing = [r for r in recs if not query(prom, r)]
        if missing:
            time.sleep(0.5)
    if missing:
        fail("recording rules without series: %s" % ", ".join(missing))
    else:
        ok("%d recording rules have series, e.g. wirelat:tcp_handshake_seconds:p99_5m = %s" %
           (len(recs), query(prom, "wirelat:tcp_handshake_seconds:p99_5m")[0]["value"][1]))
    loaded = json.loads(get(prom + "/api/v1/rules")[0])["data"]["groups"]
    nrules = sum(len(g["rules"]) for g in loaded)
    want_rules = sum(len(g["rules"]) for g in rules["groups"])
    bad = [(r.get("name"), r.get("lastError")) for g in loaded for r in g["rules"]
           if r.get("health") != "ok"]
    if nrules != want_rules or bad:
        fail("rules loaded %d/%d, unhealthy: %s" % (nrules, want_rules, bad))
    else:
        ok("%d rules loaded, all healthy" % nrules)
    # 5. the SERVFAIL alert sees dns-udp.pcap's 8% (pending: for 10m)
    state = {}
    end = time.time() + 10
    while time.time() < end:
        loaded = json.loads(get(prom + "/api/v1/rules?type=alert")[0])["data"]["groups"]
        state = {r["name"]: r["state"] for g in loaded for r in g["rules"]}
        if state.get("WirelatDNSServfailRatioHigh") == "pending":
            break
        time.sleep(0.5)
    if state.get("WirelatDNSServfailRatioHigh") != "pending":
        fail("WirelatDNSServfailRatioHigh is %s, want pending (ratio %s)" %
             (state.get("WirelatDNSServfailRatioHigh"), scalar(prom, "wirelat:dns_servfail:ratio_5m")))
    quiet = ["WirelatRecordsDropped", "WirelatFlowTableNearlyFull",
             "WirelatDNSUnsolicitedResponses", "WirelatTCPHandshakeFailuresHigh",
             "WirelatDNSTimeoutRatioHigh"]
    loud = [a for a in quiet if state.get(a) != "inactive"]
    if loud:
        fail("alerts that should be inactive: %s" % ", ".join("%s=%s" % (a, state.get(a)) for a in loud))
    ok("alert states: " + ", ".join("%s %s" % (k, v) for k, v in sorted(state.items())))
    # 6. counts: Prometheus = records printed = offline
    hs = count_records(jsonl, "tcp_handshake")
    dns = count_records(jsonl, "dns")
    p = {q: scalar(prom, q) for q in (
        'sum(wirelat_tcp_handshake_seconds_count{job="wirelat"})',
        'sum(wirelat_tcp_syn_to_synack_seconds_count{job="wirelat"})',
        'sum(wirelat_tcp_synack_to_ack_seconds_count{job="wirelat"})',
        'sum(wirelat_tcp_handshakes_total{job="wirelat",result="completed"})',
        'sum(wirelat_dns_response_seconds_count{job="wirelat"})',
        'sum(wirelat_dns_responses_total{job="wirelat"})')}
    for q, v in p.items():
        want = hs if "tcp" in q else dns
        if v != want:
            fail("%s = %s in Prometheus, wirelat printed %d records" % (q, v, want))
    if hs != want_hs or dns != want_dns:
        fail("wirelat printed %d tcp_handshake and %d dns records live, %d and %d offline" %
             (hs, dns, want_hs, want_dns))
    ok("handshakes: %d printed = %d in Prometheus = %d offline; dns responses: %d printed = "
       "%d in Prometheus = %d offline" %
       (hs, p['sum(wirelat_tcp_handshake_seconds_count{job="wirelat"})'], want_hs, dns,
        p['sum(wirelat_dns_response_seconds_count{job="wirelat"})'], want_dns))
    return FAILS

if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "offline":
        want = int(args[3]) if len(args) > 3 else None
        sys.exit(1 if offline(args[0], args[1], args[2], want) else 0)
    elif cmd == "mkpcap":
        mkpcap(args[0])
    elif cmd == "lint":
        np_, nt, nr = lint(args[0], args[1], args[2:])
        if not FAILS:
            print("ok: dashboard: %d panels, %d queries, all with unit, description and the "
                  "instance/interface filters; %d rules name only exported metrics" % (np_, nt, nr))
        sys.exit(1 if FAILS else 0)
    elif cmd == "wait_ready":
        sys.exit(wait_ready(args[0], args[1], float(args[2])))
    elif cmd == "live":
        sys.exit(1 if live(args[0], args[1], args[2], args[3], args[4], args[5],
                           int(args[6]), int(args[7]), args[8]) else 0)
EOF
helper() { $PY "$tmp/helper.py" "$@"; }

# ---------------------------------------------------------------- a. rules

[ -x "$PROMETHEUS" ] || skip "prometheus not installed (tests/deps.sh)"
[ -x "$PROMTOOL" ] || skip "promtool not installed (tests/deps.sh)"

echo "--- a. rules"
if "$PROMTOOL" check rules "$RULES" >"$tmp/check.out" 2>&1; then
	ok "promtool check rules: $(grep -o 'SUCCESS.*' "$tmp/check.out")"
else
	cat "$tmp/check.out"
	fail "promtool check rules $RULES"
fi
# promtool resolves rule_files relative to the test file
if "$PROMTOOL" test rules "$RULES_TEST" >"$tmp/test.out" 2>&1; then
	ok "promtool test rules: $(grep -c '^  - name:' "$RULES_TEST") test groups, $(grep -c 'alertname:' "$RULES_TEST") alert checks, $(grep -c -- '- expr:' "$RULES_TEST") expression checks: SUCCESS"
else
	cat "$tmp/test.out"
	fail "promtool test rules $RULES_TEST"
fi

[ "$(id -u)" -eq 0 ] || {
	echo "$FAILS failures in part a"
	[ "$FAILS" -eq 0 ] || exit 1
	skip "parts b and c need root (BPF, network namespaces)"
}
[ -x "$WIRELAT" ] || { echo "FAIL: $WIRELAT not built (make)"; exit 1; }

# ---------------------------------------------------------------- b. offline

echo "--- b. offline"
offline_run() { # NAME FILE [WANT_OTHER]
	local b=$1 f=$2
	if ! "$WIRELAT" -r "$f" --json --metrics-out "$tmp/$b.prom" >"$tmp/$b.jsonl" 2>"$tmp/$b.err"; then
		fail "$b: wirelat -r exited non-zero: $(head -1 "$tmp/$b.err")"
		return 1
	fi
	if "$PROMTOOL" check metrics <"$tmp/$b.prom" >"$tmp/$b.lint" 2>&1 && [ ! -s "$tmp/$b.lint" ]; then
		ok "$b: promtool check metrics: clean ($(grep -vc '^#' "$tmp/$b.prom") samples)"
	else
		fail "$b: promtool check metrics: $(head -5 "$tmp/$b.lint" | tr '\n' ' ')"
	fi
	helper offline "$b" "$tmp/$b.jsonl" "$tmp/$b.prom" ${3:+"$3"} || fail "$b: histograms vs records"
}
for b in "${OFFLINE_PCAPS[@]}"; do
	offline_run "$b" "$ROOT/pcaps/$b.pcap"
done
helper mkpcap "$tmp/dns-rcodes.pcap"
offline_run dns-rcodes "$tmp/dns-rcodes.pcap" 4

helper lint "$DASH" "$RULES" "$tmp"/*.prom || fail "dashboard / rules lint"

# what the live replay must give: the offline records of the same captures
WANT_HS=0 WANT_DNS=0
for b in "${LIVE_PCAPS[@]}"; do
	WANT_HS=$((WANT_HS + $(grep -c '"type":"tcp_handshake"' "$tmp/$b.jsonl")))
	WANT_DNS=$((WANT_DNS + $(grep -c '"type":"dns"' "$tmp/$b.jsonl")))
done

# ---------------------------------------------------------------- c. live

echo "--- c. live: wirelat -i + Prometheus in a namespace"
for t in ip tcpreplay; do
	command -v "$t" >/dev/null || { echo "FAIL: $t not installed (tests/deps.sh)"; exit 1; }
done
for ns in "$NS_A" "$NS_B"; do
	ip netns add "$ns" 2>"$tmp/err" || skip "network namespaces unavailable: $(cat "$tmp/err")"
	NSS+=("$ns")
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 \
		net.ipv6.conf.default.forwarding=0 >/dev/null || { echo "FAIL: sysctl in $ns"; exit 1; }
done
ip -n "$NS_A" link add name "$VA" type veth peer name "$VB" netns "$NS_B" 2>"$tmp/err" ||
	skip "veth unavailable: $(cat "$tmp/err")"
for x in "$NS_A $VA $MAC_A" "$NS_B $VB $MAC_B"; do
	set -- $x
	ip netns exec "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1" >/dev/null
	ip -n "$1" link set dev "$2" address "$3" up || { echo "FAIL: link setup in $1"; exit 1; }
done
ip -n "$NS_B" link set dev lo up
for ns in "$NS_A" "$NS_B"; do
	[ -z "$(ip -n "$ns" route show default; ip -n "$ns" -6 route show default)" ] ||
		{ echo "FAIL: $ns has a default route"; exit 1; }
	[ "$(ip netns exec "$ns" sysctl -n net.ipv4.ip_forward)$(ip netns exec "$ns" sysctl -n net.ipv6.conf.all.forwarding)" = 00 ] ||
		{ echo "FAIL: forwarding on in $ns"; exit 1; }
done

# two free ports on B's loopback (B is new, but check anyway), never 9745
free_port() {
	local p
	for _ in $(seq 50); do
		p=$((20000 + RANDOM % 20000))
		[ "$p" -ne 9745 ] && [ "$p" -ne "${1:-0}" ] || continue
		[ -z "$(inB ss -Htan "sport = :$p")" ] && { echo "$p"; return 0; }
	done
	return 1
}
WL_PORT=$(free_port) && PROM_PORT=$(free_port "$WL_PORT") || { echo "FAIL: no free port"; exit 1; }
WL_URL=http://127.0.0.1:$WL_PORT
PROM_URL=http://127.0.0.1:$PROM_PORT
echo "namespaces $NS_A ($VA) -> $NS_B ($VB); wirelat $WL_URL, prometheus $PROM_URL; tmp $tmp"

# background processes: `ip netns exec` itself (it execs them, so $! is their pid)
ip netns exec "$NS_B" "$WIRELAT" -i "$VB" --json --listen "127.0.0.1:$WL_PORT" \
	>"$tmp/live.jsonl" 2>"$tmp/live.err" &
WL_PID=$!
PIDS+=("$WL_PID")
for _ in $(seq 150); do
	grep -q '^wirelat: watching ' "$tmp/live.err" && break
	kill -0 "$WL_PID" 2>/dev/null || break
	sleep 0.1
done
grep -q '^wirelat: watching ' "$tmp/live.err" ||
	{ echo "FAIL: wirelat did not start: $(tr '\n' ' ' <"$tmp/live.err" | head -c 400)"; exit 1; }
echo "$(grep '^wirelat: watching ' "$tmp/live.err")"

cat >"$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - $RULES
scrape_configs:
  - job_name: wirelat
    static_configs:
      - targets: ['127.0.0.1:$WL_PORT']
EOF
"$PROMTOOL" check config "$tmp/prometheus.yml" >"$tmp/config.out" 2>&1 ||
	{ cat "$tmp/config.out"; echo "FAIL: promtool check config"; exit 1; }
ip netns exec "$NS_B" "$PROMETHEUS" --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
	--web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn >"$tmp/prometheus.log" 2>&1 &
PROM_PID=$!
PIDS+=("$PROM_PID")
if ! run_in "$NS_B" $PY "$tmp/helper.py" wait_ready "$PROM_URL" "127.0.0.1:$WL_PORT" 30; then
	tail -5 "$tmp/prometheus.log"
	echo "FAIL: Prometheus did not start or cannot scrape wirelat"
	exit 1
fi
ok "Prometheus $("$PROMETHEUS" --version 2>&1 | head -1 | awk '{print $3}') up, scraping wirelat every second ($((SECONDS - T_START)) s so far)"

t0=$SECONDS
for b in "${LIVE_PCAPS[@]}"; do
	if ! run_in "$NS_A" tcpreplay -i "$VA" -K -q -T nano "$ROOT/pcaps/$b.pcap" >"$tmp/replay.$b" 2>&1; then
		fail "tcpreplay $b.pcap: $(tail -2 "$tmp/replay.$b" | tr '\n' ' ')"
	fi
	n=$(sed -n 's/^[[:space:]]*Failed packets:[[:space:]]*\([0-9]*\).*/\1/p' "$tmp/replay.$b")
	[ "${n:-0}" -eq 0 ] || fail "tcpreplay $b.pcap: $n packets not sent"
done
echo "replayed ${LIVE_PCAPS[*]} in real time: $((SECONDS - t0)) s"

if run_in "$NS_B" $PY "$tmp/helper.py" live "$PROM_URL" "$WL_URL" "$DASH" "$RULES" "$tmp/live.jsonl" \
	"$tmp/scrape.prom" "$WANT_HS" "$WANT_DNS" "$VB"; then
	:
else
	fail "live checks"
fi
if [ -s "$tmp/scrape.prom" ]; then
	if "$PROMTOOL" check metrics <"$tmp/scrape.prom" >"$tmp/scrape.lint" 2>&1 && [ ! -s "$tmp/scrape.lint" ]; then
		ok "live scrape of /metrics: promtool check metrics: clean ($(grep -vc '^#' "$tmp/scrape.prom") samples)"
	else
		fail "live scrape: promtool check metrics: $(head -5 "$tmp/scrape.lint" | tr '\n' ' ')"
	fi
else
	fail "no scrape of $WL_URL/metrics"
fi
[ -s "$tmp/prometheus.log" ] && grep -qi 'level=error' "$tmp/prometheus.log" &&
	fail "Prometheus logged errors: $(grep -i 'level=error' "$tmp/prometheus.log" | head -3)"

kill -INT "$WL_PID" 2>/dev/null
wait "$WL_PID"
rc=$?
[ "$rc" -eq 0 ] && ok "wirelat: exit 0 after SIGINT" || fail "wirelat: exit $rc after SIGINT"
WL_PID=

echo "summary: $((SECONDS - T_START)) s, $FAILS failures"
[ "$FAILS" -eq 0 ]
