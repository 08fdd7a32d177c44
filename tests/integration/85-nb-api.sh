# Integration tests: the NB database as an API for clients other than
# ovs-vnet-ctl.  A client writes only what a user decides; ovs-vnetd fills
# in the rest (segment ids, gateways and their MACs, conntrack zones,
# endpoints' namespaces, IPs and MACs), uniquely even under concurrent
# clients, and the objects work.

api_world() {
    sandbox_nb_start
    sandbox_vnetd_start
    sandbox_switch_start sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
}

# nb_col TABLE NAME COLUMN: the column of the named row, as JSON.
nb_col() {
    ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"'"$1"'",
          "where":[["name","==","'"$2"'"]],"columns":["'"$3"'"]}]' \
        | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin)[0]["rows"][0]["'"$3"'"]))'
}

filled() {  # TABLE NAME COLUMN EMPTY-VALUE: the column is no longer EMPTY-VALUE
    [ "$(nb_col "$1" "$2" "$3")" != "$4" ]
}

endpoint_up() {
    [ "$(nb_col Endpoint "$1" up)" = true ]
}

test_rows_with_only_the_users_fields() {
    api_world
    # Endpoints get namespaces named after them: names of this run's own.
    local sw epa=$SANDBOX_PREFIX-epa epb=$SANDBOX_PREFIX-epb
    sw=$(nb_uuid Switch sw1)
    # Only names, the CIDR, the network and the switch.
    nb_transact '["OVS_VNET_Northbound",
        {"op":"insert","table":"Network","uuid-name":"n","row":{"name":"net1","cidr":"10.7.0.0/16"}},
        {"op":"insert","table":"Endpoint","row":{"name":"'"$epa"'","network":["named-uuid","n"],
         "switch":["uuid","'"$sw"'"]}},
        {"op":"insert","table":"Endpoint","row":{"name":"'"$epb"'","network":["named-uuid","n"],
         "switch":["uuid","'"$sw"'"],"ip":"10.7.0.50"}},
        {"op":"insert","table":"Router","row":{"name":"r1","networks":["set",[["named-uuid","n"]]]}}]'
    wait_until 10 endpoint_up "$epa"
    wait_until 10 endpoint_up "$epb"
    assert_eq "$(nb_col Network net1 gateway)" '"10.7.0.1"' "gateway"
    filled Network net1 segment_id 0 || fail "no segment id"
    output_has '^"02:76:6e:' nb_col Network net1 gateway_mac || fail "no gateway MAC"
    assert_eq "$(nb_col Endpoint "$epa" type)" '"netns"' "type of epa"
    assert_eq "$(nb_col Endpoint "$epa" netns)" "\"$epa\"" "namespace of epa"
    assert_eq "$(nb_col Endpoint "$epa" ip)" '"10.7.0.2"' "IP of epa"
    assert_eq "$(nb_col Endpoint "$epb" ip)" '"10.7.0.50"' "the IP the client chose"
    filled Endpoint "$epb" mac '["set", []]' || fail "no MAC for epb"
    filled Router r1 segment_id 0 || fail "no segment id for r1"
    output_has '^[1-9][0-9]*$' nb_col Router r1 ct_zone || fail "no conntrack zone for r1"
    [ "$(nb_col Router r1 segment_id)" != "$(nb_col Network net1 segment_id)" ] \
        || fail "router and network share a segment id"
    # They work: the namespaces are made (named after the endpoints), the
    # gateway answers, the endpoints reach each other.
    ip netns exec "$epa" ping -c 2 -i 0.2 -W 1 10.7.0.1 >/dev/null || fail "epa -> gateway"
    ip netns exec "$epa" ping -c 2 -i 0.2 -W 1 10.7.0.50 >/dev/null || fail "epa -> epb"
    # ovs-vnet-ctl agrees: the next network gets the next segment id.
    vnet_ctl net-add net2 10.8.0.0/16 >/dev/null
    local s1 s2 s3
    s1=$(nb_col Network net1 segment_id)
    s2=$(nb_col Router r1 segment_id)
    s3=$(nb_col Network net2 segment_id)
    [ "$s3" != "$s1" ] && [ "$s3" != "$s2" ] || fail "net2 took segment $s3"
    vnet_ctl --wait detach "$epa" >/dev/null
    vnet_ctl --wait detach "$epb" >/dev/null
    wait_until 5 bash -c "! ip netns list | grep -q '^$epa\b'"     # made by ovs-vnetd, gone with it
}

