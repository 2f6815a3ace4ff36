/* Bad input: each case fails with a message naming the file, layer and
 * feature (or line), and leaves the project byte-for-byte as it was. */
#include "harness.h"
#include "io/fixtures.h"

#include <stdio.h>

/* Runs one import against a project holding Monaco's communities and
 * checks the status, the message and that the file did not change. */
static void expect_failure(gg_layer layer, const char *source, const gg_import_options *opts,
                           gg_status expected, const char *text)
{
    static int serial;
    char name[64], copy_name[64];
    snprintf(name, sizeof name, "project%d.sqlite", serial);
    snprintf(copy_name, sizeof copy_name, "before%d.sqlite", serial++);
    gg_ctx *ctx = fx_ctx();
    const char *path = gg_test_path(name), *copy = gg_test_path(copy_name);
    gg_store *store = NULL;
    CHECK_INT(gg_store_create(ctx, path, &store), GG_OK);
    fx_import_monaco_communities(ctx, store);
    gg_store_close(store);
    CHECK(gg_test_copy_file(path, copy));
    CHECK_INT(gg_store_open(ctx, path, 1, &store), GG_OK);
    gg_import_options defaults;
    gg_import_options_init(&defaults);
    gg_import_report *r = NULL;
    gg_status st = gg_import(ctx, store, layer, source, opts ? opts : &defaults, &r);
    CHECK_INT(st, expected);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), text);
    if (r != NULL)
        CHECK_INT(r->imported, 0);
    gg_import_report_free(ctx, r);
    gg_store_close(store);
    CHECK(gg_test_same_file(path, copy));
    gg_ctx_free(ctx);
}

static const char *write_text(const char *name, const char *text)
{
    const char *path = gg_test_path(name);
    gg_test_write_file(path, text);
    return path;
}

static void truncated_geopackage(void)
{
    /* Cut at several lengths: some fail to open, others while reading. */
    const char *src = fx_data("monaco/households.gpkg");
    FILE *in = fopen(src, "rb");
    CHECK(in != NULL);
    if (in == NULL)
        return;
    static char data[2 << 20];
    size_t n = fread(data, 1, sizeof data, in);
    fclose(in);
    const double cuts[] = {0.01, 0.3, 0.6, 0.95};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        const char *path = gg_test_path("truncated.gpkg");
        FILE *out = fopen(path, "wb");
        fwrite(data, 1, (size_t)((double)n * cuts[i]), out);
        fclose(out);
        gg_binding maps[] = {{"id", "hh_id"}, {"count", "households"}};
        gg_import_options opts;
        gg_import_options_init(&opts);
        opts.maps = maps;
        opts.n_maps = 2;
        gg_ctx *ctx = fx_ctx();
        char name[64];
        snprintf(name, sizeof name, "p%zu.sqlite", i);
        gg_store *store = fx_project(ctx, name);
        gg_store_close(store);
        char copy[1200];
        snprintf(copy, sizeof copy, "%s.copy", gg_test_path(name));
        gg_test_copy_file(gg_test_path(name), copy);
        CHECK_INT(gg_store_open(ctx, gg_test_path(name), 1, &store), GG_OK);
        gg_import_report *r = NULL;
        gg_status st = gg_import(ctx, store, GG_LAYER_HOUSEHOLDS, path, &opts, &r);
        CHECK(st == GG_ERR_FORMAT || st == GG_ERR_NOT_FOUND);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), "truncated.gpkg");
        gg_import_report_free(ctx, r);
        gg_store_close(store);
        CHECK(gg_test_same_file(gg_test_path(name), copy));
        gg_ctx_free(ctx);
    }
}

static void gbk_text_without_its_encoding(void)
{
    expect_failure(GG_LAYER_DIVISIONS, fx_gbk_bowtie_shapefile(), NULL, GG_ERR_INVALID_INPUT,
                   "bowtie.shp: layer 'bowtie': feature 0 (id '980100001901'): name is not valid "
                   "UTF-8 text (give the source's encoding with --encoding");
}

