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

int64_t
port_of(const char *endpoint, const void *ports_)
{
    const auto *ports = static_cast<const std::map<std::string, int64_t> *>(
        ports_);
    auto it = ports->find(endpoint);
    return it == ports->end() ? 0 : it->second;
}

// The packet-outs of one announcer_run(), each as "in_port: eth_dst
// eth_src op sha spa tha tpa".
std::vector<std::string>
run(struct announcer *a, std::map<std::string, int64_t> ports,
    long long int now)
{
    struct ovs_list msgs = OVS_LIST_INITIALIZER(&msgs);
    size_t n = announcer_run(a, kVersion, now, port_of, &ports, &msgs);
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
    announce_configured(a, "ep1", kIp, kMacA, 1000);
    EXPECT_EQ(announcer_count(a), 0u);
    // Configured again as it was (a repair, a restart's adoption).
    announce_configured(a, "ep1", kIp, kMacA, 2000);
    EXPECT_EQ(announcer_count(a), 0u);
    EXPECT_EQ(run(a, {{"ep1", 5}}, 2000), Strings{});
    EXPECT_EQ(announcer_next(a), LLONG_MAX);
}

TEST_F(AnnounceTest, AnotherMacTwiceOnceItsFlowsAreIn)
{
    announce_configured(a, "ep1", kIp, kMacA, 1000);
    announce_configured(a, "ep2", kIp, kMacB, 1100);    // ep1's, reused
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
    announce_configured(a, "ep1", kIp, kMacA, 1000);
    announce_configured(a, "ep1", kIp, kMacB, 2000);
    EXPECT_EQ(run(a, {{"ep1", 5}}, 2000), Strings{kAnnounceB});
}

TEST_F(AnnounceTest, GivenUpWhenItsFlowsDoNotComeIn)
{
    announce_configured(a, "ep1", kIp, kMacA, 1000);
    announce_configured(a, "ep2", kIp, kMacB, 1000);
    EXPECT_EQ(run(a, {}, 1000 + ANNOUNCE_GIVE_UP_MS - 1), Strings{});
    EXPECT_EQ(announcer_count(a), 1u);
    EXPECT_EQ(run(a, {}, 1000 + ANNOUNCE_GIVE_UP_MS), Strings{});
    EXPECT_EQ(announcer_count(a), 0u);
}

TEST_F(AnnounceTest, AnnouncementOfAnAddressNoLongerItsIsDropped)
{
    announce_configured(a, "ep1", kIp, kMacA, 1000);
    announce_configured(a, "ep2", kIp, kMacB, 1000);
    EXPECT_EQ(announcer_count(a), 1u);
    // ep2 changed to an address of its own before its flows came in.
    announce_configured(a, "ep2", kIp + 1, kMacB, 1100);
    EXPECT_EQ(announcer_count(a), 0u);
}

TEST_F(AnnounceTest, HistorySharedBySwitches)
{
    // One switch's endpoint had it; another switch's takes it: the second
    // switch's announcer announces.
    struct announcer *other = announcer_create();
    announce_configured(other, "ep1", kIp, kMacA, 1000);
    announce_configured(a, "ep2", kIp, kMacB, 1100);
    EXPECT_EQ(announcer_count(other), 0u);
    EXPECT_EQ(announcer_count(a), 1u);
    announcer_destroy(other);
    // Without an announcer, the address is still recorded.
    announce_configured(nullptr, "ep3", kIp, kMacA, 1200);
    announce_configured(a, "ep4", kIp, kMacA, 1300);
    EXPECT_EQ(announcer_count(a), 1u);      // (ep2's, still due)
}

}  // namespace
