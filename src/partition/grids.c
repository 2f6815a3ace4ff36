/* Grids from regions of units: geometry, households, flags, area, codes
 * and names. */
#include "partition/partition.h"
#include "geo/coverage.h"
#include "geo/shapes.h"

#include <math.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/code.h"
#include "govgrid/geo.h"

static int to_metric_cb(double *x, double *y, void *userdata)
{
    return gg_transform_points(userdata, x, y, 1) == GG_OK;
}

/* Area in square metres in the local metric CRS (the degree-based estimate
 * where no transformation is available). */
static double metric_area(pt_community *c, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = c->ctx->geos;
    if (c->to_metric == NULL)
        return pt_area_m2(c, g);
    GEOSGeometry *m = GEOSGeom_transformXY_r(h, g, to_metric_cb, c->to_metric);
    double a = 0;
    if (m == NULL || GEOSArea_r(h, m, &a) != 1)
        a = pt_area_m2(c, g);
    if (m)
        GEOSGeom_destroy_r(h, m);
    gg_ctx_clear_error(c->ctx);
    return a;
}

/* Sequence order: west to east by the representative point, then north to
 * south; grids are numbered within community and type. */
static int compare_grids(const void *a, const void *b)
{
    const pt_grid *p = a, *q = b;
    if (p->type != q->type)
        return p->type - q->type;
    if (p->rx != q->rx)
        return p->rx < q->rx ? -1 : 1;
    if (p->ry != q->ry)
        return p->ry > q->ry ? -1 : 1;
    return 0;
}

/* The grids' polygons as a clean coverage of the community: snap-rounded
 * on a grid of GG_GRID_DEG degrees, the household points on the
 * community's edge kept on it, neighbours sharing their
 * boundary vertex for vertex, no spikes, no part below
 * GG_PLAN_PART_MIN_M2, and each grid in one piece: a part detached from a
 * grid's largest (a strip of river or park that touched it only at a
 * point, a sliver of a parcel across the community's edge) goes to the
 * neighbour it shares most boundary with; only an island of the community
 * stays apart (see geo/coverage.c and docs/architecture.md). A grid left
 * with no area is dropped; its households are counted wherever its points
 * now lie. */
static gg_status clean_coverage(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    size_t n = c->n_grids;
    GEOSGeometry **polys = gg_calloc(c->ctx, n ? n : 1, sizeof *polys);
    if (polys == NULL)
        return gg_error_nomem(c->ctx);
    /* Snap-rounding alone; where that leaves a sliver narrower than the
     * spike tolerance between nearly coincident lines (a road running into
     * the community's edge at under a degree), again from the same grids
     * with the linework first snapped together within a growing distance. */
    static const double snaps[] = {0, 2 * GG_GRID_DEG, 4 * GG_GRID_DEG, 8 * GG_GRID_DEG};
    gg_coverage_stats stats;
    gg_status st = GG_OK;
    int spikes = 0;
    double snap = 0;
    for (size_t attempt = 0; attempt < sizeof snaps / sizeof snaps[0] && st == GG_OK; attempt++) {
        for (size_t i = 0; i < n; i++) {
            if (polys[i])
                GEOSGeom_destroy_r(h, polys[i]);
            polys[i] = GEOSGeom_clone_r(h, c->grids[i].geom);
        }
        snap = snaps[attempt];
        gg_coverage_options o = {GG_GRID_DEG, snap, c->mx, c->my, GG_PLAN_PART_MIN_M2, 1, c->px, c->py, c->n_points};
        st = gg_coverage_clean(c->ctx, c->geom, polys, n, &o, &stats);
        spikes = 0;
        for (size_t i = 0; i < n && st == GG_OK; i++)
            if (polys[i])
                spikes += gg_geom_spikes(h, polys[i], c->mx, c->my, GG_PLAN_SPIKE_M, NULL, NULL);
        if (spikes == 0)
            break;
    }
    if (st != GG_OK) {
        for (size_t i = 0; i < n; i++)
            if (polys[i])
                GEOSGeom_destroy_r(h, polys[i]);
        gg_free(c->ctx, polys);
        return gg_error(c->ctx, st, "community %s: %s", c->code, gg_ctx_errmsg(c->ctx));
    }
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        GEOSGeom_destroy_r(h, c->grids[i].geom);
        c->grids[i].geom = polys[i];
        if (polys[i] == NULL) {
            gg_free(c->ctx, c->grids[i].name);
            continue;
        }
        c->grids[kept++] = c->grids[i];
    }
    c->n_grids = kept;
    gg_free(c->ctx, polys);
    if (stats.gap_faces || stats.parts_moved || stats.emptied || snap > 0)
        gg_log(c->ctx, GG_LOG_DEBUG,
               "community %s: coverage: %zu faces, %zu gap(s) filled, %zu part(s) moved, %zu grid(s) emptied, snap"
               " %g degrees, %d spike(s) left",
               c->code, stats.faces, stats.gap_faces, stats.parts_moved, stats.emptied, snap, spikes);
    return GG_OK;
}

