/* ARP for the next hop of router uplinks on one switch.
 *
 * The pipeline learns the next hop's MAC from ARP on the uplink (flows/router.h);
 * this asks for it with packet-outs: as soon as an uplink's flows are in, twice
 * more a second apart, then every 30 s, which also refreshes what was learned. */
#ifndef VNET_UPLINK_H
#define VNET_UPLINK_H 1

#include <stdbool.h>
#include <stddef.h>

struct lan_router;
struct of_channel;

#define UPLINK_ARP_RETRY_MS 1000
#define UPLINK_ARP_REFRESH_MS 30000

struct uplink_prober *uplink_prober_create(void);
void uplink_prober_destroy(struct uplink_prober *);

/* The routers whose uplinks to ARP for: those among 'routers' that are on
 * this switch.  An uplink that did not change keeps its schedule. */
void uplink_prober_set_routers(struct uplink_prober *,
                               const struct lan_router *routers,
                               size_t n_routers);

/* Sends the ARP requests that are due through 'of', if 'ready' (the uplinks'
 * flows are installed). */
void uplink_prober_run(struct uplink_prober *, struct of_channel *of,
                       bool ready);
void uplink_prober_wait(const struct uplink_prober *);

#endif /* controller/uplink.h */