static void geojson_nan_and_huge_coordinates(void)
{
    const char *nan = write_text("nan.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"ok\",\"count\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[7.42,43.74]}},"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"n1\",\"count\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[NaN,43.74]}}]}");
    expect_failure(GG_LAYER_HOUSEHOLDS, nan, NULL, GG_ERR_INVALID_INPUT,
                   "nan.geojson: layer 'nan': feature 1 (id 'n1'): coordinate (nan, 43.74) is not a finite number");
    const char *huge = write_text("huge.geojson",
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"h1\",\"count\":1},\"geometry\":{\"type\":\"Point\",\"coordinates\":[1e308,43.74]}},"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"h2\",\"count\":1},\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[7.4,43.7],[7.5,1e308],[7.5,43.7],[7.4,43.7]]]}}]}");
    expect_failure(GG_LAYER_HOUSEHOLDS, huge, NULL, GG_ERR_INVALID_INPUT,
                   "huge.geojson: layer 'huge': feature 0 (id 'h1'): longitude 1e+308 is out of range [-180, 180] (and 1 more");
    expect_failure(GG_LAYER_UNITS, huge, NULL, GG_ERR_NOT_FOUND, "no field for 'kind'");
}

static void csv_missing_its_latitude_column(void)
{
    expect_failure(GG_LAYER_HOUSEHOLDS, write_text("nolat.csv", "id,lon,count\nh1,7.42,3\n"), NULL,
                   GG_ERR_FORMAT, "nolat.csv: found longitude column 'lon' but no latitude column");
}

static void latitude_and_longitude_swapped(void)
{
    /* Beijing swapped: latitude 116 is impossible. */
    expect_failure(GG_LAYER_HOUSEHOLDS,
                   write_text("swapped-bj.csv", "id,lon,lat,count\nh1,40.0021,116.3512,1\nh2,40.0011,116.3502,1\n"),
                   NULL, GG_ERR_CRS, "Are longitude and latitude swapped?");
    /* Monaco swapped: plausible numbers, but far from every community. */
    expect_failure(GG_LAYER_HOUSEHOLDS,
                   write_text("swapped-mc.csv", "id,lon,lat,count\nh1,43.7384,7.4246,1\nh2,43.7390,7.4250,1\n"),
                   NULL, GG_ERR_CRS, "would lie inside with longitude and latitude swapped");
    /* A declared lon/lat CRS with latitude out of range, feature by feature. */
    expect_failure(GG_LAYER_HOUSEHOLDS,
                   write_text("swapped.geojson",
                              "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\","
                              "\"properties\":{\"id\":\"s1\",\"count\":1},\"geometry\":{\"type\":\"Point\","
                              "\"coordinates\":[40.0021,116.3512]}}]}"),
                   NULL, GG_ERR_INVALID_INPUT,
                   "feature 0 (id 's1'): latitude 116.3512 is out of range [-90, 90] (are longitude and latitude swapped?)");
}

static void duplicate_ids_name_both_lines(void)
{
    expect_failure(GG_LAYER_HOUSEHOLDS,
                   write_text("dup.csv", "id,lon,lat,count\nh1,7.42,43.74,3\nh2,7.42,43.74,3\nh1,7.421,43.741,2\n"),
                   NULL, GG_ERR_INVALID_INPUT, "dup.csv: line 4 (id 'h1'): duplicate id 'h1': line 2 has it already");
}

static void mapped_field_that_does_not_exist(void)
{
    gg_binding maps[] = {{"count", "hh_count"}};
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.maps = maps;
    opts.n_maps = 1;
    expect_failure(GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), &opts, GG_ERR_NOT_FOUND,
                   "households.gpkg: layer 'households': no field 'hh_count' to map to 'count' (fields: hh_id, building_id");
    gg_binding bad_target[] = {{"households", "households"}};
    opts.maps = bad_target;
    expect_failure(GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), &opts, GG_ERR_ARG,
                   "--map households=households: layer 'households' has no field 'households' (its fields: id, count, persons, address)");
}

