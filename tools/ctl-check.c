/* ovs-vnet-ctl: check, who reaches whom, all at once. */
#include <config.h>
#include "tools/ctl.h"
#include "tools/ctl-trace.h"

#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "openvswitch/dynamic-string.h"
#include "openvswitch/json.h"
#include "ovsdb/addr.h"
#include "ovsdb/nat.h"
#include "ovsdb/vnet-idl.h"
#include "sset.h"
#include "util.h"

/* Pings run at once, at most. */
#define MAX_PARALLEL 64

/* Failed probes are tried again, this many at a time, before they count. */
#define RETRY_PARALLEL 4

enum expect { EXPECT_REACH, EXPECT_ISOLATED };

/* One probe: from an endpoint's namespace to an address. */
struct probe {
    const struct vnetrec_endpoint *from;
    const char *to_name;        /* Endpoint, "gateway" or "outside". */
    const char *to_ip;
    enum expect expect;
    const char *why;            /* Of the expectation ("isolated",...). */
    pid_t pid;
    bool done;
    bool reached;
    bool broken;                /* ping could not run there (126, 127). */
    char *request;              /* Unexpected: how a trace of the request */
    char *reply;                /* and of the reply ends (or NULL). */
};

/* Whether endpoint 'ep' goes out through a NAT rule of router 'rt'. */
static bool
nat_covers(const struct vnetrec_router *rt, const struct vnetrec_endpoint *ep)
{
    uint32_t ip;
    if (!ep->ip || !vnet_ip_is_valid(ep->ip, &ip)) {
        return false;
    }
    for (size_t i = 0; i < rt->n_nat; i++) {
        const struct vnetrec_nat *n = rt->nat[i];
        struct vnet_nat nat;
        char *error = vnet_nat_parse(n->type, n->external_ip, n->logical_ip,
                                     n->protocol, n->external_port,
                                     n->logical_port, &nat);
        if (error) {
            free(error);
            continue;
        }
        bool match = (nat.logical_plen >= 32
                      ? nat.logical == ip
                      : !((nat.logical ^ ip)
                          & (nat.logical_plen
                             ? ~0u << (32 - nat.logical_plen) : 0)));
        if (match && (nat.type == VNET_NAT_SNAT || nat.type == VNET_NAT_FIP)) {
            return true;
        }
    }
    return false;
}

/* Pings 'ip' from namespace 'netns' (of "ip netns"), in a child process
 * that enters the namespace itself: "ip netns exec" would also remount /sys
 * for each ping, which costs more than the ping. */
static pid_t
start_ping(const char *netns, const char *ip)
{
    char *path = xasprintf("/run/netns/%s", netns);
    pid_t pid = fork();
    if (!pid) {
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, STDOUT_FILENO);
            dup2(null, STDERR_FILENO);
        }
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || setns(fd, CLONE_NEWNET)) {
            _exit(126);
        }
        execlp("ping", "ping", "-c", "3", "-i", "0.2", "-W", "1", "-q", ip,
               (char *) NULL);
        _exit(127);
    }
    free(path);
    return pid;
}

/* How many probes may run at once.  The kernel's ARP table is one for all
 * namespaces, at most net.ipv4.neigh.default.gc_thresh3 entries, and an
 * entry used in the last 5 seconds cannot make room for a new one: a probe
 * adds up to two (the sender's for the target, the target's for the way
 * back), and lasts about half a second.  So that the probes' entries of any
 * 5 seconds take at most half of the table, about gc_thresh3 / 40 run at
 * once. */
static size_t
max_parallel(void)
{
    long long int thresh3 = 1024;
    FILE *f = fopen("/proc/sys/net/ipv4/neigh/default/gc_thresh3", "r");
    if (f) {
        if (fscanf(f, "%lld", &thresh3) != 1) {
            thresh3 = 1024;
        }
        fclose(f);
    }
    return MIN(MAX_PARALLEL, MAX(RETRY_PARALLEL, thresh3 / 40));
}

/* Runs every probe of 'probes' not yet done, 'parallel' at a time. */
static void
run_probes(struct probe *probes, size_t n, size_t parallel)
{
    size_t next = 0, running = 0, finished = 0;
    for (size_t i = 0; i < n; i++) {
        finished += probes[i].done;
    }
    while (finished < n) {
        while (next < n && running < parallel) {
            struct probe *p = &probes[next++];
            if (p->done) {
                continue;
            }
            p->pid = start_ping(p->from->netns, p->to_ip);
            if (p->pid < 0) {
                p->done = true;
                finished++;
            } else {
                running++;
            }
        }
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid < 0) {
            if (errno == EINTR) {
                continue;
            }
            break;
        }
        for (size_t i = 0; i < next; i++) {
            if (probes[i].pid == pid && !probes[i].done) {
                probes[i].done = true;
                probes[i].reached = WIFEXITED(status) && !WEXITSTATUS(status);
                probes[i].broken = (WIFEXITED(status)
                                    && WEXITSTATUS(status) >= 126);
                running--;
                finished++;
                break;
            }
        }
    }
}

