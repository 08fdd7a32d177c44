#include <config.h>
#include "controller/tunnels.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmapx.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/vlog.h"
#include "ovsdb/addr.h"
#include "controller/switch-db.h"
#include "controller/vswitchd-ask.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/vnet-idl.h"
#include "sset.h"
#include "tools/udptun-wire.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(tunnels);

#define RELAY_TAP_PREFIX VNET_RELAY_TAP_PREFIX

bool
tunnel_is_relay_tap(const char *name)
{
    size_t n = strlen(RELAY_TAP_PREFIX);
    return !strncmp(name, RELAY_TAP_PREFIX, n) && strlen(name) == n + 8
           && strspn(name + n, "0123456789abcdef") == 8;
}

/* Adds to 'peers' the switches that switch 'self' exchanges traffic with:
 * those with endpoints of the networks it has endpoints of, of the other
 * networks of their routers, and the uplinks' switches of those routers;
 * and, where 'self' has a router's uplink, those with endpoints of its
 * networks. */
static void
related_switches(struct ovsdb_idl *nb, const char *self, struct sset *peers)
{
    /* (Rows, not names: a walk of every endpoint hashes no string.  The
     * endpoints of a switch come mostly one after another: each switch's
     * name is compared and added once a run of them.) */
    struct hmapx nets = HMAPX_INITIALIZER(&nets);
    const struct vnetrec_endpoint *ep;
    const char *last = NULL;
    bool last_is_self = false;
    VNETREC_ENDPOINT_FOR_EACH (ep, nb) {
        const char *host = vnet_endpoint_switch_name(ep);
        if (host && host != last) {
            last = host;
            last_is_self = !strcmp(host, self);
        }
        if (host && last_is_self) {
            hmapx_add(&nets, ep->network);
        }
    }
    const struct vnetrec_router *r;
    VNETREC_ROUTER_FOR_EACH (r, nb) {
        bool in = r->uplink_switch && !strcmp(r->uplink_switch->name, self);
        for (size_t i = 0; i < r->n_networks && !in; i++) {
            in = hmapx_contains(&nets, r->networks[i]);
        }
        if (in) {
            for (size_t i = 0; i < r->n_networks; i++) {
                hmapx_add(&nets, r->networks[i]);
            }
            if (r->uplink_switch) {
                sset_add(peers, r->uplink_switch->name);
            }
        }
    }
    last = NULL;
    VNETREC_ENDPOINT_FOR_EACH (ep, nb) {
        const char *host = vnet_endpoint_switch_name(ep);
        if (host && host != last && hmapx_contains(&nets, ep->network)) {
            last = host;
            sset_add(peers, host);
        }
    }
    hmapx_destroy(&nets);
}

static int
compare_peers(const void *a_, const void *b_)
{
    const struct tunnel_peer *a = a_, *b = b_;
    return strcmp(a->name, b->name);
}

/* Takes the relay peers out of 'plan'. */
static void
drop_relay_peers(struct tunnel_plan *plan)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n_peers; i++) {
        struct tunnel_peer *p = &plan->peers[i];
        if (p->relay) {
            free(p->name);
            free(p->tap);
        } else {
            plan->peers[n++] = *p;
        }
    }
    plan->n_peers = n;
}

/* The id of relay key 'key' ('len' bytes) into 'id': a digest, computed
 * again only when the key changes (every full run of every switch with
 * relay peers asks for it). */
static void
key_id(const char *key, size_t len, char id[9])
{
    static char *last_key;
    static char last_id[9];
    if (!last_key || strcmp(last_key, key)) {
        free(last_key);
        last_key = xmemdup0(key, len);
        udptun_key_id(key, len, last_id);
    }
    memcpy(id, last_id, sizeof last_id);
}

/* Gives the relay peers of 'plan' their key, or takes them out with an
 * error. */
static void
plan_relay(struct tunnel_plan *plan, const char *key)
{
    size_t n_relay = 0;
    for (size_t i = 0; i < plan->n_peers; i++) {
        n_relay += plan->peers[i].relay;
    }
    if (!n_relay) {
        return;
    }
    /* As the relay reads it from its file: without trailing white space. */
    size_t len = key ? strlen(key) : 0;
    while (len > 0 && isspace((unsigned char) key[len - 1])) {
        len--;
    }
    if (n_relay > TUNNEL_RELAY_MAX_PEERS) {
        plan->error = xasprintf("UDP relay: %zu peers, but a switch relays to "
                                "at most %d", n_relay,
                                TUNNEL_RELAY_MAX_PEERS);
    } else if (!key) {
        plan->error = xstrdup("UDP relay: no key (VNet_Global "
                              "options:relay_key, which \"ovs-vnet-ctl "
                              "init\" sets, or ovs-vnetd --relay-key)");
    } else if (len < UDPTUN_KEY_MIN || len > UDPTUN_KEY_MAX) {
        plan->error = xasprintf("UDP relay: the key has %zu bytes, not %d to "
                                "%d", len, UDPTUN_KEY_MIN, UDPTUN_KEY_MAX);
    } else {
        plan->relay_key = xmemdup0(key, len);
        key_id(plan->relay_key, len, plan->relay_key_id);
        return;
    }
    drop_relay_peers(plan);
}

