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
#include "tools/ctl.h"
#include "tools/ctl-endpoints.h"
#include "ovsdb/addr.h"
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/validate.h"
#include "ovsdb/nb-session.h"
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
struct table_style table_style = TABLE_STYLE_DEFAULT;
bool format_given;

/* Deadline for the whole command (LLONG_MAX: none). */
long long int deadline = LLONG_MAX;

static const struct ctl_command *find_command(const char *name);
static void usage(void) OVS_NO_RETURN;

void
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

void
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

void
ctl_check_deadline(const char *doing)
{
    if (time_msec() >= deadline) {
        ctl_fatal("timeout after %d seconds %s", timeout_secs, doing);
    }
}

void
ctl_wait_deadline(void)
{
    if (deadline != LLONG_MAX) {
        poll_timer_wait_until(deadline);
    }
}

/* The NB's IDL, kept lively when the NB is a cluster (ovsdb/nb-session.h). */
static struct ovsdb_idl *nb_idl;
static struct nb_session nb_sess;

static void
idl_run(struct ovsdb_idl *idl)
{
    ovsdb_idl_run(idl);
    if (idl == nb_idl) {
        nb_session_run(&nb_sess, idl);
    }
}

static void
idl_wait(struct ovsdb_idl *idl)
{
    ovsdb_idl_wait(idl);
    if (idl == nb_idl) {
        nb_session_wait(&nb_sess);
    }
}

/* Connects 'idl' and waits for its first full contents.  Fails with a one-line
 * message if the database cannot be reached. */
static void
idl_wait_connected(struct ovsdb_idl *idl, const char *what, const char *remote)
{
    for (;;) {
        idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)) {
            return;
        }
        if (!ovsdb_idl_is_alive(idl)) {
            int error = ovsdb_idl_get_last_error(idl);
            ctl_fatal("%s: %s connection failed (%s)", remote, what,
                      error ? ovs_retval_to_string(error) : "closed");
        }
        char *doing = xasprintf("connecting to %s %s", what, remote);
        ctl_check_deadline(doing);
        free(doing);
        idl_wait(idl);
        ctl_wait_deadline();
        poll_block();
    }
}

