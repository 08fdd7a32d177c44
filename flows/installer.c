#include <config.h>
#include "flows/installer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "coverage.h"
#include "flows/flow-table.h"
#include "flows/flow-units.h"
#include "flows/of-channel.h"
#include "flows/pipeline.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-monitor.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-print.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(installer);

COVERAGE_DEFINE(installer_check);
COVERAGE_DEFINE(installer_audited);
COVERAGE_DEFINE(installer_bundle);
COVERAGE_DEFINE(installer_flow_add);
COVERAGE_DEFINE(installer_flow_del);
COVERAGE_DEFINE(installer_foreign);

/* How often the mirror is checked against the switch anyway. */
#define AUDIT_MS (5 * 60 * 1000)
/* How long the switch may take for a reply (or the next part of a dump)
 * before the wait is logged.  The wait goes on: on a live connection no
 * request is lost and replies come in order, so asking again would only
 * give a busy switch the same work twice.  A connection that breaks starts
 * everything over. */
#define REPLY_TIMEOUT_MS 60000
/* For a bundle, this much longer for each flow in it (a switch takes about
 * 1 ms per flow for a bundle of 100,000). */
#define REPLY_TIMEOUT_PER_FLOW_MS 2
/* After a refused bundle, before trying again. */
#define RETRY_MS 1000
/* After a change by others, before the audit (changes come in bursts). */
#define FOREIGN_DELAY_MS 50

/* The id of our flow monitor on the connection. */
#define MONITOR_ID 1

enum installer_state {
    S_IDLE,                     /* Nothing outstanding. */
    S_DUMPING,                  /* Flow stats requested ('xid'). */
    S_COMMITTING,               /* Bundle and barrier sent ('xid'). */
};

/* A change sent in a bundle: the mirror takes it once the barrier is
 * answered. */
struct pending {
    struct ovs_list node;
    struct vnet_flow *key;      /* The flow's key. */
    struct vnet_flow *flow;     /* What it is now, or NULL: deleted. */
};

struct flow_installer {
    char *name;
    struct of_channel *ch;
    unsigned int ch_seqno;

    struct flow_units *desired;
    uint64_t desired_gen;
    uint64_t installed_gen;

    struct flow_table mirror;   /* Our flows on the switch, as we know it. */
    bool mirror_valid;          /* Else an audit is due. */
    bool audited;               /* An audit has been done once. */
    bool desired_ready;         /* The desired flows can be compared. */
    bool compare_all;           /* Every flow of both sides is to be
                                 * compared (after an audit). */
    struct flow_table todo;     /* Keys to compare with the mirror. */
    long long int next_audit;   /* When to audit anyway. */
    bool audit_again;           /* Asked for while a dump was under way. */
    long long int not_before;   /* No audit or bundle before then. */

    enum installer_state state;
    ovs_be32 xid;
    uint64_t pending_gen;       /* Generation of the dump or commit. */
    struct ovs_list pending;    /* struct pending, of the commit. */
    size_t pending_count;       /* Our flows once the commit is in. */
    struct flow_table dumped;   /* Our flows found on the switch. */
    bool commit_failed;
    bool flush_learned;         /* Delete learned flows in the next bundle. */
    bool flushing;              /* ...and this commit does. */
    uint32_t next_bundle_id;
    long long int deadline;     /* For the outstanding request. */
    long long int sent_at;      /* When it was sent. */

    char *error;
    uint64_t error_gen;
    struct flow_installer_stats stats;
};

struct flow_installer *
flow_installer_create(const char *name, struct of_channel *ch,
                      struct flow_units *desired)
{
    struct flow_installer *fi = xzalloc(sizeof *fi);
    fi->name = xstrdup(name);
    fi->ch = ch;
    fi->ch_seqno = of_channel_get_seqno(ch) - 1;
    fi->desired = desired;
    flow_table_init(&fi->mirror);
    flow_table_init(&fi->todo);
    flow_table_init(&fi->dumped);
    ovs_list_init(&fi->pending);
    fi->next_bundle_id = 1;
    return fi;
}

