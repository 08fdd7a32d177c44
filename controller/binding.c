#include <config.h>
#include "controller/binding.h"
#include "controller/binding-private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/allocator.h"
#include "controller/attach.h"
#include "controller/desired-flows.h"
#include "controller/lan-view.h"
#include "controller/nb-news.h"
#include "controller/switch-db.h"
#include "flows/lan.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/names.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "sset.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(binding);

/* Adds to 'leaving' the networks whose traffic may leave this switch: those
 * with endpoints bound on another switch or not bound yet, with logical
 * ports (plugged by others: their ports may be of any kind), attached to a
 * router (the next hop, an uplink or NAT may be anywhere) or bridged onto a
 * physical network.  Their packets may be encapsulated, or leave through a
 * port that cannot take large segments. */
static void
networks_leaving(const struct binding_ctx_in *in, struct sset *leaving)
{
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, in->nb) {
        const char *sw = vnet_endpoint_switch_name(ep);
        if (ep->network && (!vnet_endpoint_is_created(ep) || !sw
                            || strcmp(sw, in->switch_name))) {
            sset_add(leaving, ep->network->name);
        }
    }
    const struct vnetrec_router *r;
    VNETREC_ROUTER_FOR_EACH (r, in->nb) {
        for (size_t i = 0; i < r->n_networks; i++) {
            sset_add(leaving, r->networks[i]->name);
        }
    }
    const struct vnetrec_network *net;
    VNETREC_NETWORK_FOR_EACH (net, in->nb) {
        if (net->physnet) {
            sset_add(leaving, net->name);
        }
    }
}

/* An endpoint's network (in the view) and parsed addresses. */
struct endpoint_addresses {
    struct net_info *ni;
    bool has_ip, has_mac;
    uint32_t ip;
    uint8_t mac[6];
};

static void
add_neighbor(struct net_info *ni, const struct vnetrec_endpoint *ep,
             const uint8_t mac[6], uint32_t ip)
{
    if (ni->n_neighbors >= ni->allocated_neighbors) {
        ni->neighbors = x2nrealloc(ni->neighbors, &ni->allocated_neighbors,
                                   sizeof *ni->neighbors);
    }
    struct lan_neighbor *n = &ni->neighbors[ni->n_neighbors++];
    n->object = ep->header_.uuid.parts[0];
    memcpy(n->mac, mac, 6);
    n->ip = ip;
}

/* Whether the switch's database gives interface 'name' an OpenFlow port now
 * (ovs-vswitchd has opened its device). */
static bool
iface_has_ofport(const struct binding_ctx_in *in, const char *name)
{
    return in->ifaces_by_name && switch_db_ofport(in->ifaces_by_name, name);
}

/* Every endpoint row of a run, by name, with its parsed addresses (its
 * memo's, with its network in this run's view). */
struct binding_row {
    struct hmap_node node;      /* In binding_rows 'by_name'. */
    const struct vnetrec_endpoint *row;
    struct binding_memo *m;
    struct endpoint_addresses a;
    bool valid;                 /* 'a' holds its addresses. */
    bool kept;                  /* Its addresses were its own before. */
    bool pending;               /* ovs-vnetd has yet to fill it in. */
    char *error;                /* While collecting: why not (malloc'd). */
    const char *addr_error;     /* While collecting: its memo's error. */
    /* While collecting: the owners of its IP, MAC and object (by enum
     * addr_kind), once it claimed them (NULL: it has none of the kind). */
    const struct addr_owner *owners[3];
};

struct binding_rows {
    struct hmap by_name;        /* Made by find_row() when first asked: */
    bool indexed;               /* only the interfaces bound look (none of
                                 * those behind a trunk). */
    struct binding_row *rows;
    size_t n;
};

/* The state of row 'r''s endpoint, as binding_endpoint(), kept in its memo
 * from run to run while no state is freed. */
