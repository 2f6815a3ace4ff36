/* The quality of a plan: households per grid against the window,
 * compactness (Polsby-Popper), the road length a worker patrols in each
 * grid, and the share of the boundary between grids that runs on roads and
 * waterways. Lengths and areas are measured in each community's local
 * metric CRS. */
#include "partition/partition.h"
#include "geo/crs.h"
#include "store/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/geo.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* A grid boundary within this distance of a road or waterway line is "on"
 * it: centre lines and digitised boundaries rarely coincide exactly. */
#define ON_LINE_M 5.0

static int to_metric_cb(double *x, double *y, void *userdata)
{
    return gg_transform_points(userdata, x, y, 1) == GG_OK;
}

static GEOSGeometry *metric(gg_ctx *ctx, gg_transform *t, const GEOSGeometry *g)
{
    return GEOSGeom_transformXY_r(ctx->geos, g, to_metric_cb, t);
}

static double length_of(gg_ctx *ctx, const GEOSGeometry *g)
{
    double len = 0;
    if (g != NULL)
        GEOSLength_r(ctx->geos, g, &len);
    return len;
}

/* The roads and waterway lines near a box, in metres, as one geometry. */
static GEOSGeometry *lines_near(gg_ctx *ctx, gg_store *store, gg_transform *t, const double box[4])
{
    GEOSContextHandle_t h = ctx->geos;
    static const char *const sql[2] = {
        "SELECT AsBinary(geom) FROM road WHERE fid IN (SELECT pkid FROM idx_road_geom WHERE"
        " xmax >= ?1 AND xmin <= ?2 AND ymax >= ?3 AND ymin <= ?4)",
        "SELECT AsBinary(CASE WHEN GeometryType(geom) LIKE '%POLYGON%' THEN ST_Boundary(geom) ELSE geom END)"
        " FROM waterway WHERE fid IN (SELECT pkid FROM idx_waterway_geom WHERE"
        " xmax >= ?1 AND xmin <= ?2 AND ymax >= ?3 AND ymin <= ?4)"};
    GEOSGeometry **parts = NULL;
    size_t n = 0, cap = 0;
    for (int q = 0; q < 2; q++) {
        sqlite3_stmt *stmt = NULL;
        if (gg_store_prepare(store, sql[q], &stmt) != GG_OK)
            break;
        for (int i = 0; i < 4; i++)
            sqlite3_bind_double(stmt, i + 1, box[i]);
        while (sqlite3_step(stmt) == SQLITE_ROW) {
            GEOSGeometry *g = gg_store_column_geom(ctx, stmt, 0);
            GEOSGeometry *m = g ? metric(ctx, t, g) : NULL;
            if (g)
                GEOSGeom_destroy_r(h, g);
            if (m == NULL)
                continue;
            if (gg_grow(ctx, (void **)&parts, &cap, n + 1, sizeof *parts) != GG_OK) {
                GEOSGeom_destroy_r(h, m);
                break;
            }
            parts[n++] = m;
        }
        sqlite3_finalize(stmt);
    }
    GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    gg_free(ctx, parts);
    gg_ctx_clear_error(ctx);
    return all;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return 0;
    size_t i = (size_t)llround(q * (double)(n - 1));
    return sorted[i];
}

/* One community: its grids measured, its internal boundary compared with
 * the linework. */
