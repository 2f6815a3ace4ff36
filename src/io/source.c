/* Opening a source with GDAL: driver-specific open options, layer choice,
 * attribute filter, and the source CRS with its transformation to storage. */
#include "io/import.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

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

static int name_in_list(const char *name, const char *list)
{
    char **items = CSLTokenizeString2(list, ",", 0);
    int found = 0;
    for (int i = 0; items && items[i]; i++)
        if (strcasecmp(items[i], name) == 0)
            found = 1;
    CSLDestroy(items);
    return found;
}

/* A CSV that GDAL opened without geometry: say which coordinate column is
 * missing rather than just "no geometry". */
static gg_status csv_geometry_error(gg_ctx *ctx, gg_source *src)
{
    /* GDAL drops a lone coordinate column from the fields it shows, so the
     * header is read again as plain columns. */
    const char *const csv_only[] = {"CSV", NULL};
    GDALDatasetH raw = GDALOpenEx(src->path, GDAL_OF_VECTOR | GDAL_OF_READONLY, csv_only, NULL, NULL);
    OGRLayerH layer = raw ? GDALDatasetGetLayer(raw, 0) : NULL;
    OGRFeatureDefnH defn = layer ? OGR_L_GetLayerDefn(layer) : NULL;
    char x[128] = "", y[128] = "";
    for (int i = 0; defn != NULL && i < OGR_FD_GetFieldCount(defn); i++) {
        const char *name = OGR_Fld_GetNameRef(OGR_FD_GetFieldDefn(defn, i));
        if (x[0] == '\0' && name_in_list(name, CSV_X_NAMES))
            snprintf(x, sizeof x, "%s", name);
        if (y[0] == '\0' && name_in_list(name, CSV_Y_NAMES))
            snprintf(y, sizeof y, "%s", name);
    }
    if (raw != NULL)
        GDALClose(raw);
    if (x[0] != '\0' && y[0] == '\0')
        return gg_error(ctx, GG_ERR_FORMAT,
                        "%s: found longitude column '%s' but no latitude column (expected one of: %s)",
                        src->path, x, CSV_Y_NAMES);
    if (y[0] != '\0' && x[0] == '\0')
        return gg_error(ctx, GG_ERR_FORMAT,
                        "%s: found latitude column '%s' but no longitude column (expected one of: %s)",
                        src->path, y, CSV_X_NAMES);
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
        if (OSRSetFromUserInput(owned, opts->source_crs) != OGRERR_NONE) {
            OSRDestroySpatialReference(owned);
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

gg_status gg_source_open(gg_ctx *ctx, const char *path, const layer_spec *spec,
                         const gg_import_options *opts, gg_source *src, gg_import_report *report)
{
    memset(src, 0, sizeof *src);
    src->path = path;
    struct stat sb;
    int is_file = stat(path, &sb) == 0;
    if (!is_file && strchr(path, ':') == NULL && strncmp(path, "/vsi", 4) != 0)
        return gg_error(ctx, GG_ERR_IO, "%s: %s", path, strerror(errno));

    GDALDriverH driver = GDALIdentifyDriverEx(path, GDAL_OF_VECTOR, NULL, NULL);
    const char *driver_name = driver ? GDALGetDriverShortName(driver) : "";
    char **oo = NULL;
    if (strcmp(driver_name, "CSV") == 0) {
        src->is_csv = 1;
        oo = CSLSetNameValue(oo, "X_POSSIBLE_NAMES", CSV_X_NAMES);
        oo = CSLSetNameValue(oo, "Y_POSSIBLE_NAMES", CSV_Y_NAMES);
        oo = CSLSetNameValue(oo, "GEOM_POSSIBLE_NAMES", CSV_GEOM_NAMES);
        oo = CSLSetNameValue(oo, "KEEP_GEOM_COLUMNS", "NO");
    }
    if (opts->encoding != NULL && !is_utf8_name(opts->encoding)) {
        if (strcmp(driver_name, "ESRI Shapefile") == 0)
            oo = CSLSetNameValue(oo, "ENCODING", opts->encoding);
        else
            src->recode = 1;
        src->encoding = opts->encoding;
    }
    for (size_t i = 0; i < opts->n_open_options; i++)
        oo = CSLSetNameValue(oo, opts->open_options[i].target, opts->open_options[i].value);

    const char *const allowed[] = {driver_name, NULL};
    src->ds = GDALOpenEx(path, GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR,
                         driver ? allowed : NULL, (const char *const *)oo, NULL);
    CSLDestroy(oo);
    if (src->ds == NULL)
        return gg_error(ctx, GG_ERR_FORMAT, "%s: cannot open as a vector source: %s", path,
                        gdal_reason(ctx));
    src->driver = GDALGetDriverShortName(GDALGetDatasetDriver(src->ds));
    gg_status st = choose_layer(ctx, src, spec, opts);
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
            return csv_geometry_error(ctx, src);
        return gg_error(ctx, GG_ERR_FORMAT, "%s: layer '%s' has no geometry; layer %s needs it",
                        path, src->layer_name, gg_layer_name(spec->layer));
    }
    if (spec->geom != GEOM_NONE && has_geometry)
        return setup_crs(ctx, src, opts, report);
    snprintf(src->crs_text, sizeof src->crs_text, "none");
    return GG_OK;
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
    memset(src, 0, sizeof *src);
}
