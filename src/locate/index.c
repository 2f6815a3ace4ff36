/* The cell index: building the cells, finding the polygon of a point, and
 * the nearest edge. See index.h for the method. */
#include "locate/index.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "locate/predicates.h"

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

#define TAG_SET 0u
#define TAG_LEAF 1u
#define TAG_NODE 2u
#define TAG_SHIFT 30
#define PAYLOAD_MASK 0x3FFFFFFFu
#define WORD(tag, v) (((uint32_t)(tag) << TAG_SHIFT) | (uint32_t)(v))

/* A cell with more edges than this is split, down to MAX_DEPTH levels
 * below the top. */
#define LEAF_MAX 12
#define MAX_DEPTH 12
/* Edges per top cell, on average, that sizes the top level. */
#define EDGES_PER_TOP_CELL 1.0
#define MAX_TOP_CELLS (1u << 24)

void gg_cell_index_init(gg_cell_index *ix, gg_ctx *ctx, int32_t n_polys, const int32_t *rank)
{
    memset(ix, 0, sizeof *ix);
    ix->ctx = ctx;
    ix->n_polys = n_polys;
    ix->rank = rank;
}

void gg_cell_index_free(gg_cell_index *ix)
{
    gg_ctx *ctx = ix->ctx;
    if (ix->borrowed) {
        gg_segtree_free(&ix->segs);
        gg_segtree_free(&ix->outer);
        memset(ix, 0, sizeof *ix);
        return;
    }
    gg_free(ctx, ix->vx);
    gg_free(ctx, ix->vy);
    gg_free(ctx, ix->vpoly);
    gg_free(ctx, ix->top);
    gg_free(ctx, ix->top_start);
    gg_free(ctx, ix->top_edges);
    gg_free(ctx, ix->top_edge);
    gg_free(ctx, ix->has_edges);
    gg_free(ctx, ix->phead);
    gg_free(ctx, ix->chunk);
    gg_free(ctx, ix->clean_dist);
    gg_free(ctx, ix->nodes);
    gg_free(ctx, ix->leaf);
    gg_free(ctx, ix->set_items);
    gg_free(ctx, ix->set_start);
    gg_free(ctx, ix->set_winner);
    gg_segtree_free(&ix->segs);
    gg_segtree_free(&ix->outer);
    gg_free(ctx, ix->hint);
    memset(ix, 0, sizeof *ix);
}

gg_status gg_cell_index_add_ring(gg_cell_index *ix, int32_t poly, const double *x, const double *y, size_t n,
                                int exterior)
{
    if (n < 2)
        return GG_OK;
    int closed = x[0] == x[n - 1] && y[0] == y[n - 1];
    size_t need = n + (closed ? 0 : 1);
    if ((uint64_t)ix->n_vertices + need >= PAYLOAD_MASK)
        return gg_error(ix->ctx, GG_ERR_INVALID_INPUT, "the plan has too many vertices to index (over %u)", PAYLOAD_MASK);
    size_t cap = ix->cap_vertices;
    if (gg_grow(ix->ctx, (void **)&ix->vx, &cap, ix->n_vertices + need, sizeof *ix->vx) != GG_OK)
        return GG_ERR_NOMEM;
    size_t cap2 = ix->cap_vertices;
    if (gg_grow(ix->ctx, (void **)&ix->vy, &cap2, ix->n_vertices + need, sizeof *ix->vy) != GG_OK)
        return GG_ERR_NOMEM;
    size_t cap3 = ix->cap_vertices;
    if (gg_grow(ix->ctx, (void **)&ix->vpoly, &cap3, ix->n_vertices + need, sizeof *ix->vpoly) != GG_OK)
        return GG_ERR_NOMEM;
    ix->cap_vertices = (uint32_t)cap;
    uint32_t at = ix->n_vertices;
    /* Stored with the polygon's inside on the left of every edge: the
     * exterior ring anticlockwise, holes clockwise (shoelace sign). */
    double area2 = 0;
    for (size_t i = 0; i + 1 < n; i++)
        area2 += x[i] * y[i + 1] - x[i + 1] * y[i];
    area2 += x[n - 1] * y[0] - x[0] * y[n - 1];
    int reverse = exterior ? area2 < 0 : area2 > 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = reverse ? n - 1 - i : i;
        ix->vx[at + i] = x[k];
        ix->vy[at + i] = y[k];
        ix->vpoly[at + i] = poly;
    }
    if (!closed) {
        ix->vx[at + n] = ix->vx[at];
        ix->vy[at + n] = ix->vy[at];
    }
    ix->vpoly[at + need - 1] = -1;
    ix->n_vertices += (uint32_t)need;
    return GG_OK;
}

/* ---- sets of polygons ---- */

typedef struct polyset {
    int32_t *items;
    int n, cap;
} polyset;

static int polyset_toggle(gg_ctx *ctx, polyset *s, int32_t p)
{
    for (int i = 0; i < s->n; i++)
        if (s->items[i] == p) {
            memmove(s->items + i, s->items + i + 1, (size_t)(s->n - i - 1) * sizeof *s->items);
            s->n--;
            return 1;
        }
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        int32_t *grown = gg_realloc(ctx, s->items, (size_t)cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        s->items = grown;
        s->cap = cap;
    }
    int i = s->n;
    while (i > 0 && s->items[i - 1] > p) {
        s->items[i] = s->items[i - 1];
        i--;
    }
    s->items[i] = p;
    s->n++;
    return 1;
}

static int polyset_copy(gg_ctx *ctx, polyset *to, const polyset *from)
{
    if (to->cap < from->n) {
        int32_t *grown = gg_realloc(ctx, to->items, (size_t)from->cap * sizeof *grown);
        if (grown == NULL)
            return 0;
        to->items = grown;
        to->cap = from->cap;
    }
    if (from->n)
        memcpy(to->items, from->items, (size_t)from->n * sizeof *to->items);
    to->n = from->n;
    return 1;
}

/* The id of a set (sets of two or more are looked up among those seen;
 * overlapping plans are rare and have few such sets). */
static gg_status intern_set(gg_cell_index *ix, const polyset *s, uint32_t *id)
{
    if (s->n == 0) {
        *id = 0;
        return GG_OK;
    }
    if (s->n == 1) {
        *id = (uint32_t)s->items[0] + 1;
        return GG_OK;
    }
    for (uint32_t k = 0; k < ix->n_sets; k++) {
        uint32_t a = ix->set_start[k], b = ix->set_start[k + 1];
        if ((int)(b - a) == s->n && memcmp(ix->set_items + a, s->items, (size_t)s->n * sizeof *s->items) == 0) {
            *id = (uint32_t)ix->n_polys + 1 + k;
            return GG_OK;
        }
    }
    if ((uint64_t)ix->n_polys + 1 + ix->n_sets >= PAYLOAD_MASK)
        return gg_error(ix->ctx, GG_ERR_INVALID_INPUT, "too many overlapping polygons to index");
    size_t cap = ix->cap_set_items;
    if (gg_grow(ix->ctx, (void **)&ix->set_items, &cap, ix->n_set_items + (size_t)s->n, sizeof *ix->set_items) != GG_OK)
        return GG_ERR_NOMEM;
    ix->cap_set_items = (uint32_t)cap;
    size_t cap_s = ix->cap_sets, cap_w = ix->cap_sets;
    if (gg_grow(ix->ctx, (void **)&ix->set_start, &cap_s, ix->n_sets + 2, sizeof *ix->set_start) != GG_OK ||
        gg_grow(ix->ctx, (void **)&ix->set_winner, &cap_w, ix->n_sets + 2, sizeof *ix->set_winner) != GG_OK)
        return GG_ERR_NOMEM;
    ix->cap_sets = (uint32_t)(cap_s < cap_w ? cap_s : cap_w);
    if (ix->n_sets == 0)
        ix->set_start[0] = 0;
    memcpy(ix->set_items + ix->n_set_items, s->items, (size_t)s->n * sizeof *s->items);
    ix->n_set_items += (uint32_t)s->n;
    int32_t winner = s->items[0];
    for (int i = 1; i < s->n; i++)
        if (ix->rank[s->items[i]] < ix->rank[winner])
            winner = s->items[i];
    ix->set_winner[ix->n_sets] = winner;
    ix->set_start[ix->n_sets + 1] = ix->n_set_items;
    *id = (uint32_t)ix->n_polys + 1 + ix->n_sets;
    ix->n_sets++;
    return GG_OK;
}

/* ---- geometry ---- */

