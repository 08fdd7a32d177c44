/* Open vSwitch internal ports as endpoints' interfaces (controller/vif.h),
 * moved into the endpoint's namespace and configured there as a veth's
 * namespace end is (vif.c). */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-addr.h"
#include "controller/vif-netlink.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <netlink/route/link.h>

#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_internal);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

int
vif_internal_ensure(const struct vif_config *cfg, int host_netns_fd)
{
    struct vif_both b = VIF_BOTH_INITIALIZER;
    struct rtnl_link *in_host = NULL, *in_ns = NULL;
    const char *what = "checking the configuration";
    int error;

    error = vif_config_check(cfg);
    if (!error && strcmp(cfg->ns_ifname, cfg->host_ifname)) {
        error = EINVAL;
    }
    if (!error) {
        error = vif_both_open(cfg, host_netns_fd, true, &b, &what);
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
            error = vnl_link_delete(b.ns.nl, in_ns);
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

    error = vif_ns_end_configure(cfg, &b.ns, &what);

out:
    rtnl_link_put(in_host);
    rtnl_link_put(in_ns);
    vif_both_close(&b);
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

    if (!vif_config_check(cfg)
        && !vif_both_open(cfg, host_netns_fd, false, &b, &what)
        && !vnl_link_get(b.ns.nl, cfg->host_ifname, &link)) {
        ok = (vnl_link_get(b.host.nl, cfg->host_ifname, &stray) == ENODEV
              && vnl_link_is_up(link)
              && (!cfg->ip
                  || vnl_addr_present(b.ns.nl, rtnl_link_get_ifindex(link),
                                      cfg->ip, cfg->plen)));
    }
    rtnl_link_put(link);
    rtnl_link_put(stray);
    vif_both_close(&b);
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
    if (!error && !vnl_link_get(ns.nl, ifname, &link) && !vnl_link_is_veth(link)) {
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
