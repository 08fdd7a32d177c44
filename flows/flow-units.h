/* The desired flows of one bridge, kept in units, so that a change costs work
 * in proportion to what changed.
 *
 * A unit is the flows that one piece of input makes: one port's port security
 * and forwarding, one network's flooding, one router's pipeline.  A generator
 * opens each unit it would fill, giving its key (which unit) and a
 * fingerprint of everything its flows are made from.  If the unit was filled
 * in the last pass with the same fingerprint, it is kept as it is and the
 * generator skips it; otherwise the generator gets an empty table to fill,
 * whose flows replace the unit's old ones.  Units not opened in a pass are
 * gone at its end.
 *
 * The union of all units is the desired flow table.  Where two units want the
 * same flow (table, priority and match), the unit with the greater key wins,
 * whatever the order of opening, so a pass that regenerates everything makes
 * the same union as one that regenerates only what changed: the test mode of
 * ovs-vnetd compares the two.  Every flow of the union whose winner changed is
 * marked dirty until the consumer (the installer) takes the marks. */
#ifndef VNET_FLOW_UNITS_H
#define VNET_FLOW_UNITS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"

#ifdef __cplusplus
extern "C" {
#endif

struct flow_table;
struct vnet_flow;

/* Which unit: what it is (a generator's own numbering) and up to three
 * numbers that name the object (NB row ids, a segment, a chunk index). */
struct flow_unit_key {
    uint32_t kind;
    uint32_t a, b, c;
};

struct flow_units *flow_units_create(void);
void flow_units_destroy(struct flow_units *);

/* Starts a pass. */
void flow_units_begin(struct flow_units *);

/* Opens unit 'key', whose flows are made from 'fp' ('fp_len' bytes, which
 * must say everything the flows depend on).  Returns NULL if the unit is as
 * the last pass left it (nothing to generate), else an empty table for its
 * flows, owned by 'units'.  A unit is opened once a pass (a second open of
 * its key logs an error and returns NULL). */
struct flow_table *flow_units_open(struct flow_units *,
                                   const struct flow_unit_key *,
                                   const void *fp, size_t fp_len);

/* Ends a pass: removes the units it did not open, and brings the union up to
 * date.  Returns true if the union changed. */
bool flow_units_end(struct flow_units *);

/* A patch: a pass that opens only the units of what changed and keeps the
 * others as they are.  flow_units_begin_patch() starts it; units are opened
 * as in a pass (each at most once), and flow_units_drop() takes a unit's
 * flows out of the union at once (the unit itself goes at the end of the next
 * full pass, unless that one opens it); flow_units_end() ends it, keeping
 * the units it did not open.  The order of the units is left as the last
 * full pass found it. */
void flow_units_begin_patch(struct flow_units *);
void flow_units_drop(struct flow_units *, const struct flow_unit_key *);

/* Forgets every fingerprint, so that the next pass generates every unit
 * again (the union and its dirty marks are kept right). */
void flow_units_forget(struct flow_units *);

/* The union. */
size_t flow_units_count(const struct flow_units *);
/* The entries kept: the union, and flows no unit has any more whose removal
 * the installer has not taken yet (flow_units_take_dirty()). */
size_t flow_units_n_entries(const struct flow_units *);
const struct vnet_flow *flow_units_find(const struct flow_units *,
                                        const struct vnet_flow *like);
/* The same with 'like''s hash known (vnet_flow_table_hash()). */
const struct vnet_flow *flow_units_find_hashed(const struct flow_units *,
                                               const struct vnet_flow *like,
                                               uint32_t hash);

/* Calls 'cb' for every flow of the union. */
typedef void flow_units_cb(const struct vnet_flow *, void *aux);
void flow_units_for_each(const struct flow_units *, flow_units_cb *,
                         void *aux);

/* The flows whose winner changed since the marks were last taken: calls 'cb'
 * with each one's key (a flow with its table, priority and match; its
 * actions mean nothing) and clears the marks. */
void flow_units_take_dirty(struct flow_units *, flow_units_cb *, void *aux);
size_t flow_units_n_dirty(const struct flow_units *);

/* Copies the union into 'out' (a fresh table). */
void flow_units_to_table(const struct flow_units *, struct flow_table *out);

/* Ends the pass of 'units' (made for it), copies the union into 'out' and
 * destroys 'units': for callers that want all the flows at once. */
void flow_units_finish_into(struct flow_units *, struct flow_table *out);

/* Fingerprints are raw bytes, built in a struct ds. */
/* Appends the 'n' bytes at 'p' to fingerprint 'ds' ('p' may be NULL when 'n'
 * is 0, as for an empty array). */
static inline void
flow_fp_put(struct ds *ds, const void *p, size_t n)
{
    if (n) {
        ds_put_buffer(ds, (const char *) p, n);
    }
}

#define FLOW_FP_PUT(DS, VALUE) \
    do { \
        __typeof__(VALUE) v_ = (VALUE); \
        ds_put_buffer(DS, (const char *) &v_, sizeof v_); \
    } while (0)

/* Statistics of the last pass. */
struct flow_units_stats {
    size_t n_units;
    size_t n_generated;         /* Units filled anew in the last pass. */
    size_t n_removed;           /* Units gone at the end of it. */
};
void flow_units_get_stats(const struct flow_units *, struct flow_units_stats *);

#ifdef __cplusplus
}
#endif

#endif /* flows/flow-units.h */
