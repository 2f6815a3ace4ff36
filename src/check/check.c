/* gg_plan_check: the invariants of a plan, measured on its stored
 * polygons.
 *
 * A community's grids are first compared edge by edge, the way GEOS's
 * CoverageValidator does: every segment of every ring is either on the
 * community's boundary (within the tolerance) or the exact reverse of one
 * segment of one other grid. When that holds and the grids' areas add up
 * to the community's, the grids tile it and no overlay is needed; only
 * otherwise are the gaps, overlaps and pieces outside cut with GEOS to say
 * where they are and how large. A piece that holds no disc of the
 * tolerance's radius (a sliver of digitising noise) is not a problem. */
#include "check/check.h"
#include "geo/coverage.h"
#include "geo/crs.h"
#include "geo/inscribed.h"
#include "geo/shapes.h"
#include "locate/count.h"
#include "store/plan.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/code.h"
#include "govgrid/geo.h"
#include "govgrid/locate.h"

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

const char *gg_check_kind_name(gg_check_kind kind)
{
    static const char *const names[GG_CHECK_KIND_COUNT] = {
        "unreadable",     "invalid",         "invalid_projected", "spike",           "repeated_point",
        "small_part",     "not_contiguous",  "exclave",           "outside_community", "gap",
        "overlap",        "unmatched_edge",  "no_community",      "households",      "household_outside",
        "code_malformed", "code_mismatch",   "out_of_window"};
    return (unsigned)kind < GG_CHECK_KIND_COUNT ? names[kind] : "unknown";
}

void gg_check_options_init(gg_check_options *opts)
{
    memset(opts, 0, sizeof *opts);
}

void gg_check_report_free(gg_ctx *ctx, gg_check_report *report)
{
    if (report == NULL)
        return;
    for (size_t i = 0; i < report->n_problems; i++)
        gg_free(ctx, report->problems[i].wkb);
    gg_free(ctx, report->problems);
    gg_free(ctx, report);
}

/* ---- the report being built ---- */

typedef struct checker {
    gg_ctx *ctx;
    gg_check_report *r;
    size_t cap;
    double tol_m, part_min_m2;
    gg_metric_cache own_cache;
    gg_metric_cache *cache;     /* own_cache, or the caller's */
    GEOSWKBWriter *wkb;
} checker;

/* Adds a problem; geom (borrowed, EPSG:4326, may be NULL) is kept as WKB,
 * else the point (lon, lat). */
static gg_status add(checker *k, gg_check_kind kind, int error, const char *code, const char *other,
                     const char *community, double lon, double lat, const GEOSGeometry *geom, const char *fmt, ...)
    GG_PRINTF(10, 11);

static gg_status add(checker *k, gg_check_kind kind, int error, const char *code, const char *other,
                     const char *community, double lon, double lat, const GEOSGeometry *geom, const char *fmt, ...)
{
    gg_check_report *r = k->r;
    gg_status st = gg_grow(k->ctx, (void **)&r->problems, &k->cap, r->n_problems + 1, sizeof *r->problems);
    if (st != GG_OK)
        return st;
    gg_check_problem *p = &r->problems[r->n_problems];
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->error = error;
    snprintf(p->code, sizeof p->code, "%s", code ? code : "");
    snprintf(p->other, sizeof p->other, "%s", other ? other : "");
    snprintf(p->community, sizeof p->community, "%s", community ? community : "");
    p->lon = lon;
    p->lat = lat;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->detail, sizeof p->detail, fmt, ap);
    va_end(ap);
    GEOSContextHandle_t h = k->ctx->geos;
    GEOSGeometry *pt = NULL;
    if (geom == NULL && isfinite(lon) && isfinite(lat))
        geom = pt = GEOSGeom_createPointFromXY_r(h, lon, lat);
    if (geom != NULL) {
        size_t size = 0;
        unsigned char *buf = GEOSWKBWriter_write_r(h, k->wkb, geom, &size);
        if (buf != NULL) {
            p->wkb = gg_malloc(k->ctx, size);
            if (p->wkb != NULL) {
                memcpy(p->wkb, buf, size);
                p->wkb_size = size;
            }
            GEOSFree_r(h, buf);
        }
        if (pt)
            GEOSGeom_destroy_r(h, pt);
        if (p->wkb == NULL)
            return gg_error_nomem(k->ctx);
    }
    r->n_problems++;
    r->by_kind[kind]++;
    if (error)
        r->errors++;
    else
        r->warnings++;
    return GG_OK;
}

/* ---- geometry helpers ---- */

static int to_metric_cb(double *x, double *y, void *userdata)
{
    return gg_transform_points(userdata, x, y, 1) == GG_OK;
}

static GEOSGeometry *transformed(gg_ctx *ctx, gg_transform *t, const GEOSGeometry *g)
{
    GEOSGeometry *m = GEOSGeom_transformXY_r(ctx->geos, g, to_metric_cb, t);
    gg_ctx_clear_error(ctx);
    return m;
}

typedef struct scale {
    double mx, my;
} scale;


static void point_of(GEOSContextHandle_t h, const GEOSGeometry *g, double *lon, double *lat)
{
    *lon = *lat = NAN;
    GEOSGeometry *p = GEOSPointOnSurface_r(h, g);
    if (p == NULL)
        return;
    GEOSGeomGetX_r(h, p, lon);
    GEOSGeomGetY_r(h, p, lat);
    GEOSGeom_destroy_r(h, p);
}

