#include <config.h>
#include "flows/pipeline.h"

#include <stddef.h>

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
    case VNET_F_PHYSNET: return "physnet";
    case VNET_F_FOREIGN: return "foreign";
    case VNET_F_MAX: break;
    }
    return "unknown";
}

const char *
vnet_table_name(int table)
{
    switch (table) {
    case VNET_T_INGRESS: return "ingress";
    case VNET_T_ARP: return "arp";
    case VNET_T_LEARN: return "learn";
    case VNET_T_ROUTE: return "route";
    case VNET_T_NEIGHBOR: return "neighbor";
    case VNET_T_L2: return "l2";
    case VNET_T_FLOOD: return "flood";
    case VNET_T_ROUTER: return "router";
    case VNET_T_UNHAIRPIN: return "unhairpin";
    case VNET_T_NAT: return "nat";
    case VNET_T_LR_ROUTE: return "lr-route";
    case VNET_T_UPLINK_NEIGHBOR: return "uplink-nb";
    case VNET_T_UPLINK_ARP: return "uplink-arp";
    }
    return NULL;
}
