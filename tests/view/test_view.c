/* The web map's grids: simplified per zoom as a coverage. Checked with
 * GEOS on what the library answers (the GeoJSON text): every grid valid,
 * no overlaps (the grids' areas add up to their union's), no gaps (the
 * union of a community's simplified grids has the holes the unsimplified
 * one has, no more), fewer vertices at low zoom, labels inside; and the
 * web map's polyline form decoded point by point against the GeoJSON. */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "geo/simplify.h"
#include "govgrid/govgrid.h"
#include "harness.h"
#include "io/fixtures.h"

typedef struct community_geoms {
    char code[32];
    GEOSGeometry **g;
    size_t n, cap;
} community_geoms;

typedef struct coverage_check {
    size_t features, invalid, labels_outside, communities;
    double worst_overlap;       /* the largest (sum of areas - union area) / union area */
    int holes;                  /* interior rings of the communities' unions */
} coverage_check;

static int union_holes(GEOSContextHandle_t h, const GEOSGeometry *u)
{
    int holes = 0, n = GEOSGetNumGeometries_r(h, u);
    for (int k = 0; k < n; k++) {
        const GEOSGeometry *p = GEOSGetGeometryN_r(h, u, k);
        if (GEOSGeomTypeId_r(h, p) == GEOS_POLYGON)
            holes += GEOSGetNumInteriorRings_r(h, p);
    }
    return holes;
}

/* Reads a FeatureCollection answer and measures it per community. */
static void check_collection(gg_ctx *ctx, const char *text, coverage_check *c)
{
    GEOSContextHandle_t h = ctx->geos;
    memset(c, 0, sizeof *c);
    json_error_t err;
    json_t *fc = json_loads(text, 0, &err);
    CHECK(fc != NULL);
    json_t *features = json_object_get(fc, "features");
    GEOSGeoJSONReader *reader = GEOSGeoJSONReader_create_r(h);
    community_geoms *comm = NULL;
    size_t n_comm = 0, i;
    json_t *f;
    json_array_foreach(features, i, f) {
        json_t *props = json_object_get(f, "properties");
        char *geo = json_dumps(json_object_get(f, "geometry"), 0);
        GEOSGeometry *g = GEOSGeoJSONReader_readGeometry_r(h, reader, geo);
        free(geo);
        c->features++;
        if (g == NULL || GEOSisValid_r(h, g) != 1) {
            c->invalid++;
            if (g) {
                char *why = GEOSisValidReason_r(h, g);
                fprintf(stderr, "%s: %s\n", json_string_value(json_object_get(props, "code")), why);
                GEOSFree_r(h, why);
            }
            if (g)
                GEOSGeom_destroy_r(h, g);
            continue;
        }
        json_t *label = json_object_get(props, "label");
        GEOSGeometry *pt = GEOSGeom_createPointFromXY_r(h, json_real_value(json_array_get(label, 0)),
                                                        json_real_value(json_array_get(label, 1)));
        if (GEOSIntersects_r(h, g, pt) != 1)
            c->labels_outside++;
        GEOSGeom_destroy_r(h, pt);
        const char *code = json_string_value(json_object_get(props, "community"));
        if (code == NULL)
            code = "";
        size_t k = 0;
        while (k < n_comm && strcmp(comm[k].code, code) != 0)
            k++;
        if (k == n_comm) {
            comm = realloc(comm, (n_comm + 1) * sizeof *comm);
            memset(&comm[n_comm], 0, sizeof *comm);
            snprintf(comm[n_comm].code, sizeof comm[n_comm].code, "%s", code);
            n_comm++;
        }
        community_geoms *cg = &comm[k];
        if (cg->n == cg->cap) {
            cg->cap = cg->cap ? 2 * cg->cap : 16;
            cg->g = realloc(cg->g, cg->cap * sizeof *cg->g);
        }
        cg->g[cg->n++] = g;
    }
    for (size_t k = 0; k < n_comm; k++) {
        double sum = 0, a = 0;
        for (size_t j = 0; j < comm[k].n; j++) {
            GEOSArea_r(h, comm[k].g[j], &a);
            sum += a;
        }
        GEOSGeometry *all = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, comm[k].g,
                                                        (unsigned int)comm[k].n);
        GEOSGeometry *u = GEOSUnaryUnion_r(h, all);
        double ua = 0;
        GEOSArea_r(h, u, &ua);
        double overlap = ua > 0 ? (sum - ua) / ua : 1;
        if (overlap > c->worst_overlap)
            c->worst_overlap = overlap;
        c->holes += union_holes(h, u);
        GEOSGeom_destroy_r(h, u);
        GEOSGeom_destroy_r(h, all);
        free(comm[k].g);
    }
    c->communities = n_comm;
    free(comm);
    GEOSGeoJSONReader_destroy_r(h, reader);
    json_decref(fc);
}

