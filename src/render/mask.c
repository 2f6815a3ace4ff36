/* A coverage mask for thin lines: each segment's distance to the pixel
 * centres near it, the largest coverage kept, painted in one colour. */
#include "render/mask.h"

#include <math.h>
#include <string.h>

gg_status gg_mask_init(gg_ctx *ctx, gg_mask *m, int w, int h, const double clip[4])
{
    memset(m, 0, sizeof *m);
    if (w <= 0 || h <= 0)
        return gg_error(ctx, GG_ERR_ARG, "gg_mask_init: %d x %d pixels", w, h);
    double x0 = fmax(0, floor(clip[0])), y0 = fmax(0, floor(clip[1]));
    double x1 = fmin(w, ceil(clip[2])), y1 = fmin(h, ceil(clip[3]));
    if (!(x0 < x1 && y0 < y1))
        return gg_error(ctx, GG_ERR_ARG, "gg_mask_init: the clip holds no pixel of the %d x %d mask", w, h);
    m->cov = gg_calloc(ctx, (size_t)w * (size_t)h, 1);
    if (m->cov == NULL)
        return GG_ERR_NOMEM;
    m->w = w, m->h = h;
    m->cx0 = (int)x0, m->cy0 = (int)y0, m->cx1 = (int)x1, m->cy1 = (int)y1;
    m->dx0 = m->cx1, m->dy0 = m->cy1, m->dx1 = m->cx0, m->dy1 = m->cy0;
    return GG_OK;
}

void gg_mask_free(gg_ctx *ctx, gg_mask *m)
{
    gg_free(ctx, m->cov);
    memset(m, 0, sizeof *m);
}

static double clamp01(double t)
{
    return t < 0 ? 0 : t > 1 ? 1 : t;
}

void gg_mask_segment(gg_mask *m, double x0, double y0, double x1, double y1, double width)
{
    if (!(width > 0) || !isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1))
        return;
    double r = width / 2 + 0.5, r2 = r * r; /* beyond r from the segment, nothing */
    if (m->lut_r != r) {
        /* coverage r - d at the middle of each step of d squared */
        for (int k = 0; k <= GG_MASK_LUT; k++) {
            double c = r - sqrt((k + 0.5) * r2 / GG_MASK_LUT);
            m->lut[k] = c >= 1 ? 255 : c <= 0 ? 0 : (unsigned char)(c * 255 + 0.5);
        }
        m->lut_r = r;
    }
    const double to_lut = GG_MASK_LUT / r2;
    double dx = x1 - x0, dy = y1 - y0, len2 = dx * dx + dy * dy;
    double inv_len2 = len2 > 0 ? 1 / len2 : 0;
    /* rows whose centres may lie within r */
    double top = floor(fmin(y0, y1) - r), bottom = floor(fmax(y0, y1) + r);
    int j0 = top < m->cy0 ? m->cy0 : (int)top;
    int j1 = bottom >= m->cy1 ? m->cy1 - 1 : (int)bottom;
    for (int j = j0; j <= j1; j++) {
        double yc = j + 0.5;
        /* a point of the row within r of the segment is within r of a
         * segment point whose y is within r of the row's: those points'
         * x span [xa, xb] */
        double ta = 0, tb = 1;
        if (dy != 0) {
            ta = clamp01((yc - r - y0) / dy);
            tb = clamp01((yc + r - y0) / dy);
        }
        double xa = fmin(x0 + ta * dx, x0 + tb * dx) - r, xb = fmax(x0 + ta * dx, x0 + tb * dx) + r;
        double left = floor(xa), right = floor(xb);
        int i0 = left < m->cx0 ? m->cx0 : (int)left;
        int i1 = right >= m->cx1 ? m->cx1 - 1 : (int)right;
        if (i0 > i1)
            continue;
        unsigned char *row = m->cov + (size_t)j * (size_t)m->w;
        for (int i = i0; i <= i1; i++) {
            double px = i + 0.5 - x0, py = yc - y0;
            double t = clamp01((px * dx + py * dy) * inv_len2);
            double ex = px - t * dx, ey = py - t * dy, d2 = ex * ex + ey * ey;
            if (d2 >= r2)
                continue;
            unsigned char v = m->lut[(int)(d2 * to_lut)];
            if (v > row[i])
                row[i] = v;
        }
        if (i0 < m->dx0)
            m->dx0 = i0;
        if (i1 + 1 > m->dx1)
            m->dx1 = i1 + 1;
        if (j < m->dy0)
            m->dy0 = j;
        if (j + 1 > m->dy1)
            m->dy1 = j + 1;
    }
}

static void pen_move(void *user, double x, double y)
{
    gg_mask_pen *p = user;
    p->x = x, p->y = y;
}

static void pen_line(void *user, double x, double y)
{
    gg_mask_pen *p = user;
    gg_mask_segment(p->m, p->x, p->y, x, y, p->width);
    p->x = x, p->y = y;
}

gg_sink gg_mask_sink(gg_mask_pen *pen, gg_mask *m, double width)
{
    pen->m = m, pen->width = width, pen->x = pen->y = 0;
    gg_sink sink = {pen_move, pen_line, NULL, pen};
    return sink;
}

void gg_mask_geom(gg_mask *m, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *g, double width)
{
    gg_mask_pen pen;
    const gg_sink sink = gg_mask_sink(&pen, m, width);
    gg_walk_geom(&sink, h, v, g);
}

gg_status gg_mask_paint(gg_ctx *ctx, gg_mask *m, cairo_surface_t *s, double r, double g, double b)
{
    if (!gg_rgb_image(s) || cairo_image_surface_get_width(s) != m->w || cairo_image_surface_get_height(s) != m->h)
        return gg_error(ctx, GG_ERR_ARG, "gg_mask_paint: not a %d x %d ARGB32 or RGB24 image surface", m->w, m->h);
    if (m->dx0 >= m->dx1 || m->dy0 >= m->dy1)
        return GG_OK;
    cairo_surface_flush(s);
    unsigned char *data = cairo_image_surface_get_data(s);
    int stride = cairo_image_surface_get_stride(s);
    unsigned cr = (unsigned)lround(clamp01(r) * 255), cg = (unsigned)lround(clamp01(g) * 255),
             cb = (unsigned)lround(clamp01(b) * 255);
    for (int j = m->dy0; j < m->dy1; j++) {
        uint32_t *px = (uint32_t *)(void *)(data + (size_t)j * (size_t)stride);
        unsigned char *cov = m->cov + (size_t)j * (size_t)m->w;
        for (int i = m->dx0; i < m->dx1; i++) {
            unsigned c = cov[i];
            if (c == 0)
                continue;
            cov[i] = 0;
            /* premultiplied: colour over the pixel at coverage c */
            uint32_t p = px[i];
            unsigned k = 255 - c;
            unsigned pa = p >> 24, pr = (p >> 16) & 255, pg = (p >> 8) & 255, pb = p & 255;
            pa = c + (pa * k + 127) / 255;
            pr = (cr * c + pr * k + 127) / 255;
            pg = (cg * c + pg * k + 127) / 255;
            pb = (cb * c + pb * k + 127) / 255;
            px[i] = (uint32_t)pa << 24 | pr << 16 | pg << 8 | pb;
        }
    }
    cairo_surface_mark_dirty_rectangle(s, m->dx0, m->dy0, m->dx1 - m->dx0, m->dy1 - m->dy0);
    m->dx0 = m->cx1, m->dy0 = m->cy1, m->dx1 = m->cx0, m->dy1 = m->cy0;
    return GG_OK;
}
