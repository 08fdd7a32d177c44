#include <config.h>
#include "controller/attach.h"
#include "controller/attach-private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/daemon-pid.h"
#include "controller/desired-flows.h"
#include "controller/shash-hashed.h"
#include "controller/vif-addr.h"
#include "controller/vif.h"
#include "coverage.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(attach);

COVERAGE_DEFINE(attacher_deferred);

/* One that could not be attached is tried again every RETRY_MS. */
#define RETRY_MS 1000
/* How long one attacher_run() may spend making, moving and repairing
 * endpoints; the rest wait for the next, at once.  Made all in one go, a
 * thousand endpoints held the main loop for seconds (23 s for internal
 * ports), with the switch's connections unserved: a bundle of flows in
 * flight meanwhile expired in the switch. */
#define ATTACH_BUDGET_MS 250
static long long int attach_budget_ms = ATTACH_BUDGET_MS;

void
attacher_set_budget(int ms)
{
    attach_budget_ms = MAX(ms, 0);
}

/* 'at' was checked (or attached again) at 'now'. */
void
checked(struct attacher *a, struct attached *at, long long int now)
{
    at->verified = now;
    ovs_list_remove(&at->node);
    ovs_list_push_back(&a->by_age, &at->node);
}

struct attacher *
attacher_create(const char *switch_name)
{
    struct attacher *a = xzalloc(sizeof *a);
    a->switch_name = xstrdup(switch_name);
    shash_init(&a->endpoints);
    hmap_init(&a->by_device);
    shash_init(&a->trunks);
    shash_init(&a->trunk_names);
    ovs_list_init(&a->by_age);
    a->switch_netns_fd = -1;
    verify_start(a);
    return a;
}

static void
attached_destroy(struct attacher *a, struct attached *at)
{
    if (at) {
        netns_let_go(at);
        ovs_list_remove(&at->node);
        if (!at->want.trunk_port) {
            hmap_remove(&a->by_device, &at->device_node);
        }
        free(CONST_CAST(char *, at->want.endpoint));
        free(CONST_CAST(char *, at->want.netns));
        free(CONST_CAST(char *, at->want.host_ifname));
        free(CONST_CAST(char *, at->want.tap_owner));
        free(CONST_CAST(char *, at->want.tap_group));
        free(CONST_CAST(char *, at->want.trunk_port));
        free(at->error);
        free(at);
    }
}

void
attacher_destroy(struct attacher *a)
{
    if (a) {
        struct shash_node *node;
        SHASH_FOR_EACH_SAFE (node, &a->endpoints) {
            attached_destroy(a, node->data);
            shash_delete(&a->endpoints, node);
        }
        shash_destroy(&a->endpoints);
        hmap_destroy(&a->by_device);
        trunks_destroy(a);
        shash_destroy(&a->trunk_names);     /* (After every user.) */
        if (a->switch_netns_fd >= 0) {
            close(a->switch_netns_fd);
        }
        vif_watch_close(a->watch);
        vif_netns_watch_close(a->netns_watch);
        free(a->run_ats);
        free(a->run_put_off);
        free(a->run_trunk_netns);
        free(a->rundir);
        free(a->switch_name);
        free(a);
    }
}

void
attacher_set_announcer(struct attacher *a, struct announcer *announcer)
{
    a->announcer = announcer;
}

void
attacher_set_rundir(struct attacher *a, const char *rundir)
{
    if (!nullable_string_is_equal(a->rundir, rundir)) {
        free(a->rundir);
        a->rundir = nullable_xstrdup(rundir);
        a->switch_pid = 0;
    }
}

/* A new ovs-vswitchd makes the devices of internal ports again where it
 * runs, and those it made before the link notices there were listened to
 * gave none: they are looked for now (those made later give theirs). */
static void
look_for_internal_devices(struct attacher *a)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &a->endpoints) {
        struct attached *at = node->data;
        if (at->want.internal
            && vif_link_exists(a->switch_netns_fd, at->want.host_ifname)) {
            check_soon(a, at);
        }
    }
}

/* Has every endpoint checked at once if the switch's ovs-vswitchd runs in
 * another namespace than the last one seen (another server took the
 * switch's name, the NB's Switch.remote changed): their devices where the
 * switch runs are made again there. */
