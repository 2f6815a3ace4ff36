/* Open311 GeoReport v2: the catalogue as services, and service requests
 * stored, located and given to a grid worker. Errors in the spec's form:
 * [{"code": 400, "description": "..."}]. JSON only (the .json paths). */
#define _DEFAULT_SOURCE /* timegm */
#include "service/service.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>


#define PREFIX "/open311/v2/"
#define LIST_MAX 1000
#define LIST_DAYS 90

static void o311_error(gg_reply *out, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void o311_error(gg_reply *out, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gg_reply_json(out, status, json_pack("[{s:i, s:s}]", "code", status, "description", msg));
}

/* gg_request_authorise, in Open311's error form. */
static int o311_authorise(gg_request *r, int right, gg_reply *out, char *name, size_t name_size)
{
    if (gg_request_authorise(r, right, out, name, name_size))
        return 1;
    json_error_t err;
    json_t *e = json_loadb(out->body, out->len, 0, &err);
    json_t *msg = json_object_get(json_object_get(e, "error"), "message");
    char text[256];
    snprintf(text, sizeof text, "%s", json_is_string(msg) ? json_string_value(msg) : "not allowed");
    int status = out->status;
    json_decref(e);
    o311_error(out, status, "%s", text);
    return 0;
}

static json_t *service_json(const gg_catalogue_item *it)
{
    char description[768];
    snprintf(description, sizeof description, "%s%s%s", it->reporting_condition,
             it->reporting_condition[0] && it->name_en[0] ? " | " : "", it->name_en);
    char keywords[256];
    snprintf(keywords, sizeof keywords, "%s,%s", it->class_name, it->subclass);
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code", it->item_code, "service_name", it->name,
                     "description", description, "metadata", 0, "type", "realtime", "keywords", keywords, "group",
                     it->class_name);
}

static void services(gg_request *r, gg_reply *out)
{
    json_t *a = json_array();
    for (size_t i = 0; i < gg_catalogue_count(r->svc->cat); i++)
        json_array_append_new(a, service_json(gg_catalogue_item_at(r->svc->cat, i)));
    gg_reply_json(out, 200, a);
}

static void service_one(gg_request *r, const char *code, gg_reply *out)
{
    const gg_catalogue_item *it = gg_catalogue_find(r->svc->cat, code);
    if (it == NULL) {
        o311_error(out, 404, "service_code '%.40s' is not in the catalogue", code);
        return;
    }
    /* The definition: no extra attributes are asked; the catalogue's terms
     * are given as extensions. */
    json_t *o = json_pack("{s:s, s:[], s:s, s:s, s:s, s:s, s:s}", "service_code", it->item_code, "attributes",
                          "department", it->department, "reach_within", it->reach_within, "handle_within",
                          it->handle_within, "closing_condition", it->closing_condition, "reporting_condition",
                          it->reporting_condition);
    gg_reply_json(out, 200, o);
}

/* The text fields of a request, checked: readable UTF-8, of bounded size. */
static int field(gg_request *r, const char *name, size_t max, const char **out, gg_reply *reply)
{
    const char *v = gg_request_arg(r, name);
    *out = NULL;
    if (v == NULL || v[0] == '\0')
        return 1;
    if (!gg_text_clean(v)) {
        o311_error(reply, 400, "%s: not readable text (UTF-8 without control characters)", name);
        return 0;
    }
    if (strlen(v) > max) {
        o311_error(reply, 400, "%s: longer than %zu bytes", name, max);
        return 0;
    }
    *out = v;
    return 1;
}

