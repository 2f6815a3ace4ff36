/* A polygonal coverage simplified as linework: the unique edges between
 * junctions are simplified once each and every ring is rebuilt from them,
 * so that neighbours never open a gap or overlap (what GEOS 3.12's
 * GEOSCoverageSimplifyVW does; GEOS 3.11 has none). */
#include "geo/simplify.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geo/coverage.h"

/* ---- ring sets ---- */

static gg_status ring_begin(gg_ctx *ctx, gg_ringset *set, uint32_t poly, int hole, size_t points)
{
    if (gg_grow(ctx, (void **)&set->start, &set->cap_rings, set->n_rings + 2, sizeof *set->start) != GG_OK)
        return GG_ERR_NOMEM;
    if (gg_grow(ctx, (void **)&set->poly, &set->cap_poly, set->n_rings + 2, sizeof *set->poly) != GG_OK)
        return GG_ERR_NOMEM;
    if (gg_grow(ctx, (void **)&set->hole, &set->cap_hole, set->n_rings + 2, sizeof *set->hole) != GG_OK)
        return GG_ERR_NOMEM;
    if (gg_grow(ctx, (void **)&set->xy, &set->cap_points, 2 * (set->n_points + points), sizeof *set->xy) != GG_OK)
        return GG_ERR_NOMEM;
    if (set->n_rings == 0)
        set->start[0] = 0;
    set->poly[set->n_rings] = poly;
    set->hole[set->n_rings] = (unsigned char)hole;
    return GG_OK;
}

static void ring_end(gg_ringset *set)
{
    set->n_rings++;
    set->start[set->n_rings] = set->n_points;
}

static gg_status add_ring(gg_ctx *ctx, gg_ringset *set, const GEOSGeometry *ring, uint32_t poly, int hole)
{
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned int n = 0;
    if (seq == NULL || !GEOSCoordSeq_getSize_r(h, seq, &n))
        return gg_error(ctx, GG_ERR_GEOMETRY, "a ring without coordinates");
    if (ring_begin(ctx, set, poly, hole, n) != GG_OK)
        return GG_ERR_NOMEM;
    if (n > 0 && !GEOSCoordSeq_copyToBuffer_r(h, seq, set->xy + 2 * set->n_points, 0, 0))
        return gg_error(ctx, GG_ERR_GEOMETRY, "cannot read a ring");
    set->n_points += n;
    ring_end(set);
    return GG_OK;
}

gg_status gg_ringset_add(gg_ctx *ctx, gg_ringset *set, const GEOSGeometry *g, uint32_t poly)
{
    GEOSContextHandle_t h = ctx->geos;
    int type = GEOSGeomTypeId_r(h, g);
    if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON)
        return gg_error(ctx, GG_ERR_GEOMETRY, "not a polygon");
    int parts = type == GEOS_POLYGON ? 1 : GEOSGetNumGeometries_r(h, g);
    for (int p = 0; p < parts; p++) {
        const GEOSGeometry *part = type == GEOS_POLYGON ? g : GEOSGetGeometryN_r(h, g, p);
        if (GEOSisEmpty_r(h, part))
            continue;
        gg_status st = add_ring(ctx, set, GEOSGetExteriorRing_r(h, part), poly, 0);
        int holes = GEOSGetNumInteriorRings_r(h, part);
        for (int k = 0; st == GG_OK && k < holes; k++)
            st = add_ring(ctx, set, GEOSGetInteriorRingN_r(h, part, k), poly, 1);
        if (st != GG_OK)
            return st;
    }
    return GG_OK;
}

void gg_ringset_clear(gg_ctx *ctx, gg_ringset *set)
{
    gg_free(ctx, set->start);
    gg_free(ctx, set->xy);
    gg_free(ctx, set->poly);
    gg_free(ctx, set->hole);
    memset(set, 0, sizeof *set);
}

