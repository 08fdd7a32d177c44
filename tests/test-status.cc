// Unit tests: NB status mapping (controller/status.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "controller/status.h"

namespace {

struct vnet_status_facts
all_up()
{
    struct vnet_status_facts f = {};
    f.db_connected = true;
    f.db_ready = true;
    f.bridge_ready = true;
    f.of_state = "active";
    f.of_active = true;
    f.controller_connected = true;
    return f;
}

std::string
error_of(const struct vnet_status_facts &f, bool *connected = nullptr)
{
    struct vnet_status st;
    vnet_status_compute(&f, &st);
    std::string e = st.last_error ? st.last_error : "";
    if (!f.flows_error && !f.tunnel_error) {
        EXPECT_EQ(st.connected, st.last_error == nullptr);
    }
    if (connected) {
        *connected = st.connected;
    }
    free(st.last_error);
    return e;
}

TEST(Status, AllUpIsConnected)
{
    bool connected = false;
    EXPECT_EQ(error_of(all_up(), &connected), "");
    EXPECT_TRUE(connected);
}

TEST(Status, ChangesToAConfiguredBridgeLeaveItConnected)
{
    struct vnet_status_facts f = all_up();
    f.bridge_configured = true;
    f.bridge_ready = false;
    f.txn_pending = true;
    bool connected = false;
    EXPECT_EQ(error_of(f, &connected), "");
    EXPECT_TRUE(connected);
}

TEST(Status, RefusedFlowsLeaveItConnectedWithAnError)
{
    struct vnet_status_facts f = all_up();
    f.flows_error = "switch refused flows: OFPFMFC_TABLE_FULL";
    bool connected = false;
    EXPECT_EQ(error_of(f, &connected),
              "OpenFlow: switch refused flows: OFPFMFC_TABLE_FULL");
    EXPECT_TRUE(connected);

    /* A missing piece comes first. */
    f.of_active = false;
    f.of_state = "connecting";
    EXPECT_EQ(error_of(f, &connected), "OpenFlow: connecting");
    EXPECT_FALSE(connected);
}

TEST(Status, TunnelErrorLeavesItConnectedWithAnError)
{
    struct vnet_status_facts f = all_up();
    f.tunnel_error = "UDP relay: no key";
    bool connected = false;
    EXPECT_EQ(error_of(f, &connected), "UDP relay: no key");
    EXPECT_TRUE(connected);

    /* Refused flows come first. */
    f.flows_error = "switch refused flows: OFPFMFC_TABLE_FULL";
    EXPECT_EQ(error_of(f, &connected),
              "OpenFlow: switch refused flows: OFPFMFC_TABLE_FULL");
}

TEST(Status, EachMissingPieceNamed)
{
    struct {
        const char *what;
        void (*breakit)(struct vnet_status_facts *);
        const char *expected;
    } cases[] = {
        {"config", [](struct vnet_status_facts *f) {
             f->config_error = "bad remote"; }, "bad remote"},
        {"db down, errno known", [](struct vnet_status_facts *f) {
             f->db_connected = false; f->db_error = "Connection refused"; },
         "OVSDB: Connection refused"},
        {"db down", [](struct vnet_status_facts *f) {
             f->db_connected = false; }, "OVSDB: connecting"},
        {"empty db", [](struct vnet_status_facts *f) {
             f->db_ready = false; }, "no Open_vSwitch row"},
        {"foreign bridge", [](struct vnet_status_facts *f) {
             f->bridge_error = "bridge br-vnet exists"; },
         "bridge br-vnet exists"},
        {"bridge pending", [](struct vnet_status_facts *f) {
             f->bridge_ready = false; }, "configuring the bridge"},
        {"txn pending", [](struct vnet_status_facts *f) {
             f->txn_pending = true; }, "configuring the bridge"},
        {"listen failed", [](struct vnet_status_facts *f) {
             f->of_error = "cannot listen"; f->of_active = false; },
         "OpenFlow: cannot listen"},
        {"waiting for switch", [](struct vnet_status_facts *f) {
             f->of_active = false; f->of_state = "listening"; },
         "OpenFlow: listening"},
    };
    for (const auto &c : cases) {
        struct vnet_status_facts f = all_up();
        c.breakit(&f);
        bool connected = true;
        std::string e = error_of(f, &connected);
        EXPECT_FALSE(connected) << c.what;
        EXPECT_NE(e.find(c.expected), std::string::npos)
            << c.what << ": got \"" << e << '"';
    }
}

TEST(Status, SwitchReportLagsHandshake)
{
    // ovs-vswitchd publishes Controller is_connected seconds late; the
    // handshake on our socket is what counts.
    struct vnet_status_facts f = all_up();
    f.controller_connected = false;
    bool connected = false;
    EXPECT_EQ(error_of(f, &connected), "");
    EXPECT_TRUE(connected);
}

TEST(Status, EarliestProblemWins)
{
    struct vnet_status_facts f = all_up();
    f.db_connected = false;
    f.of_active = false;
    f.bridge_error = "later problem";
    EXPECT_EQ(error_of(f).rfind("OVSDB:", 0), 0u);
}

}  // namespace
