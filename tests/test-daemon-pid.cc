// Unit tests: which daemon a pidfile names (controller/daemon-pid.h).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "controller/daemon-pid.h"
#include "tests/temp-dir.h"

namespace {

class DaemonPid : public ::testing::Test {
protected:
    void SetUp() override
    {
        ASSERT_FALSE(dir_.path().empty());
        path_ = dir_.file("d.pid");
    }

    void TearDown() override
    {
        if (child_ > 0) {
            kill(child_, SIGKILL);
            waitpid(child_, nullptr, 0);
        }
    }

    /* A child that writes 'pid' into the pidfile, locks it if 'lock', says
     * so through a pipe and waits to be killed. */
    void start_child(bool lock, long pid_written = 0)
    {
        int fds[2];
        ASSERT_EQ(pipe(fds), 0);
        child_ = fork();
        ASSERT_GE(child_, 0);
        if (!child_) {
            close(fds[0]);
            int fd = open(path_.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0644);
            struct flock lck = {};
            lck.l_type = F_WRLCK;
            lck.l_whence = SEEK_SET;
            if (fd < 0 || (lock && fcntl(fd, F_SETLK, &lck))) {
                _exit(1);
            }
            std::string line = std::to_string(pid_written ? pid_written
                                                          : (long) getpid())
                               + "\n";
            if (write(fd, line.data(), line.size()) != (ssize_t) line.size()
                || write(fds[1], "x", 1) != 1) {
                _exit(1);
            }
            pause();
            _exit(0);
        }
        close(fds[1]);
        char c;
        ASSERT_EQ(read(fds[0], &c, 1), 1);
        close(fds[0]);
    }

    TempDir dir_{"vnet-daemon-pid"};
    std::string path_;
    pid_t child_ = 0;
};

/* The kernel's name of this test program's processes. */
std::string
own_comm()
{
    FILE *f = fopen("/proc/self/comm", "r");
    char comm[32] = "";
    if (f) {
        if (!fgets(comm, sizeof comm, f)) {
            comm[0] = '\0';
        }
        fclose(f);
    }
    std::string s(comm);
    if (!s.empty() && s.back() == '\n') {
        s.pop_back();
    }
    return s;
}

TEST_F(DaemonPid, MissingFileIsNoDaemon)
{
    EXPECT_EQ(vnet_daemon_pid(path_.c_str(), own_comm().c_str()), 0);
}

TEST_F(DaemonPid, LockedFileOfTheProgramNamesItsProcess)
{
    start_child(true);
    EXPECT_EQ(vnet_daemon_pid(path_.c_str(), own_comm().c_str()), child_);
    EXPECT_EQ(vnet_daemon_pid(path_.c_str(), "ovs-vswitchd"), 0);
}

TEST_F(DaemonPid, UnlockedFileIsNoDaemon)
{
    start_child(false);
    EXPECT_EQ(vnet_daemon_pid(path_.c_str(), own_comm().c_str()), 0);
}

TEST_F(DaemonPid, FileNamingAnotherPidThanItsLockIsNoDaemon)
{
    start_child(true, 1);
    EXPECT_EQ(vnet_daemon_pid(path_.c_str(), own_comm().c_str()), 0);
}

}  // namespace
