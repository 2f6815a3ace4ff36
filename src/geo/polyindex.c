/* A polygon's boundary in buckets.
 *
 * Square buckets cover the segments' box. A segment is entered, row of
 * buckets by row, in the buckets its part within the row's band spans
 * (grown by a small margin, so that rounding never leaves it out of a
 * bucket it passes through): a diagonal edge fills a thin staircase, not
 * its whole box. Locating a point reads the buckets of its row from its
 * own to the right edge and counts the crossings of the ray to +x; a
 * segment entered in several of those buckets is counted in the first of
 * them only, found by the same arithmetic that entered it. */
#include "geo/polyindex.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* (fmin and fmax are calls into libm; the coordinates here are never NaN) */
static inline double mn(double a, double b)
{
    return a < b ? a : b;
}

static inline double mx(double a, double b)
{
    return a > b ? a : b;
}

static int32_t clampi(double v, int32_t n)
{
    if (!(v > 0))
        return 0;
    if (v >= (double)(n - 1))
        return n - 1;
    return (int32_t)v;
}

static int add_ring(gg_ctx *ctx, gg_polyindex *ix, size_t *cap, size_t *cap_rings, const GEOSGeometry *ring,
                    double **buf, size_t *cap_buf)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int m = 0;
    if (cs == NULL || GEOSCoordSeq_getSize_r(h, cs, &m) != 1)
        return -1;
    if (m < 2)
        return 0;
    if (gg_grow(ctx, (void **)buf, cap_buf, 2 * (size_t)m, sizeof **buf) != GG_OK ||
        gg_grow(ctx, (void **)&ix->s, cap, ix->n + m - 1, sizeof *ix->s) != GG_OK ||
        gg_grow(ctx, (void **)&ix->ring_start, cap_rings, ix->n_rings + 2, sizeof *ix->ring_start) != GG_OK)
        return -1;
    if (GEOSCoordSeq_copyToBuffer_r(h, cs, *buf, 0, 0) != 1)
        return -1;
    const double *p = *buf;
    size_t first = ix->n;
    for (unsigned int i = 0; i + 1 < m; i++) {
        gg_seg e = {p[2 * i], p[2 * i + 1], p[2 * i + 2], p[2 * i + 3]};
        if (e.x0 != e.x1 || e.y0 != e.y1)
            ix->s[ix->n++] = e;
    }
    if (ix->n > first) {
        ix->ring_start[ix->n_rings] = (uint32_t)first;
        ix->n_rings++;
        ix->ring_start[ix->n_rings] = (uint32_t)ix->n;
    }
    return 0;
}

/* The range of buckets [*c0, *c1] segment e spans within bucket row cy. */
static void row_range(const gg_polyindex *ix, const gg_seg *e, int32_t cy, int32_t *c0, int32_t *c1)
{
    double lo = ix->by + (double)cy * ix->b, hi = lo + ix->b;
    double ymin = mn(e->y0, e->y1), ymax = mx(e->y0, e->y1);
    double xa, xb;
    if (e->y0 == e->y1 || (ymin >= lo && ymax <= hi)) {
        xa = mn(e->x0, e->x1);
        xb = mx(e->x0, e->x1);
    } else {
        double y0 = mx(ymin, lo), y1 = mn(ymax, hi);
        double t = (e->x1 - e->x0) / (e->y1 - e->y0);
        double u = e->x0 + (y0 - e->y0) * t, v = e->x0 + (y1 - e->y0) * t;
        xa = mn(u, v);
        xb = mx(u, v);
    }
    *c0 = clampi((xa - ix->pad - ix->bx) / ix->b, ix->nx);
    *c1 = clampi((xb + ix->pad - ix->bx) / ix->b, ix->nx);
}

/* The rows [*r0, *r1] segment e spans. */
static void row_span(const gg_polyindex *ix, const gg_seg *e, int32_t *r0, int32_t *r1)
{
    *r0 = clampi((mn(e->y0, e->y1) - ix->pad - ix->by) / ix->b, ix->ny);
    *r1 = clampi((mx(e->y0, e->y1) + ix->pad - ix->by) / ix->b, ix->ny);
}

