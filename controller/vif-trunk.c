/* Trunks: many endpoints of one network behind one port of the switch (see
 * controller/vif.h).  Kernel objects only: the veth pairs, a clsact qdisc on
 * each device, and u32 filters with mirred actions, made through
 * libnl-route-3. */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-netlink.h"
#include "controller/vif-tc.h"

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

/* The trunk's own filters, all at one priority of its ingress, in three u32
 * hash tables: the root (the kernel's), which sends unicast frames to
 * HT_UNICAST, 256 buckets by the last byte of their destination MAC, where
 * each endpoint's filter hands down what is for its MAC; and broadcast and
 * multicast frames to HT_GROUP, where each filter mirrors them to up to
 * GROUP_SIZE endpoints (the most actions a filter may have).  A frame costs
 * a look at the endpoints of one bucket, not at every endpoint; the filters
 * fit up to MAX_NODES in a bucket and MAX_NODES groups.  (A device's own
 * filters are at priority 1 or 2 of its own hooks.) */
#define TRUNK_PRIO 1
#define HT_UNICAST 1
#define HT_GROUP 2
#define N_BUCKETS 256
#define GROUP_SIZE 32
#define MAX_NODES 0xfff

/* A u32 handle: hash table, bucket, node. */
#define U32_HANDLE(HT, BUCKET, NODE) \
    (((uint32_t) (HT) << 20) | ((uint32_t) (BUCKET) << 12) | (NODE))
#define U32_HT(HANDLE) ((HANDLE) >> 20)
#define U32_NODE(HANDLE) ((HANDLE) & 0xfff)

/* Broadcast and multicast: the group bit of the destination. */
static const uint8_t group_bit[MAC_LEN] = { 0x01, 0, 0, 0, 0, 0 };
static const uint8_t no_bits[MAC_LEN];

/* An endpoint behind the trunk. */
struct trunk_ep {
    struct hmap_node node;      /* In 'eps', by name. */
    char *ifname;
    int ifindex;
    bool has_mac;               /* Its unicast filter is known to be for */
    uint8_t mac[MAC_LEN];       /* 'mac' (made, or read back from it). */
    uint32_t handle;            /* Its unicast filter, 0: none. */
    size_t group;               /* In 'groups', SIZE_MAX: in none. */
};

/* Up to GROUP_SIZE endpoints that one filter copies multicast frames to. */
struct trunk_group {
    size_t n;                   /* 0: the slot is free (no filter). */
    int ifindex[GROUP_SIZE];
};

struct vif_trunk {
    char *netns;
    int netns_fd;
    struct vif_socks socks;
    int trunk_ifindex, sink_ifindex;
    struct hmap eps;            /* struct trunk_ep. */
    struct hmap used;           /* struct used_handle: unicast filters. */
    struct trunk_group *groups; /* Group i's filter is node i + 1. */
    size_t n_groups, allocated_groups;
};

struct used_handle {
    struct hmap_node node;
    uint32_t handle;
};

static struct trunk_ep *
ep_find(const struct vif_trunk *t, const char *ifname)
{
    struct trunk_ep *ep;
    HMAP_FOR_EACH_WITH_HASH (ep, node, hash_string(ifname, 0), &t->eps) {
        if (!strcmp(ep->ifname, ifname)) {
            return ep;
        }
    }
    return NULL;
}

static struct trunk_ep *
ep_create(struct vif_trunk *t, const char *ifname, int ifindex)
{
    struct trunk_ep *ep = xzalloc(sizeof *ep);
    ep->ifname = xstrdup(ifname);
    ep->ifindex = ifindex;
    ep->group = SIZE_MAX;
    hmap_insert(&t->eps, &ep->node, hash_string(ifname, 0));
    return ep;
}

static void
ep_destroy(struct vif_trunk *t, struct trunk_ep *ep)
{
    hmap_remove(&t->eps, &ep->node);
    free(ep->ifname);
    free(ep);
}

static struct used_handle *
used_find(const struct vif_trunk *t, uint32_t handle)
{
    struct used_handle *u;
    HMAP_FOR_EACH_WITH_HASH (u, node, hash_int(handle, 0), &t->used) {
        if (u->handle == handle) {
            return u;
        }
    }
    return NULL;
}