test_concurrent_clients_get_distinct_values() {
    api_world
    # Twenty networks and ten routers from concurrent clients (raw rows and
    # commands mixed): every segment id and conntrack zone distinct.
    local i pids=()
    for i in $(seq 10); do
        ovsdb-client --timeout=20 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
            {"op":"insert","table":"Network","row":{"name":"raw'"$i"'","cidr":"10.'"$i"'.0.0/16"}},
            {"op":"insert","table":"Router","row":{"name":"rr'"$i"'"}}]' >/dev/null &
        pids+=($!)
        vnet_ctl net-add cli$i 10.$((100 + i)).0.0/16 >/dev/null &
        pids+=($!)
    done
    for i in "${pids[@]}"; do
        wait "$i" || fail "a client failed"
    done
    all_allocated() {
        ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
            '["OVS_VNET_Northbound",{"op":"select","table":"Network","where":[],"columns":["segment_id"]},
              {"op":"select","table":"Router","where":[],"columns":["segment_id","ct_zone"]}]' \
            | python3 -c '
import json, sys
nets, routers = json.load(sys.stdin)
segs = [r["segment_id"] for r in nets["rows"] + routers["rows"]]
zones = [r["ct_zone"] for r in routers["rows"]]
sys.exit(not (len(segs) == 30 and 0 not in segs and 0 not in zones))'
    }
    wait_until 15 all_allocated
    ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"Network","where":[],"columns":["segment_id"]},
          {"op":"select","table":"Router","where":[],"columns":["segment_id","ct_zone"]}]' \
        | python3 -c '
import json, sys
nets, routers = json.load(sys.stdin)
segs = [r["segment_id"] for r in nets["rows"] + routers["rows"]]
zones = [r["ct_zone"] for r in routers["rows"]]
assert len(set(segs)) == len(segs), "segment ids taken twice: %s" % sorted(segs)
assert len(set(zones)) == len(zones), "zones taken twice: %s" % sorted(zones)
assert all(z % 2 == 0 for z in zones), zones' || fail "duplicates"
    ! output_has 'network_error|router_error' nb_get status sw1 \
        || fail "rows left out: $(nb_get status sw1)"
}

# OpenStack's client library, for real: python3-ovsdbapp's generic backend
# makes a network and a logical port with only a user's fields; the port is
# plugged as os-vif plugs a VIF (iface-id, attached-mac, iface-status,
# vm-uuid in one transaction); once the switch marks it vnet-installed it
# reaches an endpoint made the same way.
test_ovsdbapp_network_and_logical_port() {
    api_world
    local client=$VNET_TOP/tests/lib/ovsdbapp-client.py sw_remote
    sw_remote=$(sandbox_switch_remote sw1)
    /usr/bin/python3 "$client" create-network "$OVS_VNET_DB" net1 10.9.0.0/16 \
        || fail "create-network"
    /usr/bin/python3 "$client" create-port "$OVS_VNET_DB" vm1 net1 10.9.0.100 \
        || fail "create-port"
    local sw
    sw=$(nb_uuid Switch sw1)
    local ep1=$SANDBOX_PREFIX-ep1
    nb_transact '["OVS_VNET_Northbound",
        {"op":"insert","table":"Endpoint","row":{"name":"'"$ep1"'",
         "network":["uuid","'"$(nb_uuid Network net1)"'"],"switch":["uuid","'"$sw"'"]}}]'
    assert_eq "$(/usr/bin/python3 "$client" show-port "$OVS_VNET_DB" vm1)" \
        "external 10.9.0.100 -" "the logical port as filled in"

    # "The VM": a veth whose far end is in a namespace of ours.
    local vm=$SANDBOX_PREFIX-vm1 swns mac
    swns=$(sandbox_netns sw1)
    ip netns add "$vm"
    ip -n "$swns" link add tapvm1 type veth peer name eth0 netns "$vm"
    ip -n "$swns" link set tapvm1 up
    ip -n "$vm" addr add 10.9.0.100/16 dev eth0
    ip -n "$vm" link set eth0 up
    ip netns exec "$vm" ethtool -K eth0 tx off >/dev/null
    mac=$(ip netns exec "$vm" cat /sys/class/net/eth0/address)
    /usr/bin/python3 "$client" plug "$sw_remote" br-vnet tapvm1 vm1 "$mac" \
        || fail "plug"
    /usr/bin/python3 "$client" wait-installed "$sw_remote" tapvm1 15 \
        || fail "not installed"
    wait_until 10 endpoint_up "$ep1"
    ip netns exec "$vm" ping -c 2 -i 0.2 -W 1 10.9.0.2 >/dev/null || fail "vm1 -> ep1"
    ip netns exec "$vm" ping -c 2 -i 0.2 -W 1 10.9.0.1 >/dev/null || fail "vm1 -> gateway"
    sandbox_vsctl sw1 del-port br-vnet tapvm1
    ip netns delete "$vm"
}

