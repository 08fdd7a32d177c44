#!/bin/bash
# Memory of the controllers at scale, side by side: N logical ports with MAC
# and IP on one switch, each plugged as an ovs-vswitchd "dummy" port (no
# device) with external_ids:iface-id, the way an OpenStack-style integration
# plugs them.
#
#   vnet   ovs-vnetd: the NB rows written by an API client (ovsdb-client, in
#          batches), the ports straight into the switch's database
#   ovn    OVN 23.03 (ovn-northd, ovn-controller): one ovn-nbctl with
#          lsp-add and lsp-set-addresses for every port, the same ports
#
# Each system gets a fresh sandbox (tests/lib/sandbox.sh) with one switch on
# the userspace (netdev) datapath.  Once the controller has caught up (every
# port up in the NB, after ovs-vnet-ctl --wait sync or ovn-nbctl --wait=hv
# sync) and SETTLE seconds later, prints the resident memory (VmRSS) and
# peak (VmHWM) of the controller processes, of their databases for
# information, and the flows on the switch; then the scale issue's target
# as a ratio.
#
# Usage: [N=5000] [SETTLE=5] [SYSTEMS="vnet ovn"] bench/memory.sh
# Needs root, and tools/setup.sh to have been run.
set -u -o pipefail

N=${N:-5000}
SETTLE=${SETTLE:-5}
SYSTEMS=${SYSTEMS:-vnet ovn}
[[ $N =~ ^[0-9]+$ ]] && [ "$N" -ge 1 ] && [ "$N" -le 60000 ] \
    || { echo "$0: N must be from 1 to 60000" >&2; exit 2; }
[[ $SETTLE =~ ^[0-9]+$ ]] || { echo "$0: SETTLE must be seconds" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 2; }

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2
. tests/lib/sandbox.sh
. tests/lib/check.sh
. bench/lib/ovn.sh

log() { echo "bench: $*" >&2; }
fail() { echo "bench: $*" >&2; exit 1; }
now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

workdir=$(mktemp -d /tmp/ovs-vnet-memory.XXXXXX)
trap 'rm -rf "$workdir"' EXIT
facts=$workdir/facts            # SYSTEM KEY VALUE
: > "$facts"
fact() { echo "$1 $2 $3" >> "$facts"; }
get() { awk -v s="$1" -v k="$2" '$1 == s && $2 == k { $1 = $2 = ""; sub(/^  /, ""); print }' "$facts"; }

# mem_kib FIELD PID...: the sum of /proc/PID/status FIELD (VmRSS, VmHWM).
mem_kib() {
    local field=$1 kb=0 pid v; shift
    for pid; do
        v=$(awk -v f="$field:" '$1 == f {print $2}' "/proc/$pid/status" 2>/dev/null)
        kb=$((kb + ${v:-0}))
    done
    echo "$kb"
}
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# record SYSTEM NAME PID...: the memory of the named processes.
record() {
    local sys=$1 name=$2; shift 2
    fact "$sys" "rss:$name" "$(mib "$(mem_kib VmRSS "$@")")"
    fact "$sys" "hwm:$name" "$(mib "$(mem_kib VmHWM "$@")")"
}

export SANDBOX_VSWITCHD_ARGS=--enable-dummy

vnet_up() {
    vnet_ctl -f csv --no-headings ep-list | cut -d, -f8 | grep -c '^true$'
}
vnet_all_up() {
    [ "$(vnet_up)" = "$N" ]
}

run_vnet() {
    sandbox_nb_start >/dev/null || fail "NB"
    sandbox_vnetd_start || fail "ovs-vnetd"
    sandbox_switch_start sw1 || fail "switch"
    vnet_ctl --wait connect "$(sandbox_switch_remote sw1)" --name=sw1 \
        >/dev/null || fail "connect"
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null || fail "net-add"
    local start; start=$(now_ms)
    sandbox_logical_ports net1 "$N" addressed || fail "NB rows"
    sandbox_dummy_ports sw1 br-vnet "$N" || fail "switch ports"
    vnet_ctl -t 900 --wait sync || fail "sync"
    wait_until 900 vnet_all_up || fail "ports up"
    fact vnet seconds "$(( $(now_ms) - start ))"
    sleep "$SETTLE"
    fact vnet up "$(vnet_up)"
    fact vnet flows "$(sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-vnet \
                       | grep -c 'cookie=0x76')"
    record vnet controller "$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")"
    record vnet ovs-vnetd "$(cat "$SANDBOX_DIR/vnetd/ovs-vnetd.pid")"
    record vnet NB-ovsdb-server "$(cat "$SANDBOX_DIR/nb/ovsdb-server.pid")"
}

