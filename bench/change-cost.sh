#!/bin/bash
# What one change of the NB costs ovs-vnetd as the network grows, without
# the devices, the switch or the NB server in the figure.
#
# One sandboxed switch (userspace datapath), network 10.5.0.0/16; its
# endpoints are added behind the network's trunk ("attach --type=trunk",
# 500 to a command) until there are N of each N in NS.  At each N, K changes
# one after the other, each by one "ovs-vnet-ctl --wait" command (it returns
# once ovs-vnetd has applied it): a logical port of the network added (with
# an IP and a MAC, and bound nowhere: every switch of the network answers
# ARP for it) and then deleted again.  Each such change gives the switch
# flows of its own to add or delete, and no device.  Before each
# measurement, 20 changes that are not measured.  Printed for each N, in
# microseconds of ovs-vnetd's CPU: all it used per change (from
# /proc/PID/task/*/schedstat: its periodic work too, such as the trunk's
# checks every 30 s), and its full runs alone ("ovs-appctl run-times/show":
# their mean and the least), each with how much more a change
# costs for each 1000 endpoints than at the first N; and the full runs per
# change (their coverage counter).
#
# With CHANGE=elsewhere, the logical ports go into another network instead
# (10.6.0.0/16, with no endpoint on this switch and no router): a change
# that gives the switch nothing to do, and what it costs the switch all
# the same.
#
# With CHANGE=remote, a second switch sw2 joins (VXLAN between the two,
# over an underlay of the sandbox's own), with one endpoint of the network
# behind its trunk; each change is an endpoint of the network attached
# behind sw2's trunk and then detached: an endpoint on another switch for
# sw1, which sw1 already reaches.  The figures are ovs-vnetd's for both
# switches: sw2's full run for each change is in them, and grows with the
# NB's endpoints too (each full run reads every Endpoint row).
#
# With CHANGE=attach, each change is an endpoint of the network attached
# behind sw1's own trunk (ovs-vnetd makes its namespace and veth) and then
# detached: a change of the switch's own endpoints, which it follows without
# a full run while another endpoint stays behind the trunk.  The figures
# include the devices' making and removal by ovs-vnetd (and the kernel's
# work for them, counted as ovs-vnetd's).
#
# With CHANGE=veth, the same with a veth of its own ("--type=veth"): its
# port inserted into the switch and deleted again, each followed without a
# full run while the network keeps other ports on the switch; ovs-vswitchd
# reconfigures every port for each, which "--wait" waits for (not in the
# figures, which are ovs-vnetd's CPU).  With CHANGE=internal, the same with
# an internal port of its own ("--type=internal"): ovs-vswitchd makes its
# device, which ovs-vnetd moves into the namespace once the port is
# numbered.  With CHANGE=tap, the same with a tap ("--type=tap", a VM's
# interface, no namespace): ovs-vnetd makes the tap where the switch runs,
# and removes it once ovs-vswitchd has let go of it.
#
# With CHANGE=plug, each change is a logical port of the network plugged on
# sw1 the way OpenStack-style integrations plug one ("port-add", then a
# namespace, a veth and "ovs-vsctl add-port ... external_ids:iface-id=...",
# until the port is up), and then unplugged ("ovs-vsctl del-port", the
# devices deleted, until its location is gone) and deleted ("detach").  The
# figures include the devices' making and removal by the plugger (counted
# as the kernel's, not ovs-vnetd's).  With CHANGE=plug-beside, the same
# among other networks' endpoints, with tunnels: a second switch sw2 joins
# (as with CHANGE=remote) with an endpoint of the network behind its trunk,
# one endpoint of the network stays behind sw1's, and the N endpoints
# behind sw1's trunk are of another network (10.6.0.0/16); whether a
# plugged port's coming or going changes sw1's tunnels is then a question
# about the network's endpoints on sw1 among N of another.
#
# With CHANGE=recompute, each "change" is no change at all but an
# "ovs-appctl -t ovs-vnetd recompute" (a full run that works every row out
# again, and an audit of the switch's flows), waited for by its coverage
# counter and the end of the audit's, then "--wait sync": what an operator's
# recomputation costs at each N (the counters' reads, a few ovs-appctl
# commands, are in the figure too).
#
# With OLD=PATH, an ovs-vnetd binary measured too, on the same sandbox: at
# each N, ovs-vnetd is restarted with the other binary (after "--wait sync"
# on the first), alternately, ROUNDS times each (2 by default).
#
# With PROFILE=DIR (needs perf), the first round of the binary under test
# at the first and the last N is recorded with "perf record --call-graph
# dwarf" (DIR/first.data, DIR/last.data), and its CPU per change is printed
# step by step (bench/lib/run-profile.py): what grows with the network.  The
# recording slows ovs-vnetd: those rounds' figures are not comparable.
#
# Usage: [NS="100 1000 3000"] [K=200]
#        [CHANGE=here|elsewhere|remote|attach|veth|internal|tap|plug|plug-beside|recompute]
#        [OLD=PATH]
#        [ROUNDS=2] [PROFILE=DIR] bench/change-cost.sh
# Needs root, and tools/setup.sh to have been run.
set -u -o pipefail

