#include <config.h>
#include "flows/of-channel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "coverage.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofp-switch.h"
#include "openvswitch/ofp-util.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/rconn.h"
#include "openvswitch/vconn.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(of_channel);

COVERAGE_DEFINE(of_channel_accept);
COVERAGE_DEFINE(of_channel_echo);

struct of_channel {
    char *name;
    char *path;                 /* Socket we listen on, or NULL. */
    struct pvconn *pvconn;      /* Listener, or NULL. */
    char *listen_path;          /* The listener's socket file... */
    dev_t listen_dev;           /* ...and which file it was. */
    ino_t listen_ino;
    struct rconn *rconn;        /* Connection from the switch, or NULL. */
    unsigned int rconn_seqno;   /* rconn_get_connection_seqno() last seen. */
    bool features_requested;
    bool have_features;
    uint64_t dpid;
    char *error;
    unsigned int seqno;
    long long int next_listen;  /* When to retry a failed listen. */
    of_channel_msg_func *handler;
    void *handler_aux;
};

static void
set_error(struct of_channel *ch, char *error)
{
    free(ch->error);
    ch->error = error;
}

struct of_channel *
of_channel_create(const char *name)
{
    struct of_channel *ch = xzalloc(sizeof *ch);
    ch->name = xstrdup(name);
    return ch;
}

static void
close_connection(struct of_channel *ch)
{
    if (ch->rconn) {
        rconn_destroy(ch->rconn);
        ch->rconn = NULL;
        ch->features_requested = ch->have_features = false;
        ch->seqno++;
    }
}

/* Closing the listener unlinks its socket file, by name.  Another ovs-vnetd
 * may have taken the name over meanwhile (a standby that took over while
 * this one had lost the NB): its file is kept. */
static void
close_listener(struct of_channel *ch)
{
    if (ch->pvconn) {
        struct stat st;
        char *keep = NULL;
        if (ch->listen_path && !stat(ch->listen_path, &st)
            && (st.st_dev != ch->listen_dev || st.st_ino != ch->listen_ino)) {
            keep = xasprintf("%s.%ld", ch->listen_path, (long) getpid());
            if (link(ch->listen_path, keep)) {
                free(keep);
                keep = NULL;
            }
        }
        pvconn_close(ch->pvconn);   /* Also unlinks the socket file. */
        ch->pvconn = NULL;
        if (keep) {
            if (rename(keep, ch->listen_path)) {
                unlink(keep);
            }
            VLOG_INFO("%s: %s is another listener's now: left to it",
                      ch->name, ch->listen_path);
            free(keep);
        }
    }
    free(ch->listen_path);
    ch->listen_path = NULL;
}

void
of_channel_destroy(struct of_channel *ch)
{
    if (ch) {
        close_connection(ch);
        close_listener(ch);
        free(ch->path);
        free(ch->error);
        free(ch->name);
        free(ch);
    }
}

void
of_channel_set_path(struct of_channel *ch, const char *path)
{
    if (nullable_string_is_equal(ch->path, path)) {
        return;
    }
    close_connection(ch);
    close_listener(ch);
    free(ch->path);
    ch->path = nullable_xstrdup(path);
    ch->next_listen = LLONG_MIN;
    set_error(ch, NULL);
}

static void
try_listen(struct of_channel *ch)
{
    if (ch->pvconn || !ch->path || time_msec() < ch->next_listen) {
        return;
    }

    char *name = xasprintf("punix:%s", ch->path);
    int error = pvconn_open(name, OF_CHANNEL_VERSIONS, 0, &ch->pvconn);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "%s: cannot listen on %s (%s)",
                     ch->name, ch->path, ovs_strerror(error));
        set_error(ch, xasprintf("cannot listen for OpenFlow on %s: %s",
                                ch->path, ovs_strerror(error)));
        ch->pvconn = NULL;
        ch->next_listen = time_msec() + 1000;
    } else {
        VLOG_INFO("%s: listening for OpenFlow on %s", ch->name, ch->path);
        set_error(ch, NULL);
        struct stat st;
        free(ch->listen_path);
        ch->listen_path = NULL;
        if (!stat(ch->path, &st)) {
            ch->listen_path = xstrdup(ch->path);
            ch->listen_dev = st.st_dev;
            ch->listen_ino = st.st_ino;
        }
    }
    free(name);
}

static void
accept_connections(struct of_channel *ch)
{
    for (;;) {
        struct vconn *vconn;
        int error = pvconn_accept(ch->pvconn, &vconn);
        if (error) {
            if (error != EAGAIN) {
                VLOG_WARN("%s: accept failed (%s)", ch->name,
                          ovs_strerror(error));
            }
            return;
        }

        /* A switch that reconnects (after a restart, say) replaces the
         * connection it had. */
        COVERAGE_INC(of_channel_accept);
        close_connection(ch);
        /* No inactivity probes: the switch is at the other end of a Unix
         * socket, which closes when it dies, and a switch busy for seconds
         * (adding thousands of ports) is not a dead one. */
        ch->rconn = rconn_create(0, 0, 0, OF_CHANNEL_VERSIONS);
        rconn_connect_unreliably(ch->rconn, vconn, NULL);
        ch->rconn_seqno = rconn_get_connection_seqno(ch->rconn);
        ch->seqno++;
        VLOG_INFO("%s: switch connected", ch->name);
    }
}

