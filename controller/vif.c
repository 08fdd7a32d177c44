/* Veth pairs of endpoints (controller/vif.h); their namespaces are in
 * vif-netns.c, the netlink helpers in vif-netlink.c, addresses and routes in
 * vif-addr.c. */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-addr.h"
#include "controller/vif-netlink.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/magic.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>

#include <netlink/netlink.h>
#include <netlink/attr.h>
#include <netlink/cache.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/route/addr.h>
#include <netlink/route/link.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "openvswitch/vlog.h"
#include "packets.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);



static bool
mac_is_valid(const uint8_t mac[MAC_LEN])
{
    static const uint8_t zero[MAC_LEN];

    return !(mac[0] & 1) && memcmp(mac, zero, MAC_LEN);
}

static int
config_check(const struct vif_config *cfg)
{
    if (!vnl_netns_name_is_valid(cfg->netns)
        || !vnl_ifname_is_valid(cfg->host_ifname)
        || !vnl_ifname_is_valid(cfg->ns_ifname)
        || !mac_is_valid(cfg->mac)
        || cfg->plen < 0 || cfg->plen > 32
        || (cfg->gateway && !cfg->ip)
        || cfg->mtu < 0) {
        return EINVAL;
    }
    return 0;
}

static bool
link_is_veth(struct rtnl_link *link)
{
    const char *type = rtnl_link_get_type(link);

    return type && !strcmp(type, "veth");
}

/* Deletes 'link'.  Returns 0 also if it is already gone. */
static int
link_delete(struct nl_sock *sk, struct rtnl_link *link)
{
    int error = vnl_errno(rtnl_link_delete(sk, link));

    return error == ENODEV ? 0 : error;
}

/* Turns IPv6 off on link 'ifname' of namespace 'netns_fd' (-1: ours), which
 * must be down: a switch's port needs no address, and IPv6 on it would give
 * it a multicast route in the switch's namespace when it goes up, on which
 * Open vSwitch reads every route of the namespace again.  Without IPv6 in the
 * kernel there is nothing to do.  Where it cannot be done (a read-only
 * /proc/sys in a container), IPv6 stays on: the port works all the same,
 * with more work for Open vSwitch. */
static void
link_disable_ipv6(int netns_fd, const char *ifname)
{
    static struct vlog_rate_limit rl_ipv6 = VLOG_RATE_LIMIT_INIT(1, 60);
    int self_fd = -1;
    int error = netns_fd >= 0 ? vnl_netns_enter(netns_fd, &self_fd) : 0;
    if (!error) {
        /* /proc/sys/net is the calling thread's namespace's. */
        char *path = xasprintf("/proc/sys/net/ipv6/conf/%s/disable_ipv6",
                               ifname);
        int fd = open(path, O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            error = errno == ENOENT ? 0 : errno;
        } else {
            error = write(fd, "1\n", 2) == 2 ? 0 : errno;
            close(fd);
        }
        free(path);
        if (self_fd >= 0) {
            vnl_netns_restore(self_fd);
        }
    }
    if (error) {
        VLOG_INFO_RL(&rl_ipv6, "%s: IPv6 stays on (%s)", ifname,
                     ovs_strerror(error));
    }
}

/* Keeps the kernel from giving 'link' an IPv6 link-local address when it goes
 * up, so that a host end sends nothing of its own into the switch.  Without
 * IPv6 in the kernel there is nothing to do. */
int
vnl_link_disable_ipv6_addrgen(struct nl_sock *sk, struct rtnl_link *link)
{
    struct rtnl_link *change;
    uint8_t mode;
    int error;

    if (!vnl_errno(rtnl_link_inet6_get_addr_gen_mode(link, &mode))
        && mode == IN6_ADDR_GEN_MODE_NONE) {
        return 0;
    }

    change = rtnl_link_alloc();
    if (!change) {
        return ENOMEM;
    }
    error = vnl_errno(
        rtnl_link_inet6_set_addr_gen_mode(change, IN6_ADDR_GEN_MODE_NONE));
    if (!error) {
        error = vnl_errno(rtnl_link_change(sk, link, change, 0));
    }
    rtnl_link_put(change);
    return error == EAFNOSUPPORT || error == EOPNOTSUPP ? 0 : error;
}