test_status_written_by_another_client_is_put_back() {
    # Without the test mode, whose check of every endpoint after each write
    # would put it back at once (and call it an error): what puts it back
    # here is ovs-vnetd's periodic write of every endpoint.
    local SANDBOX_CHECK_INCREMENTAL=0
    api_world
    local ep=$SANDBOX_PREFIX-e1 ofport
    vnet_ctl net-add net1 10.7.0.0/16 >/dev/null || fail "net-add"
    vnet_ctl --wait attach net1 "$ep" --switch=sw1 >/dev/null || fail "attach"
    endpoint_up "$ep" || fail "not up after attach --wait"
    ofport=$(nb_col Endpoint "$ep" ofport)
    output_has '^[1-9][0-9]*$' echo "$ofport" || fail "ofport $ofport"
    # Another client writes what ovs-vnetd reports: nothing else changes.
    nb_transact '["OVS_VNET_Northbound",{"op":"update","table":"Endpoint",
        "where":[["name","==","'"$ep"'"]],
        "row":{"up":false,"ofport":["set",[]],"last_error":"written by hand"}}]'
    assert_eq "$(nb_col Endpoint "$ep" up)" false "up as the other client wrote it"
    wait_until 8 endpoint_up "$ep"
    assert_eq "$(nb_col Endpoint "$ep" ofport)" "$ofport" "ofport put back"
    assert_eq "$(nb_col Endpoint "$ep" last_error)" '["set", []]' "last_error put back"
    vnet_ctl --wait detach "$ep" >/dev/null || fail "detach"
}

# ep_iface_ids EP: the external_ids of the interface that carries EP's
# iface-id on sw1 (empty if none).
ep_iface_ids() {
    local iface
    iface=$(sandbox_vsctl sw1 --bare --columns=name find Interface \
            external_ids:iface-id="$1")
    [ -n "$iface" ] && sandbox_vsctl sw1 get Interface "$iface" external_ids
}

ep_iface_has() {  # EP PATTERN
    output_has "$2" ep_iface_ids "$1"
}

# ep_update EP COLUMN VALUE: another client sets a string column of EP, and
# the switches catch up.
ep_update() {
    nb_transact '["OVS_VNET_Northbound",{"op":"update","table":"Endpoint",
        "where":[["name","==","'"$1"'"]],"row":{"'"$2"'":"'"$3"'"}}]'
    vnet_ctl --wait sync || fail "sync"
}

reaches_gw() {  # NETNS: pings the gateway from NETNS
    ip netns exec "$1" ping -c 2 -i 0.2 -W 1 10.7.0.1 >/dev/null
}

