/* Addresses and routes of a switch's interfaces: the underlay address moved
 * onto the underlay bridge and back (controller/underlay.c), links brought
 * up and looked for.  The endpoints' devices are controller/vif.c's. */
#include <config.h>
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
#include <linux/ip.h>
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
#include <netlink/route/link/inet.h>
#include <netlink/route/link/inet6.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/nexthop.h>
#include <netlink/route/route.h>

#include "openvswitch/vlog.h"
#include "packets.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_addr);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* Underlay addresses. */

static bool
ip_in_subnet(uint32_t a, uint32_t b, int plen)
{
    uint32_t mask = plen ? htonl(UINT32_MAX << (32 - plen)) : 0;

    return !((a ^ b) & mask);
}

/* Stores in '*ipp' and '*plenp' the first IPv4 address of link 'ifindex',
 * preferring a primary one.  ENOENT if it has none. */
static int
addr_get_first(struct nl_sock *sk, int ifindex, uint32_t *ipp, int *plenp)
{
    struct rtnl_addr *best = NULL;
    struct nl_object *obj;
    struct nl_cache *cache;
    int error;

    error = vnl_errno(rtnl_addr_alloc_cache(sk, &cache));
    if (error) {
        return error;
    }
    for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
        struct rtnl_addr *addr = (struct rtnl_addr *) obj;
        struct nl_addr *local = rtnl_addr_get_local(addr);

        if (rtnl_addr_get_ifindex(addr) != ifindex
            || rtnl_addr_get_family(addr) != AF_INET
            || !local || nl_addr_get_len(local) != sizeof *ipp) {
            continue;
        }
        if (!best) {
            best = addr;
        }
        if (!(rtnl_addr_get_flags(addr) & IFA_F_SECONDARY)) {
            best = addr;
            break;
        }
    }

    if (best) {
        memcpy(ipp, nl_addr_get_binary_addr(rtnl_addr_get_local(best)),
               sizeof *ipp);
        *plenp = rtnl_addr_get_prefixlen(best);
    } else {
        error = ENOENT;
    }
    nl_cache_free(cache);
    return error;
}

/* Sets '*foundp' to whether link 'ifindex' has IPv4 address 'ip'/'plen'.
 * Unlike vnl_addr_present(), reports failure to find out. */
static int
addr_find(struct nl_sock *sk, int ifindex, uint32_t ip, int plen,
          bool *foundp)
{
    struct nl_object *obj;
    struct nl_cache *cache;
    int error;

    *foundp = false;
    error = vnl_errno(rtnl_addr_alloc_cache(sk, &cache));
    if (error) {
        return error;
    }
    for (obj = nl_cache_get_first(cache); obj && !*foundp;
         obj = nl_cache_get_next(obj)) {
        struct rtnl_addr *addr = (struct rtnl_addr *) obj;

        *foundp = (rtnl_addr_get_ifindex(addr) == ifindex
                   && rtnl_addr_get_family(addr) == AF_INET
                   && vnl_addr_matches(addr, ip, plen));
    }
    nl_cache_free(cache);
    return 0;
}

/* Removes IPv4 address 'ip', whatever its prefix length, from link 'ifindex'.
 * Sets '*removedp' to whether there was anything to remove. */
static int
addr_remove_ip(struct nl_sock *sk, int ifindex, uint32_t ip, bool *removedp)
{
    struct nl_object *obj;
    struct nl_cache *cache;
    int error;

    *removedp = false;
    error = vnl_errno(rtnl_addr_alloc_cache(sk, &cache));
    if (error) {
        return error;
    }
    for (obj = nl_cache_get_first(cache); obj && !error;
         obj = nl_cache_get_next(obj)) {
        struct rtnl_addr *addr = (struct rtnl_addr *) obj;

        if (rtnl_addr_get_ifindex(addr) != ifindex
            || rtnl_addr_get_family(addr) != AF_INET
            || !vnl_addr_matches(addr, ip, rtnl_addr_get_prefixlen(addr))) {
            continue;
        }
        error = vnl_errno(rtnl_addr_delete(sk, addr, 0));
        if (error == EADDRNOTAVAIL || error == ENODEV) {
            error = 0;          /* Gone already. */
        } else if (!error) {
            *removedp = true;
        }
    }
    nl_cache_free(cache);
    return error;
}

