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

#define INGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
#define EGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

/* A u32 handle: hash table, bucket, node. */
#define U32_HANDLE(HT, BUCKET, NODE) \
    (((uint32_t) (HT) << 20) | ((uint32_t) (BUCKET) << 12) | (NODE))
#define U32_HT(HANDLE) ((HANDLE) >> 20)
#define U32_BUCKET(HANDLE) (((HANDLE) >> 12) & 0xff)
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
    uint8_t mac[MAC_LEN];       /* 'mac' (not adopted). */
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

/* A u32 filter as this module makes them. */
struct u32_spec {
    uint32_t parent;            /* INGRESS or EGRESS. */
    uint16_t prio;
    uint32_t handle;            /* 0: the kernel's choice. */
    uint32_t ht;                /* The table (and bucket) it goes in; 0: the
                                 * root. */
    uint32_t divisor;           /* Nonzero: a hash table of so many buckets,
                                 * and nothing else. */
    uint32_t link;              /* Nonzero: what matches goes on in this
                                 * table... */
    bool hash_dst_last;         /* ...in the bucket of the last byte of its
                                 * destination MAC. */
    struct { uint32_t value, mask; int off; } keys[2];
    size_t n_keys;              /* 0: every frame matches. */
    int eaction;                /* TCA_EGRESS_REDIR or TCA_EGRESS_MIRROR, */
    const int *targets;         /* to these links, in order. */
    size_t n_targets;
    int policy;                 /* What the last action returns: TC_ACT_STOLEN,
                                 * or TC_ACT_UNSPEC to go on classifying (the
                                 * others go on to the next action). */
    int nl_flags;               /* NLM_F_EXCL or NLM_F_REPLACE. */
};

/* Adds to 's' keys that match the source (else destination) MAC 'mac' in
 * the bits of 'mask'.  Keys are 32-bit words at offsets from the network
 * header, aligned as tc's "match ether" makes them: the destination MAC is
 * at -14 (the words at -16 and -12), the source at -8 (-8 and -4).  Values
 * in host order; a word with nothing to match is left out. */
static void
spec_mac(struct u32_spec *s, const uint8_t mac[MAC_LEN],
         const uint8_t mask[MAC_LEN], bool src)
{
    uint32_t values[2], masks[2];
    int offs[2];
    if (src) {
        values[0] = mac_word(mac, 0);
        masks[0] = mac_word(mask, 0);
        offs[0] = -8;
        values[1] = mac_word(mac, 4);
        masks[1] = mac_word(mask, 4);
        offs[1] = -4;
    } else {
        values[0] = mac_word(mac, 0) >> 16;
        masks[0] = mac_word(mask, 0) >> 16;
        offs[0] = -16;
        values[1] = mac_word(mac, 2);
        masks[1] = mac_word(mask, 2);
        offs[1] = -12;
    }
    for (size_t i = 0; i < 2; i++) {
        if (masks[i] && s->n_keys < ARRAY_SIZE(s->keys)) {
            s->keys[s->n_keys].value = values[i] & masks[i];
            s->keys[s->n_keys].mask = masks[i];
            s->keys[s->n_keys].off = offs[i];
            s->n_keys++;
        }
    }
}

/* Adds (or replaces) the filter 's' on link 'ifindex'. */
static int
u32_add(struct nl_sock *sk, int ifindex, const struct u32_spec *s)
{
    struct rtnl_cls *cls = rtnl_cls_alloc();
    if (!cls) {
        return ENOMEM;
    }
    rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), s->parent);
    rtnl_cls_set_prio(cls, s->prio);
    rtnl_cls_set_protocol(cls, ETH_P_ALL);
    int error = vnl_errno(rtnl_tc_set_kind(TC_CAST(cls), "u32"));
    if (!error && s->handle) {
        rtnl_tc_set_handle(TC_CAST(cls), s->handle);
    }
    if (!error && s->ht) {
        error = vnl_errno(rtnl_u32_set_hashtable(cls, s->ht));
    }
    if (!error && s->divisor) {
        error = vnl_errno(rtnl_u32_set_divisor(cls, s->divisor));
    } else if (!error) {
        if (!s->n_keys) {
            error = vnl_errno(rtnl_u32_add_key_uint32(cls, 0, 0, 0, 0));
        }
        for (size_t i = 0; i < s->n_keys && !error; i++) {
            error = vnl_errno(rtnl_u32_add_key_uint32(
                                  cls, s->keys[i].value, s->keys[i].mask,
                                  s->keys[i].off, 0));
        }
        if (!error && s->link) {
            error = vnl_errno(rtnl_u32_set_link(cls, s->link));
            if (!error && s->hash_dst_last) {
                /* The destination MAC's last byte: the low byte of the
                 * word at -12. */
                error = vnl_errno(rtnl_u32_set_hashmask(cls, 0x000000ff,
                                                        (uint32_t) -12));
            }
        }
        if (!error && s->n_targets) {
            /* Else the keys match and the actions never run. */
            error = vnl_errno(rtnl_u32_set_cls_terminal(cls));
        }
        for (size_t i = 0; i < s->n_targets && !error; i++) {
            struct rtnl_act *act = rtnl_act_alloc();
            if (!act) {
                error = ENOMEM;
                break;
            }
            error = vnl_errno(rtnl_tc_set_kind(TC_CAST(act), "mirred"));
            if (!error) {
                rtnl_mirred_set_action(act, s->eaction);
                rtnl_mirred_set_policy(act, (i + 1 < s->n_targets
                                             ? TC_ACT_PIPE : s->policy));
                rtnl_mirred_set_ifindex(act, s->targets[i]);
                error = vnl_errno(rtnl_u32_add_action(cls, act));
            }
            rtnl_act_put(act);
        }
    }
    if (!error) {
        error = vnl_errno(rtnl_cls_add(sk, cls, NLM_F_CREATE | s->nl_flags));
    }
    rtnl_cls_put(cls);
    return error;
}

