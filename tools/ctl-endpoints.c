/* ovs-vnet-ctl: which of the NB's Endpoint rows a command line reads, and
 * how (tools/ctl-endpoints.h). */
#include <config.h>
#include "tools/ctl-endpoints.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "ovsdb/vnet-idl.h"
#include "sset.h"
#include "stream.h"
#include "timeval.h"
#include "tools/ctl.h"
#include "util.h"

/* The clauses of the command line, in the IDL's form and as pairs. */
#define MAX_ENDPOINT_CLAUSES 64
static struct ovsdb_idl_condition endpoint_cond
    = OVSDB_IDL_CONDITION_INIT(&endpoint_cond);
enum clause_when {
    NOW,                        /* ctl_endpoints_lookup(), _where(). */
    LATER,                      /* ctl_endpoints_lookup_later(). */
    INDEXED,                    /* ctl_endpoints_lookup_indexed(). */
};
static struct clause {
    const char *column;
    char *value;
    enum clause_when when;
} *clauses;
static size_t n_clauses;

/* Where ctl_endpoints_read() reads the rows looked up: the NB's server
 * (its own connection), or NULL for the IDL's rows. */
static const char *select_remote;

static void
add_clause(struct ctl_context *ctx, const char *column, const char *value,
           enum clause_when when)
{
    void (*add)(struct ovsdb_idl_condition *, enum ovsdb_function,
                const char *)
        = (!strcmp(column, "name") ? vnetrec_endpoint_add_clause_name
           : !strcmp(column, "netns") ? vnetrec_endpoint_add_clause_netns
           : !strcmp(column, "ip") ? vnetrec_endpoint_add_clause_ip
           : !strcmp(column, "mac") ? vnetrec_endpoint_add_clause_mac
           : NULL);
    ovs_assert(add);
    add(&endpoint_cond, OVSDB_F_EQ, value);
    clauses = xrealloc(clauses, (n_clauses + 1) * sizeof *clauses);
    clauses[n_clauses].column = column;
    clauses[n_clauses].value = xstrdup(value);
    clauses[n_clauses].when = when;
    n_clauses++;
    ctx->endpoints_named = true;
}

void
ctl_endpoints_where(struct ctl_context *ctx, const char *column,
                    const char *value)
{
    add_clause(ctx, column, value, NOW);
    ctx->endpoint_rows_needed = true;
}

void
ctl_endpoints_lookup(struct ctl_context *ctx, const char *column,
                     const char *value)
{
    add_clause(ctx, column, value, NOW);
}

void
ctl_endpoints_lookup_later(struct ctl_context *ctx, const char *column,
                           const char *value)
{
    add_clause(ctx, column, value, LATER);
}

void
ctl_endpoints_lookup_indexed(struct ctl_context *ctx, const char *column,
                             const char *value)
{
    add_clause(ctx, column, value, INDEXED);
}

void
ctl_endpoints_monitor(struct ovsdb_idl *idl, bool all_named,
                      bool rows_needed, const char *remote)
{
    select_remote = NULL;
    if (!all_named || n_clauses > MAX_ENDPOINT_CLAUSES) {
        return;                 /* Every row, in the IDL. */
    }
    if (rows_needed || strchr(remote, ',')) {
        /* (A cluster's member other than the IDL's could be behind it.) */
        vnetrec_endpoint_set_condition(idl, &endpoint_cond);
        return;
    }
    for (size_t i = 0; i < VNETREC_ENDPOINT_N_COLUMNS; i++) {
        ovsdb_idl_omit(idl, &vnetrec_endpoint_columns[i]);
    }
    select_remote = remote;
}

/* The rows read by "select", with those the commands added (strings
 * owned), and a view of the IDL's rows (strings borrowed). */
static struct ctl_endpoints selected;
static struct sset selected_uuids = SSET_INITIALIZER(&selected_uuids);
static bool later_read;         /* The "later" clauses' rows are in too. */
static bool indexed_read;       /* The "indexed" clauses' rows are read with
                                 * the others (a dry run, or a retry). */
static struct ctl_endpoints view;

static void
endpoints_add(struct ctl_endpoints *eps, const char *name, const char *netns,
              const struct uuid *network, const char *ip, const char *mac)
{
    if (eps->n >= eps->allocated) {
        eps->eps = x2nrealloc(eps->eps, &eps->allocated, sizeof *eps->eps);
    }
    eps->eps[eps->n++] = (struct ctl_endpoint) {
        .name = name, .netns = netns, .ip = ip, .mac = mac,
        .network = *network,
    };
}

