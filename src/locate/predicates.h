/* Private: the orientation of three points, exactly.
 *
 * A double-precision determinant decides almost every case; when it is too
 * close to zero for its rounding error bound (Shewchuk's filter), the
 * determinant is summed exactly as an expansion of error-free products
 * (two-product by fused multiply-add, two-sum). A point on a grid's edge is
 * therefore seen on it exactly as an exact predicate (GEOS's covers) sees
 * it. The filter is inline (it decides almost every call in a few
 * instructions); the exact sum is not. */
#ifndef GG_LOCATE_PREDICATES_H
#define GG_LOCATE_PREDICATES_H

#include <float.h>

/* (3 + 16 eps) eps, eps = 2^-53: Shewchuk's ccwerrboundA. */
#define GG_ORIENT_ERRBOUND ((3.0 + 16.0 * (DBL_EPSILON / 2)) * (DBL_EPSILON / 2))

/* The sign of the determinant summed exactly. */
int gg_orient2d_exact(double ax, double ay, double bx, double by, double cx, double cy);

/* +1 if c lies to the left of the directed line a->b, -1 to the right,
 * 0 on it. */
static inline int gg_orient2d(double ax, double ay, double bx, double by, double cx, double cy)
{
    double detleft = (ax - cx) * (by - cy);
    double detright = (ay - cy) * (bx - cx);
    double det = detleft - detright;
    double detsum;
    if (detleft > 0.0) {
        if (detright <= 0.0)
            return (det > 0) - (det < 0);
        detsum = detleft + detright;
    } else if (detleft < 0.0) {
        if (detright >= 0.0)
            return (det > 0) - (det < 0);
        detsum = -detleft - detright;
    } else {
        return gg_orient2d_exact(ax, ay, bx, by, cx, cy);
    }
    double bound = GG_ORIENT_ERRBOUND * detsum;
    if (det >= bound || -det >= bound)
        return det > 0 ? 1 : -1;
    return gg_orient2d_exact(ax, ay, bx, by, cx, cy);
}

/* Is c on the closed segment a-b? */
static inline int gg_on_segment(double ax, double ay, double bx, double by, double cx, double cy)
{
    if (cx < (ax < bx ? ax : bx) || cx > (ax < bx ? bx : ax) || cy < (ay < by ? ay : by) || cy > (ay < by ? by : ay))
        return 0;
    if ((cx == ax && cy == ay) || (cx == bx && cy == by))
        return 1; /* a vertex: no determinant needed */
    return gg_orient2d(ax, ay, bx, by, cx, cy) == 0;
}

#endif
