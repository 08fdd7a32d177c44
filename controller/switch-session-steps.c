/* The steps of a switch session's full run (see switch-session-private.h):
 * each reads the session and what the steps before it left, and does one
 * thing — binding, tunnels, the underlay, namespaces and veths, the port
 * list, the switch's database, the relay, the desired flows, the report.
 * switch-session.c orders them. */
#include <config.h>
#include "controller/switch-session-private.h"

#include <stdlib.h>
#include <string.h>

#include "controller/attach.h"
#include "controller/binding.h"
#include "controller/desired-flows.h"
#include "controller/held-packets.h"
#include "controller/lan-view.h"
#include "controller/port-list.h"
#include "controller/relay-taps.h"
#include "controller/stale-ports.h"
#include "controller/switch-db.h"
#include "controller/relay.h"
#include "controller/tunnels.h"
#include "controller/underlay.h"
#include "controller/uplink.h"
#include "controller/vif.h"
#include "coverage.h"
#include "flows/installer.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "lib/vswitch-idl.h"
#include "ovsdb/names.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "simap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session_steps);

COVERAGE_DEFINE(switch_session_marks_some);

static const struct vnetrec_switch *own_row(const struct switch_session *,
                                            struct ovsdb_idl *nb);

/* Whether the endpoints whose traffic stays on the switch keep TX checksum
 * offload and TSO: on the userspace datapath run with userspace TSO, unless
 * the switch's offload policy is "off". */
static bool
offload_local(const struct switch_session *ss, struct ovsdb_idl *nb)
{
    if (!datapath_is(ss, "netdev") || !ss->ovs.idl
        || !switch_db_userspace_tso(ss->ovs.idl)) {
        return false;
    }
    const struct vnetrec_switch *me = own_row(ss, nb);
    const char *policy = me ? smap_get_def(&me->options, VNET_OFFLOAD_KEY,
                                           VNET_OFFLOAD_DEFAULT)
                            : "off";
    /* Anything but "auto" (a value no client should write included) is
     * "off": the status says why. */
    return !strcmp(policy, "auto");
}

struct binding_ctx_in
session_binding_in(const struct switch_session *ss, struct ovsdb_idl *nb)
{
    return (struct binding_ctx_in) {
        .nb = nb,
        .switch_name = ss->name,
        .releasing = ss->releasing,
        /* Offloads stay on where the kernel datapath takes the packets. */
        .tx_csum = datapath_is(ss, "system"),
        .offload_local = ss->offload_local,
        .bindings = ss->db.bindings,
        .n_bindings = ss->db.n_bindings,
        .ifaces_by_name = ss->ovs.idl ? ss->ifaces_by_name : NULL,
        /* (Without the rows' versions, each is worked out from the row,
         * and the attacher compares each want whole.) */
        .news = ss->recomputing ? NULL : ss->news,
    };
}

/* This switch's NB row, or NULL. */
static const struct vnetrec_switch *
own_row(const struct switch_session *ss, struct ovsdb_idl *nb)
{
    const struct vnetrec_switch *me;
    VNETREC_SWITCH_FOR_EACH (me, nb) {
        if (!strcmp(me->name, ss->name)) {
            return me;
        }
    }
    return NULL;
}

/* Binds the switch's interfaces to endpoints (as the last reconcile found
 * them), and brings the desired flows up to date when an input changed. */
