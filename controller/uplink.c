#include <config.h>
#include "controller/uplink.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "flows/of-channel.h"
#include "flows/router.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "packets.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(uplink);

/* One uplink, as last asked for. */
struct probe {
    uint32_t router;
    int64_t ofport;
    struct vnet_uplink uplink;
    uint8_t mac[6];
    long long int next;         /* When to ask next. */
    unsigned int sent;
};

struct uplink_prober {
    struct probe *probes;
    size_t n;
    bool ready;                 /* As of the last run: else nothing is due
                                 * before the flows are in. */
};

struct uplink_prober *
uplink_prober_create(void)
{
    return xzalloc(sizeof(struct uplink_prober));
}

void
uplink_prober_destroy(struct uplink_prober *p)
{
    if (p) {
        free(p->probes);
        free(p);
    }
}

static bool
same_uplink(const struct probe *a, const struct probe *b)
{
    return a->router == b->router && a->ofport == b->ofport
           && a->uplink.ip == b->uplink.ip
           && a->uplink.nexthop == b->uplink.nexthop
           && !memcmp(a->mac, b->mac, 6);
}

static int
send_request(const struct probe *pr, struct of_channel *of)
{
    int version = of_channel_get_version(of);
    if (version <= 0) {
        return ENOTCONN;
    }
    struct eth_addr sha;
    memcpy(sha.ea, pr->mac, 6);
    struct dp_packet packet;
    dp_packet_init(&packet, 64);
    compose_arp(&packet, ARP_OP_REQUEST, sha, eth_addr_zero, true,
                htonl(pr->uplink.ip), htonl(pr->uplink.nexthop));

    struct ofpbuf *msg = of_channel_packet_out(
        dp_packet_data(&packet), dp_packet_size(&packet), OFPP_CONTROLLER,
        u16_to_ofp(pr->ofport), version);
    dp_packet_uninit(&packet);
    return of_channel_send(of, msg);
}

void
uplink_prober_set_routers(struct uplink_prober *p,
                          const struct lan_router *routers, size_t n_routers)
{
    struct probe *probes = xcalloc(n_routers + 1, sizeof *probes);
    size_t n = 0;
    for (size_t i = 0; i < n_routers; i++) {
        const struct lan_router *r = &routers[i];
        if (!r->here || r->ofport <= 0) {
            continue;
        }
        struct probe *pr = &probes[n++];
        pr->router = r->object;
        pr->ofport = r->ofport;
        pr->uplink = r->uplink;
        memcpy(pr->mac, r->mac, 6);
        for (size_t j = 0; j < p->n; j++) {
            if (same_uplink(&p->probes[j], pr)) {
                pr->next = p->probes[j].next;
                pr->sent = p->probes[j].sent;
            }
        }
    }
    free(p->probes);
    p->probes = probes;
    p->n = n;
}

void
uplink_prober_run(struct uplink_prober *p, struct of_channel *of, bool ready)
{
    p->ready = ready;
    long long int now = time_msec();
    for (size_t i = 0; ready && i < p->n; i++) {
        struct probe *pr = &p->probes[i];
        if (now < pr->next) {
            continue;
        }
        int error = send_request(pr, of);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
            VLOG_WARN_RL(&rl, "cannot ARP for next hop "IP_FMT": %s",
                         IP_ARGS(htonl(pr->uplink.nexthop)),
                         ovs_strerror(error));
        }
        pr->sent++;
        pr->next = now + (pr->sent < 3 ? UPLINK_ARP_RETRY_MS
                                       : UPLINK_ARP_REFRESH_MS);
    }
}

void
uplink_prober_wait(const struct uplink_prober *p)
{
    for (size_t i = 0; p->ready && i < p->n; i++) {
        poll_timer_wait_until(p->probes[i].next);
    }
}
