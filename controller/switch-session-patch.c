/* Changes of the NB a switch follows without a full run (session_patch(),
 * switch-session-private.h): endpoints that no full run would serve here,
 * whose answers to ARP this switch gives all the same, and whose traffic
 * it sends to their switches; endpoints behind a trunk here, made or
 * removed one by one; and endpoints here with a veth or an internal port
 * of their own, made and their ports inserted (or deleted) one by one. */
#include <config.h>
#include "controller/switch-session-private.h"

#include <string.h>

#include "controller/attach.h"
#include "controller/binding.h"
#include "controller/desired-flows.h"
#include "controller/idl-changes.h"
#include "controller/nb-news.h"
#include "controller/switch-db.h"
#include "coverage.h"
#include "flows/flow-units.h"
#include "flows/installer.h"
#include "flows/lan.h"
#include "hmapx.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/names.h"
#include "ovsdb/vnet-idl.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session_patch);

COVERAGE_DEFINE(switch_session_located);
COVERAGE_DEFINE(switch_session_stale_alone);

/* What patch_row() reads and collects. */
struct patch_ctx {
    struct switch_session *ss;
    struct ovsdb_idl_txn *txn;  /* Of the switch's database, or NULL. */
    struct hmapx routed;        /* Networks on a router. */
    struct sset here_netns;     /* Of the endpoints new here. */
    struct hmapx leaving_nets;  /* Whose 'n_trunk_leaving' counts. */
    size_t n_here;              /* Changes served here so far. */
    struct binding_change *changes;
    /* Of each change: the switch it was on and the one it is on, where it
     * is (was) a remote port here; else NULL. */
    struct desired_flows_remote **old_remotes, **new_remotes;
    size_t n, allocated;
    bool any_here;              /* One in a network of this switch. */
};

/* Whether an endpoint on switch 'host' (NULL: none) of network 'dn' can be
 * followed alone: bound to no switch (then '*remote' is NULL), or on
 * another switch that is already one of those the network reaches from
 * here, the network on no physical network (then '*remote' is that
 * switch).  With 'leaving', the endpoint is leaving that switch, which must
 * stay one all the same.  (On a router, the switch stays one that routed
 * traffic may come from as well.) */
static bool
patchable_host(struct patch_ctx *ctx, const char *host,
               const struct desired_flows_net *dn, bool leaving,
               struct desired_flows_remote **remote)
{
    const struct switch_session *ss = ctx->ss;
    *remote = NULL;
    if (!host) {
        return true;
    }
    if (!strcmp(host, ss->name) || !dn->has_neighbors || dn->row->physnet) {
        return false;
    }
    const struct tunnel_peer *peer = tunnel_plan_find(&ss->plan, host);
    for (size_t i = 0; peer && i < dn->n_remotes; i++) {
        struct desired_flows_remote *r = &dn->remotes[i];
        if (r->remote.ip == peer->ip) {
            if (leaving) {
                if (r->n_ports <= r->n_leaving + 1) {
                    return false;   /* It may be the last one there. */
                }
                r->n_leaving++;
            }
            *remote = r;
            return true;
        }
    }
    return false;
}

/* What same_net_here() looks for. */
struct same_net_ctx {
    const struct switch_session *ss;
    const struct vnetrec_endpoint *ep;
};

static bool
other_here(const struct vnetrec_endpoint *other, const void *ctx_)
{
    const struct same_net_ctx *ctx = ctx_;
    return (other != ctx->ep
            && shash_find(&ctx->ss->endpoints.map, other->name));
}

/* Whether another endpoint of network 'net' than 'ep' is on this switch by
 * the NB, and was there by the last run (binding's). */
static bool
same_net_here(const struct switch_session *ss,
              const struct vnetrec_endpoint *ep,
              const struct vnetrec_network *net)
{
    struct same_net_ctx ctx = { .ss = ss, .ep = ep };
    return (ss->news
            && nb_news_endpoints_on(ss->news, net, ss->name, other_here,
                                    &ctx));
}

