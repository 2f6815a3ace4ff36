/* Loading a comparison: the plan's grids, their communities, the
 * household points with the unified grid each belongs to, and the
 * departmental grids, all moved into the local frame. */
#include "dedup/dedup.h"
#include "geo/blob.h"
#include "geo/shapes.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void gg_geom_box(GEOSContextHandle_t h, const GEOSGeometry *g, double box[4])
{
    if (g == NULL || GEOSisEmpty_r(h, g) == 1 || GEOSGeom_getXMin_r(h, g, &box[0]) != 1 ||
        GEOSGeom_getYMin_r(h, g, &box[1]) != 1 || GEOSGeom_getXMax_r(h, g, &box[2]) != 1 ||
        GEOSGeom_getYMax_r(h, g, &box[3]) != 1)
        box[0] = box[1] = box[2] = box[3] = NAN;
}

/* The grids of the plan, in lon/lat for now (geoms), sorted by code. */
static gg_status load_grids(gg_dedup *dd, GEOSGeometry ***geoms)
{
    gg_ctx *ctx = dd->ctx;
    gg_dedup_result *r = dd->result;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(dd->store,
                                    "SELECT code, coalesce(community, ''), coalesce(type, 1), geom"
                                    " FROM grid WHERE plan = ?1 AND geom IS NOT NULL ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, r->plan);
    size_t cap = 0, cap_g = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (gg_grow(ctx, (void **)&r->grids, &cap, r->n_grids + 1, sizeof *r->grids) != GG_OK ||
            gg_grow(ctx, (void **)geoms, &cap_g, r->n_grids + 1, sizeof **geoms) != GG_OK) {
            st = GG_ERR_NOMEM;
            break;
        }
        gg_dedup_grid *g = &r->grids[r->n_grids];
        memset(g, 0, sizeof *g);
        g->code = gg_strdup(ctx, (const char *)sqlite3_column_text(stmt, 0));
        g->community = gg_strdup(ctx, (const char *)sqlite3_column_text(stmt, 1));
        g->type = sqlite3_column_int(stmt, 2);
        GEOSGeometry *geom = NULL;
        gg_status got = gg_blob_to_geos(ctx, sqlite3_column_blob(stmt, 3), (size_t)sqlite3_column_bytes(stmt, 3), &geom);
        (*geoms)[r->n_grids] = geom;
        r->n_grids++;
        if (g->code == NULL || g->community == NULL || got == GG_ERR_NOMEM) {
            st = GG_ERR_NOMEM;
            break;
        }
        if (got != GG_OK) {
            st = gg_error(ctx, GG_ERR_GEOMETRY, "plan %lld: grid %s: unreadable geometry: %s", (long long)r->plan,
                          g->code, gg_ctx_errmsg(ctx));
            break;
        }
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(dd->store, "reading the plan's grids");
    sqlite3_finalize(stmt);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ctx);
    if (st == GG_OK && r->n_grids == 0)
        st = gg_error(ctx, GG_ERR_NOT_FOUND, "plan %lld has no grids", (long long)r->plan);
    return st;
}

/* Moves lon/lat geometry g (taken over) into the frame; NULL when out of
 * memory (recorded). */
static GEOSGeometry *into_frame(gg_dedup *dd, GEOSGeometry *g)
{
    GEOSContextHandle_t h = dd->ctx->geos;
    GEOSGeometry *m = gg_frame_from_lonlat(h, &dd->frame, g);
    GEOSGeom_destroy_r(h, g);
    if (m == NULL)
        gg_error(dd->ctx, GG_ERR_GEOMETRY, "moving a geometry into the local frame failed: %s", dd->ctx->geos_msg);
    return m;
}

