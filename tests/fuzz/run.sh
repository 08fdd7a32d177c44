#!/bin/bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (AddressSanitizer and
# UndefinedBehaviorSanitizer on) and runs each for SECONDS (default 30) from
# its seed corpus, tests/fuzz/corpus/TARGET/.  Ends with "N passed, M failed"
# (one per target) and exits non-zero if any target found a crash, a leak or
# undefined behavior; the input that did it is kept in the log folder.
#
# Usage: tests/fuzz/run.sh [--keep-corpus] [SECONDS] [TARGET...]
#        tests/fuzz/run.sh --make-seeds
#   --keep-corpus  add what the run found to the seed corpus (for growing it:
#                  commit only small, distinct inputs)
#   --make-seeds   write the seeds that tests/fuzz/make-seeds.c makes
# Needs the tree built first (tools/setup.sh; the OVS library) and clang with
# its runtime (Debian's clang and libclang-rt-14-dev, which setup installs).
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"

keep=
seeds=
secs=30
targets=()
for arg; do
    case $arg in
        --keep-corpus) keep=yes ;;
        --make-seeds) seeds=yes ;;
        [0-9]*) secs=$arg ;;
        -*) echo "unknown option $arg"; echo "0 passed, 1 failed"; exit 1 ;;
        *) targets+=("$arg") ;;
    esac
done
[ ${#targets[@]} = 0 ] && targets=(fuzz-udptun fuzz-nb-input fuzz-flow-dump fuzz-trace-text)

ovs=$(sed -n 's/^OVS_BUILDDIR = //p' Makefile 2>/dev/null)
ovs_libs=$(sed -n 's/^OVS_LIBS = //p' Makefile 2>/dev/null)
if [ -z "$ovs" ] || [ ! -f "$ovs/lib/.libs/libopenvswitch.a" ] \
   || [ ! -f ovsdb/vnet-idl.h ]; then
    echo "build the tree first (bash tools/setup.sh)"
    echo "0 passed, 1 failed"
    exit 1
fi
CC=${CC:-clang}
cflags=(-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined
        -fno-sanitize-recover=undefined -I. -I"$ovs" -I"$ovs/include"
        -I"$ovs/lib" -w)
# The code each target reaches, built with the same instrumentation.
sources() {
    case $1 in
        fuzz-udptun) echo tools/udptun-wire.c ;;
        fuzz-nb-input) echo ovsdb/addr.c ovsdb/names.c ovsdb/nat.c \
                           ovsdb/remote.c ovsdb/validate.c ;;
        fuzz-flow-dump) echo flows/flow-table.c flows/installer.c \
                            flows/of-channel.c flows/flow-units.c \
                            flows/visit-order.c flows/pipeline.c ;;
        fuzz-trace-text) echo tools/trace-parse.c ;;
    esac
}

build=$(mktemp -d /tmp/ovs-vnet-fuzz.XXXXXX)
# The targets' logs and inputs stay for a failure only.
trap 'rm -rf "$build"; [ "${failed:-0}" != 0 ] || rm -rf "${logdir:-}"' EXIT

if [ -n "$seeds" ]; then
    # shellcheck disable=SC2086
    gcc -g -I. -I"$ovs" -I"$ovs/include" -I"$ovs/lib" -o "$build/make-seeds" \
        tests/fuzz/make-seeds.c tools/udptun-wire.c flows/flow-table.c \
        "$ovs/lib/.libs/libopenvswitch.a" $ovs_libs || exit 1
    for t in fuzz-udptun fuzz-nb-input fuzz-flow-dump; do
        mkdir -p "tests/fuzz/corpus/$t"
    done
    "$build/make-seeds" tests/fuzz/corpus || exit 1
    ls tests/fuzz/corpus/*
    exit 0
fi
logdir=$(mktemp -d /tmp/ovs-vnet-fuzz-logs.XXXXXX)
passed=0
failed=0
for t in "${targets[@]}"; do
    if [ ! -f "tests/fuzz/$t.c" ]; then
        echo "FAIL $t: no tests/fuzz/$t.c"
        failed=$((failed + 1))
        continue
    fi
    # shellcheck disable=SC2046
    if ! "$CC" "${cflags[@]}" -o "$build/$t" "tests/fuzz/$t.c" $(sources "$t") \
            "$ovs/lib/.libs/libopenvswitch.a" $ovs_libs \
            > "$logdir/$t.build.log" 2>&1; then
        echo "FAIL $t: does not build"
        cat "$logdir/$t.build.log"
        failed=$((failed + 1))
        continue
    fi
    mkdir -p "$build/$t.corpus" "tests/fuzz/corpus/$t" "$logdir/$t.crash"
    start=$(date +%s)
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        "$build/$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
            -print_final_stats=1 -artifact_prefix="$logdir/$t.crash/" \
            "$build/$t.corpus" "tests/fuzz/corpus/$t" > "$logdir/$t.log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$logdir/$t.log")
    if [ "$rc" = 0 ]; then
        echo "PASS $t (${runs:-0} executions in $(( $(date +%s) - start ))s)"
        passed=$((passed + 1))
        if [ -n "$keep" ]; then
            "$build/$t" -merge=1 "tests/fuzz/corpus/$t" "$build/$t.corpus" \
                > "$logdir/$t.merge.log" 2>&1
        fi
    else
        echo "FAIL $t (exit $rc; log and input in $logdir)"
        grep -E 'ERROR|SUMMARY|runtime error' "$logdir/$t.log" | head -20
        failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