/* Whether endpoint row 'ep' is a logical port whose location alone
 * changed (ovs-vnetd's own report coming back), where binding last found it
 * on this switch or on none: its answer to ARP stays, and it was no remote
 * port here. */
static bool
own_location_report(const struct switch_session *ss,
                    const struct vnetrec_endpoint *ep, bool inserted,
                    bool deleted)
{
    const char *was;
    return (!inserted && !deleted && !vnet_endpoint_is_created(ep)
            && vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_LOCATION)
            && !idl_row_other_updated(&ep->header_, &vnetrec_table_endpoint,
                                      &vnetrec_endpoint_col_location)
            && binding_memos_host(&ss->memos, ep, &was)
            && (!was || !strcmp(was, ss->name)));
}

/* Whether the switches this one has tunnels to stay with endpoint 'ep' of
 * it or not: another endpoint of its network is here, or the switch has
 * none. */
static bool
tunnels_stay(const struct switch_session *ss,
             const struct vnetrec_endpoint *ep)
{
    return !ss->plan.enabled || same_net_here(ss, ep, ep->network);
}

/* Whether endpoint row 'ep' is a logical port whose interface is plugged
 * here, with a state here, and own_location_report() says its location
 * changed to this switch (and tunnels_stay()). */
static bool
plugged_located_here(const struct switch_session *ss,
                     const struct vnetrec_endpoint *ep, bool inserted,
                     bool deleted)
{
    return (ep->location && !strcmp(ep->location, ss->name)
            && own_location_report(ss, ep, inserted, deleted)
            && shash_find(&ss->endpoints.map, ep->name)
            && session_plugged_here(ss, ep->name)
            && tunnels_stay(ss, ep));
}

/* Whether endpoint row 'ep' is a logical port that was plugged here and is
 * no longer (session_follow_unplugged()), with no state here, in a network
 * the last run had, and own_location_report() says its location changed to
 * none (and tunnels_stay()). */
static bool
unplugged_located_away(const struct switch_session *ss,
                       const struct vnetrec_endpoint *ep, bool inserted,
                       bool deleted)
{
    return (!ep->location
            && own_location_report(ss, ep, inserted, deleted)
            && !shash_find(&ss->endpoints.map, ep->name)
            && !session_plugged_here(ss, ep->name)
            && ep->network
            && desired_flows_net_find(&ss->flows_nets, ep->network)
            && tunnels_stay(ss, ep));
}

/* What located_row() reads and counts. */
struct located_ctx {
    const struct switch_session *ss;
    size_t n;                   /* Locations. */
};

/* Whether changed row 'row' (of table 'tc') is nb_cfg alone, or a location
 * plugged_located_here() or unplugged_located_away() (counted). */
static bool
located_row(const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_table_class *tc, void *ctx_)
{
    struct located_ctx *ctx = ctx_;
    if (tc == &vnetrec_table_vnet_global) {
        return session_nb_cfg_only(row, tc);
    }
    if (tc != &vnetrec_table_endpoint) {
        return false;
    }
    const struct vnetrec_endpoint *ep = CONTAINER_OF(
        row, struct vnetrec_endpoint, header_);
    bool inserted = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT);
    bool deleted = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE);
    bool located = (plugged_located_here(ctx->ss, ep, inserted, deleted)
                    || unplugged_located_away(ctx->ss, ep, inserted,
                                              deleted));
    ctx->n += located;
    return located;
}

bool
session_nb_only_located(const struct switch_session *ss, struct ovsdb_idl *nb,
                        const struct run_key *key, bool full_due)
{
    if (full_due || !nb || !ss->ran_once || ss->watching || ss->rerun
        || !ss->nets_known || !ss->news || ss->news->datapaths_changed
        || key->nb_seqno == ss->last_key.nb_seqno
        || ss->last_key.nb_seqno != ss->news->prev_seqno) {
        return false;
    }
    struct located_ctx ctx = { .ss = ss };
    return idl_changes_each(nb, located_row, &ctx) && ctx.n;
}

