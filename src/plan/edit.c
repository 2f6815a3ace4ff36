/* Planners' edits (govgrid/plan.h): each makes a new draft from a plan, in
 * one transaction, after checking what the edit would break. */
#include "govgrid/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/code.h"

#include "core/ctx.h"
#include "geo/shapes.h"
#include "plan/edit.h"
#include "store/plan.h"
#include "store/stage.h"

static gg_status check_codes(gg_ctx *ctx, const char *const *codes, size_t n, size_t least, const char *what)
{
    if (codes == NULL || n < least)
        return gg_error(ctx, GG_ERR_ARG, "%s needs at least %zu grid code%s", what, least, least == 1 ? "" : "s");
    for (size_t i = 0; i < n; i++) {
        if (codes[i] == NULL || codes[i][0] == '\0')
            return gg_error(ctx, GG_ERR_ARG, "%s: an empty grid code", what);
        for (size_t k = 0; k < i; k++)
            if (strcmp(codes[i], codes[k]) == 0)
                return gg_error(ctx, GG_ERR_ARG, "%s: grid %s is named twice", what, codes[i]);
    }
    return GG_OK;
}

void gg_edit_flags(const gg_plan_windows *w, int rural, const gg_edit_grid *g, char *out, size_t size)
{
    int min = rural ? w->rural_min : w->urban_min, max = rural ? w->rural_max : w->urban_max;
    out[0] = '\0';
    if (!g->counted)
        return;
    if (g->households > max)
        snprintf(out, size, "over_max");
    else if (g->households < min)
        snprintf(out, size, "under_min");
    if (g->households == 0)
        snprintf(out + strlen(out), size - strlen(out), "%sno_households", out[0] ? "," : "");
}

static gg_status merge(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n,
                       const char *note, gg_edit_result *r)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, plan, &row);
    if (st != GG_OK)
        return st;
    gg_edit_grid *parts = NULL;
    st = gg_store_edit_grids(store, plan, codes, n, &parts);
    if (st != GG_OK)
        return st;
    size_t keep = 0;
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        const gg_edit_grid *g = &parts[i];
        if (strcmp(g->community, parts[0].community) != 0)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                          "%s: grids %s (community %s) and %s (community %s) are in different communities: a grid "
                          "lies in one community",
                          store->path, parts[0].code, parts[0].community, g->code, g->community);
        else if (g->type != parts[0].type)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                          "%s: grids %s (type %d) and %s (type %d) are of different types: merge grids of one type",
                          store->path, parts[0].code, parts[0].type, g->code, g->type);
        else if (g->locked)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: grid %s is locked (govgrid edit unlock first)", store->path,
                          g->code);
        /* The grid that keeps its code: the most households, then area,
         * then the lower code (as codes stay in a partition). */
        else if (i > 0 && (g->households > parts[keep].households ||
                           (g->households == parts[keep].households &&
                            (g->area_m2 > parts[keep].area_m2 ||
                             (g->area_m2 == parts[keep].area_m2 && strcmp(g->code, parts[keep].code) < 0)))))
            keep = i;
    }
    GEOSGeometry *merged = NULL;
    if (st == GG_OK) {
        GEOSGeometry **geoms = gg_calloc(ctx, n, sizeof *geoms);
        if (geoms == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < n; i++)
            geoms[i] = GEOSGeom_clone_r(h, parts[i].geom);
        GEOSGeometry *all =
            st == GG_OK ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, geoms, (unsigned)n) : NULL;
        gg_free(ctx, geoms);
        merged = all ? GEOSCoverageUnion_r(h, all) : NULL;
        if (all)
            GEOSGeom_destroy_r(h, all);
        if (st == GG_OK && merged == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: merging grids %s and %s: %s", store->path, codes[0], codes[1],
                          ctx->geos_msg);
    }
    /* One piece: each part must touch the others. */
    int pieces_before = 0;
    for (size_t i = 0; st == GG_OK && i < n; i++)
        pieces_before = GEOSGetNumGeometries_r(h, parts[i].geom) > pieces_before
                            ? GEOSGetNumGeometries_r(h, parts[i].geom)
                            : pieces_before;
    if (st == GG_OK && GEOSGetNumGeometries_r(h, merged) > (pieces_before > 1 ? pieces_before : 1)) {
        char list[256] = "";
        size_t len = 0;
        for (size_t i = 0; i < n && len + 40 < sizeof list; i++)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i == 0 ? "" : i + 1 == n ? " and " : ", ",
                                    codes[i]);
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      "%s: grids %s do not make one piece: a merged grid must be contiguous (each grid must share "
                      "an edge with another)",
                      store->path, list);
    }
    gg_edit_grid g;
    memset(&g, 0, sizeof g);
    if (st == GG_OK) {
        g = parts[keep];
        g.geom = merged;
        g.households = g.persons = 0;
        g.area_m2 = 0;
        g.counted = 1;
        for (size_t i = 0; i < n; i++) {
            g.households += parts[i].households;
            g.persons += parts[i].persons;
            g.area_m2 += parts[i].area_m2;
            g.counted &= parts[i].counted;
        }
        gg_plan_windows w;
        st = gg_store_plan_windows(store, plan, &w);
        char ur[8] = "";
        if (st == GG_OK)
            st = gg_store_community_class(store, g.community, ur, sizeof ur);
        if (st == GG_OK)
            gg_edit_flags(&w, gg_plan_windows_rural(&w, ur), &g, g.flags, sizeof g.flags);
        if (st == GG_OK && g.counted && strstr(g.flags, "over_max") != NULL)
            snprintf(r->warning, sizeof r->warning, "grid %s holds %lld households, over the maximum %d", g.code,
                     (long long)g.households, gg_plan_windows_rural(&w, ur) ? w.rural_max : w.urban_max);
    }
    char params[256];
    snprintf(params, sizeof params, "{\"edit\":\"merge\",\"from\":%lld}", (long long)plan);
    if (st == GG_OK)
        st = gg_store_plan_new_edit(store, plan, note, params, &r->plan);
    if (st == GG_OK)
        st = gg_store_share_grids_except(store, plan, r->plan, codes, n);
    if (st == GG_OK)
        st = gg_store_grid_insert(store, r->plan, &g);
    if (st == GG_OK) {
        snprintf(r->code, sizeof r->code, "%s", g.code);
        r->households = g.households;
        r->counted = g.counted;
        r->grids_changed = (int64_t)n;
    }
    if (merged)
        GEOSGeom_destroy_r(h, merged);
    gg_edit_grids_free(ctx, parts, n);
    return st;
}

