"""Foreign RFC 862 echo server, as in the classic socket lessons: one thread per connection.

Usage: python3 echo_server.py [--udp] [--corrupt]
Prints {"port": N} on stdout once listening on 127.0.0.1. --corrupt flips one bit of
every 1000th byte, to prove that clients notice a broken echo.
"""
import json
import socket
import sys
import threading

corrupt = "--corrupt" in sys.argv
udp = "--udp" in sys.argv


def mangle(data: bytes, offset: int) -> bytes:
    if not corrupt:
        return data
    b = bytearray(data)
    for i in range(len(b)):
        if (offset + i) % 1000 == 999:
            b[i] ^= 0x01
    return bytes(b)


def handle(conn: socket.socket) -> None:
    offset = 0
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(mangle(data, offset))
            offset += len(data)
        conn.shutdown(socket.SHUT_WR)


def main() -> None:
    if udp:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", 0))
        print(json.dumps({"port": s.getsockname()[1]}), flush=True)
        while True:
            data, addr = s.recvfrom(65536)
            s.sendto(mangle(data, 999) if corrupt else data, addr)
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
