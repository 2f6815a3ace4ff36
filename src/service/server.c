/* The HTTP server: libmicrohttpd with a pool of threads, each with its own
 * read connection to the project; one writer for incidents; keys; signals.
 * SIGTERM and SIGINT stop accepting, let the requests in flight finish,
 * then close the store; SIGHUP reloads the keys file. */
#define _GNU_SOURCE
#include "service/service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

typedef struct conn_state {
    char *body;
    size_t len;
    int too_large;
    int seen;                   /* the handler has been called */
    struct timespec start;
} conn_state;

typedef struct reader {
    gg_ctx *ctx;
    gg_store *store;
} reader;

static gg_service *the_service; /* for the reader destructor only */

static void reader_free(void *p)
{
    reader *rd = p;
    if (rd == NULL)
        return;
    gg_store_close(rd->store);
    gg_ctx_free(rd->ctx);
    free(rd);
}

gg_store *gg_request_store(const gg_request *r, gg_ctx **ctx)
{
    gg_service *svc = r->svc;
    reader *rd = pthread_getspecific(svc->reader_key);
    if (rd == NULL) {
        rd = calloc(1, sizeof *rd);
        if (rd == NULL)
            return NULL;
        if (gg_ctx_new(&rd->ctx) != GG_OK || gg_store_open(rd->ctx, svc->o.project, 0, &rd->store) != GG_OK) {
            reader_free(rd);
            return NULL;
        }
        pthread_setspecific(svc->reader_key, rd);
    }
    gg_ctx_clear_error(rd->ctx);
    *ctx = rd->ctx;
    return rd->store;
}

const char *gg_request_arg(const gg_request *r, const char *name)
{
    const char *v = MHD_lookup_connection_value(r->connection, MHD_GET_ARGUMENT_KIND, name);
    if (v == NULL && r->has_form)
        v = gg_form_get(&r->form, name);
    return v;
}

const char *gg_request_header(const gg_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->connection, MHD_HEADER_KIND, name);
}

typedef struct each_arg {
    int (*fn)(void *cls, const char *name, const char *value);
    void *cls;
    int stopped;
} each_arg;

static enum MHD_Result each_arg_call(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    each_arg *e = cls;
    if (e->fn(e->cls, key ? key : "", value) == 0) {
        e->stopped = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

int gg_request_each_arg(const gg_request *r, int (*fn)(void *cls, const char *name, const char *value), void *cls)
{
    each_arg e = {fn, cls, 0};
    MHD_get_connection_values(r->connection, MHD_GET_ARGUMENT_KIND, each_arg_call, &e);
    return !e.stopped;
}

int gg_request_rights(const gg_request *r, char *name, size_t name_size)
{
    const char *key = gg_request_arg(r, "api_key");
    if (key == NULL)
        key = gg_request_header(r, "X-API-Key");
    const char *auth = gg_request_header(r, "Authorization");
    if (key == NULL && auth != NULL && strncasecmp(auth, "Bearer ", 7) == 0)
        key = auth + 7;
    if (name && name_size)
        name[0] = '\0';
    if (key == NULL)
        return -1;
    gg_service *svc = r->svc;
    const char *held = NULL;
    pthread_rwlock_rdlock(&svc->keys_lock);
    int rights = gg_keyring_check(svc->keys, key, &held);
    if (name && name_size && held)
        snprintf(name, name_size, "%s", held);
    pthread_rwlock_unlock(&svc->keys_lock);
    return rights;
}

int gg_request_authorise(const gg_request *r, int right, gg_reply *out, char *name, size_t name_size)
{
    int rights = gg_request_rights(r, name, name_size);
    if (rights < 0) {
        gg_reply_error(out, 401, "this needs an API key (api_key, X-API-Key or Authorization: Bearer)");
        return 0;
    }
    if (rights == 0) {
        gg_reply_error(out, 401, "the API key is not valid (unknown or revoked)");
        return 0;
    }
    if (!(rights & right)) {
        gg_reply_error(out, 403, "the API key has no %s right", right == GG_RIGHT_WRITE ? "write" : "read");
        return 0;
    }
    return 1;
}

void gg_reply_text(gg_reply *out, int status, const char *type, char *body, size_t len)
{
    free(out->body);
    out->status = status;
    out->type = type;
    out->body = body;
    out->len = len;
}

void gg_reply_header(gg_reply *out, const char *name, const char *value)
{
    size_t used = strlen(out->headers), need = strlen(name) + strlen(value) + 4;
    if (used + need < sizeof out->headers)
        snprintf(out->headers + used, sizeof out->headers - used, "%s: %s\r\n", name, value);
}

/* The headers of a reply added to resp. */
static void add_headers(struct MHD_Response *resp, const char *lines)
{
    while (*lines) {
        const char *colon = strstr(lines, ": "), *end = strstr(lines, "\r\n");
        if (colon == NULL || end == NULL || colon > end)
            break;
        char name[128], value[896];
        snprintf(name, sizeof name, "%.*s", (int)(colon - lines), lines);
        snprintf(value, sizeof value, "%.*s", (int)(end - colon - 2), colon + 2);
        MHD_add_response_header(resp, name, value);
        lines = end + 2;
    }
}

void gg_reply_json(gg_reply *out, int status, json_t *value)
{
    char *text = value ? json_dumps(value, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15)) : NULL;
    json_decref(value);
    if (text == NULL) {
        gg_reply_error(out, 500, "cannot write the answer");
        return;
    }
    size_t n = strlen(text);
    char *body = malloc(n + 2);
    if (body == NULL) {
        free(text);
        gg_reply_text(out, 500, "application/json", NULL, 0);
        return;
    }
    memcpy(body, text, n);
    body[n] = '\n';
    body[n + 1] = '\0';
    free(text);
    gg_reply_text(out, status, "application/json; charset=utf-8", body, n + 1);
}

void gg_reply_error(gg_reply *out, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    gg_reply_json(out, status, json_pack("{s:{s:i, s:s}}", "error", "code", status, "message", msg));
}

static void *request_start(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)uri;
    (void)c;
    conn_state *s = calloc(1, sizeof *s);
    if (s != NULL)
        clock_gettime(CLOCK_MONOTONIC, &s->start);
    return s;
}

