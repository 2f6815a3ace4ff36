/* Writing a plan's grids with GDAL, in the unified code layout or those of
 * DB11/T 2157-2023 (15 digits) and CJ/T 349-2010 (20 digits). */
#include "io/import.h"

#include <cpl_conv.h>
#include <cpl_string.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

void gg_export_options_init(gg_export_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

static const char *driver_for(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot == NULL)
        return NULL;
    if (strcasecmp(dot, ".gpkg") == 0)
        return "GPKG";
    if (strcasecmp(dot, ".geojson") == 0 || strcasecmp(dot, ".json") == 0)
        return "GeoJSON";
    if (strcasecmp(dot, ".shp") == 0)
        return "ESRI Shapefile";
    if (strcasecmp(dot, ".csv") == 0)
        return "CSV";
    return NULL;
}

static int all_digits(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return s[n] == '\0';
}

static OGRFieldDefnH field(const char *name, OGRFieldType type, int width)
{
    OGRFieldDefnH f = OGR_Fld_Create(name, type);
    if (width > 0)
        OGR_Fld_SetWidth(f, width);
    return f;
}

gg_status gg_export_grids(gg_ctx *ctx, gg_store *store, const char *path, const gg_export_options *opts,
                          int64_t *written)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || path == NULL || opts == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_export_grids: NULL argument");
    if (written)
        *written = 0;
    int layout = opts->code_layout ? opts->code_layout : 16;
    if (layout != 16 && layout != 15 && layout != 20)
        return gg_error(ctx, GG_ERR_ARG, "code layout %d: expected 16, 15 or 20", layout);
    const char *object = opts->object_code ? opts->object_code : "000000";
    if (layout == 20 && (strlen(object) != 6 || !all_digits(object, 6)))
        return gg_error(ctx, GG_ERR_ARG, "object code '%s': expected 6 digits (CJ/T 348)", object);
    const char *format = opts->format ? opts->format : driver_for(path);
    if (format == NULL)
        return gg_error(ctx, GG_ERR_ARG, "%s: cannot tell the format from the name; give one "
                                         "(GPKG, GeoJSON, \"ESRI Shapefile\", CSV)", path);
    int64_t plan = 0;
    gg_status st = gg_store_resolve_plan(store, opts->plan, &plan);
    if (st != GG_OK)
        return st;
    struct stat sb;
    if (stat(path, &sb) == 0 && !opts->overwrite)
        return gg_error(ctx, GG_ERR_EXISTS, "%s: already exists (use --overwrite to replace it)", path);

    gg_gdal_enter(ctx);
    GDALDriverH driver = GDALGetDriverByName(format);
    if (driver == NULL || GDALGetMetadataItem(driver, GDAL_DCAP_CREATE, NULL) == NULL) {
        gg_gdal_leave(ctx);
        return gg_error(ctx, GG_ERR_ARG, "format '%s': not a GDAL vector format that can be written", format);
    }
    if (stat(path, &sb) == 0)
        GDALDeleteDataset(driver, path);
    GDALDatasetH ds = GDALCreate(driver, path, 0, 0, 0, GDT_Unknown, NULL);
    if (ds == NULL) {
        gg_status e = gg_error(ctx, GG_ERR_IO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
        gg_gdal_leave(ctx);
        return e;
    }
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, GG_STORAGE_SRID);
    char **lco = NULL;
    if (strcmp(format, "ESRI Shapefile") == 0)
        lco = CSLSetNameValue(lco, "ENCODING", "UTF-8");
    if (strcmp(format, "CSV") == 0)
        lco = CSLSetNameValue(lco, "GEOMETRY", "AS_WKT");
    OGRLayerH layer = GDALDatasetCreateLayer(ds, "grids", srs, wkbMultiPolygon, lco);
    CSLDestroy(lco);
    OSRDestroySpatialReference(srs);
    if (layer == NULL)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot create layer 'grids': %s", path, CPLGetLastErrorMsg());
    const struct {
        const char *name;
        OGRFieldType type;
        int width;
    } fields[] = {{"code", OFTString, 20}, {"code16", OFTString, 16}, {"type", OFTInteger, 0},
                  {"community", OFTString, 12}, {"name", OFTString, 0}, {"households", OFTInteger64, 0},
                  {"persons", OFTInteger64, 0}, {"area_m2", OFTReal, 0}, {"flags", OFTString, 0},
                  {"beidou", OFTString, 12},     {"valid_from", OFTString, 20}};
    for (size_t i = 0; st == GG_OK && i < sizeof fields / sizeof fields[0]; i++) {
        if (layout == 16 && strcmp(fields[i].name, "code16") == 0)
            continue;
        if (!opts->valid_from && strcmp(fields[i].name, "valid_from") == 0)
            continue;
        OGRFieldDefnH f = field(fields[i].name, fields[i].type, fields[i].width);
        if (OGR_L_CreateField(layer, f, TRUE) != OGRERR_NONE)
            st = gg_error(ctx, GG_ERR_IO, "%s: cannot create field %s: %s", path, fields[i].name, CPLGetLastErrorMsg());
        OGR_Fld_Destroy(f);
    }
    sqlite3_stmt *stmt = NULL;
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "SELECT code, type, community, name, households, persons, area_m2, flags,"
                              " AsBinary(geom), beidou, (SELECT c.valid_from FROM grid_code c WHERE c.code = grid.code)"
                              " FROM grid WHERE plan = ?1 ORDER BY community, code",
                              &stmt);
    if (st == GG_OK)
        sqlite3_bind_int64(stmt, 1, plan);
    if (st == GG_OK && OGR_L_StartTransaction(layer) != OGRERR_NONE)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot start writing: %s", path, CPLGetLastErrorMsg());
    char last_community[16] = "";
    int seq = 0, in_community = 0;
    int64_t count = 0;
    int rc = SQLITE_DONE;
    while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(stmt, 0);
        const char *community = (const char *)sqlite3_column_text(stmt, 2);
        char out[32];
        if (layout == 16) {
            snprintf(out, sizeof out, "%s", code);
        } else {
            if (community == NULL || strlen(community) != 12 || !all_digits(community, 12)) {
                st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                              "grid %s has no 12-digit community code: the %d-digit layout cannot be made", code, layout);
                break;
            }
            if (strcmp(community, last_community) != 0) {
                snprintf(last_community, sizeof last_community, "%s", community);
                seq = 0;
                /* CJ/T 349: a community that is one grid has sequence 00. */
                sqlite3_stmt *n = NULL;
                in_community = 0;
                if (gg_store_prepare(store, "SELECT count(*) FROM grid WHERE plan = ?1 AND community = ?2", &n) == GG_OK) {
                    sqlite3_bind_int64(n, 1, plan);
                    sqlite3_bind_text(n, 2, community, -1, SQLITE_STATIC);
                    if (sqlite3_step(n) == SQLITE_ROW)
                        in_community = sqlite3_column_int(n, 0);
                    sqlite3_finalize(n);
                }
            }
            seq++;
            int top = layout == 15 ? 999 : 99;
            if (in_community > top) {
                st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                              "community %s has %d grids: the %d-digit layout numbers at most %d", community,
                              in_community, layout, top);
                break;
            }
            if (layout == 15)
                snprintf(out, sizeof out, "%.12s%03d", community, seq);
            else
                snprintf(out, sizeof out, "%s%.12s%02d", object, community, in_community == 1 ? 0 : seq);
        }
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "code"), out);
        if (layout != 16)
            OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "code16"), code);
        if (sqlite3_column_type(stmt, 1) != SQLITE_NULL)
            OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "type"), sqlite3_column_int(stmt, 1));
        if (community)
            OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "community"), community);
        if (sqlite3_column_type(stmt, 3) != SQLITE_NULL)
            OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "name"), (const char *)sqlite3_column_text(stmt, 3));
        /* An unknown count is written as a null, not left unset: GeoJSON
         * then says "households": null rather than leaving the key out. */
        for (int k = 4; k <= 5; k++) {
            int field = OGR_F_GetFieldIndex(f, k == 4 ? "households" : "persons");
            if (sqlite3_column_type(stmt, k) != SQLITE_NULL)
                OGR_F_SetFieldInteger64(f, field, sqlite3_column_int64(stmt, k));
            else
                OGR_F_SetFieldNull(f, field);
        }
        if (sqlite3_column_type(stmt, 6) != SQLITE_NULL)
            OGR_F_SetFieldDouble(f, OGR_F_GetFieldIndex(f, "area_m2"), sqlite3_column_double(stmt, 6));
        if (sqlite3_column_type(stmt, 7) != SQLITE_NULL)
            OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "flags"), (const char *)sqlite3_column_text(stmt, 7));
        if (sqlite3_column_type(stmt, 9) != SQLITE_NULL)
            OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "beidou"), (const char *)sqlite3_column_text(stmt, 9));
        if (opts->valid_from && sqlite3_column_type(stmt, 10) != SQLITE_NULL)
            OGR_F_SetFieldString(f, OGR_F_GetFieldIndex(f, "valid_from"), (const char *)sqlite3_column_text(stmt, 10));
        OGRGeometryH g = NULL;
        const void *wkb = sqlite3_column_blob(stmt, 8);
        if (wkb != NULL &&
            OGR_G_CreateFromWkb(wkb, NULL, &g, sqlite3_column_bytes(stmt, 8)) == OGRERR_NONE)
            OGR_F_SetGeometryDirectly(f, g);
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            st = gg_error(ctx, GG_ERR_IO, "%s: writing grid %s: %s", path, code, CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
        count++;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading grids");
    sqlite3_finalize(stmt);
    if (st == GG_OK && OGR_L_CommitTransaction(layer) != OGRERR_NONE)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot finish writing: %s", path, CPLGetLastErrorMsg());
    GDALClose(ds);
    if (st != GG_OK)
        GDALDeleteDataset(driver, path); /* nothing half-written is left */
    gg_gdal_leave(ctx);
    if (st == GG_OK && written)
        *written = count;
    return st;
}
