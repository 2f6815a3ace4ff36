/* Incidents: the catalogue read whole, and each incident located, given
 * a worker and committed before it is acknowledged. */
#include "core/ctx.h"
#include "incident/case_private.h"
#include "worktime/limits.h"
#include "govgrid/dispatch.h"
#include "govgrid/incident.h"
#include "govgrid/locate.h"
#include "store/cases.h"
#include "store/store.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>
#include <time.h>

struct gg_catalogue {
    gg_ctx *ctx;
    int64_t version;
    gg_catalogue_item *items;   /* by item code */
    size_t n;
    char **strings;
    size_t n_strings;
};

static int compare_items(const void *a, const void *b)
{
    return strcmp(((const gg_catalogue_item *)a)->item_code, ((const gg_catalogue_item *)b)->item_code);
}

gg_status gg_catalogue_read(gg_ctx *ctx, gg_store *store, int64_t version, gg_catalogue **out)
{
    *out = NULL;
    if (version == 0) {
        gg_status st = gg_catalogue_current(ctx, store, &version);
        if (st != GG_OK)
            return st;
        if (version == 0)
            return gg_error(ctx, GG_ERR_NOT_FOUND,
                            "%s: no item catalogue (load one with 'govgrid import PROJECT catalogue FILE')",
                            store->path);
    }
    gg_catalogue *c = gg_calloc(ctx, 1, sizeof *c);
    if (c == NULL)
        return gg_error_nomem(ctx);
    c->ctx = ctx;
    c->version = version;
    sqlite3_stmt *stmt = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT item_code, class, subclass, name, name_en, department, reporting_condition,"
                                    " reach_within, handle_within, closing_condition, coalesce(attributes, ''), coalesce(route, ''),"
                                    " coalesce(co_departments, ''), coalesce(close_within, '') FROM catalogue"
                                    " WHERE version = ?1"
                                    " ORDER BY item_code",
                                    &stmt);
    size_t cap = 0, cap_s = 0;
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, version);
        while (st == GG_OK && sqlite3_step(stmt) == SQLITE_ROW) {
            if (gg_grow(ctx, (void **)&c->items, &cap, c->n + 1, sizeof *c->items) != GG_OK ||
                gg_grow(ctx, (void **)&c->strings, &cap_s, c->n_strings + 14, sizeof *c->strings) != GG_OK) {
                st = GG_ERR_NOMEM;
                break;
            }
            const char **slots[14];
            gg_catalogue_item *it = &c->items[c->n++];
            slots[0] = &it->item_code;
            slots[1] = &it->class_name;
            slots[2] = &it->subclass;
            slots[3] = &it->name;
            slots[4] = &it->name_en;
            slots[5] = &it->department;
            slots[6] = &it->reporting_condition;
            slots[7] = &it->reach_within;
            slots[8] = &it->handle_within;
            slots[9] = &it->closing_condition;
            slots[10] = &it->attributes;
            slots[11] = &it->route;
            slots[12] = &it->co_departments;
            slots[13] = &it->close_within;
            for (int k = 0; k < 14 && st == GG_OK; k++) {
                const char *t = (const char *)sqlite3_column_text(stmt, k);
                char *copy = gg_strdup(ctx, t ? t : "");
                if (copy == NULL)
                    st = GG_ERR_NOMEM;
                else
                    c->strings[c->n_strings++] = copy;
                *slots[k] = copy ? copy : "";
            }
        }
        sqlite3_finalize(stmt);
    }
    if (st != GG_OK) {
        gg_catalogue_free(c);
        return st == GG_ERR_NOMEM ? gg_error_nomem(ctx) : st;
    }
    *out = c;
    return GG_OK;
}

int64_t gg_catalogue_version(const gg_catalogue *cat)
{
    return cat->version;
}

size_t gg_catalogue_count(const gg_catalogue *cat)
{
    return cat->n;
}

const gg_catalogue_item *gg_catalogue_item_at(const gg_catalogue *cat, size_t i)
{
    return i < cat->n ? &cat->items[i] : NULL;
}

const gg_catalogue_item *gg_catalogue_find(const gg_catalogue *cat, const char *item_code)
{
    if (item_code == NULL || cat->n == 0)
        return NULL;
    gg_catalogue_item key;
    memset(&key, 0, sizeof key);
    key.item_code = item_code;
    return bsearch(&key, cat->items, cat->n, sizeof *cat->items, compare_items);
}

