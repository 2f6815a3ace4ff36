/* The locator: a plan's grids, their divisions and roster, and the cell
 * index over their polygons. */
#include "locate/locate.h"

#include "govgrid/incident.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <time.h>

#include "store/stage.h"
#include "store/store.h"
#include "store/versions.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* ---- arena ---- */

void *gg_arena_alloc(gg_arena *a, size_t size)
{
    size = (size + 7) & ~(size_t)7;
    if (a->head == NULL || a->head->size - a->head->used < size) {
        size_t block = size > 65536 ? size : 65536;
        gg_arena_block *b = gg_malloc(a->ctx, sizeof *b + block);
        if (b == NULL)
            return NULL;
        b->next = a->head;
        b->used = 0;
        b->size = block;
        a->head = b;
    }
    void *p = a->head->data + a->head->used;
    a->head->used += size;
    return p;
}

const char *gg_arena_strdup(gg_arena *a, const char *s)
{
    if (s == NULL)
        s = "";
    size_t n = strlen(s) + 1;
    char *p = gg_arena_alloc(a, n);
    if (p != NULL)
        memcpy(p, s, n);
    return p;
}

void gg_arena_free(gg_arena *a)
{
    while (a->head) {
        gg_arena_block *next = a->head->next;
        gg_free(a->ctx, a->head);
        a->head = next;
    }
}

/* ---- loading ---- */

void gg_locator_options_init(gg_locator_options *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->near_m = 10;
    opts->snap_m = 50;
}

const char *gg_locate_status_name(gg_locate_status status)
{
    static const char *const names[] = {"inside", "near_boundary", "snapped", "outside", "invalid"};
    return (unsigned)status < 5 ? names[status] : "invalid";
}

typedef struct rank_key {
    int dedicated;
    const char *code;
    int32_t grid;
} rank_key;

static int compare_rank(const void *x, const void *y)
{
    const rank_key *a = x, *b = y;
    if (a->dedicated != b->dedicated)
        return b->dedicated - a->dedicated; /* dedicated first */
    return strcmp(a->code, b->code);
}

static gg_status add_geometry(gg_locator *loc, int32_t grid, const GEOSGeometry *g)
{
    GEOSContextHandle_t h = loc->ctx->geos;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; i++) {
            gg_status st = add_geometry(loc, grid, GEOSGetGeometryN_r(h, g, i));
            if (st != GG_OK)
                return st;
        }
        return GG_OK;
    }
    if (type != GEOS_POLYGON)
        return GG_OK;
    int holes = GEOSGetNumInteriorRings_r(h, g);
    double *x = NULL, *y = NULL;
    size_t cap = 0;
    gg_status st = GG_OK;
    for (int r = -1; r < holes && st == GG_OK; r++) {
        const GEOSGeometry *ring = r < 0 ? GEOSGetExteriorRing_r(h, g) : GEOSGetInteriorRingN_r(h, g, r);
        const GEOSCoordSequence *seq = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
        unsigned int n = 0;
        if (seq == NULL || GEOSCoordSeq_getSize_r(h, seq, &n) == 0)
            continue;
        if (n > cap) {
            gg_free(loc->ctx, x);
            gg_free(loc->ctx, y);
            cap = n;
            x = gg_malloc(loc->ctx, cap * sizeof *x);
            y = gg_malloc(loc->ctx, cap * sizeof *y);
            if (x == NULL || y == NULL) {
                st = gg_error_nomem(loc->ctx);
                break;
            }
        }
        for (unsigned int i = 0; i < n; i++) {
            GEOSCoordSeq_getX_r(h, seq, i, &x[i]);
            GEOSCoordSeq_getY_r(h, seq, i, &y[i]);
        }
        st = gg_cell_index_add_ring(&loc->index, grid, x, y, n, r < 0);
    }
    gg_free(loc->ctx, x);
    gg_free(loc->ctx, y);
    return st;
}

/* FNV-1a 64 over n bytes, continuing from h. */
static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

/* Reads the plan's grids by code, with their polygons when geoms is not
 * NULL. */