static gg_status lock(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n, int locked,
                      const char *note, gg_edit_result *r)
{
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, plan, &row);
    gg_edit_grid *grids = NULL;
    if (st == GG_OK)
        st = gg_store_edit_grids(store, plan, codes, n, &grids); /* each must exist */
    gg_edit_grids_free(ctx, grids, n);
    char params[256];
    snprintf(params, sizeof params, "{\"edit\":\"%s\",\"from\":%lld}", locked ? "lock" : "unlock", (long long)plan);
    if (st == GG_OK)
        st = gg_store_plan_new_edit(store, plan, note, params, &r->plan);
    if (st == GG_OK)
        st = gg_store_share_grids_except(store, plan, r->plan, NULL, 0);
    if (st == GG_OK)
        st = gg_store_grids_lock(store, r->plan, codes, n, locked);
    if (st == GG_OK)
        r->grids_changed = (int64_t)n;
    return st;
}

/* ---- split ---- */

#define GRID_DEG GG_EDIT_GRID_DEG

typedef gg_edit_rule_set rule_set;
typedef gg_edit_recount recount;

static int rule_grid(GEOSContextHandle_t h, const rule_set *s, const GEOSGeometry *pt)
{
    int best = -1;
    for (size_t i = 0; i < s->n; i++) {
        if (s->prep[i] == NULL || GEOSPreparedCovers_r(h, s->prep[i], pt) != 1)
            continue;
        const gg_edit_grid *g = s->grids[i];
        if (best < 0) {
            best = (int)i;
            continue;
        }
        const gg_edit_grid *b = s->grids[best];
        int g_ded = g->type != 1, b_ded = b->type != 1;
        if ((g_ded && !b_ded) || (g_ded == b_ded && strcmp(g->code, b->code) < 0))
            best = (int)i;
    }
    return best;
}

int gg_edit_recount_point(void *user, const char *id, double lon, double lat, int64_t households, int64_t persons)
{
    (void)id;
    recount *r = user;
    GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(r->h, lon, lat);
    if (pt == NULL) {
        r->failed = 1;
        return 1;
    }
    int b = rule_grid(r->h, &r->before, pt), a = rule_grid(r->h, &r->after, pt);
    GEOSGeom_destroy_r(r->h, pt);
    if (b >= 0) {
        r->hh_before[b] += households;
        r->pp_before[b] += persons;
    }
    if (a >= 0) {
        r->hh_after[a] += households;
        r->pp_after[a] += persons;
    }
    return 0;
}

static void free_geoms(GEOSContextHandle_t h, GEOSGeometry **g, size_t n)
{
    for (size_t i = 0; g != NULL && i < n; i++)
        if (g[i])
            GEOSGeom_destroy_r(h, g[i]);
}

