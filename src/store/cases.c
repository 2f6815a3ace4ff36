/* Incidents as the closed loop sees them, and their history. */
#include "store/cases.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static void bind_text_or_null(sqlite3_stmt *s, int col, const char *text)
{
    if (text != NULL && text[0] != '\0')
        sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}


/* The columns fill_case reads, from incident (as i). */
#define CASE_COLUMNS                                                                                              \
    "i.id, i.request_id, i.service_code, i.stage, coalesce(i.handler, i.worker_id, ''), i.level,"                 \
    " coalesce(i.expected, ''), coalesce(i.extension_asked, ''), coalesce(i.review_on, ''),"                      \
    " coalesce(i.satisfaction, ''), i.accountability,"                                                            \
    " (SELECT count(*) FROM incident_event e WHERE e.incident = i.id),"                                           \
    " coalesce(i.grid_code, ''), coalesce(i.community, ''), coalesce(i.source, ''), coalesce(i.department, ''),"  \
    " coalesce(i.co_handlers, ''), coalesce(i.copied, ''), coalesce(i.referred_to, ''),"                          \
    " coalesce(i.stage_started, ''), coalesce(i.reach_by, ''), coalesce(i.close_by, ''),"                         \
    " (SELECT c.warn_at FROM catalogue c WHERE c.version = i.catalogue_version AND c.item_code = i.service_code)," \
    " i.lon, i.lat"

double gg_store_column_warn_at(sqlite3_stmt *s, int col)
{
    double w = sqlite3_column_type(s, col) == SQLITE_NULL ? GG_CASE_WARN_AT : sqlite3_column_double(s, col);
    return w > 0 && w <= 1 ? w : GG_CASE_WARN_AT;
}

static void fill_case(sqlite3_stmt *s, gg_case *out, char state[16])
{
    out->id = sqlite3_column_int64(s, 0);
    gg_store_column_text(s, 1, out->request_id, sizeof out->request_id);
    gg_store_column_text(s, 2, out->service_code, sizeof out->service_code);
    gg_store_column_text(s, 3, state, 16);
    gg_store_column_text(s, 4, out->handler, sizeof out->handler);
    out->level = sqlite3_column_int(s, 5);
    gg_store_column_text(s, 6, out->deadline, sizeof out->deadline);
    gg_store_column_text(s, 7, out->extension_asked, sizeof out->extension_asked);
    gg_store_column_text(s, 8, out->review_on, sizeof out->review_on);
    gg_store_column_text(s, 9, out->satisfaction, sizeof out->satisfaction);
    out->accountability = sqlite3_column_int(s, 10);
    out->events = sqlite3_column_int64(s, 11);
    gg_store_column_text(s, 12, out->grid_code, sizeof out->grid_code);
    gg_store_column_text(s, 13, out->community, sizeof out->community);
    gg_store_column_text(s, 14, out->source, sizeof out->source);
    gg_store_column_text(s, 15, out->department, sizeof out->department);
    gg_store_column_text(s, 16, out->co_handlers, sizeof out->co_handlers);
    gg_store_column_text(s, 17, out->copied, sizeof out->copied);
    gg_store_column_text(s, 18, out->referred_to, sizeof out->referred_to);
    gg_store_column_text(s, 19, out->stage_started, sizeof out->stage_started);
    gg_store_column_text(s, 20, out->reach_by, sizeof out->reach_by);
    gg_store_column_text(s, 21, out->close_by, sizeof out->close_by);
    out->warn_at = gg_store_column_warn_at(s, 22);
    out->lon = sqlite3_column_type(s, 23) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 23);
    out->lat = sqlite3_column_type(s, 24) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 24);
}

