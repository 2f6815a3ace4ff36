/* Grids from regions of units: geometry, households, flags, area, codes
 * and names. */
#include "partition/partition.h"
#include "geo/coverage.h"
#include "geo/shapes.h"
#include "store/plan.h"

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
        if (c->point_grid != NULL)
            c->point_grid[k] = to;
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

/* The base grid (index into base) that covers point k by locate's rule: a
 * dedicated grid first, else the comprehensive grid of the lowest code
 * (base is by code); -1 for none. */
int pt_base_grid_of(GEOSContextHandle_t h, const gg_community_grid *base, const GEOSPreparedGeometry **prep,
                    const double (*box)[4], size_t nb, double x, double y)
{
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, x, y);
    if (pt == NULL)
        return -1;
    int comprehensive = -1, dedicated = -1;
    for (size_t i = 0; i < nb && dedicated < 0; i++) {
        if (prep[i] == NULL || x < box[i][0] || x > box[i][2] || y < box[i][1] || y > box[i][3])
            continue;
        if (base[i].type == 1 && comprehensive >= 0)
            continue;
        if (GEOSPreparedCovers_r(h, prep[i], pt) != 1)
            continue;
        if (base[i].type == 1)
            comprehensive = (int)i;
        else
            dedicated = (int)i;
    }
    GEOSGeom_destroy_r(h, pt);
    return dedicated >= 0 ? dedicated : comprehensive;
}

/* Codes that stay. A grid of the plan this one is made from (the base)
 * passes its code, and its name, to the new grid of the same type that
 * holds more than half of its households and more than half of its area
 * (more than half of its area alone when it had no households): the grid
 * that kept most of what it was. A new grid that several base grids would
 * pass their codes to (a merge) keeps the code of the one whose households
 * it holds most of (then area, then the lower code); the others' codes are
 * not carried on. Every other new grid is numbered after the highest
 * sequence of its type that the register ever issued in the community or
 * that the base uses. Households are the points each plan's polygons hold
 * by locate's rule. */