static struct binding_endpoint *
row_state(struct binding_endpoints *endpoints, const struct binding_row *r)
{
    struct binding_memo *m = r->m;
    if (m->state && m->state_forgotten == endpoints->forgotten) {
        if (desired_flows_checking()
            && m->state != shash_find_data(&endpoints->map, r->row->name)) {
            VLOG_ERR("endpoint %s: the state its memo keeps is not the one "
                     "its name finds", r->row->name);
        }
        endpoint_begin(m->state, endpoints->run);
        return m->state;
    }
    m->state = binding_endpoint_hashed(endpoints, r->row->name, m->name_hash);
    m->state_forgotten = endpoints->forgotten;
    return m->state;
}

void
want_fill(const struct binding_ctx_in *in, const struct vnetrec_endpoint *ep,
          const struct binding_memo *m, const struct net_info *ni,
          bool tx_csum, struct attach_want *w)
{
    memset(w, 0, sizeof *w);
    w->endpoint = ep->name;
    w->endpoint_hash = m->name_hash;
    w->row_version = in->news ? m->version : 0;
    bool tap = m->tap;
    w->netns = tap ? NULL : ep->netns;
    w->netns_hash = tap ? 0 : m->netns_hash;
    w->host_ifname = m->ifname;
    if (tap) {
        w->tap_owner = smap_get(&ep->options, "owner");
        w->tap_group = smap_get(&ep->options, "group");
    }
    w->network = ni->row->header_.uuid;
    memcpy(w->mac, m->mac, 6);
    w->ip = m->ip;
    w->plen = ni->cidr.plen;
    w->gateway = ni->gateway;
    w->mtu = vnet_network_mtu(ni->row->mtu);
    w->tx_csum = tx_csum;
    w->internal = m->internal;
    w->port_open = w->internal && iface_has_ofport(in, w->host_ifname);
    if (m->trunk) {
        w->trunk_port = m->trunk_port;
    }
}

/* Adds 'r''s want and port to 'out'.  Their strings are the IDL row's and
 * 'r''s own: they stay for the run, and are not freed with 'out'. */
static void
add_want(const struct binding_ctx_in *in, struct binding_row *r,
         bool tx_csum, struct binding_wants *out)
{
    const struct vnetrec_endpoint *ep = r->row;
    struct attach_want *w = &out->wants[out->n];
    out->w_rows[out->n] = r;
    want_fill(in, ep, r->m, r->a.ni, tx_csum, w);
    bool tap = r->m->tap;
    bool trunk = r->m->trunk;

    /* Behind a trunk, its port is the trunk's (named once for each of its
     * endpoints; its namespace, which the attacher names, is filled in by
     * binding_partition_ready()). */
    struct switch_db_port *p = &out->ports[out->n];
    memset(p, 0, sizeof *p);
    p->name = trunk ? w->trunk_port : w->host_ifname;
    p->iface_id = trunk ? NULL : w->endpoint;
    p->mac = trunk ? NULL : ep->mac;
    p->netns = trunk ? NULL : w->netns;
    p->tap = tap;
    p->trunk = trunk;
    p->type = w->internal ? "internal" : NULL;
    out->n++;
}

static uint64_t
addr_value(const struct binding_row *r, enum addr_kind kind, bool *has)
{
    uint64_t v = 0;
    if (kind == ADDR_OBJECT) {
        *has = true;
        v = r->row->header_.uuid.parts[0];
    } else if (kind == ADDR_IP) {
        *has = r->a.has_ip;
        v = r->a.ip;
    } else {
        *has = r->a.has_mac;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | r->a.mac[i];
        }
    }
    return v;
}

/* The network an address of 'kind' of 'r' is unique in (NULL: all). */
static const struct vnetrec_network *
owner_net(const struct binding_row *r, enum addr_kind kind)
{
    return kind == ADDR_OBJECT ? NULL : r->a.ni->row;
}

