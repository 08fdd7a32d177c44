/* Traffic control on links through libnl-route-3 (see controller/vif-tc.h). */
#include <config.h>
#include "controller/vif-tc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/tc_act/tc_mirred.h>

#include <netlink/netlink.h>
#include <netlink/route/action.h>
#include <netlink/route/act/mirred.h>
#include <netlink/route/classifier.h>
#include <netlink/route/cls/u32.h>
#include <netlink/route/qdisc.h>
#include <netlink/route/tc.h>

#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vif_tc);

int
vtc_clsact_ensure(struct nl_sock *sk, int ifindex)
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

/* The offsets of the two keys of a MAC from the network header:
 * [src][word]. */
static const int mac_key_off[2][2] = {
    { -16, -12 },               /* Destination: bytes 0-1 low, then 2-5. */
    { -8, -4 },                 /* Source: bytes 0-3, then 4-5 high. */
};

const uint8_t vtc_all_ones[MAC_LEN] = {
    0xff, 0xff, 0xff, 0xff, 0xff, 0xff
};

void
vtc_u32_mac(struct vtc_u32 *s, const uint8_t mac[MAC_LEN],
         const uint8_t mask[MAC_LEN], bool src)
{
    uint32_t values[2], masks[2];
    int offs[2];
    if (src) {
        values[0] = mac_word(mac, 0);
        masks[0] = mac_word(mask, 0);
        values[1] = mac_word(mac, 4);
        masks[1] = mac_word(mask, 4);
    } else {
        values[0] = mac_word(mac, 0) >> 16;
        masks[0] = mac_word(mask, 0) >> 16;
        values[1] = mac_word(mac, 2);
        masks[1] = mac_word(mask, 2);
    }
    offs[0] = mac_key_off[src][0];
    offs[1] = mac_key_off[src][1];
    for (size_t i = 0; i < 2; i++) {
        if (masks[i] && s->n_keys < ARRAY_SIZE(s->keys)) {
            s->keys[s->n_keys].value = values[i] & masks[i];
            s->keys[s->n_keys].mask = masks[i];
            s->keys[s->n_keys].off = offs[i];
            s->n_keys++;
        }
    }
}

bool
vtc_u32_get_mac(struct rtnl_cls *cls, bool src, uint8_t mac[MAC_LEN])
{
    /* (The keys vtc_u32_mac() writes: for a destination, bytes 0-1 in the
     * low half of one word and bytes 2-5 in the next; for a source, bytes
     * 0-3 in one and bytes 4-5 in the high half of the next.) */
    const uint32_t masks[2] = { src ? UINT32_MAX : 0xffff,
                                src ? 0xffff0000 : UINT32_MAX };
    bool seen[2] = { false, false };
    uint8_t bytes[8];
    for (int i = 0; i < 2; i++) {
        uint32_t val, mask;
        int off, offmask;
        if (rtnl_u32_get_key(cls, i, &val, &mask, &off, &offmask)) {
            return false;
        }
        val = ntohl(val);
        mask = ntohl(mask);
        for (int k = 0; k < 2; k++) {
            if (off == mac_key_off[src][k] && mask == masks[k]) {
                for (int j = 0; j < 4; j++) {
                    bytes[4 * k + j] = val >> (24 - 8 * j);
                }
                seen[k] = true;
            }
        }
    }
    if (!seen[0] || !seen[1]) {
        return false;
    }
    memcpy(mac, src ? bytes : bytes + 2, MAC_LEN);
    return true;
}

/* libnl-route-3 exports it (its tc kinds' data) without declaring it in
 * the headers it installs. */
void *rtnl_tc_data(struct rtnl_tc *);

/* Gives mirred action 'act', which redirects to 'target', the index
 * 'index'.  libnl-route-3 has no call for it; it keeps the action's
 * parameters as the kernel takes them (struct tc_mirred), which is checked
 * against what was set before it is written.  Else the action is left as
 * one of its own. */
static void
mirred_share(struct rtnl_act *act, uint32_t index, int target)
{
    struct tc_mirred *p = rtnl_tc_data(TC_CAST(act));
    if (p && p->ifindex == (uint32_t) target
        && p->eaction == rtnl_mirred_get_action(act)) {
        p->index = index;
    } else {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);
        VLOG_WARN_RL(&rl, "mirred action of unknown layout: not shared");
    }
}

int
vtc_u32_add(struct nl_sock *sk, int ifindex, const struct vtc_u32 *s)
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
                if (s->shared_index && s->n_targets == 1) {
                    mirred_share(act, s->shared_index, s->targets[i]);
                }
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

int
vtc_filters_delete(struct nl_sock *sk, int ifindex, uint32_t parent,
                   uint16_t prio, uint32_t handle)
{
    struct rtnl_cls *cls = rtnl_cls_alloc();
    if (!cls) {
        return ENOMEM;
    }
    rtnl_tc_set_ifindex(TC_CAST(cls), ifindex);
    rtnl_tc_set_parent(TC_CAST(cls), parent);
    rtnl_cls_set_prio(cls, prio);
    rtnl_cls_set_protocol(cls, 0);  /* Any: the kernel flushes only so. */
    int error = 0;
    if (handle) {
        rtnl_tc_set_handle(TC_CAST(cls), handle);
        error = vnl_errno(rtnl_tc_set_kind(TC_CAST(cls), "u32"));
    }
    if (!error) {
        error = vnl_errno(rtnl_cls_delete(sk, cls, 0));
    }
    rtnl_cls_put(cls);
    return error == ENODEV ? 0 : error;     /* ENOENT: none there. */
}
