#!/usr/bin/python3
"""Peers for the connection tests: real TCP transfers between namespaces.

  conn_peer.py sink ADDR PORT          accept connections, read to EOF, close
  conn_peer.py source ADDR PORT BYTES  accept connections, send BYTES, close
  conn_peer.py upload ADDR PORT BYTES  connect, send BYTES, close, wait for EOF
  conn_peer.py download ADDR PORT      connect, read to EOF, print the count
  conn_peer.py many ADDR PORT N BYTES  open N connections at once, then send
                                       BYTES on each and close them one by one
"""
import socket
import sys
import threading


def serve(addr, port, handler):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(1024)
    print("ready", flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


def sink(conn):
    while conn.recv(65536):
        pass
    conn.close()


def source(n):
    return lambda conn: upload(conn, n)


def connect(addr, port):
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.connect((addr, port))
    return s


def upload(s, n):
    """Send n bytes, close our side, read the peer's side to its end."""
    chunk = b"u" * 65536
    left = n
    while left > 0:
        left -= s.send(chunk[:min(left, len(chunk))])
    s.shutdown(socket.SHUT_WR)
    while s.recv(65536):
        pass
    s.close()


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "sink":
        serve(addr, port, sink)
    elif mode == "source":
        serve(addr, port, source(int(sys.argv[4])))
    elif mode == "upload":
        upload(connect(addr, port), int(sys.argv[4]))
    elif mode == "download":
        s = connect(addr, port)
        total = 0
        while True:
            b = s.recv(65536)
            if not b:
                break
            total += len(b)
        s.close()
        print(total)
    elif mode == "many":
        socks = [connect(addr, port) for _ in range(int(sys.argv[4]))]
        for s in socks:
            upload(s, int(sys.argv[5]))


if __name__ == "__main__":
    main()
