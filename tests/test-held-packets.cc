// Unit tests: the first packets of ports without flows, held until their
// flows are in (controller/held-packets.h).
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "controller/held-packets.h"
#include "openvswitch/list.h"
#include "openvswitch/match.h"
#include "openvswitch/ofp-actions.h"
#include "openvswitch/ofp-msgs.h"
#include "openvswitch/ofp-packet.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "tests/packet-outs.h"

namespace {

const int kVersion = OFP15_VERSION;

ofp_port_t to_ofp(int port) { return static_cast<ofp_port_t>(port); }
int from_ofp(ofp_port_t port) { return static_cast<int>(port); }

// A packet-in of 'len' bytes (each 'fill') from 'ofport'.
struct ofpbuf *
packet_in(int ofport, uint8_t fill, size_t len = 60)
{
    std::vector<uint8_t> data(len, fill);
    struct ofputil_packet_in_private pin;
    memset(&pin, 0, sizeof pin);
    pin.base.packet = data.data();
    pin.base.packet_len = len;
    pin.base.reason = OFPR_NO_MATCH;
    pin.base.cookie = OVS_BE64_MAX;
    match_init_catchall(&pin.base.flow_metadata);
    match_set_in_port(&pin.base.flow_metadata, to_ofp(ofport));
    return ofputil_encode_packet_in_private(
        &pin, ofputil_protocol_from_ofp_version((enum ofp_version) kVersion),
        OFPUTIL_PACKET_IN_STD);
}

// The same, but the switch says the packet was longer (it sent only the
// first 'len' bytes): OpenFlow 1.3+'s total_len, after the header and the
// buffer id.
struct ofpbuf *
cut_packet_in(int ofport, size_t len, size_t total_len)
{
    struct ofpbuf *msg = packet_in(ofport, 1, len);
    ovs_be16 total = htons(total_len);
    memcpy(static_cast<uint8_t *>(msg->data) + 12, &total, sizeof total);
    return msg;
}

void
take(struct held_packets *hp, struct ofpbuf *msg, long long int now)
{
    held_packets_take(hp, static_cast<const ofp_header *>(msg->data), now);
    ofpbuf_delete(msg);
}

// What the packet-outs say: "PORT:FILL" each, in order.
bool
in_set(int64_t ofport, const void *set)
{
    return static_cast<const std::set<int64_t> *>(set)->count(ofport) > 0;
}

std::vector<std::string>
release(struct held_packets *hp, std::set<int64_t> ready, long long int now)
{
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    size_t n = held_packets_release(hp, kVersion, now, in_set, &ready,
                                    &msgs);
    std::vector<std::string> out;
    // Back into the pipeline, from the port it came from.
    for (const PacketOut &po : take_packet_outs(&msgs)) {
        out.push_back(std::to_string(po.in_port) + ":"
                      + std::to_string(po.packet[0]));
    }
    EXPECT_EQ(n, out.size());
    return out;
}

using Strings = std::vector<std::string>;

TEST(HeldPackets, SentBackInOrderOncePortIsReady)
{
    struct held_packets *hp = held_packets_create();
    take(hp, packet_in(5, 1), 1000);
    take(hp, packet_in(7, 2), 1010);
    take(hp, packet_in(5, 3), 1020);
    EXPECT_EQ(held_packets_count(hp), 3u);
    EXPECT_EQ(held_packets_next_expiry(hp), 1000 + HELD_PACKETS_MS);

    // Port 7 has no flows yet: only port 5's, in the order they came.
    EXPECT_EQ(release(hp, {5}, 1100), (Strings{"5:1", "5:3"}));
    EXPECT_EQ(held_packets_count(hp), 1u);
    EXPECT_EQ(held_packets_next_expiry(hp), 1010 + HELD_PACKETS_MS);
    EXPECT_EQ(release(hp, {}, 1200), Strings{});
    EXPECT_EQ(release(hp, {7}, 1300), Strings{"7:2"});
    EXPECT_EQ(held_packets_count(hp), 0u);
    EXPECT_EQ(held_packets_next_expiry(hp), LLONG_MAX);
    held_packets_destroy(hp);
}

TEST(HeldPackets, DroppedWhenTooOld)
{
    struct held_packets *hp = held_packets_create();
    take(hp, packet_in(5, 1), 1000);
    take(hp, packet_in(5, 2), 1500);
    // The first is over HELD_PACKETS_MS old: never sent.
    EXPECT_EQ(release(hp, {5}, 1000 + HELD_PACKETS_MS), Strings{"5:2"});

    take(hp, packet_in(6, 3), 5000);
    take(hp, packet_in(6, 4), 5000 + HELD_PACKETS_MS + 1);  // Expires 3.
    EXPECT_EQ(held_packets_count(hp), 1u);
    held_packets_clear(hp);
    EXPECT_EQ(held_packets_count(hp), 0u);
    held_packets_destroy(hp);
}

TEST(HeldPackets, BoundedPerPortAndInAll)
{
    struct held_packets *hp = held_packets_create();
    for (int i = 0; i < HELD_PACKETS_PER_PORT + 5; i++) {
        take(hp, packet_in(5, i), 1000);
    }
    // The first ones are kept.
    EXPECT_EQ(held_packets_count(hp), (size_t) HELD_PACKETS_PER_PORT);
    Strings out = release(hp, {5}, 1001);
    ASSERT_EQ(out.size(), (size_t) HELD_PACKETS_PER_PORT);
    EXPECT_EQ(out.front(), "5:0");
    EXPECT_EQ(out.back(), "5:" + std::to_string(HELD_PACKETS_PER_PORT - 1));

    for (int port = 1; port <= HELD_PACKETS_MAX; port++) {
        take(hp, packet_in(port, 1), 2000);
    }
    EXPECT_EQ(held_packets_count(hp), (size_t) HELD_PACKETS_MAX);
    take(hp, packet_in(HELD_PACKETS_MAX + 1, 1), 2000);
    EXPECT_EQ(held_packets_count(hp), (size_t) HELD_PACKETS_MAX);
    held_packets_destroy(hp);
}

TEST(HeldPackets, OnlyWholePacketsFromPorts)
{
    struct held_packets *hp = held_packets_create();
    // From the controller or the bridge itself: no port to send it from.
    take(hp, packet_in(from_ofp(OFPP_LOCAL), 1), 1000);
    take(hp, packet_in(from_ofp(OFPP_CONTROLLER), 1), 1000);
    EXPECT_EQ(held_packets_count(hp), 0u);
    // Cut short: what would go back is not the packet.
    take(hp, cut_packet_in(5, 60, 1500), 1000);
    EXPECT_EQ(held_packets_count(hp), 0u);
    take(hp, cut_packet_in(5, 60, 60), 1000);
    EXPECT_EQ(held_packets_count(hp), 1u);
    held_packets_destroy(hp);
}

}  // namespace
