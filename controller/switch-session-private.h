/* The state of one switch's session, shared by the files that make up
 * switch-session: switch-session.c orders the steps of a run,
 * switch-session-steps.c holds them, switch-session-status.c says how the
 * switch stands, switch-session-elsewhere.c which changes need no run,
 * switch-session-patch.c which are followed without one.  Nothing else
 * includes this. */
#ifndef VNET_SWITCH_SESSION_PRIVATE_H
#define VNET_SWITCH_SESSION_PRIVATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "controller/binding.h"
#include "controller/stale-ports.h"
#include "controller/switch-db.h"
#include "controller/switch-news.h"
#include "controller/tunnels.h"
#include "hmapx.h"
#include "openvswitch/shash.h"
#include "ovsdb-idl.h"
#include "simap.h"
#include "smap.h"
#include "sset.h"

struct attacher;
struct flow_installer;
struct flow_units;
struct held_packets;
struct of_channel;
struct relay_taps;
struct underlay;
struct uplink_prober;
struct vnetrec_endpoint;

struct switch_session {
    char *name;
    unsigned int serial;        /* switch_session_get_serial(). */

    /* Configuration. */
    char *remote;
    char *bridge;
    char *datapath_config;      /* As configured (resolved "auto"). */
    bool datapath_auto;
    char *datapath_type;        /* What the switch runs: see
                                 * resolve_datapath(). */
    char *rundir;
    char *relay_key;            /* Of the relay's datagrams, or NULL. */
    char *release_underlay;     /* See struct switch_session_config. */
    char *config_error;

    /* OVSDB session to the switch. */
    struct ovsdb_idl_loop ovs;
    struct ovsdb_idl_index *ifaces_by_name;     /* Of 'ovs', by name; */
    struct ovsdb_idl_index *ports_by_name;      /* its ports too. */

    /* OpenFlow channel the bridge connects to. */
    struct of_channel *of;
    int of_alt;                 /* On which of its two sockets
                                 * (vnet_of_socket_path()'s 'alt'), or -1 if
                                 * not chosen yet (session_choose_of_socket()). */
    long long int of_choose_at; /* Without the switch's database, chosen no
                                 * sooner than this (0: not waiting). */

    /* Watching (see switch_session_watch()): computing, changing nothing. */
    bool watching;
    bool offload_local;         /* As the last full run found it (see
                                 * offload_local()). */
    char *offload_invalid;      /* options:offload, if neither "auto" nor
                                 * "off" (then treated as "off"). */
    bool peers_changed;         /* While watching: learned MACs to forget
                                 * on taking over. */

    /* Release. */
    bool releasing;
    long long int release_deadline;
    bool released;

    /* What the last full run saw (see run_key_changed()). */
    struct run_key {
        unsigned int nb_seqno;
        unsigned int ovs_seqno;
        bool ovs_connected;
        bool txn_pending;
        unsigned int of_seqno;
        int of_state;
        uint64_t installed_gen;
        bool synced;
        bool relay_running;
        bool relay_ready;
        bool underlay_done;
        const char *datapath_type;
        unsigned int config_seqno;
        bool releasing;
    } last_key;
    bool ran_once;
    bool recompute;             /* A full run from scratch is asked for
                                 * (switch_session_recompute()), */
    bool recomputing;           /* and this one is it. */
    bool rerun;                 /* The last full run could not write to the
                                 * switch's database (no transaction could
                                 * be opened) and nothing in flight will
                                 * bring news of it: run again. */
    struct sset left_to_run;    /* Endpoints a change followed alone could
                                 * not make, for the next full run (their
                                 * statuses are its to set). */
    bool marks_due;             /* The vnet-installed marks are to be
                                 * brought to what the last full run found
                                 * (session_marks_run()). */
    long long int marks_not_before; /* After a transaction of theirs the
                                     * server refused (not a race). */
    bool marks_in_flight;       /* Their transaction is committing; */
    bool inserts_in_flight;     /* or a full run's that only inserts
                                 * endpoint ports (session_step_switch_db());
                                 */
    bool cfg_in_flight;         /* The transaction committing increments
                                 * ovs-vswitchd's next_cfg (for struct
                                 * stale_ports). */
    bool own_end_is_news;       /* a full run ran meanwhile, without a
                                 * transaction of its own. */
    struct switch_news ovs_news;        /* The switch's database changes */
    unsigned int ovs_news_seqno;        /* that are news (switch-news.h). */
    long long int poll_at;      /* A full run then, to look for what gives
                                 * no notice (taps the relay makes). */
    unsigned int config_seqno;  /* Changes with the configuration. */
    char *relay_wanted;         /* The relay's arguments, as the last full */
    char *underlay_wanted;      /* run found them (NULL: none). */

