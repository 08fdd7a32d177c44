#!/bin/bash
# The UDP relay on its own, against what it replaces and the kernel.
#
# Two network namespaces joined by a veth pair (the underlay, 192.168.60.0/24)
# carry an overlay between them three ways, each with MTU 1400 on the
# overlay devices, and iperf3 TCP runs through each:
#
#   python     the hand-made relay of the recipe (bench/lib/tap-relay.py): a
#              tap and a UDP socket in a select() loop, one frame per
#              datagram, no authentication
#   udptun     ovs-vnet-udptun as documented for standalone use (--local,
#              --peer, --key-file), its datagrams authenticated; its taps
#              hand it TCP segments of up to 64 kB, which it cuts into
#              datagrams, and it joins what it receives back (UDP GSO/GRO)
#   udptun-frames  the same with --no-offload: one frame of the MTU per
#              read and write, as before
#   vxlan      a kernel VXLAN device at each end
#
# It prints the command that reproduces the run, the throughput of each (the
# median of REPEAT runs, with every run), the CPU the relays used, and the
# ratios: udptun / python (target >= 10) and udptun / vxlan (information).
# Exits 0 when every measurement ran, even if the target is missed.
#
# Usage: [DURATION=SECS] [REPEAT=N] bench/relay.sh
#   DURATION  seconds per iperf3 run (default 10)
#   REPEAT    runs per case (default 3)

set -u -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$top/bench/$(basename "${BASH_SOURCE[0]}")
DURATION=${DURATION:-10}
REPEAT=${REPEAT:-3}
case ${1:-} in
    -h|--help) sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$self"; exit 0 ;;
    "") ;;
    *) echo "$0: unknown argument '$1'" >&2; exit 2 ;;
esac
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || { echo "$0: DURATION must be a positive integer" >&2; exit 2; }
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "$0: REPEAT must be a positive integer" >&2; exit 2; }
[ "$(id -u)" = 0 ] || { echo "$0: must run as root (namespaces, taps)" >&2; exit 2; }
for prog in iperf3 python3 ip ss timeout; do
    command -v "$prog" >/dev/null || { echo "$0: $prog not found" >&2; exit 2; }
done
udptun=$top/tools/ovs-vnet-udptun
[ -x "$udptun" ] || { echo "$0: $udptun not built" >&2; exit 2; }

echo "command: DURATION=$DURATION REPEAT=$REPEAT $(printf '%q' "$self")"
echo

. "$top/tests/lib/sandbox.sh"
sandbox_init "vr$$"
A=$SANDBOX_PREFIX-a
B=$SANDBOX_PREFIX-b
results=$SANDBOX_DIR/results.tsv
: > "$results"
log() { echo "bench: $*" >&2; }

# The underlay.
ip netns add "$A" && ip netns add "$B" \
    && ip -n "$A" link add ua type veth peer name ub netns "$B" \
    && ip -n "$A" addr add 192.168.60.1/24 dev ua && ip -n "$B" addr add 192.168.60.2/24 dev ub \
    && ip -n "$A" link set ua up && ip -n "$B" link set ub up \
    && ip -n "$A" link set lo up && ip -n "$B" link set lo up \
    || { log "cannot set up the underlay"; exit 1; }

# overlay NS DEV IP: the overlay address on DEV, MTU 1400, up.
overlay() {
    ip -n "$1" link set "$2" mtu 1400 up && ip -n "$1" addr add "$3/24" dev "$2"
}

wait_dev() {  # NS DEV
    local i
    for ((i = 0; i < 50; i++)); do
        ip -n "$1" link show "$2" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    return 1
}

declare -A PIDS
setup_python() {
    # Run from the sandbox's folder, so that its cleanup stops it whatever
    # happens.
    local relay=$SANDBOX_DIR/tap-relay.py
    cp "$top/bench/lib/tap-relay.py" "$relay" || return 1
    ip netns exec "$A" python3 "$relay" rp0 192.168.60.1:7000 192.168.60.2:7000 &
    PIDS[python]="$!"
    ip netns exec "$B" python3 "$relay" rp0 192.168.60.2:7000 192.168.60.1:7000 &
    PIDS[python]+=" $!"
    wait_dev "$A" rp0 && wait_dev "$B" rp0 \
        && overlay "$A" rp0 10.99.1.1 && overlay "$B" rp0 10.99.1.2
}

# start_udptun CASE PORT TAP NET [OPTION...]: a relay at each end.
start_udptun() {
    local c=$1 port=$2 tap=$3 net=$4 key=$SANDBOX_DIR/relay.key ns local peer
    shift 4
    [ -s "$key" ] || head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key"
    for ns in a b; do
        if [ $ns = a ]; then local=192.168.60.1 peer=192.168.60.2; else local=192.168.60.2 peer=192.168.60.1; fi
        ip netns exec "$SANDBOX_PREFIX-$ns" "$udptun" --local="$local:$port" \
            --peer="$tap,$peer:$port" --key-file="$key" --mtu=1400 "$@" \
            --pidfile="$SANDBOX_DIR/$c-$ns.pid" --log-file="$SANDBOX_DIR/$c-$ns.log" \
            --detach --no-chdir -vconsole:off || return 1
        sandbox_wait_pidfile 10 "$SANDBOX_DIR/$c-$ns.pid" || return 1
        PIDS[$c]+=" $(cat "$SANDBOX_DIR/$c-$ns.pid")"
    done
    overlay "$A" "$tap" "$net.1" && overlay "$B" "$tap" "$net.2"
}
setup_udptun() { start_udptun udptun 7001 ru0 10.99.2; }
setup_udptun-frames() { start_udptun udptun-frames 7002 ru1 10.99.4 --no-offload; }

