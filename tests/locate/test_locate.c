/* Tests of src/locate: exact orientation, the cell index against GEOS's
 * covers on real plans, the boundary rule, distances and statuses, the
 * GCJ-02 and BD-09 conversions, worker choice, batches and the roster
 * check. */
#include <geos_c.h>
#include <math.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

#include <jansson.h>

#include "failing_alloc.h"
#include "harness.h"
#include "io/fixtures.h"
#include "govgrid/govgrid.h"
#include "locate/csv.h"
#include "locate/index.h"
#include "locate/indexfile.h"
#include "locate/locate.h"
#include "locate/predicates.h"

/* ---- predicates ---- */

static void orientation_is_exact(void)
{
    CHECK_INT(gg_orient2d(0, 0, 1, 0, 0.5, 1), 1);
    CHECK_INT(gg_orient2d(0, 0, 1, 0, 0.5, -1), -1);
    CHECK_INT(gg_orient2d(0, 0, 1, 1, 0.5, 0.5), 0);
    /* Points nearly on a line, where the double determinant is noise:
     * (0.5 + k ulp, 0.5) against the line y = x from (12, 12) to (24, 24). */
    double x = 0.5;
    int left = 0, right = 0, on = 0;
    for (int k = -3; k <= 3; k++) {
        double px = x;
        for (int i = 0; i < (k < 0 ? -k : k); i++)
            px = nextafter(px, k < 0 ? 0 : 1);
        int o = gg_orient2d(12, 12, 24, 24, px, 0.5);
        if (k < 0)
            left += o == 1;
        else if (k > 0)
            right += o == -1;
        else
            on += o == 0;
    }
    CHECK_INT(left, 3);
    CHECK_INT(right, 3);
    CHECK_INT(on, 1);
    /* Segment ends are on it, points beyond are not. */
    CHECK(gg_on_segment(7.4, 43.7, 7.5, 43.8, 7.4, 43.7));
    CHECK(gg_on_segment(7.4, 43.7, 7.5, 43.8, 7.5, 43.8));
    CHECK(!gg_on_segment(7.4, 43.7, 7.5, 43.8, 7.6, 43.9));
}

/* ---- the index against GEOS ---- */

typedef struct reference {
    GEOSContextHandle_t h;
    const GEOSPreparedGeometry **prep;
    GEOSGeometry **geom;
    double *box;                /* minx, miny, maxx, maxy per grid */
    int n;
} reference;

static void reference_load(reference *ref, gg_ctx *ctx, gg_store *store, int64_t plan, const gg_locator *loc)
{
    ref->h = GEOS_init_r();
    ref->n = (int)gg_locator_grid_count(loc);
    ref->prep = calloc((size_t)ref->n, sizeof *ref->prep);
    ref->geom = calloc((size_t)ref->n, sizeof *ref->geom);
    ref->box = calloc((size_t)ref->n * 4, sizeof *ref->box);
    /* Full precision: WKB as hex (AsText would round to 6 decimals). */
    GEOSWKBReader *reader = GEOSWKBReader_create_r(ref->h);
    for (int i = 0; i < ref->n; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "SELECT hex(AsBinary(geom)) FROM grid WHERE plan = %lld AND code = '%s'",
                 (long long)plan, gg_locator_grid(loc, i)->code);
        static char hex[8 << 20];
        fx_scalar_text(store, sql, hex, sizeof hex);
        ref->geom[i] = GEOSWKBReader_readHEX_r(ref->h, reader, (const unsigned char *)hex, strlen(hex));
        CHECK(ref->geom[i] != NULL);
        ref->prep[i] = GEOSPrepare_r(ref->h, ref->geom[i]);
        GEOSGeom_getXMin_r(ref->h, ref->geom[i], &ref->box[4 * i]);
        GEOSGeom_getYMin_r(ref->h, ref->geom[i], &ref->box[4 * i + 1]);
        GEOSGeom_getXMax_r(ref->h, ref->geom[i], &ref->box[4 * i + 2]);
        GEOSGeom_getYMax_r(ref->h, ref->geom[i], &ref->box[4 * i + 3]);
    }
    GEOSWKBReader_destroy_r(ref->h, reader);
    (void)ctx;
}

static void reference_free(reference *ref)
{
    for (int i = 0; i < ref->n; i++) {
        GEOSPreparedGeom_destroy_r(ref->h, ref->prep[i]);
        GEOSGeom_destroy_r(ref->h, ref->geom[i]);
    }
    free(ref->prep);
    free(ref->geom);
    free(ref->box);
    GEOS_finish_r(ref->h);
}

/* Every ring's vertices of the reference grids, each ring closed; last[i]
 * says that vertex i ends its ring (no edge from it). */
typedef struct vertex_list {
    double *x, *y;
    unsigned char *last;
    int *owner;                 /* the reference grid of each vertex */
    size_t n, cap;
} vertex_list;

static void add_ring(const reference *ref, const GEOSGeometry *ring, vertex_list *v, int owner)
{
    const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(ref->h, ring);
    unsigned int n = 0;
    GEOSCoordSeq_getSize_r(ref->h, cs, &n);
    if (v->n + n > v->cap) {
        v->cap = (v->n + n) * 2;
        v->x = realloc(v->x, v->cap * sizeof *v->x);
        v->y = realloc(v->y, v->cap * sizeof *v->y);
        v->last = realloc(v->last, v->cap);
        v->owner = realloc(v->owner, v->cap * sizeof *v->owner);
    }
    for (unsigned int i = 0; i < n; i++) {
        GEOSCoordSeq_getXY_r(ref->h, cs, i, &v->x[v->n], &v->y[v->n]);
        v->owner[v->n] = owner;
        v->last[v->n++] = i + 1 == n;
    }
}

static void vertex_list_free(vertex_list *v)
{
    free(v->x);
    free(v->y);
    free(v->last);
    free(v->owner);
}

static void reference_vertices(const reference *ref, vertex_list *v)
{
    memset(v, 0, sizeof *v);
    for (int i = 0; i < ref->n; i++) {
        int parts = GEOSGetNumGeometries_r(ref->h, ref->geom[i]);
        for (int k = 0; k < parts; k++) {
            const GEOSGeometry *poly = GEOSGetGeometryN_r(ref->h, ref->geom[i], k);
            add_ring(ref, GEOSGetExteriorRing_r(ref->h, poly), v, i);
            int holes = GEOSGetNumInteriorRings_r(ref->h, poly);
            for (int h = 0; h < holes; h++)
                add_ring(ref, GEOSGetInteriorRingN_r(ref->h, poly, h), v, i);
        }
    }
}

/* Checks one point: the locator's grid is the covering grid the boundary
 * rule picks (dedicated first, then lowest code), or none when no grid
 * covers it. Returns the number of covering grids. */
static int check_point(const reference *ref, const gg_locator *loc, double x, double y, int *bad)
{
    GEOSGeometry *p = GEOSGeom_createPointFromXY_r(ref->h, x, y);
    int best = -1, count = 0;
    for (int i = 0; i < ref->n; i++) {
        const double *b = &ref->box[4 * i];
        if (x < b[0] || x > b[2] || y < b[1] || y > b[3])
            continue;
        if (GEOSPreparedCovers_r(ref->h, ref->prep[i], p) == 1) {
            count++;
            const gg_located_grid *gi = gg_locator_grid(loc, i);
            if (best < 0) {
                best = i;
            } else {
                const gg_located_grid *gb = gg_locator_grid(loc, best);
                int di = gi->type != 1, db = gb->type != 1;
                if (di > db || (di == db && strcmp(gi->code, gb->code) < 0))
                    best = i;
            }
        }
    }
    GEOSGeom_destroy_r(ref->h, p);
    int got = gg_locator_find(loc, x, y, NULL);
    if (got != best) {
        if (*bad < 5)
            fprintf(stderr, "  point %.12f %.12f: locator %d, covers %d (%d covering)\n", x, y, got, best, count);
        (*bad)++;
    }
    return count;
}