static void
used_add(struct vif_trunk *t, uint32_t handle)
{
    struct used_handle *u = xmalloc(sizeof *u);
    u->handle = handle;
    hmap_insert(&t->used, &u->node, hash_int(handle, 0));
}

static void
used_remove(struct vif_trunk *t, uint32_t handle)
{
    struct used_handle *u = used_find(t, handle);
    if (u) {
        hmap_remove(&t->used, &u->node);
        free(u);
    }
}

/* Deletes the filter with 'handle' on the trunk's ingress (0 also if it is
 * not there). */
static int
trunk_filter_delete(struct vif_trunk *t, uint32_t handle)
{
    return vtc_filters_delete(t->socks.nl, t->trunk_ifindex, VTC_INGRESS,
                              TRUNK_PRIO, handle);
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
    return error ? error : vtc_clsact_ensure(t->socks.nl, t->trunk_ifindex);
}

/* Makes the trunk's filters afresh: the two hash tables and the root's two
 * filters that lead to them. */
static int
trunk_layout_make(struct vif_trunk *t)
{
    struct nl_sock *sk = t->socks.nl;
    int error = vtc_filters_delete(sk, t->trunk_ifindex, VTC_INGRESS, 0, 0);
    struct vtc_u32 tables[2] = {
        { .parent = VTC_INGRESS, .prio = TRUNK_PRIO,
          .handle = U32_HANDLE(HT_UNICAST, 0, 0), .divisor = N_BUCKETS },
        { .parent = VTC_INGRESS, .prio = TRUNK_PRIO,
          .handle = U32_HANDLE(HT_GROUP, 0, 0), .divisor = 1 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(tables) && !error; i++) {
        error = vtc_u32_add(sk, t->trunk_ifindex, &tables[i]);
    }
    struct vtc_u32 unicast = {
        .parent = VTC_INGRESS, .prio = TRUNK_PRIO,
        .link = U32_HANDLE(HT_UNICAST, 0, 0), .hash_dst_last = true,
    };
    vtc_u32_mac(&unicast, no_bits, group_bit, false);   /* The bit clear. */
    struct vtc_u32 group = {
        .parent = VTC_INGRESS, .prio = TRUNK_PRIO,
        .link = U32_HANDLE(HT_GROUP, 0, 0),
    };
    vtc_u32_mac(&group, group_bit, group_bit, false);
    if (!error) {
        error = vtc_u32_add(sk, t->trunk_ifindex, &unicast);
    }
    if (!error) {
        error = vtc_u32_add(sk, t->trunk_ifindex, &group);
    }
    return error;
}

/* The name of link 'ifindex' in the trunk's namespace into 'name', if it
 * is there. */
static bool
link_name(const struct vif_trunk *t, int ifindex, char name[IF_NAMESIZE])
{
    struct rtnl_link *link = NULL;
    bool found = (ifindex > 0
                  && !rtnl_link_get_kernel(t->socks.nl, ifindex, NULL, &link)
                  && rtnl_link_get_name(link));
    if (found) {
        ovs_strlcpy(name, rtnl_link_get_name(link), IF_NAMESIZE);
    }
    if (link) {
        rtnl_link_put(link);
    }
    return found;
}

/* The endpoint of device 'ifindex', made if it has none; NULL if the device
 * is gone. */
static struct trunk_ep *
ep_of_ifindex(struct vif_trunk *t, int ifindex)
{
    char name[IF_NAMESIZE];
    if (!link_name(t, ifindex, name)) {
        return NULL;
    }
    struct trunk_ep *ep = ep_find(t, name);
    return (!ep ? ep_create(t, name, ifindex)
            : ep->ifindex == ifindex ? ep : NULL);
}

static struct trunk_group *
group_slot(struct vif_trunk *t, size_t idx)
{
    while (t->n_groups <= idx) {
        if (t->n_groups >= t->allocated_groups) {
            t->groups = x2nrealloc(t->groups, &t->allocated_groups,
                                   sizeof *t->groups);
        }
        memset(&t->groups[t->n_groups++], 0, sizeof *t->groups);
    }
    return &t->groups[idx];
}

/* Writes group 'idx''s filter as it is now (deletes it if it is empty). */
static int
group_write(struct vif_trunk *t, size_t idx)
{
    const struct trunk_group *g = &t->groups[idx];
    uint32_t handle = U32_HANDLE(HT_GROUP, 0, idx + 1);
    if (!g->n) {
        return trunk_filter_delete(t, handle);
    }
    struct vtc_u32 spec = {
        .parent = VTC_INGRESS, .prio = TRUNK_PRIO, .handle = handle,
        .ht = U32_HANDLE(HT_GROUP, 0, 0),
        .eaction = TCA_EGRESS_MIRROR, .targets = g->ifindex,
        .n_targets = g->n, .policy = TC_ACT_UNSPEC,
        .nl_flags = NLM_F_REPLACE,
    };
    return vtc_u32_add(t->socks.nl, t->trunk_ifindex, &spec);
}

/* Puts 'ep' in a group that has room. */
static int
group_join(struct vif_trunk *t, struct trunk_ep *ep)
{
    size_t idx = SIZE_MAX;
    for (size_t i = 0; i < t->n_groups; i++) {
        size_t n = t->groups[i].n;
        if (n < GROUP_SIZE && (idx == SIZE_MAX || (n && !t->groups[idx].n))) {
            idx = i;            /* One with room, one begun first. */
        }
    }
    if (idx == SIZE_MAX) {
        if (t->n_groups >= MAX_NODES) {
            return ENOSPC;
        }
        idx = t->n_groups;
    }
    struct trunk_group *g = group_slot(t, idx);
    g->ifindex[g->n++] = ep->ifindex;
    int error = group_write(t, idx);
    if (error) {
        g->n--;
    } else {
        ep->group = idx;
    }
    return error;
}

/* Takes 'ep' out of its group. */
static int
group_leave(struct vif_trunk *t, struct trunk_ep *ep)
{
    if (ep->group == SIZE_MAX) {
        return 0;
    }
    struct trunk_group *g = &t->groups[ep->group];
    for (size_t i = 0; i < g->n; i++) {
        if (g->ifindex[i] == ep->ifindex) {
            g->ifindex[i] = g->ifindex[--g->n];
            break;
        }
    }
    int error = group_write(t, ep->group);
    ep->group = SIZE_MAX;
    return error;
}

/* Adds the filter that hands down to device 'ifindex' what is for 'mac';
 * its handle in '*handlep'. */
static int
unicast_add(struct vif_trunk *t, int ifindex, const uint8_t mac[MAC_LEN],
            uint32_t *handlep)
{
    int bucket = mac[MAC_LEN - 1];
    uint32_t handle = 0;
    for (int node = 1; node <= MAX_NODES && !handle; node++) {
        uint32_t h = U32_HANDLE(HT_UNICAST, bucket, node);
        if (!used_find(t, h)) {
            handle = h;
        }
    }
    if (!handle) {
        return ENOSPC;
    }
    struct vtc_u32 spec = {
        .parent = VTC_INGRESS, .prio = TRUNK_PRIO, .handle = handle,
        .ht = U32_HANDLE(HT_UNICAST, bucket, 0),
        .eaction = TCA_EGRESS_REDIR, .targets = &ifindex, .n_targets = 1,
        .policy = TC_ACT_STOLEN, .nl_flags = NLM_F_EXCL,
    };
    vtc_u32_mac(&spec, mac, vtc_all_ones, false);
    int error = vtc_u32_add(t->socks.nl, t->trunk_ifindex, &spec);
    if (!error) {
        used_add(t, handle);
        *handlep = handle;
    }
    return error;
}

static int
unicast_delete(struct vif_trunk *t, uint32_t handle)
{
    int error = trunk_filter_delete(t, handle);
    if (!error) {
        used_remove(t, handle);
    }
    return error;
}

/* Removes the trunk's filters that lead to 'ep''s device. */
static int
ep_clear(struct vif_trunk *t, struct trunk_ep *ep)
{
    int error = ep->handle ? unicast_delete(t, ep->handle) : 0;
    if (!error) {
        ep->handle = 0;
        ep->has_mac = false;
        error = group_leave(t, ep);
    }
    return error;
}

/* What a dump of the trunk's ingress found. */
struct trunk_dump {
    bool foreign;               /* Filters this module does not make. */
    bool has_unicast, has_group;    /* The two tables. */
    size_t n_root;              /* Filters in the root table. */
    struct {
        uint32_t handle;
        int target;
        bool has_mac;           /* 'mac' read from its keys. */
        uint8_t mac[MAC_LEN];
    } *unicast;
    size_t n_unicast, allocated_unicast;
    struct { size_t idx; int targets[GROUP_SIZE]; size_t n; } *groups;
    size_t n_groups, allocated_groups;
};

/* The destination MAC that unicast filter 'cls' matches, as
 * vtc_u32_mac() writes it: its first two bytes in the low half of a key at
 * offset -16 from the network header, the other four in a key at -12.
 * False if its keys are not so. */
static bool
unicast_mac(struct rtnl_cls *cls, uint8_t mac[MAC_LEN])
{
    bool head = false, tail = false;
    for (int i = 0; i < 2; i++) {
        uint32_t val, mask;
        int off, offmask;
        if (rtnl_u32_get_key(cls, i, &val, &mask, &off, &offmask)) {
            return false;
        }
        val = ntohl(val);
        mask = ntohl(mask);
        if (off == -16 && mask == 0xffff) {
            mac[0] = val >> 8;
            mac[1] = val;
            head = true;
        } else if (off == -12 && mask == UINT32_MAX) {
            for (int j = 0; j < 4; j++) {
                mac[2 + j] = val >> (24 - 8 * j);
            }
            tail = true;
        }
    }
    return head && tail;
}

static void
trunk_dump_read(struct nl_cache *cache, struct trunk_dump *d)
{
    for (struct nl_object *o = nl_cache_get_first(cache); o;
         o = nl_cache_get_next(o)) {
        struct rtnl_cls *cls = (struct rtnl_cls *) o;
        const char *kind = rtnl_tc_get_kind(TC_CAST(cls));
        uint32_t h = rtnl_tc_get_handle(TC_CAST(cls));
        if (!kind || strcmp(kind, "u32")
            || rtnl_cls_get_prio(cls) != TRUNK_PRIO) {
            d->foreign = true;
        } else if (h == U32_HANDLE(HT_UNICAST, 0, 0)) {
            d->has_unicast = true;
        } else if (h == U32_HANDLE(HT_GROUP, 0, 0)) {
            d->has_group = true;
        } else if (!U32_NODE(h)) {
            continue;           /* The root table itself. */
        } else if (U32_HT(h) == HT_UNICAST || U32_HT(h) == HT_GROUP) {
            int targets[GROUP_SIZE];
            size_t n = 0;
            for (struct rtnl_act *act = rtnl_u32_get_action(cls); act;
                 act = rtnl_act_next(act)) {
                const char *akind = rtnl_tc_get_kind(TC_CAST(act));
                if (n < GROUP_SIZE && akind && !strcmp(akind, "mirred")) {
                    targets[n++] = rtnl_mirred_get_ifindex(act);
                }
            }
            if (U32_HT(h) == HT_UNICAST) {
                if (d->n_unicast >= d->allocated_unicast) {
                    d->unicast = x2nrealloc(d->unicast, &d->allocated_unicast,
                                            sizeof *d->unicast);
                }
                d->unicast[d->n_unicast].handle = h;
                d->unicast[d->n_unicast].has_mac
                    = unicast_mac(cls, d->unicast[d->n_unicast].mac);
                d->unicast[d->n_unicast++].target = n == 1 ? targets[0] : 0;
            } else {
                if (d->n_groups >= d->allocated_groups) {
                    d->groups = x2nrealloc(d->groups, &d->allocated_groups,
                                           sizeof *d->groups);
                }
                d->groups[d->n_groups].idx = U32_NODE(h) - 1;
                memcpy(d->groups[d->n_groups].targets, targets,
                       n * sizeof *targets);
                d->groups[d->n_groups++].n = n;
            }
        } else {
            d->n_root++;
        }
    }
}

/* Reads the filters on the trunk's ingress into 't': those that lead to an
 * endpoint's device that is still there are adopted, the others removed.
 * Filters not laid out as this module lays them out are all made afresh
 * (without any endpoint's: attaching puts them back). */
static int
trunk_read_filters(struct vif_trunk *t)
{
    struct nl_cache *cache = NULL;
    int error = vnl_errno(rtnl_cls_alloc_cache(t->socks.nl, t->trunk_ifindex,
                                               VTC_INGRESS, &cache));
    if (error) {
        return error;
    }
    struct trunk_dump d;
    memset(&d, 0, sizeof d);
    trunk_dump_read(cache, &d);
    nl_cache_free(cache);

    if (d.foreign || !d.has_unicast || !d.has_group || d.n_root != 2) {
        VLOG_INFO("%s: making the trunk's filters afresh", t->netns);
        error = trunk_layout_make(t);
        goto out;
    }
    for (size_t i = 0; i < d.n_unicast; i++) {
        struct trunk_ep *ep = ep_of_ifindex(t, d.unicast[i].target);
        if (ep && !ep->handle) {
            ep->handle = d.unicast[i].handle;
            ep->has_mac = d.unicast[i].has_mac;
            memcpy(ep->mac, d.unicast[i].mac, MAC_LEN);
            used_add(t, ep->handle);
        } else {
            error = trunk_filter_delete(t, d.unicast[i].handle);
        }
    }
    for (size_t i = 0; i < d.n_groups && !error; i++) {
        size_t idx = d.groups[i].idx;
        struct trunk_group *g = group_slot(t, idx);
        bool changed = g->n > 0;        /* (A node twice: made again.) */
        g->n = 0;
        for (size_t j = 0; j < d.groups[i].n; j++) {
            struct trunk_ep *ep = ep_of_ifindex(t, d.groups[i].targets[j]);
            if (ep && ep->group == SIZE_MAX) {
                ep->group = idx;
                g->ifindex[g->n++] = ep->ifindex;
            } else {
                changed = true;
            }
        }
        if (changed) {
            error = group_write(t, idx);
        }
    }

out:
    free(d.unicast);
    free(d.groups);
    return error;
}

/* Whether the dump 'd' has group 'idx''s filter as 't' has it (the same
 * targets, in any order). */
static bool
group_in_dump(const struct trunk_dump *d, const struct trunk_group *g,
              size_t idx)
{
    for (size_t i = 0; i < d->n_groups; i++) {
        if (d->groups[i].idx != idx) {
            continue;
        }
        if (d->groups[i].n != g->n) {
            return false;
        }
        for (size_t j = 0; j < g->n; j++) {
            bool found = false;
            for (size_t k = 0; k < d->groups[i].n && !found; k++) {
                found = d->groups[i].targets[k] == g->ifindex[j];
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }
    return false;
}

static bool
unicast_in_dump(const struct trunk_dump *d, uint32_t handle, int ifindex)
{
    for (size_t i = 0; i < d->n_unicast; i++) {
        if (d->unicast[i].handle == handle) {
            return d->unicast[i].target == ifindex;
        }
    }
    return false;
}

int
vif_trunk_check(struct vif_trunk *t, struct sset *unfiltered)
{
    /* (No dump at all: the trunk's qdisc went too.) */
    struct nl_cache *cache = NULL;
    struct trunk_dump d;
    memset(&d, 0, sizeof d);
    if (!rtnl_cls_alloc_cache(t->socks.nl, t->trunk_ifindex, VTC_INGRESS,
                              &cache)) {
        trunk_dump_read(cache, &d);
        nl_cache_free(cache);
    }

    int error = 0;
    size_t n_made = 0;
    bool afresh = d.foreign || !d.has_unicast || !d.has_group || d.n_root != 2;
    if (afresh) {
        VLOG_INFO("%s: the trunk's filters are not as they were made; making "
                  "them afresh", t->netns);
        error = vtc_clsact_ensure(t->socks.nl, t->trunk_ifindex);
        if (!error) {
            error = trunk_layout_make(t);
        }
        d.n_unicast = d.n_groups = 0;      /* None is left. */
    }

    /* Each endpoint's unicast filter: made again where it is known for
     * which MAC; one adopted without is left to attaching again. */
    struct trunk_ep *ep;
    HMAP_FOR_EACH (ep, node, &t->eps) {
        if (error || !ep->handle
            || unicast_in_dump(&d, ep->handle, ep->ifindex)) {
            continue;
        }
        if (!afresh) {
            trunk_filter_delete(t, ep->handle);   /* (Its target is wrong.) */
        }
        used_remove(t, ep->handle);
        ep->handle = 0;
        if (ep->has_mac) {
            error = unicast_add(t, ep->ifindex, ep->mac, &ep->handle);
            n_made++;
        } else {
            sset_add(unfiltered, ep->ifname);
        }
    }
    for (size_t idx = 0; idx < t->n_groups && !error; idx++) {
        const struct trunk_group *g = &t->groups[idx];
        if (g->n && !group_in_dump(&d, g, idx)) {
            error = group_write(t, idx);
            n_made++;
        }
    }
    if (n_made) {
        VLOG_INFO("%s: %"PRIuSIZE" of the trunk's filters made again",
                  t->netns, n_made);
    }
    free(d.unicast);
    free(d.groups);
    return error;
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
        struct trunk_ep *ep;
        HMAP_FOR_EACH_SAFE (ep, node, &t->eps) {
            ep_destroy(t, ep);
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

/* The device's own filters: up the trunk only with its own source MAC; its
 * own frames coming back down (a broadcast it sent) into the sink.  On a
 * device that has some ('fresh' false), the new ones go in beside the old,
 * which then go: never a moment without. */
static int
device_filters_set(struct vif_trunk *t, int ifindex, const uint8_t mac[6],
                   bool fresh)
{
    struct nl_sock *sk = t->socks.nl;
    int error = vtc_clsact_ensure(sk, ifindex);
    uint16_t prio = fresh ? 1 : device_free_prio(sk, ifindex);
    const int targets[2] = { t->trunk_ifindex, t->sink_ifindex };
    for (size_t i = 0; i < 2 && !error; i++) {
        struct vtc_u32 spec = {
            .parent = i ? VTC_EGRESS : VTC_INGRESS, .prio = prio,
            .eaction = TCA_EGRESS_REDIR, .targets = &targets[i],
            .n_targets = 1, .policy = TC_ACT_STOLEN,
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

    /* The trunk's: those that lead to a device made again go; the one that
     * hands it down what is for its MAC is kept if it is known to be for
     * this MAC, else a new one goes in, then the old goes (an adopted one
     * whose MAC could not be read back, too); then into a group for
     * multicast. */
    struct trunk_ep *ep = ep_find(t, cfg->host_ifname);
    if (ep && ep->ifindex != ifindex) {
        what = "removing the trunk's filters of the old device";
        error = ep_clear(t, ep);
        if (error) {
            goto out;
        }
        ep->ifindex = ifindex;
    } else if (!ep) {
        ep = ep_create(t, cfg->host_ifname, ifindex);
    }
    if (!ep->handle || !ep->has_mac || memcmp(ep->mac, cfg->mac, MAC_LEN)) {
        what = "adding the trunk's filter";
        uint32_t handle;
        error = unicast_add(t, ifindex, cfg->mac, &handle);
        if (error) {
            goto out;
        }
        if (ep->handle) {
            what = "removing the trunk's old filter";
            error = unicast_delete(t, ep->handle);
        }
        ep->handle = handle;
        ep->has_mac = true;
        memcpy(ep->mac, cfg->mac, MAC_LEN);
    }
    if (!error && ep->group == SIZE_MAX) {
        what = "adding the endpoint to a multicast group";
        error = group_join(t, ep);
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
    struct trunk_ep *ep = ep_find(t, ifname);
    int error = ep ? ep_clear(t, ep) : 0;
    if (!error) {
        if (ep) {
            ep_destroy(t, ep);
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
    const struct trunk_ep *ep = ep_find(t, cfg->host_ifname);
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