static void request_post(gg_request *r, gg_reply *out)
{
    if (!r->has_form) {
        o311_error(out, 400, "send the request as application/x-www-form-urlencoded, as Open311 does");
        return;
    }
    char key_name[GG_KEY_NAME_BUF];
    if (!o311_authorise(r, GG_RIGHT_WRITE, out, key_name, sizeof key_name))
        return;
    gg_incident_input in;
    memset(&in, 0, sizeof in);
    char why[160];
    if (!field(r, "service_code", 32, &in.service_code, out) || !field(r, "address_string", 500, &in.address, out) ||
        !field(r, "description", 4000, &in.description, out) || !field(r, "email", 200, &in.email, out) ||
        !field(r, "phone", 40, &in.phone, out) || !field(r, "first_name", 100, &in.first_name, out) ||
        !field(r, "last_name", 100, &in.last_name, out) || !field(r, "device_id", 200, &in.device_id, out) ||
        !field(r, "account_id", 200, &in.account_id, out) || !field(r, "media_url", 2000, &in.media_url, out))
        return;
    if (in.service_code == NULL) {
        o311_error(out, 400, "service_code is missing");
        return;
    }
    const char *lat = gg_request_arg(r, "lat"), *lon = gg_request_arg(r, "long");
    if ((lat && lat[0]) || (lon && lon[0])) {
        if (!gg_param_double("lat", lat, -90, 90, &in.lat, why, sizeof why) ||
            !gg_param_double("long", lon, -180, 180, &in.lon, why, sizeof why)) {
            o311_error(out, 400, "%s", why);
            return;
        }
        in.has_location = 1;
    } else if (in.address == NULL) {
        o311_error(out, 400, "lat and long, or address_string, are required");
        return;
    }
    /* attribute[NAME]=VALUE pairs as a JSON object */
    json_t *attrs = json_object();
    for (int k = 0; k < r->form.n; k++) {
        const char *n = r->form.name[k];
        size_t len = strlen(n);
        if (strncmp(n, "attribute[", 10) == 0 && len > 11 && n[len - 1] == ']') {
            /* A name is kept whole or refused: cutting it (at 120 bytes,
             * perhaps inside a character) dropped the attribute and broke
             * the error answer that quoted it. */
            if (len - 11 > 120) {
                json_decref(attrs);
                o311_error(out, 400, "attribute %d: its name is longer than 120 bytes", k + 1);
                return;
            }
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(len - 11), n + 10);
            if (!gg_text_clean(r->form.value[k]) || strlen(r->form.value[k]) > 1000) {
                json_decref(attrs);
                o311_error(out, 400, "attribute[%s]: not readable text or too long", key);
                return;
            }
            if (json_object_set_new(attrs, key, json_string(r->form.value[k])) != 0) {
                json_decref(attrs);
                o311_error(out, 400, "attribute %d: its name or value cannot be stored", k + 1);
                return;
            }
        }
    }
    char *attrs_text = json_object_size(attrs) ? json_dumps(attrs, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(attrs);
    in.attributes_json = attrs_text;
    in.api_key_name = key_name[0] ? key_name : NULL;
    gg_service *svc = r->svc;
    gg_incident_receipt rec;
    pthread_mutex_lock(&svc->write_lock);
    gg_status st = gg_incident_submit(svc->write_ctx, svc->writer, svc->cat, svc->loc, svc->dispatcher, &in, &rec);
    char msg[512];
    snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(svc->write_ctx));
    gg_ctx_clear_error(svc->write_ctx);
    pthread_mutex_unlock(&svc->write_lock);
    free(attrs_text);
    if (st == GG_ERR_NOT_FOUND) {
        o311_error(out, 400, "%s", msg);
        return;
    }
    if (st == GG_ERR_ARG) {
        o311_error(out, 400, "%s", msg);
        return;
    }
    if (st != GG_OK) {
        o311_error(out, 503, "the request could not be stored: %s", msg);
        return;
    }
    __atomic_add_fetch(&svc->incidents_stored, 1, __ATOMIC_SEQ_CST);
    char notice[160];
    if (rec.grid_code[0])
        snprintf(notice, sizeof notice, "sent to grid %s%s%s", rec.grid_code, rec.worker_id[0] ? ", worker " : "",
                 rec.worker_id);
    else
        snprintf(notice, sizeof notice, "received; no grid at this place: a dispatcher will route it");
    gg_reply_json(out, 201, json_pack("[{s:s, s:s, s:n}]", "service_request_id", rec.request_id, "service_notice",
                                      notice, "account_id"));
}

/* Incidents through the library's Open311 view. */
static void answer_incidents(gg_request *r, const gg_incident_filter *f, int one, gg_reply *out)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store(r, &ctx);
    if (store == NULL) {
        o311_error(out, 503, "the project cannot be read");
        return;
    }
    char *text = NULL;
    size_t len = 0;
    if (gg_incidents_json(ctx, store, r->svc->cat, f, &text, &len) != GG_OK) {
        o311_error(out, 500, "%s", gg_ctx_errmsg(ctx));
        return;
    }
    if (one && len <= 2) {
        gg_text_free(ctx, text);
        o311_error(out, 404, "no service request %.40s", f->request_ids);
        return;
    }
    char *body = malloc(len + 2);
    if (body == NULL) {
        gg_text_free(ctx, text);
        o311_error(out, 500, "out of memory");
        return;
    }
    memcpy(body, text, len);
    body[len] = '\n';
    body[len + 1] = '\0';
    gg_text_free(ctx, text);
    gg_reply_text(out, 200, "application/json; charset=utf-8", body, len + 1);
}

static void request_one(gg_request *r, const char *id, gg_reply *out)
{
    if (!o311_authorise(r, GG_RIGHT_READ, out, NULL, 0))
        return;
    if (strchr(id, ',') != NULL) {
        o311_error(out, 404, "no service request %.40s", id);
        return;
    }
    gg_incident_filter f;
    memset(&f, 0, sizeof f);
    f.request_ids = id;
    f.limit = 1;
    answer_incidents(r, &f, 1, out);
}

