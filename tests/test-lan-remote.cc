// Unit tests: LAN flow generation (flows/lan.h) beyond one switch: remote
// switches and their tunnels, routing between a router's networks, and a
// network's physical LAN.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "openvswitch/ofp-errors.h"
#include "openvswitch/ofp-flow.h"
#include "openvswitch/ofp-protocol.h"
#include "openvswitch/ofpbuf.h"
#include "tests/lan-fixture.h"
#include "util.h"

namespace {

// Switch 'object' at 192.0.2.'octet', reached by 'ofport' (a relay tap if
// 'relay').
lan_remote
remote_switch(uint32_t object, uint8_t octet, int64_t ofport, bool relay)
{
    lan_remote r{};
    r.object = object;
    r.ip = (192u << 24) | (2u << 8) | octet;
    r.ofport = ofport;
    r.relay = relay;
    return r;
}

// Endpoint 'object' with MAC 0a:00:00:00:00:'last' on remote 'remote'.
lan_remote_port
remote_port(uint32_t object, uint8_t last, size_t remote)
{
    lan_remote_port rp{};
    rp.object = object;
    const uint8_t mac[6] = {0x0a, 0, 0, 0, 0, last};
    memcpy(rp.mac, mac, 6);
    rp.remote = remote;
    return rp;
}

// Two other switches host the network: 192.0.2.2 over VXLAN (port 9) and
// 192.0.2.3 through a relay tap (port 10).
Lan
with_remotes()
{
    Lan lan;
    lan.remotes.push_back(remote_switch(0x33333333, 2, 9, false));
    lan_remote relay = remote_switch(0x44444444, 3, 10, true);
    lan.remotes.push_back(relay);

    lan.remote_ports.push_back(remote_port(0x55555555, 0x31, 0));
    lan.remote_ports.push_back(remote_port(0x66666666, 0x41, 1));

    lan.tunnels.push_back({9, false, 0});
    lan.tunnels.push_back({10, true, relay.ip});
    return lan;
}

TEST(LanTunnels, RemotePortsPatchedAsAPassMakesThem)
{
    // A remote port added behind an existing remote and one taken away, by
    // a patch of their units alone: the same flows as a pass.
    Lan lan = with_remotes();
    flow_units *patched = flow_units_create();
    lan.pass(patched);

    lan_remote_port rp = remote_port(0x77777777, 0x51, 1);
    lan.bind();
    lan_neighbor_net nn;
    ASSERT_TRUE(lan_network_neighbor_net(&lan.net, &nn));
    bool tunnel_in = lan_network_tunnel_in(&lan.net);
    EXPECT_TRUE(tunnel_in);
    flow_units_begin_patch(patched);
    char *error = lan_flows_remote_port_unit(&nn, tunnel_in, &rp,
                                             &lan.remotes[1], patched);
    EXPECT_EQ(error, nullptr) << error;
    free(error);
    lan_flows_remote_port_drop(&nn, lan.remote_ports[0].object, patched);
    EXPECT_TRUE(flow_units_end(patched));

    lan.remote_ports.erase(lan.remote_ports.begin());
    lan.remote_ports.push_back(rp);
    flow_units *full = flow_units_create();
    lan.pass(full);
    std::string text = units_text(patched);
    EXPECT_EQ(text, units_text(full));
    EXPECT_NE(text.find("dl_dst=0a:00:00:00:00:51"), std::string::npos);
    EXPECT_EQ(text.find("dl_dst=0a:00:00:00:00:31"), std::string::npos);
    flow_units_destroy(full);
    flow_units_destroy(patched);
}

TEST(LanTunnels, RemotesFoundInAnyOrderMakeTheSameFlows)
{
    // A third switch over VXLAN; the network on a router, so that tunnel
    // sources count too.
    Lan a = with_remotes();
    lan_remote third = remote_switch(0x88888888, 1, 9, false);
    a.remotes.push_back(third);
    a.remote_ports.push_back(remote_port(0x99999999, 0x61, 2));
    a.net.use_sources = true;
    a.net.routed = true;
    a.sources = {(192u << 24) | (2u << 8) | 2, third.ip};

    // The same found in the other order: the remotes reversed, each remote
    // port's index with them, the sources reversed.
    Lan b = a;
    std::reverse(b.remotes.begin(), b.remotes.end());
    for (lan_remote_port &p : b.remote_ports) {
        p.remote = b.remotes.size() - 1 - p.remote;
    }
    std::reverse(b.sources.begin(), b.sources.end());
    ASSERT_NE(a.generate(), b.generate());   // (The order shows.)

    for (Lan *lan : {&a, &b}) {
        lan_remotes_sort(lan->remotes.data(), lan->remotes.size(),
                         lan->remote_ports.data(), lan->remote_ports.size());
        lan_ips_sort(lan->sources.data(), lan->sources.size());
    }
    auto lines = a.generate();
    EXPECT_EQ(lines, b.generate());
    EXPECT_EQ(a.remotes[0].ip, third.ip);
    // Each remote port still goes to its own switch.
    EXPECT_EQ(count_matching(lines, {"dl_dst=0a:00:00:00:00:61",
                                     "192.0.2.1->tun_dst"}), 1u);
    EXPECT_EQ(count_matching(lines, {"dl_dst=0a:00:00:00:00:31",
                                     "192.0.2.2->tun_dst"}), 1u);
    EXPECT_EQ(count_matching(lines, {"dl_dst=0a:00:00:00:00:41",
                                     "output:10"}), 1u);
}

TEST(LanTunnels, RelayTapBringsInOnlyNetworksOfItsPeer)
{
    // A third switch behind relay tap 11 hosts nothing of this network.
    Lan lan = with_remotes();
    const uint32_t other = (192u << 24) | (2u << 8) | 4;
    lan.tunnels.push_back({11, true, other});
    auto lines = lan.generate();
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=10",
                                     "dl_vlan=7"}), 1u);
    EXPECT_EQ(count_matching(lines, {"in_port=11"}), 0u);

    // Routed: what the router's switches may send, relay or not.
    lan.net.use_sources = true;
    lan.net.routed = true;
    lan.sources = {(192u << 24) | (2u << 8) | 2};
    lan.relay_sources = {other};
    lines = lan.generate();
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=11",
                                     "dl_vlan=7", "goto_table:20"}), 1u);
    EXPECT_EQ(count_matching(lines, {"in_port=10", "dl_vlan=7"}), 0u);
    EXPECT_EQ(count_matching(lines, {"in_port=9", "tun_src=192.0.2.2"}), 1u);
    EXPECT_EQ(count_matching(lines, {"in_port=9", "tun_src=192.0.2.4"}), 0u);
}

