#include <config.h>
#include "controller/underlay.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "controller/tunnels.h"
#include "controller/vif-addr.h"
#include "controller/vswitchd-ask.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(underlay);

/* How often the peers' MACs are told again (they age out when unused). */
#define SEED_REFRESH_MS (60 * 1000)
/* How long ovs-vswitchd has to answer a batch of questions.  One that does
 * not (stopped, or stuck) holds up only its own switch: the loop goes on. */
#define ASK_TIMEOUT_MS 5000

struct underlay {
    char *name;                 /* The switch, for logs. */
    char *iface;                /* Whose IP we moved to the bridge, */
    uint32_t ip;                /* which IP, */
    int plen;                   /* and its prefix; iface NULL: none. */
    pid_t pid;                  /* ovs-vswitchd when it was moved. */
    bool recheck;               /* Look whether the IP is still there, */
    long long int watch_until;  /* and keep looking until then. */
    char *seed_key;             /* The peers' MACs last told (or tried) to
                                 * ovs-vswitchd, as a key (its pid and the
                                 * peers), */
    bool seed_told;             /* whether that went through, */
    long long int seed_next;    /* and when to tell it again; */
    struct vswitchd_ask *seed_ask; /* being told now. */
    char *check_key;            /* What ovs-vswitchd was last asked to have
                                 * caught up with (check_key()), */
    bool caught_up;             /* whether it had (tunnel_check_judge()),
                                 * and if not, */
    long long int check_next;   /* when to ask again, */
    long long int check_since;  /* and since when it has been asked; */
    struct vswitchd_ask *check_ask; /* being asked now. */
};

static void forget_seeding(struct underlay *);

struct underlay *
underlay_create(const char *switch_name)
{
    struct underlay *u = xzalloc(sizeof *u);
    u->name = xstrdup(switch_name);
    return u;
}

void
underlay_destroy(struct underlay *u)
{
    if (u) {
        free(u->name);
        free(u->iface);
        free(u->seed_key);
        free(u->check_key);
        vswitchd_ask_destroy(u->seed_ask);
        vswitchd_ask_destroy(u->check_ask);
        free(u);
    }
}

const char *
underlay_get_iface(const struct underlay *u)
{
    return u->iface;
}

void
underlay_give_back(struct underlay *u, pid_t pid, int netns_fd)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    if (!pid || !u->iface) {
        return;                 /* ovs-vswitchd's namespace is unknown. */
    }
    int error = vif_addr_move(netns_fd, VNET_PHY_BRIDGE, u->iface, u->ip,
                              u->plen);
    if (error) {
        VLOG_WARN_RL(&rl, "switch %s: cannot give the tunnel IP back to %s: "
                     "%s", u->name, u->iface, ovs_strerror(error));
    } else {
        VLOG_INFO("switch %s: tunnel IP back on %s", u->name, u->iface);
        error = vif_link_arp_ignore(netns_fd, u->iface, false);
        if (error) {
            VLOG_WARN_RL(&rl, "switch %s: %s still answers ARP only for its "
                         "own addresses: %s", u->name, u->iface,
                         ovs_strerror(error));
        }
    }
    free(u->iface);
    u->iface = NULL;
    /* What ovs-vswitchd was told or asked was about the IP given back. */
    forget_seeding(u);
    u->seed_next = 0;
}

/* How soon to look again for an underlay bridge that is not back yet. */
#define UNDERLAY_RECHECK_MS 250
/* How long after a change of the switch's database to keep looking: a
 * bridge deleted behind our back may still have its old device, with the
 * IP, when the change is seen; ovs-vswitchd makes the new one later, which
 * took more than 2 s once in a loaded test run.  (Three netlink queries
 * every UNDERLAY_RECHECK_MS meanwhile: the bridge, its address, its flags.) */
#define UNDERLAY_WATCH_MS 10000

static bool
watching(const struct underlay *u)
{
    return u->recheck || time_msec() < u->watch_until;
}

/* Makes the next underlay_run() ask ovs-vswitchd again, at once, whether it
 * caught up with the tunnel IP. */
static void
forget_caught_up(struct underlay *u)
{
    u->caught_up = false;
    u->check_next = 0;
    vswitchd_ask_destroy(u->check_ask);
    u->check_ask = NULL;
}

/* Makes the next underlay_run() tell ovs-vswitchd the peers' MACs again, at
 * once. */
static void
forget_seeding(struct underlay *u)
{
    free(u->seed_key);
    u->seed_key = NULL;
    u->seed_told = false;
    vswitchd_ask_destroy(u->seed_ask);
    u->seed_ask = NULL;
    forget_caught_up(u);
}

