# Sandboxed Open vSwitch switches and an ovs-vnet NB database, for tests and tools.
#
# Source this file, then:
#   sandbox_init [PREFIX [DIR]]  per-run prefix and folder (DIR: a fixed one); tears
#                                everything down on exit, also on failure (trap),
#                                unless SANDBOX_PERSIST=1 (a lab that outlives its
#                                command; sandbox_cleanup then removes it)
#   sandbox_nb_start             NB ovsdb-server on a unix socket; exports OVS_VNET_DB
#   sandbox_switch_start NAME [--tcp=PORT] [--ssl=PORT] [--datapath=netdev|system] [--tso]
#                                an isolated switch: its own network namespace
#                                "$SANDBOX_PREFIX-NAME", ovsdb-server and ovs-vswitchd
#                                (datapath $SANDBOX_DATAPATH unless given) with
#                                their own run/db/log folder;
#                                OVSDB on unix:$(sandbox_switch_dir NAME)/db.sock and,
#                                with --tcp, on tcp:127.0.0.1:PORT inside the namespace;
#                                with --ssl, on ssl:127.0.0.1:PORT there (sandbox_pki
#                                first)
#   sandbox_switch_remote NAME   prints the switch's unix OVSDB remote
#   sandbox_switch_dir NAME      prints the switch's run/db/log folder
#   sandbox_vsctl NAME ARGS...   ovs-vsctl on that switch
#   sandbox_ofctl NAME ARGS...   ovs-ofctl on that switch (bridges by name)
#   sandbox_appctl NAME TARGET ARGS...  ovs-appctl to a daemon of that switch
#   sandbox_netns_exec NAME CMD...      run CMD in the switch's namespace
#   sandbox_switch_stop NAME, sandbox_switch_db_restart NAME,
#   sandbox_switch_vswitchd_restart NAME
#   sandbox_underlay_start       an underlay network: a bridge "ul" in namespace
#                                "$SANDBOX_PREFIX-ul" (never the default one)
#   sandbox_switch_underlay NAME IP/PLEN
#                                joins switch NAME to it with interface "ul0"
#   sandbox_vnetd_start [ARGS...], sandbox_vnetd_stop, sandbox_vnetd_kill
#   sandbox_check_logs [EXTRA-ALLOWED-REGEX]  fails on unexpected WARN/ERR lines
#   sandbox_cleanup              what the trap runs
#
# It never touches the default namespace's interfaces, nor an Open vSwitch that the
# machine itself runs: every daemon has its own folder (OVS_RUNDIR and friends) and
# every switch its own network namespace.
#
# SANDBOX_DATAPATH chooses the switches' datapath: "netdev" (the default: the
# userspace datapath, started with --disable-system so that no kernel datapath
# is ever touched) or "system" (the kernel module's; kernel datapaths belong to
# a network namespace, so each switch still has its own).  "system" needs the
# openvswitch module loaded: tests/vm/ boots a guest that has it.
#
# SANDBOX_VSWITCHD_ARGS: more options for ovs-vswitchd (e.g. --enable-dummy,
# for ports of type "dummy" that need no device: many of them are cheap).

: "${VNET_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${VNET_BUILD:=$VNET_TOP}"
VNET_SCHEMA=${VNET_SCHEMA:-$VNET_TOP/ovsdb/vnet.ovsschema}
OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
OVS_VNETD=${OVS_VNETD:-$VNET_BUILD/controller/ovs-vnetd}
OVS_VNET_CTL=${OVS_VNET_CTL:-$VNET_BUILD/tools/ovs-vnet-ctl}
OVS_VNET_UDPTUN=${OVS_VNET_UDPTUN:-$VNET_BUILD/tools/ovs-vnet-udptun}
SANDBOX_DATAPATH=${SANDBOX_DATAPATH:-netdev}

sandbox_log() { echo "sandbox: $*" >&2; }

