/* Tests of the submission (src/incident/submit.c, catalogue.c): the
 * shipped catalogue, incidents located, routed and stored together. */
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "govgrid/govgrid.h"
#include "io/fixtures.h"
#include "store/store.h"

#define SQUARE(name) GG_TEST_DATA_DIR "/../tests/cli/data/" name




static void new_project_has_the_shipped_catalogue(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "p.sqlite");
    int64_t v = 0;
    CHECK_INT(gg_catalogue_current(ctx, store, &v), GG_OK);
    CHECK_INT(v, 0);
    CHECK_INT(gg_catalogue_load_shipped(ctx, store, &v), GG_OK);
    CHECK_INT(v, 1);
    CHECK(fx_scalar(store, "SELECT count(*) FROM catalogue WHERE version = 1") >= 30);
    char buf[128];
    CHECK_STR(fx_scalar_text(store, "SELECT reach_within || ' ' || handle_within FROM catalogue WHERE item_code = 'CG0101'",
                             buf, sizeof buf),
              "2h 7d");
    CHECK_INT(gg_catalogue_load_shipped(ctx, store, &v), GG_OK);
    CHECK_INT(v, 2);
    CHECK_INT(gg_catalogue_current(ctx, store, &v), GG_OK);
    CHECK_INT(v, 2);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

static gg_incident_input incident(const char *code, double lon, double lat, const char *description, const char *key)
{
    gg_incident_input in;
    memset(&in, 0, sizeof in);
    in.service_code = code;
    in.has_location = 1;
    in.lon = lon;
    in.lat = lat;
    in.description = description;
    in.api_key_name = "hotline";
    in.idempotency_key = key;
    in.retry_window = 86400;
    return in;
}

/* One call, one transaction: each incident stands or falls alone, a
 * resend inside the call is the earlier one, and when the transaction
 * cannot be had nothing is stored and no worker's turn is spent. */
