#!/bin/bash
# How the cost of adding an endpoint grows with the network, side by side:
#
#   attach   ovs-vnet: "ovs-vnet-ctl --wait attach" (ovs-vnetd makes the
#            namespace and the veth)
#   internal ovs-vnet: "ovs-vnet-ctl --wait attach --type=internal" (an Open
#            vSwitch internal port that ovs-vnetd moves into the namespace)
#   attach-trunk
#            ovs-vnet: "ovs-vnet-ctl --wait attach --type=trunk" (ovs-vnetd
#            makes the namespace and a veth behind the network's trunk: one
#            port of the switch for them all)
#   plug     ovs-vnet, the way OpenStack-style integrations plug ports:
#            "ovs-vnet-ctl port-add", then a namespace and veth made with ip(8)
#            and "ovs-vsctl add-port ... external_ids:iface-id="
#   ovn      OVN 23.03 (ovn-northd, ovn-controller) on the same kind of switch:
#            "ovn-nbctl lsp-add" + lsp-set-addresses, then the same plug
#   bridge   the hand-made recipe: a Linux bridge, a namespace and a veth per
#            endpoint, all with ip(8)
#   port     no controller, the floor of one switch port per endpoint: the
#            namespace and veth made with ip(8), "ovs-vsctl add-port", and
#            the endpoint's two flows with "ovs-ofctl add-flows" (from its
#            port; to its MAC) on a bridge of the same switch
#   macvlan  no controller, endpoints that are not ports of the switch: one
#            port (a veth whose other end is in a namespace of its own) and
#            each endpoint a macvlan device on that end (VEPA mode), told
#            apart by MAC in its two flows; ovs-vswitchd never hears of it
#   trunk    no controller, endpoints that are not ports of the switch but
#            keep a device of their own that says who they are: one port (a
#            veth whose other end, the trunk, is in a namespace of its own),
#            and each endpoint a veth whose other end is in that namespace
#            too; tc u32 filters there pass up to the trunk only what carries
#            the endpoint's own MAC, and hand down what is for it (broadcasts
#            to everyone but the sender); its two flows as for macvlan
#
# and the bulk case, all N endpoints at once, timed from the first command
# until each of endpoints 1..N-1 got an echo reply from endpoint 0:
#
#   bulk-attach-trunk
#                the same with --type=trunk
#   bulk-attach  one "ovs-vnet-ctl --wait attach ... -- attach ..." (ovs-vnetd
#                makes the namespaces and veths)
#   bulk-plug    one "ovs-vnet-ctl port-add ... -- port-add ..." and one
#                ovs-vsctl that adds every port (namespaces made beforehand)
#   bulk-ovn     one ovn-nbctl (lsp-add, lsp-set-addresses for each) and the
#                same ovs-vsctl (namespaces made beforehand)
#
# Every system gets a fresh sandbox (tests/lib/sandbox.sh): one switch on the
# userspace (netdev) datapath, or on the kernel's with SANDBOX_DATAPATH=system
# (tests/vm/vm.sh boots a guest that has it), in its own namespace (for
# "bridge", a namespace with the bridge), one network 10.5.0.0/16.  Endpoint
# 0 is made first; then for each of endpoints 1..N-1 the time from the first
# command that creates it until it gets its first echo reply from endpoint 0
# (ping every 20 ms).
#
# Prints the command that reproduces the run, and per system: the median, p99,
# the mean of the first and the last 50 (10 if N < 200), endpoints per second,
# OpenFlow flows per endpoint, the RSS of its daemons, ovs-vnetd's CPU time;
# the mean of each tenth of the endpoints, in order;
# where each endpoint's time goes (the mean of each step: the NB command,
# the namespace and veth made with ip(8), ovs-vsctl add-port, the first
# reply), first and last 50; the CPU per endpoint of each daemon that serves
# them (ovs-vswitchd's by kind of thread: its revalidators, its handlers, the
# rest), first and last 50; then the targets of the scale issue as ratios.  With --json FILE, the
# figures as JSON; with --plot FILE.png, latency against the endpoint count
# for every system (gnuplot).  Exits 0 when every system ran, even if a
# target is missed.
#
# "port", "macvlan" and "trunk" say what the switch itself costs: the growth of
# "port" is the least any controller that gives each endpoint a port of the
# switch can have on it.
#
# With PROFILE=DIR (N >= 300; needs perf), ovs-vnetd is recorded with
# "perf record --call-graph dwarf" while endpoints 20 to 119 and the last 100
# are added, for each ovs-vnet system added one at a time (DIR/SYSTEM-early.data,
# DIR/SYSTEM-late.data), and its CPU per endpoint is printed step by step,
# early and late (bench/lib/run-profile.py): what grows with the network.
# The recording slows ovs-vnetd: the other figures of such a run are not
# comparable.
#
# With PROFILE_SCOPE=system too, the whole machine is recorded instead
# ("perf record -a", no call graphs) in the same two windows, and the CPU
# per endpoint of every command (and the symbols that grew most) is printed
# (bench/lib/system-profile.py): what grows outside ovs-vnetd too.
#
# With MAX_IDLE=MS, the switch's datapath flows go after MS without packets
# (Open vSwitch's other_config:max-idle, 10000 by default): every change of
# its flow table has its revalidator threads look at every datapath flow
# there is, and those of the endpoints pinged in the last 10 s are there.
#
# Usage: [N=100] [SYSTEMS="attach plug ovn bridge bulk-attach bulk-plug bulk-ovn"]
#        [PROFILE=DIR [PROFILE_SCOPE=system]] [MAX_IDLE=MS] bench/scale.sh   (SYSTEMS: any of those above; these by default)
#            [--json FILE] [--plot FILE.png]
set -u -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${N:-100}
SYSTEMS=${SYSTEMS:-attach plug ovn bridge bulk-attach bulk-plug bulk-ovn}
PROFILE=${PROFILE:-}
PROFILE_SCOPE=${PROFILE_SCOPE:-vnetd}
case $PROFILE_SCOPE in
    vnetd|system) ;;
    *) echo "$0: PROFILE_SCOPE must be vnetd or system" >&2; exit 2 ;;