sandbox_init() {
    SANDBOX_PREFIX=${1:-vn$$}
    if [ -n "${2:-}" ]; then
        SANDBOX_DIR=$2
        mkdir -p "$SANDBOX_DIR"
    else
        SANDBOX_DIR=$(mktemp -d "/tmp/ovs-vnet.$SANDBOX_PREFIX.XXXXXX")
    fi
    export SANDBOX_PREFIX SANDBOX_DIR SANDBOX_DATAPATH
    case $SANDBOX_DATAPATH in
        netdev) ;;
        system)
            if [ ! -d /sys/module/openvswitch ]; then
                sandbox_log "SANDBOX_DATAPATH=system: the openvswitch module is not loaded"
                return 1
            fi ;;
        *) sandbox_log "SANDBOX_DATAPATH: expected netdev or system"; return 1 ;;
    esac
    # Nothing of ours may talk to the machine's own OVS by accident.
    export OVS_RUNDIR=$SANDBOX_DIR OVS_LOGDIR=$SANDBOX_DIR OVS_DBDIR=$SANDBOX_DIR
    export OVS_SYSCONFDIR=$SANDBOX_DIR OVS_PKGDATADIR=${OVS_PKGDATADIR:-/usr/share/openvswitch}
    if [ "${SANDBOX_PERSIST:-0}" = 1 ]; then
        return 0
    fi
    trap sandbox_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

sandbox_switch_dir() { echo "$SANDBOX_DIR/sw-$1"; }
sandbox_switch_remote() { echo "unix:$SANDBOX_DIR/sw-$1/db.sock"; }
sandbox_netns() { echo "$SANDBOX_PREFIX-$1"; }

# Runs "$@" with the OVS folders of switch $1.
sandbox_switch_env() {
    local dir; dir=$(sandbox_switch_dir "$1"); shift
    env OVS_RUNDIR="$dir" OVS_LOGDIR="$dir" OVS_DBDIR="$dir" OVS_SYSCONFDIR="$dir" "$@"
}

sandbox_netns_exec() {
    local name=$1; shift
    ip netns exec "$(sandbox_netns "$name")" "$@"
}

sandbox_vsctl() {
    local name=$1; shift
    ovs-vsctl --timeout=10 --db="$(sandbox_switch_remote "$name")" "$@"
}

sandbox_ofctl() {
    local name=$1; shift
    sandbox_switch_env "$name" ovs-ofctl "$@"
}

sandbox_appctl() {
    local name=$1; shift
    sandbox_switch_env "$name" ovs-appctl --timeout=10 "$@"
}

# True if process $1 exists and is not a zombie (PID 1 here may reap late).
sandbox_pid_alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# Waits up to $1 seconds for the pidfile $2 to name a live process.
sandbox_wait_pidfile() {
    local secs=$1 pidfile=$2 i
    for ((i = 0; i < secs * 10; i++)); do
        if [ -s "$pidfile" ] && sandbox_pid_alive "$(cat "$pidfile")"; then
            return 0
        fi
        sleep 0.1
    done
    sandbox_log "no process behind $pidfile"
    return 1
}

sandbox_nb_start() {
    local dir=$SANDBOX_DIR/nb
    mkdir -p "$dir"
    if [ ! -f "$dir/vnet_nb.db" ]; then
        ovsdb-tool create "$dir/vnet_nb.db" "$VNET_SCHEMA" || return 1
    fi
    ovsdb-server -vconsole:off "$dir/vnet_nb.db" --remote="punix:$dir/vnet_nb.sock" \
        --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
        --unixctl="$dir/ovsdb-server.ctl" --detach --no-chdir \
        || return 1
    export OVS_VNET_DB=unix:$dir/vnet_nb.sock
    "$OVS_VNET_CTL" --db="$OVS_VNET_DB" -t 10 init
}

sandbox_nb_stop() {
    sandbox_kill_pidfile "$SANDBOX_DIR/nb/ovsdb-server.pid"
}

