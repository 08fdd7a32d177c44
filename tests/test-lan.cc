// Unit tests: LAN flow generation (flows/lan.h) on one switch: port
// security, ARP, learning, trunks, flooding, and patches that make what a
// pass makes.  Tunnels, routing and physical networks: test-lan-remote.cc.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>
#include <string>
#include <vector>

#include "tests/lan-fixture.h"

namespace {

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

TEST(LanFlows, NeighborsPatchedAsAPassMakesThem)
{
    // A neighbour added and one taken away by a patch of their units alone:
    // the same flows as a pass over the network as it is then.
    for (bool routed : {false, true}) {
        Lan lan;
        lan.net.routed = routed;
        flow_units *patched = flow_units_create();
        lan.pass(patched);

        lan_neighbor n{};
        n.object = 0x33333333;
        const uint8_t mac[6] = {0x0a, 0, 0, 0, 0, 0x33};
        memcpy(n.mac, mac, 6);
        n.ip = kIp11 + 22;
        lan.bind();
        lan_neighbor_net nn;
        ASSERT_TRUE(lan_network_neighbor_net(&lan.net, &nn));
        EXPECT_EQ(nn.routed, routed);
        flow_units_begin_patch(patched);
        char *error = lan_flows_neighbor_unit(&nn, &n, patched);
        EXPECT_EQ(error, nullptr) << error;
        free(error);
        lan_flows_neighbor_drop(&nn, lan.neighbors[0].object, patched);
        EXPECT_TRUE(flow_units_end(patched));

        lan.neighbors.clear();
        lan.neighbors.push_back(n);
        flow_units *full = flow_units_create();
        lan.pass(full);
        std::string text = units_text(patched);
        EXPECT_EQ(text, units_text(full));
        EXPECT_NE(text.find("arp_tpa=10.5.0.33"), std::string::npos);
        EXPECT_EQ(text.find("arp_tpa=10.5.0.11"), std::string::npos);

        expect_next_pass_changes_nothing(lan, patched);
        flow_units_destroy(full);
        flow_units_destroy(patched);
    }
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

// Two endpoints behind one trunk (port 9) beside the two ports of one
// endpoint each.
Lan
with_trunk()
{
    Lan lan;
    for (int i = 0; i < 2; i++) {
        lan_port p{};
        p.name = i ? "t2" : "t1";
        p.object = 0x33333333 + i;
        p.ofport = 9;
        p.trunk = true;
        p.has_mac = true;
        const uint8_t mac[6] = {0x0a, 0, 0, 0, 0, uint8_t(0x21 + i)};
        memcpy(p.mac, mac, 6);
        p.has_ip = true;
        p.ip = kIp11 + 10 + i;
        lan.ports.push_back(p);
    }
    return lan;
}

TEST(LanFlows, TrunkEndpointsAreToldApartByMac)
{
    auto lines = with_trunk().generate();
    // Each enters by the trunk with its own MAC and IP; what else it sends
    // is dropped per MAC, and what comes up the trunk from no endpoint's
    // MAC is dropped once.
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=9",
                                     "dl_src=0a:00:00:00:00:21",
                                     "nw_src=10.5.0.21", "0x7->metadata"}),
              1u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=9",
                                     "dl_src=0a:00:00:00:00:22", "arp",
                                     "arp_spa=10.5.0.22"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=90", "in_port=9",
                                     "dl_src=0a:00:00:00:00:22",
                                     "actions=drop"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=90", "in_port=9"}),
              2u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=80", "in_port=9",
                                     "actions=drop"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=80"}), 1u);
    // To one of them: out of the trunk even when it came in by it.
    EXPECT_EQ(count_matching(lines, {"table=30 priority=100",
                                     "dl_dst=0a:00:00:00:00:22",
                                     "actions=set_field:0->in_port,"
                                     "output:9"}), 1u);
    // Flooded: each port once, the trunk once and last.
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10", "metadata=0x7",
                                     "actions=output:3,output:4,"
                                     "set_field:0->in_port,output:9"}),
              1u);
    EXPECT_EQ(count_matching(lines, {"output:9,"}), 0u);
}