static gg_status measure_community(gg_ctx *ctx, gg_store *store, int64_t plan, const gg_plan_windows *win,
                                   gg_metric_cache *cache, gg_community_quality *cq, gg_plan_report *r,
                                   size_t *cap_grids)
{
    GEOSContextHandle_t h = ctx->geos;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT AsBinary(geom), coalesce(urban_rural, '') FROM division WHERE code = ?1",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, cq->code, -1, SQLITE_STATIC);
    GEOSGeometry *community = NULL;
    char cls[4] = "";
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        community = gg_store_column_geom(ctx, stmt, 0);
        snprintf(cls, sizeof cls, "%s", (const char *)sqlite3_column_text(stmt, 1));
    }
    sqlite3_finalize(stmt);
    cq->rural = gg_plan_windows_rural(win, cls);
    cq->min = cq->rural ? win->rural_min : win->urban_min;
    cq->max = cq->rural ? win->rural_max : win->urban_max;

    /* The local metric CRS of the community (or of its first grid). */
    double box[4] = {0, 0, 0, 0};
    st = gg_store_prepare(store,
                          "SELECT min(MbrMinX(geom)), max(MbrMaxX(geom)), min(MbrMinY(geom)), max(MbrMaxY(geom))"
                          " FROM grid WHERE plan = ?1 AND community = ?2",
                          &stmt);
    if (st != GG_OK) {
        if (community)
            GEOSGeom_destroy_r(h, community);
        return st;
    }
    sqlite3_bind_int64(stmt, 1, plan);
    sqlite3_bind_text(stmt, 2, cq->code, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW)
        for (int i = 0; i < 4; i++)
            box[i] = sqlite3_column_double(stmt, i);
    sqlite3_finalize(stmt);
    gg_transform *t = NULL;
    st = gg_metric_cache_get(ctx, cache, gg_local_metric_epsg((box[0] + box[1]) / 2, (box[2] + box[3]) / 2), &t);
    if (st != GG_OK) {
        if (community)
            GEOSGeom_destroy_r(h, community);
        return st;
    }
    GEOSGeometry *lines = lines_near(ctx, store, t, box);
    GEOSGeometry *near_lines = lines ? GEOSBuffer_r(h, lines, ON_LINE_M, 4) : NULL;

    st = gg_store_prepare(store,
                          "SELECT code, type, households, coalesce(flags, ''), AsBinary(geom) FROM grid"
                          " WHERE plan = ?1 AND community = ?2 ORDER BY code",
                          &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, plan);
        sqlite3_bind_text(stmt, 2, cq->code, -1, SQLITE_STATIC);
    }
    GEOSGeometry **boundaries = NULL;
    size_t nb = 0, capb = 0;
    while (st == GG_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)&r->grid_list, cap_grids, r->n_grids + 1, sizeof *r->grid_list);
        if (st != GG_OK)
            break;
        gg_grid_quality *g = &r->grid_list[r->n_grids++];
        memset(g, 0, sizeof *g);
        snprintf(g->code, sizeof g->code, "%s", (const char *)sqlite3_column_text(stmt, 0));
        snprintf(g->community, sizeof g->community, "%s", cq->code);
        g->type = sqlite3_column_int(stmt, 1);
        g->counted = sqlite3_column_type(stmt, 2) != SQLITE_NULL;
        g->households = sqlite3_column_int64(stmt, 2);
        snprintf(g->flags, sizeof g->flags, "%s", (const char *)sqlite3_column_text(stmt, 3));
        GEOSGeometry *geo = gg_store_column_geom(ctx, stmt, 4);
        GEOSGeometry *m = geo ? metric(ctx, t, geo) : NULL;
        if (geo)
            GEOSGeom_destroy_r(h, geo);
        if (m != NULL) {
            double area = 0, perimeter = 0;
            GEOSArea_r(h, m, &area);
            GEOSGeometry *b = GEOSBoundary_r(h, m);
            perimeter = length_of(ctx, b);
            g->area_m2 = area;
            g->polsby_popper = perimeter > 0 ? 4 * M_PI * area / (perimeter * perimeter) : 0;
            if (lines != NULL) {
                GEOSGeometry *inside = GEOSIntersection_r(h, lines, m);
                g->road_m = length_of(ctx, inside);
                if (inside)
                    GEOSGeom_destroy_r(h, inside);
            }
            if (b != NULL && gg_grow(ctx, (void **)&boundaries, &capb, nb + 1, sizeof *boundaries) == GG_OK)
                boundaries[nb++] = b;
            else if (b)
                GEOSGeom_destroy_r(h, b);
            GEOSGeom_destroy_r(h, m);
        }
        cq->grids++;
        cq->households += g->households;
        cq->uncounted += !g->counted;
        if (g->type != 1) {
            cq->dedicated++;
        } else if (!g->counted) {
            /* neither in nor out of the window */
        } else if (strstr(g->flags, "small_community") == NULL) {
            g->in_window = g->households >= cq->min && g->households <= cq->max;
            if (g->in_window)
                cq->in_window++;
            else
                cq->out_of_window++;
            if (strstr(g->flags, "unreachable") != NULL)
                cq->unreachable = 1;
        }
    }
    sqlite3_finalize(stmt);
    /* The boundary between grids: all grid boundaries, less the community's
     * own edge; each internal edge is shared by two grids, hence the half. */
    if (st == GG_OK && nb > 0) {
        GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, boundaries, (unsigned)nb);
        nb = 0;
        GEOSGeometry *merged = all ? GEOSUnaryUnion_r(h, all) : NULL;
        GEOSGeometry *edge = NULL;
        if (community != NULL) {
            GEOSGeometry *mc = metric(ctx, t, community);
            GEOSGeometry *cb = mc ? GEOSBoundary_r(h, mc) : NULL;
            edge = cb ? GEOSBuffer_r(h, cb, 0.01, 2) : NULL;
            if (mc)
                GEOSGeom_destroy_r(h, mc);
            if (cb)
                GEOSGeom_destroy_r(h, cb);
        }
        GEOSGeometry *internal = merged && edge ? GEOSDifference_r(h, merged, edge) : NULL;
        cq->internal_m = length_of(ctx, internal);
        if (internal != NULL && near_lines != NULL) {
            GEOSGeometry *on = GEOSIntersection_r(h, internal, near_lines);
            cq->internal_on_lines_m = length_of(ctx, on);
            if (on)
                GEOSGeom_destroy_r(h, on);
        }
        if (all)
            GEOSGeom_destroy_r(h, all);
        if (merged)
            GEOSGeom_destroy_r(h, merged);
        if (edge)
            GEOSGeom_destroy_r(h, edge);
        if (internal)
            GEOSGeom_destroy_r(h, internal);
    }
    for (size_t i = 0; i < nb; i++)
        GEOSGeom_destroy_r(h, boundaries[i]);
    gg_free(ctx, boundaries);
    if (near_lines)
        GEOSGeom_destroy_r(h, near_lines);
    if (lines)
        GEOSGeom_destroy_r(h, lines);
    if (community)
        GEOSGeom_destroy_r(h, community);
    gg_ctx_clear_error(ctx);
    return st;
}

