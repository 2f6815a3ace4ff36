/* Tests of src/worktime: the working calendar of 2025 and 2026 against the
 * State Council's notices, time limits and the deadlines they give, duty
 * hours. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "govgrid/worktime.h"
#include "worktime/clock.h"
#include "worktime/limits.h"

static gg_ctx *new_ctx(void)
{
    gg_ctx *ctx = NULL;
    gg_ctx_new(&ctx);
    return ctx;
}

static int64_t at(const char *iso)
{
    int64_t t = 0;
    CHECK(gg_clock_parse(iso, &t));
    return t;
}

/* The State Council's notices for 2025 (国办发明电〔2024〕12号) and 2026
 * (published 2025-11-04), written out here as ranges, not as the data
 * file's days: holidays, and the weekend days worked in their place. */
static const struct {
    const char *from, *to;
    int working;
} notices[] = {
    {"2025-01-01", "2025-01-01", 0}, {"2025-01-28", "2025-02-04", 0}, {"2025-01-26", "2025-01-26", 1},
    {"2025-02-08", "2025-02-08", 1}, {"2025-04-04", "2025-04-06", 0}, {"2025-05-01", "2025-05-05", 0},
    {"2025-04-27", "2025-04-27", 1}, {"2025-05-31", "2025-06-02", 0}, {"2025-10-01", "2025-10-08", 0},
    {"2025-09-28", "2025-09-28", 1}, {"2025-10-11", "2025-10-11", 1},
    {"2026-01-01", "2026-01-03", 0}, {"2026-01-04", "2026-01-04", 1}, {"2026-02-15", "2026-02-23", 0},
    {"2026-02-14", "2026-02-14", 1}, {"2026-02-28", "2026-02-28", 1}, {"2026-04-04", "2026-04-06", 0},
    {"2026-05-01", "2026-05-05", 0}, {"2026-05-09", "2026-05-09", 1}, {"2026-06-19", "2026-06-21", 0},
    {"2026-09-25", "2026-09-27", 0}, {"2026-10-01", "2026-10-07", 0}, {"2026-09-20", "2026-09-20", 1},
    {"2026-10-10", "2026-10-10", 1},
};

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    return (int64_t)timegm(&tm);
}

/* What the notices say of one day: -1 not in them, else working. */
static int noticed(const char *date)
{
    for (size_t i = 0; i < sizeof notices / sizeof notices[0]; i++)
        if (strcmp(date, notices[i].from) >= 0 && strcmp(date, notices[i].to) <= 0)
            return notices[i].working;
    return -1;
}

/* The shipped calendar of 2025 and 2026 against the notices, day by day
 * (each year has 248 working days); deadlines in working days and hours
 * across the Spring Festival and its adjusted working days; and the
 * refusals of a file that is wrong. */