    /* Result of the last reconciliation. */
    struct switch_db_result db;
    struct switch_db_memo *db_memo;     /* What it found in place. */
    struct simap ofports;       /* Our ports without an endpoint (tunnels,
                                 * relay taps, uplinks) -> OpenFlow port; */
    unsigned int ofports_seqno; /* one more at each change of it. */
    struct smap port_conflicts; /* Ports left out: name -> why. */
    struct smap row_errors;     /* Networks and routers left out: status
                                 * key -> why (struct lan_view 'errors'). */
    struct sset rows_accepted;  /* Networks and routers kept by the last
                                 * full run (struct lan_view 'accepted'). */
    bool rows_checked;          /* 'rows_accepted' is from a full run. */
    /* As the last full run left them: the networks of this switch (of the
     * endpoints it makes, or with ports or routed into here: struct
     * vnetrec_network *s), and how many of its endpoints had an error. */
    struct hmapx nets_here;
    bool nets_known;
    size_t endpoint_errors;
    struct binding_memos memos; /* What binding kept of every endpoint
                                 * row (binding.h). */
    const struct nb_news *news; /* The NB's news (switch_session_run()). */
    bool txn_pending;
    bool bridge_configured;     /* db.ready once since the OVSDB session
                                 * (re)connected. */

    /* Endpoints. */
    struct attacher *attacher;
    struct stale_ports stale;   /* Ports a reconcile removed. */
    struct binding_endpoints endpoints;
    bool endpoints_ready;       /* Every endpoint here attached and bound. */
    bool patch_inserts;         /* A patch inserted ports into the open
                                 * transaction (session_patch_committed()). */
    bool attach_ready;          /* Every endpoint here attached, */
    size_t n_unbound;           /* and how many are not bound. */
    bool settled;               /* See switch_session_is_settled(). */
    long long int settle_deadline;
    bool markers_ready;         /* ...and marked vnet-installed if up. */

    /* Tunnels. */
    struct tunnel_plan plan;
    struct relay *relay;
    bool relay_ready;           /* Runs as wanted (or none is wanted). */
    struct relay_taps *taps;
    struct underlay *underlay;  /* The tunnel IP on br-phy (netdev). */
    bool underlay_pending;      /* Wanted on the underlay bridge, not yet
                                 * there: tunnels do not work yet. */

    /* Flows. */
    struct flow_installer *installer;
    struct flow_units *units;   /* The desired flows. */
    uint64_t flow_gen;
    uint64_t errors_before;     /* Installer errors before the databases
                                 * last changed. */
    bool flows_computed;
    struct hmap flows_nets;     /* The networks of the last computation */
    bool flows_nets_known;      /* (struct desired_flows_net), if known. */
    unsigned int flows_nb_seqno;        /* Database contents the desired */
    unsigned int flows_ovs_seqno;       /* flows were computed from, */
    uint32_t flows_ready_digest;        /* which devices were in place, */
    unsigned int flows_ofports_seqno;   /* and 'ofports' (its 'seqno'). */
    char *flows_error;
    struct uplink_prober *prober;       /* ARP for uplinks' next hops. */
    struct held_packets *held;  /* First packets of ports without flows. */
    struct announcer *announcer;    /* Endpoints whose addresses had
                                     * another MAC. */
};

