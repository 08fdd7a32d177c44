/* The endpoint states of a switch (struct binding_endpoints): what a run
 * finds of each endpoint (its error, port and trunk), what is reported of
 * it (binding_report(), binding_refresh_up()), and the changes to report. */
#include <config.h>
#include "controller/binding.h"
#include "controller/binding-private.h"

#include <inttypes.h>
#include <stdlib.h>

#include "controller/desired-flows.h"
#include "controller/shash-hashed.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/list.h"
#include "coverage.h"
#include "hash.h"
#include "hmapx.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(binding_endpoints);

COVERAGE_DEFINE(binding_refresh_all);

void
endpoint_begin(struct binding_endpoint *be, unsigned int run)
{
    if (be->run != run) {
        be->run = run;
        binding_endpoint_set_error(be, NULL);
        be->status.ofport = 0;
        be->trunk = false;
        binding_endpoint_set_ifname(be, NULL);
    }
}

struct binding_endpoint *
binding_endpoint_hashed(struct binding_endpoints *endpoints, const char *name,
                        uint32_t hash)
{
    struct binding_endpoint *be = shash_find_data_hashed(&endpoints->map,
                                                         name, hash);
    if (be) {
        endpoint_begin(be, endpoints->run);
    } else {
        be = xzalloc(sizeof *be);
        be->run = endpoints->run;
        shash_add(&endpoints->map, name, be);
    }
    return be;
}

struct binding_endpoint *
binding_endpoint(struct binding_endpoints *endpoints, const char *name)
{
    return binding_endpoint_hashed(endpoints, name, hash_string(name, 0));
}

bool
binding_endpoint_awaits_ofport(const struct binding_endpoint *be)
{
    return (!be->trunk && !be->waiting && !be->kept && !be->status.ofport
            && !be->bound_ofport
            && (!be->error || !strcmp(be->error, BINDING_NO_OFPORT)));
}

void
binding_endpoint_set_ifname(struct binding_endpoint *be, const char *ifname)
{
    if (!nullable_string_is_equal(be->ifname, ifname)) {
        free(be->ifname);
        be->ifname = nullable_xstrdup(ifname);
    }
}

void
binding_endpoints_take_marks(struct binding_endpoints *endpoints)
{
    sset_clear(&endpoints->marks_changed);
    endpoints->marks_all = false;
}

/* An OpenFlow port that endpoints are bound to (in struct
 * binding_endpoints 'by_ofport'): one, or those behind a trunk. */
struct binding_port {
    struct hmap_node node;      /* By hash_uint64(ofport). */
    int64_t ofport;
    struct ovs_list endpoints;  /* struct binding_endpoint 'ofport_node's. */
};

static struct binding_port *
port_find(const struct binding_endpoints *endpoints, int64_t ofport)
{
    struct binding_port *p;
    HMAP_FOR_EACH_WITH_HASH (p, node, hash_uint64(ofport),
                             &endpoints->by_ofport) {
        if (p->ofport == ofport) {
            return p;
        }
    }
    return NULL;
}

/* Records that 'be' is bound to OpenFlow port 'ofport' (0 or less: none). */
static void
set_bound_ofport(struct binding_endpoints *endpoints,
                 struct binding_endpoint *be, int64_t ofport)
{
    if (be->bound_ofport > 0) {
        struct binding_port *p = port_find(endpoints, be->bound_ofport);
        ovs_list_remove(&be->ofport_node);
        if (ovs_list_is_empty(&p->endpoints)) {
            hmap_remove(&endpoints->by_ofport, &p->node);
            free(p);
        }
    }
    be->bound_ofport = ofport;
    if (ofport > 0) {
        struct binding_port *p = port_find(endpoints, ofport);
        if (!p) {
            p = xmalloc(sizeof *p);
            p->ofport = ofport;
            ovs_list_init(&p->endpoints);
            hmap_insert(&endpoints->by_ofport, &p->node, hash_uint64(ofport));
        }
        ovs_list_push_back(&p->endpoints, &be->ofport_node);
    }
}