TEST(LanTunnels, RemoteEndpointsGoToTheirSwitch)
{
    auto lines = with_remotes().generate();
    EXPECT_EQ(count_matching(lines, {"table=30 priority=100",
                                     "dl_dst=0a:00:00:00:00:31",
                                     "0x7->tun_id", "192.0.2.2->tun_dst",
                                     "output:9"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=30 priority=100",
                                     "dl_dst=0a:00:00:00:00:41",
                                     "push_vlan:0x8100,set_field:4103->vlan_vid", "output:10"}), 1u);
}

TEST(LanTunnels, IngressByKeyOrVlanSkipsArpAndIsMarked)
{
    auto lines = with_remotes().generate();
    // Only from the switch that hosts the network, by its tunnel IP.
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=9",
                                     "tun_src=192.0.2.2", "tun_id=0x7",
                                     "0x7->metadata", "0x1->reg5",
                                     "goto_table:20"}), 1u);
    EXPECT_EQ(count_matching(lines, {"in_port=9", "tun_src=192.0.2.3"}), 0u);
    // Known remote endpoints are never learned.
    EXPECT_EQ(count_matching(lines, {"table=20 priority=110", "reg5=0x1",
                                     "dl_src=0a:00:00:00:00:31",
                                     "goto_table:30"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=10",
                                     "dl_vlan=7", "pop_vlan",
                                     "0x7->metadata", "goto_table:20"}), 1u);
    // Learning over VXLAN keeps the way back; none over the relay.
    EXPECT_EQ(count_matching(lines, {"table=20", "in_port=9", "learn(",
                                     "NXM_NX_TUN_IPV4_SRC[]->NXM_NX_TUN_IPV4_DST[]"}),
              1u);
    EXPECT_EQ(count_matching(lines, {"table=20", "in_port=10", "learn("}), 0u);
}

TEST(LanTunnels, FloodSplitHorizonAndRelayLast)
{
    auto lines = with_remotes().generate();
    // From another switch: local ports only.
    EXPECT_EQ(count_matching(lines, {"table=30 priority=11", "reg5=0x1",
                                     "actions=output:3,output:4"}), 1u);
    // From here: local ports, the VXLAN switch, then the relay (tagged).
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10",
                                     "output:3,output:4,set_field:0x7->tun_id,"
                                     "set_field:192.0.2.2->tun_dst,output:9,"
                                     "push_vlan:0x8100,set_field:4103->vlan_vid,output:10"}), 1u);
}

