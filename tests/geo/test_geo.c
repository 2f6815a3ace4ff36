/* CRS choice and PROJ transformations; the disc test; the bucketed
 * polygon boundaries. */
#include "harness.h"

#include <math.h>

#include "govgrid/geo.h"
#include "core/ctx.h"
#include "failing_alloc.h"
#include "geo/blob.h"
#include "geo/inscribed.h"
#include "geo/polyindex.h"

#include <geos_c.h>
#include <sqlite3.h>
#include <spatialite/gaiageo.h>
#include <stdlib.h>
#include <string.h>

static void local_metric_crs_in_china_is_cgcs2000_gauss_kruger(void)
{
    CHECK_INT(gg_local_metric_epsg(116.35, 40.0), 4548);  /* Beijing, CM 117°E */
    CHECK_INT(gg_local_metric_epsg(119.6, 32.0), 4549);   /* Danyang, CM 120°E */
    CHECK_INT(gg_local_metric_epsg(87.6, 43.8), 4538);    /* Ürümqi, CM 87°E */
    CHECK_INT(gg_local_metric_epsg(75.9, 39.5), 4534);    /* Kashgar, CM 75°E */
    CHECK_INT(gg_local_metric_epsg(134.5, 47.0), 4554);   /* Fuyuan, CM 135°E */
}

static void local_metric_crs_elsewhere_is_utm(void)
{
    CHECK_INT(gg_local_metric_epsg(7.42, 43.74), 32632);  /* Monaco */
    CHECK_INT(gg_local_metric_epsg(-70.6, -33.4), 32719); /* Santiago */
    CHECK_INT(gg_local_metric_epsg(180.0, 10.0), 32660);
    CHECK_INT(gg_local_metric_epsg(NAN, 10.0), 0);
    CHECK_INT(gg_local_metric_epsg(10.0, 91.0), 0);
}

static void transforms_with_lon_lat_order_and_round_trips(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    gg_transform *fwd = NULL, *inv = NULL;
    CHECK_INT(gg_transform_new(ctx, "EPSG:4326", "EPSG:4548", &fwd), GG_OK);
    CHECK_INT(gg_transform_new(ctx, "EPSG:4548", "EPSG:4326", &inv), GG_OK);
    /* On the central meridian the easting is the false easting, 500 km. */
    double x[2] = {117.0, 116.35}, y[2] = {40.0, 40.0};
    CHECK_INT(gg_transform_points(fwd, x, y, 2), GG_OK);
    CHECK_NEAR(x[0], 500000.0, 1e-3);
    CHECK_NEAR(y[0], 4429000.0, 3000.0); /* 40°N is about 4,429 km from the equator */
    CHECK(x[1] < 500000.0 && x[1] > 440000.0);
    CHECK_INT(gg_transform_points(inv, x, y, 2), GG_OK);
    CHECK_NEAR(x[1], 116.35, 1e-9);
    CHECK_NEAR(y[1], 40.0, 1e-9);
    gg_transform_free(fwd);
    gg_transform_free(inv);
    gg_transform_free(NULL);
    gg_ctx_free(ctx);
}

static void unknown_crs_is_an_error(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    gg_transform *t = NULL;
    CHECK_INT(gg_transform_new(ctx, "EPSG:4326", "EPSG:999999", &t), GG_ERR_CRS);
    CHECK(t == NULL);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "EPSG:999999");
    CHECK_INT(gg_transform_new(ctx, NULL, "EPSG:4326", &t), GG_ERR_ARG);
    gg_ctx_free(ctx);
}

static GEOSGeometry *wkt(gg_ctx *ctx, const char *text)
{
    GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx->geos);
    GEOSGeometry *g = GEOSWKTReader_read_r(ctx->geos, rd, text);
    GEOSWKTReader_destroy_r(ctx->geos, rd);
    return g;
}

/* GEOS's largest inscribed circle, to a millimetre. */
static double mic_radius(gg_ctx *ctx, const GEOSGeometry *g)
{
    GEOSGeometry *line = GEOSMaximumInscribedCircle_r(ctx->geos, g, 1e-3);
    double r = -1;
    if (line != NULL) {
        GEOSLength_r(ctx->geos, line, &r);
        GEOSGeom_destroy_r(ctx->geos, line);
    }
    return r;
}

