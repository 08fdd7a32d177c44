/* ovs-vnet-ctl: helpers shared by the commands. */
#include <config.h>
#include "tools/ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "byte-order.h"
#include "dirs.h"
#include "flows/pipeline.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/json.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vconn.h"
#include "ovsdb-idl.h"
#include "ovsdb/addr.h"
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "ovsdb/validate.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

/* Lookups by name and sorted lists, the same for every table. */
#define CTL_TABLE_HELPERS(TABLE, PLURAL)                                    \
    const struct vnetrec_##TABLE *                                          \
    TABLE##_by_name(struct ovsdb_idl *idl, const char *name)                \
    {                                                                       \
        const struct vnetrec_##TABLE *row;                                  \
        for (row = vnetrec_##TABLE##_first(idl); row;                       \
             row = vnetrec_##TABLE##_next(row)) {                           \
            if (!strcmp(row->name, name)) {                                 \
                return row;                                                 \
            }                                                               \
        }                                                                   \
        return NULL;                                                        \
    }                                                                       \
                                                                            \
    static int                                                              \
    compare_##TABLE(const void *a_, const void *b_)                         \
    {                                                                       \
        const struct vnetrec_##TABLE *const *a = a_;                        \
        const struct vnetrec_##TABLE *const *b = b_;                        \
        return strcmp((*a)->name, (*b)->name);                              \
    }                                                                       \
                                                                            \
    const struct vnetrec_##TABLE **                                         \
    PLURAL##_sorted(struct ovsdb_idl *idl, size_t *n)                       \
    {                                                                       \
        const struct vnetrec_##TABLE **list = NULL;                         \
        const struct vnetrec_##TABLE *row;                                  \
        size_t allocated = 0;                                               \
                                                                            \
        *n = 0;                                                             \
        for (row = vnetrec_##TABLE##_first(idl); row;                       \
             row = vnetrec_##TABLE##_next(row)) {                           \
            if (*n >= allocated) {                                          \
                list = x2nrealloc(list, &allocated, sizeof *list);          \
            }                                                               \
            list[(*n)++] = row;                                             \
        }                                                                   \
        if (*n) {                                                           \
            qsort(list, *n, sizeof *list, compare_##TABLE);                 \
        }                                                                   \
        return list;                                                        \
    }

CTL_TABLE_HELPERS(switch, switches)
CTL_TABLE_HELPERS(network, networks)
CTL_TABLE_HELPERS(endpoint, all_endpoints)
CTL_TABLE_HELPERS(router, routers)

const struct vnetrec_endpoint **
endpoints_sorted(struct ovsdb_idl *idl, const struct vnetrec_network *net,
                 size_t *n)
{
    const struct vnetrec_endpoint **list = all_endpoints_sorted(idl, n);
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        if (!net || list[i]->network == net) {
            list[kept++] = list[i];
        }
    }
    *n = kept;
    return list;
}

void
table_add_text(struct table *t, const char *text)
{
    table_add_cell(t)->text = xstrdup(text ? text : "");
}

/* Parses a whole number from 'min' to 'max' given as option 'opt'. */
bool
parse_number_option(struct ctl_context *ctx, const char *opt, const char *s,
                    int min, int max, int *value)
{
    if (!str_to_int(s, 10, value) || *value < min || *value > max) {
        ctl_error(ctx, "%s=%s: expected a number from %d to %d", opt, s, min,
                  max);
        return false;
    }
    return true;
}

void
ctl_decides_on_reads(struct ctl_context *ctx)
{
    ctx->decided_on_reads = true;
}

/* Gives 'g' a relay key (32 random bytes, in hex) unless it has one. */
void
ensure_relay_key(const struct vnetrec_vnet_global *g)
{
    if (smap_get(&g->options, VNET_RELAY_KEY)) {
        return;
    }
    uint8_t bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) {
        ctl_fatal("cannot make a relay key: no random numbers");
    }
    char hex[2 * sizeof bytes + 1];
    for (size_t i = 0; i < sizeof bytes; i++) {
        snprintf(&hex[2 * i], 3, "%02x", bytes[i]);
    }
    OPENSSL_cleanse(bytes, sizeof bytes);
    vnetrec_vnet_global_update_options_setkey(g, VNET_RELAY_KEY, hex);
    OPENSSL_cleanse(hex, sizeof hex);
}

