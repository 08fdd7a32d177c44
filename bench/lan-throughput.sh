#!/bin/bash
# TCP throughput of ovs-vnet's virtual LANs, against the datapath's own limit.
#
# Everything runs in one sandbox (tests/lib/sandbox.sh): an NB database,
# ovs-vnetd, sandboxed switches (netdev datapath, each in its own network
# namespace) and an underlay network between them.  Six cases, iperf3 TCP:
#
#   same-host, ovs-vnet    two endpoints of one network on one switch (our
#                          pipeline; MTU 1450 as ovs-vnet sets it)
#   same-host, trunk       the same behind the network's trunk (a network
#                          made with --endpoint-type=trunk)
#   same-host, NORMAL      two namespaces on a hand-made netdev bridge with
#                          only the NORMAL flow (fail_mode standalone), their
#                          veths configured like ovs-vnet's endpoints: the
#                          datapath's own limit
#   same-host, vxlan host  two endpoints on the first switch of the vxlan
#                          case, which also has an underlay bridge and a tunnel
#   cross-host vxlan       two endpoints on two switches, --encap-type=vxlan
#   cross-host geneve      the same with geneve
#   cross-host udp         the same with the UDP relay (ovs-vnet-udptun)
#   same-host, TSO         two endpoints of one network on one switch whose
#                          ovs-vswitchd runs with userspace TSO: the offload
#                          policy leaves them TX checksum offload and TSO
#   cross-host vxlan, TSO  cross-host vxlan between two such switches (the
#                          policy takes the offloads away: no stall, no loss)
#   Linux bridge           the recipe ovs-vnet replaces: two namespaces on a
#                          Linux bridge, veths as "ip link add" makes them
#
# It prints the command line that reproduces the run, a table of Mbit/s and
# the ratios the throughput targets speak of, each marked PASS or MISS:
#
#   ovs-vnet same-host / NORMAL      >= 0.95
#   vxlan / ovs-vnet same-host       >= 0.90
#   udp relay / vxlan                >= 0.50
#   geneve / ovs-vnet same-host      (for information)
#   trunk / ovs-vnet same-host       (for information: what a trunk costs)
#   vxlan / same-host on its host    (for information: only the path differs)
#   same-host on the vxlan host / ovs-vnet same-host
#                                    (for information: the underlay's cost)
#   same-host TSO / ovs-vnet same-host  >= 5 (userspace TSO)
#   same-host TSO / Linux bridge     (for information)
#   vxlan with TSO switches / vxlan  >= 0.90 (no loss of throughput)
#
# Exits 0 when every measurement ran, even if a target is missed; non-zero if
# any measurement could not be made.  Needs root, iperf3, ethtool, python3
# and a built tree (controller/ovs-vnetd, tools/ovs-vnet-ctl,
# tools/ovs-vnet-udptun).
#
# Usage: [DURATION=SECS] [REPEAT=N] bench/lan-throughput.sh [--json FILE]
#   DURATION  seconds per iperf3 run (default 5)
#   REPEAT    runs per case; the median is reported (default 1)
#   --json    also write the results as JSON to FILE

set -u -o pipefail

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
self=$top/bench/$(basename "${BASH_SOURCE[0]}")

usage() {
    sed -n '/^# Usage:/,/^$/s/^# \{0,1\}//p' "$self"
}

DURATION=${DURATION:-5}
REPEAT=${REPEAT:-1}
json_file=
while [ $# -gt 0 ]; do
    case $1 in
        --json) [ $# -ge 2 ] || { echo "$0: --json needs a file" >&2; exit 2; }
                json_file=$2; shift 2 ;;
        --json=*) json_file=${1#--json=}; shift ;;
        -h|--help) usage; exit 0 ;;
        *) echo "$0: unknown argument '$1'" >&2; usage >&2; exit 2 ;;
    esac