bool
session_follow_located(struct switch_session *ss, const struct run_key *key,
                       bool only_located)
{
    struct run_key k = *key;
    k.nb_seqno = ss->last_key.nb_seqno;
    if (!only_located || !session_key_is_last_but_flows(ss, &k)) {
        return false;
    }
    COVERAGE_INC(switch_session_located);
    VLOG_DBG("switch %s: only the locations of ports plugged here (or "
             "unplugged) came back%s", ss->name, (desired_flows_checking()
                                  ? " (checking: a full run all the same)"
                                  : ""));
    if (!desired_flows_checking()) {
        ss->last_key.nb_seqno = key->nb_seqno;
    }
    return true;
}

/* Whether endpoint row 'ep' (changed, not elsewhere) can be followed
 * alone, where it was (the switch binding last found it on) and where it
 * is; sets '*old' and '*now' as patchable_host() does. */
static bool
patchable_endpoint(struct patch_ctx *ctx, const struct vnetrec_endpoint *ep,
                   const struct desired_flows_net *dn, bool inserted,
                   bool deleted, struct desired_flows_remote **old,
                   struct desired_flows_remote **now)
{
    const struct switch_session *ss = ctx->ss;
    *old = *now = NULL;
    if (plugged_located_here(ss, ep, inserted, deleted)) {
        return true;
    }
    if ((session_row_updated(&ep->header_)
         && (vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_NETWORK)
             || vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_NAME)))
        || (ep->location && !strcmp(ep->location, ss->name))
        || session_plugged_here(ss, ep->name)) {
        return false;
    }
    const char *was = NULL;
    const char *is = deleted ? NULL : vnet_endpoint_switch_name(ep);
    if (!inserted && !binding_memos_host(&ss->memos, ep, &was)) {
        return false;           /* Where it was is not at hand. */
    }
    bool moved = !nullable_string_is_equal(was, is);
    return ((inserted || patchable_host(ctx, was, dn, moved, old))
            && (deleted || patchable_host(ctx, is, dn, false, now)));
}

/* At most this many endpoints served here are made or removed by a patch:
 * more (a bulk attach) are for a full run, which makes them a part at a
 * time (attacher_set_budget()) and keeps the loop turning. */
#define PATCH_HERE_MAX 8

static bool
is_trunk(const struct vnetrec_endpoint *ep)
{
    return !strcmp(ep->type, "trunk");
}

static bool
is_tap(const struct vnetrec_endpoint *ep)
{
    return !strcmp(ep->type, "tap");
}

/* Whether endpoint row 'ep', inserted, is new here and the attacher can
 * make its devices alone (behind trunk port 'trunk_port', or with a port of
 * its own whose device is 'ifname'); if so, counts it among the patch's. */
static bool
new_here(struct patch_ctx *ctx, const struct vnetrec_endpoint *ep,
         const char *trunk_port, const char *ifname)
{
    struct switch_session *ss = ctx->ss;
    /* (A tap's namespace is the switch's: its device's name is its own.) */
    const char *netns = is_tap(ep) ? NULL : ep->netns;
    if (shash_find(&ss->endpoints.map, ep->name)
        || (netns && sset_contains(&ctx->here_netns, netns))
        || !attacher_may_attach_alone(ss->attacher, ep->name, netns,
                                      trunk_port, ifname)) {
        return false;
    }
    if (netns) {
        sset_add(&ctx->here_netns, netns);
    }
    ctx->n_here++;
    return true;
}

/* Whether endpoint row 'ep', inserted, is served here with a veth (or an
 * internal port, or a tap) of its own and can be followed alone: its port
 * can go into the switch's database's open transaction alone (as a full run
 * would insert it), and the attacher can make its devices alone (an
 * internal port's namespace, its device once the switch has made it and
 * numbered its port). */
static bool
here_port_endpoint(struct patch_ctx *ctx, const struct vnetrec_endpoint *ep)
{
    const struct switch_session *ss = ctx->ss;
    char ifname[VNET_PORT_NAME_SIZE];
    vnet_endpoint_ifname_buf(ep, ifname);
    return (ctx->txn && ss->bridge_configured && !session_has_relay(ss)
            && new_here(ctx, ep, NULL, ifname));
}

