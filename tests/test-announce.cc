// Unit tests: gratuitous ARP for endpoints whose address had another MAC
// (controller/announce.h).
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "controller/announce.h"
#include "openvswitch/list.h"
#include "openvswitch/ofp-protocol.h"
#include "tests/packet-outs.h"

namespace {

const int kVersion = OFP15_VERSION;
const uint8_t kMacA[6] = {0x0a, 0x24, 0, 0, 0, 0x0a};
const uint8_t kMacB[6] = {0x0a, 0x24, 0, 0, 0, 0x0b};
const uint32_t kIp = 0x0a05000a;     // 10.5.0.10
const struct uuid kNet1 = {{1, 0, 0, 0}};
const struct uuid kNet2 = {{2, 0, 0, 0}};

std::string
mac_string(const uint8_t *p)
{
    char s[18];
    snprintf(s, sizeof s, "%02x:%02x:%02x:%02x:%02x:%02x",
             p[0], p[1], p[2], p[3], p[4], p[5]);
    return s;
}

std::string
ip_string(const uint8_t *p)
{
    return std::to_string(p[0]) + "." + std::to_string(p[1]) + "."
           + std::to_string(p[2]) + "." + std::to_string(p[3]);
}

// The endpoints up, with their ports, and the generation of flows the
// switch holds.
struct Switch {
    std::map<std::string, int64_t> ports;
    uint64_t held = 0;
};

int64_t
port_of(const char *endpoint, uint64_t gen, const void *sw_)
{
    const auto *sw = static_cast<const Switch *>(sw_);
    auto it = sw->ports.find(endpoint);
    return it == sw->ports.end() || gen > sw->held ? 0 : it->second;
}

// The packet-outs of one announcer_run(), each as "in_port: eth_dst
// eth_src op sha spa tha tpa".
std::vector<std::string>
run(struct announcer *a, std::map<std::string, int64_t> ports,
    long long int now, uint64_t held = 0)
{
    Switch sw{ports, held};
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    size_t n = announcer_run(a, kVersion, now, port_of, &sw, &msgs);
    std::vector<std::string> out;
    for (const PacketOut &po : take_packet_outs(&msgs)) {
        const uint8_t *p = po.packet.data();
        EXPECT_GE(po.packet.size(), 42u);
        EXPECT_EQ(p[12], 0x08);
        EXPECT_EQ(p[13], 0x06);
        out.push_back(
            std::to_string(po.in_port) + ": " + mac_string(p) + " "
            + mac_string(p + 6) + " op=" + std::to_string(p[20] << 8 | p[21])
            + " sha=" + mac_string(p + 22) + " spa=" + ip_string(p + 28)
            + " tha=" + mac_string(p + 32) + " tpa=" + ip_string(p + 38));
    }
    EXPECT_EQ(n, out.size());
    return out;
}

using Strings = std::vector<std::string>;

const char kAnnounceB[] =
    "5: ff:ff:ff:ff:ff:ff 0a:24:00:00:00:0b op=1 sha=0a:24:00:00:00:0b "
    "spa=10.5.0.10 tha=00:00:00:00:00:00 tpa=10.5.0.10";

class AnnounceTest : public ::testing::Test {
protected:
    void SetUp() override { announce_history_clear(); a = announcer_create(); }
    void TearDown() override
    {
        announcer_destroy(a);
        announce_history_clear();
    }
    struct announcer *a = nullptr;
};

TEST_F(AnnounceTest, AnAddressNoOtherMacHadIsNotAnnounced)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    EXPECT_EQ(announcer_count(a), 0u);
    // Configured again as it was (a repair, a restart's adoption).
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 2000);
    EXPECT_EQ(announcer_count(a), 0u);
    EXPECT_EQ(run(a, {{"ep1", 5}}, 2000), Strings{});
    EXPECT_EQ(announcer_next(a), LLONG_MAX);
}

TEST_F(AnnounceTest, AnotherMacTwiceOnceItsFlowsAreIn)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep2", &kNet1, kIp, kMacB, 1100);  // ep1's, reused
    EXPECT_EQ(announcer_count(a), 1u);
    EXPECT_EQ(announcer_next(a), 1100 + ANNOUNCE_GIVE_UP_MS);
    // Not before its flows are in.
    EXPECT_EQ(run(a, {{"ep1", 4}}, 1200), Strings{});
    EXPECT_EQ(run(a, {{"ep2", 5}}, 1300), Strings{kAnnounceB});
    EXPECT_EQ(announcer_next(a), 1300 + ANNOUNCE_AGAIN_MS);
    EXPECT_EQ(run(a, {{"ep2", 5}}, 1300 + ANNOUNCE_AGAIN_MS - 1), Strings{});
    EXPECT_EQ(run(a, {{"ep2", 5}}, 1300 + ANNOUNCE_AGAIN_MS),
              Strings{kAnnounceB});
    EXPECT_EQ(announcer_count(a), 0u);
    EXPECT_EQ(announcer_next(a), LLONG_MAX);
}