NS=${NS:-100 1000 3000}
K=${K:-200}
OLD=${OLD:-}
ROUNDS=${ROUNDS:-2}
PROFILE=${PROFILE:-}
CHANGE=${CHANGE:-here}
case $CHANGE in
    here) change_net=net1 change_prefix=10.5.250 ;;
    elsewhere) change_net=net2 change_prefix=10.6.250 ;;
    remote|attach|veth|internal|tap|plug|plug-beside|recompute) change_net=net1 change_prefix=10.5.250 ;;
    *) echo "$0: CHANGE must be here, elsewhere, remote, attach, veth, internal, tap, plug, plug-beside or recompute" >&2; exit 2 ;;
esac
# Whether sw2 joins, and the network of the N endpoints behind sw1's trunk.
two_switches=false grow_net=net1 grow_prefix=10.5
case $CHANGE in
    remote) two_switches=true ;;
    plug-beside) two_switches=true grow_net=net2 grow_prefix=10.6 ;;
esac
[[ $K =~ ^[0-9]+$ ]] && [ "$K" -ge 2 ] || { echo "$0: K must be a count of 2 or more" >&2; exit 2; }
[[ $ROUNDS =~ ^[0-9]+$ ]] && [ "$ROUNDS" -ge 1 ] || { echo "$0: ROUNDS must be a count" >&2; exit 2; }
last=0
for n in $NS; do
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt "$last" ] && [ "$n" -le 20000 ] \
        || { echo "$0: NS must grow, each from 1 to 20000" >&2; exit 2; }
    last=$n
done
[ -z "$OLD" ] || [ -x "$OLD" ] || { echo "$0: OLD: $OLD is not a program" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }
if [ -n "$PROFILE" ]; then
    command -v perf >/dev/null || { echo "$0: perf not found (tools/setup.sh)" >&2; exit 2; }
    mkdir -p "$PROFILE" && PROFILE=$(realpath "$PROFILE") || exit 2
fi

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. tests/lib/sandbox.sh
. bench/lib/proc.sh
. bench/lib/trunk-endpoints.sh

log() { echo "bench: $*" >&2; }
fail() { echo "bench: $*" >&2; exit 1; }
vnet_ctl() { "$OVS_VNET_CTL" "$@"; }
counter() { sandbox_vnetd_appctl coverage/read-counter "$1"; }
# counter_or_dash NAME: the counter, or "-" where the binary has none.
counter_or_dash() {
    sandbox_vnetd_appctl coverage/read-counter "$1" 2>/dev/null || echo -
}

