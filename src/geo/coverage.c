/* Polygons that tile a region, rebuilt as a clean polygonal coverage.
 *
 * Grids made by overlaying and merging blocks and Voronoi cells in
 * floating point are valid in the coordinates they were computed in, but
 * some only by a hair: a hole that runs 16 m along an edge and 7.5 m back
 * up it 1e-10 degrees away, parts of zero area, a neighbour's vertex a
 * nanometre off the shared edge. Any reprojection moves such a vertex
 * across the edge, and the ring self-intersects. Repairing each polygon on
 * its own cannot fix it without opening gaps between neighbours; the fix
 * is to rebuild the whole coverage from its linework: the boundaries of
 * the region and of every polygon are snap-rounded together on one grid
 * (every vertex is a grid point, and no segment passes through the pixel
 * of a vertex it does not end at), the faces of that arrangement are
 * found, and each face goes to the polygon that holds it. Neighbours then
 * share their common boundary by construction, and a back-track becomes
 * a dangling edge that the polygonizer never puts into a ring. */
#include "geo/coverage.h"
#include "geo/shapes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct box {
    double x0, y0, x1, y1;
} box;

static void envelope(GEOSContextHandle_t h, const GEOSGeometry *g, box *b)
{
    GEOSGeom_getXMin_r(h, g, &b->x0);
    GEOSGeom_getYMin_r(h, g, &b->y0);
    GEOSGeom_getXMax_r(h, g, &b->x1);
    GEOSGeom_getYMax_r(h, g, &b->y1);
}

static int boxes_meet(const box *a, const box *b)
{
    return a->x0 <= b->x1 && b->x0 <= a->x1 && a->y0 <= b->y1 && b->y0 <= a->y1;
}

static int box_holds(const box *b, double x, double y)
{
    return x >= b->x0 && x <= b->x1 && y >= b->y0 && y <= b->y1;
}

static double area_m2(GEOSContextHandle_t h, const GEOSGeometry *g, const gg_coverage_options *o)
{
    double a = 0;
    if (GEOSArea_r(h, g, &a) != 1)
        return 0;
    return a * o->mx * o->my;
}

/* The length of boundary that a and b share (0 when they only touch at
 * points); -1 when GEOS fails. */
static double shared_length(GEOSContextHandle_t h, const GEOSGeometry *a, const GEOSGeometry *b)
{
    GEOSGeometry *ba = GEOSBoundary_r(h, a), *bb = GEOSBoundary_r(h, b);
    GEOSGeometry *common = ba && bb ? GEOSIntersection_r(h, ba, bb) : NULL;
    double length = -1;
    if (common == NULL || GEOSLength_r(h, common, &length) != 1)
        length = -1;
    if (ba)
        GEOSGeom_destroy_r(h, ba);
    if (bb)
        GEOSGeom_destroy_r(h, bb);
    if (common)
        GEOSGeom_destroy_r(h, common);
    return length;
}

/* Every vertex of the linework that lies within snap of a segment it does
 * not end (and not at one of its ends) inserted into that segment, in order
 * along it: the segment-snapping half of GEOS's snap, done here because
 * GEOS never snaps a line to a point that is one of its own vertices, and
 * the slivers to close are exactly where one grid's ring runs 7 mm past its
 * own vertex (a ring that went along the community's edge and back up it).
 * The vertices are sorted by x, and each segment looks at those within its
 * box grown by snap. */
typedef struct vertex {
    double x, y;
} vertex;

typedef struct along {
    double t, x, y;
} along;

static int compare_vertex_x(const void *a, const void *b)
{
    const vertex *p = a, *q = b;
    return p->x < q->x ? -1 : p->x > q->x ? 1 : (p->y < q->y ? -1 : p->y > q->y);
}

static int compare_along(const void *a, const void *b)
{
    const along *p = a, *q = b;
    return p->t < q->t ? -1 : p->t > q->t;
}

typedef struct inserter {
    gg_ctx *ctx;
    vertex *v;
    size_t nv, cap_v;
    along *found;
    size_t cap_found;
    double *xy;                 /* the new line's coordinates */
    size_t cap_xy;
} inserter;

/* fn called on every line or ring of g (a line, or collections of them,
 * nested), in order; stops at the first status that is not GG_OK. */
typedef gg_status (*line_visit)(gg_ctx *ctx, const GEOSGeometry *line, void *arg);

static gg_status each_line(gg_ctx *ctx, const GEOSGeometry *g, line_visit fn, void *arg)
{
    GEOSContextHandle_t h = ctx->geos;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_LINESTRING || type == GEOS_LINEARRING)
        return fn(ctx, g, arg);
    for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++) {
        gg_status st = each_line(ctx, GEOSGetGeometryN_r(h, g, i), fn, arg);
        if (st != GG_OK)
            return st;
    }
    return GG_OK;
}

