// Unit tests: addresses (ovsdb/addr.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "ovsdb/addr.h"
#include "tests/take-string.h"

namespace {

uint32_t
ip(const char *s)
{
    uint32_t value = 0;
    EXPECT_EQ(take(vnet_ip_parse(s, &value)), "") << s;
    return value;
}

TEST(IpCheckHost, Table)
{
    struct vnet_cidr cidr;
    ASSERT_EQ(take(vnet_cidr_parse("10.5.0.0/16", &cidr)), "");
    uint32_t gateway = ip("10.5.0.1");
    static const struct {
        const char *ip;
        const char *error;
    } cases[] = {
        { "10.5.0.11", "" },
        { "10.5.255.254", "" },
        { "10.6.0.1", "endpoint IP 10.6.0.1 is outside 10.5.0.0/16" },
        { "10.5.0.0", "endpoint IP 10.5.0.0 is the network address of "
                      "10.5.0.0/16" },
        { "10.5.255.255", "endpoint IP 10.5.255.255 is the broadcast address "
                          "of 10.5.0.0/16" },
        { "10.5.0.1", "endpoint IP 10.5.0.1 is the network's gateway" },
    };
    for (const auto &c : cases) {
        EXPECT_EQ(take(vnet_ip_check_host("endpoint IP", ip(c.ip), &cidr,
                                          gateway)),
                  c.error) << c.ip;
    }
    // Without a gateway, its address is a host like any other.
    EXPECT_EQ(take(vnet_ip_check_host("IP", gateway, &cidr, 0)), "");
}

}  // namespace
