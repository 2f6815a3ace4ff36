/*
 * govgrid store: the project file, one SpatiaLite (SQLite) database.
 *
 * Geometry is stored in EPSG:4326 (WGS-84 longitude/latitude; CGCS2000,
 * EPSG:4490, agrees with it to well under a metre); metric work is done in
 * a local metric CRS. Every geometry column has a spatial index. The schema
 * carries a version number; opening an older project for writing migrates
 * it in one transaction, a newer one is refused.
 *
 * A gg_store is used by one thread at a time, with the context it was
 * opened with.
 */
#ifndef GOVGRID_STORE_H
#define GOVGRID_STORE_H

#include <stdint.h>

#include "govgrid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The schema version this library writes. */
#define GG_SCHEMA_VERSION 9
/* SRID of every stored geometry. */
#define GG_STORAGE_SRID 4326

typedef struct gg_store gg_store;

/* The layers a project holds. Their names (gg_layer_name) are those the
 * import command takes. */
typedef enum gg_layer {
    GG_LAYER_DIVISIONS = 0, /* counties, townships, communities */
    GG_LAYER_HOUSEHOLDS,    /* points, each with a household count */
    GG_LAYER_ROADS,
    GG_LAYER_WATERWAYS,
    GG_LAYER_UNITS,         /* dedicated-grid candidates */
    GG_LAYER_WORKERS,       /* the roster; no geometry */
    GG_LAYER_DEPT_GRIDS,    /* departmental grids */
    GG_LAYER_GRIDS,         /* grids of a plan */
    GG_LAYER_CATALOGUE,     /* the item catalogue (事项清单); each import is a new version */
    GG_LAYER_COUNT
} gg_layer;

/* "divisions", "households", "roads", "waterways", "units", "workers",
 * "dept-grids", "grids", "catalogue"; NULL for a value out of range. */
GG_API const char *gg_layer_name(gg_layer layer);

/* Parses a layer name. Returns GG_OK, or GG_ERR_NOT_FOUND with a message
 * listing the valid names. */
GG_API gg_status gg_layer_from_name(gg_ctx *ctx, const char *name, gg_layer *out);

/* Creates a new project file at path (which must not exist) with the
 * current schema, and opens it for writing.
 * Returns GG_OK, GG_ERR_EXISTS, GG_ERR_IO or GG_ERR_STORE. */
GG_API gg_status gg_store_create(gg_ctx *ctx, const char *path, gg_store **out);

/* Opens an existing project. writable != 0 opens it for writing and
 * migrates an older schema. Returns GG_OK, GG_ERR_IO (missing or
 * unreadable), GG_ERR_SCHEMA (not a govgrid project, a newer schema, or an
 * older one opened read-only) or GG_ERR_STORE. */
GG_API gg_status gg_store_open(gg_ctx *ctx, const char *path, int writable, gg_store **out);

/* Closes the store (rolling back an open transaction). NULL is a no-op. */
GG_API void gg_store_close(gg_store *store);

/* Who acts through this store (a login or a key's name, at most 63 bytes;
 * longer is cut at a character boundary): recorded with what it makes, a
 * plan's made_by and published_by. NULL or "" for unknown. */
GG_API void gg_store_set_actor(gg_store *store, const char *who);
/* The actor set, "" when none. */
GG_API const char *gg_store_actor(const gg_store *store);

/* The schema version of the open project. */
GG_API int gg_store_schema_version(const gg_store *store);

/* Explicit transactions: every library call that writes opens and closes
 * its own, so these are only for grouping several calls. */
GG_API gg_status gg_store_begin(gg_store *store);
GG_API gg_status gg_store_commit(gg_store *store);
GG_API gg_status gg_store_rollback(gg_store *store);

typedef struct gg_layer_info {
    gg_layer layer;
    int64_t features;
    int has_extent;             /* 0 when the layer is empty or has no geometry */
    double min_lon, min_lat, max_lon, max_lat;
} gg_layer_info;

typedef struct gg_class_info {
    char urban_rural[4];        /* "111" ... "220", or "" when unset */
    int64_t communities;
    int64_t household_points;   /* household points in these communities */
    int64_t households;         /* the sum of their counts */
} gg_class_info;

typedef struct gg_dept_info {
    char *dept;
    int64_t grids;
} gg_dept_info;

