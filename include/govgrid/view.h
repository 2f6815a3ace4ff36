/*
 * govgrid view: a plan's grids as the service answers with them. The grid
 * map (gg_gridmap): the grids and divisions of a plan as a web map draws
 * them, per zoom level, simplified as a coverage (shared edges simplified
 * once, so that neighbours never gap or overlap), with the properties and
 * label points a map needs, as GeoJSON; and a plan's grids, one grid, its
 * neighbours and the departments' grids as JSON.
 */
#ifndef GOVGRID_VIEW_H
#define GOVGRID_VIEW_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The zoom of an unsimplified map (every vertex, 7 decimals). */
#define GG_GRIDMAP_FULL 99

/* The zoom a map for zoom (0-22) is made for: maps are made per bucket
 * (<= 10, 11-12, 13-14, 15-16) at its finest zoom, and unsimplified
 * (GG_GRIDMAP_FULL) from 17 on. */
GG_API int gg_gridmap_bucket(int zoom);

typedef struct gg_gridmap gg_gridmap;

/* Reads plan (0: the active plan) whole: its grids with code, type, community,
 * community_name, name, households, persons, area_m2, flags,
 * short_staffed (the roster rule of gg_roster_check: fewer than one
 * leader and two grid workers of whom one full-time) and label ([lon,
 * lat], the centre of the grid's largest inscribed circle, computed on
 * the unsimplified grid); and the communities of those grids and their
 * townships (level, code, name, label). *out is unsimplified (zoom
 * GG_GRIDMAP_FULL); free with gg_gridmap_free. GG_ERR_NOT_FOUND when there
 * is no such plan, GG_ERR_GEOMETRY for a stored geometry that cannot be
 * read, GG_ERR_NOMEM. */
GG_API gg_status gg_gridmap_load(gg_ctx *ctx, gg_store *store, int64_t plan, gg_gridmap **out);

/* base (borrowed, unsimplified: from gg_gridmap_load) simplified for zoom
 * (0-22; see gg_gridmap_bucket): every edge of the grids' linework, and
 * separately of the communities' and of the townships', simplified once
 * by Douglas-Peucker with half a pixel of that zoom as tolerance, a
 * polygon that would become invalid keeping more of its vertices, and
 * coordinates written with the decimals the zoom needs. *out is
 * independent of base; free with gg_gridmap_free. Thread-safe for a
 * shared base (each thread with its own ctx). */
GG_API gg_status gg_gridmap_simplify(gg_ctx *ctx, const gg_gridmap *base, int zoom, gg_gridmap **out);

GG_API int64_t gg_gridmap_plan(const gg_gridmap *map);
GG_API int gg_gridmap_zoom(const gg_gridmap *map);
GG_API size_t gg_gridmap_grid_count(const gg_gridmap *map);
/* About how many bytes the map holds, for a cache's bound. */
GG_API size_t gg_gridmap_bytes(const gg_gridmap *map);
/* How many vertices the map's grids have. */
GG_API size_t gg_gridmap_vertices(const gg_gridmap *map);

/* How an answer writes its features:
 * - GG_GRIDMAP_GEOJSON: GeoJSON Features, MultiPolygon coordinates;
 * - GG_GRIDMAP_POLYLINE: the web map's compact form, about a third of the
 *   bytes and far fewer JSON tokens to parse: each Feature has "bbox"
 *   ([w, s, e, n] of its points, rounded outwards), a grid only the
 *   properties code, type, households, flags, short_staffed and label
 *   (a division all of its own), and "geometry" {"type":
 *   "MultiPolygon", "encoding": "polyline", "precision": P, "polylines":
 *   [[ring, hole...], ...]}, each ring a string in Google's Encoded
 *   Polyline Algorithm Format: (lat, lon) pairs at P decimals (7, as the
 *   GeoJSON form writes them: the same points), as any polyline decoder
 *   reads them. Not GeoJSON geometry: no "coordinates". */
typedef enum gg_gridmap_form { GG_GRIDMAP_GEOJSON = 0, GG_GRIDMAP_POLYLINE = 1 } gg_gridmap_form;

/* The map's grids as a FeatureCollection ({"type", "features", "plan",
 * "zoom", "count"}) of form: those whose box meets bbox (west, south,
 * east, north; NULL: all), of community (NULL: all), at most limit (<= 0:
 * all), by code. *json (free with gg_text_free) of *len bytes. Read-only
 * on map: threads may share it. */
GG_API gg_status gg_gridmap_grids_geojson(gg_ctx *ctx, const gg_gridmap *map, const double *bbox,
                                          const char *community, int64_t limit, gg_gridmap_form form, char **json,
                                          size_t *len);

/* The map's communities and townships, the same way, with properties
 * level ("community" or "township"), code, name and label. */
GG_API gg_status gg_gridmap_divisions_geojson(gg_ctx *ctx, const gg_gridmap *map, const double *bbox,
                                              gg_gridmap_form form, char **json, size_t *len);

GG_API void gg_gridmap_free(gg_ctx *ctx, gg_gridmap *map);

/* ---- grids as JSON text (for services; free with gg_text_free) ---- */

/* A plan's grids (plan 0: the active plan) as a GeoJSON FeatureCollection with
 * code, type, community, name, households, persons, area_m2, flags:
 * within bbox (west, south, east, north; NULL: all), of one community
 * (NULL: all), at most limit. */
GG_API gg_status gg_grids_geojson(gg_ctx *ctx, gg_store *store, int64_t plan, const double *bbox,
                                  const char *community, int64_t limit, char **json, size_t *len);

/* Departmental grids (dept_grid) as a GeoJSON FeatureCollection with
 * dept, id, name and count: of one department (NULL: all), within bbox
 * (NULL: all), at most limit (0: all), by department and id. */
GG_API gg_status gg_dept_grids_geojson(gg_ctx *ctx, gg_store *store, const char *dept, const double *bbox,
                                       int64_t limit, char **json, size_t *len);

/* One grid of a plan with households, persons, area, flags, BeiDou code,
 * geometry and its people from the roster. GG_ERR_NOT_FOUND if none. */
GG_API gg_status gg_grid_json(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, char **json);

/* The neighbours of grid code in plan (0: the active plan): the grids that
 * share a stretch of boundary with it, as a JSON array by code of {code,
 * type, name, community, households, locked, shared_m} (shared_m: the
 * length of the boundary they share, in metres, over 1). *json is to free
 * with gg_text_free. GG_ERR_NOT_FOUND when the plan has no such grid. */
GG_API gg_status gg_grid_neighbours_json(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, char **json);

#ifdef __cplusplus
}
#endif

#endif