static const struct ctl_command commands[] = {
    {"init", 0, 0, "", true, NULL, cmd_init, "",
     "initialize the database (create its global row)"},
    {"connect", 1, 1,
     "--name=,--bridge=,--datapath=,--encap-ip=,--encap-type=,--underlay=,"
     "--physnet=,--offload=",
     true, connect_prepare, cmd_connect,
     "REMOTE [--name=NAME] [--bridge=BR] [--datapath=auto|system|netdev] "
     "[--encap-ip=IP] [--encap-type=vxlan|geneve|udp] [--underlay=IFACE] "
     "[--physnet=PHYS:IFACE...] [--offload=auto|off]",
     "register the switch whose OVSDB is at REMOTE"},
    {"switch-set", 1, 1,
     "--encap-ip=,--encap-type=,--underlay=,--physnet=,--offload=",
     true, NULL, cmd_switch_set,
     "NAME [--encap-ip=IP] [--encap-type=vxlan|geneve|udp] [--underlay=IFACE] "
     "[--physnet=PHYS:IFACE...] [--offload=auto|off]",
     "change a switch's tunnel endpoint (an empty value clears it), its "
     "physical networks (PHYS: without IFACE removes one) or its endpoints' "
     "offload policy"},
    {"disconnect", 1, 1, "--if-exists,--force", true, NULL, cmd_disconnect,
     "NAME [--if-exists] [--force]",
     "release switch NAME (its bridge is removed; --force: and its endpoints)"},
    {"net-add", 2, 2,
     "--gateway=,--mtu=,--mac-limit=,--physnet=,--vlan=,--endpoint-type=",
     true, NULL, cmd_net_add,
     "NAME CIDR [--gateway=IP] [--mtu=N] [--mac-limit=N] "
     "[--physnet=PHYS [--vlan=ID]] [--endpoint-type=veth|trunk|internal]",
     "create a network (gateway: first host address by default); on a "
     "physical network, its LAN (untagged or VLAN ID), with no gateway of "
     "ours; --endpoint-type: the kind of its endpoints attached without "
     "--type (veth by default)"},
    {"net-set", 1, 1, "--endpoint-type=", true, NULL, cmd_net_set,
     "NAME [--endpoint-type=veth|trunk|internal]",
     "change the kind a network's endpoints attached from now on without "
     "--type get"},
    {"net-del", 1, 1, "--force,--if-exists", true, NULL, cmd_net_del,
     "NAME [--force] [--if-exists]",
     "delete a network (--force: and its endpoints)"},
    {"net-list", 0, 0, "", false, NULL, cmd_net_list, "", "list networks"},
    {"attach", 2, 2, "--switch=,--ip=,--mac=,--netns=,--type=,--owner=,--group=",
     true, attach_prepare, cmd_attach,
     "NET EP --switch=SWITCH [--ip=IP] [--mac=MAC] "
     "[--type=veth|trunk|internal|tap] [--netns=NS] [--owner=USER] "
     "[--group=GROUP]",
     "create endpoint EP in NET: a namespace with an interface (veth, one "
     "behind the network's trunk, or an Open vSwitch internal port), or a "
     "tap device for a VM or a program (tap); without --type, the network's "
     "kind (net-add --endpoint-type)"},
    {"port-add", 2, 2, "--ip=,--mac=", true, port_add_prepare, cmd_port_add,
     "NET EP [--ip=IP] [--mac=MAC]",
     "create logical port EP in NET, for an interface plugged by others "
     "(external_ids:iface-id=EP)"},
    {"detach", 1, 1, "--if-exists", true, detach_prepare, cmd_detach,
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
    {"router-uplink", 3, 3, "--ip=,--nexthop=", true, NULL, cmd_router_uplink,
     "ROUTER SWITCH IFACE --ip=A.B.C.D/P --nexthop=IP",
     "give the router a way out through IFACE of SWITCH"},
    {"router-uplink-del", 1, 1, "", true, NULL, cmd_router_uplink_del,
     "ROUTER", "remove the router's uplink"},
    {"nat-add", 3, 5, "--external-ip=,--may-exist", true, NULL, cmd_nat_add,
     "ROUTER snat|dnat|fip ARG...",
     "add a NAT rule; the external IP is the uplink's unless given:\n"
     "        snat NET|CIDR [--external-ip=IP]\n"
     "        dnat tcp|udp PORT ENDPOINT|IP[:PORT] [--external-ip=IP]\n"
     "        fip FLOATING-IP ENDPOINT|IP"},
    {"nat-del", 3, 4, "--external-ip=,--if-exists", true, NULL, cmd_nat_del,
     "ROUTER snat|dnat|fip ARG...",
     "remove a NAT rule, named as nat-add names it without the target:\n"
     "        snat NET|CIDR | dnat tcp|udp PORT | fip FLOATING-IP"},
    {"nat-list", 0, 1, "", false, NULL, cmd_nat_list, "[ROUTER]",
     "list NAT rules"},
    {"flows", 0, 1, "", false, NULL, cmd_flows, "[SWITCH]",
     "print each switch's flows with the feature and NB object behind them"},
    {"switch-list", 0, 0, "", false, NULL, cmd_switch_list, "",
     "list switches and their status"},
    {"show", 0, 0, "", false, NULL, cmd_show, "", "print an overview"},
    {"check", 0, 64, "--outside", false, NULL, cmd_check,
     "[NETWORK...] [--outside]",
     "ping every pair of endpoints at once; say what was expected"},
    {"trace", 2, 2, "--proto=,--dport=,--sport=,--src-ip=,--src-mac=,"
     "--dst-mac=", false, NULL, cmd_trace,
     "FROM TO [--proto=icmp|tcp|udp] [--dport=N] [--sport=N] [--src-ip=IP] "
     "[--src-mac=MAC] [--dst-mac=MAC]",
     "follow a packet through the switches; say where it ends, and why"},
    {"capture", 1, 64, "--write=,--count=", false, NULL, cmd_capture,
     "ENDPOINT [-w FILE] [-c COUNT] [FILTER]",
     "the endpoint's packets as its switch sees them (pcap)"},
    {"topology", 0, 0, "--format=", false, NULL, cmd_topology,
     "[--format=dot|svg|png|json]",
     "draw switches, tunnels, networks, endpoints, routers, physical "
     "networks (Graphviz)"},
    {"sync", 0, 0, "", true, NULL, cmd_sync, "",
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
        idl_run(idl);
        const struct vnetrec_vnet_global *g = vnetrec_vnet_global_first(idl);
        bool done = g && g->controller_cfg >= cfg;
        const struct vnetrec_switch *sw;
        const char *behind = NULL;
        VNETREC_SWITCH_FOR_EACH (sw, idl) {
            if (sw->applied_cfg < cfg) {
                done = false;
                behind = sw->name;
                /* The switch refuses the flows of this change (or of a
                 * later one that includes it). */
                if (smap_get_int(&sw->status, VNET_STATUS_FAILED_CFG, 0) >= cfg) {
                    ctl_fatal("switch %s cannot apply the change: %s",
                              sw->name, sw->last_error ? sw->last_error
                              : smap_get_def(&sw->status, VNET_STATUS_FLOWS_ERROR,
                                             "flows refused"));
                }
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
        ctl_check_deadline(doing);
        free(doing);
        idl_wait(idl);
        ctl_wait_deadline();
        poll_block();
    }
}

/* One command of the command line, with its context. */
struct ctl_invocation {
    const struct ctl_command *cmd;
    struct ctl_context ctx;
};

/* Reads only the Endpoint rows the commands named, if each of them did
 * (tools/ctl-endpoints.h). */
static void
limit_endpoints(struct ovsdb_idl *idl, const struct ctl_invocation *invs,
                size_t n)
{
    bool all_named = true, rows_needed = false;
    for (size_t i = 0; i < n; i++) {
        all_named &= invs[i].ctx.endpoints_named;
        rows_needed |= invs[i].ctx.endpoint_rows_needed;
    }
    ctl_endpoints_monitor(idl, all_named, rows_needed, db);
}

/* Runs every command in 'invs' against the NB database, those that change
 * it in one transaction, and prints their output in order. */
static void
run_commands(struct ctl_invocation *invs, size_t n)
{
    bool writes = false;
    for (size_t i = 0; i < n; i++) {
        writes |= invs[i].cmd->writes;
    }

    /* Of a clustered NB, commands that write talk to the leader (as
     * ovn-nbctl does); those that only read, to any member.  With one
     * server, a refused connection is an error at once; with several, the
     * next member is tried (until the timeout). */
    struct ovsdb_idl *idl = ovsdb_idl_create(db, &vnetrec_idl_class, true,
                                             strchr(db, ',') != NULL);
    ovsdb_idl_set_leader_only(idl, writes);
    limit_endpoints(idl, invs, n);
    if (dry_run) {
        ctl_endpoints_read_indexed();
    }
    nb_idl = idl;
    nb_session_init(&nb_sess, db);
    idl_wait_connected(idl, "NB database", db);

    for (;;) {
        struct ovsdb_idl_txn *txn = NULL;
        unsigned int seqno = ovsdb_idl_get_seqno(idl);
        ctl_endpoints_read();
        if (writes) {
            txn = ovsdb_idl_txn_create(idl);
            ovsdb_idl_txn_add_comment(txn, "ovs-vnet-ctl: %s%s",
                                      invs[0].cmd->name,
                                      n > 1 ? " and more" : "");
            if (dry_run) {
                ovsdb_idl_txn_set_dry_run(txn);
            }
        }
        for (size_t i = 0; i < n; i++) {
            struct ctl_context *ctx = &invs[i].ctx;
            ctx->idl = idl;
            ctx->txn = invs[i].cmd->writes ? txn : NULL;
            ds_init(&ctx->output);
            ctx->decided_on_reads = false;
            invs[i].cmd->run(ctx);
            if (ctx->error) {
                if (txn) {
                    ovsdb_idl_txn_abort(txn);
                    ovsdb_idl_txn_destroy(txn);
                }
                ctl_fatal("%s", ctx->error);
            }
        }
        if (!txn) {
            break;
        }

        /* Commands that check what they read (a name is free, an IP, a
         * segment id or a conntrack zone is unused) and write on that basis
         * (ctl_decides_on_reads()) move nb_cfg on, and check that it has
         * not moved since it was read: of two such transactions by
         * different clients, the later one fails and is done again with
         * what the first wrote. */
        bool decided_on_reads = false;
        for (size_t i = 0; i < n; i++) {
            decided_on_reads |= invs[i].ctx.decided_on_reads;
        }
        const struct vnetrec_vnet_global *g = vnetrec_vnet_global_first(idl);
        if ((wait_for_switches || decided_on_reads) && g && !dry_run) {
            if (decided_on_reads) {
                vnetrec_vnet_global_verify_nb_cfg(g);
            }
            ovsdb_idl_txn_increment(txn, &g->header_,
                                    &vnetrec_vnet_global_col_nb_cfg, true);
        }

        /* A transaction the NB refuses is told once, below (or done again:
         * ctl_endpoints_retry_on()), not also by the IDL's warning. */
        struct vlog_module *idl_module = vlog_module_from_name("ovsdb_idl");
        enum vlog_level idl_level = (idl_module
                                     ? vlog_get_level(idl_module, VLF_CONSOLE)
                                     : VLL_OFF);
        if (idl_level == VLL_WARN) {
            vlog_set_levels(idl_module, VLF_CONSOLE, VLL_ERR);
        }
        enum ovsdb_idl_txn_status status;
        for (;;) {
            status = ovsdb_idl_txn_commit(txn);
            if (status != TXN_INCOMPLETE) {
                break;
            }
            ctl_check_deadline("committing to the NB database");
            idl_run(idl);
            idl_wait(idl);
            ovsdb_idl_txn_wait(txn);
            ctl_wait_deadline();
            poll_block();
        }

        if (idl_level == VLL_WARN) {
            vlog_set_levels(idl_module, VLF_CONSOLE, VLL_WARN);
        }

        int64_t next_cfg = 0;
        if (status == TXN_SUCCESS && wait_for_switches && g && !dry_run) {
            next_cfg = ovsdb_idl_txn_get_increment_new_value(txn);
        }
        char *txn_error = status == TXN_ERROR
            ? xstrdup(ovsdb_idl_txn_get_error(txn)) : NULL;
        ovsdb_idl_txn_destroy(txn);
        for (size_t i = 0; i < n; i++) {
            invs[i].ctx.txn = NULL;
        }

        switch (status) {
        case TXN_UNCOMMITTED:
        case TXN_INCOMPLETE:
            OVS_NOT_REACHED();
        case TXN_ABORTED:
            ctl_fatal("transaction aborted");
        case TXN_UNCHANGED:
        case TXN_SUCCESS:
            break;
        case TXN_ERROR:
            if (!ctl_endpoints_retry_on(txn_error)) {
                ctl_fatal("transaction error: %s", txn_error);
            }
            /* Done again with the rows that say why. */
            free(txn_error);
            for (size_t i = 0; i < n; i++) {
                ds_destroy(&invs[i].ctx.output);
            }
            continue;
        case TXN_TRY_AGAIN:
            /* Someone else changed what we read: read again and redo. */
            for (size_t i = 0; i < n; i++) {
                ds_destroy(&invs[i].ctx.output);
            }
            for (;;) {
                ctl_check_deadline("retrying the NB transaction");
                idl_run(idl);
                if (ovsdb_idl_get_seqno(idl) != seqno) {
                    break;
                }
                idl_wait(idl);
                ctl_wait_deadline();
                poll_block();
            }
            continue;
        case TXN_NOT_LOCKED:
            ctl_fatal("database not locked");
        }
        free(txn_error);

        if (next_cfg) {
            wait_for_cfg(idl, next_cfg);
        }
        break;
    }

    for (size_t i = 0; i < n; i++) {
        /* As is: a picture's bytes too. */
        fwrite(invs[i].ctx.output.string, 1, invs[i].ctx.output.length,
               stdout);
        ds_destroy(&invs[i].ctx.output);
    }
    ovsdb_idl_destroy(idl);
}

/* One line per command: NAME|OPTIONS|ARGUMENTS (OPTIONS as the command
 * table has them: "--a=,--b"). */
static void
print_commands(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        printf("%s|%s|%s\n", commands[i].name, commands[i].options,
               commands[i].usage);
    }
}

static void
parse_options(int argc, char *argv[])
{
    enum {
        OPT_DB = UCHAR_MAX + 1,
        OPT_WAIT,
        OPT_DRY_RUN,
        OPT_COMMANDS,
        OPT_OPTIONS,
        TABLE_OPTION_ENUMS,
        VLOG_OPTION_ENUMS,
        SSL_OPTION_ENUMS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"timeout", required_argument, NULL, 't'},
        {"wait", no_argument, NULL, OPT_WAIT},
        {"dry-run", no_argument, NULL, OPT_DRY_RUN},
        {"commands", no_argument, NULL, OPT_COMMANDS},
        {"options", no_argument, NULL, OPT_OPTIONS},
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

        case OPT_COMMANDS:
            print_commands();
            exit(EXIT_SUCCESS);

        case OPT_OPTIONS:
            ovs_cmdl_print_options(long_options);
            exit(EXIT_SUCCESS);

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
        db = vnet_nb_default_remote();
    }
    if (timeout_secs) {
        deadline = time_msec() + timeout_secs * 1000LL;
    }
}

static void
usage(void)
{
    printf("%s: ovs-vnet command line\n"
           "usage: %s [OPTIONS] COMMAND [ARG...] [-- COMMAND [ARG...]]...\n"
           "(commands joined by \"--\" run in one transaction)\n"
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
           "  --commands              list the commands (for completion)\n"
           "  --options               list the options (for completion)\n"
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
    /* check and capture wait for pings and packets outside the poll loop:
     * its "long poll interval" warnings say nothing here. */
    vlog_set_levels(vlog_module_from_name("timeval"), VLF_ANY_DESTINATION,
                    VLL_ERR);
    parse_options(argc, argv);

    if (optind >= argc) {
        ctl_fatal("missing command name (use --help for help)");
    }

    /* Commands separated by "--", as ovs-vsctl takes them. */
    struct ctl_invocation *invs = NULL;
    size_t n = 0;
    for (int i = optind; i <= argc; ) {
        int end = i;
        while (end < argc && strcmp(argv[end], "--")) {
            end++;
        }
        if (end == i) {
            ctl_fatal("missing command name before or after \"--\"");
        }
        const struct ctl_command *cmd = find_command(argv[i]);
        if (!cmd) {
            ctl_fatal("unknown command '%s'; use --help for help", argv[i]);
        }
        invs = xrealloc(invs, (n + 1) * sizeof *invs);
        struct ctl_invocation *inv = &invs[n++];
        memset(inv, 0, sizeof *inv);
        inv->cmd = cmd;
        /* Parsing stops at "--": the next command begins after it. */
        char *saved = end < argc ? argv[end] : NULL;
        argv[end] = NULL;
        parse_command_args(cmd, end - i, argv + i, &inv->ctx);
        if (end < argc) {
            argv[end] = saved;
        }
        i = end + 1;
    }
    for (size_t i = 0; i < n; i++) {
        if (invs[i].cmd->prepare) {
            invs[i].cmd->prepare(&invs[i].ctx);
        }
    }
    run_commands(invs, n);

    for (size_t i = 0; i < n; i++) {
        ctl_args_destroy(&invs[i].ctx.args);
        free(invs[i].ctx.argv);
        free(invs[i].ctx.aux);
    }
    free(invs);
    free(db);
    return 0;
}
