/* The street blocks of a grid: the parts of its polygon between the roads
 * and waterways that cross it, the pieces a planner moves to a neighbour
 * (govgrid edit move --block, the web map's edit mode).
 *
 * A block is a face of the grid's boundary and the linework inside it,
 * noded together (GEOS unary union) and polygonized, on the plans' 1e-7
 * degree grid: the linework is the one a partition follows (the same road
 * classes for the grid's urban or rural community, the same waterways:
 * gg_store_block_lines). A grid no line crosses is one block. Faces under
 * 1 m² (where a road runs along the grid's edge) are not blocks. Blocks are
 * numbered CODE/1, CODE/2, ... north to south, then west to east, by a
 * point inside each: the same numbers for the same plan and linework. */
#include "core/ctx.h"
#include "geo/coverage.h"
#include "geo/shapes.h"
#include "govgrid/plan.h"
#include "partition/partition.h"
#include "store/plan.h"
#include "store/versions.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct block {
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prep;
    double x, y;
} block;

static int compare_blocks(const void *a, const void *b)
{
    const block *p = a, *q = b;
    if (p->y != q->y)
        return p->y > q->y ? -1 : 1;
    return (p->x > q->x) - (p->x < q->x);
}

/* A copy of polygon as block *k of *b (grown), p a point inside it. */
static gg_status add_block(gg_ctx *ctx, block **b, size_t *cap, size_t *k, const GEOSGeometry *polygon,
                           const GEOSGeometry *p)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_status st = gg_grow(ctx, (void **)b, cap, *k + 1, sizeof **b);
    GEOSGeometry *own = st == GG_OK ? GEOSGeom_clone_r(h, polygon) : NULL;
    if (own == NULL)
        return st == GG_OK ? gg_error_nomem(ctx) : st;
    block *n = &(*b)[(*k)++];
    memset(n, 0, sizeof *n);
    GEOSGeomGetX_r(h, p, &n->x);
    GEOSGeomGetY_r(h, p, &n->y);
    n->geom = own;
    return GG_OK;
}

/* The faces of grid cut by lines (may be NULL), on the precision grid,
 * into *out (owned), ordered. */