/* True if next hop 'nh' of an IPv4 route leaves through link 'ifindex' via a
 * gateway that it reaches thanks to 'ip'/'plen' being on that link: one
 * inside that subnet, or an "onlink" one. */
static bool
nh_needs_addr(struct rtnl_nexthop *nh, int ifindex, uint32_t ip, int plen)
{
    struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);
    uint32_t gw_ip;

    if (!gw || rtnl_route_nh_get_ifindex(nh) != ifindex
        || nl_addr_get_len(gw) != sizeof gw_ip) {
        return false;
    }
    memcpy(&gw_ip, nl_addr_get_binary_addr(gw), sizeof gw_ip);
    return ((rtnl_route_nh_get_flags(nh) & RTNH_F_ONLINK)
            || ip_in_subnet(gw_ip, ip, plen));
}

/* True if 'route' is an IPv4 route with a next hop that must follow
 * 'ip'/'plen' away from link 'ifindex'. */
static bool
route_needs_move(struct rtnl_route *route, int ifindex, uint32_t ip,
                 int plen)
{
    int i, n;

    if (rtnl_route_get_family(route) != AF_INET) {
        return false;
    }
    n = rtnl_route_get_nnexthops(route);
    for (i = 0; i < n; i++) {
        struct rtnl_nexthop *nh = rtnl_route_nexthop_n(route, i);

        if (nh && nh_needs_addr(nh, ifindex, ip, plen)) {
            return true;
        }
    }
    return false;
}

/* Builds in '*newp' a copy of IPv4 route 'old' (same table, destination,
 * TOS, metric, type, scope, protocol, preferred source and metrics) whose next
 * hops through link 'from' go through link 'to' instead.  The caller must
 * rtnl_route_put() it. */
static int
route_copy_moved(struct rtnl_route *old, int from, int to,
                 struct rtnl_route **newp)
{
    struct rtnl_route *route;
    struct nl_addr *pref_src;
    int error, i, n;

    *newp = NULL;
    route = rtnl_route_alloc();
    if (!route) {
        return ENOMEM;
    }

    rtnl_route_set_table(route, rtnl_route_get_table(old));
    rtnl_route_set_tos(route, rtnl_route_get_tos(old));
    rtnl_route_set_priority(route, rtnl_route_get_priority(old));
    rtnl_route_set_scope(route, rtnl_route_get_scope(old));
    rtnl_route_set_protocol(route, rtnl_route_get_protocol(old));
    error = vnl_errno(rtnl_route_set_family(route, AF_INET));
    if (!error) {
        error = vnl_errno(
            rtnl_route_set_type(route, rtnl_route_get_type(old)));
    }
    if (!error) {
        error = vnl_errno(
            rtnl_route_set_dst(route, rtnl_route_get_dst(old)));
    }
    pref_src = rtnl_route_get_pref_src(old);
    if (!error && pref_src) {
        error = vnl_errno(rtnl_route_set_pref_src(route, pref_src));
    }
    for (i = 1; !error && i <= RTAX_MAX; i++) {
        uint32_t val;

        /* The congestion control algorithm is a string, which libnl cannot
         * carry over. */
        if (i != RTAX_CC_ALGO && !rtnl_route_get_metric(old, i, &val)) {
            error = vnl_errno(rtnl_route_set_metric(route, i, val));
        }
    }

    n = rtnl_route_get_nnexthops(old);
    for (i = 0; !error && i < n; i++) {
        struct rtnl_nexthop *old_nh = rtnl_route_nexthop_n(old, i);
        struct rtnl_nexthop *nh;
        struct nl_addr *gw;
        int ifindex;

        nh = old_nh ? rtnl_route_nh_alloc() : NULL;
        if (!nh) {
            error = ENOMEM;
            break;
        }
        ifindex = rtnl_route_nh_get_ifindex(old_nh);
        rtnl_route_nh_set_ifindex(nh, ifindex == from ? to : ifindex);
        gw = rtnl_route_nh_get_gateway(old_nh);
        if (gw) {
            rtnl_route_nh_set_gateway(nh, gw);
        }
        rtnl_route_nh_set_weight(nh, rtnl_route_nh_get_weight(old_nh));
        if (rtnl_route_nh_get_realms(old_nh)) {
            rtnl_route_nh_set_realms(nh, rtnl_route_nh_get_realms(old_nh));
        }
        /* Not the state flags the kernel reports (dead, linkdown, ...),
         * which it refuses in a request. */
        if (rtnl_route_nh_get_flags(old_nh) & RTNH_F_ONLINK) {
            rtnl_route_nh_set_flags(nh, RTNH_F_ONLINK);
        }
        rtnl_route_add_nexthop(route, nh);
    }

