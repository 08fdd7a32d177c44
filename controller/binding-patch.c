/* Changes of endpoint rows followed without a run of binding_collect()
 * (binding_patch() in controller/binding.h). */
#include <config.h>
#include "controller/binding.h"
#include "controller/binding-private.h"

#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "openvswitch/hmap.h"
#include "ovsdb/vnet-idl.h"
#include "util.h"

/* An address of one of binding_patch()'s changes. */
struct patch_addr {
    struct hmap_node node;
    const struct vnetrec_network *net;
    enum addr_kind kind;
    uint64_t value;
};

/* Adds the addresses of a memo 'm' (valid, of network 'net') to 'out'
 * (ADDR_OBJECT + 1 of them at most) and returns how many. */
static size_t
memo_addrs(const struct binding_memo *m, const struct vnetrec_network *net,
           struct patch_addr out[ADDR_OBJECT + 1])
{
    size_t n = 0;
    if (m->has_ip) {
        out[n++] = (struct patch_addr) { .net = net, .kind = ADDR_IP,
                                         .value = m->ip };
    }
    if (m->has_mac) {
        uint64_t v = 0;
        for (int i = 0; i < 6; i++) {
            v = (v << 8) | m->mac[i];
        }
        out[n++] = (struct patch_addr) { .net = net, .kind = ADDR_MAC,
                                         .value = v };
    }
    out[n++] = (struct patch_addr) { .kind = ADDR_OBJECT,
                                     .value = m->uuid.parts[0] };
    return n;
}

/* Adds 'a' to the addresses 'seen' of a patch's changes ('pool' has room);
 * returns false if it is there already. */
static bool
patch_addr_once(struct hmap *seen, struct patch_addr *a)
{
    uint32_t hash = owner_hash(a->net, a->kind, a->value);
    const struct patch_addr *b;
    HMAP_FOR_EACH_WITH_HASH (b, node, hash, seen) {
        if (b->net == a->net && b->kind == a->kind && b->value == a->value) {
            return false;
        }
    }
    hmap_insert(seen, &a->node, hash);
    return true;
}

static void
memo_neighbor(const struct binding_memo *m, struct lan_neighbor *n)
{
    n->object = m->uuid.parts[0];
    memcpy(n->mac, m->mac, 6);
    n->ip = m->ip;
}

/* Whether memo 'm' gives its row addresses to claim, in network 'ni'. */
static bool
memo_claims(const struct binding_memo *m, const struct net_info *ni)
{
    return !m->pending && memo_addresses_hold(m, ni) && !m->error;
}

/* Phase one of binding_patch(): whether change 'c' can be followed alone,
 * 'seen' holding the addresses of the changes before it (and room in
 * 'pool' for its own).  Fills in its out part. */
static bool
patch_check(const struct binding_memos *memos,
            const struct binding_ctx_in *in, struct binding_change *c,
            struct hmap *seen, struct patch_addr pool[2 * (ADDR_OBJECT + 1)])
{
    const struct binding_owners *owners = memos->owners;
    const struct vnetrec_network *net = c->ni.row;
    const struct binding_memo *m = memo_find(memos, &c->row->header_.uuid);
    size_t n = 0;
    c->had_neighbor = c->has_neighbor = false;
    c->had_mac = c->has_mac = false;
    if (!c->inserted) {
        /* What it had is what the last run (or patch) found. */
        /* (One served here: behind a trunk, or with a veth, an internal
         * port or a tap of its own.) */
        if (!m || m->run != memos->runs || m->here != c->here
            || (c->here && (m->pending || !m->accepted))
            || (!m->pending && !memo_addresses_hold(m, &c->ni))) {
            return false;
        }
        if (m->accepted) {
            size_t k = memo_addrs(m, net, &pool[n]);
            for (size_t i = 0; i < k; i++) {
                const struct patch_addr *a = &pool[n + i];
                const struct addr_owner *o = find_owner(&owners->map, a->net,
                                                        a->kind, a->value);
                if (!o || o->memo != m || o->n_claims != 1
                    || !patch_addr_once(seen, &pool[n + i])) {
                    return false;
                }
            }
            n += k;
            c->had_neighbor = m->has_ip && m->has_mac;
            c->had_mac = m->has_mac;
            memo_neighbor(m, &c->old);
        } else if (memo_claims(m, &c->ni)) {
            return false;       /* Another row has what it claimed. */
        }
    }
    if (!c->deleted) {
        struct binding_memo t;
        memset(&t, 0, sizeof t);
        t.uuid = c->row->header_.uuid;
        memo_fill_row(&t, in, c->row);
        /* One served here: behind a trunk or with a veth or an internal
         * port of its own, in a namespace, or a tap; filled in. */
        bool ok = (t.here == c->here
                   && (!c->here || (!t.pending
                                    && (c->row->netns || t.tap)
                                    && !in->offload_local)));
        if (ok && !t.pending) {
            memo_fill_addresses(&t, c->row, &c->ni);
        }
        if (ok && c->here) {
            /* With its addresses, to be attached (else it is in error). */
            ok = memo_claims(&t, &c->ni) && t.has_ip && t.has_mac;
        }
        if (ok && memo_claims(&t, &c->ni)) {
            size_t k = memo_addrs(&t, net, &pool[n]);
            for (size_t i = 0; i < k && ok; i++) {
                struct patch_addr *a = &pool[n + i];
                const struct addr_owner *o = find_owner(&owners->map, a->net,
                                                        a->kind, a->value);
                /* Its own, if updated, is in 'seen' already. */
                bool own = o && m && o->memo == m && m->accepted;
                ok = (!o || own) && (own || patch_addr_once(seen, a));
            }
            c->has_neighbor = t.has_ip && t.has_mac;
            c->has_mac = t.has_mac;
            memo_neighbor(&t, &c->now);
        }
        free(t.error);
        free(t.host);
        return ok;
    }
    return true;
}

