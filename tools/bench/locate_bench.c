/* govgrid-bench-locate: the locator against a GEOS reference on the same
 * points (tools/bench/locate.sh runs it; see docs/benchmarks.md).
 *
 *   govgrid-bench-locate --make-points PROJECT.sqlite N OUT.csv [--seed S] [--vertex-share F]
 *       writes N deterministic points "id,lon,lat" (WGS 84): a share F
 *       (default 0.1) exactly on vertices of the newest plan's grids, the
 *       rest uniform over the plan's extent.
 *
 *   govgrid-bench-locate PROJECT.sqlite POINTS.csv [--runs R] [--geos-runs R] [--ref OUT] [--find-only]
 *       times gg_locator_new, gg_locator_find and gg_locator_query over all
 *       points on one thread (median of R runs, default 3), and a GEOS STRtree
 *       of prepared grids queried with covers (median of --geos-runs, default
 *       3); checks that every point gets the grid the boundary rule picks among
 *       those GEOS says cover it (a dedicated grid, type != 1, before a
 *       comprehensive one, then the lowest code; none when none covers).
 *       Prints one "key value" line per figure. --ref writes "id,code" per
 *       point, "id,code,covering" (code empty for none; covering: how many
 *       grids cover it), for checking govgrid locate's and PostGIS's answers.
 *       --find-only times the index build and gg_locator_find(_many) alone
 *       and prints a hash of the answers (for comparing two versions).
 *
 * Exit status 0 when it ran (even with disagreements: read "disagree"),
 * 1 on an error, 2 on a usage error. */
#define _POSIX_C_SOURCE 200809L
#define GEOS_USE_ONLY_R_API

#include <errno.h>
#include <geos_c.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "govgrid/core.h"
#include "govgrid/locate.h"
#include "govgrid/store.h"

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("govgrid-bench-locate: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        die("out of memory (%zu bytes)", n);
    return p;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* splitmix64: small, deterministic on every platform. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) * (1.0 / 9007199254740992.0);
}

/* ---- the plan's grids, read for GEOS ---- */

typedef struct ref_grid {
    char *code;
    int type;
    GEOSGeometry *geom;
    const GEOSPreparedGeometry *prep;
    int rank;   /* the boundary rule's order: lower wins */
} ref_grid;

typedef struct ref_plan {
    GEOSContextHandle_t h;
    ref_grid *grids;
    int n;
    double minx, miny, maxx, maxy;
    long vertices;   /* ring vertices, the closing one not counted */
} ref_plan;

static void geos_message(const char *fmt, ...)
{
    (void)fmt; /* GEOS notices are not wanted on the benchmark's output */
}

static int cmp_rule(const ref_grid *a, const ref_grid *b)
{
    int da = a->type != 1, db = b->type != 1;
    if (da != db)
        return db - da; /* dedicated first */
    return strcmp(a->code, b->code);
}

static ref_grid *sort_base;
static int cmp_rule_index(const void *x, const void *y)
{
    return cmp_rule(&sort_base[*(const int *)x], &sort_base[*(const int *)y]);
}

