#!/usr/bin/python3
"""A short summary of wirelat's metrics: counts, and p50/p99 of each
handshake leg and of DNS latency, computed from the histogram buckets the
way Prometheus' histogram_quantile() does (linear interpolation inside the
bucket; a rank in the +Inf bucket gives the highest finite bound).

Usage:
  metrics_summary.py URL|FILE                 print one summary
  metrics_summary.py --every N URL            print one every N seconds until killed
  metrics_summary.py --quantile Q METRIC FILE print Q of histogram METRIC (all
                                              series summed), for tests

Used by tests/demo.sh (`make demo`) and tests/test_fleet.sh. Only the
standard library; a URL is fetched with urllib, so run it in the network
namespace where wirelat listens.
"""
import math
import re
import sys
import time
import urllib.request

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)')
LABEL = re.compile(r'(\w+)="((?:[^"\\]|\\.)*)"')


def parse(text):
    """Prometheus text format -> list of (name, {labels}, value)."""
    out = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            continue
        labels = dict(LABEL.findall(m.group(2) or ""))
        try:
            value = float(m.group(3))
        except ValueError:
            continue
        out.append((m.group(1), labels, value))
    return out


def buckets(samples, metric, where=None):
    """Cumulative buckets of histogram METRIC summed over every series
    (optionally those whose labels match WHERE): [(upper bound, count)]."""
    acc = {}
    for name, labels, value in samples:
        if name != metric + "_bucket":
            continue
        if where and any(labels.get(k) != v for k, v in where.items()):
            continue
        le = float(labels["le"].replace("Inf", "inf"))
        acc[le] = acc.get(le, 0.0) + value
    return sorted(acc.items())


def quantile(q, bks):
    """Prometheus' bucketQuantile (promql/quantile.go, 2.x)."""
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    if len(bks) < 2 or not math.isinf(bks[-1][0]):
        return math.nan
    # ensureMonotonic
    fixed, last = [], 0.0
    for ub, c in bks:
        last = max(last, c)
        fixed.append((ub, last))
    bks = fixed
    total = bks[-1][1]
    if total == 0:
        return math.nan
    rank = q * total
    b = next(i for i, (_, c) in enumerate(bks) if c >= rank)
    if b == len(bks) - 1:
        return bks[-2][0]
    if b == 0 and bks[0][0] <= 0:
        return bks[0][0]
    start, end, count = 0.0, bks[b][0], bks[b][1]
    if b > 0:
        start = bks[b - 1][0]
        count -= bks[b - 1][1]
        rank -= bks[b - 1][1]
    return start + (end - start) * (rank / count)


def total(samples, metric, by=None):
    """Sum of METRIC; with BY, a dict label value -> sum."""
    if by is None:
        return sum(v for n, _, v in samples if n == metric)
    acc = {}
    for n, labels, v in samples:
        if n == metric:
            acc[labels.get(by, "")] = acc.get(labels.get(by, ""), 0.0) + v
    return acc


def ms(seconds):
    if math.isnan(seconds):
        return "      -"
    return "%7.3f ms" % (seconds * 1000) if seconds < 1 else "%7.3f s " % seconds


def counts(d):
    items = [(k, int(v)) for k, v in sorted(d.items(), key=lambda kv: -kv[1]) if v]
    return ", ".join("%s %d" % kv for kv in items) or "none"


def summary(text, source):
    s = parse(text)
    out = ["--- wirelat summary (%s, %s) ---" % (source, time.strftime("%H:%M:%S"))]
    hs = total(s, "wirelat_tcp_handshakes_total", "result")
    out.append("handshakes: %s; SYN retransmits %d" %
               (counts(hs), total(s, "wirelat_tcp_syn_retransmits_total")))
    for metric, label in (("wirelat_tcp_syn_to_synack_seconds", "syn>synack"),
                          ("wirelat_tcp_synack_to_ack_seconds", "synack>ack"),
                          ("wirelat_tcp_handshake_seconds", "handshake ")):
        b = buckets(s, metric)
        n = int(b[-1][1]) if b else 0
        out.append("  %s  p50 %s  p99 %s  (%d)" %
                   (label, ms(quantile(0.5, b)), ms(quantile(0.99, b)), n))
    if any(n == "wirelat_tcp_connections_closed_total" for n, _, _ in s):
        closed = total(s, "wirelat_tcp_connections_closed_total", "reason")
        out.append("connections: %d active; closed: %s; retransmits %d" %
                   (total(s, "wirelat_tcp_connections_active"), counts(closed),
                    total(s, "wirelat_tcp_retransmits_total")))
        for side in ("server", "client"):
            b = buckets(s, "wirelat_tcp_rtt_seconds", {"side": side})
            if b and b[-1][1]:
                out.append("  rtt %-7s p50 %s  p99 %s  (%d)" %
                           (side, ms(quantile(0.5, b)), ms(quantile(0.99, b)), int(b[-1][1])))
    rc = total(s, "wirelat_dns_responses_total", "rcode")
    to = total(s, "wirelat_dns_timeouts_total", "reason")
    out.append("dns: %d queries; responses: %s; timeouts: %s" %
               (total(s, "wirelat_dns_queries_total"), counts(rc), counts(to)))
    b = buckets(s, "wirelat_dns_response_seconds")
    out.append("  latency     p50 %s  p99 %s  (%d)" %
               (ms(quantile(0.5, b)), ms(quantile(0.99, b)), int(b[-1][1]) if b else 0))
    return "\n".join(out)


def fetch(src):
    if re.match(r"^https?://", src):
        with urllib.request.urlopen(src, timeout=3) as r:
            return r.read().decode()
    with open(src) as f:
        return f.read()


def main(argv):
    if len(argv) == 4 and argv[0] == "--quantile":
        b = buckets(parse(fetch(argv[3])), argv[2])
        print(repr(quantile(float(argv[1]), b)))
        return 0
    every = None
    if len(argv) == 3 and argv[0] == "--every":
        every, argv = float(argv[1]), argv[2:]
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    while True:
        try:
            print(summary(fetch(argv[0]), argv[0]), flush=True)
        except OSError as e:
            print("--- wirelat summary: %s: %s" % (argv[0], e), flush=True)
            if every is None:
                return 1
        if every is None:
            return 0
        time.sleep(every)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        sys.exit(130)
