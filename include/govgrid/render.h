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
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gg_map_options {
    int64_t plan;               /* 0: the newest */
    const char *community;      /* only this community (NULL: all) */
    int width_px;               /* 0: 1600 (PNG pixels; SVG/PDF points) */
    const char *title;          /* NULL: "plan N" with the project name */
} gg_map_options;

GG_API void gg_map_options_init(gg_map_options *opts);

/* Draws the plan to path; the format follows the extension (.png, .svg,
 * .pdf). Returns GG_OK, GG_ERR_ARG (unknown extension), GG_ERR_NOT_FOUND
 * (no such plan or community in it), GG_ERR_IO, GG_ERR_STORE. */
GG_API gg_status gg_map_render(gg_ctx *ctx, gg_store *store, const char *path, const gg_map_options *opts);

#ifdef __cplusplus
}
#endif
#endif
