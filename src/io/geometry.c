/* One feature's geometry: from OGR to a valid GEOS geometry in storage
 * coordinates, or a reason to reject it; and its SpatiaLite encoding. */
#include "io/import.h"
#include "geo/coverage.h"
#include "geo/shapes.h"

#include <math.h>
#include <spatialite/gaiageo.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rule_text(geom_rule rule)
{
    switch (rule) {
    case GEOM_POLYGONAL: return "Polygon or MultiPolygon";
    case GEOM_POINT: return "Point";
    case GEOM_LINEAR: return "LineString or MultiLineString";
    case GEOM_LINEAR_OR_POLYGONAL: return "lines or polygons";
    case GEOM_POINT_OR_POLYGONAL: return "Point or Polygon";
    case GEOM_NONE: break;
    }
    return "no geometry";
}

static int type_allowed(geom_rule rule, OGRwkbGeometryType t)
{
    int polygonal = t == wkbPolygon || t == wkbMultiPolygon;
    int linear = t == wkbLineString || t == wkbMultiLineString;
    int point = t == wkbPoint;
    switch (rule) {
    case GEOM_POLYGONAL: return polygonal;
    case GEOM_POINT: return point;
    case GEOM_LINEAR: return linear;
    case GEOM_LINEAR_OR_POLYGONAL: return linear || polygonal;
    case GEOM_POINT_OR_POLYGONAL: return point || polygonal;
    case GEOM_NONE: break;
    }
    return 0;
}

enum coord_problem { COORD_OK, COORD_NOT_FINITE, COORD_LON_RANGE, COORD_LAT_RANGE };

/* Walks every vertex; stops at the first that is not finite, or, when
 * lonlat is set, outside longitude/latitude bounds. */
static enum coord_problem check_coords(OGRGeometryH g, int lonlat, double *bad_x, double *bad_y)
{
    int parts = OGR_G_GetGeometryCount(g);
    for (int i = 0; i < parts; i++) {
        enum coord_problem p = check_coords(OGR_G_GetGeometryRef(g, i), lonlat, bad_x, bad_y);
        if (p != COORD_OK)
            return p;
    }
    int n = OGR_G_GetPointCount(g);
    for (int i = 0; i < n; i++) {
        double x = OGR_G_GetX(g, i), y = OGR_G_GetY(g, i);
        *bad_x = x;
        *bad_y = y;
        if (!isfinite(x) || !isfinite(y))
            return COORD_NOT_FINITE;
        if (lonlat && (x < -180.0 || x > 180.0))
            return COORD_LON_RANGE;
        if (lonlat && (y < -90.0 || y > 90.0))
            return COORD_LAT_RANGE;
    }
    return COORD_OK;
}

static int reject(geom_result *r, const char *fmt, ...) GG_PRINTF(2, 3);
static int reject(geom_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
    return 0;
}

/* Stored polygonal geometry is always a MultiPolygon and linear geometry
 * a MultiLineString, so that every row of a column has one type. */
static GEOSGeometry *to_multi(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    int multi = type == GEOS_POLYGON ? GEOS_MULTIPOLYGON : type == GEOS_LINESTRING ? GEOS_MULTILINESTRING : -1;
    if (multi < 0)
        return g;
    GEOSGeometry *parts[1] = {g};
    return GEOSGeom_createCollection_r(h, multi, parts, 1);
}

