/* Opening a source with GDAL: with the drivers source_policy.c allows,
 * driver-specific open options, layer choice, attribute filter, and the
 * source CRS with its transformation to storage. */
#include "io/import.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Column names taken as coordinates in CSV files, in GDAL's syntax. */
#define CSV_X_NAMES "lon,lng,long,longitude,x,经度"
#define CSV_Y_NAMES "lat,latitude,y,纬度"
#define CSV_GEOM_NAMES "wkt,geom,geometry,the_geom,shape"

static const char *gdal_reason(gg_ctx *ctx)
{
    if (ctx->gdal_msg[0] != '\0')
        return ctx->gdal_msg;
    const char *msg = CPLGetLastErrorMsg();
    return msg && msg[0] ? msg : "unknown reason";
}

static int is_utf8_name(const char *enc)
{
    return strcasecmp(enc, "UTF-8") == 0 || strcasecmp(enc, "UTF8") == 0;
}

static void list_layers(GDALDatasetH ds, char *buf, size_t size)
{
    buf[0] = '\0';
    int n = GDALDatasetGetLayerCount(ds);
    for (int i = 0; i < n; i++) {
        size_t used = strlen(buf);
        if (used + 8 >= size)
            break;
        snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                 OGR_L_GetName(GDALDatasetGetLayer(ds, i)));
    }
}

/* The coordinate columns of a CSV, chosen here rather than by GDAL: the
 * first column whose name is in each list, in the list's order (so lon/lat
 * win over x/y). GDAL 3.6's CSV driver crashes when two columns match its
 * X_POSSIBLE_NAMES or Y_POSSIBLE_NAMES with KEEP_GEOM_COLUMNS=NO, so it is
 * given exactly one name each, and a name that two columns share is
 * refused. */
typedef struct csv_columns {
    char x[128], y[128], wkt[128];
} csv_columns;

static int pick_column(OGRFeatureDefnH defn, const char *list, char *out, size_t size, int *dup)
{
    char **names = CSLTokenizeString2(list, ",", 0);
    out[0] = '\0';
    *dup = 0;
    for (int k = 0; names && names[k] && out[0] == '\0'; k++) {
        int hits = 0;
        for (int i = 0; i < OGR_FD_GetFieldCount(defn); i++) {
            const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
            if (strcasecmp(name, names[k]) == 0 && hits++ == 0)
                snprintf(out, size, "%s", name);
        }
        *dup = hits > 1;
    }
    CSLDestroy(names);
    return out[0] != '\0';
}

static gg_status csv_pick_columns(gg_ctx *ctx, const char *path, csv_columns *cols)
{
    memset(cols, 0, sizeof *cols);
    const char *const csv_only[] = {"CSV", NULL};
    const char *const plain[] = {"GEOM_POSSIBLE_NAMES=", "X_POSSIBLE_NAMES=", "Y_POSSIBLE_NAMES=", NULL};
    GDALDatasetH raw = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY, csv_only, plain, NULL);
    OGRLayerH layer = raw ? GDALDatasetGetLayer(raw, 0) : NULL;
    if (layer == NULL) {
        if (raw)
            GDALClose(raw);
        return GG_OK; /* the real open reports what is wrong */
    }
    OGRFeatureDefnH defn = OGR_L_GetLayerDefn(layer);
    int dup_x = 0, dup_y = 0, dup_wkt = 0;
    pick_column(defn, CSV_X_NAMES, cols->x, sizeof cols->x, &dup_x);
    pick_column(defn, CSV_Y_NAMES, cols->y, sizeof cols->y, &dup_y);
    pick_column(defn, CSV_GEOM_NAMES, cols->wkt, sizeof cols->wkt, &dup_wkt);
    GDALClose(raw);
    const char *dup = dup_x ? cols->x : dup_y ? cols->y : (dup_wkt && !cols->x[0]) ? cols->wkt : NULL;
    if (dup != NULL)
        return gg_error(ctx, GG_ERR_FORMAT, "%s: two columns are named '%s'; rename one", path, dup);
    return GG_OK;
}

