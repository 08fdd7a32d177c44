# The NB database as a Raft cluster of ovsdb-server members, for tests and the
# lab (sourced after sandbox.sh).  Member I lives in $SANDBOX_DIR/nbI: its
# database file, its client socket nb.sock, its Raft socket raft.sock (the
# members talk over Unix sockets: nothing leaves the machine), its pidfile,
# log and control socket.  OVS_VNET_DB becomes the list of every member's
# client socket, as the OVS IDL takes it ("unix:a,unix:b,unix:c").
#
#   sandbox_nb_cluster_start N   creates and starts N members, joins them,
#                                initializes the NB
#   sandbox_nb_member_start I    starts member I again (its file kept)
#   sandbox_nb_member_kill I     kill -9 of member I
#   sandbox_nb_leader            prints the index of the leader (none: fails)
#   sandbox_nb_member_status I   its cluster/status

sandbox_nb_member_dir() { echo "$SANDBOX_DIR/nb$1"; }

sandbox_nb_member_start() {
    local dir
    dir=$(sandbox_nb_member_dir "$1")
    ovsdb-server -vconsole:off "$dir/vnet_nb.db" --remote="punix:$dir/nb.sock" \
        --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
        --unixctl="$dir/ovsdb-server.ctl" --detach --no-chdir
}

sandbox_nb_member_kill() {
    sandbox_kill_pidfile "$(sandbox_nb_member_dir "$1")/ovsdb-server.pid" KILL
}

sandbox_nb_member_status() {
    ovs-appctl --timeout=10 -t "$(sandbox_nb_member_dir "$1")/ovsdb-server.ctl" \
        cluster/status OVS_VNET_Northbound
}

sandbox_nb_leader() {
    local i
    for ((i = 1; i <= ${SANDBOX_NB_MEMBERS:-0}; i++)); do
        if sandbox_nb_member_status "$i" 2>/dev/null | grep -q '^Role: leader'; then
            echo "$i"
            return 0
        fi
    done
    return 1
}

sandbox_nb_cluster_start() {
    local n=$1 i dir first remotes=
    SANDBOX_NB_MEMBERS=$n
    for ((i = 1; i <= n; i++)); do
        dir=$(sandbox_nb_member_dir "$i")
        mkdir -p "$dir"
        if [ "$i" = 1 ]; then
            first=$dir
            ovsdb-tool create-cluster "$dir/vnet_nb.db" "$VNET_SCHEMA" \
                "unix:$dir/raft.sock" || return 1
        else
            ovsdb-tool join-cluster "$dir/vnet_nb.db" OVS_VNET_Northbound \
                "unix:$dir/raft.sock" "unix:$first/raft.sock" || return 1
        fi
        sandbox_nb_member_start "$i" || return 1
        remotes+=${remotes:+,}unix:$dir/nb.sock
    done
    export OVS_VNET_DB=$remotes
    # Every member has joined once each is a follower or the leader.
    local deadline=$((SECONDS + 30))
    for ((i = 1; i <= n; i++)); do
        until sandbox_nb_member_status "$i" 2>/dev/null \
                | grep -q '^Role: \(leader\|follower\)'; do
            [ $SECONDS -lt $deadline ] || { sandbox_log "NB member $i did not join"; return 1; }
            sleep 0.1
        done
    done
    "$OVS_VNET_CTL" --db="$OVS_VNET_DB" -t 10 init
}
