/* Trunks: many endpoints of one network behind one port of the switch (see
 * controller/vif.h).  Kernel objects only: the veth pairs, a clsact qdisc on
 * each device, and u32 filters with mirred actions, made through
 * libnl-route-3. */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-netlink.h"

#include <errno.h>
#include <net/if.h>
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
#include "simap.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_trunk);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);

/* In the trunk's namespace: its end of the switch's port, and a pair whose
 * far end is down, so that what is sent to "sink" is dropped (this kernel
 * may have no gact action to drop with). */
#define TRUNK_IFNAME "trunk"
#define SINK_IFNAME "sink"
#define SINK_PEER_IFNAME "sink-peer"

/* Priorities of the filters on the trunk's ingress: one per endpoint, from
 * here up (a device's own filters are at priority 1 of its own hooks). */
#define PRIO_MIN 16
#define PRIO_MAX 65535

#define INGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
#define EGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

static const uint8_t broadcast[MAC_LEN] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* An endpoint's filters on the trunk. */
struct trunk_prio {
    struct hmap_node node;      /* In 'by_prio', by prio. */
    uint16_t prio;
    int ifindex;                /* The device they hand frames to. */
    char *ifname;
};

struct vif_trunk {
    char *netns;
    int netns_fd;
    struct vif_socks socks;
    int trunk_ifindex, sink_ifindex;
    struct hmap by_prio;
    struct simap prio_of;       /* Device name -> its prio. */
    uint16_t next_prio;         /* Where the search for a free one starts. */
};

static struct trunk_prio *
prio_find(const struct vif_trunk *t, uint16_t prio)
{
    struct trunk_prio *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, hash_int(prio, 0), &t->by_prio) {
        if (p->prio == prio) {
            return p;
        }
    }
    return NULL;
}

static void
prio_forget(struct vif_trunk *t, struct trunk_prio *p)
{
    simap_find_and_delete(&t->prio_of, p->ifname);
    hmap_remove(&t->by_prio, &p->node);
    free(p->ifname);
    free(p);
}

static void
prio_remember(struct vif_trunk *t, uint16_t prio, int ifindex,
              const char *ifname)
{
    struct trunk_prio *p = xzalloc(sizeof *p);
    p->prio = prio;
    p->ifindex = ifindex;
    p->ifname = xstrdup(ifname);
    hmap_insert(&t->by_prio, &p->node, hash_int(prio, 0));
    simap_put(&t->prio_of, ifname, prio);
}

/* A free priority, or 0 if there is none. */
static uint16_t
prio_alloc(struct vif_trunk *t)
{
    unsigned int span = PRIO_MAX - PRIO_MIN + 1;
    for (unsigned int i = 0; i < span; i++) {
        uint16_t prio = PRIO_MIN + (t->next_prio - PRIO_MIN + i) % span;
        if (!prio_find(t, prio)) {
            t->next_prio = prio < PRIO_MAX ? prio + 1 : PRIO_MIN;
            return prio;
        }
    }
    return 0;
}

/* A clsact qdisc on link 'ifindex', if it has none. */
static int
clsact_ensure(struct nl_sock *sk, int ifindex)
{
    struct rtnl_qdisc *q = rtnl_qdisc_alloc();
    if (!q) {
        return ENOMEM;
    }
    rtnl_tc_set_ifindex(TC_CAST(q), ifindex);
    rtnl_tc_set_parent(TC_CAST(q), TC_H_CLSACT);
    rtnl_tc_set_handle(TC_CAST(q), TC_HANDLE(TC_H_MAJ(TC_H_CLSACT) >> 16, 0));
    int error = vnl_errno(rtnl_tc_set_kind(TC_CAST(q), "clsact"));
    if (!error) {
        error = vnl_errno(rtnl_qdisc_add(sk, q, NLM_F_CREATE | NLM_F_EXCL));
    }
    rtnl_qdisc_put(q);
    return error == EEXIST ? 0 : error;
}

/* The 32-bit word of 'mac' that begins at byte 'i' (0, 2 or 4: past the
 * end reads as zeros), in host order. */
static uint32_t
mac_word(const uint8_t mac[MAC_LEN], int i)
{
    uint32_t w = 0;
    for (int j = i; j < i + 4; j++) {
        w = (w << 8) | (j < MAC_LEN ? mac[j] : 0);
    }
    return w;
}

/* A u32 filter on hook 'parent' of link 'ifindex', at 'prio': frames whose
 * source (else destination) MAC is 'mac' go to link 'target' by mirred
 * ('eaction': TCA_EGRESS_REDIR or TCA_EGRESS_MIRROR; 'policy': what the
 * action returns, TC_ACT_STOLEN or TC_ACT_UNSPEC to go on classifying). */
