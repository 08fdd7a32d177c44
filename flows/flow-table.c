#include <config.h>
#include "flows/flow-table.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "coverage.h"
#include "hash.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-print.h"
#include "sset.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(flow_table);

COVERAGE_DEFINE(flow_actions_bytes_equal);
COVERAGE_DEFINE(flow_actions_text_compared);
COVERAGE_DEFINE(flow_actions_checked);

void
flow_table_init(struct flow_table *t)
{
    hmap_init(&t->flows);
}

static char *
format_actions(const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    struct ofpact_format_params fp = { .s = &s };
    ofpacts_format(ofpacts, ofpacts_len, &fp);
    return ds_steal_cstr(&s);
}

/* Zeroes the bytes of 'ofpacts' that Open vSwitch leaves unwritten: a
 * set_field's value and mask are each rounded up to 8 bytes of which only
 * the field's own are written, by the parser and the decoder alike. */
void
ofpacts_zero_padding(struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct ofpact *a;
    OFPACT_FOR_EACH_FLATTENED (a, ofpacts, ofpacts_len) {
        if (a->type != OFPACT_SET_FIELD) {
            continue;
        }
        struct ofpact_set_field *sf = ofpact_get_SET_FIELD(a);
        size_t n = sf->field->n_bytes;
        size_t rounded = ROUND_UP(n, OFPACT_ALIGNTO);
        uint8_t *value = (uint8_t *) sf->value;
        uint8_t *end = (uint8_t *) a + a->len;
        if (n == rounded || value + 2 * rounded > end) {
            continue;           /* (Nothing to zero, or not that layout.) */
        }
        memset(value + n, 0, rounded - n);
        memset(value + rounded + n, 0, rounded - n);
    }
}

/* True if 'a' and 'b' are the same bytes but for each action's 'raw', the
 * wire action Open vSwitch's decoder noted it came from (where the parser
 * notes none, or the name it was given: pop_vlan or strip_vlan), which
 * changes nothing of what the actions do.  Actions are laid out in the order
 * of their addresses, nested ones after their container's fixed part, so the
 * bytes between two actions' 'raw' are compared in order and 'b' is read
 * only where its layout has matched 'a''s so far. */
bool
ofpacts_equal_but_raw(const struct ofpact *a, size_t a_len,
                      const struct ofpact *b, size_t b_len)
{
    if (a_len != b_len) {
        return false;
    }
    const uint8_t *pa = (const uint8_t *) a;
    const uint8_t *pb = (const uint8_t *) b;
    size_t done = 0;
    const struct ofpact *x;
    OFPACT_FOR_EACH_FLATTENED (x, a, a_len) {
        size_t raw = (const uint8_t *) x - pa + offsetof(struct ofpact, raw);
        if (memcmp(pa + done, pb + done, raw - done)) {
            return false;
        }
        done = raw + 1;
    }
    return !memcmp(pa + done, pb + done, a_len - done);
}

void
vnet_flow_destroy(struct vnet_flow *f)
{
    minimatch_destroy(&f->match);
    free(f->actions);
    free(f->ofpacts);
    free(f);
}

void
flow_table_clear(struct flow_table *t)
{
    struct vnet_flow *f;
    HMAP_FOR_EACH_POP (f, node, &t->flows) {
        vnet_flow_destroy(f);
    }
}

void
flow_table_destroy(struct flow_table *t)
{
    if (t) {
        flow_table_clear(t);
        hmap_destroy(&t->flows);
    }
}

void
flow_table_swap(struct flow_table *a, struct flow_table *b)
{
    hmap_swap(&a->flows, &b->flows);
}

size_t
flow_table_count(const struct flow_table *t)
{
    return hmap_count(&t->flows);
}

uint32_t
vnet_flow_hash(const struct vnet_flow *f)
{
    return minimatch_hash(&f->match, hash_2words(f->table_id, f->priority));
}

bool
vnet_flow_same_key(const struct vnet_flow *a, const struct vnet_flow *b)
{
    return a->table_id == b->table_id && a->priority == b->priority
           && minimatch_equal(&a->match, &b->match);
}

struct vnet_flow *
vnet_flow_clone(const struct vnet_flow *f)
{
    struct vnet_flow *c = xzalloc(sizeof *c);
    c->table_id = f->table_id;
    c->priority = f->priority;
    minimatch_clone(&c->match, &f->match);
    c->cookie = f->cookie;
    c->ofpacts = xmemdup(f->ofpacts, f->ofpacts_len);
    c->ofpacts_len = f->ofpacts_len;
    c->actions = nullable_xstrdup(f->actions);
    c->unchecked = f->unchecked;
    return c;
}

struct vnet_flow *
flow_table_find_hashed(const struct flow_table *t,
                       const struct vnet_flow *like, uint32_t hash)
{
    struct vnet_flow *f;
    HMAP_FOR_EACH_WITH_HASH (f, node, hash, &t->flows) {
        if (vnet_flow_same_key(f, like)) {
            return f;
        }
    }
    return NULL;
}

struct vnet_flow *
flow_table_find(const struct flow_table *t, const struct vnet_flow *like)
{
    return flow_table_find_hashed(t, like, vnet_flow_hash(like));
}

void
flow_table_insert(struct flow_table *t, struct vnet_flow *f)
{
    uint32_t hash = vnet_flow_hash(f);
    struct vnet_flow *old = flow_table_find_hashed(t, f, hash);
    if (old) {
        hmap_remove(&t->flows, &old->node);
        vnet_flow_destroy(old);
    }
    hmap_insert(&t->flows, &f->node, hash);
}