static void
process_message(struct of_channel *ch, const struct ofpbuf *msg)
{
    const struct ofp_header *oh = msg->data;
    enum ofptype type;

    if (ofptype_decode(&type, oh)) {
        return;
    }
    switch (type) {
    case OFPTYPE_ECHO_REQUEST:
        COVERAGE_INC(of_channel_echo);
        rconn_send(ch->rconn, ofputil_encode_echo_reply(oh), NULL);
        break;

    case OFPTYPE_FEATURES_REPLY: {
        struct ofputil_switch_features features;
        struct ofpbuf b = ofpbuf_const_initializer(oh, ntohs(oh->length));
        if (!ofputil_pull_switch_features(&b, &features)) {
            ch->dpid = features.datapath_id;
            if (!ch->have_features) {
                ch->have_features = true;
                ch->seqno++;
                VLOG_INFO("%s: OpenFlow %s session with datapath %016"PRIx64,
                          ch->name,
                          ofputil_version_to_string(oh->version), ch->dpid);
            }
        }
        break;
    }

    default:
        if (ch->handler) {
            ch->handler(msg, ch->handler_aux);
        }
        break;
    }
}

void
of_channel_set_handler(struct of_channel *ch, of_channel_msg_func *handler,
                       void *aux)
{
    ch->handler = handler;
    ch->handler_aux = aux;
}

int
of_channel_send(struct of_channel *ch, struct ofpbuf *msg)
{
    if (!ch->rconn || !rconn_is_connected(ch->rconn)) {
        ofpbuf_delete(msg);
        return ENOTCONN;
    }
    return rconn_send(ch->rconn, msg, NULL);
}

/* Once the version is negotiated, asks the switch for its features (its
 * datapath ID). */
static void
request_features(struct of_channel *ch)
{
    int version = rconn_get_version(ch->rconn);
    if (version > 0 && !ch->features_requested) {
        rconn_send(ch->rconn,
                   ofpraw_alloc(OFPRAW_OFPT_FEATURES_REQUEST, version, 0), NULL);
        ch->features_requested = true;
    }
}

void
of_channel_run(struct of_channel *ch)
{
    try_listen(ch);
    if (ch->pvconn) {
        accept_connections(ch);
    }
    if (!ch->rconn) {
        return;
    }

    rconn_run(ch->rconn);
    if (!rconn_is_alive(ch->rconn)) {
        VLOG_INFO("%s: switch disconnected", ch->name);
        close_connection(ch);
        return;
    }
    if (rconn_get_connection_seqno(ch->rconn) != ch->rconn_seqno) {
        ch->rconn_seqno = rconn_get_connection_seqno(ch->rconn);
        ch->features_requested = ch->have_features = false;
        ch->seqno++;
    }

    request_features(ch);
    for (int i = 0; i < 50 && ch->rconn; i++) {
        struct ofpbuf *msg = rconn_recv(ch->rconn);
        if (!msg) {
            break;
        }
        process_message(ch, msg);
        ofpbuf_delete(msg);
    }
    /* Receiving the switch's hello completes the version negotiation
     * without a message to return: ask for the features now, not on the
     * next wake-up, which may be far. */
    if (ch->rconn) {
        request_features(ch);
    }
}

void
of_channel_wait(struct of_channel *ch)
{
    if (ch->path && !ch->pvconn) {
        poll_timer_wait_until(ch->next_listen);
    }
    if (ch->pvconn) {
        pvconn_wait(ch->pvconn);
    }
    if (ch->rconn) {
        rconn_run_wait(ch->rconn);
        rconn_recv_wait(ch->rconn);
    }
}

enum of_channel_state
of_channel_get_state(const struct of_channel *ch)
{
    if (ch->rconn && rconn_is_connected(ch->rconn)) {
        return ch->have_features ? OF_CHANNEL_ACTIVE : OF_CHANNEL_NEGOTIATING;
    }
    return ch->pvconn ? OF_CHANNEL_LISTENING : OF_CHANNEL_CLOSED;
}

const char *
of_channel_state_to_string(enum of_channel_state state)
{
    switch (state) {
    case OF_CHANNEL_CLOSED: return "closed";
    case OF_CHANNEL_LISTENING: return "listening";
    case OF_CHANNEL_NEGOTIATING: return "negotiating";
    case OF_CHANNEL_ACTIVE: return "active";
    }
    return "unknown";
}

uint64_t
of_channel_get_dpid(const struct of_channel *ch)
{
    return ch->have_features ? ch->dpid : 0;
}

int
of_channel_get_version(const struct of_channel *ch)
{
    return ch->rconn && rconn_is_connected(ch->rconn)
           ? rconn_get_version(ch->rconn) : 0;
}

const char *
of_channel_get_error(const struct of_channel *ch)
{
    return ch->error;
}

unsigned int
of_channel_get_seqno(const struct of_channel *ch)
{
    return ch->seqno;
}

struct ofpbuf *
of_channel_packet_out(const void *packet, size_t len, ofp_port_t in_port,
                      ofp_port_t out_port, int version)
{
    uint64_t stub[64 / 8];
    struct ofpbuf ofpacts = OFPBUF_STUB_INITIALIZER(stub);
    ofpact_put_OUTPUT(&ofpacts)->port = out_port;
    struct ofputil_packet_out po = {
        .packet = packet,
        .packet_len = len,
        .buffer_id = UINT32_MAX,
        .ofpacts = ofpacts.data,
        .ofpacts_len = ofpacts.size,
    };
    match_init_catchall(&po.flow_metadata);
    match_set_in_port(&po.flow_metadata, in_port);
    struct ofpbuf *msg = ofputil_encode_packet_out(
        &po, ofputil_protocol_from_ofp_version(version));
    ofpbuf_uninit(&ofpacts);
    return msg;
}
