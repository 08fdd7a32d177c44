# Integration tests: networks on a physical LAN.  The "physical switch" is one
# more Open vSwitch in a namespace of its own ("phys"), in standalone mode (a
# learning switch): bridge "trunk" with a trunk port towards each of our
# switches and access ports for the LAN's hosts (tag=100, tag=200), and
# bridge "flat", untagged.  Each of our switches hN maps physical network
# "trunk" to its interface phys0 and "flat" to phys1.

# phys_link HOST BRIDGE IFACE: a veth from HOST's switch namespace (IFACE) to
# the physical switch's BRIDGE, a trunk port there.
phys_link() {
    local swns physns=$(sandbox_netns phys) peer="t$3-$1"
    swns=$(sandbox_netns "$1")
    ip -n "$physns" link add "$peer" type veth peer name "$3" netns "$swns" || return 1
    ip -n "$physns" link set "$peer" up
    ip -n "$swns" link set "$3" up
    sandbox_vsctl phys add-port "$2" "$peer"
}

# lan_host NAME BRIDGE IP/PLEN [TAG]: a host of the LAN, namespace
# "$SANDBOX_PREFIX-NAME" with eth0 on an access port of BRIDGE.
lan_host() {
    local ns=$SANDBOX_PREFIX-$1 physns
    physns=$(sandbox_netns phys)
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip -n "$physns" link add "a-$1" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$ns" addr add "$3" dev eth0
    ip -n "$ns" link set eth0 up
    # Full checksums, as from a real NIC (see sandbox_switch_underlay).
    ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
    ip -n "$physns" link set "a-$1" up
    sandbox_vsctl phys add-port "$2" "a-$1" ${4:+tag=$4}
}

# physnet_world: NB, controller, the physical switch with hosts lan100
# (10.100.0.100, VLAN 100), lan200 (10.100.0.200, VLAN 200: the same subnet,
# so that only the VLANs keep them apart) and lanf (10.250.0.250, untagged);
# switches h1 and h2 on both bridges, started with $PHYSNET_SWITCH_OPTIONS
# (sandbox_switch_start's).
physnet_world() {
    sandbox_nb_start
    sandbox_vnetd_start
    sandbox_switch_start phys
    sandbox_vsctl phys add-br trunk -- set bridge trunk \
        datapath_type="$SANDBOX_DATAPATH" \
        -- add-br flat -- set bridge flat datapath_type="$SANDBOX_DATAPATH"
    lan_host lan100 trunk 10.100.0.100/24 100
    lan_host lan200 trunk 10.100.0.200/24 200
    lan_host lanf flat 10.250.0.250/24
    local h
    for h in h1 h2; do
        sandbox_switch_start "$h" ${PHYSNET_SWITCH_OPTIONS:-}
        phys_link "$h" trunk phys0
        phys_link "$h" flat phys1
        vnet_ctl connect "$(sandbox_switch_remote "$h")" --name="$h" \
            --physnet=trunk:phys0 --physnet=flat:phys1 >/dev/null
    done
}

# replies_from NS COUNT TARGET: ping COUNT echoes from NS to TARGET (a
# broadcast address too); prints the number of replies per source, sorted.
# (One more echo is sent and not counted: ping stops at the first reply to
# its last one.)
replies_from() {
    ip netns exec "$SANDBOX_PREFIX-$1" ping -c "$(($2 + 1))" -i 0.3 -W 3 -b "$3" \
        2>/dev/null \
        | sed -n 's/^[0-9]* bytes from \([0-9.]*\): icmp_seq=\([0-9]*\).*/\1 \2/p' \
        | awk -v n="$2" '$2 <= n {print $1}' | sort | uniq -c \
        | awk '{print $2 "=" $1}' | tr '\n' ' '
}

