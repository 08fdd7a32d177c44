# Integration tests: ovs-vnet as "make install" leaves it, used from
# outside the source tree: the files where they belong, the services' units
# (systemd-analyze verify), completion from the programs' own command
# tables, the NB helper that creates and converts the database, and the lab
# demo run from the installed files.

# install_here: installs the build into $SANDBOX_DIR/inst; prints the prefix.
# (One install at a time: tests running side by side share the build tree,
# where "make install prefix=..." writes what it makes from the prefix.)
install_here() {
    local d=$SANDBOX_DIR/inst
    flock "$VNET_BUILD/tools/.install.lock" \
        make -s -C "$VNET_BUILD" install prefix="$d" >"$SANDBOX_DIR/install.log" 2>&1 \
        || fail "make install: $(tail -5 "$SANDBOX_DIR/install.log")"
    echo "$d"
}

# complete_words PROG WORD...: what bash completion offers for the last WORD.
complete_words() {
    local prog=$1
    shift
    bash -c '
        . "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        case $1 in
            ovs-vnet-ctl) _ovs_vnet_ctl ;;
            ovs-vnet-lab) _ovs_vnet_lab ;;
        esac
        printf "%s\n" "${COMPREPLY[@]}"' _ \
        "$d/share/bash-completion/completions/$prog" "$prog" "$@"
}

test_installed_files_units_and_completion() {
    local d f
    d=$(install_here)
    for f in bin/ovs-vnet-ctl bin/ovs-vnet-lab bin/ovs-vnet-udptun sbin/ovs-vnetd \
             share/ovs-vnet/vnet.ovsschema share/ovs-vnet/lib/sandbox.sh share/ovs-vnet/lib/nb-cluster.sh \
             share/ovs-vnet/labs/two-hosts.lab share/ovs-vnet/labs/vlans.lab share/ovs-vnet/scripts/ovs-vnet-nb \
             share/man/man8/ovs-vnetd.8 share/man/man8/ovs-vnet-ctl.8 \
             share/man/man8/ovs-vnet-udptun.8 share/man/man1/ovs-vnet-lab.1 \
             share/bash-completion/completions/ovs-vnet-ctl \
             share/bash-completion/completions/ovs-vnet-lab \
             lib/systemd/system/ovs-vnetd.service lib/systemd/system/ovs-vnet-nb.service \
             lib/systemd/system/ovs-vnet.target etc/default/ovs-vnet; do
        [ -e "$d/$f" ] || fail "$f not installed"
    done
    output_has '^ovs-vnet-ctl \(ovs-vnet\) [0-9]' "$d/bin/ovs-vnet-ctl" --version \
        || fail "ovs-vnet-ctl --version"
    output_has "ExecStart=$d/sbin/ovs-vnetd " cat "$d/lib/systemd/system/ovs-vnetd.service" \
        || fail "the unit does not run the installed ovs-vnetd"
    MANPATH=$d/share/man: systemd-analyze verify "$d"/lib/systemd/system/ovs-vnet* \
        > "$SANDBOX_DIR/verify.log" 2>&1 \
        || fail "systemd-analyze verify: $(cat "$SANDBOX_DIR/verify.log")"

    # Completion: every command of the table, a command's own options, the
    # lab's commands.
    local cmd words
    words=$(PATH=$d/bin:$PATH complete_words ovs-vnet-ctl '')
    for cmd in $("$d/bin/ovs-vnet-ctl" --commands | cut -d'|' -f1); do
        printf '%s\n' "$words" | grep -qx -- "$cmd" || fail "no completion for $cmd"
    done
    assert_eq "$(PATH=$d/bin:$PATH complete_words ovs-vnet-ctl attach net1 --sw)" \
        --switch= "options of attach"
    assert_eq "$(PATH=$d/bin:$PATH complete_words ovs-vnet-ctl --wa)" --wait "global options"
    assert_eq "$(PATH=$d/bin:$PATH complete_words ovs-vnet-lab d | sort | tr '\n' ' ')" \
        "demo down " "lab commands"
}