# sandbox_switch_start NAME [--tcp=PORT] [--datapath=netdev|system]
sandbox_switch_start() {
    local name=$1; shift
    local tcp= ssl= datapath=$SANDBOX_DATAPATH tso=false arg
    for arg; do
        case $arg in
            --tso) tso=true ;;
            --tcp=*) tcp=${arg#--tcp=} ;;
            --ssl=*) ssl=${arg#--ssl=} ;;
            --datapath=netdev|--datapath=system) datapath=${arg#--datapath=} ;;
            *) sandbox_log "sandbox_switch_start: unknown option $arg"; return 1 ;;
        esac
    done
    if [ "$datapath" = system ] && [ ! -d /sys/module/openvswitch ]; then
        sandbox_log "switch $name: the kernel datapath needs the openvswitch module"
        return 1
    fi
    local dir ns
    dir=$(sandbox_switch_dir "$name")
    ns=$(sandbox_netns "$name")
    mkdir -p "$dir"
    echo "$tcp" > "$dir/tcp-port"
    echo "$ssl" > "$dir/ssl-port"
    echo "$datapath" > "$dir/datapath"

    if ! ip netns list | grep -qx "$ns\( .*\)\?"; then
        ip netns add "$ns" || return 1
        ip -n "$ns" link set lo up
    fi
    if [ ! -f "$dir/conf.db" ]; then
        ovsdb-tool create "$dir/conf.db" "$OVS_SCHEMA" || return 1
    fi
    sandbox_switch_db_start "$name" || return 1
    # Userspace TSO is read when ovs-vswitchd starts.
    sandbox_vsctl "$name" --no-wait -- init \
        -- set Open_vSwitch . external_ids:system-id="$name" \
           external_ids:hostname="$name" \
           other_config:userspace-tso-enable="$tso" || return 1
    sandbox_switch_vswitchd_start "$name"
}

# sandbox_pki: a certificate authority made by ovs-pki in $SANDBOX_DIR/pki,
# and a key and certificate it signed for each of "switch", "nb", "vnetd"
# and "ctl"; and "outsider", whose certificate no one of ours signed.
sandbox_pki() {
    local pki=$SANDBOX_DIR/pki who
    mkdir -p "$pki"
    ovs-pki --dir="$pki/ca" --log="$pki/ovs-pki.log" init >/dev/null || return 1
    for who in switch nb vnetd ctl; do
        (cd "$pki" && ovs-pki --dir="$pki/ca" --log="$pki/ovs-pki.log" \
             req+sign "$who" switch >/dev/null) || return 1
    done
    (cd "$pki" && ovs-pki --log="$pki/ovs-pki.log" req outsider >/dev/null \
         && ovs-pki --log="$pki/ovs-pki.log" self-sign outsider >/dev/null) || return 1
}

# sandbox_ssl_options WHO: the OVS options that give WHO (of sandbox_pki)
# its key, its certificate and the authority's certificate.
sandbox_ssl_options() {
    local pki=$SANDBOX_DIR/pki
    echo "--private-key=$pki/$1-privkey.pem --certificate=$pki/$1-cert.pem" \
         "--ca-cert=$pki/ca/switchca/cacert.pem"
}

sandbox_switch_db_start() {
    local name=$1 dir tcp ssl remotes
    dir=$(sandbox_switch_dir "$name")
    tcp=$(cat "$dir/tcp-port" 2>/dev/null)
    ssl=$(cat "$dir/ssl-port" 2>/dev/null)
    remotes=(--remote="punix:$dir/db.sock"
             --remote=db:Open_vSwitch,Open_vSwitch,manager_options)
    [ -n "$tcp" ] && remotes+=(--remote="ptcp:$tcp:127.0.0.1")
    [ -n "$ssl" ] && remotes+=(--remote="pssl:$ssl:127.0.0.1"
                               $(sandbox_ssl_options switch))
    sandbox_netns_exec "$name" env OVS_RUNDIR="$dir" OVS_LOGDIR="$dir" \
        OVS_DBDIR="$dir" ovsdb-server -vconsole:off "$dir/conf.db" "${remotes[@]}" \
        --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
        --detach --no-chdir || return 1
    sandbox_wait_pidfile 10 "$dir/ovsdb-server.pid"
}

sandbox_switch_vswitchd_start() {
    local name=$1 dir system=--disable-system
    dir=$(sandbox_switch_dir "$name")
    # A netdev sandbox never touches a kernel datapath.
    [ "$(cat "$dir/datapath" 2>/dev/null)" = system ] && system=
    sandbox_netns_exec "$name" env OVS_RUNDIR="$dir" OVS_LOGDIR="$dir" \
        OVS_DBDIR="$dir" ovs-vswitchd -vconsole:off "unix:$dir/db.sock" $system \
        ${SANDBOX_VSWITCHD_ARGS:-} \
        --pidfile="$dir/ovs-vswitchd.pid" --log-file="$dir/ovs-vswitchd.log" \
        --detach --no-chdir || return 1
    sandbox_wait_pidfile 10 "$dir/ovs-vswitchd.pid"
}

