/* ovs-vnet-ctl: topology, a picture of the network with its live state. */
#include <config.h>
#include "tools/ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "ovsdb/addr.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/vnet-idl.h"
#include "process.h"
#include "sset.h"
#include "util.h"

/* Graph nodes are named "KIND:NAME" (switch, net, ep, router, uplink). */

/* Appends 's' to 'ds' as a dot ID (double-quoted, escaped). */
static void
dot_id(struct ds *ds, const char *kind, const char *name)
{
    ds_put_format(ds, "\"%s:", kind);
    for (const char *p = name; *p; p++) {
        if (*p == '"' || *p == '\\') {
            ds_put_char(ds, '\\');
        }
        ds_put_char(ds, *p);
    }
    ds_put_char(ds, '"');
}

/* Appends 'label' as a dot string: lines separated by '\n' in 'label'. */
static void
dot_label(struct ds *ds, const char *label)
{
    ds_put_cstr(ds, "label=\"");
    for (const char *p = label; *p; p++) {
        if (*p == '\n') {
            ds_put_cstr(ds, "\\n");
        } else {
            if (*p == '"' || *p == '\\') {
                ds_put_char(ds, '\\');
            }
            ds_put_char(ds, *p);
        }
    }
    ds_put_char(ds, '"');
}

/* A node line: ID [ATTRS, label="LABEL"]; ('attrs' may be empty). */
static void
dot_node(struct ds *ds, const char *indent, const char *kind,
         const char *name, const char *attrs, const char *label)
{
    ds_put_cstr(ds, indent);
    dot_id(ds, kind, name);
    ds_put_format(ds, " [%s%s", attrs, *attrs ? ", " : "");
    dot_label(ds, label);
    ds_put_cstr(ds, "];\n");
}

/* An edge line: A -- B [ATTRS]; ('attrs' may be empty). */
static void
dot_edge(struct ds *ds, const char *kind_a, const char *a,
         const char *kind_b, const char *b, const char *attrs)
{
    ds_put_cstr(ds, "  ");
    dot_id(ds, kind_a, a);
    ds_put_cstr(ds, " -- ");
    dot_id(ds, kind_b, b);
    if (*attrs) {
        ds_put_format(ds, " [%s]", attrs);
    }
    ds_put_cstr(ds, ";\n");
}

static char *
endpoint_label(const struct vnetrec_endpoint *ep)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "%s\n%s", ep->name, ep->ip ? ep->ip : "(no IP)");
    if (ep->up && ep->ofport) {
        ds_put_format(&s, "\nport %"PRId64, *ep->ofport);
    } else {
        ds_put_cstr(&s, ep->last_error ? "\ndown: " : "\ndown");
        if (ep->last_error) {
            ds_put_cstr(&s, ep->last_error);
        }
    }
    return ds_steal_cstr(&s);
}

static char *
router_label(const struct vnetrec_router *rt)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    ds_put_format(&s, "router %s", rt->name);
    size_t n;
    const struct vnetrec_nat **nats = nat_sorted(rt);
    for (n = 0; n < rt->n_nat; n++) {
        char *ext = nat_format_external(rt, nats[n]);
        char *in = nat_format_internal(nats[n]);
        ds_put_format(&s, "\n%s %s -> %s", nats[n]->type, ext, in);
        free(ext);
        free(in);
    }
    free(nats);
    return ds_steal_cstr(&s);
}

/* Pairs of switches with tunnels between them: both have an encap IP and
 * endpoints (or a router's uplink) of networks that reach each other. */