static gg_status cut(gg_ctx *ctx, const GEOSGeometry *grid, const GEOSGeometry *lines, block **out, size_t *n)
{
    GEOSContextHandle_t h = ctx->geos;
    *out = NULL;
    *n = 0;
    GEOSGeometry *faces = NULL;
    if (lines != NULL) {
        GEOSGeometry *inside = GEOSIntersection_r(h, lines, grid);
        GEOSGeometry *edge = GEOSBoundary_r(h, grid);
        GEOSGeometry *parts[2] = {edge, inside};
        GEOSGeometry *both = inside && edge ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, 2) : NULL;
        if (both == NULL) {
            if (inside)
                GEOSGeom_destroy_r(h, inside);
            if (edge)
                GEOSGeom_destroy_r(h, edge);
            return gg_error(ctx, GG_ERR_GEOMETRY, "cannot cut the grid by its roads: %s", ctx->geos_msg);
        }
        GEOSGeometry *noded = GEOSUnaryUnion_r(h, both);
        GEOSGeom_destroy_r(h, both);
        const GEOSGeometry *in[1] = {noded};
        faces = noded ? GEOSPolygonize_r(h, in, 1) : NULL;
        if (noded)
            GEOSGeom_destroy_r(h, noded);
        if (faces == NULL)
            return gg_error(ctx, GG_ERR_GEOMETRY, "cannot cut the grid by its roads: %s", ctx->geos_msg);
    }
    int count = faces ? GEOSGetNumGeometries_r(h, faces) : 0;
    block *b = gg_calloc(ctx, (size_t)(count > 0 ? count : 1), sizeof *b);
    if (b == NULL) {
        if (faces)
            GEOSGeom_destroy_r(h, faces);
        return gg_error_nomem(ctx);
    }
    const GEOSPreparedGeometry *pg = GEOSPrepare_r(h, grid);
    gg_status st = pg ? GG_OK : gg_error(ctx, GG_ERR_GEOMETRY, "cannot prepare the grid: %s", ctx->geos_msg);
    size_t k = 0, cap = (size_t)(count > 0 ? count : 1);
    for (int i = 0; i < count && st == GG_OK; i++) {
        GEOSGeometry *f = GEOSGeom_setPrecision_r(h, GEOSGetGeometryN_r(h, faces, i), GG_GRID_DEG, 0);
        if (f == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "cannot cut the grid by its roads: %s", ctx->geos_msg);
            break;
        }
        /* On the precision grid a face with a narrow neck may fall in parts:
         * each is a block. */
        int parts = GEOSGetNumGeometries_r(h, f);
        for (int j = 0; j < parts && st == GG_OK; j++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(h, f, j);
            if (GEOSGeomTypeId_r(h, part) != GEOS_POLYGON || GEOSisEmpty_r(h, part) ||
                gg_geom_area_m2(h, part) < GG_PLAN_PART_MIN_M2)
                continue;
            GEOSGeometry *p = GEOSPointOnSurface_r(h, part);
            /* A face in a hole of the grid (another grid's island) is not the grid's. */
            if (p != NULL && GEOSPreparedContains_r(h, pg, p) == 1)
                st = add_block(ctx, &b, &cap, &k, part, p);
            if (p)
                GEOSGeom_destroy_r(h, p);
        }
        GEOSGeom_destroy_r(h, f);
    }
    if (pg)
        GEOSPreparedGeom_destroy_r(h, pg);
    if (faces)
        GEOSGeom_destroy_r(h, faces);
    if (st == GG_OK && k == 0) {
        /* No line crosses it (or none leaves a face of 1 m²): its
         * polygon, or each of its parts, is a block. */
        int parts = GEOSGetNumGeometries_r(h, grid);
        for (int j = 0; j < parts && st == GG_OK; j++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(h, grid, j);
            GEOSGeometry *p = GEOSGeomTypeId_r(h, part) == GEOS_POLYGON ? GEOSPointOnSurface_r(h, part) : NULL;
            if (p == NULL)
                continue;
            st = add_block(ctx, &b, &cap, &k, part, p);
            GEOSGeom_destroy_r(h, p);
        }
        if (st == GG_OK && k == 0)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "the grid has no polygon");
    }
    if (st != GG_OK) {
        for (size_t i = 0; i < k; i++)
            GEOSGeom_destroy_r(h, b[i].geom);
        gg_free(ctx, b);
        return st;
    }
    qsort(b, k, sizeof *b, compare_blocks);
    *out = b;
    *n = k;
    return GG_OK;
}

/* The polygon g as a GeoJSON geometry, 7 decimals (the plans' precision
 * grid), into a string malloc'd through ctx; NULL when out of memory. */
static char *geojson_polygon(gg_ctx *ctx, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = ctx->geos;
    size_t cap = 256, len = 0;
    char *s = gg_malloc(ctx, cap);
    int ok = s != NULL;
#define PUT(...)                                                                                                  \
    do {                                                                                                          \
        int w_ = ok ? snprintf(s + len, cap - len, __VA_ARGS__) : 0;                                           \
        if (ok && (size_t)w_ >= cap - len) {                                                                      \
            ok = gg_grow(ctx, (void **)&s, &cap, len + (size_t)w_ + 256, 1) == GG_OK;                             \
            w_ = ok ? snprintf(s + len, cap - len, __VA_ARGS__) : 0;                                           \
        }                                                                                                         \
        len += ok ? (size_t)w_ : 0;                                                                               \
    } while (0)
    PUT("{\"type\":\"Polygon\",\"coordinates\":[");
    int holes = GEOSGetNumInteriorRings_r(h, g);
    for (int r = -1; ok && r < holes; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, r);
        const GEOSCoordSequence *cs = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
        unsigned int n = 0;
        if (cs == NULL || !GEOSCoordSeq_getSize_r(h, cs, &n)) {
            ok = 0;
            break;
        }
        PUT("%s[", r < 0 ? "" : ",");
        for (unsigned int i = 0; i < n; i++) {
            double x = 0, y = 0;
            GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
            PUT("%s[%.7f,%.7f]", i ? "," : "", x, y);
        }
        PUT("]");
    }
    PUT("]}");
