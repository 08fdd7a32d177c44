/* Trunks: many endpoints of one network behind one port of the switch (see
 * controller/vif.h).  Kernel objects only: the veth pairs, a clsact qdisc on
 * each device, and u32 filters with mirred actions, made through
 * libnl-route-3.  This file: the trunk's namespace and links, and each
 * endpoint's device and its own filters; the trunk's own filters are in
 * controller/vif-trunk-filters.c. */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-netlink.h"
#include "controller/vif-tc.h"
#include "controller/vif-trunk-private.h"

#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/tc_act/tc_mirred.h>

#include <netlink/netlink.h>
#include <netlink/cache.h>
#include <netlink/route/action.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/link.h>
#include <netlink/route/link/veth.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_trunk);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* The links of the trunk's namespace that it needs: its end of the port and
 * the sink. */
static int
trunk_links(struct vif_trunk *t)
{
    struct rtnl_link *link;
    int error = vnl_link_get(t->socks.nl, TRUNK_IFNAME, &link);
    if (error) {
        return error;
    }
    t->trunk_ifindex = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);

    error = vnl_link_get(t->socks.nl, SINK_IFNAME, &link);
    if (error == ENODEV) {
        struct rtnl_link *pair = rtnl_link_veth_alloc();
        if (!pair) {
            return ENOMEM;
        }
        struct rtnl_link *peer = rtnl_link_veth_get_peer(pair);
        rtnl_link_set_name(pair, SINK_IFNAME);
        rtnl_link_set_name(peer, SINK_PEER_IFNAME);
        rtnl_link_put(peer);
        error = vnl_errno(rtnl_link_add(t->socks.nl, pair,
                                        NLM_F_CREATE | NLM_F_EXCL));
        rtnl_link_veth_release(pair);
        if (!error) {
            error = vnl_link_get(t->socks.nl, SINK_IFNAME, &link);
        }
    }
    if (error) {
        return error;
    }
    t->sink_ifindex = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    static const char *const sink_ends[] = { SINK_PEER_IFNAME, SINK_IFNAME };
    for (size_t i = 0; i < ARRAY_SIZE(sink_ends) && !error; i++) {
        error = vnl_link_get(t->socks.nl, sink_ends[i], &link);
        if (!error) {
            error = vnl_link_disable_ipv6_addrgen(t->socks.nl, link);
        }
        if (!error) {
            error = vnl_link_configure(t->socks.nl, link, NULL, 0);
        }
        if (link) {
            rtnl_link_put(link);
            link = NULL;
        }
    }
    return error ? error : vtc_clsact_ensure(t->socks.nl, t->trunk_ifindex);
}

bool
vif_trunk_has_device(const struct vif_trunk *t, const char *ifname)
{
    return trunk_ep_find(t, ifname) != NULL;
}

uint32_t
vif_trunk_port_id(const struct vif_trunk *t)
{
    /* (libnl reads the port the kernel bound when it connects.) */
    return t->socks.nl ? nl_socket_get_local_port(t->socks.nl) : 0;
}

const char *
vif_trunk_device_name(const struct vif_trunk *t, int ifindex)
{
    const struct trunk_ep *ep;
    HMAP_FOR_EACH (ep, node, &t->eps) {
        if (ep->ifindex == ifindex) {
            return ep->ifname;
        }
    }
    return NULL;
}

int
vif_trunk_ifindex(const struct vif_trunk *t)
{
    return t->trunk_ifindex;
}

int
vif_trunk_ensure(const char *netns, const char *host_ifname,
                 const uint8_t mac[6], int mtu, int host_netns_fd)
{
    int error = vif_netns_add(netns);
    if (!error) {
        struct vif_config cfg = {
            .netns = netns,
            .host_ifname = host_ifname,
            .ns_ifname = TRUNK_IFNAME,
            .mtu = mtu,
            .tx_csum = true,
        };
        memcpy(cfg.mac, mac, MAC_LEN);
        error = vif_create(&cfg, host_netns_fd);
    }
    return error;
}

int
vif_trunk_open(const char *netns, struct vif_trunk **tp)
{
    struct vif_trunk *t = xzalloc(sizeof *t);
    t->netns = xstrdup(netns);
    t->netns_fd = -1;
    t->socks = (struct vif_socks) VIF_SOCKS_INITIALIZER;
    hmap_init(&t->eps);
    hmap_init(&t->used);

    int error = vnl_netns_open_named(netns, &t->netns_fd);
    if (!error) {
        error = vnl_socks_open(t->netns_fd, true, &t->socks);
    }
    if (!error) {
        error = trunk_links(t);
    }
    if (!error) {
        error = trunk_read_filters(t);
    }
    if (error) {
        VLOG_WARN_RL(&rl, "%s: cannot open the trunk (%s)", netns,
                     ovs_strerror(error));
        vif_trunk_close(t);
        t = NULL;
    }
    *tp = t;
    return error;
}

