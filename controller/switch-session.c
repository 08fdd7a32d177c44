#include <config.h>
#include "controller/switch-session.h"
#include "controller/switch-session-private.h"

#include <errno.h>
#include <inttypes.h>
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
#include "controller/tunnels.h"
#include "controller/underlay.h"
#include "controller/uplink.h"
#include "controller/vif.h"
#include "coverage.h"
#include "flows/flow-units.h"
#include "flows/installer.h"
#include "flows/of-channel.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "openvswitch/shash.h"
#include "ovsdb/names.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "simap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session);

COVERAGE_DEFINE(switch_session_run);
COVERAGE_DEFINE(switch_session_idle_run);

/* How long a release may wait for an unreachable switch before giving up. */
#define RELEASE_TIMEOUT_MS (15 * 1000)
/* How long a new session keeps what an earlier ovs-vnetd reported of the
 * endpoints while the switch's flows cannot be read back. */
#define SETTLE_MS (10 * 1000)


static void
handle_of_msg(const struct ofpbuf *msg, void *ss_)
{
    struct switch_session *ss = ss_;
    const struct ofp_header *oh = msg->data;
    enum ofptype type;

    if (ofptype_decode(&type, oh)) {
        return;
    }
    if (type == OFPTYPE_PACKET_IN) {
        held_packets_take(ss->held, oh, time_msec());
    } else {
        flow_installer_handle_msg(ss->installer, type, oh);
    }
}

struct switch_session *
switch_session_create(const char *name)
{
    struct switch_session *ss = xzalloc(sizeof *ss);
    ss->name = xstrdup(name);
    ss->of = of_channel_create(name);
    ss->attacher = attacher_create(name);
    ss->units = flow_units_create();
    ss->installer = flow_installer_create(name, ss->of, ss->units);
    ss->prober = uplink_prober_create();
    ss->held = held_packets_create();
    ss->poll_at = LLONG_MAX;
    ss->settle_deadline = time_msec() + SETTLE_MS;
    ss->underlay = underlay_create(name);
    ss->relay = relay_create(name);
    smap_init(&ss->plan.tunnel_options);
    of_channel_set_handler(ss->of, handle_of_msg, ss);
    shash_init(&ss->endpoints);
    simap_init(&ss->ofports);
    smap_init(&ss->port_conflicts);
    smap_init(&ss->row_errors);
    sset_init(&ss->rows_accepted);
    sset_init(&ss->endpoints_accepted);
    ss->taps = relay_taps_create(name);
    return ss;
}

static void
close_ovsdb(struct switch_session *ss)
{
    if (ss->ovs.idl) {
        ovsdb_idl_loop_destroy(&ss->ovs);
        memset(&ss->ovs, 0, sizeof ss->ovs);
    }
}

void
switch_session_abandon(struct switch_session *ss)
{
    if (ss) {
        relay_forget(ss->relay);
        ss->relay = NULL;
        switch_session_destroy(ss);
    }
}

void
switch_session_destroy(struct switch_session *ss)
{
    if (ss) {
        close_ovsdb(ss);
        flow_installer_destroy(ss->installer);
        uplink_prober_destroy(ss->prober);
        held_packets_destroy(ss->held);
        relay_destroy(ss->relay);
        tunnel_plan_destroy(&ss->plan);
        underlay_destroy(ss->underlay);
        of_channel_destroy(ss->of);
        attacher_destroy(ss->attacher);
        stale_ports_destroy(&ss->stale);
        binding_endpoints_clear(&ss->endpoints);
        simap_destroy(&ss->ofports);
        smap_destroy(&ss->port_conflicts);
        smap_destroy(&ss->row_errors);
        sset_destroy(&ss->rows_accepted);
        sset_destroy(&ss->endpoints_accepted);
        shash_destroy(&ss->endpoints);
        relay_taps_destroy(ss->taps);
        flow_units_destroy(ss->units);
        free(ss->flows_error);
        free(ss->offload_invalid);
        switch_db_result_destroy(&ss->db);
        free(ss->remote);
        free(ss->bridge);
        free(ss->datapath_config);
        free(ss->datapath_type);
        free(ss->relay_wanted);
        free(ss->underlay_wanted);
        free(ss->rundir);
        free(ss->relay_key);
        free(ss->release_underlay);
        free(ss->config_error);
        free(ss->name);
        free(ss);
    }
}