/* The two transformations every grid is checked after: UTM, and the local
 * metric CRS (Gauss-Krueger in China; there UTM elsewhere). */
typedef struct frames {
    gg_transform *t[2];
    int epsg[2];
    int n;
} frames;

static gg_status frames_for(checker *k, double lon, double lat, frames *f)
{
    f->n = 0;
    int utm = (lat >= 0 ? 32600 : 32700) + (int)floor((lon + 180.0) / 6.0) + 1;
    int local = gg_local_metric_epsg(lon, lat);
    int want[2] = {utm, local};
    for (int i = 0; i < 2; i++) {
        if (want[i] <= 0 || (i == 1 && want[1] == want[0]))
            continue;
        gg_transform *t = NULL;
        gg_status st = gg_metric_cache_get(k->ctx, k->cache, want[i], &t);
        if (st == GG_ERR_NOMEM)
            return st;
        if (st == GG_OK) {
            f->t[f->n] = t;
            f->epsg[f->n++] = want[i];
        }
        gg_ctx_clear_error(k->ctx);
    }
    return GG_OK;
}

/* Repeated points of one ring. */
static gg_status repeated_points(checker *k, const gg_plan_grid *g, const GEOSGeometry *ring)
{
    GEOSContextHandle_t h = k->ctx->geos;
    const GEOSCoordSequence *seq = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    if (seq == NULL || GEOSCoordSeq_getSize_r(h, seq, &n) != 1 || n < 2)
        return GG_OK;
    int repeats = 0;
    double rep_lon = NAN, rep_lat = NAN, lx = 0, ly = 0;
    for (unsigned i = 0; i < n; i++) {
        double x, y;
        GEOSCoordSeq_getXY_r(h, seq, i, &x, &y);
        if (i > 0 && x == lx && y == ly && repeats++ == 0)
            rep_lon = x, rep_lat = y;
        lx = x;
        ly = y;
    }
    if (repeats == 0)
        return GG_OK;
    return add(k, GG_CHECK_REPEATED_POINT, 1, g->code, NULL, g->community, rep_lon, rep_lat, NULL,
               "%d repeated vertex(es), the first at %.7f %.7f", repeats, rep_lon, rep_lat);
}

/* The vertex of d (lon/lat) at the place of the vertex (x, y) of m, its
 * reprojection, which has the same rings and vertices in the same order. */
static void same_vertex(GEOSContextHandle_t h, const GEOSGeometry *d, const GEOSGeometry *m, double x, double y,
                        double *lon, double *lat)
{
    for (int p = 0; p < GEOSGetNumGeometries_r(h, m) && p < GEOSGetNumGeometries_r(h, d); p++) {
        const GEOSGeometry *pm = GEOSGetGeometryN_r(h, m, p), *pd = GEOSGetGeometryN_r(h, d, p);
        for (int q = -1; q < GEOSGetNumInteriorRings_r(h, pm); q++) {
            const GEOSGeometry *rm = q < 0 ? GEOSGetExteriorRing_r(h, pm) : GEOSGetInteriorRingN_r(h, pm, q);
            const GEOSGeometry *rd = q < 0 ? GEOSGetExteriorRing_r(h, pd) : GEOSGetInteriorRingN_r(h, pd, q);
            const GEOSCoordSequence *sm = rm ? GEOSGeom_getCoordSeq_r(h, rm) : NULL;
            const GEOSCoordSequence *sd = rd ? GEOSGeom_getCoordSeq_r(h, rd) : NULL;
            unsigned n = 0;
            if (sm == NULL || sd == NULL || GEOSCoordSeq_getSize_r(h, sm, &n) != 1)
                continue;
            for (unsigned i = 0; i < n; i++) {
                double vx, vy;
                GEOSCoordSeq_getXY_r(h, sm, i, &vx, &vy);
                if (vx == x && vy == y) {
                    GEOSCoordSeq_getXY_r(h, sd, i, lon, lat);
                    return;
                }
            }
        }
    }
}

