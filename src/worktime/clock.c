/* The times of the closed loop: parsed and written without the C
 * library's time zone, deadlines through the catalogue's limits. */
#include "worktime/clock.h"

#include <stdio.h>
#include <string.h>

#include "worktime/limits.h"

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * algorithm). */
int64_t gg_clock_days(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void gg_clock_civil(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

int gg_clock_parse(const char *text, int64_t *t)
{
    int y, mo, d, h = 0, mi = 0, sec = 0;
    if (text == NULL || strlen(text) < 10 || !digits(text, 4, &y) || text[4] != '-' || !digits(text + 5, 2, &mo) ||
        text[7] != '-' || !digits(text + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return 0;
    const char *p = text + 10;
    if (*p == '\0') {
        *t = gg_clock_days(y, mo, d) * 86400 - 8 * 3600;
        return 1;
    }
    if ((*p != 'T' && *p != ' ') || !digits(p + 1, 2, &h) || p[3] != ':' || !digits(p + 4, 2, &mi) || h > 23 ||
        mi > 59)
        return 0;
    p += 6;
    if (*p == ':') {
        if (!digits(p + 1, 2, &sec) || sec > 60)
            return 0;
        p += 3;
        if (*p == '.')
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
    }
    int offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 14 || om > 59)
            return 0;
        offset = (oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p += 6;
    }
    if (*p != '\0')
        return 0;
    *t = gg_clock_days(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return 1;
}

void gg_clock_format(int64_t t, char *out, size_t size)
{
    int64_t days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
    int64_t rest = t - days * 86400;
    int y, m, d;
    gg_clock_civil(days, &y, &m, &d);
    snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, (int)(rest / 3600), (int)(rest / 60 % 60),
             (int)(rest % 60));
}

static int deadline_of(const char *limit, int64_t start, const gg_calendar *cal, int64_t *due, int first)
{
    if (limit == NULL || limit[0] == '\0')
        return 0;
    gg_limit stages[GG_MAX_STAGES];
    char why[160];
    int n = gg_limits_parse(limit, stages, GG_MAX_STAGES, why, sizeof why);
    if (n <= 0)
        return 0;
    *due = (int64_t)gg_limit_deadline((time_t)start, &stages[first ? 0 : n - 1], cal);
    return 1;
}

int gg_clock_deadline(const char *limit, int64_t start, const gg_calendar *cal, int64_t *due)
{
    return deadline_of(limit, start, cal, due, 0);
}

int gg_clock_first_deadline(const char *limit, int64_t start, const gg_calendar *cal, int64_t *due)
{
    return deadline_of(limit, start, cal, due, 1);
}
