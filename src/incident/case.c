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

gg_status gg_case_act(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                      const gg_case_request *req, gg_case *out)
{
    if (ctx == NULL || store == NULL || req == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_act: NULL store or request") : GG_ERR_ARG;
    if (gg_case_action_name(req->action) == NULL)
        return gg_error(ctx, GG_ERR_ARG, "gg_case_act: action %d is not one this library has", (int)req->action);
    if (req->at != NULL && !iso_time(req->at))
        return gg_error(ctx, GG_ERR_ARG, "'%s' is not a time (ISO 8601)", req->at);
    char *attachments = NULL;
    gg_status st = attachments_json(ctx, req, &attachments);
    if (st != GG_OK)
        return st;
    st = gg_store_begin(store);
    if (st != GG_OK) {
        gg_free(ctx, attachments);
        return st;
    }
    gg_case c;
    gg_case_state to = GG_CASE_REPORTED;
    st = gg_case_get(ctx, store, id, request_id, &c, NULL, NULL);
    gg_case_state from = c.state;
    char why[256];
    if (st == GG_OK && !gg_case_next(from, req->action, req->on_site, &to, why, sizeof why))
        st = gg_error(ctx, GG_ERR_INVALID_INPUT, "incident %lld: %s", (long long)c.id, why);
    if (st == GG_OK)
        st = check_request(ctx, &c, req);
    char now[32];
    if (req->at != NULL)
        snprintf(now, sizeof now, "%s", req->at);
    else
        utc_now(now, sizeof now);
    if (st == GG_OK) {
        apply(&c, to, req);
        gg_case_event e;
        memset(&e, 0, sizeof e);
        snprintf(e.at, sizeof e.at, "%s", now);
        const char *actor = gg_store_actor(store);
        snprintf(e.actor, sizeof e.actor, "%s", blank(actor) ? "unknown" : actor);
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
                                     req->reason, attachments);
        if (st == GG_OK)
            st = gg_store_case_write(store, &c, blank(req->note) ? req->reason : req->note, now);
        c.events++;
    }
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    gg_free(ctx, attachments);
    if (st == GG_OK && out != NULL)
        *out = c;
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
