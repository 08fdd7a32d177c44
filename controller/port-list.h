/* The port list: every port ovs-vnet wants on a switch's bridge.
 *
 * That is the namespace endpoints whose veth exists (from binding), the
 * uplinks of routers whose uplink is on this switch, the interfaces of the
 * physical networks mapped on it, the flow-based tunnel
 * ports and, for peers reached through the relay, one tap each.  On the
 * userspace datapath a relay tap is a port of type "tap" that ovs-vswitchd
 * makes and holds; on the kernel datapath the relay makes its taps itself,
 * and each becomes a plain port once it exists.  The list goes to the switch
 * database's reconcile (controller/switch-db). */
#ifndef VNET_PORT_LIST_H
#define VNET_PORT_LIST_H 1

#include <stdbool.h>
#include <stddef.h>

#include "smap.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdb_idl;
struct simap;
struct smap;
struct switch_db_port;
struct tunnel_plan;

/* What the step reads. */
struct port_list_ctx_in {
    struct ovsdb_idl *nb;       /* NB database, or NULL: no router uplinks. */
    const struct sset *bad_routers;     /* Routers left out (their uplinks
                                         * too), or NULL. */
    const char *switch_name;
    const char *bridge;         /* The integration bridge's name. */
    const char *underlay;       /* The underlay interface, or NULL. */
    const struct tunnel_plan *plan;
    /* Our ports without an endpoint that have an OpenFlow port, by name: a
     * relay tap among them exists. */
    const struct simap *ofports;
    int switch_netns_fd;        /* The switch's namespace, or -1 (unknown:
                                 * no relay tap is known to exist). */
    bool relay_owns_taps;       /* The relay makes its taps (kernel
                                 * datapath). */
    const struct sset *unplugged;       /* Relay taps left out for now, or
                                         * NULL. */
    const struct smap *physnets;        /* Physical network -> interface,
                                         * or NULL. */
    /* The endpoint ports whose veth exists. */
    const struct switch_db_port *ready;
    size_t n_ready;
};

/* What it writes. */
struct port_list_ctx_out {
    struct switch_db_port *ports;       /* Caller frees the array (the
                                         * strings belong to the inputs). */
    size_t n_ports;
    bool taps_exist;            /* Every relay tap exists. */
    /* Ports left out because their name is taken (by the switch itself or
     * by another port): name -> why.  Caller destroys. */
    struct smap conflicts;
};

void port_list_build(const struct port_list_ctx_in *,
                     struct port_list_ctx_out *);

#ifdef __cplusplus
}
#endif

#endif /* controller/port-list.h */
