"""Foreign echo client over TLS (Python ssl): verifies the server, sends N bytes, reads them back.

Usage: python3 tls_echo_client.py PORT --ca CA.pem [--host 127.0.0.1] [--servername localhost] [--bytes N]
Prints a JSON line {"ok", "version", "cipher", "verified", ...}; exit 0 when the echo was identical.
After reading every byte back it sends close_notify (unwrap), which ends the server's echo;
the server then closes with its own close_notify.
"""
import hashlib
import json
import os
import socket
import ssl
import sys


def arg(name: str, default: str) -> str:
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


port = int(sys.argv[1])
host = arg("--host", "127.0.0.1")
n = int(arg("--bytes", "1000000"))
ctx = ssl.create_default_context(cafile=arg("--ca", "") or None)
ctx.minimum_version = ssl.TLSVersion.TLSv1_2
try:
    raw = socket.create_connection((host, port), timeout=30)
    s = ctx.wrap_socket(raw, server_hostname=arg("--servername", "localhost"))
except ssl.SSLCertVerificationError as e:
    print(json.dumps({"ok": False, "verified": False, "error": e.verify_message}))
    sys.exit(1)
data = os.urandom(n)
got = bytearray()
# One thread only: an ssl.SSLSocket must not be read and written from two threads at once
# (a reader thread beside sendall() made recv() see nothing now and then). The echo is
# guaranteed, so the client keeps at most WINDOW bytes unanswered and reads them back as it
# goes: socket buffers never fill, and every blocking read has bytes coming.
CHUNK, WINDOW = 16384, 65536
sent = 0
while sent < n or len(got) < n:
    if sent < n and sent - len(got) < WINDOW:
        piece = data[sent : sent + CHUNK]
        s.sendall(piece)
        sent += len(piece)
        continue
    chunk = s.recv(65536)
    if not chunk:
        break
    got.extend(chunk)
same = bytes(got) == data
result = {
    "ok": same,
    "verified": True,
    "version": s.version(),
    "cipher": s.cipher()[0],
    "sent": n,
    "received": len(got),
    "sha256": hashlib.sha256(got).hexdigest(),
}
try:
    s.unwrap().close()
    result["closeNotify"] = True
except (ssl.SSLError, OSError) as e:
    result["closeNotify"] = False
    result["closeError"] = str(e)
print(json.dumps(result))
sys.exit(0 if same else 1)