/* Reads the newest plan's grids through SpatiaLite's AsBinary. */
static void read_plan(const char *path, ref_plan *plan)
{
    memset(plan, 0, sizeof *plan);
    plan->h = GEOS_init_r();
    GEOSContext_setNoticeHandler_r(plan->h, geos_message);
    GEOSContext_setErrorHandler_r(plan->h, geos_message);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        die("%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
    char *err = NULL;
    sqlite3_enable_load_extension(db, 1);
    if (sqlite3_load_extension(db, "mod_spatialite", NULL, &err) != SQLITE_OK)
        die("loading mod_spatialite: %s", err ? err : "?");
    sqlite3_stmt *st = NULL;
    const char *sql = "SELECT code, coalesce(type, 1), AsBinary(geom) FROM grid"
                      " WHERE plan = (SELECT max(id) FROM plan) ORDER BY code";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        die("%s: %s", path, sqlite3_errmsg(db));
    GEOSWKBReader *reader = GEOSWKBReader_create_r(plan->h);
    int cap = 0;
    plan->minx = plan->miny = INFINITY;
    plan->maxx = plan->maxy = -INFINITY;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_type(st, 2) == SQLITE_NULL)
            continue;
        if (plan->n == cap) {
            cap = cap ? 2 * cap : 1024;
            ref_grid *g = realloc(plan->grids, (size_t)cap * sizeof *g);
            if (g == NULL)
                die("out of memory");
            plan->grids = g;
        }
        ref_grid *g = &plan->grids[plan->n];
        g->code = strdup((const char *)sqlite3_column_text(st, 0));
        g->type = sqlite3_column_int(st, 1);
        const unsigned char *wkb = sqlite3_column_blob(st, 2);
        g->geom = GEOSWKBReader_read_r(plan->h, reader, wkb, (size_t)sqlite3_column_bytes(st, 2));
        if (g->code == NULL || g->geom == NULL)
            die("grid %s: unreadable geometry", g->code ? g->code : "?");
        g->prep = NULL;
        double x0, y0, x1, y1;
        if (GEOSGeom_getXMin_r(plan->h, g->geom, &x0) && GEOSGeom_getYMin_r(plan->h, g->geom, &y0) &&
            GEOSGeom_getXMax_r(plan->h, g->geom, &x1) && GEOSGeom_getYMax_r(plan->h, g->geom, &y1)) {
            plan->minx = fmin(plan->minx, x0);
            plan->miny = fmin(plan->miny, y0);
            plan->maxx = fmax(plan->maxx, x1);
            plan->maxy = fmax(plan->maxy, y1);
        }
        plan->n++;
    }
    if (rc != SQLITE_DONE)
        die("%s: %s", path, sqlite3_errmsg(db));
    GEOSWKBReader_destroy_r(plan->h, reader);
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (plan->n == 0)
        die("%s: the newest plan has no grids", path);
    int *order = xmalloc((size_t)plan->n * sizeof *order);
    for (int i = 0; i < plan->n; i++)
        order[i] = i;
    sort_base = plan->grids;
    qsort(order, (size_t)plan->n, sizeof *order, cmp_rule_index);
    for (int i = 0; i < plan->n; i++)
        plan->grids[order[i]].rank = i;
    free(order);
}

/* Calls fn for every ring vertex but the closing one. */
static void each_vertex(GEOSContextHandle_t h, const GEOSGeometry *g, void (*fn)(void *, double, double), void *user)
{
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++)
            each_vertex(h, GEOSGetGeometryN_r(h, g, i), fn, user);
        return;
    }
    if (type != GEOS_POLYGON)
        return;
    int holes = GEOSGetNumInteriorRings_r(h, g);
    for (int r = -1; r < holes; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, r);
        const GEOSCoordSequence *cs = GEOSGeom_getCoordSeq_r(h, ring);
        unsigned int n = 0;
        GEOSCoordSeq_getSize_r(h, cs, &n);
        for (unsigned int i = 0; i + 1 < n; i++) {
            double x, y;
            GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
            fn(user, x, y);
        }
    }
}

typedef struct vertex_list {
    double *x, *y;
    size_t n, cap;
} vertex_list;

static void push_vertex(void *user, double x, double y)
{
    vertex_list *v = user;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 65536;
        v->x = realloc(v->x, v->cap * sizeof *v->x);
        v->y = realloc(v->y, v->cap * sizeof *v->y);
        if (v->x == NULL || v->y == NULL)
            die("out of memory");
    }
    v->x[v->n] = x;
    v->y[v->n] = y;
    v->n++;
}