static int
parse_nsid_reply(struct nl_msg *msg, void *nsid_)
{
    struct nlmsghdr *nlh = nlmsg_hdr(msg);
    struct nlattr *tb[NETNSA_MAX + 1];
    int32_t *nsid = nsid_;

    if (nlh->nlmsg_type == RTM_NEWNSID
        && !vnl_errno(nlmsg_parse(nlh, sizeof(struct rtgenmsg), tb,
                                          NETNSA_MAX, NULL))
        && tb[NETNSA_NSID]) {
        *nsid = nla_get_s32(tb[NETNSA_NSID]);
    }
    return NL_OK;
}

/* Stores in '*nsidp' the id that the namespace of 'sk' gives to the
 * namespace 'netns_fd', or NETNSA_NSID_NOT_ASSIGNED. */
static int
netns_get_id(struct nl_sock *sk, int netns_fd, int32_t *nsidp)
{
    struct rtgenmsg rtgen = { .rtgen_family = AF_UNSPEC };
    struct nl_msg *msg;
    struct nl_cb *cb;
    int error;

    *nsidp = NETNSA_NSID_NOT_ASSIGNED;

    msg = nlmsg_alloc_simple(RTM_GETNSID, 0);
    if (!msg) {
        return ENOMEM;
    }
    error = vnl_errno(nlmsg_append(msg, &rtgen, sizeof rtgen,
                                           NLMSG_ALIGNTO));
    if (!error) {
        error = vnl_errno(nla_put_u32(msg, NETNSA_FD, netns_fd));
    }
    if (!error) {
        error = vnl_errno(nl_send_auto(sk, msg));
    }
    nlmsg_free(msg);
    if (error) {
        return error;
    }

    /* The reply comes first, then the acknowledgement. */
    cb = nl_cb_alloc(NL_CB_DEFAULT);
    if (!cb) {
        return ENOMEM;
    }
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, parse_nsid_reply, nsidp);
    error = vnl_errno(nl_recvmsgs(sk, cb));
    nl_cb_put(cb);
    if (!error) {
        error = vnl_errno(nl_wait_for_ack(sk));
    }
    return error;
}

/* True if 'ns_link', which is in the namespace 'ns_fd', is the veth peer of
 * 'host_link', which 'host_sk' sees.  A veth peer is known by the id of its
 * namespace and its ifindex there, both of which the host end reports. */
static bool
link_is_peer(struct nl_sock *host_sk, struct rtnl_link *host_link,
             int ns_fd, struct rtnl_link *ns_link)
{
    int32_t peer_nsid, nsid;

    if (!link_is_veth(host_link) || !link_is_veth(ns_link)
        || rtnl_link_get_link(host_link) != rtnl_link_get_ifindex(ns_link)
        || vnl_errno(rtnl_link_get_link_netnsid(host_link,
                                                        &peer_nsid))) {
        /* No peer netnsid means the peer is in the host end's namespace. */
        return false;
    }
    return (!netns_get_id(host_sk, ns_fd, &nsid)
            && nsid != NETNSA_NSID_NOT_ASSIGNED
            && nsid == peer_nsid);
}

/* Turns TX checksum offload of 'ifname' on or off, through 'fd', an AF_INET
 * socket in the namespace of 'ifname'. */
static int
tx_csum_set(int fd, const char *ifname, bool on)
{
    struct ethtool_value ev;
    struct ifreq ifr;

    memset(&ifr, 0, sizeof ifr);
    ovs_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name);
    ifr.ifr_data = (void *) &ev;

    ev.cmd = ETHTOOL_GTXCSUM;
    ev.data = 0;
    if (ioctl(fd, SIOCETHTOOL, &ifr)) {
        return errno;
    }
    if (!ev.data == !on) {
        return 0;
    }

    ev.cmd = ETHTOOL_STXCSUM;
    ev.data = on;
    return ioctl(fd, SIOCETHTOOL, &ifr) ? errno : 0;
}