static void
check_all_if_moved(struct attacher *a)
{
    struct stat st;
    if (fstat(a->switch_netns_fd, &st)) {
        return;
    }
    bool seen = a->netns_dev || a->netns_ino;
    if (seen && (st.st_dev != a->netns_dev || st.st_ino != a->netns_ino)) {
        VLOG_INFO("switch %s: ovs-vswitchd runs in another namespace; "
                  "checking every endpoint", a->switch_name);
        struct shash_node *node;
        SHASH_FOR_EACH (node, &a->endpoints) {
            check_soon(a, node->data);
        }
    }
    a->netns_dev = st.st_dev;
    a->netns_ino = st.st_ino;
}

/* Finds the namespace of the switch's ovs-vswitchd, where host ends of veths
 * go.  Without its pidfile (locked by a running ovs-vswitchd) nothing is done
 * for the switch. */
void
refresh_switch_netns(struct attacher *a)
{
    pid_t pid = 0;

    if (a->rundir) {
        char *path = xasprintf("%s/ovs-vswitchd.pid", a->rundir);
        pid = vnet_daemon_pid(path, "ovs-vswitchd");
        free(path);
    }
    if (pid == a->switch_pid && (a->switch_netns_fd >= 0 || !pid)) {
        return;
    }

    if (a->switch_netns_fd >= 0) {
        close(a->switch_netns_fd);
        a->switch_netns_fd = -1;
    }
    vif_watch_close(a->watch);
    a->watch = NULL;
    a->switch_pid = pid;
    if (pid) {
        int error = vif_open_netns_of_pid(pid, &a->switch_netns_fd);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "switch %s: cannot open the namespace of "
                         "ovs-vswitchd (pid %ld): %s", a->switch_name,
                         (long) pid, ovs_strerror(error));
            a->switch_netns_fd = -1;
            a->switch_pid = 0;
        } else {
            refresh_trunk_base(a);
            VLOG_INFO("switch %s: ovs-vswitchd is pid %ld", a->switch_name,
                      (long) pid);
            check_all_if_moved(a);
            error = vif_watch_open(a->switch_netns_fd, false, &a->watch);
            if (error) {
                /* The periodic checks still find everything, later. */
                VLOG_WARN("switch %s: cannot follow the link notices of "
                          "ovs-vswitchd's namespace: %s", a->switch_name,
                          ovs_strerror(error));
            } else if (a->any_internal) {
                look_for_internal_devices(a);
            }
        }
    }
}

/* The name of the namespace of the trunk of port 'port', one string for
 * each name (a key of 'a->trunk_names', which lives as long as 'a'): the
 * names of two wants are the same if their pointers are. */
static const char *
trunk_netns_interned(struct attacher *a, const char *port)
{
    char *name = trunk_netns_name(a, port);
    struct shash_node *node = shash_find(&a->trunk_names, name);
    if (node) {
        free(name);
        return node->name;
    }
    return shash_add_nocopy(&a->trunk_names, name, NULL)->name;
}

/* Whether wants 'a' and 'b' agree in all but the strings of their NB row
 * (those the attacher names itself included: the trunk's namespace, told
 * by its pointer, trunk_netns_interned()). */
static bool
same_numbers(const struct attach_want *a, const struct attach_want *b)
{
    return (!memcmp(a->mac, b->mac, 6) && a->ip == b->ip
            && a->plen == b->plen && a->gateway == b->gateway
            && a->mtu == b->mtu && a->tx_csum == b->tx_csum
            && a->internal == b->internal
            && a->trunk_netns == b->trunk_netns);
}

static bool
same_want(const struct attach_want *a, const struct attach_want *b)
{
    return same_numbers(a, b)
           && nullable_string_is_equal(a->netns, b->netns)
           && !strcmp(a->host_ifname, b->host_ifname)
           && nullable_string_is_equal(a->tap_owner, b->tap_owner)
           && nullable_string_is_equal(a->tap_group, b->tap_group)
           && nullable_string_is_equal(a->trunk_port, b->trunk_port);
}

/* Whether 'at' has want 'w': as same_want(), but a want whose row has not
 * changed since 'at' was found to have it is told by its numbers and its
 * trunk's namespace alone (the attacher names that one). */