static void holds_disc_decides_the_inscribed_circle(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    /* a 400 m strip 8 m wide (radius 4), bent round a corner; a 20 m
     * square (radius 10); the square with a 16 m hole (radius 1); a
     * sliver and a square together; a triangle */
    const char *shapes[] = {
        "POLYGON((0 0, 400 0, 400 400, 392 400, 392 8, 0 8, 0 0))",
        "POLYGON((0 0, 20 0, 20 20, 0 20, 0 0))",
        "POLYGON((0 0, 20 0, 20 20, 0 20, 0 0), (2 2, 18 2, 18 18, 2 18, 2 2))",
        "MULTIPOLYGON(((0 0, 300 0, 300 3, 0 3, 0 0)), ((500 500, 520 500, 520 520, 500 520, 500 500)))",
        "POLYGON((0 0, 60 0, 30 25, 0 0))",
    };
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++) {
        GEOSGeometry *g = wkt(ctx, shapes[i]);
        CHECK(g != NULL);
        double r = mic_radius(ctx, g);
        /* either side of the true radius, beyond the precision */
        CHECK_INT(gg_geom_holds_disc(ctx, g, r - 0.05, 0.01), 1);
        CHECK_INT(gg_geom_holds_disc(ctx, g, r + 0.05, 0.01), 0);
        CHECK_INT(gg_geom_holds_disc(ctx, g, r * 0.5, 0.01), 1);
        CHECK_INT(gg_geom_holds_disc(ctx, g, r * 2, 0.01), 0);
        GEOSGeom_destroy_r(ctx->geos, g);
    }
    /* the strip is 8 m wide, but its corner holds a circle touching both
     * outer sides and the inner corner: r = 8 / (1 + 1/sqrt 2) */
    GEOSGeometry *strip = wkt(ctx, shapes[0]);
    CHECK_NEAR(mic_radius(ctx, strip), 8 / (1 + 1 / sqrt(2.0)), 1e-2);
    CHECK_INT(gg_geom_holds_disc(ctx, strip, 4.75, 0.01), 0);
    CHECK_INT(gg_geom_holds_disc(ctx, strip, 4.62, 0.01), 1);
    GEOSGeometry *pt = wkt(ctx, "POINT(1 2)");
    CHECK_INT(gg_geom_holds_disc(ctx, pt, 1, 0.1), -1);
    CHECK_INT(gg_geom_holds_disc(ctx, strip, 0, 0.1), -1);
    GEOSGeom_destroy_r(ctx->geos, pt);
    GEOSGeom_destroy_r(ctx->geos, strip);
    gg_ctx_free(ctx);
}

/* Noisy slivers like those two nearly coincident boundaries leave: the
 * decision agrees with GEOS's circle on each, away from the precision. */
static void holds_disc_agrees_on_noisy_slivers(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    srand(7);
    char text[8192];
    for (int k = 0; k < 40; k++) {
        /* a ring round an L, its width jittered between 1 and 12 m */
        double base = 1 + (k % 12);
        int n = 0, m = 30;
        double xs[64], ys[64];
        for (int i = 0; i <= m; i++) { /* along y = 0 then x = 300 */
            double t = 600.0 * i / m;
            xs[n] = t <= 300 ? t : 300, ys[n] = t <= 300 ? 0 : t - 300;
            n++;
        }
        size_t len = (size_t)snprintf(text, sizeof text, "POLYGON((");
        for (int i = 0; i < n; i++)
            len += (size_t)snprintf(text + len, sizeof text - len, "%.3f %.3f, ", xs[i], ys[i]);
        for (int i = n - 1; i >= 0; i--) {
            double w = base * (0.6 + 0.8 * rand() / (double)RAND_MAX);
            double x = xs[i] <= 300 && ys[i] == 0 && xs[i] < 300 ? xs[i] : 300 - w;
            double y = xs[i] < 300 ? w : ys[i];
            if (xs[i] == 300 && ys[i] == 0)
                x = 300 - w, y = w;
            len += (size_t)snprintf(text + len, sizeof text - len, "%.3f %.3f, ", x, y);
        }
        snprintf(text + len, sizeof text - len, "%.3f %.3f))", xs[0], ys[0]);
        GEOSGeometry *g = wkt(ctx, text);
        CHECK(g != NULL);
        if (g == NULL)
            continue;
        CHECK(GEOSisValid_r(ctx->geos, g) == 1);
        double r = mic_radius(ctx, g);
        for (double q = 1; q <= 6; q += 0.5) {
            if (fabs(q - r) < 0.06)
                continue;
            if (gg_geom_holds_disc(ctx, g, q, q / 100) != (r > q))
                gg_test_fail(__FILE__, __LINE__, "shape %d, radius %.3f, asked %.1f: wrong answer", k, r, q);
        }
        GEOSGeom_destroy_r(ctx->geos, g);
    }
    gg_ctx_free(ctx);
}