static GEOSGeometry *ring_geos(GEOSContextHandle_t h, const gg_ringset *set, size_t r)
{
    size_t n = set->start[r + 1] - set->start[r];
    if (n < 4)
        return NULL;
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, set->xy + 2 * set->start[r], (unsigned int)n, 0, 0);
    return seq ? GEOSGeom_createLinearRing_r(h, seq) : NULL;
}

/* The polygon of rings [first, last) of set: each shell with the holes
 * after it. */
static GEOSGeometry *rings_polygon(gg_ctx *ctx, const gg_ringset *set, size_t first, size_t last)
{
    GEOSContextHandle_t h = ctx->geos;
    size_t n = last - first, parts = 0;
    GEOSGeometry **rings = gg_calloc(ctx, n + 1, sizeof *rings);
    GEOSGeometry **polys = gg_calloc(ctx, n + 1, sizeof *polys);
    int ok = rings != NULL && polys != NULL && n > 0;
    for (size_t r = first; ok && r < last; r++) {
        GEOSGeometry *ring = ring_geos(h, set, r);
        if (ring == NULL) {
            ok = 0;
            break;
        }
        rings[r - first] = ring;
    }
    for (size_t r = first; ok && r < last;) {
        size_t holes = 0;
        while (r + 1 + holes < last && set->hole[r + 1 + holes])
            holes++;
        polys[parts] = GEOSGeom_createPolygon_r(h, rings[r - first], holes ? rings + (r - first + 1) : NULL,
                                                (unsigned int)holes);
        if (polys[parts] == NULL) {
            ok = 0;
            break;
        }
        for (size_t k = 0; k <= holes; k++)
            rings[r - first + k] = NULL;
        parts++;
        r += 1 + holes;
    }
    GEOSGeometry *out = NULL;
    if (ok)
        out = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, polys, (unsigned int)parts);
    else
        for (size_t k = 0; polys && k < parts; k++)
            GEOSGeom_destroy_r(h, polys[k]);
    for (size_t k = 0; rings && k < n; k++)
        if (rings[k])
            GEOSGeom_destroy_r(h, rings[k]);
    gg_free(ctx, rings);
    gg_free(ctx, polys);
    return out;
}

GEOSGeometry *gg_ringset_polygon(gg_ctx *ctx, const gg_ringset *set, uint32_t poly)
{
    size_t first = 0;
    while (first < set->n_rings && set->poly[first] != poly)
        first++;
    size_t last = first;
    while (last < set->n_rings && set->poly[last] == poly)
        last++;
    return rings_polygon(ctx, set, first, last);
}

/* ---- the topology: vertices, edges, rings as edge references ---- */

typedef struct vertex {
    int64_t qx, qy;
    double x, y;
    uint32_t nb[3];
    unsigned char n_nb;     /* distinct neighbours, counted up to 3 */
    unsigned char exact;    /* written unrounded: an edge through it keeps every vertex */
} vertex;

typedef struct edge {
    size_t first, n;        /* vertex ids in pool.edge_v[first .. first + n) */
    double tolerance;
    int changed;
    int whole;              /* kept whole, its vertices unrounded */
} edge;

typedef struct ref {
    uint32_t edge;
    unsigned char reversed;
} ref;

typedef struct topo {
    gg_ctx *ctx;
    vertex *v;
    size_t n_v, cap_v;
    uint32_t *vslot;        /* vertex hash: id + 1, 0 empty */
    size_t vmask;
    edge *e;
    size_t n_e, cap_e;
    uint32_t *eslot;        /* edge hash by its first two vertices */
    size_t emask;
    uint32_t *edge_v;
    size_t n_edge_v, cap_edge_v, cap_keep;
    unsigned char *keep;    /* per entry of edge_v */
    ref *refs;
    size_t n_refs, cap_refs;
    size_t *ring_ref;       /* per ring: refs [ring_ref[r], ring_ref[r + 1]); raw rings have none */
    unsigned char *raw;     /* per ring: copied as it is (fewer than 3 distinct vertices) */
    uint32_t *ids;          /* scratch: a ring's vertex ids */
    size_t cap_ids;
    double round_step;      /* 0, or the step output coordinates are rounded to */
} topo;

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t k = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL + (a << 6) + (a >> 2));
    k ^= k >> 31;
    k *= 0xBF58476D1CE4E5B9ULL;
    return k ^ (k >> 29);
}

