/* Endpoint interfaces: a network namespace with one veth pair into it.
 *
 * An endpoint lives in a network namespace of its own, named the way iproute2
 * names them (a bind mount under /run/netns, so "ip netns exec NAME" works).
 * Its interface is one end of a veth pair, created directly in the endpoint's
 * namespace under its final name (usually "eth0") and given a MAC, an IPv4
 * address, an MTU and a default route; TX checksum offload is turned off on it
 * where OVS's userspace datapath takes its packets, because that does not
 * complete partial checksums, and left on for the kernel datapath.  The
 * other end, the "host end", stays up without an address (not even an IPv6
 * link-local one, so that it sends nothing of its own into the switch) in the
 * namespace where the switch's ovs-vswitchd runs, which need not be ours;
 * adding it to a bridge is up to the caller.
 *
 * Ownership: the caller owns the namespace names and the host-end names.  This
 * module owns everything inside an endpoint namespace that it configures: when
 * it repairs an endpoint it removes other IPv4 addresses from the namespace
 * end and replaces a stale interface of the same name.  Deleting the host end
 * deletes the whole pair; deleting the namespace deletes everything in it.
 *
 * Every function here runs in the calling thread and may switch that thread's
 * network namespace with setns() while it works, but always returns it to the
 * namespace it was in before returning (if even that fails, the process
 * aborts rather than go on in the wrong namespace).  They need CAP_SYS_ADMIN
 * (setns, unshare, mount) and CAP_NET_ADMIN in the namespaces involved.
 * Namespace mounts are made in the caller's mount namespace; "ip netns" in
 * another mount namespace sees them only if that one shares /run/netns.
 *
 * Errors are reported as 0 or a positive errno value. */
#ifndef VNET_VIF_H
#define VNET_VIF_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "sset.h"

