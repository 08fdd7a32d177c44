# Integration tests: switches, the controller and the CLI (connect, status,
# reconnects, restarts, release, bad input).  Each test_* runs in a fresh sandbox.

# Starts the NB database, the controller and the named switches.
start_world() {
    sandbox_nb_start
    sandbox_vnetd_start
    local sw
    for sw; do
        sandbox_switch_start "$sw"
    done
}

# Columns of a switch's bridge, as ovs-vsctl prints them.
br_get() {  # SWITCH BRIDGE COLUMN
    sandbox_vsctl "$1" get Bridge "$2" "$3"
}

count_bridges() {  # SWITCH NAME
    sandbox_vsctl "$1" --bare --columns=name find Bridge name="$2" | grep -c . || true
}

nb_connected() {  # SWITCH
    [ "$(nb_get connected "$1")" = true ]
}

controller_target() {  # SWITCH: the target of br-vnet's controller
    sandbox_vsctl "$1" get Controller \
        "$(sandbox_vsctl "$1" get Bridge br-vnet controller | tr -d '[]')" target \
        | tr -d '"'
}

controller_connected() {  # SWITCH BRIDGE
    [ "$(sandbox_vsctl "$1" get Controller \
            "$(sandbox_vsctl "$1" get Bridge "$2" controller | tr -d '[]')" \
            is_connected)" = true ]
}

# The switch as ovs-vnet should leave it after "connect": checked with the real
# tools, in the switch's own database and over OpenFlow.
check_switch_configured() {  # SWITCH [BRIDGE]
    local sw=$1 br=${2:-br-vnet}
    assert_eq "$(count_bridges "$sw" "$br")" 1 "bridges named $br on $sw"
    assert_eq "$(br_get "$sw" "$br" datapath_type)" "$SANDBOX_DATAPATH" "datapath type"
    assert_eq "$(br_get "$sw" "$br" fail_mode)" secure "fail_mode"
    assert_eq "$(br_get "$sw" "$br" external_ids:ovs-vnet-switch)" "$sw" \
        "ownership mark"
    wait_until 15 controller_connected "$sw" "$br"
    wait_until 15 nb_connected "$sw"
    assert_eq "$(nb_get of_state "$sw")" '"active"' "NB of_state"
    local dpid
    dpid=$(br_get "$sw" "$br" datapath_id | tr -d '"')
    assert_eq "$(nb_get datapath_id "$sw")" "\"$dpid\"" "NB datapath_id"
    assert_eq "$(nb_get last_error "$sw")" '["set", []]' "NB last_error"
    # Plain ovs-ofctl works on our bridge (OpenFlow 1.0 is enabled for it).
    sandbox_ofctl "$sw" dump-flows "$br" >/dev/null || fail "ovs-ofctl dump-flows"
}

test_connect_creates_bridge() {
    start_world sw1
    local out
    out=$(vnet_ctl --wait connect "$(sandbox_switch_remote sw1)")
    assert_eq "$out" sw1 "connect prints the switch name (from its system-id)"
    check_switch_configured sw1
    # The switch retries within a second and sends no inactivity probes.
    assert_eq "$(sandbox_vsctl sw1 get Controller . max_backoff inactivity_probe \
                 | tr '\n' ' ')" "1000 0 " "the Controller row"
    assert_eq "$(nb_get applied_cfg sw1)" "$(nb_cfg)" "applied_cfg reaches nb_cfg"

    # show and switch-list, for people and for scripts.
    out=$(vnet_ctl show)
    assert_contains "$out" "switch sw1 ("
    assert_contains "$out" "connected: true"
    assert_contains "$out" "openflow: active (OpenFlow15)"
    out=$(vnet_ctl -f json show)
    assert_eq "$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin);
s=d["switches"][0]; print(s["name"], s["connected"], s["status"]["datapath_type"])')" \
        "sw1 True $SANDBOX_DATAPATH" "show -f json"
    out=$(vnet_ctl switch-list)
    assert_contains "$out" "sw1"
    assert_contains "$out" "active"
    out=$(vnet_ctl -f json switch-list)
    echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin);
assert d["headings"][0] == "name" and d["data"][0][0] == "sw1", d' \
        || fail "switch-list -f json"
}