/* Brings the bridge that holds the tunnel IP up again if it went down: the
 * kernel then drops the routes through it, and ovs-vswitchd with them, and
 * tunnel packets have nowhere to go.  (ovs-vswitchd brings a userspace
 * datapath's bridge device down to set its MAC, and up again only if it
 * knew it was up; a failing test once found it down, with the IP, just
 * after it was moved.) */
static void
keep_bridge_up(struct underlay *u, int fd)
{
    bool was_down;
    if (!vif_link_ensure_up(fd, VNET_PHY_BRIDGE, &was_down) && was_down) {
        VLOG_INFO("switch %s: %s was down; up again", u->name,
                  VNET_PHY_BRIDGE);
        forget_caught_up(u);
    }
}

/* Moves the IP once the bridge's device exists. */
static void
move_ip(struct underlay *u, const char *iface, pid_t pid, int fd)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    if (nullable_string_is_equal(u->iface, iface) && u->pid == pid) {
        /* Moved, and ovs-vswitchd is the same; but a bridge deleted and
         * made again (by someone else) comes back without the IP. */
        if (watching(u)) {
            uint32_t ip;
            int plen;
            if (!vif_link_exists(fd, VNET_PHY_BRIDGE)) {
                return;         /* Not again yet: look next time. */
            }
            u->recheck = false;
            if (vif_addr_get(fd, VNET_PHY_BRIDGE, &ip, &plen)
                || ip != u->ip || plen != u->plen) {
                if (vif_addr_move(fd, NULL, VNET_PHY_BRIDGE, u->ip,
                                  u->plen)) {
                    u->recheck = true;
                } else {
                    VLOG_INFO("switch %s: tunnel IP restored on %s", u->name,
                              VNET_PHY_BRIDGE);
                    /* A new device is a new bridge in ovs-vswitchd, which
                     * forgot the peers' MACs with the old one. */
                    forget_seeding(u);
                }
            } else {
                keep_bridge_up(u, fd);
            }
        }
        return;
    }
    if (!vif_link_exists(fd, VNET_PHY_BRIDGE)) {
        return;                 /* ovs-vswitchd has not made it yet. */
    }
    uint32_t ip;
    int plen;
    if (!vif_addr_get(fd, iface, &ip, &plen)) {
        int error = vif_addr_move(fd, iface, VNET_PHY_BRIDGE, ip, plen);
        if (error) {
            VLOG_WARN_RL(&rl, "switch %s: cannot move the tunnel IP from %s "
                         "to %s: %s", u->name, iface, VNET_PHY_BRIDGE,
                         ovs_strerror(error));
            return;
        }
        VLOG_INFO("switch %s: tunnel IP moved from %s to %s", u->name, iface,
                  VNET_PHY_BRIDGE);
    } else if (vif_addr_get(fd, VNET_PHY_BRIDGE, &ip, &plen)) {
        return;                 /* Nowhere: nothing to do yet. */
    } else {
        vif_link_up(fd, VNET_PHY_BRIDGE, 0);
    }
    /* On the userspace datapath the kernel still takes in what arrives on
     * 'iface', and would answer an ARP request for the tunnel IP from there
     * too, with the device's own MAC: a peer's ovs-vswitchd that heard that
     * answer last would send its tunnel packets where this bridge does not
     * take them. */
    int error = vif_link_arp_ignore(fd, iface, true);
    if (error) {
        VLOG_WARN_RL(&rl, "switch %s: %s answers ARP for the tunnel IP too: "
                     "%s", u->name, iface, ovs_strerror(error));
    }
    if (!nullable_string_is_equal(u->iface, iface)) {
        free(u->iface);
        u->iface = xstrdup(iface);
    }
    forget_caught_up(u);
    u->ip = ip;
    u->plen = plen;
    u->pid = pid;
}

/* What seeding 'plan' into ovs-vswitchd 'pid' is known by: its pid and the
 * peers whose MACs it is told.  Returns how many such peers there are. */
static size_t
seed_key(pid_t pid, const struct tunnel_plan *plan, struct ds *key)
{
    size_t n = 0;
    ds_put_format(key, "%ld", (long) pid);
    for (size_t i = 0; i < plan->n_peers; i++) {
        const struct tunnel_peer *p = &plan->peers[i];
        if (p->has_phy_mac) {
            ds_put_format(key, " %08"PRIx32, p->ip);
            n++;
        }
    }
    return n;
}

