"""The capture every case writes, and the frames below TCP and DNS.

Times and units (every time is an integer number of nanoseconds), the backoff-aware handshake
deadline, `Capture` (frames with times, written sorted by part and time, plus the expected
records and counts of the file), Ethernet/VLAN headers, IPv6 extension header chains, ICMP
errors quoting what they answer, and the address plans (clients 198.51.100.0/24 and
2001:db8:100::/48, servers 203.0.113.0/24 and 2001:db8:200::/48, locally administered MACs).
"""

import datetime
import math
import os
import random
import struct
from collections import Counter, OrderedDict

from scapy.all import (ICMP, IP, TCP, UDP, ICMPv6DestUnreach, IPv6, IPv6ExtHdrDestOpt,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrRouting,
                       IPv6ExtHdrSegmentRouting, PcapWriter, Raw, raw)


NS = 1
US = 1000
MS = 1000 * US
S = 1000 * MS
BASE = 1700000000 * S          # 2023-11-14T22:13:20Z
HANDSHAKE_TIMEOUT = 5 * S      # wirelat's default --handshake-timeout


def syn_deadline(syn_times, timeout=HANDSHAKE_TIMEOUT):
    """When an unanswered attempt times out (DESIGN.md "Deadline"): the latest SYN + max(the
    timeout, 2.5 x the gap between the last two SYNs); with one SYN the gap term is 0."""
    gap = syn_times[-1] - syn_times[-2] if len(syn_times) > 1 else 0
    return syn_times[-1] + max(timeout, gap * 5 // 2)


ETH_IPV4 = 0x0800
ETH_IPV6 = 0x86DD
ETH_ARP = 0x0806
ETH_MPLS = 0x8847
TPID_8021Q = 0x8100
TPID_8021AD = 0x88A8

NH_HBH, NH_TCP, NH_UDP, NH_ROUTING, NH_FRAG, NH_ICMPV6, NH_DSTOPT = 0, 6, 17, 43, 44, 58, 60


def mac_bytes(m):
    return bytes(int(x, 16) for x in m.split(':'))


def eth_header(src, dst, ethertype, tags=()):
    """Ethernet header, optionally with stacked VLAN tags [(tpid, vid, pcp), ...] outermost first."""
    h = mac_bytes(dst) + mac_bytes(src)
    for tpid, vid, pcp in tags:
        h += struct.pack('!HH', tpid, (pcp << 13) | vid)
    return h + struct.pack('!H', ethertype)


def fmt_ns(ns):
    """Absolute time in ns -> RFC 3339 UTC with six fractional digits, truncated (wirelat's `ts`)."""
    sec, frac = divmod(ns, S)
    d = datetime.datetime.fromtimestamp(sec, datetime.timezone.utc)
    return d.strftime('%Y-%m-%dT%H:%M:%S') + '.%06dZ' % (frac // US)


# --------------------------------------------------------------------------------------------
# Capture: a list of frames with times, written sorted by time (stable), plus expectations.
# --------------------------------------------------------------------------------------------

class Capture:
    def __init__(self, name, nano, seed, start=BASE):
        self.name = name
        self.nano = nano
        self.rng = random.Random(seed)
        self.start = start
        self.frames = []           # (t, insertion index, bytes, wirelen, note)
        self.records = []          # expected records (dicts)
        self.results = Counter()   # expected wirelat_tcp_handshakes_total{result}
        self.dns = Counter()       # expected DNS counts (dns_answered, dns_timeout, ...)
        self.gaps = set()          # every server- and client-side gap used in this file
        self.notes = []
        self.closes = Counter()    # expected tcp_close records by reason (lifecycle files)
        self.options = None        # wirelat options the expected records assume (if any)
        self.challenge_acks = 0    # expected wirelat_tcp_challenge_acks_total
        self.part = 0              # frames are written part by part, by time within a part

    # time helpers ------------------------------------------------------------------------
    def dur(self, lo_ns, hi_ns):
        """A random duration in [lo, hi]; whole microseconds in microsecond files."""
        if self.nano:
            return self.rng.randint(lo_ns, hi_ns)
        return self.rng.randint(-(-lo_ns // US), hi_ns // US) * US

    def gap(self, ns):
        """Register a handshake leg; legs are unique within a file."""
        assert ns not in self.gaps, (self.name, ns)
        if not self.nano:
            assert ns % US == 0, (self.name, ns)
        self.gaps.add(ns)
        return ns

    def rand_gap(self, lo_ns=50 * US, hi_ns=800 * MS):
        while True:
            # log-uniform, so small and large legs are both common
            x = math.exp(self.rng.uniform(math.log(lo_ns), math.log(hi_ns)))
            ns = int(x) if self.nano else int(x) // US * US
            if ns not in self.gaps and lo_ns <= ns <= hi_ns:
                return self.gap(ns)

    def add(self, t, frame, wirelen=None, note=None):
        assert isinstance(t, int)
        if not self.nano:
            assert t % US == 0, (self.name, t, note)
        self.frames.append((t, len(self.frames), bytes(frame), wirelen, note, self.part))

    # expectations ------------------------------------------------------------------------
    def expect(self, rec):
        self.records.append(rec)

    def result(self, r, n=1):
        self.results[r] += n

    # output --------------------------------------------------------------------------------
    def sorted_frames(self):
        """File order: by part (a capture made of files merged end to end, of other dates, has
        several), then by time, then in the order they were added."""
        return sorted(self.frames, key=lambda f: (f[5], f[0], f[1]))

    def write(self, outdir):
        path = os.path.join(outdir, self.name)
        w = PcapWriter(path, linktype=1, nano=self.nano, endianness='<', snaplen=262144,
                       sync=False)
        w.write_header(None)
        for t, _, frame, wirelen, _, _ in self.sorted_frames():
            sec, sub = divmod(t, S)
            if not self.nano:
                sub //= US
            w.write_packet(frame, sec=sec, usec=sub, caplen=len(frame),
                           wirelen=wirelen if wirelen is not None else len(frame))
        w.close()
        return path

    def summary(self):
        frames = self.sorted_frames()
        recs = sorted(self.records, key=lambda r: (r.get('ts_ns') is None, r.get('ts_ns') or 0))
        for r in recs:
            if r.get('ts_ns') is not None:
                r['ts'] = fmt_ns(r['ts_ns'])
        return OrderedDict([
            ('file', self.name),
            ('precision', 'ns' if self.nano else 'us'),
            ('frames', len(frames)),
            ('first_ns', frames[0][0]),
            ('last_ns', frames[-1][0]),
            ('results', dict(sorted(self.results.items()))),
        ] + ([('challenge_acks', self.challenge_acks)] if self.challenge_acks else []) + (
            [('accept_queue_drops', self.accept_queue_drops)]
            if getattr(self, 'accept_queue_drops', 0) else []) + (
            [('dns_counts', dict(sorted(self.dns.items())))] if self.dns else []) + (
            [('close_counts', dict(sorted(self.closes.items())))] if self.closes else []) + (
            [('options', self.options)] if self.options else []) + [
            ('records', recs),
            ('marked_frames', [OrderedDict([('frame', i + 1), ('ns', f[0]), ('what', f[4])])
                               for i, f in enumerate(frames) if f[4]]),
            ('notes', self.notes),
        ])


# --------------------------------------------------------------------------------------------
# IPv6 extension header chains and ICMP errors
# --------------------------------------------------------------------------------------------

def build_v6(src, dst, exts, l4, hlim=64, fl=0):
    """IPv6 with a chain of extension headers (scapy layers, copied) before l4; next-header
    fields are set explicitly."""
    l4type = {TCP: NH_TCP, UDP: NH_UDP}.get(type(l4), NH_ICMPV6)
    if isinstance(l4, (ICMPv6DestUnreach,)):
        l4type = NH_ICMPV6
    hdrs = [h.copy() for h in exts]
    types = [ext_type(h) for h in hdrs] + [l4type]
    pkt = IPv6(src=src, dst=dst, hlim=hlim, fl=fl, nh=types[0])
    for h, nxt in zip(hdrs, types[1:]):
        h.nh = nxt
        pkt = pkt / h
    return pkt / l4


def ext_type(h):
    if isinstance(h, IPv6ExtHdrHopByHop):
        return NH_HBH
    if isinstance(h, IPv6ExtHdrDestOpt):
        return NH_DSTOPT
    if isinstance(h, (IPv6ExtHdrRouting, IPv6ExtHdrSegmentRouting)):
        return NH_ROUTING
    if isinstance(h, IPv6ExtHdrFragment):
        return NH_FRAG
    raise ValueError(h)


def icmp4_unreach(cap, t, src, dst, code, quoted, src_mac, dst_mac, ttl=64, ipid=0, note=None):
    """ICMP destination unreachable (code) from src, quoting `quoted`: the packet it answers,
    whole or its first bytes."""
    pkt = IP(src=src, dst=dst, ttl=ttl, id=ipid) / ICMP(type=3, code=code) / Raw(quoted)
    cap.add(t, eth_header(src_mac, dst_mac, ETH_IPV4) + raw(pkt), note=note)


def icmp6_unreach(cap, t, src, dst, code, quoted, src_mac, dst_mac, note=None):
    """ICMPv6 destination unreachable (code) from src, quoting `quoted`."""
    pkt = IPv6(src=src, dst=dst, hlim=64) / ICMPv6DestUnreach(code=code) / Raw(quoted)
    cap.add(t, eth_header(src_mac, dst_mac, ETH_IPV6) + raw(pkt), note=note)


# --------------------------------------------------------------------------------------------
# Address plans
# --------------------------------------------------------------------------------------------

def c4(i):
    return '198.51.100.%d' % i


def s4(i):
    return '203.0.113.%d' % i


def c6(i):
    return '2001:db8:100::%x' % i


def s6(i):
    return '2001:db8:200::%x' % i


def cmac(i):
    return '02:00:00:00:01:%02x' % (i & 0xFF)


def smac(i):
    return '02:00:00:00:02:%02x' % (i & 0xFF)
