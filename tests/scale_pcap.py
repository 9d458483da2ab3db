#!/usr/bin/python3
"""Synthetic captures for the scale tests (tests/test_scale_live.sh, make
bench), written with struct, not scapy: 100k handshakes in about a second.

  scale_pcap.py handshakes N OUT [--v6-every K]
      N handshakes (SYN, SYN-ACK, ACK), each on a tuple of its own, 20 us
      apart; every K-th over IPv6.
  scale_pcap.py offline N OUT
      issue 11's offline capture: N handshakes each followed by two data
      segments (one each way) and N DNS transactions, a packet every 20 us
      (7N packets).
  scale_pcap.py flood EST FLOOD AFTER OUT
      EST connections established (handshake, one data segment each way),
      then FLOOD SYNs from spoofed sources, then on each established
      connection one more data segment each way and a FIN close, then
      AFTER new handshakes: the flood may evict pending handshakes, never an
      established connection, and the handshakes after it are measured.
  scale_pcap.py edge N TIMEOUT_S OUT [FILL]
      N handshakes whose SYN-ACK (and ACK) comes near the handshake
      deadline, and N DNS queries answered near the DNS timeout: spread
      from a second before it to 200 ms after (tcpreplay stretches a 5 s gap
      by 2-10% on veth here, so whatever it does some land either side, a
      few every millisecond); the packet path's lazy expiry and the sweep race for
      each, and each attempt must be reported exactly once. FILL unanswered
      SYNs first (default 20000) make every sweep's walk take a while, so
      it runs while the answers arrive.
  scale_pcap.py dnsflood FLOOD FORGED AFTER OUT [GAP_S [TAIL]]
      FLOOD DNS queries never answered (random IDs, one client socket
      each, 5 us apart), then FORGED answers to the last FORGED of them:
      the query's ID and client socket, but from another server address
      (203.0.113.54) or another server port (5353, run with
      --dns-port 53 --dns-port 5353), which must complete nothing; GAP_S
      seconds later (default 0: the flood is still pending) AFTER ordinary
      queries each answered 5 ms later; then TAIL more queries never
      answered (default 0). Ends 1 s after: what is pending then is at end
      of file.
  scale_pcap.py synflood N GAP_S TAIL OUT
      N SYNs from spoofed sources (a tuple each, 5 us apart), GAP_S seconds
      later TAIL more, the capture ending 1 s after: the first flood times
      out (tombstones), the second meets them and is pending at end of file.

Addresses: clients 198.51.100.0/24 and 2001:db8::/32, servers 203.0.113.0/24
only. Checksums are left zero: nothing on the path verifies them (the
frames are received by a veth whose stack drops them: no address matches).
Nanosecond pcap.
"""
import random
import struct
import sys

DST_MAC = bytes.fromhex("020000000002")
SRC_MAC = bytes.fromhex("020000000001")


def v4(i):
    return bytes([198, 51, 100, 1 + i % 250])


