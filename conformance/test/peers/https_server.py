"""The http-get lesson's local server over TLS: http_server.py's handler behind Python's ssl.

Usage: python3 https_server.py DIR --cert CERT.pem --key KEY.pem
Serves DIR as http_server.py does (and /chunked), on 127.0.0.1 with an ephemeral port, the
listening socket wrapped the way Python's docs show for https (SSLContext.wrap_socket), so
each handshake runs at accept. Prints one JSON line {"port": N} once listening; runs until killed.
"""
import json
import ssl
import sys
from functools import partial
from http.server import ThreadingHTTPServer

from http_server import Handler


def arg(name: str) -> str:
    if name not in sys.argv:
        sys.exit(f"{name} is required")
    return sys.argv[sys.argv.index(name) + 1]


ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(arg("--cert"), arg("--key"))
server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=sys.argv[1]))
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(json.dumps({"port": server.server_address[1]}), flush=True)
server.serve_forever()
