/* Incidents as the closed loop sees them, and their history. */
#include "store/cases.h"

#include <stdio.h>
#include <string.h>

gg_status gg_store_case_read(gg_store *store, int64_t id, const char *request_id, gg_case *out, char state[16])
{
    memset(out, 0, sizeof *out);
    state[0] = '\0';
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_cached(store, GG_STMT_CASE_READ,
                                   "SELECT id, request_id, service_code, stage, coalesce(handler, worker_id, ''),"
                                   " level, coalesce(expected, ''), coalesce(extension_asked, ''),"
                                   " coalesce(review_on, ''), coalesce(satisfaction, ''), accountability,"
                                   " (SELECT count(*) FROM incident_event e WHERE e.incident = incident.id)"
                                   " FROM incident WHERE (?1 > 0 AND id = ?1) OR (?1 <= 0 AND request_id = ?2)",
                                   &s);
    if (st != GG_OK)
        return st;
    sqlite3_bind_int64(s, 1, id);
    if (request_id != NULL)
        sqlite3_bind_text(s, 2, request_id, -1, SQLITE_STATIC);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
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

static void bind_text_or_null(sqlite3_stmt *s, int col, const char *text)
{
    if (text != NULL && text[0] != '\0')
        sqlite3_bind_text(s, col, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, col);
}

gg_status gg_store_case_event_add(gg_store *store, int64_t incident, const gg_case_event *e, const char *note,
                                  const char *reason, const char *attachments, const char *idempotency_key)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_cached(
        store, GG_STMT_CASE_EVENT_ADD,
        "INSERT INTO incident_event(incident, seq, at, actor, action, from_state, to_state, note, reason,"
        " attachments, deadline, level, handler, idempotency_key) VALUES (?1, (SELECT coalesce(max(seq), 0) + 1"
        " FROM incident_event WHERE incident = ?1), ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
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
    bind_text_or_null(s, 13, idempotency_key);
    if (sqlite3_step(s) != SQLITE_DONE)
        st = gg_store_sql_error(store, "recording an incident's history");
    gg_store_cached_done(s);
    return st;
}

gg_status gg_store_case_write(gg_store *store, const gg_case *c, const char *note, const char *now)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_cached(store, GG_STMT_CASE_WRITE,
                                   "UPDATE incident SET stage = ?2, status = ?3, handler = ?4, level = ?5,"
                                   " expected = ?6, extension_asked = ?7, review_on = ?8, satisfaction = ?9,"
                                   " accountability = ?10, status_notes = coalesce(?11, status_notes), updated = ?12"
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
                                    " attachments, coalesce(deadline, ''), level, coalesce(handler, '')"
                                    " FROM incident_event WHERE incident = ?1 ORDER BY seq",
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

gg_status gg_store_calendar_csv(gg_store *store, char **csv)
{
    gg_ctx *ctx = store->ctx;
    *csv = NULL;
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(store, "SELECT date, kind, coalesce(name, '') FROM calendar_day ORDER BY date", &s);
    if (st != GG_OK)
        return st;
    size_t cap = 0, len = 0;
    char *out = NULL;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const char *date = (const char *)sqlite3_column_text(s, 0), *kind = (const char *)sqlite3_column_text(s, 1),
                   *name = (const char *)sqlite3_column_text(s, 2);
        size_t need = len + strlen(date) + strlen(kind) + strlen(name) + 32;
        if ((st = gg_grow(ctx, (void **)&out, &cap, need, 1)) != GG_OK)
            break;
        if (len == 0)
            len += (size_t)snprintf(out, cap, "date,kind,name\n");
        len += (size_t)snprintf(out + len, cap - len, "%s,%s,%s\n", date, kind, name);
    }
    if (st == GG_OK && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading the project's calendar");
    sqlite3_finalize(s);
    if (st != GG_OK) {
        gg_free(ctx, out);
        return st;
    }
    *csv = out;
    return GG_OK;
}

gg_status gg_store_calendar_replace(gg_store *store, const gg_calendar *cal)
{
    gg_status st = gg_store_exec(store, "DELETE FROM calendar_day");
    sqlite3_stmt *s = NULL;
    if (st == GG_OK)
        st = gg_store_prepare(store, "INSERT INTO calendar_day(date, kind, name) VALUES (?1, ?2, nullif(?3, ''))", &s);
    char date[11];
    int working = 0;
    const char *name = NULL;
    for (size_t i = 0; st == GG_OK && gg_calendar_day(cal, i, date, &working, &name); i++) {
        sqlite3_bind_text(s, 1, date, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(s, 2, working ? "workday" : "holiday", -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(s) != SQLITE_DONE)
            st = gg_store_sql_error(store, "storing the project's calendar");
        sqlite3_reset(s);
    }
    sqlite3_finalize(s);
    return st;
}