uint32_t
owner_hash(const struct vnetrec_network *net, enum addr_kind kind,
           uint64_t value)
{
    return hash_pointer(net, hash_uint64(value ^ kind));
}

struct addr_owner *
find_owner(const struct hmap *owners, const struct vnetrec_network *net,
           enum addr_kind kind, uint64_t value)
{
    struct addr_owner *o;
    HMAP_FOR_EACH_WITH_HASH (o, node, owner_hash(net, kind, value), owners) {
        if (o->net == net && o->kind == kind && o->value == value) {
            return o;
        }
    }
    return NULL;
}

/* Whether 'a' rather than 'b' keeps what they share: the one that had it
 * before, else the first by name. */
static bool
row_before(const struct binding_row *a, const struct binding_row *b)
{
    return (a->kept != b->kept ? a->kept
            : strcmp(a->row->name, b->row->name) < 0);
}

static void
owners_free(struct binding_owners *owners)
{
    if (owners) {
        hmap_destroy(&owners->map);
        free(owners->pool);
        for (size_t i = 0; i < owners->n_extras; i++) {
            free(owners->extras[i]);
        }
        free(owners->extras);
        free(owners);
    }
}

void
binding_owners_destroy(struct binding_memos *memos)
{
    owners_free(memos->owners);
    memos->owners = NULL;
}

void
binding_memos_forget_owners(struct binding_memos *memos)
{
    if (memos->owners) {
        memos->owners->valid = false;
    }
}

/* Records 'r' as the owner of its address of 'kind', unless an endpoint
 * that comes before it (row_before()) has it. */
static void
claim(struct binding_owners *owners, struct binding_row *r,
      enum addr_kind kind)
{
    bool has;
    uint64_t value = addr_value(r, kind, &has);
    r->owners[kind] = NULL;
    if (!has) {
        return;
    }
    const struct vnetrec_network *net = owner_net(r, kind);
    struct addr_owner *o = find_owner(&owners->map, net, kind, value);
    if (!o) {
        o = &owners->pool[owners->n++];
        o->net = net;
        o->kind = kind;
        o->value = value;
        o->row = r;
        o->memo = r->m;
        o->n_claims = 1;
        hmap_insert(&owners->map, &o->node, owner_hash(net, kind, value));
    } else {
        o->n_claims++;
        if (row_before(r, o->row)) {
            o->row = r;
            o->memo = r->m;
        }
    }
    r->owners[kind] = o;
}

/* Why 'r', which claimed its addresses, may not have them (malloc'd), or
 * NULL.  Every row's claims are in. */
static char *
taken(const struct binding_row *r)
{
    for (enum addr_kind kind = ADDR_IP; kind <= ADDR_OBJECT; kind++) {
        const struct addr_owner *o = r->owners[kind];
        if (o && o->row != r && kind == ADDR_OBJECT) {
            return xasprintf("its row UUID "UUID_FMT" begins as endpoint "
                             "%s's does (the first 8 digits name its "
                             "interface); create it again",
                             UUID_ARGS(&r->row->header_.uuid),
                             o->row->row->name);
        } else if (o && o->row != r) {
            return xasprintf("%s %s is endpoint %s's in network %s",
                             kind == ADDR_IP ? "IP" : "MAC",
                             kind == ADDR_IP ? r->row->ip : r->row->mac,
                             o->row->row->name, r->row->network->name);
        }
    }
    return NULL;
}

static const struct binding_row *
find_row(struct binding_rows *rows, const char *name)
{
    if (!rows->indexed) {
        rows->indexed = true;
        hmap_reserve(&rows->by_name, rows->n);
        for (size_t i = 0; i < rows->n; i++) {
            struct binding_row *r = &rows->rows[i];
            hmap_insert(&rows->by_name, &r->node, r->m->name_hash);
        }
    }
    const struct binding_row *r;
    HMAP_FOR_EACH_WITH_HASH (r, node, hash_string(name, 0), &rows->by_name) {
        if (!strcmp(r->row->name, name)) {
            return r;
        }
    }
    return NULL;
}

