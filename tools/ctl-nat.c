/* ovs-vnet-ctl: router uplinks and NAT rules. */
#include <config.h>
#include "tools/ctl.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/addr.h"
#include "ovsdb/names.h"
#include "ovsdb/nat.h"
#include "util.h"

/* The uplink address of 'r' (host byte order), or 0 without a valid one. */
static uint32_t
uplink_address(const struct vnetrec_router *r)
{
    struct vnet_uplink up;
    char *error = vnet_uplink_parse(r->uplink_ip, r->uplink_nexthop, &up);
    free(error);
    return error ? 0 : up.ip;
}

void
cmd_router_uplink(struct ctl_context *ctx)
{
    const struct vnetrec_router *r = router_by_name(ctx->idl, ctx->argv[1]);
    const struct vnetrec_switch *sw = switch_by_name(ctx->idl, ctx->argv[2]);
    const char *iface = ctx->argv[3];
    const char *ip = ctl_args_get(&ctx->args, "--ip");
    const char *nexthop = ctl_args_get(&ctx->args, "--nexthop");
    char *error = vnet_ifname_check(iface);
    if (!error) {
        struct vnet_uplink up;
        error = vnet_uplink_parse(ip, nexthop, &up);
    }
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    if (!r) {
        ctl_error(ctx, "no router named %s", ctx->argv[1]);
        return;
    }
    if (!sw) {
        ctl_error(ctx, "no switch named %s", ctx->argv[2]);
        return;
    }
    error = vnet_uplink_iface_check(iface, sw->bridge, sw->underlay);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    const struct smap_node *pn;
    SMAP_FOR_EACH (pn, &sw->physnets) {
        if (!strcmp(pn->value, iface)) {
            ctl_error(ctx, "%s on switch %s is physical network %s's", iface,
                      sw->name, pn->key);
            return;
        }
    }
    const struct vnetrec_router *other;
    VNETREC_ROUTER_FOR_EACH (other, ctx->idl) {
        if (other != r && other->uplink_switch == sw && other->uplink_iface
            && !strcmp(other->uplink_iface, iface)) {
            ctl_error(ctx, "%s on switch %s is already the uplink of router "
                      "%s", iface, sw->name, other->name);
            return;
        }
    }
    ctl_decides_on_reads(ctx);
    get_or_create_global(ctx);
    vnetrec_router_set_uplink_switch(r, sw);
    vnetrec_router_set_uplink_iface(r, iface);
    vnetrec_router_set_uplink_ip(r, ip);
    vnetrec_router_set_uplink_nexthop(r, nexthop);
}

void
cmd_router_uplink_del(struct ctl_context *ctx)
{
    const struct vnetrec_router *r = router_by_name(ctx->idl, ctx->argv[1]);
    if (!r) {
        ctl_error(ctx, "no router named %s", ctx->argv[1]);
        return;
    }
    get_or_create_global(ctx);
    vnetrec_router_set_uplink_switch(r, NULL);
    vnetrec_router_set_uplink_iface(r, NULL);
    vnetrec_router_set_uplink_ip(r, NULL);
    vnetrec_router_set_uplink_nexthop(r, NULL);
}

/* An address argument: an IP, or the name of an endpoint with one. */
static char *
address_arg(struct ctl_context *ctx, const char *s, char buf[16])
{
    uint32_t ip;
    char *error = vnet_ip_parse(s, &ip);
    if (!error) {
        return vnet_ip_format(ip, buf);
    }
    free(error);
    const struct vnetrec_endpoint *ep = endpoint_by_name(ctx->idl, s);
    if (!ep) {
        ctl_error(ctx, "\"%s\" is neither an IP address nor an endpoint", s);
        return NULL;
    }
    if (!ep->ip) {
        ctl_error(ctx, "endpoint %s has no fixed IP", s);
        return NULL;
    }
    /* Any OVSDB client may have written the row: parse it like an
     * argument. */
    error = vnet_ip_parse(ep->ip, &ip);
    if (error) {
        ctl_error(ctx, "endpoint %s: its IP: %s", s, error);
        free(error);
        return NULL;
    }
    return vnet_ip_format(ip, buf);
}

/* The rule a nat-add or nat-del command names, as NAT row columns.  argv:
 * ROUTER TYPE, then for snat NET|CIDR; for dnat PROTO PORT [TARGET[:PORT]];
 * for fip FLOATING-IP [TARGET].  TARGET only with 'with_target'. */