static bool
has_want(const struct attached *at, const struct attach_want *w)
{
    const struct attach_want *a = &at->want;
    if (desired_flows_checking()
        && (a->trunk_netns == w->trunk_netns)
           != nullable_string_is_equal(a->trunk_netns, w->trunk_netns)) {
        VLOG_ERR("endpoint %s: its trunk's namespace told by its pointer "
                 "differs from its name", w->endpoint);
    }
    if (!w->row_version || at->same_version != w->row_version) {
        return same_want(a, w);
    }
    bool same = same_numbers(a, w);
    if (desired_flows_checking() && same != same_want(a, w)) {
        VLOG_ERR("endpoint %s: its want told apart by its row's version "
                 "(%"PRIu64") differs from its want compared in full",
                 w->endpoint, w->row_version);
    }
    return same;
}

/* What the attacher has of 'w' from now on, wanted by run 'run': nothing
 * made yet. */
static struct attached *
attached_new(struct attacher *a, const struct attach_want *w,
             unsigned int run)
{
    struct attached *at = xzalloc(sizeof *at);
    at->want = *w;
    at->want.endpoint = xstrdup(w->endpoint);
    at->want.netns = nullable_xstrdup(w->netns);
    at->want.host_ifname = xstrdup(w->host_ifname);
    at->want.tap_owner = nullable_xstrdup(w->tap_owner);
    at->want.tap_group = nullable_xstrdup(w->tap_group);
    /* (Interned: trunk_netns_interned().) */
    at->want.trunk_port = nullable_xstrdup(w->trunk_port);
    at->same_version = w->row_version;
    a->any_internal |= w->internal;
    shash_add(&a->endpoints, w->endpoint, at);
    if (!at->want.trunk_port) {
        hmap_insert(&a->by_device, &at->device_node,
                    hash_string(at->want.host_ifname, 0));
    }
    ovs_list_push_back(&a->by_age, &at->node);
    at->wanted_run = run;
    return at;
}

/* Whether 'at' of 'a' waited for another switch to let go of its
 * namespace, and one was let go of since 'a' last ran. */
static bool
netns_freed(const struct attacher *a, const struct attached *at)
{
    return at->netns_waited && a->netns_seq != netns_let_go_seq();
}

/* Whether attacher_run() has something to do for 'at' (NULL: not attached
 * yet), wanted as 'w'. */
static bool
needs_work(const struct attacher *a, const struct attached *at,
           const struct attach_want *w, long long int now)
{
    return (!at || !has_want(at, w) || at->replug
            || (!at->ready && (now >= at->verified + RETRY_MS
                               || at->pending_port || netns_freed(a, at))));
}

/* The wanted endpoints of a run, by name (one allocation for them all),
 * each with what the attacher has of it (looked up once a run). */
struct wanted_set {
    struct hmap map;
    struct wanted_node {
        struct hmap_node node;
        const char *endpoint;
        struct attached *at;
    } *nodes;
};

static void
wanted_set_init(struct wanted_set *s, const struct shash *endpoints,
                const struct attach_want *wants, size_t n)
{
    hmap_init(&s->map);
    hmap_reserve(&s->map, n);
    s->nodes = xmalloc(n * sizeof *s->nodes);
    for (size_t i = 0; i < n; i++) {
        uint32_t hash = wants[i].endpoint_hash;
        s->nodes[i].endpoint = wants[i].endpoint;
        s->nodes[i].at = shash_find_data_hashed(endpoints, wants[i].endpoint,
                                                hash);
        hmap_insert(&s->map, &s->nodes[i].node, hash);
    }
}

static bool
wanted_set_contains(const struct wanted_set *s, const char *endpoint)
{
    const struct wanted_node *n;
    HMAP_FOR_EACH_WITH_HASH (n, node, hash_string(endpoint, 0), &s->map) {
        if (!strcmp(n->endpoint, endpoint)) {
            return true;
        }
    }
    return false;
}

static void
wanted_set_destroy(struct wanted_set *s)
{
    hmap_destroy(&s->map);
    free(s->nodes);
}

