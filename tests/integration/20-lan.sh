# Integration tests: virtual LANs on one switch (networks, endpoints in
# namespaces, port security, ARP responder, gateway, learning, flow
# installation).

# Starts the NB database, the controller and switch sw1, connected.
lan_world() {
    sandbox_nb_start
    sandbox_vnetd_start "$@"
    sandbox_switch_start sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
}

# attach NET EP IP: an endpoint in namespace "$SANDBOX_PREFIX-EP" on sw1.
attach() {
    vnet_ctl --wait attach "$1" "$2" --switch=sw1 --ip="$3" \
        --netns="$SANDBOX_PREFIX-$2" >/dev/null
}


# Network net1 on sw1 with endpoints ep1 (10.5.0.11) and ep2 (10.5.0.21).
two_endpoints_world() {
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11
    attach net1 ep2 10.5.0.21
}

pings() {  # EP IP
    in_ep "$1" ping -c 1 -W 2 "$2" >/dev/null 2>&1
}

rx_packets() {  # EP
    in_ep "$1" cat /sys/class/net/eth0/statistics/rx_packets
}

ep_mac() {  # EP
    in_ep "$1" cat /sys/class/net/eth0/address
}

# Our flows on sw1 (all tables), without counters.
our_flows() {
    sandbox_ofctl sw1 -O OpenFlow15 --no-stats dump-flows br-vnet \
        | grep -v 'reply' || true
}

# The flows on sw1 that ovs-vnetd put there (not learned ones), sorted.
flows_now() {
    our_flows | grep 'cookie=0x76' | grep -v 'cookie=0x7606' \
        | sed 's/duration=[^,]*, //' | sort
}

flows_are() {  # EXPECTED
    [ "$(flows_now)" = "$1" ]
}

test_three_endpoints_reach_each_other() {
    two_endpoints_world
    local bundles
    bundles=$(sandbox_vnetd_appctl coverage/read-counter installer_bundle)
    attach net1 ep3 10.5.0.31
    # Its flows, the ARP answers for its address with them, go to the switch
    # in one change of its flow table (each change makes ovs-vswitchd
    # revalidate every datapath flow).
    assert_eq "$(( $(sandbox_vnetd_appctl coverage/read-counter installer_bundle) - bundles ))" \
        1 "bundles for one attach"

    # The namespace, as the recipe builds it by hand.
    output_has 'inet 10.5.0.11/16' in_ep ep1 ip -o addr show dev eth0 \
        || fail "ep1 address"
    output_has 'default via 10.5.0.1 dev eth0' in_ep ep1 ip route \
        || fail "ep1 default route"
    # Offloads: off where the userspace datapath takes the packets (it does
    # not finish partial checksums), on for the kernel datapath.
    local csum=off
    [ "$SANDBOX_DATAPATH" = system ] && csum=on
    output_has "tx-checksumming: $csum" in_ep ep1 ethtool -k eth0 \
        || fail "TX checksum offload must be $csum"
    assert_eq "$(in_ep ep1 cat /sys/class/net/eth0/mtu)" 1450 "MTU (room for any encapsulation)"

    local a b
    for a in ep1 ep2 ep3; do
        for b in 10.5.0.11 10.5.0.21 10.5.0.31 10.5.0.1; do
            pings "$a" "$b" || fail "$a cannot ping $b"
        done
    done

    # TCP: nc, and iperf3 for a few seconds.
    in_ep ep2 timeout 10 nc -l 5000 > "$SANDBOX_DIR/nc.out" &
    local nc_pid=$!
    sleep 0.5
    echo "hello over ovs-vnet" | in_ep ep1 timeout 5 nc -N 10.5.0.21 5000
    wait "$nc_pid" || true
    assert_eq "$(cat "$SANDBOX_DIR/nc.out")" "hello over ovs-vnet" "nc"

    mkdir -p "$SANDBOX_DIR/iperf"
    in_ep ep3 iperf3 -s -1 -D -I "$SANDBOX_DIR/iperf/iperf3.pid" >/dev/null
    sleep 0.5
    local out
    out=$(in_ep ep1 timeout 20 iperf3 -c 10.5.0.31 -t 3 -f m) \
        || fail "iperf3 failed: $out"
    echo "$out" | grep -E 'receiver' | tail -1

    # Status in the NB and in the switch database.
    assert_eq "$(vnet_ctl -f csv --no-headings ep-list | cut -d, -f1,8 | tr '\n' ' ')" \
        "ep1,true ep2,true ep3,true " "endpoints up"
    # An endpoint up stays up while the next ones are attached.
    assert_eq "$(grep -c 'endpoint ep[12]: down' "$SANDBOX_DIR/vnetd/ovs-vnetd.log")" \
        0 "endpoints went down while others were attached"
    local ifname
    ifname=$(sandbox_vsctl sw1 --bare --columns=name find Interface \
             external_ids:iface-id=ep1)
    assert_eq "$(sandbox_vsctl sw1 get Interface "$ifname" external_ids:vnet-installed)" \
        '"true"' "vnet-installed"
    assert_eq "$(sandbox_vsctl sw1 get Interface "$ifname" external_ids:attached-mac)" \
        "\"$(ep_mac ep1)\"" "attached-mac"
    # The host end in the switch's namespace: promiscuous from the start, and
    # without IPv6 (no address, no route of its own there, whose coming and
    # going would make ovs-vswitchd read every route again).
    local swns; swns=$(sandbox_netns sw1)
    output_has PROMISC ip -n "$swns" link show "$ifname" || fail "host end not promiscuous"
    assert_eq "$(ip netns exec "$swns" cat "/proc/sys/net/ipv6/conf/$ifname/disable_ipv6")" \
        1 "IPv6 on the host end"
    ! output_has "dev $ifname" ip -n "$swns" -6 route show table all \
        || fail "IPv6 routes for the host end"
    # No IPv6 address on the namespace end either: the switch drops IPv6 from
    # an endpoint with addresses, and what the kernel sends for a link-local
    # address (router solicitations...) would cost the switch a pass over all
    # its ports each.
    output_has "addrgenmode none" in_ep ep1 ip -d link show dev eth0 \
        || fail "IPv6 addresses generated on the namespace end"
    assert_eq "$(in_ep ep1 ip -6 addr show dev eth0)" "" "IPv6 addresses on the namespace end"
    # No NORMAL anywhere, and nothing goes to the controller but what table
    # 0's default flow sends: packets of ports without flows (held).
    ! output_has NORMAL our_flows || fail "NORMAL used"
    assert_eq "$(our_flows | grep CONTROLLER | sed 's/cookie=[^ ]* //')" \
        " priority=0 actions=CONTROLLER:65535" "flows to the controller (table 0)"

    # Each flow names the NB object behind it.
    local flows; flows=$(vnet_ctl flows sw1)
    assert_contains "$flows" "[port-security: endpoint ep1]"
    assert_contains "$flows" "[gateway: network net1]"
    assert_contains "$flows" "[l2: endpoint ep3]"
    assert_contains "$flows" "[pipeline]"
    assert_eq "$(vnet_ctl -f json flows sw1 | python3 -c 'import json,sys
d=json.load(sys.stdin); h=d["headings"]
print(sorted({r[h.index("feature")] for r in d["data"]}))')" \
        "['arp', 'flood', 'gateway', 'l2', 'pipeline', 'port-security']" \
        "flows -f json names every feature"
}

