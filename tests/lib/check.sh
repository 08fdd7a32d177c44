# Assertions for integration tests.  Every failing check prints why and exits the
# test (its sandbox is torn down by the trap).

fail() {
    if [ -e "${SANDBOX_DIR:-/nonexistent}/wait-timed-out" ]; then
        # What the wait that timed out printed says where things stood.
        echo "FAILED: $*" >&2
    else
        report_failure "$*"
    fi
    exit 1
}

# report_failure MSG: what a failure prints (fail()).
report_failure() {
    echo "FAILED: $*" >&2
    # Where the tunnels stand (first: a CI log may show only the first
    # lines), and what ovs-vnetd did last.
    tunnels_state >&2
    local log=${SANDBOX_DIR:-}/vnetd/ovs-vnetd.log
    if [ -s "$log" ]; then
        echo "ovs-vnetd's last log lines:" >&2
        tail -n 15 "$log" | cut -c 12-200 >&2
    fi
    for log in "${SANDBOX_DIR:-/nonexistent}"/sw-*/ovs-vnet-udptun.*.log; do
        [ -s "$log" ] || continue
        echo "${log##*/}, last lines:" >&2
        tail -n 4 "$log" | cut -c 12-200 >&2
    done
}

# tunnels_state: where each host's tunnels stand (hosts_world), for a
# cross-host failure seen only in a CI log, a few lines per host: the
# underlay IPs (and the MACs they go with) its switch takes tunnel packets
# for, the peers' MACs it knows, how many packets its underlay port sent and
# received, and its cached datapath flows for tunnel packets.
tunnels_state() {
    local dir h takes knows counts
    ip netns list 2>/dev/null | grep -q "^${SANDBOX_PREFIX:-none}-ul\b" || return 0
    for dir in "$SANDBOX_DIR"/sw-*; do
        h=${dir##*/sw-}
        takes=$(sandbox_appctl "$h" tnl/ports/show -v 2>&1 \
            | sed -n 's/.*eth(dst=\([0-9a-f:]*\)),eth_type(0x0800),ipv4(dst=\([0-9.]*\),.*/\2=\1/p' \
            | sort -u | tr '\n' ' ' || true)
        knows=$(sandbox_appctl "$h" tnl/neigh/show 2>&1 \
            | awk '/^[0-9]/ {printf "%s%s=%s", sep, $1, $2; sep = " "}' || true)
        counts=$(ip -n "$(sandbox_netns "$h")" -s -o link show ul0 2>&1 \
            | sed -E -n 's/.*RX:[^0-9]*[0-9]+ +([0-9]+) .*TX:[^0-9]*[0-9]+ +([0-9]+) .*/rx \1 tx \2/p')
        echo "$h: takes ${takes% }; knows ${knows}; ul0 ${counts:-?} packets"
        # Sent: where to (the outer header's IP and MAC); received: UDP to a
        # tunnel's port, and what was done with it (tnl_pop, or anything else).
        sandbox_appctl "$h" dpctl/dump-flows 2>&1 \
            | grep -E 'tnl_push|tnl_pop|udp\([^)]*dst=(4789|6081)' | head -6 \
            | sed -E -e 's/.*(in_port\([0-9]+\)).*(packets:[0-9]+).*tnl_push\(tnl_port\([0-9]+\),header\([^(]*eth\(dst=([0-9a-f:]+).*ipv4\(src=[0-9.]+,dst=([0-9.]+).*/\1 \2 push to \4 at \3/' \
                     -e 't done' \
                     -e 's/.*(in_port\([0-9]+\)).*eth\(src=([0-9a-f:]+),dst=([0-9a-f:]+)\).*ipv4\(dst=([0-9.]+).*udp\(dst=([0-9]+)\).*(packets:[0-9]+).*actions:(.*)/\1 \6 from \2 to \3 \4:\5 -> \7/' \
                     -e ':done' -e 's/^(.{1,150}).*/\1/' -e "s/^/$h: dp /" || true
    done
}

# first_packet_arrives EP IP WHAT: the first ping from endpoint EP to IP is
# answered.  If not, prints the tunnels as the lost packet left them, then
# fails with "WHAT was lost" and how three more pings fared.
first_packet_arrives() {
    in_ep "$1" ping -c 1 -W 2 "$2" >/dev/null && return 0
    echo "right after the lost packet:" >&2
    tunnels_state >&2
    local again
    again=$(in_ep "$1" ping -c 3 -i 0.2 -W 1 "$2" 2>&1 \
            | grep -o '[0-9]* received') || true
    fail "$3 was lost (then ${again:-0 received} of 3 more)"
}

# wait_until SECS CMD...: runs CMD every 0.1 s until it succeeds.  After SECS
# (of real time, however long CMD itself takes; tenths allowed: 1.5) it prints
# what fail() prints and, in a test's own shell of tests/run.sh
# (CHECK_WAITS_RETURN=1, not exported: not in the programs a test starts),
# returns 1, so that a "|| fail MSG" after it says what was not reached; the
# test fails all the same (wait_timed_out_check), also where its status is
# not looked at.  Elsewhere (the benchmarks) it fails.
wait_until() {
    local secs=$1 end; shift
    local whole=${secs%.*} tenths=0
    [ "$whole" != "$secs" ] && tenths=${secs#*.}
    end=$((${EPOCHREALTIME/./} + whole * 1000000 + ${tenths:0:1} * 100000))
    until "$@" >/dev/null 2>&1; do
        if ((${EPOCHREALTIME/./} >= end)); then
            [ "${CHECK_WAITS_RETURN:-0}" = 1 ] && [ -d "${SANDBOX_DIR:-}" ] \
                || fail "timed out after ${secs}s waiting for: $*"
            : > "$SANDBOX_DIR/wait-timed-out"
            report_failure "timed out after ${secs}s waiting for: $*"
            return 1
        fi
        sleep 0.1
    done
}

# wait_timed_out_check: fails the test if a wait_until in it timed out.
wait_timed_out_check() {
    [ ! -e "$SANDBOX_DIR/wait-timed-out" ] \
        || fail "a wait above timed out"
}

assert_eq() {
    [ "$1" = "$2" ] || fail "${3:-values differ}: expected '$2', got '$1'"
}

assert_contains() {
    case $1 in
        *"$2"*) ;;
        *) fail "${3:-missing text}: '$2' not in: $1" ;;
    esac
}

