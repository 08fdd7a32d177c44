#include <config.h>
#include "controller/switch-session.h"
#include "controller/switch-session-private.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/announce.h"
#include "controller/attach.h"
#include "controller/binding.h"
#include "controller/desired-flows.h"
#include "controller/held-packets.h"
#include "controller/lan-view.h"
#include "controller/nb-news.h"
#include "controller/port-list.h"
#include "controller/relay-taps.h"
#include "controller/run-times.h"
#include "controller/stale-ports.h"
#include "controller/switch-db.h"
#include "controller/relay.h"
#include "controller/tunnels.h"
#include "controller/underlay.h"
#include "controller/uplink.h"
#include "controller/vif.h"
#include "coverage.h"
#include "flows/flow-units.h"
#include "flows/installer.h"
#include "flows/of-channel.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/dynamic-string.h"
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
COVERAGE_DEFINE(switch_session_up_run);
COVERAGE_DEFINE(switch_session_rerun);
COVERAGE_DEFINE(switch_session_recompute);
COVERAGE_DEFINE(switch_session_check_skipped);
COVERAGE_DEFINE(switch_session_elsewhere);
COVERAGE_DEFINE(switch_session_patch);

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
    static unsigned int serial;
    run_times_init();
    struct switch_session *ss = xzalloc(sizeof *ss);
    ss->serial = ++serial;
    ss->name = xstrdup(name);
    ss->of = of_channel_create(name);
    ss->attacher = attacher_create(name);
    ss->units = flow_units_create();
    ss->installer = flow_installer_create(name, ss->of, ss->units);
    ss->prober = uplink_prober_create();
    ss->held = held_packets_create();
    ss->announcer = announcer_create();
    attacher_set_announcer(ss->attacher, ss->announcer);
    ss->poll_at = LLONG_MAX;
    ss->of_alt = -1;
    ss->settle_deadline = time_msec() + SETTLE_MS;
    ss->underlay = underlay_create(name);
    ss->relay = relay_create(name);
    smap_init(&ss->plan.tunnel_options);
    of_channel_set_handler(ss->of, handle_of_msg, ss);
    binding_endpoints_init(&ss->endpoints);
    simap_init(&ss->ofports);
    smap_init(&ss->port_conflicts);
    smap_init(&ss->row_errors);
    sset_init(&ss->rows_accepted);
    sset_init(&ss->left_to_run);
    hmapx_init(&ss->nets_here);
    hmap_init(&ss->flows_nets);
    binding_memos_init(&ss->memos);
    ss->db_memo = switch_db_memo_create();
    ss->taps = relay_taps_create(name);
    switch_news_init(&ss->ovs_news);
    return ss;
}