static gg_status load_grids(gg_locator *loc, gg_store *store, GEOSGeometry ***geoms)
{
    gg_ctx *ctx = loc->ctx;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    geoms ? "SELECT g.code, coalesce(g.type, 1), coalesce(g.name, ''), coalesce(g.community, ''),"
                                            " coalesce(c.name, ''), coalesce(c.parent, ''), coalesce(t.parent, ''),"
                                            " AsBinary(g.geom) FROM grid g LEFT JOIN division c ON c.code = g.community"
                                            " LEFT JOIN division t ON t.code = c.parent WHERE g.plan = ?1 ORDER BY g.code, g.fid"
                                          : "SELECT g.code, coalesce(g.type, 1), coalesce(g.name, ''), coalesce(g.community, ''),"
                                            " coalesce(c.name, ''), coalesce(c.parent, ''), coalesce(t.parent, ''),"
                                            " NULL FROM grid g LEFT JOIN division c ON c.code = g.community"
                                            " LEFT JOIN division t ON t.code = c.parent WHERE g.plan = ?1 ORDER BY g.code, g.fid",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, loc->plan);

    size_t cap = 0, cap_g = 0;
    int rc;
    while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (gg_grow(ctx, (void **)&loc->grids, &cap, (size_t)loc->n_grids + 1, sizeof *loc->grids) != GG_OK ||
            (geoms && gg_grow(ctx, (void **)geoms, &cap_g, (size_t)loc->n_grids + 1, sizeof **geoms) != GG_OK)) {
            st = GG_ERR_NOMEM;
            break;
        }
        gg_located_grid *g = &loc->grids[loc->n_grids];
        memset(g, 0, sizeof *g);
        if (geoms)
            (*geoms)[loc->n_grids] = NULL;
        const char *text[7];
        for (int i = 0; i < 7; i++)
            text[i] = i == 1 ? NULL : (const char *)sqlite3_column_text(stmt, i);
        g->code = gg_arena_strdup(&loc->strings, text[0]);
        g->type = sqlite3_column_int(stmt, 1);
        g->name = gg_arena_strdup(&loc->strings, text[2]);
        g->community = gg_arena_strdup(&loc->strings, text[3]);
        g->community_name = gg_arena_strdup(&loc->strings, text[4]);
        g->township = gg_arena_strdup(&loc->strings, text[5]);
        g->county = gg_arena_strdup(&loc->strings, text[6]);
        if (!g->code || !g->name || !g->community || !g->community_name || !g->township || !g->county) {
            st = gg_error_nomem(ctx);
            break;
        }
        if (geoms) {
            GEOSGeometry *geom = gg_store_column_geom(ctx, stmt, 7);
            if (geom == NULL && sqlite3_column_type(stmt, 7) != SQLITE_NULL) {
                st = gg_error(ctx, GG_ERR_GEOMETRY, "plan %lld: grid %s: unreadable geometry", (long long)loc->plan,
                              g->code);
                break;
            }
            (*geoms)[loc->n_grids] = geom;
        }
        loc->n_grids++;
    }

    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the plan's grids");
    sqlite3_finalize(stmt);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ctx);
    return st;
}

static int compare_code_key(const void *key, const void *item)
{
    return strcmp(key, ((const gg_located_grid *)item)->code);
}

int32_t gg_locator_grid_by_code(const gg_locator *loc, const char *code)
{
    if (code == NULL || loc->n_grids == 0)
        return -1;
    const gg_located_grid *g = bsearch(code, loc->grids, (size_t)loc->n_grids, sizeof *loc->grids, compare_code_key);
    return g ? (int32_t)(g - loc->grids) : -1;
}

/* Roles in the order the roster lists them for a grid. */
static int role_order(const char *role)
{
    static const char *const roles[] = {"leader", "fulltime", "parttime", "volunteer", "instructor"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(role, roles[i]))
            return i;
    return 5;
}

