#!/bin/bash
# Checks what the trunk of bench/lib/trunk.sh promises, on its own: two
# endpoints on a trunk whose far end sends every frame back the way it came
# (standing in for a switch whose flows say IN_PORT).
#
#   1. the endpoints reach each other;
#   2. the copy of an endpoint's own broadcast that comes back down the trunk
#      is swallowed before it reaches it;
#   3. an endpoint that takes the other's MAC gets nothing up the trunk;
#   4. nor does one with a MAC of no endpoint.
#
# Prints each with its counts; exits 1 if one does not hold.  Needs root;
# everything it makes is in namespaces of its own, removed on exit.
#
# Usage: bench/trunk-filters.sh
set -u -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$top/bench/lib/trunk.sh"
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }

p=tf$$
t=$p-trunk sw=$p-sw
cleanup() {
    local ns
    for ns in "$t" "$sw" "$p-e1" "$p-e2"; do
        ip netns del "$ns" 2>/dev/null
    done
}
trap cleanup EXIT
die() { echo "$0: $*" >&2; exit 1; }

mac1=02:00:5e:00:00:01 mac2=02:00:5e:00:00:02
ip netns add "$t" && ip netns add "$sw" || die "namespaces"
ip -n "$sw" link add vt0 type veth peer name vt1 netns "$t" || die "trunk"
ip -n "$sw" link set vt0 up && ip -n "$t" link set vt1 up || die "trunk up"
tc -n "$sw" qdisc add dev vt0 clsact || die "tc"
tc -n "$sw" filter add dev vt0 ingress prio 1 protocol all u32 match u32 0 0 \
    action mirred egress redirect dev vt0 || die "tc"
trunk_prepare "$t" vt1 || die "trunk filters"
for i in 1 2; do
    mac=mac$i
    ip netns add "$p-e$i" || die "namespace"
    ip -n "$p-e$i" link set lo up
    ip -n "$t" link add "t$i" type veth peer name eth0 netns "$p-e$i" || die "veth"
    ip -n "$p-e$i" link set eth0 address "${!mac}"
    ip -n "$p-e$i" addr add "10.9.0.$i/24" dev eth0
    ip -n "$p-e$i" link set eth0 up
    ip -n "$t" link set "t$i" up
    trunk_attach "$t" vt1 "t$i" "${!mac}" || die "filters of t$i"
done

# packets DEV TARGET: how many frames the filter of DEV that redirects to
# TARGET has taken.  (This tc lists the filters of both directions of a
# clsact qdisc whichever it is asked for: the target tells them apart.)
packets() {
    tc -n "$t" -s filter show dev "$1" ingress \
        | awk -v to="device $2)" '
            index($0, to) { found = 1 }
            found && /Sent/ {
                for (i = 1; i < NF; i++) if ($(i + 1) == "pkt") { print $i; exit }
            }'
}
# received: frames that t1 took in from e1.
received() { ip -n "$t" -s link show t1 | awk '/RX:/ { getline; print $2 }'; }
pings() {
    ip netns exec "$p-e1" ping -c 2 -i 0.2 -W 1 10.9.0.2 2>/dev/null \
        | awk '/transmitted/ { print $4 }'
}

status=0
check() {  # OK TEXT
    if [ "$1" = 1 ]; then echo "ok:     $2"; else echo "FAILED: $2"; status=1; fi
}

n=$(pings)
check "$([ "${n:-0}" = 2 ] && echo 1)" "1. e1 reaches e2: $n of 2 echo replies"
n=$(packets t1 bh0)
check "$([ "${n:-0}" -ge 1 ] && echo 1)" \
    "2. e1's own broadcasts swallowed on their way back to it: $n"

# forged MAC TEXT: e1 takes MAC and pings e2; nothing of it may go up.
forged() {
    ip -n "$p-e1" neigh flush all
    ip -n "$p-e2" neigh flush all
    ip -n "$p-e1" link set eth0 address "$1"
    local in0 up0 in1 up1 n
    in0=$(received) up0=$(packets t1 vt1)
    n=$(pings)
    in1=$(received) up1=$(packets t1 vt1)
    check "$([ "${n:-0}" = 0 ] && [ "$up1" = "$up0" ] && [ "$in1" -gt "$in0" ] && echo 1)" \
        "$2: $((in1 - in0)) frames from e1, $((up1 - up0)) up the trunk, $n echo replies"
}
forged "$mac2" "3. e1 with e2's MAC"
forged 02:00:5e:00:00:09 "4. e1 with a MAC of no endpoint"
exit $status
