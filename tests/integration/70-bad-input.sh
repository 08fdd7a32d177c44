# Integration tests: bad input from every side, counted.  Each bad input
# gets a clear error where its writer looks (ovs-vnet-ctl: exit status 1 and
# one line; a row written straight into the NB: its last_error or its
# switch's status; a lab file: ovs-vnet-lab's message; a relay datagram: the
# relay's counters), a refused command leaves the NB as it was, and the
# controller and everything else keep working.

BAD=0

# bad_cli PATTERN CMD...: CMD is refused with an error matching PATTERN.
bad_cli() {
    expect_error "$@"
    BAD=$((BAD + 1))
}

# row_error TABLE NAME: the NB last_error of row NAME of TABLE.
row_error() {
    ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"'"$1"'",
          "where":[["name","==","'"$2"'"]],"columns":["last_error"]}]' \
        | python3 -c 'import json,sys; e=json.load(sys.stdin)[0]["rows"][0]["last_error"]; print(e if isinstance(e, str) else "")'
}

row_error_matches() {  # TABLE NAME PATTERN
    output_has "$3" row_error "$1" "$2"
}

# bad_row TABLE NAME ROW-JSON PATTERN: a row of TABLE written directly comes
# to have a last_error matching PATTERN.
bad_row() {
    nb_transact '["OVS_VNET_Northbound",{"op":"insert","table":"'"$1"'","row":'"$3"'}]'
    wait_until 10 row_error_matches "$1" "$2" "$4"
    BAD=$((BAD + 1))
}

# bad_row_uuid TABLE NAME UUID ROW-JSON PATTERN: as bad_row, the row
# inserted with UUID (a client may choose it).
bad_row_uuid() {
    nb_transact '["OVS_VNET_Northbound",{"op":"insert","table":"'"$1"'","uuid":"'"$3"'","row":'"$4"'}]'
    wait_until 10 row_error_matches "$1" "$2" "$5"
    BAD=$((BAD + 1))
}

# alike UUID: a UUID that begins as UUID does.
alike() {
    echo "${1:0:8}-0000-4000-8000-00000000abcd"
}

switch_status_has() {  # SWITCH KEY-PATTERN
    output_has "$2" nb_get status "$1"
}

