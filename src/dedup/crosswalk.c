/* One departmental grid against the unified plan: the grids it touches,
 * the shares of area and households, its relation, the replacement, and
 * its cut and outside pieces.
 *
 * The plan tiles its communities, so the symmetric difference between a
 * departmental grid D and a union S of unified grids is, grid by grid, the
 * part of each grid of S outside D and the part of D in each grid not in
 * S (plus D outside every grid). D is that union within the tolerance when
 * each of those pieces is noise; no union is ever computed. A grid's part
 * outside D is cut only when its area is small enough to be noise at all
 * (area <= tolerance x perimeter); for most pairs one intersection is all
 * the geometry there is. */
#include "dedup/dedup.h"
#include "geo/shapes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct candidates {
    uint32_t *v;
    size_t n, cap;
    gg_ctx *ctx;
    int failed;
} candidates;

static int add_candidate(void *user, uint32_t item)
{
    candidates *c = user;
    if (gg_grow(c->ctx, (void **)&c->v, &c->cap, c->n + 1, sizeof *c->v) != GG_OK) {
        c->failed = 1;
        return 1;
    }
    c->v[c->n++] = item;
    return 0;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* Overlay with a fallback: GEOS's floating overlay can fail on nearly
 * coincident edges (TopologyException); snapped to a millimetre it does
 * not. The result's polygons, or NULL (the message in ctx). */
GEOSGeometry *gg_dd_overlay(gg_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b, int difference)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry *g = difference ? GEOSDifference_r(h, a, b) : GEOSIntersection_r(h, a, b);
    if (g == NULL)
        g = difference ? GEOSDifferencePrec_r(h, a, b, 1e-3) : GEOSIntersectionPrec_r(h, a, b, 1e-3);
    return g ? gg_geom_polygons(h, g) : NULL;
}

typedef struct touch_work {
    gg_dedup_touch t;
    GEOSGeometry *piece;        /* D n G when it was cut (not whole) */
} touch_work;

static int compare_touch(const void *a, const void *b)
{
    const touch_work *x = a, *y = b;
    if (x->t.area_m2 != y->t.area_m2)
        return x->t.area_m2 > y->t.area_m2 ? -1 : 1;
    return (x->t.grid > y->t.grid) - (x->t.grid < y->t.grid);
}

static gg_status add_piece(gg_ctx *ctx, gg_dedup *dd, size_t item, gg_conflict_kind kind, size_t other,
                           GEOSGeometry *geom, double area_m2, int64_t households, size_t *cap)
{
    if (gg_grow(ctx, (void **)&dd->item_pieces[item], cap, dd->n_item_pieces[item] + 1,
                sizeof **dd->item_pieces) != GG_OK) {
        GEOSGeom_destroy_r(ctx->geos, geom);
        return GG_ERR_NOMEM;
    }
    dd->item_pieces[item][dd->n_item_pieces[item]++] =
        (gg_dd_piece){kind, item, other, -1, geom, area_m2, households};
    return GG_OK;
}

/* The part of D in no unified grid: D less the grids it touches. */
static GEOSGeometry *outside_part(gg_ctx *ctx, const GEOSGeometry *d, GEOSGeometry *const *grids,
                                  const touch_work *tw, size_t n)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry **parts = gg_malloc(ctx, (n ? n : 1) * sizeof *parts);
    if (parts == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        parts[i] = GEOSGeom_clone_r(h, grids[tw[i].t.grid]);
    GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)n);
    gg_free(ctx, parts);
    GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    if (u == NULL)
        return NULL;
    GEOSGeometry *o = gg_dd_overlay(ctx, d, u, 1);
    GEOSGeom_destroy_r(h, u);
    return o;
}

