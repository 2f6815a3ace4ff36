/* An action on an incident: checked against the table of transitions
 * (caseflow.c) and against what the action needs, stored as an event of
 * the incident's history, and the incident's row set, in one transaction. */
#include "govgrid/incident.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core/ctx.h"
#include "store/cases.h"

static void utc_now(char *out, size_t size)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static int blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* A time as ISO 8601 (a date, or a date and time): the shape only. */
static int iso_time(const char *s)
{
    int y, mo, d;
    return s != NULL && strlen(s) < 32 && sscanf(s, "%4d-%2d-%2d", &y, &mo, &d) == 3 && mo >= 1 && mo <= 12 &&
           d >= 1 && d <= 31 && (s[10] == '\0' || s[10] == 'T' || s[10] == ' ');
}

/* The attachments as a JSON array of URLs (malloc'd through ctx), or NULL
 * with an error for one that is not an http(s) URL. */
static gg_status attachments_json(gg_ctx *ctx, const gg_case_request *req, char **out)
{
    *out = NULL;
    if (req->n_attachments == 0)
        return GG_OK;
    size_t len = 3;
    for (size_t i = 0; i < req->n_attachments; i++) {
        const char *u = req->attachments[i];
        if (u == NULL || (strncmp(u, "http://", 7) != 0 && strncmp(u, "https://", 8) != 0) || strlen(u) > 2000 ||
            strpbrk(u, "\"\\ \t\r\n") != NULL)
            return gg_error(ctx, GG_ERR_ARG, "attachment %zu: not an http or https URL: '%.80s'", i + 1, u ? u : "");
        len += strlen(u) + 3;
    }
    char *s = gg_malloc(ctx, len);
    if (s == NULL)
        return gg_error_nomem(ctx);
    size_t at = 0;
    s[at++] = '[';
    for (size_t i = 0; i < req->n_attachments; i++)
        at += (size_t)sprintf(s + at, "%s\"%s\"", i ? "," : "", req->attachments[i]);
    s[at++] = ']';
    s[at] = '\0';
    *out = s;
    return GG_OK;
}

/* What the action needs from the request, beyond the table's states. */
static gg_status check_request(gg_ctx *ctx, const gg_case *c, const gg_case_request *req)
{
    const char *name = gg_case_action_name(req->action);
    switch (req->action) {
    case GG_CASE_REJECT:
    case GG_CASE_RETURN:
    case GG_CASE_REOPEN:
    case GG_CASE_ESCALATE:
        if (blank(req->reason))
            return gg_error(ctx, GG_ERR_ARG, "%s needs a reason", name);
        break;
    case GG_CASE_DISPATCH:
        if (blank(req->handler))
            return gg_error(ctx, GG_ERR_ARG, "dispatch needs a handler (a worker id or a department)");
        break;
    case GG_CASE_FEEDBACK:
        if (blank(req->note))
            return gg_error(ctx, GG_ERR_ARG, "feedback needs a note: what was done");
        break;
    case GG_CASE_CLOSE:
        if (req->on_site && blank(req->note))
            return gg_error(ctx, GG_ERR_ARG, "a close on the spot needs a note: what was done");
        break;
    case GG_CASE_SUSPEND:
        if (!iso_time(req->review_on))
            return gg_error(ctx, GG_ERR_ARG, "suspend needs a review date (YYYY-MM-DD)");
        break;
    case GG_CASE_EXTEND:
        if (!blank(req->deadline) && !iso_time(req->deadline))
            return gg_error(ctx, GG_ERR_ARG, "extend: '%s' is not a date or time (ISO 8601)", req->deadline);
        if (!req->approve && blank(req->deadline))
            return gg_error(ctx, GG_ERR_ARG, "extend needs the deadline asked for");
        if (!req->approve && c->extension_asked[0] != '\0')
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "incident %lld already waits for an extension to %s: approve it first", (long long)c->id,
                            c->extension_asked);
        if (req->approve && blank(req->deadline) && c->extension_asked[0] == '\0')
            return gg_error(ctx, GG_ERR_INVALID_INPUT,
                            "incident %lld has no extension asked for: give the new deadline to grant one",
                            (long long)c->id);
        break;
    case GG_CASE_RATE:
        if (req->satisfaction == NULL || (strcmp(req->satisfaction, "satisfied") != 0 &&
                                          strcmp(req->satisfaction, "basically") != 0 &&
                                          strcmp(req->satisfaction, "not") != 0))
            return gg_error(ctx, GG_ERR_ARG, "rate needs the reporter's satisfaction: satisfied, basically or not");
        if (c->satisfaction[0] != '\0')
            return gg_error(ctx, GG_ERR_INVALID_INPUT, "incident %lld was rated already (%s)", (long long)c->id,
                            c->satisfaction);
        break;
    case GG_CASE_ACCEPT:
    case GG_CASE_START:
    case GG_CASE_VERIFY:
    case GG_CASE_RESUME:
    case GG_CASE_ACTION_COUNT:
        break;
    }
    if (req->action == GG_CASE_ESCALATE && c->level + 1 >= GG_CASE_LEVELS)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "incident %lld is at the district centre, the last level: record a referral beyond it with "
                        "a note instead",
                        (long long)c->id);
    return GG_OK;
}

