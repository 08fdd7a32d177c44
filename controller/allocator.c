#include <config.h>
#include "controller/allocator.h"

#include <stdlib.h>
#include <string.h>

#include "controller/desired-flows.h"
#include "controller/idl-changes.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "ovsdb/addr.h"
#include "ovsdb/allocate.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/names.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(allocator);

bool
nb_network_is_pending(const struct vnetrec_network *net)
{
    /* A network on a physical LAN has no gateway unless one was given. */
    return (!net->segment_id || (!net->gateway[0] && !net->physnet)
            || !net->gateway_mac[0]);
}

bool
nb_router_is_pending(const struct vnetrec_router *rt)
{
    return !rt->segment_id || !rt->ct_zone;
}

bool
nb_endpoint_is_pending(const struct vnetrec_endpoint *ep)
{
    return !ep->type[0]
           || (vnet_endpoint_is_created(ep)
               && (!ep->ip || !ep->mac
                   || (!ep->netns && !strcmp(ep->type, "netns"))));
}

void
nb_allocator_init(struct nb_allocator *a)
{
    uuidset_init(&a->pending);
    a->full = true;
    a->idl_seqno = 0;
}

void
nb_allocator_destroy(struct nb_allocator *a)
{
    uuidset_destroy(&a->pending);
}

void
nb_allocator_note(struct nb_allocator *a, struct ovsdb_idl *nb)
{
    enum idl_news news = idl_changes_since(nb, &a->idl_seqno);
    if (news == IDL_NEWS_NONE || a->full) {
        return;
    }
    if (news == IDL_NEWS_UNTRACKED) {
        a->full = true;
        uuidset_clear(&a->pending);
        return;
    }
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH_TRACKED (ep, nb) {
        const struct uuid *uuid = &ep->header_.uuid;
        if (vnetrec_endpoint_is_deleted(ep)) {
            uuidset_find_and_delete(&a->pending, uuid);
        } else if (!uuidset_contains(&a->pending, uuid)) {
            uuidset_insert(&a->pending, uuid);
        }
    }
}

/* Rows of a table in name order. */
struct named {
    const char *name;
    const void *row;
};

static int
compare_named(const void *a_, const void *b_)
{
    const struct named *a = a_, *b = b_;
    return strcmp(a->name, b->name);
}

/* The rows of table 'tc' for which 'pending' is true, in name order
 * ('name_of' gives a row's name).  Caller frees. */
static struct named *
pending_rows(struct ovsdb_idl *nb, const struct ovsdb_idl_table_class *tc,
             bool (*pending)(const void *), const char *(*name_of)(const void *),
             size_t *np)
{
    size_t n = 0, allocated = 0;
    struct named *rows = NULL;
    for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(nb, tc); row;
         row = ovsdb_idl_next_row(row)) {
        if (pending(row)) {
            if (n >= allocated) {
                rows = x2nrealloc(rows, &allocated, sizeof *rows);
            }
            rows[n++] = (struct named) { name_of(row), row };
        }
    }
    if (n) {
        qsort(rows, n, sizeof *rows, compare_named);
    }
    *np = n;
    return rows;
}

static bool network_pending(const void *r) { return nb_network_is_pending(r); }
static bool router_pending(const void *r) { return nb_router_is_pending(r); }
static bool endpoint_pending(const void *r) { return nb_endpoint_is_pending(r); }
static const char *network_name(const void *r)
{ return ((const struct vnetrec_network *) r)->name; }
static const char *router_name(const void *r)
{ return ((const struct vnetrec_router *) r)->name; }
static const char *endpoint_name(const void *r)
{ return ((const struct vnetrec_endpoint *) r)->name; }

static unsigned int
allocate_networks(struct ovsdb_idl *nb)
{
    size_t n;
    struct named *rows = pending_rows(nb, &vnetrec_table_network, network_pending,
                                      network_name, &n);
    const struct vnetrec_network *net;
    unsigned int changed = 0;
    for (size_t i = 0; i < n; i++) {
        net = rows[i].row;
        if (!net->segment_id) {
            vnetrec_network_set_segment_id(net, vnet_alloc_segment_id(nb));
        }
        if (!net->gateway[0] && !net->physnet) {
            struct vnet_cidr cidr;
            unsigned int gateway;
            char *error = vnet_network_check(net->name, net->cidr, NULL,
                                             &cidr, &gateway);
            if (error) {
                free(error);    /* Its status says so. */
            } else {
                char s[16];
                vnetrec_network_set_gateway(net, vnet_ip_format(gateway, s));
            }
        }
        if (!net->gateway_mac[0]) {
            uint8_t mac[6];
            char s[18];
            vnet_mac_for_gateway(net->segment_id, mac);
            vnetrec_network_set_gateway_mac(net, vnet_mac_format(mac, s));
        }
        VLOG_INFO("network %s: segment id %"PRId64", gateway %s (%s)",
                  net->name, net->segment_id, net->gateway, net->gateway_mac);
        changed++;
    }
    free(rows);
    return changed;
}

static unsigned int
allocate_routers(struct ovsdb_idl *nb)
{
    size_t n;
    struct named *rows = pending_rows(nb, &vnetrec_table_router, router_pending,
                                      router_name, &n);
    const struct vnetrec_router *rt;
    unsigned int changed = 0;
    for (size_t i = 0; i < n; i++) {
        rt = rows[i].row;
        if (!rt->segment_id) {
            vnetrec_router_set_segment_id(rt, vnet_alloc_segment_id(nb));
        }
        if (!rt->ct_zone) {
            int64_t zone = vnet_alloc_ct_zone(nb);
            if (!zone) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
                VLOG_WARN_RL(&rl, "router %s: no conntrack zone left",
                             rt->name);
                continue;
            }
            vnetrec_router_set_ct_zone(rt, zone);
        }
        VLOG_INFO("router %s: segment id %"PRId64", conntrack zone %"PRId64,
                  rt->name, rt->segment_id, rt->ct_zone);
        changed++;
    }
    free(rows);
    return changed;
}

