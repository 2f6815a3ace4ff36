/* A property test of the partition: random communities that share zigzag
 * boundaries, one with a lake (a hole), one with an island (multipart), a
 * dumbbell joined by a 3 m neck; random roads, one running 4 mm beside a
 * community boundary and one meeting it at a fraction of a degree; random
 * households, some exactly on road segments and on community boundaries,
 * some towers. Each random case is partitioned (the partition checks its
 * own plan), checked again with govgrid check's invariants, exported, and
 * the exported polygons reprojected with OGR/PROJ to UTM and to CGCS2000
 * Gauss-Krueger and tested with GEOS (OGR_G_IsValid): nothing of the
 * partition's own bookkeeping is trusted. */
#include "harness.h"
#include "io/fixtures.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct rng {
    uint64_t s;
} rng;

static double uniform(rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (double)(r->s >> 11) / 9007199254740992.0;
}

typedef struct text {
    char *p;
    size_t n, cap;
} text;

static void put(text *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
        va_end(ap);
        if (t->p && (size_t)k < t->cap - t->n) {
            t->n += (size_t)k;
            return;
        }
        t->cap = (t->cap + (size_t)k + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (t->n == 0)
            t->p[0] = '\0';
    }
}

#define X0 116.0
#define X1 116.02
#define Y0 40.0
#define Y1 40.015
#define NV 9   /* vertices of the north-south zigzag */
#define NH 6   /* vertices of the west-east zigzag */

typedef struct layout {
    double vx[NV], vy[NV];  /* south to north, V[0] on the south edge, V[NV-1] on the north edge */
    double hx[NH], hy[NH];  /* west to east, H[0] = V[NV/2], H[NH-1] on the east edge */
} layout;

static void make_layout(rng *r, layout *l)
{
    for (int i = 0; i < NV; i++) {
        l->vy[i] = Y0 + (Y1 - Y0) * i / (NV - 1);
        l->vx[i] = 116.009 + 0.002 * uniform(r);
    }
    l->vy[NV / 2] = 40.0075;
    l->hx[0] = l->vx[NV / 2];
    l->hy[0] = l->vy[NV / 2];
    for (int i = 1; i < NH; i++) {
        l->hx[i] = l->hx[0] + (X1 - l->hx[0]) * i / (NH - 1);
        l->hy[i] = 40.0065 + 0.002 * uniform(r);
    }
    l->hx[NH - 1] = X1;
}

/* The communities as CSV rows with WKT: west (with a lake), south-east,
 * north-east (with an island), and a dumbbell east of them. */
static void communities_csv(const layout *l, text *t)
{
    put(t, "code,name,urban_rural,wkt\n");
    put(t, "110108001001,西社区,111,\"POLYGON((%.7f %.7f", X0, Y0);
    for (int i = 0; i < NV; i++)
        put(t, ",%.7f %.7f", l->vx[i], l->vy[i]);
    put(t, ",%.7f %.7f,%.7f %.7f),(116.003 40.003,116.003 40.005,116.005 40.005,116.005 40.003,116.003 40.003))\"\n",
        X0, Y1, X0, Y0);
    put(t, "110108001002,东南社区,111,\"POLYGON((%.7f %.7f,%.7f %.7f", l->vx[0], l->vy[0], X1, Y0);
    for (int i = NH - 1; i >= 0; i--)
        put(t, ",%.7f %.7f", l->hx[i], l->hy[i]);
    for (int i = NV / 2 - 1; i >= 0; i--)
        put(t, ",%.7f %.7f", l->vx[i], l->vy[i]);
    put(t, "))\"\n");
    put(t, "110108001003,东北社区,111,\"MULTIPOLYGON(((%.7f %.7f", l->hx[0], l->hy[0]);
    for (int i = 1; i < NH; i++)
        put(t, ",%.7f %.7f", l->hx[i], l->hy[i]);
    put(t, ",%.7f %.7f", X1, Y1);
    for (int i = NV - 1; i >= NV / 2; i--)
        put(t, ",%.7f %.7f", l->vx[i], l->vy[i]);
    put(t, ")),((116.024 40.011,116.027 40.011,116.027 40.013,116.024 40.013,116.024 40.011)))\"\n");
    /* Two squares joined by a neck 3 m wide (2.7e-5 degrees of latitude). */
    put(t, "110108001004,哑铃社区,111,\"POLYGON((116.030 40.000,116.036 40.000,116.036 40.00499,116.040 40.00499,"
           "116.040 40.000,116.046 40.000,116.046 40.010,116.040 40.010,116.040 40.005017,116.036 40.005017,"
           "116.036 40.010,116.030 40.010,116.030 40.000))\"\n");
}