/* The unixctl socket of ovs-vswitchd 'pid' in 'rundir' (to free). */
static char *
ctl_path(pid_t pid, const char *rundir)
{
    return xasprintf("%s/ovs-vswitchd.%ld.ctl", rundir, (long) pid);
}

/* A batch of questions for ovs-vswitchd 'pid', whose socket is in
 * 'rundir'. */
static struct vswitchd_ask *
ask_create(pid_t pid, const char *rundir)
{
    char *ctl = ctl_path(pid, rundir);
    struct vswitchd_ask *ask = vswitchd_ask_create(ctl, time_msec()
                                                   + ASK_TIMEOUT_MS);
    free(ctl);
    return ask;
}

/* Tells ovs-vswitchd 'pid' the peers' MACs of 'plan', and again when they
 * change and every SEED_REFRESH_MS; the answers come on later calls. */
static void
seed_neighbors(struct underlay *u, pid_t pid, const char *rundir,
               const struct tunnel_plan *plan)
{
    struct ds key = DS_EMPTY_INITIALIZER;
    size_t n_peers = seed_key(pid, plan, &key);
    if (!nullable_string_is_equal(u->seed_key, ds_cstr(&key))) {
        /* Something else to tell is not told until it is (a failed
         * refresh leaves what was told before as told). */
        free(u->seed_key);
        u->seed_key = ds_steal_cstr(&key);
        u->seed_told = false;
        u->seed_next = 0;
        vswitchd_ask_destroy(u->seed_ask);
        u->seed_ask = NULL;
    }
    ds_destroy(&key);

    long long int now = time_msec();
    if (!u->seed_ask) {
        if (now < u->seed_next) {
            return;             /* Told, or tried and failed: not yet. */
        }
        if (!n_peers) {
            u->seed_told = true;
            u->seed_next = now + SEED_REFRESH_MS;
            return;
        }
        u->seed_ask = ask_create(pid, rundir);
        tunnel_seed_ask(plan, VNET_PHY_BRIDGE, u->seed_ask);
    }
    int error = vswitchd_ask_run(u->seed_ask);
    if (error == EAGAIN) {
        return;                 /* Its answers are still to come. */
    }
    if (!error) {
        error = tunnel_seed_judge(plan, VNET_PHY_BRIDGE, u->seed_ask);
    }
    vswitchd_ask_destroy(u->seed_ask);
    u->seed_ask = NULL;
    if (error == EAGAIN) {
        u->seed_next = now + 200;      /* Starting: again soon. */
    } else if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        char *ctl = ctl_path(pid, rundir);
        VLOG_WARN_RL(&rl, "switch %s: cannot tell ovs-vswitchd the tunnel "
                     "peers' MACs through %s: %s", u->name, ctl,
                     ovs_strerror(error));
        free(ctl);
        u->seed_next = now + 1000;
    } else {
        u->seed_told = true;
        u->seed_next = now + SEED_REFRESH_MS;
    }
}

/* How often to ask ovs-vswitchd whether it caught up with the tunnel IP,
 * and after how long to say that it has not. */
#define CHECK_MS 20
#define CHECK_WARN_MS 5000

/* What ovs-vswitchd 'pid' is asked to have caught up with for 'plan': its
 * own IP, the tunnel ports, the peers reached through the bridge. */
static void
check_key(pid_t pid, const struct tunnel_plan *plan, struct ds *key)
{
    ds_put_format(key, "%ld %08"PRIx32"%s%s", (long) pid, plan->local_ip,
                  plan->vxlan ? " vxlan" : "", plan->geneve ? " geneve" : "");
    for (size_t i = 0; i < plan->n_peers; i++) {
        if (!plan->peers[i].relay) {
            ds_put_format(key, " %08"PRIx32, plan->peers[i].ip);
        }
    }
}

/* Asks ovs-vswitchd 'pid' whether it caught up with the tunnel IP on the
 * bridge for 'plan', until it has; the answers come on later calls. */