static gg_status load_roster(gg_locator *loc, gg_store *store)
{
    gg_ctx *ctx = loc->ctx;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT id, name, role, coalesce(phone, ''), grid_code FROM worker"
                                    " WHERE grid_code IS NOT NULL ORDER BY grid_code, id",
                                    &stmt);
    if (st != GG_OK)
        return st;
    size_t cap = 0;
    int32_t *grid_of = NULL;
    size_t cap_g = 0;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int32_t g = gg_locator_grid_by_code(loc, (const char *)sqlite3_column_text(stmt, 4));
        if (g < 0)
            continue; /* another plan's grid, or an unknown one: govgrid roster check lists it */
        if (gg_grow(ctx, (void **)&loc->people, &cap, loc->n_people + 1, sizeof *loc->people) != GG_OK ||
            gg_grow(ctx, (void **)&grid_of, &cap_g, loc->n_people + 1, sizeof *grid_of) != GG_OK) {
            st = GG_ERR_NOMEM;
            break;
        }
        gg_roster_person *p = &loc->people[loc->n_people];
        p->id = gg_arena_strdup(&loc->strings, (const char *)sqlite3_column_text(stmt, 0));
        p->name = gg_arena_strdup(&loc->strings, (const char *)sqlite3_column_text(stmt, 1));
        p->role = gg_arena_strdup(&loc->strings, (const char *)sqlite3_column_text(stmt, 2));
        p->phone = gg_arena_strdup(&loc->strings, (const char *)sqlite3_column_text(stmt, 3));
        if (!p->id || !p->name || !p->role || !p->phone) {
            st = GG_ERR_NOMEM;
            break;
        }
        grid_of[loc->n_people++] = g;
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the roster");
    sqlite3_finalize(stmt);
    /* Per grid: the first leader, and the full-time workers (the part-time
     * ones where there is no full-time worker). People are in grid order. */
    for (size_t i = 0; st == GG_OK && i < loc->n_people;) {
        int32_t g = grid_of[i];
        size_t j = i;
        while (j < loc->n_people && grid_of[j] == g)
            j++;
        gg_located_grid *grid = &loc->grids[g];
        int n_full = 0, n_part = 0;
        for (size_t k = i; k < j; k++) {
            int r = role_order(loc->people[k].role);
            if (r == 0 && grid->leader == NULL)
                grid->leader = &loc->people[k];
            n_full += r == 1;
            n_part += r == 2;
        }
        int want = n_full ? 1 : 2;
        int n = n_full ? n_full : n_part;
        if (n > 0) {
            const gg_roster_person **list = gg_arena_alloc(&loc->strings, (size_t)n * sizeof *list);
            if (list == NULL) {
                st = GG_ERR_NOMEM;
                break;
            }
            int m = 0;
            for (size_t k = i; k < j; k++)
                if (role_order(loc->people[k].role) == want)
                    list[m++] = &loc->people[k];
            grid->workers = list;
            grid->n_workers = n;
        }
        i = j;
    }
    gg_free(ctx, grid_of);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ctx);
    return st;
}

typedef struct index_job {
    gg_cell_index *ix;
    int threads;
    gg_status st;
} index_job;

static void *index_main(void *arg)
{
    index_job *job = arg;
    job->st = gg_cell_index_build(job->ix, job->threads);
    return NULL;
}

/* The index built on a thread of its own while this one reads the roster
 * (they touch different parts of the locator). The index records its
 * errors in a context of its own for the while (same allocator), so that
 * the two never write one context at once. */
static gg_status build_alongside_roster(gg_locator *loc, gg_store *store, int threads)
{
    gg_ctx *ctx = loc->ctx;
    gg_ctx *scratch = NULL;
    pthread_t thread;
    if (gg_ctx_new_with_allocator(&ctx->alloc, &scratch) != GG_OK) {
        gg_status st = gg_cell_index_build(&loc->index, threads);
        return st == GG_OK ? load_roster(loc, store) : st;
    }
    index_job job = {&loc->index, threads, GG_OK};
    loc->index.ctx = scratch;
    int threaded = pthread_create(&thread, NULL, index_main, &job) == 0;
    if (!threaded)
        index_main(&job);
    gg_status st = load_roster(loc, store);
    if (threaded)
        pthread_join(thread, NULL);
    loc->index.ctx = ctx;
    loc->index.segs.ctx = ctx;
    loc->index.outer.ctx = ctx;
    if (job.st != GG_OK && st == GG_OK)
        st = gg_error(ctx, job.st, "%s", gg_ctx_errmsg(scratch));
    gg_ctx_free(scratch);
    return st;
}

