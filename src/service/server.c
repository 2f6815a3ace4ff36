/* The HTTP server: libmicrohttpd with a pool of threads, each with its own
 * read connection to the project; one writer thread for incidents; keys;
 * signals; the limits that keep one client from shutting out the others.
 *
 * Limits: at most max_connections connections, client_connections of them
 * from one IP address; a request must arrive whole (headers and body)
 * within request_timeout_s of its first byte, or it is answered 408 and
 * closed (MHD's own timeout is per idle period, which a client sending a
 * header line every few seconds never reaches). Two Content-Length
 * headers, or Content-Length with Transfer-Encoding, are a 400: MHD takes
 * the first length, or the chunks, where a proxy in front may take another.
 *
 * Writes: POST /open311/v2/requests.xml (.json) is checked on its request
 * thread, then stored by the writer thread while its connection is
 * suspended, so the request threads stay free for reads while a write
 * waits for the project's write lock (held by another process: an import
 * or partition for its short store transaction, a backup or sqlite3 by
 * hand for as long as it likes); the writer waits for the lock up to
 * write_wait_s. The writer commits the writes queued together in one
 * transaction (group commit): one sync to disk for many requests.
 *
 * Signals: SIGTERM and SIGINT stop accepting, let the requests being
 * answered finish (drain_s at most), then close everything else and the
 * store; SIGHUP reloads the keys file. */
#define _GNU_SOURCE
#include "service/service.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* One request (MHD's con_cls). The writer thread fills reply, route and
 * write_done of a queued write; the request thread reads them after the
 * connection is resumed. */
typedef struct conn_state {
    char *body;
    size_t len;
    int too_large;
    int seen;                   /* the handler has been called */
    int answering;              /* counted in svc->active */
    struct timespec start;
    struct MHD_Connection *connection;
    /* a write handed to the writer thread */
    int write_queued;
    int write_done;             /* atomic: the writer has answered */
    gg_request req;
    gg_reply reply;             /* the writer's refusal; else made from post or case_post on the resume */
    int write_kind;             /* WRITE_REQUEST (post) or WRITE_CASE (case_post) */
    gg_open311_post post;
    gg_case_post case_post;
    struct timespec write_deadline;
    struct conn_state *next_write;
} conn_state;

/* One connection (MHD's socket context), on svc->conns, for the request
 * deadline. phase moves WAITING -> RECEIVING (a byte of a request has
 * arrived) -> ANSWERING (the whole request is in: the handler's last call)
 * -> WAITING (answer sent, the connection kept alive) under
 * svc->conns_lock; CUT when the deadline passed first. */
enum { PHASE_WAITING, PHASE_RECEIVING, PHASE_ANSWERING, PHASE_CUT };

typedef struct gg_conn_track {
    struct MHD_Connection *connection;
    int fd;
    int phase;
    uint64_t bytes_mark;        /* bytes the socket had received when the last request ended */
    struct timespec began;      /* the request's first byte, or up to a tick before it */
    struct gg_conn_track *prev, *next;
} gg_conn_track;

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

gg_store *gg_request_store_or_503(const gg_request *r, gg_reply *out, gg_ctx **ctx)
{
    gg_store *store = gg_request_store(r, ctx);
    if (store == NULL || *ctx == NULL) {
        gg_reply_error(out, 503, "the project cannot be read");
        return NULL;
    }
    return store;
}

