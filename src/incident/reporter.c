/* The closed loop as the reporter sees it through an Open311 client
 * (mySociety's extension of GeoReport v2, which FixMyStreet speaks): each
 * state as an Open311 status, the history after the arrival as updates,
 * and the updates a reporter sends back: a comment, or a reopening when
 * they are not satisfied with a closed incident. */
#include "govgrid/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "core/ctx.h"
#include "incident/case_private.h"
#include "store/cases.h"

/* Each state's status where FixMyStreet's statuses say the same thing
 * (FixMyStreet maps each to a state of its own: "investigating",
 * "action scheduled", "in progress", "fixed - council", "not
 * responsible"); closed as GeoReport v2's status (store/cases.c writes the
 * same). A result fed back or verified is still being handled: the
 * incident is FIXED only when it is closed. */
static const struct {
    const char *status;
    int closed;
} open311_status[GG_CASE_STATE_COUNT] = {
    [GG_CASE_REPORTED] = {"OPEN", 0},
    [GG_CASE_ACCEPTED] = {"INVESTIGATING", 0},
    [GG_CASE_REJECTED] = {"NOT_COUNCILS_RESPONSIBILITY", 1},
    [GG_CASE_DISPATCHED] = {"ACTION_SCHEDULED", 0},
    [GG_CASE_IN_PROGRESS] = {"IN_PROGRESS", 0},
    [GG_CASE_FED_BACK] = {"IN_PROGRESS", 0},
    [GG_CASE_VERIFIED] = {"IN_PROGRESS", 0},
    [GG_CASE_CLOSED] = {"FIXED", 1},
    [GG_CASE_RETURNED] = {"INVESTIGATING", 0},
    [GG_CASE_SUSPENDED] = {"ACTION_SCHEDULED", 0},
};

const char *gg_case_open311_status(gg_case_state state, int *closed)
{
    if ((int)state < 0 || state >= GG_CASE_STATE_COUNT)
        return NULL;
    if (closed != NULL)
        *closed = open311_status[state].closed;
    return open311_status[state].status;
}

static int blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* What the update is in itself, before the store is read. */
static gg_status check_update(gg_ctx *ctx, const gg_case_reporter_update *u, int *reopen_wanted)
{
    if (!gg_case_client_id_ok(u->update_id))
        return gg_error(ctx, GG_ERR_ARG, "update_id: 1-100 printable ASCII characters without spaces");
    if (u->status == NULL || (strcasecmp(u->status, "OPEN") != 0 && strcasecmp(u->status, "CLOSED") != 0))
        return gg_error(ctx, GG_ERR_ARG, "status: '%.40s' is not OPEN or CLOSED", u->status ? u->status : "");
    if (blank(u->description) && blank(u->media_url))
        return gg_error(ctx, GG_ERR_ARG, "an update needs a description or a media_url");
    if (!blank(u->media_url) && ((strncmp(u->media_url, "http://", 7) != 0 && strncmp(u->media_url, "https://", 8) != 0) ||
                                 strpbrk(u->media_url, "\"\\ \t\r\n") != NULL))
        return gg_error(ctx, GG_ERR_ARG, "media_url: not an http or https URL");
    *reopen_wanted = strcasecmp(u->status, "OPEN") == 0;
    return GG_OK;
}

/* The update on c inside the transaction: a comment, or the rating "not"
 * and the reopening, or a refusal. */
static gg_status store_update(gg_ctx *ctx, gg_store *store, gg_case *c, const gg_case_reporter_update *u,
                              int reopen_wanted, int64_t *update_id)
{
    int closed = 0;
    gg_case_open311_status(c->state, &closed);
    if (!reopen_wanted && !closed)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "incident %lld is %s, not closed: a reporter's update does not close it (send status OPEN"
                        " to comment on it)",
                        (long long)c->id, gg_case_state_name(c->state));
    if (reopen_wanted && c->state == GG_CASE_REJECTED)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "incident %lld was rejected, which ends it: it cannot be reopened (report it again)",
                        (long long)c->id);
    const char *media[1] = {u->media_url};
    gg_case_request req;
    memset(&req, 0, sizeof req);
    req.author = &u->author;
    req.client_update_id = u->update_id;
    req.attachments = media;
    req.n_attachments = blank(u->media_url) ? 0 : 1;
    if (!(reopen_wanted && c->state == GG_CASE_CLOSED)) {
        req.action = GG_CASE_COMMENT;
        req.note = u->description;
        return gg_case_act_within(ctx, store, c, &req, NULL, update_id, NULL);
    }
    /* Not satisfied: the rating first (a second one is not taken: the
     * first stands in the history), then the reopening, which holds the
     * update. */
    if (blank(u->description))
        return gg_error(ctx, GG_ERR_ARG, "reopening incident %lld needs a description: what is still wrong",
                        (long long)c->id);
    if (c->satisfaction[0] == '\0') {
        gg_case_request rate;
        memset(&rate, 0, sizeof rate);
        rate.action = GG_CASE_RATE;
        rate.satisfaction = "not";
        rate.author = &u->author;
        gg_status st = gg_case_act_within(ctx, store, c, &rate, NULL, NULL, NULL);
        if (st != GG_OK)
            return st;
    }
    req.action = GG_CASE_REOPEN;
    req.reason = u->description;
    return gg_case_act_within(ctx, store, c, &req, NULL, update_id, NULL);
}

