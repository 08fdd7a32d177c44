#include <config.h>
#include "controller/vif.h"
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

#define NETNS_RUN_DIR "/run/netns"

/* /proc entry for the network namespace of the calling thread.  Not
 * /proc/self, which names the main thread's. */
#define THREAD_NETNS_PATH "/proc/thread-self/ns/net"

#ifndef NSFS_MAGIC
#define NSFS_MAGIC 0x6e736673
#endif

/* Converts a libnl result (0 or more on success, a negative NLE_* code on
 * failure) into 0 or a positive errno value.  This is the only place that
 * interprets NLE_* codes. */
int
vnl_errno(int nle)
{
    if (nle >= 0) {
        return 0;
    }

    switch (-nle) {
    case NLE_EXIST:
        return EEXIST;
    case NLE_OBJ_NOTFOUND:
    case NLE_NODEV:
        return ENODEV;
    case NLE_NOADDR:
        return EADDRNOTAVAIL;
    case NLE_PERM:
    case NLE_IMMUTABLE:
        return EPERM;
    case NLE_NOACCESS:
        return EACCES;
    case NLE_NOMEM:
        return ENOMEM;
    case NLE_INVAL:
    case NLE_MISSING_ATTR:
    case NLE_AF_MISMATCH:
        return EINVAL;
    case NLE_BUSY:
        return EBUSY;
    case NLE_AGAIN:
        return EAGAIN;
    case NLE_INTR:
        return EINTR;
    case NLE_RANGE:
        return ERANGE;
    case NLE_OPNOTSUPP:
        return EOPNOTSUPP;
    case NLE_AF_NOSUPPORT:
        return EAFNOSUPPORT;
    case NLE_PROTO_MISMATCH:
        return EPROTONOSUPPORT;
    case NLE_BAD_SOCK:
        return EBADF;
    case NLE_MSGSIZE:
        return EMSGSIZE;
    default:
        /* E.g. NLE_FAILURE, which stands for any errno libnl does not know:
         * ENETUNREACH for a gateway outside the prefix, for one. */
        VLOG_DBG_RL(&rl, "libnl error: %s", nl_geterror(nle));
        return EIO;
    }
}

/* Names. */

static bool
netns_name_is_valid(const char *name)
{
    return (name && name[0] && strlen(name) <= NAME_MAX
            && !strchr(name, '/')
            && strcmp(name, ".") && strcmp(name, ".."));
}

bool
vnl_ifname_is_valid(const char *name)
{
    size_t len = name ? strlen(name) : 0;

    return (len > 0 && len < IFNAMSIZ
            && !strpbrk(name, "/: \t\n")
            && strcmp(name, ".") && strcmp(name, ".."));
}

static bool
mac_is_valid(const uint8_t mac[MAC_LEN])
{
    static const uint8_t zero[MAC_LEN];

    return !(mac[0] & 1) && memcmp(mac, zero, MAC_LEN);
}