static gg_status frame_grids(gg_dedup *dd, GEOSGeometry **geoms)
{
    gg_ctx *ctx = dd->ctx;
    GEOSContextHandle_t h = ctx->geos;
    gg_dedup_result *r = dd->result;
    double box[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
    for (size_t i = 0; i < r->n_grids; i++) {
        double b[4];
        gg_geom_box(h, geoms[i], b);
        if (isnan(b[0]))
            continue;
        box[0] = fmin(box[0], b[0]);
        box[1] = fmin(box[1], b[1]);
        box[2] = fmax(box[2], b[2]);
        box[3] = fmax(box[3], b[3]);
    }
    if (!(box[0] <= box[2]))
        return gg_error(ctx, GG_ERR_NOT_FOUND, "plan %lld: the grids have no extent", (long long)r->plan);
    gg_frame_init(&dd->frame, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2);
    dd->grids = gg_calloc(ctx, r->n_grids, sizeof *dd->grids);
    dd->grid_boxes = gg_malloc(ctx, r->n_grids * 4 * sizeof *dd->grid_boxes);
    if (dd->grids == NULL || dd->grid_boxes == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < r->n_grids; i++) {
        GEOSGeometry *g = into_frame(dd, geoms[i]);
        geoms[i] = NULL;
        if (g == NULL)
            return GG_ERR_GEOMETRY;
        dd->grids[i].geom = g;
        gg_geom_box(h, g, dd->grids[i].box);
        memcpy(dd->grid_boxes + 4 * i, dd->grids[i].box, sizeof dd->grids[i].box);
        dd->grids[i].area_m2 = gg_frame_area(h, &dd->frame, g);
        GEOSLength_r(h, g, &dd->grids[i].length_m);
        r->grids[i].area_m2 = dd->grids[i].area_m2;
    }
    return gg_boxgrid_build(ctx, &dd->grid_index, dd->grid_boxes, r->n_grids, 2.0);
}

typedef struct edge_key {
    double ax, ay, bx, by;      /* ends, the smaller first */
} edge_key;

static int compare_edge(const void *a, const void *b)
{
    const edge_key *x = a, *y = b;
    if (x->ax != y->ax) return x->ax < y->ax ? -1 : 1;
    if (x->ay != y->ay) return x->ay < y->ay ? -1 : 1;
    if (x->bx != y->bx) return x->bx < y->bx ? -1 : 1;
    if (x->by != y->by) return x->by < y->by ? -1 : 1;
    return 0;
}

static gg_status add_ring_edges(gg_ctx *ctx, const GEOSGeometry *ring, edge_key **edges, size_t *n, size_t *cap)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned size = 0;
    if (seq == NULL || GEOSCoordSeq_getSize_r(h, seq, &size) == 0 || size < 2)
        return GG_OK;
    if (gg_grow(ctx, (void **)edges, cap, *n + size, sizeof **edges) != GG_OK)
        return GG_ERR_NOMEM;
    double px, py;
    GEOSCoordSeq_getXY_r(h, seq, 0, &px, &py);
    for (unsigned i = 1; i < size; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
        int swap = px > x || (px == x && py > y);
        (*edges)[(*n)++] = swap ? (edge_key){x, y, px, py} : (edge_key){px, py, x, y};
        px = x, py = y;
    }
    return GG_OK;
}

/* The plan's outline: the edges no other grid shares (in a plan that
 * tiles, the outside of the union and of its holes). A departmental grid
 * whose box meets none of them lies wholly in the plan. */
