# Integration tests: the NB database and a switch over ssl:, with
# certificates made by ovs-pki; a client whose certificate our authority did
# not sign is refused.  As on one host: the NB, the controller and the CLI
# run in the switch's namespace, all on 127.0.0.1.

# ssl_nb_start: the NB ovsdb-server on ssl:127.0.0.1:6641 (and its unix
# socket for the test's own queries), in sw1's namespace.
ssl_nb_start() {
    local dir=$SANDBOX_DIR/nb
    mkdir -p "$dir"
    ovsdb-tool create "$dir/vnet_nb.db" "$VNET_SCHEMA" || return 1
    # shellcheck disable=SC2046
    sandbox_netns_exec sw1 ovsdb-server -vconsole:off "$dir/vnet_nb.db" \
        --remote="punix:$dir/vnet_nb.sock" --remote=pssl:6641:127.0.0.1 \
        $(sandbox_ssl_options nb) \
        --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
        --unixctl="$dir/ovsdb-server.ctl" --detach --no-chdir || return 1
    export OVS_VNET_DB=unix:$dir/vnet_nb.sock
}

# ssl_ctl WHO ARGS...: ovs-vnet-ctl over ssl with WHO's certificate, in sw1's
# namespace, where the switch's run directory is its own.
ssl_ctl() {
    local who=$1; shift
    # shellcheck disable=SC2046
    sandbox_netns_exec sw1 env OVS_RUNDIR="$(sandbox_switch_dir sw1)" \
        "$OVS_VNET_CTL" -t 20 --db=ssl:127.0.0.1:6641 \
        $(sandbox_ssl_options "$who") "$@"
}

test_ssl_remotes() {
    sandbox_pki
    sandbox_switch_start sw1 --ssl=6640
    ssl_nb_start
    local dir; dir=$(sandbox_switch_dir sw1)
    mkdir -p "$SANDBOX_DIR/vnetd"
    # In the switch's network namespace only (nsenter, unlike "ip netns
    # exec", keeps the mount namespace: the endpoints' namespaces it makes
    # must be seen by all).
    # shellcheck disable=SC2046
    nsenter --net="/run/netns/$(sandbox_netns sw1)" \
        env OVS_RUNDIR="$dir" "$OVS_VNETD" -vconsole:off \
        --nb=ssl:127.0.0.1:6641 $(sandbox_ssl_options vnetd) \
        --pidfile="$SANDBOX_DIR/vnetd/ovs-vnetd.pid" \
        --log-file="$SANDBOX_DIR/vnetd/ovs-vnetd.log" \
        --unixctl="$SANDBOX_DIR/vnetd/ovs-vnetd.ctl" --detach --no-chdir
    ALLOWED_LOG_ERRORS='ssl:|SSL|ssl_|certificate|stream_ssl|connection dropped'

    ssl_ctl ctl init
    assert_eq "$(ssl_ctl ctl --wait connect ssl:127.0.0.1:6640 --name=sw1)" sw1 \
        "connect over ssl"
    assert_eq "$(nb_get remote sw1)" '"ssl:127.0.0.1:6640"' "NB remote"
    ssl_ctl ctl net-add net1 10.5.0.0/16 >/dev/null
    ssl_ctl ctl --wait attach net1 ep1 --switch=sw1 --ip=10.5.0.11 \
        --netns="$SANDBOX_PREFIX-ep1" >/dev/null
    ssl_ctl ctl --wait attach net1 ep2 --switch=sw1 --ip=10.5.0.12 \
        --netns="$SANDBOX_PREFIX-ep2" >/dev/null
    reaches ep1 10.5.0.12 || fail "ep1 -> ep2, configured over ssl"
    assert_eq "$(nb_get connected sw1)" true "switch connected over ssl"

    # A certificate that our authority did not sign, and none at all: no
    # way in, and nothing changes.
    local before; before=$(nb_dump)
    local out rc
    out=$(ssl_ctl outsider -t 3 net-add net2 10.6.0.0/16 2>&1) && rc=0 || rc=$?
    [ "$rc" != 0 ] || fail "a client with a foreign certificate got in: $out"
    out=$(sandbox_netns_exec sw1 "$OVS_VNET_CTL" -t 3 --db=ssl:127.0.0.1:6641 \
          net-add net2 10.6.0.0/16 2>&1) && rc=0 || rc=$?
    [ "$rc" != 0 ] || fail "a client without a certificate got in: $out"
    grep -q 'certificate' "$SANDBOX_DIR/nb/ovsdb-server.log" \
        || fail "the NB server did not say why: $(tail -3 "$SANDBOX_DIR/nb/ovsdb-server.log")"
    assert_eq "$(nb_dump)" "$before" "NB unchanged"
}
