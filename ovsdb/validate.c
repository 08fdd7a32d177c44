#include <config.h>
#include "ovsdb/validate.h"

#include <stdlib.h>
#include <string.h>

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
