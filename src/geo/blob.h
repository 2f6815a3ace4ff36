/* Private: encoding GEOS geometries as SpatiaLite BLOBs. */
#ifndef GG_GEO_BLOB_H
#define GG_GEO_BLOB_H

#include "core/ctx.h"

/* SpatiaLite BLOB of a GEOS geometry with SRID 4326, allocated with the C
 * library's malloc (free with free()). Not the context's allocator: the
 * BLOB is handed to sqlite3_bind_blob, whose destructor takes no user
 * data; and not sqlite3_malloc, whose global statistics mutex made a
 * reader thread and the writer contend on every row. */
gg_status gg_geom_to_blob(gg_ctx *ctx, const GEOSGeometry *geom, unsigned char **blob, int *size);

#endif
