/* The closed loop over HTTP: GET /v1/cases (the dispatcher's list and the
 * supervision list, with each incident's light, a read key), GET /v1/cases/{ID} (an incident's state and
 * history, a read key) and POST /v1/cases/{ID} (an action on it, a write
 * key, the key's name recorded as who did it; an Idempotency-Key header
 * makes a resend of it harmless), done by the writer thread with the
 * other writes that queued with it, in one transaction (server.c). ID: the
 * incident's number or its request id. */
#include "service/service.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "govgrid/dispatch.h"
#include "govgrid/incident.h"

#define MAX_TEXT 2000

/* The path's incident: its number, or (*id 0) its request id in rid. */
static int path_case(const char *p, int64_t *id, char *rid, size_t size)
{
    size_t n = strlen(p);
    if (n == 0 || n >= size || strchr(p, '/') != NULL)
        return 0;
    int digits = 1;
    for (const char *q = p; *q; q++)
        digits &= isdigit((unsigned char)*q) != 0;
    *id = digits && n < 18 ? strtoll(p, NULL, 10) : 0;
    snprintf(rid, size, "%s", p);
    return 1;
}

static void answer_case(gg_reply *out, gg_ctx *ctx, const gg_case *c, const gg_case_event *ev, size_t n, int history)
{
    char *text = NULL;
    json_t *o = NULL;
    if (gg_case_json(ctx, c, ev, n, history, &text) == GG_OK)
        o = json_loads(text, 0, NULL);
    if (o != NULL && c->replayed)
        json_object_set_new(o, "replayed", json_true());
    gg_text_free(ctx, text);
    if (o == NULL)
        gg_refuse(out, 500, NULL, "cannot write the answer");
    else
        gg_reply_json(out, 200, o);
}

static void get_case(gg_request *r, int64_t id, const char *rid, gg_reply *out)
{
    char key_name[GG_KEY_NAME_BUF];
    if (!gg_request_authorise(r, GG_RIGHT_READ, out, key_name, sizeof key_name))
        return;
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    gg_case c;
    gg_case_event *ev = NULL;
    size_t n = 0;
    gg_status st = gg_case_get(ctx, store, id, id ? NULL : rid, &c, &ev, &n);
    if (st != GG_OK)
        gg_refuse_status(r, out, ctx, st, "id");
    else
        answer_case(out, ctx, &c, ev, n, 1);
    gg_case_events_free(ctx, ev, n);
}

/* A member that must be text (or absent): 1 with *v set, or 0 with a 400. */
static int text_member(json_t *body, const char *name, const char **v, gg_reply *out)
{
    json_t *m = json_object_get(body, name);
    *v = NULL;
    if (m == NULL || json_is_null(m))
        return 1;
    if (!json_is_string(m) || json_string_length(m) > MAX_TEXT) {
        gg_refuse(out, 400, name, "text of at most %d bytes", MAX_TEXT);
        return 0;
    }
    *v = json_string_value(m);
    return 1;
}

static int idempotency_key_ok(const char *key)
{
    size_t n = strlen(key);
    int ok = n >= 1 && n <= 200;
    for (size_t i = 0; i < n && ok; i++)
        ok = key[i] > 0x20 && key[i] < 0x7f;
    return ok;
}

static int bool_member(json_t *body, const char *name, int *v, gg_reply *out)
{
    json_t *m = json_object_get(body, name);
    *v = 0;
    if (m == NULL)
        return 1;
    if (!json_is_boolean(m)) {
        gg_refuse(out, 400, name, "true or false");
        return 0;
    }
    *v = json_is_true(m);
    return 1;
}

