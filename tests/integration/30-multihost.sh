# Integration tests: one virtual LAN across hosts.  Every host is a sandboxed
# switch in its own namespace, joined to the others by an underlay network (a
# bridge in a namespace of its own, 192.168.50.0/24); ovs-vnetd keeps the
# tunnels between them.

# ping_matrix EP:IP...: every endpoint reaches every other one.
ping_matrix() {
    local a b
    for a; do
        for b; do
            [ "$a" = "$b" ] && continue
            reaches "${a%%:*}" "${b#*:}" || fail "${a%%:*} cannot reach ${b#*:}"
        done
    done
}

three_hosts_one_lan() {  # TYPE
    hosts_world "$1" h1 h2 h3
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    attach_ep net1 ep3 h3 10.5.0.31
    vnet_ctl --wait sync
    if [ "$1" != udp ]; then
        # ovs-vnetd told OVS the peers' MACs: no first packet is lost.
        first_packet_arrives ep1 10.5.0.31 "the first packet from h1 to h3"
    fi
    ping_matrix ep1:10.5.0.11 ep2:10.5.0.21 ep3:10.5.0.31
    reaches ep3 10.5.0.1 || fail "gateway from ep3"

    # TCP across hosts.
    mkdir -p "$SANDBOX_DIR/iperf"
    in_ep ep3 iperf3 -s -1 -D -I "$SANDBOX_DIR/iperf/iperf3.pid" >/dev/null
    sleep 0.5
    local out
    out=$(in_ep ep1 timeout 30 iperf3 -c 10.5.0.31 -t 3 -f m) \
        || fail "iperf3 across hosts ($1): $out"
    echo "$out" | grep receiver
}

test_vxlan_three_hosts() {
    three_hosts_one_lan vxlan
    # One flow-based port per switch.
    assert_eq "$(sandbox_vsctl h1 get Interface vnet_vxlan type)" vxlan "port type"
    if [ "$SANDBOX_DATAPATH" = netdev ]; then
        # The userspace datapath sends from the underlay bridge's IP.
        output_has 'inet 192.168.50.1/24' ip -n "$(sandbox_netns h1)" addr show br-phy \
            || fail "tunnel IP not on br-phy"
        ! output_has 'inet ' ip -n "$(sandbox_netns h1)" addr show ul0 \
            || fail "tunnel IP still on ul0"
    else
        # The kernel routes tunnel packets itself: the IP stays where it was.
        output_has 'inet 192.168.50.1/24' ip -n "$(sandbox_netns h1)" addr show ul0 \
            || fail "tunnel IP moved off ul0"
        assert_eq "$(sandbox_vsctl h1 list-br)" br-vnet "bridges on the kernel datapath"
    fi
}

test_geneve_three_hosts() {
    three_hosts_one_lan geneve
    assert_eq "$(sandbox_vsctl h2 get Interface vnet_geneve type)" geneve "port type"
}

# slow_relays SECS: ovs-vnetd starts relays that take SECS to begin.
slow_relays() {
    local slow=$SANDBOX_DIR/slow-relay/ovs-vnet-udptun
    mkdir -p "${slow%/*}"
    printf '#!/bin/sh\nsleep %s\nexec %q "$@"\n' "$1" "$OVS_VNET_UDPTUN" > "$slow"
    chmod +x "$slow"
    export OVS_VNET_UDPTUN=$slow
}

test_udp_relay_three_hosts() {
    # "--wait sync" waits for the relays to carry traffic, however long they
    # take to start (three_hosts_one_lan pings right after it).
    slow_relays 1.5
    three_hosts_one_lan udp
    # One relay per switch, one tap per peer.
    assert_eq "$(sandbox_vsctl h1 list-ports br-vnet | grep -c '^vnu')" 2 "relay taps"

    # Kill the relay: the controller restarts it and traffic resumes.  Its
    # taps belong to the switch and stay; only the controller warns.
    ALLOWED_LOG_ERRORS='UDP relay .*restarting it'
    local pidfile pid
    pidfile=$(ls "$(sandbox_switch_dir h1)"/ovs-vnet-udptun.*.pid)
    pid=$(cat "$pidfile")
    kill -9 "$pid"
    wait_until 20 bash -c "[ -s $pidfile ] && [ \"\$(cat $pidfile)\" != $pid ]"
    wait_until 20 reaches ep1 10.5.0.21
    reaches ep2 10.5.0.11 || fail "back from ep2 after the relay restart"

    if [ "$SANDBOX_DATAPATH" = system ]; then
        # The relay's taps are persistent there: one that a controller killed
        # half-way left behind is found and deleted; the wanted ones stay.
        ip -n "$(sandbox_netns h1)" tuntap add dev vnudeadbeef mode tap
        sandbox_vnetd_kill
        sandbox_vnetd_start
        wait_until 10 relay_taps_are h1 2
        reaches ep1 10.5.0.21 || fail "h1 -> h2 after the controller's restart"
    fi

    # h3 goes: its taps go, and so do the others' taps towards it.
    vnet_ctl --wait disconnect h3 --force
    assert_eq "$(relay_taps h3)" 0 "relay taps left on h3"
    wait_until 10 relay_taps_are h1 1
    assert_eq "$(sandbox_vsctl h1 list-ports br-vnet | grep -c '^vnu')" 1 "relay ports on h1"
    reaches ep1 10.5.0.21 || fail "h1 -> h2 after h3 left"
}