test_same_cidr_networks_isolated() {
    lan_world
    vnet_ctl net-add red 10.5.0.0/16 >/dev/null
    vnet_ctl net-add blue 10.5.0.0/16 >/dev/null
    attach red r1 10.5.0.11
    attach red r2 10.5.0.12
    attach blue b1 10.5.0.13
    attach blue b2 10.5.0.11        # Same IP as r1, other network.

    pings r1 10.5.0.12 || fail "red inside"
    pings b1 10.5.0.11 || fail "blue inside (to b2)"
    # b1 reaching 10.5.0.11 must have reached b2, not r1.
    assert_eq "$(in_ep b1 ip neigh show 10.5.0.11 | awk '{print $5}')" \
        "$(ep_mac b2)" "b1 resolved 10.5.0.11 to b2"

    local before after
    before=$(rx_packets r1)
    ! pings b1 10.5.0.12 || fail "blue reached red's 10.5.0.12"
    in_ep b1 ping -c 2 -i 0.2 -W 1 -b 10.5.255.255 >/dev/null 2>&1 || true
    python3 "$VNET_TOP/tests/lib/rawframe.py" "$SANDBOX_PREFIX-b1" arp \
        "$(ep_mac b1)" "$(ep_mac b1)" 10.5.0.13 10.5.0.12 3 2>/dev/null \
        || in_ep b1 python3 "$VNET_TOP/tests/lib/rawframe.py" eth0 arp \
        "$(ep_mac b1)" "$(ep_mac b1)" 10.5.0.13 10.5.0.12 3
    after=$(rx_packets r1)
    assert_eq "$after" "$before" "packets reaching red from blue"
}

test_spoofing_dropped() {
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 victim 10.5.0.11
    attach net1 bad 10.5.0.66
    pings bad 10.5.0.11 || fail "bad should reach victim honestly first"

    local vmac bmac before
    vmac=$(ep_mac victim)
    bmac=$(ep_mac bad)
    sleep 1
    before=$(rx_packets victim)

    # Foreign source MAC, foreign source IP, ARP claiming a foreign IP, and
    # ARP with a foreign sender MAC.
    in_ep bad python3 "$VNET_TOP/tests/lib/rawframe.py" eth0 ipv4 \
        0a:66:66:66:66:66 "$vmac" 10.5.0.66 10.5.0.11 5
    in_ep bad python3 "$VNET_TOP/tests/lib/rawframe.py" eth0 ipv4 \
        "$bmac" "$vmac" 10.5.0.99 10.5.0.11 5
    in_ep bad python3 "$VNET_TOP/tests/lib/rawframe.py" eth0 arp \
        "$bmac" "$bmac" 10.5.0.12 10.5.0.11 5
    in_ep bad python3 "$VNET_TOP/tests/lib/rawframe.py" eth0 arp \
        "$bmac" 0a:66:66:66:66:66 10.5.0.66 10.5.0.11 5
    sleep 0.5
    assert_eq "$(rx_packets victim)" "$before" "spoofed frames reaching victim"

    # The drops are visible per port in the switch.
    local port
    port=$(vnet_ctl -f csv --no-headings ep-list | awk -F, '$1=="bad" {print $7}')
    local drops
    drops=$(sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-vnet \
            "table=0,in_port=$port" | grep 'priority=90')
    [[ $drops != *"n_packets=0,"* ]] || fail "no drops counted on the bad port"

    # The honest frame still passes (same tool, real addresses).
    in_ep bad python3 "$VNET_TOP/tests/lib/rawframe.py" eth0 ipv4 \
        "$bmac" "$vmac" 10.5.0.66 10.5.0.11 1
    sleep 0.5
    [ "$(rx_packets victim)" -gt "$before" ] || fail "honest frame was dropped"
}

# vm_veth VM DEV IP: "a VM" as others plug one: namespace "$SANDBOX_PREFIX-VM"
# with eth0 (IP/16), whose veth peer DEV is up in sw1's namespace (not a port
# yet).
vm_veth() {
    local vm=$SANDBOX_PREFIX-$1 swns
    swns=$(sandbox_netns sw1)
    ip netns add "$vm"
    ip -n "$swns" link add "$2" type veth peer name eth0 netns "$vm"
    ip -n "$swns" link set "$2" up
    ip -n "$vm" addr add "$3/16" dev eth0
    ip -n "$vm" link set eth0 up
    ip -n "$vm" link set lo up
    ip netns exec "$vm" ethtool -K eth0 tx off >/dev/null
}

