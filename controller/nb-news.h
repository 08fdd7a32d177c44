/* Which changes of the NB database the switches' full runs follow.
 *
 * ovs-vnetd writes some NB columns itself (its status, its acknowledgements);
 * they are registered without alerts, so that their coming back does not
 * move the IDL's sequence number.  One column it writes must alert: an
 * endpoint's location says where the other switches send a logical port's
 * traffic.  For an endpoint ovs-vnetd creates (a namespace, internal or tap
 * endpoint), its switch column says where it is and the location is only a
 * report: a change that is only such locations is no news for a full run,
 * and every endpoint it creates brings one (its location, written once its
 * port is up).  The IDL's change tracking tells them apart. */
#ifndef VNET_NB_NEWS_H
#define VNET_NB_NEWS_H 1

#ifdef __cplusplus
extern "C" {
#endif

#include <stdbool.h>
#include <stdint.h>

#include "openvswitch/hmap.h"
#include "uuidset.h"

struct ovsdb_idl;
struct ovsdb_idl_index;
struct vnetrec_endpoint;
struct vnetrec_network;

struct nb_news {
    unsigned int idl_seqno;     /* The IDL's, as last seen. */
    uint32_t datapaths;         /* The switches' datapath types, as last
                                 * seen (a hash). */
    unsigned int seqno;         /* One more for each change that is news. */
    unsigned int prev_seqno;    /* 'seqno' before the last nb_news_run(): a
                                 * reader that saw that one has only the
                                 * changes tracked now to follow... */
    bool datapaths_changed;     /* ...and this one, if the last run found
                                 * the datapath types changed. */
    uint64_t batch;             /* One more for each run with a tracked
                                 * change of an Endpoint row. */
    struct hmap versions;       /* Each Endpoint row's version, by UUID. */
    /* The Endpoint rows of the last batches: of batch B in
     * 'recent[B % NB_NEWS_RECENT]', for B from 'batch' - NB_NEWS_RECENT + 1
     * on (ovs-vnetd's own reports of where its endpoints are make batches
     * of their own, between those a full run reads). */
#define NB_NEWS_RECENT 4
    struct uuidset recent[NB_NEWS_RECENT];
    /* The NB's Endpoint rows by name (set by the owner of the IDL), or
     * NULL. */
    struct ovsdb_idl_index *endpoints_by_name;
    /* By network and switch, and by network and location, and the Switch
     * rows by name (nb_news_index()), or NULL. */
    struct ovsdb_idl_index *endpoints_by_switch;
    struct ovsdb_idl_index *endpoints_by_location;
    struct ovsdb_idl_index *switches_by_name;
};

/* Registers the columns of 'idl' (created without alerts for none) as
 * above: those ovs-vnetd writes itself without alerts, every other one
 * tracked.  Between ovsdb_idl_create() and the first ovsdb_idl_run(). */
void nb_news_register(struct ovsdb_idl *);

void nb_news_init(struct nb_news *);

/* Creates the indexes nb_news_endpoints_on() reads, on 'idl' (before its
 * first ovsdb_idl_run()). */
void nb_news_index(struct nb_news *, struct ovsdb_idl *);
void nb_news_destroy(struct nb_news *);

/* After ovsdb_idl_run() (or ovsdb_idl_loop_run()): returns a number that
 * has moved since the last call if the NB changed in anything but the
 * locations of endpoints ovs-vnetd creates, or if the datapath type a switch
 * reports in its status changed (it says what the other switches' tunnels to
 * it need, and comes without an alert, as the rest of the status).  The tracked changes it reads
 * are cleared by nb_news_clear(), once every reader of the NB is done. */
unsigned int nb_news_run(struct nb_news *, struct ovsdb_idl *);
void nb_news_clear(struct ovsdb_idl *);

/* The Endpoint row named 'name', or NULL (also without an index). */
const struct vnetrec_endpoint *nb_news_endpoint_by_name(
    const struct nb_news *, const char *name);

/* Calls 'cb' with 'aux' for the Endpoint rows of network 'net' on switch
 * 'switch_name' by the NB (vnet_endpoint_switch_name()), until it returns
 * true; returns whether one did.  Each look is at a row of that network
 * whose switch or location column names that switch, not at every
 * endpoint.  False without the indexes (nb_news_index()). */
bool nb_news_endpoints_on(const struct nb_news *,
                          const struct vnetrec_network *net,
                          const char *switch_name,
                          bool (*cb)(const struct vnetrec_endpoint *,
                                     const void *aux),
                          const void *aux);

/* The version of Endpoint row 'ep': it changes whenever any column of the
 * row but those ovs-vnetd writes without alerts changes (and whenever a row
 * it refers to changes), and never comes back to an earlier value, also for
 * a row deleted and inserted again.  What is worked out from the row alone
 * may be kept while its version stays. */
uint64_t nb_news_endpoint_version(const struct nb_news *,
                                  const struct vnetrec_endpoint *);

/* The same, for a reader who knew it was 'version' at batch '*batch' (and
 * sets '*batch' to now): most rows did not change in the last few batches,
 * and this tells so without finding their versions. */
uint64_t nb_news_endpoint_version_since(const struct nb_news *,
                                        const struct vnetrec_endpoint *,
                                        uint64_t *batch, uint64_t version);

#ifdef __cplusplus
}
#endif

#endif /* controller/nb-news.h */
