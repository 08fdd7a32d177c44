/* Tunnels between the switches ovs-vnetd drives.
 *
 * A switch with an encapsulation IP talks to every other such switch.  A pair
 * uses the relay (encap "udp") if either side asks for it, otherwise the
 * receiving side's type: each switch has one flow-based port per tunnel type
 * it sends with (vnet_vxlan, vnet_geneve: remote_ip=flow, key=flow), so
 * switches come and go without any port changing.  Through the relay, each
 * peer has a tap of its own on the bridge (vnu + 8 hex digits of the peer's
 * NB row), created by one ovs-vnet-udptun process per switch, which this module
 * starts, restarts when it dies or when the peers change, and stops.  Since
 * ovs-vswitchd polls every tap, relay peers are only the switches this one has
 * traffic with: endpoints of the same networks, of networks on the same
 * routers, or those routers' uplinks.  On the userspace (netdev) datapath the
 * taps are ports of type "tap" that ovs-vswitchd makes and reads itself, and
 * the relay attaches to them; on the kernel (system) datapath, which only
 * takes in frames written into a tap by whoever holds it, the relay makes
 * them, persistent so that the ports stay while it restarts, and the switch
 * session deletes a tap once its port is gone.
 *
 * tunnel_plan_build() reads the NB database; the switch session adds the
 * plan's ports to the bridge and builds flows from it. */
#ifndef VNET_TUNNELS_H
#define VNET_TUNNELS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ovsdb/names.h"
#include "smap.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ds;
struct ovsdb_idl;
struct switch_db_port;
struct vswitchd_ask;

#define TUNNEL_VXLAN_PORT VNET_VXLAN_PORT
#define TUNNEL_GENEVE_PORT VNET_GENEVE_PORT
/* The UDP ports of the flow-based tunnel ports (Open vSwitch's defaults). */
#define TUNNEL_VXLAN_UDP_PORT 4789
#define TUNNEL_GENEVE_UDP_PORT 6081
#define TUNNEL_RELAY_UDP_PORT 7789
#define TUNNEL_RELAY_TAP_MTU 9216
/* Relay peers of one switch, at most (one tap each). */
#define TUNNEL_RELAY_MAX_PEERS 256

struct tunnel_peer {
    char *name;                 /* NB switch name. */
    uint32_t object;            /* First 32 bits of its NB row UUID. */
    uint32_t ip;                /* Its encap IP, host byte order. */
    bool relay;                 /* Through the UDP relay. */
    const char *port;           /* Our port towards it: TUNNEL_*_PORT or
                                 * 'tap'. */
    char *tap;                  /* Relay tap name, if 'relay'. */
    bool has_phy_mac;           /* Its tunnel IP is on an underlay bridge of
                                 * ours (netdev), whose MAC is 'phy_mac'. */
    uint8_t phy_mac[6];
    bool datapath_unknown;      /* It has an underlay but has not reported
                                 * its datapath type yet: whether it has
                                 * such a bridge is not known. */
};

struct tunnel_plan {
    bool enabled;               /* This switch has a valid encap IP. */
    uint32_t local_ip;          /* Host byte order. */
    char *error;                /* Why not enabled, if it should be. */
    struct tunnel_peer *peers;  /* In order of name. */
    size_t n_peers;
    bool vxlan, geneve;         /* Tunnel ports needed. */
    struct smap tunnel_options; /* Options of the flow-based ports. */
    char *relay_key;            /* The key of the relay's datagrams, if it
                                 * has peers. */
    char relay_key_id[9];       /* Its id (tools/udptun-wire.h). */
};

/* The MAC of the underlay bridge that carries tunnel IP 'ip' (host byte
 * order): 0e:76 and the IP, stable, so that other switches' neighbor entries
 * stay right when the bridge is recreated. */
void tunnel_phy_mac(uint32_t ip, uint8_t mac[6]);

/* Telling ovs-vswitchd the MACs of the peers' underlay bridges, on bridge
 * 'phy_bridge', so that the first packet to a peer is not dropped while OVS
 * asks for it: tunnel_seed_ask() adds the commands to 'ask' and returns how
 * many; tunnel_seed_judge() reads their answers, and returns 0, EAGAIN if
 * that ovs-vswitchd is starting and does not take the command yet, or
 * EINVAL if it refused one. */
size_t tunnel_seed_ask(const struct tunnel_plan *, const char *phy_bridge,
                       struct vswitchd_ask *);
int tunnel_seed_judge(const struct tunnel_plan *, const char *phy_bridge,
                      const struct vswitchd_ask *);

/* Asking ovs-vswitchd whether it has caught up with the tunnel IP on
 * 'phy_bridge': whether it takes the tunnel packets of 'plan' sent to its
 * own IP, and routes to every peer out of 'phy_bridge'.  It learns both from
 * the kernel's notifications, some time after the IP moved; until then it
 * sends to the kernel what arrives for that IP, and drops what it would send.
 * tunnel_check_wanted() says whether there is anything to ask (a tunnel goes
 * through the bridge); tunnel_check_ask() adds the questions to 'ask';
 * tunnel_check_judge() reads the answers, and returns 0, or EAGAIN with what
 * is missing appended to 'missing' if not yet. */
bool tunnel_check_wanted(const struct tunnel_plan *);
void tunnel_check_ask(const struct tunnel_plan *, struct vswitchd_ask *);
int tunnel_check_judge(const struct tunnel_plan *, const char *phy_bridge,
                       const struct vswitchd_ask *, struct ds *missing);

/* Whether 'show', the output of ovs-vswitchd's "tnl/ports/show -v", says
 * that it takes UDP packets to 'port' sent to 'ip' (host byte order). */
bool tunnel_ports_show_takes(const char *show, uint32_t ip, int port);

/* Whether 'lookup', the output of ovs-vswitchd's "ovs/route/lookup", goes
 * out of device 'dev'. */
bool tunnel_route_lookup_is_through(const char *lookup, const char *dev);

/* Builds the plan of switch 'self' from the NB database.  Relay peers need
 * 'relay_key' (ovs-vnetd's --relay-key, or the NB's VNet_Global
 * options:relay_key): without one, or with more than TUNNEL_RELAY_MAX_PEERS
 * of them, the plan has none and says why in 'error'. */
void tunnel_plan_build(struct tunnel_plan *, struct ovsdb_idl *nb,
                       const char *self, const char *relay_key);
void tunnel_plan_destroy(struct tunnel_plan *);

/* Moves 'src' into 'dst' (whose old contents must be destroyed first);
 * 'src' is left empty. */
void tunnel_plan_move(struct tunnel_plan *dst, struct tunnel_plan *src);

/* The peer named 'name', or NULL (a binary search). */
const struct tunnel_peer *tunnel_plan_find(const struct tunnel_plan *,
                                           const char *name);

/* Appends the plan's flow-based tunnel ports to 'ports' ('*n' entries, room
 * for two more). */
void tunnel_plan_add_ports(const struct tunnel_plan *,
                           struct switch_db_port *ports, size_t *n);

/* True if 'name' is a relay tap's name (vnu + 8 hex digits). */
bool tunnel_is_relay_tap(const char *name);

#ifdef __cplusplus
}
#endif

#endif /* controller/tunnels.h */
