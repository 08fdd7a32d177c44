# Integration tests: a router's uplink and NAT (snat, dnat, fip, hairpin),
# across three hosts, all in OpenFlow with conntrack.

# nat_world: hosts h1-h3 over VXLAN; router rt1 joins red (an endpoint on
# each host) and blue (on h2); green (h3) is on no router.  rt1's uplink is
# up0 on h1, towards the outside (outside_world).  Servers: outside, in r2
# and in r3.
nat_world() {
    hosts_world vxlan h1 h2 h3
    outside_world h1
    vnet_ctl net-add red 10.5.0.0/16 >/dev/null
    vnet_ctl net-add blue 10.6.0.0/16 >/dev/null
    vnet_ctl net-add green 10.7.0.0/16 >/dev/null
    attach_ep red r1 h1 10.5.0.11
    attach_ep red r2 h2 10.5.0.12
    attach_ep red r3 h3 10.5.0.13
    attach_ep blue b2 h2 10.6.0.12
    attach_ep green g3 h3 10.7.0.13
    vnet_ctl router-add rt1
    vnet_ctl router-attach rt1 red
    vnet_ctl router-attach rt1 blue
    vnet_ctl router-uplink rt1 h1 up0 --ip=203.0.113.2/24 --nexthop=203.0.113.1
    vnet_ctl --wait sync
    echo_serve "$SANDBOX_PREFIX-out" 7000
    echo_serve "$SANDBOX_PREFIX-r2" 8765
    echo_serve "$SANDBOX_PREFIX-r3" 9876
}

# nat_flows HOST: the flows on HOST's bridge made for NAT rules.
nat_flows() {
    sandbox_ofctl "$1" dump-flows br-vnet | grep -c 'cookie=0x760d' || true
}

