#include "geom.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void sy_mpoly_clear(sy_mpoly *m)
{
    m->n_polys = m->n_rings = m->n_pts = 0;
}

void sy_mpoly_free(sy_mpoly *m)
{
    free(m->poly_ring);
    free(m->ring_start);
    free(m->pts);
    memset(m, 0, sizeof *m);
}

void sy_mpoly_begin_polygon(sy_mpoly *m)
{
    sy_reserve((void **)&m->poly_ring, &m->cap_polys, (size_t)m->n_polys + 2, sizeof(int));
    m->poly_ring[m->n_polys] = m->n_rings;
    m->n_polys++;
    m->poly_ring[m->n_polys] = m->n_rings;
}

void sy_mpoly_add_ring(sy_mpoly *m, const sy_pt *pts, int n)
{
    if (n < 1)
        return;
    int closed = n > 1 && pts[0].x == pts[n - 1].x && pts[0].y == pts[n - 1].y;
    int total = closed ? n : n + 1;
    sy_reserve((void **)&m->ring_start, &m->cap_rings, (size_t)m->n_rings + 2, sizeof(int));
    sy_reserve((void **)&m->pts, &m->cap_pts, (size_t)m->n_pts + (size_t)total, sizeof(sy_pt));
    if (m->n_rings == 0)
        m->ring_start[0] = 0;
    memcpy(m->pts + m->n_pts, pts, (size_t)n * sizeof(sy_pt));
    if (!closed)
        m->pts[m->n_pts + n] = pts[0];
    m->n_pts += total;
    m->n_rings++;
    m->ring_start[m->n_rings] = m->n_pts;
    m->poly_ring[m->n_polys] = m->n_rings;
}

int sy_mpoly_ring_len(const sy_mpoly *m, int ring)
{
    return m->ring_start[ring + 1] - m->ring_start[ring];
}

const sy_pt *sy_mpoly_ring(const sy_mpoly *m, int ring)
{
    return m->pts + m->ring_start[ring];
}

double sy_mpoly_area(const sy_mpoly *m)
{
    double a = 0;
    for (int r = 0; r < m->n_rings; r++)
        a += sy_ring_area(sy_mpoly_ring(m, r), (size_t)sy_mpoly_ring_len(m, r) - 1);
    return a;
}

void sy_mpoly_bbox(const sy_mpoly *m, double *minx, double *miny, double *maxx, double *maxy)
{
    double x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
    for (int i = 0; i < m->n_pts; i++) {
        if (m->pts[i].x < x0)
            x0 = m->pts[i].x;
        if (m->pts[i].y < y0)
            y0 = m->pts[i].y;
        if (m->pts[i].x > x1)
            x1 = m->pts[i].x;
        if (m->pts[i].y > y1)
            y1 = m->pts[i].y;
    }
    *minx = x0;
    *miny = y0;
    *maxx = x1;
    *maxy = y1;
}

int sy_mpoly_vertex_count(const sy_mpoly *m)
{
    return m->n_pts - m->n_rings;
}

void sy_mpoly_copy(sy_mpoly *dst, const sy_mpoly *src)
{
    sy_mpoly_clear(dst);
    for (int k = 0; k < src->n_polys; k++) {
        sy_mpoly_begin_polygon(dst);
        for (int r = src->poly_ring[k]; r < src->poly_ring[k + 1]; r++)
            sy_mpoly_add_ring(dst, sy_mpoly_ring(src, r), sy_mpoly_ring_len(src, r));
    }
}

static GEOSGeometry *ring_to_geos(GEOSContextHandle_t h, const sy_pt *pts, int n)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, &pts[0].x, (unsigned)n, 0, 0);
    return GEOSGeom_createLinearRing_r(h, cs);
}