/* True if the switch runs datapath 'type' (see resolve_datapath()). */
static inline bool
datapath_is(const struct switch_session *ss, const char *type)
{
    return ss->datapath_type && !strcmp(ss->datapath_type, type);
}

/* True if the relay makes its taps itself: on the kernel datapath. */
static inline bool
relay_owns_taps(const struct switch_session *ss)
{
    return datapath_is(ss, "system");
}

/* The steps of a full run (switch-session-steps.c), in the order
 * switch-session.c takes them. */
struct binding_wants;
struct lan_view;
struct ovsdb_idl_txn;
struct port_list_ctx_out;

/* Checks the NB rows this switch reads into 'view' (initialized here), reads
 * the offload policy, and binds the endpoints served here into 'wants'
 * (initialized here). */
void session_step_binding(struct switch_session *, struct ovsdb_idl *nb,
                          struct lan_view *view, struct binding_wants *wants);
/* The tunnels to the other switches (ss->plan). */
void session_step_tunnels(struct switch_session *, struct ovsdb_idl *nb);
/* The interface whose IP the tunnels use, if it must move to the underlay
 * bridge, or NULL. */
const char *session_step_underlay_wanted(const struct switch_session *,
                                         struct ovsdb_idl *nb);
/* Gives back an underlay IP no longer wanted there ('underlay'). */
void session_step_underlay_moves(struct switch_session *,
                                 const char *underlay);
/* Namespaces and veths; returns how many of 'wants' are ready (first). */
size_t session_step_attach(struct switch_session *, struct binding_wants *,
                           bool *all_ready);
/* The switch's ports into 'pl' (initialized here). */
void session_step_ports(struct switch_session *, struct ovsdb_idl *nb,
                        const struct lan_view *,
                        const struct binding_wants *, size_t n_ready,
                        const char *underlay, struct port_list_ctx_out *pl);
/* The session's own transactions (switch-session-txn.c).  Commits the
 * switch's database's open transaction (if any), and follows the marks'
 * transaction. */
void session_commit(struct switch_session *);
/* Whether the marks that the last full run found due can be written now;
 * writes them into 'txn' if so (returns whether it wrote any). */
bool session_marks_can_go(const struct switch_session *);
bool session_marks_run(struct switch_session *, struct ovsdb_idl_txn *);
/* Reads the next_cfg of a removal of ports from its transaction's reply,
 * before ovsdb_idl_loop_run() ends that transaction. */
void session_stale_ports_cfg(struct switch_session *);
/* After ovsdb_idl_loop_run(): the end of ovs-vnetd's own transaction of
 * marks or new ports. */
void session_own_txn_end(struct switch_session *);
/* Whether endpoint 'name' is up on session 'ss' (its flows are in): its
 * interface is then marked vnet-installed. */
bool session_endpoint_is_up(const char *name, const void *ss);
/* The switch's database reconciled with 'pl' (whose ports and conflicts it
 * takes), and committed. */
void session_step_switch_db(struct switch_session *, struct ovsdb_idl_txn *,
                            struct port_list_ctx_out *pl,
                            const char *underlay);
/* The underlay moved and the relay run. */
void session_step_relay(struct switch_session *, const char *underlay,
                        bool taps_exist);
/* The desired flows brought up to date. */
void session_step_flows(struct switch_session *, struct ovsdb_idl *nb,
                        const struct binding_wants *, struct lan_view *);
/* The endpoints' status and the rows left out; frees 'wants' and
 * 'view'. */
void session_step_report(struct switch_session *, struct ovsdb_idl *nb,
                         struct binding_wants *, struct lan_view *,
                         bool all_ready);