/* Validity after each reprojection, ring defects and small parts. */
static gg_status check_shape(checker *k, const gg_plan_grid *g, const frames *f, int community_parts)
{
    GEOSContextHandle_t h = k->ctx->geos;
    gg_status st = GG_OK;
    char *reason = NULL;
    GEOSGeometry *where = NULL;
    if (GEOSisValidDetail_r(h, g->geom, 0, &reason, &where) != 1) {
        double lon = NAN, lat = NAN;
        if (where) {
            GEOSGeomGetX_r(h, where, &lon);
            GEOSGeomGetY_r(h, where, &lat);
        }
        st = add(k, GG_CHECK_INVALID, 1, g->code, NULL, g->community, lon, lat, NULL, "invalid: %s at %.7f %.7f",
                 reason ? reason : "?", lon, lat);
        if (reason)
            GEOSFree_r(h, reason);
        if (where)
            GEOSGeom_destroy_r(h, where);
        return st;
    }
    GEOSGeometry *m0 = NULL;
    for (int i = 0; i < f->n && st == GG_OK; i++) {
        GEOSGeometry *m = transformed(k->ctx, f->t[i], g->geom);
        if (m == NULL)
            continue;
        reason = NULL;
        where = NULL;
        if (GEOSisValidDetail_r(h, m, 0, &reason, &where) != 1) {
            double lon = NAN, lat = NAN;
            point_of(h, g->geom, &lon, &lat);
            st = add(k, GG_CHECK_INVALID_PROJECTED, 1, g->code, NULL, g->community, lon, lat, NULL,
                     "valid as stored, invalid in EPSG:%d: %s", f->epsg[i], reason ? reason : "?");
        }
        if (reason)
            GEOSFree_r(h, reason);
        if (where)
            GEOSGeom_destroy_r(h, where);
        if (m0 == NULL)
            m0 = m;
        else
            GEOSGeom_destroy_r(h, m);
    }
    if (m0 == NULL)
        return st;
    int parts = GEOSGetNumGeometries_r(h, m0);
    for (int p = 0; p < parts && st == GG_OK; p++) {
        const GEOSGeometry *pm = GEOSGetGeometryN_r(h, m0, p), *pd = GEOSGetGeometryN_r(h, g->geom, p);
        double area = 0;
        GEOSArea_r(h, pm, &area);
        if (area < k->part_min_m2) {
            double lon, lat;
            point_of(h, pd, &lon, &lat);
            st = add(k, GG_CHECK_SMALL_PART, 1, g->code, NULL, g->community, lon, lat, pd,
                     "a part of %.3f m2, below the minimum of %g m2", area, k->part_min_m2);
            if (st == GG_OK)
                k->r->problems[k->r->n_problems - 1].area_m2 = area;
        }
        int holes = GEOSGetNumInteriorRings_r(h, pd);
        for (int q = -1; q < holes && st == GG_OK; q++) {
            const GEOSGeometry *rd = q < 0 ? GEOSGetExteriorRing_r(h, pd) : GEOSGetInteriorRingN_r(h, pd, q);
            if (rd)
                st = repeated_points(k, g, rd);
        }
    }
    /* Spikes, measured in metres in the local metric CRS; reported where
     * they are in the plan's own coordinates (the same vertex). */
    double sx = NAN, sy = NAN;
    int spikes = st == GG_OK ? gg_geom_spikes(h, m0, 1, 1, k->tol_m, &sx, &sy) : 0;
    if (spikes > 0) {
        double lon = NAN, lat = NAN;
        same_vertex(h, g->geom, m0, sx, sy, &lon, &lat);
        st = add(k, GG_CHECK_SPIKE, 1, g->code, NULL, g->community, lon, lat, NULL,
                 "%d vertex(es) where a ring runs back along itself, narrower than %.2f m, the first at %.7f %.7f",
                 spikes, k->tol_m, lon, lat);
    }
    if (st == GG_OK && parts > 1) {
        double lon, lat;
        point_of(h, GEOSGetGeometryN_r(h, g->geom, 1), &lon, &lat);
        st = community_parts > 1
                 ? add(k, GG_CHECK_EXCLAVE, 0, g->code, NULL, g->community, lon, lat, NULL,
                       "in %d parts, in a community of %d parts", parts, community_parts)
                 : add(k, GG_CHECK_NOT_CONTIGUOUS, 1, g->code, NULL, g->community, lon, lat, NULL,
                       "in %d parts, in a community of one part; the second at %.7f %.7f", parts, lon, lat);
    }
    GEOSGeom_destroy_r(h, m0);
    return st;
}

/* ---- the coverage of one community ---- */

typedef struct segment {
    double x0, y0, x1, y1;      /* lexicographically ordered ends */
    int grid;                   /* index into the community's grids */
    int reversed;               /* stored from (x1, y1) to (x0, y0) */
} segment;

static int compare_segments(const void *a, const void *b)
{
    const segment *p = a, *q = b;
    if (p->x0 != q->x0)
        return p->x0 < q->x0 ? -1 : 1;
    if (p->y0 != q->y0)
        return p->y0 < q->y0 ? -1 : 1;
    if (p->x1 != q->x1)
        return p->x1 < q->x1 ? -1 : 1;
    if (p->y1 != q->y1)
        return p->y1 < q->y1 ? -1 : 1;
    return p->grid - q->grid;
}

static gg_status collect_segments(checker *k, const GEOSGeometry *g, int grid, segment **segs, size_t *n,
                                  size_t *cap)
{
    GEOSContextHandle_t h = k->ctx->geos;
    for (int p = 0; p < GEOSGetNumGeometries_r(h, g); p++) {
        const GEOSGeometry *poly = GEOSGetGeometryN_r(h, g, p);
        int holes = GEOSGetNumInteriorRings_r(h, poly);
        for (int q = -1; q < holes; q++) {
            const GEOSGeometry *ring = q < 0 ? GEOSGetExteriorRing_r(h, poly) : GEOSGetInteriorRingN_r(h, poly, q);
            const GEOSCoordSequence *s = ring ? GEOSGeom_getCoordSeq_r(h, ring) : NULL;
            unsigned m = 0;
            if (s == NULL || GEOSCoordSeq_getSize_r(h, s, &m) != 1)
                continue;
            for (unsigned i = 0; i + 1 < m; i++) {
                double ax, ay, bx, by;
                GEOSCoordSeq_getXY_r(h, s, i, &ax, &ay);
                GEOSCoordSeq_getXY_r(h, s, i + 1, &bx, &by);
                if (ax == bx && ay == by)
                    continue;
                gg_status st = gg_grow(k->ctx, (void **)segs, cap, *n + 1, sizeof **segs);
                if (st != GG_OK)
                    return st;
                int rev = ax > bx || (ax == bx && ay > by);
                (*segs)[(*n)++] = rev ? (segment){bx, by, ax, ay, grid, 1} : (segment){ax, ay, bx, by, grid, 0};
            }
        }
    }
    return GG_OK;
}

