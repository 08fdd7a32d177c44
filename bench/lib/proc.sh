# Shared by the benchmark scripts: what processes cost.

# proc_ticks PID...: the CPU time (user + system, in clock ticks) the
# processes have used so far; 0 for one that is gone.
proc_ticks() {
    local pid sum=0 t
    for pid; do
        t=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')
        sum=$((sum + ${t:-0}))
    done
    echo "$sum"
}

# cpu_ns PID: the CPU time every thread of the process has used so far, in
# nanoseconds (the scheduler's count, finer than the clock ticks).
cpu_ns() {
    cat /proc/"$1"/task/*/schedstat 2>/dev/null \
        | awk '{s += $1} END {printf "%.0f\n", s}'
}
