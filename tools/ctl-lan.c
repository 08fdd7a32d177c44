/* ovs-vnet-ctl: network, endpoint and router commands. */
#include <config.h>
#include "tools/ctl.h"
#include "tools/ctl-endpoints.h"

#include <ctype.h>
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
#include "ovsdb/allocate.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "ovsdb/validate.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

/* --endpoint-type=KIND of net-add and net-set: the NB's name of command
 * line kind 'kind' (veth, trunk, internal) in '*type'.  False, with an
 * error, for any other. */
static bool
parse_endpoint_type_option(struct ctl_context *ctx, const char *kind,
                           const char **type)
{
    /* The NB's kinds, but a veth by the name attach gives it ("netns" is
     * the NB's own). */
    if (!strcmp(kind, "veth")) {
        *type = VNET_NETWORK_ENDPOINT_TYPE_DEFAULT;
    } else if (strcmp(kind, VNET_NETWORK_ENDPOINT_TYPE_DEFAULT)
               && vnet_network_endpoint_type_is_valid(kind)) {
        *type = kind;
    } else {
        ctl_error(ctx, "--endpoint-type=%s: expected veth, trunk or internal",
                  kind);
        return false;
    }
    return true;
}

void
cmd_net_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *cidr_s = ctx->argv[2];
    const char *gateway_s = ctl_args_get(&ctx->args, "--gateway");
    const char *mtu_s = ctl_args_get(&ctx->args, "--mtu");
    const char *limit_s = ctl_args_get(&ctx->args, "--mac-limit");
    const char *physnet = ctl_args_get(&ctx->args, "--physnet");
    const char *vlan_s = ctl_args_get(&ctx->args, "--vlan");
    const char *kind = ctl_args_get(&ctx->args, "--endpoint-type");
    const char *endpoint_type = NULL;
    struct vnet_cidr cidr;
    unsigned int gateway;
    int mtu = 0, mac_limit = 1024, vlan = 0;

    char *error = vnet_network_check_physnet(name, cidr_s, gateway_s, physnet,
                                             &cidr, &gateway);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    if ((mtu_s && !parse_number_option(ctx, "--mtu", mtu_s, 576, 9000, &mtu))
        || (limit_s && !parse_number_option(ctx, "--mac-limit", limit_s, 0,
                                            1048576, &mac_limit))
        || (vlan_s && !parse_number_option(ctx, "--vlan", vlan_s, 1, 4094,
                                           &vlan))
        || (kind && !parse_endpoint_type_option(ctx, kind, &endpoint_type))) {
        return;
    }
    if (vlan && !physnet) {
        ctl_error(ctx, "--vlan needs --physnet: a VLAN is on a physical "
                  "network");
        return;
    }
    if (network_by_name(ctx->idl, name)) {
        ctl_error(ctx, "network %s already exists", name);
        return;
    }
    if (physnet) {
        const struct vnetrec_network *other;
        VNETREC_NETWORK_FOR_EACH (other, ctx->idl) {
            if (other->physnet && !strcmp(other->physnet, physnet)
                && (other->n_vlan ? *other->vlan : 0) == vlan) {
                if (vlan) {
                    ctl_error(ctx, "network %s is already on VLAN %d of "
                              "physical network %s", other->name, vlan,
                              physnet);
                } else {
                    ctl_error(ctx, "network %s is already untagged on "
                              "physical network %s", other->name, physnet);
                }
                return;
            }
        }
    }

    int64_t segment = vnet_alloc_segment_id(ctx->idl);

    char gw_s[16], mac_s[18];
    uint8_t mac[6];
    vnet_mac_for_gateway(segment, mac);

    ctl_decides_on_reads(ctx);
    get_or_create_global(ctx);
    struct vnetrec_network *net = vnetrec_network_insert(ctx->txn);
    vnetrec_network_set_name(net, name);
    vnetrec_network_set_cidr(net, cidr_s);
    if (gateway) {
        vnetrec_network_set_gateway(net, vnet_ip_format(gateway, gw_s));
    }
    if (physnet) {
        vnetrec_network_set_physnet(net, physnet);
        if (vlan) {
            int64_t vid = vlan;
            vnetrec_network_set_vlan(net, &vid, 1);
        }
    }
    vnetrec_network_set_gateway_mac(net, vnet_mac_format(mac, mac_s));
    vnetrec_network_set_segment_id(net, segment);
    vnetrec_network_set_mtu(net, mtu);
    vnetrec_network_set_mac_limit(net, mac_limit);
    if (endpoint_type
        && strcmp(endpoint_type, VNET_NETWORK_ENDPOINT_TYPE_DEFAULT)) {
        vnetrec_network_update_options_setkey(
            net, VNET_NETWORK_ENDPOINT_TYPE_KEY, endpoint_type);
    }
}

