#!/usr/bin/python3
"""Reference model of wirelat's TCP handshake records, computed from a capture with tshark.

Usage:
    /usr/bin/python3 tests/truth.py FILE.pcap [--handshake-timeout SECONDS] [--check-irtt]

Prints one JSON object per line: the `tcp_handshake` / `tcp_handshake_failed` records wirelat
must produce for FILE (fields as in DESIGN.md "Records", except that the time is the integer
field `ts_ns` instead of the RFC 3339 `ts` string), in the order wirelat prints them offline
(completing packet order, timeouts at their deadline), then one line
    {"type": "_counts", "completed": N, "refused": N, ..., "late": N}
with the number of handshake results by result label.

Importable:
    import truth
    records = truth.truth_records("x.pcap")             # list of record dicts
    res = truth.analyze("x.pcap", timeout_ns=3 * 10**9)  # .records, .counts, .irtt_problems

Model (DESIGN.md "Measurement semantics", all arithmetic in integer nanoseconds):
  * flow key = unordered pair {(ip, port), (ip, port)}; VLAN ignored; client = sender of the
    first SYN (SYN without ACK).
  * clock = max(clock, packet ts), updated before a packet is handled; expiry is applied before
    the packet is handled (done eagerly here with a deadline heap, which gives the same result
    as a lazy per-tuple check since nothing else touches an entry in between).
  * SYN_SENT expires when clock > last_syn_ts + T: record `timeout` with ts = deadline,
    elapsed = deadline - first_syn_ts, and a TIMED_OUT tombstone that lives until
    clock > deadline + T.  SYNACK_SEEN expires silently when clock > synack_ts + T.
  * At end of file only entries whose deadline has passed (clock > deadline) are reported.
  * Packets inside tunnels (GRE, IP-in-IP, 6in4, MPLS, PPPoE, ...) and non-first fragments are
    skipped (tshark runs with IP reassembly off, so a first fragment counts at its own time), as
    are packets tshark finds malformed or cut by the snaplen in a layer wirelat parses (link, IP,
    TCP; bogus header lengths, IP/IPv6 length beyond the wire length, "[Malformed Packet: TCP]",
    "[Packet size limited during capture: TCP truncated]") and IPv6 packets with more than
    MAX_IPV6_EXT extension headers.  Trouble above TCP (TLS, HTTP, ...) does not matter.
  * --handshake-timeout takes seconds ("3", "2.5") or a number with a unit (3s, 500ms, 10us, 7ns).
"""

import argparse
import heapq
import ipaddress
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter

NS = 10 ** 9
MOD32 = 1 << 32

RESULTS = ("completed", "refused", "aborted", "unreachable", "timeout", "unobserved", "late")

# Layers tshark may show before the (single, outer) IP layer that wirelat also parses:
# Ethernet, 802.1Q / 802.1ad tags, Linux cooked v1/v2 ("sll"), raw IP ("raw", or nothing at
# all for LINKTYPE_IPV4/IPV6).  Anything else before the IP layer (mpls, gre, pppoes, ppp,
# null, ...) means wirelat does not parse the packet.
LINK_LAYERS = {"eth", "ethertype", "vlan", "ieee8021ad", "sll", "raw"}
IPV6_EXT = {"ipv6.hopopts", "ipv6.routing", "ipv6.dstopts", "ipv6.fraghdr"}
# wirelat walks at most this many IPv6 extension headers; a longer chain is malformed
MAX_IPV6_EXT = 8

# "[Malformed Packet: X]" / "[Packet size limited during capture: X truncated]" where X is a layer
# wirelat parses: the packet is malformed / truncated for wirelat too (a problem in a layer above
# TCP, e.g. TLS or HTTP, is not wirelat's business).
BROKEN_RE = re.compile(r"\[(?:Malformed Packet|Packet size limited during capture): ([^\]]*?)"
                       r"(?: truncated)?\]")
