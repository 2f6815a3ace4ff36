/* gg_dedup_run: departmental grids against a plan, in threads.
 *
 * Two stages over a pool of jobs threads (the calling thread is one):
 * first each departmental grid (its crosswalk, its overlaps with later
 * grids of its department, its duplicates among later grids of other
 * departments), then each department and community it covers (the gaps).
 * GEOS geometries cache their envelopes lazily, so each thread works on
 * copies of its own, made before the threads start. Results land in
 * per-item slots or per-thread lists, sorted at the end: the result is
 * the same for any number of jobs. */
#include "dedup/dedup.h"
#include "geo/shapes.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_JOBS 64

const char *gg_relation_name(gg_relation relation)
{
    static const char *const names[GG_RELATION_COUNT] = {"equal", "union-of", "part-of", "cuts", "outside",
                                                          "invalid"};
    return (unsigned)relation < GG_RELATION_COUNT ? names[relation] : NULL;
}

const char *gg_conflict_kind_name(gg_conflict_kind kind)
{
    static const char *const names[] = {"cut", "overlap", "gap", "outside"};
    return (unsigned)kind < 4 ? names[kind] : NULL;
}

void gg_dedup_options_init(gg_dedup_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->equal_iou = 0.9;
    opts->tolerance_m = 5;
    opts->jobs = 1;
}

typedef struct gap_task {
    uint32_t dept, community;
} gap_task;

typedef struct worker {
    struct pool *pool;
    int index;
    gg_ctx *ctx;                /* the calling thread's for worker 0 */
    GEOSGeometry **grids, **dgrids; /* copies, or the originals for worker 0 */
    GEOSGeometry **eroded;      /* copies of dd->eroded once made (worker 0: dd->eroded itself) */
    gg_dd_piece *pieces;
    size_t n_pieces, cap_pieces, noise;
    gg_dedup_duplicate *dups;
    size_t n_dups, cap_dups;
    gg_status status;
    pthread_t thread;
} worker;

typedef struct pool {
    gg_dedup *dd;
    int jobs;
    worker workers[MAX_JOBS];
    pthread_mutex_t mutex;
    size_t next_item, next_pair, next_gap, next_grid, next_prep, next_points, done;
    gap_task *gaps;
    size_t n_gaps;
    int failed;
} pool;

static size_t take(pool *p, size_t *next)
{
    pthread_mutex_lock(&p->mutex);
    size_t i = p->failed ? SIZE_MAX : (*next)++;
    pthread_mutex_unlock(&p->mutex);
    return i;
}

static void finished_one(pool *p, worker *w, gg_status st, size_t total, const char *stage)
{
    pthread_mutex_lock(&p->mutex);
    p->done++;
    if (st != GG_OK)
        p->failed = 1;
    size_t done = p->done;
    pthread_mutex_unlock(&p->mutex);
    if (w->index == 0 && (done % 256 == 0 || done == total) &&
        gg_progress(w->ctx, stage, done, total) != GG_OK) {
        pthread_mutex_lock(&p->mutex);
        p->failed = 1;
        pthread_mutex_unlock(&p->mutex);
        w->status = GG_ERR_CANCELLED;
    }
}

/* The gap tasks: every (department, community) pair where one of the
 * department's grids covers more than noise of a grid of the community. */
/* The grids of each community, and per department and grid the items
 * touching it and whether one holds it whole. */