int gg_case_post_prepare(gg_request *r, gg_case_post *p, gg_reply *out)
{
    memset(p, 0, sizeof *p);
    int64_t id = 0;
    if (!path_case(r->path + 10, &id, p->rid, sizeof p->rid)) {
        gg_refuse(out, 404, "id", "not an incident: %.60s", r->path + 10);
        return 0;
    }
    if (!gg_request_authorise(r, GG_RIGHT_WRITE, out, p->key_name, sizeof p->key_name))
        return 0;
    json_t *body = gg_request_body_object(r, out);
    if (body == NULL)
        return 0;
    p->body = body;
    static const char *const known[] = {"action", "note", "reason", "to", "deadline", "review_on",
                                        "satisfaction", "photos", "approve", "on_site", "accountability"};
    const char *key;
    json_t *value;
    int ok = 1;
    json_object_foreach(body, key, value) {
        size_t k = 0;
        while (k < sizeof known / sizeof known[0] && strcmp(key, known[k]) != 0)
            k++;
        if (k == sizeof known / sizeof known[0] && ok) {
            gg_refuse(out, 400, key,
                      "unknown member '%.60s' (give action, note, reason, to, deadline, review_on, satisfaction, "
                      "photos, approve, on_site, accountability)",
                      key);
            ok = 0;
        }
    }
    gg_case_request *req = &p->item.req;
    const char *action = NULL;
    ok = ok && text_member(body, "action", &action, out) && text_member(body, "note", &req->note, out) &&
         text_member(body, "reason", &req->reason, out) && text_member(body, "to", &req->handler, out) &&
         text_member(body, "deadline", &req->deadline, out) && text_member(body, "review_on", &req->review_on, out) &&
         text_member(body, "satisfaction", &req->satisfaction, out) && bool_member(body, "approve", &req->approve, out) &&
         bool_member(body, "on_site", &req->on_site, out) &&
         bool_member(body, "accountability", &req->accountability, out);
    json_t *list = json_object_get(body, "photos");
    if (ok && list != NULL) {
        if (!json_is_array(list) || json_array_size(list) > GG_CASE_MAX_PHOTOS) {
            gg_refuse(out, 400, "photos", "an array of at most %d URLs", GG_CASE_MAX_PHOTOS);
            ok = 0;
        }
        for (size_t i = 0; ok && i < json_array_size(list); i++) {
            json_t *u = json_array_get(list, i);
            if (!json_is_string(u)) {
                gg_refuse(out, 400, "photos", "item %zu is not text", i + 1);
                ok = 0;
            } else {
                p->photos[req->n_attachments++] = json_string_value(u);
            }
        }
        req->attachments = p->photos;
    }
    /* A resend of an action whose answer was lost carries the first
     * send's key and is answered with the incident as it is. */
    const char *idem = gg_request_header(r, "Idempotency-Key");
    if (ok && idem != NULL) {
        if (!idempotency_key_ok(idem)) {
            gg_refuse(out, 400, "Idempotency-Key", "1-200 printable ASCII characters without spaces");
            ok = 0;
        } else {
            snprintf(p->idempotency_key, sizeof p->idempotency_key, "%s", idem);
            req->idempotency_key = p->idempotency_key;
        }
    }
    if (ok && action == NULL) {
        gg_refuse(out, 400, "action", "missing: name the action (accept, dispatch, feedback, close, ...)");
        ok = 0;
    } else if (ok) {
        gg_ctx *kctx = NULL;
        if (gg_ctx_new(&kctx) != GG_OK) {
            gg_refuse(out, 503, NULL, "out of memory");
            ok = 0;
        } else if (gg_case_action_parse(kctx, action, &req->action) != GG_OK) {
            gg_refuse(out, 400, "action", "%s", gg_ctx_errmsg(kctx));
            ok = 0;
        }
        gg_ctx_free(kctx);
    }
    if (!ok) {
        gg_case_post_clear(p);
        return 0;
    }
    p->item.id = id;
    p->item.request_id = id ? NULL : p->rid;
    p->item.actor = p->key_name;
    return 1;
}

void gg_case_post_answer(gg_request *r, gg_case_post *p, gg_reply *out)
{
    const gg_case_outcome *o = &p->outcome;
    gg_status st = o->status;
    if (st != GG_OK) {
        const char *parameter = st == GG_ERR_NOT_FOUND    ? "id"
                                : st == GG_ERR_ARG        ? "action"
                                : st == GG_ERR_EXISTS     ? "Idempotency-Key"
                                : st == GG_ERR_INVALID_INPUT ? "state"
                                                          : NULL;
        if (parameter == NULL)
            gg_refuse(out, 503, NULL, "the action could not be stored: %s", o->message);
        else
            gg_refuse_message(r, out, st, parameter, o->message);
        return;
    }
    gg_ctx *ctx = NULL;
    if (gg_ctx_new(&ctx) != GG_OK) {
        gg_refuse(out, 503, NULL, "out of memory");
        return;
    }
    answer_case(out, ctx, &o->incident, NULL, 0, 0);
    if (o->incident.replayed)
        gg_reply_header(out, "Idempotent-Replayed", "true");
    gg_ctx_free(ctx);
}

void gg_case_post_clear(gg_case_post *p)
{
    json_decref(p->body);
    p->body = NULL;
}

#define MAX_LIST 10000

static int known_list_arg(void *cls, const char *name, const char *value)
{
    (void)value;
    static const char *const known[] = {"state", "light",  "grid",        "community", "department", "item",
                                        "handler", "source", "supervision", "level",     "at",         "limit",
                                        "api_key", NULL};
    for (int k = 0; known[k]; k++)
        if (strcmp(name, known[k]) == 0)
            return 1;
    snprintf(cls, 64, "%.60s", name);
    return 0;
}

/* A filter's text parameter: absent or empty does not filter; 1 with *v
 * set, or 0 with a 400. */
static int text_arg(gg_request *r, const char *name, const char **v, gg_reply *out)
{
    const char *t = gg_request_arg(r, name);
    *v = t != NULL && t[0] != '\0' ? t : NULL;
    if (*v != NULL && strlen(*v) > 64) {
        gg_refuse(out, 400, name, "at most 64 bytes");
        return 0;
    }
    return 1;
}

/* GET /v1/cases?state=&light=&grid=&community=&department=&item=&handler=
 * &source=&supervision=1&level=N&at=TIME&limit=N: gg_case_list_json's
 * document. state defaults to open (all: every state); the parameters are
 * checked here, by name, before the library is asked, so that a client
 * learns which one it got wrong. */
