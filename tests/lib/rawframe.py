#!/usr/bin/env python3
"""Sends hand-made Ethernet frames from an interface, for tests that check what a
switch lets through (spoofed ARP, spoofed source addresses).

usage: rawframe.py IFACE arp SRC_MAC SENDER_MAC SENDER_IP TARGET_IP [COUNT]
       rawframe.py IFACE ipv4 SRC_MAC DST_MAC SRC_IP DST_IP [COUNT]
"""
import socket
import struct
import sys
import time


def mac(s):
    return bytes(int(b, 16) for b in s.split(":"))


def ip(s):
    return socket.inet_aton(s)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def arp_request(src_mac, sender_mac, sender_ip, target_ip):
    eth = mac("ff:ff:ff:ff:ff:ff") + mac(src_mac) + struct.pack("!H", 0x0806)
    arp = struct.pack("!HHBBH", 1, 0x0800, 6, 4, 1)
    arp += mac(sender_mac) + ip(sender_ip) + bytes(6) + ip(target_ip)
    return eth + arp


def icmp_echo(src_mac, dst_mac, src_ip, dst_ip):
    eth = mac(dst_mac) + mac(src_mac) + struct.pack("!H", 0x0800)
    icmp = struct.pack("!BBHHH", 8, 0, 0, 0x7676, 1) + b"ovs-vnet test"
    icmp = icmp[:2] + struct.pack("!H", checksum(icmp)) + icmp[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(icmp), 1, 0, 64, 1, 0,
                      ip(src_ip), ip(dst_ip))
    hdr = hdr[:10] + struct.pack("!H", checksum(hdr)) + hdr[12:]
    return eth + hdr + icmp


def main(argv):
    if len(argv) < 7:
        sys.exit(__doc__)
    iface, kind, a, b, c, d = argv[1:7]
    count = int(argv[7]) if len(argv) > 7 else 3
    frame = arp_request(a, b, c, d) if kind == "arp" else icmp_echo(a, b, c, d)
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((iface, 0))
    for _ in range(count):
        s.send(frame)
        time.sleep(0.05)


if __name__ == "__main__":
    main(sys.argv)
