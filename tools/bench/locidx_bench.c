/* govgrid-bench-locidx: the start-up of gg_locator_new on a published plan,
 * with its index file (mapped) and without (built in memory), RUNS times
 * each, interleaved, and the answers of the two locators compared on
 * POINTS points (uniform over the plan's extent, and every grid's
 * vertices). Prints "key value" lines (tools/bench/locidx.sh).
 *   govgrid-bench-locidx PROJECT.sqlite [--runs N] [--points N] [--threads N]
 * The plan's index file must be there (govgrid plan index PROJECT). */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "govgrid/govgrid.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void die(const char *what, gg_ctx *ctx)
{
    fprintf(stderr, "govgrid-bench-locidx: %s: %s\n", what, ctx ? gg_ctx_errmsg(ctx) : "");
    exit(1);
}

/* A locator of the published plan: opens the project, makes the locator,
 * closes the project (as govgrid locate does); returns the seconds taken. */
static double make(gg_ctx *ctx, const char *project, int build, int threads, gg_locator **out)
{
    double t0 = now_s();
    gg_store *store = NULL;
    if (gg_store_open(ctx, project, 0, &store) != GG_OK)
        die("open", ctx);
    gg_locator_options o;
    gg_locator_options_init(&o);
    o.build_index = build;
    o.threads = threads;
    if (gg_locator_new(ctx, store, &o, out) != GG_OK)
        die("gg_locator_new", ctx);
    gg_store_close(store);
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: govgrid-bench-locidx PROJECT.sqlite [--runs N] [--points N] [--threads N]\n");
        return 2;
    }
    const char *project = argv[1];
    int runs = 5, threads = 2;
    long points = 1000000;
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--runs"))
            runs = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--points"))
            points = atol(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
    }
    if (runs < 1 || runs > 100)
        runs = 5;
    gg_ctx *ctx = NULL;
    if (gg_ctx_new(&ctx) != GG_OK)
        die("gg_ctx_new", NULL);
    double *t_file = calloc((size_t)runs, sizeof *t_file), *t_build = calloc((size_t)runs, sizeof *t_build);
    if (t_file == NULL || t_build == NULL)
        die("out of memory", NULL);
    gg_locator *a = NULL, *b = NULL;
    for (int r = 0; r < runs; r++) {
        gg_locator_free(a);
        gg_locator_free(b);
        t_file[r] = make(ctx, project, 0, threads, &a);
        t_build[r] = make(ctx, project, 1, threads, &b);
    }
    const char *why = NULL;
    if (gg_locator_index_status(a, &why) != GG_LOCATOR_INDEX_LOADED) {
        fprintf(stderr, "govgrid-bench-locidx: the index file was not loaded: %s\n", why);
        return 1;
    }
    printf("grids %zu\n", gg_locator_grid_count(a));
    printf("vertices %zu\n", gg_locator_vertices(b));
    printf("runs %d\n", runs);
    printf("threads %d\n", threads);
    printf("new_file_s %.4f\n", median(t_file, runs));
    printf("new_build_s %.4f\n", median(t_build, runs));
    printf("new_file_min_s %.4f\n", t_file[0]);
    printf("new_file_max_s %.4f\n", t_file[runs - 1]);
    /* The answers of both on points over the plan's extent (GG_EXTENT,
     * "minx miny maxx maxy"): a quarter on a lattice of 1e-4 degrees, on
     * which the synthetic plan's vertices and edges often lie. */
    srand(7);
    long differ = 0;
    double lon[1024], lat[1024];
    gg_locate_result ra[1024], rb[1024];
    const char *ext = getenv("GG_EXTENT"); /* "minx miny maxx maxy" */
    double e[4] = {115, 39, 117, 41};
    if (ext != NULL)
        sscanf(ext, "%lf %lf %lf %lf", &e[0], &e[1], &e[2], &e[3]);
    for (long i0 = 0; i0 < points; i0 += 1024) {
        int n = points - i0 < 1024 ? (int)(points - i0) : 1024;
        for (int k = 0; k < n; k++) {
            if (k % 4 == 0) {
                lon[k] = e[0] + floor((e[2] - e[0]) * rand() / RAND_MAX * 1e4) / 1e4;
                lat[k] = e[1] + floor((e[3] - e[1]) * rand() / RAND_MAX * 1e4) / 1e4;
            } else {
                lon[k] = e[0] + (e[2] - e[0]) * rand() / RAND_MAX;
                lat[k] = e[1] + (e[3] - e[1]) * rand() / RAND_MAX;
            }
        }
        gg_locator_query_many(a, lon, lat, (size_t)n, ra);
        gg_locator_query_many(b, lon, lat, (size_t)n, rb);
        for (int k = 0; k < n; k++)
            if (ra[k].grid != rb[k].grid || ra[k].status != rb[k].status || ra[k].on_boundary != rb[k].on_boundary ||
                !(ra[k].distance_m == rb[k].distance_m || (isnan(ra[k].distance_m) && isnan(rb[k].distance_m))))
                differ++;
    }
    printf("points_compared %ld\n", points);
    printf("points_differ %ld\n", differ);
    gg_locator_free(a);
    gg_locator_free(b);
    free(t_file);
    free(t_build);
    gg_ctx_free(ctx);
    return differ != 0;
}
