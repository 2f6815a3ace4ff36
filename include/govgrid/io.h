/*
 * govgrid io: importing layers from vector sources GDAL reads
 * (GeoPackage, Shapefile including GBK/GB18030 attributes, GeoJSON, CSV with
 * lon/lat or WKT columns, OSM PBF, and, when named, PostGIS, VRT, ...) into
 * the project store.
 *
 * An import maps the source's fields to the layer's target fields,
 * reprojects to EPSG:4326, validates every feature (invalid polygons are
 * repaired with GEOS make-valid and reported; empty, missing or
 * wrongly-typed geometry, duplicate ids, missing values and non-numeric
 * numbers reject the feature, named by its id and feature number or CSV
 * line), and writes everything in one transaction: on any failure the store
 * is exactly as it was.
 */
#ifndef GOVGRID_IO_H
#define GOVGRID_IO_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

/* TARGET=VALUE: for maps, VALUE names a source field; for sets it is a
 * constant given to every feature; for open options, a GDAL open option. */
typedef struct gg_binding {
    const char *target;
    const char *value;
} gg_binding;

typedef struct gg_import_options {
    const char *src_layer;      /* source layer; NULL: the only one, or the one named like the target */
    const char *where;          /* OGR SQL attribute filter, NULL for none */
    const char *encoding;       /* encoding of the source's text ("GBK", "GB18030", ...); NULL: as declared, else UTF-8 */
    const char *source_crs;     /* CRS to assume for the source ("EPSG:4549"), overriding what it declares; NULL: as declared */
    const gg_binding *maps;     /* target field <- source field */
    size_t n_maps;
    const gg_binding *sets;     /* target field <- constant */
    size_t n_sets;
    const gg_binding *open_options; /* GDAL open options, e.g. X_POSSIBLE_NAMES=lng */
    size_t n_open_options;
    const char *driver;         /* the GDAL driver to read source with ("VRT", "PostgreSQL", "CSV");
                                   NULL: the driver of the type source's name declares */
    int allow_network;          /* read URLs and network file systems (/vsicurl/, /vsis3/, ...) and
                                   let GDAL fetch what a source refers to; 0: local files only */
    int append;                 /* add to the layer instead of replacing it */
    int skip_invalid;           /* import the valid features even when others are rejected */
    const char *note;           /* grids: the new plan's note */
    size_t max_issues;          /* issues kept in the report (0: 1000); the rest are only counted */
    int jobs;                   /* 2 or more: read and prepare features in a worker thread while
                                   the calling thread writes (the context's allocator is then
                                   called from both threads); 0 or 1: all in the calling thread */
    int64_t max_count;          /* households: the most households one point may carry (persons:
                                   20 times as many); 0: GG_HOUSEHOLDS_PER_POINT_MAX */
} gg_import_options;

/* The default bound on one household point's count: a point is a home or
 * a building, and the largest residential blocks hold a few thousand
 * households. With it, no sum over a province's points comes near
 * overflowing a 64-bit count. */
#define GG_HOUSEHOLDS_PER_POINT_MAX 100000

/* Fills opts with the defaults (all NULL/0). */
GG_API void gg_import_options_init(gg_import_options *opts);

typedef enum gg_issue_kind {
    GG_ISSUE_WARNING = 0,       /* kept as is, with a remark */
    GG_ISSUE_REPAIRED = 1,      /* invalid geometry made valid */
    GG_ISSUE_REJECTED = 2       /* not imported */
} gg_issue_kind;

typedef struct gg_import_issue {
    gg_issue_kind kind;
    int64_t fid;                /* the source feature number, -1 for a layer-wide remark */
    int64_t line;               /* the line in a CSV source, 0 otherwise */
    char *id;                   /* the feature's id (or code) when known, else NULL */
    char *message;              /* what is wrong, without the location */
} gg_import_issue;

typedef struct gg_import_report {
    char *layer;                /* target layer name */
    char *source;               /* as given */
    char *src_layer;            /* the source layer read */
    char *driver;               /* GDAL driver short name */
    char *source_crs;           /* "EPSG:4549", a name, or "none (taken as EPSG:4326)" */
    int64_t read;               /* features read (after --where) */
    int64_t imported;
    int64_t repaired;
    int64_t rejected;
    int64_t warnings;
    int64_t replaced;           /* rows removed first (replace mode) */
    int64_t households;         /* households layer: sum of imported counts */
    int64_t outside;            /* point layers: features in no community */
    char **outside_ids;         /* the first of them (at most 10) */
    size_t n_outside_ids;
    int communities_known;      /* 0 when the project had no communities to check against */
    int64_t plan;               /* grids: the plan created or appended to, else 0 */
    int64_t catalogue_version;  /* catalogue: the version created, else 0 */
    gg_import_issue *issues;    /* in source order, at most max_issues */
    size_t n_issues;
    int64_t issues_dropped;     /* issues counted but not kept */
} gg_import_report;

