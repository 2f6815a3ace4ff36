/* What the maps share: the view from lon/lat to the page, paths of GEOS
 * geometries, text with a halo (pango, CJK), the scale bar. */
#include "render/canvas.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <math.h>
#include <stdio.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

void gg_to_page(const gg_view *v, double lon, double lat, double *x, double *y)
{
    *x = v->x0 + (lon - v->lon0) * v->kx * v->scale;
    *y = v->y0 + v->height - (lat - v->lat0) * v->scale;
}

/* A line's points on the page, dropping each point within a quarter of a
 * unit (a pixel on a PNG) of the last one drawn: a county's grids at
 * 1,600 pixels have many vertices per pixel, and the rasteriser's time
 * goes with the vertices, not with what can be seen. The last point is
 * always drawn, so rings close where they should. */
static void path_line(cairo_t *cr, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *line)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, line);
    unsigned n = 0;
    if (seq == NULL || !GEOSCoordSeq_getSize_r(h, seq, &n))
        return;
    double lx = 0, ly = 0;
    for (unsigned i = 0; i < n; i++) {
        double lon, lat, x, y;
        GEOSCoordSeq_getXY_r(h, seq, i, &lon, &lat);
        gg_to_page(v, lon, lat, &x, &y);
        if (i == 0) {
            cairo_move_to(cr, x, y);
        } else if (i + 1 == n || (x - lx) * (x - lx) + (y - ly) * (y - ly) >= 0.0625) {
            cairo_line_to(cr, x, y);
        } else {
            continue;
        }
        lx = x;
        ly = y;
    }
}

/* Adds any geometry's rings and lines to the current path. */
void gg_path_geom(cairo_t *cr, GEOSContextHandle_t h, const gg_view *v, const GEOSGeometry *g)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        path_line(cr, h, v, GEOSGetExteriorRing_r(h, g));
        cairo_close_path(cr);
        for (int i = 0; i < GEOSGetNumInteriorRings_r(h, g); i++) {
            path_line(cr, h, v, GEOSGetInteriorRingN_r(h, g, i));
            cairo_close_path(cr);
        }
    } else if (type == GEOS_LINESTRING || type == GEOS_LINEARRING) {
        path_line(cr, h, v, g);
    } else if (type != GEOS_POINT) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++)
            gg_path_geom(cr, h, v, GEOSGetGeometryN_r(h, g, i));
    }
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
    if (st == GG_OK && format == 1 && cairo_surface_write_to_png(page->surface, path) != CAIRO_STATUS_SUCCESS)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot write the PNG", path);
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