/* The boundary rule's order of the grids: dedicated first, then by code. */
static gg_status make_rank(gg_locator *loc)
{
    gg_ctx *ctx = loc->ctx;
    loc->rank = gg_malloc(ctx, (size_t)(loc->n_grids ? loc->n_grids : 1) * sizeof *loc->rank);
    rank_key *order = gg_malloc(ctx, (size_t)(loc->n_grids ? loc->n_grids : 1) * sizeof *order);
    if (loc->rank == NULL || order == NULL) {
        gg_free(ctx, order);
        return gg_error_nomem(ctx);
    }
    for (int32_t i = 0; i < loc->n_grids; i++) {
        order[i].dedicated = loc->grids[i].type != 1;
        order[i].code = loc->grids[i].code;
        order[i].grid = i;
    }
    qsort(order, (size_t)loc->n_grids, sizeof *order, compare_rank);
    for (int32_t i = 0; i < loc->n_grids; i++)
        loc->rank[order[i].grid] = i;
    gg_free(ctx, order);
    return GG_OK;
}

/* The index file of plan beside the project file; 0 when the project is
 * not a file of its own (in memory, or a URI). */
static int index_path(const gg_store *store, int64_t plan, char *path, size_t size)
{
    const char *p = store->path;
    if (p == NULL || p[0] == '\0' || strcmp(p, ":memory:") == 0 || strncmp(p, "file:", 5) == 0)
        return 0;
    int n = snprintf(path, size, "%s-locate/plan-%lld.ggloc", p, (long long)plan);
    return n > 0 && (size_t)n < size;
}

gg_status gg_locator_index_path(gg_ctx *ctx, gg_store *store, int64_t plan, char *path, size_t size)
{
    if (store == NULL || path == NULL || size == 0)
        return gg_error(ctx, GG_ERR_ARG, "gg_locator_index_path: NULL argument");
    if (!index_path(store, plan, path, size))
        return gg_error(ctx, GG_ERR_ARG, "%s: the project is not a file of its own, or its path is too long: "
                        "it can have no index file", store->path ? store->path : "(no path)");
    return GG_OK;
}

/* Forgets the grids read (for a second reading, with their polygons). */
static void forget_grids(gg_locator *loc)
{
    gg_arena_free(&loc->strings);
    gg_free(loc->ctx, loc->grids);
    gg_free(loc->ctx, loc->rank);
    loc->grids = NULL;
    loc->rank = NULL;
    loc->n_grids = 0;
}

/* Builds the index from the plan's polygons, and reads the roster. */
static gg_status build_index(gg_locator *loc, gg_store *store, const gg_locator_options *opts)
{
    gg_ctx *ctx = loc->ctx;
    GEOSGeometry **geoms = NULL;
    gg_status st = load_grids(loc, store, &geoms);
    if (st == GG_OK)
        st = make_rank(loc);
    if (st == GG_OK) {
        gg_cell_index_init(&loc->index, ctx, loc->n_grids, loc->rank);
        for (int32_t i = 0; i < loc->n_grids && st == GG_OK; i++)
            if (geoms[i] != NULL)
                st = add_geometry(loc, i, geoms[i]);
    }
    for (int32_t i = 0; geoms && i < loc->n_grids; i++)
        if (geoms[i])
            GEOSGeom_destroy_r(ctx->geos, geoms[i]);
    gg_free(ctx, geoms);
    if (st == GG_OK && opts->threads >= 2) {
        st = build_alongside_roster(loc, store, opts->threads);
    } else {
        if (st == GG_OK)
            st = gg_cell_index_build(&loc->index, opts->threads);
        if (st == GG_OK)
            st = load_roster(loc, store);
    }
    return st;
}

/* The tables the names and roster kept in an index file come from. */
static const char *const names_tables[] = {"worker", "division"};

/* The grids' names and the roster from a checked index file: arrays of
 * pointers into the map (its strings stay there). */
