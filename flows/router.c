#include <config.h>
#include "flows/router.h"

#include <inttypes.h>
#include <stdlib.h>

#include "flows/flow-table.h"
#include "flows/flow-units.h"
#include "flows/pipeline.h"
#include "openvswitch/dynamic-string.h"
#include "packets.h"
#include "util.h"

/* Addresses here are in host byte order, as flows/router.h has them. */
#define HOST_IP_ARGS(IP) IP_ARGS(htonl(IP))

/* Every generator here adds many flows and keeps the first error. */
#define add flow_table_addf

/* The external addresses of 'r': its uplink's, and those of its rules.  With
 * 'hairpin', only those inside packets may be translated to (dnat, fip).
 * Returns how many went into 'ips' (room for 1 + r->n_nats). */
static size_t
external_ips(const struct lan_router *r, bool hairpin, uint32_t *ips)
{
    size_t n = 0;
    if (!hairpin) {
        ips[n++] = r->uplink.ip;
    }
    for (size_t i = 0; i < r->n_nats; i++) {
        const struct vnet_nat *nat = &r->nats[i].nat;
        if (hairpin && nat->type == VNET_NAT_SNAT) {
            continue;
        }
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++) {
            seen = ips[j] == nat->external;
        }
        if (!seen) {
            ips[n++] = nat->external;
        }
    }
    return n;
}

/* Table 0 and 45: what comes in from the uplink, and ARP there. */
static void
add_uplink(const struct lan_router *r, const uint32_t *ext, size_t n_ext,
           struct flow_table *out, char **error)
{
    uint64_t c = vnet_cookie(VNET_F_UPLINK, r->object);
    uint32_t mask = ntohl(be32_prefix_mask(r->uplink.plen));

    add(out, error, c, "table=%d,priority=100,in_port=%"PRId64",arp,"
        "actions=set_field:%"PRIu32"->metadata,goto_table:%d",
        VNET_T_INGRESS, r->ofport, r->segment_id, VNET_T_UPLINK_ARP);
    add(out, error, c, "table=%d,priority=100,in_port=%"PRId64",ip,"
        "actions=dec_ttl,set_field:%"PRIu32"->metadata,"
        "set_field:1->"VNET_REG_OUTSIDE",goto_table:%d",
        VNET_T_INGRESS, r->ofport, r->segment_id, VNET_T_ROUTER);
    add(out, error, c, "table=%d,priority=90,in_port=%"PRId64",actions=drop",
        VNET_T_INGRESS, r->ofport);

