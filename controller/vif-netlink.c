/* Sockets in a network namespace and small rtnetlink helpers over libnl,
 * shared by the files of controller/vif*.c (controller/vif-netlink.h). */
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

VLOG_DEFINE_THIS_MODULE(vif_netlink);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

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

bool
vnl_ifname_is_valid(const char *name)
{
    size_t len = name ? strlen(name) : 0;

    return (len > 0 && len < IFNAMSIZ
            && !strpbrk(name, "/: \t\n")
            && strcmp(name, ".") && strcmp(name, ".."));
}

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
 * in '*self_fdp' an fd for the namespace it was in, for vnl_netns_restore(). */
int
vnl_netns_enter(int netns_fd, int *self_fdp)
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
void
vnl_netns_restore(int self_fd)
{
    if (setns(self_fd, CLONE_NEWNET)) {
        ovs_abort(errno, "cannot return to the original network namespace");
    }
    close(self_fd);
}

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
int
vnl_socks_open_here(bool want_inet, struct vif_socks *s)
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
        return vnl_socks_open_here(want_inet, s);
    }

    s->nl = NULL;
    s->inet_fd = -1;
    error = vnl_netns_enter(netns_fd, &self_fd);
    if (error) {
        return error;
    }
    error = vnl_socks_open_here(want_inet, s);
    vnl_netns_restore(self_fd);
    return error;
}

/* Looks up link 'name'.  Returns 0 and the link in '*linkp' (the caller must
 * rtnl_link_put() it), ENODEV if there is none, or another errno value. */
int
vnl_link_get(struct nl_sock *sk, const char *name, struct rtnl_link **linkp)
{
    *linkp = NULL;
    return vnl_errno(rtnl_link_get_kernel(sk, 0, name, linkp));
}

int
vnl_link_ifindex(const struct vif_socks *s, const char *name, int *ifindex)
{
    *ifindex = 0;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (strlen(name) >= sizeof ifr.ifr_name) {
        return ENODEV;
    }
    ovs_strlcpy(ifr.ifr_name, name, sizeof ifr.ifr_name);
    if (ioctl(s->inet_fd, SIOCGIFINDEX, &ifr)) {
        return errno;
    }
    *ifindex = ifr.ifr_ifindex;
    return 0;
}

int
vnl_link_name(const struct vif_socks *s, int ifindex, char name[IF_NAMESIZE])
{
    if (ifindex <= 0) {
        return ENODEV;
    }
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_ifindex = ifindex;
    if (ioctl(s->inet_fd, SIOCGIFNAME, &ifr)) {
        return errno;
    }
    ovs_strlcpy(name, ifr.ifr_name, IF_NAMESIZE);
    return 0;
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

bool
vnl_link_is_up(struct rtnl_link *link)
{
    return (rtnl_link_get_flags(link) & IFF_UP) != 0;
}

int
vnl_link_configure(struct nl_sock *sk, struct rtnl_link *link,
                   const uint8_t mac[MAC_LEN], int mtu)
{
    return vnl_link_configure_flags(sk, link, mac, mtu, 0);
}

int
vnl_link_configure_flags(struct nl_sock *sk, struct rtnl_link *link,
                         const uint8_t mac[MAC_LEN], int mtu,
                         unsigned int flags)
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
    flags |= IFF_UP;
    if ((rtnl_link_get_flags(link) & flags) != flags) {
        rtnl_link_set_flags(change, flags);
        changed = true;
    }

    if (changed) {
        error = vnl_errno(rtnl_link_change(sk, link, change, 0));
    }

out:
    rtnl_link_put(change);
    return error;
}

int
vnl_link_set_up_by_name(struct nl_sock *sk, const char *name)
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

bool
vnl_link_is_veth(struct rtnl_link *link)
{
    const char *type = rtnl_link_get_type(link);

    return type && !strcmp(type, "veth");
}

int
vnl_link_delete(struct nl_sock *sk, struct rtnl_link *link)
{
    int error = vnl_errno(rtnl_link_delete(sk, link));

    return error == ENODEV ? 0 : error;
}

int
vnl_link_delete_of_kind(int netns_fd, const char *ifname, const char *kind,
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
            error = vnl_link_delete(socks.nl, link);
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

/* Turns IPv6 off on link 'ifname' of namespace 'netns_fd' (-1: ours), which
 * must be down: a switch's port needs no address, and IPv6 on it would give
 * it a multicast route in the switch's namespace when it goes up, on which
 * Open vSwitch reads every route of the namespace again.  Without IPv6 in the
 * kernel there is nothing to do.  Where it cannot be done (a read-only
 * /proc/sys in a container), IPv6 stays on: the port works all the same,
 * with more work for Open vSwitch. */
void
vnl_link_disable_ipv6(int netns_fd, const char *ifname)
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
