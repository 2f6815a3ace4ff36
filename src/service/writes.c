/* What the routes that write share: refusals as JSON naming what was
 * refused, a library status as an HTTP status, a writable store of the
 * request's own acting as its key's name, and the body as a JSON object. */
#include "service/service.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A refusal naming what was refused: {"error":{"code", "message",
 * "parameter"}} (parameter left out when NULL). */
void gg_refuse(gg_reply *out, int status, const char *parameter, const char *fmt, ...)
{
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:i, s:s}", "code", status, "message", msg);
    if (parameter)
        json_object_set_new(e, "parameter", json_string(parameter));
    gg_reply_json(out, status, json_pack("{s:o}", "error", e));
}

/* A library message without the project's path in front ("PATH: "): a
 * client has no use for where the service keeps its file. */
static const char *without_project(const gg_request *r, const char *m)
{
    const char *project = r->svc->o.project;
    size_t n = strlen(project);
    if (strncmp(m, project, n) == 0 && m[n] == ':' && m[n + 1] == ' ')
        return m + n + 2;
    return m;
}

const char *gg_request_reason(const gg_request *r, gg_ctx *ctx)
{
    return without_project(r, gg_ctx_errmsg(ctx));
}

/* A library status as an HTTP refusal: 404 not found, 409 exists, 422 a
 * rule refused, 400 an argument, 503 busy (with Retry-After), else 500. */
void gg_refuse_message(const gg_request *r, gg_reply *out, gg_status st, const char *parameter, const char *message)
{
    const char *why = without_project(r, message);
    switch (st) {
    case GG_ERR_NOT_FOUND: gg_refuse(out, 404, parameter, "%s", why); break;
    case GG_ERR_EXISTS: gg_refuse(out, 409, parameter, "%s", why); break;
    case GG_ERR_INVALID_INPUT:
    case GG_ERR_GEOMETRY: gg_refuse(out, 422, parameter, "%s", why); break;
    case GG_ERR_ARG: gg_refuse(out, 400, parameter, "%s", why); break;
    case GG_ERR_BUSY:
        gg_refuse(out, 503, NULL, "the project is being written by another process; try again (%s)", why);
        gg_reply_header(out, "Retry-After", "2");
        break;
    default: gg_refuse(out, 500, NULL, "%s", why);
    }
}

void gg_refuse_status(const gg_request *r, gg_reply *out, gg_ctx *ctx, gg_status st, const char *parameter)
{
    gg_refuse_message(r, out, st, parameter, gg_ctx_errmsg(ctx));
}

/* A writable store of the request's own, acting as the key's name; NULL
 * with the answer made (503). */
gg_store *gg_request_writer(const gg_request *r, gg_reply *out, gg_ctx **ctx, const char *key_name)
{
    gg_store *store = NULL;
    if (gg_ctx_new(ctx) != GG_OK) {
        gg_refuse(out, 503, NULL, "the project cannot be written now (out of memory)");
        return NULL;
    }
    gg_status st = gg_store_open(*ctx, r->svc->o.project, 1, &store);
    if (st != GG_OK) {
        if (st == GG_ERR_BUSY)
            gg_refuse_status(r, out, *ctx, st, NULL);
        else
            gg_refuse(out, 503, NULL, "the project cannot be opened for writing: %s", gg_request_reason(r, *ctx));
        gg_ctx_free(*ctx);
        *ctx = NULL;
        return NULL;
    }
    gg_store_set_actor(store, key_name);
    return store;
}

void gg_request_writer_close(gg_ctx *ctx, gg_store *store)
{
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* The request's body as a JSON object, or NULL with a 400 made. */
json_t *gg_request_body_object(const gg_request *r, gg_reply *out)
{
    if (r->body_len == 0) {
        gg_refuse(out, 400, "body", "the body is empty: send a JSON object");
        return NULL;
    }
    json_error_t err;
    json_t *o = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &err);
    if (o == NULL) {
        gg_refuse(out, 400, "body", "not JSON: %s (line %d, column %d)", err.text, err.line, err.column);
        return NULL;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        gg_refuse(out, 400, "body", "not a JSON object");
        return NULL;
    }
    return o;
}

