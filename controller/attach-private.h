/* What controller/attach.c and controller/attach-trunks.c share: the
 * attacher's state, and the steps each takes from the other.  Private to
 * those files. */
#ifndef CONTROLLER_ATTACH_PRIVATE_H
#define CONTROLLER_ATTACH_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "controller/attach.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/shash.h"

struct announcer;
struct vif_config;
struct vif_trunk;
struct vif_watch;

struct attached {
    struct attach_want want;    /* Strings owned. */
    bool ready;
    bool dup;                   /* Its namespace is another endpoint's. */
    bool replug;                /* Its devices went away behind our back:
                                 * made again once the switch has let go of
                                 * its port (which holds the old device). */
    bool pending_port;          /* An internal port the switch has yet to
                                 * make. */
    char *error;
    long long int verified;     /* Last checked. */
    struct ovs_list node;       /* In 'by_age': least recently checked
                                 * first. */
    struct hmap_node device_node;   /* In 'by_device', by the hash of its
                                     * 'host_ifname' (not behind a trunk). */
    unsigned int wanted_run;    /* The last attacher_run() that wanted it. */
    uint64_t same_version;      /* 'want' was found the same as a want with
                                 * this 'row_version' (0: none). */
    bool leaving;               /* No longer wanted, by a change followed
                                 * alone: its devices go with its record
                                 * (attacher_remove_leaving()). */
    long long int netns_waited; /* Since when its namespace is another
                                 * switch's here (0: it is not). */
};

/* A network's trunk, open. */
struct trunk_state {
    struct vif_trunk *t;
    char *port;                 /* Its port of the switch. */
    int mtu;                    /* As last made. */
    bool swept;                 /* Devices no endpoint wants are gone. */
    struct vif_watch *watch;    /* Link and tc notices there, or NULL. */
    long long int check_at;     /* When to check the trunk's own filters. */
    long long int checked_at;   /* When they were checked last. */
};

struct attacher {
    char *switch_name;
    struct shash trunks;        /* Trunk namespace -> struct trunk_state. */
    char *rundir;
    struct shash endpoints;     /* Endpoint name -> struct attached. */
    struct hmap by_device;      /* The same (all but those behind a trunk),
                                 * by their devices where the switch runs. */
    struct ovs_list by_age;     /* struct attached, by 'verified'. */
    unsigned int run;           /* attacher_run() calls so far. */
    size_t n_not_ready;
    long long int next_retry;   /* For those, if any. */
    size_t n_deferred;          /* Left for the next run (over budget). */
    long long int next_round;   /* The next periodic verification round. */
    bool urgent;                /* check_soon() asked for checks, */
    long long int next_urgent;  /* to be made no sooner than this. */
    pid_t switch_pid;           /* ovs-vswitchd, or 0 if unknown. */
    int switch_netns_fd;        /* Its namespace, or -1: ours. */
    dev_t netns_dev;            /* The last one opened (both 0: none), */
    ino_t netns_ino;            /* told apart from others. */
    char *trunk_base;           /* Trunks' namespaces begin so. */
    struct shash trunk_names;   /* Every trunk namespace name used, once:
                                 * the wants' and the attached endpoints'
                                 * 'trunk_netns' point to these keys. */
    struct vif_watch *watch;    /* Link notices there, or NULL. */
    struct announcer *announcer;    /* Not owned; NULL: none. */
    bool waits_netns;           /* An endpoint waits for another switch to
                                 * let go of its namespace, */
    uint64_t netns_seq;         /* netns_let_go_seq() as its last run saw
                                 * it. */
    struct vif_netns_watch *netns_watch;    /* Namespaces deleted, while
                                             * internal ports may be
                                             * attached (else NULL). */
    bool looked;                /* The last attacher_run() knew where
                                 * ovs-vswitchd runs (else it looked at no
                                 * want). */
    bool any_internal;          /* An endpoint attached may be an internal
                                 * port: set when one is made, cleared by a
                                 * walk of them all that finds none. */
    /* What the attacher has of each want of the last attacher_run(), by
     * the want's index (NULL: nothing), for attacher_get_state(); whether
     * that run put it off with nothing of it yet; the namespace of its
     * trunk as named here (or NULL). */
    struct attached **run_ats;
    bool *run_put_off;
    const char **run_trunk_netns;
    size_t n_run_ats;
};

/* attach.c. */
void checked(struct attacher *, struct attached *, long long int now);
void refresh_switch_netns(struct attacher *);

/* attach-one.c: creates or repairs 'at' (attach_one()), unless its
 * namespace is another endpoint's, 'owner' (attach_or_refuse()); removes
 * the device of endpoint 'endpoint' ('host_ifname', behind the trunk in
 * namespace 'trunk_netns' if nonnull) and, unless 'keep_netns', its
 * namespace 'netns' if ovs-vnetd made it (detach_one()). */
void to_vif_config(const struct attach_want *, struct vif_config *);
void attach_one(struct attacher *, struct attached *);
void attach_or_refuse(struct attacher *, struct attached *,
                      const char *owner);
void detach_one(struct attacher *, const char *endpoint, const char *netns,
                const char *host_ifname, const char *trunk_netns,
                bool keep_netns);

/* An endpoint's namespace is held by the endpoint of one switch of this
 * process, from its attach_or_refuse() until its record goes
 * (netns_let_go(), before it is freed): an endpoint moved to another switch
 * served here (the NB's Endpoint.switch changed) is made there once the
 * first switch has taken it out of its port and removed its devices, not
 * beside them in the same namespace. */
void netns_let_go(const struct attached *);
/* Counts the namespaces let go of that an endpoint waited for: an attacher
 * with such an endpoint runs again when it changes. */
uint64_t netns_let_go_seq(void);

/* attach-marks.c: namespaces ovs-vnetd made are marked by a file in its
 * run directory, vnet-netns.NAME (netns_marker()), so that only those are
 * deleted, also after a restart.  mark_netns() marks 'netns' as made for
 * 'what' ("endpoint NAME", "trunk PORT"), and returns NULL or why it could
 * not (malloc'd). */
char *netns_marker(const char *netns);
bool netns_is_ours(const char *netns);
char *mark_netns(const char *netns, const char *what);

/* attach-verify.c. */
void verify_start(struct attacher *);
void check_soon(struct attacher *, struct attached *);

/* attach-trunks.c. */
void refresh_trunk_base(struct attacher *);
char *trunk_netns_name(const struct attacher *, const char *port);
struct trunk_state *trunk_find(struct attacher *, const char *netns);
struct trunk_state *trunk_get(struct attacher *, const struct attach_want *,
                              char **errorp);
void detach_trunk(struct attacher *, const char *netns, const char *port,
                  const struct attach_want *wants, size_t n_wants);
void sweep_trunks(struct attacher *, const struct attach_want *wants,
                  size_t n_wants);
void replug_trunk(struct attacher *, const char *netns);
void trunks_read_link_notices(struct attacher *, long long int now);
void trunks_check(struct attacher *, long long int now);
void trunks_wait(const struct attacher *);
void trunks_destroy(struct attacher *);

#endif /* controller/attach-private.h */
