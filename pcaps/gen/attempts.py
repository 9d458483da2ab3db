"""Connection attempts as real stacks make them, and what a completed handshake hands its
connection.

tcp-realworld (RSTs in SYN-SENT, challenge ACKs, Linux and Windows backoff and the
backoff-aware deadline, resumed attempts, late SYN-ACKs), tcp-exact (the SYN's and SYN-ACK's
TSvals as RTT samples, retransmissions that stay the handshake's, resumption up to 130 s, TCP
Fast Open, SYN-ACKs lost after the observation point; every record to the nanosecond) and
tcp-accept-queue (a full accept queue: SYN-ACKs after the client's ACK).
"""

from .capture import (HANDSHAKE_TIMEOUT, MS, S, US, Capture, c4, c6, cmac, fmt_ns, icmp4_unreach,
                      s4, s6, smac, syn_deadline)
from .tcp import CLIENT, SERVER, Conn, last_l3
from .tconn import M32, TConn, blob, handshake, lconn


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


# --------------------------------------------------------------------------------------------
# 23. tcp-accept-queue.pcap: a full accept queue (DESIGN.md): the server's kernel drops the
#     client's completing ACK and what follows it, and sends its SYN-ACK again when its timer
#     fires. The handshake record stands at the client's ACK; the SYN-ACKs after it are the
#     connection's accept_queue_drops (never retransmits_*), and a request pending when one
#     came counts its turn from its first payload (the wait is the server's). Expected turn
#     fields ('turns', 'response_min_ns', 'response_max_ns') are checked by tests/test_exact.sh.
# --------------------------------------------------------------------------------------------

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
