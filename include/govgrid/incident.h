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
 *
 * Before the loop: the item catalogue an incident is reported against, and
 * the submission that locates an incident, routes it (place x item) and
 * stores it.
 */
#ifndef GOVGRID_INCIDENT_H
#define GOVGRID_INCIDENT_H

#include <stddef.h>
#include <stdint.h>

#include "govgrid/core.h"
#include "govgrid/store.h"
#include "govgrid/worktime.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- the item catalogue (事项清单) ---- */

/* Loads the catalogue shipped with govgrid (data/catalogue.csv, carried by
 * the library) as a new catalogue version, in one transaction. *version
 * (may be NULL) receives it. */
GG_API gg_status gg_catalogue_load_shipped(gg_ctx *ctx, gg_store *store, int64_t *version);

/* The newest catalogue version, 0 when the project has none. */
GG_API gg_status gg_catalogue_current(gg_ctx *ctx, gg_store *store, int64_t *version);

/* ---- catalogue items ---- */

typedef struct gg_catalogue_item {
    const char *item_code, *class_name, *subclass, *name, *name_en, *department, *reporting_condition,
        *reach_within, *handle_within, *closing_condition;
    /* The facts a report of this item carries, as Open311 attribute
     * definitions: a JSON array ("" when the item asks none), checked
     * and written whole when the catalogue was imported. */
    const char *attributes;
    /* Who handles it: "" or "grid" the grid's worker; "department" the
     * item's department, the grid's worker copied; "level:N" the
     * department at escalation level N at once, "level:community",
     * "level:township" or "level:district" at the project's first level
     * of that scope. With the lead, the
     * co-handling departments (';'-separated, "" for none); the time to
     * verify and close after the feedback ("" for 1 working day). */
    const char *route, *co_departments, *close_within;
} gg_catalogue_item;

typedef struct gg_catalogue gg_catalogue;

/* The current catalogue version (0: newest) read whole. */
GG_API gg_status gg_catalogue_read(gg_ctx *ctx, gg_store *store, int64_t version, gg_catalogue **out);
GG_API int64_t gg_catalogue_version(const gg_catalogue *cat);
GG_API size_t gg_catalogue_count(const gg_catalogue *cat);
GG_API const gg_catalogue_item *gg_catalogue_item_at(const gg_catalogue *cat, size_t i);
GG_API const gg_catalogue_item *gg_catalogue_find(const gg_catalogue *cat, const char *item_code);
GG_API void gg_catalogue_free(gg_catalogue *cat);

/* One answer to an item's attribute: code and value as sent. */
typedef struct gg_attribute_value {
    const char *code, *value;
} gg_attribute_value;

/* Checks the answers of a report of item against its attribute
 * definitions: each code declared and variable, each value of its
 * datatype (a decimal number, an ISO 8601 date and time, one line for a
 * string, one of the keys for a list; several only for a
 * multivaluelist), every required one given. *json receives them as a
 * JSON object to store (free with gg_text_free; NULL when none).
 * GG_ERR_ARG with a message naming the attribute. */
GG_API gg_status gg_catalogue_attributes_check(gg_ctx *ctx, const gg_catalogue_item *item,
                                               const gg_attribute_value *values, size_t n, char **json);

/* An ISO 8601 date ("2026-11-22"), or date and time with an optional
 * offset ("2026-11-22T10:00:00+08:00"), as UTC in out ("...Z"): 1, or 0
 * when the text is not one. */
GG_API int gg_iso8601_utc(const char *text, char *out, size_t size);

/* ---- incidents ---- */

struct gg_locator;     /* include/govgrid/locate.h */
struct gg_dispatcher;  /* include/govgrid/dispatch.h */

typedef struct gg_incident_input {
    const char *service_code;           /* a catalogue item code */
    int has_location;
    double lon, lat;                    /* WGS 84 */
    const char *address, *description, *email, *phone, *first_name, *last_name, *device_id, *account_id,
        *media_url, *attributes_json, *api_key_name; /* each may be NULL */
    const char *source;                 /* the channel: hotline, grid, app, open311 (NULL: open311); another is
                                           GG_ERR_ARG */
    /* Resent requests. A request with the same api_key_name and
     * idempotency_key as a stored one is that one; so is one whose
     * fingerprint (key name, service code, position to 1e-7 degree or the
     * address, description, email, attributes) matches one stored within
     * the last retry_window seconds (0: no window). */
    const char *idempotency_key;        /* may be NULL; 1-200 bytes */
    int64_t retry_window;
    /* When it was reported, in seconds since the epoch (UTC): its request
     * time, its arrival's time and the start of its deadline; 0: now. For
     * incidents taken over from another system, or a recorded day replayed. */
    int64_t requested;
} gg_incident_input;

