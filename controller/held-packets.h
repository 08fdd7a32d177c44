/* The first packets of a port whose flows are not in yet.
 *
 * A port is plugged (by ovs-vnetd or by someone else with an iface-id), the
 * switch gives it an OpenFlow port, and only then can ovs-vnetd compute and
 * install its flows.  Whatever the endpoint sends in between (its first ARP
 * request, typically) met table 0's default flow and was dropped: the
 * kernel asks again after a second, so the first connection of every new
 * port waited a second.  Table 0's default flow now sends such packets to
 * ovs-vnetd (the switch rate-limits them: the Controller row's
 * controller_rate_limit), which holds them for HELD_PACKETS_MS and sends them
 * back into table 0, from their port, once the port's flows are in.  Packets
 * of a port that gets no flows in time (not an endpoint, or not yet) are
 * dropped, as they were before.
 *
 * Bounded: HELD_PACKETS_PER_PORT packets of each port (the first ones), and
 * HELD_PACKETS_MAX in all; a packet cut short by the switch is not held. */
#ifndef VNET_HELD_PACKETS_H
#define VNET_HELD_PACKETS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ofp_header;
struct ovs_list;

#define HELD_PACKETS_MS 2000
#define HELD_PACKETS_PER_PORT 16
#define HELD_PACKETS_MAX 512

struct held_packets;

struct held_packets *held_packets_create(void);
void held_packets_destroy(struct held_packets *);

/* Holds the packet of packet-in 'oh' (or drops it, when over a bound or cut
 * short). */
void held_packets_take(struct held_packets *, const struct ofp_header *oh,
                       long long int now);

/* How many packets are held now. */
size_t held_packets_count(const struct held_packets *);

/* Whether the flows of OpenFlow port 'ofport' are in. */
typedef bool held_packets_ready_func(int64_t ofport, const void *aux);

/* Drops the packets held longer than HELD_PACKETS_MS at 'now'; for each
 * port whose flows are in ('ready', asked once for each port with packets
 * held), appends to 'msgs' a packet-out (OpenFlow version 'version') of
 * each of its packets, in the order they came, into table 0 from that port,
 * and forgets them.  Returns the number of packets sent back. */
size_t held_packets_release(struct held_packets *, int version,
                            long long int now,
                            held_packets_ready_func *ready, const void *aux,
                            struct ovs_list *msgs);

/* When the first held packet expires (LLONG_MAX: none held). */
long long int held_packets_next_expiry(const struct held_packets *);

/* Forgets every packet (the switch connection was lost). */
void held_packets_clear(struct held_packets *);

#ifdef __cplusplus
}
#endif

#endif /* controller/held-packets.h */
