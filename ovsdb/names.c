#include <config.h>
#include "ovsdb/names.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static bool
name_char_ok(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

char *
vnet_name_check(const char *kind, const char *name)
{
    if (!name || !*name) {
        return xasprintf("%s name must not be empty", kind);
    }
    if (strlen(name) > VNET_NAME_MAX) {
        return xasprintf("%s name \"%s\" is longer than %d characters",
                         kind, name, VNET_NAME_MAX);
    }
    if (!isalnum((unsigned char) name[0])) {
        return xasprintf("%s name \"%s\" must start with a letter or digit",
                         kind, name);
    }
    for (const char *p = name; *p; p++) {
        if (!name_char_ok(*p)) {
            return xasprintf("%s name \"%s\" has invalid character '%c' "
                             "(use letters, digits, '_', '.', '-')",
                             kind, name, *p);
        }
    }
    return NULL;
}

char *
vnet_ifname_check(const char *name)
{
    if (!name || !*name) {
        return xstrdup("interface name must not be empty");
    }
    if (strlen(name) > 15) {
        return xasprintf("\"%s\" is longer than 15 characters, too long for a "
                         "network interface name", name);
    }
    if (!strcmp(name, ".") || !strcmp(name, "..")) {
        return xasprintf("\"%s\" cannot be a network interface name", name);
    }
    for (const char *p = name; *p; p++) {
        if (*p == '/' || *p == ':' || isspace((unsigned char) *p)) {
            return xasprintf("\"%s\" cannot be a network interface name "
                             "(no '/', ':' or spaces)", name);
        }
    }
    return NULL;
}

/* True if 'name' is 'prefix' and 8 hex digits. */
static bool
is_prefixed_id(const char *name, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(name, prefix, n) || strlen(name + n) != 8) {
        return false;
    }
    for (const char *p = name + n; *p; p++) {
        if (!isxdigit((unsigned char) *p)) {
            return false;
        }
    }
    return true;
}

bool
vnet_is_trunk_port_name(const char *name)
{
    return is_prefixed_id(name, VNET_TRUNK_PORT_PREFIX);
}

char *
vnet_uplink_iface_check(const char *iface, const char *bridge,
                        const char *underlay)
{
    char *error = vnet_ifname_check(iface);
    if (error) {
        return error;
    }
    if (bridge && !strcmp(iface, bridge)) {
        return xasprintf("%s is the switch's bridge", iface);
    }
    if (!strcmp(iface, VNET_PHY_BRIDGE)) {
        return xasprintf("%s is the switch's underlay bridge", iface);
    }
    if (underlay && !strcmp(iface, underlay)) {
        return xasprintf("%s is the switch's underlay interface", iface);
    }
    if (!strcmp(iface, VNET_VXLAN_PORT) || !strcmp(iface, VNET_GENEVE_PORT)
        || is_prefixed_id(iface, VNET_ENDPOINT_PORT_PREFIX)
        || is_prefixed_id(iface, VNET_RELAY_TAP_PREFIX)
        || is_prefixed_id(iface, VNET_TRUNK_PORT_PREFIX)) {
        return xasprintf("%s is a name ovs-vnet gives its own ports", iface);
    }
    return NULL;
}

static bool
looks_like_uuid(const char *s)
{
    if (strlen(s) != 36) {
        return false;
    }
    for (int i = 0; i < 36; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

/* Copies up to 'n' bytes of 's' into a valid object name, or NULL if nothing
 * valid remains. */
static char *
sanitize(const char *s, size_t n)
{
    char *name = xmalloc(n + 1);
    size_t len = 0;

    for (size_t i = 0; i < n && s[i] && len < VNET_NAME_MAX; i++) {
        unsigned char c = s[i];
        if (!len && !isalnum(c)) {
            continue;
        }
        name[len++] = name_char_ok(c) ? tolower(c) : '-';
    }
    while (len && !isalnum((unsigned char) name[len - 1])) {
        len--;
    }
    name[len] = '\0';
    if (!len) {
        free(name);
        return NULL;
    }
    return name;
}

char *
vnet_switch_default_name(const char *system_id, const char *hostname)
{
    char *name = NULL;

    if (system_id && *system_id && !looks_like_uuid(system_id)) {
        name = sanitize(system_id, strlen(system_id));
    }
    if (!name && hostname && *hostname) {
        name = sanitize(hostname, strcspn(hostname, "."));
    }
    if (!name && system_id && looks_like_uuid(system_id)) {
        char *digits = sanitize(system_id, 8);
        name = xasprintf("sw-%s", digits);
        free(digits);
    }
    return name;
}

char *
vnet_of_socket_path(const char *rundir, const char *bridge, bool alt)
{
    return xasprintf("%s/%s.vnetd%s", rundir, bridge, alt ? ".1" : "");
}

bool
vnet_offload_is_valid(const char *offload)
{
    return !strcmp(offload, "auto") || !strcmp(offload, "off");
}

bool
vnet_network_endpoint_type_is_valid(const char *type)
{
    return (!strcmp(type, "netns") || !strcmp(type, "trunk")
            || !strcmp(type, "internal"));
}
