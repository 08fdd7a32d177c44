/* ovs-vnet-ctl: the ovs-vnet command line.
 *
 * In the ovs-vsctl/ovn-nbctl tradition: one command per invocation, read and
 * written in one transaction on the NB database, pretty output for people and
 * -f json for scripts, errors on stderr with exit status 1 and the database left
 * unchanged.  --wait makes a command return only once ovs-vnetd reports every
 * switch in line with it (VNet_Global nb_cfg against each Switch applied_cfg). */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "byte-order.h"
#include "command-line.h"
#include "dirs.h"
#include "flows/pipeline.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vconn.h"
#include "fatal-signal.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/addr.h"
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "smap.h"
#include "stream-ssl.h"
#include "stream.h"
#include "sset.h"
#include "table.h"
#include "tools/ctl-args.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(vnet_ctl);

/* Global options. */
static char *db;
static int timeout_secs;
static bool wait_for_switches;
static bool dry_run;
static struct table_style table_style = TABLE_STYLE_DEFAULT;
static bool format_given;

/* Deadline for the whole command (LLONG_MAX: none). */
static long long int deadline = LLONG_MAX;

struct ctl_context {
    struct ovsdb_idl *idl;
    struct ovsdb_idl_txn *txn;  /* NULL for read-only commands. */
    int argc;
    char **argv;                /* Positional arguments (argv[0]: command). */
    struct ctl_args args;       /* Command options: ctl_args_get(). */
    struct ds output;
    char *error;                /* Set by a command that fails. */
    void *aux;                  /* From the command's prepare step. */
};

typedef void ctl_run_func(struct ctl_context *);
typedef void ctl_prepare_func(struct ctl_context *);

struct ctl_command {
    const char *name;
    int min_args, max_args;     /* Positional, not counting the name. */
    const char *options;        /* Accepted options: "--a=,--b" ('=' takes a
                                 * value). */
    bool writes;
    ctl_prepare_func *prepare;  /* Before connecting to the NB database. */
    ctl_run_func *run;
    const char *usage;
    const char *help;
};

static const struct ctl_command *find_command(const char *name);
static void usage(void) OVS_NO_RETURN;

static void OVS_PRINTF_FORMAT(1, 2) OVS_NO_RETURN
ctl_fatal(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    char *msg = xvasprintf(format, args);
    va_end(args);
    fprintf(stderr, "%s: %s\n", program_name, msg);
    free(msg);
    exit(EXIT_FAILURE);
}

static void OVS_PRINTF_FORMAT(2, 3)
ctl_error(struct ctl_context *ctx, const char *format, ...)
{
    va_list args;

    if (ctx->error) {
        return;
    }
    va_start(args, format);
    ctx->error = xvasprintf(format, args);
    va_end(args);
}

static void
check_deadline(const char *doing)
{
    if (time_msec() >= deadline) {
        ctl_fatal("timeout after %d seconds %s", timeout_secs, doing);
    }
}

static void
wait_deadline(void)
{
    if (deadline != LLONG_MAX) {
        poll_timer_wait_until(deadline);
    }
}

/* Connects 'idl' and waits for its first full contents.  Fails with a one-line
 * message if the database cannot be reached. */
static void
idl_wait_connected(struct ovsdb_idl *idl, const char *what, const char *remote)
{
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)) {
            return;
        }
        if (!ovsdb_idl_is_alive(idl)) {
            int error = ovsdb_idl_get_last_error(idl);
            ctl_fatal("%s: %s connection failed (%s)", remote, what,
                      error ? ovs_retval_to_string(error) : "closed");
        }
        char *doing = xasprintf("connecting to %s %s", what, remote);
        check_deadline(doing);
        free(doing);
        ovsdb_idl_wait(idl);
        wait_deadline();
        poll_block();
    }
}

/* Output helpers. */

static void
table_add_text(struct table *t, const char *text)
{
    table_add_cell(t)->text = xstrdup(text ? text : "");
}

static const struct vnetrec_switch *
switch_by_name(struct ovsdb_idl *idl, const char *name)
{
    const struct vnetrec_switch *sw;
    VNETREC_SWITCH_FOR_EACH (sw, idl) {
        if (!strcmp(sw->name, name)) {
            return sw;
        }
    }
    return NULL;
}


static const struct vnetrec_network *
network_by_name(struct ovsdb_idl *idl, const char *name)
{
    const struct vnetrec_network *net;
    VNETREC_NETWORK_FOR_EACH (net, idl) {
        if (!strcmp(net->name, name)) {
            return net;
        }
    }
    return NULL;
}

static const struct vnetrec_endpoint *
endpoint_by_name(struct ovsdb_idl *idl, const char *name)
{
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (!strcmp(ep->name, name)) {
            return ep;
        }
    }
    return NULL;
}