test_physnet_vlans_and_untagged() {
    # Unmapped on purpose below.
    ALLOWED_LOG_ERRORS='physnet v100: physical network trunk is not mapped'
    physnet_world
    vnet_ctl net-add v100 10.100.0.0/24 --physnet=trunk --vlan=100 >/dev/null
    vnet_ctl net-add v200 10.100.0.0/24 --physnet=trunk --vlan=200 >/dev/null
    vnet_ctl net-add flat 10.250.0.0/24 --physnet=flat >/dev/null
    attach_ep v100 a1 h1 10.100.0.11
    attach_ep v100 a2 h2 10.100.0.21
    attach_ep v200 b1 h1 10.100.0.12
    attach_ep flat f1 h1 10.250.0.11
    attach_ep flat f2 h2 10.250.0.21
    vnet_ctl --wait sync
    assert_contains "$(sandbox_vsctl h1 list-ports br-vnet)" "phys0"
    assert_contains "$(vnet_ctl show)" "physical network trunk, VLAN 100"

    # VLAN 100: its endpoints on both hosts reach the VLAN-100 host and each
    # other (through the LAN); not the VLAN-200 host, on the same subnet.
    reaches a1 10.100.0.100 || fail "a1 -> lan100"
    reaches a2 10.100.0.100 || fail "a2 -> lan100"
    reaches a1 10.100.0.21 || fail "a1 -> a2"
    ip netns exec "$SANDBOX_PREFIX-lan100" ping -c 2 -i 0.2 -W 1 10.100.0.21 >/dev/null \
        || fail "lan100 -> a2"
    ! in_ep a1 ping -c 2 -i 0.2 -W 1 10.100.0.200 >/dev/null || fail "a1 reached VLAN 200"
    ! in_ep a1 ping -c 2 -i 0.2 -W 1 10.100.0.12 >/dev/null || fail "a1 reached b1 (VLAN 200)"
    reaches b1 10.100.0.200 || fail "b1 -> lan200"
    ! in_ep b1 ping -c 2 -i 0.2 -W 1 10.100.0.100 >/dev/null || fail "b1 reached VLAN 100"
    # No gateway of ours answers on a physical network.
    ! in_ep a1 ping -c 1 -W 1 10.100.0.1 >/dev/null || fail "10.100.0.1 answered"
    # Untagged.
    reaches f1 10.250.0.250 || fail "f1 -> lanf"
    reaches f2 10.250.0.11 || fail "f2 -> f1"

    # The tags on the wire, between h1 and the physical switch.
    local physns cap
    physns=$(sandbox_netns phys)
    cap=$SANDBOX_DIR/trunk.txt
    ip netns exec "$physns" timeout 5 tcpdump -l -n -e -i tphys0-h1 -c 4 icmp \
        > "$cap" 2>/dev/null &
    local tcpdump=$!
    sleep 1
    in_ep a1 ping -c 2 -i 0.2 10.100.0.100 >/dev/null
    wait "$tcpdump" || true
    grep -q 'vlan 100' "$cap" || fail "no VLAN 100 tag on the trunk: $(cat "$cap")"
    ! grep -q 'vlan 200' "$cap" || fail "VLAN 200 on the trunk: $(cat "$cap")"
    cap=$SANDBOX_DIR/flat.txt
    ip netns exec "$physns" timeout 5 tcpdump -l -n -e -i tphys1-h1 -c 4 icmp \
        > "$cap" 2>/dev/null &
    tcpdump=$!
    sleep 1
    in_ep f1 ping -c 2 -i 0.2 10.250.0.250 >/dev/null
    wait "$tcpdump" || true
    grep -q 'ICMP echo request' "$cap" || fail "nothing on the flat LAN: $(cat "$cap")"
    ! grep -q 'vlan' "$cap" || fail "a tag on the flat LAN: $(cat "$cap")"

    # No loop, no duplicate: a broadcast ping from the VLAN-100 host gets
    # exactly one reply per echo from each VLAN-100 endpoint, none from
    # VLAN 200's; a unicast one, one reply per echo.
    local ns
    for ns in a1 a2 b1; do
        in_ep "$ns" sysctl -q -w net.ipv4.icmp_echo_ignore_broadcasts=0
    done
    assert_eq "$(replies_from lan100 5 10.100.0.255)" \
        "10.100.0.11=5 10.100.0.21=5 " "replies to a broadcast ping on VLAN 100"
    assert_eq "$(replies_from lan100 5 10.100.0.11)" "10.100.0.11=5 " \
        "replies to lan100 -> a1"
    assert_eq "$(replies_from a2 5 10.100.0.100)" "10.100.0.100=5 " \
        "replies to a2 -> lan100"

    # check: the VLAN-100 endpoints reach each other (through the LAN), not
    # VLAN 200's; no gateway to ask for.  trace: out of the trunk, tagged.
    local out
    out=$(vnet_ctl check v100 v200) || fail "check: $out"
    assert_contains "$out" "2 of 2 expected to reach do; 4 isolated as expected"
    output_has '^a1 +- +ok +apart +none' echo "$out" || fail "check's matrix: $out"
    out=$(vnet_ctl trace a1 10.100.0.100)
    assert_contains "$out" "verdict: sent to physical network trunk (VLAN 100) out of phys0 on switch h1"
    expect_error 'network v100 has no gateway' vnet_ctl trace a1 gateway
    # The picture: the LAN, both switches' ports to it, its networks' VLANs.
    out=$(vnet_ctl topology --format=dot)
    assert_contains "$out" 'label="physical network trunk"'
    assert_contains "$out" '"physport:h2/phys0" -- "lan:trunk"'
    assert_contains "$out" '"net:v200" -- "lan:trunk" [style=dashed, label="VLAN 200"]'

    # ovs-vnetd killed and started again: the LAN's ports and flows stay.
    sandbox_vnetd_kill
    sandbox_vnetd_start
    vnet_ctl --wait sync
    reaches a2 10.100.0.100 || fail "a2 -> lan100 after a restart"
    reaches f2 10.250.0.250 || fail "f2 -> lanf after a restart"

    # The physical network unmapped on h2: its endpoints there reach the LAN
    # no more, and the switch says why; mapped again, they do.
    vnet_ctl --wait switch-set h2 --physnet=trunk:
    ! output_has phys0 sandbox_vsctl h2 list-ports br-vnet || fail "phys0 still a port"
    assert_contains "$(vnet_ctl show)" "physical network trunk is not mapped"
    ! in_ep a2 ping -c 2 -i 0.2 -W 1 10.100.0.100 >/dev/null || fail "a2 reached lan100 unmapped"
    vnet_ctl --wait switch-set h2 --physnet=trunk:phys0
    wait_until 10 reaches a2 10.100.0.100 || fail "a2 -> lan100 mapped again"
    reaches f2 10.250.0.250 || fail "f2 -> lanf (flat stayed mapped)"
}

