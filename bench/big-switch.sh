#!/bin/bash
# One switch with many flows: what ovs-vnetd costs when nothing changes, when
# it restarts, and when it installs everything at once.
#
# One sandboxed switch on the userspace (netdev) datapath, network
# 10.5.0.0/16 with two endpoints in namespaces (ep1, ep2) and N logical
# ports with fixed MAC and IP, plugged as ovs-vswitchd "dummy" ports (no
# device) by an API client: the NB rows and the switch's ports are written
# with ovsdb-client, in batches.  With KIND=trunk, N endpoints behind the
# network's trunk instead ("ovs-vnet-ctl --wait attach --type=trunk", 500 to
# a command: a namespace and a veth each, no port of the switch).  Then:
#
#   idle      ovs-vnetd's CPU time over IDLE seconds with nothing changing
#   restart   kill -9 of ovs-vnetd under a ping from ep1 to ep2 every 10 ms
#             (with KIND=trunk, from t1 to t2, both behind the trunk),
#             then start it again: how long until it reports the switch in
#             sync, how many flows it added or deleted (coverage counters of
#             the new process), and how many pings were lost
#   install   every flow deleted from the bridge with ovs-vnetd stopped, then
#             started: the time until the switch is in sync, against
#             "ovs-ofctl --bundle add-flows" of the same flows from a file
#             (after deleting them again), in the same run; and the CPU
#             each install cost ovs-vswitchd (all its threads) and the
#             installer itself (ovs-vnetd from its start, or ovs-ofctl)
#
# With PROFILE=FILE (needs perf), ovs-vnetd's install is sampled (the whole
# machine, 999 Hz, by perf record -a; its process picked out after) into
# FILE, and its symbols that took the most printed.
#
# Usage: [N=2000] [IDLE=60] [KIND=logical|trunk] [PROFILE=FILE] bench/big-switch.sh
# Needs root, and tools/setup.sh to have been run.
set -u -o pipefail

N=${N:-2000}
IDLE=${IDLE:-60}
KIND=${KIND:-logical}
case $KIND in
    logical|trunk) ;;
    *) echo "$0: KIND must be logical or trunk" >&2; exit 2 ;;
esac
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 60000 ] \
    || { echo "$0: N must be from 1 to 60000" >&2; exit 2; }