static void
tunnel_pairs(struct ovsdb_idl *idl, struct sset *pairs)
{
    /* Networks -> their "reach group": a router's networks reach each
     * other; a network alone is its own group. */
    struct shash group_of = SHASH_INITIALIZER(&group_of);
    const struct vnetrec_router *rt;
    VNETREC_ROUTER_FOR_EACH (rt, idl) {
        for (size_t i = 0; i < rt->n_networks; i++) {
            shash_replace(&group_of, rt->networks[i]->name,
                          CONST_CAST(char *, rt->name));
        }
    }
    /* Group -> switches there. */
    struct shash members = SHASH_INITIALIZER(&members);
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH (ep, idl) {
        const char *host = vnet_endpoint_switch_name(ep);
        if (!host) {
            continue;
        }
        const char *group = shash_find_data(&group_of, ep->network->name);
        char *key = group ? xasprintf("r %s", group)
                          : xasprintf("n %s", ep->network->name);
        struct sset *set = shash_find_data(&members, key);
        if (!set) {
            set = xmalloc(sizeof *set);
            sset_init(set);
            shash_add(&members, key, set);
        }
        sset_add(set, host);
        free(key);
    }
    VNETREC_ROUTER_FOR_EACH (rt, idl) {
        if (rt->uplink_switch) {
            char *key = xasprintf("r %s", rt->name);
            struct sset *set = shash_find_data(&members, key);
            if (set) {
                sset_add(set, rt->uplink_switch->name);
            }
            free(key);
        }
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &members) {
        const struct sset *set = node->data;
        const char **names = sset_sort(set);
        size_t n = sset_count(set);
        for (size_t i = 0; i < n; i++) {
            for (size_t j = i + 1; j < n; j++) {
                sset_add_and_free(pairs, xasprintf("%s\n%s", names[i],
                                                   names[j]));
            }
        }
        free(names);
    }
    SHASH_FOR_EACH_SAFE (node, &members) {
        sset_destroy(node->data);
        free(node->data);
    }
    shash_destroy(&members);
    shash_destroy(&group_of);
}

/* Two switches with tunnels between them. */
struct tunnel {
    const struct vnetrec_switch *a, *b;
};

/* The tunnels between switches (both with an encap IP), sorted by names;
 * caller frees. */
static struct tunnel *
tunnels(struct ovsdb_idl *idl, size_t *np)
{
    struct sset pairs = SSET_INITIALIZER(&pairs);
    tunnel_pairs(idl, &pairs);
    struct tunnel *t = xcalloc(sset_count(&pairs) + 1, sizeof *t);
    size_t n = 0;
    const char **sorted = sset_sort(&pairs);
    for (size_t i = 0; i < sset_count(&pairs); i++) {
        const char *nl = strchr(sorted[i], '\n');
        char *a = xmemdup0(sorted[i], nl - sorted[i]);
        t[n].a = switch_by_name(idl, a);
        t[n].b = switch_by_name(idl, nl + 1);
        if (t[n].a && t[n].b && t[n].a->encap_ip && t[n].b->encap_ip) {
            n++;
        }
        free(a);
    }
    free(sorted);
    sset_destroy(&pairs);
    *np = n;
    return t;
}