# relay_taps HOST: how many relay taps HOST's namespace has.
relay_taps() {
    local links
    links=$(ip -n "$(sandbox_netns "$1")" -o link show) || fail "no namespace for $1"
    printf '%s\n' "$links" | grep -c ' vnu[0-9a-f]\{8\}:' || true
}

relay_taps_are() {  # HOST N
    [ "$(relay_taps "$1")" = "$2" ]
}

test_relay_of_a_released_switch_is_reaped() {
    # A switch released while its relay has not exited yet (here it is
    # stopped and cannot): the relay is killed after 2 s and reaped, not
    # left running, nor a zombie once it exits.
    ALLOWED_LOG_ERRORS='UDP relay \(pid [0-9]+\) of a switch gone still running; killing it'
    three_hosts_one_lan udp
    local vnetd rp
    vnetd=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
    rp=$(cat "$(sandbox_switch_dir h3)"/ovs-vnet-udptun.*.pid)
    kill -STOP "$rp"
    vnet_ctl --wait --timeout=20 disconnect h3 --force >/dev/null \
        || fail "disconnect h3"
    wait_until 10 eval '! ps -o stat= -p "$rp" >/dev/null' \
        || fail "h3's relay left: $(ps -o pid,stat,comm --ppid "$vnetd")"
    reaches ep1 10.5.0.21 || fail "ep1 -> ep2 after h3 went"
}

test_relay_refuses_forged_datagrams() {
    two_hosts_lan udp
    ALLOWED_LOG_ERRORS='datagram from 192\.168\.50\.2:7789: (unsupported version|authentication failed)|was received before|UDP relay .*restarting it'

    local key vid seq
    key=$(nb_relay_key)
    [ ${#key} = 64 ] || fail "relay key: '$key'"
    vid=$(net_segment net1)
    seq=$(date +%s%N)

    # Claiming h2's address is not enough: the old format, a wrong key.  A
    # sealed one sent after them shows that they would have gone through:
    # what ep1 learns from it, it would have learned from them first.
    forge_relay h2 v1 0 "$vid" 10.5.0.97
    forge_relay h2 not-the-deployment-key-at-all "$seq" "$vid" 10.5.0.98
    forge_relay h2 "$key" "$seq" "$vid" 10.5.0.99
    wait_until 10 knows_neighbor ep1 10.5.0.99
    ! knows_neighbor ep1 10.5.0.97 || fail "a datagram without a tag went through"
    ! knows_neighbor ep1 10.5.0.98 || fail "a datagram with a wrong key went through"

    # The same datagram again is a replay.
    in_ep ep1 ip neigh flush dev eth0
    forge_relay h2 "$key" "$seq" "$vid" 10.5.0.99
    forge_relay h2 "$key" "$((seq + 1))" "$vid" 10.5.0.96
    wait_until 10 knows_neighbor ep1 10.5.0.96
    ! knows_neighbor ep1 10.5.0.99 || fail "a replayed datagram went through"

    local relay_pid log
    relay_pid=$(cat "$(sandbox_switch_dir h1)"/ovs-vnet-udptun.h1.pid)
    log=$(sandbox_switch_dir h1)/ovs-vnet-udptun.h1.log
    kill -USR1 "$relay_pid"
    wait_until 10 grep -q 'counters (SIGUSR1)' "$log"
    output_has '1 bad version, 1 failed authentication' cat "$log" \
        || fail "relay counters: $(grep counters "$log")"
    output_has ' 1 failed authentication, 1 replayed' cat "$log" \
        || fail "relay counters: $(grep counters "$log")"

    # Those forged sequence numbers were above h2's own: its relay starts
    # over above them (as one does after a restart).
    kill "$(cat "$(sandbox_switch_dir h2)"/ovs-vnet-udptun.h2.pid)"
    wait_until 20 reaches ep2 10.5.0.11
    reaches ep1 10.5.0.21 || fail "ep1 -> ep2 after h2's relay restarted"
}

relay_stopped() {  # HOST: its relay does not run
    local pidfile
    pidfile=$(sandbox_switch_dir "$1")/ovs-vnet-udptun.$1.pid
    [ ! -s "$pidfile" ] || ! kill -0 "$(cat "$pidfile")" 2>/dev/null
}

no_relay_ports() {  # HOST: its bridge has no relay tap
    ! sandbox_vsctl "$1" list-ports br-vnet | grep -q '^vnu'
}

no_error() {  # SWITCH: its NB last_error is empty
    [ "$(nb_get last_error "$1")" = '["set", []]' ]
}

test_relay_without_key_says_why() {
    two_hosts_lan udp
    # Another client removes the key: no relay, and the switch says why.
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"mutate","table":"VNet_Global",
          "where":[],"mutations":[["options","delete",["set",["relay_key"]]]]}]' >/dev/null
    wait_until 10 output_has 'UDP relay: no key' nb_get last_error h1
    wait_until 10 relay_stopped h1
    wait_until 10 relay_stopped h2
    # (Their taps go with them; a key back at once would find them going.)
    wait_until 10 no_relay_ports h1
    wait_until 10 no_relay_ports h2
    ! reaches ep1 10.5.0.21 || fail "ep1 -> ep2 without a relay"
    # init makes one again.
    vnet_ctl init
    wait_until 20 reaches ep1 10.5.0.21
    wait_until 10 no_error h1
}