void
cmd_net_set(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *kind = ctl_args_get(&ctx->args, "--endpoint-type");
    const char *endpoint_type;

    const struct vnetrec_network *net = network_by_name(ctx->idl, name);
    if (!net) {
        ctl_error(ctx, "no network named %s", name);
        return;
    }
    if (!kind) {
        return;
    }
    if (!parse_endpoint_type_option(ctx, kind, &endpoint_type)) {
        return;
    }
    get_or_create_global(ctx);
    if (!strcmp(endpoint_type, VNET_NETWORK_ENDPOINT_TYPE_DEFAULT)) {
        vnetrec_network_update_options_delkey(net,
                                              VNET_NETWORK_ENDPOINT_TYPE_KEY);
    } else {
        vnetrec_network_update_options_setkey(
            net, VNET_NETWORK_ENDPOINT_TYPE_KEY, endpoint_type);
    }
}

void
cmd_net_del(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vnetrec_network *net = network_by_name(ctx->idl, name);
    if (!net) {
        if (!ctl_args_get(&ctx->args, "--if-exists")) {
            ctl_error(ctx, "no network named %s", name);
        }
        return;
    }

    bool force = ctl_args_get(&ctx->args, "--force") != NULL;
    size_t n = 0;
    const struct vnetrec_endpoint *ep, *first = NULL;
    VNETREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (ep->network == net) {
            first = first ? first : ep;
            n++;
            if (force) {
                vnetrec_endpoint_delete(ep);
            }
        }
    }
    if (n && !force) {
        ctl_error(ctx, "network %s has %"PRIuSIZE" endpoint%s (%s%s); detach "
                  "them or use --force", name, n, n > 1 ? "s" : "",
                  first->name, n > 1 ? ", ..." : "");
        return;
    }
    get_or_create_global(ctx);
    vnetrec_network_delete(net);
}

/* How many of an endpoint's MACs (vnet_mac_for_endpoint()) an attach that
 * reads only the rows that could clash may choose from. */
#define MAC_CANDIDATES 4

/* ctl_endpoints_lookup() for a MAC as written in lower and upper case (or
 * ctl_endpoints_lookup_later(), if 'later'). */
static void
endpoints_with_mac(struct ctl_context *ctx, const uint8_t mac[6], bool later)
{
    void (*lookup)(struct ctl_context *, const char *, const char *)
        = later ? ctl_endpoints_lookup_later : ctl_endpoints_lookup;
    char lower[18], upper[18];
    vnet_mac_format(mac, lower);
    for (size_t i = 0; i < sizeof upper; i++) {
        upper[i] = toupper((unsigned char) lower[i]);
    }
    lookup(ctx, "mac", lower);
    if (strcmp(lower, upper)) {
        lookup(ctx, "mac", upper);
    }
}

/* What attach ('in_netns') and port-add are asked for, as both their prepare
 * and run steps read it. */
struct endpoint_args {
    const char *net_name;
    const char *name;
    const char *ip_s;           /* --ip, --mac: NULL if not given. */
    const char *mac_s;
    const char *kind;           /* attach's --type; NULL for port-add, and for
                                 * an attach without it (its network's default
                                 * kind, never a tap). */
    bool tap, internal, trunk;
    const char *netns;          /* The namespace: NULL for a tap and for a
                                 * logical port. */
};

static void
endpoint_args_get(const struct ctl_context *ctx, bool in_netns,
                  struct endpoint_args *a)
{
    a->net_name = ctx->argv[1];
    a->name = ctx->argv[2];
    a->ip_s = ctl_args_get(&ctx->args, "--ip");
    a->mac_s = ctl_args_get(&ctx->args, "--mac");
    a->kind = in_netns ? ctl_args_get(&ctx->args, "--type") : NULL;
    a->tap = a->kind && !strcmp(a->kind, "tap");
    a->internal = a->kind && !strcmp(a->kind, "internal");
    a->trunk = a->kind && !strcmp(a->kind, "trunk");
    a->netns = in_netns && !a->tap ? opt_def(ctx, "--netns", a->name) : NULL;
}

