#!/usr/bin/env python3
"""Where the time of each "ovs-vnet-ctl --wait attach" goes, from ovs-vnetd's
debug log.

Usage: attach-phases.py MARKS LOG

MARKS has two lines an attach, "ENDPOINT start HH:MM:SS.FFFFFF" and
"ENDPOINT end HH:MM:SS.FFFFFF" (UTC, as the log's), written around each
command; LOG is ovs-vnetd's log, at debug level for the modules jsonrpc,
switch_session and vconn while the commands ran (the namespace made and the
endpoint up are logged at info level).
Splits each attach into:

  command    from its start until ovs-vnetd receives the new row (the
             command's own start, its connection and transaction, the NB
             server's work for both)
  to-device  from there until the endpoint's namespace is made (ovs-vnetd's
             run up to its devices)
  to-flows   from there until its flows are sent (devices, filters, the
             flows computed, the bundle)
  flows-in   until the switch's barrier reply (the switch takes the flows)
  to-up      until ovs-vnetd reports the endpoint up
  to-return  until the command returns (the NB server, the command seeing
             its change applied)

and prints the median of each over the attaches (those whose log lines were
all found), and their number."""

import re
import statistics
import sys

PHASES = ["command", "to-device", "to-flows", "flows-in", "to-up",
          "to-return", "total"]


def msec(hms):
    h, m, s = hms.split(":")
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    marks = []
    with open(sys.argv[1]) as f:
        for line in f:
            m = re.match(r"(\S+) (start|end) (\d+:\d+:[\d.]+)", line)
            if m:
                marks.append((m.group(1), m.group(2), msec(m.group(3))))
    log = []
    with open(sys.argv[2]) as f:
        for line in f:
            m = re.match(r"\d+-\d+-\d+T(\d+:\d+:[\d.]+)Z\|\d+\|\S+\|\S+\|(.*)",
                         line)
            if m:
                log.append((msec(m.group(1)), m.group(2)))

    rows = []
    for (ep, what0, t0), (ep1, what1, t1) in zip(marks[::2], marks[1::2]):
        if ep != ep1 or what0 != "start" or what1 != "end":
            sys.exit("%s: unpaired marks at %s" % (sys.argv[1], ep))
        ev = {}
        for t, msg in log:
            if t < t0 - 1 or t > t1 + 1:
                continue
            if ("recv" not in ev and "received notification" in msg
                    and '"insert"' in msg and '"%s"' % ep in msg):
                ev["recv"] = t
            elif ("netns" not in ev and "recv" in ev
                  and "created network namespace" in msg):
                ev["netns"] = t
            elif ("sent" not in ev and "netns" in ev
                  and "OFPT_BARRIER_REQUEST" in msg):
                ev["sent"] = t
            elif ("in" not in ev and "sent" in ev
                  and "OFPT_BARRIER_REPLY" in msg):
                ev["in"] = t
            elif "up" not in ev and msg.startswith("endpoint %s: up" % ep):
                ev["up"] = t
        if len(ev) < 5:
            continue
        rows.append((ev["recv"] - t0, ev["netns"] - ev["recv"],
                     ev["sent"] - ev["netns"], ev["in"] - ev["sent"],
                     ev["up"] - ev["in"], t1 - ev["up"], t1 - t0))
    if not rows:
        sys.exit("no attach had all its log lines")
    print(" ".join("%10s" % p for p in PHASES))
    print(" ".join("%10.1f" % statistics.median(c) for c in zip(*rows)),
          " ms, median of %d of %d attaches" % (len(rows), len(marks) // 2))


if __name__ == "__main__":
    main()