static gg_status make_indexes(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    const gg_dedup_result *r = dd->result;
    size_t ng = r->n_grids, nc = dd->n_communities, nd = r->n_depts;
    dd->community_start = gg_calloc(ctx, nc + 2, sizeof *dd->community_start);
    dd->community_grids = gg_malloc(ctx, (ng + 1) * sizeof *dd->community_grids);
    dd->touch_start = gg_calloc(ctx, nd * ng + 2, sizeof *dd->touch_start);
    dd->whole_by = gg_calloc(ctx, nd * ng + 1, 1);
    if (!dd->community_start || !dd->community_grids || !dd->touch_start || !dd->whole_by)
        return gg_error_nomem(ctx);
    for (size_t g = 0; g < ng; g++)
        if (dd->grid_community[g] >= 0)
            dd->community_start[dd->grid_community[g] + 1]++;
    for (size_t c = 0; c < nc; c++)
        dd->community_start[c + 1] += dd->community_start[c];
    uint32_t *fill = gg_malloc(ctx, (nc + 1) * sizeof *fill);
    if (fill == NULL)
        return gg_error_nomem(ctx);
    memcpy(fill, dd->community_start, (nc + 1) * sizeof *fill);
    for (size_t g = 0; g < ng; g++)
        if (dd->grid_community[g] >= 0)
            dd->community_grids[fill[dd->grid_community[g]]++] = (uint32_t)g;
    gg_free(ctx, fill);
    size_t total = 0;
    for (size_t i = 0; i < r->n_items; i++)
        for (size_t k = 0; k < r->items[i].n_touches; k++) {
            size_t dg = (size_t)dd->dgrids[i].dept * ng + (size_t)r->items[i].touches[k].grid;
            dd->touch_start[dg + 1]++;
            total++;
            dd->whole_by[dg] |= (char)r->items[i].touches[k].whole;
        }
    for (size_t dg = 0; dg < nd * ng; dg++)
        dd->touch_start[dg + 1] += dd->touch_start[dg];
    dd->touch_items = gg_malloc(ctx, (total + 1) * sizeof *dd->touch_items);
    uint32_t *at = gg_malloc(ctx, (nd * ng + 1) * sizeof *at);
    if (dd->touch_items == NULL || at == NULL) {
        gg_free(ctx, at);
        return gg_error_nomem(ctx);
    }
    memcpy(at, dd->touch_start, (nd * ng + 1) * sizeof *at);
    for (size_t i = 0; i < r->n_items; i++)
        for (size_t k = 0; k < r->items[i].n_touches; k++) {
            size_t dg = (size_t)dd->dgrids[i].dept * ng + (size_t)r->items[i].touches[k].grid;
            dd->touch_items[at[dg]++] = (uint32_t)i;
        }
    gg_free(ctx, at);
    return GG_OK;
}

static gg_status make_gap_tasks(pool *p)
{
    gg_dedup *dd = p->dd;
    gg_ctx *ctx = dd->ctx;
    size_t nc = dd->n_communities, nd = dd->result->n_depts;
    gg_status ist = make_indexes(dd);
    if (ist != GG_OK)
        return ist;
    char *mark = gg_calloc(ctx, nc * nd + 1, 1);
    if (mark == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < dd->result->n_items; i++)
        for (size_t k = 0; k < dd->n_item_communities[i]; k++)
            mark[(size_t)dd->dgrids[i].dept * nc + (size_t)dd->item_communities[i][k]] = 1;
    size_t n = 0;
    for (size_t i = 0; i < nc * nd; i++)
        n += mark[i];
    p->gaps = gg_malloc(ctx, (n ? n : 1) * sizeof *p->gaps);
    if (p->gaps == NULL) {
        gg_free(ctx, mark);
        return gg_error_nomem(ctx);
    }
    for (size_t i = 0; i < nc * nd; i++)
        if (mark[i])
            p->gaps[p->n_gaps++] = (gap_task){(uint32_t)(i / (nc ? nc : 1)), (uint32_t)(i % (nc ? nc : 1))};
    for (size_t d = 0; d < nd; d++)
        for (size_t c = 0; c < nc; c++)
            dd->result->depts[d].communities_covered += (size_t)mark[d * nc + c];
    gg_free(ctx, mark);
    return GG_OK;
}

static void *work_erode(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    gg_dedup *dd = p->dd;
    size_t n = dd->result->n_grids;
    for (size_t i; w->status == GG_OK && (i = take(p, &p->next_grid)) < n;) {
        dd->eroded[i] = gg_dd_erode(w->ctx->geos, w->grids[i], dd->opts.tolerance_m);
        dd->grids[i].band_m2 = dd->grids[i].area_m2;
        gg_status st = gg_polyindex_build(w->ctx, w->grids[i], 0, &dd->grid_ix[i]);
        if (st == GG_OK && dd->eroded[i] != NULL)
            st = gg_polyindex_build(w->ctx, dd->eroded[i], 0, &dd->eroded_ix[i]);
        if (st != GG_OK) {
            w->status = st;
            pthread_mutex_lock(&p->mutex);
            p->failed = 1;
            pthread_mutex_unlock(&p->mutex);
            break;
        }
        if (dd->eroded[i] != NULL) { /* its envelope made now, before any other thread reads it */
            double box[4];
            gg_geom_box(w->ctx->geos, dd->eroded[i], box);
            dd->grids[i].band_m2 -= gg_frame_area(w->ctx->geos, &dd->frame, dd->eroded[i]);
        }
    }
    return NULL;
}

