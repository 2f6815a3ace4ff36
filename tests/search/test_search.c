/* The place index: codes, trailing digits, Chinese substrings, addresses,
 * roads, units, coordinates in each system, ranking and the arguments. */
#include "govgrid/govgrid.h"
#include "harness.h"
#include "io/fixtures.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CLI_DATA GG_TEST_CLI_DATA "/"

typedef struct places {
    gg_ctx *ctx;
    gg_store *store;
    gg_locator *loc;
    gg_search *search;
} places;

/* The golden service's second project: a community of four named grids
 * (tests/cli/data/places_*.csv) with roads, units and households. */
static int places_open(places *p)
{
    memset(p, 0, sizeof *p);
    p->ctx = fx_ctx();
    p->store = fx_project(p->ctx, "places.sqlite");
    static const struct {
        gg_layer layer;
        const char *file;
    } layers[] = {{GG_LAYER_DIVISIONS, "places_divisions.csv"}, {GG_LAYER_ROADS, "places_roads.csv"},
                  {GG_LAYER_UNITS, "places_units.csv"},         {GG_LAYER_HOUSEHOLDS, "places_households.csv"},
                  {GG_LAYER_GRIDS, "places_grids.csv"},         {GG_LAYER_WORKERS, "square_workers.csv"}};
    for (size_t i = 0; i < sizeof layers / sizeof layers[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, CLI_DATA "%s", layers[i].file);
        gg_status st = fx_import(p->ctx, p->store, layers[i].layer, path, NULL, NULL, 0, NULL);
        CHECK_INT(st, GG_OK);
        if (st != GG_OK)
            return 0;
    }
    CHECK_INT(gg_locator_new(p->ctx, p->store, NULL, &p->loc), GG_OK);
    CHECK_INT(gg_search_new(p->ctx, p->store, p->loc, &p->search), GG_OK);
    return p->search != NULL;
}

static void places_close(places *p)
{
    gg_search_free(p->search);
    gg_locator_free(p->loc);
    gg_store_close(p->store);
    gg_ctx_free(p->ctx);
}

static size_t find(places *p, const char *q, gg_coord_system crs, const double *bbox, gg_search_result *r, size_t max)
{
    size_t n = 0;
    gg_status st = gg_search_query(p->ctx, p->search, q, crs, bbox, max, r, &n);
    if (st != GG_OK)
        gg_test_fail(__FILE__, __LINE__, "query '%s': %s", q, gg_ctx_errmsg(p->ctx));
    return n;
}

static const char *grid_of(places *p, const gg_search_result *r)
{
    const gg_located_grid *g = r->grid >= 0 ? gg_locator_grid(p->loc, r->grid) : NULL;
    return g ? g->code : "(none)";
}

static void indexes_every_layer(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    /* 4 grids, 3 divisions, 2 units, 2 road names (4 rows, one unnamed,
     * two of one name), 3 distinct addresses (4 households) */
    CHECK_INT(gg_search_entries(p.search), 4 + 3 + 2 + 2 + 3);
    places_close(&p);
}

static void codes_full_and_trailing(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    gg_search_result r[10];
    size_t n = find(&p, "1101080010014001", GG_COORD_WGS84, NULL, r, 10);
    CHECK_INT(n, 1);
    CHECK_INT(r[0].kind, GG_SEARCH_GRID);
    CHECK_STR(r[0].name, "翠微小学专属网格");
    CHECK_STR(grid_of(&p, &r[0]), "1101080010014001");
    CHECK(r[0].has_bbox);
    CHECK_NEAR(r[0].bbox[0], 116.01, 1e-9);
    CHECK_NEAR(r[0].bbox[3], 40.02, 1e-9);
    /* The last four digits, as people say them: that grid first, though
     * "1001" is inside other codes too. */
    n = find(&p, "1002", GG_COORD_WGS84, NULL, r, 10);
    CHECK(n >= 1);
    CHECK_STR(r[0].code, "1101080010011002");
    n = find(&p, "4001", GG_COORD_WGS84, NULL, r, 10);
    CHECK(n >= 1);
    CHECK_STR(r[0].code, "1101080010014001");
    /* A division code, exact, before the grids it begins. */
    n = find(&p, "110108001001", GG_COORD_WGS84, NULL, r, 10);
    CHECK(n >= 5);
    CHECK_INT(r[0].kind, GG_SEARCH_COMMUNITY);
    CHECK_STR(r[0].name, "翠微路社区");
    places_close(&p);
}