GEOSGeometry *sy_mpoly_to_geos(GEOSContextHandle_t h, const sy_mpoly *m, int as_multi)
{
    GEOSGeometry **polys = sy_malloc(sizeof(GEOSGeometry *) * (size_t)(m->n_polys ? m->n_polys : 1));
    for (int k = 0; k < m->n_polys; k++) {
        int r0 = m->poly_ring[k], r1 = m->poly_ring[k + 1];
        GEOSGeometry *shell = ring_to_geos(h, sy_mpoly_ring(m, r0), sy_mpoly_ring_len(m, r0));
        int nh = r1 - r0 - 1;
        GEOSGeometry **holes = nh > 0 ? sy_malloc(sizeof(GEOSGeometry *) * (size_t)nh) : NULL;
        for (int r = r0 + 1; r < r1; r++)
            holes[r - r0 - 1] = ring_to_geos(h, sy_mpoly_ring(m, r), sy_mpoly_ring_len(m, r));
        polys[k] = GEOSGeom_createPolygon_r(h, shell, holes, (unsigned)nh);
        free(holes);
    }
    GEOSGeometry *g;
    if (!as_multi && m->n_polys == 1)
        g = polys[0];
    else
        g = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned)m->n_polys);
    free(polys);
    return g;
}

static void add_geos_ring(GEOSContextHandle_t h, const GEOSGeometry *ring, sy_mpoly *m)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    if (n < 4)
        return;
    sy_pt *tmp = sy_malloc(sizeof(sy_pt) * n);
    GEOSCoordSeq_copyToBuffer_r(h, cs, &tmp[0].x, 0, 0);
    sy_mpoly_add_ring(m, tmp, (int)n);
    free(tmp);
}

void sy_mpoly_from_geos(GEOSContextHandle_t h, const GEOSGeometry *g, sy_mpoly *m)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g))
            return;
        /* Normalise orientation: shell CCW, holes CW. */
        sy_mpoly tmp = {0};
        sy_mpoly_begin_polygon(&tmp);
        add_geos_ring(h, GEOSGetExteriorRing_r(h, g), &tmp);
        int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < nh; i++)
            add_geos_ring(h, GEOSGetInteriorRingN_r(h, g, i), &tmp);
        if (tmp.n_rings == 0) {
            sy_mpoly_free(&tmp);
            return;
        }
        sy_mpoly_begin_polygon(m);
        for (int r = 0; r < tmp.n_rings; r++) {
            int n = sy_mpoly_ring_len(&tmp, r);
            sy_pt *pts = tmp.pts + tmp.ring_start[r];
            double a = sy_ring_area(pts, (size_t)n - 1);
            if ((r == 0 && a < 0) || (r > 0 && a > 0)) {
                for (int i = 0, j = n - 1; i < j; i++, j--) {
                    sy_pt t = pts[i];
                    pts[i] = pts[j];
                    pts[j] = t;
                }
            }
            sy_mpoly_add_ring(m, pts, n);
        }
        sy_mpoly_free(&tmp);
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            sy_mpoly_from_geos(h, GEOSGetGeometryN_r(h, g, i), m);
    }
}

GEOSGeometry *sy_line_to_geos(GEOSContextHandle_t h, const sy_pt *pts, int n)
{
    GEOSCoordSequence *cs = GEOSCoordSeq_copyFromBuffer_r(h, &pts[0].x, (unsigned)n, 0, 0);
    return GEOSGeom_createLineString_r(h, cs);
}

/* ---- point in polygon ---- */

void sy_pip_build(sy_pip *p, const sy_mpoly *m)
{
    memset(p, 0, sizeof *p);
    sy_mpoly_bbox(m, &p->minx, &p->miny, &p->maxx, &p->maxy);
    int nseg = m->n_pts - m->n_rings;
    p->n_segs = nseg;
    p->seg_a = sy_malloc(sizeof(sy_pt) * (size_t)(nseg ? nseg : 1));
    p->seg_b = sy_malloc(sizeof(sy_pt) * (size_t)(nseg ? nseg : 1));
    int k = 0;
    for (int r = 0; r < m->n_rings; r++) {
        const sy_pt *ring = sy_mpoly_ring(m, r);
        int n = sy_mpoly_ring_len(m, r);
        for (int i = 0; i + 1 < n; i++) {
            p->seg_a[k] = ring[i];
            p->seg_b[k] = ring[i + 1];
            k++;
        }
    }
    int nb = nseg / 4;
    if (nb < 1)
        nb = 1;
    if (nb > 8192)
        nb = 8192;
    p->n_bands = nb;
    double span = p->maxy - p->miny;
    p->band_h = span > 0 ? span / nb : 1.0;
    p->band_start = sy_calloc((size_t)nb + 1, sizeof(int));
    for (int pass = 0; pass < 2; pass++) {
        int *fill = NULL;
        if (pass == 1) {
            for (int b = 0; b < nb; b++)
                p->band_start[b + 1] += p->band_start[b];
            p->band_seg = sy_malloc(sizeof(int) * (size_t)(p->band_start[nb] ? p->band_start[nb] : 1));
            fill = sy_malloc(sizeof(int) * (size_t)nb);
            memcpy(fill, p->band_start, sizeof(int) * (size_t)nb);
        }
        for (int s = 0; s < nseg; s++) {
            double y0 = fmin(p->seg_a[s].y, p->seg_b[s].y), y1 = fmax(p->seg_a[s].y, p->seg_b[s].y);
            int b0 = (int)((y0 - p->miny) / p->band_h), b1 = (int)((y1 - p->miny) / p->band_h);
            if (b0 < 0)
                b0 = 0;
            if (b1 >= nb)
                b1 = nb - 1;
            for (int b = b0; b <= b1; b++) {
                if (pass == 0)
                    p->band_start[b + 1]++;
                else
                    p->band_seg[fill[b]++] = s;
            }
        }
        free(fill);
    }
}