PARSED_LAYER_PREFIXES = ("Ethernet", "802.1Q", "802.1ad", "Linux cooked", "Raw packet",
                         "IPv4", "IPv6", "Internet Protocol", "TCP", "ICMP")
# tshark expert messages for header/length inconsistencies wirelat rejects as malformed
# (lengths are checked against the packet's wire length, as tshark does)
MALFORMED_EXPERT = ("IPv4 total length exceeds packet length",
                    "IPv6 payload length exceeds framing length",
                    "Bogus IP header length", "Bogus IPv4 version", "Bogus IP length",
                    "Bogus TCP header length",
                    "Segment/fragment does not contain a full TCP header")

FIELDS = [
    "frame.number",            # 0
    "frame.time_epoch",        # 1
    "frame.protocols",         # 2
    "ip.src",                  # 3
    "ip.dst",                  # 4
    "ipv6.src",                # 5
    "ipv6.dst",                # 6
    "tcp.srcport",             # 7
    "tcp.dstport",             # 8
    "tcp.flags",               # 9
    "tcp.seq_raw",             # 10
    "tcp.seq",                 # 11 (absolute: relative numbers are switched off; ICMP quotes
                               #     carry tcp.seq but no tcp.seq_raw)
    "tcp.ack_raw",             # 12
    "tcp.hdr_len",             # 13
    "icmp.type",               # 14
    "icmpv6.type",             # 15
    "ip.frag_offset",          # 16
    "ipv6.fraghdr.offset",     # 17
    "tcp.stream",              # 18
    "tcp.analysis.initial_rtt",  # 19
    "_ws.malformed",           # 20
    "_ws.short",               # 21
    "_ws.expert.message",      # 22
]

TSHARK_OPTS = [
    "-o", "ip.defragment:FALSE",        # a first fragment is handled on its own, at its own time
    "-o", "ipv6.defragment:FALSE",
    "-o", "tcp.relative_sequence_numbers:FALSE",
]

SYN, RST, ACK = 0x02, 0x04, 0x10


def parse_decimal_ns(s):
    """'1418145370.052115157' -> 1418145370052115157 exactly (no floats)."""
    s = s.strip()
    neg = s.startswith("-")
    if neg:
        s = s[1:]
    if "." in s:
        whole, frac = s.split(".", 1)
    else:
        whole, frac = s, ""
    if len(frac) > 9:
        if frac[9:].strip("0"):
            raise ValueError("more than ns precision: %r" % s)
        frac = frac[:9]
    v = int(whole or "0") * NS + int((frac + "000000000")[:9])
    return -v if neg else v


def parse_duration_ns(s):
    """'3' / '2.5' (seconds) or '3s', '500ms', '10us', '7ns' -> integer ns."""
    s = s.strip()
    for unit, mult in (("ns", 1), ("us", 10 ** 3), ("ms", 10 ** 6), ("s", NS)):
        if s.endswith(unit):
            v = parse_decimal_ns(s[:-len(unit)]) * mult
            if v % NS:
                raise ValueError("sub-ns duration: %r" % s)
            return v // NS
    return parse_decimal_ns(s)


