#!/bin/bash
# Runs the whole ovs-vnet test suite: installs and builds what it needs
# (tools/setup.sh, idempotent), then the googletest unit tests, the integration
# tests on sandboxed switches on the userspace (netdev) datapath, and the
# integration tests on the kernel (system) datapath in a guest booted from
# Debian's kernel (tests/vm/).  Ends with "N passed, M failed"; exits non-zero
# on any failure.
#
# Usage: tests/run.sh [--no-setup] [--vm | --no-vm] [--datapath=netdev|system]
#                     [--sanitize] [--jobs=N] [PATTERN...]
#   PATTERN       only the tests whose names contain one of them ("unit": the
#                 unit tests)
#   --vm          only the integration tests in the guest, on the kernel datapath
#                 (all of them, or those matching a PATTERN)
#   --no-vm       no guest
#   --datapath=D  the datapath of the integration tests run here (system needs
#                 the openvswitch module: this is how the guest runs them)
#   --sanitize    build ovs-vnet again with AddressSanitizer (leak checking
#                 on) and UndefinedBehaviorSanitizer, in a folder of its own,
#                 and run the unit and integration tests (not the guest's) on
#                 that build; a test whose programs report anything fails
#   --jobs=N      how many integration tests run at once on the userspace
#                 datapath (the machine's processors, two at most, by default;
#                 TEST_JOBS in the environment says the same)
# ovs-vnetd runs with --check-incremental (each change followed without a
# full run is followed by one all the same, which must change nothing);
# SANDBOX_CHECK_INCREMENTAL=0 in the environment runs it as users do.
# Without --vm or a PATTERN, the guest runs the tests that tests/vm/ci-tests
# lists (all of them would not fit the suite's time limit on 2 cores); "--vm"
# runs them all.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# Debian's programs, which tools/setup.sh installs, before any others (a
# python3 of another installation can take ten times as long to start, and
# the tests start it often).
export PATH=/usr/sbin:/usr/bin:/sbin:/bin:$PATH

setup=yes
filters=()
vm=default
datapath=netdev
sanitize=
jobs=
for arg; do
    case $arg in
        --no-setup) setup= ;;
        --vm) vm=only ;;
        --no-vm) vm=no ;;
        --datapath=*) datapath=${arg#--datapath=} ;;
        --sanitize) sanitize=yes; vm=no ;;
        --jobs=*) jobs=${arg#--jobs=} ;;
        -*) echo "unknown option $arg"; echo "0 passed, 1 failed"; exit 1 ;;
        *) filters+=("$arg") ;;
    esac
done

# list_of FILE: FILE's lines, without comments and blank lines.
list_of() {
    sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"
}

