"""A local HTTP server for the http-get lesson: Python's own http.server on an ephemeral port.

Usage: python3 http_server.py DIR
Serves DIR with SimpleHTTPRequestHandler (HTTP/1.0, Content-Length) on 127.0.0.1, port
chosen by the OS, and answers /chunked with an HTTP/1.1 chunked body of 300 lines. Prints
one JSON line {"port": N} once listening; runs until killed.
"""
import json
import sys
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer


class Handler(SimpleHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - http.server naming
        if self.path != "/chunked":
            return super().do_GET()
        self.protocol_version = "HTTP/1.1"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        for i in range(300):
            data = f"chunk line {i:04d}\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True

    def log_message(self, format, *args):  # noqa: A002 - keep test output quiet
        pass


if __name__ == "__main__":
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=sys.argv[1]))
    print(json.dumps({"port": server.server_address[1]}), flush=True)
    server.serve_forever()