/* Pieces of g (polygonal, EPSG:4326) that hold a disc of the tolerance's
 * radius, each added as a problem of kind. */
static gg_status add_pieces(checker *k, GEOSGeometry *g, gg_transform *t, gg_check_kind kind, const char *code,
                            const char *other, const char *community, const char *what)
{
    GEOSContextHandle_t h = k->ctx->geos;
    GEOSGeometry *polys = gg_geom_polygons(h, g);
    if (polys == NULL)
        return gg_error(k->ctx, GG_ERR_GEOMETRY, "%s: %s", what, k->ctx->geos_msg);
    gg_status st = GG_OK;
    for (int i = 0; i < GEOSGetNumGeometries_r(h, polys) && st == GG_OK; i++) {
        const GEOSGeometry *piece = GEOSGetGeometryN_r(h, polys, i);
        GEOSGeometry *m = t ? transformed(k->ctx, t, piece) : NULL;
        if (m == NULL)
            continue;
        int wide = gg_geom_holds_disc(k->ctx, m, k->tol_m, k->tol_m / 10);
        double area = 0;
        GEOSArea_r(h, m, &area);
        GEOSGeom_destroy_r(h, m);
        if (wide < 0) {
            st = gg_error_nomem(k->ctx);
            break;
        }
        if (!wide)
            continue;
        double lon, lat;
        point_of(h, piece, &lon, &lat);
        st = add(k, kind, 1, code, other, community, lon, lat, piece, "%s of %.2f m2 at %.7f %.7f", what, area, lon, lat);
        if (st == GG_OK)
            k->r->problems[k->r->n_problems - 1].area_m2 = area;
    }
    GEOSGeom_destroy_r(h, polys);
    return st;
}

/* Gaps, overlaps and pieces outside, cut with GEOS where the edges say
 * the grids do not tile the community. */
static gg_status overlay_community(checker *k, const char *code, const GEOSGeometry *geom, gg_plan_grid *grids, size_t n,
                                   gg_transform *t)
{
    GEOSContextHandle_t h = k->ctx->geos;
    gg_status st = GG_OK;
    GEOSGeometry **valid = gg_calloc(k->ctx, n ? n : 1, sizeof *valid);
    if (valid == NULL)
        return gg_error_nomem(k->ctx);
    for (size_t i = 0; i < n; i++)
        if (grids[i].geom)
            valid[i] = gg_geom_make_valid_polygons(h, GEOSGeom_clone_r(h, grids[i].geom));
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        if (valid[i] == NULL)
            continue;
        GEOSGeometry *out = GEOSDifference_r(h, valid[i], geom);
        if (out != NULL)
            st = add_pieces(k, out, t, GG_CHECK_OUTSIDE, grids[i].code, NULL, code, "a piece outside its community");
        for (size_t j = i + 1; j < n && st == GG_OK; j++) {
            if (valid[j] == NULL)
                continue;
            double a[4], b[4];
            GEOSGeom_getExtent_r(h, valid[i], &a[0], &a[1], &a[2], &a[3]);
            GEOSGeom_getExtent_r(h, valid[j], &b[0], &b[1], &b[2], &b[3]);
            if (a[2] < b[0] || b[2] < a[0] || a[3] < b[1] || b[3] < a[1])
                continue;
            GEOSGeometry *both = GEOSIntersection_r(h, valid[i], valid[j]);
            if (both != NULL)
                st = add_pieces(k, both, t, GG_CHECK_OVERLAP, grids[i].code, grids[j].code, code, "an overlap");
        }
    }
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (valid[i])
            valid[m++] = valid[i];
    GEOSGeometry *all = st == GG_OK ? GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, valid, (unsigned)m) : NULL;
    if (all != NULL)
        m = 0; /* taken by the collection */
    GEOSGeometry *covered = all ? GEOSUnaryUnion_r(h, all) : NULL;
    GEOSGeometry *gap = covered ? GEOSDifference_r(h, geom, covered) : NULL;
    if (gap != NULL)
        st = add_pieces(k, gap, t, GG_CHECK_GAP, NULL, NULL, code, "a gap");
    if (covered)
        GEOSGeom_destroy_r(h, covered);
    if (all)
        GEOSGeom_destroy_r(h, all);
    for (size_t i = 0; i < m; i++)
        GEOSGeom_destroy_r(h, valid[i]);
    gg_free(k->ctx, valid);
    return st;
}

/* The community's boundary as segments in metres, bucketed on a uniform
 * grid of cells, to say whether a point lies within the tolerance of it:
 * every outer edge of every grid asks that three times, and GEOS's
 * prepared distance, with a point geometry made for each question, was
 * most of the check's time. */