TEST_F(AnnounceTest, MacChangedInPlace)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep1", &kNet1, kIp, kMacB, 2000);
    EXPECT_EQ(run(a, {{"ep1", 5}}, 2000), Strings{kAnnounceB});
}

TEST_F(AnnounceTest, GivenUpWhenItsFlowsDoNotComeIn)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep2", &kNet1, kIp, kMacB, 1000);
    EXPECT_EQ(run(a, {}, 1000 + ANNOUNCE_GIVE_UP_MS - 1), Strings{});
    EXPECT_EQ(announcer_count(a), 1u);
    EXPECT_EQ(run(a, {}, 1000 + ANNOUNCE_GIVE_UP_MS), Strings{});
    EXPECT_EQ(announcer_count(a), 0u);
}

TEST_F(AnnounceTest, AnnouncementOfAnAddressNoLongerItsIsDropped)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep2", &kNet1, kIp, kMacB, 1000);
    EXPECT_EQ(announcer_count(a), 1u);
    // ep2 changed to an address of its own before its flows came in.
    announce_configured(a, "ep2", &kNet1, kIp + 1, kMacB, 1100);
    EXPECT_EQ(announcer_count(a), 0u);
}

TEST_F(AnnounceTest, HistorySharedBySwitches)
{
    // One switch's endpoint had it; another switch's takes it: the second
    // switch's announcer announces.
    struct announcer *other = announcer_create();
    announce_configured(other, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep2", &kNet1, kIp, kMacB, 1100);
    EXPECT_EQ(announcer_count(other), 0u);
    EXPECT_EQ(announcer_count(a), 1u);
    announcer_destroy(other);
    // Without an announcer, the address is still recorded.
    announce_configured(nullptr, "ep3", &kNet1, kIp, kMacA, 1200);
    announce_configured(a, "ep4", &kNet1, kIp, kMacA, 1300);
    EXPECT_EQ(announcer_count(a), 1u);      // (ep2's, still due)
}

TEST_F(AnnounceTest, SecondDroppedWhenNoLongerUp)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep2", &kNet1, kIp, kMacB, 1000);
    EXPECT_EQ(run(a, {{"ep2", 5}}, 1000), Strings{kAnnounceB});
    // Detached (or down) before the second: dropped, nothing left to wake
    // up for.
    EXPECT_EQ(run(a, {}, 1000 + ANNOUNCE_AGAIN_MS), Strings{});
    EXPECT_EQ(announcer_count(a), 0u);
    EXPECT_EQ(announcer_next(a), LLONG_MAX);
}

TEST_F(AnnounceTest, NotSentWhenUpTooLate)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep2", &kNet1, kIp, kMacB, 1000);
    EXPECT_EQ(run(a, {{"ep2", 5}}, 1000 + ANNOUNCE_GIVE_UP_MS), Strings{});
    EXPECT_EQ(announcer_count(a), 0u);
}

TEST_F(AnnounceTest, AddressesOfNetworksApart)
{
    // Two networks with one prefix: the same address in each is another.
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep2", &kNet2, kIp, kMacB, 1000);
    EXPECT_EQ(announcer_count(a), 0u);
    announce_configured(a, "ep3", &kNet2, kIp, kMacA, 1000);
    EXPECT_EQ(announcer_count(a), 1u);
}

TEST_F(AnnounceTest, WaitsForTheFlowsMadeAfterTheAddress)
{
    announce_configured(a, "ep1", &kNet1, kIp, kMacA, 1000);
    announce_configured(a, "ep1", &kNet1, kIp, kMacB, 1000);  // MAC changed
    announcer_stamp(a, 7);
    // Up (with the flows of its old MAC) but the switch holds generation 6.
    EXPECT_EQ(run(a, {{"ep1", 5}}, 1000, 6), Strings{});
    EXPECT_EQ(run(a, {{"ep1", 5}}, 1100, 7), Strings{kAnnounceB});
    // A later stamp does not move one stamped already.
    announce_configured(a, "ep2", &kNet1, kIp, kMacA, 1200);
    announcer_stamp(a, 9);
    EXPECT_EQ(run(a, {{"ep1", 5}, {"ep2", 6}}, 1100 + ANNOUNCE_AGAIN_MS, 8),
              Strings{kAnnounceB});
}

}  // namespace