test_relay_peers_over_the_limit() {
    hosts_world udp h1
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    vnet_ctl --wait sync
    # Another client adds 257 switches behind the relay (on other machines:
    # this ovs-vnetd drives none of them), each with an endpoint of net1.
    ALLOWED_LOG_ERRORS='switch far[0-9]+: .* is not on this machine'
    local net ops
    net=$(nb_uuid Network net1)
    ops=$(python3 -c '
import json, sys
ops = ["OVS_VNET_Northbound"]
for i in range(257):
    ops.append({"op": "insert", "table": "Switch", "uuid-name": "s%d" % i,
                "row": {"name": "far%d" % i, "bridge": "br-vnet",
                        "remote": "tcp:198.51.100.%d:6640" % (i % 250 + 1),
                        "encap_ip": "10.99.%d.%d" % (i // 250, i % 250 + 1),
                        "encap_type": "udp", "datapath_type": "auto"}})
    ops.append({"op": "insert", "table": "Endpoint",
                "row": {"name": "farep%d" % i, "type": "netns",
                        "network": ["uuid", sys.argv[1]],
                        "switch": ["named-uuid", "s%d" % i],
                        "ip": "10.5.1.%d" % (i % 250 + 1) if i < 250
                              else "10.5.2.%d" % i}})
print(json.dumps(ops))' "$net")
    nb_transact "$ops"
    wait_until 15 output_has 'UDP relay: 257 peers, but a switch relays to at most 256' \
        nb_get last_error h1
    relay_stopped h1 || fail "a relay runs with 257 peers"
    ! grep -q 'udptun' "$SANDBOX_DIR/vnetd/ovs-vnetd.log" \
        || fail "a relay was started: $(grep udptun "$SANDBOX_DIR/vnetd/ovs-vnetd.log")"
    reaches ep1 10.5.0.1 || fail "ep1 -> its gateway"

    # They go: so does the error.
    ops=$(python3 -c '
import json
ops = ["OVS_VNET_Northbound"]
for i in range(257):
    ops.append({"op": "delete", "table": "Endpoint",
                "where": [["name", "==", "farep%d" % i]]})
    ops.append({"op": "delete", "table": "Switch",
                "where": [["name", "==", "far%d" % i]]})
print(json.dumps(ops))')
    nb_transact "$ops"
    wait_until 15 no_error h1
}

test_mixed_encapsulations() {
    hosts_world vxlan h1
    sandbox_switch_start h2
    sandbox_switch_underlay h2 192.168.50.2/24
    connect_host h2 geneve
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    vnet_ctl --wait sync
    ping_matrix ep1:10.5.0.11 ep2:10.5.0.21
}

test_networks_isolated_across_hosts() {
    hosts_world vxlan h1 h2
    vnet_ctl net-add red 10.5.0.0/16 >/dev/null
    vnet_ctl net-add blue 10.5.0.0/16 >/dev/null
    attach_ep red r1 h1 10.5.0.11
    attach_ep red r2 h2 10.5.0.12
    attach_ep blue b1 h1 10.5.0.13
    attach_ep blue b2 h2 10.5.0.11
    vnet_ctl --wait sync
    reaches r1 10.5.0.12 || fail "red across hosts"
    reaches b1 10.5.0.11 || fail "blue across hosts"
    assert_eq "$(in_ep b1 ip neigh show 10.5.0.11 | awk '{print $5}')" \
        "$(in_ep b2 cat /sys/class/net/eth0/address)" "blue's 10.5.0.11 is b2"
    local before; before=$(in_ep r2 cat /sys/class/net/eth0/statistics/rx_packets)
    ! reaches b1 10.5.0.12 || fail "blue reached red"
    in_ep b1 ping -c 2 -i 0.2 -W 1 -b 10.5.255.255 >/dev/null 2>&1 || true
    assert_eq "$(in_ep r2 cat /sys/class/net/eth0/statistics/rx_packets)" "$before" \
        "packets from blue reaching red across hosts"
}

# An ARP request for a switch's tunnel IP is answered once, by its underlay
# bridge: on the userspace datapath the kernel also takes in what arrives on
# the underlay interface, and answered from there too, with that device's MAC,
# which a peer's ovs-vswitchd could keep as where to send tunnel packets.
# (On the kernel datapath the underlay interface keeps the IP and answers.)
test_tunnel_ip_answered_by_the_bridge_alone() {
    hosts_world vxlan h1 h2
    vnet_ctl --wait sync
    local ns1 ns2 mac by
    ns1=$(sandbox_netns h1); ns2=$(sandbox_netns h2)
    if [ "$SANDBOX_DATAPATH" = netdev ]; then
        assert_eq "$(ip netns exec "$ns1" sysctl -n net.ipv4.conf.ul0.arp_ignore)" 1 \
            "h1's ul0 arp_ignore"
        mac=0e:76:c0:a8:32:01 by=br-phy
    else
        # No br-phy on the kernel datapath: the tunnel IP stays the
        # kernel's own, on the underlay interface, which answers alone.
        mac=$(ip -n "$ns1" -br link show ul0 | awk '{print $3}') by=ul0
    fi
    ip -n "$ns2" neigh flush all
    ip netns exec "$ns2" timeout 4 tcpdump -l -n -e -i ul0 'arp[6:2] == 2' \
        > "$SANDBOX_DIR/arp.out" 2>/dev/null &
    local dump=$!
    sleep 1
    ip netns exec "$ns2" ping -c 1 -W 1 192.168.50.1 >/dev/null \
        || fail "h2 cannot reach h1's tunnel IP"
    wait "$dump" || true
    local replies
    replies=$(grep -c 'is-at' "$SANDBOX_DIR/arp.out")
    assert_eq "$replies" 1 "ARP replies for 192.168.50.1 ($(cat "$SANDBOX_DIR/arp.out"))"
    output_has "is-at $mac" cat "$SANDBOX_DIR/arp.out" \
        || fail "not answered by h1's $by ($mac): $(cat "$SANDBOX_DIR/arp.out")"
}

test_switch_leaves_and_returns() {
    hosts_world vxlan h1 h2 h3
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    attach_ep net1 ep3 h3 10.5.0.31
    vnet_ctl --wait sync
    ping_matrix ep1:10.5.0.11 ep2:10.5.0.21 ep3:10.5.0.31

    # h3 goes: the others stop sending to it; traffic among them goes on.
    in_ep ep1 ping -i 0.1 -c 60 10.5.0.21 > "$SANDBOX_DIR/ping.out" 2>&1 &
    local pinger=$!
    vnet_ctl --wait disconnect h3 --force
    wait "$pinger" || true
    output_has ' 0% packet loss' cat "$SANDBOX_DIR/ping.out" \
        || fail "traffic h1-h2 disturbed: $(tail -2 "$SANDBOX_DIR/ping.out")"
    ! output_has '192.168.50.3' sandbox_ofctl h1 -O OpenFlow15 dump-flows br-vnet \
        || fail "h1 still sends to h3"
    ! output_has '192.168.50.3' sandbox_ofctl h2 -O OpenFlow15 dump-flows br-vnet \
        || fail "h2 still sends to h3"
    # Its tunnel IP went back to its underlay interface with the bridge,
    # which answers ARP for it again.
    output_has 'inet 192.168.50.3/24' ip -n "$(sandbox_netns h3)" addr show ul0 \
        || fail "h3's tunnel IP not given back to ul0"
    assert_eq "$(ip netns exec "$(sandbox_netns h3)" sysctl -n net.ipv4.conf.ul0.arp_ignore)" \
        0 "h3's ul0 arp_ignore"

    # And comes back without manual steps beyond registering it.
    connect_host h3 vxlan
    attach_ep net1 ep3 h3 10.5.0.31
    vnet_ctl --wait sync
    ping_matrix ep1:10.5.0.11 ep2:10.5.0.21 ep3:10.5.0.31
}

# host_with_controller HOST: HOST's switch, on the underlay, and an ovs-vnetd
# of its own that drives only HOST.
host_with_controller() {
    local h=$1
    sandbox_switch_start "$h"
    sandbox_switch_underlay "$h" "192.168.50.${h#h}/24"
    mkdir -p "$SANDBOX_DIR/vnetd-$h"
    "$OVS_VNETD" -vconsole:off --nb="$OVS_VNET_DB" --switch="$h" \
        --pidfile="$SANDBOX_DIR/vnetd-$h/ovs-vnetd.pid" \
        --log-file="$SANDBOX_DIR/vnetd-$h/ovs-vnetd.log" \
        --unixctl="$SANDBOX_DIR/vnetd-$h/ovs-vnetd.ctl" --detach --no-chdir
}

test_one_controller_per_host() {
    # As on real machines: one ovs-vnetd per host, all sharing one NB.
    sandbox_nb_start
    sandbox_underlay_start
    local h
    for h in h1 h2; do
        host_with_controller "$h"
        connect_host "$h" vxlan
    done
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    vnet_ctl --wait sync
    ping_matrix ep1:10.5.0.11 ep2:10.5.0.21

    # Each drives its own switch only, and reports only what is its own.
    output_has '^h1: connected' ovs-appctl -t "$SANDBOX_DIR/vnetd-h1/ovs-vnetd.ctl" switch/list \
        || fail "h1's controller"
    ! output_has '^h2' ovs-appctl -t "$SANDBOX_DIR/vnetd-h1/ovs-vnetd.ctl" switch/list \
        || fail "h1's controller drives h2"
    sleep 3    # Both have had time to overwrite each other, were they to.
    assert_eq "$(vnet_ctl -f csv --no-headings ep-list | cut -d, -f1,4,8 | tr '\n' ' ')" \
        "ep1,h1,true ep2,h2,true " "endpoint status from both controllers"
    assert_eq "$(vnet_ctl -f csv --no-headings switch-list | cut -d, -f1,5 | tr '\n' ' ')" \
        "h1,true h2,true " "switch status from both controllers"
    for h in h1 h2; do
        vnetd_idles 2 "$SANDBOX_DIR/vnetd-$h/ovs-vnetd.pid" \
            || fail "$h's ovs-vnetd busy while nothing changes"
    done
}

# The underlay bridge deleted behind ovs-vnetd's back (ovs-vsctl del-br):
# made again, with the tunnel IP back on it, and traffic across hosts flows
# again.
test_underlay_bridge_deleted() {
    two_hosts_lan vxlan
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # No br-phy: the kernel's IP.

    # The controller held still while the bridge goes: ovs-vswitchd removes
    # its device (and the IP with it) before the controller makes the bridge
    # again.  (Made again before ovs-vswitchd has seen it go, the bridge
    # keeps its device and the IP.)
    local pid before after
    pid=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
    before=$(sandbox_netns_exec h1 cat /sys/class/net/br-phy/ifindex)
    kill -STOP "$pid"
    sandbox_vsctl h1 del-br br-phy
    ! sandbox_netns_exec h1 ip link show dev br-phy >/dev/null 2>&1 \
        || { kill -CONT "$pid"; fail "br-phy's device outlived its bridge"; }
    kill -CONT "$pid"
    wait_until 15 grep -q 'tunnel IP restored on br-phy' "$SANDBOX_DIR/vnetd/ovs-vnetd.log"
    after=$(sandbox_netns_exec h1 cat /sys/class/net/br-phy/ifindex)
    [ "$before" != "$after" ] || fail "br-phy is the same device ($after)"
    # The new bridge knows the tunnel peers' MACs again.
    wait_until 5 output_has 192.168.50.2 sandbox_appctl h1 tnl/neigh/show
    output_has 'inet 192.168.50.1/24' sandbox_netns_exec h1 ip -o -4 addr show dev br-phy \
        || fail "no tunnel IP on br-phy"
    wait_until 10 reaches ep1 10.5.0.21
}

test_underlay_bridge_set_down() {
    two_hosts_lan vxlan
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # No br-phy: the kernel's IP.
    # Down behind our back (so ovs-vswitchd sometimes left it after setting
    # its MAC): the kernel drops the route to the peers through it; it is
    # brought up again, and the tunnel works again.
    sandbox_netns_exec h1 ip link set br-phy down
    wait_until 10 reaches ep1 10.5.0.21 \
        || fail "ep1 -> ep2 after br-phy was down: $(sandbox_netns_exec h1 ip -br link show br-phy)"
    output_has '192.168.50.0/24 dev br-phy' sandbox_netns_exec h1 ip -4 route \
        || fail "no route through br-phy: $(sandbox_netns_exec h1 ip -4 route)"
    grep -q 'br-phy was down; up again' "$SANDBOX_DIR/vnetd/ovs-vnetd.log" \
        || fail "ovs-vnetd did not say so"
}

# h1 alone with ep1 (VXLAN), in sync; then h2 and ep2 come (not waited for).
h1_alone() {
    hosts_world vxlan h1
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    vnet_ctl --wait sync
}
h2_joins() {
    sandbox_switch_start h2
    sandbox_switch_underlay h2 192.168.50.2/24
    connect_host h2 vxlan
    attach_ep net1 ep2 h2 10.5.0.21
}

# --wait waits until each switch's ovs-vswitchd knows its tunnel peers' MACs
# (on the userspace datapath, where ovs-vnetd tells them): until then a first
# packet to a new peer waits for ARP through the underlay, or is lost.
test_wait_covers_tunnel_peers_macs() {
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # The kernel ARPs itself.
    h1_alone

    # h1's ovs-vswitchd cannot be told anything while its control socket is
    # elsewhere; h2 comes meanwhile.
    local ctl
    ALLOWED_LOG_ERRORS="cannot tell ovs-vswitchd the tunnel peers' MACs|unixctl\\|WARN\\|failed to connect"
    ctl=$(ls "$(sandbox_switch_dir h1)"/ovs-vswitchd.*.ctl) || fail "no control socket"
    mv "$ctl" "$ctl.away"
    h2_joins
    if vnet_ctl --timeout=3 --wait sync 2>/dev/null; then
        mv "$ctl.away" "$ctl"
        fail "--wait returned before h1's ovs-vswitchd knew h2's MAC"
    fi
    ! output_has 192.168.50.2 ovs-appctl --timeout=10 -t "$ctl.away" tnl/neigh/show \
        || { mv "$ctl.away" "$ctl"; fail "h2's MAC known without ovs-vnetd"; }
    mv "$ctl.away" "$ctl"
    vnet_ctl --timeout=10 --wait sync
    output_has 192.168.50.2 sandbox_appctl h1 tnl/neigh/show \
        || fail "--wait returned and h1's ovs-vswitchd does not know h2's MAC"
    first_packet_arrives ep1 10.5.0.21 "the first packet from h1 to h2"
}

# --wait also waits until each switch's ovs-vswitchd has caught up with the
# tunnel IP (userspace datapath): it takes the tunnel packets sent to it, and
# routes to every peer out of the underlay bridge.  It learns both from the
# kernel, some time after the IP moved; until then what it would send to a
# peer is lost.
test_wait_covers_routes_to_tunnel_peers() {
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # The kernel routes itself.
    h1_alone

    # A route of h1's kernel that h1's ovs-vswitchd learns (it takes a route
    # only with a source IP for it): h2 through a gateway on a veth.
    ALLOWED_LOG_ERRORS="has not caught up with the tunnel IP"
    sandbox_netns_exec h1 ip link add aside0 type veth peer name aside1
    sandbox_netns_exec h1 ip addr add 198.51.100.1/24 dev aside0
    sandbox_netns_exec h1 ip link set aside0 up
    sandbox_netns_exec h1 ip link set aside1 up
    sandbox_netns_exec h1 ip route add 192.168.50.2/32 via 198.51.100.2 dev aside0
    wait_until 10 output_has 'dev aside0' sandbox_appctl h1 ovs/route/lookup 192.168.50.2
    h2_joins
    ! vnet_ctl --timeout=3 --wait sync 2>/dev/null \
        || fail "--wait returned while h1's ovs-vswitchd routed h2 elsewhere"
    sandbox_netns_exec h1 ip route del 192.168.50.2/32
    vnet_ctl --timeout=10 --wait sync
    first_packet_arrives ep1 10.5.0.21 "the first packet from h1 to h2"
}

# What a switch tells its ovs-vswitchd depends on its peers' status, which
# another ovs-vnetd writes and which moves no nb_cfg: whether a peer has an
# underlay bridge of ours (its datapath type), whose MAC to tell.  A switch is
# not in sync until it knows, and learns it when the status comes.
test_wait_covers_peers_datapath_types() {
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # The kernel ARPs itself.
    sandbox_nb_start
    sandbox_underlay_start
    host_with_controller h1
    connect_host h1 vxlan
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    vnet_ctl --wait sync

    # h2 and its endpoint in the NB before h2's own ovs-vnetd runs.
    connect_host h2 vxlan
    attach_ep net1 ep2 h2 10.5.0.21
    ! vnet_ctl --timeout=2 --wait sync 2>/dev/null \
        || fail "--wait returned before h2's controller ran"
    [ "$(nb_get applied_cfg h1)" -lt "$(nb_cfg)" ] \
        || fail "h1 in sync before it knew whether h2 has an underlay bridge"
    # From here no nb_cfg moves: what h1 hears of is h2's status, and it
    # acts on it at once (not at the next change of its own switch, which
    # comes within seconds on its own).
    host_with_controller h2
    wait_until 10 output_has datapath_type nb_get status h2
    wait_until 1.5 cfg_applied h1
    wait_until 10 cfg_applied h2
    output_has 192.168.50.2 sandbox_appctl h1 tnl/neigh/show \
        || fail "--wait returned and h1's ovs-vswitchd does not know h2's MAC"
    first_packet_arrives ep1 10.5.0.21 "the first packet from h1 to h2"
}

succeeds_within() {  # SECS CMD...: CMD succeeds within SECS seconds
    local end=$((SECONDS + $1)); shift
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < end)) || return 1
        sleep 0.1
    done
}

# One ovs-vnetd drives every switch here.  It talks to each switch's
# database, OpenFlow and, on netdev switches, asks ovs-vswitchd things
# through its control socket (the peers' MACs, whether it caught up with the
# tunnel IP).  A switch whose daemons are stopped with their sockets still
# there must hold up no other switch, and be in sync once it runs again.
test_stopped_switch_holds_up_no_other() {
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # Only netdev switches are asked.
    h1_alone
    local pids; pids=$(cat "$(sandbox_switch_dir h1)"/{ovs-vswitchd,ovsdb-server}.pid)
    ALLOWED_LOG_ERRORS="cannot tell ovs-vswitchd the tunnel peers' MACs|has not caught up with the tunnel IP|rconn.*(timeout|no response|connection dropped|Connection reset)|unixctl.*Broken pipe"
    kill -STOP $pids
    # h1's peers change: ovs-vnetd asks h1's ovs-vswitchd again, which does
    # not answer, nor does its database.
    h2_joins
    # (Nothing that fails may ask h1's daemons before they run again.)
    local held= list
    if ! ovs-appctl --timeout=3 -t "$SANDBOX_DIR/vnetd/ovs-vnetd.ctl" switch/list \
           >/dev/null 2>&1; then
        held="ovs-vnetd does not answer"
    elif ! succeeds_within 10 cfg_applied h2; then
        held="h2 not in sync"
    elif ! reaches ep2 10.5.0.1; then
        held="h2's endpoint does not reach its gateway"
    elif cfg_applied h1; then
        held="h1 in sync"
    else
        # What each switch waits for, as ovs-vnetd says it.
        list=$(sandbox_vnetd_appctl switch/list)
        echo "$list" >&2
        if ! grep -q '^h2: connected, openflow active, in sync$' <<<"$list"; then
            held="switch/list: h2 not in sync"
        elif ! grep -q '^h1: .*waiting for ' <<<"$list"; then
            held="switch/list: h1 waits for nothing"
        fi
    fi
    kill -CONT $pids
    [ -z "$held" ] || fail "while h1's daemons were stopped: $held"
    vnet_ctl --timeout=20 --wait sync
    output_has 192.168.50.2 sandbox_appctl h1 tnl/neigh/show \
        || fail "h1's ovs-vswitchd was never told h2's MAC"
    first_packet_arrives ep1 10.5.0.21 "the first packet from h1 to h2"
}

test_controller_kill9_under_ping() {
    two_hosts_lan vxlan

    # A ping every 10 ms across hosts, from before the kill until after the
    # restarted controller has checked every flow.
    ip netns exec "$SANDBOX_PREFIX-ep1" ping -i 0.01 10.5.0.21 \
        > "$SANDBOX_DIR/ping.out" 2>&1 &
    local pinger=$! killed monitors=()
    # What the endpoints' status says meanwhile: the NB's up, and the
    # vnet-installed marks in the switches' databases.
    ovsdb-client -f csv monitor "$OVS_VNET_DB" OVS_VNET_Northbound Endpoint \
        name,up > "$SANDBOX_DIR/up.mon" 2>&1 &
    monitors+=($!)
    for h in h1 h2; do
        ovsdb-client -f csv monitor "$(sandbox_switch_remote "$h")" Open_vSwitch \
            Interface name,external_ids > "$SANDBOX_DIR/ifaces-$h.mon" 2>&1 &
        monitors+=($!)
    done
    sleep 1
    sandbox_vnetd_kill
    killed=$EPOCHREALTIME
    sleep 1                     # The switches forward on their own.
    sandbox_vnetd_start
    vnet_ctl --wait sync
    sleep 3                     # Past the installer's first full check.
    kill -INT "$pinger"
    wait "$pinger" || true
    kill "${monitors[@]}"
    wait "${monitors[@]}" 2>/dev/null || true
    # Every echo up to the last one answered had its reply (the one in flight
    # when ping stopped does not count).
    local lost
    lost=$(lost_echoes "$SANDBOX_DIR/ping.out")
    case $lost in
        "0 of "*) ;;
        *) fail "lost $lost echoes" ;;
    esac
    [ "${lost#0 of }" -ge 300 ] || fail "only ${lost#0 of } echoes: $(tail -2 "$SANDBOX_DIR/ping.out")"

    # No churn: the new controller found every flow in place and sent none.
    local h c age
    age=$(awk -v a="$killed" -v b="$EPOCHREALTIME" 'BEGIN { print b - a }')
    for h in h1 h2; do
        flows_older_than "$h" "$age" \
            || fail "flows on $h replaced: $(flows_older_than "$h" "$age")"
    done
    for c in installer_bundle installer_flow_add installer_flow_del; do
        assert_eq "$(sandbox_vnetd_appctl coverage/read-counter $c)" 0 \
            "$c after the restart"
    done
    # Nor did it take the endpoints down and up again meanwhile.
    assert_eq "$(grep -cE ',initial,ep[12],true' "$SANDBOX_DIR/up.mon")" 2 \
        "both endpoints up when the monitor started"
    if grep -E ',(old|new|delete),' "$SANDBOX_DIR/up.mon"; then
        fail "an endpoint's up changed during the restart"
    fi
    for h in h1 h2; do
        grep -q 'initial.*vnet-installed' "$SANDBOX_DIR/ifaces-$h.mon" \
            || fail "no vnet-installed mark on $h: $(cat "$SANDBOX_DIR/ifaces-$h.mon")"
        if grep -E ',(old|new|delete),' "$SANDBOX_DIR/ifaces-$h.mon"; then
            fail "interfaces' external_ids on $h changed during the restart"
        fi
    done
}