new_vnetd=$OVS_VNETD
binaries=(new)
[ -n "$OLD" ] && binaries+=(old)
binary_path() { if [ "$1" = old ]; then echo "$OLD"; else echo "$new_vnetd"; fi; }
running=new

# restart_with BINARY: ovs-vnetd from BINARY ("new" or "old"), in sync.
restart_with() {
    [ "$running" = "$1" ] && return 0
    sandbox_vnetd_stop
    OVS_VNETD=$(binary_path "$1") sandbox_vnetd_start || fail "ovs-vnetd ($1)"
    vnet_ctl -t 600 --wait sync >/dev/null || fail "sync ($1)"
    running=$1
}

# grow_to N: endpoints e1..eN behind the trunk.
have=0
grow_to() {
    if [ "$have" -lt "$1" ]; then
        trunk_endpoints "$grow_net" e $((have + 1)) "$1" 0 "$grow_prefix" \
            || fail "endpoints up to $1"
        have=$1
    fi
}

# full_run_stats: the full runs' CPU times since the last reset, in us, as
# "MEAN LEAST P95", or "- - -" for an ovs-vnetd without run-times/show.
full_run_stats() {
    sandbox_vnetd_appctl run-times/show 2>/dev/null | awk -F': ' '
        $1 == "least" {min = $2 + 0} $1 == "mean" {avg = $2 + 0}
        $1 ~ /^95th percentile/ {p95 = $2 + 0}
        END { if (avg == "") print "- - -"; else printf "%d %d %d\n", avg, min, p95 }'
}

# wait_endpoint NAME LOCATION UP: waits (5 s at most) until endpoint NAME's
# NB row has that location ("[]": none) and "up".
wait_endpoint() {
    local i row
    for ((i = 0; i < 500; i++)); do
        row=$(ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
                  '["OVS_VNET_Northbound",{"op":"select","table":"Endpoint",
                    "where":[["name","==","'"$1"'"]],"columns":["location","up"]}]')
        case $row in
            *'"location":'"$2"*'"up":'"$3"*|*'"up":'"$3"*'"location":'"$2"*) return 0 ;;
        esac
        sleep 0.01
    done
    return 1
}

# plug_and_unplug NAME IP MAC: logical port NAME plugged on sw1 and up,
# then unplugged, on no switch, and deleted.
plug_and_unplug() {
    local name=$1 ns=$SANDBOX_PREFIX-$1 sw_ns
    sw_ns=$(sandbox_netns sw1)
    vnet_ctl --wait port-add net1 "$name" --ip="$2" --mac="$3" >/dev/null \
        || fail "port-add $name"
    ip netns add "$ns" || fail "netns $name"
    ip -n "$sw_ns" link add "p-$name" type veth peer name eth0 netns "$ns" \
        || fail "veth $name"
    ip -n "$ns" link set eth0 address "$3" mtu 1450 up
    ip -n "$sw_ns" link set "p-$name" up
    sandbox_vsctl sw1 add-port br-vnet "p-$name" \
        -- set Interface "p-$name" external_ids:iface-id="$name" >/dev/null \
        || fail "add-port $name"
    wait_endpoint "$name" '"sw1"' true || fail "$name not up on sw1"
    sandbox_vsctl sw1 del-port br-vnet "p-$name" >/dev/null || fail "del-port $name"
    ip -n "$sw_ns" link del "p-$name"
    ip netns del "$ns"
    wait_endpoint "$name" '["set",[]]' false || fail "$name still located"
    vnet_ctl --wait detach "$name" >/dev/null || fail "detach $name"
}

# recompute_once: one recomputation asked for, done, audited, in sync.
recompute_once() {
    local r c i
    r=$(counter switch_session_recompute)
    c=$(counter installer_audited)
    sandbox_vnetd_appctl recompute >/dev/null || fail "recompute"
    for ((i = 0; i < 1000; i++)); do
        [ "$(counter switch_session_recompute)" -gt "$r" ] \
            && [ "$(counter installer_audited)" -gt "$c" ] && break
        sleep 0.02
    done
    ((i < 1000)) || fail "recompute not done after 1000 looks"
    vnet_ctl --wait sync >/dev/null || fail "sync after recompute"
}

