#include <config.h>
#include "controller/lan-view.h"

#include <stdlib.h>
#include <string.h>

#include "controller/allocator.h"
#include "controller/tunnels.h"
#include "openvswitch/vlog.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "simap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(lan_view);

struct net_info *
lan_view_network(struct lan_view *view, const struct vnetrec_network *row)
{
    struct shash *nets = &view->nets;
    struct net_info *ni = shash_find_data(nets, row->name);
    if (ni) {
        return ni->row ? ni : NULL;
    }
    ni = xzalloc(sizeof *ni);
    shash_add(nets, row->name, ni);
    if (nb_network_is_pending(row)) {
        return NULL;            /* Not yet: ovs-vnetd fills it in. */
    }
    char *error = vnet_network_row_check(row, &ni->cidr, &ni->gateway);
    if (!error) {
        error = vnet_mac_parse(row->gateway_mac, ni->gateway_mac);
    }
    if (error) {
        char *key = xasprintf(VNET_STATUS_NETWORK_ERROR_PREFIX "%s",
                              row->name);
        smap_replace(&view->errors, key, error);
        free(key);
        free(error);
        return NULL;
    }
    ni->row = row;
    return ni;
}

void
lan_view_init(struct lan_view *view)
{
    shash_init(&view->nets);
    sset_init(&view->bad_routers);
    sset_init(&view->accepted);
    smap_init(&view->errors);
    view->routers = NULL;
    view->n_routers = 0;
    view->endpoint_ok = NULL;
    view->endpoint_ok_aux = NULL;
}

void
lan_view_destroy(struct lan_view *view)
{
    struct shash *nets = &view->nets;
    struct shash_node *node;
    for (size_t i = 0; i < view->n_routers; i++) {
        free(CONST_CAST(struct lan_router_net *, view->routers[i].nets));
        free(CONST_CAST(struct lan_nat *, view->routers[i].nats));
        free(CONST_CAST(uint32_t *, view->routers[i].sources));
    }
    free(view->routers);
    sset_destroy(&view->bad_routers);
    sset_destroy(&view->accepted);
    smap_destroy(&view->errors);
    SHASH_FOR_EACH_SAFE (node, nets) {
        struct net_info *ni = node->data;
        free(ni->ports);
        free(ni->neighbors);
        free(ni->remotes);
        free(ni->remote_ports);
        free(ni->routes);
        free(ni->sources);
        free(ni->relay_sources);
        free(ni);
        shash_delete(nets, node);
    }
    shash_destroy(nets);
}

char *
lan_view_endpoint_addresses(const struct vnetrec_endpoint *ep,
                            const struct net_info *ni, bool *has_ip, uint32_t *ip, bool *has_mac, uint8_t mac[6])
{
    char *error = vnet_endpoint_check(ep->name, ep->netns, ep->ip, ep->mac,
                                      &ni->cidr, ni->gateway);
    if (error) {
        return error;
    }
    *has_ip = ep->ip && vnet_ip_is_valid(ep->ip, ip);
    *has_mac = ep->mac && vnet_mac_is_valid(ep->mac, mac);
    return NULL;
}

/* A row of a table with a "name" column, for sorting by name. */
struct named_row {
    const char *name;
    const void *row;
};

static int
compare_named_rows(const void *a_, const void *b_)
{
    const struct named_row *a = a_, *b = b_;
    return strcmp(a->name, b->name);
}

/* The rows of table 'tc' of 'nb' in name order ('name_of' gives a row's
 * name).  Caller frees the array. */
static struct named_row *
rows_by_name(struct ovsdb_idl *nb, const struct ovsdb_idl_table_class *tc,
             const char *(*name_of)(const void *), size_t *np)
{
    size_t n = 0, allocated = 0;
    struct named_row *rows = NULL;
    for (const struct ovsdb_idl_row *row = ovsdb_idl_first_row(nb, tc); row;
         row = ovsdb_idl_next_row(row)) {
        if (n >= allocated) {
            rows = x2nrealloc(rows, &allocated, sizeof *rows);
        }
        rows[n].row = row;
        rows[n].name = name_of(row);
        n++;
    }
    if (n) {
        qsort(rows, n, sizeof *rows, compare_named_rows);
    }
    *np = n;
    return rows;
}

