/* ovs-vnet-ctl: reading a switch itself (tools/ctl-vswitch.h). */
#include <config.h>
#include "tools/ctl-vswitch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "jsonrpc.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/remote.h"
#include "ovsdb/vnet-idl.h"
#include "smap.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

char *
vswitch_ports_read(const struct vnetrec_switch *sw, struct vswitch_ports *out)
{
    out->ports = NULL;
    out->n = 0;
    struct ovsdb_idl *idl = ovsdb_idl_create(sw->remote, &ovsrec_idl_class,
                                             true, true);
    long long int deadline = time_msec() + 10000;
    for (;;) {
        ovsdb_idl_run(idl);
        if (ovsdb_idl_has_ever_connected(idl)) {
            break;
        }
        if (time_msec() >= deadline || !ovsdb_idl_is_alive(idl)) {
            ovsdb_idl_destroy(idl);
            return xasprintf("switch %s: cannot read its database at %s",
                             sw->name, sw->remote);
        }
        ovsdb_idl_wait(idl);
        poll_timer_wait_until(deadline);
        poll_block();
    }
    const struct ovsrec_bridge *br;
    OVSREC_BRIDGE_FOR_EACH (br, idl) {
        if (strcmp(br->name, sw->bridge)) {
            continue;
        }
        for (size_t i = 0; i < br->n_ports; i++) {
            const struct ovsrec_port *port = br->ports[i];
            for (size_t j = 0; j < port->n_interfaces; j++) {
                const struct ovsrec_interface *iface = port->interfaces[j];
                const char *id = smap_get(&iface->external_ids, "iface-id");
                out->ports = xrealloc(out->ports,
                                      (out->n + 1) * sizeof *out->ports);
                out->ports[out->n++] = (struct vswitch_port) {
                    .name = xstrdup(iface->name),
                    .type = xstrdup(iface->type),
                    .ofport = iface->n_ofport ? iface->ofport[0] : -1,
                    .iface_id = id ? xstrdup(id) : NULL,
                };
            }
        }
    }
    ovsdb_idl_destroy(idl);
    return NULL;
}

void
vswitch_ports_destroy(struct vswitch_ports *ports)
{
    for (size_t i = 0; i < ports->n; i++) {
        free(ports->ports[i].name);
        free(ports->ports[i].type);
        free(ports->ports[i].iface_id);
    }
    free(ports->ports);
    ports->ports = NULL;
    ports->n = 0;
}

const struct vswitch_port *
vswitch_port_by_ofport(const struct vswitch_ports *ports, int64_t ofport)
{
    for (size_t i = 0; i < ports->n; i++) {
        if (ports->ports[i].ofport == ofport) {
            return &ports->ports[i];
        }
    }
    return NULL;
}

const struct vswitch_port *
vswitch_port_by_name(const struct vswitch_ports *ports, const char *name)
{
    for (size_t i = 0; i < ports->n; i++) {
        if (!strcmp(ports->ports[i].name, name)) {
            return &ports->ports[i];
        }
    }
    return NULL;
}

const struct vswitch_port *
vswitch_port_by_iface_id(const struct vswitch_ports *ports,
                         const char *iface_id)
{
    for (size_t i = 0; i < ports->n; i++) {
        if (ports->ports[i].iface_id
            && !strcmp(ports->ports[i].iface_id, iface_id)) {
            return &ports->ports[i];
        }
    }
    return NULL;
}

const struct vnetrec_switch *
vswitch_of_endpoint(struct ovsdb_idl *idl, const struct vnetrec_endpoint *ep)
{
    if (vnet_endpoint_is_created(ep)) {
        return ep->switch_;
    }
    const char *name = vnet_endpoint_switch_name(ep);
    const struct vnetrec_switch *sw;
    VNETREC_SWITCH_FOR_EACH (sw, idl) {
        if (name && !strcmp(sw->name, name)) {
            return sw;
        }
    }
    return NULL;
}

/* The pid of the ovs-vswitchd of 'sw', or an error. */
static char *
vswitchd_pid(const struct vnetrec_switch *sw, pid_t *pidp)
{
    struct vnet_remote r;
    char *error = vnet_remote_parse(sw->remote, &r);
    if (error) {
        return error;
    }
    char *rundir = vnet_switch_rundir(NULL, &r);
    vnet_remote_destroy(&r);
    char *pidfile = xasprintf("%s/ovs-vswitchd.pid", rundir);
    free(rundir);
    *pidp = read_pidfile(pidfile);
    if (*pidp <= 0) {
        error = xasprintf("switch %s: no ovs-vswitchd running (%s)", sw->name,
                          pidfile);
    }
    free(pidfile);
    return error;
}

char *
vswitch_enter_netns(const struct vnetrec_switch *sw, int *selfp)
{
    pid_t pid;
    char *error = vswitchd_pid(sw, &pid);
    if (error) {
        return error;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/ns/net", (long) pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    *selfp = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0 || *selfp < 0 || setns(fd, CLONE_NEWNET)) {
        error = xasprintf("switch %s: cannot enter its network namespace "
                          "(%s)", sw->name, ovs_strerror(errno));
        if (*selfp >= 0) {
            close(*selfp);
            *selfp = -1;
        }
    }
    if (fd >= 0) {
        close(fd);
    }
    return error;
}

char *
vswitch_appctl(const struct vnetrec_switch *sw, const char *cmd, int argc,
               char *argv[], char **reply)
{
    *reply = NULL;
    pid_t pid;
    char *error = vswitchd_pid(sw, &pid);
    if (error) {
        return error;
    }
    struct vnet_remote r;
    error = vnet_remote_parse(sw->remote, &r);
    if (error) {
        return error;
    }
    char *rundir = vnet_switch_rundir(NULL, &r);
    vnet_remote_destroy(&r);
    char *path = xasprintf("%s/ovs-vswitchd.%ld.ctl", rundir, (long) pid);
    free(rundir);

    struct jsonrpc *client;
    int retval = unixctl_client_create(path, &client);
    if (retval) {
        error = xasprintf("switch %s: cannot connect to %s (%s)", sw->name,
                          path, ovs_strerror(retval));
        free(path);
        return error;
    }
    free(path);
    char *cmd_result = NULL, *cmd_error = NULL;
    retval = unixctl_client_transact(client, cmd, argc, argv, &cmd_result,
                                     &cmd_error);
    jsonrpc_close(client);
    if (retval) {
        error = xasprintf("switch %s: %s failed (%s)", sw->name, cmd,
                          ovs_strerror(retval));
    } else if (cmd_error) {
        error = xasprintf("switch %s: %s: %s", sw->name, cmd, cmd_error);
    } else {
        *reply = cmd_result ? cmd_result : xstrdup("");
        cmd_result = NULL;
    }
    free(cmd_result);
    free(cmd_error);
    return error;
}
