"""Conn: one TCP connection seen from one observation point, and the traffic it carries.

Conn writes both sides' segments (SYN option layouts of Linux, macOS, Windows and minimal
stacks, timestamps, window scaling, VLAN tags, IPv6 extension headers, either direction left
out of the capture) and states the handshake, failure and close records they make. Beside it:
application payloads (HTTP, SSH, SMTP banners, TLS 1.3 hellos) and `exchange`, a whole
connection (handshake, one request/response, FIN close) as most cases use it.
"""

import struct
from collections import OrderedDict

from scapy.all import IP, TCP, Raw, raw

from .capture import BASE, ETH_IPV4, ETH_IPV6, MS, US, build_v6, eth_header


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


def last_l3(cap, conn):
    """The IP part of the last frame written for conn (for ICMP quoting)."""
    f = cap.frames[-1][2]
    off = 14 + 4 * len(conn.tags[CLIENT])
    return f[off:]


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