test_externally_plugged_port() {
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11
    vnet_ctl port-add net1 vm1 --ip=10.5.0.100 >/dev/null

    # Plugged by someone else, as Nova/os-vif would: a veth whose one end is
    # in "the VM" (a namespace we make), the other added to the bridge.
    local vm=$SANDBOX_PREFIX-vm1 swns
    swns=$(sandbox_netns sw1)
    vm_veth vm1 tapvm1 10.5.0.100
    sandbox_vsctl sw1 add-port br-vnet tapvm1 \
        -- set Interface tapvm1 external_ids:iface-id=vm1

    vnet_ctl --wait sync
    wait_until 10 bash -c "[ \"\$(OVS_VNET_DB=$OVS_VNET_DB $OVS_VNET_CTL -f csv \
        --no-headings ep-list | awk -F, '\$1==\"vm1\" {print \$8}')\" = true ]"
    # Marked once its flows are in (the switch transaction after the status).
    wait_until 5 bash -c "[ \"\$(ovs-vsctl --db=$(sandbox_switch_remote sw1) \
        get Interface tapvm1 external_ids:vnet-installed)\" = '\"true\"' ]"
    ip netns exec "$vm" ping -c 1 -W 2 10.5.0.11 >/dev/null || fail "vm1 -> ep1"
    pings ep1 10.5.0.100 || fail "ep1 -> vm1"
    # vm1's MAC was learned (it has no fixed MAC).
    output_has "dl_dst=$(ip netns exec "$vm" cat /sys/class/net/eth0/address)" \
        sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-vnet table=30 \
        || fail "vm1's MAC not learned"
    # Its IP is still enforced.
    ! ip netns exec "$vm" bash -c 'ip addr add 10.5.0.101/16 dev eth0 &&
        ping -c 1 -W 1 -I 10.5.0.101 10.5.0.11' >/dev/null 2>&1 \
        || fail "vm1 spoofed another IP"

    # We never touch its device or namespace: detach leaves them.
    vnet_ctl --wait detach vm1
    ip -n "$swns" link show tapvm1 >/dev/null || fail "external device removed"
    assert_eq "$(sandbox_vsctl sw1 get Interface tapvm1 external_ids:iface-id)" \
        'vm1' "external interface left as plugged"
    ! output_has vnet-installed sandbox_vsctl sw1 get Interface tapvm1 external_ids \
        || fail "vnet-installed left on an unbound interface"
    # Unplugged as a plugger does it: the port first, then the device.
    sandbox_vsctl sw1 del-port br-vnet tapvm1
    ip netns delete "$vm"
}

# The first packets of a port plugged before its flows are in are held and
# delivered once they are (the first ARP request no longer waits a second for
# the kernel's retry); the held ones of a port that gets no flows within 2 s
# are dropped, never delivered late.
test_first_packets_of_a_new_port_are_held() {
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11
    vnet_ctl port-add net1 vm1 --ip=10.5.0.100 >/dev/null
    vm_veth vm1 tapvm1 10.5.0.100

    # ovs-vnetd stopped while the port is added and the VM pings: its flows
    # come 0.5 s later, the held ARP request is answered then.
    local vnetd rtt
    vnetd=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
    kill -STOP "$vnetd"
    sandbox_vsctl sw1 add-port br-vnet tapvm1 \
        -- set Interface tapvm1 external_ids:iface-id=vm1 \
        || { kill -CONT "$vnetd"; fail "add-port"; }
    (sleep 0.5; kill -CONT "$vnetd") &
    rtt=$(in_ep vm1 ping -n -c 1 -W 5 10.5.0.11 | sed -n 's/.*time=\([0-9.]*\) ms.*/\1/p')
    wait
    [ -n "$rtt" ] || fail "vm1's first ping got no reply"
    awk -v t="$rtt" 'BEGIN { exit !(t >= 400 && t < 1000) }' \
        || fail "first ping took $rtt ms (expected 0.5-1 s: held, not retried)"

    # A port whose endpoint comes 3 s after its packets: none of them reach
    # ep1 late.
    vm_veth vm2 tapvm2 10.5.0.102
    in_ep ep1 timeout 20 tcpdump -i eth0 -nn -l \
        'icmp and src host 10.5.0.102 and dst host 10.5.255.255' \
        > "$SANDBOX_DIR/late.txt" 2>/dev/null &
    local dump=$!
    sandbox_vsctl sw1 add-port br-vnet tapvm2 \
        -- set Interface tapvm2 external_ids:iface-id=vm2
    in_ep vm2 ping -b -n -c 3 -i 0.2 -W 1 10.5.255.255 >/dev/null 2>&1 || true
    sleep 2.5
    vnet_ctl --wait port-add net1 vm2 --ip=10.5.0.102 >/dev/null
    wait_until 10 bash -c "[ \"\$(OVS_VNET_DB=$OVS_VNET_DB $OVS_VNET_CTL -f csv \
        --no-headings ep-list | awk -F, '\$1==\"vm2\" {print \$8}')\" = true ]"
    in_ep vm2 ping -n -c 1 -W 2 10.5.0.11 >/dev/null || fail "vm2 -> ep1"
    in_ep vm2 ping -b -n -c 1 -W 1 10.5.255.255 >/dev/null 2>&1 || true
    wait_until 5 grep -q 'echo request' "$SANDBOX_DIR/late.txt"
    kill "$dump"; wait "$dump" || true
    assert_eq "$(grep -c 'echo request' "$SANDBOX_DIR/late.txt")" 1 \
        "broadcasts from vm2 seen by ep1 (only the one sent once it was up)"
}

