/* ovs-vnet-udptun's command line: what the relay is told to do, parsed and
 * checked into a struct udptun_config (the key read too).  Exits with a
 * message on anything wrong, as command lines do. */
#ifndef UDPTUN_CMDLINE_H
#define UDPTUN_CMDLINE_H 1

#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "tools/udptun-wire.h"

#define UDPTUN_ETH_HDR_LEN 14
#define UDPTUN_VLAN_HDR_LEN 4

/* Largest UDP payload that IPv4 can carry: 65535 - 20 (IP) - 8 (UDP). */
#define UDPTUN_MAX_UDP_PAYLOAD 65507

/* Largest frame that fits in one datagram. */
#define UDPTUN_MAX_FRAME (UDPTUN_MAX_UDP_PAYLOAD - UDPTUN_OVERHEAD)

/* Tap MTU range: an MTU-sized frame with Ethernet and 802.1Q headers must fit
 * in one datagram. */
#define UDPTUN_MIN_MTU 68
#define UDPTUN_MAX_MTU (UDPTUN_MAX_FRAME - UDPTUN_ETH_HDR_LEN \
                        - UDPTUN_VLAN_HDR_LEN)
#define UDPTUN_DEFAULT_MTU 1500

/* As many as ovs-vnetd gives a relay (TUNNEL_RELAY_MAX_PEERS). */
#define UDPTUN_MAX_PEERS 256

/* One --peer: a tap and the peer relay's UDP address. */
struct udptun_peer_config {
    char tap_name[IFNAMSIZ];
    struct sockaddr_in addr;
};

struct udptun_config {
    struct sockaddr_in local;   /* --local. */
    char *netns_path;           /* --netns, or NULL. */
    int mtu;                    /* --mtu. */
    bool attach_taps;           /* --attach: the taps exist already. */
    bool persist_taps;          /* --persist: taps outlive the relay. */
    bool offload;               /* Large segments with the taps (standing
                                 * alone, without --no-offload, MTU large
                                 * enough): see tools/udptun-offload.h. */
    struct udptun_key key;      /* Read from --key-file, id checked against
                                 * --key-id. */
    struct udptun_peer_config *peers;
    size_t n_peers;
};

/* Parses the command line into 'cfg', also the logging and daemon options
 * (which take effect as libopenvswitch's do).  Exits on --help, --version
 * and on any error. */
void udptun_parse_command_line(int argc, char *argv[],
                               struct udptun_config *cfg);

/* "IP:PORT" for 'sin', in 'buf'. */
#define UDPTUN_ADDR_BUFSIZE (INET_ADDRSTRLEN + sizeof ":65535")
const char *udptun_addr_to_string(const struct sockaddr_in *sin,
                                  char buf[UDPTUN_ADDR_BUFSIZE]);

#endif /* tools/udptun-cmdline.h */