const char *
switch_session_get_name(const struct switch_session *ss)
{
    return ss->name;
}

static bool
replace(char **dst, const char *src)
{
    if (nullable_string_is_equal(*dst, src)) {
        return false;
    }
    free(*dst);
    *dst = nullable_xstrdup(src);
    return true;
}

/* The OpenFlow channel listens where the bridge connects, unless the
 * session only watches. */
static void
set_of_path(struct switch_session *ss)
{
    char *path = ss->rundir && ss->bridge && !ss->watching && !ss->releasing
                 ? vnet_of_socket_path(ss->rundir, ss->bridge) : NULL;
    of_channel_set_path(ss->of, path);
    free(path);
}

void
switch_session_set_config(struct switch_session *ss,
                          const struct switch_session_config *cfg)
{
    if (ss->releasing) {
        return;
    }
    if (replace(&ss->config_error, cfg->error)) {
        ss->config_seqno++;
        if (cfg->error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "switch %s: %s", ss->name, cfg->error);
        }
    }
    if (cfg->error) {
        /* An invalid row changes nothing on the switch. */
        return;
    }

    if (replace(&ss->remote, cfg->remote)) {
        ss->config_seqno++;
        close_ovsdb(ss);
        if (ss->remote) {
            VLOG_INFO("switch %s: OVSDB %s", ss->name, ss->remote);
            struct ovsdb_idl *idl = ovsdb_idl_create(ss->remote,
                                                     &ovsrec_idl_class,
                                                     false, true);
            switch_db_register(idl);
            ss->ovs = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(idl);
        }
    }
    if (replace(&ss->bridge, cfg->bridge)
        | replace(&ss->datapath_config, cfg->datapath_type)
        | replace(&ss->rundir, cfg->rundir)
        | replace(&ss->relay_key, cfg->relay_key)
        | replace(&ss->release_underlay, cfg->release_underlay)
        | (ss->datapath_auto != cfg->datapath_auto)) {
        ss->config_seqno++;
    }
    ss->datapath_auto = cfg->datapath_auto;
    attacher_set_rundir(ss->attacher, ss->rundir);

    set_of_path(ss);
}

void
switch_session_watch(struct switch_session *ss)
{
    if (!ss->watching) {
        ss->watching = true;
        ss->config_seqno++;
        set_of_path(ss);
    }
}

void
switch_session_take_over(struct switch_session *ss)
{
    if (ss->watching) {
        VLOG_INFO("switch %s: taking over", ss->name);
        ss->watching = false;
        ss->config_seqno++;
        set_of_path(ss);
        /* What the endpoints were reported stands until the switch's flows
         * are read back, as for a new process. */
        ss->settled = false;
        ss->settle_deadline = time_msec() + SETTLE_MS;
        /* Computed again with what only a driving session sees (the relay
         * taps the attacher finds): the installer compares them with the
         * switch's flows, so what is the same is not sent. */
        ss->flows_computed = false;
        if (ss->peers_changed) {
            flow_installer_flush_learned(ss->installer);
            ss->peers_changed = false;
        }
    }
}

bool
switch_session_is_watching(const struct switch_session *ss)
{
    return ss->watching;
}

void
switch_session_release(struct switch_session *ss)
{
    if (!ss->releasing) {
        VLOG_INFO("switch %s: releasing", ss->name);
        ss->releasing = true;
        ss->config_seqno++;
        ss->release_deadline = time_msec() + RELEASE_TIMEOUT_MS;
        relay_taps_sweep_soon(ss->taps);
        of_channel_set_path(ss->of, NULL);
        if (!ss->ovs.idl || ss->config_error || ss->watching) {
            /* Never configured anything there. */
            ss->released = true;
        }
    }
}

bool
switch_session_is_releasing(const struct switch_session *ss)
{
    return ss->releasing;
}

bool
switch_session_is_released(const struct switch_session *ss)
{
    return ss->released;
}

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