/* Does segment a-b meet the box (closed)? Liang-Barsky clipping. */
static int segment_meets_box(double ax, double ay, double bx, double by, double x0, double y0, double x1, double y1)
{
    double t0 = 0, t1 = 1;
    double dx = bx - ax, dy = by - ay;
    double p[4] = {-dx, dx, -dy, dy};
    double q[4] = {ax - x0, x1 - ax, ay - y0, y1 - ay};
    for (int i = 0; i < 4; i++) {
        if (p[i] == 0) {
            if (q[i] < 0)
                return 0;
        } else {
            double t = q[i] / p[i];
            if (p[i] < 0) {
                if (t > t1)
                    return 0;
                if (t > t0)
                    t0 = t;
            } else {
                if (t < t0)
                    return 0;
                if (t < t1)
                    t1 = t;
            }
        }
    }
    return 1;
}

/* Does the segment from the reference point r to p cross edge a-b? Both
 * ends are off the edge (r by construction, p tested before). A vertex on
 * the line r-p counts on its negative side, as the crossing-number test
 * counts a vertex on its ray: the two edges at a vertex agree. */
static inline int crosses_xy(double ax, double ay, double bx, double by, double rx, double ry, double px, double py)
{
    if ((ax < rx && ax < px && bx < rx && bx < px) || (ax > rx && ax > px && bx > rx && bx > px) ||
        (ay < ry && ay < py && by < ry && by < py) || (ay > ry && ay > py && by > ry && by > py))
        return 0;
    int sa = gg_orient2d(px, py, rx, ry, ax, ay) > 0;
    int sb = gg_orient2d(px, py, rx, ry, bx, by) > 0;
    if (sa == sb)
        return 0;
    int op = gg_orient2d(ax, ay, bx, by, px, py);
    int orr = gg_orient2d(ax, ay, bx, by, rx, ry);
    return op * orr < 0;
}

static int crosses(const gg_cell_index *ix, uint32_t e, double rx, double ry, double px, double py)
{
    return crosses_xy(ix->vx[e], ix->vy[e], ix->vx[e + 1], ix->vy[e + 1], rx, ry, px, py);
}

static int on_edge(const gg_cell_index *ix, uint32_t e, double px, double py)
{
    return gg_on_segment(ix->vx[e], ix->vy[e], ix->vx[e + 1], ix->vy[e + 1], px, py);
}

/* Moves a reference point off every edge of the list, staying in its box. */
static void clear_of_edges(const gg_cell_index *ix, const uint32_t *edges, uint32_t n, double size, double *rx,
                           double *ry)
{
    for (int k = 1; k < 64; k++) {
        int hit = 0;
        for (uint32_t i = 0; i < n && !hit; i++)
            hit = on_edge(ix, edges[i], *rx, *ry);
        if (!hit)
            return;
        *rx += size * 1e-3 * 0.6180339887 * k;
        *ry += size * 1e-3 * 0.4142135624 * k;
    }
}

/* ---- building ---- */

typedef struct builder {
    gg_cell_index *ix;
    uint32_t *stamp;        /* per edge, for counting an edge once per segment */
    uint32_t stamp_now;
} builder;

static gg_status toggle_crossings(builder *b, polyset *set, const uint32_t *edges, uint32_t n, double rx, double ry,
                                  double px, double py)
{
    gg_cell_index *ix = b->ix;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t e = edges[i];
        if (b->stamp[e] == b->stamp_now)
            continue;
        b->stamp[e] = b->stamp_now;
        if (crosses(ix, e, rx, ry, px, py) && !polyset_toggle(ix->ctx, set, ix->vpoly[e]))
            return GG_ERR_NOMEM;
    }
    return GG_OK;
}

/* Appends a leaf (see index.h) for the cell crossed by edges[0..n)
 * (ascending edge numbers), whose reference point lies in the polygons of
 * set. */
static gg_status add_leaf(gg_cell_index *ix, double rx, double ry, const polyset *set, const uint32_t *edges,
                          uint32_t n, uint32_t *word)
{
    /* chains: runs of consecutive edges of one ring; at most n */
    uint32_t stack_chain[2 * (LEAF_MAX + 1)];
    uint32_t *chain = n <= LEAF_MAX + 1 ? stack_chain : gg_malloc(ix->ctx, 2 * (size_t)n * sizeof *chain);
    if (chain == NULL)
        return gg_error_nomem(ix->ctx);
    uint32_t n_chains = 0;
    for (uint32_t i = 0; i < n;) {
        uint32_t k = i + 1;
        while (k < n && edges[k] == edges[k - 1] + 1 && ix->vpoly[edges[k]] == ix->vpoly[edges[i]])
            k++;
        /* insertion by polygon, keeping edge order within a polygon */
        uint32_t at = n_chains;
        int32_t p = ix->vpoly[edges[i]];
        while (at > 0 && ix->vpoly[edges[chain[2 * (at - 1)]]] > p) {
            chain[2 * at] = chain[2 * (at - 1)];
            chain[2 * at + 1] = chain[2 * (at - 1) + 1];
            at--;
        }
        chain[2 * at] = i;
        chain[2 * at + 1] = k - i;
        n_chains++;
        i = k;
    }
    size_t need = 3 + (size_t)n_chains + 2 * ((size_t)n + n_chains);
    gg_status st = GG_OK;
    if (ix->n_leaf + need > PAYLOAD_MASK || ix->n_leaves == UINT32_MAX ||
        (uint64_t)ix->n_leaf_edges + n >= UINT32_MAX) {
        st = gg_error(ix->ctx, GG_ERR_INVALID_INPUT, "the plan is too large to index");
        goto done;
    }
    if (gg_grow(ix->ctx, (void **)&ix->leaf, &ix->cap_leaf, ix->n_leaf + need, sizeof *ix->leaf) != GG_OK) {
        st = GG_ERR_NOMEM;
        goto done;
    }
    gg_leaf_slot *l = ix->leaf + ix->n_leaf;
    l[0].d = rx;
    l[1].d = ry;
    /* polygons holding the reference point with no edge here hold the
     * whole leaf: their winner */
    int32_t base = -1;
    int n_base = 0;
    for (int t = 0; t < set->n; t++) {
        int32_t p = set->items[t];
        int has_edges = 0;
        for (uint32_t i = 0; i < n && !has_edges; i++)
            has_edges = ix->vpoly[edges[i]] == p;
        n_base += !has_edges;
        if (!has_edges && (base < 0 || ix->rank[p] < ix->rank[base]))
            base = p;
    }
    l[2].w.i = base;
    l[2].w.u = n_chains | (n_base > 1 ? GG_LEAF_SHARED : 0u);
    gg_leaf_slot *s = l + 3;
    for (uint32_t c = 0; c < n_chains; c++) {
        uint32_t first = chain[2 * c], len = chain[2 * c + 1];
        int32_t p = ix->vpoly[edges[first]];
        int in_ref = 0;
        for (int t = 0; t < set->n && !in_ref; t++)
            in_ref = set->items[t] == p;
        s->w.i = p;
        s->w.u = (len + 1) | (in_ref ? GG_CHAIN_IN_REF : 0u);
        s++;
        uint32_t e = edges[first];
        for (uint32_t v = 0; v <= len; v++) {
            s[0].d = ix->vx[e + v];
            s[1].d = ix->vy[e + v];
            s += 2;
        }
    }
    *word = WORD(TAG_LEAF, ix->n_leaf);
    ix->n_leaf += need;
    ix->n_leaves++;
    ix->n_leaf_edges += n;
done:
    if (chain != stack_chain)
        gg_free(ix->ctx, chain);
    return st;
}

/* The word for the cell [x0,x1]x[y0,y1] crossed by edges[0..n), whose
 * reference point (rx, ry) lies in the polygons of set. */
