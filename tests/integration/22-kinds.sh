# Integration tests: endpoint kinds besides a namespace with a veth: a tap
# device on the switch's host, that a VM (or any program) opens to read and
# write frames.  tests/lib/tap-guest.py stands in for the VM.

# Switch sw1, network net1, and a veth endpoint ep1 (10.5.0.11).
kinds_world() {
    sandbox_nb_start
    sandbox_vnetd_start
    sandbox_switch_start sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    vnet_ctl --wait attach net1 ep1 --switch=sw1 --ip=10.5.0.11 \
        --netns="$SANDBOX_PREFIX-ep1" >/dev/null
}

# tap_guest TAP IP MAC [OPTIONS...]: the stand-in for a VM, where the switch
# (and so the tap) is.
tap_guest() {
    sandbox_netns_exec sw1 python3 tests/lib/tap-guest.py "$@"
}

# tap_of EP: the name of its tap, as show gives it.
tap_of() {
    vnet_ctl show | sed -n "s/^    tap $1 .* device \([^ ]*\) .*/\1/p"
}

# tap_links: the endpoints' taps where the switch is (not the userspace
# datapath's own, ovs-netdev and the bridge's internal port).
tap_links() {
    sandbox_netns_exec sw1 ip -o link show type tun \
        | awk -F': ' '$2 ~ /^vnet/ {print $2}'
}

test_tap_endpoint() {
    kinds_world
    local out mac tap guest ifindex
    out=$(vnet_ctl --wait attach net1 vm1 --switch=sw1 --type=tap --ip=10.5.0.50) \
        || fail "attach --type=tap: $out"
    mac=${out#* }
    tap=$(tap_of vm1)
    [ -n "$tap" ] || fail "no tap device in show: $(vnet_ctl show)"
    assert_contains "$(vnet_ctl ep-list)" "tap"
    # A persistent tap on the switch's host, a port of the bridge, up.
    output_has 'tun type tap' sandbox_netns_exec sw1 ip -d link show "$tap" \
        || fail "$tap is not a tap: $(sandbox_netns_exec sw1 ip -d link show "$tap")"
    assert_contains "$(sandbox_vsctl sw1 list-ports br-vnet)" "$tap"

    # With the guest on it: the veth endpoint reaches it, and it reaches the
    # veth endpoint and the gateway.
    # (Not through the shell function: its $! would be a subshell's.)
    ip netns exec "$(sandbox_netns sw1)" python3 tests/lib/tap-guest.py \
        "$tap" 10.5.0.50 "$mac" --timeout 30 &
    guest=$!
    wait_until 10 reaches ep1 10.5.0.50 || fail "ep1 -> vm1"
    kill "$guest"
    wait "$guest" || true
    tap_guest "$tap" 10.5.0.50 "$mac" --ping 10.5.0.11 --timeout 5 >/dev/null \
        || fail "vm1 -> ep1"
    tap_guest "$tap" 10.5.0.50 "$mac" --ping 10.5.0.1 --timeout 5 >/dev/null \
        || fail "vm1 -> gateway"
    # Port security: frames with another source IP or MAC get nowhere.
    ! tap_guest "$tap" 10.5.0.50 "$mac" --ping 10.5.0.11 --src-ip 10.5.0.99 \
        --timeout 2 >/dev/null || fail "a spoofed IP from vm1 reached ep1"
    ! tap_guest "$tap" 10.5.0.50 "$mac" --ping 10.5.0.11 \
        --src-mac 0a:00:00:00:00:99 --timeout 2 >/dev/null \
        || fail "a spoofed MAC from vm1 reached ep1"
    assert_eq "$(vnet_ctl trace ep1 vm1 | sed -n 's/^verdict: //p')" \
        "delivered to endpoint vm1 on switch sw1" "trace ep1 vm1"
    assert_contains "$(vnet_ctl trace vm1 ep1 --src-ip=10.5.0.99 | grep '^verdict')" \
        "dropped by port security of endpoint vm1"

    # A controller restart adopts the tap: the same device, still working.
    ifindex=$(sandbox_netns_exec sw1 cat "/sys/class/net/$tap/ifindex")
    sandbox_vnetd_kill
    sandbox_vnetd_start
    vnet_ctl --wait sync
    assert_eq "$(sandbox_netns_exec sw1 cat "/sys/class/net/$tap/ifindex")" \
        "$ifindex" "the tap's ifindex after a restart"
    tap_guest "$tap" 10.5.0.50 "$mac" --ping 10.5.0.11 --timeout 5 >/dev/null \
        || fail "vm1 -> ep1 after a restart"

    # Owner and group, as "ip tuntap add ... user U group G" sets them.
    out=$(vnet_ctl --wait attach net1 vm2 --switch=sw1 --type=tap \
              --owner=nobody --group=nogroup) || fail "attach vm2: $out"
    local tap2
    tap2=$(tap_of vm2)
    assert_eq "$(sandbox_netns_exec sw1 cat "/sys/class/net/$tap2/owner")" \
        "$(id -u nobody)" "vm2's tap owner"
    assert_eq "$(sandbox_netns_exec sw1 cat "/sys/class/net/$tap2/group")" \
        "$(getent group nogroup | cut -d: -f3)" "vm2's tap group"
    # Detached while the controller is down: its tap goes when it is back.
    sandbox_vnetd_kill
    vnet_ctl detach vm2
    sandbox_vnetd_start
    vnet_ctl --wait sync
    wait_until 10 bash -c "! ip netns exec $(sandbox_netns sw1) ip link show $tap2 \
        >/dev/null 2>&1" || fail "vm2's tap $tap2 left after a restart"
    # detach removes exactly the tap.
    vnet_ctl --wait detach vm1
    wait_until 10 bash -c "! ip netns exec $(sandbox_netns sw1) ip -o link show type tun \
        | grep -q ': vnet'" || fail "taps left: $(tap_links)"
    local ports
    ports=$(sandbox_vsctl sw1 list-ports br-vnet)
    case $ports in *"$tap"*) fail "port $tap left: $ports" ;; esac
    reaches ep1 10.5.0.1 || fail "ep1 after the taps left"

    # An owner this host does not have: the endpoint says so, nothing made.
    vnet_ctl attach net1 vm3 --switch=sw1 --type=tap --owner=no-such-user-here >/dev/null
    wait_until 10 bash -c "OVS_VNET_DB=$OVS_VNET_DB $OVS_VNET_CTL show \
        | grep -q 'no user named no-such-user-here'" \
        || fail "vm3's error: $(vnet_ctl show | grep vm3)"
    assert_eq "$(tap_links)" "" "taps with vm3 refused"
    # (An endpoint in error keeps its switch from being in sync: no --wait
    # until it is gone.)
    vnet_ctl --wait detach vm3

    expect_error '--type=bridge: expected veth or tap' \
        vnet_ctl attach net1 x --switch=sw1 --type=bridge
    expect_error '--netns is for --type=veth: a tap endpoint has no namespace' \
        vnet_ctl attach net1 x --switch=sw1 --type=tap --netns=x
    expect_error '--owner and --group are for --type=tap' \
        vnet_ctl attach net1 x --switch=sw1 --owner=nobody
}
