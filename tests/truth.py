#!/usr/bin/python3
"""Reference model of wirelat's TCP handshake and DNS records, computed from a capture.

Usage:
    /usr/bin/python3 tests/truth.py FILE.pcap [--handshake-timeout SECONDS] [--check-irtt]
        [--dns-timeout SECONDS] [--dns-port PORT ...] [--check-dns] [--no-dns]
        [--idle-timeout SECONDS] [--rtt-interval SECONDS] [--no-close] [--check-retrans] [-v]

Prints one JSON object per line: the `tcp_handshake` / `tcp_handshake_failed`, `tcp_close` and
`dns` / `dns_timeout` records wirelat must produce for FILE (fields as in DESIGN.md "Records",
except that the time is the integer field `ts_ns` instead of the RFC 3339 `ts` string), in the
order wirelat prints them offline (completing packet order, timeouts at their deadline, `eof`
closes at their last packet; the handshake, close and DNS records are merged by ts_ns, in that
order on a tie; in a capture whose time jumps backwards the lists are not sorted and the merge
only interleaves them), then one line
    {"type": "_counts", "completed": N, "refused": N, ..., "late": N, "challenge_acks": N,
     "dns_answered": N, "dns_timeout": N, "dns_unreachable": N, "dns_unsolicited": N,
     "dns_duplicate": N, "dns_mismatch": N, "dns_late": N, "dns_query_retransmits": N,
     "dns_skipped": N, "close_fin": N, "close_rst": N, "close_timeout": N, "close_reused": N,
     "close_eof": N}
with the number of handshake results by result label, the challenge ACKs counted on attempts
(wirelat_tcp_challenge_acks_total), the DNS counts and the tcp_close records by reason. --no-dns
leaves out the DNS records and counts, --no-close the tcp_close records and the close_ counts
(both together: the handshake records and counts alone).

Importable:
    import truth
    records = truth.truth_records("x.pcap")             # list of handshake record dicts
    res = truth.analyze("x.pcap", timeout_ns=5 * 10**9)  # .records, .counts, .irtt_problems
    dres = truth.analyze_dns("x.pcap", timeout_ns=5 * 10**9, ports=(53,))
                                                         # .records, .counts, .stats
    truth.check_dns("x.pcap", dres)                      # fills .problems / .notes
    res = truth.analyze("x.pcap", close=truth.CloseConfig(idle_ns=5 * 10**9))
    res.tracker.records, res.tracker.counts              # tcp_close records, close_ counts
    summaries, diffs = truth.check_retrans("x.pcap", res)  # retransmissions vs tshark
    summaries, diffs = truth.check_loss("x.pcap", res)     # gaps, dup ACKs, zero windows

TCP handshake model (DESIGN.md "Measurement semantics", all arithmetic in integer nanoseconds;
packets and fields come from tshark):
  * flow key = unordered pair {(ip, port), (ip, port)}; VLAN ignored; client = sender of the
    first SYN (SYN without ACK).
  * Clock (DESIGN.md "Offline input"): expiry is judged by the time of the packet being
    processed, not the highest time so far, and applied before the packet is handled (done
    eagerly with a deadline heap, the same result as a lazy per-tuple check since nothing else
    touches an entry in between). Every frame of the capture counts as a processed packet (the
    sweeper runs on any frame), so `now` for a packet here is the highest timestamp of the
    frames since the previous packet here, this one included. After a jump backwards (files
    of other dates merged) nothing opened later expires early.
  * Deadline of SYN_SENT: latest SYN + max(T, 2.5 x the gap between its last two SYNs) (gap 0
    with one SYN; 2.5 x gap = floor(5 gap / 2) ns). SYN_SENT expires when now > deadline:
    record `timeout` with ts = deadline, elapsed = deadline - first_syn_ts, and a TIMED_OUT
    tombstone that lives until now > max(deadline + (deadline - latest SYN), first SYN + 130 s)
    (DESIGN.md: a SYN with the ISN resumes the attempt up to 130 s after the first SYN).
    SYNACK_SEEN expires silently when now > synack_ts + T, unless the client sent its SYN
    again after the SYN-ACK (it never got one): then its deadline follows those SYNs as in
    SYN_SENT (the latest + max(T, 2.5 x the gap to the SYN before it)) and, when now passes
    max(that, synack_ts + T), it is a `timeout` like SYN_SENT's (ts = that time) and a
    tombstone whose latest SYN is the latest retry.
  * A SYN with the attempt's ISN: in SYN_SENT a retransmission (the deadline follows it); in
    TIMED_OUT it resumes the attempt (SYN_SENT again, first SYN and syn_retransmits kept, + 1,
    a new deadline from the gap to the previous latest SYN; the timeout reported stands); in
    SYNACK_SEEN counted only. Another ISN (or a SYN from the other side) in TIMED_OUT starts a
    fresh attempt; another ISN (or a SYN from the server's side) in SYN_SENT / SYNACK_SEEN ends
    the attempt as `timeout` at that SYN (ts = the SYN, elapsed = SYN - first SYN) and starts a
    fresh one.
  * A SYN-ACK acknowledging ISN + 1 in TIMED_OUT: `late` (counted once, no record; the
    tombstone goes). "Acknowledging the SYN" (SYN-ACKs, a refusing RST) is ack = ISN + 1, or
    ISN + 1 + the SYN's payload length (TCP Fast Open, RFC 7413: the server took the data).
  * RST in SYN_SENT or SYNACK_SEEN (RFC 9293, SYN-SENT): from the server it is `refused` only
    with ACK set and ack = ISN + 1; from the client `aborted` only with seq = ISN or ISN + 1;
    any other RST is ignored (counted in -v's "handshake model" stats).
  * Challenge ACK (RFC 5961): in SYN_SENT a bare ACK from the server (ACK set; no SYN, RST or
    FIN; no payload) is counted in the entry and in `challenge_acks`; the `tcp_handshake`
    record carries the entry's count (`challenge_acks`, 0 normally).
  * At end of file what has passed its deadline by the highest timestamp of the file (of any
    frame) is reported, then what still waits for its SYN-ACK or ACK fails with `eof` (ts = that
    highest timestamp, elapsed = ts - first SYN; not counted in a result).
  * Packets inside tunnels (GRE, IP-in-IP, 6in4, MPLS, PPPoE, ...) and non-first fragments are
    skipped (tshark runs with IP reassembly off, so a first fragment counts at its own time), as
    are packets tshark finds malformed or cut by the snaplen in a layer wirelat parses (link, IP,
    TCP; bogus header lengths, IP/IPv6 length beyond the wire length, "[Malformed Packet: TCP]",
    "[Packet size limited during capture: TCP truncated]") and IPv6 packets with more than
    MAX_IPV6_EXT extension headers.  Trouble above TCP (TLS, HTTP, ...) does not matter.
  * --handshake-timeout (default 5 s) takes seconds ("3", "2.5") or a number with a unit (3s,
    500ms, 10us, 7ns).
  * --check-irtt compares syn_to_synack + synack_to_ack of every handshake without SYN
    retransmission with tshark's tcp.analysis.initial_rtt, except where a packet with ACK and
    without SYN (an ignored RST+ACK, a challenge ACK, ...) came before the completing ACK:
    tshark ends its initial_rtt at the first such packet (listed with -v).

Connection model (DESIGN.md, the lifecycle and continuous-RTT bullets; `tcp_close`). It runs in
the handshake model's loop, on the same packets (tshark's fields, plus tcp.len, the raw window
and the timestamp option). Idle expiry uses the handshake model's `now` (the time of the packet
being processed, any frame counting); the end of the file, the highest timestamp of the file.
  * Tracking starts (a) at the ACK that completes a handshake (first_ns = first SYN), (b) at the
    `unobserved` ACK (first_ns = first SYN), (c) mid-stream at a segment with payload and no
    SYN/FIN/RST on a tuple with no tracked connection and no handshake entry at all (a TIMED_OUT
    tombstone counts as an entry): first_ns = that segment, server = the lower port, on a tie
    the receiver. The starting packet is counted. Key: the unordered pair of (ip, port).
  * bytes per direction = sum of tcp.len of every packet of the connection (the closing one and
    a RST's payload included). Retransmissions (data segments only: a SYN or SYN-ACK sent
    again is the handshake's syn_retransmits / synack_retransmits, never the connection's):
    per direction high = highest seq + len (+1 for FIN) of every segment seen (from ISN + 1 of
    each SYN seen, else from the direction's first segment); a segment with payload or FIN whose
    seq is before high (serial arithmetic) is one, except a keepalive (no FIN, len <= 1, seq ==
    high - 1) and a zero-window probe (len 1 while the other side's last window field was 0). A
    SYN with the client's ISN or a SYN-ACK on a tracked connection is not a retransmission of
    the connection; it only takes part in RTT (no new handshake entry).
  * Loss, located (DESIGN.md; the record's segments_*, seq_gaps_*, dup_acks_*, zero_windows_*),
    per direction d: segments = packets with tcp.len > 0, counted wherever bytes are (a RST's
    or a SYN's payload too). The rest only on packets that reach the sequence bookkeeping (not
    a RST, not a SYN): a seq gap = a packet with payload whose seq is beyond high[d] (before
    this packet moves it; never on the packet that sets high[d]); a dup ACK = ACK set, no
    payload, no FIN, ack and raw window field equal to those of d's previous ACK-bearing packet
    on the bookkeeping (each one, data or not, is the next one's reference; the first has none:
    the client's completing ACK is the client's first, the SYN-ACK never is one); a zero window
    = window field 0 while d's window state is non-zero. The state (unknown / non-zero / zero)
    is set by every bookkeeping packet of d from its window; handshake-opened connections start
    non-zero both ways, mid-stream ones unknown; a RST never touches it. The zero-window-probe
    rule above reads the other side's state (zero).
  * Close: RST (either side; closed_by its sender) after the RST answered any RTT sample
    (RST_ANSWERS_RTT); FIN: both sides sent one and a packet with ACK from the first-FIN side
    acknowledges the second FIN exactly (ack == its seq + len + 1; closed_by = first FIN's
    side); idle: now > last + T (--idle-timeout, default 300 s) -> ts = last + T, duration =
    last - first (last = the time of the connection's latest packet in file order); reused: a
    SYN without ACK whose seq is not the client's ISN (any SYN on a mid-stream connection, from
    either side) -> ts = the SYN, then the SYN goes to the handshake model; end of file:
    timeouts by the highest timestamp of the file, then `eof` (ts = last packet) for the rest.
    duration_ns is never negative (time going backwards within a connection: 0).
  * RTT, timestamp mode where both the SYN and the SYN-ACK carried the option (a connection
    opened by an `unobserved` ACK: the SYN alone; mid-stream: its first segment). The
    handshake's packets count like any others: where the first SYN carried the option, the
    attempt keeps RTT state of its own, fed (the same rules, timestamp mode) its SYNs with the
    client's ISN (the first, retransmitted, resuming, after the SYN-ACK), its SYN-ACKs
    acknowledging ISN + 1 (SYN_SENT, SYNACK_SEEN) and the server's other ACK-bearing segments
    without SYN or RST (SYN_SENT, SYNACK_SEEN: challenge ACKs); a connection in timestamp mode
    starts from that state (outstanding samples, samples taken, last TSvals), so the SYN ->
    SYN-ACK and SYN-ACK -> ACK exchanges are samples. A SYN or SYN-ACK again on a tracked
    connection is a packet like others for RTT (not a retransmission: no Karn). Only a
    segment with payload, SYN or FIN starts a sample. Its TSval is remembered the first time
    the side sends it on such a segment (a pure ACK's TSval is not remembered) and starts a
    sample if none is outstanding and --rtt-interval has passed since the side's last answered
    sample; the first packet the other way with ACK set and TSecr == it answers. Otherwise
    (either side declined timestamps) seq/ack: a data segment that is not a retransmission
    starts one (end = seq + len), the first packet the other way with ACK and ack at or after
    end answers, a retransmission drops an outstanding one (Karn). In both modes a sample older
    than 10 s is dropped by the next packet of its side, and answered by nothing. Ages and intervals are by the packet's
    own time. A client sample is a `server` RTT. Negative samples are not recorded.
  * --check-retrans compares, frame by frame, the retransmissions counted on tracked connections
    with tshark's tcp.analysis.retransmission / fast_retransmission / spurious_retransmission,
    and the loss events with tcp.analysis.lost_segment (on the segment after the hole, as a
    seq gap), duplicate_ack and zero_window, and exits 1 on a difference that no known
    difference explains (check_retrans, _loss_why): tshark's out-of-order segments, a refused
    zero-window probe's byte sent again (tshark does not advance for a probe), zero windows
    repeated (tshark flags each), duplicate ACKs with window 0 or on keepalives (tshark
    excludes them) or compared with packets the contract does not use as a reference, lost
    segments without payload or after an accepted probe byte, ... Retransmission differences
    are printed one per frame; loss differences one line per known reason (every frame with
    -v), unexplained ones always.

DNS model (DESIGN.md, the DNS bullets). It reads the capture itself (pcap either byte order, us
or ns; pcapng with several interfaces, if_tsresol, if_tsoffset; timestamps from the record
headers as exact integers of ns) and decodes Ethernet / 802.1Q / 802.1ad (up to 8 tags), Linux
cooked v1/v2 and raw IP, IPv4 / IPv6 (up to 8 extension headers), UDP, TCP, ICMP, ICMPv6 by
hand: lengths checked against the wire length (IP/UDP length beyond it: malformed), a header
cut by the snaplen: truncated; non-first fragments skipped; a first fragment of a UDP datagram
fails the UDP length check. Expiry is judged by the timestamp of the frame being processed
(DESIGN.md "Offline input"), at the end of the file by the highest timestamp of the file.
  * A DNS message is UDP or TCP with source or destination port in --dns-port (default 53). A
    query is QR=0 sent to a DNS port, a response QR=1 sent from one.
  * Malformed (never a record, not counted below): fewer than 12 bytes, QDCOUNT 0, a compression
    pointer in the question name, a label longer than 63, a name longer than 255 bytes on the
    wire (length octets and the root's 0 included), a message ending before QTYPE/QCLASS.
  * DNS over TCP: messages are found by their 2-byte length prefixes, per direction of each
    connection, followed by sequence number from the SYN (data starts at ISN + 1). Several
    messages per segment; a prefix alone at the end of a segment (or a single byte of one) means
    the message starts the next segment; a message continuing past its segment (header and
    question inside it) counts at that segment and the rest of its bytes are skipped. A message
    whose header + first question are not wholly inside one segment is skipped (`dns_skipped`).
    A segment whose data was all seen before (TCP retransmission) is ignored; one that partly
    overlaps is used from the first new byte. After a sequence gap (or on a connection first
    seen without its SYN) framing is lost until a segment whose prefixes end exactly at its end
    (every message at least 12 bytes): that segment is taken to start at a message boundary.
  * Key: (client ip, client port, server ip, server port, udp|tcp, DNS ID, question); question
    = the raw qname labels (bytes, case kept) + qtype: two questions on one tuple and ID are two
    transactions. A query with no entry for its question (or an answered or timed-out one) opens
    a transaction (first = last = ts); the same question again while pending is a retransmission
    (query_retransmits + 1, last = ts, counted in dns_query_retransmits at once); another
    question leaves the others as they are.
  * A response to a pending entry with the same question (qname bytes and qtype equal, byte for
    byte, case kept; never a hash of them): `dns` record (ts = response,
    latency_ns = ts - first, rcode, answers = ANCOUNT, truncated = TC, query_retransmits); the
    entry is ANSWERED. No entry for its question but one for another on its tuple and ID
    (pending, answered or a tombstone: the question is part of the match): `dns_mismatch`.
    ANSWERED, the same question: `dns_duplicate`. TIMED_OUT tombstone, the same question:
    `dns_late` (once; the tombstone goes). No entry on the tuple and ID: `dns_unsolicited`.
  * Expiry (heap, strict >): pending when now > last + T: `dns_timeout` `timeout`, ts = last + T,
    elapsed = ts - first, becomes TIMED_OUT until now > deadline + T; ANSWERED is removed when
    now > answered + T. At end of file what has passed its deadline by the highest timestamp
    of the file is reported, then what is still pending: `dns_timeout` `eof` (ts = that
    timestamp, elapsed = ts - first; not counted as a timeout).
  * ICMP type 3 / ICMPv6 type 1 quoting a UDP datagram to a DNS port (quoted src = client,
    dst = server): the pending entry of its tuple, DNS ID and question where the quote holds the
    whole question of a query; where it holds less, every pending entry of its tuple and DNS ID
    (the first 2 bytes after the quoted UDP header), and where it ends with the UDP header (RFC
    792's 8 bytes) every pending entry of its tuple: `dns_timeout` `unreachable`, ts = the
    ICMP's, elapsed = ts - first; the entries are removed.
  * qname: presentation form without the trailing dot, root ".", bytes outside 0x20..0x7e and
    '.' or '\\' inside a label as \\DDD; qtype / rcode names (A, NS, CNAME, SOA, PTR, MX, TXT,
    AAAA, SRV, SVCB, HTTPS, ANY / NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED) else the
    number.
  * --check-dns: every `dns` record whose query was not retransmitted must have
    latency_ns == tshark's dns.time on its response frame (same DNS ID), except where tshark
    pairs differently by design (a mismatching response came first; the ID was reused on the
    socket after an unanswered query; a TCP message that continues past the segment holding its
    header, which tshark times at the segment completing it). Those, and tshark pairings the
    model does not make (mismatch, late, unsolicited, malformed, split), are listed with -v.
"""

