/* Keeps the flows on one bridge equal to the desired flows of a struct
 * flow_units.
 *
 * The installer owns nothing on the switch but the flows with ovs-vnet's cookie
 * (flows/pipeline.h); others' flows and the flows learn() makes are left alone.
 * It keeps a mirror of what the switch has of ours.  When the desired flows
 * change, it compares only the flows that changed (the dirty marks of the
 * units) with the mirror and sends the difference as one atomic, ordered
 * OpenFlow bundle, then a barrier; once the barrier is answered, the mirror
 * takes the changes and the desired generation counts as installed.
 *
 * The mirror is made from a dump of the switch's flows (an audit) on every new
 * connection, so that a restarted ovs-vswitchd gets everything again and a
 * restarted controller changes nothing that is already right; after a bundle
 * the switch refused; and every few minutes.  In between, a flow monitor on
 * the connection reports changes that others make (not our own): a change to
 * one of our flows starts an audit at once, so flows deleted or changed behind
 * our back come back within a moment, without polling the switch.
 *
 * Life cycle: flow_installer_create() with the units it installs;
 * flow_installer_desired_changed() after a pass of the units changed them;
 * flow_installer_run()/wait() from the main loop; flow_installer_handle_msg()
 * with every message of the channel but packet-ins, decoded once by the
 * caller for its type. */
#ifndef VNET_INSTALLER_H
#define VNET_INSTALLER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/ofp-msgs.h"

#ifdef __cplusplus
extern "C" {
#endif

struct flow_units;
struct of_channel;
struct ofpbuf;

struct flow_installer_stats {
    uint64_t n_checks;          /* Audits: dumps compared with the desired
                                 * flows. */
    uint64_t n_bundles;         /* Bundles committed. */
    uint64_t n_adds;            /* Flows added or replaced. */
    uint64_t n_deletes;         /* Flows deleted. */
    uint64_t n_errors;          /* Errors the switch reported. */
    uint64_t n_foreign;         /* Changes to our flows by others. */
    unsigned int n_installed;   /* Our flows on the switch, as last known. */
};

/* 'desired' is not owned; it must outlive the installer. */
struct flow_installer *flow_installer_create(const char *name,
                                             struct of_channel *,
                                             struct flow_units *desired);
void flow_installer_destroy(struct flow_installer *);

/* The desired flows changed (a pass of the units): they become generation
 * 'generation'. */
void flow_installer_desired_changed(struct flow_installer *,
                                    uint64_t generation);

/* Makes the next step an audit, as the periodic one: the switch's flows
 * dumped and compared with the desired ones. */
void flow_installer_audit_now(struct flow_installer *);

/* Makes the next bundle also delete every flow learn() made (they may point
 * at a switch that is gone); they are learned again as traffic flows. */
void flow_installer_flush_learned(struct flow_installer *);

/* Until this is called, the installer reads the switch's flows but changes
 * nothing: the desired flows are not complete yet (the switch's ports are
 * not known). */
void flow_installer_set_desired_ready(struct flow_installer *);

void flow_installer_run(struct flow_installer *);
void flow_installer_wait(struct flow_installer *);
void flow_installer_handle_msg(struct flow_installer *, enum ofptype,
                               const struct ofp_header *);

/* The generation known to be on the switch (0: none yet), and whether it is
 * the latest one given. */
uint64_t flow_installer_get_installed(const struct flow_installer *);
bool flow_installer_is_synced(const struct flow_installer *);

/* True if the switch is known to hold the flows of generation 'gen' (or of a
 * later one): connected, its table audited since it connected, and a
 * generation at least 'gen' installed.  Unlike flow_installer_is_synced(),
 * it stays true while a later generation is on its way. */
bool flow_installer_holds(const struct flow_installer *, uint64_t gen);

/* True once the switch's table has been read back (audited) at least once,
 * on any connection. */
bool flow_installer_has_audited(const struct flow_installer *);

/* Why the last bundle or audit failed (NULL: it did not), and the generation
 * it was for. */
const char *flow_installer_get_error(const struct flow_installer *);
uint64_t flow_installer_get_error_gen(const struct flow_installer *);

void flow_installer_get_stats(const struct flow_installer *,
                              struct flow_installer_stats *);

/* Decoding what the switch sends (pure: for the installer, its tests and
 * fuzzing). */
struct ofp_header;
struct flow_table;

/* Adds to 'dumped' the flows of ours (by cookie; not those learn() made) of
 * flow stats reply 'oh'.  Returns 0, or an OpenFlow error if the reply is
 * malformed (the flows before the bad one are added). */
int flow_dump_decode(const struct ofp_header *oh, struct flow_table *dumped);

/* What a flow monitor reply says of our flows ('mirror': those we know). */
struct flow_updates_result {
    size_t n_ours;              /* Changes to our flows (by cookie, or in the
                                 * place of a flow of 'mirror'). */
    const char *last_event;     /* "added", "deleted" or "changed". */
    bool paused;                /* The switch stopped sending updates. */
};
int flow_updates_decode(const struct ofp_header *oh,
                        const struct flow_table *mirror,
                        struct flow_updates_result *);

#ifdef __cplusplus
}
#endif

#endif /* flows/installer.h */
