/* ovs-vnetd: the ovs-vnet controller.
 *
 * One OVS poll loop.  Each iteration reads the NB database (ovsdb/vnet.ovsschema),
 * brings one switch session per Switch row in line with it (controller/
 * switch-session), runs the sessions, and writes their status back to the NB rows:
 * connected, datapath id, OpenFlow state, last error, and applied_cfg, the NB
 * generation (VNet_Global nb_cfg) the switch is known to match.  A Switch row that
 * goes away releases its switch.
 *
 * All desired state lives in the NB database: killing ovs-vnetd at any moment and
 * starting it again finds the same state, and the switches keep what they had. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "command-line.h"
#include "hash.h"
#include "ovsdb/nb-session.h"
#include "controller/allocator.h"
#include "controller/announce.h"
#include "controller/attach.h"
#include "controller/desired-flows.h"
#include "controller/nb-lock.h"
#include "controller/nb-news.h"
#include "controller/nb-status.h"
#include "controller/switch-records.h"
#include "controller/switch-session.h"
#include "controller/relay.h"
#include "controller/tunnels.h"
#include "daemon.h"
#include "dirs.h"
#include "fatal-signal.h"
#include "memory.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "process.h"
#include "simap.h"
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "sset.h"
#include "stream-ssl.h"
#include "stream.h"
#include "timeval.h"
#include "tools/udptun-wire.h"
#include "unixctl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vnetd);

static char *nb_remote;
static char *unixctl_path;
/* --relay-key: the UDP relay's key, instead of the NB's. */
static char *relay_key;
/* --switch-rundir: switch name -> its run directory.  Where a switch lives is
 * ours to know, never an NB string's to say. */
static struct smap switch_rundirs = SMAP_INITIALIZER(&switch_rundirs);
/* --switch-records: where the switches driven are recorded. */
static char *records_file;

/* Switches this ovs-vnetd drives (--switch); empty: all.  With one ovs-vnetd
 * per host sharing one NB, each drives its own. */
static struct sset my_switches = SSET_INITIALIZER(&my_switches);

static bool
switch_is_mine(const char *name)
{
    return sset_is_empty(&my_switches) || sset_contains(&my_switches, name);
}

struct vnetd {
    struct ovsdb_idl_loop nb;
    struct shash sessions;      /* Name -> struct switch_session, live rows. */
    struct shash releasing;     /* Name -> struct switch_session, released. */
    bool have_kernel_module;
    bool exiting;
    bool uninitialized;         /* The NB has no VNet_Global row. */
    struct nb_status_endpoints endpoint_status;

    /* The switches driven or being released, as 'records_file' records
     * them: name -> struct switch_record. */
    struct shash records;
    struct nb_news news;                /* What in the NB is news. */
    struct nb_allocator allocator;
    unsigned int allocated_seqno;       /* News that nb_allocate() last
                                         * looked at (0: none). */
    bool records_read;          /* Those of an earlier ovs-vnetd were read
                                 * (and released, if the NB lost them). */
    bool records_dirty;         /* 'records' differ from the file's. */
    long long int records_retry_at;     /* After a failed write. */

    /* Of several ovs-vnetd for the same switches, the one that holds the NB
     * lock is active; the others stand by, watching the switches. */
    struct nb_lock lock;
    struct nb_session nb_session;       /* Keeps a clustered NB lively. */
    char *identity;             /* "HOST pid PID", in the switches' status. */
};

static void parse_options(int argc, char *argv[]);
static void usage(void) OVS_NO_RETURN;

static unixctl_cb_func vnetd_exit;
static unixctl_cb_func vnetd_status;
static unixctl_cb_func vnetd_switch_list;
static unixctl_cb_func vnetd_flows_show;
static unixctl_cb_func vnetd_recompute;

/* Leaves every switch as it is, to the controller that takes over: no
 * release, and the relays keep running. */
