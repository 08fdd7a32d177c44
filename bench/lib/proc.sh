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
