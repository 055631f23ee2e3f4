"""Foreign time client: asks a time server for each directive of wire contract v1 and
compares the reply with its own time.strftime of the same second.

Usage: python3 time_client.py PORT [--udp]
Run it with the server's TZ. Each directive is asked alone and together with %S, so a reply
is compared with what time.strftime gives for the second the server was in. Prints
{"ok": bool, "checked": N, "mismatches": [...]}; exit 0 when every reply agreed.
"""
import json
import socket
import struct
import sys
import time

DIRECTIVES = "a A b B c d H I j m M p S U w W x X y Y z Z %".split()
FORMATS = ["%" + d for d in DIRECTIVES] + [
    "%Y-%m-%d %X",
    "%a %A %b %B %c %d %H %I %j %m %M %p %S %U %w %W %x %X %y %Y %z %Z %%",
    "Zeit %H時 ✓ %%Y",
    "",
]
port = int(sys.argv[1])
udp = "--udp" in sys.argv


def recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("server closed")
        buf.extend(chunk)
    return bytes(buf)


if udp:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(1.0)
else:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)


def ask(fmt: str) -> str:
    data = fmt.encode("utf-8")
    if udp:
        # A unique literal prefix tells a late reply from the awaited one.
        tag = ("[%d] " % time.monotonic_ns()).encode()
        for _ in range(5):
            sock.sendto(tag + data if data else data, ("127.0.0.1", port))
            try:
                while True:
                    reply, _ = sock.recvfrom(65536)
                    if not data:
                        return reply.decode("utf-8")
                    if reply.startswith(tag):
                        return reply[len(tag):].decode("utf-8")
            except socket.timeout:
                continue
        raise TimeoutError("no reply to %r" % fmt)
    sock.sendall(struct.pack("!I", len(data)) + data)
    (n,) = struct.unpack("!I", recv_exact(sock, 4))
    return recv_exact(sock, n).decode("utf-8")


mismatches = []
checked = 0
for fmt in FORMATS:
    before = time.time()
    reply = ask(fmt)
    after = time.time()
    seconds = range(int(before) - 1, int(after) + 2)
    want = [time.strftime(fmt or "%Y-%m-%d %X", time.localtime(s)) for s in seconds]
    checked += 1
    if reply not in want:
        mismatches.append({"format": fmt, "reply": reply, "expected": want})
print(json.dumps({"ok": not mismatches, "checked": checked, "mismatches": mismatches}, ensure_ascii=False))
sys.exit(0 if not mismatches else 1)
