/* What the planners' edits share (src/plan/edit.c: merge, split, lock;
 * src/plan/reshape.c: reshape, move): one transaction per edit, the flags
 * a changed grid carries, households counted by locate's rule before and
 * after, and the vertices neighbours take so that the grids still tile. */
#ifndef GG_PLAN_EDIT_H
#define GG_PLAN_EDIT_H

#include <geos_c.h>

#include "govgrid/plan.h"
#include "store/plan.h"
#include "store/versions.h"

/* The plans' precision grid, in degrees (geo/coverage.h). */
#define GG_EDIT_GRID_DEG 1e-7

typedef gg_status (*gg_edit_fn)(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r);

/* Runs edit in one transaction (the plan and grid change counters bumped);
 * *out is set only when it commits. */
gg_status gg_edit_run(gg_ctx *ctx, gg_store *store, gg_edit_result *out, gg_edit_fn edit, void *arg);

/* The flags g carries from its households against the plan's windows
 * (over_max, under_min, no_households; none when it has no count). */
void gg_edit_flags(const gg_plan_windows *w, int rural, const gg_edit_grid *g, char *out, size_t size);

/* Locate's rule among grids[0..n) (prep[i] their prepared shapes, NULL
 * for none): a dedicated grid first, else the covering comprehensive grid
 * of the lowest code. */
typedef struct gg_edit_rule_set {
    gg_edit_grid *const *grids;
    const GEOSPreparedGeometry **prep;
    size_t n;
} gg_edit_rule_set;

/* A household point counter (gg_household_fn): each point goes to its
 * grid by the rule in before and in after, adding to hh_ and pp_before[i]
 * and hh_ and pp_after[j]. */
typedef struct gg_edit_recount {
    GEOSContextHandle_t h;
    gg_edit_rule_set before, after;
    int64_t *hh_before, *pp_before, *hh_after, *pp_after;
    int failed;                 /* out of memory */
} gg_edit_recount;

int gg_edit_recount_point(void *user, const char *id, double lon, double lat, int64_t households, int64_t persons);

/* Reshape and move (src/plan/reshape.c) as an edit function for
 * gg_edit_run and gg_plan_edit. */
typedef struct gg_edit_reassign_args {
    int64_t plan;
    const char *code;           /* the grid that takes the new shape */
    const char *wkt;            /* reshape: its new shape; move: the piece it takes */
    int move;                   /* 0 reshape, 1 move */
    const char *note;
} gg_edit_reassign_args;

gg_status gg_edit_reassign(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r);

/* Each of grids[0..n) whose boundary the points pts come within 0.75 of a
 * grid step of takes them as vertices (touched[i] set). Refused, naming
 * what (e.g. "the split of grid") and code, when a grid would become
 * invalid. */
gg_status gg_edit_take_vertices(gg_ctx *ctx, gg_store *store, const char *what, const char *code, gg_edit_grid *grids,
                                size_t n, const GEOSGeometry *pts, int *touched);

#endif
