/* Private to the service (govgrid serve): the shared state, one request,
 * and the handlers. The service is a client of the library: locating,
 * storing incidents, the catalogue and keys are libgovgrid's; this code
 * speaks HTTP (libmicrohttpd) and JSON (jansson). */
#ifndef GG_SERVICE_SERVICE_H
#define GG_SERVICE_SERVICE_H

#include <jansson.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "govgrid/govgrid.h"
#include "service/form.h"

#define GG_SERVICE_MAX_BODY (1 << 20)      /* bytes of a request body */
#define GG_SERVICE_MAX_BATCH 10000         /* points in one POST /v1/locate */

/* The defaults of the limits below (govgrid serve --help, docs/cli.md). */
#define GG_SERVICE_MAX_CONNECTIONS 1000    /* connections from all clients */
#define GG_SERVICE_CLIENT_CONNECTIONS 64   /* connections from one IP address */
#define GG_SERVICE_REQUEST_TIMEOUT_S 30    /* a whole request, headers and body, from its first byte */
#define GG_SERVICE_IDLE_TIMEOUT_S 30       /* a connection with nothing received or sent */
#define GG_SERVICE_DRAIN_S 5               /* SIGTERM: the wait for requests being answered */
#define GG_SERVICE_WRITE_WAIT_S 60         /* a write's wait for the project's write lock */

typedef struct gg_service_options {
    const char *project;
    const char *listen;             /* "127.0.0.1:8080" */
    const char *keys_path;          /* NULL: no keys, every guarded route refused */
    const char *dedup_dir;          /* govgrid dedup's output for GET /v1/conflicts; NULL: none */
    int threads;
    int public_grids;
    int quiet;
    /* Limits (gg_service_options_init sets the defaults above).
     * client_connections must be below max_connections, so that one
     * address cannot take every connection. */
    unsigned max_connections;
    unsigned client_connections;
    unsigned request_timeout_s;     /* over it, a request still arriving is answered 408 and closed */
    unsigned drain_s;               /* 0: stop at once */
    unsigned write_wait_s;          /* over it, a queued write is answered 503 */
} gg_service_options;

/* Fills o with the defaults: listen 127.0.0.1:8080, 2 threads, the limits
 * above; project and keys_path NULL. */
void gg_service_options_init(gg_service_options *o);

/* Routes, for the metrics. */
enum {
    ROUTE_NONE = 0,
    ROUTE_HEALTH,
    ROUTE_METRICS,
    ROUTE_LOCATE_GET,
    ROUTE_LOCATE_POST,
    ROUTE_GRIDS,
    ROUTE_GRID,
    ROUTE_SERVICES,
    ROUTE_SERVICE,
    ROUTE_REQUESTS_POST,
    ROUTE_REQUESTS_GET,
    ROUTE_REQUEST_GET,
    ROUTE_STATIC,
    ROUTE_PLANS,
    ROUTE_SEARCH,
    ROUTE_DEPTS,
    ROUTE_DEPT_GRIDS,
    ROUTE_CONFLICTS,
    ROUTE_TILES,
    ROUTE_PALETTE,
    ROUTE_COMMUNITIES,
    ROUTE_KEY,
    ROUTE_PLAN,
    ROUTE_PLAN_EDIT,
    ROUTE_PLAN_DIFF,
    ROUTE_PLAN_GRID,
    ROUTE_CASE,
    ROUTE_UPDATES_GET,
    ROUTE_UPDATES_POST,
    ROUTE_CASES,
    ROUTE_COUNT
};

#define GG_LATENCY_BUCKETS 10

typedef struct gg_route_metrics {
    uint64_t requests, errors_4xx, errors_5xx;
    uint64_t latency_bucket[GG_LATENCY_BUCKETS + 1]; /* cumulative counts per upper bound, +Inf last */
    uint64_t latency_sum_us;
} gg_route_metrics;

/* The project's settings the service answers by (gg_setting_get), read
 * at start. */
typedef struct gg_service_settings {
    int contacts_public;            /* contacts.public: workers' names and phones without a key */
    char jurisdiction_id[128];      /* open311.jurisdiction_id, "" when the project declares none */
    int open311_crs;                /* open311.crs as a gg_coord_system */
    int64_t retry_window;           /* open311.retry_window, seconds */
    char contact[512], key_service[512];
    char changeset[32];             /* when the service started: its documents are as of then */
} gg_service_settings;

struct gg_conn_track;
struct conn_state;