import argparse
import heapq
import ipaddress
import json
import re
import struct
import subprocess
import sys
import tempfile
from collections import Counter

NS = 10 ** 9
MOD32 = 1 << 32

RESULTS = ("completed", "refused", "aborted", "unreachable", "timeout", "unobserved", "late")
# counted beside the results: challenge ACKs seen on attempts (wirelat_tcp_challenge_acks_total)
HS_COUNT_KEYS = ("challenge_acks",)
HANDSHAKE_TIMEOUT_DEFAULT = 5 * NS      # --handshake-timeout
RESUME_NS = 130 * NS                    # a timed-out attempt is resumable this long after its first SYN

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
    "tcp.len",                 # 23 (payload length from the IP length: the wire, not the snaplen)
    "tcp.window_size_value",   # 24 (the raw window field)
    "tcp.options.timestamp.tsval",  # 25
    "tcp.options.timestamp.tsecr",  # 26
]

TSHARK_OPTS = [
    "-o", "ip.defragment:FALSE",        # a first fragment is handled on its own, at its own time
    "-o", "ipv6.defragment:FALSE",
    "-o", "tcp.relative_sequence_numbers:FALSE",
]

FIN, SYN, RST, ACK = 0x01, 0x02, 0x04, 0x10


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
                 "flags", "seq", "ack", "icmp_type", "stream", "irtt",
                 "tlen", "win", "tsval", "tsecr")


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
            tl, win = _occ(c[23], 0), _occ(c[24], 0)
            tsv, tse = _occ(c[25], 0), _occ(c[26], 0)
            p.tlen = int(tl) if tl is not None else 0
            p.win = int(win) if win is not None else None
            p.tsval = int(tsv) if tsv is not None and tse is not None else None
            p.tsecr = int(tse) if tsv is not None and tse is not None else None
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
            p.tlen, p.win, p.tsval, p.tsecr = 0, None, None, None
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
                 "syn_gap", "syn_retransmits", "server_isn", "synack_ts", "synack_retransmits",
                 "deadline", "gen", "syn_ts", "synack_has_ts", "challenge_acks", "rtx_frames",
                 "early_ack", "rtt", "syn_len", "retry_ts", "retry_deadline")


def syn_acked(e, ack):
    """Does `ack` acknowledge the attempt's SYN: ISN + 1, or with TCP Fast Open (data in the
    SYN) ISN + 1 + its length where the server took the data (RFC 7413)."""
    return ack in ((e.isn + 1) % MOD32, (e.isn + 1 + e.syn_len) % MOD32)