static gg_status gather_line_vertices(gg_ctx *ctx, const GEOSGeometry *line, void *arg)
{
    inserter *in = arg;
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, line);
    unsigned m = 0;
    if (s == NULL || GEOSCoordSeq_getSize_r(h, s, &m) != 1)
        return GG_OK;
    for (unsigned i = 0; i < m; i++) {
        gg_status st = gg_grow(ctx, (void **)&in->v, &in->cap_v, in->nv + 1, sizeof *in->v);
        if (st != GG_OK)
            return st;
        GEOSCoordSeq_getXY_r(h, s, i, &in->v[in->nv].x, &in->v[in->nv].y);
        in->nv++;
    }
    return GG_OK;
}

static gg_status gather_vertices(inserter *in, const GEOSGeometry *g)
{
    return each_line(in->ctx, g, gather_line_vertices, in);
}

static gg_status push_xy(inserter *in, size_t *n, double x, double y)
{
    if (*n >= 2 && in->xy[*n - 2] == x && in->xy[*n - 1] == y)
        return GG_OK;
    gg_status st = gg_grow(in->ctx, (void **)&in->xy, &in->cap_xy, *n + 2, sizeof *in->xy);
    if (st != GG_OK)
        return st;
    in->xy[(*n)++] = x;
    in->xy[(*n)++] = y;
    return GG_OK;
}

/* One line with the nearby vertices inserted into its segments; NULL with
 * the error recorded. */
static GEOSGeometry *insert_into_line(inserter *in, const GEOSGeometry *line, double snap)
{
    GEOSContextHandle_t h = in->ctx->geos;
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, line);
    unsigned m = 0;
    if (s == NULL || GEOSCoordSeq_getSize_r(h, s, &m) != 1 || m < 2)
        return GEOSGeom_clone_r(h, line);
    size_t nxy = 0;
    gg_status st = GG_OK;
    double ax, ay, bx, by;
    GEOSCoordSeq_getXY_r(h, s, 0, &ax, &ay);
    for (unsigned i = 1; i < m && st == GG_OK; i++, ax = bx, ay = by) {
        GEOSCoordSeq_getXY_r(h, s, i, &bx, &by);
        st = push_xy(in, &nxy, ax, ay);
        double dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        if (len2 == 0 || st != GG_OK)
            continue;
        double x0 = (ax < bx ? ax : bx) - snap, x1 = (ax < bx ? bx : ax) + snap;
        double y0 = (ay < by ? ay : by) - snap, y1 = (ay < by ? by : ay) + snap;
        size_t lo = 0, hi = in->nv, nf = 0;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (in->v[mid].x < x0)
                lo = mid + 1;
            else
                hi = mid;
        }
        for (size_t k = lo; k < in->nv && in->v[k].x <= x1 && st == GG_OK; k++) {
            const vertex *w = &in->v[k];
            if (w->y < y0 || w->y > y1 || (w->x == ax && w->y == ay) || (w->x == bx && w->y == by))
                continue;
            if (nf > 0 && in->found[nf - 1].x == w->x && in->found[nf - 1].y == w->y)
                continue; /* the same vertex again (sorted: duplicates are adjacent) */
            double t = ((w->x - ax) * dx + (w->y - ay) * dy) / len2;
            if (t <= 0 || t >= 1)
                continue;
            double ex = ax + t * dx - w->x, ey = ay + t * dy - w->y;
            if (ex * ex + ey * ey > snap * snap)
                continue;
            st = gg_grow(in->ctx, (void **)&in->found, &in->cap_found, nf + 1, sizeof *in->found);
            if (st == GG_OK)
                in->found[nf++] = (along){t, w->x, w->y};
        }
        if (nf > 1)
            qsort(in->found, nf, sizeof *in->found, compare_along);
        for (size_t k = 0; k < nf && st == GG_OK; k++)
            st = push_xy(in, &nxy, in->found[k].x, in->found[k].y);
    }
    if (st == GG_OK)
        st = push_xy(in, &nxy, ax, ay);
    if (st != GG_OK)
        return NULL;
    if (nxy < 4)
        return GEOSGeom_clone_r(h, line);
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, in->xy, (unsigned)(nxy / 2), 0, 0);
    return seq ? GEOSGeom_createLineString_r(h, seq) : NULL;
}

/* Every line of g (a line, or a collection of them, nested) made anew by
 * fn and appended to *out. */
typedef GEOSGeometry *(*line_fn)(inserter *in, const GEOSGeometry *line, const void *arg);

typedef struct mapping {
    inserter *in;
    line_fn fn;
    const void *arg;
    GEOSGeometry ***out;
    size_t *n, *cap;
} mapping;