bool
binding_endpoints_port_up(const struct binding_endpoints *endpoints,
                          int64_t ofport)
{
    const struct binding_port *p = port_find(endpoints, ofport);
    if (!p) {
        return false;
    }
    /* (Behind a trunk: whether any endpoint there is up.) */
    const struct binding_endpoint *be;
    LIST_FOR_EACH (be, ofport_node, &p->endpoints) {
        if (be->status.up) {
            return true;
        }
    }
    return false;
}

void
binding_endpoints_all_marks_due(struct binding_endpoints *endpoints)
{
    endpoints->marks_all = true;
}

void
binding_endpoint_set_error(struct binding_endpoint *be, const char *error)
{
    if (!nullable_string_is_equal(be->error, error)) {
        free(be->error);
        be->error = nullable_xstrdup(error);
    }
    be->status.error = be->error;
}

void
binding_endpoints_init(struct binding_endpoints *endpoints)
{
    shash_init(&endpoints->map);
    hmap_init(&endpoints->by_ofport);
    endpoints->run = 0;
    sset_init(&endpoints->changed);
    endpoints->forgotten = 0;
    hmapx_init(&endpoints->not_up);
    endpoints->n_up = 0;
    endpoints->up_gen = 0;
    sset_init(&endpoints->marks_changed);
    endpoints->marks_all = true;
}

/* Notes endpoint 'name' in 'endpoints''s changes if its status is not as
 * last noted. */
static void
note_status(struct binding_endpoints *endpoints, const char *name,
            struct binding_endpoint *be)
{
    if (be->noted.ofport != be->status.ofport
        || be->noted.up != be->status.up
        || !nullable_string_is_equal(be->noted_error, be->error)) {
        be->noted = be->status;
        if (!nullable_string_is_equal(be->noted_error, be->error)) {
            free(be->noted_error);
            be->noted_error = nullable_xstrdup(be->error);
        }
        be->noted.error = be->noted_error;
        sset_add(&endpoints->changed, name);
    }
}

void
binding_endpoints_begin(struct binding_endpoints *endpoints)
{
    endpoints->run++;
}

/* Forgets the state of 'node''s endpoint, noting it in the changes. */
static void
binding_endpoint_delete(struct binding_endpoints *endpoints,
                        struct shash_node *node)
{
    struct binding_endpoint *be = node->data;
    endpoints->forgotten++;
    sset_add(&endpoints->changed, node->name);
    set_bound_ofport(endpoints, be, 0);
    free(be->error);
    free(be->noted_error);
    free(be->ifname);
    free(be);
    shash_delete(&endpoints->map, node);
}

/* Empties the list of endpoints not up and the count of those up (to be
 * made again, note_up()). */
static void
up_list_clear(struct binding_endpoints *endpoints)
{
    hmapx_clear(&endpoints->not_up);
    endpoints->n_up = 0;
    endpoints->up_gen = 0;
}

void
binding_endpoints_clear(struct binding_endpoints *endpoints)
{
    struct shash_node *node;
    up_list_clear(endpoints);
    sset_clear(&endpoints->marks_changed);
    endpoints->marks_all = true;
    SHASH_FOR_EACH_SAFE (node, &endpoints->map) {
        binding_endpoint_delete(endpoints, node);
    }
}

void
binding_endpoints_destroy(struct binding_endpoints *endpoints)
{
    binding_endpoints_clear(endpoints);
    shash_destroy(&endpoints->map);
    hmap_destroy(&endpoints->by_ofport);
    sset_destroy(&endpoints->changed);
    sset_destroy(&endpoints->marks_changed);
    hmapx_destroy(&endpoints->not_up);
}

