/* A check's problems as a GeoPackage to open in QGIS: areas (gaps,
 * overlaps, pieces outside, small parts) in one layer, every other
 * problem as a point in another. */
#include "check/check.h"

#include <errno.h>
#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int is_area(const gg_check_problem *p)
{
    return p->kind == GG_CHECK_GAP || p->kind == GG_CHECK_OVERLAP || p->kind == GG_CHECK_OUTSIDE ||
           p->kind == GG_CHECK_SMALL_PART;
}

static gg_status write_layer(gg_ctx *ctx, GDALDatasetH ds, const char *path, const gg_check_report *r, int areas)
{
    OGRSpatialReferenceH srs = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(srs, 4326);
    OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER);
    const char *name = areas ? "problem_areas" : "problem_points";
    OGRLayerH layer = GDALDatasetCreateLayer(ds, name, srs, areas ? wkbMultiPolygon : wkbPoint, NULL);
    OSRDestroySpatialReference(srs);
    if (layer == NULL)
        return gg_error(ctx, GG_ERR_IO, "%s: cannot create layer '%s': %s", path, name, CPLGetLastErrorMsg());
    static const struct {
        const char *name;
        OGRFieldType type;
    } fields[] = {{"kind", OFTString},    {"severity", OFTString},   {"code", OFTString},
                  {"other", OFTString},   {"community", OFTString},  {"area_m2", OFTReal},
                  {"households", OFTInteger64}, {"held", OFTInteger64}, {"detail", OFTString}};
    gg_status st = GG_OK;
    for (size_t i = 0; st == GG_OK && i < sizeof fields / sizeof fields[0]; i++) {
        OGRFieldDefnH fd = OGR_Fld_Create(fields[i].name, fields[i].type);
        if (OGR_L_CreateField(layer, fd, TRUE) != OGRERR_NONE)
            st = gg_error(ctx, GG_ERR_IO, "%s: cannot create field %s: %s", path, fields[i].name, CPLGetLastErrorMsg());
        OGR_Fld_Destroy(fd);
    }
    if (st == GG_OK && OGR_L_StartTransaction(layer) != OGRERR_NONE)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot start writing: %s", path, CPLGetLastErrorMsg());
    for (size_t i = 0; st == GG_OK && i < r->n_problems; i++) {
        const gg_check_problem *p = &r->problems[i];
        if (is_area(p) != areas)
            continue;
        OGRFeatureH f = OGR_F_Create(OGR_L_GetLayerDefn(layer));
        OGR_F_SetFieldString(f, 0, gg_check_kind_name(p->kind));
        OGR_F_SetFieldString(f, 1, p->error ? "error" : "warning");
        if (p->code[0])
            OGR_F_SetFieldString(f, 2, p->code);
        if (p->other[0])
            OGR_F_SetFieldString(f, 3, p->other);
        if (p->community[0])
            OGR_F_SetFieldString(f, 4, p->community);
        if (areas)
            OGR_F_SetFieldDouble(f, 5, p->area_m2);
        if (p->kind == GG_CHECK_HOUSEHOLDS && p->code[0]) {
            OGR_F_SetFieldInteger64(f, 6, p->value);
            OGR_F_SetFieldInteger64(f, 7, p->expected);
        }
        OGR_F_SetFieldString(f, 8, p->detail);
        OGRGeometryH g = NULL;
        if (p->wkb != NULL && OGR_G_CreateFromWkb(p->wkb, NULL, &g, (int)p->wkb_size) == OGRERR_NONE) {
            if (areas)
                g = OGR_G_ForceToMultiPolygon(g);
            OGR_F_SetGeometryDirectly(f, g);
        }
        if (OGR_L_CreateFeature(layer, f) != OGRERR_NONE)
            st = gg_error(ctx, GG_ERR_IO, "%s: writing problem %zu: %s", path, i + 1, CPLGetLastErrorMsg());
        OGR_F_Destroy(f);
    }
    if (st == GG_OK && OGR_L_CommitTransaction(layer) != OGRERR_NONE)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot finish writing: %s", path, CPLGetLastErrorMsg());
    return st;
}

gg_status gg_check_write_gpkg(gg_ctx *ctx, const gg_check_report *r, const char *path, int overwrite)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (r == NULL || path == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_check_write_gpkg: NULL argument");
    struct stat sb;
    if (!overwrite && stat(path, &sb) == 0)
        return gg_error(ctx, GG_ERR_EXISTS, "%s: already exists (use --overwrite)", path);
    char tmp[4096];
    const char *slash = strrchr(path, '/');
    int dir_len = slash ? (int)(slash - path + 1) : 0;
    if ((size_t)snprintf(tmp, sizeof tmp, "%.*s.%s.tmp.gpkg", dir_len, path, slash ? slash + 1 : path) >= sizeof tmp)
        return gg_error(ctx, GG_ERR_ARG, "%s: path too long", path);
    gg_gdal_register();
    gg_gdal_enter(ctx);
    GDALDriverH driver = GDALGetDriverByName("GPKG");
    unlink(tmp);
    GDALDatasetH ds = driver ? GDALCreate(driver, tmp, 0, 0, 0, GDT_Unknown, NULL) : NULL;
    gg_status st = GG_OK;
    if (ds == NULL)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot create: %s", path, CPLGetLastErrorMsg());
    if (st == GG_OK)
        st = write_layer(ctx, ds, path, r, 1);
    if (st == GG_OK)
        st = write_layer(ctx, ds, path, r, 0);
    if (ds != NULL)
        GDALClose(ds);
    if (st == GG_OK && rename(tmp, path) != 0)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot rename into place: %s", path, strerror(errno));
    if (st != GG_OK && ds != NULL)
        unlink(tmp);
    gg_gdal_leave(ctx);
    return st;
}