static gg_status map_line(gg_ctx *ctx, const GEOSGeometry *line, void *arg)
{
    mapping *m = arg;
    gg_status st = gg_grow(ctx, (void **)m->out, m->cap, *m->n + 1, sizeof **m->out);
    if (st != GG_OK)
        return st;
    GEOSGeometry *made = m->fn(m->in, line, m->arg);
    if (made == NULL)
        return ctx->errcode == GG_ERR_NOMEM ? GG_ERR_NOMEM
                                             : gg_error(ctx, GG_ERR_GEOMETRY, "snapping a line: %s", ctx->geos_msg);
    (*m->out)[(*m->n)++] = made;
    return GG_OK;
}

static gg_status map_lines(inserter *in, const GEOSGeometry *g, line_fn fn, const void *arg, GEOSGeometry ***out,
                           size_t *n, size_t *cap)
{
    mapping m = {in, fn, arg, out, n, cap};
    return each_line(in->ctx, g, map_line, &m);
}

static GEOSGeometry *insert_fn(inserter *in, const GEOSGeometry *line, const void *arg)
{
    return insert_into_line(in, line, *(const double *)arg);
}

typedef struct region_edges {
    double *xy;                 /* segments: x0 y0 x1 y1, by their smaller x */
    size_t n;
} region_edges;

static int compare_segment_minx(const void *a, const void *b)
{
    const double *p = a, *q = b;
    double pa = p[0] < p[2] ? p[0] : p[2], qa = q[0] < q[2] ? q[0] : q[2];
    return pa < qa ? -1 : pa > qa;
}

typedef struct segments {
    double mx, my;
    double **xy;
    size_t *n, *cap;
} segments;

static gg_status line_segments(gg_ctx *ctx, const GEOSGeometry *line, void *arg)
{
    segments *sg = arg;
    GEOSContextHandle_t h = ctx->geos;
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, line);
    unsigned m = 0;
    if (s == NULL || GEOSCoordSeq_getSize_r(h, s, &m) != 1)
        return GG_OK;
    for (unsigned i = 0; i + 1 < m; i++) {
        gg_status st = gg_grow(ctx, (void **)sg->xy, sg->cap, 4 * (*sg->n + 1), sizeof **sg->xy);
        if (st != GG_OK)
            return st;
        double *q = *sg->xy + 4 * (*sg->n)++;
        GEOSCoordSeq_getXY_r(h, s, i, &q[0], &q[1]);
        GEOSCoordSeq_getXY_r(h, s, i + 1, &q[2], &q[3]);
        q[0] *= sg->mx, q[2] *= sg->mx, q[1] *= sg->my, q[3] *= sg->my;
    }
    return GG_OK;
}

gg_status gg_geom_segments(gg_ctx *ctx, const GEOSGeometry *g, double mx, double my, double **xy, size_t *n,
                           size_t *cap)
{
    segments sg = {mx, my, xy, n, cap};
    return each_line(ctx, g, line_segments, &sg);
}

/* A grid line's vertex within snap of the region's boundary moved onto
 * it: to the nearest of its vertices within snap, else to the nearest
 * point of its nearest segment. The region's boundary itself never moves
 * (the union of the grids must stay within the rounding of it). */
static void onto_region(const region_edges *e, double snap, double *x, double *y)
{
    double best = snap * snap, bx = *x, by = *y;
    int at_vertex = 0;
    for (size_t i = 0; i < e->n; i++) {
        const double *q = e->xy + 4 * i;
        double minx = q[0] < q[2] ? q[0] : q[2];
        if (minx > *x + snap)
            break;
        double maxx = q[0] < q[2] ? q[2] : q[0], miny = q[1] < q[3] ? q[1] : q[3], maxy = q[1] < q[3] ? q[3] : q[1];
        if (maxx < *x - snap || miny > *y + snap || maxy < *y - snap)
            continue;
        for (int k = 0; k < 4; k += 2) { /* its ends first: a vertex beats a segment */
            double d = (q[k] - *x) * (q[k] - *x) + (q[k + 1] - *y) * (q[k + 1] - *y);
            if (d <= best || (d <= snap * snap && !at_vertex)) {
                best = d;
                bx = q[k];
                by = q[k + 1];
                at_vertex = 1;
            }
        }
        if (at_vertex)
            continue;
        double dx = q[2] - q[0], dy = q[3] - q[1], len2 = dx * dx + dy * dy;
        if (len2 == 0)
            continue;
        double t = ((*x - q[0]) * dx + (*y - q[1]) * dy) / len2;
        if (t <= 0 || t >= 1)
            continue;
        double px = q[0] + t * dx, py = q[1] + t * dy;
        double d = (px - *x) * (px - *x) + (py - *y) * (py - *y);
        if (d < best) {
            best = d;
            bx = px;
            by = py;
        }
    }
    *x = bx;
    *y = by;
}

/* A copy of line with every vertex near the region's boundary moved onto
 * it. */
