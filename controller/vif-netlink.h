/* What controller/vif.c and controller/vif-addr.c share: sockets in a
 * network namespace, and small rtnetlink helpers over libnl.  Private to
 * those two files. */
#ifndef CONTROLLER_VIF_NETLINK_H
#define CONTROLLER_VIF_NETLINK_H 1

#include <stdbool.h>
#include <stdint.h>

struct nl_sock;
struct rtnl_addr;
struct rtnl_link;

#define MAC_LEN 6

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

/* Opens 's' in the namespace 'netns_fd' (-1: the current one), with an
 * AF_INET socket too if 'want_inet'; closes it. */
int vnl_socks_open(int netns_fd, bool want_inet, struct vif_socks *s);
void vnl_socks_close(struct vif_socks *s);

/* Looks up link 'name' (ENODEV: none; the caller puts '*linkp'). */
int vnl_link_get(struct nl_sock *, const char *name, struct rtnl_link **linkp);

/* Checks 'ifname', opens 's' in 'netns_fd' and looks up the link there; on
 * success the caller puts '*linkp' and closes 's', on failure closes 's'. */
int vnl_socks_open_link(int netns_fd, const char *ifname, struct vif_socks *s,
                        struct rtnl_link **linkp);

/* Brings 'link' up, with MAC 'mac' (if nonnull) and MTU 'mtu' (if
 * positive); sends nothing if it is already so. */
int vnl_link_configure(struct nl_sock *, struct rtnl_link *,
                       const uint8_t mac[MAC_LEN], int mtu);

/* IPv4 addresses of link 'ifindex' (network byte order). */
bool vnl_addr_matches(struct rtnl_addr *, uint32_t ip, int plen);
int vnl_addr_add(struct nl_sock *, int ifindex, uint32_t ip, int plen,
                 bool with_brd);
bool vnl_addr_present(struct nl_sock *, int ifindex, uint32_t ip, int plen);

#endif /* controller/vif-netlink.h */
