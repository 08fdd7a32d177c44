# Integration tests: faults a real host sees, injected one at a time.  After
# each, what the NB calls for comes back by itself, nothing is left behind,
# and the controller is the same process.  (Also elsewhere: a switch's
# ovsdb-server and ovs-vswitchd restarted, 10-foundation; the underlay bridge
# deleted and the relay killed, 30-multihost; the controller killed once
# under a ping, 30-multihost.)

# One switch sw1, network net1, endpoints ep1 and ep2 on it.
fault_lan() {
    sandbox_nb_start
    sandbox_vnetd_start
    sandbox_switch_start sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    vnet_ctl --wait attach net1 ep1 --switch=sw1 --ip=10.5.0.11 \
        --netns="$SANDBOX_PREFIX-ep1" >/dev/null
    vnet_ctl --wait attach net1 ep2 --switch=sw1 --ip=10.5.0.12 \
        --netns="$SANDBOX_PREFIX-ep2" >/dev/null
    reaches ep1 10.5.0.12 || fail "ep1 -> ep2 before"
}

# What ovs-vswitchd says of a port whose device was deleted under it.
DEVICE_GONE='(error receiving Ethernet packet on|error receiving data from|ethtool command [A-Z_]+ on network device|could not open network device) vnet[0-9a-f]{8}'

vnetd_pid() {
    cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid"
}

test_nb_restart_in_the_middle_of_a_change() {
    fault_lan
    local pid; pid=$(vnetd_pid)
    # A change goes in, and the NB goes away before the switch has it.
    vnet_ctl attach net1 ep3 --switch=sw1 --ip=10.5.0.13 \
        --netns="$SANDBOX_PREFIX-ep3" >/dev/null
    sandbox_nb_stop
    sleep 1
    sandbox_nb_start
    vnet_ctl --wait sync
    wait_until 10 reaches ep3 10.5.0.11
    reaches ep1 10.5.0.12 || fail "ep1 -> ep2 after the NB restart"
    # And with the NB down, the switch keeps forwarding.
    sandbox_nb_stop
    reaches ep1 10.5.0.13 || fail "ep1 -> ep3 with the NB down"
    sandbox_nb_start
    vnet_ctl --wait sync
    assert_eq "$(vnetd_pid)" "$pid" "ovs-vnetd pid"
}

test_endpoint_namespace_deleted_behind_our_back() {
    fault_lan
    ALLOWED_LOG_ERRORS=$DEVICE_GONE
    ip netns delete "$SANDBOX_PREFIX-ep2"
    # The endpoint is made again: namespace, veth, port, addresses.
    wait_until 15 reaches ep1 10.5.0.12
    reaches ep2 10.5.0.11 || fail "ep2 -> ep1 once made again"
    wait_until 10 output_has '^ep2 .*true' vnet_ctl ep-list
    # Its interface set down inside its namespace: the host end loses its
    # carrier, and that link notice has it repaired at once, not at its
    # turn of the periodic checks (every 30 s).
    in_ep ep2 ip link set eth0 down
    sleep 0.5
    wait_until 3 reaches ep1 10.5.0.12 || fail "ep2 not repaired within 3 s"
}

test_endpoint_port_deleted_behind_our_back() {
    fault_lan
    ALLOWED_LOG_ERRORS=$DEVICE_GONE
    local port
    port=$(sandbox_vsctl sw1 --bare --columns=name find Interface \
        external_ids:iface-id=ep2)
    [ -n "$port" ] || fail "no port for ep2"
    # Its port, then its veth: each comes back.
    sandbox_vsctl sw1 del-port br-vnet "$port"
    wait_until 15 reaches ep1 10.5.0.12
    ip -n "$(sandbox_netns sw1)" link delete "$port"
    wait_until 15 reaches ep1 10.5.0.12
    reaches ep2 10.5.0.11 || fail "ep2 -> ep1 once its port was back"
}

