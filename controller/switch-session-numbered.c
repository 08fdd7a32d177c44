/* Ports of this switch's own endpoints that ovs-vswitchd has numbered,
 * followed without a full run (session_follow_numbered(),
 * switch-session-private.h): each one's endpoint is bound to its OpenFlow
 * port (an internal port's device, which the switch made, moved into its
 * namespace first), its port's flows and its answer to ARP are made, and its network's
 * flooding is made again with it.  The same for an interface someone else
 * plugged for a logical port (whose answer to ARP every switch of its
 * network gives already); and one unplugged by someone else, unbound with
 * its port's flows, its network's flooding made again without it. */
#include <config.h>
#include "controller/switch-session-private.h"

#include <string.h>

#include "controller/attach.h"
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
#include "ovsdb/endpoint.h"
#include "ovsdb/vnet-idl.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session_numbered);

COVERAGE_DEFINE(switch_session_numbered);
COVERAGE_DEFINE(switch_session_plugged);
COVERAGE_DEFINE(switch_session_unplugged);

/* A port numbered that can be followed alone. */
struct numbered {
    struct lan_port port;
    struct desired_flows_net *dn;
    bool had_error;             /* BINDING_NO_OFPORT, from a full run that
                                 * found a plugged port not numbered yet. */
    bool plugged;               /* A logical port's, plugged by another. */
};

/* Whether nothing but the numbered ports calls for a full run: the last one
 * left everything it wanted in place but those ports' bindings, and nothing
 * it read has changed since (the switch's flows coming in aside; with
 * 'nb_located', the NB's news being only locations that
 * session_follow_located() follows). */
static bool
may_follow(const struct switch_session *ss, struct ovsdb_idl *nb,
           const struct run_key *key_, bool nb_located)
{
    struct run_key key = *key_;
    if (nb_located) {
        key.nb_seqno = ss->last_key.nb_seqno;
    }
    if (!nb || !ss->ran_once || ss->watching || !ss->settled || ss->rerun
        || ss->releasing || ss->config_error || !ss->nets_known
        || !ss->flows_nets_known || !ss->flows_computed || ss->offload_local
        || !ss->news || ss->news->datapaths_changed
        || !ss->attach_ready || !ss->db.ready || ss->txn_pending) {
        return false;
    }
    return session_key_is_last_but_flows(ss, &key);
}

/* The desired flows' context of network 'net' if a port can join it alone:
 * it has other ports here (its flooding is kept) and is on no physical
 * network; else NULL. */
static struct desired_flows_net *
joinable_net(const struct switch_session *ss,
             const struct vnetrec_network *net)
{
    const struct desired_flows_net *dn = (net
                                          ? desired_flows_net_find(
                                              &ss->flows_nets, net)
                                          : NULL);
    return (dn && dn->has_neighbors && dn->nn.ports && dn->flood
            && !dn->row->physnet
            ? CONST_CAST(struct desired_flows_net *, dn) : NULL);
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
    /* (A port of ours inserted with a full run's transaction is not among
     * the bindings until it comes back; one plugged by others is.) */
    const struct switch_db_binding *b = switch_db_result_find(&ss->db,
                                                              o->ifname);
    if (!ep || !ep->network
        || (b && !nullable_string_is_equal(b->iface_id, o->iface_id))) {
        return false;
    }
    n->plugged = b && !b->ours;
    n->dn = joinable_net(ss, ep->network);
    return (n->dn
            && binding_memos_here_port(&ss->memos, ep, o->ifname, o->ofport,
                                       n->plugged, &n->port));
}

#define keep_error session_keep_error

/* At most this many internal ports' devices are moved into their
 * namespaces by one patch of numbered ports; more (a bulk attach) are for a
 * full run, which moves them a part at a time. */
#define NUMBERED_MOVES_MAX 8

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
        if (!p->plugged) {
            /* (A logical port's is there wherever it is.) */
            keep_error(&error, lan_flows_neighbor_unit(&p->dn->nn, &neighbor,
                                                       ss->units));
        }
        lan_flood_net_add_port(p->dn->flood, &p->port);
        hmapx_add(&nets, p->dn);
    }
    session_flood_again(ss, &nets, &error);
    session_patch_end(ss, error);
}

