"""TConn: a Conn that predicts its tcp_close record (lifecycle, continuous RTT, loss, located).

The connection cases (connections, loss, attempts and DNS over TCP) write their connections
with TConn and its helpers: `lconn` (a connection from the address plan), `handshake`,
`hidden_handshake` (a connection seen mid-stream), `flight` (back-to-back segments, some lost
before the observation point), `blob` (filler payload) and `loss` (the loss fields of a record).
"""

from collections import OrderedDict

from .capture import BASE, MS, S, US, c4, c6, cmac, s4, s6, smac
from .tcp import CLIENT, OTHER, SERVER, Conn


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
