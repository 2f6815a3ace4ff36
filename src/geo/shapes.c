/* Small GEOS helpers shared by the modules. */
#include "geo/shapes.h"

#include <math.h>
#include <stdlib.h>

GEOSGeometry *gg_geom_polygons(GEOSContextHandle_t h, GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON)
        return g;
    if (type == GEOS_POLYGON) {
        GEOSGeometry *parts[1] = {g};
        return GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, parts, 1);
    }
    /* A collection (make-valid and union results can hold the lines and
     * points that collapsed parts became): keep its polygons. */
    int n = GEOSGetNumGeometries_r(h, g), k = 0;
    size_t cap = 0;
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        int pt = GEOSGeomTypeId_r(h, part);
        cap += pt == GEOS_POLYGON ? 1 : pt == GEOS_MULTIPOLYGON ? (size_t)GEOSGetNumGeometries_r(h, part) : 0;
    }
    GEOSGeometry **polys = malloc(sizeof *polys * (cap ? cap : 1));
    if (polys == NULL) {
        GEOSGeom_destroy_r(h, g);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        int pt = GEOSGeomTypeId_r(h, part);
        if (pt == GEOS_POLYGON)
            polys[k++] = GEOSGeom_clone_r(h, part);
        else if (pt == GEOS_MULTIPOLYGON)
            for (int j = 0; j < GEOSGetNumGeometries_r(h, part); j++)
                polys[k++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, part, j));
    }
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)k);
    free(polys);
    return out;
}

GEOSGeometry *gg_geom_make_valid_polygons(GEOSContextHandle_t h, GEOSGeometry *g)
{
    GEOSMakeValidParams *params = GEOSMakeValidParams_create_r(h);
    GEOSGeometry *made = NULL;
    if (params != NULL) {
        GEOSMakeValidParams_setMethod_r(h, params, GEOS_MAKE_VALID_STRUCTURE);
        GEOSMakeValidParams_setKeepCollapsed_r(h, params, 0);
        made = GEOSMakeValidWithParams_r(h, g, params);
        GEOSMakeValidParams_destroy_r(h, params);
    }
    GEOSGeom_destroy_r(h, g);
    return made ? gg_geom_polygons(h, made) : NULL;
}

double gg_geom_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    const double a = 6378137.0, e2 = 0.00669437999014, deg = 3.14159265358979323846 / 180.0;
    double area = 0, y0 = 0, y1 = 0;
    if (GEOSArea_r(h, g, &area) != 1 || GEOSGeom_getYMin_r(h, g, &y0) != 1 || GEOSGeom_getYMax_r(h, g, &y1) != 1)
        return 0;
    double phi = (y0 + y1) / 2 * deg, s = sin(phi), w = sqrt(1.0 - e2 * s * s);
    return area * deg * deg * (a / w) * cos(phi) * (a * (1.0 - e2) / (w * w * w));
}