static char *
topology_dot(struct ovsdb_idl *idl)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    ds_put_cstr(&ds, "graph ovs_vnet {\n"
                "  graph [rankdir=LR, fontname=\"sans\", fontsize=11, "
                "compound=true];\n"
                "  node [fontname=\"sans\", fontsize=10];\n"
                "  edge [fontname=\"sans\", fontsize=9];\n");

    /* Switches: a cluster each, with their endpoints and uplinks. */
    size_t n_sw;
    const struct vnetrec_switch **sws = switches_sorted(idl, &n_sw);
    size_t n_eps;
    const struct vnetrec_endpoint **eps = endpoints_sorted(idl, NULL, &n_eps);
    size_t n_rt;
    const struct vnetrec_router **rts = routers_sorted(idl, &n_rt);
    for (size_t i = 0; i < n_sw; i++) {
        const struct vnetrec_switch *sw = sws[i];
        ds_put_cstr(&ds, "  subgraph ");
        dot_id(&ds, "cluster_switch", sw->name);
        ds_put_cstr(&ds, " {\n    ");
        struct ds label = DS_EMPTY_INITIALIZER;
        ds_put_format(&label, "switch %s (%s)", sw->name, sw->bridge);
        if (sw->encap_ip) {
            ds_put_format(&label, "\n%s %s", sw->encap_type, sw->encap_ip);
        }
        if (!sw->connected) {
            ds_put_format(&label, "\ndisconnected%s%s",
                          sw->last_error ? ": " : "",
                          sw->last_error ? sw->last_error : "");
        }
        dot_label(&ds, ds_cstr(&label));
        ds_destroy(&label);
        ds_put_format(&ds, "; style=%s; color=%s;\n",
                      sw->connected ? "rounded" : "\"rounded,dashed\"",
                      sw->connected ? "gray40" : "red");
        /* The switch itself, for the tunnels. */
        dot_node(&ds, "    ", "switch", sw->name, "shape=box3d", sw->name);
        for (size_t k = 0; k < n_eps; k++) {
            const struct vnetrec_endpoint *ep = eps[k];
            const char *host = vnet_endpoint_switch_name(ep);
            if (!host || strcmp(host, sw->name)) {
                continue;
            }
            char *l = endpoint_label(ep);
            char *attrs = xasprintf("shape=%s, %s",
                                    (strcmp(ep->type, "netns")
                                     && strcmp(ep->type, "trunk"))
                                    ? "component" : "box",
                                    ep->up ? "color=darkgreen"
                                           : "color=red, style=dashed");
            dot_node(&ds, "    ", "ep", ep->name, attrs, l);
            free(attrs);
            free(l);
        }
        const struct smap_node *pn;
        SMAP_FOR_EACH (pn, &sw->physnets) {
            char *id = xasprintf("%s/%s", sw->name, pn->value);
            char *l = xasprintf("%s", pn->value);
            dot_node(&ds, "    ", "physport", id, "shape=cds", l);
            free(l);
            free(id);
        }
        for (size_t k = 0; k < n_rt; k++) {
            const struct vnetrec_router *rt = rts[k];
            if (rt->uplink_switch && rt->uplink_iface
                && !strcmp(rt->uplink_switch->name, sw->name)) {
                char *l = xasprintf("uplink %s\n%s via %s", rt->uplink_iface,
                                    rt->uplink_ip ? rt->uplink_ip : "?",
                                    rt->uplink_nexthop ? rt->uplink_nexthop
                                                       : "?");
                dot_node(&ds, "    ", "uplink", rt->name, "shape=cds", l);
                free(l);
            }
        }
        ds_put_cstr(&ds, "  }\n");
    }

    /* Logical ports not bound anywhere. */
    for (size_t k = 0; k < n_eps; k++) {
        const struct vnetrec_endpoint *ep = eps[k];
        if (vnet_endpoint_switch_name(ep)) {
            continue;
        }
        char *l = endpoint_label(ep);
        dot_node(&ds, "  ", "ep", ep->name,
                 "shape=component, color=red, style=dashed", l);
        free(l);
    }

    /* Networks, and what is on them. */
    size_t n_nets;
    const struct vnetrec_network **nets = networks_sorted(idl, &n_nets);
    for (size_t i = 0; i < n_nets; i++) {
        const struct vnetrec_network *net = nets[i];
        char *l = xasprintf("network %s\n%s\ngateway %s", net->name,
                            net->cidr, net->gateway[0] ? net->gateway
                                                       : "none");
        dot_node(&ds, "  ", "net", net->name,
                 "shape=ellipse, style=filled, fillcolor=lightblue", l);
        free(l);
    }

    /* Physical networks: the LAN, the switches' ports to it, and the
     * networks on it (with their VLANs). */
    struct sset lans = SSET_INITIALIZER(&lans);
    for (size_t i = 0; i < n_sw; i++) {
        const struct smap_node *pn;
        SMAP_FOR_EACH (pn, &sws[i]->physnets) {
            sset_add(&lans, pn->key);
        }
    }
    for (size_t i = 0; i < n_nets; i++) {
        if (nets[i]->physnet) {
            sset_add(&lans, nets[i]->physnet);
        }
    }
    const char *lan;
    SSET_FOR_EACH (lan, &lans) {
        char *l = xasprintf("physical network %s", lan);
        dot_node(&ds, "  ", "lan", lan,
                 "shape=tab, style=filled, fillcolor=lightgray", l);
        free(l);
    }
    sset_destroy(&lans);
    for (size_t i = 0; i < n_sw; i++) {
        const struct smap_node *pn;
        SMAP_FOR_EACH (pn, &sws[i]->physnets) {
            char *id = xasprintf("%s/%s", sws[i]->name, pn->value);
            dot_edge(&ds, "physport", id, "lan", pn->key, "style=bold");
            free(id);
        }
    }
    for (size_t i = 0; i < n_nets; i++) {
        if (nets[i]->physnet) {
            char *attrs = (nets[i]->n_vlan
                           ? xasprintf("style=dashed, label=\"VLAN %"PRId64
                                       "\"", *nets[i]->vlan)
                           : xstrdup("style=dashed, label=\"untagged\""));
            dot_edge(&ds, "net", nets[i]->name, "lan", nets[i]->physnet,
                     attrs);
            free(attrs);
        }
    }
    for (size_t k = 0; k < n_eps; k++) {
        dot_edge(&ds, "ep", eps[k]->name, "net", eps[k]->network->name, "");
    }

    /* Routers, their networks and uplinks. */
    for (size_t i = 0; i < n_rt; i++) {
        const struct vnetrec_router *rt = rts[i];
        char *l = router_label(rt);
        dot_node(&ds, "  ", "router", rt->name,
                 "shape=octagon, style=filled, fillcolor=khaki", l);
        free(l);
        for (size_t k = 0; k < rt->n_networks; k++) {
            dot_edge(&ds, "router", rt->name, "net", rt->networks[k]->name,
                     "");
        }
        if (rt->uplink_switch && rt->uplink_iface) {
            dot_edge(&ds, "router", rt->name, "uplink", rt->name,
                     "style=bold");
        }
    }

    /* Tunnels. */
    size_t n_t;
    struct tunnel *ts = tunnels(idl, &n_t);
    for (size_t i = 0; i < n_t; i++) {
        const struct vnetrec_switch *sa = ts[i].a, *sb = ts[i].b;
        char *attrs = xasprintf("style=dashed, color=gray40, label=\"%s\"",
                                strcmp(sa->encap_type, sb->encap_type)
                                ? "mixed" : sa->encap_type);
        dot_edge(&ds, "switch", sa->name, "switch", sb->name, attrs);
        free(attrs);
    }
    free(ts);
    ds_put_cstr(&ds, "}\n");
    free(sws);
    free(eps);
    free(rts);
    free(nets);
    return ds_steal_cstr(&ds);
}