/* The distance the query should give, by brute force over every edge in
 * the locator's metric (degrees scaled to metres at the point's
 * latitude): to the nearest edge of a grid other than `grid` (-1: any). */
static double brute_distance(const vertex_list *vl, double x, double y, int grid)
{
    double mx, my, best = INFINITY;
    gg_metres_per_degree(y, &mx, &my);
    for (size_t i = 0; i + 1 < vl->n; i++) {
        if (vl->last[i] || vl->owner[i] == grid)
            continue;
        double ux = (vl->x[i + 1] - vl->x[i]) * mx, uy = (vl->y[i + 1] - vl->y[i]) * my;
        double wx = (x - vl->x[i]) * mx, wy = (y - vl->y[i]) * my;
        double len2 = ux * ux + uy * uy;
        double t = len2 > 0 ? (wx * ux + wy * uy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        best = fmin(best, hypot(wx - t * ux, wy - t * uy));
    }
    return best;
}

/* Checks the query's status and distance at one point against brute
 * force (grids are the locator's: the reference loads them in its order).
 * Returns 1 when they disagree. */
static int check_distance(const vertex_list *vl, const gg_locator *loc, double x, double y, int verbose)
{
    gg_locate_result r;
    gg_locator_query(loc, x, y, &r);
    int inside = r.status == GG_LOCATE_INSIDE || r.status == GG_LOCATE_NEAR_BOUNDARY;
    double want = brute_distance(vl, x, y, inside ? r.grid : -1);
    double got = r.distance_m;
    int bad = !isfinite(want) ? isfinite(got) : !(fabs(got - want) <= 1e-3 + 1e-6 * want);
    if (bad && verbose)
        fprintf(stderr, "  point %.12f %.12f: status %s distance %.6f, brute force %.6f\n", x, y,
                gg_locate_status_name(r.status), got, want);
    return bad;
}

static uint64_t rng_state = 88172645463325252ull;

static double uniform(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 9007199254740992.0;
}

static void index_file_answers_as_built(gg_ctx *ctx, gg_store *store, const vertex_list *vl);

/* Random points over the extent, every vertex, and the middle of every edge. */
static void agree_with_covers(const char *area, int n_random)
{
    gg_ctx *ctx = fx_ctx();
    char name[64];
    snprintf(name, sizeof name, "%s.sqlite", area);
    gg_store *store = fx_sample_project(ctx, area, name);
    gg_partition_options popts;
    gg_partition_options_init(&popts);
    gg_partition_report *pr = NULL;
    CHECK_INT(gg_partition(ctx, store, &popts, &pr), GG_OK);
    gg_partition_report_free(ctx, pr);
    gg_locator *loc = NULL;
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    if (loc == NULL) {
        gg_store_close(store);
        gg_ctx_free(ctx);
        return;
    }
    CHECK(gg_locator_grid_count(loc) > 10);
    reference ref;
    reference_load(&ref, ctx, store, gg_locator_plan(loc), loc);
    const gg_cell_index *ix = &loc->index;
    double minx = ix->x0, miny = ix->y0, w = ix->nx * ix->cell, hgt = ix->ny * ix->cell;
    int bad = 0, shared = 0, inside = 0;
    for (int i = 0; i < n_random; i++)
        inside += check_point(&ref, loc, minx + uniform() * w, miny + uniform() * hgt, &bad) > 0;
    vertex_list vl;
    reference_vertices(&ref, &vl);
    CHECK_INT((long long)vl.n, (long long)gg_locator_vertices(loc));
    for (size_t v = 0; v + 1 < vl.n; v++) {
        if (vl.last[v])
            continue;
        shared += check_point(&ref, loc, vl.x[v], vl.y[v], &bad) > 1;
        check_point(&ref, loc, (vl.x[v] + vl.x[v + 1]) / 2, (vl.y[v] + vl.y[v + 1]) / 2, &bad);
    }
    CHECK_INT(bad, 0);
    /* The batch form answers the same, vertices included. */
    size_t nv = vl.n;
    int32_t *many = malloc(nv * sizeof *many), differ = 0;
    gg_locator_find_many(loc, vl.x, vl.y, nv, many);
    for (size_t v = 0; v < nv; v++)
        differ += many[v] != gg_locator_find(loc, vl.x[v], vl.y[v], NULL);
    free(many);
    CHECK_INT(differ, 0);
    /* Distances (inside: to the nearest other grid; outside: to the
     * nearest grid) agree with brute force, for random points, vertices
     * and points just off the middle of edges. */
    int dist_bad = 0;
    for (int i = 0; i < 3000; i++)
        dist_bad += check_distance(&vl, loc, minx + uniform() * w, miny + uniform() * hgt, dist_bad < 5);
    for (size_t v = 0; v + 1 < vl.n; v += 7) {
        if (vl.last[v])
            continue;
        double mxp = (vl.x[v] + vl.x[v + 1]) / 2, myp = (vl.y[v] + vl.y[v + 1]) / 2;
        dist_bad += check_distance(&vl, loc, vl.x[v], vl.y[v], dist_bad < 5);
        dist_bad += check_distance(&vl, loc, mxp + 2e-5, myp + 1e-5, dist_bad < 5);
        dist_bad += check_distance(&vl, loc, mxp - 2e-5, myp - 1e-5, dist_bad < 5);
    }
    CHECK_INT(dist_bad, 0);
    /* The batch query answers as the single one, vertices included. */
    gg_locate_result *rm = malloc(nv * sizeof *rm);
    gg_locator_query_many(loc, vl.x, vl.y, nv, rm);
    int qdiffer = 0;
    for (size_t v = 0; v < nv; v++) {
        gg_locate_result one;
        gg_locator_query(loc, vl.x[v], vl.y[v], &one);
        qdiffer += one.grid != rm[v].grid || one.status != rm[v].status || one.on_boundary != rm[v].on_boundary ||
                   !(one.distance_m == rm[v].distance_m || (isnan(one.distance_m) && isnan(rm[v].distance_m)));
    }
    free(rm);
    CHECK_INT(qdiffer, 0);
    index_file_answers_as_built(ctx, store, &vl);
    vertex_list_free(&vl);
    CHECK(inside > n_random / 4);   /* the random points do land in grids */
    CHECK(shared > 100);            /* and the vertices test the boundary rule */
    reference_free(&ref);
    /* Memory: within 200 bytes per vertex, besides a fixed part that
     * matters for a plan of a few hundred vertices (a 64 KB block of
     * strings, the top levels of the trees and cells). */
    CHECK(gg_locator_bytes(loc) <= 200 * gg_locator_vertices(loc) + 96 * 1024);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void monaco_agrees_with_geos_covers(void)
{
    agree_with_covers("monaco", 200000);
}

static void beijing_agrees_with_geos_covers(void)
{
    agree_with_covers("beijing-haidian-cau", 100000);
}

/* ---- a plan made for the rules ---- */

/* Four grids of a 2 x 2 block at 116E 40N, 0.01 degrees each; the north-east
 * one is dedicated (type 4). */
static void boundary_rule_gives_one_grid(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_square_plan(ctx, "p.sqlite");
    gg_locator *loc = NULL;
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    if (loc == NULL)
        return;
    CHECK_INT((int)gg_locator_grid_count(loc), 4);
    int on = 0;
    /* Interior points. */
    CHECK_STR(gg_locator_grid(loc, gg_locator_find(loc, 116.005, 40.005, &on))->code, "1101080010011001");
    CHECK_INT(on, 0);
    CHECK_STR(gg_locator_grid(loc, gg_locator_find(loc, 116.015, 40.015, &on))->code, "1101080010014001");
    /* On the edge between 1001 and 1002: the lower code. */
    CHECK_STR(gg_locator_grid(loc, gg_locator_find(loc, 116.01, 40.005, &on))->code, "1101080010011001");
    CHECK_INT(on, 1);
    /* On the edge between 1002 and the dedicated 4001: the dedicated one. */
    CHECK_STR(gg_locator_grid(loc, gg_locator_find(loc, 116.015, 40.01, &on))->code, "1101080010014001");
    /* The corner all four share: the dedicated grid. */
    CHECK_STR(gg_locator_grid(loc, gg_locator_find(loc, 116.01, 40.01, &on))->code, "1101080010014001");
    /* On the outer edge: the one grid there. */
    CHECK_STR(gg_locator_grid(loc, gg_locator_find(loc, 116.0, 40.005, &on))->code, "1101080010011001");
    CHECK_INT(gg_locator_find(loc, 115.99, 40.005, NULL), -1);
    CHECK_INT(gg_locator_find(loc, NAN, 40.005, NULL), -1);
    /* Statuses and distances (0.001 degree of latitude is about 111 m). */
    gg_locate_result r;
    gg_locator_query(loc, 116.005, 40.005, &r);
    CHECK_INT(r.status, GG_LOCATE_INSIDE);
    CHECK_NEAR(r.distance_m, 0.005 * 85000, 0.005 * 85000 * 0.05); /* to the edge at 116.01 (about 85 km per degree of longitude here) */
    gg_locator_query(loc, 116.00995, 40.005, &r);
    CHECK_INT(r.status, GG_LOCATE_NEAR_BOUNDARY);
    CHECK(r.distance_m > 3 && r.distance_m < 5);
    gg_locator_query(loc, 115.9997, 40.005, &r); /* about 25 m west of the plan */
    CHECK_INT(r.status, GG_LOCATE_SNAPPED);
    CHECK_STR(gg_locator_grid(loc, r.grid)->code, "1101080010011001");
    CHECK(r.distance_m > 20 && r.distance_m < 30);
    gg_locator_query(loc, 115.99, 40.005, &r);
    CHECK_INT(r.status, GG_LOCATE_OUTSIDE);
    CHECK_INT(r.grid, -1);
    CHECK(r.distance_m > 800 && r.distance_m < 900);
    gg_locator_query(loc, 200, 40, &r);
    CHECK_INT(r.status, GG_LOCATE_INVALID);
    /* A point far away still gets its distance, quickly. */
    gg_locator_query(loc, 100, 20, &r);
    CHECK_INT(r.status, GG_LOCATE_OUTSIDE);
    CHECK(r.distance_m > 1e6);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Appends to buf a ring through the given corners (closed), with a
 * vertex every step degrees along each side, as WKT coordinates. */
static void dense_ring(char *buf, size_t size, const double *xy, int corners, double step)
{
    size_t len = strlen(buf);
    len += (size_t)snprintf(buf + len, size - len, "(");
    for (int c = 0; c < corners; c++) {
        double ax = xy[2 * c], ay = xy[2 * c + 1];
        double bx = xy[2 * ((c + 1) % corners)], by = xy[2 * ((c + 1) % corners) + 1];
        int n = (int)ceil(hypot(bx - ax, by - ay) / step);
        for (int k = 0; k < n; k++)
            len += (size_t)snprintf(buf + len, size - len, "%.10f %.10f,", ax + (bx - ax) * k / n, ay + (by - ay) * k / n);
    }
    len += (size_t)snprintf(buf + len, size - len, "%.10f %.10f)", xy[0], xy[1]);
}

static void add_grid(char *csv, size_t size, const char *code, int type, const double *outer, int corners,
                     const double *hole, int hole_corners)
{
    size_t len = strlen(csv);
    snprintf(csv + len, size - len, "%s,%d,110108001001,\"POLYGON(", code, type);
    dense_ring(csv, size, outer, corners, 0.0002);
    if (hole) {
        strncat(csv, ",", size - strlen(csv) - 1);
        dense_ring(csv, size, hole, hole_corners, 0.0002);
    }
    strncat(csv, ")\"\n", size - strlen(csv) - 1);
}

/* A plan drawn badly, with a vertex every 20 m or so (so that grids span
 * many cells): a dedicated grid inside a comprehensive one; a square whose
 * edges are all shared with a ring around it, crossed by two triangles
 * that share their long edge; the same square twice; and two grids that
 * tile properly. The distances must still be those of brute force: the
 * shortcuts through shared edges must not apply where grids overlap. */
static void distances_hold_on_an_overlapping_plan(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "o.sqlite");
    static char csv[1 << 20];
    snprintf(csv, sizeof csv, "code,type,community,wkt\n");
    const double a[] = {116, 40, 116.02, 40, 116.02, 40.02, 116, 40.02};
    const double b[] = {116.005, 40.005, 116.01, 40.005, 116.01, 40.01, 116.005, 40.01};
    const double c[] = {116.03, 40, 116.05, 40, 116.05, 40.02, 116.03, 40.02};
    const double ring[] = {116.025, 39.995, 116.055, 39.995, 116.055, 40.025, 116.025, 40.025};
    const double d[] = {116.03, 40, 116.06, 39.99, 116.05, 40.02};
    const double e[] = {116.05, 40.02, 116.025, 40.03, 116.03, 40}; /* the long edge reversed */
    const double f[] = {116.06, 40, 116.08, 40, 116.08, 40.02, 116.06, 40.02};
    const double g[] = {116.08, 40, 116.1, 40, 116.1, 40.02, 116.08, 40.02};
    const double h[] = {116.06, 40.03, 116.08, 40.03, 116.08, 40.05, 116.06, 40.05};
    add_grid(csv, sizeof csv, "1101080010011001", 1, a, 4, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010014001", 4, b, 4, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010011002", 1, c, 4, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010011009", 1, ring, 4, c, 4);
    add_grid(csv, sizeof csv, "1101080010011003", 1, d, 3, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010011004", 1, e, 3, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010011005", 1, f, 4, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010011006", 1, g, 4, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010011007", 1, h, 4, NULL, 0);
    add_grid(csv, sizeof csv, "1101080010011008", 1, h, 4, NULL, 0);
    const char *path = gg_test_path("grids.csv");
    gg_test_write_file(path, csv);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, path, NULL, NULL, 0, NULL), GG_OK);
    gg_locator *loc = NULL;
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    if (loc == NULL) {
        gg_store_close(store);
        gg_ctx_free(ctx);
        return;
    }
    CHECK_INT((int)gg_locator_grid_count(loc), 10);
    reference ref;
    reference_load(&ref, ctx, store, gg_locator_plan(loc), loc);
    vertex_list vl;
    reference_vertices(&ref, &vl);
    int bad = 0, dist_bad = 0;
    for (double y = 39.985; y <= 40.055; y += 0.00037)
        for (double x = 115.995; x <= 116.105; x += 0.00037) {
            check_point(&ref, loc, x, y, &bad);
            dist_bad += check_distance(&vl, loc, x, y, dist_bad < 5);
        }
    for (size_t v = 0; v < vl.n; v += 3) {
        check_point(&ref, loc, vl.x[v], vl.y[v], &bad);
        dist_bad += check_distance(&vl, loc, vl.x[v], vl.y[v], dist_bad < 5);
    }
    /* the shortcut did apply somewhere (in the grids that tile) */
    int shortcut = 0;
    for (double y = 40.001; y < 40.02; y += 0.001) {
        double mx, my, dd;
        gg_metres_per_degree(y, &mx, &my);
        int on = 0, sole = 0;
        int32_t p = gg_cell_index_locate(&loc->index, 116.079, y, &on, &sole);
        shortcut += p >= 0 && sole && gg_cell_index_distance_inside(&loc->index, 116.079, y, p, mx, my, &dd);
    }
    CHECK(shortcut > 5);
    CHECK_INT(bad, 0);
    CHECK_INT(dist_bad, 0);
    /* Inside the comprehensive grid, next to the dedicated one within it:
     * the dedicated grid's edge is the nearest, not the outer square's. */
    gg_locate_result r;
    gg_locator_query(loc, 116.0045, 40.0075, &r);
    CHECK_STR(gg_locator_grid(loc, r.grid)->code, "1101080010011001");
    CHECK(r.distance_m > 30 && r.distance_m < 50); /* 0.0005 degrees of longitude */
    index_file_answers_as_built(ctx, store, &vl);
    vertex_list_free(&vl);
    reference_free(&ref);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}


/* ---- the index file of a published plan ---- */

/* Whether two answers are the same, distances to the bit. */
static int same_result(const gg_locate_result *a, const gg_locate_result *b)
{
    return a->grid == b->grid && a->status == b->status && a->on_boundary == b->on_boundary &&
           (a->distance_m == b->distance_m || (isnan(a->distance_m) && isnan(b->distance_m)));
}

/* Answers of two locators that differ, on the vertices, the middles of
 * edges, points just off them, and random points over the extent. */
static int answers_differ(const gg_locator *a, const gg_locator *b, const vertex_list *vl, int n_random)
{
    int differ = 0;
    gg_locate_result ra, rb;
    const gg_cell_index *ix = &a->index;
    for (int i = 0; i < n_random; i++) {
        double x = ix->x0 + uniform() * ix->nx * ix->cell, y = ix->y0 + uniform() * ix->ny * ix->cell;
        gg_locator_query(a, x, y, &ra);
        gg_locator_query(b, x, y, &rb);
        differ += !same_result(&ra, &rb);
        differ += gg_locator_find(a, x, y, NULL) != gg_locator_find(b, x, y, NULL);
    }
    for (size_t v = 0; v + 1 < vl->n; v++) {
        double pts[4][2] = {{vl->x[v], vl->y[v]},
                            {(vl->x[v] + vl->x[v + 1]) / 2, (vl->y[v] + vl->y[v + 1]) / 2},
                            {(vl->x[v] + vl->x[v + 1]) / 2 + 2e-5, (vl->y[v] + vl->y[v + 1]) / 2 + 1e-5},
                            {(vl->x[v] + vl->x[v + 1]) / 2 - 2e-5, (vl->y[v] + vl->y[v + 1]) / 2 - 1e-5}};
        for (int k = 0; k < 4; k++) {
            gg_locator_query(a, pts[k][0], pts[k][1], &ra);
            gg_locator_query(b, pts[k][0], pts[k][1], &rb);
            differ += !same_result(&ra, &rb);
        }
    }
    /* the batch form too */
    gg_locate_result *ma = malloc(vl->n * sizeof *ma), *mb = malloc(vl->n * sizeof *mb);
    gg_locator_query_many(a, vl->x, vl->y, vl->n, ma);
    gg_locator_query_many(b, vl->x, vl->y, vl->n, mb);
    for (size_t v = 0; v < vl->n; v++)
        differ += !same_result(&ma[v], &mb[v]);
    free(ma);
    free(mb);
    return differ;
}

/* Grids whose names, divisions, type, leader or workers differ between
 * two locators of one plan. */
static int names_differ(const gg_locator *a, const gg_locator *b)
{
    if (gg_locator_grid_count(a) != gg_locator_grid_count(b))
        return -1;
    int differ = 0;
    for (int32_t g = 0; g < (int32_t)gg_locator_grid_count(a); g++) {
        const gg_located_grid *x = gg_locator_grid(a, g), *y = gg_locator_grid(b, g);
        int d = strcmp(x->code, y->code) || strcmp(x->name, y->name) || strcmp(x->community, y->community) ||
                strcmp(x->township, y->township) || strcmp(x->county, y->county) ||
                strcmp(x->community_name, y->community_name) || x->type != y->type ||
                x->n_workers != y->n_workers || !x->leader != !y->leader ||
                (x->leader && (strcmp(x->leader->id, y->leader->id) || strcmp(x->leader->phone, y->leader->phone)));
        for (int k = 0; !d && k < x->n_workers; k++)
            d = strcmp(x->workers[k]->id, y->workers[k]->id) || strcmp(x->workers[k]->name, y->workers[k]->name) ||
                strcmp(x->workers[k]->role, y->workers[k]->role);
        differ += d;
        differ += gg_locator_grid_by_code(a, x->code) != g;
    }
    return differ;
}

static gg_locator_index_source locator_source(gg_ctx *ctx, gg_store *store, int build, const char **why,
                                              gg_locator **out)
{
    gg_locator_options o;
    gg_locator_options_init(&o);
    o.build_index = build;
    *out = NULL;
    CHECK_INT(gg_locator_new(ctx, store, &o, out), GG_OK);
    return *out ? gg_locator_index_status(*out, why) : GG_LOCATOR_INDEX_BUILT;
}

/* Publishes the store's newest plan (a draft, whose locator is built and
 * says so), checks that its index file was written and is what the
 * locator then loads, and that the loaded index answers exactly as the
 * built one on the plan's vertices, edges and random points. */
static void index_file_answers_as_built(gg_ctx *ctx, gg_store *store, const vertex_list *vl)
{
    const char *why = NULL;
    gg_locator *draft = NULL;
    CHECK_INT(locator_source(ctx, store, 0, &why, &draft), GG_LOCATOR_INDEX_BUILT);
    CHECK_CONTAINS(why, "is a draft");
    int64_t plan = draft ? gg_locator_plan(draft) : 0;
    gg_locator_free(draft);
    gg_publish_report pr;
    CHECK_INT(gg_plan_publish(ctx, store, plan, &pr), GG_OK);
    CHECK_INT(pr.index_written, 1);
    CHECK_CONTAINS(pr.index_note, "-locate/plan-");
    FILE *f = fopen(pr.index_note, "rb");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    gg_locator *loaded = NULL, *built = NULL;
    CHECK_INT(locator_source(ctx, store, 0, &why, &loaded), GG_LOCATOR_INDEX_LOADED);
    CHECK_CONTAINS(why, "loaded from ");
    CHECK_INT(locator_source(ctx, store, 1, &why, &built), GG_LOCATOR_INDEX_BUILT);
    if (loaded && built) {
        CHECK_INT((long long)gg_locator_vertices(loaded), (long long)gg_locator_vertices(built));
        CHECK_INT(answers_differ(loaded, built, vl, 5000), 0);
        CHECK_INT(names_differ(loaded, built), 0);
    }
    gg_locator_free(loaded);
    gg_locator_free(built);
}

/* Reads a whole file into a malloc'd buffer. */
static unsigned char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(len > 0 ? (size_t)len : 1);
    *n = fread(buf, 1, (size_t)len, f);
    fclose(f);
    return buf;
}