gg_status gg_dd_crosswalk(gg_ctx *ctx, gg_dedup *dd, GEOSGeometry *const *grids, size_t item)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_dedup_result *r = dd->result;
    gg_dedup_item *it = &r->items[item];
    const gg_dd_dept_grid *dg = &dd->dgrids[item];
    const double tol = dd->opts.tolerance_m;
    if (dg->geom == NULL) {
        it->relation = GG_RELATION_INVALID;
        return GG_OK;
    }
    const GEOSGeometry *d = dg->geom;
    it->area_m2 = dg->area_m2;
    double d_area_frame = 0;
    GEOSArea_r(h, d, &d_area_frame);
    const GEOSPreparedGeometry *pd = GEOSPrepare_r(h, d);
    if (pd == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "%s %s: cannot prepare the geometry: %s", it->dept, it->id,
                        ctx->geos_msg);
    candidates c = {NULL, 0, 0, ctx, 0};
    gg_boxgrid_query(&dd->grid_index, dd->grid_boxes, dd->dgrid_boxes + 4 * item, add_candidate, &c);
    gg_status st = c.failed ? GG_ERR_NOMEM : GG_OK;
    if (c.n > 1)
        qsort(c.v, c.n, sizeof *c.v, compare_u32);
    touch_work *tw = gg_calloc(ctx, c.n ? c.n : 1, sizeof *tw);
    size_t n = 0;
    if (tw == NULL)
        st = GG_ERR_NOMEM;
    double sum_frame = 0;
    for (size_t k = 0; st == GG_OK && k < c.n; k++) {
        int32_t gi = (int32_t)c.v[k];
        const GEOSGeometry *g = grids[gi];
        if (GEOSPreparedIntersects_r(h, pd, g) != 1)
            continue;
        const gg_dd_grid *gd = &dd->grids[gi];
        const gg_dedup_grid *rg = &r->grids[gi];
        double g_frame = 0;
        GEOSArea_r(h, g, &g_frame);
        touch_work w = {{.grid = gi}, NULL};
        if (GEOSPreparedCovers_r(h, pd, g) == 1) {
            w.t.area_m2 = gd->area_m2;
            w.t.households = rg->households;
            w.t.whole = 1;
            sum_frame += g_frame;
        } else {
            GEOSGeometry *in = gg_dd_overlay(ctx, d, g, 0);
            if (in == NULL) {
                st = gg_error(ctx, GG_ERR_GEOMETRY, "%s %s against unified grid %s: the intersection failed: %s",
                              it->dept, it->id, rg->code, ctx->geos_msg);
                break;
            }
            double in_frame = 0, in_len = 0;
            GEOSArea_r(h, in, &in_frame);
            if (!(in_frame > 0)) {
                GEOSGeom_destroy_r(h, in);
                continue; /* they only touch */
            }
            sum_frame += in_frame;
            GEOSLength_r(h, in, &in_len);
            w.t.area_m2 = gg_frame_area(h, &dd->frame, in);
            w.t.noise = gg_frame_noise(h, in, tol, in_frame, in_len);
            double rest = g_frame - in_frame;
            if (rest <= 1e-9 * g_frame) {
                w.t.whole = 1;
            } else if (rest <= tol * (gd->length_m + in_len) * 1.0001) {
                GEOSGeometry *out = gg_dd_overlay(ctx, g, d, 1);
                if (out == NULL) {
                    GEOSGeom_destroy_r(h, in);
                    st = gg_error(ctx, GG_ERR_GEOMETRY, "%s %s against unified grid %s: the difference failed: %s",
                                  it->dept, it->id, rg->code, ctx->geos_msg);
                    break;
                }
                w.t.whole = gg_frame_noise(h, out, tol, -1, -1);
                GEOSGeom_destroy_r(h, out);
            }
            double box[4];
            gg_geom_box(h, in, box);
            w.t.households = gg_dd_households_in(h, dd, d, pd, gi, box);
            w.piece = in;
        }
        tw[n++] = w;
    }
    /* the part in no unified grid */
    GEOSGeometry *outside = NULL;
    int outside_noise = 1;
    if (st == GG_OK && d_area_frame - sum_frame > fmax(1e-2, 1e-9 * d_area_frame)) {
        outside = outside_part(ctx, d, grids, tw, n);
        if (outside == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s %s: the part outside the plan failed: %s", it->dept, it->id,
                          ctx->geos_msg);
        } else if (GEOSisEmpty_r(h, outside) == 1) {
            GEOSGeom_destroy_r(h, outside);
            outside = NULL;
        } else {
            double box[4];
            it->outside_area_m2 = gg_frame_area(h, &dd->frame, outside);
            outside_noise = gg_frame_noise(h, outside, tol, -1, -1);
            gg_geom_box(h, outside, box);
            it->outside_households = gg_dd_households_in(h, dd, outside, NULL, -1, box);
        }
    }
    if (st == GG_OK) {
        if (n > 1)
            qsort(tw, n, sizeof *tw, compare_touch);
        int64_t hh = it->outside_households;
        for (size_t i = 0; i < n; i++)
            hh += tw[i].t.households;
        it->households = hh;
        size_t n_core = 0, n_partial = 0;
        for (size_t i = 0; i < n; i++) {
            gg_dedup_touch *t = &tw[i].t;
            const gg_dedup_grid *rg = &r->grids[t->grid];
            t->area_share = it->area_m2 > 0 ? t->area_m2 / it->area_m2 : 0;
            t->grid_share = rg->area_m2 > 0 ? fmin(1.0, t->area_m2 / rg->area_m2) : 0;
            t->household_share = hh > 0 ? (double)t->households / (double)hh : 0;
            double iou = t->area_m2 / (it->area_m2 + rg->area_m2 - t->area_m2);
            if (iou > it->iou) {
                it->iou = iou;
                it->best_grid = t->grid;
            }
            if (t->whole || !t->noise) {
                n_core++;
                n_partial += !t->whole;
            }
        }
        /* a departmental grid no wider than the tolerance: its largest piece decides */
        if (n_core == 0 && n > 0 && outside_noise) {
            tw[0].t.noise = 0;
            n_core = 1;
            n_partial = !tw[0].t.whole;
        }
        if (n_core == 0)
            it->relation = GG_RELATION_OUTSIDE;
        else if (it->iou >= dd->opts.equal_iou)
            it->relation = GG_RELATION_EQUAL;
        else if (n_partial == 0)
            it->relation = n_core == 1 ? GG_RELATION_EQUAL : GG_RELATION_UNION_OF;
        else if (n_core == 1)
            it->relation = GG_RELATION_PART_OF;
        else
            it->relation = GG_RELATION_CUTS;
        /* the replacement: every grid with more of its households in than out */
        size_t chosen = 0, best = 0;
        for (size_t i = 0; i < n; i++) {
            gg_dedup_touch *t = &tw[i].t;
            const gg_dedup_grid *rg = &r->grids[t->grid];
            int64_t in = t->households, out = rg->households - t->households;
            t->replacement = in > out || (in == out && t->area_m2 > rg->area_m2 - t->area_m2);
            chosen += t->replacement;
            const gg_dedup_touch *b = &tw[best].t;
            if (t->households > b->households || (t->households == b->households && t->area_m2 > b->area_m2))
                best = i;
        }
        if (chosen == 0 && n > 0 && it->relation != GG_RELATION_OUTSIDE)
            tw[best].t.replacement = 1;
        int64_t kept = 0;
        for (size_t i = 0; i < n; i++)
            if (tw[i].t.replacement) {
                kept += tw[i].t.households;
                it->households_gained += r->grids[tw[i].t.grid].households - tw[i].t.households;
            }
        it->households_lost = hh - kept;
        /* the communities it covers, and its pieces */
        size_t cap_c = 0, cap_p = 0;
        for (size_t i = 0; st == GG_OK && i < n; i++) {
            gg_dedup_touch *t = &tw[i].t;
            if (!(t->whole || !t->noise))
                continue;
            int32_t cm = dd->grid_community[t->grid];
            int known = cm < 0;
            for (size_t k = 0; k < dd->n_item_communities[item] && !known; k++)
                known = dd->item_communities[item][k] == cm;
            if (!known) {
                if (gg_grow(ctx, (void **)&dd->item_communities[item], &cap_c, dd->n_item_communities[item] + 1,
                            sizeof **dd->item_communities) != GG_OK)
                    st = GG_ERR_NOMEM;
                else
                    dd->item_communities[item][dd->n_item_communities[item]++] = cm;
            }
            if (st == GG_OK && it->relation == GG_RELATION_CUTS && !t->whole && tw[i].piece != NULL) {
                st = add_piece(ctx, dd, item, GG_CONFLICT_CUT, (size_t)t->grid, tw[i].piece, t->area_m2,
                               t->households, &cap_p);
                tw[i].piece = NULL;
            }
        }
        if (st == GG_OK && outside != NULL && !outside_noise) {
            st = add_piece(ctx, dd, item, GG_CONFLICT_OUTSIDE, 0, outside, it->outside_area_m2,
                           it->outside_households, &cap_p);
            outside = NULL;
        }
        if (st == GG_OK && n > 0) {
            it->touches = gg_malloc(ctx, n * sizeof *it->touches);
            if (it->touches == NULL)
                st = GG_ERR_NOMEM;
            for (size_t i = 0; st == GG_OK && i < n; i++)
                it->touches[i] = tw[i].t;
            if (st == GG_OK)
                it->n_touches = n;
        }
    }
    for (size_t i = 0; tw && i < n; i++)
        if (tw[i].piece)
            GEOSGeom_destroy_r(h, tw[i].piece);
    if (outside)
        GEOSGeom_destroy_r(h, outside);
    gg_free(ctx, tw);
    gg_free(ctx, c.v);
    GEOSPreparedGeom_destroy_r(h, pd);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ctx);
    return st;
}
