/* gg_partition: every community of the project divided into grids, stored
 * as a new plan in one short transaction at the end.
 *
 * The plan is computed and recounted in staging tables (store/stage.h:
 * TEMP copies of plan and grid that only this connection sees), while the
 * service and other writers keep writing; then, if the inputs (divisions,
 * households, roads, waterways, units) are as they were read, it is
 * copied into the project in one transaction. */
#include "partition/partition.h"
#include "geo/crs.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check.h"
#include "geo/blob.h"
#include "locate/count.h"
#include "store/plan.h"
#include "store/versions.h"
#include "store/stage.h"
#include "govgrid/code.h"
#include "govgrid/geo.h"

void gg_partition_options_init(gg_partition_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

static const struct {
    int flag;
    const char *word;
} flag_words[] = {{GG_GRID_OVER_MAX, "over_max"},     {GG_GRID_UNDER_MIN, "under_min"},
                  {GG_GRID_ISLAND, "island"},         {GG_GRID_INDIVISIBLE, "indivisible"},
                  {GG_GRID_SMALL_COMMUNITY, "small_community"},
                  {GG_GRID_NO_HOUSEHOLDS, "no_households"}, {GG_GRID_MULTIPART, "multipart"},
                  {GG_GRID_INFEASIBLE, "infeasible"},
                  {GG_GRID_UNREACHABLE, "unreachable"}};

const char *gg_grid_flags_text(int flags, char *buf, size_t size)
{
    if (size == 0)
        return buf;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof flag_words / sizeof flag_words[0]; i++) {
        if (!(flags & flag_words[i].flag))
            continue;
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", used ? "," : "", flag_words[i].word);
    }
    return buf;
}

static void defaults(gg_partition_options *o)
{
    if (o->urban_min == 0)
        o->urban_min = 300;
    if (o->urban_max == 0)
        o->urban_max = 500;
    if (o->urban_target == 0)
        o->urban_target = (o->urban_min + o->urban_max) / 2;
    if (o->rural_min == 0)
        o->rural_min = 250;
    if (o->rural_max == 0)
        o->rural_max = 350;
    if (o->rural_target == 0)
        o->rural_target = (o->rural_min + o->rural_max) / 2;
    if (o->dedicated_min_m2 <= 0)
        o->dedicated_min_m2 = 10000.0;
}

void pt_community_free(pt_community *c)
{
    gg_ctx *ctx = c->ctx;
    GEOSContextHandle_t h = ctx->geos;
    gg_free(ctx, c->point_grid);
    if (c->geom)
        GEOSGeom_destroy_r(h, c->geom);
    if (c->lines)
        GEOSGeom_destroy_r(h, c->lines);
    for (size_t i = 0; i < c->n_parcels; i++) {
        GEOSGeom_destroy_r(h, c->parcels[i]);
        gg_free(ctx, c->parcel_names[i]);
    }
    for (size_t i = 0; i < c->n_units; i++)
        if (c->units[i].geom)
            GEOSGeom_destroy_r(h, c->units[i].geom);
    for (size_t i = 0; i < c->n_grids; i++) {
        if (c->grids[i].geom)
            GEOSGeom_destroy_r(h, c->grids[i].geom);
        gg_free(ctx, c->grids[i].name);
    }
    gg_free(ctx, c->name);
    gg_free(ctx, c->px);
    gg_free(ctx, c->py);
    gg_free(ctx, c->ph);
    gg_free(ctx, c->pp);
    gg_free(ctx, c->parcels);
    gg_free(ctx, c->parcel_types);
    gg_free(ctx, c->parcel_names);
    gg_free(ctx, c->units);
    gg_free(ctx, c->edges);
    gg_free(ctx, c->grids);
    memset(c, 0, sizeof *c);
}

static gg_status list_communities(gg_ctx *ctx, gg_store *store, const gg_partition_options *o,
                                  char (**codes)[13], size_t *n)
{
    *codes = NULL;
    *n = 0;
    size_t cap = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT code FROM division WHERE level = 'community' AND geom IS NOT NULL"
                                    " ORDER BY code",
                                    &stmt);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(stmt, 0);
        int wanted = o->n_communities == 0;
        for (size_t i = 0; i < o->n_communities && !wanted; i++)
            wanted = strcmp(o->communities[i], code) == 0;
        if (!wanted)
            continue;
        st = gg_grow(ctx, (void **)codes, &cap, *n + 1, sizeof **codes);
        if (st != GG_OK)
            break;
        snprintf((*codes)[(*n)++], 13, "%s", code);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "listing communities");
    sqlite3_finalize(stmt);
    if (st != GG_OK)
        return st;
    for (size_t i = 0; i < o->n_communities; i++) {
        int found = 0;
        for (size_t k = 0; k < *n && !found; k++)
            found = strcmp((*codes)[k], o->communities[i]) == 0;
        if (!found)
            return gg_error(ctx, GG_ERR_NOT_FOUND, "%s: no community with code '%s' and a polygon",
                            store->path, o->communities[i]);
    }
    if (*n == 0)
        return gg_error(ctx, GG_ERR_NOT_FOUND,
                        "%s: no communities to partition (import divisions with 12-digit codes and polygons first)",
                        store->path);
    return GG_OK;
}

static gg_status create_plan(gg_store *store, const gg_partition_options *o, int64_t *plan)
{
    char now[32], params[600], maintain[64] = "";
    if (o->maintain)
        snprintf(maintain, sizeof maintain, ",\"maintain\":true,\"max_change\":%g", o->max_change);
    gg_utc_now(now, sizeof now);
    snprintf(params, sizeof params,
             "{\"urban\":[%d,%d,%d],\"rural\":[%d,%d,%d],\"class122\":\"%s\",\"class123\":\"%s\","
             "\"dedicated_min_m2\":%.0f,\"seed\":%llu%s}",
             o->urban_min, o->urban_target, o->urban_max, o->rural_min, o->rural_target, o->rural_max,
             o->class122_rural ? "rural" : "urban", o->class123_rural ? "rural" : "urban",
             o->dedicated_min_m2, (unsigned long long)o->seed, maintain);
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO plan(created, source, note, params, made_by)"
                                    " VALUES (?1, CASE WHEN ?5 THEN 'maintain' ELSE 'partition' END, ?2, ?3,"
                                    " nullif(?4, ''))",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(stmt, 1, now, -1, SQLITE_TRANSIENT);
    if (o->note)
        sqlite3_bind_text(stmt, 2, o->note, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(stmt, 2);
    sqlite3_bind_text(stmt, 3, params, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 4, gg_store_actor(store), -1, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 5, o->maintain != 0);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "creating a plan");
    sqlite3_finalize(stmt);
    *plan = sqlite3_last_insert_rowid(store->db);
    return st;
}

/* A community's grids ready to be written: attributes copied and
 * geometry encoded, so that the writer needs nothing of the context (and
 * GEOS handle) that computed them. */
typedef struct ready_grid {
    char code[20];
    char beidou[16];
    int type, flags;
    int64_t households, persons;
    double area_m2;
    char *name;
    unsigned char *blob;        /* malloc; taken by the statement */
    int blob_size;
} ready_grid;