bool
attacher_run(struct attacher *a, const struct attach_want *wants,
             size_t n_wants, const struct attach_record *records,
             size_t n_records, attacher_in_use_func *in_use, void *aux)
{
    long long int now = time_msec();
    long long int deadline = now + attach_budget_ms;
    bool changed = false;
    size_t n_not_ready = 0;
    size_t n_deferred = 0;

    a->n_run_ats = 0;
    refresh_switch_netns(a);
    a->looked = a->switch_pid != 0;
    if (!a->looked) {
        /* (No run until then for a namespace let go of: netns_freed(); nor
         * a retry before the next look for ovs-vswitchd.) */
        a->netns_seq = netns_let_go_seq();
        a->next_retry = now + RETRY_MS;
        /* Where ovs-vswitchd runs is unknown (not started, or restarting):
         * touch nothing, and never fall back to our own namespace.  Every
         * want it has nothing of is as one put off (attacher_get_state()):
         * its port stays meanwhile. */
        return false;
    }
    /* The trunks' namespaces, as named here (each looked up once a run). */
    struct attach_want *filled = NULL;
    struct shash trunk_netns = SHASH_INITIALIZER(&trunk_netns);
    if (n_wants) {
        filled = xmemdup(wants, n_wants * sizeof *wants);
        const char *last_port = NULL, *last_name = NULL;
        for (size_t i = 0; i < n_wants; i++) {
            const char *port = filled[i].trunk_port;
            const char *name = NULL;
            if (port && last_port && !strcmp(port, last_port)) {
                name = last_name;
            } else if (port) {
                name = shash_find_data(&trunk_netns, port);
                if (!name) {
                    name = trunk_netns_interned(a, port);
                    shash_add(&trunk_netns, port, name);
                }
                last_port = port;
                last_name = name;
            }
            filled[i].trunk_netns = name;
        }
        wants = filled;
    }
    struct wanted_set wanted;
    wanted_set_init(&wanted, &a->endpoints, wants, n_wants);
    unsigned int run = ++a->run;

    /* The namespaces of the endpoints there is work for: only their owners
     * matter to this run.  (Whether there is work for a want depends on
     * its own state alone, which no other want's work changes.) */
    struct shash busy = SHASH_INITIALIZER(&busy);       /* netns -> netns */
    bool *work_for = xmalloc(MAX(n_wants, 1) * sizeof *work_for);
    for (size_t i = 0; i < n_wants; i++) {
        const struct attach_want *w = &wants[i];
        if (desired_flows_checking() && w->netns
            && w->netns_hash != hash_string(w->netns, 0)) {
            VLOG_ERR("endpoint %s: the hash of its namespace %s is wrong",
                     w->endpoint, w->netns);
        }
        work_for[i] = needs_work(a, wanted.nodes[i].at, w, now);
        if (w->netns && work_for[i]
            && !shash_find_data_hashed(&busy, w->netns, w->netns_hash)) {
            shash_add(&busy, w->netns, w->netns);
        }
    }
    /* One endpoint per namespace (any client may have written two): the one
     * that has it already, else the first by name. */
    struct shash owners = SHASH_INITIALIZER(&owners);   /* netns -> name */
    for (int pass = 0; pass < 2 && !shash_is_empty(&busy); pass++) {
        struct shash round = SHASH_INITIALIZER(&round);
        for (size_t i = 0; i < n_wants; i++) {
            const struct attach_want *w = &wants[i];
            if (!w->netns
                || !shash_find_data_hashed(&busy, w->netns, w->netns_hash)) {
                continue;       /* A tap (no namespace to share), or none
                                 * to attach there. */
            }
            const struct attached *at = wanted.nodes[i].at;
            bool has_it = (at && !at->dup
                           && nullable_string_is_equal(at->want.netns,
                                                       w->netns));
            if (has_it != (pass == 0) || shash_find(&owners, w->netns)) {
                continue;
            }
            const char *first = shash_find_data(&round, w->netns);
            if (!first || strcmp(w->endpoint, first) < 0) {
                shash_replace(&round, w->netns, w->endpoint);
            }
        }
        struct shash_node *node;
        SHASH_FOR_EACH (node, &round) {
            shash_add(&owners, node->name, node->data);
        }
        shash_destroy(&round);
    }

    shash_destroy(&busy);
    bool *put_off = xzalloc(MAX(n_wants, 1) * sizeof *put_off);
    size_t n_worked = 0;
    bool waits_netns = false;
    for (size_t i = 0; i < n_wants; i++) {
        const struct attach_want *w = &wants[i];
        const char *owner = (w->netns && !shash_is_empty(&owners)
                             ? shash_find_data_hashed(&owners, w->netns,
                                                      w->netns_hash)
                             : NULL);

        struct attached *at = wanted.nodes[i].at;
        bool work = work_for[i];
        if (at) {
            at->wanted_run = run;
        }
        if (work && n_worked && time_msec() >= deadline) {
            /* Next time: a new one is not ready meanwhile (but keeps the
             * port it may have: attacher_get_state()), one to be moved or
             * repaired stays as it is.  (At least one a run.) */
            n_deferred++;
            n_not_ready += at && !at->ready;
            waits_netns |= at && at->netns_waited;
            put_off[i] = !at;
            continue;
        }
        n_worked += work;
        bool remaking = false;
        if (at && !has_want(at, w)) {
            /* Moved to another namespace or device: start afresh. */
            bool same_netns = nullable_string_is_equal(at->want.netns,
                                                       w->netns);
            bool other_device = (!same_netns
                                 || strcmp(at->want.host_ifname,
                                           w->host_ifname)
                                 || !nullable_string_is_equal(
                                     at->want.trunk_netns, w->trunk_netns));
            /* Its device is a port of the switch, and another one takes
             * its place (another kind, or another namespace, changed in
             * place through the NB): out of the switch first (not ready,
             * its port goes), then the old device goes and the new one is
             * made.  The switch's port would hold the deleted device, and
             * not take a new one of the same name. */
            remaking = (other_device && in_use && !at->want.trunk_netns
                        && in_use(at->want.host_ifname, aux));
            if (remaking) {
                if (at->ready || !at->replug) {
                    VLOG_INFO("endpoint %s: interface %s is replaced; "
                              "out of the switch first", w->endpoint,
                              at->want.host_ifname);
                    at->ready = false;
                    at->replug = true;
                    changed = true;
                }
            } else {
                if (other_device) {
                    detach_one(a, at->want.endpoint, at->want.netns,
                               at->want.host_ifname, at->want.trunk_netns,
                               same_netns);
                }
                shash_find_and_delete(&a->endpoints, w->endpoint);
                attached_destroy(a, at);
                at = NULL;
            }
        }
        if (at && !remaking) {
            at->leaving = false;
            at->want.port_open = w->port_open;  /* (Not part of the want.) */
            at->same_version = w->row_version;
        }
        if (remaking) {
            /* (It keeps its old want until the switch lets go.) */
        } else if (!at) {
            at = attached_new(a, w, run);
            attach_or_refuse(a, at, owner);
            at->verified = now;
            changed = true;
        } else if (at->replug) {
            /* (Behind a trunk, the device in the switch is the trunk's.) */
            const char *dev = (at->want.trunk_port ? at->want.trunk_port
                               : at->want.host_ifname);
            if (!(in_use && in_use(dev, aux))) {
                at->replug = false;
                attach_or_refuse(a, at, owner);
                checked(a, at, now);
                changed = true;
            }
        } else if (!at->ready && (now >= at->verified + RETRY_MS
                                  || at->pending_port
                                  || netns_freed(a, at))) {
            /* (An internal port is looked for on every run: the switch's
             * database changes when the switch has made it.) */
            attach_or_refuse(a, at, owner);
            checked(a, at, now);
            changed = true;
        }
        n_not_ready += !at->ready;
        waits_netns |= at->netns_waited != 0;
        wanted.nodes[i].at = at;
    }
    a->waits_netns = waits_netns;
    a->netns_seq = netns_let_go_seq();
    free(work_for);
    a->n_not_ready = n_not_ready;
    a->n_deferred = n_deferred;
    if (n_deferred) {
        COVERAGE_INC(attacher_deferred);
    }
    a->next_retry = n_deferred ? time_msec() : now + RETRY_MS;

    for (size_t i = 0; i < n_records; i++) {
        const struct attach_record *r = &records[i];
        if (r->trunk) {
            bool used = false;
            for (size_t j = 0; j < n_wants && !used; j++) {
                used = nullable_string_is_equal(wants[j].trunk_netns,
                                                r->netns);
            }
            if (!used) {
                detach_trunk(a, r->netns, r->host_ifname, wants, n_wants);
                changed = true;
            }
            continue;
        }
        if (!wanted_set_contains(&wanted, r->endpoint)) {
            detach_one(a, r->endpoint, r->netns, r->host_ifname, NULL,
                       false);
            attached_destroy(a, shash_find_and_delete(&a->endpoints,
                                                      r->endpoint));
            changed = true;
        }
    }
    /* Those not wanted go (if every one there is wanted, none). */
    size_t n_wanted = 0;
    for (size_t i = 0; i < n_wants; i++) {
        n_wanted += wanted.nodes[i].at != NULL;
    }
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &a->endpoints) {
        if (n_wanted == shash_count(&a->endpoints)) {
            break;
        }
        struct attached *at = node->data;
        /* (A device behind a trunk is no port of the switch.) */
        if (at->wanted_run != run
            && (at->want.trunk_netns
                || !(in_use && in_use(at->want.host_ifname, aux)))) {
            detach_one(a, at->want.endpoint, at->want.netns,
                       at->want.host_ifname, at->want.trunk_netns, false);
            attached_destroy(a, at);
            shash_delete(&a->endpoints, node);
            changed = true;
        }
    }
    if (!n_deferred) {
        sweep_trunks(a, wants, n_wants);
    }
    /* (The wanted are not removed above.) */
    a->run_ats = xrealloc(a->run_ats, MAX(n_wants, 1) * sizeof *a->run_ats);
    a->run_trunk_netns = xrealloc(a->run_trunk_netns,
                                  MAX(n_wants, 1) * sizeof *a->run_trunk_netns);
    for (size_t i = 0; i < n_wants; i++) {
        a->run_ats[i] = wanted.nodes[i].at;
        a->run_trunk_netns[i] = wants[i].trunk_netns;   /* (Interned.) */
    }
    free(a->run_put_off);
    a->run_put_off = put_off;
    a->n_run_ats = n_wants;
    wanted_set_destroy(&wanted);
    shash_destroy(&owners);
    shash_destroy(&trunk_netns);
    free(filled);
    return changed;
}

