#!/usr/bin/python3
"""Compare wirelat's TCP handshake (and, with --dns, DNS) records with the truth computed by
tests/truth.py.

Usage:
    /usr/bin/python3 tests/check_records.py --truth TRUTH.jsonl --got GOT.jsonl
        [--tolerance-ns N] [--label NAME] [--counts JSON] [--got-counts JSON] [--ifname NAME]
        [--dns] [--close]

TRUTH.jsonl: output of tests/truth.py (records with integer `ts_ns`, plus a `_counts` line).
GOT.jsonl:   wirelat's `--json` output (`ts` is RFC 3339 with six fractional digits). Records of
             other types (dns and dns_timeout without --dns, tcp_close without --close) and lines
             that are not JSON objects are ignored (non-JSON lines are reported on stderr;
             --strict makes them mismatches).

Records are matched by (type, family, client_ip, client_port, server_ip, server_port, occurrence
index of that tuple and type in ts order); addresses are compared as addresses, not as strings.
Required: the same set (nothing missing, nothing extra, no duplicate), equal `reason`,
`syn_retransmits`, `synack_retransmits`, `challenge_acks` (tcp_handshake), every `*_ns` duration
within --tolerance-ns (default 0: exact), integer JSON types, and `ts` = the truth's time
truncated to the microsecond (within the tolerance).

--dns also compares `dns` and `dns_timeout` records, matched by (type, family, client_ip,
client_port, server_ip, server_port, proto, id, occurrence index in ts order). Every field must be
equal with its JSON type (`proto`, `qname`, `reason` strings; `id`, `answers`,
`query_retransmits` integers; `truncated` a boolean; `qtype` / `rcode` a name string, or an
integer where the truth has a number), `latency_ns` / `elapsed_ns` within --tolerance-ns, and
`ts` as above. Without --dns those records are ignored on both sides, as before.

--close also compares `tcp_close` records, matched by (type, family, client_ip, client_port,
server_ip, server_port, occurrence index in ts order). Equal with their JSON type: `reason`,
`closed_by` (a string; absent where the truth has none, i.e. on timeout, reused and eof),
`bytes_c2s`, `bytes_s2c`, `retransmits_c2s`, `retransmits_s2c`, the loss fields (always present)
`segments_c2s`, `segments_s2c`, `seq_gaps_c2s`, `seq_gaps_s2c`, `dup_acks_c2s`, `dup_acks_s2c`,
`zero_windows_c2s`, `zero_windows_s2c`, `rtt_server_samples`,
`rtt_client_samples`, `accept_queue_drops` (integers), `midstream` (a boolean); within --tolerance-ns: `duration_ns`,
`rtt_server_min_ns`, `rtt_server_avg_ns`, `rtt_client_min_ns`, `rtt_client_avg_ns`. The six RTT
fields must be present exactly where the truth has them (a side without a sample has none);
`ts` as above. The truth's `close_*` counts (close_fin, close_rst, close_timeout, close_reused,
close_eof) are compared with --close or when --got-counts holds at least one `close_*` key.

--counts JSON (an object of expected result counts; default: the truth file's `_counts` line) is
compared with --got-counts JSON (the counts the caller read from wirelat, e.g. its
wirelat_tcp_handshakes_total{result=...} values) when --got-counts is given; a missing key is 0.
The truth's `dns_*` counts (dns_answered, dns_timeout, dns_unreachable, dns_unsolicited,
dns_duplicate, dns_mismatch, dns_late, dns_query_retransmits) are compared only with --dns or
when --got-counts holds at least one `dns_*` key; otherwise they are left out. `dns_skipped`
(messages whose header and question are split across TCP segments) is compared only when
--got-counts holds it. `challenge_acks` (wirelat_tcp_challenge_acks_total) is compared only when
both the expected counts and --got-counts hold it. So are the per-interface TCP sums over tracked
packets, by direction: `segments_c2s` / `_s2c` (wirelat_tcp_segments_total{direction}),
`payload_bytes_*` (wirelat_tcp_payload_bytes_total), `seq_gaps_*`, `dup_acks_*`, `zero_windows_*`
(wirelat_tcp_seq_gaps_total, _dup_acks_total, _zero_windows_total), `accept_queue_drops`
(wirelat_tcp_accept_queue_drops_total): where the expected counts
come from the truth file and it holds the connection model's output (`close_*` counts), they are
the sums of its `tcp_close` records' `segments_*`, `bytes_*`, `seq_gaps_*`, `dup_acks_*` and
`zero_windows_*` (every tracked packet belongs to exactly one record: what is open at the end of
the file closes with `eof`).
A JSON argument starting with `@` names a file holding it.

Prints one line per mismatch and a summary line `LABEL: N records, all match` or
`LABEL: K mismatches`; exits 1 on any mismatch, 2 on a usage or input error.
"""