/* One value of an encoded polyline from *p (Google's algorithm, read
 * independently of the library's writer): -1 on a malformed string. */
static int polyline_value(const char **p, long long *out)
{
    unsigned long long v = 0;
    int shift = 0, c;
    do {
        if (**p == 0 || shift > 60)
            return -1;
        c = *(*p)++ - 63;
        if (c < 0 || c > 63)
            return -1;
        v |= (unsigned long long)(c & 0x1f) << shift;
        shift += 5;
    } while (c >= 0x20);
    *out = (v & 1) ? -(long long)(v >> 1) - 1 : (long long)(v >> 1);
    return 0;
}

/* The polyline form (GG_GRIDMAP_POLYLINE) of every feature of map against
 * its GeoJSON form: the same features in the same order, the same points
 * ring by ring (to the precision the form gives), a bbox holding them,
 * and for grids the kept properties with the same values. */
static void check_polyline_form(gg_ctx *ctx, const gg_gridmap *map, int divisions)
{
    char *geo = NULL, *poly = NULL;
    size_t len = 0;
    if (divisions) {
        CHECK_INT(gg_gridmap_divisions_geojson(ctx, map, NULL, GG_GRIDMAP_GEOJSON, &geo, &len), GG_OK);
        CHECK_INT(gg_gridmap_divisions_geojson(ctx, map, NULL, GG_GRIDMAP_POLYLINE, &poly, &len), GG_OK);
    } else {
        CHECK_INT(gg_gridmap_grids_geojson(ctx, map, NULL, NULL, 0, GG_GRIDMAP_GEOJSON, &geo, &len), GG_OK);
        CHECK_INT(gg_gridmap_grids_geojson(ctx, map, NULL, NULL, 0, GG_GRIDMAP_POLYLINE, &poly, &len), GG_OK);
    }
    json_error_t err;
    json_t *a = json_loads(geo, 0, &err), *b = json_loads(poly, 0, &err);
    CHECK(a != NULL && b != NULL);
    json_t *fa = json_object_get(a, "features"), *fb = json_object_get(b, "features");
    CHECK_INT(json_array_size(fa), json_array_size(fb));
    CHECK(json_array_size(fa) > 0);
    size_t points = 0, mismatched = 0;
    for (size_t i = 0; i < json_array_size(fa) && i < json_array_size(fb); i++) {
        json_t *ga = json_object_get(json_array_get(fa, i), "geometry");
        json_t *gb = json_object_get(json_array_get(fb, i), "geometry");
        json_t *pa = json_object_get(json_array_get(fa, i), "properties");
        json_t *pb = json_object_get(json_array_get(fb, i), "properties");
        json_t *box = json_object_get(json_array_get(fb, i), "bbox");
        CHECK_STR(json_string_value(json_object_get(gb, "encoding")), "polyline");
        CHECK(json_object_get(gb, "coordinates") == NULL);
        int precision = (int)json_integer_value(json_object_get(gb, "precision"));
        CHECK(precision >= 1 && precision <= 7);
        double unit = pow(10, -precision);
        CHECK_INT(json_array_size(box), 4);
        static const char *const kept[] = {"code", "type", "households", "flags", "short_staffed", "label"};
        if (!divisions) {
            CHECK_INT(json_object_size(pb), sizeof kept / sizeof kept[0]);
            for (size_t k = 0; k < sizeof kept / sizeof kept[0]; k++)
                CHECK(json_equal(json_object_get(pa, kept[k]), json_object_get(pb, kept[k])));
        } else {
            CHECK(json_equal(pa, pb));
        }
        json_t *polys_a = json_object_get(ga, "coordinates"), *polys_b = json_object_get(gb, "polylines");
        CHECK_INT(json_array_size(polys_a), json_array_size(polys_b));
        for (size_t p = 0; p < json_array_size(polys_a) && p < json_array_size(polys_b); p++) {
            json_t *rings_a = json_array_get(polys_a, p), *rings_b = json_array_get(polys_b, p);
            CHECK_INT(json_array_size(rings_a), json_array_size(rings_b));
            for (size_t r = 0; r < json_array_size(rings_a) && r < json_array_size(rings_b); r++) {
                json_t *ring = json_array_get(rings_a, r);
                const char *s = json_string_value(json_array_get(rings_b, r));
                CHECK(s != NULL);
                long long lat = 0, lon = 0, d;
                size_t k = 0;
                while (s && *s) {
                    if (polyline_value(&s, &d) != 0)
                        break;
                    lat += d;
                    if (polyline_value(&s, &d) != 0)
                        break;
                    lon += d;
                    json_t *pt = json_array_get(ring, k++);
                    double x = json_number_value(json_array_get(pt, 0));
                    double y = json_number_value(json_array_get(pt, 1));
                    points++;
                    if (pt == NULL || fabs(x - (double)lon * unit) > unit * 0.51 ||
                        fabs(y - (double)lat * unit) > unit * 0.51)
                        mismatched++;
                    else if (pt && (x < json_number_value(json_array_get(box, 0)) - 1e-6 ||
                               x > json_number_value(json_array_get(box, 2)) + 1e-6 ||
                               y < json_number_value(json_array_get(box, 1)) - 1e-6 ||
                               y > json_number_value(json_array_get(box, 3)) + 1e-6))
                        mismatched++;
                }
                CHECK(s != NULL && *s == 0);
                CHECK_INT(k, json_array_size(ring));
            }
        }
    }
    CHECK(points > 0);
    CHECK_INT(mismatched, 0);
    json_decref(a);
    json_decref(b);
    gg_text_free(ctx, geo);
    gg_text_free(ctx, poly);
}

