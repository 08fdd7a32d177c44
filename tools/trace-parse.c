#include <config.h>
#include "tools/trace-parse.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MAX_DEPTH 64

struct parser {
    struct trace_text *t;
    const char *bridge;
    bool on_bridge;             /* In a bridge("...") block of 'bridge'. */
    size_t depth_hit[MAX_DEPTH];  /* Latest hit at each depth, +1 (0: none). */
    bool tun_id_set;
    uint64_t tun_id;
    char *tun_dst;
    int vlan_vid;
};

static struct trace_pass *
current_pass(struct parser *p)
{
    struct trace_text *t = p->t;
    if (!t->n_passes) {
        t->passes = xrealloc(t->passes, sizeof *t->passes);
        /* Hits before any "Flow:" line: a pass without a packet. */
        t->passes[t->n_passes++] = (struct trace_pass) { xstrdup(""), NULL };
    }
    return &t->passes[t->n_passes - 1];
}

static void
new_pass(struct parser *p, const char *flow)
{
    struct trace_text *t = p->t;
    t->passes = xrealloc(t->passes, (t->n_passes + 1) * sizeof *t->passes);
    t->passes[t->n_passes++] = (struct trace_pass) { xstrdup(flow), NULL };
    memset(p->depth_hit, 0, sizeof p->depth_hit);
    p->on_bridge = false;
    /* Each pass starts from the packet as conntrack resumes it: the tunnel
     * and VLAN state of the one before carries over, as in the datapath. */
}

/* "<match>, priority N, cookie 0xC" | "priority N[, cookie 0xC]" |
 * "No match." */
static void
parse_hit(struct parser *p, int indent, const char *s)
{
    char *end;
    long table = strtol(s, &end, 10);
    if (end == s || end[0] != '.' || end[1] != ' ' || table < 0
        || table > 255) {
        return;                 /* Not an OpenFlow table. */
    }
    const char *rest = end + 2;
    int digits = end - s;
    int depth = (indent + digits - 2) / 4;
    depth = MAX(0, MIN(depth, MAX_DEPTH - 1));

    struct trace_text *t = p->t;
    const struct trace_pass *pass = current_pass(p);
    t->hits = xrealloc(t->hits, (t->n_hits + 1) * sizeof *t->hits);
    struct trace_hit *h = &t->hits[t->n_hits];
    memset(h, 0, sizeof *h);
    h->table = table;
    h->depth = depth;
    h->priority = -1;
    svec_init(&h->actions);
    svec_init(&h->notes);
    h->pass = pass - t->passes;

    const char *prio = NULL;
    if (!strncmp(rest, "priority ", 9)) {
        prio = rest;
        h->match = xstrdup("");
    } else if (strncmp(rest, "No match", 8)) {
        /* The last ", priority " (a match never contains one). */
        for (const char *q = strstr(rest, ", priority "); q;
             q = strstr(q + 1, ", priority ")) {
            prio = q + 2;
        }
        h->match = prio ? xmemdup0(rest, prio - 2 - rest) : xstrdup(rest);
    } else {
        h->match = xstrdup("");
    }
    if (prio) {
        h->priority = atoi(prio + 9);
        const char *c = strstr(prio, ", cookie ");
        if (c) {
            h->has_cookie = true;
            h->cookie = strtoull(c + 9, NULL, 16);
        }
    }
    p->depth_hit[depth] = ++t->n_hits;
}

/* The hit that an action line indented by 'indent' belongs to: the latest
 * hit one level up, or the latest of all. */
static struct trace_hit *
hit_for(struct parser *p, int indent)
{
    int depth = indent / 4 - 1;
    if (depth >= 0 && depth < MAX_DEPTH && p->depth_hit[depth]) {
        return &p->t->hits[p->depth_hit[depth] - 1];
    }
    size_t latest = 0;
    for (int i = 0; i < MAX_DEPTH; i++) {
        latest = MAX(latest, p->depth_hit[i]);
    }
    return latest ? &p->t->hits[latest - 1] : NULL;
}

/* The argument of "nat(KEY=...)" in 's', up to its ')', or NULL. */
static char *
nat_arg(const char *s, const char *key)
{
    const char *q = strstr(s, key);
    if (!q) {
        return NULL;
    }
    q += strlen(key);
    size_t n = strcspn(q, ")");
    return xmemdup0(q, n);
}

