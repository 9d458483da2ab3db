"""Link and network layers around the same handshakes: tcp-ipv6-ext (IPv6 extension header
chains: hop-by-hop, destination options, routing, segment routing, atomic fragments) and
tcp-vlan (802.1Q and 802.1ad tags, IPv4 and IPv6).
"""

from scapy.all import (IPv6ExtHdrDestOpt, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop,
                       IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting, PadN, RouterAlert)

from .capture import MS, TPID_8021AD, TPID_8021Q, US, Capture, c4, c6, cmac, s4, s6, smac
from .tcp import Conn, exchange


# --------------------------------------------------------------------------------------------
# 2. tcp-ipv6-ext.pcap
# --------------------------------------------------------------------------------------------

def hbh_ra():
    return IPv6ExtHdrHopByHop(options=[RouterAlert(value=0)])


def dstopt(n=4):
    return IPv6ExtHdrDestOpt(options=[PadN(optdata=b'\x00' * n)])


def dstopt_exp():
    # an experimental option (RFC 4727, type 0x1e: skip if unknown) plus padding: 16 bytes
    return IPv6ExtHdrDestOpt(options=[PadN(otype=0x1e, optdata=b'wirelat-test'[:10])])


def rh0():
    return IPv6ExtHdrRouting(type=0, segleft=0, addresses=[])


def srh(final):
    return IPv6ExtHdrSegmentRouting(segleft=0, lastentry=0, addresses=[final])


def frag_atomic(ident):
    return IPv6ExtHdrFragment(offset=0, m=0, id=ident)


def gen_ipv6_ext():
    cap = Capture('tcp-ipv6-ext.pcap', nano=True, seed=202)
    t0 = cap.start + 123
    rows = [
        # (label, client host, server host, sport, style, c_ext, s_ext, srv gap, cli gap, start)
        ('plain', 0x10, 0x10, 443, 'linux', [], [], 18234567, 93411, 0),
        ('hop-by-hop c2s', 0x11, 0x10, 80, 'linux', [hbh_ra()], [], 2345678, 654321, 5 * MS),
        ('destination options s2c', 0x12, 0x11, 443, 'windows', [], [dstopt_exp()], 51234,
         1234567, 9 * MS),
        ('routing type 0 (segleft 0) both', 0x13, 0x12, 22, 'linux', [rh0()], [rh0()],
         345678901, 77777, 200 * MS),
        ('segment routing header c2s', 0x14, 0x13, 443, 'mac', [srh(s6(0x13))], [], 7654321,
         250001, 205 * MS),
        ('atomic fragment both', 0x15, 0x14, 80, 'linux', [frag_atomic(0x1a2b3c4d)],
         [frag_atomic(0x5e6f7081)], 98765432, 123457, 400 * MS),
        ('4-header chain c2s (HBH, DST, RH0, FRAG), 3-header chain s2c (HBH, SRH, DST)', 0x16,
         0x15, 8080,
         'linux', [hbh_ra(), dstopt(), rh0(), frag_atomic(0x11223344)],
         [IPv6ExtHdrHopByHop(options=[PadN(optdata=b'\x00' * 4)]), srh(s6(0x16)), dstopt()],
         432109, 7654, 410 * MS),
        ('3-header chain both (DST, RH0, DST)', 0x17, 0x16, 443, 'windows',
         [dstopt(), rh0(), dstopt_exp()], [dstopt_exp(), rh0(), dstopt(12)],
         13579135, 24680246, 900 * MS),
        ('plain, no options but MSS', 0x18, 0x17, 80, 'minimal', [], [], 777001, 65432,
         905 * MS),
    ]
    for n, (label, ch, sh, sp, style, cext, sext, sg, cg, off) in enumerate(rows, 1):
        conn = Conn(cap, c6(ch), s6(sh), 41000 + n * 7, sp, style=style, c_mac=cmac(ch),
                    s_mac=smac(sh), c_ext=cext, s_ext=sext, mss=(1440, 1440), ttl=(64, 55))
        exchange(conn, t0 + off, cap.gap(sg), cap.gap(cg), n=n,
                 close='client' if n % 2 else 'server', label='flow %d: %s' % (n, label))
    return cap


# --------------------------------------------------------------------------------------------
# 3. tcp-vlan.pcap
# --------------------------------------------------------------------------------------------

def gen_vlan():
    cap = Capture('tcp-vlan.pcap', nano=False, seed=303)
    rows = [
        ('802.1Q vid 100 both directions', c4(30), s4(30), 443,
         [(TPID_8021Q, 100, 0)], None, 3456 * US, 78 * US, 0, (False, False)),
        ('QinQ 802.1ad outer 200 + 802.1Q inner 300 both directions', c4(31), s4(31), 80,
         [(TPID_8021AD, 200, 0), (TPID_8021Q, 300, 0)], None, 22222 * US, 1011 * US, 50 * MS,
         (False, False)),
        ('three tags 0x88a8/200, 0x8100/300, 0x8100/42 both directions', c4(32), s4(32), 22,
         [(TPID_8021AD, 200, 1), (TPID_8021Q, 300, 2), (TPID_8021Q, 42, 3)], None,
         123456 * US, 505 * US, 60 * MS, (False, False)),
        ('client->server tagged 802.1Q vid 400, server->client untagged', c4(33), s4(33), 443,
         [(TPID_8021Q, 400, 0)], [], 404 * US, 40404 * US, 70 * MS, (True, True)),
        ('IPv6 in 802.1Q vid 101 pcp 5 both directions', c6(0x33), s6(0x33), 443,
         [(TPID_8021Q, 101, 5)], None, 60061 * US, 7007 * US, 80 * MS, (False, False)),
        ('IPv6 in QinQ, server->client tagged, client->server untagged', c6(0x34), s6(0x34),
         80, [], [(TPID_8021AD, 7, 0), (TPID_8021Q, 8, 0)], 654 * US, 321987 * US, 85 * MS,
         (False, False)),
    ]
    for n, (label, cip, sip, sp, ctags, stags, sg, cg, off, pad) in enumerate(rows, 1):
        # flow 4 uses Windows options (no timestamps): its short frames get Ethernet padding
        conn = Conn(cap, cip, sip, 42000 + n, sp, style='windows' if n in (3, 4, 6) else 'linux',
                    c_mac=cmac(0x30 + n), s_mac=smac(0x30 + n), c_tags=ctags, s_tags=stags,
                    pad=pad)
        exchange(conn, cap.start + off, cap.gap(sg), cap.gap(cg), n=n,
                 label='flow %d: %s' % (n, label))
    return cap
