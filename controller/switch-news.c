#include <config.h>
#include "controller/switch-news.h"

#include <string.h>

#include "controller/desired-flows.h"
#include "controller/idl-changes.h"
#include "hash.h"
#include "lib/vswitch-idl.h"
#include "ovsdb/names.h"
#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(switch_news);

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
    news->inserted_sum = 0;
    sset_init(&news->deleted);
    news->deleted_sum = 0;
    news->bridge = NULL;
    news->bridge_n_ports = 0;
    news->bridge_ports_sum = 0;
    news->ofports = NULL;
    news->n_ofports = news->allocated_ofports = 0;
    news->plugged = NULL;
    news->n_plugged = news->allocated_plugged = 0;
    news->own_bridge = NULL;
    news->own_known = false;
    news->own_n_ports = 0;
    news->own_ports_sum = 0;
    news->n_new_ports = news->n_plugged_ports = 0;
    news->new_ports_sum = 0;
    news->unplugged = NULL;
    news->n_unplugged = news->allocated_unplugged = 0;
    news->n_gone_ports = 0;
    news->gone_ports_sum = 0;
    sset_init(&news->unplugged_ports);
    news->summed = NULL;
    news->summed_sum = 0;
}

static void
clear_list(struct switch_news_ofport *list, size_t *n)
{
    for (size_t i = 0; i < *n; i++) {
        free(list[i].ifname);
        free(list[i].iface_id);
    }
    *n = 0;
}

static void
clear_ofports(struct switch_news *news)
{
    clear_list(news->ofports, &news->n_ofports);
    clear_list(news->plugged, &news->n_plugged);
    clear_list(news->unplugged, &news->n_unplugged);
}

void
switch_news_destroy(struct switch_news *news)
{
    switch_news_forget(news);
    clear_ofports(news);
    free(news->ofports);
    free(news->plugged);
    free(news->unplugged);
    sset_destroy(&news->unplugged_ports);
    free(news->own_bridge);
    hmap_destroy(&news->expected);
    shash_destroy(&news->inserted);
    sset_destroy(&news->deleted);
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
    news->inserted_sum += port_name_hash(port->name);
}

void
switch_news_expect_bridge(struct switch_news *news,
                          const struct ovsrec_bridge *br)
{
    free(news->bridge);
    news->bridge = xstrdup(br->name);
    /* (The ports inserted are not among the bridge's yet, and those deleted
     * still are: the IDL shows a partial update of its list once it has
     * committed.) */
    news->bridge_n_ports = (br->n_ports + shash_count(&news->inserted)
                            - sset_count(&news->deleted));
    bool recorded = (news->own_known && !strcmp(br->name, news->own_bridge)
                     && br->n_ports == news->own_n_ports);
    if (recorded && desired_flows_checking()
        && ports_sum(br) != news->own_ports_sum) {
        VLOG_ERR("bridge %s: its ports are not those last read", br->name);
    }
    news->bridge_ports_sum = ((recorded ? news->own_ports_sum : ports_sum(br))
                              + news->inserted_sum - news->deleted_sum);
}

void
switch_news_expect_delete(struct switch_news *news,
                          const struct ovsrec_port *port)
{
    ovs_assert(port->n_interfaces == 1
               && !strcmp(port->interfaces[0]->name, port->name)
               && !shash_find(&news->inserted, port->name));
    if (sset_add(&news->deleted, port->name)) {
        news->deleted_sum += port_name_hash(port->name);
    }
}

bool
switch_news_deleted(const struct switch_news *news, const char *name)
{
    return sset_contains(&news->deleted, name);
}

const struct switch_news_ofport *
switch_news_ofports(const struct switch_news *news, size_t *n)
{
    *n = news->n_ofports;
    return news->ofports;
}

const struct switch_news_ofport *
switch_news_plugged(const struct switch_news *news, size_t *n)
{
    *n = news->n_plugged;
    return news->plugged;
}

const struct switch_news_ofport *
switch_news_unplugged(const struct switch_news *news, size_t *n)
{
    *n = news->n_unplugged;
    return news->unplugged;
}

