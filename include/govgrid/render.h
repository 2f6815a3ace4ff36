/*
 * govgrid render: maps of a plan (PNG, SVG or PDF) with cairo and pango.
 *
 * Grids are coloured by household count (dedicated grids in their own
 * colour), outlined, and labelled with the last digits of their code and
 * their households; community names, roads and waterways are drawn under
 * them; a legend and a scale bar go in the corner. Text is set with pango
 * in a CJK-capable font (WenQuanYi Micro Hei or Noto Sans CJK where
 * installed), so Chinese names render.
 */
#ifndef GOVGRID_RENDER_H
#define GOVGRID_RENDER_H

#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/incident.h"
#include "govgrid/plan.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gg_map_options {
    int64_t plan;               /* 0: the active plan (the published one, else the newest) */
    const char *community;      /* only this community (NULL: all) */
    int width_px;               /* 0: 1600 (PNG pixels; SVG/PDF points) */
    const char *title;          /* NULL: "plan N" with the project name */
} gg_map_options;

GG_API void gg_map_options_init(gg_map_options *opts);

/* Draws the plan to path; the format follows the extension (.png, .svg,
 * .pdf). Returns GG_OK, GG_ERR_ARG (unknown extension), GG_ERR_NOT_FOUND
 * (no such plan or community in it), GG_ERR_IO, GG_ERR_STORE. */
GG_API gg_status gg_map_render(gg_ctx *ctx, gg_store *store, const char *path, const gg_map_options *opts);

/* Draws the changes d describes (gg_plan_diff_get) to path (.png, .svg,
 * .pdf): plan B's grids filled by change (unchanged grey, reshaped orange,
 * added green), plan A's boundaries of the grids that changed dashed
 * (retired ones red), the changed grids labelled, a legend, the counts and
 * a scale bar; the page frames the changes. width_px 0: 1600. */
GG_API gg_status gg_diff_map_render(gg_ctx *ctx, gg_store *store, const gg_plan_diff *d, const char *path,
                                    int width_px);

/* Draws the series of s (gg_case_stats_compute with an interval) as a
 * PNG chart to path (.png): the closure rate and the on-time rate of each
 * interval as two lines over a percentage axis (to 100%, or further when
 * a closure rate is above it), the intervals' dates, a legend and the
 * period's totals. width_px 0: 1200. GG_ERR_ARG for another extension or
 * statistics without a series, GG_ERR_IO (the file is removed). */
GG_API gg_status gg_stats_chart_render(gg_ctx *ctx, const gg_case_stats *s, const char *path, int width_px);

/* ---- The palette ----
 * The one set of colours a plan is shown in: the printed map (govgrid
 * map) colours and keys its grids by it, and the service hands it to the
 * web map as JSON (GET /v1/palette), so both show a grid alike. Constant
 * data: safe from any thread, never freed. */

typedef struct gg_colour {
    unsigned char r, g, b;
} gg_colour;

/* A class of grids by their households: min..max inclusive. The class of
 * grids without a count (an imported plan that gave none: households is
 * NULL) has counted 0 and min = max = -1; every other class counted 1. */
typedef struct gg_household_class {
    const char *key;            /* stable: "none", "0", "1-249", ..., "501+" */
    const char *label;          /* the legend's text, Chinese then English */
    int counted;
    int64_t min, max;           /* max INT64_MAX for the last class */
    gg_colour colour;
} gg_household_class;

/* A grid flag (GG_GRID_*, govgrid/partition.h; its word from
 * gg_grid_flags_text) and the colour it is marked in. */
typedef struct gg_flag_colour {
    int flag;
    gg_colour colour;
} gg_flag_colour;

typedef struct gg_palette {
    const gg_household_class *classes;  /* "no count" first, then by households */
    size_t class_count;
    gg_colour dedicated;                /* a dedicated grid (type other than 1), whatever its households */
    const char *dedicated_label;
    gg_colour outline;                  /* grid boundaries */
    gg_colour short_staffed;            /* fewer than 1 leader + 2 workers incl. 1 full-time */
    const gg_flag_colour *flags;
    size_t flag_count;
} gg_palette;

GG_API const gg_palette *gg_palette_get(void);

/* The class of a grid of type (1: an ordinary grid, anything else
 * dedicated: then NULL, its colour is the palette's dedicated one) with
 * households, counted 0 when it has no count (households is then not
 * read). Never NULL for an ordinary grid: a negative count is taken as
 * no count. */
GG_API const gg_household_class *gg_palette_class_of(int type, int counted, int64_t households);
/* "#rrggbb" into buf (at least 8 bytes); returns buf. */
GG_API const char *gg_colour_hex(gg_colour c, char *buf, size_t size);

/* ---- Basemap tiles ----
 * XYZ tiles in Web Mercator (EPSG:3857), as web maps ask for them: the
 * project's own roads (by class), waterways and water areas, units and,
 * from zoom 16, household points, on a light land colour. Nothing comes
 * from outside the project, and no grid or person is drawn: a tile shows
 * the ground the plans are drawn over. */

#define GG_TILE_MAX_ZOOM 19
#define GG_TILE_SIZE 256        /* pixels at scale 1 */

typedef struct gg_tile_request {
    int z, x, y;                /* 0 <= z <= GG_TILE_MAX_ZOOM, 0 <= x, y < 2^z; y from the north */
    int scale;                  /* 1: 256 px; 2: 512 px (@2x); 0 is taken as 1 */
} gg_tile_request;

/* A rendered tile. empty: nothing of the project lies in it (then png is
 * NULL: use gg_tile_background's, the same for every empty tile). */
typedef struct gg_tile {
    unsigned char *png;         /* owned: gg_tile_free */
    size_t len;
    int empty;
} gg_tile;

/* The tile's box in degrees: west, south, east, north. Returns GG_OK or
 * GG_ERR_ARG (z, x, y or scale out of range; the message says which). */
GG_API gg_status gg_tile_bounds(gg_ctx *ctx, const gg_tile_request *req, double box[4]);

/* Draws the tile from store into *out (zeroed first). Returns GG_OK,
 * GG_ERR_ARG (as gg_tile_bounds), GG_ERR_STORE, GG_ERR_NOMEM. Reads only:
 * many threads may render at once, each with its own ctx and store. */
GG_API gg_status gg_tile_render(gg_ctx *ctx, gg_store *store, const gg_tile_request *req, gg_tile *out);

/* The PNG of an empty tile at scale (1 or 2): the land colour alone. */
GG_API gg_status gg_tile_background(gg_ctx *ctx, int scale, gg_tile *out);

/* Frees the tile's PNG and zeroes it; NULL is a no-op. */
GG_API void gg_tile_free(gg_ctx *ctx, gg_tile *tile);

#ifdef __cplusplus
}
#endif
#endif