static int
mac_filter_add(struct nl_sock *sk, int ifindex, uint32_t parent,
               uint16_t prio, const uint8_t mac[MAC_LEN], bool src,
               int eaction, int policy, int target)
{
    struct rtnl_cls *cls = rtnl_cls_alloc();
    struct rtnl_act *act = rtnl_act_alloc();
    int error;

    if (!cls || !act) {
        error = ENOMEM;
        goto out;
    }
    rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), parent);
    rtnl_cls_set_prio(cls, prio);
    rtnl_cls_set_protocol(cls, ETH_P_ALL);
    error = vnl_errno(rtnl_tc_set_kind(TC_CAST(cls), "u32"));
    if (error) {
        goto out;
    }

    /* Keys are 32-bit words at offsets from the network header, aligned
     * as tc's "match ether" makes them: the destination MAC is at -14 (the
     * words at -16 and -12), the source at -8 (-8 and -4).  Values in host
     * order. */
    if (src) {
        error = vnl_errno(rtnl_u32_add_key_uint32(
                              cls, mac_word(mac, 0), 0xffffffff, -8, 0));
        if (!error) {
            error = vnl_errno(rtnl_u32_add_key_uint32(
                                  cls, mac_word(mac, 4) & 0xffff0000,
                                  0xffff0000, -4, 0));
        }
    } else {
        error = vnl_errno(rtnl_u32_add_key_uint32(
                              cls, mac_word(mac, 0) >> 16, 0x0000ffff, -16,
                              0));
        if (!error) {
            error = vnl_errno(rtnl_u32_add_key_uint32(
                                  cls, mac_word(mac, 2), 0xffffffff, -12, 0));
        }
    }
    if (!error) {
        /* Else the keys match and the action never runs. */
        error = vnl_errno(rtnl_u32_set_cls_terminal(cls));
    }
    if (error) {
        goto out;
    }

    error = vnl_errno(rtnl_tc_set_kind(TC_CAST(act), "mirred"));
    if (!error) {
        rtnl_mirred_set_action(act, eaction);
        rtnl_mirred_set_policy(act, policy);
        rtnl_mirred_set_ifindex(act, target);
        error = vnl_errno(rtnl_u32_add_action(cls, act));
    }
    if (!error) {
        error = vnl_errno(rtnl_cls_add(sk, cls, NLM_F_CREATE));
    }

out:
    if (act) {
        rtnl_act_put(act);
    }
    if (cls) {
        rtnl_cls_put(cls);
    }
    return error;
}

/* Deletes every filter of hook 'parent' of link 'ifindex' at 'prio' (0:
 * at every priority).  0 also if there are none. */
static int
filters_delete(struct nl_sock *sk, int ifindex, uint32_t parent,
               uint16_t prio)
{
    struct rtnl_cls *cls = rtnl_cls_alloc();
    if (!cls) {
        return ENOMEM;
    }
    rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), parent);
    rtnl_cls_set_prio(cls, prio);
    rtnl_cls_set_protocol(cls, 0);  /* Any: the kernel flushes only so. */
    int error = vnl_errno(rtnl_cls_delete(sk, cls, 0));
    rtnl_cls_put(cls);
    return error == ENODEV ? 0 : error;     /* ENOENT: none there. */
}

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
    error = vnl_link_configure(t->socks.nl, link, NULL, 0);
    t->sink_ifindex = rtnl_link_get_ifindex(link);
    rtnl_link_put(link);
    return error ? error : clsact_ensure(t->socks.nl, t->trunk_ifindex);
}

/* What one dump of the trunk's ingress found at one priority. */
struct found_prio {
    uint16_t prio;
    int ifindex;                /* Every filter's target; -1: they differ. */
    int n;
};

/* Reads the filters on the trunk's ingress into 't': an endpoint's, whose
 * device is still there, are remembered; the others (their device gone, or
 * not of the shape this module makes) are deleted. */
