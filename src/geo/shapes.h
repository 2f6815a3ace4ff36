/* Private: small GEOS helpers shared by the modules. */
#ifndef GG_GEO_SHAPES_H
#define GG_GEO_SHAPES_H

#include "core/ctx.h"

/* The polygonal parts of g as one MultiPolygon (a Polygon is wrapped, the
 * polygons of a collection gathered, lines and points dropped). Takes g
 * over; NULL when out of memory. */
GEOSGeometry *gg_geom_polygons(GEOSContextHandle_t h, GEOSGeometry *g);

/* g made valid (GEOS make-valid, structure method, collapsed parts
 * dropped), its polygonal parts as one MultiPolygon. Takes g over; NULL
 * when make-valid fails or out of memory. */
GEOSGeometry *gg_geom_make_valid_polygons(GEOSContextHandle_t h, GEOSGeometry *g);

/* The area of g (lon/lat) in square metres: its area in square degrees
 * scaled by WGS 84's radii of curvature at the middle of its box, within
 * 0.1% of the projected area at a grid's size; 0 when GEOS cannot tell. */
double gg_geom_area_m2(GEOSContextHandle_t h, const GEOSGeometry *g);

#endif
