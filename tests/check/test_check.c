/* The plan checker: a hand-drawn plan with planted faults (the CLI's
 * fixture) found fault by fault, the GeoPackage reopened with OGR, a
 * partition of the sample found clean, every allocation failure a status. */
#include "harness.h"
#include "failing_alloc.h"
#include "io/fixtures.h"

#include <gdal.h>
#include <math.h>
#include <ogr_api.h>
#include <stdio.h>
#include <string.h>

#define FAULTS GG_TEST_CLI_DATA "/"

static gg_store *faults_project(gg_ctx *ctx)
{
    gg_store *store = fx_project(ctx, "faults.sqlite");
    static const struct {
        const char *layer, *file;
    } steps[] = {{"divisions", "faults_communities.csv"},
                 {"households", "faults_households.csv"},
                 {"grids", "faults_grids.csv"}};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        gg_layer layer;
        CHECK_INT(gg_layer_from_name(ctx, steps[i].layer, &layer), GG_OK);
        char path[1024];
        snprintf(path, sizeof path, "%s%s", FAULTS, steps[i].file);
        CHECK_INT(fx_import(ctx, store, layer, path, NULL, NULL, 0, NULL), GG_OK);
    }
    return store;
}

static const gg_check_problem *find(const gg_check_report *r, gg_check_kind kind, const char *code)
{
    for (size_t i = 0; i < r->n_problems; i++)
        if (r->problems[i].kind == kind && strcmp(r->problems[i].code, code) == 0)
            return &r->problems[i];
    return NULL;
}

static void planted_faults_are_found(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = faults_project(ctx);
    gg_check_options o;
    gg_check_options_init(&o);
    gg_check_report *r = NULL;
    CHECK_INT(gg_plan_check(ctx, store, &o, &r), GG_OK);
    if (r == NULL)
        return;
    const gg_check_problem *p = find(r, GG_CHECK_SPIKE, "1101080010011001");
    CHECK(p != NULL && p->error && fabs(p->lon - 116.004) < 1e-9 && fabs(p->lat - 40.005) < 1e-9);
    p = find(r, GG_CHECK_OVERLAP, "1101080010011001");
    CHECK(p != NULL && strcmp(p->other, "1101080010011003") == 0 && p->area_m2 > 4000 && p->area_m2 < 5500);
    CHECK(find(r, GG_CHECK_OVERLAP, "1101080010011002") != NULL);
    p = find(r, GG_CHECK_OUTSIDE, "1101080010011004");
    CHECK(p != NULL && p->area_m2 > 15000 && p->area_m2 < 22000);
    CHECK_INT(r->by_kind[GG_CHECK_GAP], 2);
    p = find(r, GG_CHECK_HOUSEHOLDS, "1101080010011002");
    CHECK(p != NULL && p->value == 999 && p->expected == 50);
    CHECK(find(r, GG_CHECK_HOUSEHOLDS, "1101080010011001") == NULL); /* counted at import: 100 */
    CHECK_INT(r->by_kind[GG_CHECK_HOUSEHOLD_OUTSIDE], 1);
    CHECK(find(r, GG_CHECK_NOT_CONTIGUOUS, "1101080010021001") != NULL);
    CHECK_INT(r->by_kind[GG_CHECK_INVALID] + r->by_kind[GG_CHECK_INVALID_PROJECTED], 0);
    CHECK_INT(r->errors, 14);
    /* The GeoPackage, reopened with OGR: the areas and the points. */
    char path[1024];
    snprintf(path, sizeof path, "%s", gg_test_path("problems.gpkg"));
    CHECK_INT(gg_check_write_gpkg(ctx, r, path, 0), GG_OK);
    CHECK_INT(gg_check_write_gpkg(ctx, r, path, 0), GG_ERR_EXISTS);
    GDALDatasetH ds = GDALOpenEx(path, GDAL_OF_VECTOR, NULL, NULL, NULL);
    CHECK(ds != NULL);
    if (ds != NULL) {
        OGRLayerH areas = GDALDatasetGetLayerByName(ds, "problem_areas");
        OGRLayerH points = GDALDatasetGetLayerByName(ds, "problem_points");
        CHECK(areas != NULL && points != NULL);
        if (areas != NULL && points != NULL) {
            CHECK_INT(OGR_L_GetFeatureCount(areas, 1), 5); /* 2 gaps, 2 overlaps, 1 outside */
            CHECK_INT(OGR_L_GetFeatureCount(points, 1), (long long)r->n_problems - 5);
            OGR_L_SetAttributeFilter(areas, "kind = 'outside_community' AND code = '1101080010011004'");
            OGRFeatureH f = OGR_L_GetNextFeature(areas);
            CHECK(f != NULL);
            if (f != NULL) {
                OGRGeometryH g = OGR_F_GetGeometryRef(f);
                OGREnvelope e;
                OGR_G_GetEnvelope(g, &e);
                CHECK(fabs(e.MinX - 116.01) < 1e-9 && fabs(e.MaxX - 116.012) < 1e-9);
                OGR_F_Destroy(f);
            }
        }
        GDALClose(ds);
    }
    gg_check_report_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static void sample_partition_is_clean(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_sample_project(ctx, "beijing-haidian-cau", "beijing.sqlite");
    gg_partition_options po;
    gg_partition_options_init(&po);
    gg_partition_report *pr = NULL;
    CHECK_INT(gg_partition(ctx, store, &po, &pr), GG_OK);
    gg_partition_report_free(ctx, pr);
    gg_check_options o;
    gg_check_options_init(&o);
    gg_check_report *r = NULL;
    CHECK_INT(gg_plan_check(ctx, store, &o, &r), GG_OK);
    CHECK_INT(r->errors, 0);
    CHECK_INT(r->household_points, 113);
    gg_check_report_free(ctx, r);
    gg_store_close(store);
    gg_ctx_free(ctx);
    /* Every allocation failure is a status, or one the library recovers
     * from (the locator gives back the slack of its leaves with a realloc
     * that may fail harmlessly) with the very same report; and nothing
     * leaks. */
    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    long total = 0;
    size_t base_problems = 0;
    int64_t base_points = 0;
    for (long k = 0;; k += k < 40 ? 1 : 13) {
        state = (failing_alloc){0, k, 0};
        gg_ctx *fctx = NULL;
        if (gg_ctx_new_with_allocator(&alloc, &fctx) != GG_OK) {
            CHECK_INT(state.live, 0);
            continue;
        }
        gg_store *s = NULL;
        gg_check_report *fr = NULL;
        gg_status st = gg_store_open(fctx, gg_test_path("beijing.sqlite"), 0, &s);
        if (st == GG_OK)
            st = gg_plan_check(fctx, s, &o, &fr);
        int same = fr != NULL && fr->n_problems == base_problems && fr->household_points == base_points &&
                   fr->errors == 0;
        if (k == 0 && fr != NULL) {
            base_problems = fr->n_problems;
            base_points = fr->household_points;
        }
        gg_check_report_free(fctx, fr);
        gg_store_close(s);
        gg_ctx_free(fctx);
        CHECK_INT(state.live, 0);
        if (k == 0) {
            CHECK_INT(st, GG_OK);
            total = state.calls;
            continue;
        }
        if (k > total || state.live != 0)
            break;
        if (st == GG_OK && state.calls >= k && !same)
            gg_test_fail(__FILE__, __LINE__, "allocation %ld failed and the check said GG_OK with another report", k);
    }
    CHECK(total > 100);
}

TEST_LIST(T(planted_faults_are_found), T(sample_partition_is_clean))