/* The incident after the action: its row's fields. */
static void apply(gg_case *c, gg_case_state to, const gg_case_request *req)
{
    switch (req->action) {
    case GG_CASE_DISPATCH:
        snprintf(c->handler, sizeof c->handler, "%s", req->handler);
        break;
    case GG_CASE_RETURN:
        c->handler[0] = '\0';
        break;
    case GG_CASE_ESCALATE:
        c->level++;
        if (!blank(req->handler))
            snprintf(c->handler, sizeof c->handler, "%s", req->handler);
        break;
    case GG_CASE_EXTEND:
        if (req->approve) {
            snprintf(c->deadline, sizeof c->deadline, "%s", blank(req->deadline) ? c->extension_asked : req->deadline);
            c->extension_asked[0] = '\0';
        } else {
            snprintf(c->extension_asked, sizeof c->extension_asked, "%s", req->deadline);
        }
        break;
    case GG_CASE_SUSPEND:
        snprintf(c->review_on, sizeof c->review_on, "%s", req->review_on);
        break;
    case GG_CASE_RESUME:
        c->review_on[0] = '\0';
        break;
    case GG_CASE_RATE:
        snprintf(c->satisfaction, sizeof c->satisfaction, "%s", req->satisfaction);
        break;
    case GG_CASE_REOPEN:
        c->satisfaction[0] = '\0';
        break;
    default:
        break;
    }
    if ((req->action == GG_CASE_ESCALATE || req->action == GG_CASE_REOPEN) && req->accountability)
        c->accountability = 1;
    c->state = to;
}

gg_status gg_case_get(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id, gg_case *out,
                      gg_case_event **events, size_t *n)
{
    if (events != NULL) {
        *events = NULL;
        if (n != NULL)
            *n = 0;
    }
    if (ctx == NULL || store == NULL || out == NULL || (events != NULL && n == NULL))
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_get: NULL store or result") : GG_ERR_ARG;
    char state[16];
    gg_status st = gg_store_case_read(store, id, request_id, out, state);
    if (st == GG_OK && gg_case_state_parse(ctx, state, &out->state) != GG_OK)
        st = gg_error(ctx, GG_ERR_STORE, "%s: incident %lld has the unknown state '%s'", store->path,
                      (long long)out->id, state);
    if (st == GG_OK && events != NULL)
        st = gg_store_case_events(store, out->id, events, n);
    return st;
}

/* A request that is wrong in itself, whatever the incident: its action,
 * time, idempotency key and attachments (into *attachments, gg_free). */
static gg_status check_alone(gg_ctx *ctx, const gg_case_request *req, char **attachments)
{
    *attachments = NULL;
    if (gg_case_action_name(req->action) == NULL)
        return gg_error(ctx, GG_ERR_ARG, "action %d is not one this library has", (int)req->action);
    if (req->at != NULL && !iso_time(req->at))
        return gg_error(ctx, GG_ERR_ARG, "'%s' is not a time (ISO 8601)", req->at);
    if (req->idempotency_key != NULL) {
        size_t n = strlen(req->idempotency_key);
        int ok = n >= 1 && n <= 200;
        for (size_t i = 0; i < n && ok; i++)
            ok = req->idempotency_key[i] > 0x20 && req->idempotency_key[i] < 0x7f;
        if (!ok)
            return gg_error(ctx, GG_ERR_ARG, "an idempotency key is 1-200 printable ASCII characters without spaces");
    }
    return attachments_json(ctx, req, attachments);
}