static const char *
network_name(const void *row)
{
    return ((const struct vnetrec_network *) row)->name;
}

static const char *
router_name(const void *row)
{
    return ((const struct vnetrec_router *) row)->name;
}

/* Leaves network 'name' out of 'view' for 'why' (freed). */
static void
refuse_network(struct lan_view *view, const char *name, char *why)
{
    struct net_info *ni = shash_find_data(&view->nets, name);
    if (!ni) {
        shash_add(&view->nets, name, xzalloc(sizeof *ni));
    }
    char *key = xasprintf(VNET_STATUS_NETWORK_ERROR_PREFIX "%s", name);
    smap_replace(&view->errors, key, why);
    free(key);
    free(why);
}

/* Leaves router 'name' out of 'view' for 'why' (freed). */
static void
refuse_router(struct lan_view *view, const char *name, char *why)
{
    sset_add(&view->bad_routers, name);
    char *key = xasprintf(VNET_STATUS_ROUTER_ERROR_PREFIX "%s", name);
    smap_replace(&view->errors, key, why);
    free(key);
    free(why);
}

/* Why router 'rt' cannot be used, given the segments and conntrack zones
 * taken so far and the networks already on a router ('on_router': network
 * -> router), or NULL. */
static char *
router_clash(struct lan_view *view, const struct vnetrec_router *rt,
             const struct shash *segments, const struct shash *zones,
             const struct shash *on_router)
{
    struct vnet_uplink up;
    if (lan_view_router_uplink(rt, &up)) {
        if (rt->ct_zone <= 0 || rt->ct_zone % 2) {
            return xasprintf("conntrack zone %"PRId64" is not an even number "
                             "above 0 (the router takes it and the next)",
                             rt->ct_zone);
        }
        char zone[24];
        snprintf(zone, sizeof zone, "%"PRId64, rt->ct_zone);
        const char *other = shash_find_data(zones, zone);
        if (other) {
            return xasprintf("conntrack zone %"PRId64" is router %s's",
                             rt->ct_zone, other);
        }
    }
    if (rt->segment_id) {
        char seg[24];
        snprintf(seg, sizeof seg, "%"PRId64, rt->segment_id);
        const char *other = shash_find_data(segments, seg);
        if (other) {
            return xasprintf("segment id %"PRId64" is %s's", rt->segment_id,
                             other);
        }
    }
    for (size_t i = 0; i < rt->n_networks; i++) {
        if (rt->networks[i]->physnet) {
            return xasprintf("network %s is on physical network %s, whose "
                             "gateway is on that LAN",
                             rt->networks[i]->name,
                             rt->networks[i]->physnet);
        }
        const char *other = shash_find_data(on_router,
                                            rt->networks[i]->name);
        if (other) {
            return xasprintf("network %s is on router %s already",
                             rt->networks[i]->name, other);
        }
        struct net_info *a = lan_view_network(view, rt->networks[i]);
        for (size_t j = 0; a && j < i; j++) {
            struct net_info *b = lan_view_network(view, rt->networks[j]);
            if (b && (vnet_cidr_contains(&a->cidr, b->cidr.net)
                      || vnet_cidr_contains(&b->cidr, a->cidr.net))) {
                const char *x = rt->networks[i]->name;
                const char *y = rt->networks[j]->name;
                return xasprintf("its networks %s and %s overlap",
                                 strcmp(x, y) < 0 ? x : y,
                                 strcmp(x, y) < 0 ? y : x);
            }
        }
    }
    return NULL;
}

/* True if 'kind' row 'name' was kept before: by the view 'before', or, if
 * there is none, by the ovs-vnetd that wrote the switches' status in 'nb'
 * (a row it left out has its error in every switch's status). */
