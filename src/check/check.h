/* Private: the plan checker's files share the public header's types. */
#ifndef GG_CHECK_CHECK_H
#define GG_CHECK_CHECK_H

#include "core/ctx.h"
#include "govgrid/check.h"
#include "geo/crs.h"
#include "store/plan.h"

/* The invariants of one community's grids, in memory (partition checks
 * each community this way on its worker thread before the plan is
 * written): codes, shapes and validity in every CRS, and the tiling of
 * the community. Households and windows are not checked. cache: the
 * caller's transformations (NULL: made for this call; creating one costs
 * tens of milliseconds). grids: borrowed (their geometries too);
 * community: borrowed. *out: a new report (free with
 * gg_check_report_free). Returns GG_OK, GG_ERR_GEOMETRY, GG_ERR_NOMEM. */
gg_status gg_check_community_grids(gg_ctx *ctx, gg_metric_cache *cache, const char *code,
                                   const GEOSGeometry *community, gg_plan_grid *grids, size_t n,
                                   const gg_check_options *opts, gg_check_report **out);

#endif