#undef PUT
    if (!ok) {
        gg_free(ctx, s);
        return NULL;
    }
    return s;
}

/* The grids around the one whose blocks are made: all grids of the plan
 * whose box meets its box, with their prepared geometries. */
typedef struct around {
    gg_edit_grid *g;
    const GEOSPreparedGeometry **prep;
    size_t n;
} around;

static gg_status around_load(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, const double box[4],
                             around *a)
{
    memset(a, 0, sizeof *a);
    gg_grid_code *near = NULL;
    size_t nn = 0;
    gg_status st = gg_store_grid_codes_in_box(store, plan, box, &near, &nn);
    const char **codes = st == GG_OK ? gg_calloc(ctx, nn ? nn : 1, sizeof *codes) : NULL;
    if (st == GG_OK && codes == NULL)
        st = gg_error_nomem(ctx);
    size_t m = 0;
    for (size_t i = 0; st == GG_OK && i < nn; i++)
        if (strcmp(near[i].code, code) != 0)
            codes[m++] = near[i].code;
    if (st == GG_OK && m > 0)
        st = gg_store_edit_grids(store, plan, codes, m, &a->g);
    if (st == GG_OK) {
        a->n = m;
        a->prep = gg_calloc(ctx, m ? m : 1, sizeof *a->prep);
        if (a->prep == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < m; i++)
            if ((a->prep[i] = GEOSPrepare_r(ctx->geos, a->g[i].geom)) == NULL)
                st = gg_error(ctx, GG_ERR_GEOMETRY, "grid %s: %s", a->g[i].code, ctx->geos_msg);
    }
    gg_free(ctx, codes);
    gg_free(ctx, near);
    return st;
}

static void around_free(gg_ctx *ctx, around *a)
{
    for (size_t i = 0; a->prep != NULL && i < a->n; i++)
        if (a->prep[i])
            GEOSPreparedGeom_destroy_r(ctx->geos, a->prep[i]);
    gg_free(ctx, a->prep);
    gg_edit_grids_free(ctx, a->g, a->n);
    memset(a, 0, sizeof *a);
}

typedef struct tally {
    GEOSContextHandle_t h;
    const gg_edit_grid *grid;
    const around *others;
    block *blocks;
    gg_grid_block *out;
    size_t n;
} tally;

/* Whether grid g comes before grid h for a point both cover, by locate's
 * rule: a dedicated grid first, then the lower code. */
static int owns_first(const gg_edit_grid *g, const gg_edit_grid *h)
{
    if ((g->type == 1) != (h->type == 1))
        return g->type != 1;
    return strcmp(g->code, h->code) < 0;
}

/* A household point counts for the grid's block that covers it (the first,
 * in their order, for a point on an edge between two blocks) when locate
 * gives it to the grid: no grid it comes after covers the point too. */
static int count_point(void *user, const char *id, double lon, double lat, int64_t households, int64_t persons)
{
    (void)id;
    tally *t = user;
    GEOSGeometry *p = gg_point_on_grid(t->h, lon, lat);
    if (p == NULL)
        return 0;
    size_t i = 0;
    while (i < t->n && GEOSPreparedCovers_r(t->h, t->blocks[i].prep, p) != 1)
        i++;
    for (size_t k = 0; i < t->n && k < t->others->n; k++)
        if (owns_first(&t->others->g[k], t->grid) && GEOSPreparedCovers_r(t->h, t->others->prep[k], p) == 1)
            i = t->n;
    if (i < t->n) {
        t->out[i].households += households;
        t->out[i].persons += persons;
    }
    GEOSGeom_destroy_r(t->h, p);
    return 0;
}

/* The grids of the grid's community around it that share more than a
 * point of edge with each block (those that can take it: a grid stays
 * inside its community): into out[i].touches. */