static gg_status split(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, const char *line_wkt,
                       const char *note, gg_edit_result *r)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, plan, &row);
    gg_edit_grid *target = NULL;
    if (st == GG_OK)
        st = gg_store_edit_grids(store, plan, &code, 1, &target);
    if (st != GG_OK)
        return st;
    gg_edit_grid *g = &target[0];
    GEOSGeometry *line = NULL, *snapped = NULL, *noded = NULL, *faces = NULL, **pieces = NULL;
    size_t n_pieces = 0;
    if (g->locked)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: grid %s is locked (govgrid edit unlock first)", store->path, code);
    else if (GEOSGetNumGeometries_r(h, g->geom) != 1)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      "%s: grid %s is in %d pieces: split a grid of one piece (or merge its pieces' neighbours first)",
                      store->path, code, GEOSGetNumGeometries_r(h, g->geom));
    if (st == GG_OK) {
        GEOSWKTReader *rd = GEOSWKTReader_create_r(h);
        line = rd ? GEOSWKTReader_read_r(h, rd, line_wkt) : NULL;
        if (rd)
            GEOSWKTReader_destroy_r(h, rd);
        int type = line ? GEOSGeomTypeId_r(h, line) : -1;
        if (line == NULL || (type != GEOS_LINESTRING && type != GEOS_MULTILINESTRING))
            st = gg_error(ctx, GG_ERR_ARG,
                          "the split line must be a LINESTRING or MULTILINESTRING in WGS 84 longitude/latitude "
                          "(EPSG:4326), got '%.60s'%s",
                          line_wkt, line == NULL ? ": not WKT" : "");
    }
    /* The grid's boundary and the line noded on the precision grid, then
     * the faces inside the grid. */
    if (st == GG_OK) {
        snapped = GEOSGeom_setPrecision_r(h, line, GRID_DEG, 0);
        GEOSGeometry *boundary = GEOSBoundary_r(h, g->geom);
        GEOSGeometry *parts[2] = {boundary, snapped ? GEOSGeom_clone_r(h, snapped) : NULL};
        GEOSGeometry *both = boundary && parts[1] ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, 2)
                                                  : NULL;
        if (both == NULL) {
            if (boundary)
                GEOSGeom_destroy_r(h, boundary);
            if (parts[1])
                GEOSGeom_destroy_r(h, parts[1]);
        }
        noded = both ? GEOSUnaryUnionPrec_r(h, both, GRID_DEG) : NULL;
        if (both)
            GEOSGeom_destroy_r(h, both);
        const GEOSGeometry *in[1] = {noded};
        faces = noded ? GEOSPolygonize_r(h, in, 1) : NULL;
        if (faces == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: splitting grid %s: %s", store->path, code, ctx->geos_msg);
    }
    const GEOSPreparedGeometry *gprep = st == GG_OK ? GEOSPrepare_r(h, g->geom) : NULL;
    int nf = faces ? GEOSGetNumGeometries_r(h, faces) : 0;
    if (st == GG_OK) {
        pieces = gg_calloc(ctx, (size_t)nf + 1, sizeof *pieces);
        if (pieces == NULL)
            st = gg_error_nomem(ctx);
    }
    for (int i = 0; st == GG_OK && i < nf; i++) {
        const GEOSGeometry *f = GEOSGetGeometryN_r(h, faces, i);
        GEOSGeometry *inside = GEOSPointOnSurface_r(h, f);
        int keep = inside != NULL && GEOSPreparedContains_r(h, gprep, inside) == 1 && gg_geom_area_m2(h, f) > 1.0;
        if (inside)
            GEOSGeom_destroy_r(h, inside);
        if (keep)
            pieces[n_pieces++] = GEOSGeom_clone_r(h, f);
    }
    if (st == GG_OK && n_pieces < 2)
        st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                      "%s: the line does not cut grid %s in two: draw it across the grid from edge to edge", store->path,
                      code);
    for (size_t i = 0; st == GG_OK && i < n_pieces; i++)
        if (GEOSisValid_r(h, pieces[i]) != 1)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: splitting grid %s leaves an invalid piece: draw the line again",
                          store->path, code);
    /* The community's grids, to give the neighbours the new vertices and
     * to count households by locate's rule before and after. */
    gg_community_grid *cg = NULL;
    size_t ncg = 0;
    if (st == GG_OK)
        st = gg_store_community_grids(store, plan, g->community, &cg, &ncg);
    const char **ccodes = st == GG_OK ? gg_calloc(ctx, ncg + 1, sizeof *ccodes) : NULL;
    if (st == GG_OK && ccodes == NULL)
        st = gg_error_nomem(ctx);
    size_t nn = 0;
    for (size_t i = 0; st == GG_OK && i < ncg; i++)
        if (strcmp(cg[i].code, code) != 0)
            ccodes[nn++] = cg[i].code;
    gg_edit_grid *others = NULL;
    if (st == GG_OK && nn > 0)
        st = gg_store_edit_grids(store, plan, ccodes, nn, &others);
    /* The new vertices on the grid's boundary: those of the pieces that lie
     * on it and are none of its own. */
    GEOSGeometry *gbound = st == GG_OK ? GEOSBoundary_r(h, g->geom) : NULL;
    GEOSGeometry *pts = NULL;
    if (st == GG_OK) {
        GEOSGeometry *all = GEOSGeom_extractUniquePoints_r(h, faces);
        GEOSGeometry *own = GEOSGeom_extractUniquePoints_r(h, g->geom);
        GEOSGeometry *fresh = all && own ? GEOSDifference_r(h, all, own) : NULL;
        GEOSGeometry *buffer = gbound ? GEOSBuffer_r(h, gbound, GRID_DEG, 2) : NULL;
        pts = fresh && buffer ? GEOSIntersection_r(h, fresh, buffer) : NULL;
        if (all)
            GEOSGeom_destroy_r(h, all);
        if (own)
            GEOSGeom_destroy_r(h, own);
        if (fresh)
            GEOSGeom_destroy_r(h, fresh);
        if (buffer)
            GEOSGeom_destroy_r(h, buffer);
        if (pts == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "%s: splitting grid %s: %s", store->path, code, ctx->geos_msg);
    }
    /* Neighbours that the new vertices lie on take them. */
    int *touched = st == GG_OK ? gg_calloc(ctx, nn + 1, sizeof *touched) : NULL;
    if (st == GG_OK && touched == NULL)
        st = gg_error_nomem(ctx);
    if (st == GG_OK)
        st = gg_edit_take_vertices(ctx, store, "the split of grid", code, others, nn, pts, touched);
    /* Codes: the piece with the most households keeps the grid's (then the
     * larger area); the others take sequences never issued. */
    gg_edit_grid *made = st == GG_OK ? gg_calloc(ctx, n_pieces, sizeof *made) : NULL;
    if (st == GG_OK && made == NULL)
        st = gg_error_nomem(ctx);
    for (size_t i = 0; st == GG_OK && i < n_pieces; i++) {
        made[i] = *g;
        made[i].geom = pieces[i];
        made[i].area_m2 = gg_geom_area_m2(h, pieces[i]);
        made[i].households = made[i].persons = 0;
        made[i].flags[0] = '\0';
    }
    /* Households by locate's rule, over the points in the grid's box,
     * before (the grid and its community) and after (the pieces, the
     * neighbours with their new vertices). */
    if (st == GG_OK) {
        size_t ns = nn + n_pieces + 1;
        gg_edit_grid **before = gg_calloc(ctx, ns, sizeof *before), **after = gg_calloc(ctx, ns, sizeof *after);
        const GEOSPreparedGeometry **pb = gg_calloc(ctx, ns, sizeof *pb), **pa = gg_calloc(ctx, ns, sizeof *pa);
        int64_t *counts = gg_calloc(ctx, 4 * ns, sizeof *counts);
        if (before == NULL || after == NULL || pb == NULL || pa == NULL || counts == NULL)
            st = gg_error_nomem(ctx);
        size_t nb = 0, na = 0;
        if (st == GG_OK) {
            before[nb] = g;
            pb[nb++] = gprep;
            /* the old neighbour shapes differ from the new only by added
             * collinear vertices, so the same prepared rule serves both */
            for (size_t i = 0; i < nn; i++) {
                before[nb] = &others[i];
                pb[nb++] = GEOSPrepare_r(h, others[i].geom);
                after[na] = &others[i];
                pa[na++] = pb[nb - 1];
            }
            /* The pieces keep the grid's code for the rule until the codes
             * are given: the kept one's. */
            for (size_t i = 0; i < n_pieces; i++) {
                after[na] = &made[i];
                pa[na++] = GEOSPrepare_r(h, made[i].geom);
            }
            double box[4];
            GEOSGeom_getXMin_r(h, g->geom, &box[0]);
            GEOSGeom_getYMin_r(h, g->geom, &box[1]);
            GEOSGeom_getXMax_r(h, g->geom, &box[2]);
            GEOSGeom_getYMax_r(h, g->geom, &box[3]);
            recount rc = {h, {before, pb, nb}, {after, pa, na}, counts, counts + ns, counts + 2 * ns, counts + 3 * ns,
                          0};
            st = gg_store_households_in_box(store, box, gg_edit_recount_point, &rc);
            if (rc.failed)
                st = gg_error_nomem(ctx);
            /* The neighbours' counts move by what they gained or lost. */
            for (size_t i = 0; st == GG_OK && i < nn; i++) {
                int64_t dh = rc.hh_after[i] - rc.hh_before[1 + i], dp = rc.pp_after[i] - rc.pp_before[1 + i];
                if (dh != 0 || dp != 0) {
                    others[i].households += dh;
                    others[i].persons += dp;
                    touched[i] = 1;
                }
            }
            for (size_t i = 0; st == GG_OK && i < n_pieces; i++) {
                made[i].households = rc.hh_after[nn + i];
                made[i].persons = rc.pp_after[nn + i];
            }
        }
        for (size_t i = 1; pb != NULL && i < nb; i++)
            if (pb[i])
                GEOSPreparedGeom_destroy_r(h, pb[i]);
        for (size_t i = nn; pa != NULL && i < na; i++)
            if (pa[i])
                GEOSPreparedGeom_destroy_r(h, pa[i]);
        gg_free(ctx, before);
        gg_free(ctx, after);
        gg_free(ctx, pb);
        gg_free(ctx, pa);
        gg_free(ctx, counts);
    }
    size_t keep = 0;
    for (size_t i = 1; st == GG_OK && i < n_pieces; i++)
        if (made[i].households > made[keep].households ||
            (made[i].households == made[keep].households && made[i].area_m2 > made[keep].area_m2))
            keep = i;
    if (st == GG_OK) {
        int highest[10];
        st = gg_store_codes_highest(store, g->community, highest);
        int t = g->type % 10, next = highest[t];
        for (size_t i = 0; i < ncg; i++) {
            char comm[13];
            if (gg_grid_code_layout(cg[i].code, comm) == GG_CODE_LAYOUT_UNIFIED16 && cg[i].code[12] - '0' == t &&
                atoi(cg[i].code + 13) > next)
                next = atoi(cg[i].code + 13);
        }
        char cname[160] = "";
        if (st == GG_OK)
            st = gg_store_community_name(store, g->community, cname, sizeof cname);
        for (size_t i = 0; st == GG_OK && i < n_pieces; i++) {
            if (i == keep)
                continue;
            if (++next > 999) {
                st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                              "%s: community %s has issued 999 codes of type %d: no sequence is left for a new grid",
                              store->path, g->community, t);
                break;
            }
            snprintf(made[i].code, sizeof made[i].code, "%.12s%d%03d", g->community, t, next % 1000);
            snprintf(made[i].name, sizeof made[i].name, "%s%s%d%s", cname[0] ? cname : g->community,
                     g->type == 1 ? "第" : "专属网格", next, g->type == 1 ? "网格" : "");
            made[i].beidou[0] = '\0';
        }
    }
    gg_plan_windows w;
    char ur[8] = "";
    if (st == GG_OK)
        st = gg_store_plan_windows(store, plan, &w);
    if (st == GG_OK)
        st = gg_store_community_class(store, g->community, ur, sizeof ur);
    for (size_t i = 0; st == GG_OK && i < n_pieces; i++) {
        /* counted from the points: known when the grid's count was, or when
         * the piece holds households (the points tell) */
        made[i].counted = g->counted || made[i].households > 0;
        gg_edit_flags(&w, gg_plan_windows_rural(&w, ur), &made[i], made[i].flags, sizeof made[i].flags);
        if (made[i].counted && strstr(made[i].flags, "under_min") != NULL && r->warning[0] == '\0')
            snprintf(r->warning, sizeof r->warning, "grid %s holds %lld households, under the minimum %d",
                     made[i].code, (long long)made[i].households,
                     gg_plan_windows_rural(&w, ur) ? w.rural_min : w.urban_min);
    }
    /* The new plan: the grid and its changed neighbours replaced. */
    char params[256];
    snprintf(params, sizeof params, "{\"edit\":\"split\",\"from\":%lld,\"grid\":\"%s\"}", (long long)plan, code);
    const char **replaced = st == GG_OK ? gg_calloc(ctx, nn + 2, sizeof *replaced) : NULL;
    if (st == GG_OK && replaced == NULL)
        st = gg_error_nomem(ctx);
    size_t nr = 0;
    if (st == GG_OK && replaced != NULL) {
        replaced[nr++] = code;
        for (size_t i = 0; i < nn; i++)
            if (touched[i])
                replaced[nr++] = others[i].code;
    }
    if (st == GG_OK)
        st = gg_store_plan_new_edit(store, plan, note, params, &r->plan);
    if (st == GG_OK)
        st = gg_store_share_grids_except(store, plan, r->plan, replaced, nr);
    for (size_t i = 0; st == GG_OK && i < nn; i++)
        if (touched[i])
            st = gg_store_grid_insert(store, r->plan, &others[i]);
    for (size_t i = 0; st == GG_OK && i < n_pieces; i++)
        st = gg_store_grid_insert(store, r->plan, &made[i]);
    if (st == GG_OK) {
        snprintf(r->code, sizeof r->code, "%s", made[keep].code);
        r->households = made[keep].households;
        r->grids_changed = (int64_t)n_pieces;
        r->counted = made[keep].counted;
    }
    gg_free(ctx, replaced);
    if (made != NULL)
        for (size_t i = 0; i < n_pieces; i++)
            made[i].geom = NULL; /* the pieces' geometries are freed below */
    gg_free(ctx, made);
    gg_free(ctx, touched);
    if (pts)
        GEOSGeom_destroy_r(h, pts);
    if (gbound)
        GEOSGeom_destroy_r(h, gbound);
    gg_edit_grids_free(ctx, others, nn);
    gg_free(ctx, ccodes);
    gg_community_grids_free(ctx, cg, ncg);
    if (gprep)
        GEOSPreparedGeom_destroy_r(h, gprep);
    free_geoms(h, pieces, n_pieces);
    gg_free(ctx, pieces);
    if (faces)
        GEOSGeom_destroy_r(h, faces);
    if (noded)
        GEOSGeom_destroy_r(h, noded);
    if (snapped)
        GEOSGeom_destroy_r(h, snapped);
    if (line)
        GEOSGeom_destroy_r(h, line);
    gg_edit_grids_free(ctx, target, 1);
    return st;
}