static gg_status vertex_id(topo *t, double x, double y, uint32_t *id)
{
    int64_t qx = llround(x / GG_GRID_DEG), qy = llround(y / GG_GRID_DEG);
    size_t i = mix((uint64_t)qx, (uint64_t)qy) & t->vmask;
    while (t->vslot[i]) {
        vertex *v = &t->v[t->vslot[i] - 1];
        if (v->qx == qx && v->qy == qy) {
            *id = t->vslot[i] - 1;
            return GG_OK;
        }
        i = (i + 1) & t->vmask;
    }
    if (gg_grow(t->ctx, (void **)&t->v, &t->cap_v, t->n_v + 1, sizeof *t->v) != GG_OK)
        return GG_ERR_NOMEM;
    vertex *v = &t->v[t->n_v];
    memset(v, 0, sizeof *v);
    v->qx = qx;
    v->qy = qy;
    v->x = x;
    v->y = y;
    *id = (uint32_t)t->n_v;
    t->vslot[i] = (uint32_t)++t->n_v;
    return GG_OK;
}

static void add_neighbour(vertex *v, uint32_t id)
{
    for (int k = 0; k < v->n_nb && k < 3; k++)
        if (v->nb[k] == id)
            return;
    if (v->n_nb < 3)
        v->nb[v->n_nb++] = id;
}

static int is_junction(const topo *t, uint32_t id)
{
    return t->v[id].n_nb != 2;
}

/* A ring's distinct consecutive vertex ids, without the closing one, into
 * t->ids; *m their number. */
static gg_status ring_ids(topo *t, const gg_ringset *in, size_t r, size_t *m)
{
    size_t a = in->start[r], b = in->start[r + 1];
    *m = 0;
    if (gg_grow(t->ctx, (void **)&t->ids, &t->cap_ids, b - a + 1, sizeof *t->ids) != GG_OK)
        return GG_ERR_NOMEM;
    for (size_t k = a; k + 1 < b; k++) {
        uint32_t id;
        if (vertex_id(t, in->xy[2 * k], in->xy[2 * k + 1], &id) != GG_OK)
            return GG_ERR_NOMEM;
        if (*m == 0 || t->ids[*m - 1] != id)
            t->ids[(*m)++] = id;
    }
    while (*m > 1 && t->ids[*m - 1] == t->ids[0])
        (*m)--;
    return GG_OK;
}

static int pair_less(uint32_t a0, uint32_t a1, uint32_t b0, uint32_t b1)
{
    return a0 < b0 || (a0 == b0 && a1 < b1);
}

/* The edge whose vertices are seq[0..n) (or reversed), made on first
 * sight; a reference to it appended to the ring's. */
static gg_status add_edge_ref(topo *t, const uint32_t *seq, size_t n)
{
    int reversed = pair_less(seq[n - 1], seq[n - 2], seq[0], seq[1]);
    uint32_t c0 = reversed ? seq[n - 1] : seq[0], c1 = reversed ? seq[n - 2] : seq[1];
    size_t i = mix(c0, c1) & t->emask;
    uint32_t found = 0;
    while (t->eslot[i]) {
        const edge *e = &t->e[t->eslot[i] - 1];
        if (t->edge_v[e->first] == c0 && t->edge_v[e->first + 1] == c1) {
            found = t->eslot[i];
            break;
        }
        i = (i + 1) & t->emask;
    }
    if (!found) {
        if (gg_grow(t->ctx, (void **)&t->e, &t->cap_e, t->n_e + 1, sizeof *t->e) != GG_OK)
            return GG_ERR_NOMEM;
        if (gg_grow(t->ctx, (void **)&t->edge_v, &t->cap_edge_v, t->n_edge_v + n, sizeof *t->edge_v) != GG_OK ||
            gg_grow(t->ctx, (void **)&t->keep, &t->cap_keep, t->n_edge_v + n, 1) != GG_OK)
            return GG_ERR_NOMEM;
        edge *e = &t->e[t->n_e];
        e->first = t->n_edge_v;
        e->n = n;
        e->changed = 0;
        e->whole = 0;
        for (size_t k = 0; k < n; k++)
            t->edge_v[t->n_edge_v++] = reversed ? seq[n - 1 - k] : seq[k];
        found = (uint32_t)++t->n_e;
        t->eslot[i] = found;
    }
    if (gg_grow(t->ctx, (void **)&t->refs, &t->cap_refs, t->n_refs + 1, sizeof *t->refs) != GG_OK)
        return GG_ERR_NOMEM;
    t->refs[t->n_refs].edge = found - 1;
    t->refs[t->n_refs].reversed = (unsigned char)reversed;
    t->n_refs++;
    return GG_OK;
}

