/* The UDP relay's process (controller/relay.h). */
#include <config.h>
#include "controller/relay.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/daemon-pid.h"
#include "controller/tunnels.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb/addr.h"
#include "process.h"
#include "svec.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(relay);

/* How often a relay just started is looked at until it is ready. */
#define RELAY_READY_POLL_MS 20

/* A relay asked to stop is asked again this often until it has exited, and
 * killed after RELAY_KILL_MS: a signal that arrives between the fork and
 * the exec is taken by this process's handlers and lost. */
#define RELAY_STOP_AGAIN_MS 200
#define RELAY_KILL_MS 2000

struct relay {
    char *switch_name;
    struct process *process;
    char *args;                 /* What it runs with (to see changes). */
    char *pidfile;
    bool ready;                 /* 'process' wrote 'pidfile'. */
    long long int restart_at;
    bool stale_stopped;         /* No relay of an earlier ovs-vnetd runs. */

    /* The relay stopped last, until it has exited: none other starts
     * before (it would find the port and the pidfile taken). */
    struct process *stopping;
    long long int stopped_at;
    long long int stop_again_at;
};

/* Relays no switch's relay follows any more (its switch released, or left
 * running for another ovs-vnetd; one stopped twice in a row), followed
 * until they exit: OVS's process_run() reaps only the processes not
 * destroyed, and one destroyed before it exited stayed a zombie.  One that
 * was stopped is killed if it outlives RELAY_KILL_MS. */
struct orphan {
    struct process *process;
    long long int kill_at;      /* LLONG_MAX: never (left running, or
                                 * killed already). */
};
static struct orphan *orphans;
static size_t n_orphans, allocated_orphans;

static void
adopt(struct process *process, long long int kill_at)
{
    if (process_exited(process)) {
        process_destroy(process);
        return;
    }
    if (n_orphans >= allocated_orphans) {
        orphans = x2nrealloc(orphans, &allocated_orphans, sizeof *orphans);
    }
    orphans[n_orphans++] = (struct orphan) { process, kill_at };
}

void
relay_orphans_run(void)
{
    if (!n_orphans) {
        return;
    }
    process_run();
    long long int now = time_msec();
    for (size_t i = 0; i < n_orphans; ) {
        struct orphan *o = &orphans[i];
        if (process_exited(o->process)) {
            process_destroy(o->process);
            orphans[i] = orphans[--n_orphans];
            continue;
        }
        if (now >= o->kill_at) {
            VLOG_WARN("UDP relay (pid %ld) of a switch gone still running; "
                      "killing it", (long) process_pid(o->process));
            process_kill(o->process, SIGKILL);
            o->kill_at = LLONG_MAX;
        }
        i++;
    }
}

void
relay_orphans_wait(void)
{
    for (size_t i = 0; i < n_orphans; i++) {
        process_wait(orphans[i].process);
        if (orphans[i].kill_at != LLONG_MAX) {
            poll_timer_wait_until(orphans[i].kill_at);
        }
    }
}

struct relay *
relay_create(const char *switch_name)
{
    struct relay *r = xzalloc(sizeof *r);
    r->switch_name = xstrdup(switch_name);
    return r;
}

void
relay_stop(struct relay *r)
{
    if (r->process) {
        long long int now = time_msec();
        if (!process_exited(r->process)) {
            VLOG_INFO("switch %s: stopping UDP relay (pid %ld)",
                      r->switch_name, (long) process_pid(r->process));
            process_kill(r->process, SIGTERM);
            if (r->stopping) {
                /* Stopped twice in a row: the older one is told no more. */
                process_kill(r->stopping, SIGKILL);
                adopt(r->stopping, LLONG_MAX);
            }
            r->stopping = r->process;
            r->stopped_at = now;
            r->stop_again_at = now + RELAY_STOP_AGAIN_MS;
        } else {
            process_destroy(r->process);
        }
        r->process = NULL;
        r->ready = false;
        r->restart_at = now + 500;
    }
    free(r->args);
    r->args = NULL;
}