/* Grids that the points pts come within 0.75 of a grid step of take them
 * as vertices (GEOSSnap): every shared edge keeps the same vertices on
 * both sides. */
gg_status gg_edit_take_vertices(gg_ctx *ctx, gg_store *store, const char *what, const char *code, gg_edit_grid *grids,
                                size_t n, const GEOSGeometry *pts, int *touched)
{
    GEOSContextHandle_t h = ctx->geos;
    if (pts == NULL || GEOSisEmpty_r(h, pts) != 0)
        return GG_OK;
    for (size_t i = 0; i < n; i++) {
        double d = 1;
        GEOSGeometry *ob = GEOSBoundary_r(h, grids[i].geom);
        if (ob == NULL || GEOSDistance_r(h, ob, pts, &d) != 1)
            d = 1;
        if (ob)
            GEOSGeom_destroy_r(h, ob);
        if (d > 0.75 * GRID_DEG)
            continue;
        GEOSGeometry *snapped = GEOSSnap_r(h, grids[i].geom, pts, 0.75 * GRID_DEG);
        if (snapped == NULL || GEOSisValid_r(h, snapped) != 1) {
            if (snapped)
                GEOSGeom_destroy_r(h, snapped);
            return gg_error(ctx, GG_ERR_INVALID_INPUT, "%s: %s %s would leave its neighbour %s invalid: draw it again",
                            store->path, what, code, grids[i].code);
        }
        GEOSGeom_destroy_r(h, grids[i].geom);
        grids[i].geom = snapped;
        touched[i] = 1;
    }
    return GG_OK;
}