# changes COUNT: COUNT changes, one after the other.
serial=0
changes() {
    local k name
    for ((k = 0; k < $1; k += 2)); do
        serial=$((serial + 1))
        name=c$serial
        if [ "$CHANGE" = recompute ]; then
            recompute_once
            recompute_once
            continue
        fi
        if [ "$CHANGE" = plug ] || [ "$CHANGE" = plug-beside ]; then
            plug_and_unplug "$name" "$change_prefix.$((serial % 250 + 2))" \
                "$(printf '02:00:0a:05:%02x:%02x' $((serial / 256 % 256)) $((serial % 256)))"
            continue
        fi
        if [ "$CHANGE" = remote ] || [ "$CHANGE" = attach ] \
               || [ "$CHANGE" = veth ] || [ "$CHANGE" = internal ] \
               || [ "$CHANGE" = tap ]; then
            vnet_ctl --wait attach net1 "$name" \
                --switch="$([ "$CHANGE" = remote ] && echo sw2 || echo sw1)" \
                --type="$(case $CHANGE in veth|internal|tap) echo "$CHANGE" ;;
                          *) echo trunk ;; esac)" \
                --ip="$change_prefix.$((serial % 250 + 2))" \
                $([ "$CHANGE" = tap ] || echo "--netns=$SANDBOX_PREFIX-$name") \
                >/dev/null || fail "attach $name"
            vnet_ctl --wait detach "$name" >/dev/null || fail "detach $name"
            continue
        fi
        vnet_ctl --wait port-add "$change_net" "$name" \
            --ip="$change_prefix.$((serial % 250 + 2))" \
            --mac="$(printf '02:00:0a:05:%02x:%02x' $((serial / 256 % 256)) $((serial % 256)))" \
            >/dev/null || fail "port-add $name"
        vnet_ctl --wait detach "$name" >/dev/null || fail "detach $name"
    done
}

# measure [PERF.data]: K changes (recorded into PERF.data if given); prints
# "US_PER_CHANGE RUNS_PER_CHANGE RUN_AVERAGE RUN_MIN RUN_P95 TEXT_SHARE":
# the last, of the flows' actions that a comparison found equal or not
# (an audit's), the share that their encodings did not settle and their
# text did ("-" where the binary does not count them).
measure() {
    local pid c0 c1 r0 r1 t0 t1 e0 e1 perf_pid=
    pid=$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")
    if [ -n "${1:-}" ]; then
        perf record -q -F 1999 --call-graph dwarf,16384 -p "$pid" -o "$1" \
            >/dev/null 2>&1 &
        perf_pid=$!
        sleep 0.5               # (perf attached.)
    fi
    changes 20                  # (Not measured: the caches warm up.)
    sandbox_vnetd_appctl run-times/reset >/dev/null 2>&1 || true
    r0=$(counter switch_session_run)
    t0=$(counter_or_dash flow_actions_text_compared)
    e0=$(counter_or_dash flow_actions_bytes_equal)
    c0=$(cpu_ns "$pid")
    changes "$K"
    c1=$(cpu_ns "$pid")
    r1=$(counter switch_session_run)
    t1=$(counter_or_dash flow_actions_text_compared)
    e1=$(counter_or_dash flow_actions_bytes_equal)
    if [ -n "$perf_pid" ]; then
        kill -INT "$perf_pid" 2>/dev/null
        wait "$perf_pid" 2>/dev/null
    fi
    echo "$(awk -v c=$((c1 - c0)) -v r=$((r1 - r0)) -v k="$K" \
              'BEGIN { printf "%.0f %.2f", c / k / 1000, r / k }') $(full_run_stats) $(
        awk -v t0="$t0" -v t1="$t1" -v e0="$e0" -v e1="$e1" 'BEGIN {
            if (t0 == "-" || t1 == "-" || t1 - t0 + e1 - e0 == 0) print "-"
            else printf "%.3f\n", (t1 - t0) / (t1 - t0 + e1 - e0) }')"
}

