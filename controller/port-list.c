#include <config.h>
#include "controller/port-list.h"

#include <string.h>

#include "controller/lan-view.h"
#include "controller/switch-db.h"
#include "controller/tunnels.h"
#include "controller/vif-addr.h"
#include "ovsdb/names.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "simap.h"
#include "sset.h"
#include "util.h"

void
port_list_build(const struct port_list_ctx_in *in,
                struct port_list_ctx_out *out)
{
    size_t n_uplinks = 0;
    const struct vnetrec_router *rt;
    if (in->nb) {
        VNETREC_ROUTER_FOR_EACH (rt, in->nb) {
            n_uplinks++;
        }
    }
    size_t n_physnets = in->physnets ? smap_count(in->physnets) : 0;
    struct switch_db_port *ports = xmalloc((in->n_ready + 2
                                            + in->plan->n_peers + n_uplinks
                                            + n_physnets)
                                           * sizeof *ports);
    /* The endpoints behind a trunk each name its port: of a run of them,
     * the first stands for the others (as it would in the switch's database,
     * which takes the first port of a name), and the database's pass does
     * not look up the trunk's name once for each endpoint. */
    size_t n = 0;
    for (size_t i = 0; i < in->n_ready; i++) {
        const struct switch_db_port *p = &in->ready[i];
        if (!(p->trunk && n && ports[n - 1].trunk
              && !strcmp(p->name, ports[n - 1].name))) {
            ports[n++] = *p;
        }
    }
    size_t n_ready = n;

    /* Router uplinks here: the interface as it is, a port of ours.  Any
     * client may have written the name: one the switch already uses would
     * make every transaction on the switch fail. */
    smap_init(&out->conflicts);
    struct sset uplinks = SSET_INITIALIZER(&uplinks);
    if (n_uplinks) {
        VNETREC_ROUTER_FOR_EACH (rt, in->nb) {
            struct vnet_uplink up;
            if ((in->bad_routers && sset_contains(in->bad_routers, rt->name))
                || !lan_view_router_uplink(rt, &up)
                || strcmp(rt->uplink_switch->name, in->switch_name)) {
                continue;
            }
            char *error = vnet_uplink_iface_check(rt->uplink_iface,
                                                  in->bridge, in->underlay);
            if (!error && !sset_add(&uplinks, rt->uplink_iface)) {
                error = xasprintf("%s is the uplink of two routers",
                                  rt->uplink_iface);
            }
            if (error) {
                smap_replace(&out->conflicts, rt->uplink_iface, error);
                free(error);
                continue;
            }
            ports[n++] = (struct switch_db_port) {
                .name = rt->uplink_iface,
            };
        }
        /* A name two routers claim is neither's. */
        size_t kept = n_ready;
        for (size_t i = n_ready; i < n; i++) {
            if (!smap_get(&out->conflicts, ports[i].name)) {
                ports[kept++] = ports[i];
            }
        }
        n = kept;
    }

    /* Physical networks' interfaces: as uplinks are, and no router's. */
    if (n_physnets) {
        const struct smap_node **sorted = smap_sort(in->physnets);
        struct sset seen = SSET_INITIALIZER(&seen);
        for (size_t i = 0; i < n_physnets; i++) {
            const char *iface = sorted[i]->value;
            char *error = vnet_physnet_mapping_check(sorted[i]->key, iface);
            if (!error) {
                error = vnet_uplink_iface_check(iface, in->bridge,
                                                in->underlay);
            }
            if (!error && (sset_contains(&uplinks, iface)
                           || smap_get(&out->conflicts, iface))) {
                error = xasprintf("%s is a router's uplink and physical "
                                  "network %s's", iface, sorted[i]->key);
            }
            if (!error && !sset_add(&seen, iface)) {
                error = xasprintf("%s is mapped to two physical networks",
                                  iface);
            }
            if (error) {
                smap_replace(&out->conflicts, iface, error);
                free(error);
                continue;
            }
            ports[n++] = (struct switch_db_port) { .name = iface };
        }
        /* A name taken twice (uplink or physical network) is neither's. */
        size_t kept = n_ready;
        for (size_t i = n_ready; i < n; i++) {
            if (!smap_get(&out->conflicts, ports[i].name)) {
                ports[kept++] = ports[i];
            }
        }
        n = kept;
        sset_destroy(&seen);
        free(sorted);
    }
    sset_destroy(&uplinks);
    tunnel_plan_add_ports(in->plan, ports, &n);

    /* The relay's taps (see the header). */
    int fd = in->switch_netns_fd;
    out->taps_exist = fd >= 0;
    for (size_t i = 0; i < in->plan->n_peers; i++) {
        const struct tunnel_peer *p = &in->plan->peers[i];
        if (!p->relay) {
            continue;
        }
        if (in->unplugged && sset_contains(in->unplugged, p->tap)) {
            out->taps_exist = false;
            continue;
        }
        /* A tap bound as a port exists: no netlink query for it. */
        bool exists = fd >= 0 && (simap_get(in->ofports, p->tap)
                                  || vif_link_exists(fd, p->tap));
        if (!in->relay_owns_taps) {
            ports[n++] = (struct switch_db_port) {
                .name = p->tap, .type = "tap",
            };
        } else if (exists) {
            ports[n++] = (struct switch_db_port) { .name = p->tap };
        }
        out->taps_exist = out->taps_exist && exists;
    }
    out->ports = ports;
    out->n_ports = n;
}