static gg_status find_outline(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    GEOSContextHandle_t h = ctx->geos;
    edge_key *edges = NULL;
    size_t n = 0, cap = 0;
    gg_status st = GG_OK;
    for (size_t i = 0; st == GG_OK && i < dd->result->n_grids; i++) {
        const GEOSGeometry *g = dd->grids[i].geom;
        int parts = GEOSGetNumGeometries_r(h, g);
        for (int p = 0; st == GG_OK && p < parts; p++) {
            const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, p);
            st = add_ring_edges(ctx, GEOSGetExteriorRing_r(h, poly), &edges, &n, &cap);
            int holes = GEOSGetNumInteriorRings_r(h, poly);
            for (int k = 0; st == GG_OK && k < holes; k++)
                st = add_ring_edges(ctx, GEOSGetInteriorRingN_r(h, poly, k), &edges, &n, &cap);
        }
    }
    if (st != GG_OK) {
        gg_free(ctx, edges);
        return gg_error_nomem(ctx);
    }
    if (n > 1)
        qsort(edges, n, sizeof *edges, compare_edge);
    size_t cap_b = 0, cap_s = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && compare_edge(&edges[i], &edges[j]) == 0)
            j++;
        if (j - i == 1) {
            if (gg_grow(ctx, (void **)&dd->outline_boxes, &cap_b, 4 * (dd->n_outline + 1), sizeof *dd->outline_boxes) != GG_OK ||
                gg_grow(ctx, (void **)&dd->outline_segs, &cap_s, dd->n_outline + 1, sizeof *dd->outline_segs) != GG_OK) {
                gg_free(ctx, edges);
                return GG_ERR_NOMEM;
            }
            dd->outline_segs[dd->n_outline] = (gg_seg){edges[i].ax, edges[i].ay, edges[i].bx, edges[i].by};
            double *b = dd->outline_boxes + 4 * dd->n_outline++;
            b[0] = fmin(edges[i].ax, edges[i].bx);
            b[1] = fmin(edges[i].ay, edges[i].by);
            b[2] = fmax(edges[i].ax, edges[i].bx);
            b[3] = fmax(edges[i].ay, edges[i].by);
        }
        i = j;
    }
    gg_free(ctx, edges);
    return gg_boxgrid_build(ctx, &dd->outline_index, dd->outline_boxes, dd->n_outline, 4.0);
}

static int compare_community(const void *a, const void *b)
{
    return strcmp(((const gg_dd_community *)a)->code, ((const gg_dd_community *)b)->code);
}

/* The communities of the plan's grids (their codes, in order) and the
 * community of each grid. */
static gg_status load_communities(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    gg_dedup_result *r = dd->result;
    dd->grid_community = gg_malloc(ctx, r->n_grids * sizeof *dd->grid_community);
    if (dd->grid_community == NULL)
        return gg_error_nomem(ctx);
    /* distinct community codes, in code order */
    size_t cap = 0;
    for (size_t i = 0; i < r->n_grids; i++) {
        const char *c = r->grids[i].community;
        int known = 0;
        for (size_t k = dd->n_communities; k > 0 && !known; k--)
            known = strcmp(dd->communities[k - 1].code, c) == 0;
        if (known || c[0] == '\0')
            continue;
        if (gg_grow(ctx, (void **)&dd->communities, &cap, dd->n_communities + 1, sizeof *dd->communities) != GG_OK)
            return GG_ERR_NOMEM;
        dd->communities[dd->n_communities].code = gg_strdup(ctx, c);
        if (dd->communities[dd->n_communities++].code == NULL)
            return gg_error_nomem(ctx);
    }
    if (dd->n_communities > 1)
        qsort(dd->communities, dd->n_communities, sizeof *dd->communities, compare_community);
    for (size_t i = 0; i < r->n_grids; i++) {
        gg_dd_community key = {.code = r->grids[i].community};
        const gg_dd_community *c = r->grids[i].community[0] == '\0' ? NULL
            : bsearch(&key, dd->communities, dd->n_communities, sizeof key, compare_community);
        dd->grid_community[i] = c ? (int32_t)(c - dd->communities) : -1;
    }
    return GG_OK;
}