bool
attacher_may_attach_alone(struct attacher *a, const char *endpoint,
                          const char *netns, const char *trunk_port,
                          const char *host_ifname)
{
    /* (A namespace of ours that is gone still has its mark until its
     * endpoint is detached: deleted behind our back, it may be another
     * endpoint's, to be made again.) */
    if (!a->looked || a->n_not_ready || a->n_deferred
        || shash_find(&a->endpoints, endpoint)) {
        return false;
    }
    if (!netns) {
        /* A tap, new where the switch runs. */
        return (!trunk_port && host_ifname && a->switch_netns_fd >= 0
                && !vif_link_exists(a->switch_netns_fd, host_ifname));
    }
    if (vif_netns_exists(netns) || netns_is_ours(netns)) {
        return false;
    }
    if (!trunk_port) {
        /* Its veth's host end, new where the switch runs. */
        return !vif_link_exists(a->switch_netns_fd, host_ifname);
    }
    const char *trunk_netns = trunk_netns_interned(a, trunk_port);
    return trunk_find(a, trunk_netns) != NULL;
}

bool
attacher_attach_alone(struct attacher *a, const struct attach_want *w)
{
    struct attach_want filled = *w;
    filled.trunk_netns = (w->trunk_port
                          ? trunk_netns_interned(a, w->trunk_port) : NULL);
    struct attached *at = attached_new(a, &filled, a->run);
    /* (No other endpoint has its namespace: it did not exist.) */
    attach_or_refuse(a, at, NULL);
    checked(a, at, time_msec());
    /* The last run's states by index are not this one's: by name from now
     * on (attacher_get_state()). */
    a->n_run_ats = 0;
    if (!at->ready) {
        a->n_not_ready++;
        a->next_retry = time_msec() + RETRY_MS;
    }
    return at->ready || (at->pending_port && !at->error);
}

