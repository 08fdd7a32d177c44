/* Addresses and links of a switch's interfaces (controller/vif-addr.c). */
#ifndef CONTROLLER_VIF_ADDR_H
#define CONTROLLER_VIF_ADDR_H 1

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Underlay addresses.
 *
 * OVS's userspace datapath sends tunnel packets only from an address on one
 * of its bridges' internal ports (the bridge that also has the physical
 * underlay interface as a port), routing and resolving next hops by the
 * kernel's routes in the namespace of its ovs-vswitchd.  These move the
 * underlay address there.  Creating the bridge and its ports is up to the
 * caller.  As above, 'netns_fd' is the namespace of the interfaces (-1: the
 * caller's own) and addresses are in network byte order. */

/* Finds the first IPv4 address of interface 'ifname' in namespace 'netns_fd'
 * (-1: own), a primary one if there is any.  Returns 0 and fills *ip, *plen;
 * ENOENT if the interface has no IPv4 address; ENODEV if there is no such
 * interface. */
int vif_addr_get(int netns_fd, const char *ifname, uint32_t *ip, int *plen);

/* Makes 'ip/plen' live on interface 'to' instead of 'from' (both in
 * 'netns_fd'): sets 'to' up, adds the address to 'to' (if missing), removes
 * it from 'from' (if present; 'from' stays up, and is brought up if it was
 * down), and moves any IPv4 routes with a gateway that went out of 'from'
 * (e.g. a default route) to 'to'.  Idempotent: 0 if already so.  'from' may be
 * NULL (then only ensure 'to' has it and is up).
 *
 * The address goes on 'to' with its subnet's broadcast address (as with
 * "ip address add ... brd +"); an equal address already there, with or
 * without one, is left as it is.
 *
 * In this order: 'to' up, address added to 'to', routes moved, address
 * removed from 'from', so that nothing is lost if it stops half-way; calling
 * it again completes the move.  The routes moved are those, in any table,
 * with a next hop through 'from' via a gateway inside 'ip/plen' or marked
 * "onlink"; each keeps its table, destination, metric, protocol, scope,
 * preferred source and metrics.  Routes through 'from' via gateways in other
 * subnets of 'from' stay, as do routes without a gateway (those go away with
 * the last IPv4 address of 'from', as the kernel flushes them).  'from' keeps
 * its other addresses, other than ones with the same 'ip' and another prefix
 * length, which are removed too.  Other addresses of 'to' are left alone.
 *
 * ENODEV if either interface does not exist; EINVAL if 'from' and 'to' are
 * the same name, 'ip' is 0 or 'plen' is out of range. */
int vif_addr_move(int netns_fd, const char *from, const char *to,
                  uint32_t ip, int plen);

/* Sets the MTU of 'ifname' in 'netns_fd' (0: leave it) and brings it up.
 * Sends nothing if it is already so. */
int vif_link_up(int netns_fd, const char *ifname, int mtu);

/* Makes the kernel answer ARP requests arriving on 'ifname' in 'netns_fd'
 * only for addresses of 'ifname' itself ('on': arp_ignore 1), or for any of
 * the namespace's (arp_ignore 0, the kernel's default).  Sends nothing if it
 * is already so. */
int vif_link_arp_ignore(int netns_fd, const char *ifname, bool on);

/* True if 'ifname' exists in 'netns_fd'. */
bool vif_link_exists(int netns_fd, const char *ifname);
/* Sets 'ifname' in 'netns_fd' up if it is down (not IFF_UP), and says in
 * '*was_down' whether it was.  Returns 0 or an errno value (ENODEV and the
 * like if there is no such link). */
int vif_link_ensure_up(int netns_fd, const char *ifname, bool *was_down);

#ifdef __cplusplus
}
#endif

#endif /* controller/vif-addr.h */