static void holds_disc_survives_every_allocation_failure(void)
{
    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    int failed = 0;
    for (long k = 1; k < 200; k++) {
        state = (failing_alloc){0, 0, 0};
        gg_ctx *ctx = NULL;
        if (gg_ctx_new_with_allocator(&alloc, &ctx) != GG_OK)
            continue;
        GEOSGeometry *g = wkt(ctx, "POLYGON((0 0, 400 0, 400 400, 392 400, 392 8, 0 8, 0 0))");
        state.fail_at = state.calls + k;
        int got = gg_geom_holds_disc(ctx, g, 3.9, 0.05);
        CHECK(got == 1 || got == -1);
        failed += got == -1;
        state.fail_at = 0;
        GEOSGeom_destroy_r(ctx->geos, g);
        gg_ctx_free(ctx);
        CHECK_INT(state.live, 0);
    }
    CHECK(failed > 0);
}

/* A star-shaped ring round (cx, cy): m vertices at radii r * [0.5, 1.5),
 * into text as WKT coordinates; reversed when hole. */
static size_t star_ring(char *text, size_t size, double cx, double cy, double r, int m, int hole)
{
    double xs[64], ys[64];
    for (int i = 0; i < m; i++) {
        double a = 6.283185307179586 * i / m, q = r * (0.5 + rand() / (double)RAND_MAX);
        xs[i] = cx + q * cos(a), ys[i] = cy + q * sin(a);
    }
    size_t len = (size_t)snprintf(text, size, "(");
    for (int k = 0; k <= m; k++) {
        int i = hole ? (m - k) % m : k % m;
        len += (size_t)snprintf(text + len, size - len, "%s%.3f %.3f", k ? ", " : "", xs[i], ys[i]);
    }
    return len + (size_t)snprintf(text + len, size - len, ")");
}

/* A star polygon, with a small star hole at its centre when hole. */
static GEOSGeometry *star(gg_ctx *ctx, double cx, double cy, double r, int m, int hole)
{
    char text[4096];
    size_t len = (size_t)snprintf(text, sizeof text, "POLYGON(");
    len += star_ring(text + len, sizeof text - len, cx, cy, r, m, 0);
    if (hole) {
        len += (size_t)snprintf(text + len, sizeof text - len, ", ");
        len += star_ring(text + len, sizeof text - len, cx, cy, r * 0.2, 7, 1);
    }
    snprintf(text + len, sizeof text - len, ")");
    return wkt(ctx, text);
}

static GEOSGeometry *point(gg_ctx *ctx, double x, double y)
{
    return GEOSGeom_createPointFromXY_r(ctx->geos, x, y);
}

/* GEOS's answer as locate's: 1 inside, 0 on the boundary, -1 outside. */
static int geos_locate(gg_ctx *ctx, const GEOSGeometry *g, double x, double y)
{
    GEOSGeometry *p = point(ctx, x, y);
    int in = GEOSContains_r(ctx->geos, g, p), on = GEOSIntersects_r(ctx->geos, g, p);
    GEOSGeom_destroy_r(ctx->geos, p);
    return in ? 1 : on ? 0 : -1;
}

static void polyindex_locates_inside_boundary_and_outside(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    /* a 100 m square with a 20 m hole, and a second square apart */
    GEOSGeometry *g = wkt(ctx, "MULTIPOLYGON(((0 0, 100 0, 100 100, 0 100, 0 0), (40 40, 40 60, 60 60, 60 40, 40 40)),"
                               " ((200 0, 220 0, 220 20, 200 20, 200 0)))");
    CHECK(g != NULL);
    for (int pass = 0; pass < 2; pass++) {
        gg_polyindex ix;
        CHECK_INT(gg_polyindex_build(ctx, g, pass ? 500 : 0, &ix), GG_OK);
        CHECK_INT(ix.n_rings, 3);
        CHECK_INT(ix.n, 12);
        CHECK_NEAR(ix.box[2], 220, 1e-9);
        const struct {
            double x, y;
            int want;
        } cases[] = {
            {10, 10, 1},   {50, 50, -1},  {30, 50, 1},   {0, 0, 0},     {0, 50, 0},     {100, 100, 0},
            {40, 50, 0},   {60, 60, 0},   {50, 40, 0},   {-1, 50, -1},  {150, 10, -1},  {210, 10, 1},
            {220, 20, 0},  {210, 20, 0},  {221, 10, -1}, {100, 50, 0},  {100.001, 50, -1}, {99.999, 50, 1},
            {50, 100, 0},  {50, 0, 0},    {200, 30, -1}, {-5, -5, -1},
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
            int got = gg_polyindex_locate(&ix, cases[i].x, cases[i].y);
            if (got != cases[i].want)
                gg_test_fail(__FILE__, __LINE__, "pass %d: (%g %g) located %d, expected %d", pass, cases[i].x,
                             cases[i].y, got, cases[i].want);
        }
        gg_polyindex_free(ctx, &ix);
    }
    GEOSGeom_destroy_r(ctx->geos, g);
    gg_ctx_free(ctx);
}