/* attach and port-add read the rows that could clash with the new endpoint:
 * those with its name, its namespace, its IP, its MAC or one of the MACs it
 * may be given.  An attach without --ip reads them all: it takes the
 * network's lowest free IP. */
static void
endpoint_add_prepare(struct ctl_context *ctx, bool in_netns)
{
    struct endpoint_args a;
    endpoint_args_get(ctx, in_netns, &a);
    const char *net_name = a.net_name, *name = a.name;
    const char *ip_s = a.ip_s, *mac_s = a.mac_s;
    if (in_netns && !ip_s) {
        return;
    }

    /* (A row with its name is found by its namespace or its MAC, mostly;
     * else the NB's index on the name refuses the insert, and the rows with
     * the name are read for a try that says whose it is.) */
    ctl_endpoints_lookup_indexed(ctx, "name", name);
    if (a.netns) {
        ctl_endpoints_lookup(ctx, "netns", a.netns);
    }
    uint32_t ip;
    if (ip_s && vnet_ip_is_valid(ip_s, &ip)) {
        char buf[16];
        ctl_endpoints_lookup(ctx, "ip", vnet_ip_format(ip, buf));
    }
    uint8_t mac[6];
    if (mac_s) {
        if (vnet_mac_is_valid(mac_s, mac)) {
            endpoints_with_mac(ctx, mac, false);
        }
    } else if (in_netns) {
        /* The first is mostly free: the others are read if it is not. */
        for (unsigned int i = 0; i < MAC_CANDIDATES; i++) {
            vnet_mac_for_endpoint(net_name, name, i, mac);
            endpoints_with_mac(ctx, mac, i > 0);
        }
    }
}

/* vnet_mac_taken_func for the endpoints 'eps_'. */
static bool
endpoints_mac_taken(const uint8_t mac[6], const void *eps_)
{
    const struct ctl_endpoints *eps = eps_;
    for (size_t i = 0; i < eps->n; i++) {
        if (vnet_mac_string_equals(eps->eps[i].mac, mac)) {
            return true;
        }
    }
    return false;
}

void
attach_prepare(struct ctl_context *ctx)
{
    endpoint_add_prepare(ctx, true);
}

void
port_add_prepare(struct ctl_context *ctx)
{
    endpoint_add_prepare(ctx, false);
}