/* ISO 8601 to the stored form (UTC, seconds): "2026-11-22T10:00:00+08:00". */
static int iso_to_utc(const char *text, char *out, size_t size)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    int y, mo, d, h = 0, mi = 0, sec = 0, n = 0;
    if (sscanf(text, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3)
        return 0;
    const char *p = text + n;
    int tz = 0;
    if (*p == 'T' || *p == ' ') {
        int m = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &h, &mi, &m) != 2)
            return 0;
        p += 1 + m;
        if (*p == ':') {
            if (sscanf(p + 1, "%2d%n", &sec, &m) != 1)
                return 0;
            p += 1 + m;
        }
        if (*p == 'Z') {
            p++;
        } else if (*p == '+' || *p == '-') {
            int th, tm_ = 0;
            if (sscanf(p + 1, "%2d:%2d%n", &th, &tm_, &m) == 2 || sscanf(p + 1, "%2d%n", &th, &m) == 1)
                tz = (*p == '-' ? -1 : 1) * (th * 60 + tm_);
            else
                return 0;
            p += 1 + m;
        }
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    time_t t = timegm(&tm) - (time_t)tz * 60;
    gmtime_r(&t, &tm);
    strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return 1;
}

static void request_list(gg_request *r, gg_reply *out)
{
    if (!o311_authorise(r, GG_RIGHT_READ, out, NULL, 0))
        return;
    char start[32], end[32];
    time_t now = time(NULL);
    time_t from = now - (time_t)LIST_DAYS * 86400;
    struct tm tm;
    gmtime_r(&from, &tm);
    strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(end, sizeof end, "9999-12-31T23:59:59Z");
    const char *t = gg_request_arg(r, "start_date");
    if (t && !iso_to_utc(t, start, sizeof start)) {
        o311_error(out, 400, "start_date: '%.40s' is not an ISO 8601 date", t);
        return;
    }
    t = gg_request_arg(r, "end_date");
    if (t && !iso_to_utc(t, end, sizeof end)) {
        o311_error(out, 400, "end_date: '%.40s' is not an ISO 8601 date", t);
        return;
    }
    const char *status = gg_request_arg(r, "status");
    if (status && strcmp(status, "open") && strcmp(status, "closed") && strcmp(status, "open,closed") &&
        strcmp(status, "closed,open")) {
        o311_error(out, 400, "status: expected open, closed or both");
        return;
    }
    const char *ids = gg_request_arg(r, "service_request_id"), *codes = gg_request_arg(r, "service_code");
    if ((ids && (!gg_text_clean(ids) || strlen(ids) > 4000)) || (codes && (!gg_text_clean(codes) || strlen(codes) > 4000))) {
        o311_error(out, 400, "service_request_id and service_code: comma-separated, readable text");
        return;
    }
    gg_incident_filter f;
    memset(&f, 0, sizeof f);
    f.request_ids = ids;
    f.service_codes = codes;
    f.status = status;
    /* The spec's default window: the last 90 days, unless ids are asked. */
    f.start = ids && !gg_request_arg(r, "start_date") ? NULL : start;
    f.end = end;
    f.limit = LIST_MAX;
    answer_incidents(r, &f, 0, out);
}

int gg_route_open311(gg_request *r, gg_reply *out)
{
    const char *p = r->path;
    if (strncmp(p, PREFIX, strlen(PREFIX)) != 0)
        return ROUTE_NONE;
    p += strlen(PREFIX);
    int get = strcmp(r->method, "GET") == 0, post = strcmp(r->method, "POST") == 0;
    size_t n = strlen(p);
    if (strcmp(p, "services.json") == 0) {
        if (get)
            services(r, out);
        else
            o311_error(out, 405, "use GET");
        return ROUTE_SERVICES;
    }
    if (strncmp(p, "services/", 9) == 0 && n > 14 && strcmp(p + n - 5, ".json") == 0) {
        char code[64];
        snprintf(code, sizeof code, "%.*s", (int)(n - 14 > 40 ? 40 : n - 14), p + 9);
        if (!get)
            o311_error(out, 405, "use GET");
        else if (strchr(code, '/'))
            o311_error(out, 404, "no such service");
        else
            service_one(r, code, out);
        return ROUTE_SERVICE;
    }
    if (strcmp(p, "requests.json") == 0) {
        if (post) {
            request_post(r, out);
            return ROUTE_REQUESTS_POST;
        }
        if (get) {
            request_list(r, out);
            return ROUTE_REQUESTS_GET;
        }
        o311_error(out, 405, "use GET or POST");
        return ROUTE_REQUESTS_GET;
    }
    if (strncmp(p, "requests/", 9) == 0 && n > 14 && strcmp(p + n - 5, ".json") == 0) {
        char id[64];
        snprintf(id, sizeof id, "%.*s", (int)(n - 14 > 40 ? 40 : n - 14), p + 9);
        if (!get)
            o311_error(out, 405, "use GET");
        else if (strchr(id, '/') || !gg_text_clean(id))
            o311_error(out, 404, "no such request");
        else
            request_one(r, id, out);
        return ROUTE_REQUEST_GET;
    }
    o311_error(out, 404, "no such Open311 resource: %.200s", r->path);
    return ROUTE_SERVICES;
}