static int make_points(const char *project, long n, const char *out_path, uint64_t seed, double vertex_share)
{
    ref_plan plan;
    read_plan(project, &plan);
    vertex_list v = {0};
    for (int i = 0; i < plan.n; i++)
        each_vertex(plan.h, plan.grids[i].geom, push_vertex, &v);
    if (v.n == 0)
        die("no vertices");
    FILE *out = fopen(out_path, "w");
    if (out == NULL)
        die("%s: %s", out_path, strerror(errno));
    fputs("id,lon,lat\n", out);
    uint64_t s = seed;
    long on_vertex = 0;
    for (long i = 0; i < n; i++) {
        if (rng_unit(&s) < vertex_share) {
            size_t k = (size_t)(rng_unit(&s) * (double)v.n);
            if (k >= v.n)
                k = v.n - 1;
            /* %.17g: the exact double, so the point is on the vertex */
            fprintf(out, "%ld,%.17g,%.17g\n", i + 1, v.x[k], v.y[k]);
            on_vertex++;
        } else {
            double x = plan.minx + rng_unit(&s) * (plan.maxx - plan.minx);
            double y = plan.miny + rng_unit(&s) * (plan.maxy - plan.miny);
            fprintf(out, "%ld,%.7f,%.7f\n", i + 1, x, y);
        }
    }
    if (fclose(out) != 0)
        die("%s: %s", out_path, strerror(errno));
    printf("grids %d\nvertices %zu\nextent %.9f %.9f %.9f %.9f\npoints %ld\npoints_on_vertex %ld\n", plan.n, v.n,
           plan.minx, plan.miny, plan.maxx, plan.maxy, n, on_vertex);
    return 0;
}

/* ---- points ---- */

typedef struct points {
    long *id;
    double *lon, *lat;
    size_t n;
} points;

static void read_points(const char *path, points *p)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die("%s: %s", path, strerror(errno));
    size_t cap = 1 << 20;
    p->id = xmalloc(cap * sizeof *p->id);
    p->lon = xmalloc(cap * sizeof *p->lon);
    p->lat = xmalloc(cap * sizeof *p->lat);
    p->n = 0;
    char line[256];
    long lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        if (lineno == 1)
            continue; /* header id,lon,lat */
        char *end;
        long id = strtol(line, &end, 10);
        if (*end != ',')
            die("%s:%ld: expected id,lon,lat", path, lineno);
        double lon = strtod(end + 1, &end);
        if (*end != ',')
            die("%s:%ld: expected id,lon,lat", path, lineno);
        double lat = strtod(end + 1, &end);
        if (p->n == cap) {
            cap *= 2;
            p->id = realloc(p->id, cap * sizeof *p->id);
            p->lon = realloc(p->lon, cap * sizeof *p->lon);
            p->lat = realloc(p->lat, cap * sizeof *p->lat);
            if (!p->id || !p->lon || !p->lat)
                die("out of memory");
        }
        p->id[p->n] = id;
        p->lon[p->n] = lon;
        p->lat[p->n] = lat;
        p->n++;
    }
    fclose(f);
}

/* ---- the GEOS reference ---- */

typedef struct hits {
    int *item;
    int n, cap;
} hits;

static void collect(void *item, void *user)
{
    hits *h = user;
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 16;
        h->item = realloc(h->item, (size_t)h->cap * sizeof *h->item);
        if (h->item == NULL)
            die("out of memory");
    }
    h->item[h->n++] = (int)(intptr_t)item;
}

/* One pass over all points: ref[i] = the grid (index into plan->grids) by
 * the boundary rule among those covering the point, or -1; ncover[i] = how
 * many cover it. */
static void geos_pass(ref_plan *plan, GEOSSTRtree *tree, const points *p, int32_t *ref, uint8_t *ncover)
{
    GEOSContextHandle_t h = plan->h;
    hits c = {0};
    for (size_t i = 0; i < p->n; i++) {
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, p->lon[i], p->lat[i]);
        c.n = 0;
        GEOSSTRtree_query_r(h, tree, pt, collect, &c);
        int best = -1, count = 0;
        for (int k = 0; k < c.n; k++) {
            ref_grid *g = &plan->grids[c.item[k]];
            if (GEOSPreparedCovers_r(h, g->prep, pt) == 1) {
                count++;
                if (best < 0 || g->rank < plan->grids[best].rank)
                    best = c.item[k];
            }
        }
        GEOSGeom_destroy_r(h, pt);
        ref[i] = best;
        ncover[i] = (uint8_t)(count > 255 ? 255 : count);
    }
    free(c.item);
}

static void ignore_item(void *item, void *user)
{
    (void)item;
    (void)user;
}

