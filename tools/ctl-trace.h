/* ovs-vnet-ctl: trace, a packet followed through the switches that ovs-vnet
 * drives, flow by flow, with the NB object behind each flow, to a verdict.
 *
 * The packet is the one the sending endpoint would send (its MAC and IP, the
 * peer's or the gateway's MAC as ARP would give it).  ofproto/trace runs on
 * the sending switch; where the packet leaves through a tunnel or a relay tap
 * it is traced again on the switch behind it, with the tunnel key (or VLAN)
 * the first switch put on it.  Conntrack passes are followed as new
 * connections, NAT as ofproto/trace simulates it (the first address of a
 * range). */
#ifndef VNET_CTL_TRACE_H
#define VNET_CTL_TRACE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "openvswitch/dynamic-string.h"

struct json;
struct ovsdb_idl;
struct vnetrec_endpoint;

struct trace_packet {
    const char *proto;          /* "icmp" (echo), "tcp", "udp". */
    int sport, dport;
    bool echo_reply;            /* ICMP: an echo reply, not a request. */
    const char *src_ip;         /* Instead of the endpoint's own, or NULL. */
    const char *src_mac;        /* Instead of the endpoint's own, or NULL. */
    const char *dst_mac;        /* Instead of the one the NB gives, or
                                 * NULL. */
};

/* The destination MAC traced for a host of a physical LAN (unknown unicast),
 * unless given. */
#define TRACE_LAN_MAC "02:00:00:00:00:01"

/* One line of a trace: a flow hit on a switch, or a note between them. */
struct trace_step {
    char *switch_name;
    int table;                  /* -1: a note. */
    int priority;
    char *match;
    char *actions;              /* ", "-separated. */
    uint64_t cookie;
    char *feature;              /* Of the cookie, or "" if not ours. */
    char *owner;                /* The NB object behind it, or "". */
    char *note;
};

enum trace_outcome {
    TRACE_DELIVERED,            /* To an endpoint. */
    TRACE_ANSWERED,             /* By a gateway or the router's uplink. */
    TRACE_UPLINK,               /* Out of a router's uplink. */
    TRACE_PORT,                 /* Out of some other port. */
    TRACE_DROPPED,
    TRACE_LOST,                 /* Into a tunnel nobody here is behind. */
};

struct trace_verdict {
    enum trace_outcome outcome;
    char *text;                 /* The verdict line, for people. */
    char *endpoint;             /* TRACE_DELIVERED: which. */
    char *switch_name;          /* Where it ended. */
    char *port;                 /* The port it left by, if any. */
    char *snat, *dnat;          /* What NAT changed on the way, or NULL. */
    int step;                   /* TRACE_DROPPED: the dropping step, or -1. */
};

struct trace_result {
    char *from, *to;
    char *packet;               /* The first flow traced. */
    struct trace_step *steps;
    size_t n_steps;
    struct trace_verdict *verdicts;
    size_t n_verdicts;
    char *note;                 /* Why, as far as the NB says, or NULL. */
};

/* Traces a packet from endpoint 'from' to 'to' (an endpoint's name, an IP, or
 * "gateway"), or from the outside IP 'from' in through a router's uplink to
 * its external address 'to'.  Returns NULL or an error. */
char *trace_run(struct ovsdb_idl *, const char *from, const char *to,
                const struct trace_packet *, struct trace_result *);
void trace_result_destroy(struct trace_result *);

/* The verdicts as one line ("; "-separated). */
void trace_result_verdict(const struct trace_result *, struct ds *);
void trace_result_format(const struct trace_result *, struct ds *);
struct json *trace_result_to_json(const struct trace_result *);

#endif /* tools/ctl-trace.h */
