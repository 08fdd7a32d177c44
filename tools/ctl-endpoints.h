/* ovs-vnet-ctl: which of the NB's Endpoint rows a command line reads, and
 * how.
 *
 * Each command says in its prepare step which Endpoint rows it reads, by the
 * value of one of their columns: ctl_endpoints_where() for rows it needs in
 * the IDL (to change or delete them), ctl_endpoints_lookup() for rows whose
 * values it only compares (a new endpoint against those it could clash
 * with).  A command that names none reads every row.
 *
 * The NB server sends a new connection's monitor a copy of every row of
 * each table it monitors, whatever its condition: with thousands of
 * endpoints that is most of its work for a command.  So when every command
 * of the line only looks rows up (and the NB is one server), the IDL
 * monitors no Endpoint row at all, and the rows looked up are read with one
 * "select" a clause on a connection of their own, after the IDL's first
 * contents (a writer that decides on what it read verifies VNet_Global's
 * nb_cfg, read before them: ctl_decides_on_reads()).  Otherwise they come
 * from the IDL's rows: those the commands named (a condition), or all. */
#ifndef VNET_CTL_ENDPOINTS_H
#define VNET_CTL_ENDPOINTS_H 1

#include <stdbool.h>
#include <stddef.h>

#include "uuid.h"

struct ctl_context;
struct ovsdb_idl;

/* For a command's prepare step (see above).  'column' is "name", "netns",
 * "ip" or "mac". */
void ctl_endpoints_where(struct ctl_context *, const char *column,
                         const char *value);
void ctl_endpoints_lookup(struct ctl_context *, const char *column,
                          const char *value);
/* As ctl_endpoints_lookup(), for rows the command may not need: read only
 * once it asks for them (ctl_endpoints_get_later()). */
void ctl_endpoints_lookup_later(struct ctl_context *, const char *column,
                                const char *value);
/* As ctl_endpoints_lookup(), for rows whose clash with the command's insert
 * the NB's own unique index refuses ('column' "name"): read only for a dry
 * run, which no index checks, and for a try after the NB refused the
 * transaction (ctl_endpoints_retry_on()), so that the command says whose
 * the value is. */
void ctl_endpoints_lookup_indexed(struct ctl_context *, const char *column,
                                  const char *value);

/* An Endpoint row's values, as commands compare them. */
struct ctl_endpoint {
    const char *name;
    const char *netns, *ip, *mac;   /* NULL if not set. */
    struct uuid network;
};

struct ctl_endpoints {
    struct ctl_endpoint *eps;
    size_t n, allocated;
};

/* The Endpoint rows the commands looked up, with those that commands before
 * this one in the line added: every row that could clash with what they
 * named (more rows, if the IDL has more).  Valid until the next call. */
const struct ctl_endpoints *ctl_endpoints_get(struct ovsdb_idl *);
/* The same, with the rows of ctl_endpoints_lookup_later() too. */
const struct ctl_endpoints *ctl_endpoints_get_later(struct ovsdb_idl *);

/* Says that a command inserted an Endpoint row with these values, for the
 * commands after it in the line (copies the strings). */
void ctl_endpoints_added(const char *name, const char *netns,
                         const struct uuid *network, const char *ip,
                         const char *mac);

/* For ovs-vnet-ctl.c, when the NB refused the transaction with 'txn_error':
 * if it may be a clash with a row of ctl_endpoints_lookup_indexed() not
 * read, arranges that every later read reads those rows too and returns
 * true, once: the transaction is to be tried again, and its commands then
 * see the clash and say what it is. */
bool ctl_endpoints_retry_on(const char *txn_error);

/* Makes every read read the rows of ctl_endpoints_lookup_indexed() too: for
 * a dry run. */
void ctl_endpoints_read_indexed(void);

/* For ovs-vnet-ctl.c.  ctl_endpoints_monitor() sets up 'idl', before it
 * connects, for commands of which 'all_named' say which rows they read and
 * 'rows_needed' that some need them in the IDL; 'remote' is the NB's.
 * ctl_endpoints_read() reads the rows looked up, once 'idl' has its
 * contents, and again before each retry of the transaction. */
void ctl_endpoints_monitor(struct ovsdb_idl *idl, bool all_named,
                           bool rows_needed, const char *remote);
void ctl_endpoints_read(void);

#endif /* tools/ctl-endpoints.h */