/* Creates the pair for 'cfg' through 'host_sk': the host end in the
 * namespace of 'host_sk', the peer directly in namespace 'ns_fd' under its
 * final name, with its MAC and both MTUs. */
static int
pair_add(const struct vif_config *cfg, struct nl_sock *host_sk, int ns_fd)
{
    struct rtnl_link *link, *peer = NULL;
    struct nl_addr *mac = NULL;
    int error;

    link = rtnl_link_veth_alloc();
    if (!link) {
        return ENOMEM;
    }
    peer = rtnl_link_veth_get_peer(link);
    mac = nl_addr_build(AF_LLC, cfg->mac, MAC_LEN);
    if (!peer || !mac) {
        error = ENOMEM;
        goto out;
    }

    rtnl_link_set_name(link, cfg->host_ifname);
    rtnl_link_set_name(peer, cfg->ns_ifname);
    rtnl_link_set_ns_fd(peer, ns_fd);
    rtnl_link_set_addr(peer, mac);
    if (cfg->mtu > 0) {
        rtnl_link_set_mtu(link, cfg->mtu);
        rtnl_link_set_mtu(peer, cfg->mtu);
    }
    error = vnl_errno(rtnl_link_add(host_sk, link,
                                            NLM_F_CREATE | NLM_F_EXCL));

out:
    nl_addr_put(mac);
    rtnl_link_put(peer);
    rtnl_link_put(link);
    return error;
}

/* Makes sure the pair for 'cfg' exists, with its ends where they belong,
 * replacing whatever stands in the way that is ours to replace.  If it was
 * in place, the host end's link as found in '*intact_host' (else NULL). */
static int
pair_ensure(const struct vif_config *cfg, const struct vif_socks *host,
            struct vif_socks *ns, int ns_fd, struct rtnl_link **intact_host)
{
    *intact_host = NULL;
    struct rtnl_link *host_link = NULL;
    struct rtnl_link *ns_link = NULL;
    int error;

    error = vnl_link_get(host->nl, cfg->host_ifname, &host_link);
    if (!error || error == ENODEV) {
        error = vnl_link_get(ns->nl, cfg->ns_ifname, &ns_link);
    }
    if (error && error != ENODEV) {
        goto out;
    }
    error = 0;

    if (host_link) {
        if (!link_is_veth(host_link)) {
            VLOG_WARN_RL(&rl, "%s: exists and is not a veth, not touching it",
                         cfg->host_ifname);
            error = EEXIST;
            goto out;
        }
        if (ns_link && link_is_peer(host->nl, host_link, ns_fd, ns_link)) {
            *intact_host = host_link;
            host_link = NULL;
            goto out;
        }
        VLOG_INFO("%s: peer is not %s in namespace %s, recreating the pair",
                  cfg->host_ifname, cfg->ns_ifname, cfg->netns);
        error = link_delete(host->nl, host_link);
        if (error) {
            goto out;
        }
    }

    if (ns_link && cfg->foreign_netns) {
        /* Someone else's: ovs-vnet did not make the namespace. */
        VLOG_WARN_RL(&rl, "%s: namespace %s has an interface %s that is not "
                     "its peer; not touching it", cfg->host_ifname,
                     cfg->netns, cfg->ns_ifname);
        error = EBUSY;
        goto out;
    }
    if (ns_link) {
        /* Not the peer of our host end (else we would be done): stale. */
        VLOG_INFO("%s: removing stale %s from namespace %s",
                  cfg->host_ifname, cfg->ns_ifname, cfg->netns);
        error = link_delete(ns->nl, ns_link);
        if (error) {
            goto out;
        }
    }

    error = pair_add(cfg, host->nl, ns_fd);
    if (!error) {
        VLOG_INFO("%s: created veth pair, peer %s in namespace %s",
                  cfg->host_ifname, cfg->ns_ifname, cfg->netns);
    }

out:
    rtnl_link_put(host_link);
    rtnl_link_put(ns_link);
    return error;
}