gg_store *gg_request_grids_store(const gg_request *r, gg_reply *out, gg_ctx **ctx)
{
    *ctx = NULL;
    return gg_request_grids_allowed(r, out) ? gg_request_store_or_503(r, out, ctx) : NULL;
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
    /* An empty api_key is none: FixMyStreet sends api_key= on its reads
     * when it was given no key. */
    const char *key = gg_request_arg(r, "api_key");
    if (key != NULL && key[0] == '\0')
        key = NULL;
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

/* Decided here, once, for every route that names workers: the project's
 * contacts.public, or a key with the read right. */
int gg_request_contacts_allowed(const gg_request *r)
{
    if (r->svc->settings.contacts_public)
        return 1;
    int rights = gg_request_rights(r, NULL, 0);
    return rights > 0 && (rights & GG_RIGHT_READ);
}

int gg_request_grids_allowed(const gg_request *r, gg_reply *out)
{
    if (r->svc->o.public_grids)
        return 1;
    return gg_request_authorise(r, GG_RIGHT_READ, out, NULL, 0);
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
        gg_reply_error(out, 403, "the API key has no %s right",
                       right == GG_RIGHT_WRITE ? "write" : right == GG_RIGHT_PLAN ? "plan" : "read");
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

/* ---- time ---- */

static struct timespec now_mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t;
}

static struct timespec plus_seconds(struct timespec t, unsigned seconds)
{
    t.tv_sec += (time_t)seconds;
    return t;
}

static int reached(struct timespec now, struct timespec deadline)
{
    return now.tv_sec > deadline.tv_sec || (now.tv_sec == deadline.tv_sec && now.tv_nsec >= deadline.tv_nsec);
}

static uint64_t micros_between(struct timespec from, struct timespec to)
{
    return (uint64_t)((to.tv_sec - from.tv_sec) * 1000000LL + (to.tv_nsec - from.tv_nsec) / 1000);
}

/* ---- connections and the request deadline ---- */

/* The bytes the socket has received so far (TCP_INFO, Linux 4.1 and
 * later). 0 when the kernel does not say. */
static int socket_bytes_received(int fd, uint64_t *bytes)
{
    struct tcp_info info;
    socklen_t len = sizeof info;
    memset(&info, 0, sizeof info);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) != 0 ||
        len < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof info.tcpi_bytes_received)
        return 0;
    *bytes = info.tcpi_bytes_received;
    return 1;
}

static gg_conn_track *track_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

/* MHD closes the socket only after the CLOSED notice, which takes
 * conns_lock: the deadline's scan, holding it, never touches a closed
 * (or reused) descriptor. */
static void connection_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode code)
{
    gg_service *svc = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        gg_conn_track *t = info ? calloc(1, sizeof *t) : NULL;
        if (t == NULL)
            return; /* untracked: MHD's idle timeout still holds */
        t->connection = c;
        t->fd = info->connect_fd;
        t->phase = PHASE_WAITING;
        t->began = now_mono();
        pthread_mutex_lock(&svc->conns_lock);
        t->next = svc->conns;
        if (svc->conns)
            svc->conns->prev = t;
        svc->conns = t;
        pthread_mutex_unlock(&svc->conns_lock);
        *socket_context = t;
    } else if (code == MHD_CONNECTION_NOTIFY_CLOSED && *socket_context != NULL) {
        gg_conn_track *t = *socket_context;
        pthread_mutex_lock(&svc->conns_lock);
        if (t->prev)
            t->prev->next = t->next;
        else
            svc->conns = t->next;
        if (t->next)
            t->next->prev = t->prev;
        pthread_mutex_unlock(&svc->conns_lock);
        free(t);
        *socket_context = NULL;
    }
}

/* Called by the main thread every tick: a waiting connection whose socket
 * has received bytes since its last request began a request, after the
 * previous tick (taken as its start: the deadline errs by a tick at most,
 * towards the service); a request still arriving at its deadline
 * is answered 408 on the socket itself (MHD has sent nothing on it: it is
 * still reading) and the socket shut down, which MHD sees as the client
 * leaving. */