TEST(LanFlows, TrunkPortsPatchedAsAPassMakesThem)
{
    // An endpoint behind a trunk that carries others comes, and another
    // goes, by a patch of their port's and neighbour's units alone: the
    // same flows as a pass over the network as it is then.
    Lan lan = with_trunk();
    flow_units *patched = flow_units_create();
    lan.pass(patched);

    lan_port p = lan.ports.back();
    p.name = "t3";
    p.object = 0x44444444;
    p.mac[5] = 0x23;
    p.ip = kIp11 + 12;
    lan_neighbor n = neighbor_of(p);
    const lan_port gone = lan.ports[2];     // t1
    lan.bind();
    lan_neighbor_net nn;
    ASSERT_TRUE(lan_network_neighbor_net(&lan.net, &nn));
    flow_units_begin_patch(patched);
    char *error = lan_flows_port_unit(&nn, &p, patched);
    EXPECT_EQ(error, nullptr) << error;
    free(error);
    error = lan_flows_neighbor_unit(&nn, &n, patched);
    EXPECT_EQ(error, nullptr) << error;
    free(error);
    lan_flows_port_drop(&nn, gone.object, patched);
    EXPECT_TRUE(flow_units_end(patched));

    lan.ports.erase(lan.ports.begin() + 2);
    lan.ports.push_back(p);
    lan.neighbors.push_back(n);
    flow_units *full = flow_units_create();
    lan.pass(full);
    std::string text = units_text(patched);
    EXPECT_EQ(text, units_text(full));
    EXPECT_NE(text.find("dl_src=0a:00:00:00:00:23"), std::string::npos);
    EXPECT_EQ(text.find("dl_src=0a:00:00:00:00:21"), std::string::npos);

    expect_next_pass_changes_nothing(lan, patched);
    flow_units_destroy(full);
    flow_units_destroy(patched);
}

TEST(LanFlows, PortJoiningPatchedAsAPassMakesIt)
{
    // A port of one endpoint joins a network that has ports here (and a
    // remote switch): its port's, neighbour's and the flood's units alone,
    // the flood made again from what was kept of the network; the same
    // flows as a pass over the network as it is then.
    Lan lan;
    lan_remote r{};
    r.object = 0x55555555;
    r.ip = (192u << 24) | (168u << 16) | (50u << 8) | 2;
    r.ofport = 9;
    lan.remotes.push_back(r);
    flow_units *patched = flow_units_create();
    lan.pass(patched);
    lan.bind();
    lan_flood_net *fn = lan_flood_net_create(&lan.net);
    ASSERT_NE(fn, nullptr);

    lan_port p = lan.ports.front();
    p.name = "ep2";
    p.object = 0x33333333;
    p.ofport = 2;               // Before the others: the set stays ordered.
    p.mac[5] = 0x12;
    p.ip = kIp11 + 1;
    lan_neighbor n = neighbor_of(p);
    lan_neighbor_net nn;
    ASSERT_TRUE(lan_network_neighbor_net(&lan.net, &nn));
    flow_units_begin_patch(patched);
    for (char *error : {lan_flows_port_unit(&nn, &p, patched),
                        lan_flows_neighbor_unit(&nn, &n, patched)}) {
        EXPECT_EQ(error, nullptr) << error;
        free(error);
    }
    lan_flood_net_add_port(fn, &p);
    char *error = lan_flows_flood_unit(fn, patched);
    EXPECT_EQ(error, nullptr) << error;
    free(error);
    EXPECT_TRUE(flow_units_end(patched));

    lan.ports.push_back(p);
    lan.neighbors.push_back(n);
    flow_units *full = flow_units_create();
    lan.pass(full);
    std::string text = units_text(patched);
    EXPECT_EQ(text, units_text(full));
    EXPECT_NE(text.find("output:2,output:3,output:4"), std::string::npos)
        << text;

    expect_next_pass_changes_nothing(lan, patched);
    lan_flood_net_destroy(fn);
    flow_units_destroy(full);
    flow_units_destroy(patched);
}

