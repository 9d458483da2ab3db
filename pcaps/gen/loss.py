"""Retransmissions and loss, located: tcp-retrans (retransmissions as the scenario marks
them: fast and timeout retransmissions, a partial overlap, keepalives, zero-window probes, a
FIN again, and the RTT samples around them) and tcp-loss (sequence
gaps before the observation point, duplicate ACKs, spurious retransmissions, zero windows,
each tcp_close record's loss fields asserted as the case states them).
"""

from .capture import MS, S, US, Capture
from .tcp import CLIENT, SERVER
from .tconn import M32, blob, flight, handshake, hidden_handshake, lconn, loss


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
# 21. tcp-loss.pcap: loss, located (DESIGN.md "Loss, located"): sequence gaps (data lost
#     before the observation point), retransmissions, duplicate ACKs and zero windows, one case
#     per connection; each tcp_close record's loss fields asserted as the case states them
# --------------------------------------------------------------------------------------------

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
