/* Departmental grids against a plan, on a plan built here whose answers
 * are known: twelve 200 m squares in one community (columns 0-3 west to
 * east, rows 0-2 south to north; grid n = row * 4 + column + 1, code
 * 321181001001100n / 10nn), one household point in each (n households at
 * the middle of its south-west quarter) and 20 more in grid 6's east half.
 *
 * Department "fire" is drawn exactly on the grids: F1 = grid 1 (equal),
 * F2 = grids 2 + 3 (union-of), F3 = the west half of grid 4 (part-of), F4
 * = grid 5 + the west half of grid 6 (cuts), F5 = grid 9 grown 20 m into
 * grid 10 (equal: IoU 0.909) and F6 = grid 10 (equal), so F5 and F6
 * overlap in a 20 m strip; grids 7, 8, 11, 12 and the east halves of 4 and
 * 6 are left out: one gap. Department "safety" is the same ground
 * digitised again, shifted by 2-3 m or with every vertex moved up to 3 m:
 * it must still be equal and union-of. Department "env" holds a bow tie
 * written straight into the store (another tool's data), a grid 1 km off
 * the plan, and grid 4 with as much again outside the plan. */
#include "dedup/dedup.h"
#include "failing_alloc.h"
#include "harness.h"
#include "io/fixtures.h"

#include <gdal.h>
#include <jansson.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LON0 120.0
#define LAT0 32.0

/* lon/lat of a point x, y metres from the plan's south-west corner (the
 * exact scale does not matter: the same coordinates serve every layer) */
static double lon_of(double x) { return LON0 + x / 94500.0; }
static double lat_of(double y) { return LAT0 + y / 110860.0; }

static void ring(char *buf, size_t size, double (*xy)[2], int n, double dx, double dy)
{
    size_t k = strlen(buf);
    k += (size_t)snprintf(buf + k, size - k, "[[");
    for (int i = 0; i <= n; i++) {
        const double *p = xy[i % n];
        k += (size_t)snprintf(buf + k, size - k, "%s[%.10f,%.10f]", i ? "," : "", lon_of(p[0] + dx),
                              lat_of(p[1] + dy));
    }
    snprintf(buf + k, size - k, "]]");
}

/* A GeoJSON feature: a rectangle x0..x1, y0..y1 moved by dx, dy. */
static void rect_feature(char *buf, size_t size, const char *props, double x0, double y0, double x1, double y1,
                         double dx, double dy)
{
    double xy[4][2] = {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}};
    size_t k = strlen(buf);
    snprintf(buf + k, size - k, "%s{\"type\":\"Feature\",\"properties\":{%s},\"geometry\":{\"type\":\"Polygon\","
                                "\"coordinates\":",
             k > 60 ? "," : "", props);
    ring(buf, size, xy, 4, dx, dy);
    k = strlen(buf);
    snprintf(buf + k, size - k, "}}");
}

static const char *HEAD = "{\"type\":\"FeatureCollection\",\"features\":[";