static void roads_csv(rng *r, const layout *l, text *t)
{
    put(t, "id,class,wkt\n");
    for (int i = 0; i < 6; i++) {
        double a = uniform(r), b = uniform(r);
        if (i % 2 == 0)
            put(t, "r%d,residential,\"LINESTRING(%.7f %.7f,%.7f %.7f)\"\n", i, X0 + (X1 - X0) * a, Y0,
                X0 + (X1 - X0) * b, Y1);
        else
            put(t, "r%d,residential,\"LINESTRING(%.7f %.7f,%.7f %.7f)\"\n", i, X0, Y0 + (Y1 - Y0) * a, X1,
                Y0 + (Y1 - Y0) * b);
    }
    /* 4 mm east of the north-south boundary, all along it. */
    put(t, "beside,residential,\"LINESTRING(");
    for (int i = 0; i < NV; i++)
        put(t, "%s%.9f %.7f", i ? "," : "", l->vx[i] + 5e-8, l->vy[i]);
    put(t, ")\"\n");
    /* Into the west-east boundary at a fraction of a degree: 200 m long,
     * 3 mm off the boundary's line 60 cm from its end. */
    double dx = l->hx[2] - l->hx[1], dy = l->hy[2] - l->hy[1];
    put(t, "acute,residential,\"LINESTRING(%.9f %.9f,%.9f %.9f)\"\n", l->hx[1] + 0.5 * dx, l->hy[1] + 0.5 * dy + 1e-5,
        l->hx[1] + 0.9 * dx, l->hy[1] + 0.9 * dy);
    /* Exactly on a piece of the west-east boundary. */
    put(t, "onboundary,residential,\"LINESTRING(%.7f %.7f,%.7f %.7f,%.7f %.7f)\"\n", l->hx[2], l->hy[2], l->hx[3],
        l->hy[3], l->hx[4], l->hy[4]);
    put(t, "neck,residential,\"LINESTRING(116.033 40.000,116.033 40.010)\"\n");
}

static int in_lake(double x, double y)
{
    return x >= 116.003 && x <= 116.005 && y >= 40.003 && y <= 40.005;
}

static int64_t households_csv(rng *r, const layout *l, text *t)
{
    int64_t total = 0;
    int id = 0;
    put(t, "id,lon,lat,count\n");
    for (int i = 0; i < 260; i++) {
        double x = X0 + (X1 - X0) * uniform(r), y = Y0 + (Y1 - Y0) * uniform(r);
        if (in_lake(x, y))
            continue;
        int count = 1 + (int)(uniform(r) * 30);
        if (i % 97 == 0)
            count = 620; /* a tower above any window */
        put(t, "h%d,%.7f,%.7f,%d\n", id++, x, y, count);
        total += count;
    }
    for (int i = 0; i < 40; i++) { /* the dumbbell, both ends */
        double x = (i % 2 ? 116.041 : 116.031) + 0.004 * uniform(r), y = Y0 + 0.0095 * uniform(r);
        put(t, "h%d,%.7f,%.7f,%d\n", id++, x, y, 20);
        total += 20;
    }
    /* Exactly on community boundaries: the zigzags' inner vertices and the
     * midpoints of their segments. */
    for (int i = 1; i < NV - 1; i++) {
        put(t, "h%d,%.7f,%.7f,7\n", id++, l->vx[i], l->vy[i]);
        put(t, "h%d,%.9f,%.9f,5\n", id++, (l->vx[i] + l->vx[i + 1]) / 2, (l->vy[i] + l->vy[i + 1]) / 2);
        total += 12;
    }
    for (int i = 1; i < NH - 1; i++) {
        put(t, "h%d,%.7f,%.7f,6\n", id++, l->hx[i], l->hy[i]);
        total += 6;
    }
    /* On the road beside the boundary. */
    for (int i = 0; i < NV - 1; i++) {
        put(t, "h%d,%.9f,%.9f,4\n", id++, (l->vx[i] + l->vx[i + 1]) / 2 + 5e-8, (l->vy[i] + l->vy[i + 1]) / 2);
        total += 4;
    }
    return total;
}

/* The exported plan reprojected by OGR (PROJ) to a metric CRS, each
 * polygon tested by OGR_G_IsValid (GEOS). Returns the invalid ones. */