/* Household points and, through the locator, the unified grid of each. */
static gg_status load_households(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    gg_dedup_result *r = dd->result;
    gg_hh_points *hh = &dd->hh;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(dd->store, "SELECT count, X(geom), Y(geom) FROM household WHERE count > 0",
                                    &stmt);
    if (st != GG_OK)
        return st;
    size_t cap_x = 0, cap_y = 0, cap_c = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (gg_grow(ctx, (void **)&hh->x, &cap_x, hh->n + 1, sizeof *hh->x) != GG_OK ||
            gg_grow(ctx, (void **)&hh->y, &cap_y, hh->n + 1, sizeof *hh->y) != GG_OK ||
            gg_grow(ctx, (void **)&hh->count, &cap_c, hh->n + 1, sizeof *hh->count) != GG_OK) {
            sqlite3_finalize(stmt);
            return GG_ERR_NOMEM;
        }
        hh->count[hh->n] = sqlite3_column_int64(stmt, 0);
        hh->x[hh->n] = sqlite3_column_double(stmt, 1);
        hh->y[hh->n] = sqlite3_column_double(stmt, 2);
        hh->n++;
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(dd->store, "reading the household points");
    sqlite3_finalize(stmt);
    if (st != GG_OK)
        return st;
    if (hh->n >= UINT32_MAX)
        return gg_error(ctx, GG_ERR_ARG, "%zu household points: too many for one comparison", hh->n);
    hh->grid = gg_malloc(ctx, (hh->n ? hh->n : 1) * sizeof *hh->grid);
    hh->order = gg_malloc(ctx, (hh->n ? hh->n : 1) * sizeof *hh->order);
    hh->grid_start = gg_calloc(ctx, r->n_grids + 2, sizeof *hh->grid_start);
    hh->boxes = gg_malloc(ctx, (hh->n ? hh->n : 1) * 4 * sizeof *hh->boxes);
    if (hh->grid == NULL || hh->order == NULL || hh->grid_start == NULL || hh->boxes == NULL)
        return gg_error_nomem(ctx);
    /* into the frame; each point's grid is found once the grids' indexes
     * are built (gg_dd_locate_households) */
    for (size_t i = 0; i < hh->n; i++) {
        hh->x[i] = (hh->x[i] - dd->frame.lon0) * dd->frame.kx;
        hh->y[i] = (hh->y[i] - dd->frame.lat0) * dd->frame.ky;
        double *b = hh->boxes + 4 * i;
        b[0] = b[2] = hh->x[i];
        b[1] = b[3] = hh->y[i];
        hh->grid[i] = -1;
    }
    return gg_boxgrid_build(ctx, &hh->buckets, hh->boxes, hh->n, 16.0);
}

/* Does unified grid a come before b when a point lies in both (on their
 * common boundary, or where dedicated grids lie over comprehensive
 * ones)? The locator's rule: dedicated grids first, then by code (the
 * grids are sorted by code). */
static int ranks_before(const gg_dedup_result *r, int32_t a, int32_t b)
{
    int da = r->grids[a].type != 1, db = r->grids[b].type != 1;
    return da != db ? da > db : a < b;
}

typedef struct point_query {
    const gg_dedup *dd;
    double x, y;
    int32_t best;
} point_query;

static int point_in_grid(void *user, uint32_t g)
{
    point_query *q = user;
    const gg_dedup_result *r = q->dd->result;
    if ((q->best < 0 || ranks_before(r, (int32_t)g, q->best)) &&
        gg_polyindex_locate(&q->dd->grid_ix[g], q->x, q->y) >= 0)
        q->best = (int32_t)g;
    return 0;
}

void gg_dd_locate_households(const gg_dedup *dd, size_t from, size_t to)
{
    const gg_hh_points *hh = &dd->hh;
    for (size_t i = from; i < to; i++) {
        point_query q = {dd, hh->x[i], hh->y[i], -1};
        gg_boxgrid_query(&dd->grid_index, dd->grid_boxes, hh->boxes + 4 * i, point_in_grid, &q);
        hh->grid[i] = q.best;
    }
}

gg_status gg_dd_group_households(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    gg_dedup_result *r = dd->result;
    gg_hh_points *hh = &dd->hh;
    /* grouped by grid (points in none last) */
    for (size_t i = 0; i < hh->n; i++) {
        size_t g = hh->grid[i] >= 0 ? (size_t)hh->grid[i] : r->n_grids;
        hh->grid_start[g + 1]++;
        if (hh->grid[i] >= 0)
            r->grids[hh->grid[i]].households += hh->count[i];
    }
    for (size_t g = 0; g <= r->n_grids; g++)
        hh->grid_start[g + 1] += hh->grid_start[g];
    uint32_t *fill = gg_malloc(ctx, (r->n_grids + 1) * sizeof *fill);
    if (fill == NULL)
        return gg_error_nomem(ctx);
    memcpy(fill, hh->grid_start, (r->n_grids + 1) * sizeof *fill);
    for (size_t i = 0; i < hh->n; i++)
        hh->order[fill[hh->grid[i] >= 0 ? (size_t)hh->grid[i] : r->n_grids]++] = (uint32_t)i;
    gg_free(ctx, fill);
    return GG_OK;
}