/* A CSV without usable coordinates: say which column is missing. */
static gg_status csv_geometry_error(gg_ctx *ctx, gg_source *src, const csv_columns *cols)
{
    if (cols->x[0] != '\0' && cols->y[0] == '\0')
        return gg_error(ctx, GG_ERR_FORMAT,
                        "%s: found longitude column '%s' but no latitude column (expected one of: %s)",
                        src->path, cols->x, CSV_Y_NAMES);
    if (cols->y[0] != '\0' && cols->x[0] == '\0')
        return gg_error(ctx, GG_ERR_FORMAT,
                        "%s: found latitude column '%s' but no longitude column (expected one of: %s)",
                        src->path, cols->y, CSV_X_NAMES);
    return gg_error(ctx, GG_ERR_FORMAT,
                    "%s: no coordinates: expected longitude/latitude columns (%s / %s) or a WKT "
                    "column (%s); other names with --oo X_POSSIBLE_NAMES=... --oo Y_POSSIBLE_NAMES=...",
                    src->path, CSV_X_NAMES, CSV_Y_NAMES, CSV_GEOM_NAMES);
}

static int plausible_lonlat(const OGREnvelope *e)
{
    return e->MinX >= -180.0 && e->MaxX <= 180.0 && e->MinY >= -90.0 && e->MaxY <= 90.0;
}

static gg_status choose_layer(gg_ctx *ctx, gg_source *src, const layer_spec *spec,
                              const gg_import_options *opts)
{
    char names[1024];
    int n = GDALDatasetGetLayerCount(src->ds);
    if (opts->src_layer != NULL) {
        src->layer = GDALDatasetGetLayerByName(src->ds, opts->src_layer);
        if (src->layer == NULL) {
            list_layers(src->ds, names, sizeof names);
            return gg_error(ctx, GG_ERR_NOT_FOUND, "%s: no layer '%s' (layers: %s)", src->path,
                            opts->src_layer, names[0] ? names : "none");
        }
    } else if (n == 1) {
        src->layer = GDALDatasetGetLayer(src->ds, 0);
    } else {
        const char *target = gg_layer_name(spec->layer);
        const char *table = gg_layer_table_of(spec->layer)->table;
        for (int i = 0; i < n && src->layer == NULL; i++) {
            OGRLayerH l = GDALDatasetGetLayer(src->ds, i);
            const char *name = OGR_L_GetName(l);
            if (strcasecmp(name, target) == 0 || strcasecmp(name, table) == 0)
                src->layer = l;
        }
        if (src->layer == NULL) {
            list_layers(src->ds, names, sizeof names);
            if (n == 0)
                return gg_error(ctx, GG_ERR_FORMAT, "%s: no layers", src->path);
            return gg_error(ctx, GG_ERR_ARG, "%s: %d layers (%s): choose one with --src-layer",
                            src->path, n, names);
        }
    }
    src->layer_name = OGR_L_GetName(src->layer);
    return GG_OK;
}

