/* Link notices of one network namespace (controller/vif.h: vif_watch_*()):
 * which interfaces were deleted, or are not up with a carrier, and, where
 * asked, which lost a filter, as it happens, so that an endpoint whose
 * devices or filters went away is looked at at once rather than when its
 * turn in the periodic checks comes. */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-netlink.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_watch);

/* Room for the notices of a burst (thousands of links made at once). */
#define WATCH_RCVBUF (4 * 1024 * 1024)
/* Notices read per call (one per datagram), so that a burst does not hold up
 * the rest of the main loop. */
#define WATCH_BATCH 1024

struct vif_watch {
    struct vif_socks socks;     /* NETLINK_ROUTE, in RTNLGRP_LINK (and
                                 * RTNLGRP_TC). */
};

int
vif_watch_open(int netns_fd, bool tc, struct vif_watch **watchp)
{
    struct vif_socks socks = VIF_SOCKS_INITIALIZER;
    int error = vnl_socks_open(netns_fd, false, &socks);

    *watchp = NULL;
    if (!error) {
        nl_socket_disable_seq_check(socks.nl);
        error = vnl_errno(nl_socket_add_membership(socks.nl, RTNLGRP_LINK));
    }
    if (!error && tc) {
        error = vnl_errno(nl_socket_add_membership(socks.nl, RTNLGRP_TC));
    }
    if (!error) {
        error = vnl_errno(nl_socket_set_nonblocking(socks.nl));
    }
    if (error) {
        vnl_socks_close(&socks);
        return error;
    }
    int fd = nl_socket_get_fd(socks.nl);
    int size = WATCH_RCVBUF;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)) {
        /* Without CAP_NET_ADMIN: as much as the system allows. */
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    *watchp = xmalloc(sizeof **watchp);
    (*watchp)->socks = socks;
    return 0;
}

void
vif_watch_close(struct vif_watch *w)
{
    if (w) {
        vnl_socks_close(&w->socks);
        free(w);
    }
}

void
vif_notices_init(struct vif_notices *n)
{
    sset_init(&n->troubled);
    sset_init(&n->deleted);
    sset_init(&n->present);
    n->tc = NULL;
    n->n_tc = n->allocated_tc = 0;
    n->lost = false;
}

void
vif_notices_destroy(struct vif_notices *n)
{
    sset_destroy(&n->troubled);
    sset_destroy(&n->deleted);
    sset_destroy(&n->present);
    free(n->tc);
}

/* Adds one notice to 'out'. */
static void
parse_notice(const struct nlmsghdr *h, struct vif_notices *out)
{
    if ((h->nlmsg_type == RTM_DELTFILTER || h->nlmsg_type == RTM_DELQDISC
         || h->nlmsg_type == RTM_NEWTFILTER)
        && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct tcmsg))) {
        const struct tcmsg *tcm = NLMSG_DATA(h);
        if (out->n_tc >= out->allocated_tc) {
            out->tc = x2nrealloc(out->tc, &out->allocated_tc, sizeof *out->tc);
        }
        /* (The kernel's notice of a change a request made carries the
         * requesting socket's port.) */
        out->tc[out->n_tc++] = (struct vif_tc_notice) {
            .ifindex = tcm->tcm_ifindex,
            .deleted = h->nlmsg_type != RTM_NEWTFILTER,
            .sender = h->nlmsg_pid,
        };
        return;
    }
    if ((h->nlmsg_type != RTM_NEWLINK && h->nlmsg_type != RTM_DELLINK)
        || h->nlmsg_len < NLMSG_LENGTH(sizeof(struct ifinfomsg))) {
        return;
    }
    const struct ifinfomsg *ifi = NLMSG_DATA(h);
    int len = h->nlmsg_len - NLMSG_LENGTH(sizeof *ifi);
    for (const struct rtattr *rta = IFLA_RTA(ifi); RTA_OK(rta, len);
         rta = RTA_NEXT(rta, len)) {
        if (rta->rta_type != IFLA_IFNAME) {
            continue;
        }
        char name[IF_NAMESIZE];
        size_t n = RTA_PAYLOAD(rta);
        if (!n || n > sizeof name) {
            return;
        }
        memcpy(name, RTA_DATA(rta), n);
        name[n - 1] = '\0';
        /* The carrier as the device has it now (IFF_LOWER_UP), not its
         * operational state (IFF_RUNNING), which the kernel follows later,
         * up to a second later, in a notice of its own: a veth set up after
         * its peer has its carrier in the notice of its setting up. */
        bool up = (ifi->ifi_flags & (IFF_UP | IFF_LOWER_UP))
                  == (IFF_UP | IFF_LOWER_UP);
        if (h->nlmsg_type == RTM_DELLINK) {
            sset_add(&out->deleted, name);
            sset_add(&out->troubled, name);
        } else if (!up) {
            sset_add(&out->troubled, name);
        } else if (!sset_contains(&out->deleted, name)) {
            /* Up with a carrier now, as when just made. */
            sset_find_and_delete(&out->troubled, name);
        }
        if (h->nlmsg_type == RTM_NEWLINK) {
            sset_add(&out->present, name);
        }
        return;
    }
}

void
vif_watch_run(struct vif_watch *w, struct vif_notices *out)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);

    if (!w) {
        return;
    }
    for (int i = 0; i < WATCH_BATCH; i++) {
        uint64_t buf[8192];     /* 64 kB, aligned for the headers. */
        ssize_t n = recv(nl_socket_get_fd(w->socks.nl), buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == ENOBUFS) {
                /* Notices were lost: the caller looks at everything. */
                VLOG_INFO_RL(&rl, "link notices were lost (too many at "
                             "once)");
                out->lost = true;
                continue;
            }
            if (errno != EAGAIN && errno != EINTR) {
                VLOG_WARN_RL(&rl, "reading link notices: %s",
                             ovs_strerror(errno));
            }
            break;
        }
        int len = n;
        for (const struct nlmsghdr *h = (const struct nlmsghdr *) buf;
             NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
            parse_notice(h, out);
        }
    }
}

void
vif_watch_wait(const struct vif_watch *w)
{
    if (w) {
        poll_fd_wait(nl_socket_get_fd(w->socks.nl), POLLIN);
    }
}