/* Parses a whole number from 'min' to 'max' given as option 'opt'. */
static bool
parse_number_option(struct ctl_context *ctx, const char *opt, const char *s,
                    int min, int max, int *value)
{
    if (!str_to_int(s, 10, value) || *value < min || *value > max) {
        ctl_error(ctx, "%s=%s: expected a number from %d to %d", opt, s, min,
                  max);
        return false;
    }
    return true;
}

static const struct vnetrec_switch **
switches_sorted(struct ovsdb_idl *idl, size_t *n)
{
    struct shash by_name = SHASH_INITIALIZER(&by_name);
    const struct vnetrec_switch *sw;

    VNETREC_SWITCH_FOR_EACH (sw, idl) {
        shash_add(&by_name, sw->name, sw);
    }
    const struct shash_node **nodes = shash_sort(&by_name);
    *n = shash_count(&by_name);
    const struct vnetrec_switch **list = xmalloc((*n + 1) * sizeof *list);
    for (size_t i = 0; i < *n; i++) {
        list[i] = nodes[i]->data;
    }
    free(nodes);
    shash_destroy(&by_name);
    return list;
}

static const struct vnetrec_vnet_global *
get_or_create_global(struct ctl_context *ctx)
{
    const struct vnetrec_vnet_global *g = vnetrec_vnet_global_first(ctx->idl);
    if (!g && ctx->txn) {
        g = vnetrec_vnet_global_insert(ctx->txn);
    }
    return g;
}

static const char *
opt_def(const struct ctl_context *ctx, const char *key, const char *def)
{
    const char *value = ctl_args_get(&ctx->args, key);
    return value ? value : def;
}

static bool check_encap_options(struct ctl_context *, const char *encap_ip,
                                const char *encap_type, const char *underlay);

/* "init". */

static void
cmd_init(struct ctl_context *ctx)
{
    get_or_create_global(ctx);
}

/* "connect REMOTE". */

/* Asks the switch at 'remote' for its system-id and host name, to name it. */
static void
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

static void
cmd_connect(struct ctl_context *ctx)
{
    const char *remote = ctx->argv[1];
    const char *name = ctx->aux;
    const char *bridge = opt_def(ctx, "--bridge", VNET_DEFAULT_BRIDGE);
    const char *datapath = opt_def(ctx, "--datapath", "auto");
    const char *encap_ip = ctl_args_get(&ctx->args, "--encap-ip");
    const char *encap_type = opt_def(ctx, "--encap-type", "vxlan");
    const char *rundir = ctl_args_get(&ctx->args, "--rundir");
    const char *underlay = ctl_args_get(&ctx->args, "--underlay");

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
    if (!check_encap_options(ctx, encap_ip, encap_type, underlay)) {
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
        return;
    }

    get_or_create_global(ctx);
    struct vnetrec_switch *row = vnetrec_switch_insert(ctx->txn);
    vnetrec_switch_set_name(row, name);
    vnetrec_switch_set_remote(row, canonical);
    vnetrec_switch_set_bridge(row, bridge);
    vnetrec_switch_set_datapath_type(row, datapath);
    vnetrec_switch_set_encap_type(row, encap_type);
    vnetrec_switch_set_of_state(row, "closed");
    if (encap_ip) {
        vnetrec_switch_set_encap_ip(row, encap_ip);
    }
    if (rundir) {
        vnetrec_switch_update_options_setkey(row, "rundir", rundir);
    }
    if (underlay) {
        vnetrec_switch_set_underlay(row, underlay);
    }
    ds_put_format(&ctx->output, "%s\n", name);
    free(canonical);
}

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

/* "switch-set NAME". */

