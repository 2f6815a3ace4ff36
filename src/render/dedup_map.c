/* The map of a department's grids over the unified plan, conflicts
 * highlighted. */
#include "render/dedup_map.h"
#include "render/canvas.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const double relation_rgb[GG_RELATION_COUNT][3] = {
    {0.10, 0.55, 0.20}, /* equal */
    {0.15, 0.35, 0.80}, /* union-of */
    {0.55, 0.25, 0.70}, /* part-of */
    {0.85, 0.35, 0.05}, /* cuts */
    {0.45, 0.45, 0.45}, /* outside */
    {0.00, 0.00, 0.00}, /* invalid */
};

static const double conflict_rgba[4][4] = {
    {0.90, 0.10, 0.10, 0.55}, /* cut */
    {0.85, 0.00, 0.75, 0.60}, /* overlap */
    {1.00, 0.80, 0.00, 0.70}, /* gap */
    {0.30, 0.30, 0.30, 0.45}, /* outside */
};

static const char *const relation_cn[GG_RELATION_COUNT] = {"一致", "整格合并", "格内", "切割", "网外", "无效"};
static const char *const conflict_cn[4] = {"切割片", "重叠", "空缺", "网外部分"};

/* The box of the department's grids, from the store. */
static gg_status dept_box(gg_ctx *ctx, gg_store *store, const char *dept, double box[4])
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT min(MbrMinX(geom)), min(MbrMinY(geom)), max(MbrMaxX(geom)),"
                                    " max(MbrMaxY(geom)), count(geom) FROM dept_grid WHERE dept = ?1",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, dept, -1, SQLITE_STATIC);
    int64_t n = gg_read_box(stmt, box);
    if (n == 0)
        return gg_error(ctx, GG_ERR_NOT_FOUND, "department %s has no grid with a geometry to draw", dept);
    double dx = (box[2] - box[0]) * 0.03 + 1e-5, dy = (box[3] - box[1]) * 0.03 + 1e-5;
    box[0] -= dx, box[1] -= dy, box[2] += dx, box[3] += dy;
    return GG_OK;
}

