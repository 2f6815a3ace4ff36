/* Private: the orientation of three points, exactly.
 *
 * A double-precision determinant decides almost every case; when it is too
 * close to zero for its rounding error bound (Shewchuk's filter), the
 * determinant is summed exactly as an expansion of error-free products
 * (two-product by fused multiply-add, two-sum). A point on a grid's edge is
 * therefore seen on it exactly as an exact predicate (GEOS's covers) sees
 * it. */
#ifndef GG_LOCATE_PREDICATES_H
#define GG_LOCATE_PREDICATES_H

/* +1 if c lies to the left of the directed line a->b, -1 to the right,
 * 0 on it. */
int gg_orient2d(double ax, double ay, double bx, double by, double cx, double cy);

/* Is c on the closed segment a-b? */
int gg_on_segment(double ax, double ay, double bx, double by, double cx, double cy);

#endif