static bool
kept_before(const struct sset *before, struct ovsdb_idl *nb,
            const char *kind, const char *name)
{
    bool kept = true;
    if (before) {
        char *key = xasprintf("%s %s", kind, name);
        kept = sset_contains(before, key);
        free(key);
    } else {
        char *key = xasprintf("%s_error:%s", kind, name);
        const struct vnetrec_switch *sw;
        VNETREC_SWITCH_FOR_EACH (sw, nb) {
            if (smap_get(&sw->status, key)) {
                kept = false;
                break;
            }
        }
        free(key);
    }
    return kept;
}

/* Why a row of 'kind' named 'name' may not have UUID 'uuid', or NULL: the
 * first 32 bits of a row's UUID name what ovs-vnet makes for it (interface
 * names, flow cookies), and any client may choose the UUIDs of the rows it
 * inserts.  Records the row in 'objects' if not. */
static char *
object_clash(struct shash *objects, const char *kind, const char *name,
             const struct uuid *uuid)
{
    char key[32];
    snprintf(key, sizeof key, "%s %08"PRIx32, kind, uuid->parts[0]);
    const char *other = shash_find_data(objects, key);
    if (other) {
        return xasprintf("its row UUID "UUID_FMT" begins as %s %s's does "
                         "(the first 8 digits name what is made for it); "
                         "create it again", UUID_ARGS(uuid), kind, other);
    }
    shash_add(objects, key, name);
    return NULL;
}

void
lan_view_check(struct lan_view *view, struct ovsdb_idl *nb,
               const struct sset *before)
{
    /* "network NAME" or "router NAME" by segment id, routers by zone,
     * routers by network, names by "KIND OBJECT". */
    struct shash segments = SHASH_INITIALIZER(&segments);
    struct shash zones = SHASH_INITIALIZER(&zones);
    struct shash on_router = SHASH_INITIALIZER(&on_router);
    struct shash objects = SHASH_INITIALIZER(&objects);
    struct shash lans = SHASH_INITIALIZER(&lans);  /* "PHYS VLAN" -> net. */

    size_t n;
    struct named_row *rows = rows_by_name(nb, &vnetrec_table_network,
                                          network_name, &n);
    for (size_t k = 0; k < 2 * n; k++) {
        /* Those kept before first, then the others. */
        const struct vnetrec_network *net = rows[k % n].row;
        if (kept_before(before, nb, "network", net->name) != (k < n)
            || nb_network_is_pending(net)) {
            continue;
        }
        char seg[24];
        snprintf(seg, sizeof seg, "%"PRId64, net->segment_id);
        const char *other = shash_find_data(&segments, seg);
        char *why = (other
                     ? xasprintf("segment id %"PRId64" is %s's",
                                 net->segment_id, other)
                     : object_clash(&objects, "network", net->name,
                                    &net->header_.uuid));
        if (!why && net->mtu && net->mtu < 68) {
            why = xasprintf("mtu %"PRId64" is below 68, the least IPv4 "
                            "allows", net->mtu);
        }
        /* One network per VLAN of a physical network (and one untagged). */
        char *lan = (net->physnet
                     ? xasprintf("%s %"PRId64, net->physnet,
                                 net->n_vlan ? *net->vlan : 0)
                     : NULL);
        if (!why && lan && (other = shash_find_data(&lans, lan))) {
            why = (net->n_vlan
                   ? xasprintf("VLAN %"PRId64" of physical network %s is "
                               "network %s's", *net->vlan, net->physnet,
                               other)
                   : xasprintf("physical network %s is untagged network "
                               "%s's", net->physnet, other));
        }
        if (!why && !net->physnet && net->n_vlan) {
            why = xasprintf("VLAN %"PRId64" without a physical network",
                            *net->vlan);
        }
        if (why) {
            refuse_network(view, net->name, why);
            free(lan);
        } else if (lan_view_network(view, net)) {
            if (lan) {
                shash_add_nocopy(&lans, lan, xstrdup(net->name));
            }
            shash_add_nocopy(&segments, xstrdup(seg),
                             xasprintf("network %s", net->name));
            sset_add_and_free(&view->accepted,
                            xasprintf("network %s", net->name));
        } else {
            free(lan);
        }
    }
    free(rows);

    rows = rows_by_name(nb, &vnetrec_table_router, router_name, &n);
    for (size_t k = 0; k < 2 * n; k++) {
        const struct vnetrec_router *rt = rows[k % n].row;
        if (kept_before(before, nb, "router", rt->name) != (k < n)) {
            continue;
        }
        if (nb_router_is_pending(rt)) {
            sset_add(&view->bad_routers, rt->name);     /* Not yet. */
            continue;
        }
        char *why = object_clash(&objects, "router", rt->name,
                                 &rt->header_.uuid);
        if (!why) {
            why = router_clash(view, rt, &segments, &zones, &on_router);
        }
        if (why) {
            refuse_router(view, rt->name, why);
            continue;
        }
        struct vnet_uplink up;
        if (lan_view_router_uplink(rt, &up)) {
            shash_add_nocopy(&zones, xasprintf("%"PRId64, rt->ct_zone),
                             xstrdup(rt->name));
        }
        if (rt->segment_id) {
            shash_add_nocopy(&segments, xasprintf("%"PRId64, rt->segment_id),
                             xasprintf("router %s", rt->name));
        }
        for (size_t j = 0; j < rt->n_networks; j++) {
            shash_add_once(&on_router, rt->networks[j]->name,
                           CONST_CAST(char *, rt->name));
        }
        sset_add_and_free(&view->accepted, xasprintf("router %s", rt->name));
    }
    free(rows);
    shash_destroy_free_data(&segments);
    shash_destroy_free_data(&zones);
    shash_destroy(&on_router);
    shash_destroy(&objects);
    shash_destroy_free_data(&lans);
}