typedef struct gg_plan_info {
    int64_t id;
    int64_t parent;             /* 0 when none */
    char *created;              /* ISO 8601 UTC */
    char *source;               /* how it was made: "import", "partition", "maintain" or "edit" */
    char *note;                 /* may be NULL */
    int64_t grids;
    int64_t communities;        /* distinct communities of its grids */
    char *state;                /* "draft", "published" (the active plan) or "superseded" */
    char *made_by;              /* may be NULL (unknown) */
    char *published;            /* ISO 8601 UTC; NULL for a draft */
    char *published_by;         /* may be NULL */
    char *superseded;           /* ISO 8601 UTC; NULL unless superseded */
    char *params;               /* the partition's parameters (JSON text); NULL for others */
    int64_t households;         /* the sum over its grids that have a count */
    int64_t uncounted;          /* grids without a household count (imported) */
} gg_plan_info;

typedef struct gg_store_info {
    int schema_version;
    int storage_srid;
    gg_layer_info layers[GG_LAYER_COUNT];
    int64_t counties, townships, communities;
    int64_t household_points;
    int64_t households;         /* sum of household counts */
    int64_t persons;            /* sum of persons where given */
    int64_t households_outside; /* household points in no community */
    gg_class_info *classes;     /* communities by urban-rural class */
    size_t n_classes;
    gg_dept_info *depts;
    size_t n_depts;
    gg_plan_info *plans;
    size_t n_plans;
} gg_store_info;

/* Summarises what the project holds. out receives an object to free with
 * gg_store_info_free. Returns GG_OK, GG_ERR_STORE or GG_ERR_NOMEM. */
GG_API gg_status gg_store_info_get(gg_ctx *ctx, gg_store *store, gg_store_info **out);
GG_API void gg_store_info_free(gg_ctx *ctx, gg_store_info *info);

/* The project's plans by id (as gg_store_info_get gives them), without
 * the rest of its summary. *plans receives an array to free with
 * gg_plans_free (NULL when there is none). GG_OK, GG_ERR_STORE,
 * GG_ERR_NOMEM. */
GG_API gg_status gg_store_plans(gg_ctx *ctx, gg_store *store, gg_plan_info **plans, size_t *n_plans);
GG_API void gg_plans_free(gg_ctx *ctx, gg_plan_info *plans, size_t n_plans);

/* The departments of the departmental grids with their grid counts, by
 * name; free with gg_depts_free. GG_OK, GG_ERR_STORE, GG_ERR_NOMEM. */
GG_API gg_status gg_store_depts(gg_ctx *ctx, gg_store *store, gg_dept_info **depts, size_t *n_depts);
GG_API void gg_depts_free(gg_ctx *ctx, gg_dept_info *depts, size_t n_depts);

/* ---- project settings ----
 * A project carries a few named settings that its services read (see
 * docs/cli.md, 'govgrid config'):
 *   contacts.public          yes|no: whether grid workers' names and phones
 *                            are published (上岗公示), and so given without a
 *                            key (default no)
 *   open311.jurisdiction_id  the jurisdiction the Open311 endpoint serves;
 *                            when set, a request naming another is refused
 *   open311.crs              the coordinates Open311 clients send when they
 *                            do not say: wgs84 (default), cgcs2000, gcj02,
 *                            bd09
 *   open311.retry_window     how long a resent request is recognised as the
 *                            same one: 30s, 15m, 24h (default), 7d; 0: never
 *   open311.contact          the discovery document's contact text
 *   open311.key_service      the discovery document's text on getting a key
 *   open311.language         the language of what reporters are told (the
 *                            receipts' notices, status_notes, the updates'
 *                            descriptions): en (default) or zh
 */

/* The names above, NULL-terminated. */
GG_API const char *const *gg_setting_names(void);

/* The value of a setting (its default when unset) into value (size
 * bytes). GG_ERR_NOT_FOUND for a name that is not a setting. *is_set (may
 * be NULL) says whether the project sets it. */
GG_API gg_status gg_setting_get(gg_ctx *ctx, gg_store *store, const char *name, char *value, size_t size,
                                int *is_set);

/* Sets (value NULL: unsets) a setting, checking the value, in one
 * transaction. GG_ERR_NOT_FOUND for an unknown name, GG_ERR_ARG for a value
 * the setting does not take (the message says what it takes). */
GG_API gg_status gg_setting_set(gg_ctx *ctx, gg_store *store, const char *name, const char *value);

/* A duration as the settings write it ("30s", "15m", "24h", "7d", "0") in
 * seconds; -1 when it is not one. */
GG_API int64_t gg_duration_parse(const char *text);

#ifdef __cplusplus
}
#endif
#endif
