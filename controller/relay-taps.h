/* The UDP relay's tap devices in a switch's namespace, looked after: taps no
 * longer wanted are deleted, and taps that went away behind our back are
 * plugged in again.
 *
 * On the kernel datapath the relay makes its taps, persistent, and they
 * outlive it: one that is neither a relay peer's in the plan nor a port of
 * ours, for RELAY_TAPS_STALE_MS (time for ovs-vswitchd to let go of a port
 * removed), is deleted.  A sweep lists the taps of the switch's namespace; it
 * runs when a relay tap's port is removed (relay_taps_sweep_soon()), when a
 * tap comes due, and every 30 s (for taps that an ovs-vnetd killed half-way
 * left behind).
 *
 * On either datapath, a tap that is a port of the switch but is no longer in
 * its namespace (someone deleted it) leaves the relay reading nothing: the
 * relay is restarted, and the port is taken out of the switch and then added
 * again, so that the tap is made anew (by ovs-vswitchd on the netdev
 * datapath, by the relay on the kernel datapath).  Taps are looked for every
 * 2 s while the relay runs. */
#ifndef CONTROLLER_RELAY_TAPS_H
#define CONTROLLER_RELAY_TAPS_H 1

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct sset;
struct switch_db_binding;
struct tunnel_plan;

#define RELAY_TAPS_STALE_MS 1500

/* What a run reads. */
struct relay_taps_ctx {
    int netns_fd;               /* The switch's namespace, or -1: unknown. */
    bool db_ready;              /* The switch database was read, and no
                                 * transaction is on its way. */
    bool owns_taps;             /* The relay makes its taps (kernel
                                 * datapath). */
    bool relay_running;
    const struct tunnel_plan *plan;
    /* The switch's interfaces, as the last reconcile found them. */
    const struct switch_db_binding *bindings;
    size_t n_bindings;
};

struct relay_taps *relay_taps_create(const char *switch_name);
void relay_taps_destroy(struct relay_taps *);

/* A relay tap's port went, or the switch is being released: sweep at the
 * next run. */
void relay_taps_sweep_soon(struct relay_taps *);

/* Sweeps and checks, when due.  Returns true if a tap went away behind our
 * back: then the caller stops the relay and runs its reconciliation again
 * (with the tap left out, see relay_taps_unplugged()). */
bool relay_taps_run(struct relay_taps *, const struct relay_taps_ctx *);
void relay_taps_wait(const struct relay_taps *, const struct relay_taps_ctx *);

/* True if the last sweep left no tap to delete. */
bool relay_taps_swept(const struct relay_taps *);

/* Taps to leave out of the switch's ports now, so that their ports go and
 * come back.  'in_use': the names of the switch's ports of ours and of those
 * removed too recently for ovs-vswitchd to have let go; a tap not among them
 * is plugged in again from then on. */
const struct sset *relay_taps_unplugged(struct relay_taps *,
                                        const struct sset *in_use);
/* Whether any tap is left out now (else relay_taps_unplugged() does not
 * read its 'in_use'). */
bool relay_taps_any_unplugged(const struct relay_taps *);

#ifdef __cplusplus
}
#endif

#endif /* controller/relay-taps.h */