static void chinese_substrings(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    gg_search_result r[20];
    /* Three characters: the trigram index; an exact name first. */
    size_t n = find(&p, "翠微路", GG_COORD_WGS84, NULL, r, 20);
    CHECK(n >= 3);
    CHECK_INT(r[0].kind, GG_SEARCH_ROAD);
    CHECK_STR(r[0].name, "翠微路");
    CHECK_NEAR(r[0].lon, 116.005, 1e-9); /* the middle of the line */
    CHECK_NEAR(r[0].lat, 40.01, 1e-9);
    int community = 0, address = 0;
    for (size_t i = 0; i < n; i++) {
        community |= r[i].kind == GG_SEARCH_COMMUNITY && strcmp(r[i].name, "翠微路社区") == 0;
        address |= r[i].kind == GG_SEARCH_ADDRESS && strcmp(r[i].name, "翠微路2号院1号楼") == 0;
    }
    CHECK(community);
    CHECK(address);
    /* A substring in the middle of a name. */
    n = find(&p, "小学", GG_COORD_WGS84, NULL, r, 20);
    CHECK_INT(n, 2); /* two characters: the short path */
    CHECK_INT(r[0].kind, GG_SEARCH_GRID);
    CHECK_INT(r[1].kind, GG_SEARCH_POI);
    CHECK_STR(r[1].name, "翠微小学");
    CHECK_STR(grid_of(&p, &r[1]), "1101080010014001");
    n = find(&p, "东二网", GG_COORD_WGS84, NULL, r, 20);
    CHECK_INT(n, 1);
    CHECK_STR(r[0].code, "1101080010011002");
    /* Township and county by name. */
    n = find(&p, "万寿路街道", GG_COORD_WGS84, NULL, r, 20);
    CHECK_INT(n, 1);
    CHECK_INT(r[0].kind, GG_SEARCH_TOWNSHIP);
    n = find(&p, "海淀", GG_COORD_WGS84, NULL, r, 20);
    CHECK_INT(n, 1);
    CHECK_INT(r[0].kind, GG_SEARCH_COUNTY);
    CHECK(isnan(r[0].lon)); /* a county without geometry */
    CHECK_INT(r[0].grid, -1);
    /* Nothing: no answers, no error. */
    n = find(&p, "不存在的地方", GG_COORD_WGS84, NULL, r, 20);
    CHECK_INT(n, 0);
    places_close(&p);
}

static void addresses_once_each(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    gg_search_result r[10];
    size_t n = find(&p, "2号院1号楼", GG_COORD_WGS84, NULL, r, 10);
    CHECK_INT(n, 1); /* two households, one address */
    CHECK_INT(r[0].kind, GG_SEARCH_ADDRESS);
    CHECK_NEAR(r[0].lon, 116.004, 1e-9);
    CHECK(!r[0].has_bbox);
    CHECK_STR(grid_of(&p, &r[0]), "1101080010011001");
    /* One or two characters search names and codes, not addresses. */
    n = find(&p, "院1", GG_COORD_WGS84, NULL, r, 10);
    CHECK_INT(n, 0);
    n = find(&p, "院1号", GG_COORD_WGS84, NULL, r, 10);
    CHECK_INT(n, 1);
    n = find(&p, "甲22号", GG_COORD_WGS84, NULL, r, 10);
    CHECK_INT(n, 1);
    CHECK_STR(grid_of(&p, &r[0]), "1101080010011003");
    places_close(&p);
}

static void ranking_by_view(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    gg_search_result r[10];
    /* Both 东一 and 东二 grids begin with 翠微东; the one in view first. */
    double east[4] = {116.011, 40.001, 116.019, 40.009};
    size_t n = find(&p, "翠微东", GG_COORD_WGS84, east, r, 10);
    CHECK_INT(n, 2);
    CHECK_STR(r[0].code, "1101080010011002");
    double west[4] = {116.001, 40.001, 116.009, 40.009};
    n = find(&p, "翠微东", GG_COORD_WGS84, west, r, 10);
    CHECK_INT(n, 2);
    CHECK_STR(r[0].code, "1101080010011001");
    /* limit */
    n = find(&p, "翠微", GG_COORD_WGS84, NULL, r, 2);
    CHECK_INT(n, 2);
    places_close(&p);
}

