/* Does a polygon hold a disc of radius r?
 *
 * The distance from a point to the boundary is 1-Lipschitz, so within a
 * square cell of half-diagonal s centred on c no point of the polygon lies
 * farther from the boundary than d(c) + s when c is inside, or s - d(c)
 * when c is outside. Square cells cover the polygon's box; a cell whose
 * bound is at most r cannot hold the disc's centre and is dropped, an
 * inside centre farther than r from the boundary proves the disc fits,
 * and the rest are split in four until their half-diagonal is below the
 * precision. The first cells are the buckets of a grid of the boundary's
 * segments, one radius wide, so that a distance query reads the few
 * buckets within reach and a bucket no segment crosses, outside, is never
 * looked at: for the thin slivers this is asked about (pieces along two
 * nearly coincident boundaries), almost every cell falls at the first
 * level. */
#include "geo/inscribed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define GG_SQRT2 1.41421356237309504880

typedef struct seg {
    double x0, y0, x1, y1;
} seg;

typedef struct cell {
    double x, y, half; /* centre, half the side */
} cell;

typedef struct disc_search {
    gg_ctx *ctx;
    seg *s;
    size_t n, cap;
    double bx, by, b; /* the buckets' origin and side */
    int32_t nx, ny;
    uint32_t *start, *items;
    uint32_t *stamp, tick; /* segments seen by the current ray */
    double *cross;
    size_t cap_cross;
} disc_search;

static int add_ring(disc_search *ds, GEOSContextHandle_t h, const GEOSGeometry *ring, double **buf, size_t *cap)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int m = 0;
    if (cs == NULL || GEOSCoordSeq_getSize_r(h, cs, &m) != 1)
        return -1;
    if (m < 2)
        return 0;
    if (gg_grow(ds->ctx, (void **)buf, cap, 2 * (size_t)m, sizeof **buf) != GG_OK ||
        gg_grow(ds->ctx, (void **)&ds->s, &ds->cap, ds->n + m - 1, sizeof *ds->s) != GG_OK)
        return -1;
    if (GEOSCoordSeq_copyToBuffer_r(h, cs, *buf, 0, 0) != 1)
        return -1;
    const double *p = *buf;
    for (unsigned int i = 0; i + 1 < m; i++) {
        seg e = {p[2 * i], p[2 * i + 1], p[2 * i + 2], p[2 * i + 3]};
        if (e.x0 != e.x1 || e.y0 != e.y1)
            ds->s[ds->n++] = e;
    }
    return 0;
}

static int add_polygon(disc_search *ds, GEOSContextHandle_t h, const GEOSGeometry *g, double **buf, size_t *cap)
{
    const GEOSGeometry *ext = GEOSGetExteriorRing_r(h, g);
    if (ext == NULL || add_ring(ds, h, ext, buf, cap) != 0)
        return -1;
    int holes = GEOSGetNumInteriorRings_r(h, g);
    for (int i = 0; i < holes; i++) {
        const GEOSGeometry *ring = GEOSGetInteriorRingN_r(h, g, i);
        if (ring == NULL || add_ring(ds, h, ring, buf, cap) != 0)
            return -1;
    }
    return 0;
}

static int32_t clampi(double v, int32_t n)
{
    if (!(v > 0))
        return 0;
    if (v >= (double)(n - 1))
        return n - 1;
    return (int32_t)v;
}

/* Buckets of side b over the segments' box; every segment in each bucket
 * its box meets. */