    if (error) {
        rtnl_route_put(route);
    } else {
        *newp = route;
    }
    return error;
}

/* Moves the IPv4 routes whose gateways link 'from' reaches through
 * 'ip'/'plen' over to link 'to', which must have that address already: adds
 * each one's copy through 'to', then deletes the original.  Stores the number
 * of routes moved in '*n_movedp'. */
static int
routes_move(struct nl_sock *sk, int from, int to, uint32_t ip, int plen,
            int *n_movedp)
{
    struct nl_object *obj;
    struct nl_cache *cache;
    int error;

    *n_movedp = 0;
    error = vnl_errno(rtnl_route_alloc_cache(sk, AF_INET, 0, &cache));
    if (error) {
        return error;
    }
    for (obj = nl_cache_get_first(cache); obj && !error;
         obj = nl_cache_get_next(obj)) {
        struct rtnl_route *old = (struct rtnl_route *) obj;
        struct rtnl_route *route;

        if (!route_needs_move(old, from, ip, plen)) {
            continue;
        }

        error = route_copy_moved(old, from, to, &route);
        if (!error) {
            /* Without NLM_F_REPLACE: the copy goes in front of the original,
             * which keeps working until it is deleted. */
            error = vnl_errno(rtnl_route_add(sk, route, 0));
            if (error == EEXIST) {
                error = 0;
            }
            rtnl_route_put(route);
        }
        if (!error) {
            error = vnl_errno(rtnl_route_delete(sk, old, 0));
            if (error == ENODEV) {
                error = 0;      /* Gone already. */
            }
        }
        if (!error) {
            (*n_movedp)++;
        }
    }
    nl_cache_free(cache);
    return error;
}

int
vif_addr_get(int netns_fd, const char *ifname, uint32_t *ip, int *plen)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    int error;

    *ip = 0;
    *plen = 0;
    error = vnl_socks_open_link(netns_fd, ifname, &socks, &link);
    if (!error) {
        error = addr_get_first(socks.nl, rtnl_link_get_ifindex(link),
                               ip, plen);
    }

    rtnl_link_put(link);
    vnl_socks_close(&socks);
    return error;
}

int
vif_addr_move(int netns_fd, const char *from, const char *to,
              uint32_t ip, int plen)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *from_link = NULL;
    struct rtnl_link *to_link = NULL;
    int from_ifindex, to_ifindex;
    const char *what;
    int n_moved;
    bool found;
    int error;

    what = "checking the arguments";
    if (!vnl_ifname_is_valid(to)
        || (from && (!vnl_ifname_is_valid(from) || !strcmp(from, to)))
        || !ip || plen < 0 || plen > 32) {
        error = EINVAL;
        goto out;
    }

    what = "opening a socket";
    error = vnl_socks_open(netns_fd, false, &socks);
    if (error) {
        goto out;
    }

    what = "looking up the interfaces";
    error = vnl_link_get(socks.nl, to, &to_link);
    if (!error && from) {
        error = vnl_link_get(socks.nl, from, &from_link);
    }
    if (error) {
        goto out;
    }
    to_ifindex = rtnl_link_get_ifindex(to_link);
    from_ifindex = from_link ? rtnl_link_get_ifindex(from_link) : 0;

    what = "bringing the interfaces up";
    error = vnl_link_configure(socks.nl, to_link, NULL, 0);
    if (!error && from_link) {
        error = vnl_link_configure(socks.nl, from_link, NULL, 0);
    }
    if (error) {
        goto out;
    }

    /* In this order, so that the address and the routes through it are on
     * one link or the other at all times: the kernel flushes a link's routes
     * once its last IPv4 address goes, and routes whose preferred source is
     * an address that is left nowhere. */
    what = "adding the address";
    error = addr_find(socks.nl, to_ifindex, ip, plen, &found);
    if (!error && !found) {
        error = vnl_addr_add(socks.nl, to_ifindex, ip, plen, true);
        if (!error) {
            VLOG_INFO("%s: added "IP_FMT"/%d", to, IP_ARGS(ip), plen);
        }
    }
    if (error || !from_link) {
        goto out;
    }

    what = "moving routes";
    error = routes_move(socks.nl, from_ifindex, to_ifindex, ip, plen,
                        &n_moved);
    if (n_moved) {
        VLOG_INFO("moved %d IPv4 route(s) from %s to %s", n_moved, from, to);
    }
    if (error) {
        goto out;
    }

    what = "removing the address from the old interface";
    error = addr_remove_ip(socks.nl, from_ifindex, ip, &found);
    if (!error && found) {
        VLOG_INFO("%s: removed "IP_FMT" (now on %s)", from, IP_ARGS(ip), to);
    }

