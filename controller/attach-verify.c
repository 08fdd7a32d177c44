/* The attacher's checks of the endpoints it made (controller/attach.c):
 * rounds of them, periodic and asked for by link notices, and the repairs
 * they lead to. */
#include <config.h>
#include "controller/attach.h"
#include "controller/attach-private.h"

#include <limits.h>
#include <string.h>

#include "controller/vif-addr.h"
#include "controller/vif.h"
#include "hash.h"
#include "openvswitch/list.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/names.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(attach_verify);

/* Attached endpoints are checked and repaired in rounds, one every
 * VERIFY_TICK_MS, each checking at most VERIFY_BATCH of them, oldest check
 * first, and none more often than every VERIFY_MS, at a bounded cost: what
 * happens where the switch runs (a host end deleted, with its namespace or
 * not; its peer down; an internal port's device made there again) is seen
 * from its link notices (an internal port's device, which is in its
 * endpoint's namespace, from that namespace's deletion), and the endpoint is
 * checked at once, in a round of its own (of at most VERIFY_BATCH such
 * endpoints, and if there are more, the next such round VERIFY_TICK_MS
 * later) that leaves the periodic round
 * where it is; the periodic checks find the rest (an address removed inside
 * a namespace). */
#define VERIFY_MS 30000
#define VERIFY_TICK_MS 1000
#define VERIFY_BATCH 16
/* An internal port's device goes with its namespace, unseen where the switch
 * runs, and its repair can have to wait for the switch: internal ports are
 * checked this often still. */
#define VERIFY_INTERNAL_MS 5000

void
verify_start(struct attacher *a)
{
    a->next_round = time_msec() + VERIFY_TICK_MS;
}

/* Has 'at' checked at once (see VERIFY_MS). */
void
check_soon(struct attacher *a, struct attached *at)
{
    at->verified = LLONG_MIN;
    ovs_list_remove(&at->node);
    ovs_list_push_front(&a->by_age, &at->node);
    a->urgent = true;
}

/* Has every endpoint whose device where the switch runs is 'name' (not
 * behind a trunk; only internal ports if 'internal') checked at once. */
static void
check_by_device(struct attacher *a, const char *name, bool internal)
{
    struct attached *at;
    HMAP_FOR_EACH_WITH_HASH (at, device_node, hash_string(name, 0),
                             &a->by_device) {
        if (!strcmp(at->want.host_ifname, name)
            && (!internal || at->want.internal)) {
            check_soon(a, at);
        }
    }
}

/* Whether a trunk's port is among 'names' (every endpoint behind it is to
 * be checked). */
static bool
troubled_trunk(const struct sset *names)
{
    const char *name;
    SSET_FOR_EACH (name, names) {
        if (vnet_is_trunk_port_name(name)) {
            return true;
        }
    }
    return false;
}

/* Whether 'a''s oldest check is one asked for by check_soon(). */
static bool
urgent_first(const struct attacher *a)
{
    return (!ovs_list_is_empty(&a->by_age)
            && CONTAINER_OF(ovs_list_front(&a->by_age), struct attached,
                            node)->verified == LLONG_MIN);
}

/* Reads the link notices of the switch's namespace: endpoints whose devices
 * there were deleted or are not up with a carrier (a veth's peer went down,
 * or its namespace was deleted), and internal ports whose device is there
 * (the switch made it again), are checked at once (check_soon()), and so
 * are internal ports checked VERIFY_INTERNAL_MS ago, with the periodic
 * round.  (Without internal ports, neither a device made there nor the
 * round has every endpoint looked at: a thousand endpoints cost a walk of
 * them all each second, and one each time an endpoint's port came.) */
static void
read_link_notices(struct attacher *a, long long int now)
{
    struct vif_notices n;
    vif_notices_init(&n);
    vif_watch_run(a->watch, &n);

    /* An internal port's device goes with its namespace, and nothing where
     * the switch runs says so.  (Watching fails while no namespace was ever
     * made: tried again with each round, not on every call.) */
    bool round = now >= a->next_round;
    struct sset netns_gone = SSET_INITIALIZER(&netns_gone);
    if (a->any_internal && !a->netns_watch && round) {
        int error = vif_netns_watch_open(&a->netns_watch);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);
            VLOG_WARN_RL(&rl, "switch %s: cannot watch namespaces (%s)",
                         a->switch_name, ovs_strerror(error));
        }
    }
    bool netns_lost = vif_netns_watch_run(a->netns_watch, &netns_gone);

    if (!n.lost && !troubled_trunk(&n.troubled)
        && !(a->any_internal && (round || !sset_is_empty(&netns_gone)
                                 || netns_lost))) {
        /* Only the endpoints whose devices the notices name (with an
         * index: the cost of a notice does not grow with the endpoints). */
        const char *name;
        SSET_FOR_EACH (name, &n.troubled) {
            check_by_device(a, name, false);
        }
        if (a->any_internal) {
            SSET_FOR_EACH (name, &n.present) {
                check_by_device(a, name, true);
            }
        }
    } else {
        bool any_internal = false;
        struct shash_node *node;
        SHASH_FOR_EACH (node, &a->endpoints) {
            struct attached *at = node->data;
            any_internal |= at->want.internal;
            /* (Behind a trunk, the device is not where the switch runs:
             * its trunk's port is.) */
            const char *name = (at->want.trunk_port ? at->want.trunk_port
                                : at->want.host_ifname);
            if (n.lost || sset_contains(&n.troubled, name)
                || (at->want.internal
                    && (sset_contains(&n.present, name)
                        || netns_lost
                        || (at->want.netns
                            && sset_contains(&netns_gone, at->want.netns))
                        || (round
                            && now >= at->verified + VERIFY_INTERNAL_MS)))) {
                check_soon(a, at);
            }
        }
        a->any_internal = any_internal;
    }
    vif_notices_destroy(&n);
    sset_destroy(&netns_gone);

    trunks_read_link_notices(a, now);
}