/* Whether endpoint row 'ep' (of network 'dn'), deleted, was served here
 * with a veth, an internal port or a tap of its own and can be followed
 * alone:
 * bound to its port, its own MAC and IP, another port of its network stays
 * here, its port can be deleted in the switch's database's open transaction
 * (as a full run would delete it), and the attacher can leave its devices
 * until ovs-vswitchd has let go of them. */
static bool
here_port_leaving(struct patch_ctx *ctx, const struct vnetrec_endpoint *ep,
                  struct desired_flows_net *dn)
{
    struct switch_session *ss = ctx->ss;
    const struct binding_endpoint *be = shash_find_data(&ss->endpoints.map,
                                                        ep->name);
    if (!ctx->txn || !ss->bridge_configured || session_has_relay(ss)
        || !ss->ports_by_name || !dn->flood || !be || be->trunk
        || be->error || be->waiting || be->status.ofport <= 0
        || lan_flood_net_n_ports(dn->flood) <= dn->n_ports_leaving + 1
        || !attacher_leaving_ifname(ss->attacher, ep->name)) {
        return false;
    }
    dn->n_ports_leaving++;
    hmapx_add(&ctx->leaving_nets, dn);
    ctx->n_here++;
    return true;
}

/* Whether endpoint row 'ep' (of network 'dn'), inserted or deleted, is
 * served here behind its network's trunk and can be followed alone: the
 * trunk is bound here and stays (another endpoint stays behind it), and
 * the attacher can make (remove) the endpoint's devices alone; one deleted
 * was in place and bound, one inserted is new to this switch.  Or, one
 * with a veth or an internal port of its own (here_port_endpoint(),
 * here_port_leaving()). */
static bool
here_endpoint(struct patch_ctx *ctx, const struct vnetrec_endpoint *ep,
              const struct desired_flows_net *dn_, bool inserted,
              bool deleted)
{
    struct switch_session *ss = ctx->ss;
    struct desired_flows_net *dn = CONST_CAST(struct desired_flows_net *,
                                              dn_);
    if (inserted == deleted || ctx->n_here >= PATCH_HERE_MAX
        || (!ep->netns && !is_tap(ep))
        || !nullable_string_is_equal(vnet_endpoint_switch_name(ep), ss->name)
        || !dn->has_neighbors || !dn->nn.ports || dn->row->physnet) {
        return false;
    }
    if (!strcmp(ep->type, "netns") || !strcmp(ep->type, "internal")
        || is_tap(ep)) {
        /* (An internal port's device is the switch's: it makes it for the
         * port inserted, and removes it with the port deleted.  A tap is
         * made where the switch runs, and goes once the switch has let go
         * of it.) */
        return (inserted ? here_port_endpoint(ctx, ep)
                : here_port_leaving(ctx, ep, dn));
    }
    if (!is_trunk(ep) || dn->trunk_ofport <= 0) {
        return false;
    }
    if (inserted) {
        char port[VNET_PORT_NAME_SIZE];
        vnet_trunk_port_name_buf(ep->network, ss->name, port);
        return new_here(ctx, ep, port, NULL);
    }
    const struct binding_endpoint *be = shash_find_data(&ss->endpoints.map,
                                                        ep->name);
    if (!be || !be->trunk || be->error || be->waiting
        || be->status.ofport != dn->trunk_ofport
        || dn->n_trunk_ports <= dn->n_trunk_leaving + 1
        || !attacher_may_detach_alone(ss->attacher, ep->name)) {
        return false;
    }
    dn->n_trunk_leaving++;
    hmapx_add(&ctx->leaving_nets, dn);
    ctx->n_here++;
    return true;
}

/* Takes changed row 'row' (of table 'tc') into the patch: nb_cfg alone, or
 * an endpoint elsewhere, bound to no switch, on another switch or behind
 * this one's trunk, in a network the last run had. */
