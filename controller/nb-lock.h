/* The NB lock that makes one of several ovs-vnetd for the same switches the
 * active one.
 *
 * Every ovs-vnetd asks the NB for the OVSDB lock of its set of switches
 * ("ovs_vnetd" for one that drives all, "ovs_vnetd_" and a hash of the set
 * given with --switch).  The holder is active and drives the switches; the
 * others stand by.  A lock counts as held once held for a moment: a cluster
 * member that is not the leader may grant one for the instant it takes the
 * IDL to move on to the leader. */
#ifndef VNET_NB_LOCK_H
#define VNET_NB_LOCK_H 1

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ds;
struct ovsdb_idl;
struct sset;

struct nb_lock {
    char *name;
    bool active;
    bool known;                 /* 'active' was logged once. */
    long long int held_since;   /* LLONG_MAX: not held. */
};

/* Asks 'idl' for the lock of 'switches' (all switches, if empty). */
void nb_lock_init(struct nb_lock *, struct ovsdb_idl *idl,
                  const struct sset *switches);
void nb_lock_destroy(struct nb_lock *);

/* Brings 'active' up to date; returns true if this ovs-vnetd has just begun
 * to stand by (which it also does when it first learns that another holds
 * the lock). */
bool nb_lock_run(struct nb_lock *, struct ovsdb_idl *idl);

/* "active (NB lock NAME, held)" or "standby (...)", for status. */
void nb_lock_format(const struct nb_lock *, struct ovsdb_idl *idl,
                    struct ds *);

#ifdef __cplusplus
}
#endif

#endif /* controller/nb-lock.h */