done
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || { echo "$0: DURATION must be a positive integer" >&2; exit 2; }
[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || { echo "$0: REPEAT must be a positive integer" >&2; exit 2; }
if [ -n "$json_file" ]; then
    case $json_file in
        /*) ;;
        *) json_file=$PWD/$json_file ;;
    esac
    : > "$json_file" || { echo "$0: cannot write $json_file" >&2; exit 2; }
fi

[ "$(id -u)" = 0 ] || { echo "$0: must run as root (namespaces, veths)" >&2; exit 2; }
for prog in iperf3 ethtool python3 ip ss ovs-vsctl ovs-vswitchd ovsdb-server timeout; do
    command -v "$prog" >/dev/null || { echo "$0: $prog not found" >&2; exit 2; }
done
for bin in controller/ovs-vnetd tools/ovs-vnet-ctl tools/ovs-vnet-udptun; do
    [ -x "$top/$bin" ] || { echo "$0: $top/$bin not built" >&2; exit 2; }
done

# The command line that reproduces this run.
cmdline="DURATION=$DURATION REPEAT=$REPEAT $(printf '%q' "$self")"
[ -n "$json_file" ] && cmdline+=" --json $(printf '%q' "$json_file")"
echo "command: $cmdline"
echo

. "$top/tests/lib/sandbox.sh"
. "$top/tests/lib/check.sh"

sandbox_init "vb$$"
mkdir -p "$SANDBOX_DIR/iperf"
results=$SANDBOX_DIR/results.tsv
: > "$results"

log() { echo "bench: $*" >&2; }

in_ns() {  # NAME CMD...: run CMD in namespace "$SANDBOX_PREFIX-NAME"
    local ns=$1; shift
    ip netns exec "$SANDBOX_PREFIX-$ns" "$@"
}

# ---------------------------------------------------------------------------
# Cases.  Each has a name, the switches it uses, a client and a server
# namespace and the server's address.

CASES=(vnet trunk normal vxlocal vxlan geneve udp tso tsovx bridge)
declare -A C_SWITCHES C_CLIENT C_SERVER C_IP C_READY C_ERROR
C_SWITCHES=([vnet]="s1" [trunk]="s1" [normal]="nm" [vxlocal]="v1" [vxlan]="v1 v2" [geneve]="g1 g2" [udp]="u1 u2"
            [tso]="t1" [tsovx]="x1 x2" [bridge]="")
C_CLIENT=([vnet]=la [trunk]=ka [normal]=n1 [vxlocal]=va [vxlan]=va [geneve]=ga [udp]=ua [tso]=ta [tsovx]=xa
          [bridge]=b1)
C_SERVER=([vnet]=lb [trunk]=kb [normal]=n2 [vxlocal]=vc [vxlan]=vb [geneve]=gb [udp]=ub [tso]=tb [tsovx]=xb
          [bridge]=b2)
C_IP=([vnet]=10.5.1.12 [trunk]=10.5.7.12 [normal]=10.6.0.12 [vxlocal]=10.5.2.13 [vxlan]=10.5.2.12 [geneve]=10.5.3.12
      [udp]=10.5.4.12 [tso]=10.5.5.12 [tsovx]=10.5.6.12 [bridge]=10.6.1.12)

fail_case() {  # CASE MESSAGE
    C_READY[$1]=no
    C_ERROR[$1]=$2
    log "$1: $2"
}

connect_host() {  # SWITCH ENCAP-IP TYPE
    vnet_ctl connect "$(sandbox_switch_remote "$1")" --name="$1" \
        --encap-ip="$2" --encap-type="$3" --underlay=ul0 >/dev/null
}

attach_ep() {  # NET EP SWITCH IP
    vnet_ctl attach "$1" "$2" --switch="$3" --ip="$4" \
        --netns="$SANDBOX_PREFIX-$2" >/dev/null
}

setup_vnet() {
    sandbox_switch_start s1 || return 1
    vnet_ctl connect "$(sandbox_switch_remote s1)" --name=s1 >/dev/null || return 1
    vnet_ctl net-add lan 10.5.1.0/24 >/dev/null || return 1
    attach_ep lan la s1 10.5.1.11 && attach_ep lan lb s1 10.5.1.12
}

# Two endpoints behind a trunk on the same switch.
setup_trunk() {
    vnet_ctl net-add tk 10.5.7.0/24 --endpoint-type=trunk >/dev/null || return 1
    attach_ep tk ka s1 10.5.7.11 && attach_ep tk kb s1 10.5.7.12
}

# The same on a switch whose ovs-vswitchd runs with userspace TSO.
setup_tso() {
    sandbox_switch_start t1 --tso || return 1
    vnet_ctl connect "$(sandbox_switch_remote t1)" --name=t1 >/dev/null || return 1
    vnet_ctl net-add tl 10.5.5.0/24 >/dev/null || return 1
    attach_ep tl ta t1 10.5.5.11 && attach_ep tl tb t1 10.5.5.12
}

# The recipe: a Linux bridge in namespace "$SANDBOX_PREFIX-lbr", a veth from
# it into each endpoint's namespace, as "ip link add" makes them.
bridge_ep() {  # EP IP
    local ns=$SANDBOX_PREFIX-$1 brns=$SANDBOX_PREFIX-lbr
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip -n "$brns" link add "v$1" type veth peer name eth0 netns "$ns" || return 1
    ip -n "$brns" link set "v$1" master brl up || return 1
    ip -n "$ns" link set eth0 up || return 1
    ip -n "$ns" addr add "$2/24" dev eth0
}

setup_bridge() {
    ip netns add "$SANDBOX_PREFIX-lbr" || return 1
    ip -n "$SANDBOX_PREFIX-lbr" link add brl type bridge || return 1
    ip -n "$SANDBOX_PREFIX-lbr" link set brl up || return 1
    bridge_ep b1 10.6.1.11 && bridge_ep b2 10.6.1.12
}

# SWITCH-A SWITCH-B N-A N-B TYPE NET CIDR EP-A EP-B IP-A IP-B [SWITCH-OPTION]
setup_cross() {
    sandbox_switch_start "$1" ${12:-} || return 1
    sandbox_switch_underlay "$1" "192.168.50.$3/24" || return 1
    sandbox_switch_start "$2" ${12:-} || return 1
    sandbox_switch_underlay "$2" "192.168.50.$4/24" || return 1
    connect_host "$1" "192.168.50.$3" "$5" || return 1
    connect_host "$2" "192.168.50.$4" "$5" || return 1
    vnet_ctl net-add "$6" "$7" >/dev/null || return 1
    attach_ep "$6" "$8" "$1" "${10}" && attach_ep "$6" "$9" "$2" "${11}"
}

# An endpoint the way ovs-vnet makes one, by hand, on bridge brn of switch nm:
# veth with MTU 1450 on both ends, no IPv6 address generation on the host end,
# lo up, TX checksum offload off inside the namespace.
normal_ep() {  # EP HOST-IFNAME IP
    local ns=$SANDBOX_PREFIX-$1 swns
    swns=$(sandbox_netns nm)
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip -n "$swns" link add "$2" mtu 1450 type veth peer name eth0 mtu 1450 netns "$ns" \
        || return 1
    ip -n "$swns" link set dev "$2" addrgenmode none 2>/dev/null || true
    ip -n "$swns" link set "$2" up || return 1
    ip -n "$ns" link set eth0 up || return 1
    ip netns exec "$ns" ethtool -K eth0 tx off >/dev/null 2>&1 || return 1
    ip -n "$ns" addr add "$3/24" dev eth0 || return 1
    sandbox_vsctl nm add-port brn "$2"
}

setup_normal() {
    sandbox_switch_start nm || return 1
    sandbox_vsctl nm add-br brn -- set bridge brn datapath_type=netdev \
        -- set-fail-mode brn standalone || return 1
    normal_ep n1 nmv1 10.6.0.11 && normal_ep n2 nmv2 10.6.0.12 || return 1
    # Nothing but the default NORMAL flow.
    local flows
    flows=$(sandbox_ofctl nm dump-flows brn --no-stats | grep -v 'reply') || return 1
    [ "$(printf '%s\n' "$flows" | grep -c .)" = 1 ] \
        && [[ $flows == *"actions=NORMAL"* ]] \
        || { log "unexpected flows on brn: $flows"; return 1; }
}

# Pings SERVER-IP from the client until it answers (a tunnel's first packet is
# lost while OVS resolves the peer's MAC); 15 s at most.
warm_up() {  # CASE
    local c=$1 i
    for ((i = 0; i < 5; i++)); do
        in_ns "${C_CLIENT[$c]}" timeout 10 ping -q -c 3 -i 0.2 -W 1 "${C_IP[$c]}" \
            >/dev/null 2>&1 && return 0
        sleep 1
    done
    return 1
}

# CPU time (ticks) of the datapath processes of a case: its switches'
# ovs-vswitchd and, for the UDP relay, their ovs-vnet-udptun.
switch_pids() {  # CASE
    local sw f
    for sw in ${C_SWITCHES[$1]}; do
        for f in "$(sandbox_switch_dir "$sw")"/ovs-vswitchd.pid \
                 "$(sandbox_switch_dir "$sw")"/ovs-vnet-udptun.*.pid; do
            [ -s "$f" ] && cat "$f"
        done
    done
}

. "$top/bench/lib/proc.sh"

cpu_stat() {  # total and idle jiffies of the whole machine
    awk '/^cpu / {t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $5 + $6; exit}' /proc/stat
}

# Stops a one-shot iperf3 server that has not gone by itself.
stop_server() {  # PIDFILE
    local pidfile=$1 pid i
    [ -s "$pidfile" ] || { rm -f "$pidfile"; return 0; }
    pid=$(cat "$pidfile")
    for ((i = 0; i < 20; i++)); do
        sandbox_pid_alive "$pid" || break
        sleep 0.1
    done
    if sandbox_pid_alive "$pid" && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = iperf3 ]; then
        sandbox_kill_pidfile "$pidfile"
    fi
    rm -f "$pidfile"
}

# One iperf3 run; appends "case round mbps host-cpu switch-cpu error" to
# $results.
measure() {  # CASE ROUND
    local c=$1 r=$2 base pidfile out rc i mbps err
    local -a pids
    local t0 t1 cpu0 cpu1 ticks0 ticks1 hz
    base=$SANDBOX_DIR/iperf/$c-$r
    pidfile=$base.pid
    out=$base.json

    if ! warm_up "$c"; then
        printf '%s\t%s\t\t\t\t%s\n' "$c" "$r" "no connectivity to ${C_IP[$c]}" >> "$results"
        return 1
    fi
    in_ns "${C_SERVER[$c]}" iperf3 -s -1 -D -B "${C_IP[$c]}" -I "$pidfile" \
        >/dev/null 2>&1
    if ! sandbox_wait_pidfile 5 "$pidfile" 2>/dev/null; then
        printf '%s\t%s\t\t\t\t%s\n' "$c" "$r" "iperf3 server did not start" >> "$results"
        return 1
    fi
    for ((i = 0; i < 50; i++)); do
        in_ns "${C_SERVER[$c]}" ss -Htln 'sport = :5201' | grep -q . && break
        sleep 0.1
    done

    mapfile -t pids < <(switch_pids "$c")
    hz=$(getconf CLK_TCK)
    cpu0=$(cpu_stat)
    ticks0=$(proc_ticks "${pids[@]}")
    t0=$(date +%s.%N)
    in_ns "${C_CLIENT[$c]}" timeout $((DURATION + 20)) \
        iperf3 -c "${C_IP[$c]}" -t "$DURATION" -J > "$out" 2> "$base.err"
    rc=$?
    t1=$(date +%s.%N)
    ticks1=$(proc_ticks "${pids[@]}")
    cpu1=$(cpu_stat)
    stop_server "$pidfile"

    mbps=$(python3 - "$out" <<'EOF'
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print("ERR unreadable iperf3 output")
    sys.exit()
if d.get("error"):
    print("ERR " + d["error"])
else:
    try:
        print("%.1f" % (d["end"]["sum_received"]["bits_per_second"] / 1e6))
    except (KeyError, TypeError):
        print("ERR no receiver result")
EOF
)
    if [ "$rc" != 0 ] || [[ $mbps != [0-9]* ]]; then
        if [ "$rc" = 124 ]; then
            err="iperf3 client timed out"
        elif [ "$rc" != 0 ] && [ "$mbps" = "ERR unreadable iperf3 output" ]; then
            err="iperf3 client exited with status $rc"
        else
            err=${mbps#ERR }
        fi
        [ -s "$base.err" ] && err+=": $(tr -s '\n' ' ' < "$base.err" | cut -c1-200)"
        printf '%s\t%s\t\t\t\t%s\n' "$c" "$r" "$err" >> "$results"
        return 1
    fi

    # Machine busy (100 = every core) and the datapath processes' CPU (100 =
    # one core), over the client's run.
    local host_cpu sw_cpu
    host_cpu=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN {
        split(a, x, " "); split(b, y, " "); t = y[1] - x[1]; i = y[2] - x[2];
        printf "%.0f", (t > 0 ? 100 * (t - i) / t : 0) }')
    sw_cpu=$(awk -v d=$((ticks1 - ticks0)) -v hz="$hz" -v t0="$t0" -v t1="$t1" \
        'BEGIN { printf "%.0f", 100 * d / hz / (t1 - t0) }')
    printf '%s\t%s\t%s\t%s\t%s\t\n' "$c" "$r" "$mbps" "$host_cpu" "$sw_cpu" >> "$results"
    log "$c run $r: $mbps Mbit/s (machine CPU ${host_cpu}%, datapath CPU ${sw_cpu}% of a core)"
}

# ---------------------------------------------------------------------------
# The world.

start=$(date +%s)
log "sandbox $SANDBOX_PREFIX in $SANDBOX_DIR"
sandbox_nb_start >/dev/null && sandbox_vnetd_start && sandbox_underlay_start \
    || { log "cannot start the NB database, ovs-vnetd or the underlay"; exit 1; }

for c in "${CASES[@]}"; do C_READY[$c]=yes; C_ERROR[$c]=; done
setup_vnet || fail_case vnet "setup failed"
setup_trunk || fail_case trunk "setup failed"
setup_normal || fail_case normal "setup failed"
if setup_cross v1 v2 1 2 vxlan vx 10.5.2.0/24 va vb 10.5.2.11 10.5.2.12; then
    attach_ep vx vc v1 10.5.2.13 || fail_case vxlocal "setup failed"
else
    fail_case vxlan "setup failed"
    fail_case vxlocal "setup failed"
fi
setup_cross g1 g2 3 4 geneve gn 10.5.3.0/24 ga gb 10.5.3.11 10.5.3.12 \
    || fail_case geneve "setup failed"
setup_cross u1 u2 5 6 udp ud 10.5.4.0/24 ua ub 10.5.4.11 10.5.4.12 \
    || fail_case udp "setup failed"
setup_tso || fail_case tso "setup failed"
setup_cross x1 x2 7 8 vxlan xv 10.5.6.0/24 xa xb 10.5.6.11 10.5.6.12 --tso \
    || fail_case tsovx "setup failed"
setup_bridge || fail_case bridge "setup failed"
vnet_ctl --wait sync || log "ovs-vnetd did not confirm every switch (going on)"
log "set up in $(( $(date +%s) - start ))s"

failed=0
for ((round = 1; round <= REPEAT; round++)); do
    for c in "${CASES[@]}"; do
        [ "${C_READY[$c]}" = yes ] || continue
        measure "$c" "$round" || { failed=1; log "$c run $round failed"; }
    done
done
for c in "${CASES[@]}"; do
    if [ "${C_READY[$c]}" != yes ]; then
        printf '%s\t0\t\t\t\t%s\n' "$c" "${C_ERROR[$c]}" >> "$results"
        failed=1
    fi
done
log "measured in $(( $(date +%s) - start ))s"

# ---------------------------------------------------------------------------
# Report.

BENCH_CMDLINE=$cmdline BENCH_DURATION=$DURATION BENCH_REPEAT=$REPEAT \
BENCH_JSON=$json_file python3 - "$results" <<'EOF'
import json, os, platform, statistics, subprocess, sys

names = {
    "vnet":   "same-host, ovs-vnet pipeline",
    "trunk":  "same-host, behind a trunk",
    "vxlocal": "same-host, on the vxlan host",
    "normal": "same-host, NORMAL bridge",
    "vxlan":  "cross-host vxlan",
    "geneve": "cross-host geneve",
    "udp":    "cross-host udp relay",
    "tso":    "same-host, TSO",
    "tsovx":  "cross-host vxlan, TSO",
    "bridge": "same-host, Linux bridge",
}
order = ["vnet", "trunk", "normal", "vxlocal", "vxlan", "geneve", "udp", "tso",
         "tsovx", "bridge"]
repeat = int(os.environ["BENCH_REPEAT"])

runs = {c: [] for c in order}
errors = {c: [] for c in order}
for line in open(sys.argv[1]):
    c, r, mbps, host_cpu, sw_cpu, err = line.rstrip("\n").split("\t")
    if mbps:
        runs[c].append((float(mbps), int(host_cpu), int(sw_cpu)))
    else:
        errors[c].append(err if r == "0" else "run %s: %s" % (r, err))

cases = []
median = {}
for c in order:
    ok = runs[c] and not errors[c]
    m = statistics.median(x[0] for x in runs[c]) if ok else None
    median[c] = m
    cases.append({
        "case": c,
        "description": names[c],
        "mbps": m,
        "runs_mbps": [x[0] for x in runs[c]],
        "machine_cpu_pct": (statistics.median(x[1] for x in runs[c])
                            if runs[c] else None),
        "datapath_cpu_pct": (statistics.median(x[2] for x in runs[c])
                             if runs[c] else None),
        "errors": errors[c],
    })

ratio_defs = [
    ("vnet/normal", "ovs-vnet same-host / NORMAL", "vnet", "normal", 0.95),
    ("vxlan/vnet", "vxlan / ovs-vnet same-host", "vxlan", "vnet", 0.90),
    ("udp/vxlan", "udp relay / vxlan", "udp", "vxlan", 0.50),
    ("geneve/vnet", "geneve / ovs-vnet same-host", "geneve", "vnet", None),
    ("trunk/vnet", "trunk / ovs-vnet same-host", "trunk", "vnet", None),
    ("vxlan/vxlocal", "vxlan / same-host on its host", "vxlan", "vxlocal", None),
    ("vxlocal/vnet", "vxlan host / plain, same-host", "vxlocal", "vnet", None),
    ("tso/vnet", "same-host TSO / without", "tso", "vnet", 5.0),
    ("tso/bridge", "same-host TSO / Linux bridge", "tso", "bridge", None),
    ("tsovx/vxlan", "vxlan TSO switches / without", "tsovx", "vxlan", 0.90),
]
ratios = []
for key, label, num, den, target in ratio_defs:
    v = (median[num] / median[den]
         if median[num] is not None and median[den] else None)
    if v is None:
        result = "n/a"
    elif target is None:
        result = "info"
    else:
        result = "PASS" if v >= target else "MISS"
    ratios.append({"ratio": key, "description": label, "value": v,
                   "target": target, "result": result})

print("%-30s %10s %12s %14s" % ("case", "Mbit/s", "machine CPU", "datapath CPU"))
for x in cases:
    mb = "%.0f" % x["mbps"] if x["mbps"] is not None else "FAILED"
    hc = "%d%%" % x["machine_cpu_pct"] if x["machine_cpu_pct"] is not None else "-"
    sc = "%d%%" % x["datapath_cpu_pct"] if x["datapath_cpu_pct"] is not None else "-"
    line = "%-30s %10s %12s %14s" % (x["description"], mb, hc, sc)
    if repeat > 1 and x["runs_mbps"]:
        line += "   runs: " + " ".join("%.0f" % v for v in x["runs_mbps"])
    print(line)
    for e in x["errors"]:
        print("    error: %s" % e)
print()
print("%-30s %10s %12s %8s" % ("ratio", "value", "target", "result"))
for r in ratios:
    v = "%.3f" % r["value"] if r["value"] is not None else "-"
    t = ">= %.2f" % r["target"] if r["target"] is not None else "(info)"
    print("%-30s %10s %12s %8s" % (r["description"], v, t, r["result"]))
print()
print("iperf3 TCP, %s s per run, median of %d run(s); machine CPU: all %d cores "
      "busy = 100%%; datapath CPU: ovs-vswitchd (+ relays) of the case's "
      "switches, one core = 100%%."
      % (os.environ["BENCH_DURATION"], repeat, os.cpu_count()))

path = os.environ.get("BENCH_JSON")
if path:
    def version(cmd):
        try:
            return subprocess.run(cmd, capture_output=True, text=True,
                                  timeout=10).stdout.splitlines()[0]
        except Exception:
            return None
    doc = {
        "command": os.environ["BENCH_CMDLINE"],
        "duration_s": int(os.environ["BENCH_DURATION"]),
        "repeat": repeat,
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "ovs": version(["ovs-vswitchd", "--version"]),
        "iperf3": version(["iperf3", "--version"]),
        "cases": cases,
        "ratios": ratios,
        "complete": all(x["mbps"] is not None for x in cases),
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
EOF
[ $? = 0 ] || failed=1

exit "$failed"
