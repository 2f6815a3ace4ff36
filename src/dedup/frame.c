/* The local frame of a comparison, the noise test, and a bucket grid of
 * boxes.
 *
 * Why a local frame rather than the Gauss-Krüger zone: the comparison cuts
 * hundreds of thousands of pieces and measures each, and needs every
 * point-in-polygon answer to be the one the stored lon/lat geometry gives.
 * An affine map of lon/lat keeps both (edges stay straight, no PROJ call
 * per vertex), and an area scaled to the latitude of its piece is within
 * about 1e-4 of the ellipsoidal area over a county, closer than a
 * Gauss-Krüger zone's own scale error at its edges. */
#include "dedup/dedup.h"
#include "geo/inscribed.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* WGS 84 */
#define WGS84_A 6378137.0
#define WGS84_E2 0.00669437999014

/* Metres per degree of longitude and of latitude at latitude lat. */
static void metres_per_degree(double lat, double *kx, double *ky)
{
    double phi = lat * M_PI / 180, s = sin(phi);
    double w = sqrt(1 - WGS84_E2 * s * s);
    double n = WGS84_A / w, m = WGS84_A * (1 - WGS84_E2) / (w * w * w);
    *kx = n * cos(phi) * M_PI / 180;
    *ky = m * M_PI / 180;
}

void gg_frame_init(gg_frame *f, double lon0, double lat0)
{
    f->lon0 = lon0;
    f->lat0 = lat0;
    metres_per_degree(lat0, &f->kx, &f->ky);
}

static int to_frame_cb(double *x, double *y, void *user)
{
    const gg_frame *f = user;
    *x = (*x - f->lon0) * f->kx;
    *y = (*y - f->lat0) * f->ky;
    return 1;
}

static int to_lonlat_cb(double *x, double *y, void *user)
{
    const gg_frame *f = user;
    *x = f->lon0 + *x / f->kx;
    *y = f->lat0 + *y / f->ky;
    return 1;
}

GEOSGeometry *gg_frame_from_lonlat(GEOSContextHandle_t h, const gg_frame *f, const GEOSGeometry *g)
{
    gg_frame local = *f;
    return GEOSGeom_transformXY_r(h, g, to_frame_cb, &local);
}

GEOSGeometry *gg_frame_to_lonlat(GEOSContextHandle_t h, const gg_frame *f, const GEOSGeometry *g)
{
    gg_frame local = *f;
    return GEOSGeom_transformXY_r(h, g, to_lonlat_cb, &local);
}

double gg_frame_area(GEOSContextHandle_t h, const gg_frame *f, const GEOSGeometry *g)
{
    double a = 0, miny, maxy;
    if (g == NULL || GEOSArea_r(h, g, &a) != 1 || a <= 0)
        return 0;
    if (GEOSGeom_getYMin_r(h, g, &miny) != 1 || GEOSGeom_getYMax_r(h, g, &maxy) != 1)
        return a;
    double lat = f->lat0 + (miny + maxy) / 2 / f->ky, kx, ky;
    metres_per_degree(lat, &kx, &ky);
    return a * (kx * ky) / (f->kx * f->ky);
}

/* One polygon: no wider than the tolerance? Four tests, cheapest first.
 * A polygon whose largest inscribed circle has radius r lies within r of
 * its boundary, so its area is at most r times its perimeter: one with
 * area > tolerance x perimeter is wider; one with less area than a circle
 * of the tolerance's radius is not. The circle fits in the convex
 * hull's narrowest strip, so a hull at most 2 x tolerance wide (a sliver
 * along a straight run of boundary) is noise. Only the rest (a sliver
 * bending round a corner) needs the inscribed circle itself, found to
 * half the tolerance and, when that cannot decide, to a tenth. */
