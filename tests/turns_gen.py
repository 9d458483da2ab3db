#!/usr/bin/python3
"""Generate a capture of request/response turns with known times, and its truth.

  turns_gen.py OUT.pcap TRUTH.json

Captured beside the clients: every server is 10 ms away (SYN -> SYN-ACK 10
ms, each request ACKed 10 ms after it), and answers after a known think
time. Per connection (client port), the truth holds the turns, response
min/avg/max and the average server time (response - the least server-side
RTT sample before it: 10 ms unless said otherwise):

  - keep-alive: requests answered after 5, 50 and 200 ms of think time;
  - a request in two segments 3 ms apart: the response counts from the
    second;
  - a response in several segments: one turn, from its first segment;
  - pipelined: the client sends its second request while the first
    response is still arriving (its ACK does not cover all the server
    sent): the second request makes no turn; a third request after
    everything was received does;
  - without turns: the server speaks first and the client only ACKs;
  - both sides sending: a server streaming while the client sends requests
    in between (the stream's segments do not acknowledge them): no turn;
    then five plain turns after the stream;
  - a request sent again (lost after the observation point): the response
    counts from the retransmission;
  - a connection first seen mid-stream (no handshake in the capture): its
    turns count like any others.

And DNS: a server answering in 5 ms (its baseline) and sometimes 105 ms
(server time 100 ms each), another always in 30 ms (a flat 30 ms baseline,
server time 0): the truth holds each one's answers and server time sum.

No TCP options: RTT from seq/ack. Raw pcap writing, nanosecond stamps.
"""
import json
import struct
import sys

sys.path.insert(0, __import__("os").path.dirname(__file__))
from who_gen import tcp, udp, dns_msg  # noqa: E402

T0 = 1_700_000_000 * 10**9
MS = 10**6
RTT = 10 * MS
CLIENT = "198.51.100.20"


