# Integration tests: the ovs-vnet-lab tool (README command 1).

lab() {
    "$VNET_TOP/tools/ovs-vnet-lab" "$@"
}

lab_env_for_test() {
    export OVS_VNET_LAB_DIR=$SANDBOX_DIR/lab OVS_VNET_LAB_PREFIX=${SANDBOX_PREFIX}-lab
}

# Nothing of the lab is left: folder, namespaces, processes.
lab_gone() {  # PIDS...
    [ ! -e "$OVS_VNET_LAB_DIR" ] || fail "lab folder left behind"
    ! output_has "^${OVS_VNET_LAB_PREFIX}-" ip netns list || fail "namespace left behind"
    local pid
    for pid; do
        ! sandbox_pid_alive "$pid" || fail "process $pid left behind"
    done
    ! output_has "$OVS_VNET_LAB_DIR" ps -eo args || fail "process of the lab left"
}

test_lab_demo_and_down() {
    lab_env_for_test
    local out
    out=$(lab demo) || fail "demo failed: $out"
    assert_contains "$out" "switch host1 ("
    assert_contains "$out" "encap: vxlan 192.168.50.6 via ul0"
    # On the datapath of the run: the kernel's in the guest of tests/vm/.
    assert_contains "$out" "bridge: br-vnet, datapath $SANDBOX_DATAPATH"
    assert_contains "$out" "6 of 6 pairs reach each other"
    assert_contains "$out" "ep31: ok" "the way out from host2"
    assert_contains "$out" "outside got: hello from ep11" "the port forward"
    assert_contains "$(lab exec outside ping -c 2 -i 0.2 203.0.113.2)" \
        " 0% packet loss"
    output_has "^${OVS_VNET_LAB_PREFIX}-host2" ip netns list || fail "host namespace"
    output_has "connected: true" lab status || fail "status"
    assert_contains "$(lab exec ep11 ping -c 2 -i 0.2 10.5.0.31)" " 0% packet loss"
    expect_error 'no endpoint nope' lab exec nope true
    # Its picture, as the demo says.
    assert_contains "$out" "graph lab.svg"
    assert_eq "$(lab graph "$SANDBOX_DIR/lab.svg")" "$SANDBOX_DIR/lab.svg" "graph prints the file"
    python3 -c 'import sys, xml.etree.ElementTree as E
text = open(sys.argv[1]).read()
assert E.parse(sys.argv[1]).getroot().tag.endswith("svg")
for name in ("host1", "host2", "ep11", "ep31", "net1", "r1"):
    assert name in text, name' "$SANDBOX_DIR/lab.svg" || fail "the lab's picture"
    expect_error 'should end in' lab graph "$SANDBOX_DIR/lab.gif"

    # Running demo again replaces the lab instead of stacking a second one.
    out=$(lab demo) || fail "demo failed the second time: $out"
    assert_eq "$(ip netns list | grep -c "^${OVS_VNET_LAB_PREFIX}-host")" 2 "two hosts"

    local pids
    pids=$(cat "$OVS_VNET_LAB_DIR"/*/*.pid)
    lab down >/dev/null
    lab_gone $pids
    expect_error 'no lab is running' lab status
}

test_lab_file_with_relay() {
    lab_env_for_test
    cat > "$SANDBOX_DIR/relay.lab" <<'LAB'
# Three hosts, the third reached through the UDP relay; the NB a cluster;
# blue's endpoints behind its trunk on each host.
nb-cluster 3
host a 192.0.2.1/24
host b 192.0.2.2/24
host c 192.0.2.3/24 encap=udp
network red 10.7.0.0/24
network blue 10.7.0.0/24 endpoint-type=trunk
endpoint r1 red a 10.7.0.11
endpoint r3 red c 10.7.0.13
endpoint b2 blue b 10.7.0.12
endpoint b1 blue a 10.7.0.21
LAB
    lab up "$SANDBOX_DIR/relay.lab" >/dev/null
    # Every member of the NB cluster, for the tools.
    assert_contains "$(lab env)" "OVS_VNET_DB=unix:$OVS_VNET_LAB_DIR/nb1/nb.sock,unix:$OVS_VNET_LAB_DIR/nb2/nb.sock,unix:$OVS_VNET_LAB_DIR/nb3/nb.sock"
    output_has "connected: true" lab status || fail "status with a clustered NB"
    out=$(lab matrix) || true
    # red reaches itself across the relay; blue is another network.
    assert_eq "$(lab exec r1 ping -c 3 -i 0.2 -W 1 10.7.0.13 >/dev/null && echo ok)" ok "r1 -> r3"
    ! lab exec r1 ping -c 2 -i 0.2 -W 1 10.7.0.12 >/dev/null 2>&1 || fail "red reached blue"
    # blue's endpoints are of its kind, and reach each other between hosts.
    assert_eq "$(eval "$(lab env)"; ovs-vnet-ctl -f csv ep-list | awk -F, 'NR > 1 {print $1, $3}' \
                 | tr '\n' ' ')" \
        "b1 trunk b2 trunk r1 netns r3 netns " "kinds of the lab's endpoints"
    assert_eq "$(lab exec b1 ping -c 3 -i 0.2 -W 1 10.7.0.12 >/dev/null && echo ok)" ok "b1 -> b2"
    local pids; pids=$(cat "$OVS_VNET_LAB_DIR"/*/*.pid)
    lab down >/dev/null
    lab_gone $pids

    printf 'host a\n' > "$SANDBOX_DIR/bad.lab"
    expect_error 'bad.lab:1: expected: host NAME' lab up "$SANDBOX_DIR/bad.lab"
    printf 'router r1\n' > "$SANDBOX_DIR/bad.lab"
    expect_error 'expected: router NAME NETWORK' lab up "$SANDBOX_DIR/bad.lab"
    printf 'nb-cluster 0\n' > "$SANDBOX_DIR/bad.lab"
    expect_error 'expected: nb-cluster N' lab up "$SANDBOX_DIR/bad.lab"
    printf 'switch s1\n' > "$SANDBOX_DIR/bad.lab"
    expect_error 'unknown line "switch"' lab up "$SANDBOX_DIR/bad.lab"
}

