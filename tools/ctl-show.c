/* ovs-vnet-ctl: show and flows. */
#include <config.h>
#include "tools/ctl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte-order.h"
#include "dirs.h"
#include "flows/pipeline.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/json.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vconn.h"
#include "ovsdb-idl.h"
#include "ovsdb/addr.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/validate.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

/* Dumps the flows of 'sw' into 't', one row per flow. */
static void
dump_switch_flows(struct ctl_context *ctx, const struct vnetrec_switch *sw,
                  struct table *t, struct ds *text)
{
    struct vnet_remote r;
    char *error = vnet_remote_parse(sw->remote, &r);
    if (error) {
        ctl_error(ctx, "switch %s: %s", sw->name, error);
        free(error);
        return;
    }
    char *rundir = vnet_switch_rundir(NULL, &r);
    vnet_remote_destroy(&r);
    char *target = xasprintf("unix:%s/%s.mgmt", rundir, sw->bridge);
    free(rundir);

    struct vconn *vconn;
    int retval = vconn_open_block(target, (1u << OFP13_VERSION)
                                  | (1u << OFP14_VERSION)
                                  | (1u << OFP15_VERSION), 0, -1, &vconn);
    if (retval) {
        ctl_error(ctx, "switch %s: cannot connect to %s (%s)", sw->name,
                  target, ovs_strerror(retval));
        free(target);
        return;
    }
    free(target);

    struct ofputil_flow_stats_request fsr = {
        .cookie_mask = htonll(0),
        .out_port = OFPP_ANY,
        .out_group = OFPG_ANY,
        .table_id = 0xff,
    };
    match_init_catchall(&fsr.match);
    enum ofputil_protocol protocol
        = ofputil_protocol_from_ofp_version(vconn_get_version(vconn));
    struct ofputil_flow_stats *fses;
    size_t n_fses;
    retval = vconn_dump_flows(vconn, &fsr, protocol, &fses, &n_fses);
    vconn_close(vconn);
    if (retval) {
        ctl_error(ctx, "switch %s: flow dump failed (%s)", sw->name,
                  ovs_strerror(retval));
        return;
    }

    if (text) {
        ds_put_format(text, "switch %s, bridge %s: %"PRIuSIZE" flows\n",
                      sw->name, sw->bridge, n_fses);
    }
    for (size_t i = 0; i < n_fses; i++) {
        const struct ofputil_flow_stats *fs = &fses[i];
        uint64_t cookie = ntohll(fs->cookie);
        bool ours = vnet_cookie_is_ours(cookie);
        const char *feature = ours ? vnet_feature_name(vnet_cookie_feature(cookie))
                                   : "foreign";
        char *owner = ours ? cookie_owner(ctx->idl, cookie) : xstrdup("");

        struct ds match = DS_EMPTY_INITIALIZER;
        match_format(&fs->match, NULL, &match, OFP_DEFAULT_PRIORITY);
        struct ds actions = DS_EMPTY_INITIALIZER;
        struct ofpact_format_params fp = { .s = &actions };
        ofpacts_format(fs->ofpacts, fs->ofpacts_len, &fp);

        if (text) {
            ds_put_format(text, "  table=%d, priority=%d, n_packets=%"PRIu64
                          ", %s%sactions=%s\n      [%s%s%s]\n",
                          fs->table_id, fs->priority, fs->packet_count,
                          ds_cstr(&match), match.length ? " " : "",
                          ds_cstr(&actions), feature, *owner ? ": " : "",
                          owner);
        } else {
            table_add_row(t);
            table_add_text(t, sw->name);
            table_add_cell(t)->text = xasprintf("%d", fs->table_id);
            table_add_cell(t)->text = xasprintf("%d", fs->priority);
            table_add_text(t, ds_cstr(&match));
            table_add_text(t, ds_cstr(&actions));
            table_add_cell(t)->text = xasprintf("0x%016"PRIx64, cookie);
            table_add_text(t, feature);
            table_add_text(t, owner);
            table_add_cell(t)->text = xasprintf("%"PRIu64, fs->packet_count);
        }
        ds_destroy(&match);
        ds_destroy(&actions);
        free(owner);
        free(CONST_CAST(struct ofpact *, fs->ofpacts));
    }
    free(fses);
}