static bool
patch_row(const struct ovsdb_idl_row *row,
          const struct ovsdb_idl_table_class *tc, void *ctx_)
{
    struct patch_ctx *ctx = ctx_;
    if (tc == &vnetrec_table_vnet_global) {
        return session_nb_cfg_only(row, tc);
    }
    if (tc != &vnetrec_table_endpoint) {
        return false;
    }
    const struct switch_session *ss = ctx->ss;
    const struct vnetrec_endpoint *ep
        = CONTAINER_OF(row, struct vnetrec_endpoint, header_);
    bool inserted = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT);
    bool deleted = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE);
    if (inserted && deleted) {
        return true;            /* Came and went: nothing was of it. */
    }
    const struct desired_flows_net *dn
        = (ep->network ? desired_flows_net_find(&ss->flows_nets, ep->network)
           : NULL);
    if (!dn) {
        return false;           /* Its prefix is not at hand. */
    }
    if (ctx->n >= ctx->allocated) {
        ctx->changes = x2nrealloc(ctx->changes, &ctx->allocated,
                                  sizeof *ctx->changes);
        ctx->old_remotes = xrealloc(ctx->old_remotes, ctx->allocated
                                    * sizeof *ctx->old_remotes);
        ctx->new_remotes = xrealloc(ctx->new_remotes, ctx->allocated
                                    * sizeof *ctx->new_remotes);
    }
    struct desired_flows_remote **old = &ctx->old_remotes[ctx->n];
    struct desired_flows_remote **now = &ctx->new_remotes[ctx->n];
    *old = *now = NULL;
    bool elsewhere = session_endpoint_elsewhere(ss, ep, &ctx->routed);
    bool here = !elsewhere && here_endpoint(ctx, ep, dn, inserted, deleted);
    if (!elsewhere && !here
        && !patchable_endpoint(ctx, ep, dn, inserted, deleted, old, now)) {
        ctx->n++;               /* (Its leaving, if counted, is undone.) */
        return false;
    }
    struct binding_change *c = &ctx->changes[ctx->n++];
    memset(c, 0, sizeof *c);
    c->row = ep;
    c->inserted = inserted;
    c->deleted = deleted;
    c->here = here;
    c->ni.row = dn->row;
    c->ni.cidr = dn->cidr;
    c->ni.gateway = dn->gateway;
    ctx->any_here |= !elsewhere;
    return true;
}

static bool
same_neighbor(const struct lan_neighbor *a, const struct lan_neighbor *b)
{
    return a->ip == b->ip && !memcmp(a->mac, b->mac, 6);
}

void
session_keep_error(char **error, char *e)
{
    if (!*error) {
        *error = e;
    } else {
        free(e);
    }
}

#define keep_error session_keep_error

/* Brings the units of change 'c' up to date in 'units': its neighbour's,
 * and its remote port's where it was on the switch 'old' or is on 'now'
 * (NULL: it was not, is not, on another switch). */
static void
patch_change(const struct desired_flows_net *dn,
             const struct binding_change *c,
             struct desired_flows_remote *old,
             struct desired_flows_remote *now, struct flow_units *units,
             char **error)
{
    if (!dn->has_neighbors) {
        return;
    }
    if (!(c->had_neighbor && c->has_neighbor
          && same_neighbor(&c->old, &c->now))) {
        if (c->had_neighbor) {
            lan_flows_neighbor_drop(&dn->nn, c->old.object, units);
        }
        if (c->has_neighbor) {
            keep_error(error, lan_flows_neighbor_unit(&dn->nn, &c->now,
                                                      units));
        }
    }
    bool had_port = old && c->had_mac;
    bool has_port = now && c->has_mac;
    if (had_port && has_port && old == now
        && !memcmp(c->old.mac, c->now.mac, 6)) {
        return;
    }
    if (had_port) {
        lan_flows_remote_port_drop(&dn->nn, c->old.object, units);
        old->n_ports--;
    }
    if (has_port) {
        struct lan_remote_port rp = { .object = c->now.object };
        memcpy(rp.mac, c->now.mac, 6);
        keep_error(error, lan_flows_remote_port_unit(&dn->nn, dn->tunnel_in,
                                                     &rp, &now->remote,
                                                     units));
        now->n_ports++;
    }
}