/* Random star polygons with holes: every point locate places where GEOS
 * does, the vertices (on the boundary) included. */
static void polyindex_locate_agrees_with_geos(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    srand(11);
    for (int k = 0; k < 30; k++) {
        GEOSGeometry *g = star(ctx, 500, 300, 200, 5 + k, k % 2);
        CHECK(g != NULL && GEOSisValid_r(ctx->geos, g) == 1);
        if (g == NULL)
            continue;
        gg_polyindex ix;
        CHECK_INT(gg_polyindex_build(ctx, g, k % 3 ? 0 : 37, &ix), GG_OK);
        int wrong = 0, inside = 0, outside = 0;
        for (int i = 0; i < 400; i++) {
            double x = 150 + 700.0 * rand() / (double)RAND_MAX, y = -50 + 700.0 * rand() / (double)RAND_MAX;
            int got = gg_polyindex_locate(&ix, x, y), want = geos_locate(ctx, g, x, y);
            wrong += got != want;
            inside += want == 1;
            outside += want == -1;
        }
        for (size_t i = 0; i < ix.n; i++)
            wrong += gg_polyindex_locate(&ix, ix.s[i].x0, ix.s[i].y0) != 0;
        if (wrong)
            gg_test_fail(__FILE__, __LINE__, "star %d: %d points placed unlike GEOS", k, wrong);
        if (inside <= 20 || outside <= 20)
            gg_test_fail(__FILE__, __LINE__, "star %d: %d inside, %d outside", k, inside, outside);
        gg_polyindex_free(ctx, &ix);
        GEOSGeom_destroy_r(ctx->geos, g);
    }
    gg_ctx_free(ctx);
}

/* meets and meets_segment as GEOS's intersects, covers as GEOS's covers
 * whenever it answers: touching edges and vertices, nesting, holes,
 * crossing and apart, then random stars. */
