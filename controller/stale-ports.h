/* The ports a reconcile removed from a switch, whose devices (the veth or
 * tap, and the namespace ovs-vnet made for the endpoint) go once ovs-vswitchd
 * has let go of them: once it says it has reconfigured after the removal
 * (its cur_cfg reached the next_cfg that the removal's transaction set), or
 * STALE_PORTS_DELAY_MS after at most (it may be down, or not say).
 * Meanwhile their names stay in use. */
#ifndef VNET_STALE_PORTS_H
#define VNET_STALE_PORTS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct attach_record;
struct sset;
struct switch_db_stale;

#define STALE_PORTS_DELAY_MS 1500

struct stale_ports {
    struct switch_db_stale *ports;
    long long int *due;         /* When each port's devices may go. */
    int64_t *cfg;               /* Each one's next_cfg, 0 if not known. */
    size_t n;
};

void stale_ports_init(struct stale_ports *);
void stale_ports_destroy(struct stale_ports *);

/* Takes the 'n' ports of 'list' (and what they point to, but not 'list'
 * itself), due at 'now' + STALE_PORTS_DELAY_MS; a port already there keeps
 * its time.  Returns true if one of the new ones was a relay tap's. */
bool stale_ports_add(struct stale_ports *, struct switch_db_stale *list,
                     size_t n, long long int now);

/* The transaction that removed the ports added since the last call set
 * ovs-vswitchd's next_cfg to 'cfg'. */
void stale_ports_set_cfg(struct stale_ports *, int64_t cfg);

/* ovs-vswitchd has reconfigured up to 'cur_cfg': the ports removed by then
 * are due at 'now'.  Returns true if one came due so. */
bool stale_ports_release(struct stale_ports *, int64_t cur_cfg,
                         long long int now);

/* Adds to 'in_use' the names of the ports not due at 'now'. */
void stale_ports_in_use(const struct stale_ports *, long long int now,
                        struct sset *in_use);

/* Fills 'records' (room for every port) with the ports due at 'now' that
 * have devices to delete: an endpoint's namespace or tap.  Returns how many.
 * The records point into 'sp': use them before stale_ports_forget_due(). */
size_t stale_ports_due_records(const struct stale_ports *, long long int now,
                               struct attach_record *records);

/* Forgets the ports due at 'now'. */
void stale_ports_forget_due(struct stale_ports *, long long int now);

/* How many ports are due at 'now'. */
size_t stale_ports_n_due(const struct stale_ports *, long long int now);

/* Whether some port is due at 'now'. */
bool stale_ports_any_due(const struct stale_ports *, long long int now);

/* Wakes the poll loop when the next port comes due. */
void stale_ports_wait(const struct stale_ports *);

#ifdef __cplusplus
}
#endif

#endif /* controller/stale-ports.h */
