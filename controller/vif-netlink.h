/* What the files of controller/vif*.c share: entering a network namespace,
 * sockets there, small rtnetlink helpers over libnl (vif-netlink.c), named
 * namespaces (vif-netns.c), an endpoint's address and default route
 * (vif-addr.c), and the namespace end's configuration (vif.c), which
 * internal ports (vif-internal.c) share with veths.  Private to those
 * files. */
#ifndef CONTROLLER_VIF_NETLINK_H
#define CONTROLLER_VIF_NETLINK_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct rtnl_addr;
struct rtnl_link;

#define MAC_LEN 6

/* /proc entry for the network namespace of the calling thread.  Not
 * /proc/self, which names the main thread's. */
#define THREAD_NETNS_PATH "/proc/thread-self/ns/net"

/* Sockets that operate in one network namespace: the one that was current
 * when they were created, wherever the thread is when they are used. */
struct vif_socks {
    struct nl_sock *nl;         /* NETLINK_ROUTE. */
    int inet_fd;                /* AF_INET datagram socket (ioctls), or -1. */
};

#define VIF_SOCKS_INITIALIZER { NULL, -1 }

/* Converts a libnl result (0 or more on success, a negative NLE_* code on
 * failure) into 0 or a positive errno value. */
int vnl_errno(int nle);

/* Checks an interface name as the kernel does. */
bool vnl_ifname_is_valid(const char *name);

/* Moves the calling thread into the namespace 'netns_fd'; on success stores
 * in '*self_fdp' an fd for the one it was in, for vnl_netns_restore(), which
 * returns it there (or aborts: a thread must never go on in the wrong
 * namespace) and closes the fd. */
int vnl_netns_enter(int netns_fd, int *self_fdp);
void vnl_netns_restore(int self_fd);

/* Checks a namespace name ("ip netns" names, files under /run/netns). */
bool vnl_netns_name_is_valid(const char *name);
/* Opens namespace 'name' under /run/netns (ENOENT: none mounted there). */
int vnl_netns_open_named(const char *name, int *fdp);

/* Opens 's' in the namespace 'netns_fd' (-1: the current one), with an
 * AF_INET socket too if 'want_inet'; closes it. */
int vnl_socks_open(int netns_fd, bool want_inet, struct vif_socks *s);
void vnl_socks_close(struct vif_socks *s);
/* Opens 's' in the calling thread's current namespace. */
int vnl_socks_open_here(bool want_inet, struct vif_socks *s);

/* Looks up link 'name' (ENODEV: none; the caller puts '*linkp'). */
int vnl_link_get(struct nl_sock *, const char *name, struct rtnl_link **linkp);
/* The index of link 'name' in '*ifindex', asked through 's''s AF_INET socket
 * (ENODEV: none; EBADF if 's' has none).  The kernel's answer to an ioctl
 * is the index alone: a link's netlink dump, for a veth, looks up its
 * peer's namespace id among every one the namespace knows (a trunk's knows
 * one for each endpoint). */
int vnl_link_ifindex(const struct vif_socks *s, const char *name,
                     int *ifindex);
/* The other way: the name of link 'ifindex' into 'name' (ENODEV: none). */
int vnl_link_name(const struct vif_socks *s, int ifindex,
                  char name[IF_NAMESIZE]);

/* Checks 'ifname', opens 's' in 'netns_fd' and looks up the link there; on
 * success the caller puts '*linkp' and closes 's', on failure closes 's'. */
int vnl_socks_open_link(int netns_fd, const char *ifname, struct vif_socks *s,
                        struct rtnl_link **linkp);

/* Brings 'link' up, with MAC 'mac' (if nonnull) and MTU 'mtu' (if
 * positive); sends nothing if it is already so. */
int vnl_link_configure(struct nl_sock *, struct rtnl_link *,
                       const uint8_t mac[MAC_LEN], int mtu);
/* The same, with 'flags' (IFF_*) set as well as IFF_UP. */
int vnl_link_configure_flags(struct nl_sock *, struct rtnl_link *,
                             const uint8_t mac[MAC_LEN], int mtu,
                             unsigned int flags);
bool vnl_link_is_up(struct rtnl_link *);
/* Brings link 'name' up. */
int vnl_link_set_up_by_name(struct nl_sock *, const char *name);
/* Turns IPv6 off on link 'ifname' (down) of namespace 'netns_fd' (-1:
 * ours): a switch's port needs no address. */
void vnl_link_disable_ipv6(int netns_fd, const char *ifname);
/* Keeps the kernel from giving 'link' an IPv6 link-local address when it
 * goes up (0 also without IPv6 in the kernel). */
int vnl_link_disable_ipv6_addrgen(struct nl_sock *, struct rtnl_link *);

bool vnl_link_is_veth(struct rtnl_link *);
/* Deletes 'link' (0 also if it is already gone). */
int vnl_link_delete(struct nl_sock *, struct rtnl_link *);
/* Deletes link 'ifname' in namespace 'netns_fd' (-1: own) if its kind is
 * 'kind' ("veth", "tun"); 'what' names it in the log.  0 if it does not
 * exist; one of another kind is left alone. */
int vnl_link_delete_of_kind(int netns_fd, const char *ifname,
                            const char *kind, const char *what);

/* IPv4 addresses of link 'ifindex' (network byte order). */
bool vnl_addr_matches(struct rtnl_addr *, uint32_t ip, int plen);
int vnl_addr_add(struct nl_sock *, int ifindex, uint32_t ip, int plen,
                 bool with_brd);
bool vnl_addr_present(struct nl_sock *, int ifindex, uint32_t ip, int plen);
/* Makes 'ip'/'plen' the only IPv4 address of link 'ifindex' (none if 'ip'
 * is 0). */
int vnl_addr_sync(struct nl_sock *, int ifindex, uint32_t ip, int plen);
/* Makes the main table's IPv4 default route go via 'gateway' out of link
 * 'ifindex', replacing a different one, unless 'keep_other'. */
int vnl_default_route_ensure(struct nl_sock *, int ifindex, uint32_t gateway,
                             bool keep_other);

/* What a veth's namespace end and an internal port share (vif.c).
 *
 * vif_config_check() checks 'cfg' (EINVAL).  vif_ns_end_configure()
 * configures the endpoint's interface cfg->ns_ifname in its namespace,
 * through 'ns' (with an AF_INET socket): lo up (in a namespace of ours),
 * no IPv6 address, MAC, MTU, up, TX checksum offload, the IPv4 address and
 * the default route; '*what' names the step that failed, for the log. */
struct vif_config;
int vif_config_check(const struct vif_config *);
int vif_ns_end_configure(const struct vif_config *, struct vif_socks *ns,
                         const char **what);

/* Sockets in the switch's namespace and in an endpoint's.  vif_both_open()
 * opens namespace cfg->netns and sockets in it ('ns_inet': with an AF_INET
 * socket) and in 'host_netns_fd'; '*what' names the step that failed. */
struct vif_both {
    struct vif_socks host, ns;
    int ns_fd;                  /* The endpoint's namespace. */
};
#define VIF_BOTH_INITIALIZER \
    { VIF_SOCKS_INITIALIZER, VIF_SOCKS_INITIALIZER, -1 }
int vif_both_open(const struct vif_config *, int host_netns_fd,
                  bool ns_inet, struct vif_both *, const char **what);
void vif_both_close(struct vif_both *);

#endif /* controller/vif-netlink.h */
