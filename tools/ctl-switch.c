/* ovs-vnet-ctl: switch commands (init, connect, switch-set, disconnect,
 * switch-list). */
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
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/validate.h"
#include "smap.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

/* Checks --encap-ip, --encap-type and --underlay (each may be NULL). */
static bool
check_encap_options(struct ctl_context *ctx, const char *encap_ip,
                    const char *encap_type, const char *underlay)
{
    if (encap_type && strcmp(encap_type, "vxlan")
        && strcmp(encap_type, "geneve") && strcmp(encap_type, "udp")) {
        ctl_error(ctx, "--encap-type=%s: expected vxlan, geneve or udp",
                  encap_type);
        return false;
    }
    if (encap_ip) {
        uint32_t ip;
        char *error = vnet_ip_parse(encap_ip, &ip);
        if (error) {
            ctl_error(ctx, "--encap-ip=%s: not an IPv4 address", encap_ip);
            free(error);
            return false;
        }
    }
    if (underlay) {
        char *error = vnet_ifname_check(underlay);
        if (error) {
            ctl_error(ctx, "--underlay: %s", error);
            free(error);
            return false;
        }
    }
    return true;
}

/* Applies every --physnet=PHYS:IFACE option to 'map' (physical network ->
 * interface): PHYS:IFACE maps PHYS to IFACE, "PHYS:" removes PHYS.  The
 * interfaces must be names the switch (bridge 'bridge', underlay 'underlay')
 * does not use already, each for one physical network, and no router's
 * uplink on switch 'sw' (NULL: a new switch). */
static bool
apply_physnet_options(struct ctl_context *ctx, const struct vnetrec_switch *sw,
                      const char *bridge, const char *underlay,
                      struct smap *map)
{
    for (size_t i = 0; i < ctx->args.n_opts; i++) {
        const struct ctl_option *o = &ctx->args.opts[i];
        if (strcmp(o->key, "--physnet")) {
            continue;
        }
        const char *colon = o->value ? strchr(o->value, ':') : NULL;
        if (!colon) {
            ctl_error(ctx, "--physnet=%s: expected PHYS:IFACE (or PHYS: to "
                      "remove PHYS)", o->value ? o->value : "");
            return false;
        }
        char *physnet = xmemdup0(o->value, colon - o->value);
        const char *iface = colon + 1;
        char *error = (*iface
                       ? vnet_physnet_mapping_check(physnet, iface)
                       : vnet_name_check("physical network", physnet));
        if (!error && *iface) {
            error = vnet_uplink_iface_check(iface, bridge, underlay);
        }
        if (error) {
            ctl_error(ctx, "--physnet=%s: %s", o->value, error);
            free(error);
            free(physnet);
            return false;
        }
        if (*iface) {
            smap_replace(map, physnet, iface);
        } else {
            smap_remove(map, physnet);
        }
        free(physnet);
    }

    struct sset ifaces = SSET_INITIALIZER(&ifaces);
    const struct smap_node *node;
    bool ok = true;
    SMAP_FOR_EACH (node, map) {
        if (!sset_add(&ifaces, node->value)) {
            ctl_error(ctx, "%s is mapped to two physical networks",
                      node->value);
            ok = false;
            break;
        }
    }
    const struct vnetrec_router *rt;
    if (ok && sw) {
        VNETREC_ROUTER_FOR_EACH (rt, ctx->idl) {
            if (rt->uplink_switch == sw && rt->uplink_iface
                && sset_contains(&ifaces, rt->uplink_iface)) {
                ctl_error(ctx, "%s is the uplink of router %s",
                          rt->uplink_iface, rt->name);
                ok = false;
                break;
            }
        }
    }
    sset_destroy(&ifaces);
    return ok;
}

void
cmd_sync(struct ctl_context *ctx)
{
    get_or_create_global(ctx);
}

void
cmd_init(struct ctl_context *ctx)
{
    const struct vnetrec_vnet_global *g = get_or_create_global(ctx);
    if (g && ctx->txn) {
        ensure_relay_key(g);
    }
}

