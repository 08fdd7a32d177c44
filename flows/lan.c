#include <config.h>
#include "flows/lan.h"
#include "flows/lan-private.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "flows/flow-table.h"
#include "flows/flow-units.h"
#include "flows/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb/addr.h"
#include "packets.h"
#include "util.h"

#define fp_start lan_fp_start
#define open_unit lan_open_unit

static void
add_defaults(struct flow_table *out, char **error)
{
    uint64_t c = vnet_cookie(VNET_F_PIPELINE, 0);

    /* A port without flows yet: to ovs-vnetd, which holds the packet until
     * they are in (controller/held-packets.h). */
    add(out, error, c, "table=%d,priority=0,actions=controller(max_len=%d)",
        VNET_T_INGRESS, 65535);
    add(out, error, c, "table=%d,priority=0,actions=goto_table:%d",
        VNET_T_ARP, VNET_T_LEARN);
    add(out, error, c, "table=%d,priority=0,actions=goto_table:%d",
        VNET_T_LEARN, VNET_T_L2);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_ROUTE);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_NEIGHBOR);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_L2);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_ROUTER);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_UNHAIRPIN);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_NAT);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_LR_ROUTE);
    add(out, error, c, "table=%d,priority=0,actions=drop",
        VNET_T_UPLINK_NEIGHBOR);
    add(out, error, c, "table=%d,priority=0,actions=drop", VNET_T_UPLINK_ARP);
}

/* Table 0: which network, and port security. */
static void
add_ingress(const struct lan_network *net, const struct lan_port *p,
            struct flow_table *out, char **error)
{
    uint64_t c = vnet_cookie(VNET_F_PORT_SECURITY, p->object);
    char *to_net = xasprintf("set_field:%"PRIu32"->metadata,%sgoto_table:%d",
                             net->segment_id,
                             p->has_mac ? "" : "set_field:1->"VNET_REG_UNSECURED",",
                             VNET_T_ARP);
    struct ds mac = DS_EMPTY_INITIALIZER;
    struct ds arp_mac = DS_EMPTY_INITIALIZER;
    if (p->has_mac) {
        ds_put_format(&mac, ",dl_src="ETH_ADDR_FMT, ETH_ADDR_BYTES_ARGS(p->mac));
        ds_put_format(&arp_mac, ",arp_sha="ETH_ADDR_FMT, ETH_ADDR_BYTES_ARGS(p->mac));
    }

    if (p->has_ip) {
        add(out, error, c, "table=%d,priority=100,in_port=%"PRId64"%s,ip,"
            "nw_src="IP_FMT",actions=%s", VNET_T_INGRESS, p->ofport,
            ds_cstr(&mac), HOST_IP_ARGS(p->ip), to_net);
        add(out, error, c, "table=%d,priority=100,in_port=%"PRId64"%s,arp,"
            "arp_spa="IP_FMT"%s,actions=%s", VNET_T_INGRESS, p->ofport,
            ds_cstr(&mac), HOST_IP_ARGS(p->ip), ds_cstr(&arp_mac), to_net);
    } else if (p->has_mac) {
        add(out, error, c, "table=%d,priority=100,in_port=%"PRId64"%s,ip,"
            "actions=%s", VNET_T_INGRESS, p->ofport, ds_cstr(&mac), to_net);
        add(out, error, c, "table=%d,priority=100,in_port=%"PRId64"%s,arp%s,"
            "actions=%s", VNET_T_INGRESS, p->ofport, ds_cstr(&mac),
            ds_cstr(&arp_mac), to_net);
    } else {
        add(out, error, c, "table=%d,priority=100,in_port=%"PRId64","
            "actions=%s", VNET_T_INGRESS, p->ofport, to_net);
    }
    /* Anything else from this port (spoofed, or not IPv4) is dropped; its
     * own flow makes the drops visible per port (on a trunk, which the port
     * shares, per MAC). */
    add(out, error, c, "table=%d,priority=90,in_port=%"PRId64"%s,actions=drop",
        VNET_T_INGRESS, p->ofport, p->trunk ? ds_cstr(&mac) : "");