static bool
is_up(const struct binding_endpoint *be, binding_holds_func *holds,
      const void *aux)
{
    return (be->status.ofport > 0 && !be->error && !be->waiting
            && holds(be->flow_gen, aux));
}

/* Counts 'node''s endpoint among those up, or lists it among those not up,
 * as its "up" says. */
static void
note_up(struct binding_endpoints *endpoints, struct shash_node *node)
{
    const struct binding_endpoint *be = node->data;
    if (be->status.up) {
        endpoints->n_up++;
        endpoints->up_gen = MAX(endpoints->up_gen, be->flow_gen);
    } else {
        hmapx_add(&endpoints->not_up, node);
    }
}

void
binding_report(struct binding_endpoints *endpoints,
               const struct binding_wants *w,
               uint64_t flow_gen, binding_holds_func *holds, const void *aux,
               bool all_ready, struct binding_report *r)
{
    r->n_unbound = 0;
    for (size_t i = 0; i < w->n; i++) {
        struct binding_endpoint *be = binding_want_state(w, i, endpoints);
        if (be->status.ofport <= 0) {
            all_ready = false;
            r->n_unbound++;
        }
        be->wanted = true;
    }

    /* vnet-installed goes out after the run that finds an endpoint up:
     * until then the switch is not in sync. */
    r->endpoints_ready = all_ready;
    r->markers_ready = true;
    r->n_errors = 0;
    up_list_clear(endpoints);
    sset_clear(&endpoints->marks_changed);
    endpoints->marks_all = true;
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &endpoints->map) {
        struct binding_endpoint *be = node->data;
        endpoint_begin(be, endpoints->run);     /* (If not looked at yet.) */
        if (be->status.ofport != be->bound_ofport) {
            /* Bound anew (or unbound): the flows made from now on serve
             * it. */
            set_bound_ofport(endpoints, be, be->status.ofport);
            be->flow_gen = flow_gen;
        }
        bool was_up = be->status.up;
        be->status.up = is_up(be, holds, aux);
        bool wanted = be->wanted;
        be->wanted = false;
        if (!be->status.ofport && !be->error && !wanted) {
            /* Neither bound here nor failing here: not ours to report. */
            binding_endpoint_delete(endpoints, node);
            continue;
        }
        if (be->status.up && !be->trunk && !was_up) {
            r->markers_ready = false;
        }
        r->n_errors += be->error != NULL;
        note_up(endpoints, node);
        note_status(endpoints, node->name, be);
    }
}

void
binding_endpoint_patch_bound(struct binding_endpoints *endpoints,
                             const char *name, const char *ifname,
                             int64_t ofport, bool trunk, uint64_t flow_gen)
{
    struct binding_endpoint *be = binding_endpoint(endpoints, name);
    binding_endpoint_set_error(be, NULL);
    binding_endpoint_set_ifname(be, ifname);
    sset_add(&endpoints->marks_changed, name);
    be->trunk = trunk;
    be->waiting = be->kept = false;
    be->status.ofport = ofport;
    set_bound_ofport(endpoints, be, ofport);
    be->flow_gen = flow_gen;
    be->status.up = false;      /* (Its flows are not in yet.) */
    struct shash_node *node = shash_find(&endpoints->map, name);
    hmapx_add(&endpoints->not_up, node);
    note_status(endpoints, name, be);
}

void
binding_endpoint_patch_unnumbered(struct binding_endpoints *endpoints,
                                  const char *name)
{
    struct binding_endpoint *be = binding_endpoint(endpoints, name);
    binding_endpoint_set_error(be, BINDING_NO_OFPORT);
    sset_add(&endpoints->marks_changed, name);
    be->status.ofport = 0;
    be->status.up = false;
    struct shash_node *node = shash_find(&endpoints->map, name);
    hmapx_add(&endpoints->not_up, node);
    note_status(endpoints, name, be);
}

