#include <config.h>
#include "tools/udptun-offload.h"

#include <string.h>

#include <linux/virtio_net.h>

#include "util.h"

BUILD_ASSERT_DECL(sizeof(struct udptun_vnet_hdr)
                  == sizeof(struct virtio_net_hdr));

#define ETH_LEN 14
#define VLAN_LEN 4
#define ETH_TYPE_IPV4 0x0800
#define ETH_TYPE_VLAN 0x8100
#define IP_PROTO_TCP 6
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_CWR 0x80
#define TCP_CHECK_OFFSET 16
#define UDP_CHECK_OFFSET 6

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t) (p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t) p[0] << 24 | (uint32_t) p[1] << 16
           | (uint32_t) p[2] << 8 | p[3];
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

/* The Internet checksum's sum of 'len' bytes at 'p', which start at an even
 * offset of what is summed, added to 'sum'.  Words are read as they lie in
 * memory; the folded result, stored the same way, is in network order. */
static uint64_t
sum_bytes(uint64_t sum, const uint8_t *p, size_t len)
{
    while (len >= 8) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + 4, 4);
        sum += (uint64_t) a + b;
        p += 8;
        len -= 8;
    }
    if (len >= 4) {
        uint32_t a;
        memcpy(&a, p, 4);
        sum += a;
        p += 4;
        len -= 4;
    }
    if (len >= 2) {
        uint16_t a;
        memcpy(&a, p, 2);
        sum += a;
        p += 2;
        len -= 2;
    }
    if (len) {
        uint16_t a = 0;
        memcpy(&a, p, 1);
        sum += a;
    }
    return sum;
}

static uint16_t
fold(uint64_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return (uint16_t) sum;
}

/* Stores checksum 'c' (as sum_bytes() and fold() make it) at 'p'. */
static void
store_sum(uint8_t *p, uint16_t c)
{
    memcpy(p, &c, 2);
}

/* The sum of the TCP pseudo-header of the IPv4 packet at 'ip' for a TCP
 * segment of 'tcp_len' bytes. */
static uint64_t
pseudo_sum(const uint8_t *ip, size_t tcp_len)
{
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = IP_PROTO_TCP;
    put16(ph + 10, tcp_len);
    return sum_bytes(0, ph, sizeof ph);
}

static void
set_ip_checksum(uint8_t *ip, size_t ihl)
{
    put16(ip + 10, 0);
    store_sum(ip + 10, ~fold(sum_bytes(0, ip, ihl)));
}

/* Where an IPv4 TCP segment's parts lie in a frame. */
struct tcp4 {
    size_t l3, l4, hdrs;        /* IPv4 header, TCP header, payload. */
    size_t end;                 /* End of the IPv4 packet (padding after). */
};

static bool
parse_tcp4(const uint8_t *f, size_t len, struct tcp4 *t)
{
    if (len < ETH_LEN) {
        return false;
    }
    size_t l3 = ETH_LEN;
    uint16_t type = get16(f + 12);
    if (type == ETH_TYPE_VLAN && len >= ETH_LEN + VLAN_LEN) {
        l3 += VLAN_LEN;
        type = get16(f + 16);
    }
    if (type != ETH_TYPE_IPV4 || len < l3 + 20 || f[l3] >> 4 != 4) {
        return false;
    }
    size_t ihl = (f[l3] & 0x0f) * 4;
    size_t tot = get16(f + l3 + 2);
    if (ihl < 20 || f[l3 + 9] != IP_PROTO_TCP
        || (get16(f + l3 + 6) & 0x3fff)       /* A fragment. */
        || tot < ihl + 20 || l3 + tot > len) {
        return false;
    }
    size_t l4 = l3 + ihl;
    size_t doff = (f[l4 + 12] >> 4) * 4;
    if (doff < 20 || ihl + doff > tot) {
        return false;
    }
    t->l3 = l3;
    t->l4 = l4;
    t->hdrs = l4 + doff;
    t->end = l3 + tot;
    return true;
}

static bool
is_tcp4_gso(const struct udptun_vnet_hdr *vh)
{
    return (vh->gso_type & ~UDPTUN_VNET_GSO_ECN) == UDPTUN_VNET_GSO_TCPV4;
}