typedef struct gg_incident_receipt {
    int64_t id;
    char request_id[24];
    char grid_code[24];
    char worker_id[64];
    char expected[32];                  /* ISO 8601 UTC, the last stage's deadline */
    char stage[16];                     /* "dispatched", or "reported" (waiting in the dispatch queue) */
    char notice[256];                   /* what happened to it, in words, for the reporter */
    int replayed;                       /* 1: a resent request, answered with the stored one */
    gg_status status;                   /* gg_incident_submit_many: GG_OK, or why this one is not stored */
    char message[256];                  /* ... in words */
} gg_incident_receipt;

/* Stores an incident located on loc (grid, worker, status) in one committed
 * transaction: when this returns GG_OK the incident is on disk (WAL,
 * synchronous=FULL). A grid with nobody on its roster does not take it:
 * it waits in the dispatch queue (stage "collected") of the grid's
 * community, and the notice says so. A resent request (see
 * gg_incident_input) stores nothing and gets the stored one's receipt,
 * replayed set. GG_ERR_NOT_FOUND for a service_code not in the catalogue,
 * GG_ERR_ARG for coordinates out of range, GG_ERR_EXISTS for an
 * idempotency key sent before with a different request. The caller
 * serialises calls that share the store or the dispatcher. */
GG_API gg_status gg_incident_submit(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat,
                                    const struct gg_locator *loc, struct gg_dispatcher *d,
                                    const gg_incident_input *in, gg_incident_receipt *out);

/* Stores n incidents as gg_incident_submit does each, in one transaction
 * (one commit, one sync to disk for them all): out[k] is in[k]'s receipt,
 * out[k].status GG_OK when it is stored (or a resend, replayed set), else
 * the error gg_incident_submit would have given and out[k].message. A
 * later input that resends an earlier one of the same call is its resend.
 * Returns GG_OK when the transaction committed; otherwise (the store could
 * not be written: locked by another process past its busy timeout, disk
 * full...) nothing is stored, every receipt that was GG_OK carries the
 * error, each worker's turn is given back, and the error is on ctx. */
GG_API gg_status gg_incident_submit_many(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat,
                                         const struct gg_locator *loc, struct gg_dispatcher *d,
                                         const gg_incident_input *in, size_t n, gg_incident_receipt *out);

/* ---- incidents as Open311 JSON (free with gg_text_free) ---- */

typedef struct gg_incident_filter {
    const char *request_ids;    /* comma-separated, or NULL */
    const char *service_codes;  /* comma-separated, or NULL */
    const char *status;         /* "open", "closed", "open,closed" or NULL */
    const char *start, *end;    /* ISO 8601 UTC bounds of the request time, or NULL */
    int limit;                  /* at most this many (0: 1000) */
    int64_t offset;             /* after skipping this many */
    /* What is shown. GG_VIEW_PUBLIC: the request and where it went (grid,
     * community, stage); GG_VIEW_STAFF adds the workers it went to;
     * GG_VIEW_FULL adds the reporter (email, phone, first_name,
     * last_name, device_id, account_id) and the attributes. */
    int view;
} gg_incident_filter;

enum { GG_VIEW_PUBLIC = 0, GG_VIEW_STAFF = 1, GG_VIEW_FULL = 2 };

/* Incidents as an Open311 GeoReport v2 array of service requests (with the
 * catalogue's department as agency_responsible, and grid_code, community,
 * locate_status, stage and, by view, the workers and the reporter as
 * extensions), newest first. */
GG_API gg_status gg_incidents_json(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat,
                                   const gg_incident_filter *filter, char **json, size_t *len);

/* How many incidents the filter matches, limit and offset aside. */
GG_API gg_status gg_incidents_count(gg_ctx *ctx, gg_store *store, const gg_incident_filter *filter, int64_t *n);

/* ---- the closed loop ---- */

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
    GG_CASE_REFER,          /* accepted, dispatched, in progress, returned at the last level: referred
                               beyond the district (to whom: handler; why: reason); the state stays */
    GG_CASE_COMMENT,        /* every state, which it leaves as it is: a remark kept in the history (the
                               reporter's, say); needs a note or an attachment */
    GG_CASE_ACTION_COUNT
} gg_case_action;

