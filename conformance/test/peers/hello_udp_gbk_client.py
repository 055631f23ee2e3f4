"""The lesson's UDP hello in gbk: `name.encode("gbk")` in, `Hello, name!` in gbk expected back.

Usage: python3 hello_udp_gbk_client.py PORT [--host H] [--name 张三]...
Prints a JSON line {"ok": bool, "replies": [...]} with the hex of every answer; exit 0 when
every name was answered right (0.5 s timeout, 5 retries each).
"""
import json
import socket
import sys

port = int(sys.argv[1])
host = sys.argv[sys.argv.index("--host") + 1] if "--host" in sys.argv else "127.0.0.1"
names = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--name"] or ["张三", "李雷", "Ada"]

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
replies = []
problems = []
for name in names:
    want = f"Hello, {name}!".encode("gbk")
    got = None
    for _ in range(6):
        s.sendto(name.encode("gbk"), (host, port))
        try:
            while True:
                data, _ = s.recvfrom(65535)
                if data == want:
                    got = data
                    break
        except socket.timeout:
            pass
        if got is not None:
            break
    replies.append({"sent": name, "hex": got.hex() if got else None, "reply": got.decode("gbk") if got else None})
    if got is None:
        problems.append(f"{name!r}: no gbk answer {want.hex()}")
ok = not problems
print(json.dumps({"ok": ok, "replies": replies, "problems": problems}, ensure_ascii=False))
sys.exit(0 if ok else 1)