static void coordinates_in_each_system(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    gg_search_result r[5];
    /* A point in the south-east grid, written every way a user might. */
    const double lon = 116.0153, lat = 40.0047;
    double glon, glat, blon, blat;
    gg_wgs84_to_gcj02(lon, lat, &glon, &glat);
    gg_wgs84_to_bd09(lon, lat, &blon, &blat);
    char texts[8][128];
    gg_coord_system crs[8];
    int k = 0;
    snprintf(texts[k], 128, "%.7f,%.7f", lon, lat), crs[k++] = GG_COORD_WGS84;
    snprintf(texts[k], 128, "%.7f, %.7f", lat, lon), crs[k++] = GG_COORD_WGS84;      /* lat,lon */
    snprintf(texts[k], 128, "%.7f %.7f", lon, lat), crs[k++] = GG_COORD_WGS84;       /* a space */
    snprintf(texts[k], 128, "%.7f，%.7f", lon, lat), crs[k++] = GG_COORD_WGS84;      /* a full-width comma */
    snprintf(texts[k], 128, "gcj02:%.7f,%.7f", glon, glat), crs[k++] = GG_COORD_WGS84;
    snprintf(texts[k], 128, "%.7f,%.7f", glon, glat), crs[k++] = GG_COORD_GCJ02;     /* by the parameter */
    snprintf(texts[k], 128, "BD09: %.7f,%.7f", blon, blat), crs[k++] = GG_COORD_WGS84;
    snprintf(texts[k], 128, "%.7f,%.7f", blat, blon), crs[k++] = GG_COORD_BD09;      /* lat,lon in BD-09 */
    for (int i = 0; i < k; i++) {
        size_t n = find(&p, texts[i], crs[i], NULL, r, 5);
        CHECK_INT(n, 1);
        if (n != 1)
            continue;
        CHECK_INT(r[0].kind, GG_SEARCH_COORDINATE);
        CHECK_NEAR(r[0].lon, lon, 2e-6);
        CHECK_NEAR(r[0].lat, lat, 2e-6);
        if (strcmp(grid_of(&p, &r[0]), "1101080010011002") != 0)
            gg_test_fail(__FILE__, __LINE__, "'%s' landed in %s", texts[i], grid_of(&p, &r[0]));
    }
    /* The GCJ-02 offset is hundreds of metres here: read as WGS 84 the
     * same numbers are elsewhere. */
    char plain[128];
    snprintf(plain, sizeof plain, "%.7f,%.7f", glon, glat);
    CHECK_INT(find(&p, plain, GG_COORD_WGS84, NULL, r, 5), 1);
    CHECK(fabs(r[0].lon - lon) > 1e-3 || fabs(r[0].lat - lat) > 1e-3);
    /* Not points: one number, out of range, trailing text. */
    double x, y;
    CHECK(!gg_search_parse_point("1001", GG_COORD_WGS84, &x, &y));
    CHECK(!gg_search_parse_point("200,100", GG_COORD_WGS84, &x, &y));
    CHECK(!gg_search_parse_point("116.1,40.1 road", GG_COORD_WGS84, &x, &y));
    CHECK(!gg_search_parse_point("116.1,", GG_COORD_WGS84, &x, &y));
    CHECK(gg_search_parse_point(" 116.1 , 40.1 ", GG_COORD_WGS84, &x, &y));
    CHECK_NEAR(x, 116.1, 1e-12);
    /* A point in no grid has none. */
    CHECK_INT(find(&p, "100,30", GG_COORD_WGS84, NULL, r, 5), 1);
    CHECK_INT(r[0].grid, -1);
    places_close(&p);
}

static void bad_arguments(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    gg_search_result r[GG_SEARCH_MAX_RESULTS];
    size_t n = 9;
    CHECK_INT(gg_search_query(p.ctx, p.search, "   ", GG_COORD_WGS84, NULL, 10, r, &n), GG_ERR_ARG);
    CHECK_INT(n, 0);
    CHECK_INT(gg_search_query(p.ctx, p.search, "\xff\xfe", GG_COORD_WGS84, NULL, 10, r, &n), GG_ERR_ARG);
    CHECK_INT(gg_search_query(p.ctx, p.search, "a\tb", GG_COORD_WGS84, NULL, 10, r, &n), GG_ERR_ARG);
    CHECK_INT(gg_search_query(p.ctx, p.search, "翠微", GG_COORD_WGS84, NULL, 0, r, &n), GG_ERR_ARG);
    CHECK_INT(gg_search_query(p.ctx, p.search, "翠微", GG_COORD_WGS84, NULL, GG_SEARCH_MAX_RESULTS + 1, r, &n),
              GG_ERR_ARG);
    char longq[GG_SEARCH_MAX_QUERY + 2];
    memset(longq, 'a', sizeof longq - 1);
    longq[sizeof longq - 1] = '\0';
    CHECK_INT(gg_search_query(p.ctx, p.search, longq, GG_COORD_WGS84, NULL, 10, r, &n), GG_ERR_ARG);
    /* FTS5 syntax in the text is text. */
    CHECK_INT(gg_search_query(p.ctx, p.search, "\"翠微 OR * NEAR(", GG_COORD_WGS84, NULL, 10, r, &n), GG_OK);
    CHECK_INT(n, 0);
    places_close(&p);
}

typedef struct query_job {
    places *p;
    gg_ctx *ctx;
    int ok;
} query_job;

static void *query_main(void *arg)
{
    query_job *job = arg;
    gg_search_result r[10];
    job->ok = 1;
    for (int i = 0; i < 200; i++) {
        size_t n = 0;
        if (gg_search_query(job->ctx, job->p->search, i % 2 ? "翠微路" : "1002", GG_COORD_WGS84, NULL, 10, r, &n) !=
                GG_OK ||
            n == 0)
            job->ok = 0;
    }
    return NULL;
}

static void queries_from_threads(void)
{
    places p;
    if (!places_open(&p)) {
        places_close(&p);
        return;
    }
    query_job jobs[4];
    pthread_t threads[4];
    for (int i = 0; i < 4; i++) {
        jobs[i].p = &p;
        CHECK_INT(gg_ctx_new(&jobs[i].ctx), GG_OK);
        pthread_create(&threads[i], NULL, query_main, &jobs[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(jobs[i].ok);
        gg_ctx_free(jobs[i].ctx);
    }
    places_close(&p);
}

TEST_LIST(T(indexes_every_layer), T(codes_full_and_trailing), T(chinese_substrings), T(addresses_once_each),
          T(ranking_by_view), T(coordinates_in_each_system), T(bad_arguments), T(queries_from_threads))
