/* OVSDB remotes of switches, as ovs-vnet accepts them.
 *
 * A switch is registered by the remote of its Open_vSwitch database: "unix:PATH",
 * "tcp:HOST[:PORT]" or "ssl:HOST[:PORT]" (HOST an IPv4 address or a bracketed IPv6
 * address, PORT 6640 when omitted).  ovs-vnet is always the active side, so passive
 * remotes ("punix:", "ptcp:", "pssl:") are refused with a hint.
 *
 * The parser is pure (no I/O) and shared by ovs-vnet-ctl, which validates before it
 * writes the NB database, and ovs-vnetd, which guards itself against rows written by
 * other clients. */
#ifndef VNET_REMOTE_H
#define VNET_REMOTE_H 1

#include <stdbool.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum vnet_remote_kind {
    VNET_REMOTE_UNIX,
    VNET_REMOTE_TCP,
    VNET_REMOTE_SSL,
};

#define VNET_OVSDB_DEFAULT_PORT 6640

struct vnet_remote {
    enum vnet_remote_kind kind;
    char *path;                 /* VNET_REMOTE_UNIX: socket path, else NULL. */
    char *host;                 /* TCP/SSL: address, without brackets. */
    uint16_t port;              /* TCP/SSL: port. */
    bool ipv6;                  /* TCP/SSL: 'host' is an IPv6 address. */
};

/* Parses 's' into 'r'.  Returns NULL on success (caller then calls
 * vnet_remote_destroy(r)), otherwise a malloc'd error message (caller frees) and
 * leaves 'r' empty. */
char *vnet_remote_parse(const char *s, struct vnet_remote *r);
void vnet_remote_destroy(struct vnet_remote *r);

/* Returns the canonical form of 'r' ("tcp:127.0.0.1:6640"), malloc'd (caller
 * frees). */
char *vnet_remote_to_string(const struct vnet_remote *r);

/* True if 'r' names a switch on this machine: a unix socket or a loopback address. */
bool vnet_remote_is_local(const struct vnet_remote *r);

/* Returns the run directory of the switch behind 'r', malloc'd (caller frees): the
 * folder of the socket for "unix:" remotes, otherwise 'default_rundir'. */
char *vnet_remote_rundir(const struct vnet_remote *r, const char *default_rundir);

/* The run directory of a switch (where its pidfiles and its bridges' OpenFlow
 * sockets are), malloc'd: 'option' (ovs-vnetd's --switch-rundir for it) if
 * not NULL, else vnet_remote_rundir() of its remote 'r' with Open vSwitch's
 * own run directory as the default. */
char *vnet_switch_rundir(const char *option, const struct vnet_remote *r);

/* The NB database that ovs-vnet-ctl and ovs-vnetd use without --db,
 * malloc'd: $OVS_VNET_DB if set, else "unix:" VNET_NB_SOCKET in Open
 * vSwitch's run directory. */
char *vnet_nb_default_remote(void);

#ifdef __cplusplus
}
#endif

#endif /* ovsdb/remote.h */
