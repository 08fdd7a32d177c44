/* The devices of one endpoint, made, repaired or removed
 * (controller/attach-private.h): its namespace and veth (behind a trunk or
 * not), its internal port moved into the namespace, or its tap. */
#include <config.h>
#include "controller/attach-private.h"

#include <arpa/inet.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "controller/announce.h"
#include "controller/vif-addr.h"
#include "controller/vif.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(attach_one);

void
to_vif_config(const struct attach_want *w, struct vif_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->netns = w->netns;
    cfg->host_ifname = w->host_ifname;
    /* An internal port keeps its name: the switch knows its port by it. */
    cfg->ns_ifname = w->internal ? w->host_ifname : "eth0";
    memcpy(cfg->mac, w->mac, 6);
    cfg->ip = htonl(w->ip);
    cfg->plen = w->plen;
    cfg->gateway = htonl(w->gateway);
    cfg->mtu = w->mtu;
    cfg->tx_csum = w->tx_csum;
    cfg->may_move = w->port_open;
}

static void
set_error(struct attached *at, char *error)
{
    free(at->error);
    at->error = error;
    at->ready = !error;
}

/* How long an endpoint waits for another switch to let go of its namespace
 * (one whose switch does not answer may never): then it takes it. */
#define NETNS_WAIT_MS 10000

/* Who holds a namespace (netns_let_go()). */
struct netns_holder {
    const struct attacher *a;
    const struct attached *at;
    bool waited;                /* Another switch's endpoint waits for it. */
};

static uint64_t let_go_seq;

uint64_t
netns_let_go_seq(void)
{
    return let_go_seq;
}

/* Namespace name -> struct netns_holder, for every attacher of the
 * process. */
static struct shash netns_holders = SHASH_INITIALIZER(&netns_holders);

void
netns_let_go(const struct attached *at)
{
    struct shash_node *node = (at->want.netns
                               ? shash_find(&netns_holders, at->want.netns)
                               : NULL);
    struct netns_holder *h = node ? node->data : NULL;
    if (h && h->at == at) {
        if (h->waited) {
            let_go_seq++;
            poll_immediate_wake();
        }
        free(h);
        shash_delete(&netns_holders, node);
    }
}

/* Whether 'at' of 'a' may have its namespace (none: yes), which it then
 * holds; if this endpoint on another switch holds it (it moved), waits for
 * that one to let go, up to NETNS_WAIT_MS, with an error that says so; if
 * another endpoint holds it, says so. */
static bool
netns_take(const struct attacher *a, struct attached *at)
{
    const char *netns = at->want.netns;
    if (!netns) {
        return true;
    }
    struct netns_holder *h = shash_find_data(&netns_holders, netns);
    if (h && h->a != a && strcmp(h->at->want.endpoint, at->want.endpoint)) {
        /* Another endpoint's (a client named one namespace for two, on two
         * switches): it keeps it, as on one switch (attach_or_refuse()). */
        h->waited = true;
        set_error(at, xasprintf("namespace %s is endpoint %s's (on switch "
                                "%s)", netns, h->at->want.endpoint,
                                h->a->switch_name));
        return false;
    } else if (h && h->a != a) {
        long long int now = time_msec();
        if (!at->netns_waited) {
            at->netns_waited = now;
        }
        if (now < at->netns_waited + NETNS_WAIT_MS) {
            h->waited = true;
            set_error(at, xasprintf("namespace %s is still switch %s's (the "
                                    "endpoint leaves it first)", netns,
                                    h->a->switch_name));
            return false;
        }
        VLOG_WARN("endpoint %s: switch %s has not let go of namespace %s "
                  "in %d s; switch %s takes it", at->want.endpoint,
                  h->a->switch_name, netns, NETNS_WAIT_MS / 1000,
                  a->switch_name);
    } else if (!h) {
        h = xzalloc(sizeof *h);
        shash_add(&netns_holders, netns, h);
    }
    h->a = a;
    h->at = at;
    at->netns_waited = 0;
    return true;
}

/* The id of user or group 'name' (a name or a number), or -1 with an error
 * in '*errorp' if there is none; -1 for NULL (anyone). */
