"""An IPMsg (FeiQ) receiver as the IP Messenger protocol defines it, for the ipmsg tests.

Usage: python3 ipmsg_receiver.py [--host 0.0.0.0] [--port 2425] [--encoding gbk]
Prints {"port": N} when bound. Every packet `version:packetNo:user:host:command:message`
is printed as a JSON line {"from": ..., "packetNo": ..., "command": ..., "message": ...};
IPMSG_SENDMSG (0x20) with IPMSG_SENDCHECKOPT (0x100) is answered IPMSG_RECVMSG (0x21)
whose message is the packet number. Runs until killed.
"""
import json
import socket
import sys
import time


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


IPMSG_SENDMSG, IPMSG_RECVMSG, IPMSG_SENDCHECKOPT = 0x20, 0x21, 0x100
encoding = arg("--encoding", "gbk")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((arg("--host", "0.0.0.0"), int(arg("--port", "2425"))))
print(json.dumps({"port": s.getsockname()[1]}), flush=True)
packet_no = int(time.time())
while True:
    data, addr = s.recvfrom(65535)
    try:
        version, number, user, host, command, message = data.decode(encoding).split(":", 5)
        command = int(command)
        int(number)
    except ValueError:
        print(json.dumps({"from": addr[0], "malformed": data.hex()}), flush=True)
        continue
    print(json.dumps({"from": addr[0], "packetNo": number, "command": command, "message": message.split("\0")[0]}, ensure_ascii=False), flush=True)
    if command & 0xFF == IPMSG_SENDMSG and command & IPMSG_SENDCHECKOPT:
        packet_no += 1
        s.sendto(f"1:{packet_no}:python:receiver:{IPMSG_RECVMSG}:{number}".encode(encoding), addr)
