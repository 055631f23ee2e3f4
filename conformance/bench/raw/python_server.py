"""Thread-per-connection Python baseline for `netparity bench`, as in the classic socket lessons:
socket(), bind(), listen(), then accept() in a loop and one thread per client.

Usage: python3 python_server.py '<json spec>'  (conformance/src/in-runtime/bench/protocol.ts)
Roles: sink-server, echo-server (TCP, one thread per connection) and udp-server (one loop).
Prints one JSON "listening" line on stdout; SIGTERM stops it, and so does the end of stdin
when NETPARITY_PARENT_PIPE=1: the bench gives stdin as a pipe it never writes to, so its end
means the bench has gone, SIGKILL included (src/in-runtime/common/parent.ts).
"""
import json
import os
import platform
import signal
import socket
import sys
import threading

spec = json.loads(sys.argv[1])
role = spec["role"]
host = spec.get("host", "127.0.0.1")
family = socket.AF_INET6 if ":" in host else socket.AF_INET


def listening(port: int) -> None:
    line = {"event": "listening", "port": port, "pid": os.getpid(), "runtime": "python",
            "version": platform.python_version(), "impl": "python-threads"}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()


def sink(conn: socket.socket) -> None:
    n = 0
    buf = bytearray(256 * 1024)
    with conn:
        while True:
            r = conn.recv_into(buf)
            if not r:
                break
            n += r
        conn.sendall(f"{n}\n".encode())
        conn.shutdown(socket.SHUT_WR)


def echo(conn: socket.socket) -> None:
    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.shutdown(socket.SHUT_WR)


def guarded(handler, conn):
    try:
        handler(conn)
    except OSError:
        pass


def exit_at_end_of_stdin() -> None:
    while sys.stdin.buffer.read(1024):
        pass
    os._exit(129)


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if os.environ.get("NETPARITY_PARENT_PIPE") == "1":
        threading.Thread(target=exit_at_end_of_stdin, daemon=True).start()
    if role == "udp-server":
        s = socket.socket(family, socket.SOCK_DGRAM)
        s.bind((host, spec.get("port", 0)))
        listening(s.getsockname()[1])
        while True:
            data, addr = s.recvfrom(65536)
            s.sendto(data, addr)
    handler = {"sink-server": sink, "echo-server": echo}.get(role)
    if handler is None:
        sys.stdout.write(json.dumps({"event": "error", "message": f"role {role} is not offered by the python server"}) + "\n")
        sys.exit(2)
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, spec.get("port", 0)))
    s.listen()
    listening(s.getsockname()[1])
    while True:
        conn, _ = s.accept()
        threading.Thread(target=guarded, args=(handler, conn), daemon=True).start()


if __name__ == "__main__":
    main()