/* Each bucket of zoom against the unsimplified map: as many grids, all
 * valid, no overlap, no hole that the plan has not, fewer vertices. */
static void check_plan(gg_ctx *ctx, gg_store *store, size_t at_least, double fewer_at_12)
{
    gg_gridmap *full = NULL;
    CHECK_INT(gg_gridmap_load(ctx, store, 0, &full), GG_OK);
    if (full == NULL)
        return;
    CHECK(gg_gridmap_grid_count(full) >= at_least);
    char *text = NULL;
    size_t len = 0;
    CHECK_INT(gg_gridmap_grids_geojson(ctx, full, NULL, NULL, 0, GG_GRIDMAP_GEOJSON, &text, &len), GG_OK);
    coverage_check base;
    check_collection(ctx, text, &base);
    gg_text_free(ctx, text);
    CHECK_INT(base.features, gg_gridmap_grid_count(full));
    CHECK_INT(base.invalid, 0);
    CHECK_INT(base.labels_outside, 0);
    CHECK(base.worst_overlap < 1e-9);
    check_polyline_form(ctx, full, 0);
    static const int zooms[] = {8, 12, 14, 16, 18};
    for (size_t z = 0; z < sizeof zooms / sizeof zooms[0]; z++) {
        gg_gridmap *map = NULL;
        CHECK_INT(gg_gridmap_simplify(ctx, full, zooms[z], &map), GG_OK);
        if (map == NULL)
            continue;
        CHECK_INT(gg_gridmap_zoom(map), gg_gridmap_bucket(zooms[z]));
        CHECK_INT(gg_gridmap_grids_geojson(ctx, map, NULL, NULL, 0, GG_GRIDMAP_GEOJSON, &text, &len), GG_OK);
        coverage_check c;
        check_collection(ctx, text, &c);
        gg_text_free(ctx, text);
        CHECK_INT(c.features, base.features);
        if (c.invalid)
            gg_test_fail(__FILE__, __LINE__, "zoom %d: %zu invalid grids", zooms[z], c.invalid);
        CHECK_INT(c.communities, base.communities);
        if (c.worst_overlap >= 1e-9)
            gg_test_fail(__FILE__, __LINE__, "zoom %d: grids overlap by %.3g of their union", zooms[z],
                         c.worst_overlap);
        if (c.holes != base.holes)
            gg_test_fail(__FILE__, __LINE__, "zoom %d: %d holes in the communities, %d unsimplified", zooms[z],
                         c.holes, base.holes);
        check_polyline_form(ctx, map, 0);
        size_t v = gg_gridmap_vertices(map), v_full = gg_gridmap_vertices(full);
        CHECK(v <= v_full);
        if (zooms[z] == 12 && (double)v > fewer_at_12 * (double)v_full)
            gg_test_fail(__FILE__, __LINE__, "zoom 12: %zu vertices of %zu", v, v_full);
        gg_gridmap_free(ctx, map);
    }
    gg_gridmap_free(ctx, full);
}