/* A walk of every row touches each row's memo and IDL row: with thousands
 * of rows, a cache miss each.  The walks fetch them this many rows ahead. */
#define PREFETCH_AHEAD 8

static void
prefetch_row(const struct binding_rows *rows, size_t i)
{
    if (i < rows->n) {
        OVS_PREFETCH(rows->rows[i].m);
        OVS_PREFETCH(rows->rows[i].row);
    }
}

/* The network of 'ep' in 'view', with a one-row cache: rows of one network
 * mostly come together. */
static struct net_info *
row_network(struct lan_view *view, const struct vnetrec_endpoint *ep,
            const struct vnetrec_network **last_row, struct net_info **last)
{
    if (ep->network != *last_row) {
        *last_row = ep->network;
        *last = lan_view_network(view, ep->network);
    }
    return *last;
}

void
binding_collect(const struct binding_ctx_in *in, struct lan_view *view,
                struct binding_endpoints *endpoints,
                struct binding_memos *memos, struct binding_wants *out)
{
    memset(out, 0, sizeof *out);
    bool first = !memos->runs++;

    /* Room for as many rows as the last run found, and more if need be. */
    size_t n_rows = 0, allocated = hmap_count(&memos->map) + 16;
    struct binding_rows *rows = out->rows = xmalloc(sizeof *rows);
    rows->rows = xmalloc(allocated * sizeof *rows->rows);
    const struct vnetrec_endpoint *ep;
    /* (The rows come mostly in the last run's order: memo_get() tries
     * that first.) */
    visit_order_begin(&memos->order);
    VNETREC_ENDPOINT_FOR_EACH (ep, in->nb) {
        if (n_rows >= allocated) {
            rows->rows = x2nrealloc(rows->rows, &allocated,
                                    sizeof *rows->rows);
        }
        struct binding_row *r = &rows->rows[n_rows++];
        memset(r, 0, sizeof *r);
        r->row = ep;
        r->m = memo_get(memos, in, ep);
        /* Before this process's first run, the NB says who was up. */
        r->kept = first ? ep->up : r->m->accepted;
        r->m->accepted = false;
        r->m->run = memos->runs;
    }
    visit_order_end(&memos->order);
    hmap_init(&rows->by_name);
    rows->indexed = false;
    rows->n = n_rows;
    /* (At most one want and one port a row.) */
    out->wants = xmalloc(MAX(n_rows, 1) * sizeof *out->wants);
    out->ports = xmalloc(MAX(n_rows, 1) * sizeof *out->ports);
    out->w_rows = xmalloc(MAX(n_rows, 1) * sizeof *out->w_rows);
    size_t i;
    if (hmap_count(&memos->map) > n_rows) {
        memos_sweep(memos);
    }

    /* Any client may have written two endpoints with one IP or MAC in a
     * network, or with row UUIDs that begin alike: the one that had it,
     * else the first by name, has it; the others are in error. */
    binding_owners_destroy(memos);
    struct binding_owners *owners = memos->owners = xzalloc(sizeof *owners);
    hmap_init(&owners->map);
    owners->pool = xmalloc((ADDR_OBJECT + 1) * MAX(n_rows, 1)
                           * sizeof *owners->pool);
    hmap_reserve(&owners->map, (ADDR_OBJECT + 1) * n_rows);
    bool checking = desired_flows_checking();
    const struct vnetrec_network *last_net_row = NULL;
    struct net_info *last_ni = NULL;
    for (i = 0; i < n_rows; i++) {
        prefetch_row(rows, i + PREFETCH_AHEAD);
        struct binding_row *r = &rows->rows[i];
        struct binding_memo *m = r->m;
        ep = r->row;
        if (m->pending) {
            if (checking) {
                memo_check(m, in, ep, NULL);
            }
            r->pending = true;  /* Not yet: no error either. */
            continue;
        }
        struct net_info *ni = row_network(view, ep, &last_net_row, &last_ni);
        if (!ni) {
            r->error = xasprintf("network %s is invalid", ep->network->name);
            continue;
        }
        if (!memo_addresses_hold(m, ni)) {
            memo_fill_addresses(m, ep, ni);
        }
        if (checking) {
            memo_check(m, in, ep, ni);
        }
        r->a.ni = ni;
        r->addr_error = m->error;
        if (!m->error) {
            r->a.has_ip = m->has_ip;
            r->a.has_mac = m->has_mac;
            r->a.ip = m->ip;
            memcpy(r->a.mac, m->mac, 6);
            r->valid = true;
            claim(owners, r, ADDR_IP);
            claim(owners, r, ADDR_MAC);
            claim(owners, r, ADDR_OBJECT);
        }
    }