class Conn:
    def __init__(self, pkts, sport, server, dport, t, hidden=False):
        """hidden: the handshake is not in the capture (seen mid-stream)."""
        self.pkts, self.sport, self.server, self.dport = pkts, sport, server, dport
        self.cseq, self.sseq = 1000, 500000
        if not hidden:
            self.add(t, True, 0x02, b"", self.cseq, 0)
            self.add(t + RTT, False, 0x12, b"", self.sseq, self.cseq + 1)
        self.cseq += 1
        self.sseq += 1
        if not hidden:
            self.add(t + RTT + MS // 10, True, 0x10, b"")
        self.sent_ack = self.sseq    # what the client acknowledged last
        self.cseq_at_open = self.cseq

    def add(self, t, c2s, flags, payload, seq=None, ack=None):
        if c2s:
            seq = self.cseq if seq is None else seq
            ack = self.sseq if ack is None else ack
            self.pkts.append((t, tcp(CLIENT, self.sport, self.server, self.dport, seq, ack, flags, payload)))
            self.cseq = seq + len(payload)
        else:
            seq = self.sseq if seq is None else seq
            ack = self.cseq if ack is None else ack
            self.pkts.append((t, tcp(self.server, self.dport, CLIENT, self.sport, seq, ack, flags, payload)))
            self.sseq = seq + len(payload)

    def request(self, t, n=100, ack=None, seq=None):
        self.add(t, True, 0x18, b"q" * n, ack=ack, seq=seq)

    def response(self, t, n=300, ack=None):
        self.add(t, False, 0x18, b"r" * n, ack=ack)

    def server_ack(self, t):
        self.add(t, False, 0x10, b"")

    def client_ack(self, t):
        self.add(t, True, 0x10, b"")

    def close(self, t):
        self.add(t, True, 0x11, b"")
        self.cseq += 1
        self.add(t + RTT, False, 0x11, b"")
        self.sseq += 1
        self.add(t + RTT + MS // 10, True, 0x10, b"")


def main():
    pkts, truth = [], {}

    def expect(port, responses, srv=None):
        """srv: each turn's server time, where the least server-side RTT
        sample before it is not RTT (DESIGN.md: the least sample, the
        handshake's server leg only without one)."""
        if not responses:
            truth[port] = {"turns": 0}
            return
        if srv is None:
            srv = [max(r - RTT, 0) for r in responses]
        truth[port] = {"turns": len(responses), "response_min_ns": min(responses),
                       "response_max_ns": max(responses),
                       "response_avg_ns": sum(responses) // len(responses),
                       "server_time_avg_ns": sum(srv) // len(srv)}

    # keep-alive, three think times
    c = Conn(pkts, 40001, "203.0.113.80", 80, 0)
    t, resp = 100 * MS, []
    for think in (5, 50, 200):
        c.request(t)
        c.server_ack(t + RTT)
        c.response(t + RTT + think * MS)
        c.client_ack(t + RTT + think * MS + MS)
        resp.append(RTT + think * MS)
        t += 500 * MS
    c.close(t)
    expect(40001, resp)

    # a request in two segments 3 ms apart
    c = Conn(pkts, 40002, "203.0.113.81", 80, 10 * MS)
    t = 200 * MS
    c.request(t, 50)
    c.request(t + 3 * MS, 50)
    c.server_ack(t + 3 * MS + RTT)
    c.response(t + 3 * MS + RTT + 20 * MS)
    c.client_ack(t + 3 * MS + RTT + 21 * MS)
    c.close(t + 400 * MS)
    # the first segment's sample is answered by the ACK of both: 13 ms, the
    # least server-side sample, so server time 30 - 13 ms
    expect(40002, [RTT + 20 * MS], srv=[RTT + 20 * MS - (RTT + 3 * MS)])

    # a response in four segments: one turn, from the first
    c = Conn(pkts, 40003, "203.0.113.82", 80, 20 * MS)
    t = 300 * MS
    c.request(t)
    for i in range(4):
        c.response(t + RTT + 30 * MS + i * MS, 1000)
    c.client_ack(t + RTT + 35 * MS)
    c.close(t + 400 * MS)
    expect(40003, [RTT + 30 * MS])

    # pipelined: request 2 goes out while response 1 is still arriving
    c = Conn(pkts, 40004, "203.0.113.83", 80, 30 * MS)
    t = 400 * MS
    c.request(t)
    c.response(t + RTT + 15 * MS, 1000)          # response 1, first part
    acked = c.sseq                                # the client ACKs only this
    c.response(t + RTT + 16 * MS, 1000)          # response 1, second part
    before2 = c.cseq
    c.request(t + RTT + 16 * MS + MS // 2, ack=acked)   # request 2: ACK below the server's high
    # response 1, last part: the server has not received request 2 yet
    c.response(t + RTT + 17 * MS, 1000, ack=before2)
    c.response(t + RTT + 40 * MS, 1000)          # ... and response 2: no turn
    c.client_ack(t + RTT + 41 * MS)
    t2 = t + 300 * MS
    c.request(t2)                                 # request 3: all received
    c.response(t2 + RTT + 8 * MS)
    c.client_ack(t2 + RTT + 9 * MS)
    c.close(t2 + 300 * MS)
    # no sample before the first response (it answers request 1's sample, 25
    # ms): the handshake's 10 ms; before the third, the least sample is
    # request 2's, answered by response 2 (23.5 ms): server time 0
    expect(40004, [RTT + 15 * MS, RTT + 8 * MS], srv=[15 * MS, 0])

    # the server speaks first, the client only ACKs: no turn
    c = Conn(pkts, 40005, "203.0.113.84", 25, 40 * MS)
    t = 500 * MS
    c.response(t, 100)
    c.client_ack(t + MS)
    c.response(t + 50 * MS, 100)
    c.client_ack(t + 51 * MS)
    c.close(t + 300 * MS)
    expect(40005, [])

    # both sides sending: the server streams 500 B every 3 ms for 150 ms while
    # the client sends a 200 B request every 30 ms in between, each with an ACK
    # of all the stream it received; the server's next streamed segment (1-2
    # ms later) does not acknowledge the request (it was sent before the
    # request reached the server): no turn for any of them. Then the stream
    # stops and five requests are answered after 20, 50, 100, 200 and 490 ms
    # of think time: five turns, none shorter than the server-side RTT
    c = Conn(pkts, 40006, "203.0.113.85", 8080, 50 * MS)
    t = 600 * MS
    req_at = []                                   # (time, end seq) of requests
    for k in range(50):
        ts = t + k * 3 * MS
        # what the server has received by ts: the requests sent RTT before
        got = max([e for (tr, e) in req_at if tr + RTT <= ts], default=c.cseq_at_open)
        c.response(ts, 500, ack=got)
        if k % 10 == 5:
            c.request(ts + 1 * MS + MS // 2, 200)    # ACK: the whole stream so far
            req_at.append((ts + 1 * MS + MS // 2, c.cseq))
        elif k % 2:
            c.client_ack(ts + MS)
    t += 50 * 3 * MS + 100 * MS
    resp = []
    for think in (20, 50, 100, 200, 490):
        c.request(t)
        c.server_ack(t + RTT)
        c.response(t + RTT + think * MS)
        c.client_ack(t + RTT + think * MS + MS)
        resp.append(RTT + think * MS)
        t += 700 * MS
    c.close(t)
    expect(40006, resp)

    # a retransmitted request: the first copy is lost after the observation
    # point, the client sends it again 200 ms later (its RTO); the server
    # acknowledges that and answers after 30 ms: the response counts from
    # the retransmission (the client's last payload before it)
    c = Conn(pkts, 40007, "203.0.113.86", 80, 60 * MS)
    t = 700 * MS
    seq = c.cseq
    c.request(t)
    c.request(t + 200 * MS, seq=seq)
    c.server_ack(t + 200 * MS + RTT)
    c.response(t + 200 * MS + RTT + 30 * MS)
    c.client_ack(t + 200 * MS + RTT + 31 * MS)
    c.close(t + 600 * MS)
    # the retransmission drops the first copy's sample and starts none
    # (Karn): server time from the handshake's 10 ms leg
    expect(40007, [RTT + 30 * MS])

    # first seen mid-stream (the capture holds no handshake): a request, its
    # ACK 10 ms later, the response after 40 ms of think time; then another
    # after 70 ms: two turns
    c = Conn(pkts, 40008, "203.0.113.87", 80, 70 * MS, hidden=True)
    t = 900 * MS
    for think in (40, 70):
        c.request(t)
        c.server_ack(t + RTT)
        c.response(t + RTT + think * MS)
        c.client_ack(t + RTT + think * MS + MS)
        t += 300 * MS
    c.close(t)
    expect(40008, [RTT + 40 * MS, RTT + 70 * MS])

    # DNS: a server whose answers take 5 ms (its network baseline), some of
    # them 5 + 100 ms (it is busy): server time 0 for the first kind, 100 ms
    # for the second; another server always 30 ms (flat: server time 0)
    dns = {"198.51.100.53:53": {"count": 0, "st_sum_ns": 0},
           "198.51.100.54:53": {"count": 0, "st_sum_ns": 0}}
    t = 100 * MS
    for i in range(40):
        slow = i >= 10 and i % 4 == 0       # the first ten set the baseline
        lat = (5 + (100 if slow else 0)) * MS
        pkts.append((t, udp(CLIENT, 50000 + i, "198.51.100.53", 53, dns_msg(i + 1, "q%d.example.org" % i))))
        pkts.append((t + lat, udp("198.51.100.53", 53, CLIENT, 50000 + i, dns_msg(i + 1, "q%d.example.org" % i, True))))
        dns["198.51.100.53:53"]["count"] += 1
        dns["198.51.100.53:53"]["st_sum_ns"] += 100 * MS if slow else 0
        pkts.append((t, udp(CLIENT, 51000 + i, "198.51.100.54", 53, dns_msg(i + 1, "q%d.example.net" % i))))
        pkts.append((t + 30 * MS, udp("198.51.100.54", 53, CLIENT, 51000 + i, dns_msg(i + 1, "q%d.example.net" % i, True))))
        dns["198.51.100.54:53"]["count"] += 1
        t += 200 * MS
    truth["dns_servers"] = dns

    pkts.sort(key=lambda p: p[0])
    with open(sys.argv[1], "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D, 2, 4, 0, 0, 65535, 1))
        for ts, frame in pkts:
            f.write(struct.pack("<IIII", (T0 + ts) // 10**9, (T0 + ts) % 10**9, len(frame), len(frame)))
            f.write(frame)
    with open(sys.argv[2], "w") as f:
        json.dump(truth, f)


if __name__ == "__main__":
    main()