static void
endpoint_add(struct ctl_context *ctx, bool in_netns)
{
    struct endpoint_args a;
    endpoint_args_get(ctx, in_netns, &a);
    const char *net_name = a.net_name, *name = a.name, *kind = a.kind;
    const char *ip_s = a.ip_s, *mac_s = a.mac_s;
    bool tap = a.tap, internal = a.internal, trunk = a.trunk;
    const char *switch_name = ctl_args_get(&ctx->args, "--switch");
    const char *owner = ctl_args_get(&ctx->args, "--owner");
    const char *group = ctl_args_get(&ctx->args, "--group");
    if (kind && !tap && !internal && !trunk && strcmp(kind, "veth")) {
        ctl_error(ctx, "--type=%s: expected veth, trunk, internal or tap",
                  kind);
        return;
    }
    if (tap && ctl_args_get(&ctx->args, "--netns")) {
        ctl_error(ctx, "--netns is for --type=veth, trunk or internal: a tap "
                  "endpoint has no namespace");
        return;
    }
    if (!tap && (owner || group)) {
        ctl_error(ctx, "--owner and --group are for --type=tap");
        return;
    }
    if ((owner && !owner[0]) || (group && !group[0])) {
        ctl_error(ctx, "--owner and --group need a user or group");
        return;
    }
    const char *netns = a.netns;

    const struct vnetrec_network *net = network_by_name(ctx->idl, net_name);
    if (!net) {
        ctl_error(ctx, "no network named %s", net_name);
        return;
    }
    if (in_netns && !kind) {
        const char *type = smap_get(&net->options,
                                    VNET_NETWORK_ENDPOINT_TYPE_KEY);
        if (type && !vnet_network_endpoint_type_is_valid(type)) {
            ctl_error(ctx, "network %s's options:%s is \"%s\", not netns, "
                      "trunk or internal: give --type, or mend it with "
                      "net-set %s --endpoint-type=KIND", net->name,
                      VNET_NETWORK_ENDPOINT_TYPE_KEY, type, net->name);
            return;
        }
        internal = type && !strcmp(type, "internal");
        trunk = type && !strcmp(type, "trunk");
    }
    struct vnet_cidr cidr;
    unsigned int gateway;
    char *error = vnet_network_row_check(net, &cidr, &gateway);
    if (!error) {
        error = vnet_endpoint_check(name, netns, ip_s, mac_s, &cidr, gateway);
    }
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }

    const struct vnetrec_switch *sw = NULL;
    if (in_netns) {
        if (!switch_name) {
            ctl_error(ctx, "attach: --switch=SWITCH is required");
            return;
        }
        sw = switch_by_name(ctx->idl, switch_name);
        if (!sw) {
            ctl_error(ctx, "no switch named %s", switch_name);
            return;
        }
    } else if (switch_name && !switch_by_name(ctx->idl, switch_name)) {
        ctl_error(ctx, "no switch named %s", switch_name);
        return;
    }

    /* Names, namespaces, and the network's IPs and MACs are unique. */
    uint32_t ip = 0;
    uint8_t mac[6];
    if (ip_s) {
        vnet_ip_parse(ip_s, &ip);
    }
    if (mac_s) {
        vnet_mac_parse(mac_s, mac);
    }

    const struct ctl_endpoints *eps = ctl_endpoints_get(ctx->idl);
    for (size_t i = 0; i < eps->n; i++) {
        const struct ctl_endpoint *ep = &eps->eps[i];
        if (!strcmp(ep->name, name)) {
            ctl_error(ctx, "endpoint %s already exists", name);
        }
        if (netns && ep->netns && !strcmp(ep->netns, netns)) {
            ctl_error(ctx, "namespace %s is already used by endpoint %s",
                      netns, ep->name);
        }
        if (!uuid_equals(&ep->network, &net->header_.uuid)) {
            continue;
        }
        uint32_t other;
        if (ip_s && ep->ip && vnet_ip_is_valid(ep->ip, &other)
            && other == ip) {
            ctl_error(ctx, "IP %s is already used by endpoint %s in "
                      "network %s", ip_s, ep->name, net->name);
        }
        if (mac_s && vnet_mac_string_equals(ep->mac, mac)) {
            ctl_error(ctx, "MAC %s is already used by endpoint %s in network "
                      "%s", mac_s, ep->name, net->name);
        }
    }
    if (ctx->error) {
        return;
    }

    /* What is left out, as ovs-vnetd would fill it in. */
    char ip_buf[16], mac_buf[18];
    if (in_netns && !ip_s) {
        if (!vnet_alloc_endpoint_ip(ctx->idl, net, &cidr, gateway, &ip)) {
            ctl_error(ctx, "network %s has no free IP address", net->name);
            return;
        }
        ip_s = vnet_ip_format(ip, ip_buf);
    }
    if (in_netns && !mac_s) {
        /* The first MAC, then the others with the rows read for them (all
         * of them, if the command read every row). */
        unsigned int n = ctx->endpoints_named ? MAC_CANDIDATES : UINT_MAX;
        if (!vnet_alloc_endpoint_mac_of(net->name, name, 1,
                                        endpoints_mac_taken, eps, mac)
            && !vnet_alloc_endpoint_mac_of(net->name, name, n,
                                           endpoints_mac_taken,
                                           ctl_endpoints_get_later(ctx->idl),
                                           mac)) {
            ctl_error(ctx, "the MACs endpoint %s would get in network %s "
                      "are taken: give it one with --mac", name, net->name);
            return;
        }
        mac_s = vnet_mac_format(mac, mac_buf);
    }

    ctl_decides_on_reads(ctx);
    get_or_create_global(ctx);
    struct vnetrec_endpoint *row = vnetrec_endpoint_insert(ctx->txn);
    vnetrec_endpoint_set_name(row, name);
    vnetrec_endpoint_set_network(row, net);
    vnetrec_endpoint_set_type(row, tap ? "tap"
                                   : internal ? "internal"
                                   : trunk ? "trunk"
                                   : in_netns ? "netns" : "external");
    if (owner || group) {
        struct smap options = SMAP_INITIALIZER(&options);
        if (owner) {
            smap_add(&options, "owner", owner);
        }
        if (group) {
            smap_add(&options, "group", group);
        }
        vnetrec_endpoint_set_options(row, &options);
        smap_destroy(&options);
    }
    if (sw) {
        vnetrec_endpoint_set_switch_(row, sw);
    }
    if (ip_s) {
        vnetrec_endpoint_set_ip(row, ip_s);
    }
    if (mac_s) {
        vnetrec_endpoint_set_mac(row, mac_s);
    }
    if (netns) {
        vnetrec_endpoint_set_netns(row, netns);
    }
    ctl_endpoints_added(name, netns, &net->header_.uuid, ip_s, mac_s);
    if (ip_s || mac_s) {
        ds_put_format(&ctx->output, "%s%s%s\n", ip_s ? ip_s : "",
                      ip_s && mac_s ? " " : "", mac_s ? mac_s : "");
    }
}