static struct json *
topology_json(struct ovsdb_idl *idl)
{
    struct json *nodes = json_array_create_empty();
    struct json *edges = json_array_create_empty();
    size_t n;

#define NODE(KIND, NAME, ...)                                          \
    do {                                                               \
        struct json *j_ = json_object_create();                        \
        json_object_put_string(j_, "kind", KIND);                      \
        json_object_put_string(j_, "name", NAME);                      \
        __VA_ARGS__;                                                   \
        json_array_add(nodes, j_);                                     \
    } while (0)
#define EDGE(KIND, A, B)                                               \
    do {                                                               \
        struct json *j_ = json_object_create();                        \
        json_object_put_string(j_, "kind", KIND);                      \
        json_object_put_string(j_, "from", A);                         \
        json_object_put_string(j_, "to", B);                           \
        json_array_add(edges, j_);                                     \
    } while (0)

    const struct vnetrec_switch **sws = switches_sorted(idl, &n);
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_switch *sw = sws[i];
        NODE("switch", sw->name,
             json_object_put(j_, "encap_ip", json_optional_string(sw->encap_ip));
             json_object_put_string(j_, "encap_type", sw->encap_type);
             json_object_put(j_, "physnets", json_from_smap(&sw->physnets));
             json_object_put(j_, "connected", json_boolean_create(sw->connected)));
    }
    free(sws);
    const struct vnetrec_network **nets = networks_sorted(idl, &n);
    for (size_t i = 0; i < n; i++) {
        NODE("network", nets[i]->name,
             json_object_put_string(j_, "cidr", nets[i]->cidr);
             json_object_put_string(j_, "gateway", nets[i]->gateway);
             json_object_put(j_, "physnet",
                             json_optional_string(nets[i]->physnet));
             json_object_put(j_, "vlan", (nets[i]->n_vlan
                                          ? json_integer_create(*nets[i]->vlan)
                                          : json_null_create())));
    }
    free(nets);
    const struct vnetrec_endpoint **eps = endpoints_sorted(idl, NULL, &n);
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_endpoint *ep = eps[i];
        const char *host = vnet_endpoint_switch_name(ep);
        NODE("endpoint", ep->name,
             json_object_put_string(j_, "type", ep->type);
             json_object_put(j_, "switch", json_optional_string(host));
             json_object_put(j_, "ip", json_optional_string(ep->ip));
             json_object_put(j_, "up", json_boolean_create(ep->up));
             json_object_put(j_, "ofport", ep->ofport
                             ? json_integer_create(*ep->ofport)
                             : json_null_create()));
        EDGE("member", ep->name, ep->network->name);
        if (host) {
            EDGE("on", ep->name, host);
        }
    }
    free(eps);
    const struct vnetrec_router **rts = routers_sorted(idl, &n);
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_router *rt = rts[i];
        struct json *nat = json_array_create_empty();
        const struct vnetrec_nat **nats = nat_sorted(rt);
        for (size_t k = 0; k < rt->n_nat; k++) {
            char *ext = nat_format_external(rt, nats[k]);
            char *in = nat_format_internal(nats[k]);
            char *s = xasprintf("%s %s -> %s", nats[k]->type, ext, in);
            json_array_add(nat, json_string_create_nocopy(s));
            free(ext);
            free(in);
        }
        free(nats);
        NODE("router", rt->name,
             json_object_put(j_, "uplink_switch", json_optional_string(
                                 rt->uplink_switch ? rt->uplink_switch->name
                                                   : NULL));
             json_object_put(j_, "uplink_iface",
                             json_optional_string(rt->uplink_iface));
             json_object_put(j_, "uplink_ip",
                             json_optional_string(rt->uplink_ip));
             json_object_put(j_, "nat", nat));
        for (size_t k = 0; k < rt->n_networks; k++) {
            EDGE("routes", rt->name, rt->networks[k]->name);
        }
    }
    free(rts);
    size_t n_t;
    struct tunnel *ts = tunnels(idl, &n_t);
    for (size_t i = 0; i < n_t; i++) {
        EDGE("tunnel", ts[i].a->name, ts[i].b->name);
    }
    free(ts);