test_detach_and_net_del_leave_nothing() {
    lan_world
    local swns; swns=$(sandbox_netns sw1)
    local flows_before; flows_before=$(our_flows | wc -l)
    local links_before; links_before=$(ip -n "$swns" -o link | wc -l)
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11
    attach net1 ep2 10.5.0.21
    output_has "^$SANDBOX_PREFIX-ep1" ip netns list || fail "namespace created"
    local mac1; mac1=$(ep_mac ep1)
    # Its mount is shared: its removal reaches every mount namespace that
    # copied /run/netns since (as "ip netns exec" makes, a slave copy).
    local ep1_mount=/run/netns/$SANDBOX_PREFIX-ep1
    assert_eq "$(findmnt -n -o PROPAGATION "$ep1_mount")" shared \
        "the propagation of ep1's namespace mount"
    unshare -m --propagation slave sleep 30 &
    local copy=$! i in_copy=true
    sleep 0.5                   # (The copy made.)
    nsenter -t "$copy" -m findmnt -n "$ep1_mount" >/dev/null \
        || { kill "$copy"; fail "ep1's namespace not in the copy"; }

    vnet_ctl --wait detach ep1
    wait_until 10 bash -c "! ip netns list | grep -q '^$SANDBOX_PREFIX-ep1'"
    for ((i = 0; i < 50; i++)); do
        nsenter -t "$copy" -m findmnt -n "$ep1_mount" >/dev/null \
            || { in_copy=false; break; }
        sleep 0.1
    done
    kill "$copy"
    wait "$copy" 2>/dev/null || true
    ! $in_copy || fail "ep1's namespace still mounted in the copy"
    ! output_has "$mac1" our_flows || fail "ep1's flows left"
    expect_error 'has 1 endpoint' vnet_ctl net-del net1
    vnet_ctl --wait net-del net1 --force
    wait_until 10 bash -c "! ip netns list | grep -q '^$SANDBOX_PREFIX-ep'"
    assert_eq "$(sandbox_vsctl sw1 list-ports br-vnet | wc -l)" 0 "ports left"
    assert_eq "$(ip -n "$swns" -o link | wc -l)" "$links_before" "devices left"
    assert_eq "$(our_flows | wc -l)" "$flows_before" "flows left"
    ! output_has 'priority=[1-9]' our_flows || fail "non-default flows left"
}

neighbour_mac() {  # EP IP: the MAC EP's kernel has for IP
    in_ep "$1" ip neigh show "$2" | grep -o 'lladdr [0-9a-f:]*' | cut -d' ' -f2
}

