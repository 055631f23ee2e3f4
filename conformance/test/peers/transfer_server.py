"""Foreign framed-transfer server, as in the classic length-prefix lesson: one thread per
connection, hashlib.sha256 of the data frames, one JSON reply frame, then close.

Usage: python3 transfer_server.py
Prints {"port": N} once listening on 127.0.0.1.
"""
import hashlib
import json
import socket
import struct
import threading


def recv_exact(conn: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = conn.recv(min(n - len(buf), 1 << 20))
        if not chunk:
            raise EOFError
        buf.extend(chunk)
    return bytes(buf)


def read_frame(conn: socket.socket) -> bytes:
    (n,) = struct.unpack("!I", recv_exact(conn, 4))
    if n > 16 * 1024 * 1024:
        raise ValueError("frame too large")
    return recv_exact(conn, n)


def handle(conn: socket.socket) -> None:
    with conn:
        try:
            header = json.loads(read_frame(conn).decode("utf-8"))
            h = hashlib.sha256()
            size = 0
            while True:
                data = read_frame(conn)
                if not data:
                    break
                h.update(data)
                size += len(data)
            digest = h.hexdigest()
            ok = size == header["size"] and digest == header["sha256"]
            reply = {"ok": ok, "name": header["name"], "size": size, "sha256": digest}
            if not ok:
                reply["error"] = "size or sha256 mismatch"
            body = json.dumps(reply).encode("utf-8")
            conn.sendall(struct.pack("!I", len(body)) + body)
            conn.shutdown(socket.SHUT_WR)
        except (EOFError, ConnectionError, ValueError, KeyError):
            return


def main() -> None:
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
