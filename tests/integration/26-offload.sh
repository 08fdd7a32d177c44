# Integration tests: the endpoints' offload policy on the userspace datapath.
# Where ovs-vswitchd runs with userspace TSO, endpoints whose traffic cannot
# leave their switch keep TX checksum offload and TSO, so TCP moves in large
# segments; as soon as their network may be encapsulated (an endpoint on
# another switch), routed or bridged onto a physical network, they lose them,
# open connections included.

# port_of HOST EP: the switch port of endpoint EP.
port_of() {
    sandbox_vsctl "$1" --bare --columns=name find Interface \
        "external_ids:iface-id=$2"
}

# big_segments HOST PORT N: catches N frames longer than 3000 bytes leaving
# or entering PORT on HOST's switch, in the background (its pid in $!).
big_segments() {
    timeout 20 ip netns exec "$(sandbox_netns "$1")" \
        tcpdump -i "$2" -nn -c "$3" 'greater 3000' > "$SANDBOX_DIR/big.$2" 2>/dev/null &
}

# Hosts h1 and h2 over VXLAN, their switches started with userspace TSO.
offload_world() {
    HOSTS_SWITCH_OPTIONS=--tso hosts_world vxlan h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h1 10.5.0.12
    vnet_ctl --wait sync
}

# On the kernel datapath the policy changes nothing: offloads stay on.
kernel_keeps_offloads() {
    wait_until 5 offload_is ep1 on
    attach_ep net1 ep3 h2 10.5.0.21
    vnet_ctl --wait switch-set h1 --offload=off
    offload_is ep1 on || fail "ep1's offload: $(offload_of ep1)"
    offload_is ep3 on || fail "ep3's offload: $(offload_of ep3)"
    [ -z "$(switch_offload h1)" ] || fail "offload on the kernel datapath: $(switch_offload h1)"
    tcp_send ep1 ep3 10.5.0.21 10 || fail "10 MiB ep1 -> ep3"
}

test_offload_follows_where_traffic_goes() {
    offload_world
    if [ "$SANDBOX_DATAPATH" = system ]; then
        kernel_keeps_offloads
        return
    fi
    # One switch only: large segments, checked end to end.
    wait_until 5 offload_is ep1 on
    offload_is ep2 on || fail "ep2's offload: $(offload_of ep2)"
    local port
    port=$(port_of h1 ep2)
    big_segments h1 "$port" 3
    local catcher=$!
    tcp_send ep1 ep2 10.5.0.12 50 || fail "50 MiB ep1 -> ep2"
    wait "$catcher" || fail "no large segment reached ep2: $(cat "$SANDBOX_DIR/big.$port")"

    # The network gains an endpoint on h2 while a connection is open: the
    # offloads go, the connection carries on.
    local gate=$SANDBOX_DIR/gate
    tcp_send ep1 ep2 10.5.0.12 20 "$gate" &
    local sender=$!
    sleep 0.5
    attach_ep net1 ep3 h2 10.5.0.21
    vnet_ctl --wait sync
    wait_until 5 offload_is ep1 off
    offload_is ep2 off || fail "ep2's offload: $(offload_of ep2)"
    touch "$gate"
    wait "$sender" || fail "the open connection across the change"
    # Across the tunnel, both ways: no stall.
    tcp_send ep1 ep3 10.5.0.21 10 || fail "10 MiB ep1 -> ep3 (VXLAN)"
    tcp_send ep3 ep2 10.5.0.12 10 || fail "10 MiB ep3 -> ep2 (VXLAN)"
    # No large frame through ep2's port any more.
    big_segments h1 "$port" 1
    catcher=$!
    tcp_send ep1 ep2 10.5.0.12 10 || fail "10 MiB ep1 -> ep2, offloads off"
    sleep 0.3
    kill -0 "$catcher" 2>/dev/null \
        || fail "a large segment after the offloads went: $(cat "$SANDBOX_DIR/big.$port")"
    kill "$catcher"
    wait "$catcher" 2>/dev/null || true

    # The endpoint on h2 leaves: back on.
    vnet_ctl --wait detach ep3 >/dev/null
    wait_until 5 offload_is ep1 on
    tcp_send ep2 ep1 10.5.0.11 10 || fail "10 MiB ep2 -> ep1, offloads on again"

    # A router on the network: off (it may route anywhere).
    vnet_ctl router-add rt1 >/dev/null
    vnet_ctl --wait router-attach rt1 net1 >/dev/null
    wait_until 5 offload_is ep1 off
    tcp_send ep1 ep2 10.5.0.12 10 || fail "10 MiB ep1 -> ep2, routed network"
    vnet_ctl --wait router-detach rt1 net1 >/dev/null
    wait_until 5 offload_is ep1 on
}

