/* Reconciling a switch's Open_vSwitch database with what ovs-vnet wants there.
 *
 * ovs-vnet owns exactly the bridges whose external_ids:ovs-vnet-switch names the NB
 * switch; everything else in the switch's database is left alone.  For an NB switch
 * it wants one bridge: datapath type as configured, fail_mode=secure, OpenFlow 1.0
 * (for ovs-ofctl) and 1.3 to 1.5 (for us), and one Controller row pointing at
 * ovs-vnetd.  switch_db_reconcile() compares that with the database and puts any
 * difference into a transaction; with no bridge wanted (the switch was released)
 * it deletes our bridges, and OVSDB garbage-collects their ports and controller.
 *
 * A bridge of the wanted name that ovs-vnet does not own is never adopted or
 * changed: that is reported as an error. */
#ifndef VNET_SWITCH_DB_H
#define VNET_SWITCH_DB_H 1

#include <stdbool.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdb_idl;
struct ovsdb_idl_txn;
struct switch_db_result_index;
struct sset;

/* A port ovs-vnet adds to its bridge: for an endpoint it created (with an
 * iface-id), or for tunnels (with a type and options). */
struct switch_db_port {
    const char *name;           /* Device: the host end of the veth. */
    const char *iface_id;       /* external_ids:iface-id: the endpoint. */
    const char *mac;            /* external_ids:attached-mac. */
    const char *netns;          /* external_ids:vnet-netns: for cleanup. */
    bool tap;                   /* external_ids:vnet-kind=tap: for cleanup. */
    bool trunk;                 /* external_ids:vnet-kind=trunk: a network's
                                 * trunk, 'netns' its namespace.  Several
                                 * endpoints' entries may name one trunk. */
    const char *type;           /* Interface type, NULL: "" (a device). */
    const struct smap *options; /* Interface options, or NULL. */
};

/* What switch_db_reconcile() and switch_db_write_marks() found in place on
 * the interfaces of a bridge: they look again at an interface's
 * external_ids only where its row changed since, or what they want of it
 * did.  One for each switch's database (its rows' UUIDs). */
struct switch_db_memo;
struct switch_db_memo *switch_db_memo_create(void);
void switch_db_memo_destroy(struct switch_db_memo *);
/* Forgets what 'memo' knows of the interfaces whose rows changed, or came
 * or went (as the changes 'idl' tracks say: to be called before they are
 * cleared, after every ovsdb_idl_run()). */
void switch_db_memo_forget_changed(struct switch_db_memo *,
                                   const struct ovsdb_idl *);

struct switch_news;

struct switch_db_config {
    const char *owner;             /* NB switch name, for external_ids. */
    const char *bridge;            /* Bridge wanted, or NULL to release. */
    const char *datapath_type;     /* "system" or "netdev". */
    const char *controller_target; /* "unix:PATH". */
    const struct switch_db_port *ports;   /* Our endpoint ports. */
    size_t n_ports;
    /* Underlay bridge (netdev tunnels): owns 'underlay' and carries the
     * tunnel IP on its internal port.  NULL: none. */
    const char *phy_bridge;
    const char *underlay;
    const char *phy_hwaddr;     /* Its MAC: stable, so that other switches'
                                 * tunnel neighbor caches stay right when it is
                                 * recreated. */
    /* Where to record the endpoint ports inserted, as written, so that
     * their coming back is no news (switch-news.h); NULL: nowhere. */
    struct switch_news *news;
    struct switch_db_memo *memo;   /* NULL: look at every interface. */
};

/* An interface on our bridge with external_ids:iface-id, or one of our own
 * ports (tunnels) with iface_id NULL. */
struct switch_db_binding {
    char *iface_id;
    char *ifname;
    int64_t ofport;             /* 0 or less: not (yet) usable. */
    char *error;                /* Interface error column, or NULL. */
    bool ours;                  /* A port ovs-vnet added. */
};

/* One of our ports that is no longer wanted (deleted by this reconcile): what
 * was created for it must go too. */
struct switch_db_stale {
    char *iface_id;
    char *ifname;
    char *netns;                /* NULL if none was recorded. */
    bool tap;                   /* Recorded as an endpoint's tap. */
    bool trunk;                 /* Recorded as a network's trunk. */
};

