# Integration tests: ovs-vnet-ctl capture, an endpoint's packets as its
# switch sees them, with libpcap, in the switch's namespace.

test_capture_endpoint() {
    hosts_world vxlan h1 h2
    vnet_ctl net-add net1 10.5.0.0/16 >/dev/null
    attach_ep net1 ep1 h1 10.5.0.11
    attach_ep net1 ep2 h2 10.5.0.21
    vnet_ctl --wait sync
    reaches ep1 10.5.0.21 || fail "ep1 -> ep2"
    local ports_before
    ports_before=$(sandbox_vsctl h1 list-ports br-vnet)

    # While ep1 pings ep2, four packets into a pcap file: tcpdump reads the
    # echo requests and replies with the right addresses.
    ip netns exec "$SANDBOX_PREFIX-ep1" ping -i 0.2 -c 300 10.5.0.21 >/dev/null 2>&1 &
    local pinger=$!
    vnet_ctl capture ep1 -w "$SANDBOX_DIR/ep1.pcap" -c 4 icmp \
        2>"$SANDBOX_DIR/capture.err" || fail "capture: $(cat "$SANDBOX_DIR/capture.err")"
    output_has '4 packets captured' cat "$SANDBOX_DIR/capture.err" || fail "count"
    local read
    read=$(tcpdump -nr "$SANDBOX_DIR/ep1.pcap" 2>/dev/null)
    assert_eq "$(printf '%s\n' "$read" | wc -l)" 4 "packets in the file"
    assert_contains "$read" "IP 10.5.0.11 > 10.5.0.21: ICMP echo request"
    assert_contains "$read" "IP 10.5.0.21 > 10.5.0.11: ICMP echo reply"

    # The filter is honoured; without -w, a line a packet like tcpdump's.
    local lines
    lines=$(vnet_ctl capture ep1 -c 2 'icmp[icmptype] == icmp-echoreply' 2>/dev/null) \
        || fail "capture with a filter"
    assert_eq "$(printf '%s\n' "$lines" | grep -c 'ICMP echo reply')" 2 "only replies"
    ! printf '%s\n' "$lines" | grep -q 'echo request' || fail "filter not honoured"
    # ARP with the long options, on the other switch.
    in_ep ep2 ip neigh flush dev eth0
    lines=$(vnet_ctl capture ep2 --count=1 arp 2>/dev/null) || fail "capture ep2 arp"
    assert_contains "$lines" "ARP, Request who-has 10.5.0.11 tell 10.5.0.21"
    kill "$pinger" 2>/dev/null; wait "$pinger" 2>/dev/null || true

    # Ctrl-C stops it cleanly, with what it had.
    "$OVS_VNET_CTL" capture ep1 -w "$SANDBOX_DIR/int.pcap" 2>"$SANDBOX_DIR/int.err" &
    local cap=$!
    sleep 1
    kill -INT "$cap"
    wait "$cap" || fail "capture did not stop cleanly on SIGINT"
    output_has 'packets? captured' cat "$SANDBOX_DIR/int.err" || fail "no summary"
    tcpdump -nr "$SANDBOX_DIR/int.pcap" >/dev/null 2>&1 || fail "unreadable file"

    # Nothing left on the switch: no mirror, no port.
    assert_eq "$(sandbox_vsctl h1 list-ports br-vnet)" "$ports_before" "ports"
    assert_eq "$(sandbox_vsctl h1 --columns=_uuid list Mirror)" "" "mirrors"

    expect_error 'no endpoint named nope' vnet_ctl capture nope -c 1
    expect_error 'filter' vnet_ctl capture ep1 -c 1 'not a filter ((('
    expect_error 'above 0' vnet_ctl capture ep1 -c 0
}