static GEOSGeometry *line_onto_region(inserter *in, const GEOSGeometry *line, const region_edges *e, double snap)
{
    GEOSContextHandle_t h = in->ctx->geos;
    const GEOSCoordSequence *s = GEOSGeom_getCoordSeq_r(h, line);
    unsigned m = 0;
    if (s == NULL || GEOSCoordSeq_getSize_r(h, s, &m) != 1 || m < 2)
        return GEOSGeom_clone_r(h, line);
    size_t nxy = 0;
    for (unsigned i = 0; i < m; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, s, i, &x, &y);
        onto_region(e, snap, &x, &y);
        if (push_xy(in, &nxy, x, y) != GG_OK)
            return NULL;
    }
    if (nxy < 4)
        return GEOSGeom_clone_r(h, line);
    GEOSCoordSequence *seq = GEOSCoordSeq_copyFromBuffer_r(h, in->xy, (unsigned)(nxy / 2), 0, 0);
    return seq ? GEOSGeom_createLineString_r(h, seq) : NULL;
}

typedef struct onto_arg {
    const region_edges *e;
    double snap;
} onto_arg;

static GEOSGeometry *onto_fn(inserter *in, const GEOSGeometry *line, const void *arg)
{
    const onto_arg *a = arg;
    return line_onto_region(in, line, a->e, a->snap);
}

/* The grids' lines snapped within snap, the region's boundary left as it
 * is: the grids' vertices near the region's boundary moved onto it, then
 * every vertex (the region's and the grids') near a grid segment inserted
 * into it. Returns the snapped lines as one collection. */
static GEOSGeometry *snap_each(gg_ctx *ctx, const GEOSGeometry *boundary, const GEOSGeometry *grid_lines,
                               double snap)
{
    GEOSContextHandle_t h = ctx->geos;
    inserter in;
    memset(&in, 0, sizeof in);
    in.ctx = ctx;
    region_edges e = {NULL, 0};
    size_t cap_e = 0;
    GEOSGeometry **moved = NULL, **lines = NULL;
    size_t n_moved = 0, cap_moved = 0, n = 0, cap = 0;
    gg_status st = gg_geom_segments(ctx, boundary, 1, 1, &e.xy, &e.n, &cap_e);
    if (st == GG_OK && e.n > 1)
        qsort(e.xy, e.n, 4 * sizeof *e.xy, compare_segment_minx);
    onto_arg onto = {&e, snap};
    if (st == GG_OK)
        st = map_lines(&in, grid_lines, onto_fn, &onto, &moved, &n_moved, &cap_moved);
    GEOSGeometry *moved_all = NULL;
    if (st == GG_OK) {
        moved_all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, moved, (unsigned)n_moved);
        if (moved_all == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "collecting lines: %s", ctx->geos_msg);
        else
            n_moved = 0; /* taken by the collection */
    }
    if (st == GG_OK)
        st = gather_vertices(&in, boundary);
    if (st == GG_OK)
        st = gather_vertices(&in, moved_all);
    if (st == GG_OK && in.nv > 1)
        qsort(in.v, in.nv, sizeof *in.v, compare_vertex_x);
    if (st == GG_OK)
        st = map_lines(&in, moved_all, insert_fn, &snap, &lines, &n, &cap);
    GEOSGeometry *result = NULL;
    if (st == GG_OK)
        result = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, lines, (unsigned)n);
    if (result == NULL)
        for (size_t i = 0; i < n; i++)
            GEOSGeom_destroy_r(h, lines[i]);
    for (size_t i = 0; i < n_moved; i++)
        GEOSGeom_destroy_r(h, moved[i]);
    if (moved_all)
        GEOSGeom_destroy_r(h, moved_all);
    gg_free(ctx, moved);
    gg_free(ctx, lines);
    gg_free(ctx, e.xy);
    gg_free(ctx, in.v);
    gg_free(ctx, in.found);
    gg_free(ctx, in.xy);
    return result;
}

GEOSGeometry *gg_point_on_grid(GEOSContextHandle_t h, double x, double y)
{
    GEOSGeometry *p = GEOSGeom_createPointFromXY_r(h, x, y);
    GEOSGeometry *q = p ? GEOSUnaryUnionPrec_r(h, p, GG_GRID_DEG) : NULL;
    if (p)
        GEOSGeom_destroy_r(h, p);
    return q;
}

/* The lines with every pin within 0.75 grid steps of one of them made a
 * vertex of it (inserted into the segment it lies near). A pin on the grid
 * stays where it is through the snap-rounding, and the line then runs
 * through it: a household exactly on the community's edge is on its
 * grids' edge, never in the half-centimetre the rounding would otherwise
 * move that edge by. Returns a new collection; lines is left alone. */
