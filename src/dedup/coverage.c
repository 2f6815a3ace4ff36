/* A department's own coverage (overlaps between its grids, gaps inside the
 * communities it covers) and the duplicates across departments. */
#include "dedup/dedup.h"
#include "geo/shapes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The departmental grids whose boxes meet box, in item order. */
static gg_status near_items(gg_ctx *ctx, const gg_dedup *dd, const double box[4], gg_dd_ids *l)
{
    return gg_dd_ids_near(ctx, &dd->dgrid_index, dd->dgrid_boxes, box, l);
}

static gg_status push_piece(gg_ctx *ctx, gg_dd_piece **pieces, size_t *n, size_t *cap, gg_dd_piece p)
{
    if (gg_grow(ctx, (void **)pieces, cap, *n + 1, sizeof **pieces) != GG_OK) {
        GEOSGeom_destroy_r(ctx->geos, p.geom);
        return GG_ERR_NOMEM;
    }
    (*pieces)[(*n)++] = p;
    return GG_OK;
}

/* Splits polygonal g (taken over) into its polygons, each kept as a piece
 * like proto unless it is noise. */
static gg_status keep_parts(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *g, gg_dd_piece proto,
                            gg_dd_piece **pieces, size_t *n, size_t *cap, size_t *noise)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_status st = GG_OK;
    int parts = GEOSGetNumGeometries_r(h, g);
    for (int i = 0; st == GG_OK && i < parts; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        if (gg_frame_noise(ctx, part, dd->opts.tolerance_m, -1, -1)) {
            (*noise)++;
            continue;
        }
        GEOSGeometry *one = GEOSGeom_clone_r(h, part);
        one = one ? gg_geom_polygons(h, one) : NULL;
        if (one == NULL) {
            st = GG_ERR_NOMEM;
            break;
        }
        gg_dd_piece p = proto;
        double box[4];
        p.geom = one;
        p.area_m2 = gg_frame_area(h, &dd->frame, one);
        gg_geom_box(h, one, box);
        p.households = gg_dd_households_in(ctx, dd, one, NULL, -2, box);
        if (p.households < 0) {
            GEOSGeom_destroy_r(h, one);
            st = GG_ERR_NOMEM;
        } else {
            st = push_piece(ctx, pieces, n, cap, p);
        }
    }
    GEOSGeom_destroy_r(h, g);
    return st == GG_ERR_NOMEM ? gg_error_nomem(ctx) : st;
}

/* The unified grids an item holds whole, sorted, into v (n_touches room). */
static size_t whole_set(const gg_dedup_item *it, int32_t *v)
{
    size_t n = 0;
    for (size_t k = 0; k < it->n_touches; k++)
        if (it->touches[k].whole)
            v[n++] = it->touches[k].grid;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j] < v[j - 1]; j--) {
            int32_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n;
}

/* For two clean items (each the union of whole unified grids up to
 * noise): the area of the grids both hold and of those either holds. */
static void whole_overlap(const gg_dedup *dd, size_t a, size_t b, double *both, double *either)
{
    const gg_dedup_result *r = dd->result;
    const gg_dedup_item *x = &r->items[a], *y = &r->items[b];
    int32_t vx[64], vy[64];
    *both = *either = 0;
    if (x->n_touches > 64 || y->n_touches > 64) {
        *both = -1;
        return;
    }
    size_t nx = whole_set(x, vx), ny = whole_set(y, vy), i = 0, j = 0;
    while (i < nx || j < ny) {
        if (j >= ny || (i < nx && vx[i] < vy[j]))
            *either += r->grids[vx[i++]].area_m2;
        else if (i >= nx || vy[j] < vx[i])
            *either += r->grids[vy[j++]].area_m2;
        else {
            *both += r->grids[vx[i]].area_m2;
            *either += r->grids[vx[i]].area_m2;
            i++, j++;
        }
    }
}

/* Is there a unified grid of which both items hold more than noise? If
 * not, within every unified grid their overlap lies in one item's noise
 * piece there, so it is noise itself (a part of a piece no wider than the
 * tolerance is no wider), and they need not be cut. */
