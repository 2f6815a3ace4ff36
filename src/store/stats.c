/* The incidents as the statistics read them (store/stats.h). One pass over
 * the incident table; the latest close of a closed incident is read
 * through the history's (incident, seq) index from its end, a few rows
 * each, rather than by scanning the whole history for closes. */
#include "store/stats.h"

#include "store/cases.h"

#include <string.h>

gg_status gg_store_case_stats_rows(gg_store *store, gg_store_stats_fn fn, void *arg)
{
    sqlite3_stmt *s = NULL;
    gg_status st = gg_store_prepare(
        store,
        "SELECT i.id, i.stage, coalesce(i.handler, i.worker_id, ''), i.level, coalesce(i.expected, ''),"
        " coalesce(i.review_on, ''), coalesce(i.satisfaction, ''), coalesce(i.grid_code, ''),"
        " coalesce(i.community, ''), coalesce(i.source, ''), coalesce(i.department, ''), i.service_code,"
        " coalesce(i.stage_started, ''), coalesce(i.reach_by, ''), coalesce(i.close_by, ''), c.warn_at,"
        " i.requested,"
        " CASE WHEN i.stage = 'closed' THEN (SELECT e.at FROM incident_event e WHERE e.incident = i.id"
        "  AND e.action = 'close' ORDER BY e.seq DESC LIMIT 1) END"
        " FROM incident i LEFT JOIN catalogue c ON c.version = i.catalogue_version AND c.item_code = i.service_code"
        " ORDER BY i.id",
        &s);
    if (st != GG_OK)
        return st;
    gg_store_stats_row r;
    char state[16];
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        memset(&r, 0, sizeof r);
        gg_case *c = &r.c;
        c->id = sqlite3_column_int64(s, 0);
        gg_store_column_text(s, 1, state, sizeof state);
        if (gg_case_state_parse(store->ctx, state, &c->state) != GG_OK) {
            st = gg_error(store->ctx, GG_ERR_STORE, "%s: incident %lld has the unknown state '%s'", store->path,
                          (long long)c->id, state);
            break;
        }
        gg_store_column_text(s, 2, c->handler, sizeof c->handler);
        c->level = sqlite3_column_int(s, 3);
        gg_store_column_text(s, 4, c->deadline, sizeof c->deadline);
        gg_store_column_text(s, 5, c->review_on, sizeof c->review_on);
        gg_store_column_text(s, 6, c->satisfaction, sizeof c->satisfaction);
        gg_store_column_text(s, 7, c->grid_code, sizeof c->grid_code);
        gg_store_column_text(s, 8, c->community, sizeof c->community);
        gg_store_column_text(s, 9, c->source, sizeof c->source);
        gg_store_column_text(s, 10, c->department, sizeof c->department);
        gg_store_column_text(s, 11, c->service_code, sizeof c->service_code);
        gg_store_column_text(s, 12, c->stage_started, sizeof c->stage_started);
        gg_store_column_text(s, 13, c->reach_by, sizeof c->reach_by);
        gg_store_column_text(s, 14, c->close_by, sizeof c->close_by);
        c->warn_at = gg_store_column_warn_at(s, 15);
        gg_store_column_text(s, 16, r.requested, sizeof r.requested);
        gg_store_column_text(s, 17, r.closed_at, sizeof r.closed_at);
        int more = fn(&r, arg);
        if (more < 0) {
            st = gg_ctx_errcode(store->ctx) != GG_OK ? gg_ctx_errcode(store->ctx) : GG_ERR_NOMEM;
            break;
        }
        if (more == 0)
            break;
    }
    if (st == GG_OK && rc != SQLITE_ROW && rc != SQLITE_DONE)
        st = gg_store_sql_error(store, "reading incidents for the statistics");
    sqlite3_finalize(s);
    return st;
}