static void
compute_flows(struct switch_session *ss, struct ovsdb_idl *nb,
              const struct binding_wants *wants, struct lan_view *view)
{
    struct binding_ctx_in b_in = session_binding_in(ss, nb);
    binding_bind(&b_in, wants, &ss->endpoints);
    const struct vnetrec_switch *me = own_row(ss, nb);
    lan_view_add_physnets(view, me ? &me->physnets : NULL);

    /* The rest follows the NB, the switch database and which devices are
     * in place only (an endpoint behind a trunk is bound once its device
     * is, with no change to either database): without a change there, the
     * desired flows are the same. */
    unsigned int nb_seqno = ovsdb_idl_get_seqno(nb);
    unsigned int ovs_seqno = ss->ovs_news_seqno;
    bool same_inputs = (ss->flows_computed && nb_seqno == ss->flows_nb_seqno
                        && ovs_seqno == ss->flows_ovs_seqno
                        && wants->ready_digest == ss->flows_ready_digest
                        && ss->ofports_seqno == ss->flows_ofports_seqno);
    /* Checking, the flows are generated all the same: they must come out
     * unchanged, or an input is missing above. */
    if (same_inputs && !desired_flows_checking()) {
        return;
    }
    ss->flows_nb_seqno = nb_seqno;
    ss->flows_ovs_seqno = ovs_seqno;
    ss->flows_ready_digest = wants->ready_digest;
    ss->flows_ofports_seqno = ss->ofports_seqno;
    if (!same_inputs) {
        /* An error the switch reported before now was about other flows. */
        struct flow_installer_stats fs;
        flow_installer_get_stats(ss->installer, &fs);
        ss->errors_before = fs.n_errors;
    }

    struct desired_flows_ctx_in in = {
        .nb = nb,
        .switch_name = ss->name,
        .plan = &ss->plan,
        .ofports = &ss->ofports,
    };
    struct desired_flows_ctx_out out = {
        .units = ss->units,
        .nets = &ss->flows_nets,
    };
    desired_flows_run(&in, view, &out);
    ss->flows_nets_known = true;
    uplink_prober_set_routers(ss->prober, view->routers, view->n_routers);
    if (out.error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "switch %s: %s", ss->name, out.error);
    }
    free(ss->flows_error);
    ss->flows_error = out.error;
    ss->flows_computed = true;
    if (same_inputs && out.changed) {
        VLOG_ERR("switch %s: the desired flows changed with no change to "
                 "what they are computed from", ss->name);
    }
    if (out.changed) {
        flow_installer_desired_changed(ss->installer, ++ss->flow_gen);
    }
}

/* The interface whose IP this switch's tunnels use, if it must move to the
 * underlay bridge: tunnels on the netdev datapath only. */
const char *
session_step_underlay_wanted(const struct switch_session *ss,
                             struct ovsdb_idl *nb)
{
    if (nb && ss->plan.enabled && datapath_is(ss, "netdev")) {
        const struct vnetrec_switch *me = own_row(ss, nb);
        return me ? me->underlay : NULL;
    }
    return NULL;
}

/* Initializes 'in_use' to the names of our ports, and of those removed too
 * recently for ovs-vswitchd to have let go of their devices. */
static void
ports_in_use(const struct switch_session *ss, long long int now,
             struct sset *in_use)
{
    sset_init(in_use);
    for (size_t i = 0; i < ss->db.n_bindings; i++) {
        if (ss->db.bindings[i].ours) {
            sset_add(in_use, ss->db.bindings[i].ifname);
        }
    }
    stale_ports_in_use(&ss->stale, now, in_use);
}

/* ports_in_use(), made when first asked (mostly it is not). */
struct lazy_in_use {
    const struct switch_session *ss;
    long long int now;
    bool made;
    struct sset names;
};

static bool
port_in_use(const char *ifname, void *l_)
{
    struct lazy_in_use *l = l_;
    if (!l->made) {
        ports_in_use(l->ss, l->now, &l->names);
        l->made = true;
    }
    return sset_contains(&l->names, ifname);
}

static void
run_attacher(struct switch_session *ss, const struct attach_want *wants,
             size_t n_wants)
{
    /* Namespaces and veths; ports removed a while ago take theirs along. */
    long long int now = time_msec();
    struct attach_record *records = xcalloc(ss->stale.n + 1,
                                            sizeof *records);
    size_t n_records = stale_ports_due_records(&ss->stale, now, records);
    /* Devices that are ports, or whose port was just removed, stay until
     * their record comes due. */
    struct lazy_in_use in_use = { .ss = ss, .now = now };
    attacher_run(ss->attacher, wants, n_wants, records, n_records,
                 port_in_use, &in_use);
    if (in_use.made) {
        sset_destroy(&in_use.names);
    }
    free(records);
    /* Forget what is done.  (A port that carries nothing to delete is kept
     * too until then: its name stays in use meanwhile.) */
    stale_ports_forget_due(&ss->stale, now);
}

