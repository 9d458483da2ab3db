"""A connection's life after its handshake: how it ends and what its tcp_close record holds.

tcp-lifecycle (FIN either side first, RSTs, reuse of a tuple, open at the end of the file,
mid-stream and unobserved starts, bulk transfer), tcp-idle (the idle timeout, at its edges),
tcp-rtt (continuous RTT: which packets start and answer a sample, with and without timestamps)
and tcp-merged (two captures of other dates merged end to end: expiry by each packet's time).
"""

from .capture import HANDSHAKE_TIMEOUT, MS, S, US, Capture, c4, cmac, fmt_ns, s4, smac
from .tcp import CLIENT, OTHER, SERVER
from .tconn import IDLE_TIMEOUT, M32, TConn, blob, handshake, hidden_handshake, lconn
from .dnsmsg import DNS_TIMEOUT, DnsSock, expect_dns, expect_dns_timeout


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
                     'nothing times out (see pcaps/README.md)')
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
