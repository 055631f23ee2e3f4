"""The lesson's FeiQ sender: one IPMsg packet in gbk to a port of every address of a /24.

Usage: python3 ipmsg_sender.py SUBNET_PREFIX PORT [--encoding gbk] [--sendcheck]
e.g. `ipmsg_sender.py 10.1.2 2425` sends `1:<n>:user:host:32:您好，欢迎进入飞秋` to
10.1.2.1 ... 10.1.2.254, as the lesson's loop does (at most 254 datagrams, 2 ms apart).
With --sendcheck the command is 0x120 (SENDMSG | SENDCHECKOPT) and the sender collects the
IPMSG_RECVMSG answers for 1 s. Prints {"ok": bool, "acks": {address: packetNo}, ...}; with
--sendcheck ok means at least one receiver acknowledged the packet number sent to it.
"""
import json
import socket
import sys
import time


def arg(name, default):
    return sys.argv[sys.argv.index(name) + 1] if name in sys.argv else default


prefix, port = sys.argv[1], int(sys.argv[2])
encoding = arg("--encoding", "gbk")
sendcheck = "--sendcheck" in sys.argv
command = 0x20 | (0x100 if sendcheck else 0)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sent = {}
errors = 0
base = int(time.time()) * 1000
for i in range(1, 255):
    address = f"{prefix}.{i}"
    number = str(base + i)
    sent[address] = number
    try:
        s.sendto(f"1:{number}:user:host:{command}:您好，欢迎进入飞秋".encode(encoding), (address, port))
    except OSError:
        errors += 1
    time.sleep(0.002)
acks, wrong = {}, []
s.settimeout(0.1)
deadline = time.time() + (1.0 if sendcheck else 0.5)
while time.time() < deadline:
    try:
        data, addr = s.recvfrom(65535)
    except socket.timeout:
        continue
    fields = data.decode(encoding, "replace").split(":", 5)
    if len(fields) == 6 and fields[4] == str(0x21) and fields[5] == sent.get(addr[0]):
        acks[addr[0]] = fields[5]
    else:
        wrong.append(data.hex())
ok = (len(acks) > 0 if sendcheck else len(acks) == 0) and not wrong
print(json.dumps({"ok": ok, "sent": len(sent), "sendErrors": errors, "acks": acks, "wrong": wrong[:3]}))
sys.exit(0 if ok else 1)