# expect_error PATTERN CMD...: CMD must exit 1 with exactly one line on stderr that
# matches PATTERN (grep -E) and nothing on stdout.
expect_error() {
    local pattern=$1 rc out err; shift
    out=$("$@" 2>/tmp/vnet-err.$$) && rc=0 || rc=$?
    err=$(cat /tmp/vnet-err.$$); rm -f /tmp/vnet-err.$$
    [ "$rc" = 1 ] || fail "expected exit status 1 from '$*', got $rc (stderr: $err)"
    [ -z "$out" ] || fail "expected no output from '$*', got: $out"
    [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] \
        || fail "expected a one-line error from '$*', got: $err"
    printf '%s\n' "$err" | grep -E -- "$pattern" >/dev/null \
        || fail "error from '$*' does not match /$pattern/: $err"
}

# nb_get COLUMN SWITCH: a column of an NB Switch row, in ovsdb-client's format.
nb_get() {
    ovsdb-client --timeout=10 -f csv --no-headings query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"Switch",
          "where":[["name","==","'"$2"'"]],"columns":["'"$1"'"]}]' \
        | python3 -c 'import json,sys; r=json.load(sys.stdin)[0]["rows"]; print(json.dumps(r[0]["'"$1"'"]) if r else "")'
}

# nb_cfg: the NB's VNet_Global nb_cfg.
nb_cfg() {
    ovsdb-client --timeout=10 -f csv --no-headings query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"VNet_Global",
          "where":[],"columns":["nb_cfg"]}]' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rows"][0]["nb_cfg"])'
}

# cfg_applied SWITCH...: each SWITCH has applied the NB's nb_cfg.
cfg_applied() {
    local cfg sw; cfg=$(nb_cfg)
    for sw; do
        [ "$(nb_get applied_cfg "$sw")" -ge "$cfg" ] || return 1
    done
}

# nb_uuid TABLE NAME: the UUID of the NB row of TABLE named NAME.
nb_uuid() {
    ovsdb-client --timeout=10 -f csv --no-headings query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"'"$1"'",
          "where":[["name","==","'"$2"'"]],"columns":["_uuid"]}]' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rows"][0]["_uuid"][1])'
}

# nb_transact OPS: an OVSDB transaction on the NB (another client's); fails
# if any of its operations did.
nb_transact() {
    local out
    out=$(ovsdb-client --timeout=10 transact "$OVS_VNET_DB" "$1") \
        || fail "transaction failed: $out"
    ! printf '%s\n' "$out" | grep -q '"error"' \
        || fail "transaction failed: $(printf '%s\n' "$out" | python3 -c '
import json, sys
print("; ".join("%s: %s" % (r["error"], r.get("details", ""))
                for r in json.load(sys.stdin) if r and "error" in r))')"
}

