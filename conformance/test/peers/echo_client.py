"""Foreign echo client: sends N bytes, half-closes, reads to EOF, compares.

Usage: python3 echo_client.py PORT [--bytes N] [--udp]
Prints a JSON line {"ok": bool, ...}; exit 0 when the echo was identical.
"""
import hashlib
import json
import os
import socket
import sys
import threading

port = int(sys.argv[1])
n = int(sys.argv[sys.argv.index("--bytes") + 1]) if "--bytes" in sys.argv else 2_000_000

if "--udp" in sys.argv:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(1.0)
    ok = 0
    for i in range(50):
        payload = os.urandom(1 + (i * 37) % 1400)
        for _attempt in range(5):
            s.sendto(payload, ("127.0.0.1", port))
            try:
                data, _ = s.recvfrom(65536)
            except socket.timeout:
                continue
            if data == payload:
                ok += 1
                break
    print(json.dumps({"ok": ok == 50, "echoed": ok}))
    sys.exit(0 if ok == 50 else 1)

data = os.urandom(n)
s = socket.create_connection(("127.0.0.1", port), timeout=30)
got = bytearray()


def reader() -> None:
    while True:
        chunk = s.recv(65536)
        if not chunk:
            return
        got.extend(chunk)


t = threading.Thread(target=reader)
t.start()
s.sendall(data)
s.shutdown(socket.SHUT_WR)
t.join(30)
same = bytes(got) == data
print(json.dumps({"ok": same, "sent": n, "received": len(got), "sha256": hashlib.sha256(got).hexdigest()}))
sys.exit(0 if same else 1)
