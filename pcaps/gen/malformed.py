"""tcp-malformed: frames wirelat must skip without harm, one between each pair of handshakes
that still complete: bad IPv4 header and total lengths, TCP data offsets below 5 or past the
packet, frames and datagrams cut inside the TCP header, non-first IPv4 and IPv6 fragments that
look like a SYN, nine IPv6 extension headers, ARP, UDP, GRE and MPLS frames, and a SYN-ACK with
a bad data offset (its SYN times out).
"""

import struct

from scapy.all import (ARP, GRE, IP, TCP, UDP, IPv6, IPv6ExtHdrDestOpt, IPv6ExtHdrFragment,
                       IPv6ExtHdrHopByHop, PadN, Raw, raw)

from .capture import (ETH_ARP, ETH_IPV4, ETH_IPV6, ETH_MPLS, HANDSHAKE_TIMEOUT, MS, NH_FRAG,
                      NH_TCP, S, US, Capture, build_v6, c4, c6, cmac, eth_header, s4, s6, smac)
from .tcp import CLIENT, SERVER, Conn, exchange


# --------------------------------------------------------------------------------------------
# 9. tcp-malformed.pcap
# --------------------------------------------------------------------------------------------

def gen_malformed():
    cap = Capture('tcp-malformed.pcap', nano=False, seed=909)
    rng = cap.rng
    t0 = cap.start
    bad = []     # (label, bytes)

    def syn4(src_i, dst_i, sport, dport=443, **ipkw):
        return IP(src=c4(src_i), dst=s4(dst_i), ttl=64, id=rng.getrandbits(16), flags='DF',
                  **ipkw) / TCP(sport=sport, dport=dport, seq=rng.getrandbits(32), flags='S',
                                window=64240, options=[('MSS', 1460), ('SAckOK', b''),
                                                       ('NOP', None), ('WScale', 7)])

    def syn6(src_i, dst_i, sport, dport=443):
        return TCP(sport=sport, dport=dport, seq=rng.getrandbits(32), flags='S', window=64240,
                   options=[('MSS', 1440), ('SAckOK', b''), ('NOP', None), ('WScale', 7)])

    def e4(i):
        return eth_header(cmac(0x90 + i), smac(0x90), ETH_IPV4)

    def e6(i):
        return eth_header(cmac(0x90 + i), smac(0x90), ETH_IPV6)

    # 1. IPv4 IHL = 4
    b = bytearray(raw(syn4(0x91, 0x91, 48001)))
    b[0] = 0x44
    bad.append(('IPv4 IHL 4 (< 5)', e4(1) + bytes(b)))
    # 2. IPv4 total length larger than the frame
    p = IP(raw(syn4(0x92, 0x92, 48002)))      # checksums right for the real 40-byte segment
    p.len = 1000
    del p.chksum
    f = e4(2) + raw(p)
    bad.append(('IPv4 total length 1000 in a %d-byte frame' % len(f), f))
    # 3. IPv4 ethertype, version 6
    b = bytearray(raw(syn4(0x93, 0x93, 48003)))
    b[0] = 0x65
    bad.append(('IPv4 ethertype, IP version field 6', e4(3) + bytes(b)))
    # 4. TCP data offset 4 (< 5)
    p = syn4(0x94, 0x94, 48004)
    p[TCP].options = []
    p[TCP].dataofs = 4
    bad.append(('TCP data offset 4 (< 5)', e4(4) + raw(p)))
    # 5. TCP data offset past the end of the packet
    p = syn4(0x95, 0x95, 48005)
    p[TCP].options = []
    p[TCP].dataofs = 15
    bad.append(('TCP data offset 15 (60 bytes) in a 20-byte segment', e4(5) + raw(p)))
    # 6a. frame cut in the middle of the TCP header (IP total length says 60)
    f = e4(6) + raw(syn4(0x96, 0x96, 48006))
    bad.append(('frame cut after 10 bytes of TCP header (IP total length 60)', f[:14 + 20 + 10]))
    # 6b. IP datagram that ends in the middle of the TCP header (IP total length 30)
    p = syn4(0x97, 0x97, 48007)
    full = bytearray(raw(p))
    p2 = IP(bytes(full))
    p2.len = 30
    del p2.chksum
    hdr = raw(p2)[:20]
    bad.append(('IP total length 30: TCP header only 10 bytes long', e4(7) + hdr + bytes(full[20:30])))
    # 7. non-first IPv4 fragment carrying bytes that look like a SYN
    synbytes = raw(syn4(0x98, 0x98, 48008))[20:]
    p = IP(src=c4(0x98), dst=s4(0x98), ttl=64, id=0x2f2f, flags=0, frag=185, proto=6) / \
        Raw(synbytes)
    bad.append(('non-first IPv4 fragment (offset 1480) whose payload looks like a SYN',
                e4(8) + raw(p)))
    # 7b. non-first IPv6 fragment carrying bytes that look like a SYN
    l4 = raw(IPv6(src=c6(0x99), dst=s6(0x99)) / syn6(0x99, 0x99, 48009))[40:]
    p = IPv6(src=c6(0x99), dst=s6(0x99), hlim=64, nh=NH_FRAG) / \
        IPv6ExtHdrFragment(nh=NH_TCP, offset=181, m=0, id=0x0d0d0d0d) / Raw(l4)
    bad.append(('non-first IPv6 fragment (offset 1448) whose payload looks like a SYN',
                e6(9) + raw(p)))
    # 8. IPv6 with 9 extension headers (HBH + 8 destination options), then a SYN
    exts = [IPv6ExtHdrHopByHop(options=[PadN(optdata=b'\x00' * 4)])] + \
        [IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\x00' * 4)]) for _ in range(8)]
    p = build_v6(c6(0x9a), s6(0x9a), exts, syn6(0x9a, 0x9a, 48010))
    bad.append(('IPv6 with 9 extension headers (HBH + 8 x DST) before a SYN', e6(10) + raw(p)))
    # 9. IPv6 payload length past the frame
    p = IPv6(src=c6(0x9b), dst=s6(0x9b), hlim=64, plen=500) / syn6(0x9b, 0x9b, 48011)
    f = e6(11) + raw(p)
    bad.append(('IPv6 payload length 500 in a %d-byte frame' % len(f), f))
    # 10. truncated Ethernet frame (10 bytes)
    bad.append(('10-byte Ethernet frame', (e4(12) + raw(syn4(0x9c, 0x9c, 48012)))[:10]))
    # 11. ARP request and reply (well-formed, not parsed: `other`)
    arp_req = eth_header(cmac(0x9d), 'ff:ff:ff:ff:ff:ff', ETH_ARP) + raw(
        ARP(op=1, hwsrc=cmac(0x9d), psrc=c4(0x9d), hwdst='00:00:00:00:00:00', pdst=c4(1)))
    arp_rep = eth_header(cmac(1), cmac(0x9d), ETH_ARP) + raw(
        ARP(op=2, hwsrc=cmac(1), psrc=c4(1), hwdst=cmac(0x9d), pdst=c4(0x9d)))
    bad.append(('ARP request (not malformed: other)', arp_req))
    bad.append(('ARP reply (not malformed: other)', arp_rep))
    # 12. UDP datagram to port 9999
    bad.append(('UDP to port 9999 (not malformed: parsed, no record)', e4(14) + raw(
        IP(src=c4(0x9e), dst=s4(0x9e), ttl=64, id=7) / UDP(sport=48014, dport=9999) /
        Raw(b'wirelat-udp-probe'))))
    # 13. GRE-encapsulated IPv4 SYN
    bad.append(('GRE (proto 47) carrying an IPv4 SYN (tunnel: other)', e4(15) + raw(
        IP(src='198.51.100.1', dst='203.0.113.1', ttl=64, id=9, proto=47) / GRE(proto=0x0800) /
        syn4(0x9f, 0x9f, 48015))))
    # 14. MPLS frame (one label, bottom of stack) carrying an IPv4 SYN
    label = struct.pack('!I', (16004 << 12) | (0 << 9) | (1 << 8) | 63)
    bad.append(('MPLS (0x8847, label 16004) carrying an IPv4 SYN (other)',
                eth_header(cmac(0xa0), smac(0x90), ETH_MPLS) + label +
                raw(syn4(0xa0, 0xa0, 48016))))

    # interleave: background complete handshakes every ~250 ms from t0 to t0 + 8 s, one bad
    # frame between each pair of them
    n = 0
    t = t0
    bg_times = []
    while t < t0 + 10 * S:
        n += 1
        conn = Conn(cap, c4(10 + n), s4(10 + n % 5), 49000 + n, [443, 80, 22][n % 3],
                    style=['linux', 'windows', 'minimal', 'mac'][n % 4], c_mac=cmac(10 + n),
                    s_mac=smac(10 + n % 5))
        exchange(conn, t, cap.rand_gap(50 * US, 40 * MS), cap.rand_gap(50 * US, 8 * MS), n=n,
                 label='good flow %d' % n)
        bg_times.append(t)
        t += 250 * MS + cap.dur(0, 20 * MS)
    for i, (label, frame) in enumerate(bad):
        tb = bg_times[i] + 123 * MS + i * US
        cap.add(tb, frame, note=label)

    # the SYN whose SYN-ACK has a bad data offset: stays pending, times out
    x = Conn(cap, c4(0xa1), s4(0xa1), 48017, 443, c_mac=cmac(0xa1), s_mac=smac(0xa1))
    tx = t0 + 4 * S + 77 * MS
    x.syn(tx)

    def bad_doff(f):
        f = bytearray(f)
        f[14 + 20 + 12] = (3 << 4) | (f[14 + 20 + 12] & 0x0F)   # data offset 3 (12 bytes)
        return bytes(f)
    x.send(SERVER, tx + cap.gap(2020 * US), 'SA', seq=x.isn[SERVER], ack=x.isn[CLIENT] + 1,
           options=x.syn_options(SERVER, tx), mangle=bad_doff,
           note='SYN-ACK with TCP data offset 3 (answers the SYN just before it)')
    x.synack_times.append(tx + 2020 * US)
    x.expect_failed('timeout', ts=tx + HANDSHAKE_TIMEOUT,
                    label='SYN whose SYN-ACK has TCP data offset 3: never completes, times out')
    cap.notes.append('198.51.100.161:48017 -> 203.0.113.161:443: SYN at +%.6f s, SYN-ACK with '
                     'data offset 3 at +%.6f s (malformed), no client ACK; times out at +%.6f s'
                     % ((tx - t0) / S, (tx + 2020 * US - t0) / S,
                        (tx + HANDSHAKE_TIMEOUT - t0) / S))
    return cap