#undef NODE
#undef EDGE

    struct json *top = json_object_create();
    json_object_put(top, "nodes", nodes);
    json_object_put(top, "edges", edges);
    return top;
}

/* Runs Graphviz's "dot -TFORMAT" on 'dot' into 'out'.  Returns NULL or an
 * error message. */
static char *
render(const char *dot, const char *format, struct ds *out)
{
    int in[2], from[2];
    if (pipe(in) || pipe(from)) {
        return xasprintf("pipe: %s", ovs_strerror(errno));
    }
    pid_t pid = fork();
    if (pid < 0) {
        return xasprintf("fork: %s", ovs_strerror(errno));
    }
    if (!pid) {
        dup2(in[0], STDIN_FILENO);
        dup2(from[1], STDOUT_FILENO);
        close(in[0]);
        close(in[1]);
        close(from[0]);
        close(from[1]);
        char *arg = xasprintf("-T%s", format);
        execlp("dot", "dot", arg, (char *) NULL);
        fprintf(stderr, "dot: %s (install graphviz)\n", ovs_strerror(errno));
        _exit(127);
    }
    close(in[0]);
    close(from[1]);
    /* The picture is small: write it all, then read the result. */
    size_t len = strlen(dot);
    for (size_t done = 0; done < len; ) {
        ssize_t n = write(in[1], dot + done, len - done);
        if (n <= 0) {
            break;
        }
        done += n;
    }
    close(in[1]);
    char buf[4096];
    ssize_t n;
    while ((n = read(from[0], buf, sizeof buf)) > 0) {
        ds_put_buffer(out, buf, n);
    }
    close(from[0]);
    int status;
    if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status)
        || WEXITSTATUS(status)) {
        return xstrdup("Graphviz's dot failed (is graphviz installed?)");
    }
    return NULL;
}

void
cmd_topology(struct ctl_context *ctx)
{
    const char *format = opt_def(ctx, "--format",
                                 table_style.format == TF_JSON ? "json"
                                                               : "dot");
    if (!strcmp(format, "json")) {
        struct json *top = topology_json(ctx->idl);
        char *s = json_to_string(top, table_style.json_flags | JSSF_SORT);
        ds_put_format(&ctx->output, "%s\n", s);
        free(s);
        json_destroy(top);
        return;
    }
    if (strcmp(format, "dot") && strcmp(format, "svg")
        && strcmp(format, "png")) {
        ctl_error(ctx, "--format=%s: expected dot, svg, png or json", format);
        return;
    }
    char *dot = topology_dot(ctx->idl);
    if (!strcmp(format, "dot")) {
        ds_put_cstr(&ctx->output, dot);
    } else {
        char *error = render(dot, format, &ctx->output);
        if (error) {
            ctl_error(ctx, "%s", error);
            free(error);
        }
    }
    free(dot);
}
