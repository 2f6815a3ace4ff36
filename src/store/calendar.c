/* The project's working calendar in the store (src/store/calendar.h). */
#include "store/calendar.h"

#include <stdio.h>
#include <string.h>

#include "core/ctx.h"

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
