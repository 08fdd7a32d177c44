#!/bin/bash
# Throughput and connection rate through NAT, against the same path routed
# without NAT.
#
# One sandbox (tests/lib/sandbox.sh): two hosts over VXLAN, network red
# (10.5.0.0/16) with endpoint a1 on h1 and a2 on h2, router rt1 with its
# uplink on h1 towards an outside namespace (next hop 203.0.113.1, server
# 198.51.100.10).  Each round measures the routed path first (no NAT rule;
# the outside has a route back to 10.5.0.0/16), then adds "snat red" and
# "dnat tcp 8765 10.5.0.11" and measures the same again:
#
#   tcp a1 (gateway host)   iperf3 TCP, a1 -> outside server
#   tcp a2 (other host)     iperf3 TCP, a2 -> outside server (tunnelled to h1)
#   conn/s out              short TCP connections a1 -> outside server
#                           (routed / through snat)
#   conn/s in               short TCP connections outside -> a1's port 8765
#                           (to 10.5.0.11 routed / to 203.0.113.2 through dnat)
#
# It prints the command that reproduces the run, the medians and the ratios
# NAT / routed, against the target NAT >= 0.75 x routed.  Exits 0 when every
# measurement ran, even if a target is missed.  Needs root, iperf3, python3
# and a built tree.
#
# Usage: [DURATION=SECS] [REPEAT=N] [CONNECTS=N] bench/nat.sh
#   DURATION  seconds per iperf3 run (default 5)
#   REPEAT    rounds; medians are reported (default 3)
#   CONNECTS  connections per connection-rate run (default 1000)

set -u -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DURATION=${DURATION:-5}
REPEAT=${REPEAT:-3}
CONNECTS=${CONNECTS:-1000}
for v in DURATION REPEAT CONNECTS; do
    [[ ${!v} =~ ^[1-9][0-9]*$ ]] || { echo "$0: $v must be a positive integer" >&2; exit 2; }
done
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }
for prog in iperf3 python3 ip ovs-vswitchd ovsdb-server; do
    command -v "$prog" >/dev/null || { echo "$0: $prog not found" >&2; exit 2; }
done

cd "$top"
. tests/lib/sandbox.sh
. tests/lib/check.sh
fail() { echo "bench: $*" >&2; exit 1; }

sandbox_init "vb$(printf '%04x' $((RANDOM % 65536)))" || exit 1
echo "command: DURATION=$DURATION REPEAT=$REPEAT CONNECTS=$CONNECTS bench/nat.sh"
echo "setting up (two hosts, router rt1, uplink on h1) ..."
out=$SANDBOX_PREFIX-out
hosts_world vxlan h1 h2 >/dev/null
outside_world h1
vnet_ctl net-add red 10.5.0.0/16 >/dev/null
attach_ep red a1 h1 10.5.0.11
attach_ep red a2 h2 10.5.0.12
vnet_ctl router-add rt1
vnet_ctl router-attach rt1 red
vnet_ctl router-uplink rt1 h1 up0 --ip=203.0.113.2/24 --nexthop=203.0.113.1
vnet_ctl --wait sync
ip -n "$out" route add 10.5.0.0/16 via 203.0.113.2
echo_serve "$out" 7000
echo_serve "$SANDBOX_PREFIX-a1" 8765
reaches a1 198.51.100.10 && reaches a2 198.51.100.10 || fail "no way out"

results=$SANDBOX_DIR/results
: > "$results"

# tput CASE EP: iperf3 TCP from endpoint EP to the outside server.
tput() {
    local pidfile=$SANDBOX_DIR/iperf3.pid json
    rm -f "$pidfile"
    ip netns exec "$out" iperf3 -s -1 -D -B 198.51.100.10 -I "$pidfile" || return 1
    sandbox_wait_pidfile 5 "$pidfile" >/dev/null || return 1
    json=$(in_ep "$2" timeout $((DURATION + 20)) iperf3 -c 198.51.100.10 \
           -t "$DURATION" -J) || return 1
    printf '%s\n' "$json" | python3 -c '
import json, sys
print("%s\t%.0f" % (sys.argv[1],
      json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e6))' \
        "$1" >> "$results"
}

# cps CASE NS IP PORT: CONNECTS short TCP connections from NS; failed ones
# are counted (a connection gets 2 s).
cps() {
    local rate failed
    read -r rate failed < <(ip netns exec "$2" timeout 300 \
        python3 tests/lib/echo.py connects "$3" "$4" "$CONNECTS") || return 1
    printf '%s\t%s\n' "$1" "$rate" >> "$results"
    [ "$failed" = 0 ] || echo "$1: $failed of $CONNECTS connections failed"
    printf 'failed %s\t%s\n' "$1" "$failed" >> "$results"
}

for ((round = 1; round <= REPEAT; round++)); do
    echo "round $round of $REPEAT: routed"
    vnet_ctl --wait nat-del rt1 snat red --if-exists
    vnet_ctl --wait nat-del rt1 dnat tcp 8765 --if-exists
    tput "routed tcp a1" a1 || fail "iperf3 (routed, a1)"
    tput "routed tcp a2" a2 || fail "iperf3 (routed, a2)"
    cps "routed conn/s out" "$SANDBOX_PREFIX-a1" 198.51.100.10 7000 \
        || fail "connections (routed, out)"
    cps "routed conn/s in" "$out" 10.5.0.11 8765 || fail "connections (routed, in)"
    echo "round $round of $REPEAT: NAT"
    vnet_ctl nat-add rt1 snat red
    vnet_ctl --wait nat-add rt1 dnat tcp 8765 10.5.0.11
    tput "nat tcp a1" a1 || fail "iperf3 (snat, a1)"
    tput "nat tcp a2" a2 || fail "iperf3 (snat, a2)"
    cps "nat conn/s out" "$SANDBOX_PREFIX-a1" 198.51.100.10 7000 \
        || fail "connections (snat)"
    cps "nat conn/s in" "$out" 203.0.113.2 8765 || fail "connections (dnat)"
done

python3 - "$results" <<'PY'
import statistics, sys
runs = {}
for line in open(sys.argv[1]):
    case, value = line.rstrip("\n").split("\t")
    runs.setdefault(case, []).append(float(value))
med = {c: statistics.median(v) for c, v in runs.items()
       if not c.startswith("failed ")}
rows = [("tcp a1", "Mbit/s", "TCP, endpoint on the gateway host"),
        ("tcp a2", "Mbit/s", "TCP, endpoint on another host"),
        ("conn/s out", "conn/s", "connections out (snat)"),
        ("conn/s in", "conn/s", "connections in (dnat)")]
print()
print("%-42s %8s %8s %6s %7s" % ("case", "routed", "NAT", "ratio", "target"))
for key, unit, label in rows:
    r, n = med["routed " + key], med["nat " + key]
    ratio = n / r if r else 0
    print("%-42s %8.0f %8.0f %6.2f %7s" % (label + " (" + unit + ")", r, n,
          ratio, "MET" if ratio >= 0.75 else "MISSED"))
print("(medians of %d rounds; target: NAT >= 0.75 x routed)"
      % len(runs["nat tcp a1"]))
lost = sum(v for c, vs in runs.items() if c.startswith("failed ") for v in vs)
print("connections that failed: %d" % lost)
PY