static GEOSGeometry *pinned_lines(gg_ctx *ctx, const GEOSGeometry *lines_in, const gg_coverage_options *o)
{
    GEOSContextHandle_t h = ctx->geos;
    if (o->n_pins == 0)
        return GEOSGeom_clone_r(h, lines_in);
    inserter in;
    memset(&in, 0, sizeof in);
    in.ctx = ctx;
    in.v = gg_malloc(ctx, o->n_pins * sizeof *in.v);
    GEOSGeometry **lines = NULL;
    size_t n = 0, cap = 0;
    gg_status st = in.v ? GG_OK : GG_ERR_NOMEM;
    for (size_t i = 0; i < o->n_pins && st == GG_OK; i++)
        in.v[in.nv++] = (vertex){o->pin_x[i], o->pin_y[i]};
    if (st == GG_OK && in.nv > 1)
        qsort(in.v, in.nv, sizeof *in.v, compare_vertex_x);
    /* Snap-rounding moves a line by at most half a pixel's diagonal
     * (0.71 of a step): pins farther inside cannot end up outside, and
     * bending the edge to nearer ones moves it less than a centimetre. */
    double pin_m = 0.75 * o->grid;
    if (st == GG_OK)
        st = map_lines(&in, lines_in, insert_fn, &pin_m, &lines, &n, &cap);
    GEOSGeometry *result =
        st == GG_OK ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, lines, (unsigned)n) : NULL;
    if (result == NULL)
        for (size_t i = 0; i < n; i++)
            GEOSGeom_destroy_r(h, lines[i]);
    if (st == GG_ERR_NOMEM)
        gg_error_nomem(ctx);
    gg_free(ctx, lines);
    gg_free(ctx, in.v);
    gg_free(ctx, in.found);
    gg_free(ctx, in.xy);
    return result;
}

/* The boundaries of every polygon, noded together with snap-rounding on
 * the grid. The region's own boundary is not among them: the polygons
 * tile the region, so their outer edges already run along it, and each of
 * its segments would only be one more copy for the noder to merge (the
 * noding is most of a clean-up's time); it serves as the reference that
 * snapping moves vertices onto. */
static GEOSGeometry *noded_linework(gg_ctx *ctx, const GEOSGeometry *region, GEOSGeometry *const *polys, size_t n,
                                    const gg_coverage_options *o)
{
    GEOSContextHandle_t h = ctx->geos;
    GEOSGeometry **lines = gg_malloc(ctx, (n ? n : 1) * sizeof *lines);
    if (lines == NULL)
        return NULL;
    size_t m = 0;
    int ok = 1;
    for (size_t i = 0; i < n && ok; i++) {
        if (polys[i] == NULL)
            continue;
        lines[m] = GEOSBoundary_r(h, polys[i]);
        ok = lines[m] != NULL;
        m += ok;
    }
    GEOSGeometry *all = ok ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, lines, (unsigned)m) : NULL;
    if (all == NULL)
        for (size_t i = 0; i < m; i++)
            GEOSGeom_destroy_r(h, lines[i]);
    gg_free(ctx, lines);
    if (all != NULL && o->snap > 0) {
        GEOSGeometry *boundary = GEOSBoundary_r(h, region);
        GEOSGeometry *snapped = boundary ? snap_each(ctx, boundary, all, o->snap) : NULL;
        if (boundary)
            GEOSGeom_destroy_r(h, boundary);
        GEOSGeom_destroy_r(h, all);
        all = snapped;
    }
    GEOSGeometry *pinned = all ? pinned_lines(ctx, all, o) : NULL;
    if (all)
        GEOSGeom_destroy_r(h, all);
    GEOSGeometry *noded = pinned ? GEOSUnaryUnionPrec_r(h, pinned, o->grid) : NULL;
    if (pinned)
        GEOSGeom_destroy_r(h, pinned);
    return noded;
}

enum { FACE_OUTSIDE = -1, FACE_GAP = -2 };

typedef struct work {
    gg_ctx *ctx;
    const gg_coverage_options *o;
    GEOSGeometry *const *polys;
    size_t n;
    const GEOSPreparedGeometry **prep;
    box *pbox;
    const GEOSPreparedGeometry *region;
    const GEOSGeometry *faces;
    int nf;
    int *owner;
    box *fbox;
} work;

/* The polygon a face belongs to: the one that covers its interior point,
 * when that is one and the face is not a speck; else the one whose
 * overlap with it is largest, if that is at least half the face; else
 * the face is a gap in the input (its point is in the region) or lies
 * outside the region. */
