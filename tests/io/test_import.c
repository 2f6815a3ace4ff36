/* Imports of real sample data and of small sources with known contents. */
#include "govgrid/check.h"
#include "harness.h"
#include "io/fixtures.h"

#include <math.h>

static void monaco_layers_import_with_their_counts(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "monaco.sqlite");
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_DIVISIONS, fx_data("monaco/communities.gpkg"), NULL, NULL, 0, &r), GG_OK);
    CHECK_INT(r->read, 12);
    CHECK_INT(r->imported, 12);
    CHECK_STR(r->source_crs, "EPSG:4326");
    CHECK_STR(r->driver, "GPKG");
    gg_import_report_free(ctx, r);

    const char *hh_maps[] = {"id=hh_id", "count=households", NULL};
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), NULL, hh_maps, 0, &r), GG_OK);
    CHECK_INT(r->read, 6086);
    CHECK_INT(r->imported, 6086);
    CHECK_INT(r->rejected, 0);
    CHECK_INT(r->households, 44128);
    CHECK_INT(r->communities_known, 1);
    CHECK_INT(r->outside, 0);
    gg_import_report_free(ctx, r);
    /* Per-community totals agree with the data set's own table (its README):
     * Monte-Carlo 6612, Sainte-Dévote 38, La Turbie 4747 households. */
    CHECK_INT(fx_scalar(store, "SELECT sum(count) FROM household WHERE community = '980100001008'"), 6612);
    CHECK_INT(fx_scalar(store, "SELECT sum(count) FROM household WHERE community = '980100001009'"), 38);
    CHECK_INT(fx_scalar(store, "SELECT sum(count) FROM household WHERE community = '980100100212'"), 4747);

    const char *road_maps[] = {"id=road_id", "class=highway", NULL};
    CHECK_INT(fx_import(ctx, store, GG_LAYER_ROADS, fx_data("monaco/roads.gpkg"), "roads", road_maps, 0, NULL), GG_OK);
    const char *water_maps[] = {"id=water_id", NULL};
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WATERWAYS, fx_data("monaco/waterways.gpkg"), "waterway_lines", water_maps, 0, NULL), GG_OK);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WATERWAYS, fx_data("monaco/waterways.gpkg"), "water_areas", water_maps, 1, NULL), GG_OK);
    const char *poi_maps[] = {"id=poi_id", NULL};
    CHECK_INT(fx_import(ctx, store, GG_LAYER_UNITS, fx_data("monaco/pois.gpkg"), "poi_areas", poi_maps, 0, NULL), GG_OK);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_UNITS, fx_data("monaco/pois.gpkg"), "poi_points", poi_maps, 1, &r), GG_OK);
    CHECK_INT(r->imported, 25);
    CHECK(fx_has_issue(r, GG_ISSUE_WARNING, NULL, "military"));
    gg_import_report_free(ctx, r);

    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM road WHERE GeometryType(geom) = 'MULTILINESTRING'"), 2211);
    /* The bulk-loaded spatial indexes are valid R*Trees holding every row,
     * and a window query through them finds exactly what a scan finds. */
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT rtreecheck('idx_household_geom')", buf, sizeof buf), "ok");
    CHECK_STR(fx_scalar_text(store, "SELECT rtreecheck('idx_road_geom')", buf, sizeof buf), "ok");
    CHECK_STR(fx_scalar_text(store, "SELECT rtreecheck('idx_waterway_geom')", buf, sizeof buf), "ok");
    CHECK_STR(fx_scalar_text(store, "SELECT rtreecheck('idx_unit_geom')", buf, sizeof buf), "ok");
    CHECK_STR(fx_scalar_text(store, "SELECT rtreecheck('idx_division_geom')", buf, sizeof buf), "ok");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_household_geom"), 6086);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_waterway_geom"), 34);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_unit_geom"), 33);
    int64_t by_index = fx_scalar(store,
        "SELECT count(*) FROM household WHERE fid IN (SELECT pkid FROM idx_household_geom WHERE"
        " xmax >= 7.41 AND xmin <= 7.42 AND ymax >= 43.73 AND ymin <= 43.74)"
        " AND X(geom) BETWEEN 7.41 AND 7.42 AND Y(geom) BETWEEN 43.73 AND 43.74");
    int64_t by_scan = fx_scalar(store, "SELECT count(*) FROM household WHERE X(geom) BETWEEN 7.41 AND 7.42"
                                       " AND Y(geom) BETWEEN 43.73 AND 43.74");
    CHECK(by_scan > 500);
    CHECK_INT(by_index, by_scan);
    /* SpatiaLite's own triggers are back and keep the index up to date. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name = 'gii_household_geom'"), 1);
    int64_t fx_deleted_count = fx_scalar(store, "SELECT count FROM household WHERE id = 'hh-r1368429'");
    CHECK_INT(gg_store_exec(store, "DELETE FROM household WHERE id = 'hh-r1368429'"), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_household_geom"), 6085);
    CHECK_STR(fx_scalar_text(store, "SELECT rtreecheck('idx_household_geom')", buf, sizeof buf), "ok");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM waterway WHERE GeometryType(geom) = 'MULTIPOLYGON'"), 8);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM waterway WHERE GeometryType(geom) = 'MULTILINESTRING'"), 26);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM unit WHERE community IS NULL"), 0);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM unit WHERE kind = 'school'"), 6);

    gg_store_info *info = NULL;
    CHECK_INT(gg_store_info_get(ctx, store, &info), GG_OK);
    CHECK_INT(info->layers[GG_LAYER_HOUSEHOLDS].features, 6085); /* one deleted above */
    CHECK_INT(info->households, 44128 - fx_deleted_count);
    CHECK_INT(info->communities, 12);
    CHECK_INT(info->layers[GG_LAYER_ROADS].features, 2211);
    CHECK_INT(info->layers[GG_LAYER_WATERWAYS].features, 34);
    CHECK_INT(info->layers[GG_LAYER_UNITS].features, 33);
    CHECK_INT(info->n_classes, 4);
    CHECK_STR(info->classes[0].urban_rural, "111");
    CHECK_INT(info->classes[0].communities, 9);
    CHECK_INT(info->classes[3].households, 4747);
    /* The study area's bounding box, as its README gives it. */
    CHECK_NEAR(info->layers[GG_LAYER_DIVISIONS].min_lon, 7.374324, 1e-6);
    CHECK_NEAR(info->layers[GG_LAYER_DIVISIONS].max_lat, 43.765935, 1e-6);
    gg_store_info_free(ctx, info);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void beijing_code_table_then_communities(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "beijing.sqlite");
    gg_binding maps[] = {{"parent", "parent_code"}};
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.maps = maps;
    opts.n_maps = 1;
    opts.where = "level <> 'village_or_community'";
    gg_import_report *r = NULL;
    CHECK_INT(gg_import(ctx, store, GG_LAYER_DIVISIONS, fx_data("beijing-haidian-cau/china_division_codes.csv"), &opts, &r), GG_OK);
    CHECK(r->imported > 20);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM division WHERE level = 'county'"), 1);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT name FROM division WHERE code = '110108'", buf, sizeof buf), "海淀区");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM division WHERE geom IS NOT NULL"), 0);

    CHECK_INT(fx_import(ctx, store, GG_LAYER_DIVISIONS, fx_data("beijing-haidian-cau/communities.gpkg"), NULL, NULL, 1, &r), GG_OK);
    CHECK_INT(r->imported, 6);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM division WHERE level = 'community'"), 6);
    /* Each community hangs under a township that the code table brought. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM division c JOIN division t ON t.code = c.parent"
                               " WHERE c.level = 'community' AND t.level = 'township'"), 6);

    const char *hh_maps[] = {"id=hh_id", "count=households", NULL};
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("beijing-haidian-cau/households.gpkg"), NULL, hh_maps, 0, &r), GG_OK);
    CHECK_INT(r->households, 7824);
    CHECK_INT(r->outside, 0);
    gg_import_report_free(ctx, r);
    /* The block with no households (BJ-D03) gets none. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM division d WHERE level = 'community' AND"
                               " NOT EXISTS (SELECT 1 FROM household h WHERE h.community = d.code)"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void reimport_replaces_and_append_refuses_duplicates(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    const char *hh_maps[] = {"id=hh_id", "count=households", NULL};
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("beijing-haidian-cau/households.gpkg"), NULL, hh_maps, 0, NULL), GG_OK);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("beijing-haidian-cau/households.gpkg"), NULL, hh_maps, 0, &r), GG_OK);
    CHECK_INT(r->replaced, 113);
    CHECK_INT(r->communities_known, 0);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 113);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("beijing-haidian-cau/households.gpkg"), NULL, hh_maps, 1, &r), GG_ERR_INVALID_INPUT);
    CHECK_INT(r->rejected, 113);
    CHECK(fx_has_issue(r, GG_ISSUE_REJECTED, NULL, "the project has it already"));
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 113);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void divisions_imported_later_assign_households(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    const char *hh_maps[] = {"id=hh_id", "count=households", NULL};
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), NULL, hh_maps, 0, NULL), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household WHERE community IS NULL"), 6086);
    fx_import_monaco_communities(ctx, store);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household WHERE community IS NULL"), 0);
    CHECK_INT(fx_scalar(store, "SELECT sum(count) FROM household WHERE community = '980100001008'"), 6612);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* A point given in a projected CRS lands at the right longitude/latitude:
 * the same point, transformed with PROJ here, read back from the store. */
