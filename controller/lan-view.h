/* The LAN view of one switch: what the flows of its networks are made from.
 *
 * Built from the NB database each time the flows are computed: every network
 * as the flows need it (parsed CIDR, gateway, its ports on this switch, its
 * endpoints' addresses), the routers between networks, the endpoints on other
 * switches and the switches tunnel traffic may come from.  The switch session
 * adds the ports bound here; lan_view_networks() hands the result to the flow
 * generator (flows/lan.h). */
#ifndef VNET_LAN_VIEW_H
#define VNET_LAN_VIEW_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flows/lan.h"
#include "flows/router.h"
#include "openvswitch/shash.h"
#include "ovsdb/addr.h"
#include "smap.h"
#include "sset.h"

struct ovsdb_idl;
struct tunnel_plan;
struct vnetrec_endpoint;
struct vnetrec_network;
struct vnetrec_router;

/* An NB network as the flows need it. */
struct net_info {
    const struct vnetrec_network *row;
    struct vnet_cidr cidr;
    unsigned int gateway;
    uint8_t gateway_mac[6];
    struct lan_port *ports;
    size_t n_ports, allocated_ports;
    struct lan_neighbor *neighbors;
    size_t n_neighbors, allocated_neighbors;
    struct lan_remote *remotes;
    size_t n_remotes, allocated_remotes;
    struct lan_remote_port *remote_ports;
    size_t n_remote_ports, allocated_remote_ports;
    const struct vnetrec_router *router;        /* Or NULL. */
    bool uplink;                /* The router has a valid uplink. */
    struct lan_route *routes;
    size_t n_routes;
    bool relevant;              /* Ports here, or routed into from here. */
    uint32_t *sources;
    size_t n_sources;
    uint32_t *relay_sources;    /* The same, of the switches behind a relay
                                 * tap. */
    size_t n_relay_sources;
    const char *physnet_iface;  /* On a physical network: our interface to
                                 * its LAN (NULL: none here)... */
    int64_t physnet_ofport;     /* ...and its OpenFlow port (0: none). */
};

struct simap;

struct lan_view {
    struct shash nets;          /* Network name -> struct net_info. */
    struct sset bad_routers;    /* Routers left out (lan_view_check()). */
    struct sset accepted;       /* "network NAME", "router NAME": rows that
                                 * lan_view_check() kept. */
    struct smap errors;         /* Rows left out, for the switch's status:
                                 * "network_error:NAME" or
                                 * "router_error:NAME" -> why (not logged
                                 * here: the caller logs what is new). */
    struct lan_router *routers; /* Routers with an uplink that matter here. */
    size_t n_routers;
    /* Whether an endpoint's row is valid and its addresses are its own (the
     * binding's verdict); only those are reached on other switches.  If so,
     * sets '*host' to the switch it is on if another one (NULL: none or
     * this one) and its MAC ('*has_mac', 'mac'), as binding found them.
     * NULL: all, as their rows say. */
    bool (*endpoint_ok)(const struct vnetrec_endpoint *, const void *aux,
                        const char **host, bool *has_mac, uint8_t mac[6]);
    const void *endpoint_ok_aux;
};

void lan_view_init(struct lan_view *);
void lan_view_destroy(struct lan_view *);

/* Checks the rules that span rows, which any client may have broken: a
 * network's MTU is at least 68; a router's
 * segment id is no network's or other router's, its conntrack zone even,
 * above 0 and its own, its networks on no other router and not
 * overlapping; no two networks or two routers have row UUIDs that begin
 * alike.  Of two rows that clash, the one kept before ('before': the
 * 'accepted' of an earlier view; if NULL, any row without an error in the
 * switches' status, as an earlier process wrote it), else the first by name,
 * keeps what they share: a row written later never takes it from one in
 * use, not even across a restart.  The other is left out of the view, with
 * the reason in 'errors'.  Call first. */
void lan_view_check(struct lan_view *, struct ovsdb_idl *nb,
                    const struct sset *before);

/* The view of network 'row' (validated once), or NULL if its row is
 * invalid. */
struct net_info *lan_view_network(struct lan_view *,
                                  const struct vnetrec_network *row);

/* Parses an endpoint's IP and MAC (validated against its network).  Returns
 * an error message (caller frees) or NULL. */
char *lan_view_endpoint_addresses(const struct vnetrec_endpoint *,
                                  const struct net_info *, bool *has_ip,
                                  uint32_t *ip, bool *has_mac, uint8_t mac[6]);

/* Routers: each network on one routes to the router's other networks; those
 * matter here if any network of the router has ports here, or its uplink is
 * on switch 'self'.  Call after the ports bound here were added. */
void lan_view_add_routers(struct lan_view *, struct ovsdb_idl *nb,
                          const char *self);

/* Networks on physical networks that have ports here: their interfaces to
 * the LAN, from this switch's mapping 'physnets' (physical network ->
 * interface; it must outlive the view).  One whose physical network is not
 * mapped here reaches its local ports only: its error goes into 'errors'
 * ("physnet_error:NAME").  Call after the ports bound here were added. */
void lan_view_add_physnets(struct lan_view *, const struct smap *physnets);

/* Their OpenFlow ports, from 'ofports' (as lan_view_add_remotes() has it). */
void lan_view_add_physnet_ports(struct lan_view *, const struct simap *ofports);

/* Endpoints on other switches, for the networks that matter here, and the
 * switches routed traffic may come from.  'ofports' maps the names of our
 * ports that carry no endpoint (tunnel ports, relay taps, uplinks) to their
 * OpenFlow ports. */
void lan_view_add_remotes(struct lan_view *, struct ovsdb_idl *nb,
                          const struct tunnel_plan *,
                          const struct simap *ofports);

/* Routers with a valid uplink whose networks matter here, into
 * view->routers: their uplink here (its port found in 'ofports'), or on
 * another switch of 'plan'.  Call after lan_view_add_remotes(). */
void lan_view_add_uplinks(struct lan_view *, struct ovsdb_idl *nb,
                          const char *self, const struct tunnel_plan *,
                          const struct simap *ofports);

/* Puts each network's remotes and tunnel sources in order (see
 * lan_remotes_sort()): the flows do not follow the order of the NB's rows.
 * Call after everything was added. */
void lan_view_sort_tunnels(struct lan_view *);

/* Whether 'router' has a valid uplink; if so, its parsed address. */
bool lan_view_router_uplink(const struct vnetrec_router *,
                            struct vnet_uplink *);

/* The networks that matter here, in name order, for the flow generator
 * (caller frees the array; it points into the view). */
struct lan_network *lan_view_networks(const struct lan_view *, size_t *n);

/* Whether the flow generator makes units for the neighbours (and remote
 * ports) of network 'ni' of the view; if so, fills '*nn' with what they
 * take from it, and '*tunnel_in' with lan_network_tunnel_in(). */
bool lan_view_neighbor_net(const struct net_info *ni,
                           struct lan_neighbor_net *nn, bool *tunnel_in);

#endif /* controller/lan-view.h */