#define POINTS_A_TASK 4096

static void *work_households(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    const gg_dedup *dd = p->dd;
    size_t n = dd->hh.n, tasks = (n + POINTS_A_TASK - 1) / POINTS_A_TASK;
    for (size_t i; w->status == GG_OK && (i = take(p, &p->next_points)) < tasks;) {
        size_t to = (i + 1) * POINTS_A_TASK;
        gg_dd_locate_households(dd, i * POINTS_A_TASK, to < n ? to : n);
        finished_one(p, w, GG_OK, tasks, "dedup: locating households");
    }
    return NULL;
}

static void *work_prepare(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    gg_dedup *dd = p->dd;
    size_t n = dd->result->n_items;
    for (size_t i; w->status == GG_OK && (i = take(p, &p->next_prep)) < n;) {
        gg_status st = gg_dd_prepare_dept_grid(w->ctx, dd, i);
        if (st != GG_OK)
            w->status = st;
        finished_one(p, w, st, n, "dedup: checking departmental grids");
    }
    return NULL;
}

static void *work_items(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    gg_dedup *dd = p->dd;
    size_t n_items = dd->result->n_items;
    for (size_t i; w->status == GG_OK && (i = take(p, &p->next_item)) < n_items;) {
        gg_status st = gg_dd_crosswalk(w->ctx, dd, w->grids, w->eroded, i);
        if (st != GG_OK)
            w->status = st;
        finished_one(p, w, st, n_items, "dedup: crosswalk");
    }
    return NULL;
}

static void *work_pairs(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    gg_dedup *dd = p->dd;
    size_t n_items = dd->result->n_items;
    for (size_t i; w->status == GG_OK && (i = take(p, &p->next_pair)) < n_items;) {
        gg_status st = gg_dd_overlaps(w->ctx, dd, w->dgrids, i, &w->pieces, &w->n_pieces, &w->cap_pieces, &w->noise);
        if (st == GG_OK)
            st = gg_dd_duplicates(w->ctx, dd, w->dgrids, i, &w->dups, &w->n_dups, &w->cap_dups);
        if (st != GG_OK)
            w->status = st;
        finished_one(p, w, st, n_items, "dedup: overlaps");
    }
    return NULL;
}

static void *work_gaps(void *arg)
{
    worker *w = arg;
    pool *p = w->pool;
    for (size_t i; w->status == GG_OK && (i = take(p, &p->next_gap)) < p->n_gaps;) {
        gg_status st = gg_dd_gaps(w->ctx, p->dd, w->dgrids, w->grids, p->gaps[i].dept, p->gaps[i].community,
                                  &w->pieces, &w->n_pieces, &w->cap_pieces, &w->noise);
        if (st != GG_OK)
            w->status = st;
        finished_one(p, w, st, p->n_gaps, "dedup: coverage");
    }
    return NULL;
}

/* Runs fn on every worker, the calling thread being worker 0. A thread
 * that cannot be started is no failure: tasks come from a shared counter,
 * so the others take its share. */
static void run_stage(pool *p, void *(*fn)(void *), const char *stage, size_t total)
{
    p->done = 0;
    if (stage != NULL && gg_progress(p->dd->ctx, stage, 0, total) != GG_OK) {
        p->failed = 1;
        p->workers[0].status = GG_ERR_CANCELLED;
        return;
    }
    int started[MAX_JOBS] = {0};
    for (int t = 1; t < p->jobs; t++)
        started[t] = pthread_create(&p->workers[t].thread, NULL, fn, &p->workers[t]) == 0;
    fn(&p->workers[0]);
    for (int t = 1; t < p->jobs; t++)
        if (started[t])
            pthread_join(p->workers[t].thread, NULL);
}

static GEOSGeometry **copies(gg_ctx *ctx, GEOSContextHandle_t h, size_t n, GEOSGeometry *(*get)(const gg_dedup *, size_t),
                             const gg_dedup *dd)
{
    GEOSGeometry **v = gg_calloc(ctx, n ? n : 1, sizeof *v);
    for (size_t i = 0; v && i < n; i++) {
        GEOSGeometry *g = get(dd, i);
        if (g && (v[i] = GEOSGeom_clone_r(h, g)) == NULL) {
            for (size_t k = 0; k < i; k++)
                if (v[k])
                    GEOSGeom_destroy_r(h, v[k]);
            gg_free(ctx, v);
            return NULL;
        }
    }
    return v;
}