bool
lan_view_router_uplink(const struct vnetrec_router *rt,
                       struct vnet_uplink *up)
{
    if (!rt->uplink_switch || !rt->uplink_iface || !rt->segment_id) {
        return false;
    }
    char *error = vnet_uplink_parse(rt->uplink_ip, rt->uplink_nexthop, up);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "router %s: %s", rt->name, error);
        free(error);
        return false;
    }
    return true;
}

void
lan_view_add_routers(struct lan_view *view, struct ovsdb_idl *nb,
                     const char *self)
{
    /* Routers: each network on one routes to the router's other networks;
     * those matter here if any network of the router has ports here. */
    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, nb) {
        if (sset_contains(&view->bad_routers, rt->name)) {
            continue;
        }
        struct vnet_uplink up;
        bool uplink = lan_view_router_uplink(rt, &up);
        bool here = uplink && !strcmp(rt->uplink_switch->name, self);
        for (size_t i = 0; i < rt->n_networks; i++) {
            struct net_info *ni = lan_view_network(view, rt->networks[i]);
            here |= ni && ni->n_ports;
        }
        for (size_t i = 0; i < rt->n_networks; i++) {
            struct net_info *ni = lan_view_network(view, rt->networks[i]);
            if (!ni || ni->router) {
                continue;
            }
            ni->router = rt;
            ni->uplink = uplink;
            ni->relevant |= here;
            ni->routes = xcalloc(rt->n_networks, sizeof *ni->routes);
            for (size_t j = 0; j < rt->n_networks; j++) {
                struct net_info *nj = lan_view_network(view, rt->networks[j]);
                if (!nj || nj == ni) {
                    continue;
                }
                struct lan_route *r = &ni->routes[ni->n_routes++];
                r->object = rt->header_.uuid.parts[0];
                r->segment_id = nj->row->segment_id;
                r->net = nj->cidr.net;
                r->plen = nj->cidr.plen;
                memcpy(r->gateway_mac, nj->gateway_mac, 6);
            }
        }
    }
    struct shash_node *net_node;
    SHASH_FOR_EACH (net_node, &view->nets) {
        struct net_info *ni = net_node->data;
        if (ni->row && ni->n_ports) {
            ni->relevant = true;
        }
    }
}