/* A probe's cell: "ok", "FAIL", "apart" (isolated, as expected), or
 * "REACHED" (isolated, but reached). */
static const char *
verdict(const struct probe *p)
{
    return (p->broken ? "ERROR"
            : p->expect == EXPECT_REACH ? (p->reached ? "ok" : "FAIL")
            : p->reached ? "REACHED" : "apart");
}

static bool
probe_ok(const struct probe *p)
{
    return !p->broken && p->reached == (p->expect == EXPECT_REACH);
}

/* The verdict of a trace, or why there is none. */
static char *
trace_verdict(struct ovsdb_idl *idl, const char *from, const char *to,
              bool reply, bool *reachedp)
{
    struct trace_packet pkt = { .proto = "icmp", .echo_reply = reply };
    struct trace_result r;
    char *error = trace_run(idl, from, to, &pkt, &r);
    if (error) {
        char *s = xasprintf("cannot trace: %s", error);
        free(error);
        *reachedp = false;
        return s;
    }
    struct ds s = DS_EMPTY_INITIALIZER;
    trace_result_verdict(&r, &s);
    *reachedp = false;
    for (size_t i = 0; i < r.n_verdicts; i++) {
        *reachedp |= (r.verdicts[i].outcome == TRACE_DELIVERED
                      || r.verdicts[i].outcome == TRACE_ANSWERED
                      || r.verdicts[i].outcome == TRACE_UPLINK);
    }
    trace_result_destroy(&r);
    return ds_steal_cstr(&s);
}

/* Explains an unexpected probe by a trace of its request and, if the
 * request gets there and an endpoint answers it, of the reply. */
static void
explain_probe(struct ovsdb_idl *idl, struct probe *p)
{
    bool reached;
    p->request = trace_verdict(idl, p->from->name,
                               strcmp(p->to_name, "outside") ? p->to_name
                                                              : p->to_ip,
                               false, &reached);
    if (reached && endpoint_by_name(idl, p->to_name)) {
        p->reply = trace_verdict(idl, p->to_name, p->from->name, true,
                                 &reached);
    }
}

