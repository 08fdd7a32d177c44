/* ovs-vnet-ctl: trace (tools/ctl-trace.h). */
#include <config.h>
#include "tools/ctl-trace.h"
#include "tools/ctl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flows/pipeline.h"
#include "openvswitch/json.h"
#include "ovsdb/addr.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/names.h"
#include "ovsdb/status-keys.h"
#include "ovsdb/vnet-idl.h"
#include "packets.h"
#include "smap.h"
#include "svec.h"
#include "tools/ctl-vswitch.h"
#include "tools/trace-parse.h"
#include "util.h"

/* Passes of ofproto/trace, at most: a packet crosses a few switches. */
#define MAX_TRACES 16

/* The source MAC of a packet from the outside: the next hop's is not known
 * here, and the uplink does not check it. */
#define OUTSIDE_MAC "0e:00:00:00:00:01"

/* Ports of each switch traced, read once. */
struct port_cache {
    const struct vnetrec_switch **switches;
    struct vswitch_ports **ports;   /* Each its own: callers keep them. */
    size_t n;
};

static char *
ports_of(struct port_cache *c, const struct vnetrec_switch *sw,
         const struct vswitch_ports **portsp)
{
    for (size_t i = 0; i < c->n; i++) {
        if (c->switches[i] == sw) {
            *portsp = c->ports[i];
            return NULL;
        }
    }
    struct vswitch_ports *ports = xmalloc(sizeof *ports);
    char *error = vswitch_ports_read(sw, ports);
    if (error) {
        free(ports);
        return error;
    }
    c->switches = xrealloc(c->switches, (c->n + 1) * sizeof *c->switches);
    c->ports = xrealloc(c->ports, (c->n + 1) * sizeof *c->ports);
    c->switches[c->n] = sw;
    c->ports[c->n++] = ports;
    *portsp = ports;
    return NULL;
}

static void
port_cache_destroy(struct port_cache *c)
{
    for (size_t i = 0; i < c->n; i++) {
        vswitch_ports_destroy(c->ports[i]);
        free(c->ports[i]);
    }
    free(c->ports);
    free(c->switches);
}

/* The tunnel IP of 'sw' ("" if it has none). */
static const char *
switch_tunnel_ip(const struct vnetrec_switch *sw, char buf[32])
{
    const char *ip = smap_get(&sw->status, VNET_STATUS_TUNNEL_IP);
    if (!ip) {
        ip = sw->encap_ip ? sw->encap_ip : "";
    }
    snprintf(buf, 32, "%.*s", (int) strcspn(ip, "/"), ip);
    return buf;
}

static const struct vnetrec_switch *
switch_by_tunnel_ip(struct ovsdb_idl *idl, const char *ip)
{
    const struct vnetrec_switch *sw;
    VNETREC_SWITCH_FOR_EACH (sw, idl) {
        char buf[32];
        if (!strcmp(switch_tunnel_ip(sw, buf), ip)) {
            return sw;
        }
    }
    return NULL;
}

/* The router whose uplink 'sw''s port 'port' is, or NULL. */
static const struct vnetrec_router *
router_of_uplink(struct ovsdb_idl *idl, const struct vnetrec_switch *sw,
                 const char *port)
{
    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, idl) {
        if (rt->uplink_switch == sw && rt->uplink_iface
            && !strcmp(rt->uplink_iface, port)) {
            return rt;
        }
    }
    return NULL;
}

/* The router that owns the outside address 'ip' (its uplink's, or a NAT
 * rule's), or NULL. */
static const struct vnetrec_router *
router_of_outside_ip(struct ovsdb_idl *idl, const char *ip)
{
    size_t len = strlen(ip);
    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, idl) {
        if (rt->uplink_ip && !strncmp(rt->uplink_ip, ip, len)
            && (rt->uplink_ip[len] == '/' || !rt->uplink_ip[len])) {
            return rt;
        }
        for (size_t i = 0; i < rt->n_nat; i++) {
            if (rt->nat[i]->external_ip
                && !strcmp(rt->nat[i]->external_ip, ip)) {
                return rt;
            }
        }
    }
    return NULL;
}

/* The endpoint whose port on a switch is 'port', or NULL. */
static const struct vnetrec_endpoint *
endpoint_of_port(struct ovsdb_idl *idl, const struct vswitch_port *port)
{
    return port->iface_id ? endpoint_by_name(idl, port->iface_id) : NULL;
}