static int build_buckets(disc_search *ds, double r)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < ds->n; i++) {
        const seg *e = &ds->s[i];
        x0 = fmin(x0, fmin(e->x0, e->x1));
        x1 = fmax(x1, fmax(e->x0, e->x1));
        y0 = fmin(y0, fmin(e->y0, e->y1));
        y1 = fmax(y1, fmax(e->y0, e->y1));
    }
    double b = r;
    /* no more buckets than a few per segment */
    double limit = 4.0 * (double)ds->n + 1024;
    while ((floor((x1 - x0) / b) + 1) * (floor((y1 - y0) / b) + 1) > limit)
        b *= 1.5;
    ds->bx = x0;
    ds->by = y0;
    ds->b = b;
    ds->nx = (int32_t)floor((x1 - x0) / b) + 1;
    ds->ny = (int32_t)floor((y1 - y0) / b) + 1;
    size_t nb = (size_t)ds->nx * (size_t)ds->ny;
    ds->start = gg_calloc(ds->ctx, nb + 1, sizeof *ds->start);
    if (ds->start == NULL)
        return -1;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < ds->n; i++) {
            const seg *e = &ds->s[i];
            int32_t cx0 = clampi((fmin(e->x0, e->x1) - x0) / b, ds->nx);
            int32_t cx1 = clampi((fmax(e->x0, e->x1) - x0) / b, ds->nx);
            int32_t cy0 = clampi((fmin(e->y0, e->y1) - y0) / b, ds->ny);
            int32_t cy1 = clampi((fmax(e->y0, e->y1) - y0) / b, ds->ny);
            for (int32_t cy = cy0; cy <= cy1; cy++)
                for (int32_t cx = cx0; cx <= cx1; cx++) {
                    size_t k = (size_t)cy * (size_t)ds->nx + (size_t)cx;
                    if (pass == 0)
                        ds->start[k + 1]++, total++;
                    else
                        ds->items[ds->start[k]++] = (uint32_t)i;
                }
        }
        if (pass == 0) {
            if (total >= UINT32_MAX)
                return -1;
            for (size_t k = 0; k < nb; k++)
                ds->start[k + 1] += ds->start[k];
            ds->items = gg_malloc(ds->ctx, (total ? total : 1) * sizeof *ds->items);
            if (ds->items == NULL)
                return -1;
        }
    }
    /* the second pass moved each start to the next bucket's */
    memmove(ds->start + 1, ds->start, nb * sizeof *ds->start);
    ds->start[0] = 0;
    ds->stamp = gg_calloc(ds->ctx, ds->n ? ds->n : 1, sizeof *ds->stamp);
    return ds->stamp ? 0 : -1;
}

static double seg_dist2(const seg *e, double px, double py)
{
    double dx = e->x1 - e->x0, dy = e->y1 - e->y0;
    double t = ((px - e->x0) * dx + (py - e->y0) * dy) / (dx * dx + dy * dy);
    if (t < 0)
        t = 0;
    else if (t > 1)
        t = 1;
    double qx = e->x0 + t * dx - px, qy = e->y0 + t * dy - py;
    return qx * qx + qy * qy;
}

/* The distance from (px, py) to the nearest segment, or reach when none is
 * nearer. */
static double distance_within(const disc_search *ds, double px, double py, double reach)
{
    int32_t cx0 = clampi((px - reach - ds->bx) / ds->b, ds->nx), cx1 = clampi((px + reach - ds->bx) / ds->b, ds->nx);
    int32_t cy0 = clampi((py - reach - ds->by) / ds->b, ds->ny), cy1 = clampi((py + reach - ds->by) / ds->b, ds->ny);
    double best = reach * reach;
    for (int32_t cy = cy0; cy <= cy1; cy++)
        for (int32_t cx = cx0; cx <= cx1; cx++) {
            size_t k = (size_t)cy * (size_t)ds->nx + (size_t)cx;
            for (uint32_t j = ds->start[k]; j < ds->start[k + 1]; j++) {
                double d2 = seg_dist2(&ds->s[ds->items[j]], px, py);
                if (d2 < best)
                    best = d2;
            }
        }
    return sqrt(best);
}

/* Does the segment cross the horizontal line through py (half-open in y,
 * so a vertex on the line counts once), and where? */
static int crosses(const seg *e, double py, double *x)
{
    if ((e->y0 > py) == (e->y1 > py))
        return 0;
    *x = e->x0 + (py - e->y0) * (e->x1 - e->x0) / (e->y1 - e->y0);
    return 1;
}

/* A new ray: no segment seen by it yet (the stamps are cleared when the
 * counter wraps). */
static void next_ray(disc_search *ds)
{
    if (++ds->tick == 0) {
        memset(ds->stamp, 0, ds->n * sizeof *ds->stamp);
        ds->tick = 1;
    }
}

/* Is (px, py) inside: the parity of the crossings of the ray to +x, read
 * from the buckets of its row (a point above or below every bucket is
 * outside). */