test_connect_plain_tcp_remote() {
    # A switch that listens on tcp:127.0.0.1:6640, with the controller and the CLI
    # on the same host (here: inside the switch's namespace, sharing its run
    # directory as they would share /var/run/openvswitch on a real machine).
    sandbox_nb_start
    sandbox_switch_start sw1 --tcp=6640
    local dir; dir=$(sandbox_switch_dir sw1)
    sandbox_netns_exec sw1 env OVS_RUNDIR="$dir" OVS_LOGDIR="$dir" "$OVS_VNETD" \
        -vconsole:off --nb="$OVS_VNET_DB" --pidfile --log-file --detach --no-chdir
    local out
    out=$(sandbox_netns_exec sw1 env OVS_RUNDIR="$dir" "$OVS_VNET_CTL" -t 30 \
          --wait connect tcp:127.0.0.1:6640)
    assert_eq "$out" sw1 "default name from the switch's system-id"
    assert_eq "$(nb_get remote sw1)" '"tcp:127.0.0.1:6640"' "NB remote"
    check_switch_configured sw1
    # ovs-appctl finds the daemon in the run directory, as with any OVS daemon.
    sandbox_netns_exec sw1 env OVS_RUNDIR="$dir" ovs-appctl -t ovs-vnetd version \
        | grep -q ovs-vnetd || fail "ovs-appctl -t ovs-vnetd version"
}

test_two_switches() {
    start_world sw1 sw2
    vnet_ctl connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl connect "$(sandbox_switch_remote sw2)" --name=second \
        --bridge=br-int >/dev/null
    vnet_ctl --wait sync
    check_switch_configured sw1
    wait_until 15 nb_connected second
    assert_eq "$(br_get sw2 br-int fail_mode)" secure "second switch bridge"
    assert_eq "$(count_bridges sw2 br-vnet)" 0 "no default bridge on sw2"
    assert_eq "$(vnet_ctl -f csv --no-headings switch-list | cut -d, -f1 | tr '\n' ' ')" \
        "second sw1 " "both listed, sorted"
}

test_switch_ovsdb_restart() {
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    check_switch_configured sw1
    local uuid; uuid=$(sandbox_vsctl sw1 get Bridge br-vnet _uuid)

    sandbox_switch_db_restart sw1
    wait_until 20 nb_connected sw1
    vnet_ctl --wait sync
    check_switch_configured sw1
    assert_eq "$(sandbox_vsctl sw1 get Bridge br-vnet _uuid)" "$uuid" \
        "bridge kept, not recreated"
    assert_eq "$(sandbox_vsctl sw1 --bare --columns=_uuid list Controller | grep -c .)" 1 \
        "one controller row"
}

test_switch_vswitchd_restart() {
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    local dpid; dpid=$(nb_get datapath_id sw1)
    sandbox_switch_vswitchd_restart sw1
    wait_until 20 nb_connected sw1
    check_switch_configured sw1
    assert_eq "$(nb_get datapath_id sw1)" "$dpid" "same datapath id"
}

# Where a switch lives comes from the switch, not from what an NB row says:
# a pidfile planted in a switch's run directory, naming a process that is no
# ovs-vswitchd (or a relay), does not make ovs-vnetd enter that process's
# namespace or signal it.
test_planted_pidfiles_are_ignored() {
    start_world
    local victim=$SANDBOX_PREFIX-victim dir=$SANDBOX_DIR/rogue pid
    ip netns add "$victim"
    ip netns exec "$victim" sleep 120 &
    pid=$!
    mkdir -p "$dir"
    echo "$pid" > "$dir/ovs-vswitchd.pid"
    echo "$pid" > "$dir/ovs-vnet-udptun.rogue.pid"
    vnet_ctl connect "unix:$dir/db.sock" --name=rogue >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    vnet_ctl attach net1 ep1 --switch=rogue --netns="$SANDBOX_PREFIX-ep1" >/dev/null
    sleep 3
    if grep "ovs-vswitchd is pid $pid" "$SANDBOX_DIR/vnetd/ovs-vnetd.log"; then
        fail "took pid $pid for the switch's ovs-vswitchd"
    fi
    assert_eq "$(ip -n "$victim" -o link show | grep -vc ': lo:')" 0 \
        "devices created in the other process's namespace"
    kill -0 "$pid" || fail "the other process was signalled"
    kill "$pid"
    wait "$pid" 2>/dev/null || true
}