static int polygon_noise(gg_ctx *ctx, const GEOSGeometry *g, double tolerance_m)
{
    GEOSContextHandle_t h = ctx->geos;
    double area = 0, length = 0;
    if (GEOSArea_r(h, g, &area) != 1 || GEOSLength_r(h, g, &length) != 1)
        return 0;
    if (area <= 0)
        return 1;
    if (area > tolerance_m * length * 1.0001)
        return 0;
    if (area <= M_PI * tolerance_m * tolerance_m)
        return 1; /* too small to hold the circle */
    GEOSGeometry *w = GEOSMinimumWidth_r(h, g);
    double width = INFINITY;
    if (w != NULL) {
        if (GEOSLength_r(h, w, &width) != 1)
            width = INFINITY;
        GEOSGeom_destroy_r(h, w);
    }
    if (width <= 2 * tolerance_m)
        return 1;
    int fits = gg_geom_holds_disc(ctx, g, tolerance_m, tolerance_m / 100);
    if (fits >= 0)
        return !fits;
    /* out of memory: GEOS's own search, coarse first (the radius found is
     * within the search's tolerance of the largest) */
    for (double step = tolerance_m / 2;; step = tolerance_m / 10) {
        GEOSGeometry *mic = GEOSMaximumInscribedCircle_r(h, g, step);
        if (mic == NULL)
            return 0;
        double r = 0;
        int ok = GEOSLength_r(h, mic, &r) == 1;
        GEOSGeom_destroy_r(h, mic);
        if (!ok || r > tolerance_m)
            return 0;
        if (r + step <= tolerance_m || step < tolerance_m / 2)
            return 1;
    }
}

int gg_frame_noise(gg_ctx *ctx, const GEOSGeometry *g, double tolerance_m, double area_m2, double length_m)
{
    GEOSContextHandle_t h = ctx->geos;
    if (g == NULL || GEOSisEmpty_r(h, g) == 1)
        return 1;
    if (area_m2 < 0 && GEOSArea_r(h, g, &area_m2) != 1)
        return 0;
    if (area_m2 <= 0)
        return 1;
    if (length_m < 0 && GEOSLength_r(h, g, &length_m) != 1)
        return 0;
    if (area_m2 > tolerance_m * length_m * 1.0001)
        return 0; /* some part is wider: the bound holds for the sum */
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON)
        return polygon_noise(ctx, g, tolerance_m);
    int n = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        int pt = GEOSGeomTypeId_r(h, part);
        if ((pt == GEOS_POLYGON && !polygon_noise(ctx, part, tolerance_m)) ||
            (pt == GEOS_MULTIPOLYGON && !gg_frame_noise(ctx, part, tolerance_m, -1, -1)))
            return 0;
    }
    return 1;
}

/* ---- buckets of boxes ---- */

gg_status gg_boxgrid_build(gg_ctx *ctx, gg_boxgrid *g, const double *boxes, size_t n, double per_cell)
{
    memset(g, 0, sizeof *g);
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (isnan(boxes[4 * i]))
            continue;
        x0 = fmin(x0, boxes[4 * i]);
        y0 = fmin(y0, boxes[4 * i + 1]);
        x1 = fmax(x1, boxes[4 * i + 2]);
        y1 = fmax(y1, boxes[4 * i + 3]);
    }
    if (!(x0 <= x1))
        x0 = y0 = 0, x1 = y1 = 1;
    double w = fmax(x1 - x0, 1e-9), hgt = fmax(y1 - y0, 1e-9);
    double cell = sqrt(w * hgt * per_cell / (double)(n ? n : 1));
    if (!(cell > 0))
        cell = fmax(w, hgt);
    int64_t nx = (int64_t)(w / cell) + 1, ny = (int64_t)(hgt / cell) + 1;
    while (nx * ny > 4 * (int64_t)n + 64) {
        cell *= 1.5;
        nx = (int64_t)(w / cell) + 1;
        ny = (int64_t)(hgt / cell) + 1;
    }
    g->x0 = x0;
    g->y0 = y0;
    g->cell = cell;
    g->nx = (int32_t)nx;
    g->ny = (int32_t)ny;
    size_t nc = (size_t)(nx * ny);
    g->start = gg_calloc(ctx, nc + 1, sizeof *g->start);
    if (g->start == NULL)
        return gg_error_nomem(ctx);
    /* two passes: count, then place */
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < n; i++) {
            const double *b = boxes + 4 * i;
            if (isnan(b[0]))
                continue; /* no geometry: in no bucket */
            int32_t cx0 = (int32_t)((b[0] - x0) / cell), cy0 = (int32_t)((b[1] - y0) / cell);
            int32_t cx1 = (int32_t)((b[2] - x0) / cell), cy1 = (int32_t)((b[3] - y0) / cell);
            if (cx1 >= g->nx) cx1 = g->nx - 1;
            if (cy1 >= g->ny) cy1 = g->ny - 1;
            for (int32_t cy = cy0; cy <= cy1; cy++)
                for (int32_t cx = cx0; cx <= cx1; cx++) {
                    size_t c = (size_t)cy * (size_t)g->nx + (size_t)cx;
                    if (pass == 0)
                        g->start[c + 1]++, total++;
                    else
                        g->items[g->start[c]++] = (uint32_t)i;
                }
        }
        if (pass == 0) {
            if (total >= UINT32_MAX) {
                gg_boxgrid_free(ctx, g);
                return gg_error(ctx, GG_ERR_ARG, "too many boxes for one bucket grid");
            }
            for (size_t c = 0; c < nc; c++)
                g->start[c + 1] += g->start[c];
            g->items = gg_malloc(ctx, (total ? total : 1) * sizeof *g->items);
            if (g->items == NULL) {
                gg_boxgrid_free(ctx, g);
                return gg_error_nomem(ctx);
            }
        }
    }
    /* the second pass moved every start to the next bucket's */
    for (size_t c = nc; c > 0; c--)
        g->start[c] = g->start[c - 1];
    g->start[0] = 0;
    return GG_OK;
}

