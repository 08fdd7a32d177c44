/* Reconciling a switch's Open_vSwitch database (switch-db.h): what
 * switch-db.c, its bridges and ports, and switch-db-ids.c, the external_ids
 * of their interfaces, share.  Nothing else includes this. */
#ifndef VNET_SWITCH_DB_PRIVATE_H
#define VNET_SWITCH_DB_PRIVATE_H 1

#include <stdbool.h>
#include <stddef.h>

struct ovsdb_idl;
struct ovsrec_bridge;
struct ovsrec_interface;
struct switch_db_memo;
struct switch_db_port;

/* What an interface's vnet-installed mark is to be. */
enum mark {
    MARK_KEEP,                  /* As it is. */
    MARK_SET,
    MARK_CLEAR,
};

/* Bridge 'name' of 'idl', or NULL. */
const struct ovsrec_bridge *switch_db_find_bridge(const struct ovsdb_idl *,
                                                  const char *name);

/* Makes 'iface' carry the external_ids of 'want' (NULL: none but the mark)
 * of 'owner', and vnet-installed as 'installed' says.  Returns true if it
 * changed anything. */
bool switch_db_sync_ids(const struct ovsrec_interface *iface,
                        const struct switch_db_port *want, const char *owner,
                        enum mark installed);

/* switch_db_sync_ids() of 'want' (the mark kept), unless 'memo' (if
 * nonnull) knows that 'iface' has it already. */
bool switch_db_sync_want_ids(struct switch_db_memo *memo,
                             const struct ovsrec_interface *iface,
                             const struct switch_db_port *want,
                             const char *owner);

/* Forgets the interfaces that 'idl' no longer has, once 'memo' (if nonnull)
 * holds more than twice the 'n' it has. */
void switch_db_memo_prune(struct switch_db_memo *memo,
                          const struct ovsdb_idl *idl, size_t n);

#endif /* controller/switch-db-private.h */
