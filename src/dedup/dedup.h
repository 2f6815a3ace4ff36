/* Private: the state of one comparison of departmental grids with a plan,
 * shared by the files of src/dedup/. */
#ifndef GG_DEDUP_DEDUP_H
#define GG_DEDUP_DEDUP_H

#include "core/ctx.h"
#include "geo/polyindex.h"
#include "govgrid/dedup.h"
#include "store/store.h"

/* The local frame: x = (lon - lon0) * kx, y = (lat - lat0) * ky, in metres
 * at latitude lat0 (the middle of the data). An affine map, so it keeps
 * straight edges straight and every point-in-polygon answer, and its
 * inverse is exact up to rounding. Areas are corrected to the latitude of
 * each piece (frame_area). */
typedef struct gg_frame {
    double lon0, lat0, kx, ky;
} gg_frame;

void gg_frame_init(gg_frame *f, double lon0, double lat0);
/* g (EPSG:4326) in the frame, or back; NULL when out of memory. */
GEOSGeometry *gg_frame_from_lonlat(GEOSContextHandle_t h, const gg_frame *f, const GEOSGeometry *g);
GEOSGeometry *gg_frame_to_lonlat(GEOSContextHandle_t h, const gg_frame *f, const GEOSGeometry *g);
/* The area of g on the ellipsoid, m2: its area in the frame scaled to
 * the latitude of its centre. */
double gg_frame_area(GEOSContextHandle_t h, const gg_frame *f, const GEOSGeometry *g);
/* Is polygonal g noise: no wider than tolerance_m (its largest inscribed
 * circle has a radius of at most tolerance_m)? area_m2 and length_m may be
 * given (< 0: computed). An empty or NULL g is noise. */
int gg_frame_noise(gg_ctx *ctx, const GEOSGeometry *g, double tolerance_m, double area_m2, double length_m);

/* A uniform grid of buckets over boxes (or points), for "which boxes meet
 * this box": read-only once built, so threads share it. */
typedef struct gg_boxgrid {
    double x0, y0, cell;
    int32_t nx, ny;
    uint32_t *start;            /* nx * ny + 1 */
    uint32_t *items;
} gg_boxgrid;

/* boxes: n times minx, miny, maxx, maxy. */
gg_status gg_boxgrid_build(gg_ctx *ctx, gg_boxgrid *g, const double *boxes, size_t n, double per_cell);
/* Calls fn for every item whose bucket range meets box; an item spanning
 * several buckets is passed once (the bucket holding the query box's
 * corner nearest... see boxgrid.c). fn returns nonzero to stop. */
typedef int (*gg_boxgrid_fn)(void *user, uint32_t item);
void gg_boxgrid_query(const gg_boxgrid *g, const double *boxes, const double box[4], gg_boxgrid_fn fn, void *user);
void gg_boxgrid_free(gg_ctx *ctx, gg_boxgrid *g);

/* The items of a bucket grid whose boxes meet box, in increasing order,
 * into ids->v (ids->n of them; free ids->v with gg_free). */
typedef struct gg_dd_ids {
    uint32_t *v;
    size_t n, cap;
} gg_dd_ids;
gg_status gg_dd_ids_near(gg_ctx *ctx, const gg_boxgrid *g, const double *boxes, const double box[4], gg_dd_ids *ids);

/* Household points in the frame. */
typedef struct gg_hh_points {
    size_t n;
    double *x, *y;
    int64_t *count;
    int32_t *grid;              /* the unified grid (boundary rule), -1 none */
    /* points by grid: order[grid_start[g] .. grid_start[g + 1]); points
     * in no grid after grid_start[n_grids] */
    uint32_t *order;
    uint32_t *grid_start;       /* n_grids + 2 */
    double *boxes;              /* a degenerate box per point, for the bucket grid */
    gg_boxgrid buckets;         /* every point */
} gg_hh_points;

typedef struct gg_dd_grid {
    GEOSGeometry *geom;         /* frame */
    double box[4];
    double area_m2, length_m;
    /* the grid less its erosion by the tolerance (all of it when nothing
     * is left): the most a departmental grid that does not reach the
     * erosion can hold of it */
    double band_m2;
} gg_dd_grid;

typedef struct gg_dd_dept_grid {
    GEOSGeometry *geom;         /* frame; NULL when invalid beyond repair */
    unsigned char *blob;        /* the SpatiaLite BLOB (lon/lat) as read, until gg_dd_prepare_dept_grid
                                   parses it */
    size_t blob_size;
    double area_m2, length_m;
    double area_frame;          /* its area in the frame */
    int32_t dept;               /* index in the result's depts */
} gg_dd_dept_grid;

typedef struct gg_dd_community {
    char *code;
} gg_dd_community;

/* A conflict piece while it is being made: geometry in the frame. */
typedef struct gg_dd_piece {
    gg_conflict_kind kind;
    int32_t dept;               /* index in the result's depts */
    size_t item;                /* the departmental grid (overlap: the first; gap: none) */
    size_t other;               /* overlap: the second grid's item; cut: the unified grid */
    int32_t community;          /* gap: the community; -1 */
    GEOSGeometry *geom;
    double area_m2;
    int64_t households;
} gg_dd_piece;

