/* Private: the map of one department's grids over the unified plan. */
#ifndef GG_RENDER_DEDUP_MAP_H
#define GG_RENDER_DEDUP_MAP_H

#include "core/ctx.h"
#include "govgrid/dedup.h"

/* Draws department result->depts[dept] to path (PNG): the plan's grids
 * in grey, the department's grids outlined in the colour of their
 * relation, its conflicts (cut pieces, overlaps, gaps, parts outside the
 * plan) filled, a legend with the counts and a scale bar. Returns GG_OK,
 * GG_ERR_IO, GG_ERR_STORE. */
gg_status gg_dedup_map_render(gg_ctx *ctx, gg_store *store, const gg_dedup_result *result, size_t dept,
                              const char *path);

#endif
