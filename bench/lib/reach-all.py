#!/usr/bin/env python3
"""Waits until every endpoint has had an echo reply from one target.

Usage: reach-all.py TARGET-NS TARGET-IP [--window N] [--timeout SECS] < LIST

LIST has one endpoint a line, "NAMESPACE IP".  Each endpoint sends ICMP echo
requests to TARGET-IP from its own namespace (a raw socket opened there),
every 20 ms, until the first reply; then its neighbour entry for the target
and the target's entry for it are deleted, as the kernel keeps one ARP table
for every namespace (net.ipv4.neigh.default.gc_thresh3 entries in all).  For
the same reason at most WINDOW endpoints (64) are asking at any time.

One process for all endpoints, so that checking 1000 endpoints costs
milliseconds once they are reachable, not a ping(8) started for each.
Prints the seconds from its start until the last reply and exits 0, or
lists the endpoints that got no reply within TIMEOUT (600 s) and exits 1.
With --stats, also says on stderr how long endpoints asked before their
reply (median, p90, max), and names those that asked half a second
or more (the slowest ten)."""

import ctypes
import os
import resource
import select
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
RTM_DELNEIGH = 29
NLM_F_REQUEST = 1
NDA_DST = 1
ICMP_ECHO = 8
ICMP_ECHOREPLY = 0
INTERVAL = 0.02

libc = ctypes.CDLL(None, use_errno=True)


def enter(ns):
    """Makes network namespace 'ns' (a name in /run/netns) the current one."""
    path = ns if ns.startswith("/") else "/run/netns/" + ns
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, "setns %s: %s" % (ns, os.strerror(err)))
    finally:
        os.close(fd)


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    s = (s >> 16) + (s & 0xFFFF)
    s += s >> 16
    return ~s & 0xFFFF


def echo_request(ident, seq):
    payload = b"reach-all"
    head = struct.pack("!BBHHH", ICMP_ECHO, 0, 0, ident, seq)
    csum = checksum(head + payload)
    return struct.pack("!BBHHH", ICMP_ECHO, 0, csum, ident, seq) + payload


class Ns:
    """The sockets of one namespace: ICMP (raw) and rtnetlink."""

    def __init__(self, name, need_icmp):
        enter(name)
        self.name = name
        self.ifindex = socket.if_nametoindex("eth0")
        self.nl = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0)
        self.nl.bind((0, 0))
        self.icmp = None
        if need_icmp:
            self.icmp = socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                      socket.IPPROTO_ICMP)
            self.icmp.setblocking(False)

    def forget(self, ip):
        """Deletes the neighbour entry for 'ip' on eth0 (if there is one)."""
        nd = struct.pack("=BBHiHBB", socket.AF_INET, 0, 0, self.ifindex, 0, 0, 0)
        attr = struct.pack("=HH", 8, NDA_DST) + socket.inet_aton(ip)
        body = nd + attr
        msg = struct.pack("=IHHII", 16 + len(body), RTM_DELNEIGH,
                          NLM_F_REQUEST, 0, 0) + body
        try:
            self.nl.send(msg)
        except OSError:
            pass


def main(argv):
    window, timeout, stats = 64, 600.0, False
    args = []
    i = 1
    while i < len(argv):
        if argv[i] == "--window":
            window = int(argv[i + 1])
            i += 2
        elif argv[i] == "--stats":
            stats = True
            i += 1
        elif argv[i] == "--timeout":
            timeout = float(argv[i + 1])
            i += 2
        else:
            args.append(argv[i])
            i += 1
    if len(args) != 2 or window < 1:
        sys.stderr.write(__doc__)
        return 2
    target_ns, target_ip = args
    endpoints = [line.split() for line in sys.stdin if line.strip()]

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * len(endpoints) + 64
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(need, hard), hard))

    opened = time.monotonic()
    home = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = Ns(target_ns, False)
    eps = [Ns(ns, True) for ns, _ in endpoints]
    if libc.setns(home, CLONE_NEWNET) != 0:
        raise OSError(ctypes.get_errno(), "setns back")
    os.close(home)

    start = time.monotonic()
    waiting = list(range(len(eps)))    # not yet asking
    waiting.reverse()
    asking = {}                        # fd -> index
    seq = [0] * len(eps)
    began = [0.0] * len(eps)           # when each started asking
    took = []
    poller = select.epoll()
    deadline = start + timeout
    next_send = start
    while waiting or asking:
        now = time.monotonic()
        if now >= deadline:
            break
        while waiting and len(asking) < window:
            k = waiting.pop()
            began[k] = now
            asking[eps[k].icmp.fileno()] = k
            poller.register(eps[k].icmp.fileno(), select.EPOLLIN)
        if now >= next_send:
            for fd, k in asking.items():
                seq[k] = (seq[k] + 1) & 0xFFFF
                try:
                    eps[k].icmp.sendto(echo_request(k & 0xFFFF, seq[k]),
                                       (target_ip, 0))
                except OSError:
                    pass        # no route or neighbour yet: asked again
            next_send = now + INTERVAL
        for fd, _ in poller.poll(max(0.0, min(next_send, deadline)
                                      - time.monotonic())):
            k = asking.get(fd)
            if k is None:
                continue
            got = False
            while True:
                try:
                    pkt, (src, _) = eps[k].icmp.recvfrom(2048)
                except BlockingIOError:
                    break
                ihl = (pkt[0] & 0x0F) * 4
                if len(pkt) < ihl + 8 or src != target_ip:
                    continue
                typ, _, _, ident, _ = struct.unpack("!BBHHH", pkt[ihl:ihl + 8])
                if typ == ICMP_ECHOREPLY and ident == k & 0xFFFF:
                    got = True
            if got:
                took.append((time.monotonic() - began[k], k))
                poller.unregister(fd)
                del asking[fd]
                eps[k].forget(target_ip)
                target.forget(endpoints[k][1])
                eps[k].icmp.close()
    elapsed = time.monotonic() - start
    left = [endpoints[k][0] for k in list(asking.values()) + waiting]
    if left:
        sys.stderr.write("no reply within %.0f s for %d endpoints: %s\n"
                         % (timeout, len(left), " ".join(sorted(left)[:20])))
        return 1
    if stats and took:
        took.sort()
        times = [t for t, _ in took]
        sys.stderr.write("reach-all: %d endpoints in %.3f s (%.3f s to open "
                         "their sockets); each asked %.0f ms (median), "
                         "%.0f ms (p90), %.0f ms (max) before its reply\n"
                         % (len(took), elapsed, start - opened,
                            1000 * times[len(times) // 2],
                            1000 * times[len(times) * 9 // 10],
                            1000 * times[-1]))
        # Half a second or more: more than a few requests went unanswered
        # (an ARP request is asked again after a second).  Named, with when
        # they began asking.
        slow = [(t, k) for t, k in took if t >= 0.5]
        if len(slow) > 10:
            sys.stderr.write("reach-all: %d asked half a second or more; "
                             "the slowest:\n" % len(slow))
        for t, k in slow[-10:]:
            sys.stderr.write("reach-all: %s asked %.0f ms, from %.3f s on\n"
                             % (endpoints[k][0], 1000 * t, began[k] - start))
    print("%.3f" % elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
