/* The status ovs-vnetd writes to the NB. */
#ifndef VNET_NB_STATUS_H
#define VNET_NB_STATUS_H 1

#include <stdbool.h>
#include <stdint.h>

#include "sset.h"

struct ovsdb_idl;
struct ovsdb_idl_index;
struct shash;

/* The endpoint status written to the NB (up, ofport, location, last_error)
 * follows the NB's Endpoint rows and what every session reports of its
 * endpoints.  A write looks at the endpoints whose rows changed since the
 * last (nb_status_endpoints_note()) and those whose status a session changed
 * (switch_session_get_status_changes()); at every one after a change of the
 * switches or of the sessions (which there are, which have settled), after a
 * write was lost, and every few seconds. */
struct nb_status_endpoints {
    struct ovsdb_idl_index *by_name;    /* Endpoint rows by name. */
    struct sset changed;        /* Endpoints whose rows changed. */
    bool full;                  /* Every endpoint at the next write. */
    unsigned int idl_seqno;     /* The NB's, as last noted. */
    uint64_t sessions_key;      /* The sessions at the last write. */
    long long int next_full;    /* When every endpoint is looked at again. */
};

/* Between ovsdb_idl_create() of 'nb' and its first run. */
void nb_status_endpoints_init(struct nb_status_endpoints *,
                              struct ovsdb_idl *nb);
void nb_status_endpoints_destroy(struct nb_status_endpoints *);

/* Notes the NB's tracked changes: after every run of 'nb', before its
 * tracked changes are cleared, whether or not a write follows. */
void nb_status_endpoints_note(struct nb_status_endpoints *,
                              struct ovsdb_idl *nb);

/* The last write may have been lost: the next looks at every endpoint. */
void nb_status_endpoints_invalidate(struct nb_status_endpoints *);

/* Writes what the sessions of 'sessions' (name -> struct switch_session) say
 * of the endpoints, as above, into their NB rows, for those of the switches
 * 'is_mine' says this ovs-vnetd drives, and empties the sessions' status
 * changes.  Returns true if it looked at every endpoint. */
bool nb_status_write_endpoints(struct nb_status_endpoints *,
                               struct ovsdb_idl *nb, struct shash *sessions,
                               bool (*is_mine)(const char *switch_name));
void nb_status_endpoints_wait(const struct nb_status_endpoints *);

/* Writes the status of every session into its NB Switch row, where it
 * changed: 'nb_cfg' is the NB's configuration these sessions ran with,
 * 'identity' the controller's ("HOST pid PID"). */
void nb_status_write_switches(struct ovsdb_idl *nb,
                              const struct shash *sessions, int64_t nb_cfg,
                              const char *identity);

#endif /* controller/nb-status.h */