static void cut_slow_requests(gg_service *svc, struct timespec now, struct timespec previous_tick)
{
    char body[160], answer[400];
    int body_len = snprintf(body, sizeof body,
                            "{\"error\":{\"code\":408,\"message\":\"the request did not arrive within %u s\"}}\n",
                            svc->o.request_timeout_s);
    int len = snprintf(answer, sizeof answer,
                       "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\n"
                       "Content-Type: application/json; charset=utf-8\r\nContent-Length: %d\r\n\r\n%s",
                       body_len, body);
    pthread_mutex_lock(&svc->conns_lock);
    for (gg_conn_track *t = svc->conns; t != NULL; t = t->next) {
        uint64_t bytes = 0;
        if (t->phase == PHASE_WAITING && socket_bytes_received(t->fd, &bytes) && bytes > t->bytes_mark) {
            t->phase = PHASE_RECEIVING;
            t->began = previous_tick;
        }
        if (t->phase == PHASE_RECEIVING && reached(now, plus_seconds(t->began, svc->o.request_timeout_s))) {
            t->phase = PHASE_CUT;
            if (send(t->fd, answer, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
                /* the client is gone or not reading: closing is all that is left */
            }
            shutdown(t->fd, SHUT_RDWR);
        }
    }
    pthread_mutex_unlock(&svc->conns_lock);
}

/* The whole request is in: from now on it is being answered (the drain at
 * SIGTERM waits for it, the deadline no longer applies). 0 when the
 * deadline cut it first. */
static int begin_answer(gg_service *svc, struct MHD_Connection *c, conn_state *s)
{
    gg_conn_track *t = track_of(c);
    int cut = 0;
    if (t != NULL) {
        pthread_mutex_lock(&svc->conns_lock);
        if (t->phase == PHASE_CUT)
            cut = 1;
        else
            t->phase = PHASE_ANSWERING;
        pthread_mutex_unlock(&svc->conns_lock);
    }
    if (cut)
        return 0;
    if (!s->answering) {
        s->answering = 1;
        __atomic_add_fetch(&svc->active, 1, __ATOMIC_SEQ_CST);
    }
    return 1;
}

/* The request line has arrived (MHD's URI log callback): a request began,
 * if the scan has not seen its first bytes already. */
static void *request_start(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)uri;
    gg_service *svc = cls;
    conn_state *s = calloc(1, sizeof *s);
    struct timespec now = now_mono();
    if (s != NULL) {
        s->start = now;
        s->connection = c;
    }
    gg_conn_track *t = track_of(c);
    if (t != NULL) {
        pthread_mutex_lock(&svc->conns_lock);
        if (t->phase == PHASE_WAITING) {
            t->phase = PHASE_RECEIVING;
            t->began = now;
        }
        pthread_mutex_unlock(&svc->conns_lock);
    }
    return s;
}

/* MHD calls this once the answer is sent (or the request failed). A queued
 * write is never pending here: its connection stays suspended until the
 * writer has answered, and MHD does not end suspended requests. */
static void request_done(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode why)
{
    (void)why;
    gg_service *svc = cls;
    conn_state *s = *con_cls;
    gg_conn_track *t = track_of(c);
    if (t != NULL) {
        uint64_t bytes = 0;
        int known = socket_bytes_received(t->fd, &bytes);
        pthread_mutex_lock(&svc->conns_lock);
        if (t->phase != PHASE_CUT) {
            t->phase = PHASE_WAITING;
            t->bytes_mark = known ? bytes : UINT64_MAX;
        }
        pthread_mutex_unlock(&svc->conns_lock);
    }
    if (s != NULL) {
        if (s->answering)
            __atomic_sub_fetch(&svc->active, 1, __ATOMIC_SEQ_CST);
        gg_open311_post_clear(&s->post);
        gg_case_post_clear(&s->case_post);
        gg_form_free(&s->req.form);
        free(s->reply.body);
        free(s->body);
        free(s);
        *con_cls = NULL;
    }
}

static enum MHD_Result send_reply(gg_service *svc, struct MHD_Connection *c, gg_reply *reply, int close)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(reply->len, reply->body ? reply->body : (void *)"", reply->body
                                                                                             ? MHD_RESPMEM_MUST_FREE
                                                                                             : MHD_RESPMEM_PERSISTENT);
    reply->body = NULL;
    if (resp == NULL)
        return MHD_NO;
    if (reply->status != 304)
        MHD_add_response_header(resp, "Content-Type", reply->type ? reply->type : "application/json; charset=utf-8");
    /* answers are for this client now, unless the route says they keep
     * (tiles, the web map's files) */
    if (strcasestr(reply->headers, "Cache-Control:") == NULL)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    add_headers(resp, reply->headers);
    if (close || __atomic_load_n(&svc->stopping, __ATOMIC_RELAXED))
        MHD_add_response_header(resp, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)reply->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result answer(gg_service *svc, conn_state *s, int route, gg_reply *reply, int close)
{
    if (reply->status == 0)
        gg_reply_error(reply, 500, "no answer was made");
    if (s->req.connection != NULL)
        gg_reply_negotiate(&s->req, reply);
    gg_metrics_record(svc, route, reply->status, micros_between(s->start, now_mono()));
    return send_reply(svc, s->connection, reply, close);
}

/* An error in the form of the path's family: Open311's (XML or JSON by
 * the extension) under /open311/, {"error": ...} elsewhere. */