static void
cmd_switch_set(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const struct vnetrec_switch *sw = switch_by_name(ctx->idl, name);
    const char *encap_ip = ctl_args_get(&ctx->args, "--encap-ip");
    const char *encap_type = ctl_args_get(&ctx->args, "--encap-type");
    const char *underlay = ctl_args_get(&ctx->args, "--underlay");

    if (!sw) {
        ctl_error(ctx, "no switch named %s", name);
        return;
    }
    if (!check_encap_options(ctx, encap_ip && *encap_ip ? encap_ip : NULL,
                             encap_type,
                             underlay && *underlay ? underlay : NULL)) {
        return;
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
}

/* "disconnect NAME". */

static void
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


/* "net-add NAME CIDR". */

static void
cmd_net_add(struct ctl_context *ctx)
{
    const char *name = ctx->argv[1];
    const char *cidr_s = ctx->argv[2];
    const char *gateway_s = ctl_args_get(&ctx->args, "--gateway");
    const char *mtu_s = ctl_args_get(&ctx->args, "--mtu");
    const char *limit_s = ctl_args_get(&ctx->args, "--mac-limit");
    struct vnet_cidr cidr;
    unsigned int gateway;
    int mtu = 0, mac_limit = 1024;

    char *error = vnet_network_check(name, cidr_s, gateway_s, &cidr, &gateway);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    if ((mtu_s && !parse_number_option(ctx, "--mtu", mtu_s, 576, 9000, &mtu))
        || (limit_s && !parse_number_option(ctx, "--mac-limit", limit_s, 0,
                                            1048576, &mac_limit))) {
        return;
    }
    if (network_by_name(ctx->idl, name)) {
        ctl_error(ctx, "network %s already exists", name);
        return;
    }

    /* The lowest free segment id. */
    int64_t segment = 1;
    for (bool clash = true; clash; ) {
        clash = false;
        const struct vnetrec_network *net;
        VNETREC_NETWORK_FOR_EACH (net, ctx->idl) {
            if (net->segment_id == segment) {
                segment++;
                clash = true;
            }
        }
    }

    char gw_s[16], mac_s[18];
    uint8_t mac[6];
    vnet_mac_for_gateway(segment, mac);

    get_or_create_global(ctx);
    struct vnetrec_network *net = vnetrec_network_insert(ctx->txn);
    vnetrec_network_set_name(net, name);
    vnetrec_network_set_cidr(net, cidr_s);
    vnetrec_network_set_gateway(net, vnet_ip_format(gateway, gw_s));
    vnetrec_network_set_gateway_mac(net, vnet_mac_format(mac, mac_s));
    vnetrec_network_set_segment_id(net, segment);
    vnetrec_network_set_mtu(net, mtu);
    vnetrec_network_set_mac_limit(net, mac_limit);
}

/* "net-del NAME". */

static void
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

/* Endpoints: "attach NET EP --switch=S" and "port-add NET EP". */

static void
endpoint_add(struct ctl_context *ctx, bool in_netns)
{
    const char *net_name = ctx->argv[1];
    const char *name = ctx->argv[2];
    const char *ip_s = ctl_args_get(&ctx->args, "--ip");
    const char *mac_s = ctl_args_get(&ctx->args, "--mac");
    const char *switch_name = ctl_args_get(&ctx->args, "--switch");
    const char *netns = in_netns ? opt_def(ctx, "--netns", name) : NULL;

    const struct vnetrec_network *net = network_by_name(ctx->idl, net_name);
    if (!net) {
        ctl_error(ctx, "no network named %s", net_name);
        return;
    }
    struct vnet_cidr cidr;
    unsigned int gateway;
    char *error = vnet_network_check(net->name, net->cidr, net->gateway, &cidr,
                                     &gateway);
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
    size_t n_used = 0;
    size_t cap = 16;
    uint32_t *used = xmalloc(cap * sizeof *used);
    used[n_used++] = gateway;
    uint32_t ip = 0;
    uint8_t mac[6];
    if (ip_s) {
        vnet_ip_parse(ip_s, &ip);
    }
    if (mac_s) {
        vnet_mac_parse(mac_s, mac);
    }

    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
        if (!strcmp(ep->name, name)) {
            ctl_error(ctx, "endpoint %s already exists", name);
        }
        if (netns && ep->netns && !strcmp(ep->netns, netns)) {
            ctl_error(ctx, "namespace %s is already used by endpoint %s",
                      netns, ep->name);
        }
        if (ep->network != net) {
            continue;
        }
        uint32_t other;
        if (ep->ip && !vnet_ip_parse(ep->ip, &other)) {
            if (ip_s && other == ip) {
                ctl_error(ctx, "IP %s is already used by endpoint %s in "
                          "network %s", ip_s, ep->name, net->name);
            }
            if (n_used == cap) {
                cap *= 2;
                used = xrealloc(used, cap * sizeof *used);
            }
            used[n_used++] = other;
        }
        uint8_t other_mac[6];
        if (mac_s && ep->mac && !vnet_mac_parse(ep->mac, other_mac)
            && !memcmp(other_mac, mac, 6)) {
            ctl_error(ctx, "MAC %s is already used by endpoint %s in network "
                      "%s", mac_s, ep->name, net->name);
        }
    }
    if (ctx->error) {
        free(used);
        return;
    }

    char ip_buf[16], mac_buf[18];
    if (in_netns && !ip_s) {
        if (!vnet_ip_alloc(&cidr, used, n_used, &ip)) {
            ctl_error(ctx, "network %s has no free IP address", net->name);
            free(used);
            return;
        }
        ip_s = vnet_ip_format(ip, ip_buf);
    }
    free(used);
    if (in_netns && !mac_s) {
        for (unsigned int attempt = 0; ; attempt++) {
            vnet_mac_for_endpoint(net->name, name, attempt, mac);
            bool clash = false;
            VNETREC_ENDPOINT_FOR_EACH (ep, ctx->idl) {
                uint8_t other_mac[6];
                clash |= ep->mac && !vnet_mac_parse(ep->mac, other_mac)
                         && !memcmp(other_mac, mac, 6);
            }
            if (!clash) {
                break;
            }
        }
        mac_s = vnet_mac_format(mac, mac_buf);
    }

    get_or_create_global(ctx);
    struct vnetrec_endpoint *row = vnetrec_endpoint_insert(ctx->txn);
    vnetrec_endpoint_set_name(row, name);
    vnetrec_endpoint_set_network(row, net);
    vnetrec_endpoint_set_type(row, in_netns ? "netns" : "external");
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
    if (ip_s || mac_s) {
        ds_put_format(&ctx->output, "%s%s%s\n", ip_s ? ip_s : "",
                      ip_s && mac_s ? " " : "", mac_s ? mac_s : "");
    }
}

