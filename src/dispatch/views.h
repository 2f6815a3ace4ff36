/* Private: what the JSON views of the dispatch module share. */
#ifndef GG_DISPATCH_VIEWS_H
#define GG_DISPATCH_VIEWS_H

#include <jansson.h>
#include <sqlite3.h>

/* Column k of the current row of s as JSON: null, an integer, a real rounded to
 * a tenth, or a string. */
json_t *gg_column_json(sqlite3_stmt *s, int k);

#endif