static gg_status touching(gg_ctx *ctx, const gg_edit_grid *grid, const around *a, block *b, gg_grid_block *out,
                          size_t n)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_status st = GG_OK;
    for (size_t i = 0; st == GG_OK && i < n; i++) {
        GEOSGeometry *edge = GEOSBoundary_r(h, b[i].geom);
        if (edge == NULL) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "cannot read a block's edge: %s", ctx->geos_msg);
            break;
        }
        size_t cap = 0;
        for (size_t k = 0; k < a->n && st == GG_OK; k++) {
            if (strcmp(a->g[k].community, grid->community) != 0)
                continue;
            GEOSGeometry *shared = GEOSIntersection_r(h, edge, a->g[k].geom);
            double len = 0;
            if (shared != NULL)
                GEOSLength_r(h, shared, &len);
            if (shared)
                GEOSGeom_destroy_r(h, shared);
            /* more than a point in common: 1e-6 degree, about 0.1 m */
            if (len <= 1e-6)
                continue;
            st = gg_grow(ctx, (void **)&out[i].touches, &cap, out[i].n_touches + 1, sizeof *out[i].touches);
            if (st == GG_OK)
                snprintf(out[i].touches[out[i].n_touches++], sizeof *out[i].touches, "%s", a->g[k].code);
        }
        GEOSGeom_destroy_r(h, edge);
    }
    return st;
}