#ifdef __cplusplus
extern "C" {
#endif

struct vif_config {
    const char *netns;          /* Endpoint namespace, under /run/netns. */
    const char *host_ifname;    /* Host-side veth name (1..15 chars). */
    const char *ns_ifname;      /* Name inside the namespace, e.g. "eth0". */
    uint8_t mac[6];             /* MAC of the namespace end. */
    uint32_t ip;                /* IPv4 address of the namespace end, network
                                 * byte order; 0: no address. */
    int plen;                   /* Prefix length, 0..32. */
    uint32_t gateway;           /* Default route via this (network order),
                                 * which must be inside ip/plen; 0: no default
                                 * route is added (an existing one is left
                                 * alone). */
    int mtu;                    /* MTU of both ends; 0: leave the default. */
    bool tx_csum;               /* TX checksum offload (and with it TSO) of
                                 * the namespace end: on for the kernel
                                 * datapath; off for the userspace one, which
                                 * does not complete partial checksums. */
    bool foreign_netns;         /* The namespace is not ovs-vnet's: what it
                                 * has stays.  An interface named ns_ifname
                                 * that is not the peer of our host end is an
                                 * error (EBUSY), not a stale one to replace,
                                 * and a default route it has is kept. */
    bool may_move;              /* vif_internal_ensure(): the switch has
                                 * opened the device, it may be moved. */
};

/* Opens the network namespace of process 'pid' (pid 0: the calling thread's
 * own) and returns an fd in *fdp (-1 on error).  Caller closes it. */
int vif_open_netns_of_pid(pid_t pid, int *fdp);

/* Creates network namespace 'name' as "ip netns add" does: /run/netns (made a
 * shared mount point first, bind-mounting it onto itself if needed), an empty
 * file /run/netns/NAME, a new namespace bind-mounted on it.  Brings its "lo"
 * up.  Returns 0 if it already exists (and still brings lo up); a leftover
 * file with no namespace mounted on it is reused. */
int vif_netns_add(const char *name);

/* Removes namespace 'name' as "ip netns delete" does (lazy unmount, then
 * unlink).  Returns 0 if it does not exist.  The namespace itself, and the
 * interfaces in it, go away once no process or fd uses it any more. */
int vif_netns_del(const char *name);

/* True if /run/netns/NAME exists with a network namespace mounted on it. */
bool vif_netns_exists(const char *name);

/* The named namespaces deleted, as it happens (their names leave
 * /run/netns).  vif_netns_watch_open() returns 0 or an errno value (ENOENT:
 * no namespace was ever made).  vif_netns_watch_run() adds the names
 * deleted since the last call to 'gone' and returns true if notices were
 * lost (any may have gone). */
struct vif_netns_watch;
int vif_netns_watch_open(struct vif_netns_watch **);
void vif_netns_watch_close(struct vif_netns_watch *);
bool vif_netns_watch_run(struct vif_netns_watch *, struct sset *gone);
void vif_netns_watch_wait(const struct vif_netns_watch *);

/* Creates the veth pair for 'cfg': host end 'host_ifname' in the namespace
 * 'host_netns_fd' (-1: the caller's own namespace), set up with no address
 * (IPv6 address generation off); the peer is created directly in namespace
 * cfg->netns (which must exist: ENOENT otherwise) as cfg->ns_ifname, with MAC,
 * IP/plen, MTU, up, TX checksum offload as cfg->tx_csum, default route via
 * the gateway;
 * "lo" there is brought up too.
 *
 * Idempotent and self-repairing: if the host end exists with its peer in
 * place, only the configuration of both ends is (re)applied, adding what is
 * missing.  If the host end exists but its peer is gone or elsewhere, it is
 * deleted and the pair recreated; a stale cfg->ns_ifname in the endpoint
 * namespace is deleted as well.  A host-side link with that name that is not a
 * veth is never touched: EEXIST. */
int vif_create(const struct vif_config *cfg, int host_netns_fd);
/* The same, through 'host' (open in 'host_netns_fd'; its AF_INET socket is
 * not needed), and on success with the host end's link in '*host_linkp' as
 * found before its configuration (its index and alias are as they are; the
 * caller puts it): one look-up of it instead of three, and no sockets to
 * open where it goes.  (A look-up of a veth's link costs the kernel a walk
 * of every namespace id its namespace holds: behind a trunk, one per
 * endpoint.) */
struct rtnl_link;
struct vif_socks;
int vif_create_with(const struct vif_config *cfg, int host_netns_fd,
                    const struct vif_socks *host,
                    struct rtnl_link **host_linkp);

/* Deletes host end 'host_ifname' in namespace 'host_netns_fd' (-1: own); the
 * kernel removes its peer.  Returns 0 if it does not exist (or is not a veth,
 * which is left alone). */
int vif_delete(const char *host_ifname, int host_netns_fd);

/* Adds to 'names' the names of the links of kind 'kind' ("veth", "tun", ...)
 * in namespace 'netns_fd' (-1: own).  Returns 0 or an errno value. */
struct sset;
int vif_list_links(int netns_fd, const char *kind, struct sset *names);

/* Deletes tap device 'ifname' in namespace 'netns_fd' (-1: own), a persistent
 * one whose owner let go of it.  Returns 0 if it does not exist (or is not a
 * tap, which is left alone). */
int vif_tap_delete(int netns_fd, const char *ifname);

/* Makes a persistent tap device 'ifname' in namespace 'netns_fd' (-1: own),
 * as "ip tuntap add mode tap" does, that the user 'uid' and group 'gid' (-1:
 * any) may open: a VM's or another program's interface, through which it
 * reads and writes Ethernet frames.  Brings it up with MTU 'mtu' (0: the
 * default) and without an IPv6 link-local address (the switch's side sends
 * nothing of its own).  A tap of that name is adopted as it is (a program
 * may have it open); a link of another kind is EEXIST. */
int vif_tap_ensure(int netns_fd, const char *ifname, int mtu, long int uid,
                   long int gid);

/* True if tap device 'ifname' exists in 'netns_fd', up, with MTU 'mtu' (0:
 * any). */
bool vif_tap_is_configured(int netns_fd, const char *ifname, int mtu);

/* An Open vSwitch internal port as an endpoint's interface: the switch makes
 * the device 'cfg->host_ifname' in 'host_netns_fd' (where its ovs-vswitchd
 * runs) once the port is on a bridge; this moves it into namespace
 * cfg->netns (which must exist), keeping its name (the switch knows its port
 * by it), and configures it there as vif_create() configures a veth's
 * namespace end (cfg->ns_ifname must be cfg->host_ifname).  A device of that
 * name found in both namespaces is the switch's new one (ovs-vswitchd made
 * it again): the one in the endpoint's namespace is deleted first.
 * Idempotent.  EAGAIN: the device exists in neither namespace (the port is
 * not there yet, or its device went with a deleted namespace), or it is
 * still where the switch made it and cfg->may_move is false. */
int vif_internal_ensure(const struct vif_config *cfg, int host_netns_fd);

/* True if the internal port's device exists in 'host_netns_fd' or in
 * namespace cfg->netns. */
bool vif_internal_exists(const struct vif_config *cfg, int host_netns_fd);

/* Moves device 'ifname' (an internal port's: not a veth) from namespace
 * 'netns' back into 'host_netns_fd', if it is there, so that it does not go
 * with the namespace.  Returns 0 or an errno value. */
int vif_internal_release(const char *netns, const char *ifname,
                         int host_netns_fd);

/* True if the internal port's device is in namespace cfg->netns, up, with
 * cfg->ip/plen, and none of that name is in 'host_netns_fd'. */
bool vif_internal_is_configured(const struct vif_config *cfg,
                                int host_netns_fd);

/* Trunks: endpoints of one network that share one port of the switch and
 * still each have a device of their own.  The switch's port is a veth whose
 * other end ("trunk") is in a namespace of its own, the trunk's, with no
 * address.  Each endpoint is a veth as vif_create() makes it, whose host end
 * is in the trunk's namespace instead of the switch's.  There, u32 filters
 * with mirred actions (tc's clsact hooks) pass up the trunk only what comes
 * from the endpoint's device with the endpoint's own source MAC, hand it down
 * what the switch sends to its MAC and a copy of every broadcast, and drop
 * its own frames when they come back down (a broadcast it sent, which the
 * switch floods back into the trunk).  The endpoint cannot reach the trunk's
 * namespace to change any of that, so its MAC says who it is as surely as a
 * port of its own would.  What no filter takes dies in the trunk's namespace,
 * which forwards nothing.
 *
 * vif_trunk_ensure() makes the trunk's namespace and the port's veth pair,
 * the switch's end 'host_ifname' in 'host_netns_fd' (idempotent, as
 * vif_create()); 'mac' is the trunk end's.  vif_trunk_delete() removes
 * both, and with the namespace every endpoint's device in it.
 *
 * vif_trunk_open() reads what a trunk made by vif_trunk_ensure() has: the
 * filters of endpoints whose devices are there are adopted, the others
 * (their device gone) removed.  Then vif_trunk_attach() makes the endpoint of
 * 'cfg' (cfg->host_ifname: its device in the trunk's namespace) and its
 * filters, idempotent and self-repairing as vif_create() is;
 * vif_trunk_detach() removes both; vif_trunk_is_attached() checks the
 * endpoint as vif_is_configured() does, and its filters.  A frame from the
 * switch costs the filters of one of 256 buckets (by the last byte of its
 * destination MAC), not one per endpoint; a trunk holds up to 4095
 * endpoints whose MACs end alike and 4095 groups of 32 for multicast
 * (ENOSPC beyond). */
int vif_trunk_ensure(const char *netns, const char *host_ifname,
                     const uint8_t mac[6], int mtu, int host_netns_fd);
int vif_trunk_delete(const char *netns, const char *host_ifname,
                     int host_netns_fd);

struct vif_trunk;
int vif_trunk_open(const char *netns, struct vif_trunk **);
void vif_trunk_close(struct vif_trunk *);
int vif_trunk_netns_fd(const struct vif_trunk *);
int vif_trunk_attach(struct vif_trunk *, const struct vif_config *cfg);
/* Adds to 'devices' every endpoint's device behind the trunk but those
 * named in 'skip' (if nonnull): name -> the namespace of its peer, as
 * vif_trunk_attach() recorded it (the device's alias; "" if it has none).
 * Its cost is one look-up of each device not skipped. */
struct smap;
int vif_trunk_list(const struct vif_trunk *, const struct sset *skip,
                   struct smap *devices);
/* True if the trunk's end of the switch's port is still there. */
bool vif_trunk_exists(const struct vif_trunk *);
int vif_trunk_detach(struct vif_trunk *, const char *ifname);
bool vif_trunk_is_attached(const struct vif_trunk *,
                           const struct vif_config *cfg);
/* Checks the trunk's own filters (the other end of the switch's port)
 * against what 't' made: those that are gone or changed (another program
 * deleted them, or the trunk's qdisc) are made again, and all of them afresh
 * if their layout is not there.  An endpoint adopted from an earlier run
 * whose filter's MAC could not be read back cannot have it made here: its
 * device goes into 'unfiltered' (vif_trunk_attach() makes it again).
 * Returns 0 or an errno value. */
int vif_trunk_check(struct vif_trunk *, struct sset *unfiltered);
/* The trunk's own link, and the endpoint device of link 'ifindex' behind it
 * (NULL: none). */
int vif_trunk_ifindex(const struct vif_trunk *);
/* The netlink port of the socket that makes 't''s own filters (0 if it
 * cannot be read): the notices of their changes carry it as their sender
 * (struct vif_tc_notice). */
uint32_t vif_trunk_port_id(const struct vif_trunk *);
const char *vif_trunk_device_name(const struct vif_trunk *, int ifindex);
/* Whether device 'ifname' is one of 't''s endpoints' (attached, not yet
 * detached). */
bool vif_trunk_has_device(const struct vif_trunk *, const char *ifname);

/* Link notices of one network namespace, as they happen.  vif_watch_open()
 * starts listening in namespace 'netns_fd' (-1: own), and with 'tc' to the
 * traffic control notices there too; returns 0 or an errno value.
 * vif_watch_run() reads what arrived (at most 1024 notices per call: the
 * rest wakes the poll loop again) into 'out'. */
struct vif_notices {
    struct sset troubled;       /* Links deleted, or not up with a carrier
                                 * as last heard of (a link made and then
                                 * set up is not). */
    struct sset deleted;        /* Links deleted (troubled, whatever
                                 * followed). */
    struct sset present;        /* Links that exist. */
    /* Traffic control notices: a filter or a qdisc deleted, a filter made
     * or replaced. */
    struct vif_tc_notice {
        int ifindex;            /* Of the link whose filter or qdisc it is. */
        bool deleted;
        uint32_t sender;        /* The netlink port of the socket whose
                                 * request made the change (0: the kernel's
                                 * own doing). */
    } *tc;
    size_t n_tc, allocated_tc;
    bool lost;                  /* Notices were lost (too many at once):
                                 * anything may have changed. */
};
void vif_notices_init(struct vif_notices *);
void vif_notices_destroy(struct vif_notices *);

struct vif_watch;
int vif_watch_open(int netns_fd, bool tc, struct vif_watch **);
void vif_watch_close(struct vif_watch *);
void vif_watch_run(struct vif_watch *, struct vif_notices *out);
void vif_watch_wait(const struct vif_watch *);

/* True if the host end exists (a veth, up) in 'host_netns_fd' and its peer is
 * 'cfg->ns_ifname', up, with cfg->ip/plen, in namespace cfg->netns. */
bool vif_is_configured(const struct vif_config *cfg, int host_netns_fd);

#ifdef __cplusplus
}
#endif

#endif /* controller/vif.h */