gg_status gg_store_case_read(gg_store *store, int64_t id, const char *request_id, gg_case *out, char state[16])
{
    memset(out, 0, sizeof *out);
    state[0] = '\0';
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_cached(store, GG_STMT_CASE_READ,
                                   "SELECT " CASE_COLUMNS " FROM incident i"
                                   " WHERE (?1 > 0 AND i.id = ?1) OR (?1 <= 0 AND i.request_id = ?2)",
                                   &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, id);
    if (request_id != NULL)
        sqlite3_bind_text(s, 2, request_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        fill_case(s, out, state);
    } else if (rc == SQLITE_DONE) {
        st = id > 0 ? gg_error(store->ctx, GG_ERR_NOT_FOUND, "%s: no incident %lld", store->path, (long long)id)
                    : gg_error(store->ctx, GG_ERR_NOT_FOUND, "%s: no incident with request id '%s'", store->path,
                               request_id ? request_id : "");
    } else {
        st = gg_store_sql_error(store, "reading an incident");
    }
    gg_store_cached_done(s);
    return st;
}

gg_status gg_store_case_list(gg_store *store, const gg_case_filter *f, gg_store_case_fn fn, void *arg)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(
        store,
        "SELECT " CASE_COLUMNS " FROM incident i WHERE"
        " (?1 IS NULL OR (?1 = 'open' AND i.stage NOT IN ('rejected','closed')) OR i.stage = ?1)"
        " AND (?2 IS NULL OR i.grid_code = ?2) AND (?3 IS NULL OR i.community = ?3)"
        " AND (?4 IS NULL OR i.department = ?4 OR instr(';' || coalesce(i.co_handlers, '') || ';', ';' || ?4 || ';') > 0)"
        " AND (?5 IS NULL OR i.service_code = ?5) AND (?6 IS NULL OR coalesce(i.handler, i.worker_id) = ?6)"
        " AND (?7 IS NULL OR i.source = ?7)"
        " AND (?8 = 0 OR i.stage IN ('dispatched','in_progress','fed_back','verified','suspended'))"
        " ORDER BY i.id DESC",
        &s);
    if (st != GG_OK)
        return st;
    const char *texts[] = {f->state, f->grid_code, f->community, f->department, f->service_code, f->handler,
                           f->source};
    for (int k = 0; k < 7; k++)
        bind_text_or_null(s, k + 1, texts[k]);
    sqlite3_bind_int(s, 8, f->supervision || f->light != GG_LIGHT_NONE);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        gg_case c;
        char state[16];
        memset(&c, 0, sizeof c);
        fill_case(s, &c, state);
        if (gg_case_state_parse(store->ctx, state, &c.state) != GG_OK) {
            st = gg_error(store->ctx, GG_ERR_STORE, "%s: incident %lld has the unknown state '%s'", store->path,
                          (long long)c.id, state);
            break;
        }
        int more = fn(&c, arg);
        if (more < 0) {
            st = gg_ctx_errcode(store->ctx) != GG_OK ? gg_ctx_errcode(store->ctx) : GG_ERR_NOMEM;
            break;
        }
        if (more == 0)
            break;
    }
    if (st == GG_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "listing incidents");
    sqlite3_finalize(s);
    return st;
}

int gg_store_case_resent(gg_store *store, const char *actor, const char *key, int64_t *incident, char action[16])
{
    *incident = 0;
    action[0] = '\0';
    sqlite3_stmt *s = NULL;
    if (gg_store_cached(store, GG_STMT_CASE_RESENT,
                        "SELECT incident, action FROM incident_event WHERE actor = ?1 AND idempotency_key = ?2", &s) !=
        GG_OK)
        return -1;
    sqlite3_bind_text(s, 1, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s), found = 0;
    if (rc == SQLITE_ROW) {
        *incident = sqlite3_column_int64(s, 0);
        gg_store_column_text(s, 1, action, 16);
        found = 1;
    } else if (rc != SQLITE_DONE) {
        gg_store_sql_error(store, "looking for a resent action");
        found = -1;
    }
    gg_store_cached_done(s);
    return found;
}