static long int
tap_id(const char *name, bool group, char **errorp)
{
    long long int id;
    if (!name) {
        return -1;
    }
    if (str_to_llong(name, 10, &id) && id >= 0 && id < UINT32_MAX) {
        return id;
    }
    if (group) {
        const struct group *gr = getgrnam(name);
        if (gr) {
            return gr->gr_gid;
        }
    } else {
        const struct passwd *pw = getpwnam(name);
        if (pw) {
            return pw->pw_uid;
        }
    }
    if (!*errorp) {
        *errorp = xasprintf("no %s named %s on this host",
                            group ? "group" : "user", name);
    }
    return -1;
}

/* Creates or repairs the tap of 'at'. */
static void
attach_tap(struct attacher *a, struct attached *at)
{
    char *error = NULL;
    long int uid = tap_id(at->want.tap_owner, false, &error);
    long int gid = tap_id(at->want.tap_group, true, &error);
    if (!error) {
        int retval = vif_tap_ensure(a->switch_netns_fd, at->want.host_ifname,
                                    at->want.mtu, uid, gid);
        if (retval == EEXIST) {
            error = xasprintf("%s exists on the switch's host and is not a "
                              "tap", at->want.host_ifname);
        } else if (retval) {
            error = xasprintf("cannot create tap %s: %s",
                              at->want.host_ifname, ovs_strerror(retval));
        }
    }
    set_error(at, error);
}

/* 'at' has its address in its namespace: announced if the address had
 * another MAC (controller/announce.h). */
static void
configured(const struct attacher *a, const struct attached *at)
{
    announce_configured(a->announcer, at->want.endpoint, &at->want.network,
                        at->want.ip, at->want.mac, time_msec());
}

/* Creates or repairs 'at'. */
void
attach_one(struct attacher *a, struct attached *at)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct vif_config cfg;
    int error;

    if (!at->want.netns) {
        attach_tap(a, at);
        return;
    }
    to_vif_config(&at->want, &cfg);
    bool existed = vif_netns_exists(at->want.netns);
    if (existed) {
        cfg.foreign_netns = !netns_is_ours(at->want.netns);
    } else {
        /* Without the mark, detach would leave the namespace behind: none
         * is created that cannot be marked. */
        char *what = xasprintf("endpoint %s", at->want.endpoint);
        char *why = mark_netns(at->want.netns, what);
        free(what);
        if (why) {
            VLOG_WARN_RL(&rl, "endpoint %s: %s", at->want.endpoint, why);
            set_error(at, why);
            return;
        }
    }
    /* One that is not ours is used as it is (not even its lo brought
     * up).  One of ours that exists has its lo brought up with the veth,
     * below (not an internal port's). */
    error = (cfg.foreign_netns || (existed && !at->want.internal)
             ? 0 : vif_netns_add(at->want.netns));
    if (error) {
        VLOG_WARN_RL(&rl, "endpoint %s: cannot create namespace %s: %s",
                     at->want.endpoint, at->want.netns, ovs_strerror(error));
        set_error(at, xasprintf("cannot create namespace %s: %s",
                                at->want.netns, ovs_strerror(error)));
        return;
    }
    if (at->want.internal) {
        error = vif_internal_ensure(&cfg, a->switch_netns_fd);
        at->pending_port = error == EAGAIN;
        if (at->pending_port) {
            set_error(at, NULL);
            at->ready = false;  /* Until the switch has made it. */
        } else if (error) {
            set_error(at, xasprintf("cannot move internal port %s into "
                                    "namespace %s: %s", cfg.host_ifname,
                                    at->want.netns, ovs_strerror(error)));
        } else {
            set_error(at, NULL);
            configured(a, at);
        }
        return;
    }
    if (at->want.trunk_netns) {
        char *why = NULL;
        struct trunk_state *ts = trunk_get(a, &at->want, &why);
        if (!ts) {
            VLOG_WARN_RL(&rl, "endpoint %s: %s", at->want.endpoint, why);
            set_error(at, why);
            return;
        }
        error = vif_trunk_attach(ts->t, &cfg);
    } else {
        error = vif_create(&cfg, a->switch_netns_fd);
    }
    if (error == EBUSY) {
        set_error(at, xasprintf("namespace %s has an interface %s of its own "
                                "(ovs-vnet changes nothing in a namespace it "
                                "did not create)", at->want.netns,
                                cfg.ns_ifname));
        return;
    }
    if (error) {
        VLOG_WARN_RL(&rl, "endpoint %s: cannot create its veth %s: %s",
                     at->want.endpoint, at->want.host_ifname,
                     ovs_strerror(error));
        set_error(at, xasprintf("cannot create veth %s: %s",
                                at->want.host_ifname, ovs_strerror(error)));
        return;
    }
    set_error(at, NULL);
    configured(a, at);
}

