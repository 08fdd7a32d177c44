// Unit tests: the record of the switches ovs-vnetd drives
// (controller/switch-records.h).
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

#include "controller/switch-records.h"
#include "tests/temp-dir.h"
#include "openvswitch/shash.h"

namespace {

class SwitchRecords : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_FALSE(dir.path().empty());
        file = dir.file("ovs-vnetd.switches");
    }
    TempDir dir{"vnet-records"};
    std::string file;
};

bool
is_a_or_b(const char *name)
{
    return !strcmp(name, "a") || !strcmp(name, "b");
}

bool
is_c(const char *name)
{
    return !strcmp(name, "c");
}

void
add(struct shash *s, const char *name, const char *underlay)
{
    std::string remote = std::string("unix:/run/") + name + "/db.sock";
    shash_add(s, name, switch_record_create(remote.c_str(), "br-vnet",
                                            "netdev", true, "/run/x",
                                            underlay));
}

}  // namespace

TEST_F(SwitchRecords, MissingFileHoldsNone)
{
    struct shash records;
    char *error = switch_records_read(file.c_str(), &records);
    EXPECT_EQ(error, nullptr);
    EXPECT_EQ(shash_count(&records), 0u);
    switch_records_destroy(&records);
}

TEST_F(SwitchRecords, EachReplacesOnlyItsOwn)
{
    struct shash mine;
    shash_init(&mine);
    add(&mine, "a", "ul0");
    add(&mine, "b", nullptr);
    ASSERT_EQ(switch_records_update(file.c_str(), is_a_or_b, &mine), nullptr);
    switch_records_destroy(&mine);

    // Another ovs-vnetd, driving c, keeps a and b.
    struct shash other;
    shash_init(&other);
    add(&other, "c", nullptr);
    ASSERT_EQ(switch_records_update(file.c_str(), is_c, &other), nullptr);
    switch_records_destroy(&other);

    // The first one lets b go.
    shash_init(&mine);
    add(&mine, "a", "ul0");
    ASSERT_EQ(switch_records_update(file.c_str(), is_a_or_b, &mine), nullptr);
    switch_records_destroy(&mine);

    struct shash records;
    ASSERT_EQ(switch_records_read(file.c_str(), &records), nullptr);
    EXPECT_EQ(shash_count(&records), 2u);
    const struct switch_record *a
        = (const struct switch_record *) shash_find_data(&records, "a");
    ASSERT_NE(a, nullptr);
    EXPECT_STREQ(a->remote, "unix:/run/a/db.sock");
    EXPECT_STREQ(a->underlay, "ul0");
    EXPECT_TRUE(a->datapath_auto);
    const struct switch_record *c
        = (const struct switch_record *) shash_find_data(&records, "c");
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->underlay, nullptr);
    EXPECT_EQ(shash_find_data(&records, "b"), nullptr);
    switch_records_destroy(&records);
}

TEST_F(SwitchRecords, BadFileSaysWhyAndIsReplaced)
{
    std::ofstream(file) << "{\"a\": {\"remote\": 1}}";
    struct shash records;
    char *error = switch_records_read(file.c_str(), &records);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(std::string(error).find("missing"), std::string::npos) << error;
    free(error);
    EXPECT_EQ(shash_count(&records), 0u);
    switch_records_destroy(&records);

    struct shash mine;
    shash_init(&mine);
    add(&mine, "a", nullptr);
    ASSERT_EQ(switch_records_update(file.c_str(), is_a_or_b, &mine), nullptr);
    switch_records_destroy(&mine);
    ASSERT_EQ(switch_records_read(file.c_str(), &records), nullptr);
    EXPECT_EQ(shash_count(&records), 1u);
    switch_records_destroy(&records);
}