/* What follows from the endpoints' "up" (settled, held packets, marks);
 * 'markers_ready' is whether the marks are as up says, for a session that
 * does not write them. */
void session_report_up(struct switch_session *, bool markers_ready);
/* The endpoints' "up" again, and what follows, for a settled session that
 * writes the marks, whose switch's flows have come in since the last full
 * run, nothing else having changed.  Returns true if any "up" changed. */
bool session_refresh_up(struct switch_session *);

/* switch-session-elsewhere.c. */
/* Whether all that changed since the last full run is endpoints of other
 * networks than this switch's (none of its endpoints in them, no port of
 * theirs here, not routed into from here), on no router and no physical
 * network, not on this switch: what this switch must have stays the same.
 * A change of any other row, or of an endpoint's network, switch or name,
 * is not told apart.  Nor is anything while an endpoint here has an error
 * (an endpoint elsewhere going may give it back the address it lacked), or
 * while the switch is not in sync with the last full run (every endpoint
 * attached, bound, up and marked, the flows in): a full run may have more
 * to say then.  'key' is the run's key now; 'timers_due' whether a timer
 * of the full run is due. */
bool session_only_elsewhere(const struct switch_session *, struct ovsdb_idl *nb,
                            const struct run_key *, bool timers_due);

/* Whether the session is in a state where changes of the NB alone may be
 * followed without a full run (in sync with the last one, which saw every
 * change before these, and nothing else of the run's key changed). */
bool session_may_pass_by(const struct switch_session *, struct ovsdb_idl *nb,
                         const struct run_key *, bool timers_due);
/* Of the tracked changes of the NB: whether 'row' was updated (neither
 * inserted nor deleted); whether it is VNet_Global with nb_cfg alone
 * changed. */
bool session_row_updated(const struct ovsdb_idl_row *);
bool session_nb_cfg_only(const struct ovsdb_idl_row *,
                         const struct ovsdb_idl_table_class *);
/* Whether an interface someone else plugged here names endpoint 'name'. */
bool session_plugged_here(const struct switch_session *, const char *name);
/* Adds the networks on a router to 'routed'. */
void session_routed_networks(struct ovsdb_idl *nb, struct hmapx *routed);
/* Whether changed endpoint row 'ep' is of a network that is not this
 * switch's, as session_only_elsewhere() takes them ('routed': the networks
 * on a router). */
bool session_endpoint_elsewhere(const struct switch_session *,
                                const struct vnetrec_endpoint *,
                                const struct hmapx *routed);

/* switch-session-patch.c. */
/* Follows the changes of the NB since the last full run without one, where
 * every change is of endpoints that no full run would serve here; each was
 * and is either bound to
 * no switch, or on another switch that stays one of those the network
 * reaches from here (not the last of the network there leaving), the
 * network on no physical network; or the change is elsewhere as
 * session_only_elsewhere() takes it.  Each one's answer to ARP (and its MAC
 * for routed packets), and the forwarding to its MAC on another switch, are
 * added, changed or taken away alone.  So is an endpoint served here behind
 * its network's trunk, inserted or deleted, while another one stays behind
 * the trunk: its devices are made (removed) alone, and its port's flows
 * with its answer to ARP; and an endpoint served here with a veth of its
 * own, inserted into a network with other ports here: its devices are made
 * alone and its port inserted into 'txn' (the switch's database's open
 * transaction; NULL: none is, and no such endpoint is followed), its flows
 * waiting for the port's number (session_follow_numbered()); or deleted,
 * bound, from a network that keeps other ports here: its port deleted in
 * 'txn', its port's flows and its answer to ARP taken away, its network's
 * flooding made again without it, and its devices left until ovs-vswitchd
 * has let go of them (session_remove_stale_alone()).  One whose devices
 * could not be made (or port deleted) is left to a full run, at once.
 * Returns
 * SESSION_PATCH_NONE, having changed nothing, where the changes are others
 * (an endpoint's network or name changed, among them) or a full run has to
 * say who has an address (binding_patch()).  Other arguments as for
 * session_only_elsewhere(). */