/* Asks the switch at 'remote' for its system-id and host name, to name it. */
void
connect_prepare(struct ctl_context *ctx)
{
    const char *remote = ctx->argv[1];
    const char *name = ctl_args_get(&ctx->args, "--name");
    struct vnet_remote r;

    char *error = vnet_remote_parse(remote, &r);
    if (error) {
        ctl_fatal("%s", error);
    }
    vnet_remote_destroy(&r);

    if (name) {
        ctx->aux = xstrdup(name);
        return;
    }

    /* Give the switch 5 seconds unless -t says otherwise. */
    long long int saved = deadline;
    if (deadline == LLONG_MAX) {
        deadline = time_msec() + 5000;
    }
    struct ovsdb_idl *idl = ovsdb_idl_create(remote, &ovsrec_idl_class,
                                             false, false);
    ovsdb_idl_add_table(idl, &ovsrec_table_open_vswitch);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_external_ids);
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)) {
            break;
        }
        if (!ovsdb_idl_is_alive(idl) || time_msec() >= deadline) {
            int err = ovsdb_idl_get_last_error(idl);
            ctl_fatal("%s: cannot reach the switch to name it (%s); "
                      "give --name=NAME", remote,
                      err ? ovs_retval_to_string(err) : "timeout");
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    deadline = saved;

    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(idl);
    char *derived = ovs
        ? vnet_switch_default_name(smap_get(&ovs->external_ids, "system-id"),
                                   smap_get(&ovs->external_ids, "hostname"))
        : NULL;
    if (!derived && !strncmp(remote, "unix:", 5)) {
        /* A switch on this machine that does not say: this host's name. */
        char host[256];
        if (!gethostname(host, sizeof host)) {
            host[sizeof host - 1] = '\0';
            derived = vnet_switch_default_name(NULL, host);
        }
    }
    ovsdb_idl_destroy(idl);
    if (!derived) {
        ctl_fatal("%s: the switch has no system-id or hostname to name it "
                  "by; give --name=NAME", remote);
    }
    ctx->aux = derived;
}

/* --offload=auto|off: true if absent or valid. */
static bool
check_offload_option(struct ctl_context *ctx, const char *offload)
{
    if (offload && !vnet_offload_is_valid(offload)) {
        ctl_error(ctx, "--offload=%s: expected auto or off", offload);
        return false;
    }
    return true;
}

void
cmd_connect(struct ctl_context *ctx)
{
    const char *remote = ctx->argv[1];
    const char *name = ctx->aux;
    const char *bridge = opt_def(ctx, "--bridge", VNET_DEFAULT_BRIDGE);
    const char *datapath = opt_def(ctx, "--datapath", "auto");
    const char *encap_ip = ctl_args_get(&ctx->args, "--encap-ip");
    const char *encap_type = opt_def(ctx, "--encap-type", "vxlan");
    const char *underlay = ctl_args_get(&ctx->args, "--underlay");
    const char *offload = ctl_args_get(&ctx->args, "--offload");

    char *error = vnet_switch_check(name, remote, bridge);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    if (strcmp(datapath, "auto") && strcmp(datapath, "system")
        && strcmp(datapath, "netdev")) {
        ctl_error(ctx, "--datapath=%s: expected auto, system or netdev",
                  datapath);
        return;
    }
    struct smap physnets = SMAP_INITIALIZER(&physnets);
    if (!check_encap_options(ctx, encap_ip, encap_type, underlay)
        || !check_offload_option(ctx, offload)
        || !apply_physnet_options(ctx, NULL, bridge, underlay, &physnets)) {
        smap_destroy(&physnets);
        return;
    }

    struct vnet_remote r;
    error = vnet_remote_parse(remote, &r);
    ovs_assert(!error);
    char *canonical = vnet_remote_to_string(&r);
    vnet_remote_destroy(&r);

    const struct vnetrec_switch *sw;
    VNETREC_SWITCH_FOR_EACH (sw, ctx->idl) {
        if (!strcmp(sw->name, name)) {
            ctl_error(ctx, "switch %s already exists (remote %s)", name,
                      sw->remote);
        } else if (!strcmp(sw->remote, canonical)) {
            ctl_error(ctx, "%s is already connected as switch %s",
                      canonical, sw->name);
        }
    }
    if (ctx->error) {
        free(canonical);
        smap_destroy(&physnets);
        return;
    }

    get_or_create_global(ctx);
    struct vnetrec_switch *row = vnetrec_switch_insert(ctx->txn);
    vnetrec_switch_set_physnets(row, &physnets);
    smap_destroy(&physnets);
    vnetrec_switch_set_name(row, name);
    vnetrec_switch_set_remote(row, canonical);
    vnetrec_switch_set_bridge(row, bridge);
    vnetrec_switch_set_datapath_type(row, datapath);
    vnetrec_switch_set_encap_type(row, encap_type);
    vnetrec_switch_set_of_state(row, "closed");
    if (encap_ip) {
        vnetrec_switch_set_encap_ip(row, encap_ip);
    }
    if (underlay) {
        vnetrec_switch_set_underlay(row, underlay);
    }
    if (offload && strcmp(offload, VNET_OFFLOAD_DEFAULT)) {
        vnetrec_switch_update_options_setkey(row, VNET_OFFLOAD_KEY, offload);
    }
    ds_put_format(&ctx->output, "%s\n", name);
    free(canonical);
}

