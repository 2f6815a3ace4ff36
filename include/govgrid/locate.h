/* Incident geolocation: the grid, community and grid workers that own a
 * point, from an index built once from a plan and queried in memory.
 *
 * A locator is immutable once built: any number of threads may query it at
 * once. It holds no store handle; queries never touch the store.
 *
 * Boundary rule: a point that several grids cover (on a shared edge or
 * vertex, where covers holds for both; or where a faulty plan overlaps)
 * goes to one of them: a dedicated grid before a comprehensive one, then
 * the lowest code. Never to none, never to two. */
#ifndef GOVGRID_LOCATE_H
#define GOVGRID_LOCATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gg_locator gg_locator;

typedef enum gg_locate_status {
    GG_LOCATE_INSIDE = 0,       /* in a grid, farther than near_m from any other grid */
    GG_LOCATE_NEAR_BOUNDARY,    /* in a grid, within near_m of another grid's boundary */
    GG_LOCATE_SNAPPED,          /* in no grid, within snap_m of one: given to it */
    GG_LOCATE_OUTSIDE,          /* in no grid and farther than snap_m from all */
    GG_LOCATE_INVALID           /* no usable coordinates */
} gg_locate_status;

/* "inside", "near_boundary", "snapped", "outside", "invalid". */
GG_API const char *gg_locate_status_name(gg_locate_status status);

typedef struct gg_roster_person {
    const char *id, *name, *phone;
    const char *role;           /* "leader", "fulltime", "parttime", "volunteer", "instructor" */
} gg_roster_person;

/* What the locator knows of a grid. Strings are never NULL ("" if unknown). */
typedef struct gg_located_grid {
    const char *code;
    int type;                   /* 1 comprehensive, 2-9 dedicated */
    const char *name;
    const char *community, *township, *county; /* division codes */
    const char *community_name;
    const gg_roster_person *leader;   /* NULL: none on the roster */
    const gg_roster_person *const *workers; /* full-time workers, or part-time ones when there is none */
    int n_workers;
} gg_located_grid;

typedef struct gg_locate_result {
    int32_t grid;               /* gg_locator_grid index, -1 for none */
    gg_locate_status status;
    double distance_m;          /* see gg_locator_query; NAN when there is none to give */
    int on_boundary;            /* exactly on the grid's edge: the boundary rule chose */
} gg_locate_result;

typedef struct gg_locator_options {
    int64_t plan;               /* 0: the active plan (the published one, else the newest) */
    double near_m;              /* default 10 */
    double snap_m;              /* default 50 */
    int threads;                /* threads for building: 0 or 1 one (the caller's); 2 or more: the
                                   nearest-edge tree, the top cells' edges and the roster are made on
                                   other threads alongside the cells (the context's allocator must
                                   then be thread-safe, as the C library's is) */
    int build_index;            /* 1: build the index in memory even when the plan's index file is there */
} gg_locator_options;

GG_API void gg_locator_options_init(gg_locator_options *opts);

/* ---- the index file of a published plan ----
 * A published (or superseded) plan's index is kept beside the project, in
 * "<project>-locate/plan-<N>.ggloc", written when the plan is published
 * (gg_plan_publish) or by gg_locator_index_write. gg_locator_new maps it
 * instead of building the index when it is there and valid for the plan
 * as the project holds it; a missing, stale, truncated or corrupt file is
 * never used: the index is built as for a draft, and
 * gg_locator_index_status says why. Drafts have no index file. */

typedef enum gg_locator_index_source {
    GG_LOCATOR_INDEX_BUILT = 0, /* built in memory; no file was to be used (a draft, a project in memory,
                                   or build_index) */
    GG_LOCATOR_INDEX_LOADED,    /* mapped from the plan's index file */
    GG_LOCATOR_INDEX_REFUSED    /* built in memory: the published plan's index file is missing or was
                                   refused (reason says which and why) */
} gg_locator_index_source;

/* Where the locator's index came from; *reason (may be NULL) receives a
 * sentence naming the file and, for GG_LOCATOR_INDEX_REFUSED, what is
 * wrong with it ("...: the checksum does not match: the file is corrupt").
 * The text lives as long as the locator. */
GG_API gg_locator_index_source gg_locator_index_status(const gg_locator *loc, const char **reason);

/* The index file's path for plan of the project (path: size bytes).
 * GG_ERR_ARG for a project with no file (in memory) or a path too long. */
GG_API gg_status gg_locator_index_path(gg_ctx *ctx, gg_store *store, int64_t plan, char *path, size_t size);