import argparse
import calendar
import ipaddress
import json
import os
import re
import sys
from collections import defaultdict

HS_TYPES = ("tcp_handshake", "tcp_handshake_failed")
DNS_TYPES = ("dns", "dns_timeout")
CLOSE_TYPES = ("tcp_close",)
RTT_FIELDS = tuple("rtt_%s_%s" % (side, f) for side in ("server", "client")
                   for f in ("min_ns", "avg_ns", "samples"))
OPTIONAL_COUNTS = ("dns_skipped",)
LOSS_FIELDS = ("segments_c2s", "segments_s2c", "seq_gaps_c2s", "seq_gaps_s2c",
               "dup_acks_c2s", "dup_acks_s2c", "zero_windows_c2s", "zero_windows_s2c")
# per-interface TCP counters (key of the counts) = the sum of this tcp_close field over the
# truth's records
INTERFACE_SUMS = tuple((k, k) for k in LOSS_FIELDS) + (("payload_bytes_c2s", "bytes_c2s"),
                                                       ("payload_bytes_s2c", "bytes_s2c"),
                                                       ("accept_queue_drops",
                                                        "accept_queue_drops"))
# compared only where both sides have them (a caller's counts may predate the key)
BOTH_COUNTS = ("challenge_acks",) + tuple(k for k, _ in INTERFACE_SUMS)
RESULTS = ("completed", "refused", "aborted", "unreachable", "timeout", "unobserved", "late")
EQUAL_FIELDS = {
    "tcp_handshake": ("syn_retransmits", "synack_retransmits", "challenge_acks"),
    "tcp_handshake_failed": ("reason", "syn_retransmits"),
    "dns": ("proto", "id", "qname", "qtype", "rcode", "answers", "truncated",
            "query_retransmits"),
    "dns_timeout": ("reason", "proto", "id", "qname", "qtype", "query_retransmits"),
    "tcp_close": ("reason", "bytes_c2s", "bytes_s2c", "retransmits_c2s", "retransmits_s2c",
                  "midstream", "accept_queue_drops") + LOSS_FIELDS,
}
# present exactly where the truth has them
OPTIONAL_FIELDS = {
    "tcp_close": ("closed_by", "rtt_server_samples", "rtt_client_samples"),
}
OPTIONAL_DURATIONS = {
    "tcp_close": ("rtt_server_min_ns", "rtt_server_avg_ns", "rtt_client_min_ns",
                  "rtt_client_avg_ns"),
}
DURATION_FIELDS = {
    "tcp_handshake": ("syn_to_synack_ns", "synack_to_ack_ns", "handshake_ns"),
    "tcp_handshake_failed": ("elapsed_ns",),
    "dns": ("latency_ns",),
    "dns_timeout": ("elapsed_ns",),
    "tcp_close": ("duration_ns",),
}
KEY_FIELDS = ("family", "client_ip", "client_port", "server_ip", "server_port")

RFC3339 = re.compile(r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
                     r"(Z|[+-]\d{2}:\d{2})$")
STRICT_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")


class InputError(Exception):
    pass


def parse_rfc3339_ns(s):
    m = RFC3339.match(s)
    if not m:
        raise ValueError("not an RFC 3339 time: %r" % (s,))
    y, mo, d, h, mi, sec, frac, tz = m.groups()
    secs = calendar.timegm((int(y), int(mo), int(d), int(h), int(mi), int(sec), 0, 0, 0))
    if tz != "Z":
        sign = 1 if tz[0] == "+" else -1
        secs -= sign * (int(tz[1:3]) * 3600 + int(tz[4:6]) * 60)
    ns = int(((frac or "") + "000000000")[:9])
    return secs * 10 ** 9 + ns


