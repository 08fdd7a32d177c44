#include <config.h>
#include "controller/switch-news.h"

#include <string.h>

#include "controller/idl-changes.h"
#include "hash.h"
#include "lib/vswitch-idl.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

/* An interface whose external_ids ovs-vnetd wrote, as it wrote them. */
struct switch_news_row {
    struct hmap_node node;      /* In struct switch_news 'expected'. */
    struct uuid uuid;
    struct smap external_ids;
};

/* A port that ovs-vnetd inserted, with its interface, as written. */
struct switch_news_port {
    struct smap port_ids;       /* The port's external_ids. */
    char *type;                 /* The interface's type, */
    struct smap options;        /* options */
    struct smap iface_ids;      /* and external_ids. */
};

void
switch_news_add_column(struct ovsdb_idl *idl,
                       const struct ovsdb_idl_column *column)
{
    ovsdb_idl_add_column(idl, column);
    ovsdb_idl_track_add_column(idl, column);
}

void
switch_news_init(struct switch_news *news)
{
    news->idl_seqno = 0;
    news->seqno = 1;
    hmap_init(&news->expected);
    shash_init(&news->inserted);
    news->bridge = NULL;
    news->bridge_n_ports = 0;
    news->bridge_ports_sum = 0;
    news->ofports = NULL;
    news->n_ofports = news->allocated_ofports = 0;
}

static void
clear_ofports(struct switch_news *news)
{
    for (size_t i = 0; i < news->n_ofports; i++) {
        free(news->ofports[i].ifname);
        free(news->ofports[i].iface_id);
    }
    news->n_ofports = 0;
}

void
switch_news_destroy(struct switch_news *news)
{
    switch_news_forget(news);
    clear_ofports(news);
    free(news->ofports);
    hmap_destroy(&news->expected);
    shash_destroy(&news->inserted);
}

static struct switch_news_row *
find_expected(const struct switch_news *news, const struct uuid *uuid)
{
    struct switch_news_row *r;
    HMAP_FOR_EACH_WITH_HASH (r, node, uuid_hash(uuid), &news->expected) {
        if (uuid_equals(&r->uuid, uuid)) {
            return r;
        }
    }
    return NULL;
}

static void
remove_expected(struct switch_news *news, struct switch_news_row *r)
{
    hmap_remove(&news->expected, &r->node);
    smap_destroy(&r->external_ids);
    free(r);
}

void
switch_news_expect(struct switch_news *news,
                   const struct ovsrec_interface *iface)
{
    const struct uuid *uuid = &iface->header_.uuid;
    struct switch_news_row *r = find_expected(news, uuid);
    if (r) {
        smap_destroy(&r->external_ids);
    } else {
        r = xmalloc(sizeof *r);
        r->uuid = *uuid;
        hmap_insert(&news->expected, &r->node, uuid_hash(uuid));
    }
    smap_clone(&r->external_ids, &iface->external_ids);
}

void
switch_news_expect_insert(struct switch_news *news,
                          const struct ovsrec_port *port)
{
    ovs_assert(port->n_interfaces == 1);
    if (shash_find(&news->inserted, port->name)) {
        return;                 /* Inserted once per name and transaction. */
    }
    const struct ovsrec_interface *iface = port->interfaces[0];
    struct switch_news_port *p = xmalloc(sizeof *p);
    smap_clone(&p->port_ids, &port->external_ids);
    p->type = xstrdup(iface->type);
    smap_clone(&p->options, &iface->options);
    smap_clone(&p->iface_ids, &iface->external_ids);
    shash_add(&news->inserted, port->name, p);
}

/* What a bridge's list of ports is told by: its names' hashes (two of
 * each, for 64 bits) added up. */
static uint64_t
port_name_hash(const char *name)
{
    return ((uint64_t) hash_string(name, 0) << 32) | hash_string(name, 1);
}

static uint64_t
ports_sum(const struct ovsrec_bridge *br)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < br->n_ports; i++) {
        sum += port_name_hash(br->ports[i]->name);
    }
    return sum;
}

void
switch_news_expect_bridge(struct switch_news *news,
                          const struct ovsrec_bridge *br)
{
    free(news->bridge);
    news->bridge = xstrdup(br->name);
    /* (The ports inserted are not among the bridge's yet: the IDL shows a
     * partial update of its list once it has committed.) */
    news->bridge_n_ports = br->n_ports + shash_count(&news->inserted);
    news->bridge_ports_sum = ports_sum(br);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &news->inserted) {
        news->bridge_ports_sum += port_name_hash(node->name);
    }
}

const struct switch_news_ofport *
switch_news_ofports(const struct switch_news *news, size_t *n)
{
    *n = news->n_ofports;
    return news->ofports;
}

void
switch_news_followed(struct switch_news *news)
{
    clear_ofports(news);
}

unsigned int
switch_news_bump(struct switch_news *news)
{
    if (news->n_ofports) {
        clear_ofports(news);
        news->seqno++;
    }
    return news->seqno;
}

bool
switch_news_inserted(const struct switch_news *news, const char *name)
{
    return shash_find(&news->inserted, name) != NULL;
}

bool
switch_news_expects_inserts(const struct switch_news *news)
{
    return !shash_is_empty(&news->inserted) && news->bridge;
}

void
switch_news_forget(struct switch_news *news)
{
    struct switch_news_row *r;
    HMAP_FOR_EACH_SAFE (r, node, &news->expected) {
        remove_expected(news, r);
    }
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &news->inserted) {
        struct switch_news_port *p = node->data;
        smap_destroy(&p->port_ids);
        free(p->type);
        smap_destroy(&p->options);
        smap_destroy(&p->iface_ids);
        free(p);
        shash_delete(&news->inserted, node);
    }
    free(news->bridge);
    news->bridge = NULL;
}

