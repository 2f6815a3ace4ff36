/* Reshape and move (govgrid/plan.h): a grid takes a new shape inside its
 * community, and the grids around it give up or take the difference, so
 * that the community stays covered once.
 *
 * How: the boundaries of the grid, of the community's grids the new shape
 * overlaps or (reshape) that touch the grid, and of the new shape itself
 * are noded together on the plans' 1e-7 degree grid and polygonized. Each
 * face inside the new shape goes to the grid; each other face stays with
 * the grid it was part of, except the faces the grid gives up, which go to
 * the neighbour they share the longest boundary with (in passes, so that a
 * face surrounded by other given-up faces follows them). Every changed
 * grid is the union of its faces, which share their noded edges exactly:
 * neighbours keep the same vertices on both sides of every edge, and the
 * grids nearby that a new vertex lies on take it too. Households move by
 * locate's rule over the points in the changed area. */
#include "govgrid/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "geo/shapes.h"
#include "plan/edit.h"

#define GRID_DEG GG_EDIT_GRID_DEG
#define TINY_M2 1.0 /* less area than this is no change */
/* A drawn shape's vertices and edges within this of the grids' vertices
 * are snapped to them (about 0.5 m), as a GIS editor snaps: a shape drawn
 * along an existing boundary follows it instead of leaving slivers. */
#define SNAP_DEG 5e-6
/* Faces smaller than this (square metres) are slivers of the noding: each
 * goes with the face it shares the longest boundary with. */
#define SLIVER_M2 0.5

enum { RESHAPE, MOVE };

/* A POLYGON or MULTIPOLYGON in EPSG:4326 on the precision grid, valid. */
static gg_status read_polygon(gg_ctx *ctx, const char *wkt, GEOSGeometry **out)
{
    GEOSContextHandle_t h = ctx->geos;
    *out = NULL;
    GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
    GEOSGeometry *g = rd ? GEOSWKTReader_read_r(h, rd, wkt) : NULL;
    if (rd)
        GEOSWKTReader_destroy_r(h, rd);
    int type = g ? GEOSGeomTypeId_r(h, g) : -1;
    if (g == NULL || (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)) {
        if (g)
            GEOSGeom_destroy_r(h, g);
        return gg_error(ctx, GG_ERR_ARG,
                        "the polygon must be a POLYGON or MULTIPOLYGON in WGS 84 longitude/latitude (EPSG:4326), got "
                        "'%.60s'%s",
                        wkt, g == NULL ? ": not WKT" : "");
    }
    if (GEOSisValid_r(h, g) != 1) {
        char *why = GEOSisValidReason_r(h, g);
        gg_status st = gg_error(ctx, GG_ERR_INVALID_INPUT, "the polygon is not valid: %s (draw it again)",
                                why ? why : "unknown");
        if (why)
            GEOSFree_r(h, why);
        GEOSGeom_destroy_r(h, g);
        return st;
    }
    *out = GEOSGeom_setPrecision_r(h, g, GRID_DEG, 0);
    GEOSGeom_destroy_r(h, g);
    if (*out == NULL || GEOSisEmpty_r(h, *out) == 1) {
        if (*out)
            GEOSGeom_destroy_r(h, *out);
        *out = NULL;
        return gg_error(ctx, GG_ERR_INVALID_INPUT, "the polygon is empty on the plans' 1e-7 degree grid");
    }
    return GG_OK;
}

static double area_m2(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    return g ? gg_geom_area_m2(h, g) : 0;
}

/* A collection of copies of geoms[0..n); NULL when GEOS fails. */
static GEOSGeometry *collection_of(GEOSContextHandle_t h, const GEOSGeometry *const *geoms, size_t n)
{
    GEOSGeometry **copies = malloc((n ? n : 1) * sizeof *copies);
    if (copies == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        copies[i] = GEOSGeom_clone_r(h, geoms[i]);
    GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, copies, (unsigned)n);
    free(copies);
    return all;
}