static int invalid_after(const char *path, int epsg)
{
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    if (ds == NULL)
        return -1;
    OGRLayerH layer = GDALDatasetGetLayer(ds, 0);
    OGRSpatialReferenceH to = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(to, epsg);
    OSRSetAxisMappingStrategy(to, OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReferenceH from = OSRNewSpatialReference(NULL);
    OSRImportFromEPSG(from, 4326);
    OSRSetAxisMappingStrategy(from, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(from, to);
    int invalid = 0;
    OGRFeatureH f;
    OGR_L_ResetReading(layer);
    while ((f = OGR_L_GetNextFeature(layer)) != NULL) {
        OGRGeometryH g = OGR_G_Clone(OGR_F_GetGeometryRef(f));
        if (OGR_G_IsValid(g) != 1)
            invalid++;
        else if (OGR_G_Transform(g, ct) != OGRERR_NONE || OGR_G_IsValid(g) != 1)
            invalid++;
        OGR_G_DestroyGeometry(g);
        OGR_F_Destroy(f);
    }
    OCTDestroyCoordinateTransformation(ct);
    OSRDestroySpatialReference(from);
    OSRDestroySpatialReference(to);
    GDALClose(ds);
    return invalid;
}

static void random_communities_hold_every_invariant(void)
{
    for (uint64_t seed = 1; seed <= 12; seed++) {
        rng r = {0x9E3779B97F4A7C15ull * seed};
        layout l;
        make_layout(&r, &l);
        gg_ctx *ctx = fx_ctx();
        char name[64];
        snprintf(name, sizeof name, "property-%llu.sqlite", (unsigned long long)seed);
        gg_store *store = fx_project(ctx, name);
        /* The inputs stay in the test's folder, one set per seed, to be
         * replayed with the govgrid command when a case fails. */
        text t = {NULL, 0, 0};
        char path[3][64];
        snprintf(path[0], sizeof path[0], "communities-%llu.csv", (unsigned long long)seed);
        snprintf(path[1], sizeof path[1], "roads-%llu.csv", (unsigned long long)seed);
        snprintf(path[2], sizeof path[2], "households-%llu.csv", (unsigned long long)seed);
        communities_csv(&l, &t);
        gg_test_write_file(gg_test_path(path[0]), t.p);
        CHECK_INT(fx_import(ctx, store, GG_LAYER_DIVISIONS, gg_test_path(path[0]), NULL, NULL, 0, NULL), GG_OK);
        t.n = 0;
        roads_csv(&r, &l, &t);
        gg_test_write_file(gg_test_path(path[1]), t.p);
        CHECK_INT(fx_import(ctx, store, GG_LAYER_ROADS, gg_test_path(path[1]), NULL, NULL, 0, NULL), GG_OK);
        t.n = 0;
        int64_t total = households_csv(&r, &l, &t);
        gg_test_write_file(gg_test_path(path[2]), t.p);
        CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, gg_test_path(path[2]), NULL, NULL, 0, NULL), GG_OK);
        free(t.p);
        gg_partition_options po;
        gg_partition_options_init(&po);
        po.seed = seed;
        gg_partition_report *pr = NULL;
        gg_status st = gg_partition(ctx, store, &po, &pr);
        if (st != GG_OK)
            gg_test_fail(__FILE__, __LINE__, "seed %llu: partition: %s", (unsigned long long)seed,
                         gg_ctx_errmsg(ctx));
        gg_partition_report_free(ctx, pr);
        gg_check_options co;
        gg_check_options_init(&co);
        gg_check_report *cr = NULL;
        CHECK_INT(gg_plan_check(ctx, store, &co, &cr), GG_OK);
        if (cr != NULL) {
            for (size_t i = 0; i < cr->n_problems; i++)
                if (cr->problems[i].error)
                    gg_test_fail(__FILE__, __LINE__, "seed %llu: %s %s: %s", (unsigned long long)seed,
                                 gg_check_kind_name(cr->problems[i].kind), cr->problems[i].code,
                                 cr->problems[i].detail);
            CHECK_INT(cr->communities, 4);
        }
        gg_check_report_free(ctx, cr);
        CHECK_INT(fx_scalar(store, "SELECT sum(households) FROM grid"), total);
        /* The island and the lake are where they were. */
        CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE ST_Covers(geom, MakePoint(116.004, 40.004, 4326))"), 0);
        CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE ST_Covers(geom, MakePoint(116.0255, 40.012, 4326))"), 1);
        gg_export_options eo;
        gg_export_options_init(&eo);
        eo.overwrite = 1;
        const char *out = gg_test_path("grids.gpkg");
        CHECK_INT(gg_export_grids(ctx, store, out, &eo, NULL), GG_OK);
        CHECK_INT(invalid_after(out, 32650), 0); /* UTM zone 50N */
        CHECK_INT(invalid_after(out, 4527), 0);  /* CGCS2000 3-degree Gauss-Krueger zone 39 (117E, false easting) */
        CHECK_INT(invalid_after(out, 4548), 0);  /* CGCS2000 3-degree Gauss-Krueger CM 117E */
        gg_store_close(store);
        gg_ctx_free(ctx);
    }
}

TEST_LIST(T(random_communities_hold_every_invariant))
