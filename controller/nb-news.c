#include <config.h>
#include "controller/nb-news.h"

#include "controller/idl-changes.h"
#include "ovsdb-idl.h"
#include "hash.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/vnet-idl.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

/* The columns ovs-vnetd writes and need not wake it up. */
static const struct ovsdb_idl_column *const quiet_columns[] = {
    &vnetrec_vnet_global_col_controller_cfg,
    &vnetrec_switch_col_connected,
    &vnetrec_switch_col_datapath_id,
    &vnetrec_switch_col_of_state,
    &vnetrec_switch_col_last_error,
    &vnetrec_switch_col_applied_cfg,
    &vnetrec_switch_col_status,
    &vnetrec_endpoint_col_ofport,
    &vnetrec_endpoint_col_up,
    &vnetrec_endpoint_col_last_error,
    &vnetrec_endpoint_col_status,
};

static bool
is_quiet(const struct ovsdb_idl_column *column)
{
    for (size_t i = 0; i < ARRAY_SIZE(quiet_columns); i++) {
        if (quiet_columns[i] == column) {
            return true;
        }
    }
    return false;
}

void
nb_news_register(struct ovsdb_idl *idl)
{
    for (size_t i = 0; i < ARRAY_SIZE(quiet_columns); i++) {
        ovsdb_idl_omit_alert(idl, quiet_columns[i]);
    }
    /* Tracking a column turns its alerts on: only the others. */
    for (size_t t = 0; t < vnetrec_idl_class.n_tables; t++) {
        const struct ovsdb_idl_table_class *tc = &vnetrec_idl_class.tables[t];
        for (size_t c = 0; c < tc->n_columns; c++) {
            if (!is_quiet(&tc->columns[c])) {
                ovsdb_idl_track_add_column(idl, &tc->columns[c]);
            }
        }
    }
}

void
nb_news_init(struct nb_news *news)
{
    news->idl_seqno = 0;
    news->datapaths = 0;
    news->seqno = 1;
    news->batch = 0;
    hmap_init(&news->versions);
    for (size_t i = 0; i < NB_NEWS_RECENT; i++) {
        uuidset_init(&news->recent[i]);
    }
    news->endpoints_by_name = NULL;
    news->endpoints_by_switch = NULL;
    news->endpoints_by_location = NULL;
    news->switches_by_name = NULL;
}

void
nb_news_index(struct nb_news *news, struct ovsdb_idl *idl)
{
    news->endpoints_by_switch = ovsdb_idl_index_create2(
        idl, &vnetrec_endpoint_col_network, &vnetrec_endpoint_col_switch_);
    news->endpoints_by_location = ovsdb_idl_index_create2(
        idl, &vnetrec_endpoint_col_network, &vnetrec_endpoint_col_location);
    news->switches_by_name = ovsdb_idl_index_create1(
        idl, &vnetrec_switch_col_name);
}

/* Calls 'cb' with 'aux' for the rows equal to 'key' in 'index' that
 * ovs-vnetd creates (or, with !'created', the others) until it returns
 * true; returns whether one did.  Destroys 'key'. */
static bool
endpoints_equal(struct ovsdb_idl_index *index, struct vnetrec_endpoint *key,
                bool created,
                bool (*cb)(const struct vnetrec_endpoint *, const void *),
                const void *aux)
{
    bool found = false;
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH_EQUAL (ep, key, index) {
        if (vnet_endpoint_is_created(ep) == created && cb(ep, aux)) {
            found = true;
            break;
        }
    }
    vnetrec_endpoint_index_destroy_row(key);
    return found;
}

bool
nb_news_endpoints_on(const struct nb_news *news,
                     const struct vnetrec_network *net,
                     const char *switch_name,
                     bool (*cb)(const struct vnetrec_endpoint *,
                                const void *aux),
                     const void *aux)
{
    if (!news->endpoints_by_switch || !net || !switch_name) {
        return false;
    }

    /* Those ovs-vnetd creates are where their switch column says. */
    struct vnetrec_switch *sw_key
        = vnetrec_switch_index_init_row(news->switches_by_name);
    vnetrec_switch_index_set_name(sw_key, switch_name);
    const struct vnetrec_switch *sw
        = vnetrec_switch_index_find(news->switches_by_name, sw_key);
    vnetrec_switch_index_destroy_row(sw_key);
    if (sw) {
        struct vnetrec_endpoint *key
            = vnetrec_endpoint_index_init_row(news->endpoints_by_switch);
        vnetrec_endpoint_index_set_network(key, net);
        vnetrec_endpoint_index_set_switch_(key, sw);
        if (endpoints_equal(news->endpoints_by_switch, key, true, cb, aux)) {
            return true;
        }
    }

    /* The others (logical ports) where their location says. */
    struct vnetrec_endpoint *key
        = vnetrec_endpoint_index_init_row(news->endpoints_by_location);
    vnetrec_endpoint_index_set_network(key, net);
    vnetrec_endpoint_index_set_location(key, switch_name);
    return endpoints_equal(news->endpoints_by_location, key, false, cb, aux);
}

const struct vnetrec_endpoint *
nb_news_endpoint_by_name(const struct nb_news *news, const char *name)
{
    if (!news->endpoints_by_name) {
        return NULL;
    }
    struct vnetrec_endpoint *key
        = vnetrec_endpoint_index_init_row(news->endpoints_by_name);
    vnetrec_endpoint_index_set_name(key, name);
    const struct vnetrec_endpoint *ep
        = vnetrec_endpoint_index_find(news->endpoints_by_name, key);
    vnetrec_endpoint_index_destroy_row(key);
    return ep;
}

