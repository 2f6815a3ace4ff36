/* CRS choice and PROJ transformations. */
#include "harness.h"

#include <math.h>

#include "govgrid/geo.h"

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

TEST_LIST(T(local_metric_crs_in_china_is_cgcs2000_gauss_kruger), T(local_metric_crs_elsewhere_is_utm),
          T(transforms_with_lon_lat_order_and_round_trips), T(unknown_crs_is_an_error))
