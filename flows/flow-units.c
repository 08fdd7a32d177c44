#include <config.h>
#include "flows/flow-units.h"

#include <stdlib.h>
#include <string.h>

#include "flows/flow-table.h"
#include "flows/visit-order.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(flow_units);

/* A fingerprint this long or shorter is kept in the unit itself: a pass
 * compares every unit's, and most are a port's or a neighbour's, a few dozen
 * bytes (one cache miss fewer each). */
#define FP_INLINE 40

struct unit {
    struct hmap_node node;      /* In 'units', by key. */
    struct flow_unit_key key;
    unsigned int pass;          /* The last pass that opened it. */
    uint32_t fp_len;
    void *fp;                   /* 'fp_inline', or malloc'd; NULL: none. */
    uint8_t fp_inline[FP_INLINE];
    struct flow_table flows;    /* In the union. */
    struct flow_table fresh;    /* Filled in this pass, if 'filling'. */
    bool filling;
    struct ovs_list fill_node;  /* In 'filling', if 'filling'. */
};

/* One flow key of the union and the units that want it. */
struct contrib {
    const struct unit *unit;
    const struct vnet_flow *flow;
};

struct entry {
    struct hmap_node node;      /* In 'entries', by vnet_flow_hash(). */
    struct vnet_flow *key;      /* Table, priority and match (a copy). */
    struct contrib *c;
    size_t n, allocated;
    const struct vnet_flow *winner;
    bool dirty;
    struct ovs_list dirty_node; /* In 'dirty', if 'dirty'. */
};

struct flow_units {
    struct hmap units;
    struct ovs_list filling;    /* Units filled in this pass. */
    size_t n_opened;            /* Units opened this pass. */
    struct hmap entries;
    size_t n_winners;           /* Entries with a winner: the union's size. */
    struct ovs_list dirty;
    size_t n_dirty;
    unsigned int pass;
    bool patch;                 /* This pass is a patch. */
    bool dropped;               /* It dropped flows from the union. */
    struct flow_units_stats stats;

    /* The order of the units opened: a pass opens mostly the same units in
     * the same order (the objects come in the order of their rows).  Units
     * go only at the end of a pass, and only those it did not open. */
    struct visit_order order;
};

static uint32_t
key_hash(const struct flow_unit_key *k)
{
    return hash_bytes(k, sizeof *k, 0);
}

static int
key_compare(const struct flow_unit_key *a, const struct flow_unit_key *b)
{
    return memcmp(a, b, sizeof *a);
}

struct flow_units *
flow_units_create(void)
{
    struct flow_units *u = xzalloc(sizeof *u);
    hmap_init(&u->units);
    ovs_list_init(&u->filling);
    hmap_init(&u->entries);
    ovs_list_init(&u->dirty);
    visit_order_init(&u->order);
    return u;
}

/* Forgets 'unit''s fingerprint. */
static void
unit_forget_fp(struct unit *unit)
{
    if (unit->fp != unit->fp_inline) {
        free(unit->fp);
    }
    unit->fp = NULL;
    unit->fp_len = 0;
}

static void
unit_set_fp(struct unit *unit, const void *fp, size_t fp_len)
{
    unit_forget_fp(unit);
    unit->fp = (fp_len <= FP_INLINE ? unit->fp_inline
                : xmalloc(fp_len));
    if (fp_len) {
        memcpy(unit->fp, fp, fp_len);
    }
    unit->fp_len = fp_len;
}

static void
unit_destroy(struct unit *unit)
{
    flow_table_destroy(&unit->flows);
    flow_table_destroy(&unit->fresh);
    unit_forget_fp(unit);
    free(unit);
}

static void
entry_destroy(struct entry *e)
{
    vnet_flow_destroy(e->key);
    free(e->c);
    free(e);
}

void
flow_units_destroy(struct flow_units *u)
{
    if (u) {
        struct unit *unit;
        HMAP_FOR_EACH_POP (unit, node, &u->units) {
            unit_destroy(unit);
        }
        hmap_destroy(&u->units);
        struct entry *e;
        HMAP_FOR_EACH_POP (e, node, &u->entries) {
            entry_destroy(e);
        }
        hmap_destroy(&u->entries);
        visit_order_destroy(&u->order);
        free(u);
    }
}

static struct unit *
find_unit(const struct flow_units *u, const struct flow_unit_key *key)
{
    struct unit *unit;
    HMAP_FOR_EACH_WITH_HASH (unit, node, key_hash(key), &u->units) {
        if (!key_compare(&unit->key, key)) {
            return unit;
        }
    }
    return NULL;
}

/* The unit with 'key': the one the order guesses if it is, else the one
 * found by its key. */