static int
config_check(const struct vif_config *cfg)
{
    if (!netns_name_is_valid(cfg->netns)
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

/* Stores "/run/netns/NAME" in 'path', which must have room for PATH_MAX
 * bytes. */
static int
netns_path(const char *name, char path[PATH_MAX])
{
    if (!netns_name_is_valid(name)) {
        return EINVAL;
    }
    snprintf(path, PATH_MAX, "%s/%s", NETNS_RUN_DIR, name);
    return 0;
}

/* Namespaces of the calling thread. */

int
vif_open_netns_of_pid(pid_t pid, int *fdp)
{
    char path[64];
    int fd;

    if (pid < 0) {
        *fdp = -1;
        return EINVAL;
    }
    if (pid) {
        snprintf(path, sizeof path, "/proc/%ld/ns/net", (long int) pid);
    } else {
        ovs_strlcpy(path, THREAD_NETNS_PATH, sizeof path);
    }

    fd = open(path, O_RDONLY | O_CLOEXEC);
    *fdp = fd;
    return fd < 0 ? errno : 0;
}

/* Moves the calling thread into the namespace 'netns_fd'.  On success, stores
 * in '*self_fdp' an fd for the namespace it was in, for netns_restore(). */
static int
netns_enter(int netns_fd, int *self_fdp)
{
    int error = vif_open_netns_of_pid(0, self_fdp);
    if (error) {
        return error;
    }
    if (setns(netns_fd, CLONE_NEWNET)) {
        error = errno;
        close(*self_fdp);
        *self_fdp = -1;
    }
    return error;
}

/* Returns the calling thread to the namespace 'self_fd' and closes it.  A
 * thread left in the wrong namespace would silently act on the wrong
 * interfaces from then on, so failing here is fatal. */
static void
netns_restore(int self_fd)
{
    if (setns(self_fd, CLONE_NEWNET)) {
        ovs_abort(errno, "cannot return to the original network namespace");
    }
    close(self_fd);
}

static bool
fd_is_netns(int fd)
{
    struct statfs sfs;

    return (!fstatfs(fd, &sfs)
            && (sfs.f_type == NSFS_MAGIC || sfs.f_type == PROC_SUPER_MAGIC));
}

/* Opens namespace 'name' under /run/netns.  ENOENT if there is no namespace
 * mounted there. */
static int
netns_open_named(const char *name, int *fdp)
{
    char path[PATH_MAX];
    int error, fd;

    *fdp = -1;
    error = netns_path(name, path);
    if (error) {
        return error;
    }

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return errno;
    }
    if (!fd_is_netns(fd)) {
        close(fd);
        return ENOENT;
    }
    *fdp = fd;
    return 0;
}

/* Sockets. */

void
vnl_socks_close(struct vif_socks *s)
{
    if (s->nl) {
        nl_socket_free(s->nl);
        s->nl = NULL;
    }
    if (s->inet_fd >= 0) {
        close(s->inet_fd);
        s->inet_fd = -1;
    }
}

/* Opens 's' in the calling thread's current namespace. */
static int
socks_open_here(bool want_inet, struct vif_socks *s)
{
    int error;

    s->inet_fd = -1;
    s->nl = nl_socket_alloc();
    if (!s->nl) {
        return ENOMEM;
    }

    error = vnl_errno(nl_connect(s->nl, NETLINK_ROUTE));
    if (!error && want_inet) {
        s->inet_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s->inet_fd < 0) {
            error = errno;
        }
    }
    if (error) {
        vnl_socks_close(s);
    }
    return error;
}

/* Opens 's' in the namespace 'netns_fd' (-1: the current one). */
int
vnl_socks_open(int netns_fd, bool want_inet, struct vif_socks *s)
{
    int self_fd, error;

    if (netns_fd < 0) {
        return socks_open_here(want_inet, s);
    }

    s->nl = NULL;
    s->inet_fd = -1;
    error = netns_enter(netns_fd, &self_fd);
    if (error) {
        return error;
    }
    error = socks_open_here(want_inet, s);
    netns_restore(self_fd);
    return error;
}

/* Links. */

/* Looks up link 'name'.  Returns 0 and the link in '*linkp' (the caller must
 * rtnl_link_put() it), ENODEV if there is none, or another errno value. */
int
vnl_link_get(struct nl_sock *sk, const char *name, struct rtnl_link **linkp)
{
    *linkp = NULL;
    return vnl_errno(rtnl_link_get_kernel(sk, 0, name, linkp));
}

/* Checks 'ifname', opens 's' in namespace 'netns_fd' and looks up link
 * 'ifname' there, as the functions on one link of a namespace all begin.
 * Returns 0, or an errno value (ENODEV: no such link); on success the
 * caller puts '*linkp' and closes 's', on failure only closes 's'. */
int
vnl_socks_open_link(int netns_fd, const char *ifname, struct vif_socks *s,
                struct rtnl_link **linkp)
{
    *linkp = NULL;
    if (!vnl_ifname_is_valid(ifname)) {
        return EINVAL;
    }
    int error = vnl_socks_open(netns_fd, false, s);
    return error ? error : vnl_link_get(s->nl, ifname, linkp);
}

static bool
link_is_veth(struct rtnl_link *link)
{
    const char *type = rtnl_link_get_type(link);

    return type && !strcmp(type, "veth");
}

static bool
link_is_up(struct rtnl_link *link)
{
    return (rtnl_link_get_flags(link) & IFF_UP) != 0;
}

/* Deletes 'link'.  Returns 0 also if it is already gone. */
static int
link_delete(struct nl_sock *sk, struct rtnl_link *link)
{
    int error = vnl_errno(rtnl_link_delete(sk, link));

    return error == ENODEV ? 0 : error;
}

/* Brings 'link' up, with MAC 'mac' (if nonnull) and MTU 'mtu' (if positive).
 * Sends nothing if it is already so. */