/* tiles.c: the basemap tiles kept in memory, least recently used out
 * first, up to max_bytes of PNG (GG_TILE_CACHE_BYTES). */
#define GG_TILE_CACHE_BYTES ((size_t)64 << 20)
typedef struct gg_tile_cache gg_tile_cache;
gg_tile_cache *gg_tile_cache_new(size_t max_bytes);   /* NULL: out of memory */
void gg_tile_cache_free(gg_tile_cache *cache);

/* The plan the service answers from (served.c): its locator, place index
 * and dispatcher, with a context of their own. Taken with gg_served_get
 * for the length of a route (or a batch of writes) and given back with
 * gg_served_put; a publication swaps in another and the old one is freed
 * when its last reference goes. */
typedef struct gg_served_plan {
    gg_ctx *ctx;
    gg_locator *loc;
    gg_search *search;              /* the place index of loc's plan */
    gg_dispatcher *dispatcher;      /* the writer's only, under write_lock */
    int64_t plan;
    int published;                  /* the published plan (else the newest, none being published) */
    char since[24];                 /* served since (ISO 8601 UTC) */
    int refs;                       /* under served_lock */
} gg_served_plan;

typedef struct gg_service {
    gg_service_options o;
    gg_service_settings settings;
    gg_ctx *ctx;                    /* for the shared objects below, built at start */
    gg_served_plan *served;         /* under served_lock */
    pthread_mutex_t served_lock;
    uint64_t plan_switches;         /* publications switched to since start */
    pthread_t watcher;              /* looks for a newly published plan */
    int watching;
    pthread_mutex_t watch_lock;
    pthread_cond_t watch_cond;
    int watch_stopping;
    gg_conflict_layer *conflicts;   /* from o.dedup_dir; NULL without one */
    gg_catalogue *cat;
    gg_keyring *keys;
    struct gg_gridmap_cache *gridmaps;
    pthread_rwlock_t keys_lock;     /* reloaded on SIGHUP */
    /* the one writer. The writes (POST /open311/v2/requests.json), once
     * checked, are stored by the writer thread (server.c), those queued
     * together in one transaction, while their connections are suspended,
     * so request threads stay free for reads while a write waits for the
     * project's lock; write_lock serialises the writer's use. */
    pthread_mutex_t write_lock;
    gg_ctx *write_ctx;
    gg_store *writer;
    pthread_t writer_thread;
    pthread_mutex_t queue_lock;     /* guards the queue and the two flags below */
    pthread_cond_t queue_cond;
    struct conn_state *queue_head, *queue_tail;
    size_t queued;
    int writer_stopping;            /* no more writes are queued; the writer ends when the queue is empty */
    int writes_abandoned;           /* the drain is over: queued writes are answered 503 */
    /* every open connection, for the request deadline (server.c) */
    pthread_mutex_t conns_lock;
    struct gg_conn_track *conns;
    int stopping;                   /* SIGTERM taken: answers say Connection: close */
    /* per thread readers */
    pthread_key_t reader_key;
    /* metrics */
    gg_route_metrics routes[ROUTE_COUNT];
    uint64_t incidents_stored;
    int64_t active;                 /* requests being answered (their whole request received) */
    gg_tile_cache *tiles;
} gg_service;

/* One answer: status, content type, body (owned) and further headers
 * ("Name: value\r\n" lines, gg_reply_header). */
typedef struct gg_reply {
    int status;
    const char *type;
    char *body;
    size_t len;
    char headers[1024];
} gg_reply;

/* A request as the handlers see it. */
typedef struct gg_request {
    gg_service *svc;
    gg_served_plan *plan;           /* the served plan, held for the route */
    void *connection;               /* struct MHD_Connection */
    const char *method, *path;
    const char *body;
    size_t body_len;
    gg_form form;                   /* POST form parameters, if the body is a form */
    int has_form;
} gg_request;

/* served.c */
gg_status gg_served_build(gg_ctx *store_ctx, gg_store *store, int threads, int64_t plan, gg_served_plan **out,
                          char *why, size_t why_size);
void gg_served_free(gg_served_plan *p);
gg_served_plan *gg_served_get(gg_service *svc);
void gg_served_put(gg_service *svc, gg_served_plan *p);
void gg_served_set(gg_service *svc, gg_served_plan *p);  /* the first, at start */
void gg_served_release_all(gg_service *svc);             /* at the end */
int gg_served_watch_start(gg_service *svc);
void gg_served_watch_stop(gg_service *svc);

