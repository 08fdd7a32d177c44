/* The OpenFlow pipeline of ovs-vnet: table layout, registers and cookies.
 *
 * Every bridge ovs-vnet drives runs the same small pipeline (no NORMAL action):
 *
 *   table 0  ingress    Which network a packet belongs to, from its in_port;
 *                       port security: from an endpoint with a known MAC and IP
 *                       only frames with that source MAC, IPv4 source and ARP
 *                       sender pass.  Everything else is dropped, but for
 *                       the packets of a port without any flow yet: those go
 *                       to ovs-vnetd, which sends them back once the port's
 *                       flows are in (or drops them after 2 s).
 *   table 10 arp        ARP responder for the gateway and for known endpoints;
 *                       the gateway answers ICMP echo.  The rest goes on.
 *   table 20 learn      learn() of source MACs from ports without a fixed MAC,
 *                       capped per network.
 *   table 22 route      IPv4 sent to the gateway of a network on a router, for
 *                       another network of that router: TTL decremented,
 *                       source MAC the other network's gateway, metadata its
 *                       segment.  Routing happens on the sending switch.
 *   table 24 neighbor   The routed packet's destination MAC, from the NB.
 *   table 30 l2         Static forwarding to known endpoint MACs, learned MACs,
 *                       then flooding to the network's ports (broadcast,
 *                       multicast, unknown unicast).
 *   table 31 flood      A network with many ports on one switch floods in
 *                       parts, each a flow of its own (OpenFlow messages stop
 *                       at 64 KiB): table 30 resubmits here once per part,
 *                       with reg7 = the part's number.
 *
 * A router with an uplink has a segment of its own: its networks' default
 * route (table 22) sets metadata to it and goes to table 40.  All of its NAT
 * happens on the switch of its uplink; other switches send such packets there
 * through a tunnel, with the router's segment as the key.
 *
 *   table 40 router     On another switch: to the uplink's switch.  Here:
 *                       packets to a NAT address from inside (hairpin) go
 *                       through the hairpin zone first, then everything
 *                       through the router's NAT zone, ct(nat).
 *   table 41 unhairpin  After the hairpin zone: into the NAT zone.
 *   table 42 nat        New connections: dnat and fip commit ct(nat(dst)),
 *                       snat and fip from inside commit ct(nat(src)); the
 *                       outside opens nothing else; the uplink address
 *                       answers ping.
 *   table 43 lr-route   To a network of the router (hairpin gets ct(nat(src))
 *                       in the hairpin zone first), or out of the uplink.
 *   table 44 uplink-nb  The next hop's (or an on-link host's) MAC, learned
 *                       from ARP on the uplink.
 *   table 45 uplink-arp ARP on the uplink: answered for the router's external
 *                       addresses, learned into table 44.
 *
 * metadata carries the network's segment id from table 0 on, so networks stay
 * apart even when their CIDRs overlap.  reg6 = 1 marks packets from a port
 * without a fixed MAC (those are learned).  reg5 = 1 marks packets that came
 * from another switch (through a tunnel or a relay tap): they skip the ARP
 * responder and are never flooded back to other switches (split horizon).
 * reg4 = 1 marks packets that came in from a router's uplink.
 *
 * Between switches, the segment id is the tunnel key (VXLAN VNI, Geneve VNI);
 * through a UDP relay tap it travels as the 802.1Q VID (1-4094).
 *
 * Cookies name the owner of every flow: 0x76 ("v") in bits 63-56 marks ovs-vnet's
 * flows, bits 55-48 the feature that made it, bits 31-0 the first 32 bits of the
 * UUID of the NB row behind it (network or endpoint), so `ovs-ofctl dump-flows`
 * and `ovs-vnet-ctl flows` can say which object caused a flow. */
#ifndef VNET_PIPELINE_H
#define VNET_PIPELINE_H 1

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vnet_table {
    VNET_T_INGRESS = 0,
    VNET_T_ARP = 10,
    VNET_T_LEARN = 20,
    VNET_T_ROUTE = 22,
    VNET_T_NEIGHBOR = 24,
    VNET_T_L2 = 30,
    VNET_T_FLOOD = 31,
    VNET_T_ROUTER = 40,
    VNET_T_UNHAIRPIN = 41,
    VNET_T_NAT = 42,
    VNET_T_LR_ROUTE = 43,
    VNET_T_UPLINK_NEIGHBOR = 44,
    VNET_T_UPLINK_ARP = 45,
};

