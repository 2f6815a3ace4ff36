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

/* Overlay on the two boxes' common part: both inputs are first clipped to
 * the intersection of their boxes (slightly grown), where all of an
 * intersection lies and all of a difference's boundary that is not a's
 * own, so that a sliver along a shared boundary is cut from two thin
 * strips instead of two whole polygons. A difference keeps the part of a
 * outside that rectangle as it is. With a fallback: GEOS's floating
 * overlay can fail on nearly coincident edges (TopologyException);
 * snapped to a millimetre it does not. The result's polygons, or NULL
 * (the message in ctx). */
static GEOSGeometry *overlay_plain(GEOSContextHandle_t h, const GEOSGeometry *a, const GEOSGeometry *b,
                                   int difference)
{
    GEOSGeometry *g = difference ? GEOSDifference_r(h, a, b) : GEOSIntersection_r(h, a, b);
    if (g == NULL)
        g = difference ? GEOSDifferencePrec_r(h, a, b, 1e-3) : GEOSIntersectionPrec_r(h, a, b, 1e-3);
    return g;
}

GEOSGeometry *gg_dd_overlay(gg_ctx *ctx, const GEOSGeometry *a, const GEOSGeometry *b, int difference)
{
    GEOSContextHandle_t h = ctx->geos;
    double ba[4], bb[4];
    gg_geom_box(h, a, ba);
    gg_geom_box(h, b, bb);
    double r[4] = {fmax(ba[0], bb[0]) - 1, fmax(ba[1], bb[1]) - 1, fmin(ba[2], bb[2]) + 1, fmin(ba[3], bb[3]) + 1};
    double area_a = (ba[2] - ba[0]) * (ba[3] - ba[1]), area_b = (bb[2] - bb[0]) * (bb[3] - bb[1]);
    double area_r = (r[2] - r[0]) * (r[3] - r[1]);
    GEOSGeometry *g = NULL;
    if (!(r[0] < r[2] && r[1] < r[3])) {
        /* the boxes do not meet */
        g = difference ? GEOSGeom_clone_r(h, a) : GEOSGeom_createEmptyPolygon_r(h);
    } else if (area_r < 0.6 * fmin(area_a, area_b)) {
        GEOSGeometry *ca = GEOSClipByRect_r(h, a, r[0], r[1], r[2], r[3]);
        GEOSGeometry *cb = GEOSClipByRect_r(h, b, r[0], r[1], r[2], r[3]);
        GEOSGeometry *part = ca && cb ? overlay_plain(h, ca, cb, difference) : NULL;
        if (part != NULL && difference) {
            /* a outside the rectangle, then the clipped difference inside it */
            GEOSGeometry *rect = GEOSGeom_createRectangle_r(h, r[0], r[1], r[2], r[3]);
            GEOSGeometry *rest = rect ? GEOSDifference_r(h, a, rect) : NULL;
            GEOSGeometry *both = rest ? GEOSUnion_r(h, rest, part) : NULL;
            if (rect)
                GEOSGeom_destroy_r(h, rect);
            if (rest)
                GEOSGeom_destroy_r(h, rest);
            GEOSGeom_destroy_r(h, part);
            part = both;
        }
        if (ca)
            GEOSGeom_destroy_r(h, ca);
        if (cb)
            GEOSGeom_destroy_r(h, cb);
        g = part;
    }
    if (g == NULL)
        g = overlay_plain(h, a, b, difference);
    return g ? gg_geom_polygons(h, g) : NULL;
}

typedef struct touch_work {
    gg_dedup_touch t;
    GEOSGeometry *piece;        /* D n G when it was cut (not whole) */
    int estimated;              /* not cut: area_m2 is the grid's (whole up to noise) or D's (D in it
                                   up to noise) */
    int pending;                /* to be cut once all grids are seen */
} touch_work;

static int compare_touch(const void *a, const void *b)
{
    const touch_work *x = a, *y = b;
    double ax = isnan(x->t.area_m2) ? -1 : x->t.area_m2, ay = isnan(y->t.area_m2) ? -1 : y->t.area_m2;
    if (ax != ay)
        return ax > ay ? -1 : 1;
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
        (gg_dd_piece){kind, dd->dgrids[item].dept, item, other, -1, geom, area_m2, households};
    return GG_OK;
}

