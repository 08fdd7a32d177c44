# Integration tests: routers between networks, on one host and across hosts.

test_router_joins_networks() {
    hosts_world vxlan h1 h2
    vnet_ctl net-add red 10.5.0.0/16 >/dev/null
    vnet_ctl net-add blue 10.6.0.0/16 >/dev/null
    vnet_ctl net-add green 10.7.0.0/16 >/dev/null
    attach_ep red r1 h1 10.5.0.11
    attach_ep red r2 h2 10.5.0.12
    attach_ep blue b1 h1 10.6.0.11
    attach_ep blue b2 h2 10.6.0.12
    attach_ep green g1 h1 10.7.0.11
    vnet_ctl router-add rt1
    vnet_ctl router-attach rt1 red
    vnet_ctl router-attach rt1 blue
    vnet_ctl --wait sync
    assert_eq "$(vnet_ctl -f csv --no-headings router-list)" "rt1,blue red" "router-list"

    # Same host and across hosts, both ways.
    reaches r1 10.6.0.11 || fail "red -> blue, same host"
    reaches r1 10.6.0.12 || fail "red -> blue, across hosts"
    reaches b2 10.5.0.11 || fail "blue -> red, across hosts"
    reaches b2 10.5.0.12 || fail "blue -> red, same host"
    # The router decrements TTL (one hop) and rewrites MACs.
    output_has 'ttl=63' in_ep r1 ping -c 1 -W 2 10.6.0.12 || fail "TTL not decremented"
    assert_eq "$(in_ep r1 ip neigh show 10.5.0.1 | awk '{print $5}')" \
        "$(vnet_ctl -f json show | python3 -c 'import json,sys
print([n["gateway_mac"] for n in json.load(sys.stdin)["networks"] if n["name"]=="red"][0])')" \
        "red's gateway MAC"

    # A network that lives on one switch only, reached from the other one.
    vnet_ctl net-add violet 10.8.0.0/16 >/dev/null
    attach_ep violet v2 h2 10.8.0.12
    vnet_ctl --wait router-attach rt1 violet
    reaches r1 10.8.0.12 || fail "red on h1 -> violet, only on h2"
    reaches v2 10.5.0.11 || fail "violet -> red on h1"
    output_has '\[route: router rt1\]' vnet_ctl flows h1 || fail "route flows' owner"

    # A network on no common router stays unreachable, both ways.
    ! reaches r1 10.7.0.11 || fail "red reached green"
    ! reaches g1 10.5.0.11 || fail "green reached red"

    # Detached: no more routing.
    vnet_ctl --wait router-detach rt1 blue
    ! reaches r1 10.6.0.12 || fail "still routed after router-detach"
    expect_error 'overlaps network red' bash -c \
        "$OVS_VNET_CTL net-add red2 10.5.128.0/17 >/dev/null &&
         $OVS_VNET_CTL router-attach rt1 red2"
}
