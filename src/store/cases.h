/* Private: the store's readers and writers of incidents as the closed
 * loop sees them (store/cases.c) and of their history, the table
 * incident_event, which is only ever added to. */
#ifndef GG_STORE_CASES_H
#define GG_STORE_CASES_H

#include "govgrid/incident.h"
#include "store/store.h"

/* The incident numbered id (or, id 0, with request_id) into *out; its
 * state as stored into state. GG_ERR_NOT_FOUND naming it when there is
 * none. */
gg_status gg_store_case_read(gg_store *store, int64_t id, const char *request_id, gg_case *out, char state[16]);

/* The event that actor's idempotency key made: 1 with its incident and
 * action, 0 when there is none, -1 on an error (recorded). */
int gg_store_case_resent(gg_store *store, const char *actor, const char *key, int64_t *incident, char action[16]);

/* Adds e to incident's history (its seq is the next), with the texts
 * note, reason and attachments (a JSON array), each may be NULL, in place
 * of e's own, and the idempotency key of the request that made it (may be
 * NULL). */
gg_status gg_store_case_event_add(gg_store *store, int64_t incident, const gg_case_event *e, const char *note,
                                  const char *reason, const char *attachments, const char *idempotency_key);

/* Stores c's state, handler, level, deadline, pending extension, review
 * date, satisfaction and flag on its incident, with open or closed as its
 * Open311 status, note (may be NULL) as its status notes and now as its
 * update time. */
gg_status gg_store_case_write(gg_store *store, const gg_case *c, const char *note, const char *now);

/* Incident id's history, oldest first (gg_case_events_free). */
gg_status gg_store_case_events(gg_store *store, int64_t id, gg_case_event **out, size_t *n);

/* The project's calendar as CSV text (date,kind,name) into *csv (gg_free),
 * or NULL when the project has none. */
gg_status gg_store_calendar_csv(gg_store *store, char **csv);

/* Replaces the project's calendar by cal's days; inside the caller's
 * transaction. */
gg_status gg_store_calendar_replace(gg_store *store, const gg_calendar *cal);

#endif