static void projected_sources_are_reprojected(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    gg_transform *t = NULL;
    CHECK_INT(gg_transform_new(ctx, "EPSG:4326", "EPSG:32632", &t), GG_OK);
    double x[1] = {7.4246}, y[1] = {43.7384};
    CHECK_INT(gg_transform_points(t, x, y, 1), GG_OK);
    gg_transform_free(t);
    char text[1024];
    snprintf(text, sizeof text,
             "{\"type\":\"FeatureCollection\",\"crs\":{\"type\":\"name\",\"properties\":{\"name\":"
             "\"urn:ogc:def:crs:EPSG::32632\"}},\"features\":[{\"type\":\"Feature\",\"properties\":"
             "{\"id\":\"utm-1\",\"count\":7},\"geometry\":{\"type\":\"Point\",\"coordinates\":[%.4f,%.4f]}}]}",
             x[0], y[0]);
    const char *path = gg_test_path("utm.geojson");
    gg_test_write_file(path, text);
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, path, NULL, NULL, 0, &r), GG_OK);
    CHECK_STR(r->source_crs, "EPSG:32632");
    gg_import_report_free(ctx, r);
    CHECK_NEAR(fx_scalar_double(store, "SELECT X(geom) FROM household"), 7.4246, 1e-8);
    CHECK_NEAR(fx_scalar_double(store, "SELECT Y(geom) FROM household"), 43.7384, 1e-8);

    /* A CSV of CGCS2000 Gauss-Krüger coordinates, with the CRS given. */
    CHECK_INT(gg_transform_new(ctx, "EPSG:4326", "EPSG:4548", &t), GG_OK);
    x[0] = 116.3512;
    y[0] = 40.0021;
    CHECK_INT(gg_transform_points(t, x, y, 1), GG_OK);
    gg_transform_free(t);
    snprintf(text, sizeof text, "id,x,y,count\nbj-1,%.4f,%.4f,1\n", x[0], y[0]);
    path = gg_test_path("gk.csv");
    gg_test_write_file(path, text);
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.source_crs = "EPSG:4548";
    CHECK_INT(gg_import(ctx, store, GG_LAYER_HOUSEHOLDS, path, &opts, &r), GG_OK);
    gg_import_report_free(ctx, r);
    CHECK_NEAR(fx_scalar_double(store, "SELECT X(geom) FROM household"), 116.3512, 1e-8);
    CHECK_NEAR(fx_scalar_double(store, "SELECT Y(geom) FROM household"), 40.0021, 1e-8);
    CHECK_INT(fx_scalar(store, "SELECT count FROM household"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void osm_pbf_roads_import_directly(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    gg_binding maps[] = {{"id", "osm_id"}, {"class", "highway"}};
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.src_layer = "lines";
    opts.where = "highway IS NOT NULL";
    opts.maps = maps;
    opts.n_maps = 2;
    gg_import_report *r = NULL;
    CHECK_INT(gg_import(ctx, store, GG_LAYER_ROADS, fx_data("monaco/source/monaco.osm.pbf"), &opts, &r), GG_OK);
    CHECK_STR(r->driver, "OSM");
    CHECK(r->imported > 2000);
    CHECK_INT(r->rejected, 0);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM road WHERE class IS NULL"), 0);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM road WHERE class = 'motorway'") > 0, 1);
    /* Inside the extract's box around Monaco. */
    CHECK(fx_scalar_double(store, "SELECT min(MbrMinX(geom)) FROM road") > 7.2);
    CHECK(fx_scalar_double(store, "SELECT max(MbrMaxY(geom)) FROM road") < 43.9);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void workers_roles_in_english_and_chinese(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    const char *path = gg_test_path("workers.csv");
    gg_test_write_file(path, "id,name,role,phone,grid_code\n"
                             "w1,王芳,网格长,13800000001,9801000010011001\n"
                             "w2,李强,专职网格员,13800000002,9801000010011001\n"
                             "w3,张伟,Parttime,13800000003,9801000010011001\n"
                             "w4,刘洋,志愿者,,9801000010011001\n"
                             "w5,陈静,网格指导员,,9801000010011001\n");
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WORKERS, path, NULL, NULL, 0, &r), GG_OK);
    CHECK_INT(r->imported, 5);
    CHECK_STR(r->source_crs, "none");
    gg_import_report_free(ctx, r);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT role FROM worker WHERE id = 'w1'", buf, sizeof buf), "leader");
    CHECK_STR(fx_scalar_text(store, "SELECT role FROM worker WHERE id = 'w3'", buf, sizeof buf), "parttime");
    CHECK_STR(fx_scalar_text(store, "SELECT role FROM worker WHERE id = 'w5'", buf, sizeof buf), "instructor");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker WHERE phone IS NULL"), 2);
    gg_test_write_file(path, "id,name,role\nw9,赵敏,boss\n");
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WORKERS, path, NULL, NULL, 0, &r), GG_ERR_INVALID_INPUT);
    CHECK(fx_has_issue(r, GG_ISSUE_REJECTED, "w9", "role 'boss' is not one of"));
    CHECK_INT(r->issues[0].line, 2);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM worker"), 5);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void dept_grids_are_replaced_per_department(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    gg_binding maps[] = {{"id", "code"}};
    gg_binding fire[] = {{"dept", "fire"}}, env[] = {{"dept", "environment"}};
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.maps = maps;
    opts.n_maps = 1;
    opts.sets = fire;
    opts.n_sets = 1;
    gg_import_report *r = NULL;
    const char *src = fx_data("monaco/communities.gpkg");
    CHECK_INT(gg_import(ctx, store, GG_LAYER_DEPT_GRIDS, src, &opts, &r), GG_OK);
    gg_import_report_free(ctx, r);
    opts.sets = env;
    CHECK_INT(gg_import(ctx, store, GG_LAYER_DEPT_GRIDS, src, &opts, &r), GG_OK);
    CHECK_INT(r->replaced, 0);
    gg_import_report_free(ctx, r);
    opts.sets = fire;
    CHECK_INT(gg_import(ctx, store, GG_LAYER_DEPT_GRIDS, src, &opts, &r), GG_OK);
    CHECK_INT(r->replaced, 12);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM dept_grid WHERE dept = 'fire'"), 12);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM dept_grid WHERE dept = 'environment'"), 12);
    gg_store_info *info = NULL;
    CHECK_INT(gg_store_info_get(ctx, store, &info), GG_OK);
    CHECK_INT(info->n_depts, 2);
    CHECK_STR(info->depts[0].dept, "environment");
    gg_store_info_free(ctx, info);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void grids_become_plans_keeping_their_codes(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    fx_import_monaco_communities(ctx, store);
    const char *path = gg_test_path("grids.geojson");
    gg_test_write_file(path,
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"9801000010081001\",\"name\":\"一网格\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.74],[7.43,43.74],[7.43,43.745],[7.42,43.74]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"980100001008002\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.745],[7.43,43.745],[7.43,43.75],[7.42,43.745]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"G-17\",\"type\":4},"
        "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":[[[[7.41,43.74],[7.415,43.74],[7.415,43.745],[7.41,43.74]]]]}}]}");
    gg_import_report *r = NULL;
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.note = "hand-drawn 2024";
    CHECK_INT(gg_import(ctx, store, GG_LAYER_GRIDS, path, &opts, &r), GG_OK);
    CHECK_INT(r->plan, 1);
    CHECK_INT(r->imported, 3);
    CHECK(fx_has_issue(r, GG_ISSUE_WARNING, NULL, "match no known layout"));
    CHECK(fx_has_issue(r, GG_ISSUE_WARNING, NULL, "G-17"));
    gg_import_report_free(ctx, r);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT community FROM grid WHERE code = '9801000010081001'", buf, sizeof buf), "980100001008");
    CHECK_INT(fx_scalar(store, "SELECT type FROM grid WHERE code = '9801000010081001'"), 1);
    CHECK_STR(fx_scalar_text(store, "SELECT community FROM grid WHERE code = '980100001008002'", buf, sizeof buf), "980100001008");
    CHECK_INT(fx_scalar(store, "SELECT type FROM grid WHERE code = 'G-17'"), 4);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE code = 'G-17' AND community IS NULL"), 1);
    CHECK_STR(fx_scalar_text(store, "SELECT note FROM plan WHERE id = 1", buf, sizeof buf), "hand-drawn 2024");
    /* A second import is a second plan; --append adds to the newest. */
    CHECK_INT(gg_import(ctx, store, GG_LAYER_GRIDS, path, &opts, &r), GG_OK);
    CHECK_INT(r->plan, 2);
    gg_import_report_free(ctx, r);
    opts.append = 1;
    CHECK_INT(gg_import(ctx, store, GG_LAYER_GRIDS, path, &opts, &r), GG_ERR_INVALID_INPUT);
    CHECK(fx_has_issue(r, GG_ISSUE_REJECTED, "G-17", "duplicate code 'G-17'"));
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid"), 6);
    /* A grid of a new code is appended to plan 2, after its rows, counted
     * and in the spatial index. */
    const char *more = gg_test_path("more.geojson");
    gg_test_write_file(more,
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"9801000010081002\"},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[7.42,43.75],[7.43,43.75],[7.43,43.755],[7.42,43.75]]]}}]}");
    CHECK_INT(gg_import(ctx, store, GG_LAYER_GRIDS, more, &opts, &r), GG_OK);
    CHECK_INT(r->plan, 2);
    CHECK_INT(r->imported, 1);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM plan"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE plan = 2"), 4);
    CHECK_INT(fx_scalar(store, "SELECT fid FROM grid WHERE code = '9801000010081002'"), 7);
    /* No household point in the project: no grid's households are known. */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM grid WHERE households IS NULL AND persons IS NULL"), 7);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM idx_grid_row_geom"), 7);
    CHECK_INT(fx_scalar(store, "SELECT rtreecheck('idx_grid_row_geom') = 'ok'"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* An imported plan's grids without counts are counted from the household
 * points only where the points tell: a grid holding points gets their sum,
 * one in a community that has points elsewhere 0, one in a community with
 * no point keeps no count (NULL), and a count the file gives there is kept
 * without being called different from the points. */
static void grids_are_counted_only_where_household_points_tell(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    fx_import_monaco_communities(ctx, store);
    const char *households = gg_test_path("households.csv");
    gg_test_write_file(households, "id,lon,lat,count\n"
                                   "a,7.4246,43.7384,12\n"
                                   "b,7.4247,43.7385,3\n");
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, households, NULL, NULL, 0, &r), GG_OK);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household WHERE community = '980100001008'"), 2);
    const char *grids = gg_test_path("grids.geojson");
    gg_test_write_file(grids,
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"9801000010081001\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[7.424,43.738],[7.425,43.738],[7.425,43.739],[7.424,43.739],[7.424,43.738]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"9801000010081002\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[7.426,43.738],[7.427,43.738],[7.427,43.739],[7.426,43.739],[7.426,43.738]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"9801000010011001\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[7.415,43.726],[7.416,43.726],[7.416,43.727],[7.415,43.727],[7.415,43.726]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"9801000010021001\",\"households\":350},"
        "\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[7.412,43.730],[7.413,43.730],[7.413,43.731],[7.412,43.731],[7.412,43.730]]]}}]}");
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, grids, NULL, NULL, 0, &r), GG_OK);
    CHECK(!fx_has_issue(r, GG_ISSUE_WARNING, NULL, "differ from the household points"));
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT households FROM grid WHERE code = '9801000010081001'"), 15);
    CHECK_INT(fx_scalar(store, "SELECT persons IS NOT NULL FROM grid WHERE code = '9801000010081001'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT households FROM grid WHERE code = '9801000010081002'"), 0);
    CHECK_INT(fx_scalar(store, "SELECT households IS NULL AND persons IS NULL FROM grid"
                               " WHERE code = '9801000010011001'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT households FROM grid WHERE code = '9801000010021001'"), 350);
    /* govgrid check agrees: the given 350 is not contradicted. */
    gg_check_options copts;
    gg_check_options_init(&copts);
    gg_check_report *check = NULL;
    CHECK_INT(gg_plan_check(ctx, store, &copts, &check), GG_OK);
    CHECK_INT(check->household_points, 2);
    CHECK_INT(check->by_kind[GG_CHECK_HOUSEHOLDS], 0);
    gg_check_report_free(ctx, check);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void skip_invalid_imports_the_rest_and_lists_the_rejected(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    fx_import_monaco_communities(ctx, store);
    const char *path = gg_test_path("mixed.csv");
    gg_test_write_file(path, "id,lon,lat,count\n"
                             "a,7.4246,43.7384,12\n"
                             "b,7.4246,43.7384,many\n"
                             "c,7.4247,43.7385,-3\n"
                             "d,7.4248,43.7386,\n"
                             "e,2.35,48.85,4\n");
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.skip_invalid = 1;
    gg_import_report *r = NULL;
    CHECK_INT(gg_import(ctx, store, GG_LAYER_HOUSEHOLDS, path, &opts, &r), GG_OK);
    CHECK_INT(r->read, 5);
    CHECK_INT(r->imported, 3);
    CHECK_INT(r->rejected, 2);
    CHECK(fx_has_issue(r, GG_ISSUE_REJECTED, "b", "count 'many' is not a whole number"));
    CHECK(fx_has_issue(r, GG_ISSUE_REJECTED, "c", "count -3 is negative"));
    CHECK_INT(r->outside, 1);
    CHECK_INT(r->n_outside_ids, 1);
    CHECK_STR(r->outside_ids[0], "e");
    CHECK_INT(r->households, 12 + 1 + 4);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count FROM household WHERE id = 'd'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household WHERE community IS NULL"), 1);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void gbk_shapefile_with_a_bow_tie(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    const char *shp = fx_gbk_bowtie_shapefile();
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.encoding = "GBK";
    gg_import_report *r = NULL;
    CHECK_INT(gg_import(ctx, store, GG_LAYER_DIVISIONS, shp, &opts, &r), GG_OK);
    CHECK_INT(r->imported, 2);
    CHECK_INT(r->repaired, 1);
    CHECK(fx_has_issue(r, GG_ISSUE_REPAIRED, "980100001901", "Self-intersection"));
    gg_import_report_free(ctx, r);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT name FROM division WHERE code = '980100001901'", buf, sizeof buf), "蝴蝶社区");
    /* dBase's 10-character names: urban_rura feeds urban_rural. */
    CHECK_STR(fx_scalar_text(store, "SELECT urban_rural FROM division WHERE code = '980100001902'", buf, sizeof buf), "111");
    /* The repaired bow tie keeps both triangles' area: 2 x 0.5 x 0.01 x 0.005 deg². */
    CHECK_NEAR(fx_scalar_double(store, "SELECT Area(geom) FROM division WHERE code = '980100001901'"), 5e-5, 1e-12);
    CHECK_INT(fx_scalar(store, "SELECT IsValid(geom) FROM division WHERE code = '980100001901'"), 1);
    CHECK_INT(fx_scalar(store, "SELECT NumGeometries(geom) FROM division WHERE code = '980100001901'"), 2);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The reader thread changes nothing but speed: the same rows, the same
 * report, in the same order. */
static void threaded_import_gives_the_same_project(void)
{
    char digest[2][200000];
    int64_t counts[2][4];
    for (int jobs = 1; jobs <= 2; jobs++) {
        gg_ctx *ctx = fx_ctx();
        char name[32];
        snprintf(name, sizeof name, "p%d.sqlite", jobs);
        gg_store *store = fx_project(ctx, name);
        fx_import_monaco_communities(ctx, store);
        gg_binding maps[] = {{"id", "hh_id"}, {"count", "households"}};
        gg_import_options opts;
        gg_import_options_init(&opts);
        opts.maps = maps;
        opts.n_maps = 2;
        opts.jobs = jobs;
        gg_import_report *r = NULL;
        CHECK_INT(gg_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), &opts, &r), GG_OK);
        counts[jobs - 1][0] = r->read;
        counts[jobs - 1][1] = r->imported;
        counts[jobs - 1][2] = r->households;
        counts[jobs - 1][3] = r->outside;
        gg_import_report_free(ctx, r);
        fx_scalar_text(store, "SELECT group_concat(fid || ':' || id || ':' || count || ':' || community || ':' ||"
                              " hex(geom), ',') FROM (SELECT * FROM household ORDER BY fid LIMIT 1500)",
                       digest[jobs - 1], sizeof digest[0]);
        char buf[64];
        CHECK_STR(fx_scalar_text(store, "SELECT rtreecheck('idx_household_geom')", buf, sizeof buf), "ok");
        /* A source with rejected rows in several batches, read ahead by the worker. */
        const char *path = gg_test_path(jobs == 1 ? "bad1.csv" : "bad2.csv");
        FILE *out = fopen(path, "w");
        fprintf(out, "id,lon,lat,count\n");
        for (int i = 0; i < 5000; i++)
            fprintf(out, "h%d,7.42%02d,43.74,%s\n", i, i % 100, i % 997 == 5 ? "x" : "2");
        fclose(out);
        opts.maps = NULL;
        opts.n_maps = 0;
        CHECK_INT(gg_import(ctx, store, GG_LAYER_HOUSEHOLDS, path, &opts, &r), GG_ERR_INVALID_INPUT);
        CHECK_INT(r->read, 5000);
        CHECK_INT(r->rejected, 6); /* i = 5, 1002, 1999, 2996, 3993, 4990 */
        CHECK(r->n_issues == 7 && r->issues[1].line == 7 && r->issues[6].line == 4992);
        gg_import_report_free(ctx, r);
        CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 6086);
        gg_store_close(store);
        gg_ctx_free(ctx);
    }
    CHECK(strlen(digest[0]) > 1000);
    CHECK_STR(digest[0], digest[1]);
    for (int k = 0; k < 4; k++)
        CHECK_INT(counts[0][k], counts[1][k]);
}

