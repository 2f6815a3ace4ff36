/* The difference between two plans: codes added, retired, reshaped and
 * unchanged, and where every household point goes (govgrid/plan.h). Each
 * point is located in both plans by the locator's rule, so the table
 * agrees with locate, the grids' counts and check. */
#include "govgrid/plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "govgrid/locate.h"
#include "store/plan.h"
#include "store/versions.h"

const char *gg_grid_change_name(gg_grid_change_kind kind)
{
    switch (kind) {
    case GG_GRID_UNCHANGED: return "unchanged";
    case GG_GRID_RESHAPED: return "reshaped";
    case GG_GRID_ADDED: return "added";
    case GG_GRID_RETIRED: return "retired";
    }
    return "";
}

/* (grid in a, grid in b) -> households, in an open-addressing table keyed
 * by the pair (-1 for no grid). */
typedef struct pair_slot {
    int32_t ga, gb;             /* ga == INT32_MIN: empty */
    int64_t points, households, persons;
} pair_slot;

typedef struct walk {
    gg_ctx *ctx;
    const gg_locator *la, *lb;
    pair_slot *slots;
    size_t cap, used;
    int failed;
} walk;

static uint64_t pair_hash(int32_t ga, int32_t gb)
{
    uint64_t k = ((uint64_t)(uint32_t)ga << 32) | (uint32_t)gb;
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static pair_slot *slot_of(walk *w, int32_t ga, int32_t gb)
{
    if ((w->used + 1) * 2 > w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 1024;
        pair_slot *slots = gg_calloc(w->ctx, cap, sizeof *slots);
        if (slots == NULL)
            return NULL;
        for (size_t i = 0; i < cap; i++)
            slots[i].ga = INT32_MIN;
        for (size_t i = 0; i < w->cap; i++) {
            if (w->slots[i].ga == INT32_MIN)
                continue;
            size_t j = pair_hash(w->slots[i].ga, w->slots[i].gb) & (cap - 1);
            while (slots[j].ga != INT32_MIN)
                j = (j + 1) & (cap - 1);
            slots[j] = w->slots[i];
        }
        gg_free(w->ctx, w->slots);
        w->slots = slots;
        w->cap = cap;
    }
    size_t j = pair_hash(ga, gb) & (w->cap - 1);
    while (w->slots[j].ga != INT32_MIN && (w->slots[j].ga != ga || w->slots[j].gb != gb))
        j = (j + 1) & (w->cap - 1);
    if (w->slots[j].ga == INT32_MIN) {
        w->slots[j].ga = ga;
        w->slots[j].gb = gb;
        w->used++;
    }
    return &w->slots[j];
}

static int visit_point(void *user, const char *id, double lon, double lat, int64_t households, int64_t persons)
{
    (void)id;
    walk *w = user;
    pair_slot *s = slot_of(w, gg_locator_find(w->la, lon, lat, NULL), gg_locator_find(w->lb, lon, lat, NULL));
    if (s == NULL) {
        w->failed = 1;
        return 1;
    }
    s->points++;
    s->households += households;
    s->persons += persons;
    return 0;
}

static int compare_moves(const void *x, const void *y)
{
    const gg_household_move *a = x, *b = y;
    int c = strcmp(a->from_code, b->from_code);
    return c ? c : strcmp(a->to_code, b->to_code);
}

static int compare_changes(const void *x, const void *y)
{
    return strcmp(((const gg_grid_change *)x)->code, ((const gg_grid_change *)y)->code);
}

static gg_grid_change *change_by_code(gg_plan_diff *d, const char *code)
{
    gg_grid_change key;
    memset(&key, 0, sizeof key);
    snprintf(key.code, sizeof key.code, "%s", code);
    return bsearch(&key, d->grids, d->n_grids, sizeof *d->grids, compare_changes);
}

static gg_community_change *community_of(gg_ctx *ctx, gg_plan_diff *d, size_t *cap, const char *code)
{
    /* Few communities against many grids: a linear look from the last. */
    for (size_t i = d->n_communities; i > 0; i--)
        if (strcmp(d->communities[i - 1].community, code) == 0)
            return &d->communities[i - 1];
    if (gg_grow(ctx, (void **)&d->communities, cap, d->n_communities + 1, sizeof *d->communities) != GG_OK)
        return NULL;
    gg_community_change *c = &d->communities[d->n_communities++];
    memset(c, 0, sizeof *c);
    snprintf(c->community, sizeof c->community, "%s", code);
    return c;
}

static int compare_communities(const void *x, const void *y)
{
    return strcmp(((const gg_community_change *)x)->community, ((const gg_community_change *)y)->community);
}

static gg_status build(gg_ctx *ctx, gg_store *store, gg_plan_diff *d)
{
    gg_plan_row row;
    gg_status st = gg_store_plan_row(store, d->a, &row);
    if (st == GG_OK)
        st = gg_store_plan_row(store, d->b, &row);
    if (st != GG_OK)
        return st;

    /* The grids, by code. */
    gg_grid_pair *pairs = NULL;
    size_t np = 0;
    st = gg_store_grids_compare(store, d->a, d->b, &pairs, &np);
    if (st != GG_OK)
        return st;
    d->grids = gg_calloc(ctx, np ? np : 1, sizeof *d->grids);
    if (d->grids == NULL) {
        gg_free(ctx, pairs);
        return gg_error_nomem(ctx);
    }
    for (size_t i = 0; i < np; i++) {
        gg_grid_change *g = &d->grids[d->n_grids++];
        snprintf(g->code, sizeof g->code, "%s", pairs[i].code);
        snprintf(g->community, sizeof g->community, "%s", pairs[i].community);
        g->kind = !pairs[i].in_a         ? GG_GRID_ADDED
                  : !pairs[i].in_b       ? GG_GRID_RETIRED
                  : pairs[i].same_geom   ? GG_GRID_UNCHANGED
                                         : GG_GRID_RESHAPED;
        g->area_a_m2 = pairs[i].area_a_m2;
        g->area_b_m2 = pairs[i].area_b_m2;
    }
    gg_free(ctx, pairs);
    qsort(d->grids, d->n_grids, sizeof *d->grids, compare_changes);

    /* Every household point, located in both plans. */
    gg_locator *la = NULL, *lb = NULL;
    gg_locator_options lo;
    gg_locator_options_init(&lo);
    lo.plan = d->a;
    st = gg_locator_new(ctx, store, &lo, &la);
    lo.plan = d->b;
    if (st == GG_OK)
        st = gg_locator_new(ctx, store, &lo, &lb);
    walk w = {ctx, la, lb, NULL, 0, 0, 0};
    if (st == GG_OK) {
        st = gg_store_households_each(store, visit_point, &w);
        if (w.failed)
            st = gg_error_nomem(ctx);
    }
    if (st == GG_OK) {
        d->moves = gg_calloc(ctx, w.used ? w.used : 1, sizeof *d->moves);
        if (d->moves == NULL)
            st = gg_error_nomem(ctx);
    }
    for (size_t i = 0; st == GG_OK && i < w.cap; i++) {
        const pair_slot *s = &w.slots[i];
        if (s->ga == INT32_MIN)
            continue;
        gg_household_move *m = &d->moves[d->n_moves++];
        snprintf(m->from_code, sizeof m->from_code, "%s", s->ga >= 0 ? gg_locator_grid(la, s->ga)->code : "");
        snprintf(m->to_code, sizeof m->to_code, "%s", s->gb >= 0 ? gg_locator_grid(lb, s->gb)->code : "");
        m->points = s->points;
        m->households = s->households;
        m->persons = s->persons;
    }
    gg_free(ctx, w.slots);
    gg_locator_free(la);
    gg_locator_free(lb);
    if (st != GG_OK)
        return st;
    qsort(d->moves, d->n_moves, sizeof *d->moves, compare_moves);

    /* Totals, per grid and per community. */
    size_t cap = 0;
    for (size_t i = 0; i < d->n_grids && st == GG_OK; i++) {
        const gg_grid_change *g = &d->grids[i];
        gg_community_change *c = community_of(ctx, d, &cap, g->community);
        if (c == NULL) {
            st = gg_error_nomem(ctx);
            break;
        }
        c->grids_a += g->kind != GG_GRID_ADDED;
        c->grids_b += g->kind != GG_GRID_RETIRED;
        switch (g->kind) {
        case GG_GRID_UNCHANGED: c->unchanged++, d->unchanged++; break;
        case GG_GRID_RESHAPED: c->reshaped++, d->reshaped++; break;
        case GG_GRID_ADDED: c->added++, d->added++; break;
        case GG_GRID_RETIRED: c->retired++, d->retired++; break;
        }
    }
    if (st != GG_OK)
        return st;
    qsort(d->communities, d->n_communities, sizeof *d->communities, compare_communities);
    for (size_t i = 0; i < d->n_moves; i++) {
        const gg_household_move *m = &d->moves[i];
        d->points += m->points;
        d->households += m->households;
        d->persons += m->persons;
        int moved = strcmp(m->from_code, m->to_code) != 0;
        if (moved)
            d->households_moved += m->households;
        if (m->from_code[0] == '\0')
            d->households_outside_a += m->households;
        if (m->to_code[0] == '\0')
            d->households_outside_b += m->households;
        gg_grid_change *ga = m->from_code[0] ? change_by_code(d, m->from_code) : NULL;
        gg_grid_change *gb = m->to_code[0] ? change_by_code(d, m->to_code) : NULL;
        if (ga != NULL)
            ga->households_a += m->households;
        if (gb != NULL)
            gb->households_b += m->households;
        if (ga != NULL) {
            gg_community_change key;
            memset(&key, 0, sizeof key);
            snprintf(key.community, sizeof key.community, "%s", ga->community);
            gg_community_change *c = bsearch(&key, d->communities, d->n_communities, sizeof *d->communities,
                                             compare_communities);
            if (c != NULL) {
                c->households += m->households;
                if (moved)
                    c->households_moved += m->households;
            }
        }
    }
    return GG_OK;
}

gg_status gg_plan_diff_get(gg_ctx *ctx, gg_store *store, int64_t a, int64_t b, gg_plan_diff **out)
{
    if (ctx == NULL || store == NULL || out == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_plan_diff_get: NULL argument") : GG_ERR_ARG;
    *out = NULL;
    gg_plan_diff *d = gg_calloc(ctx, 1, sizeof *d);
    if (d == NULL)
        return gg_error_nomem(ctx);
    d->a = a;
    d->b = b;
    gg_status st = build(ctx, store, d);
    if (st != GG_OK) {
        gg_plan_diff_free(ctx, d);
        return st;
    }
    *out = d;
    return GG_OK;
}

void gg_plan_diff_free(gg_ctx *ctx, gg_plan_diff *diff)
{
    if (diff == NULL)
        return;
    gg_free(ctx, diff->grids);
    gg_free(ctx, diff->moves);
    gg_free(ctx, diff->communities);
    gg_free(ctx, diff);
}
