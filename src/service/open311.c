/* Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2): the
 * catalogue as services with their definitions, service requests stored,
 * located and given to a grid worker, and read back; the discovery
 * document. Every endpoint answers in XML or JSON by its path's extension
 * (doc.h), errors too: <errors><error><code/><description/></error></errors>
 * or [{"code": N, "description": "..."}], with the spec's statuses (403 for
 * a missing or invalid key on a POST, 404 for what is not there, 400 for
 * the rest of what the client sent wrong).
 *
 * mySociety's extension (servicerequestupdates, as FixMyStreet speaks it)
 * adds the updates of requests, read by time window, and the reporter's
 * updates posted back: comments, or a reopening (include/govgrid/incident.h,
 * gg_case_report_update).
 *
 * Reads are public, as the spec intends: without a key a request shows
 * what it is, where and how far it got; a key with the read right adds the
 * workers and the reporter's contact (which a dispatcher calls back). The
 * workers' names and phones are public when the project says so
 * (contacts.public). */
#define _GNU_SOURCE /* strptime, timegm */
#include "service/doc.h"
#include "service/service.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PREFIX "/open311/v2/"
#define PAGE_SIZE_MAX 1000
#define LIST_DAYS 90
#define UPDATES_DAYS 90
#define UPDATES_SPEC "https://github.com/mysociety/fixmystreet/wiki/Open311-FMS---Proposed-differences-to-Open311"
#define MAX_ATTRIBUTE_VALUES GG_FORM_MAX_PARAMS

/* One Open311 call: the request, the format its path asks for, the answer. */
typedef struct call {
    gg_request *r;
    gg_doc_format format;
    gg_reply *out;
} call;

static void answer(call *c, int status, const char *root, json_t *doc)
{
    size_t len = 0;
    char *body = gg_doc_write(doc, c->format, root, &len);
    json_decref(doc);
    if (body == NULL) {
        gg_reply_error(c->out, 500, "cannot write the answer");
        return;
    }
    gg_reply_text(c->out, status, gg_doc_type(c->format), body, len);
}

static void error_doc(gg_doc_format format, gg_reply *out, int status, const char *message)
{
    call c = {NULL, format, out};
    answer(&c, status, "errors", json_pack("[{s:i, s:s}]", "code", status, "description", message));
}

static void fail(call *c, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(call *c, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    error_doc(c->format, c->out, status, msg);
}

/* The format a path asks for: .json is JSON, anything else XML, the
 * spec's required format. */
static gg_doc_format format_of(const char *path)
{
    size_t n = strlen(path);
    return n >= 5 && strcmp(path + n - 5, ".json") == 0 ? GG_DOC_JSON : GG_DOC_XML;
}

void gg_open311_error(const char *path, gg_reply *out, int status, const char *message)
{
    error_doc(format_of(path), out, status, message);
}

/* jurisdiction_id: accepted always; refused when the project declares
 * another. */
static int jurisdiction_ok(call *c)
{
    const char *j = gg_request_arg(c->r, "jurisdiction_id");
    const char *ours = c->r->svc->settings.jurisdiction_id;
    if (j == NULL || j[0] == '\0' || ours[0] == '\0' || strcmp(j, ours) == 0)
        return 1;
    fail(c, 404, "jurisdiction_id '%.60s' is not served here (this endpoint serves '%s')", j, ours);
    return 0;
}

/* What a read may show: GG_VIEW_FULL for a key with the read right, else
 * the public view (with the workers when contacts are public); -1 after
 * refusing a key that is not valid. */
static int read_view(call *c)
{
    int rights = gg_request_rights(c->r, NULL, 0);
    if (rights == 0) {
        fail(c, 403, "the API key is not valid (unknown or revoked); send none for the public view");
        return -1;
    }
    if (rights > 0 && (rights & GG_RIGHT_READ))
        return GG_VIEW_FULL;
    return c->r->svc->settings.contacts_public ? GG_VIEW_STAFF : GG_VIEW_PUBLIC;
}

/* ---- discovery, services, definitions ---- */

static void discovery(call *c)
{
    const gg_service_settings *s = &c->r->svc->settings;
    const char *host = gg_request_header(c->r, "Host");
    const char *proto = gg_request_header(c->r, "X-Forwarded-Proto");
    char url[300];
    snprintf(url, sizeof url, "%s://%.200s/open311/v2", proto && strcmp(proto, "https") == 0 ? "https" : "http",
             host && gg_text_clean(host) ? host : "localhost");
    /* The same endpoint twice: GeoReport v2, and mySociety's extension of
     * it (servicerequestupdates), each by its specification. */
    json_t *d = json_pack("{s:s, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:[s, s]}, {s:s, s:s, s:s, s:s, s:[s, s]}]}",
                          "changeset", s->changeset, "contact",
                          s->contact[0] ? s->contact : "the operator of this govgrid service", "key_service",
                          s->key_service[0] ? s->key_service
                                            : "API keys are issued by the operator (govgrid key new); reads need none",
                          "endpoints", "specification", "http://wiki.open311.org/GeoReport_v2", "url", url,
                          "changeset", s->changeset, "type", "production", "formats", "text/xml",
                          "application/json", "specification", UPDATES_SPEC, "url", url, "changeset", s->changeset,
                          "type", "production", "formats", "text/xml", "application/json");
    answer(c, 200, "discovery", d);
}

static json_t *service_json(const gg_catalogue_item *it)
{
    char description[768];
    snprintf(description, sizeof description, "%s%s%s", it->reporting_condition,
             it->reporting_condition[0] && it->name_en[0] ? " | " : "", it->name_en);
    char keywords[256];
    snprintf(keywords, sizeof keywords, "%s,%s", it->class_name, it->subclass);
    return json_pack("{s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "service_code", it->item_code, "service_name", it->name,
                     "description", description, "metadata", it->attributes[0] != '\0', "type", "realtime",
                     "keywords", keywords, "group", it->class_name);
}

static void services(call *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < gg_catalogue_count(c->r->svc->cat); i++)
        json_array_append_new(a, service_json(gg_catalogue_item_at(c->r->svc->cat, i)));
    answer(c, 200, "services", a);
}

