#include <config.h>
#include "controller/vswitchd-ask.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "socket-util.h"
#include "stream.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vswitchd_ask);

struct question {
    char *method;               /* The command, for logs. */
    struct jsonrpc_msg *request;  /* Until sent. */
    struct json *id;            /* Its id, to know its answer by. */
    char *output;               /* The answer: output, */
    char *error;                /* or the server's error text. */
};

struct vswitchd_ask {
    char *name;                 /* "unix:PATH". */
    struct stream *stream;      /* Connecting, */
    struct jsonrpc *rpc;        /* then connected. */
    long long int deadline;
    int error;                  /* For good, once not 0 (nor EAGAIN). */
    struct question *qs;
    size_t n, allocated;
    size_t n_answered;          /* unixctl answers in the order asked: the
                                 * first 'n_answered' are in. */
};

struct vswitchd_ask *
vswitchd_ask_create(const char *ctl_path, long long int deadline)
{
    struct vswitchd_ask *a = xzalloc(sizeof *a);
    a->name = xasprintf("unix:%s", ctl_path);
    a->deadline = deadline;
    a->error = stream_open(a->name, &a->stream, DSCP_DEFAULT);
    return a;
}

void
vswitchd_ask_destroy(struct vswitchd_ask *a)
{
    if (a) {
        for (size_t i = 0; i < a->n; i++) {
            free(a->qs[i].method);
            jsonrpc_msg_destroy(a->qs[i].request);
            json_destroy(a->qs[i].id);
            free(a->qs[i].output);
            free(a->qs[i].error);
        }
        free(a->qs);
        jsonrpc_close(a->rpc);
        stream_close(a->stream);
        free(a->name);
        free(a);
    }
}

void
vswitchd_ask_add(struct vswitchd_ask *a, const char *cmd, int argc,
                 char *argv[])
{
    struct json *params = json_array_create_empty();
    for (int i = 0; i < argc; i++) {
        json_array_add(params, json_string_create(argv[i]));
    }
    if (a->n >= a->allocated) {
        a->qs = x2nrealloc(a->qs, &a->allocated, sizeof *a->qs);
    }
    struct question *q = &a->qs[a->n++];
    memset(q, 0, sizeof *q);
    q->method = xstrdup(cmd);
    q->request = jsonrpc_create_request(cmd, params, &q->id);
}

/* Takes in reply 'msg' (and frees it), the answer to the next question;
 * returns an errno if it is not one that unixctl gives. */
static int
take_reply(struct vswitchd_ask *a, struct jsonrpc_msg *msg)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct question *q = &a->qs[a->n_answered];
    int error = 0;
    if ((msg->type != JSONRPC_REPLY && msg->type != JSONRPC_ERROR)
        || !msg->id || !json_equal(q->id, msg->id)) {
        VLOG_WARN_RL(&rl, "%s: unexpected %s message", a->name,
                     jsonrpc_msg_type_to_string(msg->type));
        error = EPROTO;
    } else if (msg->type == JSONRPC_ERROR) {
        q->error = xstrdup(msg->error && msg->error->type == JSON_STRING
                           ? json_string(msg->error) : "(not a string)");
    } else if (msg->result && msg->result->type == JSON_STRING) {
        q->output = xstrdup(json_string(msg->result));
    } else {
        VLOG_WARN_RL(&rl, "%s: the answer to %s is not a string", a->name,
                     q->method);
        error = EPROTO;
    }
    if (!error) {
        a->n_answered++;
    }
    jsonrpc_msg_destroy(msg);
    return error;
}

int
vswitchd_ask_run(struct vswitchd_ask *a)
{
    if (a->error) {
        return a->error;
    }
    if (!a->rpc) {
        int error = stream_connect(a->stream);
        if (!error) {
            a->rpc = jsonrpc_open(a->stream);
            a->stream = NULL;
            for (size_t i = 0; i < a->n && !error; i++) {
                error = jsonrpc_send(a->rpc, a->qs[i].request);
                a->qs[i].request = NULL;
            }
        }
        if (error && error != EAGAIN) {
            a->error = error;
            return error;
        }
    }
    while (a->rpc && a->n_answered < a->n) {
        jsonrpc_run(a->rpc);
        struct jsonrpc_msg *msg;
        int error = jsonrpc_recv(a->rpc, &msg);
        if (error == EAGAIN) {
            break;
        } else if (error || (error = take_reply(a, msg))) {
            a->error = error == EOF ? ECONNRESET : error;
            return a->error;
        }
    }
    if (a->n_answered == a->n) {
        return 0;
    }
    if (time_msec() >= a->deadline) {
        a->error = ETIMEDOUT;
        return a->error;
    }
    return EAGAIN;
}

void
vswitchd_ask_wait(const struct vswitchd_ask *a)
{
    if (a->error || a->n_answered == a->n) {
        return;                 /* Nothing more comes. */
    }
    if (a->stream) {
        stream_connect_wait(a->stream);
    } else {
        jsonrpc_wait(a->rpc);
        jsonrpc_recv_wait(a->rpc);
    }
    poll_timer_wait_until(a->deadline);
}

const char *
vswitchd_ask_answer(const struct vswitchd_ask *a, size_t i,
                    const char **error)
{
    ovs_assert(i < a->n_answered);
    *error = a->qs[i].error;
    return a->qs[i].output;
}