/* Applies the configuration of the namespace end.  Sets '*what' to the step
 * that failed, for the log.
 *
 * The namespace end gets no IPv6 address of its own: its port carries IPv4
 * and ARP only (the switch drops anything else from an endpoint with
 * addresses, table 0), so what the kernel would send for a link-local
 * address (a duplicate-address probe, router solicitations, multicast
 * listener reports) would reach nobody, and each such packet costs a switch
 * on the userspace datapath a pass over all its ports. */
static int
ns_end_configure(const struct vif_config *cfg, struct vif_socks *ns,
                 const char **what)
{
    struct rtnl_link *link;
    int error, ifindex;

    if (!cfg->foreign_netns) {
        *what = "bringing up lo";
        error = vnl_link_set_up_by_name(ns->nl, "lo");
        if (error) {
            return error;
        }
    }

    *what = "turning IPv6 address generation off";
    error = vnl_link_get(ns->nl, cfg->ns_ifname, &link);
    if (error) {
        return error;
    }
    error = vnl_link_disable_ipv6_addrgen(ns->nl, link);
    if (error) {
        rtnl_link_put(link);
        return error;
    }

    *what = "setting MAC, MTU and up";
    error = vnl_link_configure(ns->nl, link, cfg->mac, cfg->mtu);
    ifindex = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    if (error) {
        return error;
    }

    *what = "setting TX checksum offload";
    error = tx_csum_set(ns->inet_fd, cfg->ns_ifname, cfg->tx_csum);
    if (error) {
        return error;
    }

    *what = "setting the IPv4 address";
    error = vnl_addr_sync(ns->nl, ifindex, cfg->ip, cfg->plen);
    if (error) {
        return error;
    }

    if (cfg->gateway) {
        *what = "setting the default route";
        error = vnl_default_route_ensure(ns->nl, ifindex, cfg->gateway,
                                     cfg->foreign_netns);
    }
    return error;
}

int
vif_create(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_socks host = VIF_SOCKS_INITIALIZER;
    int error = vnl_socks_open(host_netns_fd, false, &host);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: opening sockets failed (%s)",
                     cfg->host_ifname ? cfg->host_ifname : "(null)",
                     ovs_strerror(error));
        return error;
    }
    struct rtnl_link *host_link;
    error = vif_create_with(cfg, host_netns_fd, &host, &host_link);
    if (!error) {
        rtnl_link_put(host_link);
    }
    vnl_socks_close(&host);
    return error;
}

int
vif_create_with(const struct vif_config *cfg, int host_netns_fd,
                const struct vif_socks *host, struct rtnl_link **host_linkp)
{
    struct vif_socks ns = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *host_link = NULL;
    const char *what;
    int ns_fd = -1;
    int error;

    *host_linkp = NULL;

    what = "checking the configuration";
    error = config_check(cfg);
    if (error) {
        goto out;
    }

    what = "opening the namespace";
    error = vnl_netns_open_named(cfg->netns, &ns_fd);
    if (error) {
        goto out;
    }

    what = "opening sockets";
    error = vnl_socks_open(ns_fd, true, &ns);
    if (error) {
        goto out;
    }

    what = "creating the veth pair";
    error = pair_ensure(cfg, host, &ns, ns_fd, &host_link);
    if (error) {
        goto out;
    }

    /* The host end, a switch's port, goes up last, already promiscuous (as
     * Open vSwitch would make it), once its peer is up, and without IPv6
     * from the start: every change to a link or route in the switch's
     * namespace makes Open vSwitch ask the kernel about every port (and
     * reconfigure, or read every route again), at a cost that grows with the
     * number of ports, so there are as few as can be. */
    what = "configuring the host end";
    if (!host_link) {
        error = vnl_link_get(host->nl, cfg->host_ifname, &host_link);
        if (error) {
            goto out;
        }
    }
    if (!vnl_link_is_up(host_link)) {
        link_disable_ipv6(host_netns_fd, cfg->host_ifname);
    }
    /* Also where IPv6 stays on. */
    error = vnl_link_disable_ipv6_addrgen(host->nl, host_link);
    if (!error) {
        error = ns_end_configure(cfg, &ns, &what);
    }
    if (!error) {
        what = "bringing up the host end";
        error = vnl_link_configure_flags(host->nl, host_link, NULL, cfg->mtu,
                                         IFF_PROMISC);
    }

out:
    if (error) {
        rtnl_link_put(host_link);
    } else {
        *host_linkp = host_link;
    }
    vnl_socks_close(&ns);
    if (ns_fd >= 0) {
        close(ns_fd);
    }
    if (error) {
        VLOG_WARN_RL(&rl, "%s: %s failed (%s)",
                     cfg->host_ifname ? cfg->host_ifname : "(null)",
                     what, ovs_strerror(error));
    }
    return error;
}