/* Adds 'ip' to the '*n' addresses at '*ips', once. */
static void
add_ip_once(uint32_t **ips, size_t *n, uint32_t ip)
{
    for (size_t i = 0; i < *n; i++) {
        if ((*ips)[i] == ip) {
            return;
        }
    }
    *ips = xrealloc(*ips, (*n + 1) * sizeof **ips);
    (*ips)[(*n)++] = ip;
}

void
lan_view_add_physnets(struct lan_view *view, const struct smap *physnets)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &view->nets) {
        struct net_info *ni = node->data;
        if (!ni->row || !ni->row->physnet || !ni->n_ports) {
            continue;
        }
        const char *iface = physnets ? smap_get(physnets, ni->row->physnet)
                                     : NULL;
        if (iface) {
            ni->physnet_iface = iface;
        } else {
            char *key = xasprintf(VNET_STATUS_PHYSNET_ERROR_PREFIX "%s",
                                  ni->row->name);
            smap_replace_nocopy(&view->errors, key,
                                xasprintf("physical network %s is not mapped "
                                          "on this switch: its endpoints here "
                                          "reach each other only",
                                          ni->row->physnet));
            free(key);
        }
    }
}

void
lan_view_add_physnet_ports(struct lan_view *view, const struct simap *ofports)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &view->nets) {
        struct net_info *ni = node->data;
        ni->physnet_ofport = (ni->physnet_iface
                              ? simap_get(ofports, ni->physnet_iface) : 0);
    }
}

void
lan_view_add_remotes(struct lan_view *view, struct ovsdb_idl *nb,
                     const struct tunnel_plan *plan,
                     const struct simap *ofports)
{
    if (plan->enabled) {
        const struct vnetrec_endpoint *rep;
        VNETREC_ENDPOINT_FOR_EACH (rep, nb) {
            const char *host;
            bool has_mac;
            uint8_t mac[6];
            if (!view->endpoint_ok) {
                host = vnet_endpoint_switch_name(rep);
                has_mac = rep->mac && vnet_mac_is_valid(rep->mac, mac);
            } else if (!view->endpoint_ok(rep, view->endpoint_ok_aux, &host,
                                          &has_mac, mac)) {
                continue;       /* Left out where it is (and here). */
            }
            if (!host) {
                continue;       /* Here, or nowhere. */
            }
            const struct tunnel_peer *peer = tunnel_plan_find(plan, host);
            struct net_info *ni = peer ? lan_view_network(view, rep->network)
                                       : NULL;
            int64_t ofport = peer ? simap_get(ofports, peer->port) : 0;
            if (!ni || ofport <= 0 || ni->row->physnet) {
                continue;       /* (On a physical network: through its LAN.) */
            }
            /* Routed traffic may come from the switches of any network of
             * the router: accept theirs. */
            if (ni->router) {
                for (size_t k = 0; k < ni->router->n_networks; k++) {
                    struct net_info *nk = lan_view_network(
                        view, ni->router->networks[k]);
                    if (!nk || !nk->relevant) {
                        continue;
                    }
                    if (peer->relay) {
                        add_ip_once(&nk->relay_sources, &nk->n_relay_sources,
                                    peer->ip);
                    } else {
                        add_ip_once(&nk->sources, &nk->n_sources, peer->ip);
                    }
                }
            }
            if (!ni->relevant) {
                continue;
            }
            size_t idx;
            for (idx = 0; idx < ni->n_remotes; idx++) {
                if (ni->remotes[idx].ip == peer->ip) {
                    break;
                }
            }
            if (idx == ni->n_remotes) {
                if (ni->n_remotes >= ni->allocated_remotes) {
                    ni->remotes = x2nrealloc(ni->remotes,
                                             &ni->allocated_remotes,
                                             sizeof *ni->remotes);
                }
                ni->remotes[ni->n_remotes++] = (struct lan_remote) {
                    .object = peer->object, .ip = peer->ip,
                    .ofport = ofport, .relay = peer->relay,
                };
            }
            if (has_mac) {
                if (ni->n_remote_ports >= ni->allocated_remote_ports) {
                    ni->remote_ports = x2nrealloc(ni->remote_ports,
                                                  &ni->allocated_remote_ports,
                                                  sizeof *ni->remote_ports);
                }
                struct lan_remote_port *rp
                    = &ni->remote_ports[ni->n_remote_ports++];
                rp->object = rep->header_.uuid.parts[0];
                memcpy(rp->mac, mac, 6);
                rp->remote = idx;
            }
        }
    }
}