# Another client moves ep2 to switch h2 (the command line has no such
# command).
move_ep2_to_h2() {
    nb_transact '["OVS_VNET_Northbound",{"op":"update","table":"Endpoint",
        "where":[["name","==","ep2"]],
        "row":{"switch":["uuid","'"$(nb_uuid Switch h2)"'"]}}]'
}

# Two hosts, ep2 on h1 reaching ep3 on h2, for an endpoint moved off a host
# that does not answer: the errors its switch logs are allowed.
ep2_on_h1_ep3_on_h2() {
    ALLOWED_LOG_ERRORS='has not let go of namespace|rconn.*(timeout|no response|connection dropped|Connection reset)|unixctl.*Broken pipe|netdev_linux\|WARN\|.*vnet[0-9a-f]{8}.*(No such device|Network is down)|dpif_netdev\|ERR\|error receiving data from vnet[0-9a-f]{8}'
    hosts_world vxlan h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep2 h1 10.5.0.12
    attach_ep net1 ep3 h2 10.5.0.31
    vnet_ctl --wait sync
    reaches ep2 10.5.0.31 || fail "ep2 -> ep3, before"
}

test_endpoint_moved_to_another_host() {
    # Another client moves an endpoint to another switch (Endpoint.switch;
    # the command line has no such command): it leaves the first switch and
    # is made on the second under the same namespace's name, and works
    # there, also once the first switch has removed what it had made.
    hosts_world vxlan h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h1 10.5.0.12
    attach_ep net1 ep3 h2 10.5.0.31
    vnet_ctl --wait sync
    reaches ep2 10.5.0.31 || fail "ep2 -> ep3, before"
    move_ep2_to_h2
    vnet_ctl --wait sync || fail "sync"
    [ -z "$(sandbox_vsctl h1 --bare --columns=name find Interface \
            external_ids:iface-id=ep2)" ] || fail "ep2's port still on h1"
    [ -n "$(sandbox_vsctl h2 --bare --columns=name find Interface \
            external_ids:iface-id=ep2)" ] || fail "no port of ep2 on h2"
    reaches ep2 10.5.0.31 || fail "ep2 -> ep3, both on h2"
    reaches ep2 10.5.0.11 || fail "ep2 on h2 -> ep1 on h1"
    # h2 did not make its veth beside h1's.
    ! grep -q 'removing stale eth0' "$SANDBOX_DIR/vnetd/ovs-vnetd.log" \
        || fail "$(grep 'removing stale eth0' "$SANDBOX_DIR/vnetd/ovs-vnetd.log")"
    sleep 2
    reaches ep2 10.5.0.11 || fail "ep2 -> ep1, 2 s later"
    assert_eq "$(nb_column Endpoint ep2 location)" h2 "ep2's location"
}