test_lab_vlans_and_tap() {
    lab_env_for_test
    local out pids
    out=$(lab up "$VNET_TOP/tools/labs/vlans.lab") || fail "lab up: $out"
    assert_contains "$out" "physical networks: trunk on trunk"
    assert_contains "$out" "network office 10.100.0.0/24 (physical network trunk, VLAN 100"
    assert_contains "$out" "a tap for a VM"
    out=$(lab matrix) || fail "matrix: $out"
    assert_contains "$out" "10 of 10 pairs reach each other"
    # The LAN's hosts: VLAN 100's printer reaches the office endpoints on
    # both hosts, and not storage's, on VLAN 200.
    assert_contains "$(lab exec printer ping -c 2 -i 0.2 10.100.0.21)" " 0% packet loss"
    ! lab exec files ping -c 2 -i 0.2 -W 1 10.100.0.11 >/dev/null 2>&1 || fail "VLAN 200 reached VLAN 100"
    expect_error 'not one with a namespace' lab exec vm1 true
    output_has ': vnet[0-9a-f]{8}:' ip -n "${OVS_VNET_LAB_PREFIX}-host1" -o link show type tun \
        || fail "no tap endpoint on host1"
    pids=$(cat "$OVS_VNET_LAB_DIR"/*/*.pid)
    lab down >/dev/null
    lab_gone $pids

    printf 'lan\n' > "$SANDBOX_DIR/bad.lab"
    expect_error 'expected: lan PHYS HOST' lab up "$SANDBOX_DIR/bad.lab"
    printf 'lan-host h1 lan 10.0.0.1/24 vlan=x\n' > "$SANDBOX_DIR/bad.lab"
    expect_error 'expected: lan-host NAME PHYS' lab up "$SANDBOX_DIR/bad.lab"
    printf 'endpoint e n h 10.0.0.1 type=vm\n' > "$SANDBOX_DIR/bad.lab"
    expect_error 'expected: endpoint NAME NETWORK HOST IP \[type' lab up "$SANDBOX_DIR/bad.lab"
}
