/* What the maps share: the view from lon/lat to the page, paths of GEOS
 * geometries, text with a halo (pango, CJK), the scale bar. */
#include "render/canvas.h"
#include "render/png.h"
#include "geo/blob.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <stdio.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

double gg_mercator_deg(double lat)
{
    /* Web Mercator stops at +-85.0511 degrees, where y reaches +-180 */
    lat = lat > 85.0511287798 ? 85.0511287798 : lat < -85.0511287798 ? -85.0511287798 : lat;
    return log(tan(M_PI / 4 + lat * M_PI / 360)) * 180 / M_PI;
}

double gg_mercator_lat(double y_deg)
{
    return atan(sinh(y_deg * M_PI / 180)) * 180 / M_PI;
}

void gg_to_page(const gg_view *v, double lon, double lat, double *x, double *y)
{
    *x = v->x0 + (lon - v->lon0) * v->kx * v->scale;
    *y = v->y0 + v->height - ((v->mercator ? gg_mercator_deg(lat) : lat) - v->lat0) * v->scale;
}

/* A ring's or line's coordinates: a BLOB's, in place; a GEOS
 * sequence's, copied out at once when they fit in a buffer (most do),
 * else read one by one. */
typedef struct coords {
    const GEOSCoordSequence *seq;
    GEOSContextHandle_t h;
    const double *xy;
    const gg_blob_line *blob;
} coords;

#define COORDS_BUF 4096

static void coord(const coords *c, unsigned i, double *x, double *y)
{
    if (c->xy != NULL) {
        *x = c->xy[2 * i];
        *y = c->xy[2 * i + 1];
    } else if (c->blob != NULL) {
        gg_blob_xy(c->blob, i, x, y);
    } else {
        GEOSCoordSeq_getXY_r(c->h, c->seq, i, x, y);
    }
}

/* The sleeve in which the line from the last point drawn (the anchor)
 * may go on: the directions that pass within the tolerance of every
 * point left out since, between lo and hi (counter-clockwise from lo),
 * and the farthest of those points. Directions are vectors compared by
 * their cross products, no angles: the first point's tangents to its
 * tolerance disc are less than half a turn apart, and the sleeve only
 * narrows. */
typedef struct sleeve {
    double ax, ay;
    double lox, loy, hix, hiy;
    double far, far2;
    int open;
} sleeve;

#define TOLERANCE 0.25 /* a quarter of a unit */

static double cross(double ux, double uy, double vx, double vy)
{
    return ux * vy - uy * vx;
}

/* Whether (x, y) can end a line from the anchor that passes within the
 * tolerance of every point left out (then the sleeve narrows to it). */
static int sleeve_take(sleeve *s, double x, double y)
{
    const double t = TOLERANCE;
    double dx = x - s->ax, dy = y - s->ay, d2 = dx * dx + dy * dy;
    if (s->far > t && d2 < (s->far - t) * (s->far - t))
        return 0; /* turned back: the segment would stop short of a point left out */
    if (d2 <= t * t)
        return 1; /* near the anchor: any line from it passes by */
    if (s->open && (cross(s->lox, s->loy, dx, dy) < 0 || cross(dx, dy, s->hix, s->hiy) < 0))
        return 0;
    /* the tangents from the anchor to the disc round (x, y), rotated by
     * the angle whose sine is t / d (scaled by d squared) */
    double c = sqrt(d2 - t * t);
    double lox = dx * c + dy * t, loy = dy * c - dx * t; /* clockwise */
    double hix = dx * c - dy * t, hiy = dy * c + dx * t; /* counter-clockwise */
    if (!s->open) {
        s->lox = lox, s->loy = loy, s->hix = hix, s->hiy = hiy;
        s->open = 1;
    } else {
        if (cross(s->lox, s->loy, lox, loy) > 0)
            s->lox = lox, s->loy = loy;
        if (cross(hix, hiy, s->hix, s->hiy) > 0)
            s->hix = hix, s->hiy = hiy;
    }
    if (d2 > s->far2) {
        s->far2 = d2;
        s->far = sqrt(d2);
    }
    return 1;
}

static void sleeve_reset(sleeve *s, double x, double y)
{
    s->ax = x, s->ay = y;
    s->far = s->far2 = 0;
    s->open = 0;
}

/* A line's points on the page, as few as draw it to within a quarter of
 * a unit (a pixel on a PNG): a point is left out while the line from the
 * last point drawn can still pass within that of it and of every point
 * left out since (the sleeve: Zhao and Saalfeld's sector bound, a few
 * products a point). A county's grids at 1,600 pixels have many vertices per
 * pixel, and the rasteriser's time goes with the vertices, not with what
 * can be seen. The last point is always drawn, so rings close where they
 * should. A ring (turn 1 for a shell, -1 for a hole) is drawn
 * counter-clockwise in lon/lat when a shell and clockwise when a hole,
 * whichever way it was stored, so that many polygons in one path fill as
 * their union under the nonzero rule. */
