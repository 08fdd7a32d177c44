#!/bin/bash
# "ovs-vnet-ctl check" against the same probes run one after another.
#
# One sandbox (tests/lib/sandbox.sh): two hosts over VXLAN, one network
# (10.5.0.0/16) with N endpoints in namespaces, every other one on each host.
# check probes every ordered pair of endpoints and each endpoint's gateway,
# N * N probes in all, each "ping -c 3 -i 0.2 -W 1" from the sender's
# namespace, up to 64 at a time.  The sequential run sends the same pings to
# the same addresses, one probe after another, as a script of "ip netns exec
# A ping B" would.  Both must find every probe reaching.
#
# It prints the command that reproduces the run, both times and their ratio,
# against the target: check in at most a quarter of the sequential time.
# Exits 0 when both ran and every probe reached, even if the target is
# missed.  Needs root and a built tree.
#
# Usage: [N=50] bench/check.sh

set -u -o pipefail

N=${N:-50}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 2 ] && [ "$N" -le 250 ] \
    || { echo "$0: N must be from 2 to 250" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. tests/lib/sandbox.sh
. tests/lib/check.sh

log() { echo "bench: $*" >&2; }
fail() { echo "bench: $*" >&2; exit 1; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

echo "command: N=$N bench/check.sh"
sandbox_init "vc$(printf '%04x' $((RANDOM % 65536)))" || exit 1

log "setting up two hosts and $N endpoints"
hosts_world vxlan h1 h2 || fail "hosts"
vnet_ctl net-add net1 10.5.0.0/16 >/dev/null || fail "net-add"
for i in $(seq 1 "$N"); do
    attach_ep net1 "e$i" "h$(( (i % 2) + 1 ))" "10.5.$(( i / 200 )).$(( i % 200 + 10 ))" \
        || fail "attach e$i"
done
vnet_ctl --wait sync || fail "sync"

log "check"
start=$(now_ms)
vnet_ctl check net1 > "$SANDBOX_DIR/check.out" 2>&1
rc=$?
par_ms=$(( $(now_ms) - start ))
summary=$(grep 'expected to reach do' "$SANDBOX_DIR/check.out")
[ $rc = 0 ] || fail "check found probes that did not reach: $summary"
log "check: $summary"

log "the same probes, one after another"
mapfile -t ips < <(for i in $(seq 1 "$N"); do
    echo "10.5.$(( i / 200 )).$(( i % 200 + 10 ))"; done)
n_probes=0
n_failed=0
start=$(now_ms)
for i in $(seq 1 "$N"); do
    for j in $(seq 0 "$N"); do
        [ "$i" = "$j" ] && continue
        if [ "$j" = 0 ]; then
            ip=10.5.0.1
        else
            ip=${ips[$((j - 1))]}
        fi
        n_probes=$((n_probes + 1))
        ip netns exec "$SANDBOX_PREFIX-e$i" ping -c 3 -i 0.2 -W 1 -q "$ip" \
            >/dev/null 2>&1 || n_failed=$((n_failed + 1))
    done
done
seq_ms=$(( $(now_ms) - start ))
[ "$n_failed" = 0 ] || fail "$n_failed of $n_probes sequential probes did not reach"

ratio=$(awk -v a="$par_ms" -v b="$seq_ms" 'BEGIN { printf "%.3f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r <= 0.25 ? "met" : "MISSED") }')
printf '\n%-28s %10s %8s\n' "" "time" "probes"
printf '%-28s %9.1fs %8d\n' "ovs-vnet-ctl check" "$(awk -v m="$par_ms" 'BEGIN{print m/1000}')" "$n_probes"
printf '%-28s %9.1fs %8d\n' "sequential ping" "$(awk -v m="$seq_ms" 'BEGIN{print m/1000}')" "$n_probes"
printf 'check / sequential: %s (target <= 0.25: %s)\n' "$ratio" "$verdict"
