// Unit tests: LAN flow generation (flows/lan.h), parsed by the OVS library.
#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "flows/lan.h"

namespace {

const uint32_t kGw = (10u << 24) | (5u << 16) | 1;     // 10.5.0.1
const uint32_t kIp11 = (10u << 24) | (5u << 16) | 11;  // 10.5.0.11

std::vector<std::string>
lines_of(const std::string &text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line); ) {
        lines.push_back(line);
    }
    return lines;
}

// Flows whose text contains every one of 'parts'.
size_t
count_matching(const std::vector<std::string> &lines,
               const std::vector<std::string> &parts)
{
    size_t n = 0;
    for (const auto &l : lines) {
        bool all = true;
        for (const auto &p : parts) {
            all = all && l.find(p) != std::string::npos;
        }
        n += all;
    }
    return n;
}

struct Lan {
    std::vector<lan_port> ports;
    std::vector<lan_neighbor> neighbors;
    lan_network net{};

    Lan()
    {
        lan_port secured{};
        secured.name = "ep1";
        secured.object = 0x11111111;
        secured.ofport = 3;
        secured.has_mac = true;
        const uint8_t mac[6] = {0x0a, 0, 0, 0, 0, 0x11};
        memcpy(secured.mac, mac, 6);
        secured.has_ip = true;
        secured.ip = kIp11;
        ports.push_back(secured);

        lan_port open{};
        open.name = "vm1";
        open.object = 0x22222222;
        open.ofport = 4;
        ports.push_back(open);

        lan_neighbor n{};
        n.object = 0x11111111;
        memcpy(n.mac, mac, 6);
        n.ip = kIp11;
        neighbors.push_back(n);

        net.name = "net1";
        net.object = 0xabcdef01;
        net.segment_id = 7;
        net.gateway = kGw;
        const uint8_t gw_mac[6] = {0x02, 0x76, 0x6e, 0, 0, 7};
        memcpy(net.gateway_mac, gw_mac, 6);
        net.mac_limit = 100;
    }

    std::vector<std::string>
    generate()
    {
        net.ports = ports.data();
        net.n_ports = ports.size();
        net.neighbors = neighbors.data();
        net.n_neighbors = neighbors.size();
        char *error = nullptr;
        char *text = lan_flows_to_text(&net, 1, &error);
        EXPECT_EQ(error, nullptr) << error;
        std::string s = text ? text : "";
        free(text);
        free(error);
        return lines_of(s);
    }
};

TEST(LanFlows, PortSecurityForSecuredPort)
{
    auto lines = Lan().generate();
    // Only the endpoint's own MAC+IP, and ARP claiming them, enter network 7.
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=3",
                                     "dl_src=0a:00:00:00:00:11",
                                     "nw_src=10.5.0.11", "0x7->metadata",
                                     "goto_table:10"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=3",
                                     "arp", "arp_spa=10.5.0.11",
                                     "arp_sha=0a:00:00:00:00:11"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=90", "in_port=3",
                                     "actions=drop"}), 1u);
    // Cookie: ours (0x76), port security (2), the endpoint's object.
    EXPECT_EQ(count_matching(lines, {"in_port=3", "cookie=0x7602000011111111"}),
              3u);
}

TEST(LanFlows, UnsecuredPortIsLearnedWithCap)
{
    auto lines = Lan().generate();
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=4",
                                     "reg6", "0x7->metadata"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=20", "learn(table=30",
                                     "idle_timeout=300", "limit=100",
                                     "cookie=0x7606"}), 1u);
}

TEST(LanFlows, NoLearningWithoutUnsecuredPorts)
{
    Lan lan;
    lan.ports.pop_back();
    auto lines = lan.generate();
    EXPECT_EQ(count_matching(lines, {"learn("}), 0u);
}

TEST(LanFlows, ArpResponderAndGatewayPing)
{
    auto lines = Lan().generate();
    EXPECT_EQ(count_matching(lines, {"table=10", "arp_tpa=10.5.0.1",
                                     "arp_op=1",
                                     "02:76:6e:00:00:07->eth_src",
                                     "IN_PORT"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=10", "arp_tpa=10.5.0.11",
                                     "0a:00:00:00:00:11->arp_sha"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=10", "icmp", "nw_dst=10.5.0.1",
                                     "icmp_type=8", "IN_PORT"}), 1u);
}

TEST(LanFlows, L2StaticAndFloodWithinNetwork)
{
    auto lines = Lan().generate();
    EXPECT_EQ(count_matching(lines, {"table=30 priority=100", "metadata=0x7",
                                     "dl_dst=0a:00:00:00:00:11",
                                     "actions=output:3"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10", "metadata=0x7",
                                     "output:3", "output:4"}), 1u);
    for (const auto &l : lines) {
        EXPECT_EQ(l.find("NORMAL"), std::string::npos) << l;
    }
}

TEST(LanFlows, NetworkWithoutPortsHasOnlyDefaults)
{
    Lan lan;
    lan.ports.clear();
    auto lines = lan.generate();
    EXPECT_EQ(lines.size(), 4u);
    EXPECT_EQ(count_matching(lines, {"priority=0"}), 4u);
}

}  // namespace