static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
    (void)c;
    (void)why;
    gg_service *svc = cls;
    conn_state *s = *con_cls;
    if (s != NULL) {
        if (s->seen)
            __atomic_sub_fetch(&svc->active, 1, __ATOMIC_SEQ_CST);
        free(s->body);
        free(s);
        *con_cls = NULL;
    }
}

static enum MHD_Result send_reply(struct MHD_Connection *c, gg_reply *reply)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(reply->len, reply->body ? reply->body : (void *)"", reply->body
                                                                                             ? MHD_RESPMEM_MUST_FREE
                                                                                             : MHD_RESPMEM_PERSISTENT);
    reply->body = NULL;
    if (resp == NULL)
        return MHD_NO;
    MHD_add_response_header(resp, "Content-Type", reply->type ? reply->type : "application/json; charset=utf-8");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    add_headers(resp, reply->headers);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)reply->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static int body_is_form(struct MHD_Connection *c)
{
    const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
    return type != NULL && strncasecmp(type, "application/x-www-form-urlencoded", 33) == 0;
}

/* The query's names and values, which handlers echo in their answers and
 * store, must be clean UTF-8 text: invalid bytes (or Chinese cut
 * mid-character) made every answer that quoted them fail to encode, a
 * 500 for what is the client's mistake. */
typedef struct text_check {
    char *why;
    size_t why_size;
    int bad;
} text_check;

static enum MHD_Result check_arg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    text_check *t = cls;
    if (key != NULL && !gg_text_clean(key)) {
        snprintf(t->why, t->why_size, "a query parameter's name is not valid UTF-8 text");
        t->bad = 1;
        return MHD_NO;
    }
    if (value != NULL && !gg_text_clean(value)) {
        snprintf(t->why, t->why_size, "the value of query parameter '%.60s' is not valid UTF-8 text",
                 key ? key : "");
        t->bad = 1;
        return MHD_NO;
    }
    return MHD_YES;
}

