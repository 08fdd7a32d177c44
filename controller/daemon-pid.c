#include <config.h>
#include "controller/daemon-pid.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* True if process 'pid' runs 'program'. */
static bool
runs(pid_t pid, const char *program)
{
    char *path = xasprintf("/proc/%ld/comm", (long) pid);
    FILE *f = fopen(path, "r");
    free(path);
    if (!f) {
        return false;
    }
    char comm[32];
    bool same = false;
    if (fgets(comm, sizeof comm, f)) {
        comm[strcspn(comm, "\n")] = '\0';
        /* The kernel keeps the first 15 characters. */
        same = !strncmp(comm, program, 15);
    }
    fclose(f);
    return same;
}

/* The pid that holds the write lock of 'pidfile' and that the file names, or
 * 0.  OVS's read_pidfile() does the same but warns of a file gone between a
 * look and its open, which a daemon exiting (it removes its pidfile) makes
 * any time: here a file missing, unlocked or being replaced is no daemon.
 * Never for ovs-vnetd's own pidfile: closing it would drop its lock. */
static pid_t
locked_pid(const char *pidfile)
{
    FILE *f = fopen(pidfile, "r");
    if (!f) {
        return 0;
    }
    struct flock lck = {
        .l_type = F_WRLCK,
        .l_whence = SEEK_SET,
    };
    int error;
    do {
        error = fcntl(fileno(f), F_GETLK, &lck) == -1 ? errno : 0;
    } while (error == EINTR);

    char line[32];
    pid_t pid = 0;
    if (!error && lck.l_type != F_UNLCK && fgets(line, sizeof line, f)
        && strtol(line, NULL, 10) == lck.l_pid) {
        pid = lck.l_pid;
    }
    fclose(f);
    return pid;
}

pid_t
vnet_daemon_pid(const char *pidfile, const char *program)
{
    pid_t pid = locked_pid(pidfile);
    return pid > 0 && pid != getpid() && runs(pid, program) ? pid : 0;
}
