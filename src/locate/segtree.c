/* The segment R-tree: edges ordered Sort-Tile-Recursive (the store's
 * radix-sorted packing), grouped by eight into nodes, eight nodes to a
 * parent, up to one root. The nearest edge is found best-first: a heap of
 * nodes by their box's distance, popping the closest until no box is
 * nearer than the best edge found. */
#include "locate/segtree.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store/rtree_bulk.h"

/* fmin and fmax for numbers known not to be NaN (inline, unlike the C
 * library's calls). */
static inline double dmin(double a, double b)
{
    return a < b ? a : b;
}

static inline double dmax(double a, double b)
{
    return a > b ? a : b;
}

gg_status gg_segtree_build(gg_segtree *t, gg_ctx *ctx, const double *vx, const double *vy, const int32_t *vpoly,
                           uint32_t n_vertices)
{
    memset(t, 0, sizeof *t);
    t->ctx = ctx;
    uint32_t n = 0;
    for (uint32_t i = 0; i < n_vertices; i++)
        n += vpoly[i] >= 0;
    if (n == 0)
        return GG_OK;
    gg_rtree_entry *e = gg_malloc(ctx, (size_t)n * sizeof *e);
    if (e == NULL)
        return GG_ERR_NOMEM;
    uint32_t k = 0;
    for (uint32_t i = 0; i < n_vertices; i++) {
        if (vpoly[i] < 0)
            continue;
        e[k].id = i;
        e[k].box[0] = dmin(vx[i], vx[i + 1]);
        e[k].box[1] = dmax(vx[i], vx[i + 1]);
        e[k].box[2] = dmin(vy[i], vy[i + 1]);
        e[k].box[3] = dmax(vy[i], vy[i + 1]);
        k++;
    }
    if (!gg_rtree_str_order(ctx, e, n, GG_SEGTREE_FANOUT)) {
        gg_free(ctx, e);
        return GG_ERR_NOMEM;
    }
    t->seg = gg_malloc(ctx, (size_t)n * sizeof *t->seg);
    if (t->seg == NULL) {
        gg_free(ctx, e);
        return GG_ERR_NOMEM;
    }
    t->n_edges = n;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v = (uint32_t)e[i].id;
        t->seg[i] = (gg_seg){vx[v], vy[v], vx[v + 1], vy[v + 1], vpoly[v]};
    }
    /* Level 0: boxes of runs of FANOUT edges; each level above groups
     * FANOUT boxes of the one below. */
    uint32_t below = n;
    for (int level = 0; level < GG_SEGTREE_MAX_LEVELS; level++) {
        uint32_t m = (below + GG_SEGTREE_FANOUT - 1) / GG_SEGTREE_FANOUT;
        double *box = gg_malloc(ctx, (size_t)m * 4 * sizeof *box);
        if (box == NULL) {
            gg_free(ctx, e);
            gg_segtree_free(t);
            return GG_ERR_NOMEM;
        }
        for (uint32_t j = 0; j < m; j++) {
            double b[4] = {INFINITY, INFINITY, -INFINITY, -INFINITY};
            for (uint32_t c = j * GG_SEGTREE_FANOUT; c < below && c < (j + 1) * GG_SEGTREE_FANOUT; c++) {
                double cb[4];
                if (level == 0) {
                    cb[0] = e[c].box[0];
                    cb[1] = e[c].box[2];
                    cb[2] = e[c].box[1];
                    cb[3] = e[c].box[3];
                } else {
                    memcpy(cb, t->box[level - 1] + 4 * (size_t)c, sizeof cb);
                }
                b[0] = dmin(b[0], cb[0]);
                b[1] = dmin(b[1], cb[1]);
                b[2] = dmax(b[2], cb[2]);
                b[3] = dmax(b[3], cb[3]);
            }
            memcpy(box + 4 * (size_t)j, b, sizeof b);
        }
        t->box[level] = box;
        t->count[level] = m;
        t->levels = level + 1;
        below = m;
        if (m == 1)
            break;
    }
    gg_free(ctx, e);
    return GG_OK;
}

void gg_segtree_free(gg_segtree *t)
{
    if (t->ctx == NULL)
        return;
    if (t->borrowed) {
        memset(t, 0, sizeof *t);
        return;
    }
    for (int l = 0; l < t->levels; l++)
        gg_free(t->ctx, t->box[l]);
    gg_free(t->ctx, t->seg);
    memset(t, 0, sizeof *t);
}

size_t gg_segtree_bytes(const gg_segtree *t)
{
    size_t b = (size_t)t->n_edges * sizeof *t->seg;
    for (int l = 0; l < t->levels; l++)
        b += (size_t)t->count[l] * 4 * sizeof(double);
    return b;
}