void
switch_news_set_bridge(struct switch_news *news, const char *bridge)
{
    if (!nullable_string_is_equal(news->own_bridge, bridge)) {
        free(news->own_bridge);
        news->own_bridge = nullable_xstrdup(bridge);
        news->own_known = false;
    }
}

void
switch_news_followed(struct switch_news *news)
{
    clear_list(news->ofports, &news->n_ofports);
}

void
switch_news_plugged_followed(struct switch_news *news)
{
    clear_list(news->plugged, &news->n_plugged);
}

void
switch_news_unplugged_followed(struct switch_news *news)
{
    clear_list(news->unplugged, &news->n_unplugged);
}

unsigned int
switch_news_bump(struct switch_news *news)
{
    if (news->n_ofports || news->n_plugged || news->n_unplugged) {
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
switch_news_expects_writes(const struct switch_news *news)
{
    return ((!shash_is_empty(&news->inserted)
             || !sset_is_empty(&news->deleted))
            && news->bridge);
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
    news->inserted_sum = 0;
    sset_clear(&news->deleted);
    news->deleted_sum = 0;
    free(news->bridge);
    news->bridge = NULL;
}

static void
list_iface(struct switch_news_ofport **list, size_t *n, size_t *allocated,
           const struct ovsrec_interface *iface, int64_t ofport)
{
    if (*n >= *allocated) {
        *list = x2nrealloc(*list, allocated, sizeof **list);
    }
    struct switch_news_ofport *o = &(*list)[(*n)++];
    o->ifname = xstrdup(iface->name);
    o->iface_id = nullable_xstrdup(smap_get(&iface->external_ids,
                                            "iface-id"));
    o->ofport = ofport;
}

static bool
is_numbered(const struct ovsrec_interface *iface)
{
    return iface->n_ofport == 1 && iface->ofport[0] > 0;
}

/* Lists 'iface' in 'news' as numbered, if it has one OpenFlow port above 0;
 * returns whether it did. */
static bool
list_numbered(struct switch_news *news, const struct ovsrec_interface *iface)
{
    if (!is_numbered(iface)) {
        return false;
    }
    list_iface(&news->ofports, &news->n_ofports, &news->allocated_ofports,
               iface, iface->ofport[0]);
    return true;
}

/* Whether 'iface', inserted by someone else, is an interface plugged for
 * an endpoint (with an iface-id, no error) into a port inserted with it;
 * if so, lists it (and as numbered, if it is). */
static bool
list_plugged(struct switch_news *news, const struct ovsrec_interface *iface)
{
    if (!news->n_plugged_ports || !smap_get(&iface->external_ids, "iface-id")
        || iface->error || (iface->n_ofport && !is_numbered(iface))) {
        return false;
    }
    list_iface(&news->plugged, &news->n_plugged, &news->allocated_plugged,
               iface, 0);
    list_numbered(news, iface);
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
            && !idl_row_other_updated(&iface->header_,
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
                && !idl_row_other_updated(&iface->header_,
                                         &ovsrec_table_interface,
                                         &ovsrec_interface_col_external_ids));
    }
    /* A new port's interface, before ovs-vswitchd has numbered it, or
     * numbered already (listed as numbered); or someone else's. */
    const struct switch_news_port *p = shash_find_data(&news->inserted,
                                                      iface->name);
    if (!p) {
        return list_plugged(news, iface);
    }
    return (!strcmp(p->type, iface->type)
            && smap_equal(&p->options, &iface->options)
            && smap_equal(&p->iface_ids, &iface->external_ids)
            && !iface->error
            && (!iface->n_ofport || list_numbered(news, iface)));
}

static bool
port_as_written(const struct switch_news *news, const struct ovsrec_port *port)
{
    if (port->n_interfaces != 1
        || strcmp(port->interfaces[0]->name, port->name)) {
        return false;
    }
    const struct switch_news_port *p = shash_find_data(&news->inserted,
                                                      port->name);
    if (p) {
        return smap_equal(&p->port_ids, &port->external_ids);
    }
    /* Someone else's, with its interface (which is looked at itself); not
     * one that says it is an ovs-vnet switch's (a full run would take it
     * for a stale port of its own). */
    const struct ovsrec_interface *iface = port->interfaces[0];
    return (ovsdb_idl_row_get_seqno(&iface->header_, OVSDB_IDL_CHANGE_INSERT)
            && smap_get(&iface->external_ids, "iface-id")
            && !smap_get(&port->external_ids, VNET_EXTID_OWNER));
}

/* The names' hashes of 'br''s ports added up, kept for record_bridge(). */
static uint64_t
summed(struct switch_news *news, const struct ovsrec_bridge *br)
{
    news->summed = br;
    news->summed_sum = ports_sum(br);
    return news->summed_sum;
}

static bool
bridge_as_written(struct switch_news *news, const struct ovsrec_bridge *br)
{
    if (idl_row_other_updated(&br->header_, &ovsrec_table_bridge,
                              &ovsrec_bridge_col_ports)) {
        return false;
    }
    if (news->n_plugged_ports || !sset_is_empty(&news->unplugged_ports)) {
        /* The ports it listed, and those inserted, but those deleted. */
        return (news->own_known && !strcmp(br->name, news->own_bridge)
                && (br->n_ports == news->own_n_ports + news->n_new_ports
                                   - news->n_gone_ports)
                && summed(news, br) == (news->own_ports_sum
                                        + news->new_ports_sum
                                        - news->gone_ports_sum));
    }
    return (news->bridge && !strcmp(br->name, news->bridge)
            && br->n_ports == news->bridge_n_ports
            && summed(news, br) == news->bridge_ports_sum);
}

/* Whether the Open_vSwitch row 'row' has nothing but cur_cfg updated (or
 * next_cfg, if 'next_too'). */
static bool
only_cfg_updated(const struct ovsdb_idl_row *row, bool next_too)
{
    const struct ovsdb_idl_table_class *tc = &ovsrec_table_open_vswitch;
    for (size_t c = 0; c < tc->n_columns; c++) {
        const struct ovsdb_idl_column *col = &tc->columns[c];
        if (col != &ovsrec_open_vswitch_col_cur_cfg
            && (!next_too || col != &ovsrec_open_vswitch_col_next_cfg)
            && ovsdb_idl_track_is_updated(row, col)) {
            return false;
        }
    }
    return true;
}

/* Whether the change of 'row' is ovs-vnetd's own write coming back. */
static bool
as_written(const struct ovsdb_idl_row *row,
           const struct ovsdb_idl_table_class *tc, void *news_)
{
    struct switch_news *news = news_;
    if (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE)) {
        /* A port deleted, and its interface (gone with it), as recorded.
         * (A row deleted keeps its columns until the changes are
         * cleared.) */
        const char *name = (tc == &ovsrec_table_port
                            ? CONTAINER_OF(row, struct ovsrec_port,
                                           header_)->name
                            : tc == &ovsrec_table_interface
                            ? CONTAINER_OF(row, struct ovsrec_interface,
                                           header_)->name
                            : NULL);
        if (!name || ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT)) {
            return false;
        } else if (sset_contains(&news->deleted, name)) {
            return true;
        }
        /* Someone else's port (counted), and its interface of the same
         * name, with an iface-id: listed. */
        if (tc == &ovsrec_table_port) {
            return sset_contains(&news->unplugged_ports, name);
        }
        const struct ovsrec_interface *iface
            = CONTAINER_OF(row, struct ovsrec_interface, header_);
        if (!sset_contains(&news->unplugged_ports, name)
            || !smap_get(&iface->external_ids, "iface-id")) {
            return false;
        }
        list_iface(&news->unplugged, &news->n_unplugged,
                   &news->allocated_unplugged, iface, 0);
        return true;
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
         * change, with its own next_cfg): no news of itself; nor is the
         * next_cfg that came with a port plugged by someone else, or with
         * ports deleted. */
        return !inserted && only_cfg_updated(
            row, (news->n_plugged_ports || !sset_is_empty(&news->deleted)
                  || !sset_is_empty(&news->unplugged_ports)));
    }
    return false;
}