/* Monaco partitioned: real streets and coastline. */
static void monaco_plan_simplifies_as_a_coverage(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_sample_project(ctx, "monaco", "monaco.sqlite");
    gg_partition_options popts;
    gg_partition_options_init(&popts);
    gg_partition_report *pr = NULL;
    CHECK_INT(gg_partition(ctx, store, &popts, &pr), GG_OK);
    gg_partition_report_free(ctx, pr);
    check_plan(ctx, store, 10, 0.8);
    /* the communities and their townships too */
    gg_gridmap *full = NULL, *map = NULL;
    CHECK_INT(gg_gridmap_load(ctx, store, 0, &full), GG_OK);
    CHECK_INT(gg_gridmap_simplify(ctx, full, 12, &map), GG_OK);
    char *text = NULL;
    size_t len = 0;
    CHECK_INT(gg_gridmap_divisions_geojson(ctx, map, NULL, GG_GRIDMAP_GEOJSON, &text, &len), GG_OK);
    CHECK_CONTAINS(text, "\"level\":\"community\"");
    CHECK_CONTAINS(text, "\"label\":[");
    gg_text_free(ctx, text);
    check_polyline_form(ctx, map, 1);
    gg_gridmap_free(ctx, map);
    gg_gridmap_free(ctx, full);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* x, y of point k of 0..n on the edge from (x0, y0) to (x1, y1), bent by a
 * wave of amplitude across it and a zigzag of a tenth of that, both
 * fading towards the corners. Both grids of an edge get the same points. */
static void edge_point(double x0, double y0, double x1, double y1, double amplitude, int k, int n, double *x,
                       double *y)
{
    double t = (double)k / n, dx = x1 - x0, dy = y1 - y0, len = hypot(dx, dy);
    double off = amplitude * sin(M_PI * t) * (sin(3 * M_PI * t) + (k % 2 ? 0.1 : -0.1));
    *x = round((x0 + t * dx - off * dy / len) * 1e7) / 1e7;
    *y = round((y0 + t * dy + off * dx / len) * 1e7) / 1e7;
}

static void put_edge(FILE *f, double x0, double y0, double x1, double y1, double amplitude, int reverse)
{
    const int n = 40;
    for (int j = 0; j < n; j++) {
        double x, y;
        int k = reverse ? n - j : j;
        edge_point(x0, y0, x1, y1, amplitude, k, n, &x, &y);
        fprintf(f, "%.7f %.7f,", x, y);
    }
}

/* A synthetic plan of 10 x 10 grids with wavy shared edges (the outline
 * straight, densified). */
static void synthetic_plan_simplifies_as_a_coverage(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "synth.sqlite");
    const char *csv = gg_test_path("grids.csv");
    FILE *f = fopen(csv, "w");
    fprintf(f, "code,type,community,wkt\n");
    const double step = 0.01, amp = 0.0008;
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 10; j++) {
            double x0 = 116 + i * step, y0 = 40 + j * step, x1 = x0 + step, y1 = y0 + step;
            double bottom = j == 0 ? 0 : amp, top = j == 9 ? 0 : amp, left = i == 0 ? 0 : amp,
                   right = i == 9 ? 0 : amp;
            fprintf(f, "11010800100110%02d,1,110108001001,\"POLYGON((", i * 10 + j);
            put_edge(f, x0, y0, x1, y0, bottom, 0);
            put_edge(f, x1, y0, x1, y1, right, 0);
            put_edge(f, x0, y1, x1, y1, top, 1);
            put_edge(f, x0, y0, x0, y1, left, 1);
            fprintf(f, "%.7f %.7f))\"\n", x0, y0);
        }
    fclose(f);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, csv, NULL, NULL, 0, NULL), GG_OK);
    check_plan(ctx, store, 100, 0.5);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A thin lens cut in two by its chord, in a hole of a third grid: each
 * arc of the lens, simplified alone, would fall onto the chord and leave
 * its half a ring of two points. The guard keeps the arcs' vertices,
 * while the outline of the third grid still loses its straight midpoint. */
