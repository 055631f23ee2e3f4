"""Foreign framed-transfer client, as in the classic length-prefix lesson.

Usage: python3 transfer_client.py PORT [--size N] [--name NAME] [--lie-hash]
Sends frame 1 = JSON {"name","size","sha256"}, then the data in frames of varied sizes
(struct.pack('!I', n) + bytes), then an empty frame; prints the server's JSON reply frame
(with "expected_sha256" added) and exits 0 once a reply came. --lie-hash sends a header whose
sha256 is not the data's.
"""
import hashlib
import json
import random
import socket
import struct
import sys


def arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


port = int(sys.argv[1])
size = int(arg("--size", "3000000"))
name = arg("--name", "python.bin")
rng = random.Random(7)
data = rng.randbytes(size)
digest = hashlib.sha256(data).hexdigest()
claimed = ("0" if digest[0] != "0" else "1") + digest[1:] if "--lie-hash" in sys.argv else digest


def frame(payload: bytes) -> bytes:
    return struct.pack("!I", len(payload)) + payload


def recv_exact(s: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise EOFError("server closed before the reply was complete")
        buf.extend(chunk)
    return bytes(buf)


s = socket.create_connection(("127.0.0.1", port), timeout=30)
s.sendall(frame(json.dumps({"name": name, "size": size, "sha256": claimed}).encode("utf-8")))
off = 0
while off < size:
    n = min(size - off, rng.choice([1, 7, 1000, 65536, 100_000, rng.randint(1, 300_000)]))
    s.sendall(frame(data[off:off + n]))
    off += n
s.sendall(frame(b""))
(n,) = struct.unpack("!I", recv_exact(s, 4))
reply = json.loads(recv_exact(s, n).decode("utf-8"))
reply["expected_sha256"] = digest
print(json.dumps(reply))