/* Counts the ports inserted among the changes of 'idl', and those of
 * others among them (into bridge 'own_bridge', known). */
static void
count_new_ports(struct switch_news *news, struct ovsdb_idl *idl)
{
    news->n_new_ports = news->n_plugged_ports = 0;
    news->new_ports_sum = 0;
    news->n_gone_ports = 0;
    news->gone_ports_sum = 0;
    sset_clear(&news->unplugged_ports);
    const struct ovsrec_port *port;
    OVSREC_PORT_FOR_EACH_TRACKED (port, idl) {
        bool inserted = ovsdb_idl_row_get_seqno(&port->header_,
                                                OVSDB_IDL_CHANGE_INSERT);
        bool deleted = ovsrec_port_is_deleted(port);
        if (inserted && !deleted) {
            news->n_new_ports++;
            news->new_ports_sum += port_name_hash(port->name);
            news->n_plugged_ports += !shash_find(&news->inserted, port->name);
        } else if (deleted && !inserted) {
            /* (A row deleted keeps its columns until the changes are
             * cleared.) */
            news->n_gone_ports++;
            news->gone_ports_sum += port_name_hash(port->name);
            if (!sset_contains(&news->deleted, port->name)
                && !smap_get(&port->external_ids, VNET_EXTID_OWNER)) {
                sset_add(&news->unplugged_ports, port->name);
            }
        }
    }
    if (!news->own_known) {
        news->n_plugged_ports = 0;
        sset_clear(&news->unplugged_ports);
    }
}