static int face_owner(work *w, int k, gg_status *st)
{
    GEOSContextHandle_t h = w->ctx->geos;
    const GEOSGeometry *f = GEOSGetGeometryN_r(h, w->faces, k);
    double fa = area_m2(h, f, w->o);
    GEOSGeometry *p = GEOSPointOnSurface_r(h, f);
    if (p == NULL) {
        *st = gg_error(w->ctx, GG_ERR_GEOMETRY, "point on a face: %s", w->ctx->geos_msg);
        return FACE_OUTSIDE;
    }
    double px = 0, py = 0;
    GEOSGeomGetX_r(h, p, &px);
    GEOSGeomGetY_r(h, p, &py);
    int covering = 0, last = -1;
    for (size_t i = 0; i < w->n; i++) {
        if (w->prep[i] == NULL || !box_holds(&w->pbox[i], px, py))
            continue;
        if (GEOSPreparedCovers_r(h, w->prep[i], p) == 1) {
            covering++;
            last = (int)i;
        }
    }
    int owner = FACE_OUTSIDE;
    if (covering == 1 && fa >= w->o->part_min_m2) {
        owner = last;
    } else {
        double best = 0;
        for (size_t i = 0; i < w->n && *st == GG_OK; i++) {
            if (w->prep[i] == NULL || !boxes_meet(&w->pbox[i], &w->fbox[k]))
                continue;
            GEOSGeometry *common = GEOSIntersection_r(h, w->polys[i], f);
            if (common == NULL) {
                *st = gg_error(w->ctx, GG_ERR_GEOMETRY, "overlaying a face: %s", w->ctx->geos_msg);
                break;
            }
            double a = area_m2(h, common, w->o);
            GEOSGeom_destroy_r(h, common);
            if (a > best) {
                best = a;
                owner = (int)i;
            }
        }
        if (owner >= 0 && best < 0.5 * fa)
            owner = FACE_OUTSIDE;
        /* A speck between the rounded lines is filled from a neighbour even
         * where its point falls outside the region: the region's edge was
         * bent through a pinned point, or a grid's edge ran a hair outside
         * it. */
        if (owner == FACE_OUTSIDE && (fa < w->o->part_min_m2 || GEOSPreparedCovers_r(h, w->region, p) == 1))
            owner = FACE_GAP;
    }
    GEOSGeom_destroy_r(h, p);
    return owner;
}

/* Gap faces go to the owned neighbour they share most boundary with,
 * spreading outwards through runs of gaps. */
static gg_status fill_gaps(work *w, size_t *filled)
{
    GEOSContextHandle_t h = w->ctx->geos;
    int changed = 1;
    while (changed) {
        changed = 0;
        for (int k = 0; k < w->nf; k++) {
            if (w->owner[k] != FACE_GAP)
                continue;
            const GEOSGeometry *f = GEOSGetGeometryN_r(h, w->faces, k);
            double best = 0;
            int to = FACE_GAP;
            for (int j = 0; j < w->nf; j++) {
                if (j == k || w->owner[j] < 0 || !boxes_meet(&w->fbox[j], &w->fbox[k]))
                    continue;
                double len = shared_length(h, f, GEOSGetGeometryN_r(h, w->faces, j));
                if (len < 0)
                    return gg_error(w->ctx, GG_ERR_GEOMETRY, "a gap's neighbours: %s", w->ctx->geos_msg);
                if (len > best) {
                    best = len;
                    to = w->owner[j];
                }
            }
            if (to >= 0) {
                w->owner[k] = to;
                (*filled)++;
                changed = 1;
            }
        }
    }
    return GG_OK;
}

/* The faces of polygon i merged: coverage union (the faces share their
 * edges exactly), or, should GEOS refuse it, an overlay union on the same
 * grid. NULL with *st GG_OK when i owns no face. */
static GEOSGeometry *merge_faces(work *w, int i, gg_status *st)
{
    GEOSContextHandle_t h = w->ctx->geos;
    unsigned m = 0;
    for (int k = 0; k < w->nf; k++)
        m += w->owner[k] == i;
    if (m == 0)
        return NULL;
    GEOSGeometry **mine = gg_malloc(w->ctx, m * sizeof *mine);
    if (mine == NULL) {
        *st = gg_error_nomem(w->ctx);
        return NULL;
    }
    m = 0;
    for (int k = 0; k < w->nf; k++)
        if (w->owner[k] == i)
            mine[m++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, w->faces, k));
    GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, mine, m);
    gg_free(w->ctx, mine);
    GEOSGeometry *merged = NULL;
    if (all != NULL) {
        merged = m == 1 ? GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, all, 0)) : GEOSCoverageUnion_r(h, all);
        if (merged == NULL)
            merged = GEOSUnaryUnionPrec_r(h, all, w->o->grid);
        GEOSGeom_destroy_r(h, all);
    }
    merged = merged ? gg_geom_polygons(h, merged) : NULL;
    if (merged == NULL)
        *st = gg_error(w->ctx, GG_ERR_GEOMETRY, "merging faces: %s", w->ctx->geos_msg);
    return merged;
}

/* The index of the largest part of g. */
static int largest_part(GEOSContextHandle_t h, const GEOSGeometry *g)
{
    int best = 0;
    double best_area = -1;
    for (int q = 0; q < GEOSGetNumGeometries_r(h, g); q++) {
        double a = 0;
        GEOSArea_r(h, GEOSGetGeometryN_r(h, g, q), &a);
        if (a > best_area) {
            best_area = a;
            best = q;
        }
    }
    return best;
}

/* Moves every part of out[i] below the minimum area (and, contiguous, every
 * part but its largest) to the neighbour it shares most boundary with; a
 * part that shares none (an island) stays. */
