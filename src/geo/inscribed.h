/* Private: does a polygon hold a disc of a given radius? */
#ifndef GG_GEO_INSCRIBED_H
#define GG_GEO_INSCRIBED_H

#include "core/ctx.h"

/* Whether polygonal g (a Polygon or a MultiPolygon of disjoint parts, in
 * planar coordinates) holds a disc of radius r: 1 when some point of g
 * lies farther than r from its boundary (the largest inscribed circle is
 * wider than r), 0 when no point lies farther than r + precision, -1 when
 * out of memory or g is not polygonal (the message in ctx for memory).
 * A decision, not a search: the branch and bound of the largest inscribed
 * circle (Garcia-Castellanos and Lombardo's "polylabel") stops at the
 * first point proving the disc fits and prunes every cell that cannot
 * hold one, instead of refining the best centre. */
int gg_geom_holds_disc(gg_ctx *ctx, const GEOSGeometry *g, double r, double precision);

#endif
