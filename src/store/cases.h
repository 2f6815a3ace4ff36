/* Private: the store's readers and writers of incidents as the closed
 * loop sees them (store/cases.c) and of their history, the table
 * incident_event, which is only ever added to. */
#ifndef GG_STORE_CASES_H
#define GG_STORE_CASES_H

#include "govgrid/dispatch.h"
#include "govgrid/incident.h"
#include "store/store.h"

/* The incident numbered id (or, id 0, with request_id) into *out; its
 * state as stored into state. GG_ERR_NOT_FOUND naming it when there is
 * none. */
gg_status gg_store_case_read(gg_store *store, int64_t id, const char *request_id, gg_case *out, char state[16]);

/* Called for each incident a list holds: 1 for the next, 0 to stop, -1
 * on an error set on the store's context. */
typedef int (*gg_store_case_fn)(const gg_case *c, void *arg);

/* The incidents f picks by state, place, department (lead or
 * co-handling), item, handler and source (its light and level are for the
 * caller to judge; with a light or supervision asked, only those in a
 * state that has one), newest first, to fn. */
gg_status gg_store_case_list(gg_store *store, const gg_case_filter *f, gg_store_case_fn fn, void *arg);

/* What incident c's item sets for its clock: the limits to reach the site
 * and to handle it and the time to close it after the feedback ("" each
 * when the item or the field is gone). */
gg_status gg_store_case_item(gg_store *store, const gg_case *c, char reach[128], char handle[128],
                             char close[32]);

/* A newly stored incident's number as its request id, and its route: its
 * handler, level, lead department, co-handlers, the worker copied, its
 * source channel, when its clock started and the deadline to reach the
 * site (each NULL or "" for none). */
gg_status gg_store_incident_route(gg_store *store, int64_t id, const char *handler, int level, const char *department,
                                  const char *co_handlers, const char *copied, const char *source,
                                  const char *stage_started, const char *reach_by);

/* When incident id's latest event of action happened, into at ("" for
 * never). */
gg_status gg_store_case_last_action(gg_store *store, int64_t id, const char *action, char at[32]);

/* The project's escalation levels (gg_case_levels). */
gg_status gg_store_case_levels(gg_store *store, gg_case_level *levels, size_t *n);
/* Replaces them; inside the caller's transaction. */
gg_status gg_store_case_levels_replace(gg_store *store, const gg_case_level *levels, size_t n);
/* Column col of s as an incident's warn_at: the item's share, or
 * GG_CASE_WARN_AT when it sets none (NULL, or not above 0 and at most 1). */
double gg_store_column_warn_at(sqlite3_stmt *s, int col);

/* Each distinct level route ("level:3", "level:district") of the current
 * catalogue's items, with the first item that has it: each(ud, route,
 * item_code) until it returns nonzero. */
gg_status gg_store_catalogue_level_routes(gg_store *store, int (*each)(void *ud, const char *route, const char *item),
                                          void *ud);

/* The contact of level for the first of divisions[0..n) (most specific
 * first) that has one, else the one for "*", into name and phone ("" each
 * for none). */
gg_status gg_store_level_contact(gg_store *store, int level, const char *const *divisions, size_t n,
                                 char name[64], char phone[32]);
/* One level's contact for one division. */
typedef struct gg_level_contact {
    int level;
    char division[16];
    char name[64];
    char phone[32];
} gg_level_contact;
/* Replaces the contacts; inside the caller's transaction. */
gg_status gg_store_level_contacts_replace(gg_store *store, const gg_level_contact *c, size_t n);

/* The staffing rules, [0] urban and [1] rural. */
gg_status gg_store_staffing_rules(gg_store *store, gg_staffing_rule rules[2]);
/* Replaces them; inside the caller's transaction. */
gg_status gg_store_staffing_rules_replace(gg_store *store, const gg_staffing_rule rules[2]);

/* The duty hours of every worker who has them: ids[i], shifts[i], *n of
 * them (free both arrays' strings and the arrays with gg_free). */
gg_status gg_store_worker_shifts(gg_store *store, char ***ids, char ***shifts, size_t *n);

/* Each worker's open incidents of their grid (department incidents aside:
 * a copied worker keeps their turn), one call of each per worker. */
gg_status gg_store_worker_open(gg_store *store, void (*each)(void *ud, const char *worker_id, int64_t n), void *ud);

/* The event that actor's idempotency key made: 1 with its incident and
 * action, 0 when there is none, -1 on an error (recorded). */
int gg_store_case_resent(gg_store *store, const char *actor, const char *key, int64_t *incident, char action[16]);

/* Adds e to incident's history (its seq is the next), with the texts
 * note, reason and attachments (a JSON array), each may be NULL, in place
 * of e's own, e's author and client_update_id, and the idempotency key of
 * the request that made it (may be NULL); *id (may be NULL) receives the
 * event's id. */
gg_status gg_store_case_event_add(gg_store *store, int64_t incident, const gg_case_event *e, const char *note,
                                  const char *reason, const char *attachments, const char *idempotency_key,
                                  int64_t *id);

/* The event actor stored with client_update_id: its id and incident, or
 * both 0 when there is none. */
gg_status gg_store_case_event_by_client(gg_store *store, const char *actor, const char *client_update_id,
                                        int64_t *event, int64_t *incident);

/* The result the handler reported last on incident (the note of its
 * latest feedback) into *note (gg_free), or NULL when there is none. */
gg_status gg_store_case_result(gg_store *store, int64_t incident, char **note);

/* One event of the updates' window, with its incident's request id and
 * the result fed back before it (owned, may be NULL). */
typedef struct gg_store_update {
    gg_case_event e;
    char request_id[64];
    char *result;
} gg_store_update;

/* The events after the arrivals whose time is within [start, end], by
 * time then id, offset skipped, at most limit, into *out (*n of them);
 * free with gg_store_updates_free. */
gg_status gg_store_case_updates(gg_store *store, const char *start, const char *end, int64_t offset, int64_t limit,
                                gg_store_update **out, size_t *n);
void gg_store_updates_free(gg_ctx *ctx, gg_store_update *rows, size_t n);

/* Stores c's state, handler, level, deadline, pending extension, review
 * date, satisfaction and flag on its incident, with open or closed as its
 * Open311 status, note (may be NULL) as its status notes and now as its
 * update time. */
gg_status gg_store_case_write(gg_store *store, const gg_case *c, const char *note, const char *now);

/* Incident id's history, oldest first (gg_case_events_free). */
gg_status gg_store_case_events(gg_store *store, int64_t id, gg_case_event **out, size_t *n);

#endif