/* Cuts ring r into edges at its junctions (a ring with none is one
 * closed edge, started at its smallest vertex id). */
static gg_status ring_edges(topo *t, const gg_ringset *in, size_t r, uint32_t *seq)
{
    size_t m;
    if (ring_ids(t, in, r, &m) != GG_OK)
        return GG_ERR_NOMEM;
    if (m < 3) {
        t->raw[r] = 1;
        return GG_OK;
    }
    size_t start = m;
    for (size_t k = 0; k < m && start == m; k++)
        if (is_junction(t, t->ids[k]))
            start = k;
    if (start == m) {
        size_t low = 0;
        for (size_t k = 1; k < m; k++)
            if (t->ids[k] < t->ids[low])
                low = k;
        for (size_t k = 0; k <= m; k++)
            seq[k] = t->ids[(low + k) % m];
        return add_edge_ref(t, seq, m + 1);
    }
    size_t n = 0;
    for (size_t k = 0; k <= m; k++) {
        uint32_t id = t->ids[(start + k) % m];
        seq[n++] = id;
        if (k > 0 && is_junction(t, id)) {
            if (add_edge_ref(t, seq, n) != GG_OK)
                return GG_ERR_NOMEM;
            seq[0] = id;
            n = 1;
        }
    }
    return GG_OK;
}

static double segment_distance(double px, double py, double ax, double ay, double bx, double by)
{
    double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
    double u = len2 > 0 ? ((px - ax) * dx + (py - ay) * dy) / len2 : 0;
    u = u < 0 ? 0 : u > 1 ? 1 : u;
    double ex = ax + u * dx - px, ey = ay + u * dy - py;
    return sqrt(ex * ex + ey * ey);
}

/* Douglas-Peucker over the vertices [a, b] of edge e (recursion depth is
 * bounded by the stack of spans kept in stack). */
static void douglas_peucker(topo *t, const edge *e, size_t a, size_t b, double tol, double xs, size_t *stack)
{
    size_t top = 0;
    stack[top++] = a;
    stack[top++] = b;
    while (top) {
        size_t hi = stack[--top], lo = stack[--top];
        if (hi <= lo + 1)
            continue;
        const vertex *va = &t->v[t->edge_v[e->first + lo]], *vb = &t->v[t->edge_v[e->first + hi]];
        double best = -1;
        size_t at = lo;
        for (size_t k = lo + 1; k < hi; k++) {
            const vertex *p = &t->v[t->edge_v[e->first + k]];
            double d = segment_distance(p->x * xs, p->y, va->x * xs, va->y, vb->x * xs, vb->y);
            if (d > best) {
                best = d;
                at = k;
            }
        }
        if (best > tol) {
            t->keep[e->first + at] = 1;
            stack[top++] = lo;
            stack[top++] = at;
            stack[top++] = at;
            stack[top++] = hi;
        }
    }
}

/* Marks the vertices of edge e kept at its tolerance. A closed edge (a
 * ring with no junction) is cut at its vertex farthest from the start and
 * keeps at least 4 points. */