/* The grids of plan `to` whose boundary, count or lock differ from those
 * of plan `from` (its parent), and the codes of `from` it lacks, by code.
 * A grid the two plans share (one stored row) is unchanged; the others'
 * geometries are compared as stored. */
static gg_status edited_grids(gg_ctx *ctx, gg_store *store, int64_t from, int64_t to, gg_edited_grid **out,
                              size_t *n)
{
    static const char sql[] =
        "SELECT b.code, b.community, CASE WHEN a.fid IS NULL THEN 'added' WHEN a.geom IS NOT b.geom THEN 'reshaped'"
        "  WHEN a.households IS NOT b.households THEN 'recounted' WHEN b.locked THEN 'locked' ELSE 'unlocked' END,"
        "  b.households, b.persons, b.area_m2, b.flags, b.locked"
        " FROM grid b LEFT JOIN grid a ON a.plan = ?1 AND a.code = b.code"
        " WHERE b.plan = ?2 AND (a.fid IS NULL OR (a.fid <> b.fid AND (a.geom IS NOT b.geom"
        "  OR a.households IS NOT b.households OR a.locked <> b.locked)))"
        " UNION ALL"
        " SELECT a.code, a.community, 'retired', a.households, a.persons, a.area_m2, a.flags, a.locked"
        " FROM grid a WHERE a.plan = ?1 AND NOT EXISTS (SELECT 1 FROM grid b WHERE b.plan = ?2 AND b.code = a.code)"
        " ORDER BY 1";
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store, sql, &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, from);
    sqlite3_bind_int64(s, 2, to);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out) != GG_OK) {
            st = GG_ERR_NOMEM;
            break;
        }
        gg_edited_grid *g = &(*out)[(*n)++];
        memset(g, 0, sizeof *g);
        gg_store_column_text(s, 0, g->code, sizeof g->code);
        gg_store_column_text(s, 1, g->community, sizeof g->community);
        gg_store_column_text(s, 2, g->change, sizeof g->change);
        g->counted = sqlite3_column_type(s, 3) != SQLITE_NULL;
        g->households = sqlite3_column_int64(s, 3);
        g->persons = sqlite3_column_int64(s, 4);
        g->area_m2 = sqlite3_column_double(s, 5);
        gg_store_column_text(s, 6, g->flags, sizeof g->flags);
        g->locked = sqlite3_column_int(s, 7);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "the grids an edit changed");
    sqlite3_finalize(s);
    if (st != GG_OK) {
        gg_free(ctx, *out);
        *out = NULL;
        *n = 0;
    }
    return st;
}