void
flow_table_remove(struct flow_table *t, struct vnet_flow *f)
{
    hmap_remove(&t->flows, &f->node);
}

char *
flow_table_add(struct flow_table *t, uint64_t cookie, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *error = flow_table_addv(t, cookie, format, args);
    va_end(args);
    return error;
}

char *
flow_table_addv(struct flow_table *t, uint64_t cookie, const char *format,
                va_list args)
{
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *s = xvasprintf(format, args);

    char *error = parse_ofp_flow_mod_str(&fm, s, NULL, NULL, OFPFC_ADD,
                                         &usable);
    if (error) {
        char *msg = xasprintf("%s: %s", s, error);
        free(error);
        free(s);
        return msg;
    }
    free(s);

    struct vnet_flow *f = xzalloc(sizeof *f);
    f->table_id = fm.table_id == 0xff ? 0 : fm.table_id;
    f->priority = fm.priority;
    f->match = fm.match;                /* Takes ownership. */
    f->cookie = cookie;
    f->ofpacts = fm.ofpacts;            /* Takes ownership. */
    f->ofpacts_len = fm.ofpacts_len;
    ofpacts_zero_padding(f->ofpacts, f->ofpacts_len);
    flow_table_insert(t, f);
    return NULL;
}

void
flow_table_addf(struct flow_table *t, char **error, uint64_t cookie,
                const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *e = flow_table_addv(t, cookie, format, args);
    va_end(args);

    if (e && !*error) {
        *error = e;
    } else {
        free(e);
    }
}

void
flow_table_add_parts(struct flow_table *t, uint8_t table_id, uint16_t priority,
                     const struct match *match, uint64_t cookie,
                     const struct ofpact *ofpacts, size_t ofpacts_len)
{
    struct vnet_flow *f = xzalloc(sizeof *f);
    f->table_id = table_id;
    f->priority = priority;
    minimatch_init(&f->match, match);
    f->cookie = cookie;
    f->ofpacts = xmemdup(ofpacts, ofpacts_len);
    f->ofpacts_len = ofpacts_len;
    ofpacts_zero_padding(f->ofpacts, f->ofpacts_len);
    f->unchecked = true;
    flow_table_insert(t, f);
}

const char *
vnet_flow_actions(const struct vnet_flow *f_)
{
    struct vnet_flow *f = CONST_CAST(struct vnet_flow *, f_);
    if (!f->actions) {
        f->actions = format_actions(f->ofpacts, f->ofpacts_len);
    }
    return f->actions;
}

/* Runs Open vSwitch's check of 'f''s actions against its match, if 'f' was
 * decoded and has not had it.  Returns true if it ran.  (The switch took
 * the flow: an error changes nothing here.) */
static bool
vnet_flow_check_actions(const struct vnet_flow *f_)
{
    struct vnet_flow *f = CONST_CAST(struct vnet_flow *, f_);
    if (!f->unchecked) {
        return false;
    }
    struct match match;
    minimatch_expand(&f->match, &match);
    struct ofpact_check_params cp = {
        .match = &match,
        .max_ports = OFPP_MAX,
        .table_id = f->table_id,
        .n_tables = 255,
    };
    ofpacts_check(f->ofpacts, f->ofpacts_len, &cp);
    f->unchecked = false;
    free(f->actions);           /* (Made from the actions before.) */
    f->actions = NULL;
    COVERAGE_INC(flow_actions_checked);
    return true;
}

bool
vnet_flow_actions_equal(const struct vnet_flow *a, const struct vnet_flow *b)
{
    if (ofpacts_equal_but_raw(a->ofpacts, a->ofpacts_len,
                              b->ofpacts, b->ofpacts_len)) {
        return true;
    }
    bool checked = vnet_flow_check_actions(a);
    checked |= vnet_flow_check_actions(b);
    return checked && ofpacts_equal_but_raw(a->ofpacts, a->ofpacts_len,
                                            b->ofpacts, b->ofpacts_len);
}

bool
vnet_flow_same_result(const struct vnet_flow *a, const struct vnet_flow *b)
{
    if (a->cookie != b->cookie) {
        return false;
    }
    if (vnet_flow_actions_equal(a, b)) {
        COVERAGE_INC(flow_actions_bytes_equal);
        return true;            /* (The same encoding says the same.) */
    }
    COVERAGE_INC(flow_actions_text_compared);
    return !strcmp(vnet_flow_actions(a), vnet_flow_actions(b));
}

char *
flow_table_format(const struct flow_table *t)
{
    struct sset lines = SSET_INITIALIZER(&lines);
    const struct vnet_flow *f;

    FLOW_TABLE_FOR_EACH (f, t) {
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "table=%d priority=%d ", f->table_id, f->priority);
        minimatch_format(&f->match, NULL, NULL, &s, OFP_DEFAULT_PRIORITY);
        ds_put_format(&s, " actions=%s", vnet_flow_actions(f));
        ds_put_format(&s, " cookie=0x%"PRIx64, f->cookie);
        sset_add(&lines, ds_cstr(&s));
        ds_destroy(&s);
    }

    struct ds out = DS_EMPTY_INITIALIZER;
    const char **sorted = sset_sort(&lines);
    for (size_t i = 0; i < sset_count(&lines); i++) {
        ds_put_format(&out, "%s\n", sorted[i]);
    }
    free(sorted);
    sset_destroy(&lines);
    return ds_steal_cstr(&out);
}
