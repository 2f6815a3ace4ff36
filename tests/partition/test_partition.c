/* Partitioning: the invariants on real sample data, and each rule on a
 * small community made for it. */
#include "harness.h"
#include "io/fixtures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <cairo.h>

/* Checks, for every community of plan: the grids tile it (no overlap:
 * their areas add up to their union's; no gap: the union lies within
 * 1e-7 degrees, about a centimetre, of the community, the half-diagonal
 * of the plan's precision grid), hold all its households, each grid the
 * household points its own polygon holds (of the grids covering a point,
 * a dedicated one first, then the lowest code: the rule of locate), stay
 * valid after reprojection to UTM, and carry well-formed unique codes
 * numbered from 001 within community and type. SpatiaLite (GEOS, PROJ)
 * measures the stored polygons, not govgrid's own bookkeeping. */
static void check_plan(gg_store *store, int64_t plan, int64_t expected_households)
{
    char sql[2048];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM division d WHERE level = 'community' AND ("
             " abs((SELECT sum(Area(g.geom)) FROM grid g WHERE g.plan = %lld AND g.community = d.code)"
             "   - (SELECT Area(ST_Union(g.geom)) FROM grid g WHERE g.plan = %lld AND g.community = d.code))"
             "   > 1e-12 * Area(d.geom)"
             " OR (SELECT HausdorffDistance(ST_Union(g.geom), d.geom) FROM grid g WHERE g.plan = %lld"
             "   AND g.community = d.code) > 1e-7)",
             (long long)plan, (long long)plan, (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid g JOIN division d ON d.code = g.community WHERE g.plan = %lld"
             " AND Area(ST_Difference(g.geom, d.geom)) > 1e-7 * Perimeter(g.geom)",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid g LEFT JOIN ("
             " SELECT owner, sum(n) AS held FROM ("
             "  SELECT h.count AS n, (SELECT o.code FROM grid o WHERE o.plan = %lld AND MbrIntersects(o.geom, h.geom)"
             "   AND ST_Covers(o.geom, h.geom) ORDER BY o.type = 1, o.code LIMIT 1) AS owner FROM household h)"
             " GROUP BY owner) x ON x.owner = g.code"
             " WHERE g.plan = %lld AND g.households != coalesce(x.held, 0)",
             (long long)plan, (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid WHERE plan = %lld AND NOT ST_IsValid(ST_Transform(geom,"
             " 32600 + CAST(floor((MbrMinX(geom) + 180) / 6) AS INTEGER) + 1))",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql, "SELECT coalesce(sum(households), 0) FROM grid WHERE plan = %lld", (long long)plan);
    CHECK_INT(fx_scalar(store, sql), expected_households);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM division d WHERE level = 'community' AND"
             " (SELECT coalesce(sum(count), 0) FROM household h WHERE h.community = d.code) !="
             " (SELECT coalesce(sum(households), 0) FROM grid g WHERE g.plan = %lld AND g.community = d.code)",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM grid WHERE plan = %lld AND (length(code) != 16 OR substr(code, 1, 12) != community"
             " OR CAST(substr(code, 13, 1) AS INTEGER) != type OR code GLOB '*[^0-9]*')",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM (SELECT community, type, count(*) AS n, max(CAST(substr(code, 14) AS INTEGER)) AS top"
             " FROM grid WHERE plan = %lld GROUP BY community, type) WHERE n != top",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) - count(DISTINCT code) FROM grid WHERE plan = %lld", (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM grid WHERE plan = %lld AND NOT IsValid(geom)", (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
    /* Every grid carries the level-6 BeiDou code of a point inside it. */
    snprintf(sql, sizeof sql, "SELECT count(*) FROM grid WHERE plan = %lld AND (beidou IS NULL OR length(beidou) != 12)",
             (long long)plan);
    CHECK_INT(fx_scalar(store, sql), 0);
}

static void monaco_plan_tiles_its_communities(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_sample_project(ctx, "monaco", "monaco.sqlite");
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
    CHECK_INT(r->plan, 1);
    CHECK_INT(r->communities, 12);
    CHECK_INT(r->households, 44128);
    CHECK_INT(r->failed, 0);
    /* At least 95% of the comprehensive grids in their window. */
    CHECK(r->grids_in_range * 100 >= (r->grids_in_range + r->grids_out_of_range) * 95);
    gg_partition_report_free(ctx, r);
    check_plan(store, 1, 44128);
    /* Every grid out of its window says why. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1 AND type = 1 AND flags IS NULL AND"
                               " (households < CASE WHEN community = '980100100212' THEN 250 ELSE 300 END OR"
                               "  households > CASE WHEN community = '980100100212' THEN 350 ELSE 500 END)"), 0);
    /* Sainte-Dévote (38 households) is one grid. */
    char buf[128];
    CHECK_STR(fx_scalar_text(store, "SELECT code || ' ' || flags FROM grid WHERE community = '980100001009'", buf, sizeof buf),
              "9801000010091001 small_community");
    /* The same inputs give the same plan, with any number of threads. */
    opts.jobs = 3;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
    CHECK_INT(r->plan, 2);
    gg_partition_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid a JOIN grid b ON b.plan = 2 AND b.code = a.code"
                               " WHERE a.plan = 1 AND a.households = b.households AND a.geom = b.geom"),
              fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1"));
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 2"), fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 1"));
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void beijing_campus_is_a_dedicated_grid(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_sample_project(ctx, "beijing-haidian-cau", "beijing.sqlite");
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
    CHECK(r->dedicated >= 1);
    gg_partition_report_free(ctx, r);
    check_plan(store, 1, 7824);
    char buf[128];
    /* China Agricultural University's east campus, an institution: type 4,
     * bounded by its own parcel, with the staff housing inside it. */
    CHECK_STR(fx_scalar_text(store, "SELECT substr(code, 13, 1) FROM grid WHERE name = '中国农业大学东校区'", buf, sizeof buf), "4");
    CHECK(fx_scalar(store, "SELECT households FROM grid WHERE name = '中国农业大学东校区'") > 0);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid g JOIN unit u ON u.name = g.name WHERE g.type = 4"
                               " AND HausdorffDistance(g.geom, ST_Intersection(u.geom, (SELECT geom FROM division"
                               " WHERE code = g.community))) > 1e-7"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* ---- one rule at a time, on a community made for it ---- */

/* A 0.01° square community at 116°E 40°N (about 850 m by 1,100 m). */
static const char *square = "POLYGON((116 40,116.01 40,116.01 40.01,116 40.01,116 40))";

static gg_store *rule_project(gg_ctx *ctx, const char *name, const char *community_wkt, const char *urban_rural,
                              const char *households_csv)
{
    gg_store *store = fx_project(ctx, name);
    char text[4096];
    snprintf(text, sizeof text, "code,name,urban_rural,wkt\n110108001001,试验社区,%s,\"%s\"\n", urban_rural, community_wkt);
    const char *path = gg_test_path("community.csv");
    gg_test_write_file(path, text);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_DIVISIONS, path, NULL, NULL, 0, NULL), GG_OK);
    path = gg_test_path("households.csv");
    gg_test_write_file(path, households_csv);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, path, NULL, NULL, 0, NULL), GG_OK);
    return store;
}

static void import_lines(gg_ctx *ctx, gg_store *store, gg_layer layer, const char *csv)
{
    const char *path = gg_test_path("lines.csv");
    gg_test_write_file(path, csv);
    CHECK_INT(fx_import(ctx, store, layer, path, NULL, NULL, 0, NULL), GG_OK);
}

static int64_t run_partition(gg_ctx *ctx, gg_store *store)
{
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    gg_partition_report *r = NULL;
    gg_status st = gg_partition(ctx, store, &opts, &r);
    CHECK_INT(st, GG_OK);
    int64_t plan = r ? r->plan : 0;
    gg_partition_report_free(ctx, r);
    return plan;
}

/* A grid of household points: rows x cols, each with count households. */
static void grid_points(char *buf, size_t size, int rows, int cols, int count)
{
    int n = snprintf(buf, size, "id,lon,lat,count\n");
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            n += snprintf(buf + n, size - (size_t)n, "h%d_%d,%.6f,%.6f,%d\n", i, j, 116.0005 + j * 0.009 / (cols > 1 ? cols - 1 : 1),
                          40.0005 + i * 0.009 / (rows > 1 ? rows - 1 : 1), count);
}

static void community_below_minimum_is_one_grid(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", "id,lon,lat,count\na,116.005,40.005,120\nb,116.002,40.007,80\n");
    import_lines(ctx, store, GG_LAYER_ROADS, "id,class,wkt\nr1,residential,\"LINESTRING(116.005 39.99,116.005 40.02)\"\n");
    int64_t plan = run_partition(ctx, store);
    check_plan(store, plan, 200);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT count(*) || ' ' || flags FROM grid", buf, sizeof buf), "1 small_community");
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void community_without_households_is_one_grid(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", "id,lon,lat,count\nfar,117,41,3\n");
    import_lines(ctx, store, GG_LAYER_ROADS, "id,class,wkt\nr1,residential,\"LINESTRING(116.005 39.99,116.005 40.02)\"\n");
    int64_t plan = run_partition(ctx, store);
    check_plan(store, plan, 0);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT count(*) || ' ' || flags FROM grid", buf, sizeof buf), "1 small_community,no_households");
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void tower_over_the_maximum_is_its_own_grid(void)
{
    gg_ctx *ctx = fx_ctx();
    static char csv[65536];
    grid_points(csv, sizeof csv, 6, 6, 40); /* 36 x 40 = 1,440 households */
    size_t n = strlen(csv);
    snprintf(csv + n, sizeof csv - n, "tower,116.0051,40.0052,1300\n");
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", csv);
    int64_t plan = run_partition(ctx, store); /* no roads at all: cells between households */
    check_plan(store, plan, 1440 + 1300);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE flags = 'over_max,indivisible' AND households = 1300"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE households NOT BETWEEN 300 AND 500 AND households != 1300"), 0);
    CHECK(fx_scalar(store, "SELECT count(*) FROM grid") >= 4);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void populated_island_gets_its_own_grid(void)
{
    gg_ctx *ctx = fx_ctx();
    static char csv[65536];
    grid_points(csv, sizeof csv, 5, 5, 40); /* 1,000 on the mainland */
    size_t n = strlen(csv);
    snprintf(csv + n, sizeof csv - n, "i1,116.0205,40.0052,12\ni2,116.0207,40.0054,10\nsmall,116.0304,40.0052,3\n");
    const char *parts = "MULTIPOLYGON(((116 40,116.01 40,116.01 40.01,116 40.01,116 40)),"
                        "((116.02 40.005,116.021 40.005,116.021 40.006,116.02 40.006,116.02 40.005)),"
                        "((116.03 40.005,116.031 40.005,116.031 40.006,116.03 40.006,116.03 40.005)))";
    gg_store *store = rule_project(ctx, "p.sqlite", parts, "111", csv);
    int64_t plan = run_partition(ctx, store);
    check_plan(store, plan, 1025);
    /* 22 households, about 58 residents: a grid of its own, which the
     * islet of 3 households (8 residents) joins as the nearest grid. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE households = 25 AND flags LIKE '%island%'"
                               " AND flags LIKE '%multipart%' AND NumGeometries(geom) = 2"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE flags LIKE '%island%'"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void river_cutting_the_community_bounds_grids(void)
{
    gg_ctx *ctx = fx_ctx();
    static char csv[65536];
    grid_points(csv, sizeof csv, 4, 6, 25); /* 600: two rural grids of 300 */
    gg_store *store = rule_project(ctx, "p.sqlite", square, "220", csv);
    /* A river along 116.0052: between the 3rd and 4th columns of points. */
    import_lines(ctx, store, GG_LAYER_WATERWAYS, "id,kind,wkt\nw1,river,\"LINESTRING(116.0052 39.99,116.0052 40.02)\"\n");
    int64_t plan = run_partition(ctx, store);
    check_plan(store, plan, 600);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid"), 2);
    /* Each grid lies on one side of the river. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE MbrMaxX(geom) <= 116.0052 + 1e-12 OR MbrMinX(geom) >= 116.0052 - 1e-12"), 2);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void dedicated_parcel_across_a_road_stays_whole(void)
{
    gg_ctx *ctx = fx_ctx();
    static char csv[65536];
    grid_points(csv, sizeof csv, 4, 5, 40); /* 800 */
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", csv);
    import_lines(ctx, store, GG_LAYER_ROADS, "id,class,wkt\nr1,residential,\"LINESTRING(116.005 39.99,116.005 40.02)\"\n");
    /* A school of about 170 m x 220 m astride the road. */
    const char *path = gg_test_path("units.csv");
    gg_test_write_file(path, "id,kind,name,wkt\ns1,school,第一中学,\"POLYGON((116.004 40.004,116.006 40.004,116.006 40.006,116.004 40.006,116.004 40.004))\"\n");
    CHECK_INT(fx_import(ctx, store, GG_LAYER_UNITS, path, NULL, NULL, 0, NULL), GG_OK);
    int64_t plan = run_partition(ctx, store);
    check_plan(store, plan, 800);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT code || ' ' || NumGeometries(geom) FROM grid WHERE type = 4", buf, sizeof buf),
              "1101080010014001 1");
    CHECK_NEAR(fx_scalar_double(store, "SELECT Area(geom) FROM grid WHERE type = 4"), 4e-6, 1e-12);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* 540 urban households: one grid is over 500, two are under 300. The
 * grids out of the window say so (unreachable), not that the search
 * failed, and the report keeps them out of the attainable share. */
static void unreachable_window_is_flagged(void)
{
    gg_ctx *ctx = fx_ctx();
    static char csv[65536];
    grid_points(csv, sizeof csv, 3, 3, 60);
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", csv);
    int64_t plan = run_partition(ctx, store);
    check_plan(store, plan, 540);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE households NOT BETWEEN 300 AND 500"
                               " AND (flags NOT LIKE '%unreachable%' OR flags LIKE '%infeasible%')"), 0);
    CHECK(fx_scalar(store, "SELECT count(*) FROM grid WHERE flags LIKE '%unreachable%'") >= 1);
    gg_plan_report *r = NULL;
    CHECK_INT(gg_plan_report_get(ctx, store, plan, &r), GG_OK);
    CHECK_INT(r->out_unreachable, r->out_of_window);
    CHECK_INT(r->out_infeasible, 0);
    CHECK_INT(r->attainable_in_window + r->attainable_out_of_window, 0);
    CHECK(r->n_communities == 1 && r->communities[0].unreachable);
    gg_plan_report_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A street divides 619 households into blocks of 400 and 219: no grouping
 * of whole blocks fits 300-500, so the 400-household block is split
 * between its houses and both grids fit. */
static void blocks_are_split_when_whole_ones_cannot_fit(void)
{
    gg_ctx *ctx = fx_ctx();
    static char csv[65536];
    int n = snprintf(csv, sizeof csv, "id,lon,lat,count\n");
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 4; j++)
            n += snprintf(csv + n, sizeof csv - (size_t)n, "w%d_%d,%.6f,%.6f,20\n", i, j, 116.0008 + j * 0.0014,
                          40.0008 + i * 0.002);
    snprintf(csv + n, sizeof csv - (size_t)n, "e1,116.0080,40.002,73\ne2,116.0080,40.005,73\ne3,116.0080,40.008,73\n");
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", csv);
    import_lines(ctx, store, GG_LAYER_ROADS, "id,class,wkt\nr1,residential,\"LINESTRING(116.0065 39.99,116.0065 40.02)\"\n");
    int64_t plan = run_partition(ctx, store);
    check_plan(store, plan, 619);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE households BETWEEN 300 AND 500 AND flags IS NULL"), 2);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void unknown_community_and_bad_window_are_refused(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", "id,lon,lat,count\na,116.005,40.005,120\n");
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    const char *codes[] = {"110108001999"};
    opts.communities = codes;
    opts.n_communities = 1;
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "no community with code '110108001999'");
    gg_partition_report_free(ctx, r);
    gg_partition_options_init(&opts);
    opts.urban_min = 500;
    opts.urban_max = 300;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_ERR_ARG);
    gg_partition_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A plan written out in each code layout and format, and read back. */
