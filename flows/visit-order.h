/* The order in which a pass visited objects, kept to guess the next one in
 * the next pass.
 *
 * A pass over many objects (the flow units of every port, the memos of
 * every endpoint row) finds each by its key in a map: a cache miss or two
 * for the map's bucket before the object's own.  Passes visit mostly the
 * same objects in the same order (that of their rows), so the object after
 * the last one found is tried first.  One more object, or one left out,
 * costs one lookup; then the order is followed again.
 *
 * The objects must outlive the pass that visited them and the next one's
 * guesses: a user frees objects only between visit_order_end() and the next
 * visit_order_begin(), and only those the pass did not visit. */
#ifndef VNET_VISIT_ORDER_H
#define VNET_VISIT_ORDER_H 1

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct visit_order {
    void **last;                /* The last whole pass's visits. */
    size_t n_last, allocated_last;
    void **now;                 /* This pass's, so far. */
    size_t n_now, allocated_now;
    size_t cursor;              /* In 'last': the guess. */
};

void visit_order_init(struct visit_order *);
void visit_order_destroy(struct visit_order *);

/* Starts a pass (one that did not end is forgotten). */
void visit_order_begin(struct visit_order *);

/* The object the pass will likely visit next, or NULL. */
static inline void *
visit_order_guess(const struct visit_order *vo)
{
    return vo->cursor < vo->n_last ? vo->last[vo->cursor] : NULL;
}

/* The object the pass will likely visit 'k' visits after the next one (0:
 * visit_order_guess()), or NULL. */
static inline void *
visit_order_ahead(const struct visit_order *vo, size_t k)
{
    return vo->cursor + k < vo->n_last ? vo->last[vo->cursor + k] : NULL;
}

/* Records that the pass visits 'object' (the guess or another). */
void visit_order_visit(struct visit_order *, void *object);

/* Ends a pass: its order is what the next one guesses from. */
void visit_order_end(struct visit_order *);

#ifdef __cplusplus
}
#endif

#endif /* flows/visit-order.h */