/* Makes 'm' the owner of its addresses (in network 'net'). */
static void
patch_claim(struct binding_owners *owners, struct binding_memo *m,
            const struct vnetrec_network *net)
{
    struct patch_addr addrs[ADDR_OBJECT + 1];
    size_t k = memo_addrs(m, net, addrs);
    for (size_t i = 0; i < k; i++) {
        struct addr_owner *o = xzalloc(sizeof *o);
        o->net = addrs[i].net;
        o->kind = addrs[i].kind;
        o->value = addrs[i].value;
        o->memo = m;
        o->n_claims = 1;
        hmap_insert(&owners->map, &o->node,
                    owner_hash(o->net, o->kind, o->value));
        if (owners->n_extras >= owners->allocated_extras) {
            owners->extras = x2nrealloc(owners->extras,
                                        &owners->allocated_extras,
                                        sizeof *owners->extras);
        }
        owners->extras[owners->n_extras++] = o;
    }
}

/* Takes from 'm' the addresses it has (in network 'net'). */
static void
patch_release(struct binding_owners *owners, struct binding_memo *m,
              const struct vnetrec_network *net)
{
    struct patch_addr addrs[ADDR_OBJECT + 1];
    size_t k = memo_addrs(m, net, addrs);
    for (size_t i = 0; i < k; i++) {
        struct addr_owner *o = find_owner(&owners->map, addrs[i].net,
                                          addrs[i].kind, addrs[i].value);
        if (o && o->memo == m) {
            hmap_remove(&owners->map, &o->node);
        }
    }
    m->accepted = false;
}

bool
binding_patch(struct binding_memos *memos, const struct binding_ctx_in *in,
              struct binding_change *changes, size_t n)
{
    struct binding_owners *owners = memos->owners;
    if (!owners || !owners->valid || !memos->runs) {
        return false;
    }
    struct hmap seen = HMAP_INITIALIZER(&seen);
    struct patch_addr (*pool)[2 * (ADDR_OBJECT + 1)]
        = xmalloc(MAX(n, 1) * sizeof *pool);
    bool ok = true;
    for (size_t i = 0; i < n && ok; i++) {
        ok = patch_check(memos, in, &changes[i], &seen, pool[i]);
    }
    hmap_destroy(&seen);
    free(pool);
    if (!ok) {
        return false;
    }

    for (size_t i = 0; i < n; i++) {
        struct binding_change *c = &changes[i];
        const struct vnetrec_network *net = c->ni.row;
        if (!c->inserted) {
            struct binding_memo *m = memo_find(memos, &c->row->header_.uuid);
            if (m->accepted) {
                patch_release(owners, m, net);
            }
        }
        if (!c->deleted) {
            struct binding_memo *m = memo_get_alone(memos, in, c->row);
            m->run = memos->runs;
            m->accepted = false;
            if (!m->pending) {
                if (!memo_addresses_hold(m, &c->ni)) {
                    memo_fill_addresses(m, c->row, &c->ni);
                }
                if (!m->error) {
                    patch_claim(owners, m, net);
                    m->accepted = true;
                }
                if (c->here) {
                    want_fill(in, c->row, m, &c->ni, in->tx_csum, &c->want);
                }
            }
        }
    }
    return true;
}