typedef struct edge_index {
    double x0, y0, cell;
    int nx, ny;
    size_t *start;              /* nx * ny + 1 offsets into items */
    int *items;
    double *seg;                /* x0 y0 x1 y1 per segment, metres */
    size_t n;
} edge_index;

static void edge_index_free(gg_ctx *ctx, edge_index *e)
{
    gg_free(ctx, e->start);
    gg_free(ctx, e->items);
    gg_free(ctx, e->seg);
    memset(e, 0, sizeof *e);
}

/* The cells a segment's box, grown by tol, covers. */
static void edge_cells(const edge_index *e, const double *q, double tol, int *cx0, int *cy0, int *cx1, int *cy1)
{
    double minx = (q[0] < q[2] ? q[0] : q[2]) - tol, maxx = (q[0] < q[2] ? q[2] : q[0]) + tol;
    double miny = (q[1] < q[3] ? q[1] : q[3]) - tol, maxy = (q[1] < q[3] ? q[3] : q[1]) + tol;
    *cx0 = (int)floor((minx - e->x0) / e->cell), *cx1 = (int)floor((maxx - e->x0) / e->cell);
    *cy0 = (int)floor((miny - e->y0) / e->cell), *cy1 = (int)floor((maxy - e->y0) / e->cell);
    *cx0 = *cx0 < 0 ? 0 : *cx0, *cy0 = *cy0 < 0 ? 0 : *cy0;
    *cx1 = *cx1 >= e->nx ? e->nx - 1 : *cx1, *cy1 = *cy1 >= e->ny ? e->ny - 1 : *cy1;
}

static gg_status edge_index_build(gg_ctx *ctx, const GEOSGeometry *boundary, const scale *sc, double tol,
                                  edge_index *e)
{
    memset(e, 0, sizeof *e);
    size_t cap = 0;
    gg_status st = gg_geom_segments(ctx, boundary, sc->mx, sc->my, &e->seg, &e->n, &cap);
    if (st != GG_OK || e->n == 0)
        return st;
    double minx = INFINITY, miny = INFINITY, maxx = -INFINITY, maxy = -INFINITY;
    for (size_t i = 0; i < 2 * e->n; i++) {
        double x = e->seg[2 * i], y = e->seg[2 * i + 1];
        minx = x < minx ? x : minx, maxx = x > maxx ? x : maxx;
        miny = y < miny ? y : miny, maxy = y > maxy ? y : maxy;
    }
    double w = maxx - minx + 2 * tol, hgt = maxy - miny + 2 * tol;
    e->cell = sqrt(w * hgt / (double)e->n) * 2;
    if (!(e->cell > 4 * tol))
        e->cell = 4 * tol;
    e->x0 = minx - tol;
    e->y0 = miny - tol;
    e->nx = (int)(w / e->cell) + 1;
    e->ny = (int)(hgt / e->cell) + 1;
    size_t cells = (size_t)e->nx * (size_t)e->ny;
    e->start = gg_calloc(ctx, cells + 1, sizeof *e->start);
    if (e->start == NULL)
        return gg_error_nomem(ctx);
    for (size_t i = 0; i < e->n; i++) {
        int cx0, cy0, cx1, cy1;
        edge_cells(e, e->seg + 4 * i, tol, &cx0, &cy0, &cx1, &cy1);
        for (int y = cy0; y <= cy1; y++)
            for (int x = cx0; x <= cx1; x++)
                e->start[(size_t)y * (size_t)e->nx + (size_t)x + 1]++;
    }
    for (size_t c = 0; c < cells; c++)
        e->start[c + 1] += e->start[c];
    e->items = gg_malloc(ctx, (e->start[cells] ? e->start[cells] : 1) * sizeof *e->items);
    size_t *fill = gg_malloc(ctx, (cells ? cells : 1) * sizeof *fill);
    if (e->items == NULL || fill == NULL) {
        gg_free(ctx, fill);
        return gg_error_nomem(ctx);
    }
    memcpy(fill, e->start, cells * sizeof *fill);
    for (size_t i = 0; i < e->n; i++) {
        int cx0, cy0, cx1, cy1;
        edge_cells(e, e->seg + 4 * i, tol, &cx0, &cy0, &cx1, &cy1);
        for (int y = cy0; y <= cy1; y++)
            for (int x = cx0; x <= cx1; x++)
                e->items[fill[(size_t)y * (size_t)e->nx + (size_t)x]++] = (int)i;
    }
    gg_free(ctx, fill);
    return GG_OK;
}

/* Whether (x, y), in metres, lies within tol of the boundary. */
static int edge_index_near(const edge_index *e, double x, double y, double tol)
{
    if (e->n == 0)
        return 0;
    int cx = (int)floor((x - e->x0) / e->cell), cy = (int)floor((y - e->y0) / e->cell);
    if (cx < 0 || cy < 0 || cx >= e->nx || cy >= e->ny)
        return 0;
    size_t c = (size_t)cy * (size_t)e->nx + (size_t)cx;
    for (size_t k = e->start[c]; k < e->start[c + 1]; k++) {
        const double *q = e->seg + 4 * e->items[k];
        double dx = q[2] - q[0], dy = q[3] - q[1], len2 = dx * dx + dy * dy;
        double t = len2 > 0 ? ((x - q[0]) * dx + (y - q[1]) * dy) / len2 : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        double ex = q[0] + t * dx - x, ey = q[1] + t * dy - y;
        if (ex * ex + ey * ey <= tol * tol)
            return 1;
    }
    return 0;
}