void
cmd_check(struct ctl_context *ctx)
{
    bool outside = ctl_args_get(&ctx->args, "--outside") != NULL;
    struct sset nets = SSET_INITIALIZER(&nets);
    for (int i = 1; i < ctx->argc; i++) {
        if (!network_by_name(ctx->idl, ctx->argv[i])) {
            ctl_error(ctx, "no network named %s", ctx->argv[i]);
            sset_destroy(&nets);
            return;
        }
        sset_add(&nets, ctx->argv[i]);
    }

    /* The endpoints: namespace endpoints that can send, and any endpoint
     * with an IP to send to. */
    size_t n_eps;
    const struct vnetrec_endpoint **all = endpoints_sorted(ctx->idl, NULL,
                                                           &n_eps);
    const struct vnetrec_endpoint **eps = xcalloc(n_eps + 1, sizeof *eps);
    size_t n = 0;
    for (size_t i = 0; i < n_eps; i++) {
        if ((sset_is_empty(&nets)
             || sset_contains(&nets, all[i]->network->name))
            && all[i]->ip) {
            eps[n++] = all[i];
        }
    }
    free(all);

    size_t allocated = n * n + 2 * n + 1, n_probes = 0;
    struct probe *probes = xcalloc(allocated, sizeof *probes);
    for (size_t i = 0; i < n; i++) {
        const struct vnetrec_endpoint *a = eps[i];
        if ((strcmp(a->type, "netns") && strcmp(a->type, "trunk"))
            || !a->netns) {
            continue;           /* Nothing of ours to send from. */
        }
        const struct vnetrec_router *ra = router_of_network(ctx->idl,
                                                            a->network);
        for (size_t j = 0; j < n; j++) {
            const struct vnetrec_endpoint *b = eps[j];
            if (i == j) {
                continue;
            }
            bool same = a->network == b->network;
            bool routed = (!same && ra
                           && ra == router_of_network(ctx->idl, b->network));
            probes[n_probes++] = (struct probe) {
                .from = a, .to_name = b->name, .to_ip = b->ip,
                .expect = same || routed ? EXPECT_REACH : EXPECT_ISOLATED,
                .why = same ? "same network" : routed ? "routed"
                       : "networks isolated",
            };
        }
        if (a->network->gateway[0]) {
            /* (None on a physical network without a router of its LAN.) */
            probes[n_probes++] = (struct probe) {
                .from = a, .to_name = "gateway",
                .to_ip = a->network->gateway,
                .expect = EXPECT_REACH, .why = "gateway",
            };
        }
        if (outside && ra && ra->uplink_nexthop) {
            bool nat = nat_covers(ra, a);
            probes[n_probes++] = (struct probe) {
                .from = a, .to_name = "outside", .to_ip = ra->uplink_nexthop,
                .expect = nat ? EXPECT_REACH : EXPECT_ISOLATED,
                .why = nat ? "through NAT" : "no NAT rule for it",
            };
        }
    }
    run_probes(probes, n_probes, max_parallel());
    /* What failed is tried again, a few at a time: a probe among many can
     * lose its packets to a switch short of CPU. */
    /* Only probes that did not reach: an isolation that leaked once has
     * leaked. */
    for (size_t i = 0; i < n_probes; i++) {
        probes[i].done = (probe_ok(&probes[i])
                          || probes[i].expect == EXPECT_ISOLATED);
    }
    run_probes(probes, n_probes, RETRY_PARALLEL);
    for (size_t i = 0; i < n_probes; i++) {
        if (probes[i].broken) {
            probes[i].request = xasprintf("ping could not run in namespace "
                                          "%s", probes[i].from->netns);
        } else if (!probe_ok(&probes[i])) {
            explain_probe(ctx->idl, &probes[i]);
        }
    }

    size_t n_ok = 0, n_expected = 0, n_apart = 0, n_bad = 0;
    for (size_t i = 0; i < n_probes; i++) {
        const struct probe *p = &probes[i];
        n_expected += p->expect == EXPECT_REACH;
        n_ok += p->expect == EXPECT_REACH && p->reached;
        n_apart += p->expect == EXPECT_ISOLATED && !p->reached;
        n_bad += !probe_ok(p);
    }

    if (table_style.format == TF_JSON) {
        struct json *list = json_array_create_empty();
        for (size_t i = 0; i < n_probes; i++) {
            const struct probe *p = &probes[i];
            struct json *j = json_object_create();
            json_object_put_string(j, "from", p->from->name);
            json_object_put_string(j, "to", p->to_name);
            json_object_put_string(j, "ip", p->to_ip);
            json_object_put_string(j, "expected",
                                   p->expect == EXPECT_REACH ? "reach"
                                                             : "isolated");
            json_object_put_string(j, "why", p->why);
            json_object_put(j, "reached", json_boolean_create(p->reached));
            json_object_put(j, "ok", json_boolean_create(probe_ok(p)));
            if (p->request) {
                json_object_put(j, "request", json_string_create(p->request));
                json_object_put(j, "reply", json_optional_string(p->reply));
            }
            json_array_add(list, j);
        }
        char *s = json_to_string(list, table_style.json_flags);
        ds_put_format(&ctx->output, "%s\n", s);
        free(s);
        json_destroy(list);
    } else {
        /* A matrix: senders down, receivers across. */
        struct ds *o = &ctx->output;
        ds_put_format(o, "%-12s", "from\\to");
        for (size_t j = 0; j < n; j++) {
            ds_put_format(o, "%-10s", eps[j]->name);
        }
        ds_put_format(o, "%-10s%s\n", "gateway", outside ? "outside" : "");
        for (size_t i = 0; i < n; i++) {
            bool sends = false;
            for (size_t k = 0; k < n_probes && !sends; k++) {
                sends = probes[k].from == eps[i];
            }
            if (!sends) {
                continue;
            }
            ds_put_format(o, "%-12s", eps[i]->name);
            for (size_t j = 0; j <= n + 1; j++) {
                const char *to = (j < n ? eps[j]->name
                                  : j == n ? "gateway" : "outside");
                const char *cell = (j < n && i == j ? "-"
                                    : j == n && !eps[i]->network->gateway[0]
                                    ? "none" : "");
                for (size_t k = 0; k < n_probes && !*cell; k++) {
                    if (probes[k].from == eps[i]
                        && !strcmp(probes[k].to_name, to)) {
                        cell = verdict(&probes[k]);
                    }
                }
                if (j <= n || outside) {
                    ds_put_format(o, "%-10s", cell);
                }
            }
            ds_put_char(o, '\n');
        }
        ds_put_format(o, "%"PRIuSIZE" of %"PRIuSIZE" expected to reach do; "
                      "%"PRIuSIZE" isolated as expected\n", n_ok, n_expected,
                      n_apart);
        for (size_t i = 0; i < n_probes; i++) {
            const struct probe *p = &probes[i];
            if (!probe_ok(p)) {
                ds_put_format(o, "%s: %s -> %s (%s) %s\n", verdict(p),
                              p->from->name, p->to_name, p->to_ip,
                              p->broken ? "was not probed"
                              : p->expect == EXPECT_REACH
                              ? "does not reach it" : "reaches it, but the "
                                "networks should be isolated");
                ds_put_format(o, "    request: %s\n", p->request);
                if (p->reply) {
                    ds_put_format(o, "    reply: %s\n", p->reply);
                }
            }
        }
    }
    if (n_bad) {
        /* What was found goes out before the error (which ends the
         * command line). */
        fwrite(ctx->output.string, 1, ctx->output.length, stdout);
        fflush(stdout);
        ds_clear(&ctx->output);
        ctl_error(ctx, "%"PRIuSIZE" of %"PRIuSIZE" probes did not go as "
                  "expected", n_bad, n_probes);
    }
    for (size_t i = 0; i < n_probes; i++) {
        free(probes[i].request);
        free(probes[i].reply);
    }
    free(probes);
    free(eps);
    sset_destroy(&nets);
}