// The OpenFlow 1.5 flow_mod of a flow as flow_table_format() prints it.
size_t
flow_mod_size(const std::string &line)
{
    // The cookie, printed last, goes first (after "actions=" all is
    // actions).
    std::string text = line;
    size_t c = text.rfind(" cookie=");
    if (c != std::string::npos) {
        text = text.substr(c + 1) + " " + text.substr(0, c);
    }
    struct ofputil_flow_mod fm;
    enum ofputil_protocol usable;
    char *error = parse_ofp_flow_mod_str(&fm, text.c_str(), nullptr, nullptr,
                                         OFPFC_ADD, &usable);
    EXPECT_EQ(error, nullptr) << error << ": " << line.substr(0, 200);
    if (error) {
        free(error);
        return SIZE_MAX;
    }
    struct ofpbuf *msg = ofputil_encode_flow_mod(&fm, OFPUTIL_P_OF15_OXM);
    size_t size = msg->size;
    ofpbuf_delete(msg);
    minimatch_destroy(&fm.match);
    free(CONST_CAST(struct ofpact *, fm.ofpacts));
    return size;
}

TEST(LanTunnels, FloodOfThousandsOfPortsIsSplit)
{
    Lan lan = with_remotes();
    lan.ports.clear();
    lan.neighbors.clear();
    const size_t n = 5000;
    for (size_t i = 0; i < n; i++) {
        lan_port p{};
        p.name = "p";
        p.object = 0x70000000 + i;
        p.ofport = 100 + i;
        lan.ports.push_back(p);
    }
    auto lines = lan.generate();

    // Every flow fits in an OpenFlow message, with room for a bundle.
    for (const auto &l : lines) {
        EXPECT_LT(flow_mod_size(l), 65535u - 64) << l.substr(0, 200);
    }
    // Parts in the flood table, together every port once.
    std::vector<int> seen(n, 0);
    size_t n_parts = 0;
    for (const auto &l : lines) {
        if (l.find("table=31 ") != 0) {
            continue;
        }
        n_parts++;
        EXPECT_NE(l.find("metadata=0x7"), std::string::npos) << l;
        EXPECT_NE(l.find("reg7=0x" + std::to_string(n_parts)),
                  std::string::npos) << l.substr(0, 100);
        for (size_t pos = 0; (pos = l.find("output:", pos)) != std::string::npos;
             pos++) {
            long port = strtol(l.c_str() + pos + 7, nullptr, 10);
            ASSERT_GE(port, 100);
            ASSERT_LT(port, 100 + (long) n);
            seen[port - 100]++;
        }
    }
    EXPECT_EQ(n_parts, 5u);
    for (size_t i = 0; i < n; i++) {
        ASSERT_EQ(seen[i], 1) << "port " << 100 + i;
    }
    // Table 30 resubmits to each part, then (from here) the other switches.
    std::string parts;
    for (size_t i = 1; i <= n_parts; i++) {
        parts += (i > 1 ? "," : "") + std::string("set_field:0x")
                 + std::to_string(i) + "->reg7,resubmit(,31)";
    }
    EXPECT_EQ(count_matching(lines, {"table=30 priority=11", "reg5=0x1",
                                     "actions=" + parts + " "}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10",
                                     "actions=" + parts
                                     + ",set_field:0x7->tun_id"}), 1u);
}

TEST(LanTunnels, SegmentsBeyondVlanRangeSkipTheRelay)
{
    Lan lan = with_remotes();
    lan.net.segment_id = 5000;
    auto lines = lan.generate();
    EXPECT_EQ(count_matching(lines, {"push_vlan"}), 0u);
    EXPECT_EQ(count_matching(lines, {"output:9"}), 2u);
}