static void
stand_by(struct vnetd *d)
{
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &d->sessions) {
        switch_session_abandon(node->data);
        shash_delete(&d->sessions, node);
    }
    SHASH_FOR_EACH_SAFE (node, &d->releasing) {
        switch_session_abandon(node->data);
        shash_delete(&d->releasing, node);
    }
    /* Active again, it starts as a new process would: from the records in
     * the file (another ovs-vnetd may have written them meanwhile), and
     * releasing what the NB lost meanwhile. */
    switch_records_destroy(&d->records);
    shash_init(&d->records);
    d->records_read = false;
    d->records_dirty = false;
    /* Another ovs-vnetd writes the status meanwhile. */
    nb_status_endpoints_invalidate(&d->endpoint_status);
}

/* Active now: the sessions watched as a standby drive their switches. */
static void
take_over(struct vnetd *d)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &d->sessions) {
        switch_session_take_over(node->data);
    }
}

/* Turns an NB Switch row into session configuration.  Caller frees '*rundirp'
 * and '*errorp'. */
static void
switch_row_to_config(const struct vnetd *d, const struct vnetrec_switch *row,
                     struct switch_session_config *cfg, char **rundirp,
                     char **errorp)
{
    memset(cfg, 0, sizeof *cfg);
    *rundirp = NULL;
    *errorp = vnet_switch_check(row->name, row->remote, row->bridge);
    if (!*errorp) {
        struct vnet_remote r;
        char *error = vnet_remote_parse(row->remote, &r);
        ovs_assert(!error);

        const char *rundir = smap_get(&switch_rundirs, row->name);
        if (!rundir && !vnet_remote_is_local(&r)) {
            *errorp = xasprintf("%s is not on this machine; run ovs-vnetd on "
                                "the switch's host (or give it "
                                "--switch-rundir=%s:DIR if it is local)",
                                row->remote, row->name);
        }
        *rundirp = vnet_switch_rundir(rundir, &r);
        vnet_remote_destroy(&r);
    }

    cfg->remote = row->remote;
    cfg->bridge = row->bridge;
    cfg->datapath_type = vnet_datapath_resolve(row->datapath_type,
                                               d->have_kernel_module);
    cfg->datapath_auto = !row->datapath_type[0]
                         || !strcmp(row->datapath_type, "auto");
    cfg->rundir = *rundirp;
    cfg->error = *errorp;
    const struct vnetrec_vnet_global *global
        = vnetrec_vnet_global_first(d->nb.idl);
    cfg->relay_key = relay_key ? relay_key
                     : global ? smap_get(&global->options, VNET_RELAY_KEY)
                     : NULL;
}

/* Records 'r' (NULL: none) as what it takes to release switch 'name'. */
static void
set_record(struct vnetd *d, const char *name, struct switch_record *r)
{
    struct switch_record *old = shash_find_data(&d->records, name);
    if (r && old && switch_record_equals(r, old)) {
        switch_record_destroy(r);
        return;
    }
    if (r) {
        shash_replace(&d->records, name, r);
    } else if (old) {
        shash_find_and_delete(&d->records, name);
    } else {
        return;
    }
    switch_record_destroy(old);
    d->records_dirty = true;
    d->records_retry_at = 0;
}

/* Writes the records to the file, if they changed. */
static void
write_records(struct vnetd *d)
{
    if (!d->records_dirty || time_msec() < d->records_retry_at) {
        return;
    }
    char *error = switch_records_update(records_file, switch_is_mine,
                                        &d->records);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "recording the switches driven: %s (a switch "
                     "deleted from the NB while ovs-vnetd is not running "
                     "would keep what ovs-vnet made on it)", error);
        free(error);
        d->records_retry_at = time_msec() + 5000;
    } else {
        d->records_dirty = false;
    }
}

/* Once the NB is read: the switches an earlier ovs-vnetd drove that the NB
 * no longer has (deleted while none ran), or now has somewhere else, are
 * released. */