static gg_status build_cell(builder *b, double x0, double y0, double x1, double y1, double rx, double ry,
                            const polyset *set, const uint32_t *edges, uint32_t n, uint32_t depth, uint32_t *word)
{
    gg_cell_index *ix = b->ix;
    gg_status st;
    if (depth > ix->max_depth)
        ix->max_depth = depth;
    if (n == 0) {
        uint32_t id = 0;
        st = intern_set(ix, set, &id);
        if (st == GG_OK)
            *word = WORD(TAG_SET, id);
        return st;
    }
    if (n <= LEAF_MAX || depth >= MAX_DEPTH)
        return add_leaf(ix, rx, ry, set, edges, n, word);
    if (ix->n_nodes >= PAYLOAD_MASK / 4)
        return gg_error(ix->ctx, GG_ERR_INVALID_INPUT, "the plan is too large to index");
    size_t cap = ix->cap_nodes;
    if (gg_grow(ix->ctx, (void **)&ix->nodes, &cap, (size_t)ix->n_nodes * 4 + 4, sizeof *ix->nodes) != GG_OK)
        return GG_ERR_NOMEM;
    ix->cap_nodes = (uint32_t)cap;
    uint32_t node = ix->n_nodes++;
    uint32_t *sub = gg_malloc(ix->ctx, (n ? n : 1) * sizeof *sub);
    polyset cs = {0};
    if (sub == NULL)
        return GG_ERR_NOMEM;
    double mx = (x0 + x1) * 0.5, my = (y0 + y1) * 0.5;
    double eps = (x1 - x0) * 1e-9;
    st = GG_OK;
    for (int k = 0; k < 4 && st == GG_OK; k++) {
        double cx0 = (k & 1) ? mx : x0, cx1 = (k & 1) ? x1 : mx;
        double cy0 = (k & 2) ? my : y0, cy1 = (k & 2) ? y1 : my;
        uint32_t m = 0;
        for (uint32_t i = 0; i < n; i++) {
            uint32_t e = edges[i];
            if (segment_meets_box(ix->vx[e], ix->vy[e], ix->vx[e + 1], ix->vy[e + 1], cx0 - eps, cy0 - eps, cx1 + eps,
                                  cy1 + eps))
                sub[m++] = e;
        }
        double crx = (cx0 + cx1) * 0.5, cry = (cy0 + cy1) * 0.5;
        clear_of_edges(ix, sub, m, cx1 - cx0, &crx, &cry);
        if (!polyset_copy(ix->ctx, &cs, set)) {
            st = GG_ERR_NOMEM;
            break;
        }
        b->stamp_now++;
        st = toggle_crossings(b, &cs, edges, n, rx, ry, crx, cry);
        uint32_t w = 0;
        if (st == GG_OK)
            st = build_cell(b, cx0, cy0, cx1, cy1, crx, cry, &cs, sub, m, depth + 1, &w);
        if (st == GG_OK)
            ix->nodes[node * 4 + (uint32_t)k] = w;
    }
    gg_free(ix->ctx, cs.items);
    gg_free(ix->ctx, sub);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ix->ctx);
    *word = WORD(TAG_NODE, node);
    return st;
}

static gg_status build_hints(gg_cell_index *ix, const uint8_t *seed);
static gg_status inline_top_edges(gg_cell_index *ix);
static void free_build_arrays(gg_cell_index *ix);
static void *inline_main(void *arg);

typedef struct tree_job {
    gg_cell_index *ix;
    gg_status st;
} tree_job;

static void *tree_main(void *arg)
{
    tree_job *job = arg;
    gg_cell_index *ix = job->ix;
    job->st = gg_segtree_build(&ix->segs, ix->ctx, ix->vx, ix->vy, ix->vpoly, ix->n_vertices);
    return NULL;
}

static gg_status build_cells(gg_cell_index *ix);
static gg_status build_shared(gg_cell_index *ix);

gg_status gg_cell_index_build(gg_cell_index *ix, int threads)
{
    for (uint32_t i = 0; i < ix->n_vertices; i++)
        if (!isfinite(ix->vx[i]) || !isfinite(ix->vy[i]))
            return gg_error(ix->ctx, GG_ERR_GEOMETRY, "a polygon has a vertex that is not a finite number");
    /* The R-tree of the edges only reads the vertex arrays: on a second
     * thread, when there is one, while the cells are built. */
    tree_job job = {ix, GG_OK};
    pthread_t thread;
    int threaded = threads >= 2 && pthread_create(&thread, NULL, tree_main, &job) == 0;
    if (!threaded)
        tree_main(&job);
    gg_status st = build_cells(ix);
    if (threaded)
        pthread_join(thread, NULL);
    if (st == GG_OK && job.st != GG_OK)
        st = gg_error_nomem(ix->ctx);
    /* The top cells' edges made inline (on the second thread, when there is
     * one) while the shared edges are found; both only read the vertex
     * arrays, freed after. */
    tree_job inl = {ix, GG_OK};
    int inl_threaded = 0;
    if (st == GG_OK) {
        inl_threaded = threads >= 2 && pthread_create(&thread, NULL, inline_main, &inl) == 0;
        if (!inl_threaded)
            inline_main(&inl);
        st = build_shared(ix);
        if (inl_threaded)
            pthread_join(thread, NULL);
        if (st == GG_OK && inl.st != GG_OK)
            st = gg_error_nomem(ix->ctx);
    }
    if (st == GG_OK)
        free_build_arrays(ix);
    if (st == GG_OK && ix->n_leaf < ix->cap_leaf) {
        /* the leaves grew by doubling: give back the rest */
        gg_leaf_slot *fit = gg_realloc(ix->ctx, ix->leaf, (ix->n_leaf ? ix->n_leaf : 1) * sizeof *ix->leaf);
        if (fit != NULL) {
            ix->leaf = fit;
            ix->cap_leaf = ix->n_leaf ? ix->n_leaf : 1;
        }
    }
    return st;
}