typedef struct community_result {
    gg_status status;           /* a failure other than the community's own problem */
    char errmsg[GG_ERRMSG_MAX];
    ready_grid *grids;
    size_t n_grids;
    /* The community's household points, handed on for the recount of the
     * whole plan (owned; the context's allocator). */
    double *px, *py;
    int64_t *ph, *pp;
    size_t n_points;
} community_result;

/* Every household point of the plan, gathered as the communities are
 * written. */
typedef struct plan_points {
    double *x, *y;
    int64_t *households, *persons;
    size_t n, cap;
} plan_points;

static gg_status gather_points(gg_ctx *ctx, plan_points *pts, const community_result *res)
{
    if (res->n_points == 0)
        return GG_OK;
    size_t need = pts->n + res->n_points;
    if (need > pts->cap) {
        size_t cap = pts->cap ? pts->cap : 1024;
        while (cap < need)
            cap *= 2;
        double *x = gg_realloc(ctx, pts->x, cap * sizeof *x);
        if (x != NULL)
            pts->x = x;
        double *y = x ? gg_realloc(ctx, pts->y, cap * sizeof *y) : NULL;
        if (y != NULL)
            pts->y = y;
        int64_t *hh = y ? gg_realloc(ctx, pts->households, cap * sizeof *hh) : NULL;
        if (hh != NULL)
            pts->households = hh;
        int64_t *pp = hh ? gg_realloc(ctx, pts->persons, cap * sizeof *pp) : NULL;
        if (pp == NULL)
            return gg_error_nomem(ctx);
        pts->persons = pp;
        pts->cap = cap;
    }
    memcpy(pts->x + pts->n, res->px, res->n_points * sizeof *pts->x);
    memcpy(pts->y + pts->n, res->py, res->n_points * sizeof *pts->y);
    memcpy(pts->households + pts->n, res->ph, res->n_points * sizeof *pts->households);
    memcpy(pts->persons + pts->n, res->pp, res->n_points * sizeof *pts->persons);
    pts->n = need;
    return GG_OK;
}

static void plan_points_free(gg_ctx *ctx, plan_points *pts)
{
    gg_free(ctx, pts->x);
    gg_free(ctx, pts->y);
    gg_free(ctx, pts->households);
    gg_free(ctx, pts->persons);
}

static void result_clear(gg_ctx *ctx, community_result *r)
{
    for (size_t i = 0; i < r->n_grids; i++) {
        gg_free(ctx, r->grids[i].name);
        free(r->grids[i].blob);
    }
    gg_free(ctx, r->grids);
    r->grids = NULL;
    r->n_grids = 0;
    gg_free(ctx, r->px);
    gg_free(ctx, r->py);
    gg_free(ctx, r->ph);
    gg_free(ctx, r->pp);
    r->px = r->py = NULL;
    r->ph = r->pp = NULL;
    r->n_points = 0;
}

static gg_status make_ready(pt_community *c, community_result *out)
{
    out->grids = gg_calloc(c->ctx, c->n_grids ? c->n_grids : 1, sizeof *out->grids);
    if (out->grids == NULL)
        return gg_error_nomem(c->ctx);
    for (size_t i = 0; i < c->n_grids; i++) {
        const pt_grid *g = &c->grids[i];
        ready_grid *r = &out->grids[out->n_grids];
        memcpy(r->code, g->code, sizeof r->code);
        memcpy(r->beidou, g->beidou, sizeof r->beidou);
        r->type = g->type;
        r->flags = g->flags;
        r->households = g->households;
        r->persons = g->persons;
        r->area_m2 = g->area_m2;
        r->name = gg_strdup(c->ctx, g->name);
        if (r->name == NULL)
            return gg_error_nomem(c->ctx);
        out->n_grids++;
        gg_status st = gg_geom_to_blob(c->ctx, g->geom, &r->blob, &r->blob_size);
        if (st != GG_OK)
            return st;
    }
    return GG_OK;
}

