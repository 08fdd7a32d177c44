/* The trunks of an attacher's switch (see controller/attach.h): the
 * namespaces they are in, opened and watched, made and removed, and the
 * devices behind them that no endpoint wants any more. */
#include <config.h>
#include "controller/attach-private.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/vif.h"
#include "hash.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(attach_trunks);

/* A trunk's own filters are read back this often, and soon after a notice
 * says one of them went (at most once per TRUNK_CHECK_GAP_MS: detaching
 * deletes some too). */
#define TRUNK_VERIFY_MS 30000
#define TRUNK_CHECK_GAP_MS 500

static void
trunk_state_destroy(struct trunk_state *ts)
{
    if (ts) {
        vif_watch_close(ts->watch);
        vif_trunk_close(ts->t);
        free(ts->port);
        free(ts);
    }
}

/* The name of namespace 'fd' under /run/netns (malloc'd), or NULL if it has
 * none there. */
static char *
netns_name_of(int fd)
{
    struct stat want;
    DIR *dir = fd >= 0 && !fstat(fd, &want) ? opendir("/run/netns") : NULL;
    char *name = NULL;
    if (dir) {
        struct dirent *de;
        while (!name && (de = readdir(dir))) {
            char *path = xasprintf("/run/netns/%s", de->d_name);
            struct stat st;
            if (de->d_name[0] != '.' && !stat(path, &st)
                && st.st_dev == want.st_dev && st.st_ino == want.st_ino) {
                name = xstrdup(de->d_name);
            }
            free(path);
        }
        closedir(dir);
    }
    return name;
}

/* Names the trunks' namespaces after the switch's, if it has a name (a
 * switch sandboxed in a namespace of its own: its trunks go with it). */
void
refresh_trunk_base(struct attacher *a)
{
    char *name = netns_name_of(a->switch_netns_fd);
    free(a->trunk_base);
    a->trunk_base = name ? name : xasprintf("vnet-trunk-%s", a->switch_name);
}

/* Keeps trunk 't' in namespace 'netns' open, and follows its link notices:
 * an endpoint's device deleted there is made again at once. */
static struct trunk_state *
trunk_state_create(struct attacher *a, const char *netns, struct vif_trunk *t,
                   const char *port, int mtu)
{
    struct trunk_state *ts = xzalloc(sizeof *ts);
    ts->t = t;
    ts->port = xstrdup(port);
    ts->mtu = mtu;
    ts->checked_at = time_msec();
    ts->check_at = ts->checked_at + TRUNK_VERIFY_MS;
    int error = vif_watch_open(vif_trunk_netns_fd(t), true, &ts->watch);
    if (error) {
        /* The periodic checks still find everything, later. */
        VLOG_WARN("trunk %s: cannot follow the link notices of namespace %s: "
                  "%s", port, netns, ovs_strerror(error));
    }
    shash_add(&a->trunks, netns, ts);
    return ts;
}

/* The trunk in namespace 'netns', open, if it exists (NULL if not).  One
 * opened here and not by trunk_get() is made again by trunk_get() (which
 * adopts what is there). */
struct trunk_state *
trunk_find(struct attacher *a, const char *netns)
{
    struct trunk_state *ts = shash_find_data(&a->trunks, netns);
    struct vif_trunk *t;
    if (!ts && vif_netns_exists(netns) && !vif_trunk_open(netns, &t)) {
        ts = trunk_state_create(a, netns, t, "", -1);
    }
    return ts;
}

/* The trunk that 'w' is behind, made (or made again: its end of the port
 * gone, or the network's MTU changed) and open; NULL, with why in '*errorp'
 * (malloc'd), if it cannot be. */
struct trunk_state *
trunk_get(struct attacher *a, const struct attach_want *w, char **errorp)
{
    struct trunk_state *ts = shash_find_data(&a->trunks, w->trunk_netns);
    if (ts && ts->mtu == w->mtu && !strcmp(ts->port, w->trunk_port)
        && vif_trunk_exists(ts->t)) {
        return ts;
    }
    if (ts) {
        shash_find_and_delete(&a->trunks, w->trunk_netns);
        trunk_state_destroy(ts);
    }
    if (!vif_netns_exists(w->trunk_netns)) {
        char *what = xasprintf("trunk %s", w->trunk_port);
        *errorp = mark_netns(w->trunk_netns, what);
        free(what);
        if (*errorp) {
            return NULL;
        }
    }
    /* Its end in the trunk's namespace sends nothing: any MAC of ours. */
    uint32_t h = hash_string(w->trunk_netns, 0);
    const uint8_t mac[6] = { 0x02, 0x00, h >> 24, h >> 16, h >> 8, h };
    struct vif_trunk *t = NULL;
    int error = vif_trunk_ensure(w->trunk_netns, w->trunk_port, mac, w->mtu,
                                 a->switch_netns_fd);
    if (!error) {
        error = vif_trunk_open(w->trunk_netns, &t);
    }
    if (error) {
        *errorp = xasprintf("cannot make trunk %s: %s", w->trunk_port,
                            ovs_strerror(error));
        return NULL;
    }
    VLOG_INFO("trunk %s: in namespace %s", w->trunk_port, w->trunk_netns);
    return trunk_state_create(a, w->trunk_netns, t, w->trunk_port, w->mtu);
}