size_t
udptun_segment_len(const struct udptun_vnet_hdr *vh, const uint8_t *frame,
                   size_t len)
{
    struct tcp4 t;

    if (vh->gso_type == UDPTUN_VNET_GSO_NONE) {
        return len;
    }
    if (!is_tcp4_gso(vh) || !vh->gso_size || !parse_tcp4(frame, len, &t)) {
        return 0;
    }
    return t.hdrs + vh->gso_size;
}

/* Completes the checksum a tap left partial in the frame at 'f'. */
static bool
complete_checksum(const struct udptun_vnet_hdr *vh, uint8_t *f, size_t len)
{
    size_t start = vh->csum_start, field = start + vh->csum_offset;
    if (start >= len || field + 2 > len) {
        return false;
    }
    uint16_t c = ~fold(sum_bytes(0, f + start, len - start));
    if (!c && vh->csum_offset == UDP_CHECK_OFFSET) {
        c = 0xffff;             /* UDP: 0 would say "no checksum". */
    }
    store_sum(f + field, c);
    return true;
}

size_t
udptun_segment(const struct udptun_vnet_hdr *vh, const uint8_t *frame,
               size_t len, uint8_t *out, size_t stride, size_t max,
               size_t lens[])
{
    if (!max) {
        return 0;
    }
    if (vh->gso_type == UDPTUN_VNET_GSO_NONE) {
        if (out != frame) {
            memmove(out, frame, len);
        }
        if (vh->flags & UDPTUN_VNET_F_NEEDS_CSUM
            && !complete_checksum(vh, out, len)) {
            return 0;
        }
        lens[0] = len;
        return 1;
    }

    struct tcp4 t;
    size_t mss = vh->gso_size;
    if (!is_tcp4_gso(vh) || !mss || !parse_tcp4(frame, len, &t)
        || stride < t.hdrs + mss) {
        return 0;
    }
    size_t payload = t.end - t.hdrs;
    size_t n = payload ? (payload + mss - 1) / mss : 1;
    if (n > max) {
        return 0;
    }

    size_t ihl = t.l4 - t.l3, doff = t.hdrs - t.l4;
    uint16_t id = get16(frame + t.l3 + 4);
    uint32_t seq = get32(frame + t.l4 + 4);
    uint8_t flags = frame[t.l4 + 13];
    for (size_t i = 0; i < n; i++) {
        uint8_t *o = out + i * stride;
        size_t plen = i + 1 < n ? mss : payload - i * mss;
        memcpy(o, frame, t.hdrs);
        memcpy(o + t.hdrs, frame + t.hdrs + i * mss, plen);

        uint8_t *ip = o + t.l3, *tcp = o + t.l4;
        put16(ip + 2, ihl + doff + plen);
        put16(ip + 4, id + i);
        set_ip_checksum(ip, ihl);

        put32(tcp + 4, seq + (uint32_t) (i * mss));
        uint8_t f = flags;
        if (i + 1 < n) {
            f &= ~(TCP_FIN | TCP_PSH);
        }
        if (i) {
            f &= ~TCP_CWR;
        }
        tcp[13] = f;
        put16(tcp + TCP_CHECK_OFFSET, 0);
        uint64_t sum = pseudo_sum(ip, doff + plen);
        store_sum(tcp + TCP_CHECK_OFFSET,
                  ~fold(sum_bytes(sum, tcp, doff + plen)));
        lens[i] = t.hdrs + plen;
    }
    return n;
}

void
udptun_gro_init(struct udptun_gro *g)
{
    memset(g, 0, sizeof *g);
}

/* Whether the segment at 'f' belongs to the same connection and burst as
 * the first one held: the same headers but for the IPv4 length, id and
 * checksum and the TCP sequence number, flags (PSH aside) and checksum. */
static bool
same_burst(const struct udptun_gro *g, const uint8_t *f, const struct tcp4 *t)
{
    const uint8_t *a = g->first;
    size_t l3 = g->l3, l4 = g->l4;
    return t->l3 == l3 && t->l4 == l4 && t->hdrs == g->hdrs_len
           && !memcmp(a, f, l3)                         /* Ethernet. */
           && !memcmp(a + l3, f + l3, 2)                /* Version, TOS. */
           && !memcmp(a + l3 + 8, f + l3 + 8, 2)        /* TTL, protocol. */
           && !memcmp(a + l3 + 12, f + l3 + 12, l4 - l3 - 12)  /* Addresses,
                                                                 * options. */
           && !memcmp(a + l4, f + l4, 4)                /* Ports. */
           && !memcmp(a + l4 + 8, f + l4 + 8, 5)        /* Ack, offset. */
           && (a[l4 + 13] & ~TCP_PSH) == (f[l4 + 13] & ~TCP_PSH)
           && !memcmp(a + l4 + 14, f + l4 + 14, 2)      /* Window. */
           && !memcmp(a + l4 + 18, f + l4 + 18, t->hdrs - l4 - 18);
}