/* What binding reads, as things are now. */
static struct binding_ctx_in
binding_in(const struct switch_session *ss, struct ovsdb_idl *nb)
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
        .kept = ss->endpoints_checked ? &ss->endpoints_accepted : NULL,
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
    struct binding_ctx_in b_in = binding_in(ss, nb);
    binding_bind(&b_in, wants, &ss->endpoints);
    const struct vnetrec_switch *me = own_row(ss, nb);
    lan_view_add_physnets(view, me ? &me->physnets : NULL);

    /* The rest follows the NB and the switch database only: without a
     * change there, the desired flows are the same. */
    unsigned int nb_seqno = ovsdb_idl_get_seqno(nb);
    unsigned int ovs_seqno = ovsdb_idl_get_seqno(ss->ovs.idl);
    if (ss->flows_computed && nb_seqno == ss->flows_nb_seqno
        && ovs_seqno == ss->flows_ovs_seqno) {
        return;
    }
    ss->flows_nb_seqno = nb_seqno;
    ss->flows_ovs_seqno = ovs_seqno;
    /* An error the switch reported before now was about other flows. */
    struct flow_installer_stats fs;
    flow_installer_get_stats(ss->installer, &fs);
    ss->errors_before = fs.n_errors;

    struct desired_flows_ctx_in in = {
        .nb = nb,
        .switch_name = ss->name,
        .plan = &ss->plan,
        .ofports = &ss->ofports,
    };
    struct desired_flows_ctx_out out = { .units = ss->units };
    desired_flows_run(&in, view, &out);
    uplink_prober_set_routers(ss->prober, view->routers, view->n_routers);
    if (out.error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "switch %s: %s", ss->name, out.error);
    }
    free(ss->flows_error);
    ss->flows_error = out.error;
    ss->flows_computed = true;
    if (out.changed) {
        flow_installer_desired_changed(ss->installer, ++ss->flow_gen);
    }
}

/* The interface whose IP this switch's tunnels use, if it must move to the
 * underlay bridge: tunnels on the netdev datapath only. */
static const char *
underlay_wanted(const struct switch_session *ss, struct ovsdb_idl *nb)
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
    struct sset in_use;
    ports_in_use(ss, now, &in_use);
    attacher_run(ss->attacher, wants, n_wants, records, n_records, &in_use);
    sset_destroy(&in_use);
    free(records);
    /* Forget what is done.  (A port that carries nothing to delete is kept
     * too until then: its name stays in use meanwhile.) */
    stale_ports_forget_due(&ss->stale, now);
}

/* True if the relay makes its taps itself: on the kernel datapath. */
static bool
relay_owns_taps(const struct switch_session *ss)
{
    return datapath_is(ss, "system");
}

/* The datapath the switch runs, which endpoints, tunnels and the relay
 * follow: as configured, except that "auto" picks the kernel's only where the
 * switch offers it (an ovs-vswitchd started with --disable-system does not;
 * until its database says, it is assumed to). */
static void
resolve_datapath(struct switch_session *ss)
{
    const char *dp = ss->datapath_config;
    if (ss->datapath_auto && dp && !strcmp(dp, "system")
        && !switch_db_supports_datapath(ss->ovs.idl, "system")) {
        dp = "netdev";
    }
    if (replace(&ss->datapath_type, dp) && dp) {
        VLOG_INFO("switch %s: datapath %s", ss->name, dp);
    }
}

static void full_run(struct switch_session *, struct ovsdb_idl *nb,
                     struct ovsdb_idl_txn *);
static void finish_run(struct switch_session *, struct ovsdb_idl *nb,
                       struct binding_wants *, struct lan_view *,
                       struct sset *installed, bool all_ready);

/* A full run recomputes what the switch must have, at a cost that grows
 * with the network; most wake-ups (replies, our own status coming back,
 * timers of other modules) change none of its inputs.  They are what the
 * key holds, and the timers of the full run. */
