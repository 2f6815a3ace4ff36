/* Grouping populated units into comprehensive grids.
 *
 * Max-p-regions, the usual method, has a floor but no ceiling; here both
 * bound a grid. Per connected part of the community (islands are parts of
 * their own) the number of grids k is chosen so that the mean grid falls in
 * the window; regions are grown from a seed, each time adding the
 * unassigned neighbour that shares the most boundary (compact grids), up to
 * the share of households still to place; then a bounded repair moves
 * boundary units between neighbouring regions, merges regions below the
 * minimum and re-splits those above the maximum. Several sweeps from
 * different directions are tried (the seed rotates them) and the best kept:
 * fewest grids out of the window, then the least squared distance from
 * the target. Everything is deterministic for a given seed. */
#include "partition/partition.h"

#include <math.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif
#include <stdlib.h>
#include <string.h>

#define SWEEPS 6
#define REPAIR_PASSES 40
/* Boundary along a road or waterway counts for this much of boundary
 * inside a block when regions grow: grids take whole blocks first, and
 * their edges fall on roads and rivers. */
#define ACROSS_WEIGHT 0.05

typedef struct nb {
    int node;
    double length;
} nb;

typedef struct agg {
    pt_community *c;
    int n;                      /* nodes: populated comprehensive units */
    int *unit;                  /* node -> unit */
    int64_t *h, *p;
    double *x, *y;
    nb **adj;                   /* adjacency lists */
    int *n_adj, *cap_adj;
    int *comp;                  /* connected part */
    int *region, *best_region;
    int n_regions, best_n_regions;
    int *queue;
    unsigned *mark;             /* visited when equal to stamp */
    unsigned stamp;
    int *members;               /* scratch list of a region's nodes */
} agg;