static gg_store *plan_project(gg_ctx *ctx)
{
    gg_store *store = fx_project(ctx, "dedup.sqlite");
    static char buf[1 << 16];
    /* the community */
    snprintf(buf, sizeof buf, "%s", HEAD);
    rect_feature(buf, sizeof buf, "\"code\":\"321181001001\",\"name\":\"测试社区\",\"urban_rural\":\"111\"", 0, 0, 800,
                 600, 0, 0);
    strcat(buf, "]}");
    const char *div = gg_test_path("div.geojson");
    gg_test_write_file(div, buf);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_DIVISIONS, div, NULL, NULL, 0, NULL), GG_OK);
    /* the grids */
    snprintf(buf, sizeof buf, "%s", HEAD);
    for (int n = 1; n <= 12; n++) {
        int col = (n - 1) % 4, row = (n - 1) / 4;
        char props[128];
        snprintf(props, sizeof props, "\"code\":\"321181001001%d%03d\"", 1, n);
        rect_feature(buf, sizeof buf, props, col * 200.0, row * 200.0, col * 200.0 + 200, row * 200.0 + 200, 0, 0);
    }
    strcat(buf, "]}");
    const char *grids = gg_test_path("grids.geojson");
    gg_test_write_file(grids, buf);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, grids, NULL, NULL, 0, NULL), GG_OK);
    /* households */
    size_t k = (size_t)snprintf(buf, sizeof buf, "id,lon,lat,count\n");
    for (int n = 1; n <= 12; n++) {
        int col = (n - 1) % 4, row = (n - 1) / 4;
        k += (size_t)snprintf(buf + k, sizeof buf - k, "h%d,%.10f,%.10f,%d\n", n, lon_of(col * 200.0 + 50),
                              lat_of(row * 200.0 + 50), n);
    }
    snprintf(buf + k, sizeof buf - k, "h6e,%.10f,%.10f,20\n", lon_of(350), lat_of(250));
    const char *hh = gg_test_path("hh.csv");
    gg_test_write_file(hh, buf);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, hh, NULL, NULL, 0, NULL), GG_OK);
    /* fire: exact */
    snprintf(buf, sizeof buf, "%s", HEAD);
    rect_feature(buf, sizeof buf, "\"dept\":\"fire\",\"id\":\"F1\"", 0, 0, 200, 200, 0, 0);
    rect_feature(buf, sizeof buf, "\"dept\":\"fire\",\"id\":\"F2\"", 200, 0, 600, 200, 0, 0);
    rect_feature(buf, sizeof buf, "\"dept\":\"fire\",\"id\":\"F3\"", 600, 0, 700, 200, 0, 0);
    rect_feature(buf, sizeof buf, "\"dept\":\"fire\",\"id\":\"F4\"", 0, 200, 300, 400, 0, 0);
    rect_feature(buf, sizeof buf, "\"dept\":\"fire\",\"id\":\"F5\"", 0, 400, 220, 600, 0, 0);
    rect_feature(buf, sizeof buf, "\"dept\":\"fire\",\"id\":\"F6\"", 200, 400, 400, 600, 0, 0);
    /* safety: digitised again */
    rect_feature(buf, sizeof buf, "\"dept\":\"safety\",\"id\":\"S1\"", 0, 0, 200, 200, 3, 2);
    rect_feature(buf, sizeof buf, "\"dept\":\"safety\",\"id\":\"S2\"", 200, 0, 600, 200, -3, 3);
    rect_feature(buf, sizeof buf, "\"dept\":\"safety\",\"id\":\"S4\"", 400, 200, 800, 600, 2.5, -2.5);
    {
        /* grid 5 with its sides in 8 pieces, each vertex moved by up to 3 m */
        double xy[32][2];
        int m = 0;
        for (int side = 0; side < 4; side++)
            for (int i = 0; i < 8; i++) {
                double t = i * 25.0, jx = 2.9 * sin(m * 1.7), jy = 2.9 * cos(m * 2.3);
                double x = side == 0 ? t : side == 1 ? 200 : side == 2 ? 200 - t : 0;
                double y = side == 0 ? 0 : side == 1 ? t : side == 2 ? 200 : 200 - t;
                double r = hypot(jx, jy) > 3 ? 3 / hypot(jx, jy) : 1;
                xy[m][0] = x + jx * r;
                xy[m][1] = 200 + y + jy * r;
                m++;
            }
        size_t k2 = strlen(buf);
        snprintf(buf + k2, sizeof buf - k2, ",{\"type\":\"Feature\",\"properties\":{\"dept\":\"safety\",\"id\":\"S3\"},"
                                            "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":");
        ring(buf, sizeof buf, xy, m, 0, 0);
        strcat(buf, "}}");
    }
    /* env: off the plan, and half off */
    rect_feature(buf, sizeof buf, "\"dept\":\"env\",\"id\":\"E3\"", 1800, 0, 2000, 200, 0, 0);
    rect_feature(buf, sizeof buf, "\"dept\":\"env\",\"id\":\"E4\"", 600, 0, 1000, 200, 0, 0);
    strcat(buf, "]}");
    const char *depts = gg_test_path("depts.geojson");
    gg_test_write_file(depts, buf);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_DEPT_GRIDS, depts, NULL, NULL, 0, NULL), GG_OK);
    /* a bow tie over grid 12, written by another tool: nothing checked it */
    char sql[1024];
    snprintf(sql, sizeof sql,
             "INSERT INTO dept_grid(dept, id, name, geom) VALUES ('env', 'E2', 'bow tie', CastToMultiPolygon("
             "GeomFromText('POLYGON((%.10f %.10f, %.10f %.10f, %.10f %.10f, %.10f %.10f, %.10f %.10f))', 4326)))",
             lon_of(600), lat_of(400), lon_of(800), lat_of(600), lon_of(800), lat_of(400), lon_of(600), lat_of(600),
             lon_of(600), lat_of(400));
    CHECK_INT(gg_store_exec(store, sql), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM dept_grid WHERE dept = 'env' AND ST_IsValid(geom) = 0"), 1);
    return store;
}