static gg_status write_grids(gg_store *store, const char *community, community_result *res,
                             sqlite3_stmt *insert, int64_t plan)
{
    for (size_t i = 0; i < res->n_grids; i++) {
        ready_grid *g = &res->grids[i];
        char flags[128];
        gg_grid_flags_text(g->flags, flags, sizeof flags);
        sqlite3_bind_int64(insert, 1, plan);
        sqlite3_bind_text(insert, 2, g->code, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(insert, 3, g->type);
        sqlite3_bind_text(insert, 4, community, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(insert, 5, g->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(insert, 6, g->households);
        sqlite3_bind_int64(insert, 7, g->persons);
        sqlite3_bind_double(insert, 8, g->area_m2);
        if (flags[0])
            sqlite3_bind_text(insert, 9, flags, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(insert, 9);
        sqlite3_bind_blob(insert, 10, g->blob, g->blob_size, free);
        g->blob = NULL;
        if (g->beidou[0])
            sqlite3_bind_text(insert, 11, g->beidou, -1, SQLITE_TRANSIENT);
        else
            sqlite3_bind_null(insert, 11);
        int rc = sqlite3_step(insert);
        sqlite3_reset(insert);
        if (rc != SQLITE_DONE)
            return gg_store_sql_error(store, "writing grids");
    }
    return GG_OK;
}

/* Units, their adjacency and the grids made of them, dropped (the loaded
 * inputs stay) so that the units can be built again. */
static void drop_units(pt_community *c)
{
    GEOSContextHandle_t h = c->ctx->geos;
    for (size_t i = 0; i < c->n_units; i++)
        if (c->units[i].geom)
            GEOSGeom_destroy_r(h, c->units[i].geom);
    c->n_units = 0;
    c->n_edges = 0;
}

static void free_grids(gg_ctx *ctx, pt_grid *grids, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (grids[i].geom)
            GEOSGeom_destroy_r(ctx->geos, grids[i].geom);
        gg_free(ctx, grids[i].name);
    }
    gg_free(ctx, grids);
}

/* Comprehensive grids out of the window, and of these the ones the search
 * might have avoided (flagged infeasible). */
static size_t count_out(const pt_community *c, size_t *infeasible)
{
    size_t out = 0;
    *infeasible = 0;
    for (size_t i = 0; i < c->n_grids; i++) {
        const pt_grid *g = &c->grids[i];
        if (g->type == 1 && !(g->flags & GG_GRID_SMALL_COMMUNITY) &&
            (g->households < c->window.min || g->households > c->window.max))
            out++;
        if (g->flags & GG_GRID_INFEASIBLE)
            (*infeasible)++;
    }
    return out;
}

/* Blocks are split into cells only when above the maximum, so that grid
 * boundaries follow streets and rivers. Where that leaves a grid that no
 * grouping of whole blocks fits (a 400-household block beside a 219 one
 * in a 619-household community, or three blocks of 253-276 households of
 * which any two are too many), the units are built again with every
 * populated block split between its hamlets, and the finer plan is kept if
 * it has fewer grids out of the window. */
static gg_status refine(pt_community *c)
{
    size_t infeasible, out = count_out(c, &infeasible);
    if (infeasible == 0)
        return GG_OK;
    pt_grid *first = c->grids;
    size_t n_first = c->n_grids, cap_first = c->cap_grids;
    c->grids = NULL;
    c->n_grids = c->cap_grids = 0;
    drop_units(c);
    c->split_above = 1;
    gg_status st = pt_build_units(c);
    if (st == GG_OK)
        st = pt_aggregate(c);
    if (st == GG_OK)
        st = pt_make_grids(c);
    size_t ignored;
    if (st == GG_OK && count_out(c, &ignored) < out) {
        free_grids(c->ctx, first, n_first);
        return GG_OK;
    }
    free_grids(c->ctx, c->grids, c->n_grids);
    c->grids = first;
    c->n_grids = n_first;
    c->cap_grids = cap_first;
    if (st == GG_ERR_GEOMETRY || st == GG_ERR_INVALID_INPUT) {
        gg_ctx_clear_error(c->ctx); /* the first plan stands */
        st = GG_OK;
    }
    return st;
}

/* The community's grids checked as govgrid check would (codes, shapes,
 * validity as stored and in UTM and the local metric CRS, the tiling), on
 * the worker that made them: a grid that breaks an invariant is a bug of
 * the partition, and the community's problem, so the plan is refused
 * with the check's first findings rather than stored. */
static gg_status check_grids(pt_community *c, gg_metric_cache *cache)
{
    gg_ctx *ctx = c->ctx;
    gg_plan_grid *grids = gg_calloc(ctx, c->n_grids ? c->n_grids : 1, sizeof *grids);
    if (grids == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < c->n_grids; i++) {
        snprintf(grids[i].code, sizeof grids[i].code, "%s", c->grids[i].code);
        snprintf(grids[i].community, sizeof grids[i].community, "%s", c->code);
        grids[i].type = c->grids[i].type;
        grids[i].geom = c->grids[i].geom; /* borrowed */
    }
    gg_check_options co;
    gg_check_options_init(&co);
    gg_check_report *cr = NULL;
    gg_status st = gg_check_community_grids(ctx, cache, c->code, c->geom, grids, c->n_grids, &co, &cr);
    gg_free(ctx, grids);
    if (st == GG_OK && cr->errors > 0) {
        char msg[1024];
        int used = snprintf(msg, sizeof msg, "community %s: the plan fails its own check with %lld error(s):", c->code,
                            (long long)cr->errors);
        int shown = 0;
        for (size_t i = 0; i < cr->n_problems && shown < 3 && used > 0 && (size_t)used < sizeof msg; i++) {
            const gg_check_problem *p = &cr->problems[i];
            if (!p->error)
                continue;
            used += snprintf(msg + used, sizeof msg - (size_t)used, " %s %s: %s;", gg_check_kind_name(p->kind),
                             p->code[0] ? p->code : p->community, p->detail);
            shown++;
        }
        st = gg_error(ctx, GG_ERR_GEOMETRY, "%s this is a bug in govgrid partition", msg);
    }
    gg_check_report_free(ctx, cr);
    return st;
}

/* ---- maintenance: local repairs ---- */

/* Whether T households can make whole grids within the window: some k
 * with k * min <= T <= k * max. */
static int fits_window(int64_t t, const pt_window *w)
{
    if (t <= 0)
        return 0;
    int64_t k = (t + w->max - 1) / w->max;
    return k * w->min <= t;
}

/* The length (degrees) of the boundary grids a and b share. */
static double shared_length(GEOSContextHandle_t h, const GEOSGeometry *a, const GEOSGeometry *b)
{
    double len = 0;
    GEOSGeometry *ba = GEOSBoundary_r(h, a), *bb = GEOSBoundary_r(h, b);
    GEOSGeometry *common = ba && bb ? GEOSIntersection_r(h, ba, bb) : NULL;
    if (common == NULL || GEOSLength_r(h, common, &len) != 1)
        len = 0;
    if (common)
        GEOSGeom_destroy_r(h, common);
    if (ba)
        GEOSGeom_destroy_r(h, ba);
    if (bb)
        GEOSGeom_destroy_r(h, bb);
    return len;
}

/* Maintenance of a community whose only fault is grids out of their
 * window: each such grid, with as few of its comprehensive neighbours as
 * make its households fit whole grids (the one sharing the longest edge
 * first, at most three), is partitioned again as a region of its own; every
 * other grid of plan o->from is kept as it is. c->grids receives the kept
 * grids and the new ones (pt_finish_grids then rebuilds the community's
 * coverage, so the neighbours take the new edges' vertices, and gives the
 * codes). *done is 0 when the community needs its whole partition (a
 * boundary moved, no grids in plan from, a region that cannot be
 * partitioned): nothing is changed then. */
static gg_status repair_locally(pt_community *c, gg_metric_cache *cache, int *done, int *has_locked)
{
    (void)cache;
    gg_ctx *ctx = c->ctx;
    GEOSContextHandle_t h = ctx->geos;
    *done = 0;
    gg_community_grid *base = NULL;
    size_t nb = 0;
    gg_status st = gg_store_community_grids(c->store, c->from, c->code, &base, &nb);
    if (st != GG_OK || nb == 0) {
        gg_community_grids_free(ctx, base, nb);
        return st;
    }
    const GEOSPreparedGeometry **prep = gg_calloc(ctx, nb, sizeof *prep);
    double(*box)[4] = gg_calloc(ctx, nb, sizeof *box);
    int64_t *hh = gg_calloc(ctx, nb, sizeof *hh);
    int *region = gg_calloc(ctx, nb, sizeof *region); /* 0: kept; r + 1: in region r */
    int *point_base = gg_malloc(ctx, (c->n_points ? c->n_points : 1) * sizeof *point_base);
    if (prep == NULL || box == NULL || hh == NULL || region == NULL || point_base == NULL)
        st = gg_error_nomem(ctx);
    int usable = st == GG_OK;
    for (size_t b = 0; b < nb && usable; b++) {
        if (base[b].geom == NULL) {
            usable = 0;
            break;
        }
        GEOSGeom_getXMin_r(h, base[b].geom, &box[b][0]);
        GEOSGeom_getYMin_r(h, base[b].geom, &box[b][1]);
        GEOSGeom_getXMax_r(h, base[b].geom, &box[b][2]);
        GEOSGeom_getYMax_r(h, base[b].geom, &box[b][3]);
        prep[b] = GEOSPrepare_r(h, base[b].geom);
    }
    int64_t total = 0;
    size_t comprehensive = 0;
    for (size_t k = 0; k < c->n_points && usable; k++) {
        point_base[k] = pt_base_grid_of(h, base, prep, (const double(*)[4])box, nb, c->px[k], c->py[k]);
        if (point_base[k] < 0)
            usable = 0; /* a point in no grid: the boundary moved */
        else
            hh[point_base[k]] += c->ph[k];
        total += c->ph[k];
    }
    for (size_t b = 0; b < nb; b++) {
        comprehensive += base[b].type == 1;
        *has_locked |= base[b].locked;
    }
    /* The regions, grown around each grid out of its window. */
    int regions = 0;
    for (size_t b = 0; b < nb && usable; b++) {
        if (base[b].type != 1 || region[b] != 0 || base[b].locked)
            continue;
        int over = hh[b] > c->window.max, under = hh[b] < c->window.min && total >= c->window.min && comprehensive > 1;
        if (!over && !under)
            continue;
        regions++;
        region[b] = regions;
        int64_t t = hh[b];
        for (int added = 0; !fits_window(t, &c->window) && added < 3; added++) {
            size_t best = nb;
            double best_len = 0;
            for (size_t q = 0; q < nb; q++) {
                if (region[q] != 0 || base[q].type != 1 || base[q].locked)
                    continue;
                /* next to any grid of the region */
                double len = 0;
                for (size_t m = 0; m < nb; m++)
                    if (region[m] == regions && box[m][0] <= box[q][2] && box[q][0] <= box[m][2] &&
                        box[m][1] <= box[q][3] && box[q][1] <= box[m][3])
                        len += shared_length(h, base[m].geom, base[q].geom);
                if (len > best_len) {
                    best_len = len;
                    best = q;
                }
            }
            if (best == nb)
                break;
            region[best] = regions;
            t += hh[best];
        }
        if (!fits_window(t, &c->window))
            usable = 0; /* no small region fits: the whole community */
    }
    if (regions == 0)
        usable = 0;
    /* Each region partitioned as a community of its own. */
    pt_grid *pieces = NULL;
    size_t n_pieces = 0, cap_pieces = 0;
    for (int r = 1; r <= regions && usable && st == GG_OK; r++) {
        pt_community sub;
        memset(&sub, 0, sizeof sub);
        sub.ctx = ctx;
        sub.store = c->store;
        memcpy(sub.code, c->code, sizeof sub.code);
        memcpy(sub.urban_rural, c->urban_rural, sizeof sub.urban_rural);
        sub.rural = c->rural;
        sub.window = c->window;
        sub.dedicated_min_m2 = c->dedicated_min_m2;
        sub.seed = c->seed;
        sub.mx = c->mx;
        sub.my = c->my;
        sub.to_metric = c->to_metric;
        GEOSGeometry **parts = gg_calloc(ctx, nb, sizeof *parts);
        size_t np = 0;
        if (parts == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
        for (size_t b = 0; b < nb; b++)
            if (region[b] == r)
                parts[np++] = GEOSGeom_clone_r(h, base[b].geom);
        GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts, (unsigned)np);
        gg_free(ctx, parts);
        sub.geom = all ? GEOSUnaryUnion_r(h, all) : NULL;
        if (all)
            GEOSGeom_destroy_r(h, all);
        if (sub.geom == NULL) {
            usable = 0;
            pt_community_free(&sub);
            break;
        }
        GEOSGeom_getXMin_r(h, sub.geom, &sub.minx);
        GEOSGeom_getYMin_r(h, sub.geom, &sub.miny);
        GEOSGeom_getXMax_r(h, sub.geom, &sub.maxx);
        GEOSGeom_getYMax_r(h, sub.geom, &sub.maxy);
        sub.lines = c->lines ? GEOSGeom_clone_r(h, c->lines) : NULL;
        for (size_t k = 0; k < c->n_points && st == GG_OK; k++) {
            if (region[point_base[k]] != r)
                continue;
            size_t n = sub.n_points;
            size_t cap = sub.cap_points;
            st = gg_grow(ctx, (void **)&sub.px, &cap, n + 1, sizeof *sub.px);
            cap = sub.cap_points;
            if (st == GG_OK)
                st = gg_grow(ctx, (void **)&sub.py, &cap, n + 1, sizeof *sub.py);
            cap = sub.cap_points;
            if (st == GG_OK)
                st = gg_grow(ctx, (void **)&sub.ph, &cap, n + 1, sizeof *sub.ph);
            cap = sub.cap_points;
            if (st == GG_OK)
                st = gg_grow(ctx, (void **)&sub.pp, &cap, n + 1, sizeof *sub.pp);
            if (st != GG_OK)
                break;
            sub.cap_points = cap;
            sub.px[n] = c->px[k];
            sub.py[n] = c->py[k];
            sub.ph[n] = c->ph[k];
            sub.pp[n] = c->pp[k];
            sub.n_points++;
            sub.total_households += c->ph[k];
        }
        gg_status sst = st;
        if (sst == GG_OK)
            sst = pt_build_units(&sub);
        if (sst == GG_OK)
            sst = pt_aggregate(&sub);
        if (sst == GG_OK)
            sst = pt_make_grids(&sub);
        if (sst == GG_OK)
            sst = refine(&sub);
        if (sst == GG_ERR_GEOMETRY || sst == GG_ERR_INVALID_INPUT) {
            gg_ctx_clear_error(ctx);
            usable = 0; /* the whole community instead */
        } else if (sst != GG_OK) {
            st = sst;
        }
        for (size_t i = 0; usable && st == GG_OK && i < sub.n_grids; i++) {
            st = gg_grow(ctx, (void **)&pieces, &cap_pieces, n_pieces + 1, sizeof *pieces);
            if (st != GG_OK)
                break;
            pieces[n_pieces] = sub.grids[i];
            pieces[n_pieces].type = 1;
            gg_free(ctx, pieces[n_pieces].name);
            pieces[n_pieces].name = NULL;
            n_pieces++;
            sub.grids[i].geom = NULL; /* taken over */
            sub.grids[i].name = NULL;
        }
        pt_community_free(&sub);
    }
    if (usable && st == GG_OK) {
        /* The community's grids: the kept ones as they are, then the new. */
        for (size_t b = 0; b < nb && st == GG_OK; b++) {
            if (region[b] != 0)
                continue;
            st = gg_grow(ctx, (void **)&c->grids, &c->cap_grids, c->n_grids + 1, sizeof *c->grids);
            if (st != GG_OK)
                break;
            pt_grid *g = &c->grids[c->n_grids++];
            memset(g, 0, sizeof *g);
            g->geom = GEOSGeom_clone_r(h, base[b].geom);
            g->type = base[b].type;
            g->name = base[b].name[0] ? gg_strdup(ctx, base[b].name) : NULL;
            if (g->geom == NULL)
                st = gg_error(ctx, GG_ERR_GEOMETRY, "community %s: grid %s: %s", c->code, base[b].code,
                              ctx->geos_msg);
        }
        for (size_t i = 0; i < n_pieces && st == GG_OK; i++) {
            st = gg_grow(ctx, (void **)&c->grids, &c->cap_grids, c->n_grids + 1, sizeof *c->grids);
            if (st != GG_OK)
                break;
            c->grids[c->n_grids++] = pieces[i];
            pieces[i].geom = NULL;
        }
        if (st == GG_OK) {
            int64_t in_comprehensive = 0;
            for (size_t b = 0; b < nb; b++)
                if (base[b].type == 1)
                    in_comprehensive += hh[b];
            c->reachable = in_comprehensive >= c->window.min ? fits_window(in_comprehensive, &c->window)
                                                             : c->total_households < c->window.min;
            *done = 1;
        }
    }
    for (size_t i = 0; i < n_pieces; i++)
        if (pieces[i].geom)
            GEOSGeom_destroy_r(h, pieces[i].geom);
    gg_free(ctx, pieces);
    for (size_t b = 0; prep != NULL && b < nb; b++)
        if (prep[b])
            GEOSPreparedGeom_destroy_r(h, prep[b]);
    gg_free(ctx, prep);
    gg_free(ctx, box);
    gg_free(ctx, hh);
    gg_free(ctx, region);
    gg_free(ctx, point_base);
    gg_community_grids_free(ctx, base, nb);
    return st;
}

/* One community computed: its grids made ready in *res, its figures (or
 * its problem) in *item. A failure specific to the community becomes its
 * problem (GG_OK returned); a failure of the store or of memory is
 * returned. ctx and store may be a worker's own. */
static gg_status compute_one(gg_ctx *ctx, gg_store *store, gg_metric_cache *cache, const gg_partition_options *o,
                             const char *code, community_result *res, gg_partition_community *item)
{
    pt_community c;
    memset(&c, 0, sizeof c);
    c.ctx = ctx;
    c.store = store;
    snprintf(c.code, sizeof c.code, "%s", code);
    c.dedicated_min_m2 = o->dedicated_min_m2;
    c.seed = o->seed;
    c.from = o->from;
    gg_status st = pt_load(&c);
    if (st == GG_OK) {
        c.rural = strcmp(c.urban_rural, "210") == 0 || strcmp(c.urban_rural, "220") == 0 ||
                  (strcmp(c.urban_rural, "122") == 0 && o->class122_rural) ||
                  (strcmp(c.urban_rural, "123") == 0 && o->class123_rural);
        c.window.min = c.rural ? o->rural_min : o->urban_min;
        c.window.max = c.rural ? o->rural_max : o->urban_max;
        c.window.target = c.rural ? o->rural_target : o->urban_target;
        for (size_t i = 0; i < c.n_points; i++)
            c.total_households += c.ph[i];
        double lon = 0, lat = 0;
        GEOSGeometry *p = GEOSPointOnSurface_r(ctx->geos, c.geom);
        if (p != NULL) {
            GEOSGeomGetX_r(ctx->geos, p, &lon);
            GEOSGeomGetY_r(ctx->geos, p, &lat);
            GEOSGeom_destroy_r(ctx->geos, p);
        }
        if (gg_metric_cache_get(ctx, cache, gg_local_metric_epsg(lon, lat), &c.to_metric) != GG_OK)
            gg_ctx_clear_error(ctx); /* areas then come from the degree-based estimate */
    }
    int repaired = 0, has_locked = 0;
    if (st == GG_OK && o->maintain)
        st = repair_locally(&c, cache, &repaired, &has_locked);
    if (st == GG_OK && o->maintain && !repaired && has_locked) {
        /* Only a whole partition would repair it, and that would redraw
         * its locked grids: left as it was. */
        snprintf(item->code, sizeof item->code, "%s", code);
        item->households_moved = -1;
        item->reason = gg_strdup(ctx, "it has locked grids, and only partitioning it whole would repair it");
        pt_community_free(&c);
        return item->reason ? GG_OK : gg_error_nomem(ctx);
    }
    if (st == GG_OK && !repaired)
        st = pt_build_units(&c);
    if (st == GG_OK && !repaired)
        st = pt_aggregate(&c);
    if (st == GG_OK && !repaired)
        st = pt_make_grids(&c);
    if (st == GG_OK && !repaired)
        st = refine(&c);
    if (st == GG_OK)
        st = pt_finish_grids(&c);
    if (st == GG_OK)
        st = check_grids(&c, cache);
    snprintf(item->code, sizeof item->code, "%s", code);
    item->rural = c.rural;
    item->households = c.total_households;
    item->households_moved = c.moved;
    item->applied = 1;
    if (st == GG_OK) {
        for (size_t i = 0; i < c.n_grids; i++) {
            const pt_grid *g = &c.grids[i];
            item->grids++;
            if (g->type != 1) {
                item->dedicated++;
            } else if (g->households >= c.window.min && g->households <= c.window.max) {
                item->grids_in_range++;
            } else if (!(g->flags & GG_GRID_SMALL_COMMUNITY)) {
                item->grids_out_of_range++;
            }
        }
        st = make_ready(&c, res);
        /* The points go on to the recount of the whole plan. */
        res->px = c.px, res->py = c.py, res->ph = c.ph, res->pp = c.pp;
        res->n_points = c.n_points;
        c.px = c.py = NULL;
        c.ph = c.pp = NULL;
    } else if (st == GG_ERR_GEOMETRY || st == GG_ERR_INVALID_INPUT || st == GG_ERR_NOT_FOUND) {
        item->problem = gg_strdup(ctx, gg_ctx_errmsg(ctx));
        st = item->problem ? GG_OK : gg_error_nomem(ctx);
        gg_ctx_clear_error(ctx);
    }
    pt_community_free(&c);
    return st;
}

/* ---- the plan as a whole ---- */

int pt_flags_from_text(const char *text)
{
    int flags = 0;
    for (size_t i = 0; i < sizeof flag_words / sizeof flag_words[0]; i++) {
        size_t len = strlen(flag_words[i].word);
        for (const char *p = strstr(text, flag_words[i].word); p; p = strstr(p + 1, flag_words[i].word))
            if ((p == text || p[-1] == ',') && (p[len] == '\0' || p[len] == ','))
                flags |= flag_words[i].flag;
    }
    return flags;
}

/* A grid's flags after its households changed from a recount. */
int pt_refreshed_flags(int flags, int type, int64_t households, const pt_window *w, int unreachable)
{
    int keep = flags & ~(GG_GRID_OVER_MAX | GG_GRID_UNDER_MIN | GG_GRID_NO_HOUSEHOLDS | GG_GRID_INFEASIBLE |
                         GG_GRID_UNREACHABLE);
    if (type == 1 && !(keep & GG_GRID_SMALL_COMMUNITY)) {
        if (households < w->min)
            keep |= GG_GRID_UNDER_MIN;
        if (households > w->max)
            keep |= GG_GRID_OVER_MAX;
        else
            keep &= ~GG_GRID_INDIVISIBLE;
        if ((keep & (GG_GRID_OVER_MAX | GG_GRID_UNDER_MIN)) && !(keep & (GG_GRID_INDIVISIBLE | GG_GRID_ISLAND)))
            keep |= unreachable ? GG_GRID_UNREACHABLE : GG_GRID_INFEASIBLE;
    }
    if (households == 0)
        keep |= GG_GRID_NO_HOUSEHOLDS;
    return keep;
}

static int counts_in_window(int flags, int type, int64_t households, const pt_window *w)
{
    return type == 1 && !(flags & GG_GRID_SMALL_COMMUNITY) && households >= w->min && households <= w->max;
}

static int counts_out_of_window(int flags, int type, int64_t households, const pt_window *w)
{
    return type == 1 && !(flags & GG_GRID_SMALL_COMMUNITY) && (households < w->min || households > w->max);
}

static int compare_item_code(const void *key, const void *item)
{
    return strcmp(key, ((const gg_partition_community *)item)->code);
}

/* Every community's grids were counted against its own household points.
 * Over the whole plan, a point on the edge between two communities (or in
 * the centimetre the snap-rounding moved that edge) belongs to the grid
 * the rule of locate picks, which may be the neighbour's: the plan's
 * households are counted again with the plan's own locator, and the few
 * grids whose count changes get the new count and the flags that follow
 * from it. */
static gg_status recount_plan(gg_ctx *ctx, gg_store *store, const gg_partition_options *o, gg_partition_report *r,
                              const plan_points *pts, size_t *recounted)
{
    gg_plan_tally t;
    gg_status st = gg_plan_tally_points(ctx, store, r->plan, o->jobs > 1 ? o->jobs : 0, pts->x, pts->y,
                                        pts->households, pts->persons, pts->n, &t);
    gg_plan_grid *grids = NULL;
    size_t n = 0, changed = 0;
    if (st == GG_OK)
        st = gg_store_plan_grids(store, r->plan, 0, &grids, &n);
    const char **codes = NULL;
    int64_t *hh = NULL, *pp = NULL;
    char(*flags)[128] = NULL;
    const char **flag_texts = NULL;
    if (st == GG_OK && n > 0) {
        codes = gg_calloc(ctx, n, sizeof *codes);
        hh = gg_calloc(ctx, n, sizeof *hh);
        pp = gg_calloc(ctx, n, sizeof *pp);
        flags = gg_calloc(ctx, n, sizeof *flags);
        flag_texts = gg_calloc(ctx, n, sizeof *flag_texts);
        if (codes == NULL || hh == NULL || pp == NULL || flags == NULL || flag_texts == NULL)
            st = gg_error_nomem(ctx);
    }
    for (size_t i = 0, first = 0; i < n && st == GG_OK; i++) {
        gg_plan_grid *g = &grids[i];
        if (i == 0 || strcmp(g->community, grids[i - 1].community) != 0)
            first = i;
        int32_t li = gg_locator_grid_by_code(t.loc, g->code);
        int64_t holds = li >= 0 ? t.households[li] : 0, persons = li >= 0 ? t.persons[li] : 0;
        if (holds == g->households && persons == g->persons)
            continue;
        gg_partition_community *item = bsearch(g->community, r->items, r->n_items, sizeof *r->items, compare_item_code);
        pt_window w = {o->urban_min, o->urban_max, o->urban_target};
        if (item != NULL && item->rural)
            w = (pt_window){o->rural_min, o->rural_max, o->rural_target};
        int unreachable = 0;
        for (size_t q = first; q < n && strcmp(grids[q].community, g->community) == 0; q++)
            unreachable |= strstr(grids[q].flags, "unreachable") != NULL;
        int before = pt_flags_from_text(g->flags);
        int after = pt_refreshed_flags(before, g->type, holds, &w, unreachable);
        if (item != NULL) {
            item->grids_in_range += counts_in_window(after, g->type, holds, &w) -
                                    counts_in_window(before, g->type, g->households, &w);
            item->grids_out_of_range += counts_out_of_window(after, g->type, holds, &w) -
                                        counts_out_of_window(before, g->type, g->households, &w);
        }
        codes[changed] = g->code;
        hh[changed] = holds;
        pp[changed] = persons;
        gg_grid_flags_text(after, flags[changed], sizeof flags[changed]);
        flag_texts[changed] = flags[changed];
        changed++;
    }
    int64_t written = 0;
    if (st == GG_OK && changed > 0)
        st = gg_store_set_grid_counts(store, r->plan, changed, codes, hh, pp, flag_texts, 0, &written);
    *recounted = changed;
    gg_free(ctx, codes);
    gg_free(ctx, hh);
    gg_free(ctx, pp);
    gg_free(ctx, flags);
    gg_free(ctx, flag_texts);
    gg_plan_grids_free(ctx, grids, n);
    gg_plan_tally_clear(ctx, &t);
    return st;
}

/* ---- communities in parallel ---- */

/* Workers take communities in order from a shared counter; each has its
 * own context (GEOS, PROJ) and its own read connection (WAL lets it read
 * the committed inputs while other connections write; an input changed
 * meanwhile is caught by the change counters when the plan is stored).
 * The calling thread stages the results in community order, so the plan
 * is the same whatever the number of jobs. */
typedef struct pool {
    gg_ctx *ctx;
    const char *path;
    const gg_partition_options *o;
    char (*codes)[13];
    size_t n;
    community_result *results;
    gg_partition_report *report;
    char *done;
    size_t next;
    pthread_mutex_t mutex;
    pthread_cond_t finished;
} pool;

static void *pool_worker(void *arg)
{
    pool *p = arg;
    gg_ctx *wctx = NULL;
    gg_store *store = NULL;
    gg_metric_cache cache = {.n = 0};
    gg_status setup = gg_ctx_new_with_allocator(&p->ctx->alloc, &wctx);
    if (setup == GG_OK)
        setup = gg_store_open(wctx, p->path, 0, &store);
    for (;;) {
        pthread_mutex_lock(&p->mutex);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->mutex);
        if (i >= p->n)
            break;
        community_result *res = &p->results[i];
        if (setup != GG_OK) {
            res->status = setup;
            snprintf(res->errmsg, sizeof res->errmsg, "%s", wctx ? gg_ctx_errmsg(wctx) : gg_status_str(setup));
        } else {
            res->status = compute_one(wctx, store, &cache, p->o, p->codes[i], res, &p->report->items[i]);
            if (res->status != GG_OK)
                snprintf(res->errmsg, sizeof res->errmsg, "%s", gg_ctx_errmsg(wctx));
        }
        pthread_mutex_lock(&p->mutex);
        p->done[i] = 1;
        pthread_cond_broadcast(&p->finished);
        pthread_mutex_unlock(&p->mutex);
    }
    gg_metric_cache_clear(&cache);
    gg_store_close(store);
    gg_ctx_free(wctx);
    return NULL;
}

/* What a partition reads, and what it writes (staged while it runs,
 * parents first). */
static const char *const partition_inputs[] = {"division", "household", "road", "waterway", "unit", "grid_code"};
#define N_INPUTS (sizeof partition_inputs / sizeof partition_inputs[0])
static const char *const partition_outputs[] = {"plan", "grid"};
#define N_OUTPUTS (sizeof partition_outputs / sizeof partition_outputs[0])

/* The staged plan (*plan, its id in the staging table) copied into the
 * project, inside the write transaction: the plan gets the project's next
 * id (another partition may have stored one meanwhile), which *plan then
 * receives; its grids follow in the order they were made, so that they
 * get the row ids a direct write would have given them. */
static gg_status store_plan(gg_store *store, const gg_partition_options *o, int64_t *plan)
{
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "INSERT INTO main.plan(parent, created, source, note, params, made_by)"
                                    " SELECT nullif(?2, 0), created, source, note, params, made_by FROM temp.plan"
                                    " WHERE id = ?1",
                                    &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, *plan);
    sqlite3_bind_int64(stmt, 2, o->from); /* the staged copy of plan has no row to refer to */
    if (sqlite3_step(stmt) != SQLITE_DONE || sqlite3_changes(store->db) != 1)
        st = gg_store_sql_error(store, "storing the plan");
    sqlite3_finalize(stmt);
    int64_t stored = sqlite3_last_insert_rowid(store->db);
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "INSERT INTO main.grid(plan, code, type, community, name, households, persons, area_m2,"
                              " flags, geom, beidou) SELECT ?2, code, type, community, name, households, persons,"
                              " area_m2, flags, geom, beidou FROM temp.grid WHERE plan = ?1 ORDER BY fid",
                              &stmt);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(stmt, 1, *plan);
    sqlite3_bind_int64(stmt, 2, stored);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        st = gg_store_sql_error(store, "storing the plan's grids");
    sqlite3_finalize(stmt);
    if (st == GG_OK && o->from != 0 && (o->n_communities > 0 || o->maintain))
        st = gg_store_share_other_grids(store, o->from, stored, o->communities, o->n_communities);
    if (st == GG_OK && o->maintain) {
        /* The staged tables go first: their names hide the project's. */
        gg_stage_drop(store, partition_outputs, N_OUTPUTS);
        st = pt_maintenance_recount(store->ctx, store, stored, o);
    }
    if (st == GG_OK)
        st = gg_store_changes_bump(store, partition_outputs, N_OUTPUTS);
    if (st == GG_OK)
        *plan = stored;
    return st;
}