gg_status gg_case_report_update(gg_ctx *ctx, gg_store *store, int64_t id, const char *request_id,
                                const gg_case_reporter_update *u, int64_t *update_id, int *replayed, gg_case *out)
{
    if (replayed != NULL)
        *replayed = 0;
    if (ctx == NULL || store == NULL || u == NULL || update_id == NULL)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_report_update: NULL store, update or result") : GG_ERR_ARG;
    *update_id = 0;
    int reopen_wanted = 0;
    gg_status st = check_update(ctx, u, &reopen_wanted);
    if (st != GG_OK)
        return st;
    st = gg_store_begin(store);
    if (st != GG_OK)
        return st;
    gg_case c;
    st = gg_case_get(ctx, store, id, request_id, &c, NULL, NULL);
    const char *actor = gg_store_actor(store);
    int64_t seen = 0, seen_on = 0;
    if (st == GG_OK)
        st = gg_store_case_event_by_client(store, blank(actor) ? "unknown" : actor, u->update_id, &seen, &seen_on);
    if (st == GG_OK && seen != 0 && seen_on != c.id)
        st = gg_error(ctx, GG_ERR_EXISTS, "update_id '%s' came before for another service request (incident %lld)",
                      u->update_id, (long long)seen_on);
    if (st == GG_OK && seen != 0) {
        *update_id = seen;
        if (replayed != NULL)
            *replayed = 1;
    } else if (st == GG_OK) {
        st = store_update(ctx, store, &c, u, reopen_wanted, update_id);
    }
    if (st == GG_OK)
        st = gg_store_commit(store);
    else
        gg_store_rollback(store);
    if (st == GG_OK && out != NULL)
        *out = c;
    return st;
}

/* The first URL of a stored JSON array of them, or NULL. */
static char *first_attachment(gg_ctx *ctx, const char *attachments, int *nomem)
{
    json_t *a = attachments != NULL ? json_loads(attachments, 0, NULL) : NULL;
    const char *url = json_string_value(json_array_get(a, 0));
    char *out = NULL;
    if (url != NULL) {
        out = gg_malloc(ctx, strlen(url) + 1);
        if (out != NULL)
            strcpy(out, url);
        else
            *nomem = 1;
    }
    json_decref(a);
    return out;
}

gg_status gg_case_updates(gg_ctx *ctx, gg_store *store, const char *start, const char *end, int64_t offset,
                          size_t limit, gg_case_update **out, size_t *n, int *more)
{
    if (out != NULL)
        *out = NULL;
    if (n != NULL)
        *n = 0;
    if (more != NULL)
        *more = 0;
    if (ctx == NULL || store == NULL || start == NULL || end == NULL || out == NULL || n == NULL || limit == 0 ||
        limit > 1000000 || offset < 0)
        return ctx ? gg_error(ctx, GG_ERR_ARG, "gg_case_updates: NULL argument, or a limit or offset out of range")
                   : GG_ERR_ARG;
    /* One more than asked says whether there are more. */
    gg_store_update *rows = NULL;
    size_t got = 0;
    gg_status st = gg_store_case_updates(store, start, end, offset, (int64_t)limit + 1, &rows, &got);
    if (st != GG_OK)
        return st;
    /* The levels, for the escalations' sentences. */
    gg_case_level levels[GG_CASE_LEVELS_MAX];
    size_t n_levels = 0;
    st = gg_case_levels(ctx, store, levels, &n_levels);
    int lang = GG_LANG_EN;
    if (st == GG_OK)
        st = gg_case_language(ctx, store, &lang);
    size_t keep = got > limit ? limit : got;
    gg_case_update *list = keep > 0 ? gg_calloc(ctx, keep, sizeof *list) : NULL;
    if (keep > 0 && list == NULL)
        st = gg_error_nomem(ctx);
    int nomem = 0;
    for (size_t i = 0; st == GG_OK && i < keep; i++) {
        const gg_case_event *e = &rows[i].e;
        gg_case_update *u = &list[i];
        u->id = e->id;
        snprintf(u->request_id, sizeof u->request_id, "%s", rows[i].request_id);
        snprintf(u->at, sizeof u->at, "%s", e->at);
        gg_case_state state = GG_CASE_REPORTED;
        for (int k = 0; k < GG_CASE_STATE_COUNT; k++)
            if (strcmp(e->to_state, gg_case_state_name((gg_case_state)k)) == 0)
                state = (gg_case_state)k;
        snprintf(u->status, sizeof u->status, "%s", gg_case_open311_status(state, NULL));
        u->description =
            gg_case_notice(ctx, lang, e->action, e->from_state, e->note, e->reason, e->deadline,
                           e->level >= 0 && (size_t)e->level < n_levels ? levels[e->level].name : NULL,
                           rows[i].result);
        u->media_url = first_attachment(ctx, e->attachments, &nomem);
        if (u->description == NULL || nomem)
            st = gg_error_nomem(ctx);
    }
    gg_store_updates_free(ctx, rows, got);
    if (st != GG_OK) {
        gg_case_updates_free(ctx, list, keep);
        return st;
    }
    *out = list;
    *n = keep;
    if (more != NULL)
        *more = got > limit;
    return GG_OK;
}

void gg_case_updates_free(gg_ctx *ctx, gg_case_update *updates, size_t n)
{
    for (size_t i = 0; updates != NULL && i < n; i++) {
        gg_free(ctx, updates[i].description);
        gg_free(ctx, updates[i].media_url);
    }
    gg_free(ctx, updates);
}