/* The union of geoms[0..n). */
static GEOSGeometry *union_of(GEOSContextHandle_t h, const GEOSGeometry *const *geoms, size_t n)
{
    GEOSGeometry *all = collection_of(h, geoms, n);
    GEOSGeometry *u = all ? GEOSUnaryUnionPrec_r(h, all, GRID_DEG) : NULL;
    if (all)
        GEOSGeom_destroy_r(h, all);
    return u;
}

/* The distinct vertices of geoms[0..n). */
static GEOSGeometry *vertices_of(GEOSContextHandle_t h, const GEOSGeometry *const *geoms, size_t n)
{
    GEOSGeometry *all = collection_of(h, geoms, n);
    GEOSGeometry *pts = all ? GEOSGeom_extractUniquePoints_r(h, all) : NULL;
    if (all)
        GEOSGeom_destroy_r(h, all);
    return pts;
}

/* Length of the boundary two faces share. */
static double shared_length(GEOSContextHandle_t h, const GEOSGeometry *a, const GEOSGeometry *b)
{
    GEOSGeometry *ba = GEOSBoundary_r(h, a), *bb = GEOSBoundary_r(h, b);
    GEOSGeometry *common = ba && bb ? GEOSIntersection_r(h, ba, bb) : NULL;
    double len = 0;
    if (common == NULL || GEOSLength_r(h, common, &len) != 1)
        len = 0;
    if (ba)
        GEOSGeom_destroy_r(h, ba);
    if (bb)
        GEOSGeom_destroy_r(h, bb);
    if (common)
        GEOSGeom_destroy_r(h, common);
    return len;
}

static int pieces_of(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    return g ? GEOSGetNumGeometries_r(h, g) : 0;
}

