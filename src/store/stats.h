/* Private: the store's reader of incidents for the statistics
 * (incident/stats.c): every incident in one query, with what the counts
 * need and no more. */
#ifndef GG_STORE_STATS_H
#define GG_STORE_STATS_H

#include "govgrid/incident.h"
#include "store/store.h"

/* One incident as the statistics read it: the fields of c that
 * gg_case_light_at and the groups need (id, state, handler, level,
 * deadline, review date, satisfaction, grid, community, source,
 * department, clock; the rest zero), when it was received and when it was
 * closed last ("" unless it is closed now). */
typedef struct gg_store_stats_row {
    gg_case c;
    char requested[32];
    char closed_at[32];
} gg_store_stats_row;

/* Called for each incident: 1 for the next, 0 to stop, -1 on an error
 * set on the store's context. */
typedef int (*gg_store_stats_fn)(const gg_store_stats_row *row, void *arg);

/* Every incident, in id order, to fn. */
gg_status gg_store_case_stats_rows(gg_store *store, gg_store_stats_fn fn, void *arg);

#endif