static gg_status build_cells(gg_cell_index *ix)
{
    gg_ctx *ctx = ix->ctx;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    uint64_t n_edges = 0;
    for (uint32_t i = 0; i < ix->n_vertices; i++) {
        minx = dmin(minx, ix->vx[i]);
        maxx = dmax(maxx, ix->vx[i]);
        miny = dmin(miny, ix->vy[i]);
        maxy = dmax(maxy, ix->vy[i]);
        n_edges += ix->vpoly[i] >= 0;
    }
    if (n_edges == 0) {
        minx = miny = 0;
        maxx = maxy = 1;
    }
    double w = maxx - minx, h = maxy - miny;
    double pad = dmax(w, h) * 1e-6 + 1e-9;
    ix->x0 = minx - pad;
    ix->y0 = miny - pad;
    w += 2 * pad;
    h += 2 * pad;
    double target = dmax(1.0, (double)n_edges / EDGES_PER_TOP_CELL);
    if (target > MAX_TOP_CELLS)
        target = MAX_TOP_CELLS;
    ix->cell = sqrt(w * h / target);
    if (!(ix->cell > 0))
        ix->cell = dmax(w, h);
    for (;;) {
        double nx = ceil(w / ix->cell), ny = ceil(h / ix->cell);
        if (nx * ny <= MAX_TOP_CELLS) {
            ix->nx = (int32_t)(nx < 1 ? 1 : nx);
            ix->ny = (int32_t)(ny < 1 ? 1 : ny);
            break;
        }
        ix->cell *= 1.25;
    }
    size_t n_top = (size_t)ix->nx * (size_t)ix->ny;
    ix->top = gg_malloc(ctx, n_top * sizeof *ix->top);
    ix->top_start = gg_calloc(ctx, n_top + 1, sizeof *ix->top_start);
    uint32_t *stamp = gg_calloc(ctx, ix->n_vertices ? ix->n_vertices : 1, sizeof *stamp);
    if (ix->top == NULL || ix->top_start == NULL || stamp == NULL) {
        gg_free(ctx, stamp);
        return gg_error_nomem(ctx);
    }
    /* Edges into top cells: count, then fill. */
    double eps = ix->cell * 1e-9;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t e = 0; e < ix->n_vertices; e++) {
            if (ix->vpoly[e] < 0)
                continue;
            double ax = ix->vx[e], ay = ix->vy[e], bx = ix->vx[e + 1], by = ix->vy[e + 1];
            int32_t i0 = (int32_t)floor((dmin(ax, bx) - eps - ix->x0) / ix->cell);
            int32_t i1 = (int32_t)floor((dmax(ax, bx) + eps - ix->x0) / ix->cell);
            int32_t j0 = (int32_t)floor((dmin(ay, by) - eps - ix->y0) / ix->cell);
            int32_t j1 = (int32_t)floor((dmax(ay, by) + eps - ix->y0) / ix->cell);
            i0 = i0 < 0 ? 0 : i0;
            j0 = j0 < 0 ? 0 : j0;
            i1 = i1 >= ix->nx ? ix->nx - 1 : i1;
            j1 = j1 >= ix->ny ? ix->ny - 1 : j1;
            for (int32_t j = j0; j <= j1; j++)
                for (int32_t i = i0; i <= i1; i++) {
                    double cx0 = ix->x0 + i * ix->cell, cy0 = ix->y0 + j * ix->cell;
                    if ((i0 != i1 || j0 != j1) &&
                        !segment_meets_box(ax, ay, bx, by, cx0 - eps, cy0 - eps, cx0 + ix->cell + eps,
                                           cy0 + ix->cell + eps))
                        continue;
                    size_t c = (size_t)j * (size_t)ix->nx + (size_t)i;
                    if (pass == 0)
                        ix->top_start[c + 1]++;
                    else
                        ix->top_edges[ix->top_start[c] + stamp[c]++] = e;
                }
        }
        if (pass == 0) {
            for (size_t c = 0; c < n_top; c++) {
                if ((uint64_t)ix->top_start[c + 1] + ix->top_start[c] >= UINT32_MAX) {
                    gg_free(ctx, stamp);
                    return gg_error(ctx, GG_ERR_INVALID_INPUT, "the plan is too large to index");
                }
                ix->top_start[c + 1] += ix->top_start[c];
            }
            ix->top_edges = gg_malloc(ctx, (ix->top_start[n_top] ? ix->top_start[n_top] : 1) * sizeof *ix->top_edges);
            gg_free(ctx, stamp);
            stamp = gg_calloc(ctx, n_top > ix->n_vertices ? n_top : (ix->n_vertices ? ix->n_vertices : 1),
                              sizeof *stamp);
            if (ix->top_edges == NULL || stamp == NULL) {
                gg_free(ctx, stamp);
                return gg_error_nomem(ctx);
            }
        }
    }
    memset(stamp, 0, (n_top > ix->n_vertices ? n_top : (ix->n_vertices ? ix->n_vertices : 1)) * sizeof *stamp);
    builder b = {ix, stamp, 0};
    polyset set = {0};
    gg_status st = GG_OK;
    /* Along each row from a point left of the extent (in no polygon): each
     * cell's reference point is reached from the previous one. */
    for (int32_t j = 0; j < ix->ny && st == GG_OK; j++) {
        set.n = 0;
        double cy = ix->y0 + (j + 0.5) * ix->cell;
        double prx = ix->x0 - 0.5 * ix->cell, pry = cy;
        for (int32_t i = 0; i < ix->nx && st == GG_OK; i++) {
            size_t c = (size_t)j * (size_t)ix->nx + (size_t)i;
            const uint32_t *edges = ix->top_edges + ix->top_start[c];
            uint32_t n = ix->top_start[c + 1] - ix->top_start[c];
            double rx = ix->x0 + (i + 0.5) * ix->cell, ry = cy;
            clear_of_edges(ix, edges, n, ix->cell, &rx, &ry);
            b.stamp_now++;
            if (i > 0)
                st = toggle_crossings(&b, &set, ix->top_edges + ix->top_start[c - 1],
                                      ix->top_start[c] - ix->top_start[c - 1], prx, pry, rx, ry);
            if (st == GG_OK)
                st = toggle_crossings(&b, &set, edges, n, prx, pry, rx, ry);
            if (st == GG_OK)
                st = build_cell(&b, ix->x0 + i * ix->cell, ix->y0 + j * ix->cell, ix->x0 + (i + 1) * ix->cell,
                                ix->y0 + (j + 1) * ix->cell, rx, ry, &set, edges, n, 0, &ix->top[c]);
            prx = rx;
            pry = ry;
        }
    }
    gg_free(ctx, set.items);
    gg_free(ctx, stamp);
    if (st == GG_ERR_NOMEM)
        return gg_error_nomem(ctx);
    return st;
}

/* ---- shared edges, for the distance from inside a polygon ---- */

#define MATE_NONE UINT32_MAX
#define MATE_BAD (UINT32_MAX - 1)

static void mate(uint32_t *m, uint32_t e, uint32_t f)
{
    if (m[e] == MATE_NONE)
        m[e] = f;
    else if (m[e] != f)
        m[e] = MATE_BAD; /* shared with two edges */
}

/* One raster pass of a Chebyshev distance transform over the top cells:
 * forward (step 1) from the south-west, each cell lowered to 1 + its west,
 * south-west, south and south-east neighbours; backward (step -1) the
 * mirror. Two passes, one each way, give every cell its distance (at most
 * 255) to the nearest cell at 0. */
static void chamfer_pass(uint8_t *d, int32_t nx, int32_t ny, int step)
{
    for (int32_t jj = 0; jj < ny; jj++) {
        int32_t j = step > 0 ? jj : ny - 1 - jj;
        for (int32_t ii = 0; ii < nx; ii++) {
            int32_t i = step > 0 ? ii : nx - 1 - ii;
            size_t c = (size_t)j * (size_t)nx + (size_t)i;
            unsigned best = d[c];
            int32_t pi = i - step, pj = j - step; /* the cells already passed */
            if (pi >= 0 && pi < nx && d[(size_t)j * (size_t)nx + (size_t)pi] + 1u < best)
                best = d[(size_t)j * (size_t)nx + (size_t)pi] + 1u;
            if (pj >= 0 && pj < ny)
                for (int32_t qi = i - 1; qi <= i + 1; qi++)
                    if (qi >= 0 && qi < nx && d[(size_t)pj * (size_t)nx + (size_t)qi] + 1u < best)
                        best = d[(size_t)pj * (size_t)nx + (size_t)qi] + 1u;
            d[c] = (uint8_t)best;
        }
    }
}

/* Marks each edge that is the exact reverse of one edge of another
 * polygon (they are listed in the same top cells), the polygons' vertices
 * in single precision, and each top cell's distance to the nearest cell
 * with an edge not so shared. */
