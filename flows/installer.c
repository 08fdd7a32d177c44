#include <config.h>
#include "flows/installer.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "byte-order.h"
#include "coverage.h"
#include "flows/flow-table.h"
#include "flows/of-channel.h"
#include "flows/pipeline.h"
#include "openvswitch/ofp-bundle.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
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
COVERAGE_DEFINE(installer_bundle);
COVERAGE_DEFINE(installer_flow_add);
COVERAGE_DEFINE(installer_flow_del);

/* How often the flows on the switch are checked against the desired ones. */
#define RECHECK_MS 2000
/* How long to wait for the switch before starting over. */
#define REPLY_TIMEOUT_MS 10000

enum installer_state {
    S_IDLE,                     /* Nothing outstanding. */
    S_DUMPING,                  /* Flow stats requested ('xid'). */
    S_COMMITTING,               /* Bundle and barrier sent ('xid'). */
};

struct flow_installer {
    char *name;
    struct of_channel *ch;
    unsigned int ch_seqno;

    struct flow_table desired;
    uint64_t desired_gen;
    uint64_t installed_gen;     /* Confirmed by a barrier or a clean check. */

    enum installer_state state;
    ovs_be32 xid;
    uint64_t pending_gen;       /* Generation of the dump or commit. */
    size_t pending_count;       /* Flows of that generation. */
    unsigned int repairs;       /* Installed flows found changed, in a row. */
    struct flow_table dumped;   /* Our flows found on the switch. */
    bool commit_failed;
    bool flush_learned;         /* Delete learned flows in the next bundle. */
    bool flushing;              /* ...and this commit does. */
    uint32_t next_bundle_id;
    long long int next_check;
    long long int deadline;     /* For the outstanding request. */

    char *error;
    struct flow_installer_stats stats;
};

struct flow_installer *
flow_installer_create(const char *name, struct of_channel *ch)
{
    struct flow_installer *fi = xzalloc(sizeof *fi);
    fi->name = xstrdup(name);
    fi->ch = ch;
    fi->ch_seqno = of_channel_get_seqno(ch) - 1;
    flow_table_init(&fi->desired);
    flow_table_init(&fi->dumped);
    fi->next_bundle_id = 1;
    return fi;
}

void
flow_installer_destroy(struct flow_installer *fi)
{
    if (fi) {
        flow_table_destroy(&fi->desired);
        flow_table_destroy(&fi->dumped);
        free(fi->error);
        free(fi->name);
        free(fi);
    }
}

void
flow_installer_set_desired(struct flow_installer *fi,
                           struct flow_table *desired, uint64_t generation)
{
    flow_table_clear(&fi->desired);
    flow_table_swap(&fi->desired, desired);
    fi->desired_gen = generation;
    if (fi->state == S_IDLE) {
        fi->next_check = 0;
    }
}

static void
set_error(struct flow_installer *fi, char *error)
{
    free(fi->error);
    fi->error = error;
}