/* server.c */
const char *gg_request_arg(const gg_request *r, const char *name);   /* query, then form */
const char *gg_request_header(const gg_request *r, const char *name);
/* Calls fn on each query parameter in order until it returns 0; returns 0
 * when one did. */
int gg_request_each_arg(const gg_request *r, int (*fn)(void *cls, const char *name, const char *value), void *cls);
/* The longest key name kept for a request (longer ones are cut). */
#define GG_KEY_NAME_BUF 128

/* The rights of the request's key (api_key parameter, X-API-Key or
 * Authorization: Bearer): -1 when none is given, 0 for an unknown or
 * revoked key. name (may be NULL; name_size bytes) receives a copy of the
 * key's name, "" when there is none: copied while the keyring's read lock
 * is held, since a reload (SIGHUP) frees the keyring the name lives in. */
int gg_request_rights(const gg_request *r, char *name, size_t name_size);
/* 1 when the request has a key with right; else an answer made: 401 (no
 * key, or not a valid one) or 403 (a key without the right), and 0. name
 * as for gg_request_rights. */
int gg_request_authorise(const gg_request *r, int right, gg_reply *out, char *name, size_t name_size);
/* May the answer name grid workers and give their phones? When the
 * project publishes them (contacts.public), or to a key with the read
 * right. */
int gg_request_contacts_allowed(const gg_request *r);
/* 1 when the request may read grids (--public-grids, or a read key); else
 * an answer made as gg_request_authorise, and 0. */
int gg_request_grids_allowed(const gg_request *r, gg_reply *out);
/* The calling thread's own read connection to the project. */
gg_store *gg_request_store(const gg_request *r, gg_ctx **ctx);
/* The same, or an answer made (503) and NULL. */
gg_store *gg_request_store_or_503(const gg_request *r, gg_reply *out, gg_ctx **ctx);
/* The connection of a request that reads grids: gg_request_grids_allowed,
 * then gg_request_store_or_503; NULL with the answer made by either. */
gg_store *gg_request_grids_store(const gg_request *r, gg_reply *out, gg_ctx **ctx);