static void service_definition(call *c, const char *code)
{
    const gg_catalogue_item *it = gg_catalogue_find(c->r->svc->cat, code);
    if (it == NULL) {
        fail(c, 404, "service_code '%.40s' is not in the catalogue", code);
        return;
    }
    json_error_t err;
    json_t *attrs = it->attributes[0] ? json_loads(it->attributes, 0, &err) : json_array();
    if (attrs == NULL) {
        fail(c, 500, "the attributes of %s cannot be read", code);
        return;
    }
    /* The spec's definition, then the catalogue's terms as extensions. */
    json_t *o = json_pack("{s:s, s:o, s:s, s:s, s:s, s:s, s:s}", "service_code", it->item_code, "attributes", attrs,
                          "department", it->department, "reach_within", it->reach_within, "handle_within",
                          it->handle_within, "closing_condition", it->closing_condition, "reporting_condition",
                          it->reporting_condition);
    answer(c, 200, "service_definition", o);
}

/* ---- POST requests ---- */

/* The text fields of a request, checked: readable UTF-8, of bounded size. */
static int field(call *c, const char *name, size_t max, const char **out)
{
    const char *v = gg_request_arg(c->r, name);
    *out = NULL;
    if (v == NULL || v[0] == '\0')
        return 1;
    if (!gg_text_clean(v)) {
        fail(c, 400, "%s: not readable text (UTF-8 without control characters)", name);
        return 0;
    }
    if (strlen(v) > max) {
        fail(c, 400, "%s: longer than %zu bytes", name, max);
        return 0;
    }
    *out = v;
    return 1;
}

/* attribute[CODE]=V and, for lists of several, attribute[CODE][]=V: the
 * codes (in names[], NUL-terminated copies) and values. -1 after a
 * refusal. */
static int collect_attributes(call *c, gg_attribute_value *v, char names[][128])
{
    const gg_form *f = &c->r->form;
    int n = 0;
    for (int k = 0; k < f->n; k++) {
        const char *name = f->name[k];
        size_t len = strlen(name);
        if (strncmp(name, "attribute[", 10) != 0)
            continue;
        size_t code_len = 0;
        if (len > 13 && strcmp(name + len - 3, "][]") == 0)
            code_len = len - 13;
        else if (len > 11 && name[len - 1] == ']')
            code_len = len - 11;
        if (code_len == 0 || memchr(name + 10, ']', code_len) != NULL) {
            fail(c, 400, "parameter %d: expected attribute[CODE] or attribute[CODE][]", k + 1);
            return -1;
        }
        /* A name is kept whole or refused: cutting it (perhaps inside a
         * character) would drop the attribute. */
        if (code_len > 120) {
            fail(c, 400, "attribute %d: its name is longer than 120 bytes", k + 1);
            return -1;
        }
        memcpy(names[n], name + 10, code_len);
        names[n][code_len] = '\0';
        v[n].code = names[n];
        v[n].value = f->value[k];
        n++;
    }
    return n;
}