# switch_offload SWITCH: what show says of its offloads.
switch_offload() {
    vnet_ctl show | awk -v sw="switch $1 " '
        index($0, sw) == 1 { on = 1; next }
        /^switch / { on = 0 }
        on && /^    offload: / { sub(/^    offload: /, ""); print }'
}

test_offload_policy_off_and_switch_without_tso() {
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0     # As above.
    offload_world
    wait_until 5 offload_is ep1 on
    wait_until 5 output_has '^tso$' switch_offload h1
    # The policy off: the old behaviour.
    vnet_ctl --wait switch-set h1 --offload=off
    wait_until 5 offload_is ep1 off
    wait_until 5 output_has '^off$' switch_offload h1
    assert_eq "$(nb_get options h1)" '["map", [["offload", "off"]]]'
    tcp_send ep1 ep2 10.5.0.12 10 || fail "10 MiB with the policy off"
    vnet_ctl --wait switch-set h1 --offload=auto
    wait_until 5 offload_is ep1 on
    assert_eq "$(nb_get options h1)" '["map", []]'
    expect_error "expected auto or off" vnet_ctl switch-set h1 --offload=on
    expect_error "expected auto or off" vnet_ctl connect unix:/nonexistent --name=x --offload=yes

    # A switch whose ovs-vswitchd runs without userspace TSO: off, whatever
    # the policy.
    sandbox_switch_start h3
    vnet_ctl --wait connect "$(sandbox_switch_remote h3)" --name=h3 >/dev/null
    vnet_ctl net-add net3 10.8.0.0/16 >/dev/null
    attach_ep net3 ep31 h3 10.8.0.11
    vnet_ctl --wait attach net3 ep32 --switch=h3 --ip=10.8.0.12 \
        --netns="$SANDBOX_PREFIX-ep32" >/dev/null
    offload_is ep31 off || fail "ep31's offload: $(offload_of ep31)"
    wait_until 5 output_has '^off: ovs-vswitchd runs without userspace TSO$' switch_offload h3
    tcp_send ep31 ep32 10.8.0.12 10 || fail "10 MiB on a switch without TSO"
}

# On switches with userspace TSO, every path carries TCP: routed between
# hosts, SNAT and DNAT through conntrack to and from the outside, the UDP
# relay; endpoints alone on their switch's network keep their offloads.
test_tso_switches_carry_every_path() {
    HOSTS_SWITCH_OPTIONS=--tso router_world
    vnet_ctl --wait nat-add rt1 dnat tcp 5001 b2 >/dev/null
    wait_until 5 offload_is g1 on
    local ep off=off
    [ "$SANDBOX_DATAPATH" = system ] && off=on
    for ep in r1 r2 b2; do
        offload_is "$ep" $off || fail "$ep's offload: $(offload_of "$ep")"
    done
    tcp_send r1 b2 10.6.0.12 10 || fail "10 MiB r1 -> b2, routed across hosts"
    tcp_send b2 r1 10.5.0.11 10 || fail "10 MiB b2 -> r1, routed across hosts"
    tcp_send r1 out 198.51.100.10 10 || fail "10 MiB r1 -> the outside (SNAT)"
    tcp_send out b2 203.0.113.2 10 || fail "10 MiB the outside -> b2 (DNAT)"

    # The UDP relay between the same switches.  (Packets of the connections
    # above may still come in through the VXLAN port as it goes, which
    # ovs-vswitchd logs.)
    ALLOWED_LOG_ERRORS='receive tunnel port not found|UDP relay .*restarting it'
    vnet_ctl switch-set h1 --encap-type=udp
    vnet_ctl --wait switch-set h2 --encap-type=udp
    wait_until 10 reaches r1 10.5.0.12
    tcp_send r1 r2 10.5.0.12 10 || fail "10 MiB r1 -> r2 over the UDP relay"
    tcp_send r2 r1 10.5.0.11 10 || fail "10 MiB r2 -> r1 over the UDP relay"
}
