/* The external_ids that ovs-vnet writes on the interfaces of its bridges
 * (switch-db.h): an endpoint's, and its vnet-installed mark; and what was
 * found in place, so that unchanged rows are not looked at again. */
#include <config.h>
#include "controller/switch-db.h"
#include "controller/switch-db-private.h"

#include <stdlib.h>
#include <string.h>

#include "controller/switch-news.h"
#include "hash.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/hmap.h"
#include "ovsdb/names.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "util.h"

/* The vnet-kind that 'want' says, or NULL (a veth or an internal port). */
static const char *
want_kind(const struct switch_db_port *want)
{
    return want->tap ? "tap" : want->trunk ? "trunk" : NULL;
}

/* Whether 'have' says 'value' (not NULL) for 'key'; for a NULL 'value',
 * with 'exact', whether it has no 'key'.  On an endpoint's own port (an
 * iface-id) the kind's keys are exactly what the want says, so that a kind
 * changed in place (through the NB) leaves none of the old kind's: a stale
 * vnet-netns would be cleaned up as the endpoint's after a restart.  A
 * trunk's namespace may not be known yet: its keys are only ever set. */
static bool
key_is(const struct smap *have, const char *key, const char *value,
       bool exact)
{
    const char *v = smap_get(have, key);
    return value ? nullable_string_is_equal(v, value) : !exact || !v;
}

/* Brings 'key' of 'ids' to what key_is() checks. */
static void
set_key(struct smap *ids, const char *key, const char *value, bool exact)
{
    if (value) {
        smap_replace(ids, key, value);
    } else if (exact) {
        smap_remove(ids, key);
    }
}

bool
switch_db_sync_ids(const struct ovsrec_interface *iface,
                   const struct switch_db_port *want, const char *owner,
                   enum mark installed)
{
    /* Mostly all is in place already: look before copying. */
    const struct smap *have = &iface->external_ids;
    bool exact = want && want->iface_id;
    bool same = (installed == MARK_SET
                 ? nullable_string_is_equal(smap_get(have, "vnet-installed"),
                                            "true")
                 : installed == MARK_CLEAR
                 ? !smap_get(have, "vnet-installed")
                 : true);
    if (same && want) {
        same = nullable_string_is_equal(smap_get(have, VNET_EXTID_OWNER),
                                        owner)
               && (!want->iface_id
                   || (nullable_string_is_equal(smap_get(have, "iface-id"),
                                                want->iface_id)
                       && nullable_string_is_equal(
                           smap_get(have, "iface-status"), "active")))
               && (!want->mac
                   || nullable_string_is_equal(smap_get(have, "attached-mac"),
                                               want->mac))
               && key_is(have, "vnet-netns", want->netns, exact)
               && key_is(have, "vnet-kind", want_kind(want), exact);
    }
    if (same) {
        return false;
    }

    struct smap ids;
    smap_clone(&ids, &iface->external_ids);
    if (want) {
        smap_replace(&ids, VNET_EXTID_OWNER, owner);
        if (want->iface_id) {
            smap_replace(&ids, "iface-id", want->iface_id);
            smap_replace(&ids, "iface-status", "active");
        }
        if (want->mac) {
            smap_replace(&ids, "attached-mac", want->mac);
        }
        set_key(&ids, "vnet-netns", want->netns, exact);
        set_key(&ids, "vnet-kind", want_kind(want), exact);
    }
    if (installed == MARK_SET) {
        smap_replace(&ids, "vnet-installed", "true");
    } else if (installed == MARK_CLEAR) {
        smap_remove(&ids, "vnet-installed");
    }

    bool changed = !smap_equal(&ids, &iface->external_ids);
    if (changed) {
        ovsrec_interface_set_external_ids(iface, &ids);
    }
    smap_destroy(&ids);
    return changed;
}

struct switch_db_memo {
    struct hmap ifaces;         /* struct iface_memo, by row UUID. */
};

/* What was found in place on one interface, whose row has not changed
 * since. */
struct iface_memo {
    struct hmap_node node;
    struct uuid uuid;
    bool ids_valid;             /* It has the external_ids of a want whose */
    uint64_t ids;               /* digest (want_digest()) is this; */
    enum mark mark;             /* and its vnet-installed mark is this
                                 * (MARK_KEEP: not known). */
    char *iface_id;             /* Its iface-id (NULL: not known). */
};

static void
iface_memo_free(struct iface_memo *m)
{
    free(m->iface_id);
    free(m);
}

static void
iface_memo_remove(struct switch_db_memo *memo, struct iface_memo *m)
{
    hmap_remove(&memo->ifaces, &m->node);
    iface_memo_free(m);
}

struct switch_db_memo *
switch_db_memo_create(void)
{
    struct switch_db_memo *memo = xmalloc(sizeof *memo);
    hmap_init(&memo->ifaces);
    return memo;
}

void
switch_db_memo_destroy(struct switch_db_memo *memo)
{
    if (memo) {
        struct iface_memo *m;
        HMAP_FOR_EACH_POP (m, node, &memo->ifaces) {
            iface_memo_free(m);
        }
        hmap_destroy(&memo->ifaces);
        free(memo);
    }
}

static struct iface_memo *
iface_memo_find(const struct switch_db_memo *memo, const struct uuid *uuid)
{
    struct iface_memo *m;
    HMAP_FOR_EACH_WITH_HASH (m, node, uuid_hash(uuid), &memo->ifaces) {
        if (uuid_equals(&m->uuid, uuid)) {
            return m;
        }
    }
    return NULL;
}