static void export_writes_every_layout(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_sample_project(ctx, "beijing-haidian-cau", "beijing.sqlite");
    gg_partition_options popts;
    gg_partition_options_init(&popts);
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &popts, &r), GG_OK);
    int64_t grids = r->grids;
    gg_partition_report_free(ctx, r);
    gg_export_options opts;
    gg_export_options_init(&opts);
    int64_t written = 0;
    const char *gpkg = gg_test_path("grids.gpkg");
    CHECK_INT(gg_export_grids(ctx, store, gpkg, &opts, &written), GG_OK);
    CHECK_INT(written, grids);
    CHECK_INT(gg_export_grids(ctx, store, gpkg, &opts, &written), GG_ERR_EXISTS);
    /* Read back as a hand-drawn plan: the same codes, households and areas. */
    gg_import_report *ir = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, gpkg, NULL, NULL, 0, &ir), GG_OK);
    CHECK_INT(ir->plan, 2);
    CHECK_INT(ir->warnings, 0); /* every code has a known layout */
    gg_import_report_free(ctx, ir);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid a JOIN grid b ON b.plan = 2 AND b.code = a.code AND"
                               " b.community = a.community AND b.type = a.type WHERE a.plan = 1"), grids);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid a JOIN grid b ON b.plan = 2 AND b.code = a.code"
                               " WHERE a.plan = 1 AND abs(Area(a.geom) - Area(b.geom)) > 1e-15"), 0);
    /* The 15- and 20-digit layouts, in CSV. */
    opts.plan = 1;
    opts.code_layout = 15;
    const char *csv15 = gg_test_path("grids15.csv");
    CHECK_INT(gg_export_grids(ctx, store, csv15, &opts, &written), GG_OK);
    opts.code_layout = 20;
    opts.object_code = "100100";
    const char *csv20 = gg_test_path("grids20.csv");
    CHECK_INT(gg_export_grids(ctx, store, csv20, &opts, &written), GG_OK);
    const char *maps[] = {"code=code", NULL};
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, csv15, NULL, maps, 0, &ir), GG_OK);
    CHECK(!fx_has_issue(ir, GG_ISSUE_WARNING, NULL, "no known layout"));
    CHECK(!fx_has_issue(ir, GG_ISSUE_WARNING, NULL, "not in the project"));
    gg_import_report_free(ctx, ir);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 3 AND length(code) = 15 AND substr(code, 1, 12) = community"), grids);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, csv20, NULL, maps, 0, &ir), GG_OK);
    CHECK(!fx_has_issue(ir, GG_ISSUE_WARNING, NULL, "no known layout"));
    CHECK(!fx_has_issue(ir, GG_ISSUE_WARNING, NULL, "not in the project"));
    gg_import_report_free(ctx, ir);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 4 AND length(code) = 20 AND substr(code, 1, 6) = '100100'"
                               " AND substr(code, 7, 12) = community"), grids);
    /* The community that is one grid has sequence 00. */
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT code FROM grid WHERE plan = 4 AND community = '110108001003'", buf, sizeof buf),
              "10010011010800100300");
    opts.code_layout = 17;
    CHECK_INT(gg_export_grids(ctx, store, gg_test_path("x.gpkg"), &opts, &written), GG_ERR_ARG);
    opts.code_layout = 16;
    opts.plan = 99;
    CHECK_INT(gg_export_grids(ctx, store, gg_test_path("x.gpkg"), &opts, &written), GG_ERR_NOT_FOUND);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The report's figures agree with the plan they measure. */