static int inside(disc_search *ds, double px, double py)
{
    double fy = (py - ds->by) / ds->b;
    if (!(fy >= 0) || fy >= (double)ds->ny)
        return 0;
    int32_t cy = (int32_t)fy;
    int32_t cx0 = clampi((px - ds->bx) / ds->b, ds->nx);
    next_ray(ds);
    int odd = 0;
    for (int32_t cx = cx0; cx < ds->nx; cx++) {
        size_t k = (size_t)cy * (size_t)ds->nx + (size_t)cx;
        for (uint32_t j = ds->start[k]; j < ds->start[k + 1]; j++) {
            uint32_t i = ds->items[j];
            double x;
            if (ds->stamp[i] == ds->tick)
                continue;
            ds->stamp[i] = ds->tick;
            if (crosses(&ds->s[i], py, &x) && x > px)
                odd ^= 1;
        }
    }
    return odd;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The centres of row cy's buckets that are inside, by one sorted pass of
 * the crossings of the row's middle line. */
static int row_inside(disc_search *ds, int32_t cy, unsigned char *in)
{
    double py = ds->by + (cy + 0.5) * ds->b;
    size_t nc = 0;
    next_ray(ds);
    for (int32_t cx = 0; cx < ds->nx; cx++) {
        size_t k = (size_t)cy * (size_t)ds->nx + (size_t)cx;
        for (uint32_t j = ds->start[k]; j < ds->start[k + 1]; j++) {
            uint32_t i = ds->items[j];
            double x;
            if (ds->stamp[i] == ds->tick)
                continue;
            ds->stamp[i] = ds->tick;
            if (!crosses(&ds->s[i], py, &x))
                continue;
            if (gg_grow(ds->ctx, (void **)&ds->cross, &ds->cap_cross, nc + 1, sizeof *ds->cross) != GG_OK)
                return -1;
            ds->cross[nc++] = x;
        }
    }
    if (nc > 1)
        qsort(ds->cross, nc, sizeof *ds->cross, compare_double);
    size_t k = 0;
    for (int32_t cx = 0; cx < ds->nx; cx++) {
        double px = ds->bx + (cx + 0.5) * ds->b;
        while (k < nc && ds->cross[k] < px)
            k++;
        /* the crossings to the right of px: nc - k */
        in[cx] = (unsigned char)((nc - k) & 1);
    }
    return 0;
}

static int search(disc_search *ds, double r, double precision)
{
    cell *stack = NULL;
    size_t n_stack = 0, cap_stack = 0;
    unsigned char *in = gg_malloc(ds->ctx, (size_t)ds->nx);
    int found = in ? 0 : -1;
    for (int32_t cy = 0; found == 0 && cy < ds->ny; cy++) {
        if (row_inside(ds, cy, in) != 0) {
            found = -1;
            break;
        }
        for (int32_t cx = 0; found == 0 && cx < ds->nx; cx++) {
            /* an outside centre: no point of the cell is farther than the
             * half-diagonal from the boundary */
            double half = ds->b / 2, diag = half * GG_SQRT2;
            if (!in[cx] && diag <= r)
                continue;
            cell c0 = {ds->bx + (cx + 0.5) * ds->b, ds->by + (cy + 0.5) * ds->b, half};
            int known = 1, c0_in = in[cx];
            n_stack = 0;
            if (gg_grow(ds->ctx, (void **)&stack, &cap_stack, 1, sizeof *stack) != GG_OK) {
                found = -1;
                break;
            }
            stack[n_stack++] = c0;
            while (found == 0 && n_stack > 0) {
                cell c = stack[--n_stack];
                double s = c.half * GG_SQRT2;
                double d = distance_within(ds, c.x, c.y, r + s);
                if (d + s <= r)
                    goto next;
                int is_in = known ? c0_in : inside(ds, c.x, c.y);
                if (is_in && d > r) {
                    found = 1;
                    break;
                }
                if ((!is_in && s - d <= r) || s <= precision)
                    goto next;
                if (gg_grow(ds->ctx, (void **)&stack, &cap_stack, n_stack + 4, sizeof *stack) != GG_OK) {
                    found = -1;
                    break;
                }
                for (int q = 0; q < 4; q++) {
                    double h2 = c.half / 2;
                    stack[n_stack++] = (cell){c.x + ((q & 1) ? h2 : -h2), c.y + ((q & 2) ? h2 : -h2), h2};
                }
            next:
                known = 0;
            }
        }
    }
    gg_free(ds->ctx, stack);
    gg_free(ds->ctx, in);
    return found;
}

int gg_geom_holds_disc(gg_ctx *ctx, const GEOSGeometry *g, double r, double precision)
{
    GEOSContextHandle_t h = ctx->geos;
    if (!(r > 0) || !(precision > 0))
        return -1;
    disc_search ds = {.ctx = ctx};
    double *buf = NULL;
    size_t cap_buf = 0;
    int st = 0, type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        st = add_polygon(&ds, h, g, &buf, &cap_buf);
    } else if (type == GEOS_MULTIPOLYGON) {
        int parts = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; st == 0 && i < parts; i++) {
            const GEOSGeometry *p = GEOSGetGeometryN_r(h, g, i);
            st = p ? add_polygon(&ds, h, p, &buf, &cap_buf) : -1;
        }
    } else {
        st = -1;
    }
    gg_free(ctx, buf);
    int found = -1;
    if (st == 0)
        found = ds.n < 3 ? 0 : build_buckets(&ds, r) == 0 ? search(&ds, r, precision) : -1;
    gg_free(ctx, ds.s);
    gg_free(ctx, ds.start);
    gg_free(ctx, ds.items);
    gg_free(ctx, ds.stamp);
    gg_free(ctx, ds.cross);
    return found;
}