/* What 'memo' knows of 'iface' (made if need be), or NULL if 'memo' is
 * NULL. */
static struct iface_memo *
iface_memo_get(struct switch_db_memo *memo,
               const struct ovsrec_interface *iface)
{
    if (!memo) {
        return NULL;
    }
    const struct uuid *uuid = &iface->header_.uuid;
    struct iface_memo *m = iface_memo_find(memo, uuid);
    if (!m) {
        m = xzalloc(sizeof *m);
        m->uuid = *uuid;
        m->mark = MARK_KEEP;
        hmap_insert(&memo->ifaces, &m->node, uuid_hash(uuid));
    }
    return m;
}

void
switch_db_memo_forget_changed(struct switch_db_memo *memo,
                              const struct ovsdb_idl *idl)
{
    const struct ovsrec_interface *iface;
    OVSREC_INTERFACE_FOR_EACH_TRACKED (iface, idl) {
        struct iface_memo *m = iface_memo_find(memo, &iface->header_.uuid);
        if (m) {
            iface_memo_remove(memo, m);
        }
    }
}

void
switch_db_memo_prune(struct switch_db_memo *memo, const struct ovsdb_idl *idl,
                     size_t n)
{
    if (!memo || hmap_count(&memo->ifaces) <= 2 * n + 16) {
        return;
    }
    struct iface_memo *m;
    HMAP_FOR_EACH_SAFE (m, node, &memo->ifaces) {
        if (!ovsrec_interface_get_for_uuid(idl, &m->uuid)) {
            iface_memo_remove(memo, m);
        }
    }
}

/* String 's' into digest 'h' (two 32-bit hashes); NULL apart from "". */
static void
digest_string(uint32_t h[2], const char *s)
{
    h[0] = s ? hash_string(s, h[0]) : hash_int(1, h[0]);
    h[1] = s ? hash_string(s, h[1] ^ 0x9e3779b9) : hash_int(2, h[1]);
}

/* Of what switch_db_sync_ids() compares an interface's external_ids with,
 * for 'want' of 'owner'. */
static uint64_t
want_digest(const struct switch_db_port *want, const char *owner)
{
    uint32_t h[2] = { 0, 0 };
    digest_string(h, owner);
    digest_string(h, want->iface_id);
    digest_string(h, want->mac);
    digest_string(h, want->netns);
    h[0] = hash_int(want->tap | (want->trunk << 1), h[0]);
    return ((uint64_t) h[0] << 32) | h[1];
}

bool
switch_db_sync_want_ids(struct switch_db_memo *memo,
                        const struct ovsrec_interface *iface,
                        const struct switch_db_port *want, const char *owner)
{
    struct iface_memo *m = iface_memo_get(memo, iface);
    uint64_t digest = m ? want_digest(want, owner) : 0;
    if (m && m->ids_valid && m->ids == digest) {
        return false;
    }
    bool changed = switch_db_sync_ids(iface, want, owner, MARK_KEEP);
    if (m) {
        /* Written: known again once the database sends it back (a
         * change, which forgets it). */
        m->ids_valid = !changed;
        m->ids = digest;
        if (changed) {
            m->mark = MARK_KEEP;
            free(m->iface_id);
            m->iface_id = NULL;
        }
    }
    return changed;
}

/* Brings the vnet-installed mark of 'iface' to what 'installed' says of its
 * endpoint (switch_db_write_marks()).  Returns true if it wrote it. */
static bool
write_mark(const struct ovsrec_interface *iface,
           const struct switch_db_marks *mk)
{
    struct iface_memo *m = iface_memo_get(mk->memo, iface);
    const char *iface_id = (m && m->iface_id ? m->iface_id
                            : smap_get(&iface->external_ids, "iface-id"));
    if (!iface_id) {
        return false;
    }
    if (m && !m->iface_id) {
        m->iface_id = xstrdup(iface_id);
    }
    enum mark mark = mk->installed(iface_id, mk->aux) ? MARK_SET : MARK_CLEAR;
    if (m && m->mark == mark) {
        return false;
    }
    bool wrote = switch_db_sync_ids(iface, NULL, mk->owner, mark);
    if (m) {
        m->mark = wrote ? MARK_KEEP : mark;
        m->ids_valid &= !wrote;
    }
    if (wrote) {
        switch_news_expect(mk->news, iface);
    }
    return wrote;
}

bool
switch_db_write_marks(struct ovsdb_idl *idl, const char *bridge,
                      const struct switch_db_marks *mk)
{
    bool changed = false;
    const struct ovsrec_bridge *br = switch_db_find_bridge(idl, bridge);
    for (size_t i = 0; br && i < br->n_ports; i++) {
        const struct ovsrec_port *port = br->ports[i];
        if (strcmp(port->name, br->name)) {
            for (size_t j = 0; j < port->n_interfaces; j++) {
                changed |= write_mark(port->interfaces[j], mk);
            }
        }
    }
    return changed;
}

bool
switch_db_write_marks_of(struct ovsdb_idl_index *by_name,
                         const char *const *ifnames, size_t n,
                         const struct switch_db_marks *mk)
{
    bool changed = false;
    for (size_t i = 0; i < n; i++) {
        const struct ovsrec_interface *iface = switch_db_find_iface(
            by_name, ifnames[i]);
        if (iface) {
            changed |= write_mark(iface, mk);
        }
    }
    return changed;
}
