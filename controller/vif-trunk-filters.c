/* The own filters of a trunk (controller/vif-trunk.c): its layout of u32
 * hash tables, each endpoint's unicast filter and the multicast groups,
 * read back on open and checked against what was made. */
#include <config.h>
#include "controller/vif.h"
#include "controller/vif-netlink.h"
#include "controller/vif-tc.h"
#include "controller/vif-trunk-private.h"

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
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_trunk_filters);

/* Broadcast and multicast: the group bit of the destination. */
static const uint8_t group_bit[MAC_LEN] = { 0x01, 0, 0, 0, 0, 0 };
static const uint8_t no_bits[MAC_LEN];

struct trunk_ep *
trunk_ep_find(const struct vif_trunk *t, const char *ifname)
{
    struct trunk_ep *ep;
    HMAP_FOR_EACH_WITH_HASH (ep, node, hash_string(ifname, 0), &t->eps) {
        if (!strcmp(ep->ifname, ifname)) {
            return ep;
        }
    }
    return NULL;
}

struct trunk_ep *
trunk_ep_create(struct vif_trunk *t, const char *ifname, int ifindex)
{
    struct trunk_ep *ep = xzalloc(sizeof *ep);
    ep->ifname = xstrdup(ifname);
    ep->ifindex = ifindex;
    ep->group = SIZE_MAX;
    hmap_insert(&t->eps, &ep->node, hash_string(ifname, 0));
    return ep;
}

void
trunk_ep_destroy(struct vif_trunk *t, struct trunk_ep *ep)
{
    hmap_remove(&t->eps, &ep->node);
    free(ep->ifname);
    free(ep);
}

static struct used_handle *
trunk_used_find(const struct vif_trunk *t, uint32_t handle)
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
trunk_used_add(struct vif_trunk *t, uint32_t handle)
{
    struct used_handle *u = xmalloc(sizeof *u);
    u->handle = handle;
    hmap_insert(&t->used, &u->node, hash_int(handle, 0));
}

static void
trunk_used_remove(struct vif_trunk *t, uint32_t handle)
{
    struct used_handle *u = trunk_used_find(t, handle);
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
    return !vnl_link_name(&t->socks, ifindex, name);
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
    struct trunk_ep *ep = trunk_ep_find(t, name);
    return (!ep ? trunk_ep_create(t, name, ifindex)
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
int
trunk_group_join(struct vif_trunk *t, struct trunk_ep *ep)
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
int
trunk_unicast_add(struct vif_trunk *t, int ifindex, const uint8_t mac[MAC_LEN],
            uint32_t *handlep)
{
    int bucket = mac[MAC_LEN - 1];
    uint32_t handle = 0;
    for (int node = 1; node <= MAX_NODES && !handle; node++) {
        uint32_t h = U32_HANDLE(HT_UNICAST, bucket, node);
        if (!trunk_used_find(t, h)) {
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
        trunk_used_add(t, handle);
        *handlep = handle;
    }
    return error;
}

int
trunk_unicast_delete(struct vif_trunk *t, uint32_t handle)
{
    int error = trunk_filter_delete(t, handle);
    if (!error) {
        trunk_used_remove(t, handle);
    }
    return error;
}

/* Removes the trunk's filters that lead to 'ep''s device. */
int
trunk_ep_clear(struct vif_trunk *t, struct trunk_ep *ep)
{
    int error = ep->handle ? trunk_unicast_delete(t, ep->handle) : 0;
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
    struct {
        size_t idx;
        int targets[GROUP_SIZE];
        size_t n;
        bool overfull;          /* More targets than a group has. */
    } *groups;
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
                if (akind && !strcmp(akind, "mirred")) {
                    if (n < GROUP_SIZE) {
                        targets[n] = rtnl_mirred_get_ifindex(act);
                    }
                    n++;
                }
            }
            if (U32_HT(h) == HT_UNICAST) {
                if (d->n_unicast >= d->allocated_unicast) {
                    d->unicast = x2nrealloc(d->unicast, &d->allocated_unicast,
                                            sizeof *d->unicast);
                }
                d->unicast[d->n_unicast].handle = h;
                d->unicast[d->n_unicast].has_mac
                    = vtc_u32_get_mac(cls, false,
                                      d->unicast[d->n_unicast].mac);
                d->unicast[d->n_unicast++].target = n == 1 ? targets[0] : 0;
            } else {
                if (d->n_groups >= d->allocated_groups) {
                    d->groups = x2nrealloc(d->groups, &d->allocated_groups,
                                           sizeof *d->groups);
                }
                d->groups[d->n_groups].idx = U32_NODE(h) - 1;
                d->groups[d->n_groups].overfull = n > GROUP_SIZE;
                n = MIN(n, GROUP_SIZE);
                memcpy(d->groups[d->n_groups].targets, targets,
                       n * sizeof *targets);
                d->groups[d->n_groups++].n = n;
            }
        } else {
            d->n_root++;
        }
    }
}