setup_vxlan() {
    ip -n "$A" link add vx0 type vxlan id 42 local 192.168.60.1 remote 192.168.60.2 \
        dstport 4789 dev ua \
        && ip -n "$B" link add vx0 type vxlan id 42 local 192.168.60.2 remote 192.168.60.1 \
            dstport 4789 dev ub \
        && overlay "$A" vx0 10.99.3.1 && overlay "$B" vx0 10.99.3.2
}

CASES=(python udptun udptun-frames vxlan)
declare -A SERVER=([python]=10.99.1.2 [udptun]=10.99.2.2 [udptun-frames]=10.99.4.2
                   [vxlan]=10.99.3.2)
declare -A READY
for c in "${CASES[@]}"; do
    if "setup_$c"; then READY[$c]=yes; else READY[$c]=no; log "$c: setup failed"; fi
done

. "$top/bench/lib/proc.sh"

measure() {  # CASE ROUND
    local c=$1 r=$2 ip=${SERVER[$1]} out=$SANDBOX_DIR/$1-$2.json i t0 t1 k0 k1 mbps cpu
    for ((i = 0; i < 10; i++)); do
        ip netns exec "$A" ping -q -c 1 -W 1 "$ip" >/dev/null 2>&1 && break
    done
    ip netns exec "$B" iperf3 -s -1 -D -B "$ip" -I "$SANDBOX_DIR/iperf.pid" >/dev/null 2>&1
    for ((i = 0; i < 50; i++)); do
        ip netns exec "$B" ss -Htln 'sport = :5201' | grep -q . && break
        sleep 0.1
    done
    k0=$(proc_ticks ${PIDS[$c]:-})
    t0=$(date +%s.%N)
    ip netns exec "$A" timeout $((DURATION + 20)) iperf3 -c "$ip" -t "$DURATION" -J > "$out" 2>/dev/null
    t1=$(date +%s.%N)
    k1=$(proc_ticks ${PIDS[$c]:-})
    sandbox_kill_pidfile "$SANDBOX_DIR/iperf.pid" 2>/dev/null
    mbps=$(python3 -c 'import json,sys
try: print("%.1f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception: print("")' "$out")
    cpu=$(awk -v d=$((k1 - k0)) -v hz="$(getconf CLK_TCK)" -v a="$t0" -v b="$t1" \
        'BEGIN { printf "%.0f", 100 * d / hz / (b - a) }')
    printf '%s\t%s\t%s\t%s\n' "$c" "$r" "$mbps" "$cpu" >> "$results"
    log "$c run $r: ${mbps:-FAILED} Mbit/s (relays ${cpu}% of a core)"
    [ -n "$mbps" ]
}

failed=0
for ((round = 1; round <= REPEAT; round++)); do
    for c in "${CASES[@]}"; do
        [ "${READY[$c]}" = yes ] || { failed=1; continue; }
        measure "$c" "$round" || failed=1
    done
done
for c in ${PIDS[python]:-}; do kill "$c" 2>/dev/null; done

python3 - "$results" "$DURATION" "$REPEAT" <<'EOF'
import statistics, sys
runs = {}
cpu = {}
for line in open(sys.argv[1]):
    c, r, mbps, pct = line.rstrip("\n").split("\t")
    if mbps:
        runs.setdefault(c, []).append(float(mbps))
        cpu.setdefault(c, []).append(int(pct))
names = {"python": "Python relay (the recipe's)", "udptun": "ovs-vnet-udptun",
         "udptun-frames": "ovs-vnet-udptun --no-offload", "vxlan": "kernel VXLAN"}
med = {}
print("%-30s %10s %16s   %s" % ("case", "Mbit/s", "relays' CPU", "runs"))
for c in ("python", "udptun", "udptun-frames", "vxlan"):
    if c in runs:
        med[c] = statistics.median(runs[c])
        load = "%d%% of a core" % statistics.median(cpu[c]) if c != "vxlan" else "(kernel)"
        print("%-30s %10.0f %16s   %s" % (names[c], med[c], load,
                                          " ".join("%.0f" % v for v in runs[c])))
    else:
        print("%-30s %10s" % (names[c], "FAILED"))
print()
for key, num, den, target in (("udptun / python", "udptun", "python", 10.0),
                              ("udptun / udptun --no-offload", "udptun",
                               "udptun-frames", None),
                              ("udptun / kernel vxlan", "udptun", "vxlan", None)):
    if num in med and den in med and med[den]:
        v = med[num] / med[den]
        res = "(info)" if target is None else ("PASS" if v >= target else "MISS")
        print("%-30s %10.3f %16s %8s" % (key, v, ">= %.0f" % target if target else "", res))
    else:
        print("%-30s %10s" % (key, "-"))
print()
print("iperf3 TCP over an overlay with MTU 1400, %s s per run, median of %s run(s); "
      "relays' CPU: both ends together, one core = 100%%." % (sys.argv[2], sys.argv[3]))
EOF
exit "$failed"