static gg_status simplify_edge(topo *t, edge *e, double xs, size_t **stack, size_t *cap)
{
    unsigned char *keep = t->keep + e->first;
    memset(keep, e->tolerance > 0 ? 0 : 1, e->n);
    keep[0] = keep[e->n - 1] = 1;
    if (e->tolerance <= 0 || e->n < 3)
        return GG_OK;
    if (gg_grow(t->ctx, (void **)stack, cap, 2 * e->n + 8, sizeof **stack) != GG_OK)
        return GG_ERR_NOMEM;
    if (t->edge_v[e->first] != t->edge_v[e->first + e->n - 1]) {
        douglas_peucker(t, e, 0, e->n - 1, e->tolerance, xs, *stack);
        return GG_OK;
    }
    const vertex *s = &t->v[t->edge_v[e->first]];
    size_t far = 1;
    double best = -1;
    for (size_t k = 1; k + 1 < e->n; k++) {
        const vertex *p = &t->v[t->edge_v[e->first + k]];
        double d = hypot((p->x - s->x) * xs, p->y - s->y);
        if (d > best) {
            best = d;
            far = k;
        }
    }
    keep[far] = 1;
    douglas_peucker(t, e, 0, far, e->tolerance, xs, *stack);
    douglas_peucker(t, e, far, e->n - 1, e->tolerance, xs, *stack);
    size_t kept = 0;
    for (size_t k = 0; k < e->n; k++)
        kept += keep[k];
    if (kept < 4) {
        /* a triangle at least: the vertex farthest from the chord */
        const vertex *f = &t->v[t->edge_v[e->first + far]];
        best = -1;
        size_t at = 0;
        for (size_t k = 1; k + 1 < e->n; k++) {
            const vertex *p = &t->v[t->edge_v[e->first + k]];
            double d = segment_distance(p->x * xs, p->y, s->x * xs, s->y, f->x * xs, f->y);
            if (k != far && d > best) {
                best = d;
                at = k;
            }
        }
        if (at)
            keep[at] = 1;
    }
    return GG_OK;
}

/* out rebuilt from in's rings, each from its edges' kept vertices. */
static gg_status rebuild(topo *t, const gg_ringset *in, gg_ringset *out)
{
    out->n_rings = 0;
    out->n_points = 0;
    for (size_t r = 0; r < in->n_rings; r++) {
        size_t n = in->start[r + 1] - in->start[r];
        if (ring_begin(t->ctx, out, in->poly[r], in->hole[r], n) != GG_OK)
            return GG_ERR_NOMEM;
        if (t->raw[r]) {
            memcpy(out->xy + 2 * out->n_points, in->xy + 2 * in->start[r], 2 * n * sizeof *out->xy);
            out->n_points += n;
            ring_end(out);
            continue;
        }
        size_t at = out->n_points;
        for (size_t f = t->ring_ref[r]; f < t->ring_ref[r + 1]; f++) {
            const edge *e = &t->e[t->refs[f].edge];
            int rev = t->refs[f].reversed;
            for (size_t j = 0; j < e->n; j++) {
                size_t k = rev ? e->n - 1 - j : j;
                if (!t->keep[e->first + k] || (j == 0 && f > t->ring_ref[r]))
                    continue;
                const vertex *v = &t->v[t->edge_v[e->first + k]];
                double x = v->x, y = v->y;
                if (t->round_step > 0 && !v->exact) {
                    x = round(x / t->round_step) * t->round_step;
                    y = round(y / t->round_step) * t->round_step;
                }
                if (at > out->n_points && out->xy[2 * at - 2] == x && out->xy[2 * at - 1] == y)
                    continue;
                out->xy[2 * at] = x;
                out->xy[2 * at + 1] = y;
                at++;
            }
        }
        out->n_points = at;
        ring_end(out);
    }
    return GG_OK;
}