/* The most escalation levels a project may configure (gg_case_levels). */
#define GG_CASE_LEVELS_MAX 8

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

/* The person behind an action, as the client that sent it names them (a
 * reporter commenting through an Open311 client): each text may be NULL.
 * Kept with the event; shown only to a reader with the read right. */
typedef struct gg_case_author {
    const char *first_name, *last_name, *email, *phone, *account_id;
    const char *written_at;     /* when they wrote it, as the client says (ISO 8601) */
} gg_case_author;

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
    const gg_case_author *author; /* who, behind the store's actor; NULL: the actor alone */
    const char *client_update_id; /* the client's own id of this action (1-100 printable ASCII characters,
                                     no spaces), or NULL: one actor's id is stored once, a second action
                                     with it is refused (GG_ERR_EXISTS) */
    /* NULL, or 1-200 printable ASCII characters without spaces, kept with
     * the event the request makes. A request whose key the store's actor
     * has sent before is a resend: nothing is done, and the incident is
     * answered as it is now with replayed set (GG_ERR_EXISTS when that key
     * came with another action or incident). A client that got no answer
     * sends the same request with the same key again. */
    const char *idempotency_key;
} gg_case_request;

/* An incident as the loop sees it. Times are ISO 8601 UTC, "" for none. */
typedef struct gg_case {
    int64_t id;
    char request_id[64];
    char service_code[32];
    gg_case_state state;
    char handler[64];           /* a worker id, a department or a level's contact; "" for none */
    int level;                  /* 0 the grid ... the last configured level */
    char deadline[32];          /* to have handled it (fed back) */
    char extension_asked[32];   /* a deadline asked for and not yet granted */
    char review_on[32];         /* suspended: the review date */
    char satisfaction[16];      /* "" until rated */
    int accountability;         /* flagged for accountability review */
    int64_t events;             /* its history's length */
    /* Where it is and who else is on it. */
    char grid_code[32], community[16];
    char source[16];            /* the channel it came by: hotline, grid, app, open311 */
    char department[64];        /* the lead department, "" when the grid handles it */
    char co_handlers[128];      /* the co-handling departments, ';'-separated */
    char copied[64];            /* the grid worker copied when a department handles it */
    char referred_to[64];       /* referred beyond the last level to */
    /* Its clock: when the running stage started, the deadlines to reach
     * the site (dispatched) and to close (fed back, verified), and from
     * what share of a stage's time its light turns yellow (its item's
     * warn_at, GG_CASE_WARN_AT by default). */
    char stage_started[32], reach_by[32], close_by[32];
    double warn_at;
    double lon, lat;            /* where it was reported (WGS 84 degrees); NaN when it came without a place */
    int replayed;               /* gg_case_act: 1 when the request was a resend and did nothing */
} gg_case;

/* The share of a stage's time after which its light is yellow, for an
 * item that sets none. */
#define GG_CASE_WARN_AT 0.8

/* ---- lights ----
 *
 * Every open stage of an incident has a light: green while on time,
 * yellow once warn_at of the stage's time is used, red when overdue. The
 * stages: dispatched, to reach the site (reach_by) and to handle it
 * (deadline), the light the worse of the two; in progress, to handle it;
 * fed back and verified, to close it (close_by); suspended, the review
 * date (red from its start, China Standard Time). Reported, accepted,
 * returned and the ends have none. A red light puts the incident on the
 * supervision list (督办) of the level above its own; it does not move it. */
typedef enum gg_case_light {
    GG_LIGHT_NONE = 0,
    GG_LIGHT_GREEN,
    GG_LIGHT_YELLOW,
    GG_LIGHT_RED
} gg_case_light;

/* text (ISO 8601: a date and time, Z or an offset; a date alone is its
 * start in China Standard Time) as seconds since the epoch into *t: 1, or
 * 0 when it is not one. */
GG_API int gg_case_time_parse(const char *text, int64_t *t);

/* "none", "green", "yellow", "red". */
GG_API const char *gg_case_light_name(gg_case_light light);
GG_API gg_status gg_case_light_parse(gg_ctx *ctx, const char *name, gg_case_light *light);
/* c's light at now (seconds since the epoch); *stage (may be NULL)
 * receives the stage that gives it ("reach", "handle", "close", "review",
 * or "" for none) and *due (may be NULL) that stage's deadline (0 for
 * none). Pure. */
