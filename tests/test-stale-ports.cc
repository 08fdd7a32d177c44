// Unit tests: the ports a reconcile removed, whose devices go a while after
// (controller/stale-ports.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>

#include "controller/attach.h"
#include "controller/stale-ports.h"
#include "controller/switch-db.h"
#include "ovsdb/names.h"
#include "sset.h"
#include "util.h"

namespace {

struct switch_db_stale
port(const char *ifname, const char *iface_id, const char *netns,
     bool tap = false, bool trunk = false)
{
    struct switch_db_stale st{};
    st.ifname = xstrdup(ifname);
    st.iface_id = iface_id ? xstrdup(iface_id) : nullptr;
    st.netns = netns ? xstrdup(netns) : nullptr;
    st.tap = tap;
    st.trunk = trunk;
    return st;
}

std::string
in_use(const struct stale_ports *sp, long long int now)
{
    struct sset names;
    sset_init(&names);
    stale_ports_in_use(sp, now, &names);
    std::string s;
    const char **sorted = sset_sort(&names);
    for (size_t i = 0; i < sset_count(&names); i++) {
        s += std::string(s.empty() ? "" : " ") + sorted[i];
    }
    free(sorted);
    sset_destroy(&names);
    return s;
}

// ovs-vswitchd says it has reconfigured after the removal (its cur_cfg
// reached the next_cfg of the removal's transaction): the devices may go at
// once, not after the delay; ports removed later wait for their own.
TEST(StalePorts, DueOnceTheSwitchReconfiguredAfterTheirRemoval)
{
    struct stale_ports sp;
    stale_ports_init(&sp);
    struct switch_db_stale first[] = {port("vnet-a", "ep-a", "ns-a")};
    stale_ports_add(&sp, first, 1, 1000);
    // Its transaction's next_cfg is not known yet: nothing releases it.
    EXPECT_FALSE(stale_ports_release(&sp, 100, 1010));
    stale_ports_set_cfg(&sp, 7);

    // Removed by a later transaction, not known yet either.
    struct switch_db_stale second[] = {port("vnet-b", "ep-b", "ns-b")};
    stale_ports_add(&sp, second, 1, 1020);

    EXPECT_FALSE(stale_ports_release(&sp, 6, 1030));
    EXPECT_EQ(in_use(&sp, 1030), "vnet-a vnet-b");
    EXPECT_TRUE(stale_ports_release(&sp, 7, 1040));
    EXPECT_TRUE(stale_ports_any_due(&sp, 1040));
    EXPECT_EQ(in_use(&sp, 1040), "vnet-b");
    struct attach_record records[2];
    ASSERT_EQ(stale_ports_due_records(&sp, 1040, records), 1u);
    EXPECT_STREQ(records[0].netns, "ns-a");
    stale_ports_forget_due(&sp, 1040);
    EXPECT_EQ(sp.n, 1u);

    // The second one's transaction: it keeps its own next_cfg.
    EXPECT_FALSE(stale_ports_release(&sp, 7, 1050));
    stale_ports_set_cfg(&sp, 8);
    EXPECT_FALSE(stale_ports_release(&sp, 7, 1060));
    EXPECT_TRUE(stale_ports_release(&sp, 9, 1070));
    EXPECT_EQ(in_use(&sp, 1070), "");
    // Released once: not again.
    EXPECT_FALSE(stale_ports_release(&sp, 9, 1080));
    stale_ports_destroy(&sp);
}

TEST(StalePorts, DevicesGoOnceDueAndNamesStayInUseUntilThen)
{
    struct stale_ports sp;
    stale_ports_init(&sp);
    struct switch_db_stale first[] = {
        port("vnet-a", "ep-a", "ns-a"),             // A namespace endpoint.
        port("tap-b", "ep-b", nullptr, true),       // A tap endpoint.
        port("vnet-c", nullptr, nullptr),           // Nothing to delete.
    };
    EXPECT_FALSE(stale_ports_add(&sp, first, 3, 1000));
    EXPECT_EQ(sp.n, 3u);
    EXPECT_EQ(in_use(&sp, 1000), "tap-b vnet-a vnet-c");
    EXPECT_FALSE(stale_ports_any_due(&sp, 1000 + STALE_PORTS_DELAY_MS - 1));

    // Removed again later: it keeps its first time.
    struct switch_db_stale again[] = { port("vnet-a", "ep-a", "ns-a") };
    EXPECT_FALSE(stale_ports_add(&sp, again, 1, 1200));
    EXPECT_EQ(sp.n, 3u);

    long long int due = 1000 + STALE_PORTS_DELAY_MS;
    EXPECT_TRUE(stale_ports_any_due(&sp, due));
    EXPECT_EQ(in_use(&sp, due), "");
    struct attach_record records[3];
    ASSERT_EQ(stale_ports_due_records(&sp, due, records), 2u);
    EXPECT_STREQ(records[0].endpoint, "ep-a");
    EXPECT_STREQ(records[0].netns, "ns-a");
    EXPECT_STREQ(records[0].host_ifname, "vnet-a");
    EXPECT_STREQ(records[1].endpoint, "ep-b");
    EXPECT_EQ(records[1].netns, nullptr);

    stale_ports_forget_due(&sp, due);
    EXPECT_EQ(sp.n, 0u);
    EXPECT_FALSE(stale_ports_any_due(&sp, due));
    stale_ports_destroy(&sp);
}

TEST(StalePorts, ATrunksPortTakesItsNamespaceAlong)
{
    struct stale_ports sp;
    stale_ports_init(&sp);
    struct switch_db_stale ports[] = {
        port("vntabcd0123", nullptr, "sw-vntabcd0123", false, true),
        port("vnt00000000", nullptr, nullptr, false, true),  // None recorded.
    };
    EXPECT_FALSE(stale_ports_add(&sp, ports, 2, 0));
    struct attach_record records[2];
    ASSERT_EQ(stale_ports_due_records(&sp, STALE_PORTS_DELAY_MS, records), 1u);
    EXPECT_TRUE(records[0].trunk);
    EXPECT_EQ(records[0].endpoint, nullptr);
    EXPECT_STREQ(records[0].netns, "sw-vntabcd0123");
    EXPECT_STREQ(records[0].host_ifname, "vntabcd0123");
    stale_ports_destroy(&sp);
}

TEST(StalePorts, ARelayTapsPortIsReported)
{
    struct stale_ports sp;
    stale_ports_init(&sp);
    struct switch_db_stale endpoint[] = { port("vnet-a", "ep-a", "ns-a") };
    EXPECT_FALSE(stale_ports_add(&sp, endpoint, 1, 0));
    std::string tap = std::string(VNET_RELAY_TAP_PREFIX) + "0a000002";
    struct switch_db_stale relay[] = { port(tap.c_str(), nullptr, nullptr) };
    EXPECT_TRUE(stale_ports_add(&sp, relay, 1, 0));
    EXPECT_EQ(sp.n, 2u);
    stale_ports_destroy(&sp);
    EXPECT_EQ(sp.n, 0u);
}

}  // namespace
