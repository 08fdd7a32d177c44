#include <config.h>
#include "ovsdb/addr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "util.h"

char *
vnet_ip_parse(const char *s, uint32_t *ip)
{
    struct in_addr addr;

    /* inet_pton() takes exactly dotted quads, no shorthand or octal. */
    if (!s || inet_pton(AF_INET, s, &addr) != 1) {
        return xasprintf("\"%s\" is not an IPv4 address", s ? s : "");
    }
    *ip = ntohl(addr.s_addr);
    return NULL;
}

uint32_t
vnet_cidr_mask(const struct vnet_cidr *cidr)
{
    return cidr->plen ? UINT32_MAX << (32 - cidr->plen) : 0;
}

uint32_t
vnet_cidr_broadcast(const struct vnet_cidr *cidr)
{
    return cidr->net | ~vnet_cidr_mask(cidr);
}

bool
vnet_cidr_contains(const struct vnet_cidr *cidr, uint32_t ip)
{
    return (ip & vnet_cidr_mask(cidr)) == cidr->net;
}

bool
vnet_plen_parse(const char *p, int *plen)
{
    if (!*p || strlen(p) > 2) {
        return false;
    }
    int n = 0;
    for (; *p; p++) {
        if (!isdigit((unsigned char) *p)) {
            return false;
        }
        n = n * 10 + (*p - '0');
    }
    *plen = n;
    return true;
}

char *
vnet_cidr_parse(const char *s, struct vnet_cidr *cidr)
{
    const char *slash = s ? strchr(s, '/') : NULL;
    if (!slash) {
        return xasprintf("\"%s\" is not a CIDR (expected e.g. 10.5.0.0/16)",
                         s ? s : "");
    }

    char *ip_s = xmemdup0(s, slash - s);
    uint32_t ip = 0;
    char *error = vnet_ip_parse(ip_s, &ip);
    free(ip_s);
    if (error) {
        free(error);
        return xasprintf("\"%s\" is not a CIDR (expected e.g. 10.5.0.0/16)", s);
    }

    int plen;
    if (!vnet_plen_parse(slash + 1, &plen)) {
        return xasprintf("\"%s\": invalid prefix length", s);
    }
    if (plen < 8 || plen > 30) {
        return xasprintf("\"%s\": prefix length must be 8 to 30", s);
    }

    cidr->plen = plen;
    cidr->net = ip & vnet_cidr_mask(cidr);
    if (cidr->net != ip) {
        char buf[16];
        return xasprintf("\"%s\" has host bits set (did you mean %s/%d?)", s,
                         vnet_ip_format(cidr->net, buf), plen);
    }
    return NULL;
}

char *
vnet_ip_check_host(const char *what, uint32_t ip, const struct vnet_cidr *cidr,
                   uint32_t gateway)
{
    const char *problem;
    if (!vnet_cidr_contains(cidr, ip)) {
        problem = "is outside";
    } else if (ip == cidr->net) {
        problem = "is the network address of";
    } else if (ip == vnet_cidr_broadcast(cidr)) {
        problem = "is the broadcast address of";
    } else if (gateway && ip == gateway) {
        problem = NULL;
    } else {
        return NULL;            /* The usual case: nothing to format. */
    }

    char ip_s[16], net_s[16];
    vnet_ip_format(ip, ip_s);
    vnet_ip_format(cidr->net, net_s);
    return (problem
            ? xasprintf("%s %s %s %s/%d", what, ip_s, problem, net_s,
                        cidr->plen)
            : xasprintf("%s %s is the network's gateway", what, ip_s));
}

bool
vnet_ip_alloc(const struct vnet_cidr *cidr, const uint32_t *used,
              size_t n_used, uint32_t *ip)
{
    uint32_t last = vnet_cidr_broadcast(cidr);

    for (uint32_t candidate = cidr->net + 1; candidate < last; candidate++) {
        bool taken = false;
        for (size_t i = 0; i < n_used && !taken; i++) {
            taken = used[i] == candidate;
        }
        if (!taken) {
            *ip = candidate;
            return true;
        }
    }
    return false;
}

char *
vnet_ip_format(uint32_t ip, char *buf)
{
    snprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff,
             (ip >> 8) & 0xff, ip & 0xff);
    return buf;
}

char *
vnet_mac_parse(const char *s, uint8_t mac[6])
{
    /* Exactly "xx:xx:xx:xx:xx:xx" (parsed by hand: it is on a hot path). */
    bool ok = s && strlen(s) == 17;
    for (int i = 0; ok && i < 6; i++) {
        int hi = hexit_value(s[3 * i]);
        int lo = hexit_value(s[3 * i + 1]);
        ok = hi >= 0 && lo >= 0 && (i == 5 || s[3 * i + 2] == ':');
        if (ok) {
            mac[i] = (hi << 4) | lo;
        }
    }
    if (!ok) {
        return xasprintf("\"%s\" is not a MAC address (expected e.g. "
                         "0a:00:00:00:00:01)", s ? s : "");
    }
    if (mac[0] & 1) {
        return xasprintf("%s is a multicast MAC address", s);
    }
    if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
        return xasprintf("%s is not a usable MAC address", s);
    }
    return NULL;
}

char *
vnet_mac_format(const uint8_t mac[6], char *buf)
{
    snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x",
             mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    return buf;
}

void
vnet_mac_for_endpoint(const char *network, const char *endpoint,
                      unsigned int attempt, uint8_t mac[6])
{
    uint32_t h1 = hash_string(network, attempt);
    uint32_t h2 = hash_string(endpoint, h1);

    mac[0] = 0x0a;              /* Locally administered, unicast. */
    mac[1] = h1 >> 8;
    mac[2] = h2 >> 24;
    mac[3] = h2 >> 16;
    mac[4] = h2 >> 8;
    mac[5] = h2;
}

void
vnet_mac_for_gateway(uint32_t segment_id, uint8_t mac[6])
{
    mac[0] = 0x02;              /* Locally administered, unicast: "..vn". */
    mac[1] = 0x76;
    mac[2] = 0x6e;
    mac[3] = segment_id >> 16;
    mac[4] = segment_id >> 8;
    mac[5] = segment_id;
}

bool
vnet_ip_is_valid(const char *s, uint32_t *ip)
{
    char *error = vnet_ip_parse(s, ip);
    free(error);
    return !error;
}

bool
vnet_mac_is_valid(const char *s, uint8_t mac[6])
{
    char *error = vnet_mac_parse(s, mac);
    free(error);
    return !error;
}

bool
vnet_mac_string_equals(const char *s, const uint8_t mac[6])
{
    uint8_t other[6];
    return s && vnet_mac_is_valid(s, other) && !memcmp(other, mac, 6);
}
