/* The roster check (include/govgrid/dispatch.h): every grid against the
 * project's staffing rule for its class (1 + 2 + N by default: one grid
 * leader, at least two grid workers of whom one is full-time, any number
 * of volunteers), and every worker's grid code against the plan. */
#include <stdio.h>
#include <string.h>

#include "core/ctx.h"
#include "govgrid/dispatch.h"
#include "store/store.h"

static gg_status add_issue(gg_ctx *ctx, gg_roster_report *r, size_t *cap, const char *grid, const char *worker,
                           const char *problem)
{
    if (gg_grow(ctx, (void **)&r->issues, cap, r->n_issues + 1, sizeof *r->issues) != GG_OK)
        return GG_ERR_NOMEM;
    gg_roster_issue *is = &r->issues[r->n_issues++];
    snprintf(is->grid, sizeof is->grid, "%s", grid ? grid : "");
    snprintf(is->worker, sizeof is->worker, "%s", worker ? worker : "");
    snprintf(is->problem, sizeof is->problem, "%s", problem);
    return GG_OK;
}

gg_status gg_roster_check(gg_ctx *ctx, gg_store *store, int64_t plan, gg_roster_report **out)
{
    *out = NULL;
    gg_roster_report *r = gg_calloc(ctx, 1, sizeof *r);
    if (r == NULL)
        return gg_error_nomem(ctx);
    size_t cap = 0;
    gg_status st = gg_store_resolve_plan(store, plan, &r->plan);
    sqlite3_stmt *stmt = NULL;
    /* Per grid of the plan: its people by role. */
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "SELECT g.code,"
                              " sum(w.role = 'leader'), sum(w.role = 'fulltime'), sum(w.role = 'parttime'),"
                              " sum(w.role = 'volunteer'),"
                              " (SELECT substr(coalesce(d.urban_rural, '1'), 1, 1) = '2' FROM division d"
                              " WHERE d.code = g.community)"
                              " FROM grid g LEFT JOIN worker w ON w.grid_code = g.code"
                              " WHERE g.plan = ?1 GROUP BY g.code ORDER BY g.code",
                              &stmt);
    /* The project's rule for the grid's community's class. */
    gg_staffing_rule rules[2];
    if (st == GG_OK)
        st = gg_staffing_rules(ctx, store, rules);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, r->plan);
        int rc;
        while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *code = (const char *)sqlite3_column_text(stmt, 0);
            int leaders = sqlite3_column_int(stmt, 1), full = sqlite3_column_int(stmt, 2);
            int part = sqlite3_column_int(stmt, 3), volunteers = sqlite3_column_int(stmt, 4);
            const gg_staffing_rule *rule = &rules[sqlite3_column_int(stmt, 5) != 0];
            int workers = full + part;
            char problem[160] = "";
            size_t at = 0;
#define NOTE(...) at += (size_t)snprintf(problem + at, sizeof problem - at, "%s", at ? "; " : ""), \
                  at += (size_t)snprintf(problem + at, sizeof problem - at, __VA_ARGS__)
            r->grids++;
            if (leaders == 0 && rule->leaders > 0)
                NOTE("no leader");
            else if (leaders < rule->leaders)
                NOTE("%d leader%s (at least %d)", leaders, leaders == 1 ? "" : "s", rule->leaders);
            else if (leaders > 1 && rule->leaders <= 1)
                NOTE("%d leaders (one expected)", leaders);
            if (workers == 0 && rule->workers > 0) {
                if (rule->fulltime > 0)
                    NOTE("no grid worker (at least %d, %s%.0d full-time)", rule->workers,
                         rule->fulltime == 1 ? "one" : "", rule->fulltime == 1 ? 0 : rule->fulltime);
                else
                    NOTE("no grid worker (at least %d)", rule->workers);
            } else if (workers < rule->workers) {
                NOTE("%d grid worker%s (at least %d)", workers, workers == 1 ? "" : "s", rule->workers);
            }
            if (workers > 0 && full < rule->fulltime) {
                if (full == 0)
                    NOTE("no full-time worker");
                else
                    NOTE("%d full-time worker%s (at least %d)", full, full == 1 ? "" : "s", rule->fulltime);
            }
            if (volunteers < rule->volunteers)
                NOTE("%d volunteer%s (at least %d)", volunteers, volunteers == 1 ? "" : "s", rule->volunteers);
#undef NOTE
            if (at == 0)
                r->grids_ok++;
            else
                st = add_issue(ctx, r, &cap, code, NULL, problem);
        }
        if (st == GG_OK && rc != SQLITE_DONE)
            st = gg_store_sql_error(store, "checking the roster");
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    /* Workers whose grid is not in the plan. */
    if (st == GG_OK)
        st = gg_store_prepare(store,
                              "SELECT w.id, w.grid_code, (SELECT count(*) FROM worker) FROM worker w"
                              " WHERE w.grid_code IS NULL OR w.grid_code = '' OR NOT EXISTS"
                              " (SELECT 1 FROM grid g WHERE g.plan = ?1 AND g.code = w.grid_code) ORDER BY w.id",
                              &stmt);
    if (st == GG_OK) {
        sqlite3_bind_int64(stmt, 1, r->plan);
        int rc;
        while (st == GG_OK && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            const char *grid = (const char *)sqlite3_column_text(stmt, 1);
            char problem[160];
            if (grid == NULL || grid[0] == '\0')
                snprintf(problem, sizeof problem, "no grid code");
            else
                snprintf(problem, sizeof problem, "grid %s is not in plan %lld", grid, (long long)r->plan);
            st = add_issue(ctx, r, &cap, NULL, (const char *)sqlite3_column_text(stmt, 0), problem);
        }
        if (st == GG_OK && rc != SQLITE_DONE)
            st = gg_store_sql_error(store, "checking the roster");
        sqlite3_finalize(stmt);
    }
    if (st == GG_OK) {
        int64_t n = 0;
        if (gg_store_prepare(store, "SELECT count(*) FROM worker", &stmt) == GG_OK) {
            if (sqlite3_step(stmt) == SQLITE_ROW)
                n = sqlite3_column_int64(stmt, 0);
            sqlite3_finalize(stmt);
        }
        r->workers = n;
    }
    if (st == GG_ERR_NOMEM)
        st = gg_error_nomem(ctx);
    if (st != GG_OK) {
        gg_roster_report_free(ctx, r);
        return st;
    }
    *out = r;
    return GG_OK;
}

void gg_roster_report_free(gg_ctx *ctx, gg_roster_report *report)
{
    if (report == NULL)
        return;
    gg_free(ctx, report->issues);
    gg_free(ctx, report);
}
