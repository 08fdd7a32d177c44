// Unit tests: reading what ovs-vswitchd says of its tunnel IP
// (controller/tunnels.h).
#include <gtest/gtest.h>

#include "controller/tunnels.h"

namespace {

const char *show =
    "Listening ports:\n"
    "genev_sys_6081 (4) : eth(dst=0e:76:c0:a8:32:01),eth_type(0x86dd),"
    "ipv6(dst=fe80::c76:c0ff:fea8:3201,proto=17,frag=no),udp(dst=6081)\n"
    "genev_sys_6081 (4) : eth(dst=0e:76:c0:a8:32:01),eth_type(0x0800),"
    "ipv4(dst=192.168.50.1,proto=17,frag=no),udp(dst=6081)\n"
    "vxlan_sys_4789 (5) : eth(dst=0e:76:c0:a8:32:01),eth_type(0x0800),"
    "ipv4(dst=192.168.50.12,proto=17,frag=no),udp(dst=4789)";

const uint32_t ip1 = 0xc0a83201;        // 192.168.50.1
const uint32_t ip12 = 0xc0a8320c;       // 192.168.50.12

TEST(TunnelCheck, PortsShowTakesTheIpOnItsPort)
{
    EXPECT_TRUE(tunnel_ports_show_takes(show, ip1, 6081));
    EXPECT_TRUE(tunnel_ports_show_takes(show, ip12, 4789));
    // Another port of the same IP, or a prefix of another IP: no.
    EXPECT_FALSE(tunnel_ports_show_takes(show, ip1, 4789));
    EXPECT_FALSE(tunnel_ports_show_takes(show, 0xc0a83202, 6081));
    EXPECT_FALSE(tunnel_ports_show_takes("Listening ports:\n", ip1, 6081));
    EXPECT_FALSE(tunnel_ports_show_takes("", ip1, 6081));
}

TEST(TunnelCheck, RouteLookupGoesOutOfTheBridge)
{
    EXPECT_TRUE(tunnel_route_lookup_is_through(
                    "src 192.168.50.1\ngateway ::\ndev br-phy\n", "br-phy"));
    EXPECT_TRUE(tunnel_route_lookup_is_through(
                    "src 192.168.50.1\ngateway ::\ndev br-phy", "br-phy"));
    // Still the interface the IP was moved from, or another bridge.
    EXPECT_FALSE(tunnel_route_lookup_is_through(
                     "src 192.168.50.1\ngateway ::\ndev ul0\n", "br-phy"));
    EXPECT_FALSE(tunnel_route_lookup_is_through(
                     "src 192.168.50.1\ngateway ::\ndev br-phy2\n", "br-phy"));
    EXPECT_FALSE(tunnel_route_lookup_is_through("Not found\n", "br-phy"));
}

}  // namespace