/* Whether switch 'a' rather than 'b' has the encap IP they share: the one
 * whose status says its tunnels use it, else the first by name. */
static bool
switch_owns_ip_before(const struct vnetrec_switch *a,
                      const struct vnetrec_switch *b)
{
    bool a_uses = nullable_string_is_equal(
        smap_get(&a->status, VNET_STATUS_TUNNEL_IP), a->encap_ip);
    bool b_uses = nullable_string_is_equal(
        smap_get(&b->status, VNET_STATUS_TUNNEL_IP), b->encap_ip);
    return a_uses != b_uses ? a_uses : strcmp(a->name, b->name) < 0;
}

void
tunnel_plan_build(struct tunnel_plan *plan, struct ovsdb_idl *nb,
                  const char *self, const char *relay_key)
{
    memset(plan, 0, sizeof *plan);
    smap_init(&plan->tunnel_options);

    /* Any client may give two switches one encap IP; a tunnel IP names
     * one switch (and its relay tap here): it is the one whose status says
     * it uses it, else the first by name. */
    struct shash ip_owners = SHASH_INITIALIZER(&ip_owners);
    const struct vnetrec_switch *me = NULL, *sw;
    VNETREC_SWITCH_FOR_EACH (sw, nb) {
        if (!strcmp(sw->name, self)) {
            me = sw;
        }
        uint32_t ip;
        if (sw->encap_ip && vnet_ip_is_valid(sw->encap_ip, &ip)) {
            char key[16];
            snprintf(key, sizeof key, "%08"PRIx32, ip);
            const struct vnetrec_switch *other = shash_find_data(&ip_owners,
                                                                 key);
            if (!other || switch_owns_ip_before(sw, other)) {
                shash_replace(&ip_owners, key, sw);
            }
        }
    }
    if (!me || !me->encap_ip) {
        shash_destroy(&ip_owners);
        return;
    }
    char *error = vnet_ip_parse(me->encap_ip, &plan->local_ip);
    if (error) {
        plan->error = xasprintf("encap IP: %s", error);
        free(error);
        shash_destroy(&ip_owners);
        return;
    }
    char key[16];
    snprintf(key, sizeof key, "%08"PRIx32, plan->local_ip);
    const struct vnetrec_switch *owner = shash_find_data(&ip_owners, key);
    if (owner != me) {
        plan->error = xasprintf("encap IP %s is switch %s's", me->encap_ip,
                                owner->name);
        plan->local_ip = 0;
        shash_destroy(&ip_owners);
        return;
    }
    plan->enabled = true;
    smap_add(&plan->tunnel_options, "remote_ip", "flow");
    smap_add(&plan->tunnel_options, "key", "flow");

    /* A relay tap is a port that ovs-vswitchd polls: only towards the
     * switches this one has traffic with. */
    struct sset related = SSET_INITIALIZER(&related);
    related_switches(nb, self, &related);

    size_t allocated = 0;
    VNETREC_SWITCH_FOR_EACH (sw, nb) {
        uint32_t ip;
        if (sw == me || !sw->encap_ip) {
            continue;
        }
        bool relay = !strcmp(me->encap_type, "udp")
                     || !strcmp(sw->encap_type, "udp");
        if (relay && !sset_contains(&related, sw->name)) {
            continue;
        }
        error = vnet_ip_parse(sw->encap_ip, &ip);
        if (error) {
            free(error);
            continue;
        }
        snprintf(key, sizeof key, "%08"PRIx32, ip);
        if (ip == plan->local_ip || shash_find_data(&ip_owners, key) != sw) {
            continue;
        }
        if (plan->n_peers >= allocated) {
            plan->peers = x2nrealloc(plan->peers, &allocated,
                                     sizeof *plan->peers);
        }
        struct tunnel_peer *p = &plan->peers[plan->n_peers++];
        memset(p, 0, sizeof *p);
        p->name = xstrdup(sw->name);
        p->object = sw->header_.uuid.parts[0];
        p->ip = ip;
        p->relay = relay;
        /* A netdev switch with an underlay has our underlay bridge there;
         * whether it is netdev, its own status says. */
        const char *dp = smap_get(&sw->status, VNET_STATUS_DATAPATH_TYPE);
        p->datapath_unknown = !relay && sw->underlay && !dp;
        if (!relay && sw->underlay && dp && !strcmp(dp, "netdev")) {
            p->has_phy_mac = true;
            tunnel_phy_mac(ip, p->phy_mac);
        }
        if (p->relay) {
            p->tap = xasprintf(RELAY_TAP_PREFIX"%08"PRIx32, p->ip);
            p->port = p->tap;
        } else if (!strcmp(sw->encap_type, "geneve")) {
            p->port = TUNNEL_GENEVE_PORT;
            plan->geneve = true;
        } else {
            p->port = TUNNEL_VXLAN_PORT;
            plan->vxlan = true;
        }
        if (!p->relay) {
            /* Peers send to us with our own type: receive on it. */
            if (!strcmp(me->encap_type, "geneve")) {
                plan->geneve = true;
            } else {
                plan->vxlan = true;
            }
        }
    }
    sset_destroy(&related);
    shash_destroy(&ip_owners);
    /* In order of name, whatever order the NB's rows come in (which a
     * growth of the IDL's maps changes): what follows from the plan (the
     * relay's arguments, the tunnel ports' flows) stays as it was. */
    if (plan->n_peers > 1) {
        qsort(plan->peers, plan->n_peers, sizeof *plan->peers,
              compare_peers);
    }
    plan_relay(plan, relay_key);
}