static double box_d2(const double *b, double x, double y, double mx, double my)
{
    double dx = x < b[0] ? b[0] - x : x > b[2] ? x - b[2] : 0;
    double dy = y < b[1] ? b[1] - y : y > b[3] ? y - b[3] : 0;
    dx *= mx;
    dy *= my;
    return dx * dx + dy * dy;
}

static double seg_d2(double px, double py, double ax, double ay, double bx, double by, double mx, double my)
{
    double ux = (bx - ax) * mx, uy = (by - ay) * my;
    double wx = (px - ax) * mx, wy = (py - ay) * my;
    double len2 = ux * ux + uy * uy;
    double t = len2 > 0 ? (wx * ux + wy * uy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double dx = wx - t * ux, dy = wy - t * uy;
    return dx * dx + dy * dy;
}

typedef struct heap_item {
    double d2;
    uint32_t node;
    int level;
} heap_item;

#define HEAP_CAP 4096

/* Nearer first; at equal distance the deeper node, so that the search
 * reaches edges (and a bound to prune with) quickly where many boxes hold
 * the point. */
static int before(const heap_item *a, const heap_item *b)
{
    return a->d2 < b->d2 || (a->d2 == b->d2 && a->level < b->level);
}

int32_t gg_segtree_nearest(const gg_segtree *t, const int32_t *rank, double x, double y, int32_t skip, double mx,
                           double my, int32_t known, double *dist_m)
{
    double best = known >= 0 ? *dist_m * *dist_m : INFINITY;
    int32_t found = known >= 0 ? known : -1;
    *dist_m = INFINITY;
    if (t->levels == 0 || !isfinite(x) || !isfinite(y))
        return -1;
    heap_item heap[HEAP_CAP];
    int n = 0, overflow = 0;
    int top = t->levels - 1;
    for (uint32_t j = 0; j < t->count[top]; j++)
        if (n < HEAP_CAP)
            heap[n++] = (heap_item){box_d2(t->box[top] + 4 * (size_t)j, x, y, mx, my), j, top};
    /* heapify */
    for (int i = n / 2 - 1; i >= 0; i--) {
        int c = i;
        for (;;) {
            int l = 2 * c + 1, r = l + 1, m = c;
            if (l < n && before(&heap[l], &heap[m]))
                m = l;
            if (r < n && before(&heap[r], &heap[m]))
                m = r;
            if (m == c)
                break;
            heap_item tmp = heap[c];
            heap[c] = heap[m];
            heap[m] = tmp;
            c = m;
        }
    }
    while (n > 0) {
        heap_item it = heap[0];
        if (it.d2 > best)
            break;
        /* pop */
        heap[0] = heap[--n];
        for (int c = 0;;) {
            int l = 2 * c + 1, r = l + 1, m = c;
            if (l < n && before(&heap[l], &heap[m]))
                m = l;
            if (r < n && before(&heap[r], &heap[m]))
                m = r;
            if (m == c)
                break;
            heap_item tmp = heap[c];
            heap[c] = heap[m];
            heap[m] = tmp;
            c = m;
        }
        uint32_t first = it.node * GG_SEGTREE_FANOUT;
        if (it.level == 0) {
            for (uint32_t c = first; c < t->n_edges && c < first + GG_SEGTREE_FANOUT; c++) {
                const gg_seg *sg = &t->seg[c];
                int32_t p = sg->poly;
                if (p == skip)
                    continue;
                double d = seg_d2(x, y, sg->ax, sg->ay, sg->bx, sg->by, mx, my);
                if (d < best || (d == best && found >= 0 && rank[p] < rank[found])) {
                    best = d;
                    found = p;
                }
            }
            continue;
        }
        int below = it.level - 1;
        for (uint32_t c = first; c < t->count[below] && c < first + GG_SEGTREE_FANOUT; c++) {
            double d = box_d2(t->box[below] + 4 * (size_t)c, x, y, mx, my);
            if (d > best)
                continue;
            if (n == HEAP_CAP) {
                overflow = 1; /* never in practice: see below */
                continue;
            }
            int i = n++;
            heap[i] = (heap_item){d, c, below};
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (!before(&heap[i], &heap[parent]))
                    break;
                heap_item tmp = heap[parent];
                heap[parent] = heap[i];
                heap[i] = tmp;
                i = parent;
            }
        }
    }
    if (overflow) {
        /* The frontier outgrew the heap (it holds a few levels' worth of
         * nodes: this would take a degenerate tree): every edge, then. */
        best = INFINITY;
        found = -1;
        for (uint32_t c = 0; c < t->n_edges; c++) {
            const gg_seg *sg = &t->seg[c];
            int32_t p = sg->poly;
            if (p == skip)
                continue;
            double d = seg_d2(x, y, sg->ax, sg->ay, sg->bx, sg->by, mx, my);
            if (d < best || (d == best && found >= 0 && rank[p] < rank[found])) {
                best = d;
                found = p;
            }
        }
    }
    if (found >= 0)
        *dist_m = sqrt(best);
    return found;
}
