#include <config.h>
#include "ovsdb/allocate.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "hmapx.h"
#include "ovsdb/addr.h"
#include "ovsdb/vnet-idl.h"
#include "util.h"

int64_t
vnet_alloc_segment_id(struct ovsdb_idl *idl)
{
    struct hmapx used = HMAPX_INITIALIZER(&used);
    const struct vnetrec_network *net;
    VNETREC_NETWORK_FOR_EACH (net, idl) {
        hmapx_add(&used, (void *) (uintptr_t) net->segment_id);
    }
    const struct vnetrec_router *r;
    VNETREC_ROUTER_FOR_EACH (r, idl) {
        hmapx_add(&used, (void *) (uintptr_t) r->segment_id);
    }
    int64_t segment = 1;
    while (hmapx_find(&used, (void *) (uintptr_t) segment)) {
        segment++;
    }
    hmapx_destroy(&used);
    return segment;
}

int64_t
vnet_alloc_ct_zone(struct ovsdb_idl *idl)
{
    struct hmapx used = HMAPX_INITIALIZER(&used);
    const struct vnetrec_router *r;
    VNETREC_ROUTER_FOR_EACH (r, idl) {
        hmapx_add(&used, (void *) (uintptr_t) r->ct_zone);
    }
    int64_t zone = 2;
    while (hmapx_find(&used, (void *) (uintptr_t) zone)) {
        zone += 2;
    }
    hmapx_destroy(&used);
    return zone <= 65534 ? zone : 0;
}

bool
vnet_alloc_endpoint_ip(struct ovsdb_idl *idl, const struct vnetrec_network *net,
                       const struct vnet_cidr *cidr, uint32_t gateway,
                       uint32_t *ip)
{
    size_t n_used = 0, allocated = 16;
    uint32_t *used = xmalloc(allocated * sizeof *used);
    if (gateway) {
        used[n_used++] = gateway;
    }
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        uint32_t other;
        if (ep->network == net && ep->ip && vnet_ip_is_valid(ep->ip, &other)) {
            if (n_used >= allocated) {
                used = x2nrealloc(used, &allocated, sizeof *used);
            }
            used[n_used++] = other;
        }
    }
    bool ok = vnet_ip_alloc(cidr, used, n_used, ip);
    free(used);
    return ok;
}

bool
vnet_alloc_endpoint_mac_of(const char *net_name, const char *name,
                           unsigned int n, vnet_mac_taken_func *taken,
                           const void *aux, uint8_t mac[6])
{
    for (unsigned int attempt = 0; attempt < n; attempt++) {
        vnet_mac_for_endpoint(net_name, name, attempt, mac);
        if (!taken(mac, aux)) {
            return true;
        }
    }
    return false;
}

/* vnet_mac_taken_func for the Endpoint rows of IDL 'idl_'. */
static bool
idl_mac_taken(const uint8_t mac[6], const void *idl_)
{
    struct ovsdb_idl *idl = CONST_CAST(struct ovsdb_idl *, idl_);
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        if (vnet_mac_string_equals(ep->mac, mac)) {
            return true;
        }
    }
    return false;
}

void
vnet_alloc_endpoint_mac(struct ovsdb_idl *idl, const char *net_name,
                        const char *name, uint8_t mac[6])
{
    /* Some candidate is free: there are fewer endpoints than MACs. */
    bool found = vnet_alloc_endpoint_mac_of(net_name, name, UINT_MAX,
                                            idl_mac_taken, idl, mac);
    ovs_assert(found);
}
