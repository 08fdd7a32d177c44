// Unit tests: what a reconcile of the switch's database found of its
// interfaces, looked up by name and by the endpoint plugged for
// (switch_db_result_find(), switch_db_result_plugged_for(),
// controller/switch-db.h).
#include <gtest/gtest.h>

#include <string>

#include "controller/switch-db.h"

namespace {

class SwitchDbResultTest : public ::testing::Test {
protected:
    void SetUp() override {}
    void TearDown() override { switch_db_result_destroy(&r_); }

    int64_t
    ofport_of(const char *ifname)
    {
        const struct switch_db_binding *b = switch_db_result_find(&r_, ifname);
        return b ? b->ofport : -100;
    }

    struct switch_db_result r_{};
};

TEST_F(SwitchDbResultTest, FoundByNameAsBindingsAreAdded)
{
    EXPECT_EQ(-100, ofport_of("va"));       // (Before any binding.)
    EXPECT_FALSE(switch_db_result_plugged_for(&r_, "a"));

    switch_db_result_bind(&r_, "va", "a", 0);
    switch_db_result_plugged(&r_, "tap-b", "b");
    EXPECT_EQ(0, ofport_of("va"));
    EXPECT_TRUE(switch_db_result_plugged_for(&r_, "b"));
    EXPECT_FALSE(switch_db_result_plugged_for(&r_, "a"));  // (Ours.)

    // Numbered: the binding found is changed, not added again.
    switch_db_result_bind(&r_, "va", "a", 7);
    EXPECT_EQ(7, ofport_of("va"));
    EXPECT_EQ(2u, r_.n_bindings);

    // Many more, added after the lookups above: all found.
    for (int i = 0; i < 200; i++) {
        std::string name = "v" + std::to_string(i);
        switch_db_result_bind(&r_, name.c_str(), name.c_str() + 1, i + 10);
        std::string tap = "tap" + std::to_string(i);
        switch_db_result_plugged(&r_, tap.c_str(),
                                 ("p" + std::to_string(i)).c_str());
    }
    for (int i = 0; i < 200; i++) {
        EXPECT_EQ(i + 10, ofport_of(("v" + std::to_string(i)).c_str()));
        EXPECT_TRUE(switch_db_result_plugged_for(
            &r_, ("p" + std::to_string(i)).c_str()));
    }
    EXPECT_EQ(-100, ofport_of("v200"));
    EXPECT_FALSE(switch_db_result_plugged_for(&r_, "p200"));
    EXPECT_EQ(7, ofport_of("va"));
}

TEST_F(SwitchDbResultTest, LastOfOneNameAndAgainAfterAReset)
{
    // Two interfaces of one name (one gone, one come back): the last.
    switch_db_result_plugged(&r_, "tap", "a");
    EXPECT_STREQ("a", switch_db_result_find(&r_, "tap")->iface_id);
    switch_db_result_plugged(&r_, "tap", "b");
    EXPECT_STREQ("b", switch_db_result_find(&r_, "tap")->iface_id);
    EXPECT_TRUE(switch_db_result_plugged_for(&r_, "a"));

    // Destroyed and reset, as a reconcile does: nothing of before.
    switch_db_result_destroy(&r_);
    r_ = switch_db_result{};
    EXPECT_EQ(nullptr, switch_db_result_find(&r_, "tap"));
    EXPECT_FALSE(switch_db_result_plugged_for(&r_, "b"));
    switch_db_result_plugged(&r_, "tap", "c");
    EXPECT_STREQ("c", switch_db_result_find(&r_, "tap")->iface_id);
}

TEST_F(SwitchDbResultTest, UnboundAndBoundAgain)
{
    // Two interfaces plugged for one endpoint: one unplugged, the other
    // still is.
    switch_db_result_plugged(&r_, "tap1", "a");
    switch_db_result_plugged(&r_, "tap2", "a");
    EXPECT_EQ(2u, switch_db_result_n_plugged_for(&r_, "a"));
    switch_db_result_unbind(&r_, "tap1");
    EXPECT_EQ(1u, switch_db_result_n_plugged_for(&r_, "a"));
    EXPECT_TRUE(switch_db_result_plugged_for(&r_, "a"));
    EXPECT_EQ(nullptr, switch_db_result_find(&r_, "tap1")->iface_id);
    switch_db_result_unbind(&r_, "tap2");
    EXPECT_FALSE(switch_db_result_plugged_for(&r_, "a"));

    // One of ours deleted, then inserted again under its name: ours again,
    // for its endpoint, in its place.
    switch_db_result_bind(&r_, "vb", "b", 5);
    switch_db_result_unbind(&r_, "vb");
    const struct switch_db_binding *b = switch_db_result_find(&r_, "vb");
    EXPECT_FALSE(b->ours);
    EXPECT_EQ(0, b->ofport);
    EXPECT_EQ(nullptr, b->iface_id);
    switch_db_result_bind(&r_, "vb", "b", 0);
    b = switch_db_result_find(&r_, "vb");
    EXPECT_TRUE(b->ours);
    EXPECT_STREQ("b", b->iface_id);
    EXPECT_FALSE(switch_db_result_plugged_for(&r_, "b"));
    EXPECT_EQ(3u, r_.n_bindings);
}

}  // namespace