static void
cmd_attach(struct ctl_context *ctx)
{
    endpoint_add(ctx, true);
}

static void
cmd_port_add(struct ctl_context *ctx)
{
    endpoint_add(ctx, false);
}

static void
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

static int
compare_network_names(const void *a_, const void *b_)
{
    const struct vnetrec_network *const *a = a_;
    const struct vnetrec_network *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static int
compare_endpoint_names(const void *a_, const void *b_)
{
    const struct vnetrec_endpoint *const *a = a_;
    const struct vnetrec_endpoint *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static const struct vnetrec_network **
networks_sorted(struct ovsdb_idl *idl, size_t *n)
{
    const struct vnetrec_network **list = NULL;
    const struct vnetrec_network *net;
    size_t allocated = 0;

    *n = 0;
    VNETREC_NETWORK_FOR_EACH (net, idl) {
        if (*n >= allocated) {
            list = x2nrealloc(list, &allocated, sizeof *list);
        }
        list[(*n)++] = net;
    }
    if (*n) {
        qsort(list, *n, sizeof *list, compare_network_names);
    }
    return list;
}

/* Endpoints sorted by name; of network 'net' only, unless NULL. */
static const struct vnetrec_endpoint **
endpoints_sorted(struct ovsdb_idl *idl, const struct vnetrec_network *net,
                 size_t *n)
{
    const struct vnetrec_endpoint **list = NULL;
    const struct vnetrec_endpoint *ep;
    size_t allocated = 0;

    *n = 0;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (net && ep->network != net) {
            continue;
        }
        if (*n >= allocated) {
            list = x2nrealloc(list, &allocated, sizeof *list);
        }
        list[(*n)++] = ep;
    }
    if (*n) {
        qsort(list, *n, sizeof *list, compare_endpoint_names);
    }
    return list;
}

static int
network_mtu(const struct vnetrec_network *net)
{
    return net->mtu ? net->mtu : 1450;
}

static void
print_table(struct ctl_context *ctx, struct table *t)
{
    struct table_style style = table_style;
    if (!format_given) {
        style.format = TF_TABLE;
    }
    table_format(t, &style, &ctx->output);
    table_destroy(t);
}

static void
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
        table_add_cell(&t)->text = xasprintf("%d", network_mtu(list[i]));
        table_add_cell(&t)->text = xasprintf("%"PRIuSIZE, n_eps);
    }
    free(list);
    print_table(ctx, &t);
}

static void
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


/* "flows [SWITCH]". */

/* Names the NB object behind 'cookie' ("endpoint ep1", "network net1"). */
static char *
cookie_owner(struct ovsdb_idl *idl, uint64_t cookie)
{
    uint32_t object = vnet_cookie_object(cookie);
    if (!object) {
        return xstrdup("");
    }
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (ep->header_.uuid.parts[0] == object) {
            return xasprintf("endpoint %s", ep->name);
        }
    }
    const struct vnetrec_network *net;
    VNETREC_NETWORK_FOR_EACH (net, idl) {
        if (net->header_.uuid.parts[0] == object) {
            return xasprintf("network %s", net->name);
        }
    }
    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, idl) {
        if (rt->header_.uuid.parts[0] == object) {
            return xasprintf("router %s", rt->name);
        }
    }
    return xasprintf("object %08"PRIx32" (gone)", object);
}

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
    const char *opt_rundir = smap_get(&sw->options, "rundir");
    char *rundir = opt_rundir ? xstrdup(opt_rundir)
                              : vnet_remote_rundir(&r, ovs_rundir());
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

static void
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


/* Routers. */

static const struct vnetrec_router *
router_by_name(struct ovsdb_idl *idl, const char *name)
{
    const struct vnetrec_router *r;
    VNETREC_ROUTER_FOR_EACH (r, idl) {
        if (!strcmp(r->name, name)) {
            return r;
        }
    }
    return NULL;
}

static void
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
    get_or_create_global(ctx);
    struct vnetrec_router *r = vnetrec_router_insert(ctx->txn);
    vnetrec_router_set_name(r, name);
}

