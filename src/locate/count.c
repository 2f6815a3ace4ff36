/* Households counted into a stored plan's grids by the locator's own rule,
 * so that a grid's households, the report, the roster and locate agree on
 * which grid a building belongs to: for imported plans (whose files carry
 * no counts, or the bureau's own, which are compared) and for a partition's
 * plan as a whole (a point on the edge between two communities belongs to
 * whichever grid the rule picks, not to its community's). */
#include "locate/count.h"
#include "store/store.h"
#include "store/plan.h"

#include <stdlib.h>
#include <string.h>

static int tally_point(void *user, const char *id, double lon, double lat, int64_t households, int64_t persons)
{
    gg_plan_tally *t = user;
    t->points++;
    int32_t g = gg_locator_find(t->loc, lon, lat, NULL);
    if (g < 0) {
        t->points_outside++;
        t->households_outside += households;
        return t->outside ? t->outside(t->user, id, lon, lat, households, persons) : 0;
    }
    t->households[g] += households;
    t->persons[g] += persons;
    t->held[g]++;
    return 0;
}

static gg_status tally_open(gg_ctx *ctx, gg_store *store, int64_t plan, int threads, gg_plan_tally *t)
{
    gg_locator_options lo;
    gg_locator_options_init(&lo);
    lo.plan = plan;
    lo.threads = threads;
    gg_status st = gg_locator_new(ctx, store, &lo, &t->loc);
    if (st != GG_OK)
        return st;
    size_t n = gg_locator_grid_count(t->loc);
    t->households = gg_calloc(ctx, n + 1, sizeof *t->households);
    t->persons = gg_calloc(ctx, n + 1, sizeof *t->persons);
    t->held = gg_calloc(ctx, n + 1, sizeof *t->held);
    if (t->households == NULL || t->persons == NULL || t->held == NULL)
        return gg_error_nomem(ctx);
    return GG_OK;
}

/* The communities some household point lies in (sorted, for bsearch):
 * the household layer covers them, so a grid there that holds no point
 * has 0 households, where elsewhere it has no known count. */
static gg_status covered_communities(gg_ctx *ctx, gg_store *store, char ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT DISTINCT community FROM household WHERE community IS NOT NULL"
                                    " ORDER BY community",
                                    &stmt);
    size_t cap = 0;
    int rc = SQLITE_DONE;
    while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out);
        const char *code = (const char *)sqlite3_column_text(stmt, 0);
        char *copy = st == GG_OK ? gg_malloc(ctx, strlen(code) + 1) : NULL;
        if (st == GG_OK && copy == NULL)
            st = gg_error_nomem(ctx);
        if (copy != NULL)
            (*out)[(*n)++] = strcpy(copy, code);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the communities of the household points");
    sqlite3_finalize(stmt);
    return st;
}