bool
attacher_verify(struct attacher *a)
{
    long long int now = time_msec();
    bool changed = false;

    read_link_notices(a, now);
    trunks_check(a, now);
    bool periodic = now >= a->next_round;
    if (!periodic && !(a->urgent && now >= a->next_urgent)) {
        return false;
    }
    a->urgent = false;
    if (periodic) {
        a->next_round = now + VERIFY_TICK_MS;
    }
    refresh_switch_netns(a);
    if (!a->switch_pid) {
        return false;
    }
    int i;
    for (i = 0; i < VERIFY_BATCH && !ovs_list_is_empty(&a->by_age); i++) {
        struct attached *at = CONTAINER_OF(ovs_list_front(&a->by_age),
                                           struct attached, node);
        if (at->verified != LLONG_MIN
            && (!periodic || now < at->verified + VERIFY_MS)) {
            break;              /* The rest were checked later still. */
        }
        VLOG_DBG("endpoint %s: checking (%s)", at->want.endpoint,
                 at->verified == LLONG_MIN ? "asked for" : "periodic");
        struct vif_config cfg;
        to_vif_config(&at->want, &cfg);
        const struct trunk_state *ts = (at->want.trunk_netns
                                        ? shash_find_data(&a->trunks,
                                                          at->want.trunk_netns)
                                        : NULL);
        bool trunk_gone = (at->want.trunk_netns
                           && (!ts || !vif_trunk_exists(ts->t)
                               || !vif_netns_exists(at->want.trunk_netns)));
        bool ok = (at->want.trunk_netns
                   ? !trunk_gone && vif_trunk_is_attached(ts->t, &cfg)
                   : at->want.internal
                   ? vif_internal_is_configured(&cfg, a->switch_netns_fd)
                   : at->want.netns
                   ? vif_is_configured(&cfg, a->switch_netns_fd)
                   : vif_tap_is_configured(a->switch_netns_fd,
                                           at->want.host_ifname,
                                           at->want.mtu));
        if (at->ready && trunk_gone) {
            /* Its trunk's port is gone, or its namespace: the switch's port
             * holds the old device.  Every endpoint behind it out of the
             * switch first (the port goes with the last), then all made
             * again. */
            VLOG_INFO("trunk %s is gone; plugging it in again",
                      at->want.trunk_port);
            replug_trunk(a, at->want.trunk_netns);
            changed = true;
        } else if (at->ready && !ok) {
            bool gone = (at->want.trunk_netns ? false
                         : at->want.internal
                         ? !vif_internal_exists(&cfg, a->switch_netns_fd)
                         : !vif_link_exists(a->switch_netns_fd,
                                            at->want.host_ifname));
            if (gone) {
                /* The veth is gone (with its namespace, or deleted): the
                 * switch's port holds the old device, and would not take a
                 * new one of the same name.  Out of the switch first, then
                 * made again (attacher_run()). */
                VLOG_INFO("endpoint %s: interface %s is gone; plugging it in "
                          "again", at->want.endpoint, at->want.host_ifname);
                at->ready = false;
                at->replug = true;
            } else {
                VLOG_INFO("endpoint %s: repairing %s %s", at->want.endpoint,
                          at->want.netns ? "namespace" : "tap",
                          at->want.netns ? at->want.netns
                                         : at->want.host_ifname);
                attach_one(a, at);
            }
            changed = true;
        }
        checked(a, at, now);
    }
    if (i == VERIFY_BATCH && urgent_first(a)) {
        /* More were asked for than a round checks: the next such round
         * after a tick, as the periodic ones. */
        a->urgent = true;
        a->next_urgent = now + VERIFY_TICK_MS;
    }
    return changed;
}

void
attacher_verify_wait(const struct attacher *a)
{
    vif_watch_wait(a->watch);
    vif_netns_watch_wait(a->netns_watch);
    trunks_wait(a);
    poll_timer_wait_until(a->urgent ? MIN(a->next_round, a->next_urgent)
                                    : a->next_round);
}