    ds_destroy(&mac);
    ds_destroy(&arp_mac);
    free(to_net);
}

/* ARP reply built in place: the request's sender becomes the target. */
static void
add_arp_reply(uint32_t segment_id, uint64_t cookie, uint32_t ip,
              const uint8_t mac[6], struct flow_table *out, char **error)
{
    add(out, error, cookie, "table=%d,priority=100,metadata=%"PRIu32",arp,"
        "arp_op=1,arp_tpa="IP_FMT",actions="
        "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
        "set_field:"ETH_ADDR_FMT"->eth_src,"
        "set_field:2->arp_op,"
        "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
        "set_field:"ETH_ADDR_FMT"->arp_sha,"
        "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
        "set_field:"IP_FMT"->arp_spa,"
        "IN_PORT",
        VNET_T_ARP, segment_id, HOST_IP_ARGS(ip), ETH_ADDR_BYTES_ARGS(mac),
        ETH_ADDR_BYTES_ARGS(mac), HOST_IP_ARGS(ip));
}

static void
add_gateway(const struct lan_network *net, struct flow_table *out,
            char **error)
{
    uint64_t c = vnet_cookie(VNET_F_GATEWAY, net->object);

    add_arp_reply(net->segment_id, c, net->gateway, net->gateway_mac, out,
                  error);

    /* The gateway answers ping. */
    add(out, error, c, "table=%d,priority=100,metadata=%"PRIu32",icmp,"
        "dl_dst="ETH_ADDR_FMT",nw_dst="IP_FMT",icmp_type=8,icmp_code=0,actions="
        "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
        "set_field:"ETH_ADDR_FMT"->eth_src,"
        "move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],"
        "set_field:"IP_FMT"->ip_src,"
        "set_field:64->nw_ttl,"
        "set_field:0->icmp_type,"
        "IN_PORT",
        VNET_T_ARP, net->segment_id, ETH_ADDR_BYTES_ARGS(net->gateway_mac),
        HOST_IP_ARGS(net->gateway), ETH_ADDR_BYTES_ARGS(net->gateway_mac),
        HOST_IP_ARGS(net->gateway));
    /* Nothing else is routed (yet): don't flood what is sent to the
     * gateway. */
    add(out, error, c, "table=%d,priority=50,metadata=%"PRIu32","
        "dl_dst="ETH_ADDR_FMT",actions=drop", VNET_T_ARP, net->segment_id,
        ETH_ADDR_BYTES_ARGS(net->gateway_mac));
}

/* The ARP responder's answer for neighbor 'n'. */
static void
add_neighbor_arp(const struct lan_neighbor_net *net,
                 const struct lan_neighbor *n, struct flow_table *out,
                 char **error)
{
    uint64_t nc = vnet_cookie(VNET_F_ARP, n->object);
    add_arp_reply(net->segment_id, nc, n->ip, n->mac, out, error);
    /* An endpoint announcing itself (gratuitous ARP) is not answered. */
    add(out, error, nc, "table=%d,priority=110,metadata=%"PRIu32",arp,"
        "arp_op=1,arp_spa="IP_FMT",arp_tpa="IP_FMT","
        "actions=goto_table:%d", VNET_T_ARP, net->segment_id,
        HOST_IP_ARGS(n->ip), HOST_IP_ARGS(n->ip), VNET_T_LEARN);
}

/* Routed packets for neighbor 'n' get its MAC. */
static void
add_neighbor_route(const struct lan_neighbor_net *net,
                   const struct lan_neighbor *n, struct flow_table *out,
                   char **error)
{
    add(out, error, vnet_cookie(VNET_F_NEIGHBOR, n->object),
        "table=%d,priority=100,metadata=%"PRIu32",ip,"
        "nw_dst="IP_FMT",actions=set_field:"ETH_ADDR_FMT"->eth_dst,"
        "goto_table:%d", VNET_T_NEIGHBOR, net->segment_id,
        HOST_IP_ARGS(n->ip), ETH_ADDR_BYTES_ARGS(n->mac), VNET_T_L2);
}

