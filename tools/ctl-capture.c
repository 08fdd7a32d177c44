/* ovs-vnet-ctl: capture, an endpoint's packets as its switch sees them. */
#include <config.h>
#include "tools/ctl.h"
#include "tools/ctl-vswitch.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <pcap/pcap.h>

#include "daemon.h"
#include "lib/vswitch-idl.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "ovsdb/endpoint.h"
#include "ovsdb/remote.h"
#include "ovsdb/vnet-idl.h"
#include "timeval.h"
#include "util.h"

/* What a capture was asked for. */
struct capture_args {
    const char *endpoint;
    const char *file;           /* -w: a pcap file, else one line a packet. */
    long long int count;        /* -c: stop after so many (0: never). */
    char *filter;               /* A pcap filter expression, or NULL. */
};

/* Parses "EP [-w FILE] [-c COUNT] [FILTER...]" (also --write=, --count=).
 * Returns NULL or an error message. */
static char *
capture_parse(struct ctl_context *ctx, struct capture_args *a)
{
    memset(a, 0, sizeof *a);
    a->endpoint = ctx->argv[1];
    a->file = ctl_args_get(&ctx->args, "--write");
    const char *count = ctl_args_get(&ctx->args, "--count");
    struct ds filter = DS_EMPTY_INITIALIZER;
    for (int i = 2; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];
        if ((!strcmp(arg, "-w") || !strcmp(arg, "-c")) && i + 1 < ctx->argc) {
            *(arg[1] == 'w' ? &a->file : &count) = ctx->argv[++i];
        } else {
            ds_put_format(&filter, "%s%s", filter.length ? " " : "", arg);
        }
    }
    a->filter = filter.length ? ds_steal_cstr(&filter) : NULL;
    ds_destroy(&filter);
    if (count && (!str_to_llong(count, 10, &a->count) || a->count < 1)) {
        return xasprintf("-c %s: expected a number of packets above 0",
                         count);
    }
    if (a->file && !a->file[0]) {
        return xstrdup("-w: expected a file name");
    }
    return NULL;
}

static volatile sig_atomic_t stop_requested;
static pcap_t *running;

static void
stop_capture(int sig OVS_UNUSED)
{
    stop_requested = 1;
    if (running) {
        pcap_breakloop(running);
    }
}

static const char *
ipv4_string(const uint8_t *p, char buf[16])
{
    snprintf(buf, 16, "%u.%u.%u.%u", p[0], p[1], p[2], p[3]);
    return buf;
}

/* One line for a packet, as tcpdump prints it by default. */
static void
print_packet(const struct pcap_pkthdr *h, const uint8_t *p)
{
    struct tm tm;
    time_t secs = h->ts.tv_sec;
    localtime_r(&secs, &tm);
    printf("%02d:%02d:%02d.%06ld ", tm.tm_hour, tm.tm_min, tm.tm_sec,
           (long) h->ts.tv_usec);

    size_t len = h->caplen, off = 14;
    if (len < 14) {
        printf("truncated frame, length %u\n", h->len);
        return;
    }
    unsigned int type = (p[12] << 8) | p[13];
    if (type == 0x8100 && len >= 18) {
        printf("vlan %u, ", ((p[14] << 8) | p[15]) & 0xfff);
        type = (p[16] << 8) | p[17];
        off = 18;
    }
    char a[16], b[16];
    if (type == 0x0806 && len >= off + 28) {
        const uint8_t *arp = p + off;
        unsigned int op = (arp[6] << 8) | arp[7];
        if (op == 1) {
            printf("ARP, Request who-has %s tell %s, length %u\n",
                   ipv4_string(arp + 24, a), ipv4_string(arp + 14, b),
                   h->len);
        } else if (op == 2) {
            const uint8_t *m = arp + 8;
            printf("ARP, Reply %s is-at %02x:%02x:%02x:%02x:%02x:%02x, "
                   "length %u\n", ipv4_string(arp + 14, a),
                   m[0], m[1], m[2], m[3], m[4], m[5], h->len);
        } else {
            printf("ARP, op %u, length %u\n", op, h->len);
        }
    } else if (type == 0x0800 && len >= off + 20) {
        const uint8_t *ip = p + off;
        size_t ihl = (ip[0] & 0xf) * 4;
        const uint8_t *l4 = ip + ihl;
        size_t l4_len = len > off + ihl ? len - off - ihl : 0;
        unsigned int total = (ip[2] << 8) | ip[3];
        ipv4_string(ip + 12, a);
        ipv4_string(ip + 16, b);
        if (ip[9] == 1 && l4_len >= 8) {
            unsigned int id = (l4[4] << 8) | l4[5], seq = (l4[6] << 8) | l4[7];
            if (l4[0] == 8 || l4[0] == 0) {
                printf("IP %s > %s: ICMP echo %s, id %u, seq %u, length %zu\n",
                       a, b, l4[0] == 8 ? "request" : "reply", id, seq,
                       total > ihl ? total - ihl : 0);
            } else {
                printf("IP %s > %s: ICMP type %u, code %u\n", a, b, l4[0],
                       l4[1]);
            }
        } else if ((ip[9] == 6 || ip[9] == 17) && l4_len >= 4) {
            unsigned int sport = (l4[0] << 8) | l4[1];
            unsigned int dport = (l4[2] << 8) | l4[3];
            printf("IP %s.%u > %s.%u: %s, length %u\n", a, sport, b, dport,
                   ip[9] == 6 ? "tcp" : "UDP", total);
        } else {
            printf("IP %s > %s: ip-proto-%u, length %u\n", a, b, ip[9], total);
        }
    } else {
        printf("ethertype 0x%04x, length %u\n", type, h->len);
    }
}