/* Runs an edit in one transaction: committed, or with dry_run rolled back
 * once what it did (r and, when grids is not NULL, the grids it changed)
 * has been read. */
static gg_status run_edit(gg_ctx *ctx, gg_store *store, int64_t plan, int dry_run, gg_edit_result *out,
                          gg_edited_grid **grids, size_t *n_grids,
                          gg_status (*edit)(gg_ctx *, gg_store *, void *, gg_edit_result *), void *arg)
{
    gg_edit_result r;
    memset(&r, 0, sizeof r);
    gg_edited_grid *changed_grids = NULL;
    size_t n_changed = 0;
    gg_status st = gg_store_begin(store);
    if (st != GG_OK)
        return st;
    st = edit(ctx, store, arg, &r);
    if (st == GG_OK && grids != NULL)
        st = edited_grids(ctx, store, plan, r.plan, &changed_grids, &n_changed);
    if (st == GG_OK && !dry_run) {
        static const char *const changed[] = {"plan", "grid"};
        st = gg_store_changes_bump(store, changed, 2);
    }
    if (st == GG_OK && !dry_run)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    if (st != GG_OK) {
        gg_free(ctx, changed_grids);
        return st;
    }
    if (out != NULL)
        *out = r;
    if (grids != NULL) {
        *grids = changed_grids;
        *n_grids = n_changed;
    }
    return st;
}