static int add_nb(agg *a, int from, int to, double length)
{
    for (int i = 0; i < a->n_adj[from]; i++)
        if (a->adj[from][i].node == to) {
            a->adj[from][i].length += length;
            return 1;
        }
    if (a->n_adj[from] == a->cap_adj[from]) {
        int cap = a->cap_adj[from] ? a->cap_adj[from] * 2 : 8;
        nb *grown = gg_realloc(a->c->ctx, a->adj[from], (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        a->adj[from] = grown;
        a->cap_adj[from] = cap;
    }
    a->adj[from][a->n_adj[from]].node = to;
    a->adj[from][a->n_adj[from]++].length = length;
    return 1;
}

static void agg_free(agg *a)
{
    gg_ctx *ctx = a->c->ctx;
    for (int i = 0; a->adj && i < a->n; i++)
        gg_free(ctx, a->adj[i]);
    gg_free(ctx, a->adj);
    gg_free(ctx, a->n_adj);
    gg_free(ctx, a->cap_adj);
    gg_free(ctx, a->unit);
    gg_free(ctx, a->h);
    gg_free(ctx, a->p);
    gg_free(ctx, a->x);
    gg_free(ctx, a->y);
    gg_free(ctx, a->comp);
    gg_free(ctx, a->region);
    gg_free(ctx, a->best_region);
    gg_free(ctx, a->queue);
    gg_free(ctx, a->mark);
    gg_free(ctx, a->members);
}

static gg_status agg_init(agg *a, pt_community *c)
{
    memset(a, 0, sizeof *a);
    a->c = c;
    gg_ctx *ctx = c->ctx;
    int *node_of = gg_malloc(ctx, (c->n_units ? c->n_units : 1) * sizeof *node_of);
    if (node_of == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < c->n_units; i++) {
        const pt_unit *u = &c->units[i];
        node_of[i] = (u->owner == (int)i && u->dedicated_type == 0 && u->households > 0) ? a->n++ : -1;
    }
    size_t n = a->n ? (size_t)a->n : 1;
    a->unit = gg_malloc(ctx, n * sizeof *a->unit);
    a->h = gg_malloc(ctx, n * sizeof *a->h);
    a->p = gg_malloc(ctx, n * sizeof *a->p);
    a->x = gg_malloc(ctx, n * sizeof *a->x);
    a->y = gg_malloc(ctx, n * sizeof *a->y);
    a->adj = gg_calloc(ctx, n, sizeof *a->adj);
    a->n_adj = gg_calloc(ctx, n, sizeof *a->n_adj);
    a->cap_adj = gg_calloc(ctx, n, sizeof *a->cap_adj);
    a->comp = gg_malloc(ctx, n * sizeof *a->comp);
    a->region = gg_malloc(ctx, n * sizeof *a->region);
    a->best_region = gg_malloc(ctx, n * sizeof *a->best_region);
    a->queue = gg_malloc(ctx, n * sizeof *a->queue);
    a->mark = gg_calloc(ctx, n, sizeof *a->mark);
    a->members = gg_malloc(ctx, n * sizeof *a->members);
    if (!a->unit || !a->h || !a->p || !a->x || !a->y || !a->adj || !a->n_adj || !a->cap_adj || !a->comp ||
        !a->region || !a->best_region || !a->queue || !a->mark || !a->members) {
        gg_free(ctx, node_of);
        return gg_error_nomem(ctx);
    }
    for (size_t i = 0; i < c->n_units; i++) {
        int k = node_of[i];
        if (k < 0)
            continue;
        a->unit[k] = (int)i;
        a->h[k] = c->units[i].households;
        a->p[k] = c->units[i].persons;
        a->x[k] = c->units[i].rx;
        a->y[k] = c->units[i].ry;
    }
    /* Unpopulated units count as part of their owner: adjacency goes through them. */
    for (size_t e = 0; e < c->n_edges; e++) {
        int oa = c->units[c->edges[e].a].owner, ob = c->units[c->edges[e].b].owner;
        if (oa < 0 || ob < 0 || oa == ob)
            continue;
        int na = node_of[oa], nb_ = node_of[ob];
        if (na < 0 || nb_ < 0)
            continue;
        double weight = c->edges[e].length * (c->edges[e].across ? ACROSS_WEIGHT : 1.0);
        if (!add_nb(a, na, nb_, weight) || !add_nb(a, nb_, na, weight)) {
            gg_free(ctx, node_of);
            return gg_error_nomem(ctx);
        }
    }
    gg_free(ctx, node_of);
    return GG_OK;
}

/* Connected parts; returns their number. */
static int find_components(agg *a)
{
    for (int i = 0; i < a->n; i++)
        a->comp[i] = -1;
    int ncomp = 0;
    for (int s = 0; s < a->n; s++) {
        if (a->comp[s] >= 0)
            continue;
        int head = 0, tail = 0;
        a->queue[tail++] = s;
        a->comp[s] = ncomp;
        while (head < tail) {
            int v = a->queue[head++];
            for (int k = 0; k < a->n_adj[v]; k++) {
                int w = a->adj[v][k].node;
                if (a->comp[w] < 0) {
                    a->comp[w] = ncomp;
                    a->queue[tail++] = w;
                }
            }
        }
        ncomp++;
    }
    return ncomp;
}

/* Is region r still connected without node skip (-1: none)? */
static int connected_without(agg *a, int r, int skip)
{
    int start = -1, size = 0;
    for (int i = 0; i < a->n; i++)
        if (a->region[i] == r && i != skip) {
            size++;
            if (start < 0)
                start = i;
        }
    if (size <= 1)
        return 1;
    unsigned stamp = ++a->stamp;
    int head = 0, tail = 0;
    a->queue[tail++] = start;
    a->mark[start] = stamp;
    while (head < tail) {
        int v = a->queue[head++];
        for (int k = 0; k < a->n_adj[v]; k++) {
            int w = a->adj[v][k].node;
            if (a->mark[w] != stamp && w != skip && a->region[w] == r) {
                a->mark[w] = stamp;
                a->queue[tail++] = w;
            }
        }
    }
    return tail == size;
}

/* The node where a sweep in direction angle starts: the first along it. */
static int pick_seed(const agg *a, int comp, double angle)
{
    double dx = cos(angle), dy = sin(angle);
    int best = -1;
    double best_v = INFINITY;
    for (int i = 0; i < a->n; i++) {
        if (a->comp[i] != comp || a->region[i] >= 0)
            continue;
        double v = a->x[i] * dx + a->y[i] * dy;
        if (v < best_v) {
            best_v = v;
            best = i;
        }
    }
    return best;
}

/* Grows k regions over part comp (its nodes have region -1). */
static void grow(agg *a, int comp, int k, double angle, const pt_window *w)
{
    for (int r = 0; r < k; r++) {
        int64_t rest = 0;
        for (int i = 0; i < a->n; i++)
            if (a->comp[i] == comp && a->region[i] < 0)
                rest += a->h[i];
        if (rest == 0)
            break;
        int id = a->n_regions++;
        double goal = (double)rest / (double)(k - r);
        int seed = pick_seed(a, comp, angle);
        a->region[seed] = id;
        int64_t sum = a->h[seed];
        int n_members = 0;
        a->members[n_members++] = seed;
        for (;;) {
            int best = -1;
            double best_len = -1;
            for (int m = 0; m < n_members; m++) {
                int i = a->members[m];
                for (int q = 0; q < a->n_adj[i]; q++) {
                    int v = a->adj[i][q].node;
                    if (a->region[v] >= 0)
                        continue;
                    if (sum + a->h[v] > w->max && sum >= w->min)
                        continue;
                    if (a->adj[i][q].length > best_len) {
                        best_len = a->adj[i][q].length;
                        best = v;
                    }
                }
            }
            if (best < 0)
                break;
            double after = (double)(sum + a->h[best]);
            if (sum >= goal || (after > goal && after - goal >= goal - (double)sum && sum >= w->min))
                break;
            a->region[best] = id;
            a->members[n_members++] = best;
            sum += a->h[best];
        }
    }
}

static double shared_with(const agg *a, int v, int r)
{
    double len = 0;
    for (int q = 0; q < a->n_adj[v]; q++)
        if (a->region[a->adj[v][q].node] == r)
            len += a->adj[v][q].length;
    return len;
}

/* Repair: moves of boundary nodes and merges, bounded in passes. Region
 * sums are kept up to date as nodes move. */
typedef struct candidate {
    int node, to;
    double score;
} candidate;

static int compare_candidates(const void *x, const void *y)
{
    const candidate *p = x, *q = y;
    if (p->score != q->score)
        return p->score < q->score ? -1 : 1;
    if (p->node != q->node)
        return p->node - q->node;
    return p->to - q->to;
}

/* How far a region of h households is from where it should be: distance
 * outside the window weighs a thousand times distance from the target
 * inside it. A move is made only if it lowers the sum over the two regions
 * it touches, so repairs cannot cycle. */
static double penalty(int64_t h, const pt_window *w)
{
    double outside = h < w->min ? (double)(w->min - h) : h > w->max ? (double)(h - w->max) : 0.0;
    return outside * 1000.0 + fabs((double)h - w->target);
}

static void repair(agg *a, const pt_window *w)
{
    candidate *cand = NULL;
    size_t cap_cand = 0;
    int64_t *rsum = gg_calloc(a->c->ctx, (size_t)(a->n_regions > 0 ? a->n_regions : 1), sizeof *rsum);
    if (rsum == NULL)
        return; /* a repair is an improvement: without memory, none */
    for (int i = 0; i < a->n; i++)
        if (a->region[i] >= 0)
            rsum[a->region[i]] += a->h[i];
    for (int pass = 0; pass < REPAIR_PASSES; pass++) {
        int changed = 0;
        for (int r = 0; r < a->n_regions; r++) {
            int64_t hr = rsum[r];
            if (hr == 0 || (hr >= w->min && hr <= w->max))
                continue;
            /* Candidate moves: a node of r to a neighbouring region (r too
             * big), or a node of a neighbouring region into r (r too small),
             * best first; the first that leaves its region connected wins. */
            size_t n_cand = 0;
            for (int v = 0; v < a->n; v++) {
                int from = a->region[v];
                if (hr > w->max && from != r)
                    continue;
                if (hr < w->min && from == r)
                    continue;
                for (int q = 0; q < a->n_adj[v]; q++) {
                    int to = a->region[a->adj[v][q].node];
                    if (to == from || (hr < w->min && to != r))
                        continue;
                    int64_t hf = rsum[from] - a->h[v], ht = rsum[to] + a->h[v];
                    if (hf <= 0 || ht > w->max || hf < w->min)
                        continue;
                    double gain = penalty(rsum[from], w) + penalty(rsum[to], w) - penalty(hf, w) - penalty(ht, w);
                    if (gain <= 0)
                        continue;
                    if (n_cand == cap_cand) {
                        size_t cap = cap_cand ? cap_cand * 2 : 64;
                        candidate *grown = gg_realloc(a->c->ctx, cand, cap * sizeof *grown);
                        if (grown == NULL)
                            break;
                        cand = grown;
                        cap_cand = cap;
                    }
                    cand[n_cand].node = v;
                    cand[n_cand].to = to;
                    cand[n_cand++].score = -gain - shared_with(a, v, to) * 1e-3;
                }
            }
            if (n_cand > 1)
                qsort(cand, n_cand, sizeof *cand, compare_candidates);
            int best_v = -1, best_to = -1;
            for (size_t k = 0; k < n_cand && best_v < 0; k++)
                if (connected_without(a, a->region[cand[k].node], cand[k].node)) {
                    best_v = cand[k].node;
                    best_to = cand[k].to;
                }
            if (best_v >= 0) {
                rsum[a->region[best_v]] -= a->h[best_v];
                rsum[best_to] += a->h[best_v];
                a->region[best_v] = best_to;
                changed = 1;
                continue;
            }
            if (hr < w->min) {
                /* Merge into the neighbour sharing most boundary that has room. */
                int best_s = -1;
                double best_len = 0;
                for (int v = 0; v < a->n; v++) {
                    if (a->region[v] != r)
                        continue;
                    for (int q = 0; q < a->n_adj[v]; q++) {
                        int s = a->region[a->adj[v][q].node];
                        if (s == r || rsum[s] + hr > w->max)
                            continue;
                        if (a->adj[v][q].length > best_len) {
                            best_len = a->adj[v][q].length;
                            best_s = s;
                        }
                    }
                }
                if (best_s >= 0) {
                    for (int v = 0; v < a->n; v++)
                        if (a->region[v] == r)
                            a->region[v] = best_s;
                    rsum[best_s] += hr;
                    rsum[r] = 0;
                    changed = 1;
                }
            }
        }
        if (!changed)
            break;
    }
    gg_free(a->c->ctx, rsum);
    gg_free(a->c->ctx, cand);
}

/* Tabu search (the AZP-tabu of Openshaw and Rao, with a ceiling): each
 * step makes the best admissible move of one boundary node into a
 * neighbouring region, even a worsening one, so that chains of moves
 * across full regions become reachable; a node just moved may not move
 * again for a few steps unless that beats the best state seen. The best
 * state seen is kept. It stops when every region is in the window, when
 * no move is admissible or after a bounded number of steps. */
static double objective(const int64_t *rsum, int n_regions, int first, const pt_window *w, int *n_out)
{
    double f = 0;
    int out = 0;
    for (int r = first; r < n_regions; r++) {
        if (rsum[r] == 0)
            continue;
        if (rsum[r] < w->min || rsum[r] > w->max)
            out++;
        f += penalty(rsum[r], w);
    }
    *n_out = out;
    return f;
}

static void tabu(agg *a, int comp, int first, const pt_window *w)
{
    gg_ctx *ctx = a->c->ctx;
    int nr = a->n_regions;
    int64_t *rsum = gg_calloc(ctx, (size_t)(nr > 0 ? nr : 1), sizeof *rsum);
    int *until = gg_calloc(ctx, (size_t)(a->n > 0 ? a->n : 1), sizeof *until);
    int *saved = gg_malloc(ctx, (size_t)(a->n > 0 ? a->n : 1) * sizeof *saved);
    candidate *cand = NULL;
    size_t cap_cand = 0;
    if (rsum == NULL || until == NULL || saved == NULL)
        goto done;
    int n_nodes = 0;
    for (int i = 0; i < a->n; i++)
        if (a->comp[i] == comp && a->region[i] >= first) {
            rsum[a->region[i]] += a->h[i];
            n_nodes++;
        }
    int out;
    double f = objective(rsum, nr, first, w, &out), best_f = f;
    for (int i = 0; i < a->n; i++)
        saved[i] = a->region[i];
    int tenure = n_nodes / 4 < 3 ? 3 : n_nodes / 4 > 12 ? 12 : n_nodes / 4;
    int steps = 200 + 20 * n_nodes;
    if (steps > 4000)
        steps = 4000;
    for (int step = 1; step <= steps && out > 0; step++) {
        size_t n_cand = 0;
        for (int v = 0; v < a->n; v++) {
            int from = a->region[v];
            if (a->comp[v] != comp || from < first)
                continue;
            for (int q = 0; q < a->n_adj[v]; q++) {
                int to = a->region[a->adj[v][q].node];
                if (to == from || to < first)
                    continue;
                int dup = 0;
                for (int e = 0; e < q && !dup; e++)
                    dup = a->region[a->adj[v][e].node] == to;
                if (dup)
                    continue;
                int64_t hf = rsum[from] - a->h[v], ht = rsum[to] + a->h[v];
                double delta = (hf > 0 ? penalty(hf, w) : 0.0) + penalty(ht, w) - penalty(rsum[from], w) -
                               penalty(rsum[to], w);
                if (until[v] >= step && f + delta >= best_f)
                    continue; /* tabu, and no aspiration */
                if (n_cand == cap_cand) {
                    size_t cap = cap_cand ? cap_cand * 2 : 64;
                    candidate *grown = gg_realloc(ctx, cand, cap * sizeof *grown);
                    if (grown == NULL)
                        goto done;
                    cand = grown;
                    cap_cand = cap;
                }
                cand[n_cand].node = v;
                cand[n_cand].to = to;
                cand[n_cand++].score = delta - (shared_with(a, v, to) - shared_with(a, v, from)) * 1e-3;
            }
        }
        /* The best candidate first; a sort of all of them at every step
         * would cost more than the rare rejections it saves. */
        int moved = 0;
        for (size_t tries = 0; tries < n_cand && !moved; tries++) {
            size_t k = 0;
            for (size_t j = 1; j < n_cand; j++)
                if (compare_candidates(&cand[j], &cand[k]) < 0)
                    k = j;
            if (cand[k].score == INFINITY)
                break;
            int v = cand[k].node, from = a->region[v], to = cand[k].to;
            if (!connected_without(a, from, v)) {
                cand[k].score = INFINITY;
                continue;
            }
            rsum[from] -= a->h[v];
            rsum[to] += a->h[v];
            a->region[v] = to;
            until[v] = step + tenure;
            moved = 1;
        }
        if (!moved)
            break;
        f = objective(rsum, nr, first, w, &out);
        if (f < best_f) {
            best_f = f;
            for (int i = 0; i < a->n; i++)
                saved[i] = a->region[i];
        }
    }
    for (int i = 0; i < a->n; i++)
        a->region[i] = saved[i];
done:
    gg_free(ctx, cand);
    gg_free(ctx, saved);
    gg_free(ctx, until);
    gg_free(ctx, rsum);
}

/* Renumbers regions densely (after merges left gaps). */
static void compact_regions(agg *a, int first)
{
    int *map = gg_malloc(a->c->ctx, (size_t)(a->n_regions > 0 ? a->n_regions : 1) * sizeof *map);
    if (map == NULL)
        return;
    for (int r = 0; r < a->n_regions; r++)
        map[r] = -1;
    int next = first;
    for (int i = 0; i < a->n; i++) {
        int r = a->region[i];
        if (r < first)
            continue;
        if (map[r] < 0)
            map[r] = next++;
        a->region[i] = map[r];
    }
    a->n_regions = next;
    gg_free(a->c->ctx, map);
}

/* Quality of the regions of part comp from index first: out of window
 * count dominates, then squared distance from the target. */
static double score_part(agg *a, int comp, int first, const pt_window *w)
{
    double score = 0;
    for (int r = first; r < a->n_regions; r++) {
        int64_t s = 0;
        int any = 0;
        for (int i = 0; i < a->n; i++)
            if (a->comp[i] == comp && a->region[i] == r) {
                s += a->h[i];
                any = 1;
            }
        if (!any)
            continue;
        if (s < w->min || s > w->max)
            score += 1e12;
        score += ((double)s - w->target) * ((double)s - w->target);
    }
    return score;
}

/* Nodes of part comp that no region reached become regions of their own,
 * one per connected piece. */
static void claim_leftovers(agg *a, int comp)
{
    for (int s = 0; s < a->n; s++) {
        if (a->comp[s] != comp || a->region[s] >= 0)
            continue;
        int id = a->n_regions++;
        int head = 0, tail = 0;
        a->queue[tail++] = s;
        a->region[s] = id;
        while (head < tail) {
            int v = a->queue[head++];
            for (int q = 0; q < a->n_adj[v]; q++) {
                int u = a->adj[v][q].node;
                if (a->comp[u] == comp && a->region[u] < 0) {
                    a->region[u] = id;
                    a->queue[tail++] = u;
                }
            }
        }
    }
}

/* A region in several pieces keeps its first piece; each other piece
 * becomes a region of its own. */
static void split_disconnected(agg *a, int first)
{
    int n_before = a->n_regions;
    unsigned stamp = ++a->stamp;
    for (int r = first; r < n_before; r++) {
        int pieces = 0;
        for (int s = 0; s < a->n; s++) {
            if (a->region[s] != r || a->mark[s] == stamp)
                continue;
            int id = pieces++ == 0 ? r : a->n_regions++;
            int head = 0, tail = 0;
            a->queue[tail++] = s;
            a->mark[s] = stamp;
            while (head < tail) {
                int v = a->queue[head++];
                a->region[v] = id;
                for (int q = 0; q < a->n_adj[v]; q++) {
                    int u = a->adj[v][q].node;
                    if (a->mark[u] != stamp && a->region[u] == r) {
                        a->mark[u] = stamp;
                        a->queue[tail++] = u;
                    }
                }
            }
        }
    }
}

/* Regions above the maximum that hold several units are grown again
 * inside themselves. */
static void resplit_large(agg *a, int first, int tmp_comp, double angle, const pt_window *w)
{
    int n_before = a->n_regions;
    for (int r = first; r < n_before; r++) {
        int64_t h = 0;
        int count = 0;
        for (int i = 0; i < a->n; i++)
            if (a->region[i] == r) {
                h += a->h[i];
                count++;
            }
        if (h <= w->max || count < 2)
            continue;
        int64_t k = llround((double)h / w->target);
        int64_t kmin = (h + w->max - 1) / w->max, kmax = h / w->min;
        if (k < kmin)
            k = kmin;
        if (k > kmax)
            k = kmax;
        if (k < 2)
            k = 2;
        int *saved = gg_malloc(a->c->ctx, (size_t)a->n * sizeof *saved);
        if (saved == NULL)
            return;
        for (int i = 0; i < a->n; i++) {
            saved[i] = a->comp[i];
            if (a->region[i] == r) {
                a->comp[i] = tmp_comp;
                a->region[i] = -1;
            }
        }
        grow(a, tmp_comp, (int)k, angle, w);
        claim_leftovers(a, tmp_comp);
        for (int i = 0; i < a->n; i++)
            a->comp[i] = saved[i];
        gg_free(a->c->ctx, saved);
    }
}

/* Pieces below the minimum that no repair could fill join a neighbour
 * whatever its size: a grid must be contiguous more than it must be in its
 * window. The neighbour that stays smallest is preferred, then the one
 * sharing most boundary. */
static int merge_small(agg *a, int first, const pt_window *w)
{
    int merged = 0;
    int64_t *rsum = gg_calloc(a->c->ctx, (size_t)(a->n_regions > 0 ? a->n_regions : 1), sizeof *rsum);
    if (rsum == NULL)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->region[i] >= 0)
            rsum[a->region[i]] += a->h[i];
    for (int r = first; r < a->n_regions; r++) {
        if (rsum[r] == 0 || rsum[r] >= w->min)
            continue;
        int best = -1;
        double best_key = INFINITY;
        for (int v = 0; v < a->n; v++) {
            if (a->region[v] != r)
                continue;
            for (int q = 0; q < a->n_adj[v]; q++) {
                int s = a->region[a->adj[v][q].node];
                if (s == r || s < first)
                    continue;
                double key = (double)(rsum[s] + rsum[r]) - a->adj[v][q].length * 1e-6;
                if (key < best_key) {
                    best_key = key;
                    best = s;
                }
            }
        }
        if (best < 0)
            continue;
        for (int v = 0; v < a->n; v++)
            if (a->region[v] == r)
                a->region[v] = best;
        rsum[best] += rsum[r];
        rsum[r] = 0;
        merged = 1;
    }
    gg_free(a->c->ctx, rsum);
    return merged;
}

/* Any region of the part outside the window? */
static int out_of_window(const agg *a, int first, const pt_window *w)
{
    for (int r = first; r < a->n_regions; r++) {
        int64_t h = 0;
        int count = 0;
        for (int i = 0; i < a->n; i++)
            if (a->region[i] == r) {
                h += a->h[i];
                count++;
            }
        if (count > 0 && (h < w->min || (h > w->max && count > 1)))
            return 1;
    }
    return 0;
}

/* One try at part comp: k regions grown from direction angle, then
 * repaired. Keeps it in best_region when it scores better than *best. */
static void try_part(agg *a, int comp, int64_t k, double angle, const pt_window *w, int tmp_comp, int first,
                     int use_tabu, double *best, int *best_n)
{
    for (int i = 0; i < a->n; i++)
        if (a->comp[i] == comp)
            a->region[i] = -1;
    a->n_regions = first;
    grow(a, comp, (int)k, angle, w);
    claim_leftovers(a, comp);
    if (use_tabu) {
        split_disconnected(a, first);
        tabu(a, comp, first, w);
        compact_regions(a, first);
    }
    for (int round = 0; round < 4; round++) {
        split_disconnected(a, first);
        resplit_large(a, first, tmp_comp, angle, w);
        split_disconnected(a, first);
        repair(a, w);
        split_disconnected(a, first);
        int merged = merge_small(a, first, w);
        compact_regions(a, first);
        if (!merged || !out_of_window(a, first, w))
            break;
    }
    double score = score_part(a, comp, first, w);
    if (score < *best) {
        *best = score;
        *best_n = a->n_regions;
        for (int i = 0; i < a->n; i++)
            if (a->comp[i] == comp)
                a->best_region[i] = a->region[i];
    }
}

static void partition_part(agg *a, int comp, int64_t total, const pt_window *w, uint64_t seed, int tmp_comp)
{
    int64_t kmin = (total + w->max - 1) / w->max;
    int64_t kmax = total / w->min;
    int64_t k = llround((double)total / w->target);
    if (k < kmin)
        k = kmin;
    if (k > kmax)
        k = kmax;
    if (k < 1)
        k = 1;
    int first = a->n_regions;
    double best = INFINITY;
    int best_n = first;
    for (int sweep = 0; sweep < SWEEPS; sweep++) {
        double angle = (double)((seed + (uint64_t)sweep * 60) % 360) * M_PI / 180.0;
        try_part(a, comp, k, angle, w, tmp_comp, first, 0, &best, &best_n);
    }
    /* Still a grid out of the window that is not one indivisible unit: a
     * bounded second round adds a tabu search to each try, from the same
     * directions and those in between, and with one grid more and one
     * fewer. */
    for (int i = 0; i < a->n; i++)
        if (a->comp[i] == comp)
            a->region[i] = a->best_region[i];
    a->n_regions = best_n;
    if (out_of_window(a, first, w)) {
        for (int sweep = 0; sweep < 2 * SWEEPS; sweep++) {
            double angle = (double)((seed + 30 * (uint64_t)sweep) % 360) * M_PI / 180.0;
            try_part(a, comp, k, angle, w, tmp_comp, first, 1, &best, &best_n);
        }
        for (int64_t dk = -1; dk <= 1; dk += 2) {
            int64_t kk = k + dk;
            if (kk < 1 || kk < kmin - 1 || kk > kmax + 1 || kk > a->n)
                continue;
            for (int sweep = 0; sweep < SWEEPS; sweep++) {
                double angle = (double)((seed + (uint64_t)sweep * 60) % 360) * M_PI / 180.0;
                try_part(a, comp, kk, angle, w, tmp_comp, first, 1, &best, &best_n);
            }
        }
    }
    for (int i = 0; i < a->n; i++)
        if (a->comp[i] == comp)
            a->region[i] = a->best_region[i];
    a->n_regions = best_n;
}

gg_status pt_aggregate(pt_community *c)
{
    agg a;
    gg_status st = agg_init(&a, c);
    if (st != GG_OK) {
        agg_free(&a);
        return st;
    }
    const pt_window *w = &c->window;
    int ncomp = find_components(&a);
    int64_t total = 0;
    for (int i = 0; i < a.n; i++) {
        total += a.h[i];
        a.region[i] = -1;
    }
    int64_t *comp_h = gg_calloc(c->ctx, (size_t)(ncomp > 0 ? ncomp : 1), sizeof *comp_h);
    int64_t *comp_p = gg_calloc(c->ctx, (size_t)(ncomp > 0 ? ncomp : 1), sizeof *comp_p);
    if (comp_h == NULL || comp_p == NULL) {
        gg_free(c->ctx, comp_h);
        gg_free(c->ctx, comp_p);
        agg_free(&a);
        return gg_error_nomem(c->ctx);
    }
    for (int i = 0; i < a.n; i++) {
        comp_h[a.comp[i]] += a.h[i];
        comp_p[a.comp[i]] += a.p[i];
    }
    int mainland = 0;
    for (int k = 1; k < ncomp; k++)
        if (comp_h[k] > comp_h[mainland])
            mainland = k;
    int *island_of = gg_calloc(c->ctx, (size_t)(a.n > 0 ? a.n : 1), sizeof *island_of);
    if (island_of == NULL) {
        gg_free(c->ctx, comp_h);
        gg_free(c->ctx, comp_p);
        agg_free(&a);
        return gg_error_nomem(c->ctx);
    }
    if (total < w->min) {
        /* A community below the minimum is one grid. */
        for (int i = 0; i < a.n; i++)
            a.region[i] = 0;
        a.n_regions = a.n > 0 ? 1 : 0;
    } else {
        for (int k = 0; k < ncomp; k++) {
            if (comp_h[k] >= w->min || k == mainland) {
                partition_part(&a, k, comp_h[k], w, c->seed, ncomp);
            } else if (comp_p[k] >= 50) {
                /* An island with 50 or more residents is a grid of its own. */
                int id = a.n_regions++;
                for (int i = 0; i < a.n; i++)
                    if (a.comp[i] == k) {
                        a.region[i] = id;
                        island_of[i] = 1;
                    }
            }
        }
        /* Small unpopulated-enough islands join the nearest grid. */
        GEOSContextHandle_t h = c->ctx->geos;
        for (int i = 0; i < a.n; i++) {
            if (a.region[i] >= 0)
                continue;
            double dmin = INFINITY;
            int best = 0;
            for (int j = 0; j < a.n; j++) {
                double d;
                if (a.region[j] < 0 || a.comp[j] == a.comp[i])
                    continue;
                if (GEOSDistance_r(h, c->units[a.unit[i]].geom, c->units[a.unit[j]].geom, &d) == 1 && d < dmin) {
                    dmin = d;
                    best = a.region[j];
                }
            }
            for (int j = 0; j < a.n; j++)
                if (a.comp[j] == a.comp[i])
                    a.region[j] = best;
        }
    }
    for (int i = 0; i < a.n; i++)
        c->units[a.unit[i]].region = a.region[i];
    for (int i = 0; i < a.n; i++)
        c->units[a.unit[i]].island = island_of[i];
    int regions = a.n_regions;
    gg_free(c->ctx, island_of);
    gg_free(c->ctx, comp_h);
    gg_free(c->ctx, comp_p);
    agg_free(&a);
    /* Dedicated units are grids of their own, after the comprehensive ones;
     * unpopulated units follow their owner. */
    for (size_t i = 0; i < c->n_units; i++)
        if (c->units[i].dedicated_type != 0 && c->units[i].owner == (int)i)
            c->units[i].region = regions++;
    for (size_t i = 0; i < c->n_units; i++) {
        pt_unit *u = &c->units[i];
        if (u->owner >= 0 && u->owner != (int)i)
            u->region = c->units[u->owner].region;
        if (u->region < 0)
            u->region = 0;
    }
    if (regions == 0 && c->n_units > 0) {
        /* No households and no dedicated parcel: the community is one grid. */
        for (size_t i = 0; i < c->n_units; i++)
            c->units[i].region = 0;
    }
    return GG_OK;
}
