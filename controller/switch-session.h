/* One switch, as ovs-vnetd drives it.
 *
 * A session owns an OVSDB session to the switch's Open_vSwitch database (with
 * reconnect and backoff, from the OVS IDL) and the OpenFlow channel the switch's
 * bridge connects to.  Each run it reconciles the switch database (controller/switch-db)
 * and gathers the facts the NB status is made from.
 *
 * When its NB row goes away the session is released: it deletes our bridges from
 * the switch (nothing else), closes the channel, and then reports itself done. */
#ifndef VNET_SWITCH_SESSION_H
#define VNET_SWITCH_SESSION_H 1

#include <stdbool.h>
#include <stdint.h>

#include "smap.h"

struct switch_session_config {
    const char *remote;         /* OVSDB remote of the switch. */
    const char *bridge;         /* Integration bridge name. */
    const char *datapath_type;  /* Resolved: "system" or "netdev". */
    bool datapath_auto;         /* Chosen, not configured: give way to what
                                 * the switch supports. */
    const char *rundir;         /* The switch's run directory. */
    const char *relay_key;      /* Of the UDP relay's datagrams, or NULL. */
    const char *error;          /* The NB row is invalid (then nothing else
                                 * is used), or NULL. */
    const char *release_underlay;       /* For a switch released without its
                                         * NB row: the interface whose IP
                                         * may be on the underlay bridge, or
                                         * NULL. */
};

struct switch_session_status {
    bool connected;
    bool db_connected;          /* To the switch's database (whether or not
                                 * its OpenFlow channel is). */
    bool in_sync;               /* Connected, and nothing left to change; */
    const char *waiting_for;    /* if not, what is still to come. */
    char *last_error;           /* NULL when connected. */
    char *of_state;
    char *datapath_id;          /* 16 hex digits, or NULL. */
    bool config_refused;        /* What the NB asks of the switch cannot be
                                 * done: its row is invalid, or its tunnels
                                 * cannot be made (last_error says why). */
    bool flows_refused;         /* The switch refused the flows of the
                                 * database as it is now. */
    struct smap details;        /* For the NB "status" column. */
};

/* What a session reports of one endpoint it serves. */
struct switch_endpoint_status {
    int64_t ofport;             /* 0: not bound. */
    bool up;                    /* Bound and its flows installed. */
    const char *error;          /* Or NULL. */
};

struct nb_news;
struct ovsdb_idl;
struct simap;

struct switch_session *switch_session_create(const char *name);
void switch_session_destroy(struct switch_session *);
/* The same, but leaving the switch to another controller: its UDP relay, if
 * any, keeps running (to be adopted). */
void switch_session_abandon(struct switch_session *);

const char *switch_session_get_name(const struct switch_session *);

/* A number no other session of this process had. */
unsigned int switch_session_get_serial(const struct switch_session *);

/* A session that watches, as a standby ovs-vnetd's do: it follows the NB and
 * the switch's database and computes the flows the switch must have, but
 * changes nothing (no OpenFlow channel, no write to the switch's database,
 * no device, address or relay touched), so that taking over costs little.
 * switch_session_take_over() makes it drive the switch. */
void switch_session_watch(struct switch_session *);
void switch_session_take_over(struct switch_session *);
bool switch_session_is_watching(const struct switch_session *);

/* Applies 'cfg' (copied).  A new remote restarts the OVSDB session. */
void switch_session_set_config(struct switch_session *,
                               const struct switch_session_config *cfg);

/* Starts releasing the switch; switch_session_is_released() says when done. */
void switch_session_release(struct switch_session *);
bool switch_session_is_releasing(const struct switch_session *);
bool switch_session_is_released(const struct switch_session *);

/* Makes progress; 'nb' is the NB database (networks and endpoints are read
 * from it), 'news' what changed in it (nb-news.h: its 'seqno' moves when it
 * changes in what a full run reads; its row versions say which endpoints
 * changed). */
void switch_session_run(struct switch_session *, struct ovsdb_idl *nb,
                        const struct nb_news *news);
void switch_session_wait(struct switch_session *);

/* Has the next switch_session_run() recompute from scratch: a full run that
 * works every endpoint row and interface out again from the rows
 * themselves, not from what was kept of them, and generates the flows
 * whole; then an audit of the switch's flow table (dump and compare).  For
 * an operator who suspects that what is followed change by change has gone
 * astray. */
void switch_session_recompute(struct switch_session *);

/* Adds the session's memory usage to 'usage' (memory/show): "flow-entries",
 * the desired flows it keeps (those the installer has yet to remove
 * included). */
void switch_session_get_memory_usage(const struct switch_session *,
                                     struct simap *usage);

/* The status of endpoint 'name' if this session serves it (an endpoint created
 * on this switch, or a logical port bound on it), else NULL. */
const struct switch_endpoint_status *switch_session_get_endpoint(
    const struct switch_session *, const char *name);

/* False while the session does not know yet what the switch holds: from its
 * start until the switch's flows have been read back once (or a while has
 * passed without the switch).  Until then, what an earlier ovs-vnetd reported
 * of the endpoints (up, vnet-installed) stands: a restart does not take every
 * endpoint down and up again. */
bool switch_session_is_settled(const struct switch_session *);

/* The endpoints whose status (switch_session_get_endpoint()) changed since
 * the last switch_session_clear_status_changes(), or that the session no
 * longer serves. */
const struct sset *switch_session_get_status_changes(
    const struct switch_session *);
void switch_session_clear_status_changes(struct switch_session *);

/* Formats the session's desired flows (for unixctl), malloc'd. */
char *switch_session_format_flows(const struct switch_session *);

/* Fills 'st'; free it with switch_session_status_destroy(). */
void switch_session_get_status(const struct switch_session *,
                               struct switch_session_status *st);
void switch_session_status_destroy(struct switch_session_status *);

#endif /* controller/switch-session.h */