static gg_status build_shared(gg_cell_index *ix)
{
    gg_ctx *ctx = ix->ctx;
    size_t n_top = (size_t)ix->nx * (size_t)ix->ny;
    uint32_t nv = ix->n_vertices;
    size_t np = ix->n_polys > 0 ? (size_t)ix->n_polys : 1;
    uint32_t *m = gg_malloc(ctx, (nv ? nv : 1) * sizeof *m);
    uint32_t *prange = gg_calloc(ctx, np * 2, sizeof *prange); /* per polygon: first vertex, end */
    ix->phead = gg_calloc(ctx, np, sizeof *ix->phead);
    ix->clean_dist = gg_malloc(ctx, n_top ? n_top : 1);
    if (m == NULL || prange == NULL || ix->phead == NULL || ix->clean_dist == NULL) {
        gg_free(ctx, m);
        gg_free(ctx, prange);
        return gg_error_nomem(ctx);
    }
    for (uint32_t i = 0; i < nv; i++)
        m[i] = MATE_NONE;
    for (size_t c = 0; c < n_top; c++) {
        const uint32_t *e = ix->top_edges + ix->top_start[c];
        uint32_t n = ix->top_start[c + 1] - ix->top_start[c];
        for (uint32_t a = 0; a < n; a++) {
            uint32_t i = e[a];
            double ax = ix->vx[i], ay = ix->vy[i], bx = ix->vx[i + 1], by = ix->vy[i + 1];
            for (uint32_t b = a + 1; b < n; b++) {
                uint32_t k = e[b];
                if (ix->vx[k] == bx && ix->vy[k] == by && ix->vx[k + 1] == ax && ix->vy[k + 1] == ay) {
                    if (ix->vpoly[k] == ix->vpoly[i]) {
                        m[i] = m[k] = MATE_BAD;
                    } else {
                        mate(m, i, k);
                        mate(m, k, i);
                    }
                } else if (ix->vx[k] == ax && ix->vy[k] == ay && ix->vx[k + 1] == bx && ix->vy[k + 1] == by) {
                    m[i] = m[k] = MATE_BAD; /* the same edge twice: an overlap */
                }
            }
        }
    }
    /* each polygon's vertices (contiguous: its rings were added together) */
    for (uint32_t i = 0; i < nv; i++) {
        int32_t p = ix->vpoly[i];
        if (p < 0)
            continue;
        if (prange[2 * (size_t)p + 1] == 0) {
            prange[2 * (size_t)p] = i;
            ix->phead[p].ox = ix->vx[i];
            ix->phead[p].oy = ix->vy[i];
        }
        prange[2 * (size_t)p + 1] = i + 2; /* the edge's end too */
    }
    /* the unshared edges apart, when they are few (the outline of a plan
     * that tiles its area) */
    uint32_t n_edges = 0, n_outer = 0;
    for (uint32_t i = 0; i < nv; i++)
        if (ix->vpoly[i] >= 0) {
            n_edges++;
            n_outer += m[i] >= MATE_BAD;
        }
    if (n_outer > 0 && n_outer <= n_edges / 4) {
        int32_t *outer_poly = gg_malloc(ctx, (nv ? nv : 1) * sizeof *outer_poly);
        if (outer_poly == NULL) {
            gg_free(ctx, m);
            gg_free(ctx, prange);
            return gg_error_nomem(ctx);
        }
        for (uint32_t i = 0; i < nv; i++)
            outer_poly[i] = ix->vpoly[i] >= 0 && m[i] >= MATE_BAD ? ix->vpoly[i] : -1;
        gg_status st = gg_segtree_build(&ix->outer, ctx, ix->vx, ix->vy, outer_poly, nv);
        gg_free(ctx, outer_poly);
        if (st != GG_OK) {
            gg_free(ctx, m);
            gg_free(ctx, prange);
            return gg_error_nomem(ctx);
        }
    }
    /* runs of GG_CHUNK edges of each polygon */
    size_t n_chunks = 0;
    for (int32_t p = 0; p < ix->n_polys; p++) {
        uint32_t nvp = prange[2 * (size_t)p + 1] - prange[2 * (size_t)p];
        ix->phead[p].first = (uint32_t)n_chunks;
        ix->phead[p].count = nvp > 1 ? (nvp - 1 + GG_CHUNK - 1) / GG_CHUNK : 0;
        n_chunks += ix->phead[p].count;
    }
    ix->chunk = gg_calloc(ctx, n_chunks ? n_chunks : 1, sizeof *ix->chunk);
    if (ix->chunk == NULL || n_chunks > UINT32_MAX) {
        gg_free(ctx, m);
        gg_free(ctx, prange);
        return gg_error_nomem(ctx);
    }
    ix->n_chunks = n_chunks;
    for (int32_t p = 0; p < ix->n_polys; p++) {
        uint32_t first = prange[2 * (size_t)p], end = prange[2 * (size_t)p + 1];
        double ox = ix->phead[p].ox, oy = ix->phead[p].oy;
        gg_chunk *ch = ix->chunk + ix->phead[p].first;
        for (uint32_t i = first; i + 1 < end; i += GG_CHUNK, ch++) {
            float x0 = INFINITY, y0 = INFINITY, x1 = -INFINITY, y1 = -INFINITY;
            for (uint32_t k = 0; k <= GG_CHUNK; k++) {
                uint32_t v = i + k < end ? i + k : end - 1;
                float x = (float)(ix->vx[v] - ox), y = (float)(ix->vy[v] - oy);
                ch->xy[2 * k] = x;
                ch->xy[2 * k + 1] = y;
                if (k < GG_CHUNK)
                    ch->flag[k] = v + 1 < end && i + k + 1 < end && ix->vpoly[v] >= 0
                                      ? (uint8_t)(GG_VERTEX_EDGE | (m[v] < MATE_BAD ? GG_VERTEX_SHARED : 0u))
                                      : 0;
                if (i + k < end) {
                    x0 = x < x0 ? x : x0;
                    x1 = x > x1 ? x : x1;
                    y0 = y < y0 ? y : y0;
                    y1 = y > y1 ? y : y1;
                }
            }
            ch->box[0] = x0, ch->box[1] = y0, ch->box[2] = x1, ch->box[3] = y1;
        }
    }
    gg_free(ctx, prange);
    /* distance in cells to the nearest cell holding an unshared edge: two
     * raster passes (Chebyshev chamfer) */
    uint8_t *d = ix->clean_dist;
    for (size_t c = 0; c < n_top; c++) {
        d[c] = 255;
        for (uint32_t k = ix->top_start[c]; k < ix->top_start[c + 1]; k++)
            if (m[ix->top_edges[k]] >= MATE_BAD) {
                d[c] = 0;
                break;
            }
    }
    gg_free(ctx, m);
    /* hints: the nearest cell with an edge of the outside when they are
     * apart, else with any edge */
    uint8_t *seed = gg_malloc(ctx, n_top ? n_top : 1);
    if (seed == NULL)
        return gg_error_nomem(ctx);
    for (size_t c = 0; c < n_top; c++)
        seed[c] = ix->outer.n_edges ? d[c] == 0 : ix->top_start[c + 1] > ix->top_start[c];
    gg_status hst = build_hints(ix, seed);
    gg_free(ctx, seed);
    if (hst != GG_OK)
        return hst;
    chamfer_pass(d, ix->nx, ix->ny, 1);
    chamfer_pass(d, ix->nx, ix->ny, -1);
    return GG_OK;
}

/* The top cells' edges with their ends, for the nearest-edge search; the
 * vertex arrays are then no longer needed. */
static gg_status inline_top_edges(gg_cell_index *ix)
{
    size_t n_top = (size_t)ix->nx * (size_t)ix->ny;
    uint32_t n = ix->top_start[n_top];
    ix->top_edge = gg_malloc(ix->ctx, (n ? n : 1) * sizeof *ix->top_edge);
    ix->has_edges = gg_calloc(ix->ctx, n_top / 64 + 1, sizeof *ix->has_edges);
    if (ix->top_edge == NULL || ix->has_edges == NULL)
        return GG_ERR_NOMEM; /* (recorded by the caller: this may run on a thread of its own) */
    for (size_t c = 0; c < n_top; c++)
        if (ix->top_start[c + 1] > ix->top_start[c])
            ix->has_edges[c >> 6] |= (uint64_t)1 << (c & 63);
    for (int32_t j = 0; j < ix->ny; j++) {
        double oy = ix->y0 + j * ix->cell;
        for (int32_t i = 0; i < ix->nx; i++) {
            size_t c = (size_t)j * (size_t)ix->nx + (size_t)i;
            double ox = ix->x0 + i * ix->cell;
            for (uint32_t k = ix->top_start[c]; k < ix->top_start[c + 1]; k++) {
                uint32_t e = ix->top_edges[k];
                ix->top_edge[k] = (gg_top_edge){(float)(ix->vx[e] - ox), (float)(ix->vy[e] - oy),
                                                (float)(ix->vx[e + 1] - ox), (float)(ix->vy[e + 1] - oy), ix->vpoly[e]};
            }
        }
    }
    return GG_OK;
}

/* The build's temporaries: the vertex arrays and the top cells' edge
 * numbers (the leaves, top cells and R-trees keep what they need). */
static void free_build_arrays(gg_cell_index *ix)
{
    gg_free(ix->ctx, ix->top_edges);
    gg_free(ix->ctx, ix->vx);
    gg_free(ix->ctx, ix->vy);
    gg_free(ix->ctx, ix->vpoly);
    ix->top_edges = NULL;
    ix->vx = ix->vy = NULL;
    ix->vpoly = NULL;
    ix->cap_vertices = 0;
}

static void *inline_main(void *arg)
{
    tree_job *job = arg;
    job->st = inline_top_edges(job->ix);
    return NULL;
}

/* Each top cell's hint: itself when it is a seed, or the hint of the
 * nearest seed, breadth-first over the four neighbours. */
static gg_status build_hints(gg_cell_index *ix, const uint8_t *seed)
{
    size_t n_top = (size_t)ix->nx * (size_t)ix->ny;
    ix->hint = gg_malloc(ix->ctx, n_top * sizeof *ix->hint);
    uint32_t *queue = gg_malloc(ix->ctx, (n_top ? n_top : 1) * sizeof *queue);
    if (ix->hint == NULL || queue == NULL) {
        gg_free(ix->ctx, queue);
        return gg_error_nomem(ix->ctx);
    }
    size_t head = 0, tail = 0;
    for (size_t c = 0; c < n_top; c++) {
        if (seed[c]) {
            ix->hint[c] = (uint32_t)c;
            queue[tail++] = (uint32_t)c;
        } else {
            ix->hint[c] = UINT32_MAX;
        }
    }
    while (head < tail) {
        uint32_t c = queue[head++];
        int32_t i = (int32_t)(c % (uint32_t)ix->nx), j = (int32_t)(c / (uint32_t)ix->nx);
        static const int d[4][2] = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
        for (int k = 0; k < 4; k++) {
            int32_t a = i + d[k][0], b = j + d[k][1];
            if (a < 0 || b < 0 || a >= ix->nx || b >= ix->ny)
                continue;
            size_t nc = (size_t)b * (size_t)ix->nx + (size_t)a;
            if (ix->hint[nc] == UINT32_MAX) {
                ix->hint[nc] = ix->hint[c];
                queue[tail++] = (uint32_t)nc;
            }
        }
    }
    gg_free(ix->ctx, queue);
    return GG_OK;
}