int sy_pip_contains(const sy_pip *p, sy_pt q)
{
    if (p->n_segs == 0 || q.x < p->minx || q.x > p->maxx || q.y < p->miny || q.y > p->maxy)
        return 0;
    int b = (int)((q.y - p->miny) / p->band_h);
    if (b >= p->n_bands)
        b = p->n_bands - 1;
    int inside = 0;
    for (int i = p->band_start[b]; i < p->band_start[b + 1]; i++) {
        int s = p->band_seg[i];
        sy_pt a = p->seg_a[s], c = p->seg_b[s];
        if ((a.y > q.y) != (c.y > q.y)) {
            double x = a.x + (q.y - a.y) * (c.x - a.x) / (c.y - a.y);
            if (q.x < x)
                inside = !inside;
        }
    }
    return inside;
}

double sy_pip_boundary_dist(const sy_pip *p, sy_pt q, double radius_m)
{
    double best = radius_m;
    if (p->n_segs == 0)
        return best;
    int b0 = (int)floor((q.y - radius_m - p->miny) / p->band_h);
    int b1 = (int)floor((q.y + radius_m - p->miny) / p->band_h);
    if (b0 < 0)
        b0 = 0;
    if (b1 >= p->n_bands)
        b1 = p->n_bands - 1;
    for (int b = b0; b <= b1; b++)
        for (int i = p->band_start[b]; i < p->band_start[b + 1]; i++) {
            int s = p->band_seg[i];
            double d = sy_seg_dist(q, p->seg_a[s], p->seg_b[s]);
            if (d < best)
                best = d;
        }
    return best;
}

void sy_pip_free(sy_pip *p)
{
    free(p->band_start);
    free(p->band_seg);
    free(p->seg_a);
    free(p->seg_b);
    memset(p, 0, sizeof *p);
}

/* ---- nearest point index ---- */

void sy_pindex_build(sy_pindex *ix, const sy_pt *pts, int n, double cell_m)
{
    memset(ix, 0, sizeof *ix);
    ix->pts = pts;
    ix->n = n;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (int i = 0; i < n; i++) {
        minx = fmin(minx, pts[i].x);
        miny = fmin(miny, pts[i].y);
        maxx = fmax(maxx, pts[i].x);
        maxy = fmax(maxy, pts[i].y);
    }
    if (n == 0)
        minx = miny = maxx = maxy = 0;
    if (cell_m <= 0)
        cell_m = 1;
    double span = fmax(maxx - minx, maxy - miny);
    while (span / cell_m > 4096)
        cell_m *= 2;
    ix->minx = minx;
    ix->miny = miny;
    ix->cell = cell_m;
    ix->nx = (int)((maxx - minx) / cell_m) + 1;
    ix->ny = (int)((maxy - miny) / cell_m) + 1;
    size_t nc = (size_t)ix->nx * (size_t)ix->ny;
    ix->start = sy_calloc(nc + 1, sizeof(int));
    int *cellof = sy_malloc(sizeof(int) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) {
        int cx = (int)((pts[i].x - minx) / cell_m), cy = (int)((pts[i].y - miny) / cell_m);
        cellof[i] = cy * ix->nx + cx;
        ix->start[cellof[i] + 1]++;
    }
    for (size_t c = 0; c < nc; c++)
        ix->start[c + 1] += ix->start[c];
    ix->items = sy_malloc(sizeof(int) * (size_t)(n ? n : 1));
    int *fill = sy_malloc(sizeof(int) * nc);
    memcpy(fill, ix->start, sizeof(int) * nc);
    for (int i = 0; i < n; i++)
        ix->items[fill[cellof[i]]++] = i;
    free(fill);
    free(cellof);
}

