/* The namespaces and veth pairs ovs-vnetd creates for one switch's endpoints.
 *
 * For each endpoint of type "tap" on a switch, it makes sure a persistent tap
 * device of that name exists there, up, for a VM or a program to open.
 *
 * For each endpoint of type "internal", it makes sure the namespace exists
 * and moves the switch's internal port of that name into it once the switch
 * has made it, configured as a veth's namespace end is.
 *
 * For each endpoint of type "netns" on a switch, the attacher makes sure the
 * namespace exists (as "ip netns add" makes it) with eth0 configured, and that
 * the host end of its veth pair sits in the namespace where that switch's
 * ovs-vswitchd runs (found from its pidfile in the switch's run directory), so the
 * switch can take it as a port.  While that pidfile is missing (ovs-vswitchd
 * not running) the attacher does nothing at all.  Creation is idempotent: after a controller
 * restart, existing endpoints are adopted, not recreated.  What is no longer
 * wanted is removed: exactly the veth and namespace that were created for it.
 * Attached endpoints are re-verified in bounded rounds (attacher_verify())
 * and repaired.
 *
 * The netlink work itself is in controller/vif. */
#ifndef VNET_ATTACH_H
#define VNET_ATTACH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "openvswitch/uuid.h"

struct announcer;

struct attach_want {
    const char *endpoint;       /* Endpoint name (the key). */
    uint32_t endpoint_hash;     /* hash_string(endpoint, 0). */
    const char *netns;          /* Its namespace; NULL for a tap endpoint,
                                 * whose device is the tap 'host_ifname'. */
    uint32_t netns_hash;        /* hash_string(netns, 0) if 'netns'. */
    const char *host_ifname;    /* Host end of the veth, or the tap. */
    const char *tap_owner;      /* A tap's user and group (names or numbers; */
    const char *tap_group;      /* NULL: anyone may open it). */
    struct uuid network;        /* Its Network row's UUID. */
    uint8_t mac[6];
    uint32_t ip;                /* Host byte order. */
    int plen;
    uint32_t gateway;           /* Host byte order. */
    int mtu;
    bool tx_csum;               /* TX checksum offload in the namespace (see
                                 * struct vif_config). */
    bool internal;              /* 'host_ifname' is an Open vSwitch internal
                                 * port that the switch makes once it is on
                                 * the bridge, moved into 'netns' (see
                                 * vif_internal_ensure()). */
    bool port_open;             /* An internal port: the switch has given it
                                 * an OpenFlow port (it has opened the device
                                 * where it made it, and may move now). */
    /* Behind its network's trunk (see controller/vif.h): 'trunk_port' is the
     * trunk's port of the switch (NULL: not on a trunk), and 'host_ifname'
     * its device in the trunk's namespace, which the attacher names
     * (struct attacher_state; ignored here). */
    const char *trunk_port;
    const char *trunk_netns;
    /* The version of the NB row its strings come from (0: none): while it
     * stays, the strings other than 'trunk_netns' say what they said. */
    uint64_t row_version;
};

/* Something created earlier (recorded in the switch's database) that may have
 * to go. */
struct attach_record {
    const char *endpoint;       /* NULL for a trunk. */
    const char *netns;          /* NULL: a tap.  A trunk's namespace. */
    const char *host_ifname;    /* A trunk's: its port. */
    bool trunk;                 /* A network's trunk, with every endpoint
                                 * still behind it. */
};

struct attacher *attacher_create(const char *switch_name);
void attacher_destroy(struct attacher *);

/* Where the switch keeps its pidfiles. */
void attacher_set_rundir(struct attacher *, const char *rundir);
/* The announcer of the endpoints whose addresses had another MAC
 * (controller/announce.h; not owned; NULL: none). */
void attacher_set_announcer(struct attacher *, struct announcer *);

/* Brings the endpoints to 'wants'; removes what 'records' list and 'wants'
 * does not.  An endpoint no longer wanted whose host end is still a port of
 * the switch ('in_use' says so of a host interface name, with 'aux'; NULL:
 * none is) is kept until the port is gone and it comes back in 'records':
 * ovs-vswitchd must let go of a device before it disappears.  Returns true
 * if anything changed. */
typedef bool attacher_in_use_func(const char *ifname, void *aux);
bool attacher_run(struct attacher *, const struct attach_want *wants,
                  size_t n_wants, const struct attach_record *records,
                  size_t n_records, attacher_in_use_func *in_use, void *aux);

