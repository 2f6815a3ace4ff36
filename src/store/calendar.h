/* Private: the project's working calendar in the store (table
 * calendar_day), for src/worktime/calendar.c. */
#ifndef GG_STORE_CALENDAR_H
#define GG_STORE_CALENDAR_H

#include "govgrid/worktime.h"
#include "store/store.h"

/* The project's calendar as CSV text (date,kind,name) into *csv (gg_free),
 * or NULL when the project has none. */
gg_status gg_store_calendar_csv(gg_store *store, char **csv);

/* Replaces the project's calendar by cal's days; inside the caller's
 * transaction. */
gg_status gg_store_calendar_replace(gg_store *store, const gg_calendar *cal);

#endif
