/* Private: a catalogue item's Open311 attributes (the facts a report of
 * that item must or may carry), declared in the catalogue CSV's
 * "attributes" column as a JSON array of GeoReport v2 attribute
 * definitions:
 *   [{"code": "stage", "datatype": "singlevaluelist", "required": true,
 *     "description": "施工进度", "values": [{"key": "base", "name": "地基"}, ...]},
 *    {"code": "floors", "datatype": "number", "description": "加建层数"}]
 * code: 1-40 letters, digits, '_' or '-', starting with a letter, unique in
 * the item; datatype:
 * string, number, datetime, text, singlevaluelist or multivaluelist;
 * required (default false), variable (default true), order (default: the
 * position, from 1), datatype_description (default ""), description
 * (required), values (list types only, and required there: 1-200 distinct
 * keys, each with a name). */
#ifndef GG_INCIDENT_ATTRIBUTES_H
#define GG_INCIDENT_ATTRIBUTES_H

#include <stddef.h>

#include "govgrid/core.h"

/* Checks a declaration and writes it back whole (every member, in the
 * spec's order) into *normal (malloc'ed; NULL for an empty text). Returns
 * 1, or 0 with why filled in ("attribute 2 (floors): datatype 'int' is
 * not string, number, ..."). */
int gg_attributes_normalise(const char *text, char **normal, char *why, size_t why_size);

#endif