static void
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

static void
cmd_router_attach(struct ctl_context *ctx)
{
    const struct vnetrec_router *r = router_by_name(ctx->idl, ctx->argv[1]);
    const struct vnetrec_network *net = network_by_name(ctx->idl,
                                                        ctx->argv[2]);
    if (!r) {
        ctl_error(ctx, "no router named %s", ctx->argv[1]);
        return;
    }
    if (!net) {
        ctl_error(ctx, "no network named %s", ctx->argv[2]);
        return;
    }
    for (size_t i = 0; i < r->n_networks; i++) {
        if (r->networks[i] == net) {
            return;             /* Already there. */
        }
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
    get_or_create_global(ctx);
    vnetrec_router_update_networks_addvalue(r, net);
}

static void
cmd_router_detach(struct ctl_context *ctx)
{
    const struct vnetrec_router *r = router_by_name(ctx->idl, ctx->argv[1]);
    const struct vnetrec_network *net = network_by_name(ctx->idl,
                                                        ctx->argv[2]);
    if (!r) {
        ctl_error(ctx, "no router named %s", ctx->argv[1]);
        return;
    }
    if (!net) {
        ctl_error(ctx, "no network named %s", ctx->argv[2]);
        return;
    }
    get_or_create_global(ctx);
    vnetrec_router_update_networks_delvalue(r, net);
}

static void
cmd_router_list(struct ctl_context *ctx)
{
    struct table t;
    struct shash by_name = SHASH_INITIALIZER(&by_name);
    const struct vnetrec_router *r;
    VNETREC_ROUTER_FOR_EACH (r, ctx->idl) {
        shash_add(&by_name, r->name, r);
    }
    const struct shash_node **nodes = shash_sort(&by_name);

    table_init(&t);
    table_add_column(&t, "name");
    table_add_column(&t, "networks");
    for (size_t i = 0; i < shash_count(&by_name); i++) {
        r = nodes[i]->data;
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
    free(nodes);
    shash_destroy(&by_name);
    print_table(ctx, &t);
}

/* "switch-list". */

static void
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
        const char *dp = smap_get(&sw->status, "datapath_type");
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

/* "show". */

static struct json *
json_optional_string(const char *s)
{
    return s ? json_string_create(s) : json_null_create();
}

static struct json *
json_from_smap(const struct smap *smap)
{
    struct json *j = json_object_create();
    struct smap_node *node;
    SMAP_FOR_EACH (node, smap) {
        json_object_put_string(j, node->key, node->value);
    }
    return j;
}

static void
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
            json_object_put_string(j, "gateway_mac", net->gateway_mac);
            json_object_put(j, "segment_id",
                            json_integer_create(net->segment_id));
            json_object_put(j, "mtu", json_integer_create(network_mtu(net)));
            json_object_put(j, "mac_limit", json_integer_create(net->mac_limit));

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
        const char *dp = smap_get(&sw->status, "datapath_type");
        const char *of_version = smap_get(&sw->status, "openflow_version");
        const char *error = sw->last_error;
        const char *dpid = sw->datapath_id;
        const char *encap_ip = sw->encap_ip;

        ds_put_format(&ctx->output, "switch %s (%s)\n", sw->name, sw->remote);
        ds_put_format(&ctx->output, "    bridge: %s, datapath %s\n", sw->bridge,
                      dp ? dp : sw->datapath_type);
        ds_put_format(&ctx->output, "    connected: %s\n",
                      sw->connected ? "true" : "false");
        ds_put_format(&ctx->output, "    openflow: %s%s%s%s\n", sw->of_state,
                      of_version ? " (" : "", of_version ? of_version : "",
                      of_version ? ")" : "");
        if (dpid) {
            ds_put_format(&ctx->output, "    datapath_id: %s\n", dpid);
        }
        ds_put_format(&ctx->output, "    encap: %s%s%s%s%s\n", sw->encap_type,
                      encap_ip ? " " : "", encap_ip ? encap_ip : "",
                      sw->underlay ? " via " : "",
                      sw->underlay ? sw->underlay : "");
        ds_put_format(&ctx->output, "    applied_cfg: %"PRId64"%s\n",
                      sw->applied_cfg,
                      sw->applied_cfg >= nb_cfg ? "" : " (behind)");
        if (error) {
            ds_put_format(&ctx->output, "    last_error: %s\n", error);
        }
    }
    free(list);

    size_t n_nets;
    const struct vnetrec_network **nets = networks_sorted(ctx->idl, &n_nets);
    for (size_t i = 0; i < n_nets; i++) {
        const struct vnetrec_network *net = nets[i];
        ds_put_format(&ctx->output, "network %s %s (gateway %s, segment %"
                      PRId64", mtu %d)\n", net->name, net->cidr, net->gateway,
                      net->segment_id, network_mtu(net));

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
            ds_put_format(&ctx->output, " %s", ep->up ? "up" : "down");
            if (ep->last_error) {
                ds_put_format(&ctx->output, " (%s)", ep->last_error);
            }
            ds_put_char(&ctx->output, '\n');
        }
        free(eps);
    }
    free(nets);

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
    }
}