static gg_status fill_buckets(gg_ctx *ctx, gg_polyindex *ix, double cell)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < ix->n; i++) {
        const gg_seg *e = &ix->s[i];
        x0 = mn(x0, mn(e->x0, e->x1));
        x1 = mx(x1, mx(e->x0, e->x1));
        y0 = mn(y0, mn(e->y0, e->y1));
        y1 = mx(y1, mx(e->y0, e->y1));
    }
    if (ix->n == 0)
        x0 = y0 = x1 = y1 = 0;
    ix->box[0] = x0, ix->box[1] = y0, ix->box[2] = x1, ix->box[3] = y1;
    double w = mx(x1 - x0, 1e-9), hgt = mx(y1 - y0, 1e-9);
    double b = cell > 0 ? cell : mx(sqrt(w * hgt / (double)(ix->n ? ix->n : 1)), (w + hgt) / (4.0 * (double)(ix->n + 1)));
    double limit = 4.0 * (double)ix->n + 1024;
    while ((floor(w / b) + 1) * (floor(hgt / b) + 1) > limit)
        b *= 1.5;
    ix->bx = x0;
    ix->by = y0;
    ix->b = b;
    ix->pad = 1e-9 * (fabs(x0) + fabs(y0) + w + hgt) + 1e-12;
    ix->nx = (int32_t)floor(w / b) + 1;
    ix->ny = (int32_t)floor(hgt / b) + 1;
    size_t nb = (size_t)ix->nx * (size_t)ix->ny;
    ix->start = gg_calloc(ctx, nb + 1, sizeof *ix->start);
    if (ix->start == NULL)
        return GG_ERR_NOMEM;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ix->n; i++) {
            const gg_seg *e = &ix->s[i];
            int32_t r0, r1;
            row_span(ix, e, &r0, &r1);
            for (int32_t cy = r0; cy <= r1; cy++) {
                int32_t c0, c1;
                row_range(ix, e, cy, &c0, &c1);
                for (int32_t cx = c0; cx <= c1; cx++) {
                    size_t k = (size_t)cy * (size_t)ix->nx + (size_t)cx;
                    if (pass == 0)
                        ix->start[k + 1]++, total++;
                    else
                        ix->items[ix->start[k]++] = (uint32_t)i;
                }
            }
        }
        if (pass == 0) {
            if (total >= UINT32_MAX)
                return GG_ERR_NOMEM;
            for (size_t k = 0; k < nb; k++)
                ix->start[k + 1] += ix->start[k];
            ix->items = gg_malloc(ctx, (total ? total : 1) * sizeof *ix->items);
            if (ix->items == NULL)
                return GG_ERR_NOMEM;
        }
    }
    /* the second pass moved each start to the next bucket's */
    memmove(ix->start + 1, ix->start, nb * sizeof *ix->start);
    ix->start[0] = 0;
    return GG_OK;
}

gg_status gg_polyindex_build(gg_ctx *ctx, const GEOSGeometry *g, double cell, gg_polyindex *ix)
{
    GEOSContextHandle_t h = ctx->geos;
    memset(ix, 0, sizeof *ix);
    int type = g ? GEOSGeomTypeId_r(h, g) : -1;
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return gg_error(ctx, GG_ERR_GEOMETRY, "a polygon index needs a polygon or a multipolygon");
    size_t cap = 0, cap_rings = 0, cap_buf = 0;
    double *buf = NULL;
    int bad = 0;
    int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
    for (int i = 0; !bad && i < parts; i++) {
        const GEOSGeometry *p = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, i);
        const GEOSGeometry *ext = p ? GEOSGetExteriorRing_r(h, p) : NULL;
        bad = ext == NULL || add_ring(ctx, ix, &cap, &cap_rings, ext, &buf, &cap_buf) != 0;
        int holes = bad ? 0 : GEOSGetNumInteriorRings_r(h, p);
        for (int k = 0; !bad && k < holes; k++) {
            const GEOSGeometry *ring = GEOSGetInteriorRingN_r(h, p, k);
            bad = ring == NULL || add_ring(ctx, ix, &cap, &cap_rings, ring, &buf, &cap_buf) != 0;
        }
    }
    gg_free(ctx, buf);
    gg_status st = bad ? GG_ERR_NOMEM : fill_buckets(ctx, ix, cell);
    if (st != GG_OK) {
        gg_polyindex_free(ctx, ix);
        return gg_error_nomem(ctx);
    }
    return GG_OK;
}