static void incidents_are_committed_together(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "incidents.sqlite");
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, SQUARE("square_grids.csv"), NULL, NULL, 0, NULL), GG_OK);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WORKERS, SQUARE("square_workers.csv"), NULL, NULL, 0, NULL), GG_OK);
    int64_t version = 0;
    CHECK_INT(gg_catalogue_load_shipped(ctx, store, &version), GG_OK);
    gg_catalogue *cat = NULL;
    gg_locator *loc = NULL;
    gg_dispatcher *d = NULL;
    gg_locator_options lopts;
    gg_locator_options_init(&lopts);
    CHECK_INT(gg_catalogue_read(ctx, store, 0, &cat), GG_OK);
    CHECK_INT(gg_locator_new(ctx, store, &lopts, &loc), GG_OK);
    CHECK_INT(gg_dispatcher_new(ctx, loc, &d), GG_OK);
    CHECK_INT(gg_dispatcher_load_open(ctx, store, d), GG_OK);

    /* grid 1001 is 116.00-116.01 E, 40.00-40.01 N; F1 and F2 work it (a blocked
     * fire exit is the grid's to handle: it goes to one of them) */
    gg_incident_input in[5] = {
        incident("AQ0102", 116.005, 40.005, "fire exit blocked", "k1"),
        incident("AQ0102", 116.005, 40.005, "fire exit blocked", "k1"),       /* the same, sent again */
        incident("AQ0102", 116.005, 40.005, "another thing", "k1"),           /* the key reused */
        incident("NOPE", 116.005, 40.005, "no such service", NULL),
        incident("AQ0102", 116.004, 40.006, "second report", NULL),
    };
    gg_incident_receipt out[5];
    CHECK_INT(gg_incident_submit_many(ctx, store, cat, loc, d, in, 5, out), GG_OK);
    CHECK_INT(out[0].status, GG_OK);
    CHECK_INT(out[0].replayed, 0);
    CHECK_STR(out[0].grid_code, "1101080010011001");
    CHECK_STR(out[0].stage, "dispatched");
    CHECK_INT(out[1].status, GG_OK);
    CHECK_INT(out[1].replayed, 1);
    CHECK_STR(out[1].request_id, out[0].request_id);
    CHECK_INT(out[2].status, GG_ERR_EXISTS);
    CHECK_CONTAINS(out[2].message, "different request");
    CHECK_INT(out[3].status, GG_ERR_NOT_FOUND);
    CHECK_CONTAINS(out[3].message, "NOPE");
    CHECK_INT(out[4].status, GG_OK);
    CHECK_INT(out[4].replayed, 0);
    /* the fewest open: the second goes to the other worker */
    CHECK_STR(out[0].worker_id, "F1");
    CHECK_STR(out[4].worker_id, "F2");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident"), 2);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE request_id = CAST(id AS TEXT)"), 2);

    /* Another connection holds the write lock: the call fails whole. */
    gg_ctx *other_ctx = fx_ctx();
    gg_store *other = NULL;
    CHECK_INT(gg_store_open(other_ctx, store->path, 1, &other), GG_OK);
    CHECK_INT(gg_store_exec(other, "BEGIN IMMEDIATE"), GG_OK);
    sqlite3_busy_timeout(store->db, 50);
    gg_incident_input late[2] = {incident("AQ0102", 116.002, 40.002, "third report", NULL),
                                 incident("AQ0102", 116.012, 40.002, "in grid 1002", NULL)};
    gg_incident_receipt late_out[2];
    CHECK_INT(gg_incident_submit_many(ctx, store, cat, loc, d, late, 2, late_out), GG_ERR_BUSY);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "locked");
    gg_ctx_clear_error(ctx);
    CHECK_INT(late_out[0].status, GG_ERR_BUSY);
    CHECK_INT(late_out[1].status, GG_ERR_BUSY);
    CHECK_CONTAINS(late_out[0].message, "locked");
    CHECK_INT(gg_store_exec(other, "ROLLBACK"), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident"), 2);

    /* One that fails inside the transaction gives its worker's turn
     * back: F1 and F2 have one each, so the next in grid 1001 goes to F1,
     * first on the roster (had the failed one kept F1's turn, F2 would
     * take it). */
    CHECK_INT(gg_store_exec(store, "CREATE TEMP TRIGGER refuse_boom BEFORE INSERT ON incident"
                                   " WHEN NEW.description = 'boom' BEGIN SELECT RAISE(ABORT, 'refused by a trigger'); END"),
              GG_OK);
    gg_incident_input more[3] = {incident("AQ0102", 116.002, 40.002, "boom", NULL), late[0], late[1]};
    gg_incident_receipt more_out[3];
    CHECK_INT(gg_incident_submit_many(ctx, store, cat, loc, d, more, 3, more_out), GG_OK);
    CHECK_INT(more_out[0].status, GG_ERR_STORE);
    CHECK_CONTAINS(more_out[0].message, "refused by a trigger");
    CHECK_INT(more_out[1].status, GG_OK);
    CHECK_STR(more_out[1].worker_id, "F1");
    CHECK_STR(more_out[2].grid_code, "1101080010011002");
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident"), 4);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM incident WHERE description = 'boom'"), 0);

    gg_store_close(other);
    gg_ctx_free(other_ctx);
    gg_dispatcher_free(d);
    gg_locator_free(loc);
    gg_catalogue_free(cat);
    gg_store_close(store);
    gg_ctx_free(ctx);
}


/* Items routed to a level by its scope find it in three levels as in
 * four; the catalogue and the levels each refuse what would leave a route
 * with no level. */
