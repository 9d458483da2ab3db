"""DNS messages built byte by byte (no scapy DNS layer), the UDP sockets that send them, and the
`dns` / `dns_timeout` records they are expected to make; `tcp_open` / `tcp_close` frame a DNS
over TCP connection.
"""

import struct
from collections import OrderedDict

from scapy.all import IP, UDP, IPv6, Raw, raw

from .capture import ETH_IPV4, ETH_IPV6, S, eth_header
from .tcp import CLIENT, OTHER, SERVER


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
# DNS over TCP: the connection around the messages
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