/* Follows the 'n' numbered interfaces 'os' alone if it can; returns
 * whether it did. */
static bool
patch_numbered(struct switch_session *ss,
               const struct switch_news_ofport *os, size_t n)
{
    struct numbered *ns = xmalloc(n * sizeof *ns);
    struct sset names = SSET_INITIALIZER(&names);
    bool ok = true;
    size_t n_errors = 0, n_own = 0;
    for (size_t i = 0; i < n && ok; i++) {
        ok = (numbered_port(ss, &os[i], &ns[i])
              && sset_add(&names, os[i].iface_id));
        n_errors += ok && ns[i].had_error;
        n_own += ok && !ns[i].plugged;
    }
    sset_destroy(&names);
    /* (No endpoint has another error; the unbound are counted among the
     * switch's own.) */
    ok = ok && n_errors == ss->endpoint_errors && n_own <= ss->n_unbound;
    /* (An internal port's device, made by the switch, goes into its
     * namespace now: a few at a time, as a full run makes them a part at a
     * time, to keep the loop turning.) */
    size_t n_moves = 0;
    for (size_t i = 0; i < n && ok; i++) {
        n_moves += (!ns[i].plugged
                    && attacher_awaits_port(ss->attacher, os[i].iface_id));
    }
    ok = ok && n_moves <= NUMBERED_MOVES_MAX;
    for (size_t i = 0; i < n && ok; i++) {
        ok = ns[i].plugged || attacher_port_numbered(ss->attacher,
                                                     os[i].iface_id);
    }
    if (ok) {
        patch_flows(ss, ns, n);
        for (size_t i = 0; i < n; i++) {
            binding_endpoint_patch_bound(&ss->endpoints, ns[i].port.name,
                                         os[i].ifname, ns[i].port.ofport,
                                         false, ss->flow_gen);
            switch_db_result_bind(&ss->db, os[i].ifname, os[i].iface_id,
                                  os[i].ofport);
        }
        ss->n_unbound -= n_own;
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

/* Whether interface 'p', plugged here by someone else, is for a logical
 * port with its own MAC and IP, on no other switch, in a network with
 * other ports here and on no physical network, that has no state here yet
 * (bound, or waiting for another interface). */
static bool
plugged_port(struct switch_session *ss, const struct switch_news_ofport *p)
{
    if (!p->iface_id || shash_find(&ss->endpoints.map, p->iface_id)
        || session_plugged_here(ss, p->iface_id)) {
        return false;
    }
    const struct vnetrec_endpoint *ep = nb_news_endpoint_by_name(
        ss->news, p->iface_id);
    struct lan_port port;
    return (ep && !vnet_endpoint_is_created(ep)
            && joinable_net(ss, ep->network)
            && binding_memos_here_port(&ss->memos, ep, p->ifname, 1, true,
                                       &port));
}

bool
session_follow_plugged(struct switch_session *ss, struct ovsdb_idl *nb,
                       struct run_key *key, bool full_due)
{
    size_t n;
    const struct switch_news_ofport *ps = switch_news_plugged(&ss->ovs_news,
                                                              &n);
    if (!n) {
        return false;
    }
    bool followed = !full_due && may_follow(ss, nb, key, false);
    struct sset names = SSET_INITIALIZER(&names);
    for (size_t i = 0; i < n && followed; i++) {
        followed = (plugged_port(ss, &ps[i])
                    && sset_add(&names, ps[i].iface_id));
    }
    sset_destroy(&names);
    if (followed) {
        /* As a full run finds them: bound to an interface that has no
         * OpenFlow port yet (those numbered already are followed next, as
         * numbered). */
        for (size_t i = 0; i < n; i++) {
            switch_db_result_plugged(&ss->db, ps[i].ifname, ps[i].iface_id);
            binding_endpoint_patch_unnumbered(&ss->endpoints,
                                              ps[i].iface_id);
        }
        ss->endpoint_errors += n;
        COVERAGE_INC(switch_session_plugged);
        VLOG_DBG("switch %s: %zu interface%s plugged for its logical ports: "
                 "followed without a full run%s", ss->name, n,
                 n == 1 ? "" : "s", (desired_flows_checking()
                                     ? " (checking: a full run all the "
                                       "same)" : ""));
    }
    /* (Checking, those numbered already are followed first, and then the
     * full run comes.) */
    size_t n_numbered;
    switch_news_ofports(&ss->ovs_news, &n_numbered);
    if (followed && (!desired_flows_checking() || n_numbered)) {
        switch_news_plugged_followed(&ss->ovs_news);
    } else {
        ss->ovs_news_seqno = switch_news_bump(&ss->ovs_news);
        key->ovs_seqno = ss->ovs_news_seqno;
    }
    return followed;
}

/* Says that what the switch's database brought was followed ('followed':
 * with 'mark'), unless checking; else makes it news for a full run (in
 * 'key' too). */
static void
follow_or_bump(struct switch_session *ss, struct run_key *key, bool followed,
               void (*mark)(struct switch_news *))
{
    if (followed && !desired_flows_checking()) {
        mark(&ss->ovs_news);
    } else {
        ss->ovs_news_seqno = switch_news_bump(&ss->ovs_news);
        key->ovs_seqno = ss->ovs_news_seqno;
    }
}

bool
session_follow_numbered(struct switch_session *ss, struct ovsdb_idl *nb,
                        struct run_key *key, bool full_due, bool nb_located)
{
    size_t n;
    const struct switch_news_ofport *os = switch_news_ofports(&ss->ovs_news,
                                                              &n);
    if (!n) {
        return false;
    }
    bool followed = (!full_due && may_follow(ss, nb, key, nb_located)
                     && patch_numbered(ss, os, n));
    if (followed) {
        COVERAGE_INC(switch_session_numbered);
    }
    follow_or_bump(ss, key, followed, switch_news_followed);
    return followed;
}

/* Whether interface 'u', unplugged by someone else, was bound here for a
 * logical port in a network that keeps other ports here; if so, fills
 * 'port' (its OpenFlow port's) and '*dn', and counts it among the network's
 * ports leaving. */
static bool
unplugged_port(struct switch_session *ss, const struct switch_news_ofport *u,
               struct lan_port *port, struct desired_flows_net **dn)
{
    const struct binding_endpoint *be = (u->iface_id
                                         ? shash_find_data(&ss->endpoints.map,
                                                           u->iface_id)
                                         : NULL);
    if (!be || be->trunk || be->error || be->waiting
        || be->status.ofport <= 0
        || !nullable_string_is_equal(be->ifname, u->ifname)) {
        return false;
    }
    const struct switch_db_binding *b = switch_db_result_find(&ss->db,
                                                              u->ifname);
    const struct vnetrec_endpoint *ep = nb_news_endpoint_by_name(
        ss->news, u->iface_id);
    /* (Another interface plugged for it would be its port for a full
     * run.) */
    if (!b || b->ours || !nullable_string_is_equal(b->iface_id, u->iface_id)
        || switch_db_result_n_plugged_for(&ss->db, u->iface_id) != 1
        || !ep || vnet_endpoint_is_created(ep)) {
        return false;
    }
    *dn = joinable_net(ss, ep->network);
    if (!*dn || lan_flood_net_n_ports((*dn)->flood)
                <= (*dn)->n_ports_leaving + 1
        || !binding_memos_here_port(&ss->memos, ep, u->ifname,
                                    be->status.ofport, true, port)) {
        return false;
    }
    (*dn)->n_ports_leaving++;
    return true;
}

/* Unbinds the 'n' unplugged interfaces 'us' (their ports 'ports', in the
 * networks 'dns'), with their flows. */
static void
patch_unplugged(struct switch_session *ss,
                const struct switch_news_ofport *us,
                const struct lan_port *ports,
                struct desired_flows_net **dns, size_t n)
{
    flow_units_begin_patch(ss->units);
    char *error = NULL;
    struct hmapx nets = HMAPX_INITIALIZER(&nets);
    for (size_t i = 0; i < n; i++) {
        /* (A logical port's answer to ARP is there wherever it is.) */
        lan_flows_port_drop(&dns[i]->nn, ports[i].object, ss->units);
        lan_flood_net_remove_port(dns[i]->flood, &ports[i]);
        hmapx_add(&nets, dns[i]);
    }
    session_flood_again(ss, &nets, &error);
    session_patch_end(ss, error);
    for (size_t i = 0; i < n; i++) {
        binding_endpoint_patch_forget(&ss->endpoints, us[i].iface_id);
        switch_db_result_unbind(&ss->db, us[i].ifname);
    }
}

bool
session_follow_unplugged(struct switch_session *ss, struct ovsdb_idl *nb,
                         struct run_key *key, bool full_due)
{
    size_t n;
    const struct switch_news_ofport *us = switch_news_unplugged(
        &ss->ovs_news, &n);
    if (!n) {
        return false;
    }
    bool followed = !full_due && may_follow(ss, nb, key, false);
    struct lan_port *ports = xmalloc(n * sizeof *ports);
    struct desired_flows_net **dns = xcalloc(n, sizeof *dns);
    struct sset names = SSET_INITIALIZER(&names);
    size_t n_checked = 0;
    for (; n_checked < n && followed; n_checked++) {
        followed = (unplugged_port(ss, &us[n_checked], &ports[n_checked],
                                   &dns[n_checked])
                    && sset_add(&names, us[n_checked].iface_id));
    }
    for (size_t i = 0; i < n_checked; i++) {
        if (dns[i]) {
            dns[i]->n_ports_leaving = 0;
        }
    }
    sset_destroy(&names);
    if (followed) {
        patch_unplugged(ss, us, ports, dns, n);
        COVERAGE_INC(switch_session_unplugged);
        VLOG_DBG("switch %s: %"PRIuSIZE" interface%s unplugged from its "
                 "logical ports: followed without a full run%s", ss->name, n,
                 n == 1 ? "" : "s", (desired_flows_checking()
                                     ? " (checking: a full run all the "
                                       "same)" : ""));
    }
    free(ports);
    free(dns);
    follow_or_bump(ss, key, followed, switch_news_unplugged_followed);
    return followed;
}

bool
session_follow_alone(struct switch_session *ss, struct ovsdb_idl *nb,
                     struct run_key *key, bool full_due, bool *news_left,
                     bool *nb_located_)
{
    /* (A list that one follow's bump empties is left to the full run as
     * much as one that could not be followed.) */
    size_t n_unplugged, n_plugged, n_numbered;
    switch_news_unplugged(&ss->ovs_news, &n_unplugged);
    switch_news_plugged(&ss->ovs_news, &n_plugged);
    switch_news_ofports(&ss->ovs_news, &n_numbered);
    bool unplugged = session_follow_unplugged(ss, nb, key, full_due);
    bool plugged = session_follow_plugged(ss, nb, key, full_due);
    /* (The NB's report of where a port just plugged is may come with the
     * switch numbering the port.) */
    bool nb_located = session_nb_only_located(ss, nb, key, full_due);
    bool numbered = session_follow_numbered(ss, nb, key, full_due,
                                            nb_located);
    bool located = session_follow_located(ss, key, nb_located);
    *news_left = ((n_unplugged && !unplugged) || (n_plugged && !plugged)
                  || (n_numbered && !numbered));
    /* (Checking, a follow's bump keeps locations from being followed; they
     * are nothing for the full run all the same.) */
    *nb_located_ = nb_located;
    bool followed = unplugged || plugged || numbered || located;
    if (followed && desired_flows_checking() && ss->settled && !ss->watching
        && (key->installed_gen != ss->last_key.installed_gen
            || key->synced != ss->last_key.synced)) {
        /* Flows came in too: their endpoints' "up" goes first, as without
         * the check (where only that follows), so that the full run finds
         * nothing of the changes followed to report. */
        session_refresh_up(ss);
    }
    return followed;
}