test_reused_address_is_announced() {
    # An endpoint that takes the address of one detached (the lowest free
    # one, as attach gives it) has its MAC announced: an endpoint that
    # reached the old one reaches it at once, not after its ARP cache's
    # entry times out (up to 45 s).  Behind a trunk and with an internal
    # port too.  An address no other MAC had is not announced.  (The
    # userspace datapath's ovs-vswitchd asks about the internal port's device
    # where it runs: test_internal_endpoint.)
    ALLOWED_LOG_ERRORS='netdev_linux\|WARN\|.*vnet[0-9a-f]{8}.*No such device'
    two_endpoints_world
    local log=$SANDBOX_DIR/vnetd/ovs-vnetd.log ep type prev
    attach_free() {  # EP TYPE: attached with the lowest free address
        vnet_ctl --wait attach net1 "$1" --switch=sw1 --type="$2" \
            --netns="$SANDBOX_PREFIX-$1" >/dev/null || fail "attach $1"
        assert_eq "$(in_ep "$1" ip -4 -o addr show scope global \
                     | awk '{print $4}')" 10.5.0.2/16 "$1's address"
    }
    if_mac() {  # EP: the MAC of its interface (an internal port's is not eth0)
        local dev
        dev=$(in_ep "$1" ip -4 -o addr show scope global | awk '{print $2}')
        in_ep "$1" cat "/sys/class/net/$dev/address"
    }
    # First a logical port has it, whose device this ovs-vnetd never
    # configures (as another ovs-vnetd's endpoint): its row's deletion says
    # which MAC the address had.
    local vm=$SANDBOX_PREFIX-vm1 vm_mac=0a:00:00:00:01:00
    vnet_ctl port-add net1 vm1 --ip=10.5.0.2 --mac=$vm_mac >/dev/null
    vm_veth vm1 tapvm1 10.5.0.2
    ip -n "$vm" link set eth0 address $vm_mac
    sandbox_vsctl sw1 add-port br-vnet tapvm1 \
        -- set Interface tapvm1 external_ids:iface-id=vm1
    wait_until 10 eval '[ "$(endpoints_up)" = 3 ]'
    pings ep1 10.5.0.2 || fail "ep1 -> vm1"
    assert_eq "$(neighbour_mac ep1 10.5.0.2)" $vm_mac "ep1's neighbour, vm1's"
    vnet_ctl --wait detach vm1 >/dev/null || fail "detach vm1"
    sandbox_vsctl sw1 del-port br-vnet tapvm1
    ip netns delete "$vm"
    prev=
    for ep in ep3:veth ep4:trunk ep5:internal ep6:veth; do
        type=${ep#*:} ep=${ep%%:*}
        [ -z "$prev" ] || vnet_ctl --wait detach "$prev" >/dev/null \
            || fail "detach $prev"
        attach_free "$ep" "$type"
        # (The announcement goes as --wait returns: 3 s, not the 15-45 s
        # the neighbour entry would stay fresh.)
        wait_until 3 eval '[ "$(neighbour_mac ep1 10.5.0.2)" = "$(if_mac "$ep")" ]' \
            || fail "ep1's neighbour 10.5.0.2: $(in_ep ep1 ip neigh show 10.5.0.2)"
        pings ep1 10.5.0.2 || fail "ep1 -> $ep ($type)"
        grep -q "endpoint $ep: announcing 10.5.0.2 at $(if_mac "$ep")" "$log" \
            || fail "$ep not announced"
        prev=$ep
    done
    ! grep -qE "endpoint (ep1|ep2): announcing" "$log" \
        || fail "$(grep announcing "$log")"
    # Detached before its second announcement: nothing left to wake up for
    # (ovs-vnetd spun until an endpoint of that name came up again).
    vnet_ctl --wait detach ep6 >/dev/null || fail "detach ep6"
    sleep 1.6
    local before after
    before=$(sandbox_vnetd_appctl coverage/read-counter switch_session_idle_run)
    sleep 2
    after=$(sandbox_vnetd_appctl coverage/read-counter switch_session_idle_run)
    [ $((after - before)) -lt 50 ] \
        || fail "ovs-vnetd ran $((after - before)) idle passes in 2 s"
}

test_existing_namespace_is_not_deleted() {
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    # Someone made this namespace (and uses it) before ovs-vnet came along.
    ip netns add "$SANDBOX_PREFIX-mine"
    ip netns exec "$SANDBOX_PREFIX-mine" sleep 0 || fail "namespace usable"
    attach net1 mine 10.5.0.11
    attach net1 ep2 10.5.0.21
    pings mine 10.5.0.21 || fail "endpoint in an existing namespace"
    # What ovs-vnetd made is marked in its run directory, by a link to one
    # file (no new inode each); what it did not make is not.
    local marks=$OVS_RUNDIR/vnet-netns
    [ -e "$marks.$SANDBOX_PREFIX-ep2" ] || fail "ep2's namespace not marked"
    assert_eq "$(stat -c %i "$marks.$SANDBOX_PREFIX-ep2")" "$(stat -c %i "$marks")" \
        "the inode of ep2's mark"
    [ ! -e "$marks.$SANDBOX_PREFIX-mine" ] || fail "a namespace not ours is marked"

    vnet_ctl --wait detach mine
    vnet_ctl --wait detach ep2
    wait_until 10 bash -c "! ip netns list | grep -q '^$SANDBOX_PREFIX-ep2'"
    [ ! -e "$marks.$SANDBOX_PREFIX-ep2" ] || fail "ep2's mark left"
    sleep 2
    output_has "^$SANDBOX_PREFIX-mine" ip netns list \
        || fail "a namespace ovs-vnet did not create was deleted"
    ! output_has eth0 ip -n "$SANDBOX_PREFIX-mine" link \
        || fail "its veth was left"
}

# A namespace ovs-vnet did not create keeps everything it had: an eth0 of
# its own is an error in the endpoint's status (not replaced), and its
# default route stays.  Two endpoints written into one namespace: the first
# has it, the other reports whose it is.
test_existing_namespace_keeps_what_it_had() {
    ALLOWED_LOG_ERRORS='has an interface eth0 that is not its peer|creating the veth pair failed'
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    local web=$SANDBOX_PREFIX-web gw=$SANDBOX_PREFIX-gw
    ip netns add "$web"
    ip -n "$web" link add eth0 type veth peer name keep0
    ip -n "$web" addr add 192.0.2.5/24 dev eth0
    ip -n "$web" link set eth0 up
    ip -n "$web" route add default via 192.0.2.1 dev eth0
    local before; before=$(ip -n "$web" -o addr; ip -n "$web" route)
    vnet_ctl attach net1 web --switch=sw1 --ip=10.5.0.11 --netns="$web" >/dev/null
    wait_until 10 output_has "web .*namespace $web has an interface eth0 of its own" \
        vnet_ctl ep-list
    sleep 1
    assert_eq "$(ip -n "$web" -o addr; ip -n "$web" route)" "$before" \
        "the namespace's interfaces and routes"
    output_has keep0 ip -n "$web" link || fail "its veth's peer is gone"
    vnet_ctl --wait detach web
    output_has "^$web" ip netns list || fail "the namespace was deleted"

    # Without an eth0 of its own: the endpoint goes in, the route stays.
    ip netns add "$gw"
    ip -n "$gw" link add up0 type veth peer name up1
    ip -n "$gw" addr add 192.0.2.6/24 dev up0
    ip -n "$gw" link set up1 up
    ip -n "$gw" link set up0 up
    ip -n "$gw" route add default via 192.0.2.1 dev up0
    attach net1 gw 10.5.0.12
    attach net1 ep2 10.5.0.21
    pings gw 10.5.0.21 || fail "endpoint in a namespace with a route"
    assert_eq "$(ip -n "$gw" route show default)" "default via 192.0.2.1 dev up0 " \
        "the namespace's default route"

    # Two endpoints in one namespace, written by another client.
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"insert","table":"Endpoint","row":{"name":"twin","type":"netns",
         "network":["uuid","'"$(nb_uuid Network net1)"'"],
         "switch":["uuid","'"$(nb_uuid Switch sw1)"'"],
         "ip":"10.5.0.22","mac":"0a:00:00:00:00:22",
         "netns":"'"$SANDBOX_PREFIX"'-ep2"}}]' >/dev/null
    wait_until 10 output_has "twin .*namespace $SANDBOX_PREFIX-ep2 is endpoint ep2's" \
        vnet_ctl ep-list
    sleep 1
    pings ep2 10.5.0.12 || fail "ep2 lost its namespace"
    assert_eq "$(in_ep ep2 ip -o -4 addr show dev eth0 | awk '{print $4}')" \
        10.5.0.21/16 "ep2's address"
}