/* Adds 'ip' to the tunnel sources of 'ni', once. */
static void
add_source(struct net_info *ni, uint32_t ip)
{
    add_ip_once(&ni->sources, &ni->n_sources, ip);
}

void
lan_view_add_uplinks(struct lan_view *view, struct ovsdb_idl *nb,
                     const char *self, const struct tunnel_plan *plan,
                     const struct simap *ofports)
{
    const struct vnetrec_router *rt;
    size_t allocated = 0;
    VNETREC_ROUTER_FOR_EACH (rt, nb) {
        struct vnet_uplink up;
        if (sset_contains(&view->bad_routers, rt->name)
            || !lan_view_router_uplink(rt, &up)) {
            continue;
        }
        struct lan_router r = {
            .name = rt->name,
            .object = rt->header_.uuid.parts[0],
            .segment_id = rt->segment_id,
            .zone = rt->ct_zone,
            .uplink = up,
            .here = !strcmp(rt->uplink_switch->name, self),
        };
        vnet_mac_for_gateway(rt->segment_id, r.mac);
        if (r.here) {
            r.ofport = simap_get(ofports, rt->uplink_iface);
            if (r.ofport <= 0) {
                continue;       /* Not a port (yet). */
            }
            uint32_t *sources = xcalloc(plan->n_peers + 1, sizeof *sources);
            for (size_t i = 0; i < plan->n_peers; i++) {
                if (!plan->peers[i].relay) {
                    sources[r.n_sources++] = plan->peers[i].ip;
                }
            }
            lan_ips_sort(sources, r.n_sources);
            r.sources = sources;
        } else {
            const struct tunnel_peer *peer
                = plan->enabled ? tunnel_plan_find(plan,
                                                   rt->uplink_switch->name)
                                : NULL;
            int64_t ofport = peer ? simap_get(ofports, peer->port) : 0;
            if (ofport <= 0) {
                continue;       /* No way there (yet). */
            }
            r.remote = (struct lan_remote) {
                .object = peer->object, .ip = peer->ip, .ofport = ofport,
                .relay = peer->relay,
            };
        }

        struct lan_router_net *nets = xcalloc(rt->n_networks + 1,
                                              sizeof *nets);
        bool relevant = r.here;
        for (size_t i = 0; i < rt->n_networks; i++) {
            struct net_info *ni = lan_view_network(view, rt->networks[i]);
            if (!ni) {
                continue;
            }
            relevant |= ni->relevant;
            if (!r.here) {
                /* Traffic routed in from the uplink comes from its
                 * switch. */
                if (r.remote.relay) {
                    add_ip_once(&ni->relay_sources, &ni->n_relay_sources,
                                r.remote.ip);
                } else {
                    add_source(ni, r.remote.ip);
                }
            }
            struct lan_router_net *n = &nets[r.n_nets++];
            n->segment_id = ni->row->segment_id;
            n->net = ni->cidr.net;
            n->plen = ni->cidr.plen;
            memcpy(n->gateway_mac, ni->gateway_mac, 6);
        }
        r.nets = nets;

        struct lan_nat *nats = xcalloc(rt->n_nat + 1, sizeof *nats);
        for (size_t i = 0; i < rt->n_nat; i++) {
            const struct vnetrec_nat *row = rt->nat[i];
            struct lan_nat *ln = &nats[r.n_nats];
            char *error = vnet_nat_parse(row->type, row->external_ip,
                                         row->logical_ip, row->protocol,
                                         row->external_port,
                                         row->logical_port, &ln->nat);
            if (error) {
                static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
                VLOG_WARN_RL(&rl, "router %s: NAT rule: %s", rt->name, error);
                free(error);
                continue;
            }
            if (!ln->nat.has_external) {
                ln->nat.has_external = true;
                ln->nat.external = up.ip;
            }
            ln->object = row->header_.uuid.parts[0];
            r.n_nats++;
        }
        r.nats = nats;

        if (!relevant) {
            free(nets);
            free(nats);
            free(CONST_CAST(uint32_t *, r.sources));
            continue;
        }
        if (view->n_routers >= allocated) {
            view->routers = x2nrealloc(view->routers, &allocated,
                                       sizeof *view->routers);
        }
        view->routers[view->n_routers++] = r;
    }
}