test_endpoint_kind_changed_in_place_leaves_no_other_kinds_ids() {
    # Another client changes an endpoint's type in place: the interface
    # then says the new kind only (a stale record of the old kind's
    # namespace would be cleaned up as the endpoint's after a restart).  A
    # device made again under its old name (tap, internal port, veth, another
    # namespace) works: the switch lets go of the old one first.  (The
    # userspace datapath's ovs-vswitchd asks about an internal port's device
    # where it runs, not in the endpoint's namespace: test_internal_endpoint.)
    ALLOWED_LOG_ERRORS='netdev_linux\|WARN\|.*vnet[0-9a-f]{8}.*No such device'
    api_world
    local ep=$SANDBOX_PREFIX-k1
    vnet_ctl net-add net1 10.7.0.0/16 >/dev/null || fail "net-add"
    vnet_ctl --wait attach net1 "$ep" --switch=sw1 >/dev/null || fail "attach"
    ep_iface_has "$ep" "vnet-netns=\"?$ep\"?" || fail "veth: $(ep_iface_ids "$ep")"
    ! ep_iface_has "$ep" 'vnet-kind' || fail "veth: $(ep_iface_ids "$ep")"
    ep_update "$ep" type tap
    ep_iface_has "$ep" 'vnet-kind=tap' || fail "tap: $(ep_iface_ids "$ep")"
    endpoint_up "$ep" || fail "tap not up"
    ! ep_iface_has "$ep" 'vnet-netns' || fail "tap: $(ep_iface_ids "$ep")"
    ep_update "$ep" type internal
    ep_iface_has "$ep" "vnet-netns=\"?$ep\"?" || fail "internal: $(ep_iface_ids "$ep")"
    ! ep_iface_has "$ep" 'vnet-kind' || fail "internal: $(ep_iface_ids "$ep")"
    assert_eq "$(sandbox_vsctl sw1 --bare --columns=type find Interface \
                 external_ids:iface-id="$ep")" internal "the port's type"
    reaches_gw "$ep" || fail "internal -> gateway"
    ep_update "$ep" type netns
    ep_iface_has "$ep" "vnet-netns=\"?$ep\"?" || fail "veth: $(ep_iface_ids "$ep")"
    endpoint_up "$ep" || fail "veth not up"
    ! ep_iface_has "$ep" 'vnet-kind' || fail "veth again: $(ep_iface_ids "$ep")"
    reaches_gw "$ep" || fail "veth again -> gateway"
    ep_update "$ep" type trunk
    [ -z "$(ep_iface_ids "$ep")" ] || fail "trunk: $(ep_iface_ids "$ep")"
    reaches_gw "$ep" || fail "trunk -> gateway"
    ep_update "$ep" type netns
    ep_iface_has "$ep" "vnet-netns=\"?$ep\"?" || fail "veth after trunk: $(ep_iface_ids "$ep")"
    reaches_gw "$ep" || fail "veth after trunk -> gateway"
    # Another namespace, the same kind: the device is made again too.
    ep_update "$ep" netns "$ep-b"
    ep_iface_has "$ep" "vnet-netns=\"?$ep-b\"?" || fail "moved: $(ep_iface_ids "$ep")"
    reaches_gw "$ep-b" || fail "moved -> gateway"
    vnet_ctl --wait detach "$ep" >/dev/null || fail "detach"
    wait_until 5 bash -c "! ip netns list | grep -q '^$ep-b\b'"
}

test_switch_remote_changed_in_place() {
    # Another client points a switch at another server (Switch.remote): the
    # switch's bridge, endpoints and flows are made there, the endpoints'
    # devices where the new server's ovs-vswitchd runs.  (ovs-vnetd no
    # longer speaks to the old server, which keeps what it had: its port's
    # device goes with the endpoint's old veth.)
    ALLOWED_LOG_ERRORS='sw-sw1/ovs-vswitchd\.log:.*(netdev_linux\|WARN|dpif_netdev\|ERR|bridge\|WARN)\|.*vnet[0-9a-f]{8}'
    api_world
    sandbox_switch_start sw9
    local ep=$SANDBOX_PREFIX-m1 et=$SANDBOX_PREFIX-m2
    vnet_ctl net-add net1 10.7.0.0/16 >/dev/null || fail "net-add"
    vnet_ctl --wait attach net1 "$ep" --switch=sw1 >/dev/null || fail "attach"
    vnet_ctl --wait attach net1 "$et" --switch=sw1 --type=trunk >/dev/null \
        || fail "attach behind the trunk"
    reaches_gw "$ep" || fail "before"
    nb_transact '["OVS_VNET_Northbound",{"op":"update","table":"Switch",
        "where":[["name","==","sw1"]],
        "row":{"remote":"'"$(sandbox_switch_remote sw9)"'"}}]'
    vnet_ctl --timeout=20 --wait sync || fail "sync"
    output_has '^[1-9][0-9]*$' sandbox_vsctl sw9 get Interface \
        "$(sandbox_vsctl sw9 --bare --columns=name find Interface \
           external_ids:iface-id="$ep")" ofport || fail "no port of $ep on sw9"
    endpoint_up "$ep" || fail "$ep not up"
    endpoint_up "$et" || fail "$et not up"
    # Through sw9's switch: sw1's is stopped.
    sandbox_switch_stop sw1
    reaches_gw "$ep" || fail "$ep -> gateway through sw9"
    reaches_gw "$et" || fail "$et -> gateway through sw9"
    ip netns exec "$ep" ping -c 2 -i 0.2 -W 1 \
        "$(nb_col Endpoint "$et" ip | tr -d '"')" >/dev/null || fail "$ep -> $et"
}