static int request_text_clean(struct MHD_Connection *c, const char *url, char *why, size_t why_size)
{
    if (!gg_text_clean(url)) {
        snprintf(why, why_size, "the path is not valid UTF-8 text");
        return 0;
    }
    text_check t = {why, why_size, 0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_arg, &t);
    return !t.bad;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
    (void)version;
    gg_service *svc = cls;
    conn_state *s = *con_cls;
    if (s == NULL)
        return MHD_NO;
    if (!s->seen) {
        /* The first call has the headers only: MHD calls again with the
         * body, if any, and once more at its end. */
        s->seen = 1;
        __atomic_add_fetch(&svc->active, 1, __ATOMIC_SEQ_CST);
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (!s->too_large) {
            if (s->len + *upload_size > GG_SERVICE_MAX_BODY) {
                s->too_large = 1;
                free(s->body);
                s->body = NULL;
                s->len = 0;
            } else {
                char *grown = realloc(s->body, s->len + *upload_size + 1);
                if (grown == NULL) {
                    s->too_large = 1;
                } else {
                    s->body = grown;
                    memcpy(s->body + s->len, upload, *upload_size);
                    s->len += *upload_size;
                    s->body[s->len] = '\0';
                }
            }
        }
        *upload_size = 0;
        return MHD_YES;
    }
    gg_reply reply = {0, NULL, NULL, 0, ""};
    gg_request r;
    memset(&r, 0, sizeof r);
    r.svc = svc;
    r.connection = c;
    r.method = method;
    r.path = url;
    r.body = s->body ? s->body : "";
    r.body_len = s->len;
    int route = ROUTE_NONE;
    /* Open311 clients expect its error form: [{"code": N, "description": "..."}]. */
    int open311 = strncmp(url, "/open311/", 9) == 0;
    if (s->too_large) {
        if (open311)
            gg_open311_error(url, &reply, 413, "the request body is over 1048576 bytes");
        else
            gg_reply_error(&reply, 413, "the request body is over %d bytes", GG_SERVICE_MAX_BODY);
    } else {
        char why[160];
        if (!request_text_clean(c, url, why, sizeof why)) {
            if (open311)
                gg_open311_error(url, &reply, 400, why);
            else
                gg_reply_error(&reply, 400, "%s", why);
        } else if (strcmp(method, "POST") == 0 && body_is_form(c)) {
            if (gg_form_parse(&r.form, r.body, r.body_len, why, sizeof why)) {
                r.has_form = 1;
            } else if (open311) {
                char msg[200];
                snprintf(msg, sizeof msg, "form body: %s", why);
                gg_open311_error(url, &reply, 400, msg);
            } else {
                gg_reply_error(&reply, 400, "form body: %s", why);
            }
        }
        if (reply.status == 0) {
            route = gg_route_api(&r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_open311(&r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_static(&r, &reply);
            if (route == ROUTE_NONE && reply.status == 0)
                gg_reply_error(&reply, 404, "no such resource: %s %.200s", method, url);
        }
    }
    gg_form_free(&r.form);
    if (reply.status == 0)
        gg_reply_error(&reply, 500, "no answer was made");
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    uint64_t us = (uint64_t)((end.tv_sec - s->start.tv_sec) * 1000000LL + (end.tv_nsec - s->start.tv_nsec) / 1000);
    gg_metrics_record(svc, route, reply.status, us);
    return send_reply(c, &reply);
}

/* ---- start and stop ---- */

static int parse_listen(const char *text, struct sockaddr_in *addr)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host)
        return 0;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return 0;
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    addr->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &addr->sin_addr) == 1;
}

static int fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("govgrid serve: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return 1;
}

static void service_free(gg_service *svc)
{
    gg_keyring_free(svc->keys);
    gg_catalogue_free(svc->cat);
    gg_dispatcher_free(svc->dispatcher);
    gg_locator_free(svc->loc);
    gg_store_close(svc->writer);
    gg_ctx_free(svc->write_ctx);
    gg_ctx_free(svc->ctx);
}