/* Codes and ids in numeric fields (a shapefile's numeric code column, a
 * GeoJSON number) come through exactly, whatever other numbers the feature
 * has: GDAL formats each into a buffer it reuses. */
static void numeric_codes_and_ids_are_kept_exactly(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    const char *path = gg_test_path("numeric.geojson");
    gg_test_write_file(path,
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"code\":110108017001,\"parent\":110108017,\"urban_rural\":111},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[116.34,40.0],[116.35,40.0],[116.35,40.01],[116.34,40.0]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":110108017002,\"parent\":110108017,\"urban_rural\":220},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[116.35,40.0],[116.36,40.0],[116.36,40.01],[116.35,40.0]]]}}]}");
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_DIVISIONS, path, NULL, NULL, 0, &r), GG_OK);
    CHECK_INT(r->imported, 2);
    CHECK_INT(r->warnings, 0); /* the parents agree with the codes */
    gg_import_report_free(ctx, r);
    char buf[64];
    CHECK_STR(fx_scalar_text(store, "SELECT group_concat(code || '/' || parent || '/' || urban_rural, ' ') FROM"
                                    " (SELECT * FROM division ORDER BY code)", buf, sizeof buf),
              "110108017001/110108017/111 110108017002/110108017/220");
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* ---- the write lock: an import reads without it ---- */

