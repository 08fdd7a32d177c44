/* The CPU time of the switches' full runs (controller/run-times.h). */
#include <config.h>
#include "controller/run-times.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "openvswitch/dynamic-string.h"
#include "unixctl.h"
#include "util.h"

static struct {
    unsigned long long n;       /* Runs since the last reset. */
    unsigned long long sum, min, max;
    unsigned long long kept[RUN_TIMES_KEPT];    /* The last ones, a ring. */
    unsigned long long started; /* The thread's CPU time at the start of
                                 * the run under way, or 0. */
} times;

/* The calling thread's CPU time so far, in microseconds (at least 1). */
static unsigned long long
thread_cpu_usec(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)) {
        return 1;
    }
    return ts.tv_sec * 1000000ULL + ts.tv_nsec / 1000 + 1;
}

void
run_times_start(void)
{
    times.started = thread_cpu_usec();
}

void
run_times_stop(void)
{
    if (!times.started) {
        return;
    }
    unsigned long long us = thread_cpu_usec() - times.started;
    times.started = 0;
    times.kept[times.n % RUN_TIMES_KEPT] = us;
    times.min = times.n ? MIN(times.min, us) : us;
    times.max = MAX(times.max, us);
    times.sum += us;
    times.n++;
}

static int
compare_ull(const void *a_, const void *b_)
{
    unsigned long long a = *(const unsigned long long *) a_;
    unsigned long long b = *(const unsigned long long *) b_;
    return a < b ? -1 : a > b;
}

static void
run_times_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
               const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    size_t n_kept = MIN(times.n, RUN_TIMES_KEPT);
    ds_put_format(&s, "full runs: %llu\n", times.n);
    if (times.n) {
        unsigned long long *sorted = xmemdup(times.kept,
                                             n_kept * sizeof *sorted);
        qsort(sorted, n_kept, sizeof *sorted, compare_ull);
        ds_put_format(&s, "least: %llu us\n", times.min);
        ds_put_format(&s, "mean: %llu us\n", times.sum / times.n);
        ds_put_format(&s, "most: %llu us\n", times.max);
        ds_put_format(&s, "median of the last %"PRIuSIZE": %llu us\n",
                      n_kept, sorted[n_kept / 2]);
        ds_put_format(&s, "95th percentile of the last %"PRIuSIZE": %llu us\n",
                      n_kept, sorted[MIN(n_kept - 1, n_kept * 95 / 100)]);
        free(sorted);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
run_times_reset(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    unsigned long long started = times.started;
    memset(&times, 0, sizeof times);
    times.started = started;
    unixctl_command_reply(conn, NULL);
}

void
run_times_init(void)
{
    static bool done;
    if (!done) {
        done = true;
        unixctl_command_register("run-times/show", "", 0, 0, run_times_show,
                                 NULL);
        unixctl_command_register("run-times/reset", "", 0, 0,
                                 run_times_reset, NULL);
    }
}