/* True if the switch behind the relay tap of tunnel IP 'ip' may send into
 * 'net'. */
static bool
relay_may_send(const struct lan_network *net, uint32_t ip)
{
    if (net->use_sources) {
        for (size_t i = 0; i < net->n_relay_sources; i++) {
            if (net->relay_sources[i] == ip) {
                return true;
            }
        }
    } else {
        for (size_t i = 0; i < net->n_remotes; i++) {
            if (net->remotes[i].relay && net->remotes[i].ip == ip) {
                return true;
            }
        }
    }
    return false;
}

/* Table 0 for traffic from other switches: the tunnel key (or the relay's
 * VLAN) says which network.  No port security: the sending switch did it.
 * It skips the ARP responder (the sender's own answered already) and is
 * marked so it is never flooded back into a tunnel. */
static void
add_tunnel_ingress(const struct lan_network *net,
                   const struct lan_tunnel_port *tunnels, size_t n_tunnels,
                   struct flow_table *out, char **error)
{
    uint64_t c = vnet_cookie(VNET_F_TUNNEL, net->object);

    for (size_t i = 0; i < n_tunnels; i++) {
        const struct lan_tunnel_port *t = &tunnels[i];
        if (t->relay) {
            if (net->segment_id > 4094) {
                continue;       /* Does not fit a VID: not over a relay. */
            }
            if (!relay_may_send(net, t->ip)) {
                continue;
            }
            add(out, error, c, "table=%d,priority=100,in_port=%"PRId64","
                "dl_vlan=%"PRIu32",actions=pop_vlan,"
                "set_field:%"PRIu32"->metadata,set_field:1->"VNET_REG_TUNNEL","
                "goto_table:%d", VNET_T_INGRESS, t->ofport, net->segment_id,
                net->segment_id, VNET_T_LEARN);
        } else {
            /* Only from the switches that host the network: not from one
             * that left (or anyone else on the underlay). */
            size_t n = net->use_sources ? net->n_sources : net->n_remotes;
            for (size_t j = 0; j < n; j++) {
                uint32_t ip;
                if (net->use_sources) {
                    ip = net->sources[j];
                } else if (!net->remotes[j].relay) {
                    ip = net->remotes[j].ip;
                } else {
                    continue;
                }
                add(out, error, c, "table=%d,priority=100,in_port=%"PRId64","
                    "tun_id=%"PRIu32",tun_src="IP_FMT","
                    "actions=set_field:%"PRIu32"->metadata,"
                    "set_field:1->"VNET_REG_TUNNEL",goto_table:%d",
                    VNET_T_INGRESS, t->ofport, net->segment_id,
                    HOST_IP_ARGS(ip), net->segment_id, VNET_T_LEARN);
            }
            /* MACs behind another switch that the NB does not know (ports
             * without a fixed MAC there) are learned with the way back. */
            struct ds limit = DS_EMPTY_INITIALIZER;
            if (net->mac_limit > 0) {
                ds_put_format(&limit, "limit=%d,", net->mac_limit);
            }
            add(out, error, vnet_cookie(VNET_F_LEARN, net->object),
                "table=%d,priority=100,metadata=%"PRIu32",in_port=%"PRId64","
                VNET_REG_TUNNEL"=1,actions=learn(table=%d,idle_timeout=%d,"
                "priority=50,%scookie=0x%"PRIx64",OXM_OF_METADATA[],"
                "NXM_OF_ETH_DST[]=NXM_OF_ETH_SRC[],"
                "load:NXM_NX_TUN_ID[]->NXM_NX_TUN_ID[],"
                "load:NXM_NX_TUN_IPV4_SRC[]->NXM_NX_TUN_IPV4_DST[],"
                "output:NXM_OF_IN_PORT[]),goto_table:%d",
                VNET_T_LEARN, net->segment_id, t->ofport, VNET_T_L2,
                LAN_LEARN_IDLE_TIMEOUT, ds_cstr(&limit),
                vnet_cookie(VNET_F_LEARNED, net->object), VNET_T_L2);
            ds_destroy(&limit);
        }
    }
}