static struct unit *
find_next(const struct flow_units *u, const struct flow_unit_key *key)
{
    struct unit *guess = visit_order_guess(&u->order);
    return (guess && !key_compare(&guess->key, key) ? guess
            : find_unit(u, key));
}

static struct entry *
find_entry(const struct flow_units *u, const struct vnet_flow *like,
           uint32_t hash)
{
    struct entry *e;
    HMAP_FOR_EACH_WITH_HASH (e, node, hash, &u->entries) {
        if (vnet_flow_same_key(e->key, like)) {
            return e;
        }
    }
    return NULL;
}

static void
mark_dirty(struct flow_units *u, struct entry *e)
{
    if (!e->dirty) {
        e->dirty = true;
        ovs_list_push_back(&u->dirty, &e->dirty_node);
        u->n_dirty++;
    }
}

/* The winner of 'e': the contribution of the unit with the greatest key. */
static void
elect(struct flow_units *u, struct entry *e)
{
    const struct vnet_flow *best = NULL;
    const struct unit *best_unit = NULL;
    for (size_t i = 0; i < e->n; i++) {
        if (!best_unit || key_compare(&e->c[i].unit->key,
                                      &best_unit->key) > 0) {
            best_unit = e->c[i].unit;
            best = e->c[i].flow;
        }
    }
    if (best != e->winner) {
        /* A new winner with the same cookie and actions changes nothing on
         * the switch, but the consumer compares anyway. */
        u->n_winners += (best != NULL) - (e->winner != NULL);
        e->winner = best;
        mark_dirty(u, e);
    }
}

static void
union_add(struct flow_units *u, const struct unit *unit,
          const struct vnet_flow *f)
{
    uint32_t hash = vnet_flow_hash(f);
    struct entry *e = find_entry(u, f, hash);
    if (!e) {
        e = xzalloc(sizeof *e);
        e->key = vnet_flow_clone(f);
        hmap_insert(&u->entries, &e->node, hash);
    }
    if (e->n >= e->allocated) {
        e->c = x2nrealloc(e->c, &e->allocated, sizeof *e->c);
    }
    e->c[e->n++] = (struct contrib) { .unit = unit, .flow = f };
    elect(u, e);
}

static void
union_remove(struct flow_units *u, const struct unit *unit,
             const struct vnet_flow *f)
{
    struct entry *e = find_entry(u, f, vnet_flow_hash(f));
    if (!e) {
        return;
    }
    for (size_t i = 0; i < e->n; i++) {
        if (e->c[i].unit == unit && e->c[i].flow == f) {
            e->c[i] = e->c[--e->n];
            break;
        }
    }
    elect(u, e);
    /* An entry without contributors stays until its removal was taken. */
}

static void
unit_unlink(struct flow_units *u, struct unit *unit)
{
    struct vnet_flow *f;
    FLOW_TABLE_FOR_EACH (f, &unit->flows) {
        union_remove(u, unit, f);
    }
}

void
flow_units_begin(struct flow_units *u)
{
    u->pass++;
    u->patch = false;
    u->n_opened = 0;
    visit_order_begin(&u->order);
    memset(&u->stats, 0, sizeof u->stats);
}

void
flow_units_begin_patch(struct flow_units *u)
{
    u->pass++;
    u->patch = true;
    u->dropped = false;
    u->n_opened = 0;
    memset(&u->stats, 0, sizeof u->stats);
}

void
flow_units_drop(struct flow_units *u, const struct flow_unit_key *key)
{
    struct unit *unit = find_unit(u, key);
    if (unit && (unit->fp || unit->filling)) {
        /* Emptied, and gone at the end of the next full pass (which will not
         * open it): the order of the last one may still name it. */
        if (unit->filling) {
            ovs_list_remove(&unit->fill_node);
            unit->filling = false;
            flow_table_clear(&unit->fresh);
        }
        /* (Its flows leave the union: a change, even where they were
         * dirty already.) */
        u->dropped |= flow_table_count(&unit->flows) > 0;
        unit_unlink(u, unit);
        flow_table_clear(&unit->flows);
        unit_forget_fp(unit);
        u->stats.n_removed++;
    }
}

