#include <config.h>
#include "controller/idl-changes.h"

#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"

bool
idl_changes_each(struct ovsdb_idl *idl, idl_changes_row_func *accept,
                 void *aux)
{
    const struct ovsdb_idl_class *class = ovsdb_idl_get_class(idl);
    bool any = false;
    for (size_t t = 0; t < class->n_tables; t++) {
        const struct ovsdb_idl_table_class *tc = &class->tables[t];
        const struct ovsdb_idl_row *row;
        for (row = ovsdb_idl_track_get_first(idl, tc); row;
             row = ovsdb_idl_track_get_next(row)) {
            bool changed = (ovsdb_idl_row_get_seqno(row,
                                                    OVSDB_IDL_CHANGE_INSERT)
                            || ovsdb_idl_row_get_seqno(
                                row, OVSDB_IDL_CHANGE_DELETE));
            for (size_t c = 0; !changed && c < tc->n_columns; c++) {
                changed = ovsdb_idl_track_is_updated(row, &tc->columns[c]);
            }
            if (changed) {
                if (!accept(row, tc, aux)) {
                    return false;
                }
                any = true;
            }
        }
    }
    return any;
}

/* Notes that there is a row and stops the walk. */
static bool
note_any(const struct ovsdb_idl_row *row OVS_UNUSED,
         const struct ovsdb_idl_table_class *tc OVS_UNUSED, void *any_)
{
    bool *any = any_;
    *any = true;
    return false;
}

bool
idl_changes_any(struct ovsdb_idl *idl)
{
    bool any = false;
    idl_changes_each(idl, note_any, &any);
    return any;
}

enum idl_news
idl_changes_since(struct ovsdb_idl *idl, unsigned int *seqno)
{
    unsigned int now = ovsdb_idl_get_seqno(idl);
    if (now == *seqno) {
        return IDL_NEWS_NONE;
    }
    *seqno = now;
    return idl_changes_any(idl) ? IDL_NEWS_TRACKED : IDL_NEWS_UNTRACKED;
}

bool
idl_row_other_updated(const struct ovsdb_idl_row *row,
                      const struct ovsdb_idl_table_class *tc,
                      const struct ovsdb_idl_column *column)
{
    for (size_t c = 0; c < tc->n_columns; c++) {
        if (&tc->columns[c] != column
            && ovsdb_idl_track_is_updated(row, &tc->columns[c])) {
            return true;
        }
    }
    return false;
}

struct only_column {
    const struct ovsdb_idl_column *column;
    idl_changes_accept_func *accept;
    void *aux;
};

static bool
only_column(const struct ovsdb_idl_row *row,
            const struct ovsdb_idl_table_class *tc, void *oc_)
{
    const struct only_column *oc = oc_;
    if (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT)
        || ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE)) {
        return false;
    }
    return (!idl_row_other_updated(row, tc, oc->column)
            && oc->accept(row, oc->aux));
}

bool
idl_changes_only(struct ovsdb_idl *idl, const struct ovsdb_idl_column *only,
                 idl_changes_accept_func *accept, void *aux)
{
    struct only_column oc = { .column = only, .accept = accept, .aux = aux };
    return idl_changes_each(idl, only_column, &oc);
}
