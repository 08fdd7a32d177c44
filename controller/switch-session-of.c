/* The OpenFlow socket a switch's bridge connects to (switch-session-private.h:
 * session_of_path(), session_set_of_path(), session_choose_of_socket()): one
 * of two in the switch's run directory, chosen when a session takes the
 * switch over. */
#include <config.h>
#include "controller/switch-session-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "controller/switch-db.h"
#include "flows/of-channel.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "ovsdb/names.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(switch_session_of);

char *
session_of_path(const struct switch_session *ss)
{
    return (ss->rundir && ss->bridge
            ? vnet_of_socket_path(ss->rundir, ss->bridge, ss->of_alt > 0)
            : NULL);
}

/* The OpenFlow channel listens where the bridge connects, unless the
 * session only watches or has not chosen where yet. */
void
session_set_of_path(struct switch_session *ss)
{
    char *path = (!ss->watching && !ss->releasing && ss->of_alt >= 0
                  ? session_of_path(ss) : NULL);
    of_channel_set_path(ss->of, path);
    free(path);
}

static bool
is_socket(const char *path)
{
    struct stat st;
    return !lstat(path, &st) && S_ISSOCK(st.st_mode);
}

/* How long a session that takes the switch over waits for the switch's
 * database before choosing its socket without it. */
#define OF_CHOOSE_WAIT_MS 1000

/* A bridge with more ports than this keeps the socket its controller names:
 * a new target has ovs-vswitchd reconfigure every port, which costs more
 * than the wait for its backoff (up to a second: the controller's
 * max_backoff).  At 16000 ports, on a 2-core machine, that reconfiguration
 * blocked ovs-vswitchd for 11 s before it connected. */
#define OF_NEW_TARGET_MAX_PORTS 1000

/* Which of the bridge's two OpenFlow sockets this session listens on, chosen
 * on taking the switch over.  With the switch's database read: the one the
 * bridge's controller does not name (but for a bridge of more than
 * OF_NEW_TARGET_MAX_PORTS ports, the one it names).  ovs-vswitchd tries a controller that
 * went away again on the next step of its backoff (1, 2, 4... seconds after
 * the last try), but connects to a new target as soon as it reads it; the
 * other socket, if a process killed before left it, is removed.  The
 * database is waited for up to OF_CHOOSE_WAIT_MS: a process that holds the
 * NB's lock at once takes the switch over before its database could answer
 * (and its first run, adopting thousands of endpoints, can take a while).
 * Without the database then (it does not answer): the one such a process
 * left, which the controller most likely names, for ovs-vswitchd to come
 * back to on its own. */
void
session_choose_of_socket(struct switch_session *ss)
{
    if (ss->watching || ss->releasing) {
        /* Nothing to choose: no run waits for it (switch_session_run()). */
        ss->of_choose_at = 0;
    }
    if (ss->of_alt >= 0 || ss->watching || ss->releasing || !ss->rundir
        || !ss->bridge) {
        return;
    }
    bool have_db = ovsdb_idl_has_ever_connected(ss->ovs.idl);
    if (!have_db) {
        long long int now = time_msec();
        if (!ss->of_choose_at) {
            ss->of_choose_at = now + OF_CHOOSE_WAIT_MS;
        }
        if (now < ss->of_choose_at) {
            return;
        }
    }
    ss->of_choose_at = 0;
    char *first = vnet_of_socket_path(ss->rundir, ss->bridge, false);
    char *second = vnet_of_socket_path(ss->rundir, ss->bridge, true);
    if (have_db) {
        char *first_target = xasprintf("unix:%s", first);
        char *second_target = xasprintf("unix:%s", second);
        const char *target = switch_db_controller_target(ss->ovs.idl,
                                                         ss->bridge);
        bool names_first = target && !strcmp(target, first_target);
        bool names_second = target && !strcmp(target, second_target);
        if ((names_first || names_second)
            && (switch_db_bridge_n_ports(ss->ovs.idl, ss->bridge)
                > OF_NEW_TARGET_MAX_PORTS)) {
            ss->of_alt = names_second;      /* The same one. */
        } else {
            ss->of_alt = names_first;       /* The other one. */
        }
        free(first_target);
        free(second_target);

        const char *other = ss->of_alt ? first : second;
        if (is_socket(other) && unlink(other)) {
            VLOG_WARN("switch %s: cannot remove %s (%s)", ss->name, other,
                      ovs_strerror(errno));
        }
    } else {
        ss->of_alt = is_socket(second) && !is_socket(first);
    }
    free(first);
    free(second);
    session_set_of_path(ss);
    /* Listening before the run writes the target: ovs-vswitchd connects as
     * soon as it reads it, and a socket not there yet costs it a second. */
    of_channel_run(ss->of);
}

void
session_choose_of_socket_wait(const struct switch_session *ss)
{
    if (ss->of_alt < 0 && ss->of_choose_at) {
        poll_timer_wait_until(ss->of_choose_at);
    }
}