static int idempotency_key_ok(call *c, const char *key)
{
    size_t n = strlen(key);
    int ok = n >= 1 && n <= 200;
    for (size_t i = 0; i < n && ok; i++)
        ok = key[i] > 0x20 && key[i] < 0x7f;
    if (!ok)
        fail(c, 400, "Idempotency-Key: 1-200 printable ASCII characters without spaces");
    return ok;
}

/* The first half of a POST, on the request thread: the key, the form,
 * the attribute answers, checked; p ready for the writer (1), or the
 * refusal answered (0). */
static int post_prepare(call *c, gg_open311_post *p)
{
    gg_request *r = c->r;
    gg_service *svc = r->svc;
    memset(p, 0, sizeof *p);
    if (!r->has_form) {
        fail(c, 400, "send the request as application/x-www-form-urlencoded, as Open311 does");
        return 0;
    }
    int rights = gg_request_rights(r, p->key_name, sizeof p->key_name);
    if (rights < 0) {
        fail(c, 403, "this needs an API key (api_key, X-API-Key or Authorization: Bearer)");
        return 0;
    }
    if (rights == 0) {
        fail(c, 403, "the API key is not valid (unknown or revoked)");
        return 0;
    }
    if (!(rights & GG_RIGHT_WRITE)) {
        fail(c, 403, "the API key has no write right");
        return 0;
    }
    if (!jurisdiction_ok(c))
        return 0;
    gg_incident_input *in = &p->in;
    char why[160];
    if (!field(c, "service_code", 32, &in->service_code) || !field(c, "address_string", 500, &in->address) ||
        !field(c, "description", 4000, &in->description) || !field(c, "email", 200, &in->email) ||
        !field(c, "phone", 40, &in->phone) || !field(c, "first_name", 100, &in->first_name) ||
        !field(c, "last_name", 100, &in->last_name) || !field(c, "device_id", 200, &in->device_id) ||
        !field(c, "account_id", 200, &in->account_id) || !field(c, "media_url", 2000, &in->media_url))
        return 0;
    if (in->service_code == NULL) {
        fail(c, 400, "service_code is missing");
        return 0;
    }
    const gg_catalogue_item *item = gg_catalogue_find(svc->cat, in->service_code);
    if (item == NULL) {
        fail(c, 400, "service_code '%.40s' is not in the catalogue (GET services.xml lists them)", in->service_code);
        return 0;
    }
    const char *lat = gg_request_arg(r, "lat"), *lon = gg_request_arg(r, "long");
    const char *crs_text = gg_request_arg(r, "crs");
    int crs = svc->settings.open311_crs;
    if (crs_text != NULL && !gg_param_crs(crs_text, &crs)) {
        fail(c, 400, "crs: '%.40s' is not wgs84, cgcs2000, gcj02 or bd09", crs_text);
        return 0;
    }
    if ((lat && lat[0]) || (lon && lon[0])) {
        if (!gg_param_double("lat", lat, -90, 90, &in->lat, why, sizeof why) ||
            !gg_param_double("long", lon, -180, 180, &in->lon, why, sizeof why)) {
            fail(c, 400, "%s", why);
            return 0;
        }
        if (crs == GG_COORD_GCJ02)
            gg_gcj02_to_wgs84(in->lon, in->lat, &in->lon, &in->lat);
        else if (crs == GG_COORD_BD09)
            gg_bd09_to_wgs84(in->lon, in->lat, &in->lon, &in->lat);
        in->has_location = 1;
    } else if (in->address == NULL) {
        fail(c, 400, "lat and long, or address_string, are required");
        return 0;
    }
    gg_attribute_value values[MAX_ATTRIBUTE_VALUES];
    char names[MAX_ATTRIBUTE_VALUES][128];
    int n_values = collect_attributes(c, values, names);
    if (n_values < 0)
        return 0;
    const char *idem = gg_request_header(r, "Idempotency-Key");
    if (idem != NULL && !idempotency_key_ok(c, idem))
        return 0;
    if (gg_request_store(r, &p->ctx) == NULL || p->ctx == NULL) {
        fail(c, 503, "the project cannot be read");
        return 0;
    }
    if (gg_catalogue_attributes_check(p->ctx, item, values, (size_t)n_values, &p->attributes) != GG_OK) {
        fail(c, 400, "%s", gg_ctx_errmsg(p->ctx));
        gg_ctx_clear_error(p->ctx);
        return 0;
    }
    in->attributes_json = p->attributes;
    in->api_key_name = p->key_name[0] ? p->key_name : NULL;
    in->idempotency_key = idem;
    in->retry_window = svc->settings.retry_window;
    return 1;
}