typedef struct gg_dedup {
    gg_ctx *ctx;
    gg_store *store;
    gg_dedup_options opts;
    gg_frame frame;
    gg_dedup_result *result;
    gg_dd_grid *grids;          /* as result->grids */
    double *grid_boxes;
    gg_boxgrid grid_index;
    gg_dd_dept_grid *dgrids;    /* as result->items */
    double *dgrid_boxes;
    gg_boxgrid dgrid_index;
    /* the plan's outline: grid edges that are not the exact reverse of
     * another grid's edge, as boxes (frame) */
    double *outline_boxes;
    gg_seg *outline_segs;       /* the same edges */
    size_t n_outline;
    gg_boxgrid outline_index;
    GEOSGeometry **eroded;      /* per grid: the grid less tolerance_m, NULL when nothing is left */
    /* per grid, the boundaries of the grid and of its erosion (empty when
     * nothing is left) in buckets, shared by the threads */
    gg_polyindex *grid_ix, *eroded_ix;
    gg_dd_community *communities; /* by code */
    size_t n_communities;
    int32_t *grid_community;    /* per grid: index in communities, -1 */
    gg_hh_points hh;
    /* the grids of each community: community_grids[community_start[k] ..
     * community_start[k + 1]) */
    uint32_t *community_start, *community_grids;
    /* after the crosswalk, per department d and grid g (d * n_grids + g):
     * the items of d touching g, touch_items[touch_start[dg] ..
     * touch_start[dg + 1]), and whether one of them holds g whole */
    uint32_t *touch_start, *touch_items;
    char *whole_by;
    /* per item, the communities it covers (more than noise of): from the crosswalk */
    int32_t **item_communities;
    size_t *n_item_communities;
    /* per item, from the crosswalk: wholly inside the plan, and every
     * unified grid it touches either whole (up to noise) or a sliver */
    char *item_clean;
    char *item_inside;          /* wholly inside the plan (the crosswalk's fast path) */
    /* cut and outside pieces per item, from the crosswalk */
    gg_dd_piece **item_pieces;
    size_t *n_item_pieces;
} gg_dedup;

/* load.c: the plan, its communities, the household points with their
 * grids (through the locator), the departmental grids (in lon/lat). */
gg_status gg_dd_load(gg_dedup *dd);
/* The unified grid of each household point in [from, to) (the locator's
 * rule: inside or on the boundary, dedicated grids first, then by code),
 * from the grids' indexes; any thread, once they are built. */
void gg_dd_locate_households(const gg_dedup *dd, size_t from, size_t to);
/* Then, once every point's is, the points by grid and each grid's households. */
gg_status gg_dd_group_households(gg_dedup *dd);
/* Moves departmental grid item into the frame, checks it and repairs it
 * (any thread, its own context), */
gg_status gg_dd_prepare_dept_grid(gg_ctx *ctx, gg_dedup *dd, size_t item);
/* then, once all are, their boxes and bucket grid. */
gg_status gg_dd_index_dept_grids(gg_dedup *dd);
/* Households (sum of counts) of the points covered by g (frame), among
 * the points of unified grid grid (-2: every point; -1: those in none)
 * within box. ix is g's boundary in buckets, or NULL (then made here). -1
 * when out of memory (the message in ctx). */
int64_t gg_dd_households_in(gg_ctx *ctx, const gg_dedup *dd, const GEOSGeometry *g, const gg_polyindex *ix,
                            int32_t grid, const double box[4]);
void gg_geom_box(GEOSContextHandle_t h, const GEOSGeometry *g, double box[4]);

/* crosswalk.c: one departmental grid against the plan. h is the calling
 * thread's GEOS handle and grids its own copies of the plan's geometries
 * (GEOS geometries cache their envelopes lazily, so threads do not share
 * them), eroded its copies of dd->eroded. Fills result->items[item] and the item's pieces and communities. */
gg_status gg_dd_crosswalk(gg_ctx *ctx, gg_dedup *dd, GEOSGeometry *const *grids, GEOSGeometry *const *eroded,
                          size_t item);
/* The grid less the tolerance (a negative buffer; round joins, whose
 * chords keep it a little larger than the exact erosion, as the tests
 * that use it need); NULL when nothing is left or it failed. */
GEOSGeometry *gg_dd_erode(GEOSContextHandle_t h, const GEOSGeometry *g, double tolerance_m);

/* coverage.c: overlaps between item and the later grids of its
 * department; the gaps of one department in one community; duplicates of
 * item among the later grids of other departments. dgrids are the calling
 * thread's copies of the departmental geometries. Pieces (frame) are
 * appended to *pieces; *noise counts those set aside as noise. */
gg_status gg_dd_overlaps(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, size_t item,
                         gg_dd_piece **pieces, size_t *n_pieces, size_t *cap_pieces, size_t *noise);
gg_status gg_dd_gaps(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, GEOSGeometry *const *grids,
                     size_t dept, size_t community,
                     gg_dd_piece **pieces, size_t *n_pieces, size_t *cap_pieces, size_t *noise);
gg_status gg_dd_duplicates(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, size_t item,
                           gg_dedup_duplicate **dups, size_t *n_dups, size_t *cap_dups);

/* Turns a frame piece into a result conflict (WKB in EPSG:4326). */
gg_status gg_dd_conflict_from_piece(gg_ctx *ctx, gg_dedup *dd, const gg_dd_piece *p, gg_dedup_conflict *c);

/* a op b (difference when difference is set, else intersection), its
 * polygons; with a fallback at a millimetre's precision when GEOS's
 * floating overlay fails. NULL on failure (the message in ctx). */
GEOSGeometry *gg_dd_overlay(gg_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b, int difference);

#endif