/* Reads the ports of bridge 'own_bridge' again if it changed. */
static void
record_bridge(struct switch_news *news, struct ovsdb_idl *idl)
{
    if (!news->own_bridge) {
        return;
    }
    const struct ovsrec_bridge *br;
    bool changed = !news->own_known;
    OVSREC_BRIDGE_FOR_EACH_TRACKED (br, idl) {
        changed = (changed || ovsrec_bridge_is_new(br)
                   || ovsrec_bridge_is_deleted(br)
                   || ovsrec_bridge_is_updated(br, OVSREC_BRIDGE_COL_NAME)
                   || (!strcmp(br->name, news->own_bridge)
                       && ovsrec_bridge_is_updated(br,
                                                   OVSREC_BRIDGE_COL_PORTS)));
    }
    if (!changed) {
        return;
    }
    news->own_known = false;
    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (!strcmp(br->name, news->own_bridge)) {
            news->own_known = true;
            news->own_n_ports = br->n_ports;
            news->own_ports_sum = (news->summed == br ? news->summed_sum
                                   : ports_sum(br));
            break;
        }
    }
}

/* as_written(), and the row that is news logged (at debug level). */
static bool
as_written_or_said(const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_table_class *tc, void *news)
{
    if (as_written(row, tc, news)) {
        return true;
    }
    if (VLOG_IS_DBG_ENABLED()) {
        struct ds s = DS_EMPTY_INITIALIZER;
        for (size_t c = 0; c < tc->n_columns; c++) {
            if (ovsdb_idl_track_is_updated(row, &tc->columns[c])) {
                ds_put_format(&s, " %s", tc->columns[c].name);
            }
        }
        VLOG_DBG("news: %s row "UUID_FMT"%s%s%s", tc->name,
                 UUID_ARGS(&row->uuid),
                 (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT)
                  ? " inserted" : ""),
                 (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE)
                  ? " deleted" : ""), ds_cstr(&s));
        ds_destroy(&s);
    }
    return false;
}

unsigned int
switch_news_run(struct switch_news *news, struct ovsdb_idl *idl)
{
    /* Numbered and plugged interfaces not followed: news now. */
    switch_news_bump(news);
    unsigned int idl_seqno = ovsdb_idl_get_seqno(idl);
    if (idl_seqno != news->idl_seqno) {
        news->idl_seqno = idl_seqno;
        count_new_ports(news, idl);
        /* Only ovs-vnetd's own writes as written, and interfaces numbered
         * or plugged: no news (yet). */
        if (!idl_changes_each(idl, as_written_or_said, news)
            || news->n_unplugged != sset_count(&news->unplugged_ports)) {
            /* (Each port unplugged with its interface listed.) */
            news->seqno++;
            switch_news_forget(news);
            clear_ofports(news);
        }
    }
    record_bridge(news, idl);
    news->summed = NULL;
    ovsdb_idl_track_clear(idl);
    return news->seqno;
}