void
vif_trunk_close(struct vif_trunk *t)
{
    if (t) {
        struct trunk_ep *ep;
        HMAP_FOR_EACH_SAFE (ep, node, &t->eps) {
            trunk_ep_destroy(t, ep);
        }
        hmap_destroy(&t->eps);
        struct used_handle *u;
        HMAP_FOR_EACH_POP (u, node, &t->used) {
            free(u);
        }
        hmap_destroy(&t->used);
        free(t->groups);
        vnl_socks_close(&t->socks);
        if (t->netns_fd >= 0) {
            close(t->netns_fd);
        }
        free(t->netns);
        free(t);
    }
}

int
vif_trunk_netns_fd(const struct vif_trunk *t)
{
    return t->netns_fd;
}

/* The priority of link 'ifindex''s own filters that is free, 1 or 2: the
 * other holds those to be replaced, if any. */
static uint16_t
device_free_prio(struct nl_sock *sk, int ifindex)
{
    struct nl_cache *cache;
    uint16_t prio = 1;
    if (!rtnl_cls_alloc_cache(sk, ifindex, VTC_INGRESS, &cache)) {
        for (struct nl_object *o = nl_cache_get_first(cache); o;
             o = nl_cache_get_next(o)) {
            if (rtnl_cls_get_prio((struct rtnl_cls *) o) == 1) {
                prio = 2;
            }
        }
        nl_cache_free(cache);
    }
    return prio;
}

/* Whether device 'ifindex' has its two filters as device_filters_set()
 * makes them, and no other: u32 ones at one priority for source MAC 'mac',
 * whose only action redirects, one to the trunk, one to the sink.  (A dump
 * of either hook of a clsact qdisc gives the filters of both.) */
static bool
device_filters_in_place(const struct vif_trunk *t, int ifindex,
                        const uint8_t mac[MAC_LEN])
{
    struct nl_cache *cache;
    if (rtnl_cls_alloc_cache(t->socks.nl, ifindex, VTC_INGRESS, &cache)) {
        return false;
    }
    bool to_trunk = false, to_sink = false, ok = true;
    int prio = -1;
    for (struct nl_object *o = nl_cache_get_first(cache); o && ok;
         o = nl_cache_get_next(o)) {
        struct rtnl_cls *cls = (struct rtnl_cls *) o;
        const char *kind = rtnl_tc_get_kind(TC_CAST(cls));
        bool u32 = kind && !strcmp(kind, "u32");
        if (u32 && !U32_NODE(rtnl_tc_get_handle(TC_CAST(cls)))) {
            continue;           /* The table u32 makes for it. */
        }
        struct rtnl_act *act = u32 ? rtnl_u32_get_action(cls) : NULL;
        const char *akind = act ? rtnl_tc_get_kind(TC_CAST(act)) : NULL;
        uint8_t got[MAC_LEN];
        ok = (act && !rtnl_act_next(act) && akind && !strcmp(akind, "mirred")
              && rtnl_mirred_get_action(act) == TCA_EGRESS_REDIR
              && (prio < 0 || prio == rtnl_cls_get_prio(cls))
              && vtc_u32_get_mac(cls, true, got)
              && !memcmp(got, mac, MAC_LEN));
        prio = rtnl_cls_get_prio(cls);
        int target = act ? rtnl_mirred_get_ifindex(act) : 0;
        if (ok && target == t->trunk_ifindex && !to_trunk) {
            to_trunk = true;
        } else if (ok && target == t->sink_ifindex && !to_sink) {
            to_sink = true;
        } else {
            ok = false;
        }
    }
    nl_cache_free(cache);
    return ok && to_trunk && to_sink;
}

/* The device's own filters: up the trunk only with its own source MAC; its
 * own frames coming back down (a broadcast it sent) into the sink.  On a
 * device that has some ('fresh' false), those are kept if they are as made
 * here; else the new ones go in beside the old, which then go: never a
 * moment without. */
