/* Flows for virtual LANs on one bridge: port security, ARP responder, gateway
 * ICMP echo, MAC learning and L2 forwarding (see flows/pipeline.h).
 *
 * Input is plain data (networks, the ports bound on this bridge, the endpoints
 * known anywhere); output is a desired flow table.  No I/O. */
#ifndef VNET_LAN_H
#define VNET_LAN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct flow_table;

/* A port on this bridge that belongs to a network. */
struct lan_port {
    const char *name;           /* For comments and logs. */
    uint32_t object;            /* Cookie object: the endpoint's NB row. */
    int64_t ofport;
    bool has_mac;               /* Port security on the source MAC... */
    uint8_t mac[6];
    bool has_ip;                /* ...and on the source IPv4 address. */
    uint32_t ip;                /* Host byte order. */
    bool trunk;                 /* Reached through a trunk: 'ofport' is the
                                 * trunk's, which carries other endpoints of
                                 * the network too, told apart by their MACs
                                 * (which the trunk itself enforces); needs
                                 * 'has_mac'.  What goes to it leaves by that
                                 * port even when it came in by it. */
};

/* An endpoint with a known MAC and IP, on any switch: answered by the ARP
 * responder. */
struct lan_neighbor {
    uint32_t object;
    uint8_t mac[6];
    uint32_t ip;
};

/* Another switch that hosts ports of the network, reached through a tunnel. */
struct lan_remote {
    uint32_t object;            /* Cookie object: the switch's NB row. */
    uint32_t ip;                /* Its tunnel IP (host byte order). */
    int64_t ofport;             /* Our port towards it: the flow-based VXLAN
                                 * or Geneve port, or its relay tap. */
    bool relay;                 /* Through a relay tap: the segment travels
                                 * as an 802.1Q VID, not as a tunnel key. */
};

/* An endpoint on another switch: traffic to its MAC goes to 'remote'. */
struct lan_remote_port {
    uint32_t object;
    uint8_t mac[6];
    size_t remote;              /* Index in lan_network's 'remotes'. */
};

/* A port on which tunnel traffic arrives (for every network). */
struct lan_tunnel_port {
    int64_t ofport;
    bool relay;                 /* A relay tap (VLAN-tagged), else a tunnel. */
    uint32_t ip;                /* A relay tap's peer: its tunnel IP. */
};

/* Another network on the same router, reached by routing. */
struct lan_route {
    uint32_t object;            /* Cookie object: the router's NB row. */
    uint32_t segment_id;
    uint32_t net;               /* Its CIDR (host byte order). */
    int plen;
    uint8_t gateway_mac[6];
};

struct lan_network {
    const char *name;
    uint32_t object;            /* Cookie object: the network's NB row. */
    uint32_t segment_id;        /* Goes into metadata. */
    uint32_t gateway;           /* Host byte order. */
    uint8_t gateway_mac[6];
    int mac_limit;              /* Cap on learned MACs (0: none). */

    const struct lan_port *ports;
    size_t n_ports;
    const struct lan_neighbor *neighbors;
    size_t n_neighbors;
    const struct lan_remote *remotes;
    size_t n_remotes;
    const struct lan_remote_port *remote_ports;
    size_t n_remote_ports;

    /* On a physical network ("physnet"): the network shares an L2 segment
     * with a physical LAN, which this switch reaches through its port
     * 'physnet_ofport' (0: not here), untagged or as 802.1Q VLAN 'vlan' (0:
     * untagged).  Other switches' endpoints are reached through that LAN
     * (no remotes); what comes from it is flooded to local ports only and
     * skips the ARP responder, so no frame goes back to the LAN or is
     * answered twice; there is no gateway of ours. */
    bool physnet;
    int64_t physnet_ofport;
    int vlan;

    /* Routing.  'routes': the other networks of this network's router.
     * 'routed': the network is on a router, so its neighbors' MACs are
     * looked up for routed packets.  A network without ports here that is
     * 'routed' gets just what delivers routed packets (static L2, neighbors). */
    const struct lan_route *routes;
    size_t n_routes;
    bool routed;
    uint32_t router;            /* Cookie object: the router's NB row. */
    /* The segment of the router, if it has an uplink (else 0): the default
     * route goes there. */
    uint32_t uplink_segment;
    /* If 'use_sources', the tunnel IPs traffic of this network may come from
     * (the switches of every network on its router); else those of
     * 'remotes'. */
    bool use_sources;
    const uint32_t *sources;
    size_t n_sources;
    /* The same for the switches behind a relay tap (with 'use_sources'; else
     * the relay 'remotes'): a relay tap brings in only the networks its peer
     * may send into. */
    const uint32_t *relay_sources;
    size_t n_relay_sources;
};

/* Appends to 's' (after a comma, unless empty) the actions that send a packet
 * of segment 'segment_id' to 'remote'. */
struct ds;
void lan_put_remote_output(struct ds *s, uint32_t segment_id,
                           const struct lan_remote *remote);

/* Puts the 'n_remotes' of 'remotes' in order of their tunnel IPs (then
 * ports), and the indices in the 'n_remote_ports' of 'remote_ports' with
 * them: a network's flows do not depend on the order its remotes were found
 * in (the order of the NB's rows, which a growth of the IDL's maps
 * changes). */
void lan_remotes_sort(struct lan_remote *remotes, size_t n_remotes,
                      struct lan_remote_port *remote_ports,
                      size_t n_remote_ports);
