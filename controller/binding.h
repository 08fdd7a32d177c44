/* Binding: which endpoints a switch serves, and which of its interfaces
 * carry them.
 *
 * Two kinds of endpoint live on a switch.  A namespace endpoint ("netns") is
 * ours end to end: its Endpoint row names the switch, ovs-vnetd makes its
 * namespace and veth (controller/attach) and adds the host end as a port of
 * ours.  A logical port is plugged by someone else: any interface of the
 * switch whose external_ids:iface-id names it.
 *
 * binding_collect() reads the NB and says what must be attached here (and
 * what every network's flows need to know of its endpoints: their MACs and
 * IPs, for ARP).  binding_bind() takes the switch's interfaces as the last
 * reconcile found them and puts each bound endpoint, with its OpenFlow port,
 * into its network's view.  binding_report() turns what the run found into
 * each endpoint's status.
 *
 * Endpoint state (struct binding_endpoints) belongs to the caller and
 * outlives a run: an endpoint is reported up only once its flows are in, and
 * its interface is then marked vnet-installed. */
#ifndef VNET_BINDING_H
#define VNET_BINDING_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "controller/attach.h"
#include "controller/lan-view.h"
#include "controller/switch-session.h"
#include "flows/visit-order.h"
#include "hmapx.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/shash.h"
#include "sset.h"