/* Whether 'port' is the trunk of 'ep''s network on switch 'sw'. */
static bool
is_trunk_of(const struct vnetrec_endpoint *ep, const struct vnetrec_switch *sw,
            const char *port)
{
    char *name = vnet_trunk_port_name(ep->network, sw->name);
    bool is = !strcmp(name, port);
    free(name);
    return is;
}

/* The destination MAC of 'flow' (a flow as the switch's trace prints it),
 * if it has one. */
static bool
flow_dl_dst(const char *flow, struct eth_addr *mac)
{
    const char *dst = strstr(flow, "dl_dst=");
    return dst && ovs_scan(dst, "dl_dst="ETH_ADDR_SCAN_FMT,
                           ETH_ADDR_SCAN_ARGS(*mac));
}

/* The endpoint behind trunk 'port' of switch 'sw' that a packet for 'dst'
 * sent out of it is for, or NULL (a broadcast, or a MAC of none of them). */
static const struct vnetrec_endpoint *
endpoint_behind_trunk(struct ovsdb_idl *idl, const struct vnetrec_switch *sw,
                      const char *port, const struct eth_addr *dst)
{
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        struct eth_addr mac;
        if (dst && !strcmp(ep->type, "trunk") && ep->switch_ == sw && ep->mac
            && eth_addr_from_string(ep->mac, &mac) && eth_addr_equals(mac, *dst)
            && is_trunk_of(ep, sw, port)) {
            return ep;
        }
    }
    return NULL;
}

/* The protocol part of a flow: "icmp,...,icmp_type=8,icmp_code=0". */
static void
put_flow_l3(struct ds *flow, const struct trace_packet *pkt,
            const char *src_ip, const char *dst_ip)
{
    ds_put_format(flow, ",%s,nw_src=%s,nw_dst=%s,nw_ttl=64", pkt->proto,
                  src_ip, dst_ip);
    if (!strcmp(pkt->proto, "icmp")) {
        ds_put_format(flow, ",icmp_type=%d,icmp_code=0",
                      pkt->echo_reply ? 0 : 8);
    } else {
        ds_put_format(flow, ",%s_src=%d,%s_dst=%d", pkt->proto, pkt->sport,
                      pkt->proto, pkt->dport);
    }
}

/* Keeps what is on the wire of 'flow' (a "Final flow:"), drops the pipeline's
 * own state, and appends 'extra'. */
static char *
wire_flow(const char *flow, const char *extra)
{
    static const char *const dropped[] = {
        "recirc_id", "dp_hash", "metadata", "in_port", "skb_priority",
        "pkt_mark", "packet_type", "actset_output", "tcp_flags",
    };
    static const char *const dropped_prefixes[] = {
        "ct_", "reg", "xreg", "xxreg", "tun_", "gtpu_", "vlan_tci", "dl_vlan",
    };
    struct ds out = DS_EMPTY_INITIALIZER;
    char *copy = xstrdup(flow);
    char *save = NULL;
    const char *proto = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok;
         tok = strtok_r(NULL, ",", &save)) {
        size_t klen = strcspn(tok, "=");
        bool drop = !strcmp(tok, "eth");
        for (size_t i = 0; !drop && i < ARRAY_SIZE(dropped); i++) {
            drop = strlen(dropped[i]) == klen && !strncmp(tok, dropped[i],
                                                          klen);
        }
        for (size_t i = 0; !drop && i < ARRAY_SIZE(dropped_prefixes); i++) {
            drop = !strncmp(tok, dropped_prefixes[i],
                            strlen(dropped_prefixes[i]));
        }
        if (!strcmp(tok, "udp") || !strcmp(tok, "sctp")) {
            proto = tok;
        }
        if (drop) {
            /* Not on the wire. */
        } else if (proto && !strncmp(tok, "tp_", 3)) {
            /* "tp_src" names TCP's port when a flow is parsed. */
            ds_put_format(&out, "%s_%s,", proto, tok + 3);
        } else {
            ds_put_format(&out, "%s,", tok);
        }
    }
    /* Last: a VLAN set before "udp" leaves udp's prerequisites unmet. */
    ds_put_cstr(&out, extra);
    free(copy);
    return ds_steal_cstr(&out);
}

/* A trace in progress. */
struct tracer {
    struct ovsdb_idl *idl;
    struct trace_result *r;
    struct port_cache ports;
    /* Switches to trace, the packet that reaches each, and what NAT did to
     * it before. */
    const struct vnetrec_switch *todo_sw[MAX_TRACES];
    char *todo_flow[MAX_TRACES];
    char *todo_snat[MAX_TRACES];
    char *todo_dnat[MAX_TRACES];
    size_t n_todo;
};