gg_status gg_edit_run(gg_ctx *ctx, gg_store *store, gg_edit_result *out, gg_edit_fn edit, void *arg)
{
    return run_edit(ctx, store, 0, 0, out, NULL, NULL, edit, arg);
}

typedef struct edit_args {
    int64_t plan;
    const char *const *codes;
    size_t n;
    int locked;
    const char *note;
    const char *note2; /* split: the line's WKT */
} edit_args;

static gg_status do_merge(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r)
{
    edit_args *a = arg;
    return merge(ctx, store, a->plan, a->codes, a->n, a->note, r);
}

static gg_status do_split(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r)
{
    edit_args *a = arg;
    return split(ctx, store, a->plan, a->codes[0], a->note2, a->note, r);
}

static gg_status do_lock(gg_ctx *ctx, gg_store *store, void *arg, gg_edit_result *r)
{
    edit_args *a = arg;
    return lock(ctx, store, a->plan, a->codes, a->n, a->locked, a->note, r);
}

gg_status gg_plan_merge(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n,
                        const char *note, gg_edit_result *out)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_merge: NULL store") : GG_ERR_ARG;
    gg_status st = check_codes(ctx, codes, n, 2, "merge");
    if (st != GG_OK)
        return st;
    edit_args a = {plan, codes, n, 0, note, NULL};
    return gg_edit_run(ctx, store, out, do_merge, &a);
}

gg_status gg_plan_lock(gg_ctx *ctx, gg_store *store, int64_t plan, const char *const *codes, size_t n, int locked,
                       const char *note, gg_edit_result *out)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_lock: NULL store") : GG_ERR_ARG;
    gg_status st = check_codes(ctx, codes, n, 1, locked ? "lock" : "unlock");
    if (st != GG_OK)
        return st;
    edit_args a = {plan, codes, n, locked, note, NULL};
    return gg_edit_run(ctx, store, out, do_lock, &a);
}

gg_status gg_plan_split(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, const char *line_wkt,
                        const char *note, gg_edit_result *out)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_split: NULL store") : GG_ERR_ARG;
    if (code == NULL || code[0] == '\0' || line_wkt == NULL || line_wkt[0] == '\0')
        return gg_error(ctx, GG_ERR_ARG, "split needs a grid code and a line");
    const char *codes[1] = {code};
    edit_args a = {plan, codes, 1, 0, note, line_wkt};
    return gg_edit_run(ctx, store, out, do_split, &a);
}