def syn_deadline(last_syn_ts, gap, timeout_ns):
    """DESIGN.md "Deadline": the latest SYN + max(--handshake-timeout, 2.5 x the gap between the
    attempt's last two SYNs) (gap 0 with one SYN; a negative gap, time going backwards, counts
    as 0). 2.5 x gap in integer ns is floor(5 * gap / 2)."""
    return last_syn_ts + max(timeout_ns, gap * 5 // 2)


def capture_times(path):
    """[None, ts of frame 1, ts of frame 2, ...]: the timestamp of every frame of the capture
    (not only those tshark lists as TCP/ICMP), by frame number."""
    return [None] + [ts for _, ts, _, _, _ in read_capture(path)]


class Result:
    def __init__(self):
        self.records = []
        self.counts = Counter({r: 0 for r in RESULTS + HS_COUNT_KEYS})
        self.stats = Counter()    # model events worth a look with -v (RSTs ignored, resumes, ...)
        self.irtt_problems = []   # strings
        self.irtt_notes = []      # handshakes tshark times differently by design (-v)
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


def analyze(path, timeout_ns=HANDSHAKE_TIMEOUT_DEFAULT, tshark="tshark", close=None):
    """Handshake records and counts of `path`; with close (a CloseConfig) also the tcp_close
    records and close_* counts of the connection model (res.close_records, res.tracker)."""
    res = Result()
    frame_ts = capture_times(path)
    ct = ConnTracker(close, path, frame_ts=frame_ts) if close is not None else None
    res.tracker = ct
    T = timeout_ns
    table = {}          # canonical key -> Entry
    heap = []           # (expiry time, seq, key, gen): entry expires when the clock > time
    hseq = 0
    gen_counter = [0]
    last_frame = 0      # the last frame whose timestamp has been seen by expire()
    irtt_pending = []   # (record, stream, irtt string on the ACK frame)

    def emit(rec):
        res.records.append(rec)

    def fail(e, reason, ts, elapsed):
        r = _base(e, "tcp_handshake_failed", ts)
        r["reason"] = reason
        r["syn_retransmits"] = e.syn_retransmits
        r["elapsed_ns"] = elapsed
        emit(r)
        if reason != "eof":     # the capture ended first: not a result
            res.counts[reason] += 1

    def schedule(key, e):
        nonlocal hseq
        if e.state == SYN_SENT:
            t = syn_deadline(e.last_syn_ts, e.syn_gap, T)
        elif e.state == SYNACK_SEEN:
            t = e.synack_ts + T
            if e.retry_ts is not None:
                # the client sent its SYN again after the SYN-ACK: it never got one, and
                # waits as in SYN_SENT
                t = max(t, e.retry_deadline)
        else:
            # the tombstone lives as long again as the deadline gave the latest SYN, and at
            # least until RESUME_NS after the first SYN (DESIGN.md: a client retrying up to
            # 130 s after its first SYN resumes the attempt)
            t = max(e.deadline + (e.deadline - e.last_syn_ts), e.first_syn_ts + RESUME_NS)
        hseq += 1
        heapq.heappush(heap, (t, hseq, key, e.gen))

    def bump(e):
        gen_counter[0] += 1
        e.gen = gen_counter[0]

    def expire(now):
        """Expire every entry whose time has passed (strictly) at `now`. `now` need not grow:
        after the time of the capture jumps backwards an earlier `now` expires nothing new."""
        while heap and heap[0][0] < now:
            t, _, key, gen = heapq.heappop(heap)
            e = table.get(key)
            if e is None or e.gen != gen:
                continue   # stale heap item
            if e.state == SYN_SENT:
                deadline = t
                fail(e, "timeout", deadline, deadline - e.first_syn_ts)
                e.state = TIMED_OUT
                e.deadline = deadline
                bump(e)
                schedule(key, e)
            elif e.state == SYNACK_SEEN and e.retry_ts is not None:
                fail(e, "timeout", t, t - e.first_syn_ts)
                e.state = TIMED_OUT
                e.deadline = t
                e.last_syn_ts = e.retry_ts      # a resume's gap runs from it
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
        e.syn_len = p.tlen                  # TCP Fast Open: data in the SYN
        e.retry_ts = e.retry_deadline = None    # SYNs after the SYN-ACK
        e.first_syn_ts = e.last_syn_ts = p.ts
        e.syn_gap = 0                       # between the last two SYNs (0: one SYN so far)
        e.syn_retransmits = 0
        e.server_isn = None
        e.synack_ts = None
        e.synack_retransmits = 0
        e.deadline = None
        e.syn_ts = p.tsval is not None      # the first SYN carried the timestamp option
        e.synack_has_ts = None              # the first SYN-ACK did (None: none seen)
        e.challenge_acks = 0
        e.rtx_frames = []                   # frames of retransmitted SYNs / SYN-ACKs
        e.early_ack = None                  # frame of the first ACK-flagged non-SYN segment
                                            # before the completing ACK (see _check_irtt)
        e.rtt = RttState()
        bump(e)
        table[key] = e
        schedule(key, e)
        hs_rtt(e, p, side)

    def hs_rtt(e, p, side):
        """RTT during the handshake (timestamp mode, where the first SYN offered them)."""
        if ct is not None and e.syn_ts:
            d = C2S if side == e.client else S2C
            ct._rtt(e.rtt, p, d, d ^ 1, False)

    def resend(key, e, p):
        """The attempt's SYN again (same ISN) in SYN_SENT: a retransmission; the deadline
        follows the client's backoff."""
        e.syn_retransmits += 1
        e.rtx_frames.append((p.frame, "c2s"))
        e.syn_gap = p.ts - e.last_syn_ts
        e.last_syn_ts = p.ts
        bump(e)
        schedule(key, e)

    def acceptable_rst(e, p, side):
        """RFC 9293, SYN-SENT: the server's RST must acknowledge the SYN (ACK set, ack = ISN +
        1); the client's must carry the ISN or ISN + 1 as its sequence number. Returns the
        reason it ends the attempt with, or None (the RST is ignored)."""
        if side == e.client:
            return "aborted" if p.seq in (e.isn, (e.isn + 1) % MOD32) else None
        if p.flags & ACK and syn_acked(e, p.ack):
            return "refused"
        return None

    for p in read_packets(path, tshark=tshark, skipped=res.skipped):
        res.packets += 1
        # DESIGN.md "Offline input": expiry is judged by the time of the packet being processed
        # (not the highest so far). Every frame is a packet wirelat processes, including those
        # this loop does not see (not TCP, malformed, ...): the frames since the last packet
        # here count too, so `now` is the highest of their times and this packet's.
        now = p.ts
        for fr in range(last_frame + 1, min(p.frame, len(frame_ts) - 1) + 1):
            now = max(now, frame_ts[fr])
        last_frame = max(last_frame, p.frame)
        expire(now)
        if ct is not None:
            ct.advance(now)

        if p.kind == "icmp":
            # the quoted segment went client -> server
            qsrc, qdst = (p.src, p.sport), (p.dst, p.dport)
            key = frozenset((qsrc, qdst))
            e = table.get(key)
            itype = p.icmp_type
            if itype not in (("icmp", 3), ("icmpv6", 1)):
                continue
            # waiting for a SYN-ACK: none yet, or the client sent its SYN
            # again after one (it never got it)
            waiting = e is not None and (e.state == SYN_SENT or
                                         (e.state == SYNACK_SEEN and e.retry_ts is not None))
            if (waiting and e.client == qsrc and e.server == qdst and p.seq == e.isn):
                fail(e, "unreachable", p.ts, p.ts - e.first_syn_ts)
                del table[key]
            continue

        side = (p.src, p.sport)
        key = frozenset((side, (p.dst, p.dport)))
        e = table.get(key)
        f = p.flags

        if ct is not None:
            conn = ct.conns.get(key)
            if conn is not None and ct.packet(key, conn, p, side):
                continue        # the tracked connection took it
            # else: no connection, or a SYN that ended it (`reused`): the handshake model's
            if (e is None and not f & (SYN | FIN | RST) and p.tlen > 0
                    and key not in ct.conns):
                ct.open_midstream(key, p, side)
                continue

        if (e is not None and e.state in (SYN_SENT, SYNACK_SEEN) and f & ACK
                and not f & SYN and e.early_ack is None):
            e.early_ack = p.frame           # tshark's initial_rtt ends at the first such one
        if f & RST:
            if e is not None and e.state in (SYN_SENT, SYNACK_SEEN):
                reason = acceptable_rst(e, p, side)
                if reason is None:
                    # e.g. the client's answer to a challenge ACK (seq = that ACK's ack), or
                    # a blind / stale RST: the attempt goes on
                    res.stats["rst-ignored-" + ("client" if side == e.client else "server")] += 1
                else:
                    fail(e, reason, p.ts, p.ts - e.first_syn_ts)
                    del table[key]
            continue

        if f & SYN and not f & ACK:
            if e is None:
                new_entry(key, p, side)
            elif e.state == TIMED_OUT:
                if side == e.client and p.seq == e.isn:
                    # the client still retries after the deadline: the attempt resumes (first
                    # SYN and retransmissions kept; the timeout reported stands)
                    e.state = SYN_SENT
                    res.stats["resumed"] += 1
                    resend(key, e, p)
                    hs_rtt(e, p, side)
                else:
                    new_entry(key, p, side)
            elif side == e.client and p.seq == e.isn:
                hs_rtt(e, p, side)
                if e.state == SYN_SENT:
                    resend(key, e, p)
                else:       # after the SYN-ACK: counted, the timing is done; the client never
                    # got it: its deadline follows its SYNs as in SYN_SENT
                    e.syn_retransmits += 1
                    e.rtx_frames.append((p.frame, "c2s"))
                    prev = e.retry_ts if e.retry_ts is not None else e.last_syn_ts
                    e.retry_deadline = syn_deadline(p.ts, p.ts - prev, T)
                    e.retry_ts = p.ts
                    bump(e)
                    schedule(key, e)
            else:
                # a new ISN, or a SYN from the other side (DESIGN.md: a SYN with a new ISN
                # on the tuple starts a new attempt; a simultaneous open is not guessed at)
                fail(e, "timeout", p.ts, p.ts - e.first_syn_ts)
                new_entry(key, p, side)
            continue

        if f & SYN and f & ACK:
            if e is None or side == e.client:
                continue
            if not syn_acked(e, p.ack):
                continue
            if e.state == SYN_SENT:
                e.state = SYNACK_SEEN
                e.server_isn = p.seq
                e.synack_ts = p.ts
                e.synack_has_ts = p.tsval is not None
                e.retry_ts = e.retry_deadline = None
                bump(e)
                schedule(key, e)
                hs_rtt(e, p, side)
            elif e.state == SYNACK_SEEN:
                if p.seq == e.server_isn:
                    e.synack_retransmits += 1
                    e.rtx_frames.append((p.frame, "s2c"))
                hs_rtt(e, p, side)
            elif e.state == TIMED_OUT:
                # counted once: the tombstone has done its job
                res.counts["late"] += 1
                del table[key]
            continue

        if f & ACK:
            if e is None:
                continue
            if side != e.client:
                if e.state in (SYN_SENT, SYNACK_SEEN):
                    hs_rtt(e, p, side)
                # RFC 5961: a server holding an old connection on the tuple answers the SYN
                # with a bare (pure) ACK, a challenge ACK; the client's RST to it carries its
                # ack number (ignored above) and the client sends the SYN again later
                if e.state == SYN_SENT and not f & FIN and p.tlen == 0:
                    e.challenge_acks += 1
                    res.counts["challenge_acks"] += 1
                continue
            if e.state == SYNACK_SEEN:
                if p.ack == (e.server_isn + 1) % MOD32:
                    r = _base(e, "tcp_handshake", p.ts)
                    r["syn_to_synack_ns"] = e.synack_ts - e.last_syn_ts
                    r["synack_to_ack_ns"] = p.ts - e.synack_ts
                    r["handshake_ns"] = p.ts - e.first_syn_ts
                    r["syn_retransmits"] = e.syn_retransmits
                    r["synack_retransmits"] = e.synack_retransmits
                    r["challenge_acks"] = e.challenge_acks
                    emit(r)
                    res.counts["completed"] += 1
                    del table[key]
                    if e.syn_retransmits == 0 and e.early_ack != p.frame:
                        # tshark's initial_rtt is the first packet with ACK and without SYN
                        # (either way) after the SYN: an ignored RST+ACK or a challenge ACK
                        # before the completing ACK ends it early; not comparable
                        res.irtt_notes.append(
                            "%s:%d -> %s:%d (ACK frame %d): not compared: frame %d (ACK set, "
                            "before the completing ACK) ends tshark's initial_rtt" % (
                                r["client_ip"], r["client_port"], r["server_ip"],
                                r["server_port"], p.frame, e.early_ack))
                    elif e.syn_retransmits == 0:
                        irtt_pending.append((r, p.frame, p.stream, p.irtt))
                    if ct is not None:
                        ct.open_handshake(key, e, p, side, synack_seen=True)
            elif e.state == SYN_SENT:
                res.counts["unobserved"] += 1
                del table[key]
                if ct is not None:
                    ct.open_handshake(key, e, p, side, synack_seen=False)
            continue
        # no SYN, no ACK, no RST: nothing to do

    # end of file: report what has passed its deadline by the highest timestamp of the file
    # (of any frame)
    times = [t for t in frame_ts[1:] if t is not None]
    end = max(times) if times else None
    if end is not None:
        expire(end)
        # then what still waits for its SYN-ACK or ACK: `eof` at the last packet
        for key, e in list(table.items()):
            if e.state in (SYN_SENT, SYNACK_SEEN):
                fail(e, "eof", end, end - e.first_syn_ts)
                del table[key]
    res.last_clock = end
    if ct is not None:
        ct.finish(end)

    _check_irtt(path, res, irtt_pending, tshark)
    return res


# =============================================================================================
# Connection model (DESIGN.md "Measurement semantics", the lifecycle and continuous-RTT bullets;
# "Records": tcp_close). It runs inside analyze(), on the same packets as the handshake model.
# =============================================================================================

IDLE_TIMEOUT_DEFAULT = 300 * NS
RTT_SAMPLE_MAX_AGE = 10 * NS
# A RST is "a packet the other way" too: its TSecr (or, without timestamps, its ACK) answers an
# outstanding sample before the connection closes. The contract does not single RST out; set
# False if it is decided otherwise (pcaps/gen/tconn.py's RST_ANSWERS_RTT is the same switch for its --expected).
RST_ANSWERS_RTT = True
CLOSE_REASONS = ("fin", "rst", "timeout", "reused", "eof")
C2S, S2C = 0, 1
DIR_NAME = ("c2s", "s2c")
SIDE_NAME = ("client", "server")


def seq_lt(a, b):
    """a before b in 32-bit serial arithmetic."""
    return 0 < (b - a) % MOD32 < 1 << 31


class CloseConfig:
    def __init__(self, idle_ns=IDLE_TIMEOUT_DEFAULT, rtt_interval_ns=0):
        self.idle_ns = idle_ns
        self.rtt_interval_ns = rtt_interval_ns


# Window state of a direction (DESIGN.md "Loss, located": a zero window follows a non-zero one)
WIN_UNKNOWN, WIN_OPEN, WIN_ZERO = "unknown", "non-zero", "zero"
# the loss fields of a tcp_close record, in DESIGN.md's order
LOSS_FIELDS = ("segments_c2s", "segments_s2c", "seq_gaps_c2s", "seq_gaps_s2c",
               "dup_acks_c2s", "dup_acks_s2c", "zero_windows_c2s", "zero_windows_s2c")


class RttState:
    """The RTT state of a pending handshake (DESIGN.md: a SYN's TSval starts a sample like any
    other): fed, in timestamp mode, the attempt's SYNs, SYN-ACKs and the server's other ACKs;
    the connection starts from it."""
    __slots__ = ("has_ts", "sample", "answered", "rtt", "last_tsval")

    def __init__(self):
        self.has_ts = True
        self.sample = [None, None]
        self.answered = [None, None]
        self.rtt = [[], []]
        self.last_tsval = [None, None]


class Conn:
    """A tracked connection. Lists of two are by direction (C2S, S2C) unless said otherwise."""
    __slots__ = ("key", "family", "client", "server", "first_ns", "last_ns", "midstream",
                 "client_isn", "has_ts", "bytes", "retrans", "high", "win_state", "last_tsval",
                 "sample", "answered", "rtt", "fin_end", "first_fin", "last_fin", "gen",
                 "frames", "first_frame", "segments", "seq_gaps", "dup_acks", "zero_windows",
                 "ack_ref", "loss", "last_frame", "accept_queue_drops")

    def __init__(self, midstream=False):
        self.bytes = [0, 0]
        self.retrans = [0, 0]
        self.high = [None, None]        # highest seq + len (+1 for FIN) seen, per direction
        # window state of each direction: WIN_UNKNOWN / WIN_OPEN / WIN_ZERO (the last advertised
        # window field of the direction was 0); a connection opened from a handshake (completed
        # or unobserved) starts open both ways, a mid-stream one unknown both ways
        self.win_state = [WIN_UNKNOWN if midstream else WIN_OPEN] * 2
        # loss, located (DESIGN.md): data segments (payload > 0, retransmissions included),
        # sequence gaps (data lost before the observation point), duplicate ACKs, zero windows
        self.segments = [0, 0]
        self.seq_gaps = [0, 0]
        self.dup_acks = [0, 0]
        self.zero_windows = [0, 0]
        # SYN-ACKs after the client's ACK (DESIGN.md, a full accept queue)
        self.accept_queue_drops = 0
        self.ack_ref = [None, None]     # (ack, raw window) of the direction's last ACK-bearing
                                        # segment that reached the sequence bookkeeping
        self.loss = {}                  # frame -> (direction, events, facts) for --check-retrans
        self.last_frame = [None, None]  # the direction's latest frame on the connection
        self.last_tsval = [None, None]
        self.sample = [None, None]      # outstanding sample of a direction: (value, ts)
        self.answered = [None, None]    # when the direction's last sample was answered
        self.rtt = [[], []]             # samples by SIDE: 0 = server, 1 = client
        self.fin_end = [None, None]     # seq + len + 1 of the direction's first FIN
        self.first_fin = None           # direction of the first FIN
        self.last_fin = None            # direction of the second side's FIN
        self.frames = {}                # frame -> (direction, what) for --check-retrans


class ConnTracker:
    """tcp_close model. Every packet analyze() hands over is one wirelat parses. Idle expiry is
    judged, like the handshake model's, by the time of the packet being processed (analyze()
    passes the highest timestamp of the frames since its previous packet, any frame, not only
    TCP ones), and at end of file by the highest timestamp of the file."""

    def __init__(self, cfg, path, frame_ts=None):
        self.cfg = cfg
        self.conns = {}             # canonical key -> Conn
        self.heap = []              # (idle deadline, seq, key, gen): expires when now > it
        self.seq = 0
        self.records = []
        self.counts = Counter({"close_" + r: 0 for r in CLOSE_REASONS})
        self.stats = Counter()
        self.closed = []            # every Conn once closed (for checks and -v)
        self.frame_ts = capture_times(path) if frame_ts is None else frame_ts

    # idle expiry -------------------------------------------------------------------------------
    def advance(self, now):
        """Before a packet: expire what `now` (see the class comment) has passed."""
        self.expire(now)

    def _schedule(self, key, c):
        self.seq += 1
        c.gen = self.seq
        heapq.heappush(self.heap, (c.last_ns + self.cfg.idle_ns, self.seq, key, c.gen))

    def expire(self, now):
        while self.heap and self.heap[0][0] < now:
            t, _, key, gen = heapq.heappop(self.heap)
            c = self.conns.get(key)
            if c is None or c.gen != gen:
                continue
            self._close(key, c, "timeout", t, c.last_ns - c.first_ns)

    def finish(self, end=None):
        """End of file: idle timeouts by the highest timestamp of the file (`end`; by default
        from the capture), then `eof` for what is still open."""
        if end is None:
            times = [t for t in self.frame_ts[1:] if t is not None]
            end = max(times) if times else None
        if end is not None:
            self.expire(end)
        for key, c in sorted(self.conns.items(), key=lambda kv: (kv[1].last_ns, kv[1].gen)):
            self._close(key, c, "eof", c.last_ns, c.last_ns - c.first_ns, forget=False)
        self.conns.clear()
        self.records.sort(key=lambda r: r["ts_ns"])      # stable: emission order on a tie

    # open / close ----------------------------------------------------------------------------
    def _new(self, key, family, client, server, first_ns, midstream, isn, has_ts, frame):
        c = Conn(midstream=midstream)
        c.key = key
        c.family = family
        c.client, c.server = client, server
        c.first_ns = c.last_ns = first_ns
        c.midstream = midstream
        c.client_isn = isn
        c.has_ts = has_ts
        c.first_frame = frame
        self.conns[key] = c
        return c

    def open_handshake(self, key, e, p, side, synack_seen):
        """(a) handshake completed (synack_seen) or (b) `unobserved`; p is the client's ACK."""
        # RTT from timestamps only where both the SYN and the SYN-ACK offered the option (a
        # server may decline them); where the SYN-ACK was not seen, the SYN's option alone
        has_ts = e.syn_ts and (e.synack_has_ts if synack_seen else True)
        if e.syn_ts and not has_ts:
            self.stats["ts-declined-by-server"] += 1
        c = self._new(key, e.family, e.client, e.server, e.first_syn_ts, False, e.isn, has_ts,
                      p.frame)
        c.high[C2S] = (e.isn + 1 + e.syn_len) % MOD32
        if synack_seen:
            c.high[S2C] = (e.server_isn + 1) % MOD32
        # SYN / SYN-ACK retransmissions stay the handshake's (DESIGN.md: data segments only)
        if has_ts:
            # RTT goes on from the samples the attempt's SYNs and SYN-ACKs started
            r = e.rtt
            c.sample, c.answered = list(r.sample), list(r.answered)
            c.rtt, c.last_tsval = [list(x) for x in r.rtt], list(r.last_tsval)
        for fr, d in e.rtx_frames:
            c.frames[fr] = (C2S if d == "c2s" else S2C, "syn-retransmission")
        self.stats["open-handshake" if synack_seen else "open-unobserved"] += 1
        self.packet(key, c, p, side)

    def open_midstream(self, key, p, side):
        """(c) a segment with payload, no SYN/FIN/RST, on a tuple nobody knows."""
        other = (p.dst, p.dport)
        if p.sport < p.dport:
            server, client = side, other
        else:                   # the lower port serves; on a tie the receiver
            server, client = other, side
        c = self._new(key, p.family, client, server, p.ts, True, None, p.tsval is not None,
                      p.frame)
        self.stats["open-midstream"] += 1
        self.packet(key, c, p, side)

    def _close(self, key, c, reason, ts, duration, closed_by=None, forget=True):
        r = _base(c, "tcp_close", ts)
        r["reason"] = reason
        if closed_by is not None:
            r["closed_by"] = SIDE_NAME[closed_by]
        if duration < 0:
            # the capture's time went backwards within the connection: never negative
            self.stats["duration-negative"] += 1
            duration = 0
        r["duration_ns"] = duration
        r["bytes_c2s"], r["bytes_s2c"] = c.bytes
        r["retransmits_c2s"], r["retransmits_s2c"] = c.retrans
        for i, name in ((0, "server"), (1, "client")):
            v = c.rtt[i]
            if v:
                r["rtt_%s_min_ns" % name] = min(v)
                r["rtt_%s_avg_ns" % name] = sum(v) // len(v)
                r["rtt_%s_samples" % name] = len(v)
        r["midstream"] = c.midstream
        r.update(zip(LOSS_FIELDS, c.segments + c.seq_gaps + c.dup_acks + c.zero_windows))
        r["accept_queue_drops"] = c.accept_queue_drops
        self.records.append(r)
        self.counts["close_" + reason] += 1
        self.closed.append(c)
        if forget:
            del self.conns[key]

    # one packet of a tracked connection ------------------------------------------------------
    def packet(self, key, c, p, side):
        """Returns False when the packet ended the connection as `reused` (a SYN with another
        ISN): the handshake model must then see it; True when the connection took it."""
        d = C2S if side == c.client else S2C
        o = d ^ 1
        f = p.flags
        if f & (SYN | ACK | RST) == SYN and (c.client_isn is None or p.seq != c.client_isn):
            # a new attempt on the tuple (any SYN on a mid-stream connection: no ISN known)
            self._close(key, c, "reused", p.ts, p.ts - c.first_ns)
            return False
        c.last_ns = p.ts
        self._schedule(key, c)
        c.bytes[d] += p.tlen
        if p.tlen > 0:
            # a data segment, counted wherever its bytes are (a RST's or a SYN's payload too)
            c.segments[d] += 1
        prev_frame, c.last_frame[d] = c.last_frame[d], p.frame
        if f & (RST | SYN):
            # neither reaches the sequence bookkeeping: no gap, no duplicate ACK, and the
            # window state stays (a RST's window is often 0)
            c.loss[p.frame] = (d, (), {"bookkeeping": False})
        if f & RST:
            # a packet the other way like any other: its TSecr (or ACK) may answer a sample
            c.frames[p.frame] = (d, "rst")
            if RST_ANSWERS_RTT:
                self._rtt(c, p, d, o, False, answer_only=True)
            self._close(key, c, "rst", p.ts, p.ts - c.first_ns, closed_by=d)
            return True
        if f & SYN:
            # the SYN (same ISN) or a SYN-ACK again after tracking started: the handshake's
            # retransmission, never the connection's (DESIGN.md: data segments only); a
            # packet like others for RTT (its TSecr answers, its TSval starts a sample)
            c.frames[p.frame] = (d, "syn-retransmission")
            if d == S2C and f & ACK and not c.midstream:
                # the server's SYN-ACK after the client's ACK (the only SYN from the server
                # that gets here): its kernel dropped the ACK, a full accept queue
                c.accept_queue_drops += 1
            self._rtt(c, p, d, o, False)
            return True
        # the sequence bookkeeping: every other segment of the connection comes here
        fin = 1 if f & FIN else 0
        end = (p.seq + p.tlen + fin) % MOD32
        rtx = False
        what = None
        events = []
        # what --check-retrans needs to explain a difference with tshark's flags
        facts = {"bookkeeping": True, "seq": p.seq, "tlen": p.tlen, "fin": bool(fin),
                 "win": p.win, "high": c.high[d], "state": c.win_state[d],
                 "ref": c.ack_ref[d], "prev_frame": prev_frame}
        zero_o = c.win_state[o] == WIN_ZERO     # the other side's last window field was 0
        if c.high[d] is None:
            # the direction's first segment (mid-stream; or the server's, after an
            # `unobserved` handshake): it sets high, and nothing was lost before it as far as
            # the observation point can tell
            c.high[d] = end
        else:
            if p.tlen > 0 and seq_lt(c.high[d], p.seq):
                # a sequence gap: data between high and this segment's first byte never passed
                # the observation point (lost upstream); counted once per such segment, judged
                # before this segment moves high
                c.seq_gaps[d] += 1
                events.append("seq_gap")
            if (p.tlen > 0 or fin) and seq_lt(p.seq, c.high[d]):
                if not fin and p.tlen <= 1 and p.seq == (c.high[d] - 1) % MOD32:
                    what = "keepalive"
                elif p.tlen == 1 and zero_o:
                    what = "zero-window-probe"
                else:
                    rtx = True
                    what = "retransmission"
            if seq_lt(c.high[d], end):
                c.high[d] = end
        if p.tlen == 1 and zero_o and what is None:
            what = "zero-window-probe (new byte)"
        if rtx:
            c.retrans[d] += 1
        c.frames[p.frame] = (d, what)
        if f & ACK:
            # duplicate ACK (RFC 5681, as DESIGN.md has it): a pure ACK (no payload, no FIN)
            # repeating the acknowledgment number and the raw window field of the direction's
            # previous ACK-bearing segment; every ACK-bearing segment here, data or not,
            # becomes the next one's reference (the first has none; the SYN-ACK never is one)
            ref = c.ack_ref[d]
            if (p.tlen == 0 and not fin and ref is not None and p.ack == ref[0]
                    and p.win == ref[1]):
                c.dup_acks[d] += 1
                events.append("dup_ack")
            c.ack_ref[d] = (p.ack, p.win, p.frame)
        if p.win is not None:
            # zero window: a window field of 0 after a non-zero one (not after an unknown one,
            # nor again while it stays 0)
            if p.win == 0 and c.win_state[d] == WIN_OPEN:
                c.zero_windows[d] += 1
                events.append("zero_window")
            c.win_state[d] = WIN_ZERO if p.win == 0 else WIN_OPEN
        c.loss[p.frame] = (d, tuple(events), facts)
        self._rtt(c, p, d, o, rtx)
        if fin and c.fin_end[d] is None:
            c.fin_end[d] = (p.seq + p.tlen + 1) % MOD32
            if c.first_fin is None:
                c.first_fin = d
            else:
                c.last_fin = d
        if (c.last_fin is not None and d != c.last_fin and f & ACK
                and p.ack == c.fin_end[c.last_fin]):
            self._close(key, c, "fin", p.ts, p.ts - c.first_ns, closed_by=c.first_fin)
        return True

    def _rtt(self, c, p, d, o, rtx, answer_only=False):
        now = p.ts          # ages and --rtt-interval by the packet's own time
        # answer the other direction's sample
        s = c.sample[o]
        if s is not None and now - s[1] > RTT_SAMPLE_MAX_AGE:
            s = None            # unanswered for 10 s: dropped, an echo now answers nothing
        if s is not None:
            if c.has_ts:
                hit = bool(p.flags & ACK) and p.tsecr is not None and p.tsecr == s[0]
            else:
                hit = bool(p.flags & ACK) and not seq_lt(p.ack, s[0])
            if hit:
                v = p.ts - s[1]
                if v >= 0:
                    # o == C2S: a client packet answered by the server: the server side
                    c.rtt[0 if o == C2S else 1].append(v)
                else:
                    self.stats["rtt-negative"] += 1
                c.sample[o] = None
                c.answered[o] = p.ts
        if answer_only:
            return
        # maybe take one from this packet
        if c.has_ts:
            # only payload, SYN or FIN starts a sample: a pure ACK's TSval is often never
            # echoed (the peer echoes TS.Recent, which the next data segment replaces), so it
            # is not even remembered
            fresh = None
            if p.tsval is not None and (p.tlen > 0 or p.flags & (SYN | FIN)):
                if p.tsval != c.last_tsval[d]:
                    fresh = p.tsval
                c.last_tsval[d] = p.tsval
        else:
            if rtx and c.sample[d] is not None:
                c.sample[d] = None          # Karn: a retransmission spoils the sample
                self.stats["rtt-karn-drop"] += 1
            fresh = (p.seq + p.tlen) % MOD32 if p.tlen > 0 and not rtx else None
        if c.sample[d] is not None and now - c.sample[d][1] > RTT_SAMPLE_MAX_AGE:
            c.sample[d] = None              # unanswered for more than 10 s
            self.stats["rtt-dropped-unanswered"] += 1
        if fresh is None or c.sample[d] is not None:
            return
        if c.answered[d] is not None and now - c.answered[d] < self.cfg.rtt_interval_ns:
            return
        c.sample[d] = (fresh, p.ts)


TSHARK_RTX_FLAGS = ("retransmission", "fast_retransmission", "spurious_retransmission",
                    "keep_alive", "zero_window_probe", "out_of_order")
# tshark's flags compared with the loss counters, by the model's event name
TSHARK_LOSS_FLAGS = (("seq_gap", "lost_segment"), ("dup_ack", "duplicate_ack"),
                     ("zero_window", "zero_window"))
# every tcp.analysis flag the checks read (the others only explain differences)
TSHARK_FLAGS = TSHARK_RTX_FLAGS + tuple(fl for _, fl in TSHARK_LOSS_FLAGS) + (
    "keep_alive_ack", "zero_window_probe_ack", "window_update")


def tshark_flags(path, res, tshark="tshark"):
    """{frame: set of tshark's tcp.analysis flags (TSHARK_FLAGS) on it}, read once per
    capture (one pass, as the model reads it) and kept in res."""
    if getattr(res, "tshark_flags", None) is None:
        cmd = [tshark, "-r", path, "-n", "-T", "fields", "-E", "separator=/t", "-E",
               "occurrence=f"] + TSHARK_OPTS + ["-e", "frame.number"]
        for fl in TSHARK_FLAGS:
            cmd += ["-e", "tcp.analysis." + fl]
        cmd += ["-Y", " || ".join("tcp.analysis." + fl for fl in TSHARK_FLAGS)]
        out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             universal_newlines=True, check=True).stdout
        flags = {}
        for line in out.splitlines():
            c = (line.split("\t") + [""] * len(TSHARK_FLAGS))[:1 + len(TSHARK_FLAGS)]
            flags[int(c[0])] = {fl for fl, v in zip(TSHARK_FLAGS, c[1:]) if v}
        res.tshark_flags = flags
    return res.tshark_flags