static gg_status names_from_file(gg_locator *loc, const gg_locidx_names_view *v)
{
    gg_ctx *ctx = loc->ctx;
    int32_t n = loc->index.n_polys;
    loc->grids = gg_calloc(ctx, (size_t)(n > 0 ? n : 1), sizeof *loc->grids);
    loc->people = gg_calloc(ctx, v->n_people ? v->n_people : 1, sizeof *loc->people);
    if (loc->grids == NULL || loc->people == NULL)
        return gg_error_nomem(ctx);
    loc->n_grids = n;
    loc->n_people = v->n_people;
    for (uint32_t i = 0; i < v->n_people; i++) {
        const gg_locidx_person *p = &v->people[i];
        loc->people[i] = (gg_roster_person){v->strings + p->id, v->strings + p->name, v->strings + p->phone,
                                            v->strings + p->role};
    }
    for (int32_t g = 0; g < n; g++) {
        const gg_locidx_grid *d = &v->grids[g];
        gg_located_grid *o = &loc->grids[g];
        o->code = v->strings + d->code;
        o->type = d->type;
        o->name = v->strings + d->name;
        o->community = v->strings + d->community;
        o->township = v->strings + d->township;
        o->county = v->strings + d->county;
        o->community_name = v->strings + d->community_name;
        o->leader = d->leader >= 0 ? &loc->people[d->leader] : NULL;
        o->n_workers = (int)d->n_workers;
        if (d->n_workers > 0) {
            const gg_roster_person **list = gg_arena_alloc(&loc->strings, (size_t)d->n_workers * sizeof *list);
            if (list == NULL)
                return gg_error_nomem(ctx);
            for (uint32_t k = 0; k < d->n_workers; k++)
                list[k] = &loc->people[v->workers[d->workers_first + k]];
            o->workers = list;
        }
    }
    return GG_OK;
}

/* The index file refused: the reason kept, the locator left as new for
 * building. */
static gg_status refuse_file(gg_locator *loc, const char *path, const char *why)
{
    loc->index_source = GG_LOCATOR_INDEX_REFUSED;
    snprintf(loc->index_reason, sizeof loc->index_reason,
             "%s: %s; the index was built in memory (govgrid plan index makes the file again)", path, why);
    if (loc->index.borrowed)
        gg_cell_index_free(&loc->index);
    gg_locidx_unmap(&loc->map);
    forget_grids(loc);
    gg_free(loc->ctx, loc->people);
    loc->people = NULL;
    loc->n_people = 0;
    return GG_ERR_NOT_FOUND;
}

/* Maps the plan's index file: GG_OK, or the file refused (reason set,
 * the locator left for building) with GG_ERR_NOT_FOUND; other statuses
 * are failures. The grids' names and the roster come from the file when
 * the project's worker and division tables have not changed since it was
 * written (their change counters), else from the project, checked
 * against the file's grids. */
static gg_status load_index(gg_locator *loc, gg_store *store, const char *path, int threads)
{
    gg_ctx *ctx = loc->ctx;
    int64_t stamp = 0;
    gg_status st = gg_store_changes(store, names_tables, 2, &stamp);
    if (st != GG_OK)
        return st;
    gg_locidx_expect expect = {loc->plan, loc->fingerprint, -1, NULL, threads};
    gg_locidx_names_view view;
    char why[512];
    gg_status ls = gg_locidx_load(ctx, path, &expect, &loc->index, &view, &loc->map, why, sizeof why);
    if (ls == GG_ERR_NOMEM)
        return ls;
    if (ls != GG_OK)
        return refuse_file(loc, path, why);
    loc->index_source = GG_LOCATOR_INDEX_LOADED;
    if (view.stamp == stamp) {
        snprintf(loc->index_reason, sizeof loc->index_reason, "loaded from %s", path);
        return names_from_file(loc, &view);
    }
    st = load_grids(loc, store, NULL);
    if (st != GG_OK)
        return st;
    if (loc->n_grids != loc->index.n_polys)
        return refuse_file(loc, path, "stale: the plan's grids are not the file's");
    for (int32_t g = 0; g < loc->n_grids; g++)
        if (strcmp(loc->grids[g].code, view.strings + view.grids[g].code) != 0 ||
            loc->grids[g].type != view.grids[g].type)
            return refuse_file(loc, path, "stale: the plan's grids are not the file's");
    snprintf(loc->index_reason, sizeof loc->index_reason,
             "loaded from %s (the names and roster read from the project, which changed since)", path);
    return load_roster(loc, store);
}