int
vnl_link_configure(struct nl_sock *sk, struct rtnl_link *link,
               const uint8_t mac[MAC_LEN], int mtu)
{
    struct rtnl_link *change;
    bool changed = false;
    int error = 0;

    change = rtnl_link_alloc();
    if (!change) {
        return ENOMEM;
    }

    if (mac) {
        struct nl_addr *cur = rtnl_link_get_addr(link);

        if (!cur || nl_addr_get_len(cur) != MAC_LEN
            || memcmp(nl_addr_get_binary_addr(cur), mac, MAC_LEN)) {
            struct nl_addr *addr = nl_addr_build(AF_LLC, mac, MAC_LEN);

            if (!addr) {
                error = ENOMEM;
                goto out;
            }
            rtnl_link_set_addr(change, addr);
            nl_addr_put(addr);
            changed = true;
        }
    }
    if (mtu > 0 && rtnl_link_get_mtu(link) != mtu) {
        rtnl_link_set_mtu(change, mtu);
        changed = true;
    }
    if (!link_is_up(link)) {
        rtnl_link_set_flags(change, IFF_UP);
        changed = true;
    }

    if (changed) {
        error = vnl_errno(rtnl_link_change(sk, link, change, 0));
    }

out:
    rtnl_link_put(change);
    return error;
}

/* Keeps the kernel from giving 'link' an IPv6 link-local address when it goes
 * up, so that a host end sends nothing of its own into the switch.  Without
 * IPv6 in the kernel there is nothing to do. */
static int
link_disable_ipv6_addrgen(struct nl_sock *sk, struct rtnl_link *link)
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
link_set_up_by_name(struct nl_sock *sk, const char *name)
{
    struct rtnl_link *link;
    int error;

    error = vnl_link_get(sk, name, &link);
    if (!error) {
        error = vnl_link_configure(sk, link, NULL, 0);
        rtnl_link_put(link);
    }
    return error;
}

/* Namespace ids. */

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

/* Addresses and routes. */

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
static int
addr_sync(struct nl_sock *sk, int ifindex, uint32_t ip, int plen)
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
static int
default_route_ensure(struct nl_sock *sk, int ifindex, uint32_t gateway,
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

/* Network namespaces. */

/* Makes /run/netns a shared mount point, as iproute2 does, so that unmounting
 * a namespace there is seen by every mount namespace that shares it. */
static int
netns_run_dir_prepare(void)
{
    bool made_mount = false;

    if (mkdir(NETNS_RUN_DIR, 0755) && errno != EEXIST) {
        return errno;
    }
    while (mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL)) {
        if (errno != EINVAL || made_mount) {
            return errno;
        }
        /* Not a mount point yet: bind-mount it onto itself. */
        if (mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC,
                  NULL)) {
            return errno;
        }
        made_mount = true;
    }
    return 0;
}

bool
vif_netns_exists(const char *name)
{
    char path[PATH_MAX];
    struct statfs sfs;

    return (!netns_path(name, path)
            && !statfs(path, &sfs)
            && (sfs.f_type == NSFS_MAGIC || sfs.f_type == PROC_SUPER_MAGIC));
}

/* Brings "lo" up in the existing namespace 'name'. */
static int
netns_lo_up(const char *name)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    int error, fd;

    error = netns_open_named(name, &fd);
    if (error) {
        return error;
    }
    error = vnl_socks_open(fd, false, &socks);
    close(fd);
    if (!error) {
        error = link_set_up_by_name(socks.nl, "lo");
        vnl_socks_close(&socks);
    }
    return error;
}

int
vif_netns_add(const char *name)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    bool created = false;
    bool mounted = false;
    char path[PATH_MAX];
    int self_fd = -1;
    int error, fd;

    error = netns_path(name, path);
    if (error) {
        return error;
    }

    if (vif_netns_exists(name)) {
        error = netns_lo_up(name);
        goto out;
    }

    error = netns_run_dir_prepare();
    if (error) {
        goto out;
    }

    fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
    if (fd >= 0) {
        created = true;
        close(fd);
    } else if (errno != EEXIST) {
        error = errno;
        goto out;
    }
    /* Otherwise a leftover file with no namespace on it: reuse it. */

    error = vif_open_netns_of_pid(0, &self_fd);
    if (error) {
        goto out;
    }
    if (unshare(CLONE_NEWNET)) {
        error = errno;
        close(self_fd);
        goto out;
    }
    /* In the new namespace: open the socket that brings its "lo" up, and pin
     * the namespace by bind-mounting it onto the file. */
    error = socks_open_here(false, &socks);
    if (!error) {
        if (mount(THREAD_NETNS_PATH, path, "none", MS_BIND, NULL)) {
            error = errno;
        } else {
            mounted = true;
        }
    }
    netns_restore(self_fd);

    if (!error) {
        VLOG_INFO("created network namespace %s", name);
        error = link_set_up_by_name(socks.nl, "lo");
    }

out:
    vnl_socks_close(&socks);
    if (error) {
        if (created && !mounted) {
            unlink(path);
        }
        VLOG_WARN_RL(&rl, "adding network namespace %s failed (%s)",
                     name ? name : "(null)", ovs_strerror(error));
    }
    return error;
}