static void
start_over(struct flow_installer *fi, long long int when)
{
    fi->state = S_IDLE;
    fi->next_check = when;
    flow_table_clear(&fi->dumped);
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
    fi->deadline = time_msec() + REPLY_TIMEOUT_MS;
    fi->stats.n_checks++;
    COVERAGE_INC(installer_check);
    if (of_channel_send(fi->ch, msg)) {
        start_over(fi, time_msec() + 1000);
    }
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

/* Compares the dump with the desired flows and sends the difference. */
static void
reconcile(struct flow_installer *fi)
{
    int version = of_channel_get_version(fi->ch);
    enum ofputil_protocol protocol = ofputil_protocol_from_ofp_version(version);
    struct vnet_flow *f;
    size_t n_del = 0, n_add = 0;

    fi->stats.n_installed = flow_table_count(&fi->dumped);
    FLOW_TABLE_FOR_EACH (f, &fi->dumped) {
        if (!flow_table_find(&fi->desired, f)) {
            n_del++;
        }
    }
    FLOW_TABLE_FOR_EACH (f, &fi->desired) {
        struct vnet_flow *have = flow_table_find(&fi->dumped, f);
        if (!have || !vnet_flow_same_result(have, f)) {
            n_add++;
        }
    }

    if (!n_del && !n_add && !fi->flush_learned) {
        fi->repairs = 0;
        fi->installed_gen = fi->pending_gen;
        set_error(fi, NULL);
        start_over(fi, fi->installed_gen == fi->desired_gen
                       ? time_msec() + RECHECK_MS : 0);
        return;
    }

    /* The flows of this generation were installed and confirmed, yet differ
     * again: someone changed them, or (if it goes on) the switch gives them
     * back in another form than the one they are compared in. */
    if (fi->pending_gen == fi->installed_gen && (n_del || n_add)
        && ++fi->repairs >= 3) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);
        VLOG_WARN_RL(&rl, "%s: %"PRIuSIZE" installed flows differ from the "
                     "desired ones at every check (%u in a row)", fi->name,
                     n_del + n_add, fi->repairs);
    }

    uint32_t bundle_id = fi->next_bundle_id++;
    uint16_t flags = OFPBF_ATOMIC | OFPBF_ORDERED;
    /* Every message of the bundle carries the barrier's (fresh) xid, so errors
     * and the final reply are easy to recognize. */
    struct ofpbuf *barrier = ofputil_encode_barrier_request(version);
    fi->xid = ((struct ofp_header *) barrier->data)->xid;
    fi->commit_failed = false;
    VLOG_DBG("%s: bundle %"PRIu32": %"PRIuSIZE" deletes, %"PRIuSIZE" adds",
             fi->name, bundle_id, n_del, n_add);

    send_bundle_ctrl(fi, bundle_id, OFPBCT_OPEN_REQUEST, flags, version);
    fi->flushing = fi->flush_learned;
    if (fi->flushing) {
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
    FLOW_TABLE_FOR_EACH (f, &fi->dumped) {
        if (!flow_table_find(&fi->desired, f)) {
            bundle_add(fi, bundle_id, flags,
                       encode_flow_mod(f, OFPFC_DELETE_STRICT, protocol),
                       version);
            COVERAGE_INC(installer_flow_del);
        }
    }
    FLOW_TABLE_FOR_EACH (f, &fi->desired) {
        struct vnet_flow *have = flow_table_find(&fi->dumped, f);
        if (!have || !vnet_flow_same_result(have, f)) {
            if (VLOG_IS_DBG_ENABLED()) {
                struct flow_table one;
                flow_table_init(&one);
                flow_table_add_parts(&one, f->table_id, f->priority,
                                     &(struct match) MATCH_CATCHALL_INITIALIZER,
                                     f->cookie, f->ofpacts, f->ofpacts_len);
                char *want = flow_table_format(&one);
                VLOG_DBG("%s: %s flow: %s", fi->name,
                         have ? "changed" : "missing", want);
                if (have) {
                    flow_table_clear(&one);
                    flow_table_add_parts(&one, have->table_id, have->priority,
                                         &(struct match) MATCH_CATCHALL_INITIALIZER,
                                         have->cookie, have->ofpacts,
                                         have->ofpacts_len);
                    char *had = flow_table_format(&one);
                    VLOG_DBG("%s: switch had: %s", fi->name, had);
                    free(had);
                }
                free(want);
                flow_table_destroy(&one);
            }
            bundle_add(fi, bundle_id, flags,
                       encode_flow_mod(f, OFPFC_ADD, protocol), version);
            COVERAGE_INC(installer_flow_add);
        }
    }
    send_bundle_ctrl(fi, bundle_id, OFPBCT_COMMIT_REQUEST, flags, version);

    of_channel_send(fi->ch, barrier);

    fi->pending_count = flow_table_count(&fi->desired);
    fi->stats.n_bundles++;
    fi->stats.n_adds += n_add;
    fi->stats.n_deletes += n_del;
    COVERAGE_INC(installer_bundle);
    flow_table_clear(&fi->dumped);
    fi->state = S_COMMITTING;
    fi->deadline = time_msec() + REPLY_TIMEOUT_MS;
}

