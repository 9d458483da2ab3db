#!/usr/bin/python3
"""Generate a capture for the who-is-slow tests, and its truth.

  who_gen.py OUT.pcap TRUTH.json [--churn]

Hundreds of TCP servers (203.0.113.x:443 and :8443) and thousands of DNS
names under 60 registrable domains (co.uk, com.au, ac.jp style suffixes
among them) asked of five resolvers, with known counts and latencies:

  - 25 heavy servers and 25 heavy domains with distinct counts (no ties at
    any boundary), and a light tail of keys seen 1 to 3 times;
  - some handshakes refused (RST), some queries NXDOMAIN or SERVFAIL, a few
    never answered;
  - every heavy key has its first five transactions before the light tail
    begins, so each stays in the candidate table from its first record.

--churn: the heavy set changes halfway (set A in the first 50 s, set B in
the last 50 s; the light tail throughout).

The truth: per key (server "ip:port", domain, DNS server "ip:port"), the
transaction count, the sum of the latencies in ns (handshake: first SYN to
the ACK; DNS: query to response) and the failures by reason, plus the
capture's start and end times. Raw pcap writing (no scapy): 100k packets a
second.
"""
import json
import random
import struct
import sys

T0 = 1_700_000_000 * 10**9
ETH_SRC = bytes.fromhex("020000000001")
ETH_DST = bytes.fromhex("020000000002")


def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(a):
    return bytes(int(x) for x in a.split("."))


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 0, 0x4000, 64,
                    proto, 0, ip4(src), ip4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def l4sum(src, dst, proto, seg):
    pseudo = ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, len(seg))
    return csum(pseudo + seg)


def tcp(src, sport, dst, dport, seq, ack, flags, payload=b""):
    seg = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
    seg = seg[:16] + struct.pack("!H", l4sum(src, dst, 6, seg)) + seg[18:]
    return ETH_SRC + ETH_DST + b"\x08\x00" + ipv4(src, dst, 6, seg)


def udp(src, sport, dst, dport, payload):
    seg = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    seg = seg[:6] + struct.pack("!H", l4sum(src, dst, 17, seg) or 0xFFFF) + seg[8:]
    return ETH_SRC + ETH_DST + b"\x08\x00" + ipv4(src, dst, 17, seg)


def qname_wire(name):
    out = b""
    for label in name.split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def dns_msg(qid, name, response=False, rcode=0):
    flags = 0x8180 | rcode if response else 0x0100
    an = 1 if response and rcode == 0 else 0
    msg = struct.pack("!HHHHHH", qid, flags, 1, an, 0, 0) + qname_wire(name) + struct.pack("!HH", 1, 1)
    if an:
        msg += b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 60, 4) + bytes([203, 0, 113, 200])
    return msg


SUFFIXES = ["co.uk", "com.au", "ac.jp", "com", "org", "net", "co.nz", "org.uk", "com.br", "de"]


def domains():
    return ["dom%02d.%s" % (i, SUFFIXES[i % len(SUFFIXES)]) for i in range(60)]


