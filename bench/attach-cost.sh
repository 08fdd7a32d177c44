#!/bin/bash
# The cost of one more endpoint on a switch that has N already, and the
# switch's share of it.  One switch on the userspace (netdev) datapath in a
# sandbox (tests/lib/sandbox.sh), one network; N endpoints attached by one
# "ovs-vnet-ctl --wait attach ... -- attach ..."; then K more, one at a time,
# a second apart (everything idle in between), each timed from the start of
# its "ovs-vnet-ctl --wait attach" to its end, with the CPU time that
# ovs-vswitchd and ovs-vnetd used from its start until the next one's, and
# how many times ovs-vswitchd reconfigured its bridges meanwhile (its
# coverage counter bridge_reconfigure) and how many full runs ovs-vnetd made
# (its counter switch_session_run).  Where perf(1) can count system calls,
# also how many times ovs-vswitchd's main thread went round its loop (its
# poll() calls): on the userspace datapath each time is a look at every
# port; and how many requests it sent the kernel (its sendmsg() calls, nearly
# all of them netlink: Open vSwitch 3.1 asks the kernel about every port
# again on several occasions, and for a veth whose other end is in another
# namespace each answer walks every namespace id the switch's namespace
# holds, one per endpoint namespace).
#
# With PLUG=1 the K endpoints are plugged the way OpenStack-style
# integrations do it instead: "ovs-vnet-ctl port-add", the namespace and
# veth made with ip, "ovs-vsctl add-port ... external_ids:iface-id=...", and
# each is timed until its first echo reply from endpoint 0, step by step.
#
# With IDLE=S (seconds), the CPU that ovs-vswitchd and ovs-vnetd use while
# nothing changes is measured first, over S seconds after the N endpoints
# are up (ovs-vnetd's part is mostly its checks of the endpoints).
#
# Prints the command that reproduces the run, a line per attach, and the
# means.  bench/scale.sh times endpoints added back to back, with their
# first reply; this one splits what one of them costs the switch.
#
# TYPE=internal attaches Open vSwitch internal ports moved into the endpoints'
# namespaces instead of veth pairs (ovs-vnet-ctl attach --type=internal);
# TYPE=trunk, veth pairs behind the network's trunk (--type=trunk); TYPE=tap,
# taps where the switch runs (--type=tap, no namespace: a VM's interface).
#
# With PHASES=1 (not with PLUG=1), ovs-vnetd logs at debug level during the K
# attaches, and what each one's time went to is printed from its log
# (bench/lib/attach-phases.py): the command until ovs-vnetd has the new row,
# ovs-vnetd until the endpoint's namespace is made, until its flows are sent,
# the switch until it has them, ovs-vnetd until it reports the endpoint up,
# and the command until it returns (medians).  The logging costs ovs-vnetd
# CPU of its own: the CPU figures of such a run are not comparable.
#
# With PROFILE=FILE (needs perf), ovs-vnetd is recorded during the K
# attaches (or plugs) with "perf record --call-graph dwarf" into FILE; two
# runs at two N compare step by step with bench/lib/run-profile.py
# (EARLY.data K LATE.data K 1999 attach): what grows with the network.  The
# recording slows ovs-vnetd: such a run's figures are not comparable.
#
# Usage: [N=600] [K=12] [IDLE=0] [PLUG=0|1] [TYPE=veth|internal|trunk|tap] [PHASES=0|1]
#        [PROFILE=FILE] bench/attach-cost.sh
set -u -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$top/bench/$(basename "${BASH_SOURCE[0]}")
N=${N:-600}
K=${K:-12}
IDLE=${IDLE:-0}
PLUG=${PLUG:-0}
TYPE=${TYPE:-veth}
PHASES=${PHASES:-0}
PROFILE=${PROFILE:-}
case ${1:-} in
    -h|--help) sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$self"; exit 0 ;;
    "") ;;
    *) echo "$0: unknown argument '$1'" >&2; exit 2 ;;
