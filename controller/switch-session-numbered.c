/* Ports of this switch's own endpoints that ovs-vswitchd has numbered,
 * followed without a full run (session_patch_numbered(),
 * switch-session-private.h): each one's endpoint is bound to its OpenFlow
 * port, its port's flows and its answer to ARP are made, and its network's
 * flooding is made again with it. */
#include <config.h>
#include "controller/switch-session-private.h"

#include <string.h>

#include "controller/binding.h"
#include "controller/desired-flows.h"
#include "controller/nb-news.h"
#include "controller/switch-db.h"
#include "controller/switch-news.h"
#include "coverage.h"
#include "flows/flow-units.h"
#include "flows/lan.h"
#include "hmapx.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/vnet-idl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session_numbered);

COVERAGE_DEFINE(switch_session_numbered);

/* A port numbered that can be followed alone. */
struct numbered {
    struct lan_port port;
    struct desired_flows_net *dn;
    bool had_error;             /* BINDING_NO_OFPORT, from a full run that
                                 * found the port not numbered yet. */
};

/* Whether nothing but the numbered ports calls for a full run: the last one
 * left everything it wanted in place but those ports' bindings, and nothing
 * it read has changed since (the switch's flows coming in aside). */
static bool
may_follow(const struct switch_session *ss, struct ovsdb_idl *nb,
           const struct run_key *key)
{
    if (!nb || !ss->ran_once || ss->watching || !ss->settled || ss->rerun
        || ss->releasing || ss->config_error || !ss->nets_known
        || !ss->flows_nets_known || !ss->flows_computed || ss->offload_local
        || !ss->news || ss->news->datapaths_changed
        || !ss->attach_ready || !ss->db.ready || ss->txn_pending) {
        return false;
    }
    return session_key_is_last_but_flows(ss, key);
}

/* Whether numbered interface 'o' is the port of an endpoint of this switch
 * that waits for it alone; if so, fills 'n'. */
static bool
numbered_port(struct switch_session *ss, const struct switch_news_ofport *o,
              struct numbered *n)
{
    if (!o->iface_id) {
        return false;
    }
    const struct binding_endpoint *be = shash_find_data(&ss->endpoints.map,
                                                        o->iface_id);
    if (!be || !binding_endpoint_awaits_ofport(be)) {
        return false;
    }
    n->had_error = be->error != NULL;
    const struct vnetrec_endpoint *ep = nb_news_endpoint_by_name(
        ss->news, o->iface_id);
    if (!ep || !ep->network) {
        return false;
    }
    n->dn = CONST_CAST(struct desired_flows_net *,
                       desired_flows_net_find(&ss->flows_nets, ep->network));
    return (n->dn && n->dn->has_neighbors && n->dn->nn.ports
            && n->dn->flood && !n->dn->row->physnet
            && binding_memos_here_port(&ss->memos, ep, o->ifname, o->ofport,
                                       &n->port));
}

#define keep_error session_keep_error

/* Patches the desired flows with the ports of 'ns'. */
static void
patch_flows(struct switch_session *ss, const struct numbered *ns, size_t n)
{
    flow_units_begin_patch(ss->units);
    char *error = NULL;
    struct hmapx nets = HMAPX_INITIALIZER(&nets);
    for (size_t i = 0; i < n; i++) {
        const struct numbered *p = &ns[i];
        struct lan_neighbor neighbor = {
            .object = p->port.object,
            .ip = p->port.ip,
        };
        memcpy(neighbor.mac, p->port.mac, 6);
        keep_error(&error, lan_flows_port_unit(&p->dn->nn, &p->port,
                                               ss->units));
        keep_error(&error, lan_flows_neighbor_unit(&p->dn->nn, &neighbor,
                                                   ss->units));
        lan_flood_net_add_port(p->dn->flood, &p->port);
        hmapx_add(&nets, p->dn);
    }
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &nets) {
        const struct desired_flows_net *dn = node->data;
        keep_error(&error, lan_flows_flood_unit(dn->flood, ss->units));
    }
    hmapx_destroy(&nets);
    session_patch_end(ss, error);
}

/* Follows the 'n' numbered interfaces 'os' alone if it can; returns
 * whether it did. */
static bool
patch_numbered(struct switch_session *ss,
               const struct switch_news_ofport *os, size_t n)
{
    if (n > ss->n_unbound) {
        return false;
    }
    struct numbered *ns = xmalloc(n * sizeof *ns);
    struct sset names = SSET_INITIALIZER(&names);
    bool ok = true;
    size_t n_errors = 0;
    for (size_t i = 0; i < n && ok; i++) {
        ok = (numbered_port(ss, &os[i], &ns[i])
              && sset_add(&names, os[i].iface_id));
        n_errors += ok && ns[i].had_error;
    }
    sset_destroy(&names);
    /* (No endpoint has another error.) */
    ok = ok && n_errors == ss->endpoint_errors;
    if (ok) {
        patch_flows(ss, ns, n);
        for (size_t i = 0; i < n; i++) {
            binding_endpoint_patch_bound(&ss->endpoints, ns[i].port.name,
                                         ns[i].port.ofport, false,
                                         ss->flow_gen);
            switch_db_result_bind(&ss->db, os[i].ifname, os[i].iface_id,
                                  os[i].ofport);
        }
        ss->n_unbound -= n;
        ss->endpoints_ready = !ss->n_unbound;
        ss->endpoint_errors = 0;
        VLOG_DBG("switch %s: %zu port%s of its endpoints numbered: followed "
                 "without a full run%s", ss->name, n, n == 1 ? "" : "s",
                 (desired_flows_checking()
                  ? " (checking: a full run all the same)" : ""));
    }
    free(ns);
    return ok;
}

bool
session_follow_numbered(struct switch_session *ss, struct ovsdb_idl *nb,
                        struct run_key *key, bool full_due)
{
    size_t n;
    const struct switch_news_ofport *os = switch_news_ofports(&ss->ovs_news,
                                                              &n);
    if (!n) {
        return false;
    }
    bool followed = (!full_due && may_follow(ss, nb, key)
                     && patch_numbered(ss, os, n));
    if (followed) {
        COVERAGE_INC(switch_session_numbered);
    }
    if (followed && !desired_flows_checking()) {
        switch_news_followed(&ss->ovs_news);
    } else {
        ss->ovs_news_seqno = switch_news_bump(&ss->ovs_news);
        key->ovs_seqno = ss->ovs_news_seqno;
    }
    return followed;
}
