/* Endpoint rows: which ones ovs-vnetd makes a device for, and which switch
 * an endpoint is on; and the check of a network row as a whole.  Shared by
 * ovs-vnet-ctl and ovs-vnetd. */
#ifndef VNET_ENDPOINT_H
#define VNET_ENDPOINT_H 1

#include <stdbool.h>

struct vnet_cidr;
struct vnetrec_endpoint;
struct vnetrec_network;

/* True if ovs-vnetd makes this endpoint's device on its switch (type
 * "netns": a namespace and a veth pair; "internal": a namespace and an Open
 * vSwitch internal port moved into it; "tap": a tap device on the switch's
 * host for a VM or a program to open; "trunk": a namespace and a veth pair
 * behind its network's trunk port, see controller/vif.h); false for a
 * logical port, which
 * someone else plugs in ("external"), and for a row not filled in yet. */
bool vnet_endpoint_is_created(const struct vnetrec_endpoint *);

/* The name of the switch 'ep' is on: the one it is attached to, for a
 * device ovs-vnetd makes; where it is plugged in (its location), for a
 * logical port.  NULL if none. */
const char *vnet_endpoint_switch_name(const struct vnetrec_endpoint *);

/* The name of the device ovs-vnetd makes for 'ep' on its switch (a veth's
 * host end, or the tap), from its row: "vnet" and the first 8 hex digits of
 * its UUID, so that a renamed endpoint keeps its device.  Caller frees. */
char *vnet_endpoint_ifname(const struct vnetrec_endpoint *);

/* The same two names written into a buffer of VNET_PORT_NAME_SIZE bytes
 * (for a caller that names many at a time).  Return 'buf'. */
#define VNET_PORT_NAME_SIZE 16
char *vnet_endpoint_ifname_buf(const struct vnetrec_endpoint *,
                               char buf[VNET_PORT_NAME_SIZE]);
char *vnet_trunk_port_name_buf(const struct vnetrec_network *,
                               const char *switch_name,
                               char buf[VNET_PORT_NAME_SIZE]);

/* The port of network 'net''s trunk on switch 'switch_name': "vnt" and 8
 * hex digits of a hash of both (two switches may share a namespace).
 * Caller frees. */
char *vnet_trunk_port_name(const struct vnetrec_network *net,
                           const char *switch_name);

/* Checks network row 'net' (see vnet_network_check_physnet()): its name,
 * CIDR, physical network and gateway (empty: the first host address, or
 * none on a physical network).  Returns NULL and the parsed CIDR and gateway,
 * or a malloc'd message. */
char *vnet_network_row_check(const struct vnetrec_network *net,
                             struct vnet_cidr *cidrp, unsigned int *gatewayp);

#endif /* ovsdb/endpoint.h */
