/* What an IDL's change tracking (ovsdb_idl_track_*) says since it was last
 * cleared, for nb-news.c and switch-news.c: whether every change is of one
 * kind that a reader can let pass. */
#ifndef VNET_IDL_CHANGES_H
#define VNET_IDL_CHANGES_H 1

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ovsdb_idl;
struct ovsdb_idl_column;
struct ovsdb_idl_row;

struct ovsdb_idl_table_class;

/* True if at least one row is tracked in 'idl' as changed (inserted,
 * deleted, or with a column updated) and 'accept' takes every such row,
 * given with its table.  (A row tracked with nothing of its own changed
 * refers to a changed row, which is looked at itself.) */
typedef bool idl_changes_row_func(const struct ovsdb_idl_row *,
                                  const struct ovsdb_idl_table_class *,
                                  void *aux);
bool idl_changes_each(struct ovsdb_idl *, idl_changes_row_func *accept,
                      void *aux);

/* True if at least one row is tracked in 'idl' as changed (as
 * idl_changes_each() counts them).  Nothing tracked after the IDL's sequence
 * number moved is a change that tracking does not say (a new connection's
 * first reply, a lock granted): a reader may have to look at everything. */
bool idl_changes_any(struct ovsdb_idl *);

/* What changed in 'idl' since '*seqno', its sequence number when last asked
 * (updated): nothing, rows its change tracking names, or something the
 * tracking does not say (as above). */
enum idl_news {
    IDL_NEWS_NONE,
    IDL_NEWS_TRACKED,
    IDL_NEWS_UNTRACKED,
};
enum idl_news idl_changes_since(struct ovsdb_idl *, unsigned int *seqno);

/* Whether row 'row' of table 'tc' is tracked with a column other than
 * 'column' updated. */
bool idl_row_other_updated(const struct ovsdb_idl_row *row,
                           const struct ovsdb_idl_table_class *tc,
                           const struct ovsdb_idl_column *column);

typedef bool idl_changes_accept_func(const struct ovsdb_idl_row *, void *aux);

/* True if at least one change is tracked in 'idl' and every one is an
 * update of 'column' alone in a row that 'accept' takes: no row inserted or
 * deleted, no other column updated. */
bool idl_changes_only(struct ovsdb_idl *, const struct ovsdb_idl_column *,
                      idl_changes_accept_func *accept, void *aux);

#ifdef __cplusplus
}
#endif

#endif /* controller/idl-changes.h */