/* What gg_locator_index_write did. */
typedef struct gg_locator_index_report {
    int64_t plan;
    int64_t grids;
    int64_t bytes;              /* the file's size */
    char path[4096];
} gg_locator_index_report;

/* Builds the index of plan (0: the published one), which must be
 * published or superseded, and writes it to its file (atomically: a
 * temporary file renamed over the old one), creating the directory. Only
 * reads the project, so a project opened read-only can be indexed when
 * its directory is writable. Returns GG_OK, GG_ERR_NOT_FOUND (no such
 * plan, or none published), GG_ERR_INVALID_INPUT (a draft), GG_ERR_ARG (a
 * project in memory), GG_ERR_IO (naming the file), and those of
 * gg_locator_new. out may be NULL. */
GG_API gg_status gg_locator_index_write(gg_ctx *ctx, gg_store *store, int64_t plan, gg_locator_index_report *out);

/* Builds the index of a plan's grids and loads their divisions and roster.
 * Returns GG_OK, GG_ERR_NOT_FOUND (no such plan, or no plan at all),
 * GG_ERR_ARG (negative distances), GG_ERR_STORE, GG_ERR_GEOMETRY,
 * GG_ERR_NOMEM. opts may be NULL for the defaults. */
GG_API gg_status gg_locator_new(gg_ctx *ctx, gg_store *store, const gg_locator_options *opts, gg_locator **out);

GG_API void gg_locator_free(gg_locator *loc);

GG_API int64_t gg_locator_plan(const gg_locator *loc);
GG_API size_t gg_locator_grid_count(const gg_locator *loc);
GG_API const gg_located_grid *gg_locator_grid(const gg_locator *loc, int32_t grid);
/* The grid with a code, or -1. */
GG_API int32_t gg_locator_grid_by_code(const gg_locator *loc, const char *code);
/* Bytes of memory the locator holds, and the vertices it indexes. */
GG_API size_t gg_locator_bytes(const gg_locator *loc);
GG_API size_t gg_locator_vertices(const gg_locator *loc);

/* The grid covering (lon, lat) in WGS 84 degrees by the boundary rule, or
 * -1: the fast path, no distances. *on_boundary (may be NULL) tells a
 * point exactly on an edge. */
GG_API int32_t gg_locator_find(const gg_locator *loc, double lon, double lat, int *on_boundary);

/* gg_locator_find over n points (grid indexes into out, -1 for none): the
 * same answers, faster for many points, as the lookups of the next points
 * are started while the current ones finish (memory prefetching). */
GG_API void gg_locator_find_many(const gg_locator *loc, const double *lon, const double *lat, size_t n,
                                 int32_t *out);

/* The full answer: status, and distance_m - for a point in a grid, to the
 * nearest boundary of another grid (NAN when the plan has no other grid);
 * for a point in none, to the nearest grid. Distances in metres, from
 * degrees scaled at the point's latitude (error under 0.1% at these
 * distances; the coordinates behind them are kept in single precision
 * relative to their cell or grid, under a millimetre more). Invalid coordinates (NaN, infinite, outside -180..180 /
 * -90..90) give GG_LOCATE_INVALID. */
GG_API void gg_locator_query(const gg_locator *loc, double lon, double lat, gg_locate_result *result);

/* gg_locator_query over n points, with the same answers; faster than one
 * call a point (the points are taken in small groups whose memory reads
 * overlap). */
GG_API void gg_locator_query_many(const gg_locator *loc, const double *lon, const double *lat, size_t n,
                                  gg_locate_result *results);

/* Every person on the plan's roster, each once; *n receives how many. A
 * gg_located_grid's leader and workers point into this array, so a
 * person's index is the pointer's distance from its start. */
GG_API const gg_roster_person *gg_locator_people(const gg_locator *loc, size_t *n);

/* ---- who takes a row ----
 *
 * The batch asks for each located row's worker in input order; the pick is
 * the dispatcher's (include/govgrid/dispatch.h, gg_dispatcher_as_pick).
 * pick returns the worker (NULL: nobody on duty, the leader takes it) and
 * the leader; prefetch (may be NULL) is a hint, at stages 0, 1 and 2, of a
 * grid asked for a few rows later. */
typedef struct gg_worker_pick {
    const gg_roster_person *(*pick)(void *self, int32_t grid, const gg_roster_person **leader);
    void (*prefetch)(const void *self, int32_t grid, int stage);
    void *self;
} gg_worker_pick;

