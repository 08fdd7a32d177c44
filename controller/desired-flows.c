#include <config.h>
#include "controller/desired-flows.h"

#include <string.h>

#include "controller/lan-view.h"
#include "controller/tunnels.h"
#include "coverage.h"
#include "hash.h"
#include "flows/flow-table.h"
#include "flows/flow-units.h"
#include "flows/lan.h"
#include "flows/router.h"
#include "openvswitch/vlog.h"
#include "simap.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(desired_flows);

COVERAGE_DEFINE(desired_flows_checked);

/* Relay taps, at most: one per peer switch. */
#define MAX_TUNNEL_PORTS (2 + 256)

/* Opens every unit of the desired flows in 'units'.  Returns an error
 * message (a bug) or NULL. */
static char *
generate(const struct lan_network *lans, size_t n_nets,
         const struct lan_view *view,
         const struct lan_tunnel_port *tunnels, size_t n_tunnels,
         const int64_t *foreign, size_t n_foreign,
         struct flow_units *units)
{
    char *errors[3] = {
        lan_flows_generate_units(lans, n_nets, tunnels, n_tunnels, units),
        router_flows_generate_units(view->routers, view->n_routers, tunnels,
                                    n_tunnels, units),
        lan_flows_foreign_units(foreign, n_foreign, units),
    };
    char *error = NULL;
    for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
        if (!error) {
            error = errors[i];
        } else {
            free(errors[i]);
        }
    }
    return error;
}

static bool check_incremental;

void
desired_flows_check_incremental(bool check)
{
    check_incremental = check;
}

bool
desired_flows_checking(void)
{
    return check_incremental;
}

char *
desired_flows_text(const struct flow_units *units)
{
    struct flow_table t;
    flow_table_init(&t);
    flow_units_to_table(units, &t);
    char *text = flow_table_format(&t);
    flow_table_destroy(&t);
    return text;
}

/* The test mode: the units as this run left them must hold the same flows
 * as a generation from scratch. */
static void
check_units(const char *switch_name, const struct flow_units *units,
            const struct lan_network *lans, size_t n_nets,
            const struct lan_view *view,
            const struct lan_tunnel_port *tunnels, size_t n_tunnels,
            const int64_t *foreign, size_t n_foreign)
{
    struct flow_units *full = flow_units_create();
    flow_units_begin(full);
    free(generate(lans, n_nets, view, tunnels, n_tunnels, foreign, n_foreign,
                  full));
    flow_units_end(full);

    struct flow_table a, b;
    flow_table_init(&a);
    flow_table_init(&b);
    flow_units_to_table(units, &a);
    flow_units_to_table(full, &b);
    char *incremental = flow_table_format(&a);
    char *recomputed = flow_table_format(&b);
    if (strcmp(incremental, recomputed)) {
        VLOG_ERR("switch %s: incremental flows differ from a full "
                 "recomputation:\nincremental:\n%sfull:\n%s", switch_name,
                 incremental, recomputed);
    } else {
        COVERAGE_INC(desired_flows_checked);
    }
    free(incremental);
    free(recomputed);
    flow_table_destroy(&a);
    flow_table_destroy(&b);
    flow_units_destroy(full);
}

/* The ports where tunnel traffic comes in: the flow-based VXLAN and Geneve
 * ports, and the relay's taps.  Returns how many were put in 'tunnels'. */
static size_t
tunnel_ports(const struct tunnel_plan *plan, const struct simap *ofports,
             struct lan_tunnel_port tunnels[MAX_TUNNEL_PORTS])
{
    size_t n = 0;
    if (!plan->enabled) {
        return 0;
    }
    unsigned int ofport;
    if (plan->vxlan && (ofport = simap_get(ofports, TUNNEL_VXLAN_PORT))) {
        tunnels[n++] = (struct lan_tunnel_port) { ofport, false, 0 };
    }
    if (plan->geneve && (ofport = simap_get(ofports, TUNNEL_GENEVE_PORT))) {
        tunnels[n++] = (struct lan_tunnel_port) { ofport, false, 0 };
    }
    for (size_t i = 0; i < plan->n_peers && n < MAX_TUNNEL_PORTS; i++) {
        const struct tunnel_peer *p = &plan->peers[i];
        if (p->relay && (ofport = simap_get(ofports, p->tap))) {
            tunnels[n++] = (struct lan_tunnel_port) { ofport, true, p->ip };
        }
    }
    return n;
}