static void spill(const char *path, const unsigned char *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f) {
        fwrite(data, 1, n, f);
        fclose(f);
    }
}

/* A damaged file is refused with the reason, and the locator built
 * instead answers as it should. */
static void expect_refused(gg_ctx *ctx, gg_store *store, const char *reason, const gg_locate_result *want, double x,
                           double y)
{
    const char *why = NULL;
    gg_locator *loc = NULL;
    CHECK_INT(locator_source(ctx, store, 0, &why, &loc), GG_LOCATOR_INDEX_REFUSED);
    CHECK_CONTAINS(why, reason);
    CHECK_CONTAINS(why, "plan-");
    if (loc) {
        gg_locate_result r;
        gg_locator_query(loc, x, y, &r);
        CHECK(same_result(&r, want));
    }
    gg_locator_free(loc);
}

static void damaged_index_files_are_refused(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_square_plan(ctx, "d.sqlite");
    int64_t plan = fx_scalar(store, "SELECT max(id) FROM plan");
    gg_publish_report pr;
    CHECK_INT(gg_plan_publish(ctx, store, plan, &pr), GG_OK);
    CHECK_INT(pr.index_written, 1);
    char path[4096];
    CHECK_INT(gg_locator_index_path(ctx, store, plan, path, sizeof path), GG_OK);
    CHECK_STR(path, pr.index_note);
    size_t n = 0;
    unsigned char *good = slurp(path, &n);
    CHECK(good != NULL && n > sizeof(gg_locidx_header));
    if (good == NULL) {
        gg_store_close(store);
        gg_ctx_free(ctx);
        return;
    }
    const char *why = NULL;
    gg_locator *loc = NULL;
    CHECK_INT(locator_source(ctx, store, 0, &why, &loc), GG_LOCATOR_INDEX_LOADED);
    CHECK(why != NULL && strstr(why, "read from the project") == NULL); /* names and roster from the file */
    gg_locator *built = NULL;
    CHECK_INT(locator_source(ctx, store, 1, &why, &built), GG_LOCATOR_INDEX_BUILT);
    if (loc && built)
        CHECK_INT(names_differ(loc, built), 0);
    gg_locator_free(built);
    gg_locate_result want;
    double x = 116.0051, y = 40.0049;
    gg_locator_query(loc, x, y, &want);
    CHECK(want.grid >= 0);
    gg_locator_free(loc);
    unsigned char *bad = malloc(n);

    /* a byte changed after the header */
    memcpy(bad, good, n);
    bad[sizeof(gg_locidx_header) + (n - sizeof(gg_locidx_header)) / 2] ^= 0x40;
    spill(path, bad, n);
    expect_refused(ctx, store, "checksum does not match", &want, x, y);
    /* a byte of the header changed */
    memcpy(bad, good, n);
    bad[offsetof(gg_locidx_header, cell) + 3] ^= 1;
    spill(path, bad, n);
    expect_refused(ctx, store, "header's checksum", &want, x, y);
    /* truncated */
    spill(path, good, n - 100);
    expect_refused(ctx, store, "truncated", &want, x, y);
    spill(path, good, 10);
    expect_refused(ctx, store, "shorter than", &want, x, y);
    /* stale: made for other grids (the fingerprint differs) */
    gg_locidx_header h;
    memcpy(bad, good, n);
    memcpy(&h, bad, sizeof h);
    h.fingerprint ^= 1;
    h.header_checksum = gg_locidx_header_hash(&h);
    memcpy(bad, &h, sizeof h);
    spill(path, bad, n);
    expect_refused(ctx, store, "stale", &want, x, y);
    /* another version of the format */
    memcpy(&h, good, sizeof h);
    h.version = GG_LOCIDX_VERSION + 1;
    h.header_checksum = gg_locidx_header_hash(&h);
    memcpy(bad, good, n);
    memcpy(bad, &h, sizeof h);
    spill(path, bad, n);
    expect_refused(ctx, store, "format version", &want, x, y);
    /* another plan's file */
    memcpy(&h, good, sizeof h);
    h.plan += 1;
    h.header_checksum = gg_locidx_header_hash(&h);
    memcpy(bad, good, n);
    memcpy(bad, &h, sizeof h);
    spill(path, bad, n);
    expect_refused(ctx, store, "not", &want, x, y);
    /* missing */
    remove(path);
    expect_refused(ctx, store, "No such file", &want, x, y);
    /* made again: the same bytes, and loaded */
    gg_locator_index_report ir;
    CHECK_INT(gg_locator_index_write(ctx, store, 0, &ir), GG_OK);
    CHECK_INT(ir.plan, plan);
    CHECK_INT(ir.bytes, (long long)n);
    size_t n2 = 0;
    unsigned char *again = slurp(path, &n2);
    CHECK(again != NULL && n2 == n && memcmp(again, good, n) == 0);
    free(again);
    CHECK_INT(locator_source(ctx, store, 0, &why, &loc), GG_LOCATOR_INDEX_LOADED);
    gg_locator_free(loc);
    /* the roster changed since: the index from the file, the names and
     * roster from the project (the new worker is there) */
    const char *more = "id,name,role,phone,grid_code\nF9,新人,fulltime,13800000099,1101080010011003\n";
    const char *wpath = gg_test_path("more-workers.csv");
    gg_test_write_file(wpath, more);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WORKERS, wpath, NULL, NULL, 0, NULL), GG_OK);
    CHECK_INT(locator_source(ctx, store, 0, &why, &loc), GG_LOCATOR_INDEX_LOADED);
    CHECK_CONTAINS(why, "read from the project");
    CHECK_INT(locator_source(ctx, store, 1, &why, &built), GG_LOCATOR_INDEX_BUILT);
    if (loc && built) {
        CHECK_INT(names_differ(loc, built), 0);
        const gg_located_grid *g3 = gg_locator_grid(loc, gg_locator_grid_by_code(loc, "1101080010011003"));
        CHECK(g3 != NULL && g3->n_workers >= 1);
    }
    gg_locator_free(built);
    gg_locator_free(loc);
    free(bad);
    free(good);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Every word of the file in turn set to all ones and to zero (with
 * the checksums made right, as a forger would): the loader refuses the
 * file or gives a locator whose queries stay in bounds (ASan watches). */