/* The part of D in no unified grid: D less the union of the grids it
 * touches. The plan's grids are a coverage (no overlaps, shared edges
 * alike), so GEOS's coverage union, which drops the edges two grids
 * share instead of overlaying them, makes the union (the crosswalk 3%
 * faster); it refuses grids that overlap or whose edges do not match
 * (the areas do not add up), and then the overlay union makes it. */
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
    GEOSGeometry *u = coll ? GEOSCoverageUnion_r(h, coll) : NULL;
    if (coll && u == NULL)
        u = GEOSUnaryUnion_r(h, coll);
    if (coll)
        GEOSGeom_destroy_r(h, coll);
    if (u == NULL)
        return NULL;
    GEOSGeometry *o = gg_dd_overlay(ctx, d, u, 1);
    GEOSGeom_destroy_r(h, u);
    return o;
}

/* The part of D in no unified grid into *outside (NULL when there is
 * none), its area and households in the item, and whether it is noise. */
static gg_status outside_of(gg_ctx *ctx, gg_dedup *dd, size_t item, const GEOSGeometry *d,
                            GEOSGeometry *const *grids, const touch_work *tw, size_t n, GEOSGeometry **out,
                            int *noise)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_dedup_item *it = &dd->result->items[item];
    const double tol = dd->opts.tolerance_m;
    *out = NULL;
    *noise = 1;
    GEOSGeometry *outside = outside_part(ctx, d, grids, tw, n);
    if (outside == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "%s %s: the part outside the plan failed: %s", it->dept, it->id,
                        ctx->geos_msg);
    if (GEOSisEmpty_r(h, outside) == 1) {
        GEOSGeom_destroy_r(h, outside);
        return GG_OK;
    }
    double box[4];
    it->outside_area_m2 = gg_frame_area(h, &dd->frame, outside);
    /* within the tolerance of D's own boundary (D less the tolerance does
     * not reach it): noise without the inscribed circle */
    GEOSGeometry *inner = gg_dd_erode(h, d, tol);
    int parts = GEOSGetNumGeometries_r(h, outside);
    for (int k = 0; inner != NULL && *noise && k < parts; k++) {
        const GEOSGeometry *part = GEOSGetGeometryN_r(h, outside, k);
        *noise = GEOSIntersects_r(h, inner, part) != 1 || gg_frame_noise(ctx, part, tol, -1, -1);
    }
    if (inner)
        GEOSGeom_destroy_r(h, inner);
    gg_geom_box(h, outside, box);
    it->outside_households = gg_dd_households_in(ctx, dd, outside, NULL, -1, box);
    if (it->outside_households < 0) {
        GEOSGeom_destroy_r(h, outside);
        return gg_error_nomem(ctx);
    }
    *out = outside;
    return GG_OK;
}

GEOSGeometry *gg_dd_erode(GEOSContextHandle_t h, const GEOSGeometry *g, double tolerance_m)
{
    if (!(tolerance_m > 0))
        return NULL;
    GEOSGeometry *e = GEOSBufferWithStyle_r(h, g, -tolerance_m, 2, GEOSBUF_CAP_ROUND, GEOSBUF_JOIN_ROUND, 5.0);
    if (e != NULL && GEOSisEmpty_r(h, e) == 1) {
        GEOSGeom_destroy_r(h, e);
        e = NULL;
    }
    return e;
}

static int stop_at_first(void *user, uint32_t item)
{
    (void)item;
    *(int *)user = 1;
    return 1;
}

/* Does the box meet an edge of the plan's outline? */
static int near_outline(const gg_dedup *dd, const double box[4])
{
    int found = 0;
    double grown[4] = {box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1};
    gg_boxgrid_query(&dd->outline_index, dd->outline_boxes, grown, stop_at_first, &found);
    return found;
}

typedef struct outline_query {
    const gg_dedup *dd;
    const gg_polyindex *dix;
    int met;
} outline_query;

static int outline_meets(void *user, uint32_t k)
{
    outline_query *q = user;
    const gg_seg *e = &q->dd->outline_segs[k];
    q->met = gg_polyindex_meets_segment(q->dix, e) || gg_polyindex_locate(q->dix, e->x0, e->y0) >= 0;
    return q->met;
}