def _conn_tag(c):
    return "%s:%d -> %s:%d (first frame %d)" % (c.client[0], c.client[1], c.server[0],
                                                c.server[1], c.first_frame)


def _refused_probe_resent(c, fr, d, flags):
    """The segment of frame `fr` starts at the byte of an earlier zero-window probe of its
    direction (a probe the receiver refused, whose byte is sent again with the data that
    follows once the window opens)."""
    seq = c.loss.get(fr, (None, None, {}))[2].get("seq")
    return seq is not None and any(
        f < fr and dd == d and "zero_window_probe" in flags.get(f, ()) and
        facts.get("seq") == seq for f, (dd, _, facts) in c.loss.items())


def check_retrans(path, res, tshark="tshark"):
    """Compare, frame by frame, the retransmissions the model counts on tracked connections with
    tshark's tcp.analysis.retransmission / fast_retransmission / spurious_retransmission.
    Returns (per-connection summaries, differences): a summary is (record tag, model c2s, s2c,
    tshark c2s, s2c); a difference (tag, frame, direction, model's view, tshark's flags, why):
    `why` names a known difference between the contract and tshark (not an error), else None.
    Known differences:
      * tshark calls a segment below its highest sequence number out-of-order when it comes
        within its out-of-order threshold (the initial RTT) of the highest one: the contract
        counts it;
      * a zero-window probe does not advance tshark's next sequence number, so the probe's
        byte sent again after the window opens (the receiver refused it) is new data for
        tshark; for the contract it lies below the highest sequence seen: a retransmission."""
    ct = res.tracker
    flags = tshark_flags(path, res, tshark)
    summaries, diffs = [], []
    for c in ct.closed:
        tag = _conn_tag(c)
        theirs = [0, 0]
        for fr, (d, what) in sorted(c.frames.items()):
            tf = flags.get(fr, set())
            t_rtx = bool(tf & {"retransmission", "fast_retransmission",
                               "spurious_retransmission"})
            m_rtx = what == "retransmission"
            theirs[d] += t_rtx
            if t_rtx != m_rtx:
                why = None
                if what == "syn-retransmission":
                    why = "a SYN or SYN-ACK sent again: the contract counts it in the " \
                          "handshake's syn_retransmits / synack_retransmits, never in the " \
                          "connection's retransmits (data segments only)"
                elif m_rtx and "out_of_order" in tf:
                    why = "tshark calls a segment below the highest sequence sent within its " \
                          "out-of-order threshold out-of-order; the contract counts it"
                elif m_rtx and not tf and _refused_probe_resent(c, fr, d, flags):
                    why = "the byte of a refused zero-window probe sent again: tshark does " \
                          "not advance its next sequence number for a probe (new data for " \
                          "tshark), the contract counts data below the highest sequence seen"
                diffs.append((tag, fr, DIR_NAME[d], what or "-", ",".join(sorted(tf)) or "-",
                              why))
        summaries.append((tag, c.retrans[0], c.retrans[1], theirs[0], theirs[1]))
    return summaries, diffs