void
cmd_attach(struct ctl_context *ctx)
{
    endpoint_add(ctx, true);
}

void
cmd_port_add(struct ctl_context *ctx)
{
    endpoint_add(ctx, false);
}

void
detach_prepare(struct ctl_context *ctx)
{
    ctl_endpoints_where(ctx, "name", ctx->argv[1]);
}

void
cmd_detach(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vnetrec_endpoint *ep = endpoint_by_name(ctx->idl, name);
    if (!ep) {
        if (!ctl_args_get(&ctx->args, "--if-exists")) {
            ctl_error(ctx, "no endpoint named %s", name);
        }
        return;
    }
    get_or_create_global(ctx);
    vnetrec_endpoint_delete(ep);
}

void
cmd_net_list(struct ctl_context *ctx)
{
    struct table t;
    size_t n;
    const struct vnetrec_network **list = networks_sorted(ctx->idl, &n);

    table_init(&t);
    table_add_column(&t, "name");
    table_add_column(&t, "cidr");
    table_add_column(&t, "gateway");
    table_add_column(&t, "segment");
    table_add_column(&t, "mtu");
    table_add_column(&t, "endpoints");
    for (size_t i = 0; i < n; i++) {
        size_t n_eps;
        free(endpoints_sorted(ctx->idl, list[i], &n_eps));
        table_add_row(&t);
        table_add_text(&t, list[i]->name);
        table_add_text(&t, list[i]->cidr);
        table_add_text(&t, list[i]->gateway);
        table_add_cell(&t)->text = xasprintf("%"PRId64, list[i]->segment_id);
        table_add_cell(&t)->text = xasprintf("%d",
                                             vnet_network_mtu(list[i]->mtu));
        table_add_cell(&t)->text = xasprintf("%"PRIuSIZE, n_eps);
    }
    free(list);
    print_table(ctx, &t);
}

void
cmd_ep_list(struct ctl_context *ctx)
{
    struct table t;
    size_t n;
    const struct vnetrec_endpoint **list = endpoints_sorted(ctx->idl, NULL, &n);

    table_init(&t);
    table_add_column(&t, "name");
    table_add_column(&t, "network");
    table_add_column(&t, "type");
    table_add_column(&t, "switch");
    table_add_column(&t, "ip");
    table_add_column(&t, "mac");
    table_add_column(&t, "ofport");
    table_add_column(&t, "up");
    table_add_column(&t, "last_error");
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_endpoint *ep = list[i];
        table_add_row(&t);
        table_add_text(&t, ep->name);
        table_add_text(&t, ep->network->name);
        table_add_text(&t, ep->type);
        table_add_text(&t, ep->location ? ep->location
                           : ep->switch_ ? ep->switch_->name : NULL);
        table_add_text(&t, ep->ip);
        table_add_text(&t, ep->mac);
        table_add_cell(&t)->text = ep->ofport
                                   ? xasprintf("%"PRId64, *ep->ofport)
                                   : xstrdup("");
        table_add_text(&t, ep->up ? "true" : "false");
        table_add_text(&t, ep->last_error);
    }
    free(list);
    print_table(ctx, &t);
}

/* Checks that 'net' may join 'r': its CIDR must not overlap those of the
 * router's other networks (a router could not tell them apart). */
static bool
router_net_fits(struct ctl_context *ctx, const struct vnetrec_router *r,
                const struct vnetrec_network *net)
{
    struct vnet_cidr a;
    char *error = vnet_cidr_parse(net->cidr, &a);
    if (error) {
        ctl_error(ctx, "network %s: %s", net->name, error);
        free(error);
        return false;
    }
    for (size_t i = 0; i < r->n_networks; i++) {
        struct vnet_cidr b;
        if (r->networks[i] == net || !r->networks[i]->cidr
            || (error = vnet_cidr_parse(r->networks[i]->cidr, &b))) {
            free(error);
            continue;
        }
        uint32_t mask = vnet_cidr_mask(a.plen < b.plen ? &a : &b);
        if ((a.net & mask) == (b.net & mask)) {
            ctl_error(ctx, "network %s (%s) overlaps network %s (%s) on "
                      "router %s", net->name, net->cidr, r->networks[i]->name,
                      r->networks[i]->cidr, r->name);
            return false;
        }
    }
    return true;
}