bool
udptun_gro_add(struct udptun_gro *g, const uint8_t *frame, size_t len)
{
    struct tcp4 t;
    bool joinable = parse_tcp4(frame, len, &t)
                    && (frame[t.l4 + 13] & ~TCP_PSH) == TCP_ACK
                    && t.end > t.hdrs;
    if (!g->n) {
        g->first = frame;
        g->first_len = len;
        g->n = 1;
        g->lone = !joinable;
        g->closed = !joinable;
        if (joinable) {
            g->l3 = t.l3;
            g->l4 = t.l4;
            g->hdrs_len = t.hdrs;
            g->mss = t.end - t.hdrs;
            g->payload = g->mss;
            g->next_seq = get32(frame + t.l4 + 4) + (uint32_t) g->mss;
            g->psh = frame[t.l4 + 13] & TCP_PSH;
            g->closed = g->psh;
            g->iov[1].iov_base = (void *) (frame + t.hdrs);
            g->iov[1].iov_len = g->mss;
        }
        return true;
    }

    size_t plen = joinable ? t.end - t.hdrs : 0;
    if (g->closed || !joinable || g->n >= UDPTUN_MAX_SEGS
        || plen > g->mss
        || get32(frame + t.l4 + 4) != g->next_seq
        || (g->l4 - g->l3) + (t.hdrs - t.l4) + g->payload + plen > 65535
        || !same_burst(g, frame, &t)) {
        return false;
    }
    g->n++;
    g->iov[g->n].iov_base = (void *) (frame + t.hdrs);
    g->iov[g->n].iov_len = plen;
    g->payload += plen;
    g->next_seq += plen;
    if (frame[t.l4 + 13] & TCP_PSH) {
        g->psh = true;
    }
    g->closed = g->psh || plen < g->mss;
    return true;
}

size_t
udptun_gro_finish(struct udptun_gro *g, const struct iovec **iovp)
{
    size_t n = g->n;
    if (!n) {
        return 0;
    }
    struct udptun_vnet_hdr vh;
    memset(&vh, 0, sizeof vh);
    *iovp = g->iov;

    if (n == 1) {
        memcpy(g->head, &vh, sizeof vh);
        g->iov[0].iov_base = g->head;
        g->iov[0].iov_len = sizeof vh;
        g->iov[1].iov_base = (void *) g->first;
        g->iov[1].iov_len = g->first_len;
        g->n = 0;
        return 2;
    }

    /* One large segment: the first frame's headers, the payloads after. */
    uint8_t *h = g->head + sizeof vh;
    size_t l3 = g->l3, l4 = g->l4, hdrs = g->hdrs_len;
    size_t ihl = l4 - l3, doff = hdrs - l4;
    memcpy(h, g->first, hdrs);
    put16(h + l3 + 2, ihl + doff + g->payload);
    set_ip_checksum(h + l3, ihl);
    if (g->psh) {
        h[l4 + 13] |= TCP_PSH;
    }
    /* Left partial, as a stack that segments or checks it expects: the
     * pseudo-header's sum, not inverted. */
    put16(h + l4 + TCP_CHECK_OFFSET, 0);
    store_sum(h + l4 + TCP_CHECK_OFFSET,
              fold(pseudo_sum(h + l3, doff + g->payload)));

    vh.flags = UDPTUN_VNET_F_NEEDS_CSUM;
    vh.gso_type = UDPTUN_VNET_GSO_TCPV4;
    vh.hdr_len = hdrs;
    vh.gso_size = g->mss;
    vh.csum_start = l4;
    vh.csum_offset = TCP_CHECK_OFFSET;
    memcpy(g->head, &vh, sizeof vh);
    g->iov[0].iov_base = g->head;
    g->iov[0].iov_len = sizeof vh + hdrs;
    g->n = 0;
    return 1 + n;
}