int gg_open311_post_prepare(gg_request *r, gg_open311_post *p, gg_reply *out)
{
    call c = {r, format_of(r->path), out};
    return post_prepare(&c, p);
}

void gg_open311_post_answer(gg_request *r, gg_open311_post *p, gg_reply *out)
{
    call c = {r, format_of(r->path), out};
    gg_incident_receipt *rec = &p->receipt;
    gg_status st = rec->status;
    if (st == GG_ERR_NOT_FOUND || st == GG_ERR_ARG)
        fail(&c, 400, "%s", rec->message);
    else if (st == GG_ERR_EXISTS)
        fail(&c, 422, "%s", rec->message);
    else if (st != GG_OK)
        fail(&c, 503, "the request could not be stored: %s", rec->message);
    else {
        if (rec->replayed)
            gg_reply_header(out, "Idempotent-Replayed", "true");
        else
            __atomic_add_fetch(&r->svc->incidents_stored, 1, __ATOMIC_SEQ_CST);
        answer(&c, 201, "service_requests",
               json_pack("[{s:s, s:s, s:n}]", "service_request_id", rec->request_id, "service_notice",
                         rec->notice, "account_id"));
    }
}

void gg_open311_post_clear(gg_open311_post *p)
{
    gg_text_free(p->ctx, p->attributes);
    memset(p, 0, sizeof *p);
}

/* A POST written here and now, for a caller without the writer thread. */
static void request_post(call *c)
{
    gg_service *svc = c->r->svc;
    gg_open311_post p;
    if (!post_prepare(c, &p))
        return;
    pthread_mutex_lock(&svc->write_lock);
    if (gg_incident_submit_many(svc->write_ctx, svc->writer, svc->cat, c->r->plan->loc, c->r->plan->dispatcher,
                                &p.in, 1, &p.receipt) != GG_OK)
        gg_ctx_clear_error(svc->write_ctx);
    pthread_mutex_unlock(&svc->write_lock);
    gg_open311_post_answer(c->r, &p, c->out);
    gg_open311_post_clear(&p);
}

/* ---- GET requests ---- */

/* The query again with another page: the filters percent-encoded, the
 * key left out (a link is for sharing). */
typedef struct query {
    char *buf;
    size_t size, used;
    int overflow;
} query;

static int add_arg(void *cls, const char *name, const char *value)
{
    query *q = cls;
    if (strcmp(name, "page") == 0 || strcmp(name, "page_size") == 0 || strcmp(name, "api_key") == 0)
        return 1;
    const char *parts[2] = {name, value ? value : ""};
    for (int k = 0; k < 2; k++) {
        if (q->used + 2 >= q->size) {
            q->overflow = 1;
            return 0;
        }
        q->buf[q->used++] = k == 0 ? '&' : '=';
        for (const unsigned char *s = (const unsigned char *)parts[k]; *s; s++) {
            if (q->used + 4 >= q->size) {
                q->overflow = 1;
                return 0;
            }
            if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
                *s == '_' || *s == '.' || *s == '~' || *s == ',' || *s == ':')
                q->buf[q->used++] = (char)*s;
            else
                q->used += (size_t)snprintf(q->buf + q->used, q->size - q->used, "%%%02X", *s);
        }
    }
    q->buf[q->used] = '\0';
    return 1;
}

static void next_link(call *c, int page, int page_size, char *out, size_t size)
{
    char args[600] = "";
    query q = {args, sizeof args, 0, 0};
    gg_request_each_arg(c->r, add_arg, &q);
    if (q.overflow)
        args[0] = '\0';
    snprintf(out, size, "<%.200s?page=%d&page_size=%d%s>; rel=\"next\"", c->r->path, page, page_size, args);
}