static void routes_find_their_level(void)
{
    gg_ctx *ctx = fx_ctx();
    gg_store *store = fx_project(ctx, "levels.sqlite");
    CHECK_INT(fx_import(ctx, store, GG_LAYER_GRIDS, SQUARE("square_grids.csv"), NULL, NULL, 0, NULL), GG_OK);
    CHECK_INT(fx_import(ctx, store, GG_LAYER_WORKERS, SQUARE("square_workers.csv"), NULL, NULL, 0, NULL), GG_OK);
    CHECK_INT(gg_catalogue_load_shipped(ctx, store, NULL), GG_OK);
    /* Nanhai-like: three levels, the district's is level 2. */
    static const char three[] = "level,name,scope,handle_within\n0,网格,grid,\n1,镇街综治中心,township,5wd\n"
                                "2,区综治中心,district,10wd\n";
    CHECK_INT(gg_case_levels_import(ctx, store, three, strlen(three), "three.csv", NULL), GG_OK);
    gg_catalogue *cat = NULL;
    gg_locator *loc = NULL;
    gg_dispatcher *d = NULL;
    CHECK_INT(gg_catalogue_read(ctx, store, 0, &cat), GG_OK);
    CHECK_STR(gg_catalogue_find(cat, "CG0101")->route, "level:district");
    CHECK_INT(gg_locator_new(ctx, store, NULL, &loc), GG_OK);
    CHECK_INT(gg_dispatcher_new(ctx, loc, &d), GG_OK);
    gg_incident_input in = incident("CG0101", 116.005, 40.005, "a floor going up", NULL);
    in.attributes_json = "{\"stage\":\"structure\"}";
    gg_incident_receipt out;
    CHECK_INT(gg_incident_submit(ctx, store, cat, loc, d, &in, &out), GG_OK);
    CHECK_INT(fx_scalar(store, "SELECT level FROM incident"), 2);
    CHECK_CONTAINS(out.notice, "at level 2");
    /* Told in Chinese when the project says so. */
    CHECK_INT(gg_setting_set(ctx, store, "open311.language", "zh"), GG_OK);
    in.description = "又加了一层";
    CHECK_INT(gg_incident_submit(ctx, store, cat, loc, d, &in, &out), GG_OK);
    CHECK_STR(out.notice, "已派给城管执法联合执法队（第 2 级），网格 1101080010011001");
    /* Levels without a district's: refused while the catalogue routes to it. */
    static const char no_district[] = "level,name,scope\n0,网格,grid\n1,社区,community\n2,街道,township\n";
    CHECK_INT(gg_case_levels_import(ctx, store, no_district, strlen(no_district), "two.csv", NULL), GG_ERR_FORMAT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "CG0101 goes straight to level:district");
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM case_level"), 3);
    /* A catalogue routing to a level the project has not: refused by line,
     * and, a catalogue being a whole, nothing of it imported. */
    const char *path = gg_test_path("catalogue.csv");
    gg_test_write_file(path, "item_code,class,name,department,reach_within,handle_within,route\n"
                             "X1,城市管理,上报区级,城管,2h,7d,level:3\n"
                             "X2,城市管理,上报社区,城管,2h,7d,level:community\n"
                             "X3,城市管理,上报区级,城管,2h,7d,level:district\n");
    gg_import_report *report = NULL;
    CHECK_INT(fx_import(ctx, store, GG_LAYER_CATALOGUE, path, NULL, NULL, 0, &report), GG_ERR_INVALID_INPUT);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "line 2 (id 'X1'): route 'level:3': the project has no such escalation level");
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "and 1 more feature(s) rejected");
    CHECK(fx_has_issue(report, GG_ISSUE_REJECTED, "X2", "route 'level:community'"));
    CHECK(!fx_has_issue(report, GG_ISSUE_REJECTED, "X3", NULL));
    gg_import_report_free(ctx, report);
    gg_ctx_clear_error(ctx);
    CHECK_INT(fx_scalar(store, "SELECT count(*) FROM catalogue WHERE item_code = 'X3'"), 0);
    gg_dispatcher_free(d);
    gg_locator_free(loc);
    gg_catalogue_free(cat);
    gg_store_close(store);
    gg_ctx_free(ctx);
}

TEST_LIST(T(new_project_has_the_shipped_catalogue), T(incidents_are_committed_together), T(routes_find_their_level))