test_endpoint_moved_off_a_stopped_host() {
    # The first switch's daemons do not answer when the endpoint moves: it
    # is made on the second all the same (the first lets go of it when its
    # connection drops, or the second takes it after 10 s), and once the
    # first runs again, its cleanup leaves the namespace, the second's now.
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # (Time, in the guest.)
    ep2_on_h1_ep3_on_h2
    local pids; pids=$(cat "$(sandbox_switch_dir h1)"/{ovs-vswitchd,ovsdb-server}.pid)
    kill -STOP $pids
    move_ep2_to_h2
    local took=
    succeeds_within 20 reaches ep2 10.5.0.31 || took="ep2 never reached ep3 on h2"
    kill -CONT $pids
    [ -z "$took" ] || fail "$took"
    wait_until 15 eval '[ -z "$(sandbox_vsctl h1 --bare --columns=name find \
        Interface external_ids:iface-id=ep2)" ]'
    vnet_ctl --timeout=20 --wait sync
    sleep 2
    # Made on h1, then on h2 (unless h2 took it over), not again after h1
    # took it away (a third time).
    local made
    made=$(grep -c "created network namespace $SANDBOX_PREFIX-ep2\$" \
           "$SANDBOX_DIR/vnetd/ovs-vnetd.log")
    [ "$made" -le 2 ] || fail "ep2's namespace made $made times"
    reaches ep2 10.5.0.31 || fail "ep2 -> ep3 after h1 came back"
}

