/* Duty hours: when a worker is on shift (include/govgrid/incident.h). */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "govgrid/worktime.h"
#include "worktime/clock.h"

#define MAX_PERIODS 16

typedef struct period {
    unsigned days;              /* bit d: day d of the week (0 Monday) */
    int workdays;               /* the calendar's working days instead */
    int start, end;             /* minutes of the day; end <= start runs past midnight */
} period;

static const char *const day_names[7] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

static int day_of(const char *s, size_t n)
{
    for (int d = 0; d < 7; d++)
        if (n == 3 && strncasecmp(s, day_names[d], 3) == 0)
            return d;
    return -1;
}

/* why = what, then the text s[0..n) (at most 40 bytes of it) in quotes. */
static void say(char *why, size_t size, const char *what, const char *s, size_t n)
{
    if (why != NULL && size > 0)
        snprintf(why, size, "'%.*s' %s", (int)(n > 40 ? 40 : n), s, what);
}

/* The days of s[0..n): "daily", "workdays", or days and ranges separated
 * by ','. */
static int parse_days(const char *s, size_t n, period *p, char *why, size_t size)
{
    if (n == 5 && strncasecmp(s, "daily", 5) == 0) {
        p->days = 0x7f;
        return 1;
    }
    if (n == 8 && strncasecmp(s, "workdays", 8) == 0) {
        p->workdays = 1;
        return 1;
    }
    size_t at = 0;
    while (at < n) {
        size_t end = at;
        while (end < n && s[end] != ',')
            end++;
        const char *dash = memchr(s + at, '-', end - at);
        int a = day_of(s + at, dash ? (size_t)(dash - (s + at)) : end - at);
        int b = dash ? day_of(dash + 1, (size_t)(s + end - dash - 1)) : a;
        if (a < 0 || b < 0) {
            say(why, size, "is not a day (mon..sun), a range of days, daily or workdays", s + at, end - at);
            return 0;
        }
        for (int d = a;; d = (d + 1) % 7) {
            p->days |= 1u << d;
            if (d == b)
                break;
        }
        at = end + 1;
    }
    return 1;
}

static int parse_clock(const char *s, int *minutes)
{
    int h, m;
    if (!(s[0] >= '0' && s[0] <= '2' && s[1] >= '0' && s[1] <= '9' && s[2] == ':' && s[3] >= '0' && s[3] <= '5' &&
          s[4] >= '0' && s[4] <= '9'))
        return 0;
    h = (s[0] - '0') * 10 + (s[1] - '0');
    m = (s[3] - '0') * 10 + (s[4] - '0');
    if (h > 24 || (h == 24 && m != 0))
        return 0;
    *minutes = h * 60 + m;
    return 1;
}

static int parse(const char *text, period *out, int *n, char *why, size_t size)
{
    *n = 0;
    const char *s = text;
    while (*s != '\0') {
        while (*s == ' ' || *s == ';')
            s++;
        if (*s == '\0')
            break;
        const char *end = strchr(s, ';');
        if (end == NULL)
            end = s + strlen(s);
        const char *sp = memchr(s, ' ', (size_t)(end - s));
        if (sp == NULL) {
            say(why, size, "is not days then times (e.g. mon-fri 08:30-17:30)", s, (size_t)(end - s));
            return 0;
        }
        if (*n == MAX_PERIODS) {
            if (why != NULL && size > 0)
                snprintf(why, size, "more than %d periods", MAX_PERIODS);
            return 0;
        }
        period *p = &out[(*n)++];
        memset(p, 0, sizeof *p);
        if (!parse_days(s, (size_t)(sp - s), p, why, size))
            return 0;
        const char *t = sp;
        while (*t == ' ')
            t++;
        size_t tl = (size_t)(end - t);
        while (tl > 0 && t[tl - 1] == ' ')
            tl--;
        if (tl != 11 || t[5] != '-' || !parse_clock(t, &p->start) || !parse_clock(t + 6, &p->end) ||
            p->start == p->end) {
            say(why, size, "is not a time span HH:MM-HH:MM of some length", t, tl);
            return 0;
        }
        s = end;
    }
    if (*n == 0) {
        if (why != NULL && size > 0)
            snprintf(why, size, "no period given");
        return 0;
    }
    return 1;
}

int gg_duty_valid(const char *text, char *why, size_t why_size)
{
    period p[MAX_PERIODS];
    int n;
    if (text == NULL) {
        if (why != NULL && why_size > 0)
            snprintf(why, why_size, "no duty hours");
        return 0;
    }
    return parse(text, p, &n, why, why_size);
}

static int day_matches(const period *p, int64_t day, const gg_calendar *cal)
{
    if (p->workdays) {
        int y, m, d;
        gg_clock_civil(day, &y, &m, &d);
        return gg_calendar_working(cal, y, m, d);
    }
    int wd = (int)(((day % 7) + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
    return (p->days >> wd) & 1;
}

int gg_duty_on(const char *text, int64_t t, const gg_calendar *cal)
{
    period ps[MAX_PERIODS];
    int n;
    if (text == NULL || text[0] == '\0' || !parse(text, ps, &n, NULL, 0))
        return 1;
    int64_t local = t + 8 * 3600;
    int64_t day = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
    int minute = (int)((local - day * 86400) / 60);
    for (int i = 0; i < n; i++) {
        const period *p = &ps[i];
        if (p->start < p->end) {
            if (minute >= p->start && minute < p->end && day_matches(p, day, cal))
                return 1;
        } else if ((minute >= p->start && day_matches(p, day, cal)) ||
                   (minute < p->end && day_matches(p, day - 1, cal))) {
            return 1;
        }
    }
    return 0;
}
