// Unit tests: ovs-vnet-ctl command arguments (tools/ctl-args.h).
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "tools/ctl-args.h"

namespace {

const char *kSpec = "--name=,--bridge=,--if-exists";

struct ArgsCase {
    std::vector<const char *> words;
    const char *error_part;            // nullptr: accepted
    int n_pos;
    const char *name;                  // expected --name, or nullptr
    bool if_exists;
};

const ArgsCase kCases[] = {
    {{"tcp:127.0.0.1"}, nullptr, 1, nullptr, false},
    {{"tcp:127.0.0.1", "--name=sw1"}, nullptr, 1, "sw1", false},
    {{"--name=sw1", "tcp:127.0.0.1"}, nullptr, 1, "sw1", false},
    {{"--name=a", "--name=b"}, nullptr, 0, "b", false},
    {{"--name="}, nullptr, 0, "", false},
    {{"x", "--if-exists", "y"}, nullptr, 2, nullptr, true},
    {{"--", "--name=literal"}, nullptr, 1, nullptr, false},
    {{"-t"}, nullptr, 1, nullptr, false},
    {{"--colour=red"}, "unknown option --colour", 0, nullptr, false},
    {{"--nam=x"}, "unknown option --nam", 0, nullptr, false},
    {{"--name"}, "requires a value", 0, nullptr, false},
    {{"--if-exists=yes"}, "takes no value", 0, nullptr, false},
    {{"--bridge"}, "requires a value", 0, nullptr, false},
};

class CtlArgs : public ::testing::TestWithParam<ArgsCase> {};

TEST_P(CtlArgs, Table)
{
    const ArgsCase &c = GetParam();
    std::vector<char *> argv;
    for (const char *w : c.words) {
        argv.push_back(const_cast<char *>(w));
    }
    struct ctl_args args;
    char *error = ctl_args_parse("connect", kSpec, argv.size(), argv.data(),
                                 &args);
    if (c.error_part) {
        ASSERT_NE(error, nullptr);
        EXPECT_NE(std::string(error).find(c.error_part), std::string::npos)
            << error;
        EXPECT_EQ(std::string(error).rfind("connect: ", 0), 0u) << error;
        free(error);
        return;
    }
    ASSERT_EQ(error, nullptr) << error;
    EXPECT_EQ(args.n_pos, c.n_pos);
    EXPECT_EQ(args.pos[args.n_pos], nullptr);
    const char *name = ctl_args_get(&args, "--name");
    if (c.name) {
        EXPECT_STREQ(name, c.name);
    } else {
        EXPECT_EQ(name, nullptr);
    }
    EXPECT_EQ(ctl_args_get(&args, "--if-exists") != nullptr, c.if_exists);
    ctl_args_destroy(&args);
}

INSTANTIATE_TEST_SUITE_P(Connect, CtlArgs, ::testing::ValuesIn(kCases));

TEST(CtlArgsRepeated, EveryOccurrenceKeptInOrder)
{
    std::vector<const char *> argv = {"--name=a", "x", "--bridge=br",
                                      "--name=b", nullptr};
    struct ctl_args args;
    char *error = ctl_args_parse("connect", kSpec, 4,
                                 const_cast<char **>(argv.data()), &args);
    ASSERT_EQ(error, nullptr) << error;
    ASSERT_EQ(args.n_opts, 3u);
    EXPECT_STREQ(args.opts[0].value, "a");
    EXPECT_STREQ(args.opts[1].key, "--bridge");
    EXPECT_STREQ(args.opts[2].value, "b");
    EXPECT_STREQ(ctl_args_get(&args, "--name"), "b");
    ctl_args_destroy(&args);
}

TEST(CtlTimeout, Table)
{
    const struct {
        const char *s;
        bool ok;
        int secs;
    } cases[] = {
        {"0", true, 0}, {"30", true, 30}, {"86400", true, 86400},
        {"86401", false, 0}, {"-1", false, 0}, {"", false, 0},
        {"5s", false, 0}, {"1.5", false, 0}, {"99999999999999999999", false, 0},
    };
    for (const auto &c : cases) {
        int secs = -7;
        EXPECT_EQ(ctl_parse_timeout(c.s, &secs), c.ok) << '"' << c.s << '"';
        if (c.ok) {
            EXPECT_EQ(secs, c.secs);
        }
    }
}

}  // namespace