def fmt_ns_time(ns):
    secs, frac = divmod(ns, 10 ** 9)
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + ".%09dZ" % frac


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def norm_key(rec):
    """(type, family, client ip, client port, server ip, server port) with parsed addresses;
    DNS records add (proto, id)."""
    try:
        k = (rec["type"], rec["family"], ipaddress.ip_address(rec["client_ip"]),
             rec["client_port"], ipaddress.ip_address(rec["server_ip"]), rec["server_port"])
        if rec["type"] in DNS_TYPES:
            k += (rec["proto"], rec["id"])
            hash(k)
        return k
    except (KeyError, ValueError, TypeError) as ex:
        raise ValueError("bad or missing tuple field (%s)" % ex)


def key_str(key):
    typ, fam, cip, cport, sip, sport = key[:6]
    c = "[%s]:%s" % (cip, cport) if fam == 6 else "%s:%s" % (cip, cport)
    s = "[%s]:%s" % (sip, sport) if fam == 6 else "%s:%s" % (sip, sport)
    if len(key) > 6:
        return "%s %s -> %s %s id %s" % (typ, c, s, key[6], key[7])
    return "%s %s -> %s" % (typ, c, s)


def key_sort(k):
    return (k[0], k[1], str(k[2]), k[3], str(k[4]), k[5]) + tuple(str(x) for x in k[6:])


def same_value(t, g):
    """Equal, with the same JSON type (an integer is not a boolean, 99 is not "99")."""
    if isinstance(t, bool) or isinstance(g, bool):
        return isinstance(t, bool) and isinstance(g, bool) and t == g
    if is_int(t):
        return is_int(g) and g == t
    return type(g) is type(t) and g == t


def load_json_arg(s):
    if s.startswith("@"):
        with open(s[1:]) as f:
            s = f.read()
    v = json.loads(s)
    if not isinstance(v, dict):
        raise InputError("expected a JSON object, got %r" % (s[:80],))
    return v


def read_truth(path, types=HS_TYPES):
    recs, counts = [], None
    with open(path) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line)
            except ValueError:
                raise InputError("%s:%d: not JSON: %s" % (path, n, line[:120]))
            if not isinstance(r, dict):
                raise InputError("%s:%d: not a JSON object" % (path, n))
            t = r.get("type")
            if t == "_counts":
                counts = {k: v for k, v in r.items() if k != "type"}
            elif t in types:
                if not is_int(r.get("ts_ns")):
                    raise InputError("%s:%d: truth record without integer ts_ns" % (path, n))
                r["_ts"] = r["ts_ns"]
                r["_line"] = n
                recs.append(r)
    return recs, counts


def read_got(path, problems, strict, types=HS_TYPES):
    recs = []
    other = 0
    with open(path, errors="replace") as f:
        for n, line in enumerate(f, 1):
            s = line.strip()
            if not s:
                continue
            try:
                r = json.loads(s)
            except ValueError:
                r = None
            if not isinstance(r, dict):
                other += 1
                msg = "%s:%d: not a JSON object: %s" % (path, n, s[:120])
                if strict:
                    problems.append(msg)
                else:
                    print("check_records: note: " + msg, file=sys.stderr)
                continue
            if r.get("type") not in types:
                continue
            r["_line"] = n
            ts = r.get("ts")
            if not isinstance(ts, str):
                problems.append("%s:%d: %s record without a string ts: %r" %
                                (path, n, r.get("type"), ts))
                continue
            try:
                r["_ts"] = parse_rfc3339_ns(ts)
            except ValueError as ex:
                problems.append("%s:%d: %s" % (path, n, ex))
                continue
            if not STRICT_TS.match(ts):
                problems.append("%s:%d: ts %r is not RFC 3339 UTC with exactly six fractional "
                                "digits ending in Z" % (path, n, ts))
            recs.append(r)
    return recs