# nb_dump: every NB row, sorted, without the columns ovs-vnetd writes (status
# goes on changing after --wait returns: counters, the switch's own view).
nb_dump() {
    local ops
    ops=$(python3 -c '
import json, sys
status = {"Switch": {"connected", "datapath_id", "of_state", "last_error",
                     "applied_cfg", "status"},
          "Endpoint": {"location", "ofport", "up", "last_error", "status"}}
schema = json.load(open(sys.argv[1]))
ops = [schema["name"]]
for t, v in sorted(schema["tables"].items()):
    cols = ["_uuid"] + sorted(set(v["columns"]) - status.get(t, set()))
    ops.append({"op": "select", "table": t, "where": [], "columns": cols})
print(json.dumps(ops))' "$VNET_SCHEMA") || return 1
    ovsdb-client --timeout=10 query "$OVS_VNET_DB" "$ops" | python3 -c '
import json, sys
for i, r in enumerate(json.load(sys.stdin)):
    for row in sorted(json.dumps(x, sort_keys=True) for x in r["rows"]):
        print(i, row)'
}

vnet_ctl() {
    "$OVS_VNET_CTL" -t 30 "$@"
}

# vnetd_idles SECONDS [PIDFILE]: ovs-vnetd (the sandbox's, or PIDFILE's)
# uses at most a tenth of a core over SECONDS (a deadline it does not act on
# would have its loop wake at once, again and again).
vnetd_idles() {
    local pid t0 t1 hz
    pid=$(cat "${2:-$SANDBOX_DIR/vnetd/ovs-vnetd.pid}") || return 1
    hz=$(getconf CLK_TCK)
    t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    sleep "$1"
    t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
    [ $((t1 - t0)) -le $((hz * $1 / 10)) ] || {
        echo "ovs-vnetd used $(((t1 - t0) * 1000 / hz)) ms of CPU in $1 s" >&2
        return 1
    }
}

# output_has PATTERN CMD...: CMD's output matches PATTERN (grep -E).  Unlike
# "CMD | grep -q", never fails because grep stopped reading early.
output_has() {
    local pattern=$1 out; shift
    out=$("$@" 2>&1) || return 1
    printf '%s\n' "$out" | grep -E -- "$pattern" >/dev/null
}

# in_ep EP CMD...: runs CMD in endpoint EP's namespace ("$SANDBOX_PREFIX-EP").
in_ep() {
    local ep=$1; shift
    ip netns exec "$SANDBOX_PREFIX-$ep" "$@"
}

# reaches EP IP: EP pings IP.  Three tries: the first packet to a new tunnel
# destination is lost while OVS resolves the peer's MAC on the underlay.
reaches() {
    in_ep "$1" ping -c 3 -i 0.2 -W 1 "$2" >/dev/null 2>&1
}

# offload_of EP: "on" or "off", the TX checksum offload of EP's eth0 (TSO
# goes with it).
offload_of() {
    in_ep "$1" ethtool -k eth0 | sed -n 's/^tx-checksumming: \([a-z]*\).*/\1/p'
}

# offload_is EP STATE: whether EP's offload is STATE, and TSO with it.
offload_is() {
    [ "$(offload_of "$1")" = "$2" ] || return 1
    in_ep "$1" ethtool -k eth0 | grep -Eq "^[[:space:]]*tx-tcp-segmentation: $2"
}

# tcp_send SRC DST IP MIB [GATE]: sends MIB MiB of random data over TCP from
# endpoint SRC to DST (listening on IP:5001) and checks what arrived by its
# hash.  With GATE, the second half waits until file GATE exists (the
# connection stays open meanwhile).
tcp_send() {
    local src=$1 dst=$2 ip=$3 mib=$4 gate=${5:-} d=$SANDBOX_DIR/tcp.$1.$2
    head -c "$((mib / 2))M" /dev/urandom > "$d.1"
    head -c "$((mib - mib / 2))M" /dev/urandom > "$d.2"
    in_ep "$dst" timeout 60 sh -c 'nc -l -N 5001 | sha256sum' > "$d.got" &
    local listener=$!
    wait_until 5 output_has ':5001 ' in_ep "$dst" ss -ltn
    if [ -n "$gate" ]; then
        { cat "$d.1"; for _ in $(seq 600); do [ -e "$gate" ] && break; sleep 0.05; done
          cat "$d.2"; } \
            | in_ep "$src" timeout 60 nc -N "$ip" 5001 || return 1
    else
        cat "$d.1" "$d.2" | in_ep "$src" timeout 60 nc -N "$ip" 5001 || return 1
    fi
    wait "$listener" || return 1
    [ "$(cut -d' ' -f1 < "$d.got")" = "$(cat "$d.1" "$d.2" | sha256sum | cut -d' ' -f1)" ]
}

# hosts_world TYPE HOST...: NB, controller, underlay, and hosts hN (underlay
# address 192.168.50.N) connected with encapsulation TYPE.  Their switches
# are started with $HOSTS_SWITCH_OPTIONS (sandbox_switch_start's).
hosts_world() {
    local type=$1 h; shift
    sandbox_nb_start
    sandbox_vnetd_start
    sandbox_underlay_start
    for h; do
        sandbox_switch_start "$h" ${HOSTS_SWITCH_OPTIONS:-}
        sandbox_switch_underlay "$h" "192.168.50.${h#h}/24"
        connect_host "$h" "$type"
    done
}

connect_host() {  # HOST TYPE
    vnet_ctl connect "$(sandbox_switch_remote "$1")" --name="$1" \
        --encap-ip="192.168.50.${1#h}" --encap-type="$2" --underlay=ul0 >/dev/null
}

attach_ep() {  # NET EP HOST IP: an endpoint in namespace "$SANDBOX_PREFIX-EP"
    vnet_ctl attach "$1" "$2" --switch="$3" --ip="$4" \
        --netns="$SANDBOX_PREFIX-$2" >/dev/null
}

# outside_world HOST: the "outside", namespace "$SANDBOX_PREFIX-out": the next
# hop 203.0.113.1/24 and a server 198.51.100.10 behind it, joined to HOST by a
# veth whose end in HOST's switch namespace is up0 (the uplink to give a
# router).
outside_world() {
    local ns=$SANDBOX_PREFIX-out
    ip netns add "$ns" || return 1
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add 198.51.100.10/32 dev lo
    outside_link "$1" up0 out0 203.0.113.1/24
}

# outside_link HOST UPLINK OUT ADDR/PLEN: one more link from the outside.
outside_link() {
    sandbox_outside_link "$SANDBOX_PREFIX-out" "$@"
}

# echo_serve NS PORT...: echo.py's server in namespace NS (the sandbox's
# cleanup stops it).
echo_serve() {
    local ns=$1 pidfile; shift
    pidfile=$SANDBOX_DIR/echo-$ns.pid
    ip netns exec "$ns" python3 "$VNET_TOP/tests/lib/echo.py" serve "$pidfile" "$@" \
        >/dev/null 2>&1 &
    sandbox_wait_pidfile 10 "$pidfile"
}

# echo_ask NS tcp|udp HOST PORT [SPORT]: prints the address the server saw.
echo_ask() {
    local ns=$1; shift
    ip netns exec "$ns" python3 "$VNET_TOP/tests/lib/echo.py" ask "$@" 2>/dev/null
}

# echo_none NS "PROTO HOST PORT"...: none of the services answers NS (each
# waits out its time limit, all of them at once); prints those that do.
echo_none() {
    local ns=$1 i=0 pids=() q bad=0; shift
    for q in "$@"; do
        # shellcheck disable=SC2086
        echo_ask "$ns" $q > "$SANDBOX_DIR/echo-none.$i" &
        pids+=($!)
        i=$((i + 1))
    done
    wait "${pids[@]}" || true
    i=0
    for q in "$@"; do
        if [ -s "$SANDBOX_DIR/echo-none.$i" ]; then
            echo "$q answered: $(cat "$SANDBOX_DIR/echo-none.$i")"
            bad=1
        fi
        i=$((i + 1))
    done
    return $bad
}

# firewall_rules NS...: every namespace's iptables and nftables rules.
firewall_rules() {
    local ns
    for ns in "$@"; do
        echo "== $ns"
        ip netns exec "$ns" iptables-save 2>&1 | grep -v '^#'
        ip netns exec "$ns" nft list ruleset 2>&1
    done
}

# forge_relay HOST KEY SEQ VID ARP_IP: from HOST's namespace, a datagram to
# h1's relay that claims to come from HOST's relay (its address and port),
# carrying an ARP request from ARP_IP (MAC 0a:00:00:00:00:99) for 10.5.0.11,
# tagged with VID.  KEY "v1": the oldest format, without a tag; "short": two
# bytes; otherwise sealed with KEY and sequence number SEQ in version 2
# (HMAC-SHA256), which relays still take (version 3's GMAC is not in
# Python's standard library).
forge_relay() {
    sandbox_netns_exec "$1" python3 - "$1" "$2" "$3" "$4" "$5" <<'PY'
import hashlib, hmac, ipaddress, socket, struct, sys
host, key, seq, vid, arp_ip = sys.argv[1:]
src_ip = "192.168.50." + host[1:]
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1,
                  bytes.fromhex("0a0000000099"),
                  ipaddress.IPv4Address(arp_ip).packed, bytes(6),
                  ipaddress.IPv4Address("10.5.0.11").packed)
frame = (b"\xff" * 6 + bytes.fromhex("0a0000000099")
         + struct.pack("!HHH", 0x8100, int(vid), 0x0806) + arp)
if key == "v1":
    payload = b"VN\x01\x00" + frame
elif key == "short":
    payload = b"VN"
else:
    body = b"VN\x02\x00" + struct.pack("!Q", int(seq)) + frame
    payload = body + hmac.new(key.encode(), body, hashlib.sha256).digest()[:16]
udp = struct.pack("!HHHH", 7789, 7789, 8 + len(payload), 0) + payload
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
s.bind((src_ip, 0))
s.sendto(udp, ("192.168.50.1", 0))
PY
}