gg_status gg_plan_report_get(gg_ctx *ctx, gg_store *store, int64_t plan, gg_plan_report **out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_plan_report_get: NULL argument");
    *out = NULL;
    int64_t found = 0;
    gg_status st = gg_store_resolve_plan(store, plan, &found);
    if (st != GG_OK)
        return st;
    sqlite3_stmt *stmt = NULL;
    gg_plan_report *r = gg_calloc(ctx, 1, sizeof *r);
    if (r == NULL)
        return gg_error_nomem(ctx);
    r->plan = found;
    gg_plan_windows win;
    st = gg_store_plan_windows(store, found, &win);
    if (st != GG_OK) {
        gg_free(ctx, r);
        return st;
    }
    st = gg_store_prepare(store, "SELECT DISTINCT community FROM grid WHERE plan = ?1 AND community IS NOT NULL"
                                 " ORDER BY community", &stmt);
    size_t cap = 0, cap_grids = 0;
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, found);
        while (st == GG_OK && sqlite3_step(stmt) == SQLITE_ROW) {
            st = gg_grow(ctx, (void **)&r->communities, &cap, r->n_communities + 1, sizeof *r->communities);
            if (st == GG_OK) {
                gg_community_quality *cq = &r->communities[r->n_communities++];
                memset(cq, 0, sizeof *cq);
                snprintf(cq->code, sizeof cq->code, "%s", (const char *)sqlite3_column_text(stmt, 0));
            }
        }
        sqlite3_finalize(stmt);
    }
    gg_metric_cache cache = {.n = 0};
    for (size_t i = 0; st == GG_OK && i < r->n_communities; i++) {
        st = measure_community(ctx, store, found, &win, &cache, &r->communities[i], r, &cap_grids);
        if (st == GG_OK)
            st = gg_progress(ctx, "report", i + 1, r->n_communities);
    }
    gg_metric_cache_clear(&cache);
    if (st == GG_OK)
        st = gg_store_plan_imported(store, found, &r->imported);
    double *hh = NULL, *pp = NULL, *road = NULL;
    size_t n = 0;
    if (st == GG_OK) {
        hh = gg_malloc(ctx, (r->n_grids + 1) * sizeof *hh);
        pp = gg_malloc(ctx, (r->n_grids + 1) * sizeof *pp);
        road = gg_malloc(ctx, (r->n_grids + 1) * sizeof *road);
        if (hh == NULL || pp == NULL || road == NULL)
            st = gg_error_nomem(ctx);
    }
    if (st == GG_OK) {
        size_t ci = 0;
        for (size_t i = 0; i < r->n_grids; i++) {
            const gg_grid_quality *g = &r->grid_list[i];
            /* communities are in code order, and so are the grids */
            while (ci < r->n_communities && strcmp(r->communities[ci].code, g->community) < 0)
                ci++;
            const gg_community_quality *cq =
                ci < r->n_communities && !strcmp(r->communities[ci].code, g->community) ? &r->communities[ci] : NULL;
            r->grids++;
            pp[i] = g->polsby_popper;
            road[i] = g->road_m;
            if (g->type != 1) {
                r->dedicated++;
                continue;
            }
            r->comprehensive++;
            if (!g->counted) {
                r->uncounted++;
                continue;
            }
            /* a community with grids of no count has no known total: not
             * recognised as below the minimum */
            if (strstr(g->flags, "small_community") ||
                (r->imported && cq && cq->uncounted == 0 && cq->households < cq->min)) {
                r->small_community++;
                continue;
            }
            hh[n++] = (double)g->households;
            if (g->in_window)
                r->in_window++;
            else
                r->out_of_window++;
            int indivisible = strstr(g->flags, "indivisible") != NULL;
            int island = strstr(g->flags, "island") != NULL;
            if (!g->in_window && r->imported) {
                if (cq && g->households > cq->max)
                    r->out_drawn_over++;
                else
                    r->out_drawn_under++;
            } else if (!g->in_window) {
                if (indivisible)
                    r->out_indivisible++;
                else if (island)
                    r->out_island++;
                else if (strstr(g->flags, "unreachable"))
                    r->out_unreachable++;
                else
                    r->out_infeasible++;
            }
            int unreachable = cq && cq->unreachable;
            if (unreachable || indivisible || island)
                continue;
            if (g->in_window)
                r->attainable_in_window++;
            else
                r->attainable_out_of_window++;
        }
        qsort(hh, n, sizeof *hh, compare_double);
        qsort(pp, r->n_grids, sizeof *pp, compare_double);
        qsort(road, r->n_grids, sizeof *road, compare_double);
        r->households_min = n ? hh[0] : 0;
        r->households_p5 = quantile(hh, n, 0.05);
        r->households_median = quantile(hh, n, 0.5);
        r->households_p95 = quantile(hh, n, 0.95);
        r->households_max = n ? hh[n - 1] : 0;
        r->polsby_popper_min = r->n_grids ? pp[0] : 0;
        r->polsby_popper_median = quantile(pp, r->n_grids, 0.5);
        r->road_m_median = quantile(road, r->n_grids, 0.5);
        r->road_m_max = r->n_grids ? road[r->n_grids - 1] : 0;
        for (size_t i = 0; i < r->n_communities; i++) {
            r->internal_m += r->communities[i].internal_m;
            r->internal_on_lines_m += r->communities[i].internal_on_lines_m;
        }
    }
    gg_free(ctx, hh);
    gg_free(ctx, pp);
    gg_free(ctx, road);
    if (st != GG_OK) {
        gg_plan_report_free(ctx, r);
        return st;
    }
    *out = r;
    return GG_OK;
}

void gg_plan_report_free(gg_ctx *ctx, gg_plan_report *report)
{
    if (report == NULL)
        return;
    gg_free(ctx, report->communities);
    gg_free(ctx, report->grid_list);
    gg_free(ctx, report);
}