/* Deletes link 'ifname' in namespace 'netns_fd' if its kind is 'kind' ("veth",
 * "tun"); 'what' names it in the log.  0 if it does not exist; another kind
 * is left alone. */
static int
delete_link_of_kind(int netns_fd, const char *ifname, const char *kind,
                    const char *what)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    int error;

    error = vnl_socks_open_link(netns_fd, ifname, &socks, &link);
    if (error == ENODEV) {
        error = 0;
    } else if (!error) {
        const char *type = rtnl_link_get_type(link);
        if (!type || strcmp(type, kind)) {
            VLOG_WARN_RL(&rl, "%s: not a %s, not deleting it", ifname, kind);
        } else {
            error = link_delete(socks.nl, link);
            if (!error) {
                VLOG_INFO("%s: deleted %s", ifname, what);
            }
        }
    }

    rtnl_link_put(link);
    vnl_socks_close(&socks);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: deleting failed (%s)", ifname,
                     ovs_strerror(error));
    }
    return error;
}

int
vif_list_links(int netns_fd, const char *kind, struct sset *names)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct nl_cache *cache = NULL;
    int error = vnl_socks_open(netns_fd, false, &socks);

    if (!error) {
        error = vnl_errno(rtnl_link_alloc_cache(socks.nl, AF_UNSPEC,
                                                         &cache));
    }
    if (!error) {
        struct nl_object *obj;
        for (obj = nl_cache_get_first(cache); obj;
             obj = nl_cache_get_next(obj)) {
            struct rtnl_link *link = (struct rtnl_link *) obj;
            const char *type = rtnl_link_get_type(link);
            const char *name = rtnl_link_get_name(link);
            if (name && type && !strcmp(type, kind)) {
                sset_add(names, name);
            }
        }
        nl_cache_free(cache);
    }
    vnl_socks_close(&socks);
    return error;
}

int
vif_delete(const char *host_ifname, int host_netns_fd)
{
    return delete_link_of_kind(host_netns_fd, host_ifname, "veth",
                               "veth pair");
}

/* Opens /dev/net/tun for 'ifname' in the current namespace and makes it a
 * persistent tap owned by 'uid'/'gid'. */
static int
tap_create_here(const char *ifname, long int uid, long int gid)
{
    int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    ovs_strlcpy(ifr.ifr_name, ifname, sizeof ifr.ifr_name);
    int error = 0;
    if (ioctl(fd, TUNSETIFF, &ifr)
        || (uid >= 0 && ioctl(fd, TUNSETOWNER, (unsigned long) uid))
        || (gid >= 0 && ioctl(fd, TUNSETGROUP, (unsigned long) gid))
        || ioctl(fd, TUNSETPERSIST, 1UL)) {
        error = errno;
    }
    close(fd);
    return error;
}

int
vif_tap_ensure(int netns_fd, const char *ifname, int mtu, long int uid,
               long int gid)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    int error = vnl_socks_open_link(netns_fd, ifname, &socks, &link);
    bool exists = !error;
    if (exists) {
        const char *type = rtnl_link_get_type(link);
        if (!type || strcmp(type, "tun")) {
            error = EEXIST;     /* Not ours to take. */
        }
    }
    if (error == ENODEV || (!error && (uid >= 0 || gid >= 0))) {
        /* Made, or its owner and group set again (they may have changed):
         * only while no program has it open. */
        int self_fd = -1;
        error = netns_fd >= 0 ? vnl_netns_enter(netns_fd, &self_fd) : 0;
        if (!error) {
            error = tap_create_here(ifname, uid, gid);
            if (self_fd >= 0) {
                vnl_netns_restore(self_fd);
            }
        }
        if (exists && error == EBUSY) {
            VLOG_INFO("%s: in use; its owner and group stay as they are",
                      ifname);
            error = 0;
        } else if (!error && !exists) {
            VLOG_INFO("%s: created tap", ifname);
            error = vnl_link_get(socks.nl, ifname, &link);
        }
    }
    if (!error) {
        error = vnl_link_disable_ipv6_addrgen(socks.nl, link);
    }
    if (!error) {
        error = vnl_link_configure(socks.nl, link, NULL, mtu);
    }
    rtnl_link_put(link);
    vnl_socks_close(&socks);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: cannot make the tap (%s)", ifname,
                     ovs_strerror(error));
    }
    return error;
}