static void
reclaim_recorded(struct vnetd *d)
{
    if (d->records_read) {
        return;
    }
    d->records_read = true;
    struct shash recorded;
    char *error = switch_records_read(records_file, &recorded);
    if (error) {
        VLOG_WARN("%s", error);
        free(error);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &recorded) {
        const struct switch_record *r = node->data;
        if (!switch_is_mine(node->name)) {
            continue;
        }
        const struct vnetrec_switch *row;
        VNETREC_SWITCH_FOR_EACH (row, d->nb.idl) {
            if (!strcmp(row->name, node->name)) {
                break;
            }
        }
        if (row && !strcmp(row->remote, r->remote)
            && !strcmp(row->bridge, r->bridge)) {
            continue;           /* Still there: its session takes over. */
        }
        VLOG_INFO("switch %s: %s; releasing what ovs-vnet made on %s "
                  "(bridge %s)", node->name,
                  row ? "moved in the NB" : "no longer in the NB",
                  r->remote, r->bridge);
        /* What was watched there as a standby was the switch's new place:
         * its session starts afresh once this release is done. */
        switch_session_abandon(shash_find_and_delete(&d->sessions,
                                                     node->name));
        struct switch_session *ss = switch_session_create(node->name);
        struct switch_session_config cfg = {
            .remote = r->remote,
            .bridge = r->bridge,
            .datapath_type = r->datapath_type,
            .datapath_auto = r->datapath_auto,
            .rundir = r->rundir,
            .release_underlay = r->underlay,
        };
        switch_session_set_config(ss, &cfg);
        switch_session_release(ss);
        shash_add(&d->releasing, node->name, ss);
        set_record(d, node->name, switch_record_create(
                       r->remote, r->bridge, r->datapath_type,
                       r->datapath_auto, r->rundir, r->underlay));
    }
    switch_records_destroy(&recorded);
}

/* Brings the sessions in line with the NB Switch rows.  A standby's watch
 * (see switch_session_watch()): no record is written, and a switch that
 * leaves the NB is left to the active ovs-vnetd to release. */
static void
sync_sessions(struct vnetd *d, bool watching)
{
    struct shash_node *node;
    struct shash seen = SHASH_INITIALIZER(&seen);

    const struct vnetrec_switch *row;
    VNETREC_SWITCH_FOR_EACH (row, d->nb.idl) {
        if (!switch_is_mine(row->name)) {
            continue;           /* Another ovs-vnetd's. */
        }
        if (shash_find(&d->releasing, row->name)) {
            /* Same name coming back before its release finished: wait. */
            continue;
        }
        struct switch_session *ss = shash_find_data(&d->sessions, row->name);
        if (!ss) {
            ss = switch_session_create(row->name);
            if (watching) {
                switch_session_watch(ss);
            }
            shash_add(&d->sessions, row->name, ss);
        }
        shash_add_once(&seen, row->name, ss);

        struct switch_session_config cfg;
        char *rundir, *error;
        switch_row_to_config(d, row, &cfg, &rundir, &error);
        switch_session_set_config(ss, &cfg);
        if (!error && !watching) {
            set_record(d, row->name, switch_record_create(
                           cfg.remote, cfg.bridge, cfg.datapath_type,
                           cfg.datapath_auto, cfg.rundir, row->underlay));
        }
        free(rundir);
        free(error);
    }

    SHASH_FOR_EACH_SAFE (node, &d->sessions) {
        if (!shash_find(&seen, node->name)) {
            struct switch_session *ss = node->data;
            if (watching) {
                switch_session_abandon(ss);
            } else {
                switch_session_release(ss);
                shash_add(&d->releasing, node->name, ss);
            }
            shash_delete(&d->sessions, node);
        }
    }
    shash_destroy(&seen);
}

static void
run_sessions(struct vnetd *d)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &d->sessions) {
        switch_session_run(node->data, d->nb.idl, &d->news);
    }
    SHASH_FOR_EACH_SAFE (node, &d->releasing) {
        struct switch_session *ss = node->data;
        switch_session_run(ss, d->nb.idl, &d->news);
        if (switch_session_is_released(ss)) {
            set_record(d, node->name, NULL);
            switch_session_destroy(ss);
            shash_delete(&d->releasing, node);
        }
    }
}

static void
wait_sessions(struct vnetd *d)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &d->sessions) {
        switch_session_wait(node->data);
    }
    SHASH_FOR_EACH (node, &d->releasing) {
        switch_session_wait(node->data);
    }
}

