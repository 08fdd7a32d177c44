# Integration tests: the benchmarks run.  bench/scale.sh on a tiny network,
# every system side by side, prints the rows, steps, bulk times and targets
# that docs/benchmarks.md records, and writes its JSON and its plot.  The
# figures themselves are not judged here (machines are noisy): the benchmark
# is, by hand, at full size.  And the trunk it measures keeps endpoints apart
# (bench/trunk-filters.sh).

test_scale_bench_runs_every_system() {
    [ "$SANDBOX_DATAPATH" = netdev ] || return 0   # It measures netdev switches.
    local one="attach internal plug ovn bridge port macvlan trunk"
    local bulk="bulk-attach bulk-plug bulk-ovn"
    local out=$SANDBOX_DIR/scale.txt s before
    before=$(ls -d /tmp/ovs-vnet.vb* 2>/dev/null; ip netns list | grep -o '^vb[0-9a-f]*-[^ ]*' || true)
    env -u SANDBOX_PERSIST -u SANDBOX_DIR -u SANDBOX_PREFIX \
        N=3 SYSTEMS="$one $bulk" bash "$VNET_TOP/bench/scale.sh" \
        --json "$SANDBOX_DIR/scale.json" --plot "$SANDBOX_DIR/scale.png" \
        > "$out" 2>&1 || fail "bench/scale.sh: $(tail -20 "$out")"
    for s in $one; do
        grep -qE "^$s +[0-9]+ms +[0-9]+ms +[0-9]+ms +[0-9]+ms" "$out" \
            || fail "no figures for $s: $(cat "$out")"
        grep -qE "^  $s +[a-z-]+ [0-9]+/[0-9]+" "$out" \
            || fail "no steps for $s: $(cat "$out")"
    done
    for s in $bulk; do
        grep -qE "^  $s +[0-9.]+ s$" "$out" || fail "no bulk time for $s: $(cat "$out")"
    done
    grep -qE "^  attach last 10 / first 10 +[0-9.]+ +\(target <= 1.30: (met|MISSED)\)" "$out" \
        || fail "no targets: $(cat "$out")"
    grep -qE "^  trunk +[0-9.]+$" "$out" || fail "no floor for trunk: $(cat "$out")"
    grep -qE "^  attach +.*ovs-vnetd [0-9.]+/[0-9.]+ .*ovs-vswitchd-revalidators [0-9.]+/[0-9.]+" \
        "$out" || fail "no CPU of the daemons for attach: $(cat "$out")"
    grep -qE "^  ovn +.*ovn-controller [0-9.]+/[0-9.]+ .*ovn-northd [0-9.]+/[0-9.]+" "$out" \
        || fail "no CPU of the daemons for ovn: $(cat "$out")"
    python3 - "$SANDBOX_DIR/scale.json" "$one" "$bulk" <<'PY' || fail "scale.json"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["N"] == 3, d["N"]
for s in sys.argv[2].split():
    assert len(d["systems"][s]["latencies_ms"]) == 2, s
for s in sys.argv[3].split():
    assert d["bulk_seconds"][s] > 0, s
PY
    [ "$(head -c 4 "$SANDBOX_DIR/scale.png" | tail -c 3)" = PNG ] || fail "no plot"
    # The benchmark's own sandboxes and namespaces are gone.
    local after
    after=$(ls -d /tmp/ovs-vnet.vb* 2>/dev/null; ip netns list | grep -o '^vb[0-9a-f]*-[^ ]*' || true)
    [ "$after" = "$before" ] || fail "left behind: $(comm -13 <(echo "$before") <(echo "$after"))"
}

test_trunk_filters_keep_endpoints_apart() {
    local out
    out=$(bash "$VNET_TOP/bench/trunk-filters.sh" 2>&1) || fail "bench/trunk-filters.sh: $out"
    echo "$out"
    [ "$(grep -c '^ok: ' <<<"$out")" = 4 ] || fail "not four checks: $out"
}

# bench/detach.sh on two endpoints of each kind: it prints its figures and
# leaves nothing behind.
test_detach_bench_runs() {
    local type out
    for type in veth internal; do
        out=$(N=2 TYPE=$type bash "$VNET_TOP/bench/detach.sh" 2>&1) \
            || fail "bench/detach.sh TYPE=$type: $out"
        echo "$out"
        grep -Eq '^  namespace gone \(median / max\): +[0-9]+ / [0-9]+ ms$' <<<"$out" \
            || fail "no figures: $out"
    done
    [ -z "$(ls -d /tmp/ovs-vnet.vd* 2>/dev/null; ip netns list | grep '^vd[0-9]' || true)" ] \
        || fail "left behind"
}