# Where a switch lives is ovs-vnetd's to know (--switch-rundir, else its
# socket's folder), not an NB string's: a row's options:rundir, which chose
# where ovs-vnetd read pidfiles and made sockets, is ignored.
test_rundir_is_not_the_nb_s_to_say() {
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    local dir=$SANDBOX_DIR/elsewhere socket
    mkdir -p "$dir"
    socket=$(nb_get status sw1 | grep -o '"openflow_socket", "[^"]*"')
    nb_transact '["OVS_VNET_Northbound",{"op":"mutate","table":"Switch",
        "where":[["name","==","sw1"]],
        "mutations":[["options","insert",["map",[["rundir","'"$dir"'"]]]]]}]'
    vnet_ctl --wait sync
    sleep 2
    assert_eq "$(nb_get status sw1 | grep -o '"openflow_socket", "[^"]*"')" "$socket" \
        "OpenFlow socket"
    assert_eq "$(ls -A "$dir")" "" "files made in the folder the row named"
    nb_connected sw1 || fail "switch disconnected"
}

# An NB database created anew (by mistake) has no switches in it, but that
# is no order to tear every switch down: nothing is touched until "init".
test_empty_nb_touches_nothing_until_init() {
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    vnet_ctl --wait attach net1 ep1 --switch=sw1 --ip=10.5.0.11 \
        --netns="$SANDBOX_PREFIX-ep1" >/dev/null
    local flows; flows=$(sandbox_ofctl sw1 --no-stats dump-flows br-vnet | sort)

    local log=$SANDBOX_DIR/vnetd/ovs-vnetd.log n
    n=$(grep -c 'vnet_nb.sock: connected' "$log")
    sandbox_nb_stop
    rm "$SANDBOX_DIR/nb/vnet_nb.db"
    ovsdb-tool create "$SANDBOX_DIR/nb/vnet_nb.db" "$VNET_SCHEMA"
    ovsdb-server -vconsole:off "$SANDBOX_DIR/nb/vnet_nb.db" \
        --remote="punix:$SANDBOX_DIR/nb/vnet_nb.sock" \
        --pidfile="$SANDBOX_DIR/nb/ovsdb-server.pid" \
        --log-file="$SANDBOX_DIR/nb/ovsdb-server.log" \
        --unixctl="$SANDBOX_DIR/nb/ovsdb-server.ctl" --detach --no-chdir
    wait_until 15 eval '[ "$(grep -c "vnet_nb.sock: connected" "$log")" -gt "$n" ]'
    sleep 2
    assert_eq "$(count_bridges sw1 br-vnet)" 1 "bridge kept"
    assert_eq "$(sandbox_ofctl sw1 --no-stats dump-flows br-vnet | sort)" "$flows" \
        "flows kept"
    assert_eq "$(ip -n "$SANDBOX_PREFIX-ep1" -o -4 addr show dev eth0 | awk '{print $4}')" \
        10.5.0.11/16 "endpoint kept"
    grep -q 'is not initialized' "$log" || fail "nothing in the log"

    # Once initialized, the NB is what is wanted: no switch.
    vnet_ctl init
    wait_until 15 eval '[ "$(count_bridges sw1 br-vnet)" = 0 ]'
}

# Commands run at the same time by several clients still allocate distinct
# segment ids, conntrack zones, IPs and MACs: of two transactions that read
# the same state, the later one is done again.
test_concurrent_commands_allocate_distinct_values() {
    sandbox_nb_start
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    # No ovs-vnetd runs: only the NB rows are made.
    vnet_ctl connect "unix:$SANDBOX_DIR/none.sock" --name=sw0 >/dev/null
    local i pids=()
    for i in $(seq 1 10); do
        vnet_ctl router-add "r$i" & pids+=($!)
        vnet_ctl net-add "n$i" "10.$((10 + i)).0.0/16" >/dev/null & pids+=($!)
        vnet_ctl attach net1 "p$i" --switch=sw0 --netns="$SANDBOX_PREFIX-p$i" \
            >/dev/null & pids+=($!)
    done
    for i in "${pids[@]}"; do
        wait "$i" || fail "a command failed"
    done
    local q
    q() {  # TABLE COLUMN: every value of COLUMN in TABLE, one per line
        ovsdb-client --timeout=10 -f csv --no-headings query "$OVS_VNET_DB" \
            '["OVS_VNET_Northbound",{"op":"select","table":"'"$1"'","where":[],
              "columns":["'"$2"'"]}]' \
            | python3 -c 'import json,sys