test_nb_helper_creates_and_converts() {
    local d db run
    d=$(install_here)
    run=$SANDBOX_DIR/nbrun
    db=$SANDBOX_DIR/nbdb/vnet_nb.db
    export OVS_RUNDIR=$run OVS_LOGDIR=$run OVS_VNET_NB_FILE=$db
    # First start: the database is made and initialized.
    "$d/share/ovs-vnet/scripts/ovs-vnet-nb" start 2>"$SANDBOX_DIR/nb.err" \
        || fail "ovs-vnet-nb start: $(cat "$SANDBOX_DIR/nb.err")"
    output_has 'created' cat "$SANDBOX_DIR/nb.err" || fail "no database created"
    local ctl=("$d/bin/ovs-vnet-ctl" --db="unix:$run/vnet_nb.sock" -t 10)
    "${ctl[@]}" net-add net1 10.5.0.0/16 >/dev/null || fail "net-add"
    output_has 'running' "$d/share/ovs-vnet/scripts/ovs-vnet-nb" status || fail "status"
    "$d/share/ovs-vnet/scripts/ovs-vnet-nb" stop
    wait_until 5 bash -c "! '$d/share/ovs-vnet/scripts/ovs-vnet-nb' status >/dev/null"

    # A database of the previous schema version is converted on start and
    # keeps its objects.
    rm -f "$db"
    ovsdb-tool create "$db" "$VNET_TOP/tests/data/vnet-1.4.0.ovsschema"
    ovsdb-tool transact "$db" '["OVS_VNET_Northbound",
        {"op":"insert","table":"VNet_Global","row":{}},
        {"op":"insert","table":"Network","row":{"name":"old","cidr":"10.9.0.0/16",
         "gateway":"10.9.0.1","gateway_mac":"02:76:6e:00:00:07","segment_id":7}}]' >/dev/null
    "$d/share/ovs-vnet/scripts/ovs-vnet-nb" start 2>"$SANDBOX_DIR/nb.err" \
        || fail "ovs-vnet-nb start on the old database: $(cat "$SANDBOX_DIR/nb.err")"
    output_has 'converted .* from schema 1\.4\.0' cat "$SANDBOX_DIR/nb.err" \
        || fail "not converted: $(cat "$SANDBOX_DIR/nb.err")"
    assert_eq "$(ovsdb-tool db-version "$db")" \
        "$(ovsdb-tool schema-version "$VNET_TOP/ovsdb/vnet.ovsschema")" "database version"
    output_has '10\.9\.0\.0/16' "${ctl[@]}" net-list || fail "network lost in the conversion"
    [ -e "$db.backup-1.4.0" ] || fail "no copy of the old database"

    # ovs-vnetd as its unit starts and stops it (with this run directory):
    # ovs-appctl finds it by name, as OVS's daemons.
    "$d/sbin/ovs-vnetd" --nb="unix:$run/vnet_nb.sock" --pidfile="$run/ovs-vnetd.pid" \
        --log-file="$run/ovs-vnetd.log" -vconsole:off --detach --no-chdir \
        --switch-records="$run/ovs-vnetd.switches" || fail "ovs-vnetd did not start"
    output_has '^vnetd +OFF ' ovs-appctl -t ovs-vnetd vlog/list \
        || fail "ovs-appctl -t ovs-vnetd vlog/list"
    ovs-appctl -t ovs-vnetd exit || fail "ovs-appctl -t ovs-vnetd exit"
    "$d/share/ovs-vnet/scripts/ovs-vnet-nb" stop
}

test_installed_lab_demo() {
    local d out
    d=$(install_here)
    export OVS_VNET_LAB_DIR=$SANDBOX_DIR/lab OVS_VNET_LAB_PREFIX=${SANDBOX_PREFIX}-lab
    # From outside the source tree, with only the installed programs.
    out=$(cd "$SANDBOX_DIR" && env -u VNET_TOP -u VNET_BUILD -u OVS_VNETD -u OVS_VNET_CTL \
            -u VNET_SCHEMA PATH="$d/bin:$d/sbin:/usr/sbin:/usr/bin:/sbin:/bin" \
            ovs-vnet-lab demo) || fail "installed demo failed: $out"
    assert_contains "$out" "6 of 6 pairs reach each other"
    assert_contains "$out" "outside got: hello from ep11" "the port forward"
    output_has "$d/sbin/ovs-vnetd" ps -eo args || fail "not the installed ovs-vnetd"
    (cd "$SANDBOX_DIR" && PATH="$d/bin:$d/sbin:$PATH" ovs-vnet-lab down) >/dev/null
    [ ! -e "$OVS_VNET_LAB_DIR" ] || fail "lab folder left behind"
    ! output_has "^${OVS_VNET_LAB_PREFIX}-" ip netns list || fail "namespace left behind"
}