void
lan_put_remote_output(struct ds *s, uint32_t segment_id,
                      const struct lan_remote *remote)
{
    if (s->length) {
        ds_put_char(s, ',');
    }
    if (remote->relay) {
        /* As OpenFlow 1.3 has it (not mod_vlan_vid), so that it reads the
         * same when the switch gives it back. */
        ds_put_format(s, "push_vlan:0x8100,set_field:%"PRIu32"->vlan_vid,"
                      "output:%"PRId64, segment_id | 0x1000, remote->ofport);
    } else {
        ds_put_format(s, "set_field:%"PRIu32"->tun_id,"
                      "set_field:"IP_FMT"->tun_dst,output:%"PRId64,
                      segment_id, HOST_IP_ARGS(remote->ip), remote->ofport);
    }
}

static int
compare_remote_ptrs(const void *a_, const void *b_)
{
    const struct lan_remote *a = *(const struct lan_remote *const *) a_;
    const struct lan_remote *b = *(const struct lan_remote *const *) b_;
    return (a->ip != b->ip ? (a->ip < b->ip ? -1 : 1)
            : a->ofport != b->ofport ? (a->ofport < b->ofport ? -1 : 1)
            : a->relay != b->relay ? (a->relay < b->relay ? -1 : 1)
            : 0);
}

void
lan_remotes_sort(struct lan_remote *remotes, size_t n_remotes,
                 struct lan_remote_port *remote_ports, size_t n_remote_ports)
{
    if (n_remotes < 2) {
        return;
    }
    struct lan_remote **order = xmalloc(n_remotes * sizeof *order);
    for (size_t i = 0; i < n_remotes; i++) {
        order[i] = &remotes[i];
    }
    qsort(order, n_remotes, sizeof *order, compare_remote_ptrs);
    /* Where each one goes, by where it was. */
    size_t *to = xmalloc(n_remotes * sizeof *to);
    struct lan_remote *sorted = xmalloc(n_remotes * sizeof *sorted);
    for (size_t i = 0; i < n_remotes; i++) {
        to[order[i] - remotes] = i;
        sorted[i] = *order[i];
    }
    memcpy(remotes, sorted, n_remotes * sizeof *remotes);
    for (size_t i = 0; i < n_remote_ports; i++) {
        if (remote_ports[i].remote < n_remotes) {
            remote_ports[i].remote = to[remote_ports[i].remote];
        }
    }
    free(sorted);
    free(to);
    free(order);
}

static int
compare_ips(const void *a_, const void *b_)
{
    uint32_t a = *(const uint32_t *) a_;
    uint32_t b = *(const uint32_t *) b_;
    return a < b ? -1 : a > b;
}

void
lan_ips_sort(uint32_t *ips, size_t n)
{
    if (n > 1) {
        qsort(ips, n, sizeof *ips, compare_ips);
    }
}

/* Routing out of 'net' (which has ports here) to its router's other
 * networks, and out of its uplink. */