static GEOSGeometry *grid_geom(const gg_dedup *dd, size_t i) { return dd->grids[i].geom; }
static GEOSGeometry *dgrid_geom(const gg_dedup *dd, size_t i) { return dd->dgrids[i].geom; }
static GEOSGeometry *eroded_geom(const gg_dedup *dd, size_t i) { return dd->eroded[i]; }

static void free_copies(gg_ctx *ctx, GEOSGeometry **v, size_t n)
{
    for (size_t i = 0; v && i < n; i++)
        if (v[i])
            GEOSGeom_destroy_r(ctx->geos, v[i]);
    gg_free(ctx, v);
}

static gg_status worker_setup(pool *p, worker *w)
{
    gg_dedup *dd = p->dd;
    if (w->index == 0) {
        w->ctx = dd->ctx;
        w->grids = gg_malloc(dd->ctx, (dd->result->n_grids + 1) * sizeof *w->grids);
        if (!w->grids)
            return gg_error_nomem(dd->ctx);
        for (size_t i = 0; i < dd->result->n_grids; i++)
            w->grids[i] = dd->grids[i].geom;
        return GG_OK;
    }
    gg_status st = gg_ctx_new_with_allocator(&dd->ctx->alloc, &w->ctx);
    if (st != GG_OK)
        return gg_error(dd->ctx, st, "cannot make a context for worker thread %d", w->index);
    GEOSContextHandle_t h = w->ctx->geos;
    w->grids = copies(w->ctx, h, dd->result->n_grids, grid_geom, dd);
    if (!w->grids)
        return gg_error_nomem(dd->ctx);
    return GG_OK;
}

static void worker_teardown(pool *p, worker *w)
{
    gg_dedup *dd = p->dd;
    if (w->index == 0) {
        w->eroded = NULL;
        gg_free(dd->ctx, w->grids);
        gg_free(dd->ctx, w->dgrids);
        return;
    }
    if (w->ctx == NULL)
        return;
    free_copies(w->ctx, w->grids, dd->result->n_grids);
    free_copies(w->ctx, w->dgrids, dd->result->n_items);
    free_copies(w->ctx, w->eroded, dd->result->n_grids);
    gg_ctx_free(w->ctx);
    w->ctx = NULL;
}

static int compare_piece(const void *a, const void *b)
{
    const gg_dd_piece *x = a, *y = b;
    if (x->dept != y->dept)
        return x->dept < y->dept ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->kind == GG_CONFLICT_GAP) {
        if (x->community != y->community)
            return x->community < y->community ? -1 : 1;
    } else {
        if (x->item != y->item)
            return x->item < y->item ? -1 : 1;
        if (x->other != y->other)
            return x->other < y->other ? -1 : 1;
    }
    if (x->area_m2 != y->area_m2)
        return x->area_m2 > y->area_m2 ? -1 : 1;
    return 0;
}

static int compare_dup(const void *a, const void *b)
{
    const gg_dedup_duplicate *x = a, *y = b;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return (x->b > y->b) - (x->b < y->b);
}

/* Gathers the pieces of the items and of the workers into the result's
 * conflicts, in order, and the summaries per department. */