gg_status gg_plan_grid_blocks(gg_ctx *ctx, gg_store *store, int64_t plan, const char *code, gg_grid_block **out,
                              size_t *n)
{
    if (out == NULL || n == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_grid_blocks: NULL result") : GG_ERR_ARG;
    *out = NULL;
    *n = 0;
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_grid_blocks: NULL store") : GG_ERR_ARG;
    if (code == NULL || code[0] == '\0')
        return gg_error(ctx, GG_ERR_ARG, "blocks: a grid code is needed");
    GEOSContextHandle_t h = ctx->geos;
    gg_status st = gg_store_resolve_plan(store, plan, &plan);
    gg_edit_grid *g = NULL;
    if (st == GG_OK)
        st = gg_store_edit_grids(store, plan, &code, 1, &g);
    if (st != GG_OK)
        return st;
    double box[4] = {0};
    GEOSGeom_getXMin_r(h, g->geom, &box[0]);
    GEOSGeom_getYMin_r(h, g->geom, &box[1]);
    GEOSGeom_getXMax_r(h, g->geom, &box[2]);
    GEOSGeom_getYMax_r(h, g->geom, &box[3]);
    gg_plan_windows w;
    char ur[8] = "";
    st = gg_store_plan_windows(store, plan, &w);
    if (st == GG_OK)
        st = gg_store_community_class(store, g->community, ur, sizeof ur);
    GEOSGeometry *lines = NULL;
    if (st == GG_OK)
        st = gg_store_block_lines(store, box, gg_plan_windows_rural(&w, ur), &lines);
    block *b = NULL;
    size_t nb = 0;
    if (st == GG_OK)
        st = cut(ctx, g->geom, lines, &b, &nb);
    if (lines)
        GEOSGeom_destroy_r(h, lines);
    gg_grid_block *r = st == GG_OK ? gg_calloc(ctx, nb, sizeof *r) : NULL;
    if (st == GG_OK && r == NULL)
        st = gg_error_nomem(ctx);
    GEOSWKTWriter *wr = st == GG_OK ? GEOSWKTWriter_create_r(h) : NULL;
    if (wr != NULL) {
        GEOSWKTWriter_setTrim_r(h, wr, 1);
        GEOSWKTWriter_setRoundingPrecision_r(h, wr, 7);
    } else if (st == GG_OK) {
        st = gg_error_nomem(ctx);
    }
    for (size_t i = 0; st == GG_OK && i < nb; i++) {
        snprintf(r[i].id, sizeof r[i].id, "%s/%zu", code, i + 1);
        r[i].x = b[i].x;
        r[i].y = b[i].y;
        r[i].area_m2 = gg_geom_area_m2(h, b[i].geom);
        char *wkt = GEOSWKTWriter_write_r(h, wr, b[i].geom);
        r[i].wkt = wkt ? gg_strdup(ctx, wkt) : NULL;
        if (wkt)
            GEOSFree_r(h, wkt);
        r[i].geojson = geojson_polygon(ctx, b[i].geom);
        b[i].prep = GEOSPrepare_r(h, b[i].geom);
        if (r[i].wkt == NULL || r[i].geojson == NULL || b[i].prep == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "cannot write block %s: %s", r[i].id, ctx->geos_msg);
    }
    if (wr)
        GEOSWKTWriter_destroy_r(h, wr);
    around others;
    memset(&others, 0, sizeof others);
    if (st == GG_OK)
        st = around_load(ctx, store, plan, code, box, &others);
    if (st == GG_OK) {
        tally t = {h, g, &others, b, r, nb};
        st = gg_store_households_in_box(store, box, count_point, &t);
    }
    if (st == GG_OK)
        st = touching(ctx, g, &others, b, r, nb);
    around_free(ctx, &others);
    for (size_t i = 0; i < nb; i++) {
        if (b[i].prep)
            GEOSPreparedGeom_destroy_r(h, b[i].prep);
        GEOSGeom_destroy_r(h, b[i].geom);
    }
    gg_free(ctx, b);
    gg_edit_grids_free(ctx, g, 1);
    if (st != GG_OK) {
        gg_grid_blocks_free(ctx, r, r ? nb : 0);
        return st;
    }
    *out = r;
    *n = nb;
    return GG_OK;
}

void gg_grid_blocks_free(gg_ctx *ctx, gg_grid_block *blocks, size_t n)
{
    for (size_t i = 0; blocks != NULL && i < n; i++) {
        gg_free(ctx, blocks[i].wkt);
        gg_free(ctx, blocks[i].geojson);
        gg_free(ctx, blocks[i].touches);
    }
    gg_free(ctx, blocks);
}

gg_status gg_plan_block_polygon(gg_ctx *ctx, gg_store *store, int64_t plan, const char *block_id, char **wkt)
{
    if (wkt == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_block_polygon: NULL result") : GG_ERR_ARG;
    *wkt = NULL;
    if (ctx == NULL)
        return GG_ERR_ARG;
    const char *slash = block_id ? strchr(block_id, '/') : NULL;
    char code[24];
    char *end = NULL;
    long k = slash ? strtol(slash + 1, &end, 10) : 0;
    if (slash == NULL || slash == block_id || (size_t)(slash - block_id) >= sizeof code || end == slash + 1 ||
        *end != '\0' || k < 1)
        return gg_error(ctx, GG_ERR_ARG, "block '%s': expected GRID_CODE/N (as govgrid blocks lists them)",
                        block_id ? block_id : "");
    snprintf(code, sizeof code, "%.*s", (int)(slash - block_id), block_id);
    gg_grid_block *b = NULL;
    size_t n = 0;
    gg_status st = gg_plan_grid_blocks(ctx, store, plan, code, &b, &n);
    if (st != GG_OK)
        return st;
    if ((size_t)k > n)
        st = gg_error(ctx, GG_ERR_NOT_FOUND, "block %s: grid %s has %zu block%s", block_id, code, n,
                      n == 1 ? "" : "s");
    else if ((*wkt = gg_strdup(ctx, b[k - 1].wkt)) == NULL)
        st = gg_error_nomem(ctx);
    gg_grid_blocks_free(ctx, b, n);
    return st;
}

gg_status gg_plan_move_block(gg_ctx *ctx, gg_store *store, int64_t plan, const char *to_code, const char *block_id,
                             const char *note, gg_edit_result *out)
{
    char *wkt = NULL;
    gg_status st = gg_plan_block_polygon(ctx, store, plan, block_id, &wkt);
    if (st == GG_OK)
        st = gg_plan_move(ctx, store, plan, to_code, wkt, note, out);
    gg_free(ctx, wkt);
    return st;
}
