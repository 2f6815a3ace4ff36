/* The dispatcher (include/govgrid/dispatch.h): which of a grid's workers
 * takes the next incident. The fewest open assignments among those on
 * duty, ties to the roster's order; nobody on duty: the leader. It reads
 * the roster the locator loaded, through the locator's public accessors. */
#include <string.h>

#include "core/ctx.h"
#include "govgrid/dispatch.h"
#include "store/cases.h"
#include "store/store.h"

struct gg_dispatcher {
    gg_ctx *ctx;
    const gg_locator *loc;
    const gg_roster_person *people; /* the locator's roster */
    size_t n_people;
    int64_t *open;              /* per person: assignments handed out */
    char **duty;                /* per person: duty hours (owned), NULL for always on duty */
    int64_t now;                /* the time duty hours are judged at; 0: not judged */
    const gg_calendar *cal;
};

gg_status gg_dispatcher_new(gg_ctx *ctx, const gg_locator *loc, gg_dispatcher **out)
{
    *out = NULL;
    gg_dispatcher *d = gg_calloc(ctx, 1, sizeof *d);
    if (d == NULL)
        return gg_error_nomem(ctx);
    d->ctx = ctx;
    d->loc = loc;
    d->people = gg_locator_people(loc, &d->n_people);
    d->open = gg_calloc(ctx, d->n_people ? d->n_people : 1, sizeof *d->open);
    if (d->open == NULL) {
        gg_free(ctx, d);
        return gg_error_nomem(ctx);
    }
    *out = d;
    return GG_OK;
}

void gg_dispatcher_free(gg_dispatcher *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; d->duty != NULL && i < d->n_people; i++)
        gg_free(d->ctx, d->duty[i]);
    gg_free(d->ctx, d->duty);
    gg_free(d->ctx, d->open);
    gg_free(d->ctx, d);
}

gg_status gg_dispatcher_set_duty(gg_dispatcher *d, const char *worker_id, const char *hours)
{
    if (d->duty == NULL && d->n_people > 0) {
        d->duty = gg_calloc(d->ctx, d->n_people, sizeof *d->duty);
        if (d->duty == NULL)
            return gg_error_nomem(d->ctx);
    }
    for (size_t i = 0; worker_id != NULL && i < d->n_people; i++)
        if (strcmp(d->people[i].id, worker_id) == 0) {
            char *copy = hours != NULL && hours[0] != '\0' ? gg_strdup(d->ctx, hours) : NULL;
            if (copy == NULL && hours != NULL && hours[0] != '\0')
                return gg_error_nomem(d->ctx);
            gg_free(d->ctx, d->duty[i]);
            d->duty[i] = copy;
        }
    return GG_OK;
}

void gg_dispatcher_set_time(gg_dispatcher *d, int64_t now, const gg_calendar *cal)
{
    d->now = now;
    d->cal = cal;
}

void gg_dispatcher_add_open(gg_dispatcher *d, const char *worker_id, int64_t n)
{
    for (size_t i = 0; worker_id != NULL && i < d->n_people; i++)
        if (strcmp(d->people[i].id, worker_id) == 0)
            d->open[i] += n;
}

/* Asks the processor to fetch what gg_dispatcher_pick reads for a grid,
 * a stage at a time, each once the one before has arrived: 0 the grid,
 * 1 its list of workers, 2 their counts. A hint: no answer changes. */
static void dispatcher_prefetch(const gg_dispatcher *d, int32_t grid, int stage)
{
    const gg_located_grid *g = gg_locator_grid(d->loc, grid);
    if (g == NULL)
        return;
    if (stage == 0) {
        __builtin_prefetch(g);
        return;
    }
    if (stage == 1) {
        __builtin_prefetch(g->workers);
        return;
    }
    for (int k = 0; k < g->n_workers && k < 8; k++)
        __builtin_prefetch(&d->open[g->workers[k] - d->people]);
}

const gg_roster_person *gg_dispatcher_pick(gg_dispatcher *d, int32_t grid, const gg_roster_person **leader)
{
    const gg_located_grid *g = gg_locator_grid(d->loc, grid);
    if (leader)
        *leader = g ? g->leader : NULL;
    if (g == NULL || g->n_workers == 0)
        return NULL;
    /* Fewest open assignments among those on duty; ties to the roster's
     * order, which makes a round robin while nothing is closed. Nobody on
     * duty: NULL, the leader takes it. */
    int best = -1;
    size_t best_i = 0;
    for (int k = 0; k < g->n_workers; k++) {
        size_t i = (size_t)(g->workers[k] - d->people);
        if (d->now != 0 && d->duty != NULL && d->duty[i] != NULL && !gg_duty_on(d->duty[i], d->now, d->cal))
            continue;
        if (best < 0 || d->open[i] < d->open[best_i]) {
            best = k;
            best_i = i;
        }
    }
    if (best < 0)
        return NULL;
    d->open[best_i]++;
    return g->workers[best];
}

static const gg_roster_person *pick_fn(void *self, int32_t grid, const gg_roster_person **leader)
{
    return gg_dispatcher_pick(self, grid, leader);
}

static void prefetch_fn(const void *self, int32_t grid, int stage)
{
    dispatcher_prefetch(self, grid, stage);
}

gg_worker_pick gg_dispatcher_as_pick(gg_dispatcher *d)
{
    gg_worker_pick p = {pick_fn, prefetch_fn, d};
    return p;
}

static void add_open(void *ud, const char *worker_id, int64_t n)
{
    gg_dispatcher_add_open(ud, worker_id, n);
}

gg_status gg_dispatcher_load_open(gg_ctx *ctx, gg_store *store, gg_dispatcher *d)
{
    gg_status st = gg_store_worker_open(store, add_open, d);
    if (st != GG_OK)
        return st;
    /* And who is on duty when. */
    char **ids = NULL, **hours = NULL;
    size_t n = 0;
    st = gg_store_worker_shifts(store, &ids, &hours, &n);
    for (size_t i = 0; i < n; i++) {
        if (st == GG_OK)
            st = gg_dispatcher_set_duty(d, ids[i], hours[i]);
        gg_free(ctx, ids[i]);
        gg_free(ctx, hours[i]);
    }
    gg_free(ctx, ids);
    gg_free(ctx, hours);
    return st;
}