static int core_in_common(const gg_dedup *dd, size_t a, size_t b)
{
    const gg_dedup_item *x = &dd->result->items[a], *y = &dd->result->items[b];
    for (size_t i = 0; i < x->n_touches; i++) {
        const gg_dedup_touch *t = &x->touches[i];
        if (!t->whole && t->noise)
            continue;
        for (size_t k = 0; k < y->n_touches; k++)
            if (y->touches[k].grid == t->grid && (y->touches[k].whole || !y->touches[k].noise))
                return 1;
    }
    return 0;
}

/* Overlaps between item and the later grids of its department. Two grids
 * wholly inside the plan with no unified grid of which both hold more than
 * noise overlap in noise only (per grid; across a grid boundary two such
 * pieces may make one up to twice the tolerance wide): they are not cut. */
gg_status gg_dd_overlaps(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, size_t item,
                         gg_dd_piece **pieces, size_t *n_pieces, size_t *cap_pieces, size_t *noise)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSGeometry *d = dgrids[item];
    if (d == NULL)
        return GG_OK;
    gg_dd_ids l;
    gg_status st = near_items(ctx, dd, dd->dgrid_boxes + 4 * item, &l);
    if (st != GG_OK)
        return st;
    const GEOSPreparedGeometry *pd = NULL;
    for (size_t k = 0; st == GG_OK && k < l.n; k++) {
        size_t j = l.v[k];
        if (j <= item || dgrids[j] == NULL || dd->dgrids[j].dept != dd->dgrids[item].dept)
            continue;
        if (dd->item_inside[item] && dd->item_inside[j] && !core_in_common(dd, item, j)) {
            (*noise)++;
            continue;
        }
        if (pd == NULL && (pd = GEOSPrepare_r(h, d)) == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
        if (GEOSPreparedIntersects_r(h, pd, dgrids[j]) != 1)
            continue;
        GEOSGeometry *in = gg_dd_overlay(ctx, d, dgrids[j], 0);
        if (in == NULL) {
            const gg_dedup_item *a = &dd->result->items[item], *b = &dd->result->items[j];
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s %s and %s: the intersection failed: %s", a->dept, a->id, b->id,
                          ctx->geos_msg);
            break;
        }
        double area = 0;
        GEOSArea_r(h, in, &area);
        if (!(area > 0)) {
            GEOSGeom_destroy_r(h, in);
            continue;
        }
        gg_dd_piece proto = {GG_CONFLICT_OVERLAP, dd->dgrids[item].dept, item, j, -1, NULL, 0, 0};
        st = keep_parts(ctx, dd, in, proto, pieces, n_pieces, cap_pieces, noise);
    }
    if (pd)
        GEOSPreparedGeom_destroy_r(h, pd);
    gg_free(ctx, l.v);
    return st;
}

/* The parts of polygonal g (taken over) wider than the tolerance, as one
 * MultiPolygon (empty when none); NULL when out of memory. Cutting a
 * part no wider than the tolerance leaves nothing wider, so such parts
 * can go as soon as they appear. */
static GEOSGeometry *wide_parts(gg_ctx *ctx, GEOSGeometry *g, double tol)
{
    GEOSContextHandle_t h = ctx->geos;
    int n = GEOSGetNumGeometries_r(h, g), kept = 0;
    GEOSGeometry **keep = gg_malloc(ctx, (size_t)(n > 0 ? n : 1) * sizeof *keep);
    if (keep == NULL) {
        GEOSGeom_destroy_r(h, g);
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, g, i);
        if (GEOSGeomTypeId_r(h, part) == GEOS_POLYGON && !gg_frame_noise(ctx, part, tol, -1, -1))
            keep[kept++] = GEOSGeom_clone_r(h, part);
    }
    GEOSGeom_destroy_r(h, g);
    GEOSGeometry *out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, keep, (unsigned)kept);
    gg_free(ctx, keep);
    return out;
}

