/* One network (一张网): departmental grids folded into the unified plan.
 *
 * Every departmental grid (the dept_grid table, imported with
 * `govgrid import PROJECT dept-grids FILE`) is overlaid on a plan's grids:
 * which unified grids it touches, with the share of its area and of its
 * households in each; how it relates to them; and the set of whole unified
 * grids that best replaces it. Per department, the overlaps between its
 * own grids and the gaps it leaves inside the communities it covers; across
 * departments, the pairs of grids covering the same ground.
 *
 * Digitising noise: two boundaries drawn by different hands never
 * coincide, so a piece of one grid against another (an intersection, a
 * difference, an overlap, a gap) no wider than the tolerance, that is whose
 * largest inscribed circle has a radius of at most tolerance_m, is noise:
 * it does not make a relation, a conflict, an overlap or a gap. Its area
 * and households still count in the shares.
 *
 * Relations, decided in this order:
 *   outside    it covers ground (more than noise) that no unified grid
 *              covers (outside_area_m2; the piece is a conflict of kind
 *              "outside"); its touches and replacement are still given;
 *   equal      its IoU with one unified grid is at least equal_iou, or it
 *              is that one grid within the tolerance;
 *   union-of   within the tolerance it is the union of two or more whole
 *              unified grids;
 *   part-of    within the tolerance it lies inside one unified grid;
 *   cuts       anything else: it cuts through unified grids, the conflict
 *              a planner must settle (each cut piece is listed).
 *
 * Replacement: the whole unified grids that make the fewest households
 * change hands, i.e. each touched grid whose households are more in the
 * departmental grid than out of it (ties: more area in than out); when no
 * grid qualifies, the one grid with most households in common, then most
 * area. households_gained are those the replacement adds, households_lost
 * those of the departmental grid it leaves out.
 *
 * Areas are square metres on the ellipsoid (WGS 84), computed in a local
 * frame (docs/architecture.md, Dedup). A household point counts in every
 * polygon that covers it (its boundary included); a point's unified grid is
 * the one the locator's boundary rule gives.
 *
 * Invalid departmental geometry is repaired (GEOS make-valid) and listed;
 * one that cannot be repaired is kept in the result with relation
 * GG_RELATION_INVALID and the reason. Nothing is dropped. */
#ifndef GOVGRID_DEDUP_H
#define GOVGRID_DEDUP_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gg_relation {
    GG_RELATION_EQUAL = 0,
    GG_RELATION_UNION_OF,
    GG_RELATION_PART_OF,
    GG_RELATION_CUTS,
    GG_RELATION_OUTSIDE,
    GG_RELATION_INVALID         /* geometry that could not be repaired */
} gg_relation;
#define GG_RELATION_COUNT 6

/* "equal", "union-of", "part-of", "cuts", "outside", "invalid". */
GG_API const char *gg_relation_name(gg_relation relation);

typedef struct gg_dedup_options {
    int64_t plan;               /* 0: the active plan (the published one, else the newest) */
    const char *const *depts;   /* only these departments (NULL or n_depts 0: all) */
    size_t n_depts;
    double equal_iou;           /* 0.9 */
    double tolerance_m;         /* 5 */
    int jobs;                   /* worker threads; 1 */
} gg_dedup_options;

GG_API void gg_dedup_options_init(gg_dedup_options *opts);

/* A unified grid of the plan, as the result refers to it. */
typedef struct gg_dedup_grid {
    char *code;
    char *community;
    int type;
    double area_m2;
    int64_t households;
} gg_dedup_grid;

/* A unified grid that a departmental grid touches. */
typedef struct gg_dedup_touch {
    int32_t grid;               /* index in gg_dedup_result.grids */
    double area_m2;             /* of the intersection; for a grid held whole up to noise, the grid's
                                   own; NAN for a sliver that was found to be noise without cutting it */
    double area_share;          /* of the departmental grid's area (NAN with area_m2) */
    double grid_share;          /* of the unified grid's area (NAN with area_m2) */
    int64_t households;         /* in the intersection */
    double household_share;     /* of the departmental grid's households (0 when it has none) */
    int noise;                  /* the intersection is noise (a sliver along a boundary) */
    int whole;                  /* the unified grid lies within it, up to noise */
    int replacement;            /* in the proposed replacement */
} gg_dedup_touch;

typedef struct gg_dedup_item {
    char *dept, *id, *name;
    int64_t fid;                /* dept_grid row */
    gg_relation relation;
    double area_m2;
    int64_t households;
    double iou;                 /* the largest IoU with one unified grid (with a grid it holds whole up
                                   to slivers that were not cut, the IoU of the two areas) */
    int32_t best_grid;          /* that grid, -1 none */
    double outside_area_m2;     /* in no unified grid (noise included) */
    int64_t outside_households;
    gg_dedup_touch *touches;    /* largest intersection first */
    size_t n_touches;
    int64_t households_gained, households_lost;
    char *repair;               /* what was wrong and repaired, or why it is invalid; NULL: valid */
} gg_dedup_item;

typedef enum gg_conflict_kind {
    GG_CONFLICT_CUT = 0,        /* a piece of a unified grid that a departmental grid cuts off */
    GG_CONFLICT_OVERLAP,        /* ground two grids of one department both cover */
    GG_CONFLICT_GAP,            /* ground of a covered community no grid of the department covers */
    GG_CONFLICT_OUTSIDE         /* ground of a departmental grid that no unified grid covers */
} gg_conflict_kind;

/* "cut", "overlap", "gap", "outside". */
GG_API const char *gg_conflict_kind_name(gg_conflict_kind kind);