    /* Neighbors on the uplink's network (learned when they ask for us or
     * answer us) and the next hop (the way to everything else). */
    uint64_t learned = vnet_cookie(VNET_F_LEARNED, r->object);
    char *learn_host = xasprintf(
        "learn(table=%d,priority=100,idle_timeout=%d,cookie=0x%"PRIx64","
        "OXM_OF_METADATA[],eth_type=0x800,NXM_OF_IP_DST[]=NXM_OF_ARP_SPA[],"
        "load:NXM_NX_ARP_SHA[]->NXM_OF_ETH_DST[],output:NXM_OF_IN_PORT[])",
        VNET_T_UPLINK_NEIGHBOR, ROUTER_NEIGHBOR_IDLE_TIMEOUT, learned);
    char *learn_nexthop = xasprintf(
        "learn(table=%d,priority=10,idle_timeout=%d,cookie=0x%"PRIx64","
        "OXM_OF_METADATA[],eth_type=0x800,"
        "load:NXM_NX_ARP_SHA[]->NXM_OF_ETH_DST[],output:NXM_OF_IN_PORT[])",
        VNET_T_UPLINK_NEIGHBOR, ROUTER_NEXTHOP_IDLE_TIMEOUT, learned);
    for (size_t i = 0; i < n_ext; i++) {
        char *reply = xasprintf(
            "move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
            "set_field:"ETH_ADDR_FMT"->eth_src,set_field:2->arp_op,"
            "move:NXM_NX_ARP_SHA[]->NXM_NX_ARP_THA[],"
            "set_field:"ETH_ADDR_FMT"->arp_sha,"
            "move:NXM_OF_ARP_SPA[]->NXM_OF_ARP_TPA[],"
            "set_field:"IP_FMT"->arp_spa,IN_PORT",
            ETH_ADDR_BYTES_ARGS(r->mac), ETH_ADDR_BYTES_ARGS(r->mac),
            HOST_IP_ARGS(ext[i]));
        add(out, error, c, "table=%d,priority=120,metadata=%"PRIu32",arp,"
            "arp_op=1,arp_spa="IP_FMT",arp_tpa="IP_FMT",actions=%s,%s",
            VNET_T_UPLINK_ARP, r->segment_id, HOST_IP_ARGS(r->uplink.nexthop),
            HOST_IP_ARGS(ext[i]), learn_nexthop, reply);
        add(out, error, c, "table=%d,priority=100,metadata=%"PRIu32",arp,"
            "arp_op=1,arp_spa="IP_FMT"/"IP_FMT",arp_tpa="IP_FMT","
            "actions=%s,%s", VNET_T_UPLINK_ARP, r->segment_id,
            HOST_IP_ARGS(r->uplink.ip & mask), HOST_IP_ARGS(mask),
            HOST_IP_ARGS(ext[i]), learn_host, reply);
        /* Senders off the network are answered too (the Linux way: a host
         * may ask from any of its addresses), not learned. */
        add(out, error, c, "table=%d,priority=80,metadata=%"PRIu32",arp,"
            "arp_op=1,arp_tpa="IP_FMT",actions=%s", VNET_T_UPLINK_ARP,
            r->segment_id, HOST_IP_ARGS(ext[i]), reply);
        free(reply);
    }
    add(out, error, c, "table=%d,priority=110,metadata=%"PRIu32",arp,"
        "arp_op=2,arp_spa="IP_FMT",actions=%s", VNET_T_UPLINK_ARP,
        r->segment_id, HOST_IP_ARGS(r->uplink.nexthop), learn_nexthop);
    add(out, error, c, "table=%d,priority=90,metadata=%"PRIu32",arp,"
        "arp_op=2,arp_spa="IP_FMT"/"IP_FMT",arp_tpa="IP_FMT",actions=%s",
        VNET_T_UPLINK_ARP, r->segment_id, HOST_IP_ARGS(r->uplink.ip & mask),
        HOST_IP_ARGS(mask), HOST_IP_ARGS(r->uplink.ip), learn_host);
    free(learn_host);
    free(learn_nexthop);
}

/* Table 42: what new connections become. */
static void
add_nat_rules(const struct lan_router *r, const uint32_t *ext, size_t n_ext,
              struct flow_table *out, char **error)
{
    uint64_t c = vnet_cookie(VNET_F_ROUTER, r->object);
    int zone = r->zone;
    const char *new = "ct_state=+new+trk";