/* Follows the relay stopped last until it has exited.  Returns true once
 * none is left. */
static bool
relay_stopped(struct relay *r)
{
    if (!r->stopping) {
        return true;
    }
    if (process_exited(r->stopping)) {
        process_destroy(r->stopping);
        r->stopping = NULL;
        return true;
    }
    long long int now = time_msec();
    if (now >= r->stop_again_at) {
        bool kill = now >= r->stopped_at + RELAY_KILL_MS;
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_RL(&rl, kill ? VLL_WARN : VLL_INFO, "switch %s: UDP relay "
                "(pid %ld) still running; %s it", r->switch_name,
                (long) process_pid(r->stopping),
                kill ? "killing" : "stopping");
        process_kill(r->stopping, kill ? SIGKILL : SIGTERM);
        r->stop_again_at = now + RELAY_STOP_AGAIN_MS;
    }
    return false;
}

void
relay_forget(struct relay *r)
{
    if (r) {
        if (r->stopping) {
            adopt(r->stopping, r->stopped_at + RELAY_KILL_MS);
        }
        if (r->process) {
            /* Left running: reaped once it exits. */
            adopt(r->process, LLONG_MAX);
        }
        free(r->pidfile);
        free(r->switch_name);
        free(r);
    }
}

void
relay_destroy(struct relay *r)
{
    if (r) {
        relay_stop(r);
        relay_forget(r);
    }
}

/* The relay program: $OVS_VNET_UDPTUN, else next to this program (installed
 * or in the build tree), else from $PATH. */
static char *
relay_program(void)
{
    const char *env = getenv("OVS_VNET_UDPTUN");
    if (env && *env) {
        return xstrdup(env);
    }

    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            const char *candidates[] = { "%s/ovs-vnet-udptun",
                                         "%s/../tools/ovs-vnet-udptun",
                                         "%s/../bin/ovs-vnet-udptun" };
            for (size_t i = 0; i < ARRAY_SIZE(candidates); i++) {
                char *path = xasprintf(candidates[i], exe);
                if (!access(path, X_OK)) {
                    return path;
                }
                free(path);
            }
        }
    }
    return xstrdup("ovs-vnet-udptun");
}

/* Stops a relay left behind by an earlier ovs-vnetd (from its pidfile).
 * Returns true if none is left. */
static bool
stale_gone(const char *pidfile)
{
    pid_t pid = vnet_daemon_pid(pidfile, "ovs-vnet-udptun");
    if (pid) {
        VLOG_INFO("stopping UDP relay left running (pid %ld)", (long) pid);
        kill(pid, SIGTERM);
        return false;
    }
    return true;
}

char *
relay_args(const struct tunnel_plan *plan, pid_t switch_pid, bool own_taps)
{
    struct ds args = DS_EMPTY_INITIALIZER;
    char ip[16];

    if (plan->enabled && switch_pid > 0) {
        for (size_t i = 0; i < plan->n_peers; i++) {
            const struct tunnel_peer *p = &plan->peers[i];
            if (p->relay) {
                ds_put_format(&args, " --peer=%s,%s:%d", p->tap,
                              vnet_ip_format(p->ip, ip),
                              TUNNEL_RELAY_UDP_PORT);
            }
        }
    }
    if (!args.length) {
        ds_destroy(&args);
        return NULL;
    }
    /* Taps take any network MTU up to jumbo size plus the VID tag; larger
     * datagrams are fragmented on the underlay. */
    ds_put_format(&args, " %s --local=%s:%d --mtu=%d --key-id=%s",
                  own_taps ? "--persist" : "--attach",
                  vnet_ip_format(plan->local_ip, ip), TUNNEL_RELAY_UDP_PORT,
                  TUNNEL_RELAY_TAP_MTU, plan->relay_key_id);
    ds_put_format(&args, " --netns=/proc/%ld/ns/net", (long) switch_pid);
    return ds_steal_cstr(&args);
}