test_nat_snat_dnat_fip() {
    nat_world
    local out=$SANDBOX_PREFIX-out all_ns ns rules_before
    all_ns=$(ip netns list | awk '{print $1}' | grep "^$SANDBOX_PREFIX-" | sort)
    rules_before=$(firewall_rules $all_ns)

    # Routed without NAT: the outside has no way back to 10.5/16.
    ! reaches r2 198.51.100.10 || fail "reached the outside without snat"
    # The uplink address answers ARP and ping.
    ip netns exec "$out" ping -c 3 -i 0.2 -W 1 203.0.113.2 >/dev/null \
        || fail "uplink address does not answer ping"

    # snat: ICMP, TCP and UDP from every host; the server sees 203.0.113.2.
    vnet_ctl --wait nat-add rt1 snat red
    local ep
    for ep in r1 r2 r3; do
        reaches "$ep" 198.51.100.10 || fail "$ep: no ping through snat"
        assert_contains "$(echo_ask "$SANDBOX_PREFIX-$ep" tcp 198.51.100.10 7000)" \
            "203.0.113.2:" "$ep: TCP through snat"
        assert_contains "$(echo_ask "$SANDBOX_PREFIX-$ep" udp 198.51.100.10 7000)" \
            "203.0.113.2:" "$ep: UDP through snat"
    done
    output_has 'zone=2' sandbox_appctl h1 dpctl/dump-conntrack \
        || fail "no conntrack entries in zone 2 on h1"
    if [ "$SANDBOX_DATAPATH" = system ]; then
        # The kernel's own connection tracker, in the switch's namespace.
        output_has 'zone=2' sandbox_netns_exec h1 cat /proc/net/nf_conntrack \
            || fail "no zone 2 entries in h1's kernel conntrack table"
    fi
    # Not on rt1: green stays inside.
    ! reaches g3 198.51.100.10 || fail "green reached the outside"
    # blue has no snat rule: routed out, but nothing comes back.
    ! reaches b2 198.51.100.10 || fail "blue reached the outside without snat"

    # dnat: the outside reaches a TCP service on h2 and a UDP one on h3.
    vnet_ctl nat-add rt1 dnat tcp 8765 r2
    vnet_ctl --wait nat-add rt1 dnat udp 9876 10.5.0.13
    assert_contains "$(echo_ask "$out" tcp 203.0.113.2 8765)" "203.0.113.1:" \
        "dnat TCP (the service sees the real client)"
    assert_contains "$(echo_ask "$out" udp 203.0.113.2 9876)" "203.0.113.1:" \
        "dnat UDP"
    echo_none "$out" "tcp 203.0.113.2 8766" "udp 203.0.113.2 8765" \
        "tcp 203.0.113.2 9876" || fail "a port open that no rule opens"

    # Hairpin: r1 (h1) and r3 (h3) reach r2's service at its dnat address.
    assert_contains "$(echo_ask "$SANDBOX_PREFIX-r1" tcp 203.0.113.2 8765)" \
        "203.0.113.2:" "hairpin from h1"
    assert_contains "$(echo_ask "$SANDBOX_PREFIX-r3" tcp 203.0.113.2 8765)" \
        "203.0.113.2:" "hairpin from h3"

    # fip: r3 is 203.0.113.10 both ways.
    vnet_ctl --wait nat-add rt1 fip 203.0.113.10 r3
    assert_contains "$(echo_ask "$SANDBOX_PREFIX-r3" tcp 198.51.100.10 7000)" \
        "203.0.113.10:" "fip outbound"
    assert_contains "$(echo_ask "$out" tcp 203.0.113.10 9876)" "203.0.113.1:" \
        "fip inbound"
    assert_contains "$(echo_ask "$SANDBOX_PREFIX-r1" tcp 203.0.113.10 9876)" \
        "203.0.113.10:" "hairpin to the fip"

    # What ovs-vnet-ctl says.
    assert_eq "$(vnet_ctl -f csv --no-headings nat-list rt1)" \
"rt1,dnat,203.0.113.2:tcp/8765,10.5.0.12:8765
rt1,dnat,203.0.113.2:udp/9876,10.5.0.13:9876
rt1,fip,203.0.113.10,10.5.0.13
rt1,snat,203.0.113.2,10.5.0.0/16" "nat-list"
    output_has '^    nat dnat 203.0.113.2:tcp/8765 -> 10.5.0.12:8765' vnet_ctl show \
        || fail "show lists no dnat rule"
    output_has '\[nat: router rt1 fip 203.0.113.10 -> 10.5.0.13\]' vnet_ctl flows h1 \
        || fail "flows do not name the fip rule"
    expect_error 'router rt1 already has that dnat rule' \
        "$OVS_VNET_CTL" nat-add rt1 dnat tcp 8765 10.5.0.11
    expect_error '10.9.0.1 is on none of router rt1' \
        "$OVS_VNET_CTL" nat-add rt1 fip 203.0.113.11 10.9.0.1

    # Removing a rule stops its traffic and leaves no flow behind.
    vnet_ctl --wait nat-del rt1 dnat tcp 8765
    [ -z "$(echo_ask "$out" tcp 203.0.113.2 8765)" ] || fail "dnat after nat-del"
    vnet_ctl --wait nat-del rt1 fip 203.0.113.10
    [ -z "$(echo_ask "$out" tcp 203.0.113.10 9876)" ] || fail "fip after nat-del"
    vnet_ctl --wait nat-del rt1 dnat udp 9876
    vnet_ctl --wait nat-del rt1 snat red
    assert_eq "$(nat_flows h1)" 0 "NAT flows left after nat-del"
    [ -z "$(echo_ask "$SANDBOX_PREFIX-r2" tcp 198.51.100.10 7000)" ] \
        || fail "snat after nat-del"
    vnet_ctl --wait router-uplink-del rt1
    assert_eq "$(sandbox_vsctl h1 --if-exists get Interface up0 name)" "" \
        "uplink port left on the bridge"
    ip -n "$(sandbox_netns h1)" link show up0 >/dev/null \
        || fail "the uplink interface itself was removed"

    assert_eq "$(firewall_rules $all_ns)" "$rules_before" \
        "iptables/nftables changed"
    [ -z "$(firewall_rules $all_ns | grep -v '^==')" ] \
        || fail "firewall rules exist in a sandbox namespace"
}