static int compare_moved(const void *a, const void *b)
{
    const gg_partition_community *p = *(const gg_partition_community *const *)a,
                                 *q = *(const gg_partition_community *const *)b;
    if (p->households_moved != q->households_moved)
        return p->households_moved < q->households_moved ? -1 : 1;
    return strcmp(p->code, q->code);
}

/* Maintenance: the repaired communities taken in order of the households
 * their repair moves, fewest first, while the total stays within the
 * budget; the staged grids of the others are taken out again (the plan
 * keeps theirs from the base). exclude then lists the communities the new
 * plan does not take from the base: those repaired, and those dropped. */
static gg_status keep_within_budget(gg_ctx *ctx, gg_store *store, gg_partition_options *o, const pt_maintenance *m,
                                    gg_partition_report *r, const char **exclude)
{
    r->households_total = m->households_total;
    r->budget = (int64_t)floor(o->max_change * (double)m->households_total);
    r->dropped = (int64_t)m->n_dropped;
    gg_partition_community **order = gg_calloc(ctx, r->n_items ? r->n_items : 1, sizeof *order);
    if (order == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < r->n_items; i++) {
        order[i] = &r->items[i];
        for (size_t k = 0; k < m->n; k++) {
            if (strcmp(m->items[k].community, r->items[i].code) != 0)
                continue;
            char why[512];
            snprintf(why, sizeof why, "%s%s%s", m->items[k].reason, r->items[i].reason ? "; " : "",
                     r->items[i].reason ? r->items[i].reason : "");
            gg_free(ctx, r->items[i].reason);
            r->items[i].reason = gg_strdup(ctx, why);
        }
    }
    qsort(order, r->n_items, sizeof *order, compare_moved);
    sqlite3_stmt *drop = NULL;
    gg_status st = gg_store_prepare(store, "DELETE FROM temp.grid WHERE plan = ?1 AND community = ?2", &drop);
    int64_t used = 0;
    for (size_t i = 0; i < r->n_items && st == GG_OK; i++) {
        gg_partition_community *it = order[i];
        if (it->households_moved >= 0 && used + it->households_moved <= r->budget) {
            used += it->households_moved;
            continue;
        }
        it->applied = 0;
        sqlite3_bind_int64(drop, 1, r->plan);
        sqlite3_bind_text(drop, 2, it->code, -1, SQLITE_STATIC);
        if (sqlite3_step(drop) != SQLITE_DONE)
            st = gg_store_sql_error(store, "leaving a community as it was");
        sqlite3_reset(drop);
    }
    sqlite3_finalize(drop);
    gg_free(ctx, order);
    r->households_moved = used;
    /* The plan takes from the base every community but those repaired and
     * those dropped. */
    size_t k = 0;
    for (size_t i = 0; i < r->n_items; i++)
        if (r->items[i].applied)
            exclude[k++] = r->items[i].code;
    for (size_t i = 0; i < m->n_dropped; i++)
        exclude[k++] = m->dropped[i];
    o->communities = exclude;
    o->n_communities = k;
    return st;
}