def _loss_why(kind, mine, c, fr, d, facts, tf, flags):
    """Why the model (`mine`: it counts `kind` on frame fr, tshark does not; else the other way
    round) and tshark's flag differ on a frame where both follow their own, documented
    definition; None when nothing explains it (an error)."""
    if not facts.get("bookkeeping"):
        return None         # a RST or SYN: neither counts anything there
    if kind == "seq_gap":
        if mine:
            if facts["high"] == 0:
                return "tshark takes a next sequence number of 0 for 'unknown' and tests nothing"
            return None
        if facts["tlen"] == 0:
            return "no payload: tshark also flags a pure ACK or a FIN that starts beyond its " \
                   "next sequence number, the contract counts data segments only"
        if facts["high"] is None:
            return "the direction's first segment on the tracked connection: tshark's next " \
                   "sequence number comes from a packet before tracking started"
        if not seq_lt(facts["high"], facts["seq"]) and any(
                f < fr and dd == d and "zero_window_probe" in flags.get(f, ())
                for f, (dd, _, _) in c.loss.items()):
            return "after a zero-window probe: tshark does not advance its next sequence " \
                   "number for the probe's byte, the contract's highest sequence includes it"
        return None
    if kind == "dup_ack":
        ref = facts["ref"]
        if mine:
            if facts["win"] == 0:
                return "the window stays 0: tshark requires a non-zero window for a " \
                       "duplicate ACK (it calls an answer to a probe a zero-window-probe ACK)"
            if tf & {"keep_alive", "keep_alive_ack"}:
                return "tshark calls it a keep-alive (%s), not a duplicate ACK" % ",".join(
                    sorted(tf & {"keep_alive", "keep_alive_ack"}))
            if facts["high"] is not None and facts["seq"] != facts["high"]:
                return "its sequence number is not the direction's next one (data was lost " \
                       "before it): tshark requires seq == its next sequence number"
            if ref is not None and ref[2] != facts["prev_frame"]:
                return "tshark compares with the direction's previous segment of any kind " \
                       "(frame %s), the contract with its previous ACK-bearing one on the " \
                       "bookkeeping (frame %d)" % (facts["prev_frame"], ref[2])
            return None
        if ref is None:
            return "the direction's first ACK on the tracked connection has no reference; " \
                   "tshark compares it with an earlier segment (the SYN-ACK, or one before " \
                   "tracking started)"
        if ref[2] != facts["prev_frame"]:
            return "tshark compares with the direction's previous segment of any kind " \
                   "(frame %s), the contract with its previous ACK-bearing one on the " \
                   "bookkeeping (frame %d)" % (facts["prev_frame"], ref[2])
        return None
    # zero_window
    if mine:
        if facts["fin"]:
            return "tshark never flags a FIN (nor a SYN or RST) as a zero window"
        if "zero_window_probe" in tf:
            return "tshark skips the zero-window test on a zero-window probe"
        return None
    if facts["state"] == WIN_ZERO:
        return "the window stays 0: tshark flags every zero-window segment, the contract " \
               "the first after a non-zero window"
    if facts["state"] == WIN_UNKNOWN:
        return "the first window field of the direction on a mid-stream connection: no " \
               "non-zero window before it"
    return None


def check_loss(path, res, tshark="tshark"):
    """Compare, frame by frame on tracked connections, the loss events of the model with
    tshark's flags: a sequence gap with tcp.analysis.lost_segment (tshark sets it on the segment
    after the hole, the one starting beyond its next expected sequence number, as the contract
    counts it), a duplicate ACK with tcp.analysis.duplicate_ack, a zero window with
    tcp.analysis.zero_window. Returns (summaries, differences) like check_retrans: a summary is
    (tag, {event: (model c2s, s2c, tshark c2s, s2c)}); a difference (tag, frame, direction,
    event, model's view, tshark's flags, why). Known differences (`why`, see _loss_why): tshark
    flags every zero-window segment (the contract the first after a non-zero one) but never a
    FIN or a probe; its duplicate ACK needs a non-zero window, seq == its next sequence number
    and no keep-alive, and compares with the previous segment of any kind (the SYN-ACK and
    packets before tracking included); its lost segment is any segment (data or not) beyond its
    next sequence number, which a zero-window probe does not advance and which may come from a
    packet before tracking started. SACK plays no part in either definition."""
    ct = res.tracker
    flags = tshark_flags(path, res, tshark)
    summaries, diffs = [], []
    for c in ct.closed:
        tag = _conn_tag(c)
        tot = {k: [0, 0, 0, 0] for k, _ in TSHARK_LOSS_FLAGS}
        for fr, (d, events, facts) in sorted(c.loss.items()):
            tf = flags.get(fr, set())
            for kind, tflag in TSHARK_LOSS_FLAGS:
                mine, theirs = kind in events, tflag in tf
                tot[kind][d] += mine
                tot[kind][2 + d] += theirs
                if mine != theirs:
                    why = _loss_why(kind, mine, c, fr, d, facts, tf, flags)
                    diffs.append((tag, fr, DIR_NAME[d], kind, kind if mine else "-",
                                  ",".join(sorted(tf)) or "-", why))
        # the per-frame events add up to the record's counters
        assert tot["seq_gap"][:2] == c.seq_gaps and tot["dup_ack"][:2] == c.dup_acks and \
            tot["zero_window"][:2] == c.zero_windows, (tag, tot)
        summaries.append((tag, {k: tuple(v) for k, v in tot.items()}))
    return summaries, diffs


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


# =============================================================================================
# DNS model (DESIGN.md "Measurement semantics", the DNS bullets; "Records": dns, dns_timeout)
#
# The DNS part reads the capture itself (pcap / pcapng parsed here, timestamps taken from the
# record headers as exact integers of ns; no floats anywhere) and decodes the frames by hand,
# so tshark's TCP reassembly cannot get in the way. tshark is used only to cross-check
# latencies (--check-dns).
# =============================================================================================

DNS_TIMEOUT_DEFAULT = 5 * NS
DNS_COUNT_KEYS = ("dns_answered", "dns_timeout", "dns_unreachable", "dns_unsolicited",
                  "dns_duplicate", "dns_mismatch", "dns_late", "dns_query_retransmits",
                  "dns_skipped")
DNS_QTYPE_NAMES = {1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT",
                   28: "AAAA", 33: "SRV", 64: "SVCB", 65: "HTTPS", 255: "ANY"}
