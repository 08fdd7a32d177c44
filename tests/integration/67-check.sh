# Integration tests: ovs-vnet-ctl check, every pair of endpoints (and each
# one's gateway, and the outside) probed at once, against what the NB says
# should reach.  The world is router_world (tests/lib/check.sh).

test_check_matrix() {
    router_world
    local out
    out=$(vnet_ctl check --outside) || fail "check failed: $out"
    # r1 reaches r2 and b2 (routed), not g1 (isolated, as it should be);
    # red goes out through snat, blue has no NAT rule.
    assert_contains "$out" "from\\to"
    printf '%s\n' "$out" | grep -E '^r1 +ok +apart +- +ok +ok +ok *$' >/dev/null \
        || fail "r1's row: $(printf '%s\n' "$out" | grep '^r1 ')"
    printf '%s\n' "$out" | grep -E '^b2 +- +apart +ok +ok +ok +apart *$' >/dev/null \
        || fail "b2's row: $(printf '%s\n' "$out" | grep '^b2 ')"
    assert_contains "$out" "12 of 12 expected to reach do; 7 isolated as expected"

    # One network only, as JSON.
    vnet_ctl -f json check green | python3 -c 'import json, sys
probes = json.load(sys.stdin)
assert {(p["from"], p["to"]) for p in probes} == {("g1", "gateway")}, probes
assert all(p["ok"] and p["reached"] for p in probes), probes' || fail "check green as JSON"

    # Broken on purpose: the controller stopped, r2's port-security flows
    # deleted on h2.  check fails and names what no longer reaches.
    sandbox_vnetd_stop
    local ofport
    ofport=$(ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"Endpoint",
          "where":[["name","==","r2"]],"columns":["ofport"]}]' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rows"][0]["ofport"])')
    sandbox_ofctl h2 -O OpenFlow15 del-flows br-vnet "table=0,in_port=$ofport"
    out=$(vnet_ctl check red 2>"$SANDBOX_DIR/check.err") \
        && fail "check passed with r2's flows gone"
    output_has '3 of 4 probes did not go as expected' cat "$SANDBOX_DIR/check.err" \
        || fail "check's error: $(cat "$SANDBOX_DIR/check.err")"
    assert_contains "$out" "FAIL: r2 -> r1 (10.5.0.11) does not reach it"
    assert_contains "$out" "FAIL: r1 -> r2 (10.5.0.12) does not reach it
    request: delivered to endpoint r2 on switch h2
    reply: dropped at ingress: no flow for this port"
    # Each failure is explained by a trace, down to the flow that drops it.
    assert_contains "$out" "[switch h2, table 0 (ingress): priority=0 (pipeline)]"
    # Back: the controller repairs the switch, and all is well again.
    sandbox_vnetd_start
    vnet_ctl --wait sync
    wait_until 20 bash -c "OVS_VNET_DB=$OVS_VNET_DB $OVS_VNET_CTL check red >/dev/null 2>&1"
    expect_error 'no network named nope' vnet_ctl check nope
}