static int compare_code(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

gg_status gg_plan_tally_households(gg_ctx *ctx, gg_store *store, int64_t plan, int threads,
                                   gg_household_fn outside, void *user, gg_plan_tally *t)
{
    memset(t, 0, sizeof *t);
    t->outside = outside;
    t->user = user;
    gg_status st = tally_open(ctx, store, plan, threads, t);
    if (st == GG_OK)
        st = covered_communities(ctx, store, &t->covered, &t->n_covered);
    return st == GG_OK ? gg_store_households_each(store, tally_point, t) : st;
}

gg_status gg_plan_tally_points(gg_ctx *ctx, gg_store *store, int64_t plan, int threads, const double *x,
                               const double *y, const int64_t *households, const int64_t *persons, size_t n,
                               gg_plan_tally *t)
{
    memset(t, 0, sizeof *t);
    gg_status st = tally_open(ctx, store, plan, threads, t);
    int32_t *grid = st == GG_OK ? gg_malloc(ctx, (n ? n : 1) * sizeof *grid) : NULL;
    if (st == GG_OK && grid == NULL)
        st = gg_error_nomem(ctx);
    if (st != GG_OK)
        return st;
    gg_locator_find_many(t->loc, x, y, n, grid);
    for (size_t i = 0; i < n; i++) {
        t->points++;
        if (grid[i] < 0) {
            t->points_outside++;
            t->households_outside += households[i];
            continue;
        }
        t->households[grid[i]] += households[i];
        t->persons[grid[i]] += persons[i];
        t->held[grid[i]]++;
    }
    gg_free(ctx, grid);
    return GG_OK;
}

int gg_plan_tally_tells(const gg_plan_tally *t, int32_t i)
{
    if (t->held[i] > 0)
        return 1;
    const char *community = gg_locator_grid(t->loc, i)->community;
    return community[0] != '\0' && t->n_covered > 0 &&
           bsearch(&community, t->covered, t->n_covered, sizeof *t->covered, compare_code) != NULL;
}

void gg_plan_tally_clear(gg_ctx *ctx, gg_plan_tally *t)
{
    for (size_t i = 0; i < t->n_covered; i++)
        gg_free(ctx, t->covered[i]);
    gg_free(ctx, t->covered);
    gg_locator_free(t->loc);
    gg_free(ctx, t->households);
    gg_free(ctx, t->persons);
    gg_free(ctx, t->held);
    memset(t, 0, sizeof *t);
}

gg_status gg_plan_count_households(gg_ctx *ctx, gg_store *store, int64_t plan, int only_missing,
                                   gg_plan_counts *out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_plan_count_households: NULL store");
    gg_plan_counts counts;
    memset(&counts, 0, sizeof counts);
    gg_plan_tally t;
    gg_status st = gg_plan_tally_households(ctx, store, plan, 0, NULL, NULL, &t);
    size_t n = t.loc ? gg_locator_grid_count(t.loc) : 0;
    const char **codes = st == GG_OK ? gg_calloc(ctx, n + 1, sizeof *codes) : NULL;
    int64_t *households = st == GG_OK ? gg_calloc(ctx, n + 1, sizeof *households) : NULL;
    int64_t *persons = st == GG_OK ? gg_calloc(ctx, n + 1, sizeof *persons) : NULL;
    if (st == GG_OK && (codes == NULL || households == NULL || persons == NULL))
        st = gg_error_nomem(ctx);
    /* Only the grids the points say something about get a count: those
     * holding a point, and those of a community the household layer covers.
     * Elsewhere the households are unknown, and stay NULL rather than 0. */
    size_t m = 0;
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        if (!gg_plan_tally_tells(&t, (int32_t)i))
            continue;
        codes[m] = gg_locator_grid(t.loc, (int32_t)i)->code;
        households[m] = t.households[i];
        persons[m] = t.persons[i];
        m++;
    }
    counts.grids = (int64_t)n;
    counts.points = t.points;
    counts.points_outside = t.points_outside;
    counts.households_outside = t.households_outside;
    if (st == GG_OK && only_missing) {
        gg_plan_grid *grids = NULL;
        size_t ng = 0;
        st = gg_store_plan_grids(store, gg_locator_plan(t.loc), 0, &grids, &ng);
        for (size_t i = 0; i < ng && st == GG_OK; i++) {
            int32_t g = gg_locator_grid_by_code(t.loc, grids[i].code);
            counts.disagree += g >= 0 && grids[i].counted && gg_plan_tally_tells(&t, g) &&
                               grids[i].households != t.households[g];
        }
        gg_plan_grids_free(ctx, grids, ng);
    }
    if (st == GG_OK)
        st = gg_store_set_grid_counts(store, gg_locator_plan(t.loc), m, codes, households, persons, NULL,
                                      only_missing, &counts.counted);
    gg_free(ctx, codes);
    gg_free(ctx, households);
    gg_free(ctx, persons);
    gg_plan_tally_clear(ctx, &t);
    if (st == GG_OK && out != NULL)
        *out = counts;
    return st;
}
