/* The segment R-tree: edges ordered Sort-Tile-Recursive (the store's
 * radix-sorted packing), grouped by eight into nodes, eight nodes to a
 * parent, up to one root. The nearest edge is found by a depth-first
 * branch and bound: children nearest first, skipping every box (and every
 * edge's own box) farther than the best edge found. */
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

/* Without branches: which side of a box a point lies on is as good as
 * random for the boxes a search opens. */
static inline double box_d2(const double *b, double x, double y, double mx, double my)
{
    double dx = dmax(dmax(b[0] - x, x - b[2]), 0) * mx;
    double dy = dmax(dmax(b[1] - y, y - b[3]), 0) * my;
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

/* How far past the best squared distance a box or an edge's box may lie
 * and still be read: the bounds are computed in floating point as the
 * edges' distances are, and an edge is only passed over when its box is
 * clearly farther than the best edge (by far more than rounding), so the
 * search reads every edge the exact answer could come from. */
static inline double reach_of(double best)
{
    return best * (1 + 1e-9) + 1e-12;
}

/* The squared distance from (x, y) to the box of the edge: no more than
 * its distance to the edge, found without a division. */
static inline double seg_box_d2(const gg_seg *sg, double x, double y, double mx, double my)
{
    double x0 = dmin(sg->ax, sg->bx), x1 = dmax(sg->ax, sg->bx);
    double y0 = dmin(sg->ay, sg->by), y1 = dmax(sg->ay, sg->by);
    double dx = dmax(dmax(x0 - x, x - x1), 0) * mx;
    double dy = dmax(dmax(y0 - y, y - y1), 0) * my;
    return dx * dx + dy * dy;
}

typedef struct frame {
    double d2;
    uint32_t node;
    int level;
} frame;

/* Depth first, each node's children nearest first, on a stack: with the
 * bound the first descent finds, most boxes are passed over without being
 * entered. (A heap of nodes by distance, best first, read the same
 * edges, at half the speed: its pushes and pops cost more than the few
 * boxes it saved.) An edge is measured only when its own box is within
 * reach. The answer is the nearest edge over every edge within reach,
 * ties to the lower rank, whatever the order they are read in. */
int32_t gg_segtree_nearest(const gg_segtree *t, const int32_t *rank, double x, double y, int32_t skip, double mx,
                           double my, int32_t known, double *dist_m)
{
    double best = known >= 0 ? *dist_m * *dist_m : INFINITY;
    int32_t found = known >= 0 ? known : -1;
    *dist_m = INFINITY;
    if (t->levels == 0 || !isfinite(x) || !isfinite(y))
        return -1;
    double reach = reach_of(best);
    /* at most FANOUT - 1 frames left behind per level, and the roots */
    frame stack[GG_SEGTREE_MAX_LEVELS * GG_SEGTREE_FANOUT + GG_SEGTREE_FANOUT];
    int n = 0;
    int top = t->levels - 1;
    int overflow = 0;
    for (uint32_t j = t->count[top]; j-- > 0;) {
        double d = box_d2(t->box[top] + 4 * (size_t)j, x, y, mx, my);
        if (d > reach)
            continue;
        if (n == (int)(sizeof stack / sizeof stack[0])) {
            overflow = 1; /* more roots than a tree of these counts has */
            break;
        }
        stack[n++] = (frame){d, j, top};
    }
    while (n > 0 && !overflow) {
        frame f = stack[--n];
        if (f.d2 > reach)
            continue;
        uint32_t first = f.node * GG_SEGTREE_FANOUT;
        if (f.level == 0) {
            uint32_t end = first + GG_SEGTREE_FANOUT < t->n_edges ? first + GG_SEGTREE_FANOUT : t->n_edges;
            for (uint32_t c = first; c < end; c++) {
                const gg_seg *sg = &t->seg[c];
                int32_t p = sg->poly;
                if (p == skip || seg_box_d2(sg, x, y, mx, my) > reach)
                    continue;
                double d = seg_d2(x, y, sg->ax, sg->ay, sg->bx, sg->by, mx, my);
                if (d < best || (d == best && found >= 0 && rank[p] < rank[found])) {
                    best = d;
                    found = p;
                    reach = reach_of(best);
                }
            }
            continue;
        }
        /* the children within reach, sorted nearest first, pushed so that
         * the nearest is popped first */
        int below = f.level - 1;
        uint32_t end = first + GG_SEGTREE_FANOUT < t->count[below] ? first + GG_SEGTREE_FANOUT : t->count[below];
        frame kids[GG_SEGTREE_FANOUT];
        int k = 0;
        for (uint32_t c = first; c < end; c++) {
            double d = box_d2(t->box[below] + 4 * (size_t)c, x, y, mx, my);
            if (d > reach)
                continue;
            /* what the child holds is read next, or soon: fetch its first
             * lines now (its edges, or its children's boxes) */
            const char *held = below == 0 ? (const char *)(t->seg + (size_t)c * GG_SEGTREE_FANOUT)
                                          : (const char *)(t->box[below - 1] + 4 * (size_t)c * GG_SEGTREE_FANOUT);
            __builtin_prefetch(held);
            __builtin_prefetch(held + 64);
            __builtin_prefetch(held + 128);
            int i = k++;
            while (i > 0 && kids[i - 1].d2 > d) {
                kids[i] = kids[i - 1];
                i--;
            }
            kids[i] = (frame){d, c, below};
        }
        while (k > 0)
            stack[n++] = kids[--k];
    }
    if (overflow) {
        /* Never for a tree the build makes (or a file's checks pass):
         * every edge, then. */
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