test_endpoint_taken_from_a_crashed_host() {
    # The first switch's ovs-vswitchd is gone (killed) when the endpoint
    # moves: its attacher cannot run and never lets go of the namespace; the
    # second switch takes it after 10 s. The first, back, removes its old
    # host end and leaves the namespace, which was made once.
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # (Time, in the guest.)
    ep2_on_h1_ep3_on_h2
    local dir host_end log=$SANDBOX_DIR/vnetd/ovs-vnetd.log
    dir=$(sandbox_switch_dir h1)
    host_end=$(sandbox_vsctl h1 --bare --columns=name find Interface \
        external_ids:iface-id=ep2)
    [ -n "$host_end" ] || fail "ep2 has no port on h1"
    kill -KILL "$(cat "$dir/ovs-vswitchd.pid")"
    wait_until 10 grep -q "switch h1: disconnected" "$log" \
        || fail "ovs-vnetd did not see h1 go"
    move_ep2_to_h2
    succeeds_within 25 reaches ep2 10.5.0.31 \
        || fail "ep2 never reached ep3 on h2"
    grep -q "endpoint ep2: switch h1 has not let go of namespace .*; switch h2 takes it" \
        "$log" || fail "h2 reached ep2 without taking its namespace over"
    rm -f "$dir"/ovs-vswitchd.*.ctl "$dir/ovs-vswitchd.pid"
    sandbox_switch_vswitchd_start h1
    wait_until 15 grep -q "endpoint ep2: removed $host_end; its namespace .* stays (switch h2 has it now)" \
        "$log" || fail "h1 did not remove ep2's old host end"
    vnet_ctl --timeout=20 --wait sync
    ! sandbox_netns_exec h1 ip link show "$host_end" >/dev/null 2>&1 \
        || fail "$host_end is still on h1"
    [ -z "$(sandbox_vsctl h1 --bare --columns=name find Interface \
        external_ids:iface-id=ep2)" ] || fail "ep2 still has a port on h1"
    local made
    made=$(grep -c "created network namespace $SANDBOX_PREFIX-ep2\$" "$log")
    [ "$made" = 1 ] || fail "ep2's namespace made $made times"
    reaches ep2 10.5.0.31 || fail "ep2 -> ep3 after h1 came back"
}