static struct trace_step *
add_step(struct trace_result *r, const struct vnetrec_switch *sw)
{
    r->steps = xrealloc(r->steps, (r->n_steps + 1) * sizeof *r->steps);
    struct trace_step *s = &r->steps[r->n_steps++];
    memset(s, 0, sizeof *s);
    s->switch_name = xstrdup(sw->name);
    s->table = -1;
    return s;
}

static void
add_note(struct trace_result *r, const struct vnetrec_switch *sw,
         const char *format, ...) OVS_PRINTF_FORMAT(3, 4);

static void
add_note(struct trace_result *r, const struct vnetrec_switch *sw,
         const char *format, ...)
{
    va_list args;
    va_start(args, format);
    add_step(r, sw)->note = xvasprintf(format, args);
    va_end(args);
}

static struct trace_verdict *
add_verdict(struct trace_result *r, enum trace_outcome outcome,
            const struct vnetrec_switch *sw, const struct trace_text *t)
{
    r->verdicts = xrealloc(r->verdicts,
                           (r->n_verdicts + 1) * sizeof *r->verdicts);
    struct trace_verdict *v = &r->verdicts[r->n_verdicts++];
    memset(v, 0, sizeof *v);
    v->outcome = outcome;
    v->switch_name = sw ? xstrdup(sw->name) : NULL;
    v->step = -1;
    if (t) {
        v->snat = nullable_xstrdup(t->snat);
        v->dnat = nullable_xstrdup(t->dnat);
    }
    return v;
}

/* " after snat to A" and/or " after dnat to B", or "". */
static void
put_nat(struct ds *s, const struct trace_verdict *v)
{
    if (v->dnat) {
        ds_put_format(s, " after dnat to %s", v->dnat);
    }
    if (v->snat) {
        ds_put_format(s, "%s snat to %s", v->dnat ? " and" : " after",
                      v->snat);
    }
}

/* Why the packet went no further than step 'i' (the dropping flow). */
static void
explain_drop(struct tracer *tr, struct trace_verdict *v, int i)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    if (i < 0) {
        ds_put_cstr(&s, "dropped: no flow took it");
        v->text = ds_steal_cstr(&s);
        return;
    }
    const struct trace_step *st = &tr->r->steps[i];
    const char *table = vnet_table_name(st->table);
    enum vnet_feature f = vnet_cookie_feature(st->cookie);
    bool ours = vnet_cookie_is_ours(st->cookie);
    v->step = i;
    if (st->priority < 0) {
        ds_put_format(&s, "dropped: no flow in table %d matched",
                      st->table);
    } else if (ours && f == VNET_F_PORT_SECURITY) {
        ds_put_format(&s, "dropped by port security of %s (its MAC and "
                      "IP are not the packet's)", st->owner);
    } else if (ours && f == VNET_F_GATEWAY && st->table == VNET_T_ARP) {
        ds_put_format(&s, "dropped: networks isolated (the gateway of %s "
                      "routes nowhere: it is on no router)", st->owner);
    } else if (ours && st->table == VNET_T_NAT) {
        ds_put_format(&s, "dropped by NAT: no rule of %s lets this "
                      "connection in", st->owner);
    } else if (ours && (st->table == VNET_T_ROUTE
                        || st->table == VNET_T_LR_ROUTE
                        || st->table == VNET_T_ROUTER)) {
        ds_put_format(&s, "dropped: no route (%s)", st->owner);
    } else if (ours && f == VNET_F_FOREIGN) {
        ds_put_cstr(&s, "dropped at ingress: of no network here (it came in "
                    "through a tunnel, relay tap, uplink or physical "
                    "network's interface)");
    } else if (ours && f == VNET_F_PIPELINE && st->table == VNET_T_INGRESS) {
        ds_put_cstr(&s, "dropped at ingress: no flow for this port (not an "
                    "endpoint, tunnel or uplink ovs-vnet knows here; "
                    "ovs-vnetd holds its packets 2 s for flows on their "
                    "way, then drops them)");
    } else {
        ds_put_cstr(&s, "dropped");
    }
    ds_put_format(&s, " [switch %s, table %d%s%s%s: priority=%d%s%s (%s%s%s)]",
                  st->switch_name, st->table, table ? " (" : "",
                  table ? table : "", table ? ")" : "", st->priority,
                  *st->match ? "," : "", st->match,
                  *st->feature ? st->feature : "not a flow of ovs-vnet",
                  *st->owner ? ": " : "", st->owner);
    v->text = ds_steal_cstr(&s);
}