/* find's speed on points off every edge and on points on an edge */
static void find_split_speeds(gg_locator *loc, const points *pp, const int *on_edge, int runs)
{
    const points p = *pp;
    double t0;
    long sum = 0;
    size_t n_in = 0, n_edge = 0;
    for (size_t i = 0; i < p.n; i++)
        n_edge += on_edge[i] != 0;
    n_in = p.n - n_edge;
    double *xi = xmalloc((n_in + 1) * sizeof *xi), *yi = xmalloc((n_in + 1) * sizeof *yi);
    double *xe = xmalloc((n_edge + 1) * sizeof *xe), *ye = xmalloc((n_edge + 1) * sizeof *ye);
    size_t a = 0, b = 0;
    for (size_t i = 0; i < p.n; i++) {
        if (on_edge[i])
            xe[b] = p.lon[i], ye[b++] = p.lat[i];
        else
            xi[a] = p.lon[i], yi[a++] = p.lat[i];
    }
    double ti[50], te[50];
    for (int r = 0; r < runs; r++) {
        t0 = now_s();
        for (size_t i = 0; i < n_in; i++)
            sum += gg_locator_find(loc, xi[i], yi[i], NULL);
        ti[r] = now_s() - t0;
        t0 = now_s();
        for (size_t i = 0; i < n_edge; i++)
            sum += gg_locator_find(loc, xe[i], ye[i], NULL);
        te[r] = now_s() - t0;
    }
    double mi = median(ti, runs), me = median(te, runs);
    printf("find_off_edge_points %zu\nfind_off_edge_points_per_s %.0f\n", n_in, mi > 0 ? (double)n_in / mi : 0.0);
    printf("find_on_edge_points %zu\nfind_on_edge_points_per_s %.0f\n", n_edge, me > 0 ? (double)n_edge / me : 0.0);
    free(xi), free(yi), free(xe), free(ye);
    printf("split_checksum %ld\n", sum);
}