void gg_polyindex_free(gg_ctx *ctx, gg_polyindex *ix)
{
    gg_free(ctx, ix->s);
    gg_free(ctx, ix->ring_start);
    gg_free(ctx, ix->start);
    gg_free(ctx, ix->items);
    memset(ix, 0, sizeof *ix);
}

static double orient(double ax, double ay, double bx, double by, double cx, double cy)
{
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax);
}

/* Is (x, y), collinear with e, within its box? */
static int within(const gg_seg *e, double x, double y)
{
    return x >= mn(e->x0, e->x1) && x <= mx(e->x0, e->x1) && y >= mn(e->y0, e->y1) &&
           y <= mx(e->y0, e->y1);
}

static int on_segment(const gg_seg *e, double x, double y)
{
    return within(e, x, y) && orient(e->x0, e->y0, e->x1, e->y1, x, y) == 0;
}

int gg_polyindex_locate(const gg_polyindex *ix, double x, double y)
{
    if (ix->n == 0 || x < ix->box[0] || x > ix->box[2] || y < ix->box[1] || y > ix->box[3])
        return -1;
    int32_t cy = clampi((y - ix->by) / ix->b, ix->ny), cx0 = clampi((x - ix->bx) / ix->b, ix->nx);
    const uint32_t *row = ix->start + (size_t)cy * (size_t)ix->nx;
    /* on the boundary: a segment through the point is entered in its bucket */
    for (uint32_t j = row[cx0]; j < row[cx0 + 1]; j++)
        if (on_segment(&ix->s[ix->items[j]], x, y))
            return 0;
    int inside = 0;
    for (int32_t cx = cx0; cx < ix->nx; cx++)
        for (uint32_t j = row[cx]; j < row[cx + 1]; j++) {
            const gg_seg *e = &ix->s[ix->items[j]];
            if ((e->y0 > y) == (e->y1 > y))
                continue;
            int32_t c0, c1;
            row_range(ix, e, cy, &c0, &c1);
            if (cx != (c0 > cx0 ? c0 : cx0))
                continue; /* counted in an earlier bucket of the ray */
            double xc = e->x0 + (y - e->y0) * (e->x1 - e->x0) / (e->y1 - e->y0);
            if (xc > x)
                inside ^= 1;
        }
    return inside ? 1 : -1;
}

/* Do closed segments e and f share a point? */
static int segments_meet(const gg_seg *e, const gg_seg *f)
{
    double d1 = orient(f->x0, f->y0, f->x1, f->y1, e->x0, e->y0);
    double d2 = orient(f->x0, f->y0, f->x1, f->y1, e->x1, e->y1);
    double d3 = orient(e->x0, e->y0, e->x1, e->y1, f->x0, f->y0);
    double d4 = orient(e->x0, e->y0, e->x1, e->y1, f->x1, f->y1);
    if (((d1 > 0 && d2 < 0) || (d1 < 0 && d2 > 0)) && ((d3 > 0 && d4 < 0) || (d3 < 0 && d4 > 0)))
        return 1;
    return (d1 == 0 && within(f, e->x0, e->y0)) || (d2 == 0 && within(f, e->x1, e->y1)) ||
           (d3 == 0 && within(e, f->x0, f->y0)) || (d4 == 0 && within(e, f->x1, f->y1));
}