void
binding_endpoint_patch_forget(struct binding_endpoints *endpoints,
                              const char *name)
{
    struct shash_node *node = shash_find(&endpoints->map, name);
    if (node) {
        const struct binding_endpoint *be = node->data;
        if (!hmapx_find_and_delete(&endpoints->not_up, node)
            && be->status.up) {
            endpoints->n_up--;
        }
        binding_endpoint_delete(endpoints, node);
    }
}

/* The test mode: logs an error for any endpoint whose "up" is not what
 * looking at it again says (after a refresh that looked only at those not
 * up). */
static void
check_up(const struct binding_endpoints *endpoints,
         binding_holds_func *holds, const void *aux)
{
    size_t n_up = 0;
    const struct shash_node *node;
    SHASH_FOR_EACH (node, &endpoints->map) {
        const struct binding_endpoint *be = node->data;
        bool listed = hmapx_contains(&endpoints->not_up, node);
        if (be->status.up != is_up(be, holds, aux) || be->status.up == listed
            || (be->status.up && be->flow_gen > endpoints->up_gen)) {
            VLOG_ERR("endpoint %s: up is %s, but looked at again %s (%s)",
                     node->name, be->status.up ? "true" : "false",
                     is_up(be, holds, aux) ? "true" : "false",
                     listed ? "listed as not up" : "not listed as not up");
        }
        n_up += be->status.up;
    }
    if (n_up != endpoints->n_up) {
        VLOG_ERR("%"PRIuSIZE" endpoints up, but %"PRIuSIZE" counted",
                 n_up, endpoints->n_up);
    }
}

bool
binding_refresh_up(struct binding_endpoints *endpoints,
                   binding_holds_func *holds, const void *aux)
{
    bool changed = false;
    if (endpoints->n_up && !holds(endpoints->up_gen, aux)) {
        /* Some that were up may not be: look at every one. */
        COVERAGE_INC(binding_refresh_all);
        up_list_clear(endpoints);
        struct shash_node *node;
        SHASH_FOR_EACH (node, &endpoints->map) {
            struct binding_endpoint *be = node->data;
            bool up = is_up(be, holds, aux);
            if (up != be->status.up) {
                changed = true;
                be->status.up = up;
                note_status(endpoints, node->name, be);
                sset_add(&endpoints->marks_changed, node->name);
            }
            note_up(endpoints, node);
        }
        return changed;
    }

    /* Those up stay up (the switch holds every generation up to theirs):
     * only those not up can change. */
    struct hmapx_node *hn;
    HMAPX_FOR_EACH_SAFE (hn, &endpoints->not_up) {
        struct shash_node *node = hn->data;
        struct binding_endpoint *be = node->data;
        if (is_up(be, holds, aux)) {
            changed = true;
            be->status.up = true;
            hmapx_delete(&endpoints->not_up, hn);
            endpoints->n_up++;
            endpoints->up_gen = MAX(endpoints->up_gen, be->flow_gen);
            note_status(endpoints, node->name, be);
            sset_add(&endpoints->marks_changed, node->name);
        }
    }
    if (desired_flows_checking()) {
        check_up(endpoints, holds, aux);
    }
    return changed;
}

void
binding_endpoints_describe_changed(const struct binding_endpoints *endpoints,
                                   const struct sset *before, struct ds *s)
{
    const char *name;
    size_t n = 0;
    SSET_FOR_EACH (name, &endpoints->changed) {
        if (sset_contains(before, name) || n++ >= 4) {
            continue;
        }
        const struct binding_endpoint *be = shash_find_data(&endpoints->map,
                                                            name);
        if (!be) {
            ds_put_format(s, " %s (forgotten)", name);
            continue;
        }
        ds_put_format(s, " %s (ofport %"PRId64", up %s, error %s, "
                      "generation %"PRIu64"%s)", name, be->status.ofport,
                      be->status.up ? "true" : "false",
                      be->error ? be->error : "none", be->flow_gen,
                      be->waiting ? ", waiting" : "");
    }
}