def group(recs, problems, what):
    g = defaultdict(list)
    for r in recs:
        try:
            k = norm_key(r)
        except ValueError as ex:
            problems.append("%s line %d: %s: %s" % (what, r["_line"], ex,
                                                     json.dumps(_public(r))))
            continue
        g[k].append(r)
    for k in g:
        # ts order; the truth is compared at microsecond precision, so sort both on the
        # microsecond first, file order breaking ties
        g[k].sort(key=lambda r: (r["_ts"] // 1000, r["_line"]))
    return g


def _public(r):
    return {k: v for k, v in r.items() if not k.startswith("_")}


def compare_pair(key, idx, t, g, tol, ifname, out):
    where = "%s #%d (truth line %d, got line %d)" % (key_str(key), idx, t["_line"], g["_line"])
    typ = key[0]
    for f in OPTIONAL_FIELDS.get(typ, ()) + OPTIONAL_DURATIONS.get(typ, ()):
        if f in t and f not in g:
            out.append("%s: field %s missing (truth %s)" % (where, f, json.dumps(t[f])))
        elif f in g and f not in t:
            out.append("%s: field %s: got %s, the truth has none" % (where, f,
                                                                     json.dumps(g[f])))
        elif f in t and f in OPTIONAL_FIELDS.get(typ, ()) and not same_value(t[f], g[f]):
            out.append("%s: %s: got %s, truth %s" % (where, f, json.dumps(g[f]),
                                                     json.dumps(t[f])))
    for f in EQUAL_FIELDS[typ]:
        if f not in g:
            out.append("%s: field %s missing (truth %r)" % (where, f, t.get(f)))
        elif typ in DNS_TYPES or typ in CLOSE_TYPES:
            if not same_value(t.get(f), g[f]):
                out.append("%s: %s: got %s, truth %s" % (where, f, json.dumps(g[f]),
                                                         json.dumps(t.get(f))))
        elif g[f] != t.get(f) or (f != "reason" and not is_int(g[f])):
            out.append("%s: %s: got %r, truth %r" % (where, f, g[f], t.get(f)))
    for f in DURATION_FIELDS[typ] + tuple(f for f in OPTIONAL_DURATIONS.get(typ, ())
                                          if f in t and f in g):
        if f not in g:
            out.append("%s: field %s missing (truth %r)" % (where, f, t.get(f)))
            continue
        gv, tv = g[f], t.get(f)
        if not is_int(gv):
            out.append("%s: %s: got %r (%s), want an integer; truth %r" %
                       (where, f, gv, type(gv).__name__, tv))
            continue
        if abs(gv - tv) > tol:
            out.append("%s: %s: got %d, truth %d (diff %+d ns, tolerance %d)" %
                       (where, f, gv, tv, gv - tv, tol))
    # ts: the truth's time truncated to the microsecond
    want = (t["_ts"] // 1000) * 1000
    if abs(g["_ts"] - want) > tol:
        out.append("%s: ts: got %s, truth %s (ts_ns %d; diff %+d ns)" %
                   (where, g.get("ts"), fmt_ns_time(t["_ts"]), t["_ts"], g["_ts"] - want))
    for f in ("family", "client_port", "server_port"):
        if not is_int(g.get(f)):
            out.append("%s: %s: got %r, want an integer" % (where, f, g.get(f)))
    if ifname is not None and g.get("ifname") != ifname:
        out.append("%s: ifname: got %r, want %r" % (where, g.get("ifname"), ifname))


def compare(truth, got, tol=0, ifname=None):
    """Return a list of mismatch strings. truth/got: lists of record dicts with _ts, _line."""
    out = []
    tg = group(truth, out, "truth")
    gg = group(got, out, "got")
    for key in sorted(set(tg) | set(gg), key=key_sort):
        ts_, gs = tg.get(key, []), gg.get(key, [])
        if len(ts_) == len(gs):
            pairs = list(zip(ts_, gs))
            miss, extra = [], []
        else:
            # counts differ: pair records with the same microsecond first so that one missing
            # record does not shift every later comparison, then by order
            pairs, miss, extra = [], [], list(gs)
            for t in ts_:
                want = (t["_ts"] // 1000) * 1000
                m = next((g for g in extra if abs(g["_ts"] - want) <= tol), None)
                if m is not None:
                    extra.remove(m)
                    pairs.append((t, m))
                else:
                    miss.append(t)
            n = min(len(miss), len(extra))
            pairs += list(zip(miss[:n], extra[:n]))
            miss, extra = miss[n:], extra[n:]
            pairs.sort(key=lambda p: (p[0]["_ts"], p[0]["_line"]))
        for i, (t, g) in enumerate(pairs):
            compare_pair(key, i, t, g, tol, ifname, out)
        for t in miss:
            out.append("%s: missing: truth line %d at %s: %s" % (
                key_str(key), t["_line"], fmt_ns_time(t["_ts"]), json.dumps(_public(t))))
        seen = [json.dumps(_public(g), sort_keys=True) for g in gs]
        for g in extra:
            s = json.dumps(_public(g), sort_keys=True)
            dup = seen.count(s) > 1
            out.append("%s: %s: got line %d: %s" % (
                key_str(key), "duplicate" if dup else "extra", g["_line"],
                json.dumps(_public(g))))
    return out


def compare_counts(expected, got, dns=False, close=False):
    out = []
    if not dns and not any(k.startswith("dns_") for k in got):
        expected = {k: v for k, v in expected.items() if not k.startswith("dns_")}
    if not close and not any(k.startswith("close_") for k in got):
        expected = {k: v for k, v in expected.items() if not k.startswith("close_")}
    # counted by wirelat under a metric with reasons of its own (framing lost, split header):
    # compared only when the caller supplies it
    expected = {k: v for k, v in expected.items() if k not in OPTIONAL_COUNTS or k in got}
    for k in BOTH_COUNTS:
        if k not in expected or k not in got:
            expected = {x: v for x, v in expected.items() if x != k}
            got = {x: v for x, v in got.items() if x != k}
    keys = [k for k in RESULTS if k in expected or k in got]
    keys += sorted(k for k in set(expected) | set(got) if k not in RESULTS and k != "type")
    for k in keys:
        e, g = expected.get(k, 0), got.get(k, 0)
        if e != g:
            out.append("counts: %s: got %r, truth %r" % (k, g, e))
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--truth", required=True)
    ap.add_argument("--got", required=True)
    ap.add_argument("--tolerance-ns", type=int, default=0)
    ap.add_argument("--label")
    ap.add_argument("--counts", help="expected result counts, JSON object (default: the truth "
                                     "file's _counts line)")
    ap.add_argument("--got-counts", help="result counts from wirelat, JSON object")
    ap.add_argument("--ifname", help="also require this ifname on every record (e.g. pcap)")
    ap.add_argument("--strict", action="store_true",
                    help="a line of GOT that is not a JSON object is a mismatch")
    ap.add_argument("--dns", action="store_true",
                    help="also compare dns / dns_timeout records and the dns_* counts")
    ap.add_argument("--close", action="store_true",
                    help="also compare tcp_close records and the close_* counts")
    a = ap.parse_args(argv)
    label = a.label or os.path.basename(a.got)
    if a.tolerance_ns < 0:
        ap.error("--tolerance-ns must be >= 0")
    try:
        types = HS_TYPES + (DNS_TYPES if a.dns else ()) + (CLOSE_TYPES if a.close else ())
        truth, truth_counts = read_truth(a.truth, types)
        problems = []
        got = read_got(a.got, problems, a.strict, types)
        expected_counts = load_json_arg(a.counts) if a.counts else truth_counts
        if not a.counts and truth_counts is not None and any(
                k.startswith("close_") for k in truth_counts):
            # the per-interface TCP sums: over the connection model's records
            closes, _ = read_truth(a.truth, CLOSE_TYPES)
            expected_counts = dict(expected_counts)
            for k, field in INTERFACE_SUMS:
                expected_counts[k] = sum(r.get(field, 0) for r in closes)
        got_counts = load_json_arg(a.got_counts) if a.got_counts else None
    except (OSError, InputError, ValueError) as ex:
        print("%s: error: %s" % (label, ex), file=sys.stderr)
        return 2
    problems += compare(truth, got, a.tolerance_ns, a.ifname)
    if got_counts is not None:
        if expected_counts is None:
            print("%s: error: --got-counts given but no expected counts (--counts or a _counts "
                  "line in the truth file)" % label, file=sys.stderr)
            return 2
        problems += compare_counts(expected_counts, got_counts, a.dns, a.close)
    for p in problems:
        print("%s: %s" % (label, p))
    if problems:
        print("%s: %d mismatches" % (label, len(problems)))
        return 1
    print("%s: %d records, all match" % (label, len(truth)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
