// Unit tests: router uplink and NAT flows (flows/router.h), and the NAT rule
// checks they are made from (ovsdb/nat.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include "flows/flow-table.h"
#include "flows/router.h"
#include "ovsdb/nat.h"
#include "tests/flow-lines.h"
#include "tests/flow-round-trip.h"

namespace {

uint32_t
ip(int a, int b, int c, int d)
{
    return (uint32_t(a) << 24) | (uint32_t(b) << 16) | (uint32_t(c) << 8) | d;
}

struct Router {
    std::vector<lan_router_net> nets;
    std::vector<lan_nat> nats;
    std::vector<uint32_t> sources{ip(192, 0, 2, 2)};
    std::vector<lan_tunnel_port> tunnels{{9, false, 0}};
    lan_router r{};

    Router()
    {
        lan_router_net red{};
        red.segment_id = 1;
        red.net = ip(10, 5, 0, 0);
        red.plen = 16;
        const uint8_t gw[6] = {0x02, 0x76, 0x6e, 0, 0, 1};
        memcpy(red.gateway_mac, gw, 6);
        nets.push_back(red);

        r.name = "rt1";
        r.object = 0x0000abcd;
        r.segment_id = 4;
        r.zone = 2;
        const uint8_t mac[6] = {0x02, 0x76, 0x6e, 0, 0, 4};
        memcpy(r.mac, mac, 6);
        r.uplink.ip = ip(203, 0, 113, 2);
        r.uplink.plen = 24;
        r.uplink.nexthop = ip(203, 0, 113, 1);
        r.here = true;
        r.ofport = 3;
    }

    void
    add_nat(const char *type, const char *ext, const char *logical,
            const char *proto, int ext_port, int log_port, uint32_t object)
    {
        lan_nat n{};
        char *error = vnet_nat_parse(type, ext, logical, proto, ext_port,
                                     log_port, &n.nat);
        ASSERT_EQ(error, nullptr) << error;
        if (!n.nat.has_external) {
            n.nat.has_external = true;
            n.nat.external = r.uplink.ip;
        }
        n.object = object;
        nats.push_back(n);
    }

