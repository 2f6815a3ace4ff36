/* Tests of src/dispatch: time limits and their deadlines, the shipped
 * catalogue. */
#include <string.h>
#include <time.h>

#include "harness.h"
#include "dispatch/limits.h"
#include "govgrid/govgrid.h"
#include "io/fixtures.h"

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
    CHECK_INT((long long)gg_limit_deadline(friday10, &l), (long long)utc(2026, 11, 20, 4, 0));
    gg_limits_parse("1wd", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l), (long long)utc(2026, 11, 23, 2, 0)); /* Monday 10:00 */
    gg_limits_parse("7wd", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l), (long long)utc(2026, 12, 1, 2, 0)); /* Tuesday week after */
    gg_limits_parse("3d", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l), (long long)utc(2026, 11, 23, 2, 0));
    /* 8 working hours from Friday 10:00: 2 h before lunch, 5 h after, 1 h on Monday. */
    gg_limits_parse("8wh", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(friday10, &l), (long long)utc(2026, 11, 23, 2, 0));
    /* From Saturday noon, one working hour ends Monday 10:00. */
    gg_limits_parse("1wh", &l, 1, why, sizeof why);
    CHECK_INT((long long)gg_limit_deadline(utc(2026, 11, 21, 4, 0), &l), (long long)utc(2026, 11, 23, 2, 0));
    /* From 12:30 (lunch), 1 working hour ends 14:00. */
    CHECK_INT((long long)gg_limit_deadline(utc(2026, 11, 20, 4, 30), &l), (long long)utc(2026, 11, 20, 6, 0));
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

TEST_LIST(T(limits_parse), T(deadlines_count_working_time), T(new_project_has_the_shipped_catalogue))