/* Imports one source layer into a project layer.
 * store must be writable; source is a path (or, with opts->driver, any
 * GDAL connection string).
 *
 * Which GDAL driver reads it: without opts->driver, only the one of the
 * type its name declares: .csv/.tsv CSV; .shp, .dbf, .shz, .shp.zip and a
 * folder ESRI Shapefile; .gpkg GPKG; .geojson GeoJSON; .json GeoJSON,
 * ESRIJSON or TopoJSON; .geojsonl/.geojsons GeoJSONSeq; .kml KML or LIBKML;
 * .kmz LIBKML; .gml GML; .gpx GPX; .osm/.pbf OSM; .sqlite SQLite; .fgb
 * FlatGeobuf; a .gdb folder OpenFileGDB; .xlsx XLSX; .xls XLS; .ods ODS;
 * .tab/.mif MapInfo File; NAME.gz the type of NAME, through /vsigzip/.
 * The first bytes must be that type: VRT XML saved as .csv is refused
 * (GG_ERR_FORMAT, naming what was expected and what was found), so is any
 * other name (GG_ERR_ARG). Drivers that read other files, services or
 * databases (VRT, WFS, OAPIF, PostgreSQL, ...) are used only when
 * opts->driver names them. Unless opts->allow_network is set, URLs and
 * network file systems (/vsicurl/, /vsis3/, /vsigs/, /vsiaz/, ...) are
 * refused before anything is fetched (GG_ERR_ARG), local ones other than
 * /vsimem/, /vsizip/, /vsigzip/, /vsitar/ too, a VRT may name no network
 * source, and GDAL's HTTP requests on the importing threads fail (a
 * GeoJSON "crs" link is then not followed, with a warning).
 * out receives the report (owned by the caller, gg_import_report_free)
 * whenever one could be made, including when features were rejected.
 * Returns GG_OK; GG_ERR_INVALID_INPUT when features were rejected and
 * skip_invalid is off (nothing written; the report lists them);
 * GG_ERR_NOT_FOUND (no such source layer or field), GG_ERR_FORMAT
 * (unreadable source, content not of the declared type, missing
 * coordinates), GG_ERR_CRS (no usable CRS, or longitude and latitude
 * evidently swapped), GG_ERR_ARG (also a source refused as above),
 * GG_ERR_STORE, GG_ERR_NOMEM, GG_ERR_CANCELLED. On any failure the store
 * is unchanged. */
GG_API gg_status gg_import(gg_ctx *ctx, gg_store *store, gg_layer layer, const char *source,
                           const gg_import_options *opts, gg_import_report **out);

GG_API void gg_import_report_free(gg_ctx *ctx, gg_import_report *report);

/* Writes where an issue is, as "SOURCE: layer 'L': feature F (id 'X')" or,
 * for a CSV, "SOURCE: line N (id 'X')", into buf (truncated to size).
 * A layer-wide issue gives "SOURCE: layer 'L'". */
GG_API void gg_import_issue_where(const gg_import_report *report, const gg_import_issue *issue,
                                  char *buf, size_t size);

typedef struct gg_export_options {
    int64_t plan;               /* 0: the active plan (the published one, else the newest) */
    const char *format;         /* GDAL driver: "GPKG", "GeoJSON", "ESRI Shapefile", "CSV"; NULL: from the extension */
    int code_layout;            /* 16 (default), 15 (DB11/T 2157-2023) or 20 (CJ/T 349-2010) */
    const char *object_code;    /* layout 20: the 6-digit management object code of CJ/T 348 (default "000000") */
    int overwrite;              /* replace an existing output */
    int valid_from;             /* add valid_from: when the code register issued each grid's code
                                   (ISO 8601 UTC; empty for a code no publication issued yet) */
} gg_export_options;

GG_API void gg_export_options_init(gg_export_options *opts);

/* Writes the grids of a plan to path with GDAL, in EPSG:4326, with the
 * fields code (in the chosen layout), code16 (the unified code, for layouts
 * other than 16), type, community, name, households, persons, area_m2,
 * flags, beidou (level-6 BeiDou grid code of the grid's representative
 * point). The 15-digit layout is county 6 + township 3 + community 3 + a
 * 3-digit sequence of the community's grids in unified-code order; the
 * 20-digit layout is object 6 + county 6 + township 3 + community 3 + a
 * 2-digit sequence (00 for a community that is one grid).
 * *written receives the number of grids (may be NULL). On failure nothing
 * is left at path. Returns GG_OK, GG_ERR_NOT_FOUND (no such plan),
 * GG_ERR_EXISTS (path exists and overwrite is off), GG_ERR_ARG (unknown
 * format or layout), GG_ERR_INVALID_INPUT (a code cannot be given the
 * layout: no 12-digit community, too many grids for the sequence), GG_ERR_IO. */
GG_API gg_status gg_export_grids(gg_ctx *ctx, gg_store *store, const char *path,
                                 const gg_export_options *opts, int64_t *written);

/* The target fields of a layer, NULL-terminated ("id", "count", ...). */
GG_API const char *const *gg_layer_fields(gg_layer layer);

#ifdef __cplusplus
}
#endif
#endif
