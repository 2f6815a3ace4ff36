/* Rows of the store as JSON values (src/store/json.h). */
#include "store/json.h"

#include <math.h>

json_t *gg_column_json(sqlite3_stmt *s, int k)
{
    switch (sqlite3_column_type(s, k)) {
    case SQLITE_NULL: return json_null();
    case SQLITE_INTEGER: return json_integer(sqlite3_column_int64(s, k));
    case SQLITE_FLOAT: return json_real(round(sqlite3_column_double(s, k) * 10) / 10);
    default: return json_string((const char *)sqlite3_column_text(s, k));
    }
}