typedef struct hh_query {
    const gg_dedup *dd;
    const gg_polyindex *ix;
    int32_t grid;
    int64_t sum;
} hh_query;

static void count_point(hh_query *q, uint32_t i)
{
    const gg_hh_points *hh = &q->dd->hh;
    if (gg_polyindex_locate(q->ix, hh->x[i], hh->y[i]) >= 0)
        q->sum += hh->count[i];
}

static int bucket_point(void *user, uint32_t i)
{
    hh_query *q = user;
    if (q->grid == -2 || q->dd->hh.grid[i] == q->grid)
        count_point(q, i);
    return 0;
}

int64_t gg_dd_households_in(gg_ctx *ctx, const gg_dedup *dd, const GEOSGeometry *g, const gg_polyindex *ix,
                            int32_t grid, const double box[4])
{
    const gg_hh_points *hh = &dd->hh;
    if (hh->n == 0 || g == NULL || isnan(box[0]))
        return 0;
    gg_polyindex own;
    if (ix == NULL) {
        if (gg_polyindex_build(ctx, g, 0, &own) != GG_OK)
            return -1;
        ix = &own;
    }
    hh_query q = {dd, ix, grid, 0};
    size_t n_grids = dd->result->n_grids;
    int done = 0;
    if (grid >= 0 || grid == -1) {
        size_t k = grid >= 0 ? (size_t)grid : n_grids;
        uint32_t from = hh->grid_start[k], to = hh->grid_start[k + 1];
        if (to - from <= 64) {
            for (uint32_t j = from; j < to; j++) {
                uint32_t i = hh->order[j];
                if (hh->x[i] >= box[0] && hh->x[i] <= box[2] && hh->y[i] >= box[1] && hh->y[i] <= box[3])
                    count_point(&q, i);
            }
            done = 1;
        }
    }
    if (!done)
        gg_boxgrid_query(&hh->buckets, hh->boxes, box, bucket_point, &q);
    if (ix == &own)
        gg_polyindex_free(ctx, &own);
    return q.sum;
}

static int compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The departments asked for (or all), sorted, each checked to exist. */
static gg_status load_depts(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    gg_dedup_result *r = dd->result;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(dd->store, "SELECT dept, count(*) FROM dept_grid GROUP BY dept ORDER BY dept",
                                    &stmt);
    if (st != GG_OK)
        return st;
    char **all = NULL;
    size_t n_all = 0, cap = 0;
    while (st == GG_OK && sqlite3_step(stmt) == SQLITE_ROW) {
        if (gg_grow(ctx, (void **)&all, &cap, n_all + 1, sizeof *all) != GG_OK)
            st = GG_ERR_NOMEM;
        else if ((all[n_all++] = gg_strdup(ctx, (const char *)sqlite3_column_text(stmt, 0))) == NULL)
            st = gg_error_nomem(ctx);
    }
    sqlite3_finalize(stmt);
    if (st == GG_OK && n_all == 0)
        st = gg_error(ctx, GG_ERR_NOT_FOUND,
                      "the project has no departmental grids (govgrid import PROJECT dept-grids FILE --set dept=NAME)");
    size_t want = dd->opts.n_depts && dd->opts.depts ? dd->opts.n_depts : n_all;
    if (st == GG_OK) {
        r->depts = gg_calloc(ctx, want, sizeof *r->depts);
        if (r->depts == NULL)
            st = gg_error_nomem(ctx);
    }
    for (size_t i = 0; st == GG_OK && i < want; i++) {
        const char *name = dd->opts.n_depts && dd->opts.depts ? dd->opts.depts[i] : all[i];
        const char *key = name;
        if (bsearch(&key, all, n_all, sizeof *all, compare_text) == NULL) {
            char list[512] = "";
            size_t len = 0;
            for (size_t k = 0; k < n_all && len + 4 < sizeof list; k++)
                len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", k ? ", " : "", all[k]);
            st = gg_error(ctx, GG_ERR_NOT_FOUND, "no departmental grids of department '%s' (the project has: %s)",
                          name, list);
            break;
        }
        int dup = 0;
        for (size_t k = 0; k < r->n_depts && !dup; k++)
            dup = strcmp(r->depts[k].dept, name) == 0;
        if (dup)
            continue;
        if ((r->depts[r->n_depts].dept = gg_strdup(ctx, name)) == NULL)
            st = gg_error_nomem(ctx);
        else
            r->n_depts++;
    }
    for (size_t k = 0; k < n_all; k++)
        gg_free(ctx, all[k]);
    gg_free(ctx, all);
    if (st == GG_OK && r->n_depts > 1) {
        /* sort by name (structs whose first member is the name) */
        for (size_t i = 1; i < r->n_depts; i++)
            for (size_t j = i; j > 0 && strcmp(r->depts[j].dept, r->depts[j - 1].dept) < 0; j--) {
                gg_dedup_dept t = r->depts[j];
                r->depts[j] = r->depts[j - 1];
                r->depts[j - 1] = t;
            }
    }
    return st;
}