# On switches with userspace TSO, the endpoints of a physical network lose
# their offloads (the LAN takes frames of its MTU only), and TCP crosses the
# LAN whole: to a LAN host and back, and between two hosts' endpoints
# through it.
test_physnet_tcp_on_tso_switches() {
    PHYSNET_SWITCH_OPTIONS=--tso physnet_world
    vnet_ctl net-add v100 10.100.0.0/24 --physnet=trunk --vlan=100 >/dev/null
    vnet_ctl net-add local 10.5.0.0/24 >/dev/null
    attach_ep v100 a1 h1 10.100.0.11
    attach_ep v100 a2 h2 10.100.0.21
    attach_ep local l1 h1 10.5.0.11
    vnet_ctl --wait sync
    local off=off
    [ "$SANDBOX_DATAPATH" = system ] && off=on
    # (A network that stays on h1 keeps them: the switch does run with TSO.)
    if [ "$SANDBOX_DATAPATH" = netdev ]; then
        wait_until 5 offload_is l1 on
    fi
    offload_is a1 $off || fail "a1's offload: $(offload_of a1)"
    offload_is a2 $off || fail "a2's offload: $(offload_of a2)"
    tcp_send a1 lan100 10.100.0.100 20 || fail "20 MiB a1 -> lan100"
    tcp_send lan100 a2 10.100.0.21 20 || fail "20 MiB lan100 -> a2"
    tcp_send a1 a2 10.100.0.21 20 || fail "20 MiB a1 -> a2 through the LAN"

    # What the LAN carries for no network here (VLAN 200) is dropped at the
    # interface, not sent to ovs-vnetd as a new port's packets are.
    local phys0 to_vnetd drops
    phys0=$(sandbox_vsctl h1 get Interface phys0 ofport)
    to_vnetd=$(flow_packets h1 'priority=0 actions=CONTROLLER')
    drops=$(flow_packets h1 "priority=1,in_port=$phys0 actions=drop")
    ip netns exec "$SANDBOX_PREFIX-lan200" ping -b -c 5 -i 0.2 -W 1 10.100.0.255 \
        >/dev/null 2>&1 || true
    [ $(( $(flow_packets h1 "priority=1,in_port=$phys0 actions=drop") - drops )) -ge 5 ] \
        || fail "VLAN 200's broadcasts not dropped at phys0"
    assert_eq "$(flow_packets h1 'priority=0 actions=CONTROLLER')" "$to_vnetd" \
        "packets sent to ovs-vnetd while VLAN 200 broadcast"
}

