/* Private: the times of the closed loop. Stored times are ISO 8601 UTC
 * ("2026-03-02T01:30:00Z"); a date alone ("2026-03-02", a review date)
 * is its day's start in China Standard Time (UTC+8), where the working
 * calendar's days are. */
#ifndef GG_WORKTIME_CLOCK_H
#define GG_WORKTIME_CLOCK_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/worktime.h"

/* text as seconds since the epoch into *t: 1, or 0 when it is not a date
 * (YYYY-MM-DD) or a date and time (YYYY-MM-DDTHH:MM[:SS] with Z, +HH:MM or
 * -HH:MM; none: UTC). */
int gg_clock_parse(const char *text, int64_t *t);

/* Days since 1970-01-01 of the proleptic Gregorian date y-m-d. */
int64_t gg_clock_days(int64_t y, int m, int d);
/* The date of day z (days since 1970-01-01). */
void gg_clock_civil(int64_t z, int *y, int *m, int *d);

/* t as YYYY-MM-DDTHH:MM:SSZ into out (at least 21 bytes). */
void gg_clock_format(int64_t t, char *out, size_t size);

/* The time the limit text gives (a single limit, or the last stage of
 * staged ones: "1wd:temporary repair|5wd:repaired") from start on cal into
 * *due: 1, or 0 when text is empty or does not parse. */
int gg_clock_deadline(const char *limit, int64_t start, const gg_calendar *cal, int64_t *due);

/* The same with the first stage (the one to reach the site by). */
int gg_clock_first_deadline(const char *limit, int64_t start, const gg_calendar *cal, int64_t *due);

#endif