static void walk_coords(const gg_sink *sink, const gg_view *v, const coords *cs, unsigned n, int turn)
{
    const coords c = *cs;
    if (n == 0)
        return;
    int reverse = 0;
    if (turn != 0 && n >= 4) {
        double twice_area = 0, x0, y0, px = 0, py = 0;
        coord(&c, 0, &x0, &y0);
        for (unsigned i = 1; i < n; i++) {
            double x, y;
            coord(&c, i, &x, &y);
            x -= x0, y -= y0;
            twice_area += px * y - x * py;
            px = x, py = y;
        }
        reverse = (twice_area > 0) != (turn > 0);
    }
    sleeve s;
    double lx = 0, ly = 0; /* the last point left out */
    int skipped = 0;
    for (unsigned k = 0; k < n; k++) {
        double lon, lat, x, y;
        coord(&c, reverse ? n - 1 - k : k, &lon, &lat);
        gg_to_page(v, lon, lat, &x, &y);
        if (k == 0) {
            sink->move(sink->user, x, y);
            sleeve_reset(&s, x, y);
            continue;
        }
        if (skipped && !sleeve_take(&s, x, y)) {
            /* the last point left out is where the line turns */
            sink->line(sink->user, lx, ly);
            sleeve_reset(&s, lx, ly);
            sleeve_take(&s, x, y);
        } else if (!skipped) {
            sleeve_take(&s, x, y);
        }
        if (k + 1 == n) {
            sink->line(sink->user, x, y);
        } else {
            lx = x, ly = y;
            skipped = 1;
        }
    }
    if (turn != 0 && sink->close != NULL)
        sink->close(sink->user);
}

static void walk_line(const gg_sink *sink, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *line,
                      int turn)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, line);
    unsigned n = 0;
    if (seq == NULL || !GEOSCoordSeq_getSize_r(h, seq, &n) || n == 0)
        return;
    double buf[2 * COORDS_BUF];
    coords c = {seq, h, NULL, NULL};
    if (n <= COORDS_BUF && GEOSCoordSeq_copyToBuffer_r(h, seq, buf, 0, 0))
        c.xy = buf;
    walk_coords(sink, v, &c, n, turn);
}

void gg_walk_geom(const gg_sink *sink, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        walk_line(sink, h, v, GEOSGetExteriorRing_r(h, g), 1);
        for (int i = 0; i < GEOSGetNumInteriorRings_r(h, g); i++)
            walk_line(sink, h, v, GEOSGetInteriorRingN_r(h, g, i), -1);
    } else if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        walk_line(sink, h, v, g, 0);
    } else if (type != GEOS_POINT) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            gg_walk_geom(sink, h, v, GEOSGetGeometryN_r(h, g, i));
    }
}

typedef struct blob_walk {
    const gg_sink *sink;
    const gg_view *v;
} blob_walk;

static void walk_blob_line(void *user, const gg_blob_line *line)
{
    const blob_walk *w = user;
    coords c = {NULL, NULL, NULL, line};
    walk_coords(w->sink, w->v, &c, line->n, line->turn);
}

int gg_walk_blob(const gg_sink *sink, const gg_view *v, const unsigned char *blob, size_t size)
{
    blob_walk w = {sink, v};
    return gg_blob_lines(blob, size, NULL, walk_blob_line, &w) == GG_BLOB_READ;
}

static void cairo_move(void *cr, double x, double y) { cairo_move_to(cr, x, y); }
static void cairo_line(void *cr, double x, double y) { cairo_line_to(cr, x, y); }
static void cairo_close(void *cr) { cairo_close_path(cr); }

gg_sink gg_cairo_sink(cairo_t *cr)
{
    gg_sink sink = {cairo_move, cairo_line, cairo_close, cr};
    return sink;
}

static void tee_move(void *user, double x, double y)
{
    const gg_sink *two = user;
    two[0].move(two[0].user, x, y);
    two[1].move(two[1].user, x, y);
}

static void tee_line(void *user, double x, double y)
{
    const gg_sink *two = user;
    two[0].line(two[0].user, x, y);
    two[1].line(two[1].user, x, y);
}

static void tee_close(void *user)
{
    const gg_sink *two = user;
    for (int k = 0; k < 2; k++)
        if (two[k].close != NULL)
            two[k].close(two[k].user);
}

gg_sink gg_tee_sink(gg_sink two[2])
{
    gg_sink sink = {tee_move, tee_line, tee_close, two};
    return sink;
}

void gg_path_geom(cairo_t *cr, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *g)
{
    const gg_sink sink = gg_cairo_sink(cr);
    gg_walk_geom(&sink, h, v, g);
}