/* Whether namespace 'netns' is an endpoint's in 'wants' or attached: one
 * named by a device behind a trunk, an endpoint's that is gone, may have
 * been taken by another since. */
static bool
netns_wanted(const struct attacher *a, const struct attach_want *wants,
             size_t n_wants, const char *netns)
{
    if (!netns) {
        return false;
    }
    for (size_t i = 0; i < n_wants; i++) {
        if (nullable_string_is_equal(wants[i].netns, netns)) {
            return true;
        }
    }
    const struct shash_node *node;
    SHASH_FOR_EACH (node, &a->endpoints) {
        const struct attached *at = node->data;
        if (nullable_string_is_equal(at->want.netns, netns)) {
            return true;
        }
    }
    return false;
}

/* Removes the trunk in namespace 'netns', whose port of the switch 'port'
 * is gone, with the namespaces of the endpoints still behind it (an
 * endpoint removed while ovs-vnetd was not running). */
void
detach_trunk(struct attacher *a, const char *netns, const char *port,
             const struct attach_want *wants, size_t n_wants)
{
    struct trunk_state *ts = trunk_find(a, netns);
    if (ts) {
        struct smap devices = SMAP_INITIALIZER(&devices);
        vif_trunk_list(ts->t, NULL, &devices);
        const struct smap_node *node;
        SMAP_FOR_EACH (node, &devices) {
            const char *ns = node->value[0] ? node->value : NULL;
            detach_one(a, node->key, ns, node->key, netns,
                       netns_wanted(a, wants, n_wants, ns));
        }
        smap_destroy(&devices);
        shash_find_and_delete(&a->trunks, netns);
        trunk_state_destroy(ts);
    }
    if (!netns_is_ours(netns)) {
        return;
    }
    char *marker = netns_marker(netns);
    int error = vif_trunk_delete(netns, port, a->switch_netns_fd);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "trunk %s: cannot delete namespace %s: %s", port,
                     netns, ovs_strerror(error));
    } else {
        unlink(marker);
        VLOG_INFO("trunk %s: removed, with namespace %s", port, netns);
    }
    free(marker);
}

/* Removes the devices behind each trunk not yet swept that no endpoint of
 * 'wants' has (endpoints removed while ovs-vnetd was not running): once per
 * trunk opened, as its devices are listed. */
void
sweep_trunks(struct attacher *a, const struct attach_want *wants,
             size_t n_wants)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &a->trunks) {
        struct trunk_state *ts = node->data;
        if (ts->swept) {
            continue;
        }
        struct sset wanted = SSET_INITIALIZER(&wanted);
        for (size_t i = 0; i < n_wants; i++) {
            const struct attach_want *w = &wants[i];
            if (w->trunk_netns && !strcmp(w->trunk_netns, node->name)) {
                sset_add(&wanted, w->host_ifname);
            }
        }
        struct smap devices = SMAP_INITIALIZER(&devices);
        int error = vif_trunk_list(ts->t, &wanted, &devices);
        sset_destroy(&wanted);
        if (error) {
            /* Tried again the next run. */
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 60);
            VLOG_WARN_RL(&rl, "trunk %s: cannot list its devices (%s)",
                         ts->port, ovs_strerror(error));
            smap_destroy(&devices);
            continue;
        }
        ts->swept = true;
        const struct smap_node *dev;
        SMAP_FOR_EACH (dev, &devices) {
            VLOG_INFO("trunk %s: %s is no endpoint's", ts->port, dev->key);
            const char *ns = dev->value[0] ? dev->value : NULL;
            detach_one(a, dev->key, ns, dev->key, node->name,
                       netns_wanted(a, wants, n_wants, ns));
        }
        smap_destroy(&devices);
    }
}

/* Has every endpoint behind the trunk in namespace 'netns' plugged in
 * again (attacher_run()), and forgets the trunk: it is made again. */