static void forged_index_files_stay_in_bounds(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_square_plan(ctx, "f.sqlite");
    int64_t plan = fx_scalar(store, "SELECT max(id) FROM plan");
    gg_publish_report pr;
    CHECK_INT(gg_plan_publish(ctx, store, plan, &pr), GG_OK);
    size_t n = 0;
    unsigned char *good = slurp(pr.index_note, &n);
    gg_locator *loc = NULL;
    const char *why = NULL;
    CHECK_INT(locator_source(ctx, store, 0, &why, &loc), GG_LOCATOR_INDEX_LOADED);
    if (good == NULL || loc == NULL) {
        free(good);
        gg_locator_free(loc);
        gg_store_close(store);
        gg_ctx_free(ctx);
        return;
    }
    uint64_t *copy = malloc(n + 8);
    int accepted = 0, refused = 0;
    for (size_t w = 0; w + 4 <= n; w += 4) {
        for (int pass = 0; pass < 2; pass++) {
            memcpy(copy, good, n);
            uint32_t v = pass ? 0u : UINT32_MAX;
            memcpy((char *)copy + w, &v, 4);
            gg_locidx_header h;
            memcpy(&h, copy, sizeof h);
            if (n > sizeof h)
                h.checksum = gg_locidx_checksum(copy, n);
            h.header_checksum = gg_locidx_header_hash(&h);
            memcpy(copy, &h, sizeof h);
            gg_locidx_expect e = {h.plan, h.fingerprint, -1, NULL, w % 8 == 0 ? 2 : 1};
            gg_cell_index ix;
            gg_locidx_names_view names;
            char reason[256];
            if (gg_locidx_open(ctx, copy, n, &e, &ix, &names, reason, sizeof reason) != GG_OK) {
                refused++;
                continue;
            }
            accepted++;
            for (double y = 39.995; y < 40.025; y += 0.0013)
                for (double x = 115.995; x < 116.025; x += 0.0013) {
                    double mx, my, d;
                    gg_metres_per_degree(y, &mx, &my);
                    int on = 0, sole = 0;
                    int32_t p = gg_cell_index_locate(&ix, x, y, &on, &sole);
                    if (p >= 0 && sole)
                        gg_cell_index_distance_inside(&ix, x, y, p, mx, my, &d);
                    gg_cell_index_nearest(&ix, x, y, p, mx, my, INFINITY, &d);
                    gg_cell_index_nearest_outside(&ix, x, y, mx, my, &d);
                }
            gg_cell_index_free(&ix);
        }
    }
    CHECK(accepted > 0 && refused > 0);
    free(copy);
    free(good);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}