# the other IANA names: records only (metric labels keep the set above and "other")
DNS_QTYPE_NAMES.update({3: "MD", 4: "MF", 7: "MB", 8: "MG", 9: "MR", 10: "NULL", 11: "WKS", 13: "HINFO", 14: "MINFO", 17: "RP", 18: "AFSDB", 19: "X25", 20: "ISDN", 21: "RT", 22: "NSAP", 23: "NSAP-PTR", 24: "SIG", 25: "KEY", 26: "PX", 27: "GPOS", 29: "LOC", 30: "NXT", 31: "EID", 32: "NIMLOC", 34: "ATMA", 35: "NAPTR", 36: "KX", 37: "CERT", 38: "A6", 39: "DNAME", 40: "SINK", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP", 45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA", 55: "HIP", 56: "NINFO", 57: "RKEY", 58: "TALINK", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 99: "SPF", 100: "UINFO", 101: "UID", 102: "GID", 103: "UNSPEC", 104: "NID", 105: "L32", 106: "L64", 107: "LP", 108: "EUI48", 109: "EUI64", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR", 253: "MAILB", 254: "MAILA", 256: "URI", 257: "CAA", 258: "AVC", 259: "DOA", 260: "AMTRELAY", 32768: "TA", 32769: "DLV"})
DNS_RCODE_NAMES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP",
                   5: "REFUSED", 6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH",
                   10: "NOTZONE", 11: "DSOTYPENI"}
VLAN_TPIDS = (0x8100, 0x88A8)
MAX_VLAN_TAGS = 8
MAX_NAME_WIRE = 255          # RFC 1035: a name is at most 255 octets on the wire
MAX_MSGS_PER_SEGMENT = 32    # wirelat's bound; more in one segment is reported (stats)


class CaptureError(Exception):
    pass


def _tsconv(ticks, units, offset_s):
    """pcapng timestamp ticks at `units` per second -> ns (truncated, like libpcap)."""
    sec, frac = divmod(ticks, units)
    return (sec + offset_s) * NS + frac * NS // units


def read_capture(path):
    """Yield (frame number, ts_ns, linktype, captured bytes, wire length) for every packet of a
    pcap (either byte order, us or ns) or pcapng file (several interfaces, if_tsresol,
    if_tsoffset). Frame numbers count packets from 1 as tshark does."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 4:
        raise CaptureError("%s: too short for a capture file" % path)
    magic = data[:4]
    pcap_magics = {b"\xd4\xc3\xb2\xa1": ("<", 1000), b"\xa1\xb2\xc3\xd4": (">", 1000),
                   b"\x4d\x3c\xb2\xa1": ("<", 1), b"\xa1\xb2\x3c\x4d": (">", 1)}
    if magic in pcap_magics:
        e, mult = pcap_magics[magic]
        if len(data) < 24:
            raise CaptureError("%s: truncated pcap header" % path)
        linktype = struct.unpack(e + "I", data[20:24])[0] & 0x03FFFFFF
        off, n = 24, 0
        while off + 16 <= len(data):
            sec, sub, caplen, wirelen = struct.unpack(e + "IIII", data[off:off + 16])
            off += 16
            pkt = data[off:off + caplen]
            off += caplen
            n += 1
            yield n, sec * NS + sub * mult, linktype, pkt, wirelen
        return
    if magic != b"\x0a\x0d\x0d\x0a":
        raise CaptureError("%s: not a pcap or pcapng file" % path)
    off, n, e, ifaces = 0, 0, "<", []
    while off + 12 <= len(data):
        if data[off:off + 4] == b"\x0a\x0d\x0d\x0a":
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        btype, blen = struct.unpack(e + "II", data[off:off + 8])
        if blen < 12 or off + blen > len(data):
            break
        body = data[off + 8:off + blen - 4]
        off += blen
        if btype == 1:                                   # interface description
            lt = struct.unpack(e + "H", body[:2])[0]
            units, tsoff = 10 ** 6, 0
            o = 8
            while o + 4 <= len(body):
                code, olen = struct.unpack(e + "HH", body[o:o + 4])
                val = body[o + 4:o + 4 + olen]
                o += 4 + (olen + 3) // 4 * 4
                if code == 0:
                    break
                if code == 9 and olen >= 1:
                    v = val[0]
                    units = 2 ** (v & 0x7F) if v & 0x80 else 10 ** v
                elif code == 14 and olen == 8:
                    tsoff = struct.unpack(e + "q", val)[0]
            ifaces.append((lt, units, tsoff))
        elif btype == 6:                                 # enhanced packet
            ifid, hi, lo, caplen, wirelen = struct.unpack(e + "IIIII", body[:20])
            n += 1
            if ifid >= len(ifaces):
                continue
            lt, units, tsoff = ifaces[ifid]
            yield n, _tsconv((hi << 32) | lo, units, tsoff), lt, body[20:20 + caplen], wirelen
        elif btype == 2:                                 # obsolete packet block
            ifid, _, hi, lo, caplen, wirelen = struct.unpack(e + "HHIIII", body[:20])
            n += 1
            if ifid >= len(ifaces):
                continue
            lt, units, tsoff = ifaces[ifid]
            yield n, _tsconv((hi << 32) | lo, units, tsoff), lt, body[20:20 + caplen], wirelen
        elif btype == 3:                                 # simple packet: no timestamp
            n += 1


class L4:
    """A decoded packet: kind 'udp' / 'tcp' / 'icmp', addresses, ports, payload."""
    __slots__ = ("kind", "family", "src", "dst", "sport", "dport", "payload", "wire_len",
                 "flags", "seq", "icmp")


def _ip_addr(b):
    return ipaddress.ip_address(bytes(b))


def decode_frame(linktype, b, wirelen, stats):
    """Decode link, IP and L4 headers the way wirelat parses them. Returns an L4 or None
    (the reason counted in stats). Lengths are checked against the wire length; a header cut
    by the snaplen is `truncated`."""
    cap = len(b)

    def skip(reason):
        stats[reason] += 1
        return None

    if linktype == 1:
        if cap < 14:
            return skip("truncated" if wirelen >= 14 else "malformed-link")
        et, off = struct.unpack("!H", b[12:14])[0], 14
    elif linktype == 113:
        if cap < 16:
            return skip("truncated" if wirelen >= 16 else "malformed-link")
        et, off = struct.unpack("!H", b[14:16])[0], 16
    elif linktype == 276:
        if cap < 20:
            return skip("truncated" if wirelen >= 20 else "malformed-link")
        et, off = struct.unpack("!H", b[0:2])[0], 20
    elif linktype in (101, 228, 229):
        if cap < 1:
            return skip("malformed-link")
        v = b[0] >> 4
        if linktype == 228 or (linktype == 101 and v == 4):
            et = 0x0800
        elif linktype == 229 or (linktype == 101 and v == 6):
            et = 0x86DD
        else:
            return skip("other")
        off = 0
    else:
        return skip("unsupported-linktype")
    if linktype in (1, 113, 276):
        tags = 0
        while et in VLAN_TPIDS:
            tags += 1
            if tags > MAX_VLAN_TAGS:
                return skip("malformed-vlan")
            if cap < off + 4:
                return skip("truncated" if wirelen >= off + 4 else "malformed-vlan")
            et = struct.unpack("!H", b[off + 2:off + 4])[0]
            off += 4
    p = L4()
    if et == 0x0800:
        if cap < off + 20:
            return skip("truncated" if wirelen >= off + 20 else "malformed-ip")
        if b[off] >> 4 != 4:
            return skip("malformed-ip")
        ihl = (b[off] & 0x0F) * 4
        tot = struct.unpack("!H", b[off + 2:off + 4])[0]
        if ihl < 20 or tot < ihl or off + tot > wirelen:
            return skip("malformed-ip")
        if cap < off + ihl:
            return skip("truncated")
        frag = struct.unpack("!H", b[off + 6:off + 8])[0]
        if frag & 0x1FFF:
            return skip("fragment")
        if frag & 0x2000:
            stats["first-fragment"] += 1     # handled on its own (UDP: length check fails)
        proto = b[off + 9]
        p.family = 4
        p.src, p.dst = _ip_addr(b[off + 12:off + 16]), _ip_addr(b[off + 16:off + 20])
        l4off, l4end = off + ihl, off + tot
    elif et == 0x86DD:
        if cap < off + 40:
            return skip("truncated" if wirelen >= off + 40 else "malformed-ip")
        if b[off] >> 4 != 6:
            return skip("malformed-ip")
        plen = struct.unpack("!H", b[off + 4:off + 6])[0]
        if plen == 0 or off + 40 + plen > wirelen:
            return skip("malformed-ip")
        proto = b[off + 6]
        p.family = 6
        p.src, p.dst = _ip_addr(b[off + 8:off + 24]), _ip_addr(b[off + 24:off + 40])
        o, end, n_ext = off + 40, off + 40 + plen, 0
        while proto in (0, 43, 60, 44):
            n_ext += 1
            if n_ext > MAX_IPV6_EXT:
                return skip("malformed-ipv6-ext")
            if o + 8 > end:
                return skip("malformed-ipv6-ext")
            if cap < o + 8:
                return skip("truncated")
            if proto == 44:
                if struct.unpack("!H", b[o + 2:o + 4])[0] >> 3:
                    return skip("fragment")
                if b[o + 3] & 1:
                    stats["first-fragment"] += 1
                proto, o = b[o], o + 8
            else:
                proto, o = b[o], o + (b[o + 1] + 1) * 8
        if o > end:
            return skip("malformed-ipv6-ext")
        l4off, l4end = o, end
    else:
        return skip("other")
    l4wire = l4end - l4off
    if proto == 17:
        if l4wire < 8:
            return skip("malformed-udp")
        if cap < l4off + 8:
            return skip("truncated")
        ulen = struct.unpack("!H", b[l4off + 4:l4off + 6])[0]
        if ulen < 8 or ulen > l4wire:
            return skip("malformed-udp")
        p.kind = "udp"
        p.sport, p.dport = struct.unpack("!HH", b[l4off:l4off + 4])
        p.payload = b[l4off + 8:min(cap, l4off + ulen)]
        p.wire_len = ulen - 8
        return p
    if proto == 6:
        if l4wire < 20:
            return skip("malformed-tcp")
        if cap < l4off + 20:
            return skip("truncated")
        doff = (b[l4off + 12] >> 4) * 4
        if doff < 20 or doff > l4wire:
            return skip("malformed-tcp")
        if cap < l4off + doff:
            return skip("truncated")
        p.kind = "tcp"
        p.sport, p.dport, p.seq = struct.unpack("!HHI", b[l4off:l4off + 8])
        p.flags = b[l4off + 13]
        p.payload = b[l4off + doff:min(cap, l4end)]
        p.wire_len = l4wire - doff
        return p
    if (proto == 1 and p.family == 4) or (proto == 58 and p.family == 6):
        p.kind = "icmp"
        p.payload = b[l4off:min(cap, l4end)]
        p.icmp = proto
        return p
    return skip("other-l4")


def parse_icmp_quote(p, ports):
    """(client ip, client port, server ip, server port, DNS ID, question) of the UDP datagram
    to a DNS port quoted by an ICMP type 3 / ICMPv6 type 1 error, else None; the ID is None
    where the quote ends before it (RFC 792: 8 bytes of the UDP header), the question (qname
    labels, qtype) None where the quote does not hold a query's whole question."""
    q = p.payload
    if len(q) < 8:
        return None
    if p.icmp == 1:
        if q[0] != 3:
            return None
        ip = q[8:]
        if len(ip) < 20 or ip[0] >> 4 != 4:
            return None
        ihl = (ip[0] & 0x0F) * 4
        if ihl < 20 or ip[9] != 17 or len(ip) < ihl + 8:
            return None
        src, dst = _ip_addr(ip[12:16]), _ip_addr(ip[16:20])
        u = ip[ihl:]
    else:
        if q[0] != 1:
            return None
        ip = q[8:]
        if len(ip) < 40 or ip[0] >> 4 != 6:
            return None
        src, dst = _ip_addr(ip[8:24]), _ip_addr(ip[24:40])
        nh, o, n_ext = ip[6], 40, 0
        while nh in (0, 43, 60, 44):
            n_ext += 1
            if n_ext > MAX_IPV6_EXT or len(ip) < o + 8:
                return None
            if nh == 44:
                nh, o = ip[o], o + 8
            else:
                nh, o = ip[o], o + (ip[o + 1] + 1) * 8
        if nh != 17 or len(ip) < o + 8:
            return None
        u = ip[o:]
    sport, dport = struct.unpack("!HH", u[:4])
    if dport not in ports:
        return None
    ident = struct.unpack("!H", u[8:10])[0] if len(u) >= 10 else None
    status, m = parse_dns(u[8:], len(u) - 8)
    question = (m.qname, m.qtype) if status == "ok" and not m.qr else None
    return src, sport, dst, dport, ident, question


class DnsMsg:
    __slots__ = ("id", "qr", "tc", "rcode", "ancount", "qname", "qtype")


def parse_dns(buf, msg_len):
    """Header and first question of a DNS message of `msg_len` bytes of which `buf` (from its
    start) is at hand. Returns ('ok', DnsMsg), ('malformed', why) or ('split', why) when the
    header or question runs past `buf` but not past msg_len."""
    avail = min(len(buf), msg_len)

    def lack(n):
        if n > msg_len:
            return ("malformed", "shorter-than-question" if n > 12 else "shorter-than-header")
        if n > avail:
            return ("split", "header" if n <= 12 else "question")
        return None

    r = lack(12)
    if r:
        return r
    m = DnsMsg()
    m.id, flags, qd, m.ancount = struct.unpack("!HHHH", buf[:8])
    m.qr = bool(flags & 0x8000)
    m.tc = bool(flags & 0x0200)
    m.rcode = flags & 0x000F
    if qd == 0:
        return ("malformed", "qdcount-0")
    o, wire, labels = 12, 0, []
    while True:
        r = lack(o + 1)
        if r:
            return r
        ln = buf[o]
        if ln & 0xC0 == 0xC0:
            return ("malformed", "compression-pointer")
        if ln > 63:
            return ("malformed", "label-too-long")
        wire += 1 + ln
        if wire > MAX_NAME_WIRE:
            return ("malformed", "name-too-long")
        if ln == 0:
            o += 1
            break
        r = lack(o + 1 + ln)
        if r:
            return r
        labels.append(bytes(buf[o + 1:o + 1 + ln]))
        o += 1 + ln
    r = lack(o + 4)
    if r:
        return r
    m.qtype = struct.unpack("!H", buf[o:o + 2])[0]
    m.qname = tuple(labels)
    return ("ok", m)


def qname_presentation(labels):
    """Labels (raw bytes) -> wirelat's `qname`: no trailing dot, the root '.', bytes outside
    0x20..0x7e and '.' or '\\' inside a label as \\DDD."""
    if not labels:
        return "."
    return ".".join("".join("\\%03d" % c if (c < 0x20 or c > 0x7E or c in (0x2E, 0x5C))
                            else chr(c) for c in lab) for lab in labels)


def qtype_value(t):
    return DNS_QTYPE_NAMES.get(t, t)


def rcode_value(r):
    return DNS_RCODE_NAMES.get(r, r)


D_PENDING, D_ANSWERED, D_TIMED_OUT = "PENDING", "ANSWERED", "TIMED_OUT"


class DEntry:
    __slots__ = ("state", "question", "first", "last", "retransmits", "answered_ts",
                 "deadline", "gen", "family", "first_frame", "first_whole", "mismatched",
                 "replaced")


class TStream:
    """DNS-over-TCP framing state of one direction of one connection."""
    __slots__ = ("nxt", "sync", "skip", "want", "half")

    def __init__(self, nxt=None):
        self.nxt = nxt           # next expected sequence number (None: unknown)
        self.sync = nxt is not None
        self.skip = 0            # bytes of a message still to come (not parsed)
        self.want = None         # a prefix ended the last segment: length of the next message
        self.half = None         # one byte of a prefix ended the last segment

    def lose(self):
        self.sync = False
        self.skip = 0
        self.want = None
        self.half = None


class DnsResult:
    def __init__(self):
        self.records = []
        self.counts = Counter({k: 0 for k in DNS_COUNT_KEYS})
        self.stats = Counter()
        self.check = []          # (record, response frame, comparable, why not)
        self.problems = []       # --check-dns disagreements
        self.notes = []          # informational differences with tshark
        self.checked = 0
        self.outcome = {}        # (frame, DNS ID) of each response message -> what it was


def analyze_dns(path, timeout_ns=DNS_TIMEOUT_DEFAULT, ports=(53,)):
    """The `dns` / `dns_timeout` records and dns_ counts wirelat must produce for `path`."""
    res = DnsResult()
    T = timeout_ns
    ports = frozenset(ports)
    # (client ip, client port, server ip, server port, proto, id, question) -> DEntry
    table = {}
    kept = {}           # (client ip, ..., proto, id) -> the questions of its entries
    heap = []
    seqno = [0, 0]      # heap sequence, entry generation
    streams = {}        # (src, sport, dst, dport) -> TStream
    unanswered = set()  # keys that had a transaction end unanswered (for the tshark check)
    end = None          # the highest timestamp so far (for the end of the file)
    stats = res.stats

    def schedule(key, e, t):
        seqno[0] += 1
        seqno[1] += 1
        e.gen = seqno[1]
        heapq.heappush(heap, (t, seqno[0], key, e.gen))

    def base(key, e, typ, ts):
        return {"type": typ, "ts_ns": ts, "family": e.family, "client_ip": str(key[0]),
                "client_port": key[1], "server_ip": str(key[2]), "server_port": key[3]}

    def timeout_rec(key, e, reason, ts):
        unanswered.add(key[:6])
        r = base(key, e, "dns_timeout", ts)
        r.update(reason=reason, proto=key[4], id=key[5], qname=qname_presentation(e.question[0]),
                 qtype=qtype_value(e.question[1]), query_retransmits=e.retransmits,
                 elapsed_ns=ts - e.first)
        res.records.append(r)
        if reason != "eof":     # the capture ended first: not counted
            res.counts["dns_timeout" if reason == "timeout" else "dns_unreachable"] += 1

    def drop(key):
        del table[key]
        kept[key[:6]].discard(key[6])
        if not kept[key[:6]]:
            del kept[key[:6]]

    def expire(now):
        while heap and heap[0][0] < now:
            t, _, key, gen = heapq.heappop(heap)
            e = table.get(key)
            if e is None or e.gen != gen:
                continue
            if e.state == D_PENDING:
                e.deadline = e.last + T
                timeout_rec(key, e, "timeout", e.deadline)
                e.state = D_TIMED_OUT
                schedule(key, e, e.deadline + T)
            else:
                drop(key)

    def on_query(key, family, m, ts, frame, whole):
        q = (m.qname, m.qtype)
        others = kept.get(key, set()) - {q}
        key = key + (q,)
        e = table.get(key)
        if e is not None and e.state == D_PENDING:
            e.retransmits += 1
            e.last = ts
            res.counts["dns_query_retransmits"] += 1
            schedule(key, e, e.last + T)
            return
        if others:
            # tshark pairs by ID: one of the two gets its response, the other none
            replaced = "beside another question"
            for o in others:
                table[key[:6] + (o,)].replaced = replaced
        elif key[:6] in unanswered:
            replaced = "timed out"
        else:
            replaced = None
        e = DEntry()
        e.state = D_PENDING
        e.question = q
        e.first = e.last = ts
        e.retransmits = 0
        e.answered_ts = e.deadline = None
        e.family = family
        e.first_frame = frame
        e.first_whole = whole
        e.mismatched = False
        e.replaced = replaced
        table[key] = e
        kept.setdefault(key[:6], set()).add(q)
        schedule(key, e, ts + T)

    def on_response(key, family, m, ts, frame, whole):
        q = (m.qname, m.qtype)
        others = kept.get(key, set()) - {q}
        key = key + (q,)
        e = table.get(key)
        outcome = res.outcome
        if e is None and others:
            # a question no query of this tuple and ID asked (DESIGN.md: the question is part
            # of the match): a mismatch, whatever state the others are in
            res.counts["dns_mismatch"] += 1
            outcome[(frame, m.id)] = "mismatch"
            for o in others:
                if table[key[:6] + (o,)].state == D_PENDING:
                    table[key[:6] + (o,)].mismatched = True
        elif e is None:
            res.counts["dns_unsolicited"] += 1
            outcome[(frame, m.id)] = "unsolicited"
        elif e.state == D_PENDING:
            outcome[(frame, m.id)] = "answered"
            r = base(key, e, "dns", ts)
            r.update(proto=key[4], id=key[5], qname=qname_presentation(m.qname),
                     qtype=qtype_value(m.qtype), rcode=rcode_value(m.rcode), answers=m.ancount,
                     truncated=m.tc, latency_ns=ts - e.first, query_retransmits=e.retransmits)
            res.records.append(r)
            res.counts["dns_answered"] += 1
            why = None
            if e.retransmits:
                why = "query retransmitted"
            elif e.mismatched:
                why = "a mismatching response came first (tshark pairs that one)"
            elif e.replaced == "beside another question":
                why = "another question on this socket has the same ID (tshark may pair the " \
                      "response with that query)"
            elif e.replaced == "timed out":
                why = "an earlier query on this socket with this ID went unanswered " \
                      "(tshark may time the response from that older query)"
            elif not (whole and e.first_whole):
                why = "message continues past the segment its header is in (tshark times " \
                      "the segment that completes it)"
            res.check.append((r, frame, e.first_frame, why))
            e.state = D_ANSWERED
            e.answered_ts = ts
            schedule(key, e, ts + T)
        elif e.state == D_ANSWERED:
            res.counts["dns_duplicate"] += 1
            outcome[(frame, m.id)] = "duplicate"
        else:
            res.counts["dns_late"] += 1
            outcome[(frame, m.id)] = "late"
            drop(key)

    def on_message(p, proto, status, m, ts, frame, whole):
        if status == "split":
            res.counts["dns_skipped"] += 1
            stats["dns-split-%s" % m] += 1
            res.outcome.setdefault((frame, None), []).append("skipped (split %s)" % m)
            return
        if status == "malformed":
            stats["dns-malformed-%s" % m] += 1
            res.outcome.setdefault((frame, None), []).append("malformed (%s)" % m)
            return
        if not m.qr and p.dport in ports:
            on_query((p.src, p.sport, p.dst, p.dport, proto, m.id), p.family, m, ts, frame,
                     whole)
        elif m.qr and p.sport in ports:
            on_response((p.dst, p.dport, p.src, p.sport, proto, m.id), p.family, m, ts, frame,
                        whole)
        else:
            stats["dns-wrong-direction"] += 1

    def tcp_segment(p, ts, frame):
        d = (p.src, p.sport, p.dst, p.dport)
        if p.flags & 0x02:                          # SYN: data starts at ISN + 1
            streams[d] = TStream((p.seq + 1) % MOD32)
            return
        n = p.wire_len
        if n == 0:
            return
        st = streams.get(d)
        if st is None:
            st = streams[d] = TStream()
            stats["tcp-midstream"] += 1
        pay, seq = p.payload, p.seq
        if len(pay) < n:                            # cut by the snaplen: framing is lost
            stats["tcp-truncated-segment"] += 1
            st.lose()
            st.nxt = (seq + n) % MOD32
            return
        if st.nxt is not None:
            dlt = (seq - st.nxt) % MOD32
            if dlt >= 1 << 31:
                dlt -= MOD32
            if dlt < 0:
                if dlt + n <= 0:
                    stats["tcp-retransmission"] += 1
                    return
                stats["tcp-partial-overlap"] += 1
                pay, seq = pay[-dlt:], st.nxt
            elif dlt > 0:
                stats["tcp-gap"] += 1
                st.lose()
        st.nxt = (seq + len(pay)) % MOD32
        if not st.sync:
            if not _starts_messages(pay):
                stats["tcp-unsynced-segment"] += 1
                return
            st.sync = True
            stats["tcp-resync"] += 1
        n = len(pay)
        o = 0
        msgs = 0

        def message(o, ln):
            """Handle a message of length ln starting at o; return the offset after it."""
            avail = n - o
            if ln > avail:
                st.skip = ln - avail
            status, m = parse_dns(pay[o:o + min(ln, avail)], ln)
            on_message(p, "tcp", status, m, ts, frame, ln <= avail)
            return o + min(ln, avail)

        if st.half is not None:
            ln = (st.half << 8) | pay[0]
            st.half = None
            stats["tcp-prefix-split"] += 1
            o = 1
            if o == n:
                st.want = ln
                return
            o = message(o, ln)
            msgs += 1
        elif st.skip:
            k = min(st.skip, n)
            st.skip -= k
            o = k
        elif st.want is not None:
            ln, st.want = st.want, None
            o = message(0, ln)
            msgs += 1
        while o < n and not st.skip:
            if n - o == 1:
                st.half = pay[o]
                break
            ln = struct.unpack("!H", pay[o:o + 2])[0]
            o += 2
            if o == n:
                st.want = ln
                break
            o = message(o, ln)
            msgs += 1
        if msgs > MAX_MSGS_PER_SEGMENT:
            stats["tcp-segment-over-%d-messages" % MAX_MSGS_PER_SEGMENT] += 1

    for frame, ts, lt, b, wirelen in read_capture(path):
        # expiry by the time of the frame being processed, not the highest so far (DESIGN.md
        # "Offline input": after a jump backwards nothing opened later expires early)
        end = ts if end is None else max(end, ts)
        expire(ts)
        p = decode_frame(lt, b, wirelen, stats)
        if p is None:
            continue
        if p.kind == "icmp":
            q = parse_icmp_quote(p, ports)
            if q is None:
                continue
            # the query the quote names: by its question where quoted, else every pending one
            # of its tuple (and DNS ID, where quoted)
            ended = [k for k in table if k[:4] == q[:4] and k[4] == "udp" and
                     (q[4] is None or k[5] == q[4]) and (q[5] is None or k[6] == q[5])]
            for key in sorted(ended, key=lambda k: (k[5], table[k].first)):
                e = table[key]
                if e.state == D_PENDING:
                    timeout_rec(key, e, "unreachable", ts)
                    drop(key)
            continue
        if p.sport not in ports and p.dport not in ports:
            continue
        if p.kind == "udp":
            status, m = parse_dns(p.payload, p.wire_len)
            if status == "split":                   # cut by the snaplen
                stats["dns-truncated"] += 1
                continue
            on_message(p, "udp", status, m, ts, frame, True)
        else:
            tcp_segment(p, ts, frame)
    # end of file: what has passed its deadline by the highest timestamp of the file, then
    # `eof` (at that time) for every query still pending
    if end is not None:
        expire(end)
        for key, e in list(table.items()):
            if e.state == D_PENDING:
                timeout_rec(key, e, "eof", end)
                del table[key]
    return res


def _starts_messages(pay):
    """After lost framing, a segment is taken as starting at a message boundary when its
    length prefixes (each message at least a DNS header long) end exactly at its end."""
    o, n = 0, len(pay)
    while o < n:
        if n - o < 2:
            return False
        ln = struct.unpack("!H", pay[o:o + 2])[0]
        if ln < 12:
            return False
        o += 2 + ln
    return o == n and n > 0


def _json_pairs(pairs):
    """object_pairs_hook: keep repeated keys (tshark's JSON repeats "dns" per message)."""
    d = {}
    for k, v in pairs:
        d.setdefault(k, []).append(v)
    return d


def _first(d, k):
    v = d.get(k) if isinstance(d, dict) else None
    return v[0] if v else None


def check_dns(path, res, ports=(53,), tshark="tshark"):
    """Compare every `dns` record whose query was not retransmitted with tshark's dns.time on
    the response frame. Disagreements go to res.problems; records tshark cannot time the same
    way (see the `why` of res.check) to res.notes."""
    todo = [c for c in res.check]
    cmd = [tshark, "-r", path, "-n", "-T", "json", "-J", "frame dns"]
    for p in sorted(ports):
        if p != 53:
            cmd += ["-d", "udp.port==%d,dns" % p, "-d", "tcp.port==%d,dns" % p]
    cmd += ["-Y", "dns.flags.response == 1"]
    errf = tempfile.TemporaryFile(mode="w+")
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=errf, universal_newlines=True)
    if out.returncode != 0:
        errf.seek(0)
        raise RuntimeError("tshark failed on %s: %s" % (path, errf.read().strip()[-300:]))
    pkts = json.loads(out.stdout or "[]", object_pairs_hook=_json_pairs)
    by_frame = {}
    for pk in pkts:
        layers = _first(_first(pk, "_source"), "layers")
        fr = _first(layers, "frame")
        num = int(_first(fr, "frame.number"))
        lst = []
        for dns in layers.get("dns", []):
            ident = _first(dns, "dns.id")
            resp = _first(_first(dns, "dns.flags_tree"), "dns.flags.response")
            lst.append((int(ident, 16) if ident else None, resp == "1", _first(dns, "dns.time")))
        by_frame[num] = lst
    recorded = {(c[1], c[0]["id"]) for c in todo}
    for num in sorted(by_frame):
        for ident, resp, t in by_frame[num]:
            if not resp or t is None or (num, ident) in recorded:
                continue
            what = res.outcome.get((num, ident))
            if what is None:
                # a message tshark reassembled at this frame: the model handled it at the
                # segment that held its header (a few frames earlier)
                for f in range(num, max(0, num - 8), -1):
                    earlier = [c for c in todo if c[1] == f and c[0]["id"] == ident]
                    if earlier:
                        what = "its dns record is at frame %d, the segment with its header" % f
                        break
                    if res.outcome.get((f, None)):
                        what = "; ".join(res.outcome[(f, None)]) + " at frame %d" % f
                        break
                else:
                    what = "not a DNS message the model sees"
            res.notes.append("frame %d id %d: tshark dns.time %s, model: no dns record (%s)" %
                             (num, ident, t, what))
    for r, frame, qframe, why in todo:
        tag = "%s [%s]:%d -> [%s]:%d %s id %d %s (response frame %d, query frame %d)" % (
            r["type"], r["client_ip"], r["client_port"], r["server_ip"], r["server_port"],
            r["proto"], r["id"], r["qname"], frame, qframe)
        cands = [t for (i, resp, t) in by_frame.get(frame, []) if resp and i == r["id"]]
        times = sorted({t for t in cands if t is not None})
        theirs = parse_decimal_ns(times[0]) if len(times) == 1 else None
        if why is not None:
            if theirs is None or theirs != r["latency_ns"]:
                res.notes.append("%s: not compared (%s): model %s s, tshark dns.time %s" % (
                    tag, why, fmt_ns(r["latency_ns"]), ",".join(times) or "none"))
            continue
        res.checked += 1
        if not times:
            res.problems.append("%s: tshark gives no dns.time; model latency %s s" %
                                (tag, fmt_ns(r["latency_ns"])))
        elif len(times) > 1:
            res.problems.append("%s: tshark gives several dns.time for that ID (%s); model %s s"
                                % (tag, ",".join(times), fmt_ns(r["latency_ns"])))
        elif theirs != r["latency_ns"]:
            res.problems.append("%s: model latency %s s, tshark dns.time %s s (diff %d ns)" % (
                tag, fmt_ns(r["latency_ns"]), times[0], r["latency_ns"] - theirs))


