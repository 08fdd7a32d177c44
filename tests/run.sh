#!/bin/bash
# Runs the whole ovs-vnet test suite: installs and builds what it needs
# (tools/setup.sh, idempotent), then the googletest unit tests and the integration
# tests on sandboxed switches.  Ends with "N passed, M failed"; exits non-zero on
# any failure.
#
# Usage: tests/run.sh [--no-setup] [PATTERN]   (PATTERN filters test names)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

setup=yes
filter=
for arg; do
    case $arg in
        --no-setup) setup= ;;
        *) filter=$arg ;;
    esac
done

if [ -n "$setup" ]; then
    bash tools/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
fi
make -s -j"$(nproc)" tests/unit-tests >/dev/null || {
    echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

passed=0
failed=0
failures=()
logdir=$(mktemp -d /tmp/ovs-vnet-tests.XXXXXX)

# Unit tests: one googletest binary; its per-test results are counted.
if [ -z "$filter" ] || [ "$filter" = unit ]; then
    tests/unit-tests --gtest_brief=1 > "$logdir/unit.log" 2>&1
    n_ok=$(grep -oE '^\[  PASSED  \] [0-9]+' "$logdir/unit.log" | grep -oE '[0-9]+$')
    n_bad=$(grep -cE '^\[  FAILED  \] [A-Za-z]' "$logdir/unit.log")
    if ! grep -qE '^\[==========\] [0-9]+ tests? from' "$logdir/unit.log"; then
        n_bad=$((n_bad + 1))
        failures+=("unit-tests (did not run to completion)")
    fi
    passed=$((passed + ${n_ok:-0}))
    failed=$((failed + n_bad))
    echo "unit: ${n_ok:-0} passed, $n_bad failed"
    [ "$n_bad" = 0 ] || { cat "$logdir/unit.log"; failures+=("unit-tests"); }
fi

# Integration tests: every function test_* in tests/integration/*.sh, each in
# its own shell with its own sandbox and a time limit.
for file in tests/integration/*.sh; do
    for t in $(bash -c ". '$file'; declare -F" | awk '$3 ~ /^test_/ {print $3}'); do
        name="$(basename "$file" .sh):$t"
        [ -n "$filter" ] && [ "$filter" != unit ] && [[ $name != *$filter* ]] && continue
        prefix=vt$(printf '%04x' $((RANDOM % 65536)))
        start=$(date +%s)
        timeout -s TERM 240 bash -c "
            set -euo pipefail
            . tests/lib/sandbox.sh
            . tests/lib/check.sh
            . '$file'
            sandbox_init $prefix
            $t
            sandbox_check_logs \"\${ALLOWED_LOG_ERRORS:-}\"
        " > "$logdir/$t.log" 2>&1
        rc=$?
        secs=$(( $(date +%s) - start ))
        if [ $rc = 0 ]; then
            passed=$((passed + 1))
            echo "PASS $name (${secs}s)"
        else
            failed=$((failed + 1))
            failures+=("$name")
            echo "FAIL $name (${secs}s, exit $rc)"
            sed 's/^/    | /' "$logdir/$t.log" | tail -40
        fi
    done
done

# Nothing may be left behind.
leftover=$(ip netns list 2>/dev/null | awk '{print $1}' | grep -E '^vt[0-9a-f]{4}-' || true)
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
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
