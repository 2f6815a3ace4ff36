/* Private: typed readers of a plan and what it is checked against, so
 * that the modules that only read a plan need no SQL of their own. */
#ifndef GG_STORE_PLAN_H
#define GG_STORE_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* The household windows a plan was made with: its parameters for a
 * partition, the defaults (urban 300-500, rural 250-350, classes 122 and
 * 123 urban) for an imported plan. */
typedef struct gg_plan_windows {
    int urban_min, urban_max, rural_min, rural_max;
    int class122_rural, class123_rural;
} gg_plan_windows;

gg_status gg_store_plan_windows(gg_store *store, int64_t plan, gg_plan_windows *w);

/* *imported: 1 when plan was imported (drawn elsewhere), 0 when
 * partitioned or not found. */
gg_status gg_store_plan_imported(gg_store *store, int64_t plan, int *imported);

/* Whether a community of urban-rural class urban_rural ("" when unknown:
 * urban) takes the rural window. */
int gg_plan_windows_rural(const gg_plan_windows *w, const char *urban_rural);

/* One grid of a plan as stored. */
typedef struct gg_plan_grid {
    char code[24];
    int type;
    char community[16];
    int64_t households, persons;
    int counted;                /* households and persons are set (not NULL in the store) */
    char flags[128];
    int locked;                 /* a planner's lock (govgrid edit lock) */
    GEOSGeometry *geom;         /* owned; EPSG:4326; NULL when the stored geometry cannot be read */
} gg_plan_grid;

/* Every grid of plan, by community then code, into a new array (free with
 * gg_plan_grids_free); with_geom 0 leaves every geom NULL (faster).
 * Returns GG_OK, GG_ERR_STORE, GG_ERR_NOMEM. */
gg_status gg_store_plan_grids(gg_store *store, int64_t plan, int with_geom, gg_plan_grid **out, size_t *n);
void gg_plan_grids_free(gg_ctx *ctx, gg_plan_grid *grids, size_t n);

/* The grids of plan in one community, by code, with geometry and name
 * (names into the array's own strings: free with gg_community_grids_free). */
typedef struct gg_community_grid {
    char code[24];
    int type;
    char name[192];             /* "" when none */
    int locked;
    GEOSGeometry *geom;         /* owned; NULL when unreadable */
} gg_community_grid;

gg_status gg_store_community_grids(gg_store *store, int64_t plan, const char *community, gg_community_grid **out,
                                   size_t *n);
void gg_community_grids_free(gg_ctx *ctx, gg_community_grid *grids, size_t n);

/* Makes the grids of plan `from` whose community is none of
 * communities[0..n) grids of plan `to` as well: the same stored rows
 * (codes, names, counts, geometry), which the two plans then share. */
gg_status gg_store_share_other_grids(gg_store *store, int64_t from, int64_t to, const char *const *communities,
                                    size_t n);

/* A community's name ("" when unset or unknown). */
gg_status gg_store_community_name(gg_store *store, const char *community, char *out, size_t size);

/* The urban-rural class of a community ("" when unset or unknown). */
gg_status gg_store_community_class(gg_store *store, const char *community, char *out, size_t size);

/* The linework that bounds street blocks in box (west, south, east,
 * north): roads of the classes grids follow (urban: streets and lanes, not
 * footpaths; rural: main roads only) and waterways but drains, ditches and
 * coastlines, polygons by their boundaries, as one collection (*out NULL
 * when there is none). */
gg_status gg_store_block_lines(gg_store *store, const double box[4], int rural, GEOSGeometry **out);

/* One community with its polygon. */
typedef struct gg_community_row {
    char code[13];
    char urban_rural[4];
    GEOSGeometry *geom;         /* owned; EPSG:4326 */
} gg_community_row;

/* The project's communities that have a polygon, by code (free with
 * gg_community_rows_free). Returns GG_OK, GG_ERR_STORE, GG_ERR_NOMEM. */
gg_status gg_store_communities(gg_store *store, gg_community_row **out, size_t *n);
void gg_community_rows_free(gg_ctx *ctx, gg_community_row *rows, size_t n);

/* Persons per household where a household point records none: China's
 * average family household size at the 2020 census was 2.62. */
#define GG_PERSONS_PER_HOUSEHOLD 2.62

/* Every household point: its id, place, households and persons (where a
 * point records none, households x GG_PERSONS_PER_HOUSEHOLD rounded), in
 * store order; fn returns non-zero to stop (then GG_ERR_CANCELLED is
 * returned, nothing recorded). */
typedef int (*gg_household_fn)(void *user, const char *id, double lon, double lat, int64_t households,
                                int64_t persons);
gg_status gg_store_households_each(gg_store *store, gg_household_fn fn, void *user);
/* The same for the household points in box (west, south, east, north),
 * through the spatial index. */
gg_status gg_store_households_in_box(gg_store *store, const double box[4], gg_household_fn fn, void *user);

/* Stores the households and persons of the grids of plan named by
 * codes[0..n) (grids of other codes are left alone), and their flags
 * when flags is not NULL (an empty text stores NULL); with only_missing,
 * only where a grid has none recorded. *changed receives the number of
 * grids written. Returns GG_OK, GG_ERR_STORE. */
gg_status gg_store_set_grid_counts(gg_store *store, int64_t plan, size_t n, const char *const *codes,
                                   const int64_t *households, const int64_t *persons, const char *const *flags,
                                   int only_missing, int64_t *changed);

#endif