GG_API gg_case_light gg_case_light_at(const gg_case *c, int64_t now, const char **stage, int64_t *due);

/* One event of an incident's history. */
typedef struct gg_case_event {
    int64_t id;                 /* the event's number in the project (an Open311 update's update_id) */
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
    char *author;               /* owned, may be NULL: a JSON object {first_name, last_name, email, phone,
                                   account_id, written_at} of the members given */
    char client_update_id[128]; /* "" for none */
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

/* The Open311 status of an incident in state, in the extended vocabulary
 * of mySociety's Open311 (FixMyStreet's): INVESTIGATING (accepted,
 * returned), ACTION_SCHEDULED (dispatched, suspended), IN_PROGRESS (in
 * progress, fed back, verified), FIXED (closed),
 * NOT_COUNCILS_RESPONSIBILITY (rejected), OPEN (reported); *closed (may
 * be NULL) is 1 for FIXED and NOT_COUNCILS_RESPONSIBILITY, the two whose
 * GeoReport v2 status is closed. NULL for a state this library lacks. */
GG_API const char *gg_case_open311_status(gg_case_state state, int *closed);

/* An update from the reporter, as an Open311 client posts one (mySociety's
 * POST servicerequestupdates). The texts are borrowed. */
typedef struct gg_case_reporter_update {
    const char *update_id;      /* the client's id of it: the same id from the same actor is stored once */
    const char *status;         /* "OPEN" or "CLOSED": how the reporter sees the incident after it */
    const char *description;    /* what they say */
    const char *media_url;      /* a photo (http or https URL), or NULL */
    gg_case_author author;
} gg_case_reporter_update;

/* Stores u on incident id (or request_id, id 0) in one transaction, the
 * store's actor (the client's key) as who and u->author behind it:
 *   - status OPEN on a closed incident: the reporter is not satisfied. The
 *     rating "not" is recorded (unless the incident was rated already) and
 *     the incident reopened with the description as the reason: two
 *     events, rate then reopen, the update's id the reopen's;
 *   - status CLOSED on an incident that is not closed or rejected:
 *     refused, GG_ERR_INVALID_INPUT (a reporter does not close an
 *     incident);
 *   - status OPEN on a rejected incident: refused, GG_ERR_INVALID_INPUT
 *     (a rejection is the end: the reporter reports it again);
 *   - otherwise a comment, the incident's state left as it is.
 * *update_id receives the id of the event that holds the update.
 * u->update_id seen before from the same actor on the same incident: that
 * update's id, *replayed 1 (may be NULL), nothing written; on another
 * incident, GG_ERR_EXISTS. GG_ERR_ARG for an update that is wrong in
 * itself (no update_id, a status other than OPEN or CLOSED, no description
 * and no media_url, a reopening without a description, a media_url that
 * is not a URL), GG_ERR_NOT_FOUND for an unknown incident. *out (may be
 * NULL) receives the incident after it. */
GG_API gg_status gg_case_report_update(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                                       const gg_case_reporter_update *u, int64_t *update_id, int *replayed,
                                       gg_case *out);

/* One update of an incident as its reporter sees it: an event of its
 * history after its arrival. */
typedef struct gg_case_update {
    int64_t id;                 /* the event's id */
    char request_id[64];
    char status[32];            /* gg_case_open311_status of the state it left the incident in */
    char at[32];
    char *description;          /* owned: what happened, in a sentence for the reporter */
    char *media_url;            /* owned, may be NULL: the event's first attachment */
} gg_case_update;

/* The updates whose time is within [start, end] (ISO 8601 UTC,
 * YYYY-MM-DDTHH:MM:SSZ), oldest first (by time, then id), offset of them
 * skipped and at most limit (1 or more) into *out (*n of them);
 * *more (may be NULL) is 1 when there are further ones. Free with
 * gg_case_updates_free. */
GG_API gg_status gg_case_updates(gg_ctx *ctx, gg_store *store, const char *start, const char *end, int64_t offset,
                                 size_t limit, gg_case_update **out, size_t *n, int *more);
GG_API void gg_case_updates_free(gg_ctx *ctx, gg_case_update *updates, size_t n);
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
 * handler, author, client_update_id}] from events[0..n). Free *json with
 * gg_text_free. */
GG_API gg_status gg_case_json(gg_ctx *ctx, const gg_case *c, const gg_case_event *events, size_t n,
                              int with_history, char **json);

/* ---- open incidents: the dispatcher's list and the supervision list ---- */