out:
    rtnl_link_put(to_link);
    rtnl_link_put(from_link);
    vnl_socks_close(&socks);
    if (error == ENODEV && !to_link) {
        /* A device that is not there (yet, or any more): the caller tries
         * again, or says so. */
        VLOG_DBG("moving "IP_FMT"/%d from %s to %s: %s failed (%s)",
                 IP_ARGS(ip), plen, from ? from : "(none)",
                 to ? to : "(null)", what, ovs_strerror(error));
    } else if (error) {
        VLOG_WARN_RL(&rl, "moving "IP_FMT"/%d from %s to %s: %s failed (%s)",
                     IP_ARGS(ip), plen, from ? from : "(none)",
                     to ? to : "(null)", what, ovs_strerror(error));
    }
    return error;
}

int
vif_link_arp_ignore(int netns_fd, const char *ifname, bool on)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    struct rtnl_link *change = NULL;
    int error = vnl_socks_open(netns_fd, false, &socks);
    if (!error) {
        error = vnl_link_get(socks.nl, ifname, &link);
    }
    uint32_t value;
    if (!error
        && (rtnl_link_inet_get_conf(link, IPV4_DEVCONF_ARP_IGNORE, &value)
            || value != on)) {
        change = rtnl_link_alloc();
        error = vnl_errno(rtnl_link_inet_set_conf(change,
                                                  IPV4_DEVCONF_ARP_IGNORE,
                                                  on));
        if (!error) {
            error = vnl_errno(rtnl_link_change(socks.nl, link, change, 0));
        }
    }
    rtnl_link_put(change);
    rtnl_link_put(link);
    vnl_socks_close(&socks);
    return error;
}

int
vif_link_up(int netns_fd, const char *ifname, int mtu)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    int error;

    if (mtu < 0) {
        return EINVAL;
    }
    error = vnl_socks_open_link(netns_fd, ifname, &socks, &link);
    if (!error) {
        error = vnl_link_configure(socks.nl, link, NULL, mtu);
        rtnl_link_put(link);
    }
    vnl_socks_close(&socks);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: setting MTU and up failed (%s)",
                     ifname, ovs_strerror(error));
    }
    return error;
}

bool
vif_link_exists(int netns_fd, const char *ifname)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    bool exists = false;

    exists = !vnl_socks_open_link(netns_fd, ifname, &socks, &link);
    rtnl_link_put(link);
    vnl_socks_close(&socks);
    return exists;
}

int
vif_link_ensure_up(int netns_fd, const char *ifname, bool *was_down)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *link = NULL;
    int error = vnl_socks_open_link(netns_fd, ifname, &socks, &link);
    *was_down = !error && !vnl_link_is_up(link);
    if (*was_down) {
        error = vnl_link_configure(socks.nl, link, NULL, 0);
        if (error) {
            VLOG_WARN_RL(&rl, "%s: setting up failed (%s)", ifname,
                         ovs_strerror(error));
        }
    }
    rtnl_link_put(link);
    vnl_socks_close(&socks);
    return error;
}