    add(out, error, c, "table=%d,priority=200,metadata=%"PRIu32","
        "ct_state=+inv+trk,actions=drop", VNET_T_NAT, r->segment_id);
    for (size_t i = 0; i < r->n_nats; i++) {
        const struct lan_nat *ln = &r->nats[i];
        const struct vnet_nat *nat = &ln->nat;
        uint64_t nc = vnet_cookie(VNET_F_NAT, ln->object);
        switch (nat->type) {
        case VNET_NAT_DNAT:
            add(out, error, nc, "table=%d,priority=150,metadata=%"PRIu32",%s,"
                "%s,nw_dst="IP_FMT",tp_dst=%d,actions=ct(commit,zone=%d,"
                "nat(dst="IP_FMT":%d),table=%d)", VNET_T_NAT, r->segment_id,
                new, nat->protocol == 6 ? "tcp" : "udp",
                HOST_IP_ARGS(nat->external), nat->external_port, zone,
                HOST_IP_ARGS(nat->logical), nat->logical_port,
                VNET_T_LR_ROUTE);
            break;
        case VNET_NAT_FIP:
            add(out, error, nc, "table=%d,priority=150,metadata=%"PRIu32",%s,"
                "ip,nw_dst="IP_FMT",actions=ct(commit,zone=%d,"
                "nat(dst="IP_FMT"),table=%d)", VNET_T_NAT, r->segment_id, new,
                HOST_IP_ARGS(nat->external), zone, HOST_IP_ARGS(nat->logical),
                VNET_T_LR_ROUTE);
            add(out, error, nc, "table=%d,priority=140,metadata=%"PRIu32",%s,"
                VNET_REG_OUTSIDE"=0,ip,nw_src="IP_FMT",actions=ct(commit,"
                "zone=%d,nat(src="IP_FMT"),table=%d)", VNET_T_NAT,
                r->segment_id, new, HOST_IP_ARGS(nat->logical), zone,
                HOST_IP_ARGS(nat->external), VNET_T_LR_ROUTE);
            break;
        case VNET_NAT_SNAT:
            add(out, error, nc, "table=%d,priority=%d,metadata=%"PRIu32",%s,"
                VNET_REG_OUTSIDE"=0,ip,nw_src="IP_FMT"/%d,actions=ct(commit,"
                "zone=%d,nat(src="IP_FMT"),table=%d)", VNET_T_NAT,
                100 + nat->logical_plen, r->segment_id, new,
                HOST_IP_ARGS(nat->logical), nat->logical_plen, zone,
                HOST_IP_ARGS(nat->external), VNET_T_LR_ROUTE);
            break;
        }
    }
    /* Nothing else opens from outside, and from inside nothing else to our
     * external addresses. */
    add(out, error, c, "table=%d,priority=130,metadata=%"PRIu32",%s,"
        VNET_REG_OUTSIDE"=1,actions=drop", VNET_T_NAT, r->segment_id, new);
    for (size_t i = 0; i < n_ext; i++) {
        add(out, error, c, "table=%d,priority=135,metadata=%"PRIu32",%s,"
            "ip,nw_dst="IP_FMT",actions=drop", VNET_T_NAT, r->segment_id, new,
            HOST_IP_ARGS(ext[i]));
    }
    add(out, error, c, "table=%d,priority=10,metadata=%"PRIu32","
        "ct_state=+trk,ip,actions=goto_table:%d", VNET_T_NAT, r->segment_id,
        VNET_T_LR_ROUTE);
}

