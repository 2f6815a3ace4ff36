/* Maps of a plan with cairo (PNG, SVG, PDF) and pango (text, CJK). */
#include "core/ctx.h"
#include "govgrid/render.h"
#include "store/store.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#define FONT "WenQuanYi Micro Hei, Noto Sans CJK SC, Noto Sans CJK, sans"

void gg_map_options_init(gg_map_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

/* The view: lon/lat to page, with longitude shrunk by cos(latitude) so
 * that the map is not stretched. */
typedef struct view {
    double lon0, lat0, kx, scale, x0, y0, height;
} view;

static void to_page(const view *v, double lon, double lat, double *x, double *y)
{
    *x = v->x0 + (lon - v->lon0) * v->kx * v->scale;
    *y = v->y0 + v->height - (lat - v->lat0) * v->scale;
}

static void path_line(cairo_t *cr, GEOSContextHandle_t h, const view *v, const GEOSGeometry *line)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, line);
    unsigned n = 0;
    if (seq == NULL || !GEOSCoordSeq_getSize_r(h, seq, &n))
        return;
    for (unsigned i = 0; i < n; i++) {
        double lon, lat, x, y;
        GEOSCoordSeq_getXY_r(h, seq, i, &lon, &lat);
        to_page(v, lon, lat, &x, &y);
        if (i == 0)
            cairo_move_to(cr, x, y);
        else
            cairo_line_to(cr, x, y);
    }
}

/* Adds any geometry's rings and lines to the current path. */
static void path_geom(cairo_t *cr, GEOSContextHandle_t h, const view *v, const GEOSGeometry *g)
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
            path_geom(cr, h, v, GEOSGetGeometryN_r(h, g, i));
    }
}

/* Households per grid classes, light to dark. */
static const struct {
    int64_t upto;
    double r, g, b;
    const char *label;
} classes[] = {
    {0, 0.90, 0.90, 0.90, "0"},
    {249, 0.78, 0.86, 0.95, "1-249"},
    {299, 0.99, 0.93, 0.70, "250-299"},
    {399, 0.99, 0.80, 0.45, "300-399"},
    {500, 0.96, 0.58, 0.30, "400-500"},
    {INT64_MAX, 0.80, 0.20, 0.15, "> 500"},
};

static void set_class_colour(cairo_t *cr, int type, int64_t households, double alpha)
{
    if (type != 1) {
        cairo_set_source_rgba(cr, 0.62, 0.52, 0.82, alpha);
        return;
    }
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++)
        if (households <= classes[i].upto) {
            cairo_set_source_rgba(cr, classes[i].r, classes[i].g, classes[i].b, alpha);
            return;
        }
}

static void text(cairo_t *cr, const char *s, double x, double y, double size, int bold, int centred,
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

static gg_status bounds(gg_ctx *ctx, gg_store *store, int64_t plan, const char *community, double box[4])
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)),"
                                    " max(MbrMaxY(geom)), count(*) FROM grid WHERE plan = ?1 AND (?2 IS NULL OR community = ?2)",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, plan);
    if (community)
        sqlite3_bind_text(stmt, 2, community, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 2);
    int64_t n = 0;
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        for (int i = 0; i < 4; i++)
            box[i] = sqlite3_column_double(stmt, i);
        n = sqlite3_column_int64(stmt, 4);
    }
    sqlite3_finalize(stmt);
    if (n == 0)
        return community ? gg_error(ctx, GG_ERR_NOT_FOUND, "plan %lld has no grid in community %s", (long long)plan, community)
                         : gg_error(ctx, GG_ERR_NOT_FOUND, "plan %lld has no grids", (long long)plan);
    return GG_OK;
}

/* Roads and waterways in the box, under the grids' outlines. */
static void draw_lines(cairo_t *cr, gg_ctx *ctx, gg_store *store, const view *v, const double box[4], double unit)
{
    static const char *const sql[2] = {
        "SELECT AsBinary(geom), class IN ('motorway','trunk','primary','secondary') FROM road WHERE fid IN"
        " (SELECT pkid FROM idx_road_geom WHERE xmax >= ?1 AND xmin <= ?3 AND ymax >= ?2 AND ymin <= ?4)",
        "SELECT AsBinary(geom), GeometryType(geom) LIKE '%POLYGON%' FROM waterway WHERE fid IN"
        " (SELECT pkid FROM idx_waterway_geom WHERE xmax >= ?1 AND xmin <= ?3 AND ymax >= ?2 AND ymin <= ?4)"};
    GEOSContextHandle_t h = ctx->geos;
    for (int q = 0; q < 2; q++) {
        sqlite3_stmt *stmt = NULL;
        if (gg_store_prepare(store, sql[q], &stmt) != GG_OK) {
            gg_ctx_clear_error(ctx);
            continue;
        }
        for (int i = 0; i < 4; i++)
            sqlite3_bind_double(stmt, i + 1, box[i]);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            GEOSGeometry *g = gg_store_column_geom(ctx, stmt, 0);
            if (g == NULL)
                continue;
            int flag = sqlite3_column_int(stmt, 1);
            cairo_new_path(cr);
            path_geom(cr, h, v, g);
            if (q == 0) {
                cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
                cairo_set_line_width(cr, unit * (flag ? 2.2 : 1.0));
                cairo_stroke(cr);
            } else if (flag) {
                cairo_set_source_rgba(cr, 0.55, 0.75, 0.95, 0.8);
                cairo_fill(cr);
            } else {
                cairo_set_source_rgb(cr, 0.35, 0.6, 0.9);
                cairo_set_line_width(cr, unit * 1.8);
                cairo_stroke(cr);
            }
            GEOSGeom_destroy_r(h, g);
        }
        sqlite3_finalize(stmt);
    }
}