static void report_measures_the_plan(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_sample_project(ctx, "monaco", "monaco.sqlite");
    gg_partition_options popts;
    gg_partition_options_init(&popts);
    gg_partition_report *pr = NULL;
    CHECK_INT(gg_partition(ctx, store, &popts, &pr), GG_OK);
    gg_plan_report *r = NULL;
    CHECK_INT(gg_plan_report_get(ctx, store, 0, &r), GG_OK);
    CHECK_INT(r->plan, pr->plan);
    CHECK_INT(r->grids, pr->grids);
    CHECK_INT(r->in_window, pr->grids_in_range);
    CHECK_INT(r->out_of_window, pr->grids_out_of_range);
    CHECK_INT(r->small_community, 1); /* Sainte-Dévote */
    CHECK_INT(r->n_communities, 12);
    CHECK(r->households_min <= r->households_p5 && r->households_p5 <= r->households_median &&
          r->households_median <= r->households_p95 && r->households_p95 <= r->households_max);
    CHECK(r->households_median >= 300 && r->households_median <= 500);
    CHECK(r->polsby_popper_min > 0 && r->polsby_popper_median <= 1);
    /* Most of the boundary between grids runs on Monaco's streets. */
    CHECK(r->internal_m > 10000);
    CHECK(r->internal_on_lines_m > 0.6 * r->internal_m);
    double area = 0;
    int64_t households = 0;
    for (size_t i = 0; i < r->n_grids; i++) {
        area += r->grid_list[i].area_m2;
        households += r->grid_list[i].households;
        CHECK(r->grid_list[i].road_m >= 0);
    }
    CHECK_INT(households, 44128);
    /* 14.6 km2 of study area (the README of the data set). */
    CHECK_NEAR(area / 1e6, 14.623, 0.05);
    gg_plan_report_free(ctx, r);
    gg_partition_report_free(ctx, pr);
    CHECK_INT(gg_plan_report_get(ctx, store, 42, &r), GG_ERR_NOT_FOUND);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The map of Beijing's plan: a PNG of the size asked, with the dedicated
 * grids (the campus, a large part of the area) in their colour; SVG and
 * PDF too; a wrong name or community is refused and leaves no file. */
static void map_draws_the_plan(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_sample_project(ctx, "beijing-haidian-cau", "beijing.sqlite");
    gg_partition_options popts;
    gg_partition_options_init(&popts);
    gg_partition_report *pr = NULL;
    CHECK_INT(gg_partition(ctx, store, &popts, &pr), GG_OK);
    gg_partition_report_free(ctx, pr);
    gg_map_options opts;
    gg_map_options_init(&opts);
    opts.width_px = 800;
    const char *png = gg_test_path("map.png");
    CHECK_INT(gg_map_render(ctx, store, png, &opts), GG_OK);
    cairo_surface_t *img = cairo_image_surface_create_from_png(png);
    CHECK_INT(cairo_surface_status(img), CAIRO_STATUS_SUCCESS);
    CHECK_INT(cairo_image_surface_get_width(img), 800);
    int w = cairo_image_surface_get_width(img), hgt = cairo_image_surface_get_height(img);
    int stride = cairo_image_surface_get_stride(img);
    const unsigned char *data = cairo_image_surface_get_data(img);
    long dedicated = 0, white = 0;
    for (int y = 0; data && y < hgt; y++)
        for (int x = 0; x < w; x++) {
            uint32_t px;
            memcpy(&px, data + y * stride + x * 4, 4);
            unsigned r = (px >> 16) & 0xFF, g = (px >> 8) & 0xFF, b = px & 0xFF;
            dedicated += r == 158 && g == 133 && b == 209; /* 0.62, 0.52, 0.82 */
            white += r == 255 && g == 255 && b == 255;
        }
    cairo_surface_destroy(img);
    CHECK(dedicated > (long)w * hgt / 10); /* the campus covers a third of the area */
    CHECK(white < (long)w * hgt / 2);
    CHECK_INT(gg_map_render(ctx, store, gg_test_path("map.svg"), &opts), GG_OK);
    CHECK_INT(gg_map_render(ctx, store, gg_test_path("map.pdf"), &opts), GG_OK);
    CHECK_INT(gg_map_render(ctx, store, gg_test_path("map.jpg"), &opts), GG_ERR_ARG);
    opts.community = "110108001099";
    CHECK_INT(gg_map_render(ctx, store, gg_test_path("none.png"), &opts), GG_ERR_NOT_FOUND);
    FILE *f = fopen(gg_test_path("none.png"), "rb");
    CHECK(f == NULL);
    if (f)
        fclose(f);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* ---- the write lock: a partition computes without it ---- */

static void partition_leaves_the_write_lock_free_while_it_computes(void)
{
    char households[8192];
    grid_points(households, sizeof households, 12, 12, 25);
    for (int jobs = 1; jobs <= 2; jobs++) {
        gg_ctx *ctx = fx_ctx();
        gg_store *store = rule_project(ctx, jobs == 1 ? "p1.sqlite" : "p2.sqlite", square, "111", households);
        import_lines(ctx, store, GG_LAYER_ROADS,
                     "id,class,wkt\nr1,residential,\"LINESTRING(116.005 39.99,116.005 40.02)\"\n"
                     "r2,residential,\"LINESTRING(115.99 40.005,116.02 40.005)\"\n");
        fx_lock_probe p = {store->path, "SELECT count(*) FROM plan", GG_LAYER_DIVISIONS, NULL, 0, 0, 0, GG_OK};
        gg_ctx_set_progress(ctx, fx_lock_probe_progress, &p);
        gg_partition_options opts;
        gg_partition_options_init(&opts);
        opts.jobs = jobs;
        gg_partition_report *r = NULL;
        CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
        CHECK(p.calls >= 1);
        CHECK_INT(p.refused, 0);    /* the old partition held the lock from its start */
        CHECK_INT(p.seen, 0);       /* and no plan is visible before the end */
        CHECK_INT(r->plan, 1);
        gg_partition_report_free(ctx, r);
        check_plan(store, 1, 3600);
        gg_store_close(store);
        gg_ctx_free(ctx);
    }
}

/* Households imported by another process while the partition computed:
 * the plan, made from the old points, is not stored. */
static void partition_refuses_inputs_changed_while_it_ran(void)
{
    char households[8192];
    grid_points(households, sizeof households, 12, 12, 25);
    gg_ctx *ctx = fx_ctx();
    gg_store *store = rule_project(ctx, "p.sqlite", square, "111", households);
    grid_points(households, sizeof households, 12, 12, 20);
    const char *path = gg_test_path("new-households.csv");
    gg_test_write_file(path, households);
    fx_lock_probe p = {store->path, "SELECT count(*) FROM plan", GG_LAYER_HOUSEHOLDS, path, 0, 0, 0, GG_ERR_INTERNAL};
    gg_ctx_set_progress(ctx, fx_lock_probe_progress, &p);
    gg_partition_options opts;
    gg_partition_options_init(&opts);
    gg_partition_report *r = NULL;
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_ERR_STORE);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "changed while the partition ran");
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "nothing was stored");
    CHECK_INT(p.reimported, GG_OK);
    CHECK_INT(r ? r->plan : -1, 0);
    gg_partition_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), 0);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid"), 0);
    CHECK_INT(fx_scalar(store, "SELECT sum(count) FROM household"), 2880);
    /* Run again, it partitions what is there now. */
    gg_ctx_set_progress(ctx, NULL, NULL);
    gg_ctx_clear_error(ctx);
    CHECK_INT(gg_partition(ctx, store, &opts, &r), GG_OK);
    CHECK_INT(r->plan, 1);
    gg_partition_report_free(ctx, r);
    check_plan(store, 1, 2880);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(map_draws_the_plan), T(report_measures_the_plan), T(export_writes_every_layout), T(monaco_plan_tiles_its_communities), T(beijing_campus_is_a_dedicated_grid),
          T(community_below_minimum_is_one_grid), T(community_without_households_is_one_grid),
          T(tower_over_the_maximum_is_its_own_grid), T(populated_island_gets_its_own_grid),
          T(river_cutting_the_community_bounds_grids), T(dedicated_parcel_across_a_road_stays_whole),
          T(unreachable_window_is_flagged), T(blocks_are_split_when_whole_ones_cannot_fit),
          T(unknown_community_and_bad_window_are_refused),
          T(partition_leaves_the_write_lock_free_while_it_computes),
          T(partition_refuses_inputs_changed_while_it_ran))