def v4_server(i):
    return bytes([203, 0, 113, 1 + (i // 250) % 250])


def v6(i):
    return bytes.fromhex("20010db8000000000000000000000000")[:12] + struct.pack("!I", i + 1)


def v6_server(i):
    return bytes.fromhex("20010db8ffff00000000000000000000")[:12] + struct.pack("!I", i + 1)


def tcp(sport, dport, seq, ack, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 64240, 0, 0)


def udp(sport, dport, payload):
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def ip4(src, dst, proto, l4):
    return struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0, 0x4000, 64, proto, 0,
                       src, dst) + l4


def ip6(src, dst, proto, l4):
    return struct.pack("!IHBB16s16s", 6 << 28, len(l4), proto, 64, src, dst) + l4


def frame(l3, is6):
    return DST_MAC + SRC_MAC + (b"\x86\xdd" if is6 else b"\x08\x00") + l3


class Pcap:
    def __init__(self, path):
        self.f = open(path, "wb")
        self.f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        self.pkts = []

    def add(self, ts_ns, data):
        self.pkts.append((ts_ns, data))

    def close(self):
        self.pkts.sort(key=lambda p: p[0])
        w = self.f.write
        for ts, d in self.pkts:
            w(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(d), len(d)))
            w(d)
        self.f.close()


T0 = 1700000000 * 10**9
US = 1000
MS = 1000 * US
SEC = 1000 * MS


def tuple_of(i, is6):
    """Client address and port, server address and port of flow i."""
    cport = 10000 + (i // 250) % 50000
    if is6:
        return v6(i), cport, v6_server(i), 443
    return v4(i), cport, v4_server(i), 443


def handshake(p, i, t_syn, gap1, gap2, is6):
    c, cp, s, sp = tuple_of(i, is6)
    ip = ip6 if is6 else ip4
    isn, sisn = 1000 + 7 * i, 5000000 + 13 * i
    p.add(t_syn, frame(ip(c, s, 6, tcp(cp, sp, isn, 0, 0x02)), is6))
    p.add(t_syn + gap1, frame(ip(s, c, 6, tcp(sp, cp, sisn, isn + 1, 0x12)), is6))
    p.add(t_syn + gap1 + gap2, frame(ip(c, s, 6, tcp(cp, sp, isn + 1, sisn + 1, 0x10)), is6))


def data(p, i, t, is6):
    """Two data segments after flow i's handshake: request and response."""
    c, cp, s, sp = tuple_of(i, is6)
    ip = ip6 if is6 else ip4
    isn, sisn = 1000 + 7 * i, 5000000 + 13 * i
    p.add(t, frame(ip(c, s, 6, tcp(cp, sp, isn + 1, sisn + 1, 0x18) + b"x" * 100), is6))
    p.add(t + 20 * US, frame(ip(s, c, 6, tcp(sp, cp, sisn + 1, isn + 101, 0x18) + b"y" * 200), is6))


def close(p, i, t):
    """Flow i's second exchange and a FIN close from the client."""
    c, cp, s, sp = tuple_of(i, False)
    isn, sisn = 1000 + 7 * i, 5000000 + 13 * i
    cs, ss = isn + 101, sisn + 201
    p.add(t, frame(ip4(c, s, 6, tcp(cp, sp, cs, ss, 0x18) + b"x" * 100), False))
    p.add(t + 10 * US, frame(ip4(s, c, 6, tcp(sp, cp, ss, cs + 100, 0x18) + b"y" * 200), False))
    cs, ss = cs + 100, ss + 200
    p.add(t + 20 * US, frame(ip4(c, s, 6, tcp(cp, sp, cs, ss, 0x11)), False))
    p.add(t + 30 * US, frame(ip4(s, c, 6, tcp(sp, cp, ss, cs + 1, 0x11)), False))
    p.add(t + 40 * US, frame(ip4(c, s, 6, tcp(cp, sp, cs + 1, ss + 1, 0x10)), False))


def dns(p, i, t_q, gap):
    c, cp, s, _ = tuple_of(i, False)
    name = b"\x05q%04d\x05scale\x07example\x00" % (i % 10000)
    q = struct.pack("!HHHHHH", i & 0xFFFF, 0x0100, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01"
    r = struct.pack("!HHHHHH", i & 0xFFFF, 0x8180, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01"
    sport = 20000 + i % 40000
    p.add(t_q, frame(ip4(c, s, 17, udp(sport, 53, q)), False))
    p.add(t_q + gap, frame(ip4(s, c, 17, udp(53, sport, r)), False))


def dns_msg(qid, flags, name):
    return struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 0) + name + b"\x00\x01\x00\x01"


def unanswered(p, rnd, t, first, n):
    """n queries from sockets first.. (one each), random IDs, 5 us apart."""
    srv = bytes([203, 0, 113, 53])
    sent = []
    for j in range(first, first + n):
        c, cport = v4(j), 1024 + j // 250    # a socket of its own
        qid = rnd.randrange(65536)
        name = b"\x05f%04d\x05flood\x07example\x00" % (j % 10000)
        p.add(t, frame(ip4(c, srv, 17, udp(cport, 53, dns_msg(qid, 0x0100, name))), False))
        sent.append((c, cport, qid, name))
        t += 5 * US
    return t, sent


def dnsflood(p, flood, forged, after, gap_s, tail):
    rnd = random.Random(27)
    srv, wrong = bytes([203, 0, 113, 53]), bytes([203, 0, 113, 54])
    t, sent = unanswered(p, rnd, T0, 0, flood)
    for n, (c, cport, qid, name) in enumerate(sent[len(sent) - forged:]):
        r = dns_msg(qid, 0x8180, name)
        if n % 2:   # the right server address, another server port
            p.add(t, frame(ip4(srv, c, 17, udp(5353, cport, r)), False))
        else:       # another server address, the right port
            p.add(t, frame(ip4(wrong, c, 17, udp(53, cport, r)), False))
        t += 5 * US
    t += int(gap_s * SEC)
    for i in range(after):
        c, cport = bytes([198, 51, 100, 200 + i % 50]), 60000 + i // 50
        name = b"\x05a%04d\x05after\x07example\x00" % (i % 10000)
        qid = i & 0xFFFF
        p.add(t, frame(ip4(c, srv, 17, udp(cport, 53, dns_msg(qid, 0x0100, name))), False))
        p.add(t + 5 * MS, frame(ip4(srv, c, 17, udp(53, cport, dns_msg(qid, 0x8180, name))), False))
        t += 20 * US
    t, _ = unanswered(p, rnd, t, flood, tail)
    # the end of the capture, 1 s on: what is pending then (a timeout is
    # 5 s) is reported with reason eof
    p.add(t + 5 * MS + SEC, frame(ip4(srv, bytes([198, 51, 100, 1]), 6,
                                     tcp(443, 40000, 1, 1, 0x10)), False))


def main():
    mode = sys.argv[1]
    if mode == "handshakes":
        n, out = int(sys.argv[2]), sys.argv[3]
        k = int(sys.argv[5]) if len(sys.argv) > 5 else 0
        p = Pcap(out)
        for i in range(n):
            handshake(p, i, T0 + i * 20 * US, 50 * US, 30 * US, bool(k) and i % k == 0)
        p.close()
    elif mode == "offline":
        n, out = int(sys.argv[2]), sys.argv[3]
        p = Pcap(out)
        for i in range(n):
            t = T0 + i * 140 * US
            handshake(p, i, t, 20 * US, 20 * US, False)
            data(p, i, t + 60 * US, False)
            dns(p, i, t + 100 * US, 20 * US)
        p.close()
    elif mode == "flood":
        est, flood, after, out = (int(sys.argv[2]), int(sys.argv[3]),
                                  int(sys.argv[4]), sys.argv[5])
        p = Pcap(out)
        t = T0
        for i in range(est):
            handshake(p, i, t, 20 * US, 20 * US, False)
            data(p, i, t + 60 * US, False)
            t += 100 * US
        for j in range(flood):
            c, cp, s, sp = tuple_of(1000000 + j, False)
            p.add(t, frame(ip4(c, s, 6, tcp(cp, sp, 99 + j, 0, 0x02)), False))
            t += 5 * US
        for i in range(est):
            close(p, i, t)
            t += 60 * US
        for i in range(est, est + after):
            handshake(p, i, t, 20 * US, 20 * US, False)
            t += 60 * US
        p.close()
    elif mode == "edge":
        n, timeout, out = int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
        fill = int(sys.argv[5]) if len(sys.argv) > 5 else 20000
        t = int(timeout * SEC)
        rnd = random.Random(11)
        p = Pcap(out)
        for i in range(fill):
            c, cp, s, sp = tuple_of(200000 + i, False)
            p.add(T0 + i * (100 * MS // fill),
                  frame(ip4(c, s, 6, tcp(cp, sp, 77 + i, 0, 0x02)), False))
        for i in range(n):
            start = T0 + 100 * MS + i * (2 * SEC // n)
            lo, hi = t - 1000 * MS, t + 200 * MS
            handshake(p, i, start, rnd.randint(lo, hi), 20 * US, False)
            dns(p, 100000 + i, start + 500 * US, rnd.randint(lo, hi))
        p.close()
    elif mode == "synflood":
        n, gap_s, tail, out = int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
        p = Pcap(out)
        t = T0
        for j in range(n + tail):
            if j == n:
                t += int(gap_s * SEC)
            c, cp, s, sp = tuple_of(1000000 + j, False)
            p.add(t, frame(ip4(c, s, 6, tcp(cp, sp, 99 + j, 0, 0x02)), False))
            t += 5 * US
        p.add(t + SEC, frame(ip4(bytes([203, 0, 113, 1]), bytes([198, 51, 100, 1]), 6,
                                 tcp(443, 40000, 1, 1, 0x10)), False))
        p.close()
    elif mode == "dnsflood":
        flood, forged, after, out = (int(sys.argv[2]), int(sys.argv[3]),
                                     int(sys.argv[4]), sys.argv[5])
        p = Pcap(out)
        dnsflood(p, flood, forged, after,
                 float(sys.argv[6]) if len(sys.argv) > 6 else 0,
                 int(sys.argv[7]) if len(sys.argv) > 7 else 0)
        p.close()
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
