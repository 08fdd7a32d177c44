/* How a switch stands: the status ovs-vnetd writes to the NB for it and for
 * its endpoints, from the state of its session. */
#include <config.h>
#include "controller/switch-session.h"
#include "controller/switch-session-private.h"

#include <inttypes.h>
#include <stdlib.h>

#include "controller/attach.h"
#include "controller/binding.h"
#include "controller/status.h"
#include "controller/switch-db.h"
#include "controller/underlay.h"
#include "flows/flow-table.h"
#include "flows/flow-units.h"
#include "flows/installer.h"
#include "flows/of-channel.h"
#include "openvswitch/ofp-util.h"
#include "ovsdb-idl.h"
#include "ovsdb/addr.h"
#include "ovsdb/names.h"
#include "ovsdb/status-keys.h"
#include "util.h"

void
switch_session_get_status(const struct switch_session *ss,
                          struct switch_session_status *st)
{
    enum of_channel_state of_state = of_channel_get_state(ss->of);
    bool db_connected = ss->ovs.idl && ovsdb_idl_is_connected(ss->ovs.idl)
                        && ovsdb_idl_has_ever_connected(ss->ovs.idl);
    int db_errno = ss->ovs.idl ? ovsdb_idl_get_last_error(ss->ovs.idl) : 0;

    const char *installer_error = flow_installer_get_error(ss->installer);
    struct vnet_status_facts facts = {
        .config_error = ss->config_error,
        .db_connected = db_connected,
        .db_error = db_connected || !db_errno
                    ? NULL : ovs_retval_to_string(db_errno),
        .db_ready = ss->db.db_ready,
        .bridge_error = ss->db.error,
        .bridge_ready = ss->db.ready,
        .txn_pending = ss->txn_pending,
        .of_state = of_channel_state_to_string(of_state),
        .of_error = of_channel_get_error(ss->of),
        .of_active = of_state == OF_CHANNEL_ACTIVE,
        .controller_connected = ss->db.controller_connected,
        .bridge_configured = ss->bridge_configured,
        /* The switch refuses our flows, or (a bug) some could not be
         * made: either way it does not hold what the database calls for. */
        .flows_error = installer_error ? installer_error : ss->flows_error,
        .tunnel_error = ss->plan.error,
    };
    struct vnet_status status;
    vnet_status_compute(&facts, &status);

    memset(st, 0, sizeof *st);
    st->connected = status.connected;
    st->db_connected = db_connected;
    /* What keeps the switch out of sync, first to last; NULL: nothing. */
    const char *waiting_for = (!status.connected ? "the switch connected"
                               : ss->releasing ? "the switch released"
                               : !ss->db.ready ? "the switch's database"
                               : ss->db.n_unnumbered
                               ? "OpenFlow port numbers"
                               : ss->txn_pending
                               ? "a transaction on the switch's database"
                               : !ss->endpoints_ready ? "endpoints attached"
                               : !ss->markers_ready ? "endpoints marked"
                               : !flow_installer_is_synced(ss->installer)
                               ? "flows installed" : NULL);
    /* The tunnel ports are there, the underlay's IP on its bridge,
     * ovs-vswitchd told the peers' MACs and caught up with the IP, so that
     * the first packets to and from each peer go at once. */
    if (waiting_for) {
        /* Said already. */
    } else if (ss->plan.error) {
        waiting_for = "tunnels that can be made";
    } else if (ss->underlay_pending) {
        waiting_for = "the tunnel IP on the underlay bridge";
    } else if (!ss->relay_ready) {
        waiting_for = "the relay";
    } else if (ss->underlay_wanted) {
        waiting_for = underlay_waiting_for(
            ss->underlay, attacher_get_switch_pid(ss->attacher), &ss->plan);
    }
    /* Every peer's tunnel port numbered: unlike the count of our ports not
     * numbered above, a tunnel port the switch refused (an error, no
     * number) keeps the switch out of sync, since no peer is reached
     * without it. */
    for (size_t i = 0; i < ss->plan.n_peers && !waiting_for; i++) {
        if (!simap_contains(&ss->ofports, ss->plan.peers[i].port)) {
            waiting_for = "a tunnel port numbered for every peer";
        }
    }
    st->in_sync = !waiting_for;
    st->waiting_for = waiting_for;
    st->last_error = status.last_error;
    /* The installer's error stands for the flows wanted now: those of the
     * database as this run saw it. */
    struct flow_installer_stats fs;
    flow_installer_get_stats(ss->installer, &fs);
    st->config_refused = ss->config_error || ss->plan.error;
    st->flows_refused = ss->flows_error
                        || (installer_error
                            && flow_installer_get_error_gen(ss->installer)
                               == ss->flow_gen
                            && fs.n_errors > ss->errors_before);
    st->of_state = xstrdup(facts.of_state);
    if (of_state == OF_CHANNEL_ACTIVE) {
        st->datapath_id = xasprintf("%016"PRIx64, of_channel_get_dpid(ss->of));
    }

