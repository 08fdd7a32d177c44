# Integration tests: the UDP relay on its own (ovs-vnet-udptun --local,
# --peer), between two namespaces ra and rb joined by a veth pair (the
# underlay, 192.168.61.0/24), its taps ru0 carrying the overlay 10.98.0.0/24
# with MTU 1400.

# relay_pair [A-OPTION...] [-- B-OPTION...]: the namespaces, the underlay,
# a relay at each end (with the options given for each) and the overlay.
relay_pair() {
    local a_opts=() b_opts=() side=a ns local peer key=$SANDBOX_DIR/relay.key
    for arg; do
        if [ "$arg" = -- ]; then side=b
        elif [ $side = a ]; then a_opts+=("$arg")
        else b_opts+=("$arg"); fi
    done
    ip netns add "$SANDBOX_PREFIX-ra"
    ip netns add "$SANDBOX_PREFIX-rb"
    ip -n "$SANDBOX_PREFIX-ra" link add ua type veth peer name ub netns "$SANDBOX_PREFIX-rb"
    ip -n "$SANDBOX_PREFIX-ra" addr add 192.168.61.1/24 dev ua
    ip -n "$SANDBOX_PREFIX-rb" addr add 192.168.61.2/24 dev ub
    for ns in ra rb; do
        ip -n "$SANDBOX_PREFIX-$ns" link set lo up
    done
    ip -n "$SANDBOX_PREFIX-ra" link set ua up
    ip -n "$SANDBOX_PREFIX-rb" link set ub up
    head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$key"
    mkdir -p "$SANDBOX_DIR/relay"
    for ns in ra rb; do
        local opts=()
        if [ $ns = ra ]; then
            local=192.168.61.1 peer=192.168.61.2 opts=("${a_opts[@]}")
        else
            local=192.168.61.2 peer=192.168.61.1 opts=("${b_opts[@]}")
        fi
        in_ep $ns "$OVS_VNET_UDPTUN" --local="$local:7100" --peer="ru0,$peer:7100" \
            --key-file="$key" --mtu=1400 "${opts[@]}" --pidfile="$SANDBOX_DIR/relay/$ns.pid" \
            --log-file="$SANDBOX_DIR/relay/$ns.log" --detach --no-chdir -vconsole:off \
            || fail "relay in $ns did not start"
        sandbox_wait_pidfile 10 "$SANDBOX_DIR/relay/$ns.pid" || fail "relay in $ns"
    done
    ip -n "$SANDBOX_PREFIX-ra" addr add 10.98.0.1/24 dev ru0
    ip -n "$SANDBOX_PREFIX-rb" addr add 10.98.0.2/24 dev ru0
    wait_until 10 reaches ra 10.98.0.2 || fail "ra does not reach rb over the relay"
}

# tap_stat NS COUNTER: the counter of ru0 in NS (tx_bytes, rx_packets, ...).
tap_stat() {
    in_ep "$1" cat "/sys/class/net/ru0/statistics/$2"
}

# tap_mean NS DIR: the mean size of what went through ru0 in NS in
# direction DIR (tx: what the relay read, rx: what it wrote), in bytes.
tap_mean() {
    local bytes packets
    bytes=$(tap_stat "$1" "$2_bytes")
    packets=$(tap_stat "$1" "$2_packets")
    echo $(( bytes / (packets ? packets : 1) ))
}

test_relay_carries_large_segments() {
    relay_pair
    in_ep ra ethtool -k ru0 | grep -q '^tcp-segmentation-offload: on' \
        || fail "ru0 takes no large segments: $(in_ep ra ethtool -k ru0 | grep segmentation)"
    # Not TCP, and larger than the MTU: IP fragments, frames as they are.
    in_ep ra ping -c 2 -s 3000 10.98.0.2 >/dev/null || fail "3000-byte ping"
    tcp_send ra rb 10.98.0.2 50 || fail "50 MiB from ra to rb"
    tcp_send rb ra 10.98.0.1 50 || fail "50 MiB from rb to ra"
    # The relays read segments far above the MTU from the taps and wrote
    # joined ones into them.
    local m
    for m in "ra tx" "rb rx" "rb tx" "ra rx"; do
        # shellcheck disable=SC2086
        [ "$(tap_mean $m)" -gt 3000 ] || fail "$m: mean size $(tap_mean $m)"
    done
}

test_relay_with_and_without_offload() {
    # The wire format is the same: one end cuts and joins, the other not.
    relay_pair -- --no-offload
    in_ep rb ethtool -k ru0 | grep -q '^tcp-segmentation-offload: off' \
        || fail "--no-offload: ru0 takes large segments"
    tcp_send ra rb 10.98.0.2 20 || fail "20 MiB from ra to rb"
    tcp_send rb ra 10.98.0.1 20 || fail "20 MiB from rb to ra"
    [ "$(tap_mean ra tx)" -gt 3000 ] || fail "ra read no large segments"
    [ "$(tap_mean rb rx)" -le 1414 ] || fail "rb wrote frames above the MTU"
    [ "$(tap_mean rb tx)" -le 1414 ] || fail "rb read frames above the MTU"
    # What ra receives from rb is joined only where frames arrive together,
    # as the machine's load has it: not checked.
}

test_relay_small_mtu_without_offload() {
    # Below 576 bytes the taps take no large segments.
    relay_pair --mtu=500 -- --mtu=500
    in_ep ra ethtool -k ru0 | grep -q '^tcp-segmentation-offload: off' \
        || fail "MTU 500: ru0 takes large segments"
    tcp_send ra rb 10.98.0.2 4 || fail "4 MiB from ra to rb"
    [ "$(tap_mean rb rx)" -le 514 ] || fail "rb wrote frames above the MTU"
}

test_relay_large_segments_with_jumbo_frames() {
    relay_pair --mtu=9000 -- --mtu=9000
    tcp_send ra rb 10.98.0.2 20 || fail "20 MiB from ra to rb"
    # Segments of 64 kB cut into frames of 9000 bytes and joined again.
    [ "$(tap_mean ra tx)" -gt 9014 ] || fail "ra read no large segments"
    [ "$(tap_mean rb rx)" -gt 9014 ] || fail "rb joined no segments"
}
