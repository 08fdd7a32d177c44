/* Addresses in ovs-vnet networks: IPv4 CIDRs, endpoint IPs and MACs.
 *
 * Parsing and checks shared by ovs-vnet-ctl and ovs-vnetd, IP allocation from a
 * network's CIDR, and the MACs ovs-vnet makes up: endpoints get a stable MAC
 * derived from their network and name (0a:..), gateways one derived from the
 * network's segment id (02:76:6e:..).  Addresses are in host byte order here.
 * Pure: no I/O. */
#ifndef VNET_ADDR_H
#define VNET_ADDR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct vnet_cidr {
    uint32_t net;               /* Network address. */
    int plen;                   /* Prefix length. */
};

/* Parses a prefix length of one or two digits (not checked against any
 * range) into '*plen'.  Returns false if 'p' is not one. */
bool vnet_plen_parse(const char *p, int *plen);

/* Parses "A.B.C.D/N" with N from 8 to 30 and no host bits set.  Returns NULL
 * or a malloc'd message (caller frees). */
char *vnet_cidr_parse(const char *s, struct vnet_cidr *cidr);
uint32_t vnet_cidr_mask(const struct vnet_cidr *);
uint32_t vnet_cidr_broadcast(const struct vnet_cidr *);
bool vnet_cidr_contains(const struct vnet_cidr *, uint32_t ip);

/* Parses a dotted-quad IPv4 address.  Returns NULL or a malloc'd message. */
char *vnet_ip_parse(const char *s, uint32_t *ip);

/* Checks that 'ip' can be a host in 'cidr': inside it, neither its network nor
 * its broadcast address, and not 'gateway' (0: no gateway to avoid).  Returns
 * NULL or a malloc'd message naming 'what' ("gateway", "endpoint IP"). */
char *vnet_ip_check_host(const char *what, uint32_t ip,
                         const struct vnet_cidr *cidr, uint32_t gateway);

/* Picks the lowest host address of 'cidr' that is not among the 'n_used'
 * addresses in 'used'.  Returns false if the network is full. */
bool vnet_ip_alloc(const struct vnet_cidr *cidr, const uint32_t *used,
                   size_t n_used, uint32_t *ip);

/* Formats 'ip' into 'buf' (at least 16 bytes) and returns 'buf'. */
char *vnet_ip_format(uint32_t ip, char *buf);

/* Parses "xx:xx:xx:xx:xx:xx"; refuses multicast and all-zero addresses.
 * Returns NULL or a malloc'd message. */
char *vnet_mac_parse(const char *s, uint8_t mac[6]);

/* Formats 'mac' into 'buf' (at least 18 bytes) and returns 'buf'. */
char *vnet_mac_format(const uint8_t mac[6], char *buf);

/* Like vnet_ip_parse() and vnet_mac_parse() for callers that need no
 * message: true if 's' is valid (and then parsed). */
bool vnet_ip_is_valid(const char *s, uint32_t *ip);
bool vnet_mac_is_valid(const char *s, uint8_t mac[6]);

/* True if 's' (NULL: none) is a valid MAC, and 'mac', in either case. */
bool vnet_mac_string_equals(const char *s, const uint8_t mac[6]);

/* The MAC ovs-vnet gives endpoint 'endpoint' of network 'network': stable for
 * the same names; 'attempt' (0, 1, ...) gives alternatives after a clash. */
void vnet_mac_for_endpoint(const char *network, const char *endpoint,
                           unsigned int attempt, uint8_t mac[6]);

/* The MAC of the gateway of the network with segment id 'segment_id'. */
void vnet_mac_for_gateway(uint32_t segment_id, uint8_t mac[6]);

#ifdef __cplusplus
}
#endif

#endif /* ovsdb/addr.h */
