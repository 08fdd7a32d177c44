/* Fills in what a client of the NB database left out of a row, as ovn-northd
 * allocates tunnel keys and dynamic addresses: a client that writes only what
 * a user decides (a network's name and CIDR; an endpoint's name, network and
 * switch, and if it likes its IP and MAC; a router's name and networks; a
 * NAT rule) gets a working object.
 *
 * - Network: a segment id (0), its gateway (""), the first host address, and
 *   the gateway's MAC ("").
 * - Router: a segment id (0) and a conntrack zone (0).
 * - Endpoint: its type (""): "netns" if it names a switch, else "external";
 *   for a namespace endpoint, its namespace (its name), IP and MAC, if absent.
 *
 * The values are those ovs-vnet-ctl picks (ovsdb/allocate.h).  Rows are
 * taken in name order, so that every ovs-vnetd sharing the NB picks the same
 * values; the caller makes the transaction verify and advance the NB's
 * nb_cfg, as ovs-vnet-ctl's do, so that concurrent allocations (ours or the
 * command line's) cannot both commit. */
#ifndef CONTROLLER_ALLOCATOR_H
#define CONTROLLER_ALLOCATOR_H 1

#include <stdbool.h>

#include "uuidset.h"

struct ovsdb_idl;

/* The endpoints that may lack what is filled in: those whose rows changed
 * since they were last looked at (nb_allocator_note()), and those that
 * could not be filled in (no free IP address, a network without a valid
 * CIDR or endpoint kind), looked at again at every allocation.  Every
 * endpoint is looked at again after a change that is not tracked (a new
 * connection's first reply).  Networks and routers are few: all are looked
 * at every time. */
struct nb_allocator {
    struct uuidset pending;     /* Endpoint rows to look at. */
    bool full;                  /* Every endpoint at the next allocation. */
    unsigned int idl_seqno;     /* The NB's, as last noted. */
};

void nb_allocator_init(struct nb_allocator *);
void nb_allocator_destroy(struct nb_allocator *);

/* Notes the NB's tracked changes: after every run of 'nb', before its
 * tracked changes are cleared, whether or not an allocation follows. */
void nb_allocator_note(struct nb_allocator *, struct ovsdb_idl *nb);

/* Writes the missing values into the transaction open on 'nb'.  Returns the
 * number of rows changed. */
unsigned int nb_allocate(struct nb_allocator *, struct ovsdb_idl *nb);

/* True if a row still lacks what nb_allocate() fills in (ovs-vnetd leaves
 * it out until then, without an error). */
struct vnetrec_network;
struct vnetrec_router;
struct vnetrec_endpoint;
bool nb_network_is_pending(const struct vnetrec_network *);
bool nb_router_is_pending(const struct vnetrec_router *);
bool nb_endpoint_is_pending(const struct vnetrec_endpoint *);

#endif /* controller/allocator.h */
