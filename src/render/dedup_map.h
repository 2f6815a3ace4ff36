/* Private: the maps of the departments' grids over the unified plan. */
#ifndef GG_RENDER_DEDUP_MAP_H
#define GG_RENDER_DEDUP_MAP_H

#include "core/ctx.h"
#include "govgrid/dedup.h"

#define GG_DEDUP_MAPS_MAX_JOBS 64

/* Maps being drawn, on up to jobs worker threads (1: on the calling
 * thread, each as it is added). */
typedef struct gg_dedup_maps gg_dedup_maps;

/* Reads the plan's grids for every map and starts the workers. *out is
 * NULL on failure. Returns GG_OK, GG_ERR_STORE, GG_ERR_NOMEM. */
gg_status gg_dedup_maps_begin(gg_ctx *ctx, gg_store *store, const gg_dedup_result *result, int jobs,
                              gg_dedup_maps **out);

/* Reads department result->depts[dept]'s grids and draws, or queues for
 * drawing, its map to path (PNG): the plan's grids in grey, the
 * department's grids outlined in the colour of their relation, its
 * conflicts (cut pieces, overlaps, gaps, parts outside the plan) filled,
 * a legend with the counts and a scale bar. Returns GG_OK, GG_ERR_ARG,
 * GG_ERR_NOT_FOUND (no grid with a geometry), GG_ERR_IO, GG_ERR_STORE,
 * GG_ERR_NOMEM; a queued map's own failure comes from gg_dedup_maps_end. */
gg_status gg_dedup_maps_add(gg_dedup_maps *maps, size_t dept, const char *path);

/* Waits for the maps and frees maps (NULL: nothing). Returns st if it is
 * a failure, else the first map's failure (recorded), else GG_OK; on
 * failure every map's path is removed. */
gg_status gg_dedup_maps_end(gg_dedup_maps *maps, gg_status st);

#endif
