/* A department's own coverage (overlaps between its grids, gaps inside the
 * communities it covers) and the duplicates across departments. */
#include "dedup/dedup.h"
#include "geo/shapes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct near_list {
    gg_ctx *ctx;
    uint32_t *v;
    size_t n, cap;
    int failed;
} near_list;

static int collect(void *user, uint32_t item)
{
    near_list *l = user;
    if (gg_grow(l->ctx, (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != GG_OK) {
        l->failed = 1;
        return 1;
    }
    l->v[l->n++] = item;
    return 0;
}

static int compare_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The departmental grids whose boxes meet box, in item order. */
static gg_status near_items(gg_ctx *ctx, const gg_dedup *dd, const double box[4], near_list *l)
{
    *l = (near_list){ctx, NULL, 0, 0, 0};
    gg_boxgrid_query(&dd->dgrid_index, dd->dgrid_boxes, box, collect, l);
    if (l->failed) {
        gg_free(ctx, l->v);
        return gg_error_nomem(ctx);
    }
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, compare_u32);
    return GG_OK;
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
        if (gg_frame_noise(h, part, dd->opts.tolerance_m, -1, -1)) {
            (*noise)++;
            continue;
        }
        GEOSGeometry *one = GEOSGeom_clone_r(h, part);
        one = one ? gg_geom_polygons(h, one) : NULL;
        if (one == NULL)
            return gg_error_nomem(ctx);
        gg_dd_piece p = proto;
        double box[4];
        p.geom = one;
        p.area_m2 = gg_frame_area(h, &dd->frame, one);
        gg_geom_box(h, one, box);
        p.households = gg_dd_households_in(h, dd, one, NULL, -2, box);
        st = push_piece(ctx, pieces, n, cap, p);
    }
    GEOSGeom_destroy_r(h, g);
    return st == GG_ERR_NOMEM ? gg_error_nomem(ctx) : st;
}

gg_status gg_dd_overlaps(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, size_t item,
                         gg_dd_piece **pieces, size_t *n_pieces, size_t *cap_pieces, size_t *noise)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSGeometry *d = dgrids[item];
    if (d == NULL)
        return GG_OK;
    near_list l;
    gg_status st = near_items(ctx, dd, dd->dgrid_boxes + 4 * item, &l);
    if (st != GG_OK)
        return st;
    const GEOSPreparedGeometry *pd = NULL;
    for (size_t k = 0; st == GG_OK && k < l.n; k++) {
        size_t j = l.v[k];
        if (j <= item || dgrids[j] == NULL || dd->dgrids[j].dept != dd->dgrids[item].dept)
            continue;
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
        gg_dd_piece proto = {GG_CONFLICT_OVERLAP, item, j, -1, NULL, 0, 0};
        st = keep_parts(ctx, dd, in, proto, pieces, n_pieces, cap_pieces, noise);
    }
    if (pd)
        GEOSPreparedGeom_destroy_r(h, pd);
    gg_free(ctx, l.v);
    return st;
}

gg_status gg_dd_gaps(gg_ctx *ctx, const gg_dedup *dd, GEOSGeometry *const *dgrids, GEOSGeometry *const *communities,
                     size_t dept, size_t community,
                     gg_dd_piece **pieces, size_t *n_pieces, size_t *cap_pieces, size_t *noise)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSGeometry *cg = communities[community];
    if (cg == NULL)
        return GG_OK;
    double box[4];
    gg_geom_box(h, cg, box);
    near_list l;
    gg_status st = near_items(ctx, dd, box, &l);
    if (st != GG_OK)
        return st;
    const GEOSPreparedGeometry *pc = GEOSPrepare_r(h, cg);
    GEOSGeometry **parts = gg_malloc(ctx, (l.n ? l.n : 1) * sizeof *parts);
    unsigned n = 0;
    if (pc == NULL || parts == NULL)
        st = gg_error_nomem(ctx);
    for (size_t k = 0; st == GG_OK && k < l.n; k++) {
        size_t j = l.v[k];
        if (dgrids[j] == NULL || dd->dgrids[j].dept != (int32_t)dept || GEOSPreparedIntersects_r(h, pc, dgrids[j]) != 1)
            continue;
        if ((parts[n] = GEOSGeom_clone_r(h, dgrids[j])) == NULL)
            st = gg_error_nomem(ctx);
        else
            n++;
    }
    GEOSGeometry *gap = NULL;
    if (st == GG_OK) {
        GEOSGeometry *coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, n);
        n = 0;
        GEOSGeometry *u = coll ? GEOSUnaryUnion_r(h, coll) : NULL;
        if (coll)
            GEOSGeom_destroy_r(h, coll);
        gap = u ? gg_dd_overlay(ctx, cg, u, 1) : NULL;
        if (u)
            GEOSGeom_destroy_r(h, u);
        if (gap == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s in community %s: the gaps could not be computed: %s",
                          dd->result->depts[dept].dept, dd->communities[community].code, ctx->geos_msg);
    }
    for (unsigned i = 0; i < n; i++)
        GEOSGeom_destroy_r(h, parts[i]);
    gg_free(ctx, parts);
    if (pc)
        GEOSPreparedGeom_destroy_r(h, pc);
    gg_free(ctx, l.v);
    if (st == GG_OK) {
        gg_dd_piece proto = {GG_CONFLICT_GAP, 0, dept, (int32_t)community, NULL, 0, 0};
        st = keep_parts(ctx, dd, gap, proto, pieces, n_pieces, cap_pieces, noise);
    }
    return st;
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
    near_list l;
    gg_status st = near_items(ctx, dd, ba, &l);
    if (st != GG_OK)
        return st;
    double aa = 0;
    GEOSArea_r(h, a, &aa);
    for (size_t k = 0; st == GG_OK && k < l.n; k++) {
        size_t j = l.v[k];
        if (j <= item || dgrids[j] == NULL || dd->dgrids[j].dept == dd->dgrids[item].dept)
            continue;
        const GEOSGeometry *b = dgrids[j];
        const double *bb = dd->dgrid_boxes + 4 * j;
        double ab = 0;
        GEOSArea_r(h, b, &ab);
        double big = fmax(aa, ab);
        double ix = fmin(ba[2], bb[2]) - fmax(ba[0], bb[0]), iy = fmin(ba[3], bb[3]) - fmax(ba[1], bb[1]);
        if (!(big > 0) || fmin(aa, ab) / big < 0.5 || ix <= 0 || iy <= 0 || ix * iy / big < 0.5)
            continue;
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
        if (!dup && iou >= 0.5) {
            GEOSGeometry *da = gg_dd_overlay(ctx, a, b, 1), *db = gg_dd_overlay(ctx, b, a, 1);
            dup = da && db && gg_frame_noise(h, da, dd->opts.tolerance_m, -1, -1) &&
                  gg_frame_noise(h, db, dd->opts.tolerance_m, -1, -1);
            if (da)
                GEOSGeom_destroy_r(h, da);
            if (db)
                GEOSGeom_destroy_r(h, db);
        }
        if (dup) {
            if (gg_grow(ctx, (void **)dups, cap_dups, *n_dups + 1, sizeof **dups) != GG_OK)
                st = GG_ERR_NOMEM;
            else
                (*dups)[(*n_dups)++] = (gg_dedup_duplicate){item, j, iou, gg_frame_area(h, &dd->frame, in)};
        }
        GEOSGeom_destroy_r(h, in);
    }
    gg_free(ctx, l.v);
    return st == GG_ERR_NOMEM ? gg_error_nomem(ctx) : st;
}