esac
MAX_IDLE=${MAX_IDLE:-}
[ -z "$MAX_IDLE" ] || [[ $MAX_IDLE =~ ^[0-9]+$ ]] \
    || { echo "$0: MAX_IDLE must be milliseconds" >&2; exit 2; }
json_out=
plot_out=
while [ $# -gt 0 ]; do
    case $1 in
        --json) json_out=$2; shift 2 ;;
        --plot) plot_out=$2; shift 2 ;;
        *) echo "usage: [N=100] [SYSTEMS=...] $0 [--json FILE] [--plot FILE.png]" >&2
           exit 2 ;;
    esac
done
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 2 ] && [ "$N" -le 60000 ] \
    || { echo "$0: N must be from 2 to 60000" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }
for s in $SYSTEMS; do
    case $s in
        attach|internal|attach-trunk|plug|ovn|bridge|port|macvlan|trunk|bulk-attach|bulk-attach-trunk|bulk-plug|bulk-ovn) ;;
        *) echo "$0: unknown system $s" >&2; exit 2 ;;
    esac
done
need=(ip nsenter ping python3 ovs-vswitchd ovsdb-server ovs-vsctl ovs-ofctl ethtool)
[[ " $SYSTEMS " == *" ovn "* ]] && need+=(ovn-northd ovn-controller ovn-nbctl)
[ -n "$plot_out" ] && need+=(gnuplot)
if [ -n "$PROFILE" ]; then
    need+=(perf)
    [ "$N" -ge 300 ] || { echo "$0: PROFILE needs N >= 300" >&2; exit 2; }
    mkdir -p "$PROFILE" && PROFILE=$(realpath "$PROFILE") || exit 2
fi
for prog in "${need[@]}"; do
    command -v "$prog" >/dev/null || { echo "$0: $prog not found (tools/setup.sh)" >&2; exit 2; }
done
[ -n "$json_out" ] && json_out=$(realpath -m "$json_out")
[ -n "$plot_out" ] && plot_out=$(realpath -m "$plot_out")

cd "$top"
. tests/lib/sandbox.sh
. tests/lib/check.sh
. bench/lib/ovn.sh
. bench/lib/trunk.sh
. bench/lib/proc.sh
fail() { echo "bench: $*" >&2; exit 1; }
log() { echo "bench: $*" >&2; }

workdir=$(mktemp -d /tmp/ovs-vnet-scale.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
results=$workdir/results         # SYSTEM INDEX MILLISECONDS
steps=$workdir/steps             # SYSTEM INDEX STEP MILLISECONDS
facts=$workdir/facts             # SYSTEM KEY VALUE
cpu=$workdir/cpu                 # SYSTEM MARK PROCESS TICKS
: > "$results"
: > "$steps"
: > "$facts"
: > "$cpu"

dp=
[ "${SANDBOX_DATAPATH:-netdev}" != netdev ] && dp="SANDBOX_DATAPATH=$SANDBOX_DATAPATH "
[ -n "$MAX_IDLE" ] && dp="${dp}MAX_IDLE=$MAX_IDLE "
echo "command: ${dp}N=$N SYSTEMS=\"$SYSTEMS\" bench/scale.sh"

# The switch sw1 as MAX_IDLE says.
tune_switch() {
    [ -z "$MAX_IDLE" ] || sandbox_vsctl sw1 set Open_vSwitch . \
        other_config:max-idle="$MAX_IDLE" || fail "max-idle"
}

# ip_of VAR I, mac_of VAR I: endpoint I's address into VAR (no subshell: the
# bulk cases make thousands of them while timed).
ip_of() { printf -v "$1" '10.5.%d.%d' $(( $2 / 250 )) $(( $2 % 250 + 2 )); }
mac_of() {
    printf -v "$1" '0a:00:00:%02x:%02x:%02x' $(( $2 >> 16 & 255 )) $(( $2 >> 8 & 255 )) \
        $(( $2 & 255 ))
}
ep_ip() { local v; ip_of v "$1"; echo "$v"; }
ep_mac() { local v; mac_of v "$1"; echo "$v"; }
now_us() { echo "${EPOCHREALTIME/./}"; }

# reach NS IP [SECS]: NS gets an echo reply from IP (asking every 20 ms, 60 s
# at most).  ping gives up early when the kernel reports an error (ARP got
# no answer): it is asked again until the time is up.  ping enters only the
# namespace's network (nsenter): "ip netns exec" also copies the mount table,
# which holds a mount for every namespace, and so would grow with N itself
# (2.1 ms at 1 namespace, 4.1 ms at 1000).
reach() {
    local end=$((SECONDS + ${3:-60}))
    while ((SECONDS < end)); do
        nsenter --net="/run/netns/$1" \
            ping -q -n -c 1 -i 0.02 -w $((end - SECONDS)) "$2" \
            >/dev/null 2>&1 && return 0
    done
    return 1
}

# plug_ns NS I PEER PEER-NS: namespace NS with eth0 (MAC and IP of endpoint
# I, TX checksum offload off as the userspace datapath needs), whose veth
# peer PEER is up in namespace PEER-NS.
plug_ns() {
    local ns=$1 i=$2 peer=$3 peerns=$4
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$peerns" link add "$peer" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "$(ep_mac "$i")" mtu 1450
    ip -n "$ns" addr add "$(ep_ip "$i")/16" dev eth0
    ip -n "$ns" link set eth0 up
    ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
    ip -n "$peerns" link set "$peer" mtu 1450 up
}

# pids_rss PID...: their resident memory, in MiB.
pids_rss() {
    local kb=0 pid v
    for pid; do
        v=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null) || v=0
        kb=$((kb + ${v:-0}))
    done
    echo $((kb / 1024))
}

