/* The map of a plan's changes (govgrid diff --map): plan B's grids filled
 * by what happened to them, plan A's boundaries of the grids that changed
 * dashed over them, each changed grid labelled with the last digits of its
 * code. The page frames the changes, or the whole plan when nothing
 * changed. */
#include "govgrid/render.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/ctx.h"
#include "render/canvas.h"
#include "store/plan.h"

static const struct {
    gg_grid_change_kind kind;
    double rgb[3];
    const char *label;
} kinds[] = {
    {GG_GRID_UNCHANGED, {0.90, 0.90, 0.90}, "未变 unchanged"},
    {GG_GRID_RESHAPED, {0.98, 0.75, 0.35}, "调整 reshaped"},
    {GG_GRID_ADDED, {0.55, 0.82, 0.55}, "新增 added"},
    {GG_GRID_RETIRED, {0.85, 0.20, 0.20}, "撤销 retired (dashed: plan A)"},
};

static const gg_grid_change *change_of(const gg_plan_diff *d, const char *code)
{
    size_t lo = 0, hi = d->n_grids;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(d->grids[mid].code, code);
        if (c == 0)
            return &d->grids[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

static void grow_box(GEOSContextHandle_t h, const GEOSGeometry *g, double box[4], int *any)
{
    double x0, y0, x1, y1;
    if (g == NULL || GEOSGeom_getXMin_r(h, g, &x0) != 1 || GEOSGeom_getYMin_r(h, g, &y0) != 1 ||
        GEOSGeom_getXMax_r(h, g, &x1) != 1 || GEOSGeom_getYMax_r(h, g, &y1) != 1)
        return;
    if (!*any) {
        box[0] = x0, box[1] = y0, box[2] = x1, box[3] = y1;
        *any = 1;
        return;
    }
    if (x0 < box[0])
        box[0] = x0;
    if (y0 < box[1])
        box[1] = y0;
    if (x1 > box[2])
        box[2] = x1;
    if (y1 > box[3])
        box[3] = y1;
}

gg_status gg_diff_map_render(gg_ctx *ctx, gg_store *store, const gg_plan_diff *d, const char *path, int width_px)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || d == NULL || path == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_diff_map_render: NULL argument");
    const char *dot = strrchr(path, '.');
    int format = dot == NULL ? 0 : strcasecmp(dot, ".png") == 0 ? 1 : strcasecmp(dot, ".svg") == 0 ? 2
                                 : strcasecmp(dot, ".pdf") == 0 ? 3 : 0;
    if (format == 0)
        return gg_error(ctx, GG_ERR_ARG, "%s: the map's name must end in .png, .svg or .pdf", path);
    GEOSContextHandle_t h = ctx->geos;
    gg_plan_grid *ga = NULL, *gb = NULL;
    size_t na = 0, nb = 0;
    gg_status st = gg_store_plan_grids(store, d->a, 1, &ga, &na);
    if (st == GG_OK)
        st = gg_store_plan_grids(store, d->b, 1, &gb, &nb);
    double box[4] = {0, 0, 0, 0};
    int any = 0;
    for (size_t i = 0; st == GG_OK && i < nb; i++) {
        const gg_grid_change *c = change_of(d, gb[i].code);
        if (c != NULL && c->kind != GG_GRID_UNCHANGED)
            grow_box(h, gb[i].geom, box, &any);
    }
    for (size_t i = 0; st == GG_OK && i < na; i++) {
        const gg_grid_change *c = change_of(d, ga[i].code);
        if (c != NULL && c->kind != GG_GRID_UNCHANGED)
            grow_box(h, ga[i].geom, box, &any);
    }
    if (st == GG_OK && !any)
        for (size_t i = 0; i < nb; i++)
            grow_box(h, gb[i].geom, box, &any);
    if (st == GG_OK && !any)
        st = gg_error(ctx, GG_ERR_NOT_FOUND, "plans %lld and %lld have no grids to draw", (long long)d->a,
                      (long long)d->b);
    if (st == GG_OK) {
        /* Some of the unchanged neighbours around the changes. */
        double dx = (box[2] - box[0]) * 0.15 + 1e-4, dy = (box[3] - box[1]) * 0.15 + 1e-4;
        box[0] -= dx, box[2] += dx, box[1] -= dy, box[3] += dy;
    }
    gg_page page;
    memset(&page, 0, sizeof page);
    if (st == GG_OK)
        st = gg_page_begin(ctx, path, format, box, width_px, &page);
    if (st != GG_OK) {
        gg_plan_grids_free(ctx, ga, na);
        gg_plan_grids_free(ctx, gb, nb);
        return st;
    }
    cairo_t *cr = page.cr;
    gg_view v = page.view;
    double unit = page.unit, margin = page.margin;
    cairo_save(cr);
    cairo_rectangle(cr, v.x0, v.y0, page.width - 2 * margin, v.height);
    cairo_clip(cr);
    cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD);
    /* Plan B filled by change, outlined. */
    for (size_t i = 0; i < nb; i++) {
        if (gb[i].geom == NULL)
            continue;
        const gg_grid_change *c = change_of(d, gb[i].code);
        int k = c ? (int)c->kind : 0;
        cairo_new_path(cr);
        gg_path_geom(cr, h, &v, gb[i].geom);
        cairo_set_source_rgb(cr, kinds[k].rgb[0], kinds[k].rgb[1], kinds[k].rgb[2]);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_set_line_width(cr, 1.0 * unit);
        cairo_stroke(cr);
    }
    /* Plan A's changed grids: their old boundaries dashed; the retired
     * ones' in red. */
    double dash[2] = {6 * unit, 4 * unit};
    cairo_set_dash(cr, dash, 2, 0);
    for (size_t i = 0; i < na; i++) {
        const gg_grid_change *c = change_of(d, ga[i].code);
        if (ga[i].geom == NULL || c == NULL || c->kind == GG_GRID_UNCHANGED)
            continue;
        cairo_new_path(cr);
        gg_path_geom(cr, h, &v, ga[i].geom);
        if (c->kind == GG_GRID_RETIRED)
            cairo_set_source_rgb(cr, 0.80, 0.10, 0.10);
        else
            cairo_set_source_rgb(cr, 0.10, 0.10, 0.10);
        cairo_set_line_width(cr, 1.8 * unit);
        cairo_stroke(cr);
    }
    cairo_set_dash(cr, NULL, 0, 0);
    /* Labels: the changed grids of B by the last digits of their codes. */
    for (size_t i = 0; i < nb; i++) {
        const gg_grid_change *c = change_of(d, gb[i].code);
        if (gb[i].geom == NULL || c == NULL || c->kind == GG_GRID_UNCHANGED)
            continue;
        GEOSGeometry *p = GEOSPointOnSurface_r(h, gb[i].geom);
        double lon, lat, x, y;
        if (p != NULL && GEOSGeomGetX_r(h, p, &lon) == 1 && GEOSGeomGetY_r(h, p, &lat) == 1) {
            size_t len = strlen(gb[i].code);
            gg_to_page(&v, lon, lat, &x, &y);
            gg_text(cr, len >= 4 ? gb[i].code + len - 4 : gb[i].code, x, y, 11 * unit, 1, 1, 0.1, 0.1, 0.1);
        }
        if (p)
            GEOSGeom_destroy_r(h, p);
    }
    cairo_restore(cr);
    char title[160];
    snprintf(title, sizeof title, "网格方案变更 plan %lld → plan %lld", (long long)d->a, (long long)d->b);
    gg_text(cr, title, margin, margin * 0.5, 22 * unit, 1, 0, 0.1, 0.1, 0.1);
    char counts[200];
    snprintf(counts, sizeof counts, "%lld unchanged · %lld reshaped · %lld added · %lld retired · %lld households moved",
             (long long)d->unchanged, (long long)d->reshaped, (long long)d->added, (long long)d->retired,
             (long long)d->households_moved);
    gg_text(cr, counts, margin, margin * 0.5 + 28 * unit, 12 * unit, 0, 0, 0.2, 0.2, 0.2);
    double lx = page.width - margin - 230 * unit, ly = margin + page.title_h + 10 * unit;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        double y = ly + (double)k * 22 * unit;
        cairo_rectangle(cr, lx, y, 18 * unit, 14 * unit);
        cairo_set_source_rgb(cr, kinds[k].rgb[0], kinds[k].rgb[1], kinds[k].rgb[2]);
        cairo_fill_preserve(cr);
        cairo_set_source_rgb(cr, 0.35, 0.35, 0.35);
        cairo_set_line_width(cr, 1.0 * unit);
        cairo_stroke(cr);
        gg_text(cr, kinds[k].label, lx + 26 * unit, y + 1 * unit, 12 * unit, 0, 0, 0.1, 0.1, 0.1);
    }
    gg_scale_bar(cr, lx, ly + 4 * 22 * unit + 10 * unit, unit, page.metres_per_px);
    gg_plan_grids_free(ctx, ga, na);
    gg_plan_grids_free(ctx, gb, nb);
    return gg_page_end(ctx, &page, path, format, st);
}