static int
device_filters_set(struct vif_trunk *t, int ifindex, const uint8_t mac[6],
                   bool fresh)
{
    struct nl_sock *sk = t->socks.nl;
    if (!fresh && device_filters_in_place(t, ifindex, mac)) {
        return 0;
    }
    int error = vtc_clsact_ensure(sk, ifindex);
    uint16_t prio = fresh ? 1 : device_free_prio(sk, ifindex);
    const int targets[2] = { t->trunk_ifindex, t->sink_ifindex };
    for (size_t i = 0; i < 2 && !error; i++) {
        struct vtc_u32 spec = {
            .parent = i ? VTC_EGRESS : VTC_INGRESS, .prio = prio,
            .eaction = TCA_EGRESS_REDIR, .targets = &targets[i],
            .n_targets = 1, .policy = TC_ACT_STOLEN,
            .shared_index = VTC_SHARED_INDEX(targets[i]),
        };
        vtc_u32_mac(&spec, mac, vtc_all_ones, true);
        error = vtc_u32_add(sk, ifindex, &spec);
    }
    if (!error && !fresh) {
        error = vtc_filters_delete(sk, ifindex, VTC_INGRESS, 3 - prio, 0);
        if (!error) {
            error = vtc_filters_delete(sk, ifindex, VTC_EGRESS, 3 - prio, 0);
        }
    }
    return error;
}

int
vif_trunk_attach(struct vif_trunk *t, const struct vif_config *cfg)
{
    struct rtnl_link *link = NULL;
    const char *what = "making the veth pair";
    int old_ifindex;
    bool fresh = vnl_link_ifindex(&t->socks, cfg->host_ifname,
                                  &old_ifindex) == ENODEV;

    int error = vif_create_with(cfg, t->netns_fd, &t->socks, &link);
    if (error) {
        goto out;
    }
    int ifindex = rtnl_link_get_ifindex(link);
    if (ifindex != old_ifindex) {
        fresh = true;           /* Made again. */
    }

    /* The device says whose it is, for the trunk's cleanup. */
    what = "recording the endpoint's namespace";
    const char *alias = rtnl_link_get_ifalias(link);
    if (!alias || strcmp(alias, cfg->netns)) {
        struct rtnl_link *change = rtnl_link_alloc();
        if (!change) {
            error = ENOMEM;
            goto out;
        }
        rtnl_link_set_ifalias(change, cfg->netns);
        error = vnl_errno(rtnl_link_change(t->socks.nl, link, change, 0));
        rtnl_link_put(change);
        if (error) {
            goto out;
        }
    }

    what = "setting the device's filters";
    error = device_filters_set(t, ifindex, cfg->mac, fresh);
    if (error) {
        goto out;
    }

    /* The trunk's: those that lead to a device made again go; the one that
     * hands it down what is for its MAC is kept if it is known to be for
     * this MAC, else a new one goes in, then the old goes (an adopted one
     * whose MAC could not be read back, too); then into a group for
     * multicast. */
    struct trunk_ep *ep = trunk_ep_find(t, cfg->host_ifname);
    if (ep && ep->ifindex != ifindex) {
        what = "removing the trunk's filters of the old device";
        error = trunk_ep_clear(t, ep);
        if (error) {
            goto out;
        }
        ep->ifindex = ifindex;
    } else if (!ep) {
        ep = trunk_ep_create(t, cfg->host_ifname, ifindex);
    }
    if (!ep->handle || !ep->has_mac || memcmp(ep->mac, cfg->mac, MAC_LEN)) {
        what = "adding the trunk's filter";
        uint32_t handle;
        error = trunk_unicast_add(t, ifindex, cfg->mac, &handle);
        if (error) {
            goto out;
        }
        if (ep->handle) {
            what = "removing the trunk's old filter";
            error = trunk_unicast_delete(t, ep->handle);
        }
        ep->handle = handle;
        ep->has_mac = true;
        memcpy(ep->mac, cfg->mac, MAC_LEN);
    }
    if (!error && ep->group == SIZE_MAX) {
        what = "adding the endpoint to a multicast group";
        error = trunk_group_join(t, ep);
    }

out:
    if (link) {
        rtnl_link_put(link);
    }
    if (error) {
        VLOG_WARN_RL(&rl, "%s: %s on trunk %s failed (%s)", cfg->host_ifname,
                     what, t->netns, ovs_strerror(error));
    }
    return error;
}

