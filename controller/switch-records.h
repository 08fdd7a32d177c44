/* Which switches ovs-vnetd drives, kept in a file.
 *
 * A Switch row deleted while no ovs-vnetd runs leaves on its switch all that
 * ovs-vnet made there (the bridge and its ports, the endpoints' namespaces,
 * the underlay bridge holding the tunnel IP, the relay), and the NB no longer
 * says where that switch is.  The file says it: the next ovs-vnetd releases
 * every switch recorded there that the NB no longer has.
 *
 * Several ovs-vnetd on one machine (each with its own --switch) share one
 * file: each replaces only the records of its own switches, under a lock. */
#ifndef CONTROLLER_SWITCH_RECORDS_H
#define CONTROLLER_SWITCH_RECORDS_H 1

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct shash;

/* What it takes to release a switch. */
struct switch_record {
    char *remote;               /* OVSDB remote. */
    char *bridge;               /* Integration bridge. */
    char *datapath_type;        /* "system" or "netdev". */
    bool datapath_auto;         /* Chosen by ovs-vnetd, not configured. */
    char *rundir;               /* The switch's run directory. */
    char *underlay;             /* Interface whose IP its underlay bridge
                                 * may hold, or NULL. */
};

struct switch_record *switch_record_create(const char *remote,
                                           const char *bridge,
                                           const char *datapath_type,
                                           bool datapath_auto,
                                           const char *rundir,
                                           const char *underlay);
void switch_record_destroy(struct switch_record *);
bool switch_record_equals(const struct switch_record *,
                          const struct switch_record *);

/* Reads 'file' into 'records' (switch name -> struct switch_record), which
 * it initializes.  A missing file holds no records.  Returns NULL or an
 * error message (caller frees); 'records' is initialized either way. */
char *switch_records_read(const char *file, struct shash *records);

/* In 'file', replaces the records of the switches for which 'is_mine'
 * returns true by 'mine' (name -> struct switch_record); the others' stay.
 * Returns NULL or an error message (caller frees). */
char *switch_records_update(const char *file,
                            bool (*is_mine)(const char *name),
                            const struct shash *mine);

/* Destroys 'records' and the records in it. */
void switch_records_destroy(struct shash *records);

#ifdef __cplusplus
}
#endif

#endif /* controller/switch-records.h */