/* True if the NB has been read and initialized ("ovs-vnet-ctl init" makes
 * its VNet_Global row, as does any command that writes).  Logs a change. */
static bool
nb_is_initialized(struct vnetd *d)
{
    if (!ovsdb_idl_has_ever_connected(d->nb.idl)) {
        return false;
    }
    bool uninitialized = !vnetrec_vnet_global_first(d->nb.idl);
    if (uninitialized != d->uninitialized) {
        if (uninitialized) {
            VLOG_INFO("NB database %s is not initialized (no VNet_Global "
                      "row): touching no switch until it is (ovs-vnet-ctl "
                      "init)", nb_remote);
        } else {
            VLOG_INFO("NB database %s is initialized", nb_remote);
        }
        d->uninitialized = uninitialized;
    }
    return !uninitialized;
}

int
main(int argc, char *argv[])
{
    struct unixctl_server *unixctl;
    struct vnetd d;
    int retval;

    ovs_cmdl_proctitle_init(argc, argv);
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    parse_options(argc, argv);

    daemonize_start(false);
    process_init();
    retval = unixctl_server_create(unixctl_path, &unixctl);
    if (retval) {
        exit(EXIT_FAILURE);
    }

    memset(&d, 0, sizeof d);
    nb_news_init(&d.news);
    shash_init(&d.sessions);
    shash_init(&d.releasing);
    shash_init(&d.records);
    if (!records_file) {
        records_file = xasprintf("%s/ovs-vnetd.switches", ovs_dbdir());
    }
    d.have_kernel_module = !access("/sys/module/openvswitch", F_OK);
    unixctl_command_register("exit", "", 0, 0, vnetd_exit, &d);
    unixctl_command_register("switch/list", "", 0, 0, vnetd_switch_list, &d);
    unixctl_command_register("flows/show", "SWITCH", 1, 1, vnetd_flows_show,
                             &d);
    unixctl_command_register("recompute", "[SWITCH]", 0, 1, vnetd_recompute,
                             &d);

    struct ovsdb_idl *idl = ovsdb_idl_create(nb_remote, &vnetrec_idl_class,
                                             true, true);
    nb_news_register(idl);
    nb_status_endpoints_init(&d.endpoint_status, idl);
    d.news.endpoints_by_name = d.endpoint_status.by_name;
    nb_news_index(&d.news, idl);
    nb_allocator_init(&d.allocator);
    nb_lock_init(&d.lock, idl, &my_switches);
    nb_session_init(&d.nb_session, nb_remote);
    char hostname[256];
    if (gethostname(hostname, sizeof hostname)) {
        ovs_strlcpy(hostname, "?", sizeof hostname);
    }
    hostname[sizeof hostname - 1] = '\0';
    d.identity = xasprintf("%s pid %ld", hostname, (long) getpid());
    unixctl_command_register("status", "", 0, 0, vnetd_status, &d);
    d.nb = (struct ovsdb_idl_loop) OVSDB_IDL_LOOP_INITIALIZER(idl);

    daemonize_complete();
    VLOG_INFO("ovs-vnetd %s (Open vSwitch %s), NB database %s",
              VNET_VERSION, PACKAGE_VERSION, nb_remote);

    while (!d.exiting) {
        struct ovsdb_idl_txn *txn = ovsdb_idl_loop_run(&d.nb);
        unsigned int nb_news = nb_news_run(&d.news, d.nb.idl);
        announce_note_deleted(d.nb.idl);
        nb_status_endpoints_note(&d.endpoint_status, d.nb.idl);
        nb_allocator_note(&d.allocator, d.nb.idl);
        nb_session_run(&d.nb_session, d.nb.idl);
        unixctl_server_run(unixctl);

        if (nb_lock_run(&d.lock, d.nb.idl)) {
            stand_by(&d);
        }
        bool active = d.lock.active;
        bool nb_ready = nb_is_initialized(&d) && active;
        if (nb_ready) {
            reclaim_recorded(&d);
            take_over(&d);
            sync_sessions(&d, false);
        } else if (nb_is_initialized(&d)) {
            /* Standing by: the switches watched, their flows computed. */
            sync_sessions(&d, true);
        }
        /* An NB without VNet_Global (created anew, by mistake or not) is no
         * reason to tear down every switch: until "init", nothing is
         * touched, and the switches go on with what they have. */
        if (!d.uninitialized) {
            run_sessions(&d);
        }

        if (txn && nb_ready) {
            const struct vnetrec_vnet_global *global
                = vnetrec_vnet_global_first(d.nb.idl);
            int64_t nb_cfg = global ? global->nb_cfg : 0;
            /* What other clients left out of their rows.  Like a command
             * that allocates, the transaction verifies and advances nb_cfg:
             * of two allocations (ours or the command line's) made from the
             * same view, one commits and the other retries. */
            if (global && nb_news != d.allocated_seqno) {
                d.allocated_seqno = nb_news;
                if (nb_allocate(&d.allocator, d.nb.idl)) {
                    vnetrec_vnet_global_verify_nb_cfg(global);
                    vnetrec_vnet_global_set_nb_cfg(global, nb_cfg + 1);
                }
            }
            nb_status_write_switches(d.nb.idl, &d.sessions, nb_cfg, d.identity);
            nb_status_write_endpoints(&d.endpoint_status, d.nb.idl,
                                      &d.sessions, switch_is_mine);
            if (global && shash_is_empty(&d.releasing)
                && global->controller_cfg != nb_cfg) {
                vnetrec_vnet_global_set_controller_cfg(global, nb_cfg);
            }
        }
        if (active) {
            write_records(&d);
        }
        if (!ovsdb_idl_loop_commit_and_wait(&d.nb) && active) {
            /* The write failed: again. */
            nb_status_endpoints_invalidate(&d.endpoint_status);
            d.allocated_seqno = 0;
        }
        nb_news_clear(d.nb.idl);
        relay_orphans_run();
        memory_run();
        if (memory_should_report()) {
            struct simap usage = SIMAP_INITIALIZER(&usage);
            struct shash_node *node;
            SHASH_FOR_EACH (node, &d.sessions) {
                switch_session_get_memory_usage(node->data, &usage);
            }
            simap_put(&usage, "switches", shash_count(&d.sessions));
            memory_report(&usage);
            simap_destroy(&usage);
        }

        unixctl_server_wait(unixctl);
        relay_orphans_wait();
        memory_wait();
        nb_session_wait(&d.nb_session);
        if (!d.uninitialized) {
            wait_sessions(&d);
        }
        if (nb_ready) {
            nb_status_endpoints_wait(&d.endpoint_status);
        }
        if (d.records_dirty && active) {
            poll_timer_wait_until(d.records_retry_at);
        }
        if (d.exiting) {
            poll_immediate_wake();
        }
        poll_block();
    }

    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &d.sessions) {
        switch_session_destroy(node->data);
        shash_delete(&d.sessions, node);
    }
    SHASH_FOR_EACH_SAFE (node, &d.releasing) {
        switch_session_destroy(node->data);
        shash_delete(&d.releasing, node);
    }
    shash_destroy(&d.sessions);
    shash_destroy(&d.releasing);
    nb_lock_destroy(&d.lock);
    free(d.identity);
    switch_records_destroy(&d.records);
    free(records_file);
    ovsdb_idl_loop_destroy(&d.nb);
    nb_news_destroy(&d.news);
    nb_status_endpoints_destroy(&d.endpoint_status);
    nb_allocator_destroy(&d.allocator);
    unixctl_server_destroy(unixctl);
    free(nb_remote);
    return 0;
}

