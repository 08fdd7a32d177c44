/* What ovs-vnet derives for the rows of the NB database that leave it out:
 * segment ids, conntrack zones, endpoints' IPs and MACs.  Shared by
 * ovs-vnet-ctl (which fills them in as it writes a row) and ovs-vnetd (which
 * fills them in for rows other clients wrote without them), so that both
 * pick the same. */
#ifndef VNET_ALLOCATE_H
#define VNET_ALLOCATE_H 1

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdb_idl;
struct vnet_cidr;
struct vnetrec_network;

/* The lowest segment id above 0 that no network or router has. */
int64_t vnet_alloc_segment_id(struct ovsdb_idl *);

/* The lowest even conntrack zone above 0 that no router has (a router takes
 * it, for NAT, and the next one); 0 if none is left. */
int64_t vnet_alloc_ct_zone(struct ovsdb_idl *);

/* The lowest host address of network 'net' ('cidr' parsed) that is neither
 * 'gateway' nor any endpoint's of the network.  Returns false if the network
 * is full. */
bool vnet_alloc_endpoint_ip(struct ovsdb_idl *, const struct vnetrec_network *net,
                            const struct vnet_cidr *cidr, uint32_t gateway,
                            uint32_t *ip);

/* A MAC for endpoint 'name' of network 'net_name' that no endpoint has:
 * stable for the same names (vnet_mac_for_endpoint()). */
void vnet_alloc_endpoint_mac(struct ovsdb_idl *, const char *net_name,
                             const char *name, uint8_t mac[6]);
/* The first of the first 'n' candidates (attempts 0 to n - 1 of
 * vnet_mac_for_endpoint()) that 'taken' says is not taken, into 'mac':
 * false if every one is. */
typedef bool vnet_mac_taken_func(const uint8_t mac[6], const void *aux);
bool vnet_alloc_endpoint_mac_of(const char *net_name, const char *name,
                                unsigned int n, vnet_mac_taken_func *taken,
                                const void *aux, uint8_t mac[6]);

#ifdef __cplusplus
}
#endif

#endif /* ovsdb/allocate.h */