static void draw_legend(cairo_t *cr, double x, double y, double unit, double metres_per_unit_px)
{
    double row = 18 * unit, sw = 22 * unit;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_rectangle(cr, x - 8 * unit, y - 8 * unit, 210 * unit, row * 9 + 24 * unit);
    cairo_fill(cr);
    text(cr, "户数 households per grid", x, y, 13 * unit, 1, 0, 0.1, 0.1, 0.1);
    for (size_t i = 0; i < sizeof classes / sizeof classes[0]; i++) {
        double yy = y + row * (double)(i + 1) + 4 * unit;
        cairo_set_source_rgb(cr, classes[i].r, classes[i].g, classes[i].b);
        cairo_rectangle(cr, x, yy, sw, row * 0.7);
        cairo_fill(cr);
        text(cr, classes[i].label, x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    }
    double yy = y + row * 7 + 4 * unit;
    cairo_set_source_rgb(cr, 0.62, 0.52, 0.82);
    cairo_rectangle(cr, x, yy, sw, row * 0.7);
    cairo_fill(cr);
    text(cr, "专属网格 dedicated", x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    /* Scale bar: a round length near 120 px. */
    double target = 120 * unit * metres_per_unit_px;
    double magnitude = pow(10, floor(log10(target)));
    double length = magnitude * (target / magnitude >= 5 ? 5 : target / magnitude >= 2 ? 2 : 1);
    double px = length / metres_per_unit_px;
    yy = y + row * 8 + 10 * unit;
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
    text(cr, label, x + px + 6 * unit, yy - 8 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
}

gg_status gg_map_render(gg_ctx *ctx, gg_store *store, const char *path, const gg_map_options *opts)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || path == NULL || opts == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_map_render: NULL argument");
    const char *dot = strrchr(path, '.');
    int format = dot == NULL ? 0 : strcasecmp(dot, ".png") == 0 ? 1 : strcasecmp(dot, ".svg") == 0 ? 2
                                 : strcasecmp(dot, ".pdf") == 0 ? 3 : 0;
    if (format == 0)
        return gg_error(ctx, GG_ERR_ARG, "%s: the map's name must end in .png, .svg or .pdf", path);
    int64_t plan = 0;
    gg_status st = gg_store_resolve_plan(store, opts->plan, &plan);
    if (st != GG_OK)
        return st;
    sqlite3_stmt *stmt = NULL;
    double box[4];
    st = bounds(ctx, store, plan, opts->community, box);
    if (st != GG_OK)
        return st;

    double width = opts->width_px > 0 ? opts->width_px : 1600;
    double unit = width / 1600.0;
    double margin = 40 * unit, title_h = 50 * unit;
    view v;
    v.lon0 = box[0];
    v.lat0 = box[1];
    v.kx = cos((box[1] + box[3]) / 2 * M_PI / 180);
    double span_x = (box[2] - box[0]) * v.kx, span_y = box[3] - box[1];
    if (span_x <= 0 || span_y <= 0)
        return gg_error(ctx, GG_ERR_NOT_FOUND, "plan %lld: the grids have no extent", (long long)plan);
    v.scale = (width - 2 * margin) / span_x;
    v.height = span_y * v.scale;
    v.x0 = margin;
    v.y0 = margin + title_h;
    double height = v.height + 2 * margin + title_h;
    if (height > 6 * width) /* a very tall area: keep the page sane */
        height = 6 * width;
    double metres_per_px = 110574.0 / v.scale;

    cairo_surface_t *surface = format == 1 ? cairo_image_surface_create(CAIRO_FORMAT_ARGB32, (int)width, (int)height)
                               : format == 2 ? cairo_svg_surface_create(path, width, height)
                                             : cairo_pdf_surface_create(path, width, height);
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
        st = gg_error(ctx, GG_ERR_IO, "%s: %s", path, cairo_status_to_string(cairo_surface_status(surface)));
        cairo_surface_destroy(surface);
        return st;
    }
    cairo_t *cr = cairo_create(surface);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    GEOSContextHandle_t h = ctx->geos;

    /* Everything of the map stays inside its frame. */
    cairo_save(cr);
    cairo_rectangle(cr, v.x0, v.y0, width - 2 * margin, v.height);
    cairo_clip(cr);
    /* Grid fills, then the linework, then grid outlines and labels. */
    st = gg_store_prepare(store,
                          "SELECT AsBinary(geom), type, households, code, community FROM grid WHERE plan = ?1"
                          " AND (?2 IS NULL OR community = ?2) ORDER BY code",
                          &stmt);
    for (int pass = 0; pass < 2 && st == GG_OK; pass++) {
        if (pass == 1)
            draw_lines(cr, ctx, store, &v, box, unit);
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 1, plan);
        if (opts->community)
            sqlite3_bind_text(stmt, 2, opts->community, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(stmt, 2);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            GEOSGeometry *g = gg_store_column_geom(ctx, stmt, 0);
            if (g == NULL)
                continue;
            int type = sqlite3_column_int(stmt, 1);
            int64_t households = sqlite3_column_int64(stmt, 2);
            cairo_new_path(cr);
            path_geom(cr, h, &v, g);
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            if (pass == 0) {
                set_class_colour(cr, type, households, 1.0);
                cairo_fill(cr);
            } else {
                cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
                cairo_set_line_width(cr, 1.4 * unit);
                cairo_stroke(cr);
                GEOSGeometry *p = GEOSPointOnSurface_r(h, g);
                double lon, lat, x, y;
                if (p != NULL && GEOSGeomGetX_r(h, p, &lon) == 1 && GEOSGeomGetY_r(h, p, &lat) == 1) {
                    const char *code = (const char *)sqlite3_column_text(stmt, 3);
                    size_t len = code ? strlen(code) : 0;
                    char label[64];
                    snprintf(label, sizeof label, "%s\n%lld户", len >= 4 ? code + len - 4 : (code ? code : ""),
                             (long long)households);
                    to_page(&v, lon, lat, &x, &y);
                    text(cr, label, x, y, 11 * unit, 0, 1, 0.1, 0.1, 0.1);
                }
                if (p)
                    GEOSGeom_destroy_r(h, p);
            }
            GEOSGeom_destroy_r(h, g);
        }
    }
    sqlite3_finalize(stmt);

    /* Community names over everything. */
    if (st == GG_OK &&
        gg_store_prepare(store,
                         "SELECT d.name, AsBinary(PointOnSurface(d.geom)) FROM division d WHERE d.level = 'community'"
                         " AND d.code IN (SELECT DISTINCT community FROM grid WHERE plan = ?1 AND (?2 IS NULL OR community = ?2))",
                         &stmt) == GG_OK) {
        sqlite3_bind_int64(stmt, 1, plan);
        if (opts->community)
            sqlite3_bind_text(stmt, 2, opts->community, -1, SQLITE_STATIC);
        else
            sqlite3_bind_null(stmt, 2);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            GEOSGeometry *p = gg_store_column_geom(ctx, stmt, 1);
            double lon, lat, x, y;
            if (p != NULL && sqlite3_column_text(stmt, 0) != NULL && GEOSGeomGetX_r(h, p, &lon) == 1 &&
                GEOSGeomGetY_r(h, p, &lat) == 1) {
                to_page(&v, lon, lat, &x, &y);
                text(cr, (const char *)sqlite3_column_text(stmt, 0), x, y - 24 * unit, 16 * unit, 1, 1, 0.05, 0.15, 0.45);
            }
            if (p)
                GEOSGeom_destroy_r(h, p);
        }
        sqlite3_finalize(stmt);
    }
    gg_ctx_clear_error(ctx);
    cairo_restore(cr);

    char title[512];
    if (opts->title)
        snprintf(title, sizeof title, "%s", opts->title);
    else
        snprintf(title, sizeof title, "网格方案 plan %lld%s%s", (long long)plan, opts->community ? " · " : "",
                 opts->community ? opts->community : "");
    text(cr, title, margin, margin * 0.5, 22 * unit, 1, 0, 0.1, 0.1, 0.1);
    draw_legend(cr, width - margin - 200 * unit, margin + title_h + 10 * unit, unit, metres_per_px);
    text(cr, "© OpenStreetMap contributors where the data comes from OSM", margin, height - margin * 0.8,
         10 * unit, 0, 0, 0.4, 0.4, 0.4);

    cairo_destroy(cr);
    if (st == GG_OK && format == 1 && cairo_surface_write_to_png(surface, path) != CAIRO_STATUS_SUCCESS)
        st = gg_error(ctx, GG_ERR_IO, "%s: cannot write the PNG", path);
    cairo_surface_finish(surface);
    if (st == GG_OK && cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        st = gg_error(ctx, GG_ERR_IO, "%s: %s", path, cairo_status_to_string(cairo_surface_status(surface)));
    cairo_surface_destroy(surface);
    if (st != GG_OK)
        remove(path);
    return st;
}