static gg_status check_community(checker *k, const char *code, const GEOSGeometry *geom, gg_plan_grid *grids,
                                 size_t n)
{
    GEOSContextHandle_t h = k->ctx->geos;
    double lon, lat;
    point_of(h, geom, &lon, &lat);
    frames f;
    gg_status st = frames_for(k, lon, lat, &f);
    int community_parts = GEOSGetNumGeometries_r(h, geom);
    for (size_t i = 0; i < n && st == GG_OK; i++)
        if (grids[i].geom != NULL)
            st = check_shape(k, &grids[i], &f, community_parts);
    /* Edges: on the community's boundary, or shared exactly. */
    scale sc = {111320.0 * cos(lat * M_PI / 180.0), 110574.0};
    segment *segs = NULL;
    size_t ns = 0, cap = 0;
    double grid_area = 0;
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        if (grids[i].geom == NULL)
            continue;
        st = collect_segments(k, grids[i].geom, (int)i, &segs, &ns, &cap);
        double a = 0;
        GEOSArea_r(h, grids[i].geom, &a);
        grid_area += a * sc.mx * sc.my;
    }
    GEOSGeometry *boundary = GEOSBoundary_r(h, geom);
    edge_index near;
    memset(&near, 0, sizeof near);
    if (st == GG_OK && boundary == NULL)
        st = gg_error(k->ctx, GG_ERR_GEOMETRY, "community %s: its boundary: %s", code, k->ctx->geos_msg);
    if (st == GG_OK)
        st = edge_index_build(k->ctx, boundary, &sc, k->tol_m, &near);
    int *unmatched = gg_calloc(k->ctx, n ? n : 1, sizeof *unmatched);
    double (*at)[2] = gg_calloc(k->ctx, n ? n : 1, sizeof *at);
    int *neighbour = gg_calloc(k->ctx, n ? n : 1, sizeof *neighbour);
    if (st == GG_OK && (unmatched == NULL || at == NULL || neighbour == NULL))
        st = gg_error_nomem(k->ctx);
    size_t total_unmatched = 0;
    if (st == GG_OK && ns > 1)
        qsort(segs, ns, sizeof *segs, compare_segments);
    for (size_t i = 0; st == GG_OK && i < ns;) {
        size_t j = i + 1;
        while (j < ns && segs[j].x0 == segs[i].x0 && segs[j].y0 == segs[i].y0 && segs[j].x1 == segs[i].x1 &&
               segs[j].y1 == segs[i].y1)
            j++;
        int matched = 0;
        if (j - i == 2)
            matched = segs[i].grid != segs[i + 1].grid && segs[i].reversed != segs[i + 1].reversed;
        else if (j - i == 1) {
            const segment *s = &segs[i];
            double pts[3][2] = {{s->x0, s->y0}, {s->x1, s->y1}, {(s->x0 + s->x1) / 2, (s->y0 + s->y1) / 2}};
            matched = 1;
            for (int q = 0; q < 3 && matched; q++)
                matched = edge_index_near(&near, pts[q][0] * sc.mx, pts[q][1] * sc.my, k->tol_m);
        }
        for (size_t q = i; !matched && q < j; q++) {
            int g = segs[q].grid;
            if (unmatched[g]++ == 0) {
                at[g][0] = (segs[q].x0 + segs[q].x1) / 2;
                at[g][1] = (segs[q].y0 + segs[q].y1) / 2;
                neighbour[g] = j - i == 2 ? segs[q == i ? i + 1 : i].grid : -1;
            }
            total_unmatched++;
        }
        i = j;
    }
    for (size_t g = 0; g < n && st == GG_OK; g++) {
        if (unmatched[g] == 0)
            continue;
        const char *other = neighbour[g] >= 0 && neighbour[g] != (int)g ? grids[neighbour[g]].code : NULL;
        st = add(k, GG_CHECK_UNMATCHED_EDGE, 1, grids[g].code, other, code, at[g][0], at[g][1], NULL,
                 "%d edge(s) neither on the community's boundary nor shared exactly with one neighbour, the first"
                 " at %.7f %.7f",
                 unmatched[g], at[g][0], at[g][1]);
    }
    double community_area = 0, perimeter = 0;
    GEOSArea_r(h, geom, &community_area);
    community_area *= sc.mx * sc.my;
    for (size_t i = 0; i < near.n; i++)
        perimeter += hypot(near.seg[4 * i + 2] - near.seg[4 * i], near.seg[4 * i + 3] - near.seg[4 * i + 1]);
    int tiles = total_unmatched == 0 && fabs(grid_area - community_area) <= perimeter * k->tol_m;
    if (st == GG_OK && !tiles)
        st = overlay_community(k, code, geom, grids, n, f.n > 0 ? f.t[f.n - 1] : NULL);
    edge_index_free(k->ctx, &near);
    if (boundary)
        GEOSGeom_destroy_r(h, boundary);
    gg_free(k->ctx, segs);
    gg_free(k->ctx, unmatched);
    gg_free(k->ctx, at);
    gg_free(k->ctx, neighbour);
    return st;
}