static gg_status gather(pool *p)
{
    gg_dedup *dd = p->dd;
    gg_ctx *ctx = dd->ctx;
    gg_dedup_result *r = dd->result;
    size_t n = 0, n_dups = 0;
    for (size_t i = 0; i < r->n_items; i++)
        n += dd->n_item_pieces[i];
    for (int t = 0; t < p->jobs; t++) {
        n += p->workers[t].n_pieces;
        n_dups += p->workers[t].n_dups;
        r->noise_pieces += p->workers[t].noise;
    }
    gg_dd_piece *all = gg_malloc(ctx, (n ? n : 1) * sizeof *all);
    r->duplicates = gg_malloc(ctx, (n_dups ? n_dups : 1) * sizeof *r->duplicates);
    if (all == NULL || r->duplicates == NULL) {
        gg_free(ctx, all);
        return gg_error_nomem(ctx);
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n_items; i++) {
        for (size_t j = 0; j < dd->n_item_pieces[i]; j++)
            all[k++] = dd->item_pieces[i][j];
        dd->n_item_pieces[i] = 0;
    }
    for (int t = 0; t < p->jobs; t++) {
        worker *w = &p->workers[t];
        for (size_t j = 0; j < w->n_pieces; j++)
            all[k++] = w->pieces[j];
        w->n_pieces = 0;
        if (w->n_dups > 0)
            memcpy(r->duplicates + r->n_duplicates, w->dups, w->n_dups * sizeof *w->dups);
        r->n_duplicates += w->n_dups;
    }
    if (n > 1)
        qsort(all, n, sizeof *all, compare_piece);
    if (r->n_duplicates > 1)
        qsort(r->duplicates, r->n_duplicates, sizeof *r->duplicates, compare_dup);
    gg_status st = GG_OK;
    r->conflicts = gg_calloc(ctx, n ? n : 1, sizeof *r->conflicts);
    if (r->conflicts == NULL)
        st = gg_error_nomem(ctx);
    for (size_t i = 0; i < n; i++) {
        if (st == GG_OK) {
            gg_dedup_conflict *c = &r->conflicts[r->n_conflicts];
            st = gg_dd_conflict_from_piece(ctx, dd, &all[i], c);
            if (st != GG_OK) {
                gg_free(ctx, c->dept);
                gg_free(ctx, c->dept_grid_id);
                gg_free(ctx, c->other);
                gg_free(ctx, c->community);
                gg_free(ctx, c->wkb);
            } else {
                gg_dedup_dept *dp = &r->depts[all[i].dept];
                r->n_conflicts++;
                if (c->kind == GG_CONFLICT_OVERLAP)
                    dp->n_overlaps++, dp->overlap_area_m2 += c->area_m2, dp->overlap_households += c->households;
                else if (c->kind == GG_CONFLICT_GAP)
                    dp->n_gaps++, dp->gap_area_m2 += c->area_m2, dp->gap_households += c->households;
                else if (c->kind == GG_CONFLICT_CUT)
                    dp->n_cuts++;
            }
        }
        GEOSGeom_destroy_r(ctx->geos, all[i].geom);
    }
    gg_free(ctx, all);
    for (size_t i = 0; i < r->n_items; i++) {
        const gg_dedup_item *it = &r->items[i];
        gg_dedup_dept *dp = &r->depts[dd->dgrids[i].dept];
        dp->n_grids++;
        dp->by_relation[it->relation]++;
        dp->n_repaired += it->repair != NULL && it->relation != GG_RELATION_INVALID;
        dp->area_m2 += it->area_m2;
        dp->households += it->households;
        dp->households_changing_hands += it->households_gained + it->households_lost;
    }
    return st;
}

gg_status gg_dd_conflict_from_piece(gg_ctx *ctx, gg_dedup *dd, const gg_dd_piece *p, gg_dedup_conflict *c)
{
    GEOSContextHandle_t h = ctx->geos;
    const gg_dedup_result *r = dd->result;
    memset(c, 0, sizeof *c);
    c->kind = p->kind;
    c->area_m2 = p->area_m2;
    c->households = p->households;
    int32_t dept = p->dept;
    c->dept = gg_strdup(ctx, r->depts[dept].dept);
    if (p->kind != GG_CONFLICT_GAP)
        c->dept_grid_id = gg_strdup(ctx, r->items[p->item].id);
    if (p->kind == GG_CONFLICT_CUT)
        c->other = gg_strdup(ctx, r->grids[p->other].code);
    else if (p->kind == GG_CONFLICT_OVERLAP)
        c->other = gg_strdup(ctx, r->items[p->other].id);
    /* an overlap or an outside part: the community of the grid's best unified grid */
    int32_t best = r->items[p->item].best_grid;
    int cm = p->kind == GG_CONFLICT_GAP ? p->community
             : p->kind == GG_CONFLICT_CUT ? dd->grid_community[p->other]
             : best >= 0                  ? dd->grid_community[best]
                                          : -1;
    if (cm >= 0)
        c->community = gg_strdup(ctx, dd->communities[cm].code);
    if (c->dept == NULL || (p->kind != GG_CONFLICT_GAP && c->dept_grid_id == NULL) ||
        ((p->kind == GG_CONFLICT_CUT || p->kind == GG_CONFLICT_OVERLAP) && c->other == NULL) ||
        (cm >= 0 && c->community == NULL))
        return gg_error_nomem(ctx);
    GEOSGeometry *ll = gg_frame_to_lonlat(h, &dd->frame, p->geom);
    ll = ll ? gg_geom_polygons(h, ll) : NULL;
    if (ll == NULL)
        return gg_error_nomem(ctx);
    GEOSWKBWriter *wr = GEOSWKBWriter_create_r(h);
    size_t size = 0;
    unsigned char *wkb = NULL;
    if (wr) {
        GEOSWKBWriter_setByteOrder_r(h, wr, GEOS_WKB_NDR);
        wkb = GEOSWKBWriter_write_r(h, wr, ll, &size);
        GEOSWKBWriter_destroy_r(h, wr);
    }
    GEOSGeom_destroy_r(h, ll);
    if (wkb == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "cannot encode a conflict's geometry: %s", ctx->geos_msg);
    c->wkb = gg_malloc(ctx, size);
    if (c->wkb != NULL) {
        memcpy(c->wkb, wkb, size);
        c->wkb_size = size;
    }
    GEOSFree_r(h, wkb);
    return c->wkb ? GG_OK : gg_error_nomem(ctx);
}