echo "command: NS=\"$NS\" K=$K CHANGE=$CHANGE${OLD:+ OLD=$OLD} ROUNDS=$ROUNDS${PROFILE:+ PROFILE=$PROFILE} bench/change-cost.sh"
sandbox_init "vc$(printf '%04x' $((RANDOM % 65536)))" || exit 1
log "setting up"
sandbox_nb_start >/dev/null || fail "NB"
sandbox_vnetd_start || fail "ovs-vnetd"
sandbox_switch_start sw1 || fail "switch"
if $two_switches; then
    sandbox_underlay_start || fail "underlay"
    sandbox_switch_start sw2 || fail "switch sw2"
    for i in 1 2; do
        sandbox_switch_underlay "sw$i" "192.168.50.$i/24" || fail "underlay sw$i"
        vnet_ctl --wait connect "$(sandbox_switch_remote "sw$i")" --name="sw$i" \
            --encap-ip="192.168.50.$i" --encap-type=vxlan --underlay=ul0 \
            >/dev/null || fail "connect sw$i"
    done
else
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" --name=sw1 >/dev/null \
        || fail "connect"
fi
vnet_ctl net-add net1 10.5.0.0/16 >/dev/null || fail "net-add"
vnet_ctl net-add net2 10.6.0.0/16 >/dev/null || fail "net-add net2"
if $two_switches; then
    vnet_ctl --wait attach net1 base --switch=sw2 --type=trunk --ip=10.5.249.2 \
        --netns="$SANDBOX_PREFIX-base" >/dev/null || fail "sw2's endpoint"
fi
if [ "$CHANGE" = plug-beside ]; then
    vnet_ctl --wait attach net1 r0 --switch=sw1 --type=trunk --ip=10.5.249.3 \
        --netns="$SANDBOX_PREFIX-r0" >/dev/null || fail "sw1's endpoint of net1"
fi

declare -A us runs run_avg run_min text_share
first=${NS%% *}
last_n=${NS##* }
for n in $NS; do
    log "$n endpoints"
    grow_to "$n"
    for ((round = 1; round <= ROUNDS; round++)); do
        for b in "${binaries[@]}"; do
            restart_with "$b"
            data=
            if [ -n "$PROFILE" ] && [ "$b" = new ] && [ "$round" = 1 ]; then
                [ "$n" = "$first" ] && data=$PROFILE/first.data
                [ "$n" = "$last_n" ] && data=$PROFILE/last.data
            fi
            read -r u r avg min p95 text < <(measure $data) || fail "measure"
            log "  $b: $u us a change, $r full runs a change; a full run $avg us on average, least $min, 95th percentile $p95; actions compared as text $text"
            us[$b,$n]="${us[$b,$n]:-} $u"
            runs[$b,$n]="${runs[$b,$n]:-} $r"
            run_avg[$b,$n]="${run_avg[$b,$n]:-} $avg"
            run_min[$b,$n]="${run_min[$b,$n]:-} $min"
            text_share[$b,$n]="${text_share[$b,$n]:-} $text"
        done
    done
done

# (The userspace datapath's ovs-vswitchd asks the kernel about an internal
# port's device where it runs, not in the namespace it went to.)
allowed=$SANDBOX_BUSY_WARNINGS
[ "$CHANGE" = internal ] \
    && allowed+='|netdev_linux\|WARN\|.*vnet[0-9a-f]{8}.*No such device'
sandbox_check_logs "$allowed" >&2 \
    || log "warnings in the daemons' logs (above)"

# summary LABEL ARRAY: for each binary, the median of the rounds at each N,
# and how much more a change costs for each 1000 endpoints than at the
# first N.
summary() {
    local label=$1 b n
    local -n values=$2
    echo "$label"
    for b in "${binaries[@]}"; do
        for n in $NS; do
            echo "$n ${values[$b,$n]}"
        done | awk -v b="$b" -v first="$first" '
            function median(a, n,   i, j, t) {
                for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) {
                    t = a[j]; a[j] = a[j-1]; a[j-1] = t }
                return n % 2 ? a[(n+1)/2] : (a[n/2] + a[n/2+1]) / 2 }
            { n = $1; k = 0; for (i = 2; i <= NF; i++) if ($i != "-") v[++k] = $i
              if (!k) next
              m = median(v, k); line = sprintf("  %-4s N=%-6s %-30s median %6.0f", b, n, substr($0, length($1) + 2), m)
              if (n == first) { base = m; print line }
              else printf "%s, %+.0f for each 1000 endpoints more than N=%s\n", line, (m - base) * 1000 / (n - first), first }'
    done
}