gg_status gg_locator_new(gg_ctx *ctx, gg_store *store, const gg_locator_options *opts, gg_locator **out)
{
    if (out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_locator_new: out is NULL");
    *out = NULL;
    gg_locator_options defaults;
    if (opts == NULL) {
        gg_locator_options_init(&defaults);
        opts = &defaults;
    }
    if (!(opts->near_m >= 0) || !(opts->snap_m >= 0))
        return gg_error(ctx, GG_ERR_ARG, "near and snap distances must be 0 or more metres (got %g and %g)",
                        opts->near_m, opts->snap_m);
    gg_locator *loc = gg_calloc(ctx, 1, sizeof *loc);
    if (loc == NULL)
        return gg_error_nomem(ctx);
    loc->ctx = ctx;
    loc->strings.ctx = ctx;
    loc->near_m = opts->near_m;
    loc->snap_m = opts->snap_m;
    gg_status st = gg_store_resolve_plan(store, opts->plan, &loc->plan);
    char state[12] = "", published[24] = "", created[24] = "";
    if (st == GG_OK)
        st = gg_store_plan_identity(store, loc->plan, state, published, created);
    /* A published plan never changes (the store's triggers): its number,
     * publication time and the project's creation time name its grids. */
    uint64_t fp = 14695981039346656037ULL;
    fp = fnv1a(fp, &loc->plan, sizeof loc->plan);
    fp = fnv1a(fp, published, strlen(published) + 1);
    loc->fingerprint = fnv1a(fp, created, strlen(created) + 1);
    char path[4096];
    int have_path = st == GG_OK && index_path(store, loc->plan, path, sizeof path);
    int loaded = 0;
    if (st == GG_OK) {
        loc->index_source = GG_LOCATOR_INDEX_BUILT;
        if (opts->build_index)
            snprintf(loc->index_reason, sizeof loc->index_reason, "built in memory, as asked");
        else if (strcmp(state, "draft") == 0)
            snprintf(loc->index_reason, sizeof loc->index_reason,
                     "built in memory: plan %lld is a draft (drafts have no index file)", (long long)loc->plan);
        else if (!have_path)
            snprintf(loc->index_reason, sizeof loc->index_reason,
                     "built in memory: the project is not a file, so it has no index file");
        else if (strcmp(state, "superseded") == 0 && access(path, F_OK) != 0)
            snprintf(loc->index_reason, sizeof loc->index_reason,
                     "built in memory: plan %lld was superseded and its index file removed (govgrid plan index "
                     "makes it again)",
                     (long long)loc->plan);
        else {
            st = load_index(loc, store, path, opts->threads);
            loaded = st == GG_OK;
            if (st == GG_ERR_NOT_FOUND)
                st = GG_OK; /* refused: built below */
        }
    }
    if (st == GG_OK && !loaded)
        st = build_index(loc, store, opts);
    if (st != GG_OK) {
        gg_locator_free(loc);
        return st;
    }
    *out = loc;
    return GG_OK;
}

gg_locator_index_source gg_locator_index_status(const gg_locator *loc, const char **reason)
{
    if (reason != NULL)
        *reason = loc->index_reason;
    return loc->index_source;
}

/* Makes the directory of path (its last component removed) if it is not
 * there. */
static gg_status make_parent_dir(gg_ctx *ctx, const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash == NULL)
        return GG_OK;
    *slash = '\0';
    if (mkdir(dir, 0777) != 0 && errno != EEXIST)
        return gg_error(ctx, GG_ERR_IO, "%s: cannot create the directory of locator index files: %s", dir,
                        strerror(errno));
    return GG_OK;
}