/* Four threads query one locator at once and get what one thread gets. */
typedef struct query_job {
    const gg_locator *loc;
    const double *lon, *lat;
    size_t n;
    gg_locate_result *out;
} query_job;

static void *query_thread(void *arg)
{
    query_job *j = arg;
    gg_locator_query_many(j->loc, j->lon, j->lat, j->n, j->out);
    return NULL;
}

static void queries_are_thread_safe(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_square_plan(ctx, "p.sqlite");
    gg_locator *loc = NULL;
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    enum { N = 20000, T = 4 };
    static double lon[N], lat[N];
    static gg_locate_result one[N], many[T][N];
    for (int i = 0; i < N; i++) {
        lon[i] = 115.995 + uniform() * 0.03;
        lat[i] = 39.995 + uniform() * 0.03;
    }
    gg_locator_query_many(loc, lon, lat, N, one);
    pthread_t threads[T];
    query_job jobs[T];
    for (int t = 0; t < T; t++) {
        jobs[t] = (query_job){loc, lon, lat, N, many[t]};
        CHECK_INT(pthread_create(&threads[t], NULL, query_thread, &jobs[t]), 0);
    }
    for (int t = 0; t < T; t++)
        pthread_join(threads[t], NULL);
    int differ = 0, statuses[5] = {0};
    for (int t = 0; t < T; t++)
        for (int i = 0; i < N; i++)
            differ += many[t][i].grid != one[i].grid || many[t][i].status != one[i].status ||
                      !(many[t][i].distance_m == one[i].distance_m || (isnan(one[i].distance_m) && isnan(many[t][i].distance_m)));
    for (int i = 0; i < N; i++)
        statuses[one[i].status]++;
    CHECK_INT(differ, 0);
    CHECK(statuses[GG_LOCATE_INSIDE] > 0 && statuses[GG_LOCATE_NEAR_BOUNDARY] > 0 && statuses[GG_LOCATE_SNAPPED] > 0 &&
          statuses[GG_LOCATE_OUTSIDE] > 0);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* ---- GCJ-02 and BD-09 ---- */

static void china_offsets_match_published_pairs(void)
{
    /* Values published with open implementations of the transforms (for
     * example the tests of wandergis/coordtransform and hujiulong/gcoord). */
    double x, y;
    gg_wgs84_to_gcj02(116.404, 39.915, &x, &y);
    CHECK_NEAR(x, 116.41024449916938, 1e-9);
    CHECK_NEAR(y, 39.91640428150164, 1e-9);
    gg_gcj02_to_bd09(116.404, 39.915, &x, &y);
    CHECK_NEAR(x, 116.41036949371029, 1e-9);
    CHECK_NEAR(y, 39.92133699351022, 1e-9);
    gg_gcj02_to_wgs84(116.404, 39.915, &x, &y);
    CHECK_NEAR(x, 116.39775550083061, 1e-6); /* the published one-step inverse; ours iterates: within 0.1 m */
    CHECK_NEAR(y, 39.91359571849836, 1e-6);
    /* Pairs from other implementations, whose constants differ in the last
     * digits: within 1e-6 degrees (0.1 m). */
    gg_wgs84_to_gcj02(121.0917077, 30.6107779, &x, &y);
    CHECK_NEAR(x, 121.09626935575027, 1e-6);
    CHECK_NEAR(y, 30.608604331756705, 1e-6);
    gg_wgs84_to_bd09(121.0917077, 30.6107779, &x, &y);
    CHECK_NEAR(x, 121.10271732371203, 1e-6);
    CHECK_NEAR(y, 30.61484572185035, 1e-6);
    gg_wgs84_to_gcj02(116.0, 40.0, &x, &y);
    CHECK_NEAR(x, 116.006141221789, 1e-6);
    CHECK_NEAR(y, 40.001213650174, 1e-6);
    /* The inverses of published pairs. */
    gg_gcj02_to_wgs84(116.41024449916938, 39.91640428150164, &x, &y);
    CHECK_NEAR(x, 116.404, 1e-9);
    CHECK_NEAR(y, 39.915, 1e-9);
    gg_bd09_to_gcj02(116.41036949371029, 39.92133699351022, &x, &y);
    CHECK_NEAR(x, 116.404, 1e-9);
    CHECK_NEAR(y, 39.915, 1e-9);
    gg_bd09_to_wgs84(121.10271732371203, 30.61484572185035, &x, &y);
    CHECK_NEAR(x, 121.0917077, 1e-6);
    CHECK_NEAR(y, 30.6107779, 1e-6);
    /* Outside China: unchanged. */
    gg_wgs84_to_gcj02(7.42, 43.73, &x, &y);
    CHECK(x == 7.42 && y == 43.73);
    /* Round trips over China: under 0.5 m (about 5e-6 degrees). */
    double worst = 0;
    for (int i = 0; i < 20000; i++) {
        double lon = 73 + uniform() * 62, lat = 18 + uniform() * 35, a, b, c, e;
        gg_wgs84_to_gcj02(lon, lat, &a, &b);
        gg_gcj02_to_wgs84(a, b, &c, &e);
        worst = fmax(worst, hypot((c - lon) * 111320 * cos(lat * M_PI / 180), (e - lat) * 110540));
        gg_wgs84_to_bd09(lon, lat, &a, &b);
        gg_bd09_to_wgs84(a, b, &c, &e);
        worst = fmax(worst, hypot((c - lon) * 111320 * cos(lat * M_PI / 180), (e - lat) * 110540));
    }
    CHECK(worst < 0.5);
    CHECK(worst < 0.01); /* in fact far under */
}

/* The fast decimal reader gives strtod's double, bit for bit, and reads
 * as far as strtod would, or leaves the text to it. */
static void decimals_read_as_strtod_reads_them(void)
{
    static const char *const fixed[] = {"120.1397377", "-0", "0", "+3.5", ".5", "1.", "007.25", "-.125",
                                        "999999999999999", "0.000000000000001", "32.25859", "1.2.3", "12abc",
                                        "-", ".", "", "1e5", "0x1A", "inf", "nan", "1234567890123456",
                                        /* 16 to 19 digits: halfway between two doubles (ties to even),
                                         * a coordinate written with %.17g, the largest 19 digits */
                                        "4503599627370496.5", "4503599627370497.5", "9007199254740993.0",
                                        "9007199254740993", "18014398509481985.0", "-2251799813685248.75",
                                        "119.97575520000001", "9999999999999999999", "0.0000000000000000001",
                                        "12345678901234567890"};
    int bad = 0, fast = 0;
    for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) {
        double v = 0, w;
        const char *end = NULL;
        char *wend;
        w = strtod(fixed[i], &wend);
        if (gg_parse_decimal(fixed[i], &v, &end)) {
            fast++;
            bad += memcmp(&v, &w, sizeof v) != 0 || end != wend;
        }
    }
    CHECK_INT(fast, 22); /* all but the ones strtod is left: "-" to "nan", 20 digits */
    CHECK_INT(bad, 0);
    char text[64];
    for (int i = 0; i < 200000; i++) {
        if (i % 4 == 0) {
            /* a coordinate as %.15g to %.19g writes it: 16 to 19 digits */
            snprintf(text, sizeof text, "%.*g", 15 + i / 4 % 5, 73 + uniform() * 62);
            double v = 0, w;
            const char *end = NULL;
            char *wend;
            w = strtod(text, &wend);
            if (!gg_parse_decimal(text, &v, &end) || memcmp(&v, &w, sizeof v) != 0 || end != wend) {
                if (bad < 5)
                    fprintf(stderr, "  '%s': %.17g, strtod %.17g\n", text, v, w);
                bad++;
            }
            continue;
        }
        int int_digits = (int)(uniform() * 10), frac_digits = (int)(uniform() * 10); /* 18 digits at most */
        int n = 0;
        if (uniform() < 0.3)
            text[n++] = '-';
        for (int k = 0; k < int_digits; k++)
            text[n++] = (char)('0' + (int)(uniform() * 10));
        if (frac_digits > 0 || int_digits == 0) {
            text[n++] = '.';
            for (int k = 0; k < (frac_digits ? frac_digits : 1); k++)
                text[n++] = (char)('0' + (int)(uniform() * 10));
        }
        text[n] = '\0';
        double v = 0, w;
        const char *end = NULL;
        char *wend;
        w = strtod(text, &wend);
        if (!gg_parse_decimal(text, &v, &end) || memcmp(&v, &w, sizeof v) != 0 || end != wend) {
            if (bad < 5)
                fprintf(stderr, "  '%s': %.17g, strtod %.17g\n", text, v, w);
            bad++;
        }
    }
    CHECK_INT(bad, 0);
}