/* Incidents through the library's Open311 view, as a list. */
static void answer_incidents(call *c, const gg_incident_filter *f, const char *one_id)
{
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store(c->r, &ctx);
    if (store == NULL) {
        fail(c, 503, "the project cannot be read");
        return;
    }
    char *text = NULL;
    size_t len = 0;
    int64_t total = 0;
    if (gg_incidents_json(ctx, store, c->r->svc->cat, f, &text, &len) != GG_OK) {
        fail(c, 503, "%s", gg_ctx_errmsg(ctx));
        return;
    }
    json_error_t err;
    json_t *list = json_loadb(text, len, 0, &err);
    gg_text_free(ctx, text);
    if (!json_is_array(list)) {
        json_decref(list);
        fail(c, 500, "cannot read the requests back");
        return;
    }
    /* Counted only when the page is full, or empty past the start: a
     * shorter page ends the list, and says where. */
    size_t n = json_array_size(list);
    total = f->offset + (int64_t)n;
    if (one_id == NULL && ((f->limit > 0 && n == (size_t)f->limit) || (n == 0 && f->offset > 0)) &&
        gg_incidents_count(ctx, store, f, &total) != GG_OK) {
        json_decref(list);
        fail(c, 503, "%s", gg_ctx_errmsg(ctx));
        return;
    }
    if (one_id != NULL && json_array_size(list) == 0) {
        json_decref(list);
        fail(c, 404, "no service request %.40s", one_id);
        return;
    }
    if (one_id == NULL) {
        /* The page in the headers: the body is the spec's list. */
        char count[32];
        snprintf(count, sizeof count, "%lld", (long long)total);
        gg_reply_header(c->out, "X-Total-Count", count);
        if (f->offset + (int64_t)json_array_size(list) < total) {
            gg_reply_header(c->out, "X-Truncated", "true");
            char link[900];
            next_link(c, (int)(f->offset / f->limit) + 2, f->limit, link, sizeof link);
            gg_reply_header(c->out, "Link", link);
        }
    }
    answer(c, 200, "service_requests", list);
}

static void request_one(call *c, const char *id)
{
    if (!jurisdiction_ok(c))
        return;
    int view = read_view(c);
    if (view < 0)
        return;
    if (strchr(id, ',') != NULL || !gg_text_clean(id)) {
        fail(c, 404, "no service request %.40s", id);
        return;
    }
    gg_incident_filter f;
    memset(&f, 0, sizeof f);
    f.request_ids = id;
    f.limit = 1;
    f.view = view;
    answer_incidents(c, &f, id);
}

/* The parameters GET requests takes; anything else is a mistake worth
 * saying (a misspelt filter would otherwise list everything). */
static int known_list_arg(void *cls, const char *name, const char *value)
{
    (void)value;
    static const char *const known[] = {"jurisdiction_id", "api_key",  "service_request_id", "service_code",
                                        "start_date",      "end_date", "status",             "page",
                                        "page_size",       NULL};
    for (int k = 0; known[k]; k++)
        if (strcmp(name, known[k]) == 0)
            return 1;
    snprintf(cls, 160, "%.60s", name);
    return 0;
}

/* A comma list of up to 200 items of letters, digits, '-' and '_'. */
static int list_ok(const char *text)
{
    size_t n = strlen(text), items = 1;
    if (n == 0 || n > 4000 || text[0] == ',' || text[n - 1] == ',')
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = text[i];
        if (ch == ',') {
            if (text[i + 1] == ',')
                return 0;
            items++;
        } else if (!((ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || ch == '-' ||
                     ch == '_')) {
            return 0;
        }
    }
    return items <= 200;
}