gg_status gg_edit_reassign(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r)
{
    const gg_edit_reassign_args *a = arg;
    GEOSContextHandle_t h = ctx->geos;
    const char *verb = a->move ? "move" : "reshape";
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, a->plan, &row);
    GEOSGeometry *shape = NULL;
    if (st == GG_OK)
        st = read_polygon(ctx, a->wkt, &shape);
    gg_edit_grid *target = NULL;
    if (st == GG_OK)
        st = gg_store_edit_grids(store, a->plan, &a->code, 1, &target);
    if (st != GG_OK) {
        if (shape)
            GEOSGeom_destroy_r(h, shape);
        return st;
    }
    if (target->locked)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: grid %s is locked (govgrid edit unlock first)", store->path,
                      a->code);

    /* The community's grids, the target among them. */
    gg_community_grid *cg = NULL;
    size_t ncg = 0;
    if (st == GG_OK)
        st = gg_store_community_grids(store, a->plan, target->community, &cg, &ncg);
    GEOSGeometry **geoms = st == GG_OK ? gg_calloc(ctx, ncg + 1, sizeof *geoms) : NULL;
    if (st == GG_OK && geoms == NULL)
        st = gg_error_nomem(ctx);
    size_t t = ncg;
    for (size_t i = 0; st == GG_OK && i < ncg; i++) {
        if (cg[i].geom == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: plan %lld: grid %s has no readable geometry", store->path,
                          (long long)a->plan, cg[i].code);
        geoms[i] = cg[i].geom;
        if (strcmp(cg[i].code, a->code) == 0)
            t = i;
    }
    if (st == GG_OK && t == ncg)
        st = gg_error(ctx, GG_ERR_NOT_FOUND, "%s: plan %lld has no grid %s in community %s", store->path,
                      (long long)a->plan, a->code, target->community);

    /* The new shape: (move: the grid and the piece) within the community. */
    GEOSGeometry *community = st == GG_OK ? union_of(h, (const GEOSGeometry *const *)geoms, ncg) : NULL, *wanted = NULL, *within = NULL;
    if (st == GG_OK && community == NULL)
        st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: community %s: %s", store->path, target->community, ctx->geos_msg);
    if (st == GG_OK) {
        GEOSGeometry *pts = vertices_of(h, (const GEOSGeometry *const *)geoms, ncg);
        GEOSGeometry *snapped = pts ? GEOSSnap_r(h, shape, pts, SNAP_DEG) : NULL;
        if (snapped != NULL && GEOSisValid_r(h, snapped) == 1) {
            GEOSGeometry *fixed = GEOSGeom_setPrecision_r(h, snapped, GRID_DEG, 0);
            if (fixed != NULL) {
                GEOSGeom_destroy_r(h, shape);
                shape = fixed;
            }
        }
        if (snapped)
            GEOSGeom_destroy_r(h, snapped);
        if (pts)
            GEOSGeom_destroy_r(h, pts);
        wanted = a->move ? GEOSUnionPrec_r(h, geoms[t], shape, GRID_DEG) : GEOSGeom_clone_r(h, shape);
        /* Only its polygons: where the shape meets the community's edge
         * the intersection has lines too. */
        GEOSGeometry *cut = wanted ? GEOSIntersectionPrec_r(h, wanted, community, GRID_DEG) : NULL;
        within = cut ? gg_geom_polygons(h, cut) : NULL;
        if (within == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: %s of grid %s: %s", store->path, verb, a->code, ctx->geos_msg);
    }
    if (st == GG_OK && area_m2(h, within) < TINY_M2)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: the polygon does not overlap community %s of grid %s",
                      store->path, target->community, a->code);
    if (st == GG_OK && area_m2(h, wanted) - area_m2(h, within) > TINY_M2)
        snprintf(r->warning, sizeof r->warning, "%.0f m2 of the polygon outside community %s left out",
                 area_m2(h, wanted) - area_m2(h, within), target->community);

    /* The grids the edit may change: those the new shape overlaps and,
     * for a reshape, those touching the grid (they take what it gives up). */
    int *in_set = st == GG_OK ? gg_calloc(ctx, ncg + 1, sizeof *in_set) : NULL;
    if (st == GG_OK && in_set == NULL)
        st = gg_error_nomem(ctx);
    size_t nset = 0;
    if (st == GG_OK) {
        const GEOSPreparedGeometry *pw = GEOSPrepare_r(h, within);
        const GEOSPreparedGeometry *pt = GEOSPrepare_r(h, geoms[t]);
        for (size_t i = 0; i < ncg; i++) {
            int take = i == t;
            if (!take && pw && GEOSPreparedIntersects_r(h, pw, geoms[i]) == 1) {
                GEOSGeometry *common = GEOSIntersection_r(h, within, geoms[i]);
                take = common && area_m2(h, common) > 0;
                if (common)
                    GEOSGeom_destroy_r(h, common);
            }
            if (!take && !a->move && pt && GEOSPreparedIntersects_r(h, pt, geoms[i]) == 1)
                take = 1;
            in_set[i] = take;
            nset += (size_t)take;
        }
        if (pw)
            GEOSPreparedGeom_destroy_r(h, pw);
        if (pt)
            GEOSPreparedGeom_destroy_r(h, pt);
    }

    /* The faces of the grids' and the new shape's boundaries noded together. */
    GEOSGeometry *faces = NULL;
    if (st == GG_OK) {
        GEOSGeometry **lines = gg_calloc(ctx, nset + 2, sizeof *lines);
        size_t nl = 0;
        if (lines == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < ncg; i++)
            if (in_set[i])
                lines[nl++] = GEOSBoundary_r(h, geoms[i]);
        if (st == GG_OK)
            lines[nl++] = GEOSBoundary_r(h, within);
        for (size_t i = 0; st == GG_OK && i < nl; i++)
            if (lines[i] == NULL)
                st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: %s of grid %s: %s", store->path, verb, a->code,
                              ctx->geos_msg);
        GEOSGeometry *all = st == GG_OK ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, lines, (unsigned)nl)
                                        : NULL;
        if (all == NULL)
            for (size_t i = 0; lines != NULL && i < nl; i++)
                if (lines[i])
                    GEOSGeom_destroy_r(h, lines[i]);
        gg_free(ctx, lines);
        GEOSGeometry *noded = all ? GEOSUnaryUnionPrec_r(h, all, GRID_DEG) : NULL;
        if (all)
            GEOSGeom_destroy_r(h, all);
        const GEOSGeometry *in[1] = {noded};
        faces = noded ? GEOSPolygonize_r(h, in, 1) : NULL;
        if (noded)
            GEOSGeom_destroy_r(h, noded);
        if (st == GG_OK && faces == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: %s of grid %s: %s", store->path, verb, a->code, ctx->geos_msg);
    }

    /* Each face's grid before (-1: outside them all) and after. */
    int nf = faces ? GEOSGetNumGeometries_r(h, faces) : 0;
    int *was = st == GG_OK ? gg_calloc(ctx, (size_t)nf + 1, sizeof *was) : NULL;
    int *now = st == GG_OK ? gg_calloc(ctx, (size_t)nf + 1, sizeof *now) : NULL;
    if (st == GG_OK && (was == NULL || now == NULL))
        st = gg_error_nomem(ctx);
    if (st == GG_OK) {
        const GEOSPreparedGeometry **prep = gg_calloc(ctx, ncg + 1, sizeof *prep);
        const GEOSPreparedGeometry *pw = GEOSPrepare_r(h, within);
        if (prep == NULL || pw == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < ncg; i++)
            prep[i] = in_set[i] ? GEOSPrepare_r(h, geoms[i]) : NULL;
        for (int f = 0; st == GG_OK && f < nf; f++) {
            const GEOSGeometry *face = GEOSGetGeometryN_r(h, faces, f);
            GEOSGeometry *p = GEOSPointOnSurface_r(h, face);
            was[f] = now[f] = -1;
            for (size_t i = 0; p && i < ncg && was[f] < 0; i++)
                if (prep[i] && GEOSPreparedContains_r(h, prep[i], p) == 1)
                    was[f] = (int)i;
            if (p && was[f] >= 0)
                now[f] = GEOSPreparedContains_r(h, pw, p) == 1 ? (int)t : was[f] == (int)t ? -2 : was[f];
            if (p)
                GEOSGeom_destroy_r(h, p);
        }
        for (size_t i = 0; prep != NULL && i < ncg; i++)
            if (prep[i])
                GEOSPreparedGeom_destroy_r(h, prep[i]);
        gg_free(ctx, prep);
        if (pw)
            GEOSPreparedGeom_destroy_r(h, pw);
    }
    /* Slivers stay with the grid they were part of when it keeps a face
     * beside them, else go to the edited grid when it is beside them (a
     * shape drawn a few centimetres short of a boundary meant it), else
     * with the face they share the longest boundary with. */
    for (int f = 0; st == GG_OK && f < nf; f++) {
        const GEOSGeometry *face = GEOSGetGeometryN_r(h, faces, f);
        if (now[f] == -1 || area_m2(h, face) >= SLIVER_M2)
            continue;
        double best = 0;
        int owner = now[f], stays = 0, edited = 0;
        for (int o = 0; o < nf; o++) {
            if (o == f || now[o] == -1)
                continue;
            const GEOSGeometry *other = GEOSGetGeometryN_r(h, faces, o);
            if (area_m2(h, other) < SLIVER_M2)
                continue;
            double len = shared_length(h, face, other);
            if (len > 0 && now[o] == was[f])
                stays = 1;
            if (len > 0 && now[o] == (int)t)
                edited = 1;
            if (len > best) {
                best = len;
                owner = now[o];
            }
        }
        now[f] = stays ? was[f] : edited ? (int)t : owner;
    }
    /* The faces the grid gives up (-2) go to the neighbour they share the
     * longest boundary with, in passes. */
    for (int pass = 0, left = 1; st == GG_OK && left && pass < nf + 1; pass++) {
        left = 0;
        int moved = 0;
        for (int f = 0; f < nf; f++) {
            if (now[f] != -2)
                continue;
            const GEOSGeometry *face = GEOSGetGeometryN_r(h, faces, f);
            double best = 0;
            int owner = -1;
            for (int o = 0; o < nf; o++) {
                if (o == f || now[o] < 0 || now[o] == (int)t)
                    continue;
                double len = shared_length(h, face, GEOSGetGeometryN_r(h, faces, o));
                if (len > best) {
                    best = len;
                    owner = now[o];
                }
            }
            if (owner >= 0) {
                now[f] = owner;
                moved = 1;
            } else {
                left = 1;
            }
        }
        if (left && !moved) {
            for (int f = 0; f < nf; f++)
                if (now[f] == -2) {
                    GEOSGeometry *p = GEOSPointOnSurface_r(h, GEOSGetGeometryN_r(h, faces, f));
                    double x = 0, y = 0;
                    if (p) {
                        GEOSGeomGetX_r(h, p, &x);
                        GEOSGeomGetY_r(h, p, &y);
                        GEOSGeom_destroy_r(h, p);
                    }
                    st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                                  "%s: the new shape of grid %s gives up %.0f m2 around (%.6f, %.6f) that no other grid "
                                  "of community %s touches: it would be left uncovered (draw the shape to keep it)",
                                  store->path, a->code, area_m2(h, GEOSGetGeometryN_r(h, faces, f)), x, y,
                                  target->community);
                    break;
                }
            break;
        }
    }

    /* The changed grids: the union of their faces, checked. */
    gg_edit_grid *made = st == GG_OK ? gg_calloc(ctx, nset + 1, sizeof *made) : NULL;
    const char **changed = st == GG_OK ? gg_calloc(ctx, nset + 1, sizeof *changed) : NULL;
    GEOSGeometry **old_geoms = st == GG_OK ? gg_calloc(ctx, nset + 1, sizeof *old_geoms) : NULL;
    if (st == GG_OK && (made == NULL || changed == NULL || old_geoms == NULL))
        st = gg_error_nomem(ctx);
    size_t nm = 0, big = 0;
    gg_edit_grid *set_grids = NULL;
    if (st == GG_OK) {
        const char **codes = gg_calloc(ctx, nset + 1, sizeof *codes);
        size_t nc = 0;
        if (codes == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < ncg; i++)
            if (in_set[i])
                codes[nc++] = cg[i].code;
        if (st == GG_OK)
            st = gg_store_edit_grids(store, a->plan, codes, nc, &set_grids);
        gg_free(ctx, codes);
    }
    for (size_t i = 0, k = 0; st == GG_OK && i < ncg; i++) {
        if (!in_set[i])
            continue;
        gg_edit_grid *g = &set_grids[k++];
        size_t n_faces = 0;
        for (int f = 0; f < nf; f++)
            n_faces += now[f] == (int)i;
        const GEOSGeometry **mine = gg_calloc(ctx, n_faces + 1, sizeof *mine);
        if (mine == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
        size_t m = 0;
        for (int f = 0; f < nf; f++)
            if (now[f] == (int)i)
                mine[m++] = GEOSGetGeometryN_r(h, faces, f);
        GEOSGeometry *shape_i = m ? union_of(h, mine, m) : NULL;
        gg_free(ctx, mine);
        if (m == 0 || shape_i == NULL || GEOSisEmpty_r(h, shape_i) == 1) {
            st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                          "%s: the %s would take all of grid %s: merge it with grid %s instead", store->path, verb,
                          g->code, a->code);
            if (shape_i)
                GEOSGeom_destroy_r(h, shape_i);
            break;
        }
        /* unchanged: the same area to a square metre, nothing moved */
        GEOSGeometry *diff = GEOSSymDifference_r(h, shape_i, g->geom);
        double moved = diff ? area_m2(h, diff) : 1e9;
        if (diff)
            GEOSGeom_destroy_r(h, diff);
        if (moved < TINY_M2 * 1e-3) {
            GEOSGeom_destroy_r(h, shape_i);
            continue;
        }
        /* under a square metre: the noding moved an edge by its rounding
         * (kept, so that the grids still tile exactly, but not a change
         * anyone made: govgrid diff counts it the same grid too) */
        if (moved >= TINY_M2)
            big++;
        if (GEOSisValid_r(h, shape_i) != 1) {
            st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: the %s would leave grid %s invalid: draw the shape again",
                          store->path, verb, g->code);
            GEOSGeom_destroy_r(h, shape_i);
            break;
        }
        if (pieces_of(h, shape_i) > (pieces_of(h, g->geom) > 1 ? pieces_of(h, g->geom) : 1)) {
            st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                          "%s: the %s would cut grid %s into %d pieces: a grid is one piece (draw the shape so that "
                          "it keeps together)",
                          store->path, verb, g->code, pieces_of(h, shape_i));
            GEOSGeom_destroy_r(h, shape_i);
            break;
        }
        if (g->locked) {
            st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: the %s would change grid %s, which is locked", store->path,
                          verb, g->code);
            GEOSGeom_destroy_r(h, shape_i);
            break;
        }
        made[nm] = *g;
        old_geoms[nm] = g->geom;
        g->geom = NULL; /* now old_geoms' */
        made[nm].geom = shape_i;
        made[nm].area_m2 = area_m2(h, shape_i);
        changed[nm] = made[nm].code;
        nm++;
    }
    if (st == GG_OK && big < 2)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      a->move ? "%s: the polygon takes nothing from the grids around grid %s"
                                      : "%s: the new shape of grid %s changes nothing",
                      store->path, a->code);

    /* Grids nearby that a new vertex lies on take it. */
    int *touched = NULL;
    gg_edit_grid *near = NULL;
    size_t nnear = 0;
    if (st == GG_OK) {
        const GEOSGeometry **now_geoms = gg_calloc(ctx, nm + 1, sizeof *now_geoms);
        for (size_t i = 0; now_geoms && i < nm; i++)
            now_geoms[i] = made[i].geom;
        GEOSGeometry *after_pts = now_geoms ? vertices_of(h, now_geoms, nm) : NULL;
        GEOSGeometry *before_pts = vertices_of(h, (const GEOSGeometry *const *)old_geoms, nm);
        GEOSGeometry *fresh = after_pts && before_pts ? GEOSDifference_r(h, after_pts, before_pts) : NULL;
        gg_free(ctx, now_geoms);
        if (fresh == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: %s of grid %s: %s", store->path, verb, a->code, ctx->geos_msg);
        double box[4];
        if (st == GG_OK && GEOSisEmpty_r(h, fresh) == 0 && GEOSGeom_getXMin_r(h, fresh, &box[0]) == 1 &&
            GEOSGeom_getYMin_r(h, fresh, &box[1]) == 1 && GEOSGeom_getXMax_r(h, fresh, &box[2]) == 1 &&
            GEOSGeom_getYMax_r(h, fresh, &box[3]) == 1) {
            box[0] -= 2 * GRID_DEG;
            box[1] -= 2 * GRID_DEG;
            box[2] += 2 * GRID_DEG;
            box[3] += 2 * GRID_DEG;
            gg_grid_code *codes = NULL;
            size_t nc = 0;
            st = gg_store_grid_codes_in_box(store, a->plan, box, &codes, &nc);
            const char **others = st == GG_OK ? gg_calloc(ctx, nc + 1, sizeof *others) : NULL;
            if (st == GG_OK && others == NULL)
                st = gg_error_nomem(ctx);
            for (size_t i = 0; st == GG_OK && i < nc; i++) {
                int mine = 0;
                for (size_t k = 0; k < nm && !mine; k++)
                    mine = strcmp(codes[i].code, made[k].code) == 0;
                if (!mine)
                    others[nnear++] = codes[i].code;
            }
            if (st == GG_OK && nnear > 0)
                st = gg_store_edit_grids(store, a->plan, others, nnear, &near);
            touched = st == GG_OK ? gg_calloc(ctx, nnear + 1, sizeof *touched) : NULL;
            if (st == GG_OK && touched == NULL)
                st = gg_error_nomem(ctx);
            if (st == GG_OK)
                st = gg_edit_take_vertices(ctx, store, a->move ? "the move to grid" : "the reshape of grid",
                                           a->code, near, nnear, fresh, touched);
            for (size_t i = 0; st == GG_OK && i < nnear; i++)
                if (touched[i] && near[i].locked)
                    st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                                  "%s: the %s would add a vertex to grid %s, which is locked", store->path, verb,
                                  near[i].code);
            gg_free(ctx, others);
            gg_free(ctx, codes);
        }
        if (after_pts)
            GEOSGeom_destroy_r(h, after_pts);
        if (before_pts)
            GEOSGeom_destroy_r(h, before_pts);
        if (fresh)
            GEOSGeom_destroy_r(h, fresh);
    }

    /* Households by locate's rule over the changed area: each changed
     * grid's count moves by what it gained or lost. */
    if (st == GG_OK) {
        gg_edit_grid **grids = gg_calloc(ctx, nm + 1, sizeof *grids);
        const GEOSPreparedGeometry **pb = gg_calloc(ctx, nm + 1, sizeof *pb), **pa = gg_calloc(ctx, nm + 1, sizeof *pa);
        int64_t *counts = gg_calloc(ctx, 4 * (nm + 1), sizeof *counts);
        if (grids == NULL || pb == NULL || pa == NULL || counts == NULL)
            st = gg_error_nomem(ctx);
        double box[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
        for (size_t i = 0; st == GG_OK && i < nm; i++) {
            grids[i] = &made[i];
            pb[i] = GEOSPrepare_r(h, old_geoms[i]);
            pa[i] = GEOSPrepare_r(h, made[i].geom);
            double v;
            if (GEOSGeom_getXMin_r(h, old_geoms[i], &v) == 1)
                box[0] = fmin(box[0], v);
            if (GEOSGeom_getYMin_r(h, old_geoms[i], &v) == 1)
                box[1] = fmin(box[1], v);
            if (GEOSGeom_getXMax_r(h, old_geoms[i], &v) == 1)
                box[2] = fmax(box[2], v);
            if (GEOSGeom_getYMax_r(h, old_geoms[i], &v) == 1)
                box[3] = fmax(box[3], v);
        }
        if (st == GG_OK) {
            gg_edit_recount rc = {h,      {grids, pb, nm},     {grids, pa, nm},          counts,
                                  counts + (nm + 1), counts + 2 * (nm + 1), counts + 3 * (nm + 1), 0};
            st = gg_store_households_in_box(store, box, gg_edit_recount_point, &rc);
            if (rc.failed)
                st = gg_error_nomem(ctx);
            for (size_t i = 0; st == GG_OK && i < nm; i++) {
                int64_t dh = rc.hh_after[i] - rc.hh_before[i], dp = rc.pp_after[i] - rc.pp_before[i];
                made[i].households += dh;
                made[i].persons += dp;
                if (!made[i].counted && rc.hh_after[i] > 0 && rc.hh_before[i] == 0 && made[i].households > 0)
                    made[i].counted = 1; /* only what the points tell */
                if (made[i].households < 0)
                    made[i].households = 0;
                if (made[i].persons < 0)
                    made[i].persons = 0;
            }
        }
        for (size_t i = 0; i < nm; i++) {
            if (pb && pb[i])
                GEOSPreparedGeom_destroy_r(h, pb[i]);
            if (pa && pa[i])
                GEOSPreparedGeom_destroy_r(h, pa[i]);
        }
        gg_free(ctx, grids);
        gg_free(ctx, pb);
        gg_free(ctx, pa);
        gg_free(ctx, counts);
    }
    /* Flags against the windows; a count out of its window is a warning. */
    gg_plan_windows w;
    char ur[8] = "";
    if (st == GG_OK)
        st = gg_store_plan_windows(store, a->plan, &w);
    if (st == GG_OK)
        st = gg_store_community_class(store, target->community, ur, sizeof ur);
    for (size_t i = 0; st == GG_OK && i < nm; i++) {
        int rural = gg_plan_windows_rural(&w, ur);
        gg_edit_flags(&w, rural, &made[i], made[i].flags, sizeof made[i].flags);
        if (made[i].counted && made[i].type == 1 && r->warning[0] == '\0' &&
            (strstr(made[i].flags, "over_max") || strstr(made[i].flags, "under_min")))
            snprintf(r->warning, sizeof r->warning, "grid %s holds %lld households, %s %d", made[i].code,
                     (long long)made[i].households, strstr(made[i].flags, "over_max") ? "over the maximum" : "under the minimum",
                     strstr(made[i].flags, "over_max") ? (rural ? w.rural_max : w.urban_max)
                                                       : (rural ? w.rural_min : w.urban_min));
    }

    /* The new plan: the changed grids and the nearby ones that took a
     * vertex replaced. */
    if (st == GG_OK) {
        const char **replaced = gg_calloc(ctx, nm + nnear + 1, sizeof *replaced);
        size_t nr = 0;
        if (replaced == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < nm; i++)
            replaced[nr++] = made[i].code;
        for (size_t i = 0; st == GG_OK && i < nnear; i++)
            if (touched[i])
                replaced[nr++] = near[i].code;
        char params[256];
        snprintf(params, sizeof params, "{\"edit\":\"%s\",\"from\":%lld,\"grid\":\"%s\"}", verb, (long long)a->plan,
                 a->code);
        if (st == GG_OK)
            st = gg_store_plan_new_edit(store, a->plan, a->note, params, &r->plan);
        if (st == GG_OK)
            st = gg_store_share_grids_except(store, a->plan, r->plan, replaced, nr);
        for (size_t i = 0; st == GG_OK && i < nm; i++)
            st = gg_store_grid_insert(store, r->plan, &made[i]);
        for (size_t i = 0; st == GG_OK && i < nnear; i++)
            if (touched[i])
                st = gg_store_grid_insert(store, r->plan, &near[i]);
        gg_free(ctx, replaced);
    }
    if (st == GG_OK) {
        for (size_t i = 0; i < nm; i++)
            if (strcmp(made[i].code, a->code) == 0) {
                snprintf(r->code, sizeof r->code, "%s", made[i].code);
                r->households = made[i].households;
                r->counted = made[i].counted;
            }
        r->grids_changed = (int64_t)big;
    }

    for (size_t i = 0; made != NULL && i < nm; i++) {
        if (made[i].geom)
            GEOSGeom_destroy_r(h, made[i].geom);
        if (old_geoms[i])
            GEOSGeom_destroy_r(h, old_geoms[i]);
    }
    gg_free(ctx, made);
    gg_free(ctx, old_geoms);
    gg_free(ctx, changed);
    gg_free(ctx, touched);
    gg_edit_grids_free(ctx, near, nnear);
    gg_edit_grids_free(ctx, set_grids, nset);
    gg_free(ctx, was);
    gg_free(ctx, now);
    if (faces)
        GEOSGeom_destroy_r(h, faces);
    gg_free(ctx, in_set);
    if (within)
        GEOSGeom_destroy_r(h, within);
    if (wanted)
        GEOSGeom_destroy_r(h, wanted);
    if (community)
        GEOSGeom_destroy_r(h, community);
    gg_free(ctx, geoms);
    gg_community_grids_free(ctx, cg, ncg);
    gg_edit_grids_free(ctx, target, 1);
    GEOSGeom_destroy_r(h, shape);
    return st;
}

static gg_status edit(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, const char *wkt, int mode,
                      const char *note, gg_edit_result *out)
{
    const char *name = mode == MOVE ? "gg_plan_move" : "gg_plan_reshape";
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "%s: NULL store", name) : GG_ERR_ARG;
    if (code == NULL || code[0] == '\0' || wkt == NULL || wkt[0] == '\0')
        return gg_error(ctx, GG_ERR_ARG, "%s needs a grid code and a polygon", mode == MOVE ? "move" : "reshape");
    gg_edit_reassign_args a = {plan, code, wkt, mode == MOVE, note};
    return gg_edit_run(ctx, store, out, gg_edit_reassign, &a);
}

gg_status gg_plan_reshape(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, const char *polygon_wkt,
                          const char *note, gg_edit_result *out)
{
    return edit(ctx, store, plan, code, polygon_wkt, RESHAPE, note, out);
}

gg_status gg_plan_move(gg_ctx *ctx, gg_store *store, int64_t plan, const char *to_code, const char *polygon_wkt,
                       const char *note, gg_edit_result *out)
{
    return edit(ctx, store, plan, to_code, polygon_wkt, MOVE, note, out);
}