static gg_status inherit_codes(pt_community *c, int next[10])
{
    GEOSContextHandle_t h = c->ctx->geos;
    gg_ctx *ctx = c->ctx;
    gg_community_grid *base = NULL;
    size_t nb = 0, ng = c->n_grids;
    gg_status st = gg_store_community_grids(c->store, c->from, c->code, &base, &nb);
    if (st != GG_OK || nb == 0 || ng == 0) {
        gg_community_grids_free(ctx, base, nb);
        return st;
    }
    for (size_t b = 0; b < nb; b++) {
        char community[13];
        if (gg_grid_code_layout(base[b].code, community) == GG_CODE_LAYOUT_UNIFIED16) {
            int t = base[b].code[12] - '0';
            int seq = atoi(base[b].code + 13);
            if (seq > next[t])
                next[t] = seq;
        }
    }
    const GEOSPreparedGeometry **prep = gg_calloc(ctx, nb, sizeof *prep);
    double(*box)[4] = gg_calloc(ctx, nb, sizeof *box);
    int64_t *hh = gg_calloc(ctx, nb * ng, sizeof *hh), *hb = gg_calloc(ctx, nb, sizeof *hb);
    double *area = gg_calloc(ctx, nb * ng, sizeof *area), *ab = gg_calloc(ctx, nb, sizeof *ab);
    int *heir = gg_calloc(ctx, nb, sizeof *heir), *chosen = gg_calloc(ctx, ng, sizeof *chosen);
    if (prep == NULL || box == NULL || hh == NULL || hb == NULL || area == NULL || ab == NULL || heir == NULL ||
        chosen == NULL)
        st = gg_error_nomem(ctx);
    for (size_t b = 0; b < nb && st == GG_OK; b++) {
        if (base[b].geom == NULL)
            continue;
        GEOSGeom_getXMin_r(h, base[b].geom, &box[b][0]);
        GEOSGeom_getYMin_r(h, base[b].geom, &box[b][1]);
        GEOSGeom_getXMax_r(h, base[b].geom, &box[b][2]);
        GEOSGeom_getYMax_r(h, base[b].geom, &box[b][3]);
        prep[b] = GEOSPrepare_r(h, base[b].geom);
        ab[b] = pt_area_m2(c, base[b].geom);
    }
    for (size_t k = 0; k < c->n_points && st == GG_OK; k++) {
        int b = pt_base_grid_of(h, base, prep, (const double(*)[4])box, nb, c->px[k], c->py[k]);
        int d = c->point_grid[k];
        if (b < 0)
            continue;
        hb[b] += c->ph[k];
        if (d >= 0)
            hh[(size_t)b * ng + (size_t)d] += c->ph[k];
    }
    /* Shared areas, for the pairs of one type whose boxes meet. */
    for (size_t d = 0; d < ng && st == GG_OK; d++) {
        const pt_grid *g = &c->grids[d];
        double gx0, gy0, gx1, gy1;
        GEOSGeom_getXMin_r(h, g->geom, &gx0);
        GEOSGeom_getYMin_r(h, g->geom, &gy0);
        GEOSGeom_getXMax_r(h, g->geom, &gx1);
        GEOSGeom_getYMax_r(h, g->geom, &gy1);
        for (size_t b = 0; b < nb; b++) {
            if (prep[b] == NULL || base[b].type % 10 != g->type % 10 || box[b][0] > gx1 || box[b][2] < gx0 ||
                box[b][1] > gy1 || box[b][3] < gy0)
                continue;
            if (GEOSPreparedIntersects_r(h, prep[b], g->geom) != 1)
                continue;
            GEOSGeometry *common = GEOSIntersection_r(h, base[b].geom, g->geom);
            if (common == NULL) {
                st = gg_error(ctx, GG_ERR_GEOMETRY, "community %s: grid %s of plan %lld against a new grid: %s",
                              c->code, base[b].code, (long long)c->from, ctx->geos_msg);
                break;
            }
            area[b * ng + d] = pt_area_m2(c, common);
            GEOSGeom_destroy_r(h, common);
        }
    }
    /* Each base grid's heir, if any (index + 1). */
    for (size_t b = 0; b < nb && st == GG_OK; b++) {
        size_t best = ng;
        for (size_t d = 0; d < ng; d++) {
            if (c->grids[d].type % 10 != base[b].type % 10)
                continue;
            if (best == ng || hh[b * ng + d] > hh[b * ng + best] ||
                (hh[b * ng + d] == hh[b * ng + best] && area[b * ng + d] > area[b * ng + best]))
                best = d;
        }
        if (best == ng)
            continue;
        int households_kept = hb[b] == 0 || 2 * hh[b * ng + best] > hb[b];
        int area_kept = 2 * area[b * ng + best] > ab[b];
        if (households_kept && area_kept)
            heir[b] = (int)best + 1;
    }
    /* Each new grid's code: of the base grids whose heir it is, the one it
     * holds the most households of, then area; base is by code, so the
     * lower code wins a tie. */
    for (size_t b = 0; b < nb && st == GG_OK; b++) {
        if (heir[b] == 0)
            continue;
        size_t d = (size_t)heir[b] - 1;
        int prev = chosen[d] - 1;
        if (prev < 0 || hh[b * ng + d] > hh[(size_t)prev * ng + d] ||
            (hh[b * ng + d] == hh[(size_t)prev * ng + d] && area[b * ng + d] > area[(size_t)prev * ng + d]))
            chosen[d] = (int)b + 1;
    }
    int64_t in_base = 0, stayed = 0;
    for (size_t b = 0; b < nb; b++)
        in_base += hb[b];
    for (size_t d = 0; d < ng; d++)
        if (chosen[d] != 0)
            stayed += hh[(size_t)(chosen[d] - 1) * ng + d];
    c->moved = in_base - stayed;
    for (size_t d = 0; d < ng && st == GG_OK; d++) {
        if (chosen[d] == 0)
            continue;
        const gg_community_grid *b = &base[chosen[d] - 1];
        pt_grid *g = &c->grids[d];
        snprintf(g->code, sizeof g->code, "%s", b->code);
        if (b->name[0] != '\0') {
            char *name = gg_strdup(ctx, b->name);
            if (name == NULL) {
                st = gg_error_nomem(ctx);
                break;
            }
            gg_free(ctx, g->name);
            g->name = name;
        }
    }
    for (size_t b = 0; prep != NULL && b < nb; b++)
        if (prep[b] != NULL)
            GEOSPreparedGeom_destroy_r(h, prep[b]);
    gg_free(ctx, prep);
    gg_free(ctx, box);
    gg_free(ctx, hh);
    gg_free(ctx, hb);
    gg_free(ctx, area);
    gg_free(ctx, ab);
    gg_free(ctx, heir);
    gg_free(ctx, chosen);
    gg_community_grids_free(ctx, base, nb);
    return st;
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
    if (c->from != 0) {
        c->point_grid = gg_malloc(ctx, (c->n_points ? c->n_points : 1) * sizeof *c->point_grid);
        if (c->point_grid == NULL)
            return gg_error_nomem(ctx);
    }
    st = count_households(c);
    if (st != GG_OK)
        return st;
    for (size_t i = 0; i < c->n_grids; i++)
        c->grids[i].code[0] = '\0';
    int next[10];
    memcpy(next, c->issued, sizeof next);
    if (c->from != 0)
        st = inherit_codes(c, next);
    if (st != GG_OK)
        return st;
    for (size_t i = 0; i < c->n_grids; i++) {
        pt_grid *g = &c->grids[i];
        if (g->code[0] != '\0')
            continue; /* kept from the base */
        int t = g->type % 10, seq = ++next[t];
        if (seq > 999)
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "community %s: more than 999 grids of type %d (counting the codes issued before): "
                            "the 3-digit sequence of the unified code cannot number them",
                            c->code, g->type);
        snprintf(g->code, sizeof g->code, "%.12s%d%03d", c->code, t, seq % 1000);
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
    set_flags(c);
    return GG_OK;
}
