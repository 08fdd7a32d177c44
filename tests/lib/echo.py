#!/usr/bin/env python3
"""Tells each TCP or UDP peer its own address, to see what NAT did.

  echo.py serve PIDFILE PORT...    TCP and UDP on every PORT; stops after 900 s
  echo.py ask tcp|udp HOST PORT [SPORT]
                                   prints the server's answer ("IP:PORT"), or
                                   fails after 2 s; from source port SPORT
  echo.py connects HOST PORT N     N short TCP connections, each given 2 s;
                                   prints how many per second, and how many
                                   failed
"""
import os
import selectors
import socket
import subprocess
import sys
import time


def local_addresses():
    """This namespace's IPv4 addresses: a UDP answer must come from the
    address it was sent to, which a socket bound to 0.0.0.0 does not do."""
    out = subprocess.run(["ip", "-4", "-o", "addr", "show"], check=True,
                         capture_output=True, text=True).stdout
    return [line.split()[3].split("/")[0] for line in out.splitlines()]


def serve(pidfile, ports):
    sel = selectors.DefaultSelector()
    for port in ports:
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind(("0.0.0.0", port))
        t.listen(128)
        sel.register(t, selectors.EVENT_READ, "tcp")
        for addr in local_addresses():
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            u.bind((addr, port))
            sel.register(u, selectors.EVENT_READ, "udp")
    with open(pidfile, "w") as f:
        f.write("%d\n" % os.getpid())
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            if key.data == "tcp":
                # The client closes first: TIME_WAIT stays on its side,
                # where new connections take new ports.
                try:
                    c, peer = s.accept()
                    c.sendall(("%s:%d\n" % peer).encode())
                    sel.register(c, selectors.EVENT_READ, "conn")
                except OSError:
                    pass
            elif key.data == "conn":
                try:
                    more = s.recv(2048)
                except OSError:
                    more = b""
                if not more:
                    sel.unregister(s)
                    s.close()
            else:
                data, peer = s.recvfrom(2048)
                s.sendto(("%s:%d\n" % peer).encode(), peer)


def ask(proto, host, port, sport=0):
    if proto == "tcp":
        s = socket.create_connection((host, port), timeout=2,
                                     source_address=("0.0.0.0", sport))
        print(s.makefile().readline().strip())
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", sport))
        s.settimeout(2)
        s.sendto(b"?", (host, port))
        print(s.recv(2048).decode().strip())


def connects(host, port, n):
    start = time.monotonic()
    failed = 0
    for _ in range(n):
        try:
            s = socket.create_connection((host, port), timeout=2)
            s.makefile().readline()
            s.close()
        except OSError:
            failed += 1
    print("%.0f %d" % (n / (time.monotonic() - start), failed))


def main():
    cmd = sys.argv[1] if len(sys.argv) > 1 else ""
    try:
        if cmd == "serve":
            serve(sys.argv[2], [int(p) for p in sys.argv[3:]])
        elif cmd == "ask":
            ask(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                int(sys.argv[5]) if len(sys.argv) > 5 else 0)
        elif cmd == "connects":
            connects(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        else:
            sys.exit(__doc__)
    except OSError as e:
        sys.exit("echo.py: %s" % e)


if __name__ == "__main__":
    main()
