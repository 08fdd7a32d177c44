#!/bin/bash
# How long a detach takes to clean up.  One switch on the userspace (netdev)
# datapath in a sandbox (tests/lib/sandbox.sh), one network; N endpoints of
# TYPE attached, then detached one at a time, each timed from the start of
# its "ovs-vnet-ctl --wait detach" to its end (the port is off the switch)
# and to its namespace gone (ovs-vnetd removes an endpoint's devices once
# ovs-vswitchd has let go of its port).  Prints the command that reproduces
# the run, and the median and the largest of each.
#
# Usage: [N=10] [TYPE=veth|internal] bench/detach.sh
set -u -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$top/bench/$(basename "${BASH_SOURCE[0]}")
N=${N:-10}
TYPE=${TYPE:-veth}
case ${1:-} in
    -h|--help) sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$self"; exit 0 ;;
    "") ;;
    *) echo "$0: unknown argument '$1'" >&2; exit 2 ;;
esac
[[ $N =~ ^[1-9][0-9]*$ ]] && (( N <= 200 )) || { echo "$0: N must be 1 to 200" >&2; exit 2; }
[[ $TYPE =~ ^(veth|internal)$ ]] || { echo "$0: TYPE must be veth or internal" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (namespaces, veths)" >&2; exit 2; }

echo "command: N=$N TYPE=$TYPE $(printf '%q' "$self")"

. "$top/bench/lib/one-switch.sh" "vd$$"
for ((i = 0; i < N; i++)); do
    vnet_ctl --wait attach net1 "e$i" --switch=sw1 --ip="10.5.1.$((i + 10))" \
        --netns="$SANDBOX_PREFIX-e$i" --type="$TYPE" >/dev/null \
        || { log "cannot attach e$i"; exit 1; }
done
sleep 1

# ms: milliseconds since the epoch.
ms() { echo $(( $(date +%s%N) / 1000000 )); }
cmd=() gone=()
for ((i = 0; i < N; i++)); do
    t0=$(ms)
    vnet_ctl --wait detach "e$i" >/dev/null || { log "cannot detach e$i"; exit 1; }
    cmd+=($(( $(ms) - t0 )))
    end=$(( t0 + 10000 ))
    while [ -e "/run/netns/$SANDBOX_PREFIX-e$i" ]; do
        (( $(ms) < end )) || { log "e$i: its namespace still there after 10 s"; exit 1; }
        sleep 0.005
    done
    gone+=($(( $(ms) - t0 )))
done

# stats: "median max" of the arguments.
stats() {
    printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)], v[NR] }'
}
read -r cmd_med cmd_max <<< "$(stats "${cmd[@]}")"
read -r gone_med gone_max <<< "$(stats "${gone[@]}")"
printf '  %-40s %s\n' "detach command (median / max):" "$cmd_med / $cmd_max ms"
printf '  %-40s %s\n' "namespace gone (median / max):" "$gone_med / $gone_max ms"