static void polyindex_meets_and_covers_agree_with_geos(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    const char *a_text = "POLYGON((0 0, 100 0, 100 100, 0 100, 0 0), (40 40, 40 60, 60 60, 60 40, 40 40))";
    const struct {
        const char *b;
        int meets, covers_ab, covers_ba; /* covers: -1 when undecided */
    } cases[] = {
        {"POLYGON((100 0, 200 0, 200 100, 100 100, 100 0))", 1, 0, 0},  /* a shared edge (boxes not nested) */
        {"POLYGON((100 100, 200 100, 200 200, 100 200, 100 100))", 1, 0, 0}, /* a shared vertex */
        {"POLYGON((10 10, 20 10, 20 20, 10 20, 10 10))", 1, 1, 0},      /* inside a */
        {"POLYGON((45 45, 55 45, 55 55, 45 55, 45 45))", 0, 0, 0},      /* in a's hole */
        {"POLYGON((-10 -10, 110 -10, 110 110, -10 110, -10 -10))", 1, 0, 1}, /* holds a */
        {"POLYGON((90 90, 120 90, 120 120, 90 120, 90 90))", 1, 0, 0},  /* crossing */
        {"POLYGON((101 0, 200 0, 200 100, 101 100, 101 0))", 0, 0, 0},  /* apart by a metre */
        {"POLYGON((30 30, 70 30, 70 70, 30 70, 30 30))", 1, 0, 0},      /* round the hole */
        {"POLYGON((30 30, 50 30, 50 50, 30 50, 30 30))", 1, -1, 0},     /* into the hole: undecided */
    };
    GEOSGeometry *a = wkt(ctx, a_text);
    gg_polyindex ia;
    CHECK_INT(gg_polyindex_build(ctx, a, 0, &ia), GG_OK);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        GEOSGeometry *b = wkt(ctx, cases[i].b);
        gg_polyindex ib;
        CHECK_INT(gg_polyindex_build(ctx, b, 0, &ib), GG_OK);
        CHECK_INT(GEOSIntersects_r(ctx->geos, a, b), cases[i].meets);
        if (gg_polyindex_meets(&ia, &ib) != cases[i].meets || gg_polyindex_meets(&ib, &ia) != cases[i].meets)
            gg_test_fail(__FILE__, __LINE__, "case %zu: meets wrong", i);
        if (gg_polyindex_covers(&ia, &ib) != cases[i].covers_ab || gg_polyindex_covers(&ib, &ia) != cases[i].covers_ba)
            gg_test_fail(__FILE__, __LINE__, "case %zu: covers %d %d, expected %d %d", i, gg_polyindex_covers(&ia, &ib),
                         gg_polyindex_covers(&ib, &ia), cases[i].covers_ab, cases[i].covers_ba);
        gg_polyindex_free(ctx, &ib);
        GEOSGeom_destroy_r(ctx->geos, b);
    }
    const struct {
        gg_seg e;
        int meets;
    } segs[] = {
        {{-10, 50, 10, 50}, 1}, {{-10, 50, -1, 50}, 0}, {{45, 50, 55, 50}, 0}, {{45, 50, 60, 50}, 1},
        {{100, 100, 150, 150}, 1}, {{10, 10, 90, 90}, 1}, {{10, 10, 30, 30}, 0}, {{100, -10, 100, 0}, 1},
    };
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++)
        if (gg_polyindex_meets_segment(&ia, &segs[i].e) != segs[i].meets)
            gg_test_fail(__FILE__, __LINE__, "segment %zu: meets wrong", i);
    gg_polyindex_free(ctx, &ia);
    GEOSGeom_destroy_r(ctx->geos, a);

    srand(5);
    int answered = 0, meeting = 0, apart = 0;
    for (int k = 0; k < 300; k++) {
        double r1 = 50 + 150.0 * rand() / (double)RAND_MAX, r2 = 20 + 150.0 * rand() / (double)RAND_MAX;
        double dx = 400.0 * rand() / (double)RAND_MAX - 200, dy = 400.0 * rand() / (double)RAND_MAX - 200;
        GEOSGeometry *p = star(ctx, 0, 0, r1, 6 + k % 20, k % 2), *q = star(ctx, dx, dy, r2, 5 + k % 9, k % 3 == 0);
        gg_polyindex ip, iq;
        CHECK_INT(gg_polyindex_build(ctx, p, 0, &ip), GG_OK);
        CHECK_INT(gg_polyindex_build(ctx, q, k % 2 ? 25 : 0, &iq), GG_OK);
        int want = GEOSIntersects_r(ctx->geos, p, q);
        meeting += want == 1;
        apart += want == 0;
        if (gg_polyindex_meets(&ip, &iq) != want || gg_polyindex_meets(&iq, &ip) != want)
            gg_test_fail(__FILE__, __LINE__, "stars %d: meets unlike GEOS (%d)", k, want);
        int c = gg_polyindex_covers(&ip, &iq);
        if (c >= 0) {
            answered++;
            if (c != GEOSCovers_r(ctx->geos, p, q))
                gg_test_fail(__FILE__, __LINE__, "stars %d: covers %d unlike GEOS", k, c);
        }
        /* segments from q's vertices to a point near p's centre */
        GEOSGeometry *ring = GEOSBoundary_r(ctx->geos, p);
        for (size_t i = 0; i < iq.n; i += 3) {
            gg_seg e = {iq.s[i].x0, iq.s[i].y0, 1, 2};
            GEOSCoordSequence *cs = GEOSCoordSeq_create_r(ctx->geos, 2, 2);
            GEOSCoordSeq_setXY_r(ctx->geos, cs, 0, e.x0, e.y0);
            GEOSCoordSeq_setXY_r(ctx->geos, cs, 1, e.x1, e.y1);
            GEOSGeometry *line = GEOSGeom_createLineString_r(ctx->geos, cs);
            int w = GEOSIntersects_r(ctx->geos, line, ring);
            if (gg_polyindex_meets_segment(&ip, &e) != w)
                gg_test_fail(__FILE__, __LINE__, "stars %d, segment %zu: meets %d unlike GEOS", k, i, !w);
            GEOSGeom_destroy_r(ctx->geos, line);
        }
        GEOSGeom_destroy_r(ctx->geos, ring);
        gg_polyindex_free(ctx, &ip);
        gg_polyindex_free(ctx, &iq);
        GEOSGeom_destroy_r(ctx->geos, p);
        GEOSGeom_destroy_r(ctx->geos, q);
    }
    CHECK(answered > 50 && meeting > 50 && apart > 50);
    gg_ctx_free(ctx);
}