def fmt_ns(v):
    sign = "-" if v < 0 else ""
    v = abs(v)
    return "%s%d.%09d" % (sign, v // NS, v % NS)


class Pkt:
    __slots__ = ("frame", "ts", "kind", "family", "src", "dst", "sport", "dport",
                 "flags", "seq", "ack", "icmp_type", "stream", "irtt")


def _occ(field, idx):
    if not field:
        return None
    parts = field.split(",")
    if idx >= len(parts) or parts[idx] == "":
        return None
    return parts[idx]


def _layer_index(protos, pos):
    """Occurrence index of the IP layer at protos[pos] among layers of the same name."""
    name = protos[pos]
    return sum(1 for p in protos[:pos] if p == name)


def classify(protos):
    """Return (kind, ip_pos) where kind is 'tcp' or 'icmp', ip_pos the index in protos of the
    IP layer carrying the (possibly quoted) TCP header, or (None, reason) to skip."""
    i = next((k for k, p in enumerate(protos) if p in ("ip", "ipv6")), None)
    if i is None:
        return None, "no-ip"
    if any(p not in LINK_LAYERS for p in protos[:i]):
        return None, "tunnel-or-unsupported-link"
    j = i + 1
    if protos[i] == "ipv6":
        while j < len(protos) and protos[j] in IPV6_EXT:
            j += 1
        if j - i - 1 > MAX_IPV6_EXT:
            return None, "ipv6-too-many-ext-headers"
    if j >= len(protos):
        return None, "no-l4"
    if protos[j] == "tcp":
        return "tcp", i
    if protos[j] in ("icmp", "icmpv6"):
        k = j + 1
        if k >= len(protos) or protos[k] not in ("ip", "ipv6"):
            return None, "icmp-without-ip"
        m = k + 1
        if protos[k] == "ipv6":
            while m < len(protos) and protos[m] in IPV6_EXT:
                m += 1
        if m < len(protos) and protos[m] == "tcp":
            return "icmp", k
        return None, "icmp-not-tcp"
    return None, "tunnel-or-other"


def _broken(kind, markers, expert):
    """'malformed' / 'truncated' if tshark reports a problem in a layer wirelat parses."""
    for m in BROKEN_RE.finditer(markers):
        layer = m.group(1)
        if kind == "icmp" and layer.startswith("TCP"):
            continue    # an ICMP error quotes as little as 8 bytes of TCP: normal
        if layer.startswith(PARSED_LAYER_PREFIXES):
            return "truncated" if m.group(0).startswith("[Packet size") else "malformed"
    for msg in MALFORMED_EXPERT:
        if msg in expert:
            if kind == "icmp" and "TCP" in msg:
                continue
            return "malformed"
    return None


def read_packets(path, tshark="tshark", skipped=None):
    """Yield Pkt for every TCP segment / ICMP error quoting TCP that wirelat would parse."""
    cmd = [tshark, "-r", path, "-n", "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
           "-E", "aggregator=,", "-E", "quote=n", "-E", "header=n"] + TSHARK_OPTS
    for f in FIELDS:
        cmd += ["-e", f]
    cmd += ["-Y", "tcp || icmp || icmpv6"]
    errf = tempfile.TemporaryFile(mode="w+")   # not a pipe: tshark must never block on it
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=errf, universal_newlines=True)
    if skipped is None:
        skipped = Counter()
    for line in proc.stdout:
        c = line.rstrip("\n").split("\t")
        if len(c) < len(FIELDS):
            c += [""] * (len(FIELDS) - len(c))
        protos = c[2].split(":")
        kind, pos = classify(protos)
        if kind is None:
            skipped[pos] += 1
            continue
        broken = _broken(kind, c[20] + " " + c[21], c[22])
        if broken:
            skipped[broken] += 1
            continue
        fam_name = protos[pos]
        occ = _layer_index(protos, pos)
        # the outer IP layer: a non-first fragment is never parsed
        outer = next(k for k, p in enumerate(protos) if p in ("ip", "ipv6"))
        if protos[outer] == "ip":
            fo = _occ(c[16], 0)
        else:
            fo = _occ(c[17], 0)
        if fo not in (None, "0"):
            skipped["non-first-fragment"] += 1
            continue
        if fam_name == "ip":
            src, dst, family = _occ(c[3], occ), _occ(c[4], occ), 4
        else:
            src, dst, family = _occ(c[5], occ), _occ(c[6], occ), 6
        sport, dport = _occ(c[7], 0), _occ(c[8], 0)
        if None in (src, dst, sport, dport):
            skipped["incomplete"] += 1
            continue
        p = Pkt()
        p.frame = int(c[0])
        p.ts = parse_decimal_ns(c[1])
        p.kind = kind
        p.family = family
        p.src = ipaddress.ip_address(src)
        p.dst = ipaddress.ip_address(dst)
        p.sport = int(sport)
        p.dport = int(dport)
        p.stream = _occ(c[18], 0)
        p.irtt = _occ(c[19], 0)
        p.icmp_type = None
        if kind == "tcp":
            flags, seq, ack, hl = _occ(c[9], 0), _occ(c[10], 0), _occ(c[12], 0), _occ(c[13], 0)
            if None in (flags, seq, ack, hl) or int(hl) < 20:
                skipped["malformed-tcp"] += 1
                continue
            p.flags = int(flags, 16)
            p.seq = int(seq)
            p.ack = int(ack)
        else:
            t = _occ(c[14], 0) if protos[pos - 1] == "icmp" else _occ(c[15], 0)
            seq = _occ(c[10], 0) or _occ(c[11], 0)
            if t is None or seq is None:
                skipped["icmp-incomplete"] += 1
                continue
            p.icmp_type = (protos[pos - 1], int(t))
            p.flags = None
            p.seq = int(seq)
            p.ack = None
        yield p
    rc = proc.wait()
    errf.seek(0)
    err = errf.read()
    errf.close()
    if rc != 0:
        err = " ".join(l for l in err.splitlines() if l and not l.startswith("Running as user"))
        raise RuntimeError("tshark failed on %s (exit %d): %s" % (path, rc, err.strip()))