void
desired_flows_nets_clear(struct hmap *nets)
{
    struct desired_flows_net *dn;
    HMAP_FOR_EACH_POP (dn, node, nets) {
        free(dn->remotes);
        lan_flood_net_destroy(dn->flood);
        free(dn);
    }
}

const struct desired_flows_net *
desired_flows_net_find(const struct hmap *nets,
                       const struct vnetrec_network *row)
{
    const struct desired_flows_net *dn;
    HMAP_FOR_EACH_WITH_HASH (dn, node, hash_pointer(row, 0), nets) {
        if (dn->row == row) {
            return dn;
        }
    }
    return NULL;
}

/* Fills 'nets' with the valid networks of 'view', whose 'n_lans' networks
 * with units are 'lans'. */
static void
record_nets(const struct lan_view *view, const struct lan_network *lans,
            size_t n_lans, struct hmap *nets)
{
    desired_flows_nets_clear(nets);
    const struct shash_node *node;
    SHASH_FOR_EACH (node, &view->nets) {
        const struct net_info *ni = node->data;
        if (ni->row) {
            struct desired_flows_net *dn = xzalloc(sizeof *dn);
            dn->row = ni->row;
            dn->cidr = ni->cidr;
            dn->gateway = ni->gateway;
            dn->has_neighbors = lan_view_neighbor_net(ni, &dn->nn,
                                                      &dn->tunnel_in);
            dn->n_remotes = ni->n_remotes;
            dn->remotes = xcalloc(MAX(ni->n_remotes, 1),
                                  sizeof *dn->remotes);
            for (size_t i = 0; i < ni->n_remotes; i++) {
                dn->remotes[i].remote = ni->remotes[i];
            }
            for (size_t i = 0; i < ni->n_remote_ports; i++) {
                size_t idx = ni->remote_ports[i].remote;
                if (idx < ni->n_remotes) {
                    dn->remotes[idx].n_ports++;
                }
            }
            for (size_t i = 0; i < ni->n_ports; i++) {
                if (ni->ports[i].trunk) {
                    dn->trunk_ofport = ni->ports[i].ofport;
                    dn->n_trunk_ports++;
                }
            }
            hmap_insert(nets, &dn->node, hash_pointer(ni->row, 0));
        }
    }
    for (size_t i = 0; i < n_lans; i++) {
        const struct net_info *ni = shash_find_data(&view->nets,
                                                    lans[i].name);
        struct desired_flows_net *dn = CONST_CAST(
            struct desired_flows_net *,
            ni ? desired_flows_net_find(nets, ni->row) : NULL);
        if (dn) {
            dn->flood = lan_flood_net_create(&lans[i]);
        }
    }
}

void
desired_flows_run(const struct desired_flows_ctx_in *in,
                  struct lan_view *view, struct desired_flows_ctx_out *out)
{
    lan_view_add_routers(view, in->nb, in->switch_name);
    lan_view_add_remotes(view, in->nb, in->plan, in->ofports);
    lan_view_add_physnet_ports(view, in->ofports);
    lan_view_add_uplinks(view, in->nb, in->switch_name, in->plan,
                         in->ofports);
    lan_view_sort_tunnels(view);

    struct lan_tunnel_port tunnels[MAX_TUNNEL_PORTS];
    size_t n_tunnels = tunnel_ports(in->plan, in->ofports, tunnels);
    /* All of those ports, router uplinks and physical networks' too. */
    size_t n_foreign = 0;
    int64_t *foreign = xmalloc((simap_count(in->ofports) + 1)
                               * sizeof *foreign);
    const struct simap_node *port;
    SIMAP_FOR_EACH (port, in->ofports) {
        foreign[n_foreign++] = port->data;
    }

    size_t n_nets;
    struct lan_network *lans = lan_view_networks(view, &n_nets);
    flow_units_begin(out->units);
    out->error = generate(lans, n_nets, view, tunnels, n_tunnels, foreign,
                          n_foreign, out->units);
    out->changed = flow_units_end(out->units);
    if (check_incremental) {
        check_units(in->switch_name, out->units, lans, n_nets, view, tunnels,
                    n_tunnels, foreign, n_foreign);
    }
    free(foreign);
    record_nets(view, lans, n_nets, out->nets);
    free(lans);
}