# flow_packets HOST TEXT: the packet count of the flow of table 0 on HOST's
# br-vnet whose line has TEXT.
flow_packets() {
    sandbox_ofctl "$1" -O OpenFlow15 --no-names dump-flows br-vnet table=0 \
        | grep -F -- "$2" | sed -n 's/.*n_packets=\([0-9]*\),.*/\1/p'
}

test_physnet_gateway_on_the_lan() {
    physnet_world
    # A router of the LAN at 10.100.0.100, with one more network behind it.
    ip -n "$SANDBOX_PREFIX-lan100" addr add 198.51.100.1/32 dev lo
    ip netns exec "$SANDBOX_PREFIX-lan100" sysctl -q -w net.ipv4.ip_forward=1
    vnet_ctl net-add v100 10.100.0.0/24 --physnet=trunk --vlan=100 \
        --gateway=10.100.0.100 >/dev/null
    attach_ep v100 a1 h1 10.100.0.11
    vnet_ctl --wait sync
    output_has 'default via 10.100.0.100' in_ep a1 ip route \
        || fail "a1's default route: $(in_ep a1 ip route)"
    reaches a1 198.51.100.1 || fail "a1 -> beyond the LAN's router"
}

test_physnet_cli_errors() {
    sandbox_nb_start
    vnet_ctl init
    expect_error '--vlan needs --physnet' vnet_ctl net-add n1 10.1.0.0/24 --vlan=10
    expect_error '--vlan=5000' vnet_ctl net-add n1 10.1.0.0/24 --physnet=p --vlan=5000
    expect_error 'physical network name "-p"' \
        vnet_ctl net-add n1 10.1.0.0/24 --physnet=-p
    vnet_ctl net-add n1 10.1.0.0/24 --physnet=p --vlan=10
    vnet_ctl net-add n0 10.0.0.0/24 --physnet=p
    expect_error 'network n1 is already on VLAN 10 of physical network p' \
        vnet_ctl net-add n2 10.2.0.0/24 --physnet=p --vlan=10
    expect_error 'network n0 is already untagged on physical network p' \
        vnet_ctl net-add n2 10.2.0.0/24 --physnet=p
    vnet_ctl router-add r1
    expect_error 'network n1 is on physical network p' vnet_ctl router-attach r1 n1
    vnet_ctl connect unix:/nonexistent/db.sock --name=s1 --physnet=p:eth1 >/dev/null
    expect_error 'expected PHYS:IFACE' vnet_ctl switch-set s1 --physnet=p
    expect_error 'eth1 is mapped to two physical networks' \
        vnet_ctl switch-set s1 --physnet=q:eth1
    expect_error 'br-vnet is the switch.s bridge' vnet_ctl switch-set s1 --physnet=q:br-vnet
    expect_error 'eth1 on switch s1 is physical network p.s' \
        vnet_ctl router-uplink r1 s1 eth1 --ip=203.0.113.2/24 --nexthop=203.0.113.1
    vnet_ctl switch-set s1 --physnet=p:
    assert_eq "$(nb_get physnets s1)" '["map", []]' "s1's physnets after removal"
}