/* ---- queries ---- */

static int32_t set_winner(const gg_cell_index *ix, uint32_t id)
{
    if (id == 0)
        return -1;
    if (id <= (uint32_t)ix->n_polys)
        return (int32_t)id - 1;
    return ix->set_winner[id - (uint32_t)ix->n_polys - 1];
}

static int32_t leaf_find(const gg_cell_index *ix, const gg_leaf_slot *l, double x, double y, int *on, int *sole)
{
    double rx = l[0].d, ry = l[1].d;
    int32_t best = l[2].w.i;
    int best_on = 0;
    uint32_t n_chains = l[2].w.u & ~GG_LEAF_SHARED;
    int n_cover = best >= 0 ? 1 + ((l[2].w.u & GG_LEAF_SHARED) != 0) : 0;
    const gg_leaf_slot *s = l + 3;
    /* Each polygon with edges here: on its boundary, or inside by the
     * reference point's side toggled by each crossing. */
    for (uint32_t c = 0; c < n_chains;) {
        int32_t p = s->w.i;
        int inside = (s->w.u & GG_CHAIN_IN_REF) != 0, boundary = 0;
        do {
            uint32_t n_pts = s->w.u & ~GG_CHAIN_IN_REF;
            const double *pt = &s[1].d;
            for (uint32_t k = 0; k + 1 < n_pts && !boundary; k++) {
                double ax = pt[2 * k], ay = pt[2 * k + 1], bx = pt[2 * k + 2], by = pt[2 * k + 3];
                if (gg_on_segment(ax, ay, bx, by, x, y))
                    boundary = 1;
                else
                    inside ^= crosses_xy(ax, ay, bx, by, rx, ry, x, y);
            }
            s += 1 + 2 * (size_t)n_pts;
            c++;
        } while (c < n_chains && s->w.i == p);
        n_cover += boundary || inside;
        if ((boundary || inside) && (best < 0 || ix->rank[p] < ix->rank[best])) {
            best = p;
            best_on = boundary;
        }
    }
    if (on)
        *on = best_on;
    if (sole)
        *sole = n_cover == 1 && !best_on;
    return best;
}

/* The top cell of a point, or -1 outside the extent. */
static inline int64_t top_cell(const gg_cell_index *ix, double x, double y)
{
    if (!(x >= ix->x0 && y >= ix->y0))
        return -1;
    double fx = (x - ix->x0) / ix->cell, fy = (y - ix->y0) / ix->cell;
    if (!(fx < ix->nx && fy < ix->ny))
        return -1;
    return (int64_t)(int32_t)fy * ix->nx + (int32_t)fx;
}

/* The answer for a point from its top cell's word; *sole (may be NULL)
 * tells that the winner is the only polygon holding the point and the
 * point is not on its edge. */
static int32_t resolve(const gg_cell_index *ix, double x, double y, int64_t c, uint32_t w, int *on, int *sole)
{
    if ((w >> TAG_SHIFT) == TAG_SET) {
        if (sole)
            *sole = (w & PAYLOAD_MASK) >= 1 && (w & PAYLOAD_MASK) <= (uint32_t)ix->n_polys;
        return set_winner(ix, w & PAYLOAD_MASK);
    }
    int32_t i = (int32_t)(c % ix->nx), j = (int32_t)(c / ix->nx);
    double x0 = ix->x0 + i * ix->cell, y0 = ix->y0 + j * ix->cell;
    double x1 = ix->x0 + (i + 1) * ix->cell, y1 = ix->y0 + (j + 1) * ix->cell;
    while ((w >> TAG_SHIFT) == TAG_NODE) {
        double mx = (x0 + x1) * 0.5, my = (y0 + y1) * 0.5;
        int k = (x >= mx) + 2 * (y >= my);
        if (k & 1)
            x0 = mx;
        else
            x1 = mx;
        if (k & 2)
            y0 = my;
        else
            y1 = my;
        w = ix->nodes[(w & PAYLOAD_MASK) * 4 + (uint32_t)k];
    }
    if ((w >> TAG_SHIFT) == TAG_SET) {
        if (sole)
            *sole = (w & PAYLOAD_MASK) >= 1 && (w & PAYLOAD_MASK) <= (uint32_t)ix->n_polys;
        return set_winner(ix, w & PAYLOAD_MASK);
    }
    return leaf_find(ix, ix->leaf + (w & PAYLOAD_MASK), x, y, on, sole);
}

int32_t gg_cell_index_find(const gg_cell_index *ix, double x, double y, int *on)
{
    return gg_cell_index_locate(ix, x, y, on, NULL);
}

int32_t gg_cell_index_locate(const gg_cell_index *ix, double x, double y, int *on, int *sole)
{
    if (on)
        *on = 0;
    if (sole)
        *sole = 0;
    int64_t c = top_cell(ix, x, y);
    if (c < 0)
        return -1;
    return resolve(ix, x, y, c, ix->top[c], on, sole);
}

/* Three stages in flight: the top word of point i + 2D is prefetched, the
 * leaf (or node) of point i + D, whose top word has arrived, is
 * prefetched, and point i is answered. */
#define AHEAD 8

void gg_cell_index_find_many(const gg_cell_index *ix, const double *x, const double *y, size_t n, int32_t *out)
{
    int64_t cell[4 * AHEAD];
    for (size_t i = 0; i < n + 2 * AHEAD; i++) {
        if (i < n) {
            int64_t c = top_cell(ix, x[i], y[i]);
            cell[i % (4 * AHEAD)] = c;
            if (c >= 0)
                __builtin_prefetch(&ix->top[c]);
        }
        if (i >= AHEAD && i - AHEAD < n) {
            size_t k = i - AHEAD;
            int64_t c = cell[k % (4 * AHEAD)];
            if (c >= 0) {
                uint32_t w = ix->top[c];
                if ((w >> TAG_SHIFT) == TAG_LEAF) {
                    const gg_leaf_slot *l = ix->leaf + (w & PAYLOAD_MASK);
                    __builtin_prefetch(l);
                    __builtin_prefetch(l + 8);
                }
                else if ((w >> TAG_SHIFT) == TAG_NODE)
                    __builtin_prefetch(&ix->nodes[(w & PAYLOAD_MASK) * 4]);
            }
        }
        if (i >= 2 * AHEAD) {
            size_t k = i - 2 * AHEAD;
            int64_t c = cell[k % (4 * AHEAD)];
            out[k] = c < 0 ? -1 : resolve(ix, x[k], y[k], c, ix->top[c], NULL, NULL);
        }
    }
}

/* Squared distances in metres (degrees scaled by mx, my): no square root
 * until the answer. */
static double segment_distance2(double px, double py, double ax, double ay, double bx, double by, double mx, double my)
{
    double ux = (bx - ax) * mx, uy = (by - ay) * my;
    double wx = (px - ax) * mx, wy = (py - ay) * my;
    double len2 = ux * ux + uy * uy;
    double t = len2 > 0 ? (wx * ux + wy * uy) / len2 : 0;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    double dx = wx - t * ux, dy = wy - t * uy;
    return dx * dx + dy * dy;
}

/* The most rings the nearest-edge search looks through before the R-tree. */
#define NEAR_RINGS_MAX 8

/* The nearest edge by rings of top cells around the point, at most
 * max_rings of them: *complete tells whether the answer is certain (no
 * unseen cell can hold a nearer edge). Fast for the usual point, near
 * its grid's edges; points far from every edge go to the R-tree. */