static void
add_routing(const struct lan_network *net, struct flow_table *out,
            char **error)
{
    uint64_t c = vnet_cookie(VNET_F_ROUTE, net->router);
    add(out, error, c, "table=%d,priority=60,metadata=%"PRIu32",ip,"
        "dl_dst="ETH_ADDR_FMT",actions=goto_table:%d", VNET_T_ARP,
        net->segment_id, ETH_ADDR_BYTES_ARGS(net->gateway_mac), VNET_T_ROUTE);
    for (size_t i = 0; i < net->n_routes; i++) {
        const struct lan_route *r = &net->routes[i];
        add(out, error, vnet_cookie(VNET_F_ROUTE, r->object),
            "table=%d,priority=%d,metadata=%"PRIu32",ip,"
            "nw_dst="IP_FMT"/%d,actions=dec_ttl,"
            "set_field:"ETH_ADDR_FMT"->eth_src,set_field:%"PRIu32"->metadata,"
            "goto_table:%d", VNET_T_ROUTE, 100 + r->plen, net->segment_id,
            HOST_IP_ARGS(r->net), r->plen, ETH_ADDR_BYTES_ARGS(r->gateway_mac),
            r->segment_id, VNET_T_NEIGHBOR);
    }
    if (net->uplink_segment) {
        /* The default route: out through the router's uplink. */
        add(out, error, c, "table=%d,priority=100,metadata=%"PRIu32",ip,"
            "actions=dec_ttl,set_field:%"PRIu32"->metadata,goto_table:%d",
            VNET_T_ROUTE, net->segment_id, net->uplink_segment,
            VNET_T_ROUTER);
    }
}

/* Endpoint 'rp' on another switch: what comes from it through a tunnel is
 * not learned ('tunnel_in'), and what goes to its MAC goes to its switch. */
static void
add_remote_port(uint32_t segment_id, const struct lan_remote_port *rp,
                const struct lan_remote *remote, bool tunnel_in,
                struct flow_table *out, char **error)
{
    if (tunnel_in) {
        add(out, error, vnet_cookie(VNET_F_L2, rp->object),
            "table=%d,priority=110,metadata=%"PRIu32","VNET_REG_TUNNEL"=1,"
            "dl_src="ETH_ADDR_FMT",actions=goto_table:%d", VNET_T_LEARN,
            segment_id, ETH_ADDR_BYTES_ARGS(rp->mac), VNET_T_L2);
    }
    if (!remote || (remote->relay && segment_id > 4094)) {
        return;
    }
    struct ds actions = DS_EMPTY_INITIALIZER;
    lan_put_remote_output(&actions, segment_id, remote);
    add(out, error, vnet_cookie(VNET_F_L2, rp->object),
        "table=%d,priority=100,metadata=%"PRIu32",dl_dst="ETH_ADDR_FMT","
        "actions=%s", VNET_T_L2, segment_id, ETH_ADDR_BYTES_ARGS(rp->mac),
        ds_cstr(&actions));
    ds_destroy(&actions);
}

bool
lan_network_neighbor_net(const struct lan_network *net,
                         struct lan_neighbor_net *nn)
{
    nn->object = net->object;
    nn->segment_id = net->segment_id;
    nn->ports = net->n_ports > 0;
    nn->routed = net->routed;
    return nn->ports || nn->routed;
}

/* Opens and fills the unit of neighbour 'n' of 'nn' (its fingerprint built
 * in 'fp'). */
static void
neighbor_unit(const struct lan_neighbor_net *nn, const struct lan_neighbor *n,
              struct flow_units *units, struct ds *fp, char **error)
{
    fp_start(fp);
    FP_PUT(fp, nn->segment_id);
    FP_PUT(fp, n->ip);
    flow_fp_put(fp, n->mac, 6);
    FP_PUT(fp, nn->ports);
    FP_PUT(fp, nn->routed);
    struct flow_table *t = open_unit(units, LAN_U_NEIGHBOR, nn->object,
                                     n->object, fp);
    if (t) {
        if (nn->ports) {
            add_neighbor_arp(nn, n, t, error);
        }
        if (nn->routed) {
            add_neighbor_route(nn, n, t, error);
        }
    }
}

char *
lan_flows_neighbor_unit(const struct lan_neighbor_net *nn,
                        const struct lan_neighbor *n, struct flow_units *units)
{
    struct ds fp = DS_EMPTY_INITIALIZER;
    char *error = NULL;
    neighbor_unit(nn, n, units, &fp, &error);
    ds_destroy(&fp);
    return error;
}

