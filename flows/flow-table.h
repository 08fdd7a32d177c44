/* A set of OpenFlow flows: what ovs-vnet wants on a bridge (desired) or what the
 * bridge has (installed, read back with a flow dump).
 *
 * A flow is identified by table, priority and match, as OpenFlow identifies it;
 * its cookie and actions are what may differ between desired and installed.
 * Generators add flows as text in ovs-ofctl syntax, parsed by the OVS library,
 * so what a generator writes reads like what `ovs-ofctl dump-flows` prints. */
#ifndef VNET_FLOW_TABLE_H
#define VNET_FLOW_TABLE_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "openvswitch/match.h"

#ifdef __cplusplus
extern "C" {
#endif

struct ofpact;

struct vnet_flow {
    struct hmap_node node;      /* In struct flow_table. */
    uint8_t table_id;
    uint16_t priority;
    struct minimatch match;
    uint64_t cookie;
    struct ofpact *ofpacts;
    size_t ofpacts_len;
    char *actions;              /* 'ofpacts' formatted, once needed (NULL
                                 * until then: vnet_flow_actions()). */
    bool unchecked;             /* Decoded from a switch, its actions not
                                 * yet checked against its match: see
                                 * vnet_flow_actions_equal().  (Not to be
                                 * encoded with its actions until then: the
                                 * check's notes choose encodings.) */
};

struct flow_table {
    struct hmap flows;
};

void flow_table_init(struct flow_table *);
void flow_table_destroy(struct flow_table *);
void flow_table_clear(struct flow_table *);
void flow_table_swap(struct flow_table *, struct flow_table *);
size_t flow_table_count(const struct flow_table *);

/* Adds a flow parsed from 'format' (ovs-ofctl add-flow syntax, with table and
 * priority; without cookie) with 'cookie'.  A flow with the same table,
 * priority and match replaces the older one.  Returns NULL, or a malloc'd
 * parse error (caller frees). */
char *flow_table_add(struct flow_table *, uint64_t cookie,
                     const char *format, ...) OVS_PRINTF_FORMAT(3, 4);

char *flow_table_addv(struct flow_table *, uint64_t cookie, const char *format,
                      va_list) OVS_PRINTF_FORMAT(3, 0);

/* Like flow_table_add(), for generators that add many flows: the first parse
 * error goes into '*error' (if it is NULL), later ones are dropped. */
void flow_table_addf(struct flow_table *, char **error, uint64_t cookie,
                     const char *format, ...) OVS_PRINTF_FORMAT(4, 5);

/* Adds a copy of a flow given in parts, as decoded from a flow dump: its
 * actions have not been through Open vSwitch's check against the match,
 * which vnet_flow_actions_equal() runs on it if it needs to. */
void flow_table_add_parts(struct flow_table *, uint8_t table_id,
                          uint16_t priority, const struct match *,
                          uint64_t cookie, const struct ofpact *ofpacts,
                          size_t ofpacts_len);

struct vnet_flow *flow_table_find(const struct flow_table *,
                                  const struct vnet_flow *like);
/* The same with 'like''s hash (vnet_flow_hash()) known: a flow that is in a
 * table has it in vnet_flow_table_hash(). */
struct vnet_flow *flow_table_find_hashed(const struct flow_table *,
                                         const struct vnet_flow *like,
                                         uint32_t hash);

/* The hash of 'f', a flow that is in a table of flows (whose node holds it):
 * spares working it out again in another table's lookup. */
static inline uint32_t
vnet_flow_table_hash(const struct vnet_flow *f)
{
    return f->node.hash;
}

/* Inserts 'f' (taking ownership), replacing a flow with the same key. */
void flow_table_insert(struct flow_table *, struct vnet_flow *f);
/* Takes 'f' out of the table (the caller owns it then). */
void flow_table_remove(struct flow_table *, struct vnet_flow *f);

/* A flow's key is its table, priority and match. */
uint32_t vnet_flow_hash(const struct vnet_flow *);
bool vnet_flow_same_key(const struct vnet_flow *, const struct vnet_flow *);
struct vnet_flow *vnet_flow_clone(const struct vnet_flow *);
void vnet_flow_destroy(struct vnet_flow *);

/* 'f''s actions formatted as ovs-ofctl prints them (made on first use and
 * kept with the flow).  The string is 'f''s: a comparison that checks 'f''s
 * actions (vnet_flow_actions_equal()) frees it, so it is not to be held
 * across one. */
const char *vnet_flow_actions(const struct vnet_flow *f);

/* Zeroes what Open vSwitch leaves unwritten in 'ofpacts' (the rounding of a
 * set_field's value and mask).  Every flow of a table has had it done. */
void ofpacts_zero_padding(struct ofpact *ofpacts, size_t ofpacts_len);

/* True if 'a' and 'b' are byte for byte the same actions, apart from the
 * wire action each was decoded from: the same actions parsed here and
 * decoded from a switch (both with their padding zeroed) compare equal. */
bool ofpacts_equal_but_raw(const struct ofpact *a, size_t a_len,
                           const struct ofpact *b, size_t b_len);

/* True if the actions of 'a' and 'b' are equal but for their 'raw'
 * (ofpacts_equal_but_raw()).  What the switch holds went through Open
 * vSwitch's check of the actions against the match when it took the flow,
 * as what the parser gives does: the check notes in the actions what the
 * match and the actions before them say (whether a packet has a VLAN tag at
 * a set_field, for one), which a dump's decoder leaves out.  Where the bytes
 * differ, a decoded flow ('unchecked') has the check run on it once, and its
 * bytes are compared again.  (The check costs an audit more than the
 * comparison: most flows are equal without it.) */
bool vnet_flow_actions_equal(const struct vnet_flow *a,
                             const struct vnet_flow *b);

/* True if 'a' and 'b' have the same cookie and actions.  (Actions parsed
 * here and decoded from a switch may differ in their encoding but not in
 * what they do: where vnet_flow_actions_equal() finds them different, their
 * texts are compared.) */
bool vnet_flow_same_result(const struct vnet_flow *a,
                           const struct vnet_flow *b);

/* Formats the flows one per line, sorted, as "cookie=0x.. table=N priority=P
 * MATCH actions=ACTIONS" (malloc'd; caller frees). */
char *flow_table_format(const struct flow_table *);

#define FLOW_TABLE_FOR_EACH(FLOW, TABLE) \
    HMAP_FOR_EACH (FLOW, node, &(TABLE)->flows)

#ifdef __cplusplus
}
#endif

#endif /* flows/flow-table.h */