/* Puts the 'n' IPs of 'ips' in order (for 'sources', 'relay_sources'). */
void lan_ips_sort(uint32_t *ips, size_t n);

/* Idle time after which a learned MAC is forgotten (seconds). */
#define LAN_LEARN_IDLE_TIMEOUT 300

/* Opens the unit of the ports that carry traffic of networks not here too
 * (tunnel ports, relay taps, router uplinks, physical networks' interfaces:
 * the 'n' OpenFlow ports of 'ofports', in any order, repeats allowed): what
 * no network's flow takes from them is dropped, where the packets of a port
 * without any flow go to ovs-vnetd (table 0's default).  Returns NULL, or a
 * malloc'd message if a flow could not be built (a bug). */
struct flow_units;
char *lan_flows_foreign_units(const int64_t *ofports, size_t n,
                              struct flow_units *units);

/* Opens the units (flows/flow-units.h) of the pipeline's table defaults and
 * of 'networks' in 'units', filling those whose input changed.  Returns
 * NULL, or a malloc'd message if a flow could not be built (a bug). */
struct flow_units;
char *lan_flows_generate_units(const struct lan_network *networks,
                               size_t n_networks,
                               const struct lan_tunnel_port *tunnels,
                               size_t n_tunnels, struct flow_units *units);

/* What the flows of a network's neighbours take from the network. */
struct lan_neighbor_net {
    uint32_t object;            /* The network's. */
    uint32_t segment_id;
    bool ports;                 /* It has ports here: ARP answers. */
    bool routed;                /* MACs for routed packets. */
};

/* Whether lan_flows_generate_units() makes units for the neighbours of
 * 'net'; if so, fills '*nn' with what they take from it. */
bool lan_network_neighbor_net(const struct lan_network *net,
                              struct lan_neighbor_net *nn);

/* Opens the unit of neighbour 'n' of the network 'nn' in 'units' (in a pass or
 * a patch) and fills it, as lan_flows_generate_units() does; or drops the unit
 * of the neighbour whose object is 'object'.  Returns NULL, or a malloc'd
 * message if a flow could not be built (a bug). */
char *lan_flows_neighbor_unit(const struct lan_neighbor_net *nn,
                              const struct lan_neighbor *n,
                              struct flow_units *units);
void lan_flows_neighbor_drop(const struct lan_neighbor_net *nn,
                             uint32_t object, struct flow_units *units);

/* Whether traffic of 'net' comes in by tunnel here (what a remote port's
 * unit takes, with 'net''s neighbour net). */
bool lan_network_tunnel_in(const struct lan_network *net);

/* The same as lan_flows_neighbor_unit() and lan_flows_neighbor_drop() for the
 * unit of remote port 'rp' (an endpoint on another switch), reached behind
 * 'remote' (its switch, NULL if none). */
char *lan_flows_remote_port_unit(const struct lan_neighbor_net *nn,
                                 bool tunnel_in,
                                 const struct lan_remote_port *rp,
                                 const struct lan_remote *remote,
                                 struct flow_units *units);
void lan_flows_remote_port_drop(const struct lan_neighbor_net *nn,
                                uint32_t object, struct flow_units *units);

/* The same for the unit of port 'p' here (of a network with ports here:
 * 'nn''s 'ports'), whose object is 'object'. */
char *lan_flows_port_unit(const struct lan_neighbor_net *nn,
                          const struct lan_port *p, struct flow_units *units);
void lan_flows_port_drop(const struct lan_neighbor_net *nn, uint32_t object,
                         struct flow_units *units);

/* What the flood unit of network 'net' (one with ports here) takes from
 * it, kept to make that unit again alone when a port of one endpoint joins
 * the network here (NULL for a network without ports here, which has no
 * such unit).  lan_flood_net_add_port() adds port 'p' (not a trunk's),
 * lan_flood_net_remove_port() removes it (of one endpoint that leaves);
 * lan_flows_flood_unit() opens the unit in 'units' (in a patch) and fills
 * it, as lan_flows_generate_units() does from the network with the same
 * ports.  Returns NULL or a malloc'd message (a bug). */
struct lan_flood_net;
struct lan_flood_net *lan_flood_net_create(const struct lan_network *net);
void lan_flood_net_destroy(struct lan_flood_net *);
void lan_flood_net_add_port(struct lan_flood_net *, const struct lan_port *p);
void lan_flood_net_remove_port(struct lan_flood_net *,
                               const struct lan_port *p);
/* How many ports the network has here (those behind a trunk each one). */
size_t lan_flood_net_n_ports(const struct lan_flood_net *);
char *lan_flows_flood_unit(const struct lan_flood_net *,
                           struct flow_units *units);

/* The same flows, all of them, added to 'out'. */
char *lan_flows_generate(const struct lan_network *networks, size_t n_networks,
                         const struct lan_tunnel_port *tunnels,
                         size_t n_tunnels, struct flow_table *out);

/* Generates the flows of 'networks' and returns them formatted by
 * flow_table_format() (malloc'd; caller frees).  On error returns NULL and a
 * message in '*error'. */
char *lan_flows_to_text(const struct lan_network *networks, size_t n_networks,
                        const struct lan_tunnel_port *tunnels, size_t n_tunnels,
                        char **error);

#ifdef __cplusplus
}
#endif

#endif /* flows/lan.h */
