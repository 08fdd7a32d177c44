#include <config.h>
#include "controller/nb-lock.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>

#include "hash.h"
#include "openvswitch/dynamic-string.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(nb_lock);

/* How long a lock must be held to count. */
#define LOCK_SETTLE_MS 100

/* An OVSDB lock name is an id: a set of switches goes in as a hash. */
static char *
lock_name(const struct sset *switches)
{
    if (sset_is_empty(switches)) {
        return xstrdup("ovs_vnetd");
    }
    const char **names = sset_sort(switches);
    uint32_t hash = 0;
    for (size_t i = 0; i < sset_count(switches); i++) {
        hash = hash_string(names[i], hash);
    }
    free(names);
    return xasprintf("ovs_vnetd_%08"PRIx32, hash);
}

void
nb_lock_init(struct nb_lock *lock, struct ovsdb_idl *idl,
             const struct sset *switches)
{
    lock->name = lock_name(switches);
    lock->active = false;
    lock->known = false;
    lock->held_since = LLONG_MAX;
    ovsdb_idl_set_lock(idl, lock->name);
}

void
nb_lock_destroy(struct nb_lock *lock)
{
    free(lock->name);
}

/* Whether the lock has been held for LOCK_SETTLE_MS. */
static bool
lock_is_ours(struct nb_lock *lock, struct ovsdb_idl *idl)
{
    long long int now = time_msec();
    if (!ovsdb_idl_has_lock(idl)) {
        lock->held_since = LLONG_MAX;
    } else if (lock->held_since == LLONG_MAX) {
        lock->held_since = now;
    }
    if (lock->held_since == LLONG_MAX) {
        return false;
    } else if (now < lock->held_since + LOCK_SETTLE_MS) {
        poll_timer_wait_until(lock->held_since + LOCK_SETTLE_MS);
        return false;
    }
    return true;
}

bool
nb_lock_run(struct nb_lock *lock, struct ovsdb_idl *idl)
{
    bool active = lock_is_ours(lock, idl);
    bool contended = ovsdb_idl_is_lock_contended(idl);
    if (active == lock->active && (lock->known || (!active && !contended))) {
        return false;
    }
    lock->active = active;
    lock->known = true;
    if (active) {
        VLOG_INFO("active: holding NB lock %s", lock->name);
        return false;
    }
    VLOG_INFO("standing by: NB lock %s is %s", lock->name,
              contended ? "another ovs-vnetd's" : "not held");
    return true;
}

void
nb_lock_format(const struct nb_lock *lock, struct ovsdb_idl *idl,
               struct ds *s)
{
    ds_put_format(s, "%s (NB lock %s, %s)",
                  lock->active ? "active" : "standby", lock->name,
                  lock->active ? "held"
                  : ovsdb_idl_is_lock_contended(idl)
                  ? "held by another ovs-vnetd" : "not held yet");
}
