/*
 * grids.c - the existing ("hand-drawn") grid plan of one community and its
 * roster. Each cell of the tessellation is one comprehensive grid; codes are
 * the community code, type digit 1 and a sequence numbered west to east.
 * Rosters follow the 1+2+N rule (one leader, two or more workers of whom at
 * least one is full-time, volunteers, sometimes an instructor) except in
 * about 5% of grids, which break it on purpose.
 */
#include <stdlib.h>
#include <string.h>

#include "depts.h"

static void phone(sy_rng *r, char *out, size_t cap)
{
    snprintf(out, cap, "1%d%d%04d%04d", sy_rng_int(r, 3, 9), sy_rng_int(r, 0, 9), sy_rng_int(r, 0, 9999),
             sy_rng_int(r, 0, 9999));
}

static void worker(sy_out *o, sy_rng *r, const char *role, const char *code)
{
    char name[SY_NAME_CAP], tel[24];
    sy_name_person(r, name, sizeof name);
    phone(r, tel, sizeof tel);
    sy_out_worker(o, name, role, tel, code);
}

static void roster(sy_out *o, sy_rng *r, const char *code)
{
    double u = sy_rng_uniform(r);
    int broken_no_leader = u < 0.025, broken_one_worker = u >= 0.025 && u < 0.05;
    if (!broken_no_leader)
        worker(o, r, "leader", code);
    if (broken_one_worker) {
        worker(o, r, sy_rng_chance(r, 0.5) ? "fulltime" : "parttime", code);
    } else {
        worker(o, r, "fulltime", code);
        int more = sy_rng_int(r, 1, 3);
        for (int i = 0; i < more; i++)
            worker(o, r, sy_rng_chance(r, 0.55) ? "fulltime" : "parttime", code);
    }
    int vol = sy_rng_int(r, 0, 6);
    for (int i = 0; i < vol; i++)
        worker(o, r, "volunteer", code);
    if (sy_rng_chance(r, 0.3))
        worker(o, r, "instructor", code);
}

typedef struct grid_item {
    double x, y;
    int cell;
} grid_item;

static int cmp_grid(const void *a, const void *b)
{
    const grid_item *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y > q->y ? -1 : 1;
    return (p->cell > q->cell) - (p->cell < q->cell);
}

void sy_grids_generate(sy_comm *cc, sy_out *o, long n_vertex_incidents)
{
    const sy_world *w = cc->w;
    const sy_community *cm = &w->communities[cc->ci];
    int n = cm->n_cells;
    grid_item *items = sy_malloc(sizeof(grid_item) * (size_t)n);
    sy_mpoly m = {0};
    for (int i = 0; i < n; i++) {
        int c = w->community_cells[cm->first_cell + i];
        sy_cell_build(w, c, &m);
        sy_pt ct = sy_ring_centroid(sy_mpoly_ring(&m, 0), (size_t)sy_mpoly_ring_len(&m, 0) - 1);
        items[i].x = ct.x;
        items[i].y = ct.y;
        items[i].cell = c;
    }
    qsort(items, (size_t)n, sizeof(grid_item), cmp_grid);
    sy_rng vr = sy_rng_for(w->opt.seed, SY_TAG_INCIDENTS, 2000000 + (uint64_t)cc->ci);
    long *per_grid = sy_calloc((size_t)n, sizeof(long));
    for (long k = 0; k < n_vertex_incidents; k++)
        per_grid[sy_rng_int(&vr, 0, n - 1)]++;
    char code[64], name[SY_NAME_CAP * 2];
    for (int i = 0; i < n; i++) {
        int c = items[i].cell;
        sy_cell_build(w, c, &m);
        snprintf(code, sizeof code, "%s1%03d", cm->code, i + 1);
        snprintf(name, sizeof name, "%s第%d网格", cm->name, i + 1);
        sy_out_grid(o, code, cm->code, name, &m);
        sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_WORKERS, (uint64_t)c);
        roster(o, &r, code);
        for (long k = 0; k < per_grid[i]; k++) {
            int ring = sy_rng_int(&vr, 0, m.n_rings - 1);
            int v = sy_rng_int(&vr, 0, sy_mpoly_ring_len(&m, ring) - 2);
            sy_out_incident(o, sy_mpoly_ring(&m, ring)[v], sy_incident_category(&vr), "grid_vertex");
        }
    }
    free(per_grid);
    sy_mpoly_free(&m);
    free(items);
}

void sy_workers_orphans(const sy_world *w, sy_out *o)
{
    sy_rng r = sy_rng_for(w->opt.seed, SY_TAG_WORKERS, 0xfffffffu);
    int n = 3 + w->n_cells / 2000;
    char code[64];
    for (int i = 0; i < n; i++) {
        const sy_community *cm = &w->communities[sy_rng_int(&r, 0, w->n_communities - 1)];
        if (i % 3 == 2)
            snprintf(code, sizeof code, "%s1%02d", cm->code, sy_rng_int(&r, 0, 99)); /* 15 digits */
        else
            snprintf(code, sizeof code, "%s1%03d", cm->code, 900 + sy_rng_int(&r, 0, 99));
        worker(o, &r, i % 2 ? "fulltime" : "volunteer", code);
    }
}