pid_cpu_secs() {
    awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"
}

fact() { echo "$1 $2 $3" >> "$facts"; }

# Where an endpoint's time goes: step NAME records the time since the last
# step (or since measure() started the endpoint) as step NAME of the
# endpoint being measured.
step_sys= step_i=0 step_t=0
step() {
    local t; t=$(now_us)
    echo "$step_sys $step_i $1 $(( (t - step_t) / 1000 ))" >> "$steps"
    step_t=$t
}

# endpoint_list: "NAMESPACE IP" of endpoints 1..N-1, as ep_ip() makes them
# (without a subshell for each).
endpoint_list() {
    seq 1 $((N - 1)) \
        | awk -v p="$SANDBOX_PREFIX" \
              '{ printf "%s-e%d 10.5.%d.%d\n", p, $1, int($1 / 250), $1 % 250 + 2 }'
}

# plug_all BRIDGE: namespaces and veths for endpoints 0..N-1 with their peers
# in the switch's namespace (not yet ports), as others make them.
plug_all() {
    local swns i; swns=$(sandbox_netns sw1)
    for ((i = 0; i < N; i++)); do
        plug_ns "$SANDBOX_PREFIX-e$i" "$i" "v$i" "$swns"
    done
}

# vsctl_add_all BRIDGE: one ovs-vsctl that adds every endpoint's port.
vsctl_add_all() {
    local args=() i
    for ((i = 0; i < N; i++)); do
        args+=(-- add-port "$1" "v$i" -- set Interface "v$i" "external_ids:iface-id=e$i")
    done
    local t; t=$(now_us)
    sandbox_switch_env sw1 ovs-vsctl --timeout=600 "${args[@]}" || return 1
    log "ovs-vsctl adding $N ports took $(( ($(now_us) - t) / 1000 )) ms"
}

bulk_attach() {
    local args=() i ip
    for ((i = 0; i < N; i++)); do
        ip_of ip "$i"
        args+=(-- attach net1 "e$i" --switch=sw1 --ip="$ip"
               --netns="$SANDBOX_PREFIX-e$i" ${BULK_TYPE:+--type=$BULK_TYPE})
    done
    "$OVS_VNET_CTL" -t 600 --wait "${args[@]:1}" >/dev/null
}

bulk_attach-trunk() {
    BULK_TYPE=trunk bulk_attach
}

bulk_plug() {
    local args=() i ip mac
    for ((i = 0; i < N; i++)); do
        ip_of ip "$i"
        mac_of mac "$i"
        args+=(-- port-add net1 "e$i" --ip="$ip" --mac="$mac")
    done
    local t; t=$(now_us)
    "$OVS_VNET_CTL" -t 600 "${args[@]:1}" >/dev/null || return 1
    log "bulk-plug: ovs-vnet-ctl took $(( ($(now_us) - t) / 1000 )) ms"
    vsctl_add_all br-vnet
}

bulk_ovn() {
    local args=() i ip mac
    for ((i = 0; i < N; i++)); do
        ip_of ip "$i"
        mac_of mac "$i"
        args+=(-- lsp-add ls1 "e$i" -- lsp-set-addresses "e$i" "$mac $ip")
    done
    local t; t=$(now_us)
    ovn-nbctl --db="unix:$SANDBOX_DIR/ovn/nb.sock" --timeout=600 "${args[@]:1}" || return 1
    log "bulk-ovn: ovn-nbctl took $(( ($(now_us) - t) / 1000 )) ms"
    vsctl_add_all br-int
}

