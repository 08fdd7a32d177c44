# A trunk of tc filters: endpoints that are not ports of the switch but keep
# a device of their own.  One port of the switch is a veth whose other end,
# the trunk, is in a namespace of its own with no address; each endpoint is a
# veth whose other end is in that namespace too.  There, u32 filters with
# mirred actions pass up the trunk only what comes from the endpoint's device
# with the endpoint's own source MAC, hand down to it what the switch sends to
# its MAC, and mirror broadcasts to every endpoint but the one that sent it.
# What no filter takes dies in the namespace.  (This kernel has no 8021q and
# no tc vlan, flower or matchall: u32 and mirred are what there is.)

# trunk_prepare NS TRUNK: the namespace's side of the trunk device TRUNK in
# namespace NS (up, made by the caller): no IPv6, a clsact qdisc on TRUNK,
# and bh0, which swallows what is sent to it (its other end is down).
trunk_prepare() {
    local ns=$1 trunk=$2
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 || return 1
    ip -n "$ns" link add bh0 type veth peer name bh1 || return 1
    ip -n "$ns" link set bh0 up || return 1
    tc -n "$ns" qdisc add dev "$trunk" clsact
}

# trunk_attach NS TRUNK DEV MAC: the filters of endpoint device DEV (in NS,
# up) whose endpoint has MAC, in one tc process.
trunk_attach() {
    local ns=$1 trunk=$2 dev=$3 mac=$4
    tc -n "$ns" -batch - <<EOT
qdisc add dev $dev clsact
filter add dev $dev ingress prio 1 protocol all u32 match ether src $mac action mirred egress redirect dev $trunk
filter add dev $dev egress prio 1 protocol all u32 match ether src $mac action mirred egress redirect dev bh0
filter add dev $trunk ingress prio 1 protocol all u32 match ether dst $mac action mirred egress redirect dev $dev
filter add dev $trunk ingress prio 2 protocol all u32 match ether dst ff:ff:ff:ff:ff:ff action mirred egress mirror dev $dev continue
EOT
}
