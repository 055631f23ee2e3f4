"""Foreign time server, as in the classic socket lessons: time.strftime of the local time.

Usage: python3 time_server.py [--udp]
UDP: each request datagram is a strftime format (UTF-8; empty means "%Y-%m-%d %X"), answered
by one datagram. TCP: the same with frames (struct.pack('!I', n) + bytes), many per
connection, one thread per connection. Prints {"port": N} once listening on 127.0.0.1.
"""
import json
import socket
import struct
import sys
import threading
import time

DEFAULT = "%Y-%m-%d %X"


def answer(request: bytes) -> bytes:
    fmt = request.decode("utf-8", "surrogateescape") or DEFAULT
    return time.strftime(fmt).encode("utf-8", "surrogateescape")


def recv_exact(conn: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise EOFError
        buf.extend(chunk)
    return bytes(buf)


def handle(conn: socket.socket) -> None:
    with conn:
        try:
            while True:
                (n,) = struct.unpack("!I", recv_exact(conn, 4))
                if n > 65536:
                    return
                reply = answer(recv_exact(conn, n))
                conn.sendall(struct.pack("!I", len(reply)) + reply)
        except (EOFError, ConnectionError):
            return


def main() -> None:
    if "--udp" in sys.argv:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        print(json.dumps({"port": s.getsockname()[1]}), flush=True)
        while True:
            data, addr = s.recvfrom(65536)
            s.sendto(answer(data), addr)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(64)
    print(json.dumps({"port": s.getsockname()[1]}), flush=True)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=handle, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