test_two_switches_one_namespace() {
    # A client names one namespace for two endpoints on two switches that
    # one ovs-vnetd serves: the one that has it keeps it (beyond the 10 s a
    # moved endpoint waits for its old switch), the other says whose it is,
    # and gets it once the first is gone.
    api_world
    sandbox_switch_start sw2
    vnet_ctl --wait connect "$(sandbox_switch_remote sw2)" --name=sw2 >/dev/null \
        || fail "connect sw2"
    local ns=$SANDBOX_PREFIX-shared
    vnet_ctl net-add net1 10.7.0.0/16 >/dev/null || fail "net-add"
    vnet_ctl --wait attach net1 d1 --switch=sw1 --netns="$ns" >/dev/null || fail "attach d1"
    # (The command line refuses it.)
    nb_transact '["OVS_VNET_Northbound",{"op":"insert","table":"Endpoint",
        "row":{"name":"d2","network":["uuid","'"$(nb_uuid Network net1)"'"],
               "switch":["uuid","'"$(nb_uuid Switch sw2)"'"],"netns":"'"$ns"'"}}]'
    wait_until 5 output_has "namespace $ns is endpoint d1's \\(on switch sw1\\)" \
        nb_col Endpoint d2 last_error
    sleep 11
    endpoint_up d1 || fail "d1 not up"
    ! endpoint_up d2 || fail "d2 up"
    ! grep -q 'takes it' "$SANDBOX_DIR/vnetd/ovs-vnetd.log" || fail "taken over"
    reaches_gw "$ns" || fail "d1 -> gateway"
    vnet_ctl --wait detach d1 >/dev/null || fail "detach d1"
    wait_until 10 endpoint_up d2
    reaches_gw "$ns" || fail "d2 -> gateway"
}

test_endpoint_mac_changed_in_place_is_announced() {
    # Another client changes an endpoint's MAC in place: its neighbours,
    # which learned the old one, reach it at once (ovs-vnetd announces the
    # new one: controller/announce.h), not after their ARP cache's entry
    # times out.
    api_world
    local a=$SANDBOX_PREFIX-ma b=$SANDBOX_PREFIX-mb
    vnet_ctl net-add net1 10.7.0.0/16 >/dev/null || fail "net-add"
    vnet_ctl --wait attach net1 "$a" --switch=sw1 --ip=10.7.0.10 >/dev/null \
        || fail "attach $a"
    vnet_ctl --wait attach net1 "$b" --switch=sw1 --ip=10.7.0.11 >/dev/null \
        || fail "attach $b"
    ip netns exec "$b" ping -c 1 -W 2 10.7.0.10 >/dev/null || fail "before"
    ep_update "$a" mac 0a:00:00:00:00:42
    assert_eq "$(ip netns exec "$a" cat /sys/class/net/eth0/address)" \
        0a:00:00:00:00:42 "$a's MAC"
    # (The announcement goes as --wait returns: 3 s, not the 15-45 s the
    # neighbour entry would stay fresh.)
    wait_until 3 output_has 'lladdr 0a:00:00:00:00:42' \
        ip -n "$b" neigh show 10.7.0.10 \
        || fail "$b's neighbour: $(ip -n "$b" neigh show 10.7.0.10)"
    ip netns exec "$b" ping -c 1 -W 2 10.7.0.10 >/dev/null \
        || fail "$b -> $a, its new MAC"
    grep -q "endpoint $a: announcing 10.7.0.10 at 0a:00:00:00:00:42" \
        "$SANDBOX_DIR/vnetd/ovs-vnetd.log" || fail "not announced"
    # An endpoint's new address that no other MAC had is not announced.
    ep_update "$a" ip 10.7.0.20
    ip netns exec "$b" ping -c 1 -W 2 10.7.0.20 >/dev/null || fail "new IP"
    ! grep -q "endpoint $a: announcing 10.7.0.20" \
        "$SANDBOX_DIR/vnetd/ovs-vnetd.log" || fail "a new address announced"
}