/* ---- households, codes, windows ---- */

static int point_outside(void *user, const char *id, double lon, double lat, int64_t households, int64_t persons)
{
    (void)persons;
    checker *k = user;
    return add(k, GG_CHECK_HOUSEHOLD_OUTSIDE, 1, NULL, NULL, NULL, lon, lat, NULL,
               "household point %s (%lld households) at %.7f %.7f lies in no grid", id, (long long)households, lon,
               lat) != GG_OK;
}

static gg_status check_households(checker *k, gg_store *store, int64_t plan, gg_plan_grid *grids, size_t n)
{
    gg_plan_tally t;
    gg_status st = gg_plan_tally_households(k->ctx, store, plan, 0, point_outside, k, &t);
    if (st == GG_ERR_GEOMETRY || st == GG_ERR_INVALID_INPUT) {
        char why[256];
        snprintf(why, sizeof why, "%s", gg_ctx_errmsg(k->ctx));
        gg_ctx_clear_error(k->ctx);
        gg_plan_tally_clear(k->ctx, &t);
        return add(k, GG_CHECK_HOUSEHOLDS, 1, NULL, NULL, NULL, NAN, NAN, NULL,
                   "households not counted: the plan's polygons cannot be indexed (%s)", why);
    }
    if (st == GG_ERR_CANCELLED && k->ctx->errcode == GG_ERR_NOMEM)
        st = GG_ERR_NOMEM;
    k->r->household_points = t.points;
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        gg_plan_grid *g = &grids[i];
        int32_t li = gg_locator_grid_by_code(t.loc, g->code);
        int64_t holds = li >= 0 ? t.households[li] : 0;
        /* a count where no household point tells (none in the grid, none in
         * its community) is not contradicted by the points */
        if (!g->counted || holds == g->households || (li >= 0 && !gg_plan_tally_tells(&t, li)))
            continue;
        double lon = NAN, lat = NAN;
        if (g->geom)
            point_of(k->ctx->geos, g->geom, &lon, &lat);
        st = add(k, GG_CHECK_HOUSEHOLDS, 1, g->code, NULL, g->community, lon, lat, NULL,
                 "claims %lld households, its polygon holds %lld", (long long)g->households, (long long)holds);
        if (st == GG_OK) {
            k->r->problems[k->r->n_problems - 1].value = g->households;
            k->r->problems[k->r->n_problems - 1].expected = holds;
        }
    }
    gg_plan_tally_clear(k->ctx, &t);
    return st;
}

static gg_status check_code(checker *k, const gg_plan_grid *g)
{
    char community[13];
    gg_code_layout layout = gg_grid_code_layout(g->code, community);
    double lon = NAN, lat = NAN;
    if (g->geom)
        point_of(k->ctx->geos, g->geom, &lon, &lat);
    if (layout == GG_CODE_LAYOUT_UNKNOWN)
        return add(k, GG_CHECK_CODE_MALFORMED, 1, g->code, NULL, g->community, lon, lat, NULL,
                   "'%s' is not a grid code of 16 (unified), 15 (DB11/T 2157) or 20 (CJ/T 349) digits", g->code);
    if (community[0] && g->community[0] && strcmp(community, g->community) != 0)
        return add(k, GG_CHECK_CODE_MISMATCH, 1, g->code, NULL, g->community, lon, lat, NULL,
                   "the code names community %s, the grid is in %s", community, g->community);
    if (layout == GG_CODE_LAYOUT_UNIFIED16 && g->type != 0 && gg_grid_code_type(g->code) != g->type)
        return add(k, GG_CHECK_CODE_MISMATCH, 1, g->code, NULL, g->community, lon, lat, NULL,
                   "the code's type digit is %d, the grid's type is %d", gg_grid_code_type(g->code), g->type);
    return GG_OK;
}

/* A counted comprehensive grid against its window, unless its community
 * is below the minimum (community_households: -1 when some grid of it
 * has no count, so that its total is not known to be small). */
static gg_status check_window(checker *k, const gg_plan_windows *w, const gg_community_row *c, const gg_plan_grid *g,
                              int64_t community_households)
{
    if (g->type != 1 || !g->counted)
        return GG_OK;
    int rural = gg_plan_windows_rural(w, c ? c->urban_rural : "");
    int lo = rural ? w->rural_min : w->urban_min, hi = rural ? w->rural_max : w->urban_max;
    if ((g->households >= lo && g->households <= hi) || (community_households >= 0 && community_households < lo))
        return GG_OK;
    double lon = NAN, lat = NAN;
    if (g->geom)
        point_of(k->ctx->geos, g->geom, &lon, &lat);
    return add(k, GG_CHECK_OUT_OF_WINDOW, 0, g->code, NULL, g->community, lon, lat, NULL,
               "%lld households, outside the %s window %d-%d; %s%s", (long long)g->households,
               rural ? "rural" : "urban", lo, hi, g->flags[0] ? "the plan says: " : "no reason recorded",
               g->flags);
}