# bad_status KEY PATTERN TABLE ROW-JSON [UUID]: a row of TABLE written
# directly (with UUID, if given) comes to have KEY in switch h1's status,
# saying PATTERN.
bad_status() {
    local uuid=${5:+\"uuid\":\"$5\",}
    nb_transact '["OVS_VNET_Northbound",{"op":"insert","table":"'"$3"'",'"$uuid"'"row":'"$4"'}]'
    wait_until 10 switch_status_has h1 "\"$1\", \"[^\"]*$2"
    BAD=$((BAD + 1))
}

# bad_lab PATTERN FILE-TEXT: ovs-vnet-lab refuses a lab file, naming the
# line, before touching anything.
bad_lab() {
    local file=$SANDBOX_DIR/bad.lab
    printf '%s\n' "$2" > "$file"
    OVS_VNET_LAB_DIR=$SANDBOX_DIR/lab expect_error "$1" \
        "$VNET_TOP/tools/ovs-vnet-lab" up "$file"
    [ ! -e "$SANDBOX_DIR/lab" ] || fail "ovs-vnet-lab acted on a bad file"
    BAD=$((BAD + 1))
}

# relay_counter_is PATTERN: h1's relay, asked for its counters, says PATTERN.
relay_counters_say() {
    local log pid
    log=$(sandbox_switch_dir h1)/ovs-vnet-udptun.h1.log
    pid=$(cat "$(sandbox_switch_dir h1)"/ovs-vnet-udptun.h1.pid)
    kill -USR1 "$pid"
    sleep 0.2
    tail -3 "$log" | grep -qE -- "$1"
}

test_bad_input_counted() {
    hosts_world udp h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    vnet_ctl router-add r1 >/dev/null
    vnet_ctl router-attach r1 net1 >/dev/null
    vnet_ctl --wait sync
    reaches ep1 10.5.0.21 || fail "ep1 -> ep2 before"
    local before vnetd_pid
    before=$(nb_dump)
    vnetd_pid=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")

    # The command line.
    bad_cli 'not a CIDR' vnet_ctl net-add n2 10.8.0.0
    bad_cli 'host bits' vnet_ctl net-add n2 10.8.0.1/16
    bad_cli 'prefix length' vnet_ctl net-add n2 10.8.0.0/33
    bad_cli 'already exists' vnet_ctl net-add net1 10.9.0.0/16
    bad_cli 'outside' vnet_ctl net-add n2 10.8.0.0/16 --gateway=10.7.0.1
    bad_cli 'network name' vnet_ctl net-add 'n 2' 10.8.0.0/16
    bad_cli 'mtu' vnet_ctl net-add n2 10.8.0.0/16 --mtu=20
    bad_cli 'outside 10.5.0.0/16' vnet_ctl attach net1 ep3 --switch=h1 --ip=10.6.0.1
    bad_cli "gateway" vnet_ctl attach net1 ep3 --switch=h1 --ip=10.5.0.1
    bad_cli 'broadcast' vnet_ctl attach net1 ep3 --switch=h1 --ip=10.5.255.255
    bad_cli 'already used by endpoint ep1' vnet_ctl attach net1 ep3 --switch=h1 --ip=10.5.0.11
    bad_cli 'not a MAC address' vnet_ctl attach net1 ep3 --switch=h1 --mac=zz:00:00:00:00:01
    bad_cli 'multicast' vnet_ctl attach net1 ep3 --switch=h1 --mac=01:00:5e:00:00:01
    bad_cli 'no network named nonet' vnet_ctl attach nonet ep3 --switch=h1
    bad_cli 'no switch named nosw' vnet_ctl attach net1 ep3 --switch=nosw
    bad_cli '--switch=SWITCH is required' vnet_ctl attach net1 ep3
    bad_cli 'endpoint name' vnet_ctl attach net1 'ep/3' --switch=h1
    bad_cli 'namespace name' vnet_ctl attach net1 ep3 --switch=h1 --netns='a b'
    bad_cli 'already exists' vnet_ctl attach net1 ep1 --switch=h1
    # With --ip, and for port-add and detach, ovs-vnet-ctl reads only the
    # Endpoint rows that could clash (attach and port-add with a "select"
    # of their own, detach with a condition on its monitor of the NB): it
    # still finds every clash, a MAC written in upper case too.
    local ep1_mac
    ep1_mac=$(ovsdb-client --timeout=10 query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"Endpoint",
          "where":[["name","==","ep1"]],"columns":["mac"]}]' \
        | grep -o '"mac":"[^"]*"' | cut -d'"' -f4)
    [[ $ep1_mac =~ ^[0-9a-f:]{17}$ ]] || fail "ep1's MAC: '$ep1_mac'"
    bad_cli 'endpoint ep1 already exists' vnet_ctl attach net1 ep1 --switch=h1 --ip=10.5.0.99
    bad_cli 'namespace .* is already used by endpoint ep1' \
        vnet_ctl attach net1 ep3 --switch=h1 --ip=10.5.0.99 --netns="$SANDBOX_PREFIX-ep1"
    bad_cli "MAC .* is already used by endpoint ep1" vnet_ctl attach net1 ep3 --switch=h1 \
        --ip=10.5.0.99 --mac="${ep1_mac^^}"
    bad_cli 'endpoint ep1 already exists' vnet_ctl port-add net1 ep1
    bad_cli 'IP 10.5.0.11 is already used by endpoint ep1' vnet_ctl port-add net1 lp3 --ip=10.5.0.11
    bad_cli "MAC .* is already used by endpoint ep1" vnet_ctl port-add net1 lp3 --mac="$ep1_mac"
    # Of two endpoints added by one command line, the second is checked
    # against the first too.
    bad_cli 'endpoint lp4 already exists' vnet_ctl port-add net1 lp4 --ip=10.5.0.97 \
        -- port-add net1 lp4 --ip=10.5.0.98
    bad_cli 'IP 10.5.0.97 is already used by endpoint lp4' vnet_ctl \
        port-add net1 lp4 --ip=10.5.0.97 -- port-add net1 lp5 --ip=10.5.0.97
    # attach with --ip monitors no Endpoint row: it selects those it names.
    local monitor
    monitor=$(vnet_ctl -vjsonrpc:console:dbg --dry-run attach net1 ep3 --switch=h1 \
              --ip=10.5.0.99 2>&1 >/dev/null)
    [[ $monitor == *'"monitor_cond'* && $monitor != *'"Endpoint":'* ]] \
        || fail "attach --ip monitored endpoints: $monitor"
    monitor=$(grep -o 'method="transact", params=\["OVS_VNET_Northbound",{[^}]*}' <<<"$monitor" \
              | head -1)
    [[ $monitor == *'"op":"select"'* && $monitor == *'"table":"Endpoint"'* \
       && $monitor == *'"where":[["name","==","ep3"]]'* ]] \
        || fail "attach --ip did not select its rows first: $monitor"
    # A row with the new endpoint's name is mostly found by its namespace
    # or its MAC: the name is read only once the NB's index on it refused
    # the insert (or for a dry run, which no index checks), and the clash
    # is named as before.
    bad_cli 'endpoint ep1 already exists' vnet_ctl attach net1 ep1 --switch=h1 \
        --ip=10.5.0.99 --netns="$SANDBOX_PREFIX-ep9" --mac=02:00:00:00:00:99
    bad_cli 'endpoint ep1 already exists' vnet_ctl --dry-run attach net1 ep1 \
        --switch=h1 --ip=10.5.0.99 --netns="$SANDBOX_PREFIX-ep9" --mac=02:00:00:00:00:99
    bad_cli 'endpoint ep1 already exists' vnet_ctl port-add net1 ep1 --ip=10.5.0.98 \
        --mac=02:00:00:00:00:98
    monitor=$(vnet_ctl -vjsonrpc:console:dbg detach nope --if-exists 2>&1 >/dev/null \
              | grep -o '"Endpoint":[^]]*' | head -1)
    [[ $monitor == *'"where":[["name","==","nope"'* ]] \
        || fail "detach read more than the rows it names: $monitor"
    monitor=$(vnet_ctl -vjsonrpc:console:dbg ep-list 2>&1 >/dev/null \
              | grep -o '"Endpoint":[^]]*' | head -1)
    [[ $monitor != *where* ]] || fail "ep-list read some endpoints only: $monitor"
    bad_cli 'has 1 endpoint' vnet_ctl disconnect h1
    bad_cli 'no endpoint named nope' vnet_ctl detach nope
    bad_cli 'not an IPv4 address' vnet_ctl connect tcp:999.1.1.1:6640 --name=h9
    bad_cli 'remote' vnet_ctl connect foo:bar --name=h9
    bad_cli 'encap' vnet_ctl connect tcp:127.0.0.1:6999 --name=h9 --encap-ip=300.1.1.1
    bad_cli 'expected auto or off' vnet_ctl switch-set h1 --offload=tso
    bad_cli 'encap' vnet_ctl connect tcp:127.0.0.1:6999 --name=h9 --encap-type=gre
    bad_cli 'datapath' vnet_ctl connect tcp:127.0.0.1:6999 --name=h9 --datapath=fast
    bad_cli 'already exists' vnet_ctl router-add r1
    bad_cli 'no router named r9' vnet_ctl router-attach r9 net1
    bad_cli 'br-vnet' vnet_ctl router-uplink r1 h1 br-vnet --ip=203.0.113.2/24 --nexthop=203.0.113.1
    bad_cli 'not' vnet_ctl router-uplink r1 h1 up0 --ip=203.0.113.300/24 --nexthop=203.0.113.1
    bad_cli 'next hop' vnet_ctl router-uplink r1 h1 up0 --ip=203.0.113.2/24 --nexthop=198.51.100.1
    bad_cli 'snat|dnat|fip' vnet_ctl nat-add r1 masquerade net1
    bad_cli 'port' vnet_ctl nat-add r1 dnat tcp 70000 10.5.0.11:80
    bad_cli 'unknown command' vnet_ctl frobnicate
    bad_cli 'unrecognized option|unknown option' vnet_ctl --frobnicate show
    bad_cli 'at most|too many' vnet_ctl detach ep1 ep2 ep3
    bad_cli 'timeout' "$OVS_VNET_CTL" -t x show
    local cli=$BAD
    assert_eq "$(nb_dump)" "$before" "NB unchanged by refused commands"

    # A port-add that goes through read no rows by its name.
    local reads
    reads=$(vnet_ctl -vjsonrpc:console:dbg port-add net1 lp9 --ip=10.5.0.95 \
            --mac=02:00:00:00:00:95 2>&1 >/dev/null)
    [[ $reads == *'["ip","==","10.5.0.95"]'* && $reads != *'["name","==","lp9"]'* ]] \
        || fail "port-add read the rows of its name: $reads"
    vnet_ctl detach lp9

    # A line that deletes an endpoint and adds it again (its rows read by
    # the monitor) goes through.
    vnet_ctl port-add net1 lp4 --ip=10.5.0.97 >/dev/null || fail "port-add lp4"
    vnet_ctl detach lp4 -- port-add net1 lp4 --ip=10.5.0.96 >/dev/null \
        || fail "detach and port-add lp4 in one line"
    [ "$(vnet_ctl -f json ep-list | grep -o '"10.5.0.9[67]"')" = '"10.5.0.96"' ] \
        || fail "lp4 not made again: $(vnet_ctl ep-list)"
    vnet_ctl detach lp4 >/dev/null || fail "detach lp4"
    # An attach without --mac takes the first of its MACs that no endpoint
    # has, in whichever case another client wrote it (the rows with its
    # other MACs are read only when the first is taken).
    local out mac0 mac1 mac2
    out=$(vnet_ctl --dry-run attach net1 ep9 --switch=h1 --ip=10.5.0.95) || fail "dry run"
    mac0=${out#* }
    [[ $mac0 =~ ^[0-9a-f:]{17}$ ]] || fail "dry run printed '$out'"
    vnet_ctl port-add net1 lp6 --ip=10.5.0.94 --mac="${mac0^^}" >/dev/null || fail "port-add lp6"
    out=$(vnet_ctl --dry-run attach net1 ep9 --switch=h1 --ip=10.5.0.95) || fail "dry run"
    mac1=${out#* }
    [[ $mac1 =~ ^[0-9a-f:]{17}$ && $mac1 != "$mac0" ]] || fail "ep9 would get '$mac1' ($mac0 taken)"
    vnet_ctl port-add net1 lp7 --ip=10.5.0.93 --mac="$mac1" >/dev/null || fail "port-add lp7"
    out=$(vnet_ctl --dry-run attach net1 ep9 --switch=h1 --ip=10.5.0.95) || fail "dry run"
    mac2=${out#* }
    [[ $mac2 =~ ^[0-9a-f:]{17}$ && $mac2 != "$mac0" && $mac2 != "$mac1" ]] \
        || fail "ep9 would get '$mac2' ($mac0 and $mac1 taken)"
    vnet_ctl detach lp6 -- detach lp7 >/dev/null || fail "detach lp6, lp7"

    # Rows written straight into the NB by another client.
    local net sw
    net=$(nb_uuid Network net1)
    sw=$(nb_uuid Switch h1)
    ALLOWED_LOG_ERRORS='switch (b1|b2|b3 x|b4|asw): |network (nmtu|anet|nvlan|pv2): |router (rz|rzdup|rseg|rtwo|rover|art|rphys): |datagram from 192\.168\.50\.2:7789|\.key|ep[a-h]: |UDP relay .*restarting it|port_error'
    bad_row Switch b1 '{"name":"b1","remote":"nope","bridge":"br-vnet","datapath_type":"auto","encap_type":"vxlan"}' 'remote'
    bad_row Switch b2 '{"name":"b2","remote":"unix:/nonexistent/db.sock","bridge":"br-phy","datapath_type":"auto","encap_type":"vxlan"}' 'br-phy'
    bad_row Switch 'b3 x' '{"name":"b3 x","remote":"unix:/nonexistent/db.sock","bridge":"br-vnet","datapath_type":"auto","encap_type":"vxlan"}' 'name'
    bad_row Switch b4 '{"name":"b4","remote":"unix:/nonexistent/db.sock","bridge":"a/b","datapath_type":"auto","encap_type":"vxlan"}' 'bridge'
    local ep='{"type":"netns","network":["uuid","'"$net"'"],"switch":["uuid","'"$sw"'"]'
    bad_row Endpoint epa "$ep"',"name":"epa","ip":"10.6.0.5"}' 'outside'
    bad_row Endpoint epb "$ep"',"name":"epb","ip":"10.5.0.40","mac":"01:00:00:00:00:01"}' 'multicast'
    bad_row Endpoint epc "$ep"',"name":"epc","ip":"10.5.0.41","netns":"../etc"}' 'namespace'
    bad_row Endpoint epd "$ep"',"name":"epd","ip":"10.5.0.11"}' '10\.5\.0\.11'
    bad_row Endpoint epe "$ep"',"name":"epe","ip":"10.5.0.42","netns":"'"$SANDBOX_PREFIX"'-ep1"}' 'namespace'
    bad_row Endpoint epf "$ep"',"name":"epf","ip":"10.5.0.1"}' 'gateway'
    bad_row Endpoint epg "$ep"',"name":"epg","ip":"not-an-ip"}' 'not an IPv4'
    bad_row Endpoint eph "$ep"',"name":"eph","ip":"10.5.0.43","mac":"0a:00:00:00:00:zz"}' 'MAC'
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"update","table":"Router","where":[["name","==","r1"]],
         "row":{"uplink_switch":["uuid","'"$sw"'"],"uplink_iface":"br-vnet",
                "uplink_ip":"203.0.113.2/24","uplink_nexthop":"203.0.113.1"}}]' >/dev/null
    wait_until 10 switch_status_has h1 'port_error:br-vnet'
    BAD=$((BAD + 1))
    # Rules that span rows: the row written last is left out, with the
    # reason in the switches' status; what was there keeps what it had.
    local seg n5 n6
    seg=$(net_segment net1)
    vnet_ctl net-add n5 10.30.0.0/16 >/dev/null
    vnet_ctl net-add n6 10.30.128.0/17 >/dev/null
    n5=$(nb_uuid Network n5)
    n6=$(nb_uuid Network n6)
    bad_status network_error:nmtu 'below 68' Network \
        '{"name":"nmtu","cidr":"10.20.0.0/16","segment_id":901,"mtu":20,"gateway_mac":"02:76:6e:00:03:85"}'
    local zone
    zone=$(ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"Router",
          "where":[["name","==","r1"]],"columns":["ct_zone"]}]' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rows"][0]["ct_zone"])')
    bad_status router_error:rzdup "conntrack zone $zone is router r1's" Router \
        '{"name":"rzdup","segment_id":905,"ct_zone":'"$zone"',"uplink_switch":["uuid","'"$sw"'"],"uplink_iface":"up8","uplink_ip":"203.0.113.8/24","uplink_nexthop":"203.0.113.1"}'
    bad_status router_error:rz 'not an even number' Router \
        '{"name":"rz","segment_id":902,"ct_zone":3,"uplink_switch":["uuid","'"$sw"'"],"uplink_iface":"up9","uplink_ip":"203.0.113.9/24","uplink_nexthop":"203.0.113.1"}'
    bad_status router_error:rseg "is network net1's" Router \
        '{"name":"rseg","segment_id":'"$seg"',"ct_zone":902}'
    bad_status router_error:rtwo 'network net1 is on router r1 already' Router \
        '{"name":"rtwo","segment_id":903,"ct_zone":904,"networks":["set",[["uuid","'"$net"'"]]]}'
    bad_status router_error:rover 'networks n5 and n6 overlap' Router \
        '{"name":"rover","segment_id":904,"ct_zone":906,"networks":["set",[["uuid","'"$n5"'"],["uuid","'"$n6"'"]]]}'
    # Physical networks: a VLAN without one, one VLAN for two networks, a
    # router for a network of a LAN, an interface mapped that is the
    # underlay bridge.
    bad_status network_error:nvlan 'VLAN 7 without a physical network' Network \
        '{"name":"nvlan","cidr":"10.40.0.0/24","segment_id":910,"vlan":7,"gateway_mac":"02:76:6e:00:03:8e"}'
    vnet_ctl net-add pv1 10.41.0.0/24 --physnet=lan --vlan=8 >/dev/null
    bad_status network_error:pv2 'VLAN 8 of physical network lan is network pv1' Network \
        '{"name":"pv2","cidr":"10.42.0.0/24","segment_id":911,"physnet":"lan","vlan":8,"gateway_mac":"02:76:6e:00:03:8f"}'
    bad_status router_error:rphys 'network pv1 is on physical network lan' Router \
        '{"name":"rphys","segment_id":912,"ct_zone":912,"networks":["set",[["uuid","'"$(nb_uuid Network pv1)"'"]]]}'
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"update","table":"Switch","where":[["name","==","h1"]],
         "row":{"physnets":["map",[["lan","br-phy"]]]}}]' >/dev/null
    wait_until 10 switch_status_has h1 '"port_error:br-phy", "br-phy is the switch.s underlay bridge'
    BAD=$((BAD + 1))
    # An offload policy no one knows: "off", and the status says why.
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"update","table":"Switch","where":[["name","==","h1"]],
         "row":{"options":["map",[["offload","bogus"]]]}}]' >/dev/null
    wait_until 10 switch_status_has h1 '"offload", "off: options:offload=bogus: expected auto or off"'
    BAD=$((BAD + 1))
    # Row UUIDs chosen to begin as those of rows in use (their first 8
    # digits name interfaces and flow cookies), and a tunnel IP taken: the
    # newcomer is left out even where its name comes first.
    local ep1_uuid h2_ip
    ep1_uuid=$(nb_uuid Endpoint ep1)
    bad_row_uuid Endpoint aep "$(alike "$ep1_uuid")" "$ep"',"name":"aep","ip":"10.5.0.44"}' 'begins as endpoint ep1'
    bad_status network_error:anet 'begins as network net1' Network \
        '{"name":"anet","cidr":"10.21.0.0/16","segment_id":906,"gateway_mac":"02:76:6e:00:03:8a"}' \
        "$(alike "$net")"
    bad_status router_error:art 'begins as router r1' Router \
        '{"name":"art","segment_id":907,"ct_zone":908}' "$(alike "$(nb_uuid Router r1)")"
    h2_ip=$(nb_get encap_ip h2 | tr -d '"')
    sandbox_switch_start h3
    bad_row Switch asw '{"name":"asw","remote":"'"$(sandbox_switch_remote h3)"'","bridge":"br-vnet","datapath_type":"auto","encap_type":"udp","encap_ip":"'"$h2_ip"'"}' "encap IP $h2_ip is switch h2's"
    in_ep ep1 ip link show eth0 >/dev/null || fail "ep1 lost its interface"
    local rows=$((BAD - cli))

    # Lab files, refused before anything is made.
    bad_lab 'unknown line "hots"' 'hots h1 192.168.50.1/24'
    bad_lab 'expected: host NAME' 'host h1 192.168.50.1'
    bad_lab 'expected: network NAME CIDR' 'network net1'
    bad_lab 'expected: endpoint NAME' 'endpoint ep1 net1 h1'
    bad_lab 'expected: nat ROUTER' 'nat r1 masquerade net1'
    bad_lab 'expected: uplink ROUTER' 'uplink r1 h1 203.0.113.2 203.0.113.1'
    local labs=$((BAD - cli - rows))

    # Datagrams into the relay: the old format, a wrong key, a replay, too
    # short to be anything; each counted, none delivered.
    local vid key seq
    vid=$(net_segment net1)
    key=$(nb_relay_key)
    seq=$(date +%s%N)
    forge_relay h2 v1 0 "$vid" 10.5.0.97
    forge_relay h2 not-the-deployment-key-at-all "$seq" "$vid" 10.5.0.98
    forge_relay h2 "$key" "$seq" "$vid" 10.5.0.99
    wait_until 10 knows_neighbor ep1 10.5.0.99
    in_ep ep1 ip neigh flush dev eth0
    forge_relay h2 "$key" "$seq" "$vid" 10.5.0.99
    forge_relay h2 short 0 0 10.5.0.95
    forge_relay h2 "$key" "$((seq + 1))" "$vid" 10.5.0.96
    wait_until 10 knows_neighbor ep1 10.5.0.96
    ! knows_neighbor ep1 10.5.0.97 || fail "datagram without a tag delivered"
    ! knows_neighbor ep1 10.5.0.98 || fail "datagram with another key delivered"
    ! knows_neighbor ep1 10.5.0.99 || fail "replayed datagram delivered"
    wait_until 5 relay_counters_say '1 too short, 0 bad magic, 1 bad version, 1 failed authentication'
    wait_until 5 relay_counters_say '1 failed authentication, 1 replayed'
    BAD=$((BAD + 4))
    local datagrams=$((BAD - cli - rows - labs))

    echo "bad inputs: $BAD ($cli commands, $rows NB rows, $labs lab files, $datagrams relay datagrams)"
    [ "$BAD" -ge 50 ] || fail "only $BAD bad inputs"

    # Through all of it: the same controller, and everything else works.
    assert_eq "$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")" "$vnetd_pid" "ovs-vnetd pid"
    kill -0 "$vnetd_pid" || fail "ovs-vnetd died"
    # The forged sequence numbers were above h2's relay's: it starts over.
    kill "$(cat "$(sandbox_switch_dir h2)"/ovs-vnet-udptun.h2.pid)"
    wait_until 20 reaches ep1 10.5.0.21
    reaches ep2 10.5.0.11 || fail "ep2 -> ep1 after all of it"
    vnet_ctl attach net1 ep3 --switch=h1 --ip=10.5.0.33 --netns="$SANDBOX_PREFIX-ep3" >/dev/null
    wait_until 20 reaches ep3 10.5.0.21

    # A new ovs-vnetd leaves out the rows the old one left out, although
    # their names come first.
    sandbox_vnetd_stop
    sandbox_vnetd_start
    wait_until 20 reaches ep1 10.5.0.21
    wait_until 10 switch_status_has h1 'network_error:anet'
    wait_until 10 switch_status_has h1 'router_error:art'
    ! switch_status_has h1 'network_error:net1' || fail "net1 left out"
    ! switch_status_has h1 'router_error:r1' || fail "r1 left out"
    row_error_matches Endpoint aep 'begins as endpoint ep1' || fail "aep taken in"
    wait_until 10 row_error_matches Switch asw "is switch h2's"
}
