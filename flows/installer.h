/* Keeps the flows on one bridge equal to a desired flow table.
 *
 * The installer owns nothing on the switch but the flows with ovs-vnet's cookie
 * (flows/pipeline.h); others' flows and the flows learn() makes are left alone.
 * Its cycle: dump our flows (flow stats filtered by cookie), diff them with the
 * desired table, send only the difference as one atomic, ordered OpenFlow bundle
 * (deletes, then adds), then a barrier; once the barrier is answered, the
 * desired generation counts as installed.  The dump is repeated every few
 * seconds and after every reconnect, so flows deleted behind our back come back,
 * a restarted ovs-vswitchd gets everything again, and a restarted controller
 * changes nothing that is already right.
 *
 * Life cycle: flow_installer_create(); flow_installer_set_desired() whenever
 * the wanted flows change; flow_installer_run()/wait() from the main loop;
 * flow_installer_handle_msg() with every message of the channel. */
#ifndef VNET_INSTALLER_H
#define VNET_INSTALLER_H 1

#include <stdbool.h>
#include <stdint.h>

struct flow_table;
struct of_channel;
struct ofpbuf;

struct flow_installer_stats {
    uint64_t n_checks;          /* Dumps compared with the desired table. */
    uint64_t n_bundles;         /* Bundles committed. */
    uint64_t n_adds;            /* Flows added or replaced. */
    uint64_t n_deletes;         /* Flows deleted. */
    uint64_t n_errors;          /* Errors the switch reported. */
    unsigned int n_installed;   /* Our flows on the switch at the last check
                                 * or commit. */
};

struct flow_installer *flow_installer_create(const char *name,
                                             struct of_channel *);
void flow_installer_destroy(struct flow_installer *);

/* Replaces the desired flows by those in 'desired' (which is left empty) for
 * generation 'generation'. */
void flow_installer_set_desired(struct flow_installer *,
                                struct flow_table *desired,
                                uint64_t generation);

/* Makes the next bundle also delete every flow learn() made (they may point
 * at a switch that is gone); they are learned again as traffic flows. */
void flow_installer_flush_learned(struct flow_installer *);

void flow_installer_run(struct flow_installer *);
void flow_installer_wait(struct flow_installer *);
void flow_installer_handle_msg(struct flow_installer *, const struct ofpbuf *);

/* The generation known to be on the switch (0: none yet), and whether it is
 * the latest one given. */
uint64_t flow_installer_get_installed(const struct flow_installer *);
bool flow_installer_is_synced(const struct flow_installer *);

const char *flow_installer_get_error(const struct flow_installer *);
void flow_installer_get_stats(const struct flow_installer *,
                              struct flow_installer_stats *);

#endif /* flows/installer.h */