static bool
installer_holds(uint64_t gen, const void *installer)
{
    return flow_installer_holds(installer, gen);
}

/* Logs the rows left out that the last full run did not leave out (or for
 * another reason): once, not every run. */
static void
log_new_row_errors(const struct switch_session *ss, const struct smap *errors)
{
    const struct smap_node *node;
    SMAP_FOR_EACH (node, errors) {
        if (nullable_string_is_equal(smap_get(&ss->row_errors, node->key),
                                     node->value)) {
            continue;
        }
        /* "network_error:NAME" -> "network NAME: why". */
        const char *colon = strchr(node->key, ':');
        const char *under = strchr(node->key, '_');
        if (colon && under && under < colon) {
            VLOG_WARN("switch %s: %.*s %s: %s", ss->name,
                      (int) (under - node->key), node->key, colon + 1,
                      node->value);
        } else {
            VLOG_WARN("switch %s: %s: %s", ss->name, node->key, node->value);
        }
    }
}

/* What binding found of an endpoint's row (lan_view's 'endpoint_ok'). */
static bool
endpoint_accepted(const struct vnetrec_endpoint *ep, const void *aux_,
                  const char **host, bool *has_mac, uint8_t mac[6])
{
    const struct switch_session *ss = aux_;
    return binding_memos_placement(&ss->memos, ep, ss->name, host, has_mac,
                                   mac);
}

/* Checks the NB rows this switch reads into 'view',
 * reads the offload policy, and binds the endpoints served here, which it
 * initializes 'wants' to. */
void
session_step_binding(struct switch_session *ss, struct ovsdb_idl *nb,
                     struct lan_view *view, struct binding_wants *wants)
{
    lan_view_init(view);
    if (nb && !ss->config_error) {
        /* Before this process's first check, the status an earlier one
         * wrote says which rows it left out. */
        lan_view_check(view, nb,
                       ss->rows_checked ? &ss->rows_accepted : NULL);
    }
    memset(wants, 0, sizeof *wants);
    ss->offload_local = nb && offload_local(ss, nb);
    const struct vnetrec_switch *row = nb ? own_row(ss, nb) : NULL;
    const char *policy = row ? smap_get(&row->options, VNET_OFFLOAD_KEY)
                             : NULL;
    free(ss->offload_invalid);
    ss->offload_invalid = (policy && !vnet_offload_is_valid(policy)
                           ? xstrdup(policy) : NULL);
    if (nb && !ss->config_error) {
        /* Endpoint errors are found afresh every run. */
        binding_endpoints_begin(&ss->endpoints);
        struct binding_ctx_in b_in = session_binding_in(ss, nb);
        binding_collect(&b_in, view, &ss->endpoints, &ss->memos, wants);
        view->endpoint_ok = endpoint_accepted;
        view->endpoint_ok_aux = ss;
    }
}

/* The tunnels to the other switches.  A peer that left (or moved)
 * may be behind learned MACs: they are forgotten (watching: once
 * driving). */
void
session_step_tunnels(struct switch_session *ss, struct ovsdb_idl *nb)
{
    struct tunnel_plan fresh;
    if (nb && !ss->config_error && !ss->releasing) {
        tunnel_plan_build(&fresh, nb, ss->name, ss->relay_key);
    } else {
        memset(&fresh, 0, sizeof fresh);
        smap_init(&fresh.tunnel_options);
    }
    for (size_t i = 0; i < ss->plan.n_peers; i++) {
        const struct tunnel_peer *was = &ss->plan.peers[i];
        const struct tunnel_peer *now = tunnel_plan_find(&fresh, was->name);
        if (!now || now->ip != was->ip || now->relay != was->relay) {
            if (ss->watching) {
                ss->peers_changed = true;
            } else {
                flow_installer_flush_learned(ss->installer);
            }
            break;
        }
    }
    tunnel_plan_destroy(&ss->plan);
    tunnel_plan_move(&ss->plan, &fresh);
}