/* ---- CSV in chunks ---- */

typedef struct text_buf {
    char *p;
    size_t n, cap;
} text_buf;

static void put_text(text_buf *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
    }
    memcpy(t->p + t->n, s, n);
    t->n += n;
    t->p[t->n] = '\0';
}

static void put_str(text_buf *t, const char *s)
{
    put_text(t, s, strlen(s));
}

/* A file's bytes (NUL-terminated). */
static char *file_bytes(FILE *f, size_t *n)
{
    fflush(f);
    long end = ftell(f);
    char *p = malloc((size_t)(end > 0 ? end : 0) + 1);
    rewind(f);
    *n = fread(p, 1, (size_t)(end > 0 ? end : 0), f);
    p[*n] = '\0';
    return p;
}

/* gg_locate_batch over the file at path into a temporary file: the
 * output's bytes. */
static char *batch_output(gg_ctx *ctx, const gg_locator *loc, const char *path, gg_table_format format, int jobs,
                          gg_locate_summary *sum, size_t *n)
{
    gg_locate_batch_options o;
    gg_locate_batch_options_init(&o);
    o.jobs = jobs;
    o.output_format = format;
    FILE *in = fopen(path, "rb"), *out = tmpfile();
    CHECK(in != NULL && out != NULL);
    if (in == NULL || out == NULL)
        return NULL;
    gg_dispatcher *d = NULL; /* workers by a balance of each batch's own, as govgrid locate gives them */
    CHECK_INT(gg_dispatcher_new(ctx, loc, &d), GG_OK);
    o.pick = gg_dispatcher_as_pick(d);
    CHECK_INT(gg_locate_batch(ctx, loc, &o, in, "chunks.csv", out, sum), GG_OK);
    gg_dispatcher_free(d);
    char *p = file_bytes(out, n);
    fclose(in);
    fclose(out);
    return p;
}

