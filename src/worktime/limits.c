/* Time limits: parsing and deadlines. Working time is counted in China
 * Standard Time (UTC+8, no daylight saving) whatever the machine's zone:
 * working days are Monday to Friday, working hours 09:00-12:00 and
 * 13:00-18:00 on them. */
#include "worktime/limits.h"
#include "govgrid/worktime.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static int parse_one(const char *s, size_t n, gg_limit *l, char *why, size_t why_size)
{
    size_t i = 0;
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    long amount = 0;
    size_t digits = 0;
    while (i < n && isdigit((unsigned char)s[i]) && digits < 6) {
        amount = amount * 10 + (s[i] - '0');
        i++;
        digits++;
    }
    if (digits == 0 || amount <= 0) {
        snprintf(why, why_size, "'%.*s' does not start with a whole number above 0", (int)(n > 40 ? 40 : n), s);
        return 0;
    }
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    size_t u = i;
    while (i < n && isalpha((unsigned char)s[i]))
        i++;
    size_t ulen = i - u;
    static const struct {
        const char *name;
        gg_time_unit unit;
    } units[] = {{"min", GG_MINUTES}, {"h", GG_HOURS}, {"d", GG_DAYS}, {"wh", GG_WORKING_HOURS}, {"wd", GG_WORKING_DAYS}};
    int found = -1;
    for (int k = 0; k < 5; k++)
        if (strlen(units[k].name) == ulen && strncmp(s + u, units[k].name, ulen) == 0)
            found = k;
    if (found < 0) {
        snprintf(why, why_size, "unit '%.*s' is not min, h, d, wh (working hours) or wd (working days)",
                 (int)(ulen > 20 ? 20 : ulen), s + u);
        return 0;
    }
    l->amount = (int)amount;
    l->unit = units[found].unit;
    l->stage[0] = '\0';
    while (i < n && isspace((unsigned char)s[i]))
        i++;
    if (i < n && s[i] == ':') {
        i++;
        while (i < n && isspace((unsigned char)s[i]))
            i++;
        size_t len = n - i;
        while (len > 0 && isspace((unsigned char)s[i + len - 1]))
            len--;
        if (len >= sizeof l->stage)
            len = sizeof l->stage - 1;
        memcpy(l->stage, s + i, len);
        l->stage[len] = '\0';
    } else if (i < n) {
        snprintf(why, why_size, "unexpected '%.*s' after the limit (a stage is written 2h:what is done)",
                 (int)(n - i > 20 ? 20 : n - i), s + i);
        return 0;
    }
    return 1;
}

int gg_limits_parse(const char *text, gg_limit *out, int max, char *why, size_t why_size)
{
    if (text == NULL || *text == '\0') {
        snprintf(why, why_size, "no time limit");
        return 0;
    }
    int n = 0;
    const char *p = text;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (n == max) {
            snprintf(why, why_size, "more than %d stages", max);
            return 0;
        }
        if (!parse_one(p, len, &out[n], why, why_size))
            return 0;
        n++;
        if (bar == NULL)
            break;
        p = bar + 1;
    }
    return n;
}

time_t gg_limit_deadline(time_t start, const gg_limit *l, const struct gg_calendar *cal)
{
    switch (l->unit) {
    case GG_MINUTES: return start + (time_t)l->amount * 60;
    case GG_HOURS: return start + (time_t)l->amount * 3600;
    case GG_DAYS: return start + (time_t)l->amount * 86400;
    case GG_WORKING_DAYS: return (time_t)gg_calendar_add(cal, start, l->amount, 0);
    case GG_WORKING_HOURS: return (time_t)gg_calendar_add(cal, start, l->amount, 1);
    }
    return start;
}
