/* Uplinks and NAT rules of routers: parsing and checks shared by ovs-vnet-ctl
 * (before it writes) and ovs-vnetd (against rows written by any client).
 * Addresses are in host byte order.  Pure: no I/O. */
#ifndef VNET_NAT_H
#define VNET_NAT_H 1

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A router's way out: its address on the external network and the next hop
 * everything outside goes to. */
struct vnet_uplink {
    uint32_t ip;
    int plen;                   /* 8 to 32. */
    uint32_t nexthop;           /* Inside ip/plen, not 'ip'. */
};

/* Parses an uplink's "A.B.C.D/P" and next hop "A.B.C.D".  Returns NULL or a
 * malloc'd message (caller frees). */
char *vnet_uplink_parse(const char *ip, const char *nexthop,
                        struct vnet_uplink *);

enum vnet_nat_type {
    VNET_NAT_SNAT,              /* Inside source(s) leave as 'external'. */
    VNET_NAT_DNAT,              /* external:port -> logical:port. */
    VNET_NAT_FIP,               /* external <-> logical, 1:1. */
};

struct vnet_nat {
    enum vnet_nat_type type;
    bool has_external;          /* Else the router's uplink address. */
    uint32_t external;
    uint32_t logical;           /* snat: a prefix; dnat, fip: a host. */
    int logical_plen;
    uint8_t protocol;           /* dnat: 6 (TCP) or 17 (UDP); else 0. */
    uint16_t external_port;     /* dnat only. */
    uint16_t logical_port;      /* dnat only. */
};

/* "snat", "dnat" or "fip"; NULL if unknown. */
const char *vnet_nat_type_name(enum vnet_nat_type);
bool vnet_nat_type_parse(const char *, enum vnet_nat_type *);

/* Parses "A.B.C.D" (a /32) or "A.B.C.D/P" (P from 0 to 32, no host bits).
 * Returns NULL or a malloc'd message. */
char *vnet_prefix_parse(const char *s, uint32_t *ip, int *plen);

/* Checks the columns of a NAT row: 'type' "snat", "dnat" or "fip";
 * 'external_ip' NULL or empty for the uplink's address (not for fip);
 * 'logical_ip' a prefix (snat) or a host; 'protocol' "tcp" or "udp" and both
 * ports 1-65535 for dnat ('logical_port' 0: the same as 'external_port'), none
 * otherwise.  Returns NULL and fills 'nat', or a malloc'd message. */
char *vnet_nat_parse(const char *type, const char *external_ip,
                     const char *logical_ip, const char *protocol,
                     int64_t external_port, int64_t logical_port,
                     struct vnet_nat *nat);

/* True if 'a' and 'b' are the same rule (what nat-del names): the same type
 * and, for snat, the same logical prefix; for dnat, external address,
 * protocol and port; for fip, external address.  'uplink' stands in for a
 * missing external address. */
bool vnet_nat_same_rule(const struct vnet_nat *a, const struct vnet_nat *b,
                        uint32_t uplink);

#ifdef __cplusplus
}
#endif

#endif /* ovsdb/nat.h */
