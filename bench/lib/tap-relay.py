#!/usr/bin/python3
"""The hand-made relay that ovs-vnet's UDP relay replaces, for comparison:
Ethernet frames between a tap device and one UDP peer, one frame per
datagram, a select() loop, no authentication.

Usage: tap-relay.py TAP LOCAL-IP:PORT PEER-IP:PORT
"""
import fcntl
import os
import select
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000


def addr(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def main():
    tap_name, local, peer = sys.argv[1], addr(sys.argv[2]), addr(sys.argv[3])
    tap = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(tap, TUNSETIFF,
                struct.pack("16sH", tap_name.encode(), IFF_TAP | IFF_NO_PI))
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(local)
    while True:
        ready, _, _ = select.select([tap, sock], [], [])
        if tap in ready:
            sock.sendto(os.read(tap, 65535), peer)
        if sock in ready:
            frame = sock.recv(65535)
            try:
                os.write(tap, frame)
            except OSError:
                pass            # The tap is down: dropped.


if __name__ == "__main__":
    main()