static void working_calendar_2025_2026(void)
{
    gg_ctx *ctx = new_ctx();
    char path[1024];
    snprintf(path, sizeof path, "%s/calendar/cn-2025-2026.csv", GG_TEST_DATA_DIR);
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    char buf[8192];
    size_t len = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (f)
        fclose(f);
    gg_calendar *cal = NULL;
    CHECK_INT(gg_calendar_parse(ctx, buf, len, path, &cal), GG_OK);
    CHECK_INT((int64_t)gg_calendar_days(cal), 72);
    for (int y = 2025; y <= 2026; y++) {
        int working = 0, plain = 0;
        for (int64_t t = utc(y, 1, 1, 4, 0); t < utc(y + 1, 1, 1, 4, 0); t += 86400) {
            time_t tt = (time_t)t;
            struct tm tm;
            gmtime_r(&tt, &tm);
            char date[48];
            snprintf(date, sizeof date, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
            int want = noticed(date);
            if (want < 0)
                want = tm.tm_wday >= 1 && tm.tm_wday <= 5;
            int got = gg_calendar_working(cal, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
            if (got != want)
                fprintf(stderr, "  %s: calendar says %d, the notices %d\n", date, got, want);
            CHECK_INT(got, want);
            working += got;
            plain += gg_calendar_working(NULL, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        }
        CHECK_INT(working, 248);
        CHECK_INT(plain, 261);
    }
    /* Dispatched Monday 2025-01-27 10:00 CST, five working days: the
     * Spring Festival (28 Jan - 4 Feb) does not count, Saturday 8 Feb
     * does: Monday 10 Feb 10:00. The plain week would say 3 Feb. */
    int64_t start = utc(2025, 1, 27, 2, 0);
    CHECK_INT(gg_calendar_add(cal, start, 5, 0), utc(2025, 2, 10, 2, 0));
    CHECK_INT(gg_calendar_add(NULL, start, 5, 0), utc(2025, 2, 3, 2, 0));
    /* 8 working hours from Friday 2026-02-13 16:00 CST: 2 h that day, 6 h
     * on Saturday 14 Feb (worked), ending 16:00 there. */
    CHECK_INT(gg_calendar_add(cal, utc(2026, 2, 13, 8, 0), 8, 1), utc(2026, 2, 14, 8, 0));
    /* One working day from Wednesday 2026-09-30 09:00 CST: Thursday 8 Oct. */
    CHECK_INT(gg_calendar_add(cal, utc(2026, 9, 30, 1, 0), 1, 0), utc(2026, 10, 8, 1, 0));
    gg_calendar_free(cal);

    static const char *const wrong[] = {"day,kind\n2025-01-01,holiday,x\n", "date,kind,name\n2025-13-01,holiday,x\n",
                                        "date,kind,name\n2025-01-01,rest,x\n",
                                        "date,kind,name\n2025-01-01,holiday,x\n2025-01-01,workday,y\n"};
    static const char *const said[] = {"header", "line 2", "neither holiday nor workday", "twice"};
    for (size_t i = 0; i < sizeof wrong / sizeof wrong[0]; i++) {
        CHECK_INT(gg_calendar_parse(ctx, wrong[i], strlen(wrong[i]), "cal.csv", &cal), GG_ERR_FORMAT);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), said[i]);
        CHECK_CONTAINS(gg_ctx_errmsg(ctx), "cal.csv");
        gg_ctx_clear_error(ctx);
    }
    gg_ctx_free(ctx);
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

/* Duty hours: days, ranges, overnight shifts, the calendar's working days. */
static void duty_hours(void)
{
    char why[160];
    CHECK(gg_duty_valid("mon-fri 08:30-17:30; sat 09:00-12:00", why, sizeof why));
    CHECK(gg_duty_valid("fri-mon 22:00-06:00", why, sizeof why));
    CHECK(gg_duty_valid("daily 00:00-24:00", why, sizeof why));
    CHECK(!gg_duty_valid("weekdays 08:00-17:00", why, sizeof why));
    CHECK_CONTAINS(why, "'weekdays' is not a day");
    CHECK(!gg_duty_valid("mon 8:00-17:00", why, sizeof why));
    CHECK_CONTAINS(why, "HH:MM-HH:MM");
    CHECK(!gg_duty_valid("mon-fri", why, sizeof why));
    CHECK(!gg_duty_valid("", why, sizeof why));
    const char *office = "mon-fri 08:30-17:30";
    /* China time = UTC + 8: Monday 2026-12-07 09:00 CST is 01:00 UTC. */
    CHECK(gg_duty_on(office, at("2026-12-07T01:00:00Z"), NULL));
    CHECK(!gg_duty_on(office, at("2026-12-07T00:29:59Z"), NULL));
    CHECK(gg_duty_on(office, at("2026-12-07T00:30:00Z"), NULL));
    CHECK(!gg_duty_on(office, at("2026-12-07T09:30:00Z"), NULL));
    CHECK(!gg_duty_on(office, at("2026-12-05T01:00:00Z"), NULL)); /* Saturday */
    const char *night = "fri-sun 22:00-06:00";
    CHECK(gg_duty_on(night, at("2026-12-04T15:00:00Z"), NULL));  /* Friday 23:00 */
    CHECK(gg_duty_on(night, at("2026-12-07T21:00:00Z"), NULL) == 0); /* Tuesday 05:00 */
    CHECK(gg_duty_on(night, at("2026-12-06T21:00:00Z"), NULL));  /* Monday 05:00, Sunday's night */
    /* workdays: Sunday 2025-01-26 was worked (春节调休), Monday 2025-01-27 not... (a weekday
     * off only from the 28th); Wednesday 2025-01-29 was the Spring Festival. */
    gg_ctx *ctx = new_ctx();
    gg_calendar *cal = NULL;
    CHECK_INT(gg_calendar_shipped(ctx, &cal), GG_OK);
    CHECK(gg_duty_on("workdays 09:00-18:00", at("2025-01-26T02:00:00Z"), cal));
    CHECK(!gg_duty_on("workdays 09:00-18:00", at("2025-01-29T02:00:00Z"), cal));
    CHECK(!gg_duty_on("mon-fri 09:00-18:00", at("2025-01-26T02:00:00Z"), cal));
    CHECK(gg_duty_on(NULL, at("2025-01-29T02:00:00Z"), cal));
    gg_calendar_free(cal);
    gg_ctx_free(ctx);
}

TEST_LIST(T(working_calendar_2025_2026), T(limits_parse), T(deadlines_count_working_time), T(duty_hours))