/* Follows output 'o' of the trace 't' of switch 'sw', which the flow of
 * step 'step' sent. */
static char *
follow_output(struct tracer *tr, const struct vnetrec_switch *sw,
              const struct vswitch_ports *ports, const struct trace_text *t,
              const struct trace_output *o, int step)
{
    struct trace_result *r = tr->r;
    /* A copy: following a tunnel adds steps (and may move them). */
    const struct trace_step hit = r->steps[step];
    const struct trace_step *hit_step = &hit;

    if (!strcmp(o->port, "IN_PORT")) {
        struct trace_verdict *v = add_verdict(r, TRACE_ANSWERED, sw, t);
        enum vnet_feature f = vnet_cookie_feature(hit_step->cookie);
        v->text = xasprintf("answered by %s%s on switch %s",
                            f == VNET_F_GATEWAY ? "the gateway of "
                            : f == VNET_F_ARP ? "the ARP responder for "
                            : "", *hit_step->owner ? hit_step->owner
                                                   : hit_step->feature,
                            sw->name);
        return NULL;
    }
    long long ofport = -1;
    const struct vswitch_port *port = NULL;
    if (str_to_llong(o->port, 10, &ofport)) {
        port = vswitch_port_by_ofport(ports, ofport);
    }
    if (!port) {
        struct trace_verdict *v = add_verdict(r, TRACE_PORT, sw, t);
        v->port = xstrdup(o->port);
        v->text = xasprintf("sent out of port %s on switch %s (not a port "
                            "ovs-vnet knows)", o->port, sw->name);
        return NULL;
    }

    const char *flow = trace_output_flow(t, o);
    bool trunk = !strncmp(port->name, VNET_TRUNK_PORT_PREFIX,
                          strlen(VNET_TRUNK_PORT_PREFIX));
    struct eth_addr dst;
    bool has_dst = trunk && flow_dl_dst(flow, &dst);
    const struct vnetrec_endpoint *ep = (trunk
                                         ? endpoint_behind_trunk(
                                               tr->idl, sw, port->name,
                                               has_dst ? &dst : NULL)
                                         : endpoint_of_port(tr->idl, port));
    const struct vnetrec_router *rt = router_of_uplink(tr->idl, sw,
                                                        port->name);
    bool tunnel = !strcmp(port->type, "vxlan")
                  || !strcmp(port->type, "geneve");
    bool relay = !strncmp(port->name, VNET_RELAY_TAP_PREFIX,
                          strlen(VNET_RELAY_TAP_PREFIX));
    char my_ip[32];
    switch_tunnel_ip(sw, my_ip);

    if (ep) {
        struct trace_verdict *v = add_verdict(r, TRACE_DELIVERED, sw, t);
        v->endpoint = xstrdup(ep->name);
        v->port = xstrdup(port->name);
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "delivered to endpoint %s on switch %s", ep->name,
                      sw->name);
        put_nat(&s, v);
        v->text = ds_steal_cstr(&s);
    } else if (rt) {
        struct trace_verdict *v = add_verdict(r, TRACE_UPLINK, sw, t);
        v->port = xstrdup(port->name);
        struct ds s = DS_EMPTY_INITIALIZER;
        ds_put_format(&s, "sent out of uplink %s of router %s on switch %s",
                      port->name, rt->name, sw->name);
        if (v->snat || v->dnat) {
            put_nat(&s, v);
        } else {
            ds_put_cstr(&s, " without NAT");
        }
        v->text = ds_steal_cstr(&s);
    } else if (tunnel || relay) {
        char peer_ip[32];
        if (tunnel) {
            snprintf(peer_ip, sizeof peer_ip, "%s",
                     o->tun_dst ? o->tun_dst : "");
        } else {
            unsigned long long v = strtoull(port->name
                                            + strlen(VNET_RELAY_TAP_PREFIX),
                                            NULL, 16);
            snprintf(peer_ip, sizeof peer_ip, "%llu.%llu.%llu.%llu",
                     (v >> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff,
                     v & 0xff);
        }
        const struct vnetrec_switch *peer = switch_by_tunnel_ip(tr->idl,
                                                                peer_ip);
        const struct vswitch_ports *peer_ports = NULL;
        const struct vswitch_port *in = NULL;
        char *error = peer ? ports_of(&tr->ports, peer, &peer_ports) : NULL;
        if (error) {
            return error;
        }
        if (peer_ports && tunnel) {
            for (size_t i = 0; i < peer_ports->n && !in; i++) {
                if (!strcmp(peer_ports->ports[i].type, port->type)) {
                    in = &peer_ports->ports[i];
                }
            }
        } else if (peer_ports) {
            /* The peer's tap for us is named after our tunnel IP. */
            uint32_t ip;
            if (vnet_ip_is_valid(my_ip, &ip)) {
                char *name = xasprintf(VNET_RELAY_TAP_PREFIX "%08"PRIx32, ip);
                in = vswitch_port_by_name(peer_ports, name);
                free(name);
            }
        }
        const char *how = tunnel ? port->type : "udp relay";
        char *key = (tunnel
                     ? xasprintf("key %"PRIu64, o->has_tun_id ? o->tun_id : 0)
                     : xasprintf("vlan %d", o->vlan_vid));
        if (!peer || !in || in->ofport < 0) {
            struct trace_verdict *v = add_verdict(r, TRACE_LOST, sw, t);
            v->port = xstrdup(port->name);
            v->text = xasprintf("sent into the %s tunnel (%s) to %s, %s",
                                how, key, peer_ip[0] ? peer_ip : "nowhere",
                                !peer ? "where no switch of this NB is"
                                : "whose switch has no port for it");
            free(key);
            return NULL;
        }
        add_note(r, sw, "-> %s tunnel (%s) to switch %s at %s", how, key,
                 peer->name, peer_ip);
        free(key);
        if (tr->n_todo >= MAX_TRACES) {
            struct trace_verdict *v = add_verdict(r, TRACE_LOST, sw, t);
            v->text = xasprintf("not followed further: more than %d switch "
                                "passes (a loop?)", MAX_TRACES);
            return NULL;
        }
        char *extra = (tunnel
                       ? xasprintf("in_port=%"PRId64",tun_id=%"PRIu64","
                                   "tun_src=%s,tun_dst=%s", in->ofport,
                                   o->tun_id, my_ip, peer_ip)
                       : xasprintf("in_port=%"PRId64",dl_vlan=%d",
                                   in->ofport, o->vlan_vid));
        tr->todo_sw[tr->n_todo] = peer;
        tr->todo_snat[tr->n_todo] = nullable_xstrdup(t->snat);
        tr->todo_dnat[tr->n_todo] = nullable_xstrdup(t->dnat);
        tr->todo_flow[tr->n_todo++] = wire_flow(flow, extra);
        free(extra);
    } else {
        struct trace_verdict *v = add_verdict(r, TRACE_PORT, sw, t);
        v->port = xstrdup(port->name);
        const char *physnet = NULL;
        const struct smap_node *pn;
        SMAP_FOR_EACH (pn, &sw->physnets) {
            if (!strcmp(pn->value, port->name)) {
                physnet = pn->key;
            }
        }
        if (physnet) {
            char *tag = (o->vlan_vid >= 0 ? xasprintf("VLAN %d", o->vlan_vid)
                         : xstrdup("untagged"));
            v->text = xasprintf("sent to physical network %s (%s) out of %s "
                                "on switch %s", physnet, tag, port->name,
                                sw->name);
            free(tag);
        } else if (trunk) {
            bool group = has_dst && eth_addr_is_multicast(dst);
            v->text = xasprintf("sent out of trunk %s on switch %s, %s",
                                port->name, sw->name,
                                group ? "to every endpoint behind it but "
                                        "its sender"
                                      : "where no endpoint has its "
                                        "destination MAC (dropped there)");
        } else {
            v->text = xasprintf("sent out of port %s on switch %s",
                                port->name, sw->name);
        }
    }
    return NULL;
}

