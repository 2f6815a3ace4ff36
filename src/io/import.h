/* Private: the state of one import, shared by the files of src/io. */
#ifndef GG_IO_IMPORT_H
#define GG_IO_IMPORT_H

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>

#include "core/ctx.h"
#include "geo/blob.h"
#include "govgrid/io.h"
#include "store/store.h"

/* ---- target fields (fields.c) ---- */

typedef enum field_kind { FIELD_TEXT, FIELD_INT, FIELD_REAL } field_kind;

typedef struct field_spec {
    const char *name;
    field_kind kind;
    int required;           /* a value must be present for every feature */
} field_spec;

#define GG_MAX_FIELDS 16

/* Geometry a layer accepts. */
typedef enum geom_rule {
    GEOM_NONE,              /* no geometry (workers) */
    GEOM_POLYGONAL,         /* Polygon/MultiPolygon, stored as MultiPolygon */
    GEOM_POINT,             /* Point (or a MultiPoint of one point) */
    GEOM_LINEAR,            /* LineString/MultiLineString, stored as MultiLineString */
    GEOM_LINEAR_OR_POLYGONAL,
    GEOM_POINT_OR_POLYGONAL
} geom_rule;

typedef struct layer_spec {
    gg_layer layer;
    field_spec fields[GG_MAX_FIELDS];
    size_t n_fields;
    const char *key;        /* the identifying field: id or code */
    geom_rule geom;
    int geom_optional;      /* divisions: only communities need geometry */
} layer_spec;

const layer_spec *gg_layer_spec(gg_layer layer);

/* How a target field gets its value. */
typedef struct field_binding {
    int source_index;       /* OGR field index, or -1 */
    const char *constant;   /* --set value, or NULL */
    int from_fid;           /* the key falls back to the feature number */
} field_binding;

/* One feature's values, after conversion. */
typedef struct field_value {
    int present;
    const char *text;       /* points into the feature or a recode buffer */
    int64_t i;
    double r;
} field_value;

/* ---- which driver may read a source (source_policy.c) ---- */

#define GG_SOURCE_MAX_DRIVERS 4

/* How a source is to be opened: the drivers GDAL may try, decided from
 * the name (or the caller's driver) and checked against the first bytes. */
typedef struct gg_source_plan {
    const char *drivers[GG_SOURCE_MAX_DRIVERS + 1]; /* NULL-terminated; GDAL's short names */
    char open_path[4096];   /* what to give GDAL: the path, /vsigzip/ + a .gz path, or CSV: + a
                               path named with --driver CSV */
    int allow_network;
} gg_source_plan;

/* Decides the plan for path, or refuses it: GG_ERR_ARG for a network
 * location without allow_network, a name of no known type, a connection
 * string or VRT without a driver, an unknown driver; GG_ERR_FORMAT when
 * the content is not the declared type (naming both); GG_ERR_IO. */
gg_status gg_source_plan_make(gg_ctx *ctx, const char *path, const gg_import_options *opts,
                              gg_source_plan *plan);

/* While pushed on a thread, GDAL's HTTP requests on that thread fail
 * without reaching the network (CPLHTTPPushFetchCallback). Push and pop
 * on the same thread; the guard must stay where it is until popped. */
typedef struct gg_net_guard {
    int pushed;
    int refused;            /* requests refused */
    char first_url[256];
} gg_net_guard;

int gg_net_guard_push(gg_net_guard *guard); /* 0 when GDAL could not install it */
void gg_net_guard_pop(gg_net_guard *guard);

/* Sets, on this thread, the GDAL options that stop drivers from following
 * links while opening (GML xlinks and schemas, KML styles); *saved keeps
 * the previous values for gg_offline_settings_restore. */
gg_status gg_offline_settings_set(gg_ctx *ctx, char ***saved);
void gg_offline_settings_restore(char **saved);

/* ---- the source (source.c) ---- */

typedef struct gg_source {
    GDALDatasetH ds;
    OGRLayerH layer;
    const char *path;
    const char *layer_name;
    const char *driver;
    int is_csv;
    int recode;             /* recode text from encoding to UTF-8 ourselves */
    const char *encoding;
    OGRCoordinateTransformationH to_storage; /* NULL when the source is already EPSG:4326 */
    OGRSpatialReferenceH source_srs;         /* with lon/lat axis order; NULL when none */
    OGRSpatialReferenceH storage_srs;
    int geographic;         /* source coordinates are lon/lat */
    char crs_text[160];
    int allow_network;      /* 0: the reading threads guard against GDAL's HTTP requests */
    gg_net_guard guard;     /* the opening thread's, pushed by gg_source_open, popped by gg_source_close */
} gg_source;

/* Opens path as opts says (gg_source_plan_make decides the drivers).
 * Without allow_network it pushes src->guard on the calling thread:
 * gg_source_close, on the same thread, pops it, also after a failure. */
gg_status gg_source_open(gg_ctx *ctx, const char *path, const layer_spec *spec,
                         const gg_import_options *opts, gg_source *src, gg_import_report *report);
void gg_source_close(gg_source *src);

/* ---- geometry (geometry.c) ---- */

/* Outcome of preparing one feature's geometry. */
typedef struct geom_result {
    GEOSGeometry *geom;     /* in EPSG:4326, owned; NULL when rejected or absent */
    int repaired;
    char message[320];      /* rejection or repair detail */
} geom_result;

/* Converts, type-checks, reprojects, range-checks and repairs. Returns
 * GG_OK with result->geom set, GG_OK with geom NULL and a message when the
 * feature is rejected, or a failure status for an internal error. */
gg_status gg_geom_prepare(gg_ctx *ctx, gg_source *src, OGRGeometryH ogr, geom_rule rule,
                          geom_result *result);

/* ---- communities (community_index.c) ---- */

typedef struct gg_community_index gg_community_index;

/* Loads every community polygon of the store. *out is NULL (and GG_OK)
 * when the project has none. */
gg_status gg_community_index_new(gg_ctx *ctx, gg_store *store, gg_community_index **out);
void gg_community_index_free(gg_community_index *index);
/* The code of the community covering (x, y), the lowest code when several
 * do, or NULL. Borrowed from the index. */
const char *gg_community_index_find(gg_community_index *index, double x, double y);

/* ---- the report (report.c) ---- */

gg_status gg_report_issue(gg_ctx *ctx, gg_import_report *report, size_t max_issues,
                          gg_issue_kind kind, int64_t fid, int64_t line, const char *id,
                          const char *fmt, ...) GG_PRINTF(8, 9);
gg_status gg_report_set(gg_ctx *ctx, char **field, const char *value);

#endif