static void
parse_action(struct parser *p, struct trace_hit *h, const char *a)
{
    struct trace_text *t = p->t;
    svec_add(&h->actions, a);

    unsigned long long v;
    char ip[64];
    int n = 0;
    if (!strcmp(a, "drop")) {
        if (!t->dropped) {
            t->dropped = true;
            t->drop_hit = h - t->hits;
        }
    } else if (sscanf(a, "set_field:%lli->tun_id%n", &v, &n) == 1 && !a[n]) {
        p->tun_id_set = true;
        p->tun_id = v;
    } else if (sscanf(a, "set_field:%63[0-9.]->tun_dst%n", ip, &n) == 1
               && !a[n]) {
        free(p->tun_dst);
        p->tun_dst = xstrdup(ip);
    } else if (sscanf(a, "load:%lli->NXM_NX_TUN_ID[]%n", &v, &n) == 1
               && !a[n]) {
        p->tun_id_set = true;       /* As learn() writes it. */
        p->tun_id = v;
    } else if (sscanf(a, "load:%lli->NXM_NX_TUN_IPV4_DST[]%n", &v, &n) == 1
               && !a[n]) {
        free(p->tun_dst);
        p->tun_dst = xasprintf("%llu.%llu.%llu.%llu", (v >> 24) & 0xff,
                               (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff);
    } else if (sscanf(a, "set_field:%lli->vlan_vid%n", &v, &n) == 1
               && !a[n]) {
        p->vlan_vid = v & 0xfff;
    } else if (!strcmp(a, "pop_vlan")) {
        p->vlan_vid = -1;
    } else if (!strncmp(a, "output:", 7) || !strcmp(a, "IN_PORT")
               || !strcmp(a, "LOCAL")) {
        const char *port = a[0] == 'o' ? a + 7 : a;
        t->outputs = xrealloc(t->outputs,
                              (t->n_outputs + 1) * sizeof *t->outputs);
        t->outputs[t->n_outputs++] = (struct trace_output) {
            .hit = h - t->hits,
            .port = xstrdup(port),
            .has_tun_id = p->tun_id_set,
            .tun_id = p->tun_id,
            .tun_dst = p->tun_dst ? xstrdup(p->tun_dst) : NULL,
            .vlan_vid = p->vlan_vid,
        };
    } else if (!strncmp(a, "nat(", 4) || !strncmp(a, "ct(", 3)) {
        char *src = nat_arg(a, "nat(src=");
        char *dst = nat_arg(a, "nat(dst=");
        if (src) {
            free(t->snat);
            t->snat = src;
        }
        if (dst) {
            free(t->dnat);
            t->dnat = dst;
        }
    }
}

char *
trace_text_parse(const char *text, const char *bridge, struct trace_text *t)
{
    memset(t, 0, sizeof *t);
    struct parser p = { .t = t, .bridge = bridge, .vlan_vid = -1 };
    char *bridge_line = xasprintf("bridge(\"%s\")", bridge);
    bool seen_flow = false;

    const char *line = text;
    while (*line) {
        size_t len = strcspn(line, "\n");
        char *s = xmemdup0(line, len);
        line += len + (line[len] == '\n');

        int indent = strspn(s, " ");
        const char *body = s + indent;
        if (!strncmp(s, "Flow: ", 6)) {
            new_pass(&p, s + 6);
            seen_flow = true;
        } else if (!strncmp(s, "bridge(\"", 8)) {
            p.on_bridge = !strcmp(s, bridge_line);
            memset(p.depth_hit, 0, sizeof p.depth_hit);
        } else if (!strncmp(s, "Final flow: ", 12)) {
            struct trace_pass *pass = current_pass(&p);
            if (strcmp(s + 12, "unchanged")) {
                free(pass->final_flow);
                pass->final_flow = xstrdup(s + 12);
            }
            p.on_bridge = false;
        } else if (!*body || !p.on_bridge) {
            /* Blank, or another bridge's. */
        } else if (isdigit((unsigned char) *body)
                   && !strncmp(body + strspn(body, "0123456789"), ". ", 2)) {
            parse_hit(&p, indent, body);
        } else if (!strncmp(body, "-> ", 3) || !strncmp(body, ">> ", 3)) {
            struct trace_hit *h = hit_for(&p, indent);
            if (h) {
                svec_add(&h->notes, body + 3);
            }
        } else {
            struct trace_hit *h = hit_for(&p, indent);
            if (h) {
                parse_action(&p, h, body);
            }
        }
        free(s);
    }
    free(bridge_line);
    free(p.tun_dst);
    if (!seen_flow) {
        trace_text_destroy(t);
        return xstrdup("not a trace: no \"Flow:\" line");
    }
    return NULL;
}

void
trace_text_destroy(struct trace_text *t)
{
    for (size_t i = 0; i < t->n_hits; i++) {
        free(t->hits[i].match);
        svec_destroy(&t->hits[i].actions);
        svec_destroy(&t->hits[i].notes);
    }
    free(t->hits);
    for (size_t i = 0; i < t->n_outputs; i++) {
        free(t->outputs[i].port);
        free(t->outputs[i].tun_dst);
    }
    free(t->outputs);
    for (size_t i = 0; i < t->n_passes; i++) {
        free(t->passes[i].flow);
        free(t->passes[i].final_flow);
    }
    free(t->passes);
    free(t->snat);
    free(t->dnat);
    memset(t, 0, sizeof *t);
}

const char *
trace_output_flow(const struct trace_text *t, const struct trace_output *o)
{
    const struct trace_pass *pass = &t->passes[t->hits[o->hit].pass];
    return pass->final_flow ? pass->final_flow : pass->flow;
}