static int32_t ring_nearest(const gg_cell_index *ix, double x, double y, int32_t skip, double mx, double my,
                            int32_t max_rings, double *dist_m, int *complete)
{
    double best = INFINITY;
    *complete = 0;
    int32_t found = -1;
    *dist_m = INFINITY;
    if (!isfinite(x) || !isfinite(y) || ix->top_edge == NULL)
        return -1;
    double fx = floor((x - ix->x0) / ix->cell), fy = floor((y - ix->y0) / ix->cell);
    int32_t ci = fx < 0 ? 0 : fx >= ix->nx ? ix->nx - 1 : (int32_t)fx;
    int32_t cj = fy < 0 ? 0 : fy >= ix->ny ? ix->ny - 1 : (int32_t)fy;
    int32_t rmax = ix->nx > ix->ny ? ix->nx : ix->ny;
    /* How far the point lies outside the extent, across and along: every
     * cell is at least that far. */
    double xend = ix->x0 + ix->nx * ix->cell, yend = ix->y0 + ix->ny * ix->cell;
    double ext_dx = dmax(0, dmax(ix->x0 - x, x - xend)) * mx;
    double ext_dy = dmax(0, dmax(ix->y0 - y, y - yend)) * my;
    double ext_dx2 = ext_dx * ext_dx, ext_dy2 = ext_dy * ext_dy;
    if (max_rings > NEAR_RINGS_MAX)
        max_rings = NEAR_RINGS_MAX;
    if (rmax > max_rings)
        rmax = max_rings;
    /* Rings in batches (0 to 2, then two at a time), each in three passes
     * so that the memory reads of its cells overlap: the cells with edges
     * that may hold a nearer one (their starts fetched), then their edges
     * fetched, then the distances. */
    struct {
        size_t c;
        double x0, y0, d2;
    } cand[25 + 16 * NEAR_RINGS_MAX];
    for (int32_t ra = 0, r; ra <= rmax; ra = r + 1) {
        r = ra == 0 ? 2 : ra + 1;
        if (r > rmax)
            r = rmax;
        int n_cand = 0;
        for (int32_t ring = ra; ring <= r; ring++) {
            int32_t j0 = cj - ring < 0 ? 0 : cj - ring, j1 = cj + ring >= ix->ny ? ix->ny - 1 : cj + ring;
            for (int32_t j = j0; j <= j1; j++) {
                int edge_row = j == cj - ring || j == cj + ring;
                double y0 = ix->y0 + j * ix->cell;
                double dy = y < y0 ? y0 - y : y > y0 + ix->cell ? y - y0 - ix->cell : 0;
                double dy2 = dy * my * dy * my;
                if (dy2 > best)
                    continue;
                int32_t step = (edge_row || ring == 0) ? 1 : 2 * ring;
                for (int32_t i = ci - ring; i <= ci + ring; i += step) {
                    if (i < 0 || i >= ix->nx)
                        continue;
                    size_t c = (size_t)j * (size_t)ix->nx + (size_t)i;
                    if (!(ix->has_edges[c >> 6] >> (c & 63) & 1))
                        continue;
                    double x0 = ix->x0 + i * ix->cell;
                    double dx = x < x0 ? x0 - x : x > x0 + ix->cell ? x - x0 - ix->cell : 0;
                    double d2 = dx * mx * dx * mx + dy2;
                    if (d2 > best)
                        continue;
                    __builtin_prefetch(&ix->top_start[c]);
                    cand[n_cand].c = c;
                    cand[n_cand].x0 = x0;
                    cand[n_cand].y0 = y0;
                    cand[n_cand++].d2 = d2;
                }
            }
        }
        for (int q = 0; q < n_cand; q++)
            __builtin_prefetch(&ix->top_edge[ix->top_start[cand[q].c]]);
        for (int q = 0; q < n_cand; q++) {
            if (cand[q].d2 > best)
                continue;
            size_t c = cand[q].c;
            uint32_t k = ix->top_start[c], kend = ix->top_start[c + 1];
            double qx = x - cand[q].x0, qy = y - cand[q].y0;
            for (; k < kend; k++) {
                const gg_top_edge *t = &ix->top_edge[k];
                int32_t p = t->poly;
                if (p == skip)
                    continue;
                double d = segment_distance2(qx, qy, t->ax, t->ay, t->bx, t->by, mx, my);
                if (d < best || (d == best && found >= 0 && ix->rank[p] < ix->rank[found])) {
                    best = d;
                    found = p;
                }
            }
        }
        /* Every cell not yet seen lies outside the block of rings 0..r:
         * beyond one of its four sides, where the grid extends. */
        double bound = INFINITY;
        double bx0 = ix->x0 + (ci - r) * ix->cell, bx1 = ix->x0 + (ci + r + 1) * ix->cell;
        double by0 = ix->y0 + (cj - r) * ix->cell, by1 = ix->y0 + (cj + r + 1) * ix->cell;
        double t;
        if (ci - r > 0)
            t = dmax(0, x - bx0) * mx, bound = dmin(bound, t * t + ext_dy2);
        if (ci + r < ix->nx - 1)
            t = dmax(0, bx1 - x) * mx, bound = dmin(bound, t * t + ext_dy2);
        if (cj - r > 0)
            t = dmax(0, y - by0) * my, bound = dmin(bound, ext_dx2 + t * t);
        if (cj + r < ix->ny - 1)
            t = dmax(0, by1 - y) * my, bound = dmin(bound, ext_dx2 + t * t);
        if (bound == INFINITY || bound > best) {
            *complete = 1;
            break;
        }
    }
    if (found >= 0)
        *dist_m = sqrt(best);
    return found;
}

#define NEAR_RINGS NEAR_RINGS_MAX

/* A bound for a nearest-edge search: the nearest edge (not of skip) of
 * the cell's hint cell. Returns its polygon with *dist_m, or -1. */
static int32_t hint_bound(const gg_cell_index *ix, double x, double y, double fx, double fy, int32_t skip, double mx,
                          double my, double *dist_m)
{
    *dist_m = INFINITY;
    if (ix->hint == NULL || !isfinite(x) || !isfinite(y))
        return -1;
    double cx = fx < 0 ? 0 : fx >= ix->nx ? ix->nx - 1 : fx;
    double cy = fy < 0 ? 0 : fy >= ix->ny ? ix->ny - 1 : fy;
    uint32_t hc = ix->hint[(size_t)(int32_t)cy * (size_t)ix->nx + (size_t)(int32_t)cx];
    if (hc == UINT32_MAX)
        return -1;
    double ox = ix->x0 + (int32_t)(hc % (uint32_t)ix->nx) * ix->cell;
    double oy = ix->y0 + (int32_t)(hc / (uint32_t)ix->nx) * ix->cell;
    double best = INFINITY;
    int32_t found = -1;
    for (uint32_t k = ix->top_start[hc]; k < ix->top_start[hc + 1]; k++) {
        const gg_top_edge *t = &ix->top_edge[k];
        if (t->poly == skip)
            continue;
        double d = segment_distance2(x - ox, y - oy, t->ax, t->ay, t->bx, t->by, mx, my);
        if (d < best) {
            best = d;
            found = t->poly;
        }
    }
    if (found >= 0)
        *dist_m = sqrt(best);
    return found;
}

int32_t gg_cell_index_nearest(const gg_cell_index *ix, double x, double y, int32_t skip, double mx, double my,
                              double max_m, double *dist_m)
{
    int complete = 0;
    int32_t p = -1;
    /* Rings first for a point inside the extent that is in a grid or has
     * edges in its cell (usually near its grid's edges); the R-tree when
     * they cannot settle it, or for a point in open land. */
    double fx = (x - ix->x0) / ix->cell, fy = (y - ix->y0) / ix->cell;
    if (ix->top_start != NULL && fx >= 0 && fy >= 0 && fx < ix->nx && fy < ix->ny) {
        size_t c = (size_t)(int32_t)fy * (size_t)ix->nx + (size_t)(int32_t)fx;
        if (skip >= 0 || (ix->has_edges[c >> 6] >> (c & 63) & 1))
            p = ring_nearest(ix, x, y, skip, mx, my, NEAR_RINGS, dist_m, &complete);
    }
    if (!complete) {
        /* What the rings found, or the cell's hint edge, bounds the tree's
         * search. */
        if (p < 0)
            p = hint_bound(ix, x, y, fx, fy, skip, mx, my, dist_m);
        p = gg_segtree_nearest(&ix->segs, ix->rank, x, y, skip, mx, my, p, dist_m);
    }
    if (p >= 0 && *dist_m > max_m) {
        *dist_m = INFINITY;
        return -1;
    }
    return p;
}

/* The nearest edge of a run: *best and *best_shared (squared metres)
 * lowered where it is nearer. */
static void chunk_distance(const gg_chunk *ch, double qx, double qy, double mx, double my, double *best_io,
                           double *best_shared_io)
{
    double best = *best_io, best_shared = *best_shared_io;
    double ax = ch->xy[0] * mx, ay = ch->xy[1] * my;
    for (int k = 0; k < GG_CHUNK; k++) {
        double bx = ch->xy[2 * k + 2] * mx, by = ch->xy[2 * k + 3] * my;
        uint8_t f = ch->flag[k];
        if (f & GG_VERTEX_EDGE) {
            /* squared distance to the segment, divided only when it may
             * be the nearest yet */
            double ux = bx - ax, uy = by - ay, wx = qx - ax, wy = qy - ay;
            double dot = wx * ux + wy * uy, d;
            if (dot <= 0) {
                d = wx * wx + wy * wy;
            } else {
                double len2 = ux * ux + uy * uy;
                if (dot >= len2) {
                    double ex = qx - bx, ey = qy - by;
                    d = ex * ex + ey * ey;
                } else {
                    double cross = wx * uy - wy * ux;
                    d = cross * cross;
                    if (d >= best * len2 && (!(f & GG_VERTEX_SHARED) || d >= best_shared * len2)) {
                        ax = bx, ay = by;
                        continue;
                    }
                    d /= len2;
                }
            }
            best = d < best ? d : best;
            if ((f & GG_VERTEX_SHARED) && d < best_shared)
                best_shared = d;
        }
        ax = bx, ay = by;
    }
    *best_io = best;
    *best_shared_io = best_shared;
}