static void list_cases(gg_request *r, gg_reply *out)
{
    char key_name[GG_KEY_NAME_BUF];
    if (!gg_request_authorise(r, GG_RIGHT_READ, out, key_name, sizeof key_name))
        return;
    char unknown[64];
    if (!gg_request_each_arg(r, known_list_arg, unknown)) {
        gg_refuse(out, 400, unknown,
                  "'%s' is not a parameter of GET /v1/cases: it takes state, light, grid, community, department, "
                  "item, handler, source, supervision, level, at and limit",
                  unknown);
        return;
    }
    gg_case_filter f;
    memset(&f, 0, sizeof f);
    f.state = "open";
    f.level = -1;
    const char *state = gg_request_arg(r, "state");
    if (!text_arg(r, "grid", &f.grid_code, out) || !text_arg(r, "community", &f.community, out) ||
        !text_arg(r, "department", &f.department, out) || !text_arg(r, "item", &f.service_code, out) ||
        !text_arg(r, "handler", &f.handler, out) || !text_arg(r, "source", &f.source, out))
        return;
    gg_ctx *kctx = NULL;
    if (gg_ctx_new(&kctx) != GG_OK) {
        gg_refuse(out, 503, NULL, "out of memory");
        return;
    }
    int ok = 1;
    gg_case_state parsed;
    if (state == NULL || state[0] == '\0') {
        f.state = "open";
    } else if (strcmp(state, "all") == 0) {
        f.state = NULL;
    } else if (strcmp(state, "open") != 0) {
        if (gg_case_state_parse(kctx, state, &parsed) != GG_OK) {
            gg_refuse(out, 400, "state", "%s (or open, all)", gg_ctx_errmsg(kctx));
            ok = 0;
        }
        f.state = state;
    }
    const char *light = gg_request_arg(r, "light");
    if (ok && light != NULL && light[0] != '\0' && gg_case_light_parse(kctx, light, &f.light) != GG_OK) {
        gg_refuse(out, 400, "light", "%s", gg_ctx_errmsg(kctx));
        ok = 0;
    }
    gg_ctx_free(kctx);
    if (!ok)
        return;
    char why[160];
    long long v = 0;
    const char *t = gg_request_arg(r, "supervision");
    if (t != NULL) {
        if (strcmp(t, "1") == 0 || strcmp(t, "true") == 0) {
            f.supervision = 1;
        } else if (strcmp(t, "0") != 0 && strcmp(t, "false") != 0) {
            gg_refuse(out, 400, "supervision", "1 or 0 (true or false), got '%.40s'", t);
            return;
        }
    }
    t = gg_request_arg(r, "level");
    if (t != NULL) {
        if (!gg_param_long("level", t, 0, GG_CASE_LEVELS_MAX - 1, &v, why, sizeof why)) {
            gg_refuse(out, 400, "level", "%s", why);
            return;
        }
        if (!f.supervision) {
            gg_refuse(out, 400, "level", "level is for supervision=1: the list of that level");
            return;
        }
        f.level = (int)v;
    }
    t = gg_request_arg(r, "at");
    if (t != NULL && !gg_case_time_parse(t, &f.now)) {
        gg_refuse(out, 400, "at", "'%.40s' is not a time (ISO 8601: 2026-12-07T10:00:00+08:00 or 2026-12-07)", t);
        return;
    }
    t = gg_request_arg(r, "limit");
    if (t != NULL) {
        if (!gg_param_long("limit", t, 1, MAX_LIST, &v, why, sizeof why)) {
            gg_refuse(out, 400, "limit", "%s", why);
            return;
        }
        f.limit = (size_t)v;
    }
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store_or_503(r, out, &ctx);
    if (store == NULL)
        return;
    char *json = NULL;
    gg_status st = gg_case_list_json(ctx, store, &f, &json);
    if (st != GG_OK) {
        gg_refuse_status(r, out, ctx, st, NULL);
        gg_ctx_clear_error(ctx);
        return;
    }
    gg_reply_text(out, 200, "application/json; charset=utf-8", json, strlen(json));
}

int gg_route_cases(gg_request *r, gg_reply *out)
{
    if (strcmp(r->path, "/v1/cases") == 0) {
        if (strcmp(r->method, "GET") == 0)
            list_cases(r, out);
        else
            gg_refuse(out, 405, NULL, "use GET");
        return ROUTE_CASES;
    }
    if (strncmp(r->path, "/v1/cases/", 10) != 0)
        return ROUTE_NONE;
    int64_t id = 0;
    char rid[64];
    if (!path_case(r->path + 10, &id, rid, sizeof rid)) {
        gg_refuse(out, 404, "id", "not an incident: %.60s", r->path + 10);
        return ROUTE_CASE;
    }
    if (strcmp(r->method, "GET") == 0)
        get_case(r, id, rid, out);
    else if (strcmp(r->method, "POST") == 0) /* taken by the writer thread before the routes */
        gg_refuse(out, 500, NULL, "a case write reached the routes");
    else
        gg_refuse(out, 405, NULL, "use GET or POST");
    return ROUTE_CASE;
}