# ovs-vswitchd of a switch with an underlay restarts (an upgrade, a crash):
# traffic across hosts is back within 2 seconds of the new one being up.
test_vswitchd_restart_across_hosts() {
    two_hosts_lan vxlan
    ALLOWED_LOG_ERRORS='sw-h1.*(connection dropped|Connection reset|End of file)'
    local dir up back
    dir=$(sandbox_switch_dir h1)
    sandbox_switch_vswitchd_restart h1
    up=$EPOCHREALTIME
    until in_ep ep1 ping -c 1 -W 0.1 10.5.0.21 >/dev/null 2>&1; do
        awk -v a="$up" -v b="$EPOCHREALTIME" 'BEGIN { exit !(b - a > 20) }' \
            && fail "no traffic 20 s after ovs-vswitchd restarted"
    done
    back=$(awk -v a="$up" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2f", b - a }')
    echo "traffic back ${back}s after ovs-vswitchd was up"
    awk -v t="$back" 'BEGIN { exit !(t <= 2) }' \
        || fail "traffic back only ${back}s after ovs-vswitchd was up"
}

# ovs-vnetd killed twenty times in a row under a 10 ms ping across hosts:
# not an echo lost, not a flow replaced.
test_controller_kill9_twenty_times() {
    two_hosts_lan vxlan
    local start=$EPOCHREALTIME i
    ip netns exec "$SANDBOX_PREFIX-ep1" ping -i 0.01 10.5.0.21 \
        > "$SANDBOX_DIR/ping.out" 2>&1 &
    local pinger=$!
    sleep 0.5
    for i in $(seq 20); do
        sandbox_vnetd_kill
        sandbox_vnetd_start
        vnet_ctl --wait sync
    done
    sleep 3                     # Past the last one's first full check.
    kill -INT "$pinger"
    wait "$pinger" || true
    local lost
    lost=$(lost_echoes "$SANDBOX_DIR/ping.out")
    echo "lost $lost echoes over 20 restarts"
    case $lost in
        "0 of "*) ;;
        *) fail "lost $lost echoes" ;;
    esac
    local age h
    age=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { print b - a - 0.5 }')
    for h in h1 h2; do
        flows_older_than "$h" "$age" >/dev/null || {
            flows_older_than "$h" "$age" | head -5 || true
            # What each ovs-vnetd found and sent after checking a switch.
            grep -E 'installer|opened log file|taking over' \
                "$SANDBOX_DIR/vnetd/ovs-vnetd.log" | tail -80 || true
            # And what the switch says of its controller connections and
            # the flow_mods on each.
            grep -E 'connmgr|rconn' "$(sandbox_switch_dir "$h")/ovs-vswitchd.log" \
                | tail -60 || true
            fail "flows on $h replaced"
        }
    done
}

# ofport_of EP: the OpenFlow port of endpoint EP's interface on sw1.
ofport_of() {
    sandbox_vsctl sw1 --bare --columns=ofport find Interface \
        "external_ids:iface-id=$1"
}

# A restarted ovs-vnetd that has no time to look at every endpoint in its
# first run (here, one a run) leaves those it put off as they are: their
# ports stay (same OpenFlow ports, no flow sent again) and their traffic
# goes on; behind a trunk too (their flows stay).
test_restart_keeps_what_it_puts_off() {
    fault_lan
    local ep
    for ep in 3 4 5; do
        vnet_ctl --wait attach net1 "ep$ep" --switch=sw1 --ip="10.5.0.1$ep" \
            --netns="$SANDBOX_PREFIX-ep$ep" >/dev/null
    done
    for ep in 1 2 3; do
        vnet_ctl --wait attach net1 "t$ep" --switch=sw1 --type=trunk \
            --ip="10.5.0.7$ep" --netns="$SANDBOX_PREFIX-t$ep" >/dev/null \
            || fail "attach t$ep"
    done
    local before
    before=$(for ep in 1 2 3 4 5; do ofport_of "ep$ep"; done)
    sandbox_vnetd_kill
    sandbox_vnetd_start --attach-budget=0
    vnet_ctl --wait sync
    sleep 1
    local log=$SANDBOX_DIR/vnetd/ovs-vnetd.log
    ! awk '/opened log file/ {n++} n == 2' "$log" | grep -q 'removing port' \
        || fail "ports removed after the restart: $(grep 'removing port' "$log")"
    assert_eq "$(for ep in 1 2 3 4 5; do ofport_of "ep$ep"; done)" "$before" \
        "the endpoints' OpenFlow ports after the restart"
    assert_eq "$(sandbox_vnetd_appctl coverage/read-counter installer_flow_add)" 0 \
        "flows sent again after the restart"
    assert_eq "$(sandbox_vnetd_appctl coverage/read-counter installer_flow_del)" 0 \
        "flows deleted after the restart"
    assert_eq "$(vnet_ctl -f csv --no-headings ep-list | cut -d, -f8 | sort -u)" \
        true "every endpoint up"
    reaches ep5 10.5.0.11 || fail "ep5 -> ep1 after the restart"
    reaches t3 10.5.0.11 || fail "t3 -> ep1 after the restart"
}