static gg_status move_parts(work *w, GEOSGeometry **out, size_t *moved)
{
    GEOSContextHandle_t h = w->ctx->geos;
    for (size_t i = 0; i < w->n; i++) {
        for (int q = 0; out[i] != NULL && q < GEOSGetNumGeometries_r(h, out[i]); q++) {
            const GEOSGeometry *part = GEOSGetGeometryN_r(h, out[i], q);
            int detached = w->o->contiguous && GEOSGetNumGeometries_r(h, out[i]) > 1 &&
                           q != largest_part(h, out[i]);
            if (!detached && area_m2(h, part, w->o) >= w->o->part_min_m2)
                continue;
            box pb;
            envelope(h, part, &pb);
            double best = 0;
            size_t to = w->n;
            for (size_t j = 0; j < w->n; j++) {
                if (j == i || out[j] == NULL)
                    continue;
                box jb;
                envelope(h, out[j], &jb);
                if (!boxes_meet(&pb, &jb))
                    continue;
                double len = shared_length(h, part, out[j]);
                if (len < 0)
                    return gg_error(w->ctx, GG_ERR_GEOMETRY, "a small part's neighbours: %s", w->ctx->geos_msg);
                if (len > best) {
                    best = len;
                    to = j;
                }
            }
            if (to == w->n)
                continue;
            /* The part joins out[to]; the rest of out[i] stays. */
            int np = GEOSGetNumGeometries_r(h, out[i]);
            GEOSGeometry **rest = gg_malloc(w->ctx, (size_t)(np > 1 ? np - 1 : 1) * sizeof *rest);
            if (rest == NULL)
                return gg_error_nomem(w->ctx);
            unsigned nr = 0;
            for (int r = 0; r < np; r++)
                if (r != q)
                    rest[nr++] = GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, out[i], r));
            GEOSGeometry *two[2] = {GEOSGeom_clone_r(h, out[to]), GEOSGeom_clone_r(h, part)};
            GEOSGeometry *pair = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, two, 2);
            GEOSGeometry *joined = pair ? GEOSCoverageUnion_r(h, pair) : NULL;
            if (joined == NULL && pair != NULL)
                joined = GEOSUnaryUnionPrec_r(h, pair, w->o->grid);
            if (pair)
                GEOSGeom_destroy_r(h, pair);
            joined = joined ? gg_geom_polygons(h, joined) : NULL;
            GEOSGeometry *left = NULL;
            if (nr > 0)
                left = GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, rest, nr);
            gg_free(w->ctx, rest);
            if (joined == NULL || (nr > 0 && left == NULL)) {
                if (joined)
                    GEOSGeom_destroy_r(h, joined);
                if (left)
                    GEOSGeom_destroy_r(h, left);
                return gg_error(w->ctx, GG_ERR_GEOMETRY, "moving a small part: %s", w->ctx->geos_msg);
            }
            GEOSGeom_destroy_r(h, out[to]);
            out[to] = joined;
            GEOSGeom_destroy_r(h, out[i]);
            out[i] = left;
            (*moved)++;
            q = -1; /* out[i] changed: look at its parts again */
        }
    }
    return GG_OK;
}