/* An underlay interface that must not stay on the underlay bridge
 * (released, or another one wanted now) gets its IP back; releasing, what an
 * earlier ovs-vnetd moved goes back too.  Watching, nothing is changed. */
void
session_step_underlay_moves(struct switch_session *ss, const char *underlay)
{
    if (ss->watching) {
        return;
    }
    if (ss->releasing && ss->release_underlay && datapath_is(ss, "netdev")) {
        underlay_adopt(ss->underlay, ss->release_underlay,
                       attacher_get_switch_pid(ss->attacher),
                       attacher_get_netns_fd(ss->attacher));
    }
    const char *moved = underlay_get_iface(ss->underlay);
    if (moved && !nullable_string_is_equal(moved, underlay)) {
        underlay_give_back(ss->underlay, attacher_get_switch_pid(ss->attacher),
                           attacher_get_netns_fd(ss->attacher));
    }
}

/* The switch's ports into 'pl' — endpoints whose veth exists (the
 * first 'n_ready' of 'wants'), uplinks, tunnels and relay taps (but not a tap
 * deleted behind our back, until its port has gone). */
void
session_step_ports(struct switch_session *ss, struct ovsdb_idl *nb,
                   const struct lan_view *view,
                   const struct binding_wants *wants, size_t n_ready,
                   const char *underlay, struct port_list_ctx_out *pl)
{
    /* (Only a relay tap left out asks which ports are in use.) */
    struct sset in_use;
    if (relay_taps_any_unplugged(ss->taps)) {
        ports_in_use(ss, time_msec(), &in_use);
    } else {
        sset_init(&in_use);
    }
    const struct sset *unplugged = relay_taps_unplugged(ss->taps, &in_use);
    sset_destroy(&in_use);
    bool usable = nb && !ss->config_error && !ss->releasing;
    const struct vnetrec_switch *me = usable ? own_row(ss, nb) : NULL;
    struct port_list_ctx_in pl_in = {
        .nb = usable ? nb : NULL,
        .bad_routers = &view->bad_routers,
        .switch_name = ss->name,
        .bridge = ss->bridge,
        .underlay = underlay,
        .plan = &ss->plan,
        .ofports = &ss->ofports,
        .switch_netns_fd = attacher_get_netns_fd(ss->attacher),
        .relay_owns_taps = relay_owns_taps(ss),
        .unplugged = unplugged,
        .ready = wants->ports,
        .n_ready = n_ready,
        .physnets = me ? &me->physnets : NULL,
    };
    port_list_build(&pl_in, pl);
}

bool
session_endpoint_is_up(const char *name, const void *ss_)
{
    const struct switch_session *ss = ss_;
    const struct binding_endpoint *be = shash_find_data(&ss->endpoints.map,
                                                        name);
    return be && be->status.up;
}