/* The kind of endpoint 'ep', which names none: one with a switch is a
 * namespace of its network's default kind (options:endpoint_type, a veth
 * unless it says otherwise), one without is plugged by others.  NULL, and
 * the endpoint waits, while that option holds no kind of namespace
 * endpoint. */
static const char *
endpoint_default_type(const struct vnetrec_endpoint *ep)
{
    if (!ep->switch_) {
        return "external";
    }
    const char *type = ep->network
        ? smap_get(&ep->network->options, VNET_NETWORK_ENDPOINT_TYPE_KEY)
        : NULL;
    if (!type) {
        return VNET_NETWORK_ENDPOINT_TYPE_DEFAULT;
    }
    if (!vnet_network_endpoint_type_is_valid(type)) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_WARN_RL(&rl, "endpoint %s waits: network %s's options:%s is "
                     "\"%s\", not netns, trunk or internal", ep->name,
                     ep->network->name, VNET_NETWORK_ENDPOINT_TYPE_KEY, type);
        return NULL;
    }
    return type;
}

/* The endpoints of 'a''s pending set that lack what is filled in, in name
 * order, the others out of the set; or with 'a->full', every such endpoint
 * of 'nb', the set made of them.  Caller frees. */
static struct named *
pending_endpoints(struct nb_allocator *a, struct ovsdb_idl *nb, size_t *np)
{
    if (a->full) {
        a->full = false;
        uuidset_clear(&a->pending);
        struct named *rows = pending_rows(nb, &vnetrec_table_endpoint,
                                          endpoint_pending, endpoint_name,
                                          np);
        for (size_t i = 0; i < *np; i++) {
            const struct vnetrec_endpoint *ep = rows[i].row;
            uuidset_insert(&a->pending, &ep->header_.uuid);
        }
        return rows;
    }

    size_t n = 0;
    struct named *rows = xmalloc(MAX(1, uuidset_count(&a->pending))
                                 * sizeof *rows);
    struct uuidset_node *node;
    UUIDSET_FOR_EACH_SAFE (node, &a->pending) {
        const struct vnetrec_endpoint *ep
            = vnetrec_endpoint_get_for_uuid(nb, &node->uuid);
        if (ep && nb_endpoint_is_pending(ep)) {
            rows[n++] = (struct named) { ep->name, ep };
        } else {
            uuidset_delete(&a->pending, node);
        }
    }
    if (n) {
        qsort(rows, n, sizeof *rows, compare_named);
    }
    if (desired_flows_checking()) {
        /* The test mode: no endpoint that lacks something is left out. */
        const struct vnetrec_endpoint *ep;
        VNETREC_ENDPOINT_FOR_EACH (ep, nb) {
            if (nb_endpoint_is_pending(ep)
                && !uuidset_contains(&a->pending, &ep->header_.uuid)) {
                VLOG_ERR("endpoint %s lacks what is filled in, but no "
                         "change of its row was noted", ep->name);
            }
        }
    }
    *np = n;
    return rows;
}

static unsigned int
allocate_endpoints(struct nb_allocator *a, struct ovsdb_idl *nb)
{
    size_t n;
    struct named *rows = pending_endpoints(a, nb, &n);
    const struct vnetrec_endpoint *ep;
    unsigned int changed = 0;
    for (size_t i = 0; i < n; i++) {
        ep = rows[i].row;
        if (!ep->type[0]) {
            const char *type = endpoint_default_type(ep);
            if (!type) {
                continue;
            }
            vnetrec_endpoint_set_type(ep, type);
        }
        if (!vnet_endpoint_is_created(ep)) {
            changed++;
            continue;
        }
        const struct vnetrec_network *net = ep->network;
        struct vnet_cidr cidr;
        unsigned int gateway;
        char *error = vnet_network_row_check(net, &cidr, &gateway);
        if (error) {
            free(error);        /* The network's status says so. */
            continue;
        }
        if (!ep->netns && strcmp(ep->type, "tap")) {
            vnetrec_endpoint_set_netns(ep, ep->name);
        }
        if (!ep->ip) {
            uint32_t ip;
            char s[16];
            if (!vnet_alloc_endpoint_ip(nb, net, &cidr, gateway, &ip)) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
                VLOG_WARN_RL(&rl, "endpoint %s: network %s has no free IP "
                             "address", ep->name, net->name);
                continue;
            }
            vnetrec_endpoint_set_ip(ep, vnet_ip_format(ip, s));
        }
        if (!ep->mac) {
            uint8_t mac[6];
            char s[18];
            vnet_alloc_endpoint_mac(nb, net->name, ep->name, mac);
            vnetrec_endpoint_set_mac(ep, vnet_mac_format(mac, s));
        }
        VLOG_INFO("endpoint %s: %s %s %s%s", ep->name, ep->ip, ep->mac,
                  ep->netns ? "in namespace " : "(tap)",
                  ep->netns ? ep->netns : "");
        changed++;
    }
    free(rows);
    return changed;
}

unsigned int
nb_allocate(struct nb_allocator *a, struct ovsdb_idl *nb)
{
    /* Networks first: endpoints' addresses follow from their gateway. */
    unsigned int changed = allocate_networks(nb);
    changed += allocate_routers(nb);
    changed += allocate_endpoints(a, nb);
    return changed;
}