for r in json.load(sys.stdin)[0]["rows"]: print(list(r.values())[0])'
    }
    assert_eq "$(q Router ct_zone | sort | uniq -d)" "" "routers sharing a zone"
    assert_eq "$(q Router ct_zone | wc -l)" 10 "routers"
    assert_eq "$( (q Router segment_id; q Network segment_id) | sort | uniq -d)" "" \
        "segment ids used twice"
    assert_eq "$(q Endpoint ip | sort | uniq -d)" "" "IPs used twice"
    assert_eq "$(q Endpoint mac | sort | uniq -d)" "" "MACs used twice"
    assert_eq "$(q Endpoint ip | wc -l)" 10 "endpoints"
}

# Idle means idle, also while a switch's ovs-vswitchd is down (as during an
# upgrade or after a crash): no busy wake-ups.
test_idle_while_vswitchd_down() {
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    vnet_ctl --wait attach net1 ep1 --switch=sw1 --netns="$SANDBOX_PREFIX-ep1" >/dev/null
    sandbox_kill_pidfile "$(sandbox_switch_dir sw1)/ovs-vswitchd.pid"
    wait_until 15 eval '[ "$(nb_get connected sw1)" = false ]'
    sleep 2
    local pid t0 t1 hz; pid=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
    hz=$(getconf CLK_TCK)
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep 5
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    # 5% of a core at most over the 5 s, 0.25 s (a busy loop is 100%).
    [ $(( (t1 - t0) * 100 )) -le $(( 25 * hz )) ] \
        || fail "ovs-vnetd used $((t1 - t0)) ticks of CPU in 5 s (at $hz a second) with the switch down"
    sandbox_switch_vswitchd_start sw1
    vnet_ctl --wait sync
}

