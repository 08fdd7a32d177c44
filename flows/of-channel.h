/* The OpenFlow channel between ovs-vnetd and one bridge.
 *
 * ovs-vnetd is the bridge's configured controller: it listens on a unix socket
 * inside the switch's run directory (the only place ovs-vswitchd will connect to a
 * unix socket controller), and the bridge connects to it, reconnecting with its own
 * backoff.  Because the switch is the active side, its Controller row reports
 * is_connected, and a switch inside another network namespace on this machine is
 * reached all the same.
 *
 * The channel accepts one connection at a time (a newer one replaces an older one,
 * as after a switch restart), negotiates OpenFlow 1.3 to 1.5, answers echo
 * requests, and asks for the switch features to learn the datapath id.
 *
 * Life cycle: of_channel_create(), then of_channel_run()/of_channel_wait() from the
 * main loop; of_channel_destroy() closes the socket and removes its file. */
#ifndef VNET_OF_CHANNEL_H
#define VNET_OF_CHANNEL_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/types.h"

#ifdef __cplusplus
extern "C" {
#endif

struct of_channel;
struct ofpbuf;

/* Called for each message from the switch that the channel does not handle
 * itself (everything but echo and features).  Must not keep 'msg'. */
typedef void of_channel_msg_func(const struct ofpbuf *msg, void *aux);

enum of_channel_state {
    OF_CHANNEL_CLOSED,          /* Not listening (no path, or listen failed). */
    OF_CHANNEL_LISTENING,       /* Waiting for the switch to connect. */
    OF_CHANNEL_NEGOTIATING,     /* Connected, handshake not complete. */
    OF_CHANNEL_ACTIVE,          /* Handshake complete: datapath id known. */
};

/* OpenFlow versions the channel accepts (bit i = wire version i). */
#define OF_CHANNEL_VERSIONS ((1u << 0x04) | (1u << 0x05) | (1u << 0x06))

/* Creates a channel for 'name' (used in log messages).  It listens on nothing
 * until of_channel_set_path(). */
struct of_channel *of_channel_create(const char *name);
void of_channel_destroy(struct of_channel *);

/* Makes the channel listen on the unix socket 'path' (NULL: stop listening). */
void of_channel_set_path(struct of_channel *, const char *path);

/* Sets the handler for messages the channel does not handle itself. */
void of_channel_set_handler(struct of_channel *, of_channel_msg_func *,
                            void *aux);

/* Sends 'msg' to the switch (takes ownership).  Returns 0 or a positive errno
 * (ENOTCONN when the channel is not active). */
int of_channel_send(struct of_channel *, struct ofpbuf *msg);

/* A packet-out (OpenFlow wire version 'version') of the 'len' bytes at
 * 'packet', as if it came in on port 'in_port', sent to port 'out_port'
 * (OFPP_TABLE: through the pipeline from table 0).  The caller frees it (or
 * hands it to of_channel_send()). */
struct ofpbuf *of_channel_packet_out(const void *packet, size_t len,
                                     ofp_port_t in_port, ofp_port_t out_port,
                                     int version);

void of_channel_run(struct of_channel *);
void of_channel_wait(struct of_channel *);

enum of_channel_state of_channel_get_state(const struct of_channel *);
const char *of_channel_state_to_string(enum of_channel_state);

/* Datapath id of the connected switch; valid in OF_CHANNEL_ACTIVE only. */
uint64_t of_channel_get_dpid(const struct of_channel *);

/* Negotiated OpenFlow wire version, or 0 when not connected. */
int of_channel_get_version(const struct of_channel *);

/* Last listen or connection error, or NULL. */
const char *of_channel_get_error(const struct of_channel *);

/* Incremented whenever the channel connects or disconnects. */
unsigned int of_channel_get_seqno(const struct of_channel *);

#ifdef __cplusplus
}
#endif

#endif /* flows/of-channel.h */
