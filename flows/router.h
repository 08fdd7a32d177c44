/* Flows for routers with an uplink: the way out, NAT with conntrack, and ARP
 * on the uplink (see flows/pipeline.h, tables 40 to 45).
 *
 * Input is plain data; output is added to a desired flow table.  No I/O. */
#ifndef VNET_ROUTER_H
#define VNET_ROUTER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/lan.h"
#include "ovsdb/nat.h"

#ifdef __cplusplus
extern "C" {
#endif

struct flow_table;

/* A network of the router. */
struct lan_router_net {
    uint32_t segment_id;
    uint32_t net;               /* Host byte order. */
    int plen;
    uint8_t gateway_mac[6];
};

/* A NAT rule, its external address resolved. */
struct lan_nat {
    uint32_t object;            /* Cookie object: the NAT row. */
    struct vnet_nat nat;        /* 'has_external' always true. */
};

struct lan_router {
    const char *name;
    uint32_t object;            /* Cookie object: the router's NB row. */
    uint32_t segment_id;        /* Its own segment (metadata, tunnel key). */
    uint16_t zone;              /* Conntrack zone for NAT; zone + 1 is the
                                 * hairpin zone. */
    uint8_t mac[6];             /* The uplink's MAC. */
    struct vnet_uplink uplink;

    /* The uplink is on this switch ('ofport'), or on another one, reached
     * through 'remote'. */
    bool here;
    int64_t ofport;
    struct lan_remote remote;

    /* If 'here': the tunnel IPs of the switches that may send to it. */
    const uint32_t *sources;
    size_t n_sources;

    const struct lan_router_net *nets;
    size_t n_nets;
    const struct lan_nat *nats;
    size_t n_nats;
};

/* How long an on-link neighbor learned on the uplink is kept unused, and the
 * next hop (refreshed by the controller's ARP requests), in seconds. */
#define ROUTER_NEIGHBOR_IDLE_TIMEOUT 300
#define ROUTER_NEXTHOP_IDLE_TIMEOUT 600

/* Opens the units (flows/flow-units.h) of 'routers' in 'units', one a
 * router, filling those whose input changed ('tunnels': the ports tunnel
 * traffic comes in on).  Returns NULL, or a malloc'd message if a flow could
 * not be built (a bug). */
struct flow_units;
char *router_flows_generate_units(const struct lan_router *routers,
                                  size_t n_routers,
                                  const struct lan_tunnel_port *tunnels,
                                  size_t n_tunnels, struct flow_units *units);

/* The same flows, all of them, added to 'out'. */
char *router_flows_generate(const struct lan_router *routers,
                            size_t n_routers,
                            const struct lan_tunnel_port *tunnels,
                            size_t n_tunnels, struct flow_table *out);

#ifdef __cplusplus
}
#endif

#endif /* flows/router.h */