int gg_polyindex_meets_segment(const gg_polyindex *ix, const gg_seg *e)
{
    double ex0 = mn(e->x0, e->x1), ex1 = mx(e->x0, e->x1), ey0 = mn(e->y0, e->y1), ey1 = mx(e->y0, e->y1);
    if (ix->n == 0 || ex1 < ix->box[0] || ex0 > ix->box[2] || ey1 < ix->box[1] || ey0 > ix->box[3])
        return 0;
    int32_t r0, r1;
    row_span(ix, e, &r0, &r1);
    for (int32_t cy = r0; cy <= r1; cy++) {
        int32_t c0, c1;
        row_range(ix, e, cy, &c0, &c1);
        const uint32_t *row = ix->start + (size_t)cy * (size_t)ix->nx;
        for (uint32_t j = row[c0]; j < row[c1 + 1]; j++) {
            const gg_seg *f = &ix->s[ix->items[j]];
            if (mx(f->x0, f->x1) < ex0 || mn(f->x0, f->x1) > ex1 || mx(f->y0, f->y1) < ey0 ||
                mn(f->y0, f->y1) > ey1)
                continue;
            if (segments_meet(e, f))
                return 1;
        }
    }
    return 0;
}

static int box_holds(const double box[4], double x, double y)
{
    return x >= box[0] && x <= box[2] && y >= box[1] && y <= box[3];
}

int gg_polyindex_meets(const gg_polyindex *a, const gg_polyindex *b)
{
    if (a->n == 0 || b->n == 0 || a->box[2] < b->box[0] || a->box[0] > b->box[2] || a->box[3] < b->box[1] ||
        a->box[1] > b->box[3])
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        const gg_seg *e = &a->s[i];
        if (mx(e->x0, e->x1) < b->box[0] || mn(e->x0, e->x1) > b->box[2] || mx(e->y0, e->y1) < b->box[1] ||
            mn(e->y0, e->y1) > b->box[3])
            continue;
        if (gg_polyindex_meets_segment(b, e))
            return 1;
    }
    /* the boundaries do not meet: each ring lies wholly inside the other
     * polygon or wholly outside it */
    for (size_t k = 0; k < a->n_rings; k++) {
        const gg_seg *e = &a->s[a->ring_start[k]];
        if (box_holds(b->box, e->x0, e->y0) && gg_polyindex_locate(b, e->x0, e->y0) >= 0)
            return 1;
    }
    for (size_t k = 0; k < b->n_rings; k++) {
        const gg_seg *e = &b->s[b->ring_start[k]];
        if (box_holds(a->box, e->x0, e->y0) && gg_polyindex_locate(a, e->x0, e->y0) >= 0)
            return 1;
    }
    return 0;
}

/* Does a segment of a meet b's boundary? */
static int boundaries_meet(const gg_polyindex *a, const gg_polyindex *b)
{
    for (size_t i = 0; i < a->n; i++) {
        const gg_seg *e = &a->s[i];
        if (mx(e->x0, e->x1) < b->box[0] || mn(e->x0, e->x1) > b->box[2] || mx(e->y0, e->y1) < b->box[1] ||
            mn(e->y0, e->y1) > b->box[3])
            continue;
        if (gg_polyindex_meets_segment(b, e))
            return 1;
    }
    return 0;
}

int gg_polyindex_covers(const gg_polyindex *a, const gg_polyindex *b)
{
    if (b->n == 0)
        return 1;
    if (a->n == 0 || b->box[0] < a->box[0] || b->box[1] < a->box[1] || b->box[2] > a->box[2] ||
        b->box[3] > a->box[3])
        return 0;
    if (boundaries_meet(a, b))
        return -1;
    /* each ring lies wholly inside the other polygon or wholly outside it:
     * b is covered when all its rings lie inside a and no ring of a lies
     * inside b (next to such a ring, on one side, is ground of b outside a) */
    for (size_t k = 0; k < b->n_rings; k++) {
        const gg_seg *e = &b->s[b->ring_start[k]];
        if (gg_polyindex_locate(a, e->x0, e->y0) < 0)
            return 0;
    }
    for (size_t k = 0; k < a->n_rings; k++) {
        const gg_seg *e = &a->s[a->ring_start[k]];
        if (box_holds(b->box, e->x0, e->y0) && gg_polyindex_locate(b, e->x0, e->y0) > 0)
            return 0;
    }
    return 1;
}
