/* Binding's parts that its files share (controller/binding.c,
 * controller/binding-memos.c, controller/binding-endpoints.c,
 * controller/binding-patch.c). */
#ifndef VNET_BINDING_PRIVATE_H
#define VNET_BINDING_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>

#include "controller/binding.h"
#include "openvswitch/hmap.h"
#include "ovsdb/addr.h"
#include "ovsdb/endpoint.h"
#include "uuid.h"

struct binding_row;
struct net_info;
struct vnetrec_endpoint;
struct vnetrec_network;

/* What binding keeps of an endpoint row from run to run (struct
 * binding_memos). */
struct binding_memo {
    struct hmap_node node;      /* In binding_memos 'map', by row UUID. */
    struct uuid uuid;
    uint64_t version;           /* The row's, when worked out, */
    bool has_version;           /* if there were versions then, */
    uint64_t batch;             /* as of this batch of the NB's changes
                                 * (nb_news_endpoint_version_since()). */
    bool filled;                /* Worked out at all. */
    unsigned int run;           /* The last run that found the row. */
    bool accepted;              /* That run gave it its addresses. */
    /* The IDL row that run found (only fetched ahead: it may be gone). */
    const struct vnetrec_endpoint *row;

    /* Of the row alone. */
    bool pending;               /* ovs-vnetd has yet to fill it in. */
    bool created;               /* vnet_endpoint_is_created(). */
    bool here;                  /* Created on this switch. */
    bool tap, internal, trunk;  /* Its type. */
    uint32_t name_hash;         /* hash_string(name, 0). */
    uint32_t netns_hash;        /* hash_string(netns, 0), 0 if none. */
    char ifname[VNET_PORT_NAME_SIZE];
    char trunk_port[VNET_PORT_NAME_SIZE];       /* If 'trunk'. */
    char *host;                 /* vnet_endpoint_switch_name() (malloc'd),
                                 * or NULL; */
    bool host_here;             /* if it is this switch. */

    /* Of the row and its network's prefix and gateway. */
    bool has_addresses;         /* Worked out for 'cidr' and 'gateway'. */
    struct vnet_cidr cidr;
    unsigned int gateway;
    char *error;                /* Why its addresses are wrong, or NULL. */
    bool has_ip, has_mac;
    uint32_t ip;
    uint8_t mac[6];

    /* Its endpoint's state (binding_endpoint()), while no state was freed
     * since (struct binding_endpoints 'forgotten'), or NULL. */
    struct binding_endpoint *state;
    uint64_t state_forgotten;
};

/* The memo of row 'ep' for run 'memos->runs', up to date with the row (its
 * addresses are not: see memo_addresses_hold()). */
struct binding_memo *memo_get(struct binding_memos *,
                              const struct binding_ctx_in *,
                              const struct vnetrec_endpoint *ep);

/* The same outside a run's walk of the rows (binding_patch()): its order is
 * left as it is. */
struct binding_memo *memo_get_alone(struct binding_memos *,
                                    const struct binding_ctx_in *,
                                    const struct vnetrec_endpoint *ep);

/* The memo of the row with 'uuid', or NULL. */
struct binding_memo *memo_find(const struct binding_memos *,
                               const struct uuid *uuid);

/* Works out into 'm' what follows from row 'ep' alone. */
void memo_fill_row(struct binding_memo *m, const struct binding_ctx_in *,
                   const struct vnetrec_endpoint *ep);

/* Whether the addresses in 'm' were worked out for the prefix and gateway of
 * network 'ni'; else memo_fill_addresses() works them out. */
bool memo_addresses_hold(const struct binding_memo *m,
                         const struct net_info *ni);
void memo_fill_addresses(struct binding_memo *m,
                         const struct vnetrec_endpoint *ep,
                         const struct net_info *ni);

/* The test mode (desired_flows_checking()): logs an error if memo 'm' of
 * 'ep' does not say what one worked out afresh says (its addresses too if
 * 'ni', its network, is given). */
void memo_check(const struct binding_memo *m, const struct binding_ctx_in *,
                const struct vnetrec_endpoint *ep, const struct net_info *ni);

/* Forgets what a run finds afresh of 'be' (see binding_endpoints_begin()),
 * if 'run' has not yet (controller/binding-endpoints.c). */
void endpoint_begin(struct binding_endpoint *be, unsigned int run);

/* binding_endpoint() for a 'name' whose hash_string(name, 0) is 'hash'. */
struct binding_endpoint *binding_endpoint_hashed(
    struct binding_endpoints *, const char *name, uint32_t hash);

/* Fills 'w' with what to attach of endpoint 'ep' (valid, served here) with
 * memo 'm', in network 'ni' (controller/binding.c).  Its strings are 'ep''s
 * and 'm''s. */
struct attach_want;
void want_fill(const struct binding_ctx_in *, const struct vnetrec_endpoint *ep,
               const struct binding_memo *m, const struct net_info *ni,
               bool tx_csum, struct attach_want *w);

/* The state of want 'i' of 'w' (controller/binding.c). */
struct binding_endpoint *binding_want_state(const struct binding_wants *w,
                                            size_t i,
                                            struct binding_endpoints *);

/* Which endpoint has an IP or a MAC in a network, or the first 32 bits of
 * a row UUID (anywhere: they name its host interface and flows). */
enum addr_kind { ADDR_IP, ADDR_MAC, ADDR_OBJECT };
struct addr_owner {
    struct hmap_node node;
    const struct vnetrec_network *net;  /* NULL: any (ADDR_OBJECT). */
    enum addr_kind kind;
    uint64_t value;
    const struct binding_row *row;      /* While collecting. */
    struct binding_memo *memo;          /* Of 'row', or of a patch's row. */
    unsigned int n_claims;      /* Rows that claimed it in the last run. */
};

/* The owners of the addresses, in 'map': those of a run taken from 'pool'
 * (room for every address of every row), those of a patch from 'extras'
 * (each malloc'd).  Kept from one run to the next for binding_patch(), if
 * 'valid'. */
struct binding_owners {
    struct hmap map;
    struct addr_owner *pool;
    size_t n;
    struct addr_owner **extras;
    size_t n_extras, allocated_extras;
    bool valid;
};

uint32_t owner_hash(const struct vnetrec_network *, enum addr_kind,
                    uint64_t value);
/* The owner of 'value' of 'kind' in network 'net' (NULL for ADDR_OBJECT),
 * or NULL. */
struct addr_owner *find_owner(const struct hmap *owners,
                              const struct vnetrec_network *net,
                              enum addr_kind kind, uint64_t value);

/* Frees the owners of the addresses in 'memos' (controller/binding.c). */
void binding_owners_destroy(struct binding_memos *);

/* Forgets the memos of rows the current run did not find (after the run's
 * memo_get() calls and visit_order_end() of the memos' order). */
void memos_sweep(struct binding_memos *);

#endif /* controller/binding-private.h */