gg_status gg_locator_index_write(gg_ctx *ctx, gg_store *store, int64_t plan, gg_locator_index_report *out)
{
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_locator_index_write: NULL store") : GG_ERR_ARG;
    gg_status st = GG_OK;
    if (plan == 0) {
        st = gg_store_published_plan(store, &plan);
        if (st == GG_OK && plan == 0)
            st = gg_error(ctx, GG_ERR_NOT_FOUND, "%s: no plan is published: only a published plan has an index file",
                          store->path);
        if (st != GG_OK)
            return st;
    }
    gg_plan_row row;
    st = gg_store_plan_row(store, plan, &row);
    if (st != GG_OK)
        return st;
    if (strcmp(row.state, "draft") == 0)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "%s: plan %lld is a draft: drafts change, so they have no index file (publish it first)",
                        store->path, (long long)plan);
    char path[4096];
    st = gg_locator_index_path(ctx, store, plan, path, sizeof path);
    if (st == GG_OK)
        st = make_parent_dir(ctx, path);
    if (st != GG_OK)
        return st;
    gg_locator_options opts;
    gg_locator_options_init(&opts);
    opts.plan = plan;
    opts.build_index = 1;
    opts.threads = 2;
    /* the stamp before the names are read: a change in between makes the
     * file's names look stale, never the other way round */
    int64_t stamp = 0;
    st = gg_store_changes(store, names_tables, 2, &stamp);
    if (st != GG_OK)
        return st;
    gg_locator *loc = NULL;
    st = gg_locator_new(ctx, store, &opts, &loc);
    if (st == GG_OK) {
        gg_locidx_names names = {loc->grids, loc->rank, loc->people, loc->n_people, stamp};
        st = gg_locidx_write(ctx, &loc->index, &names, plan, loc->fingerprint, path);
    }
    if (st == GG_OK && out != NULL) {
        memset(out, 0, sizeof *out);
        out->plan = plan;
        out->grids = loc->n_grids;
        struct stat sb;
        out->bytes = stat(path, &sb) == 0 ? (int64_t)sb.st_size : -1;
        snprintf(out->path, sizeof out->path, "%s", path);
    }
    gg_locator_free(loc);
    return st;
}

void gg_locator_free(gg_locator *loc)
{
    if (loc == NULL)
        return;
    gg_ctx *ctx = loc->ctx;
    gg_cell_index_free(&loc->index);
    gg_arena_free(&loc->strings);
    gg_free(ctx, loc->grids);
    gg_free(ctx, loc->rank);
    gg_free(ctx, loc->people);
    gg_locidx_unmap(&loc->map);
    gg_free(ctx, loc);
}

int64_t gg_locator_plan(const gg_locator *loc)
{
    return loc->plan;
}

const gg_roster_person *gg_locator_people(const gg_locator *loc, size_t *n)
{
    *n = loc->n_people;
    return loc->people;
}

size_t gg_locator_grid_count(const gg_locator *loc)
{
    return (size_t)loc->n_grids;
}

const gg_located_grid *gg_locator_grid(const gg_locator *loc, int32_t grid)
{
    return grid >= 0 && grid < loc->n_grids ? &loc->grids[grid] : NULL;
}

size_t gg_locator_bytes(const gg_locator *loc)
{
    size_t arena = 0;
    for (const gg_arena_block *b = loc->strings.head; b; b = b->next)
        arena += sizeof *b + b->size;
    return sizeof *loc + gg_cell_index_bytes(&loc->index) + (size_t)loc->n_grids * (sizeof *loc->grids + sizeof(int32_t)) +
           loc->n_people * sizeof *loc->people + arena;
}

size_t gg_locator_vertices(const gg_locator *loc)
{
    return loc->index.n_vertices;
}

/* ---- queries ---- */

void gg_metres_per_degree(double lat, double *mx, double *my)
{
    /* Series for the WGS 84 ellipsoid (metres per degree), the multiple
     * angles' cosines from cos(phi) by the Chebyshev recurrence. */
    double c1 = cos(lat * M_PI / 180.0);
    double c2 = 2 * c1 * c1 - 1, c3 = 2 * c1 * c2 - c1, c4 = 2 * c1 * c3 - c2, c5 = 2 * c1 * c4 - c3;
    *my = 111132.954 - 559.822 * c2 + 1.175 * c4;
    *mx = 111412.84 * c1 - 93.5 * c3 + 0.118 * c5;
    if (*mx < 1e-3)
        *mx = 1e-3;
}

int32_t gg_locator_find(const gg_locator *loc, double lon, double lat, int *on_boundary)
{
    return gg_cell_index_find(&loc->index, lon, lat, on_boundary);
}

void gg_locator_find_many(const gg_locator *loc, const double *lon, const double *lat, size_t n, int32_t *out)
{
    gg_cell_index_find_many(&loc->index, lon, lat, n, out);
}

/* The rest of a query once the point's grid is known (g, on, sole from
 * gg_cell_index_locate). */
