/* The working calendar: the plain week (Monday to Friday) less the public
 * holidays, plus the weekend days worked in their place (调休), and time
 * added in working days or hours on it. Days are China Standard Time. */
#include "govgrid/worktime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ctx.h"
#include "store/calendar.h"
#include "worktime/clock.h"

extern const unsigned char gg_shipped_calendar[];
extern const size_t gg_shipped_calendar_size;

#define CST_OFFSET (8 * 3600)

typedef struct exception_day {
    int64_t day;                /* days since 1970-01-01 */
    int working;                /* 1: a weekend day worked; 0: a holiday */
    char name[64];
} exception_day;

struct gg_calendar {
    gg_ctx *ctx;
    exception_day *days;        /* by day */
    size_t n;
};

static int valid_date(int y, int m, int d)
{
    static const int len[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1)
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return d <= len[m - 1] + (m == 2 && leap);
}

/* Monday 1 .. Sunday 7; 1970-01-01 was a Thursday. */
static int weekday(int64_t day)
{
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w) + 1;
}

static int compare_days(const void *a, const void *b)
{
    const exception_day *p = a, *q = b;
    return (p->day > q->day) - (p->day < q->day);
}

gg_status gg_calendar_parse(gg_ctx *ctx, const char *text, size_t len, const char *name, gg_calendar **out)
{
    *out = NULL;
    gg_calendar *cal = gg_calloc(ctx, 1, sizeof *cal);
    if (cal == NULL)
        return gg_error_nomem(ctx);
    cal->ctx = ctx;
    size_t cap = 0;
    gg_status st = GG_OK;
    size_t at = 0;
    for (int line = 1; at < len && st == GG_OK; line++) {
        size_t end = at;
        while (end < len && text[end] != '\n')
            end++;
        char row[256];
        size_t n = end - at < sizeof row - 1 ? end - at : sizeof row - 1;
        memcpy(row, text + at, n);
        row[n] = '\0';
        at = end + 1;
        if (n > 0 && row[n - 1] == '\r')
            row[--n] = '\0';
        if (line == 1 && n >= 3 && (unsigned char)row[0] == 0xEF && (unsigned char)row[1] == 0xBB &&
            (unsigned char)row[2] == 0xBF)
            memmove(row, row + 3, n - 2);
        if (row[0] == '\0')
            continue;
        if (line == 1) {
            if (strncmp(row, "date,kind", 9) != 0)
                st = gg_error(ctx, GG_ERR_FORMAT, "%s: line 1: expected the header date,kind,name", name);
            continue;
        }
        int y, m, d, used = 0;
        char kind[16];
        if (sscanf(row, "%4d-%2d-%2d,%15[a-z]%n", &y, &m, &d, kind, &used) != 4 || !valid_date(y, m, d) ||
            (row[used] != '\0' && row[used] != ',')) {
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %d: expected YYYY-MM-DD,holiday|workday,name: '%.60s'",
                          name, line, row);
            break;
        }
        int working = strcmp(kind, "workday") == 0;
        if (!working && strcmp(kind, "holiday") != 0) {
            st = gg_error(ctx, GG_ERR_FORMAT, "%s: line %d: kind '%s' is neither holiday nor workday", name, line,
                          kind);
            break;
        }
        st = gg_grow(ctx, (void **)&cal->days, &cap, cal->n + 1, sizeof *cal->days);
        if (st == GG_OK) {
            exception_day *e = &cal->days[cal->n++];
            memset(e, 0, sizeof *e);
            e->day = gg_clock_days(y, m, d);
            e->working = working;
            if (row[used] == ',')
                snprintf(e->name, sizeof e->name, "%s", row + used + 1);
        }
    }
    if (st == GG_OK && cal->n > 1) {
        qsort(cal->days, cal->n, sizeof *cal->days, compare_days);
        for (size_t i = 1; i < cal->n && st == GG_OK; i++)
            if (cal->days[i].day == cal->days[i - 1].day)
                st = gg_error(ctx, GG_ERR_FORMAT, "%s: a day is given twice (day %lld after 1970-01-01)", name,
                              (long long)cal->days[i].day);
    }
    if (st != GG_OK) {
        gg_calendar_free(cal);
        return st;
    }
    *out = cal;
    return GG_OK;
}

