/* The text that ovs-vswitchd's ofproto/trace prints, read back into the flows
 * a packet matched on one bridge and the ports it left by.
 *
 * ofproto/trace prints, for every pass through the pipeline (the first one,
 * then one after each recirculation through conntrack):
 *
 *   Flow: <the packet at the start of the pass>
 *   bridge("br-vnet")
 *    0. <match>, priority 100, cookie 0x7602000012345678
 *       <one action a line>
 *        -> <a note>
 *   10. ...                           (resubmits are indented deeper)
 *   Final flow: <the packet at the end> | unchanged
 *
 * and, between passes, a block that says how conntrack resumes and, for
 * ct(nat), how the addresses were replaced.  A tunnel's outer packet is
 * traced through the underlay bridge (another bridge("...") block): only the
 * hits on the bridge asked for are kept. */
#ifndef VNET_TRACE_PARSE_H
#define VNET_TRACE_PARSE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "svec.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One flow that a packet matched, or a table it missed. */
struct trace_hit {
    int table;
    int depth;                  /* Deeper for resubmits. */
    int priority;               /* -1: no flow matched ("No match."). */
    char *match;                /* "" for a catch-all or a miss. */
    bool has_cookie;
    uint64_t cookie;
    struct svec actions;        /* One a line, as printed. */
    struct svec notes;          /* The "-> ..." and ">> ..." lines, without
                                 * the arrows. */
    size_t pass;                /* Index into trace_text's passes. */
};

/* A port the packet was sent out of. */
struct trace_output {
    size_t hit;                 /* The hit whose actions sent it. */
    char *port;                 /* "3", a name, "IN_PORT", "LOCAL". */
    bool has_tun_id;            /* set_field:K->tun_id before it. */
    uint64_t tun_id;
    char *tun_dst;              /* set_field:IP->tun_dst before it, or NULL. */
    int vlan_vid;               /* set_field:V->vlan_vid (without 0x1000),
                                 * or -1. */
};

/* One pass through the pipeline. */
struct trace_pass {
    char *flow;                 /* "Flow:" ("" if there was none). */
    char *final_flow;           /* "Final flow:", or NULL if unchanged. */
};

struct trace_text {
    struct trace_hit *hits;
    size_t n_hits;
    struct trace_output *outputs;
    size_t n_outputs;
    struct trace_pass *passes;
    size_t n_passes;
    char *snat;                 /* What nat(src=...) changed the source to. */
    char *dnat;                 /* What nat(dst=...) changed the dest. to. */
    bool dropped;               /* A hit's actions say "drop". */
    size_t drop_hit;            /* The first such hit. */
};

/* Reads 'text' (ofproto/trace's output) for the hits on 'bridge'.  Returns
 * NULL, or an error if the text is not a trace. */
char *trace_text_parse(const char *text, const char *bridge,
                       struct trace_text *);
void trace_text_destroy(struct trace_text *);

/* The packet as it left through 'out': its pass's final flow, or the flow it
 * started with if that did not change. */
const char *trace_output_flow(const struct trace_text *,
                              const struct trace_output *);

#ifdef __cplusplus
}
#endif

#endif /* tools/trace-parse.h */
