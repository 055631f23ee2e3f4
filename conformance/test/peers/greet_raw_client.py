"""The lesson's greeting client: unframed gbk text, one recv(1024) per message.

Usage: python3 greet_raw_client.py PORT [--host H] [--encoding gbk] [--name 张三]...
Reads "Welcome!", sends each name as `name.encode(encoding)` with no length prefix, expects
`Hello, <name>!` in the same encoding from one recv(1024), sends "exit" and expects the
close. Written as the lesson wrote it (one send, one recv, in lock step), so it works as
long as no answer is split: the raw wire's sticky-packet exposure is the lesson's.
Prints a JSON line {"ok": bool, "replies": [...]} (hex of every answer too); exit 0 when
every check passed.
"""
import json
import socket
import sys


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


port = int(sys.argv[1])
host = arg("--host", "127.0.0.1")
encoding = arg("--encoding", "gbk")
names = [sys.argv[i + 1] for i, a in enumerate(sys.argv) if a == "--name"] or ["张三", "李雷", "Ada", "王小明"]

s = socket.create_connection((host, port), timeout=10)
problems = []
welcome = s.recv(1024).decode(encoding)
if welcome != "Welcome!":
    problems.append(f"welcome was {welcome!r}")
replies = []
for name in names:
    s.send(name.encode(encoding))
    data = s.recv(1024)
    text = data.decode(encoding)
    replies.append({"sent": name, "reply": text, "hex": data.hex()})
    if text != f"Hello, {name}!":
        problems.append(f"{name!r} answered {text!r}")
s.send("exit".encode(encoding))
after = s.recv(1024)
if after != b"":
    problems.append(f"got {after!r} after exit instead of the close")
s.close()
ok = not problems
print(json.dumps({"ok": ok, "replies": replies, "problems": problems}, ensure_ascii=False))
sys.exit(0 if ok else 1)