SYN_SENT, SYNACK_SEEN, TIMED_OUT = "SYN_SENT", "SYNACK_SEEN", "TIMED_OUT"


class Entry:
    __slots__ = ("state", "client", "server", "family", "isn", "first_syn_ts", "last_syn_ts",
                 "syn_retransmits", "server_isn", "synack_ts", "synack_retransmits",
                 "deadline", "gen")


class Result:
    def __init__(self):
        self.records = []
        self.counts = Counter({r: 0 for r in RESULTS})
        self.irtt_problems = []   # strings
        self.irtt_checked = 0
        self.skipped = Counter()
        self.packets = 0
        self.last_clock = None


def _base(e, typ, ts):
    return {
        "type": typ,
        "ts_ns": ts,
        "family": e.family,
        "client_ip": str(e.client[0]),
        "client_port": e.client[1],
        "server_ip": str(e.server[0]),
        "server_port": e.server[1],
    }


def analyze(path, timeout_ns=3 * NS, tshark="tshark"):
    res = Result()
    T = timeout_ns
    table = {}          # canonical key -> Entry
    heap = []           # (expiry time, seq, key, gen): entry expires when clock > time
    hseq = 0
    gen_counter = [0]
    clock = None
    irtt_pending = []   # (record, stream, irtt string on the ACK frame)

    def emit(rec):
        res.records.append(rec)

    def fail(e, reason, ts, elapsed):
        r = _base(e, "tcp_handshake_failed", ts)
        r["reason"] = reason
        r["syn_retransmits"] = e.syn_retransmits
        r["elapsed_ns"] = elapsed
        emit(r)
        res.counts[reason] += 1

    def schedule(key, e):
        nonlocal hseq
        if e.state == SYN_SENT:
            t = e.last_syn_ts + T
        elif e.state == SYNACK_SEEN:
            t = e.synack_ts + T
        else:
            t = e.deadline + T
        hseq += 1
        heapq.heappush(heap, (t, hseq, key, e.gen))

    def bump(e):
        gen_counter[0] += 1
        e.gen = gen_counter[0]

    def expire(now):
        """Expire every entry whose time has passed (strictly) at clock `now`."""
        while heap and heap[0][0] < now:
            t, _, key, gen = heapq.heappop(heap)
            e = table.get(key)
            if e is None or e.gen != gen:
                continue   # stale heap item
            if e.state == SYN_SENT:
                deadline = e.last_syn_ts + T
                fail(e, "timeout", deadline, deadline - e.first_syn_ts)
                e.state = TIMED_OUT
                e.deadline = deadline
                bump(e)
                schedule(key, e)
            else:   # SYNACK_SEEN silently, TIMED_OUT tombstone removal
                del table[key]

    def new_entry(key, p, side):
        e = Entry()
        e.state = SYN_SENT
        e.family = p.family
        e.client = side
        e.server = (p.dst, p.dport)
        e.isn = p.seq
        e.first_syn_ts = e.last_syn_ts = p.ts
        e.syn_retransmits = 0
        e.server_isn = None
        e.synack_ts = None
        e.synack_retransmits = 0
        e.deadline = None
        bump(e)
        table[key] = e
        schedule(key, e)

    for p in read_packets(path, tshark=tshark, skipped=res.skipped):
        res.packets += 1
        clock = p.ts if clock is None else max(clock, p.ts)
        expire(clock)

        if p.kind == "icmp":
            # the quoted segment went client -> server
            qsrc, qdst = (p.src, p.sport), (p.dst, p.dport)
            key = frozenset((qsrc, qdst))
            e = table.get(key)
            itype = p.icmp_type
            if itype not in (("icmp", 3), ("icmpv6", 1)):
                continue
            if (e is not None and e.state == SYN_SENT and e.client == qsrc
                    and e.server == qdst and p.seq == e.isn):
                fail(e, "unreachable", p.ts, p.ts - e.first_syn_ts)
                del table[key]
            continue

        side = (p.src, p.sport)
        key = frozenset((side, (p.dst, p.dport)))
        e = table.get(key)
        f = p.flags

        if f & RST:
            if e is not None and e.state in (SYN_SENT, SYNACK_SEEN):
                reason = "aborted" if side == e.client else "refused"
                fail(e, reason, p.ts, p.ts - e.first_syn_ts)
                del table[key]
            continue

        if f & SYN and not f & ACK:
            if e is None or e.state == TIMED_OUT:
                new_entry(key, p, side)
            elif side != e.client:
                pass        # simultaneous open: ignored
            elif p.seq == e.isn:
                e.syn_retransmits += 1
                if e.state == SYN_SENT:
                    e.last_syn_ts = p.ts
                    bump(e)
                    schedule(key, e)
            else:
                fail(e, "timeout", p.ts, p.ts - e.first_syn_ts)
                new_entry(key, p, side)
            continue

        if f & SYN and f & ACK:
            if e is None or side == e.client:
                continue
            if p.ack != (e.isn + 1) % MOD32:
                continue
            if e.state == SYN_SENT:
                e.state = SYNACK_SEEN
                e.server_isn = p.seq
                e.synack_ts = p.ts
                bump(e)
                schedule(key, e)
            elif e.state == SYNACK_SEEN:
                if p.seq == e.server_isn:
                    e.synack_retransmits += 1
            elif e.state == TIMED_OUT:
                # counted once: the tombstone has done its job
                res.counts["late"] += 1
                del table[key]
            continue

        if f & ACK:
            if e is None or side != e.client:
                continue
            if e.state == SYNACK_SEEN:
                if p.ack == (e.server_isn + 1) % MOD32:
                    r = _base(e, "tcp_handshake", p.ts)
                    r["syn_to_synack_ns"] = e.synack_ts - e.last_syn_ts
                    r["synack_to_ack_ns"] = p.ts - e.synack_ts
                    r["handshake_ns"] = p.ts - e.first_syn_ts
                    r["syn_retransmits"] = e.syn_retransmits
                    r["synack_retransmits"] = e.synack_retransmits
                    emit(r)
                    res.counts["completed"] += 1
                    del table[key]
                    if e.syn_retransmits == 0:
                        irtt_pending.append((r, p.frame, p.stream, p.irtt))
            elif e.state == SYN_SENT:
                res.counts["unobserved"] += 1
                del table[key]
            continue
        # no SYN, no ACK, no RST: nothing to do

    # end of file: report what has passed its deadline by the last timestamp
    if clock is not None:
        expire(clock)
    res.last_clock = clock

    _check_irtt(path, res, irtt_pending, tshark)
    return res