/* A checker with an empty report, for opts. */
static gg_status checker_open(gg_ctx *ctx, const gg_check_options *opts, gg_metric_cache *cache, checker *k)
{
    memset(k, 0, sizeof *k);
    k->ctx = ctx;
    k->cache = cache ? cache : &k->own_cache;
    k->tol_m = opts->tolerance_m > 0 ? opts->tolerance_m : 0.01;
    k->part_min_m2 = opts->part_min_m2 > 0 ? opts->part_min_m2 : 1.0;
    k->r = gg_calloc(ctx, 1, sizeof *k->r);
    k->wkb = GEOSWKBWriter_create_r(ctx->geos);
    if (k->r == NULL || k->wkb == NULL) {
        gg_free(ctx, k->r);
        if (k->wkb)
            GEOSWKBWriter_destroy_r(ctx->geos, k->wkb);
        return gg_error_nomem(ctx);
    }
    k->r->tolerance_m = k->tol_m;
    k->r->part_min_m2 = k->part_min_m2;
    return GG_OK;
}

/* The checker's report handed to *out (st GG_OK) or freed; returns st. */
static gg_status checker_close(checker *k, gg_status st, gg_check_report **out)
{
    gg_metric_cache_clear(&k->own_cache);
    GEOSWKBWriter_destroy_r(k->ctx->geos, k->wkb);
    if (st != GG_OK) {
        gg_check_report_free(k->ctx, k->r);
        return st;
    }
    *out = k->r;
    return GG_OK;
}

gg_status gg_check_community_grids(gg_ctx *ctx, gg_metric_cache *cache, const char *code,
                                   const GEOSGeometry *community, gg_plan_grid *grids, size_t n,
                                   const gg_check_options *opts, gg_check_report **out)
{
    *out = NULL;
    checker k;
    gg_status st = checker_open(ctx, opts, cache, &k);
    if (st != GG_OK)
        return st;
    k.r->grids = (int64_t)n;
    k.r->communities = 1;
    for (size_t i = 0; i < n && st == GG_OK; i++)
        st = check_code(&k, &grids[i]);
    if (st == GG_OK)
        st = check_community(&k, code, community, grids, n);
    return checker_close(&k, st, out);
}

gg_status gg_plan_check(gg_ctx *ctx, gg_store *store, const gg_check_options *opts, gg_check_report **out)
{
    if (ctx == NULL)
        return GG_ERR_ARG;
    if (store == NULL || opts == NULL || out == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_plan_check: NULL argument");
    *out = NULL;
    int64_t plan = 0;
    gg_status st = gg_store_resolve_plan(store, opts->plan, &plan);
    if (st != GG_OK)
        return st;
    checker k;
    st = checker_open(ctx, opts, NULL, &k);
    if (st != GG_OK)
        return st;
    k.r->plan = plan;
    gg_plan_grid *grids = NULL;
    size_t n = 0, nc = 0;
    gg_community_row *comms = NULL;
    gg_plan_windows w;
    st = gg_store_plan_windows(store, plan, &w);
    if (st == GG_OK)
        st = gg_store_plan_grids(store, plan, 1, &grids, &n);
    if (st == GG_OK)
        st = gg_store_communities(store, &comms, &nc);
    k.r->grids = (int64_t)n;
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        if (grids[i].geom == NULL)
            st = add(&k, GG_CHECK_UNREADABLE, 1, grids[i].code, NULL, grids[i].community, NAN, NAN, NULL,
                     "the stored geometry cannot be read");
        if (st == GG_OK)
            st = check_code(&k, &grids[i]);
    }
    /* Grids by community (both sorted by code). */
    for (size_t i = 0, ci = 0; i < n && st == GG_OK;) {
        size_t j = i;
        while (j < n && strcmp(grids[j].community, grids[i].community) == 0)
            j++;
        while (ci < nc && strcmp(comms[ci].code, grids[i].community) < 0)
            ci++;
        const gg_community_row *c = ci < nc && strcmp(comms[ci].code, grids[i].community) == 0 ? &comms[ci] : NULL;
        int64_t total = 0;
        for (size_t q = i; q < j && total >= 0; q++)
            total = grids[q].counted ? total + grids[q].households : -1;
        if (c == NULL) {
            for (size_t q = i; q < j && st == GG_OK; q++) {
                double lon = NAN, lat = NAN;
                if (grids[q].geom)
                    point_of(ctx->geos, grids[q].geom, &lon, &lat);
                st = add(&k, GG_CHECK_NO_COMMUNITY, 1, grids[q].code, NULL, grids[q].community, lon, lat, NULL,
                         "its community '%s' is not a community of the project with a polygon", grids[q].community);
            }
        } else {
            k.r->communities++;
            st = check_community(&k, c->code, c->geom, grids + i, j - i);
        }
        for (size_t q = i; q < j && st == GG_OK; q++)
            st = check_window(&k, &w, c, &grids[q], total);
        i = j;
        if (st == GG_OK)
            st = gg_progress(ctx, "check", i, n);
    }
    if (st == GG_OK && n > 0 && !opts->skip_households)
        st = check_households(&k, store, plan, grids, n);
    gg_plan_grids_free(ctx, grids, n);
    gg_community_rows_free(ctx, comms, nc);
    return checker_close(&k, st, out);
}
