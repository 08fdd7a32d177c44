// Unit tests: the relay's large segments (tools/udptun-offload.h): cutting a
// tap's TCP segment into frames and joining frames back.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "tools/udptun-offload.h"

namespace {

using Bytes = std::vector<uint8_t>;

const size_t kL3 = 14, kL4 = 34, kHdrs = 34 + 32;   // TCP with 12 option bytes

uint16_t get16(const uint8_t *p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t get32(const uint8_t *p)
{
    return static_cast<uint32_t>(p[0]) << 24 | p[1] << 16 | p[2] << 8 | p[3];
}
void put16(uint8_t *p, unsigned v) { p[0] = v >> 8; p[1] = v & 0xff; }

// The Internet checksum's folded sum of 'len' bytes, network order, one
// byte pair at a time (written apart from the code under test).
uint32_t
sum16(const uint8_t *p, size_t len, uint32_t sum = 0)
{
    for (size_t i = 0; i + 1 < len; i += 2) {
        sum += p[i] << 8 | p[i + 1];
    }
    if (len % 2) {
        sum += p[len - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

uint32_t
pseudo(const uint8_t *ip, size_t l4_len, uint8_t proto)
{
    uint8_t ph[12];
    memcpy(ph, ip + 12, 8);
    ph[8] = 0;
    ph[9] = proto;
    put16(ph + 10, l4_len);
    return sum16(ph, sizeof ph);
}

bool ip_ok(const uint8_t *f) { return sum16(f + kL3, 20) == 0xffff; }

bool
tcp_ok(const uint8_t *f)
{
    size_t l4_len = get16(f + kL3 + 2) - 20;
    return sum16(f + kL4, l4_len, pseudo(f + kL3, l4_len, 6)) == 0xffff;
}

// An IPv4 TCP frame (MACs, 192.0.2.1:1000 -> 192.0.2.2:2000, timestamps
// option) with 'payload' bytes counting from 'first', sequence 'seq'.
Bytes
tcp_frame(size_t payload, uint32_t seq, uint8_t flags, uint8_t first = 0,
          uint16_t dport = 2000)
{
    Bytes f(kHdrs + payload);
    uint8_t *p = f.data();
    memcpy(p, "\x0a\x00\x00\x00\x00\x02\x0a\x00\x00\x00\x00\x01\x08\x00", 14);
    uint8_t *ip = p + kL3;
    ip[0] = 0x45;
    put16(ip + 2, 20 + 32 + payload);
    put16(ip + 4, 7);
    put16(ip + 6, 0x4000);          // DF
    ip[8] = 64;
    ip[9] = 6;
    memcpy(ip + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
    put16(ip + 10, static_cast<uint16_t>(~sum16(ip, 20)));
    uint8_t *tcp = p + kL4;
    put16(tcp, 1000);
    put16(tcp + 2, dport);
    tcp[4] = seq >> 24; tcp[5] = seq >> 16; tcp[6] = seq >> 8; tcp[7] = seq;
    memcpy(tcp + 8, "\x00\x00\x10\x00", 4);     // ack
    tcp[12] = 8 << 4;
    tcp[13] = flags;
    put16(tcp + 14, 500);
    memcpy(tcp + 20, "\x01\x01\x08\x0a\x00\x00\x00\x01\x00\x00\x00\x02", 12);
    for (size_t i = 0; i < payload; i++) {
        p[kHdrs + i] = static_cast<uint8_t>(first + i);
    }
    size_t l4_len = 32 + payload;
    put16(tcp + 16, static_cast<uint16_t>(~sum16(tcp, l4_len, pseudo(ip, l4_len, 6))));
    return f;
}

struct udptun_vnet_hdr
gso_hdr(uint16_t mss)
{
    struct udptun_vnet_hdr vh;
    memset(&vh, 0, sizeof vh);
    vh.flags = UDPTUN_VNET_F_NEEDS_CSUM;
    vh.gso_type = UDPTUN_VNET_GSO_TCPV4;
    vh.hdr_len = kHdrs;
    vh.gso_size = mss;
    vh.csum_start = kL4;
    vh.csum_offset = 16;
    return vh;
}

std::vector<Bytes>
segment(const struct udptun_vnet_hdr &vh, const Bytes &frame)
{
    size_t stride = udptun_segment_len(&vh, frame.data(), frame.size());
    EXPECT_GT(stride, 0u);
    std::vector<uint8_t> out(stride * UDPTUN_MAX_SEGS);
    size_t lens[UDPTUN_MAX_SEGS];
    size_t n = udptun_segment(&vh, frame.data(), frame.size(), out.data(),
                              stride, UDPTUN_MAX_SEGS, lens);
    std::vector<Bytes> segs;
    for (size_t i = 0; i < n; i++) {
        segs.emplace_back(out.begin() + i * stride, out.begin() + i * stride + lens[i]);
    }
    return segs;
}

// What one udptun_gro_finish() writes: the virtio header, then the frame.
struct Written {
    struct udptun_vnet_hdr vh;
    Bytes frame;
    size_t iovcnt;
};

Written
finish(struct udptun_gro *g)
{
    const struct iovec *iov;
    Written w;
    w.iovcnt = udptun_gro_finish(g, &iov);
    Bytes all;
    for (size_t i = 0; i < w.iovcnt; i++) {
        const uint8_t *b = static_cast<const uint8_t *>(iov[i].iov_base);
        all.insert(all.end(), b, b + iov[i].iov_len);
    }
    EXPECT_GE(all.size(), sizeof w.vh);
    memcpy(&w.vh, all.data(), sizeof w.vh);
    w.frame.assign(all.begin() + sizeof w.vh, all.end());
    return w;
}

TEST(UdptunOffload, LargeSegmentCutIntoFramesWithChecksums)
{
    Bytes big = tcp_frame(5000, 1000000, 0x18 /* ACK PSH */);
    std::vector<Bytes> segs = segment(gso_hdr(1200), big);
    ASSERT_EQ(segs.size(), 5u);
    Bytes payload;
    for (size_t i = 0; i < segs.size(); i++) {
        const Bytes &s = segs[i];
        EXPECT_EQ(s.size(), kHdrs + (i < 4 ? 1200u : 200u));
        EXPECT_TRUE(ip_ok(s.data())) << i;
        EXPECT_TRUE(tcp_ok(s.data())) << i;
        EXPECT_EQ(get16(s.data() + kL3 + 4), 7 + i);                // IP id
        EXPECT_EQ(get32(s.data() + kL4 + 4), 1000000 + 1200 * i);   // seq
        EXPECT_EQ(s[kL4 + 13], i < 4 ? 0x10 : 0x18);    // PSH on the last
        payload.insert(payload.end(), s.begin() + kHdrs, s.end());
    }
    EXPECT_EQ(payload, Bytes(big.begin() + kHdrs, big.end()));
}

TEST(UdptunOffload, FramesJoinedBackIntoOneLargeSegment)
{
    Bytes big = tcp_frame(5000, 4294966000u /* wraps */, 0x18);
    std::vector<Bytes> segs = segment(gso_hdr(1200), big);
    struct udptun_gro g;
    udptun_gro_init(&g);
    for (const Bytes &s : segs) {
        EXPECT_TRUE(udptun_gro_add(&g, s.data(), s.size()));
    }
    Written w = finish(&g);
    EXPECT_EQ(w.iovcnt, 1 + segs.size());
    EXPECT_EQ(w.vh.gso_type, UDPTUN_VNET_GSO_TCPV4);
    EXPECT_EQ(w.vh.gso_size, 1200);
    EXPECT_EQ(w.vh.hdr_len, kHdrs);
    EXPECT_EQ(w.vh.flags, UDPTUN_VNET_F_NEEDS_CSUM);
    EXPECT_EQ(w.vh.csum_start, kL4);
    EXPECT_EQ(w.vh.csum_offset, 16);
    ASSERT_EQ(w.frame.size(), big.size());
    EXPECT_TRUE(ip_ok(w.frame.data()));
    EXPECT_EQ(get16(w.frame.data() + kL3 + 2), 20 + 32 + 5000);
    EXPECT_EQ(w.frame[kL4 + 13], 0x18);
    // The TCP checksum is left partial: the pseudo-header's sum.
    EXPECT_EQ(get16(w.frame.data() + kL4 + 16), pseudo(w.frame.data() + kL3, 32 + 5000, 6));
    EXPECT_EQ(Bytes(w.frame.begin() + kHdrs, w.frame.end()),
              Bytes(big.begin() + kHdrs, big.end()));
    EXPECT_EQ(udptun_gro_finish(&g, nullptr), 0u);     // Empty now.
}

TEST(UdptunOffload, OnlyTheSameBurstIsJoined)
{
    struct udptun_gro g;
    udptun_gro_init(&g);
    Bytes a = tcp_frame(1000, 5000, 0x10);
    Bytes gap = tcp_frame(1000, 7000, 0x10);            // 6000 missing
    Bytes other = tcp_frame(1000, 6000, 0x10, 0, 2001); // another connection
    Bytes next = tcp_frame(1000, 6000, 0x10);
    Bytes shorter = tcp_frame(300, 7000, 0x10);
    Bytes after = tcp_frame(1000, 7300, 0x10);
    EXPECT_TRUE(udptun_gro_add(&g, a.data(), a.size()));
    EXPECT_FALSE(udptun_gro_add(&g, gap.data(), gap.size()));
    EXPECT_FALSE(udptun_gro_add(&g, other.data(), other.size()));
    EXPECT_TRUE(udptun_gro_add(&g, next.data(), next.size()));
    EXPECT_TRUE(udptun_gro_add(&g, shorter.data(), shorter.size()));
    EXPECT_FALSE(udptun_gro_add(&g, after.data(), after.size()));  // closed
    Written w = finish(&g);
    EXPECT_EQ(w.iovcnt, 4u);
    EXPECT_EQ(w.frame.size(), kHdrs + 2300);

    // A frame that is not TCP payload goes alone, as it is.
    Bytes ack = tcp_frame(0, 1, 0x10);
    EXPECT_TRUE(udptun_gro_add(&g, ack.data(), ack.size()));
    EXPECT_FALSE(udptun_gro_add(&g, a.data(), a.size()));
    w = finish(&g);
    EXPECT_EQ(w.iovcnt, 2u);
    EXPECT_EQ(w.vh.gso_type, UDPTUN_VNET_GSO_NONE);
    EXPECT_EQ(w.vh.flags, 0);
    EXPECT_EQ(w.frame, ack);

    // One segment alone is written as it came.
    EXPECT_TRUE(udptun_gro_add(&g, a.data(), a.size()));
    w = finish(&g);
    EXPECT_EQ(w.vh.gso_type, UDPTUN_VNET_GSO_NONE);
    EXPECT_EQ(w.frame, a);
}

TEST(UdptunOffload, PartialChecksumCompleted)
{
    // A UDP frame whose checksum the tap left partial (the pseudo-header's
    // sum in the field), and a TCP segment not to be cut.
    Bytes f(14 + 20 + 8 + 31);
    uint8_t *p = f.data();
    p[12] = 0x08;
    uint8_t *ip = p + 14;
    ip[0] = 0x45;
    put16(ip + 2, 20 + 8 + 31);
    ip[8] = 64;
    ip[9] = 17;
    memcpy(ip + 12, "\xc0\x00\x02\x01\xc0\x00\x02\x02", 8);
    uint8_t *udp = ip + 20;
    put16(udp, 53);
    put16(udp + 2, 5353);
    put16(udp + 4, 8 + 31);
    for (size_t i = 0; i < 31; i++) {
        udp[8 + i] = static_cast<uint8_t>(3 * i);
    }
    put16(udp + 6, pseudo(ip, 8 + 31, 17));
    struct udptun_vnet_hdr vh;
    memset(&vh, 0, sizeof vh);
    vh.flags = UDPTUN_VNET_F_NEEDS_CSUM;
    vh.csum_start = 34;
    vh.csum_offset = 6;
    std::vector<Bytes> segs = segment(vh, f);
    ASSERT_EQ(segs.size(), 1u);
    EXPECT_EQ(sum16(segs[0].data() + 34, 8 + 31, pseudo(ip, 8 + 31, 17)), 0xffffu);

    // Cannot be cut: a large segment that is not IPv4 TCP.
    vh.gso_type = 4 /* TCPv6 */;
    vh.gso_size = 1000;
    EXPECT_EQ(udptun_segment_len(&vh, f.data(), f.size()), 0u);
}

}  // namespace
