/* The lights of an incident's time limits (include/govgrid/incident.h):
 * each open stage green, yellow once its item's share of the stage's time
 * is used, red when overdue. */
#include <string.h>

#include "govgrid/incident.h"
#include "core/ctx.h"
#include "worktime/clock.h"

static const char *const light_names[] = {"none", "green", "yellow", "red"};

int gg_case_time_parse(const char *text, int64_t *t)
{
    return gg_clock_parse(text, t);
}

const char *gg_case_light_name(gg_case_light light)
{
    return (int)light >= 0 && light <= GG_LIGHT_RED ? light_names[light] : NULL;
}

gg_status gg_case_light_parse(gg_ctx *ctx, const char *name, gg_case_light *light)
{
    for (int i = 0; name != NULL && i <= GG_LIGHT_RED; i++)
        if (strcmp(name, light_names[i]) == 0) {
            *light = (gg_case_light)i;
            return GG_OK;
        }
    return gg_error(ctx, GG_ERR_ARG, "unknown light '%s' (expected none, green, yellow or red)", name ? name : "");
}

/* One stage from start to due at now. A stage whose start is unknown
 * (stored before the loop kept it) is yellow only by being overdue. */
static gg_case_light stage_light(int64_t start, int have_start, int64_t due, int64_t now, double warn_at)
{
    if (now > due)
        return GG_LIGHT_RED;
    if (have_start && due > start && (double)(now - start) >= warn_at * (double)(due - start))
        return GG_LIGHT_YELLOW;
    return GG_LIGHT_GREEN;
}

gg_case_light gg_case_light_at(const gg_case *c, int64_t now, const char **stage, int64_t *due)
{
    const char *which = "";
    int64_t when = 0, start = 0;
    gg_case_light light = GG_LIGHT_NONE;
    int have_start = gg_clock_parse(c->stage_started, &start);
    double warn = c->warn_at > 0 && c->warn_at <= 1 ? c->warn_at : GG_CASE_WARN_AT;
    int64_t t;
    if (c->state == GG_CASE_DISPATCHED && gg_clock_parse(c->reach_by, &t)) {
        light = stage_light(start, have_start, t, now, warn);
        which = "reach";
        when = t;
    }
    /* The handling runs from the dispatch, through the time in progress. */
    if ((c->state == GG_CASE_DISPATCHED || c->state == GG_CASE_IN_PROGRESS) && gg_clock_parse(c->deadline, &t)) {
        gg_case_light h = stage_light(start, have_start, t, now, warn);
        if (h > light || which[0] == '\0') {
            light = h;
            which = "handle";
            when = t;
        }
    }
    if ((c->state == GG_CASE_FED_BACK || c->state == GG_CASE_VERIFIED) && gg_clock_parse(c->close_by, &t)) {
        light = stage_light(start, have_start, t, now, warn);
        which = "close";
        when = t;
    }
    if (c->state == GG_CASE_SUSPENDED && gg_clock_parse(c->review_on, &t)) {
        light = now >= t ? GG_LIGHT_RED : GG_LIGHT_GREEN;
        which = "review";
        when = t;
    }
    if (stage != NULL)
        *stage = which;
    if (due != NULL)
        *due = when;
    return light;
}
