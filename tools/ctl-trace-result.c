/* ovs-vnet-ctl: a trace's result (tools/ctl-trace.h): freed, and printed
 * for people or as JSON.  The tracing itself is in ctl-trace.c. */
#include <config.h>
#include "tools/ctl-trace.h"
#include "tools/ctl.h"

#include <stdlib.h>
#include <string.h>

#include "flows/pipeline.h"
#include "openvswitch/json.h"
#include "util.h"

void
trace_result_destroy(struct trace_result *r)
{
    for (size_t i = 0; i < r->n_steps; i++) {
        struct trace_step *s = &r->steps[i];
        free(s->switch_name);
        free(s->match);
        free(s->actions);
        free(s->feature);
        free(s->owner);
        free(s->note);
    }
    free(r->steps);
    for (size_t i = 0; i < r->n_verdicts; i++) {
        struct trace_verdict *v = &r->verdicts[i];
        free(v->text);
        free(v->endpoint);
        free(v->switch_name);
        free(v->port);
        free(v->snat);
        free(v->dnat);
    }
    free(r->verdicts);
    free(r->from);
    free(r->to);
    free(r->packet);
    free(r->note);
    memset(r, 0, sizeof *r);
}

static const char *
outcome_name(enum trace_outcome o)
{
    switch (o) {
    case TRACE_DELIVERED: return "delivered";
    case TRACE_ANSWERED: return "answered";
    case TRACE_UPLINK: return "uplink";
    case TRACE_PORT: return "port";
    case TRACE_DROPPED: return "dropped";
    case TRACE_LOST: return "lost";
    }
    return "unknown";
}

void
trace_result_verdict(const struct trace_result *r, struct ds *s)
{
    for (size_t i = 0; i < r->n_verdicts; i++) {
        ds_put_format(s, "%s%s", i ? "; " : "", r->verdicts[i].text);
    }
}

void
trace_result_format(const struct trace_result *r, struct ds *s)
{
    ds_put_format(s, "trace %s -> %s", r->from, r->to);
    if (r->packet) {
        ds_put_format(s, ": %s", r->packet);
    }
    ds_put_char(s, '\n');
    const char *last_switch = NULL;
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct trace_step *st = &r->steps[i];
        if (!last_switch || strcmp(last_switch, st->switch_name)) {
            ds_put_format(s, "switch %s\n", st->switch_name);
            last_switch = st->switch_name;
        }
        if (st->table < 0) {
            ds_put_format(s, "  %s\n", st->note);
            continue;
        }
        const char *name = vnet_table_name(st->table);
        ds_put_format(s, "  table %d%s%s%s, ", st->table, name ? " (" : "",
                      name ? name : "", name ? ")" : "");
        if (st->priority < 0) {
            ds_put_cstr(s, "no flow matched\n");
        } else {
            ds_put_format(s, "priority %d: %s\n", st->priority,
                          *st->match ? st->match : "any packet");
        }
        if (*st->feature) {
            ds_put_format(s, "      %s%s%s\n", st->feature,
                          *st->owner ? ": " : "", st->owner);
        }
        if (st->actions && *st->actions) {
            ds_put_format(s, "      actions: %s\n", st->actions);
        }
    }
    if (r->note) {
        ds_put_format(s, "note: %s\n", r->note);
    }
    for (size_t i = 0; i < r->n_verdicts; i++) {
        ds_put_format(s, "verdict: %s\n", r->verdicts[i].text);
    }
}

struct json *
trace_result_to_json(const struct trace_result *r)
{
    struct json *j = json_object_create();
    json_object_put_string(j, "from", r->from);
    json_object_put_string(j, "to", r->to);
    json_object_put(j, "packet", json_optional_string(r->packet));
    json_object_put(j, "note", json_optional_string(r->note));
    struct json *hops = json_array_create_empty();
    for (size_t i = 0; i < r->n_steps; i++) {
        const struct trace_step *st = &r->steps[i];
        struct json *h = json_object_create();
        json_object_put_string(h, "switch", st->switch_name);
        if (st->table < 0) {
            json_object_put_string(h, "note", st->note);
        } else {
            const char *name = vnet_table_name(st->table);
            json_object_put(h, "table", json_integer_create(st->table));
            json_object_put(h, "table_name", json_optional_string(name));
            json_object_put(h, "priority",
                            json_integer_create(st->priority));
            json_object_put_string(h, "match", st->match);
            json_object_put_string(h, "actions", st->actions);
            json_object_put_format(h, "cookie", "0x%016"PRIx64, st->cookie);
            json_object_put_string(h, "feature", st->feature);
            json_object_put_string(h, "object", st->owner);
        }
        json_array_add(hops, h);
    }
    json_object_put(j, "hops", hops);
    struct json *verdicts = json_array_create_empty();
    for (size_t i = 0; i < r->n_verdicts; i++) {
        const struct trace_verdict *v = &r->verdicts[i];
        struct json *o = json_object_create();
        json_object_put_string(o, "verdict", outcome_name(v->outcome));
        json_object_put_string(o, "text", v->text);
        json_object_put(o, "switch", json_optional_string(v->switch_name));
        json_object_put(o, "endpoint", json_optional_string(v->endpoint));
        json_object_put(o, "port", json_optional_string(v->port));
        json_object_put(o, "snat", json_optional_string(v->snat));
        json_object_put(o, "dnat", json_optional_string(v->dnat));
        json_object_put(o, "hop", v->step >= 0
                                  ? json_integer_create(v->step)
                                  : json_null_create());
        json_array_add(verdicts, o);
    }
    json_object_put(j, "verdicts", verdicts);
    return j;
}