static void
clear_pending(struct flow_installer *fi)
{
    struct pending *p;
    LIST_FOR_EACH_POP (p, node, &fi->pending) {
        vnet_flow_destroy(p->key);
        if (p->flow) {
            vnet_flow_destroy(p->flow);
        }
        free(p);
    }
}

void
flow_installer_destroy(struct flow_installer *fi)
{
    if (fi) {
        clear_pending(fi);
        flow_table_destroy(&fi->mirror);
        flow_table_destroy(&fi->todo);
        flow_table_destroy(&fi->dumped);
        free(fi->error);
        free(fi->name);
        free(fi);
    }
}

void
flow_installer_desired_changed(struct flow_installer *fi, uint64_t generation)
{
    fi->desired_gen = generation;
}

void
flow_installer_set_desired_ready(struct flow_installer *fi)
{
    fi->desired_ready = true;
}

static void
set_error(struct flow_installer *fi, char *error)
{
    free(fi->error);
    fi->error = error;
    fi->error_gen = error ? fi->pending_gen : 0;
}

/* Forgets what the switch has: the next step is an audit, not before
 * 'delay' ms from now. */
static void
invalidate(struct flow_installer *fi, long long int delay)
{
    fi->mirror_valid = false;
    fi->not_before = MAX(fi->not_before, time_msec() + delay);
}

void
flow_installer_audit_now(struct flow_installer *fi)
{
    /* As the periodic audit: what the switch is believed to hold stays
     * believed (its endpoints stay up) until the dump says otherwise.  (A
     * dump under way may have been asked for before what this asks
     * about: another follows it.) */
    fi->next_audit = time_msec();
    fi->audit_again = fi->state == S_DUMPING;
}

static void
start_over(struct flow_installer *fi)
{
    fi->state = S_IDLE;
    clear_pending(fi);
    flow_table_clear(&fi->dumped);
}

static void
add_todo(const struct vnet_flow *key, void *fi_)
{
    struct flow_installer *fi = fi_;
    if (!flow_table_find(&fi->todo, key)) {   /* ('key' may be in no table.) */
        flow_table_insert(&fi->todo, vnet_flow_clone(key));
    }
}