bool
session_write_marks(struct switch_session *ss)
{
    const struct switch_db_marks mk = {
        .owner = ss->name,
        .installed = session_endpoint_is_up,
        .aux = ss,
        .news = &ss->ovs_news,
        .memo = ss->db_memo,
    };
    struct binding_endpoints *eps = &ss->endpoints;
    bool wrote;
    if (eps->marks_all) {
        wrote = switch_db_write_marks(ss->ovs.idl, ss->bridge, &mk);
    } else {
        /* Only the interfaces of the endpoints whose "up" changed since
         * the marks were last written. */
        COVERAGE_INC(switch_session_marks_some);
        size_t n = 0;
        const char **ifnames = xmalloc(MAX(sset_count(&eps->marks_changed), 1)
                                       * sizeof *ifnames);
        const char *name;
        SSET_FOR_EACH (name, &eps->marks_changed) {
            const struct binding_endpoint *be = shash_find_data(&eps->map,
                                                                name);
            if (be && be->ifname) {
                ifnames[n++] = be->ifname;
            }
        }
        wrote = switch_db_write_marks_of(ss->ifaces_by_name, ifnames, n, &mk);
        free(ifnames);
        if (desired_flows_checking()
            && switch_db_write_marks(ss->ovs.idl, ss->bridge, &mk)) {
            VLOG_ERR("switch %s: the marks of the endpoints whose \"up\" "
                     "changed left other marks to write", ss->name);
            wrote = true;
        }
    }
    binding_endpoints_take_marks(eps);
    return wrote;
}

bool
session_has_relay(const struct switch_session *ss)
{
    const struct tunnel_plan *plan = &ss->plan;
    for (size_t i = 0; plan->enabled && i < plan->n_peers; i++) {
        if (plan->peers[i].relay) {
            return true;
        }
    }
    return false;
}

/* The switch's database made to hold the bridge and 'pl''s ports (not while
 * watching: then it is only read), and the transaction committed.  The
 * vnet-installed marks are session_marks_run()'s.  Takes 'pl''s ports and
 * conflicts. */
void
session_step_switch_db(struct switch_session *ss, struct ovsdb_idl_txn *txn,
                       struct port_list_ctx_out *pl, const char *underlay)
{
    if (ovsdb_idl_is_connected(ss->ovs.idl)
        && ovsdb_idl_has_ever_connected(ss->ovs.idl)) {
        char *target = NULL;
        char *path = ss->releasing ? NULL : session_of_path(ss);
        if (path) {
            target = xasprintf("unix:%s", path);
            free(path);
        }
        /* The underlay bridge's MAC, from the tunnel IP: 0e:76:a.b.c.d. */
        char phy_hwaddr[18];
        uint8_t phy_mac[6];
        tunnel_phy_mac(ss->plan.local_ip, phy_mac);
        vnet_mac_format(phy_mac, phy_hwaddr);
        struct switch_db_config cfg = {
            .owner = ss->name,
            .bridge = ss->releasing ? NULL : ss->bridge,
            .datapath_type = ss->datapath_type,
            .controller_target = target,
            .ports = pl->ports,
            .n_ports = pl->n_ports,
            .phy_bridge = underlay ? VNET_PHY_BRIDGE : NULL,
            .underlay = underlay,
            .phy_hwaddr = underlay ? phy_hwaddr : NULL,
            .news = txn && !ss->watching ? &ss->ovs_news : NULL,
            .memo = ss->db_memo,
        };
        switch_db_result_destroy(&ss->db);
        switch_db_reconcile(ss->ovs.idl, ss->watching ? NULL : txn, &cfg,
                            &ss->db);
        free(target);
        /* (A port of ours can go with no news of the switch's database:
         * a relay tap that went behind our back, the relay stopped.) */
        struct simap ofports = SIMAP_INITIALIZER(&ofports);
        switch_db_own_ofports(&ss->db, &ofports);
        if (!simap_equal(&ofports, &ss->ofports)) {
            simap_swap(&ofports, &ss->ofports);
            ss->ofports_seqno++;
        }
        simap_destroy(&ofports);

        /* Remember what became stale, to remove its devices later, once
         * ovs-vswitchd has reconfigured after their removal (the next_cfg
         * this transaction sets, read from its reply: session_stale_ports_cfg()). */
        if (!ss->watching) {
            size_t n_stale = ss->stale.n;
            if (stale_ports_add(&ss->stale, ss->db.stale, ss->db.n_stale,
                                time_msec())) {
                relay_taps_sweep_soon(ss->taps);    /* A relay tap went. */
            }
            const struct ovsrec_open_vswitch *cfg
                = ovsrec_open_vswitch_first(ss->ovs.idl);
            if (txn && cfg && ss->stale.n > n_stale && !ss->cfg_in_flight) {
                ovsdb_idl_txn_increment(txn, &cfg->header_,
                                        &ovsrec_open_vswitch_col_next_cfg,
                                        false);
                ss->cfg_in_flight = true;
            }
            free(ss->db.stale);
            ss->db.stale = NULL;
            ss->db.n_stale = 0;
        }
    }
    session_commit(ss);
    if (!ovsdb_idl_is_connected(ss->ovs.idl)) {
        ss->bridge_configured = false;
    } else if (ss->db.ready && !ss->txn_pending && !ss->releasing) {
        ss->bridge_configured = true;
    }
    /* New endpoint ports alone, into a bridge configured before: the next
     * full run would find nothing to do once they are in, and need not
     * follow their transaction (session_own_txn_end()).  Not with a relay, which
     * waits for no transaction in flight.  (Ports a patch deleted before
     * this run, in the same transaction, are this run's to follow.) */
    if (switch_news_expects_writes(&ss->ovs_news)) {
        if (ss->db.inserts_only && ss->txn_pending && ss->bridge_configured
            && !ss->releasing && !session_has_relay(ss)) {
            ss->inserts_in_flight = true;
        } else {
            switch_news_forget(&ss->ovs_news);
        }
    }
    free(pl->ports);
    pl->ports = NULL;
    smap_destroy(&ss->port_conflicts);
    smap_clone(&ss->port_conflicts, &pl->conflicts);
    smap_destroy(&pl->conflicts);
}