bool
relay_runs_with(const struct relay *r, const char *args)
{
    return !args ? !relay_is_running(r)
                 : relay_is_running(r) && r->args && !strcmp(r->args, args);
}

/* Writes 'key' into the file 'name', for our eyes only.  Returns 0 or an
 * errno. */
static int
write_key_file(const char *name, const char *key)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                  0600);
    if (fd < 0) {
        return errno;
    }
    int error = fchmod(fd, 0600) ? errno : 0;
    size_t len = strlen(key);
    if (!error && write(fd, key, len) != (ssize_t) len) {
        error = errno ? errno : EIO;
    }
    if (close(fd) && !error) {
        error = errno;
    }
    return error;
}

void
relay_run(struct relay *r, const char *args, const char *rundir,
          const char *key)
{
    process_run();
    if (r->process && process_exited(r->process)) {
        char *status = process_status_msg(process_status(r->process));
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "switch %s: UDP relay %s; restarting it",
                     r->switch_name, status);
        free(status);
        relay_stop(r);
    }
    if (r->process && !r->ready) {
        r->ready = (vnet_daemon_pid(r->pidfile, "ovs-vnet-udptun")
                    == process_pid(r->process));
        if (r->ready) {
            /* News for the switch's status. */
            VLOG_DBG("switch %s: UDP relay ready", r->switch_name);
            poll_immediate_wake();
        }
    }
    if (!relay_stopped(r)) {
        return;
    }
    if (r->process || !rundir || time_msec() < r->restart_at
        || (!args && r->stale_stopped)) {
        return;
    }

    /* A relay an earlier ovs-vnetd left running goes, even if none is
     * wanted now. */
    free(r->pidfile);
    r->pidfile = xasprintf("%s/ovs-vnet-udptun.%s.pid", rundir,
                           r->switch_name);
    r->stale_stopped = stale_gone(r->pidfile);
    if (!r->stale_stopped) {
        r->restart_at = time_msec() + 200;
        return;
    }
    if (!args || !key) {
        return;
    }

    char *key_file = xasprintf("%s/ovs-vnet-udptun.%s.key", rundir,
                               r->switch_name);
    int error = write_key_file(key_file, key);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "switch %s: cannot write the relay's key into %s: "
                     "%s", r->switch_name, key_file, ovs_strerror(error));
        free(key_file);
        r->restart_at = time_msec() + 1000;
        return;
    }

    char *program = relay_program();
    char *line = xasprintf("%s%s --key-file=%s --pidfile=%s --log-file=%s/"
                           "ovs-vnet-udptun.%s.log -vconsole:off",
                           program, args, key_file, r->pidfile, rundir,
                           r->switch_name);
    free(key_file);
    struct svec argv;
    svec_init(&argv);
    svec_parse_words(&argv, line);
    svec_terminate(&argv);
    error = process_start(argv.names, &r->process);
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "switch %s: cannot start %s: %s", r->switch_name,
                     program, ovs_strerror(error));
        r->process = NULL;
        r->restart_at = time_msec() + 1000;
    } else {
        VLOG_INFO("switch %s: started UDP relay (pid %ld)%s", r->switch_name,
                  (long) process_pid(r->process), args);
        r->args = xstrdup(args);
    }
    svec_destroy(&argv);
    free(line);
    free(program);
}

void
relay_wait(struct relay *r)
{
    if (r->stopping) {
        process_wait(r->stopping);
        poll_timer_wait_until(r->stop_again_at);
    }
    if (r->process) {
        process_wait(r->process);
        if (!r->ready) {
            /* Its pidfile gives no notice. */
            poll_timer_wait(RELAY_READY_POLL_MS);
        }
    } else if (r->restart_at > time_msec()) {
        poll_timer_wait_until(r->restart_at);
    }
}

bool
relay_is_running(const struct relay *r)
{
    return r->process && !process_exited(r->process);
}

bool
relay_is_ready(const struct relay *r)
{
    return relay_is_running(r) && r->ready;
}
