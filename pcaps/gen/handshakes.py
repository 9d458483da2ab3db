"""Handshakes measured: the three legs of the handshake over IPv4 and IPv6 and what ends an
attempt that does not complete.

tcp-ipv4 (plain flows: the SYN option layouts of each stack, ISNs that wrap, padded short
frames), tcp-interleaved (64 SYNs before their SYN-ACKs, a tuple reused after FIN and while
open), tcp-syn-retransmit (SYN and SYN-ACK retransmissions), tcp-refused (RSTs and ICMP
errors), tcp-unanswered (timeouts at the deadline), tcp-onesided (one direction captured) and
tcp-nano (nanosecond timestamps).
"""

from .capture import (HANDSHAKE_TIMEOUT, MS, S, US, Capture, c4, c6, cmac, fmt_ns, icmp4_unreach,
                      icmp6_unreach, s4, s6, smac, syn_deadline)
from .tcp import CLIENT, SERVER, Conn, exchange, last_l3, payloads


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