static void
vnetd_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
           const char *argv[] OVS_UNUSED, void *d_)
{
    struct vnetd *d = d_;
    d->exiting = true;
    unixctl_command_reply(conn, NULL);
}

static void
vnetd_switch_list(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED, void *d_)
{
    struct vnetd *d = d_;
    struct ds s = DS_EMPTY_INITIALIZER;
    const struct shash_node **nodes = shash_sort(&d->sessions);

    for (size_t i = 0; i < shash_count(&d->sessions); i++) {
        struct switch_session_status st;
        switch_session_get_status(nodes[i]->data, &st);
        if (switch_session_is_watching(nodes[i]->data)) {
            ds_put_format(&s, "%s: watching (standby), database %s\n",
                          nodes[i]->name,
                          st.db_connected ? "connected" : "not connected");
            switch_session_status_destroy(&st);
            continue;
        }
        ds_put_format(&s, "%s: %s, openflow %s%s%s", nodes[i]->name,
                      st.connected ? "connected" : "not connected",
                      st.of_state, st.last_error ? ": " : "",
                      st.last_error ? st.last_error : "");
        if (st.connected) {
            ds_put_format(&s, ", %s%s", st.in_sync ? "in sync"
                          : "waiting for ",
                          st.in_sync ? "" : st.waiting_for);
        }
        ds_put_char(&s, '\n');
        switch_session_status_destroy(&st);
    }
    free(nodes);

    struct shash_node *node;
    SHASH_FOR_EACH (node, &d->releasing) {
        ds_put_format(&s, "%s: releasing\n", node->name);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
vnetd_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED, void *d_)
{
    struct vnetd *d = d_;
    struct ds s = DS_EMPTY_INITIALIZER;
    nb_lock_format(&d->lock, d->nb.idl, &s);
    ds_put_char(&s, '\n');
    ds_put_format(&s, "controller: %s\n", d->identity);
    ds_put_format(&s, "switches: %"PRIuSIZE"\n", shash_count(&d->sessions));
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

static void
vnetd_flows_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[], void *d_)
{
    struct vnetd *d = d_;
    struct switch_session *ss = shash_find_data(&d->sessions, argv[1]);
    if (!ss) {
        unixctl_command_reply_error(conn, "no such switch");
        return;
    }
    char *flows = switch_session_format_flows(ss);
    unixctl_command_reply(conn, flows);
    free(flows);
}

/* "recompute [SWITCH]": every switch's next run (or SWITCH's) recomputes
 * everything from scratch and audits the switch's flows. */
static void
vnetd_recompute(struct unixctl_conn *conn, int argc, const char *argv[],
                void *d_)
{
    struct vnetd *d = d_;
    if (argc > 1) {
        struct switch_session *ss = shash_find_data(&d->sessions, argv[1]);
        if (!ss) {
            unixctl_command_reply_error(conn, "no such switch");
            return;
        }
        switch_session_recompute(ss);
    } else {
        struct shash_node *node;
        SHASH_FOR_EACH (node, &d->sessions) {
            switch_session_recompute(node->data);
        }
    }
    unixctl_command_reply(conn, NULL);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_NB = UCHAR_MAX + 1,
        OPT_SWITCH,
        OPT_UNIXCTL,
        OPT_BOOTSTRAP_CA_CERT,
        OPT_CHECK_INCREMENTAL,
        OPT_RELAY_KEY,
        OPT_SWITCH_RUNDIR,
        OPT_SWITCH_RECORDS,
        OPT_ATTACH_BUDGET,
        VLOG_OPTION_ENUMS,
        DAEMON_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"nb", required_argument, NULL, OPT_NB},
        {"switch", required_argument, NULL, OPT_SWITCH},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"check-incremental", no_argument, NULL, OPT_CHECK_INCREMENTAL},
        {"relay-key", required_argument, NULL, OPT_RELAY_KEY},
        {"switch-rundir", required_argument, NULL, OPT_SWITCH_RUNDIR},
        {"switch-records", required_argument, NULL, OPT_SWITCH_RECORDS},
        {"attach-budget", required_argument, NULL, OPT_ATTACH_BUDGET},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {"bootstrap-ca-cert", required_argument, NULL, OPT_BOOTSTRAP_CA_CERT},
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);

    for (;;) {
        int c = getopt_long(argc, argv, short_options, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_NB:
            free(nb_remote);
            nb_remote = xstrdup(optarg);
            break;

        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;

        case OPT_SWITCH:
            sset_add(&my_switches, optarg);
            break;

        case OPT_CHECK_INCREMENTAL:
            desired_flows_check_incremental(true);
            break;

        case OPT_ATTACH_BUDGET: {
            int ms;
            if (!str_to_int(optarg, 10, &ms) || ms < 0 || ms > 60000) {
                ovs_fatal(0, "--attach-budget=%s: expected milliseconds "
                          "from 0 to 60000", optarg);
            }
            attacher_set_budget(ms);
            break;
        }

        case OPT_SWITCH_RUNDIR: {
            const char *colon = strchr(optarg, ':');
            char *name = colon ? xmemdup0(optarg, colon - optarg) : NULL;
            char *error = name ? vnet_name_check("switch", name) : NULL;
            if (!colon || error || colon[1] != '/') {
                ovs_fatal(0, "--switch-rundir=%s: expected SWITCH:/DIR%s%s",
                          optarg, error ? ": " : "", error ? error : "");
            }
            smap_replace(&switch_rundirs, name, colon + 1);
            free(name);
            break;
        }

        case OPT_SWITCH_RECORDS:
            free(records_file);
            records_file = xstrdup(optarg);
            break;

        case OPT_RELAY_KEY: {
            struct udptun_key key;
            char *error = udptun_key_read(&key, optarg);
            if (error) {
                ovs_fatal(0, "--relay-key=%s", error);
            }
            if (memchr(key.bytes, '\0', key.len)) {
                ovs_fatal(0, "--relay-key=%s: the key has a null byte",
                          optarg);
            }
            free(relay_key);
            relay_key = xmemdup0((const char *) key.bytes, key.len);
            udptun_key_destroy(&key);
            break;
        }

        case 'h':
            usage();

        case 'V':
            printf("%s (ovs-vnet) %s, Open vSwitch %s\n", program_name,
                   VNET_VERSION, PACKAGE_VERSION);
            exit(EXIT_SUCCESS);

        VLOG_OPTION_HANDLERS
        DAEMON_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case OPT_BOOTSTRAP_CA_CERT:
            stream_ssl_set_ca_cert_file(optarg, true);
            break;

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(short_options);

    if (optind < argc) {
        ovs_fatal(0, "unexpected argument \"%s\" (use --help for usage)",
                  argv[optind]);
    }
    if (!nb_remote) {
        nb_remote = vnet_nb_default_remote();
    }
}

static void
usage(void)
{
    printf("%s: ovs-vnet controller\n"
           "usage: %s [OPTIONS]\n"
           "\nDrives the Open vSwitch switches registered in the ovs-vnet NB "
           "database.\n"
           "\nOptions:\n"
           "  --nb=REMOTE             NB database (default: $OVS_VNET_DB, "
           "else unix:%s/%s)\n"
           "  --switch=NAME           drive only switch NAME (repeatable; "
           "default: all)\n"
           "  --unixctl=SOCKET        override default control socket name\n"
           "  --check-incremental     check what is kept from run to run (the "
           "flows,\n"
           "                          what binding keeps of each endpoint row, "
           "the\n"
           "                          attacher's comparisons, the endpoints' "
           "status\n"
           "                          written from changes) against a full\n"
           "                          recomputation (for tests)\n"
           "  --relay-key=FILE        the UDP relay's key (default: the NB's "
           "VNet_Global\n"
           "                          options:relay_key)\n"
           "  --switch-rundir=SWITCH:DIR\n"
           "                          the run directory of switch SWITCH "
           "(repeatable;\n"
           "                          default: its OVSDB socket's folder, "
           "else OVS's)\n"
           "  --switch-records=FILE   where the switches driven are "
           "recorded (default:\n"
           "                          %s/ovs-vnetd.switches)\n"
           "  --attach-budget=MS      how long a switch's run may spend making "
           "endpoints\n"
           "                          before the rest wait for the next run "
           "(default:\n"
           "                          250)\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           program_name, program_name, ovs_rundir(), VNET_NB_SOCKET,
           ovs_dbdir());
    daemon_usage();
    vlog_usage();
    stream_usage("NB or switch database", true, false, true);
    exit(EXIT_SUCCESS);
}