/* Brings the units of change 'c', of an endpoint served here behind the
 * trunk of 'dn', up to date in 'units': its port's and its neighbour's
 * (none for one inserted whose devices are not in place: a full run
 * follows).  One with a port of its own has none until its port is
 * numbered (session_follow_numbered()); one deleted with a port of its own
 * (bound to OpenFlow port 'own_ofport') leaves the network's flooding too
 * (its flood unit is made again after). */
static void
patch_here(const struct desired_flows_net *dn_, const struct binding_change *c,
           bool in_place, int64_t own_ofport, struct flow_units *units,
           char **error)
{
    struct desired_flows_net *dn = CONST_CAST(struct desired_flows_net *,
                                              dn_);
    if (!c->want.trunk_port && !c->deleted) {
        return;
    } else if (c->deleted) {
        lan_flows_port_drop(&dn->nn, c->old.object, units);
        lan_flows_neighbor_drop(&dn->nn, c->old.object, units);
        if (own_ofport > 0) {
            struct lan_port p = {
                .object = c->old.object,
                .ofport = own_ofport,
                .has_mac = c->had_mac,
            };
            lan_flood_net_remove_port(dn->flood, &p);
        }
    } else if (in_place) {
        struct lan_port p = {
            .name = c->row->name,
            .object = c->now.object,
            .ofport = dn->trunk_ofport,
            .has_mac = true,
            .has_ip = true,
            .ip = c->now.ip,
            .trunk = true,
        };
        memcpy(p.mac, c->now.mac, 6);
        keep_error(error, lan_flows_port_unit(&dn->nn, &p, units));
        keep_error(error, lan_flows_neighbor_unit(&dn->nn, &c->now, units));
    }
}

/* Brings the units of 'ctx''s changes up to date in the session's desired
 * flows ('in_place': whether each one served here and inserted is). */
static void
patch_flows(struct patch_ctx *ctx, const bool *in_place)
{
    struct switch_session *ss = ctx->ss;
    flow_units_begin_patch(ss->units);
    char *error = NULL;
    struct hmapx flooded = HMAPX_INITIALIZER(&flooded);
    for (size_t i = 0; i < ctx->n; i++) {
        const struct binding_change *c = &ctx->changes[i];
        const struct desired_flows_net *dn
            = desired_flows_net_find(&ss->flows_nets, c->ni.row);
        if (c->here) {
            int64_t own_ofport = 0;
            if (c->deleted && !is_trunk(c->row)) {
                const struct binding_endpoint *be = shash_find_data(
                    &ss->endpoints.map, c->row->name);
                own_ofport = be ? be->status.ofport : 0;
                hmapx_add(&flooded, CONST_CAST(struct desired_flows_net *,
                                               dn));
            }
            patch_here(dn, c, in_place[i], own_ofport, ss->units, &error);
        } else {
            patch_change(dn, c, ctx->old_remotes[i], ctx->new_remotes[i],
                         ss->units, &error);
        }
    }
    session_flood_again(ss, &flooded, &error);
    session_patch_end(ss, error);
}

void
session_flood_again(struct switch_session *ss, struct hmapx *nets,
                    char **error)
{
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, nets) {
        const struct desired_flows_net *dn = node->data;
        keep_error(error, lan_flows_flood_unit(dn->flood, ss->units));
    }
    hmapx_destroy(nets);
}

void
session_patch_end(struct switch_session *ss, char *error)
{
    if (flow_units_end(ss->units)) {
        /* An error the switch reported before now was about other
         * flows. */
        struct flow_installer_stats fs;
        flow_installer_get_stats(ss->installer, &fs);
        ss->errors_before = fs.n_errors;
        flow_installer_desired_changed(ss->installer, ++ss->flow_gen);
    }
    if (error) {
        /* A bug: the full run says it where the status shows it. */
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "switch %s: %s", ss->name, error);
        free(error);
        ss->rerun = true;
        poll_immediate_wake();
    }
}

/* Inserts the port of change 'c', with a veth or an internal port of its
 * own, into the switch's database's open transaction.  Returns false if it
 * could not. */