def truth_records(path, timeout_ns=HANDSHAKE_TIMEOUT_DEFAULT, tshark="tshark"):
    """List of the handshake records wirelat must print for `path` (ts as integer `ts_ns`)."""
    return analyze(path, timeout_ns=timeout_ns, tshark=tshark).records


def dns_truth_records(path, timeout_ns=DNS_TIMEOUT_DEFAULT, ports=(53,)):
    """List of the dns / dns_timeout records wirelat must print for `path`."""
    return analyze_dns(path, timeout_ns=timeout_ns, ports=ports).records


def merge_records(tcp_records, dns_records):
    """One list in wirelat's offline order: each model's records keep their own order (the
    order their completing packets appear, timeouts at their deadline); the two are merged by
    ts_ns, handshake records first on a tie."""
    return list(heapq.merge(tcp_records, dns_records, key=lambda r: r["ts_ns"]))


def counts_line(res, dns_res=None, close=False):
    d = {"type": "_counts"}
    for r in RESULTS + HS_COUNT_KEYS:
        d[r] = res.counts[r]
    if dns_res is not None:
        for k in DNS_COUNT_KEYS:
            d[k] = dns_res.counts[k]
    if close:
        for r in CLOSE_REASONS:
            d["close_" + r] = res.tracker.counts["close_" + r]
    return d


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("--handshake-timeout", type=str, default="5",
                    help="seconds (decimal allowed) or a number with a unit, default 5")
    ap.add_argument("--dns-timeout", type=str, default="5",
                    help="seconds (decimal allowed) or a number with a unit, default 5")
    ap.add_argument("--dns-port", type=int, action="append", metavar="PORT",
                    help="a DNS port (repeat for more); default 53")
    ap.add_argument("--no-dns", action="store_true",
                    help="handshake records only (the output before the DNS model existed)")
    ap.add_argument("--check-irtt", action="store_true",
                    help="exit 1 if a completed handshake without SYN retransmission disagrees "
                         "with tshark's tcp.analysis.initial_rtt")
    ap.add_argument("--check-dns", action="store_true",
                    help="exit 1 if a dns record whose query was not retransmitted disagrees "
                         "with tshark's dns.time on its response")
    ap.add_argument("--idle-timeout", type=str, default="300",
                    help="seconds (decimal allowed) or a number with a unit, default 300")
    ap.add_argument("--rtt-interval", type=str, default="0",
                    help="seconds or a number with a unit between RTT samples, default 0")
    ap.add_argument("--no-close", action="store_true",
                    help="no tcp_close model: the records and counts printed before it existed")
    ap.add_argument("--check-retrans", action="store_true",
                    help="exit 1 if the retransmissions, sequence gaps, duplicate ACKs or zero "
                         "windows of a tracked connection differ from tshark's tcp.analysis "
                         "flags, known differences aside (the differences go to stderr)")
    ap.add_argument("--tshark", default="tshark")
    ap.add_argument("-v", "--verbose", action="store_true",
                    help="summary of skipped packets, iRTT and dns.time checks on stderr")
    a = ap.parse_args(argv)
    try:
        T = parse_duration_ns(a.handshake_timeout)
    except ValueError:
        ap.error("bad --handshake-timeout %r" % a.handshake_timeout)
    try:
        DT = parse_duration_ns(a.dns_timeout)
    except ValueError:
        ap.error("bad --dns-timeout %r" % a.dns_timeout)
    try:
        IT = parse_duration_ns(a.idle_timeout)
        RI = parse_duration_ns(a.rtt_interval)
    except ValueError:
        ap.error("bad --idle-timeout or --rtt-interval")
    close = None if a.no_close else CloseConfig(idle_ns=IT, rtt_interval_ns=RI)
    if a.no_close and a.check_retrans:
        ap.error("--check-retrans needs the tcp_close model (no --no-close)")
    ports = tuple(sorted(set(a.dns_port))) if a.dns_port else (53,)
    if any(not 0 < p < 65536 for p in ports):
        ap.error("bad --dns-port")
    dres = None
    try:
        res = analyze(a.pcap, timeout_ns=T, tshark=a.tshark, close=close)
        rtx = loss = None
        if close is not None and (a.check_retrans or a.verbose):
            rtx = check_retrans(a.pcap, res, tshark=a.tshark)
            loss = check_loss(a.pcap, res, tshark=a.tshark)
        if not a.no_dns:
            dres = analyze_dns(a.pcap, timeout_ns=DT, ports=ports)
            if a.check_dns or a.verbose:
                check_dns(a.pcap, dres, ports=ports, tshark=a.tshark)
    except (RuntimeError, OSError, CaptureError) as ex:
        print("truth.py: %s" % ex, file=sys.stderr)
        return 2
    out = sys.stdout
    records = res.records
    if close is not None:
        records = list(heapq.merge(records, res.tracker.records, key=lambda r: r["ts_ns"]))
    if dres is not None:
        records = merge_records(records, dres.records)
    for r in records:
        out.write(json.dumps(r, separators=(",", ":")) + "\n")
    out.write(json.dumps(counts_line(res, dres, close is not None), separators=(",", ":"))
              + "\n")
    out.flush()
    for m in res.irtt_problems:
        print("truth.py: %s: iRTT %s: %s" % (a.pcap, "ERROR" if a.check_irtt else "warning", m),
              file=sys.stderr)
    if dres is not None:
        for m in dres.problems:
            print("truth.py: %s: dns.time %s: %s" % (a.pcap, "ERROR" if a.check_dns
                                                      else "warning", m), file=sys.stderr)
    if a.verbose:
        for m in res.irtt_notes:
            print("truth.py: %s: iRTT note: %s" % (a.pcap, m), file=sys.stderr)
        print("truth.py: %s: %d packets used, skipped %s, %d iRTT checked, %d disagree; "
              "handshake model %s" % (
                  a.pcap, res.packets, dict(res.skipped), res.irtt_checked,
                  len(res.irtt_problems), dict(sorted(res.stats.items()))), file=sys.stderr)
        if dres is not None:
            for m in dres.notes:
                print("truth.py: %s: dns.time note: %s" % (a.pcap, m), file=sys.stderr)
            print("truth.py: %s: DNS %s; frames %s; %d dns.time checked, %d disagree, "
                  "%d not comparable" % (
                      a.pcap, {k: v for k, v in dres.counts.items() if v},
                      dict(sorted(dres.stats.items())), dres.checked, len(dres.problems),
                      len(dres.notes)), file=sys.stderr)
    if rtx is not None:
        summaries, diffs = rtx
        for tag, fr, d, mine, theirs, why in diffs:
            print("truth.py: %s: retransmission %s: %s frame %d (%s): model %s, tshark %s%s" % (
                a.pcap, "ERROR" if a.check_retrans and not why else "note", tag, fr, d, mine,
                theirs, " (known: %s)" % why if why else ""), file=sys.stderr)
        if a.verbose:
            ct = res.tracker
            print("truth.py: %s: connections %s; closes %s; %d tracked connections, "
                  "retransmissions model c2s/s2c %d/%d, tshark %d/%d, %d frames differ" % (
                      a.pcap, dict(sorted(ct.stats.items())),
                      {k: v for k, v in ct.counts.items() if v}, len(summaries),
                      sum(x[1] for x in summaries), sum(x[2] for x in summaries),
                      sum(x[3] for x in summaries), sum(x[4] for x in summaries), len(diffs)),
                  file=sys.stderr)
    if loss is not None:
        summaries, diffs = loss
        known = Counter()
        for tag, fr, d, kind, mine, theirs, why in diffs:
            if why and not a.verbose:
                known[(kind, why)] += 1
                continue
            print("truth.py: %s: %s %s: %s frame %d (%s): model %s, tshark %s%s" % (
                a.pcap, kind.replace("_", " "), "ERROR" if a.check_retrans and not why
                else "note", tag, fr, d, mine, theirs, " (known: %s)" % why if why else ""),
                file=sys.stderr)
        for (kind, why), n in sorted(known.items()):
            # without -v, one line per known difference (-v lists every frame)
            print("truth.py: %s: %s note: %d frame%s differ%s from tshark (known: %s)" % (
                a.pcap, kind.replace("_", " "), n, "s" if n > 1 else "", "" if n > 1 else "s",
                why), file=sys.stderr)
        if a.verbose:
            tot = {k: [sum(x[1][k][i] for x in summaries) for i in range(4)]
                   for k, _ in TSHARK_LOSS_FLAGS}
            print("truth.py: %s: loss on %d tracked connections, model c2s/s2c vs tshark "
                  "c2s/s2c: %s; %d frames differ (%d unexplained)" % (
                      a.pcap, len(summaries), ", ".join(
                          "%s %d/%d vs %d/%d" % ((k,) + tuple(v)) for k, v in tot.items()),
                      len(diffs), sum(1 for x in diffs if not x[6])), file=sys.stderr)
    if a.check_irtt and res.irtt_problems:
        return 1
    if a.check_retrans and rtx is not None and any(not x[5] for x in rtx[1]):
        return 1
    if a.check_retrans and loss is not None and any(not x[6] for x in loss[1]):
        return 1
    if a.check_dns and dres is not None and dres.problems:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
