/* Keeping an IDL session to a clustered NB lively.  Given several servers
 * ("unix:a,unix:b,..."), the IDL of Open vSwitch 3.1 doubles its
 * reconnection backoff, up to 8 s, each time it meets a server it cannot use
 * (down, or not the leader while an election runs).  nb_session_run()
 * starts a fresh session, which tries every server at once again, after
 * each NB_SESSION_RETRY_MS without a connection.  Shared by ovs-vnet-ctl and
 * ovs-vnetd. */
#ifndef VNET_NB_SESSION_H
#define VNET_NB_SESSION_H 1

#include <stdbool.h>

#define NB_SESSION_RETRY_MS 1000

struct ovsdb_idl;

struct nb_session {
    const char *remote;         /* As given (not copied). */
    long long int down_since;   /* Not connected since (LLONG_MAX: is). */
    bool rotated;               /* The list was last set rotated. */
};

void nb_session_init(struct nb_session *, const char *remote);

/* Call after ovsdb_idl_run(). */
void nb_session_run(struct nb_session *, struct ovsdb_idl *);
/* Call before blocking. */
void nb_session_wait(const struct nb_session *);

#endif /* ovsdb/nb-session.h */