static void dedup_free(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    GEOSContextHandle_t h = ctx->geos;
    size_t n_grids = dd->result ? dd->result->n_grids : 0, n_items = dd->result ? dd->result->n_items : 0;
    for (size_t i = 0; dd->grids && i < n_grids; i++)
        if (dd->grids[i].geom)
            GEOSGeom_destroy_r(h, dd->grids[i].geom);
    gg_free(ctx, dd->grids);
    gg_free(ctx, dd->grid_boxes);
    gg_boxgrid_free(ctx, &dd->grid_index);
    for (size_t i = 0; dd->eroded && i < n_grids; i++)
        if (dd->eroded[i])
            GEOSGeom_destroy_r(h, dd->eroded[i]);
    gg_free(ctx, dd->eroded);
    for (size_t i = 0; dd->grid_ix && i < n_grids; i++)
        gg_polyindex_free(ctx, &dd->grid_ix[i]);
    for (size_t i = 0; dd->eroded_ix && i < n_grids; i++)
        gg_polyindex_free(ctx, &dd->eroded_ix[i]);
    gg_free(ctx, dd->grid_ix);
    gg_free(ctx, dd->eroded_ix);
    gg_free(ctx, dd->outline_boxes);
    gg_free(ctx, dd->outline_segs);
    gg_boxgrid_free(ctx, &dd->outline_index);
    for (size_t i = 0; dd->dgrids && i < n_items; i++) {
        if (dd->dgrids[i].geom)
            GEOSGeom_destroy_r(h, dd->dgrids[i].geom);
        gg_free(ctx, dd->dgrids[i].blob);
    }
    gg_free(ctx, dd->dgrids);
    gg_free(ctx, dd->dgrid_boxes);
    gg_boxgrid_free(ctx, &dd->dgrid_index);
    for (size_t i = 0; i < dd->n_communities; i++) {
        gg_free(ctx, dd->communities[i].code);
    }
    gg_free(ctx, dd->communities);
    gg_free(ctx, dd->grid_community);
    gg_hh_points *hh = &dd->hh;
    gg_free(ctx, hh->x);
    gg_free(ctx, hh->y);
    gg_free(ctx, hh->count);
    gg_free(ctx, hh->grid);
    gg_free(ctx, hh->order);
    gg_free(ctx, hh->grid_start);
    gg_free(ctx, hh->boxes);
    gg_boxgrid_free(ctx, &hh->buckets);
    for (size_t i = 0; dd->item_communities && i < n_items; i++)
        gg_free(ctx, dd->item_communities[i]);
    gg_free(ctx, dd->item_communities);
    gg_free(ctx, dd->n_item_communities);
    for (size_t i = 0; dd->item_pieces && i < n_items; i++) {
        for (size_t j = 0; j < dd->n_item_pieces[i]; j++)
            GEOSGeom_destroy_r(h, dd->item_pieces[i][j].geom);
        gg_free(ctx, dd->item_pieces[i]);
    }
    gg_free(ctx, dd->item_pieces);
    gg_free(ctx, dd->n_item_pieces);
    gg_free(ctx, dd->item_clean);
    gg_free(ctx, dd->item_inside);
    gg_free(ctx, dd->community_start);
    gg_free(ctx, dd->community_grids);
    gg_free(ctx, dd->touch_start);
    gg_free(ctx, dd->touch_items);
    gg_free(ctx, dd->whole_by);
}

