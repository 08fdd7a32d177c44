/* ovs-vnet-ctl internals shared by its command files.
 *
 * tools/ovs-vnet-ctl.c has main(), the options, the command table and the
 * transaction loop; the commands live in ctl-switch.c (switches), ctl-lan.c
 * (networks, endpoints, routers) and ctl-show.c (show, flows); ctl-db.c has
 * the helpers they share: lookups by name, sorted lists, output. */
#ifndef VNET_CTL_H
#define VNET_CTL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/compiler.h"
#include "openvswitch/dynamic-string.h"
#include "ovsdb/vnet-idl.h"
#include "table.h"
#include "tools/ctl-args.h"

struct json;
struct smap;

struct ctl_context {
    struct ovsdb_idl *idl;
    struct ovsdb_idl_txn *txn;  /* NULL for read-only commands. */
    int argc;
    char **argv;                /* Positional arguments (argv[0]: command). */
    struct ctl_args args;       /* Command options: ctl_args_get(). */
    struct ds output;
    char *error;                /* Set by a command that fails. */
    void *aux;                  /* From the command's prepare step. */
    bool decided_on_reads;      /* See ctl_decides_on_reads(). */
    bool endpoints_named;       /* See tools/ctl-endpoints.h. */
    bool endpoint_rows_needed;
};

/* Says that the command writes what it decided from other rows (a free IP,
 * segment id or conntrack zone; a name or address nobody else has): the
 * transaction then verifies and moves VNet_Global's nb_cfg, so that of two
 * clients that read the same state, the later one is done again. */
void ctl_decides_on_reads(struct ctl_context *);

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

/* Global options (tools/ovs-vnet-ctl.c). */
extern struct table_style table_style;
extern bool format_given;       /* -f given: otherwise lists are tables. */
extern long long int deadline;  /* For the whole command, or LLONG_MAX. */

/* Fails the command if its deadline has passed ('doing' says what it was
 * doing), and has poll_block() wake up for it. */
void ctl_check_deadline(const char *doing);
void ctl_wait_deadline(void);

/* Prints "ovs-vnet-ctl: MESSAGE" and exits 1. */
void ctl_fatal(const char *format, ...) OVS_PRINTF_FORMAT(1, 2) OVS_NO_RETURN;

/* Makes the command fail with this message (the first one is kept). */
void ctl_error(struct ctl_context *, const char *format, ...)
    OVS_PRINTF_FORMAT(2, 3);

/* Rows by name, and all rows of a table sorted by name (caller frees the
 * array, which has '*n' entries). */
const struct vnetrec_switch *switch_by_name(struct ovsdb_idl *, const char *);
const struct vnetrec_network *network_by_name(struct ovsdb_idl *,
                                              const char *);
const struct vnetrec_endpoint *endpoint_by_name(struct ovsdb_idl *,
                                                const char *);
const struct vnetrec_router *router_by_name(struct ovsdb_idl *, const char *);
const struct vnetrec_switch **switches_sorted(struct ovsdb_idl *, size_t *n);
const struct vnetrec_network **networks_sorted(struct ovsdb_idl *, size_t *n);
const struct vnetrec_router **routers_sorted(struct ovsdb_idl *, size_t *n);
/* The router that joins network 'net', or NULL. */
const struct vnetrec_router *router_of_network(
    struct ovsdb_idl *, const struct vnetrec_network *net);
/* The NAT rules of 'r', sorted (caller frees). */
const struct vnetrec_nat **nat_sorted(const struct vnetrec_router *r);
/* A NAT rule's two sides as nat-list and show print them (caller frees). */
char *nat_format_external(const struct vnetrec_router *,
                          const struct vnetrec_nat *);
char *nat_format_internal(const struct vnetrec_nat *);
/* Endpoints sorted by name; of network 'net' only, unless NULL. */
const struct vnetrec_endpoint **endpoints_sorted(
    struct ovsdb_idl *, const struct vnetrec_network *net, size_t *n);

/* Names the NB object behind a flow's 'cookie' ("endpoint ep1", "network
 * net1", "router rt1 snat ..."), "" if none (caller frees). */
char *cookie_owner(struct ovsdb_idl *, uint64_t cookie);

void
table_add_text(struct table *t, const char *text);
bool
parse_number_option(struct ctl_context *ctx, const char *opt, const char *s,
                    int min, int max, int *value);
const struct vnetrec_vnet_global *
get_or_create_global(struct ctl_context *ctx);
void
ensure_relay_key(const struct vnetrec_vnet_global *);
const char *
opt_def(const struct ctl_context *ctx, const char *key, const char *def);
void
print_table(struct ctl_context *ctx, struct table *t);
struct json *
json_optional_string(const char *s);
struct json *
json_from_smap(const struct smap *smap);

/* Commands. */
ctl_run_func cmd_init;
ctl_run_func cmd_topology;
ctl_run_func cmd_capture;
ctl_run_func cmd_check;
ctl_run_func cmd_trace;
ctl_run_func cmd_sync;
ctl_prepare_func connect_prepare;
ctl_run_func cmd_connect;
ctl_run_func cmd_switch_set;
ctl_run_func cmd_disconnect;
ctl_run_func cmd_switch_list;
ctl_run_func cmd_net_add;
ctl_run_func cmd_net_set;
ctl_run_func cmd_net_del;
ctl_prepare_func attach_prepare;
ctl_run_func cmd_attach;
ctl_prepare_func port_add_prepare;
ctl_run_func cmd_port_add;
ctl_prepare_func detach_prepare;
ctl_run_func cmd_detach;
ctl_run_func cmd_net_list;
ctl_run_func cmd_ep_list;
ctl_run_func cmd_router_add;
ctl_run_func cmd_router_del;
ctl_run_func cmd_router_attach;
ctl_run_func cmd_router_detach;
ctl_run_func cmd_router_list;
ctl_run_func cmd_router_uplink;
ctl_run_func cmd_router_uplink_del;
ctl_run_func cmd_nat_add;
ctl_run_func cmd_nat_del;
ctl_run_func cmd_nat_list;
ctl_run_func cmd_flows;
ctl_run_func cmd_show;

#endif /* tools/ctl.h */