void
replug_trunk(struct attacher *a, const char *netns)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &a->endpoints) {
        struct attached *at = node->data;
        if (nullable_string_is_equal(at->want.trunk_netns, netns)) {
            at->ready = false;
            at->replug = true;
        }
    }
    trunk_state_destroy(shash_find_and_delete(&a->trunks, netns));
}

/* Has trunk 'ts''s own filters checked soon. */
static void
trunk_check_soon(struct trunk_state *ts, long long int now)
{
    ts->check_at = MIN(ts->check_at,
                       MAX(now, ts->checked_at + TRUNK_CHECK_GAP_MS));
}

/* Has the endpoints behind trunk 'netns' whose devices are in 'names' (all
 * of them if 'all') checked at once. */
static void
check_soon_behind(struct attacher *a, const char *netns,
                  const struct sset *names, bool all)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &a->endpoints) {
        struct attached *at = node->data;
        if (at->want.trunk_netns && !strcmp(at->want.trunk_netns, netns)
            && (all || sset_contains(names, at->want.host_ifname))) {
            check_soon(a, at);
        }
    }
}

/* Reads the link and tc notices of each trunk's namespace: the endpoints
 * whose devices there were deleted, are not up or lost a filter are
 * checked at once, and the trunk's own filters soon after another program
 * changed one of them.  (Those this process changes, attaching and
 * detaching, bring notices of their own, which its socket's port tells
 * apart: at a thousand endpoints, checking after each detach cost a read
 * of them all.) */
void
trunks_read_link_notices(struct attacher *a, long long int now)
{
    struct shash_node *tnode;
    SHASH_FOR_EACH (tnode, &a->trunks) {
        struct trunk_state *ts = tnode->data;
        struct vif_notices n;
        vif_notices_init(&n);
        vif_watch_run(ts->watch, &n);
        uint32_t own = vif_trunk_port_id(ts->t);
        for (size_t i = 0; i < n.n_tc; i++) {
            const struct vif_tc_notice *tc = &n.tc[i];
            const char *name;
            if (tc->ifindex == vif_trunk_ifindex(ts->t)) {
                if (!own || tc->sender != own) {
                    trunk_check_soon(ts, now);
                }
            } else if (tc->deleted
                       && (name = vif_trunk_device_name(ts->t,
                                                        tc->ifindex))) {
                sset_add(&n.troubled, name);
            }
        }
        if (n.lost) {
            trunk_check_soon(ts, now);
        } else {
            /* A device detached (by this process: the trunk has let go of
             * it) is no endpoint's to check, and costs no walk of them. */
            const char *name;
            SSET_FOR_EACH_SAFE (name, &n.troubled) {
                if (!vif_trunk_has_device(ts->t, name)) {
                    sset_delete(&n.troubled, SSET_NODE_FROM_NAME(name));
                }
            }
        }
        if (n.lost || !sset_is_empty(&n.troubled)) {
            check_soon_behind(a, tnode->name, &n.troubled, n.lost);
        }
        vif_notices_destroy(&n);
    }
}

/* Checks the own filters of each trunk whose time has come: those gone are
 * made again, and endpoints whose filter only attaching again can make are
 * checked at once. */
void
trunks_check(struct attacher *a, long long int now)
{
    struct shash_node *tnode;
    SHASH_FOR_EACH (tnode, &a->trunks) {
        struct trunk_state *ts = tnode->data;
        if (now < ts->check_at) {
            continue;
        }
        struct sset unfiltered = SSET_INITIALIZER(&unfiltered);
        int error = vif_trunk_check(ts->t, &unfiltered);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
            VLOG_WARN_RL(&rl, "trunk %s: checking its filters failed (%s)",
                         tnode->name, ovs_strerror(error));
        }
        if (!sset_is_empty(&unfiltered)) {
            check_soon_behind(a, tnode->name, &unfiltered, false);
        }
        sset_destroy(&unfiltered);
        VLOG_DBG("trunk %s: checked its filters", tnode->name);
        ts->checked_at = now;
        ts->check_at = now + (error ? TRUNK_CHECK_GAP_MS * 2 : TRUNK_VERIFY_MS);
    }
}

void
trunks_wait(const struct attacher *a)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &a->trunks) {
        const struct trunk_state *ts = node->data;
        vif_watch_wait(ts->watch);
        poll_timer_wait_until(ts->check_at);
    }
}

void
trunks_destroy(struct attacher *a)
{
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &a->trunks) {
        trunk_state_destroy(node->data);
        shash_delete(&a->trunks, node);
    }
    shash_destroy(&a->trunks);
    free(a->trunk_base);
}

char *
trunk_netns_name(const struct attacher *a, const char *port)
{
    return xasprintf("%s-%s", a->trunk_base, port);
}