struct nat_cols {
    const char *type;
    const char *external_ip;    /* NULL: the uplink's. */
    char logical_ip[40];
    const char *protocol;
    int64_t external_port, logical_port;
};

static bool
nat_args(struct ctl_context *ctx, bool with_target, struct nat_cols *c)
{
    memset(c, 0, sizeof *c);
    c->type = ctx->argv[2];
    c->external_ip = ctl_args_get(&ctx->args, "--external-ip");
    int need;
    enum vnet_nat_type type;
    if (!vnet_nat_type_parse(c->type, &type)) {
        ctl_error(ctx, "unknown NAT type \"%s\" (snat, dnat or fip)", c->type);
        return false;
    }
    need = type == VNET_NAT_SNAT ? 4 : type == VNET_NAT_DNAT
           ? (with_target ? 6 : 5) : (with_target ? 5 : 4);
    if (ctx->argc != need) {
        ctl_error(ctx, "%s %s takes %d arguments after the router",
                  ctx->argv[0], c->type, need - 2);
        return false;
    }
    char buf[16];
    if (type == VNET_NAT_SNAT) {
        const struct vnetrec_network *net = network_by_name(ctx->idl,
                                                            ctx->argv[3]);
        snprintf(c->logical_ip, sizeof c->logical_ip, "%s",
                 net ? net->cidr : ctx->argv[3]);
    } else if (type == VNET_NAT_DNAT) {
        c->protocol = ctx->argv[3];
        int port;
        if (!parse_number_option(ctx, "port", ctx->argv[4], 1, 65535, &port)) {
            return false;
        }
        c->external_port = port;
        if (with_target) {
            char *target = xstrdup(ctx->argv[5]);
            char *colon = strchr(target, ':');
            if (colon) {
                *colon = '\0';
                if (!parse_number_option(ctx, "port", colon + 1, 1, 65535,
                                         &port)) {
                    free(target);
                    return false;
                }
            }
            c->logical_port = port;
            bool ok = address_arg(ctx, target, buf) != NULL;
            free(target);
            if (!ok) {
                return false;
            }
            strcpy(c->logical_ip, buf);
        } else {
            strcpy(c->logical_ip, "0.0.0.0");
        }
    } else {
        if (c->external_ip) {
            ctl_error(ctx, "fip takes the floating IP as an argument, not "
                      "--external-ip");
            return false;
        }
        c->external_ip = ctx->argv[3];
        if (with_target) {
            if (!address_arg(ctx, ctx->argv[4], buf)) {
                return false;
            }
            strcpy(c->logical_ip, buf);
        } else {
            strcpy(c->logical_ip, "0.0.0.0");
        }
    }
    return true;
}

/* Finds the rule of 'r' that 'want' names, or NULL. */
static const struct vnetrec_nat *
find_rule(const struct vnetrec_router *r, const struct vnet_nat *want)
{
    uint32_t uplink = uplink_address(r);
    for (size_t i = 0; i < r->n_nat; i++) {
        const struct vnetrec_nat *row = r->nat[i];
        struct vnet_nat have;
        char *error = vnet_nat_parse(row->type, row->external_ip,
                                     row->logical_ip, row->protocol,
                                     row->external_port, row->logical_port,
                                     &have);
        if (!error && vnet_nat_same_rule(&have, want, uplink)) {
            return row;
        }
        free(error);
    }
    return NULL;
}

/* True if 'ip' is on one of the networks of 'r'. */
static bool
router_has_address(const struct vnetrec_router *r, uint32_t ip)
{
    for (size_t i = 0; i < r->n_networks; i++) {
        struct vnet_cidr cidr;
        char *error = vnet_cidr_parse(r->networks[i]->cidr, &cidr);
        if (!error && vnet_cidr_contains(&cidr, ip)) {
            return true;
        }
        free(error);
    }
    return false;
}

/* The router and the rule of a nat-add or nat-del command, checked. */
static bool
nat_rule_args(struct ctl_context *ctx, bool with_target,
              const struct vnetrec_router **r, struct nat_cols *c,
              struct vnet_nat *nat)
{
    *r = router_by_name(ctx->idl, ctx->argv[1]);
    if (!*r) {
        ctl_error(ctx, "no router named %s", ctx->argv[1]);
        return false;
    }
    if (!nat_args(ctx, with_target, c)) {
        return false;
    }
    char *error = vnet_nat_parse(c->type, c->external_ip, c->logical_ip,
                                 c->protocol, c->external_port,
                                 c->logical_port, nat);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return false;
    }
    return true;
}