/* An item is reported from one bucket only: the one holding the lower
 * left corner of the intersection of its box and the query box. */
void gg_boxgrid_query(const gg_boxgrid *g, const double *boxes, const double box[4], gg_boxgrid_fn fn, void *user)
{
    if (g->start == NULL || box[2] < g->x0 || box[3] < g->y0)
        return;
    int32_t cx0 = box[0] <= g->x0 ? 0 : (int32_t)((box[0] - g->x0) / g->cell);
    int32_t cy0 = box[1] <= g->y0 ? 0 : (int32_t)((box[1] - g->y0) / g->cell);
    if (cx0 >= g->nx || cy0 >= g->ny)
        return;
    double fx1 = (box[2] - g->x0) / g->cell, fy1 = (box[3] - g->y0) / g->cell;
    int32_t cx1 = fx1 >= g->nx ? g->nx - 1 : (int32_t)fx1, cy1 = fy1 >= g->ny ? g->ny - 1 : (int32_t)fy1;
    for (int32_t cy = cy0; cy <= cy1; cy++)
        for (int32_t cx = cx0; cx <= cx1; cx++) {
            size_t c = (size_t)cy * (size_t)g->nx + (size_t)cx;
            for (uint32_t k = g->start[c]; k < g->start[c + 1]; k++) {
                uint32_t it = g->items[k];
                const double *b = boxes + 4 * (size_t)it;
                if (b[0] > box[2] || b[2] < box[0] || b[1] > box[3] || b[3] < box[1])
                    continue;
                double rx = fmax(b[0], box[0]), ry = fmax(b[1], box[1]);
                int32_t rcx = rx <= g->x0 ? 0 : (int32_t)((rx - g->x0) / g->cell);
                int32_t rcy = ry <= g->y0 ? 0 : (int32_t)((ry - g->y0) / g->cell);
                if (rcx >= g->nx) rcx = g->nx - 1;
                if (rcy >= g->ny) rcy = g->ny - 1;
                if (rcx != cx || rcy != cy)
                    continue;
                if (fn(user, it))
                    return;
            }
        }
}

void gg_boxgrid_free(gg_ctx *ctx, gg_boxgrid *g)
{
    gg_free(ctx, g->start);
    gg_free(ctx, g->items);
    memset(g, 0, sizeof *g);
}

typedef struct ids_query {
    gg_ctx *ctx;
    gg_dd_ids *ids;
    int failed;
} ids_query;

static int add_id(void *user, uint32_t item)
{
    ids_query *q = user;
    if (gg_grow(q->ctx, (void **)&q->ids->v, &q->ids->cap, q->ids->n + 1, sizeof *q->ids->v) != GG_OK) {
        q->failed = 1;
        return 1;
    }
    q->ids->v[q->ids->n++] = item;
    return 0;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

gg_status gg_dd_ids_near(gg_ctx *ctx, const gg_boxgrid *g, const double *boxes, const double box[4], gg_dd_ids *ids)
{
    *ids = (gg_dd_ids){NULL, 0, 0};
    ids_query q = {ctx, ids, 0};
    gg_boxgrid_query(g, boxes, box, add_id, &q);
    if (q.failed) {
        gg_free(ctx, ids->v);
        *ids = (gg_dd_ids){NULL, 0, 0};
        return gg_error_nomem(ctx);
    }
    if (ids->n > 1)
        qsort(ids->v, ids->n, sizeof *ids->v, compare_u32);
    return GG_OK;
}
