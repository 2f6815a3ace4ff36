/* govgrid-bench-dedup: times gg_dedup_run on a project, stage by stage
 * (from its progress callback), and prints what it found.
 *   govgrid-bench-dedup PROJECT.sqlite [--jobs N] [--dept NAME ...] [--write DIR]
 * Output: "key value" lines (seconds, counts, peak RSS in MB). */
#define _POSIX_C_SOURCE 200809L
#include "govgrid/govgrid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

typedef struct stages {
    char name[8][64];
    double start[8];
    int n;
} stages;

static int on_progress(void *user, const char *stage, uint64_t done, uint64_t total)
{
    stages *s = user;
    (void)done;
    (void)total;
    if (s->n == 0 || strcmp(s->name[s->n - 1], stage) != 0) {
        if (s->n < 8) {
            snprintf(s->name[s->n], sizeof s->name[0], "%s", stage);
            s->start[s->n++] = now();
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help")) {
        fprintf(argc < 2 ? stderr : stdout,
                "usage: govgrid-bench-dedup PROJECT.sqlite [--jobs N] [--dept NAME ...] [--write DIR]\n");
        return argc < 2 ? 2 : 0;
    }
    gg_dedup_options o;
    gg_dedup_options_init(&o);
    const char **depts = calloc((size_t)argc, sizeof *depts);
    const char *dir = NULL;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--jobs") && i + 1 < argc)
            o.jobs = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--dept") && i + 1 < argc)
            depts[o.n_depts++] = argv[++i];
        else if (!strcmp(argv[i], "--write") && i + 1 < argc)
            dir = argv[++i];
        else {
            fprintf(stderr, "govgrid-bench-dedup: unknown argument %s\n", argv[i]);
            return 2;
        }
    }
    o.depts = depts;
    gg_ctx *ctx = NULL;
    gg_store *store = NULL;
    gg_dedup_result *r = NULL;
    stages s = {.n = 0};
    if (gg_ctx_new(&ctx) != GG_OK)
        return 1;
    gg_ctx_set_progress(ctx, on_progress, &s);
    double t0 = now();
    gg_status st = gg_store_open(ctx, argv[1], 0, &store);
    if (st == GG_OK)
        st = gg_dedup_run(ctx, store, &o, &r);
    double t1 = now();
    if (st == GG_OK && dir)
        st = gg_dedup_write(ctx, store, r, dir, &(gg_dedup_write_options){1, 1, o.jobs});
    double t2 = now();
    if (st != GG_OK) {
        fprintf(stderr, "govgrid-bench-dedup: %s\n", gg_ctx_errmsg(ctx));
        return 1;
    }
    printf("jobs %d\n", o.jobs);
    printf("unified_grids %zu\n", r->n_grids);
    printf("dept_grids %zu\n", r->n_items);
    printf("departments %zu\n", r->n_depts);
    printf("run_s %.3f\n", t1 - t0);
    for (int i = 0; i < s.n; i++)
        printf("stage_s %s %.3f\n", s.name[i], (i + 1 < s.n ? s.start[i + 1] : t1) - s.start[i]);
    if (s.n > 0)
        printf("stage_s open %.3f\n", s.start[0] - t0);
    if (dir)
        printf("write_s %.3f\n", t2 - t1);
    size_t rel[GG_RELATION_COUNT] = {0};
    for (size_t i = 0; i < r->n_items; i++)
        rel[r->items[i].relation]++;
    for (int k = 0; k < GG_RELATION_COUNT; k++)
        printf("relation %s %zu\n", gg_relation_name((gg_relation)k), rel[k]);
    size_t kinds[4] = {0};
    for (size_t i = 0; i < r->n_conflicts; i++)
        kinds[r->conflicts[i].kind]++;
    for (int k = 0; k < 4; k++)
        printf("conflicts %s %zu\n", gg_conflict_kind_name((gg_conflict_kind)k), kinds[k]);
    printf("duplicates %zu\n", r->n_duplicates);
    printf("noise_pieces %zu\n", r->noise_pieces);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak_rss_mb %.0f\n", ru.ru_maxrss / 1024.0);
    gg_dedup_result_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
    free(depts);
    return 0;
}