# measure_bulk SYSTEM FUNCTION: all N endpoints by FUNCTION, until each of
# endpoints 1..N-1 got an echo reply from endpoint 0: bench/lib/reach-all.py,
# one process asking from every endpoint's namespace (64 endpoints at a time,
# each every 20 ms, for up to 10 minutes; endpoints forget their neighbours
# once they got through, as in measure()).  It starts with FUNCTION (Python
# takes about 0.4 s to start here) and reads the endpoints once FUNCTION is
# done.
measure_bulk() {
    local sys=$1 start
    start=$(now_us)
    { "$2" || { echo "bench: $sys: creating the endpoints failed" >&2; exit 1; }
      now_us > "$workdir/created"
      log "$sys: created in $(( ($(cat "$workdir/created") - start) / 1000 )) ms; pinging"
      endpoint_list
    } | python3 bench/lib/reach-all.py --stats "$SANDBOX_PREFIX-e0" "$(ep_ip 0)" >/dev/null \
        || fail "$sys: not all reachable"
    local end; end=$(now_us)
    log "$sys: all reachable $(( (end - $(cat "$workdir/created")) / 1000 )) ms after that"
    fact "$sys" bulk_seconds "$(awk -v us=$(( end - start )) 'BEGIN { print us / 1e6 }')"
}

# measure SYSTEM CREATE-FUNCTION: endpoint 0, then 1..N-1 timed.
# profile_at SYSTEM I|end: with PROFILE, starts or stops recording ovs-vnetd
# before endpoint I of an ovs-vnet system is added, or once all are (see the
# header).
profile_pid=
profile_at() {
    [ -n "$PROFILE" ] || return 0
    case $1 in attach|internal|attach-trunk|plug) ;; *) return 0 ;; esac
    local window=
    case $2 in
        20) window=early ;;
        $((N - 100))) window=late ;;
        120|end) ;;
        *) return 0 ;;
    esac
    if [ -n "$profile_pid" ]; then
        kill -INT "$profile_pid" 2>/dev/null
        wait "$profile_pid" 2>/dev/null
        profile_pid=
    fi
    if [ -n "$window" ]; then
        if [ "$PROFILE_SCOPE" = system ]; then
            perf record -q -a -F 999 -o "$PROFILE/$1-$window.data" \
                >/dev/null 2>&1 &
        else
            perf record -q -F 1999 --call-graph dwarf,16384 \
                -p "$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")" \
                -o "$PROFILE/$1-$window.data" >/dev/null 2>&1 &
        fi
        profile_pid=$!
        sleep 0.5               # (perf attached.)
    fi
}