/* The underlay moved to its bridge once the switch's database is
 * read, and the relay wanted (with the plan's peers) run once its taps exist
 * ('taps_exist'). */
void
session_step_relay(struct switch_session *ss, const char *underlay,
                   bool taps_exist)
{
    char *relay_wanted = relay_args(&ss->plan,
                                    attacher_get_switch_pid(ss->attacher),
                                    relay_owns_taps(ss));
    if (underlay && ss->db.ready) {
        underlay_recheck(ss->underlay);
        underlay_run(ss->underlay, underlay,
                     attacher_get_switch_pid(ss->attacher),
                     attacher_get_netns_fd(ss->attacher), ss->rundir,
                     &ss->plan);
    }
    ss->underlay_pending = underlay
                           && !nullable_string_is_equal(
                               underlay_get_iface(ss->underlay), underlay);
    /* A relay with other peers, or none wanted: stopped; the one wanted is
     * started (and restarted if it dies) once its taps exist. */
    if (relay_is_running(ss->relay)
        && !relay_runs_with(ss->relay, relay_wanted)) {
        relay_stop(ss->relay);
    }
    free(ss->relay_wanted);
    /* The switch's own taps exist once they are its ports, and no change
     * to its ports is in flight (one may be taking a tap away). */
    ss->relay_wanted = (taps_exist && !ss->txn_pending) || relay_owns_taps(ss)
                       ? nullable_xstrdup(relay_wanted) : NULL;
    /* Taps the relay is making become ports once they exist. */
    ss->poll_at = relay_wanted && !taps_exist && relay_owns_taps(ss)
                  ? time_msec() + 100 : LLONG_MAX;
    free(ss->underlay_wanted);
    ss->underlay_wanted = nullable_xstrdup(underlay);
    relay_run(ss->relay, ss->relay_wanted, ss->rundir, ss->plan.relay_key);
    ss->relay_ready = (relay_runs_with(ss->relay, relay_wanted)
                       && (!relay_wanted || relay_is_ready(ss->relay)));
    free(relay_wanted);
}

/* The switch's ports that are ours, as its database has them now
 * (binding_partition_ready()). */
static void
our_ports(const void *ss_, struct sset *names)
{
    const struct switch_session *ss = ss_;
    switch_db_our_ports(ss->ovs.idl, ss->name, names);
}

