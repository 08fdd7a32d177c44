# Integration tests: ovs-vnet-ctl trace, a packet followed flow by flow
# through the switches (into the tunnel and out on the other host), with the
# NB object behind each flow and one verdict.  The world is router_world
# (tests/lib/check.sh): red (r1 on h1, r2 on h2) and blue (b2 on h2) on router
# rt1, whose uplink is on h1; green (g1 on h1) on no router.

# verdict_of FROM TO [OPTIONS...]: the trace's verdict line(s).
verdict_of() {
    vnet_ctl trace "$@" | sed -n 's/^verdict: //p'
}

test_trace_verdicts() {
    router_world
    vnet_ctl --wait nat-add rt1 dnat tcp 8080 r2 >/dev/null

    # Across hosts: both switches, the tunnel between them, the endpoint.
    local out
    out=$(vnet_ctl trace r1 r2) || fail "trace r1 r2: $out"
    assert_contains "$out" "switch h1"
    assert_contains "$out" "-> vxlan tunnel (key 1) to switch h2 at 192.168.50.2"
    assert_contains "$out" "switch h2"
    assert_contains "$out" "port-security: endpoint r1"
    assert_contains "$out" "table 30 (l2), priority 100"
    assert_eq "$(printf '%s\n' "$out" | sed -n 's/^verdict: //p')" \
        "delivered to endpoint r2 on switch h2" "r1 -> r2"
    # What the trace says, the network does.
    reaches r1 10.5.0.12 || fail "r1 -> r2"

    # Routed to another network on the other host.
    assert_eq "$(verdict_of r1 b2)" "delivered to endpoint b2 on switch h2" "r1 -> b2"
    # The gateway answers.
    assert_eq "$(verdict_of r2 gateway)" \
        "answered by the gateway of network red on switch h2" "r2 -> gateway"

    # A spoofed source: port security of the sender drops it, on its switch.
    out=$(verdict_of r1 r2 --src-ip=10.5.0.99)
    assert_contains "$out" "dropped by port security of endpoint r1"
    assert_contains "$out" "switch h1, table 0 (ingress): priority=90,in_port="
    out=$(verdict_of r1 r2 --src-mac=0a:00:00:00:00:99)
    assert_contains "$out" "dropped by port security of endpoint r1"

    # Between networks that no router joins.
    out=$(vnet_ctl trace g1 r1)
    assert_contains "$out" "note: networks green and red are isolated: no router joins them"
    assert_contains "$(printf '%s\n' "$out" | grep '^verdict')" "dropped: networks isolated"
    ! reaches g1 10.5.0.11 || fail "g1 reached r1"

    # Out to a server on the outside: snat on the uplink's switch.
    assert_eq "$(verdict_of r2 198.51.100.10)" \
        "sent out of uplink up0 of router rt1 on switch h1 after snat to 203.0.113.2" \
        "r2 -> outside"
    # blue has no NAT rule: out without it.
    assert_eq "$(verdict_of b2 198.51.100.10)" \
        "sent out of uplink up0 of router rt1 on switch h1 without NAT" "b2 -> outside"

    # In from the outside through the dnat rule, to r2 on the other host; a
    # port without a rule stays closed.
    assert_eq "$(verdict_of 198.51.100.10 203.0.113.2 --proto=tcp --dport=8080)" \
        "delivered to endpoint r2 on switch h2 after dnat to 10.5.0.12:8080" \
        "outside -> dnat"
    assert_contains "$(verdict_of 198.51.100.10 203.0.113.2 --proto=tcp --dport=8081)" \
        "dropped by NAT: no rule of router rt1 lets this connection in"

    # JSON: the same verdicts, and every hop with its table and object.
    vnet_ctl -f json trace r1 r2 | python3 -c 'import json, sys
t = json.load(sys.stdin)
v = t["verdicts"]
assert [x["verdict"] for x in v] == ["delivered"], v
assert v[0]["endpoint"] == "r2" and v[0]["switch"] == "h2", v
hops = [h for h in t["hops"] if "table" in h]
assert {h["switch"] for h in hops} == {"h1", "h2"}, hops
assert hops[0]["table_name"] == "ingress" and hops[0]["object"] == "endpoint r1", hops[0]
assert any("tunnel" in h.get("note", "") for h in t["hops"]), t["hops"]' \
        || fail "trace r1 r2 as JSON"
    vnet_ctl -f json trace r1 r2 --src-ip=10.5.0.99 | python3 -c 'import json, sys
t = json.load(sys.stdin)
v = t["verdicts"][0]
assert v["verdict"] == "dropped", v
assert "port security of endpoint r1" in v["text"], v
assert t["hops"][v["hop"]]["feature"] == "port-security", t["hops"]' \
        || fail "spoofed trace as JSON"
    vnet_ctl -f json trace 198.51.100.10 203.0.113.2 --proto=tcp --dport=8080 \
        | python3 -c 'import json, sys
v = json.load(sys.stdin)["verdicts"]
assert [(x["verdict"], x["endpoint"], x["dnat"]) for x in v] == [("delivered", "r2", "10.5.0.12:8080")], v' \
        || fail "dnat trace as JSON"

    expect_error 'nope: not an endpoint or an outside IPv4 address' vnet_ctl trace nope r1
    expect_error 'nope: not an endpoint, an IPv4 address or "gateway"' vnet_ctl trace r1 nope
    expect_error '203.0.113.77: no router has this outside address' \
        vnet_ctl trace 198.51.100.10 203.0.113.77
    expect_error '--dport=0: expected a number from 1 to 65535' \
        vnet_ctl trace r1 r2 --proto=tcp --dport=0
    expect_error '--proto=sctp: expected icmp, tcp or udp' vnet_ctl trace r1 r2 --proto=sctp
}

# Through the UDP relay: the segment travels as a VLAN tag, the peer's relay
# tap is named after our tunnel IP.
test_trace_through_relay() {
    hosts_world udp h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    vnet_ctl --wait sync
    reaches ep1 10.5.0.21 || fail "ep1 -> ep2"
    local out
    out=$(vnet_ctl trace ep1 ep2) || fail "trace: $out"
    assert_contains "$out" "-> udp relay tunnel (vlan 1) to switch h2 at 192.168.50.2"
    assert_eq "$(printf '%s\n' "$out" | sed -n 's/^verdict: //p')" \
        "delivered to endpoint ep2 on switch h2" "ep1 -> ep2 over the relay"
    assert_eq "$(verdict_of ep2 ep1 --proto=udp --dport=5353)" \
        "delivered to endpoint ep1 on switch h1" "ep2 -> ep1, udp"
}