static int
trunk_read_filters(struct vif_trunk *t)
{
    struct nl_cache *cache = NULL;
    int error = vnl_errno(rtnl_cls_alloc_cache(t->socks.nl, t->trunk_ifindex,
                                               INGRESS, &cache));
    if (error) {
        return error;
    }

    struct found_prio *found = NULL;
    size_t n_found = 0, allocated = 0;
    for (struct nl_object *o = nl_cache_get_first(cache); o;
         o = nl_cache_get_next(o)) {
        struct rtnl_cls *cls = (struct rtnl_cls *) o;
        uint16_t prio = rtnl_cls_get_prio(cls);
        struct rtnl_act *act = NULL;
        int target = -1;
        const char *kind = rtnl_tc_get_kind(TC_CAST(cls));
        if (kind && !strcmp(kind, "u32")) {
            act = rtnl_u32_get_action(cls);
        }
        if (act && !rtnl_act_next(act)) {
            const char *akind = rtnl_tc_get_kind(TC_CAST(act));
            if (akind && !strcmp(akind, "mirred")) {
                target = rtnl_mirred_get_ifindex(act);
            }
        }
        if (!act && kind && !strcmp(kind, "u32")) {
            continue;           /* u32's own table node: no action. */
        }

        size_t i;
        for (i = 0; i < n_found && found[i].prio != prio; i++) {
            continue;
        }
        if (i == n_found) {
            if (n_found == allocated) {
                found = x2nrealloc(found, &allocated, sizeof *found);
            }
            found[n_found++] = (struct found_prio) {
                .prio = prio, .ifindex = target, .n = 0,
            };
        }
        if (found[i].ifindex != target) {
            found[i].ifindex = -1;
        }
        found[i].n++;
    }
    nl_cache_free(cache);

    for (size_t i = 0; i < n_found; i++) {
        struct found_prio *f = &found[i];
        char name[IF_NAMESIZE];
        struct rtnl_link *link = NULL;
        bool keep = (f->prio >= PRIO_MIN && f->n == 2 && f->ifindex > 0
                     && !prio_find(t, f->prio));
        if (keep) {
            keep = (!rtnl_link_get_kernel(t->socks.nl, f->ifindex, NULL,
                                          &link)
                    && rtnl_link_get_name(link)
                    && !simap_contains(&t->prio_of,
                                       rtnl_link_get_name(link)));
        }
        if (keep) {
            ovs_strlcpy(name, rtnl_link_get_name(link), sizeof name);
            prio_remember(t, f->prio, f->ifindex, name);
        } else {
            VLOG_INFO("%s: removing stale filters at priority %u",
                      t->netns, f->prio);
            int e = filters_delete(t->socks.nl, t->trunk_ifindex, INGRESS,
                                   f->prio);
            error = error ? error : e;
        }
        if (link) {
            rtnl_link_put(link);
        }
    }
    free(found);
    return error;
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
    hmap_init(&t->by_prio);
    simap_init(&t->prio_of);
    t->next_prio = PRIO_MIN;

    int error = vnl_netns_open_named(netns, &t->netns_fd);
    if (!error) {
        error = vnl_socks_open(t->netns_fd, false, &t->socks);
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
        struct trunk_prio *p;
        HMAP_FOR_EACH_SAFE (p, node, &t->by_prio) {
            prio_forget(t, p);
        }
        hmap_destroy(&t->by_prio);
        simap_destroy(&t->prio_of);
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

/* The device's own filters: up the trunk only with its own source MAC; its
 * own frames coming back down (a broadcast it sent) into the sink. */
static int
device_filters_add(struct vif_trunk *t, int ifindex, const uint8_t mac[6])
{
    int error = clsact_ensure(t->socks.nl, ifindex);
    if (!error) {
        error = mac_filter_add(t->socks.nl, ifindex, INGRESS, 1, mac, true,
                               TCA_EGRESS_REDIR, TC_ACT_STOLEN,
                               t->trunk_ifindex);
    }
    if (!error) {
        error = mac_filter_add(t->socks.nl, ifindex, EGRESS, 1, mac, true,
                               TCA_EGRESS_REDIR, TC_ACT_STOLEN,
                               t->sink_ifindex);
    }
    return error;
}

/* The trunk's filters for the device: down to it what is sent to its MAC,
 * and a copy of every broadcast. */
static int
trunk_filters_add(struct vif_trunk *t, uint16_t prio, int ifindex,
                  const uint8_t mac[6])
{
    int error = mac_filter_add(t->socks.nl, t->trunk_ifindex, INGRESS, prio,
                               mac, false, TCA_EGRESS_REDIR, TC_ACT_STOLEN,
                               ifindex);
    if (!error) {
        error = mac_filter_add(t->socks.nl, t->trunk_ifindex, INGRESS, prio,
                               broadcast, false, TCA_EGRESS_MIRROR,
                               TC_ACT_UNSPEC, ifindex);
    }
    return error;
}

int
vif_trunk_attach(struct vif_trunk *t, const struct vif_config *cfg)
{
    struct rtnl_link *link = NULL;
    const char *what = "making the veth pair";
    bool fresh = vnl_link_get(t->socks.nl, cfg->host_ifname, &link) == ENODEV;
    int old_ifindex = link ? rtnl_link_get_ifindex(link) : 0;
    if (link) {
        rtnl_link_put(link);
        link = NULL;
    }

    int error = vif_create(cfg, t->netns_fd);
    if (!error) {
        what = "finding the device";
        error = vnl_link_get(t->socks.nl, cfg->host_ifname, &link);
    }
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

    /* A device made now has no filters; one found has them all, or is
     * given them again. */
    uint16_t prio = simap_get(&t->prio_of, cfg->host_ifname);
    struct trunk_prio *p = prio ? prio_find(t, prio) : NULL;
    if (p && (fresh || p->ifindex != ifindex)) {
        what = "removing the trunk's old filters";
        error = filters_delete(t->socks.nl, t->trunk_ifindex, INGRESS,
                               p->prio);
        if (error) {
            goto out;
        }
        prio_forget(t, p);
        p = NULL;
    }
    if (!fresh) {
        what = "removing the device's filters";
        error = filters_delete(t->socks.nl, ifindex, INGRESS, 0);
        if (!error) {
            error = filters_delete(t->socks.nl, ifindex, EGRESS, 0);
        }
        if (error) {
            goto out;
        }
    }
    what = "adding the device's filters";
    error = device_filters_add(t, ifindex, cfg->mac);
    if (error || p) {
        goto out;
    }

    what = "finding a free priority on the trunk";
    prio = prio_alloc(t);
    if (!prio) {
        error = ENOSPC;
        goto out;
    }
    what = "adding the trunk's filters";
    error = trunk_filters_add(t, prio, ifindex, cfg->mac);
    if (!error) {
        prio_remember(t, prio, ifindex, cfg->host_ifname);
    } else {
        filters_delete(t->socks.nl, t->trunk_ifindex, INGRESS, prio);
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
    uint16_t prio = simap_get(&t->prio_of, ifname);
    struct trunk_prio *p = prio ? prio_find(t, prio) : NULL;
    int error = 0;
    if (p) {
        error = filters_delete(t->socks.nl, t->trunk_ifindex, INGRESS, prio);
        if (!error) {
            prio_forget(t, p);
        }
    }
    if (!error) {
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
    uint16_t prio = simap_get(&t->prio_of, cfg->host_ifname);
    const struct trunk_prio *p = prio ? prio_find(t, prio) : NULL;
    if (!p || !vif_is_configured(cfg, t->netns_fd)) {
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
    if (ifindex != p->ifindex) {
        return false;
    }
    static const uint32_t hooks[] = { INGRESS, EGRESS };
    for (size_t i = 0; i < ARRAY_SIZE(hooks); i++) {
        struct nl_cache *cache;
        if (rtnl_cls_alloc_cache(t->socks.nl, ifindex, hooks[i], &cache)) {
            return false;
        }
        bool has_action = false;
        for (struct nl_object *o = nl_cache_get_first(cache); o;
             o = nl_cache_get_next(o)) {
            has_action |= rtnl_u32_get_action((struct rtnl_cls *) o) != NULL;
        }
        nl_cache_free(cache);
        if (!has_action) {
            return false;
        }
    }
    return true;
}

int
vif_trunk_list(const struct vif_trunk *t, struct smap *devices)
{
    struct nl_cache *cache;
    int error = vnl_errno(rtnl_link_alloc_cache(t->socks.nl, AF_UNSPEC,
                                                &cache));
    if (error) {
        return error;
    }
    for (struct nl_object *o = nl_cache_get_first(cache); o;
         o = nl_cache_get_next(o)) {
        struct rtnl_link *link = (struct rtnl_link *) o;
        const char *name = rtnl_link_get_name(link);
        const char *type = rtnl_link_get_type(link);
        if (name && type && !strcmp(type, "veth")
            && strcmp(name, TRUNK_IFNAME) && strcmp(name, SINK_IFNAME)
            && strcmp(name, SINK_PEER_IFNAME)) {
            const char *alias = rtnl_link_get_ifalias(link);
            smap_replace(devices, name, alias ? alias : "");
        }
    }
    nl_cache_free(cache);
    return 0;
}

bool
vif_trunk_exists(const struct vif_trunk *t)
{
    struct rtnl_link *link;
    if (vnl_link_get(t->socks.nl, TRUNK_IFNAME, &link)) {
        return false;
    }
    bool same = rtnl_link_get_ifindex(link) == t->trunk_ifindex;
    rtnl_link_put(link);
    return same;
}

int
vif_trunk_delete(const char *netns, const char *host_ifname,
                 int host_netns_fd)
{
    int error = vif_delete(host_ifname, host_netns_fd);
    return error ? error : vif_netns_del(netns);
}