TEST(LanFlows, PortLeavingPatchedAsAPassMakesIt)
{
    // A port of one endpoint leaves a network that keeps other ports here
    // (and a learning one): its port's and neighbour's units dropped, the
    // flood made again from what was kept; the same flows as a pass over
    // the network without it.
    Lan lan;
    lan_port p = lan.ports.front();
    p.name = "ep2";
    p.object = 0x33333333;
    p.ofport = 2;
    p.mac[5] = 0x12;
    p.ip = kIp11 + 1;
    lan_port vm2 = lan.ports[1];
    vm2.name = "vm2";
    vm2.object = 0x44444444;
    vm2.ofport = 5;
    lan.ports.push_back(vm2);
    lan.ports.push_back(p);
    lan.neighbors.push_back(neighbor_of(p));
    flow_units *patched = flow_units_create();
    lan.pass(patched);
    lan_flood_net *fn = lan_flood_net_create(&lan.net);
    ASSERT_NE(fn, nullptr);
    lan_neighbor_net nn;
    ASSERT_TRUE(lan_network_neighbor_net(&lan.net, &nn));
    flow_units_take_dirty(patched, ignore_flow, nullptr);

    flow_units_begin_patch(patched);
    lan_flows_port_drop(&nn, p.object, patched);
    lan_flows_neighbor_drop(&nn, p.object, patched);
    lan_flood_net_remove_port(fn, &p);
    char *error = lan_flows_flood_unit(fn, patched);
    EXPECT_EQ(error, nullptr) << error;
    free(error);
    EXPECT_TRUE(flow_units_end(patched));

    lan.ports.pop_back();
    lan.neighbors.pop_back();
    flow_units *full = flow_units_create();
    lan.pass(full);
    std::string text = units_text(patched);
    EXPECT_EQ(text, units_text(full));
    EXPECT_EQ(text.find("output:2"), std::string::npos) << text;
    EXPECT_NE(text.find("output:3,output:4,output:5"), std::string::npos)
        << text;

    // A learning port leaves too (another stays): it is out of the flood's
    // learners.
    flow_units_begin_patch(patched);
    lan_flows_port_drop(&nn, vm2.object, patched);
    lan_flood_net_remove_port(fn, &vm2);
    error = lan_flows_flood_unit(fn, patched);
    EXPECT_EQ(error, nullptr) << error;
    free(error);
    EXPECT_TRUE(flow_units_end(patched));
    lan.ports.pop_back();
    flow_units *full2 = flow_units_create();
    lan.pass(full2);
    EXPECT_EQ(units_text(patched), units_text(full2));

    expect_next_pass_changes_nothing(lan, patched);
    lan_flood_net_destroy(fn);
    flow_units_destroy(full);
    flow_units_destroy(full2);
    flow_units_destroy(patched);
}

TEST(LanFlows, FloodFollowsThePortsAsASet)
{
    // A third endpoint behind the trunk, and the ports found in another
    // order: the network floods to the same ports, and its flooding unit is
    // not made again; a new port of its own is flooded to, in order.
    Lan lan = with_trunk();
    flow_units *units = flow_units_create();
    lan.pass(units);
    flow_units_stats before;
    flow_units_get_stats(units, &before);
    std::string text = units_text(units);

    lan_port t3 = lan.ports[2];
    t3.name = "t3";
    t3.object = 0x33333335;
    t3.mac[5] = 0x23;
    t3.ip = kIp11 + 12;
    lan.ports.push_back(t3);
    std::reverse(lan.ports.begin(), lan.ports.end());
    lan.pass(units);
    flow_units_stats after;
    flow_units_get_stats(units, &after);
    EXPECT_EQ(after.n_units, before.n_units + 1);
    EXPECT_EQ(after.n_generated, 1u);   // t3's port unit alone.
    auto lines = lines_of(units_text(units));
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10", "metadata=0x7",
                                     "actions=output:3,output:4,"
                                     "set_field:0->in_port,output:9"}),
              1u);

    lan_port p5 = lan.ports[0];
    p5.name = "vm5";
    p5.object = 0x44444444;
    p5.ofport = 2;
    p5.trunk = false;
    p5.has_mac = false;
    p5.has_ip = false;
    lan.ports.push_back(p5);
    lan.pass(units);
    lines = lines_of(units_text(units));
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10", "metadata=0x7",
                                     "actions=output:2,output:3,output:4,"
                                     "set_field:0->in_port,output:9"}),
              1u);
    flow_units_destroy(units);
}

TEST(LanFlows, TrunkEndpointWithoutMacIsAnError)
{
    Lan lan = with_trunk();
    lan.ports.back().has_mac = false;
    lan.net.ports = lan.ports.data();
    lan.net.n_ports = lan.ports.size();
    char *error = nullptr;
    char *text = lan_flows_to_text(&lan.net, 1, nullptr, 0, &error);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error).find("t2"), std::string::npos) << error;
    free(error);
    free(text);
}

TEST(LanFlows, NetworkWithoutPortsHasOnlyDefaults)
{
    Lan lan;
    lan.ports.clear();
    auto lines = lan.generate();
    EXPECT_EQ(lines.size(), 12u);  // One default per table.
    EXPECT_EQ(count_matching(lines, {"priority=0"}), 12u);
}

}  // namespace