/* Which incidents a list holds; NULL or "" fields do not filter. */
typedef struct gg_case_filter {
    const char *state;          /* a state's name, or "open" for every state but rejected and closed */
    const char *grid_code, *community, *department, *service_code, *handler, *source;
    gg_case_light light;        /* GG_LIGHT_NONE: any */
    int supervision;            /* only red ones: the supervision list */
    int level;                  /* with supervision: only those the level supervises (its own level + 1);
                                   -1 any */
    int64_t now;                /* the time lights are taken at (seconds since the epoch; 0: now) */
    size_t limit;               /* 0: 1000 */
} gg_case_filter;

/* The incidents filter picks, newest first, as a JSON document {now,
 * count, truncated, cases: [case as gg_case_json gives it, plus light,
 * light_stage, due, supervised_by (the level above, for a red one: its
 * number and name), lon and lat (null without a place)]} into *json
 * (gg_text_free). */
GG_API gg_status gg_case_list_json(gg_ctx *ctx, gg_store *store, const gg_case_filter *filter, char **json);

/* ---- statistics: what a district is judged by ----
 *
 * For a period [from, to] (seconds since the epoch, both inclusive), per
 * group and in total:
 *   received        incidents reported in the period (requested within it);
 *   accepted        of those, the ones taken on: in any state but reported
 *                   and rejected now (a close on the spot counts; a
 *                   rejection is made only from reported, so no rejected
 *                   incident was ever accepted);
 *   rejected        of those, the ones rejected;
 *   pending         of those, the ones still reported (neither yet);
 *   closed          incidents closed now whose latest close event falls in
 *                   the period, whenever they were received (one reopened
 *                   and not closed again is not closed);
 *   closed_on_time  of those, the ones whose latest close event is at or
 *                   before the handling deadline the incident holds
 *                   (incident.expected: granted extensions and an
 *                   escalation's new limit count, a pending request does
 *                   not); one without a deadline is on time;
 *   closed_late     closed - closed_on_time;
 *   open            of the received, the ones neither closed nor rejected,
 *                   by their light at `at` (gg_case_light_at on the
 *                   incident as stored: none, green, yellow, red);
 *   overdue_open    of the open, the ones whose handling deadline is
 *                   before `at`, but for the suspended (their clock is
 *                   stopped: a resume moves the deadline on);
 *   overdue         overdue_open + closed_late;
 *   close hours     from requested to the latest close event, of the
 *                   closed: the median (the mean of the two middle ones
 *                   for an even count) and the 90th percentile (nearest
 *                   rank: the ceil(0.9 n)-th smallest);
 *   rates           closure = closed / received, on_time = closed_on_time
 *                   / closed, satisfaction = (satisfied + basically) /
 *                   rated, of the closed with a rating.
 * The state is the store's, now; `at` only judges the clocks. Where open
 * incidents wait (stuck): the open of the received by who has them (their
 * lead department, else their handler, else "") and state, most first. */
typedef enum gg_stats_by {
    GG_STATS_BY_NONE = 0,       /* the total alone */
    GG_STATS_BY_GRID,
    GG_STATS_BY_COMMUNITY,
    GG_STATS_BY_TOWNSHIP,       /* the community code's first 9 digits */
    GG_STATS_BY_DEPARTMENT,     /* the lead department, "" when the grid handles it */
    GG_STATS_BY_ITEM,           /* the catalogue item (service_code) */
    GG_STATS_BY_SOURCE,
    GG_STATS_BY_LEVEL           /* the current escalation level */
} gg_stats_by;

typedef enum gg_stats_interval {
    GG_STATS_INTERVAL_NONE = 0,
    GG_STATS_INTERVAL_DAY,      /* days, weeks (from Monday) and months of China Standard Time */
    GG_STATS_INTERVAL_WEEK,
    GG_STATS_INTERVAL_MONTH
} gg_stats_interval;

typedef struct gg_stats_options {
    int has_from, has_to;       /* 0: from the first incident received; to `at` */
    int64_t from, to;
    int64_t at;                 /* when the clocks are judged; 0: now */
    gg_stats_by by;
    gg_stats_interval interval; /* NONE: no series */
} gg_stats_options;

/* A rate, an hour figure: -1 when there is nothing to take it of. */
typedef struct gg_stats_row {
    char key[64];               /* the group ("" for none; the total's is "") */
    int64_t received, accepted, rejected, pending;
    int64_t closed, closed_on_time, closed_late;
    int64_t open, open_by_light[4]; /* indexed by gg_case_light */
    int64_t overdue_open, overdue;
    int64_t rated, satisfied;   /* satisfied: "satisfied" or "basically" */
    double close_hours_median, close_hours_p90;
    double closure_rate, on_time_rate, satisfaction_rate;
} gg_stats_row;

