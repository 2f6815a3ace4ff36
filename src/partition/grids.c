/* Grids from regions of units: geometry, households, flags, area, codes
 * and names. */
#include "partition/partition.h"
#include "geo/shapes.h"

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
    int reachable = comprehensive >= w->min ? fewest * w->min <= comprehensive : c->total_households < w->min;
    for (int r = 0; r < nreg && st == GG_OK; r++) {
        pt_grid g;
        memset(&g, 0, sizeof g);
        g.type = 1;
        unsigned n = 0;
        int indivisible = 0, island = 0;
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
            indivisible |= u->indivisible;
            island |= u->island;
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
        if (g.type == 1) {
            if (c->total_households < w->min)
                g.flags |= GG_GRID_SMALL_COMMUNITY;
            else if (g.households < w->min)
                g.flags |= GG_GRID_UNDER_MIN;
            if (g.households > w->max)
                g.flags |= GG_GRID_OVER_MAX | (indivisible ? GG_GRID_INDIVISIBLE : 0);
            if ((g.flags & (GG_GRID_OVER_MAX | GG_GRID_UNDER_MIN)) && !indivisible && !island)
                g.flags |= reachable ? GG_GRID_INFEASIBLE : GG_GRID_UNREACHABLE;
        }
        if (island)
            g.flags |= GG_GRID_ISLAND;
        if (g.households == 0)
            g.flags |= GG_GRID_NO_HOUSEHOLDS;
        if (GEOSGetNumGeometries_r(h, g.geom) > 1)
            g.flags |= GG_GRID_MULTIPART;
        GEOSGeometry *rep = GEOSPointOnSurface_r(h, g.geom);
        if (rep != NULL) {
            GEOSGeomGetX_r(h, rep, &g.rx);
            GEOSGeomGetY_r(h, rep, &g.ry);
            GEOSGeom_destroy_r(h, rep);
        }
        g.area_m2 = metric_area(c, g.geom);
        if (gg_beidou_code(ctx, g.rx, g.ry, 6, g.beidou) != GG_OK)
            gg_ctx_clear_error(ctx); /* outside the hemisphere implemented: no code */
        if (parcel_name != NULL)
            g.name = gg_strdup(ctx, parcel_name);
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
    if (c->n_grids > 1)
        qsort(c->grids, c->n_grids, sizeof *c->grids, compare_grids);
    int seq = 0, type = -1;
    for (size_t i = 0; i < c->n_grids; i++) {
        pt_grid *g = &c->grids[i];
        seq = g->type == type ? seq + 1 : 1;
        type = g->type;
        if (seq > 999)
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "community %s: more than 999 grids of type %d: the 3-digit sequence of the "
                            "unified code cannot number them",
                            c->code, type);
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
    return GG_OK;
}