    struct sset leaving = SSET_INITIALIZER(&leaving);
    if (in->offload_local) {
        networks_leaving(in, &leaving);
    }
    for (i = 0; i < n_rows; i++) {
        prefetch_row(rows, i + PREFETCH_AHEAD);
        struct binding_row *r = &rows->rows[i];
        if (r->pending) {
            continue;
        }
        ep = r->row;
        bool here = r->m->here;
        char *error = r->error;
        r->error = NULL;
        if (!error && !r->addr_error) {
            error = taken(r);
            r->valid = !error;
        }
        if (error || r->addr_error) {
            if (here) {
                binding_endpoint_set_error(binding_endpoint(endpoints,
                                                            ep->name),
                                           error ? error : r->addr_error);
            }
            free(error);
            continue;
        }

        r->m->accepted = true;
        const struct endpoint_addresses a = r->a;
        if (!here || in->releasing) {
            /* Answered wherever it is, or will be (an endpoint made here is
             * answered once its port is bound: binding_bind()). */
            if (a.has_ip && a.has_mac) {
                add_neighbor(a.ni, ep, a.mac, a.ip);
            }
            continue;
        }
        if (!a.has_ip || !a.has_mac
            || (!ep->netns && !r->m->tap)) {
            binding_endpoint_set_error(
                binding_endpoint(endpoints, ep->name),
                r->m->tap
                ? "a tap endpoint needs an IP and a MAC"
                : "a namespace endpoint needs an IP, a MAC and a namespace");
            continue;
        }
        bool tx_csum = in->tx_csum
                       || (in->offload_local && !r->m->tap
                           && !sset_contains(&leaving, ep->network->name));
        add_want(in, r, tx_csum, out);
    }
    sset_destroy(&leaving);
    owners->valid = true;
}

void
binding_wants_networks(const struct binding_wants *w, struct hmapx *nets)
{
    const struct vnetrec_network *last = NULL;
    for (size_t i = 0; i < w->n; i++) {
        const struct vnetrec_network *net = w->w_rows[i]->row->network;
        if (net && net != last) {
            hmapx_add(nets, CONST_CAST(struct vnetrec_network *, net));
            last = net;
        }
    }
}

void
binding_wants_destroy(struct binding_wants *w)
{
    free(w->wants);
    free(w->ports);
    free(w->w_rows);
    free(w->w_states);
    if (w->rows) {
        hmap_destroy(&w->rows->by_name);
        free(w->rows->rows);
        free(w->rows);
    }
    memset(w, 0, sizeof *w);
}