static void
selected_add(const char *name, const char *netns, const struct uuid *network,
             const char *ip, const char *mac)
{
    endpoints_add(&selected, xstrdup(name), nullable_xstrdup(netns), network,
                  nullable_xstrdup(ip), nullable_xstrdup(mac));
}

static void
selected_clear(void)
{
    for (size_t i = 0; i < selected.n; i++) {
        struct ctl_endpoint *ep = &selected.eps[i];
        free(CONST_CAST(char *, ep->name));
        free(CONST_CAST(char *, ep->netns));
        free(CONST_CAST(char *, ep->ip));
        free(CONST_CAST(char *, ep->mac));
    }
    selected.n = 0;
    sset_clear(&selected_uuids);
}

const struct ctl_endpoints *
ctl_endpoints_get(struct ovsdb_idl *idl)
{
    if (select_remote) {
        return &selected;
    }
    /* The IDL's rows as they are now, with those inserted and without those
     * deleted by the commands before. */
    view.n = 0;
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        endpoints_add(&view, ep->name, ep->netns,
                      ep->network ? &ep->network->header_.uuid : &UUID_ZERO,
                      ep->ip, ep->mac);
    }
    return &view;
}

void
ctl_endpoints_added(const char *name, const char *netns,
                    const struct uuid *network, const char *ip,
                    const char *mac)
{
    if (select_remote) {
        selected_add(name, netns, network, ip, mac);
    }
}

/* A string column's value in a row of a "select" reply: a string, or a set
 * of none or one. */
static const char *
json_optional(const struct json *row, const char *column)
{
    const struct json *v = shash_find_data(json_object(row), column);
    if (v && v->type == JSON_STRING) {
        return json_string(v);
    }
    if (v && v->type == JSON_ARRAY && json_array(v)->n == 2
        && json_array(v)->elems[1]->type == JSON_ARRAY
        && json_array(json_array(v)->elems[1])->n == 1
        && json_array(json_array(v)->elems[1])->elems[0]->type
           == JSON_STRING) {
        return json_string(json_array(json_array(v)->elems[1])->elems[0]);
    }
    return NULL;
}

/* A uuid column's value in a row of a "select" reply: ["uuid", "..."]. */
static bool
json_uuid(const struct json *row, const char *column, struct uuid *uuid)
{
    const struct json *v = shash_find_data(json_object(row), column);
    return (v && v->type == JSON_ARRAY && json_array(v)->n == 2
            && json_array(v)->elems[1]->type == JSON_STRING
            && uuid_from_string(uuid, json_string(json_array(v)->elems[1])));
}

/* Sends 'request' on a connection of its own to 'remote' and returns the
 * reply's result (caller frees), or fails the command. */
static struct json *
transact(const char *remote, struct jsonrpc_msg *request)
{
    struct stream *stream;
    long long int timeout = (deadline == LLONG_MAX ? -1
                             : MAX(deadline - time_msec(), 0));
    int error = stream_open_block(jsonrpc_stream_open(remote, &stream,
                                                      DSCP_DEFAULT),
                                  timeout, &stream);
    if (error) {
        ctl_check_deadline("connecting to the NB database");
        ctl_fatal("%s: NB database connection failed (%s)", remote,
                  ovs_strerror(error));
    }

    struct jsonrpc *rpc = jsonrpc_open(stream);
    struct json *id = json_clone(request->id);
    error = jsonrpc_send(rpc, request);
    struct jsonrpc_msg *reply = NULL;
    while (!error) {
        jsonrpc_run(rpc);
        struct jsonrpc_msg *msg;
        error = jsonrpc_recv(rpc, &msg);
        if (!error) {
            if (msg->type != JSONRPC_NOTIFY && msg->id
                && json_equal(msg->id, id)) {
                reply = msg;
                break;
            }
            jsonrpc_msg_destroy(msg);
        } else if (error == EAGAIN) {
            error = 0;
            ctl_check_deadline("reading from the NB database");
            jsonrpc_wait(rpc);
            jsonrpc_recv_wait(rpc);
            ctl_wait_deadline();
            poll_block();
        }
    }
    json_destroy(id);
    jsonrpc_close(rpc);
    if (!reply) {
        ctl_fatal("%s: NB database connection lost (%s)", remote,
                  ovs_retval_to_string(error));
    }
    if (reply->type == JSONRPC_ERROR || !reply->result) {
        char *s = reply->error ? json_to_string(reply->error, 0) : NULL;
        ctl_fatal("%s: reading endpoints failed: %s", remote,
                  s ? s : "no result");
    }
    struct json *result = reply->result;
    reply->result = NULL;
    jsonrpc_msg_destroy(reply);
    return result;
}

