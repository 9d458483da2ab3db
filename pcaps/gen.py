#!/usr/bin/python3
"""Generate the synthetic test captures of wirelat (see pcaps/README.md).

Usage:
    /usr/bin/python3 pcaps/gen.py [OUTDIR]         write the captures (default: this directory)
    /usr/bin/python3 pcaps/gen.py --expected       print the expected outcomes as JSON on stdout
                                                   (nothing is written)

Needs Debian's python3-scapy (tested with 2.5.0).  The output is deterministic: fixed base time,
fixed seeds, fixed ISNs and ports; two runs give byte-identical files.

Every time in this script is an integer number of nanoseconds.  Times are handed to scapy's
PcapWriter as integer (sec, sub-second) pairs: scapy 2.5 turns pkt.time into a float for the
seconds field, and a time such as 1700000000.999999999 then gets written as 1700000001 s
+ 999999999 ns (a whole second off).  Microsecond files only ever use whole microseconds.

Addresses: clients 198.51.100.0/24 and 2001:db8:100::/48, servers 203.0.113.0/24 and
2001:db8:200::/48, router 203.0.113.1.  MACs are locally administered.

The dns-*.pcap files build their DNS messages byte by byte (dns_msg; no scapy DNS layer); their
expected records (`dns`, `dns_timeout`) and DNS counts are part of --expected ("dns_counts").

Expectations follow DESIGN.md as of the 5 s default --handshake-timeout, the backoff-aware
deadline (syn_deadline), challenge ACKs ("challenge_acks" in --expected where not 0) and the
continuous-RTT rule where only payload, SYN or FIN starts a sample (TConn), and the loss fields
of tcp_close (DESIGN.md "Loss, located": segments, sequence gaps, duplicate ACKs, zero windows;
TConn._loss), which tcp-loss.pcap exercises. tcp-merged.pcap is written in two parts
(Capture.part), the first dated one day after the second, as files merged end to end.
"""

import datetime
import json
import math
import os
import random
import struct
import sys
from collections import Counter, OrderedDict

from scapy.all import (ARP, GRE, ICMP, IP, TCP, UDP, ICMPv6DestUnreach, IPv6,
                       IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrSegmentRouting, PadN, PcapWriter, Raw,
                       RouterAlert, raw)

NS = 1
US = 1000
MS = 1000 * US
S = 1000 * MS
BASE = 1700000000 * S          # 2023-11-14T22:13:20Z
HANDSHAKE_TIMEOUT = 5 * S      # wirelat's default --handshake-timeout


def syn_deadline(syn_times, timeout=HANDSHAKE_TIMEOUT):
    """When an unanswered attempt times out (DESIGN.md "Deadline"): the latest SYN + max(the
    timeout, 2.5 x the gap between the last two SYNs); with one SYN the gap term is 0."""
    gap = syn_times[-1] - syn_times[-2] if len(syn_times) > 1 else 0
    return syn_times[-1] + max(timeout, gap * 5 // 2)

ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_ARP = 0x0806
ETH_MPLS = 0x8847
TPID_8021Q = 0x8100
TPID_8021AD = 0x88A8

NH_HBH, NH_TCP, NH_UDP, NH_ROUTING, NH_FRAG, NH_ICMPV6, NH_DSTOPT = 0, 6, 17, 43, 44, 58, 60


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(':'))


def eth_header(src, dst, ethertype, tags=()):
    """Ethernet header, optionally with stacked VLAN tags [(tpid, vid, pcp), ...] outermost first."""
    h = mac_bytes(dst) + mac_bytes(src)
    for tpid, vid, pcp in tags:
        h += struct.pack('!HH', tpid, (pcp << 13) | vid)
    return h + struct.pack('!H', ethertype)