typedef struct gg_dedup_conflict {
    gg_conflict_kind kind;
    char *dept;
    char *dept_grid_id;         /* NULL for a gap */
    char *other;                /* cut: the unified code; overlap: the other grid's id; else NULL */
    char *community;            /* gap: its community; cut: the cut grid's; overlap, outside: that of
                                   the departmental grid's best unified grid; NULL: none */
    double area_m2;
    int64_t households;
    unsigned char *wkb;         /* MultiPolygon, EPSG:4326, ISO WKB little-endian */
    size_t wkb_size;
} gg_dedup_conflict;

/* Two grids of different departments covering the same ground. */
typedef struct gg_dedup_duplicate {
    size_t a, b;                /* indices in gg_dedup_result.items; a's department sorts first */
    double iou;
    double area_m2;             /* of their intersection */
    int measured;               /* 1: cut exactly; 0: both hold the same whole unified grids up to
                                   noise, and iou and area_m2 are those grids' */
} gg_dedup_duplicate;

typedef struct gg_dedup_dept {
    char *dept;
    size_t n_grids;
    size_t by_relation[GG_RELATION_COUNT];
    size_t n_repaired;
    size_t communities_covered;
    size_t n_overlaps;
    double overlap_area_m2;
    int64_t overlap_households;
    size_t n_gaps;
    double gap_area_m2;
    int64_t gap_households;
    size_t n_cuts;
    double area_m2;
    int64_t households;
    int64_t households_changing_hands; /* gained + lost, over its grids */
} gg_dedup_dept;

typedef struct gg_dedup_result {
    int64_t plan;
    double equal_iou, tolerance_m;
    gg_dedup_grid *grids;
    size_t n_grids;
    gg_dedup_item *items;       /* by department, then id */
    size_t n_items;
    gg_dedup_conflict *conflicts; /* by department, kind, then id */
    size_t n_conflicts;
    gg_dedup_duplicate *duplicates;
    size_t n_duplicates;
    gg_dedup_dept *depts;       /* by name */
    size_t n_depts;
    size_t noise_pieces;        /* overlaps and gaps set aside as noise */
} gg_dedup_result;

/* Compares the departmental grids with plan opts->plan. *out receives a
 * result owned by the caller (gg_dedup_result_free with the same context).
 * Progress stages "dedup: households", "dedup: crosswalk", "dedup:
 * coverage". Returns GG_OK, GG_ERR_ARG (bad options), GG_ERR_NOT_FOUND (no
 * such plan; no departmental grid, or a department asked for that has
 * none), GG_ERR_GEOMETRY, GG_ERR_STORE, GG_ERR_NOMEM, GG_ERR_CANCELLED. */
GG_API gg_status gg_dedup_run(gg_ctx *ctx, gg_store *store, const gg_dedup_options *opts, gg_dedup_result **out);

GG_API void gg_dedup_result_free(gg_ctx *ctx, gg_dedup_result *result);

typedef struct gg_dedup_write_options {
    int maps;                   /* draw map-DEPT.png for each department; 1 */
    int overwrite;              /* replace files already in the directory; 0 */
    int jobs;                   /* threads drawing the maps, beside the caller's writing the other
                                   files; 1 (then everything is done on the calling thread) */
} gg_dedup_write_options;

GG_API void gg_dedup_write_options_init(gg_dedup_write_options *opts);

/* Writes into directory dir (created if missing): crosswalk.csv (a row
 * per departmental grid), touches.csv (a row per departmental grid and
 * unified grid it touches), duplicates.csv, conflicts.gpkg (layer
 * "conflicts"), summary.json, and, when opts->maps is set, map-DEPT.png
 * for each department (its grids over the plan, conflicts highlighted;
 * the grids read from store). Each file is written under a temporary
 * name and renamed when complete; an existing file is an error unless
 * opts->overwrite. opts NULL: the defaults. Returns GG_OK, GG_ERR_EXISTS,
 * GG_ERR_IO, GG_ERR_STORE, GG_ERR_NOMEM. */
GG_API gg_status gg_dedup_write(gg_ctx *ctx, gg_store *store, const gg_dedup_result *result, const char *dir,
                                const gg_dedup_write_options *opts);

/* ---- reading the conflicts back (for a service) ----
 * The layer "conflicts" of DIR/conflicts.gpkg as gg_dedup_write wrote it,
 * held in memory: immutable once loaded, so any number of threads may
 * query it at once. */
typedef struct gg_conflict_layer gg_conflict_layer;

/* Reads DIR/conflicts.gpkg. Returns GG_OK, GG_ERR_IO (missing, unreadable,
 * no layer "conflicts"), GG_ERR_NOMEM. */
GG_API gg_status gg_conflict_layer_load(gg_ctx *ctx, const char *dir, gg_conflict_layer **out);
GG_API void gg_conflict_layer_free(gg_conflict_layer *layer);
GG_API size_t gg_conflict_layer_count(const gg_conflict_layer *layer);

/* The conflicts whose box meets bbox (west, south, east, north; NULL: all)
 * of one kind ("cut", "overlap", "gap", "outside"; NULL: all), at most
 * limit (0: all), as a GeoJSON FeatureCollection with kind, dept,
 * dept_grid_id, other, community, area_m2, households and count; free
 * with gg_text_free. GG_OK, GG_ERR_ARG (an unknown kind), GG_ERR_NOMEM. */
GG_API gg_status gg_conflict_layer_geojson(gg_ctx *ctx, const gg_conflict_layer *layer, const double *bbox,
                                           const char *kind, int64_t limit, char **json, size_t *len);

#ifdef __cplusplus
}
#endif
#endif