static gg_status run_pool(gg_dedup *dd)
{
    gg_ctx *ctx = dd->ctx;
    pool *p = gg_calloc(ctx, 1, sizeof *p);
    if (p == NULL)
        return gg_error_nomem(ctx);
    p->dd = dd;
    size_t n_items = dd->result->n_items;
    p->jobs = dd->opts.jobs < 1 ? 1 : dd->opts.jobs > MAX_JOBS ? MAX_JOBS : dd->opts.jobs;
    if ((size_t)p->jobs > n_items)
        p->jobs = n_items > 0 ? (int)n_items : 1;
    gg_status st = GG_OK;
    int ready = 0;
    for (int t = 0; t < p->jobs && st == GG_OK; t++) {
        p->workers[t].pool = p;
        p->workers[t].index = t;
        st = worker_setup(p, &p->workers[t]);
        ready = t + 1;
    }
    pthread_mutex_init(&p->mutex, NULL);
    if (st == GG_OK) {
        dd->eroded = gg_calloc(ctx, dd->result->n_grids + 1, sizeof *dd->eroded);
        dd->grid_ix = gg_calloc(ctx, dd->result->n_grids + 1, sizeof *dd->grid_ix);
        dd->eroded_ix = gg_calloc(ctx, dd->result->n_grids + 1, sizeof *dd->eroded_ix);
        if (dd->eroded == NULL || dd->grid_ix == NULL || dd->eroded_ix == NULL)
            st = gg_error_nomem(ctx);
    }
    if (st == GG_OK)
        run_stage(p, work_erode, "dedup: eroding unified grids", dd->result->n_grids);
    if (st == GG_OK && !p->failed) {
        p->done = 0;
        run_stage(p, work_households, "dedup: locating households", (dd->hh.n + POINTS_A_TASK - 1) / POINTS_A_TASK);
        if (!p->failed)
            st = gg_dd_group_households(dd);
    }
    if (st == GG_OK && !p->failed)
        run_stage(p, work_prepare, "dedup: checking departmental grids", dd->result->n_items);
    if (st == GG_OK && !p->failed)
        st = gg_dd_index_dept_grids(dd);
    for (int t = 0; st == GG_OK && !p->failed && t < p->jobs; t++) {
        worker *w = &p->workers[t];
        if (t == 0) {
            w->eroded = dd->eroded;
            w->dgrids = gg_malloc(ctx, (dd->result->n_items + 1) * sizeof *w->dgrids);
            for (size_t i = 0; w->dgrids && i < dd->result->n_items; i++)
                w->dgrids[i] = dd->dgrids[i].geom;
        } else {
            w->eroded = copies(w->ctx, w->ctx->geos, dd->result->n_grids, eroded_geom, dd);
            w->dgrids = copies(w->ctx, w->ctx->geos, dd->result->n_items, dgrid_geom, dd);
        }
        if (w->eroded == NULL || w->dgrids == NULL)
            st = gg_error_nomem(ctx);
    }
    if (st == GG_OK && !p->failed) {
        p->done = 0;
        run_stage(p, work_items, "dedup: crosswalk", dd->result->n_items);
    }
    if (st == GG_OK && !p->failed) {
        p->done = 0;
        run_stage(p, work_pairs, "dedup: overlaps", dd->result->n_items);
    }
    if (st == GG_OK && !p->failed) {
        st = make_gap_tasks(p);
        p->done = 0;
        if (st == GG_OK)
            run_stage(p, work_gaps, "dedup: coverage", p->n_gaps);
    }
    for (int t = 0; st == GG_OK && t < p->jobs; t++) {
        worker *w = &p->workers[t];
        if (w->status != GG_OK) {
            st = t == 0 ? w->status : gg_error(ctx, w->status, "%s", gg_ctx_errmsg(w->ctx));
            break;
        }
    }
    if (st == GG_OK && p->failed)
        st = gg_error(ctx, GG_ERR_INTERNAL, "a worker thread failed");
    if (st == GG_OK)
        st = gg_progress(ctx, "dedup: gathering", 0, 1);
    if (st == GG_OK)
        st = gather(p);
    for (int t = 0; t < ready; t++) {
        worker *w = &p->workers[t];
        gg_ctx *wc = w->ctx ? w->ctx : ctx;
        for (size_t j = 0; j < w->n_pieces; j++)
            GEOSGeom_destroy_r(wc->geos, w->pieces[j].geom);
        gg_free(wc, w->pieces);
        gg_free(wc, w->dups);
        worker_teardown(p, w);
    }
    pthread_mutex_destroy(&p->mutex);
    gg_free(ctx, p->gaps);
    gg_free(ctx, p);
    return st;
}

