/* Tests of src/dispatch: time limits and their deadlines, the shipped
 * catalogue, incidents stored together. */
#include <string.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "harness.h"
#include "dispatch/limits.h"
#include "govgrid/govgrid.h"
#include "io/fixtures.h"
#include "store/store.h"

#define SQUARE(name) GG_TEST_DATA_DIR "/../tests/cli/data/" name

/* 2026-11-20 was a Friday; 10:00 in China (UTC+8) is 02:00Z. */
static time_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return timegm(&tm);
}

static void limits_parse(void)
{
    gg_limit l[GG_MAX_STAGES];
    char why[160];
    CHECK_INT(gg_limits_parse("2h", l, GG_MAX_STAGES, why, sizeof why), 1);
    CHECK_INT(l[0].amount, 2);
    CHECK_INT(l[0].unit, GG_HOURS);
    CHECK_INT(gg_limits_parse("30min", l, GG_MAX_STAGES, why, sizeof why), 1);
    CHECK_INT(l[0].unit, GG_MINUTES);
    CHECK_INT(gg_limits_parse("1wd:设置警示和临时修补|5wd:修复完成", l, GG_MAX_STAGES, why, sizeof why), 2);
    CHECK_INT(l[1].amount, 5);
    CHECK_INT(l[1].unit, GG_WORKING_DAYS);
    CHECK_STR(l[0].stage, "设置警示和临时修补");
    CHECK_INT(gg_limits_parse("8 wh", l, GG_MAX_STAGES, why, sizeof why), 1);
    CHECK_INT(l[0].unit, GG_WORKING_HOURS);
    CHECK_INT(gg_limits_parse("2 hours", l, GG_MAX_STAGES, why, sizeof why), 0);
    CHECK_CONTAINS(why, "unit 'hours'");
    CHECK_INT(gg_limits_parse("0d", l, GG_MAX_STAGES, why, sizeof why), 0);
    CHECK_INT(gg_limits_parse("", l, GG_MAX_STAGES, why, sizeof why), 0);
    CHECK_INT(gg_limits_parse("1h|2h|3h|4h|5h|6h|7h", l, GG_MAX_STAGES, why, sizeof why), 0);
    CHECK_CONTAINS(why, "more than 6 stages");
    CHECK_INT(gg_limits_parse("2h junk", l, GG_MAX_STAGES, why, sizeof why), 0);
}

static void deadlines_count_working_time(void)
{
    gg_limit l;
    char why[160];
    time_t friday10 = utc(2026, 11, 20, 2, 0); /* Friday 10:00 in China */
    gg_limits_parse("2h", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l, NULL), (long long)utc(2026, 11, 20, 4, 0));
    gg_limits_parse("1wd", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l, NULL), (long long)utc(2026, 11, 23, 2, 0)); /* Monday 10:00 */
    gg_limits_parse("7wd", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l, NULL), (long long)utc(2026, 12, 1, 2, 0)); /* Tuesday week after */
    gg_limits_parse("3d", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l, NULL), (long long)utc(2026, 11, 23, 2, 0));
    /* 8 working hours from Friday 10:00: 2 h before lunch, 5 h after, 1 h on Monday. */
    gg_limits_parse("8wh", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l, NULL), (long long)utc(2026, 11, 23, 2, 0));
    /* From Saturday noon, one working hour ends Monday 10:00. */
    gg_limits_parse("1wh", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(utc(2026, 11, 21, 4, 0), &l, NULL), (long long)utc(2026, 11, 23, 2, 0));
    /* From 12:30 (lunch), 1 working hour ends 14:00. */
    CHECK_INT((long long)gg_limit_deadline(utc(2026, 11, 20, 4, 30), &l, NULL), (long long)utc(2026, 11, 20, 6, 0));
}

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

/* The plan right: parsed in any order, written back as read,write,plan,
 * kept by the keys file and given by the keyring to the key. */
static void keys_take_the_plan_right(void)
{
    gg_ctx *ctx = fx_ctx();
    CHECK_INT(gg_rights_parse(ctx, "plan,read"), GG_RIGHT_READ | GG_RIGHT_PLAN);
    CHECK_INT(gg_rights_parse(ctx, "plan"), GG_RIGHT_PLAN);
    CHECK_INT(gg_rights_parse(ctx, "read,fold"), 0);
    CHECK_CONTAINS(gg_ctx_errmsg(ctx), "not read, write or plan");
    gg_ctx_clear_error(ctx);
    char text[24];
    gg_rights_text(GG_RIGHT_PLAN | GG_RIGHT_READ, text, sizeof text);
    CHECK_STR(text, "read,plan");
    gg_rights_text(GG_RIGHTS_ALL, text, sizeof text);
    CHECK_STR(text, "read,write,plan");
    gg_rights_text(GG_RIGHT_WRITE | GG_RIGHT_PLAN, text, sizeof text);
    CHECK_STR(text, "write,plan");
    char dir[] = "/tmp/gg_keys_XXXXXX", path[64], key[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/keys", dir);
    CHECK_INT(gg_keys_new(ctx, path, "planner", GG_RIGHT_READ | GG_RIGHT_PLAN, key, sizeof key), GG_OK);
    gg_keyring *ring = NULL;
    CHECK_INT(gg_keyring_load(ctx, path, &ring), GG_OK);
    CHECK_INT(gg_keyring_check(ring, key, NULL), GG_RIGHT_READ | GG_RIGHT_PLAN);
    gg_keyring_free(ring);
    CHECK_INT(gg_keys_new(ctx, path, "odd", 64, key, sizeof key), GG_ERR_ARG);
    gg_ctx_clear_error(ctx);
    remove(path);
    rmdir(dir);
    gg_ctx_free(ctx);
}

TEST_LIST(T(limits_parse), T(deadlines_count_working_time), T(new_project_has_the_shipped_catalogue),
          T(incidents_are_committed_together), T(keys_take_the_plan_right))