gg_status gg_store_case_event_add(gg_store *store, int64_t incident, const gg_case_event *e, const char *note,
                                  const char *reason, const char *attachments, const char *idempotency_key,
                                  int64_t *id)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_cached(
        store, GG_STMT_CASE_EVENT_ADD,
        "INSERT INTO incident_event(incident, seq, at, actor, action, from_state, to_state, note, reason,"
        " attachments, deadline, level, handler, author, client_update_id, idempotency_key) VALUES (?1,"
        " (SELECT coalesce(max(seq), 0) + 1 FROM incident_event WHERE incident = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8,"
        " ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
        &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, incident);
    sqlite3_bind_text(s, 2, e->at, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, e->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, e->action, -1, SQLITE_STATIC);
    bind_text_or_null(s, 5, e->from_state);
    sqlite3_bind_text(s, 6, e->to_state, -1, SQLITE_STATIC);
    bind_text_or_null(s, 7, note);
    bind_text_or_null(s, 8, reason);
    bind_text_or_null(s, 9, attachments);
    bind_text_or_null(s, 10, e->deadline);
    sqlite3_bind_int(s, 11, e->level);
    bind_text_or_null(s, 12, e->handler);
    bind_text_or_null(s, 13, e->author);
    bind_text_or_null(s, 14, e->client_update_id);
    bind_text_or_null(s, 15, idempotency_key);
    int rc = sqlite3_step(s);
    if ((rc & 0xff) == SQLITE_CONSTRAINT && sqlite3_extended_errcode(store->db) == SQLITE_CONSTRAINT_UNIQUE &&
        e->client_update_id[0] != '\0')
        st = gg_error(store->ctx, GG_ERR_EXISTS, "%s: %s already sent an update with the id '%s'", store->path,
                      e->actor, e->client_update_id);
    else if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "recording an incident's history");
    else if (id != NULL)
        *id = sqlite3_last_insert_rowid(store->db);
    gg_store_cached_done(s);
    return st;
}

gg_status gg_store_case_event_by_client(gg_store *store, const char *actor, const char *client_update_id,
                                        int64_t *event, int64_t *incident)
{
    *event = *incident = 0;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT id, incident FROM incident_event WHERE actor = ?1 AND client_update_id = ?2",
                                    &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(s, 1, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, client_update_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *event = sqlite3_column_int64(s, 0);
        *incident = sqlite3_column_int64(s, 1);
    } else if (rc != SQLITE_DONE) {
        st = gg_store_sql_error(store, "looking for a client's update");
    }
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_case_result(gg_store *store, int64_t incident, char **note)
{
    *note = NULL;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT note FROM incident_event WHERE incident = ?1 AND action = 'feedback'"
                                    " ORDER BY seq DESC LIMIT 1",
                                    &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, incident);
    int rc = sqlite3_step(s), nomem = 0;
    if (rc == SQLITE_ROW)
        *note = gg_store_column_strdup(store->ctx, s, 0, &nomem);
    else if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading an incident's result");
    if (st == GG_OK && nomem)
        st = gg_error_nomem(store->ctx);
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_case_write(gg_store *store, const gg_case *c, const char *note, const char *now)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_cached(store, GG_STMT_CASE_WRITE,
                                    "UPDATE incident SET stage = ?2, status = ?3, handler = ?4, level = ?5,"
                                    " expected = ?6, extension_asked = ?7, review_on = ?8, satisfaction = ?9,"
                                    " accountability = ?10, status_notes = coalesce(?11, status_notes), updated = ?12,"
                                    " department = ?13, co_handlers = ?14, copied = ?15, referred_to = ?16,"
                                    " stage_started = ?17, reach_by = ?18, close_by = ?19"
                                    " WHERE id = ?1",
                                    &s);
    if (st != GG_OK)
        return st;
    int closed = c->state == GG_CASE_CLOSED || c->state == GG_CASE_REJECTED;
    sqlite3_bind_int64(s, 1, c->id);
    sqlite3_bind_text(s, 2, gg_case_state_name(c->state), -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 3, closed ? "closed" : "open", -1, SQLITE_STATIC);
    bind_text_or_null(s, 4, c->handler);
    sqlite3_bind_int(s, 5, c->level);
    bind_text_or_null(s, 6, c->deadline);
    bind_text_or_null(s, 7, c->extension_asked);
    bind_text_or_null(s, 8, c->review_on);
    bind_text_or_null(s, 9, c->satisfaction);
    sqlite3_bind_int(s, 10, c->accountability != 0);
    bind_text_or_null(s, 11, note);
    sqlite3_bind_text(s, 12, now, -1, SQLITE_STATIC);
    bind_text_or_null(s, 13, c->department);
    bind_text_or_null(s, 14, c->co_handlers);
    bind_text_or_null(s, 15, c->copied);
    bind_text_or_null(s, 16, c->referred_to);
    bind_text_or_null(s, 17, c->stage_started);
    bind_text_or_null(s, 18, c->reach_by);
    bind_text_or_null(s, 19, c->close_by);
    if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(store->db) != 1)
        st = gg_store_sql_error(store, "storing an incident's state");
    gg_store_cached_done(s);
    return st;
}