# Two endpoints with one IP or one MAC in a network, written by another
# client: the first by name keeps it and works, the other is in error.
test_duplicate_addresses_from_another_client() {
    two_endpoints_world
    local mac1; mac1=$(ep_mac ep1)
    local row='"network":["uuid","'"$(nb_uuid Network net1)"'"],
               "switch":["uuid","'"$(nb_uuid Switch sw1)"'"],"type":"netns"'
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"insert","table":"Endpoint","row":{"name":"ipclone",'"$row"',
         "ip":"10.5.0.11","mac":"0a:00:00:00:00:31",
         "netns":"'"$SANDBOX_PREFIX"'-ipclone"}},
        {"op":"insert","table":"Endpoint","row":{"name":"macclone",'"$row"',
         "ip":"10.5.0.32","mac":"'"$mac1"'",
         "netns":"'"$SANDBOX_PREFIX"'-macclone"}}]' >/dev/null
    wait_until 10 output_has "ipclone .*IP 10.5.0.11 is endpoint ep1's in network net1" \
        vnet_ctl ep-list
    wait_until 10 output_has "macclone .*MAC $mac1 is endpoint ep1's in network net1" \
        vnet_ctl ep-list
    ! output_has "^$SANDBOX_PREFIX-(ip|mac)clone" ip netns list \
        || fail "a namespace was made for a duplicate"
    pings ep2 10.5.0.11 || fail "ep2 -> ep1"
    pings ep1 10.5.0.21 || fail "ep1 -> ep2"
}

# ovs-vnetd records the namespaces it creates in its run directory: where
# that directory does not exist yet (a machine without OVS's run directory),
# it is made, so that detach still removes the namespace.
test_namespace_removed_without_run_directory() {
    sandbox_nb_start
    OVS_RUNDIR=$SANDBOX_DIR/run-missing sandbox_vnetd_start
    sandbox_switch_start sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11
    vnet_ctl --wait detach ep1
    wait_until 10 eval '! ip netns list | grep -q "^$SANDBOX_PREFIX-ep1\b"'
}

test_flows_repaired_and_reconciled() {
    two_endpoints_world
    local flows; flows=$(flows_now)

    # Deleted, changed or added behind our back (with our cookie): put right
    # within 2 s (a flow monitor says so; nothing polls).
    sandbox_ofctl sw1 del-flows br-vnet
    wait_until 2 flows_are "$flows"
    pings ep1 10.5.0.21 || fail "ep1 -> ep2 after the flows came back"
    sandbox_ofctl sw1 --strict mod-flows br-vnet "table=0,priority=0,actions=normal"
    wait_until 2 flows_are "$flows"
    sandbox_ofctl sw1 -O OpenFlow15 add-flow br-vnet \
        "cookie=0x7607000000000099,table=30,priority=100,dl_dst=0a:00:00:00:00:99,actions=drop"
    wait_until 2 flows_are "$flows"
    # Someone else's flows are theirs.
    sandbox_ofctl sw1 add-flow br-vnet "cookie=0x1234,table=99,priority=1,actions=drop"
    sleep 1
    output_has 'cookie=0x1234' our_flows || fail "someone else's flow deleted"
    sandbox_ofctl sw1 del-flows br-vnet "cookie=0x1234/-1"

    # Controller restart: nothing re-added, nothing lost, traffic unaffected,
    # endpoints adopted (the same devices), not recreated.
    local ifindex; ifindex=$(in_ep ep1 cat /sys/class/net/eth0/ifindex)
    sandbox_vnetd_stop
    pings ep1 10.5.0.21 || fail "traffic stops without the controller"
    sandbox_vnetd_start
    vnet_ctl --wait sync
    sleep 3
    assert_eq "$(sandbox_vnetd_appctl coverage/show | awk '/installer_flow_add/ {print $NF}')" \
        "" "flows re-added after a controller restart"
    assert_eq "$(flows_now)" "$flows" "same flows after restart"
    assert_eq "$(in_ep ep1 cat /sys/class/net/eth0/ifindex)" "$ifindex" \
        "ep1's eth0 kept across the restart"

    # ovs-vswitchd restart: everything is installed again.
    sandbox_switch_vswitchd_restart sw1
    wait_until 20 pings ep1 10.5.0.21
}

# A restarted controller that gets the switch's OpenFlow connection before it
# can read the switch's database (its ports) changes no flow meanwhile.  The
# switch's ovsdb-server is stopped (SIGSTOP): connections to it are accepted,
# but nothing is answered.
test_restart_before_switch_database_answers() {
    two_endpoints_world
    local flows; flows=$(flows_now)
    local log=$SANDBOX_DIR/vnetd/ovs-vnetd.log n

    local db_pid; db_pid=$(cat "$(sandbox_switch_dir sw1)/ovsdb-server.pid")
    sandbox_vnetd_kill
    kill -STOP "$db_pid"
    n=$(grep -c 'sw1: switch connected' "$log")
    sandbox_vnetd_start
    wait_until 15 eval '[ "$(grep -c "sw1: switch connected" "$log")" -gt "$n" ]'
    sleep 2
    assert_eq "$(flows_now)" "$flows" "flows kept while the ports are unknown"
    pings ep1 10.5.0.21 || fail "ep1 -> ep2 without the switch's database"

    kill -CONT "$db_pid"
    vnet_ctl --wait sync
    assert_eq "$(flows_now)" "$flows" "same flows once the ports are known"
    assert_eq "$(sandbox_vnetd_appctl coverage/read-counter installer_flow_add)" 0 \
        "flows added after the restart"
    assert_eq "$(sandbox_vnetd_appctl coverage/read-counter installer_flow_del)" 0 \
        "flows deleted after the restart"
}