int
vif_netns_del(const char *name)
{
    char path[PATH_MAX];
    bool existed;
    int error;

    error = netns_path(name, path);
    if (error) {
        return error;
    }

    existed = vif_netns_exists(name);
    if (umount2(path, MNT_DETACH) && errno != EINVAL && errno != ENOENT) {
        error = errno;
    } else if (unlink(path) && errno != ENOENT) {
        error = errno;
    }

    if (error) {
        VLOG_WARN_RL(&rl, "deleting network namespace %s failed (%s)",
                     name, ovs_strerror(error));
    } else if (existed) {
        VLOG_INFO("deleted network namespace %s", name);
    }
    return error;
}

/* Veth pairs. */

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
 * replacing whatever stands in the way that is ours to replace. */
static int
pair_ensure(const struct vif_config *cfg, struct vif_socks *host,
            struct vif_socks *ns, int ns_fd)
{
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
 * that failed, for the log. */
static int
ns_end_configure(const struct vif_config *cfg, struct vif_socks *ns,
                 const char **what)
{
    struct rtnl_link *link;
    int error, ifindex;

    if (!cfg->foreign_netns) {
        *what = "bringing up lo";
        error = link_set_up_by_name(ns->nl, "lo");
        if (error) {
            return error;
        }
    }

    *what = "setting MAC, MTU and up";
    error = vnl_link_get(ns->nl, cfg->ns_ifname, &link);
    if (error) {
        return error;
    }
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
    error = addr_sync(ns->nl, ifindex, cfg->ip, cfg->plen);
    if (error) {
        return error;
    }

    if (cfg->gateway) {
        *what = "setting the default route";
        error = default_route_ensure(ns->nl, ifindex, cfg->gateway,
                                     cfg->foreign_netns);
    }
    return error;
}

int
vif_create(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_socks host = VIF_SOCKS_INITIALIZER;
    struct vif_socks ns = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *host_link;
    const char *what;
    int ns_fd = -1;
    int error;

    what = "checking the configuration";
    error = config_check(cfg);
    if (error) {
        goto out;
    }

    what = "opening the namespace";
    error = netns_open_named(cfg->netns, &ns_fd);
    if (error) {
        goto out;
    }

    what = "opening sockets";
    error = vnl_socks_open(host_netns_fd, false, &host);
    if (!error) {
        error = vnl_socks_open(ns_fd, true, &ns);
    }
    if (error) {
        goto out;
    }

    what = "creating the veth pair";
    error = pair_ensure(cfg, &host, &ns, ns_fd);
    if (error) {
        goto out;
    }

    what = "bringing up the host end";
    error = vnl_link_get(host.nl, cfg->host_ifname, &host_link);
    if (!error) {
        /* Before it first goes up. */
        error = link_disable_ipv6_addrgen(host.nl, host_link);
        if (!error) {
            error = vnl_link_configure(host.nl, host_link, NULL, cfg->mtu);
        }
        rtnl_link_put(host_link);
    }
    if (error) {
        goto out;
    }

    error = ns_end_configure(cfg, &ns, &what);

out:
    vnl_socks_close(&host);
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

int
vif_tap_delete(int netns_fd, const char *ifname)
{
    return delete_link_of_kind(netns_fd, ifname, "tun", "tap");
}

bool
vif_is_configured(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_socks host = VIF_SOCKS_INITIALIZER;
    struct vif_socks ns = VIF_SOCKS_INITIALIZER;
    struct rtnl_link *host_link = NULL;
    struct rtnl_link *ns_link = NULL;
    bool ok = false;
    int ns_fd = -1;

    if (config_check(cfg)
        || netns_open_named(cfg->netns, &ns_fd)
        || vnl_socks_open(host_netns_fd, false, &host)
        || vnl_socks_open(ns_fd, false, &ns)
        || vnl_link_get(host.nl, cfg->host_ifname, &host_link)
        || vnl_link_get(ns.nl, cfg->ns_ifname, &ns_link)) {
        goto out;
    }

    ok = (link_is_up(host_link)
          && link_is_up(ns_link)
          && link_is_peer(host.nl, host_link, ns_fd, ns_link)
          && (!cfg->ip || vnl_addr_present(ns.nl, rtnl_link_get_ifindex(ns_link),
                                       cfg->ip, cfg->plen)));

out:
    rtnl_link_put(host_link);
    rtnl_link_put(ns_link);
    vnl_socks_close(&host);
    vnl_socks_close(&ns);
    if (ns_fd >= 0) {
        close(ns_fd);
    }
    return ok;
}
