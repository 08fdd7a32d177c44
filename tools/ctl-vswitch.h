/* What ovs-vnet-ctl reads from a switch itself, rather than from the NB: its
 * ports (from its own database) and its ovs-vswitchd (found by the pidfile in
 * the run directory that the switch's NB remote names). */
#ifndef VNET_CTL_VSWITCH_H
#define VNET_CTL_VSWITCH_H 1

#include <stddef.h>
#include <stdint.h>

struct vnetrec_endpoint;
struct vnetrec_switch;
struct ovsdb_idl;

/* A port of the switch's integration bridge (one interface). */
struct vswitch_port {
    char *name;
    char *type;                 /* "", "internal", "vxlan", "geneve", ... */
    int64_t ofport;             /* -1 if none yet. */
    char *iface_id;             /* external_ids:iface-id, or NULL. */
};

struct vswitch_ports {
    struct vswitch_port *ports;
    size_t n;
};

/* Reads the ports of 'sw''s bridge.  Returns NULL or an error. */
char *vswitch_ports_read(const struct vnetrec_switch *sw,
                         struct vswitch_ports *);
void vswitch_ports_destroy(struct vswitch_ports *);
const struct vswitch_port *vswitch_port_by_ofport(const struct vswitch_ports *,
                                                  int64_t ofport);
const struct vswitch_port *vswitch_port_by_name(const struct vswitch_ports *,
                                                const char *name);
const struct vswitch_port *vswitch_port_by_iface_id(
    const struct vswitch_ports *, const char *iface_id);

/* The switch that 'ep' is on (attached there, or plugged in there), or
 * NULL. */
const struct vnetrec_switch *vswitch_of_endpoint(
    struct ovsdb_idl *, const struct vnetrec_endpoint *);

/* Enters the network namespace of the ovs-vswitchd of 'sw' (the one its
 * endpoints' host ends are in).  Sets '*selfp' to ours, to come back to.
 * Returns NULL or an error message. */
char *vswitch_enter_netns(const struct vnetrec_switch *sw, int *selfp);

/* Runs the ovs-appctl command 'cmd' with 'argv' on the ovs-vswitchd of 'sw'.
 * Returns NULL and sets '*reply', or returns an error. */
char *vswitch_appctl(const struct vnetrec_switch *sw, const char *cmd,
                     int argc, char *argv[], char **reply);

#endif /* tools/ctl-vswitch.h */