int
vif_trunk_detach(struct vif_trunk *t, const char *ifname)
{
    struct trunk_ep *ep = trunk_ep_find(t, ifname);
    int error = ep ? trunk_ep_clear(t, ep) : 0;
    if (!error) {
        if (ep) {
            trunk_ep_destroy(t, ep);
        }
        error = vif_delete(ifname, t->netns_fd);
    }
    if (error) {
        VLOG_WARN_RL(&rl, "%s: detaching from trunk %s failed (%s)", ifname,
                     t->netns, ovs_strerror(error));
    }
    return error;
}

bool
vif_trunk_is_attached(const struct vif_trunk *t, const struct vif_config *cfg)
{
    const struct trunk_ep *ep = trunk_ep_find(t, cfg->host_ifname);
    if (!ep || !ep->handle || ep->group == SIZE_MAX
        || !vif_is_configured(cfg, t->netns_fd)) {
        return false;
    }

    /* The device must be the one the trunk's filters lead to, with its
     * own filters in place. */
    struct rtnl_link *link;
    if (vnl_link_get(t->socks.nl, cfg->host_ifname, &link)) {
        return false;
    }
    int ifindex = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    if (ifindex != ep->ifindex) {
        return false;
    }
    static const uint32_t hooks[] = { VTC_INGRESS, VTC_EGRESS };
    for (size_t i = 0; i < ARRAY_SIZE(hooks); i++) {
        struct nl_cache *cache;
        if (rtnl_cls_alloc_cache(t->socks.nl, ifindex, hooks[i], &cache)) {
            return false;
        }
        bool has_action = false;
        for (struct nl_object *o = nl_cache_get_first(cache); o;
             o = nl_cache_get_next(o)) {
            struct rtnl_cls *cls = (struct rtnl_cls *) o;
            const char *kind = rtnl_tc_get_kind(TC_CAST(cls));
            has_action |= (kind && !strcmp(kind, "u32")
                           && rtnl_u32_get_action(cls) != NULL);
        }
        nl_cache_free(cache);
        if (!has_action) {
            return false;
        }
    }
    return true;
}

/* Adds to 'names' the name of every link in 't''s namespace, as the
 * kernel's /proc lists them there: a netlink dump would have the kernel
 * look up each veth's peer's namespace id among every one the trunk's
 * namespace knows (one for each endpoint), for each of them. */
static int
trunk_link_names(const struct vif_trunk *t, struct sset *names)
{
    int self_fd;
    int error = vnl_netns_enter(t->netns_fd, &self_fd);
    if (error) {
        return error;
    }
    /* (The calling thread's namespace's, as /proc/thread-self/net is.) */
    FILE *f = fopen("/proc/thread-self/net/dev", "r");
    error = f ? 0 : errno;
    vnl_netns_restore(self_fd);
    if (!f) {
        return error;
    }
    char line[512];
    for (int n = 0; fgets(line, sizeof line, f); n++) {
        char *colon = strchr(line, ':');
        if (n < 2 || !colon) {
            continue;           /* The two lines of headings. */
        }
        *colon = '\0';
        const char *name = line + strspn(line, " ");
        if (vnl_ifname_is_valid(name)) {
            sset_add(names, name);
        }
    }
    error = ferror(f) ? EIO : 0;
    fclose(f);
    return error;
}

int
vif_trunk_list(const struct vif_trunk *t, const struct sset *skip,
               struct smap *devices)
{
    struct sset names = SSET_INITIALIZER(&names);
    int error = trunk_link_names(t, &names);
    const char *name;
    SSET_FOR_EACH (name, &names) {
        struct rtnl_link *link;
        if (!strcmp(name, TRUNK_IFNAME) || !strcmp(name, SINK_IFNAME)
            || !strcmp(name, SINK_PEER_IFNAME) || !strcmp(name, "lo")
            || (skip && sset_contains(skip, name))
            || vnl_link_get(t->socks.nl, name, &link)) {
            continue;
        }
        const char *type = rtnl_link_get_type(link);
        if (type && !strcmp(type, "veth")) {
            const char *alias = rtnl_link_get_ifalias(link);
            smap_replace(devices, name, alias ? alias : "");
        }
        rtnl_link_put(link);
    }
    sset_destroy(&names);
    return error;
}

bool
vif_trunk_exists(const struct vif_trunk *t)
{
    int ifindex;
    return (!vnl_link_ifindex(&t->socks, TRUNK_IFNAME, &ifindex)
            && ifindex == t->trunk_ifindex);
}

int
vif_trunk_delete(const char *netns, const char *host_ifname,
                 int host_netns_fd)
{
    int error = vif_delete(host_ifname, host_netns_fd);
    return error ? error : vif_netns_del(netns);
}