ovn_all_up() {
    [ "$(ovn_nbctl --bare --columns=up find Logical_Switch_Port up=true \
         | grep -c true)" = "$N" ]
}

run_ovn() {
    ovn_world
    # The same ports as ovs-vnet's: names, MACs and IPs.
    local start i ip mac args=()
    export OVN_NBCTL_TIMEOUT=900
    start=$(now_ms)
    for ((i = 1; i <= N; i++)); do
        ip="10.5.$(( (i + 10) / 250 )).$(( (i + 10) % 250 + 2 ))"
        mac=$(printf '0a:01:00:%02x:%02x:%02x' $((i >> 16 & 255)) \
              $((i >> 8 & 255)) $((i & 255)))
        args+=(-- lsp-add ls1 "lp$i" -- lsp-set-addresses "lp$i" "$mac $ip")
    done
    ovn_nbctl "${args[@]:1}" || fail "lsp-add"
    sandbox_dummy_ports sw1 br-int "$N" || fail "switch ports"
    ovn_nbctl --wait=hv sync || fail "sync"
    wait_until 900 ovn_all_up || fail "ports up"
    fact ovn seconds "$(( $(now_ms) - start ))"
    sleep "$SETTLE"
    fact ovn up "$N"
    fact ovn flows "$(sandbox_ofctl sw1 -O OpenFlow15 dump-flows br-int \
                      | grep -c 'cookie=')"
    local c n
    c=$(ovn_pid ovn-controller); n=$(ovn_pid ovn-northd)
    record ovn controller "$c" "$n"
    record ovn ovn-controller "$c"
    record ovn ovn-northd "$n"
    record ovn NB-ovsdb-server "$(ovn_pid ovsdb-nb)"
    record ovn SB-ovsdb-server "$(ovn_pid ovsdb-sb)"
}

echo "command: N=$N SETTLE=$SETTLE SYSTEMS=\"$SYSTEMS\" bench/memory.sh"
status=0
for sys in $SYSTEMS; do
    (
        sandbox_init "vm$(printf '%04x' $((RANDOM % 65536)))" || exit 1
        log "$sys: $N logical ports"
        case $sys in
            vnet) run_vnet ;;
            ovn) run_ovn ;;
            *) fail "$sys: no such system" ;;
        esac
        sandbox_check_logs "$SANDBOX_BUSY_WARNINGS|ovn" >&2 \
            || log "$sys: warnings in the daemons' logs (above)"
    ) || { log "$sys: failed"; status=1; }
done

echo
echo "N=$N logical ports on one switch, memory once in sync (MiB)"
for sys in $SYSTEMS; do
    [ -n "$(get "$sys" seconds)" ] || continue
    printf '%-5s in sync after %s ms, %s ports up, %s flows\n' "$sys" \
        "$(get "$sys" seconds)" "$(get "$sys" up)" "$(get "$sys" flows)"
    awk -v s="$sys" '$1 == s && $2 ~ /^rss:/ {
        name = substr($2, 5); printf "  %-18s RSS %8s", name, $3
        hwm = "hwm:" name
        while ((getline line < FILENAME) > 0) {
            split(line, f, " "); if (f[1] == s && f[2] == hwm) printf "   peak %8s", f[3]
        }
        close(FILENAME); printf "\n" }' "$facts"
done
a=$(get vnet rss:controller); b=$(get ovn rss:controller)
if [ -n "$a" ] && [ -n "$b" ]; then
    echo
    awk -v a="$a" -v b="$b" 'BEGIN {
        printf "  %-52s %.2f (target <= 1.00: %s)\n",
            "ovs-vnetd RSS / (ovn-controller + ovn-northd) RSS", a / b,
            a / b <= 1 ? "met" : "MISSED" }'
fi
exit $status