static void
send_dump(struct flow_installer *fi, enum ofputil_protocol protocol)
{
    struct ofputil_flow_stats_request fsr = {
        .aggregate = false,
        .cookie = htonll((uint64_t) VNET_COOKIE_MAGIC << 56),
        .cookie_mask = htonll(VNET_COOKIE_MASK_OURS),
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    match_init_catchall(&fsr.match);

    struct ofpbuf *msg = ofputil_encode_flow_stats_request(&fsr, protocol);
    fi->xid = ((struct ofp_header *) msg->data)->xid;
    flow_table_clear(&fi->dumped);
    fi->pending_gen = fi->desired_gen;
    fi->state = S_DUMPING;
    fi->sent_at = time_msec();
    fi->deadline = fi->sent_at + REPLY_TIMEOUT_MS;
    fi->stats.n_checks++;
    COVERAGE_INC(installer_check);
    if (of_channel_send(fi->ch, msg)) {
        start_over(fi);
        invalidate(fi, RETRY_MS);
    }
}

/* Asks the switch to report changes that others make to its flows. */
static void
send_monitor(struct flow_installer *fi, enum ofputil_protocol protocol)
{
    struct ofputil_flow_monitor_request rq = {
        .id = MONITOR_ID,
        .command = OFPFMC_ADD,
        .flags = OFPFMF_ADD | OFPFMF_REMOVED | OFPFMF_MODIFY,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    match_init_catchall(&rq.match);

    struct ofpbuf *msg = ofpbuf_new(0);
    ofputil_append_flow_monitor_request(&rq, msg, protocol);
    of_channel_send(fi->ch, msg);
}

static struct ofpbuf *
encode_flow_mod(const struct vnet_flow *f, uint16_t command,
                enum ofputil_protocol protocol)
{
    struct ofputil_flow_mod fm = {
        .match = f->match,
        .priority = f->priority,
        .table_id = f->table_id,
        .command = command,
        .buffer_id = UINT32_MAX,
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
    };
    if (command == OFPFC_ADD) {
        fm.new_cookie = htonll(f->cookie);
        fm.ofpacts = f->ofpacts;
        fm.ofpacts_len = f->ofpacts_len;
    } else {
        fm.cookie = htonll(f->cookie);
        fm.cookie_mask = OVS_BE64_MAX;
        fm.new_cookie = OVS_BE64_MAX;
    }
    return ofputil_encode_flow_mod(&fm, protocol);
}

static void
bundle_add(struct flow_installer *fi, uint32_t bundle_id, uint16_t flags,
           struct ofpbuf *msg, int version)
{
    /* The message inside must carry the same xid as the BUNDLE_ADD. */
    ((struct ofp_header *) msg->data)->xid = fi->xid;
    ofpmsg_update_length(msg);
    struct ofputil_bundle_add_msg bam = {
        .bundle_id = bundle_id,
        .flags = flags,
        .msg = msg->data,
    };
    struct ofpbuf *add = ofputil_encode_bundle_add(version, &bam);
    ((struct ofp_header *) add->data)->xid = fi->xid;
    of_channel_send(fi->ch, add);
    ofpbuf_delete(msg);
}

static void
send_bundle_ctrl(struct flow_installer *fi, uint32_t bundle_id, uint16_t type,
                 uint16_t flags, int version)
{
    struct ofputil_bundle_ctrl_msg bc = {
        .bundle_id = bundle_id,
        .type = type,
        .flags = flags,
    };
    struct ofpbuf *msg = ofputil_encode_bundle_ctrl_request(version, &bc);
    ((struct ofp_header *) msg->data)->xid = fi->xid;
    of_channel_send(fi->ch, msg);
}

static void
log_change(const struct flow_installer *fi, const struct vnet_flow *want,
           const struct vnet_flow *have)
{
    struct flow_table one;
    flow_table_init(&one);
    if (want) {
        flow_table_insert(&one, vnet_flow_clone(want));
        char *s = flow_table_format(&one);
        VLOG_DBG("%s: %s flow: %s", fi->name, have ? "changed" : "missing", s);
        free(s);
        flow_table_clear(&one);
    }
    if (have) {
        flow_table_insert(&one, vnet_flow_clone(have));
        char *s = flow_table_format(&one);
        VLOG_DBG("%s: switch had: %s", fi->name, s);
        free(s);
    }
    flow_table_destroy(&one);
}

/* Opens a bundle; returns the barrier that is to follow its commit.  Every
 * message of the bundle carries the barrier's (fresh) xid, so errors and the
 * final reply are easy to recognize. */
static struct ofpbuf *
open_bundle(struct flow_installer *fi, uint16_t flags, int version,
            uint32_t *bundle_id)
{
    struct ofpbuf *barrier = ofputil_encode_barrier_request(version);
    fi->xid = ((struct ofp_header *) barrier->data)->xid;
    *bundle_id = fi->next_bundle_id++;
    send_bundle_ctrl(fi, *bundle_id, OFPBCT_OPEN_REQUEST, flags, version);
    return barrier;
}

/* Compares the flows in 'todo' with the mirror and sends the difference as a
 * bundle.  Returns true if it sent one. */
static bool
commit(struct flow_installer *fi)
{
    int version = of_channel_get_version(fi->ch);
    enum ofputil_protocol protocol = ofputil_protocol_from_ofp_version(version);
    uint32_t bundle_id = 0;
    uint16_t flags = OFPBF_ATOMIC | OFPBF_ORDERED;
    size_t n_del = 0, n_add = 0;
    long long int count = flow_table_count(&fi->mirror);
    struct ofpbuf *barrier = NULL;

    fi->pending_gen = fi->desired_gen;
    struct vnet_flow *key;
    FLOW_TABLE_FOR_EACH (key, &fi->todo) {
        uint32_t hash = vnet_flow_table_hash(key);
        const struct vnet_flow *want = flow_units_find_hashed(fi->desired,
                                                              key, hash);
        const struct vnet_flow *have = flow_table_find_hashed(&fi->mirror,
                                                              key, hash);
        if (want ? have && vnet_flow_same_result(want, have) : !have) {
            continue;
        }
        if (!barrier) {
            barrier = open_bundle(fi, flags, version, &bundle_id);
        }
        if (VLOG_IS_DBG_ENABLED()) {
            log_change(fi, want, have);
        }
        struct pending *p = xmalloc(sizeof *p);
        p->key = vnet_flow_clone(key);
        if (want) {
            /* An add replaces a flow with the same key. */
            bundle_add(fi, bundle_id, flags,
                       encode_flow_mod(want, OFPFC_ADD, protocol), version);
            p->flow = vnet_flow_clone(want);
            n_add++;
            count += !have;
            COVERAGE_INC(installer_flow_add);
        } else {
            bundle_add(fi, bundle_id, flags,
                       encode_flow_mod(have, OFPFC_DELETE_STRICT, protocol),
                       version);
            p->flow = NULL;
            n_del++;
            count--;
            COVERAGE_INC(installer_flow_del);
        }
        ovs_list_push_back(&fi->pending, &p->node);
    }
    flow_table_clear(&fi->todo);

    if (fi->flush_learned) {
        if (!barrier) {
            barrier = open_bundle(fi, flags, version, &bundle_id);
        }
        struct ofputil_flow_mod fm = {
            .priority = 0,
            .table_id = OFPTT_ALL,
            .command = OFPFC_DELETE,
            .cookie = htonll(vnet_cookie(VNET_F_LEARNED, 0)),
            .cookie_mask = htonll(UINT64_C(0xffff) << 48),
            .new_cookie = OVS_BE64_MAX,
            .buffer_id = UINT32_MAX,
            .out_port = OFPP_ANY,
            .out_group = OFPG_ANY,
        };
        struct match catchall;
        match_init_catchall(&catchall);
        minimatch_init(&fm.match, &catchall);
        bundle_add(fi, bundle_id, flags, ofputil_encode_flow_mod(&fm, protocol),
                   version);
        minimatch_destroy(&fm.match);
        VLOG_INFO("%s: forgetting learned MACs", fi->name);
    }
    fi->flushing = fi->flush_learned;

    if (!barrier) {
        return false;
    }
    VLOG_DBG("%s: bundle %"PRIu32": %"PRIuSIZE" deletes, %"PRIuSIZE" adds",
             fi->name, bundle_id, n_del, n_add);
    send_bundle_ctrl(fi, bundle_id, OFPBCT_COMMIT_REQUEST, flags, version);
    of_channel_send(fi->ch, barrier);

    fi->commit_failed = false;
    fi->pending_count = count;
    fi->stats.n_bundles++;
    fi->stats.n_adds += n_add;
    fi->stats.n_deletes += n_del;
    COVERAGE_INC(installer_bundle);
    fi->state = S_COMMITTING;
    fi->sent_at = time_msec();
    fi->deadline = (fi->sent_at + REPLY_TIMEOUT_MS
                    + (long long int) (n_add + n_del) * REPLY_TIMEOUT_PER_FLOW_MS);
    return true;
}

/* A desired flow that the mirror lacks, for commit(). */
static void
add_missing_todo(const struct vnet_flow *want, void *fi_)
{
    struct flow_installer *fi = fi_;
    if (!flow_table_find_hashed(&fi->mirror, want,
                                vnet_flow_table_hash(want))) {
        add_todo(want, fi);
    }
}

/* Compares the two sides and sends the difference.  The dirty marks are
 * covered by that.  (Only the flows that differ go into 'todo':
 * copying every flow there for commit() to compare would cost an audit of
 * a big table more than the comparison itself.)  Each flow of the mirror is
 * looked up among the desired ones; only if fewer were found than there are
 * desired flows (keys are unique on both sides) are the desired ones walked
 * for those the mirror lacks. */
static void
compare_all(struct flow_installer *fi)
{
    fi->compare_all = false;
    flow_table_clear(&fi->todo);
    flow_units_take_dirty(fi->desired, NULL, NULL);
    size_t n_found = 0;
    struct vnet_flow *f;
    FLOW_TABLE_FOR_EACH (f, &fi->mirror) {
        const struct vnet_flow *want = flow_units_find_hashed(
            fi->desired, f, vnet_flow_table_hash(f));
        if (!want) {
            add_todo(f, fi);
        } else {
            n_found++;
            if (!vnet_flow_same_result(want, f)) {
                add_todo(want, fi);
            }
        }
    }
    if (n_found != flow_units_count(fi->desired)) {
        flow_units_for_each(fi->desired, add_missing_todo, fi);
    }
    uint64_t gen = fi->desired_gen;
    uint64_t adds = fi->stats.n_adds, deletes = fi->stats.n_deletes;
    if (!commit(fi)) {
        fi->installed_gen = gen;
        set_error(fi, NULL);
    } else {
        /* What a check finds is worth knowing: after a restart of ours it
         * should be nothing. */
        VLOG_INFO("%s: %u of our flows on the switch; sending %"PRIu64
                  " to add or change and %"PRIu64" to delete",
                  fi->name, fi->stats.n_installed,
                  fi->stats.n_adds - adds, fi->stats.n_deletes - deletes);
    }
}

/* The dump is in: it becomes the mirror, and everything is compared (once
 * the desired flows are there to compare with). */
static void
audit_done(struct flow_installer *fi)
{
    flow_table_swap(&fi->mirror, &fi->dumped);
    flow_table_clear(&fi->dumped);
    fi->mirror_valid = true;
    fi->audited = true;
    fi->stats.n_installed = flow_table_count(&fi->mirror);
    fi->state = S_IDLE;
    fi->next_audit = fi->audit_again ? time_msec() : time_msec() + AUDIT_MS;
    fi->audit_again = false;
    COVERAGE_INC(installer_audited);
    fi->compare_all = true;
    if (fi->desired_ready) {
        compare_all(fi);
    }
}

int
flow_updates_decode(const struct ofp_header *oh,
                    const struct flow_table *mirror,
                    struct flow_updates_result *r)
{
    memset(r, 0, sizeof *r);
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    int error = 0;
    for (;;) {
        struct ofputil_flow_update update;
        int retval = ofputil_decode_flow_update(&update, &b, &ofpacts);
        if (retval) {
            error = retval == EOF ? 0 : retval;
            break;
        }
        if (update.event == OFPFME_PAUSED) {
            r->paused = true;
            continue;
        }
        if (update.event != OFPFME_ADDED && update.event != OFPFME_REMOVED
            && update.event != OFPFME_MODIFIED) {
            continue;
        }
        /* Ours by cookie, or in the place of one of ours (a change may have
         * given it another cookie). */
        uint64_t cookie = ntohll(update.cookie);
        bool ours = vnet_cookie_is_ours(cookie)
                    && vnet_cookie_feature(cookie) != VNET_F_LEARNED;
        if (!ours) {
            struct vnet_flow key = {
                .table_id = update.table_id,
                .priority = update.priority,
            };
            minimatch_init(&key.match, &update.match);
            ours = flow_table_find(mirror, &key) != NULL;
            minimatch_destroy(&key.match);
        }
        if (ours) {
            r->n_ours++;
            r->last_event = update.event == OFPFME_ADDED ? "added"
                            : update.event == OFPFME_REMOVED ? "deleted"
                            : "changed";
        }
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

/* A flow monitor update: a change to one of our flows by someone else means
 * the mirror is wrong. */
static void
handle_updates(struct flow_installer *fi, const struct ofp_header *oh)
{
    struct flow_updates_result r;
    int error = flow_updates_decode(oh, &fi->mirror, &r);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: bad flow monitor update", fi->name);
    }
    if (r.n_ours) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_INFO_RL(&rl, "%s: one of our flows was %s by someone else",
                     fi->name, r.last_event);
        fi->stats.n_foreign += r.n_ours;
        COVERAGE_ADD(installer_foreign, r.n_ours);
    }
    if (error || r.paused || r.n_ours) {
        invalidate(fi, FOREIGN_DELAY_MS);
    }
}

int
flow_dump_decode(const struct ofp_header *oh, struct flow_table *dumped)
{
    struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
    struct ofpbuf ofpacts;
    ofpbuf_init(&ofpacts, 64);
    int error = 0;
    for (;;) {
        struct ofputil_flow_stats fs;
        int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                     &ofpacts);
        if (retval) {
            error = retval == EOF ? 0 : retval;
            break;
        }
        uint64_t cookie = ntohll(fs.cookie);
        if (!vnet_cookie_is_ours(cookie)
            || vnet_cookie_feature(cookie) == VNET_F_LEARNED) {
            continue;
        }
        flow_table_add_parts(dumped, fs.table_id, fs.priority, &fs.match,
                             cookie, fs.ofpacts, fs.ofpacts_len);
    }
    ofpbuf_uninit(&ofpacts);
    return error;
}

void
flow_installer_handle_msg(struct flow_installer *fi, enum ofptype type,
                          const struct ofp_header *oh)
{
    if (type == OFPTYPE_FLOW_MONITOR_STATS_REPLY) {
        handle_updates(fi, oh);
        return;
    } else if (type == OFPTYPE_FLOW_MONITOR_PAUSED) {
        /* Updates were lost. */
        invalidate(fi, FOREIGN_DELAY_MS);
        return;
    }
    if (fi->state == S_IDLE || oh->xid != fi->xid) {
        return;
    }

    if (type == OFPTYPE_FLOW_STATS_REPLY && fi->state == S_DUMPING) {
        if (flow_dump_decode(oh, &fi->dumped)) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "%s: bad flow stats reply", fi->name);
        }
        if (!(ofpmp_flags(oh) & OFPSF_REPLY_MORE)) {
            audit_done(fi);
        } else {
            fi->deadline = time_msec() + REPLY_TIMEOUT_MS;
        }
    } else if (type == OFPTYPE_ERROR) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 1);
        VLOG_WARN_RL(&rl, "%s: switch refused flows: %s", fi->name, s);
        /* A refused bundle brings the error of the flow that failed, then
         * the bundle's own: the first one says why. */
        if (!fi->commit_failed) {
            set_error(fi, xasprintf("switch refused flows: %s",
                                    ofperr_get_name(ofperr_decode_msg(oh,
                                                                      NULL))));
        }
        free(s);
        fi->stats.n_errors++;
        fi->commit_failed = true;
        if (fi->state == S_DUMPING) {
            start_over(fi);
            invalidate(fi, RETRY_MS);
        }
    } else if (type == OFPTYPE_BARRIER_REPLY && fi->state == S_COMMITTING) {
        if (!fi->commit_failed) {
            struct pending *p;
            LIST_FOR_EACH_POP (p, node, &fi->pending) {
                struct vnet_flow *old = flow_table_find(&fi->mirror, p->key);
                if (old) {
                    flow_table_remove(&fi->mirror, old);
                    vnet_flow_destroy(old);
                }
                if (p->flow) {
                    flow_table_insert(&fi->mirror, p->flow);
                }
                vnet_flow_destroy(p->key);
                free(p);
            }
            if (fi->flushing) {
                fi->flush_learned = fi->flushing = false;
            }
            fi->installed_gen = fi->pending_gen;
            fi->stats.n_installed = flow_table_count(&fi->mirror);
            set_error(fi, NULL);
            start_over(fi);
        } else {
            /* Nothing of the bundle is in: what the switch has is what the
             * mirror says, but an audit also finds out whether that is so. */
            start_over(fi);
            invalidate(fi, RETRY_MS);
        }
    }
}