const char *gg_edit_kind_name(gg_edit_kind kind)
{
    switch (kind) {
    case GG_EDIT_MERGE: return "merge";
    case GG_EDIT_SPLIT: return "split";
    case GG_EDIT_LOCK: return "lock";
    case GG_EDIT_UNLOCK: return "unlock";
    case GG_EDIT_RESHAPE: return "reshape";
    case GG_EDIT_MOVE: return "move";
    }
    return "";
}

gg_status gg_edit_kind_parse(gg_ctx *ctx, const char *name, gg_edit_kind *kind)
{
    static const gg_edit_kind kinds[] = {GG_EDIT_MERGE, GG_EDIT_SPLIT, GG_EDIT_LOCK,
                                         GG_EDIT_UNLOCK, GG_EDIT_RESHAPE, GG_EDIT_MOVE};
    for (size_t i = 0; name != NULL && i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(name, gg_edit_kind_name(kinds[i])) == 0) {
            *kind = kinds[i];
            return GG_OK;
        }
    return gg_error(ctx, GG_ERR_ARG, "edit kind '%s': give merge, split, reshape, move, lock or unlock",
                    name ? name : "");
}

gg_status gg_plan_edit(gg_ctx *ctx, gg_store *store, int64_t plan, const gg_edit_request *req,
                       gg_edit_result *out, gg_edited_grid **grids, size_t *n)
{
    if (grids != NULL) {
        *grids = NULL;
        if (n != NULL)
            *n = 0;
    }
    if (ctx == NULL || store == NULL || req == NULL || (grids != NULL && n == NULL))
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_edit: NULL store, request or count") : GG_ERR_ARG;
    gg_status st;
    edit_args a = {plan, req->codes, req->n, req->kind == GG_EDIT_LOCK, req->note, req->line_wkt};
    gg_status (*edit)(gg_ctx *, gg_store *, void *, gg_edit_result *) = NULL;
    switch (req->kind) {
    case GG_EDIT_MERGE:
        st = check_codes(ctx, req->codes, req->n, 2, "merge");
        edit = do_merge;
        break;
    case GG_EDIT_SPLIT:
        st = check_codes(ctx, req->codes, req->n, 1, "split");
        if (st == GG_OK && req->n != 1)
            st = gg_error(ctx, GG_ERR_ARG, "split: one grid at a time");
        if (st == GG_OK && (req->line_wkt == NULL || req->line_wkt[0] == '\0'))
            st = gg_error(ctx, GG_ERR_ARG, "split needs a grid code and a line");
        edit = do_split;
        break;
    case GG_EDIT_LOCK:
    case GG_EDIT_UNLOCK:
        st = check_codes(ctx, req->codes, req->n, 1, gg_edit_kind_name(req->kind));
        edit = do_lock;
        break;
    case GG_EDIT_RESHAPE:
    case GG_EDIT_MOVE: {
        const char *what = gg_edit_kind_name(req->kind);
        st = check_codes(ctx, req->codes, req->n, 1, what);
        if (st == GG_OK && req->n != 1)
            st = gg_error(ctx, GG_ERR_ARG, "%s: one grid at a time", what);
        int by_block = req->kind == GG_EDIT_MOVE && req->block != NULL && req->block[0] != '\0';
        int by_polygon = req->polygon_wkt != NULL && req->polygon_wkt[0] != '\0';
        if (st == GG_OK && by_block && by_polygon)
            st = gg_error(ctx, GG_ERR_ARG, "move takes a block or a polygon, not both");
        if (st == GG_OK && !by_block && !by_polygon)
            st = gg_error(ctx, GG_ERR_ARG, "%s needs a grid code and a %s", what,
                          req->kind == GG_EDIT_MOVE ? "block or a polygon" : "polygon");
        char *block_wkt = NULL;
        if (st == GG_OK && by_block)
            st = gg_plan_block_polygon(ctx, store, plan, req->block, &block_wkt);
        if (st != GG_OK)
            return st;
        gg_edit_reassign_args ra = {plan, req->codes[0], by_block ? block_wkt : req->polygon_wkt,
                                    req->kind == GG_EDIT_MOVE, req->note};
        st = run_edit(ctx, store, plan, req->dry_run, out, grids, n, gg_edit_reassign, &ra);
        gg_free(ctx, block_wkt);
        return st;
    }
    default:
        st = gg_error(ctx, GG_ERR_ARG, "gg_plan_edit: edit kind %d is not one this library has", (int)req->kind);
    }
    if (st != GG_OK)
        return st;
    return run_edit(ctx, store, plan, req->dry_run, out, grids, n, edit, &a);
}

void gg_edited_grids_free(gg_ctx *ctx, gg_edited_grid *grids)
{
    gg_free(ctx, grids);
}
