#include <config.h>
#include "controller/switch-session.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/status.h"
#include "flows/of-channel.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/names.h"
#include "ovsdb/switch-db.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session);

/* How long a release may wait for an unreachable switch before giving up. */
#define RELEASE_TIMEOUT_MS (15 * 1000)

struct switch_session {
    char *name;

    /* Configuration. */
    char *remote;
    char *bridge;
    char *datapath_type;
    char *rundir;
    char *config_error;

    /* OVSDB session to the switch. */
    struct ovsdb_idl_loop ovs;

    /* OpenFlow channel the bridge connects to. */
    struct of_channel *of;

    /* Release. */
    bool releasing;
    long long int release_deadline;
    bool released;

    /* Result of the last reconciliation. */
    struct switch_db_result db;
    bool txn_pending;
};

struct switch_session *
switch_session_create(const char *name)
{
    struct switch_session *ss = xzalloc(sizeof *ss);
    ss->name = xstrdup(name);
    ss->of = of_channel_create(name);
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
switch_session_destroy(struct switch_session *ss)
{
    if (ss) {
        close_ovsdb(ss);
        of_channel_destroy(ss->of);
        switch_db_result_destroy(&ss->db);
        free(ss->remote);
        free(ss->bridge);
        free(ss->datapath_type);
        free(ss->rundir);
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

void
switch_session_set_config(struct switch_session *ss,
                          const struct switch_session_config *cfg)
{
    if (ss->releasing) {
        return;
    }
    if (replace(&ss->config_error, cfg->error) && cfg->error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "switch %s: %s", ss->name, cfg->error);
    }
    if (cfg->error) {
        /* An invalid row changes nothing on the switch. */
        return;
    }

    if (replace(&ss->remote, cfg->remote)) {
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
    replace(&ss->bridge, cfg->bridge);
    replace(&ss->datapath_type, cfg->datapath_type);
    replace(&ss->rundir, cfg->rundir);

    char *path = ss->rundir && ss->bridge
                 ? vnet_of_socket_path(ss->rundir, ss->bridge) : NULL;
    of_channel_set_path(ss->of, path);
    free(path);
}

void
switch_session_release(struct switch_session *ss)
{
    if (!ss->releasing) {
        VLOG_INFO("switch %s: releasing", ss->name);
        ss->releasing = true;
        ss->release_deadline = time_msec() + RELEASE_TIMEOUT_MS;
        of_channel_set_path(ss->of, NULL);
        if (!ss->ovs.idl || ss->config_error) {
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

void
switch_session_run(struct switch_session *ss)
{
    of_channel_run(ss->of);
    if (!ss->ovs.idl || ss->released) {
        return;
    }

    struct ovsdb_idl_txn *txn = ovsdb_idl_loop_run(&ss->ovs);
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
        };
        switch_db_result_destroy(&ss->db);
        switch_db_reconcile(ss->ovs.idl, txn, &cfg, &ss->db);
        free(target);
    }
    ovsdb_idl_loop_commit_and_wait(&ss->ovs);
    ss->txn_pending = ss->ovs.committing_txn != NULL;

    if (ss->releasing) {
        if (ss->db.ready && !ss->txn_pending) {
            VLOG_INFO("switch %s: released", ss->name);
            ss->released = true;
        } else if (time_msec() >= ss->release_deadline) {
            VLOG_WARN("switch %s: giving up releasing; the switch is not "
                      "reachable (its bridge %s may remain)",
                      ss->name, ss->bridge ? ss->bridge : "");
            ss->released = true;
        }
    }
}

void
switch_session_wait(struct switch_session *ss)
{
    of_channel_wait(ss->of);
    if (ss->ovs.idl && !ss->released) {
        ovsdb_idl_wait(ss->ovs.idl);
    }
    if (ss->releasing && !ss->released) {
        poll_timer_wait_until(ss->release_deadline);
    }
}

void
switch_session_get_status(const struct switch_session *ss,
                          struct switch_session_status *st)
{
    enum of_channel_state of_state = of_channel_get_state(ss->of);
    bool db_connected = ss->ovs.idl && ovsdb_idl_is_connected(ss->ovs.idl)
                        && ovsdb_idl_has_ever_connected(ss->ovs.idl);
    int db_errno = ss->ovs.idl ? ovsdb_idl_get_last_error(ss->ovs.idl) : 0;

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
    };
    struct vnet_status status;
    vnet_status_compute(&facts, &status);

    memset(st, 0, sizeof *st);
    st->connected = status.connected;
    st->in_sync = status.connected && !ss->releasing;
    st->last_error = status.last_error;
    st->of_state = xstrdup(facts.of_state);
    if (of_state == OF_CHANNEL_ACTIVE) {
        st->datapath_id = xasprintf("%016"PRIx64, of_channel_get_dpid(ss->of));
    }

    smap_init(&st->details);
    if (ss->datapath_type) {
        smap_add(&st->details, "datapath_type", ss->datapath_type);
    }
    int version = of_channel_get_version(ss->of);
    if (version) {
        smap_add(&st->details, "openflow_version",
                 ofputil_version_to_string(version));
    }
    if (ss->rundir && ss->bridge) {
        char *path = vnet_of_socket_path(ss->rundir, ss->bridge);
        smap_add(&st->details, "openflow_socket", path);
        free(path);
    }
    if (ss->db.ovs_version) {
        smap_add(&st->details, "ovs_version", ss->db.ovs_version);
    }
    if (ss->db.db_ready && ss->db.ready) {
        smap_add(&st->details, "controller_is_connected",
                 ss->db.controller_connected ? "true" : "false");
    }
    if (ss->db.system_id) {
        smap_add(&st->details, "system_id", ss->db.system_id);
    }
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