void
lan_flows_neighbor_drop(const struct lan_neighbor_net *nn, uint32_t object,
                        struct flow_units *units)
{
    struct flow_unit_key key = {
        .kind = LAN_U_NEIGHBOR, .a = nn->object, .b = object,
    };
    flow_units_drop(units, &key);
}


bool
lan_network_tunnel_in(const struct lan_network *net)
{
    return net->n_ports > 0 && (net->n_remotes
                                || (net->use_sources
                                    && (net->n_sources
                                        || net->n_relay_sources)));
}

/* Opens and fills the unit of remote port 'rp' of 'nn', behind 'remote'
 * (NULL: none), its fingerprint built in 'fp'. */
static void
remote_port_unit(const struct lan_neighbor_net *nn, bool tunnel_in,
                 const struct lan_remote_port *rp,
                 const struct lan_remote *remote, struct flow_units *units,
                 struct ds *fp, char **error)
{
    fp_start(fp);
    FP_PUT(fp, nn->segment_id);
    flow_fp_put(fp, rp->mac, 6);
    FP_PUT(fp, tunnel_in);
    if (remote) {
        lan_fp_put_remote(fp, remote);
    }
    struct flow_table *t = open_unit(units, LAN_U_REMOTE_PORT, nn->object,
                                     rp->object, fp);
    if (t) {
        add_remote_port(nn->segment_id, rp, remote, tunnel_in, t, error);
    }
}

char *
lan_flows_remote_port_unit(const struct lan_neighbor_net *nn, bool tunnel_in,
                           const struct lan_remote_port *rp,
                           const struct lan_remote *remote,
                           struct flow_units *units)
{
    struct ds fp = DS_EMPTY_INITIALIZER;
    char *error = NULL;
    remote_port_unit(nn, tunnel_in, rp, remote, units, &fp, &error);
    ds_destroy(&fp);
    return error;
}

void
lan_flows_remote_port_drop(const struct lan_neighbor_net *nn, uint32_t object,
                           struct flow_units *units)
{
    struct flow_unit_key key = {
        .kind = LAN_U_REMOTE_PORT, .a = nn->object, .b = object,
    };
    flow_units_drop(units, &key);
}

/* Opens and fills the unit of port 'p' of 'nn' (its fingerprint built in
 * 'fp'). */
static void
port_unit(const struct lan_neighbor_net *nn, const struct lan_port *p,
          struct flow_units *units, struct ds *fp, char **error)
{
    fp_start(fp);
    FP_PUT(fp, nn->segment_id);
    FP_PUT(fp, p->ofport);
    FP_PUT(fp, p->has_mac);
    if (p->has_mac) {
        flow_fp_put(fp, p->mac, 6);
    }
    FP_PUT(fp, p->has_ip);
    if (p->has_ip) {
        FP_PUT(fp, p->ip);
    }
    FP_PUT(fp, p->trunk);
    if (p->trunk && !p->has_mac) {
        if (!*error) {
            *error = xasprintf("%s: an endpoint on a trunk needs a MAC",
                               p->name);
        }
        return;
    }
    struct flow_table *t = open_unit(units, LAN_U_PORT, nn->object, p->object,
                                     fp);
    if (t) {
        /* (What the port's flows take from the network.) */
        const struct lan_network net = {
            .object = nn->object,
            .segment_id = nn->segment_id,
        };
        add_ingress(&net, p, t, error);
        if (p->has_mac) {
            add_port_l2(&net, p, t, error);
        }
    }
}

char *
lan_flows_port_unit(const struct lan_neighbor_net *nn,
                    const struct lan_port *p, struct flow_units *units)
{
    struct ds fp = DS_EMPTY_INITIALIZER;
    char *error = NULL;
    port_unit(nn, p, units, &fp, &error);
    ds_destroy(&fp);
    return error;
}