typedef struct gg_stats_stuck {
    char who[64];               /* department, else handler, else "" */
    gg_case_state state;
    int64_t count, red;         /* red: of them, with a red light */
} gg_stats_stuck;

/* One interval of the series: received, closed and closed on time in
 * [start, end). */
typedef struct gg_stats_point {
    int64_t start, end;
    char label[16];             /* YYYY-MM-DD, or YYYY-MM for a month */
    int64_t received, closed, closed_on_time;
    double closure_rate, on_time_rate;
} gg_stats_point;

typedef struct gg_case_stats {
    int64_t from, to, at;       /* the period as taken (from: the first incident's time, or to, when none) */
    gg_stats_by by;
    gg_stats_interval interval;
    gg_stats_row total;
    gg_stats_row *rows;         /* n_rows groups, by key */
    size_t n_rows;
    gg_stats_stuck *stuck;      /* n_stuck, most first */
    size_t n_stuck;
    gg_stats_point *series;     /* n_series intervals, oldest first (interval NONE: none) */
    size_t n_series;
} gg_case_stats;

/* "none", "grid", "community", "township", "department", "item",
 * "source", "level"; NULL for another value. */
GG_API const char *gg_stats_by_name(gg_stats_by by);
/* GG_ERR_ARG naming the choices for a name that is none of them. */
GG_API gg_status gg_stats_by_parse(gg_ctx *ctx, const char *name, gg_stats_by *by);
/* "none", "day", "week", "month". */
GG_API const char *gg_stats_interval_name(gg_stats_interval interval);
GG_API gg_status gg_stats_interval_parse(gg_ctx *ctx, const char *name, gg_stats_interval *interval);

/* Counts the statistics opts asks for from store's incidents (one read of
 * them, the lights computed from their rows) into *out (gg_case_stats_free).
 * GG_ERR_ARG for from after to, an unknown grouping or interval, or a
 * series of more than 5000 intervals. */
GG_API gg_status gg_case_stats_compute(gg_ctx *ctx, gg_store *store, const gg_stats_options *opts,
                                       gg_case_stats **out);
GG_API void gg_case_stats_free(gg_ctx *ctx, gg_case_stats *stats);

/* s as JSON text {from, to, at, by, total, groups: [...], stuck: [...],
 * series: [...] (with an interval)}; a rate or an hour figure of -1 is
 * null. Free *json with gg_text_free. */
GG_API gg_status gg_case_stats_json(gg_ctx *ctx, const gg_case_stats *s, char **json);

/* ---- escalation levels ----
 *
 * The levels an incident escalates through, from the grid (0) up, are the
 * project's: four by default (网格, 社区工作站, 镇街综治中心, 区综治中心); a
 * district with three imports its own. Each level has a scope (the
 * division whose contact takes it: grid, community, township, district)
 * and may have a time limit, which an escalation to it sets as the new
 * deadline. Past the last level an incident is referred (GG_CASE_REFER). */
typedef struct gg_case_level {
    int level;
    char name[64];
    char scope[16];             /* grid, community, township, district */
    char handle_within[32];     /* "" for none: the deadline stays */
} gg_case_level;

/* The project's levels, lowest first, into levels[GG_CASE_LEVELS_MAX]; *n
 * receives how many. */
GG_API gg_status gg_case_levels(gg_ctx *ctx, gg_store *store, gg_case_level *levels, size_t *n);
/* Replaces the project's levels by those of CSV text (header
 * level,name,scope,handle_within; levels 0, 1, ... in order; the first
 * scope grid; each scope wider than the one before; limits that parse),
 * in one transaction. GG_ERR_FORMAT naming the line. */
GG_API gg_status gg_case_levels_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len,
                                       const char *name, size_t *n);
/* Replaces the levels' contacts by those of CSV text (header
 * level,division,name,phone: the contact of a level above the grid for
 * one division of the level's scope; division "*" for any division), in
 * one transaction. The grid level's contact is the grid's leader. */
GG_API gg_status gg_level_contacts_import(gg_ctx *ctx, gg_store *store, const char *text, size_t len,
                                          const char *name, size_t *n);

#ifdef __cplusplus
}
#endif

#endif