void gg_reply_json(gg_reply *out, int status, json_t *value);        /* takes value */
void gg_reply_error(gg_reply *out, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void gg_reply_text(gg_reply *out, int status, const char *type, char *body, size_t len);
/* Adds a header to the answer (dropped, never cut, when there is no room). */
void gg_reply_header(gg_reply *out, const char *name, const char *value);
/* open311.c: an error in Open311's form (XML or JSON by the path's
 * extension), for the server's own refusals of Open311 requests. */
void gg_open311_error(const char *path, gg_reply *out, int status, const char *message);

/* open311.c: a POST of a service request in two halves around the
 * writer thread (server.c). prepare, on the request thread, checks the key,
 * the form and the attribute answers: 1 with p ready for
 * gg_incident_submit_many (p->in points into r's form and p), or 0 with
 * the refusal in out. answer makes the reply from p->receipt. clear frees
 * what prepare made. */
typedef struct gg_open311_post {
    gg_incident_input in;
    char key_name[GG_KEY_NAME_BUF];
    char *attributes;               /* the answers as JSON, owned */
    gg_ctx *ctx;                    /* the preparing thread's, that made attributes */
    gg_incident_receipt receipt;    /* the writer's */
} gg_open311_post;
int gg_open311_post_prepare(gg_request *r, gg_open311_post *p, gg_reply *out);
void gg_open311_post_answer(gg_request *r, gg_open311_post *p, gg_reply *out);
void gg_open311_post_clear(gg_open311_post *p);

/* cases.c: a POST /v1/cases/{ID} in two halves around the writer thread,
 * as an Open311 POST: prepare checks the path, the key and the body (1
 * with p->item ready for gg_case_act_many, its texts in p->body and p;
 * 0 with the refusal in out); answer makes the reply from p->outcome;
 * clear frees what prepare made. */
#define GG_CASE_MAX_PHOTOS 16
typedef struct gg_case_post {
    gg_case_item item;
    char key_name[GG_KEY_NAME_BUF];
    char rid[64];
    char idempotency_key[201];
    const char *photos[GG_CASE_MAX_PHOTOS];
    json_t *body;                   /* owns the texts of item.req */
    gg_case_outcome outcome;        /* the writer's */
} gg_case_post;
int gg_case_post_prepare(gg_request *r, gg_case_post *p, gg_reply *out);
void gg_case_post_answer(gg_request *r, gg_case_post *p, gg_reply *out);
void gg_case_post_clear(gg_case_post *p);

/* api.c: /healthz, /v1/locate ; grids.c: /v1/grids, /v1/communities ;
 * open311.c: /open311/v2/... ; metrics.c */
int gg_route_api(gg_request *r, gg_reply *out);
int gg_route_grids(gg_request *r, gg_reply *out);
int gg_route_open311(gg_request *r, gg_reply *out);
int gg_route_static(gg_request *r, gg_reply *out);   /* static.c: the web map */
/* layers.c: /v1/plans, /v1/search, /v1/depts, /v1/dept-grids, /v1/conflicts */
int gg_route_layers(gg_request *r, gg_reply *out);
int gg_route_tiles(gg_request *r, gg_reply *out);    /* tiles.c: /tiles/..., /v1/palette */
/* plans.c: /v1/key, /v1/plans/{N}/edits, /publish, /diff/{B}, /grids/{CODE},
 * DELETE /v1/plans/{N} */
int gg_route_plans(gg_request *r, gg_reply *out);
/* cases.c: GET /v1/cases (the list with lights), GET and POST
 * /v1/cases/{ID}. */
int gg_route_cases(gg_request *r, gg_reply *out);

/* writes.c: what the routes that write share. A refusal naming what was
 * refused: {"error":{"code", "message", "parameter"}} (parameter left out
 * when NULL). */
void gg_refuse(gg_reply *out, int status, const char *parameter, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The library's message without the project's path in front. */
const char *gg_request_reason(const gg_request *r, gg_ctx *ctx);
/* A library status as an HTTP refusal: 404 not found, 409 exists, 422 a
 * rule refused, 400 an argument, 503 busy (with Retry-After), else 500. */
void gg_refuse_status(const gg_request *r, gg_reply *out, gg_ctx *ctx, gg_status st, const char *parameter);
/* The same for a status and its message kept from another context. */
void gg_refuse_message(const gg_request *r, gg_reply *out, gg_status st, const char *parameter, const char *message);
/* A writable store of the request's own (and its context), acting as
 * key_name; NULL with the answer made (503). */
gg_store *gg_request_writer(const gg_request *r, gg_reply *out, gg_ctx **ctx, const char *key_name);
void gg_request_writer_close(gg_ctx *ctx, gg_store *store);
/* The request's body as a JSON object, or NULL with a 400 made. */
json_t *gg_request_body_object(const gg_request *r, gg_reply *out);

/* grids.c: the plans' maps simplified per zoom bucket, built on first use
 * and shared by the request threads (a mutex), at most
 * GG_SERVICE_GRIDMAPS of them and GG_SERVICE_GRIDMAP_BYTES together (the
 * newest is kept even alone over it), the least recently used dropped
 * first. */
#define GG_SERVICE_GRIDMAPS 12
#define GG_SERVICE_GRIDMAP_BYTES ((size_t)1 << 30)
struct gg_gridmap_cache;
struct gg_gridmap_cache *gg_gridmap_cache_new(void);
/* Stops the warmer (after the map it is building) and frees every map. */
void gg_gridmap_cache_free(struct gg_gridmap_cache *cache, gg_ctx *ctx);
/* Drops every map of plan (a deleted draft: its number may come back). */
void gg_gridmap_cache_forget(struct gg_gridmap_cache *cache, gg_ctx *ctx, int64_t plan);
struct gg_service;
/* Starts building the served plan's maps for zooms 10-16 in a thread. */
void gg_gridmap_cache_warm(struct gg_service *svc);

/* tiles.c: a strong ETag (quoted hex of a 64-bit hash) of len bytes into
 * etag (at least 19 bytes). */
void gg_etag_of(const void *data, size_t len, char *etag, size_t size);
/* negotiate.c: the answer to a GET as the client can take it: an ETag
 * (the reply's own, or one of its body) on a 200, 304 when If-None-Match
 * names it; text bodies over 1 KiB compressed with gzip when
 * Accept-Encoding allows it (Vary: Accept-Encoding on text answers). */
void gg_reply_negotiate(const gg_request *r, gg_reply *out);
void gg_metrics_text(gg_service *svc, gg_reply *out);
void gg_metrics_record(gg_service *svc, int route, int status, uint64_t micros);

/* Runs until SIGTERM or SIGINT: then it stops accepting, gives the requests
 * being answered (queued writes included) up to o->drain_s seconds, answers
 * the writes still queued 503, closes every other connection (clients still
 * sending a request are not waited for) and closes the store. Returns 0, or
 * 1 with a message on stderr when it cannot start. */
int gg_service_run(const gg_service_options *o);

#endif