struct capture_state {
    pcap_dumper_t *dumper;
    long long int n;
};

static void
on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
    struct capture_state *st = (struct capture_state *) user;
    st->n++;
    if (st->dumper) {
        pcap_dump((u_char *) st->dumper, h, bytes);
    } else {
        print_packet(h, bytes);
        fflush(stdout);
    }
}

/* Opens a capture on 'ifname' in the current network namespace. */
static pcap_t *
open_capture(const char *ifname, char **errorp)
{
    char errbuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(ifname, errbuf);
    if (!p) {
        *errorp = xasprintf("%s: %s", ifname, errbuf);
        return NULL;
    }
    pcap_set_snaplen(p, 262144);
    pcap_set_timeout(p, 100);
    pcap_set_immediate_mode(p, 1);
    int retval = pcap_activate(p);
    if (retval < 0) {
        *errorp = xasprintf("%s: %s", ifname, pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    *errorp = NULL;
    return p;
}

void
cmd_capture(struct ctl_context *ctx)
{
    struct capture_args a;
    char *error = capture_parse(ctx, &a);
    const struct vnetrec_endpoint *ep = NULL;
    const struct vnetrec_switch *sw = NULL;
    if (!error) {
        ep = endpoint_by_name(ctx->idl, a.endpoint);
        if (!ep) {
            error = xasprintf("no endpoint named %s", a.endpoint);
        }
    }
    if (!error) {
        sw = vswitch_of_endpoint(ctx->idl, ep);
        if (!sw) {
            error = xasprintf("endpoint %s is on no switch (not attached or "
                              "not plugged in)", ep->name);
        }
    }
    char *ifname = NULL;
    if (!error) {
        struct vswitch_ports ports;
        error = vswitch_ports_read(sw, &ports);
        if (!error) {
            const struct vswitch_port *port;
            if (!strcmp(ep->type, "trunk") && ep->switch_ && ep->mac) {
                /* Behind its network's trunk: that port, its MAC only. */
                char *trunk = vnet_trunk_port_name(ep->network,
                                                   ep->switch_->name);
                port = vswitch_port_by_name(&ports, trunk);
                free(trunk);
                char *f = (a.filter
                           ? xasprintf("ether host %s and (%s)", ep->mac,
                                       a.filter)
                           : xasprintf("ether host %s", ep->mac));
                free(a.filter);
                a.filter = f;
            } else {
                port = vswitch_port_by_iface_id(&ports, ep->name);
            }
            if (port) {
                ifname = xstrdup(port->name);
            } else {
                error = xasprintf("endpoint %s has no interface on switch %s",
                                  ep->name, sw->name);
            }
            vswitch_ports_destroy(&ports);
        }
    }

    /* The device is in the switch's namespace: the capture socket is made
     * there, and works from here on. */
    pcap_t *p = NULL;
    if (!error) {
        int self = -1;
        error = vswitch_enter_netns(sw, &self);
        if (!error) {
            p = open_capture(ifname, &error);
            if (setns(self, CLONE_NEWNET)) {
                ctl_fatal("cannot return to our network namespace (%s)",
                          ovs_strerror(errno));
            }
            close(self);
        }
    }
    if (!error && a.filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, a.filter, 1, PCAP_NETMASK_UNKNOWN)) {
            error = xasprintf("filter \"%s\": %s", a.filter, pcap_geterr(p));
        } else {
            if (pcap_setfilter(p, &prog)) {
                error = xasprintf("filter \"%s\": %s", a.filter,
                                  pcap_geterr(p));
            }
            pcap_freecode(&prog);   /* Only what pcap_compile() filled. */
        }
    }
    struct capture_state st = { NULL, 0 };
    if (!error && a.file) {
        st.dumper = pcap_dump_open(p, a.file);
        if (!st.dumper) {
            error = xasprintf("%s: %s", a.file, pcap_geterr(p));
        }
    }
    if (error) {
        ctl_error(ctx, "%s", error);
        free(error);
        if (p) {
            pcap_close(p);
        }
        free(ifname);
        free(a.filter);
        return;
    }

    fprintf(stderr, "capturing on %s (endpoint %s, switch %s)%s%s\n", ifname,
            ep->name, sw->name, a.filter ? ", filter " : "",
            a.filter ? a.filter : "");
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = stop_capture;
    sigemptyset(&sa.sa_mask);
    stop_requested = 0;
    running = p;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    while (!stop_requested && (!a.count || st.n < a.count)) {
        int n = pcap_dispatch(p, a.count ? a.count - st.n : -1, on_packet,
                              (u_char *) &st);
        if (n == PCAP_ERROR) {
            ctl_error(ctx, "%s: %s", ifname, pcap_geterr(p));
            break;
        }
        if (st.dumper) {
            pcap_dump_flush(st.dumper);
        }
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    running = NULL;
    if (st.dumper) {
        pcap_dump_close(st.dumper);
    }
    pcap_close(p);
    fprintf(stderr, "%lld packet%s captured\n", st.n, st.n == 1 ? "" : "s");
    free(ifname);
    free(a.filter);
}