/* Checks a departmental grid in the frame, repairing it when invalid:
 * *repair receives what was wrong (NULL when valid). Returns the grid to
 * use, NULL when nothing polygonal is left (*repair says why). */
static GEOSGeometry *check_geometry(gg_ctx *ctx, GEOSGeometry *g, char **repair)
{
    GEOSContextHandle_t h = ctx->geos;
    *repair = NULL;
    if (GEOSisValid_r(h, g) == 1)
        return g;
    char *reason = GEOSisValidReason_r(h, g);
    char buf[512];
    GEOSGeometry *fixed = gg_geom_make_valid_polygons(h, g);
    double area = 0;
    if (fixed == NULL || GEOSisEmpty_r(h, fixed) == 1 || GEOSArea_r(h, fixed, &area) != 1 || area <= 0) {
        snprintf(buf, sizeof buf, "invalid (%s) and nothing polygonal is left after make-valid",
                 reason ? reason : "unknown reason");
        if (fixed)
            GEOSGeom_destroy_r(h, fixed);
        fixed = NULL;
    } else {
        snprintf(buf, sizeof buf, "repaired with make-valid: %s", reason ? reason : "invalid");
    }
    if (reason)
        GEOSFree_r(h, reason);
    *repair = gg_strdup(ctx, buf);
    if (*repair == NULL && fixed != NULL) { /* out of memory: the caller sees neither */
        GEOSGeom_destroy_r(h, fixed);
        fixed = NULL;
    }
    return fixed;
}

static gg_status load_dept_grids(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    gg_dedup_result *r = dd->result;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(dd->store,
                                    "SELECT fid, id, coalesce(name, ''), geom FROM dept_grid"
                                    " WHERE dept = ?1 ORDER BY id",
                                    &stmt);
    size_t cap = 0, cap_d = 0;
    for (size_t d = 0; st == GG_OK && d < r->n_depts; d++) {
        sqlite3_reset(stmt);
        sqlite3_bind_text(stmt, 1, r->depts[d].dept, -1, SQLITE_STATIC);
        int rc;
        while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            if (gg_grow(ctx, (void **)&r->items, &cap, r->n_items + 1, sizeof *r->items) != GG_OK ||
                gg_grow(ctx, (void **)&dd->dgrids, &cap_d, r->n_items + 1, sizeof *dd->dgrids) != GG_OK) {
                st = GG_ERR_NOMEM;
                break;
            }
            gg_dedup_item *it = &r->items[r->n_items];
            gg_dd_dept_grid *dg = &dd->dgrids[r->n_items];
            memset(it, 0, sizeof *it);
            memset(dg, 0, sizeof *dg);
            r->n_items++;
            it->best_grid = -1;
            it->fid = sqlite3_column_int64(stmt, 0);
            it->dept = gg_strdup(ctx, r->depts[d].dept);
            it->id = gg_strdup(ctx, (const char *)sqlite3_column_text(stmt, 1));
            it->name = gg_strdup(ctx, (const char *)sqlite3_column_text(stmt, 2));
            dg->dept = (int32_t)d;
            if (it->dept == NULL || it->id == NULL || it->name == NULL) {
                st = gg_error_nomem(ctx);
                break;
            }
            /* the BLOB, parsed in the pool (gg_dd_prepare_dept_grid) */
            const void *blob = sqlite3_column_blob(stmt, 3);
            int size = sqlite3_column_bytes(stmt, 3);
            if (blob == NULL || size <= 0) {
                it->relation = GG_RELATION_INVALID;
                if ((it->repair = gg_strdup(ctx, "no geometry")) == NULL)
                    st = gg_error_nomem(ctx);
                continue;
            }
            if ((dg->blob = gg_malloc(ctx, (size_t)size)) == NULL) {
                st = gg_error_nomem(ctx);
                break;
            }
            memcpy(dg->blob, blob, (size_t)size);
            dg->blob_size = (size_t)size;
        }
        if (st == GG_OK && rc != SQLITE_DONE)
            st = gg_store_sql_error(dd->store, "reading the departmental grids");
    }
    sqlite3_finalize(stmt);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ctx);
    if (st != GG_OK)
        return st;
    return GG_OK;
}

