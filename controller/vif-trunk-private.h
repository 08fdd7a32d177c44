/* What controller/vif-trunk.c (trunks, their devices and endpoints) and
 * controller/vif-trunk-filters.c (the trunk's own filters) share. */
#ifndef CONTROLLER_VIF_TRUNK_PRIVATE_H
#define CONTROLLER_VIF_TRUNK_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controller/vif.h"
#include "controller/vif-netlink.h"
#include "openvswitch/hmap.h"

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
 * GROUP_SIZE endpoints.  (A filter may have 32 actions, but libnl-route
 * 3.7 reads back only the first 31 of them: a group of at most 30 reads
 * back whole, and one read with 31 is known to have more than was made.)
 * A frame costs
 * a look at the endpoints of one bucket, not at every endpoint; the filters
 * fit up to MAX_NODES in a bucket and MAX_NODES groups.  (A device's own
 * filters are at priority 1 or 2 of its own hooks.) */
#define TRUNK_PRIO 1
#define HT_UNICAST 1
#define HT_GROUP 2
#define N_BUCKETS 256
#define GROUP_SIZE 30
#define MAX_NODES 0xfff

/* A u32 handle: hash table, bucket, node. */
#define U32_HANDLE(HT, BUCKET, NODE) \
    (((uint32_t) (HT) << 20) | ((uint32_t) (BUCKET) << 12) | (NODE))
#define U32_HT(HANDLE) ((HANDLE) >> 20)
#define U32_NODE(HANDLE) ((HANDLE) & 0xfff)


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

/* Endpoints of 't' by device name (vif-trunk-filters.c). */
struct trunk_ep *trunk_ep_find(const struct vif_trunk *, const char *ifname);
struct trunk_ep *trunk_ep_create(struct vif_trunk *, const char *ifname,
                                 int ifindex);
void trunk_ep_destroy(struct vif_trunk *, struct trunk_ep *);

/* The trunk's own filters (vif-trunk-filters.c): reading them back on open
 * (adopting what leads to a device still there), an endpoint's unicast
 * filter and its place in a multicast group, and removing both. */
int trunk_read_filters(struct vif_trunk *);
int trunk_unicast_add(struct vif_trunk *, int ifindex,
                      const uint8_t mac[MAC_LEN], uint32_t *handlep);
int trunk_unicast_delete(struct vif_trunk *, uint32_t handle);
int trunk_group_join(struct vif_trunk *, struct trunk_ep *);
int trunk_ep_clear(struct vif_trunk *, struct trunk_ep *);

#endif /* controller/vif-trunk-private.h */