void gg_catalogue_free(gg_catalogue *cat)
{
    if (cat == NULL)
        return;
    for (size_t i = 0; i < cat->n_strings; i++)
        gg_free(cat->ctx, cat->strings[i]);
    gg_free(cat->ctx, cat->strings);
    gg_free(cat->ctx, cat->items);
    gg_free(cat->ctx, cat);
}

static void iso_utc(time_t t, char *buf, size_t size)
{
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v != NULL && v[0] != '\0')
        sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(s, i);
}

/* The fingerprint of a request: what makes a resent one the same. Fields
 * are joined with the unit separator, which clean text cannot hold; the
 * first 128 bits of their SHA-256 are kept (32 hex digits: a small index,
 * and no collision in any number of incidents a project will hold). */
static void fingerprint(const gg_incident_input *in, const char *item_code, char hex[65])
{
    char place[64];
    if (in->has_location)
        snprintf(place, sizeof place, "%.7f,%.7f", in->lon, in->lat);
    else
        place[0] = '\0';
    const char *parts[] = {in->api_key_name, item_code,   place,           in->address,
                           in->description,  in->email,   in->attributes_json};
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (md != NULL && EVP_DigestInit_ex(md, EVP_sha256(), NULL) == 1) {
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            const char *p = parts[k] ? parts[k] : "";
            EVP_DigestUpdate(md, p, strlen(p));
            EVP_DigestUpdate(md, "\x1f", 1);
        }
        EVP_DigestFinal_ex(md, digest, &len);
    }
    EVP_MD_CTX_free(md);
    for (unsigned int k = 0; k < 16; k++)
        snprintf(hex + 2 * k, 3, "%02x", k < len ? digest[k] : 0);
}

/* What happened to a request, for its reporter. */
static void notice_of(gg_incident_receipt *r, int lang, const char *community, const char *department, int level)
{
    int zh = lang == GG_LANG_ZH;
    if (department != NULL && department[0] != '\0' && strcmp(r->stage, "reported") != 0) {
        char at_level[32] = "";
        if (level > 0)
            snprintf(at_level, sizeof at_level, zh ? "（第 %d 级）" : " at level %d", level);
        snprintf(r->notice, sizeof r->notice, zh ? "已派给%.80s%s%s%s" : "sent to %.80s%s%s%s", department, at_level,
                 r->grid_code[0] ? (zh ? "，网格 " : ", grid ") : "", r->grid_code);
    } else if (strcmp(r->stage, "dispatched") == 0) {
        snprintf(r->notice, sizeof r->notice, zh ? "已派给网格 %s%s%s" : "sent to grid %s%s%s", r->grid_code,
                 r->worker_id[0] ? (zh ? "，网格员 " : ", worker ") : "", r->worker_id);
    } else if (r->grid_code[0]) {
        snprintf(r->notice, sizeof r->notice,
                 zh ? "已收到；网格 %s 暂无在册人员，在社区 %s 的派遣队列中等待调度员分派"
                    : "received; grid %s has nobody on its roster: waiting in the dispatch queue of community %s for a"
                      " dispatcher to assign it",
                 r->grid_code, community && community[0] ? community : (zh ? "（不明）" : "(unknown)"));
    } else {
        snprintf(r->notice, sizeof r->notice,
                 zh ? "已收到；此处不在任何网格内，将由调度员派遣" : "received; no grid at this place: a dispatcher will route it");
    }
}

/* A stored request this one resends: 1 with its receipt in out, 0 when
 * there is none, -1 on an error (recorded on ctx). */