/* The ground of a window that may hold a gap: the unified grids of the
 * community in the box (clipped to it) that none of the department's grids
 * holds whole. A grid held whole is covered but for a band along its
 * boundary; so is the band, within a grid held whole, of a grid reaching
 * into it (a clean grid). */
static gg_status window_ground(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *grids, size_t dept,
                               size_t community, const double w[4], GEOSGeometry **out)
{
    GEOSContextHandle_t h = ctx->geos;
    size_t n_grids = dd->result->n_grids;
    gg_dd_ids near;
    *out = NULL;
    gg_status st = gg_dd_ids_near(ctx, &dd->grid_index, dd->grid_boxes, w, &near);
    if (st != GG_OK)
        return st;
    GEOSGeometry **tiles = gg_malloc(ctx, (near.n + 1) * sizeof *tiles);
    unsigned n = 0;
    for (size_t i = 0; tiles && i < near.n; i++) {
        uint32_t t = near.v[i];
        if (dd->grid_community[t] != (int32_t)community || dd->whole_by[dept * n_grids + t])
            continue;
        GEOSGeometry *c = GEOSClipByRect_r(h, grids[t], w[0], w[1], w[2], w[3]);
        if (c != NULL)
            tiles[n++] = c;
    }
    gg_free(ctx, near.v);
    if (tiles == NULL)
        return gg_error_nomem(ctx);
    GEOSGeometry *ground = NULL;
    if (n == 1) {
        ground = tiles[0];
    } else {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, tiles, n);
        ground = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        if (coll)
            GEOSGeom_destroy_r(h, coll);
    }
    gg_free(ctx, tiles);
    ground = ground ? gg_geom_polygons(h, ground) : NULL;
    if (ground == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "the unified grids of community %s could not be joined: %s",
                        dd->communities[community].code, ctx->geos_msg);
    *out = ground;
    return GG_OK;
}

/* The area of item it in unified grid g, 0 when it was not measured. */
static double touch_area(const gg_dedup_item *it, int32_t g)
{
    for (size_t k = 0; k < it->n_touches; k++)
        if (it->touches[k].grid == g)
            return isnan(it->touches[k].area_m2) ? 0 : it->touches[k].area_m2;
    return 0;
}

/* The departmental grids of one gap task grown by the tolerance, made
 * when first asked for. */
typedef struct grown_set {
    uint32_t *item;
    GEOSGeometry **geom;
    size_t n, cap_item, cap_geom;
} grown_set;

static void grown_free(gg_ctx *ctx, grown_set *gs)
{
    for (size_t i = 0; i < gs->n; i++)
        if (gs->geom[i])
            GEOSGeom_destroy_r(ctx->geos, gs->geom[i]);
    gg_free(ctx, gs->item);
    gg_free(ctx, gs->geom);
}

/* d grown by the tolerance with bevelled corners (inside its exact
 * dilation: every point of it lies within the tolerance of d) into *out;
 * NULL when GEOS cannot make it. */
static gg_status grown(gg_ctx *ctx, grown_set *gs, const GEOSGeometry *d, uint32_t item, double tol,
                       const GEOSGeometry **out)
{
    for (size_t i = 0; i < gs->n; i++)
        if (gs->item[i] == item) {
            *out = gs->geom[i];
            return GG_OK;
        }
    if (gg_grow(ctx, (void **)&gs->item, &gs->cap_item, gs->n + 1, sizeof *gs->item) != GG_OK ||
        gg_grow(ctx, (void **)&gs->geom, &gs->cap_geom, gs->n + 1, sizeof *gs->geom) != GG_OK)
        return gg_error_nomem(ctx);
    GEOSGeometry *g = GEOSBufferWithStyle_r(ctx->geos, d, tol, 1, GEOSBUF_CAP_ROUND, GEOSBUF_JOIN_BEVEL, 5.0);
    gs->item[gs->n] = item;
    gs->geom[gs->n++] = g;
    *out = g;
    return GG_OK;
}

