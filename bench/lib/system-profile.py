#!/usr/bin/env python3
"""What every process on the machine spends per endpoint, early and late in
a run of bench/scale.sh, from two system-wide perf(1) recordings.

Usage: system-profile.py EARLY.data N_EARLY LATE.data N_LATE [HZ [TOP]]

EARLY.data and LATE.data were recorded with "perf record -a -F HZ" while
N_EARLY and N_LATE endpoints were added (HZ: 999 by default).  Prints, per
command name (ovs-vswitchd's threads by their own names), milliseconds of
CPU per endpoint early and late, the largest growth first; then the TOP (20)
symbols that grew most, with the command they ran in."""

import collections
import subprocess
import sys


def samples(path):
    """(comm, symbol) of each sample."""
    out = subprocess.run(["perf", "script", "-i", path, "-F", "comm,ip,sym"],
                         capture_output=True, text=True, check=True).stdout
    for line in out.split("\n"):
        # "COMM IP SYM": the address is the first field of hex digits.
        fields = line.split()
        for i in range(1, len(fields)):
            try:
                int(fields[i], 16)
            except ValueError:
                continue
            yield (" ".join(fields[:i]),
                   " ".join(fields[i + 1:]) or "[unknown]")
            break


def tally(path):
    by_comm = collections.Counter()
    by_sym = collections.Counter()
    for comm, sym in samples(path):
        # Numbered threads and workers counted as one kind.
        kind = comm.rstrip("0123456789").rstrip("/:-_") or comm
        by_comm[kind] += 1
        by_sym[(kind, sym)] += 1
    return by_comm, by_sym


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    early, n_early, late, n_late = (sys.argv[1], int(sys.argv[2]),
                                    sys.argv[3], int(sys.argv[4]))
    hz = int(sys.argv[5]) if len(sys.argv) > 5 else 999
    top = int(sys.argv[6]) if len(sys.argv) > 6 else 20
    ms = 1000.0 / hz
    ec, es = tally(early)
    lc, ls = tally(late)

    def per_ep(count, n):
        return count * ms / n

    print("  CPU ms per endpoint, early (%d) -> late (%d), by command:"
          % (n_early, n_late))
    rows = [(per_ep(lc[k], n_late) - per_ep(ec[k], n_early), k)
            for k in set(ec) | set(lc)]
    for growth, k in sorted(rows, reverse=True):
        e, l = per_ep(ec[k], n_early), per_ep(lc[k], n_late)
        if max(e, l) >= 0.05:
            print("    %-28s %6.2f -> %6.2f  (%+.2f)" % (k, e, l, growth))
    print("    %-28s %6.2f -> %6.2f" % ("all", per_ep(sum(ec.values()), n_early),
                                         per_ep(sum(lc.values()), n_late)))
    print("  the %d symbols that grew most:" % top)
    rows = [(per_ep(ls[k], n_late) - per_ep(es[k], n_early), k)
            for k in set(es) | set(ls)]
    for growth, (comm, sym) in sorted(rows, reverse=True)[:top]:
        print("    %-16s %-40s %6.2f -> %6.2f" % (comm[:16], sym[:40],
                                                  per_ep(es[(comm, sym)], n_early),
                                                  per_ep(ls[(comm, sym)], n_late)))


main()