void
lan_flows_port_drop(const struct lan_neighbor_net *nn, uint32_t object,
                    struct flow_units *units)
{
    struct flow_unit_key key = {
        .kind = LAN_U_PORT, .a = nn->object, .b = object,
    };
    flow_units_drop(units, &key);
}

/* Fills the units of network 'net'. */
static void
network_units(const struct lan_network *net,
              const struct lan_tunnel_port *tunnels, size_t n_tunnels,
              struct flow_units *units, struct ds *fp, char **error)
{
    uint32_t o = net->object;
    bool ports = net->n_ports > 0;
    bool tunnel_in = lan_network_tunnel_in(net);
    struct flow_table *t;

    struct lan_neighbor_net nn;
    if (!lan_network_neighbor_net(net, &nn)) {
        return;
    }

    /* Each port here. */
    bool learns = false;
    for (size_t i = 0; i < net->n_ports; i++) {
        const struct lan_port *p = &net->ports[i];
        port_unit(&nn, p, units, fp, error);
        learns |= !p->has_mac && !p->trunk;
    }

    /* Endpoints with known addresses, anywhere: ARP answers (where the
     * network has ports) and MACs for routed packets (where routed). */
    for (size_t i = 0; i < net->n_neighbors; i++) {
        neighbor_unit(&nn, &net->neighbors[i], units, fp, error);
    }

    /* Endpoints on other switches. */
    for (size_t i = 0; i < net->n_remote_ports; i++) {
        const struct lan_remote_port *rp = &net->remote_ports[i];
        remote_port_unit(&nn, tunnel_in, rp,
                         (rp->remote < net->n_remotes
                          ? &net->remotes[rp->remote] : NULL),
                         units, fp, error);
    }

    if (!ports) {
        return;                 /* Only what delivers routed packets. */
    }

    struct lan_flood flood;
    lan_flood_init(&flood, net);
    for (size_t i = 0; i < flood.n_trunks; i++) {
        fp_start(fp);
        FP_PUT(fp, flood.trunks[i]);
        if ((t = open_unit(units, LAN_U_TRUNK, o, flood.trunks[i], fp))) {
            add_trunk(net, flood.trunks[i], t, error);
        }
    }

    if (tunnel_in) {
        /* Also for traffic routed in from other switches. */
        fp_start(fp);
        FP_PUT(fp, net->segment_id);
        FP_PUT(fp, net->mac_limit);
        for (size_t i = 0; i < n_tunnels; i++) {
            FP_PUT(fp, tunnels[i].ofport);
            FP_PUT(fp, tunnels[i].relay);
            FP_PUT(fp, tunnels[i].ip);
        }
        FP_PUT(fp, net->use_sources);
        if (net->use_sources) {
            FP_PUT(fp, net->n_sources);
            flow_fp_put(fp, net->sources,
                        net->n_sources * sizeof *net->sources);
            FP_PUT(fp, net->n_relay_sources);
            flow_fp_put(fp, net->relay_sources,
                        net->n_relay_sources * sizeof *net->relay_sources);
        } else {
            for (size_t i = 0; i < net->n_remotes; i++) {
                lan_fp_put_remote(fp, &net->remotes[i]);
            }
        }
        if ((t = open_unit(units, LAN_U_TUNNEL_IN, o, 0, fp))) {
            add_tunnel_ingress(net, tunnels, n_tunnels, t, error);
        }
    }

    if (net->physnet) {
        /* The gateway, if any, is on the LAN. */
        if (net->physnet_ofport) {
            fp_start(fp);
            FP_PUT(fp, net->segment_id);
            FP_PUT(fp, net->physnet_ofport);
            FP_PUT(fp, net->vlan);
            if ((t = open_unit(units, LAN_U_PHYSNET, o, 0, fp))) {
                add_physnet_ingress(net, t, error);
            }
        }
    } else {
        fp_start(fp);
        FP_PUT(fp, net->segment_id);
        FP_PUT(fp, net->gateway);
        flow_fp_put(fp, net->gateway_mac, 6);
        if ((t = open_unit(units, LAN_U_GATEWAY, o, 0, fp))) {
            add_gateway(net, t, error);
        }
    }