bool
vif_tap_is_configured(int netns_fd, const char *ifname, int mtu)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    bool ok = false;
    if (!vnl_socks_open_link(netns_fd, ifname, &socks, &link)) {
        const char *type = rtnl_link_get_type(link);
        ok = (type && !strcmp(type, "tun") && vnl_link_is_up(link)
              && (mtu <= 0 || rtnl_link_get_mtu(link) == mtu));
    }
    rtnl_link_put(link);
    vnl_socks_close(&socks);
    return ok;
}

int
vif_tap_delete(int netns_fd, const char *ifname)
{
    return delete_link_of_kind(netns_fd, ifname, "tun", "tap");
}

/* Sockets in the switch's namespace and in an endpoint's. */
struct vif_both {
    struct vif_socks host, ns;
    int ns_fd;                  /* The endpoint's namespace. */
};
#define VIF_BOTH_INITIALIZER \
    { VIF_SOCKS_INITIALIZER, VIF_SOCKS_INITIALIZER, -1 }

/* Opens namespace cfg->netns and sockets in it ('ns_inet': with an inet
 * socket) and in 'host_netns_fd'.  Sets '*what' to the step that failed. */
static int
both_open(const struct vif_config *cfg, int host_netns_fd, bool ns_inet,
          struct vif_both *b, const char **what)
{
    *what = "opening the namespace";
    int error = vnl_netns_open_named(cfg->netns, &b->ns_fd);
    if (!error) {
        *what = "opening sockets";
        error = vnl_socks_open(host_netns_fd, false, &b->host);
    }
    if (!error) {
        error = vnl_socks_open(b->ns_fd, ns_inet, &b->ns);
    }
    return error;
}

static void
both_close(struct vif_both *b)
{
    vnl_socks_close(&b->host);
    vnl_socks_close(&b->ns);
    if (b->ns_fd >= 0) {
        close(b->ns_fd);
        b->ns_fd = -1;
    }
}

bool
vif_is_configured(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_both b = VIF_BOTH_INITIALIZER;
    struct rtnl_link *host_link = NULL;
    struct rtnl_link *ns_link = NULL;
    const char *what;
    bool ok = false;

    if (!config_check(cfg)
        && !both_open(cfg, host_netns_fd, false, &b, &what)
        && !vnl_link_get(b.host.nl, cfg->host_ifname, &host_link)
        && !vnl_link_get(b.ns.nl, cfg->ns_ifname, &ns_link)) {
        ok = (vnl_link_is_up(host_link)
              && vnl_link_is_up(ns_link)
              && link_is_peer(b.host.nl, host_link, b.ns_fd, ns_link)
              && (!cfg->ip
                  || vnl_addr_present(b.ns.nl,
                                      rtnl_link_get_ifindex(ns_link),
                                      cfg->ip, cfg->plen)));
    }
    rtnl_link_put(host_link);
    rtnl_link_put(ns_link);
    both_close(&b);
    return ok;
}