gg_status gg_partition(gg_ctx *ctx, gg_store *store, const gg_partition_options *opts,
                       gg_partition_report **out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || opts == NULL || out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_partition: NULL argument");
    *out = NULL;
    gg_partition_options o = *opts;
    if (o.maintain && o.from == 0)
        return gg_error(ctx, GG_ERR_ARG, "maintenance needs the plan to maintain (--from N)");
    if (o.maintain && (o.max_change < 0 || o.max_change > 1))
        return gg_error(ctx, GG_ERR_ARG, "the change budget is a share of the households from 0 to 100%%, got %g%%",
                        o.max_change * 100);
    if (o.maintain && o.max_change == 0)
        o.max_change = 0.05;
    if (o.maintain && o.urban_min == 0 && o.rural_min == 0) {
        /* The windows the plan was made with. */
        gg_plan_windows w;
        gg_status wst = gg_store_plan_windows(store, o.from, &w);
        if (wst != GG_OK)
            return wst;
        o.urban_min = w.urban_min, o.urban_max = w.urban_max;
        o.rural_min = w.rural_min, o.rural_max = w.rural_max;
        o.class122_rural = w.class122_rural, o.class123_rural = w.class123_rural;
    }
    defaults(&o);
    if (o.urban_min > o.urban_max || o.rural_min > o.rural_max || o.urban_min < 1 || o.rural_min < 1)
        return gg_error(ctx, GG_ERR_ARG, "a household window needs 1 <= MIN <= MAX (urban %d-%d, rural %d-%d)",
                        o.urban_min, o.urban_max, o.rural_min, o.rural_max);
    if (!store->writable)
        return gg_error(ctx, GG_ERR_ARG, "%s: opened read-only", store->path);
    char(*codes)[13] = NULL;
    size_t n = 0;
    gg_metric_cache cache = {.n = 0}; /* for the communities computed on this thread */
    int64_t stamp = 0;
    gg_status st = gg_store_changes(store, partition_inputs, N_INPUTS, &stamp);
    if (st == GG_OK && o.from != 0) {
        gg_plan_row base;
        st = gg_store_plan_row(store, o.from, &base);
    }
    pt_maintenance m;
    memset(&m, 0, sizeof m);
    const char **exclude = NULL; /* maintain: the communities the new plan does not take from the base */
    if (st == GG_OK && o.maintain) {
        st = pt_maintenance_find(ctx, store, &o, &m);
        exclude = st == GG_OK ? gg_calloc(ctx, m.n + m.n_dropped + 1, sizeof *exclude) : NULL;
        if (st == GG_OK && exclude == NULL)
            st = gg_error_nomem(ctx);
        for (size_t i = 0; st == GG_OK && i < m.n; i++)
            exclude[i] = m.items[i].community;
        o.communities = exclude;
        o.n_communities = m.n;
    }
    if (st == GG_OK && !(o.maintain && m.n == 0))
        st = list_communities(ctx, store, &o, &codes, &n);
    if (st == GG_OK && o.from != 0 && !o.maintain) {
        int64_t locked = 0;
        char first[24];
        st = gg_store_locked_grids(store, o.from, (const char(*)[13])codes, n, &locked, first, sizeof first);
        if (st == GG_OK && locked > 0)
            st = gg_error(ctx, GG_ERR_INVALID_INPUT,
                          "%s: plan %lld has %lld locked grid%s (%s%s) in the communities to partition: a partition "
                          "would redraw them; unlock them (govgrid edit unlock), leave their communities out, or "
                          "use --maintain, which leaves locked grids as they are",
                          store->path, (long long)o.from, (long long)locked, locked == 1 ? "" : "s", first,
                          locked > 1 ? ", ..." : "");
    }
    if (st != GG_OK) {
        gg_free(ctx, codes);
        gg_free(ctx, exclude);
        pt_maintenance_clear(ctx, &m);
        return st;
    }
    gg_partition_report *r = gg_calloc(ctx, 1, sizeof *r);
    if (r == NULL || (r->items = gg_calloc(ctx, n ? n : 1, sizeof *r->items)) == NULL) {
        gg_free(ctx, r);
        gg_free(ctx, codes);
        gg_free(ctx, exclude);
        pt_maintenance_clear(ctx, &m);
        return gg_error_nomem(ctx);
    }
    r->n_items = n;
    sqlite3_stmt *insert = NULL;
    st = gg_stage_create(store, partition_outputs, N_OUTPUTS);
    int staged = st == GG_OK;
    /* With one job the communities are read on this connection, all from
     * one snapshot; workers read on their own connections. */
    if (st == GG_OK)
        st = gg_store_begin_snapshot(store);
    if (st == GG_OK)
        st = create_plan(store, &o, &r->plan);
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "INSERT INTO grid(plan, code, type, community, name, households, persons,"
                              " area_m2, flags, geom, beidou) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                              &insert);
    int jobs = o.jobs > 1 ? (o.jobs < (int)n ? o.jobs : (int)n) : 1;
    community_result *results = NULL;
    plan_points points;
    memset(&points, 0, sizeof points);
    pool p;
    memset(&p, 0, sizeof p);
    pthread_t threads[64];
    int started = 0;
    if (st == GG_OK && jobs > 1) {
        if (jobs > 64)
            jobs = 64;
        results = gg_calloc(ctx, n, sizeof *results);
        p.done = gg_calloc(ctx, n, 1);
        if (results == NULL || p.done == NULL)
            st = gg_error_nomem(ctx);
        p = (pool){ctx, store->path, &o, codes, n, results, r, p.done, 0, PTHREAD_MUTEX_INITIALIZER,
                   PTHREAD_COND_INITIALIZER};
        for (int t = 0; st == GG_OK && t < jobs; t++) {
            if (pthread_create(&threads[t], NULL, pool_worker, &p) != 0)
                break;
            started++;
        }
        if (st == GG_OK && started == 0)
            st = gg_error(ctx, GG_ERR_INTERNAL, "cannot start partition threads");
    }
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        community_result local;
        memset(&local, 0, sizeof local);
        community_result *res = &local;
        if (started > 0) {
            pthread_mutex_lock(&p.mutex);
            while (!p.done[i])
                pthread_cond_wait(&p.finished, &p.mutex);
            pthread_mutex_unlock(&p.mutex);
            res = &results[i];
            if (res->status != GG_OK)
                st = gg_error(ctx, res->status, "%s", res->errmsg);
        } else {
            st = compute_one(ctx, store, &cache, &o, codes[i], res, &r->items[i]);
        }
        if (st == GG_OK)
            st = write_grids(store, codes[i], res, insert, r->plan);
        if (st == GG_OK)
            st = gather_points(ctx, &points, res);
        result_clear(ctx, res);
        if (st == GG_OK)
            st = gg_progress(ctx, "partition", i + 1, n);
    }
    if (started > 0) {
        pthread_mutex_lock(&p.mutex);
        p.next = n; /* no more work: stop early after a failure */
        pthread_mutex_unlock(&p.mutex);
        for (int t = 0; t < started; t++)
            pthread_join(threads[t], NULL);
        for (size_t i = 0; i < n; i++)
            result_clear(ctx, &results[i]);
    }
    gg_free(ctx, results);
    gg_free(ctx, p.done);
    sqlite3_finalize(insert);
    for (size_t i = 0; i < r->n_items; i++) {
        const gg_partition_community *it = &r->items[i];
        r->communities++;
        r->grids += it->grids;
        r->dedicated += it->dedicated;
        r->households += it->households;
        r->grids_in_range += it->grids_in_range;
        r->grids_out_of_range += it->grids_out_of_range;
        r->failed += it->problem != NULL;
    }
    if (st == GG_OK && r->failed > 0) {
        const gg_partition_community *first = NULL;
        for (size_t i = 0; i < r->n_items && first == NULL; i++)
            if (r->items[i].problem)
                first = &r->items[i];
        st = gg_error(ctx, GG_ERR_INVALID_INPUT, "%s%s; no plan was stored",
                      first->problem, r->failed > 1 ? " (and other communities failed)" : "");
    }
    if (st == GG_OK && o.maintain)
        st = keep_within_budget(ctx, store, &o, &m, r, exclude);
    size_t recounted = 0;
    if (st == GG_OK)
        st = recount_plan(ctx, store, &o, r, &points, &recounted);
    plan_points_free(ctx, &points);
    if (st == GG_OK) {
        r->grids_in_range = r->grids_out_of_range = 0;
        for (size_t i = 0; i < r->n_items; i++) {
            r->grids_in_range += r->items[i].grids_in_range;
            r->grids_out_of_range += r->items[i].grids_out_of_range;
        }
    }
    if (st == GG_OK)
        st = gg_store_commit(store); /* the snapshot ends; the staged plan stays */
    if (st == GG_OK)
        st = gg_store_begin_unchanged(store, partition_inputs, N_INPUTS, stamp, "the partition");
    if (st == GG_OK)
        st = store_plan(store, &o, &r->plan);
    if (st == GG_OK)
        st = gg_store_commit(store);
    if (st != GG_OK) {
        gg_store_rollback(store);
        r->plan = 0;
    }
    if (staged)
        gg_stage_drop(store, partition_outputs, N_OUTPUTS);
    if (st == GG_OK && recounted > 0)
        gg_log(ctx, GG_LOG_INFO, "plan %lld: %zu grid(s) recounted over the whole plan (points on the edge between"
               " communities)", (long long)r->plan, recounted);
    gg_metric_cache_clear(&cache);
    gg_free(ctx, codes);
    gg_free(ctx, exclude);
    pt_maintenance_clear(ctx, &m);
    *out = r;
    return st;
}

void gg_partition_report_free(gg_ctx *ctx, gg_partition_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->n_items; i++) {
        gg_free(ctx, report->items[i].problem);
        gg_free(ctx, report->items[i].reason);
    }
    gg_free(ctx, report->items);
    gg_free(ctx, report);
}
