/* Private: small GEOS helpers shared by the modules. */
#ifndef GG_GEO_SHAPES_H
#define GG_GEO_SHAPES_H

#include "core/ctx.h"

/* The polygonal parts of g as one MultiPolygon (a Polygon is wrapped, the
 * polygons of a collection gathered, lines and points dropped). Takes g
 * over; NULL when out of memory. */
GEOSGeometry *gg_geom_polygons(GEOSContextHandle_t h, GEOSGeometry *g);

#endif
