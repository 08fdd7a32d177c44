/* The status ovs-vnetd writes to the NB: each Switch row's, from its
 * session, and each Endpoint's, from the session that has it. */
#include <config.h>
#include "controller/nb-status.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include "controller/desired-flows.h"
#include "controller/idl-changes.h"
#include "controller/switch-session.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/vnet-idl.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nb_status);

/* Every endpoint's status is looked at again this often, whatever the
 * changes say: a client that overwrites what ovs-vnetd writes (the status
 * columns come without change notices) finds it put back. */
#define FULL_WRITE_MS 5000

void
nb_status_endpoints_init(struct nb_status_endpoints *w, struct ovsdb_idl *nb)
{
    w->by_name = ovsdb_idl_index_create1(nb, &vnetrec_endpoint_col_name);
    sset_init(&w->changed);
    w->full = true;
    w->idl_seqno = 0;
    w->sessions_key = 0;
    w->next_full = LLONG_MIN;
}

void
nb_status_endpoints_destroy(struct nb_status_endpoints *w)
{
    sset_destroy(&w->changed);
}

void
nb_status_endpoints_note(struct nb_status_endpoints *w, struct ovsdb_idl *nb)
{
    enum idl_news news = idl_changes_since(nb, &w->idl_seqno);
    if (news == IDL_NEWS_NONE || w->full) {
        return;
    }
    /* A change of the switches (which ones there are, their names) moves
     * where endpoints are reported from; a change not tracked (a new
     * connection's first reply) may be anything. */
    if (news == IDL_NEWS_UNTRACKED || vnetrec_switch_track_get_first(nb)) {
        w->full = true;
        sset_clear(&w->changed);
        return;
    }
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH_TRACKED (ep, nb) {
        if (!vnetrec_endpoint_is_deleted(ep)) {
            sset_add(&w->changed, ep->name);
        }
    }
}

void
nb_status_endpoints_invalidate(struct nb_status_endpoints *w)
{
    w->full = true;
    sset_clear(&w->changed);
}

/* Which sessions there are and which of them have settled. */
static uint64_t
sessions_key(const struct shash *sessions)
{
    uint64_t key = shash_count(sessions);
    struct shash_node *node;
    SHASH_FOR_EACH (node, sessions) {
        key = key * 31 + switch_session_get_serial(node->data);
        key = key * 31 + switch_session_is_settled(node->data);
    }
    return key;
}

/* The switch of the last endpoint written with one, whether it is ours, and
 * its session: endpoints of one switch mostly come together. */
struct last_switch {
    const struct vnetrec_switch *sw;
    bool mine;
    struct switch_session *ss;
};

/* Writes what the sessions say of endpoint 'ep' into its row.  Returns true
 * if that changed the row. */
static bool
write_endpoint(const struct vnetrec_endpoint *ep,
               const struct shash *sessions,
               bool (*is_mine)(const char *switch_name),
               struct last_switch *last)
{
    const struct switch_endpoint_status *st = NULL;
    const char *where = NULL;
    struct switch_session *ss = NULL;
    if (ep->switch_) {
        if (ep->switch_ != last->sw) {
            last->sw = ep->switch_;
            last->mine = is_mine(last->sw->name);
            last->ss = shash_find_data(sessions, last->sw->name);
        }
        if (!last->mine) {
            return false;       /* Another ovs-vnetd reports it. */
        }
        ss = last->ss;
        if (ss && !switch_session_is_settled(ss)) {
            return false;       /* What was reported stands for now. */
        }
        st = ss ? switch_session_get_endpoint(ss, ep->name) : NULL;
        where = ep->switch_->name;
    }
    if (!st) {
        /* A logical port: wherever it is plugged in. */
        struct shash_node *node;
        SHASH_FOR_EACH (node, sessions) {
            const struct switch_endpoint_status *s
                = switch_session_get_endpoint(node->data, ep->name);
            if (s && (!st || (s->ofport && !st->ofport))) {
                st = s;
                where = node->name;
            }
        }
    }

    if (!st && !ep->switch_ && ep->location && !is_mine(ep->location)) {
        return false;           /* Bound where another ovs-vnetd looks. */
    }
    /* Where it was reported, or where it is now: a session that does not
     * know yet leaves the report as it is. */
    const char *holder = where ? where : ep->location;
    bool at_switch = ep->switch_ && holder == ep->switch_->name;
    struct switch_session *hs = (at_switch ? ss
                                 : holder ? shash_find_data(sessions, holder)
                                 : NULL);
    if (hs && !switch_session_is_settled(hs)) {
        return false;
    }
    int64_t ofport = st ? st->ofport : 0;
    bool up = st && st->up;
    const char *error = st ? st->error : NULL;
    bool wrote = false;
    if (ofport > 0 ? !ep->ofport || *ep->ofport != ofport : !!ep->ofport) {
        vnetrec_endpoint_set_ofport(ep, ofport > 0 ? &ofport : NULL,
                                    ofport > 0);
        wrote = true;
    }
    if (ep->up != up) {
        VLOG_INFO("endpoint %s: %s", ep->name, up ? "up" : "down");
        vnetrec_endpoint_set_up(ep, up);
        wrote = true;
    }
    const char *location = st && (ofport > 0 || error) ? where : NULL;
    if (!nullable_string_is_equal(ep->location, location)) {
        vnetrec_endpoint_set_location(ep, location);
        wrote = true;
    }
    if (!nullable_string_is_equal(ep->last_error, error)) {
        vnetrec_endpoint_set_last_error(ep, error);
        wrote = true;
    }
    return wrote;
}

