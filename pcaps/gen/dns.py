"""DNS traffic as resolvers make it: dns-udp (320 queries outstanding at once,
every common type and rcode, IPv4 and IPv6, an ID reused, truncated responses, names with odd
but valid bytes, up to 255 bytes on the wire) and dns-tcp (DNS over TCP: pipelined queries,
messages split across segments or sharing one, out-of-order answers, retransmitted segments).
"""

import struct

from .capture import MS, S, TPID_8021AD, TPID_8021Q, US, Capture, c4, c6, cmac, s4, s6, smac
from .tcp import CLIENT, SERVER, Conn
from .dnsmsg import (DNS_TIMEOUT, RC, DnsSock, dns_msg, expect_dns, expect_dns_timeout, name_pres,
                     name_wire, rr, tcp_close, tcp_framed, tcp_open, transaction)


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
# 13. dns-tcp.pcap
# --------------------------------------------------------------------------------------------

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