test_controller_kill9_restart() {
    start_world sw1 sw2
    vnet_ctl connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl connect "$(sandbox_switch_remote sw2)" >/dev/null
    vnet_ctl --wait sync
    local before1 before2 sock
    before1=$(sandbox_vsctl sw1 --columns=_uuid,name,ports list Bridge)
    before2=$(sandbox_vsctl sw2 --columns=_uuid,name,ports list Bridge)
    sock=$(sandbox_switch_dir sw1)/br-vnet.vnetd
    assert_eq "$(controller_target sw1)" "unix:$sock" "the first socket"

    local i
    for i in 1 2; do
        sandbox_vnetd_kill
        # The NB still says connected (nobody is left to say otherwise); the
        # restarted controller must find everything in place, and listen on
        # the socket the bridge's controller did not name (ovs-vswitchd
        # connects to a new target at once, to the old one only on the next
        # second of its backoff).  The killed one's socket goes.
        sandbox_vnetd_start
        vnet_ctl --wait sync
        check_switch_configured sw1
        check_switch_configured sw2
        assert_eq "$(sandbox_vsctl sw1 --columns=_uuid,name,ports list Bridge)" \
            "$before1" "sw1 unchanged: same bridge and ports"
        assert_eq "$(sandbox_vsctl sw2 --columns=_uuid,name,ports list Bridge)" \
            "$before2" "sw2 unchanged"
        if [ $i = 1 ]; then
            assert_eq "$(controller_target sw1)" "unix:$sock.1" "the other socket"
            [ ! -e "$sock" ] || fail "the killed controller's socket left"
        else
            assert_eq "$(controller_target sw1)" "unix:$sock" "back to the first"
            [ ! -e "$sock.1" ] || fail "the killed controller's socket left"
        fi
        assert_eq "$(nb_get status sw1 | grep -o '"openflow_socket", "[^"]*"')" \
            "\"openflow_socket\", \"${sock}$([ $i = 1 ] && echo .1)\"" \
            "the socket in the status"
    done
    assert_eq "$(vnet_ctl -f csv --no-headings switch-list | wc -l)" 2 \
        "no duplicate NB rows"
}

test_disconnect_removes_only_ours() {
    start_world sw1
    sandbox_vsctl sw1 add-br br-mine -- set Bridge br-mine datapath_type="$SANDBOX_DATAPATH"
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    check_switch_configured sw1
    local sock; sock=$(sandbox_switch_dir sw1)/br-vnet.vnetd
    [ -S "$sock" ] || fail "controller socket $sock missing"

    vnet_ctl --wait disconnect sw1
    assert_eq "$(count_bridges sw1 br-vnet)" 0 "our bridge removed"
    assert_eq "$(count_bridges sw1 br-mine)" 1 "other bridge untouched"
    assert_eq "$(sandbox_vsctl sw1 --bare --columns=_uuid list Controller | grep -c . || true)" 0 \
        "controller row gone"
    [ ! -e "$sock" ] || fail "controller socket left behind"
    assert_eq "$(vnet_ctl -f csv --no-headings switch-list)" "" "NB row gone"

    # Connect again: everything comes back.
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    check_switch_configured sw1
}

test_foreign_bridge_not_adopted() {
    start_world sw1
    sandbox_vsctl sw1 add-br br-vnet -- set Bridge br-vnet datapath_type="$SANDBOX_DATAPATH"
    local before; before=$(sandbox_vsctl sw1 --columns=_uuid,name,controller,fail_mode,external_ids,ports,protocols,datapath_type list Bridge br-vnet)
    vnet_ctl connect "$(sandbox_switch_remote sw1)" >/dev/null
    wait_until 15 bash -c "$(declare -f nb_get); OVS_VNET_DB=$OVS_VNET_DB \
        nb_get last_error sw1 | grep -q 'not managed by ovs-vnet'"
    assert_eq "$(nb_get connected sw1)" false "not connected"
    vnet_ctl disconnect sw1
    vnet_ctl --wait sync
    assert_eq "$(sandbox_vsctl sw1 --columns=_uuid,name,controller,fail_mode,external_ids,ports,protocols,datapath_type list Bridge br-vnet)" "$before" \
        "foreign bridge untouched, also after disconnect"
}

test_bad_input() {
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    wait_until 15 nb_connected sw1
    local before; before=$(nb_dump)
    local sw1; sw1=$(sandbox_switch_remote sw1)

    expect_error 'unknown OVSDB remote' vnet_ctl connect foo:bar
    expect_error 'invalid port' vnet_ctl connect tcp:127.0.0.1:99999
    expect_error 'not an IPv4 address' vnet_ctl connect tcp:not-an-ip
    expect_error 'passive remote' vnet_ctl connect ptcp:6640
    expect_error 'already exists' vnet_ctl connect unix:/nonexistent.sock --name=sw1
    expect_error 'already connected as switch sw1' vnet_ctl connect "$sw1" --name=other
    expect_error 'cannot reach the switch' vnet_ctl connect unix:/nonexistent.sock
    expect_error 'switch name' vnet_ctl connect "$sw1" --name='bad name'
    expect_error 'bridge name' vnet_ctl connect "$sw1" --name=x --bridge=a-very-long-bridge
    expect_error 'expected auto, system or netdev' vnet_ctl connect "$sw1" --name=x --datapath=fast
    expect_error 'not an IPv4 address' vnet_ctl connect "$sw1" --name=x --encap-ip=1.2.3
    expect_error 'unknown option --colour' vnet_ctl connect "$sw1" --colour=red
    expect_error 'missing argument' vnet_ctl connect
    expect_error 'no switch named nosuch' vnet_ctl disconnect nosuch
    expect_error "unknown command 'frobnicate'" vnet_ctl frobnicate
    expect_error 'is not table, json' vnet_ctl -f yaml show
    expect_error 'connection failed' "$OVS_VNET_CTL" --db=unix:/nonexistent/nb.sock show
    expect_error 'connection failed' "$OVS_VNET_CTL" --db=tcp:127.0.0.1:1 connect "$sw1" --name=x
    vnet_ctl disconnect nosuch --if-exists
    vnet_ctl --dry-run connect unix:/nonexistent.sock --name=dry --bridge=br-dry >/dev/null
    assert_eq "$(nb_dump)" "$before" "NB unchanged by bad input and --dry-run"
}

test_invalid_row_from_other_client() {
    start_world sw1
    # Another OVSDB client writes a row ovs-vnet-ctl would have refused.
    ovsdb-client --timeout=10 transact "$OVS_VNET_DB" '["OVS_VNET_Northbound",
        {"op":"insert","table":"Switch","row":{"name":"bogus",
         "remote":"tcp:not-an-address","bridge":"br-vnet",
         "datapath_type":"auto","encap_type":"vxlan"}}]' >/dev/null
    # --wait says that switch cannot apply the change, rather than waiting
    # for it forever; the change is in, and the good switch connects.
    expect_error 'switch bogus cannot apply the change: .*not an IPv4 address' \
        vnet_ctl --wait connect "$(sandbox_switch_remote sw1)"
    wait_until 15 nb_connected sw1
    sandbox_vnetd_appctl version >/dev/null || fail "controller died"
    ALLOWED_LOG_ERRORS='switch bogus: .*not an IPv4 address'
}

