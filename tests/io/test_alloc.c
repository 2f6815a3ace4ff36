/* A failing allocator: every allocation failure anywhere in creating a
 * project, importing into it and summarising it returns a status and
 * leaks nothing (the sanitizer build checks the leaks). */
#include "failing_alloc.h"
#include "harness.h"
#include "io/fixtures.h"

#include <stdlib.h>

/* Returns the status of the first step that failed, GG_OK if none. */
static gg_status scenario(gg_ctx *ctx, const char *project, const char *csv)
{
    gg_store *store = NULL;
    gg_status st = gg_store_create(ctx, project, &store);
    if (st != GG_OK)
        return st;
    gg_import_options opts;
    gg_import_options_init(&opts);
    opts.skip_invalid = 1;
    gg_import_report *r = NULL;
    st = gg_import(ctx, store, GG_LAYER_DIVISIONS, fx_data("beijing-haidian-cau/communities.gpkg"), &opts, &r);
    gg_import_report_free(ctx, r);
    if (st == GG_OK) {
        st = gg_import(ctx, store, GG_LAYER_HOUSEHOLDS, csv, &opts, &r);
        gg_import_report_free(ctx, r);
    }
    if (st == GG_OK) {
        gg_store_info *info = NULL;
        st = gg_store_info_get(ctx, store, &info);
        gg_store_info_free(ctx, info);
    }
    gg_store_close(store);
    return st;
}

static void every_allocation_failure_is_a_status(void)
{
    const char *csv = gg_test_path("h.csv");
    gg_test_write_file(csv, "id,lon,lat,count,address\n"
                            "a,116.3490,40.0020,12,一号楼\n"
                            "b,116.3491,40.0021,x,二号楼\n"
                            "c,0.5,0.5,3,\n"
                            "a,116.3492,40.0022,1,\n");
    failing_alloc state = {0, 0, 0};
    gg_allocator alloc = failing_alloc_make(&state);
    long total = 0;
    {
        gg_ctx *ctx = NULL;
        CHECK_INT(gg_ctx_new_with_allocator(&alloc, &ctx), GG_OK);
        CHECK_INT(scenario(ctx, gg_test_path("ok.sqlite"), csv), GG_OK);
        gg_ctx_free(ctx);
        total = state.calls;
        CHECK_INT(state.live, 0);
    }
    CHECK(total > 20);
    int nomem_seen = 0;
    for (long k = 1; k <= total; k++) {
        state = (failing_alloc){0, k, 0};
        gg_ctx *ctx = NULL;
        gg_status st = gg_ctx_new_with_allocator(&alloc, &ctx);
        if (st == GG_OK) {
            char name[64];
            snprintf(name, sizeof name, "p%ld.sqlite", k);
            st = scenario(ctx, gg_test_path(name), csv);
            if (st != GG_OK && st != GG_ERR_NOMEM)
                gg_test_fail(__FILE__, __LINE__, "allocation %ld failing gave status %d: %s", k, st,
                             gg_ctx_errmsg(ctx));
            gg_ctx_free(ctx);
        } else {
            CHECK_INT(st, GG_ERR_NOMEM);
        }
        nomem_seen += st == GG_ERR_NOMEM;
        if (state.live != 0)
            gg_test_fail(__FILE__, __LINE__, "allocation %ld failing leaked %ld block(s)", k, state.live);
    }
    CHECK(nomem_seen > total / 2);
}

TEST_SUITE(alloc_suite, T(every_allocation_failure_is_a_status))
