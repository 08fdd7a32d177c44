/* Gratuitous ARP for an endpoint whose address had another MAC.
 *
 * A namespace's kernel keeps the MAC it last learned for each neighbour's
 * IP, and goes on sending to it while the entry is fresh (up to about 45 s),
 * then probes that MAC for 5 s more before it asks the network again.  When
 * an endpoint takes an address another endpoint had (one detached, another
 * attached with the lowest free address, as `attach` gives it) or its MAC
 * changes in place, its neighbours kept sending to a MAC no port had, for
 * seconds after `--wait` returned.  ovs-vnetd now announces such an endpoint
 * once its flows are in: an ARP request for its own IP from its MAC (what
 * the kernel's arp_notify sends), into the pipeline from its port, which
 * floods it to the network (flows/lan.c does not answer it), twice,
 * ANNOUNCE_AGAIN_MS apart, in case the first is lost (and for kernels older
 * than 4.12, which take a gratuitous ARP only past the neighbour table's
 * lock time, a second after they learned the old MAC).
 *
 * Only endpoints whose network stack ovs-vnetd sets up are announced (not a
 * tap's guest, nor a port plugged by someone else), and only when their
 * address had another MAC in its network, as far as this process knows: an
 * announcement floods the whole network, and one for every new endpoint would
 * cost a bulk attach of N endpoints N^2 packets.
 *
 * Two parts: the MAC each address last had, as far as this process knows,
 * shared by every switch (what it configured, announce_configured(), and
 * what the NB's deleted endpoints had, announce_note_deleted(): another
 * ovs-vnetd's endpoint detached, its address taken here), and each switch's
 * announcer, which holds the announcements due until the endpoint's flows
 * are in and sends them. */
#ifndef VNET_ANNOUNCE_H
#define VNET_ANNOUNCE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovs_list;
struct ovsdb_idl;
struct uuid;

#define ANNOUNCE_AGAIN_MS 1500      /* Between the two announcements. */
#define ANNOUNCE_GIVE_UP_MS 30000   /* For an endpoint's flows to come in. */
#define ANNOUNCE_HISTORY_MAX 65536  /* Addresses remembered (then forgotten
                                     * all at once). */

struct announcer;

struct announcer *announcer_create(void);
void announcer_destroy(struct announcer *);

/* Endpoint 'endpoint' has IPv4 address 'ip' (host byte order) with MAC
 * 'mac' in its namespace from now on ('now'), in the network whose row's
 * UUID is 'network'; 'a' announces it (if nonnull) if the last MAC 'ip' had
 * in that network, as far as this process knows, was another one.  Any
 * announcement of 'endpoint' still due is replaced. */
void announce_configured(struct announcer *a, const char *endpoint,
                         const struct uuid *network, uint32_t ip,
                         const uint8_t mac[6], long long int now);

/* Records the address and MAC of each Endpoint row deleted among the
 * tracked changes of NB IDL 'nb' (after its run, before the changes are
 * cleared). */
void announce_note_deleted(struct ovsdb_idl *nb);

/* Forgets every address configured (for tests). */
void announce_history_clear(void);

/* Gives the announcements configured since the last call the desired flows'
 * generation 'gen': those the switch must hold before they go (the flows
 * made after the endpoint's new address). */
void announcer_stamp(struct announcer *, uint64_t gen);

/* The OpenFlow port of endpoint 'endpoint' if it is up and the switch holds
 * the flows of generation 'gen', else 0. */
typedef int64_t announcer_port_func(const char *endpoint, uint64_t gen,
                                    const void *aux);

/* Appends to 'msgs' a packet-out (OpenFlow version 'version') of each
 * announcement due at 'now' whose endpoint's flows are in ('port').  Drops
 * the announcements of an endpoint whose flows did not come in within
 * ANNOUNCE_GIVE_UP_MS, and the second one of an endpoint no longer up.
 * Returns the number of packet-outs appended. */
size_t announcer_run(struct announcer *, int version, long long int now,
                     announcer_port_func *port, const void *aux,
                     struct ovs_list *msgs);

/* When announcer_run() has something to send without news (a second
 * announcement, or one to give up on); LLONG_MAX: nothing. */
long long int announcer_next(const struct announcer *);

/* How many endpoints have announcements due. */
size_t announcer_count(const struct announcer *);

#ifdef __cplusplus
}
#endif

#endif /* controller/announce.h */
