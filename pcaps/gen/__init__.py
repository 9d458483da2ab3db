"""Generate the synthetic test captures of wirelat (see pcaps/README.md).

Usage:
    /usr/bin/python3 pcaps/gen.py [OUTDIR]         write the captures (default: pcaps/)
    /usr/bin/python3 pcaps/gen.py --expected       print the expected outcomes as JSON on stdout
                                                   (nothing is written)
    cd pcaps && python3 -m gen [OUTDIR|--expected] the same

Needs Debian's python3-scapy (tested with 2.5.0).  The output is deterministic: fixed base time,
fixed seeds, fixed ISNs and ports; two runs give byte-identical files.

Every time in this package is an integer number of nanoseconds.  Times are handed to scapy's
PcapWriter as integer (sec, sub-second) pairs: scapy 2.5 turns pkt.time into a float for the
seconds field, and a time such as 1700000000.999999999 then gets written as 1700000001 s
+ 999999999 ns (a whole second off).  Microsecond files only ever use whole microseconds.

Addresses: clients 198.51.100.0/24 and 2001:db8:100::/48, servers 203.0.113.0/24 and
2001:db8:200::/48, router 203.0.113.1.  MACs are locally administered.

The dns-*.pcap files build their DNS messages byte by byte (dnsmsg.dns_msg; no scapy DNS
layer); their expected records (`dns`, `dns_timeout`) and DNS counts are part of --expected
("dns_counts").

Expectations follow DESIGN.md as of the 5 s default --handshake-timeout, the backoff-aware
deadline (capture.syn_deadline), challenge ACKs ("challenge_acks" in --expected where not 0)
and the continuous-RTT rule where only payload, SYN or FIN starts a sample (tconn.TConn), and
the loss fields of tcp_close (DESIGN.md "Loss, located": segments, sequence gaps, duplicate
ACKs, zero windows; TConn._loss), which tcp-loss.pcap exercises. tcp-merged.pcap is written in
two parts (Capture.part), the first dated one day after the second, as files merged end to end.

Layout: one module per family of cases. A case is one gen_* function: it builds its capture
and states, beside the packets that make them, the records and counts wirelat must report.
    handshakes     tcp-ipv4, tcp-interleaved, tcp-syn-retransmit, tcp-refused,
                   tcp-unanswered, tcp-onesided, tcp-nano
    linklayers     tcp-ipv6-ext, tcp-vlan
    malformed      tcp-malformed
    attempts       tcp-realworld, tcp-exact, tcp-accept-queue
    connections    tcp-lifecycle, tcp-idle, tcp-rtt, tcp-merged
    loss           tcp-retrans, tcp-loss
    dns            dns-udp, dns-tcp
    dns_matching   dns-udp-edge, dns-collide, dns-exact
The building blocks they share know no case (each imports only those above it):
    capture        times, Capture (frames and expectations), Ethernet/VLAN, IPv6 extension
                   header chains, ICMP errors, the address plans
    tcp            Conn (one TCP connection's segments and its handshake/close records),
                   application payloads, exchange (a whole connection)
    tconn          TConn (a Conn that predicts its tcp_close record: RTT samples, loss)
    dnsmsg         DNS messages byte by byte, DnsSock, the dns/dns_timeout records
GENERATORS below is the order files are written and listed by --expected; the numbers in the
modules' section comments follow it.
"""

import json
import os
import sys

from .attempts import gen_accept_queue, gen_exact, gen_realworld
from .connections import gen_idle, gen_lifecycle, gen_merged, gen_rtt
from .dns import gen_dns_tcp, gen_dns_udp
from .dns_matching import gen_dns_collide, gen_dns_exact, gen_dns_udp_edge
from .handshakes import (gen_interleaved, gen_ipv4, gen_nano, gen_onesided, gen_refused,
                         gen_syn_retransmit, gen_unanswered)
from .linklayers import gen_ipv6_ext, gen_vlan
from .loss import gen_loss, gen_retrans
from .malformed import gen_malformed

GENERATORS = [gen_ipv4, gen_ipv6_ext, gen_vlan, gen_interleaved, gen_syn_retransmit,
              gen_refused, gen_unanswered, gen_onesided, gen_malformed, gen_nano,
              gen_dns_udp, gen_dns_udp_edge, gen_dns_tcp, gen_lifecycle, gen_retrans, gen_idle,
              gen_realworld, gen_rtt, gen_merged, gen_dns_collide, gen_dns_exact, gen_loss,
              gen_exact,
              gen_accept_queue]

# the captures live in pcaps/, beside this package
PCAPS_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main(argv):
    if len(argv) > 1 and argv[1] in ('-h', '--help'):
        print(__doc__)
        return 0
    caps = [g() for g in GENERATORS]
    if len(argv) > 1 and argv[1] == '--expected':
        json.dump([c.summary() for c in caps], sys.stdout, indent=1)
        print()
        return 0
    outdir = argv[1] if len(argv) > 1 else PCAPS_DIR
    os.makedirs(outdir, exist_ok=True)
    for c in caps:
        path = c.write(outdir)
        print('%-26s %5d frames %7d bytes  %s%s' % (c.name, len(c.frames), os.path.getsize(path),
                                                    dict(sorted(c.results.items())),
                                                    '  %s' % dict(sorted(c.dns.items()))
                                                    if c.dns else ''))
    return 0