void
lan_view_sort_tunnels(struct lan_view *view)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &view->nets) {
        struct net_info *ni = node->data;
        lan_remotes_sort(ni->remotes, ni->n_remotes, ni->remote_ports,
                         ni->n_remote_ports);
        lan_ips_sort(ni->sources, ni->n_sources);
        lan_ips_sort(ni->relay_sources, ni->n_relay_sources);
    }
}

/* Network 'ni' (valid) as the flows take it. */
static void
net_to_lan(const struct net_info *ni, struct lan_network *lan)
{
    lan->name = ni->row->name;
    lan->object = ni->row->header_.uuid.parts[0];
    lan->segment_id = ni->row->segment_id;
    lan->gateway = ni->gateway;
    memcpy(lan->gateway_mac, ni->gateway_mac, 6);
    lan->mac_limit = ni->row->mac_limit;
    lan->ports = ni->ports;
    lan->n_ports = ni->n_ports;
    lan->neighbors = ni->neighbors;
    lan->n_neighbors = ni->n_neighbors;
    lan->remotes = ni->remotes;
    lan->n_remotes = ni->n_remotes;
    lan->remote_ports = ni->remote_ports;
    lan->n_remote_ports = ni->n_remote_ports;
    lan->routes = ni->routes;
    lan->n_routes = ni->n_routes;
    lan->routed = ni->router != NULL;
    lan->physnet = ni->row->physnet != NULL;
    lan->physnet_ofport = ni->physnet_ofport;
    lan->vlan = ni->row->n_vlan ? *ni->row->vlan : 0;
    if (ni->router) {
        lan->router = ni->router->header_.uuid.parts[0];
        lan->uplink_segment = ni->uplink ? ni->router->segment_id : 0;
    }
    if (ni->router) {
        lan->use_sources = true;
        lan->sources = ni->sources;
        lan->n_sources = ni->n_sources;
        lan->relay_sources = ni->relay_sources;
        lan->n_relay_sources = ni->n_relay_sources;
    }
}

bool
lan_view_neighbor_net(const struct net_info *ni, struct lan_neighbor_net *nn,
                      bool *tunnel_in)
{
    *tunnel_in = false;
    if (!ni->row || !ni->relevant) {
        return false;
    }
    struct lan_network lan;
    memset(&lan, 0, sizeof lan);
    net_to_lan(ni, &lan);
    *tunnel_in = lan_network_tunnel_in(&lan);
    return lan_network_neighbor_net(&lan, nn);
}

struct lan_network *
lan_view_networks(const struct lan_view *view, size_t *n_netsp)
{
    size_t n = shash_count(&view->nets), n_nets = 0;
    struct lan_network *lans = xcalloc(n ? n : 1, sizeof *lans);
    const struct shash_node **sorted = shash_sort(&view->nets);
    for (size_t i = 0; i < n; i++) {
        const struct net_info *ni = sorted[i]->data;
        if (ni->row && ni->relevant) {
            net_to_lan(ni, &lans[n_nets++]);
        }
    }
    free(sorted);
    *n_netsp = n_nets;
    return lans;
}
