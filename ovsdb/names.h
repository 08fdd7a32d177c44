/* Names in ovs-vnet: which names the NB database accepts, and the names ovs-vnet
 * derives for what it creates on a switch.
 *
 * Everything here is pure (no I/O), shared by ovs-vnet-ctl and ovs-vnetd. */
#ifndef VNET_NAMES_H
#define VNET_NAMES_H 1

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Longest object name (switches, later networks and endpoints). */
#define VNET_NAME_MAX 63

/* Default integration bridge. */
#define VNET_DEFAULT_BRIDGE "br-vnet"

/* The bridge that carries a switch's tunnel IP (netdev datapath). */
#define VNET_PHY_BRIDGE "br-phy"

/* Names of the ports ovs-vnet makes itself: an endpoint's host end is
 * "vnet" and 8 hex digits, a relay tap "vnu" and 8 hex digits, a network's
 * trunk "vnt" and 8 hex digits. */
#define VNET_ENDPOINT_PORT_PREFIX "vnet"
#define VNET_RELAY_TAP_PREFIX "vnu"
#define VNET_TRUNK_PORT_PREFIX "vnt"
/* Whether 'name' is one ovs-vnet gives a network's trunk port. */
bool vnet_is_trunk_port_name(const char *name);
#define VNET_VXLAN_PORT "vnet_vxlan"
#define VNET_GENEVE_PORT "vnet_geneve"

/* VNet_Global options key: the key every UDP relay of the deployment
 * authenticates its datagrams with ("ovs-vnet-ctl init" makes one). */
#define VNET_RELAY_KEY "relay_key"

/* Switch options key "offload": the offload policy of the switch's
 * endpoints.  "auto" (the default): TX checksum offload and TSO on for the
 * endpoints whose traffic cannot leave the switch, where the switch's
 * userspace datapath runs with userspace TSO; "off": off on the userspace
 * datapath, as before. */
#define VNET_OFFLOAD_KEY "offload"
#define VNET_OFFLOAD_DEFAULT "auto"
bool vnet_offload_is_valid(const char *);

/* Network options key "endpoint_type": the kind an endpoint of the network
 * in a namespace gets when it names none ("" in the NB, no --type on the
 * command line): "netns" (a veth, the default), "trunk" or "internal". */
#define VNET_NETWORK_ENDPOINT_TYPE_KEY "endpoint_type"
#define VNET_NETWORK_ENDPOINT_TYPE_DEFAULT "netns"
bool vnet_network_endpoint_type_is_valid(const char *);

/* Marks on rows ovs-vnet creates in a switch's Open_vSwitch database. */
#define VNET_EXTID_OWNER "ovs-vnet-switch"   /* value: the NB switch name. */

/* Returns NULL if 'name' is a valid object name (1 to 63 of [A-Za-z0-9_.-],
 * starting with a letter or digit), otherwise a malloc'd message naming 'kind'
 * ("switch", ...) (caller frees). */
char *vnet_name_check(const char *kind, const char *name);

/* Returns NULL if 'name' can be a Linux network interface name (as the kernel's
 * dev_valid_name() decides: 1 to 15 bytes, not "." or "..", no '/', ':' or
 * white space), otherwise a malloc'd message (caller frees). */
char *vnet_ifname_check(const char *name);

/* Returns NULL if 'iface' can be a router's uplink on a switch whose
 * integration bridge is 'bridge' and whose underlay interface is 'underlay'
 * (NULL: none): a valid interface name that is none of the switch's own
 * ports (the bridge, the underlay bridge and interface, the ports ovs-vnet
 * makes).  Otherwise a malloc'd message (caller frees). */
char *vnet_uplink_iface_check(const char *iface, const char *bridge,
                              const char *underlay);

/* Derives a switch name from what the switch's Open_vSwitch table says of itself:
 * its system-id unless that is a random UUID, else its host name (up to the first
 * dot), else "sw-" and the first 8 digits of a UUID system-id.  Invalid characters
 * become '-'.  Either argument may be NULL or empty.  Returns a malloc'd name
 * (caller frees), or NULL if nothing usable was given. */
char *vnet_switch_default_name(const char *system_id, const char *hostname);

/* Returns the unix socket, in the switch's run directory 'rundir', on which
 * ovs-vnetd accepts the OpenFlow connection of 'bridge' (malloc'd; caller frees).
 * ovs-vswitchd only connects to unix sockets inside its own run directory.
 * There are two, 'alt' false or true: "BRIDGE.vnetd" and "BRIDGE.vnetd.1";
 * each ovs-vnetd that takes a switch over listens on the one the switch's
 * controller does not name yet, so that ovs-vswitchd connects at once rather
 * than on the next whole second of its reconnection backoff. */
char *vnet_of_socket_path(const char *rundir, const char *bridge, bool alt);

#ifdef __cplusplus
}
#endif

#endif /* ovsdb/names.h */
