/* Desired flows: what one switch's flow table must hold.
 *
 * From the view of the networks bound here (controller/binding), this step
 * adds what flows need beyond the local ports — routers, endpoints on other
 * switches behind tunnels, uplinks — and regenerates the flow units
 * (flows/flow-units.h) of every generator: LAN (flows/lan.h) and routing
 * (flows/router.h).  A unit whose inputs did not change keeps its flows, so
 * the cost of a run follows what changed.
 *
 * A test mode compares the result of every run with a generation from
 * scratch, as an oracle for the units' fingerprints. */
#ifndef VNET_DESIRED_FLOWS_H
#define VNET_DESIRED_FLOWS_H 1

#include <stdbool.h>

#include "flows/lan.h"
#include "openvswitch/hmap.h"
#include "ovsdb/addr.h"

#ifdef __cplusplus
extern "C" {
#endif

struct flow_units;
struct lan_view;
struct ovsdb_idl;
struct simap;
struct tunnel_plan;
struct vnetrec_network;

/* What a patch of the flows of endpoints bound elsewhere or nowhere
 * (switch-session-patch.c) takes from the last run's view, for each valid
 * network in it. */
struct desired_flows_net {
    struct hmap_node node;      /* By 'row' (hash_pointer()). */
    const struct vnetrec_network *row;
    struct vnet_cidr cidr;      /* For its endpoints' addresses. */
    unsigned int gateway;
    bool has_neighbors;         /* Its neighbours (and remote ports) have */
    struct lan_neighbor_net nn; /* units: what they take from it, */
    bool tunnel_in;             /* and this too, for remote ports. */
    /* The switches that its endpoints on other switches are on. */
    struct desired_flows_remote *remotes;
    size_t n_remotes;
    /* Its trunk here: its OpenFlow port (0: none bound) and the endpoints
     * bound behind it (a patch keeps the count), and scratch for a patch
     * (0). */
    int64_t trunk_ofport;
    size_t n_trunk_ports;
    size_t n_trunk_leaving;
    /* What its flood unit was made from (NULL: none, no ports here), for a
     * patch of a port that joins it here or leaves; scratch for a patch: the
     * ports leaving (0). */
    struct lan_flood_net *flood;
    size_t n_ports_leaving;
};

struct desired_flows_remote {
    struct lan_remote remote;
    size_t n_ports;             /* Its remote ports (endpoints with a MAC of
                                 * their own): a patch keeps the count. */
    size_t n_leaving;           /* Scratch, for a patch: 0. */
};

void desired_flows_nets_clear(struct hmap *nets);
const struct desired_flows_net *desired_flows_net_find(
    const struct hmap *nets, const struct vnetrec_network *);

/* What the step reads. */
struct desired_flows_ctx_in {
    struct ovsdb_idl *nb;       /* The NB database. */
    const char *switch_name;    /* The switch the flows are for. */
    const struct tunnel_plan *plan;     /* Its tunnels. */
    /* Our ports that carry no endpoint (tunnel ports, relay taps, router
     * uplinks): name -> OpenFlow port. */
    const struct simap *ofports;
};

/* What it writes. */
struct desired_flows_ctx_out {
    struct flow_units *units;   /* Brought up to date. */
    bool changed;               /* The flows in 'units' changed. */
    struct hmap *nets;          /* Made afresh: struct desired_flows_net. */
    char *error;                /* A generator failed (a bug), or NULL;
                                 * caller frees. */
};

/* Completes 'view' (whose ports are bound already) with routers, remotes and
 * uplinks, and regenerates out->units from it. */
void desired_flows_run(const struct desired_flows_ctx_in *,
                       struct lan_view *view,
                       struct desired_flows_ctx_out *);

/* The desired flows in 'units', as text (caller frees): for the test mode's
 * comparisons. */
char *desired_flows_text(const struct flow_units *);

/* With 'check' true, every run compares its units with a generation from
 * scratch and logs an error where they differ (costs a full generation per
 * run). */
void desired_flows_check_incremental(bool check);
bool desired_flows_checking(void);

#ifdef __cplusplus
}
#endif

#endif /* controller/desired-flows.h */
