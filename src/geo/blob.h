/* Private: SpatiaLite BLOBs: GEOS geometries encoded as such, and their
 * lines read in place. */
#ifndef GG_GEO_BLOB_H
#define GG_GEO_BLOB_H

#include "core/ctx.h"

/* SpatiaLite BLOB of a GEOS geometry with SRID 4326, allocated with the C
 * library's malloc (free with free()). Not the context's allocator: the
 * BLOB is handed to sqlite3_bind_blob, whose destructor takes no user
 * data; and not sqlite3_malloc, whose global statistics mutex made a
 * reader thread and the writer contend on every row. */
gg_status gg_geom_to_blob(gg_ctx *ctx, const GEOSGeometry *geom, unsigned char **blob, int *size);

/* A line or ring of a BLOB, in place: n points, each of stride bytes of
 * doubles (x, y first, then z and/or m), not aligned, byte-swapped from
 * the host's order when swap; turn is 1 for a polygon's shell, -1 for a
 * hole, 0 for a linestring. */
typedef struct gg_blob_line {
    const unsigned char *xy;
    uint32_t n;
    int stride, swap, turn;
} gg_blob_line;

/* x and y of point i of a line. */
void gg_blob_xy(const gg_blob_line *line, uint32_t i, double *x, double *y);

typedef enum gg_blob_kind {
    GG_BLOB_READ = 0, /* read here */
    GG_BLOB_OTHER,    /* a BLOB of a kind not read in place (compressed, TinyPoint): gg_blob_to_geos */
    GG_BLOB_BAD       /* not a SpatiaLite BLOB geometry, or truncated */
} gg_blob_kind;

/* Checks blob (size bytes) whole, then, when it can be read in place,
 * gives its box (min x, min y, max x, max y; box may be NULL) and, when
 * fn is not NULL, calls fn with each of its lines and rings in order
 * (points have none). Never reads outside the size bytes. */
gg_blob_kind gg_blob_lines(const unsigned char *blob, size_t size, double box[4],
                           void (*fn)(void *user, const gg_blob_line *line), void *user);

/* The box a BLOB's header gives (compressed ones too); 0 when it has
 * none (not a BLOB geometry, or a TinyPoint). */
int gg_blob_box(const unsigned char *blob, size_t size, double box[4]);

/* The GEOS geometry (x, y) of any BLOB SpatiaLite reads: built here from
 * the ones read in place, through SpatiaLite's parser and WKB from the
 * others. *out is NULL on failure: GG_ERR_GEOMETRY for a BLOB that is
 * not one or does not make a geometry (an open ring), GG_ERR_NOMEM. */
gg_status gg_blob_to_geos(gg_ctx *ctx, const unsigned char *blob, size_t size, GEOSGeometry **out);

#endif