static bool
insert_port(struct patch_ctx *ctx, const struct binding_change *c)
{
    struct switch_session *ss = ctx->ss;
    const struct switch_db_port port = {
        .name = c->want.host_ifname,
        .iface_id = c->want.endpoint,
        .mac = c->row->mac,
        .netns = c->want.netns,
        .tap = is_tap(c->row),
        .type = c->want.internal ? "internal" : NULL,
    };
    if (!switch_db_insert_port(ss->ovs.idl, ctx->txn, ss->ifaces_by_name,
                               ss->bridge, ss->name, &port, &ss->ovs_news)) {
        return false;
    }
    switch_db_result_bind(&ss->db, port.name, port.iface_id, 0);
    ss->patch_inserts = true;
    return true;
}

/* Deletes the port of change 'c', with a veth or an internal port of its
 * own, from the switch's
 * database's open transaction, and leaves its devices to go once
 * ovs-vswitchd has let go of them (as a full run's removal does).  Returns
 * false if it could not. */
static bool
delete_port(struct patch_ctx *ctx, const struct binding_change *c)
{
    struct switch_session *ss = ctx->ss;
    const char *ifname = attacher_leaving_ifname(ss->attacher, c->row->name);
    struct switch_db_stale st;
    if (!ifname
        || !switch_db_delete_port(ss->ovs.idl, ctx->txn, ss->ports_by_name,
                                  ss->bridge, ss->name, ifname, &ss->ovs_news,
                                  &st)) {
        return false;
    }
    switch_db_result_unbind(&ss->db, ifname);
    attacher_leave_alone(ss->attacher, c->row->name);
    stale_ports_add(&ss->stale, &st, 1, time_msec());
    /* (Its devices go once ovs-vswitchd has reconfigured past the next_cfg
     * this sets: session_stale_ports_cfg().) */
    const struct ovsrec_open_vswitch *cfg
        = ovsrec_open_vswitch_first(ss->ovs.idl);
    if (cfg && !ss->cfg_in_flight) {
        ovsdb_idl_txn_increment(ctx->txn, &cfg->header_,
                                &ovsrec_open_vswitch_col_next_cfg, false);
        ss->cfg_in_flight = true;
    }
    ss->patch_inserts = true;
    return true;
}

void
session_remove_stale_alone(struct switch_session *ss)
{
    long long int now = time_msec();
    size_t n_due = stale_ports_n_due(&ss->stale, now);
    if (!n_due || ss->watching || ss->releasing) {
        return;
    }
    struct attach_record *records = xcalloc(n_due, sizeof *records);
    size_t n = stale_ports_due_records(&ss->stale, now, records);
    if (n == n_due && attacher_remove_leaving(ss->attacher, records, n)) {
        COVERAGE_INC(switch_session_stale_alone);
        VLOG_DBG("switch %s: the devices of %"PRIuSIZE" endpoint%s taken "
                 "away alone removed without a full run", ss->name, n,
                 n == 1 ? "" : "s");
        stale_ports_forget_due(&ss->stale, now);
    }
    free(records);
}

void
session_patch_committed(struct switch_session *ss)
{
    if (!ss->patch_inserts) {
        return;
    }
    ss->patch_inserts = false;
    if (ss->txn_pending) {
        /* Its end, and the ports coming back, are no news
         * (session_own_txn_end()). */
        ss->inserts_in_flight = true;
        ss->own_end_is_news = false;
        ss->last_key.txn_pending = true;
    } else {
        /* It failed at once: a full run makes the ports. */
        switch_news_forget(&ss->ovs_news);
        ss->rerun = true;
        poll_immediate_wake();
    }
}

/* Makes the devices of the changes served here that were inserted (and
 * inserts the port of one with a port of its own into the open
 * transaction), and removes those of the ones deleted.  Returns whether
 * each one is in place (malloc'd).  One that is not is for a full run, at
 * once. */