void
attach_or_refuse(struct attacher *a, struct attached *at, const char *owner)
{
    at->dup = owner && strcmp(owner, at->want.endpoint) != 0;
    if (at->dup) {
        set_error(at, xasprintf("namespace %s is endpoint %s's",
                                at->want.netns, owner));
    } else if (netns_take(a, at)) {
        attach_one(a, at);
    }
}

/* Removes the device of endpoint 'endpoint' ('host_ifname', behind the trunk
 * in namespace 'trunk_netns' if nonnull) and, unless 'keep_netns', its
 * namespace 'netns' if ovs-vnetd made it. */
void
detach_one(struct attacher *a, const char *endpoint, const char *netns,
           const char *host_ifname, const char *trunk_netns, bool keep_netns)
{
    if (trunk_netns) {
        /* Its device, and the trunk's filters that lead to it. */
        struct trunk_state *ts = trunk_find(a, trunk_netns);
        if (ts) {
            vif_trunk_detach(ts->t, host_ifname);
        }
        if (!netns) {
            return;
        }
    } else if (!netns) {
        if (vif_link_exists(a->switch_netns_fd, host_ifname)
            && !vif_tap_delete(a->switch_netns_fd, host_ifname)) {
            VLOG_INFO("endpoint %s: removed tap %s", endpoint, host_ifname);
        }
        return;
    }
    /* Taken by another switch that waited in vain for this one: what is in
     * the namespace is that switch's now, and so is the host end where both
     * switches run in one namespace. */
    const struct netns_holder *h = shash_find_data(&netns_holders, netns);
    const struct attacher *taker = h && h->a != a ? h->a : NULL;
    bool shared = (taker && a->netns_dev == taker->netns_dev
                   && a->netns_ino == taker->netns_ino);

    /* An internal port's device still in the namespace goes back to the
     * switch first, so that it never outlives the namespace elsewhere. */
    int error = 0;
    if (!trunk_netns && !taker) {
        vif_internal_release(netns, host_ifname, a->switch_netns_fd);
    }
    if (!trunk_netns && !shared) {
        error = vif_delete(host_ifname, a->switch_netns_fd);
    }
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "endpoint %s: cannot delete veth %s: %s", endpoint,
                     host_ifname, ovs_strerror(error));
    }
    if (keep_netns) {
        VLOG_INFO("endpoint %s: removed %s; its namespace %s stays (still "
                  "wanted)", endpoint, host_ifname, netns);
        return;
    }
    if (taker) {
        VLOG_INFO("endpoint %s: removed %s; its namespace %s stays (switch "
                  "%s has it now)", endpoint, host_ifname, netns,
                  taker->switch_name);
        return;
    }
    if (!netns_is_ours(netns)) {
        VLOG_INFO("endpoint %s: removed veth %s; namespace %s stays (ovs-vnet "
                  "did not create it)", endpoint, host_ifname, netns);
        return;
    }
    char *marker = netns_marker(netns);
    error = vif_netns_del(netns);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "endpoint %s: cannot delete namespace %s: %s",
                     endpoint, netns, ovs_strerror(error));
    } else {
        unlink(marker);
    }
    free(marker);
    VLOG_INFO("endpoint %s: removed namespace %s and veth %s", endpoint, netns,
              host_ifname);
}
