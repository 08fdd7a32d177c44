# Integration tests: the ovs-vnet-lab tool (README command 1).

test_lab_demo_and_down() {
    export OVS_VNET_LAB_DIR=$SANDBOX_DIR/lab OVS_VNET_LAB_PREFIX=${SANDBOX_PREFIX}lab
    local out
    out=$("$VNET_TOP/tools/ovs-vnet-lab" demo)
    assert_contains "$out" "switch host1 ("
    assert_contains "$out" "connected: true"
    assert_contains "$out" "openflow: active"
    ip netns list | grep -q "^${OVS_VNET_LAB_PREFIX}-host1" || fail "host namespace"
    "$VNET_TOP/tools/ovs-vnet-lab" status | grep -q "connected: true" || fail "status"

    # Running demo again replaces the lab instead of stacking a second one.
    "$VNET_TOP/tools/ovs-vnet-lab" demo >/dev/null
    assert_eq "$(ip netns list | grep -c "^${OVS_VNET_LAB_PREFIX}-")" 1 "one lab"

    local pids
    pids=$(cat "$OVS_VNET_LAB_DIR"/*/*.pid)
    "$VNET_TOP/tools/ovs-vnet-lab" down >/dev/null
    [ ! -e "$OVS_VNET_LAB_DIR" ] || fail "lab folder left behind"
    ! ip netns list | grep -q "^${OVS_VNET_LAB_PREFIX}-" || fail "namespace left behind"
    local pid
    for pid in $pids; do
        ! sandbox_pid_alive "$pid" || fail "process $pid left behind"
    done
    expect_error 'no lab is running' "$VNET_TOP/tools/ovs-vnet-lab" status
}