static int
compare_unicast_handles(const void *a_, const void *b_)
{
    const uint32_t *a = a_, *b = b_;    /* (Each entry begins with it.) */
    return *a < *b ? -1 : *a > *b;
}

/* Dumps the filters on the trunk's ingress into 'd' (empty if the dump
 * fails: the trunk's qdisc is gone), its unicast filters in handle order. */
static int
trunk_dump(const struct vif_trunk *t, struct trunk_dump *d)
{
    struct nl_cache *cache = NULL;
    memset(d, 0, sizeof *d);
    int error = vnl_errno(rtnl_cls_alloc_cache(t->socks.nl, t->trunk_ifindex,
                                               VTC_INGRESS, &cache));
    if (!error) {
        trunk_dump_read(cache, d);
        nl_cache_free(cache);
        if (d->n_unicast) {
            qsort(d->unicast, d->n_unicast, sizeof *d->unicast,
                  compare_unicast_handles);
        }
    }
    return error;
}

/* Whether the filters in 'd' are laid out as this module lays them out. */
static bool
trunk_dump_laid_out(const struct trunk_dump *d)
{
    return !d->foreign && d->has_unicast && d->has_group && d->n_root == 2;
}

static void
trunk_dump_destroy(struct trunk_dump *d)
{
    free(d->unicast);
    free(d->groups);
}

/* Reads the filters on the trunk's ingress into 't': those that lead to an
 * endpoint's device that is still there are adopted, the others removed.
 * Filters not laid out as this module lays them out are all made afresh
 * (without any endpoint's: attaching puts them back). */
int
trunk_read_filters(struct vif_trunk *t)
{
    struct trunk_dump d;
    int error = trunk_dump(t, &d);
    if (error) {
        return error;
    }
    if (!trunk_dump_laid_out(&d)) {
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
            trunk_used_add(t, ep->handle);
        } else {
            error = trunk_filter_delete(t, d.unicast[i].handle);
        }
    }
    for (size_t i = 0; i < d.n_groups && !error; i++) {
        size_t idx = d.groups[i].idx;
        struct trunk_group *g = group_slot(t, idx);
        /* (A node twice, or one with more targets than a group has: made
         * again.) */
        bool changed = g->n > 0 || d.groups[i].overfull;
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
    trunk_dump_destroy(&d);
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
        if (d->groups[i].n != g->n || d->groups[i].overfull) {
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
    const uint32_t *found = (d->n_unicast
                             ? bsearch(&handle, d->unicast, d->n_unicast,
                                       sizeof *d->unicast,
                                       compare_unicast_handles)
                             : NULL);
    return found && CONTAINER_OF(found, typeof(*d->unicast), handle)->target
                    == ifindex;
}

int
vif_trunk_check(struct vif_trunk *t, struct sset *unfiltered)
{
    /* (No dump at all: the trunk's qdisc went too, and is made again.) */
    struct trunk_dump d;
    trunk_dump(t, &d);

    int error = 0;
    size_t n_made = 0;
    bool afresh = !trunk_dump_laid_out(&d);
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
        trunk_used_remove(t, ep->handle);
        ep->handle = 0;
        if (ep->has_mac) {
            error = trunk_unicast_add(t, ep->ifindex, ep->mac, &ep->handle);
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
    trunk_dump_destroy(&d);
    return error;
}