# A port name the switch already uses (its bridge, its underlay bridge), as
# a router's uplink or a bridge name: refused by the CLI; written straight
# into the NB, it disables only that uplink, with the conflict in the
# switch's status, and the switch goes on working.
test_port_name_conflicts_disable_only_their_object() {
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11
    vnet_ctl router-add rt1
    vnet_ctl router-attach rt1 net1
    local before; before=$(nb_dump)
    expect_error "br-vnet is the switch's bridge" vnet_ctl router-uplink rt1 sw1 \
        br-vnet --ip=203.0.113.2/24 --nexthop=203.0.113.1
    expect_error "br-phy is the switch's underlay bridge" vnet_ctl router-uplink \
        rt1 sw1 br-phy --ip=203.0.113.2/24 --nexthop=203.0.113.1
    expect_error "br-phy is the underlay bridge's" vnet_ctl connect \
        "$(sandbox_switch_remote sw1)" --name=other --bridge=br-phy
    assert_eq "$(nb_dump)" "$before" "NB unchanged by the refused commands"

    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"update","table":"Router","where":[["name","==","rt1"]],
         "row":{"uplink_switch":["uuid","'"$(nb_uuid Switch sw1)"'"],
                "uplink_iface":"br-vnet","uplink_ip":"203.0.113.2/24",
                "uplink_nexthop":"203.0.113.1"}}]' >/dev/null
    wait_until 10 output_has "error: br-vnet is the switch's bridge" vnet_ctl show
    # Everything else still changes and works.
    vnet_ctl -t 20 --wait attach net1 ep2 --switch=sw1 --ip=10.5.0.21 \
        --netns="$SANDBOX_PREFIX-ep2" >/dev/null || fail "attach with the conflict"
    pings ep2 10.5.0.11 || fail "ep2 -> ep1"
}

test_refused_flows_fail_wait() {
    ALLOWED_LOG_ERRORS='switch refused flows'
    lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11

    # Table 0 is full: the switch refuses the flows of another endpoint.
    local n
    n=$(sandbox_ofctl sw1 dump-flows br-vnet table=0 | grep -c 'table=0')
    sandbox_vsctl sw1 -- --id=@ft create Flow_Table flow_limit="$n" \
        overflow_policy=refuse -- set Bridge br-vnet flow_tables:0=@ft
    local out
    if out=$(vnet_ctl -t 30 --wait attach net1 ep2 --switch=sw1 \
                 --ip=10.5.0.21 --netns="$SANDBOX_PREFIX-ep2" 2>&1); then
        fail "--wait succeeded although the switch refused the flows"
    fi
    output_has 'switch sw1 cannot apply the change: .*OFPFMFC_TABLE_FULL' \
        echo "$out" || fail "--wait: $out"
    local show; show=$(vnet_ctl show)
    output_has 'last_error: OpenFlow: switch refused flows: OFPFMFC_TABLE_FULL' \
        echo "$show" || fail "show: $show"
    output_has 'connected: true' echo "$show" || fail "show: $show"
    # What is installed stays: ep1 keeps its flows.
    output_has "dl_src=$(ep_mac ep1)" flows_now || fail "ep1 lost its flows"

    # Room again: the flows go in, and --wait is satisfied.
    sandbox_vsctl sw1 clear Bridge br-vnet flow_tables
    vnet_ctl -t 30 --wait sync || fail "--wait after the limit is gone"
    pings ep1 10.5.0.21 || fail "ep1 -> ep2"
    output_has 'last_error' vnet_ctl show && fail "error left in show"
    true
}

# A network with 5,000 ports on one switch: its flood does not fit in one
# OpenFlow message, so it goes in parts.  The ports are ovs-vswitchd's
# "dummy" ports (no device), plugged by others for logical ports that an
# API client creates in one transaction.
# flood_parts_are N: whether sw1's flood flows for the network are N parts.
flood_parts_are() {
    [ "$(sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-vnet table=31 \
         | grep -c 'reg7=')" = "$1" ]
}

# endpoints_not_up [MAX]: the first MAX (5) endpoints the NB does not say
# are up, each with its NB row and, if sw1 has one, its interface there.
endpoints_not_up() {
    local name
    ovsdb-client --timeout=10 query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"Endpoint",
          "where":[["up","!=",true]],"columns":["name"]}]' \
        | python3 -c 'import json,sys
for r in json.load(sys.stdin)[0]["rows"]: print(r["name"])' \
        | head -n "${1:-5}" | while read -r name; do
        echo "[$name: NB $(ovsdb-client --timeout=10 query "$OVS_VNET_DB" \
              "[\"OVS_VNET_Northbound\",{\"op\":\"select\",
                \"table\":\"Endpoint\",\"where\":[[\"name\",\"==\",\"$name\"]],
                \"columns\":[\"up\",\"location\",\"status\",\"last_error\"]}]");" \
             "switch $(sandbox_vsctl sw1 --columns=ofport,error,external_ids \
                       find Interface "name=$name" | tr -s ' \n' ' ');" \
             "log $(grep -w "$name" "$SANDBOX_DIR/vnetd/ovs-vnetd.log" \
                    | tail -n 3 | tr '\n' ' ')]"
    done
}

# recompute_mends N: asks ovs-vnetd to recompute everything and says
# whether sw1's flood flows are N parts within 30 s after it (a fault of
# what it follows change by change, if so).
recompute_mends() {
    local i
    sandbox_vnetd_appctl recompute >/dev/null || { echo "recompute failed"; return; }
    for ((i = 0; i < 300; i++)); do
        flood_parts_are "$1" && { echo "a recompute mended it"; return; }
        sleep 0.1
    done
    echo "a recompute did not mend it"
}

# endpoints_up: how many endpoints the NB says are up.
endpoints_up() {
    ovsdb-client --timeout=10 query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"Endpoint",
          "where":[["up","==",true]],"columns":["name"]}]' \
        | python3 -c 'import json,sys; print(len(json.load(sys.stdin)[0]["rows"]))'
}