void
cmd_router_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    char *error = vnet_name_check("router", name);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    if (router_by_name(ctx->idl, name)) {
        if (!ctl_args_get(&ctx->args, "--may-exist")) {
            ctl_error(ctx, "router %s already exists", name);
        }
        return;
    }
    ctl_decides_on_reads(ctx);
    get_or_create_global(ctx);
    /* Its own segment (for traffic to its uplink's switch) and an even
     * conntrack zone: 'ct_zone' for NAT, the next one for hairpin. */
    int64_t zone = vnet_alloc_ct_zone(ctx->idl);
    if (!zone) {
        ctl_error(ctx, "no conntrack zone left for router %s", name);
        return;
    }
    struct vnetrec_router *r = vnetrec_router_insert(ctx->txn);
    vnetrec_router_set_name(r, name);
    vnetrec_router_set_segment_id(r, vnet_alloc_segment_id(ctx->idl));
    vnetrec_router_set_ct_zone(r, zone);
}

void
cmd_router_del(struct ctl_context *ctx)
{
    const struct vnetrec_router *r = router_by_name(ctx->idl, ctx->argv[1]);
    if (!r) {
        if (!ctl_args_get(&ctx->args, "--if-exists")) {
            ctl_error(ctx, "no router named %s", ctx->argv[1]);
        }
        return;
    }
    get_or_create_global(ctx);
    vnetrec_router_delete(r);
}

/* Finds the router argv[1] and the network argv[2] of a router command. */
static bool
router_and_network(struct ctl_context *ctx, const struct vnetrec_router **r,
                   const struct vnetrec_network **net)
{
    *r = router_by_name(ctx->idl, ctx->argv[1]);
    *net = network_by_name(ctx->idl, ctx->argv[2]);
    if (!*r) {
        ctl_error(ctx, "no router named %s", ctx->argv[1]);
    } else if (!*net) {
        ctl_error(ctx, "no network named %s", ctx->argv[2]);
    }
    return *r && *net;
}

void
cmd_router_attach(struct ctl_context *ctx)
{
    const struct vnetrec_router *r;
    const struct vnetrec_network *net;
    if (!router_and_network(ctx, &r, &net)) {
        return;
    }
    for (size_t i = 0; i < r->n_networks; i++) {
        if (r->networks[i] == net) {
            return;             /* Already there. */
        }
    }
    if (net->physnet) {
        ctl_error(ctx, "network %s is on physical network %s: its gateway is "
                  "on that LAN, not a router of ours", net->name,
                  net->physnet);
        return;
    }
    const struct vnetrec_router *other;
    VNETREC_ROUTER_FOR_EACH (other, ctx->idl) {
        for (size_t i = 0; other != r && i < other->n_networks; i++) {
            if (other->networks[i] == net) {
                ctl_error(ctx, "network %s is already on router %s",
                          net->name, other->name);
                return;
            }
        }
    }
    if (!router_net_fits(ctx, r, net)) {
        return;
    }
    ctl_decides_on_reads(ctx);
    get_or_create_global(ctx);
    vnetrec_router_update_networks_addvalue(r, net);
}

void
cmd_router_detach(struct ctl_context *ctx)
{
    const struct vnetrec_router *r;
    const struct vnetrec_network *net;
    if (!router_and_network(ctx, &r, &net)) {
        return;
    }
    get_or_create_global(ctx);
    vnetrec_router_update_networks_delvalue(r, net);
}

void
cmd_router_list(struct ctl_context *ctx)
{
    struct table t;
    size_t n;
    const struct vnetrec_router **list = routers_sorted(ctx->idl, &n);

    table_init(&t);
    table_add_column(&t, "name");
    table_add_column(&t, "networks");
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_router *r = list[i];
        struct sset names = SSET_INITIALIZER(&names);
        for (size_t j = 0; j < r->n_networks; j++) {
            sset_add(&names, r->networks[j]->name);
        }
        struct ds s = DS_EMPTY_INITIALIZER;
        const char **sorted = sset_sort(&names);
        for (size_t j = 0; j < sset_count(&names); j++) {
            ds_put_format(&s, "%s%s", j ? " " : "", sorted[j]);
        }
        free(sorted);
        sset_destroy(&names);
        table_add_row(&t);
        table_add_text(&t, r->name);
        table_add_cell(&t)->text = ds_steal_cstr(&s);
    }
    free(list);
    print_table(ctx, &t);
}