static void
add_gateway(const struct lan_router *r, const struct lan_tunnel_port *tunnels,
            size_t n_tunnels, struct flow_table *out, char **error)
{
    uint64_t c = vnet_cookie(VNET_F_ROUTER, r->object);
    uint32_t *ext = xcalloc(r->n_nats + 1, sizeof *ext);
    size_t n_ext = external_ips(r, false, ext);

    add_uplink(r, ext, n_ext, out, error);

    /* From other switches, for the uplink.  What comes back from NAT may go
     * straight back into a tunnel (hairpin between two other switches), and
     * OpenFlow never outputs to the in_port: forget it. */
    for (size_t i = 0; i < n_tunnels; i++) {
        const struct lan_tunnel_port *t = &tunnels[i];
        if (t->relay && r->segment_id <= 4094) {
            add(out, error, c, "table=%d,priority=100,in_port=%"PRId64","
                "dl_vlan=%"PRIu32",actions=pop_vlan,"
                "set_field:%"PRIu32"->metadata,set_field:0->in_port,"
                "goto_table:%d",
                VNET_T_INGRESS, t->ofport, r->segment_id, r->segment_id,
                VNET_T_ROUTER);
        } else if (!t->relay) {
            for (size_t j = 0; j < r->n_sources; j++) {
                add(out, error, c, "table=%d,priority=100,in_port=%"PRId64","
                    "tun_id=%"PRIu32",tun_src="IP_FMT",actions="
                    "set_field:%"PRIu32"->metadata,"
                    "set_field:0->in_port,goto_table:%d",
                    VNET_T_INGRESS, t->ofport, r->segment_id,
                    HOST_IP_ARGS(r->sources[j]), r->segment_id,
                    VNET_T_ROUTER);
            }
        }
    }

    /* The uplink's address answers ping (never a NAT address's). */
    add(out, error, vnet_cookie(VNET_F_UPLINK, r->object),
        "table=%d,priority=110,metadata=%"PRIu32","VNET_REG_OUTSIDE"=1,icmp,nw_dst="IP_FMT",icmp_type=8,icmp_code=0,"
        "actions=move:NXM_OF_ETH_SRC[]->NXM_OF_ETH_DST[],"
        "set_field:"ETH_ADDR_FMT"->eth_src,"
        "move:NXM_OF_IP_SRC[]->NXM_OF_IP_DST[],"
        "set_field:"IP_FMT"->ip_src,set_field:64->nw_ttl,"
        "set_field:0->icmp_type,IN_PORT", VNET_T_ROUTER, r->segment_id,
        HOST_IP_ARGS(r->uplink.ip), ETH_ADDR_BYTES_ARGS(r->mac),
        HOST_IP_ARGS(r->uplink.ip));

    /* Table 40: conntrack, hairpin zone first where needed. */
    if (r->n_nats) {
        uint32_t *hairpin = xcalloc(r->n_nats + 1, sizeof *hairpin);
        size_t n_hairpin = external_ips(r, true, hairpin);
        for (size_t i = 0; i < n_hairpin; i++) {
            add(out, error, c, "table=%d,priority=100,metadata=%"PRIu32","
                VNET_REG_OUTSIDE"=0,ip,nw_dst="IP_FMT",actions=ct(zone=%d,"
                "nat,table=%d)", VNET_T_ROUTER, r->segment_id,
                HOST_IP_ARGS(hairpin[i]), r->zone + 1, VNET_T_UNHAIRPIN);
            /* Inside to a dnat or fip address: the reply must come back
             * through here, so the source becomes that address too. */
            add(out, error, c, "table=%d,priority=200,metadata=%"PRIu32","
                VNET_REG_OUTSIDE"=0,ct_state=+trk+dnat-rpl,ip,"
                "ct_nw_dst="IP_FMT",actions=ct(commit,zone=%d,"
                "nat(src="IP_FMT"),table=%d)", VNET_T_LR_ROUTE, r->segment_id,
                HOST_IP_ARGS(hairpin[i]), r->zone + 1,
                HOST_IP_ARGS(hairpin[i]), VNET_T_LR_ROUTE);
        }
        free(hairpin);
        add(out, error, c, "table=%d,priority=50,metadata=%"PRIu32",ip,"
            "actions=ct(zone=%d,nat,table=%d)", VNET_T_ROUTER, r->segment_id,
            r->zone, VNET_T_NAT);
        add(out, error, c, "table=%d,priority=50,metadata=%"PRIu32",ip,"
            "actions=ct(zone=%d,nat,table=%d)", VNET_T_UNHAIRPIN,
            r->segment_id, r->zone, VNET_T_NAT);
        add_nat_rules(r, ext, n_ext, out, error);
    } else {
        add(out, error, c, "table=%d,priority=50,metadata=%"PRIu32",ip,"
            "actions=goto_table:%d", VNET_T_ROUTER, r->segment_id,
            VNET_T_LR_ROUTE);
    }
    free(ext);

    /* Table 43: into a network of the router, or out. */
    for (size_t i = 0; i < r->n_nets; i++) {
        const struct lan_router_net *n = &r->nets[i];
        add(out, error, c, "table=%d,priority=%d,metadata=%"PRIu32",ip,"
            "nw_dst="IP_FMT"/%d,actions=set_field:"ETH_ADDR_FMT"->eth_src,"
            "set_field:%"PRIu32"->metadata,resubmit(,%d)", VNET_T_LR_ROUTE,
            100 + n->plen, r->segment_id, HOST_IP_ARGS(n->net), n->plen,
            ETH_ADDR_BYTES_ARGS(n->gateway_mac), n->segment_id,
            VNET_T_NEIGHBOR);
    }
    add(out, error, c, "table=%d,priority=20,metadata=%"PRIu32","
        VNET_REG_OUTSIDE"=1,actions=drop", VNET_T_LR_ROUTE, r->segment_id);
    add(out, error, c, "table=%d,priority=10,metadata=%"PRIu32",ip,"
        "actions=set_field:"ETH_ADDR_FMT"->eth_src,goto_table:%d",
        VNET_T_LR_ROUTE, r->segment_id, ETH_ADDR_BYTES_ARGS(r->mac),
        VNET_T_UPLINK_NEIGHBOR);
}

