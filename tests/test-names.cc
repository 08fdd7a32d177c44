// Unit tests: names and validation (ovsdb/names.h, ovsdb/validate.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "ovsdb/names.h"
#include "ovsdb/validate.h"
#include "tests/take-string.h"

namespace {

TEST(NameCheck, Table)
{
    const struct {
        const char *name;
        bool ok;
    } cases[] = {
        {"sw1", true}, {"host-1.lab", true}, {"A_b", true}, {"0", true},
        {"", false}, {"-sw", false}, {".sw", false}, {"sw 1", false},
        {"sw/1", false}, {"sw:1", false},
        {"a23456789012345678901234567890123456789012345678901234567890123",
         true},
        {"a234567890123456789012345678901234567890123456789012345678901234",
         false},
    };
    for (const auto &c : cases) {
        char *error = vnet_name_check("switch", c.name);
        EXPECT_EQ(error == nullptr, c.ok) << '"' << c.name << "\": "
                                          << (error ? error : "");
        if (error) {
            EXPECT_NE(std::string(error).find("switch name"), std::string::npos);
        }
        free(error);
    }
}

TEST(IfnameCheck, LinuxRules)
{
    const struct {
        const char *name;
        bool ok;
    } cases[] = {
        {"br-vnet", true}, {"br-int", true}, {"a", true},
        {"123456789012345", true}, {"1234567890123456", false},
        {"", false}, {".", false}, {"..", false}, {"br/x", false},
        {"br:0", false}, {"br x", false}, {"br\tx", false},
    };
    for (const auto &c : cases) {
        char *error = vnet_ifname_check(c.name);
        EXPECT_EQ(error == nullptr, c.ok) << '"' << c.name << '"';
        free(error);
    }
}

TEST(SwitchDefaultName, Table)
{
    const struct {
        const char *system_id;
        const char *hostname;
        const char *expected;       // nullptr: no name
    } cases[] = {
        {"host1", "ignored", "host1"},
        {"Host_One", nullptr, "host_one"},
        {"chassis 7", nullptr, "chassis-7"},
        {"6a0b45e2-1d5e-4a0a-9e2b-3c1f00d2a9b1", "compute-3.example.org",
         "compute-3"},
        {"6a0b45e2-1d5e-4a0a-9e2b-3c1f00d2a9b1", nullptr, "sw-6a0b45e2"},
        {"6a0b45e2-1d5e-4a0a-9e2b-3c1f00d2a9b1", "", "sw-6a0b45e2"},
        {nullptr, "lab.local", "lab"},
        {"", "", nullptr},
        {nullptr, nullptr, nullptr},
        {"---", nullptr, nullptr},
    };
    for (const auto &c : cases) {
        char *name = vnet_switch_default_name(c.system_id, c.hostname);
        if (c.expected) {
            EXPECT_STREQ(name, c.expected);
            if (name) {
                EXPECT_EQ(take(vnet_name_check("switch", name)), "");
            }
        } else {
            EXPECT_EQ(name, nullptr) << name;
        }
        free(name);
    }
}

TEST(OfSocketPath, InsideRundir)
{
    EXPECT_EQ(take(vnet_of_socket_path("/var/run/openvswitch", "br-vnet",
                                       false)),
              "/var/run/openvswitch/br-vnet.vnetd");
    EXPECT_EQ(take(vnet_of_socket_path("/var/run/openvswitch", "br-vnet",
                                       true)),
              "/var/run/openvswitch/br-vnet.vnetd.1");
}

TEST(SwitchCheck, FirstProblemReported)
{
    EXPECT_EQ(take(vnet_switch_check("sw1", "tcp:127.0.0.1:6640", "br-vnet")),
              "");
    EXPECT_NE(take(vnet_switch_check("bad name", "tcp:127.0.0.1", "br-vnet"))
              .find("switch name"), std::string::npos);
    EXPECT_NE(take(vnet_switch_check("sw1", "tcp:nowhere", "br-vnet"))
              .find("not an IPv4 address"), std::string::npos);
    EXPECT_NE(take(vnet_switch_check("sw1", "unix:/x", "br-with-a-long-name"))
              .find("bridge name"), std::string::npos);
    EXPECT_EQ(take(vnet_switch_check("sw1", "unix:/x", "br-phy")),
              "bridge name: br-phy is the underlay bridge's");
}

TEST(UplinkIfaceCheck, NoneOfTheSwitchsOwnPorts)
{
    EXPECT_EQ(take(vnet_uplink_iface_check("up0", "br-vnet", "eth1")), "");
    EXPECT_EQ(take(vnet_uplink_iface_check("eth0", "br-vnet", NULL)), "");
    /* Close to ovs-vnet's own names, but not one of them. */
    EXPECT_EQ(take(vnet_uplink_iface_check("vnet0", "br-vnet", NULL)), "");
    EXPECT_EQ(take(vnet_uplink_iface_check("vnet1234abcg", "br-vnet", NULL)),
              "");
    EXPECT_EQ(take(vnet_uplink_iface_check("br-vnet", "br-vnet", NULL)),
              "br-vnet is the switch's bridge");
    EXPECT_EQ(take(vnet_uplink_iface_check("br-int", "br-int", NULL)),
              "br-int is the switch's bridge");
    EXPECT_EQ(take(vnet_uplink_iface_check("br-phy", "br-vnet", NULL)),
              "br-phy is the switch's underlay bridge");
    EXPECT_EQ(take(vnet_uplink_iface_check("eth1", "br-vnet", "eth1")),
              "eth1 is the switch's underlay interface");
    for (const char *own : {"vnet_vxlan", "vnet_geneve", "vnet4818078b",
                            "vnuABCDEF01"}) {
        EXPECT_EQ(take(vnet_uplink_iface_check(own, "br-vnet", NULL)),
                  std::string(own) + " is a name ovs-vnet gives its own ports");
    }
    EXPECT_NE(take(vnet_uplink_iface_check("a/b", "br-vnet", NULL)), "");
}

TEST(DatapathResolve, AutoFollowsKernelModule)
{
    EXPECT_STREQ(vnet_datapath_resolve("auto", 0), "netdev");
    EXPECT_STREQ(vnet_datapath_resolve("auto", 1), "system");
    EXPECT_STREQ(vnet_datapath_resolve("", 1), "system");
    EXPECT_STREQ(vnet_datapath_resolve(nullptr, 0), "netdev");
    EXPECT_STREQ(vnet_datapath_resolve("netdev", 1), "netdev");
    EXPECT_STREQ(vnet_datapath_resolve("system", 0), "system");
}

TEST(NetworkEndpointType, NamespaceKindsOnly)
{
    for (const char *kind : {"netns", "trunk", "internal"}) {
        EXPECT_TRUE(vnet_network_endpoint_type_is_valid(kind)) << kind;
    }
    /* A tap has no namespace, an external endpoint no switch; "veth" is the
     * command line's name, the NB's is "netns". */
    for (const char *kind : {"", "tap", "external", "veth", "Trunk"}) {
        EXPECT_FALSE(vnet_network_endpoint_type_is_valid(kind)) << kind;
    }
}

}  // namespace