static int prepare_owned(gg_ctx *ctx, gg_source *src, OGRGeometryH g, geom_rule rule,
                         geom_result *r)
{
    GEOSContextHandle_t h = ctx->geos;
    if (OGR_G_IsEmpty(g)) {
        /* Readers turn a point with a NaN coordinate into an empty point. */
        double ex = OGR_G_GetX(g, 0), ey = OGR_G_GetY(g, 0);
        if (wkbFlatten(OGR_G_GetGeometryType(g)) == wkbPoint &&
            (!isfinite(ex) || !isfinite(ey)) && !(isnan(ex) && isnan(ey)))
            return reject(r, "coordinate (%g, %g) is not a finite number", OGR_G_GetX(g, 0),
                          OGR_G_GetY(g, 0));
        return reject(r, "geometry is empty");
    }
    OGRwkbGeometryType type = wkbFlatten(OGR_G_GetGeometryType(g));
    if (type == wkbMultiPoint && OGR_G_GetGeometryCount(g) == 1 && rule != GEOM_LINEAR)
        type = wkbPoint;
    if (!type_allowed(rule, type))
        return reject(r, "geometry is a %s; expected %s", OGRGeometryTypeToName(type), rule_text(rule));

    double bx = 0, by = 0;
    if (check_coords(g, 0, &bx, &by) != COORD_OK)
        return reject(r, "coordinate (%g, %g) is not a finite number", bx, by);
    if (src->to_storage != NULL && OGR_G_Transform(g, src->to_storage) != OGRERR_NONE)
        return reject(r, "coordinates cannot be transformed from %s to EPSG:%d (near %.10g, %.10g)",
                      src->crs_text, GG_STORAGE_SRID, bx, by);
    switch (check_coords(g, 1, &bx, &by)) {
    case COORD_OK: break;
    case COORD_NOT_FINITE:
        return reject(r, "coordinates cannot be transformed from %s to EPSG:%d", src->crs_text,
                      GG_STORAGE_SRID);
    case COORD_LON_RANGE:
        return reject(r, "longitude %.10g is out of range [-180, 180]%s", bx,
                      src->geographic && by >= -180 && by <= 180 && bx >= -90 && bx <= 90
                          ? " (are longitude and latitude swapped?)" : "");
    case COORD_LAT_RANGE:
        return reject(r, "latitude %.10g is out of range [-90, 90]%s", by,
                      src->geographic && by >= -180 && by <= 180 && bx >= -90 && bx <= 90
                          ? " (are longitude and latitude swapped?)" : "");
    }

    GEOSGeometry *geom = NULL;
    if (type == wkbPoint) {
        OGRGeometryH p = wkbFlatten(OGR_G_GetGeometryType(g)) == wkbMultiPoint ? OGR_G_GetGeometryRef(g, 0) : g;
        /* On the project's precision grid (about 1 cm), as the plans'
         * vertices are: see geo/coverage.h. */
        geom = gg_point_on_grid(h, OGR_G_GetX(p, 0), OGR_G_GetY(p, 0));
    } else {
        size_t size = (size_t)OGR_G_WkbSize(g);
        unsigned char *wkb = malloc(size ? size : 1);
        if (wkb == NULL)
            return -1;
        OGR_G_ExportToIsoWkb(g, wkbNDR, wkb);
        ctx->geos_msg[0] = '\0';
        geom = GEOSGeomFromWKB_buf_r(h, wkb, size);
        free(wkb);
        if (geom == NULL)
            return reject(r, "geometry is malformed: %s", ctx->geos_msg[0] ? ctx->geos_msg : "GEOS cannot read it");
    }
    if (geom == NULL)
        return -1;

    int gtype = GEOSGeomTypeId_r(h, geom);
    if (gtype == GEOS_POLYGON || gtype == GEOS_MULTIPOLYGON) {
        char valid = GEOSisValid_r(h, geom);
        if (valid == 0) {
            char *reason = GEOSisValidReason_r(h, geom);
            geom = gg_geom_make_valid_polygons(h, geom);
            if (geom == NULL || GEOSisEmpty_r(h, geom) == 1) {
                if (geom)
                    GEOSGeom_destroy_r(h, geom);
                reject(r, "invalid polygon (%s) that make-valid cannot repair: no area is left",
                       reason ? reason : "unknown reason");
                GEOSFree_r(h, reason);
                return 0;
            }
            snprintf(r->message, sizeof r->message, "invalid polygon repaired with make-valid: %s",
                     reason ? reason : "unknown reason");
            GEOSFree_r(h, reason);
            r->repaired = 1;
        } else if (valid != 1) {
            GEOSGeom_destroy_r(h, geom);
            return -1;
        }
    }
    geom = to_multi(h, geom);
    if (geom == NULL)
        return -1;
    r->geom = geom;
    return 1;
}

gg_status gg_geom_prepare(gg_ctx *ctx, gg_source *src, OGRGeometryH ogr, geom_rule rule,
                          geom_result *result)
{
    memset(result, 0, sizeof *result);
    if (ogr == NULL) {
        reject(result, "geometry is missing");
        return GG_OK;
    }
    OGRGeometryH g = ogr;
    OGRGeometryH linear = NULL;
    if (OGR_G_HasCurveGeometry(g, 0)) {
        linear = OGR_G_GetLinearGeometry(g, 0, NULL);
        if (linear == NULL)
            return gg_error_nomem(ctx);
        g = linear;
    }
    OGR_G_FlattenTo2D(g);
    int rc = prepare_owned(ctx, src, g, rule, result);
    if (linear != NULL)
        OGR_G_DestroyGeometry(linear);
    if (rc < 0)
        return gg_error(ctx, GG_ERR_GEOMETRY, "%s: layer '%s': geometry processing failed: %s",
                        src->path, src->layer_name, ctx->geos_msg[0] ? ctx->geos_msg : "out of memory");
    return GG_OK;
}