struct switch_db_result {
    bool db_ready;              /* The Open_vSwitch row exists. */
    bool ready;                 /* Everything as wanted; nothing changed. */
    bool inserts_only;          /* Endpoint ports inserted (recorded in
                                 * the config's 'news'), nothing else
                                 * changed. */
    size_t n_unnumbered;        /* Our ports without an endpoint (tunnels,
                                 * uplinks, relay taps) that ovs-vswitchd
                                 * has not numbered yet, nor refused; those
                                 * inserted now among them. */
    bool controller_connected;  /* Our Controller row says is_connected. */
    char *error;                /* Why not ready, or NULL (caller frees). */
    char *ovs_version;          /* Open_vSwitch ovs_version, or NULL. */
    char *system_id;            /* external_ids:system-id, or NULL. */
    struct switch_db_binding *bindings;
    size_t n_bindings;
    /* Indexes of 'bindings' (by interface name, and those plugged by
     * others by iface-id), made with the result and brought up to date as
     * they are looked up (bindings are only added, at the end). */
    struct switch_db_result_index *index;
    struct switch_db_stale *stale;
    size_t n_stale;
};

/* Registers in 'idl' the tables and columns reconciliation reads and writes,
 * each with its changes tracked (switch-news.h).  Returns an index of the
 * Interface rows by name, for switch_db_ofport(), and sets
 * '*ports_by_name' to one of the Port rows, for switch_db_delete_port()
 * (they go with 'idl'). */
struct ovsdb_idl_index *switch_db_register(
    struct ovsdb_idl *idl, struct ovsdb_idl_index **ports_by_name);

/* Interface 'name' of the switch's database, or NULL ('by_name' from
 * switch_db_register()). */
const struct ovsrec_interface *switch_db_find_iface(
    struct ovsdb_idl_index *by_name, const char *name);

/* The OpenFlow port the switch's database gives interface 'name' as it
 * stands now ('by_name' from switch_db_register()), or 0 if none (yet). */
int64_t switch_db_ofport(struct ovsdb_idl_index *by_name, const char *name);

/* The target of bridge 'bridge''s controller in 'idl' if it has exactly one
 * (as ovs-vnetd configures it), else NULL. */
const char *switch_db_controller_target(const struct ovsdb_idl *idl,
                                        const char *bridge);

/* How many ports bridge 'bridge' has in 'idl' (0: no such bridge). */
size_t switch_db_bridge_n_ports(const struct ovsdb_idl *idl,
                                const char *bridge);

/* Adds to 'names' the names of the ports of 'idl' that 'owner' made, as
 * the database has them now. */
void switch_db_our_ports(const struct ovsdb_idl *idl, const char *owner,
                         struct sset *names);

/* Compares 'idl' with 'cfg' and adds the needed changes to 'txn'.  Fills 'r';
 * the caller frees r->error, r->ovs_version and r->system_id with
 * switch_db_result_destroy(). */
void switch_db_reconcile(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                         const struct switch_db_config *cfg,
                         struct switch_db_result *r);
void switch_db_result_destroy(struct switch_db_result *r);

/* What vnet-installed marks are written from: the owner of the ports,
 * whether the endpoint 'endpoint' is installed ('aux' given back), and
 * where what is written is recorded. */
typedef bool switch_db_installed_func(const char *endpoint, const void *aux);
struct switch_db_marks {
    const char *owner;
    switch_db_installed_func *installed;
    const void *aux;
    struct switch_news *news;
    struct switch_db_memo *memo;
};

/* Brings only the vnet-installed marks of the interfaces of 'bridge' (the
 * ports of 'mk''s owner and those plugged by others with an iface-id) to
 * what 'installed' says of their endpoint: the interfaces of those installed
 * get external_ids:vnet-installed=true, the others lose it
 * (switch_db_reconcile() leaves the marks as they are).  Records in 'news'
 * what it wrote.  Returns true if it changed anything.
 * switch_db_write_marks_of() does the same for the 'n' interfaces named in
 * 'ifnames' alone ('by_name' from switch_db_register()). */
