#include <config.h>
#include "controller/held-packets.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "flow.h"
#include "flows/of-channel.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/vlog.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(held_packets);

/* One packet, in 'held' by arrival (so also by age). */
struct held {
    struct ovs_list node;
    int64_t ofport;
    long long int at;
    size_t len;
    uint8_t data[];
};

/* How many packets of one port are held. */
struct port_count {
    struct hmap_node node;      /* In 'ports', by ofport. */
    int64_t ofport;
    size_t n;
    bool ready;                 /* As held_packets_release() found it. */
};

struct held_packets {
    struct ovs_list held;
    size_t n;
    struct hmap ports;
};

struct held_packets *
held_packets_create(void)
{
    struct held_packets *hp = xzalloc(sizeof *hp);
    ovs_list_init(&hp->held);
    hmap_init(&hp->ports);
    return hp;
}

static struct port_count *
port_count_find(const struct held_packets *hp, int64_t ofport)
{
    struct port_count *pc;
    HMAP_FOR_EACH_WITH_HASH (pc, node, hash_uint64(ofport), &hp->ports) {
        if (pc->ofport == ofport) {
            return pc;
        }
    }
    return NULL;
}

/* Removes 'h' from 'hp' and frees it. */
static void
forget(struct held_packets *hp, struct held *h)
{
    struct port_count *pc = port_count_find(hp, h->ofport);
    if (pc && !--pc->n) {
        hmap_remove(&hp->ports, &pc->node);
        free(pc);
    }
    ovs_list_remove(&h->node);
    hp->n--;
    free(h);
}

void
held_packets_clear(struct held_packets *hp)
{
    struct held *h;
    LIST_FOR_EACH_SAFE (h, node, &hp->held) {
        forget(hp, h);
    }
}

void
held_packets_destroy(struct held_packets *hp)
{
    if (hp) {
        held_packets_clear(hp);
        hmap_destroy(&hp->ports);
        free(hp);
    }
}

size_t
held_packets_count(const struct held_packets *hp)
{
    return hp->n;
}

static void
expire(struct held_packets *hp, long long int now)
{
    struct held *h;
    LIST_FOR_EACH_SAFE (h, node, &hp->held) {
        if (now - h->at < HELD_PACKETS_MS) {
            break;
        }
        forget(hp, h);
    }
}

void
held_packets_take(struct held_packets *hp, const struct ofp_header *oh,
                  long long int now)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ofputil_packet_in pin;
    size_t total_len;
    uint32_t buffer_id;
    enum ofperr error = ofputil_decode_packet_in(oh, true, NULL, NULL, &pin,
                                                 &total_len, &buffer_id,
                                                 NULL);
    if (error) {
        VLOG_WARN_RL(&rl, "bad packet-in: %s", ofperr_to_string(error));
        return;
    }
    int64_t ofport = ofp_to_u16(pin.flow_metadata.flow.in_port.ofp_port);
    if (pin.packet_len < total_len || !pin.packet_len
        || ofport <= 0 || ofport >= ofp_to_u16(OFPP_MAX)) {
        /* Cut short, empty, or not from a port: nothing to send back. */
        return;
    }

    expire(hp, now);
    struct port_count *pc = port_count_find(hp, ofport);
    if (hp->n >= HELD_PACKETS_MAX
        || (pc && pc->n >= HELD_PACKETS_PER_PORT)) {
        return;
    }
    if (!pc) {
        pc = xzalloc(sizeof *pc);
        pc->ofport = ofport;
        hmap_insert(&hp->ports, &pc->node, hash_uint64(ofport));
    }
    pc->n++;

    struct held *h = xmalloc(sizeof *h + pin.packet_len);
    h->ofport = ofport;
    h->at = now;
    h->len = pin.packet_len;
    memcpy(h->data, pin.packet, pin.packet_len);
    ovs_list_push_back(&hp->held, &h->node);
    hp->n++;
}

size_t
held_packets_release(struct held_packets *hp, int version, long long int now,
                     held_packets_ready_func *ready, const void *aux,
                     struct ovs_list *msgs)
{
    size_t sent = 0;

    expire(hp, now);
    struct port_count *pc;
    bool any = false;
    HMAP_FOR_EACH (pc, node, &hp->ports) {
        pc->ready = ready(pc->ofport, aux);
        any = any || pc->ready;
    }
    if (!any) {
        return 0;
    }
    struct held *h;
    LIST_FOR_EACH_SAFE (h, node, &hp->held) {
        pc = port_count_find(hp, h->ofport);
        if (pc && pc->ready) {
            ovs_list_push_back(msgs,
                               &of_channel_packet_out(
                                   h->data, h->len, u16_to_ofp(h->ofport),
                                   OFPP_TABLE, version)->list_node);
            sent++;
            forget(hp, h);
        }
    }
    return sent;
}

long long int
held_packets_next_expiry(const struct held_packets *hp)
{
    if (!hp->n) {
        return LLONG_MAX;
    }
    const struct held *h = CONTAINER_OF(ovs_list_front(&hp->held),
                                        struct held, node);
    return h->at + HELD_PACKETS_MS;
}
