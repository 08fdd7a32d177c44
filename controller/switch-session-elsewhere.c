/* Which changes of the NB a switch's full run can be left out for
 * (session_only_elsewhere(), switch-session-private.h): those of endpoints
 * of networks the switch has nothing of. */
#include <config.h>
#include "controller/switch-session-private.h"

#include <string.h>

#include "controller/binding.h"
#include "controller/desired-flows.h"
#include "controller/idl-changes.h"
#include "controller/nb-news.h"
#include "coverage.h"
#include "flows/installer.h"
#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/vnet-idl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session_elsewhere);

COVERAGE_DEFINE(switch_session_checked);

bool
session_row_updated(const struct ovsdb_idl_row *row)
{
    return (!ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT)
            && !ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE));
}

bool
session_nb_cfg_only(const struct ovsdb_idl_row *row,
                    const struct ovsdb_idl_table_class *tc)
{
    if (tc != &vnetrec_table_vnet_global) {
        return false;
    }
    /* A command's --wait moves nb_cfg in the same transaction: no change of
     * a switch's own. */
    return (!idl_row_other_updated(row, tc, &vnetrec_vnet_global_col_nb_cfg)
            && session_row_updated(row));
}

bool
session_plugged_here(const struct switch_session *ss, const char *name)
{
    return switch_db_result_plugged_for(&ss->db, name);
}

void
session_routed_networks(struct ovsdb_idl *nb, struct hmapx *routed)
{
    const struct vnetrec_router *r;
    VNETREC_ROUTER_FOR_EACH (r, nb) {
        for (size_t i = 0; i < r->n_networks; i++) {
            hmapx_add(routed, CONST_CAST(struct vnetrec_network *,
                                         r->networks[i]));
        }
    }
}

bool
session_endpoint_elsewhere(const struct switch_session *ss,
                           const struct vnetrec_endpoint *ep,
                           const struct hmapx *routed)
{
    if (session_row_updated(&ep->header_)
        && (vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_NETWORK)
            || vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_SWITCH_)
            || vnetrec_endpoint_is_updated(ep, VNETREC_ENDPOINT_COL_NAME))) {
        return false;           /* What it was is not at hand. */
    }
    struct vnetrec_network *net = CONST_CAST(struct vnetrec_network *,
                                             ep->network);
    const char *sw = vnet_endpoint_switch_name(ep);
    if (!net || net->physnet || hmapx_contains(&ss->nets_here, net)
        || hmapx_contains(routed, net)
        || (sw && !strcmp(sw, ss->name))
        || (ep->location && !strcmp(ep->location, ss->name))) {
        return false;
    }
    /* An interface someone plugged here for it (before its row came). */
    return !session_plugged_here(ss, ep->name);
}

/* What endpoint_elsewhere() reads. */
struct elsewhere_ctx {
    const struct switch_session *ss;
    struct hmapx routed;        /* Networks on a router. */
};

/* Whether the changed row 'row' (of table 'tc') is an endpoint of a
 * network that is not this switch's, or nb_cfg (see
 * session_only_elsewhere()). */
static bool
endpoint_elsewhere(const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_table_class *tc, void *ctx_)
{
    const struct elsewhere_ctx *ctx = ctx_;
    if (tc == &vnetrec_table_vnet_global) {
        return session_nb_cfg_only(row, tc);
    }
    return (tc == &vnetrec_table_endpoint
            && session_endpoint_elsewhere(
                ctx->ss, CONTAINER_OF(row, struct vnetrec_endpoint, header_),
                &ctx->routed));
}

bool
session_may_pass_by(const struct switch_session *ss, struct ovsdb_idl *nb,
                    const struct run_key *key, bool timers_due)
{
    if (!nb || !ss->ran_once || ss->watching || !ss->settled || ss->rerun
        || !ss->nets_known || ss->endpoint_errors || !ss->news
        || !ss->endpoints_ready || !ss->markers_ready
        || !hmapx_is_empty(&ss->endpoints.not_up)
        || !ss->db.ready || ss->db.n_unnumbered || ss->txn_pending
        || !flow_installer_is_synced(ss->installer)
        || ss->news->datapaths_changed
        || ss->last_key.nb_seqno != ss->news->prev_seqno
        || timers_due || !memcmp(key, &ss->last_key, sizeof *key)) {
        return false;
    }
    struct run_key k;
    memcpy(&k, key, sizeof k);
    k.nb_seqno = ss->last_key.nb_seqno;
    return !memcmp(&k, &ss->last_key, sizeof k);
}

bool
session_key_is_last_but_flows(const struct switch_session *ss,
                              const struct run_key *key)
{
    struct run_key k;
    memcpy(&k, key, sizeof k);
    k.installed_gen = ss->last_key.installed_gen;
    k.synced = ss->last_key.synced;
    return !memcmp(&k, &ss->last_key, sizeof k);
}

bool
session_only_elsewhere(const struct switch_session *ss, struct ovsdb_idl *nb,
                       const struct run_key *key, bool timers_due)
{
    if (!session_may_pass_by(ss, nb, key, timers_due)) {
        return false;
    }
    struct elsewhere_ctx ctx = { .ss = ss };
    hmapx_init(&ctx.routed);
    session_routed_networks(nb, &ctx.routed);
    bool elsewhere = idl_changes_each(nb, endpoint_elsewhere, &ctx);
    hmapx_destroy(&ctx.routed);
    return elsewhere;
}

void
session_check_begin(const struct switch_session *ss,
                    struct session_check *check, bool patched, size_t n_peers)
{
    /* (As a patch left them: the statuses it changed are its own, and so
     * are the endpoints it bound, unless it left them to a full run, as
     * those it could not make.) */
    check->flows = desired_flows_text(ss->units);
    sset_clone(&check->status, &ss->endpoints.changed);
    const char *name;
    SSET_FOR_EACH (name, &ss->left_to_run) {
        sset_add(&check->status, name);
    }
    check->n_unbound = ss->rerun ? SIZE_MAX : ss->n_unbound;
    check->n_peers = n_peers;
    check->patched = patched;
}

void
session_check_end(const struct switch_session *ss,
                  struct session_check *check)
{
    /* (The desired flows must come out of the full run the same, whatever
     * units it makes again.) */
    COVERAGE_INC(switch_session_checked);
    char *flows = desired_flows_text(ss->units);
    bool flows_changed = strcmp(check->flows, flows);
    bool ready_changed = (check->n_unbound != SIZE_MAX
                          && ss->n_unbound != check->n_unbound);
    bool peers_changed = ss->plan.n_peers != check->n_peers;
    bool status_changed = false;
    const char *name;
    SSET_FOR_EACH (name, &ss->endpoints.changed) {
        if (!sset_contains(&check->status, name)) {
            status_changed = true;
            break;
        }
    }
    if (flows_changed || peers_changed || ready_changed || status_changed) {
        struct ds which = DS_EMPTY_INITIALIZER;
        binding_endpoints_describe_changed(&ss->endpoints, &check->status,
                                           &which);
        VLOG_ERR("switch %s: a change %s changed %s in the full run%s%s",
                 ss->name,
                 (check->patched ? "followed without a full run"
                  : "judged to be of other networks only"),
                 (flows_changed ? "the desired flows"
                  : peers_changed ? "the tunnels"
                  : ready_changed ? "whether its endpoints are bound"
                  : "an endpoint's status"),
                 which.length ? ":" : "", ds_cstr(&which));
        ds_destroy(&which);
    }
    free(flows);
    free(check->flows);
    sset_destroy(&check->status);
}
