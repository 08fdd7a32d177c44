/* Changes of the NB a switch follows without a full run (session_patch(),
 * switch-session-private.h): endpoints that no full run would serve here,
 * whose answers to ARP this switch gives all the same. */
#include <config.h>
#include "controller/switch-session-private.h"

#include <string.h>

#include "controller/binding.h"
#include "controller/desired-flows.h"
#include "controller/idl-changes.h"
#include "flows/flow-units.h"
#include "flows/installer.h"
#include "flows/lan.h"
#include "hmapx.h"
#include "openvswitch/vlog.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/vnet-idl.h"
#include "openvswitch/poll-loop.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session_patch);

/* What patch_row() reads and collects. */
struct patch_ctx {
    const struct switch_session *ss;
    struct hmapx routed;        /* Networks on a router. */
    struct binding_change *changes;
    size_t n, allocated;
    bool any_here;              /* One in a network of this switch. */
};

/* Whether endpoint row 'ep', changed, is bound to no switch, was bound to
 * none before, and is not plugged here. */
static bool
bound_nowhere(const struct switch_session *ss,
              const struct vnetrec_endpoint *ep)
{
    if (session_row_updated(&ep->header_)
        && (vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_NETWORK)
            || vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_SWITCH_)
            || vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_LOCATION)
            || vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_NAME))) {
        return false;
    }
    return (ep->network && !vnet_endpoint_switch_name(ep)
            && !session_plugged_here(ss, ep->name));
}

/* Takes changed row 'row' (of table 'tc') into the patch: nb_cfg alone, or
 * an endpoint elsewhere or bound nowhere, in a network the last run had. */
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
    bool elsewhere = session_endpoint_elsewhere(ss, ep, &ctx->routed);
    if (!elsewhere && !bound_nowhere(ss, ep)) {
        return false;
    }
    const struct desired_flows_net *dn
        = desired_flows_net_find(&ss->flows_nets, ep->network);
    if (!dn) {
        return false;           /* Its prefix is not at hand. */
    }
    if (ctx->n >= ctx->allocated) {
        ctx->changes = x2nrealloc(ctx->changes, &ctx->allocated,
                                  sizeof *ctx->changes);
    }
    struct binding_change *c = &ctx->changes[ctx->n++];
    memset(c, 0, sizeof *c);
    c->row = ep;
    c->inserted = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT) != 0;
    c->deleted = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE) != 0;
    if (c->inserted && c->deleted) {
        ctx->n--;               /* Came and went: nothing was of it. */
        return true;
    }
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

/* Brings the neighbours' units of 'changes' up to date in 'ss''s desired
 * flows. */
static void
patch_flows(struct switch_session *ss, const struct binding_change *changes,
            size_t n)
{
    flow_units_begin_patch(ss->units);
    char *error = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct binding_change *c = &changes[i];
        const struct desired_flows_net *dn
            = desired_flows_net_find(&ss->flows_nets, c->ni.row);
        if (!dn->has_neighbors
            || (c->had_neighbor && c->has_neighbor
                && same_neighbor(&c->old, &c->now))) {
            continue;
        }
        if (c->had_neighbor) {
            lan_flows_neighbor_drop(&dn->nn, c->old.object, ss->units);
        }
        if (c->has_neighbor) {
            char *e = lan_flows_neighbor_unit(&dn->nn, &c->now, ss->units);
            if (!error) {
                error = e;
            } else {
                free(e);
            }
        }
    }
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

bool
session_patch(struct switch_session *ss, struct ovsdb_idl *nb,
              const struct run_key *key, bool timers_due)
{
    if (!ss->flows_nets_known || ss->offload_local
        || !session_may_pass_by(ss, nb, key, timers_due)) {
        return false;
    }
    struct patch_ctx ctx = { .ss = ss };
    hmapx_init(&ctx.routed);
    session_routed_networks(nb, &ctx.routed);
    bool ok = idl_changes_each(nb, patch_row, &ctx) && ctx.any_here;
    hmapx_destroy(&ctx.routed);
    if (ok) {
        struct binding_ctx_in b_in = session_binding_in(ss, nb);
        ok = binding_patch(&ss->memos, &b_in, ctx.changes, ctx.n);
    }
    if (ok) {
        patch_flows(ss, ctx.changes, ctx.n);
    }
    free(ctx.changes);
    return ok;
}