/* Does D lie wholly in the plan, for sure? When no edge of the plan's
 * outline meets D or lies inside it, D lies wholly in the plan or wholly
 * outside it, and a vertex of D in one of the grids it touches decides.
 * (Where the grids do not share their edges exactly, those edges count as
 * outline: the answer is then no, and the part outside is cut.) */
static int inside_plan(const gg_dedup *dd, const gg_polyindex *dix, const touch_work *tw, size_t n,
                       const double box[4])
{
    if (dix->n == 0)
        return 0;
    outline_query q = {dd, dix, 0};
    double grown[4] = {box[0] - 1, box[1] - 1, box[2] + 1, box[3] + 1};
    gg_boxgrid_query(&dd->outline_index, dd->outline_boxes, grown, outline_meets, &q);
    if (q.met)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (gg_polyindex_locate(&dd->grid_ix[tw[i].t.grid], dix->s[0].x0, dix->s[0].y0) >= 0)
            return 1;
    return 0;
}

/* Does D (prepared, and its index) cover G's erosion e? Asked of the
 * indexes first: when the boundaries do not meet (D reaches beyond the
 * erosion all round) they decide. */
static int covers_erosion(GEOSContextHandle_t h, const GEOSPreparedGeometry *pd, const gg_polyindex *dix,
                          const gg_dedup *dd, int32_t gi, const GEOSGeometry *e)
{
    int c = gg_polyindex_covers(dix, &dd->eroded_ix[gi]);
    return c >= 0 ? c : GEOSPreparedCovers_r(h, pd, e) == 1;
}

/* Cuts D against G: the intersection's area, whether it is noise, whether
 * G is whole in D, the households in it, the piece kept in w. *touching is
 * set when they only touch (no area). sliver: D was found not to reach
 * beyond the tolerance into G. */
static gg_status measure(gg_ctx *ctx, gg_dedup *dd, size_t item, const GEOSGeometry *d,
                         const GEOSPreparedGeometry *pd, const gg_polyindex *dix, const GEOSGeometry *g, int32_t gi,
                         const GEOSGeometry *e, int sliver, touch_work *w, double *sum_frame, int *touching)
{
    GEOSContextHandle_t h = ctx->geos;
    const gg_dedup_item *it = &dd->result->items[item];
    const gg_dd_grid *gd = &dd->grids[gi];
    const double tol = dd->opts.tolerance_m;
    GEOSGeometry *in = gg_dd_overlay(ctx, d, g, 0);
    if (in == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "%s %s against unified grid %s: the intersection failed: %s", it->dept,
                        it->id, dd->result->grids[gi].code, ctx->geos_msg);
    double in_frame = 0, in_len = 0, g_frame = 0;
    GEOSArea_r(h, in, &in_frame);
    GEOSArea_r(h, g, &g_frame);
    if (!(in_frame > 0)) {
        GEOSGeom_destroy_r(h, in);
        *touching = 1;
        return GG_OK;
    }
    *sum_frame += in_frame;
    GEOSLength_r(h, in, &in_len);
    w->t.area_m2 = gg_frame_area(h, &dd->frame, in);
    w->t.noise = sliver || gg_frame_noise(ctx, in, tol, in_frame, in_len);
    double rest = g_frame - in_frame;
    if (rest <= 1e-9 * g_frame || (e != NULL && !sliver && covers_erosion(h, pd, dix, dd, gi, e))) {
        w->t.whole = 1;
    } else if (!sliver && rest <= tol * (gd->length_m + in_len) * 1.0001) {
        GEOSGeometry *out = gg_dd_overlay(ctx, g, d, 1);
        if (out == NULL) {
            GEOSGeom_destroy_r(h, in);
            return gg_error(ctx, GG_ERR_GEOMETRY, "%s %s against unified grid %s: the difference failed: %s",
                            it->dept, it->id, dd->result->grids[gi].code, ctx->geos_msg);
        }
        w->t.whole = gg_frame_noise(ctx, out, tol, -1, -1);
        GEOSGeom_destroy_r(h, out);
    }
    double box[4];
    gg_geom_box(h, in, box);
    w->t.households = gg_dd_households_in(ctx, dd, d, dix, gi, box);
    w->piece = in;
    return GG_OK;
}