static void import_leaves_the_write_lock_free_while_it_reads(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    fx_import_monaco_communities(ctx, store);
    fx_lock_probe p = {store->path, "SELECT count(*) FROM household", GG_LAYER_DIVISIONS, NULL, 0, 0, 0, GG_OK};
    gg_ctx_set_progress(ctx, fx_lock_probe_progress, &p);
    const char *hh_maps[] = {"id=hh_id", "count=households", NULL};
    for (int append = 0; append <= 1; append++) {
        gg_import_report *r = NULL;
        /* Appending the same points again: every one is the project's already. */
        CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), NULL, hh_maps, append,
                            &r),
                  append ? GG_ERR_INVALID_INPUT : GG_OK);
        CHECK_INT(r->imported, append ? 0 : 6086);
        if (append)
            CHECK(fx_has_issue(r, GG_ISSUE_REJECTED, NULL, "the project has it already"));
        gg_import_report_free(ctx, r);
        gg_ctx_clear_error(ctx);
    }
    CHECK(p.calls >= 2);
    CHECK_INT(p.refused, 0);               /* the old import held the lock from its start */
    CHECK_INT(p.seen, 6086);    /* none before the first import was stored */
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 6086);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM sqlite_temp_master"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* Communities imported again by another process while the households were
 * read (and located in the old ones): the households are not stored, and
 * the next import works. */