gg_status gg_coverage_clean(gg_ctx *ctx, const GEOSGeometry *region, GEOSGeometry **polys, size_t n,
                            const gg_coverage_options *o, gg_coverage_stats *stats)
{
    GEOSContextHandle_t h = ctx->geos;
    gg_coverage_stats local;
    memset(&local, 0, sizeof local);
    work w;
    memset(&w, 0, sizeof w);
    w.ctx = ctx;
    w.o = o;
    w.polys = polys;
    w.n = n;
    gg_status st = GG_OK;
    GEOSGeometry *noded = noded_linework(ctx, region, polys, n, o);
    GEOSGeometry *faces = NULL;
    if (noded == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "noding the grids' boundaries: %s", ctx->geos_msg);
    const GEOSGeometry *in[1] = {noded};
    faces = GEOSPolygonize_r(h, in, 1);
    GEOSGeom_destroy_r(h, noded);
    if (faces == NULL)
        return gg_error(ctx, GG_ERR_GEOMETRY, "polygonizing the grids' boundaries: %s", ctx->geos_msg);
    w.faces = faces;
    w.nf = GEOSGetNumGeometries_r(h, faces);
    w.prep = gg_calloc(ctx, n ? n : 1, sizeof *w.prep);
    w.pbox = gg_calloc(ctx, n ? n : 1, sizeof *w.pbox);
    w.owner = gg_calloc(ctx, w.nf ? (size_t)w.nf : 1, sizeof *w.owner);
    w.fbox = gg_calloc(ctx, w.nf ? (size_t)w.nf : 1, sizeof *w.fbox);
    GEOSGeometry **out = gg_calloc(ctx, n ? n : 1, sizeof *out);
    w.region = GEOSPrepare_r(h, region);
    if (w.prep == NULL || w.pbox == NULL || w.owner == NULL || w.fbox == NULL || out == NULL)
        st = gg_error_nomem(ctx);
    else if (w.region == NULL)
        st = gg_error(ctx, GG_ERR_GEOMETRY, "preparing the region: %s", ctx->geos_msg);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        if (polys[i] == NULL)
            continue;
        envelope(h, polys[i], &w.pbox[i]);
        w.prep[i] = GEOSPrepare_r(h, polys[i]);
        if (w.prep[i] == NULL)
            st = gg_error(ctx, GG_ERR_GEOMETRY, "preparing a polygon: %s", ctx->geos_msg);
    }
    for (int k = 0; k < w.nf && st == GG_OK; k++)
        envelope(h, GEOSGetGeometryN_r(h, faces, k), &w.fbox[k]);
    size_t gaps = 0;
    for (int k = 0; k < w.nf && st == GG_OK; k++) {
        w.owner[k] = face_owner(&w, k, &st);
        local.faces += w.owner[k] != FACE_OUTSIDE;
        gaps += w.owner[k] == FACE_GAP;
    }
    if (st == GG_OK && gaps > 0)
        st = fill_gaps(&w, &local.gap_faces);
    for (size_t i = 0; i < n && st == GG_OK; i++)
        out[i] = merge_faces(&w, (int)i, &st);
    if (st == GG_OK && (o->part_min_m2 > 0 || o->contiguous))
        st = move_parts(&w, out, &local.parts_moved);
    for (size_t i = 0; i < n; i++)
        if (w.prep && w.prep[i])
            GEOSPreparedGeom_destroy_r(h, w.prep[i]);
    if (w.region)
        GEOSPreparedGeom_destroy_r(h, w.region);
    GEOSGeom_destroy_r(h, faces);
    if (st == GG_OK) {
        for (size_t i = 0; i < n; i++) {
            if (polys[i])
                GEOSGeom_destroy_r(h, polys[i]);
            polys[i] = out[i];
            local.emptied += out[i] == NULL;
        }
        if (stats)
            *stats = local;
    } else if (out != NULL) {
        for (size_t i = 0; i < n; i++)
            if (out[i])
                GEOSGeom_destroy_r(h, out[i]);
    }
    gg_free(ctx, out);
    gg_free(ctx, w.prep);
    gg_free(ctx, w.pbox);
    gg_free(ctx, w.owner);
    gg_free(ctx, w.fbox);
    return st;
}

static int ring_spikes(GEOSContextHandle_t h, const GEOSGeometry *ring, double mx, double my, double tol_m,
                       double *x, double *y, int found)
{
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (seq == NULL || GEOSCoordSeq_getSize_r(h, seq, &n) != 1 || n < 4)
        return 0;
    n--; /* closed: the last repeats the first */
    int spikes = 0;
    for (unsigned i = 0; i < n; i++) {
        double px, py, vx, vy, qx, qy;
        GEOSCoordSeq_getXY_r(h, seq, (i + n - 1) % n, &px, &py);
        GEOSCoordSeq_getXY_r(h, seq, i, &vx, &vy);
        GEOSCoordSeq_getXY_r(h, seq, (i + 1) % n, &qx, &qy);
        double ax = (px - vx) * mx, ay = (py - vy) * my, bx = (qx - vx) * mx, by = (qy - vy) * my;
        double la = hypot(ax, ay), lb = hypot(bx, by);
        if (la == 0 || lb == 0 || ax * bx + ay * by <= 0)
            continue;
        double shorter = la < lb ? la : lb, longer = la < lb ? lb : la;
        if (shorter > 2 * tol_m && fabs(ax * by - ay * bx) / longer < tol_m) {
            if (found + spikes == 0) {
                if (x)
                    *x = vx;
                if (y)
                    *y = vy;
            }
            spikes++;
        }
    }
    return spikes;
}

int gg_geom_spikes(GEOSContextHandle_t h, const GEOSGeometry *g, double mx, double my, double tol_m, double *x,
                   double *y)
{
    int spikes = 0;
    int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        for (int i = 0; i < GEOSGetNumGeometries_r(h, g); i++) {
            double px = 0, py = 0;
            int k = gg_geom_spikes(h, GEOSGetGeometryN_r(h, g, i), mx, my, tol_m, &px, &py);
            if (k > 0 && spikes == 0) {
                if (x)
                    *x = px;
                if (y)
                    *y = py;
            }
            spikes += k;
        }
        return spikes;
    }
    if (type != GEOS_POLYGON)
        return 0;
    const GEOSGeometry *shell = GEOSGetExteriorRing_r(h, g);
    if (shell)
        spikes += ring_spikes(h, shell, mx, my, tol_m, x, y, spikes);
    for (int i = 0; i < GEOSGetNumInteriorRings_r(h, g); i++)
        spikes += ring_spikes(h, GEOSGetInteriorRingN_r(h, g, i), mx, my, tol_m, x, y, spikes);
    return spikes;
}