/* Whether 'at' is an internal port with nothing wrong that waits for the
 * switch to make its device (and number its port). */
static bool
awaits_switch(const struct attached *at)
{
    return (!at->ready && at->pending_port && !at->error && !at->dup
            && !at->replug);
}

bool
attacher_awaits_port(const struct attacher *a, const char *endpoint)
{
    const struct attached *at = shash_find_data(&a->endpoints, endpoint);
    return at && awaits_switch(at);
}

bool
attacher_port_numbered(struct attacher *a, const char *endpoint)
{
    struct attached *at = shash_find_data(&a->endpoints, endpoint);
    if (at && at->ready && !at->dup) {
        return true;
    } else if (!at || !awaits_switch(at) || !a->n_not_ready || !a->looked
               || a->switch_netns_fd < 0) {
        /* (Where ovs-vswitchd runs is not known: not looked for here.) */
        return false;
    }
    at->want.port_open = true;  /* (Its device may move now.) */
    attach_or_refuse(a, at, NULL);
    checked(a, at, time_msec());
    a->n_run_ats = 0;
    if (at->ready) {
        a->n_not_ready--;
    }
    return at->ready;
}

bool
attacher_may_detach_alone(const struct attacher *a, const char *endpoint)
{
    const struct attached *at = shash_find_data(&a->endpoints, endpoint);
    return (a->looked && !a->n_not_ready && !a->n_deferred && at
            && at->ready && !at->dup && at->want.trunk_netns
            && at->want.netns && trunk_find(CONST_CAST(struct attacher *, a),
                                            at->want.trunk_netns));
}

