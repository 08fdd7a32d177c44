#include <config.h>
#include "flows/pipeline.h"

const char *
vnet_feature_name(enum vnet_feature feature)
{
    switch (feature) {
    case VNET_F_PIPELINE: return "pipeline";
    case VNET_F_PORT_SECURITY: return "port-security";
    case VNET_F_ARP: return "arp";
    case VNET_F_GATEWAY: return "gateway";
    case VNET_F_LEARN: return "learn";
    case VNET_F_LEARNED: return "learned";
    case VNET_F_L2: return "l2";
    case VNET_F_FLOOD: return "flood";
    case VNET_F_TUNNEL: return "tunnel";
    case VNET_F_ROUTE: return "route";
    case VNET_F_NEIGHBOR: return "neighbor";
    case VNET_F_UPLINK: return "uplink";
    case VNET_F_NAT: return "nat";
    case VNET_F_ROUTER: return "router";
    case VNET_F_MAX: break;
    }
    return "unknown";
}