void
flow_installer_flush_learned(struct flow_installer *fi)
{
    fi->flush_learned = true;
}

void
flow_installer_run(struct flow_installer *fi)
{
    if (of_channel_get_state(fi->ch) != OF_CHANNEL_ACTIVE) {
        if (fi->state != S_IDLE) {
            start_over(fi);
        }
        fi->mirror_valid = false;
        /* The next connection's audit compares every flow: the changes
         * meanwhile need not be kept (nor the flows gone with them). */
        flow_units_take_dirty(fi->desired, NULL, NULL);
        return;
    }
    int version = of_channel_get_version(fi->ch);
    enum ofputil_protocol protocol = ofputil_protocol_from_ofp_version(version);
    unsigned int seqno = of_channel_get_seqno(fi->ch);
    if (seqno != fi->ch_seqno) {
        /* New connection: the switch may have lost everything, and the
         * monitor is the connection's. */
        fi->ch_seqno = seqno;
        start_over(fi);
        fi->mirror_valid = false;
        send_monitor(fi, protocol);
    }

    long long int now = time_msec();
    if (fi->state != S_IDLE && now >= fi->deadline) {
        VLOG_INFO("%s: the switch has not answered the %s sent %lld s ago; "
                  "waiting", fi->name,
                  fi->state == S_DUMPING ? "flow dump" : "bundle",
                  (now - fi->sent_at) / 1000);
        fi->deadline = now + REPLY_TIMEOUT_MS;
    }
    if (fi->state != S_IDLE || now < fi->not_before) {
        return;
    }
    if (!fi->mirror_valid || now >= fi->next_audit) {
        send_dump(fi, protocol);
        return;
    }
    if (!fi->desired_ready) {
        return;
    }
    if (fi->compare_all) {
        compare_all(fi);
        return;
    }
    uint64_t gen = fi->desired_gen;
    flow_units_take_dirty(fi->desired, add_todo, fi);
    if (!commit(fi) && fi->installed_gen != gen) {
        /* Nothing differs from what the switch has. */
        fi->installed_gen = gen;
        set_error(fi, NULL);
    }
}

