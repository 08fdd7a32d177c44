/* Veth pairs of endpoints (controller/vif.h); their namespaces are in
 * vif-netns.c, the netlink helpers in vif-netlink.c, addresses and routes in
 * vif-addr.c, taps in vif-tap.c, internal ports in vif-internal.c. */
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

int
vif_config_check(const struct vif_config *cfg)
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

    if (!vnl_link_is_veth(host_link) || !vnl_link_is_veth(ns_link)
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
        if (!vnl_link_is_veth(host_link)) {
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
        error = vnl_link_delete(host->nl, host_link);
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
        error = vnl_link_delete(ns->nl, ns_link);
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

/* The namespace end's configuration (controller/vif-netlink.h).
 *
 * The namespace end gets no IPv6 address of its own: its port carries IPv4
 * and ARP only (the switch drops anything else from an endpoint with
 * addresses, table 0), so what the kernel would send for a link-local
 * address (a duplicate-address probe, router solicitations, multicast
 * listener reports) would reach nobody, and each such packet costs a switch
 * on the userspace datapath a pass over all its ports. */
int
vif_ns_end_configure(const struct vif_config *cfg, struct vif_socks *ns,
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
    error = vif_config_check(cfg);
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
        vnl_link_disable_ipv6(host_netns_fd, cfg->host_ifname);
    }
    /* Also where IPv6 stays on. */
    error = vnl_link_disable_ipv6_addrgen(host->nl, host_link);
    if (!error) {
        error = vif_ns_end_configure(cfg, &ns, &what);
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
    return vnl_link_delete_of_kind(host_netns_fd, host_ifname, "veth",
                               "veth pair");
}

bool
vif_is_configured(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_both b = VIF_BOTH_INITIALIZER;
    struct rtnl_link *host_link = NULL;
    struct rtnl_link *ns_link = NULL;
    const char *what;
    bool ok = false;

    if (!vif_config_check(cfg)
        && !vif_both_open(cfg, host_netns_fd, false, &b, &what)
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
    vif_both_close(&b);
    return ok;
}

int
vif_both_open(const struct vif_config *cfg, int host_netns_fd, bool ns_inet,
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

void
vif_both_close(struct vif_both *b)
{
    vnl_socks_close(&b->host);
    vnl_socks_close(&b->ns);
    if (b->ns_fd >= 0) {
        close(b->ns_fd);
        b->ns_fd = -1;
    }
}