static gg_dedup_result *run(gg_ctx *ctx, gg_store *store, int jobs)
{
    gg_dedup_options o;
    gg_dedup_options_init(&o);
    o.jobs = jobs;
    gg_dedup_result *r = NULL;
    gg_status st = gg_dedup_run(ctx, store, &o, &r);
    if (st != GG_OK)
        gg_test_fail(__FILE__, __LINE__, "gg_dedup_run: %s", gg_ctx_errmsg(ctx));
    return r;
}

static const gg_dedup_item *item(const gg_dedup_result *r, const char *id)
{
    static const gg_dedup_item none = {.relation = GG_RELATION_INVALID, .best_grid = 0};
    for (size_t i = 0; r && i < r->n_items; i++)
        if (strcmp(r->items[i].id, id) == 0)
            return &r->items[i];
    gg_test_fail(__FILE__, __LINE__, "no item %s", id);
    return &none;
}

static const char *code(int n)
{
    static char buf[8][20];
    static int slot;
    char *b = buf[slot++ % 8];
    snprintf(b, 20, "321181001001%d%03d", 1, n);
    return b;
}

/* The touch of it with unified grid n; a zero one (grid -1) if none. */
static const gg_dedup_touch *touch(const gg_dedup_result *r, const gg_dedup_item *it, int n)
{
    static const gg_dedup_touch none = {.grid = -1};
    for (size_t k = 0; it && k < it->n_touches; k++)
        if (strcmp(r->grids[it->touches[k].grid].code, code(n)) == 0)
            return &it->touches[k];
    return &none;
}

/* The codes of the replacement, ';'-joined, in code order. */
static const char *replacement(const gg_dedup_result *r, const gg_dedup_item *it)
{
    static char buf[512];
    buf[0] = '\0';
    for (int n = 1; n <= 12; n++) {
        const gg_dedup_touch *t = touch(r, it, n);
        if (t && t->replacement)
            snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%d", buf[0] ? ";" : "", n);
    }
    return buf;
}