# ovs-vnetd restarted while ovs-vswitchd is down (its database up): where
# the endpoints' devices are cannot be looked at, and nothing of the switch
# is taken away meanwhile; once ovs-vswitchd is back, the same ports carry
# the traffic.
test_restart_while_the_switch_daemon_is_down() {
    fault_lan
    local before dir log
    before=$(for ep in 1 2; do ofport_of "ep$ep"; done)
    dir=$(sandbox_switch_dir sw1)
    log=$SANDBOX_DIR/vnetd/ovs-vnetd.log
    sandbox_vnetd_kill
    sandbox_kill_pidfile "$dir/ovs-vswitchd.pid"
    sandbox_vnetd_start
    sleep 2
    ! awk '/opened log file/ {n++} n >= 2' "$log" | grep -q 'removing port' \
        || fail "ports removed while ovs-vswitchd was down: $(grep 'removing port' "$log")"
    sandbox_switch_vswitchd_start sw1
    vnet_ctl -t 30 --wait sync >/dev/null || fail "sync after ovs-vswitchd came back"
    ! awk '/opened log file/ {n++} n >= 2' "$log" | grep -q 'removing port' \
        || fail "ports removed after ovs-vswitchd came back"
    assert_eq "$(for ep in 1 2; do ofport_of "ep$ep"; done)" "$before" \
        "the endpoints' OpenFlow ports"
    wait_until 10 reaches ep1 10.5.0.12 || fail "ep1 -> ep2 after it all"
}

# A relay tap deleted under the switch: the relay is left reading a device
# that is gone.  Its port goes and comes back, so that the tap is made anew,
# and the relay starts again on it.
test_relay_tap_deleted_behind_our_back() {
    two_hosts_lan udp
    local ns tap relay_pid
    ns=$(sandbox_netns h1)
    tap=$(ip -n "$ns" -o link show | grep -o 'vnu[0-9a-f]\{8\}' | head -1)
    [ -n "$tap" ] || fail "no relay tap on h1"
    relay_pid=$(cat "$(sandbox_switch_dir h1)/ovs-vnet-udptun.h1.pid")
    # (On the kernel datapath the relay holds the tap and exits when it goes;
    # it makes the tap again when started again.)
    ALLOWED_LOG_ERRORS="$tap|UDP relay exit status 1; restarting it"
    ip -n "$ns" link del "$tap"
    wait_until 15 reaches ep1 10.5.0.21
    reaches ep2 10.5.0.11 || fail "ep2 -> ep1 after the tap came back"
    ip -n "$ns" link show "$tap" >/dev/null || fail "$tap not made again"
    [ "$(cat "$(sandbox_switch_dir h1)/ovs-vnet-udptun.h1.pid")" != "$relay_pid" ] \
        || fail "the relay was not started again"
}

# A Switch row deleted (with its endpoint) while no ovs-vnetd runs: the NB no
# longer says where that switch is, but the next ovs-vnetd finds it in its
# record of the switches it drove, and releases it: the bridge, the
# endpoint's namespace, the relay and the underlay bridge go, and the tunnel
# IP goes back to the underlay interface.  The other switch goes on.
test_switch_deleted_while_controller_down() {
    two_hosts_lan udp
    local relay_pid
    relay_pid=$(cat "$(sandbox_switch_dir h2)/ovs-vnet-udptun.h2.pid")
    output_has '"h2"' cat "$SANDBOX_DIR/ovs-vnetd.switches" \
        || fail "h2 not recorded"
    sandbox_vnetd_kill
    nb_transact '["OVS_VNET_Northbound",
        {"op":"delete","table":"Endpoint","where":[["name","==","ep2"]]},
        {"op":"delete","table":"Switch","where":[["name","==","h2"]]}]'
    sandbox_vnetd_start
    wait_until 20 h2_released
    wait_until 5 process_gone "$relay_pid"
    if [ "$SANDBOX_DATAPATH" = netdev ]; then
        output_has 'inet 192.168.50.2/24' ip -n "$(sandbox_netns h2)" addr show ul0 \
            || fail "h2's tunnel IP not given back to ul0"
        ! sandbox_vsctl h2 br-exists br-phy || fail "h2's br-phy left behind"
    fi
    # Its record goes once all of it is released: the relay's taps last,
    # once ovs-vswitchd has let go of them.
    wait_until 10 bash -c "! grep -q '\"h2\"' '$SANDBOX_DIR/ovs-vnetd.switches'" \
        || fail "h2 still recorded"
    output_has '"h1"' cat "$SANDBOX_DIR/ovs-vnetd.switches" \
        || fail "h1 no longer recorded"
    in_ep ep1 ip link show eth0 >/dev/null || fail "ep1 lost its interface"
    assert_eq "$(nb_get last_error h1)" '["set", []]' "h1's last_error"
}

# process_gone PID: no such process, or one that exited (a zombie whose
# parent is gone is reaped by whoever adopted it, maybe never).
process_gone() {
    [ ! -e "/proc/$1/stat" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

h2_released() {
    ! sandbox_vsctl h2 br-exists br-vnet \
        && ! ip netns list | grep -q "^$SANDBOX_PREFIX-ep2\b"
}
