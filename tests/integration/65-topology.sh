# Integration tests: ovs-vnet-ctl topology, the network drawn with its live
# state (Graphviz).

test_topology_picture() {
    hosts_world vxlan h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    vnet_ctl net-add net2 10.6.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net2 ep2 h2 10.6.0.21
    vnet_ctl router-add r1 >/dev/null
    vnet_ctl router-attach r1 net1 >/dev/null
    vnet_ctl router-attach r1 net2 >/dev/null
    vnet_ctl port-add net1 lp1 --ip=10.5.0.99 >/dev/null     # never plugged
    vnet_ctl --wait sync

    local dot node
    dot=$(vnet_ctl topology) || fail "topology"
    for node in switch:h1 switch:h2 net:net1 net:net2 ep:ep1 ep:ep2 ep:lp1 router:r1; do
        assert_contains "$dot" "\"$node\"" "$node in the picture"
    done
    assert_contains "$dot" '"switch:h1" -- "switch:h2" [style=dashed, color=gray40, label="vxlan"]' \
        "the tunnel between h1 and h2"
    assert_contains "$dot" '"router:r1" -- "net:net2"' "r1 on net2"
    # Live state: ep1 up with its port, lp1 drawn down.
    printf '%s\n' "$dot" | grep -F '"ep:ep1" [' | grep -q 'color=darkgreen' \
        || fail "ep1 not drawn up"
    printf '%s\n' "$dot" | grep -F '"ep:lp1" [' | grep -q 'color=red, style=dashed' \
        || fail "lp1 not drawn down"

    # Rendered by Graphviz: an SVG that parses, a PNG.
    vnet_ctl topology --format=svg > "$SANDBOX_DIR/net.svg" || fail "--format=svg"
    python3 -c 'import sys, xml.etree.ElementTree as E
root = E.parse(sys.argv[1]).getroot()
assert root.tag.endswith("svg"), root.tag
assert "ep1" in open(sys.argv[1]).read()' "$SANDBOX_DIR/net.svg" || fail "not an SVG"
    vnet_ctl topology --format=png > "$SANDBOX_DIR/net.png" || fail "--format=png"
    assert_eq "$(head -c 4 "$SANDBOX_DIR/net.png" | tail -c 3)" PNG "PNG signature"
    expect_error 'expected dot, svg, png or json' vnet_ctl topology --format=gif

    # JSON, the same either way it is asked for.
    local json
    json=$(vnet_ctl topology --format=json)
    assert_eq "$(vnet_ctl -f json topology)" "$json" "-f json and --format=json"
    printf '%s' "$json" | python3 -c 'import json, sys
t = json.load(sys.stdin)
kinds = sorted((n["kind"], n["name"]) for n in t["nodes"])
assert ("router", "r1") in kinds and ("switch", "h2") in kinds, kinds
assert {"kind": "tunnel", "from": "h1", "to": "h2"} in t["edges"], t["edges"]
ep1 = [n for n in t["nodes"] if n["name"] == "ep1"][0]
assert ep1["up"] and ep1["switch"] == "h1" and ep1["ip"] == "10.5.0.11", ep1' \
        || fail "JSON topology"

    # A switch that goes away is drawn disconnected.
    ALLOWED_LOG_ERRORS='h2|unix:.*sw-h2'
    sandbox_switch_stop h2
    wait_until 15 bash -c "[ \"\$(OVS_VNET_DB=$OVS_VNET_DB $OVS_VNET_CTL -f json topology \
        | python3 -c 'import json,sys; print([n for n in json.load(sys.stdin)[\"nodes\"] if n[\"name\"] == \"h2\"][0][\"connected\"])')\" = False ]"
    dot=$(vnet_ctl topology)
    printf '%s\n' "$dot" | grep -A1 -F 'subgraph "cluster_switch:h2"' | grep -q 'disconnected' \
        || fail "h2 not drawn disconnected"
}