def main():
    out, truth_path = sys.argv[1], sys.argv[2]
    churn = "--churn" in sys.argv[3:]
    rng = random.Random(7)
    servers = ["203.0.113.%d:443" % i for i in range(1, 251)] + \
              ["203.0.113.%d:8443" % i for i in range(1, 51)]
    resolvers = ["198.51.100.%d:53" % i for i in range(250, 255)]
    doms = domains()
    heavy_srv = rng.sample(servers, 50 if churn else 25)
    heavy_dom = rng.sample(doms, 50 if churn else 25)
    light_srv = [s for s in servers if s not in heavy_srv]
    light_dom = [d for d in doms if d not in heavy_dom]
    span = 100 * 10**9

    # transactions: (time, kind, key); heavy counts distinct: 30 + 2 i
    tx = []
    def heavy(keys, kind, t_lo, t_hi):
        for i, k in enumerate(keys):
            n = 30 + 2 * (len(keys) - i)
            # the first five before anything light (a key must win its
            # place in the candidate table before the tail competes for
            # it: Space-Saving is exact for a key that never left), the
            # rest spread out
            for j in range(5):
                tx.append((t_lo + j * 10**8 + i * 1000, kind, k))
            for _ in range(n - 5):
                tx.append((rng.randrange(t_lo + 10**9, t_hi), kind, k))
    if churn:
        heavy(heavy_srv[:25], "tcp", 0, span // 2)
        heavy(heavy_srv[25:], "tcp", span // 2, span - 6 * 10**9)
        heavy(heavy_dom[:25], "dns", 0, span // 2)
        heavy(heavy_dom[25:], "dns", span // 2, span - 6 * 10**9)
    else:
        heavy(heavy_srv, "tcp", 0, span - 6 * 10**9)
        heavy(heavy_dom, "dns", 0, span - 6 * 10**9)
    for k in light_srv:
        for _ in range(rng.randint(1, 3)):
            tx.append((rng.randrange(2 * 10**9, span - 6 * 10**9), "tcp", k))
    for d in light_dom:
        for _ in range(rng.randint(1, 3)):
            tx.append((rng.randrange(2 * 10**9, span - 6 * 10**9), "dns", d))
    tx.sort()

    truth = {"servers": {}, "domains": {}, "dns_servers": {}, "start_ns": T0, "end_ns": T0 + span}
    def rec(table, key, lat=None, fail=None):
        e = truth[table].setdefault(key, {"count": 0, "sum_ns": 0, "lat_n": 0, "fail": {}})
        e["count"] += 1
        if lat is not None:
            e["sum_ns"] += lat
            e["lat_n"] += 1
        if fail:
            e["fail"][fail] = e["fail"].get(fail, 0) + 1

    pkts = []
    answers = []    # (response time, DNS server, latency)
    port = 20000
    qid = 1
    for t, kind, key in tx:
        port = port + 1 if port < 60000 else 20000
        client = "198.51.100.%d" % rng.randint(1, 200)
        if kind == "tcp":
            sip, sport = key.split(":")
            sport = int(sport)
            a = rng.randint(200, 40000) * 1000      # SYN -> SYN-ACK
            b = rng.randint(50, 2000) * 1000        # SYN-ACK -> ACK
            isn, sisn = rng.getrandbits(32), rng.getrandbits(32)
            pkts.append((T0 + t, tcp(client, port, sip, sport, isn, 0, 0x02)))
            if rng.random() < 0.08:
                pkts.append((T0 + t + a, tcp(sip, sport, client, port, 0, (isn + 1) & 0xFFFFFFFF, 0x14)))
                rec("servers", key, fail="refused")
                continue
            pkts.append((T0 + t + a, tcp(sip, sport, client, port, sisn, (isn + 1) & 0xFFFFFFFF, 0x12)))
            pkts.append((T0 + t + a + b, tcp(client, port, sip, sport, (isn + 1) & 0xFFFFFFFF,
                                               (sisn + 1) & 0xFFFFFFFF, 0x10)))
            # closed at once, so nothing is left open at the end
            pkts.append((T0 + t + a + b + 1000, tcp(client, port, sip, sport, (isn + 1) & 0xFFFFFFFF,
                                                      (sisn + 1) & 0xFFFFFFFF, 0x14)))
            rec("servers", key, lat=a + b)
        else:
            name = "h%d.%s" % (rng.randint(0, 80), key)
            res = rng.choice(resolvers)
            rip = res.split(":")[0]
            qid = qid % 65535 + 1
            lat = rng.randint(100, 80000) * 1000
            pkts.append((T0 + t, udp(client, port, rip, 53, dns_msg(qid, name))))
            r = rng.random()
            if r < 0.03:
                rec("domains", key, fail="timeout")
                rec("dns_servers", res)
                continue
            rcode = 3 if r < 0.10 else 2 if r < 0.13 else 0
            pkts.append((T0 + t + lat, udp(rip, 53, client, port, dns_msg(qid, name, True, rcode))))
            rec("domains", key, lat=lat, fail={3: "nxdomain", 2: "servfail"}.get(rcode))
            rec("dns_servers", res, lat=lat)
            answers.append((t + lat, res, lat))
    # DNS server time: latency less the server's least latency of the last
    # 5 minutes (the capture is shorter: the least so far), in the order the
    # responses come
    base = {}
    for _, res, lat in sorted(answers):
        base[res] = min(base.get(res, lat), lat)
        e = truth["dns_servers"][res]
        e["st_sum_ns"] = e.get("st_sum_ns", 0) + lat - base[res]
    pkts.sort(key=lambda p: p[0])
    # a last packet at the end of the span: the window ends here
    pkts.append((T0 + span, udp("198.51.100.1", 9, "198.51.100.2", 9, b"end")))
    with open(out, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for ts, frame in pkts:
            f.write(struct.pack("<IIII", ts // 10**9, ts % 10**9, len(frame), len(frame)))
            f.write(frame)
    truth["heavy_servers"] = heavy_srv
    truth["heavy_domains"] = heavy_dom
    with open(truth_path, "w") as f:
        json.dump(truth, f)


if __name__ == "__main__":
    main()
