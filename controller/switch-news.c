#include <config.h>
#include "controller/switch-news.h"

#include "controller/idl-changes.h"
#include "lib/vswitch-idl.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "util.h"
#include "uuid.h"

/* An interface whose external_ids ovs-vnetd wrote, as it wrote them. */
struct switch_news_row {
    struct hmap_node node;      /* In struct switch_news 'expected'. */
    struct uuid uuid;
    struct smap external_ids;
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
}

void
switch_news_destroy(struct switch_news *news)
{
    switch_news_forget(news);
    hmap_destroy(&news->expected);
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
switch_news_forget(struct switch_news *news)
{
    struct switch_news_row *r;
    HMAP_FOR_EACH_SAFE (r, node, &news->expected) {
        remove_expected(news, r);
    }
}

static bool
as_written(const struct ovsdb_idl_row *row, void *news_)
{
    const struct switch_news *news = news_;
    const struct ovsrec_interface *iface
        = CONTAINER_OF(row, struct ovsrec_interface, header_);
    const struct switch_news_row *r = find_expected(news, &row->uuid);
    return r && smap_equal(&r->external_ids, &iface->external_ids);
}

unsigned int
switch_news_run(struct switch_news *news, struct ovsdb_idl *idl)
{
    unsigned int idl_seqno = ovsdb_idl_get_seqno(idl);
    if (idl_seqno != news->idl_seqno) {
        news->idl_seqno = idl_seqno;
        /* Only interfaces' external_ids as written: no news. */
        if (!idl_changes_only(idl, &ovsrec_interface_col_external_ids,
                              as_written, news)) {
            news->seqno++;
            switch_news_forget(news);
        }
    }
    ovsdb_idl_track_clear(idl);
    return news->seqno;
}