/* Traces 'flow' on 'sw' and follows where it goes. */
static char *
trace_switch(struct tracer *tr, size_t todo)
{
    const struct vnetrec_switch *sw = tr->todo_sw[todo];
    const char *flow = tr->todo_flow[todo];
    const struct vswitch_ports *ports;
    char *error = ports_of(&tr->ports, sw, &ports);
    if (error) {
        return error;
    }
    char *reply;
    char *argv[] = { CONST_CAST(char *, sw->bridge),
                     CONST_CAST(char *, flow) };
    error = vswitch_appctl(sw, "ofproto/trace", 2, argv, &reply);
    if (error) {
        return error;
    }
    struct trace_text t;
    error = trace_text_parse(reply, sw->bridge, &t);
    free(reply);
    if (error) {
        return error;
    }
    if (!t.snat && tr->todo_snat[todo]) {
        t.snat = xstrdup(tr->todo_snat[todo]);
    }
    if (!t.dnat && tr->todo_dnat[todo]) {
        t.dnat = xstrdup(tr->todo_dnat[todo]);
    }

    struct trace_result *r = tr->r;
    int *hit_step = xmalloc((t.n_hits + 1) * sizeof *hit_step);
    size_t pass = 0;
    for (size_t i = 0; i < t.n_hits; i++) {
        const struct trace_hit *h = &t.hits[i];
        if (h->pass != pass) {
            pass = h->pass;
            add_note(r, sw, "-> conntrack: on as a new connection");
        }
        struct trace_step *s = add_step(r, sw);
        hit_step[i] = r->n_steps - 1;
        s->table = h->table;
        s->priority = h->priority;
        s->match = xstrdup(h->match);
        struct ds actions = DS_EMPTY_INITIALIZER;
        for (size_t j = 0; j < h->actions.n; j++) {
            ds_put_format(&actions, "%s%s", j ? ", " : "",
                          h->actions.names[j]);
        }
        s->actions = ds_steal_cstr(&actions);
        s->cookie = h->has_cookie ? h->cookie : 0;
        bool ours = vnet_cookie_is_ours(s->cookie);
        s->feature = xstrdup(ours ? vnet_feature_name(
                                        vnet_cookie_feature(s->cookie))
                             : "");
        s->owner = ours ? cookie_owner(tr->idl, s->cookie) : xstrdup("");
    }
    if (!t.n_outputs) {
        struct trace_verdict *v = add_verdict(r, TRACE_DROPPED, sw, &t);
        int i = (t.dropped ? hit_step[t.drop_hit]
                 : t.n_hits ? hit_step[t.n_hits - 1] : -1);
        explain_drop(tr, v, i);
    }
    for (size_t i = 0; i < t.n_outputs && !error; i++) {
        error = follow_output(tr, sw, ports, &t, &t.outputs[i],
                              hit_step[t.outputs[i].hit]);
    }
    free(hit_step);
    trace_text_destroy(&t);
    return error;
}