/* Tables must stay in order and within OpenFlow's 0-254. */
_Static_assert(VNET_T_INGRESS < VNET_T_ARP && VNET_T_ARP < VNET_T_LEARN
               && VNET_T_LEARN < VNET_T_ROUTE
               && VNET_T_ROUTE < VNET_T_NEIGHBOR
               && VNET_T_NEIGHBOR < VNET_T_L2 && VNET_T_L2 < VNET_T_FLOOD
               && VNET_T_FLOOD < VNET_T_ROUTER
               && VNET_T_ROUTER < VNET_T_UNHAIRPIN
               && VNET_T_UNHAIRPIN < VNET_T_NAT && VNET_T_NAT < VNET_T_LR_ROUTE
               && VNET_T_LR_ROUTE < VNET_T_UPLINK_NEIGHBOR
               && VNET_T_UPLINK_NEIGHBOR < 255 && VNET_T_UPLINK_ARP < 255,
               "pipeline tables out of order (goto_table only goes forward)");

#define VNET_REG_UNSECURED "reg6"
#define VNET_REG_TUNNEL "reg5"
#define VNET_REG_OUTSIDE "reg4"
#define VNET_REG_FLOOD_PART "reg7"

/* Ports per flood flow: a flow of this many outputs stays far below
 * OpenFlow's 64 KiB per message (16 bytes an output). */
#define VNET_FLOOD_PART_PORTS 1000

enum vnet_feature {
    VNET_F_PIPELINE = 1,        /* Table defaults. */
    VNET_F_PORT_SECURITY = 2,   /* Table 0, per endpoint. */
    VNET_F_ARP = 3,             /* ARP responder. */
    VNET_F_GATEWAY = 4,         /* Gateway ARP and ICMP echo. */
    VNET_F_LEARN = 5,           /* The learn() flow of a network. */
    VNET_F_LEARNED = 6,         /* Flows learn() made: the switch's own. */
    VNET_F_L2 = 7,              /* Static L2 forwarding. */
    VNET_F_FLOOD = 8,           /* Flooding within a network. */
    VNET_F_TUNNEL = 9,          /* Traffic from other switches. */
    VNET_F_ROUTE = 10,          /* Routing between a router's networks. */
    VNET_F_NEIGHBOR = 11,       /* Destination MACs of routed packets. */
    VNET_F_UPLINK = 12,         /* A router's uplink: ARP, next hop. */
    VNET_F_NAT = 13,            /* A NAT rule (object: the NAT row). */
    VNET_F_ROUTER = 14,         /* A router's pipeline (tables 40-43). */
    VNET_F_PHYSNET = 15,        /* A network's physical LAN: table 0. */
    VNET_F_FOREIGN = 16,        /* Table 0: the rest of what comes in
                                 * through a tunnel, relay tap, uplink or
                                 * physical network's interface. */
    VNET_F_MAX
};

#define VNET_COOKIE_MAGIC 0x76u

static inline uint64_t
vnet_cookie(enum vnet_feature feature, uint32_t object)
{
    return ((uint64_t) VNET_COOKIE_MAGIC << 56)
           | ((uint64_t) feature << 48) | object;
}

#define VNET_COOKIE_MASK_OURS (UINT64_C(0xff) << 56)

static inline bool
vnet_cookie_is_ours(uint64_t cookie)
{
    return (cookie >> 56) == VNET_COOKIE_MAGIC;
}

static inline enum vnet_feature
vnet_cookie_feature(uint64_t cookie)
{
    return (enum vnet_feature) ((cookie >> 48) & 0xff);
}

static inline uint32_t
vnet_cookie_object(uint64_t cookie)
{
    return (uint32_t) cookie;
}

/* "ingress", "arp", ... (as above), or NULL for a table not in the
 * pipeline. */
const char *vnet_table_name(int table);

/* "port-security", "arp", ... or "unknown". */
const char *vnet_feature_name(enum vnet_feature);

#ifdef __cplusplus
}
#endif

#endif /* flows/pipeline.h */
