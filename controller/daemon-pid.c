#include <config.h>
#include "controller/daemon-pid.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
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

pid_t
vnet_daemon_pid(const char *pidfile, const char *program)
{
    /* read_pidfile() complains of a missing file: none is no news. */
    if (access(pidfile, F_OK)) {
        return 0;
    }
    pid_t pid = read_pidfile(pidfile);
    return pid > 0 && pid != getpid() && runs(pid, program) ? pid : 0;
}
