#include <config.h>
#include "controller/announce.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "dp-packet.h"
#include "flows/of-channel.h"
#include "hash.h"
#include "openvswitch/hmap.h"
#include "openvswitch/list.h"
#include "openvswitch/ofpbuf.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "ovsdb/addr.h"
#include "ovsdb/vnet-idl.h"
#include "packets.h"
#include "util.h"
#include "uuid.h"

VLOG_DEFINE_THIS_MODULE(announce);

/* The MAC an address of a network had last, as far as the process knows. */
struct configured {
    struct hmap_node node;      /* In 'history', by hash_address(). */
    struct uuid network;
    uint32_t ip;
    uint8_t mac[6];
};

static struct hmap history = HMAP_INITIALIZER(&history);

/* An endpoint to announce. */
struct due {
    uint32_t ip;
    uint8_t mac[6];
    uint64_t gen;               /* Flows the switch must hold (0: not
                                 * stamped yet). */
    unsigned int sent;          /* 0, 1 (then 2: done). */
    long long int next;         /* The second one's time, once one went. */
    long long int give_up;      /* Before the first. */
};

struct announcer {
    struct shash due;           /* Endpoint name -> struct due. */
};

struct announcer *
announcer_create(void)
{
    struct announcer *a = xmalloc(sizeof *a);
    shash_init(&a->due);
    return a;
}

void
announcer_destroy(struct announcer *a)
{
    if (a) {
        shash_destroy_free_data(&a->due);
        free(a);
    }
}

void
announce_history_clear(void)
{
    struct configured *c;
    HMAP_FOR_EACH_POP (c, node, &history) {
        free(c);
    }
}

static uint32_t
hash_address(const struct uuid *network, uint32_t ip)
{
    return hash_int(ip, uuid_hash(network));
}

/* Records 'mac' as the MAC 'ip' of 'network' had last; returns true if
 * another one had it before. */
static bool
history_swap(const struct uuid *network, uint32_t ip, const uint8_t mac[6])
{
    uint32_t hash = hash_address(network, ip);
    struct configured *c;
    HMAP_FOR_EACH_WITH_HASH (c, node, hash, &history) {
        if (c->ip == ip && uuid_equals(&c->network, network)) {
            bool other = memcmp(c->mac, mac, 6) != 0;
            memcpy(c->mac, mac, 6);
            return other;
        }
    }
    if (hmap_count(&history) >= ANNOUNCE_HISTORY_MAX) {
        VLOG_INFO("%d addresses known: forgetting their MACs",
                  ANNOUNCE_HISTORY_MAX);
        announce_history_clear();
    }
    c = xmalloc(sizeof *c);
    c->network = *network;
    c->ip = ip;
    memcpy(c->mac, mac, 6);
    hmap_insert(&history, &c->node, hash);
    return false;
}

void
announce_note_deleted(struct ovsdb_idl *nb)
{
    const struct vnetrec_endpoint *ep;
    VNETREC_ENDPOINT_FOR_EACH_TRACKED (ep, nb) {
        uint32_t ip;
        uint8_t mac[6];
        if (vnetrec_endpoint_is_deleted(ep) && ep->network && ep->ip
            && ep->mac && vnet_ip_is_valid(ep->ip, &ip)
            && vnet_mac_is_valid(ep->mac, mac)) {
            history_swap(&ep->network->header_.uuid, ip, mac);
        }
    }
}

void
announce_configured(struct announcer *a, const char *endpoint,
                    const struct uuid *network, uint32_t ip,
                    const uint8_t mac[6], long long int now)
{
    bool other = ip && history_swap(network, ip, mac);
    if (!a) {
        return;
    }
    struct due *d = shash_find_data(&a->due, endpoint);
    if (!other) {
        if (d && (d->ip != ip || memcmp(d->mac, mac, 6))) {
            /* What was due is no longer its address. */
            free(shash_find_and_delete(&a->due, endpoint));
        }
        return;
    }
    if (!d) {
        d = xmalloc(sizeof *d);
        shash_add(&a->due, endpoint, d);
    }
    d->ip = ip;
    memcpy(d->mac, mac, 6);
    d->gen = 0;
    d->sent = 0;
    d->next = LLONG_MAX;
    d->give_up = now + ANNOUNCE_GIVE_UP_MS;
}

static struct ofpbuf *
encode_announcement(const struct due *d, int64_t ofport, int version)
{
    struct eth_addr mac;
    memcpy(mac.ea, d->mac, 6);
    struct dp_packet packet;
    dp_packet_init(&packet, 64);
    compose_arp(&packet, ARP_OP_REQUEST, mac, eth_addr_zero, true,
                htonl(d->ip), htonl(d->ip));

    struct ofpbuf *msg = of_channel_packet_out(
        dp_packet_data(&packet), dp_packet_size(&packet), u16_to_ofp(ofport),
        OFPP_TABLE, version);
    dp_packet_uninit(&packet);
    return msg;
}

void
announcer_stamp(struct announcer *a, uint64_t gen)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, &a->due) {
        struct due *d = node->data;
        if (!d->gen) {
            d->gen = gen;
        }
    }
}

size_t
announcer_run(struct announcer *a, int version, long long int now,
              announcer_port_func *port, const void *aux,
              struct ovs_list *msgs)
{
    size_t n = 0;
    struct shash_node *node;
    SHASH_FOR_EACH_SAFE (node, &a->due) {
        struct due *d = node->data;
        if (d->sent && now < d->next) {
            continue;
        }
        int64_t ofport = (d->sent || now < d->give_up
                          ? port(node->name, d->gen, aux) : 0);
        if (ofport <= 0 || ofport > UINT16_MAX) {
            if (d->sent || now >= d->give_up) {
                /* Gone, or no longer up, since the first; or never up in
                 * time (the address may be another's again by now). */
                VLOG_DBG("endpoint %s: %s", node->name,
                         d->sent ? "announced once (no longer up)"
                         : "not announced (its flows did not come in)");
                free(d);
                shash_delete(&a->due, node);
            }
            continue;
        }
        struct ofpbuf *msg = encode_announcement(d, ofport, version);
        ovs_list_push_back(msgs, &msg->list_node);
        n++;
        if (!d->sent) {
            VLOG_INFO("endpoint %s: announcing "IP_FMT" at "ETH_ADDR_FMT
                      " (the address had another MAC)", node->name,
                      IP_ARGS(htonl(d->ip)), ETH_ADDR_BYTES_ARGS(d->mac));
        }
        if (++d->sent >= 2) {
            free(d);
            shash_delete(&a->due, node);
        } else {
            d->next = now + ANNOUNCE_AGAIN_MS;
        }
    }
    return n;
}

long long int
announcer_next(const struct announcer *a)
{
    long long int next = LLONG_MAX;
    struct shash_node *node;
    SHASH_FOR_EACH (node, &a->due) {
        const struct due *d = node->data;
        next = MIN(next, d->sent ? d->next : d->give_up);
    }
    return next;
}

size_t
announcer_count(const struct announcer *a)
{
    return shash_count(&a->due);
}