static void polyindex_rejects_and_survives_allocation_failure(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    GEOSGeometry *line = wkt(ctx, "LINESTRING(0 0, 10 10)");
    gg_polyindex ix;
    CHECK_INT(gg_polyindex_build(ctx, line, 0, &ix), GG_ERR_GEOMETRY);
    CHECK(gg_ctx_errmsg(ctx)[0] != '\0');
    GEOSGeom_destroy_r(ctx->geos, line);
    gg_ctx_free(ctx);

    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    int failed = 0, built = 0;
    for (long k = 1; k < 12; k++) {
        state = (failing_alloc){0, 0, 0};
        ctx = NULL;
        if (gg_ctx_new_with_allocator(&alloc, &ctx) != GG_OK)
            continue;
        GEOSGeometry *g = wkt(ctx, "POLYGON((0 0, 100 0, 100 100, 0 100, 0 0), (40 40, 40 60, 60 60, 60 40, 40 40))");
        state.fail_at = state.calls + k;
        gg_status st = gg_polyindex_build(ctx, g, 0, &ix);
        state.fail_at = 0;
        CHECK(st == GG_OK || st == GG_ERR_NOMEM);
        if (st == GG_OK) {
            built++;
            CHECK_INT(gg_polyindex_locate(&ix, 10, 10), 1);
            gg_polyindex_free(ctx, &ix);
        } else {
            failed++;
        }
        GEOSGeom_destroy_r(ctx->geos, g);
        gg_ctx_free(ctx);
        CHECK_INT(state.live, 0);
    }
    CHECK(failed > 0 && built > 0);
}


/* What gg_blob_lines gives: every line's points (x, y), its turn. */
typedef struct lines_seen {
    int n_lines, turns[16];
    uint32_t points[16];
    double xy[2 * 256];
    int n_xy;
} lines_seen;

static void see_line(void *user, const gg_blob_line *line)
{
    lines_seen *s = user;
    if (s->n_lines < 16) {
        s->turns[s->n_lines] = line->turn;
        s->points[s->n_lines] = line->n;
    }
    s->n_lines++;
    for (uint32_t i = 0; i < line->n && s->n_xy < 256; i++, s->n_xy++)
        gg_blob_xy(line, i, &s->xy[2 * s->n_xy], &s->xy[2 * s->n_xy + 1]);
}

/* SpatiaLite's own BLOB of a WKT geometry (Z and M kept). */
static unsigned char *spatialite_blob(const char *text, int compressed, int *size)
{
    gaiaGeomCollPtr g = gaiaParseWkt((const unsigned char *)text, -1);
    CHECK(g != NULL);
    g->Srid = 4326;
    unsigned char *blob = NULL;
    if (compressed)
        gaiaToCompressedBlobWkb(g, &blob, size);
    else
        gaiaToSpatiaLiteBlobWkb(g, &blob, size);
    gaiaFreeGeomColl(g);
    CHECK(blob != NULL);
    return blob;
}

/* gg_blob_to_geos, with its status and its geometry checked to agree. */
static GEOSGeometry *blob_geom(gg_ctx *ctx, const unsigned char *blob, size_t size)
{
    GEOSGeometry *g = (GEOSGeometry *)&g; /* overwritten */
    gg_status st = gg_blob_to_geos(ctx, blob, size, &g);
    CHECK_INT(st == GG_OK, g != NULL);
    CHECK(st != GG_ERR_NOMEM);
    return g;
}

