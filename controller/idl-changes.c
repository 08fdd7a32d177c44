#include <config.h>
#include "controller/idl-changes.h"

#include "ovsdb-idl.h"
#include "ovsdb-idl-provider.h"

bool
idl_changes_only(struct ovsdb_idl *idl, const struct ovsdb_idl_column *only,
                 idl_changes_accept_func *accept, void *aux)
{
    const struct ovsdb_idl_class *class = ovsdb_idl_get_class(idl);
    bool any = false;
    for (size_t t = 0; t < class->n_tables; t++) {
        const struct ovsdb_idl_table_class *tc = &class->tables[t];
        const struct ovsdb_idl_row *row;
        for (row = ovsdb_idl_track_get_first(idl, tc); row;
             row = ovsdb_idl_track_get_next(row)) {
            if (ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_INSERT)
                || ovsdb_idl_row_get_seqno(row, OVSDB_IDL_CHANGE_DELETE)) {
                return false;
            }
            bool updated = false;
            for (size_t c = 0; c < tc->n_columns; c++) {
                const struct ovsdb_idl_column *column = &tc->columns[c];
                if (ovsdb_idl_track_is_updated(row, column)) {
                    if (column != only) {
                        return false;
                    }
                    updated = true;
                }
            }
            if (updated) {
                if (!accept(row, aux)) {
                    return false;
                }
                any = true;
            }
        }
    }
    return any;
}
