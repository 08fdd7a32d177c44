/* What flows/lan.c and flows/lan-l2.c share: the generators of a network's
 * L2 forwarding (lan-l2.c), which the units of lan.c fill. */
#ifndef VNET_LAN_PRIVATE_H
#define VNET_LAN_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/flow-table.h"
#include "flows/lan.h"

/* Addresses here are in host byte order, as flows/lan.h has them. */
#define HOST_IP_ARGS(IP) IP_ARGS(htonl(IP))

/* Every generator here adds many flows and keeps the first error. */
#define add flow_table_addf

struct ds;
struct flow_units;

/* The units of a network's flows (see flows/flow-units.h); 'a' of the key is
 * always the network's object. */
enum lan_unit {
    LAN_U_DEFAULTS = 1,
    LAN_U_PORT,                 /* b: the port's object. */
    LAN_U_GATEWAY,
    LAN_U_NEIGHBOR,             /* b: the neighbor's object. */
    LAN_U_REMOTE_PORT,          /* b: the remote port's object. */
    LAN_U_TUNNEL_IN,
    LAN_U_ROUTING,
    LAN_U_LEARN,
    LAN_U_FLOOD,
    LAN_U_PHYSNET,
    LAN_U_FOREIGN,              /* Not a network's: a=0. */
    LAN_U_TRUNK,                /* b: the trunk's OpenFlow port. */
};

/* A unit's fingerprint is built in a ds, cleared first by lan_fp_start();
 * lan_open_unit() opens the unit of that fingerprint
 * (flow_units_open()). */
#define FP_PUT FLOW_FP_PUT
void lan_fp_start(struct ds *fp);
struct flow_table *lan_open_unit(struct flow_units *, enum lan_unit kind,
                                 uint32_t a, uint32_t b, const struct ds *fp);
/* Puts what a network's flows take from 'r' into fingerprint 'fp'. */
void lan_fp_put_remote(struct ds *fp, const struct lan_remote *r);

/* Static L2 forwarding to port 'p' (with a fixed MAC) of 'net'. */
void add_port_l2(const struct lan_network *net, const struct lan_port *p,
                 struct flow_table *out, char **error);
/* What comes up trunk 'ofport' of 'net' from none of its endpoints. */
void add_trunk(const struct lan_network *net, int64_t ofport,
               struct flow_table *out, char **error);
/* What a network's flooding takes from its ports here: OpenFlow ports, each
 * list in order, each port once. */
struct lan_flood {
    int64_t *ports;             /* Of one endpoint each (not trunks). */
    size_t n_ports;
    int64_t *learners;          /* Of those, the ones without a fixed MAC. */
    size_t n_learners;
    int64_t *trunks;            /* The trunks. */
    size_t n_trunks;
};
void lan_flood_init(struct lan_flood *, const struct lan_network *);
void lan_flood_destroy(struct lan_flood *);
/* Sorts the 'n' OpenFlow ports of 'ports' and removes repeats and those not
 * above 0; returns how many are left. */
size_t lan_unique_ofports(int64_t *ports, size_t n);
/* Learning, for ports of 'net' without a fixed MAC. */
void add_learn(const struct lan_network *net, struct flow_table *out,
               char **error);
/* Table 0 for frames of 'net' from the physical LAN. */
void add_physnet_ingress(const struct lan_network *net,
                         struct flow_table *out, char **error);
/* Opens and fills the flood unit of 'net' (a network with ports here),
 * whose ports are 'flood' (its own), the fingerprint built in 'fp':
 * broadcast, multicast and unknown unicast. */
void lan_flood_unit(const struct lan_network *net,
                    const struct lan_flood *flood, struct flow_units *units,
                    struct ds *fp, char **error);

#endif /* flows/lan-private.h */