/* Is every point of unified grid g within the tolerance of one of the
 * department's grids that hold no grid whole (*covered)? Then no circle
 * wider than the tolerance and centred in g is left uncovered, and g's
 * window need not be looked at. g less each such grid near it grown by
 * the tolerance (bevelled: inside the exact growth, so "nothing left" is
 * a proof); when GEOS fails it is not shown. */
static gg_status covered_within_tolerance(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids,
                                          GEOSGeometry *const *grids, size_t dept, uint32_t g, grown_set *gs,
                                          int *covered)
{
    GEOSContextHandle_t h = ctx->geos;
    const double tol = dd->opts.tolerance_m;
    const double *b = dd->grids[g].box;
    double w[4] = {b[0] - tol, b[1] - tol, b[2] + tol, b[3] + tol};
    *covered = 0;
    gg_dd_ids l;
    gg_status st = near_items(ctx, dd, w, &l);
    if (st != GG_OK)
        return st;
    /* the grids that hold most of g first */
    double *share = gg_malloc(ctx, (l.n + 1) * sizeof *share);
    if (share == NULL) {
        gg_free(ctx, l.v);
        return gg_error_nomem(ctx);
    }
    size_t n = 0;
    for (size_t k = 0; k < l.n; k++) {
        uint32_t i = l.v[k];
        if (dd->dgrids[i].dept != (int32_t)dept || dd->item_clean[i] || dgrids[i] == NULL)
            continue;
        double a = touch_area(&dd->result->items[i], (int32_t)g);
        size_t j = n++;
        for (; j > 0 && share[j - 1] < a; j--) {
            l.v[j] = l.v[j - 1];
            share[j] = share[j - 1];
        }
        l.v[j] = i;
        share[j] = a;
    }
    gg_free(ctx, share);
    GEOSGeometry *left = n > 0 ? GEOSGeom_clone_r(h, grids[g]) : NULL;
    for (size_t k = 0; left != NULL && k < n; k++) {
        const GEOSGeometry *gd = NULL;
        if ((st = grown(ctx, gs, dgrids[l.v[k]], l.v[k], tol, &gd)) != GG_OK || gd == NULL)
            break;
        double lb[4], gb[4];
        gg_geom_box(h, left, lb);
        gg_geom_box(h, gd, gb);
        if (gb[0] > lb[2] || gb[2] < lb[0] || gb[1] > lb[3] || gb[3] < lb[1])
            continue;
        GEOSGeometry *next = GEOSDifference_r(h, left, gd);
        GEOSGeom_destroy_r(h, left);
        left = next;
        if (left != NULL && GEOSisEmpty_r(h, left) == 1) {
            *covered = 1;
            break;
        }
    }
    if (left)
        GEOSGeom_destroy_r(h, left);
    gg_free(ctx, l.v);
    return st;
}

/* The gaps of department dept in community community, found grid by
 * grid. A gap wider than the tolerance holds a circle of radius above the
 * tolerance, centred in some unified grid G; G's box grown by a little
 * more than the tolerance holds such a circle, so the gap is seen there:
 * the window's ground (window_ground) less the department's grids that
 * meet the window and hold no grid whole (each clipped to it, largest
 * first) has a part wider than the tolerance. Each window's wide parts are
 * kept, and joined across the community. A unified grid that one of the
 * department's grids holds whole (up to noise) is covered but for a band
 * along its boundary: its window is not looked at, and it is no ground of
 * its neighbours' windows. The grids that hold grids whole (clean) reach
 * out of them only by noise, so only the others are cut: nearly
 * coincident boundaries are met only where the department's grids cut
 * the unified ones. */