enum session_patch_result {
    SESSION_PATCH_NONE,         /* Not followed: a full run is due. */
    SESSION_PATCH_ELSEWHERE,    /* Followed; none of the changes was of
                                 * this switch's networks. */
    SESSION_PATCH_HERE,         /* Followed, some of this switch's. */
};
enum session_patch_result session_patch(struct switch_session *,
                                        struct ovsdb_idl *nb,
                                        struct ovsdb_idl_txn *,
                                        const struct run_key *,
                                        bool timers_due);

/* Whether 'key' is the last full run's but for the switch's flows coming
 * in (the installer's generation and sync). */
/* Makes the flood units of the networks in 'nets' (struct
 * desired_flows_net *s) again from what they keep, in a patch of the
 * session's desired flows (keeping the first error in '*error'), and
 * destroys 'nets'. */
void session_flood_again(struct switch_session *, struct hmapx *nets,
                         char **error);

/* Removes the devices of the ports due in 'ss->stale' (struct stale_ports)
 * without a full run, if every one is of an endpoint that a patch took
 * away (attacher_remove_leaving()); else leaves them to a full run. */
void session_remove_stale_alone(struct switch_session *);

/* After a patch that inserted (or deleted) ports (and no full run) has committed the
 * switch's database's transaction: its end is no news for a full run, or,
 * if it failed at once, a full run follows. */
void session_patch_committed(struct switch_session *);

/* Writes the vnet-installed marks in the switch's database's open
 * transaction: of every interface after a full run (or a transaction of
 * marks that failed), else only of the endpoints whose "up" changed since
 * the marks were last written (checking, every interface is looked at
 * again after them, and one left to write is an error).  Returns true if
 * it wrote any. */
bool session_write_marks(struct switch_session *);

/* Whether the session's tunnels go through the relay. */
bool session_has_relay(const struct switch_session *);

/* Checking, what a change followed without a full run (or judged to be of
 * other networks only) left, for the full run that follows all the same to
 * compare with: it must change none of it.  session_check_end() logs an
 * error for what it changed, and frees 'check'. */
struct session_check {
    char *flows;                /* The desired flows, as text. */
    struct sset status;         /* The endpoints whose status changed. */
    size_t n_unbound;           /* SIZE_MAX: not known (a rerun is due). */
    size_t n_peers;
    bool patched;               /* Followed; else judged elsewhere. */
};
void session_check_begin(const struct switch_session *,
                         struct session_check *, bool patched,
                         size_t n_peers);
void session_check_end(const struct switch_session *,
                       struct session_check *);

bool session_key_is_last_but_flows(const struct switch_session *,
                                   const struct run_key *key);

/* For a patch of the desired flows: keeps the first error in '*error'
 * (frees the others); ends the patch begun with flow_units_begin_patch(),
 * sending the flows if they changed, and with an error (a bug) has a full
 * run follow. */
void session_keep_error(char **error, char *e);
void session_patch_end(struct switch_session *, char *error);

/* session_nb_only_located() says whether the NB's changes since the last
 * full run (in one batch) are only ovs-vnetd's reports of where logical
 * ports plugged here are (or that those unplugged here are nowhere) coming
 * back (and nb_cfg): a full run would change nothing for them
 * (plugged_located_here() and unplugged_located_away() in
 * switch-session-patch.c say when).  session_follow_located() says, given
 * that ('only_located'), whether nothing else changed since but the
 * switch's flows coming in (see session_follow_alone()); if so, and not
 * checking (desired_flows_checking()), it takes the NB's sequence number
 * into the last run's key. */
bool session_nb_only_located(const struct switch_session *,
                             struct ovsdb_idl *nb, const struct run_key *,
                             bool full_due);
bool session_follow_located(struct switch_session *, const struct run_key *,
                            bool only_located);