/* Each household point counted in the grid whose polygon holds it, by the
 * rule `govgrid locate` follows: of the grids that cover the point (inside
 * or on the boundary), a dedicated grid before a comprehensive one, then
 * the lowest code; c->grids is in code order here. A point that no grid
 * covers (it lay on the community's boundary, which the snap-rounding
 * moved by up to half a grid step) goes to the nearest grid. */
static gg_status count_households(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    size_t n = c->n_grids;
    const GEOSPreparedGeometry **prep = gg_calloc(c->ctx, n ? n : 1, sizeof *prep);
    double(*box)[4] = gg_malloc(c->ctx, (n ? n : 1) * sizeof *box);
    if (prep == NULL || box == NULL) {
        gg_free(c->ctx, prep);
        gg_free(c->ctx, box);
        return gg_error_nomem(c->ctx);
    }
    gg_status st = GG_OK;
    for (size_t i = 0; i < n; i++) {
        pt_grid *g = &c->grids[i];
        g->households = g->persons = 0;
        GEOSGeom_getXMin_r(h, g->geom, &box[i][0]);
        GEOSGeom_getYMin_r(h, g->geom, &box[i][1]);
        GEOSGeom_getXMax_r(h, g->geom, &box[i][2]);
        GEOSGeom_getYMax_r(h, g->geom, &box[i][3]);
        prep[i] = GEOSPrepare_r(h, g->geom);
        if (prep[i] == NULL)
            st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: preparing a grid: %s", c->code, c->ctx->geos_msg);
    }
    for (size_t k = 0; k < c->n_points && st == GG_OK; k++) {
        double x = c->px[k], y = c->py[k];
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
        if (pt == NULL) {
            st = gg_error(c->ctx, GG_ERR_GEOMETRY, "community %s: a point: %s", c->code, c->ctx->geos_msg);
            break;
        }
        int comprehensive = -1, dedicated = -1;
        for (size_t i = 0; i < n && dedicated < 0; i++) {
            if (x < box[i][0] || x > box[i][2] || y < box[i][1] || y > box[i][3])
                continue;
            if (c->grids[i].type == 1 && comprehensive >= 0)
                continue;
            if (GEOSPreparedCovers_r(h, prep[i], pt) != 1)
                continue;
            if (c->grids[i].type == 1)
                comprehensive = (int)i;
            else
                dedicated = (int)i;
        }
        int to = dedicated >= 0 ? dedicated : comprehensive;
        if (to < 0) {
            double dmin = INFINITY;
            for (size_t i = 0; i < n; i++) {
                double d;
                if (GEOSDistance_r(h, c->grids[i].geom, pt, &d) == 1 && d < dmin) {
                    dmin = d;
                    to = (int)i;
                }
            }
        }
        GEOSGeom_destroy_r(h, pt);
        if (to >= 0) {
            c->grids[to].households += c->ph[k];
            c->grids[to].persons += c->pp[k];
        }
    }
    for (size_t i = 0; i < n; i++)
        if (prep[i])
            GEOSPreparedGeom_destroy_r(h, prep[i]);
    gg_free(c->ctx, prep);
    gg_free(c->ctx, box);
    return st;
}

/* Why each grid is as it is, from its households: out of the window, and
 * why (see govgrid/partition.h). */
static void set_flags(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    const pt_window *w = &c->window;
    int reachable = c->reachable;
    for (size_t i = 0; i < c->n_grids; i++) {
        pt_grid *g = &c->grids[i];
        g->flags = 0;
        if (g->type == 1) {
            if (c->total_households < w->min)
                g->flags |= GG_GRID_SMALL_COMMUNITY;
            else if (g->households < w->min)
                g->flags |= GG_GRID_UNDER_MIN;
            if (g->households > w->max)
                g->flags |= GG_GRID_OVER_MAX | (g->indivisible ? GG_GRID_INDIVISIBLE : 0);
            if ((g->flags & (GG_GRID_OVER_MAX | GG_GRID_UNDER_MIN)) && !g->indivisible && !g->island)
                g->flags |= reachable ? GG_GRID_INFEASIBLE : GG_GRID_UNREACHABLE;
        }
        if (g->island)
            g->flags |= GG_GRID_ISLAND;
        if (g->households == 0)
            g->flags |= GG_GRID_NO_HOUSEHOLDS;
        if (GEOSGetNumGeometries_r(h, g->geom) > 1)
            g->flags |= GG_GRID_MULTIPART;
    }
}