static const struct ctl_command commands[] = {
    {"init", 0, 0, "", true, NULL, cmd_init, "",
     "initialize the database (create its global row)"},
    {"connect", 1, 1,
     "--name=,--bridge=,--datapath=,--encap-ip=,--encap-type=,--underlay=,"
     "--rundir=",
     true, connect_prepare, cmd_connect,
     "REMOTE [--name=NAME] [--bridge=BR] [--datapath=auto|system|netdev] "
     "[--encap-ip=IP] [--encap-type=vxlan|geneve|udp] [--underlay=IFACE] "
     "[--rundir=DIR]",
     "register the switch whose OVSDB is at REMOTE"},
    {"switch-set", 1, 1, "--encap-ip=,--encap-type=,--underlay=", true, NULL,
     cmd_switch_set,
     "NAME [--encap-ip=IP] [--encap-type=vxlan|geneve|udp] [--underlay=IFACE]",
     "change a switch's tunnel endpoint (an empty value clears it)"},
    {"disconnect", 1, 1, "--if-exists,--force", true, NULL, cmd_disconnect,
     "NAME [--if-exists] [--force]",
     "release switch NAME (its bridge is removed; --force: and its endpoints)"},
    {"net-add", 2, 2, "--gateway=,--mtu=,--mac-limit=", true, NULL, cmd_net_add,
     "NAME CIDR [--gateway=IP] [--mtu=N] [--mac-limit=N]",
     "create a network (gateway: first host address by default)"},
    {"net-del", 1, 1, "--force,--if-exists", true, NULL, cmd_net_del,
     "NAME [--force] [--if-exists]",
     "delete a network (--force: and its endpoints)"},
    {"net-list", 0, 0, "", false, NULL, cmd_net_list, "", "list networks"},
    {"attach", 2, 2, "--switch=,--ip=,--mac=,--netns=", true, NULL, cmd_attach,
     "NET EP --switch=SWITCH [--ip=IP] [--mac=MAC] [--netns=NS]",
     "create endpoint EP: a namespace with an interface in NET"},
    {"port-add", 2, 2, "--ip=,--mac=", true, NULL, cmd_port_add,
     "NET EP [--ip=IP] [--mac=MAC]",
     "create logical port EP in NET, for an interface plugged by others "
     "(external_ids:iface-id=EP)"},
    {"detach", 1, 1, "--if-exists", true, NULL, cmd_detach,
     "EP [--if-exists]", "delete endpoint or logical port EP"},
    {"ep-list", 0, 0, "", false, NULL, cmd_ep_list, "", "list endpoints"},
    {"router-add", 1, 1, "--may-exist", true, NULL, cmd_router_add,
     "ROUTER [--may-exist]", "create a router"},
    {"router-del", 1, 1, "--if-exists", true, NULL, cmd_router_del,
     "ROUTER [--if-exists]", "delete a router"},
    {"router-attach", 2, 2, "", true, NULL, cmd_router_attach,
     "ROUTER NET", "route between NET and the router's other networks"},
    {"router-detach", 2, 2, "", true, NULL, cmd_router_detach,
     "ROUTER NET", "take NET off the router"},
    {"router-list", 0, 0, "", false, NULL, cmd_router_list, "",
     "list routers and their networks"},
    {"flows", 0, 1, "", false, NULL, cmd_flows, "[SWITCH]",
     "print each switch's flows with the feature and NB object behind them"},
    {"switch-list", 0, 0, "", false, NULL, cmd_switch_list, "",
     "list switches and their status"},
    {"show", 0, 0, "", false, NULL, cmd_show, "", "print an overview"},
    {"sync", 0, 0, "", true, NULL, cmd_init, "",
     "do nothing; with --wait, wait until every switch is up to date"},
};

static const struct ctl_command *
find_command(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        if (!strcmp(commands[i].name, name)) {
            return &commands[i];
        }
    }
    return NULL;
}

/* Splits the command's arguments into positional ones and options, checking
 * both against 'cmd'. */
static void
parse_command_args(const struct ctl_command *cmd, int argc, char *argv[],
                   struct ctl_context *ctx)
{
    char *error = ctl_args_parse(cmd->name, cmd->options, argc - 1, argv + 1,
                                 &ctx->args);
    if (error) {
        ctl_fatal("%s (usage: %s %s)", error, cmd->name, cmd->usage);
    }

