/*
 * govgrid worktime: working time. The working calendar (weekends, public
 * holidays and the weekend days worked in their place, 调休), time limits
 * counted on it, and a worker's duty hours. Time limits of the closed
 * loop (include/govgrid/incident.h) and duty rosters of the dispatcher
 * (include/govgrid/dispatch.h) both run on it.
 */
#ifndef GOVGRID_WORKTIME_H
#define GOVGRID_WORKTIME_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gg_calendar gg_calendar;

/* ---- the working calendar ----
 *
 * Time limits in working days and hours run on a working calendar: Monday
 * to Friday, less public holidays, plus the weekend days worked in their
 * place (调休), as the State Council announces them each year. A calendar
 * is read from CSV text: a header "date,kind,name", then one line per day
 * that differs from the plain week, kind "holiday" or "workday"
 * (data/calendar/cn-2025-2026.csv holds 2025 and 2026). Days are China
 * Standard Time (UTC+8); working hours 09:00-12:00 and 13:00-18:00. */

/* The calendar of text (len bytes; name, e.g. its file, for messages).
 * GG_ERR_FORMAT naming the line for a line that is not a date (YYYY-MM-DD),
 * a kind or a day given twice. */
GG_API gg_status gg_calendar_parse(gg_ctx *ctx, const char *text, size_t len, const char *name, gg_calendar **out);
GG_API void gg_calendar_free(gg_calendar *cal);
/* The number of days that differ from the plain week. */
GG_API size_t gg_calendar_days(const gg_calendar *cal);
/* Whether y-m-d is a working day (cal NULL: the plain week). */
GG_API int gg_calendar_working(const gg_calendar *cal, int y, int m, int d);
/* The time (seconds since the epoch) amount working days after start, the
 * same time of day; or amount working hours after start (hours 1). cal
 * NULL: the plain week. */
GG_API int64_t gg_calendar_add(const gg_calendar *cal, int64_t start, int amount, int hours);

/* The calendar shipped with the library (data/calendar/cn-2025-2026.csv). */
GG_API gg_status gg_calendar_shipped(gg_ctx *ctx, gg_calendar **out);
/* The project's calendar (gg_calendar_import), or the shipped one when it
 * has none; *from_project says which (may be NULL). */
GG_API gg_status gg_calendar_load(gg_ctx *ctx, gg_store *store, gg_calendar **out, int *from_project);
/* Replaces the project's calendar by the one in text (checked as
 * gg_calendar_parse does; nothing is written when it is wrong), in one
 * transaction; *days (may be NULL) receives its number of days. */
GG_API gg_status gg_calendar_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len, const char *name,
                                    size_t *days);
/* Day i (by date) of cal: its date (YYYY-MM-DD), whether it is worked and
 * its name (may be ""). 0 when i is past the end. */
GG_API int gg_calendar_day(const gg_calendar *cal, size_t i, char date[11], int *working, const char **name);

/* ---- duty hours ----
 *
 * A worker's duty hours (the workers layer's shift field): periods
 * separated by ';', each days then times, e.g. "mon-fri 08:30-17:30;
 * sat 09:00-12:00". Days: mon..sun, a range (fri-mon wraps), a list
 * (mon,wed,fri), "daily", or "workdays" (the working days of the
 * calendar, 调休 included); times HH:MM-HH:MM, China Standard Time, an end
 * before the start running past midnight. No duty hours: always on duty. */

/* Whether text is valid duty hours; why (may be NULL) says what is wrong. */
GG_API int gg_duty_valid(const char *text, char *why, size_t why_size);
/* Whether a worker with duty hours text is on duty at t (seconds since the
 * epoch), on calendar cal (NULL: the plain week). Invalid text: on duty. */
GG_API int gg_duty_on(const char *text, int64_t t, const gg_calendar *cal);

#ifdef __cplusplus
}
#endif

#endif