static gg_status setup_crs(gg_ctx *ctx, gg_source *src, const gg_import_options *opts,
                           gg_import_report *report)
{
    OGRSpatialReferenceH owned = NULL;
    OGRSpatialReferenceH srs = NULL;
    if (opts->source_crs != NULL) {
        owned = OSRNewSpatialReference(NULL);
        int refused = src->guard.refused;
        if (OSRSetFromUserInput(owned, opts->source_crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(owned);
            if (src->guard.refused > refused)
                return gg_error(ctx, GG_ERR_ARG,
                                "--s-srs '%s': a URL; govgrid fetches nothing from the network "
                                "unless --allow-network is given",
                                opts->source_crs);
            return gg_error(ctx, GG_ERR_CRS, "--s-srs '%s': not a CRS PROJ/GDAL understands",
                            opts->source_crs);
        }
        srs = owned;
    } else if (OGR_L_GetGeomType(src->layer) != wkbNone) {
        srs = OGR_L_GetSpatialRef(src->layer);
    }
    src->storage_srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(src->storage_srs, GG_STORAGE_SRID);
    OSRSetAxisMappingStrategy(src->storage_srs, OAMS_TRADITIONAL_GIS_ORDER);

    if (srs == NULL) {
        OGREnvelope env;
        if (OGR_L_GetExtent(src->layer, &env, TRUE) != OGRERR_NONE) {
            snprintf(src->crs_text, sizeof src->crs_text, "none");
            src->geographic = 1;
            return GG_OK; /* no features with geometry: nothing to transform */
        }
        if (!plausible_lonlat(&env)) {
            OGREnvelope swapped = {env.MinY, env.MaxY, env.MinX, env.MaxX};
            if (plausible_lonlat(&swapped))
                return gg_error(ctx, GG_ERR_CRS,
                                "%s: layer '%s': declares no CRS, and its coordinates "
                                "(x %.6g..%.6g, y %.6g..%.6g) are not longitude/latitude: y is "
                                "beyond ±90. Are longitude and latitude swapped? Check the column "
                                "names, or give the CRS with --s-srs",
                                src->path, src->layer_name, env.MinX, env.MaxX, env.MinY, env.MaxY);
            return gg_error(ctx, GG_ERR_CRS,
                            "%s: layer '%s': declares no CRS, and its coordinates (x %.6g..%.6g, "
                            "y %.6g..%.6g) are not longitude/latitude; give the CRS with --s-srs "
                            "EPSG:n",
                            src->path, src->layer_name, env.MinX, env.MaxX, env.MinY, env.MaxY);
        }
        snprintf(src->crs_text, sizeof src->crs_text, "none (taken as EPSG:4326)");
        src->geographic = 1;
        return gg_report_issue(ctx, report, opts->max_issues, GG_ISSUE_WARNING, -1, 0, NULL,
                               "the source declares no CRS; its coordinates lie within "
                               "longitude/latitude bounds and are taken as WGS-84 (EPSG:4326)");
    }

    const char *auth = OSRGetAuthorityName(srs, NULL);
    const char *code = OSRGetAuthorityCode(srs, NULL);
    if (auth != NULL && code != NULL)
        snprintf(src->crs_text, sizeof src->crs_text, "%s:%s", auth, code);
    else
        snprintf(src->crs_text, sizeof src->crs_text, "%s", OSRGetName(srs) ? OSRGetName(srs) : "custom");
    src->geographic = OSRIsGeographic(srs);

    src->source_srs = OSRClone(srs);
    if (owned)
        OSRDestroySpatialReference(owned);
    OSRSetAxisMappingStrategy(src->source_srs, OAMS_TRADITIONAL_GIS_ORDER);
    if (!OSRIsSame(src->source_srs, src->storage_srs)) {
        src->to_storage = OCTNewCoordinateTransformation(src->source_srs, src->storage_srs);
        if (src->to_storage == NULL)
            return gg_error(ctx, GG_ERR_CRS, "%s: layer '%s': no transformation from %s to EPSG:%d: %s",
                            src->path, src->layer_name, src->crs_text, GG_STORAGE_SRID,
                            gdal_reason(ctx));
    }
    return GG_OK;
}

static int plan_has(const gg_source_plan *plan, const char *driver)
{
    for (size_t i = 0; plan->drivers[i] != NULL; i++)
        if (strcmp(plan->drivers[i], driver) == 0)
            return 1;
    return 0;
}

/* The error for a source the planned drivers could not open. */
static gg_status open_error(gg_ctx *ctx, gg_source *src, const char *path)
{
    if (src->guard.refused > 0)
        return gg_error(ctx, GG_ERR_FORMAT,
                        "%s: cannot open as a vector source: it refers to %s, on the network; govgrid "
                        "reads only local files unless --allow-network is given",
                        path, src->guard.first_url);
    return gg_error(ctx, GG_ERR_FORMAT, "%s: cannot open as a vector source: %s", path, gdal_reason(ctx));
}

gg_status gg_source_open(gg_ctx *ctx, const char *path, const layer_spec *spec,
                         const gg_import_options *opts, gg_source *src, gg_import_report *report)
{
    memset(src, 0, sizeof *src);
    src->path = path;
    src->allow_network = opts->allow_network != 0;
    if (!src->allow_network && !gg_net_guard_push(&src->guard))
        return gg_error(ctx, GG_ERR_INTERNAL, "cannot install the guard against network access in GDAL");
    gg_source_plan plan;
    gg_status st = gg_source_plan_make(ctx, path, opts, &plan);
    if (st != GG_OK)
        return st;
    /* CSV and shapefiles get open options of their own; their plans hold
     * no other driver. */
    const char *driver_name = plan.drivers[1] == NULL ? plan.drivers[0] : "";
    char **oo = NULL;
    csv_columns cols;
    memset(&cols, 0, sizeof cols);
    if (strcmp(driver_name, "CSV") == 0) {
        src->is_csv = 1;
        st = csv_pick_columns(ctx, plan.open_path, &cols);
        if (st != GG_OK)
            return st;
        if (cols.x[0] != '\0' && cols.y[0] != '\0') {
            oo = CSLSetNameValue(oo, "X_POSSIBLE_NAMES", cols.x);
            oo = CSLSetNameValue(oo, "Y_POSSIBLE_NAMES", cols.y);
        } else if (cols.wkt[0] != '\0') {
            oo = CSLSetNameValue(oo, "GEOM_POSSIBLE_NAMES", cols.wkt);
        }
        oo = CSLSetNameValue(oo, "KEEP_GEOM_COLUMNS", "NO");
    }
    if (plan_has(&plan, "GML") && !src->allow_network)
        oo = CSLSetNameValue(oo, "DOWNLOAD_SCHEMA", "NO");
    if (opts->encoding != NULL && !is_utf8_name(opts->encoding)) {
        if (strcmp(driver_name, "ESRI Shapefile") == 0)
            oo = CSLSetNameValue(oo, "ENCODING", opts->encoding);
        else
            src->recode = 1;
        src->encoding = opts->encoding;
    }
    for (size_t i = 0; i < opts->n_open_options; i++)
        oo = CSLSetNameValue(oo, opts->open_options[i].target, opts->open_options[i].value);

    char **saved = NULL;
    st = src->allow_network ? GG_OK : gg_offline_settings_set(ctx, &saved);
    if (st == GG_OK) {
        src->ds = GDALOpenEx(plan.open_path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                             plan.drivers, (const char *const *)oo, NULL);
        gg_offline_settings_restore(saved);
    }
    CSLDestroy(oo);
    if (st != GG_OK)
        return st;
    if (src->ds == NULL)
        return open_error(ctx, src, path);
    src->driver = GDALGetDriverShortName(GDALGetDatasetDriver(src->ds));
    st = choose_layer(ctx, src, spec, opts);
    if (st != GG_OK)
        return st;
    if (opts->where != NULL) {
        /* Some drivers (GeoPackage) check the filter only when reading: read
         * one feature now so that a bad expression is named as such. */
        CPLErrorReset();
        OGRFeatureH first = NULL;
        if (OGR_L_SetAttributeFilter(src->layer, opts->where) == OGRERR_NONE) {
            first = OGR_L_GetNextFeature(src->layer);
            OGR_L_ResetReading(src->layer);
        }
        int failed = first == NULL && CPLGetLastErrorType() >= CE_Failure;
        OGR_F_Destroy(first);
        if (failed)
            return gg_error(ctx, GG_ERR_ARG, "%s: layer '%s': --where '%s': %s", path,
                            src->layer_name, opts->where, CPLGetLastErrorMsg());
    }
    int has_geometry = OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(src->layer)) > 0;
    if (spec->geom != GEOM_NONE && !has_geometry && !spec->geom_optional) {
        if (src->is_csv)
            return csv_geometry_error(ctx, src, &cols);
        return gg_error(ctx, GG_ERR_FORMAT, "%s: layer '%s' has no geometry; layer %s needs it",
                        path, src->layer_name, gg_layer_name(spec->layer));
    }
    st = GG_OK;
    if (spec->geom != GEOM_NONE && has_geometry)
        st = setup_crs(ctx, src, opts, report);
    else
        snprintf(src->crs_text, sizeof src->crs_text, "none");
    if (st == GG_OK && src->guard.refused > 0)
        st = gg_report_issue(ctx, report, opts->max_issues, GG_ISSUE_WARNING, -1, 0, NULL,
                             "the source refers to %s; not fetched: govgrid reads only local files "
                             "unless --allow-network is given",
                             src->guard.first_url);
    return st;
}

void gg_source_close(gg_source *src)
{
    if (src->to_storage != NULL)
        OCTDestroyCoordinateTransformation(src->to_storage);
    if (src->storage_srs != NULL)
        OSRDestroySpatialReference(src->storage_srs);
    if (src->source_srs != NULL)
        OSRDestroySpatialReference(src->source_srs);
    if (src->ds != NULL)
        GDALClose(src->ds);
    gg_net_guard_pop(&src->guard);
    memset(src, 0, sizeof *src);
}
