/* Private: the household points counted into a stored plan's grids by the
 * locator's rule, kept for the caller to compare and store. */
#ifndef GG_LOCATE_COUNT_H
#define GG_LOCATE_COUNT_H

#include "core/ctx.h"
#include "govgrid/locate.h"
#include "store/plan.h"

typedef struct gg_plan_tally {
    gg_locator *loc;            /* the plan's locator (owned) */
    int64_t *households, *persons; /* per locator grid (owned) */
    int64_t *held;              /* per locator grid: the points it holds (owned) */
    char **covered;             /* communities some household point lies in, sorted (owned;
                                   gg_plan_tally_households only) */
    size_t n_covered;
    int64_t points, points_outside, households_outside;
    gg_household_fn outside;    /* borrowed */
    void *user;
} gg_plan_tally;

/* Counts every household point into the grids of plan (0: the newest),
 * the locator built with threads (0 or 1: on this one; 2 or more: the
 * context's allocator must be thread-safe);
 * outside (may be NULL) is told of each point no grid holds, and returns
 * non-zero to stop (GG_ERR_CANCELLED is then returned, with whatever
 * error it recorded). Free with gg_plan_tally_clear, also after a
 * failure. Returns GG_OK, GG_ERR_NOT_FOUND, GG_ERR_GEOMETRY,
 * GG_ERR_STORE, GG_ERR_NOMEM, GG_ERR_CANCELLED. */
gg_status gg_plan_tally_households(gg_ctx *ctx, gg_store *store, int64_t plan, int threads,
                                   gg_household_fn outside, void *user, gg_plan_tally *t);
/* The same for points the caller holds (n of them, borrowed): no store
 * read for the points. */
gg_status gg_plan_tally_points(gg_ctx *ctx, gg_store *store, int64_t plan, int threads, const double *x,
                               const double *y, const int64_t *households, const int64_t *persons, size_t n,
                               gg_plan_tally *t);

/* Whether the points tell grid i's households (i a locator grid): it holds
 * a point, or its community is one some household point lies in, so that
 * holding none means 0 households. Otherwise nothing says how many it has.
 * Of a tally made by gg_plan_tally_households. */
int gg_plan_tally_tells(const gg_plan_tally *t, int32_t i);

void gg_plan_tally_clear(gg_ctx *ctx, gg_plan_tally *t);

#endif
