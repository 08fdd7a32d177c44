/* Which changes of a switch's Open_vSwitch database its full runs follow.
 *
 * Every column ovs-vnetd reads there is tracked.  ovs-vnetd writes the
 * vnet-installed marks of interfaces between full runs (switch_db_write_marks()),
 * and records what it wrote; a change that is only those interfaces'
 * external_ids coming back as written is no news for a full run.  So are the
 * endpoints' ports that a full run (or a patch) inserted (and nothing
 * else), coming back as written, with the bridge's list of ports; and the
 * ports a patch deleted, going with their interfaces, the bridge's list of
 * ports and the next_cfg that came with them.  Anything
 * else is: a row inserted or deleted, another column or table, external_ids
 * not as written, an inserted interface with an error, a sequence number
 * moved with nothing tracked (a new connection's first reply).
 *
 * An interface given an OpenFlow port (that column alone changed, to a port
 * above 0, or an inserted one coming back numbered already) is news only if
 * its reader says so: switch_news_run() lists it
 * (switch_news_ofports()) and its reader either follows it or calls
 * switch_news_bump() before the next switch_news_run() (which makes any
 * left news).  So is a port that someone else inserted into the bridge set
 * with switch_news_set_bridge(), with one interface with an
 * external_ids:iface-id and no error (switch_news_plugged(); numbered
 * already, it is listed as numbered too), the bridge listing the ports it
 * listed before and those inserted (as its count and names' hashes say),
 * and the next_cfg that came with it; and a port that someone else deleted
 * from that bridge with its one interface that had an external_ids:iface-id
 * (switch_news_unplugged()), the bridge listing what it listed but those
 * deleted. */
#ifndef VNET_SWITCH_NEWS_H
#define VNET_SWITCH_NEWS_H 1

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/shash.h"
#include "sset.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdb_idl;
struct ovsdb_idl_column;
struct ovsrec_bridge;
struct ovsrec_interface;
struct ovsrec_port;

struct switch_news {
    unsigned int idl_seqno;     /* The IDL's, as last seen. */
    unsigned int seqno;         /* One more for each change that is news. */
    struct hmap expected;       /* struct switch_news_row, by row UUID. */
    struct shash inserted;      /* Name -> struct switch_news_port. */
    uint64_t inserted_sum;      /* Their names' hashes added up. */
    struct sset deleted;        /* Names of the ports deleted, */
    uint64_t deleted_sum;       /* and their hashes added up. */
    char *bridge;               /* The bridge they went into (or NULL), */
    size_t bridge_n_ports;      /* how many ports it lists then, */
    uint64_t bridge_ports_sum;  /* and their names' hashes added up. */
    struct switch_news_ofport *ofports; /* Interfaces numbered. */
    size_t n_ofports, allocated_ofports;
    struct switch_news_ofport *plugged; /* Interfaces plugged by others. */
    size_t n_plugged, allocated_plugged;
    struct switch_news_ofport *unplugged; /* Their ports deleted by them. */
    size_t n_unplugged, allocated_unplugged;

    /* The bridge whose ports others plug, as last read: its name, whether
     * it was there, how many ports it listed and their names' hashes (read
     * again only when its list of ports changes, and then from the sum that
     * the list came back with as written, if it did). */
    char *own_bridge;
    bool own_known;
    size_t own_n_ports;
    uint64_t own_ports_sum;
    const struct ovsrec_bridge *summed; /* The bridge, and its names' */
    uint64_t summed_sum;                /* hashes, as the changes read. */
    /* Of the changes being read: the ports inserted, their names' hashes,
     * and how many of them are not ovs-vnetd's; the ports deleted, their
     * names' hashes, and the names of those not deleted by ovs-vnetd. */
    size_t n_new_ports;
    uint64_t new_ports_sum;
    size_t n_plugged_ports;
    size_t n_gone_ports;
    uint64_t gone_ports_sum;
    struct sset unplugged_ports;
};

/* An interface that ovs-vswitchd has given an OpenFlow port (or that
 * someone else plugged: then its OpenFlow port may be 0). */
struct switch_news_ofport {
    char *ifname;
    char *iface_id;             /* Its external_ids:iface-id, or NULL. */
    int64_t ofport;
};

/* Registers 'column' in 'idl' (created monitoring nothing by default), with
 * its changes tracked.  Between ovsdb_idl_create() and the first
 * ovsdb_idl_run(). */
void switch_news_add_column(struct ovsdb_idl *,
                            const struct ovsdb_idl_column *);

void switch_news_init(struct switch_news *);
void switch_news_destroy(struct switch_news *);

/* Records that 'iface''s external_ids, as the open transaction has just set
 * them, will come back from ovs-vnetd's own write. */
void switch_news_expect(struct switch_news *, const struct ovsrec_interface *);
/* Records that 'port' (with its one interface), just inserted by the open
 * transaction, will come back as written; and then, for the last of them,
 * that bridge 'br' will list its ports as now and those inserted. */
void switch_news_expect_insert(struct switch_news *,
                               const struct ovsrec_port *);
void switch_news_expect_bridge(struct switch_news *,
                               const struct ovsrec_bridge *);
/* Records that 'port' (with its one interface), just deleted from its
 * bridge by the open transaction, will go; switch_news_expect_bridge()
 * follows, as for an insert. */
void switch_news_expect_delete(struct switch_news *,
                               const struct ovsrec_port *);
/* The interfaces numbered, and nothing else, that the last
 * switch_news_run() found (none if it found news). */
const struct switch_news_ofport *switch_news_ofports(
    const struct switch_news *, size_t *n);
/* The interfaces plugged by others, and nothing else, that the last
 * switch_news_run() found (none if it found news). */
const struct switch_news_ofport *switch_news_plugged(
    const struct switch_news *, size_t *n);
/* The interfaces unplugged by others (deleted with their ports), and
 * nothing else, that the last switch_news_run() found (none if it found
 * news); their OpenFlow ports are 0. */
const struct switch_news_ofport *switch_news_unplugged(
    const struct switch_news *, size_t *n);
/* Which bridge's plugged ports switch_news_plugged() lists (NULL: none). */
void switch_news_set_bridge(struct switch_news *, const char *bridge);
/* Makes what the last switch_news_run() found news after all (the
 * interfaces numbered, plugged and unplugged); returns the new number. */
unsigned int switch_news_bump(struct switch_news *);
/* Says that its reader followed them: the interfaces numbered; those
 * plugged. */
void switch_news_followed(struct switch_news *);
void switch_news_plugged_followed(struct switch_news *);
void switch_news_unplugged_followed(struct switch_news *);

/* Whether a port named 'name' was inserted (recorded with
 * switch_news_expect_insert()). */
bool switch_news_inserted(const struct switch_news *, const char *name);

/* Whether a port named 'name' was deleted (recorded with
 * switch_news_expect_delete()). */
bool switch_news_deleted(const struct switch_news *, const char *name);

/* Whether ports inserted are expected to come back (or ports deleted to
 * go). */
bool switch_news_expects_writes(const struct switch_news *);

/* Forgets what was recorded (a full run reads everything anyway; a
 * transaction that failed brings nothing back). */
void switch_news_forget(struct switch_news *);

/* After ovsdb_idl_run() (or ovsdb_idl_loop_run()): returns a number that has
 * moved since the last call if the database changed in anything but what
 * was expected, then clears the IDL's tracked changes. */
unsigned int switch_news_run(struct switch_news *, struct ovsdb_idl *);

#ifdef __cplusplus
}
#endif

#endif /* controller/switch-news.h */
