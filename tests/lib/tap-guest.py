#!/usr/bin/env python3
"""A stand-in for a VM on a tap endpoint.

Opens the tap device TAP (in the namespace it runs in) as a VM's emulator
would, and answers ARP requests and ICMP echo requests for its address.
With --ping, it also sends echo requests to an address (from --src-ip and
--src-mac, its own by default) and exits 0 once one is answered, 1 if none is
within --timeout seconds.  Without --ping it serves until --timeout seconds
have passed (or forever with 0), or until killed.

Usage: tap-guest.py TAP IP MAC [--ping IP] [--src-ip IP] [--src-mac MAC]
                    [--timeout SECS]
"""
import argparse
import fcntl
import os
import select
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from rawframe import checksum  # noqa: E402

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
BROADCAST = b"\xff" * 6


def mac_bytes(text):
    return bytes(int(x, 16) for x in text.split(":"))


def arp(op, src_mac, src_ip, dst_mac, dst_ip):
    eth = (BROADCAST if op == 1 else dst_mac) + src_mac + b"\x08\x06"
    return eth + struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, op, src_mac,
                             src_ip, dst_mac if op == 2 else b"\0" * 6, dst_ip)


def icmp(src_mac, dst_mac, src_ip, dst_ip, icmp_type, ident, seq, payload):
    body = struct.pack("!BBHHH", icmp_type, 0, 0, ident, seq) + payload
    body = body[:2] + struct.pack("!H", checksum(body)) + body[4:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(body), 0, 0x4000, 64,
                     1, 0, src_ip, dst_ip)
    ip = ip[:10] + struct.pack("!H", checksum(ip)) + ip[12:]
    return dst_mac + src_mac + b"\x08\x00" + ip + body


def main():
    p = argparse.ArgumentParser()
    p.add_argument("tap")
    p.add_argument("ip")
    p.add_argument("mac")
    p.add_argument("--ping")
    p.add_argument("--src-ip")
    p.add_argument("--src-mac")
    p.add_argument("--timeout", type=float, default=10)
    a = p.parse_args()

    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF,
                struct.pack("16sH", a.tap.encode(), IFF_TAP | IFF_NO_PI))
    my_ip = socket.inet_aton(a.ip)
    my_mac = mac_bytes(a.mac)
    src_ip = socket.inet_aton(a.src_ip) if a.src_ip else my_ip
    src_mac = mac_bytes(a.src_mac) if a.src_mac else my_mac
    target = socket.inet_aton(a.ping) if a.ping else None
    target_mac = None
    ident = os.getpid() & 0xFFFF
    seq = 0
    next_send = 0.0
    deadline = time.monotonic() + a.timeout if a.timeout else None

    while deadline is None or time.monotonic() < deadline:
        now = time.monotonic()
        if target and now >= next_send:
            if target_mac is None:
                os.write(fd, arp(1, src_mac, src_ip, None, target))
            else:
                seq += 1
                os.write(fd, icmp(src_mac, target_mac, src_ip, target, 8,
                                  ident, seq, b"ovs-vnet tap guest"))
            next_send = now + 0.2
        if not select.select([fd], [], [], 0.05)[0]:
            continue
        frame = os.read(fd, 65536)
        if len(frame) < 14:
            continue
        dst, src, ethertype = frame[:6], frame[6:12], frame[12:14]
        if ethertype == b"\x08\x06" and len(frame) >= 42:
            op, sha, spa, tpa = struct.unpack("!6xH6s4s6x4s", frame[14:42])
            if op == 1 and tpa == my_ip:
                os.write(fd, arp(2, my_mac, my_ip, sha, spa))
            elif op == 2 and target and spa == target:
                target_mac = sha
        elif ethertype == b"\x08\x00" and len(frame) >= 34:
            ihl = (frame[14] & 0x0F) * 4
            proto = frame[23]
            ip_src, ip_dst = frame[26:30], frame[30:34]
            body = frame[14 + ihl:]
            if proto != 1 or len(body) < 8 or dst not in (my_mac, src_mac):
                continue
            icmp_type, _, _, rid, rseq = struct.unpack("!BBHHH", body[:8])
            if icmp_type == 8 and ip_dst == my_ip:
                os.write(fd, icmp(my_mac, src, my_ip, ip_src, 0, rid, rseq,
                                  body[8:]))
            elif (icmp_type == 0 and target and ip_src == target
                  and rid == ident):
                print("reply from %s seq %d" % (a.ping, rseq))
                return 0
    return 1 if target else 0


if __name__ == "__main__":
    sys.exit(main())