# Sends TERM to the process in pidfile $1 and waits for it; KILL after 5 s.
sandbox_kill_pidfile() {
    sandbox_kill_pidfiles "${2:-TERM}" "$1"
}

# sandbox_kill_pidfiles SIG PIDFILE...: sends SIG to the process of every
# pidfile, then waits for them all to go (5 s at most, then SIGKILL), and
# removes the pidfiles.
sandbox_kill_pidfiles() {
    local sig=$1 pidfile pid i alive; shift
    local pids=()
    for pidfile; do
        [ -s "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill -"$sig" "$pid" 2>/dev/null && pids+=("$pid")
    done
    for ((i = 0; i < 250 && ${#pids[@]}; i++)); do
        alive=
        for pid in "${pids[@]}"; do
            sandbox_pid_alive "$pid" && { alive=1; break; }
        done
        [ -n "$alive" ] || break
        sleep 0.02
    done
    for pid in "${pids[@]}"; do
        kill -KILL "$pid" 2>/dev/null || true
    done
    for pidfile; do
        rm -f "$pidfile"
    done
}

sandbox_switch_db_restart() {
    local dir; dir=$(sandbox_switch_dir "$1")
    sandbox_kill_pidfile "$dir/ovsdb-server.pid"
    sandbox_switch_db_start "$1"
}

sandbox_switch_vswitchd_restart() {
    local dir i; dir=$(sandbox_switch_dir "$1")
    sandbox_kill_pidfile "$dir/ovs-vswitchd.pid"
    # ovsdb-server must see the old process's connection (and its lock) go
    # before the new one asks for it, or the new one waits with an error.
    for ((i = 0; i < 50; i++)); do
        ls "$dir"/ovs-vswitchd.*.ctl >/dev/null 2>&1 || break
        sleep 0.1
    done
    sleep 0.5
    sandbox_switch_vswitchd_start "$1"
}

sandbox_switch_stop() {
    local name=$1 dir
    dir=$(sandbox_switch_dir "$name")
    sandbox_kill_pidfile "$dir/ovs-vswitchd.pid"
    sandbox_kill_pidfile "$dir/ovsdb-server.pid"
    ip netns delete "$(sandbox_netns "$name")" 2>/dev/null
    return 0
}

sandbox_underlay_start() {
    local ns=$SANDBOX_PREFIX-ul
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip -n "$ns" link add ul type bridge
    ip -n "$ns" link set ul up
    # The underlay stands for the physical switch between hosts, which costs
    # them no CPU.  Where the machine has br_netfilter loaded, every namespace
    # starts out passing bridged frames through iptables; not this bridge.
    if ip netns exec "$ns" test -d /proc/sys/net/bridge; then
        ip netns exec "$ns" sysctl -q -w net.bridge.bridge-nf-call-iptables=0 \
            net.bridge.bridge-nf-call-ip6tables=0 \
            net.bridge.bridge-nf-call-arptables=0 || return 1
    fi
}

# sandbox_switch_underlay NAME IP/PLEN
sandbox_switch_underlay() {
    local name=$1 addr=$2 ns=$SANDBOX_PREFIX-ul swns
    swns=$(sandbox_netns "$name")
    ip -n "$ns" link add "u-$name" type veth peer name ul0 netns "$swns" \
        || return 1
    ip -n "$ns" link set "u-$name" master ul up
    ip -n "$swns" addr add "$addr" dev ul0
    ip -n "$swns" link set ul0 up
    # Packets leave with full checksums, as through a real NIC: a veth passes
    # partial ones on, which a userspace datapath at the far end would
    # forward unfinished.
    ip netns exec "$swns" ethtool -K ul0 tx off >/dev/null
}

# sandbox_outside_link NS HOST UPLINK OUT ADDR/PLEN: a veth from namespace NS
# (an "outside" network) to switch HOST: UPLINK in HOST's namespace (to give a
# router as its uplink), OUT with ADDR/PLEN in NS.  OUT sends full checksums,
# as netdev switches need.
sandbox_outside_link() {
    local ns=$1 swns uplink=$3 out=$4 addr=$5
    swns=$(sandbox_netns "$2")
    ip -n "$ns" link add "$out" type veth peer name "$uplink" netns "$swns" || return 1
    ip -n "$ns" addr add "$addr" dev "$out"
    ip -n "$ns" link set "$out" up
    ip netns exec "$ns" ethtool -K "$out" tx off >/dev/null
    ip -n "$swns" link set "$uplink" up
}

# sandbox_logical_ports NET N [addressed]: logical ports lp1..lpN of network
# NET, written straight into the NB database as an API client would (in
# transactions of 400: a command line argument stops at 128 KiB).  With
# "addressed", each has a fixed MAC (0a:01:...) and an IP from 10.5.0.13 on.
sandbox_logical_ports() {
    local net n=$2 addressed=${3:-} i ops= ip mac
    net=$(ovsdb-client query "$OVS_VNET_DB" "[\"OVS_VNET_Northbound\",
            {\"op\":\"select\",\"table\":\"Network\",
             \"where\":[[\"name\",\"==\",\"$1\"]],\"columns\":[\"_uuid\"]}]" \
          | grep -o '[0-9a-f]\{8\}-[0-9a-f-]\{27\}' | head -1)
    [ -n "$net" ] || { sandbox_log "no network $1"; return 1; }
    for ((i = 1; i <= n; i++)); do
        ops+=",{\"op\":\"insert\",\"table\":\"Endpoint\",\"row\":{\"name\":\"lp$i\","
        ops+="\"network\":[\"uuid\",\"$net\"],\"type\":\"external\""
        if [ "$addressed" = addressed ]; then
            ip="10.5.$(( (i + 10) / 250 )).$(( (i + 10) % 250 + 2 ))"
            mac=$(printf '0a:01:00:%02x:%02x:%02x' $((i >> 16 & 255)) \
                  $((i >> 8 & 255)) $((i & 255)))
            ops+=",\"ip\":\"$ip\",\"mac\":\"$mac\""
        fi
        ops+="}}"
        if ((i % 400 == 0 || i == n)); then
            ovsdb-client transact "$OVS_VNET_DB" "[\"OVS_VNET_Northbound\"$ops]" \
                >/dev/null || return 1
            ops=
        fi
    done
}

# sandbox_dummy_ports SWITCH BRIDGE N: ports lp1..lpN with iface-id
# lp1..lpN, written straight into the switch's database (ovs-vsctl takes
# minutes over thousands of add-port commands).  On the userspace datapath
# each is of type "dummy", with no device (the switch needs
# SANDBOX_VSWITCHD_ARGS=--enable-dummy); the kernel datapath has no such
# ports, so there each is a kernel dummy device (type dummy: what it is
# sent, it counts and drops) in the switch's namespace.
sandbox_dummy_ports() {
    local remote n=$3 i ops= ports= type='"type":"dummy",'
    remote=$(sandbox_switch_remote "$1")
    if [ "$SANDBOX_DATAPATH" = system ]; then
        type=
        for ((i = 1; i <= n; i++)); do
            echo "link add lp$i up type dummy"
        done | ip -n "$(sandbox_netns "$1")" -batch - || return 1
    fi
    for ((i = 1; i <= n; i++)); do
        ops+=",{\"op\":\"insert\",\"table\":\"Interface\",\"uuid-name\":\"i$i\","
        ops+="\"row\":{\"name\":\"lp$i\",$type"
        ops+="\"external_ids\":[\"map\",[[\"iface-id\",\"lp$i\"]]]}}"
        ops+=",{\"op\":\"insert\",\"table\":\"Port\",\"uuid-name\":\"p$i\","
        ops+="\"row\":{\"name\":\"lp$i\",\"interfaces\":[\"named-uuid\",\"i$i\"]}}"
        ports+="${ports:+,}[\"named-uuid\",\"p$i\"]"
        if ((i % 250 == 0 || i == n)); then
            ops+=",{\"op\":\"mutate\",\"table\":\"Bridge\","
            ops+="\"where\":[[\"name\",\"==\",\"$2\"]],\"mutations\":"
            ops+="[[\"ports\",\"insert\",[\"set\",[$ports]]]]}"
            ovsdb-client transact "$remote" "[\"Open_vSwitch\"$ops]" >/dev/null \
                || return 1
            ops= ports=
        fi
    done
}

# Starts ovs-vnetd on the sandbox NB database; extra arguments are passed on.
# With SANDBOX_CHECK_INCREMENTAL=1 (as the test suite runs), it checks every
# change of its flows against a full recomputation.
sandbox_vnetd_start() {
    local dir=$SANDBOX_DIR/vnetd check=
    mkdir -p "$dir"
    [ "${SANDBOX_CHECK_INCREMENTAL:-0}" = 1 ] && check=--check-incremental
    "$OVS_VNETD" -vconsole:off -vsyslog:off --nb="$OVS_VNET_DB" \
        --pidfile="$dir/ovs-vnetd.pid" \
        --log-file="$dir/ovs-vnetd.log" --unixctl="$dir/ovs-vnetd.ctl" \
        --detach --no-chdir $check "$@" || return 1
    sandbox_wait_pidfile 10 "$dir/ovs-vnetd.pid"
}

sandbox_vnetd_appctl() {
    ovs-appctl --timeout=10 -t "$SANDBOX_DIR/vnetd/ovs-vnetd.ctl" "$@"
}

sandbox_vnetd_stop() {
    sandbox_kill_pidfile "$SANDBOX_DIR/vnetd/ovs-vnetd.pid"
}

sandbox_vnetd_kill() {
    sandbox_kill_pidfile "$SANDBOX_DIR/vnetd/ovs-vnetd.pid" KILL
}

# What OVS daemons log when their main loop is slow (emulation, or thousands
# of ports at once): allowed where that is expected.
SANDBOX_BUSY_WARNINGS='timeval(\([a-z0-9_]+\))?\|WARN\|(Unreasonably long|faults:|disk:|context switches:|[0-9]+ CPU usage)|ovs_rcu.*\|WARN\|blocked'

# Fails (and prints them) if any daemon log has WARN/ERR/EMER lines that do not
# match the allowed patterns: the ones every sandbox produces, plus $1.
sandbox_check_logs() {
    local extra=${1:-} allowed bad
    # Expected in every sandbox: no kernel module, netdev datapath, switches that
    # are stopped or restarted on purpose by the tests.
    allowed='(Kernel module|module not loaded|disabled via command line|'
    allowed+='connection dropped|Connection reset|connection closed by peer|'
    allowed+='Broken pipe|End of file|terminating with signal|receive error|'
    allowed+='send error|No such file or directory.*(db\.sock|\.vnetd)|'
    allowed+='Connection refused|unix:.*: connection attempt failed|'
    allowed+='unix:.*: connecting\.\.\.|ovs-vnetd.*exiting|'
    allowed+='\.vnetd(\.1)?: connection failed|'
    # What a rate limit held back cannot be read; what it let through is
    # checked.
    allowed+='Dropped [0-9]+ log messages in last [0-9]+ seconds'
    # Under software emulation (tests/vm/), OVS's main loops are slow; so is
    # ovs-vnetd's built with the sanitizers (a bulk attach's pass may take a
    # second beside another test): those runs look for memory errors.
    if [ "${SANDBOX_EMULATED:-0}" = 1 ]; then
        allowed+="|$SANDBOX_BUSY_WARNINGS"
    elif [ "${SANDBOX_SANITIZE:-0}" = 1 ]; then
        allowed+="|vnetd/ovs-vnetd\.log:.*($SANDBOX_BUSY_WARNINGS)"
    fi
    [ -n "$extra" ] && allowed+="|$extra"
    allowed+=')'
    bad=$(grep -HE '\|(WARN|ERR|EMER)\|' "$SANDBOX_DIR"/*/*.log 2>/dev/null \
          | grep -vE "$allowed" || true)
    if [ -n "$bad" ]; then
        echo "unexpected warnings or errors in daemon logs:" >&2
        echo "$bad" >&2
        return 1
    fi
}

# What a failed test leaves to read, before the daemons go: each switch's
# status in the NB, the role of every NB cluster member, the routes of each
# switch's ovs-vswitchd (its tunnels use them), and what every ovs-vnetd (a
# lab's too) says of its switches, with the end of its log.
sandbox_diagnose() {
    local f dir roles
    echo "--- on failure: switches in the NB"
    [ -n "${OVS_VNET_DB:-}" ] \
        && timeout 5 ovsdb-client --format=list dump "$OVS_VNET_DB" \
               OVS_VNET_Northbound Switch name applied_cfg last_error status \
               2>&1 | grep -v '^Switch table' | cut -c1-400
    for f in $(find "$SANDBOX_DIR" -maxdepth 3 -name ovsdb-server.ctl \
                   -path '*/nb*' 2>/dev/null | sort); do
        roles=$(ovs-appctl --timeout=3 -t "$f" cluster/status \
                  OVS_VNET_Northbound 2>&1 | grep -E '^(Role|Term|Leader):' \
                  | tr '\n' ' ')
        [ -z "$roles" ] \
            || echo "--- on failure: NB member $(basename "$(dirname "$f")"): $roles"
    done
    for dir in "$SANDBOX_DIR"/sw-*; do
        [ -f "$dir/ovs-vswitchd.pid" ] || continue
        echo "--- on failure: ${dir##*/sw-}'s ovs-vswitchd routes"
        env OVS_RUNDIR="$dir" ovs-appctl --timeout=3 ovs/route/show 2>&1 \
            | grep -v '^Route Table' | head -n 12
        # And the kernel's, where it runs (the tunnel IP and its routes).
        echo "--- on failure: ${dir##*/sw-}'s kernel addresses and routes"
        { ip -n "$(sandbox_netns "${dir##*/sw-}")" -br -4 addr show
          ip -n "$(sandbox_netns "${dir##*/sw-}")" -4 route show
        } 2>&1 | grep -v '^lo ' | head -n 10
    done
    for f in $(find "$SANDBOX_DIR" -maxdepth 3 -name ovs-vnetd.log \
                   2>/dev/null | sort); do
        dir=$(dirname "$f")
        echo "--- on failure: ${dir#"$SANDBOX_DIR"/}'s switches"
        ovs-appctl --timeout=3 -t "$dir/ovs-vnetd.ctl" switch/list 2>&1
        echo "--- on failure: the end of ${dir#"$SANDBOX_DIR"/}'s log"
        tail -n 25 "$f" | cut -c1-300
    done
}

sandbox_cleanup() {
    local rc=$? pidfile ns
    trap - EXIT INT TERM
    set +e
    [ -n "${SANDBOX_DIR:-}" ] && [ -d "$SANDBOX_DIR" ] || return $rc
    [ "$rc" = 0 ] || sandbox_diagnose >&2
    # Daemons first (the controller before the switches it drives).  A
    # sanitizer build looks for leaks when a program exits, not when a
    # signal ends it: the controller is asked to exit.
    if [ "${SANDBOX_SANITIZE:-0}" = 1 ] && [ -S "$SANDBOX_DIR/vnetd/ovs-vnetd.ctl" ]; then
        local vnetd_pid
        vnetd_pid=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid" 2>/dev/null)
        if ovs-appctl -t "$SANDBOX_DIR/vnetd/ovs-vnetd.ctl" exit >/dev/null 2>&1 \
           && [ -n "$vnetd_pid" ]; then
            local i
            for i in $(seq 50); do
                kill -0 "$vnetd_pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    fi
    # The controllers, then every other daemon at once.
    sandbox_kill_pidfiles TERM "$SANDBOX_DIR"/vnetd*/*.pid
    sandbox_kill_pidfiles TERM "$SANDBOX_DIR"/*/*.pid
    # Anything else started for this sandbox (whatever its pidfile).
    if pkill -TERM -f -- "$SANDBOX_DIR/" 2>/dev/null; then
        local i
        for ((i = 0; i < 25; i++)); do
            pgrep -f -- "$SANDBOX_DIR/" >/dev/null || break
            sleep 0.02
        done
        pkill -KILL -f -- "$SANDBOX_DIR/" 2>/dev/null
    fi
    # Then the namespaces, which takes every device inside with them.
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}'); do
        case $ns in
            "$SANDBOX_PREFIX"-*) ip netns delete "$ns" 2>/dev/null ;;
        esac
    done
    if [ -n "${SANDBOX_KEEP:-}" ]; then
        sandbox_log "kept $SANDBOX_DIR"
    else
        rm -rf "$SANDBOX_DIR"
    fi
    return $rc
}
