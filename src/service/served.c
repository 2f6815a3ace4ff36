/* The served plan: the locator, place index and dispatcher of the plan
 * the service answers from, and the thread that switches to a plan when
 * one is published, without a restart.
 *
 * A request takes a reference to the served plan when its route starts
 * and gives it back when the route returns; the writer does the same per
 * batch. A switch builds the new plan's objects first (on the watcher
 * thread, with a context and a read connection of its own, while the old
 * plan keeps answering), then swaps the pointer under served_lock; the old
 * plan is freed by whoever gives back its last reference. */
#include "service/service.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* How often the watcher looks for a newly published plan. */
#define WATCH_INTERVAL_MS 1000

void gg_served_free(gg_served_plan *p)
{
    if (p == NULL)
        return;
    gg_dispatcher_free(p->dispatcher);
    gg_search_free(p->search);
    gg_locator_free(p->loc);
    gg_ctx_free(p->ctx);
    free(p);
}

gg_status gg_served_build(gg_ctx *sctx, gg_store *store, int threads, int64_t plan, gg_served_plan **out, char *why,
                          size_t why_size)
{
    *out = NULL;
    gg_served_plan *p = calloc(1, sizeof *p);
    if (p == NULL || gg_ctx_new(&p->ctx) != GG_OK) {
        snprintf(why, why_size, "out of memory");
        free(p);
        return GG_ERR_NOMEM;
    }
    gg_locator_options lo;
    gg_locator_options_init(&lo);
    lo.threads = threads;
    lo.plan = plan;
    gg_status st = gg_locator_new(p->ctx, store, &lo, &p->loc);
    if (st == GG_OK)
        st = gg_dispatcher_new(p->ctx, p->loc, &p->dispatcher);
    if (st == GG_OK)
        st = gg_dispatcher_load_open(p->ctx, store, p->dispatcher);
    if (st == GG_OK)
        st = gg_search_new(p->ctx, store, p->loc, &p->search);
    int published = 0;
    int64_t active = 0;
    if (st == GG_OK)
        st = gg_plan_active(p->ctx, store, &active, &published);
    if (st != GG_OK) {
        /* The store records its own errors (no plan yet, say) in its
         * context, the rest in the plan's. */
        const char *msg = gg_ctx_errmsg(p->ctx);
        snprintf(why, why_size, "%s", msg[0] ? msg : gg_ctx_errmsg(sctx));
        gg_ctx_clear_error(sctx);
        gg_served_free(p);
        return st;
    }
    p->plan = gg_locator_plan(p->loc);
    p->published = published && active == p->plan;
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(p->since, sizeof p->since, "%Y-%m-%dT%H:%M:%SZ", &tm);
    *out = p;
    return GG_OK;
}

gg_served_plan *gg_served_get(gg_service *svc)
{
    pthread_mutex_lock(&svc->served_lock);
    gg_served_plan *p = svc->served;
    p->refs++;
    pthread_mutex_unlock(&svc->served_lock);
    return p;
}

void gg_served_put(gg_service *svc, gg_served_plan *p)
{
    if (p == NULL)
        return;
    pthread_mutex_lock(&svc->served_lock);
    int last = --p->refs == 0 && p != svc->served;
    pthread_mutex_unlock(&svc->served_lock);
    if (last)
        gg_served_free(p);
}

/* Makes p the served plan (the service holds one reference to it). */
static void swap_in(gg_service *svc, gg_served_plan *p)
{
    pthread_mutex_lock(&svc->served_lock);
    gg_served_plan *old = svc->served;
    p->refs = 1;
    svc->served = p;
    int last = old != NULL && --old->refs == 0;
    pthread_mutex_unlock(&svc->served_lock);
    __atomic_add_fetch(&svc->plan_switches, 1, __ATOMIC_RELAXED);
    if (last)
        gg_served_free(old);
}

void gg_served_set(gg_service *svc, gg_served_plan *p)
{
    pthread_mutex_lock(&svc->served_lock);
    p->refs = 1;
    svc->served = p;
    pthread_mutex_unlock(&svc->served_lock);
}

void gg_served_release_all(gg_service *svc)
{
    pthread_mutex_lock(&svc->served_lock);
    gg_served_plan *p = svc->served;
    svc->served = NULL;
    int last = p != NULL && --p->refs == 0;
    pthread_mutex_unlock(&svc->served_lock);
    if (last)
        gg_served_free(p);
}

/* Waits up to ms, or until the watcher is told to stop: 1 to go on. */
static int watch_wait(gg_service *svc, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&svc->watch_lock);
    while (!svc->watch_stopping) {
        if (pthread_cond_timedwait(&svc->watch_cond, &svc->watch_lock, &until) == ETIMEDOUT)
            break;
    }
    int go_on = !svc->watch_stopping;
    pthread_mutex_unlock(&svc->watch_lock);
    return go_on;
}

static void *watch(void *arg)
{
    gg_service *svc = arg;
    gg_ctx *ctx = NULL;
    gg_store *store = NULL;
    int64_t failed_plan = 0;
    if (gg_ctx_new(&ctx) != GG_OK)
        return NULL;
    while (watch_wait(svc, WATCH_INTERVAL_MS)) {
        if (store == NULL && gg_store_open(ctx, svc->o.project, 0, &store) != GG_OK) {
            gg_ctx_clear_error(ctx);
            continue;
        }
        int64_t active = 0;
        int published = 0;
        if (gg_plan_active(ctx, store, &active, &published) != GG_OK) {
            gg_ctx_clear_error(ctx);
            continue;
        }
        gg_served_plan *cur = gg_served_get(svc);
        int64_t serving = cur->plan;
        gg_served_put(svc, cur);
        /* Only a publication moves the service: drafts come and go. */
        if (!published || active == serving || active == failed_plan)
            continue;
        gg_served_plan *fresh = NULL;
        char why[512];
        if (gg_served_build(ctx, store, 1, active, &fresh, why, sizeof why) != GG_OK) {
            fprintf(stderr, "govgrid serve: plan %lld was published but cannot be served: %s; still serving plan %lld\n",
                    (long long)active, why, (long long)serving);
            failed_plan = active;
            continue;
        }
        const char *index_why = NULL;
        if (gg_locator_index_status(fresh->loc, &index_why) == GG_LOCATOR_INDEX_REFUSED && !svc->o.quiet)
            fprintf(stderr, "govgrid serve: warning: %s\n", index_why);
        swap_in(svc, fresh);
        failed_plan = 0;
        if (!svc->o.quiet)
            fprintf(stderr, "govgrid serve: plan %lld published: now serving it (%zu grids) instead of plan %lld\n",
                    (long long)fresh->plan, gg_locator_grid_count(fresh->loc), (long long)serving);
        gg_gridmap_cache_warm(svc);
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
    return NULL;
}

int gg_served_watch_start(gg_service *svc)
{
    pthread_mutex_init(&svc->watch_lock, NULL);
    pthread_cond_init(&svc->watch_cond, NULL);
    svc->watch_stopping = 0;
    svc->watching = pthread_create(&svc->watcher, NULL, watch, svc) == 0;
    return svc->watching;
}

void gg_served_watch_stop(gg_service *svc)
{
    if (!svc->watching)
        return;
    pthread_mutex_lock(&svc->watch_lock);
    svc->watch_stopping = 1;
    pthread_cond_broadcast(&svc->watch_cond);
    pthread_mutex_unlock(&svc->watch_lock);
    pthread_join(svc->watcher, NULL);
    svc->watching = 0;
}