test_flood_reaches_5000_ports() {
    local n=5000 i
    # ovs-vswitchd takes seconds over 5,000 new ports, and says so; on the
    # kernel datapath their 5,000 devices' notices, made at once, overflow
    # its netlink socket (it reads every device again then).
    ALLOWED_LOG_ERRORS="$SANDBOX_BUSY_WARNINGS|netlink_notifier\|WARN\|netlink receive buffer overflowed"
    SANDBOX_VSWITCHD_ARGS=--enable-dummy lan_world
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach net1 ep1 10.5.0.11

    sandbox_logical_ports net1 "$n" || fail "inserting logical ports"
    sandbox_dummy_ports sw1 br-vnet "$n" || fail "plugging ports"
    vnet_ctl -t 120 --wait sync || fail "sync"
    # Ports plugged by others are bound once ovs-vswitchd has numbered
    # them, which "--wait" does not wait for (as with OVN, their endpoints'
    # "up" says when): 5,001 ports (ep1 too), 1,000 a part.  (An emulated
    # kernel datapath adds its 5,000 devices more slowly.)
    local secs=60
    [ "${SANDBOX_EMULATED:-0}" = 1 ] && secs=400
    local end=$((SECONDS + secs))
    until flood_parts_are 6; do
        ((SECONDS < end)) || fail "flood parts after $secs s:" \
            "$(sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-vnet table=31 \
               | grep -o 'reg7=[^ ]*' | sort | uniq -c | tr -s ' \n' ' ')," \
            "endpoints up: $(endpoints_up), not: $(endpoints_not_up)," \
            "$(vnet_ctl show | grep -E '^ *switch|flow|error|state' | head -n 6)," \
            "ovs-vnetd's counters: $(sandbox_vnetd_appctl coverage/show \
                                     | grep -E 'switch_session|full_run|binding' \
                                     | awk '{print $1 "=" $NF}' | tr '\n' ' ')," \
            "$(recompute_mends 6)"
        sleep 0.1
    done
    output_has 'last_error' vnet_ctl show && fail "$(vnet_ctl show)"

    # A broadcast from ep1 (the ARP request for an address nobody has) goes
    # out of every one of the 5,000 ports.  (The kernel datapath takes no
    # flow with more outputs than its backlog, 1,000: ovs-vswitchd sends
    # such a packet itself.)
    in_ep ep1 ping -c 1 -W 1 10.5.9.9 >/dev/null 2>&1 || true
    local sent
    sent=$(sandbox_appctl sw1 dpctl/show -s \
           | awk '/^ *port [0-9]+: lp[0-9]+( |$)/ {lp = 1; next}
                  /^ *port / {lp = 0}
                  lp && /TX packets:/ {split($2, a, ":"); if (a[2] > 0) n++}
                  END {print n + 0}')
    assert_eq "$sent" "$n" "ports the broadcast went out of"

    # A restart keeps the controller's target on a bridge of 5,000 ports (a
    # new one would have ovs-vswitchd reconfigure every port): the switch
    # comes back to the socket it names, and nothing is sent again.
    local target
    target=$(sandbox_vsctl sw1 get Controller \
                 "$(sandbox_vsctl sw1 get Bridge br-vnet controller | tr -d '[]')" target)
    sandbox_vnetd_kill
    sandbox_vnetd_start
    vnet_ctl -t 120 --wait sync || fail "sync after a restart"
    assert_eq "$(sandbox_vsctl sw1 get Controller \
                 "$(sandbox_vsctl sw1 get Bridge br-vnet controller | tr -d '[]')" target)" \
        "$target" "the controller's target after a restart"
    assert_eq "$(sandbox_vnetd_appctl coverage/read-counter installer_flow_add)" 0 \
        "flows added after the restart"
}

# Commands joined by "--" go in one transaction, as with ovs-vsctl.
test_commands_chained_in_one_transaction() {
    lan_world
    vnet_ctl --wait net-add net1 10.5.0.0/16 \
        -- attach net1 ep1 --switch=sw1 --ip=10.5.0.11 --netns="$SANDBOX_PREFIX-ep1" \
        -- attach net1 ep2 --switch=sw1 --ip=10.5.0.21 --netns="$SANDBOX_PREFIX-ep2" \
        -- attach net1 ep3 --switch=sw1 --netns="$SANDBOX_PREFIX-ep3" \
        -- attach net1 ep4 --switch=sw1 --netns="$SANDBOX_PREFIX-ep4" \
        >/dev/null || fail "chained attach"
    pings ep1 10.5.0.21 || fail "ep1 -> ep2"
    # Addresses chosen for ep3 and ep4 in the same transaction differ.
    local ip3 ip4
    ip3=$(in_ep ep3 ip -4 -o addr show dev eth0 | awk '{print $4}')
    ip4=$(in_ep ep4 ip -4 -o addr show dev eth0 | awk '{print $4}')
    [ -n "$ip3" ] && [ "$ip3" != "$ip4" ] || fail "ep3 $ip3, ep4 $ip4"
    pings ep3 "${ip4%/*}" || fail "ep3 -> ep4"

    # One command fails: nothing of the others is done.
    local out
    if out=$(vnet_ctl net-add net2 10.6.0.0/16 -- attach nosuch ep3 \
                 --switch=sw1 --ip=10.6.0.13 2>&1); then
        fail "a chain with a failing command succeeded"
    fi
    output_has 'nosuch' echo "$out" || fail "error: $out"
    output_has 'net2' vnet_ctl net-list && fail "net2 made by a failed chain"

    # Outputs in order; read-only and writing commands mixed.
    out=$(vnet_ctl net-list -- port-add net1 lp1 -- ep-list)
    output_has 'net1' echo "$out" || fail "net-list output: $out"
    output_has 'lp1' echo "$out" || fail "ep-list output: $out"
    [ "$(printf '%s\n' "$out" | grep -n 'net1' | head -1 | cut -d: -f1)" -lt \
      "$(printf '%s\n' "$out" | grep -n 'lp1' | head -1 | cut -d: -f1)" ] \
        || fail "outputs out of order: $out"

    # "--" with no command after it.
    vnet_ctl net-list -- 2>/dev/null && fail "trailing --"
    vnet_ctl net-list -- -- show 2>/dev/null && fail "empty command"
    true
}