/* One action inside the caller's transaction: a resend answered with the
 * incident as it is, or the move checked against the table and the
 * request, then the event added and the row set. Nothing is written
 * unless every check passed, so a refusal leaves the transaction as it
 * was; an error of the store itself may leave it half done (the caller
 * rolls back). */
static gg_status act_one(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                         const gg_case_request *req, const char *attachments, const char *actor, gg_case *out)
{
    if (blank(actor))
        actor = gg_store_actor(store);
    if (blank(actor))
        actor = "unknown";
    gg_case c;
    if (req->idempotency_key != NULL) {
        int64_t made_on = 0;
        char action[16];
        int resent = gg_store_case_resent(store, actor, req->idempotency_key, &made_on, action);
        if (resent < 0)
            return gg_ctx_errcode(ctx) != GG_OK ? gg_ctx_errcode(ctx) : GG_ERR_STORE;
        if (resent > 0) {
            gg_status st = gg_case_get(ctx, store, id, request_id, &c, NULL, NULL);
            if (st != GG_OK)
                return st;
            if (c.id != made_on || strcmp(action, gg_case_action_name(req->action)) != 0)
                return gg_error(ctx, GG_ERR_EXISTS,
                                "Idempotency-Key '%.60s' came before with a different request (%s on incident %lld)",
                                req->idempotency_key, action, (long long)made_on);
            c.replayed = 1;
            *out = c;
            return GG_OK;
        }
    }
    gg_case_state to = GG_CASE_REPORTED;
    gg_status st = gg_case_get(ctx, store, id, request_id, &c, NULL, NULL);
    if (st != GG_OK)
        return st;
    gg_case_state from = c.state;
    char why[256];
    if (!gg_case_next(from, req->action, req->on_site, &to, why, sizeof why))
        return gg_error(ctx, GG_ERR_INVALID_INPUT, "incident %lld: %s", (long long)c.id, why);
    st = check_request(ctx, &c, req);
    if (st != GG_OK)
        return st;
    char now[32];
    if (req->at != NULL)
        snprintf(now, sizeof now, "%s", req->at);
    else
        utc_now(now, sizeof now);
    apply(&c, to, req);
    gg_case_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.at, sizeof e.at, "%s", now);
    snprintf(e.actor, sizeof e.actor, "%s", actor);
    snprintf(e.action, sizeof e.action, "%s", gg_case_action_name(req->action));
    snprintf(e.from_state, sizeof e.from_state, "%s", gg_case_state_name(from));
    snprintf(e.to_state, sizeof e.to_state, "%s", gg_case_state_name(to));
    snprintf(e.deadline, sizeof e.deadline, "%s",
             req->action == GG_CASE_EXTEND ? (req->approve ? c.deadline : c.extension_asked)
             : req->action == GG_CASE_SUSPEND ? c.review_on
                                              : "");
    e.level = c.level;
    snprintf(e.handler, sizeof e.handler, "%s", c.handler);
    st = gg_store_case_event_add(store, c.id, &e,
                                 req->action == GG_CASE_RATE && blank(req->note) ? req->satisfaction : req->note,
                                 req->reason, attachments, req->idempotency_key);
    if (st == GG_OK)
        st = gg_store_case_write(store, &c, blank(req->note) ? req->reason : req->note, now);
    c.events++;
    if (st == GG_OK)
        *out = c;
    return st;
}