gg_status gg_dd_prepare_dept_grid(gg_ctx *ctx, gg_dedup *dd, size_t item)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_dedup_item *it = &dd->result->items[item];
    gg_dd_dept_grid *dg = &dd->dgrids[item];
    if (dg->blob == NULL)
        return GG_OK;
    GEOSGeometry *lonlat = NULL;
    gg_status got = gg_blob_to_geos(ctx, dg->blob, dg->blob_size, &lonlat);
    gg_free(ctx, dg->blob);
    dg->blob = NULL;
    if (got == GG_ERR_NOMEM)
        return got;
    if (got != GG_OK) {
        it->relation = GG_RELATION_INVALID;
        char why[GG_ERRMSG_MAX + 32];
        snprintf(why, sizeof why, "no readable geometry (%s)", gg_ctx_errmsg(ctx));
        gg_ctx_clear_error(ctx);
        return (it->repair = gg_strdup(ctx, why)) == NULL ? gg_error_nomem(ctx) : GG_OK;
    }
    GEOSGeometry *g = gg_frame_from_lonlat(h, &dd->frame, lonlat);
    GEOSGeom_destroy_r(h, lonlat);
    if (g == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "%s %s: moving it into the local frame failed: %s", it->dept, it->id,
                        ctx->geos_msg);
    g = check_geometry(ctx, g, &it->repair);
    if (g == NULL && it->repair == NULL)
        return gg_error_nomem(ctx);
    dg->geom = g;
    if (g == NULL) {
        it->relation = GG_RELATION_INVALID;
        return GG_OK;
    }
    dg->area_m2 = gg_frame_area(h, &dd->frame, g);
    GEOSArea_r(h, g, &dg->area_frame);
    GEOSLength_r(h, g, &dg->length_m);
    return GG_OK;
}

gg_status gg_dd_index_dept_grids(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    const gg_dedup_result *r = dd->result;
    dd->dgrid_boxes = gg_malloc(ctx, (r->n_items ? r->n_items : 1) * 4 * sizeof *dd->dgrid_boxes);
    if (dd->dgrid_boxes == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < r->n_items; i++) {
        double *b = dd->dgrid_boxes + 4 * i;
        gg_geom_box(ctx->geos, dd->dgrids[i].geom, b); /* NaN for an invalid grid: in no bucket */
    }
    return gg_boxgrid_build(ctx, &dd->dgrid_index, dd->dgrid_boxes, r->n_items, 2.0);
}

gg_status gg_dd_load(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    GEOSGeometry **geoms = NULL;
    gg_status st = load_grids(dd, &geoms);
    if (st == GG_OK)
        st = frame_grids(dd, geoms);
    if (geoms) {
        for (size_t i = 0; i < dd->result->n_grids; i++)
            if (geoms[i])
                GEOSGeom_destroy_r(ctx->geos, geoms[i]);
        gg_free(ctx, geoms);
    }
    if (st == GG_OK)
        st = find_outline(dd);
    if (st == GG_OK)
        st = load_depts(dd);
    if (st == GG_OK)
        st = load_communities(dd);
    if (st == GG_OK)
        st = gg_progress(ctx, "dedup: reading households and departmental grids", 0, 1);
    if (st == GG_OK)
        st = load_households(dd);
    if (st == GG_OK)
        st = load_dept_grids(dd);
    return st;
}