# nb_relay_key: the deployment's relay key, from the NB.
nb_relay_key() {
    ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"VNet_Global",
          "where":[],"columns":["options"]}]' \
        | python3 -c 'import json,sys; print(dict(json.load(sys.stdin)[0]["rows"][0]["options"][1])["relay_key"])'
}

knows_neighbor() {  # EP IP: EP's ARP table has IP
    output_has lladdr in_ep "$1" ip neigh show "$2"
}

# nb_column TABLE NAME COLUMN: a column of the NB row of TABLE named NAME (a
# string or number as it is).
nb_column() {
    ovsdb-client --timeout=10 -f json query "$OVS_VNET_DB" \
        '["OVS_VNET_Northbound",{"op":"select","table":"'"$1"'",
          "where":[["name","==","'"$2"'"]],"columns":["'"$3"'"]}]' \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["rows"][0][sys.argv[1]])' "$3"
}

# net_segment NETWORK: its segment id, from the NB.
net_segment() {
    nb_column Network "$1" segment_id
}

# flows_older_than SWITCH SECS: every flow ovs-vnetd installed on SWITCH has
# been there for SECS seconds at least (a flow replaced since starts over);
# flows the switch learned itself do not count.
flows_older_than() {
    sandbox_ofctl "$1" -O OpenFlow15 dump-flows br-vnet | awk -v min="$2" '
        /cookie=0x76/ && !/cookie=0x7606/ {
            n++
            if (match($0, /duration=[0-9.]+s/)) {
                d = substr($0, RSTART + 9, RLENGTH - 10) + 0
                if (d < min) { print "new: " $0; bad++ }
            }
        }
        END { if (!n) print "no flows"; exit !(n && !bad) }'
}