struct row_version {
    struct hmap_node node;      /* In nb_news 'versions', by UUID. */
    struct uuid uuid;
    uint64_t version;
};

void
nb_news_destroy(struct nb_news *news)
{
    struct row_version *rv;
    HMAP_FOR_EACH_POP (rv, node, &news->versions) {
        free(rv);
    }
    hmap_destroy(&news->versions);
    for (size_t i = 0; i < NB_NEWS_RECENT; i++) {
        uuidset_destroy(&news->recent[i]);
    }
}

static struct row_version *
find_version(const struct nb_news *news, const struct uuid *uuid)
{
    struct row_version *rv;
    HMAP_FOR_EACH_WITH_HASH (rv, node, uuid_hash(uuid), &news->versions) {
        if (uuid_equals(&rv->uuid, uuid)) {
            return rv;
        }
    }
    return NULL;
}

uint64_t
nb_news_endpoint_version(const struct nb_news *news,
                         const struct vnetrec_endpoint *ep)
{
    const struct row_version *rv = find_version(news, &ep->header_.uuid);
    return rv ? rv->version : 0;
}

uint64_t
nb_news_endpoint_version_since(const struct nb_news *news,
                               const struct vnetrec_endpoint *ep,
                               uint64_t *batch, uint64_t version)
{
    bool same = (*batch <= news->batch
                 && news->batch - *batch <= NB_NEWS_RECENT);
    for (uint64_t b = *batch + 1; same && b <= news->batch; b++) {
        same = !uuidset_contains(&news->recent[b % NB_NEWS_RECENT],
                                 &ep->header_.uuid);
    }
    *batch = news->batch;
    return same ? version : nb_news_endpoint_version(news, ep);
}

/* Gives every tracked Endpoint row a new version; a deleted one is
 * forgotten first (a row deleted and inserted again with the same UUID in
 * one run is two tracked rows). */
static void
note_endpoint_versions(struct nb_news *news, struct ovsdb_idl *idl)
{
    const struct vnetrec_endpoint *ep;
    bool any = false;
    VNETREC_ENDPOINT_FOR_EACH_TRACKED (ep, idl) {
        any = true;
        if (vnetrec_endpoint_is_deleted(ep)) {
            struct row_version *rv = find_version(news, &ep->header_.uuid);
            if (rv) {
                hmap_remove(&news->versions, &rv->node);
                free(rv);
            }
        }
    }
    if (!any) {
        return;
    }
    news->batch++;
    struct uuidset *recent = &news->recent[news->batch % NB_NEWS_RECENT];
    uuidset_clear(recent);
    VNETREC_ENDPOINT_FOR_EACH_TRACKED (ep, idl) {
        uuidset_insert(recent, &ep->header_.uuid);
        if (!vnetrec_endpoint_is_deleted(ep)) {
            struct row_version *rv = find_version(news, &ep->header_.uuid);
            if (!rv) {
                rv = xmalloc(sizeof *rv);
                rv->uuid = ep->header_.uuid;
                hmap_insert(&news->versions, &rv->node,
                            uuid_hash(&rv->uuid));
            }
            rv->version = news->batch;
        }
    }
}

/* A hash of every switch's datapath type, as its status reports it (in
 * any order of the rows). */
static uint32_t
hash_datapaths(struct ovsdb_idl *idl)
{
    uint32_t hash = 0;
    const struct vnetrec_switch *sw;
    VNETREC_SWITCH_FOR_EACH (sw, idl) {
        const char *dp = smap_get_def(&sw->status, VNET_STATUS_DATAPATH_TYPE,
                                      "");
        hash += hash_string(dp, uuid_hash(&sw->header_.uuid));
    }
    return hash;
}

static bool
is_created(const struct ovsdb_idl_row *row, void *aux OVS_UNUSED)
{
    return vnet_endpoint_is_created(
        CONTAINER_OF(row, struct vnetrec_endpoint, header_));
}

/* True if the tracked changes of 'idl' are locations of endpoints that
 * ovs-vnetd creates, and nothing else. */
static bool
only_created_locations(struct ovsdb_idl *idl)
{
    return idl_changes_only(idl, &vnetrec_endpoint_col_location, is_created,
                            NULL);
}

unsigned int
nb_news_run(struct nb_news *news, struct ovsdb_idl *idl)
{
    unsigned int idl_seqno = ovsdb_idl_get_seqno(idl);
    news->prev_seqno = news->seqno;
    news->datapaths_changed = false;
    note_endpoint_versions(news, idl);
    if (idl_seqno != news->idl_seqno) {
        news->idl_seqno = idl_seqno;
        /* A sequence number moved with nothing tracked (a new connection's
         * first reply, a lock granted) is news too. */
        if (!only_created_locations(idl)) {
            news->seqno++;
        }
    }
    uint32_t datapaths = hash_datapaths(idl);
    if (datapaths != news->datapaths) {
        news->datapaths = datapaths;
        news->datapaths_changed = true;
        news->seqno++;
    }
    return news->seqno;
}

void
nb_news_clear(struct ovsdb_idl *idl)
{
    ovsdb_idl_track_clear(idl);
}
