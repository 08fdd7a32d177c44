#include <config.h>
#include "ovsdb/nat.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb/addr.h"
#include "packets.h"
#include "util.h"

/* The netmask of prefix length 0 to 32, host byte order. */
#define prefix_mask(PLEN) ntohl(be32_prefix_mask(PLEN))

/* Splits "A.B.C.D[/P]" into an address and a prefix length (32 without
 * one). */
static char *
parse_address(const char *s, uint32_t *ip, int *plen)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    char *ip_s = slash ? xmemdup0(s, slash - s) : xstrdup(s ? s : "");
    char *error = vnet_ip_parse(ip_s, ip);
    free(ip_s);
    if (error) {
        free(error);
        return xasprintf("\"%s\" is not an IPv4 address or prefix", s ? s : "");
    }
    *plen = 32;
    if (slash && (!vnet_plen_parse(slash + 1, plen) || *plen > 32)) {
        return xasprintf("\"%s\": invalid prefix length", s);
    }
    return NULL;
}

char *
vnet_prefix_parse(const char *s, uint32_t *ip, int *plen)
{
    char *error = parse_address(s, ip, plen);
    if (!error && (*ip & ~prefix_mask(*plen))) {
        error = xasprintf("\"%s\" has host bits set", s);
    }
    return error;
}

char *
vnet_uplink_parse(const char *ip_s, const char *nexthop_s,
                  struct vnet_uplink *up)
{
    if (!ip_s || !strchr(ip_s, '/')) {
        return xasprintf("uplink address \"%s\" needs a prefix length "
                         "(e.g. 203.0.113.2/24)", ip_s ? ip_s : "");
    }
    char *error = parse_address(ip_s, &up->ip, &up->plen);
    if (error) {
        return error;
    }
    if (up->plen < 8) {
        return xasprintf("uplink address %s: prefix length must be 8 to 32",
                         ip_s);
    }
    error = vnet_ip_parse(nexthop_s ? nexthop_s : "", &up->nexthop);
    if (error) {
        char *msg = xasprintf("next hop: %s", error);
        free(error);
        return msg;
    }
    uint32_t mask = prefix_mask(up->plen);
    if (up->plen < 32 && (up->nexthop & mask) != (up->ip & mask)) {
        return xasprintf("next hop %s is not on the uplink's network %s",
                         nexthop_s, ip_s);
    }
    if (up->nexthop == up->ip) {
        return xasprintf("next hop %s is the uplink's own address",
                         nexthop_s);
    }
    return NULL;
}

const char *
vnet_nat_type_name(enum vnet_nat_type type)
{
    switch (type) {
    case VNET_NAT_SNAT: return "snat";
    case VNET_NAT_DNAT: return "dnat";
    case VNET_NAT_FIP: return "fip";
    }
    return NULL;
}

bool
vnet_nat_type_parse(const char *s, enum vnet_nat_type *type)
{
    for (int t = VNET_NAT_SNAT; t <= VNET_NAT_FIP; t++) {
        if (s && !strcmp(s, vnet_nat_type_name(t))) {
            *type = t;
            return true;
        }
    }
    return false;
}

char *
vnet_nat_parse(const char *type, const char *external_ip,
               const char *logical_ip, const char *protocol,
               int64_t external_port, int64_t logical_port,
               struct vnet_nat *nat)
{
    memset(nat, 0, sizeof *nat);
    if (!vnet_nat_type_parse(type, &nat->type)) {
        return xasprintf("unknown NAT type \"%s\" (snat, dnat or fip)",
                         type ? type : "");
    }

    if (external_ip && *external_ip) {
        char *error = vnet_ip_parse(external_ip, &nat->external);
        if (error) {
            char *msg = xasprintf("external IP: %s", error);
            free(error);
            return msg;
        }
        nat->has_external = true;
    } else if (nat->type == VNET_NAT_FIP) {
        return xstrdup("a floating IP needs its own external address");
    }

    char *error;
    if (nat->type == VNET_NAT_SNAT) {
        error = vnet_prefix_parse(logical_ip, &nat->logical,
                                  &nat->logical_plen);
    } else {
        nat->logical_plen = 32;
        error = vnet_ip_parse(logical_ip ? logical_ip : "", &nat->logical);
    }
    if (error) {
        char *msg = xasprintf("internal address: %s", error);
        free(error);
        return msg;
    }

    if (nat->type == VNET_NAT_DNAT) {
        if (!protocol || (strcmp(protocol, "tcp") && strcmp(protocol, "udp"))) {
            return xasprintf("dnat needs protocol tcp or udp, not \"%s\"",
                             protocol ? protocol : "");
        }
        nat->protocol = !strcmp(protocol, "tcp") ? 6 : 17;
        if (external_port < 1 || external_port > 65535) {
            return xasprintf("external port %"PRId64" is not 1 to 65535",
                             external_port);
        }
        if (logical_port < 0 || logical_port > 65535) {
            return xasprintf("internal port %"PRId64" is not 1 to 65535",
                             logical_port);
        }
        nat->external_port = external_port;
        nat->logical_port = logical_port ? logical_port : external_port;
    } else if (protocol || external_port || logical_port) {
        return xasprintf("%s takes no protocol or ports", type);
    }
    return NULL;
}

bool
vnet_nat_same_rule(const struct vnet_nat *a, const struct vnet_nat *b,
                   uint32_t uplink)
{
    uint32_t ea = a->has_external ? a->external : uplink;
    uint32_t eb = b->has_external ? b->external : uplink;
    if (a->type != b->type) {
        return false;
    }
    switch (a->type) {
    case VNET_NAT_SNAT:
        return a->logical == b->logical && a->logical_plen == b->logical_plen;
    case VNET_NAT_DNAT:
        return ea == eb && a->protocol == b->protocol
               && a->external_port == b->external_port;
    case VNET_NAT_FIP:
        return ea == eb;
    }
    return false;
}