static struct run_key
run_key_now(const struct switch_session *ss, struct ovsdb_idl *nb)
{
    struct run_key key;
    memset(&key, 0, sizeof key);
    key.nb_seqno = nb ? ovsdb_idl_get_seqno(nb) : 0;
    key.ovs_seqno = ovsdb_idl_get_seqno(ss->ovs.idl);
    key.ovs_connected = ovsdb_idl_is_connected(ss->ovs.idl);
    key.txn_pending = ss->ovs.committing_txn != NULL;
    key.of_seqno = of_channel_get_seqno(ss->of);
    key.of_state = of_channel_get_state(ss->of);
    key.installed_gen = flow_installer_get_installed(ss->installer);
    key.synced = flow_installer_is_synced(ss->installer);
    key.relay_running = relay_is_running(ss->relay);
    key.underlay_done = nullable_string_is_equal(
        underlay_get_iface(ss->underlay), ss->underlay_wanted);
    key.datapath_type = ss->datapath_type;
    key.config_seqno = ss->config_seqno;
    key.releasing = ss->releasing;
    return key;
}

static bool
full_run_needed(struct switch_session *ss, const struct run_key *key)
{
    long long int now = time_msec();
    if (!ss->ran_once || ss->rerun || memcmp(key, &ss->last_key, sizeof *key)
        || now >= attacher_next_retry(ss->attacher) || now >= ss->poll_at
        || (!ss->settled && now >= ss->settle_deadline)) {
        return true;
    }
    return stale_ports_any_due(&ss->stale, now);
}

static struct relay_taps_ctx
relay_taps_ctx(const struct switch_session *ss)
{
    return (struct relay_taps_ctx) {
        .netns_fd = attacher_get_netns_fd(ss->attacher),
        .db_ready = ss->db.ready && !ss->txn_pending,
        .owns_taps = relay_owns_taps(ss),
        .relay_running = relay_is_running(ss->relay),
        .plan = &ss->plan,
        .bindings = ss->db.bindings,
        .n_bindings = ss->db.n_bindings,
    };
}

/* Sends the held packets of the ports whose endpoints are up back into the
 * pipeline. */
static void
release_held(struct switch_session *ss)
{
    int version = of_channel_get_version(ss->of);
    if (version <= 0) {
        held_packets_clear(ss->held);
        return;
    }
    if (!held_packets_count(ss->held)) {
        return;
    }

    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    size_t n = held_packets_release(ss->held, version, time_msec(), &msgs);
    if (n) {
        VLOG_DBG("switch %s: %zu held packets sent back into the pipeline",
                 ss->name, n);
    }
    struct ofpbuf *msg;
    LIST_FOR_EACH_POP (msg, list_node, &msgs) {
        of_channel_send(ss->of, msg);
    }
}

