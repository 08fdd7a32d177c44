/* The tunnel IP of a netdev switch, on its underlay bridge.
 *
 * OVS's userspace tunnels need the tunnel IP on an OVS bridge that owns the
 * underlay interface (br-phy).  This moves the IP from the interface onto
 * br-phy once ovs-vswitchd made it (again when ovs-vswitchd restarts), gives
 * it back before the bridge goes, and tells ovs-vswitchd the MACs of the
 * peers' underlay bridges so that it need not ARP for them (and drop what
 * waits for the answer): whenever it or the peers change, and every minute,
 * since unused entries age out. */
#ifndef VNET_UNDERLAY_H
#define VNET_UNDERLAY_H 1

#include <stdbool.h>
#include <sys/types.h>

struct tunnel_plan;

/* The bridge that owns the underlay interface on netdev switches. */

struct underlay *underlay_create(const char *switch_name);
void underlay_destroy(struct underlay *);

/* The interface whose IP is on the underlay bridge now, or NULL. */
const char *underlay_get_iface(const struct underlay *);

/* Moves the IP of 'iface' onto the underlay bridge in the namespace
 * 'netns_fd' of ovs-vswitchd 'pid', and tells that ovs-vswitchd (through its
 * unixctl socket in 'rundir') the MACs of the peers of 'plan'. */
void underlay_run(struct underlay *, const char *iface, pid_t pid,
                  int netns_fd, const char *rundir,
                  const struct tunnel_plan *plan);

/* What ovs-vswitchd 'pid' still lacks for 'plan', or NULL if nothing: told
 * the MACs of every peer of 'plan' that has one (and whether each peer with
 * an underlay has one is known), and caught up with the tunnel IP on the
 * bridge (it takes the tunnel packets sent to it, and routes to every peer
 * out of the bridge).  Until then, the first packets to a new peer wait for
 * its ARP reply through the underlay, or are lost. */
const char *underlay_waiting_for(const struct underlay *, pid_t pid,
                                 const struct tunnel_plan *);

/* Takes note that the IP on the underlay bridge is that of 'iface', if the
 * bridge has an IP and 'iface' none (moved there by an earlier ovs-vnetd),
 * so that underlay_give_back() gives it back.  Moves nothing. */
void underlay_adopt(struct underlay *, const char *iface, pid_t pid,
                    int netns_fd);

/* Gives the IP back to its interface (before the bridge goes). */
void underlay_give_back(struct underlay *, pid_t pid, int netns_fd);

/* Makes the next underlay_run() look whether the tunnel IP it moved is still
 * on the underlay bridge, and put it back if not (the bridge may have been
 * deleted and made again).  The routes it had do not come back. */
void underlay_recheck(struct underlay *);

void underlay_wait(const struct underlay *);

#endif /* controller/underlay.h */