static void request_list(call *c)
{
    gg_request *r = c->r;
    char unknown[160];
    if (!gg_request_each_arg(r, known_list_arg, unknown)) {
        fail(c, 400,
             "'%s' is not a parameter of GET requests: it takes jurisdiction_id, service_request_id, service_code,"
             " start_date, end_date, status, page and page_size",
             unknown);
        return;
    }
    if (!jurisdiction_ok(c))
        return;
    int view = read_view(c);
    if (view < 0)
        return;
    char start[32], end[32];
    const char *t = gg_request_arg(r, "start_date");
    if (t && !gg_iso8601_utc(t, start, sizeof start)) {
        fail(c, 400, "start_date: '%.40s' is not an ISO 8601 date (2026-11-22 or 2026-11-22T10:00:00+08:00)", t);
        return;
    }
    t = gg_request_arg(r, "end_date");
    if (t && !gg_iso8601_utc(t, end, sizeof end)) {
        fail(c, 400, "end_date: '%.40s' is not an ISO 8601 date (2026-11-22 or 2026-11-22T10:00:00+08:00)", t);
        return;
    }
    /* The spec's default window: the 90 days before end_date (or now). */
    if (!gg_request_arg(r, "start_date")) {
        time_t until = time(NULL);
        if (gg_request_arg(r, "end_date")) {
            struct tm tm;
            memset(&tm, 0, sizeof tm);
            strptime(end, "%Y-%m-%dT%H:%M:%SZ", &tm);
            until = timegm(&tm);
        }
        time_t from = until - (time_t)LIST_DAYS * 86400;
        struct tm tm;
        gmtime_r(&from, &tm);
        strftime(start, sizeof start, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (!gg_request_arg(r, "end_date"))
        snprintf(end, sizeof end, "9999-12-31T23:59:59Z");
    if (strcmp(start, end) > 0) {
        fail(c, 400, "start_date is after end_date");
        return;
    }
    const char *status = gg_request_arg(r, "status");
    if (status && strcmp(status, "open") && strcmp(status, "closed") && strcmp(status, "open,closed") &&
        strcmp(status, "closed,open")) {
        fail(c, 400, "status: '%.40s' is not open, closed or open,closed", status);
        return;
    }
    const char *ids = gg_request_arg(r, "service_request_id"), *codes = gg_request_arg(r, "service_code");
    if (ids && !list_ok(ids)) {
        fail(c, 400, "service_request_id: a comma-separated list of at most 200 ids");
        return;
    }
    if (codes && !list_ok(codes)) {
        fail(c, 400, "service_code: a comma-separated list of at most 200 service codes");
        return;
    }
    char why[160];
    long long page = 1, page_size = PAGE_SIZE_MAX;
    const char *p = gg_request_arg(r, "page"), *ps = gg_request_arg(r, "page_size");
    if ((p && !gg_param_long("page", p, 1, 1000000, &page, why, sizeof why)) ||
        (ps && !gg_param_long("page_size", ps, 1, PAGE_SIZE_MAX, &page_size, why, sizeof why))) {
        fail(c, 400, "%s", why);
        return;
    }
    gg_incident_filter f;
    memset(&f, 0, sizeof f);
    f.request_ids = ids;
    f.service_codes = codes;
    f.status = status;
    f.start = start;
    f.end = end;
    f.limit = (int)page_size;
    f.offset = (page - 1) * page_size;
    f.view = view;
    answer_incidents(c, &f, NULL);
}

/* ---- service request updates (mySociety's extension) ---- */

/* The parameters GET servicerequestupdates takes. */
static int known_updates_arg(void *cls, const char *name, const char *value)
{
    (void)value;
    static const char *const known[] = {"jurisdiction_id", "api_key", "start_date", "end_date",
                                        "page",            "page_size", NULL};
    for (int k = 0; known[k]; k++)
        if (strcmp(name, known[k]) == 0)
            return 1;
    snprintf(cls, 160, "%.60s", name);
    return 0;
}

static time_t utc_seconds(const char *iso)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    strptime(iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return timegm(&tm);
}

/* The window asked for, as UTC text: by default the UPDATES_DAYS before
 * end_date (or now), and never longer. 0 after a refusal. */
static int updates_window(call *c, char start[32], char end[32])
{
    gg_request *r = c->r;
    const char *s = gg_request_arg(r, "start_date"), *e = gg_request_arg(r, "end_date");
    if (s && !gg_iso8601_utc(s, start, 32)) {
        fail(c, 400, "start_date: '%.40s' is not an ISO 8601 date (2026-11-22 or 2026-11-22T10:00:00+08:00)", s);
        return 0;
    }
    if (e && !gg_iso8601_utc(e, end, 32)) {
        fail(c, 400, "end_date: '%.40s' is not an ISO 8601 date (2026-11-22 or 2026-11-22T10:00:00+08:00)", e);
        return 0;
    }
    time_t until = e ? utc_seconds(end) : time(NULL);
    if (!e) {
        struct tm tm;
        gmtime_r(&until, &tm);
        strftime(end, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (!s) {
        time_t from = until - (time_t)UPDATES_DAYS * 86400;
        struct tm tm;
        gmtime_r(&from, &tm);
        strftime(start, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (strcmp(start, end) > 0) {
        fail(c, 400, "start_date is after end_date");
        return 0;
    }
    if (until - utc_seconds(start) > (time_t)UPDATES_DAYS * 86400) {
        fail(c, 400, "start_date to end_date: at most %d days; ask for a longer time in several windows",
             UPDATES_DAYS);
        return 0;
    }
    return 1;
}

static void updates_list(call *c)
{
    gg_request *r = c->r;
    char unknown[160];
    if (!gg_request_each_arg(r, known_updates_arg, unknown)) {
        fail(c, 400,
             "'%s' is not a parameter of GET servicerequestupdates: it takes jurisdiction_id, start_date, end_date,"
             " page and page_size",
             unknown);
        return;
    }
    if (!jurisdiction_ok(c) || read_view(c) < 0)
        return;
    char start[32], end[32];
    if (!updates_window(c, start, end))
        return;
    char why[160];
    long long page = 1, page_size = PAGE_SIZE_MAX;
    const char *p = gg_request_arg(r, "page"), *ps = gg_request_arg(r, "page_size");
    if ((p && !gg_param_long("page", p, 1, 1000000, &page, why, sizeof why)) ||
        (ps && !gg_param_long("page_size", ps, 1, PAGE_SIZE_MAX, &page_size, why, sizeof why))) {
        fail(c, 400, "%s", why);
        return;
    }
    gg_ctx *ctx = NULL;
    gg_store *store = gg_request_store(r, &ctx);
    if (store == NULL) {
        fail(c, 503, "the project cannot be read");
        return;
    }
    gg_case_update *list = NULL;
    size_t n = 0;
    int more = 0;
    if (gg_case_updates(ctx, store, start, end, (page - 1) * page_size, (size_t)page_size, &list, &n, &more) !=
        GG_OK) {
        fail(c, 503, "%s", gg_request_reason(r, ctx));
        gg_ctx_clear_error(ctx);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)list[i].id);
        json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s?}", "update_id", id,
                                           "service_request_id", list[i].request_id, "status", list[i].status,
                                           "updated_datetime", list[i].at, "description", list[i].description,
                                           "media_url", list[i].media_url));
    }
    gg_case_updates_free(ctx, list, n);
    if (more) {
        gg_reply_header(c->out, "X-Truncated", "true");
        char link[900];
        next_link(c, (int)page + 1, (int)page_size, link, sizeof link);
        gg_reply_header(c->out, "Link", link);
    }
    answer(c, 200, "service_request_updates", a);
}

/* What a status of the library means in an Open311 answer to an update. */
static void update_refused(call *c, gg_ctx *ctx, gg_status st, const char *request_id)
{
    const char *why = gg_request_reason(c->r, ctx);
    if (st == GG_ERR_NOT_FOUND)
        fail(c, 404, "no service request %.40s", request_id);
    else if (st == GG_ERR_ARG || st == GG_ERR_INVALID_INPUT)
        fail(c, 400, "%s", why);
    else if (st == GG_ERR_EXISTS)
        fail(c, 422, "%s", why);
    else if (st == GG_ERR_BUSY) {
        fail(c, 503, "the project is being written by another process; try again (%s)", why);
        gg_reply_header(c->out, "Retry-After", "2");
    } else
        fail(c, 503, "the update could not be stored: %s", why);
}

/* A reporter's update, written on a store connection of the request's own
 * (as POST /v1/cases does), the key's name as who sent it. */
static void update_post(call *c)
{
    gg_request *r = c->r;
    if (!r->has_form) {
        fail(c, 400, "send the update as application/x-www-form-urlencoded, as Open311 does");
        return;
    }
    char key_name[GG_KEY_NAME_BUF];
    int rights = gg_request_rights(r, key_name, sizeof key_name);
    if (rights < 0) {
        fail(c, 403, "this needs an API key (api_key, X-API-Key or Authorization: Bearer)");
        return;
    }
    if (rights == 0) {
        fail(c, 403, "the API key is not valid (unknown or revoked)");
        return;
    }
    if (!(rights & GG_RIGHT_WRITE)) {
        fail(c, 403, "the API key has no write right");
        return;
    }
    if (!jurisdiction_ok(c))
        return;
    gg_case_reporter_update u;
    memset(&u, 0, sizeof u);
    const char *request_id = NULL, *updated = NULL;
    gg_case_author *a = &u.author;
    if (!field(c, "service_request_id", 60, &request_id) || !field(c, "update_id", 100, &u.update_id) ||
        !field(c, "status", 40, &u.status) || !field(c, "description", 4000, &u.description) ||
        !field(c, "media_url", 2000, &u.media_url) || !field(c, "updated_datetime", 40, &updated) ||
        !field(c, "first_name", 100, &a->first_name) || !field(c, "last_name", 100, &a->last_name) ||
        !field(c, "email", 200, &a->email) || !field(c, "phone", 40, &a->phone) ||
        !field(c, "account_id", 200, &a->account_id))
        return;
    static const char *const required[] = {"service_request_id", "update_id", "status"};
    const char *given[] = {request_id, u.update_id, u.status};
    for (size_t k = 0; k < 3; k++)
        if (given[k] == NULL) {
            fail(c, 400, "%s is missing", required[k]);
            return;
        }
    char written[32];
    if (updated != NULL && !gg_iso8601_utc(updated, written, sizeof written)) {
        fail(c, 400, "updated_datetime: '%.40s' is not an ISO 8601 time (2026-11-22T10:00:00+08:00)", updated);
        return;
    }
    a->written_at = updated != NULL ? written : NULL;
    gg_ctx *ctx = NULL;
    gg_store *store = NULL;
    if (gg_ctx_new(&ctx) != GG_OK) {
        fail(c, 503, "the project cannot be written now (out of memory)");
        return;
    }
    gg_status st = gg_store_open(ctx, r->svc->o.project, 1, &store);
    int64_t update_id = 0;
    int replayed = 0;
    if (st == GG_OK) {
        gg_store_set_actor(store, key_name);
        st = gg_case_report_update(ctx, store, 0, request_id, &u, &update_id, &replayed, NULL);
    }
    if (st != GG_OK) {
        update_refused(c, ctx, st, request_id);
    } else {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)update_id);
        if (replayed)
            gg_reply_header(c->out, "Idempotent-Replayed", "true");
        answer(c, 201, "service_request_updates", json_pack("[{s:s}]", "update_id", id));
    }
    gg_store_close(store);
    gg_ctx_free(ctx);
}

