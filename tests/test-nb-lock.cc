// Unit tests: the NB lock that makes one of several ovs-vnetd active
// (controller/nb-lock.h).
#include <gtest/gtest.h>

#include <string>

#include "controller/nb-lock.h"
#include "openvswitch/dynamic-string.h"
#include "sset.h"

// ovsdb-idl.h does not compile as C++: what the tests use of it.
extern "C" {
struct ovsdb_idl_class;
struct ovsdb_idl *ovsdb_idl_create(const char *remote,
                                   const struct ovsdb_idl_class *,
                                   bool monitor_everything_by_default,
                                   bool retry);
void ovsdb_idl_destroy(struct ovsdb_idl *);
extern const struct ovsdb_idl_class vnetrec_idl_class;
}

namespace {

class NbLock : public ::testing::Test {
protected:
    void SetUp() override
    {
        // Never connected: nothing grants or contends the lock.
        idl = ovsdb_idl_create("unix:/nonexistent/vnet_nb.sock",
                               &vnetrec_idl_class, true, false);
    }
    void TearDown() override { ovsdb_idl_destroy(idl); }

    std::string name_of(std::initializer_list<const char *> switches)
    {
        struct sset set;
        sset_init(&set);
        for (const char *s : switches) {
            sset_add(&set, s);
        }
        struct nb_lock lock;
        nb_lock_init(&lock, idl, &set);
        std::string name = lock.name;
        nb_lock_destroy(&lock);
        sset_destroy(&set);
        return name;
    }

    struct ovsdb_idl *idl;
};

TEST_F(NbLock, OneNameForAllSwitchesOneForEachSet)
{
    EXPECT_EQ(name_of({}), "ovs_vnetd");
    std::string ab = name_of({"a", "b"});
    EXPECT_EQ(ab.rfind("ovs_vnetd_", 0), 0u) << ab;
    EXPECT_EQ(ab.size(), sizeof "ovs_vnetd_" - 1 + 8) << ab;
    EXPECT_EQ(name_of({"b", "a"}), ab);         // The order given is not.
    EXPECT_NE(name_of({"a"}), ab);
    EXPECT_NE(name_of({"a"}), name_of({"b"}));
}

TEST_F(NbLock, StandsByUntilTheLockIsHeld)
{
    struct sset set;
    sset_init(&set);
    struct nb_lock lock;
    nb_lock_init(&lock, idl, &set);
    // Neither held nor another's: nothing to stand by from, and no news.
    EXPECT_FALSE(nb_lock_run(&lock, idl));
    EXPECT_FALSE(lock.active);
    EXPECT_FALSE(lock.known);
    struct ds s = DS_EMPTY_INITIALIZER;
    nb_lock_format(&lock, idl, &s);
    EXPECT_STREQ(ds_cstr(&s), "standby (NB lock ovs_vnetd, not held yet)");
    ds_destroy(&s);
    nb_lock_destroy(&lock);
    sset_destroy(&set);
}

}  // namespace
