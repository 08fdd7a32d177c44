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

/* Static L2 forwarding to port 'p' (with a fixed MAC) of 'net'. */
void add_port_l2(const struct lan_network *net, const struct lan_port *p,
                 struct flow_table *out, char **error);
/* What comes up trunk 'ofport' of 'net' from none of its endpoints. */
void add_trunk(const struct lan_network *net, int64_t ofport,
               struct flow_table *out, char **error);
/* The OpenFlow ports of 'net' that are trunks, each once, into 'trunks'
 * (room for every port); returns how many. */
size_t network_trunks(const struct lan_network *net, int64_t *trunks);
/* Learning, for ports of 'net' without a fixed MAC. */
void add_learn(const struct lan_network *net, struct flow_table *out,
               char **error);
/* Table 0 for frames of 'net' from the physical LAN. */
void add_physnet_ingress(const struct lan_network *net,
                         struct flow_table *out, char **error);
/* Broadcast, multicast and unknown unicast of 'net', with its 'n_trunks'
 * trunks. */
void add_flood(const struct lan_network *net, const int64_t *trunks,
               size_t n_trunks, struct flow_table *out, char **error);

#endif /* flows/lan-private.h */