void
switch_session_run(struct switch_session *ss, struct ovsdb_idl *nb)
{
    of_channel_run(ss->of);
    if (!ss->ovs.idl || ss->released) {
        held_packets_clear(ss->held);
        return;
    }
    /* A new connection's audit can start while the desired flows are
     * computed. */
    flow_installer_run(ss->installer);
    struct ovsdb_idl_txn *txn = ovsdb_idl_loop_run(&ss->ovs);
    resolve_datapath(ss);

    /* A repaired endpoint may have a new host end, a relay tap deleted
     * behind our back must be plugged in again: a full run follows. */
    bool repaired = false;
    if (!ss->watching) {
        repaired = attacher_verify(ss->attacher);
        struct relay_taps_ctx taps_ctx = relay_taps_ctx(ss);
        if (relay_taps_run(ss->taps, &taps_ctx)) {
            relay_stop(ss->relay);
            repaired = true;
        }
    }
    struct run_key key = run_key_now(ss, nb);
    if (repaired || full_run_needed(ss, &key)) {
        COVERAGE_INC(switch_session_run);
        ss->ran_once = true;
        full_run(ss, nb, txn);
        ss->status_seqno++;
        /* As the run left things: what it changed itself (a transaction
         * sent, new desired flows not in sync yet) is no news for the
         * next. */
        ss->last_key = run_key_now(ss, nb);
    } else if (ss->watching) {
        COVERAGE_INC(switch_session_idle_run);
        ovsdb_idl_loop_commit_and_wait(&ss->ovs);
    } else {
        /* Only what keeps going on its own. */
        COVERAGE_INC(switch_session_idle_run);
        if (ss->underlay_wanted && ss->db.ready) {
            underlay_run(ss->underlay, ss->underlay_wanted,
                         attacher_get_switch_pid(ss->attacher),
                         attacher_get_netns_fd(ss->attacher), ss->rundir,
                         &ss->plan);
        }
        relay_run(ss->relay, ss->relay_wanted, ss->rundir,
                  ss->plan.relay_key);
        ovsdb_idl_loop_commit_and_wait(&ss->ovs);
        ss->txn_pending = ss->ovs.committing_txn != NULL;
        flow_installer_run(ss->installer);
        uplink_prober_run(ss->prober, ss->of,
                          flow_installer_is_synced(ss->installer));
    }

    if (ss->releasing) {
        /* Relay taps go too, unless ovs-vswitchd is not there to say
         * where they are. */
        bool taps_gone = !relay_owns_taps(ss) || relay_taps_swept(ss->taps)
                         || attacher_get_netns_fd(ss->attacher) < 0;
        if (ss->db.ready && !ss->txn_pending && !ss->stale.n && taps_gone) {
            VLOG_INFO("switch %s: released", ss->name);
            ss->released = true;
        } else if (time_msec() >= ss->release_deadline) {
            VLOG_WARN("switch %s: giving up releasing; the switch is not "
                      "reachable (its bridge %s may remain)",
                      ss->name, ss->bridge ? ss->bridge : "");
            ss->released = true;
        }
    }
    if (!ss->watching) {
        release_held(ss);
    }
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

static void
full_run(struct switch_session *ss, struct ovsdb_idl *nb,
         struct ovsdb_idl_txn *txn)
{
    /* What this switch must have. */
    struct lan_view view;
    lan_view_init(&view);
    if (nb && !ss->config_error) {
        /* Before this process's first check, the status an earlier one
         * wrote says which rows it left out. */
        lan_view_check(&view, nb,
                       ss->rows_checked ? &ss->rows_accepted : NULL);
    }
    struct binding_wants wants;
    memset(&wants, 0, sizeof wants);
    ss->offload_local = nb && offload_local(ss, nb);
    const struct vnetrec_switch *row = nb ? own_row(ss, nb) : NULL;
    const char *policy = row ? smap_get(&row->options, VNET_OFFLOAD_KEY)
                             : NULL;
    free(ss->offload_invalid);
    ss->offload_invalid = (policy && !vnet_offload_is_valid(policy)
                           ? xstrdup(policy) : NULL);
    if (nb && !ss->config_error) {
        /* Endpoint errors are found afresh every run. */
        binding_endpoints_reset(&ss->endpoints);
        struct binding_ctx_in b_in = binding_in(ss, nb);
        binding_collect(&b_in, &view, &ss->endpoints, &wants);
        sset_swap(&ss->endpoints_accepted, &wants.accepted);
        ss->endpoints_checked = true;
        view.endpoints_ok = &ss->endpoints_accepted;
    }
    struct tunnel_plan fresh;
    if (nb && !ss->config_error && !ss->releasing) {
        tunnel_plan_build(&fresh, nb, ss->name, ss->relay_key);
    } else {
        memset(&fresh, 0, sizeof fresh);
        smap_init(&fresh.tunnel_options);
    }
    /* A peer that left (or moved) may be behind learned MACs: forget them
     * (watching: once driving). */
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
    const char *underlay = underlay_wanted(ss, nb);
    if (ss->watching) {
        /* Nothing is changed: neither the IP, nor devices. */
    } else if (ss->releasing && ss->release_underlay
               && datapath_is(ss, "netdev")) {
        /* What an earlier ovs-vnetd moved goes back too. */
        underlay_adopt(ss->underlay, ss->release_underlay,
                       attacher_get_switch_pid(ss->attacher),
                       attacher_get_netns_fd(ss->attacher));
    }
    const char *moved = underlay_get_iface(ss->underlay);
    if (moved && !nullable_string_is_equal(moved, underlay)
        && !ss->watching) {
        /* Released, or the underlay changed: give the IP back first. */
        underlay_give_back(ss->underlay, attacher_get_switch_pid(ss->attacher),
                           attacher_get_netns_fd(ss->attacher));
    }

    /* Only endpoints whose veth exists become ports.  (Watching, the ports
     * the switch has are those the active ovs-vnetd made.) */
    bool all_ready = true;
    size_t n_ready = wants.n;
    if (!ss->watching) {
        run_attacher(ss, wants.wants, wants.n);
        n_ready = binding_partition_ready(&wants, ss->attacher,
                                          &ss->endpoints, &all_ready);
    }

    /* Its ports: those endpoints, uplinks, tunnels and relay taps (but not
     * a tap deleted behind our back, until its port has gone). */
    struct sset in_use;
    ports_in_use(ss, time_msec(), &in_use);
    const struct sset *unplugged = relay_taps_unplugged(ss->taps, &in_use);
    sset_destroy(&in_use);
    bool usable = nb && !ss->config_error && !ss->releasing;
    struct port_list_ctx_in pl_in = {
        .nb = usable ? nb : NULL,
        .bad_routers = &view.bad_routers,
        .switch_name = ss->name,
        .bridge = ss->bridge,
        .underlay = underlay,
        .plan = &ss->plan,
        .ofports = &ss->ofports,
        .switch_netns_fd = attacher_get_netns_fd(ss->attacher),
        .relay_owns_taps = relay_owns_taps(ss),
        .unplugged = unplugged,
        .ready = wants.ports,
        .n_ready = n_ready,
    };
    const struct vnetrec_switch *me = usable ? own_row(ss, nb) : NULL;
    pl_in.physnets = me ? &me->physnets : NULL;
    struct port_list_ctx_out pl;
    port_list_build(&pl_in, &pl);
    bool taps_exist = pl.taps_exist;
    char *relay_wanted = relay_args(&ss->plan,
                                    attacher_get_switch_pid(ss->attacher),
                                    relay_owns_taps(ss));

    /* Interfaces whose flows are in: the endpoints served here that were up
     * at the end of the last run. */
    struct sset installed = SSET_INITIALIZER(&installed);
    struct shash_node *es_node;
    SHASH_FOR_EACH (es_node, &ss->endpoints) {
        const struct binding_endpoint *be = es_node->data;
        if (be->status.up) {
            sset_add(&installed, es_node->name);
        }
    }

    /* The underlay bridge's MAC, from the tunnel IP: 0e:76:a.b.c.d. */
    char phy_hwaddr[18];
    uint8_t phy_mac[6];
    tunnel_phy_mac(ss->plan.local_ip, phy_mac);
    vnet_mac_format(phy_mac, phy_hwaddr);

    if (ovsdb_idl_is_connected(ss->ovs.idl)
        && ovsdb_idl_has_ever_connected(ss->ovs.idl)) {
        char *target = NULL;
        if (!ss->releasing) {
            char *path = vnet_of_socket_path(ss->rundir, ss->bridge);
            target = xasprintf("unix:%s", path);
            free(path);
        }
        struct switch_db_config cfg = {
            .owner = ss->name,
            .bridge = ss->releasing ? NULL : ss->bridge,
            .datapath_type = ss->datapath_type,
            .controller_target = target,
            .ports = pl.ports,
            .n_ports = pl.n_ports,
            .installed = ss->settled ? &installed : NULL,
            .phy_bridge = underlay ? VNET_PHY_BRIDGE : NULL,
            .underlay = underlay,
            .phy_hwaddr = underlay ? phy_hwaddr : NULL,
        };
        switch_db_result_destroy(&ss->db);
        switch_db_reconcile(ss->ovs.idl, ss->watching ? NULL : txn, &cfg,
                            &ss->db);
        free(target);
        simap_clear(&ss->ofports);
        switch_db_own_ofports(&ss->db, &ss->ofports);

        /* Remember what became stale, to remove its devices later. */
        if (!ss->watching) {
            if (stale_ports_add(&ss->stale, ss->db.stale, ss->db.n_stale,
                                time_msec())) {
                relay_taps_sweep_soon(ss->taps);    /* A relay tap went. */
            }
            free(ss->db.stale);
            ss->db.stale = NULL;
            ss->db.n_stale = 0;
        }
    }
    ovsdb_idl_loop_commit_and_wait(&ss->ovs);
    ss->txn_pending = ss->ovs.committing_txn != NULL;
    if (!ovsdb_idl_is_connected(ss->ovs.idl)) {
        ss->bridge_configured = false;
    } else if (ss->db.ready && !ss->txn_pending && !ss->releasing) {
        ss->bridge_configured = true;
    }
    free(pl.ports);
    smap_destroy(&ss->port_conflicts);
    smap_clone(&ss->port_conflicts, &pl.conflicts);
    smap_destroy(&pl.conflicts);

    if (ss->watching) {
        free(relay_wanted);
        finish_run(ss, nb, &wants, &view, &installed, all_ready);
        return;
    }
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
    ss->relay_ready = relay_runs_with(ss->relay, relay_wanted);
    free(relay_wanted);
    finish_run(ss, nb, &wants, &view, &installed, all_ready);
}

/* The end of a full run: the desired flows, and what is reported.  Frees
 * 'wants', 'view' and 'installed'. */
static void
finish_run(struct switch_session *ss, struct ovsdb_idl *nb,
           struct binding_wants *wants, struct lan_view *view,
           struct sset *installed, bool all_ready)
{
    if (nb && !ss->releasing && !ss->config_error) {
        compute_flows(ss, nb, wants, view);
        if (ss->db.db_ready) {
            /* The switch's ports are known: the flows are complete. */
            flow_installer_set_desired_ready(ss->installer);
        }
    } else {
        uplink_prober_set_routers(ss->prober, NULL, 0);
    }
    if (!ss->watching) {
        flow_installer_run(ss->installer);
        uplink_prober_run(ss->prober, ss->of,
                          flow_installer_is_synced(ss->installer));
    }

    struct binding_report report;
    binding_report(&ss->endpoints, wants, installed, ss->flow_gen,
                   installer_holds, ss->installer, all_ready, &report);
    ss->endpoints_ready = report.endpoints_ready;
    ss->settled = !ss->watching
                  && (ss->settled || flow_installer_has_audited(ss->installer)
                      || time_msec() >= ss->settle_deadline);
    ss->markers_ready = report.markers_ready;
    /* For the held packets: once a run, not on every packet. */
    held_packets_ready_clear(ss->held);
    struct shash_node *ep_node;
    SHASH_FOR_EACH (ep_node, &ss->endpoints) {
        const struct binding_endpoint *ep = ep_node->data;
        if (ep->status.up && ep->bound_ofport > 0) {
            held_packets_ready_add(ss->held, ep->bound_ofport);
        }
    }
    /* The markers follow in the next full run, at once (not while
     * watching: the active ovs-vnetd writes them). */
    ss->rerun = report.rerun && !ss->watching;
    sset_destroy(installed);

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

void
switch_session_wait(struct switch_session *ss)
{
    if (ss->watching) {
        /* Only the NB and the switch's database wake it up: the timers of
         * what it does not run (attacher, relay, taps) are not its. */
        if (ss->ovs.idl) {
            ovsdb_idl_wait(ss->ovs.idl);
        }
        return;
    }
    if (ss->rerun && !ss->released) {
        poll_immediate_wake();
    }
    of_channel_wait(ss->of);
    flow_installer_wait(ss->installer);
    uplink_prober_wait(ss->prober);
    poll_timer_wait_until(held_packets_next_expiry(ss->held));
    relay_wait(ss->relay);
    struct relay_taps_ctx taps_ctx = relay_taps_ctx(ss);
    relay_taps_wait(ss->taps, &taps_ctx);
    underlay_wait(ss->underlay);
    poll_timer_wait_until(attacher_next_retry(ss->attacher));
    poll_timer_wait_until(ss->poll_at);
    if (!ss->settled) {
        poll_timer_wait_until(ss->settle_deadline);
    }
    poll_timer_wait_until(attacher_next_verify(ss->attacher));
    stale_ports_wait(&ss->stale);
    if (ss->ovs.idl && !ss->released) {
        ovsdb_idl_wait(ss->ovs.idl);
    }
    if (ss->releasing && !ss->released) {
        poll_timer_wait_until(ss->release_deadline);
    }
}
