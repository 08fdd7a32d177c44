#include <config.h>
#include "flows/visit-order.h"

#include <string.h>

#include "util.h"

void
visit_order_init(struct visit_order *vo)
{
    memset(vo, 0, sizeof *vo);
}

void
visit_order_destroy(struct visit_order *vo)
{
    free(vo->last);
    free(vo->now);
}

void
visit_order_begin(struct visit_order *vo)
{
    vo->n_now = 0;
    vo->cursor = 0;
}

/* How many guesses ahead of the pass an object's first two cache lines are
 * fetched: the pass's work between two visits hides the fetch, which would
 * otherwise be a cache miss a visit once the objects outgrow the caches. */
#define PREFETCH_AHEAD 8

void
visit_order_visit(struct visit_order *vo, void *object)
{
    if (vo->cursor < vo->n_last && vo->last[vo->cursor] == object) {
        vo->cursor++;
    } else if (vo->cursor + 1 < vo->n_last
               && vo->last[vo->cursor + 1] == object) {
        vo->cursor += 2;        /* The guess is left out this pass. */
    }
    if (vo->cursor + PREFETCH_AHEAD < vo->n_last) {
        const char *ahead = vo->last[vo->cursor + PREFETCH_AHEAD];
        OVS_PREFETCH(ahead);
        OVS_PREFETCH(ahead + CACHE_LINE_SIZE);
    }
    if (vo->n_now >= vo->allocated_now) {
        vo->now = x2nrealloc(vo->now, &vo->allocated_now, sizeof *vo->now);
    }
    vo->now[vo->n_now++] = object;
}

void
visit_order_end(struct visit_order *vo)
{
    void **last = vo->last;
    size_t allocated_last = vo->allocated_last;
    vo->last = vo->now;
    vo->n_last = vo->n_now;
    vo->allocated_last = vo->allocated_now;
    vo->now = last;
    vo->n_now = 0;
    vo->allocated_now = allocated_last;
    vo->cursor = 0;
}