struct flow_table *
flow_units_open(struct flow_units *u, const struct flow_unit_key *key,
                const void *fp, size_t fp_len)
{
    struct unit *unit = u->patch ? find_unit(u, key) : find_next(u, key);
    /* A unit is opened once a pass: its key names it.  Two objects that the
     * checks upstream let through with one key (a bug) must not take the
     * controller down: the first keeps its flows. */
    if (unit && unit->pass == u->pass) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 5);
        VLOG_ERR_RL(&rl, "flow unit %"PRIu32"/%08"PRIx32"/%08"PRIx32"/%08"
                    PRIx32" opened twice in one pass: the second is left out",
                    key->kind, key->a, key->b, key->c);
        return NULL;
    }
    if (!unit) {
        unit = xzalloc(sizeof *unit);
        unit->key = *key;
        flow_table_init(&unit->flows);
        flow_table_init(&unit->fresh);
        hmap_insert(&u->units, &unit->node, key_hash(key));
    }
    if (!u->patch) {
        visit_order_visit(&u->order, unit);
    }
    if (unit->fp && unit->fp_len == fp_len
        && (!fp_len || !memcmp(unit->fp, fp, fp_len))) {
        unit->pass = u->pass;
        u->n_opened++;
        return NULL;
    }
    unit->pass = u->pass;
    u->n_opened++;
    unit_set_fp(unit, fp, fp_len);
    if (!unit->filling) {
        unit->filling = true;
        ovs_list_push_back(&u->filling, &unit->fill_node);
    }
    flow_table_clear(&unit->fresh);
    u->stats.n_generated++;
    return &unit->fresh;
}

bool
flow_units_end(struct flow_units *u)
{
    size_t before = u->n_dirty;
    struct unit *unit;
    if (u->patch) {
        /* The units a patch did not open stay. */
    } else if (u->n_opened != hmap_count(&u->units)) {
        /* Units this pass did not open go. */
        HMAP_FOR_EACH_SAFE (unit, node, &u->units) {
            if (unit->pass != u->pass) {
                if (unit->filling) {
                    ovs_list_remove(&unit->fill_node);
                }
                unit_unlink(u, unit);
                hmap_remove(&u->units, &unit->node);
                unit_destroy(unit);
                u->stats.n_removed++;
            }
        }
    }
    if (!u->patch) {
        visit_order_end(&u->order);
    }
    /* (The union's winners do not depend on the order.) */
    LIST_FOR_EACH_POP (unit, fill_node, &u->filling) {
        unit_unlink(u, unit);
        flow_table_swap(&unit->flows, &unit->fresh);
        flow_table_clear(&unit->fresh);
        unit->filling = false;
        struct vnet_flow *f;
        FLOW_TABLE_FOR_EACH (f, &unit->flows) {
            union_add(u, unit, f);
        }
    }
    u->stats.n_units = hmap_count(&u->units);
    bool dropped = u->patch && u->dropped;
    u->dropped = false;
    return u->n_dirty != before || dropped;
}

void
flow_units_forget(struct flow_units *u)
{
    struct unit *unit;
    HMAP_FOR_EACH (unit, node, &u->units) {
        unit_forget_fp(unit);
    }
}

size_t
flow_units_n_entries(const struct flow_units *u)
{
    return hmap_count(&u->entries);
}

size_t
flow_units_count(const struct flow_units *u)
{
    return u->n_winners;
}

const struct vnet_flow *
flow_units_find(const struct flow_units *u, const struct vnet_flow *like)
{
    return flow_units_find_hashed(u, like, vnet_flow_hash(like));
}

const struct vnet_flow *
flow_units_find_hashed(const struct flow_units *u,
                       const struct vnet_flow *like, uint32_t hash)
{
    const struct entry *e = find_entry(u, like, hash);
    return e ? e->winner : NULL;
}

void
flow_units_for_each(const struct flow_units *u, flow_units_cb *cb, void *aux)
{
    const struct entry *e;
    HMAP_FOR_EACH (e, node, &u->entries) {
        if (e->winner) {
            cb(e->winner, aux);
        }
    }
}

void
flow_units_take_dirty(struct flow_units *u, flow_units_cb *cb, void *aux)
{
    struct entry *e;
    LIST_FOR_EACH_POP (e, dirty_node, &u->dirty) {
        e->dirty = false;
        if (cb) {
            cb(e->key, aux);
        }
        if (!e->n) {
            hmap_remove(&u->entries, &e->node);
            entry_destroy(e);
        }
    }
    u->n_dirty = 0;
}

size_t
flow_units_n_dirty(const struct flow_units *u)
{
    return u->n_dirty;
}

static void
copy_flow(const struct vnet_flow *f, void *out)
{
    flow_table_insert(out, vnet_flow_clone(f));
}

void
flow_units_to_table(const struct flow_units *u, struct flow_table *out)
{
    flow_units_for_each(u, copy_flow, out);
}

void
flow_units_finish_into(struct flow_units *u, struct flow_table *out)
{
    flow_units_end(u);
    flow_units_to_table(u, out);
    flow_units_destroy(u);
}

void
flow_units_get_stats(const struct flow_units *u,
                     struct flow_units_stats *stats)
{
    *stats = u->stats;
}