/* Where a packet from endpoint 'ep' to 'to' starts, or a verdict without a
 * packet (ARP would not be answered). */
static char *
start_from_endpoint(struct tracer *tr, const struct vnetrec_endpoint *ep,
                    const char *to, const struct trace_packet *pkt,
                    const struct vnetrec_switch **swp, char **flowp)
{
    struct trace_result *r = tr->r;
    const struct vnetrec_switch *sw = vswitch_of_endpoint(tr->idl, ep);
    if (!sw) {
        return xasprintf("endpoint %s is on no switch (not attached or not "
                         "plugged in)", ep->name);
    }
    if (!ep->mac || !ep->ip) {
        return xasprintf("endpoint %s has no %s yet", ep->name,
                         ep->mac ? "IP" : "MAC");
    }
    const struct vswitch_ports *ports;
    char *error = ports_of(&tr->ports, sw, &ports);
    if (error) {
        return error;
    }
    const struct vswitch_port *port;
    if (!strcmp(ep->type, "trunk")) {
        char *trunk = vnet_trunk_port_name(ep->network, sw->name);
        port = vswitch_port_by_name(ports, trunk);
        free(trunk);
    } else {
        port = vswitch_port_by_iface_id(ports, ep->name);
    }
    if (!port || port->ofport < 0) {
        return xasprintf("endpoint %s has no port on switch %s", ep->name,
                         sw->name);
    }

    const struct vnetrec_network *net = ep->network;
    const struct vnetrec_endpoint *to_ep = NULL;
    uint32_t ignored;
    const char *dst_ip;
    if (!strcmp(to, "gateway")) {
        if (!net->gateway[0]) {
            return xasprintf("network %s has no gateway", net->name);
        }
        dst_ip = net->gateway;
    } else if ((to_ep = endpoint_by_name(tr->idl, to)) != NULL) {
        if (!to_ep->ip) {
            return xasprintf("endpoint %s has no IP yet", to_ep->name);
        }
        dst_ip = to_ep->ip;
    } else if (vnet_ip_is_valid(to, &ignored)) {
        dst_ip = to;
    } else {
        return xasprintf("%s: not an endpoint, an IPv4 address or "
                         "\"gateway\"", to);
    }

    if (to_ep && to_ep->network != net) {
        const struct vnetrec_router *a = router_of_network(tr->idl, net);
        const struct vnetrec_router *b = router_of_network(tr->idl,
                                                           to_ep->network);
        if (!a || a != b) {
            r->note = xasprintf("networks %s and %s are isolated: no router "
                                "joins them", net->name, to_ep->network->name);
        }
    }

    /* The destination MAC, as ARP would give it. */
    struct vnet_cidr cidr;
    uint32_t dst;
    error = vnet_cidr_parse(net->cidr, &cidr);
    if (error) {
        return error;
    }
    vnet_ip_is_valid(dst_ip, &dst);
    const char *dst_mac = pkt->dst_mac;
    if (dst_mac) {
        /* As given. */
    } else if (net->physnet && !to_ep) {
        /* A host of the LAN, or its router: ovs-vnet does not know its MAC,
         * so the packet is unknown unicast here. */
        dst_mac = TRACE_LAN_MAC;
        r->note = xasprintf("network %s is on physical network %s, whose "
                            "hosts' MACs ovs-vnet does not know: traced with "
                            "destination MAC %s (unknown unicast; --dst-mac "
                            "gives another)", net->name, net->physnet,
                            TRACE_LAN_MAC);
    } else if (!vnet_cidr_contains(&cidr, dst)
               || !strcmp(dst_ip, net->gateway)) {
        dst_mac = net->gateway_mac;
    } else {
        size_t n;
        const struct vnetrec_endpoint **eps = endpoints_sorted(tr->idl, net,
                                                               &n);
        for (size_t i = 0; i < n && !dst_mac; i++) {
            if (eps[i]->ip && eps[i]->mac && !strcmp(eps[i]->ip, dst_ip)) {
                dst_mac = eps[i]->mac;
            }
        }
        free(eps);
    }
    if (!dst_mac) {
        struct trace_verdict *v = add_verdict(r, TRACE_DROPPED, sw, NULL);
        v->text = xasprintf("not sent: no endpoint of network %s has %s, so "
                            "ARP for it goes unanswered%s", net->name,
                            dst_ip, to_ep ? " (networks isolated)" : "");
        return NULL;
    }

    struct ds flow = DS_EMPTY_INITIALIZER;
    ds_put_format(&flow, "in_port=%"PRId64",dl_src=%s,dl_dst=%s",
                  port->ofport, pkt->src_mac ? pkt->src_mac : ep->mac,
                  dst_mac);
    put_flow_l3(&flow, pkt, pkt->src_ip ? pkt->src_ip : ep->ip, dst_ip);
    *swp = sw;
    *flowp = ds_steal_cstr(&flow);
    return NULL;
}