static void topo_free(topo *t)
{
    gg_ctx *ctx = t->ctx;
    gg_free(ctx, t->v);
    gg_free(ctx, t->vslot);
    gg_free(ctx, t->e);
    gg_free(ctx, t->eslot);
    gg_free(ctx, t->edge_v);
    gg_free(ctx, t->keep);
    gg_free(ctx, t->refs);
    gg_free(ctx, t->ring_ref);
    gg_free(ctx, t->raw);
    gg_free(ctx, t->ids);
}

static size_t table_size(size_t n)
{
    size_t s = 16;
    while (s < 2 * n + 16)
        s <<= 1;
    return s;
}

static gg_status build_topology(topo *t, const gg_ringset *in)
{
    gg_ctx *ctx = t->ctx;
    size_t vs = table_size(in->n_points), es = table_size(in->n_points);
    t->vslot = gg_calloc(ctx, vs, sizeof *t->vslot);
    t->eslot = gg_calloc(ctx, es, sizeof *t->eslot);
    t->ring_ref = gg_calloc(ctx, in->n_rings + 1, sizeof *t->ring_ref);
    t->raw = gg_calloc(ctx, in->n_rings + 1, 1);
    if (!t->vslot || !t->eslot || !t->ring_ref || !t->raw)
        return gg_error_nomem(ctx);
    t->vmask = vs - 1;
    t->emask = es - 1;
    /* Neighbours first: a junction is known only once every ring is read. */
    for (size_t r = 0; r < in->n_rings; r++) {
        size_t m;
        if (ring_ids(t, in, r, &m) != GG_OK)
            return GG_ERR_NOMEM;
        for (size_t k = 0; m >= 2 && k < m; k++) {
            uint32_t a = t->ids[k], b = t->ids[(k + 1) % m];
            add_neighbour(&t->v[a], b);
            add_neighbour(&t->v[b], a);
        }
    }
    uint32_t *seq = NULL;
    size_t longest = 0;
    for (size_t r = 0; r < in->n_rings; r++)
        if (in->start[r + 1] - in->start[r] > longest)
            longest = in->start[r + 1] - in->start[r];
    seq = gg_malloc(ctx, (longest + 2) * sizeof *seq);
    if (seq == NULL)
        return gg_error_nomem(ctx);
    gg_status st = GG_OK;
    for (size_t r = 0; st == GG_OK && r < in->n_rings; r++) {
        t->ring_ref[r] = t->n_refs;
        st = ring_edges(t, in, r, seq);
    }
    t->ring_ref[in->n_rings] = t->n_refs;
    gg_free(ctx, seq);
    return st;
}

/* A ring of fewer than 4 points, or with no area. */
static int ring_collapsed(const gg_ringset *set, size_t r)
{
    size_t a = set->start[r], b = set->start[r + 1];
    if (b - a < 4)
        return 1;
    double twice = 0;
    for (size_t k = a; k + 1 < b; k++)
        twice += (set->xy[2 * k] - set->xy[2 * a]) * (set->xy[2 * k + 3] - set->xy[2 * a + 1]) -
                 (set->xy[2 * k + 2] - set->xy[2 * a]) * (set->xy[2 * k + 1] - set->xy[2 * a + 1]);
    return twice == 0;
}

/* The edge simplified again, finer (a quarter of its tolerance), and in
 * the last round not at all, its vertices then written unrounded (marked
 * 2 until the edges through them are moved too). 1 when it changed. */
static int degrade(topo *t, edge *e, int round, gg_simplify_stats *stats)
{
    if (e->changed || e->whole)
        return 0;
    e->changed = 1;
    if (stats)
        stats->edges_kept++;
    if (round < 2 && e->tolerance > 0) {
        e->tolerance /= 4;
        return 1;
    }
    e->tolerance = 0;
    e->whole = 1;
    for (size_t k = 0; k < e->n; k++)
        if (!t->v[t->edge_v[e->first + k]].exact)
            t->v[t->edge_v[e->first + k]].exact = 2;
    return 1;
}

