/* Keys of a Switch row's "status" column: ovs-vnetd writes them, ovs-vnet-ctl
 * and other switches' sessions read them (ovs-vnetd(8) describes each). */
#ifndef VNET_STATUS_KEYS_H
#define VNET_STATUS_KEYS_H 1

/* The datapath the switch runs: "system" or "netdev". */
#define VNET_STATUS_DATAPATH_TYPE "datapath_type"
/* The OpenFlow version agreed with the bridge ("OpenFlow15"). */
#define VNET_STATUS_OPENFLOW_VERSION "openflow_version"
/* Where the bridge connects to ovs-vnetd. */
#define VNET_STATUS_OPENFLOW_SOCKET "openflow_socket"
/* The switch's Open_vSwitch ovs_version and external_ids:system-id. */
#define VNET_STATUS_OVS_VERSION "ovs_version"
#define VNET_STATUS_SYSTEM_ID "system_id"
/* The tunnel IP the switch's tunnels use: its encap IP, once no other
 * switch has it. */
#define VNET_STATUS_TUNNEL_IP "tunnel_ip"
/* What the switch's Controller row says of its connection to ovs-vnetd. */
#define VNET_STATUS_CONTROLLER_IS_CONNECTED "controller_is_connected"
/* Flows of ovs-vnet installed, whether they are what the NB calls for, and
 * why not when the switch refused them. */
#define VNET_STATUS_FLOWS "flows"
#define VNET_STATUS_FLOWS_SYNCED "flows_synced"
#define VNET_STATUS_FLOWS_ERROR "flows_error"
/* The NB nb_cfg whose flows the switch refused (then --wait fails). */
#define VNET_STATUS_FAILED_CFG "failed_cfg"
/* Prefix: "port_error:IFACE" holds why ovs-vswitchd could not open our port
 * IFACE (a router's uplink interface that does not exist, ...). */
#define VNET_STATUS_PORT_ERROR_PREFIX "port_error:"
/* Prefixes: "network_error:NAME" and "router_error:NAME" hold why ovs-vnetd
 * leaves a network or router out (a rule that spans rows is broken: a
 * segment id or conntrack zone taken twice, a network on two routers...). */
#define VNET_STATUS_NETWORK_ERROR_PREFIX "network_error:"
#define VNET_STATUS_ROUTER_ERROR_PREFIX "router_error:"
/* The ovs-vnetd that drives the switch: "HOST pid PID" (of several for the
 * same switches, the one holding the NB lock). */
#define VNET_STATUS_CONTROLLER "controller"
/* Prefix: "physnet_error:NAME" says why network NAME, on a physical network,
 * does not reach its LAN from this switch (its endpoints here still reach
 * each other). */
#define VNET_STATUS_PHYSNET_ERROR_PREFIX "physnet_error:"
/* On the userspace datapath, the endpoints' offloads: "tso" (those whose
 * traffic stays on the switch keep TX checksum offload and TSO), "off" (the
 * switch's offload policy), or "off: ..." and why. */
#define VNET_STATUS_OFFLOAD "offload"

#endif /* ovsdb/status-keys.h */
