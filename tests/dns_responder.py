#!/usr/bin/python3
"""A DNS responder that waits before it answers, for live latency tests.

Usage: dns_responder.py ADDR PORT
Answers every UDP query with NOERROR and no answers, after a delay taken
from the first label of the name: "d50.anything" waits 50 ms, "d200..."
200 ms; other names are answered at once. Runs until killed.
"""
import re
import socket
import sys
import threading
import time


def question_end(msg):
    pos = 12
    while msg[pos] != 0:
        pos += msg[pos] + 1
    return pos + 5


def answer(sock, msg, peer):
    end = question_end(msg)
    first = msg[13:13 + msg[12]].decode("ascii", "replace")
    m = re.fullmatch(r"d(\d+)", first)
    if m:
        time.sleep(int(m.group(1)) / 1000.0)
    # same ID, QR=1, RD copied, RA; one question, no answers
    flags = 0x8080 | (msg[2] << 8 & 0x0100)
    resp = msg[0:2] + flags.to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x00\x00\x00" + msg[12:end]
    sock.sendto(resp, peer)


def main():
    addr, port = sys.argv[1], int(sys.argv[2])
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    sock = socket.socket(fam, socket.SOCK_DGRAM)
    sock.bind((addr, port))
    print("ready", flush=True)
    while True:
        msg, peer = sock.recvfrom(4096)
        if len(msg) < 17 or msg[2] & 0x80:
            continue
        threading.Thread(target=answer, args=(sock, msg, peer), daemon=True).start()


if __name__ == "__main__":
    main()
