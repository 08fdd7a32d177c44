#include <config.h>
#include "ovsdb/validate.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/addr.h"
#include "ovsdb/names.h"
#include "ovsdb/remote.h"
#include "util.h"

char *
vnet_switch_check(const char *name, const char *remote, const char *bridge)
{
    char *error = vnet_name_check("switch", name);
    if (error) {
        return error;
    }

    struct vnet_remote r;
    error = vnet_remote_parse(remote, &r);
    if (error) {
        return error;
    }
    vnet_remote_destroy(&r);

    error = vnet_ifname_check(bridge);
    if (error) {
        char *msg = xasprintf("bridge name: %s", error);
        free(error);
        return msg;
    }
    if (!strcmp(bridge, VNET_PHY_BRIDGE)) {
        return xasprintf("bridge name: %s is the underlay bridge's",
                         bridge);
    }
    return NULL;
}

const char *
vnet_datapath_resolve(const char *datapath_type, int have_kernel_module)
{
    if (datapath_type && !strcmp(datapath_type, "system")) {
        return "system";
    }
    if (datapath_type && !strcmp(datapath_type, "netdev")) {
        return "netdev";
    }
    return have_kernel_module ? "system" : "netdev";
}

char *
vnet_network_check(const char *name, const char *cidr_s, const char *gateway_s,
                   struct vnet_cidr *cidrp, unsigned int *gatewayp)
{
    return vnet_network_check_physnet(name, cidr_s, gateway_s, NULL, cidrp,
                                      gatewayp);
}

char *
vnet_network_check_physnet(const char *name, const char *cidr_s,
                           const char *gateway_s, const char *physnet,
                           struct vnet_cidr *cidrp, unsigned int *gatewayp)
{
    char *error = vnet_name_check("network", name);
    if (error) {
        return error;
    }
    if (physnet) {
        error = vnet_name_check("physical network", physnet);
        if (error) {
            return error;
        }
    }

    struct vnet_cidr cidr;
    error = vnet_cidr_parse(cidr_s, &cidr);
    if (error) {
        return error;
    }

    /* On a physical network the gateway, if any, is a router of the LAN. */
    uint32_t gateway = physnet ? 0 : cidr.net + 1;
    if (gateway_s && *gateway_s) {
        error = vnet_ip_parse(gateway_s, &gateway);
        if (!error) {
            error = vnet_ip_check_host("gateway", gateway, &cidr, 0);
        }
        if (error) {
            return error;
        }
    }
    if (cidrp) {
        *cidrp = cidr;
    }
    if (gatewayp) {
        *gatewayp = gateway;
    }
    return NULL;
}

char *
vnet_endpoint_check(const char *name, const char *netns, const char *ip_s,
                    const char *mac_s, const struct vnet_cidr *cidr,
                    unsigned int gateway)
{
    char *error = vnet_name_check("endpoint", name);
    if (error) {
        return error;
    }
    if (netns) {
        /* A namespace name is a file name under /run/netns. */
        error = vnet_name_check("namespace", netns);
        if (error) {
            return error;
        }
    }
    if (ip_s) {
        uint32_t ip;
        error = vnet_ip_parse(ip_s, &ip);
        if (!error) {
            error = vnet_ip_check_host("endpoint IP", ip, cidr, gateway);
        }
        if (error) {
            return error;
        }
    }
    if (mac_s) {
        uint8_t mac[6];
        error = vnet_mac_parse(mac_s, mac);
        if (error) {
            return error;
        }
    }
    return NULL;
}

char *
vnet_physnet_mapping_check(const char *physnet, const char *iface)
{
    char *error = vnet_name_check("physical network", physnet);
    if (!error) {
        error = vnet_uplink_iface_check(iface, NULL, NULL);
    }
    return error;
}