/* Only endpoints whose veth exists become ports: makes the namespaces and
 * veths 'wants' asks for (and removes those of ports gone a while ago), and
 * puts the endpoints that are ready first in 'wants'.  Returns how many are;
 * sets '*all_ready' to whether all are. */
size_t
session_step_attach(struct switch_session *ss, struct binding_wants *wants,
                    bool *all_ready)
{
    run_attacher(ss, wants->wants, wants->n);
    return binding_partition_ready(wants, ss->attacher, our_ports, ss,
                                   &ss->endpoints, all_ready);
}

/* The desired flows brought up to date (for a switch in use, with a valid
 * configuration and the NB at hand). */
void
session_step_flows(struct switch_session *ss, struct ovsdb_idl *nb,
                   const struct binding_wants *wants, struct lan_view *view)
{
    compute_flows(ss, nb, wants, view);
    if (ss->db.db_ready) {
        /* The switch's ports are known: the flows are complete. */
        flow_installer_set_desired_ready(ss->installer);
    }
}

/* What is reported: the endpoints' status, and the rows left out.  Frees
 * 'wants' and 'view'. */
void
session_step_report(struct switch_session *ss, struct ovsdb_idl *nb,
                    struct binding_wants *wants, struct lan_view *view,
                    bool all_ready)
{
    struct binding_report report;
    binding_report(&ss->endpoints, wants, ss->flow_gen, installer_holds,
                   ss->installer, all_ready, &report);
    ss->endpoints_ready = report.endpoints_ready;
    ss->attach_ready = all_ready;
    ss->n_unbound = report.n_unbound;
    ss->endpoint_errors = report.n_errors;
    session_report_up(ss, report.markers_ready);

    /* What a change of another network's endpoints is told apart by
     * (switch_session_run()). */
    hmapx_clear(&ss->nets_here);
    binding_wants_networks(wants, &ss->nets_here);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &view->nets) {
        const struct net_info *ni = node->data;
        if (ni->row && (ni->relevant || ni->n_ports)) {
            hmapx_add(&ss->nets_here, CONST_CAST(struct vnetrec_network *,
                                                 ni->row));
        }
    }
    ss->nets_known = nb && !ss->config_error;

    binding_wants_destroy(wants);
    if (!ss->watching) {
        /* Watching, the active ovs-vnetd logs them. */
        log_new_row_errors(ss, &view->errors);
    }
    smap_destroy(&ss->row_errors);
    smap_clone(&ss->row_errors, &view->errors);
    if (nb && !ss->config_error) {
        sset_swap(&ss->rows_accepted, &view->accepted);
        ss->rows_checked = true;
    }
    lan_view_destroy(view);
}

/* What follows from the endpoints' "up": whether the session has settled,
 * and the marks (the held packets ask for it of each port, release_held()). */
void
session_report_up(struct switch_session *ss, bool markers_ready)
{
    ss->settled = !ss->watching
                  && (ss->settled || flow_installer_has_audited(ss->installer)
                      || time_msec() >= ss->settle_deadline);
    if (ss->watching || !ss->settled) {
        /* Watching, the active ovs-vnetd writes the marks; unsettled,
         * what is installed is not known yet. */
        ss->markers_ready = markers_ready;
        ss->marks_due = false;
    } else {
        /* The marks follow at once, without a full run (session_marks_run()):
         * until they are written, or found in place, the switch is not in
         * sync. */
        ss->markers_ready = false;
        ss->marks_due = true;
    }
}

/* The endpoints' "up" again, for a settled session that writes the marks,
 * whose switch's flows have come in since the last full run, nothing else
 * having changed.  Returns true if any endpoint's "up" changed. */
bool
session_refresh_up(struct switch_session *ss)
{
    ovs_assert(ss->settled && !ss->watching);
    bool changed = binding_refresh_up(&ss->endpoints, installer_holds,
                                      ss->installer);
    session_report_up(ss, false);
    return changed;
}
