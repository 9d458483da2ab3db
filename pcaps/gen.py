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
HANDSHAKE_TIMEOUT = 3 * S      # wirelat's default --handshake-timeout

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
        self.gaps = set()          # every server- and client-side gap used in this file
        self.notes = []

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
        self.frames.append((t, len(self.frames), bytes(frame), wirelen, note))

    # expectations ------------------------------------------------------------------------
    def expect(self, rec):
        self.records.append(rec)

    def result(self, r, n=1):
        self.results[r] += n

    # output --------------------------------------------------------------------------------
    def sorted_frames(self):
        return sorted(self.frames, key=lambda f: (f[0], f[1]))

    def write(self, outdir):
        path = os.path.join(outdir, self.name)
        w = PcapWriter(path, linktype=1, nano=self.nano, endianness='<', snaplen=262144,
                       sync=False)
        w.write_header(None)
        for t, _, frame, wirelen, _ in self.sorted_frames():
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
    The server answers Linux-style with what the client offered.
    """

    def __init__(self, cap, c_ip, s_ip, cport, sport, c_isn=None, s_isn=None, style='linux',
                 c_mac=None, s_mac=None, c_tags=(), s_tags=None, c_ext=(), s_ext=None,
                 pad=(False, False), visible=(True, True), ttl=(64, 58), mss=(1460, 1460)):
        self.cap = cap
        rng = cap.rng
        self.v6 = ':' in c_ip
        self.ip = {CLIENT: c_ip, SERVER: s_ip}
        self.port = {CLIENT: cport, SERVER: sport}
        self.isn = {CLIENT: rng.getrandbits(32) if c_isn is None else c_isn,
                    SERVER: rng.getrandbits(32) if s_isn is None else s_isn}
        self.nxt = dict(self.isn)          # next sequence number each side sends
        self.style = style
        self.ts = style in ('linux', 'mac')
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
        if self.ts:
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
                 synack_retransmits=len(self.synack_times) - 1)
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

    # (b) SYN retransmitted at +1 s and +3 s, never answered: deadline = last SYN + 3 s
    b = Conn(cap, c4(71), s4(71), 45002, 80, c_mac=cmac(71), s_mac=smac(71))
    tb = t0 + 200 * MS
    b.syn(tb)
    b.syn(tb + 1 * S)
    b.syn(tb + 3 * S)
    b.expect_failed('timeout', ts=tb + 3 * S + HANDSHAKE_TIMEOUT,
                    label='(b) retransmitted at +1 s and +3 s, never answered')

    # (c) SYN-ACK only 3.5 s later (late), then the client's ACK
    c = Conn(cap, c6(0x72), s6(0x72), 45003, 443, c_mac=cmac(72), s_mac=smac(72))
    tc = t0 + 300 * MS
    c.syn(tc)
    c.expect_failed('timeout', ts=tc + HANDSHAKE_TIMEOUT,
                    label='(c) SYN-ACK comes 3.5 s later: timeout at the deadline, then late')
    t = c.synack(tc + 3500 * MS)
    cap.result('late')
    c.ack3(t + cap.gap(654 * US))

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
                     % ((end - (tb + 6 * S)) / S, fmt_ns(tb + 6 * S)))
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


GENERATORS = [gen_ipv4, gen_ipv6_ext, gen_vlan, gen_interleaved, gen_syn_retransmit,
              gen_refused, gen_unanswered, gen_onesided, gen_malformed, gen_nano]


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
        print('%-26s %5d frames %7d bytes  %s' % (c.name, len(c.frames), os.path.getsize(path),
                                                  dict(sorted(c.results.items()))))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