static void blob_lines_are_read_in_place_as_spatialite_writes_them(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    struct {
        const char *wkt;
        int n_lines, turns[4];
        uint32_t points[4];
        double box[4], first[2], last[2];
    } cases[] = {
        {"POLYGON((0 0, 4 0, 4 3, 0 3, 0 0), (1 1, 1 2, 2 2, 1 1))", 2, {1, -1}, {5, 4}, {0, 0, 4, 3},
         {0, 0}, {1, 1}},
        {"MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 7, 5 5), (5.5 5.2, 5.8 5.2, 5.8 5.5, 5.5 5.2)))", 3,
         {1, 1, -1}, {4, 4, 4}, {0, 0, 6, 7}, {0, 0}, {5.5, 5.2}},
        {"LINESTRING(119.5 31.9, 119.6 32.0, 119.7 31.8)", 1, {0}, {3}, {119.5, 31.8, 119.7, 32.0},
         {119.5, 31.9}, {119.7, 31.8}},
        {"MULTILINESTRING((0 0, 1 1), (2 2, 3 3, 4 2))", 2, {0, 0}, {2, 3}, {0, 0, 4, 3}, {0, 0}, {4, 2}},
        {"GEOMETRYCOLLECTION(POINT(9 9), LINESTRING(0 0, 1 0), POLYGON((0 0, 1 0, 1 1, 0 0)))", 2, {0, 1},
         {2, 4}, {0, 0, 9, 9}, {0, 0}, {0, 0}},
        {"POLYGON Z((0 0 10, 2 0 11, 2 2 12, 0 0 10))", 1, {1}, {4}, {0, 0, 2, 2}, {0, 0}, {0, 0}},
        {"LINESTRING M(1 2 100, 3 4 200)", 1, {0}, {2}, {1, 2, 3, 4}, {1, 2}, {3, 4}},
        {"LINESTRING ZM(1 2 5 100, 3 4 6 200)", 1, {0}, {2}, {1, 2, 3, 4}, {1, 2}, {3, 4}},
        {"POINT(3 4)", 0, {0}, {0}, {3, 4, 3, 4}, {0, 0}, {0, 0}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        int size = 0;
        unsigned char *blob = spatialite_blob(cases[c].wkt, 0, &size);
        lines_seen seen;
        memset(&seen, 0, sizeof seen);
        double box[4] = {NAN, NAN, NAN, NAN};
        CHECK_INT(gg_blob_lines(blob, (size_t)size, box, see_line, &seen), GG_BLOB_READ);
        CHECK_INT(seen.n_lines, cases[c].n_lines);
        for (int k = 0; k < cases[c].n_lines; k++) {
            CHECK_INT(seen.turns[k], cases[c].turns[k]);
            CHECK_INT(seen.points[k], cases[c].points[k]);
        }
        for (int k = 0; k < 4; k++)
            CHECK_NEAR(box[k], cases[c].box[k], 1e-12);
        if (cases[c].n_lines > 0) {
            CHECK_NEAR(seen.xy[0], cases[c].first[0], 1e-12);
            CHECK_NEAR(seen.xy[1], cases[c].first[1], 1e-12);
            /* the last point, with z and m stepped over */
            int at = seen.n_xy - 1;
            CHECK_NEAR(seen.xy[2 * at], cases[c].last[0], 1e-12);
            CHECK_NEAR(seen.xy[2 * at + 1], cases[c].last[1], 1e-12);
        }
        /* built in GEOS as the WKT reads, in x and y */
        GEOSGeometry *built = blob_geom(ctx, blob, (size_t)size);
        CHECK(built != NULL);
        GEOSWKTReader *rd = GEOSWKTReader_create_r(ctx->geos);
        GEOSGeometry *want = GEOSWKTReader_read_r(ctx->geos, rd, cases[c].wkt);
        GEOSWKTReader_destroy_r(ctx->geos, rd);
        CHECK_INT(GEOSGeomTypeId_r(ctx->geos, built), GEOSGeomTypeId_r(ctx->geos, want));
        CHECK_INT(GEOSGetNumCoordinates_r(ctx->geos, built), GEOSGetNumCoordinates_r(ctx->geos, want));
        CHECK_INT(GEOSEqualsExact_r(ctx->geos, built, want, 0), 1);
        CHECK_INT(GEOSHasZ_r(ctx->geos, built), 0);
        GEOSGeom_destroy_r(ctx->geos, built);
        GEOSGeom_destroy_r(ctx->geos, want);
        double hbox[4];
        CHECK(gg_blob_box(blob, (size_t)size, hbox));
        CHECK_NEAR(hbox[2], cases[c].box[2], 1e-12);
        /* every shorter prefix is refused, whole, before any line */
        for (int cut = 0; cut < size; cut++) {
            memset(&seen, 0, sizeof seen);
            CHECK_INT(gg_blob_lines(blob, (size_t)cut, NULL, see_line, &seen), GG_BLOB_BAD);
            CHECK_INT(seen.n_lines, 0);
            CHECK(blob_geom(ctx, blob, (size_t)cut) == NULL);
        }
        free(blob);
    }
    /* an unclosed ring: GEOS's refusal, with its reason */
    int size = 0;
    unsigned char *open_ring = spatialite_blob("POLYGON((0 0, 1 0, 1 1, 0 1, 0 0))", 0, &size);
    open_ring[size - 1 - 8] ^= 0x40; /* the last point's y */
    CHECK(blob_geom(ctx, open_ring, (size_t)size) == NULL);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "cannot build a geometry from a SpatiaLite BLOB");
    free(open_ring);
    gg_ctx_free(ctx);
}

/* A BLOB's bytes the other way round: a big-endian line of two points. */
static size_t put_be(unsigned char *p, const void *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        p[i] = ((const unsigned char *)v)[n - 1 - i];
    return n;
}