def _check_irtt(path, res, pending, tshark):
    if not pending:
        return
    need = {s for (_, _, s, irtt) in pending if irtt is None and s is not None}
    by_stream = {}
    if need:
        # the ACK frame normally carries the iRTT; otherwise take it from any frame of the stream
        cmd = [tshark, "-r", path, "-n", "-T", "fields", "-E", "separator=/t", "-E",
               "occurrence=f"] + TSHARK_OPTS + ["-e", "tcp.stream", "-e",
                                                 "tcp.analysis.initial_rtt", "-Y",
                                                 "tcp.analysis.initial_rtt"]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True, check=True).stdout
        for line in out.splitlines():
            s, v = (line.split("\t") + [""])[:2]
            if s in need and s not in by_stream and v:
                by_stream[s] = v
    for r, frame, stream, irtt in pending:
        if irtt is None:
            irtt = by_stream.get(stream)
        res.irtt_checked += 1
        mine = r["syn_to_synack_ns"] + r["synack_to_ack_ns"]
        tag = "%s %s:%d -> %s:%d (ACK frame %d, tcp.stream %s)" % (
            r["type"], r["client_ip"], r["client_port"], r["server_ip"], r["server_port"],
            frame, stream)
        if irtt is None:
            res.irtt_problems.append("%s: tshark gives no initial_rtt; model %s s" %
                                     (tag, fmt_ns(mine)))
            continue
        theirs = parse_decimal_ns(irtt)
        if theirs != mine:
            res.irtt_problems.append(
                "%s: model syn_to_synack+synack_to_ack = %s s, tshark initial_rtt = %s s "
                "(diff %d ns)" % (tag, fmt_ns(mine), irtt, mine - theirs))