static void exact_relations_and_shares(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = plan_project(ctx);
    gg_dedup_result *r = run(ctx, store, 1);
    CHECK(r != NULL);
    if (r == NULL)
        goto done;
    CHECK_INT(r->n_grids, 12);
    CHECK_INT(r->n_items, 13);
    CHECK_INT(r->n_depts, 3);
    const gg_dedup_item *f1 = item(r, "F1"), *f2 = item(r, "F2"), *f3 = item(r, "F3"), *f4 = item(r, "F4"),
                        *f5 = item(r, "F5"), *f6 = item(r, "F6");
    CHECK_INT(f1->relation, GG_RELATION_EQUAL);
    CHECK_NEAR(f1->iou, 1.0, 1e-9);
    CHECK_STR(r->grids[f1->best_grid].code, code(1));
    CHECK_INT(f1->households, 1);
    CHECK_STR(replacement(r, f1), "1");
    CHECK_INT(f2->relation, GG_RELATION_UNION_OF);
    CHECK_NEAR(touch(r, f2, 2)->area_share, 0.5, 1e-6);
    CHECK_NEAR(touch(r, f2, 3)->area_share, 0.5, 1e-6);
    CHECK_INT(touch(r, f2, 2)->whole, 1);
    CHECK_INT(f2->households, 5);
    CHECK_NEAR(touch(r, f2, 3)->household_share, 0.6, 1e-9);
    CHECK_STR(replacement(r, f2), "2;3");
    CHECK_INT(f2->households_gained + f2->households_lost, 0);
    CHECK_INT(f3->relation, GG_RELATION_PART_OF);
    CHECK_NEAR(touch(r, f3, 4)->grid_share, 0.5, 1e-6);
    CHECK_NEAR(touch(r, f3, 4)->area_share, 1.0, 1e-6);
    CHECK_STR(replacement(r, f3), "4");
    CHECK_INT(f3->households, 4);
    CHECK_INT(f4->relation, GG_RELATION_CUTS);
    CHECK_NEAR(touch(r, f4, 5)->area_share, 2.0 / 3, 1e-6);
    CHECK_NEAR(touch(r, f4, 6)->area_share, 1.0 / 3, 1e-6);
    CHECK_NEAR(touch(r, f4, 6)->grid_share, 0.5, 1e-6);
    CHECK_INT(f4->households, 11);
    CHECK_NEAR(touch(r, f4, 6)->household_share, 6.0 / 11, 1e-9);
    /* grid 6 has 6 of its 26 households in F4: not in the replacement */
    CHECK_STR(replacement(r, f4), "5");
    CHECK_INT(f4->households_lost, 6);
    CHECK_INT(f4->households_gained, 0);
    CHECK_INT(f5->relation, GG_RELATION_EQUAL);
    CHECK_NEAR(f5->iou, 200.0 / 220.0, 1e-4);
    CHECK_INT(f6->relation, GG_RELATION_EQUAL);
    /* areas: about 200 m x 200 m on the ellipsoid */
    CHECK_NEAR(f1->area_m2 / 40000.0, 1.0, 0.01);
    CHECK_NEAR(f4->area_m2 / f1->area_m2, 1.5, 1e-4);
    /* the cut piece: grid 6's west half, 6 households */
    size_t cuts = 0;
    for (size_t i = 0; i < r->n_conflicts; i++) {
        const gg_dedup_conflict *c = &r->conflicts[i];
        if (c->kind == GG_CONFLICT_CUT && strcmp(c->dept, "fire") == 0) {
            cuts++;
            CHECK_STR(c->dept_grid_id, "F4");
            CHECK_STR(c->other, code(6));
            CHECK_STR(c->community, "321181001001");
            CHECK_INT(c->households, 6);
            CHECK_NEAR(c->area_m2 / f1->area_m2, 0.5, 1e-4);
        }
    }
    CHECK_INT(cuts, 1);
done:
    gg_dedup_result_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void noisy_copies_are_still_equal_or_unions(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = plan_project(ctx);
    gg_dedup_result *r = run(ctx, store, 1);
    if (r == NULL)
        goto done;
    const gg_dedup_item *s1 = item(r, "S1"), *s2 = item(r, "S2"), *s3 = item(r, "S3"), *s4 = item(r, "S4");
    CHECK_INT(s1->relation, GG_RELATION_EQUAL);
    /* S1 holds grid 1 whole up to its 3 m and 2 m slivers, which are not
     * cut: its IoU is that of the two areas */
    CHECK_NEAR(s1->iou, 1.0, 1e-4);
    CHECK(isnan(touch(r, s1, 2)->area_m2) && touch(r, s1, 2)->noise);
    CHECK_INT(s2->relation, GG_RELATION_UNION_OF);
    CHECK_STR(replacement(r, s2), "2;3");
    /* its 3 m slivers over grids 1, 6, 7 are noise */
    CHECK(touch(r, s2, 1)->grid >= 0 && touch(r, s2, 1)->noise);
    CHECK(touch(r, s2, 6)->grid >= 0 && touch(r, s2, 6)->noise);
    CHECK_INT(s3->relation, GG_RELATION_EQUAL);
    CHECK_STR(r->grids[s3->best_grid].code, code(5));
    CHECK_INT(s4->relation, GG_RELATION_UNION_OF);
    CHECK_STR(replacement(r, s4), "7;8;11;12");
    CHECK_INT(s4->households, 7 + 8 + 11 + 12);
    /* the same ground, twice: F1/S1 and F2/S2; S3 is not F4 */
    CHECK_INT(r->n_duplicates, 2);
    for (size_t i = 0; i < r->n_duplicates; i++) {
        const gg_dedup_duplicate *d = &r->duplicates[i];
        CHECK_STR(r->items[d->a].dept, "fire");
        CHECK_STR(r->items[d->b].dept, "safety");
        CHECK(d->iou > 0.95);
        CHECK(r->items[d->a].id[1] == r->items[d->b].id[1]);
    }
    /* the noisy layer's own slivers (S1 against S2: 6 m wide) are not overlaps */
    size_t safety_overlaps = 0;
    for (size_t i = 0; i < r->n_conflicts; i++)
        safety_overlaps += r->conflicts[i].kind == GG_CONFLICT_OVERLAP && !strcmp(r->conflicts[i].dept, "safety");
    CHECK_INT(safety_overlaps, 0);
    CHECK(r->noise_pieces > 0);
done:
    gg_dedup_result_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void overlaps_and_gaps(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = plan_project(ctx);
    gg_dedup_result *r = run(ctx, store, 1);
    if (r == NULL)
        goto done;
    const gg_dedup_item *f1 = item(r, "F1");
    size_t overlaps = 0, gaps = 0;
    for (size_t i = 0; i < r->n_conflicts; i++) {
        const gg_dedup_conflict *c = &r->conflicts[i];
        if (strcmp(c->dept, "fire") != 0)
            continue;
        if (c->kind == GG_CONFLICT_OVERLAP) {
            overlaps++;
            CHECK_STR(c->dept_grid_id, "F5");
            CHECK_STR(c->other, "F6");
            CHECK_NEAR(c->area_m2 / f1->area_m2, 0.1, 1e-4);
            CHECK_INT(c->households, 0);
        } else if (c->kind == GG_CONFLICT_GAP) {
            gaps++;
            CHECK(c->dept_grid_id == NULL);
            CHECK_STR(c->community, "321181001001");
            /* the east halves of 4 and 6, and 7, 8, 11, 12: 5 grids' worth */
            CHECK_NEAR(c->area_m2 / f1->area_m2, 5.0, 1e-3);
            CHECK_INT(c->households, 20 + 7 + 8 + 11 + 12);
        }
    }
    CHECK_INT(overlaps, 1);
    CHECK_INT(gaps, 1);
    const gg_dedup_dept *fire = NULL;
    for (size_t i = 0; i < r->n_depts; i++)
        if (!strcmp(r->depts[i].dept, "fire"))
            fire = &r->depts[i];
    CHECK(fire != NULL);
    if (fire) {
        CHECK_INT(fire->n_grids, 6);
        CHECK_INT(fire->by_relation[GG_RELATION_EQUAL], 3);
        CHECK_INT(fire->by_relation[GG_RELATION_CUTS], 1);
        CHECK_INT(fire->n_overlaps, 1);
        CHECK_INT(fire->n_gaps, 1);
        CHECK_INT(fire->communities_covered, 1);
        CHECK_INT(fire->gap_households, 58);
    }
done:
    gg_dedup_result_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void invalid_and_outside(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = plan_project(ctx);
    gg_dedup_result *r = run(ctx, store, 1);
    if (r == NULL)
        goto done;
    const gg_dedup_item *e2 = item(r, "E2"), *e3 = item(r, "E3"), *e4 = item(r, "E4");
    CHECK(e2->repair != NULL);
    CHECK_CONTAINS(e2->repair, "repaired with make-valid");
    CHECK_CONTAINS(e2->repair, "Self-intersection");
    /* the bow tie's two triangles cover a quarter of grid 12 each, no more */
    CHECK(e2->relation == GG_RELATION_PART_OF);
    CHECK_NEAR(touch(r, e2, 12)->grid_share, 0.5, 1e-6);
    CHECK_INT(e3->relation, GG_RELATION_OUTSIDE);
    CHECK_INT(e3->n_touches, 0);
    CHECK_NEAR(e3->outside_area_m2 / e3->area_m2, 1.0, 1e-9);
    CHECK_INT(e4->relation, GG_RELATION_OUTSIDE);
    CHECK_NEAR(e4->outside_area_m2 / e4->area_m2, 0.5, 1e-6);
    CHECK_STR(replacement(r, e4), "4");
    size_t outside = 0;
    for (size_t i = 0; i < r->n_conflicts; i++)
        outside += r->conflicts[i].kind == GG_CONFLICT_OUTSIDE;
    CHECK_INT(outside, 2);
    const gg_dedup_dept *env = &r->depts[0];
    CHECK_STR(env->dept, "env");
    CHECK_INT(env->n_repaired, 1);
    CHECK_INT(env->n_grids, 3);
done:
    gg_dedup_result_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    if (s)
        s[n] = '\0';
    fclose(f);
    return s;
}

static void files_written_and_the_same_for_any_jobs(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = plan_project(ctx);
    gg_dedup_result *r1 = run(ctx, store, 1), *r2 = run(ctx, store, 2);
    if (r1 == NULL || r2 == NULL)
        goto done;
    const char *d1 = gg_test_path("out1"), *d2 = gg_test_path("out2");
    gg_dedup_write_options w1, w2;
    gg_dedup_write_options_init(&w1);
    gg_dedup_write_options_init(&w2);
    w2.jobs = 3; /* more workers than the three maps need: some wait for nothing */
    CHECK_INT(gg_dedup_write(ctx, store, r1, d1, &w1), GG_OK);
    CHECK_INT(gg_dedup_write(ctx, store, r2, d2, &w2), GG_OK);
    /* the maps drawn on workers are those drawn on the calling thread */
    const char *files[] = {"crosswalk.csv", "touches.csv", "duplicates.csv", "map-fire.png", "map-safety.png", "map-env.png"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "%s/%s", d1, files[i]);
        snprintf(b, sizeof b, "%s/%s", d2, files[i]);
        CHECK(gg_test_same_file(a, b));
    }
    char path[512];
    snprintf(path, sizeof path, "%s/crosswalk.csv", d1);
    char *csv = slurp(path);
    CHECK(csv != NULL);
    if (csv) {
        CHECK_CONTAINS(csv, "fire,F2,,union-of,3211810010011002;3211810010011003,");
        CHECK_CONTAINS(csv, "fire,F4,,cuts,");
        size_t lines = 0;
        for (const char *p = csv; *p; p++)
            lines += *p == '\n';
        CHECK_INT(lines, 1 + r1->n_items);
        free(csv);
    }
    /* conflicts.gpkg holds every conflict */
    snprintf(path, sizeof path, "%s/conflicts.gpkg", d1);
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (ds) {
        OGRLayerH l = GDALDatasetGetLayerByName(ds, "conflicts");
        CHECK(l != NULL);
        if (l)
            CHECK_INT(OGR_L_GetFeatureCount(l, 1), r1->n_conflicts);
        GDALClose(ds);
    }
    snprintf(path, sizeof path, "%s/summary.json", d1);
    json_error_t err;
    json_t *s = json_load_file(path, 0, &err);
    CHECK(s != NULL);
    if (s) {
        CHECK_INT(json_integer_value(json_object_get(s, "dept_grids")), 13);
        CHECK_INT(json_integer_value(json_object_get(s, "duplicates")), 2);
        CHECK_INT(json_array_size(json_object_get(s, "departments")), 3);
        json_decref(s);
    }
    snprintf(path, sizeof path, "%s/map-fire.png", d1);
    FILE *png = fopen(path, "rb");
    CHECK(png != NULL);
    if (png)
        fclose(png);
    /* an existing file is refused, nothing written; --overwrite replaces */
    w1.maps = 0;
    CHECK_INT(gg_dedup_write(ctx, store, r1, d1, &w1), GG_ERR_EXISTS);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "crosswalk.csv: already exists");
    w1.overwrite = 1;
    CHECK_INT(gg_dedup_write(ctx, store, r1, d1, &w1), GG_OK);
done:
    gg_dedup_result_free(ctx, r1);
    gg_dedup_result_free(ctx, r2);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void errors_name_what_is_wrong(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = plan_project(ctx);
    gg_dedup_options o;
    gg_dedup_options_init(&o);
    gg_dedup_result *r = NULL;
    const char *depts[] = {"fire", "police"};
    o.depts = depts;
    o.n_depts = 2;
    CHECK_INT(gg_dedup_run(ctx, store, &o, &r), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "no departmental grids of department 'police' (the project has: env, fire, safety)");
    CHECK(r == NULL);
    o.n_depts = 1;
    CHECK_INT(gg_dedup_run(ctx, store, &o, &r), GG_OK);
    CHECK(r && r->n_items == 6 && r->n_depts == 1);
    gg_dedup_result_free(ctx, r);
    r = NULL;
    o.n_depts = 0;
    o.equal_iou = 1.5;
    CHECK_INT(gg_dedup_run(ctx, store, &o, &r), GG_ERR_ARG);
    o.equal_iou = 0.9;
    o.plan = 7;
    CHECK_INT(gg_dedup_run(ctx, store, &o, &r), GG_ERR_NOT_FOUND);
    gg_store_close(store);
    o.plan = 0;
    /* a project with a plan but no departmental grids */
    store = fx_project(ctx, "empty.sqlite");
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, gg_test_path("grids.geojson"), NULL, NULL, 0, NULL), GG_OK);
    CHECK_INT(gg_dedup_run(ctx, store, &o, &r), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "the project has no departmental grids");
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Every allocation failure in a comparison (and in writing it) returns a
 * status and leaks nothing. Every 7th allocation, to keep it quick. */
static void every_allocation_failure_is_a_status(void)
{
    gg_ctx *setup = fx_ctx();
    gg_store *store = plan_project(setup);
    gg_store_close(store);
    gg_ctx_free(setup);
    const char *project = gg_test_path("dedup.sqlite");
    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    long total = 0;
    for (long k = 0;; k += k < 40 ? 1 : 7) {
        state = (failing_alloc){0, k, 0};
        gg_ctx *ctx = NULL;
        if (gg_ctx_new_with_allocator(&alloc, &ctx) != GG_OK) {
            CHECK_INT(state.live, 0);
            continue;
        }
        gg_store *s = NULL;
        gg_dedup_result *r = NULL;
        gg_status st = gg_store_open(ctx, project, 0, &s);
        if (st == GG_OK) {
            gg_dedup_options o;
            gg_dedup_options_init(&o);
            st = gg_dedup_run(ctx, s, &o, &r);
        }
        if (st == GG_OK)
            st = gg_dedup_write(ctx, s, r, gg_test_path("alloc-out"), &(gg_dedup_write_options){1, 1, 1});
        gg_dedup_result_free(ctx, r);
        gg_store_close(s);
        gg_ctx_free(ctx);
        CHECK_INT(state.live, 0);
        if (k == 0) {
            CHECK_INT(st, GG_OK);
            total = state.calls;
            continue;
        }
        if (k > total)
            break;
        if (st == GG_OK && state.calls >= k)
            gg_test_fail(__FILE__, __LINE__, "allocation %ld failed and the run still said GG_OK", k);
        if (state.live != 0)
            break;
    }
    CHECK(total > 100);
}

TEST_LIST(T(exact_relations_and_shares), T(noisy_copies_are_still_equal_or_unions), T(overlaps_and_gaps),
          T(invalid_and_outside), T(files_written_and_the_same_for_any_jobs), T(errors_name_what_is_wrong),
          T(every_allocation_failure_is_a_status))