/* Whether 'row' of table 'tc' has a column other than 'column' updated. */
static bool
other_column_updated(const struct ovsdb_idl_row *row,
                     const struct ovsdb_idl_table_class *tc,
                     const struct ovsdb_idl_column *column)
{
    for (size_t c = 0; c < tc->n_columns; c++) {
        if (&tc->columns[c] != column
            && ovsdb_idl_track_is_updated(row, &tc->columns[c])) {
            return true;
        }
    }
    return false;
}

/* Lists 'iface' in 'news' as numbered, if it has one OpenFlow port above 0;
 * returns whether it did. */
static bool
list_numbered(struct switch_news *news, const struct ovsrec_interface *iface)
{
    if (iface->n_ofport != 1 || iface->ofport[0] <= 0) {
        return false;
    }
    if (news->n_ofports >= news->allocated_ofports) {
        news->ofports = x2nrealloc(news->ofports, &news->allocated_ofports,
                                   sizeof *news->ofports);
    }
    struct switch_news_ofport *o = &news->ofports[news->n_ofports++];
    o->ifname = xstrdup(iface->name);
    o->iface_id = nullable_xstrdup(smap_get(&iface->external_ids,
                                            "iface-id"));
    o->ofport = iface->ofport[0];
    return true;
}

/* Whether 'iface' (not inserted) was given an OpenFlow port, and that is
 * all; if so, lists it in 'news'. */
static bool
iface_numbered(struct switch_news *news,
               const struct ovsrec_interface *iface)
{
    return (ovsdb_idl_track_is_updated(&iface->header_,
                                       &ovsrec_interface_col_ofport)
            && !other_column_updated(&iface->header_,
                                     &ovsrec_table_interface,
                                     &ovsrec_interface_col_ofport)
            && list_numbered(news, iface));
}

static bool
iface_as_written(struct switch_news *news,
                 const struct ovsrec_interface *iface, bool inserted)
{
    if (!inserted && iface_numbered(news, iface)) {
        return true;
    }
    if (!inserted) {
        /* A mark: external_ids alone, as written. */
        const struct switch_news_row *r = find_expected(
            news, &iface->header_.uuid);
        return (r && smap_equal(&r->external_ids, &iface->external_ids)
                && !other_column_updated(&iface->header_,
                                         &ovsrec_table_interface,
                                         &ovsrec_interface_col_external_ids));
    }
    /* A new port's interface, before ovs-vswitchd has numbered it, or
     * numbered already (listed as numbered). */
    const struct switch_news_port *p = shash_find_data(&news->inserted,
                                                      iface->name);
    return (p && !strcmp(p->type, iface->type)
            && smap_equal(&p->options, &iface->options)
            && smap_equal(&p->iface_ids, &iface->external_ids)
            && !iface->error
            && (!iface->n_ofport || list_numbered(news, iface)));
}

static bool
port_as_written(const struct switch_news *news, const struct ovsrec_port *port)
{
    const struct switch_news_port *p = shash_find_data(&news->inserted,
                                                      port->name);
    return (p && smap_equal(&p->port_ids, &port->external_ids)
            && port->n_interfaces == 1
            && !strcmp(port->interfaces[0]->name, port->name));
}

static bool
bridge_as_written(const struct switch_news *news,
                  const struct ovsrec_bridge *br)
{
    return (news->bridge && !strcmp(br->name, news->bridge)
            && !other_column_updated(&br->header_, &ovsrec_table_bridge,
                                     &ovsrec_bridge_col_ports)
            && br->n_ports == news->bridge_n_ports
            && ports_sum(br) == news->bridge_ports_sum);
}

/* Whether the change of 'row' is ovs-vnetd's own write coming back. */
static bool
as_written(const struct ovsdb_idl_row *row,
           const struct ovsdb_idl_table_class *tc, void *news_)
{
    struct switch_news *news = news_;
    if (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE)) {
        return false;
    }
    bool inserted = ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT);
    if (tc == &ovsrec_table_interface) {
        return iface_as_written(
            news, CONTAINER_OF(row, struct ovsrec_interface, header_),
            inserted);
    } else if (tc == &ovsrec_table_port) {
        return inserted && port_as_written(
            news, CONTAINER_OF(row, struct ovsrec_port, header_));
    } else if (tc == &ovsrec_table_bridge) {
        return !inserted && bridge_as_written(
            news, CONTAINER_OF(row, struct ovsrec_bridge, header_));
    } else if (tc == &ovsrec_table_open_vswitch) {
        /* ovs-vswitchd saying how far it has reconfigured (after any
         * change, with its own next_cfg): no news of itself. */
        return !inserted && !other_column_updated(
            row, &ovsrec_table_open_vswitch, &ovsrec_open_vswitch_col_cur_cfg);
    }
    return false;
}

unsigned int
switch_news_run(struct switch_news *news, struct ovsdb_idl *idl)
{
    /* Numbered interfaces not followed: news now. */
    switch_news_bump(news);
    unsigned int idl_seqno = ovsdb_idl_get_seqno(idl);
    if (idl_seqno != news->idl_seqno) {
        news->idl_seqno = idl_seqno;
        /* Only ovs-vnetd's own writes as written, and interfaces numbered:
         * no news (yet). */
        if (!idl_changes_each(idl, as_written, news)) {
            news->seqno++;
            switch_news_forget(news);
            clear_ofports(news);
        }
    }
    ovsdb_idl_track_clear(idl);
    return news->seqno;
}