void
tunnel_phy_mac(uint32_t ip, uint8_t mac[6])
{
    mac[0] = 0x0e;
    mac[1] = 0x76;
    mac[2] = ip >> 24;
    mac[3] = ip >> 16;
    mac[4] = ip >> 8;
    mac[5] = ip;
}

size_t
tunnel_seed_ask(const struct tunnel_plan *plan, const char *phy_bridge,
                struct vswitchd_ask *ask)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->n_peers; i++) {
        const struct tunnel_peer *p = &plan->peers[i];
        if (!p->has_phy_mac) {
            continue;
        }
        char ip[16], mac[18];
        char *argv[] = { CONST_CAST(char *, phy_bridge),
                         vnet_ip_format(p->ip, ip), mac };
        snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
                 p->phy_mac[0], p->phy_mac[1], p->phy_mac[2], p->phy_mac[3],
                 p->phy_mac[4], p->phy_mac[5]);
        vswitchd_ask_add(ask, "tnl/neigh/set", 3, argv);
        n++;
    }
    return n;
}

int
tunnel_seed_judge(const struct tunnel_plan *plan, const char *phy_bridge,
                  const struct vswitchd_ask *ask)
{
    size_t q = 0;
    for (size_t i = 0; i < plan->n_peers; i++) {
        const struct tunnel_peer *p = &plan->peers[i];
        if (!p->has_phy_mac) {
            continue;
        }
        const char *err;
        vswitchd_ask_answer(ask, q++, &err);
        if (err && strstr(err, "is not a valid command")) {
            /* An ovs-vswitchd just started answers before it has
             * registered its tunnel commands: not yet. */
            VLOG_DBG("tnl/neigh/set: not yet (%s)", err);
            return EAGAIN;
        } else if (err) {
            char ip[16];
            VLOG_WARN("tnl/neigh/set %s %s: %s", phy_bridge,
                      vnet_ip_format(p->ip, ip), err);
            return EINVAL;
        }
    }
    return 0;
}

/* The lines of 'text' one by one: each call puts the next one (without its
 * newline) into 'line' and returns true, or returns false at the end. */
static bool
next_line(const char **text, struct ds *line)
{
    if (!**text) {
        return false;
    }
    size_t len = strcspn(*text, "\n");
    ds_clear(line);
    ds_put_buffer(line, *text, len);
    *text += len + ((*text)[len] == '\n');
    return true;
}

bool
tunnel_ports_show_takes(const char *show, uint32_t ip, int port)
{
    char ip_s[16];
    char *want_ip = xasprintf("ipv4(dst=%s,", vnet_ip_format(ip, ip_s));
    char *want_port = xasprintf("udp(dst=%d)", port);
    struct ds line = DS_EMPTY_INITIALIZER;
    bool found = false;
    while (!found && next_line(&show, &line)) {
        found = (strstr(ds_cstr(&line), want_ip)
                 && strstr(ds_cstr(&line), want_port));
    }
    ds_destroy(&line);
    free(want_ip);
    free(want_port);
    return found;
}