    int n = ctx->args.n_pos;
    if (n < cmd->min_args || n > cmd->max_args) {
        ctl_fatal("%s: %s (usage: %s %s)", cmd->name,
                  n < cmd->min_args ? "missing argument" : "too many arguments",
                  cmd->name, cmd->usage);
    }
    /* argv[0] is the command, as commands expect. */
    ctx->argc = n + 1;
    ctx->argv = xmalloc((n + 2) * sizeof *ctx->argv);
    ctx->argv[0] = argv[0];
    memcpy(&ctx->argv[1], ctx->args.pos, (n + 1) * sizeof *ctx->argv);
}

/* Waits until ovs-vnetd reports 'cfg' applied: VNet_Global controller_cfg and
 * every Switch applied_cfg at least 'cfg'. */
static void
wait_for_cfg(struct ovsdb_idl *idl, int64_t cfg)
{
    for (;;) {
        ovsdb_idl_run(idl);
        const struct vnetrec_vnet_global *g = vnetrec_vnet_global_first(idl);
        bool done = g && g->controller_cfg >= cfg;
        const struct vnetrec_switch *sw;
        const char *behind = NULL;
        VNETREC_SWITCH_FOR_EACH (sw, idl) {
            if (sw->applied_cfg < cfg) {
                done = false;
                behind = sw->name;
            }
        }
        if (done) {
            return;
        }
        if (!ovsdb_idl_is_alive(idl)) {
            ctl_fatal("NB database connection lost while waiting");
        }
        char *doing = behind
            ? xasprintf("waiting for switch %s to apply the change", behind)
            : xstrdup("waiting for ovs-vnetd to apply the change");
        check_deadline(doing);
        free(doing);
        ovsdb_idl_wait(idl);
        wait_deadline();
        poll_block();
    }
}

static void
run_command(const struct ctl_command *cmd, struct ctl_context *ctx)
{
    struct ovsdb_idl *idl = ovsdb_idl_create(db, &vnetrec_idl_class, true,
                                             false);
    ovsdb_idl_set_leader_only(idl, false);
    idl_wait_connected(idl, "NB database", db);
    ctx->idl = idl;

    for (;;) {
        ds_init(&ctx->output);
        ctx->txn = NULL;
        if (cmd->writes) {
            ctx->txn = ovsdb_idl_txn_create(idl);
            ovsdb_idl_txn_add_comment(ctx->txn, "ovs-vnet-ctl: %s",
                                      cmd->name);
            if (dry_run) {
                ovsdb_idl_txn_set_dry_run(ctx->txn);
            }
        }

        cmd->run(ctx);
        if (ctx->error) {
            if (ctx->txn) {
                ovsdb_idl_txn_abort(ctx->txn);
                ovsdb_idl_txn_destroy(ctx->txn);
            }
            ctl_fatal("%s", ctx->error);
        }
        if (!ctx->txn) {
            break;
        }

        const struct vnetrec_vnet_global *g = vnetrec_vnet_global_first(idl);
        if (wait_for_switches && g && !dry_run) {
            ovsdb_idl_txn_increment(ctx->txn, &g->header_,
                                    &vnetrec_vnet_global_col_nb_cfg, true);
        }

        enum ovsdb_idl_txn_status status;
        for (;;) {
            status = ovsdb_idl_txn_commit(ctx->txn);
            if (status != TXN_INCOMPLETE) {
                break;
            }
            check_deadline("committing to the NB database");
            ovsdb_idl_run(idl);
            ovsdb_idl_wait(idl);
            ovsdb_idl_txn_wait(ctx->txn);
            wait_deadline();
            poll_block();
        }

        int64_t next_cfg = 0;
        if (status == TXN_SUCCESS && wait_for_switches && g && !dry_run) {
            next_cfg = ovsdb_idl_txn_get_increment_new_value(ctx->txn);
        }
        char *txn_error = status == TXN_ERROR
            ? xstrdup(ovsdb_idl_txn_get_error(ctx->txn)) : NULL;
        ovsdb_idl_txn_destroy(ctx->txn);
        ctx->txn = NULL;

        switch (status) {
        case TXN_UNCOMMITTED:
        case TXN_INCOMPLETE:
            OVS_NOT_REACHED();
        case TXN_ABORTED:
            ctl_fatal("transaction aborted");
        case TXN_UNCHANGED:
        case TXN_SUCCESS:
            break;
        case TXN_TRY_AGAIN:
            /* Someone else changed what we read: read again and redo. */
            ds_destroy(&ctx->output);
            check_deadline("retrying the NB transaction");
            ovsdb_idl_run(idl);
            continue;
        case TXN_ERROR:
            ctl_fatal("transaction error: %s", txn_error);
        case TXN_NOT_LOCKED:
            ctl_fatal("database not locked");
        }
        free(txn_error);

        if (next_cfg) {
            wait_for_cfg(idl, next_cfg);
        }
        break;
    }

    fputs(ds_cstr(&ctx->output), stdout);
    ds_destroy(&ctx->output);
    ovsdb_idl_destroy(idl);
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_WAIT,
        OPT_DRY_RUN,
        TABLE_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"timeout", required_argument, NULL, 't'},
        {"wait", no_argument, NULL, OPT_WAIT},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        TABLE_LONG_OPTIONS,
        VLOG_LONG_OPTIONS,
        STREAM_SSL_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *short_options = ovs_cmdl_long_options_to_short_options(long_options);
    char *plus = xasprintf("+%s", short_options);

    for (;;) {
        int c = getopt_long(argc, argv, plus, long_options, NULL);
        if (c == -1) {
            break;
        }

        switch (c) {
        case OPT_DB:
            free(db);
            db = xstrdup(optarg);
            break;

        case 't':
            if (!ctl_parse_timeout(optarg, &timeout_secs)) {
                ctl_fatal("-t/--timeout: \"%s\" is not a number of seconds",
                          optarg);
            }
            break;

        case OPT_WAIT:
            wait_for_switches = true;
            break;

        case OPT_DRY_RUN:
            dry_run = true;
            break;

        case 'h':
            usage();

        case 'V':
            printf("%s (ovs-vnet) %s, Open vSwitch %s\n", program_name,
                   VNET_VERSION, PACKAGE_VERSION);
            exit(EXIT_SUCCESS);

        case 'f':
            if (strcmp(optarg, "table") && strcmp(optarg, "json")
                && strcmp(optarg, "csv") && strcmp(optarg, "list")
                && strcmp(optarg, "html")) {
                ctl_fatal("-f/--format: \"%s\" is not table, json, csv, list "
                          "or html", optarg);
            }
            table_parse_format(&table_style, optarg);
            format_given = true;
            break;

        case 'd':
            table_parse_cell_format(&table_style, optarg);
            break;

        case OPT_NO_HEADINGS:
            table_style.headings = false;
            break;

        case OPT_PRETTY:
            table_style.json_flags |= JSSF_PRETTY;
            break;

        case OPT_BARE:
            table_style.format = TF_LIST;
            table_style.cell_format = CF_BARE;
            table_style.headings = false;
            format_given = true;
            break;

        case OPT_MAX_COLUMN_WIDTH:
            table_style.max_column_width = atoi(optarg);
            break;

        VLOG_OPTION_HANDLERS
        STREAM_SSL_OPTION_HANDLERS

        case '?':
            exit(EXIT_FAILURE);

        default:
            abort();
        }
    }
    free(plus);
    free(short_options);

    if (!db) {
        const char *env = getenv("OVS_VNET_DB");
        db = env && *env ? xstrdup(env)
                         : xasprintf("unix:%s/%s", ovs_rundir(), VNET_NB_SOCKET);
    }
    if (timeout_secs) {
        deadline = time_msec() + timeout_secs * 1000LL;
    }
}

