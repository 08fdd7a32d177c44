#include <config.h>
#include "ovsdb/nb-session.h"

#include <limits.h>
#include <string.h>

#include "openvswitch/poll-loop.h"
#include "ovsdb-idl.h"
#include "timeval.h"
#include "util.h"

void
nb_session_init(struct nb_session *s, const char *remote)
{
    s->remote = remote;
    s->down_since = LLONG_MAX;
    s->rotated = false;
}

static bool
several_servers(const struct nb_session *s)
{
    return s->remote && strchr(s->remote, ',');
}

/* 'remote' with its first server moved last: another string for the same
 * servers, which ovsdb_idl_set_remote() takes as a new session. */
static char *
remote_rotated(const char *remote)
{
    const char *comma = strchr(remote, ',');
    return xasprintf("%s,%.*s", comma + 1, (int) (comma - remote), remote);
}

void
nb_session_run(struct nb_session *s, struct ovsdb_idl *idl)
{
    long long int now = time_msec();
    if (ovsdb_idl_is_connected(idl)) {
        s->down_since = LLONG_MAX;
    } else if (s->down_since == LLONG_MAX) {
        s->down_since = now;
    } else if (several_servers(s)
               && now >= s->down_since + NB_SESSION_RETRY_MS) {
        char *rotated = remote_rotated(s->remote);
        s->rotated = !s->rotated;
        ovsdb_idl_set_remote(idl, s->rotated ? rotated : s->remote, true);
        free(rotated);
        s->down_since = now;
    }
}

void
nb_session_wait(const struct nb_session *s)
{
    if (several_servers(s) && s->down_since != LLONG_MAX) {
        poll_timer_wait_until(s->down_since + NB_SESSION_RETRY_MS);
    }
}
