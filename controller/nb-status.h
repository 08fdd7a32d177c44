/* The status ovs-vnetd writes to the NB. */
#ifndef VNET_NB_STATUS_H
#define VNET_NB_STATUS_H 1

#include <stdbool.h>
#include <stdint.h>

struct ovsdb_idl;
struct shash;

/* What the endpoint status written to the NB follows: the NB itself and
 * what every session of 'sessions' (name -> struct switch_session) reports.
 * Never 0: while it stays the same, nb_status_write_endpoints() would write
 * nothing new. */
uint64_t nb_status_endpoint_key(struct ovsdb_idl *nb,
                                const struct shash *sessions);

/* Writes what the sessions say of each endpoint into its NB row (up, ofport,
 * location, last_error), for the endpoints of the switches 'is_mine' says
 * this ovs-vnetd drives. */
void nb_status_write_endpoints(struct ovsdb_idl *nb,
                               const struct shash *sessions,
                               bool (*is_mine)(const char *switch_name));

/* Writes the status of every session into its NB Switch row, where it
 * changed: 'nb_cfg' is the NB's configuration these sessions ran with,
 * 'identity' the controller's ("HOST pid PID"). */
void nb_status_write_switches(struct ovsdb_idl *nb,
                              const struct shash *sessions, int64_t nb_cfg,
                              const char *identity);

#endif /* controller/nb-status.h */
