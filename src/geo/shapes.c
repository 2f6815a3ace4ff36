/* Small GEOS helpers shared by the modules. */
#include "geo/shapes.h"

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