static void import_refuses_inputs_changed_while_it_ran(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    fx_import_monaco_communities(ctx, store);
    /* Monaco's communities imported again by another connection. */
    fx_lock_probe p = {store->path, "SELECT count(*) FROM household", GG_LAYER_DIVISIONS,
                       fx_data("monaco/communities.gpkg"), 0, 0, 0, GG_ERR_INTERNAL};
    gg_ctx_set_progress(ctx, fx_lock_probe_progress, &p);
    const char *hh_maps[] = {"id=hh_id", "count=households", NULL};
    gg_import_report *r = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), NULL, hh_maps, 0, &r),
              GG_ERR_STORE);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "household, division changed while the import ran");
    CHECK_INT(p.reimported, GG_OK);
    CHECK_INT(r->imported, 0);
    gg_import_report_free(ctx, r);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 0);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM sqlite_temp_master"), 0);
    gg_ctx_set_progress(ctx, NULL, NULL);
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), NULL, hh_maps, 0, NULL),
              GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household"), 6086);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM household WHERE community IS NULL"), 0);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_SUITE(import_suite, T(numeric_codes_and_ids_are_kept_exactly), T(threaded_import_gives_the_same_project), T(monaco_layers_import_with_their_counts), T(beijing_code_table_then_communities),
          T(reimport_replaces_and_append_refuses_duplicates), T(divisions_imported_later_assign_households),
          T(projected_sources_are_reprojected), T(osm_pbf_roads_import_directly),
          T(workers_roles_in_english_and_chinese), T(dept_grids_are_replaced_per_department),
          T(grids_become_plans_keeping_their_codes), T(grids_are_counted_only_where_household_points_tell),
          T(skip_invalid_imports_the_rest_and_lists_the_rejected),
          T(gbk_shapefile_with_a_bow_tie), T(import_leaves_the_write_lock_free_while_it_reads),
          T(import_refuses_inputs_changed_while_it_ran))
