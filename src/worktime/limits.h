/* Private: time limits of catalogue items ("2h", "30min", "7wd", staged
 * "1wd:temporary repair|5wd:repaired") and the deadlines they give. */
#ifndef GG_WORKTIME_LIMITS_H
#define GG_WORKTIME_LIMITS_H

#include <stddef.h>
#include <time.h>

typedef enum gg_time_unit {
    GG_MINUTES = 0,             /* "min" */
    GG_HOURS,                   /* "h": clock hours */
    GG_DAYS,                    /* "d": calendar days */
    GG_WORKING_HOURS,           /* "wh": 09:00-12:00 and 13:00-18:00, Monday to Friday */
    GG_WORKING_DAYS             /* "wd": Monday to Friday */
} gg_time_unit;

typedef struct gg_limit {
    int amount;
    gg_time_unit unit;
    char stage[96];             /* what must be done by then ("" for a single limit) */
} gg_limit;

#define GG_MAX_STAGES 6

/* Parses a limit or stages separated by '|'. Returns the number of stages
 * (1 or more), or 0 with why filled in. */
int gg_limits_parse(const char *text, gg_limit *out, int max, char *why, size_t why_size);

struct gg_calendar;

/* The deadline of a limit started at start (seconds since the epoch),
 * counted in China Standard Time (UTC+8); working days and hours on cal
 * (NULL: Monday to Friday, public holidays unknown). */
time_t gg_limit_deadline(time_t start, const gg_limit *limit, const struct gg_calendar *cal);

#endif