test_unixctl() {
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    sandbox_vnetd_appctl version | grep -q 'ovs-vnetd' || fail "version"
    assert_eq "$(sandbox_vnetd_appctl switch/list)" \
        "sw1: connected, openflow active, in sync" "switch/list"
    sandbox_vnetd_appctl vlog/set switch_session:dbg
    sandbox_vnetd_appctl vlog/list | grep -E '^switch_session +[A-Z]+ +[A-Z]+ +DBG' \
        >/dev/null || fail "vlog/set did not take"
    local pid; pid=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
    sandbox_vnetd_appctl exit
    wait_until 10 bash -c "$(declare -f sandbox_pid_alive); ! sandbox_pid_alive $pid"
    # The switch keeps its bridge; the controller is simply gone.
    assert_eq "$(count_bridges sw1 br-vnet)" 1 "bridge stays after exit"
}

test_switch_not_on_this_machine_leaves_ovs_vnetd_idle() {
    # A switch on another machine (another host's ovs-vnetd serves it) is
    # reported, and costs this one nothing: its session waited on timers of
    # what it never runs, and woke at once, again and again (a core busy).
    ALLOWED_LOG_ERRORS='switch far1: .* is not on this machine'
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    nb_transact '["OVS_VNET_Northbound",{"op":"insert","table":"Switch",
        "row":{"name":"far1","bridge":"br-vnet","encap_type":"vxlan",
               "remote":"tcp:198.51.100.1:6640","datapath_type":"auto"}}]'
    wait_until 5 output_has 'is not on this machine' nb_get last_error far1
    sleep 1.5                   # (Past its first verification round.)
    vnetd_idles 2 || fail "ovs-vnetd busy beside a switch it does not serve"
}

test_switch_gone_before_its_database_answers_is_released() {
    # A switch deleted before its database first answered (within the second
    # its OpenFlow socket's choice waits for it) is released all the same,
    # and costs nothing meanwhile: its run waited for that choice, which a
    # switch being released never makes, and woke at once, again and again.
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    sandbox_switch_start sw2
    local db_pid; db_pid=$(cat "$(sandbox_switch_dir sw2)/ovsdb-server.pid")
    kill -STOP "$db_pid"
    vnet_ctl connect "$(sandbox_switch_remote sw2)" --name=sw2 >/dev/null
    sleep 0.3
    vnet_ctl disconnect sw2 >/dev/null
    sleep 1.5
    local idle=true
    vnetd_idles 2 || idle=false
    kill -CONT "$db_pid"
    $idle || fail "ovs-vnetd busy with a switch being released"
    vnet_ctl --wait --timeout=15 sync || fail "the switch was never released"
}

test_vswitchd_down_with_an_endpoint_in_error_leaves_ovs_vnetd_idle() {
    # An endpoint that cannot be attached is tried again every second; with
    # ovs-vswitchd down (the attacher then touches nothing), that retry's
    # time stayed in the past and every pass was a full run.
    ALLOWED_LOG_ERRORS='has an interface eth0 that is not its peer|creating the veth pair failed'
    start_world sw1
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    local bad=$SANDBOX_PREFIX-bad
    ip netns add "$bad"
    ip -n "$bad" link add eth0 type veth peer name x0
    vnet_ctl attach net1 bad --switch=sw1 --netns="$bad" >/dev/null
    wait_until 5 output_has 'has an interface eth0 of its own' vnet_ctl ep-list
    sandbox_kill_pidfile "$(sandbox_switch_dir sw1)/ovs-vswitchd.pid" KILL
    sleep 1.5
    vnetd_idles 2 || fail "ovs-vnetd busy while ovs-vswitchd is down"
    ip netns delete "$bad"
}
