# OVN 23.03 (Debian's ovn-central and ovn-host) on sandboxed switch sw1 of
# tests/lib/sandbox.sh, for benchmarks side by side with ovs-vnet: NB and SB
# ovsdb-servers and ovn-northd under $SANDBOX_DIR/ovn, ovn-controller in the
# switch's namespace, and logical switch ls1.  The caller defines fail().

# ovn_nbctl ARGS...: ovn-nbctl on the sandbox's NB ($OVN_NBCTL_TIMEOUT
# seconds at most, 30 by default).
ovn_nbctl() {
    ovn-nbctl --db="unix:$SANDBOX_DIR/ovn/nb.sock" \
        --timeout="${OVN_NBCTL_TIMEOUT:-30}" "$@"
}

ovn_world() {
    local d=$SANDBOX_DIR/ovn db
    mkdir -p "$d"
    for db in nb sb; do
        ovsdb-tool create "$d/$db.db" "/usr/share/ovn/ovn-$db.ovsschema" \
            || fail "OVN $db"
        ovsdb-server -vconsole:off "$d/$db.db" --remote="punix:$d/$db.sock" \
            --pidfile="$d/ovsdb-$db.pid" --log-file="$d/ovsdb-$db.log" \
            --unixctl="$d/ovsdb-$db.ctl" --detach --no-chdir \
            || fail "OVN $db server"
    done
    OVN_RUNDIR=$d ovn-northd -vconsole:off --ovnnb-db="unix:$d/nb.sock" \
        --ovnsb-db="unix:$d/sb.sock" --pidfile="$d/ovn-northd.pid" \
        --log-file="$d/ovn-northd.log" --detach --no-chdir || fail "ovn-northd"
    sandbox_switch_start sw1 || fail "switch"
    sandbox_vsctl sw1 set Open_vSwitch . \
        external_ids:ovn-remote="unix:$d/sb.sock" \
        external_ids:ovn-encap-type=geneve external_ids:ovn-encap-ip=127.0.0.1 \
        external_ids:ovn-bridge-datapath-type="$SANDBOX_DATAPATH"
    local sw; sw=$(sandbox_switch_dir sw1)
    sandbox_netns_exec sw1 env OVS_RUNDIR="$sw" OVN_RUNDIR="$d" ovn-controller \
        -vconsole:off "unix:$sw/db.sock" --pidfile="$d/ovn-controller.pid" \
        --log-file="$d/ovn-controller.log" --detach --no-chdir \
        || fail "ovn-controller"
    ovn_nbctl ls-add ls1 || fail "ls-add"
    wait_until 30 sandbox_vsctl sw1 br-exists br-int || fail "br-int"
}

# ovn_pid NAME: the pid of ovn-controller, ovn-northd, ovsdb-nb or ovsdb-sb.
ovn_pid() {
    cat "$SANDBOX_DIR/ovn/$1.pid"
}
