/* Private: a coverage mask for thin lines on an image surface. cairo's
 * stroker pays per segment and per call to turn every line into a
 * polygon and scan-convert it; a county's tens of thousands of grid
 * outlines at a few pixels each spend seconds there. The mask takes each
 * segment's exact distance to the pixel centres near it instead, keeps
 * the largest coverage where lines meet or are drawn twice (a boundary
 * shared by two grids), and is painted once in one colour. */
#ifndef GG_RENDER_MASK_H
#define GG_RENDER_MASK_H

#include "core/ctx.h"
#include "render/canvas.h"

#include <cairo.h>

#define GG_MASK_LUT 1024

typedef struct gg_mask {
    unsigned char *cov;           /* w * h coverage, 0..255 */
    int w, h;
    int cx0, cy0, cx1, cy1;       /* pixels drawn: [cx0, cx1) x [cy0, cy1) */
    int dx0, dy0, dx1, dy1;       /* pixels touched since the last paint (empty: dx0 >= dx1) */
    double lut_r;                 /* the reach the table is for (0: none yet) */
    unsigned char lut[GG_MASK_LUT + 1]; /* coverage by squared distance over squared reach */
} gg_mask;

/* A clear mask of w x h pixels drawing only inside clip (x0, y0, x1, y1
 * in pixels; cut to the mask). Returns GG_OK, GG_ERR_ARG (no pixels),
 * GG_ERR_NOMEM. */
gg_status gg_mask_init(gg_ctx *ctx, gg_mask *m, int w, int h, const double clip[4]);
void gg_mask_free(gg_ctx *ctx, gg_mask *m);

/* A segment of the given width (pixels) from (x0, y0) to (x1, y1), with
 * round ends; pixel (i, j) covers [i, i + 1) x [j, j + 1). A pixel's
 * coverage is 1 within width / 2 - 0.5 of the segment, falling to 0 at
 * width / 2 + 0.5 (read from a table in 1,024 steps of the squared
 * distance: off by at most 0.02, at the line's very centre). */
void gg_mask_segment(gg_mask *m, double x0, double y0, double x1, double y1, double width);

/* A pen drawing segments of the given width on a mask, and the sink
 * that moves it (the pen must outlive the sink). */
typedef struct gg_mask_pen {
    gg_mask *m;
    double width, x, y;
} gg_mask_pen;

gg_sink gg_mask_sink(gg_mask_pen *pen, gg_mask *m, double width);

/* Every ring and line of g (lon/lat) through view v. */
void gg_mask_geom(gg_mask *m, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *g, double width);

/* Blends colour (r, g, b) over image surface s (CAIRO_FORMAT_ARGB32 or
 * RGB24, the mask's size) by the coverage, then clears the mask. Returns
 * GG_OK, GG_ERR_ARG (not such a surface). */
gg_status gg_mask_paint(gg_ctx *ctx, gg_mask *m, cairo_surface_t *s, double r, double g, double b);

#endif