static int find_resent(gg_ctx *ctx, gg_store *store, int lang, const gg_incident_input *in, const char *print, time_t now,
                       gg_incident_receipt *out)
{
    sqlite3_stmt *s = NULL;
    const char *sql = in->idempotency_key
                          ? "SELECT id, request_id, grid_code, worker_id, expected, stage, community, fingerprint,"
                            " department, level FROM incident WHERE api_key_name IS ?1 AND idempotency_key = ?2"
                          : "SELECT id, request_id, grid_code, worker_id, expected, stage, community, fingerprint,"
                            " department, level FROM incident WHERE fingerprint = ?3 AND requested >= ?4"
                            " ORDER BY id DESC LIMIT 1";
    if (in->idempotency_key == NULL && in->retry_window <= 0)
        return 0;
    if (gg_store_prepare(store, sql, &s) != GG_OK)
        return -1;
    char since[32];
    iso_utc(now - (time_t)in->retry_window, since, sizeof since);
    if (in->idempotency_key) {
        bind_opt(s, 1, in->api_key_name);
        sqlite3_bind_text(s, 2, in->idempotency_key, -1, SQLITE_TRANSIENT);
    } else {
        sqlite3_bind_text(s, 3, print, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 4, since, -1, SQLITE_TRANSIENT);
    }
    int rc = sqlite3_step(s), found = 0;
    if (rc == SQLITE_ROW) {
        const char *stored = (const char *)sqlite3_column_text(s, 7);
        if (in->idempotency_key && (stored == NULL || strcmp(stored, print) != 0)) {
            gg_error(ctx, GG_ERR_EXISTS,
                     "Idempotency-Key '%.60s' came before with a different request (service request %lld)",
                     in->idempotency_key, (long long)sqlite3_column_int64(s, 0));
            found = -1;
        } else {
            out->id = sqlite3_column_int64(s, 0);
            gg_store_column_text(s, 1, out->request_id, sizeof out->request_id);
            gg_store_column_text(s, 2, out->grid_code, sizeof out->grid_code);
            gg_store_column_text(s, 3, out->worker_id, sizeof out->worker_id);
            gg_store_column_text(s, 4, out->expected, sizeof out->expected);
            gg_store_column_text(s, 5, out->stage, sizeof out->stage);
            notice_of(out, lang, (const char *)sqlite3_column_text(s, 6), (const char *)sqlite3_column_text(s, 8),
                      sqlite3_column_int(s, 9));
            out->replayed = 1;
            found = 1;
        }
    } else if (rc != SQLITE_DONE) {
        gg_store_sql_error(store, "looking for a resent request");
        found = -1;
    }
    sqlite3_finalize(s);
    return found;
}

/* Who an item goes to (its route: "grid", the default; "department";
 * "level:N", the department at level N at once; or "level:SCOPE", at the
 * project's first level of that scope: community, township or district,
 * which holds whether a district runs three levels or four). */
typedef struct route {
    int department;             /* the item's department handles it */
    int level;
} route;

static gg_status route_of(gg_ctx *ctx, const gg_catalogue_item *item, const gg_case_level *levels, size_t n_levels,
                          route *r)
{
    r->department = 0;
    r->level = 0;
    const char *s = item->route;
    if (s == NULL || s[0] == '\0' || strcmp(s, "grid") == 0)
        return GG_OK;
    r->department = 1;
    if (strncmp(s, "level:", 6) != 0)
        return GG_OK;
    r->level = -1;
    for (size_t i = 0; i < n_levels && r->level < 0; i++)
        if ((s[6] >= '1' && s[6] <= '9' && levels[i].level == atoi(s + 6)) || strcmp(levels[i].scope, s + 6) == 0)
            r->level = levels[i].level;
    /* The imports of the catalogue and of the levels keep this from
     * happening; a project edited by hand is told. */
    if (r->level < 0)
        return gg_error(ctx, GG_ERR_INVALID_INPUT,
                        "item %s goes to %s, which the project's escalation levels do not have (govgrid import"
                        " PROJECT levels FILE.csv)",
                        item->item_code, s);
    return GG_OK;
}

/* What an incident needs before the transaction: its catalogue item, its
 * place on the map and its fingerprint. */
typedef struct prepared {
    const gg_catalogue_item *item;
    gg_locate_result res;
    char print[65];
    const gg_roster_person *picked;     /* the worker whose turn it took, to give back */
} prepared;

