/*
 * govgrid incident: the closed loop an incident goes through after it is
 * reported (信息收集 → 任务派遣 → 任务处理 → 结果反馈 → 核查结案).
 *
 * An incident is in one state; an action moves it to another (or leaves it
 * where it is: an extension, a rating), by the table of transitions in
 * src/incident/caseflow.c, which refuses every other move with the reason.
 * Each action is stored as an event of the incident's history (who, when,
 * from which state to which, note, reason, attachments, deadline, level,
 * handler): the history is only ever added to (the store's triggers refuse
 * a change or a deletion, whoever writes), and the incident's own row
 * carries its current state, handler, level and deadline.
 */
#ifndef GOVGRID_INCIDENT_H
#define GOVGRID_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum gg_case_state {
    GG_CASE_REPORTED = 0,   /* collected: located, not yet taken on */
    GG_CASE_ACCEPTED,       /* it meets its item's reporting condition */
    GG_CASE_REJECTED,       /* it does not (a reason given); the end */
    GG_CASE_DISPATCHED,     /* sent to a handler: the clock runs */
    GG_CASE_IN_PROGRESS,    /* the handler is at it */
    GG_CASE_FED_BACK,       /* the handler reported the result */
    GG_CASE_VERIFIED,       /* the result was checked on site */
    GG_CASE_CLOSED,         /* filed; the end (unless reopened) */
    GG_CASE_RETURNED,       /* sent back as wrongly dispatched (a reason given) */
    GG_CASE_SUSPENDED,      /* parked until a review date (long engineering cases) */
    GG_CASE_STATE_COUNT
} gg_case_state;

typedef enum gg_case_action {
    GG_CASE_ACCEPT = 0,     /* reported -> accepted */
    GG_CASE_REJECT,         /* reported -> rejected; needs a reason */
    GG_CASE_DISPATCH,       /* accepted, returned -> dispatched; needs a handler */
    GG_CASE_START,          /* dispatched -> in progress */
    GG_CASE_FEEDBACK,       /* dispatched, in progress -> fed back; needs a note (the result) */
    GG_CASE_VERIFY,         /* fed back -> verified */
    GG_CASE_CLOSE,          /* verified -> closed; on_site: reported, accepted -> closed with a note
                               (a grid worker fixed it on the spot and files it in one step) */
    GG_CASE_RETURN,         /* dispatched, in progress -> returned; needs a reason */
    GG_CASE_EXTEND,         /* dispatched, in progress: asks for a new deadline; with approve, grants
                               the one asked (or the one given) */
    GG_CASE_SUSPEND,        /* dispatched, in progress -> suspended; needs a review date */
    GG_CASE_RESUME,         /* suspended -> in progress */
    GG_CASE_REOPEN,         /* fed back, verified, closed -> dispatched (verification failed, or the
                               reporter was not satisfied); needs a reason */
    GG_CASE_ESCALATE,       /* accepted, dispatched, in progress, returned -> dispatched one level up;
                               needs a reason */
    GG_CASE_RATE,           /* closed: the reporter's satisfaction (satisfied, basically, not) */
    GG_CASE_ACTION_COUNT
} gg_case_action;

/* The levels an incident escalates through, from the grid (0) up; the
 * last is the district centre. */
#define GG_CASE_LEVELS 4

/* "reported", "accepted", ...; NULL for a state this library lacks. */
GG_API const char *gg_case_state_name(gg_case_state state);
/* The state named name into *state: GG_OK, or GG_ERR_ARG. */
GG_API gg_status gg_case_state_parse(gg_ctx *ctx, const char *name, gg_case_state *state);
/* "accept", "reject", ...; NULL for an action this library lacks. */
GG_API const char *gg_case_action_name(gg_case_action action);
/* The action named name into *action: GG_OK, or GG_ERR_ARG naming the
 * actions there are. */
GG_API gg_status gg_case_action_parse(gg_ctx *ctx, const char *name, gg_case_action *action);

/* Where action takes an incident in state from, by the table of
 * transitions: 1 with *to set (the same state for an extension or a
 * rating), or 0 with why (may be NULL) saying which states the action
 * takes an incident from. on_site: the close of a case handled on the
 * spot. Pure: no store. */
GG_API int gg_case_next(gg_case_state from, gg_case_action action, int on_site, gg_case_state *to, char *why,
                        size_t why_size);

/* One action on an incident. The texts are borrowed; those an action does
 * not take are ignored, those it needs are checked. */
typedef struct gg_case_request {
    gg_case_action action;
    const char *note;           /* what was done or found (feedback: the result) */
    const char *reason;         /* reject, return, reopen, escalate */
    const char *handler;        /* dispatch (a worker id or a department); escalate: the level's contact */
    const char *deadline;       /* extend: the deadline asked or granted (ISO 8601) */
    const char *review_on;      /* suspend: the review date (ISO 8601) */
    const char *satisfaction;   /* rate: "satisfied", "basically" or "not" */
    const char *const *attachments; /* photo URLs (http or https), n_attachments of them */
    size_t n_attachments;
    int approve;                /* extend: grant it */
    int on_site;                /* close: handled on the spot */
    int accountability;         /* escalate, reopen: serious consequences: flag for review (责任倒查) */
    const char *at;             /* the time it happened (ISO 8601 UTC); NULL: now */
    /* NULL, or 1-200 printable ASCII characters without spaces, kept with
     * the event the request makes. A request whose key the store's actor
     * has sent before is a resend: nothing is done, and the incident is
     * answered as it is now with replayed set (GG_ERR_EXISTS when that key
     * came with another action or incident). A client that got no answer
     * sends the same request with the same key again. */
    const char *idempotency_key;
} gg_case_request;