echo
if [ "$CHANGE" = here ]; then
    echo "One change of the NB: a logical port of the network added or deleted, by one"
elif [ "$CHANGE" = remote ]; then
    echo "One change of the NB: an endpoint of the network attached behind sw2's trunk or"
    echo "detached (sw2's full run included), by one"
elif [ "$CHANGE" = attach ]; then
    echo "One change of the NB: an endpoint of the network attached behind sw1's own trunk"
    echo "or detached (its devices made or removed included), by one"
elif [ "$CHANGE" = plug ] || [ "$CHANGE" = plug-beside ]; then
    echo "One change of the NB or of sw1's database: a logical port added and plugged on sw1,"
    echo "or unplugged and deleted, by one --wait command and ovs-vsctl (each pair counts"
    echo "as two changes)$([ "$CHANGE" = plug-beside ] && echo "; the network on sw2 too, the N endpoints of another network")"
elif [ "$CHANGE" = veth ] || [ "$CHANGE" = internal ] || [ "$CHANGE" = tap ]; then
    echo "One change of the NB: an endpoint of the network with a$(case $CHANGE in internal) echo "n internal port" ;; tap) echo " tap" ;; *) echo " veth" ;; esac) of its own attached"
    echo "to sw1 or detached (its devices and port made or removed included), by one"
elif [ "$CHANGE" = recompute ]; then
    echo "One recomputation asked for (ovs-appctl recompute: a full run, every row worked"
    echo "out again, and an audit of sw1's flows), then one"
else
    echo "One change of the NB: a logical port of another network (none of its endpoints"
    echo "on this switch) added or deleted, by one"
fi
echo "--wait command; microseconds of ovs-vnetd's CPU, each round, then the median."
summary "ovs-vnetd's CPU a change, all of it (/proc):" us
summary "a full run (their mean; its CPU only):" run_avg
summary "a full run, the least:" run_min
echo "full runs a change:"
for b in "${binaries[@]}"; do
    for n in $NS; do
        printf '  %-4s N=%-6s %s\n' "$b" "$n" "${runs[$b,$n]# }"
    done
done
echo "of the flows' actions compared (an audit's), the share their encodings did not"
echo "settle, compared as text (\"-\": none compared, or not counted):"
for b in "${binaries[@]}"; do
    for n in $NS; do
        printf '  %-4s N=%-6s %s\n' "$b" "$n" "${text_share[$b,$n]# }"
    done
done
if [ -n "$PROFILE" ] && [ -s "$PROFILE/first.data" ] && [ -s "$PROFILE/last.data" ]; then
    echo
    echo "new (PROFILE=$PROFILE; the first round, N=$first and N=$last_n):"
    python3 bench/lib/run-profile.py "$PROFILE/first.data" "$K" \
        "$PROFILE/last.data" "$K" 1999 change
fi