gg_status gg_store_case_events(gg_store *store, int64_t id, gg_case_event **out, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT seq, at, actor, action, coalesce(from_state, ''), to_state, note, reason,"
                                    " attachments, coalesce(deadline, ''), level, coalesce(handler, ''), id, author,"
                                    " coalesce(client_update_id, '') FROM incident_event WHERE incident = ?1 ORDER BY seq",
                                    &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, id);
    size_t cap = 0;
    int rc, nomem = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out)) != GG_OK)
            break;
        gg_case_event *e = &(*out)[(*n)++];
        memset(e, 0, sizeof *e);
        e->seq = sqlite3_column_int64(s, 0);
        gg_store_column_text(s, 1, e->at, sizeof e->at);
        gg_store_column_text(s, 2, e->actor, sizeof e->actor);
        gg_store_column_text(s, 3, e->action, sizeof e->action);
        gg_store_column_text(s, 4, e->from_state, sizeof e->from_state);
        gg_store_column_text(s, 5, e->to_state, sizeof e->to_state);
        e->note = gg_store_column_strdup(ctx, s, 6, &nomem);
        e->reason = gg_store_column_strdup(ctx, s, 7, &nomem);
        e->attachments = gg_store_column_strdup(ctx, s, 8, &nomem);
        gg_store_column_text(s, 9, e->deadline, sizeof e->deadline);
        e->level = sqlite3_column_int(s, 10);
        gg_store_column_text(s, 11, e->handler, sizeof e->handler);
        e->id = sqlite3_column_int64(s, 12);
        e->author = gg_store_column_strdup(ctx, s, 13, &nomem);
        gg_store_column_text(s, 14, e->client_update_id, sizeof e->client_update_id);
    }
    if (st == GG_OK && nomem)
        st = gg_error_nomem(ctx);
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading an incident's history");
    sqlite3_finalize(s);
    if (st != GG_OK) {
        gg_case_events_free(ctx, *out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

gg_status gg_store_case_updates(gg_store *store, const char *start, const char *end, int64_t offset, int64_t limit,
                                gg_store_update **out, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s = NULL;
    /* Through the index on at; the result is the last feedback before the
     * event, found through the unique index on (incident, seq). */
    gg_status st = gg_store_prepare(
        store,
        "SELECT e.id, e.seq, e.at, e.actor, e.action, coalesce(e.from_state, ''), e.to_state, e.note, e.reason,"
        " e.attachments, coalesce(e.deadline, ''), e.level, coalesce(e.handler, ''), i.request_id,"
        " (SELECT f.note FROM incident_event f WHERE f.incident = e.incident AND f.seq < e.seq"
        "  AND f.action = 'feedback' ORDER BY f.seq DESC LIMIT 1)"
        " FROM incident_event e JOIN incident i ON i.id = e.incident"
        " WHERE e.at >= ?1 AND e.at <= ?2 AND e.action <> 'report' ORDER BY e.at, e.id LIMIT ?3 OFFSET ?4",
        &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_text(s, 1, start, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 2, end, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, limit);
    sqlite3_bind_int64(s, 4, offset);
    size_t cap = 0;
    int rc, nomem = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if ((st = gg_grow(ctx, (void **)out, &cap, *n + 1, sizeof **out)) != GG_OK)
            break;
        gg_store_update *u = &(*out)[(*n)++];
        memset(u, 0, sizeof *u);
        gg_case_event *e = &u->e;
        e->id = sqlite3_column_int64(s, 0);
        e->seq = sqlite3_column_int64(s, 1);
        gg_store_column_text(s, 2, e->at, sizeof e->at);
        gg_store_column_text(s, 3, e->actor, sizeof e->actor);
        gg_store_column_text(s, 4, e->action, sizeof e->action);
        gg_store_column_text(s, 5, e->from_state, sizeof e->from_state);
        gg_store_column_text(s, 6, e->to_state, sizeof e->to_state);
        e->note = gg_store_column_strdup(ctx, s, 7, &nomem);
        e->reason = gg_store_column_strdup(ctx, s, 8, &nomem);
        e->attachments = gg_store_column_strdup(ctx, s, 9, &nomem);
        gg_store_column_text(s, 10, e->deadline, sizeof e->deadline);
        e->level = sqlite3_column_int(s, 11);
        gg_store_column_text(s, 12, e->handler, sizeof e->handler);
        gg_store_column_text(s, 13, u->request_id, sizeof u->request_id);
        u->result = gg_store_column_strdup(ctx, s, 14, &nomem);
    }
    if (st == GG_OK && nomem)
        st = gg_error_nomem(ctx);
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading incidents' updates");
    sqlite3_finalize(s);
    if (st != GG_OK) {
        gg_store_updates_free(ctx, *out, *n);
        *out = NULL;
        *n = 0;
    }
    return st;
}

void gg_store_updates_free(gg_ctx *ctx, gg_store_update *rows, size_t n)
{
    for (size_t i = 0; rows != NULL && i < n; i++) {
        gg_free(ctx, rows[i].e.note);
        gg_free(ctx, rows[i].e.reason);
        gg_free(ctx, rows[i].e.attachments);
        gg_free(ctx, rows[i].e.author);
        gg_free(ctx, rows[i].result);
    }
    gg_free(ctx, rows);
}

gg_status gg_store_case_item(gg_store *store, const gg_case *c, char reach[128], char handle[128], char close[32])
{
    reach[0] = handle[0] = close[0] = '\0';
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT c.reach_within, c.handle_within, coalesce(c.close_within, '')"
                                    " FROM incident i JOIN catalogue c"
                                    " ON c.version = i.catalogue_version AND c.item_code = i.service_code"
                                    " WHERE i.id = ?1",
                                    &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, c->id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        gg_store_column_text(s, 0, reach, 128);
        gg_store_column_text(s, 1, handle, 128);
        gg_store_column_text(s, 2, close, 32);
    } else if (rc != SQLITE_DONE) {
        st = gg_store_sql_error(store, "reading an incident's item");
    }
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_case_levels(gg_store *store, gg_case_level *levels, size_t *n)
{
    *n = 0;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(
        store, "SELECT level, name, scope, coalesce(handle_within, '') FROM case_level ORDER BY level", &s);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < GG_CASE_LEVELS_MAX) {
        gg_case_level *l = &levels[(*n)++];
        memset(l, 0, sizeof *l);
        l->level = sqlite3_column_int(s, 0);
        gg_store_column_text(s, 1, l->name, sizeof l->name);
        gg_store_column_text(s, 2, l->scope, sizeof l->scope);
        gg_store_column_text(s, 3, l->handle_within, sizeof l->handle_within);
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the escalation levels");
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_catalogue_level_routes(gg_store *store, int (*each)(void *ud, const char *route, const char *item),
                                          void *ud)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT route, min(item_code) FROM catalogue"
                                    " WHERE version = (SELECT max(version) FROM catalogue_version)"
                                    " AND route LIKE 'level:%' GROUP BY route ORDER BY route",
                                    &s);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        if (each(ud, (const char *)sqlite3_column_text(s, 0), (const char *)sqlite3_column_text(s, 1)) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the catalogue's routes");
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_case_levels_replace(gg_store *store, const gg_case_level *levels, size_t n)
{
    gg_status st = gg_store_exec(store, "DELETE FROM case_level");
    sqlite3_stmt *s = NULL;
    if (st == GG_OK)
        st = gg_store_prepare(store, "INSERT INTO case_level(level, name, scope, handle_within) VALUES (?1, ?2, ?3, ?4)",
                              &s);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        sqlite3_bind_int(s, 1, levels[i].level);
        sqlite3_bind_text(s, 2, levels[i].name, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, levels[i].scope, -1, SQLITE_STATIC);
        bind_text_or_null(s, 4, levels[i].handle_within);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = gg_store_sql_error(store, "storing an escalation level");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_level_contact(gg_store *store, int level, const char *const *divisions, size_t n, char name[64],
                                 char phone[32])
{
    name[0] = phone[0] = '\0';
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store, "SELECT name, coalesce(phone, '') FROM level_contact"
                                           " WHERE level = ?1 AND division = ?2",
                                    &s);
    for (size_t i = 0; i <= n && st == GG_OK && name[0] == '\0'; i++) {
        sqlite3_bind_int(s, 1, level);
        sqlite3_bind_text(s, 2, i < n ? divisions[i] : "*", -1, SQLITE_STATIC);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW) {
            gg_store_column_text(s, 0, name, 64);
            gg_store_column_text(s, 1, phone, 32);
        } else if (rc != SQLITE_DONE) {
            st = gg_store_sql_error(store, "reading a level's contact");
        }
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_level_contacts_replace(gg_store *store, const gg_level_contact *c, size_t n)
{
    gg_status st = gg_store_exec(store, "DELETE FROM level_contact");
    sqlite3_stmt *s = NULL;
    if (st == GG_OK)
        st = gg_store_prepare(store, "INSERT INTO level_contact(level, division, name, phone) VALUES (?1, ?2, ?3, ?4)",
                              &s);
    for (size_t i = 0; i < n && st == GG_OK; i++) {
        sqlite3_bind_int(s, 1, c[i].level);
        sqlite3_bind_text(s, 2, c[i].division, -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, c[i].name, -1, SQLITE_STATIC);
        bind_text_or_null(s, 4, c[i].phone);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = gg_store_sql_error(store, "storing a level's contact");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_staffing_rules(gg_store *store, gg_staffing_rule rules[2])
{
    /* The default, should the table have lost a class. */
    for (int k = 0; k < 2; k++) {
        memset(&rules[k], 0, sizeof rules[k]);
        snprintf(rules[k].class_name, sizeof rules[k].class_name, "%s", k == 0 ? "urban" : "rural");
        rules[k].leaders = 1;
        rules[k].workers = 2;
        rules[k].fulltime = 1;
        snprintf(rules[k].note, sizeof rules[k].note, "1+2+N");
    }
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(
        store, "SELECT class, leaders, workers, fulltime, volunteers, coalesce(note, '') FROM staffing_rule", &s);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *cls = (const char *)sqlite3_column_text(s, 0);
        gg_staffing_rule *r = &rules[cls != NULL && strcmp(cls, "rural") == 0];
        r->leaders = sqlite3_column_int(s, 1);
        r->workers = sqlite3_column_int(s, 2);
        r->fulltime = sqlite3_column_int(s, 3);
        r->volunteers = sqlite3_column_int(s, 4);
        gg_store_column_text(s, 5, r->note, sizeof r->note);
    }
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the staffing rules");
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_staffing_rules_replace(gg_store *store, const gg_staffing_rule rules[2])
{
    gg_status st = gg_store_exec(store, "DELETE FROM staffing_rule");
    sqlite3_stmt *s = NULL;
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "INSERT INTO staffing_rule(class, leaders, workers, fulltime, volunteers, note)"
                              " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                              &s);
    for (int k = 0; k < 2 && st == GG_OK; k++) {
        sqlite3_bind_text(s, 1, rules[k].class_name, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 2, rules[k].leaders);
        sqlite3_bind_int(s, 3, rules[k].workers);
        sqlite3_bind_int(s, 4, rules[k].fulltime);
        sqlite3_bind_int(s, 5, rules[k].volunteers);
        bind_text_or_null(s, 6, rules[k].note);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = gg_store_sql_error(store, "storing a staffing rule");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_worker_shifts(gg_store *store, char ***ids, char ***shifts, size_t *n)
{
    gg_ctx *ctx = store->ctx;
    *ids = *shifts = NULL;
    *n = 0;
    size_t cap = 0, cap2 = 0;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store, "SELECT id, shift FROM worker WHERE shift IS NOT NULL AND shift <> ''"
                                           " ORDER BY id",
                                    &s);
    if (st != GG_OK)
        return st;
    int rc;
    while (st == GG_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        int nomem = 0;
        if (gg_grow(ctx, (void **)ids, &cap, *n + 1, sizeof **ids) != GG_OK ||
            gg_grow(ctx, (void **)shifts, &cap2, *n + 1, sizeof **shifts) != GG_OK) {
            st = GG_ERR_NOMEM;
            break;
        }
        (*ids)[*n] = gg_store_column_strdup(ctx, s, 0, &nomem);
        (*shifts)[*n] = gg_store_column_strdup(ctx, s, 1, &nomem);
        (*n)++;
        if (nomem)
            st = gg_error_nomem(ctx);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the workers' duty hours");
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_worker_open(gg_store *store, void (*each)(void *ud, const char *worker_id, int64_t n), void *ud)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store,
                                    "SELECT worker_id, count(*) FROM incident WHERE status = 'open' AND worker_id IS NOT"
                                    " NULL AND department IS NULL GROUP BY worker_id",
                                    &s);
    if (st != GG_OK)
        return st;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW)
        each(ud, (const char *)sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1));
    if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "counting the workers' open incidents");
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_case_last_action(gg_store *store, int64_t id, const char *action, char at[32])
{
    at[0] = '\0';
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store, "SELECT at FROM incident_event WHERE incident = ?1 AND action = ?2"
                                           " ORDER BY seq DESC LIMIT 1",
                                    &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_text(s, 2, action, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        gg_store_column_text(s, 0, at, 32);
    else if (rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading an incident's history");
    sqlite3_finalize(s);
    return st;
}

gg_status gg_store_incident_route(gg_store *store, int64_t id, const char *handler, int level, const char *department,
                                  const char *co_handlers, const char *copied, const char *source,
                                  const char *stage_started, const char *reach_by)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_cached(store, GG_STMT_INCIDENT_NUMBER,
                                    "UPDATE incident SET request_id = CAST(id AS TEXT), handler = ?2, level = ?3,"
                                    " department = ?4, co_handlers = ?5, copied = ?6, source = ?7,"
                                    " stage_started = ?8, reach_by = ?9 WHERE id = ?1",
                                    &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, id);
    bind_text_or_null(s, 2, handler);
    sqlite3_bind_int(s, 3, level);
    bind_text_or_null(s, 4, department);
    bind_text_or_null(s, 5, co_handlers);
    bind_text_or_null(s, 6, copied);
    bind_text_or_null(s, 7, source);
    bind_text_or_null(s, 8, stage_started);
    bind_text_or_null(s, 9, reach_by);
    if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(store->db) != 1)
        st = gg_store_sql_error(store, "routing an incident");
    gg_store_cached_done(s);
    return st;
}