/* Where a packet from the outside address 'from' to the outside address
 * 'to' of a router starts: in through its uplink. */
static char *
start_from_outside(struct tracer *tr, const char *from, const char *to,
                   const struct trace_packet *pkt,
                   const struct vnetrec_switch **swp, char **flowp)
{
    uint32_t ignored;
    if (!vnet_ip_is_valid(to, &ignored)) {
        return xasprintf("%s: from the outside, trace to an outside address "
                         "of a router (its uplink's or a NAT rule's)", to);
    }
    const struct vnetrec_router *rt = router_of_outside_ip(tr->idl, to);
    if (!rt) {
        return xasprintf("%s: no router has this outside address", to);
    }
    if (!rt->uplink_switch || !rt->uplink_iface) {
        return xasprintf("router %s has no uplink", rt->name);
    }
    const struct vnetrec_switch *sw = rt->uplink_switch;
    const struct vswitch_ports *ports;
    char *error = ports_of(&tr->ports, sw, &ports);
    if (error) {
        return error;
    }
    const struct vswitch_port *port = vswitch_port_by_name(ports,
                                                           rt->uplink_iface);
    if (!port || port->ofport < 0) {
        return xasprintf("router %s: its uplink %s is not on switch %s",
                         rt->name, rt->uplink_iface, sw->name);
    }
    uint8_t mac[6];
    char mac_s[32];
    vnet_mac_for_gateway(rt->segment_id, mac);
    struct ds flow = DS_EMPTY_INITIALIZER;
    ds_put_format(&flow, "in_port=%"PRId64",dl_src="OUTSIDE_MAC",dl_dst=%s",
                  port->ofport, vnet_mac_format(mac, mac_s));
    put_flow_l3(&flow, pkt, from, to);
    *swp = sw;
    *flowp = ds_steal_cstr(&flow);
    return NULL;
}