static void legend(cairo_t *cr, const gg_dedup_dept *d, double x, double y, double unit, double metres_per_px)
{
    double row = 18 * unit, sw = 22 * unit;
    cairo_set_source_rgba(cr, 1, 1, 1, 0.9);
    cairo_rectangle(cr, x - 8 * unit, y - 8 * unit, 250 * unit, row * 14 + 24 * unit);
    cairo_fill(cr);
    gg_text(cr, "部门网格 relation", x, y, 13 * unit, 1, 0, 0.1, 0.1, 0.1);
    char label[128];
    for (int k = 0; k < GG_RELATION_COUNT; k++) {
        double yy = y + row * (k + 1) + 4 * unit;
        cairo_set_source_rgb(cr, relation_rgb[k][0], relation_rgb[k][1], relation_rgb[k][2]);
        cairo_set_line_width(cr, 2.5 * unit);
        cairo_rectangle(cr, x, yy, sw, row * 0.7);
        cairo_stroke(cr);
        snprintf(label, sizeof label, "%s %s: %zu", relation_cn[k], gg_relation_name((gg_relation)k),
                 d->by_relation[k]);
        gg_text(cr, label, x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    }
    size_t counts[4] = {d->n_cuts, d->n_overlaps, d->n_gaps, 0};
    counts[3] = d->by_relation[GG_RELATION_OUTSIDE];
    for (int k = 0; k < 4; k++) {
        double yy = y + row * (GG_RELATION_COUNT + 1 + k) + 8 * unit;
        cairo_set_source_rgba(cr, conflict_rgba[k][0], conflict_rgba[k][1], conflict_rgba[k][2], conflict_rgba[k][3]);
        cairo_rectangle(cr, x, yy, sw, row * 0.7);
        cairo_fill(cr);
        if (k == 3)
            snprintf(label, sizeof label, "%s outside", conflict_cn[k]);
        else
            snprintf(label, sizeof label, "%s %s: %zu", conflict_cn[k], gg_conflict_kind_name((gg_conflict_kind)k),
                     counts[k]);
        gg_text(cr, label, x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    }
    cairo_set_source_rgb(cr, 0.75, 0.75, 0.75);
    double yy = y + row * 11 + 12 * unit;
    cairo_rectangle(cr, x, yy, sw, row * 0.7);
    cairo_fill(cr);
    gg_text(cr, "统一网格 unified grids", x + sw + 8 * unit, yy - 2 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    gg_scale_bar(cr, x, y + row * 13 + 8 * unit, unit, metres_per_px);
}

gg_status gg_dedup_map_render(gg_ctx *ctx, gg_store *store, const gg_dedup_result *r, size_t dept,
                              const char *path)
{
    GEOSContextHandle_t h = ctx->geos;
    const gg_dedup_dept *d = &r->depts[dept];
    double box[4];
    gg_status st = dept_box(ctx, store, d->dept, box);
    if (st != GG_OK)
        return st;
    gg_page page;
    st = gg_page_begin(ctx, path, 1, box, 1600, &page);
    if (st != GG_OK)
        return st;
    cairo_t *cr = page.cr;
    double unit = page.unit;
    cairo_save(cr);
    cairo_rectangle(cr, page.view.x0, page.view.y0, page.width - 2 * page.margin, page.view.height);
    cairo_clip(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    /* the plan's grids in the box */
    sqlite3_stmt *stmt = NULL;
    st = gg_store_prepare(store,
                          "SELECT AsBinary(geom) FROM grid WHERE plan = ?1 AND fid IN (SELECT pkid FROM"
                          " idx_grid_geom WHERE xmax >= ?2 AND xmin <= ?4 AND ymax >= ?3 AND ymin <= ?5)",
                          &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, r->plan);
        for (int i = 0; i < 4; i++)
            sqlite3_bind_double(stmt, i + 2, box[i]);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            GEOSGeometry *g = gg_store_column_geom(ctx, stmt, 0);
            if (g == NULL)
                continue;
            cairo_new_path(cr);
            gg_path_geom(cr, h, &page.view, g);
            cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
            cairo_fill_preserve(cr);
            cairo_set_source_rgb(cr, 0.60, 0.60, 0.60);
            cairo_set_line_width(cr, 0.8 * unit);
            cairo_stroke(cr);
            GEOSGeom_destroy_r(h, g);
        }
        sqlite3_finalize(stmt);
    }
    /* conflicts, then the department's grids over them */
    for (size_t i = 0; st == GG_OK && i < r->n_conflicts; i++) {
        const gg_dedup_conflict *c = &r->conflicts[i];
        if (strcmp(c->dept, d->dept) != 0)
            continue;
        GEOSGeometry *g = GEOSGeomFromWKB_buf_r(h, c->wkb, c->wkb_size);
        if (g == NULL)
            continue;
        cairo_new_path(cr);
        gg_path_geom(cr, h, &page.view, g);
        const double *rgba = conflict_rgba[c->kind];
        cairo_set_source_rgba(cr, rgba[0], rgba[1], rgba[2], rgba[3]);
        cairo_fill(cr);
        GEOSGeom_destroy_r(h, g);
    }
    if (st == GG_OK)
        st = gg_store_prepare(store, "SELECT id, AsBinary(geom) FROM dept_grid WHERE dept = ?1 ORDER BY id", &stmt);
    if (st == GG_OK) {
        sqlite3_bind_text(stmt, 1, d->dept, -1, SQLITE_STATIC);
        size_t k = 0; /* the department's items are contiguous and in id order */
        while (k < r->n_items && strcmp(r->items[k].dept, d->dept) != 0)
            k++;
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            const char *id = (const char *)sqlite3_column_text(stmt, 0);
            while (k < r->n_items && strcmp(r->items[k].dept, d->dept) == 0 && strcmp(r->items[k].id, id) < 0)
                k++;
            gg_relation rel = k < r->n_items && strcmp(r->items[k].id, id) == 0 ? r->items[k].relation
                                                                                 : GG_RELATION_INVALID;
            GEOSGeometry *g = gg_store_column_geom(ctx, stmt, 1);
            if (g == NULL)
                continue;
            cairo_new_path(cr);
            gg_path_geom(cr, h, &page.view, g);
            cairo_set_source_rgb(cr, relation_rgb[rel][0], relation_rgb[rel][1], relation_rgb[rel][2]);
            cairo_set_line_width(cr, 1.8 * unit);
            cairo_stroke(cr);
            GEOSGeom_destroy_r(h, g);
        }
        sqlite3_finalize(stmt);
    }
    cairo_restore(cr);
    char title[512];
    snprintf(title, sizeof title, "一张网 %s: %zu grids over plan %lld", d->dept, d->n_grids, (long long)r->plan);
    gg_text(cr, title, page.margin, page.margin * 0.5, 22 * unit, 1, 0, 0.1, 0.1, 0.1);
    legend(cr, d, page.width - page.margin - 240 * unit, page.margin + page.title_h + 10 * unit, unit,
           page.metres_per_px);
    return gg_page_end(ctx, &page, path, 1, st);
}