    smap_init(&st->details);
    if (ss->datapath_type) {
        smap_add(&st->details, VNET_STATUS_DATAPATH_TYPE, ss->datapath_type);
    }
    if (ss->offload_invalid) {
        smap_add_format(&st->details, VNET_STATUS_OFFLOAD,
                        "off: options:%s=%s: expected auto or off",
                        VNET_OFFLOAD_KEY, ss->offload_invalid);
    } else if (datapath_is(ss, "netdev") && db_connected) {
        smap_add(&st->details, VNET_STATUS_OFFLOAD,
                 ss->offload_local ? "tso"
                 : !switch_db_userspace_tso(ss->ovs.idl)
                 ? "off: ovs-vswitchd runs without userspace TSO"
                 : "off");
    }
    int version = of_channel_get_version(ss->of);
    if (version) {
        smap_add(&st->details, VNET_STATUS_OPENFLOW_VERSION,
                 ofputil_version_to_string(version));
    }
    char *path = session_of_path(ss);
    if (path) {
        smap_add(&st->details, VNET_STATUS_OPENFLOW_SOCKET, path);
        free(path);
    }
    if (ss->db.ovs_version) {
        smap_add(&st->details, VNET_STATUS_OVS_VERSION, ss->db.ovs_version);
    }
    /* Once the bridge was configured, not only while nothing is changing
     * in the switch's database (the key would come and go with each
     * port). */
    if (ss->db.db_ready && ss->bridge_configured) {
        smap_add(&st->details, VNET_STATUS_CONTROLLER_IS_CONNECTED,
                 ss->db.controller_connected ? "true" : "false");
    }
    if (ss->db.system_id) {
        smap_add(&st->details, VNET_STATUS_SYSTEM_ID, ss->db.system_id);
    }
    if (ss->plan.enabled) {
        char ip[16];
        smap_add(&st->details, VNET_STATUS_TUNNEL_IP,
                 vnet_ip_format(ss->plan.local_ip, ip));
    }
    smap_add_format(&st->details, VNET_STATUS_FLOWS, "%u", fs.n_installed);
    smap_add(&st->details, VNET_STATUS_FLOWS_SYNCED,
             flow_installer_is_synced(ss->installer) ? "true" : "false");
    const char *flow_error = flow_installer_get_error(ss->installer);
    if (flow_error) {
        smap_add(&st->details, VNET_STATUS_FLOWS_ERROR, flow_error);
    }
    /* Ports left out, their name being taken. */
    struct smap_node *conflict;
    SMAP_FOR_EACH (conflict, &ss->port_conflicts) {
        char *key = xasprintf(VNET_STATUS_PORT_ERROR_PREFIX "%s",
                              conflict->key);
        smap_replace(&st->details, key, conflict->value);
        free(key);
    }
    /* Networks and routers left out. */
    struct smap_node *row_error;
    SMAP_FOR_EACH (row_error, &ss->row_errors) {
        smap_replace(&st->details, row_error->key, row_error->value);
    }
    /* Our own ports that ovs-vswitchd could not open (a router's uplink
     * interface that does not exist, ...): "port_error:NAME". */
    for (size_t i = 0; i < ss->db.n_bindings; i++) {
        const struct switch_db_binding *b = &ss->db.bindings[i];
        if (b->ours && !b->iface_id && b->error) {
            char *key = xasprintf(VNET_STATUS_PORT_ERROR_PREFIX "%s", b->ifname);
            smap_replace(&st->details, key, b->error);
            free(key);
        }
    }
}

bool
switch_session_is_settled(const struct switch_session *ss)
{
    return ss->settled;
}

const struct sset *
switch_session_get_status_changes(const struct switch_session *ss)
{
    return &ss->endpoints.changed;
}

void
switch_session_clear_status_changes(struct switch_session *ss)
{
    sset_clear(&ss->endpoints.changed);
}

const struct switch_endpoint_status *
switch_session_get_endpoint(const struct switch_session *ss, const char *name)
{
    const struct binding_endpoint *be = shash_find_data(&ss->endpoints.map,
                                                        name);
    return be ? &be->status : NULL;
}

char *
switch_session_format_flows(const struct switch_session *ss)
{
    struct flow_table t;
    flow_table_init(&t);
    flow_units_to_table(ss->units, &t);
    char *text = flow_table_format(&t);
    flow_table_destroy(&t);
    return text;
}

void
switch_session_status_destroy(struct switch_session_status *st)
{
    if (st) {
        free(st->last_error);
        free(st->of_state);
        free(st->datapath_id);
        smap_destroy(&st->details);
    }
}