static void
check_caught_up(struct underlay *u, pid_t pid, const char *rundir,
                const struct tunnel_plan *plan, int fd)
{
    struct ds key = DS_EMPTY_INITIALIZER;
    check_key(pid, plan, &key);
    if (!nullable_string_is_equal(u->check_key, ds_cstr(&key))) {
        free(u->check_key);
        u->check_key = ds_steal_cstr(&key);
        forget_caught_up(u);
    }
    ds_destroy(&key);

    long long int now = time_msec();
    if (u->caught_up) {
        return;
    }
    if (!u->check_ask) {
        if (now < u->check_next) {
            return;
        }
        if (!tunnel_check_wanted(plan)) {
            u->caught_up = true;        /* No tunnel through the bridge. */
            u->check_next = 0;
            return;
        }
        if (!u->check_next) {
            u->check_since = now;
        }
        u->check_ask = ask_create(pid, rundir);
        tunnel_check_ask(plan, u->check_ask);
    }
    int error = vswitchd_ask_run(u->check_ask);
    if (error == EAGAIN) {
        return;                 /* Its answers are still to come. */
    }
    struct ds missing = DS_EMPTY_INITIALIZER;
    if (!error) {
        error = tunnel_check_judge(plan, VNET_PHY_BRIDGE, u->check_ask,
                                   &missing);
    }
    vswitchd_ask_destroy(u->check_ask);
    u->check_ask = NULL;
    if (!error) {
        u->caught_up = true;
        u->check_next = 0;
        VLOG(now - u->check_since >= CHECK_WARN_MS ? VLL_INFO : VLL_DBG,
             "switch %s: ovs-vswitchd caught up with the tunnel IP after "
             "%lld ms", u->name, now - u->check_since);
    } else {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        u->check_next = now + CHECK_MS;
        keep_bridge_up(u, fd);
        if (now - u->check_since >= CHECK_WARN_MS) {
            VLOG_WARN_RL(&rl, "switch %s: ovs-vswitchd has not caught up with "
                         "the tunnel IP on %s for %lld ms:%s", u->name,
                         VNET_PHY_BRIDGE, now - u->check_since,
                         missing.length ? ds_cstr(&missing)
                         : ovs_strerror(error));
        }
    }
    ds_destroy(&missing);
}

void
underlay_run(struct underlay *u, const char *iface, pid_t pid, int netns_fd,
             const char *rundir, const struct tunnel_plan *plan)
{
    if (!pid) {
        return;                 /* ovs-vswitchd's namespace is unknown. */
    }
    move_ip(u, iface, pid, netns_fd);
    if (nullable_string_is_equal(u->iface, iface) && rundir) {
        seed_neighbors(u, pid, rundir, plan);
        check_caught_up(u, pid, rundir, plan, netns_fd);
    }
}

const char *
underlay_waiting_for(const struct underlay *u, pid_t pid,
                     const struct tunnel_plan *plan)
{
    struct ds key = DS_EMPTY_INITIALIZER;
    const char *why = NULL;
    if (seed_key(pid, plan, &key)
        && !(u->seed_told
             && nullable_string_is_equal(u->seed_key, ds_cstr(&key)))) {
        why = "ovs-vswitchd told the tunnel peers' MACs";
    }
    ds_clear(&key);
    check_key(pid, plan, &key);
    if (!why && !(u->caught_up
                  && nullable_string_is_equal(u->check_key, ds_cstr(&key)))) {
        why = "ovs-vswitchd caught up with the tunnel IP";
    }
    ds_destroy(&key);
    /* A peer that may have an underlay bridge of ours, whose MAC it would
     * be told once that is known. */
    for (size_t i = 0; i < plan->n_peers && !why; i++) {
        if (plan->peers[i].datapath_unknown) {
            why = "the datapath of every tunnel peer";
        }
    }
    return why;
}

void
underlay_adopt(struct underlay *u, const char *iface, pid_t pid,
               int netns_fd)
{
    uint32_t ip;
    int plen;
    if (pid && !u->iface && vif_link_exists(netns_fd, VNET_PHY_BRIDGE)
        && vif_addr_get(netns_fd, iface, &ip, &plen)
        && !vif_addr_get(netns_fd, VNET_PHY_BRIDGE, &ip, &plen)) {
        u->iface = xstrdup(iface);
        u->ip = ip;
        u->plen = plen;
        u->pid = pid;
    }
}

void
underlay_recheck(struct underlay *u)
{
    u->recheck = true;
    u->watch_until = time_msec() + UNDERLAY_WATCH_MS;
}

void
underlay_wait(const struct underlay *u)
{
    if (u->seed_ask) {
        vswitchd_ask_wait(u->seed_ask);
    } else if (u->seed_next) {
        poll_timer_wait_until(u->seed_next);
    }
    if (u->check_ask) {
        vswitchd_ask_wait(u->check_ask);
    } else if (u->check_next) {
        poll_timer_wait_until(u->check_next);
    }
    if (watching(u) && u->iface) {
        /* The underlay bridge's device is not back yet, or the IP could
         * not be put on it: nothing in the databases may change when
         * ovs-vswitchd makes the device, so look again soon. */
        poll_timer_wait(UNDERLAY_RECHECK_MS);
    }
}
