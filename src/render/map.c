/* Maps of a plan with cairo (PNG, SVG, PDF) and pango (text, CJK). */
#include "core/ctx.h"
#include "govgrid/render.h"
#include "render/canvas.h"
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

void gg_map_options_init(gg_map_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

static void set_rgb(cairo_t *cr, gg_colour c, double alpha)
{
    cairo_set_source_rgba(cr, c.r / 255.0, c.g / 255.0, c.b / 255.0, alpha);
}

/* The palette's colour of a grid: its household class, or the dedicated
 * grids' colour. */
static void set_class_colour(cairo_t *cr, int type, int counted, int64_t households, double alpha)
{
    const gg_household_class *c = gg_palette_class_of(type, counted, households);
    set_rgb(cr, c ? c->colour : gg_palette_get()->dedicated, alpha);
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
    int64_t n = gg_read_box(stmt, box);
    if (n == 0)
        return community ? gg_error(ctx, GG_ERR_NOT_FOUND, "plan %lld has no grid in community %s", (long long)plan, community)
                         : gg_error(ctx, GG_ERR_NOT_FOUND, "plan %lld has no grids", (long long)plan);
    return GG_OK;
}

/* Roads and waterways in the box, under the grids' outlines. */
static void draw_lines(cairo_t *cr, gg_ctx *ctx, gg_store *store, const gg_view *v, const double box[4], double unit)
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
            gg_path_geom(cr, h, v, g);
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

/* The legend: the palette's household classes, then the dedicated
 * grids' colour, then the scale bar. */
static void draw_legend(cairo_t *cr, double x, double y, double unit, double metres_per_unit_px)
{
    const gg_palette *pal = gg_palette_get();
    double row = 18 * unit, sw = 22 * unit;
    double rows = (double)pal->class_count + 3;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_rectangle(cr, x - 8 * unit, y - 8 * unit, 210 * unit, row * rows + 24 * unit);
    cairo_fill(cr);
    gg_text(cr, "户数 households per grid", x, y, 13 * unit, 1, 0, 0.1, 0.1, 0.1);
    for (size_t i = 0; i <= pal->class_count; i++) {
        double yy = y + row * (double)(i + 1) + 4 * unit;
        set_rgb(cr, i < pal->class_count ? pal->classes[i].colour : pal->dedicated, 1.0);
        cairo_rectangle(cr, x, yy, sw, row * 0.7);
        cairo_fill(cr);
        gg_text(cr, i < pal->class_count ? pal->classes[i].label : pal->dedicated_label, x + sw + 8 * unit,
                yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    }
    gg_scale_bar(cr, x, y + row * (rows - 1) + 10 * unit, unit, metres_per_unit_px);
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

    gg_page page;
    st = gg_page_begin(ctx, path, format, box, opts->width_px, &page);
    if (st != GG_OK)
        return st;
    cairo_t *cr = page.cr;
    gg_view v = page.view;
    double width = page.width, height = page.height, unit = page.unit, margin = page.margin;
    double metres_per_px = page.metres_per_px;
    GEOSContextHandle_t h = ctx->geos;

    /* Everything of the map stays inside its frame. */
    cairo_save(cr);
    cairo_rectangle(cr, v.x0, v.y0, width - 2 * margin, v.height);
    cairo_clip(cr);
    /* Grid fills, then the linework, then grid outlines and labels. */
    st = gg_store_prepare(store,
                          "SELECT AsBinary(geom), type, households, code, community, households IS NOT NULL FROM grid WHERE plan = ?1"
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
            int counted = sqlite3_column_int(stmt, 5);
            cairo_new_path(cr);
            gg_path_geom(cr, h, &v, g);
            cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
            if (pass == 0) {
                set_class_colour(cr, type, counted, households, 1.0);
                cairo_fill(cr);
            } else {
                set_rgb(cr, gg_palette_get()->outline, 1.0);
                cairo_set_line_width(cr, 1.4 * unit);
                cairo_stroke(cr);
                GEOSGeometry *p = GEOSPointOnSurface_r(h, g);
                double lon, lat, x, y;
                if (p != NULL && GEOSGeomGetX_r(h, p, &lon) == 1 && GEOSGeomGetY_r(h, p, &lat) == 1) {
                    const char *code = (const char *)sqlite3_column_text(stmt, 3);
                    size_t len = code ? strlen(code) : 0;
                    char label[64];
                    if (counted)
                        snprintf(label, sizeof label, "%s\n%lld户", len >= 4 ? code + len - 4 : (code ? code : ""),
                                 (long long)households);
                    else
                        snprintf(label, sizeof label, "%s", len >= 4 ? code + len - 4 : (code ? code : ""));
                    gg_to_page(&v, lon, lat, &x, &y);
                    gg_text(cr, label, x, y, 11 * unit, 0, 1, 0.1, 0.1, 0.1);
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
                gg_to_page(&v, lon, lat, &x, &y);
                gg_text(cr, (const char *)sqlite3_column_text(stmt, 0), x, y - 24 * unit, 16 * unit, 1, 1, 0.05, 0.15, 0.45);
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
    gg_text(cr, title, margin, margin * 0.5, 22 * unit, 1, 0, 0.1, 0.1, 0.1);
    draw_legend(cr, width - margin - 200 * unit, margin + page.title_h + 10 * unit, unit, metres_per_px);
    gg_text(cr, "© OpenStreetMap contributors where the data comes from OSM", margin, height - margin * 0.8,
         10 * unit, 0, 0, 0.4, 0.4, 0.4);

    st = gg_page_end(ctx, &page, path, format, st);
    return st;
}