bool
tunnel_route_lookup_is_through(const char *lookup, const char *dev)
{
    struct ds line = DS_EMPTY_INITIALIZER;
    bool found = false;
    while (!found && next_line(&lookup, &line)) {
        const char *s = ds_cstr(&line);
        found = !strncmp(s, "dev ", 4) && !strcmp(s + 4, dev);
    }
    ds_destroy(&line);
    return found;
}

/* The UDP ports of the tunnels of 'plan' through the underlay bridge, into
 * 'ports' (room for two); returns how many. */
static int
bridge_tunnel_ports(const struct tunnel_plan *plan, int ports[2])
{
    int n = 0;
    if (plan->vxlan) {
        ports[n++] = TUNNEL_VXLAN_UDP_PORT;
    }
    if (plan->geneve) {
        ports[n++] = TUNNEL_GENEVE_UDP_PORT;
    }
    return n;
}

bool
tunnel_check_wanted(const struct tunnel_plan *plan)
{
    int ports[2];
    return bridge_tunnel_ports(plan, ports) > 0;
}

void
tunnel_check_ask(const struct tunnel_plan *plan, struct vswitchd_ask *ask)
{
    char *show_argv[] = { CONST_CAST(char *, "-v") };
    vswitchd_ask_add(ask, "tnl/ports/show", 1, show_argv);
    for (size_t i = 0; i < plan->n_peers; i++) {
        const struct tunnel_peer *p = &plan->peers[i];
        if (!p->relay) {
            char ip_s[16];
            char *argv[] = { vnet_ip_format(p->ip, ip_s) };
            vswitchd_ask_add(ask, "ovs/route/lookup", 1, argv);
        }
    }
}

int
tunnel_check_judge(const struct tunnel_plan *plan, const char *phy_bridge,
                   const struct vswitchd_ask *ask, struct ds *missing)
{
    int ports[2];
    int n_ports = bridge_tunnel_ports(plan, ports);
    char ip_s[16];
    const char *err;
    const char *show = vswitchd_ask_answer(ask, 0, &err);
    for (int i = 0; i < n_ports; i++) {
        if (!show || !tunnel_ports_show_takes(show, plan->local_ip,
                                              ports[i])) {
            ds_put_format(missing, "%s no UDP port %d for %s",
                          missing->length ? ";" : "", ports[i],
                          vnet_ip_format(plan->local_ip, ip_s));
        }
    }
    size_t q = 1;
    for (size_t i = 0; i < plan->n_peers; i++) {
        const struct tunnel_peer *p = &plan->peers[i];
        if (p->relay) {
            continue;
        }
        const char *lookup = vswitchd_ask_answer(ask, q++, &err);
        if (!lookup || !tunnel_route_lookup_is_through(lookup, phy_bridge)) {
            ds_put_format(missing, "%s no route to %s through %s",
                          missing->length ? ";" : "",
                          vnet_ip_format(p->ip, ip_s), phy_bridge);
        }
    }
    return missing->length ? EAGAIN : 0;
}

void
tunnel_plan_destroy(struct tunnel_plan *plan)
{
    if (plan) {
        for (size_t i = 0; i < plan->n_peers; i++) {
            free(plan->peers[i].name);
            free(plan->peers[i].tap);
        }
        free(plan->peers);
        free(plan->error);
        free(plan->relay_key);
        smap_destroy(&plan->tunnel_options);
    }
}

void
tunnel_plan_move(struct tunnel_plan *dst, struct tunnel_plan *src)
{
    *dst = *src;
    hmap_moved(&dst->tunnel_options.map);
    memset(src, 0, sizeof *src);
    smap_init(&src->tunnel_options);
}

const struct tunnel_peer *
tunnel_plan_find(const struct tunnel_plan *plan, const char *name)
{
    /* (The peers are in order of name: tunnel_plan_build().) */
    size_t lo = 0, hi = plan->n_peers;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(name, plan->peers[mid].name);
        if (!cmp) {
            return &plan->peers[mid];
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return NULL;
}

void
tunnel_plan_add_ports(const struct tunnel_plan *plan,
                      struct switch_db_port *ports, size_t *n)
{
    if (plan->vxlan) {
        ports[*n] = (struct switch_db_port) {
            .name = TUNNEL_VXLAN_PORT, .type = "vxlan",
            .options = &plan->tunnel_options,
        };
        (*n)++;
    }
    if (plan->geneve) {
        ports[*n] = (struct switch_db_port) {
            .name = TUNNEL_GENEVE_PORT, .type = "geneve",
            .options = &plan->tunnel_options,
        };
        (*n)++;
    }
}