esac
[[ $N =~ ^[0-9]+$ ]] && (( N <= 5000 )) || { echo "$0: N must be 0 to 5000" >&2; exit 2; }
[[ $K =~ ^[1-9][0-9]*$ ]] && (( K <= 200 )) || { echo "$0: K must be 1 to 200" >&2; exit 2; }
[[ $IDLE =~ ^[0-9]+$ ]] && (( IDLE <= 600 )) || { echo "$0: IDLE must be 0 to 600" >&2; exit 2; }
[[ $PLUG =~ ^[01]$ ]] || { echo "$0: PLUG must be 0 or 1" >&2; exit 2; }
[[ $TYPE =~ ^(veth|internal|trunk|tap)$ ]] || { echo "$0: TYPE must be veth, internal, trunk or tap" >&2; exit 2; }
(( !PLUG || N > 0 )) || { echo "$0: PLUG=1 needs N > 0 (endpoint 0 answers)" >&2; exit 2; }
[[ $PHASES =~ ^[01]$ ]] && (( !PHASES || !PLUG )) \
    || { echo "$0: PHASES must be 0 or 1, and 0 with PLUG=1" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (namespaces, veths)" >&2; exit 2; }
if [ -n "$PROFILE" ]; then
    command -v perf >/dev/null || { echo "$0: perf not found (tools/setup.sh)" >&2; exit 2; }
    touch "$PROFILE" && PROFILE=$(realpath "$PROFILE") || exit 2
fi

echo "command: N=$N K=$K IDLE=$IDLE PLUG=$PLUG TYPE=$TYPE PHASES=$PHASES${PROFILE:+ PROFILE=$PROFILE} $(printf '%q' "$self")"
echo

. "$top/bench/lib/proc.sh"
. "$top/bench/lib/one-switch.sh" "va$$"

# ep_ip I: endpoint I's address (10.5.1.10 on; the gateway is 10.5.0.1).
ep_ip() { echo "10.5.$(($1 / 200 + 1)).$(($1 % 200 + 10))"; }

# ep_netns I: endpoint I's namespace option (none for a tap).
ep_netns() { [ "$TYPE" = tap ] || echo "--netns=$SANDBOX_PREFIX-e$1"; }

if (( N > 0 )); then
    args=()
    for ((i = 0; i < N; i++)); do
        args+=(-- attach net1 "e$i" --switch=sw1 --ip="$(ep_ip "$i")"
               $(ep_netns "$i") --type="$TYPE")
    done
    t0=$(date +%s%N)
    "$OVS_VNET_CTL" -t 600 --wait "${args[@]:1}" >/dev/null \
        || { log "the $N endpoints could not be attached"; exit 1; }
    log "$N endpoints attached in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
fi
sleep 2

vswitchd=$(cat "$(sandbox_switch_dir sw1)/ovs-vswitchd.pid")
vnetd=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
hz=$(getconf CLK_TCK)
reconfigs() {
    sandbox_switch_env sw1 ovs-appctl coverage/read-counter bridge_reconfigure
}
full_runs() {
    sandbox_vnetd_appctl coverage/read-counter switch_session_run
}
# loops_start / loops_stop: ovs-vswitchd's main-loop iterations and its main
# thread's sendmsg() calls in between ("-" without perf's syscall
# tracepoints).
loops_file=$SANDBOX_DIR/loops
loops_pid=
have_perf=false
perf stat -e syscalls:sys_enter_poll -- true >/dev/null 2>&1 && have_perf=true
loops_start() {
    loops_pid=
    $have_perf || return 0
    perf stat -x, -e syscalls:sys_enter_poll,syscalls:sys_enter_sendmsg \
        -t "$vswitchd" -o "$loops_file" \
        >/dev/null 2>&1 &
    loops_pid=$!
}
loops_stop() {               # Sets $loops and $requests.
    loops=- requests=-
    [ -n "$loops_pid" ] || return 0
    kill -INT "$loops_pid" 2>/dev/null
    wait "$loops_pid" 2>/dev/null
    loops=$(perf_count sys_enter_poll)
    requests=$(perf_count sys_enter_sendmsg)
}
perf_count() {
    awk -F, -v e="$1" '$3 ~ e { print $1 + 0; found = 1 }
                       END { if (!found) print "-" }' "$loops_file"
}

if (( IDLE > 0 )); then
    loops_start
    a0=$(proc_ticks "$vswitchd"); b0=$(proc_ticks "$vnetd")
    sleep "$IDLE"
    a1=$(proc_ticks "$vswitchd"); b1=$(proc_ticks "$vnetd")
    loops_stop
    flows=$(sandbox_ofctl sw1 dump-aggregate br-vnet | grep -o 'flow_count=[0-9]*')
    awk -v n="$N" -v s="$IDLE" -v a=$((a1 - a0)) -v b=$((b1 - b0)) -v hz="$hz" -v f="${flows#*=}" \
        'BEGIN { printf "idle, N=%d (%d flows), over %d s: ovs-vswitchd %.2f%% of a core, " \
                        "ovs-vnetd %.2f%%\n", n, f, s, a * 100 / hz / s, b * 100 / hz / s }'
    [ "$loops" != - ] && awk -v l="$loops" -v s="$IDLE" \
        'BEGIN { printf "ovs-vswitchd went round its main loop %.1f times a second\n", l / s }'
    echo
fi

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

# plug I: endpoint I plugged by others; prints the milliseconds of each step.
plug() {
    local i=$1 ns=$SANDBOX_PREFIX-e$1 mac t a b c d
    mac=$(printf '0a:00:00:00:%02x:%02x' $((i / 256)) $((i % 256)))
    t=$(date +%s%N)
    vnet_ctl port-add net1 "e$i" --ip="$(ep_ip "$i")" --mac="$mac" >/dev/null || return 1
    a=$(ms_since "$t"); t=$(date +%s%N)
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    sandbox_netns_exec sw1 ip link add "v$i" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set eth0 address "$mac" mtu 1450
    ip -n "$ns" addr add "$(ep_ip "$i")/16" dev eth0
    ip -n "$ns" link set eth0 up
    ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null
    sandbox_netns_exec sw1 ip link set "v$i" mtu 1450 up
    b=$(ms_since "$t"); t=$(date +%s%N)
    sandbox_vsctl sw1 add-port br-vnet "v$i" \
        -- set Interface "v$i" external_ids:iface-id="e$i" || return 1
    c=$(ms_since "$t"); t=$(date +%s%N)
    ip netns exec "$ns" ping -q -n -c 1 -i 0.02 -w 30 "$(ep_ip 0)" >/dev/null || return 1
    d=$(ms_since "$t")
    echo "$a $b $c $d"
}

if (( PLUG )); then
    printf '%-8s %10s %16s %14s %10s %10s %6s %8s %8s %8s %8s %8s\n' endpoint "plug ms" \
        "ovs-vswitchd ms" "ovs-vnetd ms" reconfigs "full runs" loops sendmsg \
        port-add ip add-port reply
else
    printf '%-8s %10s %16s %14s %10s %10s %6s %8s\n' endpoint "attach ms" "ovs-vswitchd ms" \
        "ovs-vnetd ms" reconfigs "full runs" loops sendmsg
fi
results=$SANDBOX_DIR/results
: > "$results"
marks=$SANDBOX_DIR/marks
: > "$marks"
if (( PHASES )); then
    sandbox_vnetd_appctl vlog/set jsonrpc:file:dbg switch_session:file:dbg \
        vconn:file:dbg >/dev/null || { log "cannot set ovs-vnetd's log levels"; exit 1; }
fi
perf_pid=
if [ -n "$PROFILE" ]; then
    perf record -q -F 1999 --call-graph dwarf,16384 -p "$vnetd" -o "$PROFILE" \
        >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5                   # (perf attached.)
fi
for ((j = 0; j < K; j++)); do
    i=$((N + j))
    # The counters first: each ovs-appctl is a few iterations of
    # ovs-vswitchd's main loop, each a look at every port, outside the CPU
    # counted.
    r0=$(reconfigs); f0=$(full_runs); loops_start
    sleep 0.2                   # ovs-vswitchd done with ovs-appctl, perf counting.
    a0=$(cpu_ns "$vswitchd"); b0=$(cpu_ns "$vnetd")
    t0=$(date +%s%N)
    steps=
    if (( PLUG )); then
        steps=$(plug "$i") || { log "e$i: plug failed"; exit 1; }
    else
        (( PHASES )) && echo "e$i start $(date -u +%T.%N)" >> "$marks"
        vnet_ctl --wait attach net1 "e$i" --switch=sw1 --ip="$(ep_ip "$i")" \
            $(ep_netns "$i") --type="$TYPE" >/dev/null \
            || { log "e$i: attach failed"; exit 1; }
        (( PHASES )) && echo "e$i end $(date -u +%T.%N)" >> "$marks"
    fi
    t1=$(date +%s%N)
    sleep 1
    a1=$(cpu_ns "$vswitchd"); b1=$(cpu_ns "$vnetd"); loops_stop
    r1=$(reconfigs); f1=$(full_runs)
    line=$(printf '%s %s %s %s %s %s %s %s %s' "e$i" $(( (t1 - t0) / 1000000 )) \
        $(( (a1 - a0) / 1000000 )) "$(awk -v d=$((b1 - b0)) 'BEGIN {printf "%.1f", d / 1e6}')" \
        $((r1 - r0)) $((f1 - f0)) \
        "$loops" "$requests" \
        "$steps")
    echo "$line" >> "$results"
    printf '%-8s %10s %16s %14s %10s %10s %6s %8s %8s %8s %8s %8s\n' $line
done
if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null
    wait "$perf_pid" 2>/dev/null
fi
awk -v n="$N" -v what="$( ((PLUG)) && echo plugs || echo attaches)" \
    '{ t += $2; a += $3; b += $4; r += $5; f += $6; l += $7; nl += ($7 != "-")
      q += $8; s1 += $9; s2 += $10; s3 += $11; s4 += $12; k++ }
    END { printf "\nN=%d, mean of %d %s: %.0f ms; ovs-vswitchd %.0f ms of CPU, " \
                 "ovs-vnetd %.1f ms, %.2f reconfigurations and %.2f full runs of " \
                 "ovs-vnetd each\n", n, k, what, t / k, a / k, b / k, r / k, f / k
          if (nl)
              printf "ovs-vswitchd went round its main loop %.1f times and sent the " \
                     "kernel %.0f requests (%.1f per endpoint on the switch) per %s\n", \
                     l / nl, q / nl, q / nl / (n + (k - 1) / 2 + 1),
                     substr(what, 1, length(what) - (what == "plugs" ? 1 : 2))
          if (what == "plugs")
              printf "steps: port-add %.0f ms, ip %.0f ms, add-port %.0f ms, " \
                     "first reply %.0f ms\n", s1 / k, s2 / k, s3 / k, s4 / k }' \
    "$results"
if (( PHASES )); then
    echo
    echo "where each attach's time went (ms):"
    python3 "$top/bench/lib/attach-phases.py" "$marks" "$SANDBOX_DIR/vnetd/ovs-vnetd.log"
fi