    std::vector<std::string>
    generate()
    {
        r.nets = nets.data();
        r.n_nets = nets.size();
        r.nats = nats.data();
        r.n_nats = nats.size();
        r.sources = sources.data();
        r.n_sources = sources.size();
        flow_table t;
        flow_table_init(&t);
        char *error = router_flows_generate(&r, 1, tunnels.data(),
                                            tunnels.size(), &t);
        EXPECT_EQ(error, nullptr) << error;
        free(error);
        expect_flows_come_back_unchanged(&t);
        char *text = flow_table_format(&t);
        flow_table_destroy(&t);
        std::string s = text;
        free(text);
        return lines_of(s);
    }
};

TEST(RouterFlows, UplinkAnswersArpAndLearnsTheNextHop)
{
    Router rt;
    auto lines = rt.generate();
    EXPECT_EQ(count_matching(lines, {"table=0 ", "in_port=3", "arp",
                                     "goto_table:45"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=45 ", "arp_tpa=203.0.113.2",
                                     "set_field:02:76:6e:00:00:04->arp_sha",
                                     "IN_PORT"}), 3u);
    EXPECT_EQ(count_matching(lines, {"table=45 ", "arp_spa=203.0.113.1",
                                     "learn(table=44", "priority=10"}), 2u);
    // From outside: TTL, the router's segment, marked as outside.
    EXPECT_EQ(count_matching(lines, {"table=0 ", "in_port=3", "ip",
                                     "dec_ttl", "set_field:0x1->reg4"}), 1u);
}

TEST(RouterFlows, WithoutRulesNoConntrack)
{
    Router rt;
    auto lines = rt.generate();
    EXPECT_EQ(count_matching(lines, {"ct("}), 0u);
    EXPECT_EQ(count_matching(lines, {"table=40 ", "goto_table:43"}), 1u);
    // Into red, or out through the next hop's learned MAC.
    EXPECT_EQ(count_matching(lines, {"table=43 ", "nw_dst=10.5.0.0/16",
                                     "set_field:0x1->metadata",
                                     "resubmit(,24)"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=43 ", "priority=10 ",
                                     "set_field:02:76:6e:00:00:04->eth_src",
                                     "goto_table:44"}), 1u);
}

TEST(RouterFlows, SnatCommitsInTheRoutersZone)
{
    Router rt;
    rt.add_nat("snat", nullptr, "10.5.0.0/16", nullptr, 0, 0, 0x51);
    auto lines = rt.generate();
    EXPECT_EQ(count_matching(lines, {"table=40 ", "ct(table=42,zone=2,nat)"}),
              1u);
    EXPECT_EQ(count_matching(lines, {"table=42 ", "ct_state=+new+trk",
                                     "nw_src=10.5.0.0/16",
                                     "nat(src=203.0.113.2)",
                                     "cookie=0x760d000000000051"}), 1u);
    // Nothing opens from outside without a dnat or fip rule.
    EXPECT_EQ(count_matching(lines, {"table=42 ", "reg4=0x1",
                                     "actions=drop"}), 1u);
    // snat addresses are no hairpin target.
    EXPECT_EQ(count_matching(lines, {"zone=3"}), 0u);
}

TEST(RouterFlows, DnatAndFipWithHairpin)
{
    Router rt;
    rt.add_nat("dnat", nullptr, "10.5.0.12", "tcp", 8765, 80, 0xd1);
    rt.add_nat("fip", "203.0.113.10", "10.5.0.13", nullptr, 0, 0, 0xf1);
    auto lines = rt.generate();
    EXPECT_EQ(count_matching(lines, {"table=42 ", "tcp", "nw_dst=203.0.113.2",
                                     "tp_dst=8765",
                                     "nat(dst=10.5.0.12:80)"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=42 ", "nw_dst=203.0.113.10",
                                     "nat(dst=10.5.0.13)"}), 1u);
    EXPECT_EQ(count_matching(lines, {"table=42 ", "nw_src=10.5.0.13",
                                     "nat(src=203.0.113.10)"}), 1u);
    // Inside to either address: the hairpin zone first, then a source NAT
    // there so that replies come back through the router.
    EXPECT_EQ(count_matching(lines, {"table=40 ", "reg4=0",
                                     "ct(table=41,zone=3,nat)"}), 2u);
    EXPECT_EQ(count_matching(lines, {"table=43 ", "+dnat", "-rpl",
                                     "ct(commit,table=43,zone=3,nat(src="}), 2u);
    // ARP is answered for the floating IP too.
    EXPECT_EQ(count_matching(lines, {"table=45 ", "arp_tpa=203.0.113.10"}),
              3u);
}

TEST(RouterFlows, UplinkOnAnotherSwitchIsReachedByTunnel)
{
    Router rt;
    rt.r.here = false;
    rt.r.ofport = 0;
    rt.r.remote.ip = ip(192, 0, 2, 1);
    rt.r.remote.ofport = 9;
    rt.add_nat("snat", nullptr, "10.5.0.0/16", nullptr, 0, 0, 0x51);
    auto lines = rt.generate();
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(count_matching(lines, {"table=40 ", "metadata=0x4",
                                     "set_field:0x4->tun_id",
                                     "set_field:192.0.2.1->tun_dst",
                                     "output:9"}), 1u);
}

TEST(NatRules, ParseAndCheck)
{
    vnet_nat n;
    char *e = vnet_nat_parse("dnat", nullptr, "10.5.0.12", "tcp", 8765, 0, &n);
    ASSERT_EQ(e, nullptr);
    EXPECT_EQ(n.logical_port, 8765);    // Same port unless given.
    EXPECT_FALSE(n.has_external);

    const struct {
        const char *type, *ext, *logical, *proto;
        int ext_port, log_port;
        const char *error;
    } bad[] = {
        {"masq", nullptr, "10.0.0.0/8", nullptr, 0, 0, "unknown NAT type"},
        {"fip", nullptr, "10.5.0.3", nullptr, 0, 0, "needs its own external"},
        {"snat", nullptr, "10.5.0.1/16", nullptr, 0, 0, "host bits"},
        {"dnat", nullptr, "10.5.0.3", "icmp", 1, 0, "tcp or udp"},
        {"dnat", nullptr, "10.5.0.3", "udp", 0, 0, "not 1 to 65535"},
        {"snat", nullptr, "10.5.0.0/16", "tcp", 0, 0, "no protocol"},
        {"snat", "203.0.113", "10.5.0.0/16", nullptr, 0, 0, "external IP"},
    };
    for (const auto &b : bad) {
        char *error = vnet_nat_parse(b.type, b.ext, b.logical, b.proto,
                                     b.ext_port, b.log_port, &n);
        ASSERT_NE(error, nullptr) << b.type << " " << b.logical;
        EXPECT_NE(strstr(error, b.error), nullptr) << error;
        free(error);
    }
}

TEST(NatRules, SameRuleIsWhatNatDelNames)
{
    vnet_nat a, b;
    const uint32_t uplink = ip(203, 0, 113, 2);
    ASSERT_EQ(vnet_nat_parse("dnat", nullptr, "10.5.0.12", "tcp", 80, 0, &a),
              nullptr);
    ASSERT_EQ(vnet_nat_parse("dnat", "203.0.113.2", "0.0.0.0", "tcp", 80, 0,
                             &b), nullptr);
    EXPECT_TRUE(vnet_nat_same_rule(&a, &b, uplink));
    ASSERT_EQ(vnet_nat_parse("dnat", nullptr, "10.5.0.12", "udp", 80, 0, &b),
              nullptr);
    EXPECT_FALSE(vnet_nat_same_rule(&a, &b, uplink));
}

TEST(Uplink, ParseAndCheck)
{
    vnet_uplink up;
    char *e = vnet_uplink_parse("203.0.113.2/24", "203.0.113.1", &up);
    ASSERT_EQ(e, nullptr);
    EXPECT_EQ(up.plen, 24);
    e = vnet_uplink_parse("203.0.113.2/24", "198.51.100.1", &up);
    ASSERT_NE(e, nullptr);
    EXPECT_NE(strstr(e, "not on the uplink's network"), nullptr) << e;
    free(e);
    e = vnet_uplink_parse("203.0.113.2/24", "203.0.113.2", &up);
    ASSERT_NE(e, nullptr);
    free(e);
    e = vnet_uplink_parse("203.0.113.2", "203.0.113.1", &up);
    ASSERT_NE(e, nullptr);
    EXPECT_NE(strstr(e, "prefix length"), nullptr) << e;
    free(e);
}

}  // namespace
