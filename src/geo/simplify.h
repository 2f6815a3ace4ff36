/* Private: a polygonal coverage simplified edge by edge, so that
 * neighbours keep sharing their common boundary (no gaps, no overlaps). */
#ifndef GG_GEO_SIMPLIFY_H
#define GG_GEO_SIMPLIFY_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

/* Rings of polygons, flat. Ring r has points start[r] .. start[r + 1] - 1
 * of xy (x, y pairs), closed (its last point equals its first); it belongs
 * to polygon poly[r] and is a hole when hole[r]. The rings of a polygon
 * are consecutive, each part's shell before its holes. */
typedef struct gg_ringset {
    size_t n_rings;
    size_t *start;          /* n_rings + 1 entries */
    double *xy;
    uint32_t *poly;
    unsigned char *hole;
    size_t n_points, cap_points, cap_rings, cap_poly, cap_hole;
} gg_ringset;

/* Appends the rings of polygonal g (Polygon or MultiPolygon) as polygon
 * poly. Returns GG_OK, GG_ERR_GEOMETRY (g is not polygonal) or
 * GG_ERR_NOMEM. */
gg_status gg_ringset_add(gg_ctx *ctx, gg_ringset *set, const GEOSGeometry *g, uint32_t poly);
void gg_ringset_clear(gg_ctx *ctx, gg_ringset *set);

/* The rings of polygon poly as a GEOS MultiPolygon (NULL when a ring has
 * fewer than 4 points or GEOS fails). */
GEOSGeometry *gg_ringset_polygon(gg_ctx *ctx, const gg_ringset *set, uint32_t poly);

typedef struct gg_simplify_stats {
    size_t edges;           /* unique edges between junctions, each simplified once */
    size_t points_in, points_out;
    size_t edges_kept;      /* edges given a smaller tolerance, or none, to keep a polygon valid */
} gg_simplify_stats;

/* Simplifies in, the rings of polygons that form a coverage whose
 * neighbours share their common boundary vertex for vertex (vertices on
 * the GG_GRID_DEG grid, as gg_coverage_clean leaves them), into out (which
 * it fills; clear it with gg_ringset_clear). The linework is cut into
 * edges at junctions (vertices with 3 or more distinct neighbours); each
 * edge is simplified once by Douglas-Peucker with tolerance (distances
 * measured with x scaled by x_scale, e.g. cos(latitude) for degrees),
 * its end points fixed, and every ring rebuilt from its edges, so two
 * polygons that shared an edge share its simplified form. A polygon that
 * the simplification would leave invalid (a collapsed or self-crossing
 * ring) gets its edges simplified again with a quarter of the tolerance,
 * and at last not at all. With round_step > 0 the output coordinates are
 * rounded to multiples of it (the same vertex the same way in every ring),
 * part of what is checked: the vertices of an edge kept whole are then
 * written unrounded. tolerance and round_step 0 copy in. stats may be NULL.
 * Returns GG_OK or GG_ERR_NOMEM. Uses ctx's GEOS handle. */
gg_status gg_coverage_simplify(gg_ctx *ctx, const gg_ringset *in, double tolerance, double x_scale,
                               double round_step, gg_ringset *out, gg_simplify_stats *stats);

#endif