gg_status gg_dd_gaps(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, GEOSGeometry *const *grids,
                     size_t dept, size_t community, gg_dd_piece **pieces, size_t *n_pieces, size_t *cap_pieces,
                     size_t *noise)
{
    GEOSContextHandle_t h = ctx->geos;
    size_t n_grids = dd->result->n_grids;
    const double tol = dd->opts.tolerance_m;
    GEOSGeometry **wide = NULL;
    size_t n_wide = 0, cap_wide = 0;
    gg_status st = GG_OK;
    grown_set gs = {0};
    for (uint32_t k = dd->community_start[community]; st == GG_OK && k < dd->community_start[community + 1]; k++) {
        uint32_t g = dd->community_grids[k];
        size_t dg = dept * n_grids + g;
        int covered = 0;
        if (!dd->whole_by[dg])
            st = covered_within_tolerance(ctx, dd, dgrids, grids, dept, g, &gs, &covered);
        if (st != GG_OK)
            break;
        if (dd->whole_by[dg] || covered)
            continue;
        const double *b = dd->grids[g].box;
        double w[4] = {b[0] - tol - 1, b[1] - tol - 1, b[2] + tol + 1, b[3] + tol + 1};
        GEOSGeometry *ground = NULL;
        if ((st = window_ground(ctx, dd, grids, dept, community, w, &ground)) != GG_OK)
            break;
        gg_dd_ids l;
        if ((st = near_items(ctx, dd, w, &l)) != GG_OK) {
            GEOSGeom_destroy_r(h, ground);
            break;
        }
        GEOSGeometry **parts = gg_malloc(ctx, (l.n + 1) * sizeof *parts);
        if (parts == NULL) {
            gg_free(ctx, l.v);
            GEOSGeom_destroy_r(h, ground);
            st = gg_error_nomem(ctx);
            break;
        }
        unsigned np = 0;
        for (size_t t = 0; t < l.n; t++) {
            if (dd->dgrids[l.v[t]].dept != (int32_t)dept || dd->item_clean[l.v[t]])
                continue;
            const GEOSGeometry *d = dgrids[l.v[t]];
            GEOSGeometry *c = d ? GEOSClipByRect_r(h, d, w[0], w[1], w[2], w[3]) : NULL;
            if (c != NULL)
                parts[np++] = c;
        }
        gg_free(ctx, l.v);
        /* the ground less each part in turn, largest first: once the grid's
         * own cover is gone only slivers are left, and each further cut is
         * small (a union of all the parts would node every nearly
         * coincident boundary with every other) */
        for (unsigned i = 1; i < np; i++)
            for (unsigned j = i; j > 0; j--) {
                double a1 = 0, a0 = 0;
                GEOSArea_r(h, parts[j], &a1);
                GEOSArea_r(h, parts[j - 1], &a0);
                if (a1 <= a0)
                    break;
                GEOSGeometry *t = parts[j];
                parts[j] = parts[j - 1];
                parts[j - 1] = t;
            }
        GEOSGeometry *left = ground;
        ground = NULL;
        for (unsigned i = 0; left != NULL && i < np; i++) {
            double lb[4], pb[4];
            gg_geom_box(h, left, lb);
            if (isnan(lb[0]))
                break; /* nothing left */
            gg_geom_box(h, parts[i], pb);
            if (isnan(pb[0]) || pb[0] > lb[2] || pb[2] < lb[0] || pb[1] > lb[3] || pb[3] < lb[1])
                continue;
            GEOSGeometry *next = gg_dd_overlay(ctx, left, parts[i], 1);
            GEOSGeom_destroy_r(h, left);
            left = next ? wide_parts(ctx, next, tol) : NULL;
        }
        for (unsigned i = 0; i < np; i++)
            GEOSGeom_destroy_r(h, parts[i]);
        np = 0;
        gg_free(ctx, parts);
        if (left == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s around unified grid %s: the ground left uncovered could not be cut: %s",
                          dd->result->depts[dept].dept, dd->result->grids[g].code, ctx->geos_msg);
            break;
        }
        int parts_left = GEOSGetNumGeometries_r(h, left);
        for (int i = 0; st == GG_OK && i < parts_left; i++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(h, left, i);
            if (gg_frame_noise(ctx, part, tol, -1, -1))
                continue;
            GEOSGeometry *copy = GEOSGeom_clone_r(h, part);
            if (copy == NULL || gg_grow(ctx, (void **)&wide, &cap_wide, n_wide + 1, sizeof *wide) != GG_OK) {
                if (copy)
                    GEOSGeom_destroy_r(h, copy);
                st = gg_error_nomem(ctx);
                break;
            }
            wide[n_wide++] = copy;
        }
        GEOSGeom_destroy_r(h, left);
    }
    grown_free(ctx, &gs);
    GEOSGeometry *gap = NULL;
    if (st == GG_OK && n_wide > 0) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, wide, (unsigned)n_wide);
        n_wide = 0;
        gap = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        gap = gap ? gg_geom_polygons(h, gap) : NULL;
        if (gap == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s in community %s: the gaps could not be joined: %s",
                          dd->result->depts[dept].dept, dd->communities[community].code, ctx->geos_msg);
    }
    for (size_t i = 0; i < n_wide; i++)
        GEOSGeom_destroy_r(h, wide[i]);
    gg_free(ctx, wide);
    if (st == GG_OK && gap != NULL) {
        gg_dd_piece proto = {GG_CONFLICT_GAP, (int32_t)dept, 0, 0, (int32_t)community, NULL, 0, 0};
        st = keep_parts(ctx, dd, gap, proto, pieces, n_pieces, cap_pieces, noise);
    }
    return st == GG_ERR_NOMEM ? gg_error_nomem(ctx) : st;
}