static void collapsing_edges_keep_points(void)
{
    gg_ctx *ctx = fx_ctx();
    GEOSContextHandle_t h = ctx->geos;
    const char *wkt[] = {
        "POLYGON((0 0,0.002 0,0.001 0.0000001,0 0))",
        "POLYGON((0 0,0.001 -0.0000001,0.002 0,0 0))",
        "POLYGON((-0.001 -0.001,0.001 -0.001,0.003 -0.001,0.003 0.001,-0.001 0.001,-0.001 -0.001),"
        "(0 0,0.001 0.0000001,0.002 0,0.001 -0.0000001,0 0))",
    };
    GEOSWKTReader *r = GEOSWKTReader_create_r(h);
    gg_ringset in;
    memset(&in, 0, sizeof in);
    for (int k = 0; k < 3; k++) {
        GEOSGeometry *g = GEOSWKTReader_read_r(h, r, wkt[k]);
        CHECK(g != NULL);
        CHECK_INT(gg_ringset_add(ctx, &in, g, (uint32_t)k), GG_OK);
        GEOSGeom_destroy_r(h, g);
    }
    GEOSWKTReader_destroy_r(h, r);
    gg_ringset out;
    gg_simplify_stats stats;
    CHECK_INT(gg_coverage_simplify(ctx, &in, 0.0005, 1, 0, &out, &stats), GG_OK);
    for (uint32_t k = 0; k < 3; k++) {
        GEOSGeometry *g = gg_ringset_polygon(ctx, &out, k);
        CHECK(g != NULL);
        if (g) {
            CHECK_INT(GEOSisValid_r(h, g), 1);
            GEOSGeom_destroy_r(h, g);
        }
    }
    CHECK(stats.edges_kept > 0);
    CHECK(stats.points_out < stats.points_in);
    gg_ringset_clear(ctx, &in);
    gg_ringset_clear(ctx, &out);
    gg_ctx_free(ctx);
}

TEST_LIST(T(monaco_plan_simplifies_as_a_coverage), T(synthetic_plan_simplifies_as_a_coverage),
          T(collapsing_edges_keep_points))