static bool *
attach_here(struct patch_ctx *ctx)
{
    struct switch_session *ss = ctx->ss;
    bool *in_place = xzalloc(MAX(ctx->n, 1) * sizeof *in_place);
    /* Those deleted first: one inserted that could not be made would keep
     * the attacher from leaving any alone. */
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ctx->n; i++) {
            const struct binding_change *c = &ctx->changes[i];
            if (!c->here || c->deleted != !pass) {
                continue;
            }
            if (c->deleted && !is_trunk(c->row)) {
                if (!delete_port(ctx, c)) {
                    ss->rerun = true;
                    poll_immediate_wake();
                }
            } else if (c->deleted) {
                attacher_detach_alone(ss->attacher, c->row->name);
            } else if (attacher_attach_alone(ss->attacher, &c->want)
                       && (c->want.trunk_port || insert_port(ctx, c))) {
                in_place[i] = true;
            } else {
                sset_add(&ss->left_to_run, c->row->name);
                ss->rerun = true;
                poll_immediate_wake();
            }
        }
    }
    return in_place;
}

/* The states of the changes served here: bound to their trunk, with the
 * flows patch_flows() made, or forgotten. */
static void
bind_here(struct patch_ctx *ctx, const bool *in_place)
{
    struct switch_session *ss = ctx->ss;
    for (size_t i = 0; i < ctx->n; i++) {
        const struct binding_change *c = &ctx->changes[i];
        if (!c->here) {
            continue;
        }
        struct desired_flows_net *dn = CONST_CAST(
            struct desired_flows_net *,
            desired_flows_net_find(&ss->flows_nets, c->ni.row));
        if (c->deleted) {
            binding_endpoint_patch_forget(&ss->endpoints, c->row->name);
            if (is_trunk(c->row)) {
                dn->n_trunk_ports--;
            }
        } else if (in_place[i] && !c->want.trunk_port) {
            /* Bound once its port is numbered. */
            binding_endpoint_patch_bound(&ss->endpoints, c->row->name,
                                         c->want.host_ifname, 0, false,
                                         ss->flow_gen);
            ss->n_unbound++;
            ss->endpoints_ready = false;
        } else if (in_place[i]) {
            binding_endpoint_patch_bound(&ss->endpoints, c->row->name, NULL,
                                         dn->trunk_ofport, true,
                                         ss->flow_gen);
            dn->n_trunk_ports++;
        }
    }
}

enum session_patch_result
session_patch(struct switch_session *ss, struct ovsdb_idl *nb,
              struct ovsdb_idl_txn *txn, const struct run_key *key,
              bool timers_due)
{
    if (!ss->flows_nets_known || ss->offload_local
        || !session_may_pass_by(ss, nb, key, timers_due)) {
        return SESSION_PATCH_NONE;
    }
    struct patch_ctx ctx = { .ss = ss, .txn = txn };
    sset_init(&ctx.here_netns);
    hmapx_init(&ctx.leaving_nets);
    hmapx_init(&ctx.routed);
    session_routed_networks(nb, &ctx.routed);
    bool ok = idl_changes_each(nb, patch_row, &ctx);
    hmapx_destroy(&ctx.routed);
    if (ok) {
        struct binding_ctx_in b_in = session_binding_in(ss, nb);
        ok = binding_patch(&ss->memos, &b_in, ctx.changes, ctx.n);
    }
    for (size_t i = 0; i < ctx.n; i++) {
        if (ctx.old_remotes[i]) {
            ctx.old_remotes[i]->n_leaving = 0;
        }
    }
    if (ok) {
        bool *in_place = attach_here(&ctx);
        patch_flows(&ctx, in_place);
        bind_here(&ctx, in_place);
        free(in_place);
    }
    struct hmapx_node *node;
    HMAPX_FOR_EACH (node, &ctx.leaving_nets) {
        struct desired_flows_net *dn = node->data;
        dn->n_trunk_leaving = dn->n_ports_leaving = 0;
    }
    hmapx_destroy(&ctx.leaving_nets);
    sset_destroy(&ctx.here_netns);
    free(ctx.changes);
    free(ctx.old_remotes);
    free(ctx.new_remotes);
    return (!ok ? SESSION_PATCH_NONE
            : ctx.any_here ? SESSION_PATCH_HERE : SESSION_PATCH_ELSEWHERE);
}