/* session_follow_unplugged(), session_follow_plugged(),
 * session_follow_numbered() (which the NB's news of locations alone does
 * not hold back) and session_follow_located(), in that order: whether any
 * followed.  Checking, when one did and the switch's flows came in too, the
 * endpoints' "up" is refreshed first, as without the check.  Sets
 * '*news_left' to whether news of the switch's database was not followed
 * (for a full run to find), and '*nb_located' to whether the NB's news is
 * locations alone (nothing for a full run). */
bool session_follow_alone(struct switch_session *, struct ovsdb_idl *nb,
                          struct run_key *, bool full_due, bool *news_left,
                          bool *nb_located);

/* Follows the interfaces that someone else unplugged from the switch (their
 * ports deleted), and nothing else (switch_news_unplugged()), if the last
 * full run left everything it wanted in place: each was bound here for a
 * logical port, in a network that keeps other ports here.  Unbinds each,
 * takes its port's flows away and makes its network's flooding again
 * without it, and returns true.  Otherwise, having changed nothing, or
 * checking, makes them news for a full run (in 'key' too). */
bool session_follow_unplugged(struct switch_session *, struct ovsdb_idl *nb,
                              struct run_key *, bool full_due);

/* Follows the interfaces that someone else plugged into the switch, and
 * nothing else (switch_news_plugged()), if the last full run left
 * everything it wanted in place (as session_follow_numbered() asks): each
 * is for a logical port with its own MAC and IP, on no other switch, in a
 * network with other ports here and on no physical network, with no state
 * here yet.  Records each one's interface among the switch's bindings and
 * its endpoint as waiting for its OpenFlow port, as a full run would, and
 * returns true; those numbered already are followed next by
 * session_follow_numbered().  Otherwise, having changed nothing, or
 * checking, makes them news for a full run (in 'key' too). */
bool session_follow_plugged(struct switch_session *, struct ovsdb_idl *nb,
                            struct run_key *, bool full_due);

/* Follows the ports of endpoints of this switch that ovs-vswitchd has just
 * numbered (switch_news_ofports()), if there are any, when nothing else
 * calls for a full run (none is due for another reason, 'full_due'; 'key',
 * as now, is the last full run's, the switch's flows coming in aside; that
 * run left every other endpoint in place and bound (or an internal port
 * waiting for the switch alone to number its port), none with an error;
 * with 'nb_located', the NB's news may be locations alone, as
 * session_nb_only_located() says): each is an endpoint of this switch with
 * a veth or an internal port of its own (whose device goes into its
 * namespace now), with its own MAC and IP, whose port was not numbered
 * yet, in a network with other ports here and on no physical network; or
 * a logical port's interface plugged by someone else.  Binds each to its port and makes
 * its port's flows, its answer to ARP and its network's flooding again, and
 * returns true.  Otherwise, having changed nothing, or checking
 * (desired_flows_checking()), makes them the switch database's news for a
 * full run (in 'key' too). */
bool session_follow_numbered(struct switch_session *, struct ovsdb_idl *nb,
                             struct run_key *key, bool full_due,
                             bool nb_located);

/* The OpenFlow socket the bridge connects to (malloc'd), the first of its
 * two until one is chosen, or NULL without a bridge or run directory;
 * the OpenFlow channel made to listen there, unless the session watches,
 * releases or has not chosen yet; the choice, once the session drives the
 * switch (switch-session-of.c). */
char *session_of_path(const struct switch_session *);
void session_set_of_path(struct switch_session *);
void session_choose_of_socket(struct switch_session *);
/* Wakes the loop when session_choose_of_socket() stops waiting for the
 * switch's database. */
void session_choose_of_socket_wait(const struct switch_session *);

/* What binding reads, as things are now (switch-session-steps.c). */
struct binding_ctx_in session_binding_in(const struct switch_session *,
                                         struct ovsdb_idl *nb);

#endif /* controller/switch-session-private.h */