#ifdef __cplusplus
extern "C" {
#endif

struct attach_want;
struct ds;
struct attacher;
struct lan_view;
struct nb_news;
struct ovsdb_idl;
struct sset;
struct switch_db_binding;
struct switch_db_port;
struct vnetrec_endpoint;

/* What ovs-vnetd reports of one endpoint. */
struct binding_endpoint {
    struct switch_endpoint_status status;
    char *error;                /* status.error points here. */
    bool wanted;                /* Attached here (in binding_report()). */
    bool waiting;               /* Its device is not in place yet. */
    bool kept;                  /* Waiting, put off by the attacher with
                                 * nothing of it yet (a restart's first
                                 * runs), and its port is ours on the
                                 * switch: served as it was meanwhile
                                 * (binding_partition_ready()). */
    bool trunk;                 /* Behind its network's trunk: no interface
                                 * of its own to mark. */
    char *ifname;               /* The interface it is bound to, if any
                                 * (not behind a trunk). */
    int64_t bound_ofport;       /* The port it was bound to last, and the */
    uint64_t flow_gen;          /* generation of the first desired flows
                                 * that served it there. */
    struct ovs_list ofport_node;    /* In its port's list in 'by_ofport', if
                                     * bound_ofport > 0. */
    unsigned int run;           /* The run that last looked at it. */
    struct switch_endpoint_status noted;  /* 'status' as last noted among */
    char *noted_error;                    /* the changes (error here). */
};

/* The endpoint states of a switch. */
struct binding_endpoints {
    struct shash map;           /* Name -> struct binding_endpoint. */
    struct hmap by_ofport;      /* The OpenFlow ports above 0 endpoints
                                 * are bound to, each with a list of them
                                 * (many behind a trunk). */
    unsigned int run;           /* binding_endpoints_begin() calls. */
    struct sset changed;        /* Endpoints whose status (ofport, up,
                                 * error) changed, or that were forgotten,
                                 * since the caller last emptied it. */
    uint64_t forgotten;         /* Endpoint states freed so far. */

    /* As the last binding_report() or binding_refresh_up() left them: the
     * endpoints not up (struct shash_node *s of 'map'), how many are up,
     * and a generation no older than any of theirs (all are up as long as
     * the switch holds it). */
    struct hmapx not_up;
    size_t n_up;
    uint64_t up_gen;

    /* For the vnet-installed marks: the endpoints whose "up" (or
     * interface) changed since the caller last took them
     * (binding_endpoints_take_marks()), or 'marks_all': any may have (a run
     * looked at every one). */
    struct sset marks_changed;
    bool marks_all;
};

void binding_endpoints_init(struct binding_endpoints *);
void binding_endpoints_destroy(struct binding_endpoints *);

/* The error of an endpoint whose interface is there without an OpenFlow
 * port: one plugged by someone else, not yet numbered, or one that
 * ovs-vswitchd could not add (its OpenFlow port -1, and no error of its
 * own).  A port of ovs-vnetd's own waiting for its number has no error. */
#define BINDING_NO_OFPORT "interface has no OpenFlow port"

/* Whether endpoint state 'be' waits for its interface's OpenFlow port
 * alone: it is not behind a trunk, its device is in place, it is not
 * bound, and its error, if any, is BINDING_NO_OFPORT. */
bool binding_endpoint_awaits_ofport(const struct binding_endpoint *be);

/* The state of endpoint 'name' in 'endpoints', created if it is not there. */
struct binding_endpoint *binding_endpoint(struct binding_endpoints *,
                                          const char *name);
void binding_endpoint_set_error(struct binding_endpoint *, const char *error);

/* Starts a run, which finds the errors, OpenFlow ports and trunks of the
 * endpoints afresh: each endpoint's are forgotten when the run first looks
 * at it (binding_endpoint()), at the latest in binding_report(), which looks
 * at every one. */
void binding_endpoints_begin(struct binding_endpoints *);

/* For a change followed without a run (binding_patch(), or a port
 * numbered): endpoint 'name' bound to interface 'ifname' (NULL: behind a
 * trunk, if 'trunk', or none yet) with OpenFlow port 'ofport' (0: none
 * yet), without error, and served by the desired
 * flows of generation 'flow_gen' on, not up until the switch holds them;
 * endpoint 'name' gone (its state forgotten). */
void binding_endpoint_patch_bound(struct binding_endpoints *,
                                  const char *name, const char *ifname,
                                  int64_t ofport, bool trunk,
                                  uint64_t flow_gen);
void binding_endpoint_patch_forget(struct binding_endpoints *,
                                   const char *name);
/* For an interface plugged for endpoint 'name', followed without a run:
 * the endpoint's state, new, waits for its OpenFlow port
 * (BINDING_NO_OFPORT). */
void binding_endpoint_patch_unnumbered(struct binding_endpoints *,
                                       const char *name);

/* Empties 'marks_changed' and clears 'marks_all' (the caller has written
 * the marks they say). */
void binding_endpoints_take_marks(struct binding_endpoints *);
/* Sets 'marks_all': the marks of any endpoint may be due (those written
 * did not reach the switch, and which they were is not kept). */
void binding_endpoints_all_marks_due(struct binding_endpoints *);
/* Records that the interface of endpoint 'be' is 'ifname' (NULL: none). */
void binding_endpoint_set_ifname(struct binding_endpoint *be,
                                 const char *ifname);

/* Frees every endpoint state in 'endpoints' (left empty; each one is noted
 * in 'changed'). */
void binding_endpoints_clear(struct binding_endpoints *);

/* Whether an endpoint bound to OpenFlow port 'ofport' is up (its flows are
 * in). */
bool binding_endpoints_port_up(const struct binding_endpoints *,
                               int64_t ofport);

/* What binding keeps of every endpoint row from one run to the next: what
 * follows from the row alone (its kind, its interface names, whether it waits
 * for ovs-vnetd to fill it in) and from the row and its network's prefix (its
 * parsed addresses, or why they are wrong), worked out again only when the
 * row's version (nb_news_endpoint_version()) or the prefix changed; and
 * whether the last run gave it its addresses: of two endpoints that claim
 * one address, the one that had it keeps it (before the first run, the one
 * the NB says is up). */
struct binding_memos {
    struct hmap map;            /* Private. */
    unsigned int runs;          /* binding_collect() calls so far. */
    struct visit_order order;   /* Private: of the rows (memo_get()). */
    struct binding_owners *owners;      /* Private: who has each address,
                                         * as of the last binding_collect()
                                         * and the patches since. */
};

void binding_memos_init(struct binding_memos *);
void binding_memos_destroy(struct binding_memos *);

/* Forgets who has which address: a change of endpoint rows passed by
 * without binding_patch() (until the next binding_collect(), every
 * binding_patch() fails). */
void binding_memos_forget_owners(struct binding_memos *);

/* The switch that endpoint 'ep' was on (vnet_endpoint_switch_name()) as the
 * last binding_collect() or binding_patch() with 'memos' found it, in
 * '*host' (NULL: none).  Returns false if neither found the row. */
bool binding_memos_host(const struct binding_memos *,
                        const struct vnetrec_endpoint *ep, const char **host);

/* Whether the last binding_collect() with 'memos' gave endpoint 'ep' its
 * addresses (valid, and its own), or if there was none, true; and for an
 * endpoint accepted, what the last binding_collect() (or binding_patch())
 * found of where it is: in '*host' the switch it is on if it is on another
 * one than 'switch_name' (NULL: none or that one), and its MAC if it has
 * one ('*has_mac'). */
bool binding_memos_placement(const struct binding_memos *,
                             const struct vnetrec_endpoint *,
                             const char *switch_name, const char **host,
                             bool *has_mac, uint8_t mac[6]);

/* For an interface numbered, followed without a run: whether the last
 * binding_collect() (or binding_patch()) with 'memos' found endpoint row
 * 'ep' with its own MAC and IP and either (not 'plugged') an endpoint of
 * this switch with a veth, an internal port or a tap of its own (not behind
 * a trunk) whose device is 'ifname', or ('plugged') a
 * logical port on no other switch (its interface plugged here by someone
 * else).  If so, fills '*port' with its port on OpenFlow port 'ofport' (its
 * name is the row's). */
bool binding_memos_here_port(const struct binding_memos *,
                             const struct vnetrec_endpoint *ep,
                             const char *ifname, int64_t ofport,
                             bool plugged, struct lan_port *port);

/* What a step of binding reads. */
struct binding_ctx_in {
    struct ovsdb_idl *nb;       /* The NB database. */
    const char *switch_name;    /* The switch served. */
    bool releasing;             /* Attach nothing (networks are still read). */
    bool tx_csum;               /* Endpoints keep TX checksum offload (the
                                 * kernel datapath takes their packets). */
    bool offload_local;         /* Those whose traffic cannot leave the
                                 * switch keep it, and TSO (the userspace
                                 * datapath runs with userspace TSO). */
    /* The switch's interfaces, as the last reconcile found them. */
    const struct switch_db_binding *bindings;
    size_t n_bindings;
    /* The switch's Interface rows by name, as they are now (NULL while its
     * database is not connected): switch_db_ofport(). */
    struct ovsdb_idl_index *ifaces_by_name;
    /* Which endpoint rows changed (their versions), or NULL: every row is
     * worked out again. */
    const struct nb_news *news;
};

/* What binding_collect() found: the namespace endpoints to attach here, and
 * for each the port it becomes (parallel arrays); and every endpoint row
 * with its parsed addresses, for binding_bind() in the same run.  Its
 * strings are the IDL rows' and the memos': they stay for the run. */
struct binding_wants {
    struct attach_want *wants;
    struct switch_db_port *ports;
    size_t n;
    struct binding_rows *rows;  /* Private. */
    struct binding_row **w_rows;        /* Private: each want's row, */
    struct binding_endpoint **w_states; /* and state (from
                                         * binding_partition_ready() on). */
    uint32_t ready_digest;      /* Which endpoints' devices are in place
                                 * (binding_partition_ready()): those behind
                                 * a trunk are bound when theirs is, which
                                 * no database says. */
};

/* Fills 'out' with the namespace endpoints of this switch, adds every valid
 * endpoint with a MAC and an IP to its network's neighbours in 'view', and
 * sets the error of each endpoint here that cannot be attached; 'memos'
 * (kept by the caller from run to run) spare it what did not change.  Free
 * 'out' with binding_wants_destroy() (which also accepts one never filled,
 * if zeroed), before the next binding_collect() with 'memos'. */
void binding_collect(const struct binding_ctx_in *, struct lan_view *view,
                     struct binding_endpoints *endpoints,
                     struct binding_memos *memos, struct binding_wants *out);
void binding_wants_destroy(struct binding_wants *);

/* Adds to 'nets' (of struct vnetrec_network *) the network of every want
 * of 'w'. */
void binding_wants_networks(const struct binding_wants *w, struct hmapx *nets);

/* Moves the wanted endpoints that must be ports (their veth 'attacher' has
 * made, or an internal port: see attacher_get_state()) and their ports to
 * the front of 'w' and returns how many there are; the others get the
 * attacher's error.  One the attacher put off keeps its port if it is one
 * of ours on the switch now ('our_ports' fills a set with their names, as
 * the switch's database has them now: a restart's first runs come before
 * any reconcile of it): a restarted ovs-vnetd takes its time to look at
 * thousands of endpoints, and those it has not looked at yet go on working
 * meanwhile.  The last attacher_run() of 'attacher' had the wants of 'w',
 * in their order.  An endpoint whose device is not in place yet (or not
 * looked at) is 'waiting' (not up).  '*all_ready' tells whether all are in
 * place.  (An internal port that waits for the switch alone to make its
 * device and number its port is neither: it is as a veth whose port is not
 * numbered yet.) */
typedef void binding_our_ports_func(const void *aux, struct sset *names);
size_t binding_partition_ready(struct binding_wants *w,
                               const struct attacher *attacher,
                               binding_our_ports_func *our_ports,
                               const void *aux,
                               struct binding_endpoints *endpoints,
                               bool *all_ready);

/* Puts every endpoint served here whose interface has an OpenFlow port into
 * its network in the view that binding_collect() filled when it found 'w'
 * (in the same run), and records the port in its state; an endpoint whose
 * interface failed gets the interface's error. */
void binding_bind(const struct binding_ctx_in *, const struct binding_wants *w,
                  struct binding_endpoints *endpoints);

/* An endpoint row changed since the last binding_collect() (or
 * binding_patch()) with 'memos': as it is now, or as it was if deleted. */
struct binding_change {
    const struct vnetrec_endpoint *row;
    bool inserted, deleted;     /* (Neither: updated.) */
    bool here;                  /* Inserted or deleted, and served here
                                 * behind its network's trunk or (inserted)
                                 * with a veth of its own (else served
                                 * anywhere but here). */
    /* Its network as the last full run found it: its row, prefix and
     * gateway (the rest is left out). */
    struct net_info ni;

    /* Out: whether it was a neighbour of its network (an endpoint served
     * anywhere but here, with its MAC and IP its own) and whether it is now,
     * each with its object, MAC and IP; and whether it had (has) a MAC of
     * its own, with or without an IP (on another switch: a remote port). */
    bool had_neighbor, has_neighbor;
    bool had_mac, has_mac;
    struct lan_neighbor old, now;
    /* Out, for one served here and inserted: what to attach (its strings
     * are the IDL row's and its memo's: they stay until the next
     * binding_collect() or binding_patch()).  Its neighbour ('now') is its
     * port's MAC and IP. */
    struct attach_want want;
};

/* Follows the 'n' changes of endpoint rows in 'changes' as binding_collect()
 * would, without looking at any other row: each may be one bound to no
 * switch, or one elsewhere (on another switch, in a network that has nothing
 * on this one); or, marked 'here', one served here behind its network's
 * trunk (or with a veth of its own), inserted or deleted, with an IP and a
 * MAC (without the offload policy's exceptions: 'in''s offload_local is
 * false).  Brings 'memos' up
 * to date and fills in the changes' out part.  Returns false, having
 * changed nothing, if they cannot be followed on their own: an address of
 * one is (or was) claimed by another row too, so that who has it is for
 * binding_collect() to say; a row deleted or updated that the last run did
 * not find or that had no addresses of its own for another reason; two
 * changes of one address; one marked 'here' that is not as said. */
bool binding_patch(struct binding_memos *, const struct binding_ctx_in *,
                   struct binding_change *changes, size_t n);

/* What binding_report() found. */
struct binding_report {
    bool endpoints_ready;       /* Every endpoint wanted here is bound. */
    size_t n_unbound;           /* Endpoints wanted here, not bound. */
    bool markers_ready;         /* Every endpoint up was up before (its
                                 * interface marked vnet-installed). */
    size_t n_errors;            /* Endpoints reported with an error. */
};

/* Whether the switch holds the flows of a generation (see
 * flow_installer_holds()); if it holds one, it holds every earlier one. */
typedef bool binding_holds_func(uint64_t flow_gen, const void *aux);

/* Sets each endpoint's "up": bound, without error, and the switch holds the
 * first generation of desired flows made since it was bound to its port
 * ('flow_gen' is the generation now).  An endpoint up stays up while the
 * flows of other endpoints are on their way.  Forgets endpoints that are
 * neither bound nor wanted here.  The endpoints that were up (as the last
 * report or refresh left them) are those whose interfaces are marked
 * vnet-installed in the switch database; 'all_ready' tells whether every
 * wanted endpoint was attached. */
void binding_report(struct binding_endpoints *endpoints,
                    const struct binding_wants *w,
                    uint64_t flow_gen, binding_holds_func *holds,
                    const void *aux, bool all_ready,
                    struct binding_report *);

/* Sets each endpoint's "up" again as binding_report() does, for a switch
 * whose flows have come in since, nothing else having changed: the
 * endpoints, their ports and their generations are binding_report()'s.
 * Looks only at the endpoints that were not up, unless the switch may have
 * lost what it held (then at every one).  Returns true if any endpoint's
 * "up" changed. */
bool binding_refresh_up(struct binding_endpoints *endpoints,
                        binding_holds_func *holds, const void *aux);

/* Describes in 's' (up to four of) the endpoints noted among the changes
 * that 'before' does not list, with their status: what a full run changed
 * that a change followed without one should have. */
void binding_endpoints_describe_changed(const struct binding_endpoints *,
                                        const struct sset *before,
                                        struct ds *s);

#ifdef __cplusplus
}
#endif

#endif /* controller/binding.h */
