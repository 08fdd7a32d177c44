/* Validation of NB rows, shared by ovs-vnet-ctl (before it writes) and ovs-vnetd
 * (against rows written by any other client).  Pure: no I/O. */
#ifndef VNET_VALIDATE_H
#define VNET_VALIDATE_H 1

#ifdef __cplusplus
extern "C" {
#endif

/* Default NB database socket, inside the OVS run directory. */
#define VNET_NB_SOCKET "vnet_nb.sock"

/* The MTU of a network's endpoints when its row sets none: 1500 less the
 * encapsulation overhead (50: VXLAN and Geneve over IPv4, and the relay's
 * header and VID), so that it fits any underlay of 1500 whether or not the
 * network spans switches now. */
#define VNET_DEFAULT_MTU 1450

/* The MTU of a network whose "mtu" column holds 'mtu' (0: not set). */
static inline int
vnet_network_mtu(long long int mtu)
{
    return mtu ? (int) mtu : VNET_DEFAULT_MTU;
}

/* Checks a Switch row's name, OVSDB remote and bridge name.  Returns NULL if they
 * are valid, otherwise a malloc'd message (caller frees). */
char *vnet_switch_check(const char *name, const char *remote, const char *bridge);

/* Checks a Network row: its name, CIDR and gateway (NULL or empty: the first
 * host address).  On success returns NULL and stores the parsed CIDR and
 * gateway (host byte order); otherwise returns a malloc'd message. */
struct vnet_cidr;
char *vnet_network_check(const char *name, const char *cidr, const char *gateway,
                         struct vnet_cidr *cidrp, unsigned int *gatewayp);

/* The same for a network on physical network 'physnet' (NULL: none, as
 * above), whose gateway, if any, is on the physical LAN: NULL or empty
 * 'gateway' means none (0). */
char *vnet_network_check_physnet(const char *name, const char *cidr,
                                 const char *gateway, const char *physnet,
                                 struct vnet_cidr *cidrp,
                                 unsigned int *gatewayp);

/* Checks a switch's mapping of physical network 'physnet' to its interface
 * 'iface' (besides the names the switch itself uses: see
 * vnet_uplink_iface_check()).  Returns NULL or a malloc'd message. */
char *vnet_physnet_mapping_check(const char *physnet, const char *iface);

/* Checks an Endpoint row's name, namespace name, IP and MAC (each of 'netns',
 * 'ip', 'mac' may be NULL) against its network's 'cidr' and 'gateway'.
 * Returns NULL or a malloc'd message. */
char *vnet_endpoint_check(const char *name, const char *netns, const char *ip,
                          const char *mac, const struct vnet_cidr *cidr,
                          unsigned int gateway);

/* Resolves a Switch row's datapath_type: "system" or "netdev" stay, and "auto"
 * (or empty) becomes "system" when the Open vSwitch kernel module is loaded
 * ('have_kernel_module'), else "netdev". */
const char *vnet_datapath_resolve(const char *datapath_type,
                                  int have_kernel_module);

#ifdef __cplusplus
}
#endif

#endif /* ovsdb/validate.h */
