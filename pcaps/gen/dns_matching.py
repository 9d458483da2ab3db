"""Which response answers which query, when it is not simply the next one.

dns-udp-edge (unanswered and retransmitted queries, mismatched questions, duplicates,
unsolicited and late responses, ICMP errors quoting a query, malformed questions), dns-collide
(questions compared byte for byte, not by a hash) and dns-exact (two questions on one tuple and
ID, ICMP errors quoting less than the question; every record to the nanosecond).
"""

import struct

from .capture import (MS, S, US, Capture, c4, c6, cmac, fmt_ns, icmp4_unreach, icmp6_unreach, s4,
                      s6, smac)
from .tcp import CLIENT, SERVER
from .tconn import TConn
from .dnsmsg import (DNS_TIMEOUT, DnsSock, dns_msg, expect_dns, expect_dns_timeout, name_wire,
                     tcp_framed, tcp_open, transaction)


# --------------------------------------------------------------------------------------------
# 12. dns-udp-edge.pcap
# --------------------------------------------------------------------------------------------

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
    icmp4_unreach(cap, ti, s4(57), c4(207), 3, q, smac(0x57), cmac(207), ttl=57, ipid=0x5757,
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
    icmp4_unreach(cap, ti, s4(1), c4(208), 1, q[:20 + 8 + 12], smac(1), cmac(208), ttl=254,
                  ipid=0x0101, note='(g2) ICMP host unreachable from 203.0.113.1 quoting IP + '
                                    'UDP + the 12-byte DNS header')
    expect_dns_timeout(cap, g2, ti, tg2, 0x1208, 'router.example.com', 'A', reason='unreachable',
                       retransmits=1, label='(g2) retransmitted, then ICMP host unreachable')

    # (h) IPv6: ICMPv6 port unreachable quoting the whole query
    h = DnsSock(cap, c6(0x209), 40209, s6(0x57), c_mac=cmac(209), s_mac=smac(0x57))
    th = t0 + 2100 * MS
    _, q = h.send(CLIENT, th, dns_msg(0x1209, 'icmp6.example.com', 'AAAA'), note='(h) query')
    ti = th + cap.gap(98765 * US)
    icmp6_unreach(cap, ti, s6(0x57), c6(0x209), 4, q, smac(0x57), cmac(209),
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
    icmp4_unreach(cap, ti, s4(53), c4(5), 3, q[:20 + 8], smac(0x53), cmac(5), ttl=57,
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
    icmp4_unreach(cap, ti, s4(1), c4(6), 1, q[:20 + 8 + 2], smac(1), cmac(6), ttl=250,
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
    icmp4_unreach(cap, ti, s4(53), c4(7), 3, q, smac(0x53), cmac(7), ttl=57,
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
    icmp6_unreach(cap, ti, s6(0x53), c6(0x308), 4, q[:40 + 8], smac(0x53), cmac(8),
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
