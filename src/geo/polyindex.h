/* Private: the boundary of a polygon in buckets, for locating points and
 * for "do two polygons meet" without the set-up GEOS's prepared geometry
 * makes of the other operand on every call. Read-only once built, so
 * threads share one. */
#ifndef GG_GEO_POLYINDEX_H
#define GG_GEO_POLYINDEX_H

#include "core/ctx.h"

typedef struct gg_seg {
    double x0, y0, x1, y1;
} gg_seg;

typedef struct gg_polyindex {
    gg_seg *s;                  /* every ring's segments, ring after ring (no zero-length ones) */
    size_t n;
    uint32_t *ring_start;       /* ring k: s[ring_start[k] .. ring_start[k + 1]) */
    size_t n_rings;
    double box[4];              /* minx, miny, maxx, maxy of the segments */
    double bx, by, b, pad;      /* the buckets' origin and side; the margin a segment is entered with */
    int32_t nx, ny;
    uint32_t *start, *items;    /* bucket k: items[start[k] .. start[k + 1]) */
} gg_polyindex;

/* The rings of polygonal g (a Polygon or MultiPolygon, planar
 * coordinates) in buckets of side cell (<= 0: about one segment a bucket;
 * never more than a few buckets a segment). A segment is entered in the
 * buckets it passes through, row by row. GG_ERR_NOMEM or GG_ERR_GEOMETRY
 * (not polygonal), with the message in ctx. */
gg_status gg_polyindex_build(gg_ctx *ctx, const GEOSGeometry *g, double cell, gg_polyindex *ix);
void gg_polyindex_free(gg_ctx *ctx, gg_polyindex *ix);

/* 1 when (x, y) lies inside the polygon, 0 on its boundary, -1 outside
 * (crossings of the ray to +x, half-open in y). */
int gg_polyindex_locate(const gg_polyindex *ix, double x, double y);

/* Does segment e meet the boundary (touching counts)? */
int gg_polyindex_meets_segment(const gg_polyindex *ix, const gg_seg *e);

/* Do the two polygons share a point (boundaries touching counts), as
 * GEOS's intersects? Either the boundaries meet, or one ring of one lies
 * wholly inside the other. Orientation tests are in plain floating point:
 * exact for shared vertices and edges, and in doubt only for a crossing
 * within rounding of a vertex. */
int gg_polyindex_meets(const gg_polyindex *a, const gg_polyindex *b);

/* Does polygon a cover polygon b? 1 when it does and the boundaries do
 * not meet; 0 when it does not (b's box is not in a's, or the boundaries
 * do not meet and b is not inside a); -1 when the boundaries meet and the
 * boxes nest (then only an exact predicate can tell). */
int gg_polyindex_covers(const gg_polyindex *a, const gg_polyindex *b);

#endif
