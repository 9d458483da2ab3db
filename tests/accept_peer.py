#!/usr/bin/python3
"""Peers for tests/test_listen_live.sh: a TCP server with a small listen(2) backlog that accepts
nothing until told to, and clients that fill its queues.

    accept_peer.py server ADDR PORT BACKLOG GOFILE
        listen(BACKLOG) on ADDR:PORT, print "ready"; accept nothing until GOFILE exists (an
        existing GOFILE: accept at once); then accept everything and answer every request
        ("response " + the request) until killed.
    accept_peer.py clients ADDR PORT N DEFER SENDFILE
        N connections at once (non-blocking connect() in a loop); with DEFER=1 each socket has
        TCP_DEFER_ACCEPT set before connect(): Linux then holds the ACK of the SYN-ACK up to
        200 ms (tcp_rcv_synsent_state_process, "Save one ACK"), so all N SYNs reach the server
        before any completing ACK, as from N hosts at once. Prints "connected" once every
        connect() has completed on the client's side, waits for SENDFILE (an existing one: at
        once), sends one request on each, reads each response, closes them all, prints "done".
        Exits 1 when a connection fails or a response is not back within 30 s.
"""

import os
import selectors
import socket
import sys
import time


def wait_file(path):
    while not os.path.exists(path):
        time.sleep(0.02)


def server(addr, port, backlog, go):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    print("ready", flush=True)
    wait_file(go)
    s.setblocking(False)
    sel = selectors.DefaultSelector()
    sel.register(s, selectors.EVENT_READ)
    while True:
        for key, _ in sel.select():
            if key.fileobj is s:
                try:
                    c, _ = s.accept()
                except BlockingIOError:
                    continue
                c.setblocking(False)
                sel.register(c, selectors.EVENT_READ)
                continue
            c = key.fileobj
            try:
                data = c.recv(4096)
            except BlockingIOError:
                continue
            except ConnectionError:
                data = b""
            if not data:
                sel.unregister(c)
                c.close()
                continue
            c.setblocking(True)
            c.sendall(b"response " + data)
            c.setblocking(False)


def clients(addr, port, n, defer, sendfile):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    socks = []
    for _ in range(n):
        c = socket.socket(fam, socket.SOCK_STREAM)
        if defer:
            c.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
        c.setblocking(False)
        c.connect_ex((addr, port))
        socks.append(c)
    sel = selectors.DefaultSelector()
    for c in socks:
        sel.register(c, selectors.EVENT_WRITE)
    pending, deadline = set(socks), time.time() + 30
    while pending and time.time() < deadline:
        for key, _ in sel.select(timeout=1):
            c = key.fileobj
            err = c.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                print("connect: %s" % os.strerror(err), flush=True)
                return 1
            sel.unregister(c)
            pending.discard(c)
    if pending:
        print("connect: %d not connected after 30 s" % len(pending), flush=True)
        return 1
    print("connected", flush=True)
    wait_file(sendfile)
    for i, c in enumerate(socks):
        c.setblocking(True)
        c.sendall(b"request %d\n" % i)
    for i, c in enumerate(socks):
        c.settimeout(30)
        want = b"response request %d\n" % i
        got = b""
        while len(got) < len(want):
            b = c.recv(4096)
            if not b:
                break
            got += b
        if got != want:
            print("response %d: %r" % (i, got), flush=True)
            return 1
    for c in socks:
        c.close()
    print("done", flush=True)
    return 0


def main(argv):
    if len(argv) == 6 and argv[1] == "server":
        return server(argv[2], int(argv[3]), int(argv[4]), argv[5])
    if len(argv) == 7 and argv[1] == "clients":
        return clients(argv[2], int(argv[3]), int(argv[4]), argv[5] == "1", argv[6])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