gg_status pt_make_grids(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    gg_ctx *ctx = c->ctx;
    int nreg = 0;
    for (size_t i = 0; i < c->n_units; i++)
        if (c->units[i].region + 1 > nreg)
            nreg = c->units[i].region + 1;
    GEOSGeometry **parts = gg_malloc(ctx, (c->n_units ? c->n_units : 1) * sizeof *parts);
    if (parts == NULL)
        return gg_error_nomem(ctx);
    gg_status st = GG_OK;
    const pt_window *w = &c->window;
    /* Can any number of grids hold the community's comprehensive households
     * (islands apart) inside the window? The fewest grids that respect the
     * maximum must still each reach the minimum; and a community whose
     * dedicated grids leave fewer households than the minimum cannot. */
    int64_t comprehensive = 0;
    for (size_t i = 0; i < c->n_units; i++)
        if (c->units[i].dedicated_type == 0 && !c->units[i].island)
            comprehensive += c->units[i].households;
    int64_t fewest = (comprehensive + w->max - 1) / w->max;
    c->reachable = comprehensive >= w->min ? fewest * w->min <= comprehensive : c->total_households < w->min;
    for (int r = 0; r < nreg && st == GG_OK; r++) {
        pt_grid g;
        memset(&g, 0, sizeof g);
        g.type = 1;
        unsigned n = 0;
        const char *parcel_name = NULL;
        for (size_t i = 0; i < c->n_units; i++) {
            const pt_unit *u = &c->units[i];
            if (u->region != r)
                continue;
            parts[n++] = GEOSGeom_clone_r(h, u->geom);
            g.households += u->households;
            g.persons += u->persons;
            if (u->dedicated_type) {
                g.type = u->dedicated_type;
                parcel_name = u->name;
            }
            g.indivisible |= u->indivisible;
            g.island |= u->island;
        }
        if (n == 0)
            continue;
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, n);
        GEOSGeometry *merged = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        g.geom = merged ? gg_geom_polygons(h, merged) : NULL;
        if (g.geom == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "community %s: merging a grid: %s", c->code, ctx->geos_msg);
            break;
        }
        if (parcel_name != NULL && (g.name = gg_strdup(ctx, parcel_name)) == NULL)
            st = gg_error_nomem(ctx);
        if (st == GG_OK)
            st = gg_grow(ctx, (void **)&c->grids, &c->cap_grids, c->n_grids + 1, sizeof *c->grids);
        if (st != GG_OK) {
            GEOSGeom_destroy_r(h, g.geom);
            gg_free(ctx, g.name);
            break;
        }
        c->grids[c->n_grids++] = g;
    }
    gg_free(ctx, parts);
    if (st != GG_OK)
        return st;
    set_flags(c);
    return GG_OK;
}

gg_status pt_finish_grids(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    gg_ctx *ctx = c->ctx;
    gg_status st = clean_coverage(c);
    for (size_t i = 0; i < c->n_grids && st == GG_OK; i++) {
        pt_grid *g = &c->grids[i];
        GEOSGeometry *rep = GEOSPointOnSurface_r(h, g->geom);
        if (rep != NULL) {
            GEOSGeomGetX_r(h, rep, &g->rx);
            GEOSGeomGetY_r(h, rep, &g->ry);
            GEOSGeom_destroy_r(h, rep);
        }
        g->area_m2 = metric_area(c, g->geom);
        if (gg_beidou_code(ctx, g->rx, g->ry, 6, g->beidou) != GG_OK)
            gg_ctx_clear_error(ctx); /* outside the hemisphere implemented: no code */
    }
    if (st != GG_OK)
        return st;
    if (c->n_grids > 1)
        qsort(c->grids, c->n_grids, sizeof *c->grids, compare_grids);
    int seq = 0, type = -1;
    for (size_t i = 0; i < c->n_grids; i++) {
        pt_grid *g = &c->grids[i];
        seq = g->type == type ? seq + 1 : c->issued[g->type % 10] + 1;
        type = g->type;
        if (seq > 999)
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "community %s: more than 999 grids of type %d (counting the %d codes the "
                            "register issued before): the 3-digit sequence of the unified code cannot number them",
                            c->code, type, c->issued[type % 10]);
        snprintf(g->code, sizeof g->code, "%.12s%d%03d", c->code, g->type % 10, seq % 1000);
        if (g->name == NULL) {
            char name[256];
            snprintf(name, sizeof name, "%s%s%d", c->name ? c->name : c->code,
                     g->type == 1 ? "第" : "专属网格", seq);
            if (g->type == 1)
                snprintf(name + strlen(name), sizeof name - strlen(name), "网格");
            g->name = gg_strdup(ctx, name);
            if (g->name == NULL)
                return gg_error_nomem(ctx);
        }
    }
    st = count_households(c);
    if (st != GG_OK)
        return st;
    set_flags(c);
    return GG_OK;
}