void
flow_installer_handle_msg(struct flow_installer *fi, const struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    enum ofptype type;

    if (fi->state == S_IDLE || oh->xid != fi->xid || ofptype_decode(&type, oh)) {
        return;
    }

    if (type == OFPTYPE_FLOW_STATS_REPLY && fi->state == S_DUMPING) {
        struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
        struct ofpbuf ofpacts;
        ofpbuf_init(&ofpacts, 64);
        for (;;) {
            struct ofputil_flow_stats fs;
            int retval = ofputil_decode_flow_stats_reply(&fs, &b, false,
                                                         &ofpacts);
            if (retval) {
                if (retval != EOF) {
                    VLOG_WARN("%s: bad flow stats reply", fi->name);
                }
                break;
            }
            uint64_t cookie = ntohll(fs.cookie);
            if (!vnet_cookie_is_ours(cookie)
                || vnet_cookie_feature(cookie) == VNET_F_LEARNED) {
                continue;
            }
            flow_table_add_parts(&fi->dumped, fs.table_id, fs.priority,
                                 &fs.match, cookie, fs.ofpacts,
                                 fs.ofpacts_len);
        }
        ofpbuf_uninit(&ofpacts);
        if (!(ofpmp_flags(oh) & OFPSF_REPLY_MORE)) {
            reconcile(fi);
        }
    } else if (type == OFPTYPE_ERROR) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        char *s = ofp_to_string(oh, ntohs(oh->length), NULL, NULL, 1);
        VLOG_WARN_RL(&rl, "%s: switch refused flows: %s", fi->name, s);
        set_error(fi, xasprintf("switch refused flows: %s",
                                ofperr_get_name(ofperr_decode_msg(oh, NULL))));
        free(s);
        fi->stats.n_errors++;
        fi->commit_failed = true;
        if (fi->state == S_DUMPING) {
            start_over(fi, time_msec() + 1000);
        }
    } else if (type == OFPTYPE_BARRIER_REPLY && fi->state == S_COMMITTING) {
        if (!fi->commit_failed) {
            if (fi->flushing) {
                fi->flush_learned = fi->flushing = false;
            }
            fi->installed_gen = fi->pending_gen;
            fi->stats.n_installed = fi->pending_count;
            set_error(fi, NULL);
            start_over(fi, fi->installed_gen == fi->desired_gen
                           ? time_msec() + RECHECK_MS : 0);
        } else {
            start_over(fi, time_msec() + 1000);
        }
    }
}

void
flow_installer_flush_learned(struct flow_installer *fi)
{
    fi->flush_learned = true;
    if (fi->state == S_IDLE) {
        fi->next_check = 0;
    }
}

void
flow_installer_run(struct flow_installer *fi)
{
    if (of_channel_get_state(fi->ch) != OF_CHANNEL_ACTIVE) {
        if (fi->state != S_IDLE) {
            start_over(fi, 0);
        }
        return;
    }
    unsigned int seqno = of_channel_get_seqno(fi->ch);
    if (seqno != fi->ch_seqno) {
        /* New connection: the switch may have lost everything. */
        fi->ch_seqno = seqno;
        start_over(fi, 0);
    }

    long long int now = time_msec();
    if (fi->state != S_IDLE && now >= fi->deadline) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: no reply from the switch; starting over",
                     fi->name);
        start_over(fi, 0);
    }
    if (fi->state == S_IDLE && now >= fi->next_check) {
        int version = of_channel_get_version(fi->ch);
        send_dump(fi, ofputil_protocol_from_ofp_version(version));
    }
}

void
flow_installer_wait(struct flow_installer *fi)
{
    if (fi->state == S_IDLE) {
        poll_timer_wait_until(fi->next_check);
    } else {
        poll_timer_wait_until(fi->deadline);
    }
}

uint64_t
flow_installer_get_installed(const struct flow_installer *fi)
{
    return fi->installed_gen;
}

bool
flow_installer_is_synced(const struct flow_installer *fi)
{
    return fi->installed_gen == fi->desired_gen
           && of_channel_get_state(fi->ch) == OF_CHANNEL_ACTIVE;
}

const char *
flow_installer_get_error(const struct flow_installer *fi)
{
    return fi->error;
}

void
flow_installer_get_stats(const struct flow_installer *fi,
                         struct flow_installer_stats *stats)
{
    *stats = fi->stats;
}
