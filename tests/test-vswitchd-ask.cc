// Unit tests: questions to a unixctl server that are never waited for
// (controller/vswitchd-ask.h), against a server in this process.
#include <gtest/gtest.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <string>

#include "controller/vswitchd-ask.h"
#include "tests/temp-dir.h"

#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "timeval.h"
#include "unixctl.h"

namespace {

void
echo(struct unixctl_conn *conn, int argc, const char *argv[], void *)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    for (int i = 1; i < argc; i++) {
        ds_put_format(&s, "%s%s", i > 1 ? " " : "", argv[i]);
    }
    unixctl_command_reply(conn, ds_cstr(&s));
    ds_destroy(&s);
}

void
refuse(struct unixctl_conn *conn, int, const char *[], void *)
{
    unixctl_command_reply_error(conn, "no such thing");
}

class VswitchdAsk : public testing::Test {
protected:
    void SetUp() override
    {
        unixctl_command_register("test/echo", "", 0, 3, echo, nullptr);
        unixctl_command_register("test/refuse", "", 0, 0, refuse, nullptr);
        ASSERT_FALSE(dir_.path().empty());
        path_ = dir_.file("server.ctl");
        ASSERT_EQ(unixctl_server_create(path_.c_str(), &server_), 0);
    }
    void TearDown() override
    {
        unixctl_server_destroy(server_);
    }

    // Runs 'ask' (and the server, if 'serve') until it is done; returns
    // what vswitchd_ask_run() returned last.
    int run(struct vswitchd_ask *ask, bool serve)
    {
        for (;;) {
            if (serve) {
                unixctl_server_run(server_);
            }
            int error = vswitchd_ask_run(ask);
            if (error != EAGAIN) {
                return error;
            }
            if (serve) {
                unixctl_server_wait(server_);
            }
            vswitchd_ask_wait(ask);
            poll_block();
        }
    }

    TempDir dir_{"vswitchd-ask"};
    std::string path_;
    struct unixctl_server *server_ = nullptr;
};

TEST_F(VswitchdAsk, AnswersInTheOrderAsked)
{
    struct vswitchd_ask *ask = vswitchd_ask_create(path_.c_str(),
                                                   time_msec() + 10000);
    char a[] = "a", b[] = "b", c[] = "c";
    char *ab[] = { a, b }, *cc[] = { c };
    vswitchd_ask_add(ask, "test/echo", 2, ab);
    vswitchd_ask_add(ask, "test/refuse", 0, nullptr);
    vswitchd_ask_add(ask, "test/nothing", 0, nullptr);
    vswitchd_ask_add(ask, "test/echo", 1, cc);
    ASSERT_EQ(run(ask, true), 0);

    const char *error;
    EXPECT_STREQ(vswitchd_ask_answer(ask, 0, &error), "a b\n");
    EXPECT_EQ(error, nullptr);
    EXPECT_EQ(vswitchd_ask_answer(ask, 1, &error), nullptr);
    EXPECT_STREQ(error, "no such thing\n");
    EXPECT_EQ(vswitchd_ask_answer(ask, 2, &error), nullptr);
    ASSERT_NE(error, nullptr);
    EXPECT_NE(strstr(error, "is not a valid command"), nullptr) << error;
    EXPECT_STREQ(vswitchd_ask_answer(ask, 3, &error), "c\n");
    vswitchd_ask_destroy(ask);
}

// A server that does not run (a stopped ovs-vswitchd) holds up nobody: the
// batch waits without blocking, and fails at its deadline, not before.
TEST_F(VswitchdAsk, ServerThatNeverAnswersTimesOut)
{
    long long int start = time_msec();
    struct vswitchd_ask *ask = vswitchd_ask_create(path_.c_str(),
                                                   start + 300);
    vswitchd_ask_add(ask, "test/echo", 0, nullptr);
    EXPECT_EQ(vswitchd_ask_run(ask), EAGAIN);
    EXPECT_EQ(run(ask, false), ETIMEDOUT);
    EXPECT_GE(time_msec() - start, 300);
    // For good.
    EXPECT_EQ(vswitchd_ask_run(ask), ETIMEDOUT);
    vswitchd_ask_destroy(ask);
}

TEST_F(VswitchdAsk, NoSocketFailsAtOnce)
{
    std::string gone = dir_.file("gone.ctl");
    struct vswitchd_ask *ask = vswitchd_ask_create(gone.c_str(),
                                                   time_msec() + 10000);
    vswitchd_ask_add(ask, "test/echo", 0, nullptr);
    int error = run(ask, true);
    EXPECT_NE(error, 0);
    EXPECT_NE(error, EAGAIN);
    EXPECT_NE(error, ETIMEDOUT);
    vswitchd_ask_destroy(ask);
}

TEST_F(VswitchdAsk, NothingAskedIsDone)
{
    struct vswitchd_ask *ask = vswitchd_ask_create(path_.c_str(),
                                                   time_msec() + 10000);
    EXPECT_EQ(run(ask, true), 0);
    vswitchd_ask_destroy(ask);
}

}  // namespace
