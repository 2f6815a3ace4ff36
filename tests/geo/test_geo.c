/* CRS choice and PROJ transformations. */
#include "harness.h"

#include <math.h>

#include "govgrid/geo.h"
#include "core/ctx.h"
#include "failing_alloc.h"
#include "geo/inscribed.h"

#include <geos_c.h>
#include <stdlib.h>

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

TEST_LIST(T(local_metric_crs_in_china_is_cgcs2000_gauss_kruger), T(local_metric_crs_elsewhere_is_utm),
          T(transforms_with_lon_lat_order_and_round_trips), T(unknown_crs_is_an_error),
          T(holds_disc_decides_the_inscribed_circle), T(holds_disc_agrees_on_noisy_slivers),
          T(holds_disc_survives_every_allocation_failure))