/* The rows that match any clause read now (with the "indexed" ones, if
 * they are read) or 'later', with one "select" a clause, into 'selected'
 * (once each). */
static void
read_by_select(const char *remote, bool later)
{
    struct json *ops = json_array_create_1(
        json_string_create(vnetrec_idl_class.database));
    for (size_t i = 0; i < n_clauses; i++) {
        enum clause_when when = clauses[i].when;
        if (later
            ? when != LATER
            : when != NOW && !(when == INDEXED && indexed_read)) {
            continue;
        }
        struct json *where = json_array_create_1(json_array_create_3(
            json_string_create(clauses[i].column), json_string_create("=="),
            json_string_create(clauses[i].value)));
        struct json *columns = json_array_create_empty();
        static const char *const names[] = {
            "_uuid", "name", "netns", "network", "ip", "mac",
        };
        for (size_t j = 0; j < ARRAY_SIZE(names); j++) {
            json_array_add(columns, json_string_create(names[j]));
        }
        struct json *op = json_object_create();
        json_object_put_string(op, "op", "select");
        json_object_put_string(op, "table", "Endpoint");
        json_object_put(op, "where", where);
        json_object_put(op, "columns", columns);
        json_array_add(ops, op);
    }
    if (json_array(ops)->n == 1) {
        json_destroy(ops);
        return;
    }
    struct json *result = transact(remote,
                                   jsonrpc_create_request("transact", ops,
                                                          NULL));

    /* A row that matches several clauses is there once. */
    for (size_t i = 0; result->type == JSON_ARRAY && i < json_array(result)->n;
         i++) {
        const struct json *r = json_array(result)->elems[i];
        const struct json *error = r->type == JSON_OBJECT
            ? shash_find_data(json_object(r), "error") : NULL;
        if (error) {
            char *s = json_to_string(r, 0);
            ctl_fatal("%s: reading endpoints failed: %s", remote, s);
        }
        const struct json *rows = r->type == JSON_OBJECT
            ? shash_find_data(json_object(r), "rows") : NULL;
        for (size_t j = 0; rows && rows->type == JSON_ARRAY
                           && j < json_array(rows)->n; j++) {
            const struct json *row = json_array(rows)->elems[j];
            struct uuid uuid, network;
            const char *name = (row->type == JSON_OBJECT
                                ? json_optional(row, "name") : NULL);
            if (!name || !json_uuid(row, "_uuid", &uuid)
                || !json_uuid(row, "network", &network)) {
                ctl_fatal("%s: reading endpoints failed: unexpected reply",
                          remote);
            }
            char uuid_s[UUID_LEN + 1];
            snprintf(uuid_s, sizeof uuid_s, UUID_FMT, UUID_ARGS(&uuid));
            if (sset_add(&selected_uuids, uuid_s)) {
                selected_add(name, json_optional(row, "netns"), &network,
                             json_optional(row, "ip"),
                             json_optional(row, "mac"));
            }
        }
    }
    json_destroy(result);
}

void
ctl_endpoints_read(void)
{
    selected_clear();
    later_read = false;
    if (select_remote) {
        read_by_select(select_remote, false);
    }
}

void
ctl_endpoints_read_indexed(void)
{
    indexed_read = true;
}

bool
ctl_endpoints_retry_on(const char *txn_error)
{
    if (!select_remote || indexed_read
        || !strstr(txn_error, "constraint violation")) {
        return false;
    }
    for (size_t i = 0; i < n_clauses; i++) {
        if (clauses[i].when == INDEXED) {
            indexed_read = true;
            return true;
        }
    }
    return false;
}

const struct ctl_endpoints *
ctl_endpoints_get_later(struct ovsdb_idl *idl)
{
    if (select_remote && !later_read) {
        later_read = true;
        read_by_select(select_remote, true);
    }
    return ctl_endpoints_get(idl);
}
