/* The CPU time of the switches' full runs: what one change of the NB or of
 * a switch costs ovs-vnetd.
 *
 * "ovs-appctl -t ovs-vnetd run-times/show" prints how many full runs there
 * were since the start (or "run-times/reset"), the least, the mean and the
 * most, and the median and 95th percentile of the last RUN_TIMES_KEPT, in
 * microseconds of the thread's CPU time (a run that waits for the CPU counts
 * only what it used).  (Open vSwitch's stopwatch module would do it, but
 * runs a thread of its own, and a process with threads may not start
 * programs through lib/process.c, as the relay is started.) */
#ifndef VNET_RUN_TIMES_H
#define VNET_RUN_TIMES_H 1

#ifdef __cplusplus
extern "C" {
#endif

#define RUN_TIMES_KEPT 1024

/* Registers the unixctl commands (once). */
void run_times_init(void);

/* Marks the start and the end of a full run. */
void run_times_start(void);
void run_times_stop(void);

#ifdef __cplusplus
}
#endif

#endif /* controller/run-times.h */