/* CSV to CSV reads its input in chunks of whole records (made into rows on
 * the locating threads when they hold no quote); CSV to NDJSON through
 * the streaming reader, record by record. Over an input that crosses many
 * chunks, with quoted fields (commas, line breaks, doubled quotes) across
 * their boundaries, records longer than a chunk with and without quotes,
 * CRLF and lone CR line ends, blank lines, rows of the wrong width and
 * coordinates that are not numbers, both give the same rows: the same
 * fields, statuses, grids, workers and reasons, the same summary (the
 * first invalid row's line included), and CSV to CSV the same bytes for
 * 1, 2 and 3 jobs. */
static void csv_chunks_read_as_the_reader_reads(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_square_plan(ctx, "c.sqlite");
    gg_locator *loc = NULL;
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    text_buf in = {0};
    put_str(&in, "id,lon,lat,what\n");
    char line[256];
    for (int i = 0; i < 40000; i++) {
        const char *eol = i % 7 == 0 ? "\r\n" : i % 101 == 0 ? "\r" : "\n";
        if (i % 997 == 0)
            put_str(&in, i % 2 ? "\n\n" : " \t\r\n");
        double lon = 115.995 + uniform() * 0.03, lat = 39.995 + uniform() * 0.03;
        if (i % 13 == 0)
            snprintf(line, sizeof line, "%d,%.17g,%.17g,", i, lon, lat);
        else if (i % 211 == 0 && i > 20000) /* the first invalid row after the long fields */
            snprintf(line, sizeof line, "%d,%.5f,x%d,", i, lon, i);
        else
            snprintf(line, sizeof line, "%d,%.6f,%.6f,", i, lon, lat);
        int short_row = i % 307 == 0 && i > 20000;
        if (short_row)
            snprintf(line, sizeof line, "%d,%.6f", i, lon); /* too few fields */
        put_str(&in, line);
        if (short_row) {
            put_str(&in, eol);
            continue;
        }
        if (i == 9000 || i == 27000) {
            /* a quoted field of 300 kB over many lines: across a chunk's end */
            put_str(&in, "\"long, ");
            for (int k = 0; k < 10000; k++)
                put_str(&in, k % 3 ? "and so on \"\"quoted\"\", " : "a line\nbreak ");
            put_str(&in, "\"");
        } else if (i == 18000) {
            for (int k = 0; k < 40000; k++) /* 320 kB with no quote */
                put_str(&in, "unquoted");
        } else {
            switch (i % 9) {
            case 0: put_str(&in, "\"quoted, with a comma\""); break;
            case 1: put_str(&in, "\"two\nlines\""); break;
            case 2: put_str(&in, "\"doubled \"\"quotes\"\"\""); break;
            case 3: put_str(&in, "a stray \" quote"); break;
            case 4: put_str(&in, "\"\r\n\""); break;
            default: put_str(&in, i % 2 ? "plain" : ""); break;
            }
        }
        if (i % 503 == 0 && i > 20000)
            put_str(&in, ",one too many");
        put_str(&in, eol);
    }
    const char *path = gg_test_path("chunks.csv");
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (f == NULL)
        return;
    fwrite(in.p, 1, in.n, f);
    fclose(f);
    CHECK(in.n > 4 * (256u << 10)); /* many chunks */
    gg_locate_summary s1, s2, s3, sj;
    size_t n1 = 0, n2 = 0, n3 = 0, nj = 0;
    char *csv1 = batch_output(ctx, loc, path, GG_TABLE_CSV, 1, &s1, &n1);
    char *csv2 = batch_output(ctx, loc, path, GG_TABLE_CSV, 2, &s2, &n2);
    char *csv3 = batch_output(ctx, loc, path, GG_TABLE_CSV, 3, &s3, &n3);
    char *json = batch_output(ctx, loc, path, GG_TABLE_NDJSON, 2, &sj, &nj);
    CHECK(csv1 && csv2 && csv3 && json);
    if (!(csv1 && csv2 && csv3 && json))
        return;
    CHECK(n1 == n2 && memcmp(csv1, csv2, n1) == 0);
    CHECK(n1 == n3 && memcmp(csv1, csv3, n1) == 0);
    CHECK(memcmp(&s1, &s2, sizeof s1) == 0);
    CHECK(memcmp(&s1, &sj, sizeof s1) == 0);
    CHECK(s1.rows > 39000);
    CHECK(s1.by_status[GG_LOCATE_INVALID] > 100);
    CHECK_CONTAINS(s1.first_invalid, "x20045' is not a number");
    /* row by row: CSV to CSV against CSV to NDJSON */
    gg_csv_reader r;
    gg_csv_init(&r, ctx, NULL, csv1, n1);
    CHECK_INT(gg_csv_next(&r), 1); /* the header */
    CHECK_INT((int)r.n_fields, 17);
    const char *jl = json;
    long rows = 0, differ = 0;
    for (;;) {
        int got = gg_csv_next(&r);
        const char *je = strchr(jl, '\n');
        if (got != 1 || je == NULL) {
            CHECK(got == 0 && je == NULL);
            break;
        }
        json_error_t err;
        json_t *o = json_loadb(jl, (size_t)(je - jl), 0, &err);
        jl = je + 1;
        rows++;
        const char *keys[] = {"id", "lon", "lat", "what", "grid_code", "community", "worker_id", "leader_id", "status",
                              "reason"};
        const int cols[] = {0, 1, 2, 3, 4, 6, 9, 12, 14, 16};
        for (int k = 0; k < 10; k++) {
            json_t *v = json_object_get(o, keys[k]);
            const char *want = json_is_string(v) ? json_string_value(v) : "";
            if (strcmp(r.fields[cols[k]].text, want) != 0 && differ++ < 5)
                fprintf(stderr, "  row %ld, %s: '%.60s' in CSV, '%.60s' in NDJSON\n", rows, keys[k],
                        r.fields[cols[k]].text, want);
        }
        json_t *d = json_object_get(o, "distance_m");
        double dv = r.fields[15].text[0] ? strtod(r.fields[15].text, NULL) : NAN;
        if ((json_is_number(d) ? fabs(json_number_value(d) - dv) > 1e-9 : r.fields[15].text[0] != '\0') &&
            differ++ < 5)
            fprintf(stderr, "  row %ld: distance '%s' in CSV\n", rows, r.fields[15].text);
        json_decref(o);
    }
    CHECK_INT(rows, s1.rows);
    CHECK_INT(differ, 0);
    gg_csv_free(&r);
    free(csv1);
    free(csv2);
    free(csv3);
    free(json);
    free(in.p);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A batch with its context's allocator failing at every allocation in
 * turn (one job: the allocations come in the same order each time):
 * every failure gives GG_ERR_NOMEM, never another status, a crash or a
 * leak (the sanitizer build checks), for a plain CSV chunk with invalid
 * rows, one with quotes (read through the reader) and NDJSON. */
static void batch_allocation_failures_are_statuses(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_square_plan(ctx, "a.sqlite");
    gg_locator *loc = NULL;
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    static const char *const inputs[] = {
        "id,lon,lat\n1,116.005,40.005\n2,116.x,40\n3,116.01\n4,300,40\n5,116.015,40.015,more\n",
        "id,lon,lat,what\n1,116.005,40.005,\"a, b\"\n2,,40,x\n3,116.0099,40.015,\"two\nlines\"\n",
        "{\"id\":1,\"lon\":116.005,\"lat\":40.005}\n{\"id\":2,\"lon\":\"x\",\"lat\":40}\n[1]\n"};
    for (int t = 0; t < 3; t++) {
        const char *path = gg_test_path(t == 2 ? "a.ndjson" : "a.csv");
        gg_test_write_file(path, inputs[t]);
        gg_locate_batch_options o;
        gg_locate_batch_options_init(&o);
        o.jobs = 1;
        o.output_format = GG_TABLE_CSV;
        failing_alloc state = {0, 0, 0};
        gg_allocator alloc = failing_alloc_make(&state);
        long total = 0;
        for (long k = 0; k == 0 || k <= total; k++) {
            state = (failing_alloc){0, k, 0};
            gg_ctx *fctx = NULL;
            gg_status st = gg_ctx_new_with_allocator(&alloc, &fctx);
            if (st == GG_OK) {
                FILE *in = fopen(path, "rb"), *out = tmpfile();
                CHECK(in != NULL && out != NULL);
                if (in == NULL || out == NULL)
                    return;
                gg_locate_summary sum;
                gg_dispatcher *d = NULL;
                CHECK_INT(gg_dispatcher_new(ctx, loc, &d), GG_OK);
                o.pick = gg_dispatcher_as_pick(d);
                st = gg_locate_batch(fctx, loc, &o, in, path, out, &sum);
                gg_dispatcher_free(d);
                if (k == 0)
                    CHECK_INT(st, GG_OK);
                else if (st != GG_OK && st != GG_ERR_NOMEM)
                    gg_test_fail(__FILE__, __LINE__, "input %d, allocation %ld failing gave status %d: %s", t, k, st,
                                 gg_ctx_errmsg(fctx));
                fclose(in);
                fclose(out);
                gg_ctx_free(fctx);
            } else {
                CHECK_INT(st, GG_ERR_NOMEM);
            }
            if (k == 0)
                total = state.calls;
            if (state.live != 0)
                gg_test_fail(__FILE__, __LINE__, "input %d, allocation %ld failing leaked %ld block(s)", t, k,
                             state.live);
        }
        CHECK(total > 5);
    }
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(damaged_index_files_are_refused), T(forged_index_files_stay_in_bounds), T(orientation_is_exact), T(decimals_read_as_strtod_reads_them), T(china_offsets_match_published_pairs), T(boundary_rule_gives_one_grid),
          T(monaco_agrees_with_geos_covers),
          T(beijing_agrees_with_geos_covers), T(distances_hold_on_an_overlapping_plan), T(queries_are_thread_safe),
          T(csv_chunks_read_as_the_reader_reads), T(batch_allocation_failures_are_statuses))