void
cmd_flows(struct ctl_context *ctx)
{
    const char *name = ctx->argc > 1 ? ctx->argv[1] : NULL;
    size_t n;
    const struct vnetrec_switch **list = switches_sorted(ctx->idl, &n);
    struct table t;
    bool as_text = !format_given;

    table_init(&t);
    table_add_column(&t, "switch");
    table_add_column(&t, "table");
    table_add_column(&t, "priority");
    table_add_column(&t, "match");
    table_add_column(&t, "actions");
    table_add_column(&t, "cookie");
    table_add_column(&t, "feature");
    table_add_column(&t, "owner");
    table_add_column(&t, "n_packets");

    bool found = false;
    for (size_t i = 0; i < n && !ctx->error; i++) {
        if (name && strcmp(list[i]->name, name)) {
            continue;
        }
        found = true;
        dump_switch_flows(ctx, list[i], &t, as_text ? &ctx->output : NULL);
    }
    free(list);
    if (name && !found) {
        ctl_error(ctx, "no switch named %s", name);
    }
    if (as_text || ctx->error) {
        table_destroy(&t);
    } else {
        print_table(ctx, &t);
    }
}

void
cmd_show(struct ctl_context *ctx)
{
    const struct vnetrec_vnet_global *g = vnetrec_vnet_global_first(ctx->idl);
    int64_t nb_cfg = g ? g->nb_cfg : 0;
    size_t n;
    const struct vnetrec_switch **list = switches_sorted(ctx->idl, &n);

    if (table_style.format == TF_JSON) {
        struct json *top = json_object_create();
        struct json *switches = json_array_create_empty();
        json_object_put(top, "nb_cfg", json_integer_create(nb_cfg));
        json_object_put(top, "controller_cfg",
                        json_integer_create(g ? g->controller_cfg : 0));
        for (size_t i = 0; i < n; i++) {
            const struct vnetrec_switch *sw = list[i];
            struct json *j = json_object_create();
            json_object_put_string(j, "name", sw->name);
            json_object_put_string(j, "remote", sw->remote);
            json_object_put_string(j, "bridge", sw->bridge);
            json_object_put_string(j, "datapath_type", sw->datapath_type);
            json_object_put(j, "encap_ip", json_optional_string(
                                sw->encap_ip));
            json_object_put_string(j, "encap_type", sw->encap_type);
            json_object_put(j, "underlay", json_optional_string(sw->underlay));
            json_object_put(j, "physnets", json_from_smap(&sw->physnets));
            json_object_put(j, "connected", json_boolean_create(sw->connected));
            json_object_put_string(j, "of_state", sw->of_state);
            json_object_put(j, "datapath_id", json_optional_string(
                                sw->datapath_id));
            json_object_put(j, "last_error", json_optional_string(
                                sw->last_error));
            json_object_put(j, "applied_cfg",
                            json_integer_create(sw->applied_cfg));
            json_object_put(j, "status", json_from_smap(&sw->status));
            json_array_add(switches, j);
        }
        json_object_put(top, "switches", switches);

        size_t n_nets;
        const struct vnetrec_network **nets = networks_sorted(ctx->idl,
                                                              &n_nets);
        struct json *networks = json_array_create_empty();
        for (size_t i = 0; i < n_nets; i++) {
            const struct vnetrec_network *net = nets[i];
            struct json *j = json_object_create();
            json_object_put_string(j, "name", net->name);
            json_object_put_string(j, "cidr", net->cidr);
            json_object_put_string(j, "gateway", net->gateway);
            json_object_put(j, "physnet", json_optional_string(net->physnet));
            json_object_put(j, "vlan", (net->n_vlan
                                        ? json_integer_create(*net->vlan)
                                        : json_null_create()));
            json_object_put_string(j, "gateway_mac", net->gateway_mac);
            json_object_put(j, "segment_id",
                            json_integer_create(net->segment_id));
            json_object_put(j, "mtu",
                            json_integer_create(vnet_network_mtu(net->mtu)));
            json_object_put(j, "mac_limit", json_integer_create(net->mac_limit));
            json_object_put_string(j, "endpoint_type", smap_get_def(
                                       &net->options,
                                       VNET_NETWORK_ENDPOINT_TYPE_KEY,
                                       VNET_NETWORK_ENDPOINT_TYPE_DEFAULT));

            size_t n_eps;
            const struct vnetrec_endpoint **eps
                = endpoints_sorted(ctx->idl, net, &n_eps);
            struct json *jeps = json_array_create_empty();
            for (size_t k = 0; k < n_eps; k++) {
                const struct vnetrec_endpoint *ep = eps[k];
                struct json *e = json_object_create();
                json_object_put_string(e, "name", ep->name);
                json_object_put_string(e, "type", ep->type);
                json_object_put(e, "switch", json_optional_string(
                                    ep->switch_ ? ep->switch_->name : NULL));
                json_object_put(e, "location", json_optional_string(
                                    ep->location));
                json_object_put(e, "ip", json_optional_string(ep->ip));
                json_object_put(e, "mac", json_optional_string(ep->mac));
                json_object_put(e, "netns", json_optional_string(ep->netns));
                json_object_put(e, "device", vnet_endpoint_is_created(ep)
                                ? json_string_create_nocopy(
                                      vnet_endpoint_ifname(ep))
                                : json_null_create());
                json_object_put(e, "ofport", ep->ofport
                                ? json_integer_create(*ep->ofport)
                                : json_null_create());
                json_object_put(e, "up", json_boolean_create(ep->up));
                json_object_put(e, "last_error", json_optional_string(
                                    ep->last_error));
                json_object_put(e, "status", json_from_smap(&ep->status));
                json_array_add(jeps, e);
            }
            free(eps);
            json_object_put(j, "endpoints", jeps);
            json_array_add(networks, j);
        }
        free(nets);
        json_object_put(top, "networks", networks);

        struct json *routers = json_array_create_empty();
        const struct vnetrec_router *rt;
        VNETREC_ROUTER_FOR_EACH (rt, ctx->idl) {
            struct json *j = json_object_create();
            struct json *names = json_array_create_empty();
            json_object_put_string(j, "name", rt->name);
            for (size_t k = 0; k < rt->n_networks; k++) {
                json_array_add(names, json_string_create(
                                   rt->networks[k]->name));
            }
            json_object_put(j, "networks", names);
            if (rt->uplink_switch) {
                struct json *up = json_object_create();
                json_object_put_string(up, "switch", rt->uplink_switch->name);
                json_object_put(up, "iface", json_optional_string(
                                    rt->uplink_iface));
                json_object_put(up, "ip", json_optional_string(rt->uplink_ip));
                json_object_put(up, "nexthop", json_optional_string(
                                    rt->uplink_nexthop));
                json_object_put(j, "uplink", up);
            }
            struct json *nats = json_array_create_empty();
            const struct vnetrec_nat **rules = nat_sorted(rt);
            for (size_t k = 0; k < rt->n_nat; k++) {
                struct json *nj = json_object_create();
                json_object_put_string(nj, "type", rules[k]->type);
                json_object_put(nj, "external", json_string_create_nocopy(
                                    nat_format_external(rt, rules[k])));
                json_object_put(nj, "internal", json_string_create_nocopy(
                                    nat_format_internal(rules[k])));
                json_array_add(nats, nj);
            }
            free(rules);
            json_object_put(j, "nat", nats);
            json_array_add(routers, j);
        }
        json_object_put(top, "routers", routers);
        char *s = json_to_string(top, table_style.json_flags | JSSF_SORT);
        ds_put_format(&ctx->output, "%s\n", s);
        free(s);
        json_destroy(top);
        free(list);
        return;
    }

    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_switch *sw = list[i];
        const char *dp = smap_get(&sw->status, VNET_STATUS_DATAPATH_TYPE);
        const char *of_version = smap_get(&sw->status, VNET_STATUS_OPENFLOW_VERSION);
        const char *error = sw->last_error;
        const char *dpid = sw->datapath_id;
        const char *encap_ip = sw->encap_ip;

        ds_put_format(&ctx->output, "switch %s (%s)\n", sw->name, sw->remote);
        ds_put_format(&ctx->output, "    bridge: %s, datapath %s\n", sw->bridge,
                      dp ? dp : sw->datapath_type);
        ds_put_format(&ctx->output, "    connected: %s\n",
                      sw->connected ? "true" : "false");
        const char *controller = smap_get(&sw->status,
                                          VNET_STATUS_CONTROLLER);
        if (controller) {
            ds_put_format(&ctx->output, "    controller: ovs-vnetd on %s\n",
                          controller);
        }
        ds_put_format(&ctx->output, "    openflow: %s%s%s%s\n", sw->of_state,
                      of_version ? " (" : "", of_version ? of_version : "",
                      of_version ? ")" : "");
        if (dpid) {
            ds_put_format(&ctx->output, "    datapath_id: %s\n", dpid);
        }
        const char *offload = smap_get(&sw->status, VNET_STATUS_OFFLOAD);
        if (offload) {
            ds_put_format(&ctx->output, "    offload: %s\n", offload);
        }
        ds_put_format(&ctx->output, "    encap: %s%s%s%s%s\n", sw->encap_type,
                      encap_ip ? " " : "", encap_ip ? encap_ip : "",
                      sw->underlay ? " via " : "",
                      sw->underlay ? sw->underlay : "");
        if (!smap_is_empty(&sw->physnets)) {
            const struct smap_node **pn = smap_sort(&sw->physnets);
            ds_put_cstr(&ctx->output, "    physical networks:");
            for (size_t k = 0; k < smap_count(&sw->physnets); k++) {
                ds_put_format(&ctx->output, "%s %s on %s", k ? "," : "",
                              pn[k]->key, pn[k]->value);
                char *key = xasprintf(VNET_STATUS_PORT_ERROR_PREFIX "%s",
                                      pn[k]->value);
                const char *perror = smap_get(&sw->status, key);
                if (perror) {
                    ds_put_format(&ctx->output, " (%s)", perror);
                }
                free(key);
            }
            ds_put_char(&ctx->output, '\n');
            free(pn);
        }
        ds_put_format(&ctx->output, "    applied_cfg: %"PRId64"%s\n",
                      sw->applied_cfg,
                      sw->applied_cfg >= nb_cfg ? "" : " (behind)");
        if (error) {
            ds_put_format(&ctx->output, "    last_error: %s\n", error);
        }
    }

    size_t n_nets;
    const struct vnetrec_network **nets = networks_sorted(ctx->idl, &n_nets);
    for (size_t i = 0; i < n_nets; i++) {
        const struct vnetrec_network *net = nets[i];
        ds_put_format(&ctx->output, "network %s %s (", net->name, net->cidr);
        if (net->physnet) {
            ds_put_format(&ctx->output, "physical network %s, ", net->physnet);
            if (net->n_vlan) {
                ds_put_format(&ctx->output, "VLAN %"PRId64", ", *net->vlan);
            } else {
                ds_put_cstr(&ctx->output, "untagged, ");
            }
        }
        ds_put_format(&ctx->output, "gateway %s, segment %"PRId64", mtu %d",
                      net->gateway[0] ? net->gateway : "none",
                      net->segment_id, vnet_network_mtu(net->mtu));
        const char *kind = smap_get(&net->options,
                                    VNET_NETWORK_ENDPOINT_TYPE_KEY);
        if (kind) {
            ds_put_format(&ctx->output, ", endpoints %s",
                          vnet_network_endpoint_type_is_valid(kind)
                          ? kind : "of no kind (bad options:endpoint_type)");
        }
        ds_put_cstr(&ctx->output, ")\n");
        if (net->physnet) {
            /* Switches that say it does not reach its LAN from them. */
            char *key = xasprintf(VNET_STATUS_PHYSNET_ERROR_PREFIX "%s",
                                  net->name);
            for (size_t k = 0; k < n; k++) {
                const char *perror = smap_get(&list[k]->status, key);
                if (perror) {
                    ds_put_format(&ctx->output, "    on switch %s: %s\n",
                                  list[k]->name, perror);
                }
            }
            free(key);
        }

        size_t n_eps;
        const struct vnetrec_endpoint **eps = endpoints_sorted(ctx->idl, net,
                                                               &n_eps);
        for (size_t k = 0; k < n_eps; k++) {
            const struct vnetrec_endpoint *ep = eps[k];
            const char *where = ep->location ? ep->location
                                : ep->switch_ ? ep->switch_->name : NULL;
            ds_put_format(&ctx->output, "    %s %s %s %s", ep->type, ep->name,
                          ep->ip ? ep->ip : "(any IP)",
                          ep->mac ? ep->mac : "(any MAC)");
            if (where) {
                ds_put_format(&ctx->output, " on %s", where);
            }
            if (ep->ofport) {
                ds_put_format(&ctx->output, " port %"PRId64, *ep->ofport);
            }
            if (!strcmp(ep->type, "tap") || !strcmp(ep->type, "internal")) {
                char *tap = vnet_endpoint_ifname(ep);
                ds_put_format(&ctx->output, " device %s", tap);
                free(tap);
            }
            ds_put_format(&ctx->output, " %s", ep->up ? "up" : "down");
            if (ep->last_error) {
                ds_put_format(&ctx->output, " (%s)", ep->last_error);
            }
            ds_put_char(&ctx->output, '\n');
        }
        free(eps);
    }
    free(nets);
    free(list);

    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, ctx->idl) {
        struct sset names = SSET_INITIALIZER(&names);
        for (size_t j = 0; j < rt->n_networks; j++) {
            sset_add(&names, rt->networks[j]->name);
        }
        const char **sorted = sset_sort(&names);
        ds_put_format(&ctx->output, "router %s:", rt->name);
        for (size_t j = 0; j < sset_count(&names); j++) {
            ds_put_format(&ctx->output, " %s", sorted[j]);
        }
        ds_put_char(&ctx->output, '\n');
        free(sorted);
        sset_destroy(&names);
        if (rt->uplink_switch) {
            ds_put_format(&ctx->output, "    uplink %s on %s, next hop %s\n",
                          rt->uplink_ip ? rt->uplink_ip : "",
                          rt->uplink_iface ? rt->uplink_iface : "",
                          rt->uplink_nexthop ? rt->uplink_nexthop : "");
            ds_put_format(&ctx->output, "        switch %s, conntrack zones "
                          "%"PRId64" and %"PRId64" (hairpin)\n",
                          rt->uplink_switch->name, rt->ct_zone,
                          rt->ct_zone + 1);
            char *key = xasprintf(VNET_STATUS_PORT_ERROR_PREFIX "%s", rt->uplink_iface
                                                   ? rt->uplink_iface : "");
            const char *error = smap_get(&rt->uplink_switch->status, key);
            if (error) {
                ds_put_format(&ctx->output, "        error: %s\n", error);
            }
            free(key);
        }
        const struct vnetrec_nat **rules = nat_sorted(rt);
        for (size_t k = 0; k < rt->n_nat; k++) {
            char *ext = nat_format_external(rt, rules[k]);
            char *in = nat_format_internal(rules[k]);
            ds_put_format(&ctx->output, "    nat %s %s -> %s\n",
                          rules[k]->type, ext, in);
            free(ext);
            free(in);
        }
        free(rules);
    }
}