static void blob_lines_read_big_endian_and_refuse_what_is_not_one(void)
{
    unsigned char b[128];
    size_t n = 0;
    int32_t srid = 4326, cls = 2, points = 2;
    double box[4] = {119.5, 31.5, 120.25, 32.0}, xy[4] = {119.5, 32.0, 120.25, 31.5};
    b[n++] = 0x00;
    b[n++] = 0x00; /* big-endian */
    n += put_be(b + n, &srid, 4);
    for (int k = 0; k < 4; k++)
        n += put_be(b + n, &box[k], 8);
    b[n++] = 0x7C;
    n += put_be(b + n, &cls, 4);
    n += put_be(b + n, &points, 4);
    for (int k = 0; k < 4; k++)
        n += put_be(b + n, &xy[k], 8);
    b[n++] = 0xFE;
    lines_seen seen;
    memset(&seen, 0, sizeof seen);
    double got[4];
    CHECK_INT(gg_blob_lines(b, n, got, see_line, &seen), GG_BLOB_READ);
    CHECK_INT(seen.n_lines, 1);
    CHECK_NEAR(got[2], 120.25, 0);
    CHECK_NEAR(seen.xy[2], 120.25, 0);
    CHECK_NEAR(seen.xy[3], 31.5, 0);
    /* SpatiaLite reads it the same */
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    GEOSGeometry *g = blob_geom(ctx, b, n);
    CHECK(g != NULL);
    double len = 0;
    GEOSLength_r(ctx->geos, g, &len);
    CHECK_NEAR(len, hypot(0.75, 0.5), 1e-12);
    GEOSGeom_destroy_r(ctx->geos, g);
    /* a byte out of place: refused, no line seen */
    const size_t marks[] = {0, 1, 38, n - 1};
    for (size_t k = 0; k < sizeof marks / sizeof marks[0]; k++) {
        unsigned char c[128];
        memcpy(c, b, n);
        c[marks[k]] = 0x42;
        memset(&seen, 0, sizeof seen);
        CHECK_INT(gg_blob_lines(c, n, NULL, see_line, &seen), GG_BLOB_BAD);
        CHECK_INT(seen.n_lines, 0);
    }
    /* more points than bytes */
    unsigned char c[128];
    memcpy(c, b, n);
    int32_t many = 1 << 30;
    put_be(c + 43, &many, 4);
    CHECK_INT(gg_blob_lines(c, n, NULL, see_line, &seen), GG_BLOB_BAD);
    /* an unknown class */
    memcpy(c, b, n);
    int32_t odd = 8;
    put_be(c + 39, &odd, 4);
    CHECK_INT(gg_blob_lines(c, n, NULL, NULL, NULL), GG_BLOB_BAD);
    CHECK(blob_geom(ctx, c, 3) == NULL);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "not a SpatiaLite geometry");
    gg_ctx_free(ctx);
}

static void compressed_blobs_go_through_spatialite(void)
{
    gg_ctx *ctx = NULL;
    CHECK_INT(gg_ctx_new(&ctx), GG_OK);
    int size = 0;
    unsigned char *blob =
        spatialite_blob("MULTIPOLYGON(((0 0, 1 0, 1 1, 0.5 1.5, 0 1, 0 0)), ((3 3, 4 3, 4 4, 3 3)))", 1, &size);
    CHECK_INT(gg_blob_lines(blob, (size_t)size, NULL, NULL, NULL), GG_BLOB_OTHER);
    double box[4];
    CHECK(gg_blob_box(blob, (size_t)size, box));
    CHECK_NEAR(box[2], 4, 1e-12);
    GEOSGeometry *g = blob_geom(ctx, blob, (size_t)size);
    CHECK(g != NULL);
    double area = 0;
    GEOSArea_r(ctx->geos, g, &area);
    CHECK_NEAR(area, 1.25 + 0.5, 1e-6); /* compressed points are floats */
    GEOSGeom_destroy_r(ctx->geos, g);
    free(blob);
    gg_ctx_free(ctx);
}

TEST_LIST(T(local_metric_crs_in_china_is_cgcs2000_gauss_kruger), T(local_metric_crs_elsewhere_is_utm),
          T(transforms_with_lon_lat_order_and_round_trips), T(unknown_crs_is_an_error),
          T(holds_disc_decides_the_inscribed_circle), T(holds_disc_agrees_on_noisy_slivers),
          T(holds_disc_survives_every_allocation_failure), T(polyindex_locates_inside_boundary_and_outside),
          T(polyindex_locate_agrees_with_geos), T(polyindex_meets_and_covers_agree_with_geos),
          T(polyindex_rejects_and_survives_allocation_failure),
          T(blob_lines_are_read_in_place_as_spatialite_writes_them),
          T(blob_lines_read_big_endian_and_refuse_what_is_not_one), T(compressed_blobs_go_through_spatialite))
