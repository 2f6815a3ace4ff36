/* Households counted into a stored plan's grids by the locator's own rule,
 * so that a grid's households, the report, the roster and locate agree on
 * which grid a building belongs to. Used for imported plans, whose files
 * carry no counts (or the bureau's own, which are compared). */
#include "core/ctx.h"
#include "store/plan.h"

#include <string.h>

#include "govgrid/locate.h"

typedef struct tally {
    const gg_locator *loc;
    int64_t *households, *persons;
    gg_plan_counts *counts;
} tally;

static int tally_point(void *user, const char *id, double lon, double lat, int64_t households, int64_t persons)
{
    (void)id;
    tally *t = user;
    t->counts->points++;
    int32_t g = gg_locator_find(t->loc, lon, lat, NULL);
    if (g < 0) {
        t->counts->points_outside++;
        t->counts->households_outside += households;
        return 0;
    }
    t->households[g] += households;
    t->persons[g] += persons;
    return 0;
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
    gg_locator_options lo;
    gg_locator_options_init(&lo);
    lo.plan = plan;
    gg_locator *loc = NULL;
    gg_status st = gg_locator_new(ctx, store, &lo, &loc);
    if (st != GG_OK)
        return st;
    size_t n = gg_locator_grid_count(loc);
    tally t = {loc, gg_calloc(ctx, n + 1, sizeof(int64_t)), gg_calloc(ctx, n + 1, sizeof(int64_t)), &counts};
    const char **codes = gg_calloc(ctx, n + 1, sizeof *codes);
    if (t.households == NULL || t.persons == NULL || codes == NULL)
        st = gg_error_nomem(ctx);
    if (st == GG_OK)
        st = gg_store_households_each(store, tally_point, &t);
    for (size_t i = 0; i < n && st == GG_OK; i++)
        codes[i] = gg_locator_grid(loc, (int32_t)i)->code;
    counts.grids = (int64_t)n;
    if (st == GG_OK)
        st = gg_store_set_grid_counts(store, gg_locator_plan(loc), n, codes, t.households, t.persons, only_missing,
                                      &counts.counted);
    if (st == GG_OK && only_missing) {
        gg_plan_grid *grids = NULL;
        size_t ng = 0;
        st = gg_store_plan_grids(store, gg_locator_plan(loc), &grids, &ng);
        for (size_t i = 0; i < ng && st == GG_OK; i++) {
            int32_t g = gg_locator_grid_by_code(loc, grids[i].code);
            counts.disagree += g >= 0 && grids[i].counted && grids[i].households != t.households[g];
        }
        gg_plan_grids_free(ctx, grids, ng);
    }
    gg_free(ctx, codes);
    gg_free(ctx, t.households);
    gg_free(ctx, t.persons);
    gg_locator_free(loc);
    if (st == GG_OK && out != NULL)
        *out = counts;
    return st;
}
