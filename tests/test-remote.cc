// Unit tests: OVSDB remote parsing (ovsdb/remote.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "ovsdb/remote.h"

namespace {

struct RemoteCase {
    const char *input;
    const char *canonical;      // nullptr: the input is refused
    const char *error_part;     // for refused input: part of the message
    bool local;
};

const RemoteCase kCases[] = {
    {"unix:/var/run/openvswitch/db.sock", "unix:/var/run/openvswitch/db.sock",
     nullptr, true},
    {"unix:db.sock", "unix:db.sock", nullptr, true},
    {"tcp:127.0.0.1:6640", "tcp:127.0.0.1:6640", nullptr, true},
    {"tcp:127.0.0.1", "tcp:127.0.0.1:6640", nullptr, true},
    {"tcp:192.0.2.7:16640", "tcp:192.0.2.7:16640", nullptr, false},
    {"ssl:198.51.100.1", "ssl:198.51.100.1:6640", nullptr, false},
    {"tcp:[::1]:6641", "tcp:[::1]:6641", nullptr, true},
    {"tcp:[2001:db8::5]", "tcp:[2001:db8::5]:6640", nullptr, false},
    {"", nullptr, "empty", false},
    {"unix:", nullptr, "missing socket path", false},
    {"tcp:", nullptr, "missing address", false},
    {"tcp:127.0.0.1:0", nullptr, "invalid port", false},
    {"tcp:127.0.0.1:65536", nullptr, "invalid port", false},
    {"tcp:127.0.0.1:66x", nullptr, "invalid port", false},
    {"tcp:127.0.0.1:", nullptr, "invalid port", false},
    {"tcp:localhost:6640", nullptr, "not an IPv4 address", false},
    {"tcp:300.1.1.1", nullptr, "not an IPv4 address", false},
    {"tcp:::1", nullptr, "brackets", false},
    {"tcp:[::1", nullptr, "missing \"]\"", false},
    {"tcp:[::1]x", nullptr, "unexpected", false},
    {"tcp:[10.0.0.1]", nullptr, "not an IPv6 address", false},
    {"ptcp:6640", nullptr, "passive remote", false},
    {"punix:/tmp/db.sock", nullptr, "passive remote", false},
    {"http://127.0.0.1", nullptr, "unknown OVSDB remote", false},
    {"127.0.0.1:6640", nullptr, "unknown OVSDB remote", false},
};

class RemoteParse : public ::testing::TestWithParam<RemoteCase> {};

TEST_P(RemoteParse, CanonicalFormOrError)
{
    const RemoteCase &c = GetParam();
    struct vnet_remote r;
    char *error = vnet_remote_parse(c.input, &r);

    if (c.canonical) {
        ASSERT_EQ(error, nullptr) << error;
        char *s = vnet_remote_to_string(&r);
        EXPECT_STREQ(s, c.canonical);
        EXPECT_EQ(vnet_remote_is_local(&r), c.local);
        free(s);
        vnet_remote_destroy(&r);
    } else {
        ASSERT_NE(error, nullptr) << "accepted: " << c.input;
        EXPECT_NE(std::string(error).find(c.error_part), std::string::npos)
            << "message: " << error;
        free(error);
    }
}

INSTANTIATE_TEST_SUITE_P(Table, RemoteParse, ::testing::ValuesIn(kCases));

TEST(RemoteRundir, UnixSocketFolderElseDefault)
{
    const struct {
        const char *remote;
        const char *rundir;
    } cases[] = {
        {"unix:/var/run/openvswitch/db.sock", "/var/run/openvswitch"},
        {"unix:/db.sock", "/"},
        {"unix:db.sock", "."},
        {"tcp:127.0.0.1:6640", "/default/run"},
    };
    for (const auto &c : cases) {
        struct vnet_remote r;
        ASSERT_EQ(vnet_remote_parse(c.remote, &r), nullptr);
        char *dir = vnet_remote_rundir(&r, "/default/run");
        EXPECT_STREQ(dir, c.rundir) << c.remote;
        free(dir);
        vnet_remote_destroy(&r);
    }
}

}  // namespace
