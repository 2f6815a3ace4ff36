/* Private: polygons that tile a region, rebuilt as a clean polygonal
 * coverage on a fixed-precision grid. */
#ifndef GG_GEO_COVERAGE_H
#define GG_GEO_COVERAGE_H

#include <stddef.h>

#include "core/ctx.h"

/* The precision of the project's coordinates, in degrees (about 1.1 cm of
 * latitude): every vertex of a plan's grids, and every imported point, is
 * a multiple of it, rounded by GEOS's fixed precision model. */
#define GG_GRID_DEG 1e-7

/* A point of x, y rounded to the grid exactly as GEOS's overlay rounds a
 * vertex on it: a point imported this way stays a vertex of the grid when
 * the lines are snap-rounded through it. NULL when GEOS fails. */
GEOSGeometry *gg_point_on_grid(GEOSContextHandle_t h, double x, double y);

typedef struct gg_coverage_options {
    double grid;            /* snap-rounding grid, in the coordinates' units (> 0) */
    double snap;            /* 0, or a distance (coordinates' units): before the rounding, the
                               polygons' vertices within it of the region's boundary are moved onto
                               it, and every vertex within it of a polygon's segment is inserted
                               into that segment; the region's boundary never moves. Closes slivers
                               narrower than it between nearly coincident lines */
    double mx, my;          /* metres per coordinate unit in x and y, for areas */
    double part_min_m2;     /* a part of a polygon smaller than this joins the neighbour it
                               shares most boundary with */
    int contiguous;         /* every part but a polygon's largest joins the neighbour it shares most
                               boundary with (a part that shares none, an island, stays) */
    const double *pin_x, *pin_y; /* points (borrowed; on the grid) that the result must cover: each one
                                    within 0.75 grid steps of the region's boundary is made a vertex of it,
                                    so that the snap-rounding cannot leave it outside */
    size_t n_pins;
} gg_coverage_options;

/* What a clean-up did, for the caller's report. */
typedef struct gg_coverage_stats {
    size_t faces;           /* faces of the noded linework inside the region */
    size_t gap_faces;       /* faces no input polygon held, given to a neighbour */
    size_t parts_moved;     /* parts below part_min_m2, or detached (contiguous), given to a neighbour */
    size_t emptied;         /* polygons left with no area (their entries set to NULL) */
} gg_coverage_stats;

/* Rebuilds polys[0..n), polygons that tile region up to overlay noise,
 * as a clean coverage of region: every vertex on the grid of spacing
 * o->grid; the boundaries of the region and of all polygons snap-rounded
 * and noded together (GEOS OverlayNG), so that neighbours share their
 * common boundary vertex for vertex and no ring doubles back (a spike
 * becomes a dangling edge of the noded linework, which the polygonizer
 * drops); each face of that linework given to the input polygon that
 * holds it (a face no polygon holds, a gap, to the neighbour it shares
 * most boundary with; faces outside the region dropped); the faces of a
 * polygon merged by coverage union; parts below o->part_min_m2 (and with
 * o->contiguous every part but a polygon's largest) given to the
 * neighbour they share most boundary with.
 *
 * polys: in/out, each owned: replaced by its clean MultiPolygon, or set to
 * NULL when nothing of it is left. region: borrowed. stats: optional out.
 * Returns GG_OK, GG_ERR_GEOMETRY (GEOS failed; polys unchanged), or
 * GG_ERR_NOMEM. Uses ctx's GEOS handle: one thread per ctx. */
gg_status gg_coverage_clean(gg_ctx *ctx, const GEOSGeometry *region, GEOSGeometry **polys, size_t n,
                            const gg_coverage_options *o, gg_coverage_stats *stats);

/* Appends the segments of every line or ring in g (nested collections
 * and polygons' rings through GEOSBoundary first) to *xy as x0 y0 x1 y1,
 * scaled by mx, my; *n counts segments, *cap the doubles allocated.
 * Returns GG_OK or GG_ERR_NOMEM. */
gg_status gg_geom_segments(gg_ctx *ctx, const GEOSGeometry *g, double mx, double my, double **xy, size_t *n,
                           size_t *cap);

/* The spikes of polygonal g: vertices where a ring runs back along itself,
 * the shorter leg longer than 2 tol_m and its far end within tol_m of the
 * longer leg's line (a step of a pixel or two at a sharp corner is not a
 * spike). Coordinates are scaled by mx, my to metres (1, 1 for a metric
 * CRS). Returns their number; *x, *y (may be NULL) receive the first, in
 * g's coordinates. */
int gg_geom_spikes(GEOSContextHandle_t h, const GEOSGeometry *g, double mx, double my, double tol_m, double *x,
                   double *y);

#endif