int
vif_internal_ensure(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_both b = VIF_BOTH_INITIALIZER;
    struct rtnl_link *in_host = NULL, *in_ns = NULL;
    const char *what = "checking the configuration";
    int error;

    error = config_check(cfg);
    if (!error && strcmp(cfg->ns_ifname, cfg->host_ifname)) {
        error = EINVAL;
    }
    if (!error) {
        error = both_open(cfg, host_netns_fd, true, &b, &what);
    }
    if (error) {
        goto out;
    }

    bool here = !vnl_link_get(b.host.nl, cfg->host_ifname, &in_host);
    bool there = !vnl_link_get(b.ns.nl, cfg->host_ifname, &in_ns);
    if (here && !cfg->may_move) {
        /* Moved before ovs-vswitchd has opened it where it made it, the
         * device would be lost to the switch. */
        error = EAGAIN;
        goto out;
    } else if (here) {
        if (there) {
            what = "deleting the stale device";
            error = link_delete(b.ns.nl, in_ns);
            if (error) {
                goto out;
            }
        }
        what = "moving the device into the namespace";
        struct rtnl_link *change = rtnl_link_alloc();
        if (!change) {
            error = ENOMEM;
            goto out;
        }
        rtnl_link_set_ns_fd(change, b.ns_fd);
        error = vnl_errno(rtnl_link_change(b.host.nl, in_host, change, 0));
        rtnl_link_put(change);
        if (error) {
            goto out;
        }
    } else if (!there) {
        error = EAGAIN;         /* Not made yet: not worth a warning. */
        goto out;
    }

    error = ns_end_configure(cfg, &b.ns, &what);

out:
    rtnl_link_put(in_host);
    rtnl_link_put(in_ns);
    both_close(&b);
    if (error && error != EAGAIN) {
        VLOG_WARN_RL(&rl, "%s: %s failed (%s)",
                     cfg->host_ifname ? cfg->host_ifname : "(null)",
                     what, ovs_strerror(error));
    }
    return error;
}

bool
vif_internal_is_configured(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_both b = VIF_BOTH_INITIALIZER;
    struct rtnl_link *link = NULL, *stray = NULL;
    const char *what;
    bool ok = false;

    if (!config_check(cfg)
        && !both_open(cfg, host_netns_fd, false, &b, &what)
        && !vnl_link_get(b.ns.nl, cfg->host_ifname, &link)) {
        ok = (vnl_link_get(b.host.nl, cfg->host_ifname, &stray) == ENODEV
              && vnl_link_is_up(link)
              && (!cfg->ip
                  || vnl_addr_present(b.ns.nl, rtnl_link_get_ifindex(link),
                                      cfg->ip, cfg->plen)));
    }
    rtnl_link_put(link);
    rtnl_link_put(stray);
    both_close(&b);
    return ok;
}

bool
vif_internal_exists(const struct vif_config *cfg, int host_netns_fd)
{
    if (vif_link_exists(host_netns_fd, cfg->host_ifname)) {
        return true;
    }
    int ns_fd;
    if (vnl_netns_open_named(cfg->netns, &ns_fd)) {
        return false;
    }
    bool exists = vif_link_exists(ns_fd, cfg->host_ifname);
    close(ns_fd);
    return exists;
}

int
vif_internal_release(const char *netns, const char *ifname, int host_netns_fd)
{
    struct vif_socks ns = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    int ns_fd = -1, error;

    if (!netns || !vnl_ifname_is_valid(ifname)
        || vnl_netns_open_named(netns, &ns_fd)) {
        return 0;               /* No namespace, nothing in it. */
    }
    error = vnl_socks_open(ns_fd, false, &ns);
    if (!error && !vnl_link_get(ns.nl, ifname, &link) && !link_is_veth(link)) {
        int own_fd = -1;
        struct rtnl_link *change = rtnl_link_alloc();
        if (!change) {
            error = ENOMEM;
        } else if (host_netns_fd >= 0
                   || !(error = vif_open_netns_of_pid(0, &own_fd))) {
            rtnl_link_set_ns_fd(change,
                                host_netns_fd >= 0 ? host_netns_fd : own_fd);
            error = vnl_errno(rtnl_link_change(ns.nl, link, change, 0));
        }
        if (own_fd >= 0) {
            close(own_fd);
        }
        rtnl_link_put(change);
        if (!error) {
            VLOG_INFO("%s: moved out of namespace %s before it goes", ifname,
                      netns);
        }
    }
    rtnl_link_put(link);
    vnl_socks_close(&ns);
    close(ns_fd);
    return error;
}