/* The project's settings, once: a change needs a restart. */
static gg_status read_settings(gg_service *svc)
{
    gg_service_settings *s = &svc->settings;
    char v[512];
    gg_status st = gg_setting_get(svc->write_ctx, svc->writer, "contacts.public", v, sizeof v, NULL);
    s->contacts_public = st == GG_OK && strcmp(v, "yes") == 0;
    if (st == GG_OK)
        st = gg_setting_get(svc->write_ctx, svc->writer, "open311.jurisdiction_id", s->jurisdiction_id,
                            sizeof s->jurisdiction_id, NULL);
    if (st == GG_OK)
        st = gg_setting_get(svc->write_ctx, svc->writer, "open311.crs", v, sizeof v, NULL);
    int crs = GG_COORD_WGS84;
    if (st == GG_OK && !gg_param_crs(v, &crs))
        crs = GG_COORD_WGS84;
    s->open311_crs = crs;
    if (st == GG_OK)
        st = gg_setting_get(svc->write_ctx, svc->writer, "open311.retry_window", v, sizeof v, NULL);
    s->retry_window = st == GG_OK ? gg_duration_parse(v) : 0;
    if (s->retry_window < 0)
        s->retry_window = 0;
    if (st == GG_OK)
        st = gg_setting_get(svc->write_ctx, svc->writer, "open311.contact", s->contact, sizeof s->contact, NULL);
    if (st == GG_OK)
        st = gg_setting_get(svc->write_ctx, svc->writer, "open311.key_service", s->key_service,
                            sizeof s->key_service, NULL);
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(s->changeset, sizeof s->changeset, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return st;
}

int gg_service_run(const gg_service_options *o)
{
    static gg_service svc;
    memset(&svc, 0, sizeof svc);
    svc.o = *o;
    the_service = &svc;
    struct sockaddr_in addr;
    if (!parse_listen(o->listen, &addr))
        return fail("--listen: expected ADDRESS:PORT with an IPv4 address, got '%s'", o->listen);
    if (gg_ctx_new(&svc.ctx) != GG_OK || gg_ctx_new(&svc.write_ctx) != GG_OK)
        return fail("cannot initialise");
    /* The writer: the one connection that writes, synchronous=FULL. */
    int64_t version = 0;
    if (gg_store_open(svc.write_ctx, o->project, 1, &svc.writer) != GG_OK ||
        gg_catalogue_current(svc.write_ctx, svc.writer, &version) != GG_OK) {
        fail("%s", gg_ctx_errmsg(svc.write_ctx));
        service_free(&svc);
        return 1;
    }
    if (version == 0 && gg_catalogue_load_shipped(svc.write_ctx, svc.writer, &version) != GG_OK) {
        fail("%s", gg_ctx_errmsg(svc.write_ctx));
        service_free(&svc);
        return 1;
    }
    gg_locator_options lopts;
    gg_locator_options_init(&lopts);
    lopts.threads = 2;
    if (gg_locator_new(svc.ctx, svc.writer, &lopts, &svc.loc) != GG_OK ||
        gg_catalogue_read(svc.ctx, svc.writer, 0, &svc.cat) != GG_OK ||
        gg_dispatcher_new(svc.ctx, svc.loc, &svc.dispatcher) != GG_OK ||
        gg_dispatcher_load_open(svc.ctx, svc.writer, svc.dispatcher) != GG_OK) {
        /* The store records its own errors (no plan yet, say) in the
         * writer's context, the rest in the service's. */
        const char *why = gg_ctx_errmsg(svc.ctx);
        fail("%s", why[0] ? why : gg_ctx_errmsg(svc.write_ctx));
        service_free(&svc);
        return 1;
    }
    if (read_settings(&svc) != GG_OK) {
        fail("%s", gg_ctx_errmsg(svc.write_ctx));
        service_free(&svc);
        return 1;
    }
    if (o->keys_path != NULL && gg_keyring_load(svc.ctx, o->keys_path, &svc.keys) != GG_OK) {
        fail("%s", gg_ctx_errmsg(svc.ctx));
        service_free(&svc);
        return 1;
    }
    pthread_rwlock_init(&svc.keys_lock, NULL);
    pthread_mutex_init(&svc.write_lock, NULL);
    pthread_key_create(&svc.reader_key, reader_free);
    /* Signals go to this thread only: block them before MHD's threads start. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int threads = o->threads > 0 ? o->threads : 2;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC, 0, NULL, NULL, handle, &svc,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
        MHD_OPTION_URI_LOG_CALLBACK, request_start, NULL, MHD_OPTION_NOTIFY_COMPLETED, request_done, &svc,
        MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_CONNECTION_LIMIT, 1000u, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
    if (d == NULL) {
        fail("cannot listen on %s: %s", o->listen, strerror(errno));
        service_free(&svc);
        return 1;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (!o->quiet) {
        fprintf(stderr, "govgrid serve: %s: plan %lld (%zu grids), catalogue version %lld (%zu items), %s; listening on %s:%u\n",
                o->project, (long long)gg_locator_plan(svc.loc), gg_locator_grid_count(svc.loc),
                (long long)gg_catalogue_version(svc.cat), gg_catalogue_count(svc.cat),
                o->keys_path ? "keys loaded" : "no keys file: writes and incident reads are refused",
                inet_ntoa(addr.sin_addr), info ? (unsigned)info->port : 0u);
        fflush(stderr);
    }
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            if (o->keys_path != NULL) {
                gg_keyring *fresh = NULL;
                if (gg_keyring_load(svc.ctx, o->keys_path, &fresh) == GG_OK) {
                    pthread_rwlock_wrlock(&svc.keys_lock);
                    gg_keyring *old = svc.keys;
                    svc.keys = fresh;
                    pthread_rwlock_unlock(&svc.keys_lock);
                    gg_keyring_free(old);
                    if (!o->quiet)
                        fprintf(stderr, "govgrid serve: keys reloaded from %s\n", o->keys_path);
                } else {
                    fprintf(stderr, "govgrid serve: keys not reloaded: %s\n", gg_ctx_errmsg(svc.ctx));
                }
            }
            continue;
        }
        break;
    }
    /* Drain: stop accepting, let what is in flight finish (30 s at most). */
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    for (int i = 0; i < 3000 && __atomic_load_n(&svc.active, __ATOMIC_SEQ_CST) > 0; i++)
        usleep(10000);
    MHD_stop_daemon(d);
    if (!o->quiet)
        fprintf(stderr, "govgrid serve: stopped; %llu incident(s) stored in this run\n",
                (unsigned long long)svc.incidents_stored);
    service_free(&svc);
    pthread_key_delete(svc.reader_key);
    return 0;
}
