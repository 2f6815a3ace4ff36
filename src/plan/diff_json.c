/* A plan difference as JSON (include/govgrid/plan.h, gg_plan_diff_json). */
#include "govgrid/plan.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

#include "core/ctx.h"

static json_t *communities_json(const gg_plan_diff *d)
{
    json_t *a = json_array();
    for (size_t i = 0; i < d->n_communities; i++) {
        const gg_community_change *c = &d->communities[i];
        json_array_append_new(
            a, json_pack("{s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "community", c->community, "grids_a",
                         (json_int_t)c->grids_a, "grids_b", (json_int_t)c->grids_b, "unchanged",
                         (json_int_t)c->unchanged, "reshaped", (json_int_t)c->reshaped, "added", (json_int_t)c->added,
                         "retired", (json_int_t)c->retired, "households", (json_int_t)c->households,
                         "households_moved", (json_int_t)c->households_moved));
    }
    return a;
}

gg_status gg_plan_diff_json(gg_ctx *ctx, const gg_plan_diff *d, int what, char **json)
{
    *json = NULL;
    if (d == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_plan_diff_json: NULL difference");
    int changes = what == GG_DIFF_JSON_CHANGES;
    json_t *o = json_pack("{s:I, s:I, s:{s:I, s:I, s:I, s:I}, s:{s:I, s:I, s:I, s:I, s:I, s:I}}", "a",
                          (json_int_t)d->a, "b", (json_int_t)d->b, "grids", "unchanged", (json_int_t)d->unchanged,
                          "reshaped", (json_int_t)d->reshaped, "added", (json_int_t)d->added, "retired",
                          (json_int_t)d->retired, "households", "points", (json_int_t)d->points, "total",
                          (json_int_t)d->households, "persons", (json_int_t)d->persons, "moved",
                          (json_int_t)d->households_moved, "outside_a", (json_int_t)d->households_outside_a,
                          "outside_b", (json_int_t)d->households_outside_b);
    if (o == NULL)
        return gg_error_nomem(ctx);
    if (what != GG_DIFF_JSON_SUMMARY) {
        json_t *grids = json_array();
        for (size_t i = 0; i < d->n_grids; i++) {
            const gg_grid_change *g = &d->grids[i];
            if (changes && g->kind == GG_GRID_UNCHANGED)
                continue;
            double area_a = changes ? round(g->area_a_m2 * 10) / 10 : g->area_a_m2;
            double area_b = changes ? round(g->area_b_m2 * 10) / 10 : g->area_b_m2;
            json_array_append_new(grids, json_pack("{s:s, s:s, s:s, s:f, s:f, s:I, s:I}", "code", g->code,
                                                   "community", g->community, "change",
                                                   gg_grid_change_name(g->kind), "area_a_m2", area_a, "area_b_m2",
                                                   area_b, "households_a", (json_int_t)g->households_a,
                                                   "households_b", (json_int_t)g->households_b));
        }
        json_object_set_new(o, "grid_changes", grids);
        json_t *moves = json_array();
        for (size_t i = 0; i < d->n_moves; i++) {
            const gg_household_move *m = &d->moves[i];
            if (changes && strcmp(m->from_code, m->to_code) == 0)
                continue;
            json_array_append_new(moves, json_pack("{s:o, s:o, s:I, s:I, s:I}", "from",
                                                   m->from_code[0] ? json_string(m->from_code) : json_null(), "to",
                                                   m->to_code[0] ? json_string(m->to_code) : json_null(), "points",
                                                   (json_int_t)m->points, "households", (json_int_t)m->households,
                                                   "persons", (json_int_t)m->persons));
        }
        json_object_set_new(o, "moves", moves);
    }
    json_object_set_new(o, "communities", communities_json(d));
    *json = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return *json != NULL ? GG_OK : gg_error_nomem(ctx);
}
