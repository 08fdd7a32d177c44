/* Tap devices as endpoints' interfaces (controller/vif.h). */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-netlink.h"

#include <errno.h>
#include <string.h>
#include <fcntl.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/if_tun.h>

#include <netlink/route/link.h>

#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_tap);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

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
            if (!error && !exists) {
                /* (Before it goes up, as a veth's host end: here, in the
                 * switch's namespace.) */
                vnl_link_disable_ipv6(-1, ifname);
            }
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
        /* Up already promiscuous, as Open vSwitch would make it: one change
         * of the link less where the switch runs (each makes Open vSwitch
         * reconfigure every port). */
        error = vnl_link_configure_flags(socks.nl, link, NULL, mtu,
                                         IFF_PROMISC);
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
    return vnl_link_delete_of_kind(netns_fd, ifname, "tun", "tap");
}