/* Writes endpoint 'name''s row, if there is one. */
static void
write_endpoint_by_name(struct nb_status_endpoints *w, const char *name,
                       const struct shash *sessions,
                       bool (*is_mine)(const char *switch_name),
                       struct last_switch *last)
{
    struct vnetrec_endpoint *key = vnetrec_endpoint_index_init_row(w->by_name);
    vnetrec_endpoint_index_set_name(key, name);
    const struct vnetrec_endpoint *ep = vnetrec_endpoint_index_find(w->by_name,
                                                                    key);
    vnetrec_endpoint_index_destroy_row(key);
    if (ep) {
        write_endpoint(ep, sessions, is_mine, last);
    }
}

bool
nb_status_write_endpoints(struct nb_status_endpoints *w, struct ovsdb_idl *nb,
                          struct shash *sessions,
                          bool (*is_mine)(const char *switch_name))
{
    long long int now = time_msec();
    uint64_t key = sessions_key(sessions);
    bool full = w->full || key != w->sessions_key || now >= w->next_full;
    struct last_switch last = { .sw = NULL };
    struct shash_node *node;
    if (full) {
        const struct vnetrec_endpoint *ep;
        VNETREC_ENDPOINT_FOR_EACH (ep, nb) {
            write_endpoint(ep, sessions, is_mine, &last);
        }
        w->full = false;
        w->sessions_key = key;
        w->next_full = now + FULL_WRITE_MS;
    } else {
        const char *name;
        SSET_FOR_EACH (name, &w->changed) {
            write_endpoint_by_name(w, name, sessions, is_mine, &last);
        }
        SHASH_FOR_EACH (node, sessions) {
            SSET_FOR_EACH (name, switch_session_get_status_changes(node->data)) {
                if (!sset_contains(&w->changed, name)) {
                    write_endpoint_by_name(w, name, sessions, is_mine, &last);
                }
            }
        }
        if (desired_flows_checking()) {
            /* The test mode: a write of every endpoint finds nothing more
             * to write. */
            const struct vnetrec_endpoint *ep;
            VNETREC_ENDPOINT_FOR_EACH (ep, nb) {
                if (write_endpoint(ep, sessions, is_mine, &last)) {
                    VLOG_ERR("endpoint %s: its status written from the "
                             "changes differs from a write of every "
                             "endpoint", ep->name);
                }
            }
        }
    }
    sset_clear(&w->changed);
    SHASH_FOR_EACH (node, sessions) {
        switch_session_clear_status_changes(node->data);
    }
    return full;
}

void
nb_status_endpoints_wait(const struct nb_status_endpoints *w)
{
    /* (Once due, the next write is: it waits for a transaction, whose
     * reply wakes the loop.) */
    if (w->next_full > time_msec()) {
        poll_timer_wait_until(w->next_full);
    }
}

/* Writes the status of every session into its NB row, where it changed. */
void
nb_status_write_switches(struct ovsdb_idl *nb, const struct shash *sessions,
                         int64_t nb_cfg, const char *identity)
{
    const struct vnetrec_switch *row;
    VNETREC_SWITCH_FOR_EACH (row, nb) {
        struct switch_session *ss = shash_find_data(sessions, row->name);
        if (!ss) {
            continue;
        }

        struct switch_session_status st;
        switch_session_get_status(ss, &st);
        if (row->connected != st.connected) {
            VLOG_INFO("switch %s: %s", row->name,
                      st.connected ? "connected" : "disconnected");
            vnetrec_switch_set_connected(row, st.connected);
        }
        if (!nullable_string_is_equal(row->datapath_id, st.datapath_id)) {
            vnetrec_switch_set_datapath_id(row, st.datapath_id);
        }
        if (strcmp(row->of_state, st.of_state)) {
            vnetrec_switch_set_of_state(row, st.of_state);
        }
        if (!nullable_string_is_equal(row->last_error, st.last_error)) {
            vnetrec_switch_set_last_error(row, st.last_error);
        }
        /* What --wait looks for: the change up to nb_cfg cannot be
         * applied, since the switch refuses its flows, or what the NB asks
         * of it cannot be done. */
        if (st.flows_refused || st.config_refused) {
            smap_add_format(&st.details, VNET_STATUS_FAILED_CFG, "%"PRId64, nb_cfg);
        }
        smap_add(&st.details, VNET_STATUS_CONTROLLER, identity);
        if (!smap_equal(&row->status, &st.details)) {
            vnetrec_switch_set_status(row, &st.details);
        }
        if (st.in_sync && row->applied_cfg != nb_cfg) {
            vnetrec_switch_set_applied_cfg(row, nb_cfg);
        }
        switch_session_status_destroy(&st);
    }
}