void
cmd_switch_set(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vnetrec_switch *sw = switch_by_name(ctx->idl, name);
    const char *encap_ip = ctl_args_get(&ctx->args, "--encap-ip");
    const char *encap_type = ctl_args_get(&ctx->args, "--encap-type");
    const char *underlay = ctl_args_get(&ctx->args, "--underlay");
    const char *offload = ctl_args_get(&ctx->args, "--offload");

    if (!sw) {
        ctl_error(ctx, "no switch named %s", name);
        return;
    }
    if (!check_encap_options(ctx, encap_ip && *encap_ip ? encap_ip : NULL,
                             encap_type,
                             underlay && *underlay ? underlay : NULL)
        || !check_offload_option(ctx, offload)) {
        return;
    }
    if (ctl_args_get(&ctx->args, "--physnet")) {
        struct smap physnets;
        smap_clone(&physnets, &sw->physnets);
        const char *new_underlay = underlay ? underlay : sw->underlay;
        bool ok = apply_physnet_options(ctx, sw, sw->bridge,
                                        new_underlay && *new_underlay
                                        ? new_underlay : NULL, &physnets);
        if (ok) {
            vnetrec_switch_set_physnets(sw, &physnets);
        }
        smap_destroy(&physnets);
        if (!ok) {
            return;
        }
    }
    get_or_create_global(ctx);
    if (encap_ip) {
        vnetrec_switch_set_encap_ip(sw, *encap_ip ? encap_ip : NULL);
    }
    if (encap_type) {
        vnetrec_switch_set_encap_type(sw, encap_type);
    }
    if (underlay) {
        vnetrec_switch_set_underlay(sw, *underlay ? underlay : NULL);
    }
    if (offload && !strcmp(offload, VNET_OFFLOAD_DEFAULT)) {
        vnetrec_switch_update_options_delkey(sw, VNET_OFFLOAD_KEY);
    } else if (offload) {
        vnetrec_switch_update_options_setkey(sw, VNET_OFFLOAD_KEY, offload);
    }
}

void
cmd_disconnect(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vnetrec_switch *sw = switch_by_name(ctx->idl, name);

    if (!sw) {
        if (!ctl_args_get(&ctx->args, "--if-exists")) {
            ctl_error(ctx, "no switch named %s", name);
        }
        return;
    }
    const struct vnetrec_endpoint *ep;
    size_t n = 0;
    bool force = ctl_args_get(&ctx->args, "--force") != NULL;
    VNETREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (ep->switch_ == sw) {
            n++;
            if (force) {
                vnetrec_endpoint_delete(ep);
            }
        }
    }
    if (n && !force) {
        ctl_error(ctx, "switch %s has %"PRIuSIZE" endpoint%s attached; detach "
                  "them or use --force", name, n, n > 1 ? "s" : "");
        return;
    }
    get_or_create_global(ctx);
    vnetrec_switch_delete(sw);
}

void
cmd_switch_list(struct ctl_context *ctx)
{
    struct table t;
    size_t n;
    const struct vnetrec_switch **list = switches_sorted(ctx->idl, &n);

    table_init(&t);
    table_add_column(&t, "name");
    table_add_column(&t, "remote");
    table_add_column(&t, "bridge");
    table_add_column(&t, "datapath");
    table_add_column(&t, "connected");
    table_add_column(&t, "openflow");
    table_add_column(&t, "datapath_id");
    table_add_column(&t, "last_error");
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_switch *sw = list[i];
        const char *dp = smap_get(&sw->status, VNET_STATUS_DATAPATH_TYPE);
        table_add_row(&t);
        table_add_text(&t, sw->name);
        table_add_text(&t, sw->remote);
        table_add_text(&t, sw->bridge);
        table_add_text(&t, dp ? dp : sw->datapath_type);
        table_add_text(&t, sw->connected ? "true" : "false");
        table_add_text(&t, sw->of_state);
        table_add_text(&t, sw->datapath_id);
        table_add_text(&t, sw->last_error);
    }
    free(list);

    struct table_style style = table_style;
    if (!format_given) {
        style.format = TF_TABLE;
    }
    table_format(&t, &style, &ctx->output);
    table_destroy(&t);
}