bool switch_db_write_marks(struct ovsdb_idl *idl, const char *bridge,
                           const struct switch_db_marks *);
bool switch_db_write_marks_of(struct ovsdb_idl_index *by_name,
                              const char *const *ifnames, size_t n,
                              const struct switch_db_marks *);

/* For a change followed without a reconcile: interface 'ifname', plugged
 * by someone else for endpoint 'iface_id', as if the last reconcile had
 * found it without an OpenFlow port in 'r''s bindings. */
void switch_db_result_plugged(struct switch_db_result *r, const char *ifname,
                              const char *iface_id);

/* The binding of interface 'ifname' in 'r', or NULL. */
const struct switch_db_binding *switch_db_result_find(
    const struct switch_db_result *r, const char *ifname);

/* Whether an interface plugged by someone else is there for endpoint
 * 'iface_id' in 'r'. */
bool switch_db_result_plugged_for(const struct switch_db_result *r,
                                  const char *iface_id);
/* How many interfaces plugged by someone else are there for endpoint
 * 'iface_id' in 'r'. */
size_t switch_db_result_n_plugged_for(const struct switch_db_result *r,
                                      const char *iface_id);

/* For a change followed without a reconcile: our interface 'ifname' (of
 * endpoint 'iface_id') as if the last reconcile had found it with OpenFlow
 * port 'ofport' (0: none yet) in 'r''s bindings. */
void switch_db_result_bind(struct switch_db_result *r, const char *ifname,
                           const char *iface_id, int64_t ofport);
/* For a change followed without a reconcile: our port 'ifname' deleted (or
 * one plugged by someone else, unplugged), as if the last reconcile had not
 * found it (its binding keeps its place with no endpoint, not ours, until
 * switch_db_result_bind() binds it again). */
void switch_db_result_unbind(struct switch_db_result *r, const char *ifname);

/* Inserts endpoint port 'want' alone into our bridge 'bridge' (owned by
 * 'owner') in 'txn', as switch_db_reconcile() inserts a missing one, and
 * records in 'news' that it and the bridge's ports will come back as
 * written.  Returns false, having done nothing, if the bridge is not there
 * or not ours, or an interface of that name is there ('ifaces_by_name', of
 * 'idl') or inserted already. */
struct ovsdb_idl_txn;
/* Deletes our endpoint port 'name' (with its one interface of that name)
 * alone from our bridge 'bridge' in 'txn', as switch_db_reconcile() deletes
 * one not wanted: fills 'st' with what was made for it (the caller frees
 * its members), and records in 'news' that it will go and the bridge's
 * ports come back without it.  Returns false, having done nothing, if the
 * bridge is not there or not ours, or the port ('ports_by_name', of 'idl')
 * is not there, not ours, or inserted or deleted already. */
bool switch_db_delete_port(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                           struct ovsdb_idl_index *ports_by_name,
                           const char *bridge, const char *owner,
                           const char *name, struct switch_news *news,
                           struct switch_db_stale *st);
bool switch_db_insert_port(struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
                           struct ovsdb_idl_index *ifaces_by_name,
                           const char *bridge, const char *owner,
                           const struct switch_db_port *want,
                           struct switch_news *news);

/* Adds to 'ofports' (name -> OpenFlow port) every port of ours in 'r' that
 * carries no endpoint (tunnel ports, relay taps, router uplinks) and has an
 * OpenFlow port. */
struct simap;
void switch_db_own_ofports(const struct switch_db_result *r,
                           struct simap *ofports);

/* Whether the switch's ovs-vswitchd runs with userspace TSO: its
 * other_config says so (Open vSwitch reads it when it starts; turned on in a
 * running ovs-vswitchd 3.1, it breaks forwarding through the userspace
 * datapath until the daemon restarts). */
bool switch_db_userspace_tso(struct ovsdb_idl *);

/* True if the switch lists datapath 'type' in its Open_vSwitch datapath_types
 * (or has not said yet). */
bool switch_db_supports_datapath(struct ovsdb_idl *idl, const char *type);

#ifdef __cplusplus
}
#endif

#endif /* controller/switch-db.h */