void gg_calendar_free(gg_calendar *cal)
{
    if (cal == NULL)
        return;
    gg_free(cal->ctx, cal->days);
    gg_free(cal->ctx, cal);
}

size_t gg_calendar_days(const gg_calendar *cal)
{
    return cal ? cal->n : 0;
}

static int working_day(const gg_calendar *cal, int64_t day)
{
    if (cal != NULL && cal->n > 0) {
        size_t lo = 0, hi = cal->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (cal->days[mid].day < day)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < cal->n && cal->days[lo].day == day)
            return cal->days[lo].working;
    }
    return weekday(day) <= 5;
}

int gg_calendar_working(const gg_calendar *cal, int y, int m, int d)
{
    return valid_date(y, m, d) && working_day(cal, gg_clock_days(y, m, d));
}

int64_t gg_calendar_add(const gg_calendar *cal, int64_t start, int amount, int hours)
{
    int64_t s = start + CST_OFFSET;
    int64_t day = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t sec = s - day * 86400;
    if (!hours) {
        for (int left = amount; left > 0;) {
            day++;
            if (working_day(cal, day))
                left--;
        }
        return day * 86400 + sec - CST_OFFSET;
    }
    /* Walk the working periods from start, spending the hours. */
    static const int64_t periods[2][2] = {{9 * 3600, 12 * 3600}, {13 * 3600, 18 * 3600}};
    int64_t need = (int64_t)amount * 3600;
    for (int guard = 0; guard < 100000; guard++) {
        if (working_day(cal, day)) {
            for (int p = 0; p < 2; p++) {
                int64_t from = sec > periods[p][0] ? sec : periods[p][0];
                if (from >= periods[p][1])
                    continue;
                int64_t avail = periods[p][1] - from;
                if (need <= avail)
                    return day * 86400 + from + need - CST_OFFSET;
                need -= avail;
                sec = periods[p][1];
            }
        }
        day++;
        sec = 0;
    }
    return start;
}

int gg_calendar_day(const gg_calendar *cal, size_t i, char date[11], int *working, const char **name)
{
    if (cal == NULL || i >= cal->n)
        return 0;
    int y, m, d;
    gg_clock_civil(cal->days[i].day, &y, &m, &d);
    snprintf(date, 11, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u);
    if (working)
        *working = cal->days[i].working;
    if (name)
        *name = cal->days[i].name;
    return 1;
}

gg_status gg_calendar_shipped(gg_ctx *ctx, gg_calendar **out)
{
    return gg_calendar_parse(ctx, (const char *)gg_shipped_calendar, gg_shipped_calendar_size,
                             "the shipped calendar (data/calendar/cn-2025-2026.csv)", out);
}

gg_status gg_calendar_load(gg_ctx *ctx, gg_store *store, gg_calendar **out, int *from_project)
{
    *out = NULL;
    if (from_project)
        *from_project = 0;
    if (ctx == NULL || store == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_calendar_load: NULL store") : GG_ERR_ARG;
    char *csv = NULL;
    gg_status st = gg_store_calendar_csv(store, &csv);
    if (st != GG_OK)
        return st;
    if (csv == NULL)
        return gg_calendar_shipped(ctx, out);
    st = gg_calendar_parse(ctx, csv, strlen(csv), "the project's calendar", out);
    gg_free(ctx, csv);
    if (st == GG_OK && from_project)
        *from_project = 1;
    return st;
}

gg_status gg_calendar_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len, const char *name,
                             size_t *days)
{
    if (ctx == NULL || store == NULL || text == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_calendar_import: NULL store or text") : GG_ERR_ARG;
    gg_calendar *cal = NULL;
    gg_status st = gg_calendar_parse(ctx, text, len, name ? name : "calendar", &cal);
    if (st != GG_OK)
        return st;
    st = gg_store_begin(store);
    if (st == GG_OK) {
        st = gg_store_calendar_replace(store, cal);
        if (st == GG_OK)
            st = gg_store_commit(store);
        else
            gg_store_rollback(store);
    }
    if (st == GG_OK && days)
        *days = cal->n;
    gg_calendar_free(cal);
    return st;
}