void
flow_installer_wait(struct flow_installer *fi)
{
    if (of_channel_get_state(fi->ch) != OF_CHANNEL_ACTIVE) {
        return;
    }
    if (fi->state != S_IDLE) {
        poll_timer_wait_until(fi->deadline);
    } else if (!fi->mirror_valid) {
        poll_timer_wait_until(fi->not_before);
    } else if (!fi->desired_ready) {
        /* Nothing to do until it is. */
    } else if (fi->compare_all || flow_units_n_dirty(fi->desired)
               || fi->flush_learned
               || fi->installed_gen != fi->desired_gen) {
        poll_timer_wait_until(fi->not_before);
    } else {
        /* (Not before 'not_before', which run() waits for too.) */
        poll_timer_wait_until(MAX(fi->next_audit, fi->not_before));
    }
}

uint64_t
flow_installer_get_installed(const struct flow_installer *fi)
{
    return fi->installed_gen;
}

bool
flow_installer_holds(const struct flow_installer *fi, uint64_t gen)
{
    return fi->installed_gen >= gen && fi->mirror_valid && !fi->compare_all
           && of_channel_get_state(fi->ch) == OF_CHANNEL_ACTIVE;
}

bool
flow_installer_has_audited(const struct flow_installer *fi)
{
    return fi->audited;
}

bool
flow_installer_is_synced(const struct flow_installer *fi)
{
    return fi->installed_gen == fi->desired_gen && fi->mirror_valid
           && !fi->compare_all && !fi->flush_learned
           && of_channel_get_state(fi->ch) == OF_CHANNEL_ACTIVE;
}

const char *
flow_installer_get_error(const struct flow_installer *fi)
{
    return fi->error;
}

uint64_t
flow_installer_get_error_gen(const struct flow_installer *fi)
{
    return fi->error_gen;
}

void
flow_installer_get_stats(const struct flow_installer *fi,
                         struct flow_installer_stats *stats)
{
    *stats = fi->stats;
}