void
cmd_nat_add(struct ctl_context *ctx)
{
    const struct vnetrec_router *r;
    struct nat_cols c;
    struct vnet_nat nat;
    if (!nat_rule_args(ctx, true, &r, &c, &nat)) {
        return;
    }
    if (!nat.has_external && !uplink_address(r)) {
        ctl_error(ctx, "router %s has no uplink: give --external-ip", r->name);
        return;
    }
    if (nat.type != VNET_NAT_SNAT && !router_has_address(r, nat.logical)) {
        ctl_error(ctx, "%s is on none of router %s's networks", c.logical_ip,
                  r->name);
        return;
    }
    if (find_rule(r, &nat)) {
        if (!ctl_args_get(&ctx->args, "--may-exist")) {
            ctl_error(ctx, "router %s already has that %s rule", r->name,
                      c.type);
        }
        return;
    }
    ctl_decides_on_reads(ctx);
    get_or_create_global(ctx);
    struct vnetrec_nat *row = vnetrec_nat_insert(ctx->txn);
    vnetrec_nat_set_type(row, c.type);
    vnetrec_nat_set_external_ip(row, c.external_ip);
    vnetrec_nat_set_logical_ip(row, c.logical_ip);
    vnetrec_nat_set_protocol(row, c.protocol);
    vnetrec_nat_set_external_port(row, c.external_port);
    vnetrec_nat_set_logical_port(row, nat.type == VNET_NAT_DNAT
                                      ? nat.logical_port : 0);
    vnetrec_router_update_nat_addvalue(r, row);
}

void
cmd_nat_del(struct ctl_context *ctx)
{
    const struct vnetrec_router *r;
    struct nat_cols c;
    struct vnet_nat nat;
    if (!nat_rule_args(ctx, false, &r, &c, &nat)) {
        return;
    }
    const struct vnetrec_nat *row = find_rule(r, &nat);
    if (!row) {
        if (!ctl_args_get(&ctx->args, "--if-exists")) {
            ctl_error(ctx, "router %s has no such %s rule", r->name, c.type);
        }
        return;
    }
    get_or_create_global(ctx);
    vnetrec_router_update_nat_delvalue(r, row);
}

char *
nat_format_external(const struct vnetrec_router *r,
                    const struct vnetrec_nat *row)
{
    const char *ip = row->external_ip;
    struct ds s = DS_EMPTY_INITIALIZER;
    if (ip) {
        ds_put_cstr(&s, ip);
    } else {
        char *slash = r->uplink_ip ? strchr(r->uplink_ip, '/') : NULL;
        ds_put_format(&s, "%.*s", slash ? (int) (slash - r->uplink_ip) : 6,
                      slash ? r->uplink_ip : "uplink");
    }
    if (row->protocol) {
        ds_put_format(&s, ":%s/%"PRId64, row->protocol, row->external_port);
    }
    return ds_steal_cstr(&s);
}

char *
nat_format_internal(const struct vnetrec_nat *row)
{
    if (row->protocol) {
        return xasprintf("%s:%"PRId64, row->logical_ip, row->logical_port);
    }
    return xstrdup(row->logical_ip);
}

void
cmd_nat_list(struct ctl_context *ctx)
{
    struct table t;
    size_t n;
    const struct vnetrec_router **list = routers_sorted(ctx->idl, &n);
    const char *only = ctx->argc > 1 ? ctx->argv[1] : NULL;
    if (only && !router_by_name(ctx->idl, only)) {
        ctl_error(ctx, "no router named %s", only);
        free(list);
        return;
    }

    table_init(&t);
    table_add_column(&t, "router");
    table_add_column(&t, "type");
    table_add_column(&t, "external");
    table_add_column(&t, "internal");
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_router *r = list[i];
        if (only && strcmp(r->name, only)) {
            continue;
        }
        const struct vnetrec_nat **rules = nat_sorted(r);
        for (size_t j = 0; j < r->n_nat; j++) {
            table_add_row(&t);
            table_add_text(&t, r->name);
            table_add_text(&t, rules[j]->type);
            table_add_cell(&t)->text = nat_format_external(r, rules[j]);
            table_add_cell(&t)->text = nat_format_internal(rules[j]);
        }
        free(rules);
    }
    free(list);
    print_table(ctx, &t);
}
