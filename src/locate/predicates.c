/* Exact orientation: a filtered double determinant with an exact fallback.
 * The fallback writes the determinant as six products of input
 * coordinates, each split without error into two doubles, and adds the
 * twelve terms into a non-overlapping expansion (Shewchuk, "Adaptive
 * Precision Floating-Point Arithmetic and Fast Robust Geometric
 * Predicates", 1997); the sign of its largest non-zero component is the
 * sign of the sum. */
#include "locate/predicates.h"

#include <math.h>

static void two_sum(double a, double b, double *x, double *y)
{
    double s = a + b;
    double bv = s - a;
    double av = s - bv;
    *x = s;
    *y = (a - av) + (b - bv);
}

/* Adds b to the expansion e[0..n) (increasing magnitude, non-overlapping),
 * dropping zero components; returns the new length (at most n + 1). */
static int grow_expansion(const double *e, int n, double b, double *h)
{
    double q = b;
    int m = 0;
    for (int i = 0; i < n; i++) {
        double sum, err;
        two_sum(q, e[i], &sum, &err);
        q = sum;
        if (err != 0.0)
            h[m++] = err;
    }
    if (q != 0.0 || m == 0)
        h[m++] = q;
    return m;
}

static int exact_sign(double ax, double ay, double bx, double by, double cx, double cy)
{
    /* Two of the points the same (a point on a vertex): collinear. */
    if ((ax == bx && ay == by) || (ax == cx && ay == cy) || (bx == cx && by == cy))
        return 0;
    /* det = ax*by - ax*cy - cx*by - ay*bx + ay*cx + cy*bx */
    double p[6] = {ax * by, -(ax * cy), -(cx * by), -(ay * bx), ay * cx, cy * bx};
    double err[6] = {fma(ax, by, -p[0]), fma(-ax, cy, -p[1]), fma(-cx, by, -p[2]),
                     fma(-ay, bx, -p[3]), fma(ay, cx, -p[4]), fma(cy, bx, -p[5])};
    double e[16], h[16];
    int n = 0;
    for (int i = 0; i < 6; i++) {
        n = grow_expansion(e, n, err[i], h);
        for (int k = 0; k < n; k++)
            e[k] = h[k];
        n = grow_expansion(e, n, p[i], h);
        for (int k = 0; k < n; k++)
            e[k] = h[k];
    }
    for (int k = n - 1; k >= 0; k--)
        if (e[k] != 0.0)
            return e[k] > 0 ? 1 : -1;
    return 0;
}

int gg_orient2d_exact(double ax, double ay, double bx, double by, double cx, double cy)
{
    return exact_sign(ax, ay, bx, by, cx, cy);
}