// net1 (segment 7) is on a router with net2 (10.6.0.0/16, segment 8).
TEST(LanRouting, RoutesToTheRoutersOtherNetworks)
{
    Lan lan;
    lan_route r{};
    r.object = 0x77777777;
    r.segment_id = 8;
    r.net = (10u << 24) | (6u << 16);
    r.plen = 16;
    const uint8_t gw2[6] = {0x02, 0x76, 0x6e, 0, 0, 8};
    memcpy(r.gateway_mac, gw2, 6);
    std::vector<lan_route> routes{r};
    lan.net.routes = routes.data();
    lan.net.n_routes = routes.size();
    lan.net.routed = true;
    auto lines = lan.generate();

    // IPv4 to our gateway's MAC is routed, not dropped.
    EXPECT_EQ(count_matching(lines, {"table=10 priority=60", "metadata=0x7",
                                     "dl_dst=02:76:6e:00:00:07",
                                     "goto_table:22"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=22 priority=116", "metadata=0x7",
                                     "nw_dst=10.6.0.0/16", "dec_ttl",
                                     "02:76:6e:00:00:08->eth_src",
                                     "0x8->metadata", "goto_table:24"}), 1u);
    // Packets routed into net1 find their endpoint's MAC.
    EXPECT_EQ(count_matching(lines, {"table=24", "metadata=0x7",
                                     "nw_dst=10.5.0.11",
                                     "0a:00:00:00:00:11->eth_dst",
                                     "goto_table:30"}), 1u);
}

TEST(LanRouting, RoutedOnlyNetworkGetsDeliveryOnly)
{
    // A network with no port here but on a router with one that has: only
    // neighbor entries and L2 towards its switches.
    Lan lan = with_remotes();
    lan.ports.clear();
    lan.net.routed = true;
    auto lines = lan.generate();
    EXPECT_EQ(count_matching(lines, {"table=24", "nw_dst=10.5.0.11"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=30 priority=100",
                                     "dl_dst=0a:00:00:00:00:31",
                                     "output:9"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=0 "}), 1u);   // Default only.
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10 "}), 0u);
}

}  // namespace

TEST(LanPhysnet, VlanIngressAndEgressNoGateway)
{
    Lan lan;
    lan.net.physnet = true;
    lan.net.physnet_ofport = 9;
    lan.net.vlan = 100;
    auto lines = lan.generate();
    // From the LAN: VLAN 100 into network 7, marked as from outside this
    // switch, past the ARP responder.
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=9",
                                     "dl_vlan=100", "pop_vlan",
                                     "0x7->metadata", "0x1->reg5",
                                     "goto_table:20",
                                     "cookie=0x760f0000abcdef01"}), 1u);
    // No gateway of ours.
    EXPECT_EQ(count_matching(lines, {"arp_tpa=10.5.0.1,"}), 0u);
    EXPECT_EQ(count_matching(lines, {"icmp_type=8"}), 0u);
    // Broadcast: local ports, then the LAN, tagged; from the LAN, local
    // ports only.
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10",
                                     "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
                                     "output:3,output:4,push_vlan:0x8100,"
                                     "set_field:4196->vlan_vid,output:9"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=30 priority=12", "reg5=0x1",
                                     "dl_dst=01:00:00:00:00:00/01:00:00:00:00:00",
                                     "actions=output:3,output:4"}), 1u);
    // Unknown unicast: to the port that learns and the LAN from here; to the
    // port that learns only, from the LAN.
    EXPECT_EQ(count_matching(lines, {"table=30 priority=9",
                                     "actions=output:4,push_vlan:0x8100,"
                                     "set_field:4196->vlan_vid,output:9"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=30 priority=11", "reg5=0x1",
                                     "actions=output:4"}), 1u);
    EXPECT_EQ(count_matching(lines, {"output:9"}), 2u);
}

TEST(LanPhysnet, UntaggedAndNotMappedHere)
{
    Lan lan;
    lan.net.physnet = true;
    lan.net.physnet_ofport = 9;
    auto lines = lan.generate();
    EXPECT_EQ(count_matching(lines, {"table=0 priority=100", "in_port=9",
                                     "vlan_tci=0x0000/0x1fff",
                                     "0x7->metadata"}), 1u);
    EXPECT_EQ(count_matching(lines, {"push_vlan"}), 0u);

    // Not mapped on this switch: its local ports only, still no gateway.
    lan.net.physnet_ofport = 0;
    lines = lan.generate();
    EXPECT_EQ(count_matching(lines, {"in_port=9"}), 0u);
    EXPECT_EQ(count_matching(lines, {"output:9"}), 0u);
    EXPECT_EQ(count_matching(lines, {"arp_tpa=10.5.0.1,"}), 0u);
    EXPECT_EQ(count_matching(lines, {"table=30 priority=10",
                                     "actions=output:3,output:4"}), 1u);
}
