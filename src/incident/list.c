/* Lists of incidents with their lights: the dispatcher's list and the
 * supervision list (include/govgrid/incident.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctx.h"
#include "incident/case_private.h"
#include "worktime/clock.h"
#include "store/cases.h"

typedef struct listing {
    gg_ctx *ctx;
    const gg_case_filter *f;
    const gg_case_level *levels;
    size_t n_levels;
    int64_t now;
    size_t limit, count;
    int truncated;
    json_t *cases;
} listing;

static int take(const gg_case *c, void *arg)
{
    listing *l = arg;
    const char *stage = "";
    int64_t due = 0;
    gg_case_light light = gg_case_light_at(c, l->now, &stage, &due);
    const gg_case_filter *f = l->f;
    if (f->light != GG_LIGHT_NONE && light != f->light)
        return 1;
    int red = light == GG_LIGHT_RED;
    if (f->supervision && (!red || (f->level >= 0 && c->level + 1 != f->level)))
        return 1;
    if (l->count == l->limit) {
        l->truncated = 1;
        return 0;
    }
    json_t *o = gg_case_object(c);
    if (o == NULL)
        return gg_error_nomem(l->ctx), -1;
    char when[32] = "";
    if (due != 0)
        gg_clock_format(due, when, sizeof when);
    json_object_set_new(o, "light", json_string(gg_case_light_name(light)));
    json_object_set_new(o, "light_stage", stage[0] ? json_string(stage) : json_null());
    json_object_set_new(o, "due", when[0] ? json_string(when) : json_null());
    /* A red one is on the supervision list of the level above its own
     * (the last level supervises its own). */
    json_t *sup = json_null();
    if (red && l->n_levels > 0) {
        size_t up = (size_t)c->level + 1 < l->n_levels ? (size_t)c->level + 1 : l->n_levels - 1;
        sup = json_pack("{s:i, s:s}", "level", l->levels[up].level, "name", l->levels[up].name);
    }
    json_object_set_new(o, "supervised_by", sup);
    json_object_set_new(o, "lon", isfinite(c->lon) ? json_real(c->lon) : json_null());
    json_object_set_new(o, "lat", isfinite(c->lat) ? json_real(c->lat) : json_null());
    if (json_array_append_new(l->cases, o) != 0)
        return gg_error_nomem(l->ctx), -1;
    l->count++;
    return 1;
}

gg_status gg_case_list_json(gg_ctx *ctx, gg_store *store, const gg_case_filter *filter, char **json)
{
    if (json != NULL)
        *json = NULL;
    if (ctx == NULL || store == NULL || filter == NULL || json == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_list_json: NULL argument") : GG_ERR_ARG;
    gg_case_state state;
    if (filter->state != NULL && filter->state[0] != '\0' && strcmp(filter->state, "open") != 0 &&
        gg_case_state_parse(ctx, filter->state, &state) != GG_OK)
        return gg_error(ctx, GG_ERR_ARG, "unknown incident state '%s' (expected open or one of the states)",
                        filter->state);
    gg_case_level levels[GG_CASE_LEVELS_MAX];
    listing l = {ctx, filter, levels, 0, filter->now, filter->limit ? filter->limit : 1000, 0, 0, json_array()};
    if (l.now == 0)
        l.now = (int64_t)time(NULL);
    if (l.cases == NULL)
        return gg_error_nomem(ctx);
    gg_status st = gg_case_levels(ctx, store, levels, &l.n_levels);
    if (st == GG_OK)
        st = gg_store_case_list(store, filter, take, &l);
    char now[32];
    gg_clock_format(l.now, now, sizeof now);
    json_t *doc = st == GG_OK ? json_pack("{s:s, s:I, s:b, s:o}", "now", now, "count", (json_int_t)l.count,
                                          "truncated", l.truncated, "cases", l.cases)
                              : NULL;
    if (doc == NULL)
        json_decref(l.cases);
    if (st == GG_OK) {
        *json = doc ? json_dumps(doc, JSON_PRESERVE_ORDER | JSON_COMPACT | JSON_REAL_PRECISION(12)) : NULL;
        if (*json == NULL)
            st = gg_error_nomem(ctx);
    }
    json_decref(doc);
    return st;
}
