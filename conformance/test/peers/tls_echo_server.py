"""Foreign RFC 862 echo server over TLS (Python ssl): one thread per connection.

Usage: python3 tls_echo_server.py --cert CERT.pem --key KEY.pem [--host 127.0.0.1]
Prints {"port": N} on stdout once listening. Echoes until the client's close_notify, then
sends its own close_notify and closes, as echo over TLS is specified.
"""
import json
import socket
import ssl
import sys
import threading


def arg(name: str, default: str | None = None) -> str:
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1]
    if default is None:
        sys.exit(f"{name} is required")
    return default


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(arg("--cert"), arg("--key"))
host = arg("--host", "127.0.0.1")


def handle(raw: socket.socket) -> None:
    raw.settimeout(30)
    try:
        conn = ctx.wrap_socket(raw, server_side=True)
    except (ssl.SSLError, OSError):
        raw.close()
        return
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
        conn.unwrap().close()
    except (ssl.SSLError, OSError):
        conn.close()


def main() -> None:
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, 0))
    s.listen(64)
    print(json.dumps({"port": s.getsockname()[1]}), flush=True)
    while True:
        raw, _ = s.accept()
        threading.Thread(target=handle, args=(raw,), daemon=True).start()


if __name__ == "__main__":
    main()