# cpu_mark SYS MARK: the CPU ticks so far of the daemons that serve the
# endpoints (ovs-vnetd, the NB server, ovs-vswitchd by its kinds of thread,
# ovn-controller and ovn-northd), as SYS MARK PROCESS TICKS lines in $cpu.
cpu_mark() {
    local sys=$1 mark=$2 pidfile name pid t comm ticks
    local -A sum=()
    for pidfile in "$SANDBOX_DIR/vnetd/ovs-vnetd.pid" "$SANDBOX_DIR/nb/ovsdb-server.pid" \
                   "$SANDBOX_DIR/ovn/ovn-controller.pid" "$SANDBOX_DIR/ovn/ovn-northd.pid"; do
        [ -r "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        name=$(basename "$pidfile" .pid)
        [ "$name" = ovsdb-server ] && name=NB-ovsdb-server
        sum[$name]=$(proc_ticks "$pid")
    done
    pidfile=$(sandbox_switch_dir sw1)/ovs-vswitchd.pid
    if [ -r "$pidfile" ]; then
        pid=$(cat "$pidfile")
        for t in /proc/"$pid"/task/*; do
            comm=$(cat "$t/comm" 2>/dev/null) || continue
            ticks=$(sed 's/^.*) //' "$t/stat" 2>/dev/null | awk '{print $12 + $13}')
            case $comm in
                revalidator*) name=ovs-vswitchd-revalidators ;;
                handler*) name=ovs-vswitchd-handlers ;;
                *) name=ovs-vswitchd-other ;;
            esac
            sum[$name]=$(( ${sum[$name]:-0} + ${ticks:-0} ))
        done
    fi
    for name in "${!sum[@]}"; do
        echo "$sys $mark $name ${sum[$name]}" >> "$cpu"
    done
}

measure() {
    local sys=$1 create=$2 i t0 t1
    step_sys=$sys step_i=0
    "$create" 0 || fail "$sys: endpoint 0"
    local start; start=$(now_us)
    local k=$(( N >= 200 ? 50 : 10 ))
    (( k > N - 1 )) && k=$((N - 1))    # (The first and the last k.)
    for ((i = 1; i < N; i++)); do
        profile_at "$sys" "$i"
        case $i in
            1) cpu_mark "$sys" first ;;
            $((k + 1))) cpu_mark "$sys" first_end ;;
        esac
        (( i == N - k )) && cpu_mark "$sys" last
        t0=$(now_us)
        step_i=$i step_t=$t0
        "$create" "$i" || fail "$sys: endpoint $i"
        reach "$SANDBOX_PREFIX-e$i" "$(ep_ip 0)" || fail "$sys: endpoint $i never reached endpoint 0"
        step reply
        t1=$(now_us)
        echo "$sys $i $(( (t1 - t0) / 1000 ))" >> "$results"
        # The kernel keeps one ARP table for all namespaces (1024 entries at
        # most, net.ipv4.neigh.default.gc_thresh3): measured endpoints forget
        # their neighbours, or a fast system runs out of entries near 500.
        # (nsenter, as in reach(): "ip -n" copies the mount table, and the
        # kernel frees that copy's mounts later, during the next endpoint's
        # time.)
        nsenter --net="/run/netns/$SANDBOX_PREFIX-e$i" ip neigh flush all 2>/dev/null
        nsenter --net="/run/netns/$SANDBOX_PREFIX-e0" \
            ip neigh flush to "$(ep_ip "$i")" 2>/dev/null
        if (( i % 100 == 0 )); then
            log "$sys: $i endpoints ($(( ($(now_us) - start) / 1000000 )) s)"
        fi
    done
    profile_at "$sys" end
    cpu_mark "$sys" last_end
    (( k == N - 1 )) && cpu_mark "$sys" first_end
    fact "$sys" seconds "$(awk -v us=$(( $(now_us) - start )) 'BEGIN { print us / 1e6 }')"
}

# ovs-vnet: NB, controller, switch sw1, network net1.
vnet_world() {
    sandbox_nb_start >/dev/null || fail "NB"
    sandbox_vnetd_start || fail "ovs-vnetd"
    sandbox_switch_start sw1 || fail "switch"
    tune_switch
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" --name=sw1 >/dev/null
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
}

vnet_facts() {
    local sys=$1 vnetd nb flows
    vnetd=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
    nb=$(cat "$SANDBOX_DIR/nb/ovsdb-server.pid")
    flows=$(sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-vnet | grep -c 'cookie=0x76')
    fact "$sys" flows "$flows"
    fact "$sys" rss_mib "$(pids_rss "$vnetd")"
    fact "$sys" rss_detail "ovs-vnetd=$(pids_rss "$vnetd") NB-ovsdb-server=$(pids_rss "$nb")"
    fact "$sys" vnetd_cpu_s "$(pid_cpu_secs "$vnetd")"
}

create_attach() {
    vnet_ctl --wait attach net1 "e$1" --switch=sw1 --ip="$(ep_ip "$1")" \
        --netns="$SANDBOX_PREFIX-e$1" >/dev/null
    step attach
}

create_internal() {
    vnet_ctl --wait attach net1 "e$1" --switch=sw1 --ip="$(ep_ip "$1")" \
        --netns="$SANDBOX_PREFIX-e$1" --type=internal >/dev/null
    step attach
}

create_attach-trunk() {
    vnet_ctl --wait attach net1 "e$1" --switch=sw1 --ip="$(ep_ip "$1")" \
        --netns="$SANDBOX_PREFIX-e$1" --type=trunk >/dev/null
    step attach
}

create_plug() {
    local swns; swns=$(sandbox_netns sw1)
    vnet_ctl port-add net1 "e$1" --ip="$(ep_ip "$1")" --mac="$(ep_mac "$1")" >/dev/null
    step nb
    plug_ns "$SANDBOX_PREFIX-e$1" "$1" "v$1" "$swns"
    step plumbing
    sandbox_vsctl sw1 add-port br-vnet "v$1" \
        -- set Interface "v$1" external_ids:iface-id="e$1"
    step add-port
}

ovn_facts() {
    local c n nb sb flows
    c=$(ovn_pid ovn-controller); n=$(ovn_pid ovn-northd)
    nb=$(ovn_pid ovsdb-nb); sb=$(ovn_pid ovsdb-sb)
    flows=$(sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-int | grep -c 'cookie=')
    fact ovn flows "$flows"
    fact ovn rss_mib "$(pids_rss "$c" "$n")"
    fact ovn rss_detail "ovn-controller=$(pids_rss "$c") ovn-northd=$(pids_rss "$n") NB-ovsdb-server=$(pids_rss "$nb") SB-ovsdb-server=$(pids_rss "$sb")"
}

create_ovn() {
    local swns; swns=$(sandbox_netns sw1)
    ovn_nbctl lsp-add ls1 "e$1" -- lsp-set-addresses "e$1" "$(ep_mac "$1") $(ep_ip "$1")"
    step nb
    plug_ns "$SANDBOX_PREFIX-e$1" "$1" "v$1" "$swns"
    step plumbing
    sandbox_vsctl sw1 add-port br-int "v$1" \
        -- set Interface "v$1" external_ids:iface-id="e$1"
    step add-port
}

bridge_world() {
    local ns=$SANDBOX_PREFIX-lb
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" link add br0 type bridge
    ip -n "$ns" addr add 10.5.0.1/16 dev br0
    ip -n "$ns" link set br0 up
}

create_bridge() {
    local ns=$SANDBOX_PREFIX-lb
    plug_ns "$SANDBOX_PREFIX-e$1" "$1" "v$1" "$ns"
    ip -n "$ns" link set "v$1" master br0
    step plumbing
}

# port, macvlan: a bridge of the sandbox's switch that drops what no flow
# takes; endpoint 0 gets the broadcasts (the new endpoints' ARP requests).
floor_world() {
    sandbox_switch_start sw1 || fail "switch"
    tune_switch
    sandbox_vsctl sw1 add-br br0 -- set Bridge br0 datapath_type="$SANDBOX_DATAPATH" \
        fail_mode=secure || fail "bridge"
    if [ "$1" = macvlan ] || [ "$1" = trunk ]; then
        local ns=$SANDBOX_PREFIX-trunk swns; swns=$(sandbox_netns sw1)
        ip netns add "$ns"
        ip -n "$swns" link add vt0 type veth peer name vt1 netns "$ns"
        ip -n "$swns" link set vt0 up
        ip -n "$ns" link set vt1 up
        sandbox_vsctl sw1 add-port br0 vt0 -- set Interface vt0 ofport_request=1 \
            || fail "trunk"
    fi
    if [ "$1" = trunk ]; then
        trunk_prepare "$SANDBOX_PREFIX-trunk" vt1 || fail "trunk: tc"
    fi
}

floor_flows() {
    sandbox_ofctl sw1 add-flows br0 - || return 1
}

create_port() {
    local swns mac; swns=$(sandbox_netns sw1); mac=$(ep_mac "$1")
    plug_ns "$SANDBOX_PREFIX-e$1" "$1" "v$1" "$swns"
    step plumbing
    sandbox_vsctl sw1 add-port br0 "v$1" -- set Interface "v$1" ofport_request=$(($1 + 1))
    step add-port
    {
        echo "table=0,in_port=$(($1 + 1)),actions=goto_table:1"
        echo "table=1,dl_dst=$mac,actions=output:$(($1 + 1))"
        (( $1 )) || echo "table=1,dl_dst=ff:ff:ff:ff:ff:ff,actions=output:1"
    } | floor_flows
    step flows
}

create_macvlan() {
    local ns=$SANDBOX_PREFIX-e$1 mac; mac=$(ep_mac "$1")
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$SANDBOX_PREFIX-trunk" link add link vt1 name eth0 netns "$ns" \
        address "$mac" mtu 1450 type macvlan mode vepa
    ip -n "$ns" addr add "$(ep_ip "$1")/16" dev eth0
    ip -n "$ns" link set eth0 up
    ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
    step plumbing
    # Everything comes from the trunk and goes back out of it (IN_PORT);
    # macvlan hands a frame to the device with its destination MAC, and a
    # broadcast to every device but its sender.
    {
        echo "table=0,in_port=1,dl_src=$mac,actions=goto_table:1"
        echo "table=1,dl_dst=$mac,actions=IN_PORT"
        (( $1 )) || echo "table=1,dl_dst=ff:ff:ff:ff:ff:ff,actions=IN_PORT"
    } | floor_flows
    step flows
}

# The endpoint's device in the trunk's namespace, with its filters
# (bench/lib/trunk.sh).
create_trunk() {
    local ns=$SANDBOX_PREFIX-e$1 tns=$SANDBOX_PREFIX-trunk mac; mac=$(ep_mac "$1")
    plug_ns "$ns" "$1" "t$1" "$tns"
    step plumbing
    trunk_attach "$tns" vt1 "t$1" "$mac" || return 1
    step tc
    {
        echo "table=0,in_port=1,dl_src=$mac,actions=goto_table:1"
        echo "table=1,dl_dst=$mac,actions=IN_PORT"
        (( $1 )) || echo "table=1,dl_dst=ff:ff:ff:ff:ff:ff,actions=IN_PORT"
    } | floor_flows
    step flows
}

status=0
for sys in $SYSTEMS; do
    (
        sandbox_init "vb$(printf '%04x' $((RANDOM % 65536)))" || exit 1
        log "$sys: setting up"
        case $sys in
            attach|internal|attach-trunk|plug|bulk-attach|bulk-attach-trunk|bulk-plug) vnet_world ;;
            ovn|bulk-ovn) ovn_world; tune_switch ;;
            bridge) bridge_world ;;
            port|macvlan|trunk) floor_world "$sys" ;;
            *) fail "$sys: no such system" ;;
        esac
        case $sys in
            bulk-plug|bulk-ovn) log "$sys: making $N namespaces"; plug_all ;;
        esac
        log "$sys: $N endpoints"
        case $sys in
            bulk-*) measure_bulk "$sys" "bulk_${sys#bulk-}" ;;
            *) measure "$sys" "create_$sys" ;;
        esac
        case $sys in
            attach|internal|attach-trunk|plug) vnet_facts "$sys" ;;
            ovn) ovn_facts ;;
        esac
        allowed='ovn|Dropped [0-9]+ log messages'
        # The userspace datapath's ovs-vswitchd asks about an internal
        # port's device where it runs, not where the device went.
        [ "$sys" = internal ] && allowed+='|netdev_linux\|WARN\|.*No such device'
        sandbox_check_logs "$allowed" >&2 || log "$sys: warnings in the daemons' logs (above)"
    ) || { log "$sys: stopped early; its figures cover what it measured"
           fact "$sys" incomplete 1; status=1; }
done

python3 - "$results" "$facts" "$N" "$SYSTEMS" "$json_out" "$steps" "$cpu" "$(getconf CLK_TCK)" <<'EOF'
import json, statistics, sys
results, facts, n, systems, json_out, steps_file, cpu_file, hz = sys.argv[1:9]
hz = int(hz)
n = int(n)
lat = {}
for line in open(results):
    s, i, ms = line.split()
    lat.setdefault(s, []).append(int(ms))
fx = {}
for line in open(facts):
    s, k, v = line.rstrip("\n").split(" ", 2)
    fx.setdefault(s, {})[k] = v
k = 50 if n >= 200 else 10
out = {"N": n, "systems": {}}
def p99(v):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]
bulk = {s: float(f["bulk_seconds"]) for s, f in fx.items() if "bulk_seconds" in f}
out["bulk_seconds"] = bulk
for s in systems.split():
    v = lat.get(s, [])
    if not v:
        continue
    f = fx.get(s, {})
    r = {"median_ms": statistics.median(v), "p99_ms": p99(v),
         "first_mean_ms": statistics.mean(v[:k]), "last_mean_ms": statistics.mean(v[-k:]),
         "endpoints_per_s": (len(v) / max(float(f["seconds"]), 1e-9)
                             if "seconds" in f else float("nan")),
         "latencies_ms": v}
    if "flows" in f:
        r["flows_per_endpoint"] = int(f["flows"]) / n
    for key in ("rss_mib", "vnetd_cpu_s"):
        if key in f:
            r[key] = float(f[key])
    if "rss_detail" in f:
        r["rss_detail"] = f["rss_detail"]
    if "incomplete" in f:
        r["incomplete"] = True
    out["systems"][s] = r
print()
print("N=%d: time from the first command for an endpoint to its first echo reply" % n)
print("%-12s %9s %9s %11s %11s %8s %10s %8s %10s" % (
    "system", "median", "p99", "first %d" % k, "last %d" % k, "ep/s",
    "flows/ep", "RSS MiB", "CPU s"))
for s, r in out["systems"].items():
    print("%-12s %7.0fms %7.0fms %9.0fms %9.0fms %8.1f %10s %8s %10s" % (
        s, r["median_ms"], r["p99_ms"], r["first_mean_ms"], r["last_mean_ms"],
        r["endpoints_per_s"],
        "%.1f" % r["flows_per_endpoint"] if "flows_per_endpoint" in r else "-",
        "%.0f" % r["rss_mib"] if "rss_mib" in r else "-",
        "%.1f" % r["vnetd_cpu_s"] if "vnetd_cpu_s" in r else "-"))
for s, r in out["systems"].items():
    if r.get("incomplete"):
        print("  %s stopped after %d endpoints" % (s, len(r["latencies_ms"])))
for s, r in out["systems"].items():
    if "rss_detail" in r:
        print("  RSS %s: %s" % (s, r["rss_detail"]))
print()
print("mean ms of each tenth of the endpoints, in order (whether the time grows")
print(" with the network or only over the run's first seconds)")
for s, r in out["systems"].items():
    v = r["latencies_ms"]
    if len(v) >= 20:
        t = len(v) / 10.0
        r["tenths_mean_ms"] = [statistics.mean(v[int(j * t):int((j + 1) * t)])
                               for j in range(10)]
        print("  %-12s %s" % (s, " ".join("%.0f" % m for m in r["tenths_mean_ms"])))
# Steps: SYSTEM INDEX STEP MS, in order; endpoint 0 is not measured.
st = {}
for line in open(steps_file):
    s, i, name, ms = line.split()
    if int(i) > 0:
        st.setdefault(s, {}).setdefault(name, []).append(int(ms))
if st:
    print()
    print("where the time goes: mean ms of each step, first %d / last %d" % (k, k))
    print("(nb: the NB command; plumbing: namespace and veth by ip(8); add-port:")
    print(" ovs-vsctl, which returns once ovs-vswitchd has the port; tc: the trunk's")
    print(" filters; flows: ovs-ofctl add-flows; attach: the whole --wait attach;")
    print(" reply: from then to the first echo reply)")
    for s in out["systems"]:
        if s not in st:
            continue
        parts = []
        for name, v in st[s].items():
            parts.append("%s %.0f/%.0f" % (name, statistics.mean(v[:k]),
                                           statistics.mean(v[-k:])))
            out["systems"][s].setdefault("steps_ms", {})[name] = v
        print("  %-12s %s" % (s, "  ".join(parts)))
# CPU: SYSTEM MARK PROCESS TICKS at the first and the last k endpoints'
# starts and ends.
cpu = {}
for line in open(cpu_file):
    s, mark, proc, ticks = line.split()
    cpu.setdefault(s, {}).setdefault(proc, {})[mark] = int(ticks)
if cpu:
    print()
    print("CPU of the daemons, ms per endpoint, first %d / last %d (ovs-vswitchd's" % (k, k))
    print(" threads by kind; the clock ticks are %d ms)" % (1000 // hz))
    for s in out["systems"]:
        if s not in cpu:
            continue
        parts = []
        for proc in sorted(cpu[s]):
            m = cpu[s][proc]
            if not all(x in m for x in ("first", "first_end", "last", "last_end")):
                continue
            kk = min(k, n - 1)
            a = (m["first_end"] - m["first"]) * 1000.0 / hz / kk
            b = (m["last_end"] - m["last"]) * 1000.0 / hz / kk
            parts.append("%s %.1f/%.1f" % (proc, a, b))
            out["systems"][s].setdefault("cpu_ms_per_endpoint", {})[proc] = [a, b]
        if parts:
            print("  %-12s %s" % (s, "  ".join(parts)))
if bulk:
    print()
    print("bulk, %d endpoints at once: until all reachable" % n)
    for s, secs in bulk.items():
        print("  %-12s %8.1f s" % (s, secs))
S = out["systems"]
def ratio(label, a, b, target, le=True):
    if a is None or b is None:
        return
    v = a / b if b else float("inf")
    ok = v <= target if le else v >= target
    print("  %-52s %6.2f  (target %s %.2f: %s)" % (label, v, "<=" if le else ">=",
          target, "met" if ok else "MISSED"))
print()
print("targets (ratios):")
g = lambda s, key: S[s][key] if s in S else None
ratio("attach median / OVN median", g("attach", "median_ms"), g("ovn", "median_ms"), 0.5)
ratio("attach median / bridge median", g("attach", "median_ms"), g("bridge", "median_ms"), 1.0)
ratio("attach p99 / attach median", g("attach", "p99_ms"), g("attach", "median_ms"), 2.0)
ratio("attach last %d / first %d" % (k, k), g("attach", "last_mean_ms"), g("attach", "first_mean_ms"), 1.3)
ratio("plug median / attach median", g("plug", "median_ms"), g("attach", "median_ms"), 1.2)
ratio("internal p99 / internal median", g("internal", "p99_ms"), g("internal", "median_ms"), 2.0)
ratio("internal last %d / first %d" % (k, k), g("internal", "last_mean_ms"),
      g("internal", "first_mean_ms"), 1.3)
ratio("attach-trunk median / OVN median", g("attach-trunk", "median_ms"), g("ovn", "median_ms"), 0.5)
ratio("attach-trunk median / bridge median", g("attach-trunk", "median_ms"),
      g("bridge", "median_ms"), 1.0)
ratio("attach-trunk p99 / attach-trunk median", g("attach-trunk", "p99_ms"),
      g("attach-trunk", "median_ms"), 2.0)
ratio("attach-trunk last %d / first %d" % (k, k), g("attach-trunk", "last_mean_ms"),
      g("attach-trunk", "first_mean_ms"), 1.3)
ratio("plug median / OVN median", g("plug", "median_ms"), g("ovn", "median_ms"), 0.5)
ratio("plug last %d / first %d" % (k, k), g("plug", "last_mean_ms"), g("plug", "first_mean_ms"), 1.3)
ratio("bulk-plug / bulk-ovn", bulk.get("bulk-plug"), bulk.get("bulk-ovn"), 0.5)
ratio("bulk-attach / bulk-ovn", bulk.get("bulk-attach"), bulk.get("bulk-ovn"), 0.5)
ratio("bulk-attach-trunk / bulk-ovn", bulk.get("bulk-attach-trunk"), bulk.get("bulk-ovn"), 0.5)
ratio("ovs-vnetd RSS / (ovn-controller + ovn-northd) RSS", g("attach", "rss_mib"), g("ovn", "rss_mib"), 1.0)
growth = {s: r["last_mean_ms"] / r["first_mean_ms"] for s, r in S.items()
          if r["first_mean_ms"] > 0}
if "port" in growth or "macvlan" in growth or "trunk" in growth:
    print()
    print("the switch's floor (no controller): last %d / first %d" % (k, k))
    for s in ("port", "macvlan", "trunk"):
        if s in growth:
            print("  %-52s %6.2f" % (s, growth[s]))
    for s in ("attach", "internal", "attach-trunk", "plug"):
        if s in growth and "port" in growth:
            print("  %-52s %6.2f" % ("%s's growth / port's" % s, growth[s] / growth["port"]))
if json_out:
    with open(json_out, "w") as f:
        json.dump(out, f, indent=1)
EOF

if [ -n "$PROFILE" ]; then
    for sys in $SYSTEMS; do
        [ -s "$PROFILE/$sys-early.data" ] && [ -s "$PROFILE/$sys-late.data" ] \
            || continue
        echo
        echo "$sys (PROFILE=$PROFILE):"
        if [ "$PROFILE_SCOPE" = system ]; then
            python3 "$top/bench/lib/system-profile.py" "$PROFILE/$sys-early.data" 100 \
                "$PROFILE/$sys-late.data" 100
        else
            python3 "$top/bench/lib/run-profile.py" "$PROFILE/$sys-early.data" 100 \
                "$PROFILE/$sys-late.data" 100
        fi
    done
fi

if [ -n "$plot_out" ]; then
    for sys in $SYSTEMS; do
        awk -v s="$sys" '$1 == s {print $2, $3}' "$results" > "$workdir/$sys.dat"
    done
    {
        echo "set terminal pngcairo size 900,540 noenhanced"
        echo "set output '$plot_out'"
        echo "set title 'Adding one endpoint to a network of n (N=$N, one run)'"
        echo "set xlabel 'endpoints already in the network'"
        echo "set ylabel 'ms until the new endpoint reaches endpoint 0'"
        echo "set logscale y"
        echo "set key top left"
        printf "plot "
        sep=
        for sys in $SYSTEMS; do
            [ -s "$workdir/$sys.dat" ] || continue   # bulk: no curve
            printf "%s'%s' using 1:2 with points pt 7 ps 0.5 title '%s'" "$sep" "$workdir/$sys.dat" "$sys"
            sep=", "
        done
        echo
    } > "$workdir/plot.gp"
    gnuplot "$workdir/plot.gp" && echo "plot: $plot_out"
fi
exit $status