static gg_status prepare_one(gg_ctx *ctx, const gg_catalogue *cat, const gg_locator *loc,
                             const gg_incident_input *in, prepared *p)
{
    memset(p, 0, sizeof *p);
    p->res = (gg_locate_result){-1, GG_LOCATE_INVALID, NAN, 0};
    p->item = gg_catalogue_find(cat, in->service_code);
    if (p->item == NULL)
        return gg_error(ctx, GG_ERR_NOT_FOUND, "service_code '%.40s' is not in catalogue version %lld",
                        in->service_code ? in->service_code : "", (long long)cat->version);
    if (in->source != NULL && strcmp(in->source, "hotline") != 0 && strcmp(in->source, "grid") != 0 &&
        strcmp(in->source, "app") != 0 && strcmp(in->source, "open311") != 0)
        return gg_error(ctx, GG_ERR_ARG, "source '%.40s' is not one of hotline, grid, app, open311", in->source);
    if (in->idempotency_key != NULL && (in->idempotency_key[0] == '\0' || strlen(in->idempotency_key) > 200))
        return gg_error(ctx, GG_ERR_ARG, "an idempotency key is 1-200 bytes");
    if (in->has_location) {
        if (!(in->lon >= -180 && in->lon <= 180 && in->lat >= -90 && in->lat <= 90))
            return gg_error(ctx, GG_ERR_ARG, "coordinates %.8g, %.8g are out of range", in->lat, in->lon);
        gg_locator_query(loc, in->lon, in->lat, &p->res);
    }
    fingerprint(in, p->item->item_code, p->print);
    return GG_OK;
}

/* Stores one prepared incident inside the open transaction: GG_OK with
 * out filled (replayed for a resend), or an error on ctx with p->picked
 * set when a worker's turn was taken. */