static int usage(void)
{
    fputs("usage: govgrid-bench-locate PROJECT.sqlite POINTS.csv [--runs R] [--geos-runs R] [--ref OUT] [--find-only]\n"
          "       govgrid-bench-locate --make-points PROJECT.sqlite N OUT.csv [--seed S] [--vertex-share F]\n",
          stderr);
    return 2;
}

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "--make-points")) {
        if (argc < 5)
            return usage();
        uint64_t seed = 1;
        double share = 0.1;
        for (int i = 5; i < argc; i++) {
            if (!strcmp(argv[i], "--seed") && i + 1 < argc)
                seed = strtoull(argv[++i], NULL, 10);
            else if (!strcmp(argv[i], "--vertex-share") && i + 1 < argc)
                share = strtod(argv[++i], NULL);
            else
                return usage();
        }
        long n = strtol(argv[3], NULL, 10);
        if (n <= 0)
            return usage();
        return make_points(argv[2], n, argv[4], seed, share);
    }
    if (argc < 3)
        return usage();
    const char *project = argv[1], *points_path = argv[2], *ref_path = NULL;
    int runs = 3, geos_runs = 3, find_only = 0;
    for (int i = 3; i < argc; i++) {
        if (!strcmp(argv[i], "--find-only"))
            find_only = 1;
        else if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--geos-runs") && i + 1 < argc)
            geos_runs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--ref") && i + 1 < argc)
            ref_path = argv[++i];
        else
            return usage();
    }
    if (runs < 1 || runs > 50 || geos_runs < 1 || geos_runs > 50)
        return usage();

    points p;
    double t0 = now_s();
    read_points(points_path, &p);
    printf("points %zu\n", p.n);
    printf("read_points_s %.3f\n", now_s() - t0);

    /* ---- govgrid ---- */
    gg_ctx *ctx = NULL;
    if (gg_ctx_new(&ctx) != GG_OK)
        die("gg_ctx_new failed");
    gg_store *store = NULL;
    if (gg_store_open(ctx, project, 0, &store) != GG_OK)
        die("%s: %s", project, gg_ctx_errmsg(ctx));
    double build[50];
    gg_locator *loc = NULL;
    for (int r = 0; r < runs; r++) {
        if (loc)
            gg_locator_free(loc);
        loc = NULL;
        t0 = now_s();
        if (gg_locator_new(ctx, store, NULL, &loc) != GG_OK)
            die("gg_locator_new: %s", gg_ctx_errmsg(ctx));
        build[r] = now_s() - t0;
    }
    /* the same with the nearest-edge tree built on a second thread */
    double build2[50];
    for (int r = 0; r < runs; r++) {
        gg_locator_options lo;
        gg_locator_options_init(&lo);
        lo.threads = 2;
        gg_locator *l2 = NULL;
        t0 = now_s();
        if (gg_locator_new(ctx, store, &lo, &l2) != GG_OK)
            die("gg_locator_new: %s", gg_ctx_errmsg(ctx));
        build2[r] = now_s() - t0;
        gg_locator_free(l2);
    }
    size_t n_grids = gg_locator_grid_count(loc);
    printf("grids %zu\n", n_grids);
    printf("locator_build_s %.4f\n", median(build, runs));
    printf("locator_build_2_threads_s %.4f\n", median(build2, runs));
    printf("locator_bytes %zu\n", gg_locator_bytes(loc));
    printf("locator_vertices %zu\n", gg_locator_vertices(loc));
    printf("locator_bytes_per_vertex %.1f\n",
           gg_locator_vertices(loc) ? (double)gg_locator_bytes(loc) / (double)gg_locator_vertices(loc) : 0.0);

    int32_t *found = xmalloc(p.n * sizeof *found);
    int *on_edge = xmalloc(p.n * sizeof *on_edge);
    double times[50];
    long sum = 0;
    for (int r = 0; r < runs; r++) {
        t0 = now_s();
        for (size_t i = 0; i < p.n; i++)
            found[i] = gg_locator_find(loc, p.lon[i], p.lat[i], &on_edge[i]);
        times[r] = now_s() - t0;
        for (size_t i = 0; i < p.n; i++)
            sum += found[i];
    }
    double t_find = median(times, runs);
    printf("find_s %.4f\n", t_find);
    printf("find_points_per_s %.0f\n", (double)p.n / t_find);
    /* The batch form (prefetching), checked against the single one. */
    int32_t *many = xmalloc(p.n * sizeof *many);
    for (int r = 0; r < runs; r++) {
        t0 = now_s();
        gg_locator_find_many(loc, p.lon, p.lat, p.n, many);
        times[r] = now_s() - t0;
    }
    double t_many = median(times, runs);
    size_t many_differ = 0;
    for (size_t i = 0; i < p.n; i++)
        many_differ += many[i] != found[i];
    printf("find_many_s %.4f\n", t_many);
    printf("find_many_points_per_s %.0f\n", (double)p.n / t_many);
    printf("find_many_differ %zu\n", many_differ);
    free(many);
    if (find_only) {
        /* a quick pass for work on the lookup: its answers as one number */
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < p.n; i++)
            h = (h ^ (uint64_t)(uint32_t)found[i] ^ ((uint64_t)on_edge[i] << 32)) * 1099511628211ull;
        printf("find_answers_hash %016llx\n", (unsigned long long)h);
        find_split_speeds(loc, &p, on_edge, runs);
        gg_locator_free(loc);
        gg_store_close(store);
        gg_ctx_free(ctx);
        return 0;
    }

    int32_t *qgrid = xmalloc(p.n * sizeof *qgrid);
    uint8_t *qstatus = xmalloc(p.n);
    for (int r = 0; r < runs; r++) {
        t0 = now_s();
        for (size_t i = 0; i < p.n; i++) {
            gg_locate_result res;
            gg_locator_query(loc, p.lon[i], p.lat[i], &res);
            qgrid[i] = res.grid;
            qstatus[i] = (uint8_t)res.status;
        }
        times[r] = now_s() - t0;
        for (size_t i = 0; i < p.n; i++)
            sum += qgrid[i];
    }
    double t_query = median(times, runs);
    printf("query_s %.4f\n", t_query);
    printf("query_points_per_s %.0f\n", (double)p.n / t_query);
    /* the batch query, checked against the single one */
    {
        gg_locate_result *many_res = xmalloc(p.n * sizeof *many_res);
        for (int r = 0; r < runs; r++) {
            t0 = now_s();
            gg_locator_query_many(loc, p.lon, p.lat, p.n, many_res);
            times[r] = now_s() - t0;
        }
        double t_qm = median(times, runs);
        size_t qm_differ = 0;
        for (size_t i = 0; i < p.n; i++)
            qm_differ += many_res[i].grid != qgrid[i] || (uint8_t)many_res[i].status != qstatus[i];
        printf("query_many_s %.4f\n", t_qm);
        printf("query_many_points_per_s %.0f\n", (double)p.n / t_qm);
        printf("query_many_differ %zu\n", qm_differ);
        free(many_res);
    }
    long by_status[5] = {0};
    for (size_t i = 0; i < p.n; i++)
        by_status[qstatus[i] < 5 ? qstatus[i] : 4]++;
    printf("query_inside %ld\nquery_near_boundary %ld\nquery_snapped %ld\nquery_outside %ld\nquery_invalid %ld\n",
           by_status[0], by_status[1], by_status[2], by_status[3], by_status[4]);
    /* Where the query's time goes: one more pass, each call timed, summed by
     * the status it gave (the clock adds some 20-50 ns a call). */
    {
        static const char *const names[5] = {"inside", "near_boundary", "snapped", "outside", "invalid"};
        double spent[5] = {0};
        for (size_t i = 0; i < p.n; i++) {
            gg_locate_result res;
            double a = now_s();
            gg_locator_query(loc, p.lon[i], p.lat[i], &res);
            spent[res.status < 5 ? res.status : 4] += now_s() - a;
        }
        for (int k = 0; k < 4; k++)
            printf("query_us_%s %.2f\nquery_share_%s %.3f\n", names[k], by_status[k] ? 1e6 * spent[k] / (double)by_status[k] : 0.0,
                   names[k], spent[k] / (spent[0] + spent[1] + spent[2] + spent[3] + spent[4]));
    }

    /* ---- GEOS: STRtree of prepared geometries ---- */
    ref_plan plan;
    t0 = now_s();
    read_plan(project, &plan);
    double t_read = now_s() - t0;
    t0 = now_s();
    GEOSSTRtree *tree = GEOSSTRtree_create_r(plan.h, 10);
    for (int i = 0; i < plan.n; i++) {
        plan.grids[i].prep = GEOSPrepare_r(plan.h, plan.grids[i].geom);
        if (plan.grids[i].prep == NULL)
            die("GEOSPrepare failed for grid %s", plan.grids[i].code);
        GEOSSTRtree_insert_r(plan.h, tree, plan.grids[i].geom, (void *)(intptr_t)i);
    }
    /* the tree is built on its first query */
    GEOSGeometry *probe = GEOSGeom_createPointFromXY_r(plan.h, plan.minx, plan.miny);
    GEOSSTRtree_query_r(plan.h, tree, probe, ignore_item, NULL);
    GEOSGeom_destroy_r(plan.h, probe);
    double t_geos_build = now_s() - t0;
    printf("geos_grids %d\n", plan.n);
    printf("geos_read_s %.4f\n", t_read);
    printf("geos_build_s %.4f\n", t_geos_build);

    int32_t *ref = xmalloc(p.n * sizeof *ref);
    uint8_t *ncover = xmalloc(p.n);
    double first_run = 0;
    for (int r = 0; r < geos_runs; r++) {
        t0 = now_s();
        geos_pass(&plan, tree, &p, ref, ncover);
        times[r] = now_s() - t0;
        if (r == 0)
            first_run = times[r];
    }
    double t_geos = median(times, geos_runs);
    printf("geos_first_run_s %.4f\n", first_run); /* includes building the prepared geometries' indexes */
    printf("geos_s %.4f\n", t_geos);
    printf("geos_points_per_s %.0f\n", (double)p.n / t_geos);

    /* ---- agreement ---- */
    /* the locator's grid index -> the reference's grid index, by code */
    int32_t *map = xmalloc((n_grids ? n_grids : 1) * sizeof *map);
    long unmapped = 0;
    for (size_t g = 0; g < n_grids; g++) {
        const char *code = gg_locator_grid(loc, (int32_t)g)->code;
        int lo = 0, hi = plan.n - 1;
        map[g] = -1;
        while (lo <= hi) { /* plan.grids is ordered by code */
            int mid = (lo + hi) / 2;
            int c = strcmp(plan.grids[mid].code, code);
            if (c == 0) {
                map[g] = mid;
                break;
            }
            if (c < 0)
                lo = mid + 1;
            else
                hi = mid - 1;
        }
        unmapped += map[g] < 0;
    }
    long agree = 0, disagree = 0, covered = 0, none = 0, multi = 0, query_bad = 0, edge_flag_off = 0;
    long multi_hist[5] = {0};
    int shown = 0;
    for (size_t i = 0; i < p.n; i++) {
        int32_t mine = found[i] >= 0 && (size_t)found[i] < n_grids ? map[found[i]] : -2;
        if (found[i] < 0)
            mine = -1;
        covered += ref[i] >= 0;
        none += ref[i] < 0;
        if (ncover[i] >= 2) {
            multi++;
            multi_hist[ncover[i] < 4 ? ncover[i] : 4]++;
        }
        if (mine == ref[i]) {
            agree++;
        } else {
            disagree++;
            if (shown < 20) {
                shown++;
                printf("# disagree id %ld lon %.17g lat %.17g govgrid %s reference %s covering %d\n", p.id[i],
                       p.lon[i], p.lat[i], mine >= 0 ? plan.grids[mine].code : mine == -1 ? "none" : "bad-index",
                       ref[i] >= 0 ? plan.grids[ref[i]].code : "none", ncover[i]);
            }
        }
        /* the full query: in a grid it gives find's grid; else find gave none */
        int st = qstatus[i];
        if (st == GG_LOCATE_INSIDE || st == GG_LOCATE_NEAR_BOUNDARY ? qgrid[i] != found[i] : found[i] != -1)
            query_bad++;
        /* a point two grids cover lies on an edge of both */
        if (ncover[i] >= 2 && !on_edge[i])
            edge_flag_off++;
    }
    find_split_speeds(loc, &p, on_edge, runs);
    printf("covered %ld\nnot_covered %ld\n", covered, none);
    printf("covered_by_2_or_more %ld\n", multi);
    printf("covered_by_2 %ld\ncovered_by_3 %ld\ncovered_by_4_or_more %ld\n", multi_hist[2], multi_hist[3],
           multi_hist[4]);
    long flagged = 0;
    for (size_t i = 0; i < p.n; i++)
        flagged += on_edge[i] != 0;
    printf("on_boundary_flagged %ld\n", flagged);
    printf("agree %ld\ndisagree %ld\n", agree, disagree);
    printf("unmapped_grids %ld\n", unmapped);
    printf("query_inconsistent %ld\n", query_bad);
    printf("multi_cover_without_on_boundary %ld\n", edge_flag_off);
    printf("checksum %ld\n", sum);

    if (ref_path) {
        FILE *f = fopen(ref_path, "w");
        if (f == NULL)
            die("%s: %s", ref_path, strerror(errno));
        for (size_t i = 0; i < p.n; i++)
            fprintf(f, "%ld,%s,%d\n", p.id[i], ref[i] >= 0 ? plan.grids[ref[i]].code : "", ncover[i]);
        if (fclose(f) != 0)
            die("%s: %s", ref_path, strerror(errno));
    }

    GEOSSTRtree_destroy_r(plan.h, tree);
    for (int i = 0; i < plan.n; i++) {
        GEOSPreparedGeom_destroy_r(plan.h, plan.grids[i].prep);
        GEOSGeom_destroy_r(plan.h, plan.grids[i].geom);
        free(plan.grids[i].code);
    }
    free(plan.grids);
    GEOS_finish_r(plan.h);
    gg_locator_free(loc);
    gg_store_close(store);
    gg_ctx_free(ctx);
    free(map);
    free(ref);
    free(ncover);
    free(found);
    free(on_edge);
    free(qgrid);
    free(qstatus);
    free(p.id);
    free(p.lon);
    free(p.lat);
    return 0;
}