/* A router's flows are one unit (flows/flow-units.h). */
#define ROUTER_UNIT 100

#define FP_PUT FLOW_FP_PUT

/* Everything the flows of 'r' are made from. */
static void
router_fingerprint(const struct lan_router *r,
                   const struct lan_tunnel_port *tunnels, size_t n_tunnels,
                   struct ds *fp)
{
    ds_clear(fp);
    FP_PUT(fp, r->segment_id);
    FP_PUT(fp, r->zone);
    flow_fp_put(fp, r->mac, 6);
    FP_PUT(fp, r->uplink.ip);
    FP_PUT(fp, r->uplink.plen);
    FP_PUT(fp, r->uplink.nexthop);
    FP_PUT(fp, r->here);
    FP_PUT(fp, r->ofport);
    FP_PUT(fp, r->remote.ip);
    FP_PUT(fp, r->remote.ofport);
    FP_PUT(fp, r->remote.relay);
    FP_PUT(fp, r->n_sources);
    flow_fp_put(fp, r->sources, r->n_sources * sizeof *r->sources);
    FP_PUT(fp, r->n_nets);
    for (size_t i = 0; i < r->n_nets; i++) {
        const struct lan_router_net *n = &r->nets[i];
        FP_PUT(fp, n->segment_id);
        FP_PUT(fp, n->net);
        FP_PUT(fp, n->plen);
        flow_fp_put(fp, n->gateway_mac, 6);
    }
    FP_PUT(fp, r->n_nats);
    for (size_t i = 0; i < r->n_nats; i++) {
        const struct lan_nat *n = &r->nats[i];
        FP_PUT(fp, n->object);
        FP_PUT(fp, n->nat.type);
        FP_PUT(fp, n->nat.has_external);
        FP_PUT(fp, n->nat.external);
        FP_PUT(fp, n->nat.logical);
        FP_PUT(fp, n->nat.logical_plen);
        FP_PUT(fp, n->nat.protocol);
        FP_PUT(fp, n->nat.external_port);
        FP_PUT(fp, n->nat.logical_port);
    }
    FP_PUT(fp, n_tunnels);
    for (size_t i = 0; i < n_tunnels; i++) {
        FP_PUT(fp, tunnels[i].ofport);
        FP_PUT(fp, tunnels[i].relay);
    }
}

char *
router_flows_generate_units(const struct lan_router *routers,
                            size_t n_routers,
                            const struct lan_tunnel_port *tunnels,
                            size_t n_tunnels, struct flow_units *units)
{
    struct ds fp = DS_EMPTY_INITIALIZER;
    char *error = NULL;

    for (size_t i = 0; i < n_routers; i++) {
        const struct lan_router *r = &routers[i];
        if (!r->here && !(r->remote.ofport > 0
                          && !(r->remote.relay && r->segment_id > 4094))) {
            continue;
        }
        router_fingerprint(r, tunnels, n_tunnels, &fp);
        struct flow_unit_key key = { .kind = ROUTER_UNIT, .a = r->object };
        struct flow_table *out = flow_units_open(units, &key, fp.string,
                                                 fp.length);
        if (!out) {
            continue;
        }
        if (r->here) {
            add_gateway(r, tunnels, n_tunnels, out, &error);
        } else {
            /* The uplink is on another switch: send it there. */
            struct ds actions = DS_EMPTY_INITIALIZER;
            lan_put_remote_output(&actions, r->segment_id, &r->remote);
            add(out, &error, vnet_cookie(VNET_F_ROUTER, r->object),
                "table=%d,priority=100,metadata=%"PRIu32",actions=%s",
                VNET_T_ROUTER, r->segment_id, ds_cstr(&actions));
            ds_destroy(&actions);
        }
    }
    ds_destroy(&fp);
    return error;
}

char *
router_flows_generate(const struct lan_router *routers, size_t n_routers,
                      const struct lan_tunnel_port *tunnels, size_t n_tunnels,
                      struct flow_table *out)
{
    struct flow_units *units = flow_units_create();
    flow_units_begin(units);
    char *error = router_flows_generate_units(routers, n_routers, tunnels,
                                              n_tunnels, units);
    flow_units_finish_into(units, out);
    return error;
}