char *
trace_run(struct ovsdb_idl *idl, const char *from, const char *to,
          const struct trace_packet *pkt, struct trace_result *r)
{
    memset(r, 0, sizeof *r);
    r->from = xstrdup(from);
    r->to = xstrdup(to);
    struct tracer tr = { .idl = idl, .r = r };

    const struct vnetrec_switch *sw = NULL;
    char *flow = NULL;
    char *error;
    uint32_t ignored;
    const struct vnetrec_endpoint *ep = endpoint_by_name(idl, from);
    if (ep) {
        error = start_from_endpoint(&tr, ep, to, pkt, &sw, &flow);
    } else if (vnet_ip_is_valid(from, &ignored)) {
        error = start_from_outside(&tr, from, to, pkt, &sw, &flow);
    } else {
        error = xasprintf("%s: not an endpoint or an outside IPv4 address",
                          from);
    }
    if (!error && flow) {
        r->packet = xstrdup(flow);
        tr.todo_sw[0] = sw;
        tr.todo_flow[0] = flow;
        tr.n_todo = 1;
        for (size_t i = 0; i < tr.n_todo && !error; i++) {
            error = trace_switch(&tr, i);
        }
    }
    for (size_t i = 0; i < tr.n_todo; i++) {
        free(tr.todo_flow[i]);
        free(tr.todo_snat[i]);
        free(tr.todo_dnat[i]);
    }
    port_cache_destroy(&tr.ports);
    if (error) {
        trace_result_destroy(r);
    }
    return error;
}

/* trace FROM TO [--proto=icmp|tcp|udp] [--dport=N] [--sport=N]
 *       [--src-ip=IP] [--src-mac=MAC] [--dst-mac=MAC] */
void
cmd_trace(struct ctl_context *ctx)
{
    struct trace_packet pkt = {
        .proto = opt_def(ctx, "--proto", "icmp"),
        .sport = 49152,
    };
    if (strcmp(pkt.proto, "icmp") && strcmp(pkt.proto, "tcp")
        && strcmp(pkt.proto, "udp")) {
        ctl_error(ctx, "--proto=%s: expected icmp, tcp or udp", pkt.proto);
        return;
    }
    pkt.src_ip = ctl_args_get(&ctx->args, "--src-ip");
    pkt.src_mac = ctl_args_get(&ctx->args, "--src-mac");
    pkt.dst_mac = ctl_args_get(&ctx->args, "--dst-mac");
    uint32_t ip;
    uint8_t mac[6];
    if (pkt.src_ip && !vnet_ip_is_valid(pkt.src_ip, &ip)) {
        ctl_error(ctx, "--src-ip=%s: not an IPv4 address", pkt.src_ip);
        return;
    }
    if (pkt.dst_mac && !vnet_mac_is_valid(pkt.dst_mac, mac)) {
        ctl_error(ctx, "--dst-mac=%s: not a MAC address", pkt.dst_mac);
        return;
    }
    if (pkt.src_mac && !vnet_mac_is_valid(pkt.src_mac, mac)) {
        ctl_error(ctx, "--src-mac=%s: not a MAC address", pkt.src_mac);
        return;
    }
    const char *dport = ctl_args_get(&ctx->args, "--dport");
    const char *sport = ctl_args_get(&ctx->args, "--sport");
    if (!strcmp(pkt.proto, "icmp") && (dport || sport)) {
        ctl_error(ctx, "--dport and --sport are for --proto=tcp or udp");
        return;
    }
    pkt.dport = !strcmp(pkt.proto, "udp") ? 53 : 80;
    if ((dport && !parse_number_option(ctx, "--dport", dport, 1, 65535,
                                       &pkt.dport))
        || (sport && !parse_number_option(ctx, "--sport", sport, 1, 65535,
                                          &pkt.sport))) {
        return;
    }

    struct trace_result r;
    char *error = trace_run(ctx->idl, ctx->argv[1], ctx->argv[2], &pkt, &r);
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        return;
    }
    if (table_style.format == TF_JSON) {
        struct json *j = trace_result_to_json(&r);
        char *s = json_to_string(j, table_style.json_flags);
        ds_put_format(&ctx->output, "%s\n", s);
        free(s);
        json_destroy(j);
    } else {
        trace_result_format(&r, &ctx->output);
    }
    trace_result_destroy(&r);
}