/* Addresses and routes of an endpoint's interface (controller/vif.c). */

bool
vnl_addr_matches(struct rtnl_addr *addr, uint32_t ip, int plen)
{
    struct nl_addr *local = rtnl_addr_get_local(addr);

    return (local && nl_addr_get_len(local) == sizeof ip
            && !memcmp(nl_addr_get_binary_addr(local), &ip, sizeof ip)
            && rtnl_addr_get_prefixlen(addr) == plen);
}

/* Adds IPv4 address 'ip'/'plen' to link 'ifindex', with the subnet's
 * broadcast address if 'with_brd' (and the subnet has one).  Returns 0 also
 * if it is there already. */
int
vnl_addr_add(struct nl_sock *sk, int ifindex, uint32_t ip, int plen,
         bool with_brd)
{
    struct nl_addr *brd = NULL;
    struct rtnl_addr *addr;
    struct nl_addr *local;
    int error;

    addr = rtnl_addr_alloc();
    local = nl_addr_build(AF_INET, &ip, sizeof ip);
    if (!addr || !local) {
        error = ENOMEM;
        goto out;
    }
    nl_addr_set_prefixlen(local, plen);
    rtnl_addr_set_ifindex(addr, ifindex);
    error = vnl_errno(rtnl_addr_set_local(addr, local));
    if (!error && with_brd && plen < 31) {
        uint32_t bcast = ip | htonl(UINT32_MAX >> plen);

        brd = nl_addr_build(AF_INET, &bcast, sizeof bcast);
        error = (brd ? vnl_errno(rtnl_addr_set_broadcast(addr, brd))
                 : ENOMEM);
    }
    if (!error) {
        rtnl_addr_set_prefixlen(addr, plen);
        error = vnl_errno(rtnl_addr_add(sk, addr, 0));
        if (error == EEXIST) {
            error = 0;
        }
    }

out:
    nl_addr_put(brd);
    nl_addr_put(local);
    rtnl_addr_put(addr);
    return error;
}

/* Makes 'ip'/'plen' the only IPv4 address on link 'ifindex' (with 'ip' 0,
 * removes them all). */
int
vnl_addr_sync(struct nl_sock *sk, int ifindex, uint32_t ip, int plen)
{
    struct nl_object *obj;
    struct nl_cache *cache;
    struct rtnl_addr *addr;
    bool found = false;
    bool deleted = false;
    int error;

    error = vnl_errno(rtnl_addr_alloc_cache(sk, &cache));
    if (error) {
        return error;
    }
    for (obj = nl_cache_get_first(cache); obj; obj = nl_cache_get_next(obj)) {
        addr = (struct rtnl_addr *) obj;
        if (rtnl_addr_get_ifindex(addr) != ifindex
            || rtnl_addr_get_family(addr) != AF_INET) {
            continue;
        }
        if (ip && vnl_addr_matches(addr, ip, plen)) {
            found = true;
            continue;
        }
        error = vnl_errno(rtnl_addr_delete(sk, addr, 0));
        if (error == EADDRNOTAVAIL || error == ENODEV) {
            /* Gone already, e.g. a secondary removed with its primary. */
            error = 0;
        }
        if (error) {
            break;
        }
        deleted = true;
    }
    nl_cache_free(cache);

    /* Removing a primary address may have taken secondaries with it, so after
     * any removal add ours again and accept "already exists". */
    if (error || !ip || (found && !deleted)) {
        return error;
    }
    return vnl_addr_add(sk, ifindex, ip, plen, false);
}

/* True if link 'ifindex' has IPv4 address 'ip'/'plen'. */
bool
vnl_addr_present(struct nl_sock *sk, int ifindex, uint32_t ip, int plen)
{
    struct nl_object *obj;
    struct nl_cache *cache;
    bool found = false;

    if (vnl_errno(rtnl_addr_alloc_cache(sk, &cache))) {
        return false;
    }
    for (obj = nl_cache_get_first(cache); obj && !found;
         obj = nl_cache_get_next(obj)) {
        struct rtnl_addr *addr = (struct rtnl_addr *) obj;

        found = (rtnl_addr_get_ifindex(addr) == ifindex
                 && rtnl_addr_get_family(addr) == AF_INET
                 && vnl_addr_matches(addr, ip, plen));
    }
    nl_cache_free(cache);
    return found;
}