/* Deletes the filter with 'handle' on the trunk's ingress.  0 also if it is
 * not there. */
static int
u32_delete(struct vif_trunk *t, uint32_t handle)
{
    struct rtnl_cls *cls = rtnl_cls_alloc();
    if (!cls) {
        return ENOMEM;
    }
    rtnl_tc_set_ifindex(TC_CAST(cls), t->trunk_ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), INGRESS);
    rtnl_cls_set_prio(cls, TRUNK_PRIO);
    rtnl_cls_set_protocol(cls, 0);
    rtnl_tc_set_handle(TC_CAST(cls), handle);
    int error = vnl_errno(rtnl_tc_set_kind(TC_CAST(cls), "u32"));
    if (!error) {
        error = vnl_errno(rtnl_cls_delete(t->socks.nl, cls, 0));
    }
    rtnl_cls_put(cls);
    return error == ENODEV ? 0 : error;
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

/* Makes the trunk's filters afresh: the two hash tables and the root's two
 * filters that lead to them. */
static int
trunk_layout_make(struct vif_trunk *t)
{
    struct nl_sock *sk = t->socks.nl;
    int error = filters_delete(sk, t->trunk_ifindex, INGRESS, 0);
    struct u32_spec tables[2] = {
        { .parent = INGRESS, .prio = TRUNK_PRIO,
          .handle = U32_HANDLE(HT_UNICAST, 0, 0), .divisor = N_BUCKETS },
        { .parent = INGRESS, .prio = TRUNK_PRIO,
          .handle = U32_HANDLE(HT_GROUP, 0, 0), .divisor = 1 },
    };
    for (size_t i = 0; i < ARRAY_SIZE(tables) && !error; i++) {
        error = u32_add(sk, t->trunk_ifindex, &tables[i]);
    }
    struct u32_spec unicast = {
        .parent = INGRESS, .prio = TRUNK_PRIO,
        .link = U32_HANDLE(HT_UNICAST, 0, 0), .hash_dst_last = true,
    };
    spec_mac(&unicast, no_bits, group_bit, false);
    unicast.keys[0].mask = 0x0100;      /* (The bit itself, to be 0.) */
    unicast.n_keys = 1;
    struct u32_spec group = {
        .parent = INGRESS, .prio = TRUNK_PRIO,
        .link = U32_HANDLE(HT_GROUP, 0, 0),
    };
    spec_mac(&group, group_bit, group_bit, false);
    if (!error) {
        error = u32_add(sk, t->trunk_ifindex, &unicast);
    }
    if (!error) {
        error = u32_add(sk, t->trunk_ifindex, &group);
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
        return u32_delete(t, handle);
    }
    struct u32_spec spec = {
        .parent = INGRESS, .prio = TRUNK_PRIO, .handle = handle,
        .ht = U32_HANDLE(HT_GROUP, 0, 0),
        .eaction = TCA_EGRESS_MIRROR, .targets = g->ifindex,
        .n_targets = g->n, .policy = TC_ACT_UNSPEC,
        .nl_flags = NLM_F_REPLACE,
    };
    return u32_add(t->socks.nl, t->trunk_ifindex, &spec);
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
    struct u32_spec spec = {
        .parent = INGRESS, .prio = TRUNK_PRIO, .handle = handle,
        .ht = U32_HANDLE(HT_UNICAST, bucket, 0),
        .eaction = TCA_EGRESS_REDIR, .targets = &ifindex, .n_targets = 1,
        .policy = TC_ACT_STOLEN, .nl_flags = NLM_F_EXCL,
    };
    spec_mac(&spec, mac, all_ones, false);
    int error = u32_add(t->socks.nl, t->trunk_ifindex, &spec);
    if (!error) {
        used_add(t, handle);
        *handlep = handle;
    }
    return error;
}

static int
unicast_delete(struct vif_trunk *t, uint32_t handle)
{
    int error = u32_delete(t, handle);
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
    struct { uint32_t handle; int target; } *unicast;
    size_t n_unicast, allocated_unicast;
    struct { size_t idx; int targets[GROUP_SIZE]; size_t n; } *groups;
    size_t n_groups, allocated_groups;
};

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
                                               INGRESS, &cache));
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
            used_add(t, ep->handle);
        } else {
            error = u32_delete(t, d.unicast[i].handle);
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
    const int targets[2] = { t->trunk_ifindex, t->sink_ifindex };
    for (size_t i = 0; i < 2 && !error; i++) {
        struct u32_spec spec = {
            .parent = i ? EGRESS : INGRESS, .prio = prio,
            .eaction = TCA_EGRESS_REDIR, .targets = &targets[i],
            .n_targets = 1, .policy = TC_ACT_STOLEN,
        };
        spec_mac(&spec, mac, all_ones, true);
        error = u32_add(sk, ifindex, &spec);
    }
    if (!error && !fresh) {
        error = filters_delete(sk, ifindex, INGRESS, 3 - prio);
        if (!error) {
            error = filters_delete(sk, ifindex, EGRESS, 3 - prio);
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
     * this MAC, else a new one goes in, then the old goes (an adopted one,
     * whose MAC is not known, too); then into a group for multicast. */
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