/* ---- coordinates ---- */

typedef enum gg_coord_system {
    GG_COORD_WGS84 = 0,
    GG_COORD_CGCS2000,          /* through PROJ (EPSG:4490) */
    GG_COORD_GCJ02,             /* the obfuscated "Mars" coordinates of Chinese map apps */
    GG_COORD_BD09,              /* Baidu's further offset of GCJ-02 */
    GG_COORD_EPSG               /* any EPSG code, through PROJ */
} gg_coord_system;

/* ---- batches ---- */

typedef enum gg_table_format {
    GG_TABLE_AUTO = 0,          /* input: from the content */
    GG_TABLE_CSV,
    GG_TABLE_NDJSON,
    GG_TABLE_GEOJSON
} gg_table_format;

typedef struct gg_locate_batch_options {
    gg_table_format input_format;   /* GG_TABLE_AUTO: detect */
    gg_table_format output_format;  /* GG_TABLE_AUTO: as the input */
    gg_coord_system crs;
    int epsg;                       /* for GG_COORD_EPSG */
    const char *id_field;           /* NULL: "id" if present */
    const char *lon_field, *lat_field; /* NULL: lon/lng/longitude/x and lat/latitude/y */
    int jobs;                       /* threads for the queries and for formatting the rows; 0: 1 (with 2
                                       or more the context's allocator must be thread-safe, as the C
                                       library's is) */
    gg_worker_pick pick;            /* who takes each row; pick.pick NULL: the grid's leader, no worker
                                       (a dispatcher's: gg_dispatcher_as_pick) */
} gg_locate_batch_options;

GG_API void gg_locate_batch_options_init(gg_locate_batch_options *opts);

typedef struct gg_locate_summary {
    int64_t rows;
    int64_t by_status[5];           /* indexed by gg_locate_status */
    int64_t by_type[10];            /* rows per grid type digit (0: no grid) */
    int64_t to_leader;              /* rows given to a leader: the grid has no worker */
    int64_t no_contact;             /* rows in a grid with neither worker nor leader */
    char first_invalid[160];        /* "line 7: lat 'abc' is not a number", or "" */
} gg_locate_summary;

/* Reads incidents from in (named in_name in messages: a path or "-"),
 * writes every row back in input order with the located fields appended
 * (grid_code, grid_type, community, township, county, worker_id,
 * worker_name, worker_phone, leader_id, leader_name, status, distance_m,
 * reason). A bad row is written with status invalid and its reason; a bad
 * input as a whole (no header, no coordinate fields, malformed JSON) fails
 * with GG_ERR_FORMAT or GG_ERR_NOT_FOUND naming the line. summary may be
 * NULL. */
GG_API gg_status gg_locate_batch(gg_ctx *ctx, const gg_locator *loc, const gg_locate_batch_options *opts, FILE *in,
                                 const char *in_name, FILE *out, gg_locate_summary *summary);

/* ---- households counted where the polygons say ---- */

typedef struct gg_plan_counts {
    int64_t grids;              /* grids in the plan */
    int64_t counted;            /* grids whose households and persons were written; the rest of those
                                   without a count keep none (no household point tells) */
    int64_t disagree;           /* grids whose recorded households differ from the points they hold
                                   (left as recorded: only_missing) */
    int64_t points, points_outside; /* household points, and those no grid holds */
    int64_t households_outside; /* households on those points */
} gg_plan_counts;

/* Counts the project's household points into the grids of plan (0: the
 * newest) by the rule of gg_locator_find (inside or on an edge; of several
 * grids a dedicated one, then the lowest code) and stores each grid's
 * households and persons (a point's recorded persons, else its households
 * x 2.62). Only grids the points tell about are counted: those holding a
 * point, and those of a community some household point lies in (there a
 * grid holding none has 0 households); the others keep no count (NULL,
 * "no count" on maps), as nothing says how many households they have.
 * only_missing: only grids with no households recorded; the others are
 * compared, where the points tell, and counted in out->disagree. Writes inside the
 * caller's transaction, if one is open. out may be NULL. Returns GG_OK,
 * GG_ERR_NOT_FOUND, GG_ERR_GEOMETRY (the plan's polygons cannot be
 * indexed), GG_ERR_STORE, GG_ERR_NOMEM. */
GG_API gg_status gg_plan_count_households(gg_ctx *ctx, gg_store *store, int64_t plan, int only_missing,
                                          gg_plan_counts *out);

#ifdef __cplusplus
}
#endif

#endif