static gg_status store_one(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat, const gg_locator *loc,
                           gg_dispatcher *d, const gg_incident_input *in, prepared *p, time_t now,
                           const gg_calendar *cal, const gg_case_level *levels, size_t n_levels, int lang,
                           gg_incident_receipt *out)
{
    /* A resend is answered before anything is assigned, so that it moves
     * no worker's turn. */
    int resent = find_resent(ctx, store, lang, in, p->print, now, out);
    if (resent > 0)
        return GG_OK;
    if (resent < 0)
        return gg_ctx_errcode(ctx) != GG_OK ? gg_ctx_errcode(ctx) : GG_ERR_STORE;
    const gg_located_grid *grid = gg_locator_grid(loc, p->res.grid);
    const gg_roster_person *leader = NULL, *worker = NULL;
    if (grid != NULL) {
        p->picked = worker = gg_dispatcher_pick(d, p->res.grid, &leader);
        if (worker == NULL)
            worker = leader;
    }
    /* Place x item: what the grid handles goes to its worker; what it
     * cannot, to the item's department (at the item's level), the grid's
     * worker copied. */
    route r;
    gg_status st = route_of(ctx, p->item, levels, n_levels, &r);
    if (st != GG_OK)
        return st;
    /* A worker copied on a department's incident does not handle it: the
     * turn taken goes back, so that the balance counts what each handles. */
    if (r.department && p->picked != NULL) {
        gg_dispatcher_add_open(d, p->picked->id, -1);
        p->picked = NULL;
    }
    const char *handler = r.department ? p->item->department : worker != NULL ? worker->id : NULL;
    /* Dispatched only to a person or a department: a grid with an empty
     * roster leaves the grid's own work in the queue of its community. */
    const char *stage = handler != NULL ? "dispatched" : "reported";
    snprintf(out->stage, sizeof out->stage, "%s", stage);
    snprintf(out->grid_code, sizeof out->grid_code, "%s", grid ? grid->code : "");
    snprintf(out->worker_id, sizeof out->worker_id, "%s", worker ? worker->id : "");
    notice_of(out, lang, grid ? grid->community : NULL, r.department ? p->item->department : NULL, r.level);
    char requested[32], expected[32] = "";
    iso_utc(now, requested, sizeof requested);
    gg_limit stages[GG_MAX_STAGES];
    char why[160];
    int n = gg_limits_parse(p->item->handle_within, stages, GG_MAX_STAGES, why, sizeof why);
    if (n > 0)
        iso_utc(gg_limit_deadline(now, &stages[n - 1], cal), expected, sizeof expected);
    char reach_by[32] = "";
    if (handler != NULL && gg_limits_parse(p->item->reach_within, stages, GG_MAX_STAGES, why, sizeof why) > 0)
        iso_utc(gg_limit_deadline(now, &stages[0], cal), reach_by, sizeof reach_by);
    sqlite3_stmt *s = NULL;
    st = gg_store_cached(store, GG_STMT_INCIDENT_INSERT,
                         "INSERT INTO incident(request_id, service_code, catalogue_version, description, lon, lat,"
                         " address, status, stage, plan, grid_code, community, worker_id, leader_id, locate_status,"
                         " distance_m, email, phone, first_name, last_name, device_id, account_id, media_url,"
                         " attributes, api_key_name, requested, updated, expected, status_notes, idempotency_key,"
                         " fingerprint)"
                         " VALUES ('', ?1, ?2, ?3, ?4, ?5, ?6, 'open', ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                         " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?24, ?25, ?26, ?27, ?28)",
                         &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(s, 1, p->item->item_code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, cat->version);
    bind_opt(s, 3, in->description);
    if (in->has_location) {
        sqlite3_bind_double(s, 4, in->lon);
        sqlite3_bind_double(s, 5, in->lat);
    }
    bind_opt(s, 6, in->address);
    sqlite3_bind_text(s, 7, stage, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, gg_locator_plan(loc));
    bind_opt(s, 9, grid ? grid->code : NULL);
    bind_opt(s, 10, grid ? grid->community : NULL);
    bind_opt(s, 11, worker ? worker->id : NULL);
    bind_opt(s, 12, leader ? leader->id : NULL);
    sqlite3_bind_text(s, 13, in->has_location ? gg_locate_status_name(p->res.status) : "no_location", -1,
                      SQLITE_STATIC);
    if (isfinite(p->res.distance_m))
        sqlite3_bind_double(s, 14, p->res.distance_m);
    bind_opt(s, 15, in->email);
    bind_opt(s, 16, in->phone);
    bind_opt(s, 17, in->first_name);
    bind_opt(s, 18, in->last_name);
    bind_opt(s, 19, in->device_id);
    bind_opt(s, 20, in->account_id);
    bind_opt(s, 21, in->media_url);
    bind_opt(s, 22, in->attributes_json);
    bind_opt(s, 23, in->api_key_name);
    sqlite3_bind_text(s, 24, requested, -1, SQLITE_STATIC);
    bind_opt(s, 25, expected);
    /* The notes say why it waits; a dispatched one needs none. */
    bind_opt(s, 26, handler != NULL ? NULL : out->notice);
    bind_opt(s, 27, in->idempotency_key);
    sqlite3_bind_text(s, 28, p->print, -1, SQLITE_STATIC);
    if (sqlite3_step(s) != SQLITE_DONE)
        st = gg_store_sql_error(store, "storing an incident");
    gg_store_cached_done(s);
    if (st != GG_OK)
        return st;
    int64_t id = sqlite3_last_insert_rowid(store->db);
    st = gg_store_incident_route(store, id, handler, r.level, r.department ? p->item->department : NULL,
                                 p->item->co_departments, r.department && worker != NULL ? worker->id : NULL,
                                 in->source != NULL && in->source[0] ? in->source : "open311",
                                 handler != NULL ? requested : NULL, reach_by);
    if (st == GG_OK) {
        /* Its history starts with its arrival (include/govgrid/incident.h). */
        gg_case_event e;
        memset(&e, 0, sizeof e);
        snprintf(e.at, sizeof e.at, "%s", requested);
        snprintf(e.actor, sizeof e.actor, "%s", in->api_key_name && in->api_key_name[0] ? in->api_key_name : "open311");
        snprintf(e.action, sizeof e.action, "report");
        snprintf(e.to_state, sizeof e.to_state, "%s", stage);
        snprintf(e.handler, sizeof e.handler, "%s", handler != NULL ? handler : "");
        e.level = r.level;
        st = gg_store_case_event_add(store, id, &e, handler != NULL ? NULL : out->notice, NULL, NULL, NULL, NULL);
    }
    if (st != GG_OK)
        return st;
    out->id = id;
    snprintf(out->request_id, sizeof out->request_id, "%lld", (long long)id);
    snprintf(out->expected, sizeof out->expected, "%s", expected);
    return GG_OK;
}

/* An incident that is not stored is no worker's: its turn goes back, so
 * the balance stays true. */
static void give_back(gg_dispatcher *d, prepared *p)
{
    if (p->picked != NULL)
        gg_dispatcher_add_open(d, p->picked->id, -1);
    p->picked = NULL;
}