size_t
binding_partition_ready(struct binding_wants *w,
                        const struct attacher *attacher,
                        binding_our_ports_func *our_ports, const void *aux,
                        struct binding_endpoints *endpoints, bool *all_ready)
{
    /* Our ports on the switch, by name: made only if a want was put off. */
    struct sset ours = SSET_INITIALIZER(&ours);
    bool ours_made = false;
    size_t n_ready = 0;
    *all_ready = true;
    w->ready_digest = 0;
    free(w->w_states);
    w->w_states = xmalloc(MAX(w->n, 1) * sizeof *w->w_states);
    for (size_t i = 0; i < w->n; i++) {
        const struct attach_want *aw = &w->wants[i];
        struct attacher_state st;
        attacher_get_state(attacher, i, aw, &st);
        bool ready = st.ready;
        struct binding_endpoint *be = row_state(endpoints, w->w_rows[i]);
        w->w_states[i] = be;
        /* (An internal port that waits for the switch alone waits as a
         * veth's port does until it is numbered: binding_bind().) */
        be->waiting = !ready && !st.awaits_port;
        if (ready) {
            /* A sum: the same for the same set in any order. */
            w->ready_digest += aw->endpoint_hash;
        }
        bool kept = false;
        if (!ready && !st.wants_port && st.put_off) {
            if (!ours_made) {
                ours_made = true;
                our_ports(aux, &ours);
            }
            kept = sset_contains(&ours, w->ports[i].name);
        }
        be->kept = kept;
        if (ready || st.wants_port || kept) {
            /* (An internal port is a port before it is in place: the switch
             * makes its device.) */
            *all_ready = *all_ready && (ready || st.awaits_port);
            if (w->wants[i].trunk_port && !w->wants[i].trunk_netns) {
                /* (The attacher's: it stays until the attacher runs
                 * again, after 'w' is gone.) */
                w->wants[i].trunk_netns = st.trunk_netns;
                w->ports[i].netns = w->wants[i].trunk_netns;
            }
            struct attach_want want = w->wants[i];
            struct switch_db_port port = w->ports[i];
            struct binding_row *row = w->w_rows[i];
            w->wants[i] = w->wants[n_ready];
            w->ports[i] = w->ports[n_ready];
            w->w_rows[i] = w->w_rows[n_ready];
            w->w_states[i] = w->w_states[n_ready];
            w->wants[n_ready] = want;
            w->ports[n_ready] = port;
            w->w_rows[n_ready] = row;
            w->w_states[n_ready] = be;
            n_ready++;
        } else {
            VLOG_DBG("endpoint %s: not a port this run (%s%s)", aw->endpoint,
                     st.error ? st.error : "not in place",
                     st.put_off ? ", put off" : "");
            binding_endpoint_set_error(be, st.error);
            *all_ready = false;
        }
    }
    sset_destroy(&ours);
    return n_ready;
}

/* Adds bound endpoint 'ep' on OpenFlow port 'ofport' to its network. */
static void
add_port(struct net_info *ni, const struct vnetrec_endpoint *ep,
         int64_t ofport, const struct endpoint_addresses *a, bool trunk)
{
    if (ni->n_ports >= ni->allocated_ports) {
        ni->ports = x2nrealloc(ni->ports, &ni->allocated_ports,
                               sizeof *ni->ports);
    }
    struct lan_port *p = &ni->ports[ni->n_ports++];
    memset(p, 0, sizeof *p);
    p->name = ep->name;
    p->object = ep->header_.uuid.parts[0];
    p->ofport = ofport;
    p->has_mac = a->has_mac;
    memcpy(p->mac, a->mac, 6);
    p->has_ip = a->has_ip;
    p->ip = a->ip;
    p->trunk = trunk;
}

struct binding_endpoint *
binding_want_state(const struct binding_wants *w, size_t i,
                   struct binding_endpoints *endpoints)
{
    return (w->w_states ? w->w_states[i]
            : binding_endpoint(endpoints, w->wants[i].endpoint));
}

/* Binds the endpoints behind a trunk whose devices are in place there (or
 * that were put off, kept) to the trunk's port. */