    if (net->n_routes || net->uplink_segment) {
        fp_start(fp);
        FP_PUT(fp, net->segment_id);
        flow_fp_put(fp, net->gateway_mac, 6);
        FP_PUT(fp, net->router);
        FP_PUT(fp, net->uplink_segment);
        for (size_t i = 0; i < net->n_routes; i++) {
            const struct lan_route *r = &net->routes[i];
            FP_PUT(fp, r->object);
            FP_PUT(fp, r->segment_id);
            FP_PUT(fp, r->net);
            FP_PUT(fp, r->plen);
            flow_fp_put(fp, r->gateway_mac, 6);
        }
        if ((t = open_unit(units, LAN_U_ROUTING, o, 0, fp))) {
            add_routing(net, t, error);
        }
    }

    if (learns) {
        fp_start(fp);
        FP_PUT(fp, net->segment_id);
        FP_PUT(fp, net->mac_limit);
        if ((t = open_unit(units, LAN_U_LEARN, o, 0, fp))) {
            add_learn(net, t, error);
        }
    }

    lan_flood_unit(net, &flood, units, fp, error);
    lan_flood_destroy(&flood);
}

char *
lan_flows_foreign_units(const int64_t *ofports, size_t n,
                        struct flow_units *units)
{
    char *error = NULL;
    int64_t *ports = xmemdup(ofports, (n + 1) * sizeof *ports);
    n = lan_unique_ofports(ports, n);

    struct ds fp = DS_EMPTY_INITIALIZER;
    FP_PUT(&fp, n);
    for (size_t i = 0; i < n; i++) {
        FP_PUT(&fp, ports[i]);
    }
    struct flow_table *t = open_unit(units, LAN_U_FOREIGN, 0, 0, &fp);
    for (size_t i = 0; t && i < n; i++) {
        add(t, &error, vnet_cookie(VNET_F_FOREIGN, 0),
            "table=%d,priority=1,in_port=%"PRId64",actions=drop",
            VNET_T_INGRESS, ports[i]);
    }
    ds_destroy(&fp);
    free(ports);
    return error;
}

char *
lan_flows_generate_units(const struct lan_network *networks,
                         size_t n_networks,
                         const struct lan_tunnel_port *tunnels,
                         size_t n_tunnels, struct flow_units *units)
{
    struct ds fp = DS_EMPTY_INITIALIZER;
    char *error = NULL;

    struct flow_table *t = open_unit(units, LAN_U_DEFAULTS, 0, 0, &fp);
    if (t) {
        add_defaults(t, &error);
    }
    for (size_t i = 0; i < n_networks; i++) {
        network_units(&networks[i], tunnels, n_tunnels, units, &fp, &error);
    }
    ds_destroy(&fp);
    return error;
}

char *
lan_flows_generate(const struct lan_network *networks, size_t n_networks,
                   const struct lan_tunnel_port *tunnels, size_t n_tunnels,
                   struct flow_table *out)
{
    struct flow_units *units = flow_units_create();
    flow_units_begin(units);
    char *error = lan_flows_generate_units(networks, n_networks, tunnels,
                                           n_tunnels, units);
    flow_units_finish_into(units, out);
    return error;
}

char *
lan_flows_to_text(const struct lan_network *networks, size_t n_networks,
                  const struct lan_tunnel_port *tunnels, size_t n_tunnels,
                  char **error)
{
    struct flow_table t;

    flow_table_init(&t);
    *error = lan_flows_generate(networks, n_networks, tunnels, n_tunnels, &t);
    char *text = *error ? NULL : flow_table_format(&t);
    flow_table_destroy(&t);
    return text;
}
