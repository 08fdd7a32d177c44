/* What ovs-vnetd reports about a switch in the NB database.
 *
 * The switch session gathers facts (is the OVSDB session up, is our bridge in
 * place, what state the OpenFlow channel is in, what the switch itself says of its
 * controller connection); vnet_status_compute() turns them into the NB status
 * columns.  Pure, so the mapping is tested on its own. */
#ifndef VNET_STATUS_H
#define VNET_STATUS_H 1

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vnet_status_facts {
    const char *config_error;   /* The NB row is invalid, or NULL. */
    bool db_connected;          /* OVSDB session to the switch is up. */
    const char *db_error;       /* Why it is not, if known, or NULL. */
    bool db_ready;              /* Its Open_vSwitch table has its row. */
    const char *bridge_error;   /* Our bridge cannot be set up, or NULL. */
    bool bridge_ready;          /* Our bridge is in place as desired. */
    bool txn_pending;           /* A change to the switch is in flight. */
    bool bridge_configured;     /* The bridge has been in place since the
                                 * OVSDB session began: a change in flight
                                 * (adding a port) leaves it connected. */
    const char *of_state;       /* of_channel_state_to_string(). */
    const char *of_error;       /* OpenFlow channel error, or NULL. */
    bool of_active;             /* OpenFlow handshake complete. */
    bool controller_connected;  /* The switch's Controller row: is_connected
                                 * (informational: refreshed late). */
    const char *flows_error;    /* The switch refused our flows, or NULL. */
    const char *tunnel_error;   /* Tunnels to other switches cannot be
                                 * made (a relay without its key), or
                                 * NULL. */
};

struct vnet_status {
    bool connected;             /* Everything up: the NB "connected" column. */
    char *last_error;           /* Why not, or, connected, why the switch
                                 * does not hold our flows; else NULL
                                 * (malloc'd). */
};

/* Fills 'st' from 'f'.  The caller frees st->last_error. */
void vnet_status_compute(const struct vnet_status_facts *f,
                         struct vnet_status *st);

#ifdef __cplusplus
}
#endif

#endif /* controller/status.h */
