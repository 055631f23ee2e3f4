"""Foreign greet client: many concurrent clients, framed messages (4-byte big-endian length).

Usage: python3 greet_client.py PORT [--clients N] [--messages M] [--host H] [--unix PATH]
Each client reads "Welcome!", sends M names, expects "Hello, <name>!" for each, sends "exit"
and expects the server to close. All clients connect and are welcomed before any talks.
Prints a JSON line {"ok": bool, ...}; exit 0 when every check passed.
"""
import json
import socket
import struct
import sys
import threading


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


port = int(sys.argv[1])
host = arg("--host", "127.0.0.1")
unix = arg("--unix", None)
clients = int(arg("--clients", "50"))
messages = int(arg("--messages", "5"))
names = ["Ada", "Grace", "Zoë", "李雷", "🌍", "", "Guido"]


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None if not buf else buf
        buf += chunk
    return buf


def recv_frame(s):
    header = recv_exact(s, 4)
    if header is None:
        return None
    (length,) = struct.unpack("!I", header)
    return recv_exact(s, length).decode("utf-8") if length else ""


def send_frame(s, text):
    data = text.encode("utf-8")
    s.sendall(struct.pack("!I", len(data)) + data)


def connect():
    if unix:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(20)
        s.connect(unix)
        return s
    return socket.create_connection((host, port), timeout=20)


socks = []
welcomed = 0
for _ in range(clients):
    s = connect()
    socks.append(s)
for s in socks:
    if recv_frame(s) == "Welcome!":
        welcomed += 1

lock = threading.Lock()
stats = {"replies": 0, "closed": 0, "errors": []}


def talk(i, s):
    try:
        for m in range(messages):
            name = names[(i + m) % len(names)]
            send_frame(s, name)
            if recv_frame(s) == f"Hello, {name}!":
                with lock:
                    stats["replies"] += 1
        send_frame(s, "exit")
        if recv_frame(s) is None:
            with lock:
                stats["closed"] += 1
    except Exception as e:  # noqa: BLE001 - reported in the JSON line
        with lock:
            stats["errors"].append(repr(e))
    finally:
        s.close()


threads = [threading.Thread(target=talk, args=(i, s)) for i, s in enumerate(socks)]
for t in threads:
    t.start()
for t in threads:
    t.join(30)
ok = welcomed == clients and stats["replies"] == clients * messages and stats["closed"] == clients
print(json.dumps({"ok": ok, "clients": clients, "welcomed": welcomed, "replies": stats["replies"], "closed": stats["closed"], "errors": stats["errors"][:3]}))
sys.exit(0 if ok else 1)
