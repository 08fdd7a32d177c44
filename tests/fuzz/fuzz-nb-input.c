/* Fuzz target: the checks of what NB clients write (ovsdb/): names,
 * interface names, remotes, addresses, CIDRs, MACs, NAT rules, uplinks, whole
 * Switch, Network and Endpoint rows.  ovs-vnetd runs them as root on any
 * string any OVSDB client writes.  The first byte picks the check; the rest is
 * split at NUL bytes into its string arguments.  Checks that accept an input
 * are also made to agree with themselves (a formatted address parses back to
 * the same). */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb/addr.h"
#include "ovsdb/names.h"
#include "ovsdb/nat.h"
#include "ovsdb/remote.h"
#include "ovsdb/validate.h"

#define MAX_ARGS 6

/* Consumes a parser's result. */
static void
done(char *error)
{
    free(error);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > 4096) {
        return 0;
    }
    /* The strings: copied so that the last one ends with a NUL too. */
    char *text = malloc(size);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    const char *args[MAX_ARGS];
    size_t n = 0;
    for (char *p = text; n < MAX_ARGS && p < text + size; p += strlen(p) + 1) {
        args[n++] = p;
    }
    while (n < MAX_ARGS) {
        args[n++] = "";
    }

    switch (data[0] % 12) {
    case 0:
        done(vnet_name_check("switch", args[0]));
        break;
    case 1:
        done(vnet_ifname_check(args[0]));
        break;
    case 2: {
        struct vnet_remote r;
        char *error = vnet_remote_parse(args[0], &r);
        if (!error) {
            char *s = vnet_remote_to_string(&r);
            struct vnet_remote again;
            char *e2 = vnet_remote_parse(s, &again);
            if (e2) {
                abort();        /* Its own canonical form is a remote. */
            }
            char *s2 = vnet_remote_to_string(&again);
            if (strcmp(s, s2)) {
                abort();
            }
            free(s2);
            vnet_remote_destroy(&again);
            vnet_remote_is_local(&r);
            free(vnet_switch_rundir(args[1][0] ? args[1] : NULL, &r));
            free(s);
            vnet_remote_destroy(&r);
        }
        free(error);
        break;
    }
    case 3: {
        uint32_t ip, again;
        char buf[16];
        char *error = vnet_ip_parse(args[0], &ip);
        if (!error) {
            if (vnet_ip_parse(vnet_ip_format(ip, buf), &again) || again != ip) {
                abort();
            }
        }
        free(error);
        break;
    }
    case 4: {
        struct vnet_cidr cidr;
        char *error = vnet_cidr_parse(args[0], &cidr);
        if (!error) {
            uint32_t ip;
            char *e2 = vnet_ip_parse(args[1], &ip);
            if (!e2) {
                vnet_cidr_contains(&cidr, ip);
                done(vnet_ip_check_host("ip", ip, &cidr, cidr.net + 1));
            }
            free(e2);
        }
        free(error);
        break;
    }
    case 5: {
        uint8_t mac[6], again[6];
        char buf[18];
        char *error = vnet_mac_parse(args[0], mac);
        if (!error) {
            if (vnet_mac_parse(vnet_mac_format(mac, buf), again)
                || memcmp(mac, again, 6)) {
                abort();
            }
        }
        free(error);
        break;
    }
    case 6: {
        struct vnet_nat nat;
        long long int ports = strtoll(args[4], NULL, 10);
        done(vnet_nat_parse(args[0], args[1][0] ? args[1] : NULL, args[2],
                            args[3][0] ? args[3] : NULL, ports % 100000,
                            ports / 100000 % 100000, &nat));
        break;
    }
    case 7: {
        struct vnet_uplink up;
        done(vnet_uplink_parse(args[0], args[1], &up));
        break;
    }
    case 8:
        done(vnet_switch_check(args[0], args[1], args[2]));
        break;
    case 9: {
        struct vnet_cidr cidr;
        unsigned int gw;
        char *error = vnet_network_check(args[0], args[1],
                                         args[2][0] ? args[2] : NULL,
                                         &cidr, &gw);
        if (!error) {
            done(vnet_endpoint_check(args[3], args[4][0] ? args[4] : NULL,
                                     args[5][0] ? args[5] : NULL, NULL, &cidr,
                                     gw));
        }
        free(error);
        break;
    }
    case 10: {
        uint32_t ip;
        int plen;
        done(vnet_prefix_parse(args[0], &ip, &plen));
        break;
    }
    case 11:
        done(vnet_uplink_iface_check(args[0], args[1], args[2]));
        break;
    }
    free(text);
    return 0;
}