def truth_records(path, timeout_ns=3 * NS, tshark="tshark"):
    """List of the handshake records wirelat must print for `path` (ts as integer `ts_ns`)."""
    return analyze(path, timeout_ns=timeout_ns, tshark=tshark).records


def counts_line(res):
    d = {"type": "_counts"}
    for r in RESULTS:
        d[r] = res.counts[r]
    return d


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("--handshake-timeout", type=str, default="3",
                    help="seconds (decimal allowed), default 3")
    ap.add_argument("--check-irtt", action="store_true",
                    help="exit 1 if a completed handshake without SYN retransmission disagrees "
                         "with tshark's tcp.analysis.initial_rtt")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="summary of skipped packets and iRTT checks on stderr")
    a = ap.parse_args(argv)
    try:
        T = parse_duration_ns(a.handshake_timeout)
    except ValueError:
        ap.error("bad --handshake-timeout %r" % a.handshake_timeout)
    try:
        res = analyze(a.pcap, timeout_ns=T, tshark=a.tshark)
    except (RuntimeError, OSError) as ex:
        print("truth.py: %s" % ex, file=sys.stderr)
        return 2
    out = sys.stdout
    for r in res.records:
        out.write(json.dumps(r, separators=(",", ":")) + "\n")
    out.write(json.dumps(counts_line(res), separators=(",", ":")) + "\n")
    out.flush()
    for m in res.irtt_problems:
        print("truth.py: %s: iRTT %s: %s" % (a.pcap, "ERROR" if a.check_irtt else "warning", m),
              file=sys.stderr)
    if a.verbose:
        print("truth.py: %s: %d packets used, skipped %s, %d iRTT checked, %d disagree" % (
            a.pcap, res.packets, dict(res.skipped), res.irtt_checked, len(res.irtt_problems)),
            file=sys.stderr)
    if a.check_irtt and res.irtt_problems:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
