/* Private: rows of the store as JSON values, for the views that answer
 * with them (src/view, src/incident). */
#ifndef GG_STORE_JSON_H
#define GG_STORE_JSON_H

#include <jansson.h>
#include <sqlite3.h>

/* Column k of the current row of s as JSON: null, an integer, a real rounded to
 * a tenth, or a string. */
json_t *gg_column_json(sqlite3_stmt *s, int k);

#endif
