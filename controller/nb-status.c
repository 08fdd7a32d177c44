/* The status ovs-vnetd writes to the NB: each Switch row's, from its
 * session, and each Endpoint's, from the session that has it. */
#include <config.h>
#include "controller/nb-status.h"

#include <inttypes.h>
#include <string.h>

#include "controller/switch-session.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/vnet-idl.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nb_status);

/* What the endpoint status written to the NB follows: the NB itself and what
 * every session reports.  Never 0. */
uint64_t
nb_status_endpoint_key(struct ovsdb_idl *nb, const struct shash *sessions)
{
    uint64_t key = ovsdb_idl_get_seqno(nb);
    struct shash_node *node;
    SHASH_FOR_EACH (node, sessions) {
        key = key * 31 + switch_session_get_status_seqno(node->data);
    }
    key = key * 31 + shash_count(sessions);
    return key ? key : 1;
}

/* Writes what the sessions say of each endpoint into its NB row. */
void
nb_status_write_endpoints(struct ovsdb_idl *nb, const struct shash *sessions,
                          bool (*is_mine)(const char *switch_name))
{
    /* The switch of the last endpoint with one, whether it is ours, and its
     * session: endpoints of one switch mostly come together. */
    const struct vnetrec_switch *last_sw = NULL;
    bool last_mine = false;
    struct switch_session *last_ss = NULL;

    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, nb) {
        const struct switch_endpoint_status *st = NULL;
        const char *where = NULL;
        struct switch_session *ss = NULL;
        if (ep->switch_) {
            if (ep->switch_ != last_sw) {
                last_sw = ep->switch_;
                last_mine = is_mine(last_sw->name);
                last_ss = shash_find_data(sessions, last_sw->name);
            }
            if (!last_mine) {
                continue;       /* Another ovs-vnetd reports it. */
            }
            ss = last_ss;
            if (ss && !switch_session_is_settled(ss)) {
                continue;       /* What was reported stands for now. */
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

        if (!st && !ep->switch_ && ep->location
            && !is_mine(ep->location)) {
            continue;           /* Bound where another ovs-vnetd looks. */
        }
        /* Where it was reported, or where it is now: a session that does
         * not know yet leaves the report as it is. */
        const char *holder = where ? where : ep->location;
        bool at_switch = ep->switch_ && holder == ep->switch_->name;
        struct switch_session *hs = (at_switch ? ss
                                     : holder ? shash_find_data(sessions,
                                                                holder)
                                     : NULL);
        if (hs && !switch_session_is_settled(hs)) {
            continue;
        }
        int64_t ofport = st ? st->ofport : 0;
        bool up = st && st->up;
        const char *error = st ? st->error : NULL;
        if (ofport > 0 ? !ep->ofport || *ep->ofport != ofport : !!ep->ofport) {
            vnetrec_endpoint_set_ofport(ep, ofport > 0 ? &ofport : NULL,
                                        ofport > 0);
        }
        if (ep->up != up) {
            VLOG_INFO("endpoint %s: %s", ep->name, up ? "up" : "down");
            vnetrec_endpoint_set_up(ep, up);
        }
        const char *location = st && (ofport > 0 || error) ? where : NULL;
        if (!nullable_string_is_equal(ep->location, location)) {
            vnetrec_endpoint_set_location(ep, location);
        }
        if (!nullable_string_is_equal(ep->last_error, error)) {
            vnetrec_endpoint_set_last_error(ep, error);
        }
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
