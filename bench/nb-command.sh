#!/bin/bash
# What one ovs-vnet-ctl command costs the NB server as the NB grows: a
# network with N logical ports (rows written straight into the NB, in
# batches), then K runs of the command, one after the other; for each N, the
# NB server's CPU per command (/proc ticks, 10 ms each) and the command's
# wall time.  No ovs-vnetd and no switch (a Switch row whose remote nobody
# serves): what is measured is the command and the NB server alone.
#
# CMD is the command line after "ovs-vnet-ctl" ("@" is replaced by a number
# of its own for each command of the whole run, "#" by an IP of its own in
# 10.5.200.0/21); by default an attach with --ip and a dry run (what
# bench/scale.sh's attach-trunk asks, without the writes).  A command that
# writes adds to the NB: N grows by K for each binary measured.  With OLD=PATH, a
# second ovs-vnet-ctl binary is measured too, alternately, on the same NB.
#
# Usage: [NS="10 1000 3000"] [K=200] [CMD="..."] [OLD=PATH] bench/nb-command.sh
# Needs root, and tools/setup.sh to have been run.
set -u -o pipefail

NS=${NS:-10 1000 3000}
K=${K:-200}
CMD=${CMD:---dry-run attach net1 x@ --switch=sw1 --ip=10.5.250.1 --type=trunk}
OLD=${OLD:-}
[[ $K =~ ^[0-9]+$ ]] && [ "$K" -ge 1 ] || { echo "$0: K must be a count" >&2; exit 2; }
for n in $NS; do
    [[ $n =~ ^[0-9]+$ ]] && [ "$n" -ge 1 ] && [ "$n" -le 60000 ] \
        || { echo "$0: NS: $n is not from 1 to 60000" >&2; exit 2; }
done
[ -z "$OLD" ] || [ -x "$OLD" ] || { echo "$0: OLD: $OLD is not a program" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. tests/lib/sandbox.sh
. bench/lib/proc.sh

log() { echo "bench: $*" >&2; }
fail() { echo "bench: $*" >&2; exit 1; }

sandbox_init "nbc$$"
echo "Command: NS=\"$NS\" K=$K CMD=\"$CMD\"${OLD:+ OLD=$OLD} bench/nb-command.sh"
echo
printf '%-8s %-8s %18s %18s\n' N ctl "NB server us/cmd" "wall ms/cmd"

# measure CTL N: K runs of CMD with CTL; prints a line.
measure() {
    local ctl=$1 n=$2 pid t0 t1 s e i cmd
    pid=$(cat "$SANDBOX_DIR/nb/ovsdb-server.pid")
    t0=$(proc_ticks "$pid")
    s=${EPOCHREALTIME/./}
    for ((i = 0; i < K; i++)); do
        count=$((count + 1))
        cmd=${CMD//@/$count}
        cmd=${cmd//#/10.5.$((200 + count / 250)).$((count % 250 + 1))}
        "$ctl" --db="$OVS_VNET_DB" -t 30 $cmd >/dev/null \
            || fail "$ctl $cmd failed"
    done
    e=${EPOCHREALTIME/./}
    t1=$(proc_ticks "$pid")
    printf '%-8s %-8s %18d %18.2f\n' "$n" "$3" $(( (t1 - t0) * 10000 / K )) \
        "$(awk -v us=$((e - s)) -v k="$K" 'BEGIN { print us / 1000 / k }')"
}

count=0
for n in $NS; do
    sandbox_nb_stop 2>/dev/null
    rm -rf "$SANDBOX_DIR/nb"
    sandbox_nb_start >/dev/null || fail "NB"
    "$OVS_VNET_CTL" net-add net1 10.5.0.0/16 >/dev/null || fail "net-add"
    "$OVS_VNET_CTL" connect unix:/nonexistent.sock --name=sw1 >/dev/null || fail "connect"
    sandbox_logical_ports net1 "$n" addressed || fail "logical ports"
    measure "$OVS_VNET_CTL" "$n" this
    if [ -n "$OLD" ]; then
        measure "$OLD" "$n" old
        measure "$OVS_VNET_CTL" "$n" this
        measure "$OLD" "$n" old
    fi
done