test_nat_cli_errors() {
    sandbox_nb_start
    vnet_ctl net-add red 10.5.0.0/16 >/dev/null
    vnet_ctl router-add rt1
    vnet_ctl router-attach rt1 red
    expect_error 'router rt1 has no uplink: give --external-ip' \
        "$OVS_VNET_CTL" nat-add rt1 snat red
    vnet_ctl nat-add rt1 snat red --external-ip=203.0.113.7
    expect_error 'needs a prefix length' "$OVS_VNET_CTL" router-uplink rt1 h1 \
        up0 --ip=203.0.113.2 --nexthop=203.0.113.1
    expect_error 'no switch named h9' "$OVS_VNET_CTL" router-uplink rt1 h9 \
        up0 --ip=203.0.113.2/24 --nexthop=203.0.113.1
    expect_error 'unknown NAT type "masq"' "$OVS_VNET_CTL" nat-add rt1 masq red
    expect_error 'external IP: ' "$OVS_VNET_CTL" nat-add rt1 fip 203.0.113 10.5.0.9
    expect_error 'router rt1 has no such fip rule' \
        "$OVS_VNET_CTL" nat-del rt1 fip 203.0.113.10
    vnet_ctl nat-del rt1 fip 203.0.113.10 --if-exists
    # A row written by another client is input too: an endpoint whose IP is
    # no IP (and longer than any IP) cannot be a NAT target.
    local net_uuid
    net_uuid=$(nb_uuid Network red)
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"insert","table":"Endpoint","row":{"name":"rogue","type":"external",
         "network":["uuid","'"$net_uuid"'"],
         "ip":"'"$(printf '1%.0s' {1..200})"'"}}]' >/dev/null
    expect_error 'endpoint rogue: its IP: ' "$OVS_VNET_CTL" nat-add rt1 fip 203.0.113.10 rogue
    expect_error 'endpoint rogue: its IP: ' "$OVS_VNET_CTL" nat-add rt1 dnat tcp 80 rogue:8080
    assert_eq "$(vnet_ctl -f csv --no-headings nat-list)" \
        "rt1,snat,203.0.113.7,10.5.0.0/16" "nat-list"
    vnet_ctl router-del rt1
    assert_eq "$(ovsdb-client --timeout=10 query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"NAT","where":[]}]')" \
        '[{"rows":[]}]' "NAT rows outlive their router"
}

# Two routers whose networks have the same CIDR, both with their uplinks on
# h1 (one connection tracker): the same source address and port go out as
# two connections, each through its own router's zone and address.
test_nat_zones_keep_overlapping_networks_apart() {
    hosts_world vxlan h1 h2
    outside_world h1
    outside_link h1 up1 out1 192.0.2.1/24
    vnet_ctl net-add red 10.5.0.0/16 >/dev/null
    vnet_ctl net-add red2 10.5.0.0/16 >/dev/null
    attach_ep red a h1 10.5.0.11
    attach_ep red2 b h2 10.5.0.11
    vnet_ctl router-add rt1
    vnet_ctl router-add rt2
    vnet_ctl router-attach rt1 red
    vnet_ctl router-attach rt2 red2
    vnet_ctl router-uplink rt1 h1 up0 --ip=203.0.113.2/24 --nexthop=203.0.113.1
    vnet_ctl router-uplink rt2 h1 up1 --ip=192.0.2.2/24 --nexthop=192.0.2.1
    vnet_ctl nat-add rt1 snat red
    vnet_ctl --wait nat-add rt2 snat red2
    echo_serve "$SANDBOX_PREFIX-out" 7000
    # b's first packet to h1's tunnel would be lost while OVS resolves h1.
    reaches b 192.0.2.1 || fail "b: ping through rt2"
    reaches a 203.0.113.1 || fail "a: ping through rt1"
    assert_eq "$(echo_ask "$SANDBOX_PREFIX-a" udp 198.51.100.10 7000 40000)" \
        "203.0.113.2:40000" "a through rt1"
    assert_eq "$(echo_ask "$SANDBOX_PREFIX-b" udp 198.51.100.10 7000 40000)" \
        "192.0.2.2:40000" "b, the same address and port, through rt2"
    output_has 'zone=2' sandbox_appctl h1 dpctl/dump-conntrack || fail "rt1's zone"
    output_has 'zone=4' sandbox_appctl h1 dpctl/dump-conntrack || fail "rt2's zone"

    # An uplink that does not exist is shown with the switch's error.
    ALLOWED_LOG_ERRORS='nope0'
    vnet_ctl router-add rt3
    vnet_ctl router-uplink rt3 h1 nope0 --ip=198.18.0.2/24 --nexthop=198.18.0.1
    wait_until 10 output_has '^        error: .*nope0' vnet_ctl show \
        || fail "no error shown for a missing uplink: $(vnet_ctl show | grep -A3 'router rt3')"
}