/* The most of x's area (m2) that one of x's touches can hold: its area
 * when measured; a grid's own when x holds it whole up to noise; the
 * grid's band along its boundary for a sliver (x does not reach the
 * grid's erosion). */
static double touch_most(const gg_dedup *dd, const gg_dedup_item *x, const gg_dedup_touch *t)
{
    const gg_dd_grid *g = &dd->grids[t->grid];
    double a = isnan(t->area_m2) ? g->band_m2 : t->area_m2;
    return fmin(fmin(a, g->area_m2), x->area_m2);
}

/* An upper bound on the area (m2) two items have in common, from their
 * crosswalks: the plan's grids are disjoint, so the common part is the sum
 * over the grids both touch of the common part there (at most the
 * smaller of the two shares), and the common part outside the plan. */
static double common_most(const gg_dedup *dd, size_t a, size_t b)
{
    const gg_dedup_item *x = &dd->result->items[a], *y = &dd->result->items[b];
    double sum = fmin(x->outside_area_m2, y->outside_area_m2);
    for (size_t i = 0; i < x->n_touches; i++)
        for (size_t k = 0; k < y->n_touches; k++)
            if (y->touches[k].grid == x->touches[i].grid) {
                sum += fmin(touch_most(dd, x, &x->touches[i]), touch_most(dd, y, &y->touches[k]));
                break;
            }
    /* frame areas scaled piece by piece, and parts outside the plan left
     * unmeasured when they were no bigger than a hundredth of a square metre */
    return sum * 1.001 + 1;
}

/* Two grids of different departments duplicate each other when their IoU
 * is at least equal_iou, or when each is the other within the tolerance
 * (both differences are noise). The bounds on the IoU from their areas
 * and boxes skip most pairs without geometry. */