# selected NAME: NAME matches a pattern (or there are none).
selected() {
    local p
    [ ${#filters[@]} = 0 ] && return 0
    for p in "${filters[@]}"; do
        [[ $1 == *"$p"* ]] && return 0
    done
    return 1
}
# The kernel datapath here (in the guest, or on a host with the module): only
# the integration tests, nothing is built.
[ "$datapath" = netdev ] || vm=no
[ ${#filters[@]} != 0 ] && [ "$vm" = default ] && vm=no

if [ -n "$setup" ]; then
    bash tools/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi
if [ "$datapath" = netdev ]; then
    make -s -j"$(nproc)" tests/unit-tests >/dev/null || {
        echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
fi

passed=0
failed=0
failures=()
logdir=$(mktemp -d /tmp/ovs-vnet-tests.XXXXXX)
suite_start=$(date +%s)

# A run killed without its traps (the machine restarted under it) leaves its
# tests' namespaces and folders behind.  Those of a run no process is left
# of are removed here, and said; what is still there (a run that is alive)
# is not this run's to remove, nor to be blamed on it at the end.
# test_netns [PREFIX]: the namespaces of the tests' sandboxes (of one, PREFIX).
test_netns() {
    local prefix='vt[0-9a-f]{4}'
    ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${1:-$prefix}-"
}
for p in $({ test_netns | cut -d- -f1
             for d in /tmp/ovs-vnet.vt????.*; do
                 [ -d "$d" ] && basename "$d" | cut -d. -f2
             done; } | sort -u); do
    pgrep -f "/tmp/ovs-vnet\.$p\." >/dev/null && continue
    nss=$(test_netns "$p")
    for ns in $nss; do
        [ -n "$(ip netns pids "$ns" 2>/dev/null)" ] && continue 2
    done
    for ns in $nss; do
        ip netns del "$ns" && echo "removed namespace $ns, left by an earlier run"
    done
    rm -rf /tmp/ovs-vnet."$p".*
done
earlier_netns=$(test_netns || true)

# --sanitize: the same sources (tracked, and new ones not ignored), built
# again in a folder of their own with the sanitizers, against the same Open
# vSwitch build; the tests run those programs (VNET_BUILD), which write any
# report into $logdir/sanitizer.  With clang: its runtime writes
# UndefinedBehaviorSanitizer's reports there too (GCC's writes them to
# stderr, which a daemon has closed).
unit_tests=tests/unit-tests
san_reports=
if [ -n "$sanitize" ]; then
    san_build=$(mktemp -d /tmp/ovs-vnet-sanitize.XXXXXX)
    trap 'rm -rf "$san_build"' EXIT
    ovs_dir=$(sed -n 's/^OVS_BUILDDIR = //p' Makefile)
    san_flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined"
    san_flags+=" -fno-sanitize-recover=undefined"
    echo "sanitize: building in $san_build"
    if ! { git ls-files -z --cached --others --exclude-standard \
               | xargs -0 cp --parents -t "$san_build" 2>/dev/null
           cd "$san_build" \
           && autoreconf -fi >/dev/null 2>&1 \
           && ./configure -q --with-ovs-source="$ovs_dir" \
                  --with-ovs-build="$ovs_dir" CC=clang CXX=clang++ \
                  CFLAGS="$san_flags" \
                  CXXFLAGS="$san_flags" LDFLAGS="-fsanitize=address,undefined" \
           && make -s -j"$(nproc)" >/dev/null \
           && make -s -j"$(nproc)" tests/unit-tests >/dev/null; } \
           > "$logdir/sanitize-build.log" 2>&1; then
        cd "$top"
        cat "$logdir/sanitize-build.log"
        echo "sanitize: build failed"; echo "0 passed, 1 failed"; exit 1
    fi
    cd "$top"
    export VNET_BUILD=$san_build OVS_VNET_UDPTUN=$san_build/tools/ovs-vnet-udptun
    export SANDBOX_SANITIZE=1
    unit_tests=$san_build/tests/unit-tests
    san_reports=$logdir/sanitizer
    mkdir -p "$san_reports"
    export LSAN_OPTIONS="suppressions=$top/tests/sanitize.supp:print_suppressions=0"
fi

# sanitizer_to NAME: the sanitizers' reports of the programs started from
# here on go to a folder of NAME's own (tests running beside each other have
# theirs apart).  Every report goes into a file of its own; a program with
# one exits non-zero too.  Leaks are looked for when a program exits: the
# sandbox asks ovs-vnetd to exit rather than stopping it with a signal.
sanitizer_to() {
    [ -n "$san_reports" ] || return 0
    mkdir -p "$san_reports/$1"
    export ASAN_OPTIONS="log_path=$san_reports/$1/asan:detect_leaks=1:abort_on_error=0:detect_odr_violation=0"
    export UBSAN_OPTIONS="log_path=$san_reports/$1/ubsan:print_stacktrace=1:halt_on_error=1"
}
# sanitizer_reports NAME: prints the reports of NAME's programs; true if
# there were any.
sanitizer_reports() {
    [ -n "$san_reports" ] || return 1
    local files
    files=$(find "$san_reports/$1" -type f 2>/dev/null)
    [ -n "$files" ] || return 1
    # shellcheck disable=SC2086
    cat $files | sed 's/^/    | /' | head -60
}

# Unit tests: one googletest binary; its per-test results are counted.
if [ "$vm" != only ] && [ "$datapath" = netdev ] && selected unit; then
    sanitizer_to unit
    "$unit_tests" --gtest_brief=1 > "$logdir/unit.log" 2>&1
    n_ok=$(grep -oE '^\[  PASSED  \] [0-9]+' "$logdir/unit.log" | grep -oE '[0-9]+$')
    n_bad=$(grep -cE '^\[  FAILED  \] [A-Za-z]' "$logdir/unit.log")
    if ! grep -qE '^\[==========\] [0-9]+ tests? from' "$logdir/unit.log"; then
        n_bad=$((n_bad + 1))
        failures+=("unit-tests (did not run to completion)")
    fi
    passed=$((passed + ${n_ok:-0}))
    failed=$((failed + n_bad))
    if sanitizer_reports unit > "$logdir/unit.san"; then
        cat "$logdir/unit.san" >> "$logdir/unit.log"
        n_bad=$((n_bad + 1))
        failures+=("unit-tests (sanitizer)")
    fi
    echo "unit: ${n_ok:-0} passed, $n_bad failed"
    [ "$n_bad" = 0 ] || { cat "$logdir/unit.log"; failures+=("unit-tests"); }
fi

# The kernel datapath, in the guest: the guest runs this script with
# --datapath=system; its PASS/FAIL lines count here, named "system:...".  It
# runs before the integration tests here, on its own: beside them (at a lower
# priority, since those here measure time) it waited for the processor so
# much that the whole ran longer than one after the other (the guest's two
# tests took 154 s there against 77 s alone).  Its results are shown once
# those here are done.
vm_pid= vm_rc= vm_secs=
if [ "$vm" != no ]; then
    if [ "$vm" = only ]; then
        patterns=("${filters[@]}")
    else
        mapfile -t patterns < <(list_of tests/vm/ci-tests)
    fi
    printf 'exec bash tests/run.sh --no-setup --datapath=system --jobs=%s' \
        "${TEST_GUEST_JOBS:-1}" > "$logdir/vm-job"
    ((${#patterns[@]})) && printf ' %q' "${patterns[@]}" >> "$logdir/vm-job"
    echo >> "$logdir/vm-job"
    # Half an hour for the guest's share of the suite; every test (or a
    # long list) may take hours under emulation.
    vm_timeout=1800
    if [ "$vm" = only ] && { [ ${#patterns[@]} = 0 ] || [ ${#patterns[@]} -gt 8 ]; }; then
        vm_timeout=14400
    fi
    vm_start=$(date +%s)
    tests/vm/vm.sh run --timeout=$vm_timeout "$logdir/vm-job" > "$logdir/vm.log" 2>&1 &
    vm_pid=$!
    # Stopped early, the guest stops too.
    trap 'kill $vm_pid 2>/dev/null; exit 143' TERM
    trap 'kill $vm_pid 2>/dev/null; exit 130' INT
    if [ "$vm" != only ]; then
        echo "system: the guest's tests first"
        wait $vm_pid
        vm_rc=$?
        vm_secs=$(( $(date +%s) - vm_start ))
        trap - TERM INT         # (Its PID may be another process's now.)
    fi
fi

# Integration tests: every function test_* in tests/integration/*.sh, each in
# its own shell with its own sandbox and a time limit (longer on the kernel
# datapath, which runs in an emulated guest).  Most of a test's time is spent
# waiting (for the switches, the controller, pings), so on the userspace
# datapath two run at once where the machine has two processors or more
# (--jobs=N or $TEST_JOBS says how many).  Those that tests/integration/alone
# lists run afterwards, one at a time: they count echoes lost at a 10 ms
# interval, time a repair against a bound, or load the machine themselves.
# In the guest one at a time: its processors are emulated.
test_timeout=240
[ "$datapath" = system ] && test_timeout=600
if [ -z "$jobs" ] && [ "$datapath" = system ]; then
    jobs=1
elif [ -z "$jobs" ]; then
    jobs=${TEST_JOBS:-$(nproc)}
    [[ $jobs =~ ^[0-9]+$ ]] && [ "$jobs" -gt 2 ] && jobs=2
fi
[[ $jobs =~ ^[1-9][0-9]*$ ]] || { echo "--jobs: not a number: $jobs"; echo "0 passed, 1 failed"; exit 1; }
# The tests that run with no other beside them.
declare -A alone=()
while read -r a; do alone[$a]=1; done < <(list_of tests/integration/alone)

# run_test FILE FUNCTION NAME PREFIX: runs one test; leaves its exit status
# in $logdir/NAME.rc and prints its report in one piece once it is done.
run_test() {
    local file=$1 t=$2 name=$3 prefix=$4 id=${3/:/.} log start rc secs
    log=$logdir/$id
    start=$(date +%s)
    sanitizer_to "$id"
    SANDBOX_DATAPATH=$datapath SANDBOX_CHECK_INCREMENTAL=${SANDBOX_CHECK_INCREMENTAL:-1} \
    timeout -s TERM $test_timeout bash -c "
        set -euo pipefail
        . tests/lib/sandbox.sh
        . tests/lib/check.sh
        . '$file'
        sandbox_init $prefix
        CHECK_WAITS_RETURN=1
        $t
        wait_timed_out_check
        sandbox_check_logs \"\${ALLOWED_LOG_ERRORS:-}\"
    " > "$log.log" 2>&1
    rc=$?
    secs=$(( $(date +%s) - start ))
    if sanitizer_reports "$id" > "$log.san"; then
        echo "sanitizer reports:" >> "$log.log"
        cat "$log.san" >> "$log.log"
        [ $rc = 0 ] && rc=sanitizer
    fi
    if [ $rc = 0 ]; then
        echo "PASS $name (${secs}s)"
    else
        echo "FAIL $name (${secs}s, exit $rc)"
        sed "s/^/    | /" "$log.log" | tail -150
    fi > "$log.report"
    echo "$rc" > "$log.rc"
    flock "$logdir/report.lock" cat "$log.report"
}

# The tests running beside each other: their shells' PIDs.
running=()
# reap_one: waits for one of the running tests to end.
reap_one() {
    local done_pid= p still=()
    wait -n -p done_pid "${running[@]}"
    for p in "${running[@]}"; do
        [ "$p" = "$done_pid" ] || still+=("$p")
    done
    running=("${still[@]}")
}
# Stopped early, the running tests stop too (each one's sandbox cleans up).
stop_running() {
    local p
    for p in "${running[@]}"; do
        pkill -TERM -P "$p" 2>/dev/null
    done
}

if [ "$vm" != only ]; then
    names=() later=()
    base=$RANDOM
    trap 'stop_running; exit 143' TERM
    trap 'stop_running; exit 130' INT
    for file in tests/integration/*.sh; do
        for t in $(bash -c ". '$file'; declare -F" | awk '$3 ~ /^test_/ {print $3}'); do
            name="$(basename "$file" .sh):$t"
            selected "$name" || continue
            names+=("$name")
            # A prefix of its own for each test (those that run beside each
            # other cannot draw the same).
            prefix=vt$(printf '%04x' $(( (base + ${#names[@]}) % 65536 )))
            if [ -n "${alone[$name]:-}" ] && [ "$jobs" -gt 1 ]; then
                later+=("$file $t $name $prefix")
            elif [ "$jobs" -gt 1 ]; then
                while [ ${#running[@]} -ge "$jobs" ]; do reap_one; done
                run_test "$file" "$t" "$name" "$prefix" &
                running+=($!)
            else
                run_test "$file" "$t" "$name" "$prefix"
            fi
        done
    done
    while [ ${#running[@]} -gt 0 ]; do reap_one; done
    trap - TERM INT
    for job in "${later[@]}"; do
        # shellcheck disable=SC2086
        run_test $job
    done
    for name in "${names[@]}"; do
        rc=$(cat "$logdir/${name/:/.}.rc" 2>/dev/null || echo none)
        if [ "$rc" = 0 ]; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
            failures+=("$name")
        fi
    done
fi

if [ -n "$vm_pid" ]; then
    # guest_lines: its results and failures' output, named "system:...".
    guest_lines() {
        grep --line-buffered -E '^(PASS|FAIL) |^    \| |^guest: ' \
            | sed -u -E 's/^(PASS|FAIL) /\1 system:/'
    }
    if [ -z "$vm_rc" ]; then
        tail -n +1 -F --pid=$vm_pid "$logdir/vm.log" 2>/dev/null | guest_lines
        wait $vm_pid
        vm_rc=$?
        trap - TERM INT
    else
        guest_lines < "$logdir/vm.log"
    fi
    n_ok=$(grep -cE '^PASS ' "$logdir/vm.log")
    n_bad=$(grep -cE '^FAIL ' "$logdir/vm.log")
    passed=$((passed + n_ok))
    failed=$((failed + n_bad))
    while read -r name; do
        failures+=("system:$name")
    done < <(grep -E '^FAIL ' "$logdir/vm.log" | awk '{print $2}')
    # The guest's run ends with its own summary line; without it, the guest
    # did not finish.
    if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$logdir/vm.log" \
       || { [ $vm_rc != 0 ] && [ "$n_bad" = 0 ]; }; then
        failed=$((failed + 1))
        failures+=("system: the guest did not complete (exit $vm_rc)")
        echo "FAIL system: the guest did not complete (exit $vm_rc)"
        tail -30 "$logdir/vm.log" | sed 's/^/    | /'
    fi
    echo "system: $n_ok passed, $n_bad failed in the guest (${vm_secs:-$(( $(date +%s) - vm_start ))}s)"
fi


# Nothing may be left behind.
leftover=$(test_netns | grep -vxF -e "$earlier_netns" || true)
if [ -n "$leftover" ]; then
    failed=$((failed + 1))
    failures+=("cleanup: namespaces left behind: $leftover")
    echo "FAIL cleanup: namespaces left behind: $leftover"
fi

leftover=$(pgrep -af '/tmp/ovs-vnet\.vt[0-9a-f]{4}\.' || true)
if [ -n "$leftover" ]; then
    failed=$((failed + 1))
    failures+=("cleanup: processes left behind: $leftover")
    echo "FAIL cleanup: processes left behind: $leftover"
fi

rm -rf "$logdir"
for f in "${failures[@]}"; do echo "failed: $f"; done
echo "tests took $(( $(date +%s) - suite_start )) s (after the build)"
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