void gg_text(cairo_t *cr, const char *s, double x, double y, double size, int bold, int centred,
                 double r, double g, double b)
{
    PangoLayout *layout = pango_cairo_create_layout(cr);
    char font[160];
    snprintf(font, sizeof font, "%s %s %.1fpx", FONT, bold ? "Bold" : "", size);
    PangoFontDescription *desc = pango_font_description_from_string(font);
    pango_layout_set_font_description(layout, desc);
    pango_font_description_free(desc);
    pango_layout_set_text(layout, s, -1);
    if (centred)
        pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER);
    int w, hgt;
    pango_layout_get_pixel_size(layout, &w, &hgt);
    double tx = centred ? x - w / 2.0 : x, ty = centred ? y - hgt / 2.0 : y;
    /* A white halo keeps labels readable over any fill. */
    cairo_move_to(cr, tx, ty);
    pango_cairo_layout_path(cr, layout);
    cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
    cairo_set_line_width(cr, size / 5.0);
    cairo_stroke(cr);
    cairo_move_to(cr, tx, ty);
    cairo_set_source_rgb(cr, r, g, b);
    pango_cairo_show_layout(cr, layout);
    g_object_unref(layout);
}

/* A scale bar of a round length near 120 px, at (x, y). */
void gg_scale_bar(cairo_t *cr, double x, double y, double unit, double metres_per_unit_px)
{
    double target = 120 * unit * metres_per_unit_px;
    double magnitude = pow(10, floor(log10(target)));
    double length = magnitude * (target / magnitude >= 5 ? 5 : target / magnitude >= 2 ? 2 : 1);
    double px = length / metres_per_unit_px, yy = y;
    cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
    cairo_set_line_width(cr, 2 * unit);
    cairo_move_to(cr, x, yy);
    cairo_line_to(cr, x + px, yy);
    cairo_stroke(cr);
    char label[32];
    if (length >= 1000)
        snprintf(label, sizeof label, "%g km", length / 1000);
    else
        snprintf(label, sizeof label, "%g m", length);
    gg_text(cr, label, x + px + 6 * unit, yy - 8 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
}

int gg_rgb_image(cairo_surface_t *s)
{
    return cairo_surface_get_type(s) == CAIRO_SURFACE_TYPE_IMAGE &&
           (cairo_image_surface_get_format(s) == CAIRO_FORMAT_ARGB32 ||
            cairo_image_surface_get_format(s) == CAIRO_FORMAT_RGB24);
}

gg_status gg_page_begin(gg_ctx *ctx, const char *path, int format, const double box[4], int width_px,
                        gg_page *page)
{
    double width = width_px > 0 ? width_px : 1600;
    page->width = width;
    page->unit = width / 1600.0;
    page->margin = 40 * page->unit;
    page->title_h = 50 * page->unit;
    gg_view *v = &page->view;
    v->lon0 = box[0];
    v->lat0 = box[1];
    v->mercator = 0;
    v->kx = cos((box[1] + box[3]) / 2 * M_PI / 180);
    double span_x = (box[2] - box[0]) * v->kx, span_y = box[3] - box[1];
    if (!(span_x > 0) || !(span_y > 0))
        return gg_error(ctx, GG_ERR_NOT_FOUND, "%s: nothing to draw (no extent)", path);
    v->scale = (width - 2 * page->margin) / span_x;
    v->height = span_y * v->scale;
    v->x0 = page->margin;
    v->y0 = page->margin + page->title_h;
    double height = v->height + 2 * page->margin + page->title_h;
    if (height > 6 * width) /* a very tall area: keep the page sane */
        height = 6 * width;
    page->height = height;
    page->metres_per_px = 110574.0 / v->scale;
    page->surface = format == 1 ? cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)width, (int)height)
                    : format == 2 ? cairo_svg_surface_create(path, width, height)
                                  : cairo_pdf_surface_create(path, width, height);
    if (cairo_surface_status(page->surface) != CAIRO_STATUS_SUCCESS) {
        gg_status st = gg_error(ctx, GG_ERR_IO, "%s: %s", path, cairo_status_to_string(cairo_surface_status(page->surface)));
        cairo_surface_destroy(page->surface);
        return st;
    }
    page->cr = cairo_create(page->surface);
    cairo_set_source_rgb(page->cr, 1, 1, 1);
    cairo_paint(page->cr);
    return GG_OK;
}

gg_status gg_page_end(gg_ctx *ctx, gg_page *page, const char *path, int format, gg_status st)
{
    cairo_destroy(page->cr);
    if (st == GG_OK && format == 1)
        st = gg_png_write(ctx, page->surface, path);
    cairo_surface_finish(page->surface);
    if (st == GG_OK && cairo_surface_status(page->surface) != CAIRO_STATUS_SUCCESS)
        st = gg_error(ctx, GG_ERR_IO, "%s: %s", path, cairo_status_to_string(cairo_surface_status(page->surface)));
    cairo_surface_destroy(page->surface);
    if (st != GG_OK)
        remove(path);
    return st;
}

int64_t gg_read_box(sqlite3_stmt *stmt, double box[4])
{
    int64_t n = 0;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++)
            box[i] = sqlite3_column_double(stmt, i);
        n = sqlite3_column_int64(stmt, 4);
    }
    sqlite3_finalize(stmt);
    return n;
}