static void
close_ovsdb(struct switch_session *ss)
{
    if (ss->ovs.idl) {
        ovsdb_idl_loop_destroy(&ss->ovs);
        memset(&ss->ovs, 0, sizeof ss->ovs);
        ss->ifaces_by_name = NULL;
        ss->ports_by_name = NULL;
    }
    switch_news_forget(&ss->ovs_news);
    ss->marks_in_flight = false;
    ss->inserts_in_flight = false;
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
        switch_news_destroy(&ss->ovs_news);
        flow_installer_destroy(ss->installer);
        uplink_prober_destroy(ss->prober);
        held_packets_destroy(ss->held);
        announcer_destroy(ss->announcer);
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
        sset_destroy(&ss->left_to_run);
        hmapx_destroy(&ss->nets_here);
        desired_flows_nets_clear(&ss->flows_nets);
        hmap_destroy(&ss->flows_nets);
        binding_memos_destroy(&ss->memos);
        switch_db_memo_destroy(ss->db_memo);
        binding_endpoints_destroy(&ss->endpoints);
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

unsigned int
switch_session_get_serial(const struct switch_session *ss)
{
    return ss->serial;
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
        ss->of_alt = -1;
        close_ovsdb(ss);
        if (ss->remote) {
            VLOG_INFO("switch %s: OVSDB %s", ss->name, ss->remote);
            struct ovsdb_idl *idl = ovsdb_idl_create(ss->remote,
                                                     &ovsrec_idl_class,
                                                     false, true);
            ss->ifaces_by_name = switch_db_register(idl, &ss->ports_by_name);
            ss->ovs = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(idl);
        }
    }
    bool where = (!nullable_string_is_equal(ss->bridge, cfg->bridge)
                  || !nullable_string_is_equal(ss->rundir, cfg->rundir));
    if (where) {
        ss->of_alt = -1;
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

    session_set_of_path(ss);
}

void
switch_session_watch(struct switch_session *ss)
{
    if (!ss->watching) {
        ss->watching = true;
        ss->config_seqno++;
        ss->of_alt = -1;
        session_set_of_path(ss);
    }
}

void
switch_session_take_over(struct switch_session *ss)
{
    if (ss->watching) {
        VLOG_INFO("switch %s: taking over", ss->name);
        ss->watching = false;
        ss->config_seqno++;
        ss->of_alt = -1;
        session_set_of_path(ss);
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

/* A full run recomputes what the switch must have, at a cost that grows
 * with the network; most wake-ups (replies, our own status coming back,
 * timers of other modules) change none of its inputs.  They are what the
 * key holds, and the timers of the full run. */
static struct run_key
run_key_now(const struct switch_session *ss, struct ovsdb_idl *nb,
            const struct nb_news *news)
{
    struct run_key key;
    memset(&key, 0, sizeof key);
    key.nb_seqno = nb ? news->seqno : 0;
    key.ovs_seqno = ss->ovs_news_seqno;
    key.ovs_connected = ovsdb_idl_is_connected(ss->ovs.idl);
    key.txn_pending = ss->ovs.committing_txn != NULL;
    key.of_seqno = of_channel_get_seqno(ss->of);
    key.of_state = of_channel_get_state(ss->of);
    key.installed_gen = flow_installer_get_installed(ss->installer);
    key.synced = flow_installer_is_synced(ss->installer);
    key.relay_running = relay_is_running(ss->relay);
    key.relay_ready = relay_is_ready(ss->relay);
    key.underlay_done = nullable_string_is_equal(
        underlay_get_iface(ss->underlay), ss->underlay_wanted);
    key.datapath_type = ss->datapath_type;
    key.config_seqno = ss->config_seqno;
    key.releasing = ss->releasing;
    return key;
}

/* Whether the underlay runs between full runs (and so may be waited for):
 * while it is wanted and the switch's database is read. */
static bool
underlay_runs(const struct switch_session *ss)
{
    /* (underlay_run() does nothing while ovs-vswitchd's namespace is
     * unknown, and its timers would not move.) */
    return (ss->underlay_wanted && ss->db.ready
            && attacher_get_switch_pid(ss->attacher));
}

/* Whether a timer of the full run is due. */
static bool
timers_due(const struct switch_session *ss)
{
    long long int now = time_msec();
    return (now >= attacher_next_retry(ss->attacher) || now >= ss->poll_at
            || (!ss->settled && now >= ss->settle_deadline)
            || stale_ports_any_due(&ss->stale, now));
}

static bool
full_run_needed(struct switch_session *ss, const struct run_key *key)
{
    return (!ss->ran_once || ss->rerun
            || memcmp(key, &ss->last_key, sizeof *key) || timers_due(ss));
}

/* Logs (at debug level) why a full run runs: what changed since the last
 * one, a repair of an endpoint or a relay tap, or a timer that is due. */
static void
log_full_run_cause(const struct switch_session *ss, const struct run_key *key,
                   bool repaired, bool recompute)
{
    if (!VLOG_IS_DBG_ENABLED()) {
        return;
    }
    const struct run_key *o = &ss->last_key;
    struct ds s = DS_EMPTY_INITIALIZER;
#define CHANGED(FIELD) \
    if (memcmp(&key->FIELD, &o->FIELD, sizeof key->FIELD)) { \
        ds_put_cstr(&s, " " #FIELD); \
    }
    CHANGED(nb_seqno);
    CHANGED(ovs_seqno);
    CHANGED(ovs_connected);
    CHANGED(txn_pending);
    CHANGED(of_seqno);
    CHANGED(of_state);
    CHANGED(installed_gen);
    CHANGED(synced);
    CHANGED(relay_running);
    CHANGED(relay_ready);
    CHANGED(underlay_done);
    CHANGED(datapath_type);
    CHANGED(config_seqno);
    CHANGED(releasing);
#undef CHANGED
    if (!ss->ran_once) {
        ds_put_cstr(&s, " first");
    } else if (recompute) {
        ds_put_cstr(&s, " recompute");
    } else if (repaired) {
        ds_put_cstr(&s, " repair");
    } else if (ss->rerun) {
        ds_put_cstr(&s, " rerun");
    } else if (!s.length) {
        ds_put_cstr(&s, " timer");
    }
    VLOG_DBG("switch %s: full run:%s", ss->name, ds_cstr(&s));
    ds_destroy(&s);
}

/* Whether all that changed since the last full run is the switch's flows
 * coming in (the installer's generation and sync), for a settled session
 * that writes the marks: then only the endpoints' "up" follows
 * (session_refresh_up()), which is what makes a new endpoint up. */
static bool
only_flows_came_in(const struct switch_session *ss, const struct run_key *key)
{
    return (ss->ran_once && !ss->watching && ss->settled && !ss->rerun
            && !timers_due(ss) && memcmp(key, &ss->last_key, sizeof *key)
            && session_key_is_last_but_flows(ss, key));
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

static bool
port_up(int64_t ofport, const void *endpoints)
{
    return binding_endpoints_port_up(endpoints, ofport);
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
    size_t n = held_packets_release(ss->held, version, time_msec(),
                                    port_up, &ss->endpoints, &msgs);
    if (n) {
        VLOG_DBG("switch %s: %zu held packets sent back into the pipeline",
                 ss->name, n);
    }
    struct ofpbuf *msg;
    LIST_FOR_EACH_POP (msg, list_node, &msgs) {
        of_channel_send(ss->of, msg);
    }
}

static int64_t
port_if_up(const char *endpoint, uint64_t gen, const void *ss_)
{
    const struct switch_session *ss = ss_;
    const struct binding_endpoint *be = shash_find_data(&ss->endpoints.map,
                                                        endpoint);
    return (be && be->status.up && flow_installer_holds(ss->installer, gen)
            ? be->status.ofport : 0);
}

/* Announces the endpoints whose addresses had another MAC, once their
 * flows, and those made after their new address, are in. */
static void
announce(struct switch_session *ss)
{
    int version = of_channel_get_version(ss->of);
    if (version <= 0 || !announcer_count(ss->announcer)) {
        return;
    }
    announcer_stamp(ss->announcer, ss->flow_gen);
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    announcer_run(ss->announcer, version, time_msec(), port_if_up, ss,
                  &msgs);
    struct ofpbuf *msg;
    LIST_FOR_EACH_POP (msg, list_node, &msgs) {
        of_channel_send(ss->of, msg);
    }
}

/* Whether the session has no switch database to work on (none yet, or
 * released): switch_session_run() and _wait() stop early alike. */
static bool
session_idle(const struct switch_session *ss)
{
    return !ss->ovs.idl || ss->released;
}

/* Whether the first run still waits for the switch's database to answer
 * (as the OpenFlow socket's choice does): both stop there too.  A first run
 * that adopts thousands of endpoints before its reply is read would put off
 * the choice, and the switch's connection, by as long. */
static bool
session_awaits_first_answer(const struct switch_session *ss)
{
    return !ss->ran_once && ss->of_choose_at;
}

void
switch_session_run(struct switch_session *ss, struct ovsdb_idl *nb,
                   const struct nb_news *news)
{
    of_channel_run(ss->of);
    if (!ss->watching) {
        /* (Also when the rest does not run: its timer woke this run.) */
        announce(ss);
    }
    if (session_idle(ss)) {
        held_packets_clear(ss->held);
        return;
    }
    /* A new connection's audit can start while the desired flows are
     * computed. */
    flow_installer_run(ss->installer);
    session_stale_ports_cfg(ss);
    struct ovsdb_idl_txn *txn = ovsdb_idl_loop_run(&ss->ovs);
    session_choose_of_socket(ss);
    if (session_awaits_first_answer(ss)) {
        return;
    }
    switch_db_memo_forget_changed(ss->db_memo, ss->ovs.idl);
    switch_news_set_bridge(&ss->ovs_news, ss->bridge);
    ss->ovs_news_seqno = switch_news_run(&ss->ovs_news, ss->ovs.idl);
    const struct ovsrec_open_vswitch *cfg
        = ovsrec_open_vswitch_first(ss->ovs.idl);
    if (cfg && stale_ports_release(&ss->stale, cfg->cur_cfg, time_msec())) {
        VLOG_DBG("switch %s: ovs-vswitchd reconfigured up to %"PRId64
                 ": removed ports' devices may go", ss->name, cfg->cur_cfg);
    }
    session_remove_stale_alone(ss);
    session_own_txn_end(ss);
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
    ss->news = news;
    /* A recomputation asked for: a full run follows that works every
     * endpoint row out again from the row itself (not from its version), as
     * every interface's ids, and generates the flows whole; then the
     * switch's flows are audited.  (What is history, not a cache, stays:
     * which endpoint held a contested address first.) */
    bool recompute = ss->recompute;
    if (recompute) {
        ss->recompute = false;
        COVERAGE_INC(switch_session_recompute);
        binding_memos_forget_owners(&ss->memos);
        switch_db_memo_destroy(ss->db_memo);
        ss->db_memo = switch_db_memo_create();
        ss->flows_computed = false;
        flow_installer_audit_now(ss->installer);
        repaired = true;
    }
    struct run_key key = run_key_now(ss, nb, news);
    bool nb_changed = key.nb_seqno != ss->last_key.nb_seqno;
    bool news_left, nb_located;
    bool followed = session_follow_alone(ss, nb, &key,
                                         repaired || timers_due(ss),
                                         &news_left, &nb_located);
    bool full = repaired || full_run_needed(ss, &key);
    if (full && !repaired && only_flows_came_in(ss, &key)) {
        COVERAGE_INC(switch_session_up_run);
        session_refresh_up(ss);
        ss->last_key = key;
        full = false;           /* The marks can go at once, below. */
    }
    /* Checking, the full run follows all the same, and must change
     * nothing. */
    bool elsewhere = followed, patched = followed;
    size_t n_peers = ss->plan.n_peers;
    enum session_patch_result passed = SESSION_PATCH_NONE;
    if (full && !repaired) {
        passed = session_patch(ss, nb, txn, &key, timers_due(ss));
        if (!passed && session_only_elsewhere(ss, nb, &key, timers_due(ss))) {
            passed = SESSION_PATCH_ELSEWHERE;
            if (!desired_flows_checking()) {
                /* Who has which address is not followed there. */
                binding_memos_forget_owners(&ss->memos);
            }
        }
    }
    if (passed) {
        const char *checking = (desired_flows_checking()
                                ? " (checking: a full run all the same)" : "");
        if (passed == SESSION_PATCH_ELSEWHERE) {
            COVERAGE_INC(switch_session_elsewhere);
            VLOG_DBG("switch %s: only other networks' endpoints changed%s",
                     ss->name, checking);
        } else {
            COVERAGE_INC(switch_session_patch);
            VLOG_DBG("switch %s: endpoints served on no switch, on another "
                     "one, or behind a trunk here changed: followed without "
                     "a full run%s", ss->name, checking);
            patched = true;
        }
        elsewhere = true;
        if (!desired_flows_checking()) {
            ss->last_key = key;
            full = false;
        }
    }
    /* What was followed alone is checked against the full run only if that
     * run has nothing else to find: no news left that could not be followed
     * alone (the NB's included), no timer due (asked now, after the full
     * run's own look at the timers: one due since then is the run's too). */
    bool left = (news_left || timers_due(ss)
                 || (nb_changed && !nb_located
                     && passed == SESSION_PATCH_NONE));
    bool checked = full && elsewhere && !left;
    struct session_check check;
    if (checked) {
        session_check_begin(ss, &check, patched, n_peers);
    } else if (full && elsewhere) {
        COVERAGE_INC(switch_session_check_skipped);
        VLOG_DBG("switch %s: the full run has news of its own to find: what "
                 "was followed alone is not checked against it", ss->name);
    }
    if (full) {
        COVERAGE_INC(switch_session_run);
        log_full_run_cause(ss, &key, repaired, recompute);
        ss->ran_once = true;
        ss->patch_inserts = false;      /* (The run's own, now.) */
        ss->own_end_is_news = ss->marks_in_flight || ss->inserts_in_flight;
        run_times_start();
        ss->recomputing = recompute;
        full_run(ss, nb, txn);
        ss->recomputing = false;
        run_times_stop();
        if (checked) {
            session_check_end(ss, &check);
        }
        sset_clear(&ss->left_to_run);
        /* As the run left things: what it changed itself (a transaction
         * sent, new desired flows not in sync yet) is no news for the
         * next. */
        ss->last_key = run_key_now(ss, nb, news);
        /* A run without a transaction (one was in flight) finds the
         * database not as it should be.  Normally the end of what was in
         * flight is news that brings the next run; not if it ended, failed,
         * within this run (session_commit()): then nothing would. */
        ss->rerun = (!txn && !ss->watching && !ss->db.ready
                     && ovsdb_idl_is_connected(ss->ovs.idl)
                     && !ss->ovs.committing_txn
                     && ovsdb_idl_get_seqno(ss->ovs.idl) != ss->ovs.skip_seqno);
        if (ss->rerun) {
            COVERAGE_INC(switch_session_rerun);
            poll_immediate_wake();
        }
    } else if (ss->watching) {
        COVERAGE_INC(switch_session_idle_run);
        session_commit(ss);
    } else {
        /* Only what keeps going on its own. */
        COVERAGE_INC(switch_session_idle_run);
        if (underlay_runs(ss)) {
            underlay_run(ss->underlay, ss->underlay_wanted,
                         attacher_get_switch_pid(ss->attacher),
                         attacher_get_netns_fd(ss->attacher), ss->rundir,
                         &ss->plan);
        }
        relay_run(ss->relay, ss->relay_wanted, ss->rundir,
                  ss->plan.relay_key);
        bool marked = session_marks_run(ss, txn);
        if (marked) {
            ss->marks_in_flight = true;
            ss->own_end_is_news = false;
        }
        session_commit(ss);
        if (marked) {
            /* Its own transaction is no news for a full run, nor are the
             * marks coming back (session_own_txn_end()). */
            ss->last_key.txn_pending = ss->txn_pending;
        }
        session_patch_committed(ss);
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
        announce(ss);
    }
}

/* A full run: the steps (switch-session-steps.c) in order, each reading
 * what the ones before it left. */
static void
full_run(struct switch_session *ss, struct ovsdb_idl *nb,
         struct ovsdb_idl_txn *txn)
{
    /* What this switch must have. */
    struct lan_view view;
    struct binding_wants wants;
    session_step_binding(ss, nb, &view, &wants);
    session_step_tunnels(ss, nb);
    const char *underlay = session_step_underlay_wanted(ss, nb);
    session_step_underlay_moves(ss, underlay);

    /* Watching, the ports the switch has are those the active ovs-vnetd
     * made. */
    bool all_ready = true;
    size_t n_ready = (ss->watching ? wants.n
                      : session_step_attach(ss, &wants, &all_ready));
    struct port_list_ctx_out pl;
    session_step_ports(ss, nb, &view, &wants, n_ready, underlay, &pl);
    bool taps_exist = pl.taps_exist;

    session_step_switch_db(ss, txn, &pl, underlay);
    if (!ss->watching) {
        session_step_relay(ss, underlay, taps_exist);
    }

    if (nb && !ss->releasing && !ss->config_error) {
        session_step_flows(ss, nb, &wants, &view);
    } else {
        uplink_prober_set_routers(ss->prober, NULL, 0);
        ss->flows_nets_known = false;
    }
    if (!ss->watching) {
        flow_installer_run(ss->installer);
        uplink_prober_run(ss->prober, ss->of,
                          flow_installer_is_synced(ss->installer));
    }
    session_step_report(ss, nb, &wants, &view, all_ready);
}

void
switch_session_get_memory_usage(const struct switch_session *ss,
                                struct simap *usage)
{
    simap_increase(usage, "flow-entries", flow_units_n_entries(ss->units));
}

void
switch_session_recompute(struct switch_session *ss)
{
    /* (The unixctl command that asks runs before the sessions, in the same
     * pass of the main loop.) */
    ss->recompute = true;
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
    /* What switch_session_run() runs before each of its early returns is
     * waited for up to the same point: a deadline of what it does not run
     * would wake the loop at once, again and again. */
    of_channel_wait(ss->of);
    if (of_channel_get_version(ss->of) > 0) {
        /* (Else nothing goes: a connection wakes it.) */
        poll_timer_wait_until(announcer_next(ss->announcer));
    }
    if (session_idle(ss)) {
        return;
    }
    flow_installer_wait(ss->installer);
    ovsdb_idl_wait(ss->ovs.idl);
    session_choose_of_socket_wait(ss);
    if (session_awaits_first_answer(ss)) {
        return;
    }
    if (ss->recompute) {
        poll_immediate_wake();
    }
    if (session_marks_can_go(ss)) {
        poll_immediate_wake();
    } else if (ss->marks_due && ss->marks_not_before > time_msec()) {
        poll_timer_wait_until(ss->marks_not_before);
    }
    uplink_prober_wait(ss->prober);
    poll_timer_wait_until(held_packets_next_expiry(ss->held));
    relay_wait(ss->relay);
    struct relay_taps_ctx taps_ctx = relay_taps_ctx(ss);
    relay_taps_wait(ss->taps, &taps_ctx);
    if (underlay_runs(ss)) {
        /* (Not otherwise: an answer that came meanwhile would wake the loop
         * again and again.) */
        underlay_wait(ss->underlay);
    }
    poll_timer_wait_until(attacher_next_retry(ss->attacher));
    poll_timer_wait_until(ss->poll_at);
    if (!ss->settled) {
        poll_timer_wait_until(ss->settle_deadline);
    }
    attacher_verify_wait(ss->attacher);
    stale_ports_wait(&ss->stale);
    if (ss->releasing) {
        poll_timer_wait_until(ss->release_deadline);
    }
}
