#include <config.h>
#include "controller/status.h"

#include <stdlib.h>

#include "util.h"

void
vnet_status_compute(const struct vnet_status_facts *f, struct vnet_status *st)
{
    const char *of_state = f->of_state ? f->of_state : "closed";
    char *error = NULL;

    /* The first missing piece, in the order they are needed, is the error. */
    if (f->config_error) {
        error = xstrdup(f->config_error);
    } else if (!f->db_connected) {
        error = f->db_error
                ? xasprintf("OVSDB: %s", f->db_error)
                : xstrdup("OVSDB: connecting");
    } else if (!f->db_ready) {
        error = xstrdup("OVSDB: the switch database has no Open_vSwitch row "
                        "(is ovs-vswitchd initialized?)");
    } else if (f->bridge_error) {
        error = xstrdup(f->bridge_error);
    } else if ((!f->bridge_ready || f->txn_pending) && !f->bridge_configured) {
        error = xstrdup("OVSDB: configuring the bridge");
    } else if (f->of_error) {
        error = xasprintf("OpenFlow: %s", f->of_error);
    } else if (!f->of_active) {
        error = xasprintf("OpenFlow: %s", of_state);
    }
    /* 'controller_connected' is not required: ovs-vswitchd refreshes it only
     * every few seconds, and a complete OpenFlow handshake on our own socket
     * already proves the bridge is connected to us. */

    st->connected = !error;
    /* Connected, but the switch refuses what we send it. */
    if (!error && f->flows_error) {
        error = xasprintf("OpenFlow: %s", f->flows_error);
    }
    if (!error && f->tunnel_error) {
        error = xstrdup(f->tunnel_error);
    }
    st->last_error = error;
}
