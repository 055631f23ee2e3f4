"""The lesson's thread-per-connection greeting server: unframed text, one recv(1024) per message.

Usage: python3 greet_raw_server.py [--host H] [--encoding gbk]
Binds an ephemeral port and prints {"port": N}. Each connection gets a thread that sends
"Welcome!", answers every recv(1024) `X` with `Hello, X!` and closes on "exit", all encoded
in --encoding (gbk by default), as the lesson's server did. Runs until killed.
"""
import json
import socket
import sys
import threading


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


host = arg("--host", "127.0.0.1")
encoding = arg("--encoding", "gbk")


def handle(client):
    with client:
        client.send("Welcome!".encode(encoding))
        while True:
            data = client.recv(1024)
            if not data or data.decode(encoding) == "exit":
                break
            client.send(("Hello, %s!" % data.decode(encoding)).encode(encoding))


server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind((host, 0))
server.listen(128)
print(json.dumps({"port": server.getsockname()[1]}), flush=True)
while True:
    conn, _ = server.accept()
    threading.Thread(target=handle, args=(conn,), daemon=True).start()
