#include <config.h>
#include "ovsdb/endpoint.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "hash.h"
#include "ovsdb/names.h"
#include "ovsdb/validate.h"
#include "ovsdb/vnet-idl.h"
#include "util.h"

bool
vnet_endpoint_is_created(const struct vnetrec_endpoint *ep)
{
    return (!strcmp(ep->type, "netns") || !strcmp(ep->type, "internal")
            || !strcmp(ep->type, "tap") || !strcmp(ep->type, "trunk"));
}

const char *
vnet_endpoint_switch_name(const struct vnetrec_endpoint *ep)
{
    if (vnet_endpoint_is_created(ep)) {
        return ep->switch_ ? ep->switch_->name : NULL;
    }
    return ep->location;
}

char *
vnet_endpoint_ifname_buf(const struct vnetrec_endpoint *ep,
                         char buf[VNET_PORT_NAME_SIZE])
{
    snprintf(buf, VNET_PORT_NAME_SIZE, VNET_ENDPOINT_PORT_PREFIX "%08"PRIx32,
             ep->header_.uuid.parts[0]);
    return buf;
}

char *
vnet_endpoint_ifname(const struct vnetrec_endpoint *ep)
{
    char buf[VNET_PORT_NAME_SIZE];
    return xstrdup(vnet_endpoint_ifname_buf(ep, buf));
}

char *
vnet_trunk_port_name_buf(const struct vnetrec_network *net,
                         const char *switch_name,
                         char buf[VNET_PORT_NAME_SIZE])
{
    snprintf(buf, VNET_PORT_NAME_SIZE, VNET_TRUNK_PORT_PREFIX "%08"PRIx32,
             hash_string(switch_name, net->header_.uuid.parts[0]));
    return buf;
}

char *
vnet_trunk_port_name(const struct vnetrec_network *net,
                     const char *switch_name)
{
    char buf[VNET_PORT_NAME_SIZE];
    return xstrdup(vnet_trunk_port_name_buf(net, switch_name, buf));
}

char *
vnet_network_row_check(const struct vnetrec_network *net,
                       struct vnet_cidr *cidrp, unsigned int *gatewayp)
{
    return vnet_network_check_physnet(net->name, net->cidr,
                                      net->gateway[0] ? net->gateway : NULL,
                                      net->physnet, cidrp, gatewayp);
}