void
attacher_detach_alone(struct attacher *a, const char *endpoint)
{
    struct attached *at = shash_find_and_delete(&a->endpoints, endpoint);
    if (at) {
        detach_one(a, at->want.endpoint, at->want.netns,
                   at->want.host_ifname, at->want.trunk_netns, false);
        attached_destroy(a, at);
        a->n_run_ats = 0;
    }
}

const char *
attacher_leaving_ifname(const struct attacher *a, const char *endpoint)
{
    const struct attached *at = shash_find_data(&a->endpoints, endpoint);
    return (a->looked && !a->n_not_ready && !a->n_deferred && at
            && at->ready && !at->dup && !at->leaving && !at->replug
            && !at->want.trunk_netns && at->want.host_ifname
            ? at->want.host_ifname : NULL);
}

void
attacher_leave_alone(struct attacher *a, const char *endpoint)
{
    struct attached *at = shash_find_data(&a->endpoints, endpoint);
    if (at) {
        at->leaving = true;
    }
}

bool
attacher_remove_leaving(struct attacher *a,
                        const struct attach_record *records, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const struct attach_record *r = &records[i];
        const struct attached *at = (r->endpoint && !r->trunk
                                     ? shash_find_data(&a->endpoints,
                                                       r->endpoint)
                                     : NULL);
        if (!at || !at->leaving
            || !nullable_string_is_equal(at->want.host_ifname,
                                         r->host_ifname)
            || !nullable_string_is_equal(at->want.netns, r->netns)) {
            return false;
        }
    }
    for (size_t i = 0; i < n; i++) {
        const struct attach_record *r = &records[i];
        detach_one(a, r->endpoint, r->netns, r->host_ifname, NULL, false);
        attached_destroy(a, shash_find_and_delete(&a->endpoints,
                                                  r->endpoint));
    }
    a->n_run_ats = 0;
    return true;
}

void
attacher_remove_all(struct attacher *a, const struct attach_record *records,
                    size_t n_records)
{
    refresh_switch_netns(a);
    attacher_run(a, NULL, 0, records, n_records, NULL, NULL);
}

/* What the attacher has of want 'w' (NULL: nothing). */
static const struct attached *
find_attached(const struct attacher *a, const struct attach_want *w)
{
    return shash_find_data_hashed(&a->endpoints, w->endpoint,
                                  w->endpoint_hash);
}

void
attacher_get_state(const struct attacher *a, size_t i,
                   const struct attach_want *w, struct attacher_state *st)
{
    const struct attached *at;
    bool put_off = false;
    const char *trunk_netns = NULL;
    if (i < a->n_run_ats) {
        at = a->run_ats[i];
        put_off = a->run_put_off[i];
        trunk_netns = a->run_trunk_netns[i];
        if (desired_flows_checking() && at != find_attached(a, w)) {
            VLOG_ERR("endpoint %s: the attacher's state of want %"PRIuSIZE
                     " of its last run is not the one its name finds",
                     w->endpoint, i);
        }
    } else {
        at = find_attached(a, w);
        put_off = !a->looked;
    }
    st->ready = at && at->ready;
    st->error = at ? at->error : NULL;
    st->wants_port = at && (at->ready || (at->pending_port && !at->replug));
    st->awaits_port = at && awaits_switch(at) && !w->port_open;
    st->put_off = put_off && !at;
    st->trunk_netns = (at ? at->want.trunk_netns
                       : st->put_off ? trunk_netns : NULL);
}

long long int
attacher_next_retry(const struct attacher *a)
{
    if (a->waits_netns && a->netns_seq != netns_let_go_seq()) {
        return LLONG_MIN;       /* (netns_freed().) */
    }
    return a->n_not_ready || a->n_deferred ? a->next_retry : LLONG_MAX;
}

int
attacher_get_netns_fd(const struct attacher *a)
{
    return a->switch_netns_fd;
}

pid_t
attacher_get_switch_pid(const struct attacher *a)
{
    return a->switch_pid;
}