/* An incident as the loop sees it. */
typedef struct gg_case {
    int64_t id;
    char request_id[64];
    char service_code[32];
    gg_case_state state;
    char handler[64];           /* "" for none */
    int level;                  /* 0 grid ... GG_CASE_LEVELS - 1 the district centre */
    char deadline[32];          /* "" for none */
    char extension_asked[32];   /* a deadline asked for and not yet granted, or "" */
    char review_on[32];         /* suspended: the review date */
    char satisfaction[16];      /* "" until rated */
    int accountability;         /* flagged for accountability review */
    int64_t events;             /* its history's length */
    int replayed;               /* gg_case_act: 1 when the request was a resend and did nothing */
} gg_case;

/* One event of an incident's history. */
typedef struct gg_case_event {
    int64_t seq;                /* 1, 2, ... in the incident's order */
    char at[32];
    char actor[64];
    char action[16];            /* an action's name, or "report" for the incident's arrival */
    char from_state[16];        /* "" for the arrival */
    char to_state[16];
    char *note, *reason, *attachments; /* owned, may be NULL; attachments a JSON array of URLs */
    char deadline[32];
    int level;
    char handler[64];
} gg_case_event;

/* Does req on incident id (its number, or its request_id when id is 0 and
 * request_id is given) in one transaction: the transition checked against
 * the table and the request (a missing reason, handler, deadline, review
 * date or note; a second pending extension; a level beyond the last), the
 * event stored with the store's actor as who, and the incident's row set.
 * *out (may be NULL) receives the incident after it. GG_ERR_NOT_FOUND for
 * an unknown incident, GG_ERR_INVALID_INPUT for a move the table or the
 * request refuses (the reason in the message), GG_ERR_ARG for a request
 * that is wrong in itself. */
GG_API gg_status gg_case_act(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                             const gg_case_request *req, gg_case *out);

/* One action of a batch: req on incident id (or, id 0, request_id), done
 * by actor (NULL: the store's actor, gg_store_set_actor), who is recorded
 * as who did it and whose idempotency keys it is checked against. */
typedef struct gg_case_item {
    int64_t id;
    const char *request_id;
    gg_case_request req;
    const char *actor;
} gg_case_item;

/* What became of one action of a batch. */
typedef struct gg_case_outcome {
    gg_status status;           /* GG_OK (done, or a resend: incident.replayed), or why it was refused */
    char message[256];          /* ... in words */
    gg_case incident;           /* GG_OK: the incident after it */
} gg_case_outcome;

/* Does n actions in one transaction (one commit, one sync to disk for
 * them all), in order, each as gg_case_act does it: checked against the
 * table and the request, its event stored and the incident's row set.
 * Results are per action, not all-or-nothing: out[k] tells what became
 * of items[k], and an action refused (GG_ERR_INVALID_INPUT, GG_ERR_ARG,
 * GG_ERR_NOT_FOUND, GG_ERR_EXISTS as gg_case_act gives them) stores
 * nothing while the others are done; a later action on the same incident
 * sees the earlier ones of the batch. Returns GG_OK when the transaction
 * committed; otherwise (the store could not be written: locked past its
 * busy timeout, disk full...) nothing of the batch is stored, every
 * outcome that was GG_OK carries the error, and the error is on ctx. */
GG_API gg_status gg_case_act_many(gg_ctx *ctx, gg_store *store, const gg_case_item *items, size_t n,
                                  gg_case_outcome *out);

/* The incident (as gg_case_act finds it) and its history, oldest first,
 * into *events (*n of them; may be NULL), to free with
 * gg_case_events_free. */
GG_API gg_status gg_case_get(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id, gg_case *out,
                             gg_case_event **events, size_t *n);
GG_API void gg_case_events_free(gg_ctx *ctx, gg_case_event *events, size_t n);

/* The incident as JSON text {id, request_id, service_code, state, handler,
 * level, deadline, extension_asked, review_on, satisfaction,
 * accountability, events}, with_history adding "history": [{seq, at,
 * actor, action, from, to, note, reason, attachments, deadline, level,
 * handler}] from events[0..n). Free *json with gg_text_free. */
GG_API gg_status gg_case_json(gg_ctx *ctx, const gg_case *c, const gg_case_event *events, size_t n,
                              int with_history, char **json);

/* ---- the working calendar ----
 *
 * Time limits in working days and hours run on a working calendar: Monday
 * to Friday, less public holidays, plus the weekend days worked in their
 * place (调休), as the State Council announces them each year. A calendar
 * is read from CSV text: a header "date,kind,name", then one line per day
 * that differs from the plain week, kind "holiday" or "workday"
 * (data/calendar/cn-2025-2026.csv holds 2025 and 2026). Days are China
 * Standard Time (UTC+8); working hours 09:00-12:00 and 13:00-18:00. */

typedef struct gg_calendar gg_calendar;

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

#ifdef __cplusplus
}
#endif

#endif