[[ $IDLE =~ ^[0-9]+$ ]] || { echo "$0: IDLE must be seconds" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. tests/lib/sandbox.sh
. tests/lib/check.sh
. bench/lib/trunk-endpoints.sh

log() { echo "bench: $*" >&2; }
fail() { echo "bench: $*" >&2; exit 1; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
vnetd_pid() { cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid"; }
vswitchd_pid() { cat "$(sandbox_switch_dir sw1)/ovs-vswitchd.pid"; }
# cpu_ms TICKS: clock ticks in ms.
cpu_ms() { echo $(( $1 * 1000 / $(getconf CLK_TCK) )); }
our_flows() {
    sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-vnet | grep -c 'cookie=0x76'
}
# When ovs-vnetd last logged that the switch connected, in ms since the epoch.
connected_at() {
    local ts
    ts=$(grep 'switch connected' "$SANDBOX_DIR/vnetd/ovs-vnetd.log" | tail -1 \
         | cut -d'|' -f1)
    date -d "$ts" +%s%3N
}
counter() {
    sandbox_vnetd_appctl coverage/read-counter "$1"
}

echo "command: N=$N IDLE=$IDLE KIND=$KIND bench/big-switch.sh"
sandbox_init "vg$(printf '%04x' $((RANDOM % 65536)))" || exit 1
export SANDBOX_VSWITCHD_ARGS=--enable-dummy

log "setting up"
sandbox_nb_start >/dev/null || fail "NB"
sandbox_vnetd_start || fail "ovs-vnetd"
sandbox_switch_start sw1 || fail "switch"
vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" --name=sw1 >/dev/null \
    || fail "connect"
vnet_ctl net-add net1 10.5.0.0/16 >/dev/null || fail "net-add"
for ep in ep1 ep2; do
    vnet_ctl --wait attach net1 "$ep" --switch=sw1 \
        --netns="$SANDBOX_PREFIX-$ep" >/dev/null || fail "attach $ep"
done
ep2_ip=$(ip -n "$SANDBOX_PREFIX-ep2" -4 -o addr show dev eth0 \
         | awk '{print $4}' | cut -d/ -f1)

log "$N endpoints ($KIND)"
start=$(now_ms)
# ovs-vswitchd adds thousands of ports and flows at its own pace: 10 minutes
# for 16000 on the development machine.
sync_timeout=$(( 600 + N / 10 ))
if [ "$KIND" = trunk ]; then
    trunk_endpoints net1 t 1 "$N" 1 || fail "endpoints behind the trunk"
else
    sandbox_logical_ports net1 "$N" addressed || fail "NB rows"
    sandbox_dummy_ports sw1 br-vnet "$N" || fail "switch ports"
fi
vnet_ctl -t "$sync_timeout" --wait sync || fail "sync"
flows=$(our_flows)
log "in sync after $(( $(now_ms) - start )) ms: $flows flows"

# Idle.
pid=$(vnetd_pid)
hz=$(getconf CLK_TCK)
sleep 2
t0=$(cpu_ticks "$pid")
sleep "$IDLE"
t1=$(cpu_ticks "$pid")
idle_pct=$(awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$IDLE" 'BEGIN { printf "%.2f", 100 * d / hz / s }')
log "idle: $((t1 - t0)) ticks in $IDLE s"

# Restart under a 10 ms ping (with KIND=trunk, between the first two
# endpoints behind the trunk).
pings=1500
from=ep1 to=$ep2_ip
[ "$KIND" = trunk ] && [ "$N" -ge 2 ] && from=t1 to=10.5.1.4
ip netns exec "$SANDBOX_PREFIX-$from" ping -i 0.01 -c "$pings" -W 1 "$to" \
    > "$SANDBOX_DIR/ping.txt" 2>&1 &
ping_pid=$!
sleep 2
sandbox_vnetd_kill
sleep 1
start=$(now_ms)
sandbox_vnetd_start || fail "ovs-vnetd again"
vnet_ctl -t "$sync_timeout" --wait sync || fail "sync after restart"
synced=$(now_ms)
restart_ms=$(( synced - start ))
restart_conn_ms=$(( synced - $(connected_at) ))
added=$(counter installer_flow_add)
deleted=$(counter installer_flow_del)
wait "$ping_pid"
lost=$(awk '/packets transmitted/ {print $1 - $4}' "$SANDBOX_DIR/ping.txt")
log "restart: in sync after $restart_ms ms, $added added, $deleted deleted, $lost lost"

# Installing everything: ovs-vnetd against ovs-ofctl --bundle.
sandbox_vnetd_stop
sandbox_ofctl sw1 -O OpenFlow15 --no-stats dump-flows br-vnet \
    | grep 'cookie=0x76' | grep -v 'cookie=0x7606' \
    | sed -e 's/^ *//' -e 's/, */,/g' -e 's/ actions=/,actions=/' \
    > "$SANDBOX_DIR/flows.txt"
n_file=$(wc -l < "$SANDBOX_DIR/flows.txt")
sandbox_ofctl sw1 del-flows br-vnet
# (ovs-vswitchd's CPU over each install, all its threads: what each way of
# installing asked of it; ovs-ofctl's own from its process's rusage.)
vs_pid=$(vswitchd_pid)
vs0=$(cpu_ticks "$vs_pid")
start=$(now_ms)
ofctl_self=$( { TIMEFORMAT='%U %S'; time sandbox_ofctl sw1 -O OpenFlow15 --bundle \
                    add-flows br-vnet "$SANDBOX_DIR/flows.txt" >/dev/null; } 2>&1 ) \
    || fail "ovs-ofctl add-flows"
ofctl_ms=$(( $(now_ms) - start ))
ofctl_vs_ms=$(cpu_ms $(( $(cpu_ticks "$vs_pid") - vs0 )))
ofctl_cpu_ms=$(awk '{printf "%d", ($1 + $2) * 1000}' <<< "$ofctl_self")
sandbox_ofctl sw1 del-flows br-vnet
perf_pid=
if [ -n "${PROFILE:-}" ]; then
    perf record -q -a -F 999 -g -o "$PROFILE" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5                   # (perf started.)
fi
vs0=$(cpu_ticks "$vs_pid")
start=$(now_ms)
sandbox_vnetd_start || fail "ovs-vnetd for the install"
vnet_ctl -t "$sync_timeout" --wait sync || fail "sync after the install"
synced=$(now_ms)
if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null
    wait "$perf_pid" 2>/dev/null
fi
vnetd_vs_ms=$(cpu_ms $(( $(cpu_ticks "$vs_pid") - vs0 )))
vnetd_cpu_ms=$(cpu_ms "$(cpu_ticks "$(vnetd_pid)")")
vnetd_ms=$(( synced - start ))
vnetd_conn_ms=$(( synced - $(connected_at) ))
log "install: ovs-vnetd $vnetd_ms ms, ovs-ofctl $ofctl_ms ms ($n_file flows)"

sandbox_check_logs "$SANDBOX_BUSY_WARNINGS" >&2 \
    || log "warnings in the daemons' logs (above)"

echo
if [ "$KIND" = trunk ]; then
    echo "N=$N endpoints behind a trunk, $flows flows of ovs-vnet on one switch"
else
    echo "N=$N logical ports, $flows flows of ovs-vnet on one switch"
fi
printf '  %-44s %s\n' "idle ovs-vnetd, $IDLE s:" "$idle_pct% of a core (target <= 1%)"
printf '  %-44s %s\n' "restart (kill -9), until in sync:" "$restart_ms ms from its start"
printf '  %-44s %s\n' "  from the switch's connection:" "$restart_conn_ms ms (target <= 1000)"
printf '  %-44s %s\n' "  flows added / deleted after the restart:" "$added / $deleted (target 0)"
printf '  %-44s %s\n' "  pings lost at 10 ms:" "$lost of $pings (target 0)"
printf '  %-44s %s\n' "install all flows, ovs-vnetd (start to sync):" "$vnetd_ms ms"
printf '  %-44s %s\n' "  from the switch's connection:" "$vnetd_conn_ms ms"
printf '  %-44s %s\n' "install all flows, ovs-ofctl --bundle:" "$ofctl_ms ms"
printf '  %-44s %s\n' "  CPU, ovs-vnetd's install:" "ovs-vswitchd $vnetd_vs_ms ms, ovs-vnetd $vnetd_cpu_ms ms (since its start)"
printf '  %-44s %s\n' "  CPU, ovs-ofctl's install:" "ovs-vswitchd $ofctl_vs_ms ms, ovs-ofctl $ofctl_cpu_ms ms"
awk -v a="$vnetd_conn_ms" -v b="$ofctl_ms" 'BEGIN {
    printf "  %-44s %.2f (target <= 1.20)\n", "ovs-vnetd from connection / ovs-ofctl:", a / (b ? b : 1) }'
if [ -n "${PROFILE:-}" ] && [ -s "$PROFILE" ]; then
    echo
    echo "ovs-vnetd's install, its own samples by symbol (PROFILE=$PROFILE):"
    perf report -i "$PROFILE" --comm ovs-vnetd --percentage relative --no-children --sort dso,symbol \
        --stdio -g none 2>/dev/null | grep -v '^#' | grep '%' | head -25 || true
fi