static void
bind_trunks(const struct binding_ctx_in *in, const struct binding_wants *w,
            struct binding_endpoints *endpoints)
{
    struct shash trunks = SHASH_INITIALIZER(&trunks);  /* Port -> binding. */
    bool indexed = false;
    const char *last_port = NULL;
    const struct switch_db_binding *last_b = NULL;
    for (size_t i = 0; i < w->n; i++) {
        const struct attach_want *want = &w->wants[i];
        if (!want->trunk_port) {
            continue;
        }
        if (!indexed) {
            indexed = true;
            for (size_t j = 0; j < in->n_bindings; j++) {
                const struct switch_db_binding *b = &in->bindings[j];
                if (b->ours && !b->iface_id) {
                    shash_add_once(&trunks, b->ifname, b);
                }
            }
        }
        struct binding_endpoint *be = binding_want_state(w, i, endpoints);
        be->trunk = true;
        const struct binding_row *r = w->w_rows[i];
        /* (One put off keeps its flows, as one of its own port keeps the
         * port: a restart that cannot look at every endpoint in its first
         * run takes none of their flows away.) */
        if ((be->waiting && !be->kept) || !r->valid) {
            continue;
        }
        if (!last_port || strcmp(last_port, want->trunk_port)) {
            last_port = want->trunk_port;
            last_b = shash_find_data(&trunks, want->trunk_port);
        }
        const struct switch_db_binding *b = last_b;
        if (!b || b->ofport <= 0) {
            binding_endpoint_set_error(be, (b && b->error ? b->error
                                            : "its trunk has no OpenFlow "
                                              "port"));
            continue;
        }
        be->status.ofport = b->ofport;
        add_port(r->a.ni, r->row, b->ofport, &r->a, true);
        if (r->a.has_ip && r->a.has_mac) {
            add_neighbor(r->a.ni, r->row, r->a.mac, r->a.ip);
        }
    }
    shash_destroy(&trunks);
}

void
binding_bind(const struct binding_ctx_in *in, const struct binding_wants *w,
             struct binding_endpoints *endpoints)
{
    for (size_t i = 0; i < in->n_bindings && w->rows; i++) {
        const struct switch_db_binding *b = &in->bindings[i];
        if (!b->iface_id) {
            continue;           /* A tunnel port of ours. */
        }
        const struct binding_row *r = find_row(w->rows, b->iface_id);
        const struct vnetrec_endpoint *ep = r ? r->row : NULL;
        VLOG_DBG("switch %s: binding %s on %s, ofport %"PRId64"%s%s",
                 in->switch_name, b->iface_id, b->ifname, b->ofport,
                 b->ours ? ", ours" : "", ep ? "" : ", no endpoint");
        if (!ep) {
            continue;           /* Not (or no longer) ours to serve. */
        }
        /* An endpoint whose device ovs-vnetd makes is served only by that
         * port here; a logical port only by an interface someone else
         * plugged. */
        bool created = r->m->created;
        if (created != b->ours || (created && !r->m->here)) {
            VLOG_DBG("switch %s: %s on %s is not served here",
                     in->switch_name, b->iface_id, b->ifname);
            continue;
        }
        struct binding_endpoint *be = row_state(endpoints, r);
        if (created && !b->ofport && !b->error) {
            /* A port of ours that ovs-vswitchd has not numbered yet (it
             * sets -1, and mostly an error, if it cannot): no error, as
             * between full runs until it comes numbered. */
            continue;
        }
        if (b->ofport <= 0) {
            binding_endpoint_set_error(be, (b->error ? b->error
                                            : BINDING_NO_OFPORT));
            continue;
        }
        if (!r->valid) {
            VLOG_DBG("switch %s: %s on %s: invalid addresses",
                     in->switch_name, b->iface_id, b->ifname);
            continue;
        }
        be->status.ofport = b->ofport;
        binding_endpoint_set_ifname(be, b->ifname);
        add_port(r->a.ni, ep, b->ofport, &r->a, false);
        if (created && r->a.has_ip && r->a.has_mac) {
            /* The ARP answers for its address come with its port's flows,
             * in one change of the switch's flow table. */
            add_neighbor(r->a.ni, ep, r->a.mac, r->a.ip);
        }
    }
    bind_trunks(in, w, endpoints);
}