def fmt_ns(ns):
    """Absolute time in ns -> RFC 3339 UTC with six fractional digits, truncated (wirelat's `ts`)."""
    sec, frac = divmod(ns, S)
    d = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    return d.strftime('%Y-%m-%dT%H:%M:%S') + '.%06dZ' % (frac // US)


# --------------------------------------------------------------------------------------------
# Capture: a list of frames with times, written sorted by time (stable), plus expectations.
# --------------------------------------------------------------------------------------------

class Capture:
    def __init__(self, name, nano, seed, start=BASE):
        self.name = name
        self.nano = nano
        self.rng = random.Random(seed)
        self.start = start
        self.frames = []           # (t, insertion index, bytes, wirelen, note)
        self.records = []          # expected records (dicts)
        self.results = Counter()   # expected wirelat_tcp_handshakes_total{result}
        self.dns = Counter()       # expected DNS counts (dns_answered, dns_timeout, ...)
        self.gaps = set()          # every server- and client-side gap used in this file
        self.notes = []
        self.closes = Counter()    # expected tcp_close records by reason (lifecycle files)
        self.options = None        # wirelat options the expected records assume (if any)
        self.challenge_acks = 0    # expected wirelat_tcp_challenge_acks_total
        self.part = 0              # frames are written part by part, by time within a part

    # time helpers ------------------------------------------------------------------------
    def dur(self, lo_ns, hi_ns):
        """A random duration in [lo, hi]; whole microseconds in microsecond files."""
        if self.nano:
            return self.rng.randint(lo_ns, hi_ns)
        return self.rng.randint(-(-lo_ns // US), hi_ns // US) * US

    def gap(self, ns):
        """Register a handshake leg; legs are unique within a file."""
        assert ns not in self.gaps, (self.name, ns)
        if not self.nano:
            assert ns % US == 0, (self.name, ns)
        self.gaps.add(ns)
        return ns

    def rand_gap(self, lo_ns=50 * US, hi_ns=800 * MS):
        while True:
            # log-uniform, so small and large legs are both common
            x = math.exp(self.rng.uniform(math.log(lo_ns), math.log(hi_ns)))
            ns = int(x) if self.nano else int(x) // US * US
            if ns not in self.gaps and lo_ns <= ns <= hi_ns:
                return self.gap(ns)

    def add(self, t, frame, wirelen=None, note=None):
        assert isinstance(t, int)
        if not self.nano:
            assert t % US == 0, (self.name, t, note)
        self.frames.append((t, len(self.frames), bytes(frame), wirelen, note, self.part))

    # expectations ------------------------------------------------------------------------
    def expect(self, rec):
        self.records.append(rec)

    def result(self, r, n=1):
        self.results[r] += n

    # output --------------------------------------------------------------------------------
    def sorted_frames(self):
        """File order: by part (a capture made of files merged end to end, of other dates, has
        several), then by time, then in the order they were added."""
        return sorted(self.frames, key=lambda f: (f[5], f[0], f[1]))

    def write(self, outdir):
        path = os.path.join(outdir, self.name)
        w = PcapWriter(path, linktype=1, nano=self.nano, endianness='<', snaplen=262144,
                       sync=False)
        w.write_header(None)
        for t, _, frame, wirelen, _, _ in self.sorted_frames():
            sec, sub = divmod(t, S)
            if not self.nano:
                sub //= US
            w.write_packet(frame, sec=sec, usec=sub, caplen=len(frame),
                           wirelen=wirelen if wirelen is not None else len(frame))
        w.close()
        return path

    def summary(self):
        frames = self.sorted_frames()
        recs = sorted(self.records, key=lambda r: (r.get('ts_ns') is None, r.get('ts_ns') or 0))
        for r in recs:
            if r.get('ts_ns') is not None:
                r['ts'] = fmt_ns(r['ts_ns'])
        return OrderedDict([
            ('file', self.name),
            ('precision', 'ns' if self.nano else 'us'),
            ('frames', len(frames)),
            ('first_ns', frames[0][0]),
            ('last_ns', frames[-1][0]),
            ('results', dict(sorted(self.results.items()))),
        ] + ([('challenge_acks', self.challenge_acks)] if self.challenge_acks else []) + (
            [('accept_queue_drops', self.accept_queue_drops)]
            if getattr(self, 'accept_queue_drops', 0) else []) + (
            [('dns_counts', dict(sorted(self.dns.items())))] if self.dns else []) + (
            [('close_counts', dict(sorted(self.closes.items())))] if self.closes else []) + (
            [('options', self.options)] if self.options else []) + [
            ('records', recs),
            ('marked_frames', [OrderedDict([('frame', i + 1), ('ns', f[0]), ('what', f[4])])
                               for i, f in enumerate(frames) if f[4]]),
            ('notes', self.notes),
        ])


# --------------------------------------------------------------------------------------------
# Conn: one TCP connection (both sides tracked; either direction may be left out of the capture)
# --------------------------------------------------------------------------------------------

CLIENT, SERVER = 'c', 's'
OTHER = {CLIENT: SERVER, SERVER: CLIENT}


class Conn:
    """A TCP connection between a client and a server seen from one observation point.

    style: option layout of the client's SYN:
      'linux'   MSS, SACK_PERM, TS, NOP, WS          (timestamps on every later segment)
      'mac'     MSS, NOP, WS, NOP, NOP, TS, SACK_PERM, EOL
      'windows' MSS, NOP, WS, NOP, NOP, SACK_PERM    (no timestamps)
      'minimal' MSS only                             (no timestamps, no window scaling)
    The server answers Linux-style with what the client offered, except that server_ts=False
    declines timestamps (its SYN-ACK has no TS option; then no later segment has one).
    """

    def __init__(self, cap, c_ip, s_ip, cport, sport, c_isn=None, s_isn=None, style='linux',
                 c_mac=None, s_mac=None, c_tags=(), s_tags=None, c_ext=(), s_ext=None,
                 pad=(False, False), visible=(True, True), ttl=(64, 58), mss=(1460, 1460),
                 server_ts=True):
        self.cap = cap
        rng = cap.rng
        self.v6 = ':' in c_ip
        self.ip = {CLIENT: c_ip, SERVER: s_ip}
        self.port = {CLIENT: cport, SERVER: sport}
        self.isn = {CLIENT: rng.getrandbits(32) if c_isn is None else c_isn,
                    SERVER: rng.getrandbits(32) if s_isn is None else s_isn}
        self.nxt = dict(self.isn)          # next sequence number each side sends
        self.style = style
        self.ts_offered = style in ('linux', 'mac')        # the client's SYN has the TS option
        self.ts = self.ts_offered and server_ts           # negotiated: every later segment
        self.ws = {CLIENT: {'linux': 7, 'mac': 6, 'windows': 8, 'minimal': None}[style],
                   SERVER: None if style == 'minimal' else 7}
        self.mss = {CLIENT: mss[0], SERVER: mss[1]}
        self.mac = {CLIENT: c_mac or '02:00:00:00:01:01', SERVER: s_mac or '02:00:00:00:02:01'}
        self.tags = {CLIENT: tuple(c_tags), SERVER: tuple(c_tags if s_tags is None else s_tags)}
        self.ext = {CLIENT: tuple(c_ext), SERVER: tuple(c_ext if s_ext is None else s_ext)}
        self.pad = {CLIENT: pad[0], SERVER: pad[1]}
        self.visible = {CLIENT: visible[0], SERVER: visible[1]}
        self.ttl = {CLIENT: ttl[0], SERVER: ttl[1]}
        self.ipid = {CLIENT: rng.getrandbits(16), SERVER: rng.getrandbits(16)}
        self.flowlabel = {CLIENT: rng.getrandbits(20), SERVER: rng.getrandbits(20)}
        self.ts0 = {CLIENT: rng.getrandbits(32), SERVER: rng.getrandbits(32)}
        self.last_tsval = {CLIENT: 0, SERVER: 0}
        self.bytes = {CLIENT: 0, SERVER: 0}
        self.syn_times = []
        self.synack_times = []
        self.challenge_acks = 0            # bare ACKs the server answered a SYN with
        self.ack_time = None
        self.first_time = None
        self.last_time = None
        self.frames = 0

    # ---------------------------------------------------------------------------------------
    def tsval(self, side, t):
        return (self.ts0[side] + (t - BASE) // MS) & 0xFFFFFFFF   # 1 kHz TS clock

    def syn_options(self, side, t):
        tsv = self.tsval(side, t)
        ecr = 0 if side == CLIENT else self.last_tsval[CLIENT]
        mss = self.mss[side]
        if side == CLIENT:
            if self.style == 'linux':
                return [('MSS', mss), ('SAckOK', b''), ('Timestamp', (tsv, ecr)), ('NOP', None),
                        ('WScale', self.ws[CLIENT])]
            if self.style == 'mac':
                return [('MSS', mss), ('NOP', None), ('WScale', self.ws[CLIENT]), ('NOP', None),
                        ('NOP', None), ('Timestamp', (tsv, ecr)), ('SAckOK', b''), ('EOL', None)]
            if self.style == 'windows':
                return [('MSS', mss), ('NOP', None), ('WScale', self.ws[CLIENT]), ('NOP', None),
                        ('NOP', None), ('SAckOK', b'')]
            return [('MSS', mss)]
        # server (Linux), mirroring the client's offer
        if self.style == 'minimal':
            return [('MSS', mss)]
        if self.ts:
            return [('MSS', mss), ('SAckOK', b''), ('Timestamp', (tsv, ecr)), ('NOP', None),
                    ('WScale', self.ws[SERVER])]
        return [('MSS', mss), ('NOP', None), ('NOP', None), ('SAckOK', b''), ('NOP', None),
                ('WScale', self.ws[SERVER])]

    def seg_options(self, side, t):
        if not self.ts:
            return []
        return [('NOP', None), ('NOP', None),
                ('Timestamp', (self.tsval(side, t), self.last_tsval[OTHER[side]]))]

    def window(self, side, syn):
        if syn:
            return {'linux': 64240, 'mac': 65535, 'windows': 64240, 'minimal': 29200}[self.style] \
                if side == CLIENT else 65160
        ws = self.ws[side]
        return 65535 if ws is None else max(1, 64256 >> ws) + (3 if side == SERVER else 0)

    # ---------------------------------------------------------------------------------------
    def l3(self, side, l4):
        """IP/IPv6 header (with this direction's extension headers) around a scapy L4 layer."""
        src, dst = self.ip[side], self.ip[OTHER[side]]
        if not self.v6:
            ipid = self.ipid[side]
            self.ipid[side] = (ipid + 1) & 0xFFFF
            return IP(src=src, dst=dst, ttl=self.ttl[side], id=ipid, flags='DF') / l4
        return build_v6(src, dst, self.ext[side], l4, hlim=self.ttl[side],
                        fl=self.flowlabel[side])

    def frame(self, side, l3pkt):
        ethertype = ETH_IPV6 if self.v6 else ETH_IPV4
        f = eth_header(self.mac[side], self.mac[OTHER[side]], ethertype, self.tags[side]) + raw(l3pkt)
        if self.pad[side] and len(f) < 60:
            f += b'\x00' * (60 - len(f))          # as received from the wire (no FCS)
        return f

    def send(self, side, t, flags, payload=b'', seq=None, ack=None, options=None, note=None,
             mangle=None):
        """Emit one segment from `side` at time t (ns) and advance that side's sequence."""
        syn = 'S' in flags
        if seq is None:
            seq = self.nxt[side]
        if ack is None:
            ack = self.nxt[OTHER[side]] if 'A' in flags else 0
        if options is None:
            options = self.syn_options(side, t) if syn else self.seg_options(side, t)
        tcp = TCP(sport=self.port[side], dport=self.port[OTHER[side]], seq=seq & 0xFFFFFFFF,
                  ack=ack & 0xFFFFFFFF, flags=flags, window=self.window(side, syn),
                  options=options)
        if payload:
            tcp = tcp / Raw(payload)
        pkt = self.l3(side, tcp)
        if self.ts_offered:
            for k, v in options:
                if k == 'Timestamp':
                    self.last_tsval[side] = v[0]
        adv = len(payload) + (1 if syn else 0) + (1 if 'F' in flags else 0)
        newnxt = (seq + adv) & 0xFFFFFFFF
        if ((newnxt - self.nxt[side]) & 0xFFFFFFFF) < 0x80000000:
            self.nxt[side] = newnxt
        self.bytes[side] += len(payload)
        if self.visible[side]:
            f = self.frame(side, pkt)
            if mangle:
                f = mangle(f)
            self.cap.add(t, f, note=note)
            self.frames += 1
            if self.first_time is None:
                self.first_time = t
            self.last_time = max(self.last_time or t, t)
        return t

    # handshake steps ---------------------------------------------------------------------------
    def syn(self, t, **kw):
        self.syn_times.append(t)
        self.syn_len = len(kw.get('payload', b''))     # TCP Fast Open: data in the SYN
        return self.send(CLIENT, t, 'S', seq=self.isn[CLIENT], **kw)

    def synack(self, t, **kw):
        self.synack_times.append(t)
        return self.send(SERVER, t, 'SA', seq=self.isn[SERVER], ack=self.isn[CLIENT] + 1, **kw)

    def ack3(self, t, payload=b'', flags='A'):
        assert self.nxt[SERVER] == (self.isn[SERVER] + 1) & 0xFFFFFFFF
        self.ack_time = t
        return self.send(CLIENT, t, flags if not payload else 'PA', payload=payload)

    # expectations --------------------------------------------------------------------------------
    def key(self):
        return OrderedDict([('family', 6 if self.v6 else 4),
                            ('client_ip', self.ip[CLIENT]), ('client_port', self.port[CLIENT]),
                            ('server_ip', self.ip[SERVER]), ('server_port', self.port[SERVER])])

    def expect_handshake(self, label=None):
        sa = self.synack_times[0]
        last_syn = max(t for t in self.syn_times if t <= sa)
        r = OrderedDict(type='tcp_handshake', label=label, ts_ns=self.ack_time)
        r.update(self.key())
        r.update(syn_to_synack_ns=sa - last_syn, synack_to_ack_ns=self.ack_time - sa,
                 handshake_ns=self.ack_time - self.syn_times[0],
                 syn_retransmits=len(self.syn_times) - 1,
                 synack_retransmits=len(self.synack_times) - 1,
                 challenge_acks=self.challenge_acks)
        self.cap.expect(r)
        self.cap.result('completed')
        return r

    def expect_failed(self, reason, ts, label=None, elapsed=None):
        r = OrderedDict(type='tcp_handshake_failed', label=label, ts_ns=ts)
        r.update(self.key())
        r.update(reason=reason, syn_retransmits=len(self.syn_times) - 1,
                 elapsed_ns=(ts - self.syn_times[0]) if elapsed is None else elapsed)
        self.cap.expect(r)
        self.cap.result(reason)
        return r

    def expect_close(self, reason, ts=None, closed_by=None, start=None, end=None, label=None,
                     midstream=False):
        r = OrderedDict(type='tcp_close', label=label, ts_ns=ts)
        r.update(self.key())
        start = self.syn_times[0] if start is None and self.syn_times else start
        if start is None:
            start = self.first_time
        end = ts if end is None else end
        r.update(reason=reason)
        if closed_by:
            r['closed_by'] = closed_by
        r.update(duration_ns=end - start, bytes_c2s=self.bytes[CLIENT],
                 bytes_s2c=self.bytes[SERVER], midstream=midstream)
        self.cap.expect(r)
        return r


def build_v6(src, dst, exts, l4, hlim=64, fl=0):
    """IPv6 with a chain of extension headers (scapy layers, copied) before l4; next-header
    fields are set explicitly."""
    l4type = {TCP: NH_TCP, UDP: NH_UDP}.get(type(l4), NH_ICMPV6)
    if isinstance(l4, (ICMPv6DestUnreach,)):
        l4type = NH_ICMPV6
    hdrs = [h.copy() for h in exts]
    types = [ext_type(h) for h in hdrs] + [l4type]
    pkt = IPv6(src=src, dst=dst, hlim=hlim, fl=fl, nh=types[0])
    for h, nxt in zip(hdrs, types[1:]):
        h.nh = nxt
        pkt = pkt / h
    return pkt / l4


def ext_type(h):
    if isinstance(h, IPv6ExtHdrHopByHop):
        return NH_HBH
    if isinstance(h, IPv6ExtHdrDestOpt):
        return NH_DSTOPT
    if isinstance(h, (IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting)):
        return NH_ROUTING
    if isinstance(h, IPv6ExtHdrFragment):
        return NH_FRAG
    raise ValueError(h)


# --------------------------------------------------------------------------------------------
# Payloads
# --------------------------------------------------------------------------------------------

def payloads(cap, sport, n):
    """(request, response, server_first) for a service; n makes each flow's content differ."""
    rng = cap.rng
    if sport in (80, 8080):
        req = ('GET /item/%d HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: curl/7.88.1\r\n'
               'Accept: */*\r\n\r\n' % n).encode()
        body = ('<html><body>item %d</body></html>\n' % n).encode()
        resp = ('HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n'
                % len(body)).encode() + body
        return req, resp, False
    if sport in (22, 2222):
        return (b'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n',
                b'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n', True)
    if sport == 25:
        return (b'EHLO client.example.org\r\n',
                b'220 mail.example.net ESMTP Postfix\r\n', True)
    # TLS 1.3 ClientHello / ServerHello + ChangeCipherSpec + one encrypted record
    return tls_client_hello(rng, n), tls_server_hello(rng), False


def tls_ext(etype, body):
    return struct.pack('!HH', etype, len(body)) + body


def tls_record(ctype, body):
    return struct.pack('!BHH', ctype, 0x0303 if ctype != 22 else 0x0301, len(body)) + body


def tls_handshake(htype, body):
    return struct.pack('!B', htype) + struct.pack('!I', len(body))[1:] + body


def tls_client_hello(rng, n):
    host = ('svc%d.example.com' % n).encode()
    sni = struct.pack('!HBH', len(host) + 3, 0, len(host)) + host
    exts = (tls_ext(0, sni) +
            tls_ext(10, struct.pack('!HHH', 4, 0x001d, 0x0017)) +                 # groups
            tls_ext(13, struct.pack('!HHHH', 6, 0x0403, 0x0804, 0x0401)) +        # sig algs
            tls_ext(43, struct.pack('!BHH', 4, 0x0304, 0x0303)) +                 # versions
            tls_ext(51, struct.pack('!HHH', 36, 0x001d, 32) +                     # key share
                    bytes(rng.getrandbits(8) for _ in range(32))))
    body = (struct.pack('!H', 0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) +
            b'\x20' + bytes(rng.getrandbits(8) for _ in range(32)) +
            struct.pack('!HHHH', 6, 0x1301, 0x1302, 0x1303) + b'\x01\x00' +
            struct.pack('!H', len(exts)) + exts)
    return tls_record(22, tls_handshake(1, body))


def tls_server_hello(rng):
    exts = (tls_ext(43, struct.pack('!H', 0x0304)) +
            tls_ext(51, struct.pack('!HH', 0x001d, 32) +
                    bytes(rng.getrandbits(8) for _ in range(32))))
    body = (struct.pack('!H', 0x0303) + bytes(rng.getrandbits(8) for _ in range(32)) +
            b'\x20' + bytes(rng.getrandbits(8) for _ in range(32)) +
            struct.pack('!H', 0x1301) + b'\x00' + struct.pack('!H', len(exts)) + exts)
    hs = tls_record(22, tls_handshake(2, body))
    hs = hs[:1] + struct.pack('!H', 0x0303) + hs[3:]
    return hs + tls_record(20, b'\x01') + \
        tls_record(23, bytes(rng.getrandbits(8) for _ in range(120)))


def exchange(conn, t, srv_gap, cli_gap, n=0, close='client', data=True, label=None,
             expect=True, server_first=None):
    """Complete connection: 3-way handshake, one request/response, FIN close.

    The observation point sits between client and server: a client packet seen at t is answered
    by the server at t + srv_gap (+ processing), a server packet by the client at t + cli_gap.
    Returns the time of the last packet."""
    cap = conn.cap
    conn.syn(t)
    t_sa = conn.synack(t + srv_gap)
    t_ack = conn.ack3(t_sa + cli_gap)
    if expect:
        conn.expect_handshake(label)
    t = t_ack
    if data:
        req, resp, sf = payloads(cap, conn.port[SERVER], n)
        if server_first is not None:
            sf = server_first
        if sf:
            # server speaks first (SSH, SMTP): its banner follows the ACK's arrival at the server
            t = conn.send(SERVER, t + srv_gap + cap.dur(20 * US, 400 * US), 'PA', resp)
            t = conn.send(CLIENT, t + cli_gap + cap.dur(3 * US, 60 * US), 'PA', req)
            t = conn.send(SERVER, t + srv_gap + cap.dur(5 * US, 40 * US), 'A')
        else:
            t = conn.send(CLIENT, t + cap.dur(8 * US, 90 * US), 'PA', req)
            t = conn.send(SERVER, t + srv_gap + cap.dur(30 * US, 900 * US), 'PA', resp)
            t = conn.send(CLIENT, t + cli_gap + cap.dur(2 * US, 40 * US), 'A')
    if close == 'client':
        t = conn.send(CLIENT, t + cap.dur(100 * US, 20 * MS), 'FA')
        t = conn.send(SERVER, t + srv_gap + cap.dur(5 * US, 80 * US), 'FA')
        t = conn.send(CLIENT, t + cli_gap + cap.dur(2 * US, 30 * US), 'A')
        if expect:
            conn.expect_close('fin', ts=t, closed_by='client', label=label)
    elif close == 'server':
        t = conn.send(SERVER, t + cap.dur(100 * US, 20 * MS), 'FA')
        t = conn.send(CLIENT, t + cli_gap + cap.dur(5 * US, 80 * US), 'FA')
        t = conn.send(SERVER, t + srv_gap + cap.dur(2 * US, 30 * US), 'A')
        if expect:
            conn.expect_close('fin', ts=t, closed_by='server', label=label)
    return t


# address plans -------------------------------------------------------------------------------

def c4(i):
    return '198.51.100.%d' % i


def s4(i):
    return '203.0.113.%d' % i


def c6(i):
    return '2001:db8:100::%x' % i


def s6(i):
    return '2001:db8:200::%x' % i


def cmac(i):
    return '02:00:00:00:01:%02x' % (i & 0xFF)


def smac(i):
    return '02:00:00:00:02:%02x' % (i & 0xFF)


# --------------------------------------------------------------------------------------------
# 1. tcp-ipv4.pcap
# --------------------------------------------------------------------------------------------

def gen_ipv4():
    cap = Capture('tcp-ipv4.pcap', nano=False, seed=101)
    # (client host, client port, server host, server port, style, start offset, srv gap, cli gap,
    #  close, pad, c_isn, s_isn)
    flows = [
        (10, 40001, 10, 80, 'linux', 0, 12345 * US, 87 * US, 'client', False, None, None),
        (11, 40002, 11, 443, 'windows', 40 * MS, 52 * US, 1203 * US, 'client', True, None, None),
        (12, 40003, 12, 22, 'linux', 300 * MS, 250117 * US, 61 * US, 'client', False, None, None),
        (13, 40004, 10, 443, 'mac', 310 * MS, 799001 * US, 3210 * US, 'server', False,
         0xFFFFFFFF, None),
        (14, 40005, 13, 8080, 'minimal', 320 * MS, 4321 * US, 456789 * US, 'server', True,
         None, 0xFFFFFFFF),
        (10, 40006, 11, 443, 'linux', 330 * MS, 98765 * US, 123 * US, 'client', True, None, None),
        (15, 51234, 14, 25, 'linux', 900 * MS, 31250 * US, 15002 * US, 'client', False, None,
         None),
        (16, 40008, 10, 80, 'windows', 905 * MS, 640 * US, 75 * US, 'server', False, None, None),
        (17, 40009, 15, 443, 'linux', 1500 * MS, 150003 * US, 2048 * US, 'client', False, None,
         None),
        (18, 60999, 12, 22, 'mac', 1502 * MS, 7777 * US, 333333 * US, 'client', True, None,
         None),
    ]
    for n, (ch, cp, sh, sp, style, off, sg, cg, close, pad, cisn, sisn) in enumerate(flows, 1):
        conn = Conn(cap, c4(ch), s4(sh), cp, sp, c_isn=cisn, s_isn=sisn, style=style,
                    c_mac=cmac(ch), s_mac=smac(sh), pad=(pad, pad),
                    ttl=(128 if style == 'windows' else 64, 57))
        exchange(conn, cap.start + off, cap.gap(sg), cap.gap(cg), n=n, close=close,
                 label='flow %d' % n)
    cap.notes.append('frames of flows 2, 5, 6, 10 shorter than 60 bytes carry Ethernet padding '
                     '(IP total length < frame length)')
    cap.notes.append('flow 4: client ISN 0xffffffff (SYN-ACK acks 0); flow 5: server ISN '
                     '0xffffffff (client ACK acks 0)')
    return cap


# --------------------------------------------------------------------------------------------
# 2. tcp-ipv6-ext.pcap
# --------------------------------------------------------------------------------------------

def hbh_ra():
    return IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])


def dstopt(n=4):
    return IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\x00' * n)])


def dstopt_exp():
    # an experimental option (RFC 4727, type 0x1e: skip if unknown) plus padding: 16 bytes
    return IPv6ExtHdrDestOpt(options=[PadN(otype=0x1e, optdata=b'wirelat-test'[:10])])


def rh0():
    return IPv6ExtHdrRouting(type=0, segleft=0, addresses=[])


def srh(final):
    return IPv6ExtHdrSegmentRouting(segleft=0, lastentry=0, addresses=[final])


def frag_atomic(ident):
    return IPv6ExtHdrFragment(offset=0, m=0, id=ident)


def gen_ipv6_ext():
    cap = Capture('tcp-ipv6-ext.pcap', nano=True, seed=202)
    t0 = cap.start + 123
    rows = [
        # (label, client host, server host, sport, style, c_ext, s_ext, srv gap, cli gap, start)
        ('plain', 0x10, 0x10, 443, 'linux', [], [], 18234567, 93411, 0),
        ('hop-by-hop c2s', 0x11, 0x10, 80, 'linux', [hbh_ra()], [], 2345678, 654321, 5 * MS),
        ('destination options s2c', 0x12, 0x11, 443, 'windows', [], [dstopt_exp()], 51234,
         1234567, 9 * MS),
        ('routing type 0 (segleft 0) both', 0x13, 0x12, 22, 'linux', [rh0()], [rh0()],
         345678901, 77777, 200 * MS),
        ('segment routing header c2s', 0x14, 0x13, 443, 'mac', [srh(s6(0x13))], [], 7654321,
         250001, 205 * MS),
        ('atomic fragment both', 0x15, 0x14, 80, 'linux', [frag_atomic(0x1a2b3c4d)],
         [frag_atomic(0x5e6f7081)], 98765432, 123457, 400 * MS),
        ('4-header chain c2s (HBH, DST, RH0, FRAG), 3-header chain s2c (HBH, SRH, DST)', 0x16,
         0x15, 8080,
         'linux', [hbh_ra(), dstopt(), rh0(), frag_atomic(0x11223344)],
         [IPv6ExtHdrHopByHop(options=[PadN(optdata=b'\x00' * 4)]), srh(s6(0x16)), dstopt()],
         432109, 7654, 410 * MS),
        ('3-header chain both (DST, RH0, DST)', 0x17, 0x16, 443, 'windows',
         [dstopt(), rh0(), dstopt_exp()], [dstopt_exp(), rh0(), dstopt(12)],
         13579135, 24680246, 900 * MS),
        ('plain, no options but MSS', 0x18, 0x17, 80, 'minimal', [], [], 777001, 65432,
         905 * MS),
    ]
    for n, (label, ch, sh, sp, style, cext, sext, sg, cg, off) in enumerate(rows, 1):
        conn = Conn(cap, c6(ch), s6(sh), 41000 + n * 7, sp, style=style, c_mac=cmac(ch),
                    s_mac=smac(sh), c_ext=cext, s_ext=sext, mss=(1440, 1440), ttl=(64, 55))
        exchange(conn, t0 + off, cap.gap(sg), cap.gap(cg), n=n,
                 close='client' if n % 2 else 'server', label='flow %d: %s' % (n, label))
    return cap


# --------------------------------------------------------------------------------------------
# 3. tcp-vlan.pcap
# --------------------------------------------------------------------------------------------

def gen_vlan():
    cap = Capture('tcp-vlan.pcap', nano=False, seed=303)
    rows = [
        ('802.1Q vid 100 both directions', c4(30), s4(30), 443,
         [(TPID_8021Q, 100, 0)], None, 3456 * US, 78 * US, 0, (False, False)),
        ('QinQ 802.1ad outer 200 + 802.1Q inner 300 both directions', c4(31), s4(31), 80,
         [(TPID_8021AD, 200, 0), (TPID_8021Q, 300, 0)], None, 22222 * US, 1011 * US, 50 * MS,
         (False, False)),
        ('three tags 0x88a8/200, 0x8100/300, 0x8100/42 both directions', c4(32), s4(32), 22,
         [(TPID_8021AD, 200, 1), (TPID_8021Q, 300, 2), (TPID_8021Q, 42, 3)], None,
         123456 * US, 505 * US, 60 * MS, (False, False)),
        ('client->server tagged 802.1Q vid 400, server->client untagged', c4(33), s4(33), 443,
         [(TPID_8021Q, 400, 0)], [], 404 * US, 40404 * US, 70 * MS, (True, True)),
        ('IPv6 in 802.1Q vid 101 pcp 5 both directions', c6(0x33), s6(0x33), 443,
         [(TPID_8021Q, 101, 5)], None, 60061 * US, 7007 * US, 80 * MS, (False, False)),
        ('IPv6 in QinQ, server->client tagged, client->server untagged', c6(0x34), s6(0x34),
         80, [], [(TPID_8021AD, 7, 0), (TPID_8021Q, 8, 0)], 654 * US, 321987 * US, 85 * MS,
         (False, False)),
    ]
    for n, (label, cip, sip, sp, ctags, stags, sg, cg, off, pad) in enumerate(rows, 1):
        # flow 4 uses Windows options (no timestamps): its short frames get Ethernet padding
        conn = Conn(cap, cip, sip, 42000 + n, sp, style='windows' if n in (3, 4, 6) else 'linux',
                    c_mac=cmac(0x30 + n), s_mac=smac(0x30 + n), c_tags=ctags, s_tags=stags,
                    pad=pad)
        exchange(conn, cap.start + off, cap.gap(sg), cap.gap(cg), n=n,
                 label='flow %d: %s' % (n, label))
    return cap


# --------------------------------------------------------------------------------------------
# 4. tcp-interleaved.pcap
# --------------------------------------------------------------------------------------------

def gen_interleaved():
    cap = Capture('tcp-interleaved.pcap', nano=True, seed=404)
    rng = cap.rng
    t0 = cap.start + 777
    n_flows = 124
    used = set()
    services = [80, 443, 443, 443, 22, 8080, 25]
    n = 0
    for i in range(n_flows):
        v6 = i % 3 == 2
        while True:
            ch = rng.randint(10, 250)
            sh = rng.randint(10, 60)
            cp = rng.randint(40000, 60999)
            sp = services[rng.randrange(len(services))]
            key = (v6, ch, cp, sh, sp)
            if key not in used:
                used.add(key)
                break
        if i < 64:
            start = t0 + i * 37 * US + rng.randint(0, 20 * US)       # a burst: 64 SYNs in 2.4 ms
        else:
            start = t0 + rng.randint(3 * MS, 2500 * MS)
        style = ['linux', 'linux', 'mac', 'windows', 'minimal'][rng.randrange(5)]
        conn = Conn(cap, c6(ch) if v6 else c4(ch), s6(sh) if v6 else s4(sh), cp, sp,
                    style=style, c_mac=cmac(ch), s_mac=smac(sh),
                    ttl=(64 if style != 'windows' else 128, rng.choice([49, 52, 57, 250])))
        n += 1
        exchange(conn, start, cap.rand_gap(), cap.rand_gap(), n=n,
                 close=rng.choice(['client', 'server']), label='flow %d' % n)

    # the same 4-tuple used twice: a first connection closed by FIN, then a new one (new ISN)
    a = Conn(cap, c4(7), s4(7), 45555, 443, c_isn=0x10000000, s_isn=0x70000000,
             c_mac=cmac(7), s_mac=smac(7))
    t = exchange(a, t0 + 100 * MS, cap.gap(3333333), cap.gap(444444), close='client',
                 label='reuse after FIN: first connection')
    b = Conn(cap, c4(7), s4(7), 45555, 443, c_isn=0x10000000 + 5000000, s_isn=0x23456789,
             c_mac=cmac(7), s_mac=smac(7))
    exchange(b, t + 500 * MS, cap.gap(2222221), cap.gap(555555), close='server',
             label='reuse after FIN: second connection')

    # the same 4-tuple reused while the first connection is still open (no FIN): new SYN with a
    # new ISN ends the first with reason `reused`
    c = Conn(cap, c6(7), s6(7), 46666, 80, c_isn=0x01020304, s_isn=0x0a0b0c0d,
             c_mac=cmac(8), s_mac=smac(8))
    t = exchange(c, t0 + 150 * MS, cap.gap(1111119), cap.gap(99999), close=None,
                 label='reuse without close: first connection')
    d = Conn(cap, c6(7), s6(7), 46666, 80, c_isn=0x7f000000, s_isn=0x0b0c0d0e,
             c_mac=cmac(8), s_mac=smac(8))
    t_new = t + 1900 * MS
    c.expect_close('reused', ts=t_new, label='reuse without close: first connection '
                   '(ended by the new SYN; closed_by not asserted)')
    exchange(d, t_new, cap.gap(876543), cap.gap(65437), close='client',
             label='reuse without close: second connection')
    cap.notes.append('64 SYNs within the first ~2.4 ms, before nearly all SYN-ACKs')
    return cap


# --------------------------------------------------------------------------------------------
# 5. tcp-syn-retransmit.pcap
# --------------------------------------------------------------------------------------------

def gen_syn_retransmit():
    cap = Capture('tcp-syn-retransmit.pcap', nano=False, seed=505)
    t0 = cap.start

    # (a) SYN, same-ISN retransmits at +1 s and +3 s, then SYN-ACK and ACK
    a = Conn(cap, c4(50), s4(50), 43001, 443, c_isn=0x5a5a0001, s_isn=0x0badf00d,
             c_mac=cmac(50), s_mac=smac(50))
    a.syn(t0)
    a.syn(t0 + 1 * S)
    a.syn(t0 + 3 * S)
    t = a.synack(t0 + 3 * S + cap.gap(23456 * US))
    t = a.ack3(t + cap.gap(345 * US))
    a.expect_handshake('(a) SYN retransmitted at +1 s and +3 s')
    t = a.send(CLIENT, t + 40 * US, 'PA', payloads(cap, 443, 1)[0])
    t = a.send(SERVER, t + 23800 * US, 'PA', payloads(cap, 443, 1)[1])
    t = a.send(CLIENT, t + 360 * US, 'A')
    t = a.send(CLIENT, t + 5 * MS, 'FA')
    t = a.send(SERVER, t + 23500 * US, 'FA')
    t = a.send(CLIENT, t + 350 * US, 'A')
    a.expect_close('fin', ts=t, closed_by='client', label='(a)')

    # (b) SYN-ACK retransmitted (same server ISN) because the client's ACK was slow
    b = Conn(cap, c4(51), s4(51), 43002, 80, c_isn=0x00c0ffee, s_isn=0x77777777,
             c_mac=cmac(51), s_mac=smac(51))
    t = t0 + 200 * MS
    b.syn(t)
    t_sa = b.synack(t + cap.gap(1789 * US))
    t_sa2 = b.synack(t_sa + 1 * S)           # Linux server: SYN-ACK RTO 1 s
    t = b.ack3(t_sa2 + cap.gap(2718 * US))   # the client's ACK, 1.002718 s after the first
    b.expect_handshake('(b) SYN-ACK retransmitted after 1 s, then ACK')
    req, resp, _ = payloads(cap, 80, 2)
    t = b.send(CLIENT, t + 25 * US, 'PA', req)
    t = b.send(SERVER, t + 2 * MS, 'PA', resp)
    t = b.send(CLIENT, t + 2800 * US, 'A')
    t = b.send(SERVER, t + 3 * MS, 'FA')
    t = b.send(CLIENT, t + 2750 * US, 'FA')
    t = b.send(SERVER, t + 1850 * US, 'A')
    b.expect_close('fin', ts=t, closed_by='server', label='(b)')

    # (c) pending handshake replaced by a SYN with a NEW ISN on the same tuple
    c_old = Conn(cap, c4(52), s4(52), 43003, 22, c_isn=0x11111111, s_isn=0x22222222,
                 c_mac=cmac(52), s_mac=smac(52))
    t = t0 + 400 * MS
    c_old.syn(t)
    t_new = t + 1500 * MS
    c_old.expect_failed('timeout', ts=t_new,
                        label='(c) old attempt, ended by the new-ISN SYN 1.5 s later '
                              '(ts/elapsed here = that SYN; the contract only says "timeout")')
    c_new = Conn(cap, c4(52), s4(52), 43003, 22, c_isn=0x33333333, s_isn=0x44444444,
                 c_mac=cmac(52), s_mac=smac(52))
    exchange(c_new, t_new, cap.gap(4567 * US), cap.gap(891 * US),
             label='(c) new attempt with a new ISN')

    # (d) SYN retransmitted once, then answered
    d = Conn(cap, c6(0x53), s6(0x53), 43004, 443, c_isn=0xdeadbeef, s_isn=0xfeedface,
             c_mac=cmac(53), s_mac=smac(53))
    t = t0 + 600 * MS
    d.syn(t)
    d.syn(t + 1 * S)
    t = d.synack(t + 1 * S + cap.gap(76543 * US))
    t = d.ack3(t + cap.gap(111 * US))
    d.expect_handshake('(d) SYN retransmitted once (+1 s)')
    req, resp, _ = payloads(cap, 443, 4)
    t = d.send(CLIENT, t + 30 * US, 'PA', req)
    t = d.send(SERVER, t + 76600 * US, 'PA', resp)
    t = d.send(CLIENT, t + 120 * US, 'A')
    t = d.send(CLIENT, t + 10 * MS, 'FA')
    t = d.send(SERVER, t + 76500 * US, 'FA')
    t = d.send(CLIENT, t + 115 * US, 'A')
    d.expect_close('fin', ts=t, closed_by='client', label='(d)')

    # a plain handshake for comparison
    e = Conn(cap, c4(54), s4(54), 43005, 443, c_mac=cmac(54), s_mac=smac(54))
    exchange(e, t0 + 4500 * MS, cap.gap(9876 * US), cap.gap(5432 * US),
             label='(e) plain handshake')
    return cap


# --------------------------------------------------------------------------------------------
# 6. tcp-refused.pcap
# --------------------------------------------------------------------------------------------

def icmp4_unreach(cap, t, src, dst, code, quoted, src_mac, dst_mac, ttl=64, ipid=0):
    pkt = IP(src=src, dst=dst, ttl=ttl, id=ipid) / ICMP(type=3, code=code) / Raw(quoted)
    cap.add(t, eth_header(src_mac, dst_mac, ETH_IPV4) + raw(pkt))


def icmp6_unreach(cap, t, src, dst, code, quoted, src_mac, dst_mac):
    pkt = IPv6(src=src, dst=dst, hlim=64) / ICMPv6DestUnreach(code=code) / Raw(quoted)
    cap.add(t, eth_header(src_mac, dst_mac, ETH_IPV6) + raw(pkt))


def last_l3(cap, conn):
    """The IP part of the last frame written for conn (for ICMP quoting)."""
    f = cap.frames[-1][2]
    off = 14 + 4 * len(conn.tags[CLIENT])
    return f[off:]


def gen_refused():
    cap = Capture('tcp-refused.pcap', nano=True, seed=606)
    t0 = cap.start + 1000001

    # (a) SYN -> RST+ACK from the server
    a = Conn(cap, c4(60), s4(60), 44001, 8443, c_mac=cmac(60), s_mac=smac(60))
    a.syn(t0)
    t = a.send(SERVER, t0 + cap.gap(187654), 'RA', seq=0, ack=a.isn[CLIENT] + 1, options=[])
    a.expect_failed('refused', ts=t, label='(a) RST+ACK from the server')

    # (b) SYN, then RST from the client before any SYN-ACK
    b = Conn(cap, c4(61), s4(61), 44002, 443, c_mac=cmac(61), s_mac=smac(61))
    t = t0 + 10 * MS
    b.syn(t)
    t = b.send(CLIENT, t + 456789012, 'R', seq=b.isn[CLIENT] + 1, ack=0, options=[])
    b.expect_failed('aborted', ts=t, label='(b) RST from the client before any SYN-ACK')

    # (c) SYN -> ICMP port unreachable from the server host, quoting IP header + 8 bytes
    c = Conn(cap, c4(62), s4(62), 44003, 443, c_mac=cmac(62), s_mac=smac(62))
    t = t0 + 20 * MS
    c.syn(t)
    q = last_l3(cap, c)[:28]
    t_icmp = t + cap.gap(321987)
    icmp4_unreach(cap, t_icmp, s4(62), c4(62), 3, q, smac(62), cmac(62), ttl=57, ipid=0x4242)
    c.expect_failed('unreachable', ts=t_icmp,
                    label='(c) ICMP type 3 code 3 from the server, quoting 20+8 bytes')

    # (c2) SYN retransmitted once, then ICMP host unreachable from a router, quoting the
    #      whole SYN (RFC 1812 style)
    c2 = Conn(cap, c4(63), s4(99), 44004, 80, c_mac=cmac(63), s_mac=smac(1))
    t = t0 + 30 * MS
    c2.syn(t)
    c2.syn(t + 1 * S)
    q = last_l3(cap, c2)
    t_icmp = t + 1 * S + cap.gap(2345678)
    icmp4_unreach(cap, t_icmp, s4(1), c4(63), 1, q, smac(1), cmac(63), ttl=254, ipid=0x0101)
    c2.expect_failed('unreachable', ts=t_icmp,
                     label='(c2) SYN retransmitted, then ICMP type 3 code 1 from router '
                           '203.0.113.1 quoting the whole SYN')

    # (d) IPv6 SYN -> ICMPv6 destination unreachable, code 4 (port unreachable)
    d = Conn(cap, c6(0x64), s6(0x64), 44005, 443, c_mac=cmac(64), s_mac=smac(64))
    t = t0 + 40 * MS
    d.syn(t)
    q = last_l3(cap, d)
    t_icmp = t + cap.gap(98765)
    icmp6_unreach(cap, t_icmp, s6(0x64), c6(0x64), 4, q, smac(64), cmac(64))
    d.expect_failed('unreachable', ts=t_icmp,
                    label='(d) ICMPv6 type 1 code 4 from the server, quoting the SYN')

    # (e) one normal completed handshake
    e = Conn(cap, c4(65), s4(65), 44006, 443, c_mac=cmac(65), s_mac=smac(65))
    exchange(e, t0 + 50 * MS, cap.gap(1234567), cap.gap(76543), label='(e) completed')

    # (f) IPv6 refused (RST+ACK), SYN retransmitted once first
    f = Conn(cap, c6(0x66), s6(0x66), 44007, 22, c_mac=cmac(66), s_mac=smac(66))
    t = t0 + 60 * MS
    f.syn(t)
    f.syn(t + 1 * S)
    t = f.send(SERVER, t + 1 * S + cap.gap(55555), 'RA', seq=0, ack=f.isn[CLIENT] + 1,
               options=[])
    f.expect_failed('refused', ts=t, label='(f) IPv6, SYN retransmitted once, then RST+ACK')
    return cap


# --------------------------------------------------------------------------------------------
# 7. tcp-unanswered.pcap
# --------------------------------------------------------------------------------------------

def gen_unanswered():
    cap = Capture('tcp-unanswered.pcap', nano=False, seed=707)
    t0 = cap.start

    # (a) SYN never answered, no retransmission
    a = Conn(cap, c4(70), s4(70), 45001, 443, c_mac=cmac(70), s_mac=smac(70))
    a.syn(t0 + 100 * MS)
    a.expect_failed('timeout', ts=t0 + 100 * MS + HANDSHAKE_TIMEOUT,
                    label='(a) never answered, no retransmission')

    # (b) SYN retransmitted at +1 s and +3 s, never answered: deadline = last SYN +
    #     max(5 s, 2.5 x 2 s) = last SYN + 5 s
    b = Conn(cap, c4(71), s4(71), 45002, 80, c_mac=cmac(71), s_mac=smac(71))
    tb = t0 + 200 * MS
    b.syn(tb)
    b.syn(tb + 1 * S)
    b.syn(tb + 3 * S)
    b_deadline = syn_deadline(b.syn_times)
    b.expect_failed('timeout', ts=b_deadline,
                    label='(b) retransmitted at +1 s and +3 s, never answered')

    # (c) SYN-ACK only 3.5 s later, then the client's ACK. Written when the default timeout
    #     was 3 s (a timeout, then `late`); with 5 s the handshake completes, slowly
    c = Conn(cap, c6(0x72), s6(0x72), 45003, 443, c_mac=cmac(72), s_mac=smac(72))
    tc = t0 + 300 * MS
    c.syn(tc)
    t = c.synack(tc + 3500 * MS)
    t = c.ack3(t + cap.gap(654 * US))
    if tc + 3500 * MS > syn_deadline(c.syn_times):
        c.expect_failed('timeout', ts=syn_deadline(c.syn_times),
                        label='(c) SYN-ACK 3.5 s later: timeout at the deadline, then late')
        cap.result('late')
    else:
        c.expect_handshake('(c) SYN-ACK 3.5 s later: a slow server (before the deadline)')
        c.expect_close('eof', ts=t, label='(c) open at the end of the file (informational)')

    # (d) unrelated completed handshakes all along, every ~400 ms, until 12.5 s
    # (e) at the end: a SYN 1.5 s before the last packet of the file
    n = 0
    t = t0
    while t < t0 + 12 * S:
        n += 1
        bg = Conn(cap, c4(100 + n), s4(100 + n % 7), 46000 + n, [443, 80, 22][n % 3],
                  style=['linux', 'windows', 'mac'][n % 3], c_mac=cmac(100 + n),
                  s_mac=smac(100 + n % 7))
        exchange(bg, t, cap.rand_gap(50 * US, 30 * MS), cap.rand_gap(50 * US, 5 * MS),
                           n=n, label='background %d' % n)
        t += 400 * MS + cap.dur(0, 9 * MS)
    end = max(f[0] for f in cap.frames)
    e = Conn(cap, c4(79), s4(79), 45005, 443, c_mac=cmac(79), s_mac=smac(79))
    e.syn(end - 1500 * MS)
    cap.notes.append('(e) pending SYN 198.51.100.79:45005 -> 203.0.113.79:443 sent 1.5 s before '
                     'the last frame: no record')
    cap.notes.append('the last frame is %.6f s after the latest deadline ((b), %s)'
                     % ((end - b_deadline) / S, fmt_ns(b_deadline)))
    return cap


# --------------------------------------------------------------------------------------------
# 8. tcp-onesided.pcap
# --------------------------------------------------------------------------------------------

def gen_onesided():
    cap = Capture('tcp-onesided.pcap', nano=False, seed=808)
    t0 = cap.start
    # flows where only client -> server is captured
    rows = [
        ('c2s only: SYN, ACK, request, more data, FIN', c4(80), s4(80), 47001, 80, 'linux',
         11111 * US, 2222 * US, 0),
        ('c2s only (IPv6): SYN, ACK, data, FIN', c6(0x81), s6(0x81), 47002, 443, 'windows',
         33333 * US, 444 * US, 40 * MS),
        ('c2s only: SYN, ACK, data, FIN (mac options)', c4(82), s4(82), 47003, 8080, 'mac',
         5555 * US, 66666 * US, 80 * MS),
    ]
    for n, (label, cip, sip, cp, sp, style, sg, cg, off) in enumerate(rows, 1):
        conn = Conn(cap, cip, sip, cp, sp, style=style, c_mac=cmac(0x80 + n),
                    s_mac=smac(0x80 + n), visible=(True, False))
        sg, cg = cap.gap(sg), cap.gap(cg)
        t = t0 + off
        conn.syn(t)
        t = conn.synack(t + sg)                  # not captured
        t = conn.ack3(t + cg)
        cap.result('unobserved')
        req, resp, _ = payloads(cap, sp, n)
        t = conn.send(CLIENT, t + 30 * US, 'PA', req)
        t = conn.send(SERVER, t + sg, 'PA', resp)          # not captured
        t = conn.send(CLIENT, t + cg, 'A')
        t = conn.send(CLIENT, t + 1 * MS, 'PA', b'x' * (100 + n))
        t = conn.send(SERVER, t + sg, 'A')                 # not captured
        t = conn.send(CLIENT, t + 2 * MS, 'FA')
        t = conn.send(SERVER, t + sg, 'FA')                # not captured
        t = conn.send(CLIENT, t + cg, 'A')
        conn.bytes[SERVER] = 0        # the server's segments are not in the capture
        conn.expect_close('eof', ts=None, end=conn.last_time,
                          label='flow %d: %s (informational: the server FIN is never seen)'
                          % (n, label))

    # one flow of which only server -> client is captured, from the SYN-ACK on (server speaks
    # first: SMTP banner)
    conn = Conn(cap, c4(85), s4(85), 47005, 25, c_mac=cmac(0x85), s_mac=smac(0x85),
                visible=(False, True))
    sg, cg = cap.gap(7070 * US), cap.gap(909 * US)
    t = t0 + 120 * MS
    conn.syn(t)                                            # not captured
    t = conn.synack(t + sg)
    t = conn.ack3(t + cg)                                  # not captured
    t = conn.send(SERVER, t + sg + 150 * US, 'PA', b'220 mail.example.net ESMTP Postfix\r\n')
    t = conn.send(CLIENT, t + cg, 'PA', b'EHLO client.example.org\r\n')
    t = conn.send(SERVER, t + sg, 'PA', b'250-mail.example.net\r\n250-PIPELINING\r\n'
                  b'250-SIZE 10240000\r\n250 8BITMIME\r\n')
    t = conn.send(CLIENT, t + cg, 'PA', b'QUIT\r\n')
    t = conn.send(SERVER, t + sg, 'PA', b'221 2.0.0 Bye\r\n')
    t = conn.send(SERVER, t + 20 * US, 'FA')
    t = conn.send(CLIENT, t + cg, 'FA')
    t = conn.send(SERVER, t + sg, 'A')
    cap.notes.append('flow 4 (198.51.100.85:47005 <-> 203.0.113.85:25, s2c only from the SYN-ACK '
                     'on): no handshake result; the SYN-ACK has no pending SYN; the first '
                     'server segment with payload can create a midstream connection (server = '
                     'port 25, the lower port), which ends with eof')
    return cap


# --------------------------------------------------------------------------------------------
# 9. tcp-malformed.pcap
# --------------------------------------------------------------------------------------------

def gen_malformed():
    cap = Capture('tcp-malformed.pcap', nano=False, seed=909)
    rng = cap.rng
    t0 = cap.start
    bad = []     # (label, bytes)

    def syn4(src_i, dst_i, sport, dport=443, **ipkw):
        return IP(src=c4(src_i), dst=s4(dst_i), ttl=64, id=rng.getrandbits(16), flags='DF',
                  **ipkw) / TCP(sport=sport, dport=dport, seq=rng.getrandbits(32), flags='S',
                                window=64240, options=[('MSS', 1460), ('SAckOK', b''),
                                                       ('NOP', None), ('WScale', 7)])

    def syn6(src_i, dst_i, sport, dport=443):
        return TCP(sport=sport, dport=dport, seq=rng.getrandbits(32), flags='S', window=64240,
                   options=[('MSS', 1440), ('SAckOK', b''), ('NOP', None), ('WScale', 7)])

    def e4(i):
        return eth_header(cmac(0x90 + i), smac(0x90), ETH_IPV4)

    def e6(i):
        return eth_header(cmac(0x90 + i), smac(0x90), ETH_IPV6)

    # 1. IPv4 IHL = 4
    b = bytearray(raw(syn4(0x91, 0x91, 48001)))
    b[0] = 0x44
    bad.append(('IPv4 IHL 4 (< 5)', e4(1) + bytes(b)))
    # 2. IPv4 total length larger than the frame
    p = IP(raw(syn4(0x92, 0x92, 48002)))      # checksums right for the real 40-byte segment
    p.len = 1000
    del p.chksum
    f = e4(2) + raw(p)
    bad.append(('IPv4 total length 1000 in a %d-byte frame' % len(f), f))
    # 3. IPv4 ethertype, version 6
    b = bytearray(raw(syn4(0x93, 0x93, 48003)))
    b[0] = 0x65
    bad.append(('IPv4 ethertype, IP version field 6', e4(3) + bytes(b)))
    # 4. TCP data offset 4 (< 5)
    p = syn4(0x94, 0x94, 48004)
    p[TCP].options = []
    p[TCP].dataofs = 4
    bad.append(('TCP data offset 4 (< 5)', e4(4) + raw(p)))
    # 5. TCP data offset past the end of the packet
    p = syn4(0x95, 0x95, 48005)
    p[TCP].options = []
    p[TCP].dataofs = 15
    bad.append(('TCP data offset 15 (60 bytes) in a 20-byte segment', e4(5) + raw(p)))
    # 6a. frame cut in the middle of the TCP header (IP total length says 60)
    f = e4(6) + raw(syn4(0x96, 0x96, 48006))
    bad.append(('frame cut after 10 bytes of TCP header (IP total length 60)', f[:14 + 20 + 10]))
    # 6b. IP datagram that ends in the middle of the TCP header (IP total length 30)
    p = syn4(0x97, 0x97, 48007)
    full = bytearray(raw(p))
    p2 = IP(bytes(full))
    p2.len = 30
    del p2.chksum
    hdr = raw(p2)[:20]
    bad.append(('IP total length 30: TCP header only 10 bytes long', e4(7) + hdr + bytes(full[20:30])))
    # 7. non-first IPv4 fragment carrying bytes that look like a SYN
    synbytes = raw(syn4(0x98, 0x98, 48008))[20:]
    p = IP(src=c4(0x98), dst=s4(0x98), ttl=64, id=0x2f2f, flags=0, frag=185, proto=6) / \
        Raw(synbytes)
    bad.append(('non-first IPv4 fragment (offset 1480) whose payload looks like a SYN',
                e4(8) + raw(p)))
    # 7b. non-first IPv6 fragment carrying bytes that look like a SYN
    l4 = raw(IPv6(src=c6(0x99), dst=s6(0x99)) / syn6(0x99, 0x99, 48009))[40:]
    p = IPv6(src=c6(0x99), dst=s6(0x99), hlim=64, nh=NH_FRAG) / \
        IPv6ExtHdrFragment(nh=NH_TCP, offset=181, m=0, id=0x0d0d0d0d) / Raw(l4)
    bad.append(('non-first IPv6 fragment (offset 1448) whose payload looks like a SYN',
                e6(9) + raw(p)))
    # 8. IPv6 with 9 extension headers (HBH + 8 destination options), then a SYN
    exts = [IPv6ExtHdrHopByHop(options=[PadN(optdata=b'\x00' * 4)])] + \
        [IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\x00' * 4)]) for _ in range(8)]
    p = build_v6(c6(0x9a), s6(0x9a), exts, syn6(0x9a, 0x9a, 48010))
    bad.append(('IPv6 with 9 extension headers (HBH + 8 x DST) before a SYN', e6(10) + raw(p)))
    # 9. IPv6 payload length past the frame
    p = IPv6(src=c6(0x9b), dst=s6(0x9b), hlim=64, plen=500) / syn6(0x9b, 0x9b, 48011)
    f = e6(11) + raw(p)
    bad.append(('IPv6 payload length 500 in a %d-byte frame' % len(f), f))
    # 10. truncated Ethernet frame (10 bytes)
    bad.append(('10-byte Ethernet frame', (e4(12) + raw(syn4(0x9c, 0x9c, 48012)))[:10]))
    # 11. ARP request and reply (well-formed, not parsed: `other`)
    arp_req = eth_header(cmac(0x9d), 'ff:ff:ff:ff:ff:ff', ETH_ARP) + raw(
        ARP(op=1, hwsrc=cmac(0x9d), psrc=c4(0x9d), hwdst='00:00:00:00:00:00', pdst=c4(1)))
    arp_rep = eth_header(cmac(1), cmac(0x9d), ETH_ARP) + raw(
        ARP(op=2, hwsrc=cmac(1), psrc=c4(1), hwdst=cmac(0x9d), pdst=c4(0x9d)))
    bad.append(('ARP request (not malformed: other)', arp_req))
    bad.append(('ARP reply (not malformed: other)', arp_rep))
    # 12. UDP datagram to port 9999
    bad.append(('UDP to port 9999 (not malformed: parsed, no record)', e4(14) + raw(
        IP(src=c4(0x9e), dst=s4(0x9e), ttl=64, id=7) / UDP(sport=48014, dport=9999) /
        Raw(b'wirelat-udp-probe'))))
    # 13. GRE-encapsulated IPv4 SYN
    bad.append(('GRE (proto 47) carrying an IPv4 SYN (tunnel: other)', e4(15) + raw(
        IP(src='198.51.100.1', dst='203.0.113.1', ttl=64, id=9, proto=47) / GRE(proto=0x0800) /
        syn4(0x9f, 0x9f, 48015))))
    # 14. MPLS frame (one label, bottom of stack) carrying an IPv4 SYN
    label = struct.pack('!I', (16004 << 12) | (0 << 9) | (1 << 8) | 63)
    bad.append(('MPLS (0x8847, label 16004) carrying an IPv4 SYN (other)',
                eth_header(cmac(0xa0), smac(0x90), ETH_MPLS) + label +
                raw(syn4(0xa0, 0xa0, 48016))))

    # interleave: background complete handshakes every ~250 ms from t0 to t0 + 8 s, one bad
    # frame between each pair of them
    n = 0
    t = t0
    bg_times = []
    while t < t0 + 10 * S:
        n += 1
        conn = Conn(cap, c4(10 + n), s4(10 + n % 5), 49000 + n, [443, 80, 22][n % 3],
                    style=['linux', 'windows', 'minimal', 'mac'][n % 4], c_mac=cmac(10 + n),
                    s_mac=smac(10 + n % 5))
        exchange(conn, t, cap.rand_gap(50 * US, 40 * MS), cap.rand_gap(50 * US, 8 * MS), n=n,
                 label='good flow %d' % n)
        bg_times.append(t)
        t += 250 * MS + cap.dur(0, 20 * MS)
    for i, (label, frame) in enumerate(bad):
        tb = bg_times[i] + 123 * MS + i * US
        cap.add(tb, frame, note=label)

    # the SYN whose SYN-ACK has a bad data offset: stays pending, times out
    x = Conn(cap, c4(0xa1), s4(0xa1), 48017, 443, c_mac=cmac(0xa1), s_mac=smac(0xa1))
    tx = t0 + 4 * S + 77 * MS
    x.syn(tx)

    def bad_doff(f):
        f = bytearray(f)
        f[14 + 20 + 12] = (3 << 4) | (f[14 + 20 + 12] & 0x0F)   # data offset 3 (12 bytes)
        return bytes(f)
    x.send(SERVER, tx + cap.gap(2020 * US), 'SA', seq=x.isn[SERVER], ack=x.isn[CLIENT] + 1,
           options=x.syn_options(SERVER, tx), mangle=bad_doff,
           note='SYN-ACK with TCP data offset 3 (answers the SYN just before it)')
    x.synack_times.append(tx + 2020 * US)
    x.expect_failed('timeout', ts=tx + HANDSHAKE_TIMEOUT,
                    label='SYN whose SYN-ACK has TCP data offset 3: never completes, times out')
    cap.notes.append('198.51.100.161:48017 -> 203.0.113.161:443: SYN at +%.6f s, SYN-ACK with '
                     'data offset 3 at +%.6f s (malformed), no client ACK; times out at +%.6f s'
                     % ((tx - t0) / S, (tx + 2020 * US - t0) / S,
                        (tx + HANDSHAKE_TIMEOUT - t0) / S))
    return cap


# --------------------------------------------------------------------------------------------
# 10. tcp-nano.pcap
# --------------------------------------------------------------------------------------------

def gen_nano():
    cap = Capture('tcp-nano.pcap', nano=True, seed=1010)
    t0 = cap.start + 1           # 1 ns after the second
    rows = [
        ('server leg 123456789 ns, client leg 1 ns', c4(110), s4(110), 443, 123456789, 1, 0),
        ('legs 999 ns and 1001 ns', c6(0x111), s6(0x111), 80, 999, 1001, 7 * MS + 3),
        ('legs 50000001 ns and 123457 ns, crossing a second boundary', c4(112), s4(112), 22,
         50000001, 123457, 999999999 - 50000000 - 7),
    ]
    for n, (label, cip, sip, sp, sg, cg, off) in enumerate(rows, 1):
        conn = Conn(cap, cip, sip, 40100 + n, sp, style='linux', c_mac=cmac(0xb0 + n),
                    s_mac=smac(0xb0 + n))
        exchange(conn, t0 + off, cap.gap(sg), cap.gap(cg), n=n, label='flow %d: %s' % (n, label))
    return cap


# --------------------------------------------------------------------------------------------
# DNS: messages, UDP sockets, expectations
# --------------------------------------------------------------------------------------------

DNS_TIMEOUT = 5 * S            # wirelat's default --dns-timeout
QT = OrderedDict([('A', 1), ('NS', 2), ('CNAME', 5), ('SOA', 6), ('PTR', 12), ('MX', 15),
                  ('TXT', 16), ('AAAA', 28), ('SRV', 33), ('SVCB', 64), ('HTTPS', 65),
                  ('ANY', 255)])
QT_NAME = {v: k for k, v in QT.items()}
RC = OrderedDict([('NOERROR', 0), ('FORMERR', 1), ('SERVFAIL', 2), ('NXDOMAIN', 3),
                  ('NOTIMP', 4), ('REFUSED', 5)])
RC_NAME = {v: k for k, v in RC.items()}


def labels_of(name):
    """'www.Example.com' -> [b'www', b'Example', b'com']; '.' -> []; a list of bytes is kept."""
    if isinstance(name, (list, tuple)):
        return [bytes(x) for x in name]
    if name in ('', '.'):
        return []
    return [x.encode('latin-1') for x in name.rstrip('.').split('.')]


def name_wire(name):
    return b''.join(struct.pack('!B', len(x)) + x for x in labels_of(name)) + b'\x00'


def name_pres(name):
    """Presentation form as wirelat writes `qname`: no trailing dot, root '.', bytes outside
    0x21..0x7e and '.' or '\\' inside a label as \\DDD."""
    labels = labels_of(name)
    if not labels:
        return '.'
    out = []
    for lab in labels:
        out.append(''.join('\\%03d' % b if (b < 0x21 or b > 0x7e or b in (0x2e, 0x5c))
                           else chr(b) for b in lab))
    return '.'.join(out)


def qtype_field(qt):
    return QT_NAME.get(qt, qt)


def rcode_field(rc):
    return RC_NAME.get(rc, rc)


def qtype_num(qt):
    return QT[qt] if isinstance(qt, str) else qt


def rr(rtype, rdata, owner=b'\xc0\x0c', ttl=300, rclass=1):
    """A resource record; the owner defaults to a pointer to the question name."""
    return owner + struct.pack('!HHIH', rtype, rclass, ttl, len(rdata)) + rdata


def rdata_for(rtype, k):
    """Valid rdata of `rtype` (names written uncompressed); k varies the content."""
    k &= 0xFF
    if rtype == 1:
        return bytes([203, 0, 113, k])
    if rtype == 28:
        return struct.pack('!HHHHHHHH', 0x2001, 0x0db8, 0x0200, 0, 0, 0, 0, k)
    if rtype in (2, 5, 12):
        return name_wire('target%d.example.net' % k)
    if rtype == 15:
        return struct.pack('!H', 10 + k) + name_wire('mx%d.example.net' % k)
    if rtype in (16, 99):
        txt = ('v=test%d wirelat' % k).encode()
        return struct.pack('!B', len(txt)) + txt
    if rtype == 6:
        return (name_wire('ns1.example.net') + name_wire('hostmaster.example.net') +
                struct.pack('!IIIII', 2023111400 + k, 7200, 3600, 1209600, 300))
    if rtype == 33:
        return struct.pack('!HHH', 10, 5 + k, 5060) + name_wire('sip%d.example.net' % k)
    if rtype in (64, 65):
        return struct.pack('!H', 1) + b'\x00' + struct.pack('!HH', 1, 3) + b'\x02h2'
    return bytes([0xde, 0xad, k, 0x01])


def dns_msg(ident, name, qtype, qr=False, rcode=0, answers=0, tc=False, rd=True, aa=False,
            opcode=0, edns=False, soa=False, qdcount=1, question=None, k=0):
    """A DNS message: header, one question (or `question` bytes as given), `answers` answer
    records, an SOA in the authority section if `soa`, an EDNS OPT record if `edns`."""
    qt = qtype_num(qtype)
    flags = ((qr << 15) | (opcode << 11) | (aa << 10) | (tc << 9) | (rd << 8) |
             ((1 if qr else 0) << 7) | rcode)
    if question is None:
        question = name_wire(name) + struct.pack('!HH', qt, 1)
    body = question
    ans_type = 1 if qt == 255 else qt
    for i in range(answers):
        body += rr(ans_type, rdata_for(ans_type, k + i))
    if soa:
        body += rr(6, rdata_for(6, k))
    if edns:
        body += b'\x00' + struct.pack('!HHIH', 41, 1232, 0, 0)
    return struct.pack('!HHHHHH', ident, flags, qdcount, answers, 1 if soa else 0,
                       1 if edns else 0) + body


def tcp_framed(msg):
    return struct.pack('!H', len(msg)) + msg


class DnsSock:
    """A UDP client socket (ip, port) talking to one DNS server (ip, port)."""

    def __init__(self, cap, c_ip, cport, s_ip, sport=53, c_tags=(), s_tags=None, c_mac=None,
                 s_mac=None):
        self.cap = cap
        self.v6 = ':' in c_ip
        self.ip = {CLIENT: c_ip, SERVER: s_ip}
        self.port = {CLIENT: cport, SERVER: sport}
        self.mac = {CLIENT: c_mac or '02:00:00:00:01:01', SERVER: s_mac or '02:00:00:00:02:35'}
        self.tags = {CLIENT: tuple(c_tags), SERVER: tuple(c_tags if s_tags is None else s_tags)}
        self.ipid = {CLIENT: cap.rng.getrandbits(16), SERVER: cap.rng.getrandbits(16)}
        self.ttl = {CLIENT: 64, SERVER: 57}

    def l3(self, side, payload):
        src, dst = self.ip[side], self.ip[OTHER[side]]
        udp = UDP(sport=self.port[side], dport=self.port[OTHER[side]]) / Raw(payload)
        if self.v6:
            return IPv6(src=src, dst=dst, hlim=self.ttl[side]) / udp
        ipid = self.ipid[side]
        self.ipid[side] = (ipid + 1) & 0xFFFF
        return IP(src=src, dst=dst, ttl=self.ttl[side], id=ipid) / udp

    def send(self, side, t, payload, note=None):
        """Emit one datagram; returns (t, the IP packet bytes) (the latter for ICMP quotes)."""
        pkt = raw(self.l3(side, payload))
        et = ETH_IPV6 if self.v6 else ETH_IPV4
        self.cap.add(t, eth_header(self.mac[side], self.mac[OTHER[side]], et, self.tags[side]) +
                     pkt, note=note)
        return t, pkt

    def query(self, t, ident, name, qtype, note=None, **kw):
        return self.send(CLIENT, t, dns_msg(ident, name, qtype, **kw), note=note)[0]

    def response(self, t, ident, name, qtype, note=None, **kw):
        return self.send(SERVER, t, dns_msg(ident, name, qtype, qr=True, **kw), note=note)[0]

    def key(self, proto='udp'):
        return OrderedDict([('family', 6 if self.v6 else 4),
                            ('client_ip', self.ip[CLIENT]), ('client_port', self.port[CLIENT]),
                            ('server_ip', self.ip[SERVER]), ('server_port', self.port[SERVER])])


def expect_dns(cap, sock, ts, first, ident, name, qtype, rcode=0, answers=0, tc=False,
               retransmits=0, proto='udp', label=None):
    r = OrderedDict(type='dns', label=label, ts_ns=ts)
    r.update(sock.key())
    r.update(proto=proto, id=ident, qname=name_pres(name), qtype=qtype_field(qtype_num(qtype)),
             rcode=rcode_field(rcode), answers=answers, truncated=bool(tc),
             latency_ns=ts - first, query_retransmits=retransmits)
    cap.expect(r)
    cap.dns['dns_answered'] += 1
    cap.dns['dns_query_retransmits'] += retransmits
    return r


def expect_dns_timeout(cap, sock, ts, first, ident, name, qtype, reason='timeout', retransmits=0,
                       proto='udp', label=None):
    r = OrderedDict(type='dns_timeout', label=label, ts_ns=ts)
    r.update(sock.key())
    r.update(reason=reason, proto=proto, id=ident, qname=name_pres(name),
             qtype=qtype_field(qtype_num(qtype)), query_retransmits=retransmits,
             elapsed_ns=ts - first)
    cap.expect(r)
    cap.dns['dns_timeout' if reason == 'timeout' else 'dns_unreachable'] += 1
    cap.dns['dns_query_retransmits'] += retransmits
    return r


def transaction(cap, sock, t, latency, ident, name, qtype, rcode=0, answers=0, tc=False,
                label=None, **kw):
    """A query at t answered `latency` later; the expected `dns` record."""
    sock.query(t, ident, name, qtype, **kw)
    k = cap.rng.getrandbits(8)
    sock.response(t + latency, ident, name, qtype, rcode=rcode, answers=answers, tc=tc, k=k,
                  soa=(rcode == 3), **kw)
    return expect_dns(cap, sock, t + latency, t, ident, name, qtype, rcode, answers, tc,
                      label=label)


# --------------------------------------------------------------------------------------------
# 11. dns-udp.pcap
# --------------------------------------------------------------------------------------------

QTYPE_CYCLE = ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT', 'HTTPS', 'SVCB',
               'ANY', 99, 'A', 2000, 'AAAA']


def rcode_for(k):
    if k % 40 == 19:
        return RC['FORMERR']
    if k % 40 == 39:
        return RC['NOTIMP']
    if k % 20 == 9:
        return RC['REFUSED']
    if k % 10 == 3:
        return RC['NXDOMAIN']
    if k % 10 == 7:
        return RC['SERVFAIL']
    return RC['NOERROR']


def name_for(rng, qtype, k, client_ip):
    if qtype == 'PTR':
        if ':' in client_ip:
            return '.'.join(reversed('20010db8020000000000000000%06x' % k)) + '.ip6.arpa'
        return '%d.%d.113.203.in-addr.arpa' % (k % 250 + 1, 0)
    if qtype == 'SRV':
        return '_sip._udp.site%d.example.com' % k
    if qtype in ('SVCB',):
        return '_dns.resolver%d.example.net' % k
    tmpl = ['host%d.example.com', 'Api%d.Example.Net', 'CDN-%d.eXaMpLe.org',
            'x%d.svc.cluster.example', 'www.shop%d.example.co.uk', 'mail%d.EXAMPLE.com']
    return tmpl[rng.randrange(len(tmpl))] % k


def gen_dns_udp():
    cap = Capture('dns-udp.pcap', nano=True, seed=1101)
    rng = cap.rng
    t0 = cap.start + 1007
    servers = [(s4(53), smac(0x53)), (s4(54), smac(0x54)), (s6(0x53), smac(0x53)),
               (s6(0x54), smac(0x54))]

    # 64 client sockets; 5 queries each, all sent within 1.3 ms; every latency >= 2 ms, so all
    # 320 are outstanding at once before the first response
    socks = []
    used_ports = set()
    for i in range(64):
        v6 = i % 4 == 3
        while True:
            port = rng.randint(1024, 65535)
            if port not in used_ports:
                used_ports.add(port)
                break
        s_ip, s_mac = servers[(2 if v6 else 0) + (i // 4) % 2]
        if i % 8 == 1:
            tags, stags = [(TPID_8021Q, 53, 0)], None
        elif i % 8 == 5:
            tags, stags = [(TPID_8021Q, 54, 0)], []
        elif i == 14:
            tags, stags = [(TPID_8021AD, 100, 0), (TPID_8021Q, 53, 0)], None
        else:
            tags, stags = [], None
        c_ip = c6(0x10 + i) if v6 else c4(10 + i)
        socks.append(DnsSock(cap, c_ip, port, s_ip, c_tags=tags, s_tags=stags,
                             c_mac=cmac(10 + i), s_mac=s_mac))
    ids = {i: set() for i in range(64)}
    k_total = 320
    max_rsp = 0
    for k in range(k_total):
        i = k % 64
        sock = socks[i]
        if k < 12:
            ident = 0x2a2a          # the same ID on 12 client ports at once
        else:
            while True:
                ident = rng.getrandbits(16)
                if ident not in ids[i] and ident != 0x2a2a:
                    break
        ids[i].add(ident)
        qtype = QTYPE_CYCLE[k % len(QTYPE_CYCLE)]
        rcode = rcode_for(k)
        answers = 0
        if rcode == 0:
            answers = rng.randint(2, 4) if qtype == 'ANY' else rng.choice([0, 1, 1, 2, 3])
        name = name_for(rng, qtype, k, sock.ip[CLIENT])
        t = t0 + k * 4000 + rng.randint(0, 3999)
        lat = cap.rand_gap(2 * MS, 900 * MS)
        max_rsp = max(max_rsp, t + lat)
        transaction(cap, sock, t, lat, ident, name, qtype, rcode=rcode, answers=answers,
                    edns=(k % 3 == 0),
                    label='burst %d%s' % (k, ', ID 0x2a2a on 12 ports at once' if k < 12 else ''))
    cap.notes.append('queries 0-319 are all sent before the first response: 320 outstanding')

    # phase 2: the special cases, from t0 + 1 s (after the burst's responses started)
    t1 = t0 + 1 * S
    # 40 more transactions on burst sockets, latencies 50 us .. 900 ms, exact ends included
    for j in range(40):
        i = (j * 7) % 64
        sock = socks[i]
        while True:
            ident = rng.getrandbits(16)
            if ident not in ids[i]:
                break
        ids[i].add(ident)
        if j == 0:
            lat = cap.gap(50 * US)
        elif j == 1:
            lat = cap.gap(900 * MS)
        else:
            lat = cap.rand_gap(50 * US, 900 * MS)
        qtype = QTYPE_CYCLE[(j * 5) % len(QTYPE_CYCLE)]
        transaction(cap, sock, t1 + j * 1013 * US + rng.randint(0, 999), lat, ident,
                    name_for(rng, qtype, 1000 + j, sock.ip[CLIENT]), qtype,
                    rcode=rcode_for(j + 3), answers=1 if rcode_for(j + 3) == 0 else 0,
                    label='spread %d (latency %d ns)' % (j, lat))

    # ID reuse on one socket after its answer: new transactions (not duplicates)
    r = DnsSock(cap, c4(150), 50150, s4(53), c_mac=cmac(150), s_mac=smac(0x53))
    t = t1 + 10 * MS
    transaction(cap, r, t, cap.gap(1234567), 0x7777, 'reuse.example.com', 'A', answers=1,
                label='ID 0x7777: first transaction')
    transaction(cap, r, t + 40 * MS, cap.gap(3456789), 0x7777, 'reuse.example.com', 'A',
                answers=2, label='ID 0x7777 again after the answer, same question: new '
                                 'transaction')
    transaction(cap, r, t + 70 * MS, cap.gap(777001), 0x7777, 'reuse2.example.com', 'AAAA',
                answers=1, label='ID 0x7777 again after the answer, other question: new '
                                 'transaction')

    # truncated response (TC bit)
    tcs = DnsSock(cap, c4(151), 50151, s4(54), c_mac=cmac(151), s_mac=smac(0x54))
    transaction(cap, tcs, t1 + 20 * MS, cap.gap(4444321), 0x0bad, 'big.example.com', 'TXT',
                tc=True, edns=True, label='response with TC=1 (truncated), 0 answers')

    # qnames: case kept; a response whose qname differs only in case is a mismatch
    cs = DnsSock(cap, c6(0x152), 50152, s6(0x53), c_mac=cmac(152), s_mac=smac(0x53))
    transaction(cap, cs, t1 + 30 * MS, cap.gap(2345671), 0x1111, 'WwW.ExAmPlE.CoM', 'A',
                answers=1, label='mixed case kept')
    t = t1 + 35 * MS
    cs.query(t, 0x2222, 'MiXeD.Example.ORG', 'AAAA')
    cs.response(t + 1500 * US, 0x2222, 'mixed.example.org', 'AAAA', answers=1,
                note='response whose qname differs only in case: mismatch')
    cap.dns['dns_mismatch'] += 1
    cs.response(t + cap.gap(2500123), 0x2222, 'MiXeD.Example.ORG', 'AAAA', answers=1)
    expect_dns(cap, cs, t + 2500123, t, 0x2222, 'MiXeD.Example.ORG', 'AAAA', answers=1,
               label='answered after a case-only mismatch')

    odd = DnsSock(cap, c4(153), 50153, s4(53), c_tags=[(TPID_8021Q, 53, 3)], c_mac=cmac(153),
                  s_mac=smac(0x53))
    t = t1 + 40 * MS
    transaction(cap, odd, t, cap.gap(987654), 0x3001, [b'caf\xc3\xa9', b'example', b'com'],
                'A', answers=1, label='UTF-8 bytes in a label: \\195\\169')
    transaction(cap, odd, t + 1 * MS, cap.gap(876543), 0x3002,
                [b'a b\x00\x7f', b'q"uote', b'example'], 'TXT', answers=1,
                label='space, NUL, DEL and a double quote in labels')
    transaction(cap, odd, t + 2 * MS, cap.gap(765432), 0x3003, [b'a.b\\c', b'example', b'net'],
                'A', rcode=3, label="'.' and '\\' inside a label")
    transaction(cap, odd, t + 3 * MS, cap.gap(654321), 0x3004, '.', 'NS', answers=2,
                label='root name')
    n30 = 'thirty-byte-name.example.co.uk'
    assert len(n30) == 30
    transaction(cap, odd, t + 4 * MS, cap.gap(543210), 0x3005, n30, 'A', answers=1,
                label='30-byte qname')
    long_labels = [(('L%d-' % i) + 'abcdefghijklmnopqrstuvwxyz0123456789' * 2)[:63].encode()
                   for i in range(3)] + [b'end-' + b'z' * 57]
    assert len(name_wire(long_labels)) == 255 and len(name_pres(long_labels)) == 253
    transaction(cap, odd, t + 5 * MS, cap.gap(432109), 0x3006, long_labels, 'AAAA',
                answers=1, label='253-character qname (255 bytes on the wire: the maximum)')
    transaction(cap, odd, t + 6 * MS, cap.gap(321098), 0x3007, 'any.example.com', 'ANY',
                answers=4, label='ANY with 4 answers')
    cap.notes.append('no query is retransmitted and every query is answered; one mismatch')
    return cap


# --------------------------------------------------------------------------------------------
# 12. dns-udp-edge.pcap
# --------------------------------------------------------------------------------------------

def icmp_quote_v4(cap, t, src, dst, code, quoted, src_mac, dst_mac, ttl=64, ipid=0, note=None):
    pkt = IP(src=src, dst=dst, ttl=ttl, id=ipid) / ICMP(type=3, code=code) / Raw(quoted)
    cap.add(t, eth_header(src_mac, dst_mac, ETH_IPV4) + raw(pkt), note=note)


def icmp_quote_v6(cap, t, src, dst, code, quoted, src_mac, dst_mac, note=None):
    pkt = IPv6(src=src, dst=dst, hlim=64) / ICMPv6DestUnreach(code=code) / Raw(quoted)
    cap.add(t, eth_header(src_mac, dst_mac, ETH_IPV6) + raw(pkt), note=note)


def gen_dns_udp_edge():
    cap = Capture('dns-udp-edge.pcap', nano=False, seed=1202)
    t0 = cap.start
    srv = s4(53)
    sm = smac(0x53)
    T = DNS_TIMEOUT

    def sock(i, sport=53, server=srv):
        return DnsSock(cap, c4(i), 40000 + i, server, sport=sport, c_mac=cmac(i), s_mac=sm)

    # background: an answered query every ~250 ms from 0 to 18 s keeps the clock running
    t = t0 + 10 * MS
    n = 0
    bg = [sock(20 + i) for i in range(8)]
    while t < t0 + 18 * S:
        b = bg[n % len(bg)]
        qt = ['A', 'AAAA', 'MX', 'TXT'][n % 4]
        transaction(cap, b, t, cap.rand_gap(50 * US, 40 * MS), 0x1000 + n,
                    'bg%d.example.com' % n, qt, answers=1, label='background %d' % n)
        n += 1
        t += 250 * MS + cap.dur(0, 9 * MS)

    # (a) never answered
    a = sock(201)
    ta = t0 + 100 * MS
    a.query(ta, 0x0a01, 'unanswered.example.com', 'A', note='(a) query, never answered')
    expect_dns_timeout(cap, a, ta + T, ta, 0x0a01, 'unanswered.example.com', 'A',
                       label='(a) unanswered: ts = query + 5 s')

    # (b) retransmitted once (+1 s), then answered: latency from the first query
    b = sock(202)
    tb = t0 + 300 * MS
    b.query(tb, 0x0b02, 'retry-once.example.net', 'AAAA', note='(b) query')
    b.query(tb + 1 * S, 0x0b02, 'retry-once.example.net', 'AAAA', note='(b) retransmission')
    tr = tb + 1 * S + cap.gap(23456 * US)
    b.response(tr, 0x0b02, 'retry-once.example.net', 'AAAA', answers=1)
    expect_dns(cap, b, tr, tb, 0x0b02, 'retry-once.example.net', 'AAAA', answers=1,
               retransmits=1, label='(b) retransmitted once, answered: latency from the first')

    # (c) retransmitted twice, never answered: deadline = last transmission + 5 s
    c = sock(203)
    tc = t0 + 500 * MS
    for i in range(3):
        c.query(tc + i * S, 0x0c03, 'retry-twice.example.org', 'MX',
                note='(c) query' if i == 0 else '(c) retransmission %d' % i)
    expect_dns_timeout(cap, c, tc + 2 * S + T, tc, 0x0c03, 'retry-twice.example.org', 'MX',
                       retransmits=2, label='(c) retransmitted twice, never answered')

    # (d) responses with the right ID but another question: mismatch; answered later properly
    d = sock(204)
    td = t0 + 700 * MS
    d.query(td, 0x0d04, 'asked.example.com', 'A', note='(d) query')
    d.response(td + 10111 * US, 0x0d04, 'other.example.com', 'A', answers=1,
               note='(d) mismatch: other qname')
    d.response(td + 15222 * US, 0x0d04, 'asked.example.com', 'AAAA', answers=1,
               note='(d) mismatch: other qtype')
    cap.dns['dns_mismatch'] += 2
    tr = td + cap.gap(20333 * US)
    d.response(tr, 0x0d04, 'asked.example.com', 'A', answers=1, note='(d) the right response')
    expect_dns(cap, d, tr, td, 0x0d04, 'asked.example.com', 'A', answers=1,
               label='(d) answered after two mismatching responses')

    # (e) the same response twice: the second is a duplicate
    e = sock(205)
    te = t0 + 900 * MS
    e.query(te, 0x0e05, 'dup.example.com', 'A')
    tr = te + cap.gap(5555 * US)
    e.response(tr, 0x0e05, 'dup.example.com', 'A', answers=1)
    e.response(te + 6666 * US, 0x0e05, 'dup.example.com', 'A', answers=1,
               note='(e) duplicate response')
    cap.dns['dns_duplicate'] += 1
    expect_dns(cap, e, tr, te, 0x0e05, 'dup.example.com', 'A', answers=1,
               label='(e) answered (then a duplicate)')

    # (f) a response without any query
    f = sock(206)
    f.response(t0 + 1100 * MS, 0x0f06, 'unsolicited.example.com', 'A', answers=1,
               note='(f) unsolicited response')
    cap.dns['dns_unsolicited'] += 1

    # (g) ICMP port unreachable from the server, quoting the whole query
    g = DnsSock(cap, c4(207), 40207, s4(57), c_mac=cmac(207), s_mac=smac(0x57))
    tg = t0 + 1700 * MS
    _, q = g.send(CLIENT, tg, dns_msg(0x1207, 'icmp.example.com', 'A'), note='(g) query')
    ti = tg + cap.gap(345 * US)
    icmp_quote_v4(cap, ti, s4(57), c4(207), 3, q, smac(0x57), cmac(207), ttl=57, ipid=0x5757,
                  note='(g) ICMP port unreachable quoting the whole query')
    expect_dns_timeout(cap, g, ti, tg, 0x1207, 'icmp.example.com', 'A', reason='unreachable',
                       label='(g) ICMP port unreachable')

    # (g2) retransmitted, then ICMP host unreachable from a router quoting IP + UDP + DNS header
    g2 = DnsSock(cap, c4(208), 40208, s4(99), c_mac=cmac(208), s_mac=smac(1))
    tg2 = t0 + 1900 * MS
    g2.query(tg2, 0x1208, 'router.example.com', 'A')
    _, q = g2.send(CLIENT, tg2 + 1 * S, dns_msg(0x1208, 'router.example.com', 'A'),
                   note='(g2) retransmission')
    ti = tg2 + 1 * S + cap.gap(2345 * US)
    icmp_quote_v4(cap, ti, s4(1), c4(208), 1, q[:20 + 8 + 12], smac(1), cmac(208), ttl=254,
                  ipid=0x0101, note='(g2) ICMP host unreachable from 203.0.113.1 quoting IP + '
                                    'UDP + the 12-byte DNS header')
    expect_dns_timeout(cap, g2, ti, tg2, 0x1208, 'router.example.com', 'A', reason='unreachable',
                       retransmits=1, label='(g2) retransmitted, then ICMP host unreachable')

    # (h) IPv6: ICMPv6 port unreachable quoting the whole query
    h = DnsSock(cap, c6(0x209), 40209, s6(0x57), c_mac=cmac(209), s_mac=smac(0x57))
    th = t0 + 2100 * MS
    _, q = h.send(CLIENT, th, dns_msg(0x1209, 'icmp6.example.com', 'AAAA'), note='(h) query')
    ti = th + cap.gap(98765 * US)
    icmp_quote_v6(cap, ti, s6(0x57), c6(0x209), 4, q, smac(0x57), cmac(209),
                  note='(h) ICMPv6 port unreachable quoting the whole query')
    expect_dns_timeout(cap, h, ti, th, 0x1209, 'icmp6.example.com', 'AAAA', reason='unreachable',
                       label='(h) ICMPv6 port unreachable')

    # (i) the response comes 5.5 s later: timeout at the deadline, then `late`
    i_ = sock(210)
    ti = t0 + 2300 * MS
    i_.query(ti, 0x1210, 'late.example.com', 'A')
    i_.response(ti + 5500 * MS, 0x1210, 'late.example.com', 'A', answers=1,
                note='(i) late response (0.5 s after the deadline)')
    cap.dns['dns_late'] += 1
    expect_dns_timeout(cap, i_, ti + T, ti, 0x1210, 'late.example.com', 'A',
                       label='(i) timeout; the response 0.5 s after the deadline is late')

    # (k) port 5353 is not a DNS port by default: nothing
    k = sock(211, sport=5353)
    k.query(t0 + 3100 * MS, 0x1211, 'port5353.example.com', 'A', note='(k) query to port 5353')
    k.response(t0 + 3100 * MS + 1234 * US, 0x1211, 'port5353.example.com', 'A', answers=1,
               note='(k) response from port 5353')

    # (l) UDP to port 53 too short to be DNS
    ll = sock(212)
    ll.send(CLIENT, t0 + 3300 * MS, b'wirelat', note='(l) 7-byte UDP payload to port 53')
    ll.send(SERVER, t0 + 3300 * MS + 200 * US, b'\x12\x34\x81\x80\x00',
            note='(l) 5-byte UDP payload from port 53')

    # (m) malformed questions: a compression pointer, a 256-byte name, a 64-byte label,
    #     QDCOUNT 0, a question cut short. Each query is "answered" with the same question:
    #     nothing at all (no record, not unsolicited)
    m = sock(213)
    tm = t0 + 3500 * MS
    bad = [
        ('compression pointer in the qname',
         b'\x03www\xc0\x10' + struct.pack('!HH', 1, 1), 1),
        ('256-byte qname (wire form)',
         name_wire([b'a' * 63, b'b' * 63, b'c' * 63, b'd' * 62]) + struct.pack('!HH', 1, 1), 1),
        ('64-byte label', b'\x40' + b'x' * 64 + b'\x07example\x00' + struct.pack('!HH', 1, 1),
         1),
        ('QDCOUNT 0', b'', 0),
        ('question cut short (no QCLASS)', name_wire('short.example.com') + b'\x00\x01', 1),
    ]
    assert len(bad[1][1]) - 4 == 256
    for j, (what, question, qd) in enumerate(bad):
        ident = 0x1300 + j
        tq = tm + j * 20 * MS
        m.send(CLIENT, tq, dns_msg(ident, None, 1, question=question, qdcount=qd),
               note='(m) malformed query: %s' % what)
        m.send(SERVER, tq + 1 * MS, dns_msg(ident, None, 1, qr=True, question=question,
                                            qdcount=qd),
               note='(m) malformed response: %s' % what)

    # (o) the same ID with a new question while the first is pending: two transactions (the
    #     question is part of the key); the first, never answered, times out at its deadline
    o = sock(214)
    to = t0 + 4100 * MS
    o.query(to, 0x1414, 'first.example.com', 'A', note='(o) query')
    t2 = to + 200 * MS
    o.query(t2, 0x1414, 'second.example.com', 'A', note='(o) same ID, new question')
    expect_dns_timeout(cap, o, to + T, to, 0x1414, 'first.example.com', 'A',
                       label='(o) not ended by a new question on the same ID: its own timeout')
    tr = t2 + cap.gap(1234 * US)
    o.response(tr, 0x1414, 'second.example.com', 'A', answers=1)
    expect_dns(cap, o, tr, t2, 0x1414, 'second.example.com', 'A', answers=1,
               label='(o) the new question answered')

    # (p) a copy of a response 5.5 s after the answer: the answered entry is gone: unsolicited
    p = sock(215)
    tp = t0 + 4500 * MS
    tr = tp + cap.gap(10 * MS)
    p.query(tp, 0x1515, 'expire-answered.example.com', 'A')
    p.response(tr, 0x1515, 'expire-answered.example.com', 'A', answers=1)
    expect_dns(cap, p, tr, tp, 0x1515, 'expire-answered.example.com', 'A', answers=1,
               label='(p) answered')
    p.response(tr + 5500 * MS, 0x1515, 'expire-answered.example.com', 'A', answers=1,
               note='(p) the response again 5.5 s later: unsolicited')
    cap.dns['dns_unsolicited'] += 1

    # (q) a response after the timed-out entry is gone (deadline + 5 s): unsolicited, not late
    qq = sock(216)
    tq = t0 + 5000 * MS
    qq.query(tq, 0x1616, 'tombstone.example.com', 'A')
    expect_dns_timeout(cap, qq, tq + T, tq, 0x1616, 'tombstone.example.com', 'A',
                       label='(q) unanswered')
    qq.response(tq + T + T + 500 * MS, 0x1616, 'tombstone.example.com', 'A', answers=1,
                note='(q) response 0.5 s after the tombstone expired: unsolicited')
    cap.dns['dns_unsolicited'] += 1

    # (j) a query 2 s before the last frame: not reported
    end = max(fr[0] for fr in cap.frames)
    j = sock(217)
    j.query(end - 2 * S, 0x1717, 'pending-at-eof.example.com', 'A',
            note='(j) pending at end of file (2 s old): no record')
    cap.notes.append('last frame %s' % fmt_ns(end))
    return cap


# --------------------------------------------------------------------------------------------
# 13. dns-tcp.pcap
# --------------------------------------------------------------------------------------------

def tcp_open(conn, t, sg, cg, label):
    conn.syn(t)
    t = conn.synack(t + sg)
    t = conn.ack3(t + cg)
    conn.expect_handshake(label)
    return t


def tcp_close(conn, t, sg, cg, label):
    t = conn.send(CLIENT, t, 'FA')
    t = conn.send(SERVER, t + sg, 'FA')
    t = conn.send(CLIENT, t + cg, 'A')
    conn.expect_close('fin', ts=t, closed_by='client', label=label)
    return t


def gen_dns_tcp():
    cap = Capture('dns-tcp.pcap', nano=False, seed=1303)
    t0 = cap.start
    T = DNS_TIMEOUT

    def conn(i, v6=False):
        return Conn(cap, c6(0x30 + i) if v6 else c4(30 + i), s6(0x53) if v6 else s4(53),
                    50000 + i, 53, c_mac=cmac(30 + i), s_mac=smac(0x53))

    def rsp(ident, name, qtype, answers=1, rcode=0, k=0):
        return dns_msg(ident, name, qtype, qr=True, answers=answers, rcode=rcode, k=k)

    # (a) two queries on one connection, answered in order
    a = conn(1)
    t = tcp_open(a, t0, cap.gap(1111 * US), cap.gap(222 * US), '(a)')
    tq = a.send(CLIENT, t + 50 * US, 'PA', tcp_framed(dns_msg(0xa001, 'tcp-one.example.com',
                                                               'A')))
    tr = a.send(SERVER, tq + 1555 * US, 'PA', tcp_framed(rsp(0xa001, 'tcp-one.example.com',
                                                              'A')))
    expect_dns(cap, a, tr, tq, 0xa001, 'tcp-one.example.com', 'A', answers=1, proto='tcp',
               label='(a) first query')
    t = a.send(CLIENT, tr + 222 * US, 'A')
    tq = a.send(CLIENT, t + 5 * MS, 'PA', tcp_framed(dns_msg(0xa002, 'tcp-two.example.com',
                                                              'AAAA')))
    tr = a.send(SERVER, tq + 2222 * US, 'PA', tcp_framed(rsp(0xa002, 'tcp-two.example.com',
                                                              'AAAA', answers=2)))
    expect_dns(cap, a, tr, tq, 0xa002, 'tcp-two.example.com', 'AAAA', answers=2, proto='tcp',
               label='(a) second query')
    t = a.send(CLIENT, tr + 222 * US, 'A')
    tcp_close(a, t + 1 * MS, 1111 * US, 222 * US, '(a)')

    # (b) length prefix alone in one segment, the message in the next (query and response);
    # (b2) two pipelined queries in one segment; the first response and the second response's
    #      prefix in one segment, the second response in the next
    b = conn(2)
    t = tcp_open(b, t0 + 100 * MS, cap.gap(2345 * US), cap.gap(333 * US), '(b)')
    q = dns_msg(0xb001, 'prefix-alone.example.com', 'A')
    b.send(CLIENT, t + 60 * US, 'PA', struct.pack('!H', len(q)), note='(b) query prefix alone')
    tq = b.send(CLIENT, t + 100 * US, 'PA', q, note='(b) query message')
    t = b.send(SERVER, tq + 2345 * US, 'A')
    r = rsp(0xb001, 'prefix-alone.example.com', 'A')
    b.send(SERVER, t + 1 * MS, 'PA', struct.pack('!H', len(r)), note='(b) response prefix alone')
    tr = b.send(SERVER, t + 1 * MS + 30 * US, 'PA', r, note='(b) response message')
    expect_dns(cap, b, tr, tq, 0xb001, 'prefix-alone.example.com', 'A', answers=1, proto='tcp',
               label='(b) prefix alone, then the message (both ways)')
    t = b.send(CLIENT, tr + 333 * US, 'A')
    q2 = dns_msg(0xb002, 'pipelined-1.example.com', 'A')
    q3 = dns_msg(0xb003, 'pipelined-2.example.com', 'MX')
    tq = b.send(CLIENT, t + 3 * MS, 'PA', tcp_framed(q2) + tcp_framed(q3),
                note='(b2) two queries in one segment')
    r2 = rsp(0xb002, 'pipelined-1.example.com', 'A')
    r3 = rsp(0xb003, 'pipelined-2.example.com', 'MX', answers=2)
    tr2 = b.send(SERVER, tq + 2400 * US, 'PA', tcp_framed(r2) + struct.pack('!H', len(r3)),
                 note='(b2) a response and the next prefix')
    tr3 = b.send(SERVER, tr2 + 45 * US, 'PA', r3, note='(b2) the message of that prefix')
    expect_dns(cap, b, tr2, tq, 0xb002, 'pipelined-1.example.com', 'A', answers=1, proto='tcp',
               label='(b2) first pipelined query')
    expect_dns(cap, b, tr3, tq, 0xb003, 'pipelined-2.example.com', 'MX', answers=2,
               proto='tcp', label='(b2) second: its prefix ends the previous segment')
    t = b.send(CLIENT, tr3 + 333 * US, 'A')
    tcp_close(b, t + 1 * MS, 2345 * US, 333 * US, '(b)')

    # (c) 24 queries in one segment, 24 responses in one segment; (c2) 32 and 32
    for n_msgs, ci, start, lat in ((24, 3, 200 * MS, 3333 * US), (32, 4, 300 * MS, 4321 * US)):
        c = conn(ci)
        t = tcp_open(c, t0 + start, cap.gap((1234 + ci) * US), cap.gap((111 + ci) * US),
                     '(c) %d messages per segment' % n_msgs)
        qs, rs, meta = b'', b'', []
        for j in range(n_msgs):
            ident = (0x0c00 if n_msgs == 24 else 0x0d00) + j
            name = 'n%02d.bulk%d.example.com' % (j, n_msgs)
            qt = QTYPE_CYCLE[j % len(QTYPE_CYCLE)]
            rc = 3 if j % 4 == 1 else 0
            qs += tcp_framed(dns_msg(ident, name, qt))
            rs += tcp_framed(dns_msg(ident, name, qt, qr=True, rcode=rc))
            meta.append((ident, name, qt, rc))
        assert len(rs) <= 1448, len(rs)
        tq = c.send(CLIENT, t + 80 * US, 'PA', qs, note='(c) %d queries in one segment' % n_msgs)
        tr = c.send(SERVER, tq + cap.gap(lat), 'PA', rs,
                    note='(c) %d responses in one segment' % n_msgs)
        for ident, name, qt, rc in meta:
            expect_dns(cap, c, tr, tq, ident, name, qt, rcode=rc, answers=0, proto='tcp',
                       label='(c) %d per segment' % n_msgs)
        t = c.send(CLIENT, tr + (111 + ci) * US, 'A')
        tcp_close(c, t + 2 * MS, (1234 + ci) * US, (111 + ci) * US, '(c)')

    # (d) a response whose DNS header is split across two segments: skipped; its query
    #     times out 5 s later. (d2) a query whose question is split: skipped; its response is
    #     unsolicited. The framing survives both: later messages are parsed.
    d = conn(5)
    t = tcp_open(d, t0 + 500 * MS, cap.gap(3456 * US), cap.gap(444 * US), '(d)')
    tq1 = d.send(CLIENT, t + 70 * US, 'PA', tcp_framed(dns_msg(0xd001, 'split-header.example.com',
                                                                'A')))
    r = tcp_framed(rsp(0xd001, 'split-header.example.com', 'A'))
    t = d.send(SERVER, tq1 + 3456 * US, 'PA', r[:2 + 7],
               note='(d) response: prefix + 7 bytes of the DNS header')
    t = d.send(SERVER, t + 25 * US, 'PA', r[2 + 7:], note='(d) response: the rest')
    cap.dns['dns_skipped'] += 1
    expect_dns_timeout(cap, d, tq1 + T, tq1, 0xd001, 'split-header.example.com', 'A',
                       proto='tcp', label='(d) its response was skipped: timeout')
    t = d.send(CLIENT, t + 444 * US, 'A')
    tq = d.send(CLIENT, t + 10 * MS, 'PA', tcp_framed(dns_msg(0xd002, 'after-split.example.com',
                                                               'A')))
    tr = d.send(SERVER, tq + 3500 * US, 'PA', tcp_framed(rsp(0xd002, 'after-split.example.com',
                                                              'A')))
    expect_dns(cap, d, tr, tq, 0xd002, 'after-split.example.com', 'A', answers=1, proto='tcp',
               label='(d) the next response is parsed')
    t = d.send(CLIENT, tr + 444 * US, 'A')
    q = tcp_framed(dns_msg(0xd003, 'split-question.example.com', 'A'))
    t = d.send(CLIENT, t + 10 * MS, 'PA', q[:2 + 12 + 5],
               note='(d2) query: prefix, header, 5 bytes of the question')
    t = d.send(CLIENT, t + 30 * US, 'PA', q[2 + 12 + 5:], note='(d2) query: the rest')
    cap.dns['dns_skipped'] += 1
    tr = d.send(SERVER, t + 3600 * US, 'PA', tcp_framed(rsp(0xd003, 'split-question.example.com',
                                                             'A')),
                note='(d2) response to the skipped query: unsolicited')
    cap.dns['dns_unsolicited'] += 1
    tq = d.send(CLIENT, tr + 5 * MS, 'PA', tcp_framed(dns_msg(0xd004, 'after-split2.example.com',
                                                               'A')))
    tr = d.send(SERVER, tq + 3400 * US, 'PA', tcp_framed(rsp(0xd004, 'after-split2.example.com',
                                                              'A')))
    expect_dns(cap, d, tr, tq, 0xd004, 'after-split2.example.com', 'A', answers=1, proto='tcp',
               label='(d2) the next query is parsed')
    t = d.send(CLIENT, tr + 444 * US, 'A')
    tcp_close(d, t + 1 * MS, 3456 * US, 444 * US, '(d)')

    # (e) a TCP retransmission of the segment carrying a query: the same bytes, not a DNS
    #     retransmission
    e = conn(6)
    t = tcp_open(e, t0 + 800 * MS, cap.gap(1876 * US), cap.gap(555 * US), '(e)')
    seq = e.nxt[CLIENT]
    seg = tcp_framed(dns_msg(0xe001, 'retransmitted-segment.example.com', 'A'))
    tq = e.send(CLIENT, t + 90 * US, 'PA', seg, note='(e) query')
    t = e.send(CLIENT, tq + 204 * MS, 'PA', seg, seq=seq, note='(e) TCP retransmission')
    tr = e.send(SERVER, t + 1876 * US, 'PA',
                tcp_framed(rsp(0xe001, 'retransmitted-segment.example.com', 'A')))
    expect_dns(cap, e, tr, tq, 0xe001, 'retransmitted-segment.example.com', 'A', answers=1,
               proto='tcp', label='(e) segment retransmitted: latency from the first, '
                                  'query_retransmits 0')
    t = e.send(CLIENT, tr + 555 * US, 'A')
    tcp_close(e, t + 1 * MS, 1876 * US, 555 * US, '(e)')

    # (f) IPv6: two pipelined queries answered out of order, then one more
    f = conn(7, v6=True)
    t = tcp_open(f, t0 + 1200 * MS, cap.gap(2718 * US), cap.gap(666 * US), '(f)')
    tq = f.send(CLIENT, t + 40 * US, 'PA',
                tcp_framed(dns_msg(0xf001, 'v6-one.example.com', 'AAAA')) +
                tcp_framed(dns_msg(0xf002, 'v6-two.example.com', 'HTTPS')))
    tr2 = f.send(SERVER, tq + 2718 * US, 'PA', tcp_framed(rsp(0xf002, 'v6-two.example.com',
                                                               'HTTPS')))
    tr1 = f.send(SERVER, tr2 + 1 * MS, 'PA', tcp_framed(rsp(0xf001, 'v6-one.example.com',
                                                             'AAAA', answers=2)))
    expect_dns(cap, f, tr2, tq, 0xf002, 'v6-two.example.com', 'HTTPS', answers=1, proto='tcp',
               label='(f) second query answered first')
    expect_dns(cap, f, tr1, tq, 0xf001, 'v6-one.example.com', 'AAAA', answers=2, proto='tcp',
               label='(f) first query answered second')
    t = f.send(CLIENT, tr1 + 666 * US, 'A')
    tq = f.send(CLIENT, t + 2 * MS, 'PA', tcp_framed(dns_msg(0xf003, 'v6-three.example.com',
                                                              'SOA')))
    tr = f.send(SERVER, tq + 2800 * US, 'PA', tcp_framed(rsp(0xf003, 'v6-three.example.com',
                                                              'SOA')))
    expect_dns(cap, f, tr, tq, 0xf003, 'v6-three.example.com', 'SOA', answers=1, proto='tcp',
               label='(f) third query')
    t = f.send(CLIENT, tr + 666 * US, 'A')
    tcp_close(f, t + 1 * MS, 2718 * US, 666 * US, '(f)')

    # (g) a 2.5 kB response over three segments: header and question in the first one (the
    #     response counts there); the framing skips the rest and finds the next response
    g = conn(8)
    t = tcp_open(g, t0 + 1600 * MS, cap.gap(1357 * US), cap.gap(246 * US), '(g)')
    tq = g.send(CLIENT, t + 30 * US, 'PA', tcp_framed(dns_msg(0x9001, 'big-txt.example.com',
                                                               'TXT')))
    big = dns_msg(0x9001, 'big-txt.example.com', 'TXT', qr=True, answers=0)
    txt = b''.join(rr(16, struct.pack('!B', 200) + (b'%03d-' % n) * 50)
                   for n in range(14))
    big = big[:6] + struct.pack('!H', 14) + big[8:] + txt
    big = tcp_framed(big)
    assert 2 * 1448 < len(big) < 3 * 1448, len(big)
    tr = g.send(SERVER, tq + 1357 * US, 'A', big[:1448],
                note='(g) large response, segment 1 of 3 (header and question)')
    t = g.send(SERVER, tr + 12 * US, 'A', big[1448:2896], note='(g) segment 2 of 3')
    t = g.send(SERVER, t + 11 * US, 'PA', big[2896:], note='(g) segment 3 of 3')
    expect_dns(cap, g, tr, tq, 0x9001, 'big-txt.example.com', 'TXT', answers=14, proto='tcp',
               label='(g) large response: ts = its first segment (tshark: the last)')
    t = g.send(CLIENT, t + 246 * US, 'A')
    tq = g.send(CLIENT, t + 1 * MS, 'PA', tcp_framed(dns_msg(0x9002, 'after-big.example.com',
                                                              'A')))
    tr = g.send(SERVER, tq + 1400 * US, 'PA', tcp_framed(rsp(0x9002, 'after-big.example.com',
                                                              'A')))
    expect_dns(cap, g, tr, tq, 0x9002, 'after-big.example.com', 'A', answers=1, proto='tcp',
               label='(g) the next response')
    t = g.send(CLIENT, tr + 246 * US, 'A')
    tcp_close(g, t + 1 * MS, 1357 * US, 246 * US, '(g)')

    # (h) one more connection 6.5 s in: the clock passes (d)'s deadline
    h = conn(9)
    t = tcp_open(h, t0 + 6500 * MS, cap.gap(999 * US), cap.gap(123 * US), '(h)')
    tq = h.send(CLIENT, t + 20 * US, 'PA', tcp_framed(dns_msg(0x8001, 'late-conn.example.com',
                                                               'CNAME')))
    tr = h.send(SERVER, tq + 1001 * US, 'PA', tcp_framed(rsp(0x8001, 'late-conn.example.com',
                                                              'CNAME')))
    expect_dns(cap, h, tr, tq, 0x8001, 'late-conn.example.com', 'CNAME', answers=1,
               proto='tcp', label='(h)')
    t = h.send(CLIENT, tr + 123 * US, 'A')
    tcp_close(h, t + 1 * MS, 999 * US, 123 * US, '(h)')
    return cap


# --------------------------------------------------------------------------------------------
# Connection lifecycle, loss and continuous RTT: tcp-lifecycle.pcap, tcp-retrans.pcap,
# tcp-idle.pcap, tcp-loss.pcap. TConn predicts each connection's tcp_close record from what the
# scenario says every segment is (a retransmission or not, which packet starts and which
# answers an RTT sample), not from sequence arithmetic. The loss fields (DESIGN.md "Loss,
# located") are the exception: the ledger derives them from the segments it sends, by the
# rules (see TConn), and the tcp-loss.pcap scenarios assert them against what each case says.
# --------------------------------------------------------------------------------------------

M32 = 0xFFFFFFFF
RTT_MAX_AGE = 10 * S           # an unanswered RTT sample is dropped after 10 s
IDLE_TIMEOUT = 300 * S         # wirelat's default --idle-timeout
RST_ANSWERS_RTT = True         # a RST's TSecr / ACK answers a sample (as tests/truth.py)


def blob(n, k=0):
    """n bytes of filler (a fixed pattern: no protocol above TCP recognises it)."""
    pat = bytes((0x41 + (i * 7 + k) % 26) for i in range(64))
    return (pat * (n // 64 + 1))[:n]


class TConn(Conn):
    """A Conn with an expected tcp_close record (DESIGN.md, lifecycle and continuous RTT).

    TCP timestamps: each segment gets a new TSval (the 1 kHz clock, moved on by at least one
    tick) unless sent with hold_ts=True (a burst within one tick); TSecr echoes the other
    side's last TSval unless tsecr= is given.

    Once tracking starts (the completing or unobserved ACK, or start_midstream()), every
    captured segment goes through a ledger: bytes per direction, retransmissions as the
    scenario marks them (rtx=True), and the RTT samples. With timestamps (both the SYN and the
    SYN-ACK carried the option) only a segment with payload or FIN starts a sample: its TSval,
    the first time a side sends it on such a segment (a pure ACK's TSval is not even
    remembered), when none is outstanding; the first packet the other way with ACK set whose
    TSecr equals it answers it. Without timestamps a data segment that is not a retransmission
    starts one (end = seq + len), the first ACK the other way at or after the end answers it,
    and a retransmission drops an outstanding sample. A sample unanswered for more than 10 s is
    dropped by the next packet of its side. A client packet answered by the server is a
    `server` sample, the other way a `client` one. A RST answers like any packet
    (RST_ANSWERS_RTT; with timestamps only a RST with ACK set) and then closes the connection.

    Loss, located (DESIGN.md), per direction, over the captured segments once tracking starts:
    `segments` = segments with payload (a RST's included); on every segment but a RST:
    `seq_gaps` = data segments starting beyond the highest seq + len (+1 for FIN) the side has
    sent in the capture so far (from ISN + 1 after a handshake, the server's only where its
    SYN-ACK is in the capture; a mid-stream side's first segment only sets it); `dup_acks` =
    segments with ACK, no payload and no FIN whose ack number and window field equal those of
    the side's previous segment with ACK (the completing ACK is the client's first); and
    `zero_windows` = window field 0 after a non-zero one (a handshake makes both sides
    non-zero, a mid-stream start leaves them unknown).
    """

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.synack_seen = False           # a SYN-ACK of this connection is in the capture
        self.win_set = {CLIENT: None, SERVER: None}
        self.hold = {CLIENT: False, SERVER: False}
        self.cur_tsval = {CLIENT: None, SERVER: None}
        self.last_send = None
        self.hs_pkts = []       # the attempt's captured packets before tracking starts
        self.reset_ledger(False)

    def reset_ledger(self, tracking, start=None, midstream=False):
        self.tracking = tracking
        self.midstream = midstream
        self.start_ns = start
        self.last_seen = start
        self.xbytes = {CLIENT: 0, SERVER: 0}
        self.xrtx = {CLIENT: 0, SERVER: 0}
        self.xaq = 0            # the server's SYN-ACKs after the client's ACK (accept queue)
        # loss, located: counts per side, the highest sequence sent in the capture (None: not
        # known yet), the side's last (ack, window) with ACK set, its window: 'open' / 'zero'
        # / None (unknown)
        self.xloss = {k: {CLIENT: 0, SERVER: 0} for k in ('segments', 'seq_gaps', 'dup_acks',
                                                         'zero_windows')}
        self.xhigh = {CLIENT: None, SERVER: None}
        self.xref = {CLIENT: None, SERVER: None}
        self.xwin = {CLIENT: None, SERVER: None} if midstream else {CLIENT: 'open',
                                                                    SERVER: 'open'}
        self.samples = {'server': [], 'client': []}
        # per sample: whether a SYN or SYN-ACK started it (the handshake's samples are in the
        # record; a scenario's rtt= lists the ones its data makes)
        self.sample_hs = {'server': [], 'client': []}
        self.out = {CLIENT: None, SERVER: None}       # outstanding sample: (value, t, from hs)
        self.seen_tsval = {CLIENT: None, SERVER: None}
        self.has_ts = self.ts

    def start_midstream(self, t):
        """The next captured segment (payload, no SYN/FIN/RST) starts a mid-stream connection."""
        self.reset_ledger(True, start=t, midstream=True)

    def tsval(self, side, t):
        if self.hold[side] and self.cur_tsval[side] is not None:
            return self.cur_tsval[side]
        v = (self.ts0[side] + (t - BASE) // MS) & M32
        cur = self.cur_tsval[side]
        if cur is not None and ((v - cur) & M32 == 0 or (v - cur) & M32 >= 0x80000000):
            v = (cur + 1) & M32
        self.cur_tsval[side] = v
        return v

    def window(self, side, syn):
        if not syn and self.win_set[side] is not None:
            return self.win_set[side]
        return super().window(side, syn)

    def ack3(self, t, payload=b'', flags='A'):
        self.reset_ledger(True, start=self.syn_times[0])
        # SYN / SYN-ACK retransmissions are the handshake's, never the connection's
        self.xhigh[CLIENT] = (self.isn[CLIENT] + 1 + getattr(self, 'syn_len', 0)) & M32
        if self.synack_seen:
            self.xhigh[SERVER] = (self.isn[SERVER] + 1) & M32
        if self.has_ts:
            # DESIGN.md: a SYN's TSval starts a sample like any other. The attempt's SYNs
            # (the client's ISN), SYN-ACKs (acking ISN + 1) and the server's other ACKs
            # (no SYN, no RST) before this ACK, in timestamp mode
            for side, pt, fl, n, seq, ack, tsv, tse in self.hs_pkts:
                if 'R' in fl:
                    continue
                if side == CLIENT and not ('S' in fl and 'A' not in fl and
                                           seq == self.isn[CLIENT] & M32):
                    continue
                if side == SERVER and 'S' in fl and ack not in (
                        (self.isn[CLIENT] + 1) & M32,
                        (self.isn[CLIENT] + 1 + getattr(self, 'syn_len', 0)) & M32):
                    continue
                if side == SERVER and 'A' not in fl:
                    continue
                self._rtt_step(side, pt, fl, n, seq, ack, tsv, tse, False, True)
        self.hs_pkts = []
        return super().ack3(t, payload=payload, flags=flags)

    def send(self, side, t, flags, payload=b'', seq=None, ack=None, options=None, note=None,
             mangle=None, rtx=False, hold_ts=False, tsecr=None, hide=False):
        if self.visible[side] and not hide:
            assert self.last_send is None or t >= self.last_send, (self.cap.name, t)
            self.last_send = t
        syn = 'S' in flags
        s = self.nxt[side] if seq is None else seq
        a = (self.nxt[OTHER[side]] if 'A' in flags else 0) if ack is None else ack
        if options is None:
            self.hold[side] = hold_ts
            options = self.syn_options(side, t) if syn else self.seg_options(side, t)
            self.hold[side] = False
            if tsecr is not None:
                options = [(k, (v[0], tsecr) if k == 'Timestamp' else v) for k, v in options]
        tsv = tse = None
        for k, v in options:
            if k == 'Timestamp':
                tsv, tse = v
        vis = self.visible[side]
        win = self.window(side, syn)                # the window field Conn.send writes
        if hide:
            self.visible[side] = False
        try:
            super().send(side, t, flags, payload, seq=s, ack=a, options=options, note=note,
                         mangle=mangle)
        finally:
            self.visible[side] = vis
        if vis and not hide and syn and 'A' in flags:
            self.synack_seen = True
        if vis and not hide and not self.tracking:
            self.hs_pkts.append((side, t, flags, len(payload), s & M32, a & M32, tsv, tse))
        if vis and not hide and self.tracking and not syn:
            self._loss(side, flags, len(payload), s & M32, a & M32, win)
            self._ledger(side, t, flags, len(payload), s & M32, a & M32, tsv, tse, rtx)
        elif vis and not hide and self.tracking and syn:
            # only the server's SYN-ACK again after the client's ACK (a full accept queue,
            # DESIGN.md): no sequence bookkeeping, counted in accept_queue_drops; for RTT a
            # packet like others, Karn's rule dropping a seq/ack sample
            assert side == SERVER and 'A' in flags and not self.midstream, \
                'no other SYN on a tracked connection in these scenarios'
            self.xaq += 1
            self.last_seen = t
            self.xbytes[side] += len(payload)
            self._rtt_step(side, t, flags, len(payload), s & M32, a & M32, tsv, tse, True,
                           self.has_ts)
        return t

    def _loss(self, side, flags, n, seq, ack, win):
        """The loss counters of one captured segment of a tracked connection (see the class
        comment)."""
        x = self.xloss
        if n:
            x['segments'][side] += 1
        if 'R' in flags:
            return                                  # a RST: nothing more
        end = (seq + n + (1 if 'F' in flags else 0)) & M32
        high = self.xhigh[side]
        if high is None:
            self.xhigh[side] = end
        else:
            if n and 0 < (seq - high) & M32 < 0x80000000:
                x['seq_gaps'][side] += 1
            if 0 < (end - high) & M32 < 0x80000000:
                self.xhigh[side] = end
        if 'A' in flags:
            if not n and 'F' not in flags and self.xref[side] == (ack, win):
                x['dup_acks'][side] += 1
            self.xref[side] = (ack, win)
        if win == 0 and self.xwin[side] == 'open':
            x['zero_windows'][side] += 1
        self.xwin[side] = 'zero' if win == 0 else 'open'

    def _ledger(self, side, t, flags, n, seq, ack, tsv, tse, rtx):
        o = OTHER[side]
        self.last_seen = t
        self.xbytes[side] += n
        if rtx:
            self.xrtx[side] += 1
        if 'R' in flags and not RST_ANSWERS_RTT:
            return
        self._rtt_step(side, t, flags, n, seq, ack, tsv, tse, rtx, self.has_ts)

    def _rtt_step(self, side, t, flags, n, seq, ack, tsv, tse, rtx, has_ts):
        o = OTHER[side]
        smp = self.out[o]
        if smp is not None and t - smp[1] > RTT_MAX_AGE:
            smp = None          # unanswered for 10 s: an echo now answers nothing
        if smp is not None:
            if has_ts:
                hit = 'A' in flags and tse is not None and tse == smp[0]
            else:
                hit = 'A' in flags and (ack - smp[0]) & M32 < 0x80000000
            if hit:
                name = 'server' if o == CLIENT else 'client'
                self.samples[name].append(t - smp[1])
                self.sample_hs[name].append(smp[2])
                self.out[o] = None
        if has_ts:
            fresh = None
            if tsv is not None and (n > 0 or 'F' in flags or 'S' in flags):
                if tsv != self.seen_tsval[side]:
                    fresh = tsv
                self.seen_tsval[side] = tsv
        else:
            if rtx:
                self.out[side] = None
            fresh = (seq + n) & M32 if n > 0 and not rtx else None
        if self.out[side] is not None and t - self.out[side][1] > RTT_MAX_AGE:
            self.out[side] = None
        if fresh is not None and self.out[side] is None and 'R' not in flags:
            self.out[side] = (fresh, t, 'S' in flags)

    def expect_tclose(self, reason, ts, closed_by=None, end=None, label=None, rtt=None,
                      loss=None):
        """The tcp_close record; rtt = {'server': [...], 'client': [...]}, when given, must be
        what the ledger found (the scenario's intended legs); so must loss = {'seq_gaps_c2s':
        1, 'retransmits_s2c': 1, ...} (any loss or retransmits field, as the scenario says)."""
        if rtt is not None:
            for side in ('server', 'client'):
                mine = [v for v, hs in zip(self.samples[side], self.sample_hs[side]) if not hs]
                assert mine == rtt.get(side, []), (
                    self.cap.name, label, side, mine, rtt.get(side))
        r = OrderedDict(type='tcp_close', label=label, ts_ns=ts)
        r.update(self.key())
        r['reason'] = reason
        if closed_by:
            r['closed_by'] = closed_by
        end = ts if end is None else end
        r.update(duration_ns=end - self.start_ns, bytes_c2s=self.xbytes[CLIENT],
                 bytes_s2c=self.xbytes[SERVER], retransmits_c2s=self.xrtx[CLIENT],
                 retransmits_s2c=self.xrtx[SERVER])
        for side in ('server', 'client'):
            v = self.samples[side]
            if v:
                r['rtt_%s_min_ns' % side] = min(v)
                r['rtt_%s_avg_ns' % side] = sum(v) // len(v)
                r['rtt_%s_samples' % side] = len(v)
        r['midstream'] = self.midstream
        for k in ('segments', 'seq_gaps', 'dup_acks', 'zero_windows'):
            r[k + '_c2s'] = self.xloss[k][CLIENT]
            r[k + '_s2c'] = self.xloss[k][SERVER]
        r['accept_queue_drops'] = self.xaq
        for k, v in (loss or {}).items():
            assert r[k] == v, (self.cap.name, label, k, r[k], v)
        self.cap.expect(r)
        self.cap.closes[reason] += 1
        self.tracking = False
        return r

    def burst(self, side, t, sizes, flags='A', spacing=12 * US, last_flags='PA', note=None,
              first_hold=False):
        """Back-to-back segments of `sizes` bytes within one TS tick (first_hold: the tick of
        the side's previous segment); returns their times."""
        ts = []
        for i, n in enumerate(sizes):
            f = last_flags if i == len(sizes) - 1 else flags
            ts.append(self.send(side, t + i * spacing, f, blob(n, i),
                                hold_ts=i > 0 or first_hold, note=note))
        return ts


def lconn(cap, i, cport, sport, style='linux', v6=False, **kw):
    return TConn(cap, c6(0x100 + i) if v6 else c4(i), s6(0x100 + i) if v6 else s4(i), cport,
                 sport, style=style, c_mac=cmac(i), s_mac=smac(i), **kw)


def handshake(conn, t, sg, cg, label, payload=b''):
    conn.syn(t)
    t = conn.synack(t + sg)
    t = conn.ack3(t + cg, payload=payload)
    conn.expect_handshake(label)
    return t


def hidden_handshake(conn, t):
    """SYN, SYN-ACK, ACK that the capture does not hold (a connection seen mid-stream)."""
    conn.send(CLIENT, t, 'S', seq=conn.isn[CLIENT], hide=True)
    conn.send(SERVER, t + 1 * MS, 'SA', seq=conn.isn[SERVER], ack=conn.isn[CLIENT] + 1,
              hide=True)
    conn.send(CLIENT, t + 2 * MS, 'A', hide=True)
    return t + 2 * MS


# --------------------------------------------------------------------------------------------
# 14. tcp-lifecycle.pcap
# --------------------------------------------------------------------------------------------

def gen_lifecycle():
    cap = Capture('tcp-lifecycle.pcap', nano=False, seed=1401)
    t0 = cap.start

    # (A) FIN, client first; request in the completing ACK; ping-pong, ACKs piggybacked
    a = lconn(cap, 141, 50101, 443)
    t = handshake(a, t0, cap.gap(12345 * US), cap.gap(321 * US), '(A)', payload=blob(517))
    s1 = a.burst(SERVER, t + 13000 * US, [1448, 1448, 1448, 700])
    t = a.send(CLIENT, s1[-1] + 263 * US, 'PA', blob(300, 1))
    t = a.send(SERVER, t + 11111 * US, 'PA', blob(1200, 2))
    t = a.send(CLIENT, t + 444 * US, 'FA')
    t = a.send(SERVER, t + 12222 * US, 'FA')
    t = a.send(CLIENT, t + 333 * US, 'A')
    a.expect_tclose('fin', t, closed_by='client', label='(A) FIN, client first',
                    rtt={'server': [13000 * US, 11111 * US, 12222 * US],
                         'client': [299 * US, 444 * US, 333 * US]})

    # (B) IPv6, mac options, FIN, server first (HTTP/1.0 style)
    b = lconn(cap, 0x42, 50102, 80, style='mac', v6=True)
    t_ack = handshake(b, t0 + 100 * MS, cap.gap(2345 * US), cap.gap(678 * US), '(B)')
    t = b.send(CLIENT, t_ack + 40 * US, 'PA', blob(120, 3), hold_ts=True)   # TSval of the ACK
    s1 = b.burst(SERVER, t + 2500 * US, [1428, 572], spacing=10 * US)
    t = b.send(CLIENT, s1[-1] + 700 * US, 'A')
    t = b.send(SERVER, t + 3030 * US, 'FA')
    t = b.send(CLIENT, t + 765 * US, 'FA')
    t = b.send(SERVER, t + 2468 * US, 'A')
    b.expect_tclose('fin', t, closed_by='server', label='(B) FIN, server first',
                    rtt={'server': [2500 * US, 2468 * US],
                         'client': [710 * US, 765 * US]})

    # (C) no timestamps (windows options): seq/ack RTT; RST+ACK from the client
    c = lconn(cap, 143, 50103, 443, style='windows')
    t = handshake(c, t0 + 200 * MS, cap.gap(7777 * US), cap.gap(1111 * US), '(C)')
    t = c.send(CLIENT, t + 50 * US, 'PA', blob(517, 4))
    s1 = c.burst(SERVER, t + 7800 * US, [1448, 1448, 300])
    t = c.send(CLIENT, s1[-1] + 1200 * US, 'A')
    t = c.send(CLIENT, t + 2000 * US, 'PA', blob(64, 5))
    t = c.send(SERVER, t + 7900 * US, 'PA', blob(100, 6))
    t = c.send(CLIENT, t + 1300 * US, 'RA')
    c.expect_tclose('rst', t, closed_by='client', label='(C) RST+ACK from the client',
                    rtt={'server': [7800 * US, 7900 * US],
                         'client': [1224 * US, 1300 * US]})

    # (D) RST from the server (no ACK flag), carrying timestamps; it echoes the TSval of the
    #     client's pure ACK, which starts no sample (and a RST without ACK answers none)
    d = lconn(cap, 144, 50104, 8080)
    t_ack = handshake(d, t0 + 300 * MS, cap.gap(876 * US), cap.gap(5432 * US), '(D)')
    t = d.send(CLIENT, t_ack + 30 * US, 'PA', blob(200, 7), hold_ts=True)
    t = d.send(SERVER, t + 900 * US, 'PA', blob(1000, 8))
    t = d.send(CLIENT, t + 5500 * US, 'A')
    t = d.send(SERVER, t + 100 * MS, 'R', note='(D) RST from the server, TSecr = the '
               'client ACK\'s TSval')
    d.expect_tclose('rst', t, closed_by='server', label='(D) RST from the server',
                    rtt={'server': [900 * US], 'client': [5500 * US]})

    # (E) reused: SSH banners, no close; 1.9 s later a SYN with a new ISN on the same tuple
    e = lconn(cap, 145, 50105, 22)
    t = handshake(e, t0 + 400 * MS, cap.gap(3210 * US), cap.gap(99 * US), '(E) first')
    t = e.send(SERVER, t + 3300 * US, 'PA', b'SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.6\r\n')
    t = e.send(CLIENT, t + 150 * US, 'PA', b'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n')
    t = e.send(SERVER, t + 3250 * US, 'A')
    t_new = t + 1900 * MS
    e.expect_tclose('reused', t_new, label='(E) first connection, ended by the new SYN',
                    rtt={'server': [3250 * US], 'client': [150 * US]})
    e2 = TConn(cap, c4(145), s4(145), 50105, 22, c_isn=(e.isn[CLIENT] + 0x01000000) & M32,
               c_mac=cmac(145), s_mac=smac(145))
    t = handshake(e2, t_new, cap.gap(4444 * US), cap.gap(222 * US), '(E) second')
    t = e2.send(CLIENT, t + 20 * US, 'PA', blob(33, 9), hold_ts=True)
    t = e2.send(SERVER, t + 4500 * US, 'PA', blob(66, 10))
    t = e2.send(CLIENT, t + 260 * US, 'FA')
    t = e2.send(SERVER, t + 4400 * US, 'FA')
    t = e2.send(CLIENT, t + 230 * US, 'A')
    e2.expect_tclose('fin', t, closed_by='client', label='(E) second connection',
                     rtt={'server': [4500 * US, 4400 * US], 'client': [260 * US, 230 * US]})

    # (G) still open at the end of the file
    g = lconn(cap, 146, 50106, 443)
    t = handshake(g, t0 + 500 * MS, cap.gap(45678 * US), cap.gap(654 * US), '(G)',
                  payload=blob(310, 11))
    s1 = g.burst(SERVER, t + 45700 * US, [1448, 1448, 1104], spacing=15 * US)
    t = g.send(CLIENT, s1[-1] + 700 * US, 'A')
    g_last = t

    # (H) mid-stream with timestamps: the handshake is not in the capture; the server speaks
    #     first; FIN, client first
    h = lconn(cap, 147, 50107, 443)
    t = hidden_handshake(h, t0 + 590 * MS)
    h.start_midstream(t0 + 600 * MS)
    s1 = h.burst(SERVER, t0 + 600 * MS, [1448, 1448], spacing=10 * US)
    t = h.send(CLIENT, s1[-1] + 420 * US, 'A')
    t = h.send(SERVER, t + 8765 * US, 'PA', blob(600, 12))
    t = h.send(CLIENT, t + 390 * US, 'PA', blob(250, 13))
    t = h.send(SERVER, t + 8800 * US, 'A')
    t = h.send(CLIENT, t + 1000 * US, 'FA')
    t = h.send(SERVER, t + 8700 * US, 'FA')
    t = h.send(CLIENT, t + 410 * US, 'A')
    h.expect_tclose('fin', t, closed_by='client', label='(H) mid-stream, FIN',
                    rtt={'server': [8800 * US, 8700 * US],
                         'client': [430 * US, 390 * US, 410 * US]})

    # (I) mid-stream, equal ports, no timestamps ('minimal'): the receiver of the first
    #     segment is the server; open at the end of the file
    i = TConn(cap, c4(148), s4(148), 40148, 40148, style='minimal', c_mac=cmac(148),
              s_mac=smac(148))
    hidden_handshake(i, t0 + 690 * MS)
    i.start_midstream(t0 + 700 * MS)
    t = i.send(CLIENT, t0 + 700 * MS, 'PA', blob(700, 14))
    t = i.send(SERVER, t + 1500 * US, 'PA', blob(300, 15))
    t = i.send(CLIENT, t + 2500 * US, 'A')
    t = i.send(CLIENT, t + 5000 * US, 'PA', blob(100, 16))
    t = i.send(SERVER, t + 1600 * US, 'A')
    i_last = t

    # (J) unobserved: the SYN-ACK is not in the capture; the SYN was retransmitted once
    j = lconn(cap, 149, 50109, 80)
    tj = t0 + 800 * MS
    j.syn(tj)
    j.syn(tj + 1 * S, note='(J) SYN retransmitted (same ISN)')
    sg = cap.gap(1357 * US)
    j.synack(tj + 1 * S + sg, hide=True)
    t = j.ack3(tj + 1 * S + sg + cap.gap(2468 * US))
    cap.result('unobserved')
    t = j.send(CLIENT, t + 30 * US, 'PA', blob(150, 17), hold_ts=True)
    t = j.send(SERVER, t + 1400 * US, 'PA', blob(900, 18))
    t = j.send(CLIENT, t + 2500 * US, 'FA')
    t = j.send(SERVER, t + 1390 * US, 'FA')
    t = j.send(CLIENT, t + 2600 * US, 'A')
    j.expect_tclose('fin', t, closed_by='client', label='(J) unobserved handshake, FIN',
                    # the first SYN's TSval starts a sample the server never echoes (its
                    # SYN-ACK echoed the second SYN's): it holds the side's one outstanding
                    # sample until dropped 10 s later, so no server-side sample here
                    rtt={'server': [], 'client': [2500 * US, 2600 * US]})

    # (K) IPv6 bulk transfer: 20000 bytes up, then 65536 bytes down, in flights of up to 10
    #     segments of 1428 bytes; the receiver ACKs every second segment; FIN, server first
    k = lconn(cap, 0x4a, 50110, 443, v6=True, mss=(1440, 1440))
    t = handshake(k, t0 + 3 * S, cap.gap(2222 * US), cap.gap(1777 * US), '(K)')

    def transfer(side, t, total, back, fwd, first_hold=False):
        """`total` bytes from `side` in flights of up to 10 segments 10 us apart (one TS tick),
        the first at t; the receiver ACKs every second segment (and the last) `back` after it,
        the sender's next flight comes `fwd` after the flight's last ACK."""
        sizes = [1428] * (total // 1428) + ([total % 1428] if total % 1428 else [])
        other = OTHER[side]
        while sizes:
            flight, sizes = sizes[:10], sizes[10:]
            times = k.burst(side, t, flight, flags='A', last_flags='A' if sizes else 'PA',
                            spacing=10 * US, first_hold=first_hold)
            first_hold = False
            base = k.nxt[side] - sum(flight)
            acks = [n for n in range(2, len(flight) + 1, 2)]
            if len(flight) % 2:
                acks.append(len(flight))
            for i, n in enumerate(acks):
                last = k.send(other, times[n - 1] + back, 'A', ack=base + sum(flight[:n]),
                              hold_ts=i > 0)
            t = last + fwd
        return last

    t = transfer(CLIENT, t + 30 * US, 20000, 2222 * US, 1777 * US, first_hold=True)
    t = transfer(SERVER, t + 50 * US, 65536, 1777 * US, 2222 * US, first_hold=True)
    t = k.send(SERVER, t + 2225 * US, 'FA')
    t = k.send(CLIENT, t + 1780 * US, 'FA')
    t = k.send(SERVER, t + 2220 * US, 'A')
    k.expect_tclose('fin', t, closed_by='server', label='(K) bulk 20000 up, 65536 down')

    end = max(f[0] for f in cap.frames)
    g.expect_tclose('eof', g_last, label='(G) open at the end of the file (ts = its last '
                    'packet)', rtt={'server': [45700 * US], 'client': [730 * US]})
    i.expect_tclose('eof', i_last, label='(I) mid-stream, equal ports, open at the end',
                    rtt={'server': [1500 * US, 1600 * US], 'client': [2500 * US]})
    cap.notes.append('last frame at %s; (G) and (I) stay open (eof)' % fmt_ns(end))
    return cap


# --------------------------------------------------------------------------------------------
# 15. tcp-retrans.pcap
# --------------------------------------------------------------------------------------------

def gen_retrans():
    cap = Capture('tcp-retrans.pcap', nano=False, seed=1402)
    t0 = cap.start

    # (R1) timestamps; SYN retransmitted; fast retransmission s2c after 3 duplicate ACKs;
    #      timeout retransmissions both ways; partial overlap c2s; keepalives both ways (one
    #      with a byte of garbage); zero-window probes; FIN retransmitted
    r = lconn(cap, 150, 50201, 443)
    r.syn(t0)
    r.syn(t0 + 1 * S, note='(R1) SYN retransmitted (same ISN): the handshake\'s syn_retransmits')
    t = r.synack(t0 + 1 * S + cap.gap(12345 * US))
    t = r.ack3(t + cap.gap(321 * US), payload=blob(517))
    r.expect_handshake('(R1)')
    s = r.burst(SERVER, t + 12400 * US, [1448] * 6, last_flags='A')
    seq3 = (r.nxt[SERVER] - 4 * 1448) & M32          # the third segment is lost downstream
    ack3 = seq3
    t = r.send(CLIENT, s[1] + 320 * US, 'A', ack=ack3)
    for n in (3, 4, 5):
        t = r.send(CLIENT, s[n] + 320 * US, 'A', ack=ack3, hold_ts=True,
                   note='(R1) duplicate ACK %d' % (n - 2))
    t = r.send(SERVER, t + 12300 * US, 'PA', blob(1448, 2), seq=seq3, rtx=True,
               note='(R1) fast retransmission s2c')
    t = r.send(CLIENT, t + 321 * US, 'PA', blob(300, 3))            # request 2, lost downstream
    t = r.send(CLIENT, t + 200 * MS, 'PA', blob(300, 3), seq=r.nxt[CLIENT] - 300, rtx=True,
               note='(R1) timeout retransmission c2s')
    t = r.send(SERVER, t + 12290 * US, 'PA', blob(400, 4))           # response 2, lost downstream
    t = r.send(SERVER, t + 300 * MS, 'PA', blob(400, 4), seq=r.nxt[SERVER] - 400, rtx=True,
               note='(R1) timeout retransmission s2c')
    t = r.send(CLIENT, t + 322 * US, 'A')
    # partial overlap: 1000 bytes, only 500 acknowledged, then 1000 bytes from the 500th on
    t = r.send(CLIENT, t + 50 * MS, 'PA', blob(1000, 5))
    a_seq = (r.nxt[CLIENT] - 1000) & M32
    t = r.send(SERVER, t + 13000 * US, 'A', ack=a_seq + 500)
    t = r.send(CLIENT, t + 20 * MS, 'PA', blob(1000, 6), seq=a_seq + 500, rtx=True,
               note='(R1) partial overlap (500 bytes again, 500 new): retransmission c2s')
    t = r.send(SERVER, t + 12360 * US, 'A')
    # 12 s of silence, then keepalives (not retransmissions)
    t = r.send(CLIENT, t + 12 * S, 'A', seq=r.nxt[CLIENT] - 1, note='(R1) keepalive c2s')
    t = r.send(SERVER, t + 12340 * US, 'A')
    t = r.send(CLIENT, t + 5 * S, 'A', b'\x00', seq=r.nxt[CLIENT] - 1,
               note='(R1) keepalive c2s with one byte of garbage')
    t = r.send(SERVER, t + 12330 * US, 'A')
    t = r.send(SERVER, t + 3 * S, 'A', seq=r.nxt[SERVER] - 1, note='(R1) keepalive s2c')
    t = r.send(CLIENT, t + 318 * US, 'A')
    # zero window: the server's buffer is full; the client probes with one new byte, then the
    # same byte again; the window opens with the ACK of the second probe
    t = r.send(CLIENT, t + 1 * S, 'PA', blob(1448, 7))
    r.win_set[SERVER] = 0
    t = r.send(SERVER, t + 12350 * US, 'A', note='(R1) zero window')
    t = r.send(CLIENT, t + 200 * MS, 'A', b'Z', note='(R1) zero-window probe (a new byte)')
    zwp = (r.nxt[CLIENT] - 1) & M32
    t = r.send(SERVER, t + 12340 * US, 'A', ack=zwp)
    t = r.send(CLIENT, t + 400 * MS, 'A', b'Z', seq=zwp,
               note='(R1) zero-window probe again (the same byte)')
    r.win_set[SERVER] = None
    t = r.send(SERVER, t + 12355 * US, 'A', note='(R1) window open, probe byte acknowledged')
    t = r.send(CLIENT, t + 330 * US, 'PA', blob(700, 8))
    t = r.send(SERVER, t + 12365 * US, 'A')
    # FIN, client first, retransmitted
    t = r.send(CLIENT, t + 100 * MS, 'FA')
    t = r.send(CLIENT, t + 200 * MS, 'FA', seq=r.nxt[CLIENT] - 1, rtx=True,
               note='(R1) FIN retransmitted: retransmission c2s')
    t = r.send(SERVER, t + 12375 * US, 'FA')
    t = r.send(CLIENT, t + 319 * US, 'A')
    r.expect_tclose('fin', t, closed_by='client', label='(R1) retransmissions both ways')
    assert r.xrtx == {CLIENT: 3, SERVER: 2}, r.xrtx

    # (R2) no timestamps (windows options): SYN-ACK retransmitted; fast retransmission c2s
    #      that drops an outstanding seq/ack sample (Karn); timeout retransmission and
    #      retransmitted FIN s2c, server first
    w = lconn(cap, 151, 50202, 80, style='windows')
    tw = t0 + 100 * MS
    w.syn(tw)
    t = w.synack(tw + cap.gap(4321 * US))
    t = w.synack(t + 1 * S, note='(R2) SYN-ACK retransmitted: the handshake\'s synack_retransmits')
    t = w.ack3(t + cap.gap(765 * US))
    w.expect_handshake('(R2)')
    t = w.send(CLIENT, t + 50 * US, 'PA', blob(400, 9))
    t = w.send(SERVER, t + 4400 * US, 'PA', blob(1460, 10))
    t = w.send(CLIENT, t + 800 * US, 'A')
    u = w.burst(CLIENT, t + 20 * MS, [1460] * 6, last_flags='A', spacing=10 * US)
    u1_end = (w.nxt[CLIENT] - 5 * 1460) & M32        # u2 is lost downstream
    t_a1 = w.send(SERVER, u[0] + 4300 * US, 'A', ack=u1_end)
    for n in (2, 3, 4, 5):
        w.send(SERVER, u[n] + 4300 * US, 'A', ack=u1_end,
               note='(R2) duplicate ACK %d' % (n - 1))
    t = w.send(CLIENT, t_a1 + 760 * US, 'PA', blob(1460, 11))       # u7: starts a sample
    t_u7 = t
    t = w.send(CLIENT, u[4] + 4300 * US + 760 * US, 'A', blob(1460, 1), seq=u1_end, rtx=True,
               note='(R2) fast retransmission c2s (drops the sample of the segment before)')
    w.send(SERVER, t_u7 + 4300 * US, 'A', ack=u1_end, note='(R2) duplicate ACK 5')
    t = w.send(SERVER, t + 4300 * US, 'A')
    t = w.send(CLIENT, t + 760 * US, 'PA', blob(1000, 12))
    t = w.send(SERVER, t + 4310 * US, 'A')
    t = w.send(SERVER, t + 5 * MS, 'PA', blob(1000, 13))             # lost downstream
    t = w.send(SERVER, t + 300 * MS, 'PA', blob(1000, 13), seq=w.nxt[SERVER] - 1000,
               rtx=True, note='(R2) timeout retransmission s2c')
    t = w.send(CLIENT, t + 766 * US, 'A')
    t = w.send(SERVER, t + 3 * MS, 'PA', blob(500, 14))
    t = w.send(CLIENT, t + 999 * US, 'A')
    t = w.send(SERVER, t + 50 * MS, 'FA')
    t = w.send(SERVER, t + 200 * MS, 'FA', seq=w.nxt[SERVER] - 1, rtx=True,
               note='(R2) FIN retransmitted: retransmission s2c')
    t = w.send(CLIENT, t + 767 * US, 'FA')
    t = w.send(SERVER, t + 4301 * US, 'A')
    w.expect_tclose('fin', t, closed_by='server', label='(R2) no timestamps, retransmissions',
                    rtt={'server': [4400 * US, 4300 * US, 4310 * US],
                         'client': [800 * US, 999 * US]})
    assert w.xrtx == {CLIENT: 1, SERVER: 2}, w.xrtx

    # (R3) IPv6, timestamps, ping-pong with known legs: every request is answered by the
    #      server after srv[i], every response by the client's next segment after cli[i]
    p = lconn(cap, 0x52, 50203, 443, v6=True)
    srv = [12345 * US, 12501 * US, 12207 * US, 12999 * US, 12418 * US, 12360 * US]
    cli = [321 * US, 355 * US, 298 * US, 402 * US, 317 * US, 333 * US]
    t = handshake(p, t0 + 200 * MS, cap.gap(12347 * US), cap.gap(323 * US), '(R3)',
                  payload=blob(200, 15))
    for i in range(6):
        t = p.send(SERVER, t + srv[i], 'PA', blob(1000 + 100 * i, 16 + i))
        if i < 5:
            t = p.send(CLIENT, t + cli[i], 'PA', blob(150 + 10 * i, 22 + i))
        else:
            t = p.send(CLIENT, t + cli[i], 'FA')
    t = p.send(SERVER, t + 12444 * US, 'FA')
    t = p.send(CLIENT, t + 319 * US, 'A')
    p.expect_tclose('fin', t, closed_by='client', label='(R3) timestamps, known legs',
                    rtt={'server': srv + [12444 * US], 'client': cli + [319 * US]})

    # (R4) no timestamps (windows options), ping-pong with known data -> ACK legs
    q = lconn(cap, 153, 50204, 8080, style='windows')
    srv = [4321 * US, 4500 * US, 4123 * US, 4777 * US]
    cli = [654 * US, 700 * US, 612 * US, 688 * US]
    t = handshake(q, t0 + 300 * MS, cap.gap(4444 * US), cap.gap(555 * US), '(R4)')
    t = q.send(CLIENT, t + 40 * US, 'PA', blob(300, 30))
    for i in range(4):
        t = q.send(SERVER, t + srv[i], 'PA', blob(800 + 50 * i, 31 + i))
        if i < 3:
            t = q.send(CLIENT, t + cli[i], 'PA', blob(300 + 20 * i, 35 + i))
        else:
            t = q.send(CLIENT, t + cli[i], 'FA')
    t = q.send(SERVER, t + 4555 * US, 'FA')
    t = q.send(CLIENT, t + 600 * US, 'A')
    q.expect_tclose('fin', t, closed_by='client', label='(R4) no timestamps, known legs',
                    rtt={'server': srv, 'client': cli})
    return cap


# --------------------------------------------------------------------------------------------
# 16. tcp-idle.pcap (expected records for --idle-timeout 5s)
# --------------------------------------------------------------------------------------------

IDLE_TEST = 5 * S


def gen_idle():
    cap = Capture('tcp-idle.pcap', nano=False, seed=1403)
    cap.options = '--idle-timeout 5s'
    t0 = cap.start
    T = IDLE_TEST

    def opened(i, cport, sport, t, sg, cg, label, style='linux', v6=False):
        c = lconn(cap, i, cport, sport, style=style, v6=v6)
        t = handshake(c, t, cap.gap(sg), cap.gap(cg), label)
        t = c.send(CLIENT, t + 30 * US, 'PA', blob(100 + i, i), hold_ts=True)
        t = c.send(SERVER, t + sg + 40 * US, 'PA', blob(200 + i, i + 1))
        t = c.send(CLIENT, t + cg + 20 * US, 'A')
        return c, t

    def fin(c, t, sg, cg, label, closed=True):
        t = c.send(CLIENT, t, 'FA')
        t = c.send(SERVER, t + sg, 'FA')
        t = c.send(CLIENT, t + cg, 'A')
        if closed:
            c.expect_tclose('fin', t, closed_by='client', label=label)
        return t

    # the ticker: an exchange every 500 ms for 20 s keeps the clock moving
    k = lconn(cap, 160, 50301, 443)
    t = handshake(k, t0, cap.gap(2000 * US), cap.gap(250 * US), 'ticker')
    for n in range(40):
        tt = t0 + 10 * MS + n * 500 * MS
        k.send(CLIENT, tt, 'PA', blob(100, n))
        k.send(SERVER, tt + 2000 * US, 'PA', blob(100, n + 1))
    fin(k, t0 + 20 * S, 2001 * US, 251 * US, 'ticker')

    # (I1) idle 6 s, then more data: timeout, then a mid-stream connection
    c1, t = opened(161, 50302, 80, t0 + 100 * MS, 1100 * US, 110 * US, '(I1)')
    c1.expect_tclose('timeout', t + T, end=t, label='(I1) idle 6 s: timeout at last + 5 s')
    t = t + 6 * S
    c1.start_midstream(t)
    t = c1.send(CLIENT, t, 'PA', blob(321, 1))
    t = c1.send(SERVER, t + 1111 * US, 'PA', blob(654, 2))
    fin(c1, t + 113 * US, 1112 * US, 112 * US, '(I1) after the timeout: mid-stream')

    # (I2) idle 6 s, then FIN / FIN / ACK: nothing after the timeout
    c2, t = opened(162, 50303, 22, t0 + 200 * MS, 1200 * US, 120 * US, '(I2)')
    c2.expect_tclose('timeout', t + T, end=t, label='(I2) idle 6 s, then FINs (no record)')
    fin(c2, t + 6 * S, 1201 * US, 121 * US, None, closed=False)

    # (I3) IPv6, idle 6 s, then a RST from the server: nothing after the timeout
    c3, t = opened(0x63, 50304, 443, t0 + 300 * MS, 1300 * US, 130 * US, '(I3)', v6=True)
    c3.expect_tclose('timeout', t + T, end=t, label='(I3) idle 6 s, then RST (no record)')
    c3.send(SERVER, t + 6 * S, 'R')

    # (I4) a 4.9 s gap: no timeout
    c4_, t = opened(164, 50305, 8080, t0 + 400 * MS, 1400 * US, 140 * US, '(I4)')
    t = c4_.send(CLIENT, t + 4900 * MS, 'PA', blob(44, 4))
    t = c4_.send(SERVER, t + 1401 * US, 'A')
    fin(c4_, t + 1 * MS, 1402 * US, 141 * US, '(I4) 4.9 s gap, no timeout')

    # (I5) a gap of exactly 5 s: not expired (clock > last + T is needed)
    c5, t = opened(165, 50306, 443, t0 + 450 * MS, 1500 * US, 150 * US, '(I5)')
    t = c5.send(CLIENT, t + T, 'PA', blob(55, 5), note='(I5) exactly 5 s after its last packet')
    t = c5.send(SERVER, t + 1501 * US, 'A')
    fin(c5, t + 1 * MS, 1502 * US, 151 * US, '(I5) exactly 5 s gap, no timeout')

    # (I6) a gap of 5 s + 1 us: timeout, then a mid-stream connection
    c6_, t = opened(166, 50307, 443, t0 + 470 * MS, 1600 * US, 160 * US, '(I6)')
    c6_.expect_tclose('timeout', t + T, end=t, label='(I6) 5 s + 1 us gap: timeout')
    t = t + T + 1 * US
    c6_.start_midstream(t)
    t = c6_.send(CLIENT, t, 'PA', blob(66, 6), note='(I6) 5 s + 1 us after its last packet')
    t = c6_.send(SERVER, t + 1601 * US, 'A')
    fin(c6_, t + 1 * MS, 1602 * US, 161 * US, '(I6) after the timeout: mid-stream')

    # (I7) written when a pure ACK started an RTT sample: the completing ACK's sample was never
    #     echoed and was dropped after 10 s. A pure ACK starts none now (DESIGN.md), so every
    #     77-byte segment is timed by the server's ACK (the 10 s drop: tcp-rtt.pcap)
    c7 = lconn(cap, 167, 50308, 443)
    t_ack = handshake(c7, t0 + 1 * S, cap.gap(7070 * US), cap.gap(707 * US), '(I7)')
    for dt, leg in ((1 * S, 7000), (4 * S, 7001), (7 * S, 7002), (9500 * MS, 7003),
                    (11 * S, 7777)):
        t = c7.send(CLIENT, t_ack + dt, 'PA', blob(77, 7))
        t = c7.send(SERVER, t + leg * US, 'A')
    t = c7.send(CLIENT, t + 800 * US, 'FA')
    t = c7.send(SERVER, t + 7100 * US, 'FA')
    t = c7.send(CLIENT, t + 810 * US, 'A')
    c7.expect_tclose('fin', t, closed_by='client',
                     label='(I7) the completing pure ACK starts no sample: every segment timed',
                     rtt={'server': [7000 * US, 7001 * US, 7002 * US, 7003 * US, 7777 * US,
                                     7100 * US],
                          'client': [810 * US]})

    # (I8) silent for the last ~10 s of the file: timed out at the end of the file
    c8, t8 = opened(168, 50309, 80, t0 + 10 * S, 1800 * US, 180 * US, '(I8)')
    c8.expect_tclose('timeout', t8 + T, end=t8, label='(I8) silent at the end: timeout '
                     '(judged at the end of the file)')

    # (I9) open at the end of the file, 2.9 s after its last packet
    c9, t9 = opened(169, 50310, 80, t0 + 17 * S, 1900 * US, 190 * US, '(I9)')
    c9.expect_tclose('eof', t9, label='(I9) open at the end of the file')
    end = max(f[0] for f in cap.frames)
    assert t8 + T < end and t9 + T > end, (fmt_ns(t8), fmt_ns(t9), fmt_ns(end))
    cap.notes.append('expected records are for --idle-timeout 5s; with the default 300 s '
                     'nothing times out (see README)')
    return cap


# --------------------------------------------------------------------------------------------
# 17. tcp-realworld.pcap: handshakes as real clients and servers make them (DESIGN.md: RST in
#     SYN-SENT, challenge ACKs, the backoff-aware deadline, resumed attempts, late SYN-ACKs)
# --------------------------------------------------------------------------------------------

def gen_realworld():
    cap = Capture('tcp-realworld.pcap', nano=False, seed=1701)
    t0 = cap.start

    def conn(i, cport, sport, style='linux', v6=False, c_isn=None, s_isn=None, tconn=True):
        cls = TConn if tconn else Conn
        return cls(cap, c6(0x100 + i) if v6 else c4(i), s6(0x100 + i) if v6 else s4(i), cport,
                   sport, style=style, c_mac=cmac(i), s_mac=smac(i), c_isn=c_isn, s_isn=s_isn)

    def finish(c, t, sg, cg, label):
        """A request, its response, FIN client first: the expected tcp_close `fin`."""
        t = c.send(CLIENT, t + 40 * US, 'PA', blob(300, 1))
        t = c.send(SERVER, t + sg, 'PA', blob(900, 2))
        t = c.send(CLIENT, t + cg, 'FA')
        t = c.send(SERVER, t + sg, 'FA')
        t = c.send(CLIENT, t + cg, 'A')
        c.expect_tclose('fin', t, closed_by='client', label=label)
        return t

    # (a) stale server state (RFC 5961): the server still holds an old connection on the tuple
    #     and answers the SYN with a bare ACK of an old sequence number y; the client answers
    #     that with a RST of sequence y (not its ISN: not an abort) and sends the SYN again, the
    #     same ISN, 3.06 s after the first; SYN-ACK 9 ms later, ACK 9 ms after that
    a = conn(170, 50401, 443, c_isn=0x6a000000, s_isn=0x2b000000)
    ta = t0
    x = a.isn[CLIENT]
    y = (x - 0x00500000) & M32             # where the old connection's client had got to
    a.syn(ta)
    a.send(SERVER, ta + 9 * MS, 'A', seq=(a.isn[SERVER] - 0x00300000) & M32, ack=y,
           note='(a) challenge ACK: a bare ACK of the old connection (ack = y, not ISN + 1)')
    a.challenge_acks += 1
    cap.challenge_acks += 1
    a.send(CLIENT, ta + 9 * MS + 60 * US, 'R', seq=y, ack=0, options=[],
           note='(a) the client\'s RST to the challenge ACK: seq = y (ignored)')
    a.syn(ta + 3060 * MS, note='(a) the SYN again, same ISN, 3.06 s after the first')
    t = a.synack(ta + 3060 * MS + cap.gap(9 * MS))
    t = a.ack3(t + 9 * MS)                 # both legs 9 ms, as asked (not registered twice)
    r = a.expect_handshake('(a) challenge ACK, RST, SYN again after 3.06 s')
    assert r['handshake_ns'] == 3060 * MS + 18 * MS and r['challenge_acks'] == 1
    finish(a, t, 9 * MS + 5 * US, 330 * US, '(a)')

    # (b) Windows backoff: SYNs at 0, 3 and 9 s (deadlines 5, 10.5 and 24 s), SYN-ACK 10 ms
    #     after the last: completes, no failure
    b = conn(171, 50402, 443, style='windows')
    tb = t0 + 100 * MS
    for dt in (0, 3 * S, 9 * S):
        b.syn(tb + dt)
    assert syn_deadline(b.syn_times[:2]) == tb + 10500 * MS
    t = b.synack(tb + 9 * S + cap.gap(10 * MS))
    t = b.ack3(t + cap.gap(451 * US))
    b.expect_handshake('(b) Windows backoff: SYNs at 0, 3, 9 s')
    finish(b, t, 10 * MS + 7 * US, 452 * US, '(b)')

    # (c) Linux backoff: SYNs at 0, 1, 3, 7 and 15 s (deadlines 5, 6, 8, 17, 35 s), then the
    #     SYN-ACK: completes, no failure
    c = conn(172, 50403, 80)
    tc = t0 + 200 * MS
    for dt in (0, 1 * S, 3 * S, 7 * S, 15 * S):
        c.syn(tc + dt)
    t = c.synack(tc + 15 * S + cap.gap(12345 * US))
    t = c.ack3(t + cap.gap(678 * US))
    c.expect_handshake('(c) Linux backoff: SYNs at 0, 1, 3, 7, 15 s')
    finish(c, t, 12346 * US, 679 * US, '(c)')

    # (d) Linux backoff that gives up: SYNs at 0, 1, 3, 7 s, then nothing: one timeout at
    #     7 + max(5, 2.5 x 4) = 17 s after the first SYN
    d = conn(173, 50404, 443, tconn=False)
    td = t0 + 300 * MS
    for dt in (0, 1 * S, 3 * S, 7 * S):
        d.syn(td + dt)
    assert syn_deadline(d.syn_times) == td + 17 * S
    d.expect_failed('timeout', ts=syn_deadline(d.syn_times),
                    label='(d) Linux backoff 0, 1, 3, 7 s, then gives up: timeout at 17 s')

    # (e) resumed: SYN at 0; the client's retransmissions at 1 s and 3 s are lost before the
    #     observation point, the one at 7 s is seen: after the deadline (5 s; the timeout is
    #     reported), within the tombstone (until 5 + 5 = 10 s): the attempt resumes (new
    #     deadline 7 + 2.5 x 7 s), the SYN-ACK completes it, handshake_ns from the first SYN
    e = conn(174, 50405, 443)
    te = t0 + 400 * MS
    e.syn(te)
    e.expect_failed('timeout', ts=te + HANDSHAKE_TIMEOUT,
                    label='(e) timeout at 5 s, before the client gives up')
    e.syn(te + 7 * S, note='(e) the same ISN after the deadline, within the tombstone: resumes')
    t = e.synack(te + 7 * S + cap.gap(23456 * US))
    t = e.ack3(t + cap.gap(1234 * US))
    e.expect_handshake('(e) resumed: handshake_ns from the first SYN, syn_retransmits 1')
    finish(e, t, 23457 * US, 1235 * US, '(e)')

    # (e2) the same with the second SYN at 12 s: a SYN with the attempt's ISN resumes it up
    #      to 130 s after the first SYN (DESIGN.md), so it resumes here too (handshake_ns from
    #      the first SYN, one retransmission)
    e2 = conn(175, 50406, 443)
    te2 = t0 + 500 * MS
    e2.syn(te2)
    e2.expect_failed('timeout', ts=te2 + HANDSHAKE_TIMEOUT,
                     label='(e2) timeout at 5 s')
    e2.syn(te2 + 12 * S, note='(e2) the same ISN at 12 s: the attempt resumes')
    t = e2.synack(te2 + 12 * S + cap.gap(3456 * US))
    t = e2.ack3(t + cap.gap(2345 * US))
    e2.expect_handshake('(e2) resumed at 12 s')
    finish(e2, t, 3457 * US, 2346 * US, '(e2)')

    # (e3) a SYN with a new ISN during the tombstone: a fresh attempt
    e3 = conn(176, 50407, 8080, c_isn=0x0e300000)
    te3 = t0 + 600 * MS
    e3.syn(te3)
    e3.expect_failed('timeout', ts=te3 + HANDSHAKE_TIMEOUT,
                     label='(e3) timeout at 5 s')
    e3b = conn(176, 50407, 8080, c_isn=0x0e3f0000)
    e3b.syn(te3 + 7 * S, note='(e3) a new ISN within the tombstone: a fresh attempt')
    t = e3b.synack(te3 + 7 * S + cap.gap(4567 * US))
    t = e3b.ack3(t + cap.gap(3465 * US))
    e3b.expect_handshake('(e3) the new attempt')
    finish(e3b, t, 4568 * US, 3457 * US, '(e3)')

    # (f) late: SYN, no retransmission, SYN-ACK 6 s later (after the deadline, within the
    #     tombstone): a timeout, then `late`; the client's ACK then finds nothing
    f = conn(177, 50408, 443, tconn=False)
    tf = t0 + 700 * MS
    f.syn(tf)
    f.expect_failed('timeout', ts=tf + HANDSHAKE_TIMEOUT,
                    label='(f) SYN-ACK 6 s later: timeout at the deadline, then late')
    t = f.synack(tf + 6 * S, note='(f) SYN-ACK 1 s after the deadline: late')
    cap.result('late')
    f.send(CLIENT, t + cap.gap(789 * US), 'A')

    # (g) challenge ACKs on an attempt that fails: two (SYNs at 0 and 1 s, each answered by a
    #     bare ACK, each ACK answered by a RST of its ack number), then nothing: timeout at
    #     1 + max(5, 2.5) = 6 s; both ACKs counted
    g = conn(178, 50409, 22, c_isn=0x11700000, s_isn=0x7a000000, tconn=False)
    tg = t0 + 800 * MS
    yg = (g.isn[CLIENT] - 0x01000000) & M32
    for k, dt in enumerate((0, 1 * S)):
        g.syn(tg + dt)
        g.send(SERVER, tg + dt + 3 * MS, 'A', seq=(g.isn[SERVER] - 0x100000) & M32, ack=yg,
               note='(g) challenge ACK %d' % (k + 1))
        g.send(CLIENT, tg + dt + 3 * MS + 50 * US, 'R', seq=yg, ack=0, options=[],
               note='(g) RST to challenge ACK %d (ignored)' % (k + 1))
        cap.challenge_acks += 1
    g.expect_failed('timeout', ts=syn_deadline(g.syn_times),
                    label='(g) two challenge ACKs, then nothing: timeout at 6 s')

    # (h) RSTs that do not end the attempt (RFC 9293, SYN-SENT), each on its own tuple, then
    #     the real SYN-ACK and ACK complete the handshake
    rows = [
        ('(h1) RST+ACK from the server acknowledging ISN + 1001 (not the SYN)', SERVER, 'RA',
         lambda c: ((c.isn[SERVER] - 0x10000) & M32, c.isn[CLIENT] + 1001)),
        ('(h2) RST without ACK from the server', SERVER, 'R',
         lambda c: ((c.isn[SERVER] - 0x20000) & M32, 0)),
        ('(h3) RST from the client with an unrelated sequence number (ISN - 0x123456)', CLIENT,
         'R', lambda c: ((c.isn[CLIENT] - 0x123456) & M32, 0)),
        ('(h4) RST from the client with sequence number ISN + 2', CLIENT, 'R',
         lambda c: ((c.isn[CLIENT] + 2) & M32, 0)),
    ]
    for n, (label, side, flags, seqack) in enumerate(rows):
        h = conn(180 + n, 50410 + n, 443, s_isn=0x40000000 + n * 0x01000000)
        th = t0 + 900 * MS + n * 20 * MS
        h.syn(th)
        sq, ak = seqack(h)
        nxt = dict(h.nxt)                   # a RST moves no sequence number on
        h.send(side, th + 2 * MS, flags, seq=sq, ack=ak, options=[], note=label + ': ignored')
        h.nxt = nxt
        t = h.synack(th + cap.gap((5100 + n * 111) * US))
        t = h.ack3(t + cap.gap((310 + n * 11) * US))
        h.expect_handshake(label + ', then SYN-ACK and ACK')
        finish(h, t, (5101 + n * 111) * US, (311 + n * 11) * US, label)

    # (h5) after the SYN-ACK (SYNACK_SEEN) a RST from the server acknowledging ISN + 5 and a
    #      RST from the client with sequence ISN + 7: both ignored, the ACK completes it
    h5 = conn(184, 50414, 443)
    th = t0 + 1000 * MS
    h5.syn(th)
    t = h5.synack(th + cap.gap(6006 * US))
    h5.send(SERVER, t + 100 * US, 'RA', seq=(h5.isn[SERVER] + 1) & M32,
            ack=h5.isn[CLIENT] + 5, options=[],
            note='(h5) RST+ACK from the server, ack ISN + 5: ignored')
    nxt = dict(h5.nxt)
    h5.send(CLIENT, t + 200 * US, 'R', seq=(h5.isn[CLIENT] + 7) & M32, ack=0, options=[],
            note='(h5) RST from the client, seq ISN + 7: ignored')
    h5.nxt = nxt
    t = h5.ack3(t + cap.gap(606 * US))
    h5.expect_handshake('(h5) two RSTs after the SYN-ACK ignored, then the ACK')
    finish(h5, t, 6007 * US, 607 * US, '(h5)')

    # (i) valid: RST+ACK from the server acknowledging the SYN (ack = ISN + 1): refused;
    #     RST from the client with sequence ISN + 1 after the SYN-ACK: aborted
    i1 = conn(185, 50415, 8443, tconn=False)
    ti = t0 + 1100 * MS
    i1.syn(ti)
    t = i1.send(SERVER, ti + cap.gap(345 * US), 'RA', seq=0, ack=i1.isn[CLIENT] + 1, options=[])
    i1.expect_failed('refused', ts=t, label='(i1) RST+ACK, ack = ISN + 1: refused')
    i2 = conn(186, 50416, 443, tconn=False)
    ti = t0 + 1200 * MS
    i2.syn(ti)
    t = i2.synack(ti + cap.gap(4321 * US))
    t = i2.send(CLIENT, t + 210 * US, 'R', seq=i2.isn[CLIENT] + 1, ack=0, options=[],
                note='(i2) the client\'s RST to the SYN-ACK (its socket is gone): seq ISN + 1')
    i2.expect_failed('aborted', ts=t,
                     label='(i2) RST from the client after the SYN-ACK, seq ISN + 1: aborted')

    # (j) plain handshakes every 2 s up to 30 s keep the clock moving past every deadline and
    #     tombstone
    n = 0
    t = t0 + 1300 * MS
    while t < t0 + 30 * S:
        n += 1
        bg = conn(190 + n, 50430 + n, [443, 80, 22][n % 3],
                  style=['linux', 'windows', 'mac'][n % 3])
        sg, cg = cap.rand_gap(100 * US, 20 * MS), cap.rand_gap(50 * US, 2 * MS)
        t_ack = handshake(bg, t, sg, cg, 'background %d' % n)
        finish(bg, t_ack, sg + 1 * US, cg + 1 * US, 'background %d' % n)
        t += 2 * S + cap.dur(0, 9 * MS)
    end = max(fr[0] for fr in cap.frames)
    assert end > td + 27 * S, fmt_ns(end)  # past (d)'s tombstone (deadline 17 s + 10 s)
    cap.notes.append('last frame %s' % fmt_ns(end))
    return cap


# --------------------------------------------------------------------------------------------
# 18. tcp-rtt.pcap: continuous RTT as DESIGN.md has it (only payload, SYN or FIN starts a
#     sample; the answer has ACK set; seq/ack where either side declined timestamps)
# --------------------------------------------------------------------------------------------

def gen_rtt():
    cap = Capture('tcp-rtt.pcap', nano=True, seed=1801)
    t0 = cap.start + 17

    # (T1) timestamps both ways; the handshake's last ACK is a pure ACK (TSval v0) that the
    #      server never echoes; then 40 client data segments, 50 ms apart, each with a new
    #      TSval, each acknowledged by the server 20 ms later with TSecr = that TSval: 40
    #      server-side samples of exactly 20 ms. The client ends it with a RST+ACK (a RST
    #      starts no sample): no client-side sample at all
    a = lconn(cap, 0x70, 50501, 443, v6=True)
    t = handshake(a, t0, cap.gap(20 * MS + 1), cap.gap(345678), '(T1)')
    for i in range(40):
        t = a.send(CLIENT, t + 30 * MS, 'PA', blob(100 + i, i))
        t = a.send(SERVER, t + 20 * MS, 'A')
    t = a.send(CLIENT, t + 5 * MS, 'RA', note='(T1) RST+ACK from the client')
    a.expect_tclose('rst', t, closed_by='client',
                    label='(T1) 40 segments each answered 20 ms later: 40 server samples',
                    rtt={'server': [20 * MS] * 40, 'client': []})

    # (T2) the server declines timestamps: the client's SYN has the option, the SYN-ACK has
    #      not (and so no later segment): RTT from seq/ack. Five requests, each answered 15 ms
    #      later by a response (a server-side sample), each response acknowledged 400 us
    #      later (a client-side sample); FIN client first
    b = lconn(cap, 0x71, 50502, 80, server_ts=False)
    t = handshake(b, t0 + 10 * MS, cap.gap(15 * MS + 7), cap.gap(400123), '(T2)')
    for i in range(5):
        t = b.send(CLIENT, t + 2 * MS, 'PA', blob(200 + 10 * i, 40 + i))
        t = b.send(SERVER, t + 15 * MS, 'PA', blob(1000 + 100 * i, 50 + i))
        t = b.send(CLIENT, t + 400 * US, 'A')
    t = b.send(CLIENT, t + 3 * MS, 'FA')
    t = b.send(SERVER, t + 15 * MS, 'FA')
    t = b.send(CLIENT, t + 400 * US, 'A')
    b.expect_tclose('fin', t, closed_by='client',
                    label='(T2) timestamps declined by the server: RTT from seq/ack',
                    rtt={'server': [15 * MS] * 5, 'client': [400 * US] * 5})

    # (T3) an unanswered sample is dropped after 10 s: the server's ACK of the first data
    #      segment is lost before the observation point (never captured), so its TSval is
    #      never echoed; the segments every 2 s after it find the sample outstanding and start
    #      none (their ACKs echo their own TSvals); the one at 11 s drops it (older than 10 s)
    #      and starts a new one, answered 7.777 ms later
    c = lconn(cap, 0x72, 50503, 443)
    t_ack = handshake(c, t0 + 20 * MS, cap.gap(7 * MS + 77), cap.gap(707070), '(T3)')
    t = c.send(CLIENT, t_ack + 1 * MS, 'PA', blob(77, 60))
    c.send(SERVER, t + 7 * MS, 'A', hide=True)
    for k in range(1, 6):
        t = c.send(CLIENT, t_ack + 1 * MS + k * 2 * S, 'PA', blob(77, 60 + k))
        t = c.send(SERVER, t + 7 * MS, 'A')
    t = c.send(CLIENT, t_ack + 1 * MS + 11 * S, 'PA', blob(77, 66),
               note='(T3) 11 s after the unanswered sample: dropped, a new one starts')
    t = c.send(SERVER, t + 7777 * US, 'A')
    t = c.send(CLIENT, t + 1 * MS, 'FA')
    t = c.send(SERVER, t + 7 * MS, 'FA')
    t = c.send(CLIENT, t + 700 * US, 'A')
    c.expect_tclose('fin', t, closed_by='client', label='(T3) a sample dropped after 10 s',
                    rtt={'server': [7777 * US, 7 * MS], 'client': [700 * US]})

    # (T4) only a packet with ACK set answers: the client's request (a sample) is answered by
    #      a RST from the server without ACK whose TSecr equals its TSval: no sample
    d = lconn(cap, 0x73, 50504, 8080)
    t = handshake(d, t0 + 30 * MS, cap.gap(3 * MS + 3), cap.gap(303030), '(T4)')
    t = d.send(CLIENT, t + 100 * US, 'PA', blob(150, 70))
    t = d.send(SERVER, t + 3 * MS, 'R', note='(T4) RST without ACK, TSecr = the request\'s TSval')
    d.expect_tclose('rst', t, closed_by='server',
                    label='(T4) a RST without ACK answers no sample',
                    rtt={'server': [], 'client': []})

    # (T5) a pure ACK and the data segment after it share a TSval (one TS tick): the pure ACK
    #      is not remembered, so the data segment starts the sample; the server's pure ACKs
    #      start none (the client's next data echoes them: no client-side sample until the
    #      server sends data)
    e = lconn(cap, 0x74, 50505, 443)
    t = handshake(e, t0 + 40 * MS, cap.gap(4 * MS + 4), cap.gap(404040), '(T5)')
    for i in range(3):
        t = e.send(CLIENT, t + 200 * US, 'A', note='(T5) a pure ACK' if i == 0 else None)
        t = e.send(CLIENT, t + 100 * US, 'PA', blob(300, 80 + i), hold_ts=True)
        t = e.send(SERVER, t + 4 * MS, 'A')
    t = e.send(SERVER, t + 1 * MS, 'PA', blob(500, 90))
    t = e.send(CLIENT, t + 404 * US, 'FA')
    t = e.send(SERVER, t + 4 * MS, 'FA')
    t = e.send(CLIENT, t + 405 * US, 'A')
    e.expect_tclose('fin', t, closed_by='client',
                    label='(T5) pure ACKs start no sample, even with the data\'s TSval',
                    rtt={'server': [4 * MS] * 4, 'client': [404 * US, 405 * US]})
    return cap


# --------------------------------------------------------------------------------------------
# 19. tcp-merged.pcap: two captures of other dates merged end to end (`mergecap -a`): the
#     first part of the file is dated one day later than the second. Expiry is judged by the
#     time of the packet being processed; at the end of the file by the highest time.
# --------------------------------------------------------------------------------------------

DAY = 86400 * S


def gen_merged():
    cap = Capture('tcp-merged.pcap', nano=False, seed=1901)
    late0 = cap.start + DAY                 # the first part: one day later
    early0 = cap.start                      # the second part
    T = HANDSHAKE_TIMEOUT

    def conn(i, cport, sport, style='linux'):
        return TConn(cap, c4(i), s4(i), cport, sport, style=style, c_mac=cmac(i),
                     s_mac=smac(i))

    def full(c, t, sg, cg, label, close=True):
        """Handshake, a request and its response, FIN client first (close) or nothing."""
        t = handshake(c, t, cap.gap(sg), cap.gap(cg), label)
        t = c.send(CLIENT, t + 50 * US, 'PA', blob(200, 1))
        t = c.send(SERVER, t + sg, 'PA', blob(700, 2))
        t = c.send(CLIENT, t + cg, 'A')
        if close:
            t = c.send(CLIENT, t + 1 * MS, 'FA')
            t = c.send(SERVER, t + sg, 'FA')
            t = c.send(CLIENT, t + cg, 'A')
            c.expect_tclose('fin', t, closed_by='client', label=label)
        return t

    def dns(sock, t, latency, ident, name):
        sock.query(t, ident, name, 'A')
        sock.response(t + latency, ident, name, 'A', answers=1, k=ident & 0xFF)
        expect_dns(cap, sock, t + latency, t, ident, name, 'A', answers=1,
                   label='DNS %s' % name)

    # part 1 (first in the file), dated one day later ------------------------------------------
    cap.part = 0
    for n, (off, sg, cg) in enumerate(((0, 11 * MS, 300 * US), (500 * MS, 12 * MS, 310 * US),
                                        (1 * S, 13 * MS, 320 * US),
                                        (8500 * MS, 14 * MS, 330 * US),
                                        (9 * S, 15 * MS, 340 * US))):
        full(conn(200 + n, 50600 + n, 443), late0 + off, sg, cg,
             '(L%d) later day: complete' % (n + 1))
    # (LU) a SYN never answered: its deadline (+7 s) is passed by a later packet of this part
    lu = conn(210, 50610, 443)
    lu.syn(late0 + 2 * S, note='(LU) unanswered SYN, later day')
    lu.expect_failed('timeout', ts=late0 + 2 * S + T,
                     label='(LU) unanswered, later day: timeout at its deadline')
    # (LO) a connection left open: the file's highest time (this part's end) is within the
    #      idle timeout of its last packet: `eof`
    lo = conn(211, 50611, 80)
    t_lo = full(lo, late0 + 8800 * MS, 16 * MS, 350 * US, '(LO) later day, left open',
                close=False)
    lo.expect_tclose('eof', t_lo, label='(LO) later day, open at the end of the file: eof')
    ds = DnsSock(cap, c4(212), 50612, s4(53), c_mac=cmac(212), s_mac=smac(0x53))
    dns(ds, late0 + 3 * S, 4567 * US, 0x4d01, 'later.example.com')

    # part 2 (after it in the file), dated one day earlier -------------------------------------
    cap.part = 1
    # (E1-E3) right after the jump back: three handshakes whose SYN-ACKs come within 20 ms;
    #         the file's highest time is a day ahead of them: no false timeout
    for n, (off, sg, cg) in enumerate(((0, 19 * MS, 400 * US), (1 * MS, 18 * MS, 410 * US),
                                        (2 * MS, 17 * MS, 420 * US))):
        full(conn(220 + n, 50620 + n, 443), early0 + off, sg, cg,
             '(E%d) earlier day, right after the jump: complete' % (n + 1))
    for n, (off, sg, cg) in enumerate(((3 * S, 16 * MS + 1 * US, 430 * US),
                                        (6 * S, 15 * MS + 1 * US, 440 * US),
                                        (7500 * MS, 14 * MS + 1 * US, 450 * US))):
        full(conn(223 + n, 50623 + n, 80), early0 + off, sg, cg,
             '(E%d) earlier day: complete' % (n + 4))
    # (EU) a SYN never answered: its deadline (+5.5 s) is passed by a later packet of this part
    eu = conn(230, 50630, 443)
    eu.syn(early0 + 500 * MS, note='(EU) unanswered SYN, earlier day')
    eu.expect_failed('timeout', ts=early0 + 500 * MS + T,
                     label='(EU) unanswered, earlier day: timeout at its deadline')
    # (EU2) a SYN never answered near the end of this part: no later packet of the part
    #       passes its deadline, the file's highest time does: reported at the end of the file
    eu2 = conn(231, 50631, 443)
    eu2.syn(early0 + 7600 * MS, note='(EU2) unanswered SYN, judged at the end of the file')
    eu2.expect_failed('timeout', ts=early0 + 7600 * MS + T,
                      label='(EU2) unanswered, earlier day: timeout at the end of the file')
    # (EO) a connection left open: idle for more than 300 s by the file's highest time:
    #      `timeout` at the end of the file (ts = last packet + 300 s)
    eo = conn(232, 50632, 80)
    t_eo = full(eo, early0 + 4 * S, 21 * MS, 460 * US, '(EO) earlier day, left open',
                close=False)
    eo.expect_tclose('timeout', t_eo + IDLE_TIMEOUT, end=t_eo,
                     label='(EO) earlier day, left open: idle timeout at the end of the file')
    # DNS: answered within 20 ms (not a false timeout), and one query never answered
    ds2 = DnsSock(cap, c4(233), 50633, s4(53), c_mac=cmac(233), s_mac=smac(0x53))
    dns(ds2, early0 + 3 * MS, 19 * MS, 0x4e01, 'earlier.example.com')
    dns(ds2, early0 + 6500 * MS, 5678 * US, 0x4e02, 'earlier2.example.com')
    ds3 = DnsSock(cap, c4(234), 50634, s4(53), c_mac=cmac(234), s_mac=smac(0x53))
    ds3.query(early0 + 1 * S, 0x4e03, 'unanswered.example.com', 'A',
              note='(EQ) DNS query never answered, earlier day')
    expect_dns_timeout(cap, ds3, early0 + 1 * S + DNS_TIMEOUT, early0 + 1 * S, 0x4e03,
                       'unanswered.example.com', 'A',
                       label='(EQ) DNS query unanswered: timeout at its deadline')
    cap.part = 0
    last = [f for f in cap.sorted_frames()][-1][0]
    assert late0 + 2 * S + T < late0 + 9 * S and early0 + 500 * MS + T < last
    assert early0 + 7600 * MS + T > last
    cap.notes.append('frames 1-%d dated %s (later day), then frames dated %s (one day earlier)'
                     % (sum(1 for f in cap.frames if f[5] == 0), fmt_ns(late0)[:10],
                        fmt_ns(early0)[:10]))
    return cap


# --------------------------------------------------------------------------------------------
# 20. dns-collide.pcap: questions compared byte for byte, not by a hash
# --------------------------------------------------------------------------------------------

FNV_PRIME = 0x100000001b3
M64 = (1 << 64) - 1


def old_qhash(qname_wire, qtype):
    """wirelat's former 64-bit question hash (include/dns.bpf.h, wl_dns_question): FNV-style
    over the wire-form qname in 8-byte little-endian words, the last one masked to the name's
    bytes, then the qtype and the length."""
    h = 0xcbf29ce484222325
    n = len(qname_wire)
    for k in range(0, n, 8):
        w = int.from_bytes(qname_wire[k:k + 8].ljust(8, b'\x00'), 'little')
        h = ((h ^ w) * FNV_PRIME) & M64
    return (((h ^ qtype) * FNV_PRIME) & M64) ^ n


def colliding_label(label):
    """A label of the same length as `label` (at least 15 bytes) whose wire-form name hashes
    like label's under old_qhash: bytes 1-7 of the name (after the length octet) changed, bytes
    8-15 solved for (the multiplier is odd: the state after word 1 can be matched exactly);
    the first variant whose solved bytes are letters, digits or '-'."""
    assert 15 <= len(label) <= 63
    a = name_wire([label])
    h = 0xcbf29ce484222325
    w0 = int.from_bytes(a[0:8], 'little')
    w1 = int.from_bytes(a[8:16], 'little')
    ha = (((h ^ w0) * FNV_PRIME) & M64) ^ w1       # what word 2 must find, for name A
    ok = set(b'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-')
    alnum = b'abcdefghijklmnopqrstuvwxyz0123456789'
    for i in range(len(alnum) ** 7):
        # byte k of a product depends on bytes 0-k of its factors only: vary the low bytes
        # fastest, or the first solved bytes never change
        b0 = a[0:1] + bytes(alnum[i // 36 ** k % 36] for k in range(7))   # bytes 1-7
        if b0 == a[0:8]:
            continue
        hb = ((h ^ int.from_bytes(b0, 'little')) * FNV_PRIME) & M64
        b1 = (ha ^ hb).to_bytes(8, 'little')
        if all(c in ok for c in b1):
            return b0[1:] + b1 + label[15:]
    raise AssertionError('no printable collision for %r' % label)


def gen_dns_collide():
    cap = Capture('dns-collide.pcap', nano=True, seed=2001)
    t0 = cap.start + 123456

    name_a = b'accounts-payable-eu1'                   # 20 bytes: 22 on the wire
    name_b = colliding_label(name_a)
    wa, wb = name_wire([name_a]), name_wire([name_b])
    assert name_a != name_b and len(wa) == len(wb)
    assert old_qhash(wa, 1) == old_qhash(wb, 1), 'not a collision'
    cap.notes.append('%s and %s (A): old hash 0x%016x' % (name_a.decode(), name_b.decode(),
                                                           old_qhash(wa, 1)))

    def sock(i):
        return DnsSock(cap, c4(i), 40000 + i, s4(53), c_mac=cmac(i), s_mac=smac(0x53))

    # (a) query A; a spoofed response with the same tuple and ID for B (colliding) 5 ms later:
    #     mismatch; the real response for A 10 ms after that: answered, latency 15 ms
    a = sock(240)
    a.query(t0, 0xc011, [name_a], 'A', note='(a) query %s A' % name_a.decode())
    a.response(t0 + 5 * MS, 0xc011, [name_b], 'A', answers=1, k=66,
               note='(a) spoofed response for %s (same old hash): mismatch' % name_b.decode())
    cap.dns['dns_mismatch'] += 1
    a.response(t0 + 15 * MS, 0xc011, [name_a], 'A', answers=1, k=1,
               note='(a) the real response')
    expect_dns(cap, a, t0 + 15 * MS, t0, 0xc011, [name_a], 'A', answers=1,
               label='(a) answered 15 ms after the query, after a colliding mismatch')

    # (b) the other way round on another socket: query B, a response for A first
    b = sock(241)
    tb = t0 + 100 * MS
    b.query(tb, 0xc012, [name_b], 'A', note='(b) query %s A' % name_b.decode())
    b.response(tb + 3 * MS, 0xc012, [name_a], 'A', answers=1, k=2,
               note='(b) response for %s (same old hash): mismatch' % name_a.decode())
    cap.dns['dns_mismatch'] += 1
    b.response(tb + 7 * MS, 0xc012, [name_b], 'A', answers=1, k=3)
    expect_dns(cap, b, tb + 7 * MS, tb, 0xc012, [name_b], 'A', answers=1,
               label='(b) answered 7 ms after the query, after a colliding mismatch')

    # (c) an answered query, then a response with its tuple and ID for another question: a
    #     mismatch (not a duplicate: it answers no query of this socket's)
    c = sock(242)
    tc = t0 + 200 * MS
    c.query(tc, 0xc013, [name_a], 'A', note='(c) query %s A' % name_a.decode())
    c.response(tc + 4 * MS, 0xc013, [name_a], 'A', answers=1, k=4)
    expect_dns(cap, c, tc + 4 * MS, tc, 0xc013, [name_a], 'A', answers=1,
               label='(c) answered in 4 ms')
    c.response(tc + 6 * MS, 0xc013, [b'other'], 'A', answers=1, k=5,
               note='(c) another question to the answered query: mismatch, not duplicate')
    cap.dns['dns_mismatch'] += 1

    # (d) a query that times out, then a response with another question (a mismatch, not
    #     late: the tombstone stays) and the right one (late)
    d = sock(243)
    td = t0 + 300 * MS
    d.query(td, 0xc014, [name_a], 'A', note='(d) query %s A, never answered in time' %
            name_a.decode())
    expect_dns_timeout(cap, d, td + DNS_TIMEOUT, td, 0xc014, [name_a], 'A',
                       label='(d) timed out at 5 s')
    d.response(td + DNS_TIMEOUT + 200 * MS, 0xc014, [b'other'], 'A', answers=1, k=6,
               note='(d) another question after the timeout: mismatch, not late')
    cap.dns['dns_mismatch'] += 1
    d.response(td + DNS_TIMEOUT + 400 * MS, 0xc014, [name_a], 'A', answers=1, k=7,
               note='(d) the right question after the timeout: late')
    cap.dns['dns_late'] += 1
    return cap


# --------------------------------------------------------------------------------------------
# 20b. dns-exact.pcap: two questions on one tuple and ID are two transactions; an ICMP error
#      ends what it quotes: a query by its question, or every pending one of its tuple (and
#      DNS ID) where it quotes less (RFC 792 routers quote 8 bytes of the UDP header)
# --------------------------------------------------------------------------------------------

def gen_dns_exact():
    cap = Capture('dns-exact.pcap', nano=True, seed=2002)
    t0 = cap.start + 7654321
    T = DNS_TIMEOUT

    def sock(i, port=None, v6=False):
        if v6:
            return DnsSock(cap, c6(0x300 + i), port or 41000 + i, s6(0x53), c_mac=cmac(i),
                           s_mac=smac(0x53))
        return DnsSock(cap, c4(i), port or 41000 + i, s4(53), c_mac=cmac(i), s_mac=smac(0x53))

    def ans(sk, t, first, ident, name, qtype, retransmits=0, label=None, k=1):
        sk.response(t, ident, name, qtype, answers=1, k=k)
        expect_dns(cap, sk, t, first, ident, name, qtype, answers=1, retransmits=retransmits,
                   label=label)

    # (a) two questions outstanding on one tuple and ID, answered in reverse order: two
    #     transactions; the first answer again is a duplicate, a third question a mismatch
    a = sock(1)
    ta = t0
    a.query(ta, 0xe001, 'one.example.com', 'A', note='(a) query one')
    a.query(ta + 1 * MS, 0xe001, 'two.example.com', 'A', note='(a) same tuple and ID: two')
    ans(a, ta + 5 * MS + 111, ta + 1 * MS, 0xe001, 'two.example.com', 'A',
        label='(a) two answered first (4 ms)')
    ans(a, ta + 9 * MS + 222, ta, 0xe001, 'one.example.com', 'A', k=2,
        label='(a) one answered second (9 ms): not ended by two')
    a.response(ta + 12 * MS, 0xe001, 'one.example.com', 'A', answers=1, k=2,
               note='(a) one again: duplicate')
    cap.dns['dns_duplicate'] += 1
    a.response(ta + 13 * MS, 0xe001, 'three.example.com', 'A', answers=1, k=3,
               note='(a) a third question: mismatch')
    cap.dns['dns_mismatch'] += 1

    # (b) the same name, A and AAAA, one ID: two transactions
    b = sock(2)
    tb = t0 + 100 * MS
    b.query(tb, 0xe002, 'dual.example.com', 'A')
    b.query(tb + 17 * US, 0xe002, 'dual.example.com', 'AAAA', note='(b) AAAA, same ID')
    ans(b, tb + 3 * MS + 3, tb + 17 * US, 0xe002, 'dual.example.com', 'AAAA',
        label='(b) AAAA')
    ans(b, tb + 4 * MS + 4, tb, 0xe002, 'dual.example.com', 'A', label='(b) A')

    # (c) an answered query, then another question on its ID (a new transaction beside it, not
    #     a duplicate), retransmitted once; the first answer again is still a duplicate
    c = sock(3)
    tc = t0 + 200 * MS
    c.query(tc, 0xe003, 'first.example.com', 'A')
    ans(c, tc + 2 * MS, tc, 0xe003, 'first.example.com', 'A', label='(c) first, 2 ms')
    c.query(tc + 4 * MS, 0xe003, 'second.example.com', 'MX', note='(c) another question')
    c.query(tc + 1004 * MS, 0xe003, 'second.example.com', 'MX', note='(c) retransmitted')
    c.response(tc + 20 * MS, 0xe003, 'first.example.com', 'A', answers=1, k=1,
               note='(c) first again: duplicate')
    cap.dns['dns_duplicate'] += 1
    ans(c, tc + 1010 * MS + 5, tc + 4 * MS, 0xe003, 'second.example.com', 'MX', retransmits=1,
        label='(c) second: 1006 ms, one retransmission')

    # (d) two questions on one ID, one answered, the other never: a timeout at its deadline,
    #     then its answer is late
    d = sock(4)
    td = t0 + 300 * MS
    d.query(td, 0xe004, 'answered.example.com', 'A')
    d.query(td + 2 * MS, 0xe004, 'silent.example.com', 'A')
    ans(d, td + 6 * MS, td, 0xe004, 'answered.example.com', 'A', label='(d) answered')
    expect_dns_timeout(cap, d, td + 2 * MS + T, td + 2 * MS, 0xe004, 'silent.example.com', 'A',
                       label='(d) the other question times out at its own deadline')
    d.response(td + 2 * MS + T + 300 * MS, 0xe004, 'silent.example.com', 'A', answers=1,
               note='(d) its answer after the deadline: late')
    cap.dns['dns_late'] += 1

    # (e) ICMP port unreachable quoting 8 bytes of UDP (no DNS ID): every query pending on the
    #     tuple ends (two IDs, one with two questions); one of another port of the client
    #     stays, and so does an answered one of the tuple
    e = sock(5)
    e2 = sock(5, port=42005)
    te = t0 + 400 * MS
    e.query(te, 0xe050, 'answered-before.example.com', 'A')
    ans(e, te + 1 * MS, te, 0xe050, 'answered-before.example.com', 'A',
        label='(e) answered before the ICMP error: stays answered')
    e.query(te + 2 * MS, 0xe051, 'e-one.example.com', 'A')
    e.query(te + 3 * MS, 0xe051, 'e-two.example.com', 'A')
    _, q = e.send(CLIENT, te + 4 * MS, dns_msg(0xe052, 'e-three.example.com', 'TXT'))
    e2.query(te + 5 * MS, 0xe051, 'e-one.example.com', 'A', note='(e) another client port')
    ti = te + 6 * MS + 789
    icmp_quote_v4(cap, ti, s4(53), c4(5), 3, q[:20 + 8], smac(0x53), cmac(5), ttl=57,
                  note='(e) ICMP port unreachable quoting IP + 8 bytes of UDP')
    for first, ident, name, qt in ((te + 2 * MS, 0xe051, 'e-one.example.com', 'A'),
                                   (te + 3 * MS, 0xe051, 'e-two.example.com', 'A'),
                                   (te + 4 * MS, 0xe052, 'e-three.example.com', 'TXT')):
        expect_dns_timeout(cap, e, ti, first, ident, name, qt, reason='unreachable',
                           label='(e) ended by an 8-byte quote: %s' % name)
    ans(e2, ti + 2 * MS, te + 5 * MS, 0xe051, 'e-one.example.com', 'A',
        label='(e) the other port: answered')
    e.response(ti + 3 * MS, 0xe051, 'e-one.example.com', 'A', answers=1,
               note='(e) an answer after the ICMP error: nothing kept, unsolicited')
    cap.dns['dns_unsolicited'] += 1

    # (f) an ICMP error quoting the DNS ID only (IP + UDP + 2 bytes): both questions of that ID
    #     end, another ID stays
    f = sock(6)
    tf = t0 + 500 * MS
    f.query(tf, 0xe061, 'f-one.example.com', 'A')
    _, q = f.send(CLIENT, tf + 1 * MS, dns_msg(0xe061, 'f-two.example.com', 'AAAA'))
    f.query(tf + 2 * MS, 0xe062, 'f-other-id.example.com', 'A')
    ti = tf + 3 * MS + 1
    icmp_quote_v4(cap, ti, s4(1), c4(6), 1, q[:20 + 8 + 2], smac(1), cmac(6), ttl=250,
                  note='(f) ICMP host unreachable from a router quoting the DNS ID only')
    expect_dns_timeout(cap, f, ti, tf, 0xe061, 'f-one.example.com', 'A', reason='unreachable',
                       label='(f) ID quoted: f-one')
    expect_dns_timeout(cap, f, ti, tf + 1 * MS, 0xe061, 'f-two.example.com', 'AAAA',
                       reason='unreachable', label='(f) ID quoted: f-two')
    ans(f, ti + 5 * MS, tf + 2 * MS, 0xe062, 'f-other-id.example.com', 'A',
        label='(f) another ID: answered')

    # (g) an ICMP error quoting the whole query: that question only; the other of its ID stays
    g = sock(7)
    tg = t0 + 600 * MS
    g.query(tg, 0xe071, 'g-stays.example.com', 'A')
    _, q = g.send(CLIENT, tg + 1 * MS, dns_msg(0xe071, 'g-ends.example.com', 'A'))
    ti = tg + 2 * MS + 2
    icmp_quote_v4(cap, ti, s4(53), c4(7), 3, q, smac(0x53), cmac(7), ttl=57,
                  note='(g) ICMP port unreachable quoting the whole query')
    expect_dns_timeout(cap, g, ti, tg + 1 * MS, 0xe071, 'g-ends.example.com', 'A',
                       reason='unreachable', label='(g) the quoted question ends')
    ans(g, ti + 7 * MS, tg, 0xe071, 'g-stays.example.com', 'A',
        label='(g) the other question: answered')

    # (h) IPv6: ICMPv6 port unreachable quoting 8 bytes of UDP
    h = sock(8, v6=True)
    th = t0 + 700 * MS
    _, q = h.send(CLIENT, th, dns_msg(0xe081, 'h-six.example.com', 'AAAA'))
    h.query(th + 1 * MS, 0xe082, 'h-six.example.com', 'A')
    ti = th + 2 * MS + 3
    icmp_quote_v6(cap, ti, s6(0x53), c6(0x308), 4, q[:40 + 8], smac(0x53), cmac(8),
                  note='(h) ICMPv6 port unreachable quoting 8 bytes of UDP')
    expect_dns_timeout(cap, h, ti, th, 0xe081, 'h-six.example.com', 'AAAA', reason='unreachable',
                       label='(h) IPv6, 8-byte quote: AAAA')
    expect_dns_timeout(cap, h, ti, th + 1 * MS, 0xe082, 'h-six.example.com', 'A',
                       reason='unreachable', label='(h) IPv6, 8-byte quote: A')

    # (i) DNS over TCP: two questions with one ID pipelined in one segment, answered in
    #     reverse order: two transactions
    i_ = TConn(cap, c4(9), s4(53), 41009, 53, c_mac=cmac(9), s_mac=smac(0x53))
    t = tcp_open(i_, t0 + 800 * MS, cap.gap(1111 * US), cap.gap(222 * US), '(i)')
    tq = i_.send(CLIENT, t + 50 * US, 'PA',
                 tcp_framed(dns_msg(0xe091, 'tcp-x.example.com', 'A')) +
                 tcp_framed(dns_msg(0xe091, 'tcp-y.example.com', 'A')),
                 note='(i) two questions, one ID, one segment')
    tr = i_.send(SERVER, tq + 1234 * US, 'PA',
                 tcp_framed(dns_msg(0xe091, 'tcp-y.example.com', 'A', qr=True, answers=1)))
    expect_dns(cap, i_, tr, tq, 0xe091, 'tcp-y.example.com', 'A', answers=1, proto='tcp',
               label='(i) TCP: y first')
    tr2 = i_.send(SERVER, tr + 2345 * US, 'PA',
                  tcp_framed(dns_msg(0xe091, 'tcp-x.example.com', 'A', qr=True, answers=1)))
    expect_dns(cap, i_, tr2, tq, 0xe091, 'tcp-x.example.com', 'A', answers=1, proto='tcp',
               label='(i) TCP: then x')
    t = i_.send(CLIENT, tr2 + 222 * US, 'A')
    t = i_.send(CLIENT, t + 1 * MS, 'FA')
    t = i_.send(SERVER, t + 1111 * US, 'FA')
    t = i_.send(CLIENT, t + 222 * US, 'A')
    i_.expect_tclose('fin', t, closed_by='client', label='(i) closed')

    # (j) a question with its own slot outlives the first of its ID: `x` answered at once, its
    #     entry gone 5 s later; `y`, sent again at 4 s and 7 s, is still found (its own slot)
    j = sock(11)
    tj = t0 + 900 * MS
    j.query(tj, 0xe0a1, 'x.example.com', 'A')
    j.query(tj + 1 * MS, 0xe0a1, 'y.example.com', 'A')
    ans(j, tj + 2 * MS, tj, 0xe0a1, 'x.example.com', 'A', label='(j) x, 2 ms')
    j.query(tj + 4 * S, 0xe0a1, 'y.example.com', 'A', note='(j) y again')
    j.query(tj + 7 * S, 0xe0a1, 'y.example.com', 'A',
            note='(j) y again, after x\'s entry expired')
    ans(j, tj + 7500 * MS, tj + 1 * MS, 0xe0a1, 'y.example.com', 'A', retransmits=2,
        label='(j) y: 7.499 s, two retransmissions, one transaction throughout')

    # (z) a last transaction after every deadline and tombstone: nothing is pending at the end
    z = sock(10)
    tz = td + 2 * MS + 2 * T + 500 * MS
    z.query(tz, 0xe0ff, 'last.example.com', 'A')
    ans(z, tz + 1 * MS, tz, 0xe0ff, 'last.example.com', 'A', label='(z) the last one')
    return cap


# --------------------------------------------------------------------------------------------
# 21. tcp-loss.pcap: loss, located (DESIGN.md "Loss, located"): sequence gaps (data lost
#     before the observation point), retransmissions, duplicate ACKs and zero windows, one case
#     per connection; each tcp_close record's loss fields asserted as the case states them
# --------------------------------------------------------------------------------------------

def flight(conn, side, t, sizes, lost=(), spacing=12 * US, notes=None):
    """Back-to-back segments of `sizes` bytes from `side` within one TS tick, starting at t;
    the ones whose index is in `lost` are lost before the observation point (sent, not
    captured); notes = {index: note}. Returns [(time, seq, end)] of every segment, the lost
    ones included."""
    out = []
    for i, n in enumerate(sizes):
        seq = conn.nxt[side]
        ti = t + i * spacing
        conn.send(side, ti, 'PA' if i == len(sizes) - 1 else 'A', blob(n, i), hold_ts=i > 0,
                  hide=i in lost, note=(notes or {}).get(i))
        out.append((ti, seq, (seq + n) & M32))
    return out


NO_LOSS = dict(seq_gaps_c2s=0, seq_gaps_s2c=0, dup_acks_c2s=0, dup_acks_s2c=0,
               zero_windows_c2s=0, zero_windows_s2c=0, retransmits_c2s=0, retransmits_s2c=0)


def loss(**kw):
    d = dict(NO_LOSS)
    d.update(kw)
    return d


def gen_loss():
    cap = Capture('tcp-loss.pcap', nano=False, seed=2101)
    t0 = cap.start

    # (U) upstream loss, client -> server (linux options, timestamps): a 4344-byte upload in
    #     three segments; the second is lost before the observation point (never captured), so
    #     the third starts beyond the highest sequence seen: a sequence gap. The server, missing
    #     it too, acknowledges the first at once (out-of-order data is acknowledged without
    #     delay); 25 ms later the client's RACK timer sends the second again: seen for the first
    #     time, but below the highest sequence: a retransmission. Upstream loss: gaps 1,
    #     retransmits 1, downstream = retransmits - gaps = 0
    u = lconn(cap, 120, 50701, 443)
    t = handshake(u, t0, cap.gap(11111 * US), cap.gap(222 * US), '(U)', payload=blob(300, 0))
    f = flight(u, CLIENT, t + 2 * MS, [1448, 1448, 1448], lost=(1,),
               notes={2: '(U) seq gap c2s: the segment before it was lost upstream'})
    t = u.send(SERVER, f[2][0] + 11105 * US, 'A', ack=f[0][2])
    t = u.send(CLIENT, f[2][0] + 25 * MS, 'A', blob(1448, 1), seq=f[1][1], rtx=True,
               note='(U) the lost segment sent again: retransmission c2s (fills the gap)')
    t = u.send(SERVER, t + 11110 * US, 'A')
    t = u.send(SERVER, t + 3 * MS, 'PA', blob(900, 3))
    t = u.send(CLIENT, t + 225 * US, 'A')
    t = u.send(CLIENT, t + 5 * MS, 'FA')
    t = u.send(SERVER, t + 11115 * US, 'FA')
    t = u.send(CLIENT, t + 230 * US, 'A')
    u.expect_tclose('fin', t, closed_by='client', label='(U) upstream loss c2s: 1 gap, 1 '
                    'retransmission', loss=loss(seq_gaps_c2s=1, retransmits_c2s=1,
                                                segments_c2s=4, segments_s2c=1))

    # (D) downstream loss, server -> client: a 7240-byte response in five segments; the second
    #     passes the observation point and is lost after it. The client acknowledges the first
    #     at once, then each of the three after the hole with a duplicate ACK (same ack number,
    #     same window); the third duplicate ACK triggers the server's fast retransmission
    #     9.9 ms later (one server leg): retransmits_s2c 1, no gap, dup_acks_c2s 3
    d = lconn(cap, 121, 50702, 443)
    t = handshake(d, t0 + 100 * MS, cap.gap(9876 * US), cap.gap(333 * US), '(D)',
                  payload=blob(320, 4))
    f = flight(d, SERVER, t + 9880 * US, [1448] * 5)
    t = d.send(CLIENT, f[0][0] + 340 * US, 'A', ack=f[0][2])
    for k in (2, 3, 4):
        t = d.send(CLIENT, f[k][0] + 340 * US, 'A', ack=f[0][2],
                   note='(D) duplicate ACK %d c2s' % (k - 1))
    t = d.send(SERVER, t + 9885 * US, 'A', blob(1448, 1), seq=f[1][1], rtx=True,
               note='(D) fast retransmission s2c (the segment lost after the observation point)')
    t = d.send(CLIENT, t + 345 * US, 'A')
    t = d.send(CLIENT, t + 4 * MS, 'FA')
    t = d.send(SERVER, t + 9890 * US, 'FA')
    t = d.send(CLIENT, t + 350 * US, 'A')
    d.expect_tclose('fin', t, closed_by='client', label='(D) downstream loss s2c: 3 duplicate '
                    'ACKs, a fast retransmission', loss=loss(dup_acks_c2s=3, retransmits_s2c=1,
                                                            segments_c2s=1, segments_s2c=6))

    # (S) spurious retransmission: the server's ACK of a 400-byte request passes the
    #     observation point and is lost after it; the client's retransmission timer (200 ms
    #     at least) sends the request again 210 ms later: data seen twice, acknowledged the
    #     first time (retransmits_c2s 1, no gap). The server answers the duplicate data with an
    #     immediate ACK repeating its ack number and window (a D-SACK in real stacks):
    #     dup_acks_s2c 1. The response follows 300 ms after the request; FIN, server first
    p = lconn(cap, 122, 50703, 8080)
    t = handshake(p, t0 + 200 * MS, cap.gap(7654 * US), cap.gap(444 * US), '(S)')
    t_req = p.send(CLIENT, t + 25 * US, 'PA', blob(400, 5), hold_ts=True)
    p.send(SERVER, t_req + 7650 * US, 'A')
    t = p.send(CLIENT, t_req + 210 * MS, 'PA', blob(400, 5), seq=p.nxt[CLIENT] - 400,
               rtx=True, note='(S) spurious retransmission c2s (acknowledged before)')
    t = p.send(SERVER, t + 7660 * US, 'A', note='(S) duplicate ACK s2c (the data again)')
    t = p.send(SERVER, t_req + 300 * MS, 'PA', blob(1200, 6))
    t = p.send(CLIENT, t + 440 * US, 'A')
    t = p.send(SERVER, t + 2 * MS, 'FA')
    t = p.send(CLIENT, t + 445 * US, 'FA')
    t = p.send(SERVER, t + 7665 * US, 'A')
    p.expect_tclose('fin', t, closed_by='server', label='(S) spurious retransmission c2s',
                    loss=loss(retransmits_c2s=1, dup_acks_s2c=1, segments_c2s=2,
                              segments_s2c=1))

    # (Z) zero window: the client's application stops reading a download. Its receive window
    #     goes 0 with the ACK of the third of four segments, and stays 0 with the ACK of the
    #     fourth (still in flight, accepted): counted once. 210 ms later the server probes with
    #     one new byte (a zero-window probe: not a retransmission); the client's buffer has
    #     room for it under the scaled window (less than 128 bytes), so it acknowledges it,
    #     still advertising 0. The application reads 150 ms later: a window update (same ack,
    #     window open). Four more segments, the window goes 0 again with the ACK of the last
    #     (counted again), opens 80 ms later; the server's last 700 bytes and FIN, server
    #     first: zero_windows_c2s 2, nothing else
    z = lconn(cap, 123, 50704, 443)
    t = handshake(z, t0 + 400 * MS, cap.gap(5555 * US), cap.gap(321 * US), '(Z)',
                  payload=blob(250, 7))
    f = flight(z, SERVER, t + 5560 * US, [1448] * 4)
    t = z.send(CLIENT, f[1][0] + 330 * US, 'A', ack=f[1][2])
    z.win_set[CLIENT] = 0
    t = z.send(CLIENT, f[2][0] + 330 * US, 'A', ack=f[2][2],
               note='(Z) zero window c2s (1st)')
    t = z.send(CLIENT, f[3][0] + 330 * US, 'A', note='(Z) zero window again: not counted')
    t = z.send(SERVER, t + 210 * MS, 'A', b'Z',
               note='(Z) zero-window probe s2c, one new byte: not a retransmission')
    t = z.send(CLIENT, t + 335 * US, 'A', note='(Z) the probe byte acknowledged, window 0')
    z.win_set[CLIENT] = None
    t = z.send(CLIENT, t + 150 * MS, 'A', note='(Z) window update')
    f = flight(z, SERVER, t + 5565 * US, [1448] * 4)
    t = z.send(CLIENT, f[1][0] + 330 * US, 'A', ack=f[1][2])
    z.win_set[CLIENT] = 0
    t = z.send(CLIENT, f[3][0] + 330 * US, 'A', note='(Z) zero window c2s (2nd)')
    z.win_set[CLIENT] = None
    t = z.send(CLIENT, t + 80 * MS, 'A', note='(Z) window update')
    t = z.send(SERVER, t + 5570 * US, 'PA', blob(700, 8))
    t = z.send(SERVER, t + 20 * US, 'FA')
    t = z.send(CLIENT, t + 340 * US, 'A')
    t = z.send(CLIENT, t + 1 * MS, 'FA')
    t = z.send(SERVER, t + 5575 * US, 'A')
    z.expect_tclose('fin', t, closed_by='server', label='(Z) zero window twice c2s, an '
                    'accepted probe', loss=loss(zero_windows_c2s=2, segments_c2s=1,
                                                segments_s2c=10))

    # (Zr) (added) a refused zero-window probe, as a Linux receiver does it: the window goes 0
    #      with the ACK of the second of two segments (counted); the server's one-byte probe
    #      220 ms later is dropped, and the client's answer repeats its ack number and its
    #      window 0: a duplicate ACK by the rule (dup_acks_c2s 1; tshark calls it a
    #      zero-window-probe ACK). The window opens 120 ms later (ack unchanged, window open:
    #      no duplicate), and the server sends 1448 bytes from the probe's byte on: below the
    #      highest sequence seen (the probe's byte), a retransmission for the contract
    #      (retransmits_s2c 1; new data for tshark, which does not advance for a probe)
    zr = lconn(cap, 124, 50705, 443)
    t = handshake(zr, t0 + 500 * MS, cap.gap(6666 * US), cap.gap(432 * US), '(Zr)',
                  payload=blob(260, 9))
    f = flight(zr, SERVER, t + 6670 * US, [1448, 1448])
    zr.win_set[CLIENT] = 0
    t = zr.send(CLIENT, f[1][0] + 440 * US, 'A', note='(Zr) zero window c2s')
    probe = zr.nxt[SERVER]
    t = zr.send(SERVER, t + 220 * MS, 'A', b'Y', note='(Zr) zero-window probe s2c (refused)')
    t = zr.send(CLIENT, t + 445 * US, 'A', ack=probe,
                note='(Zr) the probe refused: ack and window 0 repeated, a duplicate ACK c2s')
    zr.win_set[CLIENT] = None
    t = zr.send(CLIENT, t + 120 * MS, 'A', ack=probe, note='(Zr) window update')
    t = zr.send(SERVER, t + 6675 * US, 'PA', blob(1448, 10), seq=probe, rtx=True,
                note='(Zr) data from the refused probe byte on: retransmission s2c (contract)')
    t = zr.send(CLIENT, t + 450 * US, 'A')
    t = zr.send(CLIENT, t + 2 * MS, 'FA')
    t = zr.send(SERVER, t + 6680 * US, 'FA')
    t = zr.send(CLIENT, t + 455 * US, 'A')
    zr.expect_tclose('fin', t, closed_by='client', label='(Zr) refused probe: the answer is a '
                     'duplicate ACK, the byte sent again a retransmission',
                     loss=loss(zero_windows_c2s=1, dup_acks_c2s=1, retransmits_s2c=1,
                               segments_c2s=1, segments_s2c=4))

    # (V) IPv6: one upstream gap and one duplicate-ACK run, server -> client: six segments of
    #     1428 bytes, the third lost before the observation point (the client never gets it
    #     either): the fourth starts beyond the highest sequence (a gap, s2c); the client
    #     acknowledges the first two with one ACK, then each segment after the hole with a
    #     duplicate ACK (three); the server's fast retransmission of the third is the first
    #     time it passes the observation point (a retransmission that fills the gap: upstream)
    v = lconn(cap, 0x125, 50706, 443, v6=True, mss=(1440, 1440))
    t = handshake(v, t0 + 600 * MS, cap.gap(8765 * US), cap.gap(543 * US), '(V)',
                  payload=blob(280, 11))
    f = flight(v, SERVER, t + 8770 * US, [1428] * 6, lost=(2,),
               notes={3: '(V) seq gap s2c: the segment before it was lost upstream'})
    t = v.send(CLIENT, f[1][0] + 550 * US, 'A', ack=f[1][2])
    for k in (3, 4, 5):
        t = v.send(CLIENT, f[k][0] + 550 * US, 'A', ack=f[1][2],
                   note='(V) duplicate ACK %d c2s' % (k - 2))
    t = v.send(SERVER, t + 8775 * US, 'A', blob(1428, 2), seq=f[2][1], rtx=True,
               note='(V) fast retransmission s2c, first seen: fills the gap')
    t = v.send(CLIENT, t + 555 * US, 'A')
    t = v.send(CLIENT, t + 3 * MS, 'FA')
    t = v.send(SERVER, t + 8780 * US, 'FA')
    t = v.send(CLIENT, t + 560 * US, 'A')
    v.expect_tclose('fin', t, closed_by='client', label='(V) IPv6: a gap s2c and a run of 3 '
                    'duplicate ACKs c2s', loss=loss(seq_gaps_s2c=1, dup_acks_c2s=3,
                                                   retransmits_s2c=1, segments_c2s=1,
                                                   segments_s2c=6))

    # (M) mid-stream: the capture starts 5 MB into a download (the handshake and the first
    #     5000000 bytes are not in the file): the first segment seen is far beyond the ISN but
    #     starts the connection (it sets the highest sequence: no gap); the client's ACK is its
    #     first segment. Then a segment is lost upstream: the next starts beyond the highest
    #     sequence (one gap), the client answers it with a duplicate ACK, the server's RACK
    #     timer sends the lost one again 17 ms later (a retransmission that fills the gap)
    m = lconn(cap, 126, 50707, 443)
    hidden_handshake(m, t0 + 690 * MS)
    m.nxt[CLIENT] = (m.nxt[CLIENT] + 310) & M32           # the request, not in the file
    m.nxt[SERVER] = (m.nxt[SERVER] + 5000000) & M32       # the download so far
    m.start_midstream(t0 + 700 * MS)
    f = flight(m, SERVER, t0 + 700 * MS, [1448, 1448],
               notes={0: '(M) first segment seen, 5000000 bytes into the stream: no gap'})
    t = m.send(CLIENT, f[1][0] + 420 * US, 'A')
    g = flight(m, SERVER, t + 6 * MS, [1448, 1448], lost=(0,),
               notes={1: '(M) seq gap s2c: the segment before it was lost upstream'})
    t = m.send(CLIENT, g[1][0] + 425 * US, 'A', ack=f[1][2],
               note='(M) duplicate ACK c2s (after the gap)')
    t = m.send(SERVER, t + 17 * MS, 'A', blob(1448, 0), seq=g[0][1], rtx=True,
               note='(M) the lost segment sent again: retransmission s2c (fills the gap)')
    t = m.send(CLIENT, t + 430 * US, 'A')
    t = m.send(SERVER, t + 7 * MS, 'PA', blob(1000, 12))
    t = m.send(CLIENT, t + 435 * US, 'A')
    t = m.send(CLIENT, t + 2 * MS, 'FA')
    t = m.send(SERVER, t + 7100 * US, 'FA')
    t = m.send(CLIENT, t + 440 * US, 'A')
    m.expect_tclose('fin', t, closed_by='client', label='(M) mid-stream, first segment far '
                    'into the stream, then one gap', loss=loss(seq_gaps_s2c=1, dup_acks_c2s=1,
                                                              retransmits_s2c=1,
                                                              segments_c2s=0, segments_s2c=5))
    return cap


# --------------------------------------------------------------------------------------------
# 22. tcp-exact.pcap: what the handshake gives a connection (DESIGN.md): the SYN's and the
#     SYN-ACK's TSvals start RTT samples; SYN and SYN-ACK retransmissions are the handshake's,
#     never the connection's; a timed-out attempt resumes with its ISN up to 130 s after the
#     first SYN
# --------------------------------------------------------------------------------------------

def gen_exact():
    cap = Capture('tcp-exact.pcap', nano=True, seed=2201)
    t0 = cap.start + 31

    # (X1) timestamps both ways: the SYN's TSval is echoed by the SYN-ACK 7.5 ms later (a
    #      server-side sample), the SYN-ACK's by the client's ACK 5 ms later (a client-side
    #      sample); then a request answered 7.5 ms + 20 ms later, its response acknowledged
    #      10 ms later, FIN server first acknowledged 5.001 ms later: client side 5 ms, 10 ms,
    #      5.001 ms (min 5000000, 3 samples), server side 7.5 ms, 27.5 ms, 7.5 ms
    a = lconn(cap, 0x90, 51001, 443)
    t = handshake(a, t0, cap.gap(7500 * US), cap.gap(5 * MS), '(X1)')
    t = a.send(CLIENT, t + 1 * MS, 'PA', blob(200, 1))
    t = a.send(SERVER, t + 27500 * US, 'PA', blob(1200, 2))
    t = a.send(CLIENT, t + 10 * MS, 'A')
    t = a.send(SERVER, t + 2 * MS, 'FA')
    t = a.send(CLIENT, t + 5001 * US, 'FA')
    t = a.send(SERVER, t + 7500 * US, 'A')
    a.expect_tclose('fin', t, closed_by='server',
                    label='(X1) the SYN and the SYN-ACK start samples: 3 client, 3 server',
                    rtt={'server': [27500 * US, 7500 * US], 'client': [10 * MS, 5001 * US]})
    assert a.samples == {'server': [7500 * US, 27500 * US, 7500 * US],
                         'client': [5 * MS, 10 * MS, 5001 * US]}, a.samples

    # (X2) stale server state: a challenge ACK, the client's RST to it, then the same-ISN SYN
    #      13 s after the first (after the 5 s timeout and the 10 s a tombstone used to last):
    #      the timeout at 5 s stands, the attempt resumes: handshake_ns 13.018 s,
    #      syn_retransmits 1, challenge_acks 1
    b = lconn(cap, 0x91, 51002, 443, c_isn=0x7b000000, s_isn=0x3c000000)
    tb = t0 + 100 * MS
    y = (b.isn[CLIENT] - 0x00400000) & M32
    b.syn(tb)
    b.send(SERVER, tb + 9 * MS, 'A', seq=(b.isn[SERVER] - 0x00200000) & M32, ack=y,
           note='(X2) challenge ACK (ack = y, not ISN + 1)')
    b.challenge_acks += 1
    cap.challenge_acks += 1
    b.send(CLIENT, tb + 9 * MS + 50 * US, 'R', seq=y, ack=0, options=[],
           note='(X2) the client\'s RST to the challenge ACK: seq = y (ignored)')
    b.expect_failed('timeout', ts=tb + HANDSHAKE_TIMEOUT, label='(X2) timeout at 5 s')
    b.syn(tb + 13 * S, note='(X2) the same ISN 13 s after the first SYN: the attempt resumes')
    t = b.synack(tb + 13 * S + cap.gap(9 * MS))
    t = b.ack3(t + cap.gap(9 * MS + 1))
    r = b.expect_handshake('(X2) challenge ACK, RST, SYN again after 13 s: resumed')
    assert r['handshake_ns'] == 13 * S + 18 * MS + 1 and r['syn_retransmits'] == 1 \
        and r['challenge_acks'] == 1, r
    t = b.send(CLIENT, t + 40 * US, 'PA', blob(300, 3))
    t = b.send(SERVER, t + 9 * MS + 2, 'PA', blob(900, 4))
    t = b.send(CLIENT, t + 9 * MS + 3, 'FA')
    t = b.send(SERVER, t + 9 * MS + 4, 'FA')
    t = b.send(CLIENT, t + 9 * MS + 5, 'A')
    b.expect_tclose('fin', t, closed_by='client', label='(X2) resumed at 13 s')

    # (X3) SYN retransmitted after 1 s, SYN-ACK retransmitted after 1 s, then the ACK and a
    #      FIN close without data: retransmits 0 / 0 and segments 0 / 0 (the handshake record
    #      has syn_retransmits 1, synack_retransmits 1)
    c = lconn(cap, 0x92, 51003, 80)
    tc = t0 + 200 * MS
    c.syn(tc)
    c.syn(tc + 1 * S, note='(X3) SYN retransmitted: the handshake\'s syn_retransmits')
    t = c.synack(tc + 1 * S + cap.gap(3 * MS + 3))
    t = c.synack(t + 1 * S, note='(X3) SYN-ACK retransmitted: the handshake\'s '
                                 'synack_retransmits')
    t = c.ack3(t + cap.gap(303 * US))
    c.expect_handshake('(X3) SYN and SYN-ACK each retransmitted once')
    t = c.send(CLIENT, t + 1 * MS, 'FA')
    t = c.send(SERVER, t + 3 * MS + 3, 'FA')
    t = c.send(CLIENT, t + 303 * US, 'A')
    c.expect_tclose('fin', t, closed_by='client',
                    label='(X3) no data: no retransmission, no data segment',
                    loss={'retransmits_c2s': 0, 'retransmits_s2c': 0, 'segments_c2s': 0,
                          'segments_s2c': 0})

    # (X4) a lone SYN, timed out at 5 s, then the same ISN at 127 s (Linux's last retry of
    #      six): within the 130 s a timed-out attempt can be resumed, so it resumes
    #      (handshake_ns from the first SYN, syn_retransmits 1)
    d = lconn(cap, 0x93, 51004, 443)
    td = t0 + 300 * MS
    d.syn(td)
    d.expect_failed('timeout', ts=td + HANDSHAKE_TIMEOUT, label='(X4) timeout at 5 s')
    d.syn(td + 127 * S, note='(X4) the same ISN 127 s later: the attempt resumes')
    t = d.synack(td + 127 * S + cap.gap(11 * MS))
    t = d.ack3(t + cap.gap(1100 * US))
    d.expect_handshake('(X4) resumed at 127 s')
    t = d.send(CLIENT, t + 40 * US, 'PA', blob(100, 5))
    t = d.send(SERVER, t + 11 * MS + 1, 'PA', blob(400, 6))
    t = d.send(CLIENT, t + 1100 * US + 1, 'FA')
    t = d.send(SERVER, t + 11 * MS + 2, 'FA')
    t = d.send(CLIENT, t + 1100 * US + 2, 'A')
    d.expect_tclose('fin', t, closed_by='client', label='(X4) resumed at 127 s')

    # (X5) the same ISN 131 s after a lone SYN: past the 130 s a timed-out attempt can be
    #      resumed, so a fresh attempt (handshake_ns from 131 s, no retransmission)
    e = lconn(cap, 0x94, 51005, 8443)
    te = t0 + 400 * MS
    e.syn(te)
    e.expect_failed('timeout', ts=te + HANDSHAKE_TIMEOUT, label='(X5) timeout at 5 s')
    e.syn_times = []                        # the tombstone is gone: a new attempt
    e.syn(te + 131 * S, note='(X5) the same ISN 131 s later: a fresh attempt')
    t = e.synack(te + 131 * S + cap.gap(12 * MS))
    t = e.ack3(t + cap.gap(1200 * US))
    e.expect_handshake('(X5) a fresh attempt at 131 s')
    t = e.send(CLIENT, t + 40 * US, 'PA', blob(100, 7))
    t = e.send(SERVER, t + 12 * MS + 1, 'PA', blob(400, 8))
    t = e.send(CLIENT, t + 1200 * US + 1, 'FA')
    t = e.send(SERVER, t + 12 * MS + 2, 'FA')
    t = e.send(CLIENT, t + 1200 * US + 2, 'A')
    e.expect_tclose('fin', t, closed_by='client', label='(X5) fresh at 131 s')

    # (X6) an RTT sample unanswered for 10 s is dropped: the server's ACK of the request is
    #      lost before the observation point, its next segment comes 11 s later echoing the
    #      request's TSval: it answers nothing (no 11 s sample), the client sending nothing in
    #      between
    g = lconn(cap, 0x95, 51006, 443)
    t = handshake(g, t0 + 500 * MS, cap.gap(6 * MS + 6), cap.gap(606 * US), '(X6)')
    t = g.send(CLIENT, t + 1 * MS, 'PA', blob(100, 9))
    g.send(SERVER, t + 6 * MS, 'A', hide=True)
    t = g.send(SERVER, t + 11 * S, 'PA', blob(500, 10),
               note='(X6) echoes the request\'s TSval 11 s later: answers nothing')
    t = g.send(CLIENT, t + 606 * US, 'A')
    t = g.send(CLIENT, t + 1 * MS, 'FA')
    t = g.send(SERVER, t + 6 * MS + 6, 'FA')
    t = g.send(CLIENT, t + 606 * US, 'A')
    g.expect_tclose('fin', t, closed_by='client',
                    label='(X6) an echo 11 s later answers no sample',
                    rtt={'server': [6 * MS + 6], 'client': [606 * US, 606 * US]})

    # (X7) the server's side sends a SYN of its own (a new ISN) on the tuple of a pending
    #      attempt: a new attempt, the other way (DESIGN.md: a SYN with a new ISN ends the old
    #      entry, `timeout` at that SYN); a simultaneous open is not guessed at
    h = lconn(cap, 0x96, 51007, 443)
    th = t0 + 600 * MS
    h.syn(th)
    h2 = TConn(cap, s4(0x96), c4(0x96), 443, 51007, c_mac=smac(0x96), s_mac=cmac(0x96))
    h2.syn(th + 2 * S, note='(X7) a SYN from the other side, its own ISN: a new attempt')
    h.expect_failed('timeout', ts=th + 2 * S, label='(X7) ended by the other side\'s SYN')
    t = h2.synack(th + 2 * S + cap.gap(7 * MS + 7))
    t = h2.ack3(t + cap.gap(707 * US))
    h2.expect_handshake('(X7) the other way')
    t = h2.send(CLIENT, t + 40 * US, 'PA', blob(80, 11))
    t = h2.send(SERVER, t + 7 * MS + 8, 'PA', blob(90, 12))
    t = h2.send(CLIENT, t + 708 * US, 'FA')
    t = h2.send(SERVER, t + 7 * MS + 9, 'FA')
    t = h2.send(CLIENT, t + 709 * US, 'A')
    h2.expect_tclose('fin', t, closed_by='client', label='(X7) the other way')

    # (X8) TCP Fast Open (RFC 7413): 120 bytes of request in the SYN; the server takes them,
    #      its SYN-ACK acknowledges ISN + 121 (not ISN + 1), and its response follows the
    #      client's ACK: the handshake completes (it was never matched), the request's bytes
    #      are below the connection's first sequence (no gap)
    x = lconn(cap, 0x97, 51008, 443)
    tx = t0 + 700 * MS
    x.syn(tx, payload=blob(120, 13), note='(X8) SYN with 120 bytes of data (TCP Fast Open)')
    t = tx + cap.gap(8 * MS + 8)
    x.synack_times.append(t)
    x.send(SERVER, t, 'SA', seq=x.isn[SERVER], ack=(x.isn[CLIENT] + 121) & M32,
           note='(X8) SYN-ACK acknowledging the SYN and its data: ISN + 121')
    t = x.ack3(t + cap.gap(808 * US))
    r = x.expect_handshake('(X8) TCP Fast Open')
    assert r['syn_to_synack_ns'] == 8 * MS + 8, r
    t = x.send(SERVER, t + 1 * MS, 'PA', blob(700, 14))
    t = x.send(CLIENT, t + 809 * US, 'A')
    t = x.send(CLIENT, t + 1 * MS, 'FA')
    t = x.send(SERVER, t + 8 * MS + 9, 'FA')
    t = x.send(CLIENT, t + 810 * US, 'A')
    x.expect_tclose('fin', t, closed_by='client', label='(X8) TCP Fast Open',
                    loss={'seq_gaps_c2s': 0, 'retransmits_c2s': 0})

    # (X9) the SYN-ACK never reaches the client (lost after the observation point): it sends
    #      its SYN again at 1, 3 and 7 s, the server its SYN-ACK again each time, nothing
    #      completes. The client waited as with no SYN-ACK at all: its deadline follows its
    #      SYNs (7 + max(5, 2.5 x 4) = 17 s), a `timeout` then (it was dropped silently 5 s
    #      after the SYN-ACK)
    #      (no timestamps: every RTT sample of this file belongs to a connection)
    y = Conn(cap, c4(0x98), s4(0x98), 51009, 443, style='windows', c_mac=cmac(0x98),
             s_mac=smac(0x98))
    ty = t0 + 800 * MS
    y.syn(ty)
    sg = cap.gap(9 * MS + 99)
    y.synack(ty + sg)
    for k in (1, 3, 7):
        y.syn(ty + k * S, note='(X9) the SYN again after the SYN-ACK: the client never got it')
        y.send(SERVER, ty + k * S + sg, 'SA', seq=y.isn[SERVER], ack=y.isn[CLIENT] + 1)
    y.expect_failed('timeout', ts=ty + 17 * S,
                    label='(X9) SYN-ACKs that never reach the client: timeout at 17 s')

    # (X10) as (X9), then a router's ICMP host unreachable quoting the client's SYN sent
    #      again at 3 s: the client still waits as with no SYN-ACK, so the ICMP error ends
    #      the attempt (DESIGN: an ICMP unreachable quoting the SYN = `unreachable`)
    u = Conn(cap, c4(0x99), s4(0x99), 51010, 443, style='windows', c_mac=cmac(0x99),
             s_mac=smac(0x99))
    tu = t0 + 900 * MS
    u.syn(tu)
    ug = cap.gap(9 * MS + 98)
    u.synack(tu + ug)
    u.syn(tu + 1 * S, note='(X10) the SYN again after the SYN-ACK: the client never got it')
    u.send(SERVER, tu + 1 * S + ug, 'SA', seq=u.isn[SERVER], ack=u.isn[CLIENT] + 1)
    u.syn(tu + 3 * S, note='(X10) the SYN again')
    q = last_l3(cap, u)
    t_icmp = tu + 3 * S + cap.gap(1234567)
    icmp4_unreach(cap, t_icmp, s4(1), c4(0x99), 1, q, smac(0x99), cmac(0x99), ttl=254,
                  ipid=0x0102)
    u.expect_failed('unreachable', ts=t_icmp,
                    label='(X10) SYN-ACKs that never reach the client, then ICMP host '
                          'unreachable quoting its SYN sent again')
    return cap



# 23. tcp-accept-queue.pcap: a full accept queue (DESIGN.md): the server's kernel drops the
#     client's completing ACK and what follows it, and sends its SYN-ACK again when its timer
#     fires. The handshake record stands at the client's ACK; the SYN-ACKs after it are the
#     connection's accept_queue_drops (never retransmits_*), and a request pending when one
#     came counts its turn from its first payload (the wait is the server's). Expected turn
#     fields ('turns', 'response_min_ns', 'response_max_ns') are checked by tests/test_exact.sh.
def gen_accept_queue():
    cap = Capture('tcp-accept-queue.pcap', nano=True, seed=2301)
    t0 = cap.start + 43

    # (Q1) timestamps: the request right after the ACK, sent again at 210 ms and 630 ms (the
    #      server's kernel dropped it), the SYN-ACK again 1 s after the first one (the client
    #      acks it: a duplicate ACK), the request again at 1.47 s, answered 10 ms later:
    #      accept_queue_drops 1, retransmits_c2s 3, one turn from the first request (1.48 s
    #      + 50 us less 50 us), not from its last copy (10 ms)
    a = lconn(cap, 0xa0, 52001, 8080)
    a.syn(t0)
    tsa = a.synack(t0 + cap.gap(7 * MS + 1))
    t = a.ack3(tsa + cap.gap(7 * MS + 2))
    a.expect_handshake('(Q1) the handshake at the client\'s ACK')
    req = blob(200, 1)
    treq = a.send(CLIENT, t + 50 * US, 'PA', req)
    a.send(CLIENT, treq + 210 * MS, 'PA', req, seq=a.isn[CLIENT] + 1, rtx=True,
           note='(Q1) the request again: the server\'s kernel dropped it')
    a.send(CLIENT, treq + 630 * MS, 'PA', req, seq=a.isn[CLIENT] + 1, rtx=True)
    t = a.synack(tsa + 1 * S, note='(Q1) the SYN-ACK again after the ACK: accept queue full')
    t = a.send(CLIENT, t + 7 * MS + 3, 'A', note='(Q1) the client acks it again')
    tlast = a.send(CLIENT, treq + 1470 * MS, 'PA', req, seq=a.isn[CLIENT] + 1, rtx=True)
    tresp = a.send(SERVER, tlast + 10 * MS, 'PA', blob(900, 2))
    t = a.send(CLIENT, tresp + 7 * MS + 4, 'A')
    t = a.send(CLIENT, t + 1 * MS, 'FA')
    t = a.send(SERVER, t + 7 * MS + 5, 'FA')
    t = a.send(CLIENT, t + 7 * MS + 6, 'A')
    r = a.expect_tclose('fin', t, closed_by='client',
                        label='(Q1) one SYN-ACK after the ACK, the request waited for it',
                        loss={'retransmits_c2s': 3, 'retransmits_s2c': 0, 'dup_acks_c2s': 1})
    assert r['accept_queue_drops'] == 1, r
    r.update(turns=1, response_min_ns=tresp - treq, response_max_ns=tresp - treq)

    # (Q2) no timestamps: the SYN-ACK again at 1 s and 3 s after the first, the client quiet
    #      until the second (nothing pending: its turn counts as any other, 20 ms):
    #      accept_queue_drops 2, no retransmission of data
    b = lconn(cap, 0xa1, 52002, 8080, style='windows')
    tb = t0 + 100 * MS
    b.syn(tb)
    tsb = b.synack(tb + cap.gap(5 * MS + 1))
    t = b.ack3(tsb + cap.gap(5 * MS + 2))
    b.expect_handshake('(Q2) the handshake at the client\'s ACK')
    t = b.synack(tsb + 1 * S, note='(Q2) the SYN-ACK again after the ACK (1 s)')
    t = b.send(CLIENT, t + 5 * MS + 3, 'A')
    t = b.synack(tsb + 3 * S, note='(Q2) the SYN-ACK again after the ACK (3 s)')
    t = b.send(CLIENT, t + 5 * MS + 4, 'A')
    treq = b.send(CLIENT, t + 1 * MS, 'PA', blob(300, 3))
    tresp = b.send(SERVER, treq + 20 * MS, 'PA', blob(600, 4))
    t = b.send(CLIENT, tresp + 5 * MS + 5, 'A')
    t = b.send(SERVER, t + 1 * MS, 'FA')
    t = b.send(CLIENT, t + 5 * MS + 6, 'FA')
    t = b.send(SERVER, t + 5 * MS + 7, 'A')
    r = b.expect_tclose('fin', t, closed_by='server',
                        label='(Q2) two SYN-ACKs after the ACK, nothing pending',
                        loss={'retransmits_c2s': 0, 'retransmits_s2c': 0})
    assert r['accept_queue_drops'] == 2, r
    r.update(turns=1, response_min_ns=20 * MS, response_max_ns=20 * MS)

    # (Q3) IPv6, a SYN-ACK retransmitted before the ACK (the handshake's synack_retransmits)
    #      and none after it: accept_queue_drops 0
    c = lconn(cap, 0xa2, 52003, 443, v6=True)
    tc = t0 + 200 * MS
    c.syn(tc)
    t = c.synack(tc + cap.gap(3 * MS + 1))
    t = c.synack(t + 1 * S, note='(Q3) the SYN-ACK again before the ACK: the handshake\'s')
    t = c.ack3(t + cap.gap(3 * MS + 2))
    c.expect_handshake('(Q3) synack_retransmits 1')
    treq = c.send(CLIENT, t + 40 * US, 'PA', blob(100, 5))
    tresp = c.send(SERVER, treq + 4 * MS, 'PA', blob(400, 6))
    t = c.send(CLIENT, tresp + 3 * MS + 3, 'FA')
    t = c.send(SERVER, t + 3 * MS + 4, 'FA')
    t = c.send(CLIENT, t + 3 * MS + 5, 'A')
    r = c.expect_tclose('fin', t, closed_by='client',
                        label='(Q3) a SYN-ACK again before the ACK only')
    assert r['accept_queue_drops'] == 0, r
    r.update(turns=1, response_min_ns=4 * MS, response_max_ns=4 * MS)
    cap.accept_queue_drops = 3
    return cap


GENERATORS = [gen_ipv4, gen_ipv6_ext, gen_vlan, gen_interleaved, gen_syn_retransmit,
              gen_refused, gen_unanswered, gen_onesided, gen_malformed, gen_nano,
              gen_dns_udp, gen_dns_udp_edge, gen_dns_tcp, gen_lifecycle, gen_retrans, gen_idle,
              gen_realworld, gen_rtt, gen_merged, gen_dns_collide, gen_dns_exact, gen_loss,
              gen_exact,
              gen_accept_queue]


def main(argv):
    if len(argv) > 1 and argv[1] in ('-h', '--help'):
        print(__doc__)
        return 0
    caps = [g() for g in GENERATORS]
    if len(argv) > 1 and argv[1] == '--expected':
        json.dump([c.summary() for c in caps], sys.stdout, indent=1)
        print()
        return 0
    outdir = argv[1] if len(argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    os.makedirs(outdir, exist_ok=True)
    for c in caps:
        path = c.write(outdir)
        print('%-26s %5d frames %7d bytes  %s%s' % (c.name, len(c.frames), os.path.getsize(path),
                                                    dict(sorted(c.results.items())),
                                                    '  %s' % dict(sorted(c.dns.items()))
                                                    if c.dns else ''))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