/* Polygons with more vertices than this are searched by cells instead. */
#define INSIDE_MAX_VERTICES 1024

int gg_cell_index_distance_inside(const gg_cell_index *ix, double x, double y, int32_t poly, double mx, double my,
                                  double *dist_m)
{
    if (ix->clean_dist == NULL || poly < 0 || poly >= ix->n_polys)
        return 0;
    int64_t c = top_cell(ix, x, y);
    if (c < 0 || ix->clean_dist[c] == 0)
        return 0;
    const gg_poly_head *head = &ix->phead[poly];
    uint32_t n_chunks = head->count;
    if (n_chunks > INSIDE_MAX_VERTICES / GG_CHUNK)
        return 0;
    /* The nearest edge of poly, and the nearest shared one: runs of
     * edges by their boxes, the nearest box first. */
    double qx = (x - head->ox) * mx, qy = (y - head->oy) * my;
    double best = INFINITY, best_shared = INFINITY;
    const gg_chunk *ch = ix->chunk + head->first;
    double boxd[INSIDE_MAX_VERTICES / GG_CHUNK + 1];
    uint32_t nearest = 0;
    for (uint32_t k = 0; k < n_chunks; k++) {
        const float *b = ch[k].box;
        double dx = qx < b[0] * mx ? b[0] * mx - qx : qx > b[2] * mx ? qx - b[2] * mx : 0;
        double dy = qy < b[1] * my ? b[1] * my - qy : qy > b[3] * my ? qy - b[3] * my : 0;
        boxd[k] = dx * dx + dy * dy;
        if (boxd[k] < boxd[nearest])
            nearest = k;
    }
    for (uint32_t t = 0; t <= n_chunks && n_chunks > 0; t++) {
        uint32_t k = t == 0 ? nearest : t - 1;
        if ((t > 0 && k == nearest) || boxd[k] > best)
            continue;
        chunk_distance(&ch[k], qx, qy, mx, my, &best, &best_shared);
    }
    /* the nearest edge is shared (to rounding) */
    double d = sqrt(best_shared);
    if (!(d <= sqrt(best) + 1e-6))
        return 0;
    /* and the circle of that radius lies in the cells around whose edges
     * are all shared */
    int32_t r = ix->clean_dist[c] - 1;
    int32_t ci = (int32_t)(c % ix->nx), cj = (int32_t)(c / ix->nx);
    double margin = INFINITY;
    if (ci - r > 0)
        margin = dmin(margin, (x - (ix->x0 + (ci - r) * ix->cell)) * mx);
    if (ci + r < ix->nx - 1)
        margin = dmin(margin, (ix->x0 + (ci + r + 1) * ix->cell - x) * mx);
    if (cj - r > 0)
        margin = dmin(margin, (y - (ix->y0 + (cj - r) * ix->cell)) * my);
    if (cj + r < ix->ny - 1)
        margin = dmin(margin, (ix->y0 + (cj + r + 1) * ix->cell - y) * my);
    if (!(d <= margin))
        return 0;
    *dist_m = d;
    return 1;
}

int32_t gg_cell_index_nearest_outside(const gg_cell_index *ix, double x, double y, double mx, double my,
                                      double *dist_m)
{
    if (ix->outer.n_edges == 0)
        return gg_cell_index_nearest(ix, x, y, -1, mx, my, INFINITY, dist_m);
    double fx = (x - ix->x0) / ix->cell, fy = (y - ix->y0) / ix->cell;
    int32_t known = hint_bound(ix, x, y, fx, fy, -1, mx, my, dist_m);
    return gg_segtree_nearest(&ix->outer, ix->rank, x, y, -1, mx, my, known, dist_m);
}

void gg_cell_index_prefetch(const gg_cell_index *ix, double x, double y, int32_t poly, int stage)
{
    int64_t c = top_cell(ix, x, y);
    if (c < 0 && stage < 3)
        return;
    switch (stage) {
    case 0:
        __builtin_prefetch(&ix->top[c]);
        break;
    case 1: {
        uint32_t w = ix->top[c];
        if ((w >> TAG_SHIFT) == TAG_LEAF) {
            const gg_leaf_slot *l = ix->leaf + (w & PAYLOAD_MASK);
            __builtin_prefetch(l);
            __builtin_prefetch(l + 8);
        } else if ((w >> TAG_SHIFT) == TAG_NODE) {
            __builtin_prefetch(&ix->nodes[(w & PAYLOAD_MASK) * 4]);
        }
        break;
    }
    case 2:
        if (poly >= 0 && ix->phead != NULL) {
            __builtin_prefetch(&ix->phead[poly]);
            __builtin_prefetch(&ix->clean_dist[c]);
        } else if (poly < 0 && ix->hint != NULL) {
            __builtin_prefetch(&ix->hint[c]);
        }
        break;
    case 3:
        if (poly >= 0 && ix->phead != NULL) {
            /* only what gg_cell_index_distance_inside will read: nothing
             * in a cell near unshared edges, or of a polygon it leaves
             * to the rings */
            const gg_poly_head *h = &ix->phead[poly];
            if (c < 0 || ix->clean_dist[c] == 0 || h->count > INSIDE_MAX_VERTICES / GG_CHUNK)
                break;
            const char *p = (const char *)(ix->chunk + h->first);
            size_t bytes = (size_t)(h->count < 16 ? h->count : 16) * sizeof(gg_chunk);
            for (size_t off = 0; off < bytes; off += 64)
                __builtin_prefetch(p + off);
        } else if (poly < 0 && c >= 0 && ix->hint != NULL && ix->hint[c] != UINT32_MAX) {
            __builtin_prefetch(&ix->top_start[ix->hint[c]]);
        }
        break;
    case 4:
        if (poly < 0 && c >= 0 && ix->hint != NULL && ix->hint[c] != UINT32_MAX)
            __builtin_prefetch(&ix->top_edge[ix->top_start[ix->hint[c]]]);
        break;
    case 5:
        if (c >= 0 && ix->top_start != NULL)
            __builtin_prefetch(&ix->top_start[c]);
        break;
    default:
        if (c >= 0 && ix->top_start != NULL && ix->top_edge != NULL) {
            const char *p = (const char *)&ix->top_edge[ix->top_start[c]];
            __builtin_prefetch(p);
            __builtin_prefetch(p + 64);
        }
        break;
    }
}

size_t gg_cell_index_bytes(const gg_cell_index *ix)
{
    size_t n_top = (size_t)ix->nx * (size_t)ix->ny;
    size_t per_top_edge = (ix->top_edge ? sizeof(gg_top_edge) : 0) + (ix->top_edges ? sizeof(uint32_t) : 0);
    size_t np = ix->n_polys > 0 ? (size_t)ix->n_polys : 1;
    size_t shared = ix->phead ? np * sizeof(gg_poly_head) + ix->n_chunks * sizeof(gg_chunk) + n_top : 0;
    return sizeof *ix + shared + (ix->has_edges ? (n_top / 64 + 1) * sizeof(uint64_t) : 0) + (size_t)ix->cap_vertices * (2 * sizeof(double) + sizeof(int32_t)) + n_top * sizeof(uint32_t) +
           gg_segtree_bytes(&ix->segs) + gg_segtree_bytes(&ix->outer) + (n_top + 1) * sizeof(uint32_t) + (ix->hint ? n_top * sizeof(uint32_t) : 0) +
           (ix->top_start ? ix->top_start[n_top] : 0) * per_top_edge +
           (size_t)ix->cap_nodes * sizeof(uint32_t) + ix->cap_leaf * sizeof(gg_leaf_slot) +
           (size_t)ix->cap_set_items * sizeof(int32_t) +
           (size_t)ix->cap_sets * (sizeof(uint32_t) + sizeof(int32_t));
}