static void
usage(void)
{
    printf("%s: ovs-vnet command line\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "\nCommands:\n", program_name, program_name);
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        char *left = xasprintf("%s %s", commands[i].name, commands[i].usage);
        printf("  %s\n      %s\n", left, commands[i].help);
        free(left);
    }
    printf("\nOptions:\n"
           "  --db=REMOTE             NB database (default: $OVS_VNET_DB, "
           "else unix:%s/%s)\n"
           "  -t, --timeout=SECS      give up after SECS seconds\n"
           "  --wait                  return once ovs-vnetd has applied the "
           "change\n"
           "                          on every switch\n"
           "  --dry-run               check the command, change nothing\n"
           "  -f, --format=FORMAT     table, json, csv or list output\n"
           "  --pretty                pretty-print JSON\n"
           "  -v, --verbose           log to the console\n"
           "  -h, --help              display this help message\n"
           "  -V, --version           display version information\n",
           ovs_rundir(), VNET_NB_SOCKET);
    exit(EXIT_SUCCESS);
}

int
main(int argc, char *argv[])
{
    set_program_name(argv[0]);
    fatal_ignore_sigpipe();
    vlog_set_levels(NULL, VLF_CONSOLE, VLL_WARN);
    parse_options(argc, argv);

    if (optind >= argc) {
        ctl_fatal("missing command name (use --help for help)");
    }
    const struct ctl_command *cmd = find_command(argv[optind]);
    if (!cmd) {
        ctl_fatal("unknown command '%s'; use --help for help", argv[optind]);
    }

    struct ctl_context ctx;
    memset(&ctx, 0, sizeof ctx);
    parse_command_args(cmd, argc - optind, argv + optind, &ctx);
    if (cmd->prepare) {
        cmd->prepare(&ctx);
    }
    run_command(cmd, &ctx);

    ctl_args_destroy(&ctx.args);
    free(ctx.argv);
    free(ctx.aux);
    free(db);
    return 0;
}