static void record_failure(gg_ctx *ctx, gg_status st, gg_incident_receipt *out)
{
    memset(out, 0, sizeof *out);
    out->status = st;
    snprintf(out->message, sizeof out->message, "%s", gg_ctx_errmsg(ctx));
    gg_ctx_clear_error(ctx);
}

gg_status gg_incident_submit_many(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat, const gg_locator *loc,
                                  gg_dispatcher *d, const gg_incident_input *in, size_t n,
                                  gg_incident_receipt *out)
{
    if (n == 0)
        return GG_OK;
    prepared *p = calloc(n, sizeof *p);
    if (p == NULL)
        return gg_error(ctx, GG_ERR_NOMEM, "out of memory preparing %zu incidents", n);
    size_t ready = 0;
    for (size_t k = 0; k < n; k++) {
        memset(&out[k], 0, sizeof out[k]);
        gg_status st = prepare_one(ctx, cat, loc, &in[k], &p[k]);
        if (st != GG_OK)
            record_failure(ctx, st, &out[k]);
        else
            ready++;
    }
    if (ready == 0) {
        free(p);
        return GG_OK;
    }
    time_t now = time(NULL);
    gg_status st = gg_store_exec(store, "BEGIN IMMEDIATE");
    int began = st == GG_OK;
    /* Deadlines in working time run on the project's calendar. */
    gg_calendar *cal = NULL;
    if (st == GG_OK)
        st = gg_calendar_load(ctx, store, &cal, NULL);
    /* Items routed to a level find it among the project's. */
    gg_case_level levels[GG_CASE_LEVELS_MAX];
    size_t n_levels = 0;
    if (st == GG_OK)
        st = gg_case_levels(ctx, store, levels, &n_levels);
    /* What the reporters are told is in the project's language. */
    int lang = GG_LANG_EN;
    if (st == GG_OK)
        st = gg_case_language(ctx, store, &lang);
    /* Workers off duty now are not picked. */
    if (st == GG_OK)
        gg_dispatcher_set_time(d, (int64_t)now, cal);
    for (size_t k = 0; k < n && st == GG_OK; k++) {
        if (out[k].status != GG_OK)
            continue;
        /* Each in its own savepoint: one that fails leaves the others. */
        st = gg_store_exec(store, "SAVEPOINT incident");
        if (st != GG_OK)
            break;
        gg_status one = store_one(ctx, store, cat, loc, d, &in[k], &p[k], in[k].requested > 0 ? (time_t)in[k].requested : now,
                                  cal, levels, n_levels, lang, &out[k]);
        if (one != GG_OK) {
            give_back(d, &p[k]);
            record_failure(ctx, one, &out[k]);
            st = gg_store_exec(store, "ROLLBACK TO incident");
        }
        if (st == GG_OK)
            st = gg_store_exec(store, "RELEASE incident");
    }
    if (st == GG_OK)
        st = gg_store_exec(store, "COMMIT");
    if (st != GG_OK) {
        /* Nothing of the batch is stored: every receipt is void. */
        char msg[256];
        snprintf(msg, sizeof msg, "%s", gg_ctx_errmsg(ctx));
        if (began)
            gg_store_exec(store, "ROLLBACK");
        for (size_t k = 0; k < n; k++) {
            give_back(d, &p[k]);
            if (out[k].status == GG_OK) {
                memset(&out[k], 0, sizeof out[k]);
                out[k].status = st;
                snprintf(out[k].message, sizeof out[k].message, "%s", msg);
            }
        }
        gg_error(ctx, st, "%s", msg);
    }
    gg_dispatcher_set_time(d, 0, NULL);
    gg_calendar_free(cal);
    free(p);
    return st;
}

gg_status gg_incident_submit(gg_ctx *ctx, gg_store *store, const gg_catalogue *cat, const gg_locator *loc,
                             gg_dispatcher *d, const gg_incident_input *in, gg_incident_receipt *out)
{
    gg_status st = gg_incident_submit_many(ctx, store, cat, loc, d, in, 1, out);
    if (st != GG_OK)
        return st;
    if (out->status != GG_OK) {
        st = out->status;
        gg_error(ctx, st, "%s", out->message);
        memset(out, 0, sizeof *out);
    }
    return st;
}