static int polygon_ok(gg_ctx *ctx, const gg_ringset *set, size_t first, size_t last)
{
    GEOSGeometry *g = rings_polygon(ctx, set, first, last);
    if (g == NULL)
        return 0;
    int ok = GEOSisValid_r(ctx->geos, g) == 1;
    GEOSGeom_destroy_r(ctx->geos, g);
    return ok;
}

gg_status gg_coverage_simplify(gg_ctx *ctx, const gg_ringset *in, double tolerance, double x_scale,
                               double round_step, gg_ringset *out, gg_simplify_stats *stats)
{
    memset(out, 0, sizeof *out);
    if (stats)
        memset(stats, 0, sizeof *stats);
    topo t;
    memset(&t, 0, sizeof t);
    t.ctx = ctx;
    t.round_step = round_step;
    size_t *stack = NULL, cap_stack = 0;
    uint32_t n_polys = 0;
    for (size_t r = 0; r < in->n_rings; r++)
        if (in->poly[r] + 1 > n_polys)
            n_polys = in->poly[r] + 1;
    unsigned char *check = gg_calloc(ctx, n_polys + 1, 1);
    gg_status st = check ? build_topology(&t, in) : gg_error_nomem(ctx);
    for (size_t k = 0; st == GG_OK && k < t.n_e; k++) {
        t.e[k].tolerance = tolerance;
        st = simplify_edge(&t, &t.e[k], x_scale, &stack, &cap_stack);
    }
    if (st == GG_OK)
        st = rebuild(&t, in, out);
    memset(check, 1, n_polys);
    /* Polygons left invalid: their edges again, finer, then whole; the
     * neighbours sharing a changed edge, or a junction now unrounded, are
     * checked again. Ends: an edge is degraded at most three times. */
    for (int round = 0; st == GG_OK && (tolerance > 0 || round_step > 0); round++) {
        int any = 0;
        for (size_t k = 0; k < t.n_e; k++)
            t.e[k].changed = 0;
        for (size_t r = 0; r < in->n_rings;) {
            uint32_t p = in->poly[r];
            size_t end = r;
            while (end < in->n_rings && in->poly[end] == p)
                end++;
            if (check[p] && !polygon_ok(ctx, out, r, end)) {
                /* a collapsed ring blames its own edges; else every edge of the polygon */
                int collapsed = 0;
                for (size_t q = r; q < end; q++)
                    collapsed |= ring_collapsed(out, q);
                for (size_t q = r; q < end; q++) {
                    if (collapsed && !ring_collapsed(out, q))
                        continue;
                    for (size_t f = t.ring_ref[q]; f < t.ring_ref[q + 1]; f++)
                        any |= degrade(&t, &t.e[t.refs[f].edge], round, stats);
                }
            }
            r = end;
        }
        if (!any)
            break;
        /* an edge through a vertex now written exactly moves too */
        for (size_t k = 0; k < t.n_e; k++) {
            const edge *e = &t.e[k];
            if (t.v[t.edge_v[e->first]].exact == 2 || t.v[t.edge_v[e->first + e->n - 1]].exact == 2)
                t.e[k].changed = 1;
        }
        for (size_t k = 0; k < t.n_v; k++)
            if (t.v[k].exact == 2)
                t.v[k].exact = 1;
        for (size_t k = 0; st == GG_OK && k < t.n_e; k++)
            if (t.e[k].changed)
                st = simplify_edge(&t, &t.e[k], x_scale, &stack, &cap_stack);
        memset(check, 0, n_polys);
        for (size_t r = 0; r < in->n_rings; r++)
            for (size_t f = t.ring_ref[r]; f < t.ring_ref[r + 1]; f++)
                if (t.e[t.refs[f].edge].changed)
                    check[in->poly[r]] = 1;
        if (st == GG_OK)
            st = rebuild(&t, in, out);
    }
    if (st == GG_OK && stats) {
        stats->edges = t.n_e;
        stats->points_in = in->n_points;
        stats->points_out = out->n_points;
    }
    if (st != GG_OK)
        gg_ringset_clear(ctx, out);
    gg_free(ctx, stack);
    gg_free(ctx, check);
    topo_free(&t);
    return st;
}