int sy_pindex_nearest(const sy_pindex *ix, sy_pt q)
{
    if (ix->n == 0)
        return -1;
    int cx = (int)floor((q.x - ix->minx) / ix->cell), cy = (int)floor((q.y - ix->miny) / ix->cell);
    int best = -1;
    double bestd = INFINITY;
    int maxr = ix->nx + ix->ny + 2;
    for (int r = 0; r <= maxr; r++) {
        for (int y = cy - r; y <= cy + r; y++) {
            if (y < 0 || y >= ix->ny)
                continue;
            int step = (y == cy - r || y == cy + r) ? 1 : 2 * r;
            for (int x = cx - r; x <= cx + r; x += step ? step : 1) {
                if (x < 0 || x >= ix->nx)
                    continue;
                int c = y * ix->nx + x;
                for (int k = ix->start[c]; k < ix->start[c + 1]; k++) {
                    int i = ix->items[k];
                    double dx = ix->pts[i].x - q.x, dy = ix->pts[i].y - q.y;
                    double d = dx * dx + dy * dy;
                    if (d < bestd || (d == bestd && i < best)) {
                        bestd = d;
                        best = i;
                    }
                }
            }
        }
        /* Every point outside ring r is at least r*cell away. */
        if (best >= 0 && (double)r * ix->cell >= sqrt(bestd))
            break;
    }
    return best;
}

void sy_pindex_free(sy_pindex *ix)
{
    free(ix->start);
    free(ix->items);
    memset(ix, 0, sizeof *ix);
}

/* ---- WKB ---- */

static void wkb_bytes(sy_wkb *w, const void *p, size_t n)
{
    sy_reserve((void **)&w->buf, &w->cap, w->len + n, 1);
    memcpy(w->buf + w->len, p, n);
    w->len += n;
}

static void wkb_u32(sy_wkb *w, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    wkb_bytes(w, b, 4);
}

static void wkb_double(sy_wkb *w, double d)
{
    uint64_t v;
    memcpy(&v, &d, 8);
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    wkb_bytes(w, b, 8);
}

static void wkb_header(sy_wkb *w, uint32_t type)
{
    unsigned char order = 1;
    wkb_bytes(w, &order, 1);
    wkb_u32(w, type);
}

void sy_wkb_point(sy_wkb *w, sy_pt p)
{
    wkb_header(w, 1);
    wkb_double(w, p.x);
    wkb_double(w, p.y);
}

void sy_wkb_linestring(sy_wkb *w, const sy_pt *pts, int n)
{
    wkb_header(w, 2);
    wkb_u32(w, (uint32_t)n);
    for (int i = 0; i < n; i++) {
        wkb_double(w, pts[i].x);
        wkb_double(w, pts[i].y);
    }
}

void sy_wkb_polygon(sy_wkb *w, const sy_mpoly *m, int k)
{
    int r0 = m->poly_ring[k], r1 = m->poly_ring[k + 1];
    wkb_header(w, 3);
    wkb_u32(w, (uint32_t)(r1 - r0));
    for (int r = r0; r < r1; r++) {
        int n = sy_mpoly_ring_len(m, r);
        const sy_pt *pts = sy_mpoly_ring(m, r);
        wkb_u32(w, (uint32_t)n);
        for (int i = 0; i < n; i++) {
            wkb_double(w, pts[i].x);
            wkb_double(w, pts[i].y);
        }
    }
}

void sy_wkb_multipolygon(sy_wkb *w, const sy_mpoly *m)
{
    wkb_header(w, 6);
    wkb_u32(w, (uint32_t)m->n_polys);
    for (int k = 0; k < m->n_polys; k++)
        sy_wkb_polygon(w, m, k);
}

void sy_wkb_free(sy_wkb *w)
{
    free(w->buf);
    memset(w, 0, sizeof *w);
}
