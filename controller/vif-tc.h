/* Traffic control on links through libnl-route-3, as controller/vif-trunk.c
 * uses it: a clsact qdisc, and u32 filters with mirred actions that match
 * on MAC addresses.  Private to the files of controller/vif*.c. */
#ifndef CONTROLLER_VIF_TC_H
#define CONTROLLER_VIF_TC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/pkt_sched.h>

#include "controller/vif-netlink.h"

struct nl_sock;

/* A link's two clsact hooks. */
#define VTC_INGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS)
#define VTC_EGRESS TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS)

extern const uint8_t vtc_all_ones[MAC_LEN];

/* A clsact qdisc on link 'ifindex', if it has none. */
int vtc_clsact_ensure(struct nl_sock *, int ifindex);

/* A u32 filter as this module makes them. */
struct vtc_u32 {
    uint32_t parent;            /* VTC_INGRESS or VTC_EGRESS. */
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
    uint32_t shared_index;      /* Nonzero (one target): the action's index.
                                 * Filters that give the same index share one
                                 * action, made by the first. */
};

/* The index of the one mirred action that redirects to link 'ifindex' for
 * every filter that shares it: above those the kernel gives actions made
 * without one (from 1 up). */
#define VTC_SHARED_INDEX(IFINDEX) (UINT32_C(0x80000000) | (uint32_t) (IFINDEX))

/* Adds to 's' keys that match the source (else destination) MAC 'mac' in
 * the bits of 'mask'.  Keys are 32-bit words at offsets from the network
 * header, aligned as tc's "match ether" makes them: the destination MAC is
 * at -14 (the words at -16 and -12), the source at -8 (-8 and -4).  Values
 * in host order; a word with nothing to match is left out. */
void vtc_u32_mac(struct vtc_u32 *, const uint8_t mac[MAC_LEN],
                 const uint8_t mask[MAC_LEN], bool src);

/* The destination MAC (the source MAC if 'src') that u32 filter 'cls'
 * matches whole, read back from the keys vtc_u32_mac() writes for it into
 * 'mac'.  False if its keys are not such. */
struct rtnl_cls;
bool vtc_u32_get_mac(struct rtnl_cls *, bool src, uint8_t mac[MAC_LEN]);

/* Adds (or replaces) the filter 's' on link 'ifindex'. */
int vtc_u32_add(struct nl_sock *, int ifindex, const struct vtc_u32 *s);

/* Deletes the u32 filter 'handle' of hook 'parent' of link 'ifindex' at
 * 'prio', or if 'handle' is 0 every filter there (at every priority if
 * 'prio' is 0 too).  0 also if there are none. */
int vtc_filters_delete(struct nl_sock *, int ifindex, uint32_t parent,
                       uint16_t prio, uint32_t handle);

#endif /* controller/vif-tc.h */