const struct vnetrec_vnet_global *
get_or_create_global(struct ctl_context *ctx)
{
    const struct vnetrec_vnet_global *g = vnetrec_vnet_global_first(ctx->idl);
    if (!g && ctx->txn) {
        g = vnetrec_vnet_global_insert(ctx->txn);
        ensure_relay_key(g);
    }
    return g;
}

const char *
opt_def(const struct ctl_context *ctx, const char *key, const char *def)
{
    const char *value = ctl_args_get(&ctx->args, key);
    return value ? value : def;
}

void
print_table(struct ctl_context *ctx, struct table *t)
{
    struct table_style style = table_style;
    if (!format_given) {
        style.format = TF_TABLE;
    }
    table_format(t, &style, &ctx->output);
    table_destroy(t);
}

struct json *
json_optional_string(const char *s)
{
    return s ? json_string_create(s) : json_null_create();
}

struct json *
json_from_smap(const struct smap *smap)
{
    struct json *j = json_object_create();
    struct smap_node *node;
    SMAP_FOR_EACH (node, smap) {
        json_object_put_string(j, node->key, node->value);
    }
    return j;
}

static int
compare_nat(const void *a_, const void *b_)
{
    const struct vnetrec_nat *const *a = a_;
    const struct vnetrec_nat *const *b = b_;
    int c = strcmp((*a)->type, (*b)->type);
    if (!c) {
        c = strcmp((*a)->external_ip ? (*a)->external_ip : "",
                   (*b)->external_ip ? (*b)->external_ip : "");
    }
    if (!c) {
        c = ((*a)->external_port > (*b)->external_port)
            - ((*a)->external_port < (*b)->external_port);
    }
    return c ? c : strcmp((*a)->logical_ip, (*b)->logical_ip);
}

const struct vnetrec_nat **
nat_sorted(const struct vnetrec_router *r)
{
    const struct vnetrec_nat **list = xcalloc(r->n_nat + 1, sizeof *list);
    if (r->n_nat) {
        memcpy(list, r->nat, r->n_nat * sizeof *list);
        qsort(list, r->n_nat, sizeof *list, compare_nat);
    }
    return list;
}

/* Names the NB object behind 'cookie' ("endpoint ep1", "network net1"). */
char *
cookie_owner(struct ovsdb_idl *idl, uint64_t cookie)
{
    uint32_t object = vnet_cookie_object(cookie);
    if (!object) {
        return xstrdup("");
    }
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (ep->header_.uuid.parts[0] == object) {
            return xasprintf("endpoint %s", ep->name);
        }
    }
    const struct vnetrec_network *net;
    VNETREC_NETWORK_FOR_EACH (net, idl) {
        if (net->header_.uuid.parts[0] == object) {
            return xasprintf("network %s", net->name);
        }
    }
    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, idl) {
        if (rt->header_.uuid.parts[0] == object) {
            return xasprintf("router %s", rt->name);
        }
        for (size_t i = 0; i < rt->n_nat; i++) {
            const struct vnetrec_nat *nat = rt->nat[i];
            if (nat->header_.uuid.parts[0] == object) {
                char *ext = nat_format_external(rt, nat);
                char *in = nat_format_internal(nat);
                char *s = xasprintf("router %s %s %s -> %s", rt->name,
                                    nat->type, ext, in);
                free(ext);
                free(in);
                return s;
            }
        }
    }
    return xasprintf("object %08"PRIx32" (gone)", object);
}

/* The router that joins network 'net', or NULL. */
const struct vnetrec_router *
router_of_network(struct ovsdb_idl *idl, const struct vnetrec_network *net)
{
    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, idl) {
        for (size_t i = 0; i < rt->n_networks; i++) {
            if (rt->networks[i] == net) {
                return rt;
            }
        }
    }
    return NULL;
}