static void values_and_geometry_that_do_not_fit(void)
{
    expect_failure(GG_LAYER_HOUSEHOLDS, write_text("count.csv", "id,lon,lat,count\nh1,7.42,43.74,12.5\n"),
                   NULL, GG_ERR_INVALID_INPUT, "line 2 (id 'h1'): count '12.5' is not a whole number");
    expect_failure(GG_LAYER_HOUSEHOLDS,
                   write_text("line.geojson",
                              "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                              "{\"id\":\"l1\",\"count\":1},\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[7.42,43.74],[7.43,43.75]]}}]}"),
                   NULL, GG_ERR_INVALID_INPUT, "feature 0 (id 'l1'): geometry is a Line String; expected Point");
    expect_failure(GG_LAYER_DIVISIONS,
                   write_text("empty.csv", "code,wkt\n980100001999,POLYGON EMPTY\n"),
                   NULL, GG_ERR_INVALID_INPUT, "line 2 (id '980100001999'): geometry is empty");
    expect_failure(GG_LAYER_DIVISIONS,
                   write_text("nullgeom.geojson",
                              "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                              "{\"code\":\"980100001999\"},\"geometry\":null}]}"),
                   NULL, GG_ERR_INVALID_INPUT, "feature 0 (id '980100001999'): community 980100001999 has no geometry");
    expect_failure(GG_LAYER_HOUSEHOLDS,
                   write_text("nullpoint.geojson",
                              "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"properties\":"
                              "{\"id\":\"h0\",\"count\":1},\"geometry\":null}]}"),
                   NULL, GG_ERR_INVALID_INPUT, "feature 0 (id 'h0'): geometry is missing");
    expect_failure(GG_LAYER_DIVISIONS,
                   write_text("codes.csv", "code,name,urban_rural\n98010000100A,x,111\n110108,海淀区,\n110108001001,y,999\n"),
                   NULL, GG_ERR_INVALID_INPUT, "line 2 (id '98010000100A'): division code '98010000100A' is not 6, 9 or 12 digits (and 1 more");
    expect_failure(GG_LAYER_DIVISIONS, write_text("nogeom.csv", "code,name\n110108001001,某社区\n"), NULL,
                   GG_ERR_INVALID_INPUT, "line 2 (id '110108001001'): community 110108001001 has no geometry");
    expect_failure(GG_LAYER_DIVISIONS, write_text("class.csv", "code,urban_rural\n110108001,301\n"), NULL,
                   GG_ERR_INVALID_INPUT, "urban_rural '301' is not one of 111, 112, 121, 122, 123, 210, 220");
}

static void sources_that_cannot_be_read_as_asked(void)
{
    expect_failure(GG_LAYER_HOUSEHOLDS, gg_test_path("missing.gpkg"), NULL, GG_ERR_IO,
                   "missing.gpkg: No such file or directory");
    expect_failure(GG_LAYER_HOUSEHOLDS, write_text("junk.gpkg", "not a geopackage at all"), NULL,
                   GG_ERR_FORMAT, "junk.gpkg: not a GeoPackage (its content is plain text)");
    expect_failure(GG_LAYER_WATERWAYS, fx_data("monaco/waterways.gpkg"), NULL, GG_ERR_ARG,
                   "waterways.gpkg: 2 layers (waterway_lines, water_areas): choose one with --src-layer");
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.src_layer = "streets";
    expect_failure(GG_LAYER_ROADS, fx_data("monaco/roads.gpkg"), &opts, GG_ERR_NOT_FOUND,
                   "roads.gpkg: no layer 'streets' (layers: roads, railways)");
    expect_failure(GG_LAYER_HOUSEHOLDS, write_text("metres.csv", "id,x,y\nh1,500123,4429001\n"), NULL,
                   GG_ERR_CRS, "declares no CRS, and its coordinates (x 500123..500123, y 4.429e+06..4.429e+06) are not longitude/latitude");
    opts.src_layer = NULL;
    opts.where = "households >>> 3";
    expect_failure(GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), &opts, GG_ERR_ARG,
                   "--where 'households >>> 3'");
    opts.where = NULL;
    opts.source_crs = "EPSG:123456789";
    expect_failure(GG_LAYER_HOUSEHOLDS, fx_data("monaco/households.gpkg"), &opts, GG_ERR_CRS,
                   "--s-srs 'EPSG:123456789'");
}

TEST_SUITE(import_bad_suite, T(truncated_geopackage), T(gbk_text_without_its_encoding),
           T(geojson_nan_and_huge_coordinates), T(csv_missing_its_latitude_column),
           T(latitude_and_longitude_swapped), T(duplicate_ids_name_both_lines),
           T(mapped_field_that_does_not_exist), T(values_and_geometry_that_do_not_fit),
           T(sources_that_cannot_be_read_as_asked))
