"""Foreign hello-udp client: each name X must come back as "Hello, X!" (UTF-8 datagrams).

Usage: python3 hello_udp_client.py PORT [--host H]
Sends every name with a 0.5 s timeout and up to 5 retries; late answers to earlier
retries are skipped. Prints a JSON line {"ok": bool, ...}; exit 0 when all were answered.
"""
import json
import socket
import sys

port = int(sys.argv[1])
host = sys.argv[sys.argv.index("--host") + 1] if "--host" in sys.argv else "127.0.0.1"
names = ["Ada", "Grace", "Zoë", "李雷", "Ελένη", "🌍🚀", "", "x" * 1200]

family = socket.AF_INET6 if ":" in host else socket.AF_INET
s = socket.socket(family, socket.SOCK_DGRAM)
s.settimeout(0.5)
answered = []
wrong = []
for name in names:
    want = f"Hello, {name}!".encode("utf-8")
    done = False
    for _attempt in range(6):
        s.sendto(name.encode("utf-8"), (host, port))
        try:
            while True:
                data, _ = s.recvfrom(65536)
                if data == want:
                    answered.append(name)
                    done = True
                    break
                if not any(data == f"Hello, {n}!".encode("utf-8") for n in names):
                    wrong.append(data[:40].decode("utf-8", "replace"))
        except socket.timeout:
            pass
        if done:
            break
ok = len(answered) == len(names) and not wrong
print(json.dumps({"ok": ok, "names": len(names), "answered": len(answered), "wrong": wrong}, ensure_ascii=False))
sys.exit(0 if ok else 1)
