/* Search: finding a place of a project by what a user types - a grid's
 * code (all 16 digits or the trailing 4 that people say), the name of a
 * grid, community, township or county, a unit (POI), a road, a household
 * address, or coordinates ("116.397,39.909", "39.909, 116.397",
 * "gcj02:116.403,39.910").
 *
 * The index is built once from a plan and the project's layers into an
 * in-memory SQLite database owned by the gg_search: an FTS5 table with
 * the trigram tokenizer, which matches any substring of 3 or more
 * characters (Chinese included); shorter queries are matched with instr
 * over every row but the addresses (a query of one or two characters
 * names a grid, a division, a unit or a road; among a county's addresses
 * it would match thousands). Addresses are indexed once per distinct
 * text, with the point of one household holding it.
 *
 * A gg_search may be queried by any number of threads at once (a mutex
 * inside serialises the queries). It borrows the locator it is built with:
 * the locator must outlive it. */
#ifndef GOVGRID_SEARCH_H
#define GOVGRID_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/locate.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gg_search gg_search;

typedef enum gg_search_kind {
    GG_SEARCH_GRID = 0,
    GG_SEARCH_COMMUNITY,
    GG_SEARCH_TOWNSHIP,
    GG_SEARCH_COUNTY,
    GG_SEARCH_POI,              /* a unit: dedicated-grid candidate, point of interest */
    GG_SEARCH_ROAD,             /* one entry per road name */
    GG_SEARCH_ADDRESS,          /* one entry per distinct household address */
    GG_SEARCH_COORDINATE        /* the query itself was a point */
} gg_search_kind;

/* "grid", "community", "township", "county", "poi", "road", "address",
 * "coordinate"; NULL out of range. */
GG_API const char *gg_search_kind_name(gg_search_kind kind);

#define GG_SEARCH_MAX_QUERY 200  /* bytes of a query */
#define GG_SEARCH_MAX_RESULTS 50

typedef struct gg_search_result {
    gg_search_kind kind;
    char name[512];             /* "" when the place has no name */
    char code[64];              /* grid or division code; "" when none */
    double lon, lat;            /* WGS 84: a point inside (grids, divisions, units), on the line (roads),
                                   the household (addresses), the converted point (coordinates); NAN
                                   when the place has no geometry */
    int has_bbox;               /* bbox = west, south, east, north when set */
    double bbox[4];
    int32_t grid;               /* the locator's grid of the point (gg_locator_grid), -1 for none */
} gg_search_result;

/* Builds the index for the locator's plan from store. loc is borrowed.
 * Returns GG_OK, GG_ERR_STORE, GG_ERR_NOMEM. */
GG_API gg_status gg_search_new(gg_ctx *ctx, gg_store *store, const gg_locator *loc, gg_search **out);
GG_API void gg_search_free(gg_search *search);

/* Entries in the index (every grid, division, unit, road name, address). */
GG_API size_t gg_search_entries(const gg_search *search);

/* Coordinates as text: "LON,LAT", or "LAT,LON" when the first is within
 * +-90 and the second is not; a comma (also a full-width one) and/or
 * spaces between; an optional "wgs84:", "gcj02:" or "bd09:" prefix
 * overriding crs. *lon, *lat receive the point in WGS 84. Returns 1 when
 * text is such a point, else 0. */
GG_API int gg_search_parse_point(const char *text, gg_coord_system crs, double *lon, double *lat);

/* Finds up to max (1 to GG_SEARCH_MAX_RESULTS) places for text (1 to
 * GG_SEARCH_MAX_QUERY bytes of UTF-8), best first: a point typed as
 * coordinates (crs: how coordinates without a prefix are meant, wgs84,
 * gcj02 or bd09) is the one answer; else an exact code, then trailing
 * digits of a grid code, an exact name, a name or code beginning with the
 * text, then the text anywhere in a name, code or address; within each,
 * places inside bbox (west, south, east, north; may be NULL) first, then
 * by kind (grid, community, township, county, poi, road, address) and the
 * shorter name. results holds max; *n receives the count (0 is not an
 * error). Returns GG_OK, GG_ERR_ARG (empty, too long or not UTF-8 text,
 * max out of range), GG_ERR_STORE. Thread-safe. */
GG_API gg_status gg_search_query(gg_ctx *ctx, gg_search *search, const char *text, gg_coord_system crs,
                                 const double *bbox, size_t max, gg_search_result *results, size_t *n);

#ifdef __cplusplus
}
#endif
#endif
