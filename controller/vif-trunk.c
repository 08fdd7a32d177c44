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

/* In the trunk's namespace: its end of the switch's port, and a pair that
 * drops what is sent to "sink" (this kernel may have no gact action to drop
 * with): it comes out of "sink-peer" into the namespace's own stack, which
 * has no address and forwards nothing.  (Both ends up: a mirred action to a
 * device without a carrier drops too, but the kernel logs each.) */
#define TRUNK_IFNAME "trunk"
#define SINK_IFNAME "sink"
#define SINK_PEER_IFNAME "sink-peer"

/* Priorities of the filters on the trunk's ingress: one per endpoint, from
 * here up (a device's own filters are at priority 1 or 2 of its own hooks).
 * Each priority is a u32 classifier of its own, with a hash table whose id
 * the kernel takes from 2046 per hook: so many, one kept free for an
 * endpoint's filters to be replaced (the new ones go in before the old go
 * out). */
#define PRIO_MIN 16
#define PRIO_MAX (PRIO_MIN + VIF_TRUNK_MAX_ENDPOINTS)

#define INGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
#define EGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

/* Broadcast and multicast: the group bit of the destination. */
static const uint8_t group_bit[MAC_LEN] = { 0x01, 0, 0, 0, 0, 0 };

/* An endpoint's filters on the trunk. */
struct trunk_prio {
    struct hmap_node node;      /* In 'by_prio', by prio. */
    uint16_t prio;
    int ifindex;                /* The device they hand frames to. */
    char *ifname;
    bool has_mac;               /* Known to be for 'mac' (not adopted). */
    uint8_t mac[MAC_LEN];
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

/* 'mac': the MAC they are for, or NULL if not known. */
static void
prio_remember(struct vif_trunk *t, uint16_t prio, int ifindex,
              const char *ifname, const uint8_t mac[MAC_LEN])
{
    struct trunk_prio *p = xzalloc(sizeof *p);
    p->prio = prio;
    p->ifindex = ifindex;
    p->ifname = xstrdup(ifname);
    p->has_mac = mac != NULL;
    if (mac) {
        memcpy(p->mac, mac, MAC_LEN);
    }
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

static const uint8_t all_ones[MAC_LEN] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

/* A u32 filter on hook 'parent' of link 'ifindex', at 'prio': frames whose
 * source (else destination) MAC is 'mac' in the bits of 'mask' go to link
 * 'target' by mirred ('eaction': TCA_EGRESS_REDIR or TCA_EGRESS_MIRROR;
 * 'policy': what the action returns, TC_ACT_STOLEN or TC_ACT_UNSPEC to go on
 * classifying). */
static int
mac_filter_add(struct nl_sock *sk, int ifindex, uint32_t parent,
               uint16_t prio, const uint8_t mac[MAC_LEN],
               const uint8_t mask[MAC_LEN], bool src, int eaction,
               int policy, int target)
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
     * order; a word with nothing to match is left out. */
    struct { uint32_t value, mask; int off; } keys[2];
    if (src) {
        keys[0].value = mac_word(mac, 0);
        keys[0].mask = mac_word(mask, 0);
        keys[0].off = -8;
        keys[1].value = mac_word(mac, 4);
        keys[1].mask = mac_word(mask, 4);
        keys[1].off = -4;
    } else {
        keys[0].value = mac_word(mac, 0) >> 16;
        keys[0].mask = mac_word(mask, 0) >> 16;
        keys[0].off = -16;
        keys[1].value = mac_word(mac, 2);
        keys[1].mask = mac_word(mask, 2);
        keys[1].off = -12;
    }
    for (size_t i = 0; i < ARRAY_SIZE(keys) && !error; i++) {
        if (keys[i].mask) {
            error = vnl_errno(rtnl_u32_add_key_uint32(
                                  cls, keys[i].value & keys[i].mask,
                                  keys[i].mask, keys[i].off, 0));
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
            prio_remember(t, f->prio, f->ifindex, name, NULL);
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

/* The priority of link 'ifindex''s own filters that is free, 1 or 2: the
 * other holds those to be replaced, if any. */
static uint16_t
device_free_prio(struct nl_sock *sk, int ifindex)
{
    struct nl_cache *cache;
    uint16_t prio = 1;
    if (!rtnl_cls_alloc_cache(sk, ifindex, INGRESS, &cache)) {
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

/* The device's own filters: up the trunk only with its own source MAC; its
 * own frames coming back down (a broadcast it sent) into the sink.  On a
 * device that has some ('fresh' false), the new ones go in beside the old,
 * which then go: never a moment without. */
static int
device_filters_set(struct vif_trunk *t, int ifindex, const uint8_t mac[6],
                   bool fresh)
{
    struct nl_sock *sk = t->socks.nl;
    int error = clsact_ensure(sk, ifindex);
    uint16_t prio = fresh ? 1 : device_free_prio(sk, ifindex);
    if (!error) {
        error = mac_filter_add(sk, ifindex, INGRESS, prio, mac, all_ones,
                               true, TCA_EGRESS_REDIR, TC_ACT_STOLEN,
                               t->trunk_ifindex);
    }
    if (!error) {
        error = mac_filter_add(sk, ifindex, EGRESS, prio, mac, all_ones,
                               true, TCA_EGRESS_REDIR, TC_ACT_STOLEN,
                               t->sink_ifindex);
    }
    if (!error && !fresh) {
        error = filters_delete(sk, ifindex, INGRESS, 3 - prio);
        if (!error) {
            error = filters_delete(sk, ifindex, EGRESS, 3 - prio);
        }
    }
    return error;
}

/* The trunk's filters for the device: down to it what is sent to its MAC,
 * and a copy of every broadcast and multicast. */
static int
trunk_filters_add(struct vif_trunk *t, uint16_t prio, int ifindex,
                  const uint8_t mac[6])
{
    int error = mac_filter_add(t->socks.nl, t->trunk_ifindex, INGRESS, prio,
                               mac, all_ones, false, TCA_EGRESS_REDIR,
                               TC_ACT_STOLEN, ifindex);
    if (!error) {
        error = mac_filter_add(t->socks.nl, t->trunk_ifindex, INGRESS, prio,
                               group_bit, group_bit, false, TCA_EGRESS_MIRROR,
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

    what = "setting the device's filters";
    error = device_filters_set(t, ifindex, cfg->mac, fresh);
    if (error) {
        goto out;
    }

    /* The trunk's, at a priority of their own: kept if they are known to
     * lead to this device for its MAC; else new ones go in, then the old
     * go (adopted ones, whose MAC is not known, too). */
    uint16_t prio = simap_get(&t->prio_of, cfg->host_ifname);
    struct trunk_prio *p = prio ? prio_find(t, prio) : NULL;
    if (p && !fresh && p->ifindex == ifindex && p->has_mac
        && !memcmp(p->mac, cfg->mac, MAC_LEN)) {
        goto out;
    }
    what = "finding a free priority on the trunk";
    uint16_t new_prio = prio_alloc(t);
    if (!new_prio) {
        error = ENOSPC;
        goto out;
    }
    what = "adding the trunk's filters";
    error = trunk_filters_add(t, new_prio, ifindex, cfg->mac);
    if (error) {
        filters_delete(t->socks.nl, t->trunk_ifindex, INGRESS, new_prio);
        goto out;
    }
    if (p) {
        what = "removing the trunk's old filters";
        error = filters_delete(t->socks.nl, t->trunk_ifindex, INGRESS,
                               p->prio);
        prio_forget(t, p);
    }
    prio_remember(t, new_prio, ifindex, cfg->host_ifname, cfg->mac);

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