/* The fast path. Against each unified grid G the departmental grid D is
 * first tested with G less the tolerance (E): D not meeting E leaves in G
 * only ground within the tolerance of G's boundary, a sliver; D covering E
 * leaves outside D only such ground, so G is whole. Slivers are cut from
 * thin strips (gg_dd_overlay), cheaply. When D lies wholly in a plan that
 * tiles (its box meets no outline edge), the one grid D covers all but
 * slivers of is not cut at all: its share is D's area less the rest.
 * Cutting two nearly coincident boundaries is what costs: every vertex
 * of one lies within metres of the other. */
gg_status gg_dd_crosswalk(gg_ctx *ctx, gg_dedup *dd, GEOSGeometry *const *grids, GEOSGeometry *const *eroded,
                          size_t item)
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
    /* D's boundary in buckets: "D meets G", "D meets G's erosion" and the
     * households in D are answered from it and each grid's own, read by
     * every thread, instead of a prepared geometry's set-up of the other
     * operand on every call */
    gg_polyindex dix;
    if (gg_polyindex_build(ctx, d, 0, &dix) != GG_OK) {
        GEOSPreparedGeom_destroy_r(h, pd);
        return GG_ERR_NOMEM;
    }
    gg_dd_ids c;
    gg_status st = gg_dd_ids_near(ctx, &dd->grid_index, dd->grid_boxes, dd->dgrid_boxes + 4 * item, &c);
    int fast = eroded != NULL && GEOSGeomTypeId_r(h, d) == GEOS_MULTIPOLYGON && GEOSGetNumGeometries_r(h, d) == 1;
    int inside = !near_outline(dd, dd->dgrid_boxes + 4 * item);
    touch_work *tw = gg_calloc(ctx, c.n ? c.n : 1, sizeof *tw);
    size_t n = 0;
    if (tw == NULL)
        st = GG_ERR_NOMEM;
    double sum_frame = 0;
    for (size_t k = 0; st == GG_OK && k < c.n; k++) {
        int32_t gi = (int32_t)c.v[k];
        const GEOSGeometry *g = grids[gi];
        if (!gg_polyindex_meets(&dix, &dd->grid_ix[gi]))
            continue;
        const gg_dd_grid *gd = &dd->grids[gi];
        const gg_dedup_grid *rg = &r->grids[gi];
        double g_frame = 0;
        GEOSArea_r(h, g, &g_frame);
        touch_work w = {{.grid = gi}, NULL, 0, 0};
        const GEOSGeometry *e = eroded ? eroded[gi] : NULL;
        if (GEOSPreparedCovers_r(h, pd, g) == 1) {
            w.t.area_m2 = gd->area_m2;
            w.t.households = rg->households;
            w.t.whole = 1;
            sum_frame += g_frame;
        } else if (fast && e != NULL && !gg_polyindex_meets(&dix, &dd->eroded_ix[gi])) {
            /* a sliver along G's boundary: noise, not measured */
            const double *db = dd->dgrid_boxes + 4 * item;
            double box[4] = {fmax(db[0], gd->box[0]), fmax(db[1], gd->box[1]), fmin(db[2], gd->box[2]),
                             fmin(db[3], gd->box[3])};
            w.t.noise = 1;
            w.t.area_m2 = NAN;
            w.t.households = gg_dd_households_in(ctx, dd, d, &dix, gi, box);
        } else if (fast && e != NULL && covers_erosion(h, pd, &dix, dd, gi, e)) {
            /* G lies in D but for a sliver along its boundary: whole, with its own area */
            w.t.whole = 1;
            w.t.area_m2 = gd->area_m2;
            w.estimated = 1;
            w.t.households = gg_dd_households_in(ctx, dd, d, &dix, gi, gd->box);
        } else if (fast) {
            /* D reaches into G beyond the tolerance without holding it: measured
             * below, unless G is the only grid D holds more than slivers of */
            const double *db = dd->dgrid_boxes + 4 * item;
            double box[4] = {fmax(db[0], gd->box[0]), fmax(db[1], gd->box[1]), fmin(db[2], gd->box[2]),
                             fmin(db[3], gd->box[3])};
            w.pending = 1;
            w.t.households = gg_dd_households_in(ctx, dd, d, &dix, gi, box);
        } else {
            int sliver = e != NULL && !gg_polyindex_meets(&dix, &dd->eroded_ix[gi]);
            int touching = 0;
            st = measure(ctx, dd, item, d, pd, &dix, g, gi, e, sliver, &w, &sum_frame, &touching);
            if (st != GG_OK)
                break;
            if (touching)
                continue;
        }
        tw[n++] = w;
    }
    /* D near the plan's outline: the part in no unified grid first (it
     * decides whether D lies wholly in the plan) */
    GEOSGeometry *outside = NULL;
    int outside_noise = 1, outside_done = 0;
    if (st == GG_OK && fast && !inside) {
        if (inside_plan(dd, &dix, tw, n, dd->dgrid_boxes + 4 * item)) {
            inside = 1;
        } else {
            st = outside_of(ctx, dd, item, d, grids, tw, n, &outside, &outside_noise);
            inside = st == GG_OK && outside == NULL;
        }
        outside_done = 1;
    }
    /* the grids D reaches into: one alone (the rest slivers) holds D up to
     * noise, with D's area, when D lies wholly in the plan; otherwise each
     * is cut */
    size_t n_pending = 0, n_whole = 0;
    for (size_t i = 0; i < n; i++) {
        n_pending += tw[i].pending;
        n_whole += tw[i].t.whole;
    }
    if (st == GG_OK && inside && n_pending == 1 && n_whole == 0) {
        for (size_t i = 0; i < n; i++)
            if (tw[i].pending) {
                tw[i].pending = 0;
                tw[i].estimated = 1;
                tw[i].t.area_m2 = it->area_m2;
                tw[i].t.noise = gg_frame_noise(ctx, d, tol, d_area_frame, dg->length_m);
            }
    }
    size_t n_kept = 0;
    for (size_t i = 0; i < n; i++) {
        if (st == GG_OK && tw[i].pending) {
            int touching = 0;
            int32_t gi = tw[i].t.grid;
            int64_t households = tw[i].t.households;
            tw[i].pending = 0;
            st = measure(ctx, dd, item, d, pd, &dix, grids[gi], gi, eroded ? eroded[gi] : NULL, 0, &tw[i], &sum_frame,
                         &touching);
            tw[i].t.households = households;
            if (touching)
                continue;
        }
        tw[n_kept++] = tw[i];
    }
    n = n_kept;
    /* the part in no unified grid, unless known */
    if (st == GG_OK && !outside_done &&
        (n == 0 || (!fast && d_area_frame - sum_frame > fmax(1e-2, 1e-9 * d_area_frame))))
        st = outside_of(ctx, dd, item, d, grids, tw, n, &outside, &outside_noise);
    if (!fast)
        inside = 0;
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
            t->area_share = isnan(t->area_m2) ? NAN : it->area_m2 > 0 ? t->area_m2 / it->area_m2 : 0;
            t->grid_share = isnan(t->area_m2) ? NAN : rg->area_m2 > 0 ? fmin(1.0, t->area_m2 / rg->area_m2) : 0;
            t->household_share = hh > 0 ? (double)t->households / (double)hh : 0;
            /* a grid held whole up to noise, its slivers unmeasured: the IoU
             * of the two areas (exact but for the slivers) */
            double iou = tw[i].estimated ? fmin(it->area_m2, rg->area_m2) / fmax(it->area_m2, rg->area_m2)
                                         : t->area_m2 / (it->area_m2 + rg->area_m2 - t->area_m2);
            if (isnan(t->area_m2))
                iou = 0;
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
        if (n_core == 0 || !outside_noise)
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
        if (chosen == 0 && n_core > 0)
            tw[best].t.replacement = 1;
        dd->item_clean[item] = (char)(inside && n_partial == 0 && n_core > 0);
        dd->item_inside[item] = (char)inside;
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
    gg_polyindex_free(ctx, &dix);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ctx);
    return st;
}
