/* The UDP relay's process, one per switch whose tunnels go through it
 * (tools/ovs-vnet-udptun): started with the arguments its switch's tunnel
 * plan asks for, stopped and started again when they change, and reaped. */
#ifndef VNET_RELAY_H
#define VNET_RELAY_H 1

#include <stdbool.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tunnel_plan;

/* The relay process of one switch. */
struct relay *relay_create(const char *switch_name);
void relay_destroy(struct relay *);    /* Also stops the process. */
void relay_forget(struct relay *);     /* Leaves the process running. */

/* The relays no relay follows any more (their switches' relays destroyed or
 * forgotten), reaped once they exit, killed if stopped and still running
 * after a while: from the main loop. */
void relay_orphans_run(void);
void relay_orphans_wait(void);

/* The arguments the relay must run with for 'plan' (peers, local address,
 * the id of its key, the namespace of process 'switch_pid'; its own
 * persistent taps if
 * 'own_taps', else the switch's), or NULL if no relay is needed or
 * 'switch_pid' is unknown (0) (caller frees). */
char *relay_args(const struct tunnel_plan *, pid_t switch_pid, bool own_taps);

/* True if the relay runs, with 'args'; for 'args' NULL (no relay wanted),
 * true if it does not run. */
bool relay_runs_with(const struct relay *, const char *args);
bool relay_is_running(const struct relay *);

/* True if the relay runs and has written its pidfile, which it does once
 * its socket and taps are open: what the switch sends it from then on is
 * carried. */
bool relay_is_ready(const struct relay *);

/* Stops the relay.  Its taps disappear: remove their ports first. */
void relay_stop(struct relay *);

/* Starts the relay with 'args' (files in 'rundir', among them one with 'key',
 * readable only by us) unless it runs or was just stopped; a relay left by an
 * earlier ovs-vnetd is stopped first.  Logs and reaps one that died. */
void relay_run(struct relay *, const char *args, const char *rundir,
               const char *key);
void relay_wait(struct relay *);

#ifdef __cplusplus
}
#endif

#endif /* controller/relay.h */
