#!/usr/bin/env python3
"""Where ovs-vnetd's CPU goes per endpoint, early and late in a run of
bench/scale.sh, from two perf(1) recordings of ovs-vnetd with call graphs.

Usage: run-profile.py EARLY.data N_EARLY LATE.data N_LATE [HZ [UNIT]]

EARLY.data and LATE.data were recorded with "perf record -F HZ
--call-graph dwarf -p PID" while N_EARLY and N_LATE endpoints were added
(HZ: the sampling frequency, 1999 by default).  Each sample is charged to
the step of the controller it was in: a step of the full run
(session_step_binding, session_step_attach...; the attacher's own device work,
attach_one, apart), another part of a switch session's run, or of the
daemon's main loop.  Prints milliseconds per endpoint for each, early and
late, the largest growth first: what grows with the network.  UNIT names
what was counted ("endpoint" by default; bench/change-cost.sh counts
changes)."""

import collections
import subprocess
import sys

# The frames a sample is charged under, innermost parent first: the step
# is the frame just below it.
PARENTS = ("full_run", "switch_session_run", "main")


def stacks(path):
    """Each sample's frames, innermost first."""
    out = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"],
                         capture_output=True, text=True, check=True).stdout
    frames = []
    for line in out.split("\n"):
        fields = line.split()
        if len(fields) >= 2:
            frames.append(fields[1])
        elif frames:
            yield frames
            frames = []
    if frames:
        yield frames


def charge(path):
    counts = collections.Counter()
    for frames in stacks(path):
        key = "other"
        for parent in PARENTS:
            if parent in frames:
                i = frames.index(parent)
                child = frames[i - 1] if i > 0 else "(itself)"
                key = "%s > %s" % (parent, child)
                if parent == "full_run" and "attach_one" in frames:
                    key = "full_run > attach_one (devices)"
                break
        counts[key] += 1
    return counts


def main():
    if len(sys.argv) not in (5, 6, 7):
        sys.exit(__doc__)
    early, n_early, late, n_late = sys.argv[1:5]
    hz = float(sys.argv[5]) if len(sys.argv) >= 6 else 1999.0
    unit = sys.argv[6] if len(sys.argv) == 7 else "endpoint"
    ms = 1000.0 / hz
    a = charge(early)
    b = charge(late)
    per_a = {k: v * ms / float(n_early) for k, v in a.items()}
    per_b = {k: v * ms / float(n_late) for k, v in b.items()}
    keys = sorted(set(per_a) | set(per_b),
                  key=lambda k: per_b.get(k, 0) - per_a.get(k, 0),
                  reverse=True)
    print("ovs-vnetd CPU, ms per %s: early (%s %ss) / late (%s)"
          % (unit, n_early, unit, n_late))
    for k in keys:
        x, y = per_a.get(k, 0.0), per_b.get(k, 0.0)
        if max(x, y) >= 0.01:
            print("  %-52s %6.2f %6.2f" % (k, x, y))
    print("  %-52s %6.2f %6.2f" % ("all", sum(per_a.values()),
                                   sum(per_b.values())))


if __name__ == "__main__":
    main()