static void finish_query(const gg_locator *loc, double lon, double lat, int32_t g, int on, int sole,
                         gg_locate_result *r)
{
    double mx, my, d;
    gg_metres_per_degree(lat, &mx, &my);
    r->on_boundary = on;
    if (g >= 0) {
        r->grid = g;
        int32_t other = -1;
        if (sole && gg_cell_index_distance_inside(&loc->index, lon, lat, g, mx, my, &d))
            other = g; /* (only "some other grid" matters here) */
        else
            other = gg_cell_index_nearest(&loc->index, lon, lat, g, mx, my, INFINITY, &d);
        if (other >= 0) {
            r->distance_m = d;
            r->status = d <= loc->near_m ? GG_LOCATE_NEAR_BOUNDARY : GG_LOCATE_INSIDE;
        } else {
            r->status = GG_LOCATE_INSIDE;
        }
        return;
    }
    int32_t near = gg_cell_index_nearest_outside(&loc->index, lon, lat, mx, my, &d);
    if (near >= 0)
        r->distance_m = d;
    if (near >= 0 && d <= loc->snap_m) {
        r->grid = near;
        r->status = GG_LOCATE_SNAPPED;
    } else {
        r->status = GG_LOCATE_OUTSIDE;
    }
}

static int valid_point(double lon, double lat)
{
    return lon >= -180 && lon <= 180 && lat >= -90 && lat <= 90;
}

void gg_locator_query(const gg_locator *loc, double lon, double lat, gg_locate_result *r)
{
    r->grid = -1;
    r->distance_m = NAN;
    r->on_boundary = 0;
    if (!valid_point(lon, lat)) {
        r->status = GG_LOCATE_INVALID;
        return;
    }
    int on = 0, sole = 0;
    int32_t g = gg_cell_index_locate(&loc->index, lon, lat, &on, &sole);
    finish_query(loc, lon, lat, g, on, sole, r);
}

/* Points in groups, each step over a whole group so that the memory each
 * point needs next is fetched for all of them at once: the top cells,
 * then the leaves, then (after the grid is found) the grid's runs of
 * edges, or for a point in no grid its cell's hint, the hint cell's start
 * of edges and its edges (which bound the search of the outline), or for
 * a point not alone in its grid (on an edge: its rings search) its cell's
 * start of edges and edges. The answers are gg_locator_query's. */
#define QUERY_GROUP 8

void gg_locator_query_many(const gg_locator *loc, const double *lon, const double *lat, size_t n,
                           gg_locate_result *results)
{
    const gg_cell_index *ix = &loc->index;
    for (size_t i0 = 0; i0 < n; i0 += QUERY_GROUP) {
        size_t m = n - i0 < QUERY_GROUP ? n - i0 : QUERY_GROUP;
        int32_t g[QUERY_GROUP];
        int on[QUERY_GROUP], sole[QUERY_GROUP];
        for (size_t k = 0; k < m; k++)
            gg_cell_index_prefetch(ix, lon[i0 + k], lat[i0 + k], -1, 0);
        for (size_t k = 0; k < m; k++)
            gg_cell_index_prefetch(ix, lon[i0 + k], lat[i0 + k], -1, 1);
        for (size_t k = 0; k < m; k++) {
            gg_locate_result *r = &results[i0 + k];
            r->grid = -1;
            r->distance_m = NAN;
            r->on_boundary = 0;
            on[k] = sole[k] = 0;
            g[k] = -2;
            if (!valid_point(lon[i0 + k], lat[i0 + k])) {
                r->status = GG_LOCATE_INVALID;
                continue;
            }
            g[k] = gg_cell_index_locate(ix, lon[i0 + k], lat[i0 + k], &on[k], &sole[k]);
            if (g[k] < 0 || sole[k]) /* (a point not alone in its grid goes to the rings) */
                gg_cell_index_prefetch(ix, lon[i0 + k], lat[i0 + k], g[k], 2);
        }
        for (size_t k = 0; k < m; k++)
            if (g[k] >= -1)
                gg_cell_index_prefetch(ix, lon[i0 + k], lat[i0 + k], g[k], g[k] >= 0 && !sole[k] ? 5 : 3);
        for (size_t k = 0; k < m; k++)
            if (g[k] == -1 || (g[k] >= 0 && !sole[k]))
                gg_cell_index_prefetch(ix, lon[i0 + k], lat[i0 + k], g[k], g[k] == -1 ? 4 : 6);
        for (size_t k = 0; k < m; k++)
            if (g[k] != -2)
                finish_query(loc, lon[i0 + k], lat[i0 + k], g[k], on[k], sole[k], &results[i0 + k]);
    }
}