gg_status gg_dedup_run(gg_ctx *ctx, gg_store *store, const gg_dedup_options *opts, gg_dedup_result **out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || opts == NULL || out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_dedup_run: NULL argument");
    *out = NULL;
    if (!(opts->equal_iou > 0 && opts->equal_iou <= 1))
        return gg_error(ctx, GG_ERR_ARG, "equal-iou must be above 0 and at most 1, not %g", opts->equal_iou);
    if (!(opts->tolerance_m >= 0 && opts->tolerance_m <= 1000))
        return gg_error(ctx, GG_ERR_ARG, "the tolerance must be 0 to 1000 m, not %g", opts->tolerance_m);
    gg_dedup dd;
    memset(&dd, 0, sizeof dd);
    dd.ctx = ctx;
    dd.store = store;
    dd.opts = *opts;
    dd.result = gg_calloc(ctx, 1, sizeof *dd.result);
    if (dd.result == NULL)
        return gg_error_nomem(ctx);
    dd.result->equal_iou = opts->equal_iou;
    dd.result->tolerance_m = opts->tolerance_m;
    gg_status st = gg_store_resolve_plan(store, opts->plan, &dd.result->plan);
    if (st == GG_OK)
        st = gg_dd_load(&dd);
    size_t n = dd.result->n_items;
    if (st == GG_OK) {
        dd.item_communities = gg_calloc(ctx, n + 1, sizeof *dd.item_communities);
        dd.n_item_communities = gg_calloc(ctx, n + 1, sizeof *dd.n_item_communities);
        dd.item_pieces = gg_calloc(ctx, n + 1, sizeof *dd.item_pieces);
        dd.n_item_pieces = gg_calloc(ctx, n + 1, sizeof *dd.n_item_pieces);
        dd.item_clean = gg_calloc(ctx, n + 1, 1);
        dd.item_inside = gg_calloc(ctx, n + 1, 1);
        if (!dd.item_communities || !dd.n_item_communities || !dd.item_pieces || !dd.n_item_pieces || !dd.item_clean ||
            !dd.item_inside)
            st = gg_error_nomem(ctx);
    }
    if (st == GG_OK)
        st = run_pool(&dd);
    dedup_free(&dd);
    if (st != GG_OK) {
        gg_dedup_result_free(ctx, dd.result);
        return st;
    }
    *out = dd.result;
    return GG_OK;
}

void gg_dedup_result_free(gg_ctx *ctx, gg_dedup_result *r)
{
    if (r == NULL || ctx == NULL)
        return;
    for (size_t i = 0; r->grids && i < r->n_grids; i++) {
        gg_free(ctx, r->grids[i].code);
        gg_free(ctx, r->grids[i].community);
    }
    gg_free(ctx, r->grids);
    for (size_t i = 0; r->items && i < r->n_items; i++) {
        gg_dedup_item *it = &r->items[i];
        gg_free(ctx, it->dept);
        gg_free(ctx, it->id);
        gg_free(ctx, it->name);
        gg_free(ctx, it->touches);
        gg_free(ctx, it->repair);
    }
    gg_free(ctx, r->items);
    for (size_t i = 0; r->conflicts && i < r->n_conflicts; i++) {
        gg_dedup_conflict *c = &r->conflicts[i];
        gg_free(ctx, c->dept);
        gg_free(ctx, c->dept_grid_id);
        gg_free(ctx, c->other);
        gg_free(ctx, c->community);
        gg_free(ctx, c->wkb);
    }
    gg_free(ctx, r->conflicts);
    gg_free(ctx, r->duplicates);
    for (size_t i = 0; r->depts && i < r->n_depts; i++)
        gg_free(ctx, r->depts[i].dept);
    gg_free(ctx, r->depts);
    gg_free(ctx, r);
}