/* One endpoint behind a trunk (or with a veth or an internal port of its
 * own) attached, or one behind a trunk detached, without a run, for a change
 * of the NB followed alone; the next attacher_run() takes it as it finds it.
 * attacher_may_attach_alone() says whether endpoint 'endpoint', in
 * namespace 'netns' behind trunk port 'trunk_port' (NULL: with a veth whose
 * host end is 'host_ifname', or an internal port of that name; 'netns'
 * NULL: a tap of that name), can be: the last run knew where ovs-vswitchd
 * runs and left every endpoint it wanted in place, nothing of the endpoint
 * is attached, its namespace does not exist and bears no mark of ours (so
 * no other endpoint has it), and behind a trunk, its trunk is open;
 * otherwise, its device does not exist where the switch runs.
 * attacher_attach_alone() then makes 'w' (of that endpoint) and returns
 * whether it is in place, or for an internal port, its namespace made and
 * its device to be made by the switch (if not, its error is kept and a run
 * is to follow, as for one attacher_run() could not make).
 * attacher_awaits_port() says whether 'endpoint' is an internal port that
 * waits for the switch alone (to make its device and number its port).
 * attacher_port_numbered() says that the switch numbered endpoint
 * 'endpoint''s port: an internal port's device, which the switch has made,
 * is moved into its namespace and configured there (where the attacher
 * knows ovs-vswitchd runs); it returns whether the endpoint is in place (if
 * not, a run is to follow).
 * attacher_may_detach_alone() says whether 'endpoint' is in place behind a
 * trunk, every endpoint being so, and attacher_detach_alone() removes it. */
bool attacher_may_attach_alone(struct attacher *, const char *endpoint,
                               const char *netns, const char *trunk_port,
                               const char *host_ifname);
bool attacher_attach_alone(struct attacher *, const struct attach_want *w);
bool attacher_awaits_port(const struct attacher *, const char *endpoint);
bool attacher_port_numbered(struct attacher *, const char *endpoint);
bool attacher_may_detach_alone(const struct attacher *, const char *endpoint);
void attacher_detach_alone(struct attacher *, const char *endpoint);

/* One endpoint with a port of its own (a veth or an internal port in a
 * namespace, or a tap), no longer wanted, for a change of the NB followed
 * alone: its port is removed from the switch, and its devices stay until
 * ovs-vswitchd has let go of them.  attacher_leaving_ifname() says whether
 * 'endpoint' can leave so: it is in place with a port of its own (not
 * behind a trunk), every endpoint being in place; it returns its port's
 * device's name, or NULL.  attacher_leave_alone() marks it as leaving.
 * Once its port's
 * record comes due, attacher_remove_leaving() removes the devices of the
 * 'n' 'records' if every one is of an endpoint leaving so (as
 * attacher_run() would), and returns whether it did; if not, it does
 * nothing (the next attacher_run() does it).  An endpoint leaving that the
 * next attacher_run() wants again stays. */
const char *attacher_leaving_ifname(const struct attacher *,
                                    const char *endpoint);
void attacher_leave_alone(struct attacher *, const char *endpoint);
bool attacher_remove_leaving(struct attacher *,
                             const struct attach_record *records, size_t n);

/* Removes everything this attacher created or 'records' lists. */
void attacher_remove_all(struct attacher *, const struct attach_record *records,
                         size_t n_records);

/* After attacher_run(), where a wanted endpoint stands. */
struct attacher_state {
    bool ready;                 /* In place; */
    const char *error;          /* else why not (or NULL: not yet). */
    /* It must be a port of the switch: it is in place, or it is an internal
     * port that the switch makes once it is a port. */
    bool wants_port;
    /* Of those, an internal port with nothing wrong whose port the switch
     * has not numbered yet (the want's 'port_open'): it waits for the
     * switch alone, and its device goes into its namespace once the switch
     * has made it and numbered its port (attacher_port_numbered(), or the
     * next run).  (One numbered whose device has not moved is not in
     * place: the run put it off, or the device is not there.) */
    bool awaits_port;
    /* The namespace of the trunk it is behind, or NULL.  It is named after
     * the namespace where the switch's ovs-vswitchd runs, if that has a name
     * ("NAME-" and the trunk's port), else "vnet-trunk-", the switch's name,
     * "-" and the trunk's port: one per switch and network, as several
     * switches may share a machine.  The attacher's: it stays until
     * attacher_run() is called again. */
    const char *trunk_netns;
    /* The last run had no time for it (see attacher_set_budget()), or did
     * not know where ovs-vswitchd runs (then it looked at no want), and the
     * attacher has nothing of it yet: after a restart, its devices (and
     * port) may be there and in use. */
    bool put_off;
};
/* The state of 'w', want 'i' of the wants of the last attacher_run() (kept
 * from that run: no lookup by name), or of another want (found by name). */
void attacher_get_state(const struct attacher *, size_t i,
                        const struct attach_want *w, struct attacher_state *);

/* The namespace of the switch's ovs-vswitchd (-1: unknown) and its pid (0:
 * unknown), as attacher_run() last found them. */
int attacher_get_netns_fd(const struct attacher *);
pid_t attacher_get_switch_pid(const struct attacher *);

/* How long one attacher_run() may spend making, moving and repairing
 * endpoints (250 ms unless set): the rest are put off to the next run, which
 * follows at once.  Each run does at least one. */
void attacher_set_budget(int ms);

/* When attacher_run() wants to be called again, to try again endpoints it
 * could not attach, or at once for those it had no time for (it spends
 * about a quarter of a second at most) (LLONG_MAX: none). */
long long int attacher_next_retry(const struct attacher *);

/* Checks some attached endpoints, if a round of checks is due, and repairs
 * them.  Returns true if it repaired any. */
bool attacher_verify(struct attacher *);
/* Wakes the poll loop when attacher_verify() has work: a round is due, or
 * link notices arrived. */
void attacher_verify_wait(const struct attacher *);

#endif /* controller/attach.h */