gg_status gg_dd_duplicates(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, size_t item,
                           gg_dedup_duplicate **dups, size_t *n_dups, size_t *cap_dups)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSGeometry *a = dgrids[item];
    if (a == NULL)
        return GG_OK;
    const double *ba = dd->dgrid_boxes + 4 * item;
    gg_dd_ids l;
    gg_status st = near_items(ctx, dd, ba, &l);
    if (st != GG_OK)
        return st;
    double aa = dd->dgrids[item].area_frame;
    for (size_t k = 0; st == GG_OK && k < l.n; k++) {
        size_t j = l.v[k];
        if (j <= item || dgrids[j] == NULL || dd->dgrids[j].dept == dd->dgrids[item].dept)
            continue;
        const GEOSGeometry *b = dgrids[j];
        const double *bb = dd->dgrid_boxes + 4 * j;
        double ab = dd->dgrids[j].area_frame;
        double big = fmax(aa, ab);
        double ix = fmin(ba[2], bb[2]) - fmax(ba[0], bb[0]), iy = fmin(ba[3], bb[3]) - fmax(ba[1], bb[1]);
        if (!(big > 0) || fmin(aa, ab) / big < 0.5 || ix <= 0 || iy <= 0 || ix * iy / big < 0.5)
            continue;
        /* the IoU is at most the ratio of the areas; the same grid within
         * the tolerance differs in area by at most the tolerance times the
         * two perimeters */
        double tol = dd->opts.tolerance_m;
        if (fmin(aa, ab) / big < dd->opts.equal_iou &&
            fabs(aa - ab) > tol * (dd->dgrids[item].length_m + dd->dgrids[j].length_m))
            continue;
        /* what their crosswalks allow them to share: if that is too little
         * for either test, no geometry is needed */
        const gg_dedup_item *x = &dd->result->items[item], *y = &dd->result->items[j];
        double most = common_most(dd, item, j);
        double iou_most = most / fmax(x->area_m2 + y->area_m2 - most, 1e-9);
        if (iou_most < dd->opts.equal_iou &&
            (iou_most < 0.5 || fmax(x->area_m2, y->area_m2) - most >
                                   tol * (dd->dgrids[item].length_m + dd->dgrids[j].length_m) * 1.0001))
            continue;
        if (dd->item_clean[item] && dd->item_clean[j]) {
            /* both whole unified grids up to noise: compare the grids */
            double both, either;
            whole_overlap(dd, item, j, &both, &either);
            if (both >= 0) {
                double iou = either > 0 ? both / either : 0;
                if (iou >= dd->opts.equal_iou || iou == 1) {
                    if (gg_grow(ctx, (void **)dups, cap_dups, *n_dups + 1, sizeof **dups) != GG_OK) {
                        st = GG_ERR_NOMEM;
                        break;
                    }
                    (*dups)[(*n_dups)++] = (gg_dedup_duplicate){item, j, iou, both, 0};
                }
                continue;
            }
        }
        GEOSGeometry *in = gg_dd_overlay(ctx, a, b, 0);
        if (in == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s %s and %s %s: the intersection failed: %s",
                          dd->result->items[item].dept, dd->result->items[item].id, dd->result->items[j].dept,
                          dd->result->items[j].id, ctx->geos_msg);
            break;
        }
        double ai = 0;
        GEOSArea_r(h, in, &ai);
        double iou = ai / (aa + ab - ai);
        int dup = iou >= dd->opts.equal_iou;
        /* each difference is noise only if its area is at most the tolerance
         * times its perimeter, itself at most the two perimeters */
        double reach = tol * (dd->dgrids[item].length_m + dd->dgrids[j].length_m) * 1.0001;
        if (!dup && iou >= 0.5 && aa - ai <= reach && ab - ai <= reach) {
            /* the second only when the first is noise */
            GEOSGeometry *da = gg_dd_overlay(ctx, a, b, 1), *db = NULL;
            dup = da && gg_frame_noise(ctx, da, dd->opts.tolerance_m, -1, -1) &&
                  (db = gg_dd_overlay(ctx, b, a, 1)) != NULL && gg_frame_noise(ctx, db, dd->opts.tolerance_m, -1, -1);
            if (da)
                GEOSGeom_destroy_r(h, da);
            if (db)
                GEOSGeom_destroy_r(h, db);
        }
        if (dup) {
            if (gg_grow(ctx, (void **)dups, cap_dups, *n_dups + 1, sizeof **dups) != GG_OK)
                st = GG_ERR_NOMEM;
            else
                (*dups)[(*n_dups)++] = (gg_dedup_duplicate){item, j, iou, gg_frame_area(h, &dd->frame, in), 1};
        }
        GEOSGeom_destroy_r(h, in);
    }
    gg_free(ctx, l.v);
    return st == GG_ERR_NOMEM ? gg_error_nomem(ctx) : st;
}