/* ---- routing ---- */

/* The resource of a path without its extension: "services", "requests/12".
 * 0 when the path has no .xml or .json. */
static int resource_of(const char *p, char *out, size_t size)
{
    size_t n = strlen(p);
    size_t ext = n >= 4 && strcmp(p + n - 4, ".xml") == 0 ? 4 : n >= 5 && strcmp(p + n - 5, ".json") == 0 ? 5 : 0;
    if (ext == 0 || n - ext >= size)
        return 0;
    memcpy(out, p, n - ext);
    out[n - ext] = '\0';
    return 1;
}

static int only(call *c, const char *method)
{
    if (strcmp(c->r->method, method) == 0)
        return 1;
    fail(c, 405, "use %s", method);
    return 0;
}

int gg_route_open311(gg_request *r, gg_reply *out)
{
    const char *p = r->path;
    call c = {r, format_of(p), out};
    /* Discovery sits above the version, where clients look first. */
    if (strcmp(p, "/open311/discovery.xml") == 0 || strcmp(p, "/open311/discovery.json") == 0) {
        if (only(&c, "GET"))
            discovery(&c);
        return ROUTE_SERVICES;
    }
    if (strncmp(p, PREFIX, strlen(PREFIX)) != 0) {
        if (strncmp(p, "/open311/", 9) != 0)
            return ROUTE_NONE;
        fail(&c, 404, "no such Open311 resource: %.200s (the endpoint is /open311/v2/)", p);
        return ROUTE_SERVICES;
    }
    char res[256];
    if (!resource_of(p + strlen(PREFIX), res, sizeof res)) {
        fail(&c, 404, "no such Open311 resource: %.200s (paths end in .xml or .json)", p);
        return ROUTE_SERVICES;
    }
    const char *slash = strchr(res, '/');
    const char *id = slash ? slash + 1 : NULL;
    if (id != NULL && (id[0] == '\0' || strchr(id, '/') != NULL)) {
        fail(&c, 404, "no such Open311 resource: %.200s", p);
        return ROUTE_SERVICES;
    }
    size_t head = slash ? (size_t)(slash - res) : strlen(res);
    if (strcmp(res, "discovery") == 0) {
        if (only(&c, "GET"))
            discovery(&c);
        return ROUTE_SERVICES;
    }
    if (strcmp(res, "services") == 0) {
        if (only(&c, "GET") && jurisdiction_ok(&c))
            services(&c);
        return ROUTE_SERVICES;
    }
    if (head == 8 && strncmp(res, "services", 8) == 0 && id) {
        if (only(&c, "GET") && jurisdiction_ok(&c))
            service_definition(&c, id);
        return ROUTE_SERVICE;
    }
    if (strcmp(res, "requests") == 0) {
        if (strcmp(r->method, "POST") == 0) {
            request_post(&c);
            return ROUTE_REQUESTS_POST;
        }
        if (strcmp(r->method, "GET") == 0)
            request_list(&c);
        else
            fail(&c, 405, "use GET or POST");
        return ROUTE_REQUESTS_GET;
    }
    if (head == 8 && strncmp(res, "requests", 8) == 0 && id) {
        if (only(&c, "GET"))
            request_one(&c, id);
        return ROUTE_REQUEST_GET;
    }
    if (strcmp(res, "servicerequestupdates") == 0) {
        if (strcmp(r->method, "POST") == 0) {
            update_post(&c);
            return ROUTE_UPDATES_POST;
        }
        if (strcmp(r->method, "GET") == 0)
            updates_list(&c);
        else
            fail(&c, 405, "use GET or POST");
        return ROUTE_UPDATES_GET;
    }
    if (head == 6 && strncmp(res, "tokens", 6) == 0 && id) {
        /* POST answers with the service_request_id at once: no tokens. */
        if (only(&c, "GET"))
            fail(&c, 404, "token %.40s not found: this endpoint issues no tokens (a POST answers with its"
                          " service_request_id at once)", id);
        return ROUTE_REQUEST_GET;
    }
    fail(&c, 404, "no such Open311 resource: %.200s", p);
    return ROUTE_SERVICES;
}