/* True if 'route' is a main-table IPv4 default route via 'gateway' out of
 * link 'ifindex'. */
static bool
route_is_default_via(struct rtnl_route *route, int ifindex, uint32_t gateway)
{
    struct nl_addr *dst = rtnl_route_get_dst(route);
    struct rtnl_nexthop *nh;
    struct nl_addr *gw;

    if (rtnl_route_get_family(route) != AF_INET
        || rtnl_route_get_table(route) != RT_TABLE_MAIN
        || (dst && nl_addr_get_prefixlen(dst) != 0)
        || rtnl_route_get_nnexthops(route) != 1) {
        return false;
    }

    nh = rtnl_route_nexthop_n(route, 0);
    gw = nh ? rtnl_route_nh_get_gateway(nh) : NULL;
    return (gw && rtnl_route_nh_get_ifindex(nh) == ifindex
            && nl_addr_get_len(gw) == sizeof gateway
            && !memcmp(nl_addr_get_binary_addr(gw), &gateway, sizeof gateway));
}

/* True if 'route' is an IPv4 default route of the main table. */
static bool
route_is_default(struct rtnl_route *route)
{
    struct nl_addr *dst = rtnl_route_get_dst(route);
    return (rtnl_route_get_family(route) == AF_INET
            && rtnl_route_get_table(route) == RT_TABLE_MAIN
            && (!dst || nl_addr_get_prefixlen(dst) == 0));
}

/* Makes the main table's IPv4 default route go via 'gateway' out of link
 * 'ifindex', replacing a different one, unless 'keep_other': then a default
 * route that is there already stays. */
int
vnl_default_route_ensure(struct nl_sock *sk, int ifindex, uint32_t gateway,
                     bool keep_other)
{
    static const uint32_t any = 0;
    struct rtnl_nexthop *nh = NULL;
    struct rtnl_route *route = NULL;
    struct nl_addr *dst = NULL;
    struct nl_addr *gw = NULL;
    struct nl_object *obj;
    struct nl_cache *cache;
    bool found = false;
    int error;

    error = vnl_errno(rtnl_route_alloc_cache(sk, AF_INET, 0, &cache));
    if (error) {
        return error;
    }
    for (obj = nl_cache_get_first(cache); obj && !found;
         obj = nl_cache_get_next(obj)) {
        struct rtnl_route *r = (struct rtnl_route *) obj;
        found = (route_is_default_via(r, ifindex, gateway)
                 || (keep_other && route_is_default(r)));
    }
    nl_cache_free(cache);
    if (found) {
        return 0;
    }

    route = rtnl_route_alloc();
    nh = rtnl_route_nh_alloc();
    dst = nl_addr_build(AF_INET, &any, sizeof any);
    gw = nl_addr_build(AF_INET, &gateway, sizeof gateway);
    if (!route || !nh || !dst || !gw) {
        error = ENOMEM;
        goto out;
    }
    nl_addr_set_prefixlen(dst, 0);

    rtnl_route_set_table(route, RT_TABLE_MAIN);
    rtnl_route_set_scope(route, RT_SCOPE_UNIVERSE);
    rtnl_route_set_protocol(route, RTPROT_BOOT);
    rtnl_route_set_type(route, RTN_UNICAST);
    error = vnl_errno(rtnl_route_set_family(route, AF_INET));
    if (!error) {
        error = vnl_errno(rtnl_route_set_dst(route, dst));
    }
    if (error) {
        goto out;
    }
    rtnl_route_nh_set_ifindex(nh, ifindex);
    rtnl_route_nh_set_gateway(nh, gw);
    rtnl_route_add_nexthop(route, nh);
    nh = NULL;                  /* Owned by 'route' now. */

    error = vnl_errno(rtnl_route_add(sk, route, NLM_F_REPLACE));

out:
    if (nh) {
        rtnl_route_nh_free(nh);
    }
    rtnl_route_put(route);
    nl_addr_put(dst);
    nl_addr_put(gw);
    return error;
}