gg_status gg_case_act(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                      const gg_case_request *req, gg_case *out)
{
    if (ctx == NULL || store == NULL || req == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_act: NULL store or request") : GG_ERR_ARG;
    char *attachments = NULL;
    gg_status st = check_alone(ctx, req, &attachments);
    if (st != GG_OK)
        return st;
    st = gg_store_begin(store);
    if (st != GG_OK) {
        gg_free(ctx, attachments);
        return st;
    }
    gg_case c;
    st = act_one(ctx, store, id, request_id, req, attachments, NULL, &c);
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    gg_free(ctx, attachments);
    if (st == GG_OK && out != NULL)
        *out = c;
    return st;
}

static void outcome_failed(gg_ctx *ctx, gg_status st, gg_case_outcome *out)
{
    memset(out, 0, sizeof *out);
    out->status = st;
    snprintf(out->message, sizeof out->message, "%s", gg_ctx_errmsg(ctx));
    gg_ctx_clear_error(ctx);
}

gg_status gg_case_act_many(gg_ctx *ctx, gg_store *store, const gg_case_item *items, size_t n, gg_case_outcome *out)
{
    if (ctx == NULL || store == NULL || (n > 0 && (items == NULL || out == NULL)))
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_act_many: NULL store, items or outcomes") : GG_ERR_ARG;
    if (n == 0)
        return GG_OK;
    gg_status st = gg_store_begin(store);
    if (st != GG_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(ctx));
        for (size_t k = 0; k < n; k++) {
            memset(&out[k], 0, sizeof out[k]);
            out[k].status = st;
            snprintf(out[k].message, sizeof out[k].message, "%s", msg);
        }
        return st;
    }
    for (size_t k = 0; k < n && st == GG_OK; k++) {
        memset(&out[k], 0, sizeof out[k]);
        char *attachments = NULL;
        gg_status one = check_alone(ctx, &items[k].req, &attachments);
        if (one == GG_OK)
            one = act_one(ctx, store, items[k].id, items[k].request_id, &items[k].req, attachments, items[k].actor,
                          &out[k].incident);
        gg_free(ctx, attachments);
        if (one == GG_OK)
            continue;
        /* A refusal wrote nothing (act_one checks before it writes); a
         * failure of the store itself ends the batch. */
        if (one == GG_ERR_INVALID_INPUT || one == GG_ERR_ARG || one == GG_ERR_NOT_FOUND || one == GG_ERR_EXISTS)
            outcome_failed(ctx, one, &out[k]);
        else
            st = one;
    }
    if (st == GG_OK)
        st = gg_store_commit(store);
    if (st != GG_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(ctx));
        if (store->in_transaction)
            gg_store_rollback(store);
        for (size_t k = 0; k < n; k++)
            if (out[k].status == GG_OK) {
                memset(&out[k], 0, sizeof out[k]);
                out[k].status = st;
                snprintf(out[k].message, sizeof out[k].message, "%s", msg);
            }
        gg_error(ctx, st, "%s", msg);
    }
    return st;
}

void gg_case_events_free(gg_ctx *ctx, gg_case_event *events, size_t n)
{
    for (size_t i = 0; events != NULL && i < n; i++) {
        gg_free(ctx, events[i].note);
        gg_free(ctx, events[i].reason);
        gg_free(ctx, events[i].attachments);
    }
    gg_free(ctx, events);
}

/* ---- the JSON view ---- */

static json_t *text_or_null(const char *s)
{
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

gg_status gg_case_json(gg_ctx *ctx, const gg_case *c, const gg_case_event *events, size_t n, int with_history,
                       char **json)
{
    *json = NULL;
    json_t *o = json_pack("{s:I, s:s, s:s, s:s, s:o, s:i, s:o, s:o, s:o, s:o, s:b, s:I}", "id", (json_int_t)c->id,
                          "request_id", c->request_id, "service_code", c->service_code, "state",
                          gg_case_state_name(c->state), "handler", text_or_null(c->handler), "level", c->level,
                          "deadline", text_or_null(c->deadline), "extension_asked", text_or_null(c->extension_asked),
                          "review_on", text_or_null(c->review_on), "satisfaction", text_or_null(c->satisfaction),
                          "accountability", c->accountability != 0, "events", (json_int_t)c->events);
    json_t *h = with_history && o ? json_array() : NULL;
    for (size_t i = 0; h != NULL && i < n; i++) {
        const gg_case_event *e = &events[i];
        json_t *a = e->attachments ? json_loads(e->attachments, 0, NULL) : NULL;
        json_array_append_new(h, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:i, s:o}", "seq",
                                           (json_int_t)e->seq, "at", e->at, "actor", e->actor, "action", e->action,
                                           "from", text_or_null(e->from_state), "to", e->to_state, "note",
                                           text_or_null(e->note), "reason", text_or_null(e->reason), "attachments",
                                           a ? a : json_array(), "deadline", text_or_null(e->deadline), "level",
                                           e->level, "handler", text_or_null(e->handler)));
    }
    if (h != NULL)
        json_object_set_new(o, "history", h);
    *json = o ? json_dumps(o, JSON_PRESERVE_ORDER | JSON_COMPACT) : NULL;
    json_decref(o);
    return *json ? GG_OK : gg_error_nomem(ctx);
}
