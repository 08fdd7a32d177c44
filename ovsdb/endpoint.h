/* Endpoint rows: which ones ovs-vnetd makes a device for, and which switch
 * an endpoint is on.  Shared by ovs-vnet-ctl and ovs-vnetd. */
#ifndef VNET_ENDPOINT_H
#define VNET_ENDPOINT_H 1

#include <stdbool.h>

struct vnetrec_endpoint;

/* True if ovs-vnetd makes this endpoint's device on its switch (type
 * "netns": a namespace and a veth pair; "tap": a tap device on the switch's
 * host for a VM or a program to open); false for a logical port, which
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

#endif /* ovsdb/endpoint.h */