# two_hosts_lan TYPE: hosts h1 and h2 joined with encapsulation TYPE, and
# network net1 with ep1 (10.5.0.11) on h1 and ep2 (10.5.0.21) on h2, which
# reach each other.
two_hosts_lan() {
    hosts_world "$1" h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    vnet_ctl --wait sync
    reaches ep1 10.5.0.21 || fail "ep1 -> ep2 over $1"
}

# lost_echoes FILE: of the echoes that "ping" (its output in FILE) sent up to
# the last one answered, how many had no reply: "N of M" (the one in flight
# when ping stopped does not count).
lost_echoes() {
    awk '/bytes from/ {
             sub(/.*icmp_seq=/, ""); seq = $1 + 0; got[seq] = 1
             if (seq > max) max = seq
         }
         END { for (i = 1; i <= max; i++) n += !(i in got)
               printf "%d of %d\n", n, max }' "$1"
}

# router_world: h1 and h2 over VXLAN; router rt1 joins red (r1 on h1, r2 on
# h2) and blue (b2 on h2), with its uplink on h1 and snat for red only;
# green (g1 on h1) is on no router.
router_world() {
    hosts_world vxlan h1 h2
    outside_world h1
    vnet_ctl net-add red 10.5.0.0/16 >/dev/null
    vnet_ctl net-add blue 10.6.0.0/16 >/dev/null
    vnet_ctl net-add green 10.7.0.0/16 >/dev/null
    attach_ep red r1 h1 10.5.0.11
    attach_ep red r2 h2 10.5.0.12
    attach_ep blue b2 h2 10.6.0.12
    attach_ep green g1 h1 10.7.0.11
    vnet_ctl router-add rt1 >/dev/null
    vnet_ctl router-attach rt1 red >/dev/null
    vnet_ctl router-attach rt1 blue >/dev/null
    vnet_ctl router-uplink rt1 h1 up0 --ip=203.0.113.2/24 --nexthop=203.0.113.1 >/dev/null
    vnet_ctl nat-add rt1 snat red >/dev/null
    vnet_ctl --wait sync
}