static void refuse(gg_reply *out, const char *path, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void refuse(gg_reply *out, const char *path, int status, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (strncmp(path, "/open311/", 9) == 0)
        gg_open311_error(path, out, status, msg);
    else
        gg_reply_error(out, status, "%s", msg);
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


/* The request's framing, as MHD read it, must be the only one: MHD takes
 * the first of two Content-Length headers, and the chunks when
 * Transfer-Encoding comes with Content-Length, where a proxy in front of
 * the service may take the other and see a second request in the body. */
static enum MHD_Result count_lengths(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    (void)value;
    if (key != NULL && strcasecmp(key, "Content-Length") == 0)
        (*(int *)cls)++;
    return MHD_YES;
}

static int framing_clean(struct MHD_Connection *c, char *why, size_t why_size)
{
    int lengths = 0;
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_lengths, &lengths);
    if (lengths > 1) {
        snprintf(why, why_size, "the request has %d Content-Length headers; send one", lengths);
        return 0;
    }
    if (lengths == 1 && MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding") != NULL) {
        snprintf(why, why_size, "the request has both Content-Length and Transfer-Encoding; send one");
        return 0;
    }
    return 1;
}

/* ---- the writer thread ---- */

/* The writes the writer takes together: one transaction, one sync to disk
 * (group commit). A write arriving while the writer syncs waits for the
 * next batch, so under load each sync carries the writes that queued
 * during the last one, and alone a write is committed at once. */
#define WRITE_BATCH 64

enum { WRITE_REQUEST = 0, WRITE_CASE };

static int is_post_of_request(const gg_request *r)
{
    return strcmp(r->method, "POST") == 0 &&
           (strcmp(r->path, "/open311/v2/requests.json") == 0 || strcmp(r->path, "/open311/v2/requests.xml") == 0);
}

static int is_post_of_case(const gg_request *r)
{
    return strcmp(r->method, "POST") == 0 && strncmp(r->path, "/v1/cases/", 10) == 0;
}

/* A POST of an Open311 service request or of an action on an incident:
 * checked here, on the request thread (key, form or body: refused at once
 * when wrong), then handed to the writer thread with the connection
 * suspended until it has answered. Returns 0 when the request is no such
 * POST, 1 when it is queued, -1 when it is answered here (out holds the
 * refusal; *route the route to count it under). */
static int queue_write(gg_service *svc, conn_state *s, gg_reply *out, int *route)
{
    if (is_post_of_request(&s->req)) {
        *route = ROUTE_REQUESTS_POST;
        s->write_kind = WRITE_REQUEST;
        if (!gg_open311_post_prepare(&s->req, &s->post, out))
            return -1;
    } else if (is_post_of_case(&s->req)) {
        *route = ROUTE_CASE;
        s->write_kind = WRITE_CASE;
        if (!gg_case_post_prepare(&s->req, &s->case_post, out))
            return -1;
    } else {
        return 0;
    }
    s->write_deadline = plus_seconds(now_mono(), svc->o.write_wait_s);
    s->next_write = NULL;
    pthread_mutex_lock(&svc->queue_lock);
    if (svc->writer_stopping) {
        pthread_mutex_unlock(&svc->queue_lock);
        gg_open311_post_clear(&s->post);
        gg_case_post_clear(&s->case_post);
        refuse(out, s->req.path, 503, "the service is stopping; send the request again");
        return -1;
    }
    s->write_queued = 1;
    MHD_suspend_connection(s->connection);
    if (svc->queue_tail)
        svc->queue_tail->next_write = s;
    else
        svc->queue_head = s;
    svc->queue_tail = s;
    svc->queued++;
    pthread_cond_signal(&svc->queue_cond);
    pthread_mutex_unlock(&svc->queue_lock);
    return 1;
}

/* The writer has answered s (a refusal in s->reply, or the receipt in
 * s->post): the request thread sends it once MHD resumes the connection.
 * s belongs to MHD again after the resume. */
static void write_answered(conn_state *s)
{
    __atomic_store_n(&s->write_done, 1, __ATOMIC_RELEASE);
    MHD_resume_connection(s->connection);
}

static void refuse_locked(gg_service *svc, conn_state *s)
{
    refuse(&s->reply, s->req.path, 503, "the project has been locked by another writer for over %u s; send the request again",
           svc->o.write_wait_s);
    write_answered(s);
}

/* The writes still queued that have waited their time for the lock are
 * answered 503 now, not each after another wait of its own. */
static void refuse_expired_writes(gg_service *svc, struct timespec now)
{
    conn_state *expired = NULL, **tail = &expired;
    pthread_mutex_lock(&svc->queue_lock);
    conn_state **link = &svc->queue_head, *last = NULL;
    while (*link != NULL) {
        conn_state *s = *link;
        if (reached(now, s->write_deadline)) {
            *link = s->next_write;
            s->next_write = NULL;
            *tail = s;
            tail = &s->next_write;
            svc->queued--;
        } else {
            last = s;
            link = &s->next_write;
        }
    }
    svc->queue_tail = last;
    pthread_mutex_unlock(&svc->queue_lock);
    while (expired != NULL) {
        conn_state *s = expired;
        expired = s->next_write;
        refuse_locked(svc, s);
    }
}

/* The service is stopping: the batch is answered 503 (1), or not (0). */
static int abandon_writes(gg_service *svc, conn_state **batch, size_t n)
{
    if (!__atomic_load_n(&svc->writes_abandoned, __ATOMIC_ACQUIRE))
        return 0;
    for (size_t k = 0; k < n; k++) {
        refuse(&batch[k]->reply, batch[k]->req.path, 503, "the service is stopping; send the request again");
        write_answered(batch[k]);
    }
    return 1;
}

/* The lock was held by another process past the busy timeout: the writes
 * that have waited their time are answered 503, the others kept at the
 * front of batch; returns how many are kept. */
static size_t keep_waiting(gg_service *svc, conn_state **batch, size_t n)
{
    struct timespec now = now_mono();
    refuse_expired_writes(svc, now);
    size_t kept = 0;
    for (size_t k = 0; k < n; k++) {
        if (reached(now, batch[k]->write_deadline))
            refuse_locked(svc, batch[k]);
        else
            batch[kept++] = batch[k];
    }
    return kept;
}

/* The Open311 POSTs of a batch, in one transaction. The transaction
 * waits for the lock (the store's busy timeout); while another process
 * holds it past that, the batch is tried again until each write's own
 * deadline, and the writes queued behind that have waited theirs are
 * answered 503. A batch that fails stores nothing and gives its workers'
 * turns back (gg_incident_submit_many), so trying again is safe. */
static void write_requests(gg_service *svc, conn_state **batch, size_t n)
{
    gg_incident_input in[WRITE_BATCH];
    gg_incident_receipt out[WRITE_BATCH];
    while (n > 0) {
        if (abandon_writes(svc, batch, n))
            return;
        for (size_t k = 0; k < n; k++)
            in[k] = batch[k]->post.in;
        gg_served_plan *plan = gg_served_get(svc);
        pthread_mutex_lock(&svc->write_lock);
        gg_status st = gg_incident_submit_many(svc->write_ctx, svc->writer, svc->cat, plan->loc, plan->dispatcher,
                                               in, n, out);
        int locked = st == GG_ERR_BUSY;
        gg_ctx_clear_error(svc->write_ctx);
        pthread_mutex_unlock(&svc->write_lock);
        gg_served_put(svc, plan);
        if (!locked) {
            for (size_t k = 0; k < n; k++) {
                batch[k]->post.receipt = out[k];
                write_answered(batch[k]);
            }
            return;
        }
        n = keep_waiting(svc, batch, n);
    }
}

/* The actions on incidents of a batch, in one transaction
 * (gg_case_act_many: an outcome per action), tried again as
 * write_requests does while another process holds the lock: a batch that
 * fails stores nothing. */
static void write_cases(gg_service *svc, conn_state **batch, size_t n)
{
    gg_case_item items[WRITE_BATCH];
    gg_case_outcome out[WRITE_BATCH];
    while (n > 0) {
        if (abandon_writes(svc, batch, n))
            return;
        for (size_t k = 0; k < n; k++)
            items[k] = batch[k]->case_post.item;
        pthread_mutex_lock(&svc->write_lock);
        gg_status st = gg_case_act_many(svc->write_ctx, svc->writer, items, n, out);
        int locked = st == GG_ERR_BUSY;
        gg_ctx_clear_error(svc->write_ctx);
        pthread_mutex_unlock(&svc->write_lock);
        if (!locked) {
            for (size_t k = 0; k < n; k++) {
                batch[k]->case_post.outcome = out[k];
                write_answered(batch[k]);
            }
            return;
        }
        n = keep_waiting(svc, batch, n);
    }
}

/* One batch: its Open311 POSTs in one transaction, its actions on
 * incidents in another. */
static void write_batch(gg_service *svc, conn_state **batch, size_t n)
{
    conn_state *requests[WRITE_BATCH], *cases[WRITE_BATCH];
    size_t n_requests = 0, n_cases = 0;
    for (size_t k = 0; k < n; k++) {
        if (batch[k]->write_kind == WRITE_CASE)
            cases[n_cases++] = batch[k];
        else
            requests[n_requests++] = batch[k];
    }
    write_requests(svc, requests, n_requests);
    write_cases(svc, cases, n_cases);
}

static void *writer_main(void *arg)
{
    gg_service *svc = arg;
    conn_state *batch[WRITE_BATCH];
    for (;;) {
        size_t n = 0;
        pthread_mutex_lock(&svc->queue_lock);
        while (svc->queue_head == NULL && !svc->writer_stopping)
            pthread_cond_wait(&svc->queue_cond, &svc->queue_lock);
        while (svc->queue_head != NULL && n < WRITE_BATCH) {
            conn_state *s = svc->queue_head;
            svc->queue_head = s->next_write;
            s->next_write = NULL;
            svc->queued--;
            batch[n++] = s;
        }
        if (svc->queue_head == NULL)
            svc->queue_tail = NULL;
        pthread_mutex_unlock(&svc->queue_lock);
        if (n == 0)
            break;
        write_batch(svc, batch, n);
    }
    return NULL;
}

/* ---- requests ---- */

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
        char why[160];
        if (framing_clean(c, why, sizeof why))
            return MHD_YES;
        if (!begin_answer(svc, c, s))
            return MHD_NO;
        gg_reply reply = {0, NULL, NULL, 0, ""};
        refuse(&reply, url, 400, "%s", why);
        return answer(svc, s, ROUTE_NONE, &reply, 1);
    }
    if (s->write_queued) {
        /* Resumed: the writer has answered. */
        if (!__atomic_load_n(&s->write_done, __ATOMIC_ACQUIRE))
            return MHD_YES;
        s->write_queued = 0;
        int case_write = s->write_kind == WRITE_CASE;
        if (s->reply.status == 0 && case_write)
            gg_case_post_answer(&s->req, &s->case_post, &s->reply);
        else if (s->reply.status == 0)
            gg_open311_post_answer(&s->req, &s->post, &s->reply);
        gg_open311_post_clear(&s->post);
        gg_case_post_clear(&s->case_post);
        return answer(svc, s, case_write ? ROUTE_CASE : ROUTE_REQUESTS_POST, &s->reply, 0);
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
    if (!begin_answer(svc, c, s))
        return MHD_NO;
    gg_reply reply = {0, NULL, NULL, 0, ""};
    gg_request *r = &s->req;
    memset(r, 0, sizeof *r);
    r->svc = svc;
    r->plan = gg_served_get(svc);
    r->connection = c;
    r->method = method;
    r->path = url;
    r->body = s->body ? s->body : "";
    r->body_len = s->len;
    int route = ROUTE_NONE;
    if (s->too_large) {
        refuse(&reply, url, 413, "the request body is over %d bytes", GG_SERVICE_MAX_BODY);
    } else {
        char why[160];
        if (!request_text_clean(c, url, why, sizeof why)) {
            refuse(&reply, url, 400, "%s", why);
        } else if (strcmp(method, "POST") == 0 && body_is_form(c)) {
            if (gg_form_parse(&r->form, r->body, r->body_len, why, sizeof why))
                r->has_form = 1;
            else
                refuse(&reply, url, 400, "form body: %s", why);
        }
        if (reply.status == 0) {
            int write_route = ROUTE_NONE;
            int queued = queue_write(svc, s, &reply, &write_route);
            if (queued > 0) {
                gg_served_put(svc, r->plan);
                r->plan = NULL;
                return MHD_YES;
            }
            if (queued < 0)
                route = write_route;
        }
        if (reply.status == 0) {
            route = gg_route_api(r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_grids(r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_layers(r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_open311(r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_static(r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_tiles(r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_plans(r, &reply);
            if (route == ROUTE_NONE)
                route = gg_route_cases(r, &reply);
            if (route == ROUTE_NONE && reply.status == 0)
                gg_reply_error(&reply, 404, "no such resource: %s %.200s", method, url);
        }
    }
    gg_form_free(&r->form);
    gg_served_put(svc, r->plan);
    r->plan = NULL;
    return answer(svc, s, route, &reply, 0);
}

/* ---- start and stop ---- */

void gg_service_options_init(gg_service_options *o)
{
    memset(o, 0, sizeof *o);
    o->listen = "127.0.0.1:8080";
    o->threads = 2;
    o->max_connections = GG_SERVICE_MAX_CONNECTIONS;
    o->client_connections = GG_SERVICE_CLIENT_CONNECTIONS;
    o->request_timeout_s = GG_SERVICE_REQUEST_TIMEOUT_S;
    o->drain_s = GG_SERVICE_DRAIN_S;
    o->write_wait_s = GG_SERVICE_WRITE_WAIT_S;
}

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

/* Each connection is a descriptor: the soft limit (often 1,024) is raised
 * towards the hard one so that max_connections can be reached. */
static void raise_file_limit(unsigned connections)
{
    struct rlimit rl;
    rlim_t want = (rlim_t)connections + 64;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= want)
        return;
    rl.rlim_cur = rl.rlim_max != RLIM_INFINITY && rl.rlim_max < want ? rl.rlim_max : want;
    setrlimit(RLIMIT_NOFILE, &rl);
}

static void service_free(gg_service *svc)
{
    gg_tile_cache_free(svc->tiles);
    gg_keyring_free(svc->keys);
    gg_gridmap_cache_free(svc->gridmaps, svc->ctx);
    gg_catalogue_free(svc->cat);
    gg_conflict_layer_free(svc->conflicts);
    gg_served_release_all(svc);
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

/* Waits until no request is being answered, or until the deadline. */
static void wait_answered(gg_service *svc, struct timespec deadline)
{
    while (__atomic_load_n(&svc->active, __ATOMIC_SEQ_CST) > 0 && !reached(now_mono(), deadline))
        usleep(10000);
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
    if (o->max_connections < 2 || o->client_connections < 1 || o->client_connections >= o->max_connections)
        return fail("the connections from one client (%u) must be fewer than all connections (%u)",
                    o->client_connections, o->max_connections);
    if (o->request_timeout_s < 1)
        return fail("the request timeout must be at least 1 s");
    if (gg_ctx_new(&svc.ctx) != GG_OK || gg_ctx_new(&svc.write_ctx) != GG_OK ||
        (svc.tiles = gg_tile_cache_new(GG_TILE_CACHE_BYTES)) == NULL) {
        service_free(&svc);
        return fail("cannot initialise");
    }
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
    pthread_mutex_init(&svc.served_lock, NULL);
    gg_served_plan *first = NULL;
    char why_plan[512];
    if (gg_served_build(svc.write_ctx, svc.writer, 2, 0, &first, why_plan, sizeof why_plan) != GG_OK) {
        fail("%s", why_plan);
        service_free(&svc);
        return 1;
    }
    gg_served_set(&svc, first);
    const char *index_why = NULL;
    if (gg_locator_index_status(first->loc, &index_why) == GG_LOCATOR_INDEX_REFUSED && !svc.o.quiet)
        fprintf(stderr, "govgrid serve: warning: %s\n", index_why);
    if (gg_catalogue_read(svc.ctx, svc.writer, 0, &svc.cat) != GG_OK) {
        const char *why = gg_ctx_errmsg(svc.ctx);
        fail("%s", why[0] ? why : gg_ctx_errmsg(svc.write_ctx));
        service_free(&svc);
        return 1;
    }
    /* The dedup conflicts, read once. */
    if (o->dedup_dir != NULL && gg_conflict_layer_load(svc.ctx, o->dedup_dir, &svc.conflicts) != GG_OK) {
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
    svc.gridmaps = gg_gridmap_cache_new();
    if (svc.gridmaps == NULL) {
        fail("out of memory");
        service_free(&svc);
        return 1;
    }
    pthread_rwlock_init(&svc.keys_lock, NULL);
    pthread_mutex_init(&svc.write_lock, NULL);
    pthread_mutex_init(&svc.queue_lock, NULL);
    pthread_cond_init(&svc.queue_cond, NULL);
    pthread_mutex_init(&svc.conns_lock, NULL);
    pthread_key_create(&svc.reader_key, reader_free);
    raise_file_limit(o->max_connections);
    /* Signals go to this thread only: block them before any other starts. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    int stop_status = 0;
    if (pthread_create(&svc.writer_thread, NULL, writer_main, &svc) != 0) {
        fail("cannot start the writer thread");
        stop_status = 1;
        goto destroy;
    }
    int threads = o->threads > 0 ? o->threads : 2;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME, 0, NULL, NULL,
        handle, &svc, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
        (unsigned)threads, MHD_OPTION_URI_LOG_CALLBACK, request_start, &svc, MHD_OPTION_NOTIFY_COMPLETED,
        request_done, &svc, MHD_OPTION_NOTIFY_CONNECTION, connection_notify, &svc, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)GG_SERVICE_IDLE_TIMEOUT_S, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->client_connections, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
        MHD_OPTION_END);
    if (d == NULL) {
        fail("cannot listen on %s: %s", o->listen, strerror(errno));
        stop_status = 1;
        goto stop_writer;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (!o->quiet) {
        fprintf(stderr, "govgrid serve: %s: plan %lld (%zu grids), catalogue version %lld (%zu items), %s; listening on %s:%u\n",
                o->project, (long long)first->plan, gg_locator_grid_count(first->loc),
                (long long)gg_catalogue_version(svc.cat), gg_catalogue_count(svc.cat),
                o->keys_path ? "keys loaded" : "no keys file: writes and incident reads are refused",
                inet_ntoa(addr.sin_addr), info ? (unsigned)info->port : 0u);
        fflush(stderr);
    }
    gg_gridmap_cache_warm(&svc);
    gg_served_watch_start(&svc);
    /* This thread takes the signals and, every tick, cuts the requests
     * that have run past their deadline. */
    struct timespec previous_tick = now_mono();
    for (;;) {
        const struct timespec tick = {0, 200 * 1000000L};
        int sig = sigtimedwait(&set, NULL, &tick);
        struct timespec now = now_mono();
        cut_slow_requests(&svc, now, previous_tick);
        previous_tick = now;
        if (sig < 0)
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
    /* Drain: stop accepting; the requests being answered (writes queued
     * included) get drain_s; a client still sending its request is not
     * waited for. */
    __atomic_store_n(&svc.stopping, 1, __ATOMIC_RELAXED);
    gg_served_watch_stop(&svc);
    MHD_socket ls = MHD_quiesce_daemon(d);
    if (ls != MHD_INVALID_SOCKET)
        close(ls);
    wait_answered(&svc, plus_seconds(now_mono(), o->drain_s));
stop_writer:
    /* The writes still queued are answered 503 (after the write in hand,
     * which may wait out the store's busy timeout) and resumed: MHD must
     * not be stopped with a connection suspended. */
    pthread_mutex_lock(&svc.queue_lock);
    svc.writer_stopping = 1;
    __atomic_store_n(&svc.writes_abandoned, 1, __ATOMIC_RELEASE);
    pthread_cond_broadcast(&svc.queue_cond);
    pthread_mutex_unlock(&svc.queue_lock);
    pthread_join(svc.writer_thread, NULL);
    if (d != NULL) {
        wait_answered(&svc, plus_seconds(now_mono(), 1));
        MHD_stop_daemon(d);
    }
destroy:
    if (!o->quiet && stop_status == 0)
        fprintf(stderr, "govgrid serve: stopped; %llu incident(s) stored in this run\n",
                (unsigned long long)svc.incidents_stored);
    service_free(&svc);
    pthread_key_delete(svc.reader_key);
    pthread_mutex_destroy(&svc.conns_lock);
    pthread_cond_destroy(&svc.queue_cond);
    pthread_mutex_destroy(&svc.queue_lock);
    pthread_mutex_destroy(&svc.write_lock);
    pthread_rwlock_destroy(&svc.keys_lock);
    pthread_mutex_destroy(&svc.served_lock);
    return stop_status;
}
